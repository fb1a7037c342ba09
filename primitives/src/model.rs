//! Model manifests as the chain stores them.
//!
//! A manifest says what a model is (the blake2-256 hash of its TorchScript file), what it takes
//! and returns, how its outputs are canonicalized for voting, and where providers can fetch it.
//! Manifests are immutable: a new version of a model is a new manifest with a new id.
//!
//! A model's id on chain is [`model_id`]: the hash of its publisher and its whole manifest, not
//! of its file. Keyed by the file's hash, the first account to register a file fixed its
//! manifest (shapes, canonicalization, sources) for everyone and could retire it, so a squatter
//! that saw a publisher's file first locked the publisher out of its own model (attack 10).
//! Keyed by publisher and manifest, an id can only be created, held and retired by the account
//! that announced it: a squatter can register the same file, even the same manifest, only under
//! ids of its own, which nobody is bound to use.
//!
//! The same fields appear in synod-worker's JSON manifest
//! ([`crate::worker_api::ManifestJson`]); the off-chain worker converts one into the other.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::{traits::ConstU32, BoundedVec};

use crate::digest::{DType, Hash32, MAX_STEP_EXPONENT};

pub use crate::limits::{MAX_NAME_LEN, MAX_RANK, MAX_SOURCES, MAX_URI_LEN};
/// URI schemes a manifest source may use; both are fetchable by any provider.
pub const URI_SCHEMES: [&[u8]; 3] = [b"http://", b"https://", b"ipfs://"];

/// A model's identifier on chain: [`model_id`] of its publisher and manifest.
pub type ModelId = Hash32;
/// The domain tag [`model_id`] hashes first, so that an id is never the hash of anything else.
pub const MODEL_ID_DOMAIN: [u8; 14] = *b"synod/model-id";

/// The id of `manifest` registered by `publisher`: `blake2_256(MODEL_ID_DOMAIN ‖
/// SCALE(publisher) ‖ SCALE(manifest))` (for an `AccountId32`, its 32 bytes).
pub fn model_id<AccountId: Encode>(publisher: &AccountId, manifest: &ModelManifest) -> ModelId {
	(MODEL_ID_DOMAIN, publisher, manifest).using_encoded(sp_crypto_hashing::blake2_256)
}
/// A model name (UTF-8, 1 to [`MAX_NAME_LEN`] bytes).
pub type ModelName = BoundedVec<u8, ConstU32<MAX_NAME_LEN>>;
/// A tensor shape; `None` marks the dynamic batch dimension (the first one only).
pub type Shape = BoundedVec<Option<u32>, ConstU32<MAX_RANK>>;
/// A source URI (`http://`, `https://` or `ipfs://`).
pub type SourceUri = BoundedVec<u8, ConstU32<MAX_URI_LEN>>;
/// The source URIs of a manifest.
pub type Sources = BoundedVec<SourceUri, ConstU32<MAX_SOURCES>>;

/// Element type and shape of a tensor.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct TensorSpec {
	/// Element type.
	pub dtype: DType,
	/// Dimensions, outermost first; `None` only for a dynamic first (batch) dimension.
	pub shape: Shape,
}

impl TensorSpec {
	/// Number of elements of one batch item (the product of the static dimensions), or `None`
	/// on overflow.
	pub fn static_elements(&self) -> Option<u64> {
		self.shape.iter().flatten().try_fold(1u64, |acc, d| acc.checked_mul(u64::from(*d)))
	}

	/// Whether the first dimension is dynamic.
	pub fn dynamic_batch(&self) -> bool {
		matches!(self.shape.first(), Some(None))
	}

	/// Whether `len` bytes are a tensor of this spec: exactly one item for a static shape, a
	/// whole positive number of items for a dynamic batch. A job whose input fails this would
	/// fail on every honest worker, so the chain refuses it up front.
	pub fn accepts_len(&self, len: usize) -> bool {
		let Some(item) = self
			.static_elements()
			.and_then(|n| usize::try_from(n).ok())
			.and_then(|n| n.checked_mul(self.dtype.size()))
			.filter(|b| *b > 0)
		else {
			return false;
		};
		if self.dynamic_batch() {
			len > 0 && len.checked_rem(item) == Some(0)
		} else {
			len == item
		}
	}
}

/// How outputs are canonicalized before voting.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct Canonicalization {
	/// Quantization step `2^-step_exponent` (0 to [`MAX_STEP_EXPONENT`]).
	pub step_exponent: u8,
	/// Two outputs agree when every element differs by at most this many steps.
	pub tolerance: u64,
}

