//! CPU pinning (`--inference-cpus`): the listed CPUs shared out between the inference threads,
//! every other thread of the worker (HTTP, the finisher) on the CPUs left, so that serving never
//! takes the inference threads' cores, caches or time slices. Threads inherit their creator's CPU set:
//! `main` restricts itself to the CPUs left before it starts anything, and each inference
//! thread then moves itself to its CPU.

use nix::{
	sched::{sched_getaffinity, sched_setaffinity, CpuSet},
	unistd::Pid,
};

/// Where the worker's threads run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Affinity {
	/// CPUs of each inference thread (and of the libtorch intra-op threads it starts).
	inference: Vec<Vec<usize>>,
	/// CPUs of every other thread (empty: not restricted).
	rest: Vec<usize>,
}

/// Parses a CPU list: `0`, `0,2`, `0-3,8`.
pub fn parse_cpus(list: &str) -> Result<Vec<usize>, String> {
	let mut cpus = Vec::new();
	for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
		let bad = |e: std::num::ParseIntError| format!("CPU list {list:?}: {part:?}: {e}");
		match part.split_once('-') {
			Some((a, b)) => {
				let (a, b) =
					(a.trim().parse::<usize>().map_err(bad)?, b.trim().parse().map_err(bad)?);
				if a > b {
					return Err(format!("CPU list {list:?}: range {part:?} runs backwards"));
				}
				cpus.extend(a..=b);
			},
			None => cpus.push(part.parse().map_err(bad)?),
		}
	}
	cpus.sort_unstable();
	cpus.dedup();
	if cpus.is_empty() {
		return Err(format!("CPU list {list:?} names no CPU"));
	}
	Ok(cpus)
}

fn allowed() -> Result<Vec<usize>, String> {
	let set = sched_getaffinity(Pid::from_raw(0)).map_err(|e| format!("sched_getaffinity: {e}"))?;
	Ok((0..CpuSet::count()).filter(|&c| set.is_set(c).unwrap_or(false)).collect())
}

fn pin(cpus: &[usize]) -> Result<(), String> {
	let mut set = CpuSet::new();
	for &c in cpus {
		set.set(c).map_err(|e| format!("CPU {c}: {e}"))?;
	}
	sched_setaffinity(Pid::from_raw(0), &set)
		.map_err(|e| format!("sched_setaffinity {cpus:?}: {e}"))
}

impl Affinity {
	/// `threads` inference threads on the CPUs `inference` (each one this process may use),
	/// split in consecutive shares (`0-7` for two threads: `0-3` and `4-7`; with fewer CPUs than
	/// threads, thread `i` gets CPU `i mod n`); the other threads on the process's CPUs that are
	/// left (none left: they are not restricted).
	pub fn new(inference: Vec<usize>, threads: usize) -> Result<Self, String> {
		let allowed = allowed()?;
		if let Some(c) = inference.iter().find(|c| !allowed.contains(c)) {
			return Err(format!("inference CPU {c} is not one this process may use ({allowed:?})"));
		}
		let rest = allowed.into_iter().filter(|c| !inference.contains(c)).collect();
		Ok(Affinity { inference: Self::split(&inference, threads), rest })
	}

	/// `cpus` shared out between `threads` threads, as `new` describes.
	fn split(cpus: &[usize], threads: usize) -> Vec<Vec<usize>> {
		let threads = threads.max(1);
		let share = cpus.len().checked_div(threads).unwrap_or(0);
		(0..threads)
			.map(|i| {
				if share == 0 {
					let c = i.checked_rem(cpus.len()).and_then(|j| cpus.get(j));
					return c.into_iter().copied().collect();
				}
				let start = i.saturating_mul(share);
				let last = i.saturating_add(1) == threads;
				let end = if last { cpus.len() } else { start.saturating_add(share) };
				cpus.get(start..end).map(<[usize]>::to_vec).unwrap_or_default()
			})
			.collect()
	}

	/// Restricts the calling thread, and every thread it starts later, to the CPUs left.
	pub fn pin_rest(&self) -> Result<(), String> {
		if self.rest.is_empty() {
			return Ok(());
		}
		pin(&self.rest)
	}

	/// Moves the calling thread, inference thread `i`, to its CPUs (no-op without pinning).
	pub fn pin_inference(&self, i: usize) -> Result<(), String> {
		match self.inference.get(i) {
			Some(cpus) if !cpus.is_empty() => pin(cpus),
			_ => Ok(()),
		}
	}

	/// Whether inference threads are pinned.
	pub fn is_pinned(&self) -> bool {
		self.inference.iter().any(|cpus| !cpus.is_empty())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn cpu_lists_parse_and_bad_ones_are_clear_errors() {
		assert_eq!(parse_cpus("0"), Ok(vec![0]));
		assert_eq!(parse_cpus("3, 0-1,1"), Ok(vec![0, 1, 3]));
		assert!(parse_cpus("").unwrap_err().contains("names no CPU"));
		assert!(parse_cpus("2-1").unwrap_err().contains("backwards"));
		assert!(parse_cpus("a").unwrap_err().contains("\"a\""));
	}

	#[test]
	fn a_pinned_thread_runs_on_its_cpus_and_unknown_cpus_are_refused() {
		let first = allowed().unwrap()[0];
		let a = Affinity::new(vec![first], 2).unwrap();
		assert!(a.is_pinned());
		std::thread::spawn(move || {
			a.pin_inference(1).unwrap();
			assert_eq!(allowed().unwrap(), vec![first]);
		})
		.join()
		.unwrap();
		assert!(Affinity::new(vec![CpuSet::count() + 1], 1).is_err());
		assert!(Affinity::default().pin_inference(0).is_ok());
	}

	#[test]
	fn inference_cpus_are_shared_out_between_threads() {
		let split = |cpus: Vec<usize>, threads| Affinity::split(&cpus, threads);
		assert_eq!(
			split(vec![0, 1, 2, 3, 4, 5, 6, 7], 2),
			vec![vec![0, 1, 2, 3], vec![4, 5, 6, 7]]
		);
		assert_eq!(split(vec![0, 1, 2], 2), vec![vec![0], vec![1, 2]]);
		assert_eq!(split(vec![4], 3), vec![vec![4], vec![4], vec![4]]);
		assert_eq!(split(vec![0, 1], 1), vec![vec![0, 1]]);
	}
}
