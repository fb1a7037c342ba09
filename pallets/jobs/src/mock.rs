//! Test runtime: System, Balances, and the real models, providers and jobs pallets.

#[cfg(test)]
use crate as pallet_jobs;
use codec::Encode;
use frame_support::{derive_impl, traits::Hooks, weights::Weight};
use sp_runtime::BuildStorage;
use synod_primitives::{
	digest::{DType, Hash32},
	model::{model_id, ModelId, ModelManifest, TensorSpec},
	provider::{DeterminismClass, DeviceKind},
};

use pallet_jobs::{
	commitment_of, seal_of,
	types::{JobStatus, Reveal, Salt, SmallOutput},
};

synod_primitives::test_runtime!(
	2 => Models = pallet_models,
	3 => Providers = pallet_providers,
	4 => Jobs = pallet_jobs,
);

#[derive_impl(pallet_models::config_preludes::TestDefaultConfig)]
impl pallet_models::Config for Test {
	type Currency = Balances;
}

// Provider keys, signing and the pool's transactions of the off-chain worker tests.
synod_primitives::impl_test_signing!(Test, RuntimeCall);

#[derive_impl(pallet_providers::config_preludes::TestDefaultConfig)]
impl pallet_providers::Config for Test {
	type Currency = Balances;
	type Models = Models;
	type AuthorityId = TestAuthId;
}

/// Blocks to commit.
pub const COMMIT_WINDOW: u64 = 3;
/// Blocks to reveal.
pub const REVEAL_WINDOW: u64 = 3;
/// Receipts live this long.
pub const RETENTION: u64 = 10;
/// Collateral = 6 × price (above the largest redundancy, 5).
pub const FACTOR: u32 = 6;
/// The providers, all offering model 1 at [`PRICE`].
pub const PROVIDERS: [AccountId; 5] = [1, 2, 3, 4, 5];
/// Their bond.
pub const BOND: Balance = 10_000;
/// Their price.
pub const PRICE: Balance = 10;
/// The dapp that pays.
pub const PAYER: AccountId = 50;
/// The model publisher.
pub const PUBLISHER: AccountId = 100;
/// An account with almost nothing.
pub const POOR: AccountId = 99;
/// Every endowed account's starting balance.
pub const ENDOWMENT: Balance = 100_000;

frame_support::parameter_types! {
	/// The collateral factor: the prelude's, in storage so that a test can break the rule
	/// `integrity_test` checks.
	pub storage CollateralFactor: u32 = FACTOR;
	/// No queue fee and no storage deposit unless a test sets them, so that balances in the
	/// other tests are the escrow's alone.
	pub storage JobFee: Balance = 0;
	pub storage JobDeposit: Balance = 0;
	pub storage JobDepositPerByte: Balance = 0;
}

#[derive_impl(pallet_jobs::config_preludes::TestDefaultConfig)]
impl pallet_jobs::Config for Test {
	type Currency = Balances;
	type CollateralFactor = CollateralFactor;
	type JobFee = JobFee;
	type JobDeposit = JobDeposit;
	type JobDepositPerByte = JobDepositPerByte;
	type Models = Models;
	type Providers = Providers;
	type CanaryOrigin = frame_system::EnsureRoot<AccountId>;
	type AuthorityId = TestAuthId;
	type Randomness = TestVrf;
}

frame_support::parameter_types! {
	/// Mixed into [`TestVrf`]: a test changes it to play another author's VRF output.
	pub storage VrfSalt: u64 = 0;
}

/// The block's VRF output in tests: a hash of the block number and [`VrfSalt`]. Like BABE's,
/// nothing in the block's contents or its parent (which an author can grind) changes it.
pub struct TestVrf;

impl frame_support::traits::Randomness<Option<sp_core::H256>, u64> for TestVrf {
	fn random(subject: &[u8]) -> (Option<sp_core::H256>, u64) {
		let n = System::block_number();
		let vrf = sp_io::hashing::blake2_256(&(subject, n, VrfSalt::get()).encode());
		(Some(sp_core::H256(vrf)), n)
	}
}

// The tests' constants are the prelude's.
const _: () = assert!(COMMIT_WINDOW == 3 && REVEAL_WINDOW == 3 && RETENTION == 10 && FACTOR == 6);

