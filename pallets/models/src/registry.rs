//! Registering, retiring and counting the jobs of models.

use alloc::vec::Vec;
use codec::Encode;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchResult,
};
use synod_primitives::model::{model_id, ManifestError, ModelId, ModelManifest};

use crate::{
	types::{BalanceOf, ModelRecord, ModelStatus},
	Config, Error, Event, HoldReason, ModelCount, Pallet, Records,
};

/// The most models one `models` view call returns.
pub const MAX_LIST: u32 = 100;

impl<T: Config> From<ManifestError> for Error<T> {
	fn from(e: ManifestError) -> Self {
		match e {
			ManifestError::InvalidName => Error::<T>::InvalidName,
			ManifestError::InvalidShape => Error::<T>::InvalidShape,
			ManifestError::InvalidStepExponent => Error::<T>::InvalidStepExponent,
			ManifestError::InvalidTolerance => Error::<T>::InvalidTolerance,
			ManifestError::InvalidMaxInputBytes => Error::<T>::InvalidMaxInputBytes,
			ManifestError::InvalidSource => Error::<T>::InvalidSource,
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The deposit for a manifest: `DepositBase + DepositPerByte × encoded size`.
	pub fn deposit_for(manifest: &ModelManifest) -> BalanceOf<T> {
		let bytes =
			BalanceOf::<T>::from(u32::try_from(manifest.encoded_size()).unwrap_or(u32::MAX));
		T::DepositBase::get().saturating_add(T::DepositPerByte::get().saturating_mul(bytes))
	}

	/// Checks and stores a manifest under [`model_id`] of `publisher` and the manifest,
	/// holding its deposit from `publisher`; returns the id.
	pub(crate) fn do_register_model(
		publisher: T::AccountId,
		manifest: ModelManifest,
	) -> Result<ModelId, DispatchError> {
		manifest.validate().map_err(Error::<T>::from)?;
		ensure!(
			manifest.max_input_bytes <= T::MaxInputBytes::get(),
			Error::<T>::MaxInputBytesTooLarge
		);
		let model = model_id(&publisher, &manifest);
		Self::insert_model(model, publisher, manifest)?;
		Ok(model)
	}

	/// Stores `manifest` as model `model` of `publisher`, holding its deposit.
	pub(crate) fn insert_model(
		model: ModelId,
		publisher: T::AccountId,
		manifest: ModelManifest,
	) -> DispatchResult {
		ensure!(!Records::<T>::contains_key(model), Error::<T>::ModelAlreadyRegistered);
		let file_hash = manifest.file_hash;
		let deposit = Self::deposit_for(&manifest);
		T::Currency::hold(&HoldReason::ManifestDeposit.into(), &publisher, deposit)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		Records::<T>::insert(
			model,
			ModelRecord {
				manifest,
				publisher: publisher.clone(),
				deposit,
				status: ModelStatus::Active,
				open_jobs: 0,
			},
		);
		ModelCount::<T>::mutate(|n| *n = n.saturating_add(1));
		Self::deposit_event(Event::ModelRegistered { model, file_hash, publisher, deposit });
		Ok(())
	}

	/// Retires a model; `by` is the signer, `None` for `RetireOrigin`.
	pub(crate) fn do_retire_model(model: ModelId, by: Option<T::AccountId>) -> DispatchResult {
		let mut record = Records::<T>::get(model).ok_or(Error::<T>::ModelNotFound)?;
		ensure!(record.status == ModelStatus::Active, Error::<T>::ModelRetired);
		if let Some(who) = by {
			ensure!(who == record.publisher, Error::<T>::NotPublisher);
		}
		record.status = ModelStatus::Retired;
		Self::deposit_event(Event::ModelRetired { model, open_jobs: record.open_jobs });
		Self::release_deposit_if_done(model, &mut record)?;
		Records::<T>::insert(model, record);
		Ok(())
	}

	/// Releases the deposit of a retired model with no open job.
	pub(crate) fn release_deposit_if_done(
		model: ModelId,
		record: &mut ModelRecord<T::AccountId, BalanceOf<T>>,
	) -> DispatchResult {
		if record.status != ModelStatus::Retired
			|| record.open_jobs != 0
			|| record.deposit.is_zero()
		{
			return Ok(());
		}
		let amount = T::Currency::release(
			&HoldReason::ManifestDeposit.into(),
			&record.publisher,
			record.deposit,
			Precision::BestEffort,
		)?;
		record.deposit = Zero::zero();
		Self::deposit_event(Event::DepositReleased {
			model,
			publisher: record.publisher.clone(),
			amount,
		});
		Ok(())
	}

	/// Up to `limit` (at most [`MAX_LIST`]) models after `start`, in storage order.
	pub fn list_models(start: Option<ModelId>, limit: u32) -> Vec<(ModelId, ModelStatus)> {
		let take = usize::try_from(limit.min(MAX_LIST)).unwrap_or(0);
		let iter = match start {
			Some(key) => Records::<T>::iter_from(Records::<T>::hashed_key_for(key)),
			None => Records::<T>::iter(),
		};
		iter.take(take).map(|(hash, record)| (hash, record.status)).collect()
	}
}
