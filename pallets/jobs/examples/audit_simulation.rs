//! The audited-jobs simulation behind docs/protocol.md's "Audited jobs" table: audited jobs on
//! pallet-jobs' test runtime (the real models, providers and jobs pallets), ten honest
//! providers and one that skips the work on a fraction of its jobs (it answers garbage
//! there), every provider at a steady-state clean record (audited at the floor).
//!
//! Per cheat rate, `trials` fresh chains each run until the cheater has been the primary of
//! 1,000 jobs; it measures how often the cheater was caught (slashed at least once) within
//! them, the mean compute per settled job (inferences: the commitments made), and the wrong
//! results accepted per 10,000 jobs beside the bound `10,000 × share × cheat_rate × (1 −
//! floor)`, where `share` is the measured fraction of jobs the cheater was primary of (a wrong
//! answer passes only unaudited: its auditors are honest).
//!
//! ```sh
//! scripts/bench-protocol.sh                 # every row, and docs/results/audit.json
//! audit_simulation --trials 20 --json out.json
//! audit_simulation --check                  # a small run against the issue's targets
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

use std::collections::BTreeMap;

use codec::Encode;
use frame_support::assert_ok;
use mock::*;
use pallet_jobs::{types::JobStatus, AuditRecord, Event, JobInput, Open as JobRecords, Receipts};

/// The honest providers (ids from 200).
const HONEST_FROM: u64 = 200;
const HONEST: u64 = 10;
/// The cheater.
const CHEATER: u64 = 300;
/// Jobs the cheater is primary of, per trial.
const CHEATER_JOBS: u32 = 1_000;
/// A record long enough for the floor rate.
const VETERAN: u32 = 1_000;

/// One row of the table and of docs/results/audit.json.
struct Row {
	cheat_rate: f64,
	trials: u32,
	jobs: u64,
	cheater_share: f64,
	caught_within_1000: f64,
	caught_formula: f64,
	compute_per_job: f64,
	wrong_accepted: f64,
	bound: f64,
}

/// A small deterministic generator for the cheater's choices.
struct Rng(u64);

impl Rng {
	fn unit(&mut self) -> f64 {
		self.0 ^= self.0 << 13;
		self.0 ^= self.0 >> 7;
		self.0 ^= self.0 << 17;
		(self.0 >> 11) as f64 / (1u64 << 53) as f64
	}
}

fn provider(who: u64, bond: Balance) {
	let _ = Balances::force_set_balance(RuntimeOrigin::root(), who, bond * 2);
	assert_ok!(Providers::register(RuntimeOrigin::signed(who), bond, class(), 8, vec![]));
	assert_ok!(Providers::set_offer(RuntimeOrigin::signed(who), model(3), PRICE));
	AuditRecord::<Test>::insert(who, VETERAN);
}

/// What one trial measured.
#[derive(Default)]
struct Trial {
	jobs: u64,
	cheater_jobs: u32,
	caught: bool,
	computed: u64,
	wrong: u64,
}

