//! Entering and leaving the queue: submitting a job (its checks and escrow), cancelling it
//! before assignment, and the quote a dapp reads first.

use alloc::vec::Vec;
use codec::Encode;
use frame_support::{ensure, traits::Get, weights::Weight, BoundedVec};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchError, DispatchResult,
};
use synod_primitives::{
	digest::{input_hash, members_root, Hash32},
	model::{is_source_uri, ModelId},
	traits::{ModelRegistry, ProviderRegistry},
};

use crate::{
	funds::escrow_for,
	types::{Audit, BalanceOf, Job, JobId, JobInput, JobStatus, MemberInput},
	AssignCursor, Config, Error, Event, NextJobId, Open, Pallet, WaitLines, WeightInfo,
};

impl<T: Config> Pallet<T> {
	/// Checks and stores a job, holds its escrow and queues it: a redundant one of
	/// `redundancy` providers, or (`None`) an audited one.
	pub(crate) fn do_submit(
		payer: T::AccountId,
		model: ModelId,
		input: JobInput,
		redundancy: Option<u32>,
		max_price: BalanceOf<T>,
		deadline: BlockNumberFor<T>,
	) -> DispatchResult {
		let manifest = T::Models::active_model(&model).ok_or(Error::<T>::ModelNotActive)?;
		if let Some(k) = redundancy {
			ensure!(
				(T::MinRedundancy::get()..=T::MaxRedundancy::get()).contains(&k),
				Error::<T>::InvalidRedundancy
			);
		}
		// An audited job: the primary alone, and the worst case (the audit and its escalation)
		// held.
		let (audit, held_for, redundancy) = match redundancy {
			Some(k) => (None, k, k),
			None => (Some(Audit::Pending), Self::audit_size(), 1),
		};
		ensure!(!max_price.is_zero(), Error::<T>::ZeroPrice);
		let check_inline = |bytes: &[u8]| -> Result<Hash32, DispatchError> {
			let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
			ensure!(
				len > 0 && len <= manifest.max_input_bytes && len <= T::MaxInlineInput::get(),
				Error::<T>::InvalidInputSize
			);
			ensure!(manifest.input.accepts_len(bytes.len()), Error::<T>::InvalidInputShape);
			Ok(input_hash(bytes))
		};
		let check_remote = |hash: &Hash32, uri: &[u8]| -> Result<Hash32, DispatchError> {
			ensure!(is_source_uri(uri), Error::<T>::InvalidInputUri);
			Ok(*hash)
		};
		let input_hash = match &input {
			JobInput::Inline(bytes) => check_inline(bytes)?,
			JobInput::Remote { hash, uri } => check_remote(hash, uri)?,
			JobInput::Cohort(members) => {
				let n = u32::try_from(members.len()).unwrap_or(u32::MAX);
				ensure!((2..=T::MaxCohort::get()).contains(&n), Error::<T>::InvalidCohort);
				let inline = members.iter().fold(0usize, |sum, m| match m {
					MemberInput::Inline(b) => sum.saturating_add(b.len()),
					MemberInput::Remote { .. } => sum,
				});
				ensure!(
					u32::try_from(inline).unwrap_or(u32::MAX) <= T::MaxInlineInput::get(),
					Error::<T>::InvalidInputSize
				);
				let hashes = members
					.iter()
					.map(|m| match m {
						MemberInput::Inline(bytes) => check_inline(bytes),
						MemberInput::Remote { hash, uri } => check_remote(hash, uri),
					})
					.collect::<Result<Vec<_>, _>>()?;
				members_root(&hashes)
			},
		};
		let now = frame_system::Pallet::<T>::block_number();
		// Assignment in the next block at the earliest, then the three windows; an audited job
		// has its primary's commit window and the audit's delay first, and room for the
		// audit's escalation (`time_for_audit`).
		let round = Self::round_blocks();
		let audit_time = if audit.is_some() {
			T::CommitWindow::get()
				.saturating_add(crate::lifecycle::AUDIT_DELAY.into())
				.saturating_add(round)
		} else {
			Zero::zero()
		};
		let earliest =
			now.saturating_add(1u32.into()).saturating_add(audit_time).saturating_add(round);
		ensure!(deadline >= earliest, Error::<T>::DeadlineTooSoon);
		ensure!(
			deadline <= now.saturating_add(T::MaxJobDuration::get()),
			Error::<T>::DeadlineTooFar
		);
		let escrow = escrow_for::<T>(held_for, max_price, input.members());
		let job = NextJobId::<T>::get();
		ensure!(
			job.saturating_sub(AssignCursor::<T>::get()) < u64::from(T::MaxQueued::get()),
			Error::<T>::QueueFull
		);
		// A model's line full: the job could only fail when its turn came.
		let line = WaitLines::<T>::get(model).len();
		ensure!(line < T::MaxWaiting::get(), Error::<T>::QueueFull);
		// The fee rises with the queue, or with the model's line when that is fuller: holding
		// a line full costs what holding the queue full does.
		let waiting = u64::from(line)
			.saturating_mul(T::MaxQueued::get().into())
			.checked_div(T::MaxWaiting::get().into())
			.unwrap_or(0);
		let queued = job.saturating_sub(AssignCursor::<T>::get()).max(waiting);
		// The deposit covers the input, and the outputs kept with the receipt (in it, or
		// delivered after it), 8 bytes an element.
		let outputs: usize = Self::output_elements(&manifest, &input)?.iter().sum();
		let bytes = input.encoded_size().saturating_add(outputs.saturating_mul(8));
		let deposit = Self::charge_submission(&payer, queued, bytes)?;
		Self::hold_escrow(&payer, escrow)?;
		T::Models::acquire(&model).map_err(|_| Error::<T>::ModelNotActive)?;
		NextJobId::<T>::put(job.saturating_add(1));
		Open::<T>::insert(
			job,
			Job {
				payer: payer.clone(),
				model,
				input,
				input_hash,
				redundancy,
				tolerance: manifest.canonicalization.tolerance,
				round: 0,
				max_price,
				escrow,
				deposit,
				status: JobStatus::Queued,
				submitted_at: now,
				phase_end: Zero::zero(),
				reveal_end: Zero::zero(),
				open_end: Zero::zero(),
				deadline,
				audit,
				class: None,
				assignments: BoundedVec::new(),
			},
		);
		Self::deposit_event(Event::JobSubmitted {
			job,
			payer,
			model,
			redundancy,
			max_price,
			escrow,
			deadline,
		});
		Ok(())
	}

