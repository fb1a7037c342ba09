//! Audited jobs: one provider (the primary) computes; once its commitment is on chain, fresh
//! randomness decides whether auditors recompute it, at a rate that falls with the primary's
//! clean record (`AuditRecord`) toward `AuditFloor`. Canaries (jobs whose answer governance
//! knows) take the audit's place when their payer opens them.
//!
//! The rule, in one sentence: **a primary commits before anyone, itself included, can know
//! whether it will be checked, and every audited job locks `price / AuditFloor` of
//! collateral, so that the chance of being checked times what a wrong answer loses is at
//! least the price, which is at least what skipping the work saves** (docs/protocol.md,
//! "Audited jobs").
//!
//! ```text
//!  Committing (primary) ──(its commitment; AUDIT_DELAY blocks, or the window's end)──►
//!      decide ──► canary opened: Revealing, judged against the known digest
//!             ──► skipped (1 − rate): Revealing ──► Opening ──► Settled (the primary's answer)
//!             ──► audited (rate): auditors drawn, Committing ──► Revealing ──► tally, escalation
//!             ──► no audit possible (whatever the coin): Failed (AuditUnavailable), nobody paid
//!  Revealing (audited) ──► unanimous: settled; split: escalation, else no decision
//! ```

use alloc::vec::Vec;
use codec::Encode;
use frame_support::{ensure, storage::with_storage_layer, traits::Get, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchError, DispatchResult, PerThing, Perbill,
};

use crate::{
	draw::Draw,
	lifecycle::{assign::PoolOf, conclude::Concluded},
	types::{
		canary_hash, Assignment, Audit, FailureReason, JobId, JobInput, JobStatus, Reveal, Salt,
	},
	AuditRecord, BalanceOf, BlockEntropy, Canaries, Config, Error, Event, JobOf, Open, Pallet,
	Seed, LOG_TARGET,
};
use sp_runtime::traits::Bounded;
use synod_primitives::digest::Hash32;
use synod_primitives::traits::ProviderRegistry;

/// Blocks from the primary's commitment to the audit decision: one block in which a canary's
/// payer can open it (after the commitment it sees, before anyone could be drawn to copy the
/// answer), and a decision on the hash of a block that did not exist when the primary
/// committed.
pub const AUDIT_DELAY: u32 = 2;

/// The domain tag of the audit decision's randomness.
const AUDIT_TAG: &[u8; 11] = b"synod:audit";

impl<T: Config> Pallet<T> {
	/// How many providers an audit has: the primary and `Auditors`. An audited job's
	/// escalation draws as many again, and its escrow holds both.
	pub fn audit_size() -> u32 {
		T::Auditors::get().saturating_add(1)
	}

	/// How many providers an escalation of `record` draws: its redundancy, or an audit's
	/// providers for an audited job.
	pub(crate) fn escalation_size(record: &JobOf<T>) -> u32 {
		match record.audit {
			None => record.redundancy,
			Some(_) => Self::audit_size(),
		}
	}

	/// The audit rate of a provider with `clean` verified agreements since its last slash:
	/// 1 (always) for a newcomer, halved every `AuditHalving` of them, never below
	/// `AuditFloor`.
	pub fn audit_rate(clean: u32) -> Perbill {
		let halvings = clean.checked_div(T::AuditHalving::get()).unwrap_or(u32::MAX);
		let rate = match 1u32.checked_shl(halvings) {
			Some(d) if halvings < 31 => Perbill::from_rational(1u32, d),
			_ => Perbill::zero(),
		};
		rate.max(T::AuditFloor::get())
	}

	/// Whether `job` is audited at `rate`, from randomness of the block the decision is made in
	/// (its entropy, the VRF output no author can grind, and the seed of revealed salts, both
	/// unknown when the primary committed, `AUDIT_DELAY` blocks before at the least).
	fn audit_drawn(job: JobId, rate: Perbill) -> bool {
		let mut draw = Draw::new(sp_crypto_hashing::blake2_256(
			&(AUDIT_TAG, Seed::<T>::get(), BlockEntropy::<T>::get(), job).encode(),
		));
		draw.below(u128::from(Perbill::ACCURACY)) < u128::from(rate.deconstruct())
	}

