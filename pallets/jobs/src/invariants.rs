//! The pallet's invariants, checked by `try_state` (and after every unit test).

use alloc::collections::btree_map::BTreeMap;
use frame_support::{ensure, traits::fungible::InspectHold};
use sp_runtime::traits::Saturating;
use synod_primitives::traits::ProviderRegistry;

use crate::{
	types::{BalanceOf, JobStatus},
	AssignCursor, Config, Deliveries, HoldReason, NextJobId, Open, Outputs, Pallet, ProviderJobs,
	Receipts, WaitLines, Waiting, WaitingModels,
};

impl<T: Config> Pallet<T> {
	/// - every account's held `JobEscrow` equals the escrow of its open jobs (zero without
	///   one): no failure leaves an escrow hold behind;
	/// - every account's held `JobDeposit` equals the deposits of its open jobs and receipts;
	/// - every account's locked collateral equals the collateral of its open assignments, and
	///   its running jobs their number: no failure leaves collateral locked;
	/// - no open job is past its deadline, and its current window ends by the deadline;
	/// - queued jobs are exactly the open jobs from `AssignCursor` on, and have no assignment;
	/// - waiting jobs are behind the cursor, without assignments, each with its entry in its
	///   model's line and its expiry scheduled by its deadline; every line is listed, bounded
	///   and not empty;
	/// - `ProviderJobs` lists exactly the assignments of open jobs;
	/// - a job escalates at most once;
	/// - a payer's held escrow also covers the payments waiting for its settled jobs' outputs;
	///   every delivered output has its receipt.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let now = frame_system::Pallet::<T>::block_number();
		let mut escrow: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (_, receipt) in Receipts::<T>::iter() {
			let sum = deposits.entry(receipt.payer.clone()).or_default();
			*sum = sum.saturating_add(receipt.deposit);
		}
		let mut assignments: u32 = 0;
		let mut waiting: u32 = 0;
		let mut collateral: BTreeMap<T::AccountId, (BalanceOf<T>, u32)> = BTreeMap::new();
		let cursor = AssignCursor::<T>::get();
		let index: BTreeMap<T::AccountId, _> = ProviderJobs::<T>::iter().collect();
		let indexed =
			|who: &T::AccountId, id| index.get(who).is_some_and(|jobs| jobs.contains(&id));
		for (id, job) in Open::<T>::iter() {
			let sum = escrow.entry(job.payer.clone()).or_default();
			*sum = sum.saturating_add(job.escrow);
			let sum = deposits.entry(job.payer.clone()).or_default();
			*sum = sum.saturating_add(job.deposit);
			ensure!(now <= job.deadline, "open job past its deadline");
			if job.status == JobStatus::Queued {
				ensure!(id >= cursor, "queued job behind the assignment cursor");
				ensure!(job.assignments.is_empty(), "queued job with assignments");
			} else if let JobStatus::Waiting { seq } = job.status {
				ensure!(id < cursor, "waiting job ahead of the assignment cursor");
				ensure!(job.assignments.is_empty(), "waiting job with assignments");
				let line = WaitLines::<T>::get(job.model);
				ensure!(line.head <= seq && seq < line.tail, "waiting job outside its line");
				ensure!(
					Waiting::<T>::get(job.model, seq)
						.is_some_and(|w| w.job == id && w.expiry == job.phase_end),
					"waiting job without its entry"
				);
				// Its expiry is scheduled: it is assigned or refunded by its deadline.
				ensure!(
					job.phase_end > now
						&& job.phase_end <= job.deadline
						&& crate::Timeouts::<T>::get(job.phase_end).contains(&id),
					"waiting job's expiry"
				);
				waiting = waiting.saturating_add(1);
			} else {
				ensure!(id < cursor, "assigned job ahead of the assignment cursor");
				ensure!(job.phase_end <= job.deadline, "window ends after the deadline");
				ensure!(job.phase_end >= now, "window already over");
			}
			for a in &job.assignments {
				assignments = assignments.saturating_add(1);
				ensure!(indexed(&a.provider, id), "assignment not indexed");
				let (sum, count) = collateral.entry(a.provider.clone()).or_default();
				*sum = sum.saturating_add(a.collateral);
				*count = count.saturating_add(1);
			}
			ensure!(job.round <= 1, "a job escalates at most once");
		}
		// Payments waiting for outputs stay in the payer's escrow.
		for (id, due) in Deliveries::<T>::iter() {
			let receipt = Receipts::<T>::get(id).ok_or("a delivery without its receipt")?;
			ensure!(receipt.result.output().is_none(), "a delivery of an output the receipt holds");
			ensure!(due.missing() > 0 && due.members <= 64, "a delivery with nothing due");
			let share: BalanceOf<T> =
				due.payees.iter().fold(Default::default(), |s, (_, x)| s.saturating_add(*x));
			let sum = escrow.entry(receipt.payer.clone()).or_default();
			*sum = sum.saturating_add(share.saturating_mul(due.missing().into()));
		}
		for (id, member) in Outputs::<T>::iter_keys() {
			ensure!(Receipts::<T>::contains_key(id), "a delivered output without its receipt");
			ensure!(
				Deliveries::<T>::get(id).is_none_or(|d| d.has(member)),
				"a delivered output its delivery does not count"
			);
		}
		ensure!(cursor <= NextJobId::<T>::get(), "assignment cursor past the last job");
		ensure!(
			u32::try_from(Waiting::<T>::iter().count()).ok() == Some(waiting),
			"waiting entries of no waiting job"
		);
		let models = WaitingModels::<T>::get();
		for (model, line) in WaitLines::<T>::iter() {
			ensure!(!line.is_empty(), "an empty waiting line kept");
			ensure!(
				line.len() <= <T::MaxWaiting as frame_support::traits::Get<u32>>::get(),
				"a waiting line over its bound"
			);
			ensure!(models.contains(&model), "a waiting line not in the list of waiting models");
		}
		ensure!(
			models.iter().all(WaitLines::<T>::contains_key),
			"a model listed as waiting without a line"
		);
		ensure!(
			u32::try_from(index.values().map(|jobs| jobs.len()).sum::<usize>()).ok()
				== Some(assignments),
			"ProviderJobs holds entries of no open assignment"
		);
		for who in frame_system::Account::<T>::iter_keys() {
			let sum = escrow.get(&who).copied().unwrap_or_default();
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::JobEscrow.into(), &who) == sum,
				"held escrow differs from the open jobs' escrow"
			);
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::JobDeposit.into(), &who)
					== deposits.get(&who).copied().unwrap_or_default(),
				"held job deposits differ from the open jobs' and receipts' deposits"
			);
			let (locked, running) = T::Providers::locked(&who);
			let (open, count) = collateral.get(&who).copied().unwrap_or_default();
			ensure!(locked == open, "locked collateral differs from the open assignments'");
			ensure!(running == count, "running jobs differ from the open assignments");
		}
		Ok(())
	}
}