	/// The weight of submitting `input`: `submit_job(n)` for `n` encoded bytes; a cohort of
	/// `m` members `submit_cohort(m)` and, per byte beyond one a member, what `submit_job`
	/// measures per byte.
	pub(crate) fn submit_weight(input: &JobInput) -> Weight {
		let bytes = u32::try_from(input.encoded_size()).unwrap_or(u32::MAX);
		match input {
			JobInput::Cohort(_) => {
				let m = input.members();
				let per_byte = T::WeightInfo::submit_job(bytes.saturating_sub(m).max(1))
					.saturating_sub(T::WeightInfo::submit_job(1));
				T::WeightInfo::submit_cohort(m).saturating_add(per_byte)
			},
			_ => T::WeightInfo::submit_job(bytes),
		}
	}

	/// The weight of `submit_batch(jobs)`: the measured batch of one-byte inputs, and for each
	/// job what its input adds to a one-byte one (`submit_weight`).
	pub(crate) fn submit_batch_weight(jobs: &[crate::JobRequestOf<T>]) -> Weight {
		let n = u32::try_from(jobs.len()).unwrap_or(u32::MAX);
		let one = T::WeightInfo::submit_job(1);
		jobs.iter().fold(T::WeightInfo::submit_batch(n), |w, j| {
			w.saturating_add(Self::submit_weight(&j.input).saturating_sub(one))
		})
	}

	/// Cancels a job of `who` that is queued or waiting for providers.
	pub(crate) fn do_cancel_job(who: T::AccountId, job: JobId) -> DispatchResult {
		let record = Open::<T>::get(job).ok_or(Error::<T>::JobNotFound)?;
		ensure!(record.payer == who, Error::<T>::NotPayer);
		match record.status {
			JobStatus::Queued => {},
			JobStatus::Waiting { seq } => {
				Self::leave_line(record.model, seq);
				Self::unschedule(job, record.phase_end);
			},
			_ => return Err(Error::<T>::AlreadyAssigned.into()),
		}
		let refunded = Self::refund_unassigned(job, &record)?;
		Self::deposit_event(Event::JobCancelled { job, refunded });
		Ok(())
	}

	/// The escrow a job would hold (a cohort holds it once per member), and the lowest price at
	/// which `redundancy` providers are assignable now for at most `max_price`.
	pub fn do_quote(
		model: ModelId,
		redundancy: u32,
		max_price: BalanceOf<T>,
	) -> (BalanceOf<T>, Option<BalanceOf<T>>) {
		let escrow = escrow_for::<T>(redundancy, max_price, 1);
		let mut prices: Vec<BalanceOf<T>> =
			T::Providers::eligible(&model, max_price).into_iter().map(|c| c.price).collect();
		prices.sort();
		let k = usize::try_from(redundancy).unwrap_or(usize::MAX);
		let needed = k.checked_sub(1).and_then(|i| prices.get(i).copied());
		(escrow, needed)
	}
}
