//! Commit-reveal: the windows, their refusals, batches, settlement and receipts.

use super::*;

#[test]
fn unanimous_honest_providers_settle_at_the_last_reveal() {
	build_and_execute(|| {
		let job = submit(3);
		run_to(2);
		let chosen = assigned(job);
		// The output in full (the worker's, as a node reveals it): it settles into the receipt.
		let (d, out) = real_output(job, 7);
		for who in &chosen {
			assert_ok!(Jobs::commit(
				RuntimeOrigin::signed(*who),
				job,
				commitment_for(*who, job, &d)
			));
		}
		let record = JobRecords::<Test>::get(job).unwrap();
		assert_eq!(record.status, JobStatus::Revealing);
		System::assert_has_event(
			// Scheduled with the commit window: the end of a reveal window after it.
			Event::RevealStarted { job, reveal_end: 2 + COMMIT_WINDOW + REVEAL_WINDOW }.into(),
		);
		let before: Vec<Balance> = chosen.iter().map(|w| free(*w)).collect();
		for who in &chosen {
			assert_ok!(answer_output(*who, job, d, Some(out.clone())));
		}
		// Settled in the block of the last reveal.
		assert!(JobRecords::<Test>::get(job).is_none());
		System::assert_last_event(
			Event::JobSettled {
				job,
				model: model(1),
				input_hash: synod_primitives::digest::input_hash(&[1, 2, 3, 4]),
				output_digest: d,
				agreeing: chosen.clone(),
				dissenting: vec![],
				paid: 3 * PRICE,
				refunded: 3 * PRICE,
				members: vec![],
			}
			.into(),
		);
		for (i, who) in chosen.iter().enumerate() {
			assert_eq!(free(*who), before[i] + PRICE);
			let p = pallet_providers::Records::<Test>::get(who).unwrap();
			assert_eq!((p.locked, p.running), (0, 0));
			assert!(Jobs::assignments(*who).is_empty());
		}
		assert_eq!(free(PAYER), ENDOWMENT - 3 * PRICE);
		assert_eq!(escrow_held(PAYER), 0);
		assert_eq!(Jobs::receipt(job).unwrap().result.digest(), d);
		assert_eq!(Jobs::receipt(job).unwrap().result.output(), Some(&out));
		assert!(Jobs::delivery(job).is_none(), "nothing left to deliver");
		assert_eq!(pallet_models::Records::<Test>::get(model(1)).unwrap().open_jobs, 0);
	});
}

#[test]
fn nobody_answering_fails_the_job_by_its_windows() {
	build_and_execute(|| {
		let job = submit(3);
		run_to(2);
		let chosen = assigned(job);
		run_to(2 + COMMIT_WINDOW);
		// All three slashed and replaced by the two providers left.
		let record = JobRecords::<Test>::get(job).unwrap();
		let replacements: Vec<AccountId> =
			record.assignments.iter().filter(|a| !a.slashed).map(|a| a.provider).collect();
		assert_eq!(replacements.len(), 2);
		System::assert_has_event(
			Event::ProvidersReplaced {
				job,
				replaced: chosen.clone(),
				providers: replacements,
				commit_end: 2 + 2 * COMMIT_WINDOW,
			}
			.into(),
		);
		// They are silent too, and nobody is left: the job fails, and the hook is charged the
		// tally on top of the commit window.
		run_to(2 + 2 * COMMIT_WINDOW - 1);
		System::set_block_number(2 + 2 * COMMIT_WINDOW);
		let weight = Jobs::process_timeouts(2 + 2 * COMMIT_WINDOW);
		let base = <() as crate::WeightInfo>::on_initialize_timeouts(0);
		let per_window = <() as crate::WeightInfo>::on_initialize_timeouts(1).saturating_sub(base);
		assert!(weight.all_gte(base + per_window + <() as crate::WeightInfo>::reveal_digests(2)));
		assert!(JobRecords::<Test>::get(job).is_none());
		System::assert_has_event(
			Event::JobFailed { job, reason: FailureReason::NoReveals, refunded: 6 * PRICE }.into(),
		);
		let collateral = FACTOR as Balance * PRICE;
		// The payer paid nobody beyond its first draw, so none of the five slashes compensates
		// it: a payer whose input nobody can serve never ends a job richer (the rest is burned).
		assert_eq!(free(PAYER), ENDOWMENT);
		for who in PROVIDERS {
			let p = pallet_providers::Records::<Test>::get(who).unwrap();
			assert_eq!((p.bond, p.locked, p.running), (BOND - collateral, 0, 0));
		}
	});
}

