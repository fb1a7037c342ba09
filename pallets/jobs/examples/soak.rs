//! The soak run: thousands of random call sequences on pallet-jobs' test runtime (the real
//! models, providers and jobs pallets), with every user call and honest, lying, silent and
//! lazy providers, and after every block the pallets' invariants:
//!
//! - funds conserved exactly: the accounts' total balance equals the issuance, which falls only
//!   by the collateral that slashes burn (as `ProviderSlashed` reports it);
//! - every hold accounted for (each pallet's `do_try_state`: escrows equal open jobs' escrow,
//!   bonds held, indexes consistent), and each provider's locked collateral is the sum over its
//!   open assignments;
//! - no job open past its deadline (`do_try_state`), and none left open once the sequence has
//!   run out its deadlines.
//!
//! ```sh
//! scripts/soak.sh                          # 10,000 sequences; writes docs/results/soak.json
//! soak --sequences 100 --seed 7            # a quick run
//! ```
//!
//! Each sequence: 20 providers beside the runtime's five, in two determinism classes, at prices
//! 5 to 10 and bonds of 5,000 to 10,000, each honest (60%), lying (15%), silent (10%) or lazy
//! (15%: commits, never reveals); 30 blocks of random calls (single jobs, batches, cohorts,
//! audited jobs and cohorts, cancellations, offers set and removed, pauses and resumes, more bond, unbonding and
//! withdrawals), then 40 quiet blocks. A call the pallets refuse is part of the test: it must
//! change nothing, which the invariants check.

#![allow(
	clippy::unwrap_used,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::arithmetic_side_effects
)]

#[allow(dead_code)]
#[path = "../src/mock.rs"]
mod mock;

use frame_support::traits::fungible::Inspect;
use mock::*;
use pallet_jobs::{types::MemberInput, JobInput, JobRequest, JobStatus, Open, Reveal};
use synod_primitives::provider::{DeterminismClass, DeviceKind};

/// A small deterministic generator (xorshift64*), so a run is reproducible from its seed.
struct Rng(u64);

impl Rng {
	fn next(&mut self) -> u64 {
		self.0 ^= self.0 >> 12;
		self.0 ^= self.0 << 25;
		self.0 ^= self.0 >> 27;
		self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
	}
	/// A number in `lo..=hi`.
	fn range(&mut self, lo: u64, hi: u64) -> u64 {
		lo + self.next() % (hi - lo + 1)
	}
	/// True with probability `percent`%.
	fn chance(&mut self, percent: u64) -> bool {
		self.next() % 100 < percent
	}
}

#[derive(Clone, Copy, PartialEq)]
enum Behaviour {
	Honest,
	Liar,
	Silent,
	Lazy,
}

const EXTRA: std::ops::Range<AccountId> = 10..30;

fn cuda() -> DeterminismClass {
	DeterminismClass {
		device: DeviceKind::Cuda,
		arch: b"sm_90".to_vec().try_into().unwrap(),
		libtorch: b"2.11.0".to_vec().try_into().unwrap(),
		deterministic: true,
	}
}

fn inline(byte: u8) -> JobInput {
	JobInput::Inline(vec![byte].try_into().unwrap())
}

/// What a provider answers for `job`: honest providers the same digest, a liar its own.
fn answer(who: AccountId, job: u64, members: usize, behaviour: Behaviour) -> Reveal {
	let tag = |m: u64| -> [u8; 32] {
		let mut d = [7u8; 32];
		d[..8].copy_from_slice(&job.to_le_bytes());
		d[8] = m as u8;
		if behaviour == Behaviour::Liar {
			d[9] = who as u8;
		}
		d
	};
	if members == 1 {
		Reveal::Output { digest: tag(0), output: None }
	} else {
		Reveal::members((0..members as u64).map(tag).collect::<Vec<_>>().try_into().unwrap())
	}
}

