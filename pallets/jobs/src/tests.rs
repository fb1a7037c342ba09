//! Unit and property tests of the jobs pallet, with the real models and providers pallets.

use crate::voting::commitment_of;
use crate::{
	mock::*,
	settlement::{agree, capped_weights, tally, Tally},
	types::{Assignment, MemberDigests, MemberInput, SmallOutput},
	AssignCursor, Error, Event, FailureReason, HoldReason, JobInput, JobStatus, Jobs as JobRecords,
	Receipts, Timeouts,
};
use codec::Encode;
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
	BoundedVec,
};
use proptest::prelude::*;
use sp_runtime::Perbill;
use synod_primitives::digest::{input_hash, members_root, Hash32};

fn escrow_held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::Jobs(HoldReason::JobEscrow), &who)
}

fn inline(bytes: &[u8]) -> JobInput {
	JobInput::Inline(bytes.to_vec().try_into().unwrap())
}

/// Submits a job for model 1 with redundancy `k` at the default price; returns its id.
fn submit(k: u32) -> u64 {
	let id = crate::NextJobId::<Test>::get();
	assert_ok!(Jobs::submit_job(
		RuntimeOrigin::signed(PAYER),
		model(1),
		inline(&[1, 2, 3, 4]),
		k,
		PRICE,
		System::block_number() + 20
	));
	id
}

fn assigned(job: u64) -> Vec<AccountId> {
	JobRecords::<Test>::get(job).unwrap().assignments.iter().map(|a| a.provider).collect()
}

fn commit(who: AccountId, job: u64, tag: u8) {
	assert_ok!(Jobs::commit(RuntimeOrigin::signed(who), job, commitment(who, tag)));
}

fn reveal(who: AccountId, job: u64, tag: u8) {
	assert_ok!(Jobs::reveal(RuntimeOrigin::signed(who), job, digest(tag), salt(who), None));
}

fn free(who: AccountId) -> Balance {
	Balances::balance(&who)
}

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
		assert_eq!(pallet_models::Models::<Test>::get(model(1)).unwrap().open_jobs, 1);
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
			let p = pallet_providers::Providers::<Test>::get(who).unwrap();
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
		let submit = |bytes: &[u8]| {
			Jobs::submit_job(RuntimeOrigin::signed(PAYER), model(7), inline(bytes), 1, PRICE, 30)
		};
		for bad in [&[0u8; 15][..], &[0; 17], &[0; 40]] {
			assert_noop!(submit(bad), Error::<Test>::InvalidInputShape);
		}
		assert_ok!(submit(&[0; 16]));
		assert_ok!(submit(&[0; 48]));
		// A static shape takes exactly one item.
		m.hash = [8; 32];
		m.input.shape = vec![Some(2), Some(4)].try_into().unwrap();
		assert_ok!(Models::register_model(RuntimeOrigin::signed(PUBLISHER), Box::new(m)));
		let submit8 = |bytes: &[u8]| {
			Jobs::submit_job(RuntimeOrigin::signed(PAYER), model(8), inline(bytes), 1, PRICE, 30)
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
		assert_eq!(pallet_models::Models::<Test>::get(model(1)).unwrap().open_jobs, 0);
		let job = submit(3);
		run_to(2);
		assert_noop!(
			Jobs::cancel_job(RuntimeOrigin::signed(PAYER), job),
			Error::<Test>::AlreadyAssigned
		);
	});
}

