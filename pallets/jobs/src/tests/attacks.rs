//! The attacks of docs/protocol.md ("What a rational attacker can and cannot do"), one test
//! each, played against the real models, providers and jobs pallets. Each failed before the
//! rule it names.

use super::*;
use crate::commitment_of;
use codec::Encode;
use frame_support::traits::Hooks;
use synod_primitives::{
	digest::{unservable_digest, Unservable},
	provider::DeterminismClass,
};

/// Registers provider `who` (funded here) in `class`, offering model 1 at `price`.
fn provider(who: AccountId, class: DeterminismClass, price: Balance) {
	assert_ok!(Balances::force_set_balance(RuntimeOrigin::root(), who, ENDOWMENT));
	assert_ok!(Providers::register(RuntimeOrigin::signed(who), BOND, class, 4, vec![]));
	assert_ok!(Providers::set_offer(RuntimeOrigin::signed(who), model(1), price));
}

/// A second determinism class: the same CPU with another libtorch build.
fn other_class() -> DeterminismClass {
	DeterminismClass { libtorch: b"2.10.0".to_vec().try_into().unwrap(), ..class() }
}

/// Submits a job for model 1 whose input is remote (hash `[9; 32]`, an URI nobody serves).
fn submit_remote(k: u32) -> u64 {
	let id = crate::NextJobId::<Test>::get();
	assert_ok!(Jobs::submit_job(
		RuntimeOrigin::signed(PAYER),
		model(1),
		JobInput::Remote {
			hash: [9; 32],
			uri: b"https://nowhere.invalid/x".to_vec().try_into().unwrap()
		},
		k,
		PRICE,
		System::block_number() + 20
	));
	id
}

/// Attack 1 (payer griefing): an input nobody can serve leaves every honest provider unable
/// to commit; each was slashed and `k` prices of its collateral went to the payer, and so on
/// for every replacement. The payer's compensation is now bounded by what it paid beyond its
/// first draw: it does not end the job richer than it started.
#[test]
fn a_payer_whose_input_nobody_can_serve_gains_nothing_from_the_slashes() {
	build_and_execute(|| {
		let job = submit_remote(5);
		run_to(2);
		assert_eq!(assigned(job).len(), 5);
		// Nobody can fetch the input: nobody commits, the job fails at its commit window.
		run_to(2 + COMMIT_WINDOW + 1);
		assert!(JobRecords::<Test>::get(job).is_none());
		assert_eq!(free(PAYER), ENDOWMENT);
		assert_eq!(escrow_held(PAYER), 0);
	});
}

/// Attack 1, the honest answer: providers that cannot serve the input commit and reveal the
/// "cannot serve" digest of its kind; two thirds of them agreeing end the job as
/// `Unservable`: nobody is slashed, they are paid for finding out, the payer gets the rest.
#[test]
fn providers_that_cannot_serve_an_input_say_so_and_are_paid() {
	build_and_execute(|| {
		let job = submit_remote(3);
		run_to(2);
		let chosen = assigned(job);
		let cannot = unservable_digest(&model(1), &[9; 32], Unservable::InputUnavailable);
		for who in &chosen {
			let c = commitment_for(*who, job, &cannot);
			assert_ok!(Jobs::commit(RuntimeOrigin::signed(*who), job, c));
		}
		for who in &chosen {
			assert_ok!(answer_output(*who, job, cannot, None));
		}
		System::assert_has_event(
			Event::JobFailed { job, reason: FailureReason::Unservable, refunded: 3 * PRICE }.into(),
		);
		assert!(Jobs::receipt(job).is_none());
		assert_eq!(free(PAYER), ENDOWMENT - 3 * PRICE);
		for who in chosen {
			assert_eq!(free(who), ENDOWMENT - BOND + PRICE);
			assert_eq!(pallet_providers::Records::<Test>::get(who).unwrap().bond, BOND);
		}
		assert_eq!(burned(), 0);
	});
}

