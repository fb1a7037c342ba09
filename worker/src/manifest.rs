//! Model manifests as the worker receives them (JSON): what a model is, what it takes and
//! returns, how its outputs are canonicalized, and where its bytes come from.
//!
//! ```json
//! { "name": "mlp", "hash": "<64 hex: blake2-256 of the .pt file>",
//!   "input":  { "dtype": "f32", "shape": [null, 16] },
//!   "output": { "dtype": "f32", "shape": [null, 4] },
//!   "step_exponent": 16, "tolerance": 2, "max_input_bytes": 65536,
//!   "sources": ["http://host/mlp.pt", "file:///models/mlp.pt", "mlp.pt"] }
//! ```
//!
//! A `null` dimension is dynamic; only the first (batch) dimension may be.

use serde::{Deserialize, Serialize};
use synod_primitives::digest::{element_count, DType, Hash32, MAX_STEP_EXPONENT};

use crate::error::JobError;

/// The most dimensions a tensor spec may have.
pub const MAX_RANK: usize = 8;
/// The most sources a manifest may list.
pub const MAX_SOURCES: usize = 8;

/// Element type and shape of a tensor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TensorSpec {
	/// Element type name (`"f32"`, `"i64"` …, see [`DType::name`]).
	pub dtype: String,
	/// Dimensions; `null` for the dynamic batch dimension (first only).
	pub shape: Vec<Option<u32>>,
}

/// A model manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelManifest {
	/// Human-readable name.
	pub name: String,
	/// blake2-256 of the TorchScript file, 64 hex digits.
	pub hash: String,
	/// The one input tensor.
	pub input: TensorSpec,
	/// The output tensor (the first one, if the model returns several).
	pub output: TensorSpec,
	/// Quantization step `2^-step_exponent`.
	pub step_exponent: u8,
	/// Agreement tolerance, in steps.
	pub tolerance: u64,
	/// Largest accepted input, in bytes.
	pub max_input_bytes: u32,
	/// Where to fetch the file: `http(s)://…`, `file://…`, or a path relative to the models dir.
	#[serde(default)]
	pub sources: Vec<String>,
}

/// A tensor spec, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
	/// Element type.
	pub dtype: DType,
	/// Dimensions; `None` = dynamic batch (first only).
	pub shape: Vec<Option<u32>>,
}

impl Spec {
	fn parse(what: &str, s: &TensorSpec) -> Result<Self, JobError> {
		let dtype = DType::from_name(&s.dtype).ok_or_else(|| {
			JobError::InvalidRequest(format!("{what}: unknown dtype {:?}", s.dtype))
		})?;
		if s.shape.len() > MAX_RANK {
			return Err(JobError::InvalidRequest(format!(
				"{what}: rank {} is above {MAX_RANK}",
				s.shape.len()
			)));
		}
		if s.shape.iter().skip(1).any(Option::is_none) {
			return Err(JobError::InvalidRequest(format!(
				"{what}: only the first dimension may be dynamic"
			)));
		}
		Ok(Spec { dtype, shape: s.shape.clone() })
	}

	/// The concrete shape for a tensor of `bytes` bytes, or why there is none.
	pub fn resolve(&self, what: &str, bytes: usize) -> Result<Vec<u32>, String> {
		let size = self.dtype.size();
		let count = bytes
			.checked_div(size)
			.filter(|_| bytes.checked_rem(size) == Some(0))
			.ok_or_else(|| {
				format!(
					"{what}: {bytes} bytes is not a whole number of {} elements",
					self.dtype.name()
				)
			})?;
		let fixed: Vec<u32> = self.shape.iter().skip(1).map(|d| d.unwrap_or(0)).collect();
		let shape = match self.shape.first() {
			Some(None) => {
				let per_item = element_count(&fixed).unwrap_or(0);
				let batch = count
					.checked_div(per_item)
					.filter(|b| b.checked_mul(per_item) == Some(count) && *b > 0)
					.ok_or_else(|| {
						format!(
							"{what}: {count} elements do not form a batch of {:?} items",
							self.shape
						)
					})?;
				let batch = u32::try_from(batch).map_err(|_| format!("{what}: batch too large"))?;
				core::iter::once(batch).chain(fixed).collect()
			},
			_ => {
				let shape: Vec<u32> = self.shape.iter().map(|d| d.unwrap_or(0)).collect();
				if element_count(&shape) != Some(count) {
					return Err(format!(
						"{what}: {count} elements do not fit shape {:?}",
						self.shape
					));
				}
				shape
			},
		};
		Ok(shape)
	}

