//! The tally: whether two reveals agree, capped vote weights, and the two-thirds decision.
//! Pure functions of their arguments (no storage access), tested on their own
//! (`tests::tally`).

use alloc::vec::Vec;
use sp_runtime::{helpers_128bit::multiply_by_rational_with_rounding, PerThing, Perbill, Rounding};
use synod_primitives::digest::within_tolerance;

use crate::types::{Assignment, Reveal};

/// The outcome of a tally over a job's voters.
#[derive(Debug, PartialEq, Eq)]
pub enum Tally {
	/// The output of the assignment at `anchor` won; `unanimous` when every voter revealed an
	/// output that agrees with it.
	Output {
		/// Index (in the job's assignments) of the reveal whose output won.
		anchor: usize,
		/// Whether everyone agreed.
		unanimous: bool,
	},
	/// Nobody revealed.
	NoReveals,
	/// No output reached the supermajority.
	NoDecision,
}

/// Whether two assignments' reveals agree (see [`reveals_agree`]); one that has not revealed
/// agrees with nobody.
pub fn agree<A, B>(a: &Assignment<A, B>, b: &Assignment<A, B>, tolerance: u64) -> bool {
	match (&a.reveal, &b.reveal) {
		(Some(x), Some(y)) => reveals_agree(x, y, tolerance),
		_ => false,
	}
}

/// Whether two reveals agree: equal digests, or two small outputs of one shape whose elements
/// all differ by at most `tolerance` quantization steps. Cohorts agree by their root only (a
/// provider agrees when its digest of every member matches).
pub fn reveals_agree(a: &Reveal, b: &Reveal, tolerance: u64) -> bool {
	if a.digest() == b.digest() {
		return true;
	}
	match (a, b) {
		(Reveal::Output { output: Some(x), .. }, Reveal::Output { output: Some(y), .. }) => {
			x.shape == y.shape && within_tolerance(&x.values, &y.values, tolerance)
		},
		_ => false,
	}
}

/// Caps vote weights so that no voter holds more than `share` of the capped total: the largest
/// weights are lowered to one common cap `C` with `C = share × Σ min(w, C)` (water-filling).
/// When `share × n < 1` no such cap exists (even equal weights give each voter more than
/// `share`), and every voter gets weight 1.
pub fn capped_weights(weights: &[u128], share: Perbill) -> Vec<u128> {
	let n = weights.len();
	let parts = u128::from(share.deconstruct());
	let one = u128::from(Perbill::ACCURACY);
	let equal = alloc::vec![1u128; n];
	if parts.saturating_mul(n as u128) < one {
		return equal;
	}
	let mut sorted: Vec<u128> = weights.to_vec();
	sorted.sort_unstable_by(|a, b| b.cmp(a));
	// rest = the sum of the weights below the top `m`.
	let mut rest = sorted.iter().fold(0u128, |acc, w| acc.saturating_add(*w));
	for m in 0..n {
		// The top `m` are capped at C = share × rest / (1 − share × m).
		let Some(denominator) = one.checked_sub(parts.saturating_mul(m as u128)) else { break };
		if denominator == 0 {
			break;
		}
		let Some(cap) =
			multiply_by_rational_with_rounding(rest, parts, denominator, Rounding::Down)
		else {
			break;
		};
		let below = sorted.get(m).copied().unwrap_or(0);
		let above = m.checked_sub(1).and_then(|i| sorted.get(i)).copied().unwrap_or(u128::MAX);
		if below <= cap && cap <= above {
			return weights.iter().map(|w| (*w).min(cap).max(1)).collect();
		}
		rest = rest.saturating_sub(below);
	}
	equal
}

/// Tallies a job's voters (its assignments that are not slashed): for every reveal, the capped
/// weight of the reveals that agree with it; the heaviest wins when it holds at least two
/// thirds of the capped weight of all voters (silent ones included). Ties go to the earlier
/// assignment.
pub fn tally<A, B>(assignments: &[Assignment<A, B>], tolerance: u64, share: Perbill) -> Tally {
	let voters: Vec<usize> =
		assignments.iter().enumerate().filter(|(_, a)| !a.slashed).map(|(i, _)| i).collect();
	let weights: Vec<u128> =
		voters.iter().filter_map(|i| assignments.get(*i)).map(|a| a.weight).collect();
	let capped = capped_weights(&weights, share);
	let total = capped.iter().fold(0u128, |acc, w| acc.saturating_add(*w));
	let mut best: Option<(usize, u128, usize)> = None;
	for &i in &voters {
		let Some(a) = assignments.get(i) else { continue };
		if a.reveal.is_none() {
			continue;
		}
		let mut support = 0u128;
		let mut members = 0usize;
		for (j, w) in voters.iter().zip(&capped) {
			if assignments.get(*j).is_some_and(|b| agree(a, b, tolerance)) {
				support = support.saturating_add(*w);
				members = members.saturating_add(1);
			}
		}
		if best.is_none_or(|(_, s, _)| support > s) {
			best = Some((i, support, members));
		}
	}
	match best {
		None => Tally::NoReveals,
		Some((anchor, support, members))
			if support.saturating_mul(3) >= total.saturating_mul(2) =>
		{
			Tally::Output { anchor, unanimous: members == voters.len() }
		},
		Some(_) => Tally::NoDecision,
	}
}
