//! The provider node's off-chain worker: feeds assigned jobs to the local synod-worker and
//! answers them with commit-reveal.
//!
//! On each block, for every provider key in the node's keystore (key type `synd`, see
//! `synod_primitives::crypto`), under a per-key lock in persistent local storage:
//!
//! 1. every open assignment of that provider (`ProviderJobs`) still waiting for its commit is
//!    handed to the worker (`POST /v1/jobs`, or one `POST /v1/batch/submit` for a cohort's
//!    members, which answer at once), then polled (`GET /v1/jobs/{id}`,
//!    `POST /v1/batch/query`) in the next blocks;
//! 2. when the worker has the result, a salt is drawn from the node's off-chain randomness,
//!    and the [`Reveal`] and salt are written to persistent local storage **before** the
//!    commitment (to the seal of the answer for the provider's round, `types::seal_of`) is
//!    sent, so a crash can never leave a commitment without the means to reveal it;
//! 3. once reveals are open, a first-round provider sends its seal; once nobody is left to
//!    commit (the job waits for its openings, or an escalation's providers have committed) it
//!    opens the stored reveal: a single job's digest with its quantized output when it has at
//!    most `MAX_SMALL_OUTPUT` elements (the chain compares small outputs within the model's
//!    tolerance), a cohort's member digests. With unanimous seals one opening settles the
//!    job: the first provider that sealed opens at once, the others only if the job still
//!    waits [`RESEND_AFTER`] blocks later. An escalation's provider reveals its answer;
//!    one slashed and replaced sends nothing;
//! 4. all commits of one key in one block go out as one transaction (`commit` or
//!    `commit_batch`), and likewise the seals (`seal`, `seal_batch`) and the single jobs'
//!    reveals;
//! 5. outputs the receipt will not hold (larger than `MAX_SMALL_OUTPUT`, a cohort's members)
//!    are kept from the worker's answer and delivered on chain after settlement
//!    (`deliver_output`, [`deliver`]), each agreeing provider in its turn: they are paid for
//!    them only once the payer can read them.
//!
//! A worker that is down, slow or failing costs a log line and a retry in the next block; an
//! unsent or dropped transaction is sent again after [`RESEND_AFTER`] blocks with the same
//! commitment (the chain refuses a second commit, so nothing is ever committed twice). Local
//! state of jobs that are no longer assigned is removed. The worker URL is what the node's
//! `--worker-url` flag stored (`synod_primitives::ocw::worker_url`).
//!
//! By concern: [`local`] (what the node keeps per job), [`client`] (the synod-worker HTTP
//! client, on `synod_primitives::worker_api`'s types), [`inputs`] (inline and remote inputs),
//! [`send`] (signed transactions).

pub mod client;
pub mod deliver;
pub mod inputs;
pub mod local;
pub mod send;

use alloc::{string::String, vec::Vec};
use frame_system::{offchain::Account, pallet_prelude::BlockNumberFor};
use sp_runtime::{
	offchain::{
		storage_lock::{BlockAndTime, StorageLock},
		Duration,
	},
	traits::UniqueSaturatedInto,
};
pub use synod_primitives::worker_api::{hex, member_id, parse_hash32, worker_job_id};
use synod_primitives::{digest::Hash32, ocw};

pub use client::manifest_json;
use client::Outage;
pub use local::{index_key, job_key, lock_key, LocalJob, Sent};

use crate::{
	types::{seal_of, Commitment, JobId, JobStatus, Reveal, Salt},
	Config, JobOf, Open, Pallet, ProviderJobs, LOG_TARGET,
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

/// One open job of one local provider key in this run: what every step works on.
pub struct JobCtx<'a, T: Config> {
	/// The provider key.
	pub account: &'a Account<T>,
	/// The chain's job id.
	pub job: JobId,
	/// The job as stored on chain.
	pub record: &'a JobOf<T>,
	/// The block this run is for.
	pub now: u64,
	/// The local synod-worker's URL.
	pub url: &'a str,
}

/// What one job asks of the off-chain worker in this block.
enum Step {
	Nothing,
	Commit(Commitment),
	Seal(Hash32, Salt),
	Reveal(Reveal, Salt),
}

