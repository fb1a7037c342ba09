//! Types of the jobs pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::fungible::Inspect, BoundedVec};
use scale_info::TypeInfo;
use sp_runtime::traits::ConstU32;
use synod_primitives::{
	digest::{members_root, Hash32},
	model::{ModelId, SourceUri, MAX_RANK},
	provider::ClassId,
};

/// The balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as crate::Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// A job's identifier, assigned by the chain in submission order.
pub type JobId = u64;

/// The largest inline input any runtime may allow (`Config::MaxInlineInput` is at most this).
pub const MAX_INLINE_INPUT: u32 = 64 * 1024;

/// The most providers any job may have (`Config::MaxRedundancy` is at most this).
pub const MAX_ASSIGNMENTS: u32 = 16;

/// The most output elements a reveal may carry in full (quantized; 4 KiB): outputs up to this
/// size are compared element by element within the model's tolerance, larger ones by digest
/// only, and the settling reveal's output is kept in the receipt, where the payer reads it
/// (a MiniLM sentence embedding has 384).
pub const MAX_SMALL_OUTPUT: u32 = 512;

/// The most elements one output may have (256 KiB quantized): a job whose output could be
/// larger is refused at submission (`OutputTooLarge`), so that every output the chain accepts
/// a job for can be delivered on chain (`deliver_output`). A batch of 64 MiniLM embeddings has
/// 24,576.
pub const MAX_DELIVERED_OUTPUT: u32 = 32_768;

/// The most members any cohort may have (`Config::MaxCohort` is at most this).
pub const MAX_COHORT: u32 = 64;

/// The inline input bound.
pub type InlineBound = ConstU32<MAX_INLINE_INPUT>;

/// The cohort bound.
pub type CohortBound = ConstU32<MAX_COHORT>;

/// A cohort's member digests (or input hashes), in member order.
pub type MemberDigests = BoundedVec<Hash32, CohortBound>;

/// The assignment list bound.
pub type AssignmentBound = ConstU32<MAX_ASSIGNMENTS>;

/// A commitment: `blake2_256(seal ‖ salt ‖ provider)`, the seal of the answer for the
/// provider's round (`seal_of`).
pub type Commitment = Hash32;

/// The domain tag of [`seal_of`].
pub const SEAL_TAG: &[u8; 13] = b"synod:seal:v1";

/// The seal of `digest` (an output digest, a cohort's members root, or a "cannot serve"
/// digest) for round `round` of job `job`: `blake2_256("synod:seal:v1" ‖ job u64 ‖ round u8 ‖
/// digest)`. A provider commits to its seal; the first round reveals seals only, so the
/// chain can tell agreement and escalate while every answer stays hidden, and nobody drawn
/// later can copy one (the seal does not give the digest back, and the escalation's seals
/// are of another round). Digests are opened once no provider is left to commit.
pub fn seal_of(job: JobId, round: u8, digest: &Hash32) -> Hash32 {
	sp_crypto_hashing::blake2_256(&(SEAL_TAG, job, round, digest).encode())
}

/// A reveal's salt.
pub type Salt = [u8; 32];

/// The commitment a provider sends for `seal` (`seal_of` its answer) with `salt`:
/// `blake2_256(seal ‖ salt ‖ provider)`, so that no provider can copy another's commitment.
pub fn commitment_of<AccountId: Encode>(
	seal: &Hash32,
	salt: &Salt,
	provider: &AccountId,
) -> Commitment {
	sp_crypto_hashing::blake2_256(&(seal, salt, provider).encode())
}

/// What a provider reveals, one variant per kind of job. Every variant carries the digest the
/// provider committed to; agreement (`crate::tally::agree`) and the off-chain worker match on
/// the variant, so a new kind of job is a new variant the compiler walks through.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum Reveal {
	/// A single job's canonical output digest, with the quantized output itself when it is
	/// small (at most [`MAX_SMALL_OUTPUT`] elements): then it is compared within the model's
	/// tolerance when digests differ.
	Output {
		/// The canonical output digest.
		digest: Hash32,
		/// The output in full, for small outputs.
		output: Option<SmallOutput>,
	},
	/// A cohort's member digests in input order, and their root
	/// (`synod_primitives::digest::members_root`), which is what the provider committed to.
	Members {
		/// The root of `members`.
		root: Hash32,
		/// One output digest per member.
		members: MemberDigests,
	},
}