	/// The primary of an audited job committed at block `now`: the decision waits
	/// `AUDIT_DELAY` blocks (past its commit window's end when it committed late: a canary's
	/// payer always has the block after the commitment), then `close_commits` makes it. It
	/// stays before the reveal window's end scheduled with the commit window, which an
	/// unaudited primary then reveals by; when those blocks' schedule is full the commit
	/// window's end, already scheduled, decides.
	pub(crate) fn await_audit(job: JobId, record: &mut JobOf<T>, now: BlockNumberFor<T>) {
		let latest = record.reveal_end.saturating_sub(1u32.into());
		if let Ok(at) = Self::schedule(job, now.saturating_add(AUDIT_DELAY.into()), latest) {
			record.phase_end = at;
		}
	}

	/// Decides the audit of `job`, whose primary committed, at block `n`: a canary goes to its
	/// reveal (judged against the known digest); otherwise the audit is drawn from `pool`
	/// (the primary's class: `Auditors` providers, their windows scheduled) whatever the coin
	/// says, and kept only when the coin, at the primary's audit rate, says audit; else the
	/// primary's answer goes to its reveal alone. An audit that cannot be drawn (too few
	/// eligible, no time, a full schedule) fails the job, whatever the coin says, without
	/// paying anyone: a primary that makes its audit impossible is never paid, and a job
	/// chosen for an audit never settles without one. Returns the weight beyond the commit
	/// window's close.
	pub(crate) fn decide_audit(
		job: JobId,
		mut record: JobOf<T>,
		n: BlockNumberFor<T>,
		pool: &mut PoolOf<T>,
	) -> Result<Weight, DispatchError> {
		if let Some(Audit::Canary(_)) = record.audit {
			Self::start_reveal(job, &mut record);
			Open::<T>::insert(job, record);
			return Ok(Weight::zero());
		}
		let primary = record
			.assignments
			.iter()
			.find(|a| a.in_round(0) && a.commitment.is_some())
			.map(|a| a.provider.clone())
			.ok_or(Error::<T>::NotCommitted)?;
		let audited = Self::audit_drawn(job, Self::audit_rate(AuditRecord::<T>::get(&primary)));
		let mut drawn = Self::draw_audit(job, &record, n, pool, audited);
		if drawn.is_err() {
			// The block's pool may be stale (settlements and slashes since it was read).
			*pool = T::Providers::eligible(&record.model, BalanceOf::<T>::max_value());
			drawn = Self::draw_audit(job, &record, n, pool, audited);
		}
		match drawn {
			Ok(()) if audited => Ok(Weight::zero()),
			Ok(()) => {
				record.audit = Some(Audit::Skipped);
				Self::deposit_event(Event::AuditSkipped { job });
				Self::start_reveal(job, &mut record);
				Open::<T>::insert(job, record);
				Ok(Weight::zero())
			},
			Err(e) => {
				log::debug!(target: LOG_TARGET, "job {job}: no audit can be drawn: {e:?}");
				let voters = u32::try_from(record.assignments.len()).unwrap_or(u32::MAX);
				Self::release_all(job, record, FailureReason::AuditUnavailable)?;
				let ended = Concluded::Decided { voters, outputs: false, tried_escalation: false };
				Ok(Self::concluded_weight(&ended))
			},
		}
	}

	/// Draws `record`'s audit at block `n` from `pool`, all or nothing: exactly `Auditors`
	/// auditors, their commit window and the windows after it scheduled. Keeps it (the job
	/// stored, `AuditStarted`) when `keep`; otherwise undoes it (a dry run that only proves
	/// the audit possible) and leaves `pool` as it was. Fails, changing nothing, when the
	/// audit cannot be drawn.
	fn draw_audit(
		job: JobId,
		record: &JobOf<T>,
		n: BlockNumberFor<T>,
		pool: &mut PoolOf<T>,
		keep: bool,
	) -> DispatchResult {
		let dry_run = DispatchError::Other("synod: audit dry run");
		let before = pool.clone();
		let result = with_storage_layer(|| {
			let mut record = record.clone();
			if !Self::time_for_round(&record, n) {
				return Err(DispatchError::Other("no time left for an audit"));
			}
			let from = u8::try_from(record.assignments.len()).unwrap_or(u8::MAX);
			record.audit = Some(Audit::Drawn { from });
			let auditors = Self::draw_from(job, &mut record, T::Auditors::get(), pool)?;
			if u32::try_from(auditors.len()).ok() != Some(T::Auditors::get()) {
				return Err(DispatchError::Other("too few auditors eligible"));
			}
			let commit_end = Self::open_commits(job, &mut record, n)?;
			if !keep {
				return Err(dry_run);
			}
			Open::<T>::insert(job, record);
			Self::deposit_event(Event::AuditStarted { job, auditors, commit_end });
			Ok(())
		});
		if !(keep && result.is_ok()) {
			*pool = before;
		}
		match result {
			Err(e) if e == dry_run => Ok(()),
			other => other,
		}
	}

