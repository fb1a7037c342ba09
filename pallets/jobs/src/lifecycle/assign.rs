//! Assignment: drawing providers for queued jobs (and for replacements and escalations) with
//! unpredictable randomness, locking their collateral and scheduling the windows.
//!
//! A job is assigned in a block after the one it was submitted in, so its payer cannot choose
//! the randomness by choosing when to submit. The draw uses
//! `blake2_256(seed ‖ entropy ‖ job ‖ round ‖ number of assignments)`, where `seed` accumulates
//! every revealed salt (RANDAO-style) and `entropy` is the block's own randomness
//! ([`crate::BlockEntropy`]: its VRF output, which its author cannot grind). What can still be
//! biased is in docs/protocol.md.

use alloc::{collections::btree_map::BTreeMap, vec::Vec};
use codec::Encode;
use frame_support::{storage::with_storage_layer, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Bounded, Saturating},
	DispatchResult,
};
use synod_primitives::{model::ModelId, provider::Candidate, traits::ProviderRegistry};

use crate::{
	draw::{choose_class, take, weighted_sample, Draw},
	types::{Assignment, BalanceOf, FailureReason, JobId, JobStatus},
	AssignCursor, BlockEntropy, Config, Error, Event, JobOf, NextJobId, Open, Pallet, ProviderJobs,
	Seed, Timeouts, WaitLines, LOG_TARGET,
};

/// How many blocks past a full one a window end may move.
pub const SCHEDULE_SLACK: u32 = 8;

/// The subject the block's randomness is asked for (`Config::Randomness`).
pub const ENTROPY_SUBJECT: &[u8] = b"synod/jobs/entropy";

/// The eligible providers of each model, read once per block by `process_queue` and kept
/// current as it locks their collateral, so that assigning a job costs its draws, not a read
/// of every provider of its model.
pub(crate) type Pools<A, B> = BTreeMap<ModelId, Vec<Candidate<A, B>>>;

/// The live offers of each model, busy or not, read once per block when a job would wait
/// (`could_fit`: whether waiting can end in an assignment).
pub(crate) type Offers<B> = BTreeMap<ModelId, Vec<synod_primitives::provider::Offer<B>>>;

/// The eligible providers of one model, as `draw_from` takes them.
pub(crate) type PoolOf<T> = Vec<Candidate<<T as frame_system::Config>::AccountId, BalanceOf<T>>>;

impl<T: Config> Pallet<T> {
	/// Sets [`BlockEntropy`] for this block's draws from `Config::Randomness` (the block's VRF
	/// output), or, for a block without one, from the parent hash (which its author can grind:
	/// logged); returns the weight (the randomness's reads and one write, the removal in
	/// `on_finalize` included).
	pub(crate) fn set_block_entropy() -> frame_support::weights::Weight {
		use frame_support::traits::Randomness;
		let entropy = match T::Randomness::random(ENTROPY_SUBJECT).0 {
			Some(random) => sp_crypto_hashing::blake2_256(&random.encode()),
			None => {
				log::warn!(target: LOG_TARGET, "no VRF output in this block: draws use the parent hash");
				sp_crypto_hashing::blake2_256(
					&(ENTROPY_SUBJECT, frame_system::Pallet::<T>::parent_hash()).encode(),
				)
			},
		};
		BlockEntropy::<T>::put(entropy);
		// BABE's digest, authorities, randomness, slot and epoch index; this write and the kill.
		T::DbWeight::get().reads_writes(5, 2)
	}

