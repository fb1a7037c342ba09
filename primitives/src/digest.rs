//! The canonical output digest.
//!
//! Providers must agree on a result without trusting each other's floating point. Each output
//! element is first **quantized** to an integer on the model's grid (step `2^-e`), then the
//! quantized tensor is hashed:
//!
//! ```text
//! digest = blake2_256( model_hash            32 bytes
//!                    ‖ input_hash            32 bytes
//!                    ‖ rank                  u32 little-endian
//!                    ‖ dim_0 … dim_{rank-1}  u32 little-endian each
//!                    ‖ q_0 … q_{n-1}         i64 little-endian each )
//! ```
//!
//! `model_hash` is the job's model id on chain ([`crate::model::model_id`]: publisher and
//! manifest), so that a digest names the manifest the chain agreed on, canonicalization
//! included; a worker's own models outside a chain use their file hash.
//!
//! Quantization (done by the worker; the runtime never touches floats):
//!
//! - floating outputs (`f16`, `bf16`, `f32`, `f64`) are widened exactly to `f64`, multiplied by
//!   `2^e` (exact: a power of two) and rounded half away from zero; finite values are clamped
//!   to `±QUANT_LIMIT`; `NaN` maps to [`Q_NAN`], `+∞` to [`Q_POS_INF`], `-∞` to [`Q_NEG_INF`];
//! - integer and boolean outputs are their own grid: `q = value` whatever `e` is.
//!
//! Two quantized outputs *agree within tolerance `t`* when their shapes are equal and every
//! pair of elements differs by at most `t` steps ([`within_tolerance`]); equal digests mean
//! bit-identical quantized outputs.
//!
//! A **cohort** (many jobs of one model verified together, one commitment per provider) is
//! answered by the root of its members' digests, in member order:
//!
//! ```text
//! members_root = blake2_256( "synod:members:v1"   16 bytes
//!                          ‖ n                    u32 little-endian
//!                          ‖ d_0 … d_{n-1}        32 bytes each )
//! ```
//!
//! over the members' output digests (the cohort's digest) or their input hashes (the cohort's
//! input hash). Equal roots mean equal digests for every member.
//!
//! `primitives/test-vectors/digest.json` holds vectors made by an independent Python
//! implementation (`primitives/test-vectors/make_digest_vectors.py`); this crate's tests and synod-worker's
//! check them.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// A 32-byte blake2-256 hash.
pub type Hash32 = [u8; 32];

/// Quantized value of `NaN`.
pub const Q_NAN: i64 = i64::MIN;
/// Quantized value of `-∞`.
pub const Q_NEG_INF: i64 = i64::MIN + 1;
/// Quantized value of `+∞`.
pub const Q_POS_INF: i64 = i64::MAX;
/// Finite quantized values are clamped to `[-QUANT_LIMIT, QUANT_LIMIT]` (2^62).
pub const QUANT_LIMIT: i64 = 1 << 62;
/// The largest quantization exponent `e` (step `2^-e`) a model may declare.
pub const MAX_STEP_EXPONENT: u8 = 40;

/// Element type of a tensor.
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
pub enum DType {
	/// IEEE 754 binary16.
	F16,
	/// bfloat16.
	BF16,
	/// IEEE 754 binary32.
	F32,
	/// IEEE 754 binary64.
	F64,
	/// Unsigned byte.
	U8,
	/// Signed byte.
	I8,
	/// 16-bit signed integer.
	I16,
	/// 32-bit signed integer.
	I32,
	/// 64-bit signed integer.
	I64,
	/// Boolean, one byte (0 or 1).
	Bool,
}

impl DType {
	/// Size of one element in bytes.
	pub const fn size(self) -> usize {
		match self {
			DType::U8 | DType::I8 | DType::Bool => 1,
			DType::F16 | DType::BF16 | DType::I16 => 2,
			DType::F32 | DType::I32 => 4,
			DType::F64 | DType::I64 => 8,
		}
	}

	/// Whether the type is floating point (quantized with the model's step).
	pub const fn is_float(self) -> bool {
		matches!(self, DType::F16 | DType::BF16 | DType::F32 | DType::F64)
	}

