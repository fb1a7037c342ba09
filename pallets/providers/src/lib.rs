#![doc = include_str!("../README.md")]
// Tests may unwrap, index and use plain arithmetic; production code may not.
#![cfg_attr(
	test,
	allow(
		clippy::unwrap_used,
		clippy::expect_used,
		clippy::indexing_slicing,
		clippy::arithmetic_side_effects
	)
)]
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(rustdoc::broken_intra_doc_links)]

extern crate alloc;

pub use pallet::*;

/// The log target of this pallet.
pub const LOG_TARGET: &str = "runtime::providers";
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod bonding;
mod impl_provider_registry;
mod invariants;
mod liveness;
#[cfg(test)]
mod mock;
pub mod offchain;
#[cfg(test)]
mod offchain_tests;
mod offers;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

// FRAME's generated code for the pallet, storage and error items calls `expect` (on values its
// own macros construct); the lint cannot tell it from ours, so it is allowed in this module only,
// which holds declarations and one-line calls. Logic lives in the other modules, fully linted.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::fungible::{Inspect, Mutate, MutateHold},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::Perbill;
	use synod_primitives::{model::ModelId, provider::DeterminismClass, traits::ModelRegistry};
	pub use types::{BalanceOf, ProviderRecord, Reputation};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	/// The providers pallet.
	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Default configurations of this pallet, for tests (`#[derive_impl]`).
	pub mod config_preludes {
		use super::*;
		use frame_support::{
			derive_impl, parameter_types,
			traits::{ConstU128, ConstU64},
		};

		parameter_types! {
			/// Reputation keeps 90% of its weight per outcome.
			pub const TestReputationDecay: Perbill = Perbill::from_percent(90);
		}

		/// A test configuration: a minimum bond of 1,000, 10 blocks to unbond, heartbeats
		/// every 1,000 blocks, 32 providers per model, 4 offers each, 8 concurrent jobs, unit
		/// weights. `Currency`, `Models` and `AuthorityId` are the runtime's to say.
		pub struct TestDefaultConfig;

		#[derive_impl(frame_system::config_preludes::TestDefaultConfig, no_aggregated_types)]
		impl frame_system::DefaultConfig for TestDefaultConfig {}

		#[frame_support::register_default_impl(TestDefaultConfig)]
		impl DefaultConfig for TestDefaultConfig {
			#[inject_runtime_type]
			type RuntimeHoldReason = ();
			type MinBond = ConstU128<1_000>;
			type UnbondingDelay = ConstU64<10>;
			type HeartbeatTimeout = ConstU64<1_000>;
			type MaxProvidersPerModel = ConstU32<32>;
			type MaxOffersPerProvider = ConstU32<4>;
			type MaxConcurrency = ConstU32<8>;
			type ReputationDecay = TestReputationDecay;
			type WeightInfo = ();
		}
	}

	/// Configuration of the providers pallet.
	#[pallet::config(with_default)]
	pub trait Config:
		frame_system::Config + frame_system::offchain::CreateSignedTransaction<Call<Self>>
	{
		/// Holds bonds and moves slashed collateral.
		#[pallet::no_default]
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons, which include this pallet's.
		#[pallet::no_default_bounds]
		type RuntimeHoldReason: From<HoldReason>;

		/// The model registry: offers are only for active models.
		#[pallet::no_default]
		type Models: ModelRegistry;

		/// The smallest bond a provider may have (unless it is leaving: zero).
		#[pallet::constant]
		#[pallet::no_default_bounds]
		type MinBond: Get<BalanceOf<Self>>;

		/// Blocks between `unbond` and the moment the stake can be withdrawn.
		#[pallet::constant]
		#[pallet::no_default_bounds]
		type UnbondingDelay: Get<BlockNumberFor<Self>>;

		/// A provider whose last heartbeat is older than this many blocks is not assignable.
		#[pallet::constant]
		#[pallet::no_default_bounds]
		type HeartbeatTimeout: Get<BlockNumberFor<Self>>;

		/// The most providers that can offer one model (the size of its eligibility index).
		#[pallet::constant]
		type MaxProvidersPerModel: Get<u32>;

		/// The most models one provider can offer.
		#[pallet::constant]
		type MaxOffersPerProvider: Get<u32>;

		/// The highest concurrency limit a provider may declare.
		#[pallet::constant]
		type MaxConcurrency: Get<u32>;

		/// How much old reputation evidence keeps per new outcome.
		#[pallet::constant]
		type ReputationDecay: Get<Perbill>;

		/// The key the off-chain worker signs heartbeats with (`synod_primitives::crypto`).
		#[pallet::no_default]
		type AuthorityId: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Reasons this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A provider's bond (collateral for its jobs included) and its unbonding stake.
		#[codec(index = 0)]
		ProviderBond,
	}

	/// Every registered provider.
	#[pallet::storage]
	#[pallet::storage_prefix = "Providers"]
	pub type Records<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		ProviderRecord<BalanceOf<T>, BlockNumberFor<T>>,
	>;

	/// Each provider's offers: model and price per job.
	#[pallet::storage]
	pub type Offers<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<(ModelId, BalanceOf<T>), T::MaxOffersPerProvider>,
		ValueQuery,
	>;

	/// The eligibility index: for each model, the providers that offer it and their prices.
	#[pallet::storage]
	pub type ModelIndex<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		ModelId,
		BoundedVec<(T::AccountId, BalanceOf<T>), T::MaxProvidersPerModel>,
		ValueQuery,
	>;

	/// How many providers are registered.
	#[pallet::storage]
	pub type ProviderCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Events of the providers pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A provider registered with a bond.
		ProviderRegistered { provider: T::AccountId, bond: BalanceOf<T> },
		/// A provider added to its bond.
		Bonded { provider: T::AccountId, amount: BalanceOf<T> },
		/// A provider started unbonding; `amount` is all that is now unbonding.
		Unbonding { provider: T::AccountId, amount: BalanceOf<T>, unlock_at: BlockNumberFor<T> },
		/// Unbonded stake was released to the provider.
		Withdrawn { provider: T::AccountId, amount: BalanceOf<T> },
		/// A provider with no bond left withdrew everything and its record was removed.
		ProviderDeregistered { provider: T::AccountId },
		/// A provider set its price for a model.
		OfferSet { provider: T::AccountId, model: ModelId, price: BalanceOf<T> },
		/// A provider withdrew its offer for a model.
		OfferRemoved { provider: T::AccountId, model: ModelId },
		/// A full model index dropped its lightest offer (bond × reputation) for a heavier one.
		OfferEvicted { provider: T::AccountId, model: ModelId, price: BalanceOf<T> },
		/// A provider paused: it is not assigned new jobs.
		ProviderPaused { provider: T::AccountId },
		/// A provider resumed.
		ProviderResumed { provider: T::AccountId },
		/// A provider changed how many jobs it takes at once.
		ConcurrencySet { provider: T::AccountId, max_concurrent: u32 },
		/// Locked collateral of a provider was slashed: `compensated` of the `amount` went to
		/// `dest`, `burned` was burned.
		CollateralSlashed {
			provider: T::AccountId,
			amount: BalanceOf<T>,
			dest: T::AccountId,
			compensated: BalanceOf<T>,
			burned: BalanceOf<T>,
		},
	}

	/// Errors of the providers pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The account is already a provider.
		AlreadyRegistered,
		/// The account is not a provider.
		ProviderNotFound,
		/// The bond is below `MinBond`.
		BondTooLow,
		/// An amount of zero.
		ZeroAmount,
		/// The account cannot cover the bond.
		InsufficientBalance,
		/// The determinism class has an empty or non-ASCII architecture or libtorch version.
		InvalidClass,
		/// The concurrency limit is zero or above `MaxConcurrency`.
		InvalidConcurrency,
		/// The metadata is longer than 256 bytes.
		MetadataTooLong,
		/// The provider has running jobs and cannot unbond.
		ProviderHasRunningJobs,
		/// Unbonding more than the bond.
		UnbondExceedsBond,
		/// The bond left after a partial unbond would be below `MinBond` (unbond all to leave).
		RemainingBondTooLow,
		/// Nothing is unbonding.
		NothingUnbonding,
		/// The unbonding delay has not passed yet.
		UnbondingNotReady,
		/// The provider unbonded everything and is leaving.
		ProviderLeaving,
		/// The model is unknown or retired.
		ModelNotActive,
		/// The provider has no offer for this model.
		OfferNotFound,
		/// The provider already offers `MaxOffersPerProvider` models.
		TooManyOffers,
		/// The model's index is full and the provider weighs no more than its lightest offer.
		ModelIndexFull,
		/// A price of zero.
		ZeroPrice,
		/// The provider is already paused.
		AlreadyPaused,
		/// The provider is not paused.
		NotPaused,
		/// The provider has no free job slot.
		NoFreeSlot,
		/// The provider's free bond cannot cover the collateral.
		InsufficientFreeBond,
		/// Unlocking or slashing more collateral than is locked.
		CollateralUnderflow,
		/// Ending a job of a provider that runs none.
		NoRunningJobs,
		/// Ending a provider's last job without unlocking all of its remaining collateral.
		CollateralLeftLocked,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Sends heartbeats for the node's local provider keys (see `offchain`).
		fn offchain_worker(n: BlockNumberFor<T>) {
			Self::offchain_heartbeats(n);
		}

		fn integrity_test() {
			assert!(T::MaxProvidersPerModel::get() > 0, "MaxProvidersPerModel must be positive");
			assert!(T::MaxOffersPerProvider::get() > 0, "MaxOffersPerProvider must be positive");
			assert!(T::MaxConcurrency::get() > 0, "MaxConcurrency must be positive");
			assert!(T::HeartbeatTimeout::get() > 0u32.into(), "HeartbeatTimeout must be positive");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers the caller as a provider, holding `bond` under `ProviderBond`.
		///
		/// Origin: signed. Emits [`Event::ProviderRegistered`]. Errors:
		/// [`Error::AlreadyRegistered`], [`Error::BondTooLow`], [`Error::InsufficientBalance`],
		/// [`Error::InvalidClass`], [`Error::InvalidConcurrency`], [`Error::MetadataTooLong`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register())]
		pub fn register(
			origin: OriginFor<T>,
			bond: BalanceOf<T>,
			class: DeterminismClass,
			max_concurrent: u32,
			metadata: Vec<u8>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register(who, bond, class, max_concurrent, metadata)
		}

		/// Adds `amount` to the caller's bond.
		///
		/// Origin: signed provider. Emits [`Event::Bonded`]. Errors: [`Error::ProviderNotFound`],
		/// [`Error::ZeroAmount`], [`Error::ProviderLeaving`], [`Error::InsufficientBalance`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::bond_more())]
		pub fn bond_more(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_bond_more(who, amount)
		}

		/// Starts unbonding `amount`: it stays held for `UnbondingDelay` blocks. Unbonding the
		/// whole bond means leaving: every offer is withdrawn.
		///
		/// Origin: signed provider. Emits [`Event::Unbonding`]. Errors:
		/// [`Error::ProviderNotFound`], [`Error::ZeroAmount`], [`Error::ProviderHasRunningJobs`],
		/// [`Error::UnbondExceedsBond`], [`Error::RemainingBondTooLow`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::unbond())]
		pub fn unbond(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unbond(who, amount)
		}

		/// Releases unbonded stake whose delay has passed; a provider with no bond left is
		/// removed.
		///
		/// Origin: signed provider. Emits [`Event::Withdrawn`], and [`Event::ProviderDeregistered`]
		/// when it left. Errors: [`Error::ProviderNotFound`], [`Error::NothingUnbonding`],
		/// [`Error::UnbondingNotReady`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::withdraw_unbonded())]
		pub fn withdraw_unbonded(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw_unbonded(who)
		}

		/// Offers `model` at `price` per job (or changes the price). When the model's index is
		/// full, a provider of more weight (bond × reputation) replaces the lightest one.
		///
		/// Origin: signed provider. Emits [`Event::OfferSet`] (and [`Event::OfferEvicted`]).
		/// Errors: [`Error::ProviderNotFound`], [`Error::ProviderLeaving`],
		/// [`Error::ModelNotActive`], [`Error::ZeroPrice`], [`Error::TooManyOffers`],
		/// [`Error::ModelIndexFull`].
		#[pallet::call_index(4)]
		// The measured call, and one read per index entry to weigh them when it is full.
		#[pallet::weight(T::WeightInfo::set_offer().saturating_add(
			T::DbWeight::get().reads(T::MaxProvidersPerModel::get().into())
		))]
		pub fn set_offer(
			origin: OriginFor<T>,
			model: ModelId,
			price: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_offer(who, model, price)
		}

		/// Withdraws the caller's offer for `model`.
		///
		/// Origin: signed provider. Emits [`Event::OfferRemoved`]. Errors:
		/// [`Error::ProviderNotFound`], [`Error::OfferNotFound`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::remove_offer())]
		pub fn remove_offer(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_remove_offer(who, model)
		}

		/// Stops new assignments to the caller (running jobs go on).
		///
		/// Origin: signed provider. Emits [`Event::ProviderPaused`]. Errors:
		/// [`Error::ProviderNotFound`], [`Error::AlreadyPaused`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::pause())]
		pub fn pause(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_paused(who, true)
		}

		/// Makes a paused provider assignable again.
		///
		/// Origin: signed provider. Emits [`Event::ProviderResumed`]. Errors:
		/// [`Error::ProviderNotFound`], [`Error::NotPaused`].
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::resume())]
		pub fn resume(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_paused(who, false)
		}

		/// Records that the caller is alive now (its off-chain worker sends this).
		///
		/// Origin: signed provider. Emits no event. Errors: [`Error::ProviderNotFound`].
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::heartbeat())]
		pub fn heartbeat(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_heartbeat(who)
		}

		/// Sets how many jobs the caller takes at once (running jobs are not affected).
		///
		/// Origin: signed provider. Emits [`Event::ConcurrencySet`]. Errors:
		/// [`Error::ProviderNotFound`], [`Error::InvalidConcurrency`].
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::set_concurrency())]
		pub fn set_concurrency(origin: OriginFor<T>, max_concurrent: u32) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_concurrency(who, max_concurrent)
		}
	}

	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// A provider's record.
		pub fn provider(
			who: T::AccountId,
		) -> Option<ProviderRecord<BalanceOf<T>, BlockNumberFor<T>>> {
			Records::<T>::get(who)
		}

		/// The providers offering `model`: account, price, and whether it is assignable now.
		pub fn providers_for_model(model: ModelId) -> Vec<(T::AccountId, BalanceOf<T>, bool)> {
			Self::offers_for_model(&model)
		}

		/// The models a provider offers, with its prices.
		pub fn offers(who: T::AccountId) -> Vec<(ModelId, BalanceOf<T>)> {
			Offers::<T>::get(who).into_inner()
		}
	}
}
