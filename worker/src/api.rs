//! The HTTP API (localhost only).
//!
//! | route | answer |
//! | --- | --- |
//! | `POST /v1/jobs` | 202 + job (queued), 200 + job (id exists), 422 + failed job (bad manifest or input), 400 (bad JSON), 503 (queue full, shutting down) |
//! | `GET /v1/jobs/{id}` | 200 + job, 404 |
//! | `GET /v1/models` | known models, cached and loaded state |
//! | `GET /health` | device, libtorch version, determinism, queue depth |
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

use crate::{
	error::{ErrorBody, JobError},
	jobs::{JobRequest, Jobs, Submitted},
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
	/// libtorch intra-op threads.
	pub threads: i32,
}

/// The router.
pub fn router(state: AppState) -> Router {
	Router::new()
		.route("/v1/jobs", post(submit))
		.route("/v1/jobs/{id}", get(job))
		.route("/v1/models", get(models))
		.route("/health", get(health))
		.route("/metrics", get(metrics))
		.with_state(state)
}

fn error(status: StatusCode, e: ErrorBody) -> Response {
	(status, Json(serde_json::json!({ "error": e }))).into_response()
}

async fn submit(
	State(s): State<AppState>,
	body: Result<Json<JobRequest>, JsonRejection>,
) -> Response {
	let Json(req) = match body {
		Ok(b) => b,
		Err(rejection) => {
			s.metrics.error("invalid_request");
			return error(
				StatusCode::BAD_REQUEST,
				ErrorBody { kind: "invalid_request".into(), message: rejection.body_text() },
			);
		},
	};
	match s.jobs.submit(req) {
		Ok(Submitted::Accepted(v)) => (StatusCode::ACCEPTED, Json(v)).into_response(),
		Ok(Submitted::Existing(v)) => (StatusCode::OK, Json(v)).into_response(),
		Ok(Submitted::Rejected(v)) => (StatusCode::UNPROCESSABLE_ENTITY, Json(v)).into_response(),
		Err(e @ (JobError::QueueFull(_) | JobError::ShuttingDown)) => {
			s.metrics.error(e.kind());
			error(StatusCode::SERVICE_UNAVAILABLE, e.body())
		},
		Err(e) => {
			s.metrics.error(e.kind());
			error(StatusCode::BAD_REQUEST, e.body())
		},
	}
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
