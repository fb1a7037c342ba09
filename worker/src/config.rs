//! Settings: command line, then an optional TOML config file, then defaults.
//!
//! ```toml
//! # synod-worker.toml: every key is optional
//! listen = "127.0.0.1:7400"
//! device = "auto"          # auto | cpu | cuda | cuda:N
//! threads = 1              # libtorch intra-op threads (part of the determinism class)
//! concurrency = 1          # inferences at once
//! inference_cpus = "0"     # pin inference threads to these CPUs; other threads avoid them
//! max_queue = 1024
//! retain = 10000           # finished jobs kept readable
//! models_dir = "/var/lib/synod/models"
//! cache_dir = "/var/cache/synod/models"
//! max_loaded = 4
//! max_model_bytes = 2147483648
//! fetch_timeout_secs = 600
//! deterministic = true
//! ```

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::Parser;
use serde::Deserialize;

use crate::backend::DeviceChoice;

/// `synod-worker` command line. Flags override the config file.
#[derive(Debug, Clone, Parser)]
#[command(name = "synod-worker", version, about = "Synod's libtorch inference daemon")]
pub struct Cli {
	/// TOML config file.
	#[arg(long, env = "SYNOD_WORKER_CONFIG")]
	pub config: Option<PathBuf>,
	/// Address to listen on (keep it on loopback: the API has no authentication).
	#[arg(long)]
	pub listen: Option<SocketAddr>,
	/// Device: auto, cpu, cuda or cuda:N.
	#[arg(long)]
	pub device: Option<String>,
	/// libtorch intra-op threads.
	#[arg(long)]
	pub threads: Option<i32>,
	/// Inferences run at once.
	#[arg(long)]
	pub concurrency: Option<usize>,
	/// Pins inference thread i to the i-th CPU of this list (`0`, `0,2`, `0-3`); the worker's
	/// other threads (HTTP, the finisher) then run on the CPUs left. Unpinned by default.
	#[arg(long)]
	pub inference_cpus: Option<String>,
	/// Jobs queued or running at most; more are refused with 503.
	#[arg(long)]
	pub max_queue: Option<usize>,
	/// Finished jobs kept readable.
	#[arg(long)]
	pub retain: Option<usize>,
	/// Folder of model manifests (`*.json`) and files.
	#[arg(long)]
	pub models_dir: Option<PathBuf>,
	/// Disk cache of verified model files.
	#[arg(long)]
	pub cache_dir: Option<PathBuf>,
	/// Loaded modules kept in memory (LRU).
	#[arg(long)]
	pub max_loaded: Option<usize>,
	/// Largest model file accepted, in bytes.
	#[arg(long)]
	pub max_model_bytes: Option<u64>,
	/// Per-source download timeout, seconds.
	#[arg(long)]
	pub fetch_timeout_secs: Option<u64>,
	/// Turn deterministic mode off (faster kernels, results may vary run to run).
	#[arg(long)]
	pub nondeterministic: bool,
	/// TESTING ONLY: add this value to every floating output element, to play a dishonest
	/// provider in network tests.
	#[arg(long, hide = true)]
	pub perturb_outputs: Option<f64>,
}

/// The config file; every key optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
	listen: Option<SocketAddr>,
	device: Option<String>,
	threads: Option<i32>,
	concurrency: Option<usize>,
	inference_cpus: Option<String>,
	max_queue: Option<usize>,
	retain: Option<usize>,
	models_dir: Option<PathBuf>,
	cache_dir: Option<PathBuf>,
	max_loaded: Option<usize>,
	max_model_bytes: Option<u64>,
	fetch_timeout_secs: Option<u64>,
	deterministic: Option<bool>,
}

/// Final settings.
#[derive(Debug, Clone)]
pub struct Settings {
	/// Listen address.
	pub listen: SocketAddr,
	/// Device choice.
	pub device: DeviceChoice,
	/// libtorch threads.
	pub threads: i32,
	/// Inferences at once.
	pub concurrency: usize,
	/// CPUs of the inference threads (`None`: not pinned).
	pub inference_cpus: Option<Vec<usize>>,
	/// Queue bound.
	pub max_queue: usize,
	/// Finished jobs kept.
	pub retain: usize,
	/// Models folder.
	pub models_dir: Option<PathBuf>,
	/// Cache folder.
	pub cache_dir: PathBuf,
	/// LRU size.
	pub max_loaded: usize,
	/// Model size cap.
	pub max_model_bytes: u64,
	/// Download timeout.
	pub fetch_timeout: Duration,
	/// Deterministic mode.
	pub deterministic: bool,
	/// Testing only: output perturbation.
	pub perturb_outputs: f64,
}

