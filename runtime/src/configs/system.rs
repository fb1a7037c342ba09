//! frame-system: accounts, block limits, the SS58 prefix.

use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	weights::{constants::ParityDbWeight, Weight},
};
use frame_system::limits::{BlockLength, BlockWeights};
use sp_runtime::Perbill;
use sp_version::RuntimeVersion;

use crate::{
	AccountId, Balance, Block, BlockNumber, Hash, Nonce, PalletInfo, Runtime, RuntimeCall,
	RuntimeEvent, RuntimeOrigin, RuntimeTask, SS58_PREFIX, VERSION,
};

/// Share of a block's weight and length open to normal (non-operational) extrinsics.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

/// Block size limit: 5 MiB.
const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;

parameter_types! {
	/// How many recent block hashes the runtime keeps (mortal transactions refer to them).
	pub const BlockHashCount: BlockNumber = 2400;
	/// The runtime version, as frame-system reports it.
	pub const Version: RuntimeVersion = VERSION;
	/// Two seconds of compute in a six-second block; proof size is unbounded on a solochain.
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::with_sensible_defaults(
		Weight::from_parts(
			2u64 * frame_support::weights::constants::WEIGHT_REF_TIME_PER_SECOND,
			u64::MAX,
		),
		NORMAL_DISPATCH_RATIO,
	);
	/// 5 MiB blocks, 75% of it for normal extrinsics.
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(MAX_BLOCK_LENGTH)
		.modify_max_length_for_class(DispatchClass::Normal, |m| {
			*m = NORMAL_DISPATCH_RATIO.mul_floor(*m)
		})
		.build();
	/// The SS58 address prefix.
	pub const SS58Prefix: u16 = SS58_PREFIX;
}

/// Defaults from `SolochainDefaultConfig`, overridden where Synod differs.
#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	/// The node uses ParityDb only (RocksDB is not compiled in).
	type DbWeight = ParityDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = frame_support::traits::ConstU32<16>;
}
