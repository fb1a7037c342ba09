//! Test runtime: System, Balances, the models pallet (real) and the providers pallet.

use crate as pallet_providers;
use frame_support::{
	derive_impl,
	traits::{ConstU128, ConstU32, ConstU64},
};
use sp_runtime::BuildStorage;
use synod_primitives::{
	model::{ModelId, ModelManifest},
	provider::{DeterminismClass, DeviceKind},
};

synod_primitives::test_runtime!(2 => Models = pallet_models, 3 => Providers = pallet_providers);

#[derive_impl(pallet_models::config_preludes::TestDefaultConfig)]
impl pallet_models::Config for Test {
	type Currency = Balances;
}

/// The minimum bond in tests.
pub const MIN_BOND: Balance = 1_000;
/// Blocks from `unbond` to `withdraw_unbonded`.
pub const UNBONDING_DELAY: u64 = 10;
/// Blocks a heartbeat keeps a provider live.
pub const HEARTBEAT_TIMEOUT: u64 = 5;
/// Size of each model's eligibility index in tests.
pub const MAX_PER_MODEL: u32 = 4;
/// Offers per provider in tests.
pub const MAX_OFFERS: u32 = 3;
/// Every endowed account's starting balance.
pub const ENDOWMENT: Balance = 100_000;
/// The model publisher.
pub const PUBLISHER: AccountId = 100;
/// An account with too little for a bond.
pub const POOR: AccountId = 99;

// Provider keys, signing and the pool's transactions of the off-chain worker tests.
synod_primitives::impl_test_signing!(Test, RuntimeCall);

#[derive_impl(pallet_providers::config_preludes::TestDefaultConfig)]
impl pallet_providers::Config for Test {
	type Currency = Balances;
	type Models = Models;
	type MinBond = ConstU128<MIN_BOND>;
	type UnbondingDelay = ConstU64<UNBONDING_DELAY>;
	type HeartbeatTimeout = ConstU64<HEARTBEAT_TIMEOUT>;
	type MaxProvidersPerModel = ConstU32<MAX_PER_MODEL>;
	type MaxOffersPerProvider = ConstU32<MAX_OFFERS>;
	type AuthorityId = TestAuthId;
}

/// A valid manifest with file hash `[tag; 32]`.
pub fn manifest(tag: u8) -> ModelManifest {
	ModelManifest { file_hash: [tag; 32], ..ModelManifest::sample() }
}

/// The id of model `tag`, [`manifest`]`(tag)` of `PUBLISHER` (registered at genesis for tags 1
/// to 5).
pub fn model(tag: u8) -> ModelId {
	synod_primitives::model::model_id(&PUBLISHER, &manifest(tag))
}

/// A CUDA determinism class.
pub fn class() -> DeterminismClass {
	DeterminismClass {
		device: DeviceKind::Cuda,
		arch: b"sm_90".to_vec().try_into().unwrap(),
		libtorch: b"2.11.0+cu130".to_vec().try_into().unwrap(),
		deterministic: true,
	}
}

/// Genesis: accounts 1 to 20 endowed, `POOR` with 10, models 1 to 5 registered.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=20).chain([PUBLISHER]).map(|a| (a, ENDOWMENT)).chain([(POOR, 10)]).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		System::set_block_number(1);
		for tag in 1..=5 {
			Models::register_model(RuntimeOrigin::signed(PUBLISHER), Box::new(manifest(tag)))
				.unwrap();
		}
	});
	ext
}

/// Runs a test body, then checks both pallets' invariants.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Providers::do_try_state().expect("providers try_state after the test");
		Models::do_try_state().expect("models try_state after the test");
	});
}
