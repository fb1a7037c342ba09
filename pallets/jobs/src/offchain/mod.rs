//! The provider node's off-chain worker: feeds assigned jobs to the local synod-worker and
//! answers them with commit-reveal.
//!
//! On each block, for every provider key in the node's keystore (key type `synd`, see
//! `synod_primitives::crypto`), under a per-key lock in persistent local storage:
//!
//! 1. every open assignment of that provider (`ProviderJobs`) still waiting for its commit is
//!    handed to the worker (`POST /v1/jobs`, which answers at once), then polled
//!    (`GET /v1/jobs/{id}`) in the next blocks;
//! 2. when the worker has the canonical output digest, a salt is drawn from the node's
//!    off-chain randomness, and digest and salt are written to persistent local storage
//!    **before** the commitment is sent, so a crash can never leave a commitment without the
//!    means to reveal it;
//! 3. once reveals are open, the stored digest and salt are revealed, with the quantized output
//!    itself when it has at most `MAX_SMALL_OUTPUT` elements (the chain compares small outputs
//!    within the model's tolerance); an assignment that is not in the job's current round (a
//!    first-round provider of an escalated job, or one slashed and replaced) sends nothing;
//! 4. all commits of one key in one block go out as one transaction (`commit` or
//!    `commit_batch`), and likewise the reveals.
//!
//! A worker that is down, slow or failing costs a log line and a retry in the next block; an
//! unsent or dropped transaction is sent again after [`RESEND_AFTER`] blocks with the same
//! commitment (the chain refuses a second commit, so nothing is ever committed twice). Local
//! state of jobs that are no longer assigned is removed. The worker URL is what the node's
//! `--worker-url` flag stored (`synod_primitives::ocw::worker_url`).

use alloc::{format, string::String, vec::Vec};
use codec::{Decode, Encode};
use frame_support::BoundedVec;
use frame_system::{
	offchain::{Account, SendSignedTransaction, Signer},
	pallet_prelude::BlockNumberFor,
};
use sp_runtime::{
	offchain::{
		storage::StorageValueRef,
		storage_lock::{BlockAndTime, StorageLock},
		Duration,
	},
	traits::{Get, UniqueSaturatedInto},
};
use synod_primitives::{
	digest::{element_count, members_root, output_digest, Hash32},
	model::ModelManifest,
	ocw,
	traits::ModelRegistry,
};

use crate::{
	types::{
		Commitment, JobId, JobInput, JobStatus, MemberDigests, MemberInput, RevealItem, Salt,
		SmallOutput,
	},
	voting::{commitment_of, in_round},
	Call, Config, JobOf, Jobs, Pallet, ProviderJobs,
};

/// Blocks to wait for a sent commit or reveal to land before sending it again.
pub const RESEND_AFTER: u64 = 2;
/// How long one call to the worker may take, in milliseconds.
pub const WORKER_TIMEOUT_MS: u64 = 2_000;
/// How long fetching a remote input may take, in milliseconds.
pub const INPUT_TIMEOUT_MS: u64 = 10_000;
/// How often a job the worker failed for a reason that may pass (model unavailable, worker
/// busy) is handed over again, and how many blocks apart.
pub const MAX_ATTEMPTS: u8 = 3;
/// Blocks between attempts.
pub const RETRY_AFTER: u64 = 2;

/// What this node knows about one of its provider's jobs, in persistent local storage.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum LocalJob {
	/// Handed to the worker under `worker_id` (attempt `attempt`, from 0).
	Submitted {
		/// The worker's job id.
		worker_id: Vec<u8>,
		/// Which attempt.
		attempt: u8,
	},
	/// The worker failed it; `at` is the block it reported so.
	Failed {
		/// Which attempt failed.
		attempt: u8,
		/// When.
		at: u64,
		/// Whether another attempt may help.
		transient: bool,
	},
	/// The output digest and the salt committed with it.
	Ready {
		/// Canonical output digest from the worker.
		digest: Hash32,
		/// The salt (drawn before the commitment is sent).
		salt: Salt,
		/// When the commit was last sent.
		commit_sent: Option<u64>,
		/// When the reveal was last sent.
		reveal_sent: Option<u64>,
		/// The quantized output, when it is small enough to reveal in full.
		output: Option<SmallOutput>,
	},
}

/// The local-storage key of `who`'s job `job`.
pub fn job_key<AccountId: Encode>(who: &AccountId, job: JobId) -> Vec<u8> {
	(b"synod::job::", who, job).encode()
}

