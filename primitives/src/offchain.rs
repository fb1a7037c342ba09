//! Offchain persistent-storage keys shared by the node and the runtime's off-chain worker.
//!
//! The node writes these under the `PERSISTENT` offchain storage kind (the `b"storage"` prefix
//! of `sp_core::offchain::STORAGE_PREFIX`) at start-up; the off-chain worker reads them with
//! `StorageValueRef::persistent(KEY)`.

/// Key under which the node stores the URL of the local `synod-worker` (UTF-8 bytes).
pub const WORKER_URL_KEY: &[u8] = b"synod::worker-url";

/// The worker URL used when the node is started without `--worker-url`.
pub const DEFAULT_WORKER_URL: &str = "http://127.0.0.1:7400";

/// The longest worker URL the node accepts and the off-chain worker reads, in bytes.
pub const MAX_WORKER_URL_LEN: usize = 256;

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn default_url_fits_the_bound() {
		assert!(DEFAULT_WORKER_URL.len() <= MAX_WORKER_URL_LEN);
		assert!(DEFAULT_WORKER_URL.starts_with("http://"));
	}
}