/// A manifest with file hash `[tag; 32]` accepting up to `max_input` bytes.
pub fn manifest(tag: u8, max_input: u32) -> ModelManifest {
	ModelManifest {
		file_hash: [tag; 32],
		// Bytes, any number of them: the refusal of inputs that are not whole items is tested
		// with a model of its own.
		input: TensorSpec { dtype: DType::U8, shape: vec![None].try_into().unwrap() },
		max_input_bytes: max_input,
		..ModelManifest::sample()
	}
}

/// The id of [`manifest`]`(tag, …)` of `PUBLISHER`: model 1 (1,024 bytes), offered by every
/// provider; model 2 (8 bytes at most), offered by nobody; others at 1,024 bytes, as tests
/// register them (a test that registers another manifest takes `model_id` of it).
pub fn model(tag: u8) -> ModelId {
	model_id(&PUBLISHER, &manifest(tag, if tag == 2 { 8 } else { 1024 }))
}

/// Each provider's determinism class (all the same).
pub fn class() -> DeterminismClass {
	DeterminismClass {
		device: DeviceKind::Cpu,
		arch: b"x86_64".to_vec().try_into().unwrap(),
		libtorch: b"2.11.0".to_vec().try_into().unwrap(),
		deterministic: true,
	}
}

/// A salt per provider.
pub fn salt(who: AccountId) -> Salt {
	[who as u8; 32]
}

/// An output digest.
pub fn digest(tag: u8) -> Hash32 {
	[tag; 32]
}

/// The round `who` answers in `job` (0 unless drawn for its escalation).
pub fn round_of(who: AccountId, job: u64) -> u8 {
	pallet_jobs::Open::<Test>::get(job)
		.and_then(|j| j.assignments.iter().find(|a| a.provider == who).map(|a| a.round))
		.unwrap_or(0)
}

/// The commitment `who` sends for answer `d` to `job`: to its seal for `who`'s round.
pub fn commitment_for(who: AccountId, job: u64, d: &Hash32) -> Hash32 {
	commitment_of(&seal_of(job, round_of(who, job), d), &salt(who), &who)
}

/// The commitment `who` sends for `digest(tag)` to `job`.
pub fn commitment(who: AccountId, job: u64, tag: u8) -> Hash32 {
	commitment_for(who, job, &digest(tag))
}

/// Answers `job` for `who` with `reveal`, as its node would: a first-round provider seals
/// while the first round's reveals are open, and opens its digest once the job waits for an
/// opening (at once, here) or the escalation's reveals are open; an escalated round's
/// provider reveals. Returns the result of the call that answered.
pub fn answer(
	who: AccountId,
	job: u64,
	reveal: Reveal,
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	let origin = || RuntimeOrigin::signed(who);
	let open = |reveal: Reveal| match reveal {
		Reveal::Output { digest, output } => Jobs::reveal(origin(), job, digest, salt(who), output),
		Reveal::Members { members, .. } => Jobs::reveal_members(origin(), job, members, salt(who)),
	};
	let Some(record) = pallet_jobs::Open::<Test>::get(job) else {
		return open(reveal);
	};
	let slot = record.assignments.iter().find(|a| a.provider == who);
	if slot.is_some_and(|a| a.reveal.is_some()) {
		// Opened already (when its seal started the opening window).
		return Ok(().into());
	}
	let sealed = slot.and_then(|a| a.sealed);
	if round_of(who, job) == 0
		&& record.round == 0
		&& record.status == JobStatus::Revealing
		&& sealed.is_none()
	{
		let seal = seal_of(job, 0, &reveal.digest());
		let result = Jobs::seal(origin(), job, seal, salt(who))?;
		let after = pallet_jobs::Open::<Test>::get(job);
		if after.as_ref().is_some_and(|j| j.status == JobStatus::Opening) {
			return open(reveal).or(Ok(result));
		}
		let split = after.is_some_and(|j| {
			j.status == JobStatus::Revealing
				&& j.round == 0
				&& j.assignments
					.iter()
					.filter(|a| a.in_round(0))
					.all(|a| a.commitment.is_none() || a.sealed.is_some())
		});
		if split && NEXT_BLOCK_AFTER_SPLIT.with(|c| c.get()) {
			// The last seal of a split round: its escalation is drawn at the start of the next
			// block, never in a transaction. The chain moves on to it.
			run_to(System::block_number() + 1);
		}
		return Ok(result);
	}
	open(reveal)
}

