//! Job errors: a stable machine-readable kind and a human-readable reason.

/// Why a job failed. `kind` strings are stable API (and Prometheus labels).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
	/// The request or its manifest is malformed.
	#[error("invalid request: {0}")]
	InvalidRequest(String),
	/// The input does not match the manifest's dtype, shape or size limit.
	#[error("invalid input: {0}")]
	InvalidInput(String),
	/// No source could deliver the model.
	#[error("model unavailable: {0}")]
	ModelUnavailable(String),
	/// The model's bytes do not hash to the manifest's hash.
	#[error("model hash mismatch: manifest says {expected}, bytes hash to {actual}")]
	HashMismatch {
		/// The hash the manifest declares.
		expected: String,
		/// The hash of the bytes received.
		actual: String,
	},
	/// libtorch could not load the model (corrupt or not TorchScript).
	#[error("model load failed: {0}")]
	ModelLoad(String),
	/// The model failed on this input.
	#[error("inference failed: {0}")]
	Inference(String),
	/// The output does not match the manifest's output spec.
	#[error("invalid output: {0}")]
	InvalidOutput(String),
	/// The queue is full.
	#[error("queue full ({0} jobs waiting)")]
	QueueFull(usize),
	/// The worker is shutting down.
	#[error("worker shutting down")]
	ShuttingDown,
}

impl JobError {
	/// The stable kind string.
	pub fn kind(&self) -> &'static str {
		match self {
			JobError::InvalidRequest(_) => "invalid_request",
			JobError::InvalidInput(_) => "invalid_input",
			JobError::ModelUnavailable(_) => "model_unavailable",
			JobError::HashMismatch { .. } => "hash_mismatch",
			JobError::ModelLoad(_) => "model_load",
			JobError::Inference(_) => "inference",
			JobError::InvalidOutput(_) => "invalid_output",
			JobError::QueueFull(_) => "queue_full",
			JobError::ShuttingDown => "shutting_down",
		}
	}

	/// The JSON form: `{"kind": …, "message": …}`.
	pub fn body(&self) -> ErrorBody {
		ErrorBody { kind: self.kind().to_string(), message: self.to_string() }
	}
}

pub use synod_primitives::worker_api::ErrorBody;