	/// Looks at the jobs submitted before block `n`, oldest first, within what is left of the
	/// block's budget after the waiting lines (`used`: jobs handled and ids stepped over of
	/// `MaxAssignmentsPerBlock` each), with the pools they read: assigns each, or puts it in
	/// its model's waiting line when its providers are busy or others of its model wait
	/// already, if they could take it once free (`offers`, read once per model and block);
	/// fails it with `NotEnoughProviders` otherwise. Returns how many it handled and how many
	/// cancelled ids it stepped over.
	pub(crate) fn process_queue(
		n: BlockNumberFor<T>,
		used: (u32, u32),
		mut pools: Pools<T::AccountId, BalanceOf<T>>,
		offers: &mut Offers<BalanceOf<T>>,
	) -> (u32, u32) {
		let next = NextJobId::<T>::get();
		let mut cursor = AssignCursor::<T>::get();
		let (mut handled, mut skipped) = (0u32, 0u32);
		let max = T::MaxAssignmentsPerBlock::get();
		while handled.saturating_add(used.0) < max
			&& skipped.saturating_add(used.1) < max
			&& cursor < next
		{
			let job = cursor;
			let Some(record) = Open::<T>::get(job) else {
				// Cancelled while queued.
				cursor = cursor.saturating_add(1);
				skipped = skipped.saturating_add(1);
				continue;
			};
			if record.submitted_at >= n {
				break;
			}
			cursor = cursor.saturating_add(1);
			handled = handled.saturating_add(1);
			// First come, first served within a model: behind jobs already waiting, it waits.
			let result = if WaitLines::<T>::get(record.model).is_empty() {
				// All or nothing: a failed assignment leaves no lock behind.
				let (result, retried) =
					Self::with_pool(&mut pools, record.model, |pool| Self::do_assign(job, n, pool));
				if retried {
					// Weighed as one more job.
					handled = handled.saturating_add(1);
				}
				result
			} else {
				Err(Error::<T>::NotEnoughProviders.into())
			};
			match result {
				Ok(()) => {},
				// The blocks its windows would end in are full: it stays first in the queue
				// (it fails by itself once its deadline is too close), and so do the jobs
				// behind it.
				Err(e) if e == Error::<T>::TooManyTimeouts.into() => {
					cursor = job;
					break;
				},
				// Its model's providers are busy: it waits for them in the model's line.
				Err(e) if e == Error::<T>::NotEnoughProviders.into() => {
					if let Some(record) = Open::<T>::get(job) {
						let (need, one_class) = Self::first_draw(&record);
						let collateral = Self::collateral_of(&record);
						let could = Self::could_wait(
							offers,
							record.model,
							need,
							one_class,
							record.max_price,
							collateral,
						);
						let queued = if could {
							with_storage_layer(|| Self::enqueue(job, record.clone(), n))
						} else {
							Err(Error::<T>::NotEnoughProviders.into())
						};
						if let Err(e) = queued {
							log::debug!(target: LOG_TARGET, "job {job} cannot wait: {e:?}");
							Self::fail_or_void(job, record, FailureReason::NotEnoughProviders);
						}
					}
				},
				Err(e) => {
					log::warn!(target: LOG_TARGET, "assigning job {job} failed: {e:?}");
					if let Some(record) = Open::<T>::get(job) {
						Self::fail_or_void(job, record, FailureReason::NotEnoughProviders);
					}
				},
			}
		}
		if handled > 0 || skipped > 0 {
			AssignCursor::<T>::put(cursor);
		}
		(handled, skipped)
	}

	/// Runs `f` on `model`'s pool in `pools` (read on first use) in a storage layer: all or
	/// nothing, the pool included. When it fails with a pool read earlier in the block (which
	/// settlements and slashes since may have left stale), it reads the pool afresh and tries
	/// once more, unless the failure was a full schedule (`TooManyTimeouts`), which a fresh pool
	/// does not mend. Returns the result and whether it tried twice.
	pub(crate) fn with_pool<R>(
		pools: &mut Pools<T::AccountId, BalanceOf<T>>,
		model: ModelId,
		mut f: impl FnMut(&mut PoolOf<T>) -> Result<R, sp_runtime::DispatchError>,
	) -> (Result<R, sp_runtime::DispatchError>, bool) {
		let read = || T::Providers::eligible(&model, BalanceOf::<T>::max_value());
		let fresh = !pools.contains_key(&model);
		let pool = pools.entry(model).or_insert_with(read);
		let before = pool.clone();
		match with_storage_layer(|| f(pool)) {
			Ok(r) => (Ok(r), false),
			Err(e) if fresh || e == Error::<T>::TooManyTimeouts.into() => {
				*pool = before;
				(Err(e), false)
			},
			Err(_) => {
				*pool = read();
				let before = pool.clone();
				let result = with_storage_layer(|| f(pool));
				if result.is_err() {
					*pool = before;
				}
				(result, true)
			},
		}
	}

