//! Unit and property tests of the jobs pallet, with the real models and providers pallets,
//! by concern; the helpers they share are here.

mod assignment;
mod attacks;
mod audit;
mod cohorts;
mod commit_reveal;
mod delivery;
mod draw;
mod escalation;
mod offchain;
mod properties;
mod slashing;
mod submission;
mod tally;
mod waiting;

pub(crate) use crate::{
	mock::*,
	types::{Assignment, MemberDigests, MemberInput, Reveal, SmallOutput},
	AssignCursor, Error, Event, FailureReason, HoldReason, JobInput, JobStatus, Open as JobRecords,
	Receipts, Timeouts,
};
pub(crate) use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
	BoundedVec,
};
pub(crate) use synod_primitives::digest::{input_hash, members_root, Hash32};

pub(crate) fn escrow_held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::Jobs(HoldReason::JobEscrow), &who)
}

pub(crate) fn inline(bytes: &[u8]) -> JobInput {
	JobInput::Inline(bytes.to_vec().try_into().unwrap())
}

/// Submits a job for model 1 with redundancy `k` at the default price; returns its id.
pub(crate) fn submit(k: u32) -> u64 {
	let id = crate::NextJobId::<Test>::get();
	assert_ok!(Jobs::submit_job(
		RuntimeOrigin::signed(PAYER),
		model(1),
		inline(&[1, 2, 3, 4]),
		k,
		PRICE,
		System::block_number() + 20
	));
	id
}

pub(crate) fn assigned(job: u64) -> Vec<AccountId> {
	JobRecords::<Test>::get(job).unwrap().assignments.iter().map(|a| a.provider).collect()
}

pub(crate) fn commit(who: AccountId, job: u64, tag: u8) {
	assert_ok!(Jobs::commit(RuntimeOrigin::signed(who), job, commitment(who, job, tag)));
}

/// `who` answers `digest(tag)` as its node would (a first-round seal, then its opening when
/// the job waits for it; see `mock::answer`).
pub(crate) fn reveal(who: AccountId, job: u64, tag: u8) {
	assert_ok!(answer_output(who, job, digest(tag), None));
}

/// Every provider of `job`'s current round answers `tag(who)` as its node would, and the
/// first round's providers open their seals when the job waits for them (after the last
/// seal, or once an escalation's commits are in): the round ends as it would on a chain.
pub(crate) fn answer_round(job: u64, tag: impl Fn(AccountId) -> u8) {
	for _ in 0..2 {
		let Some(record) = JobRecords::<Test>::get(job) else { return };
		if record.status == JobStatus::Committing {
			// Escalated (or replaced): the new providers commit first.
			return;
		}
		for a in record.assignments.iter().filter(|a| !a.slashed && a.commitment.is_some()) {
			if JobRecords::<Test>::contains_key(job) {
				reveal(a.provider, job, tag(a.provider));
			}
		}
	}
}

pub(crate) fn free(who: AccountId) -> Balance {
	Balances::balance(&who)
}

/// Pauses the providers not in `keep`, so that no escalation or replacement finds anyone.
pub(crate) fn only(keep: &[AccountId]) {
	for who in PROVIDERS.into_iter().filter(|p| !keep.contains(p)) {
		assert_ok!(Providers::pause(RuntimeOrigin::signed(who)));
	}
}

/// The providers drawn for `job`'s escalation (round 1).
pub(crate) fn escalated(job: u64) -> Vec<AccountId> {
	JobRecords::<Test>::get(job)
		.unwrap()
		.assignments
		.iter()
		.filter(|a| a.round == 1)
		.map(|a| a.provider)
		.collect()
}

/// A cohort of `n` one-byte inline members `[1]`, `[2]`, ….
pub(crate) fn cohort_input(n: u8) -> JobInput {
	let members: Vec<MemberInput> =
		(1..=n).map(|i| MemberInput::Inline(vec![i].try_into().unwrap())).collect();
	JobInput::Cohort(members.try_into().unwrap())
}

/// Submits a cohort of `n` members for model 1 with redundancy `k`; returns its id.
pub(crate) fn submit_cohort(k: u32, n: u8) -> u64 {
	let id = crate::NextJobId::<Test>::get();
	assert_ok!(Jobs::submit_job(
		RuntimeOrigin::signed(PAYER),
		model(1),
		cohort_input(n),
		k,
		PRICE,
		System::block_number() + 20
	));
	id
}

/// Member digests `tag`, `tag + 1`, … of an `n`-member cohort.
pub(crate) fn member_digests(tag: u8, n: u8) -> MemberDigests {
	(0..n).map(|i| digest(tag + i)).collect::<Vec<_>>().try_into().unwrap()
}

pub(crate) fn commit_members(who: AccountId, job: u64, members: &MemberDigests) {
	let c = commitment_for(who, job, &members_root(members));
	assert_ok!(Jobs::commit(RuntimeOrigin::signed(who), job, c));
}

pub(crate) fn reveal_members(who: AccountId, job: u64, members: &MemberDigests) {
	assert_ok!(answer(who, job, Reveal::members(members.clone())));
}

/// An output model 1 could give `job`'s inline input (four elements an item, from `tag`) and
/// its canonical digest: revealed in full, it settles into the receipt and pays at once.
pub(crate) fn real_output(job: u64, tag: i64) -> (Hash32, SmallOutput) {
	let record = JobRecords::<Test>::get(job).unwrap();
	let JobInput::Inline(bytes) = &record.input else { panic!("an inline job") };
	let items = bytes.len() as u32;
	let out = SmallOutput {
		shape: vec![items, 4].try_into().unwrap(),
		values: (0..(4 * items) as i64).map(|v| v + tag).collect::<Vec<_>>().try_into().unwrap(),
	};
	let d = synod_primitives::digest::output_digest(
		&model(1),
		&record.input_hash,
		&out.shape,
		&out.values,
	);
	(d, out)
}

/// Every provider of `job`'s first round commits to and reveals `real_output(job, tag)`.
pub(crate) fn answer_real(job: u64, tag: i64) -> (Hash32, SmallOutput) {
	let (d, out) = real_output(job, tag);
	let providers = assigned(job);
	for who in &providers {
		assert_ok!(Jobs::commit(RuntimeOrigin::signed(*who), job, commitment_for(*who, job, &d)));
	}
	for who in &providers {
		if JobRecords::<Test>::contains_key(job) {
			assert_ok!(answer_output(*who, job, d, Some(out.clone())));
		}
	}
	(d, out)
}

/// A small output of one dimension.
pub(crate) fn small(values: &[i64]) -> SmallOutput {
	SmallOutput {
		shape: vec![values.len() as u32].try_into().unwrap(),
		values: values.to_vec().try_into().unwrap(),
	}
}

/// Fills every block of `blocks` up to `MaxTimeoutsPerBlock` window ends (of job ids no job has).
pub(crate) fn fill_schedule(blocks: impl IntoIterator<Item = u64>) {
	let cap =
		<<Test as crate::Config>::MaxTimeoutsPerBlock as frame_support::traits::Get<u32>>::get();
	for block in blocks {
		let mut entries = Timeouts::<Test>::get(block).into_inner();
		entries.extend((1000..).take(cap as usize - entries.len()));
		Timeouts::<Test>::insert(block, BoundedVec::try_from(entries).unwrap());
	}
}
