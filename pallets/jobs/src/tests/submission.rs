//! Submitting, cancelling and quoting jobs: the checks and the escrow.

use super::*;

#[test]
fn submit_holds_escrow_and_assigns_in_a_later_block() {
	build_and_execute(|| {
		let job = submit(3);
		System::assert_last_event(
			Event::JobSubmitted {
				job,
				payer: PAYER,
				model: model(1),
				redundancy: 3,
				max_price: PRICE,
				escrow: 6 * PRICE,
				deadline: 21,
			}
			.into(),
		);
		// Three providers' prices and as much again for an escalation.
		assert_eq!(escrow_held(PAYER), 6 * PRICE);
		assert_eq!(JobRecords::<Test>::get(job).unwrap().status, JobStatus::Queued);
		assert_eq!(AssignCursor::<Test>::get(), job);
		assert_eq!(pallet_models::Records::<Test>::get(model(1)).unwrap().open_jobs, 1);
		run_to(2);
		let record = JobRecords::<Test>::get(job).unwrap();
		assert_eq!(record.status, JobStatus::Committing);
		assert_eq!(record.phase_end, 2 + COMMIT_WINDOW);
		let chosen = assigned(job);
		assert_eq!(chosen.len(), 3);
		let mut unique = chosen.clone();
		unique.sort();
		unique.dedup();
		assert_eq!(unique.len(), 3);
		for who in &chosen {
			let p = pallet_providers::Records::<Test>::get(who).unwrap();
			assert_eq!((p.locked, p.running), (FACTOR as Balance * PRICE, 1));
			assert_eq!(Jobs::assignments(*who), vec![job]);
		}
		System::assert_has_event(
			Event::JobAssigned { job, providers: chosen, commit_end: 2 + COMMIT_WINDOW }.into(),
		);
	});
}

#[test]
fn inputs_that_are_not_whole_items_of_the_model_are_refused() {
	build_and_execute(|| {
		let mut m = manifest(7, 1024);
		// f32, 4 per item: 16 bytes an item.
		m.input = synod_primitives::model::TensorSpec {
			dtype: synod_primitives::digest::DType::F32,
			shape: vec![None, Some(4)].try_into().unwrap(),
		};
		assert_ok!(Models::register_model(RuntimeOrigin::signed(PUBLISHER), Box::new(m.clone())));
		let id7 = synod_primitives::model::model_id(&PUBLISHER, &m);
		let submit = |bytes: &[u8]| {
			Jobs::submit_job(RuntimeOrigin::signed(PAYER), id7, inline(bytes), 1, PRICE, 30)
		};
		for bad in [&[0u8; 15][..], &[0; 17], &[0; 40]] {
			assert_noop!(submit(bad), Error::<Test>::InvalidInputShape);
		}
		assert_ok!(submit(&[0; 16]));
		assert_ok!(submit(&[0; 48]));
		// A static shape takes exactly one item.
		m.file_hash = [8; 32];
		m.input.shape = vec![Some(2), Some(4)].try_into().unwrap();
		let id8 = synod_primitives::model::model_id(&PUBLISHER, &m);
		assert_ok!(Models::register_model(RuntimeOrigin::signed(PUBLISHER), Box::new(m)));
		let submit8 = |bytes: &[u8]| {
			Jobs::submit_job(RuntimeOrigin::signed(PAYER), id8, inline(bytes), 1, PRICE, 30)
		};
		assert_noop!(submit8(&[0; 64]), Error::<Test>::InvalidInputShape);
		assert_ok!(submit8(&[0; 32]));
	});
}

