//! Limits that the chain, its off-chain workers and synod-worker share, defined once.

/// The most dimensions a tensor spec may have.
pub const MAX_RANK: u32 = 8;
/// The longest model name, in bytes (UTF-8).
pub const MAX_NAME_LEN: u32 = 64;
/// The most source URIs a manifest may list.
pub const MAX_SOURCES: u32 = 4;
/// The longest source URI, in bytes.
pub const MAX_URI_LEN: u32 = 256;
/// The longest worker job id, in bytes.
pub const MAX_JOB_ID_LEN: u32 = 128;
/// The most jobs in one `POST /v1/batch/submit` or ids in one `POST /v1/batch/query`.
pub const MAX_WORKER_BATCH: u32 = 1024;
