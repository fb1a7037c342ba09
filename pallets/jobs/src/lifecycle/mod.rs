//! The job lifecycle: one home for the state machine every job goes through.
//!
//! ```text
//!  submit_job ──► Queued ──(a later block: on_initialize)──► Committing ──(all committed,
//!      │            │  ▲                                       │  or the window ends)
//!      │            │  └─ providers busy: Waiting (its model's line) ─┘ (providers free)
//!      │       cancel_job                      silent providers│replaced (once per window)
//!      │            ▼                                          ▼
//!      │        Cancelled                                  Revealing ──(all revealed, or
//!      │                                                       │  the window ends)
//!      │                                                       ▼
//!      │                                                     tally ──► unanimous: Settled
//!      │                                                       │  ──► first round split:
//!      │                                                       │      escalation (round 1,
//!      │                                                       │      back to Committing)
//!      └─ no providers / no time ──► Failed ◄── no decision ───┘  ──► supermajority: Settled
//! ```
//!
//! Calls go one way. The dispatchables and hooks in `lib.rs` call in here; this module calls
//! the pure helpers ([`crate::draw`] for drawing providers, [`crate::tally`] for agreement and
//! the decision) and the money side ([`crate::funds`]: escrow, payments, slashes, receipts);
//! nothing calls back up.
//!
//! - [`submit`]: entering the queue (checks, escrow), cancelling, the quote;
//! - [`assign`]: drawing providers (first round, replacements, escalation) and scheduling the
//!   windows;
//! - [`audit`]: audited jobs: the audit decision, auditors, canaries and clean records;
//! - [`commit`]: commitments, and closing a commit window;
//! - [`reveal`]: every kind of reveal, through one function;
//! - [`conclude`]: ending a round: settle, escalate or fail;
//! - [`deliver`]: outputs the receipt does not hold, paid for on delivery;
//! - [`timeouts`]: the window ends each block closes;
//! - [`wait`]: jobs waiting in their model's line while its providers are busy.

pub mod assign;
pub mod audit;
pub mod commit;
pub mod conclude;
pub mod deliver;
pub mod reveal;
pub mod submit;
pub mod timeouts;
pub mod wait;

pub use assign::SCHEDULE_SLACK;
pub use audit::AUDIT_DELAY;
pub use conclude::Concluded;

use alloc::vec::Vec;
use frame_support::{storage::with_storage_layer, weights::Weight};
use sp_runtime::DispatchError;

use crate::{types::JobId, weights::WeightInfo as _, Config, Event, Pallet, LOG_TARGET};

impl<T: Config> Pallet<T> {
	/// Applies `f` to each item of a batch on its own (in a storage layer): a failed item
	/// changes nothing and is reported in `BatchItemFailed`, the others stand. Returns each
	/// item's result (`None` for a failed one), or, when every item failed, the first error, so
	/// that a batch of one fails as its call would.
	///
	/// A batch is then exactly its items sent as separate calls: one stale item (a window that
	/// closed, a job that ended) no longer holds back the provider's other answers.
	pub(crate) fn do_each<I, R>(
		items: impl IntoIterator<Item = (JobId, I)>,
		mut f: impl FnMut(JobId, I) -> Result<R, DispatchError>,
	) -> Result<Vec<Option<R>>, DispatchError> {
		let mut results = Vec::new();
		let mut first_error = None;
		for (job, item) in items {
			match with_storage_layer(|| f(job, item)) {
				Ok(r) => results.push(Some(r)),
				Err(error) => {
					log::debug!(target: LOG_TARGET, "batch item for job {job} failed: {error:?}");
					first_error.get_or_insert(error);
					results.push(None);
					Self::deposit_event(Event::BatchItemFailed { job, error });
				},
			}
		}
		match first_error {
			Some(error) if results.iter().all(Option::is_none) => Err(error),
			_ => Ok(results),
		}
	}

	/// The weight of a batch of reveals or seals from what each item did: those that
	/// concluded something weigh what concluding did, the rest (not the last of their round,
	/// or failed) what `reveal_batch` measures for them together.
	pub(crate) fn batch_weight(done: Vec<Option<Option<Weight>>>) -> Weight {
		let (mut pending, mut used) = (0u32, Weight::zero());
		for item in done {
			match item {
				Some(Some(w)) => used = used.saturating_add(w),
				Some(None) | None => pending = pending.saturating_add(1),
			}
		}
		if pending > 0 {
			used = used.saturating_add(T::WeightInfo::reveal_batch(pending));
		}
		used
	}
}
