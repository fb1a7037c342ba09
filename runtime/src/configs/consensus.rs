//! Timestamp, BABE (block authoring, per-block VRF randomness) and GRANDPA (finality).
//!
//! The validator set is fixed at genesis (no session pallet): BABE recycles it every epoch
//! (`SameAuthoritiesForever`) and GRANDPA keeps it until a runtime upgrade changes it.

use frame_support::traits::{ConstU32, ConstU64, Randomness};
use sp_consensus_babe::{AllowedSlots, BabeEpochConfiguration};
use sp_runtime::traits::{BlakeTwo256, Hash as HashT};

use crate::{
	Babe, BlockNumber, Hash, Runtime, RuntimeEvent, EPOCH_DURATION_IN_SLOTS, MILLI_SECS_PER_BLOCK,
	PRIMARY_PROBABILITY, SLOT_DURATION,
};

/// The most validators the chain can have.
pub const MAX_AUTHORITIES: u32 = 32;

/// BABE's epoch configuration at genesis: no primary slots (`PRIMARY_PROBABILITY`), and
/// secondary slots with a VRF output, so that every block carries a VRF output.
pub const BABE_GENESIS_EPOCH_CONFIG: BabeEpochConfiguration = BabeEpochConfiguration {
	c: PRIMARY_PROBABILITY,
	allowed_slots: AllowedSlots::PrimaryAndSecondaryVRFSlots,
};

impl pallet_timestamp::Config for Runtime {
	/// Milliseconds since the Unix epoch.
	type Moment = u64;
	/// BABE checks that the timestamp's slot is the block's slot.
	type OnTimestampSet = Babe;
	/// BABE's slot duration is twice this (`pallet_babe::Pallet::slot_duration`).
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

impl pallet_babe::Config for Runtime {
	type EpochDuration = ConstU64<EPOCH_DURATION_IN_SLOTS>;
	type ExpectedBlockTime = ConstU64<MILLI_SECS_PER_BLOCK>;
	/// No session pallet: BABE starts each epoch with the same authorities.
	type EpochChangeTrigger = pallet_babe::SameAuthoritiesForever;
	type DisabledValidators = ();
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type MaxNominators = ConstU32<0>;
	/// No session pallet, so no key-ownership proofs: equivocations are not reported.
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

/// The VRF output of the block being executed (the "current block randomness").
///
/// `pallet_babe::CurrentBlockRandomness` is deprecated and returns the *parent's* output (it is
/// `ParentBlockRandomness` with the current block number): pallet-babe computes a block's VRF
/// output in its `on_finalize` and stores it in `AuthorVrfRandomness` for the next block. This
/// computes the same bytes during the block, from the block's BABE pre-runtime digest, the
/// author's key and the epoch's randomness, exactly as `pallet_babe`'s `on_finalize` does.
///
/// Only meaningful during block execution after `Babe`'s `on_initialize` (which updates the
/// epoch index and randomness on an epoch's first block): in a pallet declared after `Babe`, in
/// its `on_initialize`, in extrinsics and in `on_finalize`. `None` outside a block (RPC,
/// off-chain workers) and for a block without a VRF output (never with
/// `PrimaryAndSecondaryVRFSlots`).
///
/// Who knows it when: it depends only on the author's key, the slot and the epoch's randomness,
/// which with secondary slots only (`PRIMARY_PROBABILITY` = 0) takes in no primary outputs and
/// is known from genesis: the author knows it ahead and cannot grind it. It can act on it by
/// withholding the block, or, authoring the block before too, by setting the state the block's
/// draws read (docs/protocol.md, "Randomness"). Everyone else learns it with the block.
pub struct BabeVrfOfThisBlock;

impl BabeVrfOfThisBlock {
	/// The 32 raw VRF output bytes of the block being executed.
	pub fn output() -> Option<sp_consensus_babe::Randomness> {
		use sp_consensus_babe::digests::PreDigest;
		use sp_core::crypto::Wraps;

		let digest = frame_system::Pallet::<Runtime>::digest();
		let pre_digest = digest.logs.iter().filter_map(|log| log.as_pre_runtime()).find_map(
			|(id, mut data)| {
				if id == sp_consensus_babe::BABE_ENGINE_ID {
					<PreDigest as codec::Decode>::decode(&mut data).ok()
				} else {
					None
				}
			},
		)?;
		let signature = pre_digest.vrf_signature()?;
		let authorities = pallet_babe::Authorities::<Runtime>::get();
		let index = usize::try_from(pre_digest.authority_index()).ok()?;
		let (authority, _weight) = authorities.get(index)?;
		let transcript = sp_consensus_babe::make_vrf_transcript(
			&pallet_babe::Randomness::<Runtime>::get(),
			pallet_babe::CurrentSlot::<Runtime>::get(),
			pallet_babe::EpochIndex::<Runtime>::get(),
		);
		authority
			.as_inner_ref()
			.make_bytes(
				sp_consensus_babe::RANDOMNESS_VRF_CONTEXT,
				&transcript,
				&signature.pre_output,
			)
			.ok()
	}
}

/// `random(subject)`: BLAKE2-256 of the SCALE encoding of `(subject, VRF output of this block)`,
/// with this block's number (from which everyone but the author can know it); `None` where
/// [`BabeVrfOfThisBlock::output`] is.
impl Randomness<Option<Hash>, BlockNumber> for BabeVrfOfThisBlock {
	fn random(subject: &[u8]) -> (Option<Hash>, BlockNumber) {
		let random = Self::output().map(|vrf| BlakeTwo256::hash_of(&(subject, vrf)));
		(random, frame_system::Pallet::<Runtime>::block_number())
	}
}