/// The local-storage key of the member digests of `who`'s cohort `job` (written before its
/// commitment is sent, read for its reveal).
pub fn members_key<AccountId: Encode>(who: &AccountId, job: JobId) -> Vec<u8> {
	(b"synod::members::", who, job).encode()
}

/// The worker's id of member `i` of the cohort it knows as `id`.
pub fn member_id(id: &str, i: usize) -> String {
	format!("{id}.{i}")
}

/// The local-storage key of the list of `who`'s jobs with local state.
pub fn index_key<AccountId: Encode>(who: &AccountId) -> Vec<u8> {
	(b"synod::jobs::", who).encode()
}

/// The local-storage key of `who`'s lock.
pub fn lock_key<AccountId: Encode>(who: &AccountId) -> Vec<u8> {
	(b"synod::ocw-lock::", who).encode()
}

/// The worker's job id for chain job `job`: stable across retries of one attempt, different
/// for different (model, input) pairs, so a worker that outlives a dev chain never answers a
/// new job with an old result.
pub fn worker_job_id(job: JobId, model: &Hash32, input_hash: &Hash32, attempt: u8) -> String {
	let tag = sp_crypto_hashing::blake2_256(&(model, input_hash).encode());
	let short = tag.get(..12).unwrap_or(tag.as_slice());
	format!("synod-{job}-{}-a{attempt}", hex(short))
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
	const DIGITS: &[u8; 16] = b"0123456789abcdef";
	let mut out = String::with_capacity(bytes.len().saturating_mul(2));
	for b in bytes {
		for n in [b >> 4, b & 0x0f] {
			out.push(char::from(DIGITS.get(usize::from(n)).copied().unwrap_or(b'0')));
		}
	}
	out
}

/// Parses 64 hex digits (an optional `0x` prefix allowed).
pub fn parse_hash32(s: &str) -> Option<Hash32> {
	let s = s.strip_prefix("0x").unwrap_or(s);
	if s.len() != 64 {
		return None;
	}
	let mut out = [0u8; 32];
	for (i, slot) in out.iter_mut().enumerate() {
		let hi = s.as_bytes().get(i.checked_mul(2)?).copied()?;
		let lo = s.as_bytes().get(i.checked_mul(2)?.checked_add(1)?).copied()?;
		*slot = (nibble(hi)? << 4) | nibble(lo)?;
	}
	Some(out)
}

fn nibble(c: u8) -> Option<u8> {
	match c {
		b'0'..=b'9' => c.checked_sub(b'0'),
		b'a'..=b'f' => c.checked_sub(b'a').and_then(|v| v.checked_add(10)),
		b'A'..=b'F' => c.checked_sub(b'A').and_then(|v| v.checked_add(10)),
		_ => None,
	}
}

/// The manifest as the worker's `POST /v1/jobs` takes it.
pub fn manifest_json(m: &ModelManifest) -> serde_json::Value {
	let spec = |s: &synod_primitives::model::TensorSpec| serde_json::json!({ "dtype": s.dtype.name(), "shape": s.shape.iter().collect::<Vec<_>>() });
	let sources: Vec<String> =
		m.sources.iter().map(|s| String::from_utf8_lossy(s).into_owned()).collect();
	serde_json::json!({
		"name": String::from_utf8_lossy(&m.name),
		"hash": hex(&m.hash),
		"input": spec(&m.input),
		"output": spec(&m.output),
		"step_exponent": m.canonicalization.step_exponent,
		"tolerance": m.canonicalization.tolerance,
		"max_input_bytes": m.max_input_bytes,
		"sources": sources,
	})
}

/// The parts of a worker job view the off-chain worker reads.
#[derive(serde::Deserialize, Debug)]
struct WorkerJob {
	status: String,
	#[serde(default)]
	output: Option<WorkerOutput>,
	#[serde(default)]
	error: Option<WorkerError>,
}

#[derive(serde::Deserialize, Debug)]
struct WorkerOutput {
	digest: String,
	#[serde(default)]
	shape: Vec<u32>,
	#[serde(default)]
	quantized: Vec<i64>,
}

/// The output to reveal in full with `digest`: the worker's quantized output when it has at
/// most `MAX_SMALL_OUTPUT` elements and hashes to `digest` (a reveal whose output does not
/// would be refused, so a worker that disagrees with itself reveals the digest alone).
fn small_output(
	out: &WorkerOutput,
	model: &Hash32,
	input_hash: &Hash32,
	digest: &Hash32,
) -> Option<SmallOutput> {
	if out.quantized.is_empty() {
		return None;
	}
	let shape = BoundedVec::try_from(out.shape.clone()).ok()?;
	let values = BoundedVec::try_from(out.quantized.clone()).ok()?;
	let small = SmallOutput { shape, values };
	if element_count(&small.shape) != Some(small.values.len())
		|| output_digest(model, input_hash, &small.shape, &small.values) != *digest
	{
		log::warn!(target: "runtime::jobs", "synod-worker's output does not hash to its digest; revealing the digest alone");
		return None;
	}
	Some(small)
}

