//! Waiting for providers: the queue's backpressure.
//!
//! A job whose model has too few providers free when the assignment looks at it does not fail:
//! it joins its model's waiting line (`WaitLines`, `Waiting`), behind the jobs already there,
//! and is assigned as providers free up, oldest first. Each block looks at up to
//! `MaxWaitVisits` lines (they take turns through `WaitingModels`); a line's head is assigned
//! when the model's free providers fit it, told from its entry alone (`draw::fits`), so a
//! job that keeps waiting costs its entry, never its record. A job behind a waiting one of
//! the same model waits too: a line is first come, first served.
//!
//! The rules that keep it safe: **every waiting job has its expiry in the schedule**
//! (`Timeouts`, at the first block a round no longer fits before its deadline), so it is
//! assigned or refunded in full by its deadline whatever the line does; a job whose expiry
//! cannot be scheduled, or whose model's line is full, fails at once with a full refund. And
//! **a job waits only for providers that could take it**: one that the model's live providers
//! could not take even with all their running jobs ended (too many, too cheap, too much
//! collateral, no class large enough) fails with `NotEnoughProviders` instead of holding up
//! its model's line until its deadline, at the back of the line as at its head. A job that
//! leaves the line before its expiry (assigned, cancelled, failed) takes its expiry out of the
//! schedule, so that dead entries never fill the blocks commit windows end in.

use frame_support::{traits::Get, weights::Weight, BoundedVec};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Bounded, One, Saturating, Zero},
	DispatchError, DispatchResult,
};
use synod_primitives::{model::ModelId, traits::ProviderRegistry};

use crate::{
	draw::{could_fit, fits},
	lifecycle::assign::{Offers, Pools},
	types::{FailureReason, JobId, JobStatus, QueuePlace, Waiter},
	weights::WeightInfo as _,
	AssignCursor, Config, Error, Event, JobOf, Open, Pallet, Timeouts, WaitLines, Waiting,
	WaitingModels, LOG_TARGET,
};

/// What the waiting lines took in a block: the jobs handled and ids stepped over (which the
/// queue's new jobs share a budget with), the weight, and the pools read.
pub(crate) struct WaitPass<T: Config> {
	/// Jobs assigned or failed, counted as the queue counts them.
	pub handled: u32,
	/// Entries stepped over (cancelled or expired).
	pub skipped: u32,
	/// Everything but the assignments' own weight (`on_initialize_assign(handled)`).
	pub weight: Weight,
	/// The models' providers as the lines left them, for the queue to go on with.
	pub pools: Pools<T::AccountId, crate::types::BalanceOf<T>>,
	/// The models' live offers read (`could_fit`), for the queue to go on with; each is
	/// charged a pool read by `on_initialize`.
	pub offers: Offers<crate::types::BalanceOf<T>>,
}

impl<T: Config> Pallet<T> {
	/// How many providers a job's first draw takes and whether they share a class.
	pub(crate) fn first_draw(record: &JobOf<T>) -> (u32, bool) {
		match record.audit {
			None => (record.redundancy, false),
			Some(_) => (Self::audit_size().max(record.redundancy), true),
		}
	}

	/// The last block `record` can be assigned in (`time_for_round`, or `time_for_audit` for
	/// an audited job); `None` when no block is.
	pub(crate) fn last_start(record: &JobOf<T>) -> Option<BlockNumberFor<T>> {
		let round = Self::round_blocks();
		let needed = match record.audit {
			None => round,
			Some(_) => T::CommitWindow::get()
				.saturating_add(crate::lifecycle::AUDIT_DELAY.into())
				.saturating_add(round)
				.saturating_add(round),
		};
		(record.deadline > needed).then(|| record.deadline.saturating_sub(needed))
	}

