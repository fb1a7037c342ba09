//! Unit and property tests of the providers pallet, through its calls and through
//! `ProviderRegistry`, the trait pallet-jobs uses.

use crate::{
	mock::*, types::REPUTATION_UNIT, Error, Event, HoldReason, ModelIndex, Offers, ProviderCount,
	Records as ProviderRecords, Reputation,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use proptest::prelude::*;
use sp_runtime::{Perbill, Permill};
use synod_primitives::traits::{ModelRegistry, ProviderRegistry, Slashed};

type Registry = Providers;

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::Providers(HoldReason::ProviderBond), &who)
}

fn register(who: AccountId, bond: Balance) {
	assert_ok!(Providers::register(RuntimeOrigin::signed(who), bond, class(), 2, b"gpu".to_vec()));
}

fn offer(who: AccountId, tag: u8, price: Balance) {
	assert_ok!(Providers::set_offer(RuntimeOrigin::signed(who), model(tag), price));
}

fn run_to(n: u64) {
	System::run_to_block::<AllPalletsWithSystem>(n);
}

fn eligible(tag: u8, max_price: Balance) -> Vec<AccountId> {
	<Registry as ProviderRegistry<AccountId>>::eligible(&model(tag), max_price)
		.into_iter()
		.map(|c| c.who)
		.collect()
}

#[test]
fn register_holds_the_bond() {
	build_and_execute(|| {
		register(1, MIN_BOND);
		System::assert_last_event(Event::ProviderRegistered { provider: 1, bond: MIN_BOND }.into());
		assert_eq!(held(1), MIN_BOND);
		assert_eq!(Balances::balance(&1), ENDOWMENT - MIN_BOND);
		assert_eq!(ProviderCount::<Test>::get(), 1);
		let record = ProviderRecords::<Test>::get(1).unwrap();
		assert_eq!(record.class_id, class().id());
		// A new provider starts at the bottom (decay 90%: 10 units of failures, 1/12).
		assert_eq!(record.reputation.score(), Permill::from_rational(1u32, 12u32));
	});
}

#[test]
fn register_refusals() {
	build_and_execute(|| {
		let signed = RuntimeOrigin::signed;
		assert_noop!(
			Providers::register(signed(1), MIN_BOND - 1, class(), 2, vec![]),
			Error::<Test>::BondTooLow
		);
		assert_noop!(
			Providers::register(signed(1), 0, class(), 2, vec![]),
			Error::<Test>::BondTooLow
		);
		assert_noop!(
			Providers::register(signed(POOR), MIN_BOND, class(), 2, vec![]),
			Error::<Test>::InsufficientBalance
		);
		let mut bad = class();
		bad.arch = Default::default();
		assert_noop!(
			Providers::register(signed(1), MIN_BOND, bad, 2, vec![]),
			Error::<Test>::InvalidClass
		);
		let mut bad = class();
		bad.libtorch = b"2.11 cu130".to_vec().try_into().unwrap();
		assert_noop!(
			Providers::register(signed(1), MIN_BOND, bad, 2, vec![]),
			Error::<Test>::InvalidClass
		);
		for c in [0, 9] {
			assert_noop!(
				Providers::register(signed(1), MIN_BOND, class(), c, vec![]),
				Error::<Test>::InvalidConcurrency
			);
		}
		assert_noop!(
			Providers::register(signed(1), MIN_BOND, class(), 2, vec![0; 257]),
			Error::<Test>::MetadataTooLong
		);
		register(1, MIN_BOND);
		assert_noop!(
			Providers::register(signed(1), MIN_BOND, class(), 2, vec![]),
			Error::<Test>::AlreadyRegistered
		);
		assert_eq!(held(1), MIN_BOND);
	});
}

