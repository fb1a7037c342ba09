//! Benchmarks of the jobs pallet (v2).
//!
//! Worst cases: `submit_job` with the largest inline input; `cancel_job` behind a full queue;
//! `commit` as the last commit of a `MaxRedundancy` job (opens reveals); `reveal` as the last
//! reveal of a `MaxRedundancy` job (settles: pays every provider); batches of `n` such items;
//! `on_initialize_assign(n)` drawing `MaxRedundancy` providers for `n` jobs from a pool of
//! `2 × MaxRedundancy`; `on_initialize_timeouts(n)` failing `n` jobs whose `MaxRedundancy`
//! providers all stayed silent (every collateral slashed); `on_idle_prune` removing one receipt.

use super::*;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		Get,
	},
	weights::WeightMeter,
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::traits::Saturating;
use synod_primitives::{
	model::ModelHash,
	traits::{ModelRegistry, ProviderRegistry},
};

use crate::types::{JobId, JobInput, JobStatus};

const MODEL: ModelHash = [0xbb; 32];

fn price<T: Config>() -> BalanceOf<T> {
	T::Currency::minimum_balance().max(1u32.into())
}

fn big<T: Config>() -> BalanceOf<T> {
	// Enough for any bond, escrow or deposit in a benchmark.
	price::<T>().saturating_mul(1_000_000_000u32.into())
}

/// The model and `count` providers offering it.
fn setup<T: Config>(count: u32) -> Vec<T::AccountId> {
	assert!(T::Models::register_benchmark_model(MODEL).is_ok());
	(0..count)
		.map(|i| {
			let who: T::AccountId = account("provider", i, 0);
			T::Currency::set_balance(&who, big::<T>());
			assert!(T::Providers::register_benchmark_provider(
				&who,
				MODEL,
				price::<T>(),
				price::<T>().saturating_mul(1_000_000u32.into()),
			)
			.is_ok());
			who
		})
		.collect()
}

fn payer<T: Config>() -> T::AccountId {
	let who: T::AccountId = whitelisted_caller();
	T::Currency::set_balance(&who, big::<T>());
	who
}

fn now<T: Config>() -> BlockNumberFor<T> {
	frame_system::Pallet::<T>::block_number()
}

/// Submits a `MaxRedundancy` job with a small input.
fn submit<T: Config>(payer: &T::AccountId) -> JobId {
	let id = NextJobId::<T>::get();
	let input = JobInput::Inline(vec![1u8; 4].try_into().unwrap_or_default());
	assert!(Pallet::<T>::do_submit_job(
		payer.clone(),
		MODEL,
		input,
		T::MaxRedundancy::get(),
		price::<T>(),
		now::<T>().saturating_add(T::MaxJobDuration::get()),
	)
	.is_ok());
	id
}

/// Submits and assigns (in the next block) a `MaxRedundancy` job.
fn assigned<T: Config>(payer: &T::AccountId) -> JobId {
	let id = submit::<T>(payer);
	Queue::<T>::mutate(|q| q.retain(|j| *j != id));
	let next = now::<T>().saturating_add(1u32.into());
	assert!(Pallet::<T>::do_assign(id, next).is_ok());
	id
}

fn providers_of<T: Config>(job: JobId) -> Vec<T::AccountId> {
	Jobs::<T>::get(job)
		.map(|j| j.assignments.into_iter().map(|a| a.provider).collect())
		.unwrap_or_default()
}

fn salt(i: u32) -> Salt {
	let mut s = [7u8; 32];
	s[..4].copy_from_slice(&i.to_le_bytes());
	s
}

