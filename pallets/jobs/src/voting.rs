//! Commit-reveal and the windows that drive it.

use alloc::vec::Vec;
use codec::Encode;
use frame_support::weights::Weight;
use frame_support::{ensure, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::Saturating, DispatchError, DispatchResult};
use synod_primitives::digest::{element_count, members_root, output_digest, Hash32};

use crate::{
	types::{Assignment, Commitment, JobId, JobStatus, MemberDigests, Salt, SmallOutput},
	weights::WeightInfo as _,
	Config, Error, Event, JobOf, Jobs, Pallet, Seed, Timeouts,
};

/// The commitment a provider sends for `digest` with `salt`.
pub fn commitment_of<AccountId: Encode>(
	digest: &Hash32,
	salt: &Salt,
	provider: &AccountId,
) -> Commitment {
	sp_crypto_hashing::blake2_256(&(digest, salt, provider).encode())
}

/// Whether an assignment votes in the job's current round: drawn for it and not slashed.
pub(crate) fn in_round<A, B>(a: &Assignment<A, B>, round: u8) -> bool {
	a.round == round && !a.slashed
}

impl<T: Config> Pallet<T> {
	/// Records `who`'s commitment for `job`; opens reveals when it was the last one of the round.
	pub(crate) fn do_commit(
		who: &T::AccountId,
		job: JobId,
		commitment: Commitment,
	) -> DispatchResult {
		let mut record = Jobs::<T>::get(job).ok_or(Error::<T>::JobNotFound)?;
		let round = record.round;
		let slot = record
			.assignments
			.iter_mut()
			.find(|a| a.provider == *who)
			.ok_or(Error::<T>::NotAssigned)?;
		ensure!(record.status == JobStatus::Committing, Error::<T>::CommitWindowClosed);
		ensure!(in_round(slot, round), Error::<T>::NotInRound);
		ensure!(slot.commitment.is_none(), Error::<T>::AlreadyCommitted);
		slot.commitment = Some(commitment);
		Self::deposit_event(Event::Committed { job, provider: who.clone() });
		if record.assignments.iter().filter(|a| in_round(a, round)).all(|a| a.commitment.is_some())
		{
			let now = frame_system::Pallet::<T>::block_number();
			Self::start_reveal(job, &mut record, now)?;
		}
		Jobs::<T>::insert(job, record);
		Ok(())
	}

	/// Opens the reveal window of `record` at block `now`.
	fn start_reveal(job: JobId, record: &mut JobOf<T>, now: BlockNumberFor<T>) -> DispatchResult {
		let end = now.saturating_add(T::RevealWindow::get()).min(record.deadline);
		let end = Self::schedule(job, end.max(now.saturating_add(1u32.into())), record.deadline)?;
		record.status = JobStatus::Revealing;
		record.phase_end = end;
		Self::deposit_event(Event::RevealStarted { job, reveal_end: end });
		Ok(())
	}

	/// Checks `who`'s reveal against its commitment (and a small output against the digest);
	/// tallies when it was the last one of the round. Returns the weight it used.
	pub(crate) fn do_reveal(
		who: &T::AccountId,
		job: JobId,
		digest: Hash32,
		salt: Salt,
		output: Option<SmallOutput>,
	) -> Result<Weight, DispatchError> {
		Self::reveal_item(who, job, digest, salt, output, MemberDigests::new())
			.map(|w| w.unwrap_or_else(T::WeightInfo::reveal_pending))
	}

	/// Checks `who`'s reveal of a cohort's member digests (their root is what it committed
	/// to); tallies when it was the last one of the round. Returns the weight it used: what
	/// `reveal_members` measures for the members, and the tally's when there was one.
	pub(crate) fn do_reveal_members(
		who: &T::AccountId,
		job: JobId,
		members: MemberDigests,
		salt: Salt,
	) -> Result<Weight, DispatchError> {
		let n = u32::try_from(members.len()).unwrap_or(u32::MAX);
		let root = members_root(&members);
		let tally = Self::reveal_item(who, job, root, salt, None, members)?;
		Ok(tally.unwrap_or_default().saturating_add(T::WeightInfo::reveal_members(n)))
	}

