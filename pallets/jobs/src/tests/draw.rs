//! Drawing on its own (`crate::draw`): weights, sampling without replacement, the class.

use crate::draw::{choose_class, take, weight, weighted_sample, Draw};
use sp_runtime::Permill;
use synod_primitives::provider::Candidate;

fn candidate(who: u64, bond: u128, class: u8) -> Candidate<u64, u128> {
	Candidate {
		who,
		price: 1,
		free_bond: bond,
		reputation: Permill::one(),
		class: [class; 32],
		slots: 2,
	}
}

#[test]
fn a_draw_is_below_its_bound_and_a_function_of_its_seed() {
	let mut a = Draw::new([1; 32]);
	let mut b = Draw::new([1; 32]);
	let xs: Vec<u128> = (0..100).map(|_| a.below(7)).collect();
	assert!(xs.iter().all(|x| *x < 7));
	assert_eq!(xs, (0..100).map(|_| b.below(7)).collect::<Vec<_>>());
	assert_ne!(xs, (0..100).map(|_| Draw::new([2; 32]).below(7)).collect::<Vec<_>>());
}

#[test]
fn weight_is_free_bond_times_reputation_and_never_zero() {
	let mut c = candidate(1, 1_000, 0);
	assert_eq!(weight(&c), 1_000);
	c.reputation = Permill::from_percent(50);
	assert_eq!(weight(&c), 500);
	c.reputation = Permill::zero();
	assert_eq!(weight(&c), 1);
}

#[test]
fn a_sample_is_distinct_and_at_most_the_pool() {
	let pool: Vec<_> = (0..6).map(|i| candidate(i, 100, 0)).collect();
	let mut draw = Draw::new([3; 32]);
	let chosen = weighted_sample(pool.clone(), 4, &mut draw);
	let mut ids: Vec<u64> = chosen.iter().map(|c| c.who).collect();
	ids.sort();
	ids.dedup();
	assert_eq!(ids.len(), 4);
	assert_eq!(weighted_sample(pool, 10, &mut draw).len(), 6);
}

#[test]
fn the_first_pick_follows_the_weights() {
	// One candidate with 9 parts of 10 of the weight: picked first about 90% of the time.
	let pool = vec![candidate(1, 900, 0), candidate(2, 50, 0), candidate(3, 50, 0)];
	let heavy = (0..2_000u32)
		.filter(|i| {
			let mut draw = Draw::new(sp_crypto_hashing::blake2_256(&i.to_le_bytes()));
			weighted_sample(pool.clone(), 1, &mut draw)[0].who == 1
		})
		.count();
	assert!((1_740..=1_860).contains(&heavy), "{heavy} of 2000");
}

#[test]
fn a_class_must_be_able_to_fill_the_job() {
	let pool = vec![candidate(1, 100, 0), candidate(2, 100, 0), candidate(3, 100, 1)];
	let mut draw = Draw::new([4; 32]);
	// Only class 0 has two members.
	assert_eq!(choose_class(&pool, 2, &mut draw), Some([0; 32]));
	// No class has three: the draw mixes classes.
	assert_eq!(choose_class(&pool, 3, &mut draw), None);
}

/// Attack 2: providers declare their class themselves, so 3 sybils in a class of their own
/// hold 10% of the weight. Chosen in proportion to its weight, that class took whole `k = 3`
/// jobs 10% of the time; now only when three independent draws all pick it: 0.1%.
#[test]
fn a_sybil_class_wins_a_job_as_rarely_as_k_independent_draws() {
	let mut pool: Vec<_> = (0..27).map(|i| candidate(i, 100, 0)).collect();
	pool.extend((27..30).map(|i| candidate(i, 100, 9)));
	let runs = 20_000u32;
	let sybil = (0..runs)
		.filter(|i| {
			let mut draw = Draw::new(sp_crypto_hashing::blake2_256(&i.to_le_bytes()));
			choose_class(&pool, 3, &mut draw) == Some([9; 32])
		})
		.count();
	// Expected 20 of 20,000; weight-proportional classes gave about 2,000.
	assert!(sybil <= 45, "{sybil} of {runs}");
	// Two equal classes still split the jobs evenly (the tie between the heaviest is drawn).
	let even: Vec<_> = (0..20).map(|i| candidate(i, 100, (i % 2) as u8)).collect();
	let zeros = (0..2_000u32)
		.filter(|i| {
			let mut draw = Draw::new(sp_crypto_hashing::blake2_256(&i.to_le_bytes()));
			choose_class(&even, 3, &mut draw) == Some([0; 32])
		})
		.count();
	assert!((900..=1_100).contains(&zeros), "{zeros} of 2000");
}

#[test]
fn take_spends_a_slot_and_collateral_and_drops_the_exhausted() {
	let mut pool = vec![candidate(1, 100, 0), candidate(2, 100, 0)];
	take(&mut pool, &1, 30);
	assert_eq!((pool[0].free_bond, pool[0].slots), (70, 1));
	take(&mut pool, &1, 30);
	assert_eq!(pool.iter().map(|c| c.who).collect::<Vec<_>>(), vec![2]);
}
