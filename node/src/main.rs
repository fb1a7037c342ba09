//! `synod-node`: the Synod chain's node (Aura + GRANDPA, off-chain workers on).
#![warn(missing_docs)]

mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
