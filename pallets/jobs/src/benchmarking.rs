//! Benchmarks of the jobs pallet (v2).
//!
//! Every job is submitted with the largest inline input, so that each call reads and writes the
//! largest record; cohorts with `MaxCohort` members by hash and URI of the longest length.
//!
//! Worst cases: `submit_job` with the largest inline input; `submit_cohort(m)` with `m`
//! one-byte members; `reveal_members(n)` as the first opening of an `n`-member cohort;
//! `cancel_job`; `commit` as the last
//! commit of a `MaxRedundancy` job (opens reveals); `reveal(v)` as the last reveal of a job with
//! `v` voters (the last opening of a first round whose seals differ, or the last reveal of an
//! escalated job's `2 × MaxRedundancy`), every one revealing a `MAX_SMALL_OUTPUT`-element
//! output with its own digest, all within the tolerance (the longest comparison; settles and
//! pays everyone); `reveal_digests(v)` the same with digests only (what a job whose reveals
//! carry no output is charged); `reveal_pending` as an opening that is not the last (a seal
//! that is not the last is charged the same); `reveal_escalate` as the last seal of a split
//! first round (draws `MaxRedundancy` more providers); `commit_batch(n)`; `on_initialize_assign(n)` drawing `MaxRedundancy` providers
//! for `n` jobs from the largest pool a model can have (`ProviderRegistry::max_eligible`);
//! `on_initialize_timeouts(n)` closing `n` commit windows whose `MaxRedundancy` providers all
//! stayed silent (each slashed and replaced from the largest pool); `on_idle_prune` removing
//! one receipt.

use super::*;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		Get,
	},
	weights::{Weight, WeightMeter},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::traits::Saturating;
use synod_primitives::{
	model::ModelId,
	traits::{ModelRegistry, ProviderRegistry},
};

use crate::types::{
	seal_of, JobId, JobInput, JobRequest, JobStatus, MemberDigests, MemberInput, SmallOutput,
	MAX_SMALL_OUTPUT,
};
use codec::Encode;
use synod_primitives::{
	digest::{members_root, output_digest, Hash32},
	model::MAX_URI_LEN,
};

const MODEL: ModelId = [0xbb; 32];

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

/// The providers a draw reads: the largest eligible set (`ProviderRegistry::max_eligible`), and
/// at least `needed`.
fn pool_size<T: Config>(needed: u32) -> u32 {
	T::Providers::max_eligible().max(needed)
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
	submit_k::<T>(payer, T::MaxRedundancy::get())
}

/// Submits a job of redundancy `k` with the largest inline input (the largest record every
/// commit and reveal reads and writes).
fn submit_k<T: Config>(payer: &T::AccountId, k: u32) -> JobId {
	let input = JobInput::Inline(
		vec![1u8; T::MaxInlineInput::get() as usize].try_into().unwrap_or_default(),
	);
	submit_input::<T>(payer, k, input)
}

/// A cohort of `m` members by hash and a URI of the longest length (its record is about as
/// large as the largest inline input's).
fn cohort(m: u32) -> JobInput {
	let members: Vec<MemberInput> = (0..m)
		.map(|i| {
			let mut uri = b"https://inputs.example/".to_vec();
			uri.resize(MAX_URI_LEN as usize, b'a');
			MemberInput::Remote {
				hash: sp_crypto_hashing::blake2_256(&i.to_le_bytes()),
				uri: uri.try_into().unwrap_or_default(),
			}
		})
		.collect();
	JobInput::Cohort(members.try_into().unwrap_or_default())
}

/// Submits a job of redundancy `k` with `input`.
fn submit_input<T: Config>(payer: &T::AccountId, k: u32, input: JobInput) -> JobId {
	let id = NextJobId::<T>::get();
	assert!(Pallet::<T>::do_submit(
		payer.clone(),
		MODEL,
		input,
		Some(k),
		price::<T>(),
		now::<T>().saturating_add(T::MaxJobDuration::get()),
	)
	.is_ok());
	id
}

