//! The attack simulation behind docs/protocol.md's tables: jobs on pallet-jobs' test runtime
//! (the real models, providers and jobs pallets) against an attacker holding 10, 20 and 33%
//! of the weight, one row per strategy and redundancy, with the measured rate of wrong
//! results accepted beside the formula's bound, honest providers slashed, and what a griefing
//! payer gained.
//!
//! Strategies: `uniform` (colluding liars among honest providers of one class),
//! `sybil_class` (the liars declare a class of their own), `index_squatter` (the liars filled
//! the model's provider index with one-planck offers before the honest providers came),
//! `payer_griefer` (the payer sends an input nobody can fetch and runs silent providers, to
//! be compensated from slashes), `copying_newcomers` (escalated honest providers copy the first
//! round instead of computing), `grinding_author` (uniform liars whose validator authors the
//! blocks before the draws and tries 32 hashes of each, keeping the one that seats its liars
//! best).
//!
//! ```sh
//! scripts/bench-protocol.sh                # every row, 10,000 jobs each, and
//!                                          # docs/results/attacks.json
//! attack_simulation --jobs 1000 --json out.json
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

#[path = "common/cli.rs"]
mod cli;
#[allow(dead_code)]
#[path = "../src/mock.rs"]
mod mock;

use codec::Encode;
use frame_support::assert_ok;
use mock::*;
use pallet_jobs::{Event, JobInput, Open as JobRecords, Receipts};
use synod_primitives::{
	digest::{unservable_digest, Unservable},
	provider::DeterminismClass,
};

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

/// How the attacker plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Strategy {
	Uniform,
	SybilClass,
	IndexSquatter,
	PayerGriefer,
	CopyingNewcomers,
	GrindingAuthor,
}

impl Strategy {
	const ALL: [Strategy; 6] = [
		Strategy::Uniform,
		Strategy::SybilClass,
		Strategy::CopyingNewcomers,
		Strategy::GrindingAuthor,
		Strategy::IndexSquatter,
		Strategy::PayerGriefer,
	];

	fn name(self) -> &'static str {
		match self {
			Strategy::Uniform => "uniform",
			Strategy::SybilClass => "sybil_class",
			Strategy::IndexSquatter => "index_squatter",
			Strategy::PayerGriefer => "payer_griefer",
			Strategy::CopyingNewcomers => "copying_newcomers",
			Strategy::GrindingAuthor => "grinding_author",
		}
	}
}

/// One row of the table and of docs/results/attacks.json.
struct Row {
	strategy: Strategy,
	k: u32,
	attacker_share: f64,
	jobs: u32,
	wrong_accepted: f64,
	bound: f64,
	honest_slashed: f64,
	payer_profit: i128,
	no_decision: f64,
}

/// The honest providers (ids from 200) and how many there are.
const HONEST_FROM: u64 = 200;
const N: u64 = 30;
/// The attacker's providers (ids from 300).
const ATTACKER_FROM: u64 = 300;
/// The mock's provider index bound: the squatter fills it.
const INDEX: u64 = 32;

fn attacker(who: u64) -> bool {
	who >= ATTACKER_FROM
}

fn other_class() -> DeterminismClass {
	DeterminismClass { libtorch: b"2.10.0".to_vec().try_into().unwrap(), ..class() }
}

fn provider(who: u64, bond: Balance, class: DeterminismClass, price: Balance) {
	let _ = Balances::force_set_balance(RuntimeOrigin::root(), who, ENDOWMENT);
	assert_ok!(Providers::register(RuntimeOrigin::signed(who), bond, class, 8, vec![]));
	assert_ok!(Providers::set_offer(RuntimeOrigin::signed(who), model(3), price));
}

/// How many hashes of its block the grinding author tries (each a block re-sealed).
const GRIND_TRIES: u32 = 32;

/// The seats the attacker's providers hold in `jobs`.
fn liar_seats(jobs: &[u64]) -> usize {
	jobs.iter()
		.filter_map(JobRecords::<Test>::get)
		.map(|r| r.assignments.iter().filter(|a| attacker(a.provider)).count())
		.sum()
}