#[test]
fn submit_refusals() {
	build_and_execute(|| {
		let s = || RuntimeOrigin::signed(PAYER);
		let d = 30;
		assert_noop!(
			Jobs::submit_job(s(), model(9), inline(&[1]), 3, PRICE, d),
			Error::<Test>::ModelNotActive
		);
		for k in [0, 6] {
			assert_noop!(
				Jobs::submit_job(s(), model(1), inline(&[1]), k, PRICE, d),
				Error::<Test>::InvalidRedundancy
			);
		}
		assert_noop!(
			Jobs::submit_job(s(), model(1), inline(&[]), 3, PRICE, d),
			Error::<Test>::InvalidInputSize
		);
		assert_noop!(
			Jobs::submit_job(s(), model(2), inline(&[0; 9]), 3, PRICE, d),
			Error::<Test>::InvalidInputSize
		);
		for uri in [&b"file:///x"[..], b"https://", b"ftp://a"] {
			assert_noop!(
				Jobs::submit_job(
					s(),
					model(1),
					JobInput::Remote { hash: [1; 32], uri: uri.to_vec().try_into().unwrap() },
					3,
					PRICE,
					d
				),
				Error::<Test>::InvalidInputUri
			);
		}
		assert_noop!(
			Jobs::submit_job(s(), model(1), inline(&[1]), 3, 0, d),
			Error::<Test>::ZeroPrice
		);
		assert_noop!(
			Jobs::submit_job(
				s(),
				model(1),
				inline(&[1]),
				3,
				PRICE,
				1 + COMMIT_WINDOW + REVEAL_WINDOW
			),
			Error::<Test>::DeadlineTooSoon
		);
		assert_noop!(
			Jobs::submit_job(s(), model(1), inline(&[1]), 3, PRICE, 102),
			Error::<Test>::DeadlineTooFar
		);
		assert_noop!(
			Jobs::submit_job(RuntimeOrigin::signed(POOR), model(1), inline(&[1]), 3, PRICE, d),
			Error::<Test>::InsufficientBalance
		);
		for _ in 0..8 {
			submit(1);
		}
		assert_noop!(
			Jobs::submit_job(s(), model(1), inline(&[1]), 3, PRICE, d),
			Error::<Test>::QueueFull
		);
		assert_ok!(Models::retire_model(RuntimeOrigin::signed(PUBLISHER), model(2)));
		assert_noop!(
			Jobs::submit_job(s(), model(2), inline(&[1]), 1, PRICE, d),
			Error::<Test>::ModelNotActive
		);
		// A remote input is accepted by hash and URI.
		run_to(3);
		assert_ok!(Jobs::submit_job(
			s(),
			model(1),
			JobInput::Remote { hash: [1; 32], uri: b"ipfs://bafy".to_vec().try_into().unwrap() },
			1,
			PRICE,
			d
		));
	});
}

#[test]
fn a_batch_submits_every_job_or_none() {
	build_and_execute(|| {
		let request = |k: u32| crate::JobRequest {
			model: model(1),
			input: inline(&[1, 2, 3, 4]),
			redundancy: k,
			max_price: PRICE,
			deadline: 21,
		};
		let batch = |items: Vec<crate::JobRequestOf<Test>>| -> BoundedVec<_, _> {
			items.try_into().unwrap()
		};
		assert_noop!(
			Jobs::submit_batch(RuntimeOrigin::signed(PAYER), batch(vec![])),
			Error::<Test>::InvalidBatch
		);
		// One bad item undoes the batch: nothing held, no id used.
		assert_noop!(
			Jobs::submit_batch(RuntimeOrigin::signed(PAYER), batch(vec![request(1), request(0)])),
			Error::<Test>::InvalidRedundancy
		);
		assert_ok!(Jobs::submit_batch(
			RuntimeOrigin::signed(PAYER),
			batch(vec![request(1), request(3), request(2)])
		));
		for (job, k) in [(0u64, 1u32), (1, 3), (2, 2)] {
			System::assert_has_event(
				Event::JobSubmitted {
					job,
					payer: PAYER,
					model: model(1),
					redundancy: k,
					max_price: PRICE,
					escrow: 2 * Balance::from(k) * PRICE,
					deadline: 21,
				}
				.into(),
			);
		}
		assert_eq!(escrow_held(PAYER), 2 * 6 * PRICE);
		run_to(2);
		for (job, k) in [(0u64, 1usize), (1, 3), (2, 2)] {
			assert_eq!(assigned(job).len(), k);
		}
	});
}

#[test]
fn cancel_before_assignment_refunds_everything() {
	build_and_execute(|| {
		let job = submit(3);
		assert_noop!(Jobs::cancel_job(RuntimeOrigin::signed(1), job), Error::<Test>::NotPayer);
		assert_noop!(
			Jobs::cancel_job(RuntimeOrigin::signed(PAYER), 77),
			Error::<Test>::JobNotFound
		);
		assert_ok!(Jobs::cancel_job(RuntimeOrigin::signed(PAYER), job));
		System::assert_last_event(Event::JobCancelled { job, refunded: 6 * PRICE }.into());
		assert_eq!(free(PAYER), ENDOWMENT);
		assert!(JobRecords::<Test>::get(job).is_none());
		assert_eq!(pallet_models::Records::<Test>::get(model(1)).unwrap().open_jobs, 0);
		let job = submit(3);
		run_to(2);
		assert_noop!(
			Jobs::cancel_job(RuntimeOrigin::signed(PAYER), job),
			Error::<Test>::AlreadyAssigned
		);
	});
}

#[test]
fn quote_reports_escrow_and_the_price_of_k_providers() {
	build_and_execute(|| {
		assert_eq!(Jobs::quote(model(1), 3, 50), (300, Some(PRICE)));
		assert_eq!(Jobs::quote(model(1), 6, 50), (600, None));
		assert_eq!(Jobs::quote(model(2), 1, 50), (100, None));
	});
}
