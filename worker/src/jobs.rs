//! The job table and the inference pipeline.
//!
//! `submit` checks a request and answers at once; a task per job then gets the model from the
//! store and queues the job for the inference threads (`pool`, `concurrency` of them), which
//! run it, check the output against the manifest, quantize it and compute the canonical digest.
//! Finished jobs stay readable until `retain` newer ones have finished.

use std::{
	collections::{HashMap, VecDeque},
	sync::{
		atomic::{AtomicBool, AtomicU64, Ordering},
		Arc, Mutex,
	},
	time::Instant,
};

use base64::Engine;
use serde::{Deserialize, Serialize};
use synod_primitives::digest::{input_hash, output_digest, quantize_le_bytes};

use crate::{
	backend::RawTensor,
	error::JobError,
	manifest::{parse_hash, Model},
	metrics::{KindLabel, Metrics},
	pool::InferencePool,
	store::ModelStore,
};

pub use synod_primitives::worker_api::{JobRequest, OutputView, Status};

/// Longest accepted job id.
pub const MAX_ID_LEN: usize = synod_primitives::limits::MAX_JOB_ID_LEN as usize;

/// Milliseconds spent in each phase.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
	/// Waiting for an inference thread.
	pub queued_ms: f64,
	/// Getting the model (0 when already loaded).
	pub model_ms: f64,
	/// Forward pass incl. host/device copies.
	pub inference_ms: f64,
	/// Quantization and digest.
	pub digest_ms: f64,
	/// Submission to result.
	pub total_ms: f64,
}

/// A job as `GET /v1/jobs/{id}` shows it: the protocol's view and the phase timings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JobView {
	/// What the protocol defines (`synod_primitives::worker_api::JobView`).
	#[serde(flatten)]
	pub job: synod_primitives::worker_api::JobView,
	/// Phase timings.
	pub timings: Timings,
}

/// How `submit` went.
#[derive(Debug)]
pub enum Submitted {
	/// A new job, queued.
	Accepted(JobView),
	/// A job with this id exists already: its current view.
	Existing(JobView),
	/// The request was refused; the failed job is recorded under its id.
	Rejected(JobView),
}

struct Table {
	jobs: HashMap<String, JobView>,
	finished: VecDeque<String>,
	active: usize,
}

/// Limits of the job pipeline.
#[derive(Debug, Clone)]
pub struct JobsConfig {
	/// Inference runs at once.
	pub concurrency: usize,
	/// Jobs queued or running at most.
	pub max_queue: usize,
	/// Finished jobs kept readable.
	pub retain: usize,
	/// CPU pinning of the inference threads.
	pub affinity: crate::affinity::Affinity,
}

/// The job table and pipeline.
pub struct Jobs {
	table: Mutex<Table>,
	store: Arc<ModelStore>,
	metrics: Arc<Metrics>,
	pool: InferencePool,
	/// One thread that finishes jobs after their forward pass (see `pool`).
	finisher: Arc<InferencePool>,
	cfg: JobsConfig,
	device: String,
	next_id: AtomicU64,
	closing: AtomicBool,
}

fn ms(since: Instant) -> f64 {
	since.elapsed().as_secs_f64() * 1000.0
}

