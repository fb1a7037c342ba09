//! Delivery of outputs the receipt does not hold: pay on delivery.
//!
//! A single job's output of up to `MAX_SMALL_OUTPUT` elements settles in the receipt. For a
//! larger one, and for each member of a cohort, the settlement leaves the agreeing providers'
//! payment in the payer's escrow (`Deliveries`) and opens a delivery window: whoever puts an
//! output on chain (`deliver_output`, checked against the digest the receipt agreed on) has it
//! kept with the receipt (`Outputs`), and every agreeing provider is paid its share of that
//! output. When the window ends, the shares of what nobody delivered go back to the payer
//! (`claim_undelivered`, or the receipt's pruning), and each agreeing provider's reputation
//! counts a failure.
//!
//! The rule in one sentence: **a provider is paid for an output only once the payer can read
//! it on chain, digest-checked**; a provider that agreed but withholds it earns nothing for
//! it, and the payer loses nothing.

use frame_support::{
	dispatch::{DispatchResultWithPostInfo, Pays, PostDispatchInfo},
	ensure,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
		Get,
	},
	weights::Weight,
	BoundedVec,
};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchResult,
};
use synod_primitives::{
	digest::{element_count, output_digest},
	traits::ProviderRegistry,
};

use crate::{
	types::{BalanceOf, CohortBound, DeliveredOutput, JobId, MAX_ASSIGNMENTS},
	weights::WeightInfo as _,
	Config, Deliveries, Error, Event, HoldReason, Outputs, Pallet, Receipts,
};

impl<T: Config> Pallet<T> {
	/// `deliver_output`: applies each item on its own; an agreeing provider pays no fee when
	/// every item it sent landed (one that pads a delivery with items that fail pays for them:
	/// the call is charged for every item's bytes).
	pub(crate) fn do_deliver(
		who: T::AccountId,
		job: JobId,
		outputs: BoundedVec<(u32, DeliveredOutput), CohortBound>,
	) -> DispatchResultWithPostInfo {
		ensure!(!outputs.is_empty(), Error::<T>::InvalidBatch);
		let payee = Deliveries::<T>::get(job)
			.ok_or(Error::<T>::NoDeliveryDue)?
			.payees
			.iter()
			.any(|(p, _)| *p == who);
		let done = Self::do_each(
			outputs.into_iter().map(|(member, out)| (job, (member, out))),
			|job, (member, out)| Self::deliver_one(&who, job, member, out),
		)?;
		let landed = done.iter().all(Option::is_some);
		Ok(PostDispatchInfo {
			actual_weight: None,
			pays_fee: if payee && landed { Pays::No } else { Pays::Yes },
		})
	}

