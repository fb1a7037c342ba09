//! The jobs off-chain worker in this runtime, with a real sr25519 provider key in a
//! `MemoryKeystore`: the transactions it puts in the pool are this runtime's signed extrinsics,
//! whose signatures check against the keystore key, and dispatching them settles the job.
//! synod-worker's HTTP answers are mocked (`TestOffchainExt`).

use super::*;
use codec::Decode;
use frame_support::{assert_ok, traits::Hooks};
use pallet_jobs::{
	offchain::{hex, manifest_json, worker_job_id},
	types::{JobInput, SmallOutput},
};
use sp_core::offchain::{
	testing::{PendingRequest, PoolState, TestOffchainExt, TestTransactionPoolExt},
	OffchainDbExt, OffchainWorkerExt, StorageKind, TransactionPoolExt,
};
use sp_keyring::Sr25519Keyring;
use sp_keystore::{testing::MemoryKeystore, Keystore, KeystoreExt};
use sp_runtime::{
	generic::Preamble,
	traits::{Checkable, Dispatchable},
};
use std::sync::Arc;
use synod_primitives::{
	digest::{input_hash, output_digest, DType},
	model::{ModelManifest, TensorSpec},
	provider::{DeterminismClass, DeviceKind},
};

const URL: &str = "http://worker.test:7400";
const INPUT: [u8; 16] = [0; 16];
/// The model's file hash (its id on chain is `model_id` of Alice and the manifest).
const FILE: [u8; 32] = [7; 32];

type Pool = Arc<parking_lot::RwLock<PoolState>>;

fn manifest() -> ModelManifest {
	ModelManifest {
		file_hash: FILE,
		input: TensorSpec { dtype: DType::F32, shape: vec![None, Some(4)].try_into().unwrap() },
		max_input_bytes: 1024,
		..ModelManifest::sample()
	}
}

/// Takes the pool's transactions, checks each signature as the chain would, and returns
/// (signer, call).
fn drain_checked(pool: &Pool) -> Vec<(AccountId, RuntimeCall)> {
	std::mem::take(&mut pool.write().transactions)
		.into_iter()
		.map(|tx| {
			let xt = UncheckedExtrinsic::decode(&mut &tx[..]).expect("a runtime extrinsic");
			assert!(matches!(xt.preamble, Preamble::Signed(..)), "an unsigned transaction");
			let checked = xt
				.check(&frame_system::ChainContext::<Runtime>::default())
				.expect("a valid signature");
			let who = match checked.format {
				sp_runtime::generic::ExtrinsicFormat::Signed(who, _) => who,
				other => panic!("not signed: {other:?}"),
			};
			(who, checked.function)
		})
		.collect()
}

/// Moves to the next block: the parent's hash is recorded (a mortal transaction's era checks
/// it), and pallet-jobs' `on_initialize` runs.
fn next_block() {
	let parent = System::block_number();
	frame_system::BlockHash::<Runtime>::insert(parent, sp_core::H256::repeat_byte(parent as u8));
	System::set_block_number(parent + 1);
	Jobs::on_initialize(parent + 1);
}

