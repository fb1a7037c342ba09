//! How the off-chain workers of pallet-providers and pallet-jobs build signed transactions.
//!
//! They sign with provider keys (`synod_primitives::crypto`, key type `synd`) found in the
//! node's keystore; the transaction carries the same extensions a wallet's would, with a
//! mortal era of `MORTALITY` blocks so a transaction that cannot land soon expires instead of
//! lingering in pools.

use codec::Encode;
use frame_system::offchain::{
	AppCrypto, CreateSignedTransaction, CreateTransactionBase, SigningTypes,
};
use sp_runtime::{generic, traits::Verify, SaturatedConversion};

use crate::{
	AccountId, Nonce, Runtime, RuntimeCall, Signature, SignedPayload, System, TxExtension,
	UncheckedExtrinsic,
};

/// Blocks an off-chain worker's transaction stays valid: a minute, well inside the commit
/// and reveal windows.
pub const MORTALITY: u64 = 16;

impl SigningTypes for Runtime {
	type Public = <Signature as Verify>::Signer;
	type Signature = Signature;
}

impl<C> CreateTransactionBase<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extrinsic = UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<C> CreateSignedTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	fn create_signed_transaction<A: AppCrypto<Self::Public, Self::Signature>>(
		call: RuntimeCall,
		public: <Signature as Verify>::Signer,
		account: AccountId,
		nonce: Nonce,
	) -> Option<UncheckedExtrinsic> {
		let current = System::block_number().saturated_into::<u64>().saturating_sub(1);
		let tx_ext: TxExtension = (
			frame_system::AuthorizeCall::<Runtime>::new(),
			frame_system::CheckNonZeroSender::<Runtime>::new(),
			frame_system::CheckSpecVersion::<Runtime>::new(),
			frame_system::CheckTxVersion::<Runtime>::new(),
			frame_system::CheckGenesis::<Runtime>::new(),
			frame_system::CheckEra::<Runtime>::from(generic::Era::mortal(MORTALITY, current)),
			frame_system::CheckNonce::<Runtime>::from(nonce),
			frame_system::CheckWeight::<Runtime>::new(),
			pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
			frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
			frame_system::WeightReclaim::<Runtime>::new(),
		);
		let payload = SignedPayload::new(call, tx_ext)
			.map_err(|e| log::warn!(target: "runtime::offchain", "cannot sign: {e:?}"))
			.ok()?;
		let signature = payload.using_encoded(|bytes| A::sign(bytes, public))?;
		let (call, tx_ext, _) = payload.deconstruct();
		Some(UncheckedExtrinsic::new_signed(call, account.into(), signature, tx_ext))
	}
}