/// Submits and assigns (in the next block) a `MaxRedundancy` job.
fn assigned<T: Config>(payer: &T::AccountId) -> JobId {
	assigned_k::<T>(payer, T::MaxRedundancy::get())
}

/// Submits and assigns (in the next block) a job of redundancy `k`.
fn assigned_k<T: Config>(payer: &T::AccountId, k: u32) -> JobId {
	let id = submit_k::<T>(payer, k);
	assign::<T>(id)
}

/// Assigns the queued job `id` in the next block.
fn assign<T: Config>(id: JobId) -> JobId {
	AssignCursor::<T>::put(id.saturating_add(1));
	let next = now::<T>().saturating_add(1u32.into());
	let mut pool = T::Providers::eligible(&MODEL, price::<T>());
	assert!(Pallet::<T>::do_assign(id, next, &mut pool).is_ok());
	id
}

fn providers_of<T: Config>(job: JobId) -> Vec<T::AccountId> {
	Open::<T>::get(job)
		.map(|j| j.assignments.into_iter().map(|a| a.provider).collect())
		.unwrap_or_default()
}

fn salt(i: u32) -> Salt {
	let mut s = [7u8; 32];
	s[..4].copy_from_slice(&i.to_le_bytes());
	s
}

/// The commitment of `who` (assignment `i`) to `digest` in `job`'s current round.
fn commitment<T: Config>(job: JobId, i: usize, who: &T::AccountId, digest: &Hash32) -> Hash32 {
	let round = Open::<T>::get(job).map(|j| j.round).unwrap_or_default();
	commitment_of(&seal_of(job, round, digest), &salt(i as u32), who)
}

/// Every provider of `job` but `except` commits digest `[1; 32]`; with `seal`, `except` too,
/// and every one seals (the job then waits for an opening).
fn answer<T: Config>(job: JobId, except: &T::AccountId, seal: bool) {
	for (i, who) in providers_of::<T>(job).iter().enumerate() {
		if who == except && !seal {
			continue;
		}
		let c = commitment::<T>(job, i, who, &[1; 32]);
		assert!(Pallet::<T>::do_commit(who, job, c).is_ok());
	}
	if seal {
		for (i, who) in providers_of::<T>(job).iter().enumerate() {
			let sealed = seal_of(job, 0, &[1; 32]);
			assert!(Pallet::<T>::do_seal(who, job, sealed, salt(i as u32)).is_ok());
		}
	}
}

/// The output assignment `i` of `job` reveals: `MAX_SMALL_OUTPUT` elements, the last one
/// `off` steps from the others' (the benchmark model's tolerance is 2), and its digest.
fn output_for<T: Config>(job: JobId, off: i64) -> (Hash32, SmallOutput) {
	let record = Open::<T>::get(job);
	let (model, input_hash) = record.map(|r| (r.model, r.input_hash)).unwrap_or_default();
	let mut values = vec![1_000i64; MAX_SMALL_OUTPUT as usize];
	if let Some(last) = values.last_mut() {
		*last = last.saturating_add(off);
	}
	let out = SmallOutput {
		shape: vec![MAX_SMALL_OUTPUT].try_into().unwrap_or_default(),
		values: values.try_into().unwrap_or_default(),
	};
	(output_digest(&model, &input_hash, &out.shape, &out.values), out)
}

/// How a round's outputs differ (each within the benchmark model's tolerance of 2 steps but
/// where said): so that the tally compares every pair element by element.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pattern {
	/// Alternately 0 and 1 step off: all agree, digests differ.
	Alternate,
	/// The first one 100 steps off (a dissent), the rest alternate.
	Split,
	/// Assignment `i` 1 step off, the rest equal: its seal differs, its output agrees (when
	/// it opens last, nothing is unanimous before the last opening).
	OneOff(usize),
	/// All equal.
	Same,
}