impl<T: Config> Pallet<T> {
	/// The off-chain worker's round at block `now`: every local provider key, one at a time.
	pub(crate) fn offchain_jobs(now: BlockNumberFor<T>) {
		let now: u64 = now.unique_saturated_into();
		let url = ocw::worker_url();
		for account in frame_system::offchain::Signer::<T, T::AuthorityId>::keystore_accounts() {
			let key = lock_key(&account.id);
			let mut lock =
				StorageLock::<BlockAndTime<frame_system::Pallet<T>>>::with_block_and_time_deadline(
					&key,
					2,
					Duration::from_millis(60_000),
				);
			let Ok(_guard) = lock.try_lock() else {
				log::debug!(target: LOG_TARGET, "another off-chain worker run holds {:?}", account.id);
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
		let mut seals: Vec<(JobId, Hash32, Salt)> = Vec::new();
		let mut reveals: Vec<(JobId, Reveal, Salt)> = Vec::new();
		let mut worker_up = true;
		for &job in &open {
			let Some(record) = Open::<T>::get(job) else { continue };
			let cx = JobCtx { account, job, record: &record, now, url };
			match Self::step(&cx, &mut worker_up) {
				Step::Nothing => {},
				Step::Commit(c) => commits.push((job, c)),
				Step::Seal(seal, s) => seals.push((job, seal, s)),
				Step::Reveal(r, s) => reveals.push((job, r, s)),
			}
		}
		Self::send_commits(account, commits, now);
		Self::send_seals(account, seals, now);
		Self::send_reveals(account, reveals, now);
		Self::forget_closed(account, &open);
		Self::deliver_outputs(account, now);
	}

	/// What to do for the job of `cx` now.
	fn step(cx: &JobCtx<'_, T>, worker_up: &mut bool) -> Step {
		let (job, record, who) = (cx.job, cx.record, &cx.account.id);
		let Some(slot) = record.assignments.iter().find(|a| a.provider == *who) else {
			return Step::Nothing;
		};
		if slot.slashed {
			// Missed its window and was replaced: nothing to send.
			return Step::Nothing;
		}
		let local = cx.local();
		let fresh =
			|sent: Option<u64>| sent.is_some_and(|at| cx.now < at.saturating_add(RESEND_AFTER));
		// A first-round answer is opened once nobody is left to commit.
		let opening = slot.round == 0
			&& slot.sealed.is_some()
			&& (record.status == JobStatus::Opening
				|| (record.round == 1 && record.status == JobStatus::Revealing));
		match (record.status, slot.commitment, &slot.reveal) {
			(JobStatus::Committing, None, _) if slot.round == record.round => match local {
				Some(LocalJob::Ready { reveal, salt, commit_sent, .. }) => {
					if fresh(commit_sent) {
						Step::Nothing
					} else {
						Step::Commit(cx.commitment(&reveal.digest(), &salt))
					}
				},
				_ if !*worker_up => Step::Nothing,
				local => match Self::advance(cx, local) {
					Ok(Some(commitment)) => Step::Commit(commitment),
					Ok(None) => Step::Nothing,
					Err(Outage::Unreachable(e)) => {
						log::warn!(target: LOG_TARGET, "synod-worker at {} is unreachable ({e:?}); job {job} waits for it", cx.url);
						*worker_up = false;
						Step::Nothing
					},
					Err(Outage::Garbled(e)) => {
						log::warn!(target: LOG_TARGET, "job {job}: unexpected answer from synod-worker at {}: {e}", cx.url);
						Step::Nothing
					},
				},
			},
			(JobStatus::Revealing | JobStatus::Opening, Some(committed), None)
				if slot.round == record.round || opening =>
			{
				let Some(LocalJob::Ready { reveal, salt, seal_sent, reveal_sent, .. }) = local
				else {
					log::error!(target: LOG_TARGET, "job {job}: committed, but this node has no stored result to reveal");
					return Step::Nothing;
				};
				if cx.commitment(&reveal.digest(), &salt) != committed {
					log::error!(target: LOG_TARGET, "job {job}: the local result does not match the commitment on chain; cannot reveal");
					return Step::Nothing;
				}
				if !reveal.fits(&record.input) {
					log::error!(target: LOG_TARGET, "job {job}: the local result does not fit the job's input; cannot reveal");
					return Step::Nothing;
				}
				let seal = seal_of(job, 0, &reveal.digest());
				match (slot.round, slot.sealed) {
					// The first round seals while the escalation may still be drawn.
					(0, None) if record.round == 0 && record.status == JobStatus::Revealing => {
						if fresh(seal_sent) {
							Step::Nothing
						} else {
							Step::Seal(seal, salt)
						}
					},
					(0, Some(sealed)) if opening && sealed == seal => {
						// Unanimous seals need one opening: the first provider that sealed opens
						// at once, the others only if the job still waits a resend period later.
						let voters: Vec<_> =
							record.assignments.iter().filter(|a| !a.slashed).collect();
						let unanimous = record.status == JobStatus::Opening
							&& voters.iter().all(|a| a.sealed == Some(sealed));
						let first = voters.first().is_some_and(|a| a.provider == *who);
						if fresh(reveal_sent) {
							Step::Nothing
						} else if unanimous && !first && reveal_sent.is_none() {
							Self::mark(cx.account, job, Sent::Reveal, cx.now);
							Step::Nothing
						} else {
							Step::Reveal(reveal, salt)
						}
					},
					(1, _) if record.status == JobStatus::Revealing => {
						if fresh(reveal_sent) {
							Step::Nothing
						} else {
							Step::Reveal(reveal, salt)
						}
					},
					_ => Step::Nothing,
				}
			},
			_ => Step::Nothing,
		}
	}

	/// Moves a job that has no result yet one step on with the worker; returns the commitment
	/// once there is a result (its reveal and salt already stored).
	fn advance(cx: &JobCtx<'_, T>, local: Option<LocalJob>) -> Result<Option<Commitment>, Outage> {
		let attempt = match local {
			None => 0,
			Some(LocalJob::Failed { attempt, at, transient }) => {
				if !transient || attempt.saturating_add(1) >= MAX_ATTEMPTS {
					return Ok(None);
				}
				if cx.now < at.saturating_add(RETRY_AFTER) {
					return Ok(None);
				}
				attempt.saturating_add(1)
			},
			Some(LocalJob::Submitted { worker_id, attempt }) => {
				let id = String::from_utf8_lossy(&worker_id).into_owned();
				return Self::poll(cx, &id, attempt);
			},
			Some(LocalJob::Ready { .. }) => return Ok(None),
		};
		Self::submit_to_worker(cx, attempt).map(|()| None)
	}
}