#[test]
fn unanimous_honest_providers_settle_at_the_last_reveal() {
	build_and_execute(|| {
		let job = submit(3);
		run_to(2);
		let chosen = assigned(job);
		for who in &chosen {
			commit(*who, job, 7);
		}
		let record = JobRecords::<Test>::get(job).unwrap();
		assert_eq!(record.status, JobStatus::Revealing);
		System::assert_has_event(
			Event::RevealStarted { job, reveal_end: 2 + REVEAL_WINDOW }.into(),
		);
		let before: Vec<Balance> = chosen.iter().map(|w| free(*w)).collect();
		for who in &chosen {
			reveal(*who, job, 7);
		}
		// Settled in the block of the last reveal.
		assert!(JobRecords::<Test>::get(job).is_none());
		System::assert_last_event(
			Event::JobSettled {
				job,
				model: model(1),
				input_hash: synod_primitives::digest::input_hash(&[1, 2, 3, 4]),
				output_digest: digest(7),
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
			let p = pallet_providers::Providers::<Test>::get(who).unwrap();
			assert_eq!((p.locked, p.running), (0, 0));
			assert!(Jobs::assignments(*who).is_empty());
		}
		assert_eq!(free(PAYER), ENDOWMENT - 3 * PRICE);
		assert_eq!(escrow_held(PAYER), 0);
		assert_eq!(Jobs::receipt(job).unwrap().output_digest, digest(7));
		assert_eq!(pallet_models::Models::<Test>::get(model(1)).unwrap().open_jobs, 0);
	});
}

/// Pauses the providers not in `keep`, so that no escalation or replacement finds anyone.
fn only(keep: &[AccountId]) {
	for who in PROVIDERS.into_iter().filter(|p| !keep.contains(p)) {
		assert_ok!(Providers::pause(RuntimeOrigin::signed(who)));
	}
}

/// The providers drawn for `job`'s escalation (round 1).
fn escalated(job: u64) -> Vec<AccountId> {
	JobRecords::<Test>::get(job)
		.unwrap()
		.assignments
		.iter()
		.filter(|a| a.round == 1)
		.map(|a| a.provider)
		.collect()
}

#[test]
fn a_liar_in_three_escalates_and_the_larger_set_outvotes_it() {
	build_and_execute(|| {
		let job = submit(3);
		run_to(2);
		let chosen = assigned(job);
		let liar = chosen[1];
		for who in &chosen {
			commit(*who, job, if *who == liar { 9 } else { 7 });
		}
		let liar_free = free(liar);
		for who in &chosen {
			reveal(*who, job, if *who == liar { 9 } else { 7 });
		}
		// Not unanimous: the two providers left are drawn (round 1).
		let record = JobRecords::<Test>::get(job).unwrap();
		assert_eq!((record.round, record.status), (1, JobStatus::Committing));
		let drawn = escalated(job);
		let mut sorted = drawn.clone();
		sorted.sort();
		let extra: Vec<AccountId> = PROVIDERS.into_iter().filter(|p| !chosen.contains(p)).collect();
		assert_eq!(sorted, extra);
		System::assert_has_event(
			Event::JobEscalated { job, providers: drawn.clone(), commit_end: 2 + COMMIT_WINDOW }
				.into(),
		);
		// First-round providers cannot commit or reveal again.
		assert_noop!(
			Jobs::commit(RuntimeOrigin::signed(liar), job, commitment(liar, 7)),
			Error::<Test>::NotInRound
		);
		for who in &drawn {
			commit(*who, job, 7);
		}
		assert_noop!(
			Jobs::reveal(RuntimeOrigin::signed(liar), job, digest(9), salt(liar), None),
			Error::<Test>::NotInRound
		);
		for who in &drawn {
			reveal(*who, job, 7);
		}
		let receipt = Jobs::receipt(job).unwrap();
		assert_eq!(receipt.output_digest, digest(7));
		assert_eq!(receipt.agreeing.len(), 4);
		assert_eq!(receipt.dissenting.into_inner(), vec![liar]);
		assert_eq!(receipt.paid, 4 * PRICE);
		assert_eq!(receipt.refunded, 2 * PRICE);
		// The mock's collateral (2 prices) is below the compensation (3 prices): none burned.
		let collateral = FACTOR as Balance * PRICE;
		System::assert_has_event(
			Event::ProviderSlashed {
				job,
				provider: liar,
				amount: collateral,
				compensated: collateral,
				burned: 0,
			}
			.into(),
		);
		assert_eq!(free(liar), liar_free);
		assert_eq!(pallet_providers::Providers::<Test>::get(liar).unwrap().bond, BOND - collateral);
		// The payer paid four providers and got the liar's collateral.
		assert_eq!(free(PAYER), ENDOWMENT - 4 * PRICE + collateral);
	});
}

#[test]
fn without_providers_to_escalate_to_two_of_three_decide() {
	build_and_execute(|| {
		only(&[1, 2, 3]);
		let job = submit(3);
		run_to(2);
		let chosen = assigned(job);
		let liar = chosen[1];
		for who in &chosen {
			commit(*who, job, if *who == liar { 9 } else { 7 });
		}
		for who in &chosen {
			reveal(*who, job, if *who == liar { 9 } else { 7 });
		}
		let receipt = Jobs::receipt(job).unwrap();
		assert_eq!(receipt.output_digest, digest(7));
		assert_eq!(receipt.dissenting.into_inner(), vec![liar]);
		assert_eq!((receipt.paid, receipt.refunded), (2 * PRICE, 4 * PRICE));
		let collateral = FACTOR as Balance * PRICE;
		assert_eq!(free(PAYER), ENDOWMENT - 2 * PRICE + collateral);
	});
}

#[test]
fn an_escalated_job_without_a_supermajority_fails_and_refunds_in_full() {
	build_and_execute(|| {
		let job = submit(3);
		run_to(2);
		let chosen = assigned(job);
		for (i, who) in chosen.iter().enumerate() {
			commit(*who, job, i as u8);
		}
		for (i, who) in chosen.iter().enumerate() {
			reveal(*who, job, i as u8);
		}
		let drawn = escalated(job);
		assert_eq!(drawn.len(), 2);
		// The new ones agree with the first: 3 of 5 is not two thirds.
		for who in &drawn {
			commit(*who, job, 0);
		}
		for who in &drawn {
			reveal(*who, job, 0);
		}
		System::assert_last_event(
			Event::JobFailed { job, reason: FailureReason::NoDecision, refunded: 6 * PRICE }.into(),
		);
		assert_eq!(free(PAYER), ENDOWMENT);
		for who in PROVIDERS {
			let p = pallet_providers::Providers::<Test>::get(who).unwrap();
			assert_eq!((p.bond, p.locked, p.running), (BOND, 0, 0));
		}
	});
}

#[test]
fn an_escalation_that_finds_everyone_revealing_within_tolerance_settles() {
	build_and_execute(|| {
		let job = submit(3);
		run_to(2);
		let chosen = assigned(job);
		let record = JobRecords::<Test>::get(job).unwrap();
		// Model 1's tolerance is 2 steps; the third provider's last element is 1 step off.
		let outputs =
			[small(&[10, 20, 30, 40]), small(&[10, 20, 30, 40]), small(&[10, 20, 30, 41])];
		let digests: Vec<Hash32> = outputs
			.iter()
			.map(|o| {
				synod_primitives::digest::output_digest(
					&record.model,
					&record.input_hash,
					&o.shape,
					&o.values,
				)
			})
			.collect();
		for (i, who) in chosen.iter().enumerate() {
			let c = crate::commitment_of(&digests[i], &salt(*who), who);
			assert_ok!(Jobs::commit(RuntimeOrigin::signed(*who), job, c));
		}
		// A reveal whose output does not hash to its digest, or whose shape does not fit its
		// values, is refused.
		let who = chosen[0];
		assert_noop!(
			Jobs::reveal(
				RuntimeOrigin::signed(who),
				job,
				digests[0],
				salt(who),
				Some(outputs[2].clone())
			),
			Error::<Test>::OutputMismatch
		);
		let bad_shape = SmallOutput { shape: vec![3].try_into().unwrap(), ..outputs[0].clone() };
		assert_noop!(
			Jobs::reveal(RuntimeOrigin::signed(who), job, digests[0], salt(who), Some(bad_shape)),
			Error::<Test>::InvalidOutput
		);
		for (i, who) in chosen.iter().enumerate() {
			assert_ok!(Jobs::reveal(
				RuntimeOrigin::signed(*who),
				job,
				digests[i],
				salt(*who),
				Some(outputs[i].clone())
			));
		}
		// Unanimous within the tolerance: settled at once, everyone paid, the first output kept.
		let receipt = Jobs::receipt(job).unwrap();
		assert_eq!(receipt.agreeing.len(), 3);
		assert!(receipt.dissenting.is_empty());
		assert_eq!(receipt.output_digest, digests[0]);
		assert_eq!(receipt.output, Some(outputs[0].clone()));
	});
}

#[test]
fn a_commit_window_whose_replacements_find_the_schedule_full_is_decided_at_once() {
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
		let cap = <<Test as crate::Config>::MaxTimeoutsPerBlock as frame_support::traits::Get<
			u32,
		>>::get();
		let blocks =
			end + COMMIT_WINDOW..=end + COMMIT_WINDOW + crate::assignment::SCHEDULE_SLACK as u64;
		for block in blocks.clone() {
			let full: Vec<u64> = (1000..1000 + u64::from(cap)).collect();
			Timeouts::<Test>::insert(block, BoundedVec::try_from(full).unwrap());
		}
		run_to(end - 1);
		System::set_block_number(end);
		let weight = Jobs::process_timeouts(end);
		// Each tried its replacements once (a full schedule is not mended by a fresh pool: no
		// second try for the second job either), then was decided at once: nobody revealed, so
		// each fails with a full refund and its silent provider is slashed.
		let base = <() as crate::WeightInfo>::on_initialize_timeouts(0);
		let per_window = <() as crate::WeightInfo>::on_initialize_timeouts(1).saturating_sub(base);
		assert_eq!(weight, base + (per_window + Jobs::reveal_weight_max()).saturating_mul(2));
		for job in jobs {
			assert!(JobRecords::<Test>::get(job).is_none());
			assert!(System::events().iter().any(|r| matches!(
				r.event,
				RuntimeEvent::Jobs(Event::JobFailed { job: j, .. }) if j == job
			)));
		}
		assert_eq!(escrow_held(PAYER), 0);
		for block in blocks {
			Timeouts::<Test>::remove(block);
		}
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
		assert_eq!(free(PAYER), payer_before + collateral);
		assert!(Jobs::assignments(silent).is_empty());
		assert_noop!(
			Jobs::commit(RuntimeOrigin::signed(silent), job, commitment(silent, 7)),
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
	});
}

