//! Sending signed transactions: commits and single reveals batched per key and block, a
//! cohort's reveal on its own.

use alloc::vec::Vec;
use frame_support::BoundedVec;
use frame_system::offchain::{Account, SendSignedTransaction, Signer};
use sp_runtime::traits::Get;

use synod_primitives::digest::Hash32;

use super::local::Sent;
use crate::{
	types::{Commitment, JobId, Reveal, RevealItem, Salt},
	Call, Config, Pallet, LOG_TARGET,
};

impl<T: Config> Pallet<T> {
	/// Sends `items` as one `commit` or as `commit_batch`es, and marks them sent.
	pub(crate) fn send_commits(account: &Account<T>, items: Vec<(JobId, Commitment)>, now: u64) {
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
					Self::mark(account, *job, Sent::Commit, now);
				}
				log::info!(target: LOG_TARGET, "🔒 committed {} job(s) for {:?}", chunk.len(), account.id);
			}
		}
	}

	/// Sends `items`: single jobs' reveals as one `reveal` or as `reveal_batch`es, each
	/// cohort's member digests as a `reveal_members`; marks them sent.
	pub(crate) fn send_reveals(account: &Account<T>, items: Vec<(JobId, Reveal, Salt)>, now: u64) {
		let mut outputs: Vec<RevealItem> = Vec::new();
		let mut cohorts = Vec::new();
		for (job, reveal, salt) in items {
			match reveal {
				Reveal::Output { digest, output } => outputs.push((job, digest, salt, output)),
				Reveal::Members { members, .. } => cohorts.push((job, members, salt)),
			}
		}
		for chunk in outputs.chunks(usize::try_from(T::MaxBatch::get()).unwrap_or(1).max(1)) {
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
					Self::mark(account, *job, Sent::Reveal, now);
				}
				log::info!(target: LOG_TARGET, "🔓 revealed {} job(s) for {:?}", chunk.len(), account.id);
			}
		}
		for (job, members, salt) in cohorts {
			let n = members.len();
			if Self::send(account, Call::<T>::reveal_members { job, members, salt }) {
				Self::mark(account, job, Sent::Reveal, now);
				log::info!(target: LOG_TARGET, "🔓 revealed job {job} ({n} members) for {:?}", account.id);
			}
		}
	}

	/// Sends first-round seals as one `seal` or as `seal_batch`es, and marks them sent.
	pub(crate) fn send_seals(account: &Account<T>, items: Vec<(JobId, Hash32, Salt)>, now: u64) {
		for chunk in items.chunks(usize::try_from(T::MaxBatch::get()).unwrap_or(1).max(1)) {
			let call = match chunk {
				[(job, seal, salt)] => Call::<T>::seal { job: *job, seal: *seal, salt: *salt },
				_ => match BoundedVec::try_from(chunk.to_vec()) {
					Ok(items) => Call::<T>::seal_batch { items },
					Err(_) => continue,
				},
			};
			if Self::send(account, call) {
				for (job, ..) in chunk {
					Self::mark(account, *job, Sent::Seal, now);
				}
				log::info!(target: LOG_TARGET, "🔏 sealed {} job(s) for {:?}", chunk.len(), account.id);
			}
		}
	}

	/// Signs `call` with `account`'s key and puts it in the transaction pool.
	pub(crate) fn send(account: &Account<T>, call: Call<T>) -> bool {
		let sent = Signer::<T, T::AuthorityId>::all_accounts()
			.with_filter(alloc::vec![account.public.clone()])
			.send_signed_transaction(|_| call.clone());
		let ok = sent.iter().any(|(_, r)| r.is_ok());
		if !ok {
			log::warn!(target: LOG_TARGET, "could not send a transaction for {:?}; retrying later", account.id);
		}
		ok
	}
}
