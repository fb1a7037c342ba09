//! Audited jobs: one primary, an audit decided after its commitment at a rate that falls with
//! its clean record, auditors who vote with it, canaries, and the receipts that say which.

use super::*;
use crate::{
	lifecycle::AUDIT_DELAY,
	types::{canary_hash, Audit, Verification},
	AuditRecord, Canaries,
};
use proptest::prelude::*;
use sp_runtime::Perbill;
use synod_primitives::digest::{unservable_digest, Unservable};

/// Submits an audited job for model 1 at the default price; returns its id.
fn submit_audited() -> u64 {
	let id = crate::NextJobId::<Test>::get();
	assert_ok!(Jobs::submit_audited(
		RuntimeOrigin::signed(PAYER),
		model(1),
		inline(&[1, 2, 3, 4]),
		PRICE,
		System::block_number() + 30
	));
	id
}

fn audit_of(job: u64) -> Option<Audit> {
	JobRecords::<Test>::get(job).and_then(|j| j.audit)
}

/// The primary of a job that was just assigned.
fn primary(job: u64) -> AccountId {
	let chosen = assigned(job);
	assert_eq!(chosen.len(), 1, "an audited job draws its primary alone");
	chosen[0]
}

/// Gives every provider a long clean record: audited at the floor.
fn veterans() {
	for who in PROVIDERS {
		AuditRecord::<Test>::insert(who, 1_000);
	}
}

/// Runs audited jobs one after another, the primary answering `tag`, until one is decided
/// `audited` (or not); returns it, with its primary, in its first block after the decision.
fn next_decided(audited: bool, tag: u8) -> (u64, AccountId) {
	for _ in 0..200 {
		let job = submit_audited();
		run_to(System::block_number() + 1);
		let p = primary(job);
		commit(p, job, tag);
		run_to(System::block_number() + u64::from(AUDIT_DELAY));
		match audit_of(job) {
			Some(Audit::Drawn { .. }) if audited => return (job, p),
			Some(Audit::Skipped) if !audited => return (job, p),
			_ => {},
		}
		// Not the kind wanted: finish it honestly and try the next one.
		for _ in 0..4 {
			answer_round(job, |_| tag);
			if let Some(r) = JobRecords::<Test>::get(job) {
				for a in r.assignments.iter().filter(|a| a.commitment.is_none() && !a.slashed) {
					commit(a.provider, job, tag);
				}
			}
		}
		run_to(System::block_number() + 12);
		assert!(JobRecords::<Test>::get(job).is_none());
	}
	panic!("no audited = {audited} job in 200");
}

#[test]
fn the_audit_rate_halves_with_the_clean_record_down_to_the_floor() {
	build_and_execute(|| {
		let rate = crate::Pallet::<Test>::audit_rate;
		assert_eq!(rate(0), Perbill::one());
		assert_eq!(rate(3), Perbill::one());
		assert_eq!(rate(4), Perbill::from_percent(50));
		assert_eq!(rate(8), Perbill::from_percent(25));
		assert_eq!(rate(12), Perbill::from_rational(1u32, 8u32));
		assert_eq!(rate(16), Perbill::from_rational(1u32, 16u32));
		assert_eq!(rate(u32::MAX), Perbill::from_rational(1u32, 16u32));
	});
}

#[test]
fn an_audited_job_holds_its_worst_case_and_draws_one_primary_with_the_floors_collateral() {
	build_and_execute(|| {
		let job = submit_audited();
		// The audit (primary and two auditors) and its escalation (three more).
		assert_eq!(escrow_held(PAYER), 2 * 3 * PRICE);
		assert_eq!(audit_of(job), Some(Audit::Pending));
		run_to(2);
		let p = primary(job);
		// max(6 × price, price / (1/16)).
		let record = JobRecords::<Test>::get(job).unwrap();
		assert_eq!(record.assignments[0].collateral, 16 * PRICE);
		assert_eq!(record.redundancy, 1);
		// The commitment alone does not open reveals: the audit is decided first.
		commit(p, job, 7);
		assert_eq!(JobRecords::<Test>::get(job).unwrap().status, JobStatus::Committing);
		assert_eq!(audit_of(job), Some(Audit::Pending));
		assert_eq!(JobRecords::<Test>::get(job).unwrap().phase_end, 2 + u64::from(AUDIT_DELAY));
		// The quote is the same worst case.
		assert_eq!(Jobs::quote_audited(model(1), PRICE), (6 * PRICE, Some(PRICE)));
	});
}