/// An immutable model manifest.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct ModelManifest {
	/// blake2-256 of the TorchScript file (the worker checks what it fetches against it).
	pub file_hash: Hash32,
	/// Human-readable name (UTF-8).
	pub name: ModelName,
	/// The one input tensor.
	pub input: TensorSpec,
	/// The output tensor.
	pub output: TensorSpec,
	/// Quantization and tolerance.
	pub canonicalization: Canonicalization,
	/// Largest accepted input, in bytes.
	pub max_input_bytes: u32,
	/// Where providers fetch the file; at least one.
	pub sources: Sources,
}

/// Why a manifest is not well formed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ManifestError {
	/// The name is empty or not UTF-8.
	InvalidName,
	/// A shape is empty, has a zero dimension, or a dynamic dimension other than the first.
	InvalidShape,
	/// The quantization exponent is above [`MAX_STEP_EXPONENT`].
	InvalidStepExponent,
	/// The tolerance is above [`max_tolerance`] for the step.
	InvalidTolerance,
	/// `max_input_bytes` is zero or smaller than one batch item of the input spec.
	InvalidMaxInputBytes,
	/// No source, or a source with a scheme other than `http://`, `https://`, `ipfs://`, or
	/// nothing after the scheme.
	InvalidSource,
}

/// The largest tolerance a manifest may set with quantization step `2^-step_exponent`: a
/// 64th of one unit of output, `2^(step_exponent − 6)` steps (0 for steps of 1/32 and
/// coarser, where outputs must match exactly). Float noise between determinism classes is
/// about 1e-6 of an output's scale in f32 and 1e-3 in f16; a 64th of a unit covers it with
/// room, while an unbounded tolerance (`u64::MAX`) made every small output agree with every
/// other, so that any answer passed the vote.
pub fn max_tolerance(step_exponent: u8) -> u64 {
	1u64.checked_shl(u32::from(step_exponent)).map_or(0, |steps| steps >> 6)
}

fn check_shape(spec: &TensorSpec) -> Result<(), ManifestError> {
	if spec.shape.is_empty() {
		return Err(ManifestError::InvalidShape);
	}
	for (i, d) in spec.shape.iter().enumerate() {
		match d {
			Some(0) => return Err(ManifestError::InvalidShape),
			None if i != 0 => return Err(ManifestError::InvalidShape),
			_ => {},
		}
	}
	spec.static_elements().map(|_| ()).ok_or(ManifestError::InvalidShape)
}

/// Whether `uri` is a fetchable source: `http://`, `https://` or `ipfs://` followed by at least
/// one printable, non-space ASCII byte (and nothing else).
pub fn is_source_uri(uri: &[u8]) -> bool {
	URI_SCHEMES.iter().any(|scheme| {
		uri.strip_prefix(*scheme)
			.is_some_and(|rest| !rest.is_empty() && rest.iter().all(|b| b.is_ascii_graphic()))
	})
}

impl ModelManifest {
	/// A valid manifest for tests and benchmarks, the MLP fixture's shape: f32 [batch, 16] ->
	/// f32 [batch, 4], step 2^-16, tolerance 2, 64 KiB inputs, one https source, file hash
	/// `[7; 32]`. Tests change what they test with struct update syntax
	/// (`ModelManifest { file_hash, ..ModelManifest::sample() }`). Native builds only.
	#[cfg(feature = "std")]
	pub fn sample() -> Self {
		ModelManifest {
			file_hash: [7; 32],
			name: BoundedVec::truncate_from(b"mlp".to_vec()),
			input: TensorSpec {
				dtype: DType::F32,
				shape: BoundedVec::truncate_from(alloc::vec![None, Some(16)]),
			},
			output: TensorSpec {
				dtype: DType::F32,
				shape: BoundedVec::truncate_from(alloc::vec![None, Some(4)]),
			},
			canonicalization: Canonicalization { step_exponent: 16, tolerance: 2 },
			max_input_bytes: 65_536,
			sources: BoundedVec::truncate_from(alloc::vec![BoundedVec::truncate_from(
				b"https://models.example/mlp.pt".to_vec()
			)]),
		}
	}