#[derive(serde::Deserialize, Debug)]
struct WorkerError {
	kind: String,
	message: String,
}

/// `POST /v1/batch/submit`'s answer.
#[derive(serde::Deserialize, Debug)]
struct BatchAnswer {
	jobs: Vec<BatchItem>,
}

/// One item of it: the status `POST /v1/jobs` would have answered, and the job's view.
#[derive(serde::Deserialize, Debug)]
struct BatchItem {
	code: u16,
	#[serde(default)]
	job: Option<WorkerJob>,
}

/// `POST /v1/batch/query`'s answer: a view per id, `null` for ids the worker does not know.
#[derive(serde::Deserialize, Debug)]
struct BatchViews {
	jobs: Vec<Option<WorkerJob>>,
}

/// A salt for `who`'s result of `job`, from the node's off-chain randomness.
fn fresh_salt<AccountId: Encode>(who: &AccountId, job: JobId) -> Salt {
	sp_crypto_hashing::blake2_256(&(sp_io::offchain::random_seed(), who, job).encode())
}

/// Worker error kinds that another attempt may cure.
fn transient(kind: &str) -> bool {
	matches!(kind, "model_unavailable" | "queue_full" | "shutting_down" | "internal")
}

/// What one job asks of the off-chain worker in this block.
enum Step {
	Nothing,
	Commit(Commitment),
	Reveal(Hash32, Salt, Option<SmallOutput>),
	/// A cohort's reveal: its member digests and the salt.
	RevealMembers(MemberDigests, Salt),
}

/// Why the worker could not be used for a job in this block.
#[derive(Debug)]
enum Outage {
	/// No answer (down, slow): stop talking to it for the rest of this run.
	Unreachable(ocw::HttpFailure),
	/// An answer that makes no sense.
	Garbled(String),
}

impl<T: Config> Pallet<T> {
	/// The off-chain worker's round at block `now`: every local provider key, one at a time.
	pub(crate) fn offchain_jobs(now: BlockNumberFor<T>) {
		let now: u64 = now.unique_saturated_into();
		let url = ocw::worker_url();
		for account in Signer::<T, T::AuthorityId>::keystore_accounts() {
			let key = lock_key(&account.id);
			let mut lock =
				StorageLock::<BlockAndTime<frame_system::Pallet<T>>>::with_block_and_time_deadline(
					&key,
					2,
					Duration::from_millis(60_000),
				);
			let Ok(_guard) = lock.try_lock() else {
				log::debug!(target: "runtime::jobs", "another off-chain worker run holds {:?}", account.id);
				continue;
			};
			Self::offchain_account(&account, now, &url);
		}
	}

	/// One provider key's round.
	fn offchain_account(account: &Account<T>, now: u64, url: &str) {
		let mut open: Vec<JobId> = ProviderJobs::<T>::get(&account.id).into_inner();
		open.sort_unstable(); // oldest first
		let mut commits: Vec<(JobId, Commitment)> = Vec::new();
		let mut reveals: Vec<RevealItem> = Vec::new();
		let mut cohort_reveals: Vec<(JobId, MemberDigests, Salt)> = Vec::new();
		let mut worker_up = true;
		for &job in &open {
			let Some(record) = Jobs::<T>::get(job) else { continue };
			match Self::step(account, job, &record, now, url, &mut worker_up) {
				Step::Nothing => {},
				Step::Commit(c) => commits.push((job, c)),
				Step::Reveal(d, s, o) => reveals.push((job, d, s, o)),
				Step::RevealMembers(m, s) => cohort_reveals.push((job, m, s)),
			}
		}
		Self::send_commits(account, commits, now);
		Self::send_reveals(account, reveals, now);
		for (job, members, salt) in cohort_reveals {
			let n = members.len();
			if Self::send(account, Call::<T>::reveal_members { job, members, salt }) {
				Self::mark(account, job, |_, r| *r = Some(now));
				log::info!(target: "runtime::jobs", "🔓 revealed job {job} ({n} members) for {:?}", account.id);
			}
		}
		Self::forget_closed(account, &open);
	}

