//! The attack simulation behind docs/protocol.md's table: jobs on pallet-jobs' test runtime
//! (the real models, providers and jobs pallets) with colluding providers holding 10, 20 and
//! 33% of the weight, the measured rate of wrong results accepted beside the formula.
//!
//! ```sh
//! scripts/bench-protocol.sh                # the table, 10,000 jobs per row
//! attack_simulation --jobs 1000            # the table, 1,000 jobs per row
//! attack_simulation --check                # the formulas against hand computation, and a
//!                                          # 400-job simulation against the exact formula
//! ```
//!
//! Floating point is fine here: this is a measurement tool, not runtime code.

#![allow(
	clippy::unwrap_used,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::arithmetic_side_effects
)]

#[allow(dead_code)]
#[path = "../src/mock.rs"]
mod mock;

use codec::Encode;
use frame_support::assert_ok;
use mock::*;
use pallet_jobs::{JobInput, Open as JobRecords, Receipts};

fn inline(bytes: &[u8]) -> JobInput {
	JobInput::Inline(bytes.to_vec().try_into().unwrap())
}

fn assigned(job: u64) -> Vec<AccountId> {
	JobRecords::<Test>::get(job).unwrap().assignments.iter().map(|a| a.provider).collect()
}

/// How many of `n` voters reach two thirds.
fn two_thirds(n: u32) -> u32 {
	(2 * n).div_ceil(3)
}

/// The chance that a wrong result is accepted when each draw is an attacker with probability
/// `p` (draws with replacement: the binomial approximation) and the attacker's providers all
/// reveal one wrong output: all `k` of the first round are the attacker's (unanimous), or the
/// first round splits, escalates, and the attacker holds two thirds of the `2k` voters.
fn wrong_accept_formula(k: u32, p: f64) -> f64 {
	let binom = |n: u32, j: u32| -> f64 {
		let c = (0..j).fold(1.0, |acc, i| acc * f64::from(n - i) / f64::from(i + 1));
		c * p.powi(j as i32) * (1.0 - p).powi((n - j) as i32)
	};
	let need = two_thirds(2 * k);
	let split: f64 = (1..k)
		.map(|j| binom(k, j) * (need.saturating_sub(j)..=k).map(|i| binom(k, i)).sum::<f64>())
		.sum();
	binom(k, k) + split
}

/// The same chance when the providers are drawn without replacement from `n`, of which `a`
/// are the attacker's (hypergeometric, two stages), as the pallet draws.
fn wrong_accept_exact(k: u32, n: u32, a: u32) -> f64 {
	let c = |n: u32, r: u32| -> f64 {
		if r > n {
			return 0.0;
		}
		(0..r).fold(1.0, |acc, i| acc * f64::from(n - i) / f64::from(i + 1))
	};
	let hyper = |n: u32, a: u32, k: u32, j: u32| -> f64 {
		if j > a || k - j > n - a {
			return 0.0;
		}
		c(a, j) * c(n - a, k - j) / c(n, k)
	};
	let need = two_thirds(2 * k);
	let split: f64 = (1..k)
		.map(|j| {
			hyper(n, a, k, j)
				* (need.saturating_sub(j)..=k)
					.map(|i| hyper(n - k, a - j.min(a), k, i))
					.sum::<f64>()
		})
		.sum();
	hyper(n, a, k, k) + split
}

/// Simulates `jobs` jobs of redundancy `k` on 30 equal providers of which `attackers` collude
/// on one wrong digest; returns (wrong results accepted, jobs without a decision, jobs).
/// Each batch of 8 jobs runs on a fresh chain with a fresh random seed, so slashing and
/// reputation from earlier jobs do not drift the weights.
fn simulate_attack(k: u32, attackers: u64, jobs: u32) -> (u32, u32, u32) {
	const N: u64 = 30;
	let mut wrong = 0;
	let mut undecided = 0;
	let mut done = 0;
	let mut batch: u32 = 0;
	while done < jobs {
		batch += 1;
		let mut ext = new_test_ext();
		ext.execute_with(|| {
			assert_ok!(Models::register_model(
				RuntimeOrigin::signed(PUBLISHER),
				Box::new(manifest(3, 64))
			));
			for who in 200..200 + N {
				let _ = Balances::force_set_balance(RuntimeOrigin::root(), who, ENDOWMENT);
				assert_ok!(Providers::register(
					RuntimeOrigin::signed(who),
					BOND,
					class(),
					8,
					vec![]
				));
				assert_ok!(Providers::set_offer(RuntimeOrigin::signed(who), model(3), PRICE));
			}
			pallet_jobs::Seed::<Test>::put(sp_io::hashing::blake2_256(
				&(k, attackers, batch).encode(),
			));
			let ids: Vec<u64> = (0..8)
				.map(|_| {
					let id = pallet_jobs::NextJobId::<Test>::get();
					assert_ok!(Jobs::submit_job(
						RuntimeOrigin::signed(PAYER),
						model(3),
						inline(&[1]),
						k,
						PRICE,
						30
					));
					id
				})
				.collect();
			// Four assignments per block in the mock: all eight by block 3. Every provider
			// answers at once, in each round (an escalation draws more).
			run_to(3);
			while ids.iter().any(JobRecords::<Test>::contains_key) {
				let open = |id: &u64| JobRecords::<Test>::contains_key(id);
				for id in ids.iter().filter(|id| open(id)) {
					for who in assigned(*id) {
						let tag = if who < 200 + attackers { 66 } else { 7 };
						let _ = Jobs::commit(RuntimeOrigin::signed(who), *id, commitment(who, tag));
					}
				}
				for id in ids.iter().filter(|id| open(id)) {
					if !open(id) {
						continue;
					}
					for who in assigned(*id) {
						if !open(id) {
							break;
						}
						let tag = if who < 200 + attackers { 66 } else { 7 };
						let _ = Jobs::reveal(
							RuntimeOrigin::signed(who),
							*id,
							digest(tag),
							salt(who),
							None,
						);
					}
				}
				run_to(System::block_number() + 1);
			}
			for id in &ids {
				done += 1;
				match Receipts::<Test>::get(id) {
					Some(r) if r.result.digest() == digest(66) => wrong += 1,
					Some(_) => {},
					None => undecided += 1,
				}
			}
		});
	}
	(wrong, undecided, done)
}

