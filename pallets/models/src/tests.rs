//! Unit and property tests of the models pallet.

use crate::{mock::*, Error, Event, HoldReason, ModelCount, ModelStatus, Records};
use codec::{Decode, Encode};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use proptest::prelude::*;
use synod_primitives::{model::ModelManifest, traits::ModelRegistry};

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::Registry(HoldReason::ManifestDeposit), &who)
}

fn register(who: AccountId, tag: u8) -> Balance {
	assert_ok!(Registry::register_model(RuntimeOrigin::signed(who), Box::new(manifest(tag))));
	Records::<Test>::get(id(who, tag)).unwrap().deposit
}

#[test]
fn register_holds_a_deposit_that_scales_with_size() {
	build_and_execute(|| {
		let m = manifest(1);
		let expected = DEPOSIT_BASE + DEPOSIT_PER_BYTE * m.encoded_size() as Balance;
		assert_eq!(register(1, 1), expected);
		System::assert_last_event(
			Event::ModelRegistered {
				model: hash(1),
				file_hash: [1; 32],
				publisher: 1,
				deposit: expected,
			}
			.into(),
		);
		assert_eq!(held(1), expected);
		assert_eq!(Balances::balance(&1), ENDOWMENT - expected);
		assert_eq!(ModelCount::<Test>::get(), 1);

		let mut big = manifest(2);
		big.name = vec![b'x'; 64].try_into().unwrap();
		let big_deposit = Registry::deposit_for(&big);
		// 61 more name bytes and one more byte of compact length prefix.
		assert_eq!(big_deposit, expected + 62);
		assert_ok!(Registry::register_model(RuntimeOrigin::signed(1), Box::new(big)));
		assert_eq!(held(1), expected + big_deposit);
	});
}

#[test]
fn malformed_manifests_are_refused_with_their_reason() {
	build_and_execute(|| {
		type Breaker = fn(&mut ModelManifest);
		let cases: Vec<(Breaker, Error<Test>)> = vec![
			(|m| m.name = Default::default(), Error::InvalidName),
			(|m| m.name = vec![0xc3, 0x28].try_into().unwrap(), Error::InvalidName),
			(|m| m.input.shape = Default::default(), Error::InvalidShape),
			(|m| m.output.shape = vec![Some(2), None].try_into().unwrap(), Error::InvalidShape),
			(|m| m.input.shape = vec![None, Some(0)].try_into().unwrap(), Error::InvalidShape),
			(|m| m.canonicalization.step_exponent = 41, Error::InvalidStepExponent),
			(|m| m.canonicalization.tolerance = u64::MAX, Error::InvalidTolerance),
			(|m| m.max_input_bytes = 0, Error::InvalidMaxInputBytes),
			(|m| m.max_input_bytes = 63, Error::InvalidMaxInputBytes),
			(|m| m.max_input_bytes = 1_048_577, Error::MaxInputBytesTooLarge),
			(|m| m.sources = Default::default(), Error::InvalidSource),
			(
				|m| {
					m.sources =
						vec![b"file:///m.pt".to_vec().try_into().unwrap()].try_into().unwrap()
				},
				Error::InvalidSource,
			),
		];
		for (break_it, error) in cases {
			let mut m = manifest(1);
			break_it(&mut m);
			assert_noop!(Registry::register_model(RuntimeOrigin::signed(1), Box::new(m)), error);
		}
		assert_eq!(held(1), 0);
	});
}

#[test]
fn oversized_manifest_does_not_decode() {
	// A name one byte over the bound: the transaction never decodes, so nothing is charged.
	let m = manifest(1);
	let mut bytes = m.file_hash.encode();
	bytes.extend(vec![b'n'; 65].encode());
	bytes.extend(m.input.encode());
	bytes.extend(m.output.encode());
	bytes.extend(m.canonicalization.encode());
	bytes.extend(m.max_input_bytes.encode());
	bytes.extend(m.sources.encode());
	assert!(ModelManifest::decode(&mut &bytes[..]).is_err());
	// Nine sources (bound 4) do not decode either.
	let mut bytes = m.encode();
	bytes.truncate(bytes.len() - m.sources.encode().len());
	bytes.extend(vec![b"https://a".to_vec(); 9].encode());
	assert!(ModelManifest::decode(&mut &bytes[..]).is_err());
}

