//! The money side: escrow holds, payments, slashes, refunds and receipts. It moves funds as the
//! lifecycle (`crate::lifecycle`) decides and never calls back into it.

use alloc::vec::Vec;
use frame_support::{
	traits::{
		fungible::Mutate,
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Preservation, Restriction},
		Get,
	},
	weights::WeightMeter,
	BoundedVec,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchError, DispatchResult,
};
use synod_primitives::{
	digest::{input_hash, unservable_digest, Hash32, Unservable},
	traits::{ModelRegistry, ProviderRegistry},
};

use crate::{
	tally::{agree, Tally},
	types::{
		AssignmentBound, Audit, BalanceOf, Delivery, FailureReason, JobId, JobInput, JobReceipt,
		JobStatus, MemberInput, Verification,
	},
	weights::WeightInfo as _,
	Config, Deliveries, Error, Event, HoldReason, JobOf, NextJobId, Open, Outputs, Pallet,
	ProviderJobs, PruneCursor, Receipts, LOG_TARGET,
};

/// The escrow of a job of `members` members (1 unless it is a cohort):
/// `2 × redundancy × max_price × members`. Half pays the first round; the other half is the
/// escalation reserve, which pays the providers an escalation draws and is released when the
/// job settles without one.
pub fn escrow_for<T: Config>(
	redundancy: u32,
	max_price: BalanceOf<T>,
	members: u32,
) -> BalanceOf<T> {
	max_price.saturating_mul(redundancy.saturating_mul(2).into()).saturating_mul(members.into())
}

impl<T: Config> Pallet<T> {
	/// Holds `escrow` from `payer` for a new job.
	pub(crate) fn hold_escrow(payer: &T::AccountId, escrow: BalanceOf<T>) -> DispatchResult {
		T::Currency::hold(&HoldReason::JobEscrow.into(), payer, escrow)
			.map_err(|_| Error::<T>::InsufficientBalance.into())
	}

	/// The fee a job burns when `queued` jobs wait before it: `JobFee` doubled for every
	/// eighth of `MaxQueued` they fill (at most 128 times it, the last eighth). Congestion
	/// pricing: an empty queue costs one fee a job, and keeping it full costs 128 fees for
	/// every job the assignment takes out of it (`docs/protocol.md`, "Spam").
	pub fn queue_fee(queued: u64) -> BalanceOf<T> {
		let max = u64::from(T::MaxQueued::get()).max(1);
		let eighths = queued.saturating_mul(8).checked_div(max).unwrap_or(0).min(7);
		T::JobFee::get().saturating_mul(BalanceOf::<T>::from(1u32 << eighths))
	}

	/// The storage deposit of a job whose input encodes to `bytes` bytes.
	pub fn deposit_for(bytes: usize) -> BalanceOf<T> {
		let bytes = BalanceOf::<T>::from(u32::try_from(bytes).unwrap_or(u32::MAX));
		T::JobDeposit::get().saturating_add(T::JobDepositPerByte::get().saturating_mul(bytes))
	}

	/// Burns the queue fee of a job submitted behind `queued` others and holds its storage
	/// deposit; returns the deposit.
	pub(crate) fn charge_submission(
		payer: &T::AccountId,
		queued: u64,
		bytes: usize,
	) -> Result<BalanceOf<T>, DispatchError> {
		let fee = Self::queue_fee(queued);
		if !fee.is_zero() {
			T::Currency::burn_from(
				payer,
				fee,
				Preservation::Preserve,
				Precision::Exact,
				Fortitude::Polite,
			)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		}
		let deposit = Self::deposit_for(bytes);
		T::Currency::hold(&HoldReason::JobDeposit.into(), payer, deposit)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		Ok(deposit)
	}

	/// Releases a job's storage deposit to its payer (its record and receipt are gone).
	pub(crate) fn release_deposit(payer: &T::AccountId, deposit: BalanceOf<T>) {
		if let Err(e) = T::Currency::release(
			&HoldReason::JobDeposit.into(),
			payer,
			deposit,
			Precision::BestEffort,
		) {
			log::error!(target: LOG_TARGET, "releasing a job deposit of {payer:?}: {e:?}");
		}
	}

