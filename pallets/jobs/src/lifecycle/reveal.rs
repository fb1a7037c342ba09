//! The reveal and opening windows: first-round seals (`do_seal`), and one function that checks
//! every kind of reveal (an escalated round's answer against its commitment, a first-round
//! opening against its seal) and concludes when the round or the opening is complete. The
//! reveal calls are thin wrappers that build a [`Reveal`] and weigh what it did.

use codec::Encode;
use frame_support::{ensure, traits::Get, weights::Weight};
use sp_runtime::{traits::Saturating, DispatchError};
use synod_primitives::digest::{element_count, output_digest, Hash32};

use crate::{
	lifecycle::conclude::Concluded,
	tally::Tally,
	types::{commitment_of, seal_of, JobId, JobStatus, MemberDigests, Reveal, Salt, SmallOutput},
	weights::WeightInfo as _,
	Config, Error, Event, Open, Pallet, Seed,
};

impl<T: Config> Pallet<T> {
	/// Checks `who`'s first-round `seal` for `job` against its commitment, records it and
	/// mixes `salt` into the seed; concludes the round when it was the last seal of it.
	/// Returns `None` for a seal that was not the last of its round, and else the weight of
	/// what concluding did.
	pub(crate) fn do_seal(
		who: &T::AccountId,
		job: JobId,
		seal: Hash32,
		salt: Salt,
	) -> Result<Option<Weight>, DispatchError> {
		let mut record = Open::<T>::get(job).ok_or(Error::<T>::JobNotFound)?;
		let slot = record
			.assignments
			.iter_mut()
			.find(|a| a.provider == *who)
			.ok_or(Error::<T>::NotAssigned)?;
		ensure!(
			record.status == JobStatus::Revealing && record.round == 0,
			Error::<T>::RevealWindowNotOpen
		);
		ensure!(slot.in_round(0), Error::<T>::NotInRound);
		let committed = slot.commitment.ok_or(Error::<T>::NotCommitted)?;
		ensure!(slot.sealed.is_none(), Error::<T>::AlreadyRevealed);
		ensure!(commitment_of(&seal, &salt, who) == committed, Error::<T>::RevealMismatch);
		slot.sealed = Some(seal);
		Seed::<T>::mutate(|seed| *seed = sp_crypto_hashing::blake2_256(&(*seed, salt).encode()));
		Self::deposit_event(Event::Sealed { job, provider: who.clone() });
		let done = record
			.assignments
			.iter()
			.filter(|a| a.in_round(0))
			.all(|a| a.commitment.is_none() || a.sealed.is_some());
		Self::conclude_if(job, record, done)
	}

	/// Checks `who`'s `reveal` for `job`: an escalated round's answer against its commitment
	/// (the seal of its digest for round 1), or a first-round provider's opening of the digest
	/// behind its seal, once nobody is left to commit (the opening window, or an escalation's
	/// reveal window); a small output against the digest too. Records it, and concludes when
	/// it was the last answer of the round or the opening the decision waited for. Returns
	/// `None` when it concluded nothing, and else the weight of what concluding did.
	pub(crate) fn do_reveal(
		who: &T::AccountId,
		job: JobId,
		reveal: Reveal,
		salt: Salt,
	) -> Result<Option<Weight>, DispatchError> {
		let mut record = Open::<T>::get(job).ok_or(Error::<T>::JobNotFound)?;
		ensure!(reveal.fits(&record.input), Error::<T>::InvalidMembers);
		let (round, status) = (record.round, record.status);
		let (model, input_hash) = (record.model, record.input_hash);
		let slot = record
			.assignments
			.iter_mut()
			.find(|a| a.provider == *who)
			.ok_or(Error::<T>::NotAssigned)?;
		ensure!(!slot.slashed, Error::<T>::NotInRound);
		ensure!(slot.reveal.is_none(), Error::<T>::AlreadyRevealed);
		let digest = reveal.digest();
		match (slot.round, round, status) {
			// The escalation's answer: its commitment is to its round's seal.
			(1, 1, JobStatus::Revealing) => {
				let committed = slot.commitment.ok_or(Error::<T>::NotCommitted)?;
				ensure!(
					commitment_of(&seal_of(job, 1, &digest), &salt, who) == committed,
					Error::<T>::RevealMismatch
				);
				Seed::<T>::mutate(|seed| {
					*seed = sp_crypto_hashing::blake2_256(&(*seed, salt).encode())
				});
			},
			// A first-round opening, once nobody is left to commit: the digest behind its seal.
			(0, _, JobStatus::Opening) | (0, 1, JobStatus::Revealing) => {
				let sealed = slot.sealed.ok_or(Error::<T>::NotSealed)?;
				ensure!(seal_of(job, 0, &digest) == sealed, Error::<T>::RevealMismatch);
			},
			// The first round's answers stay sealed while anyone may still be drawn to commit.
			(0, 0, JobStatus::Revealing) => return Err(Error::<T>::SealFirst.into()),
			(0, 1, JobStatus::Committing) => return Err(Error::<T>::SealFirst.into()),
			(r, _, _) if r != round => return Err(Error::<T>::NotInRound.into()),
			_ => return Err(Error::<T>::RevealWindowNotOpen.into()),
		}
		match &reveal {
			Reveal::Output { output: Some(out), .. } => {
				ensure!(
					element_count(&out.shape) == Some(out.values.len()),
					Error::<T>::InvalidOutput
				);
				ensure!(
					output_digest(&model, &input_hash, &out.shape, &out.values) == digest,
					Error::<T>::OutputMismatch
				);
			},
			// A digest alone, or member digests whose root was just checked.
			Reveal::Output { output: None, .. } | Reveal::Members { .. } => {},
		}
		slot.reveal = Some(reveal);
		Self::deposit_event(Event::Revealed { job, provider: who.clone(), digest });
		let all_opened = || {
			record
				.assignments
				.iter()
				.filter(|a| !a.slashed && a.sealed.is_some())
				.all(|a| a.reveal.is_some())
		};
		let done = match status {
			// A unanimous seal settles at its first opening; otherwise the opening window
			// ends when every seal is opened (small outputs are then compared within the
			// tolerance, which seals cannot be).
			JobStatus::Opening => {
				all_opened()
					|| matches!(
						Self::tally_of(job, &record),
						Tally::Output { anchor, unanimous: true }
							if record.assignments.get(anchor).is_some_and(|a| a.reveal.is_some())
					)
			},
			// The escalation's round ends with its last answer and the first round's openings.
			_ => record.assignments.iter().filter(|a| !a.slashed).all(|a| {
				if a.round == 1 {
					a.commitment.is_none() || a.reveal.is_some()
				} else {
					a.sealed.is_none() || a.reveal.is_some()
				}
			}),
		};
		if status == JobStatus::Opening && !done {
			// The opening was tallied to see whether it settles: charged as such a tally.
			let (voters, outputs) = Self::tally_size(&record);
			Open::<T>::insert(job, record);
			let waits = Concluded::Opening { voters, outputs, tried_escalation: false };
			return Ok(Some(Self::concluded_weight(&waits)));
		}
		Self::conclude_if(job, record, done)
	}

