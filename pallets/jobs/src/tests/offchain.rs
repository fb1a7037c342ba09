//! Off-chain worker tests: mocked HTTP (`TestOffchainExt`) standing in for synod-worker, the
//! transaction pool (`TestTransactionPoolExt`) whose transactions are decoded and dispatched,
//! and provider keys (`UintAuthorityId`, the test keystore of a `u64`-account runtime). The same
//! path with a real sr25519 key in a `MemoryKeystore` and the runtime's signed extrinsics is
//! `runtime/src/ocw_tests.rs`.

use crate::{
	mock::*,
	offchain::{hex, index_key, job_key, manifest_json, member_id, worker_job_id, LocalJob},
	Call, Event, JobInput, JobStatus, MemberDigests, MemberInput, Open as JobRecords,
};
use codec::Decode;
use frame_support::{assert_ok, traits::Hooks};
use sp_core::offchain::{
	testing::{PendingRequest, PoolState, TestOffchainExt, TestTransactionPoolExt},
	OffchainDbExt, OffchainWorkerExt, StorageKind, TransactionPoolExt,
};
use sp_runtime::{generic::Preamble, testing::UintAuthorityId, traits::Dispatchable};
use std::sync::Arc;

type OffchainState = Arc<parking_lot::RwLock<sp_core::offchain::testing::OffchainState>>;
type Pool = Arc<parking_lot::RwLock<PoolState>>;

const URL: &str = "http://worker.test:7400";
const INPUT: [u8; 4] = [1, 2, 3, 4];

/// The test runtime with off-chain, pool and storage extensions; the worker URL stored as the
/// node's `--worker-url` would store it.
fn ocw_ext() -> (sp_io::TestExternalities, OffchainState, Pool) {
	let mut ext = new_test_ext();
	let (offchain, state) = TestOffchainExt::new();
	let (pool, pool_state) = TestTransactionPoolExt::new();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	ext.execute_with(|| {
		sp_io::offchain::local_storage_set(
			StorageKind::PERSISTENT,
			synod_primitives::offchain::WORKER_URL_KEY,
			URL.as_bytes(),
		);
	});
	(ext, state, pool_state)
}

/// Submits a job for model 1 and assigns it; returns the job and its providers.
fn assigned_job(k: u32) -> (u64, Vec<AccountId>) {
	assigned(k, JobInput::Inline(INPUT.to_vec().try_into().unwrap()))
}

/// Submits a job of `input` for model 1 and assigns it; returns the job and its providers.
fn assigned(k: u32, input: JobInput) -> (u64, Vec<AccountId>) {
	let job = crate::NextJobId::<Test>::get();
	assert_ok!(Jobs::submit_job(
		RuntimeOrigin::signed(PAYER),
		model(1),
		input,
		k,
		PRICE,
		System::block_number() + 20
	));
	run_to(System::block_number() + 1);
	let providers =
		JobRecords::<Test>::get(job).unwrap().assignments.iter().map(|a| a.provider).collect();
	(job, providers)
}

fn worker_id(job: u64, attempt: u8) -> String {
	let record = JobRecords::<Test>::get(job).unwrap();
	worker_job_id(job, &record.model, &record.input_hash, attempt)
}

/// The request the off-chain worker must send to hand `job` over, built independently of the
/// code under test's JSON helpers except for the manifest.
fn expect_post(state: &OffchainState, job: u64, attempt: u8, response: &str) {
	let manifest = pallet_models::Records::<Test>::get(model(1)).unwrap().manifest;
	let body = serde_json::json!({
		"id": worker_id(job, attempt),
		"model": manifest_json(&manifest),
		"model_id": hex(&model(1)),
		"input_hex": "01020304",
	});
	state.write().expect_request(PendingRequest {
		method: "POST".into(),
		uri: format!("{URL}/v1/jobs"),
		headers: vec![("Content-Type".into(), "application/json".into())],
		body: serde_json::to_vec(&body).unwrap(),
		response: Some(response.as_bytes().to_vec()),
		sent: true,
		..Default::default()
	});
}

fn expect_get(state: &OffchainState, path: &str, response: &str) {
	state.write().expect_request(PendingRequest {
		method: "GET".into(),
		uri: format!("{URL}{path}"),
		response: Some(response.as_bytes().to_vec()),
		sent: true,
		..Default::default()
	});
}

/// Runs the off-chain worker of the current block.
fn run_ocw() {
	Jobs::offchain_worker(System::block_number());
}

/// Takes the pool's transactions: (signer, call).
fn drain(pool: &Pool) -> Vec<(AccountId, RuntimeCall)> {
	std::mem::take(&mut pool.write().transactions)
		.into_iter()
		.map(|tx| {
			let xt = Extrinsic::decode(&mut &tx[..]).expect("a transaction the pool accepts");
			let who = match xt.preamble {
				Preamble::Signed(who, _, _) => who,
				other => panic!("unsigned transaction: {other:?}"),
			};
			(who, xt.function)
		})
		.collect()
}

