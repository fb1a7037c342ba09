//! The synod-worker HTTP client: handing jobs over and reading their results, on the
//! protocol types of `synod_primitives::worker_api` (the ones synod-worker serves).

use alloc::{format, string::String, vec::Vec};
use frame_support::BoundedVec;
use synod_primitives::{
	digest::{element_count, input_hash, output_digest, unservable_digest, Hash32, Unservable},
	model::ModelManifest,
	ocw,
	traits::ModelRegistry,
	worker_api::{
		hex, member_id, parse_hash32, worker_job_id, BatchAnswer, BatchQuery, BatchSubmit,
		BatchViews, JobRequest, JobView, ManifestJson, OutputView, Status,
	},
};

use super::{deliver::delivered, JobCtx, MAX_ATTEMPTS, WORKER_TIMEOUT_MS};
use crate::{
	types::{
		Commitment, JobInput, MemberDigests, MemberInput, Reveal, SmallOutput, MAX_DELIVERED_OUTPUT,
	},
	Config, Pallet, LOG_TARGET,
};

/// Why the worker could not be used for a job in this block.
#[derive(Debug)]
pub enum Outage {
	/// No answer (down, slow): stop talking to it for the rest of this run.
	Unreachable(ocw::HttpFailure),
	/// An answer that makes no sense.
	Garbled(String),
}

/// The manifest as the worker's `POST /v1/jobs` takes it.
pub fn manifest_json(m: &ModelManifest) -> ManifestJson {
	ManifestJson::from(m)
}

/// The output to reveal in full with `digest`: the worker's quantized output when it has at
/// most `MAX_SMALL_OUTPUT` elements and hashes to `digest` (a reveal whose output does not
/// would be refused, so a worker that disagrees with itself reveals the digest alone).
fn small_output(
	out: &OutputView,
	model: &Hash32,
	input_hash: &Hash32,
	digest: &Hash32,
) -> Option<SmallOutput> {
	if out.quantized.is_empty() {
		return None;
	}
	let shape = BoundedVec::try_from(out.shape.clone()).ok()?;
	let values = BoundedVec::try_from(out.quantized.clone()).ok()?;
	let small = SmallOutput { shape, values };
	if element_count(&small.shape) != Some(small.values.len())
		|| output_digest(model, input_hash, &small.shape, &small.values) != *digest
	{
		log::warn!(target: LOG_TARGET, "synod-worker's output does not hash to its digest; revealing the digest alone");
		return None;
	}
	Some(small)
}

/// The digest of the worker's quantized output for `model` on the chain (`None` when the
/// worker sent no elements, or elements that do not fill their shape).
fn chain_digest(model: &Hash32, input_hash: &Hash32, out: &OutputView) -> Option<Hash32> {
	(!out.quantized.is_empty() && element_count(&out.shape) == Some(out.quantized.len()))
		.then(|| output_digest(model, input_hash, &out.shape, &out.quantized))
}

/// A request body, serialized.
fn body<B: serde::Serialize>(b: &B) -> Result<Vec<u8>, Outage> {
	serde_json::to_vec(b).map_err(|e| Outage::Garbled(format!("{e}")))
}

/// Reads a worker answer as a job view.
fn parse_view(code: u16, body: &[u8]) -> Result<JobView, Outage> {
	serde_json::from_slice::<JobView>(body)
		.map_err(|e| Outage::Garbled(format!("HTTP {code}: {e}")))
}

/// The first 200 bytes of an answer, for a log line.
fn excerpt(body: &[u8]) -> alloc::borrow::Cow<'_, str> {
	String::from_utf8_lossy(body.get(..200).unwrap_or(body))
}