	/// The most `reveal_members` with `n` members can weigh.
	pub(crate) fn reveal_members_weight_max(n: usize) -> Weight {
		let n = u32::try_from(n).unwrap_or(u32::MAX);
		Self::reveal_weight_max().saturating_add(T::WeightInfo::reveal_members(n))
	}

	/// [`do_reveal`](Self::do_reveal), returning `None` for a reveal that was not the last of
	/// its round (a batch weighs those together, `reveal_batch`) and else what the tally used.
	pub(crate) fn reveal_item(
		who: &T::AccountId,
		job: JobId,
		digest: Hash32,
		salt: Salt,
		output: Option<SmallOutput>,
		members: MemberDigests,
	) -> Result<Option<Weight>, DispatchError> {
		let mut record = Jobs::<T>::get(job).ok_or(Error::<T>::JobNotFound)?;
		// A cohort is revealed by its members (whose root is `digest`), a single job without.
		let fits = if record.input.is_cohort() {
			u32::try_from(members.len()).ok() == Some(record.input.members()) && output.is_none()
		} else {
			members.is_empty()
		};
		ensure!(fits, Error::<T>::InvalidMembers);
		let round = record.round;
		let (model, input_hash) = (record.model, record.input_hash);
		let slot = record
			.assignments
			.iter_mut()
			.find(|a| a.provider == *who)
			.ok_or(Error::<T>::NotAssigned)?;
		ensure!(record.status == JobStatus::Revealing, Error::<T>::RevealWindowNotOpen);
		ensure!(in_round(slot, round), Error::<T>::NotInRound);
		let committed = slot.commitment.ok_or(Error::<T>::NotCommitted)?;
		ensure!(slot.digest.is_none(), Error::<T>::AlreadyRevealed);
		ensure!(commitment_of(&digest, &salt, who) == committed, Error::<T>::RevealMismatch);
		if let Some(out) = &output {
			ensure!(element_count(&out.shape) == Some(out.values.len()), Error::<T>::InvalidOutput);
			ensure!(
				output_digest(&model, &input_hash, &out.shape, &out.values) == digest,
				Error::<T>::OutputMismatch
			);
		}
		slot.digest = Some(digest);
		slot.output = output;
		slot.members = members;
		Seed::<T>::mutate(|seed| *seed = sp_crypto_hashing::blake2_256(&(*seed, salt).encode()));
		Self::deposit_event(Event::Revealed { job, provider: who.clone(), digest });
		let done = record
			.assignments
			.iter()
			.filter(|a| in_round(a, round))
			.all(|a| a.commitment.is_none() || a.digest.is_some());
		if done {
			let now = frame_system::Pallet::<T>::block_number();
			Self::conclude(job, record, now).map(|c| Some(Self::concluded_weight(&c)))
		} else {
			Jobs::<T>::insert(job, record);
			Ok(None)
		}
	}

