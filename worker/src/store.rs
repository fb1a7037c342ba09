//! The model store: where model bytes come from, how they are checked, and which modules stay
//! loaded.
//!
//! A model is known by the blake2-256 hash of its TorchScript file. To run one, the store
//! 1. looks in its disk cache (`<cache>/<hash>.pt`, written only after a hash check),
//! 2. else tries the manifest's sources in order (`http(s)://`, `file://`, or a path relative to
//!    the models dir), with a size cap and progress logs for long downloads,
//! 3. checks the hash of the bytes **before** handing them to libtorch,
//! 4. loads them on the backend's device and keeps the module in an LRU of loaded modules.
//!
//! Concurrent jobs for one model share one fetch and one load.

use std::{
	collections::HashMap,
	io::Read,
	num::NonZeroUsize,
	path::{Path, PathBuf},
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};

use synod_primitives::digest::Hash32;

use crate::{
	backend::{Backend, Loaded},
	error::JobError,
	manifest::Model,
	metrics::Metrics,
};

/// Store settings.
#[derive(Debug, Clone)]
pub struct StoreConfig {
	/// Local models folder: manifests (`*.json`) and relative sources.
	pub models_dir: Option<PathBuf>,
	/// Disk cache of verified model files.
	pub cache_dir: PathBuf,
	/// Loaded modules kept in memory.
	pub max_loaded: usize,
	/// Largest model file accepted, in bytes.
	pub max_model_bytes: u64,
	/// Per-source download timeout.
	pub fetch_timeout: Duration,
}

/// Models known to the worker and modules loaded on its device.
pub struct ModelStore {
	cfg: StoreConfig,
	backend: Arc<dyn Backend>,
	metrics: Arc<Metrics>,
	/// Manifests registered from the models dir or seen in jobs, by hash.
	known: Mutex<HashMap<Hash32, Model>>,
	loaded: Mutex<lru::LruCache<Hash32, Arc<dyn Loaded>>>,
	/// One lock per hash, so that concurrent jobs fetch and load a model once.
	inflight: Mutex<HashMap<Hash32, Arc<tokio::sync::Mutex<()>>>>,
}