#[test]
fn calls_by_a_stranger_fail_with_provider_not_found() {
	build_and_execute(|| {
		let o = || RuntimeOrigin::signed(7);
		assert_noop!(Providers::bond_more(o(), 10), Error::<Test>::ProviderNotFound);
		assert_noop!(Providers::unbond(o(), 10), Error::<Test>::ProviderNotFound);
		assert_noop!(Providers::withdraw_unbonded(o()), Error::<Test>::ProviderNotFound);
		assert_noop!(Providers::set_offer(o(), model(1), 5), Error::<Test>::ProviderNotFound);
		assert_noop!(Providers::remove_offer(o(), model(1)), Error::<Test>::ProviderNotFound);
		assert_noop!(Providers::pause(o()), Error::<Test>::ProviderNotFound);
		assert_noop!(Providers::resume(o()), Error::<Test>::ProviderNotFound);
		assert_noop!(Providers::heartbeat(o()), Error::<Test>::ProviderNotFound);
		assert_noop!(Providers::set_concurrency(o(), 1), Error::<Test>::ProviderNotFound);
		assert_noop!(
			<Registry as ProviderRegistry<AccountId>>::lock_collateral(&7, 1),
			Error::<Test>::ProviderNotFound
		);
		assert_noop!(
			<Registry as ProviderRegistry<AccountId>>::unlock_collateral(&7, 1),
			Error::<Test>::ProviderNotFound
		);
		assert_noop!(
			<Registry as ProviderRegistry<AccountId>>::slash_collateral(&7, 1, &8, 1),
			Error::<Test>::ProviderNotFound
		);
	});
}

#[test]
fn bond_more_and_its_refusals() {
	build_and_execute(|| {
		register(1, MIN_BOND);
		assert_ok!(Providers::bond_more(RuntimeOrigin::signed(1), 500));
		System::assert_last_event(Event::Bonded { provider: 1, amount: 500 }.into());
		assert_eq!(held(1), MIN_BOND + 500);
		assert_noop!(Providers::bond_more(RuntimeOrigin::signed(1), 0), Error::<Test>::ZeroAmount);
		assert_noop!(
			Providers::bond_more(RuntimeOrigin::signed(1), ENDOWMENT),
			Error::<Test>::InsufficientBalance
		);
		assert_ok!(Providers::unbond(RuntimeOrigin::signed(1), MIN_BOND + 500));
		assert_noop!(
			Providers::bond_more(RuntimeOrigin::signed(1), 500),
			Error::<Test>::ProviderLeaving
		);
	});
}

#[test]
fn unbond_then_withdraw_after_the_delay_and_leave() {
	build_and_execute(|| {
		register(1, 3 * MIN_BOND);
		offer(1, 1, 50);
		offer(1, 2, 60);
		// Partial unbond keeps offers.
		assert_ok!(Providers::unbond(RuntimeOrigin::signed(1), MIN_BOND));
		System::assert_last_event(
			Event::Unbonding { provider: 1, amount: MIN_BOND, unlock_at: 1 + UNBONDING_DELAY }
				.into(),
		);
		assert_eq!(held(1), 3 * MIN_BOND);
		assert_eq!(Offers::<Test>::get(1).len(), 2);
		assert_noop!(
			Providers::withdraw_unbonded(RuntimeOrigin::signed(1)),
			Error::<Test>::UnbondingNotReady
		);
		// Unbonding the rest means leaving: offers go at once, and the unlock moves.
		run_to(3);
		assert_ok!(Providers::unbond(RuntimeOrigin::signed(1), 2 * MIN_BOND));
		System::assert_last_event(
			Event::Unbonding { provider: 1, amount: 3 * MIN_BOND, unlock_at: 3 + UNBONDING_DELAY }
				.into(),
		);
		assert!(Offers::<Test>::get(1).is_empty());
		assert!(ModelIndex::<Test>::get(model(1)).is_empty());
		assert!(eligible(1, 1_000).is_empty());
		run_to(3 + UNBONDING_DELAY);
		assert_ok!(Providers::withdraw_unbonded(RuntimeOrigin::signed(1)));
		System::assert_has_event(Event::Withdrawn { provider: 1, amount: 3 * MIN_BOND }.into());
		System::assert_last_event(Event::ProviderDeregistered { provider: 1 }.into());
		assert_eq!(held(1), 0);
		assert_eq!(Balances::balance(&1), ENDOWMENT);
		assert!(ProviderRecords::<Test>::get(1).is_none());
		assert_eq!(ProviderCount::<Test>::get(), 0);
		assert_noop!(
			Providers::withdraw_unbonded(RuntimeOrigin::signed(1)),
			Error::<Test>::ProviderNotFound
		);
	});
}

