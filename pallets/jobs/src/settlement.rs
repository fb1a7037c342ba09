//! Tally and settlement: deciding the output, moving the money, keeping the receipt.

use crate::{types, weights::WeightInfo as _};
use alloc::vec::Vec;
use frame_support::storage::with_storage_layer;
use frame_support::weights::Weight;
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
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{Saturating, Zero},
	DispatchError, DispatchResult, PerThing, Perbill, Rounding,
};
use synod_primitives::{
	digest::within_tolerance,
	traits::{ModelRegistry, ProviderRegistry},
};

use crate::{
	types::{Assignment, BalanceOf, FailureReason, JobId, JobReceipt},
	voting::in_round,
	Config, Event, HoldReason, JobOf, Jobs, NextJobId, Pallet, ProviderJobs, PruneCursor, Receipts,
};

/// What ending a round did.
#[derive(Debug, PartialEq, Eq)]
pub enum Concluded {
	/// The job escalated.
	Escalated,
	/// The job settled or failed with `voters` voters (after trying to escalate, or not).
	Decided {
		/// Assignments that voted.
		voters: u32,
		/// Whether any reveal carried a small output (compared within the tolerance); else
		/// digests only were compared.
		outputs: bool,
		/// Whether an escalation was tried first.
		tried_escalation: bool,
	},
}

/// The outcome of a tally over a job's voters.
#[derive(Debug, PartialEq, Eq)]
pub enum Tally {
	/// The output of the assignment at `anchor` won; `unanimous` when every voter revealed an
	/// output that agrees with it.
	Output {
		/// Index (in the job's assignments) of the reveal whose output won.
		anchor: usize,
		/// Whether everyone agreed.
		unanimous: bool,
	},
	/// Nobody revealed.
	NoReveals,
	/// No output reached the supermajority.
	NoDecision,
}

/// Whether two reveals agree: equal digests, or two small outputs of one shape whose elements
/// all differ by at most `tolerance` quantization steps.
pub fn agree<A, B>(a: &Assignment<A, B>, b: &Assignment<A, B>, tolerance: u64) -> bool {
	match (a.digest, b.digest) {
		(Some(x), Some(y)) if x == y => true,
		(Some(_), Some(_)) => match (&a.output, &b.output) {
			(Some(x), Some(y)) => {
				x.shape == y.shape && within_tolerance(&x.values, &y.values, tolerance)
			},
			_ => false,
		},
		_ => false,
	}
}

/// Caps vote weights so that no voter holds more than `share` of the capped total: the largest
/// weights are lowered to one common cap `C` with `C = share × Σ min(w, C)` (water-filling).
/// When `share × n < 1` no such cap exists (even equal weights give each voter more than
/// `share`), and every voter gets weight 1.
pub fn capped_weights(weights: &[u128], share: Perbill) -> Vec<u128> {
	let n = weights.len();
	let parts = u128::from(share.deconstruct());
	let one = u128::from(Perbill::ACCURACY);
	let equal = alloc::vec![1u128; n];
	if parts.saturating_mul(n as u128) < one {
		return equal;
	}
	let mut sorted: Vec<u128> = weights.to_vec();
	sorted.sort_unstable_by(|a, b| b.cmp(a));
	// rest = the sum of the weights below the top `m`.
	let mut rest = sorted.iter().fold(0u128, |acc, w| acc.saturating_add(*w));
	for m in 0..n {
		// The top `m` are capped at C = share × rest / (1 − share × m).
		let Some(denominator) = one.checked_sub(parts.saturating_mul(m as u128)) else { break };
		if denominator == 0 {
			break;
		}
		let Some(cap) =
			multiply_by_rational_with_rounding(rest, parts, denominator, Rounding::Down)
		else {
			break;
		};
		let below = sorted.get(m).copied().unwrap_or(0);
		let above = m.checked_sub(1).and_then(|i| sorted.get(i)).copied().unwrap_or(u128::MAX);
		if below <= cap && cap <= above {
			return weights.iter().map(|w| (*w).min(cap).max(1)).collect();
		}
		rest = rest.saturating_sub(below);
	}
	equal
}