impl Reveal {
	/// A cohort's reveal of its member digests (their root computed here, once).
	pub fn members(members: MemberDigests) -> Self {
		Reveal::Members { root: members_root(&members), members }
	}

	/// The digest the provider committed to: the output digest, or the members' root.
	pub fn digest(&self) -> Hash32 {
		match self {
			Reveal::Output { digest, .. } => *digest,
			Reveal::Members { root, .. } => *root,
		}
	}

	/// The small output revealed in full, if any.
	pub fn output(&self) -> Option<&SmallOutput> {
		match self {
			Reveal::Output { output, .. } => output.as_ref(),
			Reveal::Members { .. } => None,
		}
	}

	/// A cohort's member digests, in member order; empty for a single job.
	pub fn member_digests(&self) -> &[Hash32] {
		match self {
			Reveal::Output { .. } => &[],
			Reveal::Members { members, .. } => members,
		}
	}

	/// Whether this kind of reveal answers `input`: member digests, one per member, for a
	/// cohort; an output digest for a single job.
	pub fn fits(&self, input: &JobInput) -> bool {
		match (self, input) {
			(Reveal::Members { members, .. }, JobInput::Cohort(inputs)) => {
				members.len() == inputs.len()
			},
			(Reveal::Output { .. }, JobInput::Inline(_) | JobInput::Remote { .. }) => true,
			_ => false,
		}
	}
}

/// One item of `reveal_batch`: job, digest, salt and the small output when there is one.
pub type RevealItem = (JobId, Hash32, Salt, Option<SmallOutput>);

/// One job of `submit_batch`: the arguments of `submit_job`.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct JobRequest<Balance, BlockNumber> {
	/// The model's id (`synod_primitives::model::model_id`).
	pub model: ModelId,
	/// The input, inline or by hash and URI.
	pub input: JobInput,
	/// How many providers answer.
	pub redundancy: u32,
	/// The most the payer pays one provider.
	pub max_price: Balance,
	/// The block by which the job ends.
	pub deadline: BlockNumber,
}

/// A small output revealed in full: its shape and its quantized elements (row-major). Its
/// canonical digest (`synod_primitives::digest::output_digest`) must be the revealed digest.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct SmallOutput {
	/// The output's shape.
	pub shape: BoundedVec<u32, ConstU32<MAX_RANK>>,
	/// The quantized elements.
	pub values: BoundedVec<i64, ConstU32<MAX_SMALL_OUTPUT>>,
}

/// Where a job's input is.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum JobInput {
	/// The input bytes themselves (little-endian tensor data, as the model's input spec says).
	Inline(BoundedVec<u8, InlineBound>),
	/// The blake2-256 hash of the input and where to fetch it; providers check the hash.
	Remote {
		/// blake2-256 of the input bytes.
		hash: Hash32,
		/// An `http://`, `https://` or `ipfs://` URI.
		uri: SourceUri,
	},
	/// A cohort: two or more inputs of the same model, price and redundancy, answered by the
	/// same providers with one commitment and one reveal each (the root of the members'
	/// digests, `synod_primitives::digest::members_root`). Each member is priced as a job;
	/// the members are decided together (a provider agrees when its digest of every member
	/// matches). The receipt lists the members' output digests in input order.
	Cohort(BoundedVec<MemberInput, CohortBound>),
}

impl JobInput {
	/// How many jobs this input is: a cohort's members, else one.
	pub fn members(&self) -> u32 {
		match self {
			JobInput::Cohort(m) => u32::try_from(m.len()).unwrap_or(u32::MAX),
			_ => 1,
		}
	}
}

/// One member of a cohort: its input, inline or by hash and URI.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum MemberInput {
	/// The input bytes themselves.
	Inline(BoundedVec<u8, InlineBound>),
	/// The blake2-256 hash of the input and where to fetch it.
	Remote {
		/// blake2-256 of the input bytes.
		hash: Hash32,
		/// An `http://`, `https://` or `ipfs://` URI.
		uri: SourceUri,
	},
}

