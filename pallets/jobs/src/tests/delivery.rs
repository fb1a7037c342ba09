//! Delivery of outputs: a settled job's agreed output reaches the payer through its receipt,
//! checked against the digest on the way in.

use super::*;
use crate::types::DeliveredOutput;
use synod_primitives::digest::output_digest;

/// A job of `items` one-byte items of model 1 (four output elements each), redundancy 3.
fn submit_items(items: usize) -> (u64, Hash32) {
	let job = crate::NextJobId::<Test>::get();
	let bytes = vec![1u8; items];
	assert_ok!(Jobs::submit_job(
		RuntimeOrigin::signed(PAYER),
		model(1),
		inline(&bytes),
		3,
		PRICE,
		System::block_number() + 20
	));
	(job, input_hash(&bytes))
}

fn embedding(items: u32) -> SmallOutput {
	let n = items * 4;
	SmallOutput {
		shape: vec![items, 4].try_into().unwrap(),
		values: (0..n as i64).map(|v| v * 37 - 4_000).collect::<Vec<_>>().try_into().unwrap(),
	}
}

/// Issue 19: a sentence embedding (384 values) settled as a digest alone, and the payer could
/// not get the output it paid for. An output of up to `MAX_SMALL_OUTPUT` (512) elements now
/// goes on chain in the settling reveal and stays in the receipt, which the payer reads and
/// checks against the digest.
#[test]
fn a_384_value_output_is_kept_in_the_receipt() {
	build_and_execute(|| {
		let (job, input) = submit_items(96);
		run_to(2);
		let out = embedding(96);
		assert_eq!(out.values.len(), 384);
		let d = output_digest(&model(1), &input, &out.shape, &out.values);
		for who in assigned(job) {
			assert_ok!(Jobs::commit(RuntimeOrigin::signed(who), job, commitment_for(who, job, &d)));
		}
		for who in assigned(job) {
			assert_ok!(answer_output(who, job, d, Some(out.clone())));
		}
		let receipt = Jobs::receipt(job).expect("settled");
		assert_eq!(receipt.result.digest(), d);
		let kept = receipt.result.output().expect("the output is in the receipt");
		assert_eq!(kept, &out);
		assert_eq!(output_digest(&model(1), &receipt.input_hash, &kept.shape, &kept.values), d);
	});
}

/// The chain refuses a revealed output that does not hash to the revealed digest (one element
/// tampered with), and one larger than `MAX_SMALL_OUTPUT` does not even decode.
#[test]
fn a_tampered_or_oversized_output_is_refused() {
	build_and_execute(|| {
		let (job, input) = submit_items(96);
		run_to(2);
		let out = embedding(96);
		let d = output_digest(&model(1), &input, &out.shape, &out.values);
		let providers = assigned(job);
		for who in &providers {
			assert_ok!(Jobs::commit(
				RuntimeOrigin::signed(*who),
				job,
				commitment_for(*who, job, &d)
			));
		}
		// Seals first (they carry no output), then the openings.
		for who in &providers {
			assert_ok!(Jobs::seal(
				RuntimeOrigin::signed(*who),
				job,
				crate::seal_of(job, 0, &d),
				salt(*who)
			));
		}
		let mut tampered = out.clone();
		tampered.values[100] += 1;
		assert_noop!(
			Jobs::reveal(
				RuntimeOrigin::signed(providers[0]),
				job,
				d,
				salt(providers[0]),
				Some(tampered)
			),
			Error::<Test>::OutputMismatch
		);
		let too_many: Result<BoundedVec<i64, _>, _> = BoundedVec::<
			i64,
			frame_support::traits::ConstU32<{ crate::types::MAX_SMALL_OUTPUT }>,
		>::try_from(vec![0i64; 513]);
		assert!(too_many.is_err());
	});
}

/// An output of `n` elements of model 1 (four an item) for `bytes` of input.
fn output_of(items: u32, seed: i64) -> DeliveredOutput {
	DeliveredOutput {
		input_hash: [0; 32],
		shape: vec![items, 4].try_into().unwrap(),
		values: (0..(items * 4) as i64)
			.map(|v| v * 13 + seed)
			.collect::<Vec<_>>()
			.try_into()
			.unwrap(),
	}
}