#[test]
fn unbond_refusals() {
	build_and_execute(|| {
		register(1, 2 * MIN_BOND);
		let o = || RuntimeOrigin::signed(1);
		assert_noop!(Providers::unbond(o(), 0), Error::<Test>::ZeroAmount);
		assert_noop!(Providers::unbond(o(), 2 * MIN_BOND + 1), Error::<Test>::UnbondExceedsBond);
		assert_noop!(Providers::unbond(o(), MIN_BOND + 1), Error::<Test>::RemainingBondTooLow);
		assert_noop!(Providers::withdraw_unbonded(o()), Error::<Test>::NothingUnbonding);
		assert_ok!(<Registry as ProviderRegistry<AccountId>>::lock_collateral(&1, 10));
		assert_noop!(Providers::unbond(o(), MIN_BOND), Error::<Test>::ProviderHasRunningJobs);
		assert_ok!(<Registry as ProviderRegistry<AccountId>>::unlock_collateral(&1, 10));
		assert_ok!(Providers::unbond(o(), MIN_BOND));
	});
}

#[test]
fn offers_and_their_refusals() {
	build_and_execute(|| {
		register(1, MIN_BOND);
		let o = || RuntimeOrigin::signed(1);
		assert_noop!(Providers::set_offer(o(), model(1), 0), Error::<Test>::ZeroPrice);
		assert_noop!(Providers::set_offer(o(), model(9), 5), Error::<Test>::ModelNotActive);
		assert_ok!(Models::retire_model(RuntimeOrigin::signed(PUBLISHER), model(5)));
		assert_noop!(Providers::set_offer(o(), model(5), 5), Error::<Test>::ModelNotActive);
		offer(1, 1, 50);
		System::assert_last_event(
			Event::OfferSet { provider: 1, model: model(1), price: 50 }.into(),
		);
		// Changing the price updates both sides.
		offer(1, 1, 40);
		assert_eq!(ModelIndex::<Test>::get(model(1)).into_inner(), vec![(1, 40)]);
		assert_eq!(Offers::<Test>::get(1).into_inner(), vec![(model(1), 40)]);
		offer(1, 2, 5);
		offer(1, 3, 5);
		assert_noop!(Providers::set_offer(o(), model(4), 5), Error::<Test>::TooManyOffers);
		assert_ok!(Providers::remove_offer(o(), model(2)));
		System::assert_last_event(Event::OfferRemoved { provider: 1, model: model(2) }.into());
		assert_noop!(Providers::remove_offer(o(), model(2)), Error::<Test>::OfferNotFound);
		assert_eq!(Providers::offers(1), vec![(model(1), 40), (model(3), 5)]);
	});
}

/// Attack 6 (index squatting): when a model's index was full, a new offer had to be cheaper
/// than the dearest, so sybils at 1 planck filled it and could never be evicted. A full index
/// now drops its lightest provider (bond × reputation) for a heavier one, whatever the prices.
#[test]
fn sybils_at_one_planck_cannot_lock_a_full_index() {
	build_and_execute(|| {
		for who in 1..=MAX_PER_MODEL as u64 {
			register(who, MIN_BOND);
			offer(who, 1, 1);
		}
		// An honest provider with as much bond as each sybil does not outweigh any of them.
		register(9, MIN_BOND);
		assert_noop!(
			Providers::set_offer(RuntimeOrigin::signed(9), model(1), 100),
			Error::<Test>::ModelIndexFull
		);
		// With more bond it does, at any price: the lightest sybil (the first) is evicted.
		assert_ok!(Providers::bond_more(RuntimeOrigin::signed(9), MIN_BOND));
		offer(9, 1, 100);
		System::assert_has_event(
			Event::OfferEvicted { provider: 1, model: model(1), price: 1 }.into(),
		);
		assert!(Offers::<Test>::get(1).is_empty());
		assert_eq!(ModelIndex::<Test>::get(model(1)).len(), MAX_PER_MODEL as usize);
		assert!(eligible(1, 1_000).contains(&9));
		// A sybil coming back must now outweigh the lightest of the rest, not be cheaper.
		assert_noop!(
			Providers::set_offer(RuntimeOrigin::signed(1), model(1), 1),
			Error::<Test>::ModelIndexFull
		);
	});
}

