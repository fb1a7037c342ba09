//! The queue's backpressure: a job whose model's providers are busy waits in the model's line
//! and is assigned as they free up, first come first served; it fails with a full refund only
//! when a round no longer fits before its deadline (lifecycle::wait).

use super::*;
use crate::{types::WaitLine, WaitLines, Waiting, WaitingModels};

/// Every provider takes one job at a time: five slots.
fn one_slot_each() {
	for who in PROVIDERS {
		assert_ok!(Providers::set_concurrency(RuntimeOrigin::signed(who), 1));
	}
}

/// Keeps every provider busy from block 2 to block 7: one job of five, assigned in block 2,
/// its commits sent in block 4 and its reveals never (so that its reveal window runs out). Call
/// `hold_busy_step` once a block until block 4.
fn hold_busy() -> u64 {
	one_slot_each();
	let busy = submit(5);
	run_to(2);
	assert_eq!(assigned(busy).len(), 5);
	busy
}

fn hold_busy_step(busy: u64) {
	if System::block_number() == 4 {
		for who in assigned(busy) {
			commit(who, busy, 1);
		}
	}
}

/// Submits a job of one for model 1 with a deadline 40 blocks on.
fn submit_waiting() -> u64 {
	let id = crate::NextJobId::<Test>::get();
	assert_ok!(Jobs::submit_job(
		RuntimeOrigin::signed(PAYER),
		model(1),
		inline(&[1]),
		1,
		PRICE,
		System::block_number() + 40
	));
	id
}

fn status(job: u64) -> Option<JobStatus> {
	JobRecords::<Test>::get(job).map(|r| r.status)
}

/// Every assigned job's providers answer it the same way, in full, so that each settles and
/// pays at once.
fn answer_all() {
	let open: Vec<u64> = JobRecords::<Test>::iter_keys().collect();
	for job in open {
		let Some(record) = JobRecords::<Test>::get(job) else { continue };
		if record.status != JobStatus::Committing
			|| record.assignments.iter().any(|a| a.commitment.is_some())
		{
			continue;
		}
		answer_real(job, 1);
	}
}

/// The burst of issue 19, in small: more jobs than slots, submitted at once. Before the
/// queue waited, every job past the free slots failed with `NotEnoughProviders` in the block
/// after submission; now each waits for a slot, and every one settles by its deadline, in
/// the order it was submitted.
#[test]
fn a_burst_larger_than_the_providers_waits_and_every_job_settles() {
	build_and_execute(|| {
		one_slot_each();
		let jobs: Vec<u64> = (0..8).map(|_| submit(1)).collect();
		let mut assigned_at = std::collections::BTreeMap::new();
		let mut settled = 0;
		for b in 2..=21 {
			run_to(b);
			for e in System::events() {
				match e.event {
					RuntimeEvent::Jobs(Event::JobAssigned { job, .. }) => {
						assigned_at.entry(job).or_insert(b);
					},
					RuntimeEvent::Jobs(Event::JobFailed { job, reason, .. }) => {
						panic!("job {job} failed: {reason:?}")
					},
					_ => {},
				}
			}
			answer_all();
			settled = jobs.iter().filter(|j| Receipts::<Test>::contains_key(**j)).count();
			if settled == jobs.len() {
				break;
			}
		}
		assert_eq!(settled, jobs.len(), "every job settles");
		// First come, first served: no job was assigned before one submitted earlier.
		let order: Vec<u64> = jobs.iter().map(|j| assigned_at[j]).collect();
		assert!(order.windows(2).all(|w| w[0] <= w[1]), "assigned out of order: {order:?}");
		assert!(order.last() > order.first(), "some job waited");
		assert_eq!(escrow_held(PAYER), 0);
		assert!(WaitingModels::<Test>::get().is_empty());
		assert_eq!(Waiting::<Test>::iter().count(), 0);
	});
}