	/// The lower-case name used in manifests and the worker's API (`"f32"`, `"i64"` …).
	pub const fn name(self) -> &'static str {
		match self {
			DType::F16 => "f16",
			DType::BF16 => "bf16",
			DType::F32 => "f32",
			DType::F64 => "f64",
			DType::U8 => "u8",
			DType::I8 => "i8",
			DType::I16 => "i16",
			DType::I32 => "i32",
			DType::I64 => "i64",
			DType::Bool => "bool",
		}
	}

	/// Parses a name as [`DType::name`] writes it.
	pub fn from_name(name: &str) -> Option<Self> {
		Some(match name {
			"f16" => DType::F16,
			"bf16" => DType::BF16,
			"f32" => DType::F32,
			"f64" => DType::F64,
			"u8" => DType::U8,
			"i8" => DType::I8,
			"i16" => DType::I16,
			"i32" => DType::I32,
			"i64" => DType::I64,
			"bool" => DType::Bool,
			_ => return None,
		})
	}
}

/// Why a tensor could not be canonicalized.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DigestError {
	/// The byte length is not a whole number of elements.
	RaggedBytes,
	/// The element count does not match the shape.
	ShapeMismatch,
	/// The step exponent is above [`MAX_STEP_EXPONENT`].
	StepTooFine,
}

/// Number of elements of a shape, or `None` on overflow.
pub fn element_count(shape: &[u32]) -> Option<usize> {
	shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(usize::try_from(d).ok()?))
}

/// The canonical digest of an already quantized output (see the module docs).
pub fn output_digest(
	model_hash: &Hash32,
	input_hash: &Hash32,
	shape: &[u32],
	quantized: &[i64],
) -> Hash32 {
	let mut bytes = alloc::vec::Vec::with_capacity(
		64usize
			.saturating_add(4usize.saturating_mul(shape.len().saturating_add(1)))
			.saturating_add(8usize.saturating_mul(quantized.len())),
	);
	bytes.extend_from_slice(model_hash);
	bytes.extend_from_slice(input_hash);
	bytes.extend_from_slice(&(u32::try_from(shape.len()).unwrap_or(u32::MAX)).to_le_bytes());
	for d in shape {
		bytes.extend_from_slice(&d.to_le_bytes());
	}
	for q in quantized {
		bytes.extend_from_slice(&q.to_le_bytes());
	}
	sp_crypto_hashing::blake2_256(&bytes)
}

/// The canonical hash of a job's input bytes.
pub fn input_hash(input: &[u8]) -> Hash32 {
	sp_crypto_hashing::blake2_256(input)
}

/// The domain tag of [`members_root`].
pub const MEMBERS_TAG: &[u8; 16] = b"synod:members:v1";

/// The root of a cohort's member hashes (output digests or input hashes), in member order.
pub fn members_root(members: &[Hash32]) -> Hash32 {
	let mut bytes = alloc::vec::Vec::with_capacity(
		20usize.saturating_add(32usize.saturating_mul(members.len())),
	);
	bytes.extend_from_slice(MEMBERS_TAG);
	bytes.extend_from_slice(&(u32::try_from(members.len()).unwrap_or(u32::MAX)).to_le_bytes());
	for m in members {
		bytes.extend_from_slice(m);
	}
	sp_crypto_hashing::blake2_256(&bytes)
}

/// The domain tag of [`unservable_digest`].
pub const UNSERVABLE_TAG: &[u8; 20] = b"synod:unservable:v1\0";

/// Why a provider cannot serve a job: the kinds of its signed "cannot serve" answer. Each
/// is a fact about the job that every honest provider observes alike, so honest providers'
/// answers agree digest for digest and the vote decides whether the input was servable.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum Unservable {
	/// The input could not be fetched from its URI, or the bytes fetched do not have its hash.
	InputUnavailable = 1,
	/// The model refuses the input (the worker's permanent error for it: token ids outside
	/// the vocabulary, a shape the model does not take).
	InputRejected = 2,
	/// The output is larger than the chain can deliver (`pallet_jobs::types::
	/// MAX_DELIVERED_OUTPUT` elements): an input by URI whose size the chain could not bound at
	/// submission.
	OutputTooLarge = 3,
}

impl Unservable {
	/// Every kind.
	pub const ALL: [Unservable; 3] =
		[Unservable::InputUnavailable, Unservable::InputRejected, Unservable::OutputTooLarge];
}

