//! Benchmarks of the models pallet (v2). Worst cases: the largest manifest the types allow
//! (name, rank and sources at their bounds), and a retirement that also releases the deposit.

use super::*;
use alloc::{boxed::Box, vec};
use frame_benchmarking::v2::*;
use frame_support::traits::fungible::{Inspect, Mutate};
use frame_system::RawOrigin;
use sp_runtime::traits::Saturating;
use synod_primitives::{
	digest::{DType, Hash32},
	model::{
		model_id, Canonicalization, ModelManifest, TensorSpec, MAX_NAME_LEN, MAX_RANK, MAX_SOURCES,
		MAX_URI_LEN,
	},
};

/// The largest valid manifest: every bounded field full.
pub(crate) fn largest_manifest(file_hash: Hash32) -> ModelManifest {
	let rank = MAX_RANK as usize;
	let mut shape = vec![Some(1u32); rank];
	if let Some(first) = shape.first_mut() {
		*first = None;
	}
	let spec = |dtype| TensorSpec { dtype, shape: shape.clone().try_into().unwrap_or_default() };
	let mut uri = b"https://".to_vec();
	uri.resize(MAX_URI_LEN as usize, b'a');
	ModelManifest {
		file_hash,
		name: vec![b'n'; MAX_NAME_LEN as usize].try_into().unwrap_or_default(),
		input: spec(DType::F32),
		output: spec(DType::F32),
		canonicalization: Canonicalization { step_exponent: 16, tolerance: 2 },
		max_input_bytes: 4,
		sources: vec![uri.try_into().unwrap_or_default(); MAX_SOURCES as usize]
			.try_into()
			.unwrap_or_default(),
	}
}

fn funded<T: Config>(who: &T::AccountId, manifest: &ModelManifest) {
	let deposit = Pallet::<T>::deposit_for(manifest);
	T::Currency::set_balance(
		who,
		deposit.saturating_mul(2u32.into()).saturating_add(T::Currency::minimum_balance()),
	);
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_model() {
		let caller: T::AccountId = whitelisted_caller();
		let manifest = largest_manifest([1; 32]);
		let id = model_id(&caller, &manifest);
		funded::<T>(&caller, &manifest);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), Box::new(manifest));

		assert!(Records::<T>::contains_key(id));
	}

	#[benchmark]
	fn retire_model() {
		let caller: T::AccountId = whitelisted_caller();
		let manifest = largest_manifest([2; 32]);
		funded::<T>(&caller, &manifest);
		let id = Pallet::<T>::do_register_model(caller.clone(), manifest).unwrap_or_default();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id);

		assert_eq!(Records::<T>::get(id).map(|r| r.status), Some(ModelStatus::Retired));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