	/// What to do for `job` now.
	fn step(
		account: &Account<T>,
		job: JobId,
		record: &JobOf<T>,
		now: u64,
		url: &str,
		worker_up: &mut bool,
	) -> Step {
		let Some(slot) = record.assignments.iter().find(|a| a.provider == account.id) else {
			return Step::Nothing;
		};
		if !in_round(slot, record.round) {
			// A first-round provider of an escalated job (it revealed already), or one that
			// was slashed and replaced: nothing to send.
			return Step::Nothing;
		}
		let key = job_key(&account.id, job);
		let store = StorageValueRef::persistent(&key);
		let local = store.get::<LocalJob>().ok().flatten();
		match (record.status, slot.commitment, slot.digest) {
			(JobStatus::Committing, None, _) => match local {
				Some(LocalJob::Ready { digest, salt, commit_sent, .. }) => {
					if commit_sent.is_some_and(|at| now < at.saturating_add(RESEND_AFTER)) {
						Step::Nothing
					} else {
						Step::Commit(commitment_of(&digest, &salt, &account.id))
					}
				},
				_ if !*worker_up => Step::Nothing,
				local => match Self::advance(account, job, record, local, now, url) {
					Ok(Some(commitment)) => Step::Commit(commitment),
					Ok(None) => Step::Nothing,
					Err(Outage::Unreachable(e)) => {
						log::warn!(target: "runtime::jobs", "synod-worker at {url} is unreachable ({e:?}); job {job} waits for it");
						*worker_up = false;
						Step::Nothing
					},
					Err(Outage::Garbled(e)) => {
						log::warn!(target: "runtime::jobs", "job {job}: unexpected answer from synod-worker at {url}: {e}");
						Step::Nothing
					},
				},
			},
			(JobStatus::Revealing, Some(committed), None) => match local {
				Some(LocalJob::Ready { digest, salt, reveal_sent, output, .. }) => {
					if commitment_of(&digest, &salt, &account.id) != committed {
						log::error!(target: "runtime::jobs", "job {job}: the local result does not match the commitment on chain; cannot reveal");
						Step::Nothing
					} else if reveal_sent.is_some_and(|at| now < at.saturating_add(RESEND_AFTER)) {
						Step::Nothing
					} else if record.input.is_cohort() {
						let key = members_key(&account.id, job);
						match StorageValueRef::persistent(&key).get::<MemberDigests>() {
							Ok(Some(members)) if members_root(&members) == digest => {
								Step::RevealMembers(members, salt)
							},
							_ => {
								log::error!(target: "runtime::jobs", "job {job}: committed, but this node has no member digests matching the commitment; cannot reveal");
								Step::Nothing
							},
						}
					} else {
						Step::Reveal(digest, salt, output)
					}
				},
				_ => {
					log::error!(target: "runtime::jobs", "job {job}: committed, but this node has no stored result to reveal");
					Step::Nothing
				},
			},
			_ => Step::Nothing,
		}
	}

	/// Moves a job that has no result yet one step on with the worker; returns the commitment
	/// once there is a result (its digest and salt already stored).
	fn advance(
		account: &Account<T>,
		job: JobId,
		record: &JobOf<T>,
		local: Option<LocalJob>,
		now: u64,
		url: &str,
	) -> Result<Option<Commitment>, Outage> {
		let key = job_key(&account.id, job);
		let store = StorageValueRef::persistent(&key);
		let attempt = match local {
			None => 0,
			Some(LocalJob::Failed { attempt, at, transient }) => {
				if !transient || attempt.saturating_add(1) >= MAX_ATTEMPTS {
					return Ok(None);
				}
				if now < at.saturating_add(RETRY_AFTER) {
					return Ok(None);
				}
				attempt.saturating_add(1)
			},
			Some(LocalJob::Submitted { worker_id, attempt }) if record.input.is_cohort() => {
				let id = String::from_utf8_lossy(&worker_id).into_owned();
				return Self::poll_cohort(account, job, record, &id, attempt, now, url, &store);
			},
			Some(LocalJob::Submitted { worker_id, attempt }) => {
				let id = String::from_utf8_lossy(&worker_id).into_owned();
				let answer = ocw::get(&format!("{url}/v1/jobs/{id}"), WORKER_TIMEOUT_MS)
					.map_err(Outage::Unreachable)?;
				if answer.code == 404 {
					// The worker restarted and forgot the job: hand it over again.
					log::info!(target: "runtime::jobs", "job {job}: synod-worker forgot {id}; submitting again");
					return Self::submit_to_worker(account, job, record, attempt, now, url)
						.map(|()| None);
				}
				let view = Self::parse_view(answer.code, &answer.body)?;
				return Self::take_result(account, job, record, attempt, view, now, &store);
			},
			Some(LocalJob::Ready { .. }) => return Ok(None),
		};
		Self::submit_to_worker(account, job, record, attempt, now, url).map(|()| None)
	}