	/// Whether an audited job assigned (or whose primary is replaced) at `n` has time for
	/// all of it whenever its primary commits: the primary's commit window and the audit's
	/// delay, then the audit's round and its escalation (a commit, a reveal and an opening
	/// window each). A primary that commits late then never leaves its audit, or the audit's
	/// escalation, without time.
	pub(crate) fn time_for_audit(record: &JobOf<T>, n: BlockNumberFor<T>) -> bool {
		let round = Self::round_blocks();
		let needed = T::CommitWindow::get()
			.saturating_add(AUDIT_DELAY.into())
			.saturating_add(round)
			.saturating_add(round);
		n.saturating_add(needed) <= record.deadline
	}

	/// Opens a canary on `job` for its payer `who`: checks the job is an audited single job
	/// whose primary committed and whose audit is not decided, and that `digest` and `salt`
	/// are a registered canary of it; the audit becomes the canary.
	pub(crate) fn do_open_canary(
		who: &T::AccountId,
		job: JobId,
		digest: Hash32,
		salt: Salt,
	) -> DispatchResult {
		let mut record = Open::<T>::get(job).ok_or(Error::<T>::JobNotFound)?;
		ensure!(record.payer == *who, Error::<T>::NotPayer);
		let committed =
			record.assignments.iter().filter(|a| a.in_round(0)).all(|a| a.commitment.is_some());
		ensure!(
			record.audit == Some(Audit::Pending)
				&& record.status == JobStatus::Committing
				&& committed && !matches!(record.input, JobInput::Cohort(_)),
			Error::<T>::CanaryNotOpenable
		);
		let hash = canary_hash(who, &record.model, &record.input_hash, &digest, &salt);
		ensure!(Canaries::<T>::take(hash).is_some(), Error::<T>::UnknownCanary);
		record.audit = Some(Audit::Canary(digest));
		Open::<T>::insert(job, record);
		Self::deposit_event(Event::CanaryOpened { job });
		Ok(())
	}

	/// The known answer of a canary job, as the assignment every provider is compared with.
	pub(crate) fn canary_referee(
		record: &JobOf<T>,
	) -> Option<Assignment<T::AccountId, crate::BalanceOf<T>>> {
		match record.audit {
			Some(Audit::Canary(digest)) => Some(Assignment {
				provider: record.payer.clone(),
				price: Zero::zero(),
				collateral: Zero::zero(),
				round: 0,
				commitment: None,
				sealed: None,
				reveal: Some(Reveal::Output { digest, output: None }),
				slashed: false,
			}),
			_ => None,
		}
	}

	/// Updates the clean records after a job: each of `agreeing` gains one when the decision
	/// was verified (another voter, or a canary, agreed with it), each of `slashed` loses its
	/// record.
	pub(crate) fn record_audits<'a>(
		verified: bool,
		agreeing: impl IntoIterator<Item = &'a T::AccountId>,
		slashed: impl IntoIterator<Item = &'a T::AccountId>,
	) {
		if verified {
			for who in agreeing {
				AuditRecord::<T>::mutate(who, |clean| *clean = clean.saturating_add(1));
			}
		}
		for who in slashed {
			AuditRecord::<T>::remove(who);
		}
	}

	/// The auditors of `record` (for its receipt): the round-0 providers drawn at or after
	/// the audit; for a job that was not audited but escalated (its primary did not answer),
	/// the escalation's providers, who then checked it.
	pub(crate) fn auditors(record: &JobOf<T>) -> Vec<T::AccountId> {
		let (from, round) = match record.audit {
			Some(Audit::Drawn { from }) => (usize::from(from), 0),
			Some(Audit::Skipped) if record.round == 1 => (0, 1),
			_ => return Vec::new(),
		};
		record
			.assignments
			.iter()
			.skip(from)
			.filter(|a| a.round == round && !a.slashed)
			.map(|a| a.provider.clone())
			.collect()
	}
}