/// Settles a job of `items` items (more than `MAX_SMALL_OUTPUT` elements: digest only) with
/// its three providers agreeing on `out`; returns the job and the output with its input hash.
fn settle_large(items: u32) -> (u64, DeliveredOutput) {
	let (job, input) = submit_items(items as usize);
	let mut out = output_of(items, 5);
	out.input_hash = input;
	run_to(System::block_number() + 1);
	let d = output_digest(&model(1), &input, &out.shape, &out.values);
	for who in assigned(job) {
		assert_ok!(Jobs::commit(RuntimeOrigin::signed(who), job, commitment_for(who, job, &d)));
	}
	for who in assigned(job) {
		assert_ok!(answer_output(who, job, d, None));
	}
	assert!(Jobs::receipt(job).is_some(), "settled");
	(job, out)
}

fn deliver(
	who: AccountId,
	job: u64,
	items: Vec<(u32, DeliveredOutput)>,
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	Jobs::deliver_output(RuntimeOrigin::signed(who), job, items.try_into().unwrap())
}

/// Issue 19: an output larger than a receipt holds (800 elements) never reached the payer,
/// who had paid for it. Now the agreeing providers are paid only once it is on chain: the
/// settlement holds their prices, a delivery checked against the digest pays them, and the
/// payer reads the output in `Outputs`.
#[test]
fn a_large_output_is_paid_for_when_it_is_delivered_on_chain() {
	build_and_execute(|| {
		let before: Vec<Balance> = PROVIDERS.iter().map(|p| free(*p)).collect();
		let (job, out) = settle_large(200);
		let providers = Jobs::receipt(job).unwrap().agreeing.into_inner();
		assert_eq!(providers.len(), 3);
		System::assert_has_event(Event::OutputsDue { job, members: 1, by: 2 + 5 }.into());
		// Nothing paid yet; the three prices stay in the payer's escrow.
		assert_eq!(escrow_held(PAYER), 3 * PRICE);
		for (i, p) in PROVIDERS.iter().enumerate() {
			assert_eq!(free(*p), before[i], "{p} not paid before delivery");
		}
		let info = deliver(providers[1], job, vec![(0, out.clone())]).unwrap();
		assert_eq!(
			info.pays_fee,
			frame_support::dispatch::Pays::No,
			"an agreeing deliverer pays no fee"
		);
		System::assert_has_event(
			Event::OutputDelivered { job, member: 0, by: providers[1] }.into(),
		);
		assert_eq!(escrow_held(PAYER), 0);
		for (i, p) in PROVIDERS.iter().enumerate() {
			let paid = if providers.contains(p) { PRICE } else { 0 };
			assert_eq!(free(*p), before[i] + paid);
		}
		assert_eq!(Jobs::output(job, 0), Some(out));
		assert!(Jobs::delivery(job).is_none());
		let receipt = Jobs::receipt(job).unwrap();
		assert_eq!((receipt.paid, receipt.refunded), (3 * PRICE, 3 * PRICE));
	});
}

/// What does not match the receipt's digest is refused and pays nobody: one element changed,
/// the right values claimed for another input, a member the job does not have, a second
/// delivery.
#[test]
fn a_delivery_that_does_not_match_the_receipt_is_refused() {
	build_and_execute(|| {
		let (job, out) = settle_large(200);
		let who = Jobs::receipt(job).unwrap().agreeing[0];
		let mut tampered = out.clone();
		tampered.values[700] += 1;
		assert_noop!(deliver(who, job, vec![(0, tampered)]), Error::<Test>::OutputMismatch);
		let mut other = out.clone();
		other.input_hash = input_hash(&[9]);
		assert_noop!(deliver(who, job, vec![(0, other)]), Error::<Test>::OutputMismatch);
		let mut misshapen = out.clone();
		misshapen.shape = vec![201, 4].try_into().unwrap();
		assert_noop!(deliver(who, job, vec![(0, misshapen)]), Error::<Test>::InvalidOutput);
		assert_noop!(deliver(who, job, vec![(1, out.clone())]), Error::<Test>::InvalidMember);
		assert_eq!(escrow_held(PAYER), 3 * PRICE);
		// Anyone may deliver the right output (the payer itself, here); then nothing is due.
		assert_ok!(deliver(PAYER, job, vec![(0, out.clone())]));
		assert_noop!(deliver(who, job, vec![(0, out)]), Error::<Test>::NoDeliveryDue);
	});
}