fn local(who: AccountId, job: u64) -> Option<LocalJob> {
	sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, &job_key(&who, job))
		.map(|raw| LocalJob::decode(&mut &raw[..]).unwrap())
}

/// The canonical digest of the output the mocked worker returns: shape [1, 4], quantized
/// [1, 2, 3, 4], for model 1 and `INPUT`.
fn real_digest() -> synod_primitives::digest::Hash32 {
	synod_primitives::digest::output_digest(
		&model(1),
		&synod_primitives::digest::input_hash(&INPUT),
		&[1, 4],
		&[1, 2, 3, 4],
	)
}

/// That output as a reveal carries it.
fn small_output() -> crate::types::SmallOutput {
	crate::types::SmallOutput {
		shape: vec![1, 4].try_into().unwrap(),
		values: vec![1, 2, 3, 4].try_into().unwrap(),
	}
}

fn succeeded_with(id: &str, digest: &str) -> String {
	format!(
		r#"{{"id":"{id}","status":"succeeded","device":"cpu","output":{{"dtype":"f32","shape":[1,4],"step_exponent":16,"quantized":[1,2,3,4],"digest":"{digest}"}},"error":null,"timings":{{}}}}"#
	)
}

fn succeeded(id: &str) -> String {
	succeeded_with(id, &hex(&real_digest()))
}

