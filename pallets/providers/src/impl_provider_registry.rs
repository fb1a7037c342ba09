//! `ProviderRegistry` for pallet-providers: what pallet-jobs uses to pick providers and move
//! their collateral.

use alloc::vec::Vec;
use frame_support::{
	ensure,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
		Get,
	},
};
use sp_runtime::{
	traits::{CheckedAdd, CheckedSub, Saturating, Zero},
	DispatchError, DispatchResult,
};
use synod_primitives::{
	model::ModelId,
	provider::Candidate,
	traits::{ProviderRegistry, Slashed},
};

use crate::{types::BalanceOf, Config, Error, Event, HoldReason, Pallet, Records};

impl<T: Config> ProviderRegistry<T::AccountId> for Pallet<T> {
	type Balance = BalanceOf<T>;

	fn eligible(
		model: &ModelId,
		max_price: Self::Balance,
	) -> Vec<Candidate<T::AccountId, Self::Balance>> {
		Self::eligible_candidates(model, max_price)
	}

	fn capacity(model: &ModelId, max_price: Self::Balance) -> u32 {
		Self::model_capacity(model, max_price)
	}

	fn offers(model: &ModelId) -> Vec<synod_primitives::provider::Offer<Self::Balance>> {
		Self::live_offers(model)
	}

	fn max_eligible() -> u32 {
		T::MaxProvidersPerModel::get()
	}

	fn max_concurrency() -> u32 {
		T::MaxConcurrency::get()
	}

	fn lock_collateral(who: &T::AccountId, amount: Self::Balance) -> DispatchResult {
		Records::<T>::try_mutate(who, |record| {
			let record = record.as_mut().ok_or(Error::<T>::ProviderNotFound)?;
			ensure!(record.running < record.max_concurrent, Error::<T>::NoFreeSlot);
			let locked =
				record.locked.checked_add(&amount).ok_or(Error::<T>::InsufficientFreeBond)?;
			ensure!(locked <= record.bond, Error::<T>::InsufficientFreeBond);
			record.locked = locked;
			record.running = record.running.saturating_add(1);
			Ok(())
		})
	}

	fn unlock_collateral(who: &T::AccountId, amount: Self::Balance) -> DispatchResult {
		Records::<T>::try_mutate(who, |record| {
			let record = record.as_mut().ok_or(Error::<T>::ProviderNotFound)?;
			ensure!(record.running > 0, Error::<T>::NoRunningJobs);
			record.locked =
				record.locked.checked_sub(&amount).ok_or(Error::<T>::CollateralUnderflow)?;
			// Ending the last job must free everything still locked.
			ensure!(
				record.running > 1 || record.locked.is_zero(),
				Error::<T>::CollateralLeftLocked
			);
			record.running = record.running.saturating_sub(1);
			Ok(())
		})
	}

	fn slash_collateral(
		who: &T::AccountId,
		amount: Self::Balance,
		dest: &T::AccountId,
		compensation: Self::Balance,
	) -> Result<Slashed<Self::Balance>, DispatchError> {
		let slashed = Records::<T>::try_mutate(who, |record| {
			let record = record.as_mut().ok_or(Error::<T>::ProviderNotFound)?;
			let locked =
				record.locked.checked_sub(&amount).ok_or(Error::<T>::CollateralUnderflow)?;
			let reason = HoldReason::ProviderBond.into();
			let compensated = T::Currency::transfer_on_hold(
				&reason,
				who,
				dest,
				amount.min(compensation),
				Precision::BestEffort,
				Restriction::Free,
				Fortitude::Force,
			)?;
			let burned = T::Currency::burn_held(
				&reason,
				who,
				amount.saturating_sub(compensated),
				Precision::BestEffort,
				Fortitude::Force,
			)?;
			record.locked = locked;
			record.bond = record
				.bond
				.checked_sub(&Slashed { compensated, burned }.total())
				.ok_or(Error::<T>::CollateralUnderflow)?;
			Ok::<_, DispatchError>(Slashed { compensated, burned })
		})?;
		Self::deposit_event(Event::CollateralSlashed {
			provider: who.clone(),
			amount: slashed.total(),
			dest: dest.clone(),
			compensated: slashed.compensated,
			burned: slashed.burned,
		});
		Ok(slashed)
	}

	fn record_outcome(who: &T::AccountId, success: bool) {
		Records::<T>::mutate(who, |record| {
			if let Some(record) = record {
				record.reputation.record(success, T::ReputationDecay::get());
			}
		});
	}

	fn locked(who: &T::AccountId) -> (Self::Balance, u32) {
		Records::<T>::get(who).map_or((Zero::zero(), 0), |r| (r.locked, r.running))
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn register_benchmark_provider(
		who: &T::AccountId,
		model: ModelId,
		price: Self::Balance,
		bond: Self::Balance,
	) -> DispatchResult {
		crate::benchmarking::register_provider::<T>(who, bond)?;
		Pallet::<T>::do_set_offer(who.clone(), model, price)
	}
}
