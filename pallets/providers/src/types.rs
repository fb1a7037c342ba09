//! Types of the providers pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::traits::fungible::Inspect;
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{ConstU32, Saturating},
	BoundedVec, PerThing, Perbill, Permill,
};
use synod_primitives::provider::{ClassId, DeterminismClass};

/// The balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as crate::Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// The longest provider metadata (free-form, e.g. a contact or a description), in bytes.
pub const MAX_METADATA_LEN: u32 = 256;

/// Free-form provider metadata.
pub type Metadata = BoundedVec<u8, ConstU32<MAX_METADATA_LEN>>;

/// One unit of reputation evidence in [`Reputation`]'s fixed point.
pub const REPUTATION_UNIT: u64 = 1_000_000;

/// A discounted Beta reputation: decayed counts of successes and failures, in millionths.
///
/// Each outcome first multiplies both counts by the decay factor `d`, then adds one unit to
/// the matching count, so evidence `n` outcomes old weighs `d^n`. The score is the mean of
/// `Beta(successes + 1, failures + 1)`: `(s + 1) / (s + f + 2)`; a new provider starts at the
/// bottom ([`Reputation::newcomer`]).
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct Reputation {
	/// Decayed successes, in millionths.
	pub successes: u64,
	/// Decayed failures, in millionths.
	pub failures: u64,
}

impl Reputation {
	/// Where a new provider starts: at the bottom, the evidence of a provider whose every
	/// recent outcome failed (`failures = 1 / (1 − decay)` units, the most decayed failures can
	/// add up to; score `1 / (1 / (1 − decay) + 2)`, 1/12 at a decay of 90%). So no provider
	/// gains by leaving a bad record behind and registering again under a new account; an
	/// honest newcomer reaches the neutral 1/2 after about seven successes at 90%.
	pub fn newcomer(decay: Perbill) -> Self {
		let keep = u64::from(Perbill::one().saturating_sub(decay).deconstruct());
		let accuracy = u64::from(Perbill::ACCURACY);
		let failures =
			REPUTATION_UNIT.saturating_mul(accuracy).checked_div(keep).unwrap_or(u64::MAX);
		Reputation { successes: 0, failures }
	}

	/// Adds one outcome after decaying the old evidence by `decay`.
	pub fn record(&mut self, success: bool, decay: Perbill) {
		self.successes = decay.mul_floor(self.successes);
		self.failures = decay.mul_floor(self.failures);
		let count = if success { &mut self.successes } else { &mut self.failures };
		*count = count.saturating_add(REPUTATION_UNIT);
	}

	/// The score `(s + 1) / (s + f + 2)` as a `Permill`.
	pub fn score(&self) -> Permill {
		let s = self.successes.saturating_add(REPUTATION_UNIT);
		let total = self
			.successes
			.saturating_add(self.failures)
			.saturating_add(REPUTATION_UNIT.saturating_mul(2));
		Permill::from_rational(s, total)
	}
}

/// Bond on its way out: released by `withdraw_unbonded` from `unlock_at` on.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct Unbonding<Balance, BlockNumber> {
	/// How much is unbonding (still held).
	pub amount: Balance,
	/// The first block at which it can be withdrawn.
	pub unlock_at: BlockNumber,
}

/// A registered provider.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct ProviderRecord<Balance, BlockNumber> {
	/// Bonded stake (held under `ProviderBond`), collateral included.
	pub bond: Balance,
	/// The part of `bond` locked as collateral for running jobs.
	pub locked: Balance,
	/// Stake on its way out (also held), if any.
	pub unbonding: Option<Unbonding<Balance, BlockNumber>>,
	/// What decides bit-identical outputs.
	pub class: DeterminismClass,
	/// `class.id()`, kept to save hashing on every lookup.
	pub class_id: ClassId,
	/// Free-form metadata.
	pub metadata: Metadata,
	/// The most jobs it takes at once.
	pub max_concurrent: u32,
	/// Jobs it is assigned to now.
	pub running: u32,
	/// Paused by the provider: not assignable, not slashed.
	pub paused: bool,
	/// The block of its last heartbeat (or registration).
	pub last_heartbeat: BlockNumber,
	/// Its reputation.
	pub reputation: Reputation,
}
