//! The synod-worker HTTP protocol, defined once: the request and answer bodies that
//! synod-worker serves and the off-chain worker of pallet-jobs sends and reads, the manifest's
//! JSON form, the worker job id and the hex helpers. Both sides use these types, so they
//! cannot drift; the JS client is checked against the same test vectors
//! (`primitives/test-vectors/digest.json`, `worker_job_ids`).
//!
//! | route | body | answer |
//! | --- | --- | --- |
//! | `POST /v1/jobs` | [`JobRequest`] | 202 queued, 200 id exists, 422 refused: [`JobView`]; 400, 503: `{"error": ErrorBody}` |
//! | `POST /v1/batch/submit` | [`BatchSubmit`] | 200 [`BatchAnswer`]: each item as `POST /v1/jobs` would answer it |
//! | `GET /v1/jobs/{id}` | | 200 [`JobView`], 404 |
//! | `POST /v1/batch/query` | [`BatchQuery`] | 200 [`BatchViews`]: a view per id, `null` for unknown ids |
//!
//! Structs list their fields in alphabetical order, so a body serializes to the same bytes as
//! a `serde_json::json!` map of the same fields (whose keys are sorted).

use alloc::{format, string::String, vec::Vec};
use codec::Encode;
use serde::{Deserialize, Serialize};

use crate::digest::Hash32;

/// Element type and shape of a tensor, as JSON: `{"dtype": "f32", "shape": [null, 16]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TensorSpecJson {
	/// Element type name (`"f32"`, `"i64"` …, see [`crate::digest::DType::name`]).
	pub dtype: String,
	/// Dimensions; `null` for the dynamic batch dimension (the first only).
	pub shape: Vec<Option<u32>>,
}

/// A model manifest as JSON:
///
/// ```json
/// { "name": "mlp", "hash": "<64 hex: blake2-256 of the .pt file>",
///   "input":  { "dtype": "f32", "shape": [null, 16] },
///   "output": { "dtype": "f32", "shape": [null, 4] },
///   "step_exponent": 16, "tolerance": 2, "max_input_bytes": 65536,
///   "sources": ["http://host/mlp.pt", "file:///models/mlp.pt", "mlp.pt"] }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestJson {
	/// blake2-256 of the TorchScript file, 64 hex digits.
	pub hash: String,
	/// The one input tensor.
	pub input: TensorSpecJson,
	/// Largest accepted input, in bytes.
	pub max_input_bytes: u32,
	/// Human-readable name (at most [`crate::limits::MAX_NAME_LEN`] bytes).
	pub name: String,
	/// The output tensor (the first one, if the model returns several).
	pub output: TensorSpecJson,
	/// Where to fetch the file (at most [`crate::limits::MAX_SOURCES`]): `http(s)://…`, and
	/// for a worker's own models `file://…` or a path relative to its models folder.
	#[serde(default)]
	pub sources: Vec<String>,
	/// Quantization step `2^-step_exponent`.
	pub step_exponent: u8,
	/// Agreement tolerance, in steps.
	pub tolerance: u64,
}

#[cfg(feature = "frame")]
impl From<&crate::model::ModelManifest> for ManifestJson {
	fn from(m: &crate::model::ModelManifest) -> Self {
		let spec = |s: &crate::model::TensorSpec| TensorSpecJson {
			dtype: String::from(s.dtype.name()),
			shape: s.shape.to_vec(),
		};
		ManifestJson {
			hash: hex(&m.file_hash),
			input: spec(&m.input),
			max_input_bytes: m.max_input_bytes,
			name: String::from_utf8_lossy(&m.name).into_owned(),
			output: spec(&m.output),
			sources: m.sources.iter().map(|s| String::from_utf8_lossy(s).into_owned()).collect(),
			step_exponent: m.canonicalization.step_exponent,
			tolerance: m.canonicalization.tolerance,
		}
	}
}