#[test]
fn eligibility_follows_price_liveness_pause_slots_and_free_bond() {
	build_and_execute(|| {
		for who in 1..=3 {
			register(who, MIN_BOND);
			offer(who, 1, 10 * who as Balance);
		}
		assert_eq!(eligible(1, 30), vec![1, 2, 3]);
		assert_eq!(eligible(1, 20), vec![1, 2]);
		assert!(eligible(2, 1_000).is_empty());
		// Paused: not eligible; resumed: eligible.
		assert_ok!(Providers::pause(RuntimeOrigin::signed(2)));
		assert_noop!(Providers::pause(RuntimeOrigin::signed(2)), Error::<Test>::AlreadyPaused);
		assert_eq!(eligible(1, 30), vec![1, 3]);
		assert_ok!(Providers::resume(RuntimeOrigin::signed(2)));
		assert_noop!(Providers::resume(RuntimeOrigin::signed(2)), Error::<Test>::NotPaused);
		// Liveness: a heartbeat older than the timeout drops a provider, lazily.
		run_to(1 + HEARTBEAT_TIMEOUT);
		assert_eq!(eligible(1, 30), vec![1, 2, 3]);
		assert_ok!(Providers::heartbeat(RuntimeOrigin::signed(3)));
		run_to(2 + HEARTBEAT_TIMEOUT);
		assert_eq!(eligible(1, 30), vec![3]);
		assert_eq!(
			Providers::providers_for_model(model(1)),
			vec![(1, 10, false), (2, 20, false), (3, 30, true)]
		);
		// Slots: concurrency 2, both taken.
		assert_ok!(<Registry as ProviderRegistry<AccountId>>::lock_collateral(&3, 1));
		assert_ok!(<Registry as ProviderRegistry<AccountId>>::lock_collateral(&3, 1));
		assert!(eligible(1, 30).is_empty());
		assert_noop!(
			<Registry as ProviderRegistry<AccountId>>::lock_collateral(&3, 1),
			Error::<Test>::NoFreeSlot
		);
		assert_ok!(Providers::set_concurrency(RuntimeOrigin::signed(3), 4));
		System::assert_last_event(Event::ConcurrencySet { provider: 3, max_concurrent: 4 }.into());
		assert_noop!(
			Providers::set_concurrency(RuntimeOrigin::signed(3), 0),
			Error::<Test>::InvalidConcurrency
		);
		let c = <Registry as ProviderRegistry<AccountId>>::eligible(&model(1), 30);
		assert_eq!(c.len(), 1);
		assert_eq!(c[0].free_bond, MIN_BOND - 2);
		assert_eq!(c[0].class, class().id());
		// Free bond: all of it locked leaves it out.
		assert_noop!(
			<Registry as ProviderRegistry<AccountId>>::lock_collateral(&3, MIN_BOND - 1),
			Error::<Test>::InsufficientFreeBond
		);
		assert_ok!(<Registry as ProviderRegistry<AccountId>>::lock_collateral(&3, MIN_BOND - 2));
		assert!(eligible(1, 30).is_empty());
	});
}

