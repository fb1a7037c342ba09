//! The tally on its own (`crate::tally`): agreement and the two-thirds rule, one vote a voter.

use super::*;
use crate::tally::{agree, supermajority, tally, Tally};
use proptest::prelude::*;

/// An assignment for the tally tests: `digest` revealed (`None`: silent).
fn voter(digest: Option<Hash32>) -> Assignment<AccountId, Balance> {
	Assignment {
		provider: 0,
		price: PRICE,
		collateral: 0,
		round: 0,
		commitment: digest.map(|_| [0; 32]),
		sealed: None,
		reveal: digest.map(|digest| Reveal::Output { digest, output: None }),
		slashed: false,
	}
}

/// Sets the small output `v` revealed with its digest.
fn set_output(v: &mut Assignment<AccountId, Balance>, output: Option<SmallOutput>) {
	let digest = v.digest().unwrap();
	v.reveal = Some(Reveal::Output { digest, output });
}

/// Sets the digest `v` revealed, with its small output.
fn set_digest(v: &mut Assignment<AccountId, Balance>, digest: Hash32) {
	let output = v.reveal.as_ref().and_then(|r| r.output().cloned());
	v.reveal = Some(Reveal::Output { digest, output });
}

#[test]
fn decision_rule() {
	let (a, b, c) = (Some([1; 32]), Some([2; 32]), Some([3; 32]));
	let t = |ds: &[Option<Hash32>]| {
		let vs: Vec<_> = ds.iter().map(|d| voter(*d)).collect();
		tally(0, &vs, 0)
	};
	assert_eq!(t(&[None, None, None]), Tally::NoReveals);
	assert_eq!(t(&[a, a, a]), Tally::Output { anchor: 0, unanimous: true });
	assert_eq!(t(&[b, a, a]), Tally::Output { anchor: 1, unanimous: false });
	assert_eq!(t(&[a, a, None]), Tally::Output { anchor: 0, unanimous: false });
	assert_eq!(t(&[a, None, None]), Tally::NoDecision);
	assert_eq!(t(&[a, b, c]), Tally::NoDecision);
	assert_eq!(t(&[a, a, a, b, b]), Tally::NoDecision);
	assert_eq!(t(&[a, a, a, a, b]), Tally::Output { anchor: 0, unanimous: false });
	assert_eq!(t(&[a, b]), Tally::NoDecision);
	assert_eq!(t(&[a]), Tally::Output { anchor: 0, unanimous: true });
	// After an escalation, six voters: four agreeing decide, three do not.
	assert_eq!(t(&[a, a, b, a, a, c]), Tally::Output { anchor: 0, unanimous: false });
	assert_eq!(t(&[a, a, b, a, b, c]), Tally::NoDecision);
	// Slashed assignments do not vote.
	let mut vs: Vec<_> = [a, a, b].iter().map(|d| voter(*d)).collect();
	vs[2].slashed = true;
	assert_eq!(tally(0, &vs, 0), Tally::Output { anchor: 0, unanimous: true });
}

#[test]
fn small_outputs_agree_within_the_tolerance() {
	let mut vs: Vec<_> = [[1; 32], [2; 32], [3; 32]].iter().map(|d| voter(Some(*d))).collect();
	set_output(&mut vs[0], Some(small(&[10, 20, 30])));
	set_output(&mut vs[1], Some(small(&[12, 19, 30])));
	set_output(&mut vs[2], Some(small(&[10, 20, 33])));
	// Tolerance 2: the first two agree (|Δ| ≤ 2), the third is 3 steps off.
	assert_eq!(tally(0, &vs, 2), Tally::Output { anchor: 0, unanimous: false });
	// Tolerance 3: everyone agrees with the first.
	assert_eq!(tally(0, &vs, 3), Tally::Output { anchor: 0, unanimous: true });
	// Tolerance 0: three different outputs.
	assert_eq!(tally(0, &vs, 0), Tally::NoDecision);
	// Another shape never agrees, whatever the values.
	set_output(
		&mut vs[1],
		Some(SmallOutput {
			shape: vec![3, 1].try_into().unwrap(),
			values: vec![10, 20, 30].try_into().unwrap(),
		}),
	);
	assert!(!agree(0, &vs[0], &vs[1], 100));
	// A digest-only reveal agrees only by digest.
	set_output(&mut vs[2], None);
	assert!(!agree(0, &vs[0], &vs[2], 100));
	let first = vs[0].digest().unwrap();
	set_digest(&mut vs[2], first);
	assert!(agree(0, &vs[0], &vs[2], 0));
}

/// Attack: with votes weighted by bond (capped at a quarter each), three heavy voters among
/// six held 75% of the capped weight and decided against three light honest ones. One vote a
/// voter: three of six never decide.
#[test]
fn three_heavy_voters_of_six_do_not_decide() {
	let (liar, honest) = (Some([1; 32]), Some([2; 32]));
	let vs: Vec<_> = [liar, liar, liar, honest, honest, honest].iter().map(|d| voter(*d)).collect();
	assert_eq!(tally(0, &vs, 0), Tally::NoDecision);
	assert_eq!(supermajority(6), 4);
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(256))]
	/// Over random voter sets (up to the 16 assignments a job can have, each revealing one of
	/// three digests, silent or slashed): a decision is always backed by at least two thirds of
	/// the voters, and any output that two thirds agree with wins.
	#[test]
	fn no_fewer_than_two_thirds_of_the_voters_decide(
		votes in proptest::collection::vec((0..5u8, any::<bool>()), 1..=16),
	) {
		let vs: Vec<_> = votes
			.iter()
			.map(|(v, slashed)| {
				let mut a = voter((*v < 3).then_some([*v; 32]));
				a.slashed = *slashed && *v == 4;
				a
			})
			.collect();
		let n = vs.iter().filter(|a| !a.slashed).count();
		let count = |d: u8| vs.iter().filter(|a| !a.slashed && a.digest() == Some([d; 32])).count();
		let best = (0..3).map(count).max().unwrap_or(0);
		match tally(0, &vs, 0) {
			Tally::Output { anchor, unanimous } => {
				let d = vs[anchor].digest().unwrap()[0];
				prop_assert!(count(d) * 3 >= n * 2);
				prop_assert_eq!(count(d), best);
				prop_assert_eq!(unanimous, count(d) == n);
			},
			Tally::NoDecision => prop_assert!(best * 3 < n * 2 && best > 0),
			Tally::NoReveals => prop_assert_eq!(best, 0),
			Tally::Unopened => prop_assert!(false, "the tally never says a seal went unopened"),
		}
	}
}