	/// Puts `job` (just looked at by the assignment at block `n`, with too few providers free,
	/// or behind others of its model) at the back of its model's line, and schedules its
	/// expiry. Fails, changing nothing, when the line or the list of waiting models is full
	/// or the expiry cannot be scheduled; then the caller fails the job.
	pub(crate) fn enqueue(
		job: JobId,
		mut record: JobOf<T>,
		n: BlockNumberFor<T>,
	) -> DispatchResult {
		let last_start =
			Self::last_start(&record).filter(|b| *b >= n).ok_or(Error::<T>::DeadlineTooSoon)?;
		let model = record.model;
		let mut line = WaitLines::<T>::get(model);
		frame_support::ensure!(line.len() < T::MaxWaiting::get(), Error::<T>::QueueFull);
		if line.is_empty() {
			WaitingModels::<T>::try_append(model).map_err(|_| Error::<T>::QueueFull)?;
		}
		// The first block it can no longer be assigned in; the schedule may move it a few
		// blocks later, never past the deadline.
		let expiry = Self::schedule(job, last_start.saturating_add(One::one()), record.deadline)?;
		let seq = line.tail;
		let (need, one_class) = Self::first_draw(&record);
		Waiting::<T>::insert(
			model,
			seq,
			Waiter {
				job,
				need,
				one_class,
				max_price: record.max_price,
				collateral: Self::collateral_of(&record),
				last_start,
				expiry,
			},
		);
		line.tail = line.tail.saturating_add(1);
		let ahead = line.len().saturating_sub(1);
		WaitLines::<T>::insert(model, line);
		record.status = JobStatus::Waiting { seq };
		record.phase_end = expiry;
		Open::<T>::insert(job, record);
		Self::deposit_event(Event::JobWaiting { job, ahead, last_start });
		Ok(())
	}

	/// Takes entry `seq` out of `model`'s line (the job was cancelled or expired); the head
	/// moves on past it, and an empty line leaves the list of waiting models.
	pub(crate) fn leave_line(model: ModelId, seq: u32) {
		Waiting::<T>::remove(model, seq);
		let mut line = WaitLines::<T>::get(model);
		// Gaps further on are stepped over when the head reaches them.
		if line.head == seq {
			line.head = line.head.saturating_add(1);
		}
		Self::put_line(model, line);
	}

	/// Takes one entry of `job` out of the schedule at block `at` (its expiry while it waited,
	/// once it left the line). One only: its commit window may end in the same block.
	pub(crate) fn unschedule(job: JobId, at: BlockNumberFor<T>) {
		Timeouts::<T>::mutate_exists(at, |list| {
			if let Some(jobs) = list {
				if let Some(i) = jobs.iter().position(|j| *j == job) {
					jobs.remove(i);
				}
				if jobs.is_empty() {
					*list = None;
				}
			}
		});
	}

	/// Whether the live offers of `model` (read once a block into `offers`) could take
	/// `waiter` once their running jobs end.
	pub(crate) fn could_wait(
		offers: &mut Offers<crate::types::BalanceOf<T>>,
		model: ModelId,
		need: u32,
		one_class: bool,
		max_price: crate::types::BalanceOf<T>,
		collateral: crate::types::BalanceOf<T>,
	) -> bool {
		let list = offers.entry(model).or_insert_with(|| T::Providers::offers(&model));
		could_fit(list, need, one_class, max_price, collateral)
	}

	/// Fails the job of `model`'s entry `seq` (refunded in full) and takes the entry and its
	/// expiry out; the caller moves the line's head on.
	fn fail_waiting(
		model: ModelId,
		seq: u32,
		waiter: &Waiter<crate::types::BalanceOf<T>, BlockNumberFor<T>>,
		reason: FailureReason,
	) {
		let job = waiter.job;
		if let Some(record) = Open::<T>::get(job).filter(|r| r.status == JobStatus::Waiting { seq })
		{
			Self::fail_or_void(job, record, reason);
		}
		Self::unschedule(job, waiter.expiry);
		Waiting::<T>::remove(model, seq);
	}

	/// Stores `model`'s line, or removes it and the model from the waiting list when empty.
	fn put_line(model: ModelId, line: crate::types::WaitLine) {
		if line.is_empty() {
			WaitLines::<T>::remove(model);
			WaitingModels::<T>::mutate(|models| models.retain(|m| *m != model));
		} else {
			WaitLines::<T>::insert(model, line);
		}
	}