/// Attack 7: a provider quoting 1 planck locked `CollateralFactor` planck, so lying cost it
/// almost nothing while the escalation it forced cost the payer `k` honest prices. Collateral
/// is now sized by the job's price.
#[test]
fn a_one_planck_liar_risks_the_jobs_collateral() {
	build_and_execute(|| {
		only(&[1, 2, 3]);
		assert_ok!(Providers::set_offer(RuntimeOrigin::signed(1), model(1), 1));
		let job = submit(3);
		run_to(2);
		let collateral = FACTOR as Balance * PRICE;
		assert_eq!(pallet_providers::Records::<Test>::get(1).unwrap().locked, collateral);
		for who in assigned(job) {
			commit(who, job, if who == 1 { 9 } else { 7 });
		}
		answer_round(job, |who| if who == 1 { 9 } else { 7 });
		assert_eq!(Jobs::receipt(job).unwrap().result.digest(), digest(7));
		assert_eq!(pallet_providers::Records::<Test>::get(1).unwrap().bond, BOND - collateral);
	});
}

/// Attack 9: each draw chose a class afresh, so an escalation could come from another class
/// than the first round and outvote an honest first-round provider whose digest differs only
/// by float noise. Replacements and escalations now keep the job's class: with nobody left in
/// it, the job does not escalate, and the honest provider keeps its collateral.
#[test]
fn an_escalation_does_not_switch_class() {
	build_and_execute(|| {
		only(&[1, 2, 3]);
		let job = submit(3);
		run_to(2);
		// Another class joins after the first draw: three providers whose digests differ.
		for who in [6, 7, 8] {
			provider(who, other_class(), PRICE);
		}
		let chosen = assigned(job);
		let honest = chosen[0];
		commit(honest, job, 7);
		// The other two of its class stay silent; the round ends with one reveal.
		run_to(2 + COMMIT_WINDOW);
		reveal(honest, job, 7);
		run_to(System::block_number() + REVEAL_WINDOW);
		// Were the other class drawn, its three matching digests would outvote the honest one.
		if JobRecords::<Test>::contains_key(job) {
			for who in escalated(job) {
				commit(who, job, 8);
			}
			for who in escalated(job) {
				reveal(who, job, 8);
			}
		}
		run_to(System::block_number() + COMMIT_WINDOW + REVEAL_WINDOW + 1);
		assert!(JobRecords::<Test>::get(job).is_none());
		assert_eq!(pallet_providers::Records::<Test>::get(honest).unwrap().bond, BOND);
		for who in [6, 7, 8] {
			assert_eq!(pallet_providers::Records::<Test>::get(who).unwrap().running, 0);
		}
	});
}

/// Block 2 as the author of block 1 would make it with parent hash `parent` (its own block's
/// hash, which it grinds by reordering, adding or re-sealing): the sets block 2 draws for
/// `jobs`, sorted; nothing is kept.
fn draws_after(parent: [u8; 32], jobs: &[u64]) -> Vec<Vec<AccountId>> {
	frame_support::storage::with_transaction(|| {
		System::initialize(&2, &sp_core::H256(parent), &Default::default());
		Jobs::on_initialize(2);
		let sets = jobs
			.iter()
			.map(|job| {
				let mut set = assigned(*job);
				set.sort();
				set
			})
			.collect();
		frame_support::storage::TransactionOutcome::Rollback(Ok::<_, sp_runtime::DispatchError>(
			sets,
		))
	})
	.unwrap()
}

/// Attack 5 (a grinding author): the draw mixed the parent hash, which the previous block's
/// author chooses, so that trying 4,096 hashes of its block found one giving its providers
/// (here 1, 2 and 3 of the five) both `k = 3` jobs. The draw now mixes the block's VRF output
/// instead (`Config::Randomness`, BABE's in the runtime), which no author can grind: all 4,096
/// hashes give the same sets. Another VRF output (another author's slot) does change them.
#[test]
fn trying_4096_parent_hashes_does_not_let_a_chosen_set_win() {
	build_and_execute(|| {
		let jobs = [submit(3), submit(3)];
		let chosen: Vec<AccountId> = vec![1, 2, 3];
		let first = draws_after([0; 32], &jobs);
		let mut won = 0;
		for i in 0..4096u32 {
			let sets = draws_after(sp_io::hashing::blake2_256(&i.encode()), &jobs);
			won += u32::from(sets.iter().all(|s| *s == chosen));
			assert_eq!(sets, first, "parent hash {i} changed the draw");
		}
		assert!(won == 0 || first.iter().all(|s| *s == chosen));
		// The draw does depend on the VRF output: 64 outputs give several different sets.
		let mut seen = std::collections::BTreeSet::new();
		for salt in 0..64u64 {
			VrfSalt::set(&salt);
			seen.extend(draws_after([0; 32], &jobs));
		}
		assert!(seen.len() > 3, "{seen:?}");
	});
}

