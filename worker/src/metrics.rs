//! Prometheus metrics (`GET /metrics`).

use prometheus_client::{
	encoding::EncodeLabelSet,
	metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
	registry::Registry,
};

/// Label of counters by kind.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
	/// An error kind or a job status.
	pub kind: String,
}

/// The worker's metrics.
pub struct Metrics {
	registry: Registry,
	/// Jobs waiting or running.
	pub queue_depth: Gauge,
	/// Finished jobs by final status.
	pub jobs: Family<KindLabel, Counter>,
	/// Failed jobs by error kind.
	pub errors: Family<KindLabel, Counter>,
	/// Time in the model's forward pass (incl. host↔device copies), seconds.
	pub inference_seconds: Histogram,
	/// Time from submission to result, seconds.
	pub job_seconds: Histogram,
	/// Modules loaded on the device.
	pub models_loaded: Gauge,
	/// Bytes downloaded from model sources.
	pub fetch_bytes: Counter,
}

fn buckets() -> impl Iterator<Item = f64> {
	// 0.1 ms … ~6.5 s.
	prometheus_client::metrics::histogram::exponential_buckets(0.0001, 2.0, 17)
}

impl Metrics {
	/// Registers every metric under the `synod_worker` prefix.
	pub fn new() -> Self {
		let mut registry = Registry::with_prefix("synod_worker");
		let m = Metrics {
			queue_depth: Gauge::default(),
			jobs: Family::default(),
			errors: Family::default(),
			inference_seconds: Histogram::new(buckets()),
			job_seconds: Histogram::new(buckets()),
			models_loaded: Gauge::default(),
			fetch_bytes: Counter::default(),
			registry: Registry::default(),
		};
		registry.register("queue_depth", "Jobs queued or running", m.queue_depth.clone());
		registry.register("jobs", "Finished jobs by status", m.jobs.clone());
		registry.register("errors", "Failed jobs by error kind", m.errors.clone());
		registry.register(
			"inference_seconds",
			"Forward pass time including host/device copies",
			m.inference_seconds.clone(),
		);
		registry.register("job_seconds", "Submission to result", m.job_seconds.clone());
		registry.register("models_loaded", "Modules loaded on the device", m.models_loaded.clone());
		registry.register(
			"model_fetch_bytes",
			"Bytes downloaded from model sources",
			m.fetch_bytes.clone(),
		);
		Metrics { registry, ..m }
	}

	/// The OpenMetrics text exposition.
	pub fn encode(&self) -> String {
		let mut out = String::new();
		if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
			out.clear();
		}
		out
	}

	/// Counts an error of `kind`.
	pub fn error(&self, kind: &str) {
		self.errors.get_or_create(&KindLabel { kind: kind.to_string() }).inc();
	}
}

impl Default for Metrics {
	fn default() -> Self {
		Self::new()
	}
}