/// `POST /v1/jobs` body (and one item of [`BatchSubmit`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRequest {
	/// The caller's id (the off-chain worker's is [`worker_job_id`]); generated when absent.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub id: Option<String>,
	/// Input tensor bytes (little-endian, row-major), base64.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub input_b64: Option<String>,
	/// Or the same bytes in hex (an optional `0x` prefix is allowed).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub input_hex: Option<String>,
	/// The model's manifest, inline.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub model: Option<ManifestJson>,
	/// Or the hash of a model the worker already knows (its models folder or an earlier job).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub model_hash: Option<String>,
	/// The model's id on chain (64 hex digits), which the output digest binds
	/// (`crate::model::model_id`); the model's file hash when absent.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub model_id: Option<String>,
}

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
	/// Waiting for an inference thread.
	Queued,
	/// Fetching the model or running.
	Running,
	/// Done: `output` is set.
	Succeeded,
	/// Failed: `error` is set.
	Failed,
}

/// The canonical output of a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputView {
	/// Canonical digest (hex).
	pub digest: String,
	/// Element type of the model's output.
	#[serde(default)]
	pub dtype: String,
	/// Quantized elements.
	#[serde(default)]
	pub quantized: Vec<i64>,
	/// Output shape.
	#[serde(default)]
	pub shape: Vec<u32>,
	/// Quantization exponent used (step `2^-e`).
	#[serde(default)]
	pub step_exponent: u8,
}

/// An error as the API returns it: a stable machine-readable kind and a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
	/// Stable kind (`invalid_request`, `invalid_input`, `model_unavailable`, `hash_mismatch`,
	/// `model_load`, `inference`, `invalid_output`, `queue_full`, `shutting_down`,
	/// `not_found`).
	pub kind: String,
	/// Human-readable reason.
	pub message: String,
}

impl ErrorBody {
	/// Whether this failure is a fact about the job's input, so that every honest provider
	/// meets it alike and answers the job "cannot serve" (`crate::digest::unservable_digest`):
	/// the input does not fit the manifest (`invalid_input`) or the model fails on it
	/// (`inference`: token ids outside the vocabulary). A failure of the model or the worker
	/// itself is not.
	pub fn unservable(&self) -> Option<crate::digest::Unservable> {
		matches!(self.kind.as_str(), "invalid_input" | "inference")
			.then_some(crate::digest::Unservable::InputRejected)
	}

	/// Whether another attempt may succeed where this one failed (the model may become
	/// available, the queue may drain, the worker may come back).
	pub fn is_transient(&self) -> bool {
		matches!(
			self.kind.as_str(),
			"model_unavailable" | "queue_full" | "shutting_down" | "internal"
		)
	}
}

/// A job as `GET /v1/jobs/{id}` shows it. synod-worker adds its phase timings
/// (`"timings": {...}`, milliseconds) after these fields; readers ignore them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobView {
	/// Device the job ran on.
	#[serde(default)]
	pub device: String,
	/// Reason, when failed.
	#[serde(default)]
	pub error: Option<ErrorBody>,
	/// Job id.
	#[serde(default)]
	pub id: String,
	/// blake2-256 of the input bytes (hex), when they decoded.
	#[serde(default)]
	pub input_hash: Option<String>,
	/// The model file's hash (hex), when the request named one that parsed.
	#[serde(default)]
	pub model_hash: Option<String>,
	/// Result, when succeeded.
	#[serde(default)]
	pub output: Option<OutputView>,
	/// Status.
	pub status: Status,
}

/// `POST /v1/batch/submit` body: at most [`crate::limits::MAX_WORKER_BATCH`] jobs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchSubmit {
	/// The jobs, each as `POST /v1/jobs` takes it.
	pub jobs: Vec<JobRequest>,
}

/// One item of [`BatchAnswer`]: the status `POST /v1/jobs` would have answered, and the job's
/// view or the error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchItem<V = JobView> {
	/// The HTTP status `POST /v1/jobs` would have answered.
	pub code: u16,
	/// The error (400, 503), when there is no view.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub error: Option<ErrorBody>,
	/// The job's view (202, 200, 422); missing means none.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub job: Option<V>,
}

