//! What the node keeps about its providers' jobs, in persistent local storage.

use alloc::vec::Vec;
use codec::{Decode, Encode};
use frame_system::offchain::Account;
use sp_runtime::offchain::storage::StorageValueRef;

use synod_primitives::digest::{unservable_digest, Hash32, Unservable};

use super::JobCtx;
use crate::{
	types::{commitment_of, seal_of, Commitment, JobId, Reveal, Salt},
	Config, Pallet,
};

/// What this node knows about one of its provider's jobs.
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
	/// The result, and the salt committed with it.
	Ready {
		/// What to reveal: its digest is what was committed to.
		reveal: Reveal,
		/// The salt (drawn before the commitment is sent).
		salt: Salt,
		/// When the commit was last sent.
		commit_sent: Option<u64>,
		/// When the seal (first round) was last sent.
		seal_sent: Option<u64>,
		/// When the reveal was last sent.
		reveal_sent: Option<u64>,
	},
}

/// What a ready job's node sent.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Sent {
	/// Its commitment.
	Commit,
	/// Its seal (first round).
	Seal,
	/// Its reveal (an escalated round's answer, or a first-round opening).
	Reveal,
}

/// The local-storage key of `who`'s job `job`.
pub fn job_key<AccountId: Encode>(who: &AccountId, job: JobId) -> Vec<u8> {
	(b"synod::job::", who, job).encode()
}

/// The local-storage key of the list of `who`'s jobs with local state.
pub fn index_key<AccountId: Encode>(who: &AccountId) -> Vec<u8> {
	(b"synod::jobs::", who).encode()
}

/// The local-storage key of `who`'s lock.
pub fn lock_key<AccountId: Encode>(who: &AccountId) -> Vec<u8> {
	(b"synod::ocw-lock::", who).encode()
}

/// A salt for `who`'s result of `job`, from the node's off-chain randomness.
pub(crate) fn fresh_salt<AccountId: Encode>(who: &AccountId, job: JobId) -> Salt {
	sp_crypto_hashing::blake2_256(&(sp_io::offchain::random_seed(), who, job).encode())
}

impl<T: Config> JobCtx<'_, T> {
	/// The local state of this job.
	pub(crate) fn local(&self) -> Option<LocalJob> {
		let key = job_key(&self.account.id, self.job);
		StorageValueRef::persistent(&key).get::<LocalJob>().ok().flatten()
	}

	/// Replaces the local state of this job.
	pub(crate) fn set_local(&self, state: &LocalJob) {
		let key = job_key(&self.account.id, self.job);
		StorageValueRef::persistent(&key).set(state);
	}

	/// Records that attempt `attempt` failed now.
	pub(crate) fn set_failed(&self, attempt: u8, transient: bool) {
		self.set_local(&LocalJob::Failed { attempt, at: self.now, transient });
	}

	/// The round this node's provider answers in this job (0 unless it was drawn for the
	/// escalation).
	pub(crate) fn round(&self) -> u8 {
		self.record
			.assignments
			.iter()
			.find(|a| a.provider == self.account.id)
			.map_or(0, |a| a.round)
	}

	/// The commitment to `digest` with `salt`: to its seal for this provider's round.
	pub(crate) fn commitment(&self, digest: &Hash32, salt: &Salt) -> Commitment {
		commitment_of(&seal_of(self.job, self.round(), digest), salt, &self.account.id)
	}

	/// Stores the "cannot serve" answer of kind `why` as this job's result (with a fresh salt,
	/// as any result) and returns the commitment to it.
	pub(crate) fn set_unservable(&self, why: Unservable) -> Commitment {
		let digest = unservable_digest(&self.record.model, &self.record.input_hash, why);
		let salt = self.set_ready(Reveal::Output { digest, output: None });
		self.commitment(&digest, &salt)
	}

	/// Stores `reveal` with a fresh salt, before anything is sent, and returns the salt.
	pub(crate) fn set_ready(&self, reveal: Reveal) -> Salt {
		let salt = fresh_salt(&self.account.id, self.job);
		self.set_local(&LocalJob::Ready {
			reveal,
			salt,
			commit_sent: None,
			seal_sent: None,
			reveal_sent: None,
		});
		salt
	}
}

impl<T: Config> Pallet<T> {
	/// Updates the send marks (commit, reveal) of a ready job.
	pub(crate) fn mark(account: &Account<T>, job: JobId, what: Sent, now: u64) {
		let key = job_key(&account.id, job);
		let store = StorageValueRef::persistent(&key);
		if let Ok(Some(LocalJob::Ready {
			reveal,
			salt,
			mut commit_sent,
			mut seal_sent,
			mut reveal_sent,
		})) = store.get::<LocalJob>()
		{
			match what {
				Sent::Commit => commit_sent = Some(now),
				Sent::Seal => seal_sent = Some(now),
				Sent::Reveal => reveal_sent = Some(now),
			}
			store.set(&LocalJob::Ready { reveal, salt, commit_sent, seal_sent, reveal_sent });
		}
	}

	/// Drops the local state of jobs that are no longer assigned to `account` and records the
	/// open ones.
	pub(crate) fn forget_closed(account: &Account<T>, open: &[JobId]) {
		let key = index_key(&account.id);
		let index = StorageValueRef::persistent(&key);
		let known: Vec<JobId> = index.get().ok().flatten().unwrap_or_default();
		for job in known.iter().filter(|j| !open.contains(j)) {
			StorageValueRef::persistent(&job_key(&account.id, *job)).clear();
		}
		index.set(&open.to_vec());
	}
}