/// A line is first come, first served: a job that would fit the free providers does not
/// overtake an older one of its model that does not; a job of another model is not held up.
#[test]
fn a_line_is_first_come_first_served_and_holds_up_no_other_model() {
	build_and_execute(|| {
		one_slot_each();
		for who in PROVIDERS {
			assert_ok!(Providers::set_offer(RuntimeOrigin::signed(who), model(2), PRICE));
		}
		let busy = submit(3);
		run_to(2);
		assert_eq!(assigned(busy).len(), 3);
		// Two providers of model 1 are free: a job of three waits, and so does the job of
		// one behind it, though it would fit.
		let big = submit(3);
		let small = submit(1);
		run_to(3);
		assert_eq!(status(big), Some(JobStatus::Waiting { seq: 0 }));
		assert_eq!(status(small), Some(JobStatus::Waiting { seq: 1 }));
		System::assert_has_event(Event::JobWaiting { job: small, ahead: 1, last_start: 13 }.into());
		// A job of model 2 (offered by every provider, two of them free) is assigned at once.
		let other = crate::NextJobId::<Test>::get();
		assert_ok!(Jobs::submit_job(
			RuntimeOrigin::signed(PAYER),
			model(2),
			inline(&[1]),
			1,
			PRICE,
			30
		));
		run_to(4);
		assert_eq!(status(other), Some(JobStatus::Committing));
		// The busy job and the other settle: all five are free, and the line is assigned from
		// its head in the next block, in order.
		answer_all();
		run_to(5);
		assert_eq!(status(big), Some(JobStatus::Committing));
		assert_eq!(status(small), Some(JobStatus::Committing));
		assert!(WaitLines::<Test>::get(model(1)).is_empty());
		assert!(WaitingModels::<Test>::get().is_empty());
	});
}

/// The payer cancels a waiting job: all its escrow and deposit come back, it leaves its
/// line, and the job behind it moves up.
#[test]
fn a_waiting_job_can_be_cancelled_for_a_full_refund() {
	build_and_execute(|| {
		one_slot_each();
		let busy = submit(5);
		let first = submit(1);
		let second = submit(1);
		run_to(2);
		assert_eq!(assigned(busy).len(), 5);
		assert_eq!(WaitLines::<Test>::get(model(1)), WaitLine { head: 0, tail: 2 });
		let before = free(PAYER);
		assert_ok!(Jobs::cancel_job(RuntimeOrigin::signed(PAYER), first));
		System::assert_has_event(Event::JobCancelled { job: first, refunded: 2 * PRICE }.into());
		assert_eq!(free(PAYER), before + 2 * PRICE);
		assert_eq!(WaitLines::<Test>::get(model(1)), WaitLine { head: 1, tail: 2 });
		assert_eq!(Jobs::queue_position(second).map(|p| (p.ahead, p.waiting)), Some((0, true)));
		// A second cancel finds nothing; the other job still gets the first free slot.
		assert_noop!(
			Jobs::cancel_job(RuntimeOrigin::signed(PAYER), first),
			Error::<Test>::JobNotFound
		);
		answer_all();
		run_to(3);
		assert_eq!(status(second), Some(JobStatus::Committing));
		assert!(WaitingModels::<Test>::get().is_empty());
	});
}

/// A job that waits until a round no longer fits fails with a full refund, at its expiry
/// (scheduled when it started waiting), whatever is ahead of it in its line: a job with a
/// short deadline behind one with a long deadline is not kept past its own.
#[test]
fn a_waiting_job_expires_with_a_full_refund_at_its_own_last_start() {
	build_and_execute(|| {
		// Three providers busy: a job of three waits with a long deadline; a job of one
		// behind it cannot overtake it.
		one_slot_each();
		let busy = submit(3);
		run_to(2);
		assert_eq!(assigned(busy).len(), 3);
		let long = crate::NextJobId::<Test>::get();
		assert_ok!(Jobs::submit_job(
			RuntimeOrigin::signed(PAYER),
			model(1),
			inline(&[1]),
			3,
			PRICE,
			60
		));
		// Deadline 14: its last start is 14 − 9 = 5, its expiry block 6.
		let short = crate::NextJobId::<Test>::get();
		assert_ok!(Jobs::submit_job(
			RuntimeOrigin::signed(PAYER),
			model(1),
			inline(&[1]),
			1,
			PRICE,
			14
		));
		run_to(3);
		assert_eq!(status(long), Some(JobStatus::Waiting { seq: 0 }));
		assert_eq!(status(short), Some(JobStatus::Waiting { seq: 1 }));
		let p = Jobs::queue_position(short).unwrap();
		assert_eq!((p.ahead, p.last_start), (1, 5));
		// The busy job's providers commit at the last moment, keeping them busy past 6.
		run_to(4);
		for who in assigned(busy) {
			commit(who, busy, 1);
		}
		run_to(5);
		assert!(status(short).is_some());
		let before = free(PAYER);
		run_to(6);
		System::assert_has_event(
			Event::JobFailed {
				job: short,
				reason: FailureReason::DeadlineTooClose,
				refunded: 2 * PRICE,
			}
			.into(),
		);
		assert_eq!(free(PAYER), before + 2 * PRICE);
		assert_eq!(status(long), Some(JobStatus::Waiting { seq: 0 }));
		assert_eq!(Waiting::<Test>::iter().count(), 1);
	});
}