#[test]
fn commit_and_reveal_refusals() {
	build_and_execute(|| {
		let job = submit(1);
		assert_noop!(
			Jobs::commit(RuntimeOrigin::signed(1), job, [0; 32]),
			Error::<Test>::NotAssigned
		);
		assert_noop!(
			Jobs::commit(RuntimeOrigin::signed(1), 77, [0; 32]),
			Error::<Test>::JobNotFound
		);
		let job2 = submit(2);
		run_to(2);
		let who = assigned(job2)[0];
		let stranger = PROVIDERS.into_iter().find(|p| !assigned(job2).contains(p)).unwrap();
		assert_noop!(
			Jobs::commit(RuntimeOrigin::signed(stranger), job2, [0; 32]),
			Error::<Test>::NotAssigned
		);
		commit(who, job2, 7);
		assert_noop!(
			Jobs::commit(RuntimeOrigin::signed(who), job2, commitment(who, job2, 7)),
			Error::<Test>::AlreadyCommitted
		);
		commit(assigned(job2)[1], job2, 7);
		// The first round's digests stay sealed while anyone may still be drawn.
		assert_noop!(
			Jobs::reveal(RuntimeOrigin::signed(who), job2, digest(7), salt(who), None),
			Error::<Test>::SealFirst
		);
		let seal = |tag: u8| crate::seal_of(job2, 0, &digest(tag));
		assert_noop!(
			Jobs::seal(RuntimeOrigin::signed(who), job2, seal(8), salt(who)),
			Error::<Test>::RevealMismatch
		);
		assert_noop!(
			Jobs::seal(RuntimeOrigin::signed(who), job2, seal(7), [0; 32]),
			Error::<Test>::RevealMismatch
		);
		// The seal of another round or job is not the commitment's.
		assert_noop!(
			Jobs::seal(
				RuntimeOrigin::signed(who),
				job2,
				crate::seal_of(job2, 1, &digest(7)),
				salt(who)
			),
			Error::<Test>::RevealMismatch
		);
		assert_ok!(Jobs::seal(RuntimeOrigin::signed(who), job2, seal(7), salt(who)));
		assert_noop!(
			Jobs::seal(RuntimeOrigin::signed(who), job2, seal(7), salt(who)),
			Error::<Test>::AlreadyRevealed
		);
		// The last seal: unanimous, the job waits for an opening; a wrong digest is refused.
		let other = assigned(job2)[1];
		assert_ok!(Jobs::seal(RuntimeOrigin::signed(other), job2, seal(7), salt(other)));
		assert_eq!(JobRecords::<Test>::get(job2).unwrap().status, JobStatus::Opening);
		assert_noop!(
			Jobs::reveal(RuntimeOrigin::signed(who), job2, digest(8), salt(who), None),
			Error::<Test>::RevealMismatch
		);
		assert_noop!(
			Jobs::seal(RuntimeOrigin::signed(who), job2, seal(7), salt(who)),
			Error::<Test>::RevealWindowNotOpen
		);
		assert_ok!(Jobs::reveal(RuntimeOrigin::signed(who), job2, digest(7), salt(who), None));
		assert_eq!(Jobs::receipt(job2).unwrap().agreeing.len(), 2);
		assert_noop!(
			Jobs::reveal(RuntimeOrigin::signed(other), job2, digest(7), salt(other), None),
			Error::<Test>::JobNotFound
		);
		assert_noop!(
			Jobs::commit_batch(RuntimeOrigin::signed(who), BoundedVec::new()),
			Error::<Test>::InvalidBatch
		);
		assert_noop!(
			Jobs::reveal_batch(RuntimeOrigin::signed(who), BoundedVec::new()),
			Error::<Test>::InvalidBatch
		);
		assert_noop!(
			Jobs::seal_batch(RuntimeOrigin::signed(who), BoundedVec::new()),
			Error::<Test>::InvalidBatch
		);
		run_to(20);
	});
}