/// One fresh chain: audited jobs until the cheater was primary of `CHEATER_JOBS` (or, with
/// `cheat_rate` 0, `jobs_if_honest` jobs, the cheater honest too).
fn trial(cheat_rate: f64, seed: u32, jobs_if_honest: u64) -> Trial {
	let mut t = Trial::default();
	new_test_ext().execute_with(|| {
		assert_ok!(Models::register_model(
			RuntimeOrigin::signed(PUBLISHER),
			Box::new(manifest(3, 1024))
		));
		for who in HONEST_FROM..HONEST_FROM + HONEST {
			provider(who, BOND);
		}
		// Twenty honest bonds: it is the primary of about two jobs in three, so that a
		// thousand of its jobs take fifteen hundred.
		provider(CHEATER, 20 * BOND);
		pallet_jobs::Seed::<Test>::put(sp_io::hashing::blake2_256(
			&("audit", seed, (cheat_rate * 1e6) as u64).encode(),
		));
		let _ =
			Balances::force_set_balance(RuntimeOrigin::root(), PAYER, 1_000_000_000_000_000_000);
		let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ u64::from(seed).wrapping_mul(0x2545_f491));
		// Per open job: whether the cheater skips it, and the commitments made.
		let mut cheats: BTreeMap<u64, bool> = BTreeMap::new();
		let mut commits: BTreeMap<u64, u64> = BTreeMap::new();
		let mut primary: BTreeMap<u64, u64> = BTreeMap::new();
		let done = |t: &Trial| {
			if cheat_rate > 0.0 {
				t.cheater_jobs >= CHEATER_JOBS
			} else {
				t.jobs >= jobs_if_honest
			}
		};
		let mut n: u32 = 0;
		while !done(&t) {
			// Keep the queue full: the mock takes 4 a block and holds 8.
			while commits.len() < 8 {
				let id = pallet_jobs::NextJobId::<Test>::get();
				n = n.wrapping_add(1);
				assert_ok!(Jobs::submit_audited(
					RuntimeOrigin::signed(PAYER),
					model(3),
					JobInput::Inline(n.to_le_bytes().to_vec().try_into().unwrap()),
					PRICE,
					System::block_number() + 40
				));
				commits.insert(id, 0);
			}
			let ids: Vec<u64> = commits.keys().copied().collect();
			for id in &ids {
				let Some(record) = JobRecords::<Test>::get(id) else { continue };
				if let Some(first) = record.assignments.first() {
					primary.entry(*id).or_insert(first.provider);
				}
				for a in record.assignments.iter().filter(|a| !a.slashed) {
					let who = a.provider;
					let wrong = who == CHEATER
						&& *cheats.entry(*id).or_insert_with(|| rng.unit() < cheat_rate);
					let d = if wrong { digest(66) } else { digest(7) };
					if record.status == JobStatus::Committing && a.commitment.is_none() {
						let c = commitment_for(who, *id, &d);
						if Jobs::commit(RuntimeOrigin::signed(who), *id, c).is_ok() {
							*commits.get_mut(id).unwrap() += 1;
						}
					}
				}
				for a in record.assignments.iter().filter(|a| !a.slashed) {
					if !JobRecords::<Test>::contains_key(id) {
						break;
					}
					let Some(now) = JobRecords::<Test>::get(id) else { break };
					if !matches!(now.status, JobStatus::Revealing | JobStatus::Opening) {
						break;
					}
					let wrong = a.provider == CHEATER && cheats.get(id).copied().unwrap_or(false);
					let d = if wrong { digest(66) } else { digest(7) };
					let _ = answer_output(a.provider, *id, d, None);
				}
			}
			run_to(System::block_number() + 1);
			if System::block_number().is_multiple_of(500) {
				// Live providers: heartbeats well inside the mock's 1,000-block timeout.
				for who in (HONEST_FROM..HONEST_FROM + HONEST).chain([CHEATER]) {
					assert_ok!(Providers::heartbeat(RuntimeOrigin::signed(who)));
				}
			}
			for e in System::events() {
				if let RuntimeEvent::Jobs(Event::ProviderSlashed { provider, .. }) = e.event {
					if provider == CHEATER && t.cheater_jobs < CHEATER_JOBS {
						t.caught = true;
					}
				}
			}
			System::reset_events();
			for id in ids {
				if JobRecords::<Test>::contains_key(id) {
					continue;
				}
				let computed = commits.remove(&id).unwrap_or(0);
				cheats.remove(&id);
				let Some(receipt) = Receipts::<Test>::get(id) else { continue };
				t.jobs += 1;
				t.computed += computed;
				if receipt.result.digest() == digest(66) {
					t.wrong += 1;
				}
				if primary.remove(&id) == Some(CHEATER) {
					t.cheater_jobs += 1;
				}
			}
		}
	});
	t
}

fn simulate(cheat_rate: f64, trials: u32) -> Row {
	let floor = f64::from(
		<<Test as pallet_jobs::Config>::AuditFloor as frame_support::traits::Get<
			sp_runtime::Perbill,
		>>::get()
		.deconstruct(),
	) / 1e9;
	let honest_jobs = 10_000 / u64::from(trials.max(1));
	let runs: Vec<Trial> = (0..trials).map(|s| trial(cheat_rate, s, honest_jobs)).collect();
	let jobs: u64 = runs.iter().map(|t| t.jobs).sum();
	let cheater_jobs: u64 = runs.iter().map(|t| u64::from(t.cheater_jobs)).sum();
	let share = cheater_jobs as f64 / jobs.max(1) as f64;
	let wrong: u64 = runs.iter().map(|t| t.wrong).sum();
	let per = |x: f64| 10_000.0 * x / jobs.max(1) as f64;
	Row {
		cheat_rate,
		trials,
		jobs,
		cheater_share: share,
		caught_within_1000: runs.iter().filter(|t| t.caught).count() as f64
			/ f64::from(trials.max(1)),
		caught_formula: 1.0 - (1.0 - cheat_rate * floor).powi(CHEATER_JOBS as i32),
		compute_per_job: runs.iter().map(|t| t.computed).sum::<u64>() as f64 / jobs.max(1) as f64,
		wrong_accepted: per(wrong as f64),
		bound: 10_000.0 * share * cheat_rate * (1.0 - floor),
	}
}