/// Where a job is in its life.
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
pub enum JobStatus {
	/// Submitted, not looked at by the assignment yet; the payer may cancel.
	Queued,
	/// Waiting in its model's line (`seq` is its place in `Pallet::Waiting`) for providers
	/// to be free; assigned as they are, in order; the payer may cancel. It fails with a full
	/// refund once a round no longer fits before its deadline.
	Waiting {
		/// Its entry in its model's line.
		seq: u32,
	},
	/// Assigned; providers commit until the commit window closes.
	Committing,
	/// Commits closed; providers reveal until the reveal window closes: seals in the first
	/// round, digests (and the first round's openings) after an escalation.
	Revealing,
	/// The first round's seals decided the job; one of the providers that agree opens the
	/// digest behind the winning seal (with its small output), which settles the job.
	Opening,
}

/// How a job is verified, chosen at submission.
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
pub enum Audit {
	/// Audited, and the audit is not decided yet: one provider (the primary) computes and
	/// commits; the audit is decided with randomness from after its commitment.
	Pending,
	/// Not audited: the primary's answer settles the job.
	Skipped,
	/// Audited: `Config::Auditors` more providers of the primary's class computed and
	/// committed without seeing its answer; all of them vote.
	Drawn {
		/// The index of the first auditor's assignment (later round-0 assignments are
		/// auditors too: their replacements).
		from: u8,
	},
	/// A canary: governance knew the answer (its digest, opened by the payer between the
	/// primary's commitment and the audit decision); the primary is judged against it.
	Canary(Hash32),
}

/// How a settled job was verified, as its receipt says.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum Verification<AccountId> {
	/// Redundancy: the providers of the first draw (and the escalation) voted.
	Redundant,
	/// Audited mode, not audited: one provider's answer, checked by nobody.
	Unaudited,
	/// Audited mode, audited: these auditors recomputed the job and voted with the primary.
	Audited {
		/// The auditors (replacements included).
		auditors: BoundedVec<AccountId, AssignmentBound>,
	},
	/// Audited mode, a canary: the answer was judged against the digest governance knew.
	Canary,
}

/// The domain tag of [`canary_hash`].
pub const CANARY_TAG: &[u8; 15] = b"synod:canary:v1";

/// What governance registers for a canary job (`register_canaries`):
/// `blake2_256("synod:canary:v1" ‖ payer ‖ model ‖ input_hash ‖ digest ‖ salt)`. The salt
/// keeps it from telling anyone which job it is; the payer opens it with `open_canary` once
/// the primary has committed.
pub fn canary_hash<AccountId: Encode>(
	payer: &AccountId,
	model: &ModelId,
	input_hash: &Hash32,
	digest: &Hash32,
	salt: &Salt,
) -> Hash32 {
	sp_crypto_hashing::blake2_256(&(CANARY_TAG, payer, model, input_hash, digest, salt).encode())
}

/// One provider's part in a job.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Assignment<AccountId, Balance> {
	/// The provider.
	pub provider: AccountId,
	/// What it is paid if it agrees with the decision (its offer, at most the job's price).
	pub price: Balance,
	/// The collateral locked from its bond.
	pub collateral: Balance,
	/// The round it was drawn for: 0 (the first draw and its replacements) or 1 (escalation).
	pub round: u8,
	/// Its commitment, once sent.
	pub commitment: Option<Commitment>,
	/// The seal it revealed (first round only), once sent.
	pub sealed: Option<Hash32>,
	/// What it revealed (first round: opened), once sent.
	pub reveal: Option<Reveal>,
	/// Out of the vote for missing its commit window, or its reveal before an escalation; its
	/// collateral stays locked and is slashed when the job ends (so that the payer's
	/// compensation is sized by what the whole job cost it); it counts as dissenting in the
	/// receipt.
	pub slashed: bool,
}

impl<AccountId, Balance> Assignment<AccountId, Balance> {
	/// Whether it votes in round `round`: drawn for it and not slashed.
	pub fn in_round(&self, round: u8) -> bool {
		self.round == round && !self.slashed
	}

	/// The digest it revealed, if it revealed.
	pub fn digest(&self) -> Option<Hash32> {
		self.reveal.as_ref().map(Reveal::digest)
	}

	/// Whether it answered its round: revealed, or (first round) sealed.
	pub fn answered(&self) -> bool {
		self.reveal.is_some() || self.sealed.is_some()
	}
}