/// The author of block `b − 1` grinds its hash (block `b`'s parent): it runs block `b` after
/// each of `GRIND_TRIES` hashes, keeps nothing, and sets the one that gave its liars the most
/// seats in `jobs`.
fn grind_parent(b: u64, jobs: &[u64]) {
	let tries = (0..GRIND_TRIES).map(|t| {
		let hash = sp_core::H256(sp_io::hashing::blake2_256(&(b, t, jobs).encode()));
		let seats = frame_support::storage::with_transaction(|| {
			System::set_parent_hash(hash);
			run_to(b);
			frame_support::storage::TransactionOutcome::Rollback(
				Ok::<_, sp_runtime::DispatchError>(liar_seats(jobs)),
			)
		})
		.unwrap_or(0);
		(seats, hash)
	});
	if let Some((_, best)) = tries.max_by_key(|(seats, _)| *seats) {
		System::set_parent_hash(best);
	}
}

/// Everything the griefer owns: the payer's balance and its providers'.
fn griefer_wealth(attackers: &[u64]) -> i128 {
	let total = |who: u64| -> i128 {
		use frame_support::traits::fungible::Inspect;
		Balances::total_balance(&who) as i128
	};
	total(PAYER) + attackers.iter().map(|w| total(*w)).sum::<i128>()
}

