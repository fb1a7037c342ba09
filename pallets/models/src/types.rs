//! Types of the models pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::traits::fungible::Inspect;
use scale_info::TypeInfo;
use synod_primitives::model::ModelManifest;

/// The balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as crate::Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// Whether new jobs may use a model.
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
pub enum ModelStatus {
	/// New jobs and offers may use it.
	Active,
	/// Retired by its publisher or `RetireOrigin`: open jobs finish, no new ones start.
	Retired,
}

/// A registered model.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct ModelRecord<AccountId, Balance> {
	/// The immutable manifest.
	pub manifest: ModelManifest,
	/// Who registered it and holds its deposit.
	pub publisher: AccountId,
	/// The deposit still held (zero once released).
	pub deposit: Balance,
	/// Active or retired.
	pub status: ModelStatus,
	/// Jobs that acquired the model and have not released it.
	pub open_jobs: u32,
}