/// An open job.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Job<AccountId, Balance, BlockNumber> {
	/// Who pays; its escrow is held under `JobEscrow`.
	pub payer: AccountId,
	/// The model.
	pub model: ModelId,
	/// The input.
	pub input: JobInput,
	/// blake2-256 of the input bytes; for a cohort, the root of its members' input hashes.
	pub input_hash: Hash32,
	/// How many providers answer in the first round (an escalation draws as many again).
	pub redundancy: u32,
	/// The model's tolerance, in quantization steps (copied from its manifest).
	pub tolerance: u64,
	/// 0 until the job escalates, then 1; it escalates at most once.
	pub round: u8,
	/// The most the payer pays one provider.
	pub max_price: Balance,
	/// Escrow still held for this job.
	pub escrow: Balance,
	/// Its storage deposit (held under `JobDeposit` until its receipt is pruned).
	pub deposit: Balance,
	/// Where it is.
	pub status: JobStatus,
	/// When it was submitted.
	pub submitted_at: BlockNumber,
	/// The end of the current window (commit or reveal); `0` while queued.
	pub phase_end: BlockNumber,
	/// The end of the current round's reveal window, scheduled with its commit window, so
	/// that opening reveals never needs room in the schedule; `0` while queued.
	pub reveal_end: BlockNumber,
	/// The end of the window in which the winning seal is opened, a `RevealWindow` after
	/// `reveal_end`, scheduled with them; `0` while queued.
	pub open_end: BlockNumber,
	/// No job is open after this block.
	pub deadline: BlockNumber,
	/// `None` for a redundant job; an audited job's audit.
	pub audit: Option<Audit>,
	/// The determinism class its first providers were drawn from, if one class had enough of
	/// them; replacements and the escalation are drawn from it too, so that nobody is compared
	/// digest for digest with another class's float noise.
	pub class: Option<ClassId>,
	/// The assigned providers: the first `redundancy` are the first draw, the rest replacements
	/// and the escalation.
	pub assignments: BoundedVec<Assignment<AccountId, Balance>, AssignmentBound>,
}

/// Why a job failed (and the payer got its escrow back).
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
pub enum FailureReason {
	/// Fewer eligible providers than the redundancy asked for.
	NotEnoughProviders,
	/// The deadline came before the job could be assigned and answered.
	DeadlineTooClose,
	/// Nobody revealed.
	NoReveals,
	/// No output reached the supermajority.
	NoDecision,
	/// Ending the job the normal way failed (a defect): every hold was released, nobody was
	/// paid or slashed.
	Aborted,
	/// The seals decided, but none of the providers that agreed opened the digest behind
	/// them: they were slashed, the payer refunded.
	Unopened,
	/// Two thirds of the providers answered that the input cannot be served (it cannot be
	/// fetched, or the model refuses it): they were paid for finding out, the rest refunded.
	/// A single provider's answer of it (nobody checked) is not paid.
	Unservable,
	/// The audit was decided but no auditor could be drawn (or scheduled): nobody was paid
	/// or slashed, the payer refunded. A job chosen for an audit never settles without it.
	AuditUnavailable,
}

/// An output delivered after settlement (`deliver_output`): the input hash it was computed
/// from (a cohort member's own), its shape and its quantized elements. The chain keeps it only
/// when its canonical digest is the one the receipt agreed on.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct DeliveredOutput {
	/// blake2-256 of the input (a cohort member's).
	pub input_hash: Hash32,
	/// The output's shape.
	pub shape: BoundedVec<u32, ConstU32<MAX_RANK>>,
	/// Its quantized elements, row-major.
	pub values: BoundedVec<i64, ConstU32<MAX_DELIVERED_OUTPUT>>,
}

/// The outputs of a settled job that its receipt does not hold (a large one, a cohort's
/// members) and the payments that wait for them: each agreeing provider is paid its share of
/// a member when that member's output is delivered, by `by`; what is not delivered by then
/// goes back to the payer.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Delivery<AccountId, Balance, BlockNumber> {
	/// The last block an output may be delivered in.
	pub by: BlockNumber,
	/// The agreeing providers and what each is owed per member delivered.
	pub payees: BoundedVec<(AccountId, Balance), AssignmentBound>,
	/// How many outputs are due (a cohort's members, else 1).
	pub members: u32,
	/// Which are delivered (bit `i`: member `i`).
	pub delivered: u64,
}

