//! `ModelRegistry` for pallet-models: how other pallets read models and count open jobs.

use frame_support::ensure;
#[cfg(feature = "runtime-benchmarks")]
use sp_runtime::traits::Saturating;
use sp_runtime::DispatchResult;
use synod_primitives::{
	model::{ModelId, ModelManifest},
	traits::ModelRegistry,
};

use crate::{types::ModelStatus, Config, Error, Pallet, Records};

impl<T: Config> ModelRegistry for Pallet<T> {
	fn active_model(model: &ModelId) -> Option<ModelManifest> {
		Records::<T>::get(model).filter(|r| r.status == ModelStatus::Active).map(|r| r.manifest)
	}

	fn manifest(model: &ModelId) -> Option<ModelManifest> {
		Records::<T>::get(model).map(|r| r.manifest)
	}

	fn acquire(model: &ModelId) -> DispatchResult {
		Records::<T>::try_mutate(model, |record| {
			let record = record.as_mut().ok_or(Error::<T>::ModelNotFound)?;
			ensure!(record.status == ModelStatus::Active, Error::<T>::ModelRetired);
			record.open_jobs =
				record.open_jobs.checked_add(1).ok_or(Error::<T>::TooManyOpenJobs)?;
			Ok(())
		})
	}

	fn release(model: &ModelId) -> DispatchResult {
		Records::<T>::try_mutate(model, |record| {
			let record = record.as_mut().ok_or(Error::<T>::ModelNotFound)?;
			record.open_jobs = record.open_jobs.checked_sub(1).ok_or(Error::<T>::NoOpenJob)?;
			Pallet::<T>::release_deposit_if_done(*model, record)
		})
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn register_benchmark_model(model: ModelId) -> DispatchResult {
		use frame_support::traits::fungible::Mutate;
		let publisher: T::AccountId = frame_benchmarking::account("publisher", 0, 0);
		let mut manifest = crate::benchmarking::largest_manifest(model);
		// Any input size the chain allows (bytes, any number of them), so that other pallets can
		// benchmark their largest.
		manifest.max_input_bytes = <T::MaxInputBytes as frame_support::traits::Get<u32>>::get();
		manifest.input = synod_primitives::model::TensorSpec {
			dtype: synod_primitives::digest::DType::U8,
			shape: alloc::vec![None].try_into().unwrap_or_default(),
		};
		let deposit = Pallet::<T>::deposit_for(&manifest);
		let funds = deposit.saturating_mul(2u32.into()).saturating_add(
			<T::Currency as frame_support::traits::fungible::Inspect<_>>::minimum_balance(),
		);
		T::Currency::set_balance(&publisher, funds);
		// Under the id the benchmark names (not `model_id` of the manifest), so that other
		// pallets' benchmarks can use fixed ids; `try_state` would flag it, benchmarks do not
		// run it.
		Pallet::<T>::insert_model(model, publisher, manifest)
	}
}
