//! The inference pallets: the model registry, compute providers and jobs.
//!
//! Every constant says why it has its value; docs/architecture.md and docs/protocol.md carry
//! the reasoning at length.

use frame_support::{
	parameter_types,
	traits::{ConstU128, ConstU32},
};
use frame_system::EnsureRoot;
use sp_runtime::Perbill;

use crate::{
	AccountId, Balance, Balances, BlockNumber, Models, Providers, Runtime, RuntimeHoldReason, DAYS,
	HOURS, MICRO_UNIT, MILLI_UNIT, MINUTES, UNIT,
};

parameter_types! {
	/// Held for any manifest: the fixed cost of a storage item (a map entry and its key).
	pub const ModelDepositBase: Balance = UNIT;
	/// Held per byte of a manifest (about 1.2 SYN for the largest, 1.2 KB).
	pub const ModelDepositPerByte: Balance = MILLI_UNIT;
	/// The stake a provider must keep bonded: large enough that its collateral for a few jobs
	/// at a time is real money, small enough for a single-GPU operator.
	pub const ProviderMinBond: Balance = 100 * UNIT;
	/// A day between `unbond` and `withdraw_unbonded`: longer than any job's deadline, so a
	/// provider cannot walk away from a job that could still slash it.
	pub const ProviderUnbondingDelay: BlockNumber = DAYS;
	/// Two minutes without a heartbeat makes a provider unassignable; the off-chain worker
	/// sends one every few blocks, so this tolerates a few missed ones.
	pub const ProviderHeartbeatTimeout: BlockNumber = 2 * MINUTES;
	/// Each outcome keeps 98% of old reputation evidence: the last ~50 jobs dominate.
	pub const ProviderReputationDecay: Perbill = Perbill::from_percent(98);
}

impl pallet_models::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type DepositBase = ModelDepositBase;
	type DepositPerByte = ModelDepositPerByte;
	/// 16 MiB: inputs larger than a block are passed by hash and URI, and the worker caps
	/// what it downloads at this size.
	type MaxInputBytes = ConstU32<{ 16 * 1024 * 1024 }>;
	type RetireOrigin = EnsureRoot<AccountId>;
	type WeightInfo = pallet_models::weights::SubstrateWeight<Runtime>;
}

impl pallet_providers::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Models = Models;
	type MinBond = ProviderMinBond;
	type UnbondingDelay = ProviderUnbondingDelay;
	type HeartbeatTimeout = ProviderHeartbeatTimeout;
	/// 64 offers per model: more candidates than any redundancy set needs, and a lookup that
	/// stays well inside a block (see docs/performance.md).
	type MaxProvidersPerModel = ConstU32<64>;
	/// 16 models per provider.
	type MaxOffersPerProvider = ConstU32<16>;
	/// 64 jobs at once per provider (a GPU batches them).
	type MaxConcurrency = ConstU32<64>;
	type ReputationDecay = ProviderReputationDecay;
	type AuthorityId = synod_primitives::crypto::ProviderAuthId;
	type WeightInfo = pallet_providers::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// A minute to commit: the worker has the job one block after assignment and a MiniLM or
	/// CNN forward pass takes milliseconds; the rest is slack for a slow model or a busy node.
	pub const JobCommitWindow: BlockNumber = MINUTES;
	/// A minute to reveal: the reveal is precomputed, so this only covers inclusion delays.
	pub const JobRevealWindow: BlockNumber = MINUTES;
	/// An hour at most per job: well inside the providers' one-day unbonding delay.
	pub const JobMaxDuration: BlockNumber = HOURS;
	/// Receipts stay a day: long enough for any dapp to read its result.
	pub const JobResultRetention: BlockNumber = DAYS;
	/// Ten minutes to deliver an output the receipt does not hold: the agreeing providers'
	/// nodes deliver it within a few blocks of settlement, each in turn.
	pub const JobDeliveryWindow: BlockNumber = 10 * MINUTES;
	/// The lowest audit rate (`pallet_jobs::Config::AuditFloor`): a sixteenth.
	pub const JobAuditFloor: Perbill = Perbill::from_parts(62_500_000);
}

