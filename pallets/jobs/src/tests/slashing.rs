//! Slashing: silent and late providers, replacements, and where slashed collateral goes.

use super::*;

/// Attack 4: with the blocks a replacement's windows could end in full (an attacker can fill
/// them with cheap jobs), the commit window's close failed and the job was decided at once,
/// slashing the providers that had committed but never got to reveal. Now the replacement is
/// skipped and reveals open for those who committed: they are paid, not slashed.
#[test]
fn a_full_schedule_leaves_the_providers_that_committed_their_collateral() {
	build_and_execute(|| {
		let jobs = [submit(3), submit(3)];
		run_to(2);
		for job in jobs {
			let chosen = assigned(job);
			commit(chosen[0], job, 7);
			commit(chosen[1], job, 7);
		}
		// Every block a replacement's commit window could end in is full.
		let end = 2 + COMMIT_WINDOW;
		let blocks =
			end + COMMIT_WINDOW..=end + COMMIT_WINDOW + crate::lifecycle::SCHEDULE_SLACK as u64;
		fill_schedule(blocks.clone());
		run_to(end - 1);
		System::set_block_number(end);
		let weight = Jobs::process_timeouts(end);
		// Each tried its replacements once (no second try with a fresh pool: the draw
		// succeeded, the schedule did not), then opened reveals.
		let base = <() as crate::WeightInfo>::on_initialize_timeouts(0);
		let per_window = <() as crate::WeightInfo>::on_initialize_timeouts(1).saturating_sub(base);
		assert_eq!(weight, base + per_window.saturating_mul(2));
		for job in jobs {
			assert_eq!(JobRecords::<Test>::get(job).unwrap().status, JobStatus::Revealing);
			let chosen = assigned(job);
			let before = [free(chosen[0]), free(chosen[1])];
			answer_round(job, |_| 7);
			// The escalation finds the schedule full too: the split round does not decide by
			// itself (two liars of three would win by filling the schedule); refunded, and
			// those who answered keep their collateral.
			assert!(Jobs::receipt(job).is_none());
			assert!(System::events().iter().any(|r| matches!(
				r.event,
				RuntimeEvent::Jobs(Event::JobFailed { job: j, reason: FailureReason::NoDecision, .. })
					if j == job
			)));
			assert_eq!([free(chosen[0]), free(chosen[1])], before);
		}
		// Nothing left locked: the providers that committed got their collateral back.
		for who in PROVIDERS {
			assert_eq!(pallet_providers::Records::<Test>::get(who).unwrap().locked, 0);
		}
		for block in blocks {
			Timeouts::<Test>::remove(block);
		}
	});
}

/// Attack 4, the last commit: opening reveals needed room in the schedule, so with every block
/// up to the deadline full the last commit of a round failed (`TooManyTimeouts`) and the
/// providers that had committed were slashed when the window closed. The reveal window is now
/// scheduled with the commit window: a commit into a full schedule is accepted.
#[test]
fn a_commit_into_a_full_schedule_is_accepted() {
	build_and_execute(|| {
		let job = submit(3);
		run_to(2);
		let deadline = JobRecords::<Test>::get(job).unwrap().deadline;
		let filled = 2..=deadline;
		fill_schedule(filled.clone());
		for who in assigned(job) {
			commit(who, job, 7);
		}
		assert_eq!(JobRecords::<Test>::get(job).unwrap().status, JobStatus::Revealing);
		for who in assigned(job) {
			reveal(who, job, 7);
		}
		assert_eq!(Jobs::receipt(job).unwrap().agreeing.len(), 3);
		for block in filled {
			Timeouts::<Test>::remove(block);
		}
	});
}

/// Attack 4, the queue: a job whose windows cannot be scheduled (the blocks they would end in
/// are full) waits in the queue, and is assigned once they free up, instead of failing.
#[test]
fn a_job_waits_in_the_queue_while_the_schedule_is_full() {
	build_and_execute(|| {
		let job = submit(3);
		let blocks =
			2 + COMMIT_WINDOW..=2 + COMMIT_WINDOW + crate::lifecycle::SCHEDULE_SLACK as u64;
		fill_schedule(blocks.clone());
		run_to(2);
		assert_eq!(JobRecords::<Test>::get(job).unwrap().status, JobStatus::Queued);
		assert_eq!(crate::AssignCursor::<Test>::get(), job);
		for block in blocks {
			Timeouts::<Test>::remove(block);
		}
		run_to(3);
		assert_eq!(JobRecords::<Test>::get(job).unwrap().status, JobStatus::Committing);
	});
}