#[test]
fn a_slash_compensates_the_payer_with_redundancy_prices_and_burns_the_rest() {
	build_and_execute(|| {
		// One provider: the payer's compensation is one price, the collateral two (the mock's
		// factor), so one price is burned.
		let job = submit(1);
		run_to(2);
		let silent = assigned(job)[0];
		let (payer_before, issuance) = (free(PAYER), Balances::total_issuance());
		let bond = pallet_providers::Providers::<Test>::get(silent).unwrap().bond;
		run_to(2 + COMMIT_WINDOW);
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
		assert_eq!(free(PAYER), payer_before + PRICE);
		assert_eq!(Balances::total_issuance(), issuance - (collateral - PRICE));
		assert_eq!(
			pallet_providers::Providers::<Test>::get(silent).unwrap().bond,
			bond - collateral
		);
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
			Jobs::commit(RuntimeOrigin::signed(silent), job, commitment(silent, 7)),
			Error::<Test>::CommitWindowClosed
		);
		assert_noop!(
			Jobs::reveal(RuntimeOrigin::signed(silent), job, digest(7), salt(silent), None),
			Error::<Test>::NotCommitted
		);
		reveal(chosen[0], job, 7);
		reveal(chosen[1], job, 7);
		let receipt = Jobs::receipt(job).unwrap();
		assert_eq!(receipt.agreeing.len(), 2);
		assert_eq!(receipt.dissenting.into_inner(), vec![silent]);
	});
}