	/// Ends a job nobody was assigned to: releases all its escrow, its deposit and the model;
	/// returns the escrow that came back.
	pub(crate) fn refund_unassigned(
		job: JobId,
		record: &crate::JobOf<T>,
	) -> Result<BalanceOf<T>, DispatchError> {
		let refunded = Self::release_escrow(record)?;
		Self::release_deposit(&record.payer, record.deposit);
		T::Models::release(&record.model)?;
		Open::<T>::remove(job);
		Ok(refunded)
	}

	/// The remaining escrow of `record` back to its payer; returns what came back.
	pub(crate) fn release_escrow(record: &JobOf<T>) -> Result<BalanceOf<T>, DispatchError> {
		T::Currency::release(
			&HoldReason::JobEscrow.into(),
			&record.payer,
			record.escrow,
			Precision::BestEffort,
		)
	}

	/// Ends `job` with every hold released and nobody paid: the whole escrow back to the
	/// payer, every assignment's collateral unlocked (those already out of the vote for
	/// missing their window are slashed, as they would have been), the model and the deposit
	/// released; reports `reason`.
	pub(crate) fn release_all(
		job: JobId,
		record: JobOf<T>,
		reason: FailureReason,
	) -> DispatchResult {
		let refunded = Self::release_escrow(&record)?;
		for a in &record.assignments {
			if a.slashed {
				// Out of the vote for missing its window: slashed as it would have been.
				Self::slash(job, &record.payer, &a.provider, a.collateral, Zero::zero())?;
				crate::AuditRecord::<T>::remove(&a.provider);
			} else {
				T::Providers::unlock_collateral(&a.provider, a.collateral)?;
			}
			Self::unindex(&a.provider, job);
		}
		T::Models::release(&record.model)?;
		Self::release_deposit(&record.payer, record.deposit);
		Open::<T>::remove(job);
		Self::deposit_event(Event::JobFailed { job, reason, refunded });
		Ok(())
	}

	/// Ends `job` with every hold it has released, when ending it the normal way failed (a
	/// defect, never an input: the lifecycle's own paths are all or nothing): the whole escrow
	/// back to the payer, every assignment's collateral unlocked unslashed, the model
	/// released. Each step is on its own, so one that fails does not keep the others' holds;
	/// what failed is logged. Nothing is left locked and the job does not stay open.
	pub(crate) fn void(job: JobId, record: JobOf<T>) {
		log::error!(target: LOG_TARGET, "job {job}: its normal end failed; voiding it");
		let refunded = Self::release_escrow(&record).unwrap_or_default();
		for a in &record.assignments {
			if let Err(e) = T::Providers::unlock_collateral(&a.provider, a.collateral) {
				log::error!(target: LOG_TARGET, "job {job}: unlocking {:?}: {e:?}", a.provider);
			}
			Self::unindex(&a.provider, job);
		}
		if let Err(e) = T::Models::release(&record.model) {
			log::error!(target: LOG_TARGET, "job {job}: releasing its model: {e:?}");
		}
		Self::release_deposit(&record.payer, record.deposit);
		Open::<T>::remove(job);
		Self::deposit_event(Event::JobFailed { job, reason: FailureReason::Aborted, refunded });
	}

	/// Takes `job` off `who`'s open assignments (the list empties its storage entry).
	pub(crate) fn unindex(who: &T::AccountId, job: JobId) {
		ProviderJobs::<T>::mutate_exists(who, |jobs| {
			if let Some(list) = jobs {
				list.retain(|j| *j != job);
				if list.is_empty() {
					*jobs = None;
				}
			}
		});
	}

	/// Takes `who` out of `job`'s vote (it missed its commit window, or its reveal before an
	/// escalation). Its collateral stays locked until the job ends, when it is slashed with the
	/// other dissenters (`settle`), so the payer's compensation can be sized by what the whole
	/// job cost it.
	pub(crate) fn slash_out(record: &mut JobOf<T>, who: &T::AccountId) {
		if let Some(slot) = record.assignments.iter_mut().find(|a| a.provider == *who) {
			slot.slashed = true;
		}
	}