#[test]
fn a_deadline_without_room_for_the_audit_is_refused() {
	build_and_execute(|| {
		// Assignment, the primary's commit window and the audit's delay, then the audit's
		// three windows and its escalation's.
		let round = COMMIT_WINDOW + 2 * REVEAL_WINDOW;
		let too_soon = 1 + 1 + COMMIT_WINDOW + u64::from(AUDIT_DELAY) + 2 * round - 1;
		assert_noop!(
			Jobs::submit_audited(
				RuntimeOrigin::signed(PAYER),
				model(1),
				inline(&[1]),
				PRICE,
				too_soon
			),
			Error::<Test>::DeadlineTooSoon
		);
		assert_ok!(Jobs::submit_audited(
			RuntimeOrigin::signed(PAYER),
			model(1),
			inline(&[1]),
			PRICE,
			too_soon + 1
		));
	});
}

/// A newcomer has no record: it is audited always. The auditors agree, everyone is paid, and
/// each one's record grows.
#[test]
fn a_newcomer_is_audited_and_an_agreeing_audit_pays_everyone() {
	build_and_execute(|| {
		let job = submit_audited();
		run_to(2);
		let p = primary(job);
		commit(p, job, 7);
		run_to(2 + u64::from(AUDIT_DELAY));
		let Some(Audit::Drawn { from: 1 }) = audit_of(job) else { panic!("not audited") };
		let auditors: Vec<_> = assigned(job)[1..].to_vec();
		assert_eq!(auditors.len(), 2);
		assert!(System::events().iter().any(|e| matches!(&e.event,
			RuntimeEvent::Jobs(Event::AuditStarted { job: j, auditors: a, .. }) if *j == job && *a == auditors)));
		for a in &auditors {
			commit(*a, job, 7);
		}
		answer_round(job, |_| 7);
		let receipt = Jobs::receipt(job).expect("settled");
		assert_eq!(receipt.result.digest(), digest(7));
		assert_eq!(receipt.paid, 3 * PRICE);
		assert_eq!(receipt.refunded, 3 * PRICE);
		assert_eq!(
			receipt.verification,
			Verification::Audited { auditors: auditors.clone().try_into().unwrap() }
		);
		assert!(receipt.dissenting.is_empty());
		for who in auditors.iter().chain([&p]) {
			assert_eq!(AuditRecord::<Test>::get(who), 1);
		}
		assert_eq!(free(PAYER), ENDOWMENT - 3 * PRICE);
	});
}

/// Attack: a primary answers without doing the work. An audit finds it: the auditors
/// disagree, the job escalates, the honest majority decides, and the primary is slashed and
/// loses its record (audited always again).
#[test]
fn a_lying_primary_is_caught_by_its_audit_and_slashed() {
	build_and_execute(|| {
		let job = submit_audited();
		run_to(2);
		let p = primary(job);
		AuditRecord::<Test>::insert(p, 3);
		commit(p, job, 66);
		run_to(2 + u64::from(AUDIT_DELAY));
		assert!(matches!(audit_of(job), Some(Audit::Drawn { .. })));
		for a in &assigned(job)[1..] {
			commit(*a, job, 7);
		}
		answer_round(job, |who| if who == p { 66 } else { 7 });
		// The seals split: escalated to an audit's worth more (two are left in the mock).
		let escalation = escalated(job);
		assert_eq!(escalation.len(), 2);
		for who in &escalation {
			commit(*who, job, 7);
		}
		answer_round(job, |who| if who == p { 66 } else { 7 });
		let receipt = Jobs::receipt(job).expect("settled");
		assert_eq!(receipt.result.digest(), digest(7));
		assert_eq!(receipt.dissenting.to_vec(), vec![p]);
		assert_eq!(AuditRecord::<Test>::get(p), 0);
		assert_eq!(crate::Pallet::<Test>::audit_rate(AuditRecord::<Test>::get(p)), Perbill::one());
		assert!(System::events().iter().any(|e| matches!(&e.event,
			RuntimeEvent::Jobs(Event::ProviderSlashed { provider, amount, .. }) if *provider == p && *amount == 16 * PRICE)));
	});
}