	/// Polls the members of cohort `job`, handed to the worker as `{id}.{i}`, with one
	/// `POST /v1/batch/query`; hands the cohort over again when the worker forgot a member.
	#[allow(clippy::too_many_arguments)]
	fn poll_cohort(
		account: &Account<T>,
		job: JobId,
		record: &JobOf<T>,
		id: &str,
		attempt: u8,
		now: u64,
		url: &str,
		store: &StorageValueRef<'_>,
	) -> Result<Option<Commitment>, Outage> {
		let ids: Vec<String> = (0..usize::try_from(record.input.members()).unwrap_or(0))
			.map(|i| member_id(id, i))
			.collect();
		let body = serde_json::to_vec(&serde_json::json!({ "ids": ids }))
			.map_err(|e| Outage::Garbled(format!("{e}")))?;
		let answer = ocw::post_json(&format!("{url}/v1/batch/query"), body, WORKER_TIMEOUT_MS)
			.map_err(Outage::Unreachable)?;
		let views = serde_json::from_slice::<BatchViews>(&answer.body)
			.map_err(|e| Outage::Garbled(format!("HTTP {}: {e}", answer.code)))?
			.jobs;
		if views.len() != ids.len() {
			return Err(Outage::Garbled(format!(
				"POST /v1/batch/query answered {} views for {}",
				views.len(),
				ids.len()
			)));
		}
		if views.iter().any(Option::is_none) {
			log::info!(target: "runtime::jobs", "job {job}: synod-worker forgot members of {id}; submitting again");
			return Self::submit_to_worker(account, job, record, attempt, now, url).map(|()| None);
		}
		let views: Vec<WorkerJob> = views.into_iter().flatten().collect();
		Self::take_cohort_result(account, job, attempt, &views, now, store)
	}

	/// Hands a cohort's member inputs to the worker in one `POST /v1/batch/submit` (member
	/// `i` as `{id}.{i}`) and records it as submitted. A member the worker refuses outright
	/// (bad input for the manifest) fails the cohort here; a busy worker is asked again in
	/// the next block (members it took already are answered as existing then).
	#[allow(clippy::too_many_arguments)]
	fn submit_cohort(
		job: JobId,
		attempt: u8,
		now: u64,
		manifest: &ModelManifest,
		inputs: &[Vec<u8>],
		id: String,
		url: &str,
		store: &StorageValueRef<'_>,
	) -> Result<(), Outage> {
		let model = manifest_json(manifest);
		let jobs: Vec<serde_json::Value> = inputs
			.iter()
			.enumerate()
			.map(|(i, input)| {
				serde_json::json!({
					"id": member_id(&id, i),
					"model": model,
					"input_hex": hex(input),
				})
			})
			.collect();
		let body = serde_json::to_vec(&serde_json::json!({ "jobs": jobs }))
			.map_err(|e| Outage::Garbled(format!("{e}")))?;
		let answer = ocw::post_json(&format!("{url}/v1/batch/submit"), body, WORKER_TIMEOUT_MS)
			.map_err(Outage::Unreachable)?;
		if answer.code != 200 {
			return Err(Outage::Garbled(format!(
				"POST /v1/batch/submit answered {}: {}",
				answer.code,
				String::from_utf8_lossy(answer.body.get(..200).unwrap_or(&answer.body))
			)));
		}
		let items = serde_json::from_slice::<BatchAnswer>(&answer.body)
			.map_err(|e| Outage::Garbled(format!("POST /v1/batch/submit: {e}")))?
			.jobs;
		if items.len() != inputs.len() {
			return Err(Outage::Garbled(format!(
				"POST /v1/batch/submit answered {} items for {}",
				items.len(),
				inputs.len()
			)));
		}
		if let Some((i, item)) = items.iter().enumerate().find(|(_, it)| it.code == 422) {
			let reason = item
				.job
				.as_ref()
				.and_then(|v| v.error.as_ref())
				.map(|e| format!("{}: {}", e.kind, e.message))
				.unwrap_or_else(|| "refused".into());
			log::warn!(target: "runtime::jobs", "job {job}: synod-worker refused member {i} ({reason})");
			store.set(&LocalJob::Failed { attempt, at: now, transient: false });
			return Ok(());
		}
		if items.iter().any(|it| it.code == 503) {
			log::warn!(target: "runtime::jobs", "job {job}: synod-worker is busy (503); retrying next block");
			return Ok(());
		}
		if let Some(item) = items.iter().find(|it| !matches!(it.code, 200 | 202)) {
			return Err(Outage::Garbled(format!("a batch item answered {}", item.code)));
		}
		store.set(&LocalJob::Submitted { worker_id: id.clone().into_bytes(), attempt });
		log::info!(target: "runtime::jobs", "📨 job {job} ({} members) handed to synod-worker as {id}.*", inputs.len());
		Ok(())
	}