	/// Checks that the manifest is well formed (bounds are enforced by its types).
	pub fn validate(&self) -> Result<(), ManifestError> {
		if self.name.is_empty() || core::str::from_utf8(&self.name).is_err() {
			return Err(ManifestError::InvalidName);
		}
		check_shape(&self.input)?;
		check_shape(&self.output)?;
		if self.canonicalization.step_exponent > MAX_STEP_EXPONENT {
			return Err(ManifestError::InvalidStepExponent);
		}
		if self.canonicalization.tolerance > max_tolerance(self.canonicalization.step_exponent) {
			return Err(ManifestError::InvalidTolerance);
		}
		let item_bytes = self
			.input
			.static_elements()
			.and_then(|n| n.checked_mul(self.input.dtype.size() as u64))
			.ok_or(ManifestError::InvalidShape)?;
		if self.max_input_bytes == 0 || u64::from(self.max_input_bytes) < item_bytes {
			return Err(ManifestError::InvalidMaxInputBytes);
		}
		if self.sources.is_empty() || !self.sources.iter().all(|s| is_source_uri(s)) {
			return Err(ManifestError::InvalidSource);
		}
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn sample() -> ModelManifest {
		ModelManifest::sample()
	}

	#[test]
	fn sample_is_valid() {
		assert_eq!(sample().validate(), Ok(()));
		assert_eq!(sample().input.static_elements(), Some(16));
		assert!(sample().input.dynamic_batch());
	}

	/// Attack 10: an id is the publisher's and the manifest's, so that nobody registers a
	/// publisher's id before it (another account's copy of the same manifest has another id),
	/// and every field, the sources and canonicalization included, is part of what it names.
	#[test]
	fn a_model_id_names_its_publisher_and_its_whole_manifest() {
		let m = sample();
		let id = model_id(&[1u8; 32], &m);
		let mut preimage = MODEL_ID_DOMAIN.to_vec();
		preimage.extend([1u8; 32]);
		preimage.extend(m.encode());
		assert_eq!(id, sp_crypto_hashing::blake2_256(&preimage));
		assert_ne!(id, m.file_hash);
		assert_ne!(model_id(&[2u8; 32], &m), id);
		let mut tolerant = sample();
		tolerant.canonicalization.tolerance = 0;
		assert_ne!(model_id(&[1u8; 32], &tolerant), id);
		let mut mirrored = sample();
		mirrored.sources[0] = b"https://mirror.example/mlp.pt".to_vec().try_into().unwrap();
		assert_ne!(model_id(&[1u8; 32], &mirrored), id);
	}

	#[test]
	fn each_rule_is_checked() {
		let mut m = sample();
		m.name = Default::default();
		assert_eq!(m.validate(), Err(ManifestError::InvalidName));
		let mut m = sample();
		m.name = vec![0xff, 0xfe].try_into().unwrap();
		assert_eq!(m.validate(), Err(ManifestError::InvalidName));
		let mut m = sample();
		m.input.shape = Default::default();
		assert_eq!(m.validate(), Err(ManifestError::InvalidShape));
		let mut m = sample();
		m.output.shape = vec![Some(4), None].try_into().unwrap();
		assert_eq!(m.validate(), Err(ManifestError::InvalidShape));
		let mut m = sample();
		m.input.shape = vec![None, Some(0)].try_into().unwrap();
		assert_eq!(m.validate(), Err(ManifestError::InvalidShape));
		let mut m = sample();
		m.input.shape = vec![Some(u32::MAX); 8].try_into().unwrap();
		assert_eq!(m.validate(), Err(ManifestError::InvalidShape));
		let mut m = sample();
		m.canonicalization.step_exponent = MAX_STEP_EXPONENT + 1;
		assert_eq!(m.validate(), Err(ManifestError::InvalidStepExponent));
		// Attack 10: a tolerance with which every small output agrees.
		let mut m = sample();
		m.canonicalization.tolerance = u64::MAX;
		assert_eq!(m.validate(), Err(ManifestError::InvalidTolerance));
		m.canonicalization.tolerance = max_tolerance(m.canonicalization.step_exponent);
		assert_eq!((m.validate(), m.canonicalization.tolerance), (Ok(()), 1024));
		m.canonicalization.tolerance += 1;
		assert_eq!(m.validate(), Err(ManifestError::InvalidTolerance));
		assert_eq!(max_tolerance(0), 0);
		assert_eq!(max_tolerance(MAX_STEP_EXPONENT), 1 << 34);
		let mut m = sample();
		m.max_input_bytes = 63;
		assert_eq!(m.validate(), Err(ManifestError::InvalidMaxInputBytes));
		let mut m = sample();
		m.sources = Default::default();
		assert_eq!(m.validate(), Err(ManifestError::InvalidSource));
		for bad in [&b"file:///models/mlp.pt"[..], b"mlp.pt", b"https://", b"http://a b"] {
			let mut m = sample();
			m.sources = vec![bad.to_vec().try_into().unwrap()].try_into().unwrap();
			assert_eq!(m.validate(), Err(ManifestError::InvalidSource), "{bad:?}");
		}
		let mut m = sample();
		m.sources = vec![b"ipfs://bafybeigdyrzt".to_vec().try_into().unwrap()].try_into().unwrap();
		assert_eq!(m.validate(), Ok(()));
	}
}
