//! Delivery of outputs: a settled job's agreed output reaches the payer through its receipt,
//! checked against the digest on the way in.

use super::*;
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