/// One random call of a payer or a provider; refusals are expected and ignored.
fn random_call(rng: &mut Rng, providers: &[AccountId], jobs: &mut Vec<u64>) {
	let now = System::block_number();
	let deadline = now + rng.range(8, 40);
	let who = providers[rng.range(0, providers.len() as u64 - 1) as usize];
	let payer = RuntimeOrigin::signed(PAYER);
	match rng.range(0, 13) {
		0..=2 => {
			let id = pallet_jobs::NextJobId::<Test>::get();
			let k = rng.range(1, 5) as u32;
			if Jobs::submit_job(payer, model(1), inline(rng.next() as u8), k, PRICE, deadline)
				.is_ok()
			{
				jobs.push(id);
			}
		},
		3 => {
			let first = pallet_jobs::NextJobId::<Test>::get();
			let n = rng.range(2, 3);
			let batch: Vec<_> = (0..n)
				.map(|_| JobRequest {
					model: model(1),
					input: inline(rng.next() as u8),
					redundancy: rng.range(1, 5) as u32,
					max_price: PRICE,
					deadline,
				})
				.collect();
			if Jobs::submit_batch(payer, batch.try_into().unwrap()).is_ok() {
				jobs.extend(first..first + n);
			}
		},
		4 => {
			let id = pallet_jobs::NextJobId::<Test>::get();
			let members: Vec<MemberInput> = (0..rng.range(2, 4))
				.map(|_| MemberInput::Inline(vec![rng.next() as u8].try_into().unwrap()))
				.collect();
			let input = JobInput::Cohort(members.try_into().unwrap());
			if Jobs::submit_job(payer, model(1), input, rng.range(1, 3) as u32, PRICE, deadline)
				.is_ok()
			{
				jobs.push(id);
			}
		},
		5 => {
			if let Some(id) = jobs.get(rng.range(0, jobs.len().max(1) as u64 - 1) as usize) {
				let _ = Jobs::cancel_job(RuntimeOrigin::signed(PAYER), *id);
			}
		},
		6 => {
			let price = rng.range(5, PRICE as u64) as Balance;
			let _ = Providers::set_offer(RuntimeOrigin::signed(who), model(1), price);
		},
		7 => {
			let _ = Providers::remove_offer(RuntimeOrigin::signed(who), model(1));
		},
		8 => {
			let origin = RuntimeOrigin::signed(who);
			let _ =
				if rng.chance(50) { Providers::pause(origin) } else { Providers::resume(origin) };
		},
		9 => {
			let _ = Providers::bond_more(RuntimeOrigin::signed(who), rng.range(1, 500) as Balance);
		},
		10 => {
			let _ = Providers::unbond(RuntimeOrigin::signed(who), rng.range(1, 2_000) as Balance);
		},
		12 | 13 => {
			// An audited job (a cohort one time in four), its deadline just long enough or more.
			let id = pallet_jobs::NextJobId::<Test>::get();
			let input = if rng.chance(25) {
				let members: Vec<MemberInput> = (0..rng.range(2, 3))
					.map(|_| MemberInput::Inline(vec![rng.next() as u8].try_into().unwrap()))
					.collect();
				JobInput::Cohort(members.try_into().unwrap())
			} else {
				inline(rng.next() as u8)
			};
			let deadline = now + rng.range(24, 40);
			if Jobs::submit_audited(payer, model(1), input, PRICE, deadline).is_ok() {
				jobs.push(id);
			}
		},
		_ => {
			let _ = Providers::withdraw_unbonded(RuntimeOrigin::signed(who));
		},
	}
}

