//! The commit window: commitments, and what happens when the window closes with some missing
//! (the silent are replaced, or reveals open for those who committed).

use alloc::vec::Vec;
use frame_support::{ensure, traits::Get, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::Saturating, DispatchError, DispatchResult};

use crate::{
	lifecycle::assign::PoolOf,
	types::{Commitment, JobId, JobStatus},
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
			let now = frame_system::Pallet::<T>::block_number();
			Self::start_reveal(job, &mut record, now)?;
		}
		Open::<T>::insert(job, record);
		Ok(())
	}

	/// Opens the reveal window of `record` at block `now`.
	pub(crate) fn start_reveal(
		job: JobId,
		record: &mut JobOf<T>,
		now: BlockNumberFor<T>,
	) -> DispatchResult {
		let end = now.saturating_add(T::RevealWindow::get()).min(record.deadline);
		let end = Self::schedule(job, end.max(now.saturating_add(1u32.into())), record.deadline)?;
		record.status = JobStatus::Revealing;
		record.phase_end = end;
		Self::deposit_event(Event::RevealStarted { job, reveal_end: end });
		Ok(())
	}

	/// The commit window of `job` ended at `n` with commits missing. Where time and eligible
	/// providers allow, the silent providers are slashed now and replaced, and a new commit
	/// window opens; otherwise reveals open for those who committed (or, when nobody did, the
	/// round is tallied as it is).
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
		if !silent.is_empty() && Self::time_for_round(&record, n) {
			let count = u32::try_from(silent.len()).unwrap_or(u32::MAX);
			let replacements = Self::draw_from(job, &mut record, count, pool)?;
			if !replacements.is_empty() {
				for who in &silent {
					Self::slash_out(&mut record, who);
				}
				pool.retain(|c| !silent.contains(&c.who));
				let commit_end = Self::open_commits(job, &mut record, n)?;
				Open::<T>::insert(job, record);
				Self::deposit_event(Event::ProvidersReplaced {
					job,
					replaced: silent,
					providers: replacements,
					commit_end,
				});
				return Ok(Weight::zero());
			}
		}
		if record.assignments.iter().any(|a| a.in_round(round) && a.commitment.is_some()) {
			Self::start_reveal(job, &mut record, n)?;
			Open::<T>::insert(job, record);
			Ok(Weight::zero())
		} else {
			Self::conclude(job, record, n).map(|c| Self::concluded_weight(&c))
		}
	}
}
