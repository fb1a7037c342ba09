//! # synod-worker
//!
//! Synod's inference daemon. A provider's node (its off-chain worker) hands jobs to it over a
//! small HTTP API on localhost; it runs TorchScript models with libtorch (`tch`), on CUDA when
//! the machine has it and on the CPU otherwise, and answers with the canonical output digest of
//! `synod-primitives` that the chain votes on.
//!
//! ## Overview
//!
//! - [`manifest`]: the model manifest (hash, tensor specs, canonicalization, sources).
//! - [`store`]: fetching models (http, local files), hash checks, the disk cache, the LRU of
//!   loaded modules.
//! - [`backend`]: the [`backend::Backend`] trait and its libtorch implementation.
//! - [`jobs`]: the job table, the bounded queue and the inference pipeline; [`pool`]: the
//!   inference threads.
//! - [`api`]: the HTTP routes. [`metrics`]: Prometheus metrics. [`config`]: CLI and config file.
//!
//! ## Interface
//!
//! `POST /v1/jobs`, `POST /v1/batch/submit`, `GET /v1/jobs/{id}`, `POST /v1/batch/query`,
//! `GET /v1/models`, `GET /health`, `GET /metrics`; see `docs/worker.md`.

// Tests may unwrap, index and use plain arithmetic; production code may not.
#![cfg_attr(
	test,
	allow(
		clippy::unwrap_used,
		clippy::expect_used,
		clippy::indexing_slicing,
		clippy::arithmetic_side_effects
	)
)]

/// mimalloc for the whole process, libtorch included (the crate's `override` feature makes it
/// `malloc`, `free`, `posix_memalign`, … for every library): glibc's allocator spent a fifth of
/// a small model's forward pass in `malloc`, and its per-thread arenas made the finisher's frees
/// wait on the lock of the arena the inference thread's forward pass allocates from
/// (docs/worker.md, "Threads and memory"). In the library, so that the binary, its tests and
/// the examples all run on it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod affinity;
pub mod api;
pub mod backend;
pub mod config;
pub mod determinism;
pub mod error;
pub mod jobs;
pub mod manifest;
pub mod metrics;
pub mod pool;
pub mod store;

/// The libtorch version this binary was built against.
pub const LIBTORCH_VERSION: &str = env!("SYNOD_LIBTORCH_VERSION");