/// Attack 5, inside a transaction: the last seal of a split first round escalated at once,
/// in the seal's transaction, where its block's author, who knows the block's VRF output,
/// chose the new panel by what it placed before the seal (here a `bond_more` of a chosen
/// amount: 64 amounts gave several panels). No draw is made in a transaction: the escalation
/// is drawn at the start of the next block, from a VRF output the seal's block's author does
/// not know.
#[test]
fn the_last_seal_of_a_split_round_draws_nothing_in_its_block() {
	build_and_execute(|| {
		for who in PROVIDERS {
			assert_ok!(Providers::remove_offer(RuntimeOrigin::signed(who), model(1)));
		}
		for who in 200..220 {
			provider(who, class(), PRICE);
		}
		let job = submit(3);
		run_to(2);
		let chosen = assigned(job);
		let tag = |who: AccountId| if who == chosen[0] { 9 } else { 7 };
		for who in &chosen {
			commit(*who, job, tag(*who));
		}
		let seal = |who: AccountId| {
			Jobs::seal(
				RuntimeOrigin::signed(who),
				job,
				crate::seal_of(job, 0, &digest(tag(who))),
				salt(who),
			)
		};
		for who in &chosen[..2] {
			assert_ok!(seal(*who));
		}
		let last = chosen[2];
		let other = (200..220).find(|w| !chosen.contains(w)).unwrap();
		let mut panels = std::collections::BTreeSet::new();
		for x in 0..64u128 {
			let panel = frame_support::storage::with_transaction(|| {
				assert_ok!(Providers::bond_more(RuntimeOrigin::signed(other), 1 + x * 1_000));
				assert_ok!(seal(last));
				let record = JobRecords::<Test>::get(job).unwrap();
				let drawn: Vec<AccountId> = record
					.assignments
					.iter()
					.filter(|a| a.in_round(1))
					.map(|a| a.provider)
					.collect();
				frame_support::storage::TransactionOutcome::Rollback(Ok::<
					_,
					sp_runtime::DispatchError,
				>(drawn))
			})
			.unwrap();
			panels.insert(panel);
		}
		assert_eq!(panels.into_iter().collect::<Vec<_>>(), vec![Vec::<AccountId>::new()]);
		// For real: the seal's block draws nothing; the next block's start escalates.
		assert_ok!(seal(last));
		assert_eq!(JobRecords::<Test>::get(job).unwrap().round, 0);
		run_to(3);
		let record = JobRecords::<Test>::get(job).unwrap();
		assert_eq!((record.round, record.status), (1, JobStatus::Committing));
		assert!(System::events().iter().any(|e| matches!(
			e.event,
			RuntimeEvent::Jobs(Event::JobEscalated { job: j, .. }) if j == job
		)));
	});
}

/// Attack 2 on the chain: 27 honest providers in one class, 3 sybils in a class of their own
/// (a tenth of the weight). The sybil class wins whole `k = 3` jobs about as often as three
/// independent draws would all be sybils (0.1%), not a tenth of the time.
#[test]
fn a_sybil_class_rarely_captures_a_job() {
	let mut captured = 0;
	for round in 0..40u8 {
		new_test_ext().execute_with(|| {
			for who in PROVIDERS {
				assert_ok!(Providers::remove_offer(RuntimeOrigin::signed(who), model(1)));
			}
			for who in 200..227 {
				provider(who, class(), PRICE);
			}
			for who in 227..230 {
				provider(who, other_class(), PRICE);
			}
			crate::Seed::<Test>::put([round; 32]);
			let jobs: Vec<u64> = (0..8).map(|_| submit(3)).collect();
			run_to(4);
			for job in jobs {
				if assigned(job).iter().all(|who| *who >= 227) {
					captured += 1;
				}
			}
		});
	}
	// 320 jobs: about 0.4 expected now; weight-proportional classes gave about 32.
	assert!(captured <= 4, "{captured} of 320 jobs captured");
}