	/// The most the payer is compensated from one slashed assignment of `record`:
	/// `redundancy × max_price` per member (an audit's providers for an audited job), what the escalation a dissenting or silent
	/// provider can force costs the payer at most. What the payer actually gets is further
	/// bounded by what the job cost it beyond its first draw ([`Self::extra_paid`]).
	pub(crate) fn compensation(record: &JobOf<T>) -> BalanceOf<T> {
		record
			.max_price
			.saturating_mul(record.input.members().into())
			.saturating_mul(Self::escalation_size(record).into())
	}

	/// Slashes `collateral` of `who` for `job`: `compensation` of it to `payer`, the rest burned;
	/// releases the assignment's lock and records the failure.
	pub(crate) fn slash(
		job: JobId,
		payer: &T::AccountId,
		who: &T::AccountId,
		collateral: BalanceOf<T>,
		compensation: BalanceOf<T>,
	) -> DispatchResult {
		let slashed = T::Providers::slash_collateral(who, collateral, payer, compensation)?;
		T::Providers::unlock_collateral(who, Zero::zero())?;
		T::Providers::record_outcome(who, false);
		Self::deposit_event(Event::ProviderSlashed {
			job,
			provider: who.clone(),
			amount: slashed.total(),
			compensated: slashed.compensated,
			burned: slashed.burned,
		});
		Ok(())
	}

