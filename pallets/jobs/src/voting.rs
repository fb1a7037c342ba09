//! Commit-reveal and the windows that drive it.

use codec::Encode;
use frame_support::{ensure, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::Saturating, DispatchResult};
use synod_primitives::digest::Hash32;

use crate::{
	types::{Commitment, JobId, JobStatus, Salt},
	Config, Error, Event, JobOf, Jobs, Pallet, Seed, Timeouts,
};

/// The commitment a provider sends for `digest` with `salt`.
pub fn commitment_of<AccountId: Encode>(
	digest: &Hash32,
	salt: &Salt,
	provider: &AccountId,
) -> Commitment {
	sp_crypto_hashing::blake2_256(&(digest, salt, provider).encode())
}

impl<T: Config> Pallet<T> {
	/// Records `who`'s commitment for `job`; opens reveals when it was the last one.
	pub(crate) fn do_commit(
		who: &T::AccountId,
		job: JobId,
		commitment: Commitment,
	) -> DispatchResult {
		let mut record = Jobs::<T>::get(job).ok_or(Error::<T>::JobNotFound)?;
		let slot = record
			.assignments
			.iter_mut()
			.find(|a| a.provider == *who)
			.ok_or(Error::<T>::NotAssigned)?;
		ensure!(record.status == JobStatus::Committing, Error::<T>::CommitWindowClosed);
		ensure!(slot.commitment.is_none(), Error::<T>::AlreadyCommitted);
		slot.commitment = Some(commitment);
		Self::deposit_event(Event::Committed { job, provider: who.clone() });
		if record.assignments.iter().all(|a| a.commitment.is_some()) {
			let now = frame_system::Pallet::<T>::block_number();
			Self::start_reveal(job, &mut record, now)?;
		}
		Jobs::<T>::insert(job, record);
		Ok(())
	}

	/// Opens the reveal window of `record` at block `now`.
	fn start_reveal(job: JobId, record: &mut JobOf<T>, now: BlockNumberFor<T>) -> DispatchResult {
		let end = now.saturating_add(T::RevealWindow::get()).min(record.deadline);
		let end = Self::schedule(job, end.max(now.saturating_add(1u32.into())), record.deadline)?;
		record.status = JobStatus::Revealing;
		record.phase_end = end;
		Self::deposit_event(Event::RevealStarted { job, reveal_end: end });
		Ok(())
	}

	/// Checks `who`'s reveal against its commitment; settles when it was the last one.
	pub(crate) fn do_reveal(
		who: &T::AccountId,
		job: JobId,
		digest: Hash32,
		salt: Salt,
	) -> DispatchResult {
		let mut record = Jobs::<T>::get(job).ok_or(Error::<T>::JobNotFound)?;
		let slot = record
			.assignments
			.iter_mut()
			.find(|a| a.provider == *who)
			.ok_or(Error::<T>::NotAssigned)?;
		ensure!(record.status == JobStatus::Revealing, Error::<T>::RevealWindowNotOpen);
		let committed = slot.commitment.ok_or(Error::<T>::NotCommitted)?;
		ensure!(slot.digest.is_none(), Error::<T>::AlreadyRevealed);
		ensure!(commitment_of(&digest, &salt, who) == committed, Error::<T>::RevealMismatch);
		slot.digest = Some(digest);
		Seed::<T>::mutate(|seed| *seed = sp_crypto_hashing::blake2_256(&(*seed, salt).encode()));
		Self::deposit_event(Event::Revealed { job, provider: who.clone(), digest });
		let done = record.assignments.iter().all(|a| a.commitment.is_none() || a.digest.is_some());
		if done {
			Self::finalize(job, record)
		} else {
			Jobs::<T>::insert(job, record);
			Ok(())
		}
	}

	/// Closes the windows that end at block `n`; returns how many entries it handled.
	pub(crate) fn process_timeouts(n: BlockNumberFor<T>) -> u32 {
		let due = Timeouts::<T>::take(n);
		let count = u32::try_from(due.len()).unwrap_or(u32::MAX);
		for job in due {
			let Some(mut record) = Jobs::<T>::get(job) else { continue };
			if record.phase_end != n {
				continue;
			}
			let result = match record.status {
				JobStatus::Committing
					if record.assignments.iter().any(|a| a.commitment.is_some()) =>
				{
					frame_support::storage::with_storage_layer(|| {
						Self::start_reveal(job, &mut record, n)?;
						Jobs::<T>::insert(job, record.clone());
						Ok(())
					})
				},
				// Nobody committed, or reveals are over: decide now.
				_ => frame_support::storage::with_storage_layer(|| {
					Self::finalize(job, record.clone())
				}),
			};
			if let Err(e) = result {
				log::warn!(target: "runtime::jobs", "closing a window of job {job}: {e:?}");
				// No room to schedule the reveal window: decide with what there is. Each try
				// is all or nothing, so nothing is paid twice.
				if Jobs::<T>::contains_key(job) {
					if let Err(e) =
						frame_support::storage::with_storage_layer(|| Self::finalize(job, record))
					{
						frame_support::defensive!("job could not be finalized", e);
					}
				}
			}
		}
		count
	}
}
