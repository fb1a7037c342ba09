//! Provisional weights, replaced by `scripts/bench-weights.sh` (frame-omni-bencher).

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::ParityDbWeight, Weight},
};

/// The weight of each call and hook of `pallet_jobs`.
pub trait WeightInfo {
	fn cancel_job() -> Weight;
	fn commit() -> Weight;
	fn reveal() -> Weight;
	fn on_idle_prune() -> Weight;
	fn submit_job(n: u32) -> Weight;
	fn commit_batch(n: u32) -> Weight;
	fn reveal_batch(n: u32) -> Weight;
	fn on_initialize_assign(n: u32) -> Weight;
	fn on_initialize_timeouts(n: u32) -> Weight;
}

/// Measured weights, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn cancel_job() -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_add(T::DbWeight::get().reads_writes(8, 8))
	}
	fn commit() -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_add(T::DbWeight::get().reads_writes(8, 8))
	}
	fn reveal() -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_add(T::DbWeight::get().reads_writes(8, 8))
	}
	fn on_idle_prune() -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_add(T::DbWeight::get().reads_writes(8, 8))
	}
	fn submit_job(n: u32) -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_mul(u64::from(n).saturating_add(1))
			.saturating_add(T::DbWeight::get().reads_writes(8, 8))
	}
	fn commit_batch(n: u32) -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_mul(u64::from(n).saturating_add(1))
			.saturating_add(T::DbWeight::get().reads_writes(8, 8))
	}
	fn reveal_batch(n: u32) -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_mul(u64::from(n).saturating_add(1))
			.saturating_add(T::DbWeight::get().reads_writes(8, 8))
	}
	fn on_initialize_assign(n: u32) -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_mul(u64::from(n).saturating_add(1))
			.saturating_add(T::DbWeight::get().reads_writes(8, 8))
	}
	fn on_initialize_timeouts(n: u32) -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_mul(u64::from(n).saturating_add(1))
			.saturating_add(T::DbWeight::get().reads_writes(8, 8))
	}
}

/// The same weights with ParityDb's database weights, for tests and mocks.
impl WeightInfo for () {
	fn cancel_job() -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(8, 8))
	}
	fn commit() -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(8, 8))
	}
	fn reveal() -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(8, 8))
	}
	fn on_idle_prune() -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_add(ParityDbWeight::get().reads_writes(8, 8))
	}
	fn submit_job(n: u32) -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_mul(u64::from(n).saturating_add(1))
			.saturating_add(ParityDbWeight::get().reads_writes(8, 8))
	}
	fn commit_batch(n: u32) -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_mul(u64::from(n).saturating_add(1))
			.saturating_add(ParityDbWeight::get().reads_writes(8, 8))
	}
	fn reveal_batch(n: u32) -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_mul(u64::from(n).saturating_add(1))
			.saturating_add(ParityDbWeight::get().reads_writes(8, 8))
	}
	fn on_initialize_assign(n: u32) -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_mul(u64::from(n).saturating_add(1))
			.saturating_add(ParityDbWeight::get().reads_writes(8, 8))
	}
	fn on_initialize_timeouts(n: u32) -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_mul(u64::from(n).saturating_add(1))
			.saturating_add(ParityDbWeight::get().reads_writes(8, 8))
	}
}
