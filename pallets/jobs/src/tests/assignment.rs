//! Assignment: drawing providers for queued jobs, within their slots, or failing the job.

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
		// provider once (the block's pool takes a slot with every draw); d finds nobody.
		let mut all: Vec<AccountId> = [a, b, c].iter().flat_map(|j| assigned(*j)).collect();
		all.sort();
		assert_eq!(all, PROVIDERS.to_vec());
		System::assert_has_event(
			Event::JobFailed {
				job: d,
				reason: FailureReason::NotEnoughProviders,
				refunded: 2 * PRICE,
			}
			.into(),
		);
		assert_eq!(AssignCursor::<Test>::get(), d + 1);
		assert_eq!(escrow_held(PAYER), 2 * (2 * 2 + 1) * PRICE);
	});
}

#[test]
fn too_few_providers_or_no_time_fail_the_job_with_a_full_refund() {
	build_and_execute(|| {
		assert_ok!(Providers::pause(RuntimeOrigin::signed(5)));
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
		assert_eq!(free(PAYER), ENDOWMENT);
		// A price under every offer finds nobody either.
		assert_ok!(Jobs::submit_job(
			RuntimeOrigin::signed(PAYER),
			model(1),
			inline(&[1]),
			1,
			PRICE - 1,
			30
		));
		run_to(3);
		assert!(JobRecords::<Test>::iter().next().is_none());
		// Every window end near the deadline is taken: the job cannot be scheduled, waits in
		// the queue, and fails once its deadline is too close.
		let job = submit(1);
		for b in 4..=30 {
			Timeouts::<Test>::insert(b, BoundedVec::truncate_from(vec![1_000u64; 8]));
		}
		run_to(4);
		assert_eq!(JobRecords::<Test>::get(job).unwrap().status, JobStatus::Queued);
		run_to(20);
		System::assert_has_event(
			Event::JobFailed { job, reason: FailureReason::DeadlineTooClose, refunded: 2 * PRICE }
				.into(),
		);
		for b in 4..=30 {
			Timeouts::<Test>::remove(b);
		}
	});
}