/// A provider with a long record is audited at the floor: of 64 jobs, about 4.
#[test]
fn a_veteran_is_audited_at_the_floor_rate() {
	build_and_execute(|| {
		veterans();
		let mut audited = 0;
		for _ in 0..64 {
			let job = submit_audited();
			run_to(System::block_number() + 1);
			commit(primary(job), job, 7);
			run_to(System::block_number() + u64::from(AUDIT_DELAY));
			if matches!(audit_of(job), Some(Audit::Drawn { .. })) {
				audited += 1;
				for a in &assigned(job)[1..] {
					commit(*a, job, 7);
				}
			}
			answer_round(job, |_| 7);
			assert!(Jobs::receipt(job).is_some(), "job {job} settled");
		}
		// Expected 4 of 64; always, or never, would be far outside this.
		assert!((1..=12).contains(&audited), "{audited} of 64 audited");
	});
}

/// An unaudited job settles with the primary's answer once it is opened; its record does not
/// grow (nobody checked it) and the rest of the escrow comes back.
#[test]
fn an_unaudited_job_settles_with_the_primarys_answer() {
	build_and_execute(|| {
		veterans();
		let (job, p) = next_decided(false, 7);
		assert!(System::events().iter().any(|e| matches!(&e.event,
			RuntimeEvent::Jobs(Event::AuditSkipped { job: j }) if *j == job)));
		assert_eq!(JobRecords::<Test>::get(job).unwrap().status, JobStatus::Revealing);
		let before = free(PAYER);
		reveal(p, job, 7);
		let receipt = Jobs::receipt(job).expect("settled");
		assert_eq!(receipt.result.digest(), digest(7));
		assert_eq!(receipt.verification, Verification::Unaudited);
		assert_eq!(receipt.agreeing.to_vec(), vec![p]);
		assert_eq!(receipt.paid, PRICE);
		assert_eq!(free(PAYER), before + 5 * PRICE);
		assert_eq!(AuditRecord::<Test>::get(p), 1_000);
	});
}

/// Attack: a lazy primary answers "cannot serve" to skip the work. Nobody checked it, so it
/// is not paid (nor slashed): the job fails and the payer gets everything back.
#[test]
fn an_unverified_cannot_serve_answer_is_not_paid() {
	build_and_execute(|| {
		veterans();
		let cannot =
			unservable_digest(&model(1), &input_hash(&[1, 2, 3, 4]), Unservable::InputRejected);
		let mut found = None;
		for _ in 0..50 {
			let job = submit_audited();
			run_to(System::block_number() + 1);
			let p = primary(job);
			assert_ok!(Jobs::commit(
				RuntimeOrigin::signed(p),
				job,
				commitment_for(p, job, &cannot)
			));
			run_to(System::block_number() + u64::from(AUDIT_DELAY));
			if audit_of(job) == Some(Audit::Skipped) {
				found = Some((job, p));
				break;
			}
			run_to(System::block_number() + 20);
		}
		let (job, p) = found.expect("an unaudited job");
		let before = (free(PAYER), free(p));
		assert_ok!(answer_output(p, job, cannot, None));
		System::assert_has_event(
			Event::JobFailed { job, reason: FailureReason::Unservable, refunded: 6 * PRICE }.into(),
		);
		assert_eq!(free(PAYER), before.0 + 6 * PRICE);
		assert_eq!(free(p), before.1);
	});
}

/// A job chosen for an audit that finds no auditor (everyone else paused) fails: nobody is
/// paid or slashed, the payer gets everything back. It never settles unaudited.
#[test]
fn an_audit_that_cannot_be_drawn_fails_the_job_without_a_result() {
	build_and_execute(|| {
		let job = submit_audited();
		run_to(2);
		let p = primary(job);
		only(&[p]);
		commit(p, job, 7);
		run_to(2 + u64::from(AUDIT_DELAY));
		System::assert_has_event(
			Event::JobFailed { job, reason: FailureReason::AuditUnavailable, refunded: 6 * PRICE }
				.into(),
		);
		assert!(Jobs::receipt(job).is_none());
		assert_eq!(free(PAYER), ENDOWMENT);
		assert_eq!(pallet_providers::Records::<Test>::get(p).unwrap().locked, 0);
	});
}