	/// Ends `job` with `decision`, the tally of `record`: pays the providers that agree with it,
	/// slashes the others, releases the rest of the escrow and the model, and keeps a receipt
	/// (or, without a decision, refunds the payer in full).
	///
	/// The payer's compensation from all the slashes together is at most what it paid
	/// providers beyond its first draw (the replacements and the escalation that the
	/// dissenters and the silent forced), so that no payer ends a job richer than it started:
	/// a payer that makes honest providers fail (an input nobody can serve, its own silent
	/// providers) gains nothing from their collateral. The rest is burned.
	///
	/// A canary job is judged against its known answer whatever the tally (`decision` is
	/// then ignored). A decision is verified when two voters, or a voter and a canary, agree
	/// on it: only then do the agreeing providers' clean records (`AuditRecord`) grow, and
	/// only then is a "cannot serve" answer paid (a lone provider could otherwise be paid for
	/// skipping any job by claiming it cannot be served).
	pub(crate) fn settle(job: JobId, record: JobOf<T>, decision: Tally) -> DispatchResult {
		let referee = Self::canary_referee(&record);
		let winner = match (&referee, &decision) {
			(Some(known), _) => Some(known),
			(None, Tally::Output { anchor, .. }) => record.assignments.get(*anchor),
			_ => None,
		};
		let first = usize::try_from(record.redundancy).unwrap_or(usize::MAX);
		let openings_due = record.status == JobStatus::Opening || record.round == 1;
		let escrow_reason = HoldReason::JobEscrow.into();
		let mut paid = BalanceOf::<T>::zero();
		let mut extra = BalanceOf::<T>::zero();
		let mut agreeing = BoundedVec::new();
		let mut dissenting = Vec::new();
		let honest: Vec<bool> = record
			.assignments
			.iter()
			.map(|a| {
				!a.slashed
					&& match (winner, &decision) {
						(Some(w), _) => agree(job, w, a, record.tolerance),
						// The winners withheld the digest behind their seal.
						(None, Tally::Unopened) => a.reveal.is_some(),
						// Without a decision nobody who answered can be called wrong; a seal
						// whose opening was due and never came is no answer.
						(None, _) => a.reveal.is_some() || (a.sealed.is_some() && !openings_due),
					}
			})
			.collect();
		let verified =
			winner.is_some() && (referee.is_some() || honest.iter().filter(|h| **h).count() >= 2);
		let unservable = winner
			.and_then(|w| w.reveal.as_ref())
			.is_some_and(|r| Self::is_unservable(&record, &r.digest()));
		let pay = winner.is_some() && (verified || !unservable);
		// An output the receipt will not hold (a large one, a cohort's members) is paid for on
		// delivery (lifecycle::deliver): the agreeing providers' prices stay held until then.
		let deliver_later = pay
			&& !unservable
			&& winner.and_then(|w| w.reveal.as_ref()).is_some_and(|r| r.output().is_none());
		let members = BalanceOf::<T>::from(record.input.members().max(1));
		let mut payees: BoundedVec<(T::AccountId, BalanceOf<T>), AssignmentBound> =
			BoundedVec::new();
		for (i, a) in record.assignments.iter().enumerate() {
			if honest.get(i).copied().unwrap_or(false) {
				if pay {
					let fee = if deliver_later {
						let share = sp_runtime::traits::CheckedDiv::checked_div(&a.price, &members)
							.unwrap_or_default();
						let _ = payees.try_push((a.provider.clone(), share));
						share.saturating_mul(members)
					} else {
						T::Currency::transfer_on_hold(
							&escrow_reason,
							&record.payer,
							&a.provider,
							a.price,
							Precision::BestEffort,
							Restriction::Free,
							Fortitude::Force,
						)?
					};
					paid = paid.saturating_add(fee);
					if i >= first {
						extra = extra.saturating_add(fee);
					}
					T::Providers::record_outcome(&a.provider, true);
					let _ = agreeing.try_push(a.provider.clone());
				}
				T::Providers::unlock_collateral(&a.provider, a.collateral)?;
				Self::unindex(&a.provider, job);
			} else {
				dissenting.push(a);
			}
		}
		let mut budget = extra;
		let most = Self::compensation(&record);
		for a in &dissenting {
			let compensation = most.min(budget);
			budget = budget.saturating_sub(compensation);
			Self::slash(job, &record.payer, &a.provider, a.collateral, compensation)?;
			Self::unindex(&a.provider, job);
		}
		let dissenting: BoundedVec<T::AccountId, AssignmentBound> = dissenting
			.into_iter()
			.map(|a| a.provider.clone())
			.collect::<Vec<_>>()
			.try_into()
			.unwrap_or_default();
		// A disputed audit (no decision) leaves nobody's record standing: each of them is
		// audited always again.
		let disputed = winner.is_none() && matches!(record.audit, Some(Audit::Drawn { .. }));
		let everyone: Vec<T::AccountId> = if disputed {
			record.assignments.iter().map(|a| a.provider.clone()).collect()
		} else {
			dissenting.to_vec()
		};
		Self::record_audits(verified, agreeing.iter(), everyone.iter());
		let rest = record.escrow.saturating_sub(paid);
		let refunded =
			T::Currency::release(&escrow_reason, &record.payer, rest, Precision::BestEffort)?;
		T::Models::release(&record.model)?;
		Open::<T>::remove(job);
		let audited = || Verification::Audited {
			auditors: Self::auditors(&record).try_into().unwrap_or_default(),
		};
		let verification = match record.audit {
			None => Verification::Redundant,
			Some(Audit::Canary(_)) => Verification::Canary,
			// Audited, or not audited but escalated (its primary did not answer): the
			// escalation's providers checked it.
			Some(Audit::Drawn { .. }) => audited(),
			Some(Audit::Skipped) if record.round == 1 => audited(),
			Some(Audit::Pending | Audit::Skipped) => Verification::Unaudited,
		};
		match (winner.and_then(|w| w.reveal.clone()), decision) {
			(Some(_), _) if unservable => {
				Self::release_deposit(&record.payer, record.deposit);
				Self::deposit_event(Event::JobFailed {
					job,
					reason: FailureReason::Unservable,
					refunded,
				});
			},
			(Some(result), _) => {
				let now = frame_system::Pallet::<T>::block_number();
				let output_digest = result.digest();
				let members = result.member_digests().to_vec();
				if deliver_later {
					Self::open_delivery(job, &record, &result, payees.clone(), now)?;
				}
				Receipts::<T>::insert(
					job,
					JobReceipt {
						payer: record.payer,
						model: record.model,
						input_hash: record.input_hash,
						result,
						agreeing: agreeing.clone(),
						dissenting: dissenting.clone(),
						paid,
						refunded,
						deposit: record.deposit,
						verification,
						settled_at: now,
					},
				);
				Self::deposit_event(Event::JobSettled {
					job,
					model: record.model,
					input_hash: record.input_hash,
					output_digest,
					agreeing: agreeing.into_inner(),
					dissenting: dissenting.into_inner(),
					paid,
					refunded,
					members,
				});
			},
			(None, decision) => {
				Self::release_deposit(&record.payer, record.deposit);
				let reason = match decision {
					Tally::NoReveals => FailureReason::NoReveals,
					Tally::Unopened => FailureReason::Unopened,
					_ => FailureReason::NoDecision,
				};
				Self::deposit_event(Event::JobFailed { job, reason, refunded });
			},
		}
		Ok(())
	}