/// Attack 11: a settlement that failed left the job open for ever (its escrow held, its
/// providers' collateral locked, receipt pruning stopped behind it). Here the model's job
/// count is broken so that releasing the model fails: the job is voided at its window's end,
/// with every hold released (the invariants after the test check every account).
#[test]
fn a_job_whose_settlement_fails_releases_every_hold() {
	build_and_execute(|| {
		only(&[1, 2, 3]);
		let job = submit(3);
		run_to(2);
		for who in assigned(job) {
			commit(who, job, 7);
		}
		pallet_models::Records::<Test>::mutate(model(1), |r| r.as_mut().unwrap().open_jobs = 0);
		let chosen = assigned(job);
		for who in &chosen {
			let seal = crate::seal_of(job, 0, &digest(7));
			assert_ok!(Jobs::seal(RuntimeOrigin::signed(*who), job, seal, salt(*who)));
		}
		// The opening settles, which fails: the opening is refused and changes nothing.
		assert!(Jobs::reveal(
			RuntimeOrigin::signed(chosen[2]),
			job,
			digest(7),
			salt(chosen[2]),
			None
		)
		.is_err());
		let end = JobRecords::<Test>::get(job).unwrap().phase_end;
		run_to(end + 1);
		assert!(JobRecords::<Test>::get(job).is_none());
		System::assert_has_event(
			Event::JobFailed { job, reason: FailureReason::Aborted, refunded: 6 * PRICE }.into(),
		);
		assert_eq!(escrow_held(PAYER), 0);
		for who in chosen {
			let p = pallet_providers::Records::<Test>::get(who).unwrap();
			assert_eq!((p.locked, p.running, p.bond), (0, 0, BOND));
		}
		assert!(Jobs::assignments(1).is_empty());
	});
}

/// Attack 12 (spam): submitting and cancelling jobs at a tiny escrow kept `QueueFull` for
/// everyone for as long as the assignment took to step over them, for transaction fees alone;
/// jobs and receipts paid no storage deposit. A job now burns a queue fee that doubles with
/// every eighth of the queue taken, and holds a storage deposit until its receipt is gone.
/// Here (queue of 8, 4 assigned or skipped a block, fee 1): filling the queue burns 255, and
/// keeping it full burns 240 a block, 16 to 128 fees for each job the queue takes out.
#[test]
fn keeping_the_queue_full_costs_fees_that_rise_with_it() {
	build_and_execute(|| {
		JobFee::set(&1);
		JobDeposit::set(&5);
		JobDepositPerByte::set(&1);
		let spammer = PAYER;
		let issuance = Balances::total_issuance();
		let submit_and_cancel = || {
			let job = submit(1);
			assert_ok!(Jobs::cancel_job(RuntimeOrigin::signed(spammer), job));
		};
		let fees: Vec<Balance> = (0..8)
			.map(|_| {
				let before = Balances::total_issuance();
				submit_and_cancel();
				before - Balances::total_issuance()
			})
			.collect();
		assert_eq!(fees, vec![1, 2, 4, 8, 16, 32, 64, 128]);
		assert_noop!(
			Jobs::submit_job(RuntimeOrigin::signed(spammer), model(1), inline(&[1]), 1, PRICE, 30),
			Error::<Test>::QueueFull
		);
		// Each block the assignment steps over four cancelled jobs; the spammer refills them.
		for _ in 0..10 {
			run_to(System::block_number() + 1);
			let before = Balances::total_issuance();
			for _ in 0..4 {
				submit_and_cancel();
			}
			assert_eq!(before - Balances::total_issuance(), 16 + 32 + 64 + 128);
		}
		assert_eq!(issuance - Balances::total_issuance(), 255 + 10 * 240);
		// Cancelling gave every deposit back: only the fees are gone.
		assert_eq!(free(spammer), ENDOWMENT - 255 - 10 * 240);
	});
}

/// The storage deposit of a settled job (its input, and the output its receipt keeps) is held
/// with its receipt and comes back when the receipt is pruned.
#[test]
fn a_jobs_deposit_comes_back_when_its_receipt_is_pruned() {
	build_and_execute(|| {
		JobDeposit::set(&5);
		JobDepositPerByte::set(&1);
		let job = submit(1);
		// The input's bytes, and the output the receipt may keep: four items of four elements,
		// eight bytes each.
		let deposit = 5
			+ JobInput::Inline(vec![1, 2, 3, 4].try_into().unwrap()).encoded_size() as Balance
			+ 4 * 4 * 8;
		let held =
			|| Balances::balance_on_hold(&RuntimeHoldReason::Jobs(HoldReason::JobDeposit), &PAYER);
		assert_eq!(held(), deposit);
		run_to(2);
		answer_real(job, 7);
		assert_eq!(Jobs::receipt(job).unwrap().deposit, deposit);
		assert_eq!(held(), deposit);
		run_to(System::block_number() + RETENTION + 1);
		assert!(Jobs::receipt(job).is_none());
		assert_eq!(held(), 0);
		assert_eq!(free(PAYER), ENDOWMENT - PRICE);
	});
}

