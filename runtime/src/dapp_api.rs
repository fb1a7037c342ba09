//! Runtime APIs for dapps: read models, providers and jobs through `api.call.modelsApi.*`,
//! `api.call.providersApi.*` and `api.call.jobsApi.*` in polkadot.js, decoded from metadata alone. The same reads exist
//! as pallet view functions; these APIs are for clients that do not speak view functions yet.

use alloc::vec::Vec;
use codec::Codec;
use pallet_jobs::{Job, JobId, JobReceipt, QueuePlace};
use pallet_models::{ModelRecord, ModelStatus};
use pallet_providers::ProviderRecord;
use synod_primitives::model::{ModelId, ModelManifest};

sp_api::decl_runtime_apis! {
	/// The model registry.
	pub trait ModelsApi<AccountId, Balance> where AccountId: Codec, Balance: Codec {
		/// Up to `limit` (at most 100) models with their status, in storage order, after
		/// `start` (from the first when `None`).
		fn models(start: Option<ModelId>, limit: u32) -> Vec<(ModelId, ModelStatus)>;
		/// The manifest of a registered model (active or retired).
		fn manifest(model: ModelId) -> Option<ModelManifest>;
		/// A model's record: manifest, publisher, deposit, status, open jobs.
		fn model(model: ModelId) -> Option<ModelRecord<AccountId, Balance>>;
		/// The id `manifest` has, or would have, once `publisher` registers it: jobs and offers
		/// name a model by its publisher and manifest, not by its file.
		fn model_id(publisher: AccountId, manifest: ModelManifest) -> ModelId;
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
		fn providers_for_model(model: ModelId) -> Vec<(AccountId, Balance, bool)>;
		/// The models a provider offers, with its prices.
		fn offers(who: AccountId) -> Vec<(ModelId, Balance)>;
	}

	/// Inference jobs.
	pub trait JobsApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// What a job would hold (`2 × redundancy × max_price`: half of it the escalation
		/// reserve), and the lowest price at which `redundancy` providers are assignable now
		/// (`None`: not enough providers).
		fn quote(model: ModelId, redundancy: u32, max_price: Balance) -> (Balance, Option<Balance>);
		/// An open job.
		fn job(job: JobId) -> Option<Job<AccountId, Balance, BlockNumber>>;
		/// The receipt of a settled job, within the retention period.
		fn receipt(job: JobId) -> Option<JobReceipt<AccountId, Balance, BlockNumber>>;
		/// A provider's open assignments.
		fn assignments(provider: AccountId) -> Vec<JobId>;
		/// Where a job not assigned yet is in the queue: the jobs ahead of it (in its model's
		/// waiting line, or submitted before it), the rounds of the model's providers until its
		/// turn, the block it is expected to be assigned by at most, and its last start
		/// (after which it fails with a full refund). `None` for a job assigned or ended.
		fn queue_position(job: JobId) -> Option<QueuePlace<BlockNumber>>;
	}
}