/// The providers' off-chain side, done by hand: commit, seal, open and reveal by behaviour
/// (`mock::answer` does what a node does once committed); some are slow.
fn answer_jobs(rng: &mut Rng, behaviour: &impl Fn(AccountId) -> Behaviour, jobs: &[u64]) {
	for id in jobs {
		let Some(job) = Open::<Test>::get(id) else { continue };
		let members = job.input.members() as usize;
		for a in job.assignments.iter().filter(|a| !a.slashed) {
			let b = behaviour(a.provider);
			if b == Behaviour::Silent || rng.chance(20) {
				continue;
			}
			let reveal = answer(a.provider, *id, members, b);
			match (job.status, a.commitment, &a.reveal) {
				(JobStatus::Committing, None, _) if a.round == job.round => {
					let c = commitment_for(a.provider, *id, &reveal.digest());
					let _ = Jobs::commit(RuntimeOrigin::signed(a.provider), *id, c);
				},
				(JobStatus::Revealing | JobStatus::Opening, Some(_), None)
					if b != Behaviour::Lazy =>
				{
					let _ = mock::answer(a.provider, *id, reveal);
				},
				_ => {},
			}
		}
	}
}

/// Every invariant after a block; the first that fails, as text.
fn check(accounts: &[AccountId], issuance: Balance) -> Result<(), String> {
	Jobs::do_try_state().map_err(|e| format!("jobs try_state: {e:?}"))?;
	Providers::do_try_state().map_err(|e| format!("providers try_state: {e:?}"))?;
	Models::do_try_state().map_err(|e| format!("models try_state: {e:?}"))?;
	for who in accounts {
		let locked = pallet_providers::Records::<Test>::get(who).map_or(0, |r| r.locked);
		let open: Balance = Open::<Test>::iter()
			.flat_map(|(_, j)| j.assignments.into_iter())
			.filter(|a| a.provider == *who)
			.map(|a| a.collateral)
			.sum();
		if locked != open {
			return Err(format!("provider {who}: {locked} locked, {open} in open assignments"));
		}
	}
	let total: Balance = accounts.iter().map(Balances::total_balance).sum();
	let expected = issuance - burned();
	if total != expected || Balances::total_issuance() != total {
		return Err(format!(
			"funds: accounts hold {total}, issuance {}, expected {expected}",
			Balances::total_issuance()
		));
	}
	Ok(())
}

/// One sequence; returns (blocks, jobs, audited jobs decided, audits drawn) or the first
/// violation.
fn sequence(seed: u64) -> Result<(u64, u64, u64, u64), String> {
	let mut rng = Rng(seed | 1);
	let mut out = Ok((0, 0, 0, 0));
	new_test_ext().execute_with(|| {
		let mut providers: Vec<AccountId> = PROVIDERS.to_vec();
		for who in EXTRA {
			let _ = Balances::force_set_balance(RuntimeOrigin::root(), who, ENDOWMENT);
			let class = if who % 2 == 0 { class() } else { cuda() };
			let bond = rng.range(BOND as u64 / 2, BOND as u64) as Balance;
			let concurrency = rng.range(2, 4) as u32;
			Providers::register(RuntimeOrigin::signed(who), bond, class, concurrency, vec![])
				.unwrap();
			let price = rng.range(5, PRICE as u64) as Balance;
			Providers::set_offer(RuntimeOrigin::signed(who), model(1), price).unwrap();
			providers.push(who);
		}
		let behaviours: Vec<Behaviour> = (0..40)
			.map(|_| match rng.range(0, 99) {
				0..=59 => Behaviour::Honest,
				60..=74 => Behaviour::Liar,
				75..=84 => Behaviour::Silent,
				_ => Behaviour::Lazy,
			})
			.collect();
		let behaviour = |who: AccountId| behaviours[who as usize % behaviours.len()];
		let accounts: Vec<AccountId> =
			providers.iter().copied().chain([PAYER, PUBLISHER, POOR]).collect();
		let issuance = Balances::total_issuance();
		let mut jobs = Vec::new();
		let (mut blocks, start) = (0u64, System::block_number());
		while System::block_number() < start + 70 {
			if System::block_number() < start + 30 {
				for _ in 0..rng.range(0, 3) {
					random_call(&mut rng, &providers, &mut jobs);
				}
			}
			answer_jobs(&mut rng, &behaviour, &jobs);
			run_to(System::block_number() + 1);
			blocks += 1;
			if let Err(e) = check(&accounts, issuance) {
				out = Err(format!("block {}: {e}", System::block_number()));
				return;
			}
		}
		if let Some(id) = jobs.iter().find(|id| Open::<Test>::contains_key(id)) {
			out = Err(format!("job {id} still open after every deadline"));
			return;
		}
		let count = |f: fn(&pallet_jobs::Event<Test>) -> bool| {
			System::events()
				.iter()
				.filter(|e| matches!(&e.event, RuntimeEvent::Jobs(j) if f(j)))
				.count() as u64
		};
		let decided = count(|e| {
			matches!(
				e,
				pallet_jobs::Event::AuditStarted { .. } | pallet_jobs::Event::AuditSkipped { .. }
			)
		});
		let drawn = count(|e| matches!(e, pallet_jobs::Event::AuditStarted { .. }));
		out = Ok((blocks, jobs.len() as u64, decided, drawn));
	});
	out
}

