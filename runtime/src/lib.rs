//! # Synod runtime
//!
//! The state transition function of the Synod chain: FRAME's system, timestamp, BABE, GRANDPA,
//! balances, transaction payment and sudo, plus Synod's own pallets: models (index 10),
//! providers (11) and jobs (12).
//!
//! ## Overview
//!
//! - [`configs`]: one module per domain with the `Config` of every pallet.
//! - [`apis`]: the runtime APIs the node and dapps call.
//! - [`dapp_api`]: the declarations of Synod's own runtime APIs for dapps.
//! - [`genesis_config_presets`]: the `development`, `local_testnet` and `benchmark` presets.
//!
//! ## Token
//!
//! The native token is **SYN** with 12 decimals ([`UNIT`] = 10^12 planck). Addresses use the
//! SS58 prefix [`SS58_PREFIX`] (42, the generic Substrate prefix, until Synod registers its own
//! in the ss58-registry; changing it is a runtime constant plus the chain spec's `ss58Format`).

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

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod dapp_api;
pub mod genesis_config_presets;
#[cfg(test)]
mod ocw_tests;
#[cfg(test)]
mod tests;

extern crate alloc;

use alloc::vec::Vec;

use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Opaque types, used by the node, which does not need to know the runtime's extrinsic format.
pub mod opaque {
	use super::*;
	use sp_runtime::traits::Hash as HashT;

	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as HashT>::Output;
}

impl_opaque_keys! {
	/// The session keys of a validator: BABE for authoring, GRANDPA for finality.
	pub struct SessionKeys {
		/// Block authoring key (sr25519, key type `babe`): signs blocks and the per-slot VRF.
		pub babe: Babe,
		/// Finality voting key.
		pub grandpa: Grandpa,
	}
}

/// The runtime's version. Bump `spec_version` with every runtime upgrade, `transaction_version`
/// whenever the encoding of calls or transaction extensions changes.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("synod"),
	impl_name: alloc::borrow::Cow::Borrowed("synod-node"),
	authoring_version: 1,
	spec_version: 100,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// Target block time in milliseconds: BABE's slot duration. It cannot change once the chain runs.
pub const MILLI_SECS_PER_BLOCK: u64 = 6000;
/// BABE's slot duration, equal to the block time (every slot has an author: a primary VRF
/// winner or, failing one, the slot's secondary author).
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

/// BABE's epoch length in slots: 10 minutes at 6 s slots (`10 * MINUTES`). It cannot change once
/// the chain runs. With secondary slots only the epochs' randomness takes in no primary VRF
/// outputs, so it is known from genesis (as Aura's schedule was): an authority knows its VRF
/// outputs ahead, but cannot change them.
pub const EPOCH_DURATION_IN_SLOTS: u64 = 100;

/// BABE's `c`, the probability that a slot has a primary author (a VRF lottery winner): none.
/// Every slot goes to its one secondary author, chosen from the epoch's randomness, and every
/// block still carries that author's VRF output (`PrimaryAndSecondaryVRFSlots`), which is what
/// the jobs pallet draws from. With primary slots a primary winner and the slot's secondary
/// author both author a block (about a fifth of the slots with four validators), forks a
/// fixed, known validator set gains nothing from; without them authoring is one block a slot,
/// as with Aura. The VRF output is the same either way: fixed by the author's key and the slot,
/// unknown to anyone else until the block.
pub const PRIMARY_PROBABILITY: (u64, u64) = (0, 1);

/// Blocks per minute.
pub const MINUTES: BlockNumber = 10;
/// Blocks per hour.
pub const HOURS: BlockNumber = 600;
/// Blocks per day.
pub const DAYS: BlockNumber = 14_400;

/// One SYN in planck (12 decimals).
pub const UNIT: Balance = 1_000_000_000_000;
/// A thousandth of a SYN.
pub const MILLI_UNIT: Balance = 1_000_000_000;
/// A millionth of a SYN.
pub const MICRO_UNIT: Balance = 1_000_000;

/// The smallest balance an account may hold: a thousandth of a SYN.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// The SS58 address prefix (see the crate docs).
pub const SS58_PREFIX: u16 = 42;
/// The token symbol, as wallets show it.
pub const TOKEN_SYMBOL: &str = "SYN";
/// The token's number of decimals.
pub const TOKEN_DECIMALS: u8 = 12;

/// A transaction signature.
pub type Signature = MultiSignature;

/// An account id: the public key of the signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// A balance in planck.
pub type Balance = u128;

/// The transaction index of an account.
pub type Nonce = u32;

/// A block or state hash.
pub type Hash = sp_core::H256;

/// A block number.
pub type BlockNumber = u32;

/// The address format of extrinsics.
pub type Address = MultiAddress<AccountId, ()>;

/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;

/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// A block with its justifications.
pub type SignedBlock = generic::SignedBlock<Block>;

/// A block identifier.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions, checked in this order.
///
/// `AuthorizeCall` comes first so that calls with `#[pallet::authorize]` (feeless off-chain
/// worker reports) are validated by their pallet; `CheckMetadataHash` lets wallets prove which
/// metadata they used to show the call to the signer.
pub type TxExtension = (
	frame_system::AuthorizeCall<Runtime>,
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Migrations to run at the next runtime upgrade, beyond those the pallets declare.
type Migrations = ();

/// Executive: dispatches blocks and extrinsics to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

/// The runtime: pallets with explicit, never reused indices.
#[frame_support::runtime]
mod runtime {
	/// The Synod runtime.
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	/// Accounts, blocks, events.
	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	/// Block timestamps.
	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	/// Block authoring (BABE: VRF slot lottery with secondary VRF slots) and the per-block VRF
	/// randomness. Declared before `Jobs`: its `on_initialize` (slot, epoch change) runs first.
	#[runtime::pallet_index(2)]
	pub type Babe = pallet_babe;

	/// Finality.
	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	/// SYN balances, holds and freezes.
	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	/// Transaction fees.
	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	/// The privileged origin, for the early network.
	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;

	/// The registry of models (immutable manifests).
	#[runtime::pallet_index(10)]
	pub type Models = pallet_models;

	/// Compute providers: bonds, offers, liveness, reputation, job collateral.
	#[runtime::pallet_index(11)]
	pub type Providers = pallet_providers;

	/// Inference jobs: escrow, assignment, commit-reveal, voting, settlement.
	#[runtime::pallet_index(12)]
	pub type Jobs = pallet_jobs;
}
