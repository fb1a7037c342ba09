//! Runtime-wide checks.

use super::*;
use scale_info::{form::PortableForm, PortableRegistry, Registry, TypeDef};

/// Every event and error variant of every pallet carries a doc comment: wallets and dapps show
/// these docs to users, straight from the metadata.
#[test]
fn every_pallet_event_and_error_is_documented() {
	let metadata = Runtime::metadata_ir();
	let mut missing = Vec::new();
	let mut checked = 0;
	for pallet in metadata.pallets {
		let kinds = [("event", pallet.event.map(|e| e.ty)), ("error", pallet.error.map(|e| e.ty))];
		for (kind, ty) in kinds {
			let Some(ty) = ty else { continue };
			let mut registry = Registry::new();
			let id = registry.register_type(&ty).id;
			let portable: PortableRegistry = registry.into();
			let resolved: &scale_info::Type<PortableForm> = portable.resolve(id).unwrap();
			let TypeDef::Variant(variants) = &resolved.type_def else {
				panic!("{} {kind} is not an enum", pallet.name)
			};
			for v in &variants.variants {
				checked += 1;
				if v.docs.iter().all(|d| d.trim().is_empty()) {
					missing.push(format!("{}::{kind}::{}", pallet.name, v.name));
				}
			}
		}
	}
	assert!(checked > 20, "only {checked} variants found");
	assert!(missing.is_empty(), "undocumented events or errors: {missing:?}");
}

/// The chain's constants are what the docs say.
#[test]
fn block_time_token_and_limits() {
	assert_eq!(MILLI_SECS_PER_BLOCK, 6000);
	assert_eq!(MINUTES, 10);
	assert_eq!(UNIT, 10u128.pow(u32::from(TOKEN_DECIMALS)));
	let length = configs::RuntimeBlockLength::get();
	assert_eq!(
		*length.max.get(frame_support::dispatch::DispatchClass::Operational),
		5 * 1024 * 1024
	);
	let weights = configs::RuntimeBlockWeights::get();
	assert_eq!(
		weights.max_block.ref_time(),
		2 * frame_support::weights::constants::WEIGHT_REF_TIME_PER_SECOND
	);
}

/// Attack 12 at the runtime's constants: a job into an empty queue burns a thousandth of a SYN,
/// and keeping the queue full for an hour (refilling the 66 jobs a block the assignment takes
/// out, each in the queue's last eighth) burns 5,068.8 SYN, besides transaction fees.
#[test]
fn keeping_the_job_queue_full_for_an_hour_costs_thousands_of_syn() {
	use frame_support::traits::Get;
	type Q = <Runtime as pallet_jobs::Config>::MaxQueued;
	type A = <Runtime as pallet_jobs::Config>::MaxAssignmentsPerBlock;
	assert_eq!(Jobs::queue_fee(0), MILLI_UNIT);
	let full = u64::from(<Q as Get<u32>>::get());
	let taken = u64::from(<A as Get<u32>>::get());
	let per_block: Balance = (full - taken..full).map(Jobs::queue_fee).sum();
	let hour = per_block * Balance::from(HOURS);
	assert_eq!(hour, 5_068_800 * MILLI_UNIT);
}

/// Every pallet's `integrity_test` passes with the runtime's constants.
#[test]
fn pallet_constants_pass_integrity_tests() {
	sp_io::TestExternalities::default().execute_with(|| {
		<AllPalletsWithSystem as frame_support::traits::IntegrityTest>::integrity_test();
	});
}

/// Genesis storage of this runtime's defaults with 1,000 SYN in each of `accounts`.
pub(crate) fn endowed(accounts: &[AccountId]) -> sp_runtime::Storage {
	use sp_runtime::BuildStorage;
	RuntimeGenesisConfig {
		balances: pallet_balances::GenesisConfig {
			balances: accounts.iter().map(|a| (a.clone(), 1_000 * UNIT)).collect(),
			..Default::default()
		},
		..Default::default()
	}
	.build_storage()
	.unwrap()
}

