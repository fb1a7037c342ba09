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
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod draw;
pub mod funds;
mod invariants;
pub mod lifecycle;
#[cfg(test)]
mod mock;
pub mod offchain;
pub mod tally;
#[cfg(test)]
mod tests;
pub mod types;
pub use types::{commitment_of, seal_of};
pub mod weights;

/// The log target of this pallet (and of its off-chain worker).
pub const LOG_TARGET: &str = "runtime::jobs";

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
		weights::WeightMeter,
	};
	use frame_system::pallet_prelude::*;
	use synod_primitives::{
		digest::Hash32,
		model::ModelId,
		traits::{ModelRegistry, ProviderRegistry},
	};
	pub use types::{
		BalanceOf, Commitment, DeliveredOutput, Delivery, FailureReason, Job, JobId, JobInput,
		JobReceipt, JobRequest, JobStatus, MemberDigests, MemberInput, QueuePlace, Reveal,
		RevealItem, Salt, SmallOutput, WaitLine, Waiter,
	};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	/// An open job as stored.
	pub type JobOf<T> =
		Job<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

	/// One job of `submit_batch`.
	pub type JobRequestOf<T> = JobRequest<BalanceOf<T>, BlockNumberFor<T>>;

	/// A receipt as stored.
	pub type ReceiptOf<T> =
		JobReceipt<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

	/// The jobs pallet.
	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Default configurations of this pallet, for tests (`#[derive_impl]`).
	pub mod config_preludes {
		use super::*;
		use frame_support::{derive_impl, parameter_types, traits::ConstU64};
		use sp_runtime::Perbill;

		parameter_types! {
			/// A sixteenth: the audit rate of a provider with a long clean record.
			pub const TestAuditFloor: Perbill = Perbill::from_parts(62_500_000);
		}

		/// A test configuration: redundancy 1 to 5, 1 KiB inline inputs, collateral six times
		/// the price (above the largest redundancy), windows of 3 blocks, jobs open at most 100 blocks, 8 queued, 4 assigned and 8
		/// timeouts a block, 16 waiting a model on at most 4 models, 2 of whose lines are
		/// looked at a block, 8 jobs a provider, batches and cohorts of 4, receipts kept 10
		/// blocks, two auditors, an audit rate halving every 4 clean audits down to a
		/// sixteenth, unit weights. `Currency`, `Models`,
		/// `Providers` and `AuthorityId` are the runtime's to say.
		pub struct TestDefaultConfig;

		#[derive_impl(frame_system::config_preludes::TestDefaultConfig, no_aggregated_types)]
		impl frame_system::DefaultConfig for TestDefaultConfig {}

		#[frame_support::register_default_impl(TestDefaultConfig)]
		impl DefaultConfig for TestDefaultConfig {
			#[inject_runtime_type]
			type RuntimeHoldReason = ();
			type MinRedundancy = ConstU32<1>;
			type MaxRedundancy = ConstU32<5>;
			type MaxInlineInput = ConstU32<1024>;
			type CollateralFactor = ConstU32<6>;
			type CommitWindow = ConstU64<3>;
			type RevealWindow = ConstU64<3>;
			type MaxJobDuration = ConstU64<100>;
			type MaxQueued = ConstU32<8>;
			type MaxAssignmentsPerBlock = ConstU32<4>;
			type MaxWaiting = ConstU32<16>;
			type MaxWaitingModels = ConstU32<4>;
			type MaxWaitVisits = ConstU32<2>;
			type MaxTimeoutsPerBlock = ConstU32<8>;
			type MaxJobsPerProvider = ConstU32<8>;
			type MaxBatch = ConstU32<4>;
			type MaxCohort = ConstU32<4>;
			type ResultRetention = ConstU64<10>;
			type DeliveryWindow = ConstU64<5>;
			type Auditors = ConstU32<2>;
			type AuditFloor = TestAuditFloor;
			type AuditHalving = ConstU32<4>;
			type WeightInfo = ();
		}
	}

	/// Configuration of the jobs pallet.
	#[pallet::config(with_default)]
	pub trait Config:
		frame_system::Config + frame_system::offchain::CreateSignedTransaction<Call<Self>>
	{
		/// Holds escrows and pays providers.
		#[pallet::no_default]
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons, which include this pallet's.
		#[pallet::no_default_bounds]
		type RuntimeHoldReason: From<HoldReason>;

		/// The model registry.
		#[pallet::no_default]
		type Models: ModelRegistry;

		/// The provider registry.
		#[pallet::no_default]
		type Providers: ProviderRegistry<Self::AccountId, Balance = BalanceOf<Self>>;

		/// The fewest providers a job may ask for (at least 1).
		#[pallet::constant]
		type MinRedundancy: Get<u32>;

		/// The most providers a job may ask for (at most half of `types::MAX_ASSIGNMENTS`, so that
		/// an escalation can draw as many again).
		#[pallet::constant]
		type MaxRedundancy: Get<u32>;

		/// The largest inline input, in bytes (at most `types::MAX_INLINE_INPUT`).
		#[pallet::constant]
		type MaxInlineInput: Get<u32>;

		/// Collateral locked per assignment, as a multiple of the job's `max_price` (per member
		/// of a cohort), whatever the provider's own price.
		#[pallet::constant]
		type CollateralFactor: Get<u32>;

		/// Blocks providers have to commit, from assignment.
		#[pallet::constant]
		#[pallet::no_default_bounds]
		type CommitWindow: Get<BlockNumberFor<Self>>;

		/// Blocks providers have to reveal, from the end of commits.
		#[pallet::constant]
		#[pallet::no_default_bounds]
		type RevealWindow: Get<BlockNumberFor<Self>>;

		/// The longest a job may stay open.
		#[pallet::constant]
		#[pallet::no_default_bounds]
		type MaxJobDuration: Get<BlockNumberFor<Self>>;

		/// The most jobs waiting for assignment (counted from the oldest unassigned one, so
		/// cancelled jobs count until the assignment passes them).
		#[pallet::constant]
		type MaxQueued: Get<u32>;

		/// The most jobs assigned in one block.
		#[pallet::constant]
		type MaxAssignmentsPerBlock: Get<u32>;

		/// The most jobs one model's waiting line holds (jobs whose providers were all busy,
		/// `Waiting`): a job that finds it full fails with a full refund, and a submission
		/// for the model is refused (`QueueFull`).
		#[pallet::constant]
		type MaxWaiting: Get<u32>;

		/// The most models with jobs waiting at once.
		#[pallet::constant]
		type MaxWaitingModels: Get<u32>;

		/// The waiting lines looked at in one block (each costs a read of its model's
		/// providers): the lines take turns, so every model's line is looked at within
		/// `MaxWaitingModels / MaxWaitVisits` blocks.
		#[pallet::constant]
		type MaxWaitVisits: Get<u32>;

		/// The most window ends due in one block.
		#[pallet::constant]
		type MaxTimeoutsPerBlock: Get<u32>;

		/// The most open assignments one provider can hold: at least the providers registry's
		/// concurrency limit (`ProviderRegistry::max_concurrency`).
		#[pallet::constant]
		type MaxJobsPerProvider: Get<u32>;

		/// The most jobs in one batched commit or reveal.
		#[pallet::constant]
		type MaxBatch: Get<u32>;

		/// The most members of a cohort (`JobInput::Cohort`; at most `types::MAX_COHORT`).
		/// Its inline members together are at most `MaxInlineInput` bytes.
		#[pallet::constant]
		type MaxCohort: Get<u32>;

		/// Blocks after settlement in which an output the receipt does not hold (a large one, a
		/// cohort's members) must be delivered on chain (`deliver_output`) for the agreeing
		/// providers to be paid for it; at most `ResultRetention`.
		#[pallet::constant]
		#[pallet::no_default_bounds]
		type DeliveryWindow: Get<BlockNumberFor<Self>>;

		/// Blocks a receipt stays readable.
		#[pallet::constant]
		#[pallet::no_default_bounds]
		type ResultRetention: Get<BlockNumberFor<Self>>;

		/// The fee a job burns when it is submitted into an empty queue; it doubles with every
		/// eighth of `MaxQueued` already waiting (`Pallet::queue_fee`), so that holding the
		/// queue full costs 128 to 256 times it per job the assignment takes out.
		#[pallet::constant]
		#[pallet::no_default]
		type JobFee: Get<BalanceOf<Self>>;

		/// The storage deposit of a job, held from the payer until its record and its receipt
		/// are gone: this much, plus `JobDepositPerByte` per byte of its input.
		#[pallet::constant]
		#[pallet::no_default]
		type JobDeposit: Get<BalanceOf<Self>>;

		/// The storage deposit per byte of a job's input.
		#[pallet::constant]
		#[pallet::no_default]
		type JobDepositPerByte: Get<BalanceOf<Self>>;

		/// How many auditors an audited job draws when the randomness chooses to audit it (at
		/// least 1; its escalation draws one more than this). Each computes the job without
		/// seeing the primary's answer, so a wrong answer is accepted only when all of them
		/// are the primary's accomplices.
		#[pallet::constant]
		type Auditors: Get<u32>;

		/// The lowest audit rate, that of a provider with a long clean record. Audited jobs
		/// lock `max_price / AuditFloor` of collateral (per member) at least, so that the
		/// chance of an audit times the collateral is at least the price, which is at least
		/// what skipping the work saves: cheating loses at every reputation
		/// (docs/protocol.md, "Audited jobs").
		#[pallet::constant]
		type AuditFloor: Get<sp_runtime::Perbill>;

		/// Clean verified answers that halve a provider's audit rate: a newcomer (or a
		/// provider just slashed) is audited always, then half as often after this many
		/// agreements, and so on down to `AuditFloor`.
		#[pallet::constant]
		type AuditHalving: Get<u32>;

		/// Who may register canaries (jobs whose answer it knows: `register_canaries`);
		/// governance in a production runtime.
		#[pallet::no_default]
		type CanaryOrigin: frame_support::traits::EnsureOrigin<Self::RuntimeOrigin>;

		/// The key the off-chain worker signs commits and reveals with
		/// (`synod_primitives::crypto`).
		#[pallet::no_default]
		type AuthorityId: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>;

		/// Randomness of the block being executed that its author cannot grind: the runtime's
		/// is the block's BABE VRF output (attack 5). Every draw (assignments, replacements,
		/// escalations, audit decisions) is made in `on_initialize`, never in a transaction,
		/// and mixes it in; `None` (a block without a VRF output) falls back to the parent
		/// hash, which its author can grind, and is logged.
		#[pallet::no_default]
		type Randomness: frame_support::traits::Randomness<Option<Self::Hash>, BlockNumberFor<Self>>;

		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// Reasons this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A job's escrow: `2 × redundancy × max_price` (the second half is the escalation
		/// reserve), held from the payer until the job ends.
		#[codec(index = 0)]
		JobEscrow,
		/// A job's storage deposit, held from the payer until the job's record and receipt
		/// are removed.
		#[codec(index = 1)]
		JobDeposit,
	}

	/// The next job id.
	#[pallet::storage]
	pub type NextJobId<T: Config> = StorageValue<_, JobId, ValueQuery>;

	/// Open jobs: from submission until they settle, fail or are cancelled.
	#[pallet::storage]
	#[pallet::storage_prefix = "Jobs"]
	pub type Open<T: Config> = StorageMap<_, Twox64Concat, JobId, JobOf<T>>;

	/// The oldest job that may still wait for assignment: jobs from here to `NextJobId` are
	/// queued (those cancelled meanwhile are gone from `Jobs` and are stepped over).
	#[pallet::storage]
	pub type AssignCursor<T: Config> = StorageValue<_, JobId, ValueQuery>;

	/// Each model's waiting line: the places of its oldest and next entries in `Waiting`.
	#[pallet::storage]
	pub type WaitLines<T: Config> = StorageMap<_, Blake2_128Concat, ModelId, WaitLine, ValueQuery>;

	/// The jobs waiting for a model's providers, by place in its line (FIFO); what the
	/// assignment needs to know of each, so that a waiting job costs its entry, not its record.
	#[pallet::storage]
	pub type Waiting<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		ModelId,
		Twox64Concat,
		u32,
		Waiter<BalanceOf<T>, BlockNumberFor<T>>,
	>;

	/// The models with jobs waiting, in the order their lines are looked at (those looked at
	/// in a block go to the back).
	#[pallet::storage]
	pub type WaitingModels<T: Config> =
		StorageValue<_, BoundedVec<ModelId, T::MaxWaitingModels>, ValueQuery>;

	/// The jobs whose current window ends at a block.
	#[pallet::storage]
	pub type Timeouts<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<JobId, T::MaxTimeoutsPerBlock>,
		ValueQuery,
	>;

	/// Each provider's open assignments (what its off-chain worker works on).
	///
	/// One entry per provider, so that assigning many jobs in a block writes each drawn
	/// provider's list once.
	#[pallet::storage]
	pub type ProviderJobs<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<JobId, T::MaxJobsPerProvider>,
		ValueQuery,
	>;

	/// Receipts of settled jobs, pruned after `ResultRetention` blocks.
	#[pallet::storage]
	pub type Receipts<T: Config> = StorageMap<_, Twox64Concat, JobId, ReceiptOf<T>>;

	/// Settled jobs with outputs still due, and the payments that wait for them.
	#[pallet::storage]
	pub type Deliveries<T: Config> =
		StorageMap<_, Twox64Concat, JobId, Delivery<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>>;

	/// Outputs delivered after settlement, by job and member (0 for a single job), kept with
	/// the receipt.
	#[pallet::storage]
	pub type Outputs<T: Config> =
		StorageDoubleMap<_, Twox64Concat, JobId, Twox64Concat, u32, DeliveredOutput>;

	/// The first job id whose receipt may still need pruning.
	#[pallet::storage]
	pub type PruneCursor<T: Config> = StorageValue<_, JobId, ValueQuery>;

	/// Each provider's clean record: answers verified by someone else (an audit, a redundant
	/// vote, a canary) that agreed with the decision, since its last dissent or silence. Its
	/// audit rate halves every `AuditHalving` of them, down to `AuditFloor`
	/// (`Pallet::audit_rate`); any slash removes it.
	#[pallet::storage]
	pub type AuditRecord<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Canaries registered by `CanaryOrigin` and not opened yet (`types::canary_hash`).
	#[pallet::storage]
	pub type Canaries<T: Config> = StorageMap<_, Identity, Hash32, (), OptionQuery>;

	/// The randomness accumulator: every revealed salt is mixed in.
	#[pallet::storage]
	pub type Seed<T: Config> = StorageValue<_, Hash32, ValueQuery>;

	/// This block's randomness for draws (`Config::Randomness`), set at the start of
	/// `on_initialize` and removed in `on_finalize`: never in the state between blocks.
	#[pallet::storage]
	pub type BlockEntropy<T: Config> = StorageValue<_, Hash32, ValueQuery>;

	/// Events of the jobs pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A job was submitted and its escrow held.
		JobSubmitted {
			job: JobId,
			payer: T::AccountId,
			model: ModelId,
			redundancy: u32,
			max_price: BalanceOf<T>,
			escrow: BalanceOf<T>,
			deadline: BlockNumberFor<T>,
		},
		/// No providers of the job's model were free: it waits in the model's line behind
		/// `ahead` others, and is assigned as providers are free; it fails with a full refund
		/// if it is not assigned by `last_start`.
		JobWaiting { job: JobId, ahead: u32, last_start: BlockNumberFor<T> },
		/// The payer cancelled a queued job; all its escrow came back.
		JobCancelled { job: JobId, refunded: BalanceOf<T> },
		/// Providers were drawn for a job; they commit until `commit_end`.
		JobAssigned { job: JobId, providers: Vec<T::AccountId>, commit_end: BlockNumberFor<T> },
		/// A provider committed to an output.
		Committed { job: JobId, provider: T::AccountId },
		/// The providers of a round did not agree unanimously: `providers` more were drawn (round
		/// 1); they commit until `commit_end`, then the larger set decides.
		JobEscalated { job: JobId, providers: Vec<T::AccountId>, commit_end: BlockNumberFor<T> },
		/// Providers that missed their commit window were slashed and replaced by `providers`,
		/// who commit until `commit_end`.
		ProvidersReplaced {
			job: JobId,
			replaced: Vec<T::AccountId>,
			providers: Vec<T::AccountId>,
			commit_end: BlockNumberFor<T>,
		},
		/// Commits closed; providers reveal until `reveal_end` (seals in the first round).
		RevealStarted { job: JobId, reveal_end: BlockNumberFor<T> },
		/// A first-round provider revealed its seal (its answer stays hidden).
		Sealed { job: JobId, provider: T::AccountId },
		/// The first round's seals decided; one of the providers that agree opens the digest
		/// behind the winning seal by `open_end`.
		OpeningStarted { job: JobId, open_end: BlockNumberFor<T> },
		/// A provider revealed its output digest (an escalated round's answer, or a first-round
		/// opening).
		Revealed { job: JobId, provider: T::AccountId, digest: Hash32 },
		/// A provider lost `amount` of collateral for a job (dissent, silence, lateness), when
		/// the job ended: `compensated` went to the payer (together with the job's other slashes
		/// at most what it paid beyond its first draw, and at most `redundancy × max_price`
		/// each), `burned` was burned.
		ProviderSlashed {
			job: JobId,
			provider: T::AccountId,
			amount: BalanceOf<T>,
			compensated: BalanceOf<T>,
			burned: BalanceOf<T>,
		},
		/// The receipt: the agreed output, who agreed (paid) and who did not (slashed). For a
		/// cohort, `input_hash` and `output_digest` are the roots of its members' input hashes
		/// and output digests, and `members` lists the output digests in input order (empty for
		/// a single job).
		JobSettled {
			job: JobId,
			model: ModelId,
			input_hash: Hash32,
			output_digest: Hash32,
			agreeing: Vec<T::AccountId>,
			dissenting: Vec<T::AccountId>,
			paid: BalanceOf<T>,
			refunded: BalanceOf<T>,
			members: Vec<Hash32>,
		},
		/// One item of a `commit_batch` or `reveal_batch` failed and changed nothing (its window
		/// closed, its job ended, it was sent before, …); the batch's other items stand.
		BatchItemFailed { job: JobId, error: DispatchError },
		/// A job ended without a result; the payer got all its escrow back.
		JobFailed { job: JobId, reason: FailureReason, refunded: BalanceOf<T> },
		/// An audited job's primary committed and the randomness chose to audit it: `auditors`
		/// were drawn, and commit until `commit_end`; then all of them reveal and vote.
		AuditStarted { job: JobId, auditors: Vec<T::AccountId>, commit_end: BlockNumberFor<T> },
		/// An audited job's primary committed and the randomness chose not to audit it: its
		/// answer alone settles the job.
		AuditSkipped { job: JobId },
		/// `count` canaries were registered.
		CanariesRegistered { count: u32 },
		/// The payer opened a canary on its job: the primary's answer is judged against the
		/// digest governance knew (no auditor is drawn).
		CanaryOpened { job: JobId },
		/// A job settled whose receipt does not hold its outputs (a large one, a cohort's
		/// `members`): its agreeing providers are paid as the outputs are delivered on chain,
		/// by `by`.
		OutputsDue { job: JobId, members: u32, by: BlockNumberFor<T> },
		/// Output `member` of a settled job (0 for a single job) was delivered by `by` and
		/// matched the receipt's digest; the agreeing providers were paid for it.
		OutputDelivered { job: JobId, member: u32, by: T::AccountId },
		/// The delivery window of a job ended with `missing` outputs undelivered: `refunded`
		/// went back to the payer, and each agreeing provider's reputation counts a failure.
		DeliveryMissed { job: JobId, missing: u32, refunded: BalanceOf<T> },
	}

	/// Errors of the jobs pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The model is unknown or retired.
		ModelNotActive,
		/// The redundancy is outside `MinRedundancy..=MaxRedundancy`.
		InvalidRedundancy,
		/// The inline input is empty, or larger than the model's `max_input_bytes` or
		/// `MaxInlineInput`.
		InvalidInputSize,
		/// The inline input is not a whole number of the model's input items (dtype size times
		/// the static dimensions): every honest worker would refuse it.
		InvalidInputShape,
		/// The input URI is not a non-empty `http://`, `https://` or `ipfs://` URI.
		InvalidInputUri,
		/// The price is zero.
		ZeroPrice,
		/// The deadline leaves no time to assign, commit and reveal.
		DeadlineTooSoon,
		/// The deadline is further than `MaxJobDuration`.
		DeadlineTooFar,
		/// The payer cannot cover the escrow.
		InsufficientBalance,
		/// The assignment queue, or the model's waiting line, is full; try again in a few
		/// blocks.
		QueueFull,
		/// Not enough of the model's providers are free (at the price, with the collateral) to
		/// draw the job's providers now.
		NotEnoughProviders,
		/// No open job has this id.
		JobNotFound,
		/// Only the payer may cancel.
		NotPayer,
		/// The job is already assigned and can no longer be cancelled.
		AlreadyAssigned,
		/// The caller is not assigned to the job.
		NotAssigned,
		/// The commit window is closed (or the job is not assigned yet).
		CommitWindowClosed,
		/// The provider already committed.
		AlreadyCommitted,
		/// Reveals are not open: commits are still running.
		RevealWindowNotOpen,
		/// The provider did not commit, so it cannot reveal.
		NotCommitted,
		/// The provider already revealed.
		AlreadyRevealed,
		/// The digest and salt do not match the commitment (or an opening's digest its seal).
		RevealMismatch,
		/// A first-round provider reveals its seal first (`seal`): its digest is opened only
		/// once nobody is left to commit.
		SealFirst,
		/// The provider did not seal, so it has nothing to open.
		NotSealed,
		/// Too many window ends fall on the same blocks.
		TooManyTimeouts,
		/// A batch is empty or larger than `MaxBatch`.
		InvalidBatch,
		/// The caller's assignment is not part of the job's current round (it belongs to the
		/// first round of an escalated job, or it was slashed and replaced).
		NotInRound,
		/// The revealed output's shape does not match its number of elements.
		InvalidOutput,
		/// The revealed output's canonical digest is not the revealed digest.
		OutputMismatch,
		/// A drawn provider already holds `MaxJobsPerProvider` assignments (cannot happen
		/// while that bound covers the providers' concurrency limit).
		TooManyProviderJobs,
		/// A cohort has fewer than two members or more than `MaxCohort`.
		InvalidCohort,
		/// The reveal does not fit the job: member digests for a single job, none (or not one
		/// per member) for a cohort.
		InvalidMembers,
		/// No registered canary matches the payer, job, digest and salt.
		UnknownCanary,
		/// A canary is opened on an audited single job, by its payer, between the primary's
		/// commitment and the audit decision; this job is not there.
		CanaryNotOpenable,
		/// A job's output could be larger than `types::MAX_DELIVERED_OUTPUT` elements (its
		/// model's output per item, times the items its input can hold): it could not be
		/// delivered.
		OutputTooLarge,
		/// The job has no output due: unknown, not settled, or all delivered.
		NoDeliveryDue,
		/// The output's member is not one of the job's.
		InvalidMember,
		/// That output was delivered already.
		AlreadyDelivered,
		/// The delivery window is over (`claim_undelivered` settles it).
		DeliveryClosed,
		/// The delivery window is still open.
		DeliveryOpen,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Closes the windows that end at `n`, then assigns queued jobs.
		fn on_initialize(n: BlockNumberFor<T>) -> Weight {
			let entropy = Self::set_block_entropy();
			let timeouts = Self::process_timeouts(n);
			let mut waiting = Self::process_waiting(n);
			let weight = waiting.total_weight();
			let used = waiting.budget_used();
			let (assigned, skipped) =
				Self::process_queue(n, used, waiting.pools, &mut waiting.offers);
			// Each model's live offers read (the index and an offer per provider).
			let offer_reads = u64::try_from(waiting.offers.len())
				.unwrap_or(u64::MAX)
				.saturating_mul(u64::from(T::Providers::max_eligible()).saturating_add(1));
			timeouts
				.saturating_add(entropy)
				.saturating_add(weight)
				.saturating_add(T::DbWeight::get().reads(offer_reads))
				.saturating_add(T::WeightInfo::on_initialize_assign(assigned))
				.saturating_add(T::DbWeight::get().reads(skipped.into()))
		}

		/// Removes this block's entropy (its weight is charged in `on_initialize`).
		fn on_finalize(_n: BlockNumberFor<T>) {
			BlockEntropy::<T>::kill();
		}

		/// Prunes expired receipts with the weight left in the block.
		fn on_idle(n: BlockNumberFor<T>, remaining: Weight) -> Weight {
			let mut meter = WeightMeter::with_limit(remaining);
			Self::prune_receipts(n, &mut meter);
			meter.consumed()
		}

		/// Works the node's local providers' jobs with the local synod-worker (see `offchain`).
		fn offchain_worker(n: BlockNumberFor<T>) {
			Self::offchain_jobs(n);
		}

		fn integrity_test() {
			assert!(T::MinRedundancy::get() >= 1, "MinRedundancy must be at least 1");
			assert!(
				T::MinRedundancy::get() <= T::MaxRedundancy::get(),
				"MinRedundancy above MaxRedundancy"
			);
			assert!(
				T::MaxRedundancy::get().saturating_mul(2) <= types::MAX_ASSIGNMENTS,
				"MaxRedundancy above half of MAX_ASSIGNMENTS: no room to escalate"
			);
			assert!(
				T::MaxInlineInput::get() <= types::MAX_INLINE_INPUT,
				"MaxInlineInput above MAX_INLINE_INPUT"
			);
			assert!(T::MaxCohort::get() <= types::MAX_COHORT, "MaxCohort above MAX_COHORT");
			assert!(T::CollateralFactor::get() >= 1, "collateral must cover the price");
			// A slash compensates the payer with `redundancy` prices and burns the rest of the
			// collateral: with a larger redundancy than the factor nothing would be burned, and a
			// payer running silent providers would get their whole collateral back.
			assert!(
				T::CollateralFactor::get() > T::MaxRedundancy::get(),
				"CollateralFactor must exceed MaxRedundancy, or slashes burn nothing"
			);
			assert!(T::MaxAssignmentsPerBlock::get() >= 1, "nothing would ever be assigned");
			assert!(T::MaxWaitVisits::get() >= 1, "no waiting line would ever be looked at");
			assert!(
				T::DeliveryWindow::get() <= T::ResultRetention::get(),
				"a delivery window longer than the receipt it is kept with"
			);
			assert!(T::MaxCohort::get() <= 64, "a delivery counts at most 64 members");
			assert!(
				T::MaxWaitVisits::get() <= T::MaxWaitingModels::get(),
				"more waiting lines looked at a block than there can be"
			);
			assert!(
				T::MaxJobsPerProvider::get() >= T::Providers::max_concurrency(),
				"MaxJobsPerProvider below the providers' concurrency limit"
			);
			assert!(
				T::MaxTimeoutsPerBlock::get() >= T::MaxAssignmentsPerBlock::get(),
				"timeouts must keep up with assignments"
			);
			assert!(T::Auditors::get() >= 1, "an audit needs an auditor");
			// An audit and its escalation then fit the assignments a redundant job may have.
			assert!(
				T::Auditors::get().saturating_add(1) <= T::MaxRedundancy::get(),
				"an audit's providers (1 + Auditors) above MaxRedundancy"
			);
			assert!(!T::AuditFloor::get().is_zero(), "an audit floor of zero never audits");
			assert!(
				T::AuditHalving::get() >= 1,
				"AuditHalving of zero puts newcomers at the floor"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Submits an inference job: holds `2 × redundancy × max_price` from the caller (half of
		/// it the escalation reserve) and queues the job for assignment in a later block. A
		/// cohort (`JobInput::Cohort`) is that many jobs answered together: it holds as much per
		/// member, and its providers are paid their price per member.
		///
		/// Origin: signed (the payer). Emits [`Event::JobSubmitted`]. Errors:
		/// [`Error::ModelNotActive`], [`Error::InvalidRedundancy`], [`Error::InvalidInputSize`],
		/// [`Error::InvalidInputShape`], [`Error::InvalidInputUri`], [`Error::InvalidCohort`],
		/// [`Error::ZeroPrice`], [`Error::DeadlineTooSoon`], [`Error::DeadlineTooFar`],
		/// [`Error::InsufficientBalance`], [`Error::QueueFull`].
		#[pallet::call_index(0)]
		#[pallet::weight(Pallet::<T>::submit_weight(input))]
		pub fn submit_job(
			origin: OriginFor<T>,
			model: ModelId,
			input: JobInput,
			redundancy: u32,
			max_price: BalanceOf<T>,
			deadline: BlockNumberFor<T>,
		) -> DispatchResult {
			let payer = ensure_signed(origin)?;
			Self::do_submit(payer, model, input, Some(redundancy), max_price, deadline)
		}

		/// Cancels a job that is not assigned yet; all its escrow comes back.
		///
		/// Origin: signed by the payer. Emits [`Event::JobCancelled`]. Errors:
		/// [`Error::JobNotFound`], [`Error::NotPayer`], [`Error::AlreadyAssigned`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::cancel_job())]
		pub fn cancel_job(origin: OriginFor<T>, job: JobId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cancel_job(who, job)
		}

		/// Commits to an output: `commitment = blake2_256(digest ‖ salt ‖ provider)`.
		///
		/// Origin: signed by an assigned provider. Emits [`Event::Committed`] (and
		/// [`Event::RevealStarted`] when it was the last commit). Errors: [`Error::JobNotFound`],
		/// [`Error::NotAssigned`], [`Error::NotInRound`], [`Error::CommitWindowClosed`],
		/// [`Error::AlreadyCommitted`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::commit())]
		pub fn commit(origin: OriginFor<T>, job: JobId, commitment: Commitment) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_commit(&who, job, commitment)
		}

		/// Reveals the committed output digest and salt, and the output itself when it is small
		/// (at most `types::MAX_SMALL_OUTPUT` elements): then it is compared within the model's
		/// tolerance, not only by digest.
		///
		/// Origin: signed by an assigned provider. Emits [`Event::Revealed`], and when it was the
		/// last reveal of the round [`Event::JobSettled`], [`Event::JobEscalated`] or
		/// [`Event::JobFailed`]. Errors: [`Error::JobNotFound`], [`Error::NotAssigned`],
		/// [`Error::NotInRound`], [`Error::RevealWindowNotOpen`], [`Error::NotCommitted`],
		/// [`Error::AlreadyRevealed`], [`Error::RevealMismatch`], [`Error::InvalidOutput`],
		/// [`Error::OutputMismatch`].
		#[pallet::call_index(3)]
		#[pallet::weight(Pallet::<T>::reveal_weight_max())]
		pub fn reveal(
			origin: OriginFor<T>,
			job: JobId,
			digest: Hash32,
			salt: Salt,
			output: Option<SmallOutput>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let used = Self::do_reveal_output(&who, job, digest, salt, output)?;
			Ok(Some(used).into())
		}

		/// Commits to several jobs in one transaction: each item is applied as
		/// [`commit`](Pallet::commit) would be, on its own, so a stale item (its window closed,
		/// its job gone, already committed) changes nothing and is reported in
		/// [`Event::BatchItemFailed`] while the others stand.
		///
		/// Origin: signed by a provider. Errors: [`Error::InvalidBatch`]; when every item fails,
		/// the first item's error (those of [`commit`](Pallet::commit)).
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::commit_batch(u32::try_from(items.len()).unwrap_or(u32::MAX)))]
		pub fn commit_batch(
			origin: OriginFor<T>,
			items: BoundedVec<(JobId, Commitment), T::MaxBatch>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!items.is_empty(), Error::<T>::InvalidBatch);
			Self::do_each(items, |job, c| Self::do_commit(&who, job, c)).map(|_| ())
		}

		/// Submits several jobs in one transaction, each as [`submit_job`](Pallet::submit_job)
		/// would (one [`Event::JobSubmitted`] each, ids in order); the first failure undoes the
		/// whole batch.
		///
		/// Origin: signed (the payer). Errors: [`Error::InvalidBatch`] and those of
		/// [`submit_job`](Pallet::submit_job).
		#[pallet::call_index(6)]
		#[pallet::weight(Pallet::<T>::submit_batch_weight(jobs))]
		pub fn submit_batch(
			origin: OriginFor<T>,
			jobs: BoundedVec<JobRequestOf<T>, T::MaxBatch>,
		) -> DispatchResult {
			let payer = ensure_signed(origin)?;
			ensure!(!jobs.is_empty(), Error::<T>::InvalidBatch);
			jobs.into_iter().try_for_each(|j| {
				Self::do_submit(
					payer.clone(),
					j.model,
					j.input,
					Some(j.redundancy),
					j.max_price,
					j.deadline,
				)
			})
		}

		/// Reveals for several jobs in one transaction: each item is applied as
		/// [`reveal`](Pallet::reveal) would be, on its own, so a stale item changes nothing and
		/// is reported in [`Event::BatchItemFailed`] while the others stand. Items that are not
		/// the last reveal of their round (and failed ones) weigh what
		/// [`reveal_batch`](Pallet::reveal_batch) measures for them together; the others what the
		/// same [`reveal`](Pallet::reveal) would.
		///
		/// Origin: signed by a provider. Errors: [`Error::InvalidBatch`]; when every item fails,
		/// the first item's error (those of [`reveal`](Pallet::reveal)).
		#[pallet::call_index(5)]
		#[pallet::weight(Pallet::<T>::reveal_weight_max().saturating_mul(items.len() as u64))]
		pub fn reveal_batch(
			origin: OriginFor<T>,
			items: BoundedVec<RevealItem, T::MaxBatch>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			ensure!(!items.is_empty(), Error::<T>::InvalidBatch);
			let items = items.into_iter().map(|(job, d, s, o)| (job, (d, s, o)));
			let done = Self::do_each(items, |job, (d, s, o)| {
				Self::do_reveal(&who, job, Reveal::Output { digest: d, output: o }, s)
			})?;
			Ok(Some(Self::batch_weight(done)).into())
		}

		/// Reveals a first-round answer's seal (`types::seal_of(job, 0, digest)`) and the salt;
		/// the commitment was `blake2_256(seal ‖ salt ‖ provider)`. The first round's answers
		/// stay sealed until nobody is left to commit: the seals decide whether the job settles
		/// (a provider that agrees then opens the digest with `reveal`) or escalates (the
		/// escalation's providers commit without any answer to copy).
		///
		/// Origin: signed by an assigned provider. Emits [`Event::Sealed`], and when it was the
		/// last seal of the round [`Event::OpeningStarted`], [`Event::JobEscalated`] or
		/// [`Event::JobFailed`]. Errors: [`Error::JobNotFound`], [`Error::NotAssigned`],
		/// [`Error::NotInRound`], [`Error::RevealWindowNotOpen`], [`Error::NotCommitted`],
		/// [`Error::AlreadyRevealed`], [`Error::RevealMismatch`].
		#[pallet::call_index(8)]
		#[pallet::weight(Pallet::<T>::reveal_weight_max())]
		pub fn seal(
			origin: OriginFor<T>,
			job: JobId,
			seal: Hash32,
			salt: Salt,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let used = Self::do_seal_weighed(&who, job, seal, salt)?;
			Ok(Some(used).into())
		}

		/// Seals several jobs in one transaction, each item as [`seal`](Pallet::seal) would, on
		/// its own (a stale item is reported in [`Event::BatchItemFailed`]). Weighed as
		/// [`reveal_batch`](Pallet::reveal_batch): the same reads and writes.
		///
		/// Origin: signed by a provider. Errors: [`Error::InvalidBatch`]; when every item fails,
		/// the first item's error.
		#[pallet::call_index(9)]
		#[pallet::weight(Pallet::<T>::reveal_weight_max().saturating_mul(items.len() as u64))]
		pub fn seal_batch(
			origin: OriginFor<T>,
			items: BoundedVec<(JobId, Hash32, Salt), T::MaxBatch>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			ensure!(!items.is_empty(), Error::<T>::InvalidBatch);
			let items = items.into_iter().map(|(job, seal, salt)| (job, (seal, salt)));
			let done =
				Self::do_each(items, |job, (seal, salt)| Self::do_seal(&who, job, seal, salt))?;
			Ok(Some(Self::batch_weight(done)).into())
		}

		/// Reveals a cohort's member digests (in input order) and the salt; the commitment was
		/// `blake2_256(members_root(members) ‖ salt ‖ provider)`. Checked and tallied as
		/// [`reveal`](Pallet::reveal) does, with the root as the digest.
		///
		/// Origin: signed by an assigned provider. Errors: [`Error::InvalidMembers`] (not a cohort,
		/// or not one digest per member) and those of [`reveal`](Pallet::reveal).
		#[pallet::call_index(7)]
		#[pallet::weight(Pallet::<T>::reveal_members_weight_max(members.len()))]
		pub fn reveal_members(
			origin: OriginFor<T>,
			job: JobId,
			members: MemberDigests,
			salt: Salt,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let used = Self::do_reveal_members(&who, job, members, salt)?;
			Ok(Some(used).into())
		}

		/// Submits an audited inference job: one provider (the primary) computes it; once its
		/// commitment is on chain, fresh randomness decides whether `Config::Auditors` more
		/// recompute it (a provider is audited at its audit rate, `Pallet::audit_rate`: always
		/// while its record is short, never less often than `AuditFloor`). An unaudited job
		/// settles with the primary's answer; an audited one is voted on and escalated like a
		/// redundant job. Holds the worst case, the audit and its escalation
		/// (`2 × (1 + Auditors) × max_price` per member); what is not spent comes back.
		///
		/// Origin: signed (the payer). Emits [`Event::JobSubmitted`] (redundancy 1). Errors:
		/// those of [`submit_job`](Pallet::submit_job); the deadline must leave room for the
		/// primary's commit window and the audit's windows.
		#[pallet::call_index(10)]
		#[pallet::weight(Pallet::<T>::submit_weight(input))]
		pub fn submit_audited(
			origin: OriginFor<T>,
			model: ModelId,
			input: JobInput,
			max_price: BalanceOf<T>,
			deadline: BlockNumberFor<T>,
		) -> DispatchResult {
			let payer = ensure_signed(origin)?;
			Self::do_submit(payer, model, input, None, max_price, deadline)
		}

		/// Registers canaries: for each, `types::canary_hash(payer, model, input_hash, digest,
		/// salt)` of a job its payer will submit in audited mode and whose correct digest is
		/// known. Nothing on chain tells which job a canary is until its payer opens it.
		///
		/// Origin: `CanaryOrigin`. Emits [`Event::CanariesRegistered`]. Errors:
		/// [`Error::InvalidBatch`] (none).
		#[pallet::call_index(11)]
		#[pallet::weight(T::DbWeight::get().writes(canaries.len() as u64).saturating_add(T::WeightInfo::cancel_job()))]
		pub fn register_canaries(
			origin: OriginFor<T>,
			canaries: BoundedVec<Hash32, T::MaxBatch>,
		) -> DispatchResult {
			T::CanaryOrigin::ensure_origin(origin)?;
			ensure!(!canaries.is_empty(), Error::<T>::InvalidBatch);
			let count = u32::try_from(canaries.len()).unwrap_or(u32::MAX);
			for hash in canaries {
				Canaries::<T>::insert(hash, ());
			}
			Self::deposit_event(Event::CanariesRegistered { count });
			Ok(())
		}

		/// Opens a canary on the caller's audited job: `digest` is the known answer and `salt`
		/// the canary's. Only between the primary's commitment and the audit decision
		/// ([`lifecycle::AUDIT_DELAY`] blocks): the primary can no longer change its answer, and no
		/// auditor is drawn who could copy the known one. The primary is then judged against
		/// it: paid when it agrees, slashed when it does not.
		///
		/// Origin: signed by the payer. Emits [`Event::CanaryOpened`]. Errors:
		/// [`Error::JobNotFound`], [`Error::NotPayer`], [`Error::CanaryNotOpenable`],
		/// [`Error::UnknownCanary`].
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::commit().saturating_add(T::DbWeight::get().reads_writes(1, 1)))]
		pub fn open_canary(
			origin: OriginFor<T>,
			job: JobId,
			digest: Hash32,
			salt: Salt,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_open_canary(&who, job, digest, salt)
		}

		/// Delivers outputs of a settled job that its receipt does not hold: `(member, output)`
		/// items (member 0 for a single job). Each is kept (`Outputs`) when its canonical digest
		/// (over its own input hash, shape and values) is the one the receipt agreed on (a
		/// cohort's: that member's), and every agreeing provider is paid its share of it. Anyone
		/// may deliver, within `DeliveryWindow` of settlement; an agreeing provider pays no fee
		/// for a delivery that lands. Items are applied one by one: a stale or wrong one is
		/// reported (`BatchItemFailed`) and the rest stand.
		///
		/// Origin: signed. Emits [`Event::OutputDelivered`]. Errors: [`Error::NoDeliveryDue`],
		/// [`Error::DeliveryClosed`], [`Error::InvalidMember`], [`Error::AlreadyDelivered`],
		/// [`Error::InvalidOutput`], [`Error::OutputMismatch`], [`Error::InvalidBatch`].
		#[pallet::call_index(13)]
		#[pallet::weight(Pallet::<T>::deliver_weight(outputs))]
		pub fn deliver_output(
			origin: OriginFor<T>,
			job: JobId,
			outputs: BoundedVec<(u32, DeliveredOutput), types::CohortBound>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_deliver(who, job, outputs)
		}

		/// Ends a job's delivery window once it is over: the shares of outputs nobody delivered
		/// go back to the payer, and each agreeing provider's reputation counts a failure.
		/// (The receipt's pruning does the same for a window nobody closed.)
		///
		/// Origin: signed (anyone). Emits [`Event::DeliveryMissed`]. Errors:
		/// [`Error::NoDeliveryDue`], [`Error::DeliveryOpen`].
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::commit().saturating_add(T::DbWeight::get().reads_writes(3, 3 + u64::from(types::MAX_ASSIGNMENTS))))]
		pub fn claim_undelivered(origin: OriginFor<T>, job: JobId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_claim_undelivered(job)
		}
	}

	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// What an audited job would hold now (the audit and its escalation:
		/// `2 × (1 + Auditors) × max_price`), and the cheapest price at which an audit's
		/// providers (`1 + Auditors`) are assignable (`None` if there are not enough).
		pub fn quote_audited(
			model: ModelId,
			max_price: BalanceOf<T>,
		) -> (BalanceOf<T>, Option<BalanceOf<T>>) {
			Self::do_quote(model, T::Auditors::get().saturating_add(1), max_price)
		}

		/// A provider's audit rate now: the chance that its next audited job is audited.
		pub fn audit_rate_of(provider: T::AccountId) -> sp_runtime::Perbill {
			Self::audit_rate(AuditRecord::<T>::get(provider))
		}

		/// What a job would hold now: `2 × redundancy × max_price`, and the cheapest price at which
		/// `redundancy` providers are assignable (`None` if there are not enough).
		pub fn quote(
			model: ModelId,
			redundancy: u32,
			max_price: BalanceOf<T>,
		) -> (BalanceOf<T>, Option<BalanceOf<T>>) {
			Self::do_quote(model, redundancy, max_price)
		}

		/// Where a job waits: jobs ahead of it, and when it is expected to be assigned
		/// (`None` when it is not waiting).
		pub fn queue_position(job: JobId) -> Option<QueuePlace<BlockNumberFor<T>>> {
			Self::do_queue_position(job)
		}

		/// An open job.
		pub fn job(job: JobId) -> Option<JobOf<T>> {
			Open::<T>::get(job)
		}

		/// The receipt of a settled job (within the retention period).
		pub fn receipt(job: JobId) -> Option<ReceiptOf<T>> {
			Receipts::<T>::get(job)
		}

		/// An output delivered after settlement (`member` 0 for a single job).
		pub fn output(job: JobId, member: u32) -> Option<DeliveredOutput> {
			Outputs::<T>::get(job, member)
		}

		/// The outputs a settled job still has due, and the payments waiting for them.
		pub fn delivery(
			job: JobId,
		) -> Option<Delivery<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
			Deliveries::<T>::get(job)
		}

		/// A provider's open assignments.
		pub fn assignments(provider: T::AccountId) -> Vec<JobId> {
			ProviderJobs::<T>::get(provider).into_inner()
		}
	}
}