fn valid_id(id: &str) -> bool {
	!id.is_empty()
		&& id.len() <= MAX_ID_LEN
		&& id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

impl Jobs {
	/// A pipeline over `store`, with `cfg.concurrency` inference threads.
	pub fn new(
		store: Arc<ModelStore>,
		metrics: Arc<Metrics>,
		device: String,
		cfg: JobsConfig,
	) -> std::io::Result<Self> {
		Ok(Jobs {
			table: Mutex::new(Table { jobs: HashMap::new(), finished: VecDeque::new(), active: 0 }),
			store,
			metrics,
			pool: {
				let affinity = cfg.affinity.clone();
				InferencePool::named("inference", cfg.concurrency, move |i| {
					if let Err(e) = affinity.pin_inference(i) {
						tracing::warn!("inference thread {i} stays unpinned: {e}");
					}
				})?
			},
			finisher: Arc::new(InferencePool::named("finisher", 1, |_| {})?),
			cfg,
			device,
			next_id: AtomicU64::new(1),
			closing: AtomicBool::new(false),
		})
	}

	fn table(&self) -> std::sync::MutexGuard<'_, Table> {
		// Critical sections are single map updates; a poisoned lock holds consistent data.
		self.table.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
	}

	/// A job's current view.
	pub fn get(&self, id: &str) -> Option<JobView> {
		self.table().jobs.get(id).cloned()
	}

	/// Jobs queued or running.
	pub fn active(&self) -> usize {
		self.table().active
	}

	/// Stops taking jobs (graceful shutdown); queued inferences still run.
	pub fn close(&self) {
		self.closing.store(true, Ordering::SeqCst);
		self.pool.close();
	}

	/// Submits many jobs at once (`POST /v1/batch/submit`): each as `submit` would, in order.
	pub fn submit_many(
		self: &Arc<Self>,
		reqs: Vec<JobRequest>,
	) -> Vec<Result<Submitted, JobError>> {
		reqs.into_iter().map(|r| self.submit(r)).collect()
	}

	/// The current views of many jobs (`POST /v1/batch/query`), `None` for unknown ids.
	pub fn get_many(&self, ids: &[String]) -> Vec<Option<JobView>> {
		let table = self.table();
		ids.iter().map(|id| table.jobs.get(id).cloned()).collect()
	}

	/// Checks a request, records the job and queues it. Returns at once.
	pub fn submit(self: &Arc<Self>, req: JobRequest) -> Result<Submitted, JobError> {
		if self.closing.load(Ordering::SeqCst) {
			return Err(JobError::ShuttingDown);
		}
		let id = match req.id.clone() {
			Some(id) if valid_id(&id) => id,
			Some(_) => {
				return Err(JobError::InvalidRequest(format!(
					"id must be 1 to {MAX_ID_LEN} characters of [A-Za-z0-9-_.:]"
				)))
			},
			None => format!("job-{}", self.next_id.fetch_add(1, Ordering::Relaxed)),
		};
		if let Some(existing) = self.get(&id) {
			return Ok(Submitted::Existing(existing));
		}
		let mut view = JobView {
			job: synod_primitives::worker_api::JobView {
				device: self.device.clone(),
				error: None,
				id: id.clone(),
				input_hash: None,
				model_hash: None,
				output: None,
				status: Status::Queued,
			},
			timings: Timings::default(),
		};
		let checked = self.check(&req, &mut view);
		let mut table = self.table();
		if table.jobs.contains_key(&id) {
			return Ok(Submitted::Existing(table.jobs.get(&id).cloned().unwrap_or(view)));
		}
		match checked {
			Err(e) => {
				self.metrics.error(e.kind());
				self.metrics.jobs.get_or_create(&KindLabel { kind: "failed".into() }).inc();
				view.job.status = Status::Failed;
				view.job.error = Some(e.body());
				self.finish_locked(&mut table, view.clone());
				Ok(Submitted::Rejected(view))
			},
			Ok((model, input)) => {
				if table.active >= self.cfg.max_queue {
					return Err(JobError::QueueFull(table.active));
				}
				table.active = table.active.saturating_add(1);
				self.metrics.queue_depth.set(i64::try_from(table.active).unwrap_or(i64::MAX));
				table.jobs.insert(id.clone(), view.clone());
				drop(table);
				let jobs = self.clone();
				tokio::spawn(async move { jobs.run(id, model, input).await });
				Ok(Submitted::Accepted(view))
			},
		}
	}

	/// Resolves the model and decodes the input against its manifest.
	fn check(&self, req: &JobRequest, view: &mut JobView) -> Result<(Model, RawTensor), JobError> {
		let mut model = match (&req.model, &req.model_hash) {
			(Some(m), _) => {
				let model = Model::from_manifest(m.clone())?;
				if let Some(h) = &req.model_hash {
					if parse_hash(h)? != model.hash {
						return Err(JobError::InvalidRequest(
							"model_hash differs from the manifest's hash".into(),
						));
					}
				}
				self.store.remember(&model);
				model
			},
			(None, Some(h)) => {
				let hash = parse_hash(h)?;
				self.store.known(&hash).ok_or_else(|| {
					JobError::InvalidRequest(format!(
						"model {} is unknown here: send its manifest as `model`",
						hex::encode(hash)
					))
				})?
			},
			(None, None) => {
				return Err(JobError::InvalidRequest("give `model` or `model_hash`".into()))
			},
		};
		view.job.model_hash = Some(model.hash_hex());
		if let Some(id) = &req.model_id {
			model.digest_id = parse_hash(id)?;
		}
		let data = match (&req.input_b64, &req.input_hex) {
			(Some(b), None) => base64::engine::general_purpose::STANDARD
				.decode(b)
				.map_err(|e| JobError::InvalidInput(format!("input_b64: {e}")))?,
			(None, Some(h)) => hex::decode(h.strip_prefix("0x").unwrap_or(h))
				.map_err(|e| JobError::InvalidInput(format!("input_hex: {e}")))?,
			_ => {
				return Err(JobError::InvalidRequest(
					"give exactly one of input_b64, input_hex".into(),
				))
			},
		};
		view.job.input_hash = Some(hex::encode(input_hash(&data)));
		let max = usize::try_from(model.manifest.max_input_bytes).unwrap_or(usize::MAX);
		if data.len() > max {
			return Err(JobError::InvalidInput(format!(
				"{} bytes is above the model's limit of {max}",
				data.len()
			)));
		}
		let shape = model.input.resolve("input", data.len()).map_err(JobError::InvalidInput)?;
		let input = RawTensor { dtype: model.input.dtype, shape, data };
		Ok((model, input))
	}

	fn update(&self, id: &str, f: impl FnOnce(&mut JobView)) {
		if let Some(v) = self.table().jobs.get_mut(id) {
			f(v)
		}
	}

	fn finish_locked(&self, table: &mut Table, view: JobView) {
		table.finished.push_back(view.job.id.clone());
		table.jobs.insert(view.job.id.clone(), view);
		self.retire_locked(table);
	}

	/// Forgets the oldest finished jobs beyond `retain`.
	fn retire_locked(&self, table: &mut Table) {
		while table.finished.len() > self.cfg.retain {
			if let Some(old) = table.finished.pop_front() {
				table.jobs.remove(&old);
			}
		}
	}

	/// A job's life after `submit`: the model from the store (async: it may be downloaded),
	/// then an inference thread runs the forward pass and hands the rest (status, digest,
	/// result, metrics) to the finisher thread, so it goes on to the next job at once, without
	/// waiting for the async side or the job table's lock.
	async fn run(self: Arc<Self>, id: String, model: Model, input: RawTensor) {
		let pending = Pending { jobs: self.clone(), id, submitted: Instant::now(), done: false };
		let t = Instant::now();
		let loaded = match self.store.get(&model).await {
			Ok(loaded) => loaded,
			Err(e) => return pending.finish(Err(e), Timings::default()),
		};
		let model_ms = ms(t);
		let finisher = self.finisher.clone();
		// A closed pool drops the closure, and with it `pending`, which fails the job.
		self.pool.spawn(move || {
			let queued_ms = ms(pending.submitted);
			let (jobs, id) = (pending.jobs.clone(), pending.id.clone());
			// In order on the one finisher thread: `running` is never shown after the result.
			finisher.spawn(move || {
				jobs.update(&id, |v| {
					v.job.status = Status::Running;
					v.timings.queued_ms = queued_ms;
				})
			});
			let t = Instant::now();
			let raw = loaded.run(&input);
			let infer_s = t.elapsed().as_secs_f64();
			// The finisher is never closed while jobs run; were it gone, dropping this
			// closure drops `pending`, which fails the job.
			finisher.spawn(move || {
				if raw.is_ok() {
					pending.jobs.metrics.inference_seconds.observe(infer_s);
				}
				let t = Instant::now();
				let result = raw.and_then(|raw| canonicalize(&model, &input, raw));
				let timings = Timings {
					queued_ms,
					model_ms,
					inference_ms: infer_s * 1000.0,
					digest_ms: ms(t),
					total_ms: 0.0,
				};
				pending.finish(result, timings);
			});
		});
	}

	/// Records the end of job `id`: its result, timings and metrics; frees its queue place.
	fn complete(
		&self,
		id: &str,
		submitted: Instant,
		result: Result<OutputView, JobError>,
		timings: Timings,
	) {
		let mut table = self.table();
		table.active = table.active.saturating_sub(1);
		self.metrics.queue_depth.set(i64::try_from(table.active).unwrap_or(i64::MAX));
		self.metrics.job_seconds.observe(submitted.elapsed().as_secs_f64());
		let Some(view) = table.jobs.get_mut(id) else { return };
		view.timings = Timings { total_ms: ms(submitted), ..timings };
		let status = match result {
			Ok(output) => {
				view.job.status = Status::Succeeded;
				view.job.output = Some(output);
				"succeeded"
			},
			Err(e) => {
				tracing::warn!(job = %id, kind = e.kind(), "job failed: {e}");
				self.metrics.error(e.kind());
				view.job.status = Status::Failed;
				view.job.error = Some(e.body());
				"failed"
			},
		};
		self.metrics.jobs.get_or_create(&KindLabel { kind: status.into() }).inc();
		table.finished.push_back(id.to_owned());
		self.retire_locked(&mut table);
	}
}