	/// Draws the providers for `job` at block `n` from `pool` (the eligible providers of its
	/// model), or fails the job when there are not enough or no time is left.
	pub(crate) fn do_assign(
		job: JobId,
		n: BlockNumberFor<T>,
		pool: &mut PoolOf<T>,
	) -> DispatchResult {
		let mut record = Open::<T>::get(job).ok_or(Error::<T>::JobNotFound)?;
		let k = record.redundancy;
		let time = match record.audit {
			None => Self::time_for_round(&record, n),
			Some(_) => Self::time_for_audit(&record, n),
		};
		if !time {
			return Self::fail_unassigned(job, record, FailureReason::DeadlineTooClose);
		}
		let chosen = Self::draw_from(job, &mut record, k, pool)?;
		if u32::try_from(chosen.len()).ok() != Some(k) {
			return Err(Error::<T>::NotEnoughProviders.into());
		}
		let commit_end = Self::open_commits(job, &mut record, n)?;
		Open::<T>::insert(job, record);
		Self::deposit_event(Event::JobAssigned { job, providers: chosen, commit_end });
		Ok(())
	}

	/// Whether a commit window, a reveal window and an opening window still fit before the
	/// job's deadline when a round starts at `n`.
	pub(crate) fn time_for_round(record: &JobOf<T>, n: BlockNumberFor<T>) -> bool {
		n.saturating_add(Self::round_blocks()) <= record.deadline
	}

	/// The blocks a round takes at most: a commit, a reveal and an opening window.
	pub(crate) fn round_blocks() -> BlockNumberFor<T> {
		T::CommitWindow::get()
			.saturating_add(T::RevealWindow::get())
			.saturating_add(T::RevealWindow::get())
	}

	/// Draws up to `count` providers for `job` that are not assigned to it yet (in the job's
	/// current round), locks their collateral and adds their assignments; returns who was
	/// drawn (fewer than `count` when fewer are eligible or the assignment list is full).
	pub(crate) fn draw(
		job: JobId,
		record: &mut JobOf<T>,
		count: u32,
	) -> Result<Vec<T::AccountId>, sp_runtime::DispatchError> {
		let mut pool = T::Providers::eligible(&record.model, record.max_price);
		Self::draw_from(job, record, count, &mut pool)
	}

	/// [`draw`](Self::draw) from `pool`, the eligible providers of the job's model at any
	/// price; takes the drawn providers' slots and collateral from it.
	pub(crate) fn draw_from(
		job: JobId,
		record: &mut JobOf<T>,
		count: u32,
		pool: &mut PoolOf<T>,
	) -> Result<Vec<T::AccountId>, sp_runtime::DispatchError> {
		let room = crate::types::MAX_ASSIGNMENTS
			.saturating_sub(u32::try_from(record.assignments.len()).unwrap_or(u32::MAX));
		let k = usize::try_from(count.min(room)).unwrap_or(0);
		if k == 0 {
			return Ok(Vec::new());
		}
		// A cohort's members are each priced as a job: a provider is paid its offer per member.
		let members = BalanceOf::<T>::from(record.input.members());
		let collateral = Self::collateral_of(record);
		let candidates: Vec<_> = pool
			.iter()
			.filter(|c| c.price <= record.max_price && c.slots > 0)
			.filter(|c| c.free_bond >= collateral)
			.filter(|c| !record.assignments.iter().any(|a| a.provider == c.who))
			.cloned()
			.collect();
		let mut draw = Draw::new(sp_crypto_hashing::blake2_256(
			&(
				Seed::<T>::get(),
				BlockEntropy::<T>::get(),
				job,
				record.round,
				record.assignments.len() as u32,
			)
				.encode(),
		));
		// The first draw chooses the job's class; replacements, auditors and the escalation
		// keep it. An audited job's class is one with room for an audit.
		if record.assignments.is_empty() {
			let probes = match record.audit {
				Some(_) => k.max(usize::try_from(Self::audit_size()).unwrap_or(usize::MAX)),
				None => k,
			};
			record.class = choose_class(&candidates, probes, &mut draw);
			// An audit compares digests: its providers share a class, or it is not drawn.
			if record.audit.is_some() && record.class.is_none() {
				return Err(Error::<T>::NotEnoughProviders.into());
			}
		}
		let candidates = match record.class {
			Some(class) => candidates.into_iter().filter(|c| c.class == class).collect(),
			None => candidates,
		};
		let chosen = weighted_sample(candidates, k, &mut draw);
		let mut drawn = Vec::with_capacity(chosen.len());
		for c in chosen {
			let price = c.price.saturating_mul(members);
			T::Providers::lock_collateral(&c.who, collateral)?;
			take(pool, &c.who, collateral);
			ProviderJobs::<T>::try_append(&c.who, job)
				.map_err(|_| Error::<T>::TooManyProviderJobs)?;
			record
				.assignments
				.try_push(Assignment {
					provider: c.who.clone(),
					price,
					collateral,
					round: record.round,
					commitment: None,
					sealed: None,
					reveal: None,
					slashed: false,
				})
				.map_err(|_| Error::<T>::InvalidRedundancy)?;
			drawn.push(c.who);
		}
		Ok(drawn)
	}