	/// Delivers output `member` of `job`: checks it against the receipt's digest, keeps it and
	/// pays the agreeing providers their share of it.
	fn deliver_one(
		who: &T::AccountId,
		job: JobId,
		member: u32,
		out: DeliveredOutput,
	) -> DispatchResult {
		let receipt = Receipts::<T>::get(job).ok_or(Error::<T>::NoDeliveryDue)?;
		let mut due = Deliveries::<T>::get(job).ok_or(Error::<T>::NoDeliveryDue)?;
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now <= due.by, Error::<T>::DeliveryClosed);
		ensure!(member < due.members, Error::<T>::InvalidMember);
		ensure!(!due.has(member), Error::<T>::AlreadyDelivered);
		let expected = match receipt.result.member_digests() {
			[] => receipt.result.digest(),
			members => *members
				.get(usize::try_from(member).unwrap_or(usize::MAX))
				.ok_or(Error::<T>::InvalidMember)?,
		};
		ensure!(element_count(&out.shape) == Some(out.values.len()), Error::<T>::InvalidOutput);
		// The digest binds the input hash too: an output of another input, or another member's,
		// does not pass.
		ensure!(
			output_digest(&receipt.model, &out.input_hash, &out.shape, &out.values) == expected,
			Error::<T>::OutputMismatch
		);
		for (provider, share) in &due.payees {
			T::Currency::transfer_on_hold(
				&HoldReason::JobEscrow.into(),
				&receipt.payer,
				provider,
				*share,
				Precision::BestEffort,
				Restriction::Free,
				Fortitude::Force,
			)?;
		}
		Outputs::<T>::insert(job, member, out);
		due.delivered |= 1u64 << member;
		if due.missing() == 0 {
			Deliveries::<T>::remove(job);
		} else {
			Deliveries::<T>::insert(job, due);
		}
		Self::deposit_event(Event::OutputDelivered { job, member, by: who.clone() });
		Ok(())
	}

	/// `claim_undelivered`: closes a delivery window that is over.
	pub(crate) fn do_claim_undelivered(job: JobId) -> DispatchResult {
		let due = Deliveries::<T>::get(job).ok_or(Error::<T>::NoDeliveryDue)?;
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now > due.by, Error::<T>::DeliveryOpen);
		Self::close_delivery(job)
	}

	/// Ends `job`'s delivery: the shares of the outputs still missing go back to the payer, and
	/// each agreeing provider's reputation counts a failure when any is missing.
	pub(crate) fn close_delivery(job: JobId) -> DispatchResult {
		// The receipt names the payer whose escrow holds the shares: without it nothing can be
		// released, so the delivery stays (a receipt is pruned only after closing it).
		let Some(mut receipt) = Receipts::<T>::get(job) else { return Ok(()) };
		let Some(due) = Deliveries::<T>::take(job) else { return Ok(()) };
		let missing = due.missing();
		let owed = due
			.payees
			.iter()
			.fold(BalanceOf::<T>::zero(), |sum, (_, share)| sum.saturating_add(*share))
			.saturating_mul(missing.into());
		let refunded = T::Currency::release(
			&HoldReason::JobEscrow.into(),
			&receipt.payer,
			owed,
			Precision::BestEffort,
		)?;
		for (provider, _) in &due.payees {
			T::Providers::record_outcome(provider, false);
		}
		receipt.paid = receipt.paid.saturating_sub(refunded);
		receipt.refunded = receipt.refunded.saturating_add(refunded);
		Receipts::<T>::insert(job, receipt);
		Self::deposit_event(Event::DeliveryMissed { job, missing, refunded });
		Ok(())
	}

	/// The weight of delivering `outputs`: per item, what `submit_job` measures for hashing and
	/// storing as many bytes (an input is hashed and stored as an output is), and the reads
	/// and the payments (a transfer per agreeing provider).
	pub(crate) fn deliver_weight(outputs: &[(u32, DeliveredOutput)]) -> Weight {
		let db = T::DbWeight::get();
		let per_item = db.reads_writes(2, 2u64.saturating_add(2 * u64::from(MAX_ASSIGNMENTS)));
		outputs.iter().fold(Weight::zero(), |w, (_, out)| {
			let bytes = u32::try_from(out.values.len().saturating_mul(8)).unwrap_or(u32::MAX);
			w.saturating_add(T::WeightInfo::submit_job(bytes.max(1))).saturating_add(per_item)
		})
	}

	/// The outputs a job of `manifest` on `input` can have, in elements each: one for a single
	/// job, one per member for a cohort, each for the most items its input can hold (at most
	/// `MAX_DELIVERED_OUTPUT` for an input by URI). Fails with `OutputTooLarge` when an inline
	/// input's output would exceed `MAX_DELIVERED_OUTPUT`.
	pub(crate) fn output_elements(
		manifest: &synod_primitives::model::ModelManifest,
		input: &crate::types::JobInput,
	) -> Result<alloc::vec::Vec<usize>, sp_runtime::DispatchError> {
		use crate::types::{JobInput, MemberInput};
		let item = manifest
			.input
			.static_elements()
			.and_then(|n| usize::try_from(n).ok())
			.map(|n| n.saturating_mul(manifest.input.dtype.size()))
			.filter(|b| *b > 0)
			.unwrap_or(1);
		let per_item = manifest
			.output
			.static_elements()
			.and_then(|n| usize::try_from(n).ok())
			.unwrap_or(usize::MAX);
		let remote = usize::try_from(manifest.max_input_bytes).unwrap_or(usize::MAX);
		let of_len = |len: usize| -> usize {
			let items =
				if manifest.input.dynamic_batch() { len.checked_div(item).unwrap_or(1) } else { 1 };
			per_item.saturating_mul(items.max(1))
		};
		let most = usize::try_from(crate::types::MAX_DELIVERED_OUTPUT).unwrap_or(usize::MAX);
		// An inline input's output size is known: refused when too large. An input by URI is
		// bounded by the model's largest input; when that could be too large, its providers
		// answer that it cannot be served should it turn out so (`Unservable::OutputTooLarge`),
		// and its deposit counts the most that can be delivered.
		let inline = |len: usize| -> Result<usize, sp_runtime::DispatchError> {
			let n = of_len(len);
			ensure!(n <= most, Error::<T>::OutputTooLarge);
			Ok(n)
		};
		let by_uri = || of_len(remote).min(most);
		match input {
			JobInput::Inline(bytes) => Ok(alloc::vec![inline(bytes.len())?]),
			JobInput::Remote { .. } => Ok(alloc::vec![by_uri()]),
			JobInput::Cohort(members) => members
				.iter()
				.map(|m| match m {
					MemberInput::Inline(bytes) => inline(bytes.len()),
					MemberInput::Remote { .. } => Ok(by_uri()),
				})
				.collect(),
		}
	}
}