/// Nobody delivers: after the window the payer gets the providers' prices back and each of
/// them counts a failure; before it, the claim is refused.
#[test]
fn an_undelivered_output_goes_back_to_the_payer() {
	build_and_execute(|| {
		let (job, out) = settle_large(200);
		let providers = Jobs::receipt(job).unwrap().agreeing.into_inner();
		let reputation =
			|p: AccountId| pallet_providers::Records::<Test>::get(p).unwrap().reputation.score();
		let before: Vec<_> = providers.iter().map(|p| reputation(*p)).collect();
		assert_noop!(
			Jobs::claim_undelivered(RuntimeOrigin::signed(POOR), job),
			Error::<Test>::DeliveryOpen
		);
		run_to(8);
		assert_noop!(deliver(providers[0], job, vec![(0, out)]), Error::<Test>::DeliveryClosed);
		let free_before = free(PAYER);
		assert_ok!(Jobs::claim_undelivered(RuntimeOrigin::signed(POOR), job));
		System::assert_has_event(
			Event::DeliveryMissed { job, missing: 1, refunded: 3 * PRICE }.into(),
		);
		assert_eq!(free(PAYER), free_before + 3 * PRICE);
		assert_eq!(escrow_held(PAYER), 0);
		for (p, b) in providers.iter().zip(before) {
			assert!(reputation(*p) < b, "{p}'s reputation counts the missed delivery");
		}
		let receipt = Jobs::receipt(job).unwrap();
		assert_eq!((receipt.paid, receipt.refunded), (0, 6 * PRICE));
	});
}

/// A window nobody closed is closed when the receipt is pruned; delivered outputs go with it.
#[test]
fn pruning_a_receipt_closes_its_delivery_and_removes_its_outputs() {
	build_and_execute(|| {
		let (job, _) = settle_large(200);
		run_to(2 + RETENTION + 1);
		assert!(Jobs::receipt(job).is_none());
		assert!(Jobs::delivery(job).is_none());
		System::assert_has_event(
			Event::DeliveryMissed { job, missing: 1, refunded: 3 * PRICE }.into(),
		);
		assert_eq!(escrow_held(PAYER), 0);
		// A delivered one, pruned.
		let (job, out) = settle_large(150);
		assert_ok!(deliver(PAYER, job, vec![(0, out)]));
		assert!(Jobs::output(job, 0).is_some());
		run_to(System::block_number() + RETENTION + 1);
		assert!(Jobs::output(job, 0).is_none());
	});
}

/// A cohort's receipt holds its members' digests: each member's output is delivered on its
/// own (here two in one call and the third later), checked against its member digest, and
/// pays each agreeing provider its price for that member.
#[test]
fn a_cohorts_members_are_paid_for_as_they_are_delivered() {
	build_and_execute(|| {
		let job = submit_cohort(3, 3);
		run_to(2);
		let outputs: Vec<DeliveredOutput> = (1..=3u8)
			.map(|i| {
				let mut o = output_of(1, i as i64);
				o.input_hash = input_hash(&[i]);
				o
			})
			.collect();
		let digests: MemberDigests = outputs
			.iter()
			.map(|o| output_digest(&model(1), &o.input_hash, &o.shape, &o.values))
			.collect::<Vec<_>>()
			.try_into()
			.unwrap();
		for who in assigned(job) {
			commit_members(who, job, &digests);
		}
		for who in assigned(job) {
			reveal_members(who, job, &digests);
		}
		let providers = Jobs::receipt(job).unwrap().agreeing.into_inner();
		let before: Vec<Balance> = providers.iter().map(|p| free(*p)).collect();
		assert_eq!(escrow_held(PAYER), 3 * 3 * PRICE);
		// Member 1's output claimed as member 0's: refused.
		assert_noop!(
			deliver(providers[0], job, vec![(0, outputs[1].clone())]),
			Error::<Test>::OutputMismatch
		);
		assert_ok!(deliver(
			providers[0],
			job,
			vec![(0, outputs[0].clone()), (2, outputs[2].clone())]
		));
		for (p, b) in providers.iter().zip(&before) {
			assert_eq!(free(*p), b + 2 * PRICE);
		}
		assert_eq!(Jobs::delivery(job).unwrap().missing(), 1);
		// Padded with an item that fails (member 0 again, delivered already), a payee's
		// delivery pays its fee: its free transactions are one per output that lands.
		let padded =
			deliver(providers[2], job, vec![(1, outputs[1].clone()), (0, outputs[0].clone())])
				.unwrap();
		assert_eq!(padded.pays_fee, frame_support::dispatch::Pays::Yes);
		for (p, b) in providers.iter().zip(&before) {
			assert_eq!(free(*p), b + 3 * PRICE);
		}
		assert!(Jobs::delivery(job).is_none());
		assert_eq!(escrow_held(PAYER), 0);
		assert_eq!(Jobs::output(job, 1), Some(outputs[1].clone()));
	});
}