/// Tallies a job's voters (its assignments that are not slashed): for every reveal, the capped
/// weight of the reveals that agree with it; the heaviest wins when it holds at least two
/// thirds of the capped weight of all voters (silent ones included). Ties go to the earlier
/// assignment.
pub fn tally<A, B>(assignments: &[Assignment<A, B>], tolerance: u64, share: Perbill) -> Tally {
	let voters: Vec<usize> =
		assignments.iter().enumerate().filter(|(_, a)| !a.slashed).map(|(i, _)| i).collect();
	let weights: Vec<u128> =
		voters.iter().filter_map(|i| assignments.get(*i)).map(|a| a.weight).collect();
	let capped = capped_weights(&weights, share);
	let total = capped.iter().fold(0u128, |acc, w| acc.saturating_add(*w));
	let mut best: Option<(usize, u128, usize)> = None;
	for &i in &voters {
		let Some(a) = assignments.get(i) else { continue };
		if a.digest.is_none() {
			continue;
		}
		let mut support = 0u128;
		let mut members = 0usize;
		for (j, w) in voters.iter().zip(&capped) {
			if assignments.get(*j).is_some_and(|b| agree(a, b, tolerance)) {
				support = support.saturating_add(*w);
				members = members.saturating_add(1);
			}
		}
		if best.is_none_or(|(_, s, _)| support > s) {
			best = Some((i, support, members));
		}
	}
	match best {
		None => Tally::NoReveals,
		Some((anchor, support, members))
			if support.saturating_mul(3) >= total.saturating_mul(2) =>
		{
			Tally::Output { anchor, unanimous: members == voters.len() }
		},
		Some(_) => Tally::NoDecision,
	}
}

impl<T: Config> Pallet<T> {
	/// The tally of `record` now.
	pub(crate) fn tally_of(record: &JobOf<T>) -> Tally {
		tally(&record.assignments, record.tolerance, T::MaxVoteShare::get())
	}

	/// Ends a round of `job` at block `n`: a unanimous round settles; a first round without
	/// unanimity escalates when time and providers allow; otherwise the tally decides. Says
	/// what it did, for the weight.
	pub(crate) fn conclude(
		job: JobId,
		record: JobOf<T>,
		n: BlockNumberFor<T>,
	) -> Result<Concluded, DispatchError> {
		let decision = Self::tally_of(&record);
		let unanimous = matches!(decision, Tally::Output { unanimous: true, .. });
		let mut tried = false;
		if !unanimous && record.round == 0 && Self::time_for_round(&record, n) {
			tried = true;
			match with_storage_layer(|| Self::escalate(job, record.clone(), n)) {
				Ok(()) => return Ok(Concluded::Escalated),
				Err(e) => {
					log::debug!(target: "runtime::jobs", "job {job} does not escalate: {e:?}")
				},
			}
		}
		let voters = u32::try_from(record.assignments.iter().filter(|a| !a.slashed).count())
			.unwrap_or(u32::MAX);
		let outputs = record.assignments.iter().any(|a| a.output.is_some());
		// A failed escalation changed nothing (storage layer), so the tally still holds.
		Self::finalize_with(job, record, decision)?;
		Ok(Concluded::Decided { voters, outputs, tried_escalation: tried })
	}

	/// The weight of what `conclude` did.
	pub(crate) fn concluded_weight(c: &Concluded) -> Weight {
		match c {
			Concluded::Escalated => T::WeightInfo::reveal_escalate(),
			Concluded::Decided { voters, outputs, tried_escalation } => {
				let tally = if *outputs {
					T::WeightInfo::reveal(*voters)
				} else {
					T::WeightInfo::reveal_digests(*voters)
				};
				if *tried_escalation {
					tally.max(T::WeightInfo::reveal_escalate())
				} else {
					tally
				}
			},
		}
	}

	/// The most a reveal (or one item of a batch) can weigh: the last reveal of an escalated
	/// job settling every voter, or the last reveal of a first round escalating.
	pub(crate) fn reveal_weight_max() -> Weight {
		let voters = types::MAX_ASSIGNMENTS.min(T::MaxRedundancy::get().saturating_mul(2));
		T::WeightInfo::reveal(voters).max(T::WeightInfo::reveal_escalate())
	}