#[test]
fn collateral_lock_slash_unlock() {
	build_and_execute(|| {
		register(1, MIN_BOND);
		let reg = |f: &dyn Fn() -> sp_runtime::DispatchResult| f();
		assert_ok!(reg(&|| <Registry as ProviderRegistry<AccountId>>::lock_collateral(&1, 300)));
		let issuance = Balances::total_issuance();
		// 30 of the 100 compensate account 50, the other 70 are burned.
		let slashed =
			<Registry as ProviderRegistry<AccountId>>::slash_collateral(&1, 100, &50, 30).unwrap();
		assert_eq!(slashed, Slashed { compensated: 30, burned: 70 });
		System::assert_last_event(
			Event::CollateralSlashed {
				provider: 1,
				amount: 100,
				dest: 50,
				compensated: 30,
				burned: 70,
			}
			.into(),
		);
		assert_eq!(Balances::balance(&50), 30);
		assert_eq!(Balances::total_issuance(), issuance - 70);
		assert_eq!(held(1), MIN_BOND - 100);
		let record = ProviderRecords::<Test>::get(1).unwrap();
		assert_eq!((record.bond, record.locked, record.running), (MIN_BOND - 100, 200, 1));
		// Compensation above the amount: all of it to account 50, nothing burned.
		let slashed =
			<Registry as ProviderRegistry<AccountId>>::slash_collateral(&1, 20, &50, 1000).unwrap();
		assert_eq!(slashed, Slashed { compensated: 20, burned: 0 });
		assert_eq!(Balances::balance(&50), 50);
		assert_eq!(held(1), MIN_BOND - 120);
		assert_noop!(
			<Registry as ProviderRegistry<AccountId>>::slash_collateral(&1, 181, &50, 0),
			Error::<Test>::CollateralUnderflow
		);
		assert_noop!(
			<Registry as ProviderRegistry<AccountId>>::unlock_collateral(&1, 181),
			Error::<Test>::CollateralUnderflow
		);
		assert_noop!(
			<Registry as ProviderRegistry<AccountId>>::unlock_collateral(&1, 179),
			Error::<Test>::CollateralLeftLocked
		);
		assert_ok!(<Registry as ProviderRegistry<AccountId>>::unlock_collateral(&1, 180));
		assert_noop!(
			<Registry as ProviderRegistry<AccountId>>::unlock_collateral(&1, 0),
			Error::<Test>::NoRunningJobs
		);
		let record = ProviderRecords::<Test>::get(1).unwrap();
		assert_eq!((record.bond, record.locked, record.running), (MIN_BOND - 120, 0, 0));
	});
}

#[test]
fn a_provider_slashed_to_nothing_can_rebond_or_leave() {
	build_and_execute(|| {
		register(1, MIN_BOND);
		register(2, MIN_BOND);
		offer(1, 1, 10);
		for who in [1, 2] {
			assert_ok!(<Registry as ProviderRegistry<AccountId>>::lock_collateral(&who, MIN_BOND));
			assert_ok!(<Registry as ProviderRegistry<AccountId>>::slash_collateral(
				&who, MIN_BOND, &50, MIN_BOND
			));
			assert_ok!(<Registry as ProviderRegistry<AccountId>>::unlock_collateral(&who, 0));
		}
		assert!(eligible(1, 10).is_empty());
		assert_noop!(
			Providers::set_offer(RuntimeOrigin::signed(1), model(2), 10),
			Error::<Test>::BondTooLow
		);
		assert_noop!(Providers::bond_more(RuntimeOrigin::signed(1), 1), Error::<Test>::BondTooLow);
		assert_ok!(Providers::bond_more(RuntimeOrigin::signed(1), MIN_BOND));
		assert_eq!(eligible(1, 10), vec![1]);
		assert_ok!(Providers::withdraw_unbonded(RuntimeOrigin::signed(2)));
		System::assert_last_event(Event::ProviderDeregistered { provider: 2 }.into());
		assert_eq!(Balances::balance(&50), 2 * MIN_BOND);
	});
}

#[test]
fn reputation_is_a_discounted_beta_mean() {
	let mut r = Reputation::default();
	assert_eq!(r.score(), Permill::from_percent(50));
	r.record(true, Perbill::from_percent(90));
	// (1 + 1) / (1 + 0 + 2)
	assert_eq!(r.score(), Permill::from_rational(2u32, 3u32));
	r.record(false, Perbill::from_percent(90));
	assert_eq!(r.successes, 900_000);
	assert_eq!(r.failures, REPUTATION_UNIT);
	// Old evidence fades: after many successes one old failure barely counts.
	for _ in 0..200 {
		r.record(true, Perbill::from_percent(90));
	}
	assert!(r.score() > Permill::from_percent(90));
	assert!(r.failures < 10);
	build_and_execute(|| {
		register(1, MIN_BOND);
		<Registry as ProviderRegistry<AccountId>>::record_outcome(&1, false);
		<Registry as ProviderRegistry<AccountId>>::record_outcome(&7, true);
		// A newcomer's failure keeps it at the bottom: 0.9 × 10 + 1 = 10 units, 1/12.
		assert_eq!(
			ProviderRecords::<Test>::get(1).unwrap().reputation.score(),
			Permill::from_rational(1u32, 12u32)
		);
	});
}

