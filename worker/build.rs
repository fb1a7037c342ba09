//! Links synod-worker against the libtorch that torch-sys found:
//! - an rpath to libtorch's lib dir, so the binary runs without LD_LIBRARY_PATH;
//! - `libtorch_cuda` kept in DT_NEEDED (`--as-needed` would drop it, and CUDA would then be
//!   invisible at run time), when libtorch has it;
//! - a small C++ shim for the determinism switches tch does not wrap;
//! - the libtorch version, for `/health` and the determinism class.

use std::path::PathBuf;

fn main() {
	println!("cargo:rerun-if-changed=src/determinism.cpp");
	let Ok(lib) = std::env::var("DEP_TCH_LIBTORCH_LIB") else {
		panic!("torch-sys did not report libtorch's lib dir (DEP_TCH_LIBTORCH_LIB)");
	};
	let lib = PathBuf::from(lib);
	println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
	if lib.join("libtorch_cuda.so").exists() {
		println!("cargo:rustc-link-arg=-Wl,--no-as-needed");
		println!("cargo:rustc-link-arg=-ltorch_cuda");
		println!("cargo:rustc-link-arg=-Wl,--as-needed");
		println!("cargo:rustc-cfg=synod_torch_cuda");
	}
	println!("cargo::rustc-check-cfg=cfg(synod_torch_cuda)");

	let root = lib.parent().map(PathBuf::from).unwrap_or_default();
	let version = std::fs::read_to_string(root.join("version.py"))
		.ok()
		.and_then(|s| {
			s.lines()
				.find_map(|l| l.strip_prefix("__version__ = "))
				.map(|v| v.trim().trim_matches('\'').trim_matches('"').to_string())
		})
		.or_else(|| std::fs::read_to_string(root.join("build-version")).ok())
		.unwrap_or_else(|| "unknown".into());
	println!("cargo:rustc-env=SYNOD_LIBTORCH_VERSION={}", version.trim());

	cc::Build::new()
		.cpp(true)
		.pic(true)
		.warnings(false)
		.include(root.join("include"))
		.include(root.join("include/torch/csrc/api/include"))
		.flag("-std=c++17")
		.flag("-D_GLIBCXX_USE_CXX11_ABI=1")
		.file("src/determinism.cpp")
		.compile("synod_determinism");
}
