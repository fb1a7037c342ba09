//! The HTTP API (localhost only).
//!
//! | route | answer |
//! | --- | --- |
//! | `POST /v1/jobs` | 202 + job (queued), 200 + job (id exists), 422 + failed job (bad manifest or input), 400 (bad JSON), 503 (queue full, shutting down) |
//! | `POST /v1/batch/submit` | 200 + `{"jobs": [{"code", "job" or "error"}]}`: each item as `POST /v1/jobs` would answer it (at most [`MAX_BATCH`] items; 400 above) |
//! | `GET /v1/jobs/{id}` | 200 + job, 404 |
//! | `POST /v1/batch/query` | 200 + `{"jobs": [job or null]}` for `{"ids": [...]}` (at most [`MAX_BATCH`]) |
//! | `GET /v1/models` | known models, cached and loaded state |
//! | `GET /health` | device, libtorch version, determinism, threads, pinned CPUs, queue depth |
//! | `GET /metrics` | Prometheus text |

use std::sync::Arc;

use axum::{
	extract::{rejection::JsonRejection, Path, State},
	http::{header, StatusCode},
	response::{IntoResponse, Response},
	routing::{get, post},
	Json, Router,
};
use serde::Serialize;
use synod_primitives::worker_api::{BatchItem, BatchQuery, BatchSubmit};

use crate::{
	error::{ErrorBody, JobError},
	jobs::{JobRequest, JobView, Jobs, Submitted},
	metrics::Metrics,
	store::ModelStore,
};

/// Shared state of the handlers.
#[derive(Clone)]
pub struct AppState {
	/// The job pipeline.
	pub jobs: Arc<Jobs>,
	/// The model store.
	pub store: Arc<ModelStore>,
	/// Metrics.
	pub metrics: Arc<Metrics>,
	/// Device name.
	pub device: String,
	/// Whether deterministic mode is on.
	pub deterministic: bool,
	/// CPUs of the inference threads (`--inference-cpus`), `None` when not pinned.
	pub inference_cpus: Option<Vec<usize>>,
	/// libtorch intra-op threads.
	pub threads: i32,
}

/// The router.
pub fn router(state: AppState) -> Router {
	Router::new()
		.route("/v1/jobs", post(submit))
		.route("/v1/jobs/{id}", get(job))
		.route("/v1/batch/submit", post(submit_batch))
		.route("/v1/batch/query", post(query_batch))
		.route("/v1/models", get(models))
		.route("/health", get(health))
		.route("/metrics", get(metrics))
		.with_state(state)
}

fn error(status: StatusCode, e: ErrorBody) -> Response {
	(status, Json(serde_json::json!({ "error": e }))).into_response()
}

/// The most jobs in one batch request.
pub const MAX_BATCH: usize = synod_primitives::limits::MAX_WORKER_BATCH as usize;

fn bad_request(s: &AppState, message: String) -> Response {
	s.metrics.error("invalid_request");
	error(StatusCode::BAD_REQUEST, ErrorBody { kind: "invalid_request".into(), message })
}

/// The status and body `POST /v1/jobs` answers for one submission.
fn submitted(
	s: &AppState,
	r: Result<Submitted, JobError>,
) -> (StatusCode, Result<JobView, ErrorBody>) {
	match r {
		Ok(Submitted::Accepted(v)) => (StatusCode::ACCEPTED, Ok(v)),
		Ok(Submitted::Existing(v)) => (StatusCode::OK, Ok(v)),
		Ok(Submitted::Rejected(v)) => (StatusCode::UNPROCESSABLE_ENTITY, Ok(v)),
		Err(e) => {
			s.metrics.error(e.kind());
			let code = match e {
				JobError::QueueFull(_) | JobError::ShuttingDown => StatusCode::SERVICE_UNAVAILABLE,
				_ => StatusCode::BAD_REQUEST,
			};
			(code, Err(e.body()))
		},
	}
}

async fn submit(
	State(s): State<AppState>,
	body: Result<Json<JobRequest>, JsonRejection>,
) -> Response {
	let Json(req) = match body {
		Ok(b) => b,
		Err(rejection) => return bad_request(&s, rejection.body_text()),
	};
	match submitted(&s, s.jobs.submit(req)) {
		(code, Ok(view)) => (code, Json(view)).into_response(),
		(code, Err(e)) => error(code, e),
	}
}

/// A batch request's body, or why it is refused (400): not JSON of the right shape, or more
/// than [`MAX_BATCH`] items.
fn batch_body<B>(
	body: Result<Json<B>, JsonRejection>,
	items: impl Fn(&B) -> usize,
) -> Result<B, String> {
	let Json(req) = body.map_err(|rejection| rejection.body_text())?;
	if items(&req) > MAX_BATCH {
		return Err(format!("at most {MAX_BATCH} items per batch request"));
	}
	Ok(req)
}

async fn submit_batch(
	State(s): State<AppState>,
	body: Result<Json<BatchSubmit>, JsonRejection>,
) -> Response {
	let req = match batch_body(body, |b| b.jobs.len()) {
		Ok(req) => req,
		Err(why) => return bad_request(&s, why),
	};
	let items: Vec<BatchItem<JobView>> = s
		.jobs
		.submit_many(req.jobs)
		.into_iter()
		.map(|r| {
			let (code, body) = submitted(&s, r);
			let (job, error) = match body {
				Ok(v) => (Some(v), None),
				Err(e) => (None, Some(e)),
			};
			BatchItem { code: code.as_u16(), job, error }
		})
		.collect();
	Json(serde_json::json!({ "jobs": items })).into_response()
}

async fn query_batch(
	State(s): State<AppState>,
	body: Result<Json<BatchQuery>, JsonRejection>,
) -> Response {
	let req = match batch_body(body, |b| b.ids.len()) {
		Ok(req) => req,
		Err(why) => return bad_request(&s, why),
	};
	Json(serde_json::json!({ "jobs": s.jobs.get_many(&req.ids) })).into_response()
}

async fn job(State(s): State<AppState>, Path(id): Path<String>) -> Response {
	match s.jobs.get(&id) {
		Some(v) => Json(v).into_response(),
		None => error(
			StatusCode::NOT_FOUND,
			ErrorBody { kind: "not_found".into(), message: format!("no job {id:?}") },
		),
	}
}

async fn models(State(s): State<AppState>) -> Response {
	Json(serde_json::json!({ "models": s.store.list() })).into_response()
}

/// `GET /health` body.
#[derive(Serialize)]
struct Health {
	status: &'static str,
	version: &'static str,
	libtorch: &'static str,
	device: String,
	deterministic: bool,
	threads: i32,
	inference_cpus: Option<Vec<usize>>,
	queue_depth: usize,
	models_loaded: usize,
}

async fn health(State(s): State<AppState>) -> Response {
	Json(Health {
		status: "ok",
		version: env!("CARGO_PKG_VERSION"),
		libtorch: crate::LIBTORCH_VERSION,
		device: s.device.clone(),
		deterministic: s.deterministic,
		threads: s.threads,
		inference_cpus: s.inference_cpus.clone(),
		queue_depth: s.jobs.active(),
		models_loaded: s.store.loaded_count(),
	})
	.into_response()
}

async fn metrics(State(s): State<AppState>) -> Response {
	(
		[(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")],
		s.metrics.encode(),
	)
		.into_response()
}
