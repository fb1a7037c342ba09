//! The pallet's invariants, checked by `try_state` (and after every unit test).

use alloc::collections::btree_map::BTreeMap;
use frame_support::{ensure, traits::fungible::InspectHold};
use sp_runtime::traits::{Saturating, Zero};

use crate::{types::BalanceOf, Config, HoldReason, ModelCount, ModelStatus, Pallet, Records};

impl<T: Config> Pallet<T> {
	/// Invariants: each publisher's held `ManifestDeposit` equals the sum of its records'
	/// deposits; a retired model with no open job holds no deposit; `ModelCount` is the number
	/// of records; every stored manifest is valid and stored under its id, `model_id` of its
	/// publisher and manifest (benchmarks store theirs under fixed ids, and check nothing).
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let mut held: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut count: u32 = 0;
		for (id, record) in Records::<T>::iter() {
			count = count.saturating_add(1);
			ensure!(
				synod_primitives::model::model_id(&record.publisher, &record.manifest) == id,
				"manifest stored under another id than its publisher's and manifest's"
			);
			ensure!(record.manifest.validate().is_ok(), "invalid manifest in storage");
			ensure!(
				!(record.status == ModelStatus::Retired
					&& record.open_jobs == 0
					&& !record.deposit.is_zero()),
				"retired model without open jobs still holds a deposit"
			);
			let sum = held.entry(record.publisher.clone()).or_default();
			*sum = sum.saturating_add(record.deposit);
		}
		ensure!(count == ModelCount::<T>::get(), "ModelCount differs from the number of models");
		for (who, sum) in held {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::ManifestDeposit.into(), &who) == sum,
				"held manifest deposit differs from the recorded deposits"
			);
		}
		Ok(())
	}
}
