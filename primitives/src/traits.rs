//! The traits through which Synod's pallets use each other (wired in the runtime; no pallet's
//! `Config` names another pallet).

use alloc::vec::Vec;
use sp_runtime::{DispatchError, DispatchResult};

use crate::{
	model::{ModelId, ModelManifest},
	provider::Candidate,
};

/// The model registry (pallet-models), as pallet-providers and pallet-jobs see it.
pub trait ModelRegistry {
	/// The manifest of an active (registered, not retired) model.
	fn active_model(model: &ModelId) -> Option<ModelManifest>;

	/// The manifest of any registered model, retired ones included (their running jobs still
	/// need it).
	fn manifest(model: &ModelId) -> Option<ModelManifest>;

	/// Marks one more open job on an active model; its publisher's deposit stays held until
	/// every open job is released. Fails for an unknown or retired model.
	fn acquire(model: &ModelId) -> DispatchResult;

	/// Marks one open job on the model as finished (acquired before).
	fn release(model: &ModelId) -> DispatchResult;

	/// Registers an active model with this hash for benchmarks of other pallets.
	#[cfg(feature = "runtime-benchmarks")]
	fn register_benchmark_model(model: ModelId) -> DispatchResult;
}

/// What a slash did: `compensated` went to the wronged party, `burned` left the issuance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Slashed<Balance> {
	/// Moved to the compensated account.
	pub compensated: Balance,
	/// Burned.
	pub burned: Balance,
}

impl<Balance: sp_runtime::Saturating + Copy> Slashed<Balance> {
	/// All that left the slashed provider.
	pub fn total(&self) -> Balance {
		self.compensated.saturating_add(self.burned)
	}
}

/// The provider registry (pallet-providers), as pallet-jobs sees it.
///
/// Every assignment of a provider to a job is one [`lock_collateral`](Self::lock_collateral),
/// zero or more [`slash_collateral`](Self::slash_collateral) calls, and exactly one
/// [`unlock_collateral`](Self::unlock_collateral) that ends it.
pub trait ProviderRegistry<AccountId> {
	/// The balance type of bonds and prices.
	type Balance;

	/// Providers that can take a job for `model` now: active (not paused, not leaving), with a
	/// heartbeat within the timeout, an offer for the model at most `max_price`, a free job slot
	/// and some free bond. At most the model's index bound; the cost does not depend on how
	/// many providers the chain has.
	fn eligible(
		model: &ModelId,
		max_price: Self::Balance,
	) -> Vec<Candidate<AccountId, Self::Balance>>;

	/// The job slots of `model`'s live providers at most `max_price`, busy or not: what
	/// [`eligible`](Self::eligible) would count if every running job ended. For estimates
	/// (how long a waiting job waits), off chain; it reads every offer of the model.
	fn capacity(model: &ModelId, max_price: Self::Balance) -> u32;

	/// The offers of `model`'s live providers, busy or not: one read of the model's index and
	/// one per offer, as [`eligible`](Self::eligible) costs. A job that these could not take
	/// even with every running job ended does not wait for them.
	fn offers(model: &ModelId) -> Vec<crate::provider::Offer<Self::Balance>>;

	/// The most candidates [`eligible`](Self::eligible) can return (the bound of a model's
	/// provider index): what a draw reads at worst.
	fn max_eligible() -> u32;

	/// The most jobs one provider may run at once.
	fn max_concurrency() -> u32;

	/// Locks `amount` of `who`'s bond as collateral for one job and takes one of its job slots.
	fn lock_collateral(who: &AccountId, amount: Self::Balance) -> DispatchResult;

	/// Ends one job of `who`: unlocks `amount` of collateral (what is left of what was locked,
	/// after slashes) and frees the job slot.
	fn unlock_collateral(who: &AccountId, amount: Self::Balance) -> DispatchResult;

	/// Slashes up to `amount` of `who`'s locked collateral: the first `compensation` of it
	/// goes to `dest` (free balance), the rest is burned. Returns what moved to `dest` and what
	/// was burned; the lock shrinks by `amount`.
	fn slash_collateral(
		who: &AccountId,
		amount: Self::Balance,
		dest: &AccountId,
		compensation: Self::Balance,
	) -> Result<Slashed<Self::Balance>, DispatchError>;

	/// Records a job outcome in `who`'s reputation.
	fn record_outcome(who: &AccountId, success: bool);

	/// `who`'s locked collateral and how many jobs it runs, what `try_state` checks against
	/// its open assignments.
	fn locked(who: &AccountId) -> (Self::Balance, u32);

	/// Registers an active provider offering `model` at `price` with `bond`, for benchmarks of
	/// other pallets.
	#[cfg(feature = "runtime-benchmarks")]
	fn register_benchmark_provider(
		who: &AccountId,
		model: ModelId,
		price: Self::Balance,
		bond: Self::Balance,
	) -> DispatchResult;
}
