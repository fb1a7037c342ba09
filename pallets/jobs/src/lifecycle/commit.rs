//! The commit window: commitments, and what happens when the window closes with some missing
//! (the silent are replaced, or reveals open for those who committed).

use alloc::vec::Vec;
use frame_support::{ensure, storage::with_storage_layer, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{DispatchError, DispatchResult};

use crate::{
	lifecycle::assign::PoolOf,
	types::{Audit, Commitment, JobId, JobStatus},
	Config, Error, Event, JobOf, Open, Pallet,
};

impl<T: Config> Pallet<T> {
	/// Records `who`'s commitment for `job`; opens reveals when it was the last one of the round.
	pub(crate) fn do_commit(
		who: &T::AccountId,
		job: JobId,
		commitment: Commitment,
	) -> DispatchResult {
		let mut record = Open::<T>::get(job).ok_or(Error::<T>::JobNotFound)?;
		let round = record.round;
		let slot = record
			.assignments
			.iter_mut()
			.find(|a| a.provider == *who)
			.ok_or(Error::<T>::NotAssigned)?;
		ensure!(record.status == JobStatus::Committing, Error::<T>::CommitWindowClosed);
		ensure!(slot.in_round(round), Error::<T>::NotInRound);
		ensure!(slot.commitment.is_none(), Error::<T>::AlreadyCommitted);
		slot.commitment = Some(commitment);
		Self::deposit_event(Event::Committed { job, provider: who.clone() });
		if record.assignments.iter().filter(|a| a.in_round(round)).all(|a| a.commitment.is_some()) {
			if record.audit == Some(Audit::Pending) {
				let now = frame_system::Pallet::<T>::block_number();
				Self::await_audit(job, &mut record, now);
			} else {
				Self::start_reveal(job, &mut record);
			}
		}
		Open::<T>::insert(job, record);
		Ok(())
	}

	/// Opens the reveal window of `record`; it ends at the block scheduled with the commit
	/// window (`Job::reveal_end`), so opening it cannot fail.
	pub(crate) fn start_reveal(job: JobId, record: &mut JobOf<T>) {
		record.status = JobStatus::Revealing;
		record.phase_end = record.reveal_end;
		Self::deposit_event(Event::RevealStarted { job, reveal_end: record.reveal_end });
	}

	/// The commit window of `job` ended at `n` (or, for an audited job whose primary committed,
	/// its audit is due). Where commits are missing and time and eligible providers allow, the
	/// silent providers are slashed now and replaced, and a new commit window opens; otherwise
	/// an audited job's audit is decided (`decide_audit`), and reveals open for those who
	/// committed (or, when nobody did, the round is tallied as it is).
	///
	/// Replacements come from `pool`, the eligible providers of the job's model; the
	/// silent ones leave it for the rest of the block. Returns the weight of the tally when
	/// the round had to be tallied (nobody committed, nobody to replace them with), else zero.
	pub(crate) fn close_commits(
		job: JobId,
		mut record: JobOf<T>,
		n: BlockNumberFor<T>,
		pool: &mut PoolOf<T>,
	) -> Result<Weight, DispatchError> {
		let round = record.round;
		let silent: Vec<T::AccountId> = record
			.assignments
			.iter()
			.filter(|a| a.in_round(round) && a.commitment.is_none())
			.map(|a| a.provider.clone())
			.collect();
		// A silent primary is replaced only while its audit, whenever it comes, still fits.
		let time = match record.audit {
			Some(Audit::Pending) => Self::time_for_audit(&record, n),
			_ => Self::time_for_round(&record, n),
		};
		if !silent.is_empty() && time {
			// All or nothing, the pool included: a replacement that cannot be drawn or
			// scheduled (a full schedule) leaves the round to those who committed.
			let before = pool.clone();
			let replaced = with_storage_layer(|| {
				let mut record = record.clone();
				let count = u32::try_from(silent.len()).unwrap_or(u32::MAX);
				let replacements = Self::draw_from(job, &mut record, count, pool)?;
				if replacements.is_empty() {
					return Err(DispatchError::Other("no replacement"));
				}
				for who in &silent {
					Self::slash_out(&mut record, who);
				}
				let commit_end = Self::open_commits(job, &mut record, n)?;
				Open::<T>::insert(job, record);
				Self::deposit_event(Event::ProvidersReplaced {
					job,
					replaced: silent.clone(),
					providers: replacements,
					commit_end,
				});
				Ok(())
			});
			if replaced.is_ok() {
				pool.retain(|c| !silent.contains(&c.who));
				return Ok(Weight::zero());
			}
			*pool = before;
		}
		if record.assignments.iter().any(|a| a.in_round(round) && a.commitment.is_some()) {
			if matches!(record.audit, Some(Audit::Pending | Audit::Canary(_))) {
				return Self::decide_audit(job, record, n, pool);
			}
			Self::start_reveal(job, &mut record);
			Open::<T>::insert(job, record);
			Ok(Weight::zero())
		} else {
			Self::conclude(job, record, n).map(|c| Self::concluded_weight(&c))
		}
	}
}
