//! Pausing, heartbeats, concurrency, and whether a provider is assignable now.

use frame_support::traits::Get;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchResult,
};

use crate::{
	types::{BalanceOf, ProviderRecord},
	Config, Error, Event, Pallet, Records,
};

impl<T: Config> Pallet<T> {
	/// Pauses (`true`) or resumes (`false`) `who`.
	pub(crate) fn do_set_paused(who: T::AccountId, paused: bool) -> DispatchResult {
		Records::<T>::try_mutate(&who, |record| {
			let record = record.as_mut().ok_or(Error::<T>::ProviderNotFound)?;
			match (record.paused, paused) {
				(true, true) => Err(Error::<T>::AlreadyPaused),
				(false, false) => Err(Error::<T>::NotPaused),
				_ => {
					record.paused = paused;
					Ok(())
				},
			}
		})?;
		Self::deposit_event(if paused {
			Event::ProviderPaused { provider: who }
		} else {
			Event::ProviderResumed { provider: who }
		});
		Ok(())
	}

	/// Records a heartbeat of `who` at the current block.
	pub(crate) fn do_heartbeat(who: T::AccountId) -> DispatchResult {
		let now = frame_system::Pallet::<T>::block_number();
		Records::<T>::try_mutate(&who, |record| {
			let record = record.as_mut().ok_or(Error::<T>::ProviderNotFound)?;
			record.last_heartbeat = now;
			Ok(())
		})
	}

	/// Sets `who`'s concurrency limit.
	pub(crate) fn do_set_concurrency(who: T::AccountId, max_concurrent: u32) -> DispatchResult {
		Self::ensure_concurrency(max_concurrent)?;
		Records::<T>::try_mutate(&who, |record| {
			let record = record.as_mut().ok_or(Error::<T>::ProviderNotFound)?;
			record.max_concurrent = max_concurrent;
			Ok::<_, Error<T>>(())
		})?;
		Self::deposit_event(Event::ConcurrencySet { provider: who, max_concurrent });
		Ok(())
	}

	/// Whether a provider can be given a job at block `now`: not paused, not leaving, a
	/// heartbeat within `HeartbeatTimeout`, a free job slot, some free bond, and a bond of at
	/// least `MinBond` (one slashed below it waits until `bond_more` restores it).
	pub fn is_assignable(
		record: &ProviderRecord<BalanceOf<T>, BlockNumberFor<T>>,
		now: BlockNumberFor<T>,
	) -> bool {
		Self::is_live(record, now)
			&& record.running < record.max_concurrent
			&& record.bond > record.locked
	}

	/// Whether a provider takes jobs at all now, busy or not: active, bonded at least the
	/// minimum, with a heartbeat within the timeout.
	pub fn is_live(
		record: &ProviderRecord<BalanceOf<T>, BlockNumberFor<T>>,
		now: BlockNumberFor<T>,
	) -> bool {
		!record.paused
			&& !record.bond.is_zero()
			&& record.bond >= T::MinBond::get()
			&& now.saturating_sub(record.last_heartbeat) <= T::HeartbeatTimeout::get()
	}
}
