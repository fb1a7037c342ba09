//! The worker's per-job compute in a plain loop on one thread, without HTTP, queue or job
//! table: the input bytes made into a tensor, the forward pass, the output copied back to bytes
//! (`Loaded::run`), then quantized and digested (`jobs::canonicalize`). `tools/bench_worker.py`
//! runs it beside Python's `torch.jit` loop on the same `.pt` and input, to tell the cost of the
//! inference path from that of the serving around it.
//!
//!   forward_loop MANIFEST.json MODEL.pt INPUT.bin N [THREADS]
//!
//! Prints one JSON line: `{"runs": N, "run_ms": …, "digest_ms": …}` (means per job).

use std::{process::ExitCode, time::Instant};

use synod_worker::{
	backend::{Backend, DeviceChoice, Loaded, RawTensor, TchBackend},
	determinism,
	jobs::canonicalize,
	manifest::{Model, ModelManifest},
};

fn main() -> ExitCode {
	match run() {
		Ok(line) => {
			println!("{line}");
			ExitCode::SUCCESS
		},
		Err(e) => {
			eprintln!("forward_loop: {e}");
			ExitCode::from(2)
		},
	}
}

fn run() -> Result<String, String> {
	let args: Vec<String> = std::env::args().skip(1).collect();
	let [manifest, pt, input, n, rest @ ..] = args.as_slice() else {
		return Err("usage: forward_loop MANIFEST.json MODEL.pt INPUT.bin N [THREADS]".into());
	};
	let n: u32 = n.parse().map_err(|e| format!("N: {e}"))?;
	let threads: i32 =
		rest.first().map_or(Ok(1), |t| t.parse()).map_err(|e| format!("THREADS: {e}"))?;
	// The worker's process-wide settings (main.rs).
	determinism::set_deterministic(true);
	tch::set_num_threads(threads);
	tch::set_num_interop_threads(1);

	let text = std::fs::read_to_string(manifest).map_err(|e| format!("{manifest}: {e}"))?;
	let manifest: ModelManifest = serde_json::from_str(&text).map_err(|e| format!("{e}"))?;
	let model = Model::from_manifest(manifest).map_err(|e| e.to_string())?;
	let bytes = std::fs::read(pt).map_err(|e| format!("{pt}: {e}"))?;
	let loaded =
		TchBackend::new(DeviceChoice::Cpu, 0.0)?.load(&bytes).map_err(|e| e.to_string())?;
	let data = std::fs::read(input).map_err(|e| format!("{input}: {e}"))?;
	let shape = model.input.resolve("input", data.len())?;
	let input = RawTensor { dtype: model.input.dtype, shape, data };

	// On a thread of its own, as the worker's inference threads are (`pool.rs`).
	let (run_s, digest_s) = std::thread::Builder::new()
		.name("inference-0".into())
		.spawn(move || timed(&model, &*loaded, &input, n))
		.map_err(|e| e.to_string())?
		.join()
		.map_err(|_| "the inference thread panicked".to_string())??;
	let per = |s: f64| s * 1000.0 / f64::from(n.max(1));
	Ok(format!(
		r#"{{"runs": {n}, "run_ms": {:.6}, "digest_ms": {:.6}}}"#,
		per(run_s),
		per(digest_s)
	))
}

/// Seconds spent in `Loaded::run` and in `canonicalize` over `n` jobs, after a warm-up.
fn timed(
	model: &Model,
	loaded: &dyn Loaded,
	input: &RawTensor,
	n: u32,
) -> Result<(f64, f64), String> {
	let once = || -> Result<(f64, f64), String> {
		let t = Instant::now();
		let raw = loaded.run(input).map_err(|e| e.to_string())?;
		let run_s = t.elapsed().as_secs_f64();
		let t = Instant::now();
		canonicalize(model, input, raw).map_err(|e| e.to_string())?;
		Ok((run_s, t.elapsed().as_secs_f64()))
	};
	// Warm-up, as the Python loop has: the profiling executor optimizes after a few runs.
	for _ in 0..3 {
		once()?;
	}
	let (mut run_s, mut digest_s) = (0.0, 0.0);
	for _ in 0..n {
		let (r, d) = once()?;
		run_s += r;
		digest_s += d;
	}
	Ok((run_s, digest_s))
}