/// A job handed to the pipeline: finished exactly once, by `finish`, or when dropped without
/// it (the inference panicked, or the pool was closed) as failed.
struct Pending {
	jobs: Arc<Jobs>,
	id: String,
	submitted: Instant,
	done: bool,
}

impl Pending {
	fn finish(mut self, result: Result<OutputView, JobError>, timings: Timings) {
		self.done = true;
		self.jobs.complete(&self.id, self.submitted, result, timings);
	}
}

impl Drop for Pending {
	fn drop(&mut self) {
		if !self.done {
			let e = JobError::Inference("the inference thread failed or stopped".into());
			self.jobs.complete(&self.id, self.submitted, Err(e), Timings::default());
		}
	}
}

/// Checks an output against the manifest, quantizes it and computes its digest.
pub fn canonicalize(
	model: &Model,
	input: &RawTensor,
	raw: RawTensor,
) -> Result<OutputView, JobError> {
	if raw.dtype != model.output.dtype {
		return Err(JobError::InvalidOutput(format!(
			"model returned {}, manifest says {}",
			raw.dtype.name(),
			model.output.dtype.name()
		)));
	}
	let batch_ok = match (model.input.shape.first(), model.output.shape.first()) {
		(Some(None), Some(None)) => raw.shape.first() == input.shape.first(),
		_ => true,
	};
	if !model.output.matches(&raw.shape) || !batch_ok {
		return Err(JobError::InvalidOutput(format!(
			"model returned shape {:?}, manifest says {:?}",
			raw.shape, model.output.shape
		)));
	}
	let quantized =
		quantize_le_bytes(raw.dtype, &raw.shape, &raw.data, model.manifest.step_exponent)
			.map_err(|e| JobError::InvalidOutput(format!("{e:?}")))?;
	let digest = output_digest(&model.digest_id, &input_hash(&input.data), &raw.shape, &quantized);
	Ok(OutputView {
		dtype: raw.dtype.name().into(),
		shape: raw.shape,
		step_exponent: model.manifest.step_exponent,
		quantized,
		digest: hex::encode(digest),
	})
}