#[test]
fn duplicate_registration_is_refused() {
	build_and_execute(|| {
		let deposit = register(1, 1);
		assert_noop!(
			Registry::register_model(RuntimeOrigin::signed(1), Box::new(manifest(1))),
			Error::<Test>::ModelAlreadyRegistered
		);
		// Also after retirement: manifests are immutable and ids never reused.
		assert_ok!(Registry::retire_model(RuntimeOrigin::signed(1), hash(1)));
		assert_noop!(
			Registry::register_model(RuntimeOrigin::signed(1), Box::new(manifest(1))),
			Error::<Test>::ModelAlreadyRegistered
		);
		assert_eq!(Balances::balance(&1), ENDOWMENT);
		assert!(deposit > 0);
	});
}

/// Attack 10: a squatter that saw a publisher's file, or its whole manifest, registers it
/// first. Keyed by the file's hash, that fixed the manifest for everyone (here: no tolerance,
/// the squatter's source) and let the squatter retire it; the publisher's own registration
/// was refused. Keyed by publisher and manifest, the publisher still registers, under the id
/// it announces, which the squatter can neither hold nor retire.
#[test]
fn a_squatter_cannot_take_or_retire_a_publishers_model() {
	build_and_execute(|| {
		let (publisher, squatter) = (1, 2);
		let mut squatted = manifest(1);
		squatted.canonicalization.tolerance = 0;
		squatted.sources[0] = b"https://squatter.example/mlp.pt".to_vec().try_into().unwrap();
		for m in [squatted, manifest(1)] {
			assert_ok!(Registry::register_model(RuntimeOrigin::signed(squatter), Box::new(m)));
		}
		assert_ok!(Registry::register_model(
			RuntimeOrigin::signed(publisher),
			Box::new(manifest(1))
		));
		let theirs = id(publisher, 1);
		assert_ne!(theirs, id(squatter, 1));
		assert_eq!(Registry::model(theirs).unwrap().publisher, publisher);
		assert_eq!(Registry::active_model(&theirs), Some(manifest(1)));
		assert_noop!(
			Registry::retire_model(RuntimeOrigin::signed(squatter), theirs),
			Error::<Test>::NotPublisher
		);
		assert_eq!(ModelCount::<Test>::get(), 3);
	});
}

#[test]
fn register_without_funds_fails() {
	build_and_execute(|| {
		assert_noop!(
			Registry::register_model(RuntimeOrigin::signed(POOR), Box::new(manifest(1))),
			Error::<Test>::InsufficientBalance
		);
		assert_eq!(Balances::balance(&POOR), 10);
	});
}

#[test]
fn retire_releases_the_deposit_when_no_job_is_open() {
	build_and_execute(|| {
		let deposit = register(1, 1);
		assert_ok!(Registry::retire_model(RuntimeOrigin::signed(1), hash(1)));
		System::assert_has_event(Event::ModelRetired { model: hash(1), open_jobs: 0 }.into());
		System::assert_last_event(
			Event::DepositReleased { model: hash(1), publisher: 1, amount: deposit }.into(),
		);
		assert_eq!(held(1), 0);
		assert_eq!(Balances::balance(&1), ENDOWMENT);
		// The manifest stays readable for old receipts.
		assert_eq!(Registry::manifest(hash(1)), Some(manifest(1)));
		assert_eq!(Registry::active_model(&hash(1)), None);
	});
}

#[test]
fn retire_with_open_jobs_keeps_the_deposit_until_the_last_release() {
	build_and_execute(|| {
		let deposit = register(1, 1);
		assert_ok!(Registry::acquire(&hash(1)));
		assert_ok!(Registry::acquire(&hash(1)));
		assert_ok!(Registry::retire_model(RuntimeOrigin::signed(1), hash(1)));
		assert_eq!(held(1), deposit);
		// No new job on a retired model.
		assert_noop!(Registry::acquire(&hash(1)), Error::<Test>::ModelRetired);
		assert_ok!(Registry::release(&hash(1)));
		assert_eq!(held(1), deposit);
		assert_ok!(Registry::release(&hash(1)));
		assert_eq!(held(1), 0);
		System::assert_last_event(
			Event::DepositReleased { model: hash(1), publisher: 1, amount: deposit }.into(),
		);
		assert_noop!(Registry::release(&hash(1)), Error::<Test>::NoOpenJob);
	});
}