/// The offset assignment `i` reveals under `p`.
fn off(i: usize, p: Pattern) -> i64 {
	match p {
		Pattern::Split if i == 0 => 100,
		Pattern::Split | Pattern::Alternate => (i % 2) as i64,
		Pattern::OneOff(j) => i64::from(i == j),
		Pattern::Same => 0,
	}
}

/// What assignment `i` of `job` reveals under `p`: the output of `output_for` (offset by
/// `off`), or with `outputs` false a digest only (another one for an offset output).
fn reveal_of<T: Config>(
	job: JobId,
	i: usize,
	p: Pattern,
	outputs: bool,
) -> (Hash32, Option<SmallOutput>) {
	if outputs {
		let (digest, out) = output_for::<T>(job, off(i, p));
		(digest, Some(out))
	} else if matches!(p, Pattern::Split | Pattern::OneOff(_))
		&& off(i, p) != 0
		&& !(p == Pattern::Split && i != 0)
	{
		// Digests only: the dissenter (or the one off) has another digest; alternating
		// outputs would all have one.
		([9; 32], None)
	} else {
		([1; 32], None)
	}
}

/// The providers of `job`'s current round, with their index in its assignments.
fn in_round<T: Config>(job: JobId) -> Vec<(usize, T::AccountId)> {
	Open::<T>::get(job)
		.map(|j| {
			j.assignments
				.iter()
				.enumerate()
				.filter(|(_, a)| a.round == j.round && !a.slashed)
				.map(|(i, a)| (i, a.provider.clone()))
				.collect()
		})
		.unwrap_or_default()
}

/// Every provider of `job`'s current round commits its output under `p`; returns them with
/// their index in the job's assignments.
fn commit_round<T: Config>(job: JobId, p: Pattern, outputs: bool) -> Vec<(usize, T::AccountId)> {
	let providers = in_round::<T>(job);
	for (i, who) in &providers {
		let (digest, _) = reveal_of::<T>(job, *i, p, outputs);
		let c = commitment::<T>(job, *i, who, &digest);
		assert!(Pallet::<T>::do_commit(who, job, c).is_ok());
	}
	providers
}

/// Every first-round provider of `job` commits and seals its output under `p`, but the last,
/// which only commits; returns the last one and its seal.
fn seal_all_but_last<T: Config>(
	job: JobId,
	p: Pattern,
	outputs: bool,
) -> (T::AccountId, Hash32, Salt) {
	let providers = commit_round::<T>(job, p, outputs);
	let (last_i, last) = providers.last().cloned().unwrap_or_else(|| (0, account("x", 0, 0)));
	for (i, who) in providers.iter().take(providers.len().saturating_sub(1)) {
		let (digest, _) = reveal_of::<T>(job, *i, p, outputs);
		assert!(Pallet::<T>::do_seal(who, job, seal_of(job, 0, &digest), salt(*i as u32)).is_ok());
	}
	let (digest, _) = reveal_of::<T>(job, last_i, p, outputs);
	(last, seal_of(job, 0, &digest), salt(last_i as u32))
}

/// Every assignment of `job` that has answered but not revealed (sealed first-round
/// providers, committed escalation providers) reveals its output (under `first` in the first
/// round, `second` in the escalation), but the last one of them; returns that one and its
/// reveal.
fn reveal_all_but_last<T: Config>(
	job: JobId,
	first: Pattern,
	second: Pattern,
	outputs: bool,
) -> (T::AccountId, Hash32, Salt, Option<SmallOutput>) {
	let pending: Vec<(usize, T::AccountId, u8)> = Open::<T>::get(job)
		.map(|j| {
			j.assignments
				.iter()
				.enumerate()
				.filter(|(_, a)| {
					!a.slashed && a.reveal.is_none() && (a.sealed.is_some() || a.round == 1)
				})
				.map(|(i, a)| (i, a.provider.clone(), a.round))
				.collect()
		})
		.unwrap_or_default();
	let pattern = |round: u8| if round == 0 { first } else { second };
	let (last_i, last, last_round) =
		pending.last().cloned().unwrap_or_else(|| (0, account("x", 0, 0), 0));
	for (i, who, round) in pending.iter().take(pending.len().saturating_sub(1)) {
		let (digest, out) = reveal_of::<T>(job, *i, pattern(*round), outputs);
		assert!(Pallet::<T>::do_reveal_output(who, job, digest, salt(*i as u32), out).is_ok());
	}
	let (digest, out) = reveal_of::<T>(job, last_i, pattern(last_round), outputs);
	(last, digest, salt(last_i as u32), out)
}