/// A model's line holds `MaxWaiting` (16 here): a submission for a model whose line is full
/// is refused with `QueueFull`, losing nothing, and a job that finds the line full when the
/// assignment looks at it fails with a full refund. Holding a line full costs fees that
/// double with every eighth of it taken, as for the queue.
#[test]
fn a_full_line_refuses_submissions_and_prices_the_fill() {
	build_and_execute(|| {
		JobFee::set(&1);
		let busy = hold_busy();
		let mut fees = Vec::new();
		while WaitLines::<Test>::get(model(1)).len() < 16 {
			for _ in 0..4 {
				let before = free(PAYER);
				submit_waiting();
				fees.push(before - free(PAYER) - 2 * PRICE);
			}
			run_to(System::block_number() + 1);
			hold_busy_step(busy);
		}
		assert!(System::block_number() <= 7, "the providers were busy throughout");
		assert!(fees.last() > fees.first(), "fees rise as the line fills: {fees:?}");
		let before = free(PAYER);
		assert_noop!(
			Jobs::submit_job(RuntimeOrigin::signed(PAYER), model(1), inline(&[1]), 1, PRICE, 40),
			Error::<Test>::QueueFull
		);
		assert_eq!(free(PAYER), before);
	});
}

/// Jobs submitted in one block past the room in their model's line fail with a full refund
/// when the assignment looks at them (the submission check saw room).
#[test]
fn a_job_that_finds_the_line_full_fails_with_a_full_refund() {
	build_and_execute(|| {
		let busy = hold_busy();
		// 15 waiting, then 4 more submitted while the line has room for one.
		while WaitLines::<Test>::get(model(1)).len() < 15 {
			for _ in 0..(15 - WaitLines::<Test>::get(model(1)).len()).min(4) {
				submit_waiting();
			}
			run_to(System::block_number() + 1);
			hold_busy_step(busy);
		}
		let late: Vec<u64> = (0..4).map(|_| submit_waiting()).collect();
		run_to(System::block_number() + 1);
		assert!(System::block_number() <= 7, "the providers were busy throughout");
		assert_eq!(status(late[0]), Some(JobStatus::Waiting { seq: 15 }));
		for job in &late[1..] {
			System::assert_has_event(
				Event::JobFailed {
					job: *job,
					reason: FailureReason::NotEnoughProviders,
					refunded: 2 * PRICE,
				}
				.into(),
			);
		}
	});
}

/// `queue_position` tells a dapp the jobs ahead of its job and when it is expected to be
/// assigned: rounds of the model's slots, each of a round's full windows.
#[test]
fn queue_position_tells_the_place_and_the_expected_wait() {
	build_and_execute(|| {
		one_slot_each();
		let busy = submit(5);
		let a = submit(2);
		let b = submit(3);
		assert_eq!(
			Jobs::queue_position(a).map(|p| (p.ahead, p.waiting)),
			Some((1, false)),
			"not looked at yet: behind the busy job"
		);
		run_to(2);
		assert_eq!(Jobs::queue_position(busy), None, "assigned: not queued");
		let pa = Jobs::queue_position(a).unwrap();
		let pb = Jobs::queue_position(b).unwrap();
		// Five slots: a (2) fits the next round.
		assert_eq!((pa.ahead, pa.waiting, pa.rounds_ahead), (0, true, Some(0)));
		// b counts its own three providers for each job ahead: 6 over 5 slots, 2 rounds.
		assert_eq!((pb.ahead, pb.rounds_ahead), (1, Some(1)));
		assert_eq!(pa.expected_by, Some(3));
		// Three providers paused: 2 slots left, so 6 over 2 is 3 rounds, 2 of them ahead.
		only(&[1, 2]);
		let pb = Jobs::queue_position(b).unwrap();
		assert_eq!(pb.rounds_ahead, Some(2));
		assert_eq!(pb.expected_by, Some(2 + 1 + 2 * 9));
	});
}