/// A worker that binds the file hash rather than the chain's model id (one older than
/// `model_id`) answers a digest nobody else has: the off-chain worker commits the digest of
/// its quantized output for the model id instead, so its honest provider is not outvoted.
#[test]
fn a_digest_bound_to_another_model_id_is_taken_again_from_the_output() {
	let (mut ext, state, pool) = ocw_ext();
	ext.execute_with(|| {
		let (job, providers) = assigned_job(1);
		UintAuthorityId::set_all_keys(providers.clone());
		let id = worker_id(job, 0);
		expect_post(&state, job, 0, &format!(r#"{{"id":"{id}","status":"queued"}}"#));
		run_ocw();
		let file_bound = synod_primitives::digest::output_digest(
			&[1; 32],
			&synod_primitives::digest::input_hash(&INPUT),
			&[1, 4],
			&[1, 2, 3, 4],
		);
		assert_ne!(file_bound, real_digest());
		expect_get(&state, &format!("/v1/jobs/{id}"), &succeeded_with(&id, &hex(&file_bound)));
		run_ocw();
		assert_eq!(drain(&pool).len(), 1);
		let Some(LocalJob::Ready { reveal, .. }) = local(providers[0], job) else {
			panic!("no stored result")
		};
		assert_eq!(reveal.digest(), real_digest());
	});
}

#[test]
fn a_job_goes_from_assignment_to_settlement_through_the_worker() {
	let (mut ext, state, pool) = ocw_ext();
	ext.execute_with(|| {
		let (job, providers) = assigned_job(3);
		UintAuthorityId::set_all_keys(providers.clone());
		let id = worker_id(job, 0);

		// Block 1 of the job: each local provider hands it to the worker (same id: one run).
		for _ in &providers {
			expect_post(&state, job, 0, &format!(r#"{{"id":"{id}","status":"queued"}}"#));
		}
		run_ocw();
		assert!(drain(&pool).is_empty(), "nothing to send before a result");
		for &p in &providers {
			assert_eq!(
				local(p, job),
				Some(LocalJob::Submitted { worker_id: id.clone().into_bytes(), attempt: 0 })
			);
		}

		// Still running: nothing happens.
		for _ in &providers {
			expect_get(&state, &format!("/v1/jobs/{id}"), r#"{"status":"running"}"#);
		}
		run_ocw();
		assert!(drain(&pool).is_empty());

		// The result: each provider stores digest and salt, then commits.
		for _ in &providers {
			expect_get(&state, &format!("/v1/jobs/{id}"), &succeeded(&id));
		}
		run_ocw();
		let sent = drain(&pool);
		assert_eq!(sent.len(), 3);
		let digest = real_digest();
		for (who, call) in sent {
			let Some(LocalJob::Ready { reveal, salt, commit_sent: Some(_), .. }) = local(who, job)
			else {
				panic!("no stored result for {who}")
			};
			assert_eq!(reveal.digest(), digest);
			let seal = crate::seal_of(job, 0, &digest);
			let expected = RuntimeCall::Jobs(Call::commit {
				job,
				commitment: crate::commitment_of(&seal, &salt, &who),
			});
			assert_eq!(call, expected);
			assert_ok!(call.dispatch(RuntimeOrigin::signed(who)));
		}
		assert_eq!(JobRecords::<Test>::get(job).unwrap().status, JobStatus::Revealing);

		// Sent commits are not sent again while they may still land; seals follow once the
		// window opens (the digests stay hidden).
		run_to(System::block_number() + 1);
		run_ocw();
		let seals = drain(&pool);
		assert_eq!(seals.len(), 3, "seals follow once the window opens");
		for (who, call) in seals {
			let Some(LocalJob::Ready { salt, .. }) = local(who, job) else { panic!() };
			let seal = crate::seal_of(job, 0, &digest);
			assert_eq!(call, RuntimeCall::Jobs(Call::seal { job, seal, salt }));
			assert_ok!(call.dispatch(RuntimeOrigin::signed(who)));
		}
		assert_eq!(JobRecords::<Test>::get(job).unwrap().status, JobStatus::Opening);
		// Unanimous seals: one opening (with the small output) settles the job; the first
		// provider that sealed sends it, the others stand by.
		run_to(System::block_number() + 1);
		run_ocw();
		let openings = drain(&pool);
		assert_eq!(openings.len(), 1);
		let first = JobRecords::<Test>::get(job).unwrap().assignments[0].provider;
		assert_eq!(openings[0].0, first);
		for (who, call) in openings {
			let Some(LocalJob::Ready { salt, .. }) = local(who, job) else { panic!() };
			let output = Some(small_output());
			assert_eq!(call, RuntimeCall::Jobs(Call::reveal { job, digest, salt, output }));
			assert_ok!(call.dispatch(RuntimeOrigin::signed(who)));
		}
		assert!(System::events().iter().any(|r| matches!(
			&r.event,
			RuntimeEvent::Jobs(Event::JobSettled { job: j, output_digest, .. })
				if *j == job && *output_digest == digest
		)));

		// The job is over: the next run forgets its local state.
		run_ocw();
		assert!(drain(&pool).is_empty());
		for &p in &providers {
			assert_eq!(local(p, job), None);
			let index = sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, &index_key(&p));
			assert_eq!(index, Some(codec::Encode::encode(&Vec::<u64>::new())));
		}
	});
}

#[test]
fn several_ready_jobs_of_one_provider_go_out_as_one_batch() {
	let (mut ext, state, pool) = ocw_ext();
	ext.execute_with(|| {
		// Redundancy 5 puts every provider on both jobs.
		let (a, _) = assigned_job(5);
		let (b, _) = assigned_job(5);
		UintAuthorityId::set_all_keys([1u64]);
		for job in [a, b] {
			expect_post(&state, job, 0, r#"{"status":"queued"}"#);
		}
		run_ocw();
		for job in [a, b] {
			expect_get(&state, &format!("/v1/jobs/{}", worker_id(job, 0)), &succeeded("x"));
		}
		run_ocw();
		let sent = drain(&pool);
		assert_eq!(sent.len(), 1, "one transaction for both commits");
		let (who, call) = &sent[0];
		assert_eq!(*who, 1);
		let RuntimeCall::Jobs(Call::commit_batch { items }) = call else {
			panic!("expected commit_batch, got {call:?}")
		};
		assert_eq!(items.iter().map(|(j, _)| *j).collect::<Vec<_>>(), vec![a, b]);
		assert_ok!(call.clone().dispatch(RuntimeOrigin::signed(1)));
	});
}

#[test]
fn a_garbled_or_failed_answer_sends_nothing_and_never_panics() {
	let (mut ext, state, pool) = ocw_ext();
	ext.execute_with(|| {
		let (job, providers) = assigned_job(1);
		let who = providers[0];
		UintAuthorityId::set_all_keys([who]);
		let id = worker_id(job, 0);

		expect_post(&state, job, 0, "not json at all");
		run_ocw();
		assert!(drain(&pool).is_empty());
		assert_eq!(
			local(who, job),
			Some(LocalJob::Submitted { worker_id: id.clone().into_bytes(), attempt: 0 })
		);

		expect_get(
			&state,
			&format!("/v1/jobs/{id}"),
			r#"{"status":"succeeded","output":{"digest":"zz"}}"#,
		);
		run_ocw();
		assert!(drain(&pool).is_empty(), "a result without a valid digest is not committed");

		expect_get(
			&state,
			&format!("/v1/jobs/{id}"),
			r#"{"status":"failed","error":{"kind":"model_unavailable","message":"source down"}}"#,
		);
		run_ocw();
		assert!(drain(&pool).is_empty());
		let now = System::block_number();
		assert_eq!(
			local(who, job),
			Some(LocalJob::Failed { attempt: 0, at: now, transient: true })
		);

		// A passing failure is retried a few blocks later, as a new worker job.
		run_ocw();
		run_to(now + crate::offchain::RETRY_AFTER);
		expect_post(&state, job, 1, r#"{"status":"queued"}"#);
		run_ocw();
		assert_eq!(
			local(who, job),
			Some(LocalJob::Submitted { worker_id: worker_id(job, 1).into_bytes(), attempt: 1 })
		);
	});
}

#[test]
fn a_lost_commit_is_sent_again_with_the_same_commitment() {
	let (mut ext, state, pool) = ocw_ext();
	ext.execute_with(|| {
		let (job, providers) = assigned_job(1);
		let who = providers[0];
		UintAuthorityId::set_all_keys([who]);
		let id = worker_id(job, 0);
		expect_post(&state, job, 0, r#"{"status":"queued"}"#);
		run_ocw();
		expect_get(&state, &format!("/v1/jobs/{id}"), &succeeded(&id));
		run_ocw();
		let first = drain(&pool);
		assert_eq!(first.len(), 1);
		// The transaction never lands. Nothing is resent at once …
		run_ocw();
		assert!(drain(&pool).is_empty());
		// … but after RESEND_AFTER blocks the same commitment goes out again.
		run_to(System::block_number() + crate::offchain::RESEND_AFTER);
		assert_eq!(JobRecords::<Test>::get(job).map(|j| j.status), Some(JobStatus::Committing));
		run_ocw();
		let again = drain(&pool);
		assert_eq!(again, first);
	});
}

#[test]
fn providers_without_assignments_and_unknown_keys_do_nothing() {
	let (mut ext, _state, pool) = ocw_ext();
	ext.execute_with(|| {
		let (_job, providers) = assigned_job(1);
		let idle: Vec<AccountId> =
			PROVIDERS.iter().copied().filter(|p| !providers.contains(p)).chain([77]).collect();
		UintAuthorityId::set_all_keys(idle);
		run_ocw(); // no HTTP expected: an unexpected request would fail the test
		assert!(drain(&pool).is_empty());
	});
}

#[test]
fn hex_helpers_round_trip() {
	let bytes: Vec<u8> = (0..=255).collect();
	let h = hex(&bytes);
	assert_eq!(&h[..6], "000102");
	let d = [0xabu8; 32];
	assert_eq!(crate::offchain::parse_hash32(&hex(&d)), Some(d));
	assert_eq!(crate::offchain::parse_hash32(&format!("0x{}", hex(&d))), Some(d));
	assert_eq!(crate::offchain::parse_hash32("ab"), None);
	assert_eq!(crate::offchain::parse_hash32(&"g".repeat(64)), None);
}

/// Submits a cohort of `n` one-byte members `[1]`, `[2]`, … for model 1 and assigns it.
fn assigned_cohort(k: u32, n: u8) -> (u64, Vec<AccountId>) {
	let members: Vec<MemberInput> =
		(1..=n).map(|i| MemberInput::Inline(vec![i].try_into().unwrap())).collect();
	assigned(k, JobInput::Cohort(members.try_into().unwrap()))
}

fn expect_post_json(state: &OffchainState, path: &str, body: serde_json::Value, response: String) {
	state.write().expect_request(PendingRequest {
		method: "POST".into(),
		uri: format!("{URL}{path}"),
		headers: vec![("Content-Type".into(), "application/json".into())],
		body: serde_json::to_vec(&body).unwrap(),
		response: Some(response.into_bytes()),
		sent: true,
		..Default::default()
	});
}

/// The batch submission of cohort `job`'s `n` members, answered with `codes`.
fn expect_cohort_submit(state: &OffchainState, job: u64, n: u8, codes: &[u16]) {
	let manifest = pallet_models::Records::<Test>::get(model(1)).unwrap().manifest;
	let id = worker_id(job, 0);
	let jobs: Vec<serde_json::Value> = (1..=n)
		.map(|i| {
			serde_json::json!({
				"id": format!("{id}.{}", i - 1),
				"model": manifest_json(&manifest),
				"model_id": hex(&model(1)),
				"input_hex": format!("{i:02x}"),
			})
		})
		.collect();
	let items: Vec<String> = codes
		.iter()
		.map(|c| match c {
			422 => r#"{"code":422,"job":{"status":"failed","error":{"kind":"invalid_input","message":"wrong size"}}}"#.to_string(),
			c => format!(r#"{{"code":{c},"job":{{"status":"queued"}}}}"#),
		})
		.collect();
	expect_post_json(
		state,
		"/v1/batch/submit",
		serde_json::json!({ "jobs": jobs }),
		format!(r#"{{"jobs":[{}]}}"#, items.join(",")),
	);
}

/// A batch query of cohort `job`'s `n` members, answered with `views`.
fn expect_cohort_query(state: &OffchainState, job: u64, n: u8, views: &[String]) {
	let id = worker_id(job, 0);
	let ids: Vec<String> = (0..n as usize).map(|i| member_id(&id, i)).collect();
	expect_post_json(
		state,
		"/v1/batch/query",
		serde_json::json!({ "ids": ids }),
		format!(r#"{{"jobs":[{}]}}"#, views.join(",")),
	);
}

/// The digest the mocked worker returns for member `i` (from 0) of a cohort.
fn member_digest(i: u8) -> synod_primitives::digest::Hash32 {
	synod_primitives::digest::output_digest(
		&model(1),
		&synod_primitives::digest::input_hash(&[i + 1]),
		&[1, 4],
		&[1, 2, 3, 4],
	)
}

#[test]
fn a_cohort_goes_through_the_worker_batch_api_and_settles_with_its_members() {
	let (mut ext, state, pool) = ocw_ext();
	ext.execute_with(|| {
		let (job, providers) = assigned_cohort(3, 3);
		UintAuthorityId::set_all_keys(providers.clone());
		let id = worker_id(job, 0);
		for _ in &providers {
			expect_cohort_submit(&state, job, 3, &[202, 202, 202]);
		}
		run_ocw();
		assert!(drain(&pool).is_empty());
		for &p in &providers {
			assert_eq!(
				local(p, job),
				Some(LocalJob::Submitted { worker_id: id.clone().into_bytes(), attempt: 0 })
			);
		}
		// One member still running: nothing to send.
		let done: Vec<String> =
			(0..3).map(|i| succeeded_with("m", &hex(&member_digest(i)))).collect();
		let mut partly = done.clone();
		partly[1] = r#"{"status":"running"}"#.into();
		for _ in &providers {
			expect_cohort_query(&state, job, 3, &partly);
		}
		run_ocw();
		assert!(drain(&pool).is_empty());
		// All done: each provider keeps the member digests, then commits to their root.
		for _ in &providers {
			expect_cohort_query(&state, job, 3, &done);
		}
		run_ocw();
		let members: MemberDigests =
			(0..3).map(member_digest).collect::<Vec<_>>().try_into().unwrap();
		let root = synod_primitives::digest::members_root(&members);
		let sent = drain(&pool);
		assert_eq!(sent.len(), 3);
		for (who, call) in sent {
			let Some(LocalJob::Ready { reveal, salt, .. }) = local(who, job) else { panic!() };
			assert_eq!(reveal.digest(), root);
			assert_eq!(reveal.member_digests(), &members[..]);
			let commitment = crate::commitment_of(&crate::seal_of(job, 0, &root), &salt, &who);
			assert_eq!(call, RuntimeCall::Jobs(Call::commit { job, commitment }));
			assert_ok!(call.dispatch(RuntimeOrigin::signed(who)));
		}
		run_to(System::block_number() + 1);
		run_ocw();
		// One seal each (in one batch per provider with one job: a `seal`).
		for (who, call) in drain(&pool) {
			let Some(LocalJob::Ready { salt, .. }) = local(who, job) else { panic!() };
			let seal = crate::seal_of(job, 0, &root);
			assert_eq!(call, RuntimeCall::Jobs(Call::seal { job, seal, salt }));
			assert_ok!(call.dispatch(RuntimeOrigin::signed(who)));
		}
		run_to(System::block_number() + 1);
		run_ocw();
		let reveals = drain(&pool);
		assert_eq!(reveals.len(), 1, "one opening of the members");
		for (who, call) in reveals {
			let Some(LocalJob::Ready { salt, .. }) = local(who, job) else { panic!() };
			let expected = Call::reveal_members { job, members: members.clone(), salt };
			assert_eq!(call, RuntimeCall::Jobs(expected));
			assert_ok!(call.dispatch(RuntimeOrigin::signed(who)));
		}
		assert_eq!(Jobs::receipt(job).unwrap().result.member_digests(), &members[..]);
		// Settled with the members' digests: their outputs are due on chain, and the first
		// payee's node delivers them at once (the others wait their turn), from what the worker
		// answered; that pays every agreeing provider.
		let due = Jobs::delivery(job).expect("the members' outputs are due");
		run_ocw();
		for &p in &providers {
			assert_eq!(local(p, job), None, "the job's state goes once it is over");
		}
		let sent = drain(&pool);
		assert_eq!(sent.len(), 1, "one delivery, by the first payee");
		let (who, call) = sent.into_iter().next().unwrap();
		assert_eq!(who, due.payees[0].0);
		let RuntimeCall::Jobs(Call::deliver_output { job: j, outputs }) = &call else {
			panic!("{call:?}")
		};
		assert_eq!(*j, job);
		assert_eq!(outputs.iter().map(|(m, _)| *m).collect::<Vec<_>>(), vec![0, 1, 2]);
		for (m, out) in outputs.iter() {
			assert_eq!(out.input_hash, synod_primitives::digest::input_hash(&[*m as u8 + 1]));
			assert_eq!(out.values.to_vec(), vec![1, 2, 3, 4]);
		}
		let before: Vec<_> = providers.iter().map(|p| Balances::free_balance(*p)).collect();
		assert_ok!(call.dispatch(RuntimeOrigin::signed(who)));
		assert!(Jobs::delivery(job).is_none());
		for (p, b) in providers.iter().zip(before) {
			assert_eq!(Balances::free_balance(*p), b + 3 * PRICE, "{p} paid for three members");
		}
		// Delivered: nothing more is sent, and the kept outputs go.
		run_to(System::block_number() + crate::offchain::RESEND_AFTER);
		run_ocw();
		assert!(drain(&pool).is_empty());
		for &p in &providers {
			let key = crate::offchain::deliver::outputs_key(&p, job);
			assert!(sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, &key).is_none());
		}
	});
}

/// A 2-member cohort of redundancy 1 whose provider's node holds its key, handed to the worker
/// (whose batch submission answers `codes`); returns the job and its provider.
fn cohort_handed_over(state: &OffchainState, codes: &[u16]) -> (u64, AccountId) {
	let (job, providers) = assigned_cohort(1, 2);
	UintAuthorityId::set_all_keys(providers.clone());
	expect_cohort_submit(state, job, 2, codes);
	run_ocw();
	(job, providers[0])
}

#[test]
fn a_cohort_member_the_worker_refuses_or_fails_fails_the_cohort_locally() {
	let (mut ext, state, pool) = ocw_ext();
	ext.execute_with(|| {
		// Refused outright (bad input): failed for good, nothing sent.
		let (job, provider) = cohort_handed_over(&state, &[202, 422]);
		assert!(drain(&pool).is_empty());
		assert_eq!(
			local(provider, job),
			Some(LocalJob::Failed { attempt: 0, at: System::block_number(), transient: false })
		);
		// Not asked again.
		run_to(System::block_number() + 3);
		run_ocw();
		assert!(drain(&pool).is_empty());
	});
	let (mut ext, state, pool) = ocw_ext();
	ext.execute_with(|| {
		let (job, provider) = cohort_handed_over(&state, &[202, 202]);
		// The worker forgot a member (restarted): the cohort is handed over again.
		expect_cohort_query(
			&state,
			job,
			2,
			&[succeeded_with("m", &hex(&member_digest(0))), "null".into()],
		);
		expect_cohort_submit(&state, job, 2, &[200, 202]);
		run_ocw();
		assert!(drain(&pool).is_empty());
		// A member fails for a reason that may pass: failed, to be tried again.
		let failed =
			r#"{"status":"failed","error":{"kind":"model_unavailable","message":"fetching"}}"#;
		expect_cohort_query(
			&state,
			job,
			2,
			&[succeeded_with("m", &hex(&member_digest(0))), failed.into()],
		);
		run_ocw();
		assert!(drain(&pool).is_empty());
		assert_eq!(
			local(provider, job),
			Some(LocalJob::Failed { attempt: 0, at: System::block_number(), transient: true })
		);
	});
	let (mut ext, state, pool) = ocw_ext();
	ext.execute_with(|| {
		let (job, provider) = cohort_handed_over(&state, &[202, 202]);
		// A garbled answer (fewer views than members) sends nothing and keeps the state.
		expect_cohort_query(&state, job, 2, &[succeeded_with("m", &hex(&member_digest(0)))]);
		run_ocw();
		assert!(drain(&pool).is_empty());
		assert!(matches!(local(provider, job), Some(LocalJob::Submitted { .. })));
	});
}

/// The commitment in a `commit` (or the only one of a `commit_batch`) sent by the OCW.
fn sent_commitment(calls: &[(AccountId, RuntimeCall)]) -> crate::types::Commitment {
	match calls {
		[(_, RuntimeCall::Jobs(crate::Call::commit { commitment, .. }))] => *commitment,
		[(_, RuntimeCall::Jobs(crate::Call::commit_batch { items }))] if items.len() == 1 => {
			items[0].1
		},
		other => panic!("expected one commit, got {other:?}"),
	}
}

/// Attack 1 on the provider's side: a remote input no node can fetch used to leave every
/// honest provider silent (and slashed). The node now answers, signed, that the input cannot
/// be served, and reveals that answer like any result.
#[test]
fn an_unfetchable_input_is_answered_cannot_serve() {
	let (mut ext, state, pool) = ocw_ext();
	ext.execute_with(|| {
		let uri = "http://127.0.0.1:1/missing";
		let input =
			JobInput::Remote { hash: [9; 32], uri: uri.as_bytes().to_vec().try_into().unwrap() };
		let (job, providers) = assigned(1, input);
		let who = providers[0];
		UintAuthorityId::set_all_keys([who]);
		// The bytes it serves do not have the input's hash: no attempt can mend that.
		state.write().expect_request(PendingRequest {
			method: "GET".into(),
			uri: uri.into(),
			response: Some(b"other bytes".to_vec()),
			sent: true,
			..Default::default()
		});
		run_ocw();
		let answer = synod_primitives::digest::unservable_digest(
			&model(1),
			&[9; 32],
			synod_primitives::digest::Unservable::InputUnavailable,
		);
		match local(who, job) {
			Some(LocalJob::Ready { reveal, .. }) => assert_eq!(reveal.digest(), answer),
			other => panic!("expected a stored answer, got {other:?}"),
		}
		run_to(System::block_number() + 1);
		run_ocw();
		let commitment = sent_commitment(&drain(&pool));
		let Some(LocalJob::Ready { salt, .. }) = local(who, job) else { unreachable!() };
		assert_eq!(commitment, crate::commitment_of(&crate::seal_of(job, 0, &answer), &salt, &who));
	});
}

/// A worker refusing the input itself (`invalid_input`, or `inference` for a model that fails
/// on it) is a fact about the input: the node answers "cannot serve" (input rejected). A
/// failure of the model or the worker (`model_load`) is not, and sends nothing.
#[test]
fn an_input_the_model_refuses_is_answered_cannot_serve() {
	let (mut ext, state, pool) = ocw_ext();
	ext.execute_with(|| {
		let (job, providers) = assigned_job(1);
		let who = providers[0];
		UintAuthorityId::set_all_keys([who]);
		let id = worker_id(job, 0);
		expect_post(&state, job, 0, r#"{"status":"queued"}"#);
		run_ocw();
		expect_get(
			&state,
			&format!("/v1/jobs/{id}"),
			r#"{"status":"failed","error":{"kind":"inference","message":"index out of range in self"}}"#,
		);
		run_ocw();
		let answer = synod_primitives::digest::unservable_digest(
			&model(1),
			&synod_primitives::digest::input_hash(&INPUT),
			synod_primitives::digest::Unservable::InputRejected,
		);
		let commitment = sent_commitment(&drain(&pool));
		let Some(LocalJob::Ready { salt, reveal, .. }) = local(who, job) else {
			panic!("no stored answer")
		};
		assert_eq!(reveal.digest(), answer);
		assert_eq!(commitment, crate::commitment_of(&crate::seal_of(job, 0, &answer), &salt, &who));

		// Another job whose model does not load: nothing is claimed about its input.
		let (job, _) = assigned_job(1);
		if JobRecords::<Test>::get(job).unwrap().assignments[0].provider == who {
			let id = worker_id(job, 0);
			expect_post(&state, job, 0, r#"{"status":"queued"}"#);
			run_ocw();
			drain(&pool);
			expect_get(
				&state,
				&format!("/v1/jobs/{id}"),
				r#"{"status":"failed","error":{"kind":"model_load","message":"not TorchScript"}}"#,
			);
			run_ocw();
			assert!(matches!(local(who, job), Some(LocalJob::Failed { transient: false, .. })));
		}
	});
}

/// An output larger than the chain can deliver (`MAX_DELIVERED_OUTPUT` elements; an input by
/// URI whose size the chain could not bound) is answered "cannot serve" (output too large), as
/// every honest provider answers it; a large output that fits is kept for delivery.
#[test]
fn an_output_too_large_to_deliver_is_answered_cannot_serve() {
	let (mut ext, state, pool) = ocw_ext();
	ext.execute_with(|| {
		let (job, providers) = assigned_job(1);
		let who = providers[0];
		UintAuthorityId::set_all_keys([who]);
		let id = worker_id(job, 0);
		expect_post(&state, job, 0, r#"{"status":"queued"}"#);
		run_ocw();
		let n = crate::types::MAX_DELIVERED_OUTPUT as usize + 1;
		let values = vec!["1"; n].join(",");
		expect_get(
			&state,
			&format!("/v1/jobs/{id}"),
			&format!(
				r#"{{"id":"{id}","status":"succeeded","output":{{"dtype":"f32","shape":[1,{n}],"step_exponent":16,"quantized":[{values}],"digest":"{}"}}}}"#,
				hex(&[7u8; 32])
			),
		);
		run_ocw();
		let answer = synod_primitives::digest::unservable_digest(
			&model(1),
			&synod_primitives::digest::input_hash(&INPUT),
			synod_primitives::digest::Unservable::OutputTooLarge,
		);
		let commitment = sent_commitment(&drain(&pool));
		let Some(LocalJob::Ready { salt, reveal, .. }) = local(who, job) else {
			panic!("no stored answer")
		};
		assert_eq!(reveal.digest(), answer);
		assert_eq!(commitment, crate::commitment_of(&crate::seal_of(job, 0, &answer), &salt, &who));
		let kept = crate::offchain::deliver::outputs_key(&who, job);
		assert!(sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, &kept).is_none());
	});
}

/// An audited job through the off-chain worker: the primary hands it to the worker and
/// commits, then waits (its audit is not decided); once the chain draws the auditors, their
/// off-chain workers hand it over and commit in turn; all three seal; the primary opens.
#[test]
fn an_audited_job_goes_through_its_primary_and_its_auditors() {
	let (mut ext, state, pool) = ocw_ext();
	ext.execute_with(|| {
		let job = crate::NextJobId::<Test>::get();
		assert_ok!(Jobs::submit_audited(
			RuntimeOrigin::signed(PAYER),
			model(1),
			JobInput::Inline(INPUT.to_vec().try_into().unwrap()),
			PRICE,
			System::block_number() + 30
		));
		run_to(System::block_number() + 1);
		UintAuthorityId::set_all_keys(PROVIDERS.to_vec());
		let primary = JobRecords::<Test>::get(job).unwrap().assignments[0].provider;
		let id = worker_id(job, 0);
		let queued = format!(r#"{{"id":"{id}","status":"queued"}}"#);

		// The primary alone hands it over, then commits.
		expect_post(&state, job, 0, &queued);
		run_ocw();
		assert!(drain(&pool).is_empty());
		expect_get(&state, &format!("/v1/jobs/{id}"), &succeeded(&id));
		run_ocw();
		let sent = drain(&pool);
		assert_eq!(sent.len(), 1);
		assert_eq!(sent[0].0, primary);
		for (who, call) in sent {
			assert!(matches!(call, RuntimeCall::Jobs(Call::commit { .. })));
			assert_ok!(call.dispatch(RuntimeOrigin::signed(who)));
		}
		// Its audit is pending: nothing to send, the job still commits.
		run_to(System::block_number() + 1);
		run_ocw();
		assert!(drain(&pool).is_empty());
		assert_eq!(JobRecords::<Test>::get(job).unwrap().status, JobStatus::Committing);

		// The decision: a newcomer is audited; its two auditors' workers take the job.
		run_to(System::block_number() + 1);
		let record = JobRecords::<Test>::get(job).unwrap();
		assert!(matches!(record.audit, Some(crate::types::Audit::Drawn { from: 1 })));
		let auditors: Vec<AccountId> = record.assignments[1..].iter().map(|a| a.provider).collect();
		for _ in &auditors {
			expect_post(&state, job, 0, &queued);
		}
		run_ocw();
		assert!(drain(&pool).is_empty());
		for _ in &auditors {
			expect_get(&state, &format!("/v1/jobs/{id}"), &succeeded(&id));
		}
		run_ocw();
		let sent = drain(&pool);
		// In the order of the node's keys, not of the draw.
		let mut senders: Vec<AccountId> = sent.iter().map(|(w, _)| *w).collect();
		let mut drawn = auditors.clone();
		senders.sort();
		drawn.sort();
		assert_eq!(senders, drawn);
		for (who, call) in sent {
			assert!(matches!(call, RuntimeCall::Jobs(Call::commit { .. })));
			assert_ok!(call.dispatch(RuntimeOrigin::signed(who)));
		}
		assert_eq!(JobRecords::<Test>::get(job).unwrap().status, JobStatus::Revealing);

		// All three seal; the primary, the first voter, opens.
		run_to(System::block_number() + 1);
		run_ocw();
		let seals = drain(&pool);
		assert_eq!(seals.len(), 3);
		for (who, call) in seals {
			assert!(matches!(call, RuntimeCall::Jobs(Call::seal { .. })));
			assert_ok!(call.dispatch(RuntimeOrigin::signed(who)));
		}
		run_to(System::block_number() + 1);
		run_ocw();
		let openings = drain(&pool);
		assert_eq!(openings.len(), 1);
		assert_eq!(openings[0].0, primary);
		for (who, call) in openings {
			assert_ok!(call.dispatch(RuntimeOrigin::signed(who)));
		}
		let receipt = Jobs::receipt(job).expect("settled");
		assert_eq!(receipt.result.digest(), real_digest());
		assert_eq!(
			receipt.verification,
			crate::types::Verification::Audited { auditors: auditors.try_into().unwrap() }
		);
	});
}