thread_local! {
	static NEXT_BLOCK_AFTER_SPLIT: core::cell::Cell<bool> = const { core::cell::Cell::new(true) };
}

/// For simulations that run the blocks themselves, answering every job of a block before the
/// next: [`answer`] then leaves a split round's escalation to their next block instead of
/// moving the chain on after its last seal (the unit tests' default). Used by the examples,
/// which include this file, not by the unit tests.
#[allow(dead_code)]
pub fn run_blocks_myself() {
	NEXT_BLOCK_AFTER_SPLIT.with(|c| c.set(false));
}

/// Answers `job` for `who` with the digest and small output given (see [`answer`]).
pub fn answer_output(
	who: AccountId,
	job: u64,
	d: Hash32,
	output: Option<SmallOutput>,
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	answer(who, job, Reveal::Output { digest: d, output })
}

/// Genesis: the providers bonded with offers for model 1; models 1 and 2; payer endowed.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: PROVIDERS
			.iter()
			.copied()
			.chain([PAYER, PUBLISHER])
			.map(|a| (a, ENDOWMENT))
			.chain([(POOR, 15)])
			.collect(),
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		System::set_block_number(1);
		Models::register_model(RuntimeOrigin::signed(PUBLISHER), Box::new(manifest(1, 1024)))
			.unwrap();
		Models::register_model(RuntimeOrigin::signed(PUBLISHER), Box::new(manifest(2, 8))).unwrap();
		for who in PROVIDERS {
			Providers::register(RuntimeOrigin::signed(who), BOND, class(), 4, vec![]).unwrap();
			Providers::set_offer(RuntimeOrigin::signed(who), model(1), PRICE).unwrap();
		}
		System::reset_events();
	});
	BURNS.with(|b| *b.borrow_mut() = Burns::default());
	ext
}

/// Slashed collateral burned so far, from `ProviderSlashed` events (see `burned`).
#[derive(Default)]
struct Burns {
	seen: usize,
	total: Balance,
}

std::thread_local! {
	static BURNS: core::cell::RefCell<Burns> = core::cell::RefCell::new(Burns::default());
}

/// All collateral that slashes burned since `new_test_ext`, as their `ProviderSlashed` events
/// report it. Events pile up across blocks in these tests; `run_to` reads them before each
/// block, so none is missed should a test reset them.
pub fn burned() -> Balance {
	BURNS.with(|b| {
		let mut b = b.borrow_mut();
		let events = System::events();
		if events.len() < b.seen {
			b.seen = 0;
		}
		for e in events.iter().skip(b.seen) {
			if let RuntimeEvent::Jobs(pallet_jobs::Event::ProviderSlashed { burned, .. }) = &e.event
			{
				b.total += burned;
			}
		}
		b.seen = events.len();
		b.total
	})
}

/// Runs to block `n`, with `on_idle` given plenty of weight.
pub fn run_to(n: u64) {
	while System::block_number() < n {
		let b = System::block_number();
		Jobs::on_idle(b, Weight::MAX);
		burned();
		System::run_to_block::<AllPalletsWithSystem>(b + 1);
	}
}

/// The cross-pallet invariant: each provider's locked collateral is the sum over its open
/// assignments.
pub fn collateral_matches() {
	for who in PROVIDERS {
		let locked = pallet_providers::Records::<Test>::get(who).map_or(0, |r| r.locked);
		let open: Balance = pallet_jobs::Open::<Test>::iter()
			.flat_map(|(_, j)| j.assignments.into_iter())
			.filter(|a| a.provider == who)
			.map(|a| a.collateral)
			.sum();
		assert_eq!(locked, open, "collateral of {who}");
	}
}

/// Runs a test body, then checks every pallet's invariants.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Jobs::do_try_state().expect("jobs try_state");
		Providers::do_try_state().expect("providers try_state");
		Models::do_try_state().expect("models try_state");
		collateral_matches();
	});
}
