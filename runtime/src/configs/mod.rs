//! Pallet configurations, one module per domain.
//!
//! - [`system`] — frame-system, block weights and lengths.
//! - [`consensus`] — timestamp, BABE, GRANDPA.
//! - [`monetary`] — balances and transaction payment.
//! - [`governance`] — sudo.
//! - [`inference`] — the model registry, compute providers and jobs.
//! - [`offchain`] — signed transactions from the providers' off-chain workers.

pub mod consensus;
pub mod governance;
pub mod inference;
pub mod monetary;
pub mod offchain;
pub mod system;

pub use system::{RuntimeBlockLength, RuntimeBlockWeights};
