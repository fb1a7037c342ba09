//! The tally on its own (`crate::tally`): agreement, capped weights, the two-thirds rule.

use super::*;
use crate::tally::{agree, capped_weights, tally, Tally};

/// An assignment for the tally tests: `digest` revealed (`None`: silent), vote weight `weight`.
fn voter(digest: Option<Hash32>, weight: u128) -> Assignment<AccountId, Balance> {
	Assignment {
		provider: 0,
		price: PRICE,
		collateral: 0,
		weight,
		round: 0,
		commitment: digest.map(|_| [0; 32]),
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
	let share = Perbill::from_percent(25);
	let t = |ds: &[Option<Hash32>]| {
		let vs: Vec<_> = ds.iter().map(|d| voter(*d, 100)).collect();
		tally(&vs, 0, share)
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
	let mut vs: Vec<_> = [a, a, b].iter().map(|d| voter(*d, 100)).collect();
	vs[2].slashed = true;
	assert_eq!(tally(&vs, 0, share), Tally::Output { anchor: 0, unanimous: true });
}

#[test]
fn small_outputs_agree_within_the_tolerance() {
	let share = Perbill::from_percent(25);
	let mut vs: Vec<_> = [[1; 32], [2; 32], [3; 32]].iter().map(|d| voter(Some(*d), 100)).collect();
	set_output(&mut vs[0], Some(small(&[10, 20, 30])));
	set_output(&mut vs[1], Some(small(&[12, 19, 30])));
	set_output(&mut vs[2], Some(small(&[10, 20, 33])));
	// Tolerance 2: the first two agree (|Δ| ≤ 2), the third is 3 steps off.
	assert_eq!(tally(&vs, 2, share), Tally::Output { anchor: 0, unanimous: false });
	// Tolerance 3: everyone agrees with the first.
	assert_eq!(tally(&vs, 3, share), Tally::Output { anchor: 0, unanimous: true });
	// Tolerance 0: three different outputs.
	assert_eq!(tally(&vs, 0, share), Tally::NoDecision);
	// Another shape never agrees, whatever the values.
	set_output(
		&mut vs[1],
		Some(SmallOutput {
			shape: vec![3, 1].try_into().unwrap(),
			values: vec![10, 20, 30].try_into().unwrap(),
		}),
	);
	assert!(!agree(&vs[0], &vs[1], 100));
	// A digest-only reveal agrees only by digest.
	set_output(&mut vs[2], None);
	assert!(!agree(&vs[0], &vs[2], 100));
	let first = vs[0].digest().unwrap();
	set_digest(&mut vs[2], first);
	assert!(agree(&vs[0], &vs[2], 0));
}

#[test]
fn no_voter_weighs_more_than_the_cap() {
	let share = Perbill::from_percent(25);
	// Fewer than four voters: a quarter each is impossible, so every vote counts the same.
	assert_eq!(capped_weights(&[98, 1, 1], share), vec![1, 1, 1]);
	// Nobody above a quarter: unchanged.
	assert_eq!(capped_weights(&[10, 10, 10, 10, 10], share), vec![10, 10, 10, 10, 10]);
	// A whale among six is capped at a quarter of the capped total.
	let w = capped_weights(&[9_800, 100, 100, 100, 100, 100], share);
	let total: u128 = w.iter().sum();
	assert_eq!(&w[1..], &[100; 5]);
	assert!(w[0] * 4 <= total && w[0] * 4 >= total - 4, "{w:?}");
	// Two whales among six: both capped.
	let w = capped_weights(&[5_000, 5_000, 100, 100, 100, 100], share);
	let total: u128 = w.iter().sum();
	assert!(w[0] == w[1] && w[0] * 4 <= total, "{w:?}");
	// So the whale alone never decides, whatever it reveals.
	let mut vs: Vec<_> = (0..6).map(|i| voter(Some([i as u8 + 1; 32]), 100)).collect();
	vs[0].weight = 1_000_000;
	assert_eq!(tally(&vs, 0, share), Tally::NoDecision);
	// Three heavy ones and one light one agreeing out of six hold two thirds.
	for v in vs.iter_mut().take(4) {
		set_digest(v, [1; 32]);
	}
	assert_eq!(tally(&vs, 0, share), Tally::Output { anchor: 0, unanimous: false });
}