#[test]
fn the_offchain_worker_signs_commits_and_reveals_with_the_keystore_key() {
	let keystore = MemoryKeystore::new();
	let public = keystore
		.sr25519_generate_new(synod_primitives::crypto::KEY_TYPE, Some("//SynodProvider"))
		.unwrap();
	let provider: AccountId = public.into();
	let alice = Sr25519Keyring::Alice.to_account_id();
	let mut ext =
		sp_io::TestExternalities::new(crate::tests::endowed(&[alice.clone(), provider.clone()]));
	let (offchain, state) = TestOffchainExt::new();
	let (pool, pool_state) = TestTransactionPoolExt::new();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	ext.register_extension(KeystoreExt::new(keystore));
	ext.execute_with(|| {
		System::set_block_number(1);
		sp_io::offchain::local_storage_set(
			StorageKind::PERSISTENT,
			synod_primitives::offchain::WORKER_URL_KEY,
			URL.as_bytes(),
		);
		assert_ok!(Models::register_model(RuntimeOrigin::signed(alice.clone()), Box::new(manifest())));
		let model = synod_primitives::model::model_id(&alice, &manifest());
		assert_ok!(Providers::register(
			RuntimeOrigin::signed(provider.clone()),
			100 * UNIT,
			DeterminismClass {
				device: DeviceKind::Cpu,
				arch: b"x86_64".to_vec().try_into().unwrap(),
				libtorch: b"2.11.0".to_vec().try_into().unwrap(),
				deterministic: true,
			},
			4,
			vec![],
		));
		assert_ok!(Providers::set_offer(RuntimeOrigin::signed(provider.clone()), model, MILLI_UNIT));
		let job = pallet_jobs::NextJobId::<Runtime>::get();
		assert_ok!(Jobs::submit_job(
			RuntimeOrigin::signed(alice.clone()),
			model,
			JobInput::Inline(INPUT.to_vec().try_into().unwrap()),
			1,
			MILLI_UNIT,
			100,
		));
		next_block();
		assert_eq!(Jobs::assignments(provider.clone()), vec![job]);

		// The key's off-chain worker hands the job to the worker...
		let id = worker_job_id(job, &model, &input_hash(&INPUT), 0);
		let body = serde_json::json!({
			"id": id,
			"model": manifest_json(&manifest()),
			"model_id": hex(&model),
			"input_hex": hex(&INPUT),
		});
		state.write().expect_request(PendingRequest {
			method: "POST".into(),
			uri: format!("{URL}/v1/jobs"),
			headers: vec![("Content-Type".into(), "application/json".into())],
			body: serde_json::to_vec(&body).unwrap(),
			response: Some(format!(r#"{{"id":"{id}","status":"queued"}}"#).into_bytes()),
			sent: true,
			..Default::default()
		});
		Jobs::offchain_worker(System::block_number());
		assert!(drain_checked(&pool_state).is_empty());

		// ... finds the result in the next block and commits, signed by the keystore key.
		next_block();
		let digest = output_digest(&model, &input_hash(&INPUT), &[1, 4], &[1, 2, 3, 4]);
		let answer = format!(
			r#"{{"id":"{id}","status":"succeeded","output":{{"shape":[1,4],"quantized":[1,2,3,4],"digest":"{}"}}}}"#,
			hex(&digest)
		);
		state.write().expect_request(PendingRequest {
			method: "GET".into(),
			uri: format!("{URL}/v1/jobs/{id}"),
			response: Some(answer.into_bytes()),
			sent: true,
			..Default::default()
		});
		Jobs::offchain_worker(System::block_number());
		let sent = drain_checked(&pool_state);
		assert_eq!(sent.len(), 1);
		let (who, call) = sent.into_iter().next().unwrap();
		assert_eq!(who, provider);
		assert!(matches!(call, RuntimeCall::Jobs(pallet_jobs::Call::commit { job: j, .. }) if j == job));
		assert_ok!(call.dispatch(RuntimeOrigin::signed(who)));

		// Reveals opened with the only commit: the first round's answer is sealed first...
		next_block();
		Jobs::offchain_worker(System::block_number());
		let sent = drain_checked(&pool_state);
		assert_eq!(sent.len(), 1);
		let (who, call) = sent.into_iter().next().unwrap();
		let seal = pallet_jobs::seal_of(job, 0, &digest);
		assert!(matches!(
			&call,
			RuntimeCall::Jobs(pallet_jobs::Call::seal { job: j, seal: s, .. }) if *j == job && *s == seal
		));
		assert_ok!(call.dispatch(RuntimeOrigin::signed(who)));

		// ... then opened: the opening carries the small output and settles.
		next_block();
		Jobs::offchain_worker(System::block_number());
		let sent = drain_checked(&pool_state);
		assert_eq!(sent.len(), 1);
		let (who, call) = sent.into_iter().next().unwrap();
		let output = SmallOutput {
			shape: vec![1, 4].try_into().unwrap(),
			values: vec![1, 2, 3, 4].try_into().unwrap(),
		};
		assert!(matches!(
			&call,
			RuntimeCall::Jobs(pallet_jobs::Call::reveal { job: j, digest: d, output: Some(o), .. })
				if *j == job && *d == digest && *o == output
		));
		assert_ok!(call.dispatch(RuntimeOrigin::signed(who)));
		let receipt = Jobs::receipt(job).expect("settled");
		assert_eq!(receipt.result.digest(), digest);
		assert_eq!(receipt.result.output(), Some(&output));
		assert_eq!(receipt.agreeing.into_inner(), vec![provider]);
	});
}
