//! The pallet's invariants, checked by `try_state` (and after every unit test).

use frame_support::{ensure, traits::fungible::InspectHold};
use sp_runtime::traits::{Saturating, Zero};

use crate::{Config, HoldReason, ModelIndex, Offers, Pallet, ProviderCount, Records};

impl<T: Config> Pallet<T> {
	/// - each provider's held `ProviderBond` equals its bond plus its unbonding stake;
	/// - locked collateral is at most the bond, and zero when no job runs;
	/// - a leaving provider (no bond, something unbonding) has no offer;
	/// - `Offers` and `ModelIndex` hold the same pairs, each once, only for providers;
	/// - `ProviderCount` is the number of providers.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let mut count: u32 = 0;
		for (who, record) in Records::<T>::iter() {
			count = count.saturating_add(1);
			let unbonding = record.unbonding.map(|u| u.amount).unwrap_or_default();
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::ProviderBond.into(), &who)
					== record.bond.saturating_add(unbonding),
				"held bond differs from bond + unbonding"
			);
			ensure!(record.locked <= record.bond, "more collateral locked than bonded");
			ensure!(record.running > 0 || record.locked.is_zero(), "collateral locked, no job");
			ensure!(record.class_id == record.class.id(), "stale class id");
			if Self::is_leaving(&record) {
				ensure!(Offers::<T>::get(&who).is_empty(), "leaving provider still offers");
			}
		}
		ensure!(count == ProviderCount::<T>::get(), "ProviderCount differs");
		for (who, offers) in Offers::<T>::iter() {
			ensure!(Records::<T>::contains_key(&who), "offer by a non-provider");
			for (i, (model, price)) in offers.iter().enumerate() {
				ensure!(
					!offers.iter().skip(i.saturating_add(1)).any(|(m, _)| m == model),
					"duplicate offer"
				);
				ensure!(
					ModelIndex::<T>::get(model).iter().any(|(p, q)| *p == who && q == price),
					"offer missing from the model index"
				);
			}
		}
		for (model, index) in ModelIndex::<T>::iter() {
			ensure!(!index.is_empty(), "empty model index stored");
			for (i, (who, price)) in index.iter().enumerate() {
				ensure!(
					!index.iter().skip(i.saturating_add(1)).any(|(p, _)| p == who),
					"duplicate index entry"
				);
				ensure!(
					Offers::<T>::get(who).iter().any(|(m, q)| *m == model && q == price),
					"index entry without an offer"
				);
			}
		}
		Ok(())
	}
}