/// Prints docs/protocol.md's table: the measured rate of wrong results accepted, beside the
/// formula, for `jobs` jobs per row.
fn table(jobs: u32) {
	println!(
		"| k | attacker weight | jobs | wrong accepted (measured) | formula, binomial | formula, 30 providers | no decision (measured) |"
	);
	println!("| --- | --- | --- | --- | --- | --- | --- |");
	for k in [3u32, 5] {
		for attackers in [3u64, 6, 10] {
			let (wrong, undecided, done) = simulate_attack(k, attackers, jobs);
			let p = attackers as f64 / 30.0;
			println!(
				"| {k} | {:.0}% ({attackers} of 30) | {done} | {:.4} | {:.4} | {:.4} | {:.4} |",
				p * 100.0,
				f64::from(wrong) / f64::from(done),
				wrong_accept_formula(k, p),
				wrong_accept_exact(k, 30, attackers as u32),
				f64::from(undecided) / f64::from(done),
			);
		}
	}
}

/// The formulas against a hand computation, and a small simulation against the exact formula.
fn check() -> Result<(), String> {
	// k = 3: three attackers of three, or a split (one or two) and then at least four of the
	// six voters after the escalation.
	let p: f64 = 0.2;
	let at_least = |m: u32| -> f64 {
		(m..=3)
			.map(|i| {
				let c = [1.0, 3.0, 3.0, 1.0][i as usize];
				c * p.powi(i as i32) * (1.0 - p).powi(3 - i as i32)
			})
			.sum()
	};
	let by_hand = p.powi(3)
		+ 3.0 * p * p * (1.0 - p) * at_least(2)
		+ 3.0 * p * (1.0 - p).powi(2) * at_least(3);
	if (wrong_accept_formula(3, p) - by_hand).abs() >= 1e-12 {
		return Err(format!(
			"binomial formula {} vs {by_hand} by hand",
			wrong_accept_formula(3, p)
		));
	}
	// Without replacement from 30 with 6 attackers: C(6,3)/C(30,3), plus two of the first three
	// then at least two of three from 27 with 4 attackers, plus one then three of three from 27
	// with 5.
	let exact = (20.0 + 360.0 * (6.0 * 23.0 + 4.0) / 2925.0 + 1656.0 * 10.0 / 2925.0) / 4060.0;
	if (wrong_accept_exact(3, 30, 6) - exact).abs() >= 1e-12 {
		return Err(format!("exact formula {} vs {exact} by hand", wrong_accept_exact(3, 30, 6)));
	}
	// A small simulation agrees with it within a few standard errors.
	let (wrong, _, done) = simulate_attack(3, 6, 400);
	let rate = f64::from(wrong) / f64::from(done);
	if (rate - exact).abs() >= 0.03 {
		return Err(format!("simulated rate {rate} vs {exact}"));
	}
	println!(
		"attack_simulation: formulas match the hand computation; {done} simulated jobs: {rate:.4} wrong accepted, formula {exact:.4}"
	);
	Ok(())
}

fn main() {
	let mut args = std::env::args().skip(1);
	let mut jobs: u32 = 10_000;
	let mut only_check = false;
	while let Some(arg) = args.next() {
		match arg.as_str() {
			"--check" => only_check = true,
			"--jobs" => {
				jobs = match args.next().and_then(|v| v.parse().ok()) {
					Some(n) if n > 0 => n,
					_ => {
						eprintln!("attack_simulation: --jobs takes a number of jobs above 0");
						std::process::exit(2);
					},
				}
			},
			other => {
				eprintln!("attack_simulation: unknown argument {other:?} (--jobs N, --check)");
				std::process::exit(2);
			},
		}
	}
	if only_check {
		if let Err(e) = check() {
			eprintln!("attack_simulation: check failed: {e}");
			std::process::exit(1);
		}
		return;
	}
	table(jobs);
}