impl<T: Config> Pallet<T> {
	/// Polls the job of `cx`, handed to the worker as `id` (attempt `attempt`): a single job
	/// with `GET /v1/jobs/{id}`, a cohort's members (`{id}.{i}`) with one
	/// `POST /v1/batch/query`. Hands the job over again when the worker forgot it.
	pub(crate) fn poll(
		cx: &JobCtx<'_, T>,
		id: &str,
		attempt: u8,
	) -> Result<Option<Commitment>, Outage> {
		let job = cx.job;
		match &cx.record.input {
			JobInput::Cohort(members) => {
				let ids: Vec<String> = (0..members.len()).map(|i| member_id(id, i)).collect();
				let request = body(&BatchQuery { ids })?;
				let answer = ocw::post_json(
					&format!("{}/v1/batch/query", cx.url),
					request,
					WORKER_TIMEOUT_MS,
				)
				.map_err(Outage::Unreachable)?;
				let views = serde_json::from_slice::<BatchViews>(&answer.body)
					.map_err(|e| Outage::Garbled(format!("HTTP {}: {e}", answer.code)))?
					.jobs;
				if views.len() != members.len() {
					return Err(Outage::Garbled(format!(
						"POST /v1/batch/query answered {} views for {}",
						views.len(),
						members.len()
					)));
				}
				if views.iter().any(Option::is_none) {
					log::info!(target: LOG_TARGET, "job {job}: synod-worker forgot members of {id}; submitting again");
					return Self::submit_to_worker(cx, attempt).map(|()| None);
				}
				let views: Vec<JobView> = views.into_iter().flatten().collect();
				Self::take_cohort_result(cx, attempt, &views)
			},
			JobInput::Inline(_) | JobInput::Remote { .. } => {
				let answer = ocw::get(&format!("{}/v1/jobs/{id}", cx.url), WORKER_TIMEOUT_MS)
					.map_err(Outage::Unreachable)?;
				if answer.code == 404 {
					// The worker restarted and forgot the job: hand it over again.
					log::info!(target: LOG_TARGET, "job {job}: synod-worker forgot {id}; submitting again");
					return Self::submit_to_worker(cx, attempt).map(|()| None);
				}
				let view = parse_view(answer.code, &answer.body)?;
				Self::take_result(cx, attempt, view)
			},
		}
	}

	/// Hands the job of `cx` to the worker (attempt `attempt`) and records it as submitted.
	pub(crate) fn submit_to_worker(cx: &JobCtx<'_, T>, attempt: u8) -> Result<(), Outage> {
		let (job, record) = (cx.job, cx.record);
		let Some(manifest) = T::Models::manifest(&record.model) else {
			log::error!(target: LOG_TARGET, "job {job}: its model is not registered");
			cx.set_failed(attempt, false);
			return Ok(());
		};
		let inputs = match Self::inputs(job, record, &manifest) {
			Ok(inputs) => inputs,
			Err((reason, transient))
				if (!transient || attempt.saturating_add(1) >= MAX_ATTEMPTS)
					&& !matches!(record.input, JobInput::Cohort(_)) =>
			{
				// Every honest provider meets the same unfetchable input: say so, signed,
				// rather than stay silent and be slashed for the payer's input.
				log::warn!(target: LOG_TARGET, "job {job}: input unavailable ({reason}); answering that it cannot be served");
				cx.set_unservable(Unservable::InputUnavailable);
				return Ok(());
			},
			Err((reason, transient)) => {
				log::warn!(target: LOG_TARGET, "job {job}: input unavailable: {reason}");
				cx.set_failed(attempt, transient);
				return Ok(());
			},
		};
		let id = worker_job_id(job, &record.model, &record.input_hash, attempt);
		let request = |id: String, input: &[u8]| JobRequest {
			id: Some(id),
			input_hex: Some(hex(input)),
			model: Some(manifest_json(&manifest)),
			// The digest binds the chain's model id, not the file's hash.
			model_id: Some(hex(&record.model)),
			..Default::default()
		};
		match (&record.input, inputs.as_slice()) {
			(JobInput::Inline(_) | JobInput::Remote { .. }, [input]) => {
				let request = body(&request(id.clone(), input))?;
				let answer =
					ocw::post_json(&format!("{}/v1/jobs", cx.url), request, WORKER_TIMEOUT_MS)
						.map_err(Outage::Unreachable)?;
				match answer.code {
					200 | 202 | 422 => {
						cx.set_local(&super::LocalJob::Submitted {
							worker_id: id.clone().into_bytes(),
							attempt,
						});
						log::info!(target: LOG_TARGET, "📨 job {job} handed to synod-worker as {id}");
						if answer.code == 422 {
							// Refused outright (bad input for the manifest): record the reason now.
							let view = parse_view(answer.code, &answer.body)?;
							Self::take_result(cx, attempt, view)?;
						}
						Ok(())
					},
					503 => {
						log::warn!(target: LOG_TARGET, "job {job}: synod-worker is busy (503); retrying next block");
						Ok(())
					},
					code => Err(Outage::Garbled(format!(
						"POST /v1/jobs answered {code}: {}",
						excerpt(&answer.body)
					))),
				}
			},
			(JobInput::Cohort(_), inputs) => {
				let jobs = inputs
					.iter()
					.enumerate()
					.map(|(i, input)| request(member_id(&id, i), input))
					.collect();
				Self::submit_cohort(cx, attempt, BatchSubmit { jobs }, id)
			},
			(_, inputs) => {
				Err(Outage::Garbled(format!("{} inputs for a single job", inputs.len())))
			},
		}
	}

