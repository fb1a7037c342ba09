//! Benchmarks of the providers pallet (v2).
//!
//! Worst cases: `register` with the longest metadata; `unbond` of the whole bond by a provider
//! with `MaxOffersPerProvider` offers, each in a full model index; `set_offer` into a full
//! index that evicts a provider with `MaxOffersPerProvider` offers; `remove_offer` from a full
//! index; `eligible(n)` over an index of `n` assignable providers.

use super::*;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	Get,
};
use frame_system::RawOrigin;
use sp_runtime::{traits::Saturating, DispatchResult};
use synod_primitives::{
	model::ModelId,
	provider::{DeterminismClass, DeviceKind, MAX_ARCH_LEN, MAX_LIBTORCH_LEN},
	traits::{ModelRegistry, ProviderRegistry},
};

use crate::types::MAX_METADATA_LEN;

/// The largest determinism class.
fn class() -> DeterminismClass {
	DeterminismClass {
		device: DeviceKind::Cuda,
		arch: vec![b'a'; MAX_ARCH_LEN as usize].try_into().unwrap_or_default(),
		libtorch: vec![b'2'; MAX_LIBTORCH_LEN as usize].try_into().unwrap_or_default(),
		deterministic: true,
	}
}

fn min_bond<T: Config>() -> BalanceOf<T> {
	T::MinBond::get().max(T::Currency::minimum_balance())
}

fn fund<T: Config>(who: &T::AccountId, bond: BalanceOf<T>) {
	T::Currency::set_balance(
		who,
		bond.saturating_mul(4u32.into()).saturating_add(T::Currency::minimum_balance()),
	);
}

/// Registers `who` as a provider with `bond` (funding it first).
pub(crate) fn register_provider<T: Config>(
	who: &T::AccountId,
	bond: BalanceOf<T>,
) -> DispatchResult {
	fund::<T>(who, bond);
	Pallet::<T>::do_register(
		who.clone(),
		bond,
		class(),
		T::MaxConcurrency::get(),
		vec![0u8; MAX_METADATA_LEN as usize],
	)
}

fn model_hash(i: u32) -> ModelId {
	let mut h = [0xaa; 32];
	h[..4].copy_from_slice(&i.to_le_bytes());
	h
}

fn price<T: Config>(p: u32) -> BalanceOf<T> {
	BalanceOf::<T>::from(p.saturating_add(1))
}