	/// Reads a worker answer as a job view.
	fn parse_view(code: u16, body: &[u8]) -> Result<WorkerJob, Outage> {
		serde_json::from_slice::<WorkerJob>(body)
			.map_err(|e| Outage::Garbled(format!("HTTP {code}: {e}")))
	}

	/// Acts on a worker job view: a result is stored with a fresh salt and its commitment
	/// returned; a failure is stored; a running job waits.
	#[allow(clippy::too_many_arguments)]
	fn take_result(
		account: &Account<T>,
		job: JobId,
		record: &JobOf<T>,
		attempt: u8,
		view: WorkerJob,
		now: u64,
		store: &StorageValueRef<'_>,
	) -> Result<Option<Commitment>, Outage> {
		match view.status.as_str() {
			"succeeded" => {
				let out = view
					.output
					.as_ref()
					.ok_or_else(|| Outage::Garbled("a result without an output".into()))?;
				let digest = parse_hash32(&out.digest)
					.ok_or_else(|| Outage::Garbled("a result without a valid digest".into()))?;
				let output = small_output(out, &record.model, &record.input_hash, &digest);
				let salt = fresh_salt(&account.id, job);
				store.set(&LocalJob::Ready {
					digest,
					salt,
					commit_sent: None,
					reveal_sent: None,
					output,
				});
				log::info!(target: "runtime::jobs", "🧮 job {job}: synod-worker's digest 0x{}; committing", hex(&digest));
				Ok(Some(commitment_of(&digest, &salt, &account.id)))
			},
			"failed" => {
				let (kind, message) = view
					.error
					.map(|e| (e.kind, e.message))
					.unwrap_or_else(|| ("unknown".into(), "no reason given".into()));
				let transient = transient(&kind);
				log::warn!(target: "runtime::jobs", "job {job}: synod-worker failed it ({kind}: {message}){}", if transient { "; will retry" } else { "" });
				store.set(&LocalJob::Failed { attempt, at: now, transient });
				Ok(None)
			},
			"queued" | "running" => Ok(None),
			other => Err(Outage::Garbled(format!("unknown status {other:?}"))),
		}
	}

	/// Acts on the views of a cohort's members: when all succeeded, their digests (kept in
	/// local storage first) and a fresh salt are stored and the commitment to their root
	/// returned; a failed member fails the cohort (worth another attempt only when every
	/// failure is); otherwise it waits.
	fn take_cohort_result(
		account: &Account<T>,
		job: JobId,
		attempt: u8,
		views: &[WorkerJob],
		now: u64,
		store: &StorageValueRef<'_>,
	) -> Result<Option<Commitment>, Outage> {
		if let Some(other) = views
			.iter()
			.map(|v| v.status.as_str())
			.find(|s| !matches!(*s, "succeeded" | "failed" | "queued" | "running"))
		{
			return Err(Outage::Garbled(format!("unknown status {other:?}")));
		}
		let failed: Vec<&WorkerJob> = views.iter().filter(|v| v.status == "failed").collect();
		if let Some(first) = failed.first() {
			let transient =
				failed.iter().all(|v| v.error.as_ref().is_some_and(|e| transient(&e.kind)));
			let reason = first
				.error
				.as_ref()
				.map(|e| format!("{}: {}", e.kind, e.message))
				.unwrap_or_else(|| "no reason given".into());
			log::warn!(target: "runtime::jobs", "job {job}: synod-worker failed {} member(s) ({reason}){}", failed.len(), if transient { "; will retry" } else { "" });
			store.set(&LocalJob::Failed { attempt, at: now, transient });
			return Ok(None);
		}
		if views.iter().any(|v| v.status != "succeeded") {
			return Ok(None);
		}
		let digests = views
			.iter()
			.map(|v| v.output.as_ref().and_then(|o| parse_hash32(&o.digest)))
			.collect::<Option<Vec<Hash32>>>()
			.ok_or_else(|| Outage::Garbled("a member's result without a valid digest".into()))?;
		let members = MemberDigests::try_from(digests)
			.map_err(|_| Outage::Garbled("more members than a cohort holds".into()))?;
		let root = members_root(&members);
		let salt = fresh_salt(&account.id, job);
		StorageValueRef::persistent(&members_key(&account.id, job)).set(&members);
		store.set(&LocalJob::Ready {
			digest: root,
			salt,
			commit_sent: None,
			reveal_sent: None,
			output: None,
		});
		log::info!(target: "runtime::jobs", "🧮 job {job}: synod-worker's digests of {} members, root 0x{}; committing", members.len(), hex(&root));
		Ok(Some(commitment_of(&root, &salt, &account.id)))
	}