#[test]
fn view_functions() {
	build_and_execute(|| {
		register(1, MIN_BOND);
		offer(1, 1, 10);
		assert_eq!(Providers::provider(1).unwrap().bond, MIN_BOND);
		assert_eq!(Providers::provider(2), None);
		assert_eq!(Providers::providers_for_model(model(1)), vec![(1, 10, true)]);
		assert_eq!(Providers::offers(1), vec![(model(1), 10)]);
		assert!(Models::active_model(&model(1)).is_some());
	});
}

#[derive(Clone, Debug)]
enum Op {
	Register { who: AccountId, bond: Balance },
	BondMore { who: AccountId, amount: Balance },
	Unbond { who: AccountId, amount: Balance },
	Withdraw { who: AccountId },
	SetOffer { who: AccountId, tag: u8, price: Balance },
	RemoveOffer { who: AccountId, tag: u8 },
	Pause { who: AccountId },
	Resume { who: AccountId },
	Lock { who: AccountId, amount: Balance },
	Unlock { who: AccountId, amount: Balance },
	Slash { who: AccountId, amount: Balance, dest: AccountId, compensation: Balance },
	Outcome { who: AccountId, success: bool },
	Advance { blocks: u64 },
}

fn op() -> impl Strategy<Value = Op> {
	let who = prop_oneof![1..=6u64, Just(POOR)];
	let amount = prop_oneof![0..=10u128, 0..=3_000u128, Just(ENDOWMENT)];
	prop_oneof![
		(who.clone(), amount.clone()).prop_map(|(who, bond)| Op::Register { who, bond }),
		(who.clone(), amount.clone()).prop_map(|(who, amount)| Op::BondMore { who, amount }),
		(who.clone(), amount.clone()).prop_map(|(who, amount)| Op::Unbond { who, amount }),
		who.clone().prop_map(|who| Op::Withdraw { who }),
		(who.clone(), 0..7u8, 0..200u128).prop_map(|(who, tag, price)| Op::SetOffer {
			who,
			tag,
			price
		}),
		(who.clone(), 0..7u8).prop_map(|(who, tag)| Op::RemoveOffer { who, tag }),
		who.clone().prop_map(|who| Op::Pause { who }),
		who.clone().prop_map(|who| Op::Resume { who }),
		(who.clone(), amount.clone()).prop_map(|(who, amount)| Op::Lock { who, amount }),
		(who.clone(), amount.clone()).prop_map(|(who, amount)| Op::Unlock { who, amount }),
		(who.clone(), amount.clone(), 1..=20u64, amount).prop_map(
			|(who, amount, dest, compensation)| Op::Slash { who, amount, dest, compensation }
		),
		(who, any::<bool>()).prop_map(|(who, success)| Op::Outcome { who, success }),
		(1..15u64).prop_map(|blocks| Op::Advance { blocks }),
	]
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(200))]
	/// Random call and trait sequences: no panic, invariants after every step, the issuance
	/// changes only by what slashes burn and all of it is free or held somewhere.
	#[test]
	fn random_sequences_conserve_balances(ops in proptest::collection::vec(op(), 1..80)) {
		new_test_ext().execute_with(|| {
			let mut issuance = Balances::total_issuance();
			let accounts: Vec<AccountId> = (1..=20).chain([PUBLISHER, POOR]).collect();
			for op in ops {
				let s = RuntimeOrigin::signed;
				let _ = match op {
					Op::Register { who, bond } =>
						Providers::register(s(who), bond, class(), 2, vec![]),
					Op::BondMore { who, amount } => Providers::bond_more(s(who), amount),
					Op::Unbond { who, amount } => Providers::unbond(s(who), amount),
					Op::Withdraw { who } => Providers::withdraw_unbonded(s(who)),
					Op::SetOffer { who, tag, price } => Providers::set_offer(s(who), model(tag), price),
					Op::RemoveOffer { who, tag } => Providers::remove_offer(s(who), model(tag)),
					Op::Pause { who } => Providers::pause(s(who)),
					Op::Resume { who } => Providers::resume(s(who)),
					Op::Lock { who, amount } =>
						<Registry as ProviderRegistry<AccountId>>::lock_collateral(&who, amount),
					Op::Unlock { who, amount } =>
						<Registry as ProviderRegistry<AccountId>>::unlock_collateral(&who, amount),
					Op::Slash { who, amount, dest, compensation } =>
						<Registry as ProviderRegistry<AccountId>>::slash_collateral(
							&who,
							amount,
							&dest,
							compensation,
						)
						.map(|slashed| {
							// The slash moves or burns exactly what it was asked to.
							assert_eq!(slashed.compensated + slashed.burned, amount);
							assert_eq!(slashed.compensated, amount.min(compensation));
							issuance -= slashed.burned;
						}),
					Op::Outcome { who, success } => {
						<Registry as ProviderRegistry<AccountId>>::record_outcome(&who, success);
						Ok(())
					},
					Op::Advance { blocks } => {
						run_to(System::block_number() + blocks);
						Ok(())
					},
				};
				Providers::do_try_state().unwrap();
				Models::do_try_state().unwrap();
				let total: Balance = accounts.iter().map(Balances::total_balance).sum();
				prop_assert_eq!(total, issuance);
				prop_assert_eq!(Balances::total_issuance(), issuance);
			}
			Ok(())
		})?;
	}
}