/// Registers a model and `n` providers (seeded by `seed`) that offer it at increasing prices.
fn fill_index<T: Config>(model: ModelId, n: u32, seed: u32) -> Vec<T::AccountId> {
	let _ = T::Models::register_benchmark_model(model);
	(0..n)
		.map(|i| {
			let who: T::AccountId = account("provider", i, seed);
			if !Records::<T>::contains_key(&who) {
				assert!(register_provider::<T>(&who, min_bond::<T>()).is_ok());
			}
			assert!(Pallet::<T>::do_set_offer(who.clone(), model, price::<T>(i)).is_ok());
			who
		})
		.collect()
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register() {
		let caller: T::AccountId = whitelisted_caller();
		let bond = min_bond::<T>();
		fund::<T>(&caller, bond);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(caller.clone()),
			bond,
			class(),
			T::MaxConcurrency::get(),
			vec![0u8; MAX_METADATA_LEN as usize],
		);

		assert!(Records::<T>::contains_key(&caller));
	}

	#[benchmark]
	fn bond_more() {
		let caller: T::AccountId = whitelisted_caller();
		assert!(register_provider::<T>(&caller, min_bond::<T>()).is_ok());

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), min_bond::<T>());

		assert_eq!(
			Records::<T>::get(&caller).map(|r| r.bond),
			Some(min_bond::<T>().saturating_mul(2u32.into()))
		);
	}

	#[benchmark]
	fn unbond() {
		let caller: T::AccountId = whitelisted_caller();
		assert!(register_provider::<T>(&caller, min_bond::<T>()).is_ok());
		let full = T::MaxProvidersPerModel::get().saturating_sub(1);
		for m in 0..T::MaxOffersPerProvider::get() {
			fill_index::<T>(model_hash(m), full, m);
			assert!(Pallet::<T>::do_set_offer(caller.clone(), model_hash(m), price::<T>(0)).is_ok());
		}

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), min_bond::<T>());

		assert!(Offers::<T>::get(&caller).is_empty());
	}

	#[benchmark]
	fn withdraw_unbonded() {
		let caller: T::AccountId = whitelisted_caller();
		assert!(register_provider::<T>(&caller, min_bond::<T>()).is_ok());
		assert!(Pallet::<T>::do_unbond(caller.clone(), min_bond::<T>()).is_ok());
		frame_system::Pallet::<T>::set_block_number(
			frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingDelay::get()),
		);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert!(!Records::<T>::contains_key(&caller));
	}

	#[benchmark]
	fn set_offer() {
		let caller: T::AccountId = whitelisted_caller();
		// Heavier than the index's providers, so that it evicts one.
		assert!(
			register_provider::<T>(&caller, min_bond::<T>().saturating_mul(2u32.into())).is_ok()
		);
		let model = model_hash(u32::MAX);
		let others = fill_index::<T>(model, T::MaxProvidersPerModel::get(), 1_000);
		// The most expensive provider (evicted) also has a full list of offers.
		let top = others.last().cloned();
		if let Some(top) = &top {
			for m in 1..T::MaxOffersPerProvider::get() {
				fill_index::<T>(model_hash(m), 0, m);
				assert!(
					Pallet::<T>::do_set_offer(top.clone(), model_hash(m), price::<T>(0)).is_ok()
				);
			}
		}
		for m in 1..T::MaxOffersPerProvider::get() {
			assert!(Pallet::<T>::do_set_offer(caller.clone(), model_hash(m), price::<T>(0)).is_ok());
		}

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), model, price::<T>(0));

		assert!(ModelIndex::<T>::get(model).iter().any(|(p, _)| *p == caller));
	}

	#[benchmark]
	fn remove_offer() {
		let caller: T::AccountId = whitelisted_caller();
		assert!(register_provider::<T>(&caller, min_bond::<T>()).is_ok());
		let model = model_hash(u32::MAX);
		fill_index::<T>(model, T::MaxProvidersPerModel::get().saturating_sub(1), 1_000);
		for m in 1..T::MaxOffersPerProvider::get() {
			fill_index::<T>(model_hash(m), 0, m);
			assert!(Pallet::<T>::do_set_offer(caller.clone(), model_hash(m), price::<T>(0)).is_ok());
		}
		assert!(Pallet::<T>::do_set_offer(caller.clone(), model, price::<T>(0)).is_ok());

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), model);

		assert!(!ModelIndex::<T>::get(model).iter().any(|(p, _)| *p == caller));
	}

	#[benchmark]
	fn pause() {
		let caller: T::AccountId = whitelisted_caller();
		assert!(register_provider::<T>(&caller, min_bond::<T>()).is_ok());

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert_eq!(Records::<T>::get(&caller).map(|r| r.paused), Some(true));
	}

	#[benchmark]
	fn resume() {
		let caller: T::AccountId = whitelisted_caller();
		assert!(register_provider::<T>(&caller, min_bond::<T>()).is_ok());
		assert!(Pallet::<T>::do_set_paused(caller.clone(), true).is_ok());

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert_eq!(Records::<T>::get(&caller).map(|r| r.paused), Some(false));
	}

	#[benchmark]
	fn heartbeat() {
		let caller: T::AccountId = whitelisted_caller();
		assert!(register_provider::<T>(&caller, min_bond::<T>()).is_ok());
		let later = frame_system::Pallet::<T>::block_number().saturating_add(10u32.into());
		frame_system::Pallet::<T>::set_block_number(later);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert_eq!(Records::<T>::get(&caller).map(|r| r.last_heartbeat), Some(later));
	}

	#[benchmark]
	fn set_concurrency() {
		let caller: T::AccountId = whitelisted_caller();
		assert!(register_provider::<T>(&caller, min_bond::<T>()).is_ok());

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), 1);

		assert_eq!(Records::<T>::get(&caller).map(|r| r.max_concurrent), Some(1));
	}

	/// The eligibility lookup pallet-jobs runs per assignment, over an index of `n` offers.
	#[benchmark]
	fn eligible(n: Linear<1, { T::MaxProvidersPerModel::get() }>) {
		let model = model_hash(7);
		fill_index::<T>(model, n, 2_000);
		let result;

		#[block]
		{
			result = <Pallet<T> as ProviderRegistry<T::AccountId>>::eligible(
				&model,
				price::<T>(u32::MAX - 1),
			);
		}

		assert_eq!(result.len(), n as usize);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
