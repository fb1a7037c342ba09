//! Worker job ids against the vectors of `test-vectors/digest.json` (`worker_job_ids`), which
//! the independent Python implementation wrote and the JS client is checked against too
//! (`client/test/vectors.test.mjs`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use synod_primitives::worker_api::{hex, parse_hash32, worker_job_id};

#[test]
fn worker_job_ids_match_the_independent_implementation() {
	let doc: serde_json::Value =
		serde_json::from_str(include_str!("../test-vectors/digest.json")).unwrap();
	let cases = doc["worker_job_ids"].as_array().unwrap();
	assert!(cases.len() >= 5);
	for c in cases {
		let name = c["name"].as_str().unwrap();
		let model = parse_hash32(c["model_hash"].as_str().unwrap()).unwrap();
		let input = parse_hash32(c["input_hash"].as_str().unwrap()).unwrap();
		let job = c["job"].as_u64().unwrap();
		let attempt = u8::try_from(c["attempt"].as_u64().unwrap()).unwrap();
		assert_eq!(
			worker_job_id(job, &model, &input, attempt),
			c["id"].as_str().unwrap(),
			"{name}"
		);
		assert_eq!(hex(&model), c["model_hash"].as_str().unwrap(), "{name}: hex");
	}
}
