//! The reveal window: one function checks every kind of reveal against its commitment and
//! tallies the round when it was the last one. The three reveal calls are thin wrappers that
//! build a [`Reveal`] and weigh what it did.

use codec::Encode;
use frame_support::{ensure, weights::Weight};
use sp_runtime::DispatchError;
use synod_primitives::digest::{element_count, output_digest, Hash32};

use crate::{
	types::{commitment_of, JobId, JobStatus, MemberDigests, Reveal, Salt, SmallOutput},
	weights::WeightInfo as _,
	Config, Error, Event, Open, Pallet, Seed,
};

impl<T: Config> Pallet<T> {
	/// Checks `who`'s `reveal` for `job` against its commitment (a small output against the
	/// digest too), records it and mixes `salt` into the seed; concludes the round when it was
	/// the last reveal of it. Returns `None` for a reveal that was not the last of its round,
	/// and else the weight of what concluding did.
	pub(crate) fn do_reveal(
		who: &T::AccountId,
		job: JobId,
		reveal: Reveal,
		salt: Salt,
	) -> Result<Option<Weight>, DispatchError> {
		let mut record = Open::<T>::get(job).ok_or(Error::<T>::JobNotFound)?;
		ensure!(reveal.fits(&record.input), Error::<T>::InvalidMembers);
		let round = record.round;
		let (model, input_hash) = (record.model, record.input_hash);
		let slot = record
			.assignments
			.iter_mut()
			.find(|a| a.provider == *who)
			.ok_or(Error::<T>::NotAssigned)?;
		ensure!(record.status == JobStatus::Revealing, Error::<T>::RevealWindowNotOpen);
		ensure!(slot.in_round(round), Error::<T>::NotInRound);
		let committed = slot.commitment.ok_or(Error::<T>::NotCommitted)?;
		ensure!(slot.reveal.is_none(), Error::<T>::AlreadyRevealed);
		let digest = reveal.digest();
		ensure!(commitment_of(&digest, &salt, who) == committed, Error::<T>::RevealMismatch);
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
		Seed::<T>::mutate(|seed| *seed = sp_crypto_hashing::blake2_256(&(*seed, salt).encode()));
		Self::deposit_event(Event::Revealed { job, provider: who.clone(), digest });
		let done = record
			.assignments
			.iter()
			.filter(|a| a.in_round(round))
			.all(|a| a.commitment.is_none() || a.reveal.is_some());
		if done {
			let now = frame_system::Pallet::<T>::block_number();
			Self::conclude(job, record, now).map(|c| Some(Self::concluded_weight(&c)))
		} else {
			Open::<T>::insert(job, record);
			Ok(None)
		}
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
