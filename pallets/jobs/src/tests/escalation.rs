//! Escalation: a split first round draws more providers and the larger set decides.

use super::*;
use frame_support::traits::Get;

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
		// Not unanimous: the two providers left are drawn (round 1), at the start of the block
		// after the last seal.
		let record = JobRecords::<Test>::get(job).unwrap();
		assert_eq!((record.round, record.status), (1, JobStatus::Committing));
		let drawn = escalated(job);
		let mut sorted = drawn.clone();
		sorted.sort();
		let extra: Vec<AccountId> = PROVIDERS.into_iter().filter(|p| !chosen.contains(p)).collect();
		assert_eq!(sorted, extra);
		System::assert_has_event(
			Event::JobEscalated { job, providers: drawn.clone(), commit_end: 3 + COMMIT_WINDOW }
				.into(),
		);
		// First-round providers cannot commit or reveal again.
		assert_noop!(
			Jobs::commit(RuntimeOrigin::signed(liar), job, commitment(liar, job, 7)),
			Error::<Test>::NotInRound
		);
		// Nobody opens a first-round answer while the escalation commits.
		assert_noop!(
			Jobs::reveal(RuntimeOrigin::signed(liar), job, digest(9), salt(liar), None),
			Error::<Test>::SealFirst
		);
		for who in &drawn {
			commit(*who, job, 7);
		}
		// Now the first round opens its digests (only the ones behind its seals).
		assert_noop!(
			Jobs::reveal(RuntimeOrigin::signed(liar), job, digest(7), salt(liar), None),
			Error::<Test>::RevealMismatch
		);
		for who in &chosen {
			reveal(*who, job, if *who == liar { 9 } else { 7 });
		}
		for who in &drawn {
			reveal(*who, job, 7);
		}
		let receipt = Jobs::receipt(job).unwrap();
		assert_eq!(receipt.result.digest(), digest(7));
		assert_eq!(receipt.agreeing.len(), 4);
		assert_eq!(receipt.dissenting.into_inner(), vec![liar]);
		assert_eq!(receipt.paid, 4 * PRICE);
		assert_eq!(receipt.refunded, 2 * PRICE);
		// The payer gets back what the escalation the liar forced cost it (the two providers
		// drawn for it), the rest of the collateral is burned.
		let collateral = FACTOR as Balance * PRICE;
		System::assert_has_event(
			Event::ProviderSlashed {
				job,
				provider: liar,
				amount: collateral,
				compensated: 2 * PRICE,
				burned: collateral - 2 * PRICE,
			}
			.into(),
		);
		assert_eq!(free(liar), liar_free);
		assert_eq!(pallet_providers::Records::<Test>::get(liar).unwrap().bond, BOND - collateral);
		// The payer paid four providers and got two prices of the liar's collateral: it paid
		// for its first draw only.
		assert_eq!(free(PAYER), ENDOWMENT - 4 * PRICE + 2 * PRICE);
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
		let tag = |who: AccountId| if who == liar { 9 } else { 7 };
		let mut last = None;
		for who in &chosen {
			let seal = crate::seal_of(job, 0, &digest(tag(*who)));
			last = Some(Jobs::seal(RuntimeOrigin::signed(*who), job, seal, salt(*who)).unwrap());
		}
		// The last seal leaves the conclusion to the next block's start (it draws): charged
		// the deferral alone.
		let deferral = <<Test as frame_system::Config>::DbWeight as Get<
			frame_support::weights::RuntimeDbWeight,
		>>::get()
		.reads_writes(1, 2);
		assert_eq!(last.unwrap().actual_weight, Some(deferral));
		assert_eq!(JobRecords::<Test>::get(job).unwrap().status, JobStatus::Revealing);
		// There it tried to escalate (and found nobody), then decided for the two matching
		// seals.
		run_to(3);
		assert_eq!(JobRecords::<Test>::get(job).unwrap().status, JobStatus::Opening);
		// Not unanimous: the opening ends when every seal is opened.
		for who in &chosen {
			reveal(*who, job, tag(*who));
		}
		let receipt = Jobs::receipt(job).unwrap();
		assert_eq!(receipt.result.digest(), digest(7));
		assert_eq!(receipt.dissenting.into_inner(), vec![liar]);
		assert_eq!((receipt.paid, receipt.refunded), (2 * PRICE, 4 * PRICE));
		// The liar cost the payer nothing beyond its first draw: no compensation.
		assert_eq!(free(PAYER), ENDOWMENT - 2 * PRICE);
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
		for (i, who) in chosen.iter().enumerate() {
			reveal(*who, job, i as u8);
		}
		for who in &drawn {
			reveal(*who, job, 0);
		}
		System::assert_last_event(
			Event::JobFailed { job, reason: FailureReason::NoDecision, refunded: 6 * PRICE }.into(),
		);
		assert_eq!(free(PAYER), ENDOWMENT);
		for who in PROVIDERS {
			let p = pallet_providers::Records::<Test>::get(who).unwrap();
			assert_eq!((p.bond, p.locked, p.running), (BOND, 0, 0));
		}
	});
}

#[test]
fn outputs_within_the_tolerance_agree_once_opened() {
	build_and_execute(|| {
		// Seals match only for equal digests: with nobody to escalate to, two equal seals of
		// three decide, and the opening compares the small outputs within the tolerance.
		only(&[1, 2, 3]);
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
			let c = commitment_for(*who, job, &digests[i]);
			assert_ok!(Jobs::commit(RuntimeOrigin::signed(*who), job, c));
		}
		for (i, who) in chosen.iter().enumerate() {
			let seal = crate::seal_of(job, 0, &digests[i]);
			assert_ok!(Jobs::seal(RuntimeOrigin::signed(*who), job, seal, salt(*who)));
		}
		// Split: concluded at the next block's start, which finds nobody to escalate to.
		run_to(3);
		assert_eq!(JobRecords::<Test>::get(job).unwrap().status, JobStatus::Opening);
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
		// Every seal opened, all within the tolerance: everyone paid, the first output kept.
		let receipt = Jobs::receipt(job).unwrap();
		assert_eq!(receipt.agreeing.len(), 3);
		assert!(receipt.dissenting.is_empty());
		assert_eq!(receipt.result.digest(), digests[0]);
		assert_eq!(receipt.result.output(), Some(&outputs[0]));
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
		// Three seals: with a tolerance, the outputs behind them are opened and compared.
		answer_round(job, |who| chosen.iter().position(|c| *c == who).unwrap() as u8);
		System::assert_last_event(
			Event::JobFailed { job, reason: FailureReason::NoDecision, refunded: 6 * PRICE }.into(),
		);
		assert_eq!(free(PAYER), ENDOWMENT);
		for who in chosen {
			assert_eq!(pallet_providers::Records::<Test>::get(who).unwrap().bond, BOND);
		}
	});
}
