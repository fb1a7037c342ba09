//! Drawing providers: weighted sampling without replacement and the choice of a
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

/// Chooses the determinism class a job's `k` providers are drawn from, among the classes with
/// at least `k` candidates: `k` independent weighted draws from all of their candidates
/// (with replacement); when all `k` land in one class, that class, and otherwise the heaviest
/// class (ties broken by the draw).
///
/// Classes are declared by the providers themselves, so an attacker can own a whole class.
/// A class other than the heaviest is chosen only when `k` independent draws all pick it:
/// an attacker whose class holds a share `p` of the weight wins a whole job with probability
/// `p^k`, what it would win by luck if classes did not exist, never `p`. The cost falls on
/// honest minority classes, which get `share^k` of the jobs until their class is measured
/// rather than declared. `None` when no class has `k` candidates (the draw mixes classes).
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
	let probe = |draw: &mut Draw| {
		let mut point = draw.below(total.max(1));
		for (id, _, w) in &classes {
			if point < *w {
				return Some(*id);
			}
			point = point.saturating_sub(*w);
		}
		classes.last().map(|c| c.0)
	};
	let first = probe(draw)?;
	let mut unanimous = true;
	for _ in 1..k {
		unanimous &= probe(draw) == Some(first);
	}
	if unanimous {
		return Some(first);
	}
	let heaviest = classes.iter().map(|c| c.2).max().unwrap_or(0);
	let tied: Vec<ClassId> = classes.iter().filter(|c| c.2 == heaviest).map(|c| c.0).collect();
	let pick = usize::try_from(draw.below(tied.len() as u128)).unwrap_or(0);
	tied.get(pick).copied()
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

/// Whether `offers` (a model's live providers, busy or not) could take a job that needs `need`
/// providers at most `max_price` with `collateral` each, all of one class when `one_class`,
/// once their running jobs end: whether waiting for them can end in an assignment. A job
/// they could not take never will without a provider joining, so it does not wait (it would
/// hold up its model's line until its deadline).
pub fn could_fit<B: PartialOrd + Copy>(
	offers: &[synod_primitives::provider::Offer<B>],
	need: u32,
	one_class: bool,
	max_price: B,
	collateral: B,
) -> bool {
	let able = offers.iter().filter(|o| o.price <= max_price && o.bond >= collateral);
	enough(able.map(|o| o.class), need, one_class)
}

/// Whether `classes` (one per provider) hold `need` providers, all of one class when
/// `one_class`.
fn enough(classes: impl Iterator<Item = ClassId>, need: u32, one_class: bool) -> bool {
	let need = usize::try_from(need).unwrap_or(usize::MAX);
	if !one_class {
		return classes.count() >= need;
	}
	let mut counts: Vec<(ClassId, usize)> = Vec::new();
	for class in classes {
		match counts.iter_mut().find(|(id, _)| *id == class) {
			Some(entry) => entry.1 = entry.1.saturating_add(1),
			None => counts.push((class, 1)),
		}
	}
	counts.iter().any(|(_, n)| *n >= need)
}

/// Whether `pool` has `need` candidates a job nobody is assigned to yet can draw now: at most
/// `max_price`, a free slot and `collateral` of free bond, all of one class when `one_class`
/// (an audited job). What [`choose_class`] and [`weighted_sample`] would find for it, told
/// without a draw, so that a waiting job that does not fit costs no read of its record.
pub fn fits<A, B: PartialOrd + Copy>(
	pool: &[Candidate<A, B>],
	need: u32,
	one_class: bool,
	max_price: B,
	collateral: B,
) -> bool {
	let free =
		pool.iter().filter(|c| c.price <= max_price && c.slots > 0 && c.free_bond >= collateral);
	enough(free.map(|c| c.class), need, one_class)
}