	/// Looks at up to `MaxWaitVisits` waiting lines at block `n`, in turn, and assigns each
	/// line's jobs from its head while its model's free providers fit them; stops a line at
	/// the first job that does not fit (first come, first served), fails a head that its
	/// model's live providers could not take even once free, and keeps within the block's
	/// assignment budget (`MaxAssignmentsPerBlock` jobs handled, as many entries stepped over;
	/// three quarters of it while new jobs are queued).
	pub(crate) fn process_waiting(n: BlockNumberFor<T>) -> WaitPass<T> {
		let db = T::DbWeight::get();
		let mut pass = WaitPass {
			handled: 0,
			skipped: 0,
			weight: db.reads(1),
			pools: Pools::new(),
			offers: Offers::new(),
		};
		let models = WaitingModels::<T>::get();
		if models.is_empty() {
			return pass;
		}
		// New jobs in the queue keep a quarter of the block's budget, so that a long line never
		// holds up the models that have none.
		let all = T::MaxAssignmentsPerBlock::get();
		let queued = AssignCursor::<T>::get() < crate::NextJobId::<T>::get();
		pass.weight = pass.weight.saturating_add(db.reads(2));
		let max = if queued { all.saturating_sub(all / 4).max(1) } else { all };
		let visits = models.len().min(usize::try_from(T::MaxWaitVisits::get()).unwrap_or(0));
		let visited: alloc::vec::Vec<ModelId> = models.iter().take(visits).copied().collect();
		// The lines that had their turn (round robin): those the block's budget did not reach
		// stay at the front.
		let mut done: alloc::vec::Vec<ModelId> = alloc::vec::Vec::new();
		// A pool read: the model's index and each of its providers' records.
		let pool_read = db.reads(u64::from(T::Providers::max_eligible()).saturating_add(1));
		for model in &visited {
			let model = *model;
			if pass.handled >= max || pass.skipped >= max {
				break;
			}
			pass.weight =
				pass.weight.saturating_add(db.reads_writes(1, 1)).saturating_add(pool_read);
			let mut line = WaitLines::<T>::get(model);
			done.push(model);
			while !line.is_empty() && pass.handled < max && pass.skipped < max {
				let seq = line.head;
				pass.weight = pass.weight.saturating_add(db.reads(1));
				let Some(waiter) = Waiting::<T>::get(model, seq) else {
					line.head = line.head.saturating_add(1);
					pass.skipped = pass.skipped.saturating_add(1);
					continue;
				};
				let job = waiter.job;
				if waiter.last_start < n {
					// Too late for a round: what its scheduled expiry would do, done now (the
					// expiry then finds nothing).
					pass.handled = pass.handled.saturating_add(1);
					Self::fail_waiting(model, seq, &waiter, FailureReason::DeadlineTooClose);
					pass.weight = pass.weight.saturating_add(db.reads_writes(1, 2));
					line.head = line.head.saturating_add(1);
					continue;
				}
				let read =
					|| T::Providers::eligible(&model, crate::types::BalanceOf::<T>::max_value());
				let pool = pass.pools.entry(model).or_insert_with(read);
				if !fits(pool, waiter.need, waiter.one_class, waiter.max_price, waiter.collateral) {
					let (need, one_class) = (waiter.need, waiter.one_class);
					if Self::could_wait(
						&mut pass.offers,
						model,
						need,
						one_class,
						waiter.max_price,
						waiter.collateral,
					) {
						break;
					}
					// Its providers are gone (left, paused, or priced above it): waiting
					// cannot end in an assignment, and it would hold up the line.
					pass.handled = pass.handled.saturating_add(1);
					Self::fail_waiting(model, seq, &waiter, FailureReason::NotEnoughProviders);
					pass.weight = pass.weight.saturating_add(db.reads_writes(1, 2));
					line.head = line.head.saturating_add(1);
					continue;
				}
				pass.handled = pass.handled.saturating_add(1);
				let (result, retried) =
					Self::with_pool(&mut pass.pools, model, |pool| Self::do_assign(job, n, pool));
				if retried {
					pass.handled = pass.handled.saturating_add(1);
				}
				match result {
					// Assigned, or failed for want of time (refunded).
					Ok(()) => {},
					// The schedule is full, or the pool was staler than it looked: it keeps
					// its place.
					Err(e) if Self::waits(&e) => break,
					Err(e) => {
						log::warn!(target: LOG_TARGET, "assigning waiting job {job} failed: {e:?}");
						if let Some(record) = Open::<T>::get(job) {
							Self::fail_or_void(job, record, FailureReason::NotEnoughProviders);
						}
					},
				}
				Self::unschedule(job, waiter.expiry);
				Waiting::<T>::remove(model, seq);
				pass.weight = pass.weight.saturating_add(db.reads_writes(1, 2));
				line.head = line.head.saturating_add(1);
			}
			Self::put_line(model, line);
		}
		// The lines that had their turn go to the back, so that every line has its turn.
		WaitingModels::<T>::mutate(|list| {
			let (front, back): (alloc::vec::Vec<_>, alloc::vec::Vec<_>) =
				list.iter().copied().partition(|m| done.contains(m));
			let rotated: alloc::vec::Vec<_> = back.into_iter().chain(front).collect();
			*list = BoundedVec::truncate_from(rotated);
		});
		pass.weight = pass.weight.saturating_add(db.writes(1));
		pass
	}

