//! libtorch's determinism switches: deterministic algorithms, no cuDNN autotuning, no TF32.

#[allow(unsafe_code)]
mod ffi {
	extern "C" {
		pub fn synod_set_deterministic(on: i32);
		pub fn synod_deterministic_enabled() -> i32;
	}
}

/// Turns deterministic mode on or off for the whole process.
///
/// `CUBLAS_WORKSPACE_CONFIG` is left as the environment has it: libtorch 2.11 with CUDA 13 runs
/// deterministic mode without it, and `:4096:8` made MiniLM 4x slower on an H200 (2.0 ms →
/// 8.7 ms per batch of 1, measured by scripts/gpu-check.sh's probe) with equal digests.
pub fn set_deterministic(on: bool) {
	#[allow(unsafe_code)]
	// SAFETY: the shim takes a plain int and only flips flags of ATen's global context.
	unsafe {
		ffi::synod_set_deterministic(i32::from(on))
	}
}

/// Whether deterministic algorithms are on.
pub fn is_deterministic() -> bool {
	#[allow(unsafe_code)]
	// SAFETY: reads a flag of ATen's global context.
	unsafe {
		ffi::synod_deterministic_enabled() != 0
	}
}