#[test]
fn retire_by_root_and_refusals() {
	build_and_execute(|| {
		register(1, 1);
		assert_noop!(
			Registry::retire_model(RuntimeOrigin::signed(2), hash(1)),
			Error::<Test>::NotPublisher
		);
		assert_noop!(
			Registry::retire_model(RuntimeOrigin::signed(1), hash(9)),
			Error::<Test>::ModelNotFound
		);
		assert_noop!(
			Registry::retire_model(RuntimeOrigin::none(), hash(1)),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_ok!(Registry::retire_model(RuntimeOrigin::root(), hash(1)));
		assert_noop!(
			Registry::retire_model(RuntimeOrigin::signed(1), hash(1)),
			Error::<Test>::ModelRetired
		);
		assert_eq!(Balances::balance(&1), ENDOWMENT);
	});
}

#[test]
fn registry_trait_errors() {
	build_and_execute(|| {
		assert_noop!(Registry::acquire(&hash(7)), Error::<Test>::ModelNotFound);
		assert_noop!(Registry::release(&hash(7)), Error::<Test>::ModelNotFound);
		register(1, 1);
		assert_noop!(Registry::release(&hash(1)), Error::<Test>::NoOpenJob);
		Records::<Test>::mutate(hash(1), |r| r.as_mut().unwrap().open_jobs = u32::MAX);
		assert_noop!(Registry::acquire(&hash(1)), Error::<Test>::TooManyOpenJobs);
		Records::<Test>::mutate(hash(1), |r| r.as_mut().unwrap().open_jobs = 0);
		assert_eq!(Registry::active_model(&hash(1)), Some(manifest(1)));
	});
}

#[test]
fn view_functions_list_and_read() {
	build_and_execute(|| {
		for tag in 1..=5 {
			register(1 + u64::from(tag % 2), tag);
		}
		assert_ok!(Registry::retire_model(RuntimeOrigin::signed(2), id(2, 3)));
		let all = Registry::models(None, 100);
		assert_eq!(all.len(), 5);
		assert_eq!(all.iter().filter(|(_, s)| *s == ModelStatus::Retired).count(), 1);
		// Paging: two at a time, starting after the last key seen, covers everything once.
		let mut seen = Vec::new();
		let mut start = None;
		loop {
			let page = Registry::models(start, 2);
			if page.is_empty() {
				break;
			}
			start = page.last().map(|(h, _)| *h);
			seen.extend(page);
		}
		assert_eq!(seen, all);
		assert_eq!(Registry::models(None, 1_000).len(), 5);
		assert_eq!(Registry::model(hash(2)).unwrap().publisher, 1);
		assert_eq!(Registry::manifest(hash(9)), None);
	});
}

#[derive(Clone, Debug)]
enum Op {
	Register {
		who: AccountId,
		tag: u8,
	},
	/// Retires `owner`'s model `tag`, signed by `who` (or root).
	Retire {
		who: AccountId,
		owner: AccountId,
		tag: u8,
		root: bool,
	},
	Acquire {
		owner: AccountId,
		tag: u8,
	},
	Release {
		owner: AccountId,
		tag: u8,
	},
}

fn op() -> impl Strategy<Value = Op> {
	let who = prop_oneof![1..=3u64, Just(POOR)];
	prop_oneof![
		(who.clone(), 0..6u8).prop_map(|(who, tag)| Op::Register { who, tag }),
		(who.clone(), who.clone(), 0..6u8, any::<bool>())
			.prop_map(|(who, owner, tag, root)| Op::Retire { who, owner, tag, root }),
		(who.clone(), 0..6u8).prop_map(|(owner, tag)| Op::Acquire { owner, tag }),
		(who, 0..6u8).prop_map(|(owner, tag)| Op::Release { owner, tag }),
	]
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(200))]
	/// Random call sequences: no panic, invariants hold after every step, and every unit of
	/// the issuance is either free or held: nothing is created or lost.
	#[test]
	fn random_sequences_conserve_balances(ops in proptest::collection::vec(op(), 1..60)) {
		new_test_ext().execute_with(|| {
			let issuance = Balances::total_issuance();
			let accounts = [1u64, 2, 3, 4, 5, POOR];
			for op in ops {
				let _ = match op {
					Op::Register { who, tag } =>
						Registry::register_model(RuntimeOrigin::signed(who), Box::new(manifest(tag))),
					Op::Retire { who, owner, tag, root } => {
						let origin = if root { RuntimeOrigin::root() } else { RuntimeOrigin::signed(who) };
						Registry::retire_model(origin, id(owner, tag))
					},
					Op::Acquire { owner, tag } => Registry::acquire(&id(owner, tag)),
					Op::Release { owner, tag } => Registry::release(&id(owner, tag)),
				};
				Registry::do_try_state().unwrap();
				let total: Balance = accounts.iter().map(Balances::total_balance).sum();
				prop_assert_eq!(total, issuance);
				prop_assert_eq!(Balances::total_issuance(), issuance);
			}
			Ok(())
		})?;
	}
}