	/// Draws `redundancy` more providers for `job` (round 1) and opens their commit window;
	/// providers of the first round that did not reveal are slashed now. Fails, changing
	/// nothing when run in a storage layer, when nobody is left to draw.
	fn escalate(job: JobId, mut record: JobOf<T>, n: BlockNumberFor<T>) -> DispatchResult {
		let silent: Vec<T::AccountId> = record
			.assignments
			.iter()
			.filter(|a| in_round(a, 0) && a.digest.is_none())
			.map(|a| a.provider.clone())
			.collect();
		record.round = 1;
		let k = record.redundancy;
		let drawn = Self::draw(job, &mut record, k)?;
		if drawn.is_empty() {
			return Err(DispatchError::Other("no eligible provider left to escalate to"));
		}
		for who in &silent {
			Self::slash_out(job, &mut record, who)?;
		}
		let commit_end = Self::open_commits(job, &mut record, n)?;
		Jobs::<T>::insert(job, record);
		Self::deposit_event(Event::JobEscalated { job, providers: drawn, commit_end });
		Ok(())
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

	/// Slashes `who`'s collateral for `job` to the payer now and takes it out of the vote.
	pub(crate) fn slash_out(
		job: JobId,
		record: &mut JobOf<T>,
		who: &T::AccountId,
	) -> DispatchResult {
		let payer = record.payer.clone();
		let redundancy = record.redundancy;
		let Some(slot) = record.assignments.iter_mut().find(|a| a.provider == *who) else {
			return Ok(());
		};
		Self::slash(job, &payer, who, slot.collateral, Self::compensation(slot.price, redundancy))?;
		Self::unindex(who, job);
		slot.slashed = true;
		Ok(())
	}

	/// What the payer gets from one slashed assignment at `price`: `redundancy` prices, what
	/// the escalation that a dissenting or silent provider can force costs the payer at most.
	/// The rest of the collateral is burned (docs/protocol.md, "Economics").
	pub(crate) fn compensation(price: BalanceOf<T>, redundancy: u32) -> BalanceOf<T> {
		price.saturating_mul(redundancy.into())
	}

	/// Slashes `collateral` of `who` for `job`: `compensation` of it to `payer`, the rest burned;
	/// releases the assignment's lock and records the failure.
	fn slash(
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

	/// Ends `job`: pays the providers that agree with the decision, slashes the others to the
	/// payer, releases the rest of the escrow, releases the model, and keeps a receipt.
	pub(crate) fn finalize(job: JobId, record: JobOf<T>) -> DispatchResult {
		let decision = Self::tally_of(&record);
		Self::finalize_with(job, record, decision)
	}

	/// `finalize` with the tally of `record` already made.
	fn finalize_with(job: JobId, record: JobOf<T>, decision: Tally) -> DispatchResult {
		let winner = match decision {
			Tally::Output { anchor, .. } => record.assignments.get(anchor),
			_ => None,
		};
		let escrow_reason = HoldReason::JobEscrow.into();
		let mut paid = BalanceOf::<T>::zero();
		let mut agreeing = BoundedVec::new();
		let mut dissenting = BoundedVec::new();
		for a in &record.assignments {
			if a.slashed {
				let _ = dissenting.try_push(a.provider.clone());
				continue;
			}
			let honest = match winner {
				Some(w) => agree(w, a, record.tolerance),
				// Without a decision nobody who revealed can be called wrong.
				None => a.digest.is_some(),
			};
			if honest {
				if winner.is_some() {
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
				let compensation = Self::compensation(a.price, record.redundancy);
				Self::slash(job, &record.payer, &a.provider, a.collateral, compensation)?;
				let _ = dissenting.try_push(a.provider.clone());
			}
			Self::unindex(&a.provider, job);
		}
		let rest = record.escrow.saturating_sub(paid);
		let refunded =
			T::Currency::release(&escrow_reason, &record.payer, rest, Precision::BestEffort)?;
		T::Models::release(&record.model)?;
		Jobs::<T>::remove(job);
		let result =
			winner.and_then(|w| w.digest.map(|d| (d, w.output.clone(), w.members.clone())));
		match (result, decision) {
			(Some((output_digest, output, members)), _) => {
				let now = frame_system::Pallet::<T>::block_number();
				Receipts::<T>::insert(
					job,
					JobReceipt {
						payer: record.payer,
						model: record.model,
						input_hash: record.input_hash,
						output_digest,
						output,
						members: members.clone(),
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
					members: members.into_inner(),
				});
			},
			(None, decision) => {
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