	/// Hands `job` to the worker (attempt `attempt`) and records it as submitted.
	fn submit_to_worker(
		account: &Account<T>,
		job: JobId,
		record: &JobOf<T>,
		attempt: u8,
		now: u64,
		url: &str,
	) -> Result<(), Outage> {
		let key = job_key(&account.id, job);
		let store = StorageValueRef::persistent(&key);
		let Some(manifest) = T::Models::manifest(&record.model) else {
			log::error!(target: "runtime::jobs", "job {job}: its model is not registered");
			store.set(&LocalJob::Failed { attempt, at: now, transient: false });
			return Ok(());
		};
		let inputs = match Self::inputs(job, record, &manifest) {
			Ok(inputs) => inputs,
			Err((reason, transient)) => {
				log::warn!(target: "runtime::jobs", "job {job}: input unavailable: {reason}");
				store.set(&LocalJob::Failed { attempt, at: now, transient });
				return Ok(());
			},
		};
		let id = worker_job_id(job, &record.model, &record.input_hash, attempt);
		let [input] = inputs.as_slice() else {
			return Self::submit_cohort(job, attempt, now, &manifest, &inputs, id, url, &store);
		};
		let body = serde_json::json!({
			"id": id,
			"model": manifest_json(&manifest),
			"input_hex": hex(input),
		});
		let body = serde_json::to_vec(&body).map_err(|e| Outage::Garbled(format!("{e}")))?;
		let answer = ocw::post_json(&format!("{url}/v1/jobs"), body, WORKER_TIMEOUT_MS)
			.map_err(Outage::Unreachable)?;
		match answer.code {
			200 | 202 | 422 => {
				store.set(&LocalJob::Submitted { worker_id: id.clone().into_bytes(), attempt });
				log::info!(target: "runtime::jobs", "📨 job {job} handed to synod-worker as {id}");
				if answer.code == 422 {
					// Refused outright (bad input for the manifest): record the reason now.
					let view = Self::parse_view(answer.code, &answer.body)?;
					Self::take_result(account, job, record, attempt, view, now, &store)?;
				}
				Ok(())
			},
			503 => {
				log::warn!(target: "runtime::jobs", "job {job}: synod-worker is busy (503); retrying next block");
				Ok(())
			},
			code => Err(Outage::Garbled(format!(
				"POST /v1/jobs answered {code}: {}",
				String::from_utf8_lossy(answer.body.get(..200).unwrap_or(&answer.body))
			))),
		}
	}

	/// The inputs to hand to the worker: the job's one input, or a cohort's members in order;
	/// inline, or fetched from their `http(s)` URI and checked against their hash. The error
	/// says why and whether trying again may help.
	fn inputs(
		job: JobId,
		record: &JobOf<T>,
		manifest: &ModelManifest,
	) -> Result<Vec<Vec<u8>>, (String, bool)> {
		match &record.input {
			JobInput::Inline(bytes) => Ok(alloc::vec![bytes.to_vec()]),
			JobInput::Remote { hash, uri } => {
				Ok(alloc::vec![Self::remote_input(job, hash, uri, manifest)?])
			},
			JobInput::Cohort(members) => members
				.iter()
				.map(|m| match m {
					MemberInput::Inline(bytes) => Ok(bytes.to_vec()),
					MemberInput::Remote { hash, uri } => {
						Self::remote_input(job, hash, uri, manifest)
					},
				})
				.collect(),
		}
	}

