//! Drawing providers: weighted sampling without replacement and the choice of a
//! determinism class. Pure functions of their arguments (no storage access), so they are
//! tested on their own (`tests::draw`).

use alloc::vec::Vec;
use codec::Encode;
use sp_runtime::{
	traits::{Saturating, UniqueSaturatedInto},
	Perquintill,
};
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

/// A candidate's draw weight: its free bond scaled by its reputation (at least 1).
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

/// Chooses the determinism class a job's `k` providers are drawn from: among the classes
/// with at least `k` candidates, class `c` is chosen with probability proportional to
/// `share(c)^k`, its share of their weight to the power `k`. That is the chance that `k`
/// independent weighted draws from all of them would all land in `c`, so a class whose every
/// member is an attacker (classes are declared by providers themselves) wins a whole job no
/// more often than `k` independent draws would all pick the attacker: `p^k`, not `p`.
/// `None` when no class has `k` candidates (then the draw mixes classes).
pub fn choose_class<A, B: UniqueSaturatedInto<u128> + Copy>(
	pool: &[Candidate<A, B>],
	k: usize,
	draw: &mut Draw,
) -> Option<ClassId> {
	let mut classes: Vec<(ClassId, usize, u128)> = Vec::new();
	for c in pool {
		match classes.iter_mut().find(|(id, _, _)| *id == c.class) {
			Some(entry) => {
				entry.1 = entry.1.saturating_add(1);
				entry.2 = entry.2.saturating_add(weight(c));
			},
			None => classes.push((c.class, 1, weight(c))),
		}
	}
	classes.retain(|(_, n, _)| *n >= k);
	let total = classes.iter().fold(0u128, |a, (_, _, w)| a.saturating_add(*w));
	// share^k in parts per 10^18: Perquintill keeps a 1% class at k = 7 (10^-14) exact enough.
	let odds: Vec<(ClassId, u128)> = classes
		.iter()
		.map(|(id, _, w)| {
			let share = Perquintill::from_rational(*w, total.max(1));
			let mut power = Perquintill::one();
			for _ in 0..k {
				power = power * share;
			}
			(*id, u128::from(power.deconstruct()))
		})
		.collect();
	let sum = odds.iter().fold(0u128, |a, (_, o)| a.saturating_add(*o));
	if sum == 0 {
		// Every share^k rounded to zero (hundreds of tiny classes): fall back to the shares.
		return pick(classes.iter().map(|(id, _, w)| (*id, *w)), total, draw);
	}
	pick(odds.into_iter(), sum, draw)
}

/// Picks one of `options` with probability proportional to its odds (`sum` in all).
fn pick(
	options: impl Iterator<Item = (ClassId, u128)>,
	sum: u128,
	draw: &mut Draw,
) -> Option<ClassId> {
	let mut point = draw.below(sum.max(1));
	let mut last = None;
	for (id, odds) in options {
		if point < odds {
			return Some(id);
		}
		point = point.saturating_sub(odds);
		last = Some(id);
	}
	last
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