impl pallet_jobs::Config for Runtime {
	type Currency = Balances;
	/// The block's BABE VRF output: no author can grind it (attack 5).
	type Randomness = super::consensus::BabeVrfOfThisBlock;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Models = Models;
	type Providers = Providers;
	/// A single provider is allowed (no verification, cheapest); dapps choose.
	type MinRedundancy = ConstU32<1>;
	/// Seven providers at most: a two-thirds vote among seven tolerates two liars.
	type MaxRedundancy = ConstU32<7>;
	/// 16 KiB inline (a MiniLM input is 512 bytes); larger inputs go by hash and URI.
	type MaxInlineInput = ConstU32<{ 16 * 1024 }>;
	/// Collateral is 10× the job's price (`max_price`, whatever the provider quotes): a
	/// provider that is caught with probability p per job loses 10·p·max_price against at
	/// most its price gained by skipping the work, so cheating does not pay once p > 10%
	/// (docs/protocol.md).
	type CollateralFactor = ConstU32<10>;
	type CommitWindow = JobCommitWindow;
	type RevealWindow = JobRevealWindow;
	type MaxJobDuration = JobMaxDuration;
	/// Queued jobs waiting for assignment (64 blocks of full assignment throughput). The
	/// queue is a cursor over job ids: its size costs nothing.
	type MaxQueued = ConstU32<8192>;
	/// Jobs assigned per block (11 a second; a cohort of 64 counts once). Each round enters
	/// three window ends (commit, reveal, opening), so `MaxTimeoutsPerBlock` / 3; together
	/// chosen so that the worst case of both hooks fits in one block: every job drawing
	/// `MaxRedundancy` providers (0.03 s), and every window end the most expensive one, a
	/// commit window whose replacements find the schedule full, so the job is decided at once
	/// (6.83 ms each: 1.41 s of 2 s together; `tools/weights_report.py`, docs/performance.md).
	type MaxAssignmentsPerBlock = ConstU32<66>;
	/// Jobs waiting for a model's providers: 4,096, a whole round of a model's largest
	/// provider set (64 providers of 64 slots). The line is a map, so its length costs
	/// nothing a block; only its head is read.
	type MaxWaiting = ConstU32<4096>;
	/// Models with jobs waiting at once: their list (2 KiB) is read every block.
	type MaxWaitingModels = ConstU32<64>;
	/// Lines looked at a block: each reads its model's providers (65 reads, 1.6 ms), 13 ms
	/// for the eight, within the block's slack beyond the hooks' worst case
	/// (docs/performance.md); every line is looked at within 8 blocks.
	type MaxWaitVisits = ConstU32<8>;
	/// Window ends per block: three times the assignment rate, so the three windows of every
	/// round (commit, reveal, opening) fit.
	type MaxTimeoutsPerBlock = ConstU32<200>;
	/// Open assignments per provider: the providers' concurrency limit.
	type MaxJobsPerProvider = ConstU32<64>;
	/// Items in one batched commit or reveal.
	type MaxBatch = ConstU32<64>;
	/// Members of one cohort: one commitment and one reveal per provider answer 64 jobs.
	type MaxCohort = ConstU32<64>;
	type ResultRetention = JobResultRetention;
	type DeliveryWindow = JobDeliveryWindow;
	/// A thousandth of a SYN into an empty queue (a tenth of a typical 10 mSYN price),
	/// doubling with every eighth of the queue taken: keeping the queue full for an hour
	/// burns 600 blocks × 66 jobs × 128 mSYN = 5,068.8 SYN (`runtime/src/tests.rs`).
	type JobFee = ConstU128<MILLI_UNIT>;
	/// 10 mSYN a job plus 1 µSYN per input byte, held until its receipt is pruned a day later:
	/// a job and its receipt take about 250 bytes of state besides the input.
	type JobDeposit = ConstU128<{ 10 * MILLI_UNIT }>;
	type JobDepositPerByte = ConstU128<MICRO_UNIT>;
	/// Two auditors: a wrong answer passes an audit only when both are the primary's
	/// accomplices, and an audit at the floor costs 2/16 of an inference per job (1.125
	/// inferences a job in all, docs/protocol.md "Audited jobs").
	type Auditors = ConstU32<2>;
	/// A sixteenth: audited jobs then lock 16 prices of collateral, so an audit at the floor
	/// costs a cheater at least the price it hoped to save, and a provider that cheats on 10%
	/// of its jobs is caught within 1,000 of them with probability 1 − (1 − 0.1/16)^1000 ≈ 99.8%.
	type AuditFloor = JobAuditFloor;
	/// The rate halves every 4 clean verified answers: a newcomer is audited on its first 4,
	/// and reaches the floor after 16 (about 60 jobs).
	type AuditHalving = ConstU32<4>;
	/// Canaries are registered by the privileged origin (sudo on this network).
	type CanaryOrigin = EnsureRoot<AccountId>;
	type AuthorityId = synod_primitives::crypto::ProviderAuthId;
	type WeightInfo = pallet_jobs::weights::SubstrateWeight<Runtime>;
}