/// A silent primary is replaced like any silent provider; its replacement is the primary.
#[test]
fn a_silent_primary_is_replaced_and_its_replacement_audited() {
	build_and_execute(|| {
		let job = submit_audited();
		run_to(2);
		let p = primary(job);
		run_to(2 + COMMIT_WINDOW);
		let record = JobRecords::<Test>::get(job).unwrap();
		assert!(record.assignments[0].slashed);
		let q = record.assignments[1].provider;
		assert_ne!(p, q);
		commit(q, job, 7);
		run_to(System::block_number() + u64::from(AUDIT_DELAY));
		let Some(Audit::Drawn { from: 2 }) = audit_of(job) else { panic!("not audited") };
		for a in &assigned(job)[2..] {
			commit(*a, job, 7);
		}
		answer_round(job, |_| 7);
		let receipt = Jobs::receipt(job).expect("settled");
		assert_eq!(receipt.dissenting.to_vec(), vec![p]);
		assert_eq!(receipt.agreeing.len(), 3);
	});
}

fn register_canary(job_payer: AccountId, answer: Hash32, secret: u8) -> Hash32 {
	let h = canary_hash(&job_payer, &model(1), &input_hash(&[1, 2, 3, 4]), &answer, &[secret; 32]);
	assert_ok!(Jobs::register_canaries(RuntimeOrigin::root(), vec![h].try_into().unwrap()));
	h
}

/// A canary: governance registered the answer's hash; the payer's audited job looks like any
/// other until the primary has committed, then the payer opens it. No auditor is drawn; the
/// primary is judged against the known answer.
#[test]
fn a_canary_catches_a_wrong_primary_and_pays_a_right_one() {
	for (tag, right) in [(7u8, true), (66, false)] {
		build_and_execute(|| {
			veterans();
			let h = register_canary(PAYER, digest(7), 3);
			let job = submit_audited();
			run_to(2);
			let p = primary(job);
			// Not before the primary's commitment: it would read the answer.
			assert_noop!(
				Jobs::open_canary(RuntimeOrigin::signed(PAYER), job, digest(7), [3; 32]),
				Error::<Test>::CanaryNotOpenable
			);
			commit(p, job, tag);
			assert_noop!(
				Jobs::open_canary(RuntimeOrigin::signed(p), job, digest(7), [3; 32]),
				Error::<Test>::NotPayer
			);
			assert_noop!(
				Jobs::open_canary(RuntimeOrigin::signed(PAYER), job, digest(7), [4; 32]),
				Error::<Test>::UnknownCanary
			);
			assert_ok!(Jobs::open_canary(RuntimeOrigin::signed(PAYER), job, digest(7), [3; 32]));
			assert!(Canaries::<Test>::get(h).is_none());
			run_to(2 + u64::from(AUDIT_DELAY));
			// The canary replaced the audit: nobody else was drawn.
			assert_eq!(assigned(job), vec![p]);
			assert_eq!(JobRecords::<Test>::get(job).unwrap().status, JobStatus::Revealing);
			reveal(p, job, tag);
			let receipt = Jobs::receipt(job).expect("settled");
			assert_eq!(receipt.verification, Verification::Canary);
			assert_eq!(receipt.result.digest(), digest(7));
			if right {
				assert_eq!(receipt.agreeing.to_vec(), vec![p]);
				assert_eq!(AuditRecord::<Test>::get(p), 1_001);
			} else {
				assert_eq!(receipt.dissenting.to_vec(), vec![p]);
				assert_eq!(receipt.paid, 0);
				assert_eq!(AuditRecord::<Test>::get(p), 0);
			}
		});
	}
}

