//! Compute providers: determinism classes and what pallet-jobs reads about a provider.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::{traits::ConstU32, BoundedVec, Permill};

use crate::digest::Hash32;

/// The longest device architecture string (`"sm_90"`, `"x86_64-avx2"` …), in bytes.
pub const MAX_ARCH_LEN: u32 = 32;
/// The longest libtorch version string (`"2.11.0+cu130"`), in bytes.
pub const MAX_LIBTORCH_LEN: u32 = 32;

/// The kind of device a provider computes on.
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
pub enum DeviceKind {
	/// CPU inference.
	Cpu,
	/// An NVIDIA GPU through CUDA.
	Cuda,
}

/// What decides whether two providers produce bit-identical outputs: providers of one class
/// agree digest for digest, across classes only within the model's tolerance.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct DeterminismClass {
	/// CPU or CUDA.
	pub device: DeviceKind,
	/// Device architecture (`"sm_90"`, `"x86_64"`), ASCII.
	pub arch: BoundedVec<u8, ConstU32<MAX_ARCH_LEN>>,
	/// libtorch version (`"2.11.0+cu130"`), ASCII.
	pub libtorch: BoundedVec<u8, ConstU32<MAX_LIBTORCH_LEN>>,
	/// Whether deterministic algorithms are on (no cuDNN benchmark, no TF32).
	pub deterministic: bool,
}

impl DeterminismClass {
	/// A short identifier of the class: blake2-256 of its encoding.
	pub fn id(&self) -> ClassId {
		sp_crypto_hashing::blake2_256(&self.encode())
	}

	/// Whether the strings are printable ASCII and not empty.
	pub fn is_well_formed(&self) -> bool {
		let ok = |s: &[u8]| !s.is_empty() && s.iter().all(|b| b.is_ascii_graphic());
		ok(&self.arch) && ok(&self.libtorch)
	}
}

/// Identifier of a [`DeterminismClass`].
pub type ClassId = Hash32;

/// A live provider's offer for a model, busy or not, as pallet-providers reports it to
/// pallet-jobs: what tells a job that waits for busy providers from one nobody can take.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct Offer<Balance> {
	/// Its price per job for the model.
	pub price: Balance,
	/// Its whole bond, locked or not: the most collateral it can ever put up.
	pub bond: Balance,
	/// Its determinism class.
	pub class: ClassId,
}

/// A provider that can take a job now, as pallet-providers reports it to pallet-jobs.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct Candidate<AccountId, Balance> {
	/// The provider's account.
	pub who: AccountId,
	/// Its price per job for the model.
	pub price: Balance,
	/// Bond not locked as collateral: what it can still put up.
	pub free_bond: Balance,
	/// Its reputation score.
	pub reputation: Permill,
	/// Its determinism class.
	pub class: ClassId,
	/// Jobs it can still take (its concurrency limit less its running jobs; at least 1).
	pub slots: u32,
}
