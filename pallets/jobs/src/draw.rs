//! Drawing providers: weighted sampling without replacement and the choice of one
//! determinism class. Pure functions of their arguments (no storage access), so they are
//! tested on their own (`tests::draw`).

use alloc::vec::Vec;
use codec::Encode;
use sp_runtime::traits::{Saturating, UniqueSaturatedInto};
use synod_primitives::{
	digest::Hash32,
	provider::{Candidate, ClassId},
};

/// A deterministic stream of random numbers from a 32-byte seed.
pub struct Draw {
	seed: Hash32,
	counter: u32,
}

impl Draw {
	/// A stream from `seed`.
	pub fn new(seed: Hash32) -> Self {
		Self { seed, counter: 0 }
	}

	/// A uniform number in `0..bound` (`bound > 0`), from 128 random bits (bias < 2^-64).
	pub fn below(&mut self, bound: u128) -> u128 {
		let bytes = sp_crypto_hashing::blake2_256(&(self.seed, self.counter).encode());
		self.counter = self.counter.wrapping_add(1);
		let mut word = [0u8; 16];
		word.copy_from_slice(bytes.get(..16).unwrap_or(&[0u8; 16]));
		u128::from_le_bytes(word).checked_rem(bound).unwrap_or(0)
	}
}

/// A candidate's draw weight: its free bond scaled by its reputation (at least 1). It is also
/// the provider's vote weight in the tally.
pub fn weight<A, B: UniqueSaturatedInto<u128> + Copy>(c: &Candidate<A, B>) -> u128 {
	let bond: u128 = c.free_bond.unique_saturated_into();
	c.reputation.mul_floor(bond).max(1)
}

/// Draws `k` distinct candidates, each with probability proportional to its weight.
pub fn weighted_sample<A: Clone, B: UniqueSaturatedInto<u128> + Copy>(
	mut pool: Vec<Candidate<A, B>>,
	k: usize,
	draw: &mut Draw,
) -> Vec<Candidate<A, B>> {
	let mut chosen = Vec::with_capacity(k);
	while chosen.len() < k && !pool.is_empty() {
		let total: u128 = pool.iter().map(weight).fold(0u128, |a, w| a.saturating_add(w));
		let mut point = draw.below(total.max(1));
		let mut index = 0;
		for (i, c) in pool.iter().enumerate() {
			let w = weight(c);
			if point < w {
				index = i;
				break;
			}
			point = point.saturating_sub(w);
		}
		chosen.push(pool.swap_remove(index));
	}
	chosen
}

/// Keeps one determinism class when some class has at least `k` candidates: the class is drawn
/// with probability proportional to its total weight. Otherwise keeps everyone.
pub fn one_class<A: Clone, B: UniqueSaturatedInto<u128> + Copy>(
	pool: Vec<Candidate<A, B>>,
	k: usize,
	draw: &mut Draw,
) -> Vec<Candidate<A, B>> {
	let mut classes: Vec<(ClassId, usize, u128)> = Vec::new();
	for c in &pool {
		match classes.iter_mut().find(|(id, _, _)| *id == c.class) {
			Some(entry) => {
				entry.1 = entry.1.saturating_add(1);
				entry.2 = entry.2.saturating_add(weight(c));
			},
			None => classes.push((c.class, 1, weight(c))),
		}
	}
	classes.retain(|(_, n, _)| *n >= k);
	if classes.is_empty() {
		return pool;
	}
	let total = classes.iter().fold(0u128, |a, (_, _, w)| a.saturating_add(*w));
	let mut point = draw.below(total.max(1));
	let mut class = classes.first().map(|c| c.0).unwrap_or_default();
	for (id, _, w) in &classes {
		if point < *w {
			class = *id;
			break;
		}
		point = point.saturating_sub(*w);
	}
	pool.into_iter().filter(|c| c.class == class).collect()
}

/// Takes one job slot and `collateral` of free bond from `who` in `pool`; drops it from the
/// pool when it has no slot left.
pub fn take<A: PartialEq, B: Saturating + Copy>(
	pool: &mut Vec<Candidate<A, B>>,
	who: &A,
	collateral: B,
) {
	if let Some(c) = pool.iter_mut().find(|c| c.who == *who) {
		c.free_bond = c.free_bond.saturating_sub(collateral);
		c.slots = c.slots.saturating_sub(1);
	}
	pool.retain(|c| c.slots > 0);
}