fn default_cache_dir() -> PathBuf {
	std::env::var_os("XDG_CACHE_HOME")
		.map(PathBuf::from)
		.or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
		.unwrap_or_else(|| PathBuf::from("."))
		.join("synod")
		.join("models")
}

impl Settings {
	/// Merges the command line over the config file over defaults, and checks the result.
	pub fn load(cli: Cli) -> Result<Self, String> {
		let file: FileConfig = match &cli.config {
			Some(path) => {
				let text = std::fs::read_to_string(path)
					.map_err(|e| format!("config {}: {e}", path.display()))?;
				toml::from_str(&text).map_err(|e| format!("config {}: {e}", path.display()))?
			},
			None => FileConfig::default(),
		};
		let device_name = cli.device.or(file.device).unwrap_or_else(|| "auto".into());
		let s = Settings {
			listen: cli
				.listen
				.or(file.listen)
				.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 7400))),
			device: device_name.parse()?,
			threads: cli.threads.or(file.threads).unwrap_or(1),
			concurrency: cli.concurrency.or(file.concurrency).unwrap_or(1),
			inference_cpus: cli
				.inference_cpus
				.or(file.inference_cpus)
				.map(|list| crate::affinity::parse_cpus(&list))
				.transpose()?,
			max_queue: cli.max_queue.or(file.max_queue).unwrap_or(1024),
			retain: cli.retain.or(file.retain).unwrap_or(10_000),
			models_dir: cli.models_dir.or(file.models_dir),
			cache_dir: cli.cache_dir.or(file.cache_dir).unwrap_or_else(default_cache_dir),
			max_loaded: cli.max_loaded.or(file.max_loaded).unwrap_or(4),
			max_model_bytes: cli.max_model_bytes.or(file.max_model_bytes).unwrap_or(2 << 30),
			fetch_timeout: Duration::from_secs(
				cli.fetch_timeout_secs.or(file.fetch_timeout_secs).unwrap_or(600),
			),
			deterministic: !cli.nondeterministic && file.deterministic.unwrap_or(true),
			perturb_outputs: cli.perturb_outputs.unwrap_or(0.0),
		};
		if !(1..=256).contains(&s.threads) {
			return Err(format!("threads must be 1 to 256, got {}", s.threads));
		}
		if s.concurrency == 0 || s.max_queue == 0 || s.max_loaded == 0 {
			return Err("concurrency, max_queue and max_loaded must be at least 1".into());
		}
		if !s.perturb_outputs.is_finite() {
			return Err("perturb_outputs must be finite".into());
		}
		Ok(s)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn flags_override_the_file_and_defaults_fill_the_rest() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("w.toml");
		std::fs::write(&path, "threads = 3\ndevice = \"cpu\"\nmax_queue = 7\n").unwrap();
		let cli =
			Cli::parse_from(["synod-worker", "--config", path.to_str().unwrap(), "--threads", "2"]);
		let s = Settings::load(cli).unwrap();
		assert_eq!(s.threads, 2);
		assert_eq!(s.inference_cpus, None);
		assert_eq!(s.device, DeviceChoice::Cpu);
		assert_eq!(s.max_queue, 7);
		assert_eq!(s.listen.to_string(), "127.0.0.1:7400");
		assert!(s.deterministic);
	}

	#[test]
	fn bad_config_is_a_clear_error() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("w.toml");
		std::fs::write(&path, "thread = 3\n").unwrap();
		let cli = Cli::parse_from(["synod-worker", "--config", path.to_str().unwrap()]);
		assert!(Settings::load(cli).unwrap_err().contains("unknown field"));
		let cli = Cli::parse_from(["synod-worker", "--device", "tpu"]);
		assert!(Settings::load(cli).is_err());
		let cli = Cli::parse_from(["synod-worker", "--threads", "0"]);
		assert!(Settings::load(cli).is_err());
		let cli = Cli::parse_from(["synod-worker", "--inference-cpus", "1-0"]);
		assert!(Settings::load(cli).unwrap_err().contains("backwards"));
	}
}