/// The digest a provider commits to and reveals when it cannot serve a job:
/// `blake2_256("synod:unservable:v1\0" ‖ model ‖ input_hash ‖ kind u8)`. It is bound to the
/// job's model and input, so it never collides with an output digest and cannot be reused
/// for another input.
pub fn unservable_digest(model_hash: &Hash32, input_hash: &Hash32, kind: Unservable) -> Hash32 {
	let mut bytes = alloc::vec::Vec::with_capacity(85);
	bytes.extend_from_slice(UNSERVABLE_TAG);
	bytes.extend_from_slice(model_hash);
	bytes.extend_from_slice(input_hash);
	bytes.push(kind as u8);
	sp_crypto_hashing::blake2_256(&bytes)
}

/// Whether two quantized outputs agree: same length, and every element within `tolerance` steps.
pub fn within_tolerance(a: &[i64], b: &[i64], tolerance: u64) -> bool {
	a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.abs_diff(*y) <= tolerance)
}

/// Quantizes one `f64` on the grid of step `2^-exponent` (see the module docs).
#[cfg(feature = "std")]
pub fn quantize_f64(x: f64, exponent: u8) -> i64 {
	if x.is_nan() {
		return Q_NAN;
	}
	if x.is_infinite() {
		return if x > 0.0 { Q_POS_INF } else { Q_NEG_INF };
	}
	// Exact: multiplying by a power of two only changes the binary exponent (an overflow to
	// infinity only happens for values that the clamp below maps to the limit anyway).
	let scaled = (x * 2f64.powi(i32::from(exponent))).round();
	let limit = QUANT_LIMIT as f64;
	if scaled >= limit {
		QUANT_LIMIT
	} else if scaled <= -limit {
		-QUANT_LIMIT
	} else {
		scaled as i64
	}
}

/// IEEE binary16 bits to `f64`, exactly.
#[cfg(feature = "std")]
pub fn f16_to_f64(bits: u16) -> f64 {
	let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
	let exp = i32::from((bits >> 10) & 0x1f);
	let frac = f64::from(bits & 0x3ff);
	match exp {
		0 => sign * frac * 2f64.powi(-24),
		0x1f => {
			if frac == 0.0 {
				sign * f64::INFINITY
			} else {
				f64::NAN
			}
		},
		_ => sign * (1.0 + frac / 1024.0) * 2f64.powi(exp.saturating_sub(15)),
	}
}

/// bfloat16 bits to `f64`, exactly.
#[cfg(feature = "std")]
pub fn bf16_to_f64(bits: u16) -> f64 {
	f64::from(f32::from_bits(u32::from(bits) << 16))
}

/// Quantizes a little-endian tensor of `dtype` with `shape` on the grid `2^-exponent`.
#[cfg(feature = "std")]
pub fn quantize_le_bytes(
	dtype: DType,
	shape: &[u32],
	bytes: &[u8],
	exponent: u8,
) -> Result<alloc::vec::Vec<i64>, DigestError> {
	if exponent > MAX_STEP_EXPONENT {
		return Err(DigestError::StepTooFine);
	}
	let size = dtype.size();
	if bytes.len().checked_rem(size) != Some(0) {
		return Err(DigestError::RaggedBytes);
	}
	if element_count(shape) != bytes.len().checked_div(size) {
		return Err(DigestError::ShapeMismatch);
	}
	let q = |x: f64| quantize_f64(x, exponent);
	fn each<const N: usize>(bytes: &[u8], f: impl Fn([u8; N]) -> i64) -> alloc::vec::Vec<i64> {
		bytes.chunks_exact(N).filter_map(|c| <[u8; N]>::try_from(c).ok()).map(f).collect()
	}
	let out = match dtype {
		DType::F16 => each::<2>(bytes, |b| q(f16_to_f64(u16::from_le_bytes(b)))),
		DType::BF16 => each::<2>(bytes, |b| q(bf16_to_f64(u16::from_le_bytes(b)))),
		DType::F32 => each::<4>(bytes, |b| q(f64::from(f32::from_le_bytes(b)))),
		DType::F64 => each::<8>(bytes, |b| q(f64::from_le_bytes(b))),
		DType::U8 => each::<1>(bytes, |b| i64::from(u8::from_le_bytes(b))),
		DType::I8 => each::<1>(bytes, |b| i64::from(i8::from_le_bytes(b))),
		DType::Bool => each::<1>(bytes, |b| i64::from(b != [0])),
		DType::I16 => each::<2>(bytes, |b| i64::from(i16::from_le_bytes(b))),
		DType::I32 => each::<4>(bytes, |b| i64::from(i32::from_le_bytes(b))),
		DType::I64 => each::<8>(bytes, i64::from_le_bytes),
	};
	Ok(out)
}
