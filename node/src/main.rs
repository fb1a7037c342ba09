//! `synod-node`: the Synod chain's node (BABE + GRANDPA, off-chain workers on).

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