	/// Hands a cohort's member inputs to the worker in one `POST /v1/batch/submit` (member
	/// `i` as `{id}.{i}`) and records it as submitted. A member the worker refuses outright
	/// (bad input for the manifest) fails the cohort here; a busy worker is asked again in
	/// the next block (members it took already are answered as existing then).
	fn submit_cohort(
		cx: &JobCtx<'_, T>,
		attempt: u8,
		batch: BatchSubmit,
		id: String,
	) -> Result<(), Outage> {
		let job = cx.job;
		let n = batch.jobs.len();
		let answer = ocw::post_json(
			&format!("{}/v1/batch/submit", cx.url),
			body(&batch)?,
			WORKER_TIMEOUT_MS,
		)
		.map_err(Outage::Unreachable)?;
		if answer.code != 200 {
			return Err(Outage::Garbled(format!(
				"POST /v1/batch/submit answered {}: {}",
				answer.code,
				excerpt(&answer.body)
			)));
		}
		let items = serde_json::from_slice::<BatchAnswer>(&answer.body)
			.map_err(|e| Outage::Garbled(format!("POST /v1/batch/submit: {e}")))?
			.jobs;
		if items.len() != n {
			return Err(Outage::Garbled(format!(
				"POST /v1/batch/submit answered {} items for {n}",
				items.len()
			)));
		}
		if let Some((i, item)) = items.iter().enumerate().find(|(_, it)| it.code == 422) {
			let reason = item
				.job
				.as_ref()
				.and_then(|v| v.error.as_ref())
				.map(|e| format!("{}: {}", e.kind, e.message))
				.unwrap_or_else(|| "refused".into());
			log::warn!(target: LOG_TARGET, "job {job}: synod-worker refused member {i} ({reason})");
			cx.set_failed(attempt, false);
			return Ok(());
		}
		if items.iter().any(|it| it.code == 503) {
			log::warn!(target: LOG_TARGET, "job {job}: synod-worker is busy (503); retrying next block");
			return Ok(());
		}
		if let Some(item) = items.iter().find(|it| !matches!(it.code, 200 | 202)) {
			return Err(Outage::Garbled(format!("a batch item answered {}", item.code)));
		}
		cx.set_local(&super::LocalJob::Submitted { worker_id: id.clone().into_bytes(), attempt });
		log::info!(target: LOG_TARGET, "📨 job {job} ({n} members) handed to synod-worker as {id}.*");
		Ok(())
	}

	/// Acts on a single job's view: a result is stored with a fresh salt and its commitment
	/// returned; a failure is stored; a running job waits.
	fn take_result(
		cx: &JobCtx<'_, T>,
		attempt: u8,
		view: JobView,
	) -> Result<Option<Commitment>, Outage> {
		let (job, record) = (cx.job, cx.record);
		match view.status {
			Status::Succeeded => {
				let out = view
					.output
					.as_ref()
					.ok_or_else(|| Outage::Garbled("a result without an output".into()))?;
				let given = parse_hash32(&out.digest)
					.ok_or_else(|| Outage::Garbled("a result without a valid digest".into()))?;
				// The chain's digest binds its model id: a worker that bound another (one that
				// predates `model_id` binds the file hash) would have its honest provider
				// outvoted. The quantized output is what the worker computed; its digest is
				// taken here.
				let digest = match chain_digest(&record.model, &record.input_hash, out) {
					Some(own) if own != given => {
						log::warn!(target: LOG_TARGET, "job {job}: synod-worker's digest does not bind this chain's model id (a worker older than `model_id`?); committing the digest of its quantized output");
						own
					},
					_ => given,
				};
				if out.quantized.len() > MAX_DELIVERED_OUTPUT as usize {
					log::warn!(target: LOG_TARGET, "job {job}: the output has {} elements, more than the chain can deliver ({MAX_DELIVERED_OUTPUT}); answering that it cannot be served", out.quantized.len());
					return Ok(Some(cx.set_unservable(Unservable::OutputTooLarge)));
				}
				let output = small_output(out, &record.model, &record.input_hash, &digest);
				if output.is_none() {
					// Too large to reveal: kept to deliver after settlement.
					if let Some(d) = delivered(&record.model, &record.input_hash, &digest, out) {
						Self::keep_outputs(&cx.account.id, job, alloc::vec![(0, d)]);
					}
				}
				let salt = cx.set_ready(Reveal::Output { digest, output });
				log::info!(target: LOG_TARGET, "🧮 job {job}: synod-worker's digest 0x{}; committing", hex(&digest));
				Ok(Some(cx.commitment(&digest, &salt)))
			},
			Status::Failed => {
				let unservable = view.error.as_ref().and_then(|e| e.unservable());
				let (kind, message, transient) = view
					.error
					.map(|e| {
						let transient = e.is_transient();
						(e.kind, e.message, transient)
					})
					.unwrap_or_else(|| ("unknown".into(), "no reason given".into(), false));
				if let Some(why) = unservable {
					log::warn!(target: LOG_TARGET, "job {job}: synod-worker refused the input ({kind}: {message}); answering that it cannot be served");
					return Ok(Some(cx.set_unservable(why)));
				}
				log::warn!(target: LOG_TARGET, "job {job}: synod-worker failed it ({kind}: {message}){}", if transient { "; will retry" } else { "" });
				cx.set_failed(attempt, transient);
				Ok(None)
			},
			Status::Queued | Status::Running => Ok(None),
		}
	}