#[test]
fn canaries_are_registered_by_their_origin_and_opened_only_on_pending_audits() {
	build_and_execute(|| {
		let h = [5; 32];
		assert_noop!(
			Jobs::register_canaries(RuntimeOrigin::signed(PAYER), vec![h].try_into().unwrap()),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_noop!(
			Jobs::register_canaries(RuntimeOrigin::root(), Default::default()),
			Error::<Test>::InvalidBatch
		);
		register_canary(PAYER, digest(7), 3);
		// A redundant job has no audit to replace.
		let job = submit(1);
		run_to(2);
		let p = assigned(job)[0];
		commit(p, job, 7);
		assert_noop!(
			Jobs::open_canary(RuntimeOrigin::signed(PAYER), job, digest(7), [3; 32]),
			Error::<Test>::CanaryNotOpenable
		);
		// After the audit decision it is too late: auditors may have been drawn.
		let job = submit_audited();
		run_to(3);
		commit(primary(job), job, 7);
		run_to(3 + u64::from(AUDIT_DELAY));
		assert_noop!(
			Jobs::open_canary(RuntimeOrigin::signed(PAYER), job, digest(7), [3; 32]),
			Error::<Test>::CanaryNotOpenable
		);
		assert_noop!(
			Jobs::open_canary(RuntimeOrigin::signed(PAYER), 99, digest(7), [3; 32]),
			Error::<Test>::JobNotFound
		);
	});
}

#[derive(Clone, Copy, Debug)]
enum Primary {
	Honest,
	/// Skips the work on about a third of its jobs (and answers garbage).
	Lazy,
	Liar,
	Silent,
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(32))]
	/// Random audited jobs whose providers are honest, lazy, lying or silent, some with long
	/// records: no panic, balances conserved exactly (the issuance moves only by reported
	/// burns), every job ends by its deadline, an audited job with honest auditors never
	/// accepts a wrong answer, and nothing is left held.
	#[test]
	fn audited_jobs_conserve_balances_and_end_by_their_deadline(
		jobs in proptest::collection::vec((0..3u64, any::<bool>()), 1..6),
		behaviours in proptest::collection::vec(
			prop_oneof![Just(Primary::Honest), Just(Primary::Lazy), Just(Primary::Liar), Just(Primary::Silent)],
			5
		),
		records in proptest::collection::vec(prop_oneof![Just(0u32), Just(6), Just(1_000)], 5),
	) {
		new_test_ext().execute_with(|| {
			let issuance = Balances::total_issuance();
			let accounts: Vec<AccountId> =
				PROVIDERS.iter().copied().chain([PAYER, PUBLISHER, POOR]).collect();
			for (who, clean) in PROVIDERS.iter().zip(&records) {
				AuditRecord::<Test>::insert(who, clean);
			}
			let behaviour = |who: AccountId| behaviours[(who - 1) as usize];
			let mut ids = Vec::new();
			for (delay, audited) in jobs {
				run_to(System::block_number() + delay);
				let id = if audited { submit_audited() } else { submit(3) };
				ids.push(id);
			}
			let end = System::block_number() + 35;
			while System::block_number() < end {
				run_to(System::block_number() + 1);
				for id in &ids {
					let Some(job) = JobRecords::<Test>::get(id) else { continue };
					for a in job.assignments.iter() {
						let tag = match behaviour(a.provider) {
							Primary::Honest => 7,
							Primary::Lazy if (id + a.provider) % 3 == 0 => 100 + a.provider as u8,
							Primary::Lazy => 7,
							Primary::Liar => 100 + a.provider as u8,
							Primary::Silent => continue,
						};
						let d = digest(tag);
						if job.status == JobStatus::Committing && a.commitment.is_none() {
							let _ = Jobs::commit(RuntimeOrigin::signed(a.provider), *id, commitment_for(a.provider, *id, &d));
						}
						if matches!(job.status, JobStatus::Revealing | JobStatus::Opening) && a.reveal.is_none() {
							let _ = answer_output(a.provider, *id, d, None);
						}
					}
				}
				Jobs::do_try_state().unwrap();
				Providers::do_try_state().unwrap();
				Models::do_try_state().unwrap();
				collateral_matches();
				let total: Balance = accounts.iter().map(Balances::total_balance).sum();
				prop_assert_eq!(total, issuance - burned());
				prop_assert_eq!(Balances::total_issuance(), total);
			}
			for id in ids {
				prop_assert!(JobRecords::<Test>::get(id).is_none(), "job {} still open", id);
				if let Some(receipt) = Receipts::<Test>::get(id) {
					if let Verification::Audited { auditors } = &receipt.verification {
						let honest_audit = auditors.iter().any(|a| matches!(behaviour(*a), Primary::Honest));
						if honest_audit {
							prop_assert_eq!(receipt.result.digest(), digest(7), "an audit with an honest auditor accepted a wrong answer");
						}
					}
				}
			}
			prop_assert_eq!(escrow_held(PAYER), 0);
			Ok(())
		})?;
	}
}