/// The reviewed attack on the line: a job no provider could ever take (here, a price below
/// every offer) waited at its model's head until its deadline, and every honest job of the
/// model waited behind it and expired; one such job an hour, for a fee, kept a model unserved.
/// Now a job waits only for providers that could take it once free: this one fails at once
/// with `NotEnoughProviders` and a full refund, and the honest job is assigned.
#[test]
fn a_job_no_provider_could_take_does_not_hold_up_its_models_line() {
	build_and_execute(|| {
		let squat = crate::NextJobId::<Test>::get();
		assert_ok!(Jobs::submit_job(
			RuntimeOrigin::signed(PAYER),
			model(1),
			inline(&[1]),
			1,
			PRICE - 1,
			System::block_number() + 90
		));
		// Nobody offers model 2 at all: a job for it fails as well, instead of waiting.
		let unoffered = crate::NextJobId::<Test>::get();
		assert_ok!(Jobs::submit_job(
			RuntimeOrigin::signed(PAYER),
			model(2),
			inline(&[1]),
			1,
			PRICE,
			30
		));
		let honest = submit(1);
		let before = free(PAYER);
		run_to(2);
		for job in [squat, unoffered] {
			assert_eq!(status(job), None);
			assert!(System::events().iter().any(|e| matches!(
				e.event,
				RuntimeEvent::Jobs(Event::JobFailed {
					job: j,
					reason: FailureReason::NotEnoughProviders,
					..
				}) if j == job
			)));
		}
		assert_eq!(free(PAYER), before + 2 * (PRICE - 1) + 2 * PRICE);
		assert_eq!(status(honest), Some(JobStatus::Committing));
		assert!(WaitingModels::<Test>::get().is_empty());
	});
}

/// A job at the head of its line whose providers go away while it waits (paused, here) can
/// no longer be taken: it fails with a full refund and the job behind it moves up and is
/// assigned, instead of both waiting until the first one's deadline.
#[test]
fn a_head_whose_providers_left_fails_and_the_line_moves_on() {
	build_and_execute(|| {
		one_slot_each();
		let busy = submit(3);
		run_to(2);
		let busy_ones = assigned(busy);
		let big = submit(3);
		let small = submit(1);
		run_to(3);
		assert_eq!(status(big), Some(JobStatus::Waiting { seq: 0 }));
		assert_eq!(status(small), Some(JobStatus::Waiting { seq: 1 }));
		// The busy job's providers commit (so that its commit window does not end and draw
		// replacements from the free ones); one of them pauses: four live, busy or not, so
		// three can still take the big job once free, and it waits on.
		for who in &busy_ones {
			commit(*who, busy, 1);
		}
		assert_ok!(Providers::pause(RuntimeOrigin::signed(busy_ones[0])));
		run_to(4);
		assert_eq!(status(big), Some(JobStatus::Waiting { seq: 0 }));
		// The other two pause: two live, both free. The big job can no longer be taken.
		for who in &busy_ones[1..] {
			assert_ok!(Providers::pause(RuntimeOrigin::signed(*who)));
		}
		run_to(5);
		System::assert_has_event(
			Event::JobFailed {
				job: big,
				reason: FailureReason::NotEnoughProviders,
				refunded: 6 * PRICE,
			}
			.into(),
		);
		assert_eq!(status(small), Some(JobStatus::Committing));
		assert!(WaitingModels::<Test>::get().is_empty());
	});
}

/// A job that leaves its line before its expiry (cancelled, or assigned) takes its expiry out
/// of the schedule. Before, each left a dead entry there: submitted and cancelled for a fee,
/// such jobs filled the blocks commit windows end in (`TooManyTimeouts`) and stalled the
/// assignment of every model.
#[test]
fn a_job_leaving_its_line_takes_its_expiry_out_of_the_schedule() {
	build_and_execute(|| {
		one_slot_each();
		let busy = submit(5);
		let cancelled = submit_waiting();
		let served = submit_waiting();
		run_to(2);
		assert_eq!(assigned(busy).len(), 5);
		let expiry = |job| JobRecords::<Test>::get(job).unwrap().phase_end;
		let (at_c, at_s) = (expiry(cancelled), expiry(served));
		assert!(crate::Timeouts::<Test>::get(at_c).contains(&cancelled));
		assert!(crate::Timeouts::<Test>::get(at_s).contains(&served));
		assert_ok!(Jobs::cancel_job(RuntimeOrigin::signed(PAYER), cancelled));
		assert!(!crate::Timeouts::<Test>::get(at_c).contains(&cancelled));
		answer_all();
		run_to(3);
		assert_eq!(status(served), Some(JobStatus::Committing));
		let commit_end = JobRecords::<Test>::get(served).unwrap().phase_end;
		assert_ne!(commit_end, at_s);
		assert!(!crate::Timeouts::<Test>::get(at_s).contains(&served));
		assert!(crate::Timeouts::<Test>::get(commit_end).contains(&served));
	});
}