#[test]
fn no_supermajority_fails_the_job_and_refunds_in_full() {
	build_and_execute(|| {
		only(&[1, 2, 3]);
		let job = submit(3);
		run_to(2);
		let chosen = assigned(job);
		for (i, who) in chosen.iter().enumerate() {
			commit(*who, job, i as u8);
		}
		for (i, who) in chosen.iter().enumerate() {
			reveal(*who, job, i as u8);
		}
		System::assert_last_event(
			Event::JobFailed { job, reason: FailureReason::NoDecision, refunded: 6 * PRICE }.into(),
		);
		assert_eq!(free(PAYER), ENDOWMENT);
		for who in chosen {
			assert_eq!(pallet_providers::Providers::<Test>::get(who).unwrap().bond, BOND);
		}
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
		assert_eq!(free(PAYER), ENDOWMENT + 5 * collateral);
		for who in PROVIDERS {
			let p = pallet_providers::Providers::<Test>::get(who).unwrap();
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
			Jobs::commit(RuntimeOrigin::signed(who), job2, commitment(who, 7)),
			Error::<Test>::AlreadyCommitted
		);
		commit(assigned(job2)[1], job2, 7);
		assert_noop!(
			Jobs::reveal(RuntimeOrigin::signed(who), job2, digest(8), salt(who), None),
			Error::<Test>::RevealMismatch
		);
		assert_noop!(
			Jobs::reveal(RuntimeOrigin::signed(who), job2, digest(7), [0; 32], None),
			Error::<Test>::RevealMismatch
		);
		reveal(who, job2, 7);
		assert_noop!(
			Jobs::reveal(RuntimeOrigin::signed(who), job2, digest(7), salt(who), None),
			Error::<Test>::AlreadyRevealed
		);
		assert_noop!(
			Jobs::commit_batch(RuntimeOrigin::signed(who), BoundedVec::new()),
			Error::<Test>::InvalidBatch
		);
		assert_noop!(
			Jobs::reveal_batch(RuntimeOrigin::signed(who), BoundedVec::new()),
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
			let items: Vec<_> = jobs.iter().map(|j| (*j, commitment(who, 7))).collect();
			assert_ok!(Jobs::commit_batch(RuntimeOrigin::signed(who), items.try_into().unwrap()));
		}
		// Reveals that are not the last of their jobs weigh what `reveal_batch` measures for
		// them together; the last provider's settle each job (digests only, five voters).
		for (n, who) in PROVIDERS.into_iter().enumerate() {
			let items: Vec<_> = jobs.iter().map(|j| (*j, digest(7), salt(who), None)).collect();
			let post =
				Jobs::reveal_batch(RuntimeOrigin::signed(who), items.try_into().unwrap()).unwrap();
			let expected = if n + 1 < PROVIDERS.len() {
				<() as crate::WeightInfo>::reveal_batch(3)
			} else {
				<() as crate::WeightInfo>::reveal_digests(5).saturating_mul(3)
			};
			assert_eq!(post.actual_weight, Some(expected));
		}
		for job in jobs {
			assert_eq!(Jobs::receipt(job).unwrap().agreeing.len(), 5);
		}
		// A failing item undoes its whole batch.
		let job = submit(1);
		run_to(3);
		let who = assigned(job)[0];
		let items = vec![(job, commitment(who, 7)), (99, [0; 32])];
		assert_noop!(
			Jobs::commit_batch(RuntimeOrigin::signed(who), items.try_into().unwrap()),
			Error::<Test>::JobNotFound
		);
		run_to(30);
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
		// Every window end near the deadline is taken: the job cannot be scheduled.
		let job = submit(1);
		for b in 4..=30 {
			Timeouts::<Test>::insert(b, BoundedVec::truncate_from(vec![1_000u64; 8]));
		}
		run_to(4);
		System::assert_has_event(
			Event::JobFailed {
				job,
				reason: FailureReason::NotEnoughProviders,
				refunded: 2 * PRICE,
			}
			.into(),
		);
		for b in 4..=30 {
			Timeouts::<Test>::remove(b);
		}
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

/// A cohort of `n` one-byte inline members `[1]`, `[2]`, ….
fn cohort_input(n: u8) -> JobInput {
	let members: Vec<MemberInput> =
		(1..=n).map(|i| MemberInput::Inline(vec![i].try_into().unwrap())).collect();
	JobInput::Cohort(members.try_into().unwrap())
}

/// Submits a cohort of `n` members for model 1 with redundancy `k`; returns its id.
fn submit_cohort(k: u32, n: u8) -> u64 {
	let id = crate::NextJobId::<Test>::get();
	assert_ok!(Jobs::submit_job(
		RuntimeOrigin::signed(PAYER),
		model(1),
		cohort_input(n),
		k,
		PRICE,
		System::block_number() + 20
	));
	id
}

/// Member digests `tag`, `tag + 1`, … of an `n`-member cohort.
fn member_digests(tag: u8, n: u8) -> MemberDigests {
	(0..n).map(|i| digest(tag + i)).collect::<Vec<_>>().try_into().unwrap()
}

fn commit_members(who: AccountId, job: u64, members: &MemberDigests) {
	let c = commitment_of(&members_root(members), &salt(who), &who);
	assert_ok!(Jobs::commit(RuntimeOrigin::signed(who), job, c));
}

fn reveal_members(who: AccountId, job: u64, members: &MemberDigests) {
	assert_ok!(Jobs::reveal_members(RuntimeOrigin::signed(who), job, members.clone(), salt(who)));
}

#[test]
fn a_cohort_is_priced_per_member_and_settles_with_its_member_digests() {
	build_and_execute(|| {
		let job = submit_cohort(3, 4);
		// Four jobs' escrow: 2 × 3 × price each.
		assert_eq!(escrow_held(PAYER), 4 * 6 * PRICE);
		assert_eq!(crate::NextJobId::<Test>::get(), job + 1);
		run_to(2);
		let chosen = assigned(job);
		assert_eq!(chosen.len(), 3);
		for who in &chosen {
			// Collateral on the whole cohort: four prices times the factor.
			let p = pallet_providers::Providers::<Test>::get(who).unwrap();
			assert_eq!((p.locked, p.running), (FACTOR as Balance * 4 * PRICE, 1));
		}
		let members = member_digests(7, 4);
		for who in &chosen {
			commit_members(*who, job, &members);
		}
		let before: Vec<Balance> = chosen.iter().map(|w| free(*w)).collect();
		for who in &chosen {
			reveal_members(*who, job, &members);
		}
		assert!(JobRecords::<Test>::get(job).is_none());
		let inputs: Vec<Hash32> = (1..=4u8).map(|i| input_hash(&[i])).collect();
		System::assert_last_event(
			Event::JobSettled {
				job,
				model: model(1),
				input_hash: members_root(&inputs),
				output_digest: members_root(&members),
				agreeing: chosen.clone(),
				dissenting: vec![],
				paid: 3 * 4 * PRICE,
				refunded: 3 * 4 * PRICE,
				members: members.to_vec(),
			}
			.into(),
		);
		for (i, who) in chosen.iter().enumerate() {
			assert_eq!(free(*who), before[i] + 4 * PRICE);
		}
		let receipt = Jobs::receipt(job).unwrap();
		assert_eq!(receipt.members, members);
		assert_eq!(escrow_held(PAYER), 0);
		assert_eq!(free(PAYER), ENDOWMENT - 3 * 4 * PRICE);
	});
}

#[test]
fn a_cohort_liar_on_one_member_is_outvoted_and_slashed() {
	build_and_execute(|| {
		let job = submit_cohort(3, 3);
		run_to(2);
		let chosen = assigned(job);
		let liar = chosen[0];
		let honest = member_digests(7, 3);
		let mut lie = honest.clone();
		lie[2] = digest(99);
		let says = |who: AccountId| if who == liar { lie.clone() } else { honest.clone() };
		for who in &chosen {
			commit_members(*who, job, &says(*who));
		}
		for who in &chosen {
			reveal_members(*who, job, &says(*who));
		}
		// One member differs: the roots differ, the cohort escalates to the two left.
		let drawn = escalated(job);
		assert_eq!(drawn.len(), 2);
		for who in &drawn {
			commit_members(*who, job, &honest);
		}
		for who in &drawn {
			reveal_members(*who, job, &honest);
		}
		let receipt = Jobs::receipt(job).unwrap();
		assert_eq!(receipt.members, honest);
		assert_eq!(receipt.output_digest, members_root(&honest));
		assert_eq!(receipt.dissenting.into_inner(), vec![liar]);
		assert_eq!(receipt.agreeing.len(), 4);
		assert_eq!(receipt.paid, 4 * 3 * PRICE);
		let collateral = FACTOR as Balance * 3 * PRICE;
		System::assert_has_event(
			Event::ProviderSlashed {
				job,
				provider: liar,
				amount: collateral,
				compensated: collateral,
				burned: 0,
			}
			.into(),
		);
	});
}

#[test]
fn cohort_refusals() {
	build_and_execute(|| {
		// Nobody to replace the silent: reveals open when the commit window closes.
		only(&[1, 2, 3]);
		let submit_input = |input: JobInput| {
			Jobs::submit_job(RuntimeOrigin::signed(PAYER), model(1), input, 3, PRICE, 21)
		};
		// One member is a job, not a cohort; more than `MaxCohort` (4) are refused.
		assert_noop!(submit_input(cohort_input(1)), Error::<Test>::InvalidCohort);
		assert_noop!(submit_input(cohort_input(5)), Error::<Test>::InvalidCohort);
		// Members are checked as inputs are, and inline members share `MaxInlineInput`.
		let members = |ms: Vec<MemberInput>| JobInput::Cohort(ms.try_into().unwrap());
		let bytes = |n: usize| MemberInput::Inline(vec![1u8; n].try_into().unwrap());
		assert_noop!(
			submit_input(members(vec![bytes(1), bytes(0)])),
			Error::<Test>::InvalidInputSize
		);
		assert_noop!(
			submit_input(members(vec![bytes(600), bytes(600)])),
			Error::<Test>::InvalidInputSize
		);
		let remote = |uri: &[u8]| MemberInput::Remote {
			hash: [3; 32],
			uri: uri.to_vec().try_into().unwrap(),
		};
		assert_noop!(
			submit_input(members(vec![bytes(1), remote(b"ftp://x")])),
			Error::<Test>::InvalidInputUri
		);
		assert_ok!(submit_input(members(vec![bytes(600), remote(b"https://inputs.example/a")])));
		let cohort = crate::NextJobId::<Test>::get() - 1;
		let single = submit(3);
		run_to(2);
		let who = assigned(cohort)[0];
		let members2 = member_digests(7, 2);
		commit_members(who, cohort, &members2);
		let other = assigned(single)[0];
		commit(other, single, 7);
		// Commits close at the window's end; then reveals open for those who committed.
		run_to(2 + COMMIT_WINDOW);
		// A cohort is revealed by its members, a single job without.
		assert_noop!(
			Jobs::reveal(
				RuntimeOrigin::signed(who),
				cohort,
				members_root(&members2),
				salt(who),
				None
			),
			Error::<Test>::InvalidMembers
		);
		let reveal_as = |who: AccountId, job: u64, members: MemberDigests| {
			Jobs::reveal_members(RuntimeOrigin::signed(who), job, members, salt(who))
		};
		assert_noop!(reveal_as(other, single, member_digests(7, 1)), Error::<Test>::InvalidMembers);
		assert_noop!(reveal_as(who, cohort, member_digests(7, 3)), Error::<Test>::InvalidMembers);
		assert_noop!(reveal_as(who, cohort, member_digests(8, 2)), Error::<Test>::RevealMismatch);
		reveal_members(who, cohort, &members2);
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

/// An assignment for the tally tests: `digest` revealed (`None`: silent), vote weight `weight`.
fn voter(digest: Option<Hash32>, weight: u128) -> Assignment<AccountId, Balance> {
	Assignment {
		provider: 0,
		price: PRICE,
		collateral: 0,
		weight,
		round: 0,
		commitment: digest.map(|_| [0; 32]),
		digest,
		output: None,
		members: Default::default(),
		slashed: false,
	}
}

fn small(values: &[i64]) -> SmallOutput {
	SmallOutput {
		shape: vec![values.len() as u32].try_into().unwrap(),
		values: values.to_vec().try_into().unwrap(),
	}
}

#[test]
fn decision_rule() {
	let (a, b, c) = (Some([1; 32]), Some([2; 32]), Some([3; 32]));
	let share = Perbill::from_percent(25);
	let t = |ds: &[Option<Hash32>]| {
		let vs: Vec<_> = ds.iter().map(|d| voter(*d, 100)).collect();
		tally(&vs, 0, share)
	};
	assert_eq!(t(&[None, None, None]), Tally::NoReveals);
	assert_eq!(t(&[a, a, a]), Tally::Output { anchor: 0, unanimous: true });
	assert_eq!(t(&[b, a, a]), Tally::Output { anchor: 1, unanimous: false });
	assert_eq!(t(&[a, a, None]), Tally::Output { anchor: 0, unanimous: false });
	assert_eq!(t(&[a, None, None]), Tally::NoDecision);
	assert_eq!(t(&[a, b, c]), Tally::NoDecision);
	assert_eq!(t(&[a, a, a, b, b]), Tally::NoDecision);
	assert_eq!(t(&[a, a, a, a, b]), Tally::Output { anchor: 0, unanimous: false });
	assert_eq!(t(&[a, b]), Tally::NoDecision);
	assert_eq!(t(&[a]), Tally::Output { anchor: 0, unanimous: true });
	// After an escalation, six voters: four agreeing decide, three do not.
	assert_eq!(t(&[a, a, b, a, a, c]), Tally::Output { anchor: 0, unanimous: false });
	assert_eq!(t(&[a, a, b, a, b, c]), Tally::NoDecision);
	// Slashed assignments do not vote.
	let mut vs: Vec<_> = [a, a, b].iter().map(|d| voter(*d, 100)).collect();
	vs[2].slashed = true;
	assert_eq!(tally(&vs, 0, share), Tally::Output { anchor: 0, unanimous: true });
}

#[test]
fn small_outputs_agree_within_the_tolerance() {
	let share = Perbill::from_percent(25);
	let mut vs: Vec<_> = [[1; 32], [2; 32], [3; 32]].iter().map(|d| voter(Some(*d), 100)).collect();
	vs[0].output = Some(small(&[10, 20, 30]));
	vs[1].output = Some(small(&[12, 19, 30]));
	vs[2].output = Some(small(&[10, 20, 33]));
	// Tolerance 2: the first two agree (|Δ| ≤ 2), the third is 3 steps off.
	assert_eq!(tally(&vs, 2, share), Tally::Output { anchor: 0, unanimous: false });
	// Tolerance 3: everyone agrees with the first.
	assert_eq!(tally(&vs, 3, share), Tally::Output { anchor: 0, unanimous: true });
	// Tolerance 0: three different outputs.
	assert_eq!(tally(&vs, 0, share), Tally::NoDecision);
	// Another shape never agrees, whatever the values.
	vs[1].output = Some(SmallOutput {
		shape: vec![3, 1].try_into().unwrap(),
		values: vec![10, 20, 30].try_into().unwrap(),
	});
	assert!(!agree(&vs[0], &vs[1], 100));
	// A digest-only reveal agrees only by digest.
	vs[2].output = None;
	assert!(!agree(&vs[0], &vs[2], 100));
	vs[2].digest = vs[0].digest;
	assert!(agree(&vs[0], &vs[2], 0));
}

#[test]
fn no_voter_weighs_more_than_the_cap() {
	let share = Perbill::from_percent(25);
	// Fewer than four voters: a quarter each is impossible, so every vote counts the same.
	assert_eq!(capped_weights(&[98, 1, 1], share), vec![1, 1, 1]);
	// Nobody above a quarter: unchanged.
	assert_eq!(capped_weights(&[10, 10, 10, 10, 10], share), vec![10, 10, 10, 10, 10]);
	// A whale among six is capped at a quarter of the capped total.
	let w = capped_weights(&[9_800, 100, 100, 100, 100, 100], share);
	let total: u128 = w.iter().sum();
	assert_eq!(&w[1..], &[100; 5]);
	assert!(w[0] * 4 <= total && w[0] * 4 >= total - 4, "{w:?}");
	// Two whales among six: both capped.
	let w = capped_weights(&[5_000, 5_000, 100, 100, 100, 100], share);
	let total: u128 = w.iter().sum();
	assert!(w[0] == w[1] && w[0] * 4 <= total, "{w:?}");
	// So the whale alone never decides, whatever it reveals.
	let mut vs: Vec<_> = (0..6).map(|i| voter(Some([i as u8 + 1; 32]), 100)).collect();
	vs[0].weight = 1_000_000;
	assert_eq!(tally(&vs, 0, share), Tally::NoDecision);
	// Three heavy ones and one light one agreeing out of six hold two thirds.
	for v in vs.iter_mut().take(4) {
		v.digest = Some([1; 32]);
	}
	assert_eq!(tally(&vs, 0, share), Tally::Output { anchor: 0, unanimous: false });
}

#[derive(Clone, Debug)]
enum Behaviour {
	Honest,
	Liar,
	Silent,
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(64))]
	/// Random jobs and cohorts with honest, lying and silent providers: no panic, balances conserved
	/// exactly (the issuance changes only by the slashed collateral burned beyond the payer's
	/// compensation, as the events report it), every job ends by its deadline, an honest unanimous set settles with the honest
	/// output, and a liar among three is never paid.
	#[test]
	fn random_jobs_conserve_balances_and_end_by_their_deadline(
		jobs in proptest::collection::vec((1..=5u32, 0..3u64, any::<bool>(), any::<bool>()), 1..6),
		behaviours in proptest::collection::vec(
			prop_oneof![Just(Behaviour::Honest), Just(Behaviour::Liar), Just(Behaviour::Silent)],
			5
		),
	) {
		new_test_ext().execute_with(|| {
			let issuance = Balances::total_issuance();
			let accounts: Vec<AccountId> =
				PROVIDERS.iter().copied().chain([PAYER, PUBLISHER, POOR]).collect();
			let behaviour = |who: AccountId| behaviours[(who - 1) as usize].clone();
			let mut ids = Vec::new();
			let mut cohorts = std::collections::BTreeSet::new();
			for (k, delay, cancel, cohort) in jobs {
				run_to(System::block_number() + delay);
				let id = if cohort { cohorts.insert(crate::NextJobId::<Test>::get()); submit_cohort(k, 3) } else { submit(k) };
				if cancel && delay == 0 {
					assert_ok!(Jobs::cancel_job(RuntimeOrigin::signed(PAYER), id));
				} else {
					ids.push((id, System::block_number() + 20));
				}
			}
			let end = System::block_number() + 25;
			while System::block_number() < end {
				run_to(System::block_number() + 1);
				for (id, _) in &ids {
					let Some(job) = JobRecords::<Test>::get(id) else { continue };
					for a in job.assignments.iter() {
						let tag = match behaviour(a.provider) {
							Behaviour::Honest => 7,
							Behaviour::Liar => 100 + a.provider as u8,
							Behaviour::Silent => continue,
						};
						// A cohort's liar differs on its last member only.
						let mut members = member_digests(7, 3);
						members[2] = digest(tag + 2);
						let (d, who) = if cohorts.contains(id) {
							(members_root(&members), a.provider)
						} else {
							(digest(tag), a.provider)
						};
						if job.status == JobStatus::Committing && a.commitment.is_none() {
							let c = commitment_of(&d, &salt(who), &who);
							let _ = Jobs::commit(RuntimeOrigin::signed(who), *id, c);
						}
						if job.status == JobStatus::Revealing && a.digest.is_none() {
							let _ = if cohorts.contains(id) {
								Jobs::reveal_members(RuntimeOrigin::signed(who), *id, members, salt(who))
							} else {
								Jobs::reveal(RuntimeOrigin::signed(who), *id, d, salt(who), None)
							};
						}
					}
				}
				Jobs::do_try_state().unwrap();
				Providers::do_try_state().unwrap();
				Models::do_try_state().unwrap();
				collateral_matches();
				// Only slashes burn (beyond the payer's compensation), and every burn is reported.
				let total: Balance = accounts.iter().map(Balances::total_balance).sum();
				prop_assert_eq!(total, issuance - burned());
				prop_assert_eq!(Balances::total_issuance(), total);
			}
			prop_assert_eq!(Balances::total_issuance(), issuance - burned());
			for (id, deadline) in ids {
				prop_assert!(JobRecords::<Test>::get(id).is_none(), "job {} open after {}", id, deadline);
				if let Some(receipt) = Receipts::<Test>::get(id) {
					let all_honest = receipt
						.agreeing
						.iter()
						.chain(receipt.dissenting.iter())
						.all(|p| matches!(behaviour(*p), Behaviour::Honest));
					if all_honest {
						if cohorts.contains(&id) {
							prop_assert_eq!(receipt.output_digest, members_root(&member_digests(7, 3)));
							prop_assert_eq!(receipt.members, member_digests(7, 3));
						} else {
							prop_assert_eq!(receipt.output_digest, digest(7));
						}
					}
					for p in receipt.agreeing.iter() {
						prop_assert!(!matches!(behaviour(*p), Behaviour::Liar) || receipt.agreeing.len() > 2,
							"a liar was paid in a small set");
					}
				}
			}
			Ok(())
		})?;
	}
}

/// How many of `n` voters reach two thirds.
fn two_thirds(n: u32) -> u32 {
	(2 * n).div_ceil(3)
}

/// The chance that a wrong result is accepted when each draw is an attacker with probability
/// `p` (draws with replacement: the binomial approximation) and the attacker's providers all
/// reveal one wrong output: all `k` of the first round are the attacker's (unanimous), or the
/// first round splits, escalates, and the attacker holds two thirds of the `2k` voters.
fn wrong_accept_formula(k: u32, p: f64) -> f64 {
	let binom = |n: u32, j: u32| -> f64 {
		let c = (0..j).fold(1.0, |acc, i| acc * f64::from(n - i) / f64::from(i + 1));
		c * p.powi(j as i32) * (1.0 - p).powi((n - j) as i32)
	};
	let need = two_thirds(2 * k);
	let split: f64 = (1..k)
		.map(|j| binom(k, j) * (need.saturating_sub(j)..=k).map(|i| binom(k, i)).sum::<f64>())
		.sum();
	binom(k, k) + split
}

/// The same chance when the providers are drawn without replacement from `n`, of which `a`
/// are the attacker's (hypergeometric, two stages), as the pallet draws.
fn wrong_accept_exact(k: u32, n: u32, a: u32) -> f64 {
	let c = |n: u32, r: u32| -> f64 {
		if r > n {
			return 0.0;
		}
		(0..r).fold(1.0, |acc, i| acc * f64::from(n - i) / f64::from(i + 1))
	};
	let hyper = |n: u32, a: u32, k: u32, j: u32| -> f64 {
		if j > a || k - j > n - a {
			return 0.0;
		}
		c(a, j) * c(n - a, k - j) / c(n, k)
	};
	let need = two_thirds(2 * k);
	let split: f64 = (1..k)
		.map(|j| {
			hyper(n, a, k, j)
				* (need.saturating_sub(j)..=k)
					.map(|i| hyper(n - k, a - j.min(a), k, i))
					.sum::<f64>()
		})
		.sum();
	hyper(n, a, k, k) + split
}

/// Simulates `jobs` jobs of redundancy `k` on 30 equal providers of which `attackers` collude
/// on one wrong digest; returns (wrong results accepted, jobs without a decision, jobs).
/// Each batch of 8 jobs runs on a fresh chain with a fresh random seed, so slashing and
/// reputation from earlier jobs do not drift the weights.
fn simulate_attack(k: u32, attackers: u64, jobs: u32) -> (u32, u32, u32) {
	const N: u64 = 30;
	let mut wrong = 0;
	let mut undecided = 0;
	let mut done = 0;
	let mut batch: u32 = 0;
	while done < jobs {
		batch += 1;
		let mut ext = new_test_ext();
		ext.execute_with(|| {
			assert_ok!(Models::register_model(
				RuntimeOrigin::signed(PUBLISHER),
				Box::new(manifest(3, 64))
			));
			for who in 200..200 + N {
				let _ = Balances::force_set_balance(RuntimeOrigin::root(), who, ENDOWMENT);
				assert_ok!(Providers::register(
					RuntimeOrigin::signed(who),
					BOND,
					class(),
					8,
					vec![]
				));
				assert_ok!(Providers::set_offer(RuntimeOrigin::signed(who), model(3), PRICE));
			}
			crate::Seed::<Test>::put(sp_io::hashing::blake2_256(&(k, attackers, batch).encode()));
			let ids: Vec<u64> = (0..8)
				.map(|_| {
					let id = crate::NextJobId::<Test>::get();
					assert_ok!(Jobs::submit_job(
						RuntimeOrigin::signed(PAYER),
						model(3),
						inline(&[1]),
						k,
						PRICE,
						30
					));
					id
				})
				.collect();
			// Four assignments per block in the mock: all eight by block 3. Every provider
			// answers at once, in each round (an escalation draws more).
			run_to(3);
			while ids.iter().any(JobRecords::<Test>::contains_key) {
				let open = |id: &u64| JobRecords::<Test>::contains_key(id);
				for id in ids.iter().filter(|id| open(id)) {
					for who in assigned(*id) {
						let tag = if who < 200 + attackers { 66 } else { 7 };
						let _ = Jobs::commit(RuntimeOrigin::signed(who), *id, commitment(who, tag));
					}
				}
				for id in ids.iter().filter(|id| open(id)) {
					if !open(id) {
						continue;
					}
					for who in assigned(*id) {
						if !open(id) {
							break;
						}
						let tag = if who < 200 + attackers { 66 } else { 7 };
						let _ = Jobs::reveal(
							RuntimeOrigin::signed(who),
							*id,
							digest(tag),
							salt(who),
							None,
						);
					}
				}
				run_to(System::block_number() + 1);
			}
			for id in &ids {
				done += 1;
				match Receipts::<Test>::get(id) {
					Some(r) if r.output_digest == digest(66) => wrong += 1,
					Some(_) => {},
					None => undecided += 1,
				}
			}
		});
	}
	(wrong, undecided, done)
}

/// docs/protocol.md's table: the measured rate of wrong results accepted, beside the formula.
/// Run with `scripts/bench-protocol.sh` (10,000 jobs per row).
#[test]
#[ignore]
fn attack_simulation() {
	let jobs: u32 =
		std::env::var("SYNOD_SIM_JOBS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
	// A line of its own: the test harness's "test … ..." prefix has no newline.
	println!();
	println!(
		"| k | attacker weight | jobs | wrong accepted (measured) | formula, binomial | formula, 30 providers | no decision (measured) |"
	);
	println!("| --- | --- | --- | --- | --- | --- | --- |");
	for k in [3u32, 5] {
		for attackers in [3u64, 6, 10] {
			let (wrong, undecided, done) = simulate_attack(k, attackers, jobs);
			let p = attackers as f64 / 30.0;
			println!(
				"| {k} | {:.0}% ({attackers} of 30) | {done} | {:.4} | {:.4} | {:.4} | {:.4} |",
				p * 100.0,
				f64::from(wrong) / f64::from(done),
				wrong_accept_formula(k, p),
				wrong_accept_exact(k, 30, attackers as u32),
				f64::from(undecided) / f64::from(done),
			);
		}
	}
}

#[test]
fn attack_formula_matches_hand_computation() {
	// k = 3: three attackers of three, or a split (one or two) and then at least four of the
	// six voters after the escalation.
	let p: f64 = 0.2;
	let at_least = |m: u32| -> f64 {
		(m..=3)
			.map(|i| {
				let c = [1.0, 3.0, 3.0, 1.0][i as usize];
				c * p.powi(i as i32) * (1.0 - p).powi(3 - i as i32)
			})
			.sum()
	};
	let by_hand = p.powi(3)
		+ 3.0 * p * p * (1.0 - p) * at_least(2)
		+ 3.0 * p * (1.0 - p).powi(2) * at_least(3);
	assert!((wrong_accept_formula(3, p) - by_hand).abs() < 1e-12);
	// Without replacement from 30 with 6 attackers: C(6,3)/C(30,3), plus two of the first three
	// then at least two of three from 27 with 4 attackers, plus one then three of three from 27
	// with 5.
	let exact = (20.0 + 360.0 * (6.0 * 23.0 + 4.0) / 2925.0 + 1656.0 * 10.0 / 2925.0) / 4060.0;
	assert!((wrong_accept_exact(3, 30, 6) - exact).abs() < 1e-12);
	// A small simulation agrees with it within a few standard errors.
	let (wrong, _, done) = simulate_attack(3, 6, 400);
	let rate = f64::from(wrong) / f64::from(done);
	assert!((rate - exact).abs() < 0.03, "rate {rate} vs {exact}");
}