/// Simulates `jobs` jobs of redundancy `k` against an attacker with `share` of the weight
/// playing `strategy`. Each batch of 8 jobs runs on a fresh chain with a fresh random seed,
/// so slashing and reputation from earlier jobs do not drift the weights.
fn simulate(strategy: Strategy, k: u32, share: f64, jobs: u32) -> Row {
	let (mut wrong, mut undecided, mut honest_slashed, mut done) = (0u32, 0u32, 0u32, 0u32);
	let mut profit: i128 = 0;
	let mut batch: u32 = 0;
	// Attackers among 30 equal providers, except for the squatter, whose share is of bond.
	let count = (share * N as f64).round() as u64;
	while done < jobs {
		batch += 1;
		let mut ext = new_test_ext();
		ext.execute_with(|| {
			assert_ok!(Models::register_model(
				RuntimeOrigin::signed(PUBLISHER),
				Box::new(manifest(3, 1024))
			));
			let attackers: Vec<u64> = match strategy {
				Strategy::IndexSquatter => {
					// The squatter fills the index first, at one planck, with as much bond in
					// all as `share` of everyone's; then the honest providers come.
					let total = share / (1.0 - share) * (N * BOND as u64) as f64;
					let each = (total / INDEX as f64) as Balance;
					let ids: Vec<u64> = (ATTACKER_FROM..ATTACKER_FROM + INDEX).collect();
					for who in &ids {
						provider(*who, each, class(), 1);
					}
					for who in HONEST_FROM..HONEST_FROM + N {
						provider(who, BOND, class(), PRICE);
					}
					ids.into_iter()
						.filter(|w| !pallet_providers::Offers::<Test>::get(w).is_empty())
						.collect()
				},
				_ => {
					let class_of = |who: u64| {
						if attacker(who) && strategy == Strategy::SybilClass {
							other_class()
						} else {
							class()
						}
					};
					let ids: Vec<u64> = (HONEST_FROM..HONEST_FROM + N - count)
						.chain(ATTACKER_FROM..ATTACKER_FROM + count)
						.collect();
					for who in &ids {
						provider(*who, BOND, class_of(*who), PRICE);
					}
					ids.into_iter().filter(|w| attacker(*w)).collect()
				},
			};
			pallet_jobs::Seed::<Test>::put(sp_io::hashing::blake2_256(
				&(strategy.name(), k, count, batch).encode(),
			));
			let input = match strategy {
				Strategy::PayerGriefer => JobInput::Remote {
					hash: [9; 32],
					uri: b"https://nowhere.invalid/x".to_vec().try_into().unwrap(),
				},
				_ => inline(&[1]),
			};
			let answer = |who: u64, input_hash: &[u8; 32]| -> Option<[u8; 32]> {
				match (strategy, attacker(who)) {
					(Strategy::PayerGriefer, true) => None,
					(Strategy::PayerGriefer, false) => {
						Some(unservable_digest(&model(3), input_hash, Unservable::InputUnavailable))
					},
					(_, true) => Some(digest(66)),
					(_, false) => Some(digest(7)),
				}
			};
			let before = griefer_wealth(&attackers);
			let ids: Vec<u64> = (0..8)
				.map(|_| {
					let id = pallet_jobs::NextJobId::<Test>::get();
					assert_ok!(Jobs::submit_job(
						RuntimeOrigin::signed(PAYER),
						model(3),
						input.clone(),
						k,
						PRICE,
						40
					));
					id
				})
				.collect();
			// Four assignments per block in the mock: all eight by block 3. Every provider
			// answers at once, in each round (an escalation draws more). The grinding author
			// makes blocks 1 and 2 and picks, of `GRIND_TRIES` hashes of each, the one after
			// which the next block gives its liars the most seats.
			if strategy == Strategy::GrindingAuthor {
				for b in 2..=3 {
					grind_parent(b, &ids);
					run_to(b);
				}
			} else {
				run_to(3);
			}
			let open = |id: &u64| JobRecords::<Test>::contains_key(id);
			// Copying newcomers: the escalation's honest providers do not compute; they copy
			// what the chain shows of the first round's answers (its leading seal, or digest
			// once opened).
			let mut copiers: Vec<u64> = Vec::new();
			let leading = |id: &u64, opened: bool| -> Option<[u8; 32]> {
				let record = JobRecords::<Test>::get(id)?;
				let answers: Vec<[u8; 32]> = record
					.assignments
					.iter()
					.filter(|a| a.round == 0)
					.filter_map(|a| if opened { a.digest() } else { a.sealed })
					.collect();
				answers.iter().max_by_key(|x| answers.iter().filter(|y| y == x).count()).copied()
			};
			while ids.iter().any(open) {
				for id in ids.iter().filter(|id| open(id)) {
					let record = JobRecords::<Test>::get(id).unwrap();
					if record.status != pallet_jobs::types::JobStatus::Committing {
						continue;
					}
					for a in record.assignments.iter().filter(|a| a.commitment.is_none()) {
						let who = a.provider;
						if strategy == Strategy::CopyingNewcomers && a.round == 1 && !attacker(who)
						{
							copiers.push(who);
							// The leading seal as its own: the only answer it can read.
							if let Some(seal) = leading(id, false) {
								let c = pallet_jobs::commitment_of(&seal, &salt(who), &who);
								let _ = Jobs::commit(RuntimeOrigin::signed(who), *id, c);
							}
						} else if let Some(d) = answer(who, &record.input_hash) {
							let c = commitment_for(who, *id, &d);
							let _ = Jobs::commit(RuntimeOrigin::signed(who), *id, c);
						}
					}
				}
				for id in ids.iter().filter(|id| open(id)) {
					let input_hash = JobRecords::<Test>::get(id).unwrap().input_hash;
					for who in assigned(*id) {
						if !open(id) {
							break;
						}
						if copiers.contains(&who) {
							// It reveals the leading digest once the first round opens it.
							if let Some(d) = leading(id, true) {
								let _ = answer_output(who, *id, d, None);
							}
						} else if let Some(d) = answer(who, &input_hash) {
							let _ = answer_output(who, *id, d, None);
						}
					}
				}
				run_to(System::block_number() + 1);
			}
			for id in &ids {
				done += 1;
				match Receipts::<Test>::get(id) {
					Some(r) if r.result.digest() == digest(66) => wrong += 1,
					Some(_) => {},
					None if strategy == Strategy::PayerGriefer => {},
					None => undecided += 1,
				}
			}
			honest_slashed += System::events()
				.iter()
				.filter(|e| {
					matches!(&e.event, RuntimeEvent::Jobs(Event::ProviderSlashed { provider, .. })
						if !attacker(*provider) && !copiers.contains(provider))
				})
				.count() as u32;
			if strategy == Strategy::PayerGriefer {
				profit += griefer_wealth(&attackers) - before;
			}
		});
	}
	let bound = match strategy {
		// The liars cannot win a job whose input nobody can serve.
		Strategy::PayerGriefer => 0.0,
		// The class is chosen by `k` independent weighted draws (with replacement), the
		// binomial formula's model; the squatter's share is of bond, not of 30 equal providers.
		Strategy::SybilClass | Strategy::IndexSquatter => wrong_accept_formula(k, share),
		_ => wrong_accept_exact(k, N as u32, count as u32),
	};
	let rate = |n: u32| f64::from(n) / f64::from(done);
	Row {
		strategy,
		k,
		attacker_share: match strategy {
			Strategy::IndexSquatter => share,
			_ => count as f64 / N as f64,
		},
		jobs: done,
		wrong_accepted: rate(wrong),
		bound,
		honest_slashed: 1000.0 * rate(honest_slashed),
		payer_profit: profit,
		no_decision: rate(undecided),
	}
}