/// A job whose output would exceed `MAX_DELIVERED_OUTPUT` elements could not be delivered:
/// refused at submission when its input is inline, losing nothing.
#[test]
fn a_job_whose_output_could_not_be_delivered_is_refused() {
	build_and_execute(|| {
		let mut wide = manifest(3, 1024);
		wide.output.shape = vec![None, Some(64)].try_into().unwrap();
		let wide_id = synod_primitives::model::model_id(&PUBLISHER, &wide);
		assert_ok!(Models::register_model(RuntimeOrigin::signed(PUBLISHER), Box::new(wide)));
		let before = free(PAYER);
		let s = || RuntimeOrigin::signed(PAYER);
		// 600 items of 64: 38,400 elements.
		assert_noop!(
			Jobs::submit_job(s(), wide_id, inline(&[1; 600]), 1, PRICE, 30),
			Error::<Test>::OutputTooLarge
		);
		assert_eq!(free(PAYER), before);
		assert_ok!(Jobs::submit_job(s(), wide_id, inline(&[1; 500]), 1, PRICE, 30));
		// An input by URI may hold 1,024 items (65,536 elements), which the chain cannot tell
		// at submission: accepted, its deposit counting the most that can be delivered; should
		// its output be larger, its providers answer that it cannot be served
		// (`Unservable::OutputTooLarge`, tests::offchain).
		JobDepositPerByte::set(&1);
		assert_ok!(Balances::force_set_balance(RuntimeOrigin::root(), PAYER, 10 * ENDOWMENT));
		let remote =
			JobInput::Remote { hash: [1; 32], uri: b"https://x/y".to_vec().try_into().unwrap() };
		let job = crate::NextJobId::<Test>::get();
		let bytes = codec::Encode::encoded_size(&remote) as Balance;
		assert_ok!(Jobs::submit_job(s(), wide_id, remote, 1, PRICE, 30));
		assert_eq!(JobRecords::<Test>::get(job).unwrap().deposit, bytes + 32_768 * 8);
	});
}

/// A cohort member its providers answered "cannot serve" (an output too large to deliver) has
/// nothing to deliver: paid at settlement; the others wait for their delivery.
#[test]
fn a_cohort_member_that_cannot_be_served_is_paid_at_settlement() {
	build_and_execute(|| {
		let job = submit_cohort(3, 2);
		run_to(2);
		let mut first = output_of(1, 1);
		first.input_hash = input_hash(&[1]);
		let d0 = output_digest(&model(1), &first.input_hash, &first.shape, &first.values);
		let d1 = synod_primitives::digest::unservable_digest(
			&model(1),
			&input_hash(&[2]),
			synod_primitives::digest::Unservable::OutputTooLarge,
		);
		let digests: MemberDigests = vec![d0, d1].try_into().unwrap();
		let providers = assigned(job);
		let before: Vec<Balance> = providers.iter().map(|p| free(*p)).collect();
		for who in &providers {
			commit_members(*who, job, &digests);
		}
		for who in &providers {
			reveal_members(*who, job, &digests);
		}
		System::assert_has_event(Event::OutputsDue { job, members: 1, by: 2 + 5 }.into());
		for (p, b) in providers.iter().zip(&before) {
			assert_eq!(free(*p), b + PRICE, "paid for the member that cannot be served");
		}
		assert_noop!(
			deliver(providers[0], job, vec![(1, first.clone())]),
			Error::<Test>::AlreadyDelivered
		);
		assert_ok!(deliver(providers[0], job, vec![(0, first)]));
		for (p, b) in providers.iter().zip(&before) {
			assert_eq!(free(*p), b + 2 * PRICE);
		}
		assert_eq!(escrow_held(PAYER), 0);
	});
}