/// The registries as wired in this runtime: a model and a provider registered through
/// `RuntimeCall`s, the provider found through `ProviderRegistry`, the deposits held under the
/// runtime's hold reasons, and (with try-runtime) every pallet's invariants hold.
#[test]
fn registries_work_together_in_the_runtime() {
	use frame_support::{
		assert_ok,
		dispatch::GetDispatchInfo,
		traits::{fungible::InspectHold, UnfilteredDispatchable},
	};
	use sp_keyring::Sr25519Keyring;
	use synod_primitives::{
		model::ModelManifest,
		provider::{DeterminismClass, DeviceKind},
		traits::ProviderRegistry,
	};

	let alice = Sr25519Keyring::Alice.to_account_id();
	let bob = Sr25519Keyring::Bob.to_account_id();
	let storage = endowed(&[alice.clone(), bob.clone()]);
	sp_io::TestExternalities::new(storage).execute_with(|| {
		System::set_block_number(1);
		let manifest = ModelManifest { file_hash: [1; 32], ..ModelManifest::sample() };
		let model = synod_primitives::model::model_id(&alice, &manifest);
		let calls = [
			(
				alice.clone(),
				RuntimeCall::Models(pallet_models::Call::register_model {
					manifest: Box::new(manifest),
				}),
			),
			(
				bob.clone(),
				RuntimeCall::Providers(pallet_providers::Call::register {
					bond: 100 * UNIT,
					class: DeterminismClass {
						device: DeviceKind::Cpu,
						arch: b"x86_64".to_vec().try_into().unwrap(),
						libtorch: b"2.11.0".to_vec().try_into().unwrap(),
						deterministic: true,
					},
					max_concurrent: 4,
					metadata: b"cpu-1".to_vec(),
				}),
			),
			(
				bob.clone(),
				RuntimeCall::Providers(pallet_providers::Call::set_offer {
					model,
					price: 10 * MILLI_UNIT,
				}),
			),
		];
		for (who, call) in calls {
			// Weights come from the generated weight files: never zero, within a block.
			let weight = call.get_dispatch_info().call_weight;
			assert!(weight.ref_time() > 0 && weight.proof_size() > 0, "{call:?}");
			assert!(weight.all_lt(configs::RuntimeBlockWeights::get().max_block));
			assert_ok!(call.dispatch_bypass_filter(RuntimeOrigin::signed(who)));
		}
		let candidates = <Providers as ProviderRegistry<AccountId>>::eligible(&model, UNIT);
		assert_eq!(candidates.len(), 1);
		assert_eq!(candidates[0].who, bob);
		assert_eq!(
			Balances::balance_on_hold(
				&RuntimeHoldReason::Providers(pallet_providers::HoldReason::ProviderBond),
				&bob
			),
			100 * UNIT
		);
		assert!(
			Balances::balance_on_hold(
				&RuntimeHoldReason::Models(pallet_models::HoldReason::ManifestDeposit),
				&alice
			) > UNIT
		);
		Models::do_try_state().unwrap();
		Providers::do_try_state().unwrap();
		#[cfg(feature = "try-runtime")]
		assert_ok!(
			<AllPalletsWithSystem as frame_support::traits::TryState<BlockNumber>>::try_state(
				1,
				frame_support::traits::TryStateSelect::Only(vec![
					b"Balances".to_vec(),
					b"Models".to_vec(),
					b"Providers".to_vec(),
				])
			)
		);
	});
}

/// BABE's slots are the block time, and its epochs ten minutes (neither can change later).
#[test]
fn babe_slot_and_epoch_lengths() {
	assert_eq!(pallet_babe::Pallet::<Runtime>::slot_duration(), SLOT_DURATION);
	assert_eq!(EPOCH_DURATION_IN_SLOTS, u64::from(10 * MINUTES));
}

/// `BabeVrfOfThisBlock` gives, during a block, the VRF output that pallet-babe stores in
/// `AuthorVrfRandomness` only at the block's end (for the next block, `ParentBlockRandomness`).
#[test]
fn babe_vrf_of_this_block_is_what_babe_stores_at_its_end() {
	use codec::Encode;
	use configs::consensus::{BabeVrfOfThisBlock, BABE_GENESIS_EPOCH_CONFIG};
	use frame_support::traits::{Hooks, Randomness};
	use sp_consensus_babe::digests::{PreDigest, SecondaryVRFPreDigest};
	use sp_core::crypto::VrfSecret;
	use sp_keyring::Sr25519Keyring;
	use sp_runtime::{BuildStorage, Digest, DigestItem};

	let alice = Sr25519Keyring::Alice;
	let storage = RuntimeGenesisConfig {
		babe: pallet_babe::GenesisConfig {
			authorities: vec![(alice.public().into(), 1)],
			epoch_config: BABE_GENESIS_EPOCH_CONFIG,
			..Default::default()
		},
		..Default::default()
	}
	.build_storage()
	.unwrap();
	sp_io::TestExternalities::new(storage).execute_with(|| {
		// Block 1, slot 1000, epoch 0 (the genesis randomness): Alice's secondary VRF claim, as
		// the node's BABE worker makes it.
		let slot = sp_consensus_babe::Slot::from(1000);
		let sign_data = sp_consensus_babe::make_vrf_sign_data(
			&pallet_babe::Randomness::<Runtime>::get(),
			slot,
			0,
		);
		let vrf_signature = alice.pair().vrf_sign(&sign_data);
		let pre_digest = PreDigest::SecondaryVRF(SecondaryVRFPreDigest {
			authority_index: 0,
			slot,
			vrf_signature,
		});
		let digest = Digest {
			logs: vec![DigestItem::PreRuntime(
				sp_consensus_babe::BABE_ENGINE_ID,
				pre_digest.encode(),
			)],
		};
		System::initialize(&1, &Default::default(), &digest);
		Babe::on_initialize(1);

		let during = BabeVrfOfThisBlock::output().expect("the block has a VRF output");
		let (random, known_since) = BabeVrfOfThisBlock::random(b"synod:test");
		assert!(random.is_some());
		assert_eq!(known_since, 1);
		// pallet-babe's own per-block value is still the parent's (none: block 1).
		assert_eq!(Babe::author_vrf_randomness(), None);

		Babe::on_finalize(1);
		assert_eq!(Babe::author_vrf_randomness(), Some(during));
	});
}
