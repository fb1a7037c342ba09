//! `synod-node`: the Synod chain's node (Aura + GRANDPA, off-chain workers on).

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
#![warn(missing_docs)]
// `sc_cli::Error` and `sc_service::Error` are large, and their API is fixed upstream.
#![allow(clippy::result_large_err)]

mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
