#![doc = include_str!("../README.md")]
// Tests may unwrap, index and use plain arithmetic; production code may not.
#![cfg_attr(
	test,
	allow(
		clippy::unwrap_used,
		clippy::expect_used,
		clippy::indexing_slicing,
		clippy::arithmetic_side_effects
	)
)]
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(rustdoc::broken_intra_doc_links)]

extern crate alloc;

pub use pallet::*;

/// The log target of this pallet.
pub const LOG_TARGET: &str = "runtime::models";
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod impl_model_registry;
mod invariants;
#[cfg(test)]
mod mock;
pub mod registry;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

// FRAME's generated code for the pallet, storage and error items calls `expect` (on values its
// own macros construct); the lint cannot tell it from ours, so it is allowed in this module only,
// which holds declarations and one-line calls. Logic lives in the other modules, fully linted.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::{boxed::Box, vec::Vec};
	use frame_support::{
		pallet_prelude::*,
		traits::fungible::{Inspect, Mutate, MutateHold},
	};
	use frame_system::pallet_prelude::*;
	use synod_primitives::{
		digest::Hash32,
		model::{ModelId, ModelManifest},
	};
	pub use types::{BalanceOf, ModelRecord, ModelStatus};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	/// The models pallet.
	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Default configurations of this pallet, for tests (`#[derive_impl]`).
	pub mod config_preludes {
		use super::*;
		use frame_support::{derive_impl, traits::ConstU128};

		/// A test configuration: deposits of 10 plus nothing per byte, 1 MiB inputs, the root
		/// may retire models, unit weights. `Currency` is the runtime's to say.
		pub struct TestDefaultConfig;

		#[derive_impl(frame_system::config_preludes::TestDefaultConfig, no_aggregated_types)]
		impl frame_system::DefaultConfig for TestDefaultConfig {}

		#[frame_support::register_default_impl(TestDefaultConfig)]
		impl DefaultConfig for TestDefaultConfig {
			#[inject_runtime_type]
			type RuntimeHoldReason = ();
			type DepositBase = ConstU128<10>;
			type DepositPerByte = ConstU128<0>;
			type MaxInputBytes = ConstU32<1_048_576>;
			type RetireOrigin = frame_system::EnsureRoot<u64>;
			type WeightInfo = ();
		}
	}

	/// Configuration of the models pallet.
	#[pallet::config(with_default)]
	pub trait Config: frame_system::Config {
		/// Holds manifest deposits.
		#[pallet::no_default]
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons, which include this pallet's.
		#[pallet::no_default_bounds]
		type RuntimeHoldReason: From<HoldReason>;

		/// Deposit held for any manifest.
		#[pallet::constant]
		#[pallet::no_default_bounds]
		type DepositBase: Get<BalanceOf<Self>>;

		/// Deposit held per byte of the manifest's SCALE encoding.
		#[pallet::constant]
		#[pallet::no_default_bounds]
		type DepositPerByte: Get<BalanceOf<Self>>;

		/// The largest `max_input_bytes` a manifest may declare (inline inputs are bounded by
		/// pallet-jobs too).
		#[pallet::constant]
		type MaxInputBytes: Get<u32>;

		/// Who besides the publisher may retire a model.
		#[pallet::no_default_bounds]
		type RetireOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Reasons this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The storage deposit of a registered model manifest.
		#[codec(index = 0)]
		ManifestDeposit,
	}

	/// Every registered model (active or retired), by hash.
	#[pallet::storage]
	#[pallet::storage_prefix = "Models"]
	pub type Records<T: Config> =
		StorageMap<_, Blake2_128Concat, ModelId, ModelRecord<T::AccountId, BalanceOf<T>>>;

	/// How many models are registered (active or retired).
	#[pallet::storage]
	pub type ModelCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Events of the models pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A model manifest was registered under id `model` (its publisher's and manifest's,
		/// `synod_primitives::model::model_id`) and its deposit held.
		ModelRegistered {
			model: ModelId,
			file_hash: Hash32,
			publisher: T::AccountId,
			deposit: BalanceOf<T>,
		},
		/// A model was retired: no new jobs may use it.
		ModelRetired { model: ModelId, open_jobs: u32 },
		/// A retired model's last open job ended and its deposit was released to the publisher.
		DepositReleased { model: ModelId, publisher: T::AccountId, amount: BalanceOf<T> },
	}

	/// Errors of the models pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The manifest's name is empty or not UTF-8.
		InvalidName,
		/// A tensor shape is empty, has a zero dimension, a dynamic dimension other than the
		/// first, or too many elements.
		InvalidShape,
		/// The quantization exponent is above the largest allowed (40).
		InvalidStepExponent,
		/// The tolerance is above `synod_primitives::model::max_tolerance` for the step (a
		/// 64th of one unit of output).
		InvalidTolerance,
		/// `max_input_bytes` is zero or smaller than one batch item of the input spec.
		InvalidMaxInputBytes,
		/// `max_input_bytes` is above the chain's `MaxInputBytes`.
		MaxInputBytesTooLarge,
		/// No source, or a source that is not a non-empty `http://`, `https://` or `ipfs://` URI.
		InvalidSource,
		/// This publisher registered this manifest already (manifests are immutable: a new
		/// version is a new manifest, with a new id).
		ModelAlreadyRegistered,
		/// No model has this hash.
		ModelNotFound,
		/// The model is retired.
		ModelRetired,
		/// Only the publisher or `RetireOrigin` may retire a model.
		NotPublisher,
		/// The publisher cannot cover the manifest deposit.
		InsufficientBalance,
		/// A job released a model that had no open job.
		NoOpenJob,
		/// The open-job counter of the model is at its maximum.
		TooManyOpenJobs,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxInputBytes::get() > 0, "MaxInputBytes must be positive");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers an immutable model manifest and holds its deposit from the caller. The
		/// model's id is `synod_primitives::model::model_id(caller, manifest)`: another account
		/// registering the same file or manifest gets another id, so nobody can take or retire
		/// the id a publisher announces.
		///
		/// Origin: signed (the publisher). Emits [`Event::ModelRegistered`]. Errors:
		/// [`Error::ModelAlreadyRegistered`], [`Error::InsufficientBalance`],
		/// [`Error::MaxInputBytesTooLarge`], and for a malformed manifest [`Error::InvalidName`],
		/// [`Error::InvalidShape`], [`Error::InvalidStepExponent`], [`Error::InvalidTolerance`],
		/// [`Error::InvalidMaxInputBytes`], [`Error::InvalidSource`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_model())]
		pub fn register_model(
			origin: OriginFor<T>,
			manifest: Box<ModelManifest>,
		) -> DispatchResult {
			let publisher = ensure_signed(origin)?;
			Self::do_register_model(publisher, *manifest).map(|_| ())
		}

		/// Retires a model: no new jobs; the deposit is released when no open job refers to it.
		///
		/// Origin: signed by the publisher, or `RetireOrigin`. Emits [`Event::ModelRetired`], and
		/// [`Event::DepositReleased`] when no job is open. Errors: [`Error::ModelNotFound`],
		/// [`Event::ModelRetired`], [`Error::NotPublisher`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::retire_model())]
		pub fn retire_model(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			let by = match T::RetireOrigin::try_origin(origin) {
				Ok(_) => None,
				Err(origin) => Some(ensure_signed(origin)?),
			};
			Self::do_retire_model(model, by)
		}
	}

	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// Up to `limit` (at most 100) models with their status, in storage order, starting
		/// after `start` (from the first when `None`).
		pub fn models(start: Option<ModelId>, limit: u32) -> Vec<(ModelId, ModelStatus)> {
			Self::list_models(start, limit)
		}

		/// The manifest of a registered model (active or retired).
		pub fn manifest(model: ModelId) -> Option<ModelManifest> {
			Records::<T>::get(model).map(|r| r.manifest)
		}

		/// The full record of a registered model.
		pub fn model(model: ModelId) -> Option<ModelRecord<T::AccountId, BalanceOf<T>>> {
			Records::<T>::get(model)
		}

		/// The id `manifest` has, or would have, when `publisher` registers it.
		pub fn model_id(publisher: T::AccountId, manifest: ModelManifest) -> ModelId {
			synod_primitives::model::model_id(&publisher, &manifest)
		}
	}
}