	/// Fetches an input from its `http(s)` URI and checks it against its hash.
	fn remote_input(
		job: JobId,
		hash: &Hash32,
		uri: &[u8],
		manifest: &ModelManifest,
	) -> Result<Vec<u8>, (String, bool)> {
		let uri = core::str::from_utf8(uri)
			.map_err(|_| (String::from("the input URI is not UTF-8"), false))?;
		if !(uri.starts_with("http://") || uri.starts_with("https://")) {
			return Err((format!("{uri}: only http(s) inputs are fetched here"), false));
		}
		log::info!(target: "runtime::jobs", "job {job}: fetching input from {uri}");
		let answer =
			ocw::get(uri, INPUT_TIMEOUT_MS).map_err(|e| (format!("{uri}: {e:?}"), true))?;
		if answer.code != 200 {
			return Err((format!("{uri}: HTTP {}", answer.code), true));
		}
		let limit = usize::try_from(manifest.max_input_bytes).unwrap_or(usize::MAX);
		if answer.body.len() > limit {
			return Err((format!("{uri}: larger than the model's max input"), false));
		}
		if sp_crypto_hashing::blake2_256(&answer.body) != *hash {
			return Err((format!("{uri}: the bytes do not match the input hash"), false));
		}
		Ok(answer.body)
	}

	/// Sends `items` as one `commit` or as `commit_batch`es, and marks them sent.
	fn send_commits(account: &Account<T>, items: Vec<(JobId, Commitment)>, now: u64) {
		for chunk in items.chunks(usize::try_from(T::MaxBatch::get()).unwrap_or(1).max(1)) {
			let call = match chunk {
				[(job, commitment)] => Call::<T>::commit { job: *job, commitment: *commitment },
				_ => match BoundedVec::try_from(chunk.to_vec()) {
					Ok(items) => Call::<T>::commit_batch { items },
					Err(_) => continue,
				},
			};
			if Self::send(account, call) {
				for (job, _) in chunk {
					Self::mark(account, *job, |c, _| *c = Some(now));
				}
				log::info!(target: "runtime::jobs", "🔒 committed {} job(s) for {:?}", chunk.len(), account.id);
			}
		}
	}

	/// Sends `items` as one `reveal` or as `reveal_batch`es, and marks them sent.
	fn send_reveals(account: &Account<T>, items: Vec<RevealItem>, now: u64) {
		for chunk in items.chunks(usize::try_from(T::MaxBatch::get()).unwrap_or(1).max(1)) {
			let call = match chunk {
				[(job, digest, salt, output)] => Call::<T>::reveal {
					job: *job,
					digest: *digest,
					salt: *salt,
					output: output.clone(),
				},
				_ => match BoundedVec::try_from(chunk.to_vec()) {
					Ok(items) => Call::<T>::reveal_batch { items },
					Err(_) => continue,
				},
			};
			if Self::send(account, call) {
				for (job, ..) in chunk {
					Self::mark(account, *job, |_, r| *r = Some(now));
				}
				log::info!(target: "runtime::jobs", "🔓 revealed {} job(s) for {:?}", chunk.len(), account.id);
			}
		}
	}

	/// Signs `call` with `account`'s key and puts it in the transaction pool.
	fn send(account: &Account<T>, call: Call<T>) -> bool {
		let sent = Signer::<T, T::AuthorityId>::all_accounts()
			.with_filter(alloc::vec![account.public.clone()])
			.send_signed_transaction(|_| call.clone());
		let ok = sent.iter().any(|(_, r)| r.is_ok());
		if !ok {
			log::warn!(target: "runtime::jobs", "could not send a transaction for {:?}; retrying later", account.id);
		}
		ok
	}

	/// Updates the send marks of a ready job.
	fn mark(account: &Account<T>, job: JobId, f: impl FnOnce(&mut Option<u64>, &mut Option<u64>)) {
		let key = job_key(&account.id, job);
		let store = StorageValueRef::persistent(&key);
		if let Ok(Some(LocalJob::Ready {
			digest,
			salt,
			mut commit_sent,
			mut reveal_sent,
			output,
		})) = store.get::<LocalJob>()
		{
			f(&mut commit_sent, &mut reveal_sent);
			store.set(&LocalJob::Ready { digest, salt, commit_sent, reveal_sent, output });
		}
	}

	/// Drops the local state of jobs that are no longer assigned to `account` and records the
	/// open ones.
	fn forget_closed(account: &Account<T>, open: &[JobId]) {
		let key = index_key(&account.id);
		let index = StorageValueRef::persistent(&key);
		let known: Vec<JobId> = index.get().ok().flatten().unwrap_or_default();
		for job in known.iter().filter(|j| !open.contains(j)) {
			for key in [job_key(&account.id, *job), members_key(&account.id, *job)] {
				StorageValueRef::persistent(&key).clear();
			}
		}
		index.set(&open.to_vec());
	}
}