	/// Opens the delivery of a settled job's outputs (`result` holds none in full): a cohort's
	/// members answered "cannot serve" have nothing to deliver and are paid at once; the rest
	/// wait in the escrow for `deliver_output` until `DeliveryWindow` ends.
	fn open_delivery(
		job: JobId,
		record: &JobOf<T>,
		result: &crate::types::Reveal,
		payees: BoundedVec<(T::AccountId, BalanceOf<T>), AssignmentBound>,
		now: BlockNumberFor<T>,
	) -> DispatchResult {
		let members = record.input.members();
		let mut delivered = 0u64;
		if let JobInput::Cohort(inputs) = &record.input {
			for (i, (m, d)) in inputs.iter().zip(result.member_digests()).enumerate() {
				let h = match m {
					MemberInput::Inline(bytes) => input_hash(bytes),
					MemberInput::Remote { hash, .. } => *hash,
				};
				let unservable = Unservable::ALL
					.iter()
					.any(|kind| unservable_digest(&record.model, &h, *kind) == *d);
				if unservable && i < 64 {
					delivered |= 1u64 << i;
				}
			}
		}
		let paid_now = delivered.count_ones();
		if paid_now > 0 {
			for (provider, share) in &payees {
				T::Currency::transfer_on_hold(
					&HoldReason::JobEscrow.into(),
					&record.payer,
					provider,
					share.saturating_mul(paid_now.into()),
					Precision::BestEffort,
					Restriction::Free,
					Fortitude::Force,
				)?;
			}
		}
		if paid_now < members {
			let by = now.saturating_add(T::DeliveryWindow::get());
			Deliveries::<T>::insert(job, Delivery { by, payees, members, delivered });
			Self::deposit_event(Event::OutputsDue {
				job,
				members: members.saturating_sub(paid_now),
				by,
			});
		}
		Ok(())
	}

	/// Whether `digest` is a "cannot serve" answer to `record`'s input
	/// (`synod_primitives::digest::unservable_digest`, any kind). A cohort's members answer it
	/// member by member and settle as results.
	pub(crate) fn is_unservable(record: &JobOf<T>, digest: &Hash32) -> bool {
		!matches!(record.input, JobInput::Cohort(_))
			&& Unservable::ALL
				.iter()
				.any(|kind| unservable_digest(&record.model, &record.input_hash, *kind) == *digest)
	}

	/// Removes receipts older than `ResultRetention`, in job order, while `meter` allows.
	pub(crate) fn prune_receipts(n: BlockNumberFor<T>, meter: &mut WeightMeter) {
		let step = T::WeightInfo::on_idle_prune();
		let mut cursor = PruneCursor::<T>::get();
		let next = NextJobId::<T>::get();
		let mut moved = false;
		while cursor < next && meter.try_consume(step).is_ok() {
			if Open::<T>::contains_key(cursor) {
				break;
			}
			if let Some(receipt) = Receipts::<T>::get(cursor) {
				if receipt.settled_at.saturating_add(T::ResultRetention::get()) > n {
					break;
				}
				// A receipt without its output has outputs delivered after it (or due): closing
				// the delivery and removing them costs a read and a write each, and the payments'.
				if receipt.result.output().is_none() {
					let outputs =
						u64::try_from(receipt.result.member_digests().len()).unwrap_or(0).max(1);
					let extra = T::DbWeight::get().reads_writes(
						outputs.saturating_add(2),
						outputs.saturating_add(2).saturating_add(receipt.agreeing.len() as u64),
					);
					if meter.try_consume(extra).is_err() {
						break;
					}
				}
				// A delivery window nobody closed ends with the receipt.
				if let Err(e) = Self::close_delivery(cursor) {
					log::error!(target: LOG_TARGET, "closing job {cursor}'s delivery: {e:?}");
				}
				Receipts::<T>::remove(cursor);
				let _ = Outputs::<T>::clear_prefix(cursor, crate::types::MAX_COHORT, None);
				Self::release_deposit(&receipt.payer, receipt.deposit);
			}
			cursor = cursor.saturating_add(1);
			moved = true;
		}
		if moved {
			PruneCursor::<T>::put(cursor);
		}
	}
}
