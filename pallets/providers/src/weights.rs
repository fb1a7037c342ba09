//! Provisional weights, replaced by `scripts/bench-weights.sh` (frame-omni-bencher).

#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for `pallet_providers`.
pub trait WeightInfo {
	fn register() -> Weight;
	fn bond_more() -> Weight;
	fn unbond() -> Weight;
	fn withdraw_unbonded() -> Weight;
	fn set_offer() -> Weight;
	fn remove_offer() -> Weight;
	fn pause() -> Weight;
	fn resume() -> Weight;
	fn heartbeat() -> Weight;
	fn set_concurrency() -> Weight;
	fn eligible(n: u32) -> Weight;
}

/// Weights for `pallet_providers` using the Substrate node and recommended hardware.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register() -> Weight {
		Weight::from_parts(50_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(4, 4))
	}
	fn bond_more() -> Weight {
		Weight::from_parts(50_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(4, 4))
	}
	fn unbond() -> Weight {
		Weight::from_parts(50_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(4, 4))
	}
	fn withdraw_unbonded() -> Weight {
		Weight::from_parts(50_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(4, 4))
	}
	fn set_offer() -> Weight {
		Weight::from_parts(50_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(4, 4))
	}
	fn remove_offer() -> Weight {
		Weight::from_parts(50_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(4, 4))
	}
	fn pause() -> Weight {
		Weight::from_parts(50_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(4, 4))
	}
	fn resume() -> Weight {
		Weight::from_parts(50_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(4, 4))
	}
	fn heartbeat() -> Weight {
		Weight::from_parts(50_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(4, 4))
	}
	fn set_concurrency() -> Weight {
		Weight::from_parts(50_000_000, 4_000).saturating_add(T::DbWeight::get().reads_writes(4, 4))
	}
	fn eligible(n: u32) -> Weight {
		Weight::from_parts(5_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(u64::from(n).saturating_add(1)))
	}
}

impl WeightInfo for () {
	fn register() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads_writes(4, 4))
	}
	fn bond_more() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads_writes(4, 4))
	}
	fn unbond() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads_writes(4, 4))
	}
	fn withdraw_unbonded() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads_writes(4, 4))
	}
	fn set_offer() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads_writes(4, 4))
	}
	fn remove_offer() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads_writes(4, 4))
	}
	fn pause() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads_writes(4, 4))
	}
	fn resume() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads_writes(4, 4))
	}
	fn heartbeat() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads_writes(4, 4))
	}
	fn set_concurrency() -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads_writes(4, 4))
	}
	fn eligible(n: u32) -> Weight {
		Weight::from_parts(5_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads(u64::from(n).saturating_add(1)))
	}
}
