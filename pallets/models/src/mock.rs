//! Test runtime: System, Balances and the models pallet.

use crate as pallet_models;
use frame_support::{derive_impl, traits::ConstU128};
use sp_runtime::BuildStorage;
use synod_primitives::model::{ModelId, ModelManifest};

synod_primitives::test_runtime!(2 => Registry = pallet_models);

/// The deposit base in tests.
pub const DEPOSIT_BASE: Balance = 100;
/// The deposit per byte in tests.
pub const DEPOSIT_PER_BYTE: Balance = 1;
/// Every endowed account's starting balance.
pub const ENDOWMENT: Balance = 1_000_000;
/// An account with too little for any deposit.
pub const POOR: AccountId = 99;

#[derive_impl(pallet_models::config_preludes::TestDefaultConfig)]
impl pallet_models::Config for Test {
	type Currency = Balances;
	type DepositBase = ConstU128<DEPOSIT_BASE>;
	type DepositPerByte = ConstU128<DEPOSIT_PER_BYTE>;
}

/// A valid manifest: f32 [batch, 16] -> f32 [batch, 4], file hash `[tag; 32]`.
pub fn manifest(tag: u8) -> ModelManifest {
	ModelManifest { file_hash: [tag; 32], ..ModelManifest::sample() }
}

/// The id of [`manifest`]`(tag)` registered by account 1.
pub fn hash(tag: u8) -> ModelId {
	id(1, tag)
}

/// The id of [`manifest`]`(tag)` registered by `who`.
pub fn id(who: AccountId, tag: u8) -> ModelId {
	synod_primitives::model::model_id(&who, &manifest(tag))
}

/// Genesis: accounts 1 to 5 endowed, `POOR` with 10.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=5).map(|a| (a, ENDOWMENT)).chain([(POOR, 10)]).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs a test body, then checks the pallet's invariants.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Registry::do_try_state().expect("try_state after the test");
	});
}