	/// Whether an assignment that failed with `e` leaves the job waiting: its providers are
	/// busy, or the blocks its windows would end in are full.
	pub(crate) fn waits(e: &DispatchError) -> bool {
		*e == Error::<T>::NotEnoughProviders.into() || *e == Error::<T>::TooManyTimeouts.into()
	}

	/// Where `job` is in the queue (`JobsApi::queue_position`).
	pub(crate) fn do_queue_position(job: JobId) -> Option<QueuePlace<BlockNumberFor<T>>> {
		let record = Open::<T>::get(job)?;
		let now = frame_system::Pallet::<T>::block_number();
		let last_start = Self::last_start(&record)?;
		let (need, _) = Self::first_draw(&record);
		let (ahead, waiting) = match record.status {
			JobStatus::Queued => {
				let ahead = job.saturating_sub(AssignCursor::<T>::get());
				(u32::try_from(ahead).unwrap_or(u32::MAX), false)
			},
			JobStatus::Waiting { seq } => {
				(seq.saturating_sub(WaitLines::<T>::get(record.model).head), true)
			},
			_ => return None,
		};
		let capacity = T::Providers::capacity(&record.model, record.max_price);
		let rounds_ahead = (capacity > 0).then(|| {
			let providers = u64::from(ahead).saturating_add(1).saturating_mul(need.into());
			let rounds = providers.div_ceil(u64::from(capacity));
			// The first round's providers are those free now: a job that fits is assigned in
			// the next block.
			u32::try_from(rounds.saturating_sub(1)).unwrap_or(u32::MAX)
		});
		let expected_by = rounds_ahead.map(|rounds| {
			let queued = if waiting {
				Zero::zero()
			} else {
				// New jobs are looked at `MaxAssignmentsPerBlock` a block.
				let per_block = u64::from(T::MaxAssignmentsPerBlock::get().max(1));
				BlockNumberFor::<T>::from(
					u32::try_from(u64::from(ahead).checked_div(per_block).unwrap_or(0))
						.unwrap_or(u32::MAX),
				)
			};
			now.saturating_add(One::one())
				.saturating_add(queued)
				.saturating_add(Self::round_blocks().saturating_mul(rounds.into()))
		});
		Some(QueuePlace { ahead, waiting, rounds_ahead, expected_by, last_start })
	}
}

impl<T: Config> WaitPass<T> {
	/// The jobs and entries it used of the block's budget.
	pub(crate) fn budget_used(&self) -> (u32, u32) {
		(self.handled, self.skipped)
	}

	/// Its weight, the assignments it made included.
	pub(crate) fn total_weight(&self) -> Weight {
		self.weight.saturating_add(T::WeightInfo::on_initialize_assign(self.handled))
	}
}