/// What `GET /v1/models` reports of a model.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ModelInfo {
	/// The manifest's name.
	pub name: String,
	/// The hash (hex).
	pub hash: String,
	/// Whether a verified copy is in the disk cache.
	pub cached: bool,
	/// Whether the module is loaded on the device.
	pub loaded: bool,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
	// A panic while holding one of these locks cannot leave the maps inconsistent (every
	// critical section is a single insert/get), so a poisoned lock is still usable.
	m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl ModelStore {
	/// A store over `backend`; creates the cache dir and registers the models dir's manifests.
	pub fn new(
		cfg: StoreConfig,
		backend: Arc<dyn Backend>,
		metrics: Arc<Metrics>,
	) -> anyhow::Result<Self> {
		std::fs::create_dir_all(&cfg.cache_dir)?;
		let cap = NonZeroUsize::new(cfg.max_loaded.max(1)).unwrap_or(NonZeroUsize::MIN);
		let store = ModelStore {
			cfg,
			backend,
			metrics,
			known: Mutex::new(HashMap::new()),
			loaded: Mutex::new(lru::LruCache::new(cap)),
			inflight: Mutex::new(HashMap::new()),
		};
		store.scan_models_dir();
		Ok(store)
	}

	/// Registers every `*.json` manifest of the models dir; bad ones are logged and skipped.
	fn scan_models_dir(&self) {
		let Some(dir) = &self.cfg.models_dir else { return };
		let Ok(entries) = std::fs::read_dir(dir) else {
			tracing::warn!(dir = %dir.display(), "models dir is not readable");
			return;
		};
		for path in entries.flatten().map(|e| e.path()) {
			if path.extension().and_then(|e| e.to_str()) != Some("json") {
				continue;
			}
			// A manifest is a JSON object with a `hash`; other JSON files (inputs, notes) are
			// not ours to judge.
			let value: serde_json::Value = match std::fs::read_to_string(&path)
				.map_err(|e| e.to_string())
				.and_then(|s| serde_json::from_str(&s).map_err(|e| e.to_string()))
			{
				Ok(v) => v,
				Err(e) => {
					tracing::warn!(file = %path.display(), "skipping unreadable JSON: {e}");
					continue;
				},
			};
			if value.get("hash").is_none() {
				tracing::debug!(file = %path.display(), "not a manifest (no hash)");
				continue;
			}
			let parsed = serde_json::from_value(value)
				.map_err(|e| e.to_string())
				.and_then(|m| Model::from_manifest(m).map_err(|e| e.to_string()));
			match parsed {
				Ok(model) => {
					tracing::info!(name = %model.manifest.name, hash = %model.hash_hex(), "registered model");
					self.remember(&model);
				},
				Err(e) => tracing::warn!(file = %path.display(), "skipping manifest: {e}"),
			}
		}
	}

	/// Remembers a manifest (from a job or the models dir).
	pub fn remember(&self, model: &Model) {
		lock(&self.known).entry(model.hash).or_insert_with(|| model.clone());
	}

	/// A known manifest by hash.
	pub fn known(&self, hash: &Hash32) -> Option<Model> {
		lock(&self.known).get(hash).cloned()
	}

	/// Known models with their cache and load state.
	pub fn list(&self) -> Vec<ModelInfo> {
		let known: Vec<Model> = lock(&self.known).values().cloned().collect();
		let loaded = lock(&self.loaded);
		let mut out: Vec<ModelInfo> = known
			.iter()
			.map(|m| ModelInfo {
				name: m.manifest.name.clone(),
				hash: m.hash_hex(),
				cached: self.cache_path(&m.hash).exists(),
				loaded: loaded.contains(&m.hash),
			})
			.collect();
		out.sort_by(|a, b| a.name.cmp(&b.name).then(a.hash.cmp(&b.hash)));
		out
	}

	/// Number of modules loaded on the device.
	pub fn loaded_count(&self) -> usize {
		lock(&self.loaded).len()
	}

	fn cache_path(&self, hash: &Hash32) -> PathBuf {
		self.cfg.cache_dir.join(format!("{}.pt", hex::encode(hash)))
	}

	/// The loaded module for `model`: from the LRU, or fetched, checked and loaded.
	pub async fn get(self: &Arc<Self>, model: &Model) -> Result<Arc<dyn Loaded>, JobError> {
		if let Some(m) = lock(&self.loaded).get(&model.hash) {
			return Ok(m.clone());
		}
		let gate = lock(&self.inflight).entry(model.hash).or_default().clone();
		let _held = gate.lock().await;
		if let Some(m) = lock(&self.loaded).get(&model.hash) {
			return Ok(m.clone());
		}
		let store = self.clone();
		let model = model.clone();
		let loaded = tokio::task::spawn_blocking(move || store.fetch_and_load(&model))
			.await
			.map_err(|e| JobError::ModelLoad(format!("loader task failed: {e}")))??;
		Ok(loaded)
	}

	fn fetch_and_load(&self, model: &Model) -> Result<Arc<dyn Loaded>, JobError> {
		let bytes = self.bytes_for(model)?;
		let started = Instant::now();
		let loaded = self.backend.load(&bytes)?;
		tracing::info!(
			name = %model.manifest.name,
			hash = %model.hash_hex(),
			device = %self.backend.device(),
			ms = started.elapsed().as_millis() as u64,
			"model loaded"
		);
		lock(&self.loaded).put(model.hash, loaded.clone());
		self.metrics.models_loaded.set(i64::try_from(self.loaded_count()).unwrap_or(i64::MAX));
		Ok(loaded)
	}

	/// Verified bytes of a model: from the cache, else from its sources (then cached).
	fn bytes_for(&self, model: &Model) -> Result<Vec<u8>, JobError> {
		let cached = self.cache_path(&model.hash);
		if let Ok(bytes) = std::fs::read(&cached) {
			if synod_primitives::digest::input_hash(&bytes) == model.hash {
				return Ok(bytes);
			}
			tracing::warn!(file = %cached.display(), "cached model is corrupt; fetching again");
			let _ = std::fs::remove_file(&cached);
		}
		if model.manifest.sources.is_empty() {
			return Err(JobError::ModelUnavailable(format!(
				"{} is not cached and its manifest lists no sources",
				model.hash_hex()
			)));
		}
		let mut reasons = Vec::new();
		for source in &model.manifest.sources {
			let bytes = match self.read_source(source) {
				Ok(b) => b,
				Err(e) => {
					tracing::warn!(%source, "model source failed: {e}");
					reasons.push(format!("{source}: {e}"));
					continue;
				},
			};
			let actual = synod_primitives::digest::input_hash(&bytes);
			if actual != model.hash {
				// Wrong bytes are an answer, not an outage: report them, never load them.
				return Err(JobError::HashMismatch {
					expected: model.hash_hex(),
					actual: hex::encode(actual),
				});
			}
			self.write_cache(&cached, &bytes);
			return Ok(bytes);
		}
		Err(JobError::ModelUnavailable(reasons.join("; ")))
	}

	fn write_cache(&self, path: &Path, bytes: &[u8]) {
		let tmp = path.with_extension("pt.partial");
		let result = std::fs::write(&tmp, bytes).and_then(|_| std::fs::rename(&tmp, path));
		if let Err(e) = result {
			tracing::warn!(file = %path.display(), "could not cache model: {e}");
		}
	}

	fn read_source(&self, source: &str) -> Result<Vec<u8>, String> {
		if source.starts_with("http://") || source.starts_with("https://") {
			return self.download(source);
		}
		let path = match source.strip_prefix("file://") {
			Some(p) => PathBuf::from(p),
			None if Path::new(source).is_absolute() => PathBuf::from(source),
			None => match &self.cfg.models_dir {
				Some(dir) => dir.join(source),
				None => return Err("relative source but no models dir".into()),
			},
		};
		let len = std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
		if len > self.cfg.max_model_bytes {
			return Err(format!("{len} bytes is above the limit {}", self.cfg.max_model_bytes));
		}
		std::fs::read(&path).map_err(|e| e.to_string())
	}

	fn download(&self, url: &str) -> Result<Vec<u8>, String> {
		let agent = ureq::AgentBuilder::new()
			.timeout_connect(Duration::from_secs(10))
			.timeout(self.cfg.fetch_timeout)
			.build();
		let resp = agent.get(url).call().map_err(|e| e.to_string())?;
		let total: Option<u64> = resp.header("Content-Length").and_then(|v| v.parse().ok());
		if total.is_some_and(|t| t > self.cfg.max_model_bytes) {
			return Err(format!("{} bytes is above the limit", total.unwrap_or_default()));
		}
		let mut reader = resp.into_reader().take(self.cfg.max_model_bytes.saturating_add(1));
		let mut bytes = Vec::with_capacity(usize::try_from(total.unwrap_or(0)).unwrap_or(0));
		let mut buf = vec![0u8; 1 << 20];
		let (started, mut last_log) = (Instant::now(), Instant::now());
		loop {
			let n = reader.read(&mut buf).map_err(|e| e.to_string())?;
			if n == 0 {
				break;
			}
			bytes.extend_from_slice(buf.get(..n).unwrap_or_default());
			self.metrics.fetch_bytes.inc_by(n as u64);
			if last_log.elapsed() >= Duration::from_secs(2) {
				last_log = Instant::now();
				let done = bytes.len() as u64;
				let pct = total.map(|t| done.saturating_mul(100).checked_div(t).unwrap_or(100));
				tracing::info!(
					%url,
					bytes = done,
					total = ?total,
					percent = ?pct,
					mib_per_s = done as f64 / 1048576.0 / started.elapsed().as_secs_f64(),
					"downloading model"
				);
			}
		}
		if bytes.len() as u64 > self.cfg.max_model_bytes {
			return Err(format!("more than {} bytes", self.cfg.max_model_bytes));
		}
		tracing::info!(%url, bytes = bytes.len(), secs = started.elapsed().as_secs_f64(), "downloaded model");
		Ok(bytes)
	}
}