/// The uniform liars' rate alone, for `--check`.
fn simulate_attack(k: u32, attackers: u64, jobs: u32) -> (u32, u32, u32) {
	let row = simulate(Strategy::Uniform, k, attackers as f64 / N as f64, jobs);
	let n = |r: f64| (r * f64::from(row.jobs)).round() as u32;
	(n(row.wrong_accepted), n(row.no_decision), row.jobs)
}

/// Every row: prints docs/protocol.md's table and returns the rows.
fn table(jobs: u32) -> Vec<Row> {
	println!(
		"| strategy | k | attacker share | jobs | wrong accepted | bound | honest slashed / 1,000 jobs | griefer's profit (planck) | no decision |"
	);
	println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
	let mut rows = Vec::new();
	for strategy in Strategy::ALL {
		for k in [3u32, 5] {
			for share in [0.1, 0.2, 1.0 / 3.0] {
				let r = simulate(strategy, k, share, jobs);
				println!(
					"| {} | {k} | {:.0}% | {} | {:.4} | {:.4} | {:.1} | {} | {:.4} |",
					strategy.name(),
					r.attacker_share * 100.0,
					r.jobs,
					r.wrong_accepted,
					r.bound,
					r.honest_slashed,
					r.payer_profit,
					r.no_decision,
				);
				rows.push(r);
			}
		}
	}
	rows
}

/// docs/results/attacks.json: one object per row.
fn write_json(path: &str, rows: &[Row]) -> std::io::Result<()> {
	let rows: Vec<serde_json::Value> = rows
		.iter()
		.map(|r| {
			serde_json::json!({
				"strategy": r.strategy.name(),
				"k": r.k,
				"attacker_share": (r.attacker_share * 1e4).round() / 1e4,
				"jobs": r.jobs,
				"wrong_accepted": r.wrong_accepted,
				"bound": (r.bound * 1e6).round() / 1e6,
				"honest_slashed": (r.honest_slashed * 10.0).round() / 10.0,
				"payer_profit": r.payer_profit,
				"no_decision": r.no_decision,
			})
		})
		.collect();
	let doc = serde_json::json!({
		"command": "scripts/bench-protocol.sh",
		"runtime": "pallet-jobs test runtime: 30 equal providers (the squatter: 32 index slots), collateral 6 × max_price",
		"rows": rows,
	});
	std::fs::write(path, serde_json::to_string_pretty(&doc)? + "\n")
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
	// Every job of a block is answered before the next block runs.
	mock::run_blocks_myself();
	let cli = cli::parse("attack_simulation", "jobs", 10_000, check);
	let rows = table(cli.count);
	cli::finish("attack_simulation", &cli, |path| write_json(path, &rows));
}
