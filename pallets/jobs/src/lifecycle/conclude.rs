//! Ending a round: the tally decides, escalates once, or the job ends (settled or failed)
//! through the money side (`crate::funds`).

use alloc::vec::Vec;
use frame_support::{storage::with_storage_layer, traits::Get, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{DispatchError, DispatchResult};

use crate::{
	tally::{tally, Tally},
	types::{self, JobId, JobStatus},
	weights::WeightInfo as _,
	Config, Error, Event, JobOf, Open, Pallet, LOG_TARGET,
};

/// What ending a round did.
#[derive(Debug, PartialEq, Eq)]
pub enum Concluded {
	/// The job escalated.
	Escalated,
	/// A seal won: the job waits for its providers to open it.
	Opening {
		/// Assignments that voted.
		voters: u32,
		/// Whether any reveal carried a small output.
		outputs: bool,
		/// Whether an escalation was tried first.
		tried_escalation: bool,
	},
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

impl<T: Config> Pallet<T> {
	/// The tally of `job` (its record `record`) now.
	pub(crate) fn tally_of(job: JobId, record: &JobOf<T>) -> Tally {
		tally(job, &record.assignments, record.tolerance)
	}

	/// Ends a round of `job` at block `n`, or its opening window: a first round without
	/// unanimity escalates when time and providers allow; otherwise the tally decides. A
	/// decision for a seal nobody has opened yet waits for its opening (`JobStatus::Opening`),
	/// and fails the job (`Unopened`) when the opening window ends without one. Says what it
	/// did, for the weight.
	pub(crate) fn conclude(
		job: JobId,
		mut record: JobOf<T>,
		n: BlockNumberFor<T>,
	) -> Result<Concluded, DispatchError> {
		if let Some(types::Audit::Canary(_)) = record.audit {
			// The known answer decides (`settle` judges everyone against it): nothing to
			// escalate, nothing to open.
			let (voters, outputs) = Self::tally_size(&record);
			Self::settle(job, record, Tally::NoDecision)?;
			return Ok(Concluded::Decided { voters, outputs, tried_escalation: false });
		}
		let decision = Self::tally_of(job, &record);
		let unanimous = matches!(decision, Tally::Output { unanimous: true, .. });
		let (voters, outputs) = Self::tally_size(&record);
		let mut tried = false;
		let mut blocked = false;
		if Self::splits_with_time(&record, unanimous, n) {
			tried = true;
			match with_storage_layer(|| Self::escalate(job, record.clone(), n)) {
				Ok(()) => return Ok(Concluded::Escalated),
				Err(e) => {
					blocked = e == Error::<T>::TooManyTimeouts.into();
					log::debug!(target: LOG_TARGET, "job {job} does not escalate: {e:?}")
				},
			}
		}
		// A split first round whose escalation found the schedule full does not decide by
		// itself: filling the schedule must not let two liars of three win (it refunds). Nor
		// does an audit that is not unanimous and did not escalate: the primary and one
		// accomplice among its auditors must not outvote the other.
		let disputed_audit = matches!(record.audit, Some(types::Audit::Drawn { .. }))
			&& record.round == 0
			&& !unanimous;
		let decision = if blocked || disputed_audit { Tally::NoDecision } else { decision };
		let sealed_only = match decision {
			Tally::Output { anchor, .. } => {
				record.assignments.get(anchor).is_some_and(|a| a.reveal.is_none())
			},
			_ => false,
		};
		// Seals that split where small outputs may still agree within the tolerance (which
		// seals cannot tell): open them all and tally again.
		let compare_outputs = decision == Tally::NoDecision
			&& !blocked
			&& record.round == 0
			&& record.status == JobStatus::Revealing
			&& record.tolerance > 0
			&& !matches!(record.input, crate::types::JobInput::Cohort(_))
			&& record.assignments.iter().filter(|a| a.sealed.is_some()).count() > 1;
		let decision = match decision {
			_ if sealed_only && record.status == JobStatus::Opening => Tally::Unopened,
			_ if sealed_only || compare_outputs => {
				record.status = JobStatus::Opening;
				record.phase_end = record.open_end;
				Self::deposit_event(Event::OpeningStarted { job, open_end: record.open_end });
				Open::<T>::insert(job, record);
				return Ok(Concluded::Opening { voters, outputs, tried_escalation: tried });
			},
			decision => decision,
		};
		// A failed escalation changed nothing (storage layer), so the tally still holds.
		Self::settle(job, record, decision)?;
		Ok(Concluded::Decided { voters, outputs, tried_escalation: tried })
	}

	/// What a tally of `record` weighs by: its voters, and whether any reveal carried a small
	/// output (compared within the tolerance) or digests only were compared.
	pub(crate) fn tally_size(record: &JobOf<T>) -> (u32, bool) {
		let voters = u32::try_from(record.assignments.iter().filter(|a| !a.slashed).count())
			.unwrap_or(u32::MAX);
		let outputs = record
			.assignments
			.iter()
			.any(|a| a.reveal.as_ref().is_some_and(|r| r.output().is_some()));
		(voters, outputs)
	}

	/// The weight of what `conclude` did.
	pub(crate) fn concluded_weight(c: &Concluded) -> Weight {
		match c {
			Concluded::Escalated => T::WeightInfo::reveal_escalate(),
			// Waiting for openings: the tally of the seals, bounded by a settlement of as many
			// voters. Decided: the tally and the settlement.
			Concluded::Opening { voters, outputs, tried_escalation }
			| Concluded::Decided { voters, outputs, tried_escalation } => {
				let tally = if *outputs {
					T::WeightInfo::reveal(*voters)
				} else {
					T::WeightInfo::reveal_digests(*voters)
				};
				// A failed escalation ran (its draws, then undone) before the decision: both
				// costs were paid, so both are charged.
				if *tried_escalation {
					tally.saturating_add(T::WeightInfo::reveal_escalate())
				} else {
					tally
				}
			},
		}
	}

	/// The most a reveal (or one item of a batch) can weigh: the last reveal of an escalated
	/// job settling every voter, or the last reveal of a first round escalating, or one whose
	/// escalation failed and whose first round (at most `MaxRedundancy` voters) is decided.
	pub(crate) fn reveal_weight_max() -> Weight {
		let voters = types::MAX_ASSIGNMENTS.min(T::MaxRedundancy::get().saturating_mul(2));
		let failed_escalation = T::WeightInfo::reveal(T::MaxRedundancy::get())
			.saturating_add(T::WeightInfo::reveal_escalate());
		T::WeightInfo::reveal(voters).max(T::WeightInfo::reveal_escalate()).max(failed_escalation)
	}

	/// Whether concluding `record` at block `n` escalates it, that is, draws: its first round
	/// (no canary) is split and a round still fits before the deadline.
	pub(crate) fn escalates(job: JobId, record: &JobOf<T>, n: BlockNumberFor<T>) -> bool {
		!matches!(record.audit, Some(types::Audit::Canary(_)))
			&& Self::splits_with_time(
				record,
				matches!(Self::tally_of(job, record), Tally::Output { unanimous: true, .. }),
				n,
			)
	}

	fn splits_with_time(record: &JobOf<T>, unanimous: bool, n: BlockNumberFor<T>) -> bool {
		!unanimous
			&& record.round == 0
			&& record.status == JobStatus::Revealing
			&& Self::time_for_round(record, n)
	}

	/// Draws `redundancy` more providers for `job` (round 1; an audit's providers for an
	/// audited job) and opens their commit window;
	/// providers of the first round that did not seal are taken out of the vote now. Fails,
	/// changing nothing when run in a storage layer, when nobody is left to draw.
	fn escalate(job: JobId, mut record: JobOf<T>, n: BlockNumberFor<T>) -> DispatchResult {
		let silent: Vec<T::AccountId> = record
			.assignments
			.iter()
			.filter(|a| a.in_round(0) && !a.answered())
			.map(|a| a.provider.clone())
			.collect();
		record.round = 1;
		let k = Self::escalation_size(&record);
		let drawn = Self::draw(job, &mut record, k)?;
		if drawn.is_empty() {
			return Err(DispatchError::Other("no eligible provider left to escalate to"));
		}
		for who in &silent {
			Self::slash_out(&mut record, who);
		}
		let commit_end = Self::open_commits(job, &mut record, n)?;
		Open::<T>::insert(job, record);
		Self::deposit_event(Event::JobEscalated { job, providers: drawn, commit_end });
		Ok(())
	}

	/// Ends `job`: pays the providers that agree with the decision, slashes the others to the
	/// payer, releases the rest of the escrow, releases the model, and keeps a receipt.
	pub(crate) fn finalize(job: JobId, record: JobOf<T>) -> DispatchResult {
		let decision = match Self::tally_of(job, &record) {
			Tally::Output { anchor, .. }
				if record.assignments.get(anchor).is_some_and(|a| a.reveal.is_none()) =>
			{
				Tally::Unopened
			},
			decision => decision,
		};
		Self::settle(job, record, decision)
	}
}
