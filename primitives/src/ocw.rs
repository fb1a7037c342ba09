//! What the off-chain workers of pallet-providers and pallet-jobs share: where the local
//! synod-worker is, and bounded HTTP calls to it.
//!
//! Every call has a deadline and a cap on the body it reads, and every failure is a value
//! ([`HttpFailure`]), so a worker that is down, slow or talking nonsense costs one log line and
//! a retry in the next block, never a panic.

use alloc::{string::String, vec::Vec};
use sp_runtime::offchain::{http, Duration, StorageKind};

use crate::offchain::{DEFAULT_WORKER_URL, MAX_WORKER_URL_LEN, WORKER_URL_KEY};

/// The most bytes read from one worker answer (a `GET /v1/jobs/{id}` with a large quantized
/// output stays well below).
pub const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// The URL of the local synod-worker: what the node's `--worker-url` stored, else the default.
/// A stored value that is not a UTF-8 `http(s)://` URL within the bound falls back to the
/// default too (the node checks the flag before storing it).
pub fn worker_url() -> String {
	sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, WORKER_URL_KEY)
		.filter(|raw| raw.len() <= MAX_WORKER_URL_LEN)
		.and_then(|raw| String::from_utf8(raw).ok())
		.filter(|url| url.starts_with("http://") || url.starts_with("https://"))
		.unwrap_or_else(|| String::from(DEFAULT_WORKER_URL))
}

/// Why an HTTP call to the worker got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpFailure {
	/// The request could not be started (bad URL, no HTTP in this context).
	Start,
	/// No answer before the deadline.
	Deadline,
	/// The connection failed (worker down).
	Io,
	/// The answer was larger than [`MAX_RESPONSE_BYTES`].
	TooLarge,
}

/// An answer: status code and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpAnswer {
	/// HTTP status code.
	pub code: u16,
	/// The body (at most [`MAX_RESPONSE_BYTES`]).
	pub body: Vec<u8>,
}

/// `GET url`, waiting at most `timeout_ms`.
pub fn get(url: &str, timeout_ms: u64) -> Result<HttpAnswer, HttpFailure> {
	let deadline = sp_io::offchain::timestamp().add(Duration::from_millis(timeout_ms));
	let pending =
		http::Request::get(url).deadline(deadline).send().map_err(|_| HttpFailure::Start)?;
	finish(pending, deadline)
}

/// `POST url` with a JSON body, waiting at most `timeout_ms`.
pub fn post_json(url: &str, body: Vec<u8>, timeout_ms: u64) -> Result<HttpAnswer, HttpFailure> {
	let deadline = sp_io::offchain::timestamp().add(Duration::from_millis(timeout_ms));
	let pending = http::Request::post(url, alloc::vec![body])
		.add_header("Content-Type", "application/json")
		.deadline(deadline)
		.send()
		.map_err(|_| HttpFailure::Start)?;
	finish(pending, deadline)
}

fn finish(
	pending: http::PendingRequest,
	deadline: sp_runtime::offchain::Timestamp,
) -> Result<HttpAnswer, HttpFailure> {
	let response =
		pending.try_wait(deadline).map_err(|_| HttpFailure::Deadline)?.map_err(|e| match e {
			http::Error::DeadlineReached => HttpFailure::Deadline,
			_ => HttpFailure::Io,
		})?;
	let mut body = Vec::new();
	let mut chunks = response.body();
	chunks.deadline(deadline);
	for byte in chunks.by_ref() {
		if body.len() >= MAX_RESPONSE_BYTES {
			return Err(HttpFailure::TooLarge);
		}
		body.push(byte);
	}
	if chunks.error().is_some() {
		return Err(HttpFailure::Io);
	}
	Ok(HttpAnswer { code: response.code, body })
}