#[test]
fn a_fresh_account_is_no_way_out_of_a_bad_record() {
	build_and_execute(|| {
		// Provider 1 earns a good record, then fails again and again.
		register(1, MIN_BOND);
		let score = || ProviderRecords::<Test>::get(1).unwrap().reputation.score();
		for _ in 0..20 {
			<Registry as ProviderRegistry<AccountId>>::record_outcome(&1, true);
		}
		assert!(score() > Permill::from_percent(80));
		for _ in 0..40 {
			<Registry as ProviderRegistry<AccountId>>::record_outcome(&1, false);
		}
		// Leaving that record behind for a new account starts lower still, never higher.
		register(2, MIN_BOND);
		let fresh = ProviderRecords::<Test>::get(2).unwrap().reputation.score();
		assert!(fresh <= score(), "fresh {fresh:?} above the failed record's {:?}", score());
		// An honest newcomer reaches the neutral 1/2 within about seven successes.
		for _ in 0..7 {
			<Registry as ProviderRegistry<AccountId>>::record_outcome(&2, true);
		}
		assert!(
			ProviderRecords::<Test>::get(2).unwrap().reputation.score()
				>= Permill::from_percent(50)
		);
	});
}

#[test]
fn a_provider_slashed_below_the_minimum_bond_is_not_assignable_until_it_bonds_again() {
	build_and_execute(|| {
		register(1, MIN_BOND);
		offer(1, 1, 10);
		let eligible = || <Registry as ProviderRegistry<AccountId>>::eligible(&model(1), 10);
		assert_eq!(eligible().len(), 1);
		// A job locks collateral and a slash takes some of it: the bond is below the minimum.
		assert_ok!(<Registry as ProviderRegistry<AccountId>>::lock_collateral(&1, 10));
		assert_ok!(<Registry as ProviderRegistry<AccountId>>::slash_collateral(&1, 10, &7, 0));
		assert_ok!(<Registry as ProviderRegistry<AccountId>>::unlock_collateral(&1, 0));
		assert_eq!(ProviderRecords::<Test>::get(1).unwrap().bond, MIN_BOND - 10);
		assert!(eligible().is_empty(), "an under-bonded provider was still assignable");
		// Bonding back to the minimum makes it assignable again.
		assert_ok!(Providers::bond_more(RuntimeOrigin::signed(1), 10));
		assert_eq!(eligible().len(), 1);
	});
}