fn main() {
	// Every job of a block is answered before the next block runs.
	mock::run_blocks_myself();
	let mut args = std::env::args().skip(1);
	let (mut sequences, mut seed, mut json) = (10_000u64, 1u64, None::<String>);
	while let Some(arg) = args.next() {
		let mut value = |name: &str| {
			args.next().unwrap_or_else(|| {
				eprintln!("soak: {name} takes a value");
				std::process::exit(2)
			})
		};
		match arg.as_str() {
			"--sequences" => {
				sequences =
					value("--sequences").parse().ok().filter(|n| *n > 0).unwrap_or_else(|| {
						eprintln!("soak: --sequences takes a number above 0");
						std::process::exit(2)
					})
			},
			"--seed" => {
				seed = value("--seed").parse().unwrap_or_else(|_| {
					eprintln!("soak: --seed takes a number");
					std::process::exit(2)
				})
			},
			"--json" => json = Some(value("--json")),
			other => {
				eprintln!(
					"soak: unknown argument {other:?} (--sequences N, --seed S, --json FILE)"
				);
				std::process::exit(2)
			},
		}
	}
	// Refuse an unwritable results file now, not after the run.
	let out = json.map(|path| {
		let file = std::fs::File::create(&path).unwrap_or_else(|e| {
			eprintln!("soak: cannot write {path}: {e}");
			std::process::exit(2)
		});
		(path, file)
	});
	let started = std::time::Instant::now();
	let (mut blocks, mut jobs, mut violations) = (0u64, 0u64, 0u64);
	let (mut decided, mut drawn) = (0u64, 0u64);
	for i in 0..sequences {
		match sequence(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15).wrapping_add(i)) {
			Ok((b, j, d, a)) => {
				blocks += b;
				jobs += j;
				decided += d;
				drawn += a;
			},
			Err(e) => {
				violations += 1;
				eprintln!("soak: sequence {i} (seed {seed}): {e}");
			},
		}
	}
	let seconds = started.elapsed().as_secs_f64();
	let summary = format!(
		"{{\n  \"sequences\": {sequences},\n  \"blocks\": {blocks},\n  \"jobs\": {jobs},\n  \"audit_decisions\": {decided},\n  \"audits_drawn\": {drawn},\n  \"violations\": {violations},\n  \"seconds\": {seconds:.1},\n  \"seed\": {seed}\n}}\n"
	);
	print!("{summary}");
	if let Some((path, mut file)) = out {
		std::io::Write::write_all(&mut file, summary.as_bytes()).unwrap_or_else(|e| {
			eprintln!("soak: cannot write {path}: {e}");
			std::process::exit(2)
		});
	}
	if violations > 0 {
		std::process::exit(1);
	}
}
