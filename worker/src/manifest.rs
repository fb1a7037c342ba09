//! Model manifests as the worker receives them (JSON, `synod_primitives::worker_api::
//! ManifestJson`): what a model is, what it takes and returns, how its outputs are
//! canonicalized, and where its bytes come from; checked here into a [`Model`].
//!
//! A `null` dimension is dynamic; only the first (batch) dimension may be.

/// A model manifest and a tensor spec as JSON: the protocol's own types.
pub use synod_primitives::worker_api::{
	ManifestJson as ModelManifest, TensorSpecJson as TensorSpec,
};
use synod_primitives::{
	digest::{element_count, DType, Hash32, MAX_STEP_EXPONENT},
	limits::{MAX_NAME_LEN, MAX_RANK, MAX_SOURCES},
};

use crate::error::JobError;

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
		if s.shape.len() > MAX_RANK as usize {
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
	/// The parsed hash of the file.
	pub hash: Hash32,
	/// The model id the output digest binds: the chain's id when the job names one
	/// (`model_id`), else the file hash.
	pub digest_id: Hash32,
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
		if manifest.name.is_empty() || manifest.name.len() > MAX_NAME_LEN as usize {
			return Err(JobError::InvalidRequest(format!(
				"name must be 1 to {MAX_NAME_LEN} bytes"
			)));
		}
		if manifest.step_exponent > MAX_STEP_EXPONENT {
			return Err(JobError::InvalidRequest(format!(
				"step_exponent {} is above {MAX_STEP_EXPONENT}",
				manifest.step_exponent
			)));
		}
		if manifest.sources.len() > MAX_SOURCES as usize {
			return Err(JobError::InvalidRequest(format!("more than {MAX_SOURCES} sources")));
		}
		let input = Spec::parse("input", &manifest.input)?;
		let output = Spec::parse("output", &manifest.output)?;
		Ok(Model { manifest, hash, digest_id: hash, input, output })
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