#[test]
fn a_provider_that_misses_its_commit_window_is_slashed_and_replaced() {
	build_and_execute(|| {
		let job = submit(3);
		run_to(2);
		let chosen = assigned(job);
		let silent = chosen[2];
		commit(chosen[0], job, 7);
		commit(chosen[1], job, 7);
		assert_eq!(JobRecords::<Test>::get(job).unwrap().status, JobStatus::Committing);
		assert_noop!(
			Jobs::reveal(RuntimeOrigin::signed(chosen[0]), job, digest(7), salt(chosen[0]), None),
			Error::<Test>::RevealWindowNotOpen
		);
		let collateral = FACTOR as Balance * PRICE;
		let payer_before = free(PAYER);
		run_to(2 + COMMIT_WINDOW);
		// Slashed now, and one of the two others drawn in its place with a new window.
		let record = JobRecords::<Test>::get(job).unwrap();
		assert_eq!((record.round, record.status), (0, JobStatus::Committing));
		assert_eq!(record.phase_end, 2 + 2 * COMMIT_WINDOW);
		let replacement = record.assignments[3].provider;
		assert!(!chosen.contains(&replacement));
		assert!(record.assignments[2].slashed);
		System::assert_has_event(
			Event::ProvidersReplaced {
				job,
				replaced: vec![silent],
				providers: vec![replacement],
				commit_end: 2 + 2 * COMMIT_WINDOW,
			}
			.into(),
		);
		// Out of the vote now; its collateral stays locked until the job ends.
		assert_eq!(free(PAYER), payer_before);
		assert_eq!(pallet_providers::Records::<Test>::get(silent).unwrap().locked, collateral);
		assert_noop!(
			Jobs::commit(RuntimeOrigin::signed(silent), job, commitment(silent, job, 7)),
			Error::<Test>::NotInRound
		);
		commit(replacement, job, 7);
		assert_eq!(JobRecords::<Test>::get(job).unwrap().status, JobStatus::Revealing);
		for who in [chosen[0], chosen[1], replacement] {
			reveal(who, job, 7);
		}
		let receipt = Jobs::receipt(job).unwrap();
		assert_eq!(receipt.agreeing.len(), 3);
		assert_eq!(receipt.dissenting.into_inner(), vec![silent]);
		assert_eq!((receipt.paid, receipt.refunded), (3 * PRICE, 3 * PRICE));
		// Slashed at the end: the payer gets what its replacement cost, the rest is burned.
		System::assert_has_event(
			Event::ProviderSlashed {
				job,
				provider: silent,
				amount: collateral,
				compensated: PRICE,
				burned: collateral - PRICE,
			}
			.into(),
		);
		assert_eq!(free(PAYER), ENDOWMENT - 3 * PRICE + PRICE);
		assert!(Jobs::assignments(silent).is_empty());
	});
}

#[test]
fn a_slash_compensates_the_payer_with_what_it_cost_and_burns_the_rest() {
	build_and_execute(|| {
		// One provider, silent and replaced: the payer's compensation is the replacement's
		// price (at most the redundancy's prices), the rest of the collateral is burned.
		let job = submit(1);
		run_to(2);
		let silent = assigned(job)[0];
		let issuance = Balances::total_issuance();
		let bond = pallet_providers::Records::<Test>::get(silent).unwrap().bond;
		run_to(2 + COMMIT_WINDOW);
		let replacement = JobRecords::<Test>::get(job).unwrap().assignments[1].provider;
		commit(replacement, job, 7);
		reveal(replacement, job, 7);
		let collateral = FACTOR as Balance * PRICE;
		System::assert_has_event(
			Event::ProviderSlashed {
				job,
				provider: silent,
				amount: collateral,
				compensated: PRICE,
				burned: collateral - PRICE,
			}
			.into(),
		);
		// It paid the replacement one price and got it back from the silent one.
		assert_eq!(free(PAYER), ENDOWMENT - PRICE + PRICE);
		assert_eq!(Balances::total_issuance(), issuance - (collateral - PRICE));
		assert_eq!(pallet_providers::Records::<Test>::get(silent).unwrap().bond, bond - collateral);
	});
}

#[test]
fn a_silent_provider_is_slashed_when_the_windows_close() {
	build_and_execute(|| {
		only(&[1, 2, 3]);
		let job = submit(3);
		run_to(2);
		let chosen = assigned(job);
		let silent = chosen[2];
		commit(chosen[0], job, 7);
		commit(chosen[1], job, 7);
		run_to(2 + COMMIT_WINDOW);
		// Nobody to replace it with: reveals open for the two that committed.
		assert_eq!(JobRecords::<Test>::get(job).unwrap().status, JobStatus::Revealing);
		assert_noop!(
			Jobs::commit(RuntimeOrigin::signed(silent), job, commitment(silent, job, 7)),
			Error::<Test>::CommitWindowClosed
		);
		assert_noop!(
			Jobs::seal(
				RuntimeOrigin::signed(silent),
				job,
				crate::seal_of(job, 0, &digest(7)),
				salt(silent)
			),
			Error::<Test>::NotCommitted
		);
		answer_round(job, |_| 7);
		let receipt = Jobs::receipt(job).unwrap();
		assert_eq!(receipt.agreeing.len(), 2);
		assert_eq!(receipt.dissenting.into_inner(), vec![silent]);
	});
}

#[test]
fn the_integrity_test_holds_for_the_test_configuration() {
	new_test_ext().execute_with(|| {
		<Jobs as frame_support::traits::Hooks<u64>>::integrity_test();
	});
}

#[test]
#[should_panic(expected = "CollateralFactor must exceed MaxRedundancy")]
fn a_collateral_factor_that_burns_nothing_fails_the_integrity_test() {
	// Factor 5 with redundancy up to 5: a slash's compensation (5 prices) would take all of the
	// collateral, so a payer running silent providers would get back all they put up.
	new_test_ext().execute_with(|| {
		CollateralFactor::set(&5);
		<Jobs as frame_support::traits::Hooks<u64>>::integrity_test();
	});
}
