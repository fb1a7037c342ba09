//! Tally and settlement: deciding the output, moving the money, keeping the receipt.

use crate::weights::WeightInfo as _;
use alloc::vec::Vec;
use frame_support::{
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
		Get,
	},
	weights::WeightMeter,
	BoundedVec,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchResult,
};
use synod_primitives::{
	digest::Hash32,
	traits::{ModelRegistry, ProviderRegistry},
};

use crate::{
	types::{BalanceOf, FailureReason, JobId, JobReceipt},
	Config, Event, HoldReason, JobOf, Jobs, NextJobId, Pallet, ProviderJobs, PruneCursor, Receipts,
};

/// The outcome of a tally over a set of reveals.
#[derive(Debug, PartialEq, Eq)]
pub enum Tally {
	/// This digest won.
	Output(Hash32),
	/// Nobody revealed.
	NoReveals,
	/// No digest reached the supermajority.
	NoDecision,
}

/// Decides over `reveals` (one per revealing provider) among `assigned` providers: a digest wins
/// when every assigned provider revealed it (unanimity), or when at least two thirds of the
/// assigned providers revealed it.
pub fn decide(reveals: &[Hash32], assigned: usize) -> Tally {
	if reveals.is_empty() {
		return Tally::NoReveals;
	}
	let mut best: Option<(Hash32, usize)> = None;
	for d in reveals {
		let count = reveals.iter().filter(|x| *x == d).count();
		if best.is_none_or(|(_, c)| count > c) {
			best = Some((*d, count));
		}
	}
	match best {
		// count / assigned >= 2/3, in integers.
		Some((digest, count))
			if count.saturating_mul(3) >= assigned.saturating_mul(2) && count > 0 =>
		{
			Tally::Output(digest)
		},
		_ => Tally::NoDecision,
	}
}

impl<T: Config> Pallet<T> {
	/// Ends `job`: pays the providers that agree with the decision, slashes the others to the
	/// payer, releases the rest of the escrow, releases the model, and keeps a receipt.
	pub(crate) fn finalize(job: JobId, record: JobOf<T>) -> DispatchResult {
		let reveals: Vec<Hash32> = record.assignments.iter().filter_map(|a| a.digest).collect();
		let decision = decide(&reveals, record.assignments.len());
		let escrow_reason = HoldReason::JobEscrow.into();
		let mut paid = BalanceOf::<T>::zero();
		let mut agreeing = BoundedVec::new();
		let mut dissenting = BoundedVec::new();
		for a in &record.assignments {
			let honest = match decision {
				Tally::Output(d) => a.digest == Some(d),
				// Without a decision nobody who revealed can be called wrong.
				_ => a.digest.is_some(),
			};
			if honest {
				if matches!(decision, Tally::Output(_)) {
					let fee = T::Currency::transfer_on_hold(
						&escrow_reason,
						&record.payer,
						&a.provider,
						a.price,
						Precision::BestEffort,
						Restriction::Free,
						Fortitude::Force,
					)?;
					paid = paid.saturating_add(fee);
					T::Providers::record_outcome(&a.provider, true);
					let _ = agreeing.try_push(a.provider.clone());
				}
				T::Providers::unlock_collateral(&a.provider, a.collateral)?;
			} else {
				let slashed =
					T::Providers::slash_collateral(&a.provider, a.collateral, &record.payer)?;
				T::Providers::unlock_collateral(&a.provider, Zero::zero())?;
				T::Providers::record_outcome(&a.provider, false);
				let _ = dissenting.try_push(a.provider.clone());
				Self::deposit_event(Event::ProviderSlashed {
					job,
					provider: a.provider.clone(),
					amount: slashed,
				});
			}
			ProviderJobs::<T>::remove(&a.provider, job);
		}
		let rest = record.escrow.saturating_sub(paid);
		let refunded =
			T::Currency::release(&escrow_reason, &record.payer, rest, Precision::BestEffort)?;
		T::Models::release(&record.model)?;
		Jobs::<T>::remove(job);
		match decision {
			Tally::Output(output_digest) => {
				let now = frame_system::Pallet::<T>::block_number();
				Receipts::<T>::insert(
					job,
					JobReceipt {
						payer: record.payer,
						model: record.model,
						input_hash: record.input_hash,
						output_digest,
						agreeing: agreeing.clone(),
						dissenting: dissenting.clone(),
						paid,
						refunded,
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
				});
			},
			Tally::NoReveals | Tally::NoDecision => {
				let reason = if decision == Tally::NoReveals {
					FailureReason::NoReveals
				} else {
					FailureReason::NoDecision
				};
				Self::deposit_event(Event::JobFailed { job, reason, refunded });
			},
		}
		Ok(())
	}

	/// Removes receipts older than `ResultRetention`, in job order, while `meter` allows.
	pub(crate) fn prune_receipts(n: BlockNumberFor<T>, meter: &mut WeightMeter) {
		let step = T::WeightInfo::on_idle_prune();
		let mut cursor = PruneCursor::<T>::get();
		let next = NextJobId::<T>::get();
		let mut moved = false;
		while cursor < next && meter.try_consume(step).is_ok() {
			if Jobs::<T>::contains_key(cursor) {
				break;
			}
			if let Some(receipt) = Receipts::<T>::get(cursor) {
				if receipt.settled_at.saturating_add(T::ResultRetention::get()) > n {
					break;
				}
				Receipts::<T>::remove(cursor);
			}
			cursor = cursor.saturating_add(1);
			moved = true;
		}
		if moved {
			PruneCursor::<T>::put(cursor);
		}
	}
}