/// The pattern of an opening job of redundancy `k`: one seal off (agreeing within the
/// tolerance) where two thirds still agree without it, else all equal.
fn opening_pattern(k: u32) -> Pattern {
	if k >= 3 {
		// The last of the first round's `k` assignments.
		Pattern::OneOff((k as usize).saturating_sub(1))
	} else {
		Pattern::Same
	}
}

/// A job of redundancy `k` waiting for its openings: its first round committed and sealed
/// (`opening_pattern`), and no time was left to escalate. Its deadline is the earliest
/// allowed; the block moves on two.
fn opening_job<T: Config>(k: u32, outputs: bool) -> JobId {
	let caller = payer::<T>();
	let window = T::RevealWindow::get();
	let deadline = now::<T>()
		.saturating_add(1u32.into())
		.saturating_add(T::CommitWindow::get())
		.saturating_add(window)
		.saturating_add(window);
	let id = NextJobId::<T>::get();
	let input = JobInput::Inline(
		vec![1u8; T::MaxInlineInput::get() as usize].try_into().unwrap_or_default(),
	);
	assert!(Pallet::<T>::do_submit(caller, MODEL, input, Some(k), price::<T>(), deadline).is_ok());
	let job = assign::<T>(id);
	let (last, seal, s) = seal_all_but_last::<T>(job, opening_pattern(k), outputs);
	// Past the last block an escalation could start in.
	frame_system::Pallet::<T>::set_block_number(now::<T>().saturating_add(2u32.into()));
	assert!(Pallet::<T>::do_seal(&last, job, seal, s).is_ok());
	assert_eq!(Open::<T>::get(job).map(|j| j.status), Some(JobStatus::Opening));
	job
}

/// A job whose next reveal is the last of `v` voters, all agreeing within the tolerance (but
/// the escalated job's first dissenter): for `v ≤ MaxRedundancy` the last opening of a job of
/// redundancy `v` (for `v ≤ 2` its first: unanimous seals settle at once), or for
/// `v > MaxRedundancy` the last reveal of an escalated one (its first round split; every seal
/// opened) with `2 × ⌈v/2⌉` voters. Every reveal carries its output when `outputs`, else a
/// digest only.
fn last_reveal_of<T: Config>(
	v: u32,
	outputs: bool,
) -> (JobId, T::AccountId, Hash32, Salt, Option<SmallOutput>) {
	let k = T::MaxRedundancy::get();
	if v <= k {
		let job = opening_job::<T>(v, outputs);
		let p = opening_pattern(v);
		if p == Pattern::Same {
			let who = providers_of::<T>(job).first().cloned().unwrap_or_else(|| account("x", 0, 0));
			let (d, o) = reveal_of::<T>(job, 0, p, outputs);
			return (job, who, d, salt(0), o);
		}
		let (who, d, s, o) = reveal_all_but_last::<T>(job, p, p, outputs);
		return (job, who, d, s, o);
	}
	// Two rounds of ⌈v/2⌉ (at least two, so that the first round can split).
	let job = assigned_k::<T>(&payer::<T>(), v.div_ceil(2).clamp(2, k));
	let (who, seal, s) = seal_all_but_last::<T>(job, Pattern::Split, outputs);
	assert!(Pallet::<T>::do_seal(&who, job, seal, s).is_ok());
	// The split round escalates at the next block's start, never in a transaction.
	escalate_next_block::<T>(job);
	assert_eq!(Open::<T>::get(job).map(|j| j.round), Some(1));
	commit_round::<T>(job, Pattern::Alternate, outputs);
	let (who, d, s, o) = reveal_all_but_last::<T>(job, Pattern::Split, Pattern::Alternate, outputs);
	(job, who, d, s, o)
}