/// Every provider of `job` but `except` commits (and, if `reveal`, reveals) digest `[1; 32]`.
fn answer<T: Config>(job: JobId, except: &T::AccountId, reveal: bool) {
	for (i, who) in providers_of::<T>(job).iter().enumerate() {
		if who == except {
			continue;
		}
		let c = commitment_of(&[1; 32], &salt(i as u32), who);
		assert!(Pallet::<T>::do_commit(who, job, c).is_ok());
	}
	if reveal {
		let last = providers_of::<T>(job).iter().position(|w| w == except).unwrap_or(0);
		let c = commitment_of(&[1; 32], &salt(last as u32), except);
		assert!(Pallet::<T>::do_commit(except, job, c).is_ok());
		for (i, who) in providers_of::<T>(job).iter().enumerate() {
			if who != except {
				assert!(Pallet::<T>::do_reveal(who, job, [1; 32], salt(i as u32)).is_ok());
			}
		}
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn submit_job(n: Linear<1, { T::MaxInlineInput::get() }>) {
		setup::<T>(T::MaxRedundancy::get());
		let caller = payer::<T>();
		let input = JobInput::Inline(vec![1u8; n as usize].try_into().unwrap_or_default());
		let deadline = now::<T>().saturating_add(T::MaxJobDuration::get());

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), MODEL, input, T::MaxRedundancy::get(), price::<T>(), deadline);

		assert_eq!(Queue::<T>::get().len(), 1);
	}

	#[benchmark]
	fn cancel_job() {
		setup::<T>(T::MaxRedundancy::get());
		let caller = payer::<T>();
		let job = submit::<T>(&caller);
		while (Queue::<T>::get().len() as u32) < T::MaxQueued::get() {
			submit::<T>(&caller);
		}

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), job);

		assert!(Jobs::<T>::get(job).is_none());
	}

	#[benchmark]
	fn commit() {
		setup::<T>(T::MaxRedundancy::get());
		let job = assigned::<T>(&payer::<T>());
		let last = providers_of::<T>(job).last().cloned().unwrap_or_else(|| account("x", 0, 0));
		answer::<T>(job, &last, false);

		#[extrinsic_call]
		_(RawOrigin::Signed(last), job, [2u8; 32]);

		assert_eq!(Jobs::<T>::get(job).map(|j| j.status), Some(JobStatus::Revealing));
	}

	#[benchmark]
	fn reveal() {
		setup::<T>(T::MaxRedundancy::get());
		let job = assigned::<T>(&payer::<T>());
		let providers = providers_of::<T>(job);
		let last_index = providers.len().saturating_sub(1);
		let last = providers.last().cloned().unwrap_or_else(|| account("x", 0, 0));
		answer::<T>(job, &last, true);

		#[extrinsic_call]
		_(RawOrigin::Signed(last), job, [1; 32], salt(last_index as u32));

		assert!(Receipts::<T>::get(job).is_some());
	}

	#[benchmark]
	fn commit_batch(n: Linear<1, { T::MaxBatch::get() }>) {
		setup::<T>(T::MaxRedundancy::get());
		let caller = payer::<T>();
		let jobs: Vec<JobId> = (0..n).map(|_| assigned::<T>(&caller)).collect();
		let first = jobs.first().copied().unwrap_or_default();
		let last = providers_of::<T>(first).last().cloned().unwrap_or_else(|| account("x", 0, 0));
		for job in &jobs {
			answer::<T>(*job, &last, false);
		}
		let items: Vec<_> = jobs.iter().map(|j| (*j, [2u8; 32])).collect();
		let items: BoundedVec<_, T::MaxBatch> = items.try_into().unwrap_or_default();

		#[extrinsic_call]
		_(RawOrigin::Signed(last), items);

		assert_eq!(Jobs::<T>::get(first).map(|j| j.status), Some(JobStatus::Revealing));
	}

	#[benchmark]
	fn reveal_batch(n: Linear<1, { T::MaxBatch::get() }>) {
		setup::<T>(T::MaxRedundancy::get());
		let caller = payer::<T>();
		let jobs: Vec<JobId> = (0..n).map(|_| assigned::<T>(&caller)).collect();
		let first = jobs.first().copied().unwrap_or_default();
		let providers = providers_of::<T>(first);
		let last = providers.last().cloned().unwrap_or_else(|| account("x", 0, 0));
		let mut items = Vec::new();
		for job in &jobs {
			answer::<T>(*job, &last, true);
			let i = providers_of::<T>(*job).iter().position(|w| *w == last).unwrap_or(0);
			items.push((*job, [1u8; 32], salt(i as u32)));
		}
		let items: BoundedVec<_, T::MaxBatch> = items.try_into().unwrap_or_default();

		#[extrinsic_call]
		_(RawOrigin::Signed(last), items);

		assert!(Receipts::<T>::get(first).is_some());
	}

	#[benchmark]
	fn on_initialize_assign(n: Linear<0, { T::MaxAssignmentsPerBlock::get() }>) {
		setup::<T>(T::MaxRedundancy::get().saturating_mul(2));
		let caller = payer::<T>();
		let jobs: Vec<JobId> = (0..n).map(|_| submit::<T>(&caller)).collect();
		let next = now::<T>().saturating_add(1u32.into());
		let handled;

		#[block]
		{
			handled = Pallet::<T>::process_queue(next);
		}

		assert_eq!(handled, n);
		for job in jobs {
			assert_eq!(Jobs::<T>::get(job).map(|j| j.status), Some(JobStatus::Committing));
		}
	}

	#[benchmark]
	fn on_initialize_timeouts(n: Linear<0, { T::MaxTimeoutsPerBlock::get() }>) {
		// Four times the redundancy, so that job slots never run out while assigning `n`.
		setup::<T>(T::MaxRedundancy::get().saturating_mul(4));
		let caller = payer::<T>();
		let jobs: Vec<JobId> = (0..n).map(|_| assigned::<T>(&caller)).collect();
		let end = jobs
			.first()
			.and_then(Jobs::<T>::get)
			.map(|j| j.phase_end)
			.unwrap_or_else(|| now::<T>().saturating_add(T::CommitWindow::get()));
		// Any that landed on a later block (a full one) are moved to `end`.
		for job in &jobs {
			Jobs::<T>::mutate(job, |j| {
				if let Some(j) = j {
					j.phase_end = end;
				}
			});
		}
		let all: BoundedVec<JobId, T::MaxTimeoutsPerBlock> =
			jobs.clone().try_into().unwrap_or_default();
		Timeouts::<T>::insert(end, all);
		frame_system::Pallet::<T>::set_block_number(end);
		let handled;

		#[block]
		{
			handled = Pallet::<T>::process_timeouts(end);
		}

		assert_eq!(handled, n);
		for job in jobs {
			assert!(Jobs::<T>::get(job).is_none());
		}
	}

	#[benchmark]
	fn on_idle_prune() {
		setup::<T>(T::MaxRedundancy::get());
		let job = assigned::<T>(&payer::<T>());
		let providers = providers_of::<T>(job);
		let last = providers.last().cloned().unwrap_or_else(|| account("x", 0, 0));
		answer::<T>(job, &last, true);
		let i = providers.len().saturating_sub(1) as u32;
		assert!(Pallet::<T>::do_reveal(&last, job, [1; 32], salt(i)).is_ok());
		let later =
			now::<T>().saturating_add(T::ResultRetention::get()).saturating_add(1u32.into());
		frame_system::Pallet::<T>::set_block_number(later);
		let mut meter = WeightMeter::with_limit(T::WeightInfo::on_idle_prune());

		#[block]
		{
			Pallet::<T>::prune_receipts(later, &mut meter);
		}

		assert!(Receipts::<T>::get(job).is_none());
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
