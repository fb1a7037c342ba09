//! Delivering the outputs a receipt does not hold (a large one, a cohort's members;
//! `lifecycle::deliver`): the node keeps them, from the worker's answer, until the chain has
//! them or no longer waits for them.
//!
//! The agreeing providers take turns: the `i`-th payee of a job's delivery sends
//! `deliver_output` from [`RESEND_AFTER`]` × i` blocks after settlement, and again every
//! [`RESEND_AFTER`] blocks while something is still due, so that one delivery usually lands and
//! the others' transactions are not wasted.

use alloc::vec::Vec;
use codec::{Decode, Encode};
use frame_support::BoundedVec;
use frame_system::offchain::Account;
use sp_runtime::{offchain::storage::StorageValueRef, traits::UniqueSaturatedInto};
use synod_primitives::{
	digest::{element_count, output_digest, Hash32},
	worker_api::OutputView,
};

use super::RESEND_AFTER;
use crate::{
	types::{DeliveredOutput, JobId, MAX_DELIVERED_OUTPUT},
	Call, Config, Deliveries, Open, Pallet, Receipts, LOG_TARGET,
};

/// The most bytes of values one `deliver_output` carries: a fifth of a block's length.
const MAX_DELIVERY_BYTES: usize = 1024 * 1024;

/// A job's outputs this node keeps for delivery, and when it last sent them.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct LocalOutputs {
	/// `(member, output)`, member 0 for a single job.
	pub outputs: Vec<(u32, DeliveredOutput)>,
	/// The block a `deliver_output` of them was last sent in.
	pub sent: Option<u64>,
}

/// The local-storage key of `who`'s outputs of `job`.
pub fn outputs_key<AccountId: Encode>(who: &AccountId, job: JobId) -> Vec<u8> {
	(b"synod::outputs::", who, job).encode()
}

/// The local-storage key of the list of `who`'s jobs with outputs kept.
pub fn outputs_index_key<AccountId: Encode>(who: &AccountId) -> Vec<u8> {
	(b"synod::outputs-index::", who).encode()
}

/// The worker's output `out` as a delivery of the output of `input_hash` whose digest is
/// `digest`, or `None` when it does not hash to it (or is too large to deliver).
pub fn delivered(
	model: &Hash32,
	input_hash: &Hash32,
	digest: &Hash32,
	out: &OutputView,
) -> Option<DeliveredOutput> {
	if out.quantized.len() > MAX_DELIVERED_OUTPUT as usize {
		return None;
	}
	let shape = BoundedVec::try_from(out.shape.clone()).ok()?;
	let values = BoundedVec::try_from(out.quantized.clone()).ok()?;
	let d = DeliveredOutput { input_hash: *input_hash, shape, values };
	(element_count(&d.shape) == Some(d.values.len())
		&& output_digest(model, input_hash, &d.shape, &d.values) == *digest)
		.then_some(d)
}

impl<T: Config> Pallet<T> {
	/// Keeps `outputs` of `job` (for `who`) until they are delivered.
	pub(crate) fn keep_outputs(
		who: &T::AccountId,
		job: JobId,
		outputs: Vec<(u32, DeliveredOutput)>,
	) {
		if outputs.is_empty() {
			return;
		}
		StorageValueRef::persistent(&outputs_key(who, job))
			.set(&LocalOutputs { outputs, sent: None });
		let index_key = outputs_index_key(who);
		let index = StorageValueRef::persistent(&index_key);
		let mut jobs: Vec<JobId> = index.get().ok().flatten().unwrap_or_default();
		if !jobs.contains(&job) {
			jobs.push(job);
			index.set(&jobs);
		}
	}

	/// Sends what the chain still waits for of the outputs `account` keeps, in its turn, and
	/// forgets those the chain no longer waits for.
	pub(crate) fn deliver_outputs(account: &Account<T>, now: u64) {
		let who = &account.id;
		let index_key = outputs_index_key(who);
		let index = StorageValueRef::persistent(&index_key);
		let jobs: Vec<JobId> = index.get().ok().flatten().unwrap_or_default();
		if jobs.is_empty() {
			return;
		}
		let mut kept = Vec::new();
		for job in jobs {
			let key = outputs_key(who, job);
			let mut store = StorageValueRef::persistent(&key);
			let Ok(Some(mut local)) = store.get::<LocalOutputs>() else { continue };
			if Open::<T>::contains_key(job) {
				// Not settled yet.
				kept.push(job);
				continue;
			}
			let due = Deliveries::<T>::get(job);
			let turn = due.as_ref().and_then(|d| d.payees.iter().position(|(p, _)| p == who));
			let (Some(due), Some(turn)) = (due, turn) else {
				// Delivered, over, or not paid to this provider: nothing to do.
				store.clear();
				continue;
			};
			let items: Vec<(u32, DeliveredOutput)> =
				local.outputs.iter().filter(|(m, _)| !due.has(*m)).cloned().collect();
			if items.is_empty() {
				store.clear();
				continue;
			}
			kept.push(job);
			let settled: u64 =
				Receipts::<T>::get(job).map_or(0, |r| r.settled_at.unique_saturated_into());
			let from = settled.saturating_add(RESEND_AFTER.saturating_mul(turn as u64));
			if now < from || local.sent.is_some_and(|s| now < s.saturating_add(RESEND_AFTER)) {
				continue;
			}
			let mut sent = false;
			for chunk in chunks(items) {
				let n = chunk.len();
				let Ok(outputs) = BoundedVec::try_from(chunk) else { continue };
				if Self::send(account, Call::<T>::deliver_output { job, outputs }) {
					sent = true;
					log::info!(target: LOG_TARGET, "📦 delivering {n} output(s) of job {job} for {who:?}");
				}
			}
			if sent {
				local.sent = Some(now);
				store.set(&local);
			}
		}
		index.set(&kept);
	}
}

/// `items` in groups of at most [`MAX_DELIVERY_BYTES`] of values (one item at least each).
fn chunks(items: Vec<(u32, DeliveredOutput)>) -> Vec<Vec<(u32, DeliveredOutput)>> {
	let mut out: Vec<Vec<(u32, DeliveredOutput)>> = Vec::new();
	let mut bytes = 0usize;
	for item in items {
		let size = item.1.values.len().saturating_mul(8);
		match out.last_mut() {
			Some(group) if bytes.saturating_add(size) <= MAX_DELIVERY_BYTES && group.len() < 64 => {
				bytes = bytes.saturating_add(size);
				group.push(item);
			},
			_ => {
				bytes = size;
				out.push(alloc::vec![item]);
			},
		}
	}
	out
}