fn table(trials: u32) -> Vec<Row> {
	println!(
		"| cheat rate | trials | settled jobs | cheater's share | caught within 1,000 | formula | compute / job | wrong accepted / 10,000 | bound |"
	);
	println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
	let mut rows = Vec::new();
	for c in [0.0, 0.01, 0.1, 0.5] {
		let r = simulate(c, trials);
		println!(
			"| {:.0}% | {} | {} | {:.3} | {:.3} | {:.3} | {:.4} | {:.1} | {:.1} |",
			c * 100.0,
			r.trials,
			r.jobs,
			r.cheater_share,
			r.caught_within_1000,
			r.caught_formula,
			r.compute_per_job,
			r.wrong_accepted,
			r.bound
		);
		rows.push(r);
	}
	rows
}

fn write_json(path: &str, rows: &[Row]) -> std::io::Result<()> {
	let round = |x: f64, d: f64| (x * d).round() / d;
	let rows: Vec<serde_json::Value> = rows
		.iter()
		.map(|r| {
			serde_json::json!({
				"cheat_rate": r.cheat_rate,
				"trials": r.trials,
				"jobs": r.jobs,
				"cheater_share": round(r.cheater_share, 1e4),
				"caught_within_1000": round(r.caught_within_1000, 1e4),
				"caught_formula": round(r.caught_formula, 1e4),
				"compute_per_job": round(r.compute_per_job, 1e4),
				"wrong_accepted": round(r.wrong_accepted, 1e2),
				"bound": round(r.bound, 1e2),
			})
		})
		.collect();
	let doc = serde_json::json!({
		"command": "scripts/bench-protocol.sh",
		"runtime": "pallet-jobs test runtime: audited jobs, 10 honest providers and one cheater with 20 times their bond, all at a steady-state record (audit floor 1/16, 2 auditors); wrong_accepted and bound per 10,000 settled jobs",
		"rows": rows,
	});
	std::fs::write(path, serde_json::to_string_pretty(&doc)? + "\n")
}

/// A small run against the issue's targets: an honest network computes at most 1.15
/// inferences a job; a provider cheating on 10% of its jobs is caught within 1,000 of them
/// in nearly every trial; no wrong result beyond the bound's order.
fn check() -> Result<(), String> {
	let honest = simulate(0.0, 4);
	if honest.compute_per_job > 1.15 || honest.compute_per_job < 1.0 {
		return Err(format!("honest compute per job {}", honest.compute_per_job));
	}
	if honest.wrong_accepted != 0.0 {
		return Err(format!("honest network accepted {} wrong results", honest.wrong_accepted));
	}
	let cheater = simulate(0.1, 10);
	if cheater.caught_within_1000 < 0.9 {
		return Err(format!("cheater caught in {} of trials", cheater.caught_within_1000));
	}
	if cheater.wrong_accepted > 2.0 * cheater.bound {
		return Err(format!(
			"{} wrong per 10,000 against {}",
			cheater.wrong_accepted, cheater.bound
		));
	}
	println!(
		"audit_simulation: honest {:.4} inferences a job over {} jobs; a 10% cheater caught in {:.0}% of {} trials, {:.1} wrong per 10,000 (bound {:.1})",
		honest.compute_per_job,
		honest.jobs,
		cheater.caught_within_1000 * 100.0,
		cheater.trials,
		cheater.wrong_accepted,
		cheater.bound
	);
	Ok(())
}

fn main() {
	// Every job of a block is answered before the next block runs.
	mock::run_blocks_myself();
	let cli = cli::parse("audit_simulation", "trials", 200, check);
	let rows = table(cli.count);
	cli::finish("audit_simulation", &cli, |path| write_json(path, &rows));
}
