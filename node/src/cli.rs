//! Command line: the standard Substrate run command, Synod's flags, and subcommands.

use sc_cli::RunCmd;
use synod_primitives::offchain::DEFAULT_WORKER_URL;

/// Synod-specific node flags.
#[derive(Debug, Clone, clap::Parser)]
pub struct SynodArgs {
	/// URL of the local synod-worker that this node's off-chain worker hands jobs to.
	///
	/// Written into the node's offchain persistent storage at start-up, where the runtime's
	/// off-chain worker reads it. Must be an `http://` URL of at most 256 bytes.
	#[arg(long, value_name = "URL", default_value = DEFAULT_WORKER_URL, value_parser = parse_worker_url)]
	pub worker_url: String,
}

/// Accepts `http://` and `https://` URLs that fit the runtime's bound.
fn parse_worker_url(s: &str) -> Result<String, String> {
	if s.len() > synod_primitives::offchain::MAX_WORKER_URL_LEN {
		return Err(format!(
			"worker URL is {} bytes; the limit is {}",
			s.len(),
			synod_primitives::offchain::MAX_WORKER_URL_LEN
		));
	}
	if !(s.starts_with("http://") || s.starts_with("https://")) {
		return Err(format!("worker URL must start with http:// or https://, got {s:?}"));
	}
	Ok(s.trim_end_matches('/').to_string())
}

/// The `synod-node` command line.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	/// A subcommand; without one the node runs.
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	/// The standard Substrate node flags.
	#[clap(flatten)]
	pub run: RunCmd,

	/// Synod's own flags.
	#[clap(flatten)]
	pub synod: SynodArgs,
}

/// Subcommands.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: generate, inspect, insert keys into the keystore.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Build a chain specification (legacy; prefer `export-chain-spec`).
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Export the chain specification (JSON) of a built-in chain or a chain spec file.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Db meta columns information.
	ChainInfo(sc_cli::ChainInfoCmd),
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn worker_url_is_checked() {
		assert_eq!(parse_worker_url("http://127.0.0.1:7400/").unwrap(), "http://127.0.0.1:7400");
		assert!(parse_worker_url("ftp://x").is_err());
		assert!(parse_worker_url(&format!("http://{}", "a".repeat(300))).is_err());
	}
}
