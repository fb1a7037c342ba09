//! Assignment: drawing providers for queued jobs within their slots; a job that finds too
//! few free waits (tests::waiting), one that runs out of time fails with a full refund.

use super::*;

#[test]
fn one_block_assigns_within_every_providers_slots() {
	build_and_execute(|| {
		for who in PROVIDERS {
			assert_ok!(Providers::set_concurrency(RuntimeOrigin::signed(who), 1));
		}
		let a = submit(2);
		let gone = submit(1);
		let b = submit(2);
		let c = submit(1);
		let d = submit(1);
		assert_ok!(Jobs::cancel_job(RuntimeOrigin::signed(PAYER), gone));
		run_to(2);
		// The cancelled id is stepped over; the five single slots serve a, b and c, each
		// provider once (the block's pool takes a slot with every draw); d finds nobody free
		// and waits for a slot.
		let mut all: Vec<AccountId> = [a, b, c].iter().flat_map(|j| assigned(*j)).collect();
		all.sort();
		assert_eq!(all, PROVIDERS.to_vec());
		System::assert_has_event(Event::JobWaiting { job: d, ahead: 0, last_start: 12 }.into());
		assert_eq!(AssignCursor::<Test>::get(), d + 1);
		assert_eq!(escrow_held(PAYER), 2 * (2 * 2 + 1 + 1) * PRICE);
	});
}

#[test]
fn too_few_providers_or_no_time_fail_the_job_with_a_full_refund() {
	build_and_execute(|| {
		assert_ok!(Providers::pause(RuntimeOrigin::signed(5)));
		// Four live providers for five: waiting could not end in an assignment (a job waits
		// only for providers that could take it once free), so it fails at once with a full
		// refund.
		let job = submit(5);
		run_to(2);
		System::assert_has_event(
			Event::JobFailed {
				job,
				reason: FailureReason::NotEnoughProviders,
				refunded: 10 * PRICE,
			}
			.into(),
		);
		run_to(13);
		assert_eq!(free(PAYER), ENDOWMENT);
		assert!(JobRecords::<Test>::iter().next().is_none());
		assert!(crate::WaitingModels::<Test>::get().is_empty());
		// Every window end near the deadline is taken: the job cannot be scheduled, waits in
		// the queue, and fails once its deadline is too close.
		// (Submitted at 13 with deadline 33.)
		let job = submit(1);
		for b in 14..=45 {
			Timeouts::<Test>::insert(b, BoundedVec::truncate_from(vec![1_000u64; 8]));
		}
		run_to(14);
		assert_eq!(JobRecords::<Test>::get(job).unwrap().status, JobStatus::Queued);
		run_to(30);
		System::assert_has_event(
			Event::JobFailed { job, reason: FailureReason::DeadlineTooClose, refunded: 2 * PRICE }
				.into(),
		);
		for b in 14..=45 {
			Timeouts::<Test>::remove(b);
		}
	});
}