	/// Closes the windows that end at block `n`; returns the weight it used: one read and write
	/// when none does; else the base, one read per entry of a job that moved on, the measured
	/// worst case of a commit window closing (replacing every provider) per commit window (twice
	/// when a stale pool made it try again) plus its tally when nobody committed, what the tally
	/// did per reveal window, and the worst case of a reveal for a failed try and for the
	/// decision that follows it; a cohort's entry adds `reveal_members` of its members.
	pub(crate) fn process_timeouts(n: BlockNumberFor<T>) -> Weight {
		let due = Timeouts::<T>::take(n);
		if due.is_empty() {
			return T::DbWeight::get().reads_writes(1, 1);
		}
		let base = T::WeightInfo::on_initialize_timeouts(0);
		let per_commit_window = T::WeightInfo::on_initialize_timeouts(1).saturating_sub(base);
		let mut weight = base;
		let mut pools = crate::assignment::Pools::new();
		for job in due {
			let Some(record) = Jobs::<T>::get(job).filter(|r| r.phase_end == n) else {
				weight = weight.saturating_add(T::DbWeight::get().reads(1));
				continue;
			};
			if record.input.is_cohort() {
				// What a cohort's members add to a settlement (its receipt and event list them):
				// bounded by what `reveal_members` measures for them.
				weight =
					weight.saturating_add(T::WeightInfo::reveal_members(record.input.members()));
			}
			let result = match record.status {
				JobStatus::Committing => {
					weight = weight.saturating_add(per_commit_window);
					let (result, retried) = Self::with_pool(&mut pools, record.model, |pool| {
						Self::close_commits(job, record.clone(), n, pool)
					});
					if retried {
						weight = weight.saturating_add(per_commit_window);
					}
					result.map(|tally| weight = weight.saturating_add(tally))
				},
				// Reveals are over: tally now.
				_ => {
					let result = frame_support::storage::with_storage_layer(|| {
						Self::conclude(job, record.clone(), n)
					});
					weight = weight.saturating_add(match &result {
						Ok(c) => Self::concluded_weight(c),
						// Undone, but the work was done.
						Err(_) => Self::reveal_weight_max(),
					});
					result.map(|_| ())
				},
			};
			if let Err(e) = result {
				log::warn!(target: "runtime::jobs", "closing a window of job {job}: {e:?}");
				// No room to schedule the next window: decide with what there is. Each try
				// is all or nothing, so nothing is paid twice.
				if Jobs::<T>::contains_key(job) {
					weight = weight.saturating_add(Self::reveal_weight_max());
					if let Err(e) =
						frame_support::storage::with_storage_layer(|| Self::finalize(job, record))
					{
						frame_support::defensive!("job could not be finalized", e);
					}
				}
			}
		}
		weight
	}

	/// The commit window of `job` ended at `n` with commits missing. Where time and eligible
	/// providers allow, the silent providers are slashed now and replaced, and a new commit
	/// window opens; otherwise reveals open for those who committed (or, when nobody did, the
	/// round is tallied as it is).
	///
	/// Replacements come from `pool`, the eligible providers of the job's model; the
	/// silent ones leave it for the rest of the block. Returns the weight of the tally when
	/// the round had to be tallied (nobody committed, nobody to replace them with), else zero.
	fn close_commits(
		job: JobId,
		mut record: JobOf<T>,
		n: BlockNumberFor<T>,
		pool: &mut crate::assignment::PoolOf<T>,
	) -> Result<Weight, DispatchError> {
		let round = record.round;
		let silent: Vec<T::AccountId> = record
			.assignments
			.iter()
			.filter(|a| in_round(a, round) && a.commitment.is_none())
			.map(|a| a.provider.clone())
			.collect();
		if !silent.is_empty() && Self::time_for_round(&record, n) {
			let count = u32::try_from(silent.len()).unwrap_or(u32::MAX);
			let replacements = Self::draw_from(job, &mut record, count, pool)?;
			if !replacements.is_empty() {
				for who in &silent {
					Self::slash_out(job, &mut record, who)?;
				}
				pool.retain(|c| !silent.contains(&c.who));
				let commit_end = Self::open_commits(job, &mut record, n)?;
				Jobs::<T>::insert(job, record);
				Self::deposit_event(Event::ProvidersReplaced {
					job,
					replaced: silent,
					providers: replacements,
					commit_end,
				});
				return Ok(Weight::zero());
			}
		}
		if record.assignments.iter().any(|a| in_round(a, round) && a.commitment.is_some()) {
			Self::start_reveal(job, &mut record, n)?;
			Jobs::<T>::insert(job, record);
			Ok(Weight::zero())
		} else {
			Self::conclude(job, record, n).map(|c| Self::concluded_weight(&c))
		}
	}
}
