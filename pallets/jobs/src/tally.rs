//! The tally: whether two reveals agree, and the two-thirds decision, one vote a voter.
//! Pure functions of their arguments (no storage access), tested on their own
//! (`tests::tally`).

use alloc::vec::Vec;
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

/// The fewest of `voters` voters whose agreement decides: two thirds of them, rounded up.
pub fn supermajority(voters: usize) -> usize {
	voters.saturating_mul(2).div_ceil(3)
}

/// Tallies a job's voters (its assignments that are not slashed), one vote each: for every
/// reveal, how many voters' reveals agree with it; the best-supported wins when at least two
/// thirds of all voters (silent ones included) agree with it. Ties go to the earlier
/// assignment.
///
/// Votes are not weighted by bond: a weight decides how often a provider is drawn, never how
/// much its vote counts, so no set of fewer than [`supermajority`] voters decides, whatever
/// their bonds (with weighted votes, three heavy voters outvoted three light honest ones).
pub fn tally<A, B>(assignments: &[Assignment<A, B>], tolerance: u64) -> Tally {
	let voters: Vec<&Assignment<A, B>> = assignments.iter().filter(|a| !a.slashed).collect();
	let mut best: Option<(usize, usize)> = None;
	for (i, a) in assignments.iter().enumerate() {
		if a.slashed || a.reveal.is_none() {
			continue;
		}
		let support = voters.iter().filter(|b| agree(a, b, tolerance)).count();
		if best.is_none_or(|(_, s)| support > s) {
			best = Some((i, support));
		}
	}
	match best {
		None => Tally::NoReveals,
		Some((anchor, support)) if support >= supermajority(voters.len()) => {
			Tally::Output { anchor, unanimous: support == voters.len() }
		},
		Some(_) => Tally::NoDecision,
	}
}
