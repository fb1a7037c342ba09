//! Registering, bonding, unbonding and leaving.

use alloc::vec::Vec;
use frame_support::{
	ensure,
	traits::{
		fungible::{InspectHold, MutateHold},
		tokens::Precision,
		Get,
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{CheckedAdd, CheckedSub, Saturating, Zero},
	DispatchResult,
};
use synod_primitives::provider::DeterminismClass;

use crate::{
	types::{BalanceOf, ProviderRecord, Reputation, Unbonding},
	Config, Error, Event, HoldReason, Pallet, ProviderCount, Records,
};

impl<T: Config> Pallet<T> {
	fn hold_bond(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		T::Currency::hold(&HoldReason::ProviderBond.into(), who, amount)
			.map_err(|_| Error::<T>::InsufficientBalance.into())
	}

	/// Registers `who` with `bond`.
	pub(crate) fn do_register(
		who: T::AccountId,
		bond: BalanceOf<T>,
		class: DeterminismClass,
		max_concurrent: u32,
		metadata: Vec<u8>,
	) -> DispatchResult {
		ensure!(!Records::<T>::contains_key(&who), Error::<T>::AlreadyRegistered);
		ensure!(bond >= T::MinBond::get() && !bond.is_zero(), Error::<T>::BondTooLow);
		ensure!(class.is_well_formed(), Error::<T>::InvalidClass);
		Self::ensure_concurrency(max_concurrent)?;
		let metadata = metadata.try_into().map_err(|_| Error::<T>::MetadataTooLong)?;
		Self::hold_bond(&who, bond)?;
		let class_id = class.id();
		Records::<T>::insert(
			&who,
			ProviderRecord {
				bond,
				locked: Zero::zero(),
				unbonding: None,
				class,
				class_id,
				metadata,
				max_concurrent,
				running: 0,
				paused: false,
				last_heartbeat: frame_system::Pallet::<T>::block_number(),
				// At the bottom: a fresh account is no way out of a bad record.
				reputation: Reputation::newcomer(T::ReputationDecay::get()),
			},
		);
		ProviderCount::<T>::mutate(|n| *n = n.saturating_add(1));
		Self::deposit_event(Event::ProviderRegistered { provider: who, bond });
		Ok(())
	}

	/// Adds `amount` to `who`'s bond (also revives a provider whose bond was slashed away).
	pub(crate) fn do_bond_more(who: T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		Records::<T>::try_mutate(&who, |record| {
			let record = record.as_mut().ok_or(Error::<T>::ProviderNotFound)?;
			ensure!(!Self::is_leaving(record), Error::<T>::ProviderLeaving);
			let bond = record.bond.checked_add(&amount).ok_or(Error::<T>::InsufficientBalance)?;
			ensure!(bond >= T::MinBond::get(), Error::<T>::BondTooLow);
			record.bond = bond;
			Self::hold_bond(&who, amount)
		})?;
		Self::deposit_event(Event::Bonded { provider: who, amount });
		Ok(())
	}

	/// Whether the provider unbonded everything and waits to withdraw.
	pub fn is_leaving(record: &ProviderRecord<BalanceOf<T>, BlockNumberFor<T>>) -> bool {
		record.bond.is_zero() && record.unbonding.is_some()
	}

	/// Moves `amount` of `who`'s bond to unbonding.
	pub(crate) fn do_unbond(who: T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let now = frame_system::Pallet::<T>::block_number();
		let unlock_at = now.saturating_add(T::UnbondingDelay::get());
		let (total, leaving) = Records::<T>::try_mutate(&who, |record| {
			let record = record.as_mut().ok_or(Error::<T>::ProviderNotFound)?;
			ensure!(record.running == 0, Error::<T>::ProviderHasRunningJobs);
			let left = record.bond.checked_sub(&amount).ok_or(Error::<T>::UnbondExceedsBond)?;
			ensure!(left.is_zero() || left >= T::MinBond::get(), Error::<T>::RemainingBondTooLow);
			record.bond = left;
			let total = record.unbonding.map_or(amount, |u| u.amount.saturating_add(amount));
			record.unbonding = Some(Unbonding { amount: total, unlock_at });
			Ok::<_, Error<T>>((total, left.is_zero()))
		})?;
		if leaving {
			Self::remove_all_offers(&who);
		}
		Self::deposit_event(Event::Unbonding { provider: who, amount: total, unlock_at });
		Ok(())
	}

	/// Releases `who`'s unbonded stake once its delay has passed; removes a provider with no
	/// bond left (after unbonding everything, or when slashing took it all and no job runs).
	pub(crate) fn do_withdraw_unbonded(who: T::AccountId) -> DispatchResult {
		let mut record = Records::<T>::get(&who).ok_or(Error::<T>::ProviderNotFound)?;
		match record.unbonding {
			Some(unbonding) => {
				ensure!(
					frame_system::Pallet::<T>::block_number() >= unbonding.unlock_at,
					Error::<T>::UnbondingNotReady
				);
				let amount = T::Currency::release(
					&HoldReason::ProviderBond.into(),
					&who,
					unbonding.amount,
					Precision::BestEffort,
				)?;
				record.unbonding = None;
				Self::deposit_event(Event::Withdrawn { provider: who.clone(), amount });
			},
			None => {
				ensure!(record.bond.is_zero() && record.running == 0, Error::<T>::NothingUnbonding)
			},
		}
		if record.bond.is_zero() && record.running == 0 {
			Self::deregister(&who)
		} else {
			Records::<T>::insert(&who, record);
			Ok(())
		}
	}

	/// Removes a provider with no bond, no unbonding stake and no running job.
	fn deregister(who: &T::AccountId) -> DispatchResult {
		let rest = T::Currency::balance_on_hold(&HoldReason::ProviderBond.into(), who);
		if !rest.is_zero() {
			frame_support::defensive!("a leaving provider still has a held bond");
			T::Currency::release(
				&HoldReason::ProviderBond.into(),
				who,
				rest,
				Precision::BestEffort,
			)?;
		}
		Self::remove_all_offers(who);
		Records::<T>::remove(who);
		ProviderCount::<T>::mutate(|n| *n = n.saturating_sub(1));
		Self::deposit_event(Event::ProviderDeregistered { provider: who.clone() });
		Ok(())
	}

	pub(crate) fn ensure_concurrency(max_concurrent: u32) -> DispatchResult {
		ensure!(
			max_concurrent > 0 && max_concurrent <= T::MaxConcurrency::get(),
			Error::<T>::InvalidConcurrency
		);
		Ok(())
	}
}