#[test]
fn batches_commit_and_reveal_many_jobs_at_once() {
	build_and_execute(|| {
		let jobs: Vec<u64> = (0..3).map(|_| submit(5)).collect();
		run_to(2);
		for who in PROVIDERS {
			let items: Vec<_> = jobs.iter().map(|j| (*j, commitment(who, *j, 7))).collect();
			assert_ok!(Jobs::commit_batch(RuntimeOrigin::signed(who), items.try_into().unwrap()));
		}
		// Seals that are not the last of their jobs weigh what `reveal_batch` measures for
		// them together; the last provider's open each job's opening window (the tally of
		// five voters).
		for (n, who) in PROVIDERS.into_iter().enumerate() {
			let items: Vec<_> =
				jobs.iter().map(|j| (*j, crate::seal_of(*j, 0, &digest(7)), salt(who))).collect();
			let post =
				Jobs::seal_batch(RuntimeOrigin::signed(who), items.try_into().unwrap()).unwrap();
			let expected = if n + 1 < PROVIDERS.len() {
				<() as crate::WeightInfo>::reveal_batch(3)
			} else {
				<() as crate::WeightInfo>::reveal_digests(5).saturating_mul(3)
			};
			assert_eq!(post.actual_weight, Some(expected));
		}
		// One opening a job settles it (digests only, five voters).
		let who = PROVIDERS[0];
		let items: Vec<_> = jobs.iter().map(|j| (*j, digest(7), salt(who), None)).collect();
		let post =
			Jobs::reveal_batch(RuntimeOrigin::signed(who), items.try_into().unwrap()).unwrap();
		assert_eq!(
			post.actual_weight,
			Some(<() as crate::WeightInfo>::reveal_digests(5).saturating_mul(3))
		);
		for job in jobs {
			assert_eq!(Jobs::receipt(job).unwrap().agreeing.len(), 5);
		}
		run_to(30);
	});
}

#[test]
fn a_stale_item_does_not_hold_back_the_rest_of_a_batch() {
	build_and_execute(|| {
		// A provider's batch names a job that has ended (here: an id no job has any more).
		let job = submit(1);
		run_to(3);
		let who = assigned(job)[0];
		let items = vec![(job, commitment(who, job, 7)), (99, [0; 32])];
		assert_ok!(Jobs::commit_batch(RuntimeOrigin::signed(who), items.try_into().unwrap()));
		// The valid commit stands (it was the only one, so reveals opened); the stale one is
		// reported.
		assert_eq!(JobRecords::<Test>::get(job).unwrap().status, JobStatus::Revealing);
		System::assert_has_event(
			Event::BatchItemFailed { job: 99, error: Error::<Test>::JobNotFound.into() }.into(),
		);
		// Sent again with a new job's commit (a resend that landed before): that item fails,
		// the new one stands. Only `who` is left to draw, so it holds the new job too.
		only(&[who]);
		let second = submit(1);
		run_to(4);
		assert_eq!(assigned(second), vec![who]);
		let items = vec![(job, commitment(who, job, 7)), (second, commitment(who, second, 7))];
		assert_ok!(Jobs::commit_batch(RuntimeOrigin::signed(who), items.try_into().unwrap()));
		System::assert_has_event(
			Event::BatchItemFailed { job, error: Error::<Test>::CommitWindowClosed.into() }.into(),
		);
		assert_eq!(JobRecords::<Test>::get(second).unwrap().status, JobStatus::Revealing);
		// Seals and openings likewise: the stale item is reported, the valid one goes on.
		let seals =
			vec![(99, [0; 32], salt(who)), (job, crate::seal_of(job, 0, &digest(7)), salt(who))];
		assert_ok!(Jobs::seal_batch(RuntimeOrigin::signed(who), seals.try_into().unwrap()));
		System::assert_has_event(
			Event::BatchItemFailed { job: 99, error: Error::<Test>::JobNotFound.into() }.into(),
		);
		let reveals = vec![(99, digest(7), salt(who), None), (job, digest(7), salt(who), None)];
		assert_ok!(Jobs::reveal_batch(RuntimeOrigin::signed(who), reveals.try_into().unwrap()));
		System::assert_has_event(
			Event::BatchItemFailed { job: 99, error: Error::<Test>::JobNotFound.into() }.into(),
		);
		assert!(Jobs::receipt(job).is_some());
		// A batch whose every item fails is refused with the first item's error, changing
		// nothing.
		assert_noop!(
			Jobs::commit_batch(
				RuntimeOrigin::signed(who),
				vec![(99, [0; 32]), (98, [0; 32])].try_into().unwrap()
			),
			Error::<Test>::JobNotFound
		);
		run_to(30);
	});
}

#[test]
fn receipts_are_pruned_after_the_retention_period() {
	build_and_execute(|| {
		let job = submit(1);
		run_to(2);
		let who = assigned(job)[0];
		commit(who, job, 7);
		reveal(who, job, 7);
		run_to(2 + RETENTION);
		assert!(Receipts::<Test>::get(job).is_some());
		run_to(3 + RETENTION);
		assert!(Receipts::<Test>::get(job).is_none());
		assert_eq!(crate::PruneCursor::<Test>::get(), 1);
	});
}