impl<A, B, N> Delivery<A, B, N> {
	/// Whether output `member` is delivered.
	pub fn has(&self, member: u32) -> bool {
		member < 64 && self.delivered & (1u64 << member) != 0
	}

	/// How many outputs are still due.
	pub fn missing(&self) -> u32 {
		self.members.saturating_sub(self.delivered.count_ones())
	}
}

/// A job in its model's waiting line: what the assignment needs to know whether the job
/// fits the providers free now, without reading the job.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Waiter<Balance, BlockNumber> {
	/// The job.
	pub job: JobId,
	/// How many providers its first draw takes: its redundancy, or an audit's providers
	/// (`1 + Auditors`) for an audited job.
	pub need: u32,
	/// Whether they must all be of one determinism class (an audited job).
	pub one_class: bool,
	/// The most a provider may ask.
	pub max_price: Balance,
	/// The collateral each provider locks.
	pub collateral: Balance,
	/// The last block it can be assigned in: after it, a round no longer fits.
	pub last_start: BlockNumber,
	/// The block its expiry is scheduled in (`Timeouts`), taken out when it leaves the line.
	pub expiry: BlockNumber,
}

/// A model's waiting line: entries `head..tail` of `Pallet::Waiting` (some may be gone,
/// cancelled or expired).
#[derive(
	Clone,
	Copy,
	Default,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct WaitLine {
	/// The oldest entry that may still be there.
	pub head: u32,
	/// The next entry's place.
	pub tail: u32,
}

impl WaitLine {
	/// Entries from the head to the tail, gaps included.
	pub fn len(&self) -> u32 {
		self.tail.saturating_sub(self.head)
	}

	/// Whether no entry is left.
	pub fn is_empty(&self) -> bool {
		self.head >= self.tail
	}
}

/// Where a job is in the queue, for a dapp (`JobsApi::queue_position`).
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct QueuePlace<BlockNumber> {
	/// Jobs ahead of it: in its model's line (gaps left by cancelled jobs included), or
	/// submitted before it and not yet looked at.
	pub ahead: u32,
	/// Whether it waits in its model's line (its providers were busy) rather than for its
	/// first look.
	pub waiting: bool,
	/// Rounds of the model's providers until its turn: the providers the jobs ahead of it
	/// and itself take, over the job slots the model's live providers have in all (busy or
	/// not); `None` when no live provider offers the model at its price.
	pub rounds_ahead: Option<u32>,
	/// The block it is expected to be assigned by when each of those rounds takes its
	/// windows in full (`CommitWindow + 2 × RevealWindow`): an upper estimate, as a round
	/// whose providers all answer ends sooner.
	pub expected_by: Option<BlockNumber>,
	/// The last block it can be assigned in; after it, it fails with a full refund.
	pub last_start: BlockNumber,
}

/// The receipt of a settled job, kept for `ResultRetention` blocks.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct JobReceipt<AccountId, Balance, BlockNumber> {
	/// The payer.
	pub payer: AccountId,
	/// The model.
	pub model: ModelId,
	/// blake2-256 of the input.
	pub input_hash: Hash32,
	/// The agreed reveal: its digest, and the small output or a cohort's member digests that
	/// back it (for a cohort, `input_hash` is the root of the members' input hashes).
	pub result: Reveal,
	/// Providers whose reveal matched the decision (paid).
	pub agreeing: BoundedVec<AccountId, AssignmentBound>,
	/// Providers that revealed something else, or nothing (slashed).
	pub dissenting: BoundedVec<AccountId, AssignmentBound>,
	/// Paid to providers in total.
	pub paid: Balance,
	/// Escrow released back to the payer.
	pub refunded: Balance,
	/// The job's storage deposit, released to the payer when the receipt is pruned.
	pub deposit: Balance,
	/// How it was verified: redundancy, or audited mode (unaudited, audited by whom, or a
	/// canary).
	pub verification: Verification<AccountId>,
	/// The block it settled in.
	pub settled_at: BlockNumber,
}