	/// The collateral every provider of `record` locks: `CollateralFactor × max_price` per
	/// member, sized by the job rather than by the provider's own offer, so that a provider
	/// quoting 1 planck risks as much as one quoting the job's price (docs/protocol.md,
	/// "Economics"). An audited job locks at least `max_price / AuditFloor` per member: an
	/// audit at the floor rate then costs a cheater at least the price it hoped to save.
	pub(crate) fn collateral_of(record: &JobOf<T>) -> BalanceOf<T> {
		let price = record.max_price.saturating_mul(record.input.members().into());
		let redundant = price.saturating_mul(T::CollateralFactor::get().into());
		match record.audit {
			None => redundant,
			Some(_) => redundant.max(T::AuditFloor::get().saturating_reciprocal_mul_ceil(price)),
		}
	}

	/// Opens a commit window for the job's current round at block `n` and schedules the ends
	/// of its three windows: the commit window's, the reveal window's after it, and the
	/// opening window's after that. Returns the commit window's.
	///
	/// Scheduling the reveal window here, where a full schedule only fails the draw (nobody
	/// has done any work yet), means that a commit, or a commit window closing, never needs
	/// room in the schedule: filling target blocks with cheap jobs cannot make committed
	/// providers look silent.
	pub(crate) fn open_commits(
		job: JobId,
		record: &mut JobOf<T>,
		n: BlockNumberFor<T>,
	) -> Result<BlockNumberFor<T>, sp_runtime::DispatchError> {
		let window = T::RevealWindow::get();
		let latest = record.deadline.saturating_sub(window.saturating_mul(2u32.into()));
		let commit_end = Self::schedule(job, n.saturating_add(T::CommitWindow::get()), latest)?;
		let reveal_end = Self::schedule(
			job,
			commit_end.saturating_add(window),
			record.deadline.saturating_sub(window),
		)?;
		let open_end = Self::schedule(job, reveal_end.saturating_add(window), record.deadline)?;
		record.status = JobStatus::Committing;
		record.phase_end = commit_end;
		record.reveal_end = reveal_end;
		record.open_end = open_end;
		Ok(commit_end)
	}

	/// Fails a job nobody was assigned to with a full refund, all or nothing; voids it when
	/// that fails.
	pub(crate) fn fail_or_void(job: JobId, record: JobOf<T>, reason: FailureReason) {
		if with_storage_layer(|| Self::fail_unassigned(job, record.clone(), reason)).is_err() {
			Self::void(job, record);
		}
	}

	fn fail_unassigned(job: JobId, record: JobOf<T>, reason: FailureReason) -> DispatchResult {
		let refunded = Self::refund_unassigned(job, &record)?;
		Self::deposit_event(Event::JobFailed { job, reason, refunded });
		Ok(())
	}

	/// Registers that `job`'s current window ends at `at`, or at one of the next
	/// [`SCHEDULE_SLACK`] blocks (never after `latest`) when `at` is full; returns the block.
	pub(crate) fn schedule(
		job: JobId,
		at: BlockNumberFor<T>,
		latest: BlockNumberFor<T>,
	) -> Result<BlockNumberFor<T>, sp_runtime::DispatchError> {
		let mut block = at;
		for _ in 0..=SCHEDULE_SLACK {
			if block > latest {
				break;
			}
			// Appends without decoding the block's list (its length prefix is all it reads).
			if Timeouts::<T>::try_append(block, job).is_ok() {
				return Ok(block);
			}
			block = block.saturating_add(1u32.into());
		}
		Err(Error::<T>::TooManyTimeouts.into())
	}
}