/// Review attack: a primary commits in the last block of its window, hoping the audit finds no
/// time (and fails the job unpaid-but-unslashed when audited, while paying it when not) or the
/// canary's payer no block to open it in. The decision still waits `AUDIT_DELAY` blocks, past
/// the window, and the job was only assigned with time for the audit and its escalation.
#[test]
fn a_primary_that_commits_late_still_gets_its_audit_and_the_canary_its_block() {
	build_and_execute(|| {
		let job = submit_audited();
		run_to(2);
		let p = primary(job);
		let commit_end = JobRecords::<Test>::get(job).unwrap().phase_end;
		run_to(commit_end - 1);
		commit(p, job, 66);
		assert_eq!(
			JobRecords::<Test>::get(job).unwrap().phase_end,
			commit_end - 1 + u64::from(AUDIT_DELAY)
		);
		// The window's end passes and the audit is still pending: the canary's payer has this
		// block.
		run_to(commit_end);
		assert_eq!(audit_of(job), Some(Audit::Pending));
		assert_eq!(JobRecords::<Test>::get(job).unwrap().status, JobStatus::Committing);
		// Not a canary this time: the audit comes. A newcomer is audited, and it has time.
		run_to(commit_end - 1 + u64::from(AUDIT_DELAY));
		assert!(matches!(audit_of(job), Some(Audit::Drawn { .. })));
		for a in &assigned(job)[1..] {
			commit(*a, job, 7);
		}
		answer_round(job, |who| if who == p { 66 } else { 7 });
		for who in escalated(job) {
			commit(who, job, 7);
		}
		answer_round(job, |who| if who == p { 66 } else { 7 });
		let receipt = Jobs::receipt(job).expect("settled");
		assert_eq!(receipt.result.digest(), digest(7));
		assert_eq!(receipt.dissenting.to_vec(), vec![p]);
	});
}

/// Review attack: the primary and one accomplice among the two auditors answer the same
/// wrong digest, and the escalation cannot be drawn. Two of three must not settle it: a
/// disputed audit decides nothing, nobody is paid, and every voter's record is gone.
#[test]
fn one_accomplice_among_the_auditors_does_not_decide_a_disputed_audit() {
	build_and_execute(|| {
		for who in PROVIDERS {
			AuditRecord::<Test>::insert(who, 2);
		}
		let job = submit_audited();
		run_to(2);
		let p = primary(job);
		commit(p, job, 66);
		run_to(2 + u64::from(AUDIT_DELAY));
		assert!(matches!(audit_of(job), Some(Audit::Drawn { .. })));
		let auditors = assigned(job)[1..].to_vec();
		// Nobody left to escalate to.
		only(&assigned(job));
		commit(auditors[0], job, 66);
		commit(auditors[1], job, 7);
		answer_round(job, |who| if who == p || who == auditors[0] { 66 } else { 7 });
		System::assert_has_event(
			Event::JobFailed { job, reason: FailureReason::NoDecision, refunded: 6 * PRICE }.into(),
		);
		assert!(Jobs::receipt(job).is_none());
		for who in [p, auditors[0], auditors[1]] {
			assert_eq!(AuditRecord::<Test>::get(who), 0);
		}
	});
}

/// Review attack: a primary that can make its audit impossible (too few providers in its
/// class) must not be paid when the coin says "not audited" either: the audit is drawn as a
/// dry run whatever the coin says, and an impossible one fails the job. One auditor of two is
/// not an audit.
#[test]
fn an_impossible_audit_fails_the_job_whatever_the_coin_says() {
	build_and_execute(|| {
		veterans();
		let job = submit_audited();
		run_to(2);
		let p = primary(job);
		let other = PROVIDERS.into_iter().find(|w| *w != p).unwrap();
		// One auditor left: an audit needs two.
		only(&[p, other]);
		commit(p, job, 7);
		run_to(2 + u64::from(AUDIT_DELAY));
		System::assert_has_event(
			Event::JobFailed { job, reason: FailureReason::AuditUnavailable, refunded: 6 * PRICE }
				.into(),
		);
		assert_eq!(free(p), ENDOWMENT - BOND);
	});
}

