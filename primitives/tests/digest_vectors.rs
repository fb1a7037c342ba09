//! The canonical digest against the vectors of `test-vectors/digest.json`, which an independent
//! Python implementation wrote (`primitives/test-vectors/make_digest_vectors.py`).

#![allow(
	clippy::unwrap_used,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::arithmetic_side_effects
)]

use synod_primitives::digest::{
	input_hash, members_root, output_digest, quantize_le_bytes, within_tolerance, DType,
	DigestError,
};

fn hex32(v: &serde_json::Value) -> [u8; 32] {
	hex::decode(v.as_str().unwrap()).unwrap().try_into().unwrap()
}

#[test]
fn vectors_match_the_independent_implementation() {
	let text = include_str!("../test-vectors/digest.json");
	let doc: serde_json::Value = serde_json::from_str(text).unwrap();
	let vectors = doc["vectors"].as_array().unwrap();
	assert!(vectors.len() >= 10);
	for v in vectors {
		let name = v["name"].as_str().unwrap();
		let dtype = DType::from_name(v["dtype"].as_str().unwrap()).unwrap();
		let shape: Vec<u32> =
			v["shape"].as_array().unwrap().iter().map(|d| d.as_u64().unwrap() as u32).collect();
		let exponent = v["step_exponent"].as_u64().unwrap() as u8;
		let raw = hex::decode(v["output_le_hex"].as_str().unwrap()).unwrap();
		let want_q: Vec<i64> =
			v["quantized"].as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect();
		let q = quantize_le_bytes(dtype, &shape, &raw, exponent).unwrap();
		assert_eq!(q, want_q, "{name}: quantized");
		let input = hex::decode(v["input_hex"].as_str().unwrap()).unwrap();
		assert_eq!(input_hash(&input), hex32(&v["input_hash"]), "{name}: input hash");
		let d = output_digest(&hex32(&v["model_hash"]), &input_hash(&input), &shape, &q);
		assert_eq!(d, hex32(&v["digest"]), "{name}: digest");
	}
}

#[test]
fn members_roots_match_the_independent_implementation() {
	let doc: serde_json::Value =
		serde_json::from_str(include_str!("../test-vectors/digest.json")).unwrap();
	let cases = doc["members"].as_array().unwrap();
	assert!(cases.len() >= 5);
	for c in cases {
		let members: Vec<[u8; 32]> = c["members"].as_array().unwrap().iter().map(hex32).collect();
		assert_eq!(members_root(&members), hex32(&c["root"]), "{}", c["name"]);
	}
	// Order matters, and a one-member root is not the member's own digest.
	let (a, b) = ([1u8; 32], [2u8; 32]);
	assert_ne!(members_root(&[a, b]), members_root(&[b, a]));
	assert_ne!(members_root(&[a]), a);
}

#[test]
fn malformed_tensors_are_errors() {
	assert_eq!(quantize_le_bytes(DType::F32, &[2], &[0; 7], 10), Err(DigestError::RaggedBytes));
	assert_eq!(quantize_le_bytes(DType::F32, &[3], &[0; 8], 10), Err(DigestError::ShapeMismatch));
	assert_eq!(quantize_le_bytes(DType::F32, &[2], &[0; 8], 41), Err(DigestError::StepTooFine));
	assert_eq!(
		quantize_le_bytes(DType::U8, &[u32::MAX, u32::MAX, u32::MAX], &[0; 1], 0),
		Err(DigestError::ShapeMismatch)
	);
}

#[test]
fn tolerance_is_per_element_and_needs_equal_length() {
	assert!(within_tolerance(&[10, -5, 0], &[12, -3, 0], 2));
	assert!(!within_tolerance(&[10, -5, 0], &[13, -5, 0], 2));
	assert!(!within_tolerance(&[1, 2], &[1, 2, 3], 100));
	assert!(within_tolerance(&[i64::MIN], &[i64::MIN], 0));
	assert!(!within_tolerance(&[i64::MIN], &[i64::MAX], u64::MAX - 1));
}

#[test]
fn a_changed_shape_or_element_changes_the_digest() {
	let (m, i) = ([1u8; 32], [2u8; 32]);
	let base = output_digest(&m, &i, &[2, 2], &[1, 2, 3, 4]);
	assert_ne!(base, output_digest(&m, &i, &[4], &[1, 2, 3, 4]));
	assert_ne!(base, output_digest(&m, &i, &[2, 2], &[1, 2, 3, 5]));
	assert_ne!(base, output_digest(&[0; 32], &i, &[2, 2], &[1, 2, 3, 4]));
}

#[test]
fn dtype_names_round_trip() {
	for d in [
		DType::F16,
		DType::BF16,
		DType::F32,
		DType::F64,
		DType::U8,
		DType::I8,
		DType::I16,
		DType::I32,
		DType::I64,
		DType::Bool,
	] {
		assert_eq!(DType::from_name(d.name()), Some(d));
	}
	assert_eq!(DType::from_name("f8"), None);
}