	/// Concludes `job` now when `done`, else stores `record`. A conclusion that escalates (a
	/// draw) is not made here, in a transaction, but at the start of the next block.
	fn conclude_if(
		job: JobId,
		mut record: crate::JobOf<T>,
		done: bool,
	) -> Result<Option<Weight>, DispatchError> {
		if !done {
			Open::<T>::insert(job, record);
			return Ok(None);
		}
		let now = frame_system::Pallet::<T>::block_number();
		if Self::escalates(job, &record, now) {
			// Attack 5: a draw made inside a transaction is its block's author's to choose: it
			// knows its block's VRF output, and it orders the block's other transactions (the
			// seals that move the seed, a `bond_more` that moves the weights) before this one.
			// Drawn in the next block's `on_initialize`, the escalation uses this block's state
			// and the next block's VRF output, which this block's author does not know. The
			// round's end, already scheduled, stays the fallback when the next block is full.
			let next = now.saturating_add(1u32.into());
			if record.phase_end > next {
				let latest = record.phase_end.saturating_sub(1u32.into());
				if let Ok(at) = Self::schedule(job, next, latest) {
					record.phase_end = at;
				}
			}
			Open::<T>::insert(job, record);
			return Ok(Some(T::DbWeight::get().reads_writes(1, 2)));
		}
		Self::conclude(job, record, now).map(|c| Some(Self::concluded_weight(&c)))
	}

	/// `seal`: a first-round seal. Returns the weight it used.
	pub(crate) fn do_seal_weighed(
		who: &T::AccountId,
		job: JobId,
		seal: Hash32,
		salt: Salt,
	) -> Result<Weight, DispatchError> {
		Self::do_seal(who, job, seal, salt).map(|w| w.unwrap_or_else(T::WeightInfo::reveal_pending))
	}

	/// `reveal`: a single job's digest, with its small output. Returns the weight it used.
	pub(crate) fn do_reveal_output(
		who: &T::AccountId,
		job: JobId,
		digest: Hash32,
		salt: Salt,
		output: Option<SmallOutput>,
	) -> Result<Weight, DispatchError> {
		Self::do_reveal(who, job, Reveal::Output { digest, output }, salt)
			.map(|w| w.unwrap_or_else(T::WeightInfo::reveal_pending))
	}

	/// `reveal_members`: a cohort's member digests (their root is what `who` committed to).
	/// Returns the weight it used: what `reveal_members` measures for the members, and the
	/// tally's when there was one.
	pub(crate) fn do_reveal_members(
		who: &T::AccountId,
		job: JobId,
		members: MemberDigests,
		salt: Salt,
	) -> Result<Weight, DispatchError> {
		let n = u32::try_from(members.len()).unwrap_or(u32::MAX);
		let tally = Self::do_reveal(who, job, Reveal::members(members), salt)?;
		Ok(tally.unwrap_or_default().saturating_add(T::WeightInfo::reveal_members(n)))
	}

	/// The most `reveal_members` with `n` members can weigh.
	pub(crate) fn reveal_members_weight_max(n: usize) -> Weight {
		let n = u32::try_from(n).unwrap_or(u32::MAX);
		Self::reveal_weight_max().saturating_add(T::WeightInfo::reveal_members(n))
	}
}