/// `POST /v1/batch/submit` answer: one item per job, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchAnswer<V = JobView> {
	/// The items.
	pub jobs: Vec<BatchItem<V>>,
}

/// `POST /v1/batch/query` body: at most [`crate::limits::MAX_WORKER_BATCH`] ids.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchQuery {
	/// The job ids.
	pub ids: Vec<String>,
}

/// `POST /v1/batch/query` answer: a view per id, `None` (`null`) for ids the worker does not
/// know.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchViews<V = JobView> {
	/// The views, in the order of the ids.
	pub jobs: Vec<Option<V>>,
}

/// The worker job id of chain job `job` (attempt `attempt`):
/// `synod-{job}-{hex(blake2_256(model ‖ input_hash))[..24]}-a{attempt}`. Stable across retries
/// of one attempt, different for different (model, input) pairs, so a worker that outlives a
/// dev chain never answers a new job with an old result.
pub fn worker_job_id(job: u64, model: &Hash32, input_hash: &Hash32, attempt: u8) -> String {
	let tag = sp_crypto_hashing::blake2_256(&(model, input_hash).encode());
	let short = tag.get(..12).unwrap_or(tag.as_slice());
	format!("synod-{job}-{}-a{attempt}", hex(short))
}

/// The worker job id of member `i` of the cohort whose worker job id is `id`.
pub fn member_id(id: &str, i: usize) -> String {
	format!("{id}.{i}")
}

/// Lower-case hex, no prefix.
pub fn hex(bytes: &[u8]) -> String {
	const DIGITS: &[u8; 16] = b"0123456789abcdef";
	let mut out = String::with_capacity(bytes.len().saturating_mul(2));
	for b in bytes {
		for n in [b >> 4, b & 0x0f] {
			out.push(char::from(DIGITS.get(usize::from(n)).copied().unwrap_or(b'0')));
		}
	}
	out
}

/// Parses 64 hex digits (an optional `0x` prefix allowed) into a hash.
pub fn parse_hash32(s: &str) -> Option<Hash32> {
	let s = s.strip_prefix("0x").unwrap_or(s);
	if s.len() != 64 {
		return None;
	}
	let mut out = [0u8; 32];
	for (i, slot) in out.iter_mut().enumerate() {
		let hi = s.as_bytes().get(i.checked_mul(2)?).copied()?;
		let lo = s.as_bytes().get(i.checked_mul(2)?.checked_add(1)?).copied()?;
		*slot = (nibble(hi)? << 4) | nibble(lo)?;
	}
	Some(out)
}

fn nibble(c: u8) -> Option<u8> {
	match c {
		b'0'..=b'9' => c.checked_sub(b'0'),
		b'a'..=b'f' => c.checked_sub(b'a').and_then(|v| v.checked_add(10)),
		b'A'..=b'F' => c.checked_sub(b'A').and_then(|v| v.checked_add(10)),
		_ => None,
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn bodies_serialize_like_sorted_json_maps() {
		let req = JobRequest {
			id: Some("a".into()),
			input_hex: Some("01".into()),
			model_hash: Some("ff".into()),
			..Default::default()
		};
		let typed = serde_json::to_vec(&req).unwrap();
		let map = serde_json::to_vec(
			&serde_json::json!({ "id": "a", "input_hex": "01", "model_hash": "ff" }),
		)
		.unwrap();
		assert_eq!(typed, map);
	}

	#[test]
	fn hex_round_trips() {
		let d = [0xabu8; 32];
		assert_eq!(parse_hash32(&hex(&d)), Some(d));
		assert_eq!(parse_hash32(&format!("0x{}", hex(&d))), Some(d));
		assert_eq!(parse_hash32("00"), None);
		assert_eq!(parse_hash32(&"g".repeat(64)), None);
	}

	#[test]
	fn a_view_without_optional_fields_parses() {
		let v: JobView =
			serde_json::from_str(r#"{"status":"running","timings":{"total_ms":1.5}}"#).unwrap();
		assert_eq!(v.status, Status::Running);
		assert!(v.output.is_none());
	}
}
