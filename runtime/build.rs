//! Builds the runtime's wasm blob, twice: once to read its metadata, then with
//! `RUNTIME_METADATA_HASH` set, so that `CheckMetadataHash` lets wallets verify what they sign.

#[cfg(feature = "std")]
fn main() {
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash("SYN", 12)
		.build();
}

/// The wasm builder is off when this crate is itself compiled to wasm.
#[cfg(not(feature = "std"))]
fn main() {}