/// Review finding: a silent primary, replaced, whose replacement's audit then cannot be drawn,
/// kept its collateral: it is slashed (the job's end releases everyone else's).
#[test]
fn a_silent_primary_is_slashed_even_when_its_replacements_audit_is_unavailable() {
	build_and_execute(|| {
		let job = submit_audited();
		run_to(2);
		let p = primary(job);
		run_to(2 + COMMIT_WINDOW);
		let q = JobRecords::<Test>::get(job).unwrap().assignments[1].provider;
		only(&[q]);
		commit(q, job, 7);
		run_to(System::block_number() + u64::from(AUDIT_DELAY));
		System::assert_has_event(
			Event::JobFailed { job, reason: FailureReason::AuditUnavailable, refunded: 6 * PRICE }
				.into(),
		);
		assert!(System::events().iter().any(|e| matches!(&e.event,
			RuntimeEvent::Jobs(Event::ProviderSlashed { provider, .. }) if *provider == p)));
		assert_eq!(pallet_providers::Records::<Test>::get(q).unwrap().locked, 0);
	});
}

/// Review finding: without a class of three an audit would mix classes (honest float noise
/// slashed); such a job is not assigned.
#[test]
fn an_audited_job_without_a_class_of_three_is_not_assigned() {
	build_and_execute(|| {
		// Two classes of two: pause one provider of the five, move two to another class.
		let other = synod_primitives::provider::DeterminismClass {
			libtorch: b"2.10.0".to_vec().try_into().unwrap(),
			..class()
		};
		only(&[1, 2, 3, 4]);
		for who in [3, 4] {
			assert_ok!(Providers::pause(RuntimeOrigin::signed(who)));
		}
		for who in [300u64, 301] {
			assert_ok!(Balances::force_set_balance(RuntimeOrigin::root(), who, ENDOWMENT));
			assert_ok!(Providers::register(
				RuntimeOrigin::signed(who),
				BOND,
				other.clone(),
				4,
				vec![]
			));
			assert_ok!(Providers::set_offer(RuntimeOrigin::signed(who), model(1), PRICE));
		}
		let job = submit_audited();
		run_to(2);
		// No class has three providers, busy or not: waiting could not end in an audit, so it
		// fails at once with a full refund.
		System::assert_has_event(
			Event::JobFailed {
				job,
				reason: FailureReason::NotEnoughProviders,
				refunded: 6 * PRICE,
			}
			.into(),
		);
		assert!(!JobRecords::<Test>::contains_key(job));
	});
}

/// Soak finding: with the blocks after a late commitment full, the decision slipped past the
/// reveal window scheduled with the commit window, and an unaudited primary's reveal window
/// ended before it opened (a job with its window already over). The decision now stays
/// before that window's end: the commit window's end decides when nothing later fits.
#[test]
fn a_full_schedule_never_pushes_the_decision_past_the_reveal_window() {
	build_and_execute(|| {
		veterans();
		let job = submit_audited();
		run_to(2);
		let p = primary(job);
		let record = JobRecords::<Test>::get(job).unwrap();
		let (commit_end, reveal_end) = (record.phase_end, record.reveal_end);
		run_to(commit_end - 1);
		fill_schedule(commit_end + 1..=reveal_end);
		commit(p, job, 7);
		assert_eq!(JobRecords::<Test>::get(job).unwrap().phase_end, commit_end);
		run_to(commit_end);
		assert_ne!(audit_of(job), Some(Audit::Pending));
		Jobs::do_try_state().expect("no window already over");
	});
}

/// An unaudited job whose primary committed but never sealed escalates to an audit's worth of
/// providers; they decide, and the receipt names them as its auditors (it said "unaudited").
#[test]
fn an_unaudited_job_that_escalated_names_its_checkers() {
	build_and_execute(|| {
		veterans();
		let (job, p) = next_decided(false, 7);
		run_to(JobRecords::<Test>::get(job).unwrap().phase_end);
		let escalation = escalated(job);
		assert_eq!(escalation.len(), 3);
		for who in &escalation {
			commit(*who, job, 7);
		}
		answer_round(job, |_| 7);
		let receipt = Jobs::receipt(job).expect("settled");
		assert_eq!(receipt.dissenting.to_vec(), vec![p]);
		assert_eq!(
			receipt.verification,
			Verification::Audited { auditors: escalation.try_into().unwrap() }
		);
	});
}