/// Moves to the next block and concludes `job`, whose split round's last seal left its
/// escalation to that block's start, as `on_initialize` does.
fn escalate_next_block<T: Config>(job: JobId) {
	let next = now::<T>().saturating_add(1u32.into());
	frame_system::Pallet::<T>::set_block_number(next);
	let _ = Pallet::<T>::set_block_entropy();
	if let Some(record) = Open::<T>::get(job) {
		assert!(Pallet::<T>::conclude(job, record, next).is_ok());
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

		assert_eq!(Open::<T>::get(0).map(|j| j.status), Some(JobStatus::Queued));
	}

	#[benchmark]
	fn cancel_job() {
		setup::<T>(T::MaxRedundancy::get());
		let caller = payer::<T>();
		let job = submit::<T>(&caller);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), job);

		assert!(Open::<T>::get(job).is_none());
	}

	#[benchmark]
	fn commit() {
		setup::<T>(T::MaxRedundancy::get());
		let job = assigned::<T>(&payer::<T>());
		let last = providers_of::<T>(job).last().cloned().unwrap_or_else(|| account("x", 0, 0));
		answer::<T>(job, &last, false);

		#[extrinsic_call]
		_(RawOrigin::Signed(last), job, [2u8; 32]);

		assert_eq!(Open::<T>::get(job).map(|j| j.status), Some(JobStatus::Revealing));
	}

	#[benchmark]
	fn reveal(v: Linear<1, { T::MaxRedundancy::get().saturating_mul(2) }>) {
		setup::<T>(T::MaxRedundancy::get().saturating_mul(2));
		let (job, last, digest, salt, out) = last_reveal_of::<T>(v, true);

		#[extrinsic_call]
		_(RawOrigin::Signed(last), job, digest, salt, out);

		assert!(Receipts::<T>::get(job).is_some());
	}

	#[benchmark]
	fn reveal_digests(v: Linear<1, { T::MaxRedundancy::get().saturating_mul(2) }>) {
		setup::<T>(T::MaxRedundancy::get().saturating_mul(2));
		let (job, last, digest, salt, out) = last_reveal_of::<T>(v, false);

		#[extrinsic_call]
		reveal(RawOrigin::Signed(last), job, digest, salt, out);

		assert!(Receipts::<T>::get(job).is_some());
	}

	#[benchmark]
	fn reveal_pending() {
		// An opening that is not the last (its output hashed and checked): costlier than a
		// seal that is not the last, which is charged the same.
		setup::<T>(T::MaxRedundancy::get().saturating_mul(2));
		let job = opening_job::<T>(T::MaxRedundancy::get(), true);
		let first = providers_of::<T>(job).first().cloned().unwrap_or_else(|| account("x", 0, 0));
		let (digest, out) = output_for::<T>(job, off(0, opening_pattern(T::MaxRedundancy::get())));

		#[extrinsic_call]
		reveal(RawOrigin::Signed(first), job, digest, salt(0), Some(out));

		assert_eq!(Open::<T>::get(job).map(|j| j.status), Some(JobStatus::Opening));
	}

	#[benchmark]
	fn reveal_escalate() -> Result<(), BenchmarkError> {
		// A split first round, its last seal in: the next block's start escalates it (no draw
		// is made in a transaction).
		setup::<T>(pool_size::<T>(T::MaxRedundancy::get().saturating_mul(2)));
		let job = assigned::<T>(&payer::<T>());
		let (last, seal, salt) = seal_all_but_last::<T>(job, Pattern::Split, true);
		assert!(Pallet::<T>::do_seal(&last, job, seal, salt).is_ok());
		let next = now::<T>().saturating_add(1u32.into());
		frame_system::Pallet::<T>::set_block_number(next);
		let _ = Pallet::<T>::set_block_entropy();
		let record = Open::<T>::get(job).ok_or(BenchmarkError::Stop("no open job"))?;

		#[block]
		{
			assert!(Pallet::<T>::conclude(job, record, next).is_ok());
		}

		assert_eq!(Open::<T>::get(job).map(|j| j.round), Some(1));
		Ok(())
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

		assert_eq!(Open::<T>::get(first).map(|j| j.status), Some(JobStatus::Revealing));
	}

	#[benchmark]
	fn reveal_batch(n: Linear<1, { T::MaxBatch::get() }>) {
		// `n` openings that are not the last of their jobs, each with a full small output
		// (`seal_batch` is charged the same, for less work).
		setup::<T>(T::MaxRedundancy::get());
		let jobs: Vec<JobId> =
			(0..n).map(|_| opening_job::<T>(T::MaxRedundancy::get(), true)).collect();
		let who = jobs
			.first()
			.and_then(|j| providers_of::<T>(*j).first().cloned())
			.unwrap_or_else(|| account("x", 0, 0));
		let mut items = Vec::new();
		for job in &jobs {
			let i = providers_of::<T>(*job).iter().position(|p| *p == who).unwrap_or(0);
			let p = opening_pattern(T::MaxRedundancy::get());
			let (digest, out) = reveal_of::<T>(*job, i, p, true);
			items.push((*job, digest, salt(i as u32), out));
		}
		let items: BoundedVec<RevealItem, T::MaxBatch> = items.try_into().unwrap_or_default();

		#[extrinsic_call]
		_(RawOrigin::Signed(who), items);

		for job in jobs {
			assert_eq!(Open::<T>::get(job).map(|j| j.status), Some(JobStatus::Opening));
		}
	}

	#[benchmark]
	fn submit_cohort(m: Linear<2, { T::MaxCohort::get() }>) {
		// A cohort of `m` one-byte inline members (what each member costs beyond its bytes,
		// which `submit_job(n)` prices).
		setup::<T>(T::MaxRedundancy::get());
		let caller = payer::<T>();
		let members: Vec<MemberInput> = (0..m)
			.map(|i| MemberInput::Inline(vec![i as u8].try_into().unwrap_or_default()))
			.collect();
		let input = JobInput::Cohort(members.try_into().unwrap_or_default());
		let deadline = now::<T>().saturating_add(T::MaxJobDuration::get());

		#[extrinsic_call]
		submit_job(
			RawOrigin::Signed(caller),
			MODEL,
			input,
			T::MaxRedundancy::get(),
			price::<T>(),
			deadline,
		);

		assert_eq!(Open::<T>::get(0).map(|j| j.input.members()), Some(m));
	}

	#[benchmark]
	fn reveal_members(n: Linear<2, { T::MaxCohort::get() }>) {
		// The first reveal of a `MaxRedundancy` cohort of `n` members (not the last: what the
		// tally adds is charged as `reveal_digests(v)`, with which a cohort's digests compare).
		setup::<T>(T::MaxRedundancy::get());
		let job = assign::<T>(submit_input::<T>(&payer::<T>(), T::MaxRedundancy::get(), cohort(n)));
		let members: MemberDigests = (0..n)
			.map(|i| sp_crypto_hashing::blake2_256(&(i, 1u8).encode()))
			.collect::<Vec<_>>()
			.try_into()
			.unwrap_or_default();
		let root = members_root(&members);
		// The last provider answers another root: the seals are not unanimous, so the first
		// opening settles nothing; the block has moved past the last an escalation could
		// start in, so the job waits for its openings.
		let other = [0xee; 32];
		let providers = providers_of::<T>(job);
		let answer_of =
			|i: usize| if i.saturating_add(1) == providers.len() { other } else { root };
		for (i, who) in providers.iter().enumerate() {
			let c = commitment::<T>(job, i, who, &answer_of(i));
			assert!(Pallet::<T>::do_commit(who, job, c).is_ok());
		}
		frame_system::Pallet::<T>::set_block_number(
			Open::<T>::get(job).map(|j| j.deadline).unwrap_or_default(),
		);
		for (i, who) in providers.iter().enumerate() {
			let sealed = seal_of(job, 0, &answer_of(i));
			assert!(Pallet::<T>::do_seal(who, job, sealed, salt(i as u32)).is_ok());
		}
		assert_eq!(Open::<T>::get(job).map(|j| j.status), Some(JobStatus::Opening));
		let first = providers.first().cloned().unwrap_or_else(|| account("x", 0, 0));

		#[extrinsic_call]
		_(RawOrigin::Signed(first), job, members, salt(0));

		assert_eq!(
			Open::<T>::get(job).and_then(|j| j
				.assignments
				.first()
				.map(|a| a.reveal.as_ref().map_or(0, |r| r.member_digests().len()))),
			Some(n as usize)
		);
	}

	#[benchmark]
	fn submit_batch(n: Linear<1, { T::MaxBatch::get() }>) {
		setup::<T>(T::MaxRedundancy::get());
		let caller = payer::<T>();
		let deadline = now::<T>().saturating_add(T::MaxJobDuration::get());
		let jobs: Vec<JobRequestOf<T>> = (0..n)
			.map(|_| JobRequest {
				model: MODEL,
				input: JobInput::Inline(vec![1u8; 1].try_into().unwrap_or_default()),
				redundancy: T::MaxRedundancy::get(),
				max_price: price::<T>(),
				deadline,
			})
			.collect();
		let jobs: BoundedVec<_, T::MaxBatch> = jobs.try_into().unwrap_or_default();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), jobs);

		assert_eq!(NextJobId::<T>::get(), u64::from(n));
	}

	#[benchmark]
	// The hooks' costs are linear in their entries: measured up to 64 and 128 entries, and
	// extrapolated to the runtime's bounds.
	fn on_initialize_assign(n: Linear<0, { T::MaxAssignmentsPerBlock::get().min(64) }>) {
		setup::<T>(pool_size::<T>(T::MaxRedundancy::get().saturating_mul(2)));
		let caller = payer::<T>();
		let jobs: Vec<JobId> = (0..n).map(|_| submit::<T>(&caller)).collect();
		let next = now::<T>().saturating_add(1u32.into());
		let handled;

		#[block]
		{
			handled = Pallet::<T>::process_queue(
				next,
				(0, 0),
				Default::default(),
				&mut Default::default(),
			);
		}

		assert_eq!(handled, (n, 0));
		for job in jobs {
			assert_eq!(Open::<T>::get(job).map(|j| j.status), Some(JobStatus::Committing));
		}
	}

	#[benchmark]
	fn on_initialize_timeouts(n: Linear<0, { T::MaxTimeoutsPerBlock::get().min(128) }>) {
		// At least four times the redundancy: slots never run out while assigning `n`, and
		// every job finds `MaxRedundancy` replacements.
		setup::<T>(pool_size::<T>(T::MaxRedundancy::get().saturating_mul(4)));
		let caller = payer::<T>();
		let jobs: Vec<JobId> = (0..n).map(|_| assigned::<T>(&caller)).collect();
		let end = jobs
			.first()
			.and_then(Open::<T>::get)
			.map(|j| j.phase_end)
			.unwrap_or_else(|| now::<T>().saturating_add(T::CommitWindow::get()));
		// Any that landed on a later block (a full one) are moved to `end`.
		for job in &jobs {
			Open::<T>::mutate(job, |j| {
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

		assert!(handled.all_gte(Weight::zero()));
		for job in jobs {
			let replaced =
				Open::<T>::get(job).map(|j| j.assignments.iter().filter(|a| a.slashed).count());
			assert_eq!(replaced, Some(T::MaxRedundancy::get() as usize));
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
		assert!(Pallet::<T>::do_reveal_output(&last, job, [1; 32], salt(i), None).is_ok());
		assert!(Receipts::<T>::get(job).is_some());
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
