//! Window ends: the hook's side of the lifecycle. Each block closes the windows that end in it.

use frame_support::{traits::Get, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;

use crate::{
	lifecycle::assign::Pools,
	types::{FailureReason, JobInput, JobStatus},
	weights::WeightInfo as _,
	Config, Open, Pallet, Timeouts, LOG_TARGET,
};

impl<T: Config> Pallet<T> {
	/// Closes the windows that end at block `n`; returns the weight it used: one read and write
	/// when none does; else the base, one read per entry of a job that moved on, the measured
	/// worst case of a commit window closing (replacing every provider) per commit window (twice
	/// when a stale pool made it try again) plus its tally when nobody committed, what the tally
	/// did per reveal window, and the worst case of a reveal for a failed try and for the
	/// decision that follows it; a cohort's entry adds `reveal_members` of its members.
	pub(crate) fn process_timeouts(n: BlockNumberFor<T>) -> Weight {
		let due = Timeouts::<T>::take(n);
		if due.is_empty() {
			return T::DbWeight::get().reads_writes(1, 1);
		}
		let base = T::WeightInfo::on_initialize_timeouts(0);
		let per_commit_window = T::WeightInfo::on_initialize_timeouts(1).saturating_sub(base);
		let mut weight = base;
		let mut pools = Pools::new();
		for job in due {
			let Some(record) = Open::<T>::get(job).filter(|r| r.phase_end == n) else {
				weight = weight.saturating_add(T::DbWeight::get().reads(1));
				continue;
			};
			if let JobInput::Cohort(_) = record.input {
				// What a cohort's members add to a settlement (its receipt and event list them):
				// bounded by what `reveal_members` measures for them.
				weight =
					weight.saturating_add(T::WeightInfo::reveal_members(record.input.members()));
			}
			let result = match record.status {
				// It waited for providers until a round no longer fit: refunded in full.
				JobStatus::Waiting { seq } => {
					weight = weight.saturating_add(per_commit_window);
					Self::leave_line(record.model, seq);
					Self::fail_or_void(job, record.clone(), FailureReason::DeadlineTooClose);
					Ok(())
				},
				JobStatus::Committing => {
					weight = weight.saturating_add(per_commit_window);
					let (result, retried) = Self::with_pool(&mut pools, record.model, |pool| {
						Self::close_commits(job, record.clone(), n, pool)
					});
					if retried {
						weight = weight.saturating_add(per_commit_window);
					}
					result.map(|tally| weight = weight.saturating_add(tally))
				},
				// Reveals are over: tally now.
				_ => {
					let result = frame_support::storage::with_storage_layer(|| {
						Self::conclude(job, record.clone(), n)
					});
					weight = weight.saturating_add(match &result {
						Ok(c) => Self::concluded_weight(c),
						// Undone, but the work was done.
						Err(_) => Self::reveal_weight_max(),
					});
					result.map(|_| ())
				},
			};
			if let Err(e) = result {
				log::warn!(target: LOG_TARGET, "closing a window of job {job}: {e:?}");
				// Decide with what there is, and void the job if even that fails. Each try is
				// all or nothing, so nothing is paid twice, and the job never stays open.
				if Open::<T>::contains_key(job) {
					weight = weight.saturating_add(Self::reveal_weight_max());
					if frame_support::storage::with_storage_layer(|| {
						Self::finalize(job, record.clone())
					})
					.is_err()
					{
						Self::void(job, record);
					}
				}
			}
		}
		weight
	}
}
