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
//! - [`offchain`]: keys of the node's offchain persistent storage that the node writes and the
//!   runtime's off-chain worker reads (for example the worker URL from `--worker-url`).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod digest;
pub mod offchain;
