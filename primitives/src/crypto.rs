//! The provider key: an sr25519 key under its own `KeyTypeId` (`synd`), kept in the provider
//! node's keystore. The off-chain workers of pallet-providers (heartbeats) and pallet-jobs
//! (commits, reveals) sign with every such key they find; the key's public part is the
//! provider's account.
//!
//! Put a key into a node's keystore with
//! `synod-node key insert --key-type synd --scheme sr25519 --suri <secret>` (or the
//! `author_insertKey` RPC); the same secret controls the provider account that registered.

use sp_runtime::{
	app_crypto::{app_crypto, sr25519},
	KeyTypeId, MultiSignature, MultiSigner,
};

/// The provider key type.
pub const KEY_TYPE: KeyTypeId = KeyTypeId(*b"synd");

app_crypto!(sr25519, KEY_TYPE);

/// Signs the off-chain workers' transactions with a provider key, for a runtime whose signatures
/// are `MultiSignature` and signers `MultiSigner` (Synod's runtime).
pub struct ProviderAuthId;

impl frame_system::offchain::AppCrypto<MultiSigner, MultiSignature> for ProviderAuthId {
	type RuntimeAppPublic = Public;
	type GenericSignature = sr25519::Signature;
	type GenericPublic = sr25519::Public;
}