/// Attack 3 (copying): the first round's digests (and small outputs) were public before the
/// escalation was drawn, so its providers could commit the leading digest without computing.
/// The first round now reveals seals only, and opens its digests once the escalation has
/// committed: a newcomer that copies what the chain shows (the leading seal) commits to
/// something it can never reveal, and is slashed.
#[test]
fn an_escalated_provider_has_no_answer_to_copy() {
	build_and_execute(|| {
		let job = submit(3);
		run_to(2);
		let chosen = assigned(job);
		// A 2–1 split: two liars lead.
		let tag = |who: AccountId| if who == chosen[2] { 7 } else { 9 };
		for who in &chosen {
			commit(*who, job, tag(*who));
		}
		answer_round(job, tag);
		let drawn = escalated(job);
		assert_eq!(drawn.len(), 2);
		// What the chain shows of the first round: seals, and no digest anywhere.
		let record = JobRecords::<Test>::get(job).unwrap();
		assert!(record.assignments.iter().all(|a| a.reveal.is_none()));
		assert!(!System::events()
			.iter()
			.any(|e| matches!(e.event, RuntimeEvent::Jobs(Event::Revealed { .. }))));
		let leading = record.assignments[0].sealed.unwrap();
		// A lazy newcomer commits the leading seal as its own answer; the other computes.
		let (lazy, honest) = (drawn[0], drawn[1]);
		let copied = commitment_of(&leading, &salt(lazy), &lazy);
		assert_ok!(Jobs::commit(RuntimeOrigin::signed(lazy), job, copied));
		commit(honest, job, 7);
		// Now the first round opens; the leading digest is public, but the newcomer's
		// commitment was to a first-round seal, not to its own round's seal of any digest.
		for who in &chosen {
			reveal(*who, job, tag(*who));
		}
		reveal(honest, job, 7);
		assert_noop!(
			Jobs::reveal(RuntimeOrigin::signed(lazy), job, digest(9), salt(lazy), None),
			Error::<Test>::RevealMismatch
		);
		assert_noop!(
			Jobs::seal(RuntimeOrigin::signed(lazy), job, leading, salt(lazy)),
			Error::<Test>::RevealWindowNotOpen
		);
		let end = JobRecords::<Test>::get(job).unwrap().phase_end;
		run_to(end + 1);
		// The liars do not win (2 of 5 voters), and the copier lost its collateral.
		assert!(JobRecords::<Test>::get(job).is_none());
		assert!(Jobs::receipt(job).is_none_or(|r| r.result.digest() != digest(9)));
		System::assert_has_event(
			Event::ProviderSlashed {
				job,
				provider: lazy,
				amount: FACTOR as Balance * PRICE,
				compensated: 0,
				burned: FACTOR as Balance * PRICE,
			}
			.into(),
		);
	});
}

/// The output of model 1 (shape [4]) whose last element is `last`, and its digest for `job`.
fn output_of(job: u64, last: i64) -> (Hash32, SmallOutput) {
	let record = JobRecords::<Test>::get(job).unwrap();
	let out = small(&[10, 20, 30, last]);
	let d = synod_primitives::digest::output_digest(
		&record.model,
		&record.input_hash,
		&out.shape,
		&out.values,
	);
	(d, out)
}