	/// Acts on the views of a cohort's members: when all succeeded, their digests and a fresh
	/// salt are stored and the commitment to their root returned; a failed member fails the
	/// cohort (worth another attempt only when every failure is); otherwise it waits.
	fn take_cohort_result(
		cx: &JobCtx<'_, T>,
		attempt: u8,
		views: &[JobView],
	) -> Result<Option<Commitment>, Outage> {
		let job = cx.job;
		let failed: Vec<&JobView> = views.iter().filter(|v| v.status == Status::Failed).collect();
		if let Some(first) = failed.first() {
			let transient =
				failed.iter().all(|v| v.error.as_ref().is_some_and(|e| e.is_transient()));
			let reason = first
				.error
				.as_ref()
				.map(|e| format!("{}: {}", e.kind, e.message))
				.unwrap_or_else(|| "no reason given".into());
			log::warn!(target: LOG_TARGET, "job {job}: synod-worker failed {} member(s) ({reason}){}", failed.len(), if transient { "; will retry" } else { "" });
			cx.set_failed(attempt, transient);
			return Ok(None);
		}
		if views.iter().any(|v| v.status != Status::Succeeded) {
			return Ok(None);
		}
		let member_hashes: Vec<Hash32> = match &cx.record.input {
			JobInput::Cohort(inputs) => inputs
				.iter()
				.map(|m| match m {
					MemberInput::Inline(bytes) => input_hash(bytes),
					MemberInput::Remote { hash, .. } => *hash,
				})
				.collect(),
			_ => Vec::new(),
		};
		// A member whose output is larger than the chain can deliver is answered "cannot
		// serve", as every honest provider answers it.
		let digests = views
			.iter()
			.enumerate()
			.map(|(i, v)| {
				let out = v.output.as_ref()?;
				match member_hashes.get(i) {
					Some(h) if out.quantized.len() > MAX_DELIVERED_OUTPUT as usize => {
						Some(unservable_digest(&cx.record.model, h, Unservable::OutputTooLarge))
					},
					_ => parse_hash32(&out.digest),
				}
			})
			.collect::<Option<Vec<Hash32>>>()
			.ok_or_else(|| Outage::Garbled("a member's result without a valid digest".into()))?;
		// The members' outputs, kept to deliver after settlement (the receipt holds digests).
		let outputs = views
			.iter()
			.zip(member_hashes.iter())
			.zip(digests.iter())
			.enumerate()
			.filter_map(|(i, ((v, h), d))| {
				let out = v.output.as_ref()?;
				Some((u32::try_from(i).ok()?, delivered(&cx.record.model, h, d, out)?))
			})
			.collect();
		Self::keep_outputs(&cx.account.id, job, outputs);
		let members = MemberDigests::try_from(digests)
			.map_err(|_| Outage::Garbled("more members than a cohort holds".into()))?;
		let n = members.len();
		let reveal = Reveal::members(members);
		let root = reveal.digest();
		let salt = cx.set_ready(reveal);
		log::info!(target: LOG_TARGET, "🧮 job {job}: synod-worker's digests of {n} members, root 0x{}; committing", hex(&root));
		Ok(Some(cx.commitment(&root, &salt)))
	}
}
