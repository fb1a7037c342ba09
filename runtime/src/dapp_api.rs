//! Runtime APIs for dapps: read models and providers through `api.call.modelsApi.*` and
//! `api.call.providersApi.*` in polkadot.js, decoded from metadata alone. The same reads exist
//! as pallet view functions; these APIs are for clients that do not speak view functions yet.

use alloc::vec::Vec;
use codec::Codec;
use pallet_models::{ModelRecord, ModelStatus};
use pallet_providers::ProviderRecord;
use synod_primitives::model::{ModelHash, ModelManifest};

sp_api::decl_runtime_apis! {
	/// The model registry.
	pub trait ModelsApi<AccountId, Balance> where AccountId: Codec, Balance: Codec {
		/// Up to `limit` (at most 100) models with their status, in storage order, after
		/// `start` (from the first when `None`).
		fn models(start: Option<ModelHash>, limit: u32) -> Vec<(ModelHash, ModelStatus)>;
		/// The manifest of a registered model (active or retired).
		fn manifest(model: ModelHash) -> Option<ModelManifest>;
		/// A model's record: manifest, publisher, deposit, status, open jobs.
		fn model(model: ModelHash) -> Option<ModelRecord<AccountId, Balance>>;
	}

	/// Compute providers.
	pub trait ProvidersApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// A provider's record.
		fn provider(who: AccountId) -> Option<ProviderRecord<Balance, BlockNumber>>;
		/// The providers offering `model`: account, price per job, assignable now.
		fn providers_for_model(model: ModelHash) -> Vec<(AccountId, Balance, bool)>;
		/// The models a provider offers, with its prices.
		fn offers(who: AccountId) -> Vec<(ModelHash, Balance)>;
	}
}
