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
/// With it on, cuBLAS needs a fixed workspace, so this also sets `CUBLAS_WORKSPACE_CONFIG`
/// when it is unset; call it before the first CUDA operation, while the process has one thread.
pub fn set_deterministic(on: bool) {
	if on && std::env::var_os("CUBLAS_WORKSPACE_CONFIG").is_none() {
		std::env::set_var("CUBLAS_WORKSPACE_CONFIG", ":4096:8");
	}
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