/// Found in review: agreement within the tolerance is not transitive, and the tally moved its
/// anchor to the first revealed answer agreeing with the winner, which could be weaker. Here
/// a first-round attacker opens an output two tolerances off and an escalated one reveals one
/// tolerance off: the winner (the escalated one, agreeing with everyone) stays the anchor, and
/// no honest provider is slashed (the anchor used to move to the attacker's output, with the
/// four honest providers slashed).
#[test]
fn a_chain_of_tolerances_does_not_move_the_anchor() {
	build_and_execute(|| {
		let job = submit(3);
		run_to(2);
		let chosen = assigned(job);
		let attacker = chosen[0];
		// Model 1's tolerance is 2 steps: honest 40, the second attacker 38, the first 36.
		let (honest, honest_out) = output_of(job, 40);
		let (far, far_out) = output_of(job, 36);
		for who in &chosen {
			let d = if *who == attacker { far } else { honest };
			assert_ok!(Jobs::commit(
				RuntimeOrigin::signed(*who),
				job,
				commitment_for(*who, job, &d)
			));
		}
		for who in &chosen {
			let (d, o) = if *who == attacker { (far, &far_out) } else { (honest, &honest_out) };
			assert_ok!(answer_output(*who, job, d, Some(o.clone())));
		}
		let drawn = escalated(job);
		let (near, near_out) = output_of(job, 38);
		let second = drawn[0];
		for who in &drawn {
			let d = if *who == second { near } else { honest };
			assert_ok!(Jobs::commit(
				RuntimeOrigin::signed(*who),
				job,
				commitment_for(*who, job, &d)
			));
		}
		for who in chosen.iter().chain(&drawn) {
			let (d, o) = if *who == attacker {
				(far, &far_out)
			} else if *who == second {
				(near, &near_out)
			} else {
				(honest, &honest_out)
			};
			assert_ok!(answer_output(*who, job, d, Some(o.clone())));
		}
		let receipt = Jobs::receipt(job).unwrap();
		assert_ne!(receipt.result.digest(), far);
		for who in chosen.iter().chain(&drawn).filter(|w| **w != attacker && **w != second) {
			assert_eq!(pallet_providers::Records::<Test>::get(who).unwrap().bond, BOND);
			assert!(receipt.agreeing.contains(who));
		}
	});
}

/// Found in review: seals that split with no escalation possible failed the job at once, so
/// small outputs that differ only within the tolerance were never compared. They are opened
/// and tallied again.
#[test]
fn split_seals_of_outputs_within_the_tolerance_are_opened_and_agree() {
	build_and_execute(|| {
		only(&[1, 2, 3]);
		let job = submit(3);
		run_to(2);
		let chosen = assigned(job);
		let outs: Vec<(Hash32, SmallOutput)> =
			[40, 41, 42].iter().map(|last| output_of(job, *last)).collect();
		for (i, who) in chosen.iter().enumerate() {
			let c = commitment_for(*who, job, &outs[i].0);
			assert_ok!(Jobs::commit(RuntimeOrigin::signed(*who), job, c));
		}
		for (i, who) in chosen.iter().enumerate() {
			let seal = crate::seal_of(job, 0, &outs[i].0);
			assert_ok!(Jobs::seal(RuntimeOrigin::signed(*who), job, seal, salt(*who)));
		}
		// Split: concluded at the next block's start, which finds nobody to escalate to.
		run_to(3);
		assert_eq!(JobRecords::<Test>::get(job).unwrap().status, JobStatus::Opening);
		for (i, who) in chosen.iter().enumerate() {
			assert_ok!(answer_output(*who, job, outs[i].0, Some(outs[i].1.clone())));
		}
		assert_eq!(Jobs::receipt(job).unwrap().agreeing.len(), 3);
	});
}

/// Found in review: a provider that sealed and never opened kept its collateral when the job
/// ended without a decision, so it could force a split without ever showing its answer. Once
/// its opening was due, a seal alone is no answer.
#[test]
fn a_seal_never_opened_is_slashed_once_its_opening_was_due() {
	build_and_execute(|| {
		let job = submit(3);
		run_to(2);
		let chosen = assigned(job);
		let (hider, liar) = (chosen[0], chosen[1]);
		let tag = |who: AccountId| {
			if who == hider {
				5
			} else if who == liar {
				9
			} else {
				7
			}
		};
		for who in &chosen {
			commit(*who, job, tag(*who));
		}
		answer_round(job, tag);
		let drawn = escalated(job);
		for who in &drawn {
			commit(*who, job, 7);
		}
		// Everyone but the hider opens or reveals; 3 of 6 agree: no decision.
		for who in chosen.iter().filter(|w| **w != hider) {
			reveal(*who, job, tag(*who));
		}
		for who in &drawn {
			reveal(*who, job, 7);
		}
		let end = JobRecords::<Test>::get(job).unwrap().phase_end;
		run_to(end + 1);
		System::assert_has_event(
			Event::JobFailed { job, reason: FailureReason::NoDecision, refunded: 6 * PRICE }.into(),
		);
		let collateral = FACTOR as Balance * PRICE;
		assert_eq!(pallet_providers::Records::<Test>::get(hider).unwrap().bond, BOND - collateral);
		// Those that showed their answers keep their collateral.
		for who in chosen.iter().chain(&drawn).filter(|w| **w != hider) {
			assert_eq!(pallet_providers::Records::<Test>::get(who).unwrap().bond, BOND);
		}
	});
}
