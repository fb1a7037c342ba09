//! The tally: whether two reveals agree, and the two-thirds decision, one vote a voter.
//! Pure functions of their arguments (no storage access), tested on their own
//! (`tests::tally`).

use alloc::vec::Vec;
use synod_primitives::digest::within_tolerance;

use crate::types::{seal_of, Assignment, JobId, Reveal};

/// The outcome of a tally over a job's voters.
#[derive(Debug, PartialEq, Eq)]
pub enum Tally {
	/// The answer of the assignment at `anchor` won; `unanimous` when every voter answered
	/// and agrees with it. The anchor has revealed its digest when any winner has (else the
	/// seal won and a winner must open it).
	Output {
		/// Index (in the job's assignments) of the answer that won.
		anchor: usize,
		/// Whether everyone agreed.
		unanimous: bool,
	},
	/// Nobody answered.
	NoReveals,
	/// No answer reached the supermajority.
	NoDecision,
	/// A seal won, but no provider that agreed opened it in time.
	Unopened,
}

/// Whether two assignments of job `job` agree: both revealed, and their reveals agree (see
/// [`reveals_agree`]); or one revealed a digest whose first-round seal the other sealed; or
/// both sealed the same seal. One that has not answered agrees with nobody.
pub fn agree<A, B>(job: JobId, a: &Assignment<A, B>, b: &Assignment<A, B>, tolerance: u64) -> bool {
	match (&a.reveal, &b.reveal, a.sealed, b.sealed) {
		(Some(x), Some(y), _, _) => reveals_agree(x, y, tolerance),
		(Some(x), None, _, Some(s)) | (None, Some(x), Some(s), _) => {
			seal_of(job, 0, &x.digest()) == s
		},
		(None, None, Some(s), Some(t)) => s == t,
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

/// Tallies the voters of job `job` (its assignments that are not slashed), one vote each:
/// for every answer (a reveal, or a first-round seal), how many voters agree with it; the
/// best-supported wins when at least two thirds of all voters (silent ones included) agree
/// with it. Ties go to the earlier assignment; among the winners, one that revealed its
/// digest is the anchor.
///
/// Votes are not weighted by bond: a weight decides how often a provider is drawn, never how
/// much its vote counts, so no set of fewer than [`supermajority`] voters decides, whatever
/// their bonds (with weighted votes, three heavy voters outvoted three light honest ones).
pub fn tally<A, B>(job: JobId, assignments: &[Assignment<A, B>], tolerance: u64) -> Tally {
	let voters: Vec<&Assignment<A, B>> = assignments.iter().filter(|a| !a.slashed).collect();
	let mut best: Option<(usize, usize)> = None;
	for (i, a) in assignments.iter().enumerate() {
		if a.slashed || !a.answered() {
			continue;
		}
		let support = voters.iter().filter(|b| agree(job, a, b, tolerance)).count();
		if best.is_none_or(|(_, s)| support > s) {
			best = Some((i, support));
		}
	}
	match best {
		None => Tally::NoReveals,
		Some((anchor, support)) if support >= supermajority(voters.len()) => {
			// A sealed-only winner takes an opening of its own seal as its anchor: the digest
			// behind it, whose support holds the seal's. A winner that revealed stays the
			// anchor (another answer within its tolerance may be weaker).
			let sealed_only = assignments.get(anchor).is_some_and(|w| w.reveal.is_none());
			let opened = sealed_only
				.then(|| {
					let seal = assignments.get(anchor).and_then(|w| w.sealed);
					assignments.iter().position(|a| {
						!a.slashed
							&& a.reveal
								.as_ref()
								.is_some_and(|r| Some(seal_of(job, 0, &r.digest())) == seal)
					})
				})
				.flatten();
			Tally::Output { anchor: opened.unwrap_or(anchor), unanimous: support == voters.len() }
		},
		Some(_) => Tally::NoDecision,
	}
}
