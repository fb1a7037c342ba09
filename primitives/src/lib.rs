//! # Synod primitives
//!
//! `no_std` types and constants shared by the Synod runtime, its pallets, the node and
//! `synod-worker`. Everything here must mean the same thing on both sides of the node/runtime
//! boundary, so it lives in one crate that both depend on.
//!
//! ## Overview
//!
//! - [`digest`]: the canonical output digest (quantization, hashing, tolerance) that providers
//!   and the runtime agree on.
//! - [`limits`]: bounds the chain, the off-chain workers and synod-worker share.
//! - `worker_api` (feature `serde`): the synod-worker HTTP protocol (request and answer
//!   bodies, the manifest's JSON form, worker job ids), used by synod-worker and by the
//!   off-chain worker.
//! - [`offchain`]: keys of the node's offchain persistent storage that the node writes and the
//!   runtime's off-chain worker reads (for example the worker URL from `--worker-url`).
//! - `crypto`, `model`, `ocw`, `provider`, `traits` (feature `frame`): the provider key type,
//!   model manifests, the off-chain workers' HTTP calls to synod-worker, determinism classes
//!   and the traits through which pallet-models, pallet-providers and pallet-jobs use each
//!   other.

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
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(rustdoc::broken_intra_doc_links)]

extern crate alloc;

pub mod digest;
pub mod limits;
pub mod offchain;
#[cfg(feature = "serde")]
pub mod worker_api;

#[cfg(feature = "frame")]
pub mod crypto;
#[cfg(feature = "frame")]
pub mod model;
#[cfg(feature = "frame")]
pub mod ocw;
#[cfg(feature = "frame")]
pub mod provider;
#[cfg(feature = "frame")]
pub mod traits;