	/// Whether a concrete shape matches this spec (any batch for a dynamic first dimension).
	pub fn matches(&self, shape: &[u32]) -> bool {
		shape.len() == self.shape.len()
			&& self.shape.iter().zip(shape).all(|(want, got)| want.is_none_or(|w| w == *got))
	}
}

/// A manifest, checked: parsed hash and specs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
	/// The manifest as received.
	pub manifest: ModelManifest,
	/// The parsed hash.
	pub hash: Hash32,
	/// Input spec.
	pub input: Spec,
	/// Output spec.
	pub output: Spec,
}

/// Parses 64 hex digits (an optional `0x` prefix is allowed).
pub fn parse_hash(s: &str) -> Result<Hash32, JobError> {
	let s = s.strip_prefix("0x").unwrap_or(s);
	let bytes = hex::decode(s).map_err(|e| JobError::InvalidRequest(format!("hash {s:?}: {e}")))?;
	bytes.try_into().map_err(|_| JobError::InvalidRequest(format!("hash {s:?} is not 32 bytes")))
}

impl Model {
	/// Checks a manifest.
	pub fn from_manifest(manifest: ModelManifest) -> Result<Self, JobError> {
		let hash = parse_hash(&manifest.hash)?;
		if manifest.name.is_empty() || manifest.name.len() > 128 {
			return Err(JobError::InvalidRequest("name must be 1 to 128 bytes".into()));
		}
		if manifest.step_exponent > MAX_STEP_EXPONENT {
			return Err(JobError::InvalidRequest(format!(
				"step_exponent {} is above {MAX_STEP_EXPONENT}",
				manifest.step_exponent
			)));
		}
		if manifest.sources.len() > MAX_SOURCES {
			return Err(JobError::InvalidRequest(format!("more than {MAX_SOURCES} sources")));
		}
		let input = Spec::parse("input", &manifest.input)?;
		let output = Spec::parse("output", &manifest.output)?;
		Ok(Model { manifest, hash, input, output })
	}

	/// The hash as 64 lower-case hex digits.
	pub fn hash_hex(&self) -> String {
		hex::encode(self.hash)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn spec(dtype: &str, shape: Vec<Option<u32>>) -> TensorSpec {
		TensorSpec { dtype: dtype.into(), shape }
	}

	fn manifest() -> ModelManifest {
		ModelManifest {
			name: "mlp".into(),
			hash: "ab".repeat(32),
			input: spec("f32", vec![None, Some(4)]),
			output: spec("f32", vec![None, Some(2)]),
			step_exponent: 10,
			tolerance: 1,
			max_input_bytes: 1024,
			sources: vec![],
		}
	}

	#[test]
	fn dynamic_batch_is_resolved_from_the_length() {
		let m = Model::from_manifest(manifest()).unwrap();
		assert_eq!(m.input.resolve("input", 3 * 4 * 4).unwrap(), vec![3, 4]);
		assert!(m.input.resolve("input", 4 * 4 + 4).is_err());
		assert!(m.input.resolve("input", 0).is_err());
		assert!(m.input.resolve("input", 7).is_err());
		assert!(m.output.matches(&[5, 2]));
		assert!(!m.output.matches(&[5, 3]));
	}

	#[test]
	fn bad_manifests_are_refused_with_reasons() {
		let mut m = manifest();
		m.hash = "zz".into();
		assert_eq!(Model::from_manifest(m).unwrap_err().kind(), "invalid_request");
		let mut m = manifest();
		m.input.dtype = "f8".into();
		assert!(Model::from_manifest(m).unwrap_err().to_string().contains("unknown dtype"));
		let mut m = manifest();
		m.input.shape = vec![Some(1), None];
		assert!(Model::from_manifest(m).is_err());
		let mut m = manifest();
		m.step_exponent = 99;
		assert!(Model::from_manifest(m).is_err());
	}
}
