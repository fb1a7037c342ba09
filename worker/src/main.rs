//! `synod-worker`: see the crate docs (`lib.rs`) and `docs/worker.md`.

use std::sync::Arc;

use clap::Parser;
use synod_worker::{
	affinity::Affinity,
	api::{router, AppState},
	backend::{Backend, TchBackend},
	config::{Cli, Settings},
	determinism,
	jobs::{Jobs, JobsConfig},
	metrics::Metrics,
	store::{ModelStore, StoreConfig},
};

fn main() -> std::process::ExitCode {
	tracing_subscriber::fmt()
		.with_env_filter(
			tracing_subscriber::EnvFilter::try_from_default_env()
				.unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
		)
		.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
		.init();
	let settings = match Settings::load(Cli::parse()) {
		Ok(s) => s,
		Err(e) => {
			eprintln!("synod-worker: {e}");
			return std::process::ExitCode::from(2);
		},
	};
	// Pinning first: every thread started from here on inherits the main thread's CPUs.
	let pinning = settings.inference_cpus.clone().map(|c| Affinity::new(c, settings.concurrency));
	let affinity = match pinning.transpose() {
		Ok(a) => a.unwrap_or_default(),
		Err(e) => {
			eprintln!("synod-worker: --inference-cpus: {e}");
			return std::process::ExitCode::from(2);
		},
	};
	if let Err(e) = affinity.pin_rest() {
		eprintln!("synod-worker: cannot keep the other threads off the inference CPUs: {e}");
		return std::process::ExitCode::from(2);
	}
	// Process-wide libtorch settings, before any thread or CUDA context exists.
	determinism::set_deterministic(settings.deterministic);
	tch::set_num_threads(settings.threads);
	tch::set_num_interop_threads(1);

	let runtime =
		match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
			Ok(r) => r,
			Err(e) => {
				eprintln!("synod-worker: cannot start the async runtime: {e}");
				return std::process::ExitCode::FAILURE;
			},
		};
	match runtime.block_on(serve(settings, affinity)) {
		Ok(()) => std::process::ExitCode::SUCCESS,
		Err(e) => {
			tracing::error!("{e:#}");
			std::process::ExitCode::FAILURE
		},
	}
}

async fn serve(s: Settings, affinity: Affinity) -> anyhow::Result<()> {
	let backend = TchBackend::new(s.device, s.perturb_outputs).map_err(anyhow::Error::msg)?;
	let device = backend.device();
	if s.perturb_outputs != 0.0 {
		tracing::warn!(
			delta = s.perturb_outputs,
			"TESTING: every output is perturbed; this worker lies"
		);
	}
	if !s.listen.ip().is_loopback() {
		tracing::warn!(listen = %s.listen, "listening beyond loopback: the API has no authentication");
	}
	let metrics = Arc::new(Metrics::new());
	let store = Arc::new(ModelStore::new(
		StoreConfig {
			models_dir: s.models_dir.clone(),
			cache_dir: s.cache_dir.clone(),
			max_loaded: s.max_loaded,
			max_model_bytes: s.max_model_bytes,
			fetch_timeout: s.fetch_timeout,
		},
		Arc::new(backend),
		metrics.clone(),
	)?);
	let jobs = Arc::new(Jobs::new(
		store.clone(),
		metrics.clone(),
		device.clone(),
		JobsConfig {
			concurrency: s.concurrency,
			max_queue: s.max_queue,
			retain: s.retain,
			affinity,
		},
	)?);
	let state = AppState {
		jobs: jobs.clone(),
		store,
		metrics,
		device: device.clone(),
		deterministic: determinism::is_deterministic(),
		threads: s.threads,
		inference_cpus: s.inference_cpus.clone(),
	};
	let listener = tokio::net::TcpListener::bind(s.listen).await?;
	tracing::info!(
		listen = %listener.local_addr()?,
		%device,
		cuda_devices = TchBackend::cuda_device_count(),
		libtorch = synod_worker::LIBTORCH_VERSION,
		deterministic = state.deterministic,
		threads = s.threads,
		inference_cpus = ?s.inference_cpus,
		"synod-worker ready"
	);
	axum::serve(listener, router(state)).with_graceful_shutdown(shutdown(jobs.clone())).await?;
	// Let running inferences finish so that no half-done job is lost mid-write.
	let stopping = std::time::Instant::now();
	while jobs.active() > 0 && stopping.elapsed() < std::time::Duration::from_secs(30) {
		tokio::time::sleep(std::time::Duration::from_millis(100)).await;
	}
	tracing::info!(unfinished = jobs.active(), "synod-worker stopped");
	Ok(())
}

async fn shutdown(jobs: Arc<Jobs>) {
	let ctrl_c = tokio::signal::ctrl_c();
	#[cfg(unix)]
	let term = async {
		match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
			Ok(mut s) => {
				s.recv().await;
			},
			Err(_) => std::future::pending::<()>().await,
		}
	};
	#[cfg(not(unix))]
	let term = std::future::pending::<()>();
	tokio::select! {
		_ = ctrl_c => {},
		_ = term => {},
	}
	tracing::info!("shutting down: no new jobs");
	jobs.close();
}
