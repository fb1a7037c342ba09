//! The inputs a job hands to the worker: inline bytes, or bytes fetched from an `http(s)` URI
//! and checked against their hash.

use alloc::{format, string::String, vec::Vec};
use synod_primitives::{digest::Hash32, model::ModelManifest, ocw};

use super::INPUT_TIMEOUT_MS;
use crate::{
	types::{JobId, JobInput, MemberInput},
	Config, JobOf, Pallet, LOG_TARGET,
};

/// Why an input is not available: the reason, and whether trying again may help.
pub type InputError = (String, bool);

impl<T: Config> Pallet<T> {
	/// The inputs to hand to the worker: the job's one input, or a cohort's members in order.
	pub(crate) fn inputs(
		job: JobId,
		record: &JobOf<T>,
		manifest: &ModelManifest,
	) -> Result<Vec<Vec<u8>>, InputError> {
		match &record.input {
			JobInput::Inline(bytes) => Ok(alloc::vec![bytes.to_vec()]),
			JobInput::Remote { hash, uri } => {
				Ok(alloc::vec![Self::remote_input(job, hash, uri, manifest)?])
			},
			JobInput::Cohort(members) => members
				.iter()
				.map(|m| match m {
					MemberInput::Inline(bytes) => Ok(bytes.to_vec()),
					MemberInput::Remote { hash, uri } => {
						Self::remote_input(job, hash, uri, manifest)
					},
				})
				.collect(),
		}
	}

	/// Fetches an input from its `http(s)` URI and checks it against its hash.
	fn remote_input(
		job: JobId,
		hash: &Hash32,
		uri: &[u8],
		manifest: &ModelManifest,
	) -> Result<Vec<u8>, InputError> {
		let uri = core::str::from_utf8(uri)
			.map_err(|_| (String::from("the input URI is not UTF-8"), false))?;
		if !(uri.starts_with("http://") || uri.starts_with("https://")) {
			return Err((format!("{uri}: only http(s) inputs are fetched here"), false));
		}
		log::info!(target: LOG_TARGET, "job {job}: fetching input from {uri}");
		let answer =
			ocw::get(uri, INPUT_TIMEOUT_MS).map_err(|e| (format!("{uri}: {e:?}"), true))?;
		if answer.code != 200 {
			return Err((format!("{uri}: HTTP {}", answer.code), true));
		}
		let limit = usize::try_from(manifest.max_input_bytes).unwrap_or(usize::MAX);
		if answer.body.len() > limit {
			return Err((format!("{uri}: larger than the model's max input"), false));
		}
		if sp_crypto_hashing::blake2_256(&answer.body) != *hash {
			return Err((format!("{uri}: the bytes do not match the input hash"), false));
		}
		Ok(answer.body)
	}
}
