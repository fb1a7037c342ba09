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

/// Paths the exported macros use.
#[doc(hidden)]
pub mod __private {
	pub use frame_system;
	pub use sp_runtime;
}

/// Makes a `u64`-account test runtime able to send the off-chain workers' signed transactions:
/// provider keys are `UintAuthorityId`s (set with `UintAuthorityId::set_all_keys`, the test
/// keystore), their account is the same number, and transactions are `TestXt`s, which tests
/// decode from the pool. Defines `Extrinsic` and `TestAuthId` (the `AuthorityId` to configure)
/// in the calling module. For pallet tests (std only).
///
/// ```ignore
/// synod_primitives::impl_test_signing!(Test, RuntimeCall);
/// ```
#[cfg(feature = "std")]
#[macro_export]
macro_rules! impl_test_signing {
	($runtime:ty, $call:ty) => {
		use $crate::crypto::__private::{
			frame_system as __fs,
			sp_runtime::testing::{TestSignature as __Sig, TestXt, UintAuthorityId as __Key},
		};

		impl __fs::offchain::SigningTypes for $runtime {
			type Public = __Key;
			type Signature = __Sig;
		}

		/// What the off-chain workers put in the transaction pool.
		pub type Extrinsic = TestXt<$call, ()>;

		impl<C> __fs::offchain::CreateTransactionBase<C> for $runtime
		where
			$call: From<C>,
		{
			type Extrinsic = Extrinsic;
			type RuntimeCall = $call;
		}

		impl<C> __fs::offchain::CreateSignedTransaction<C> for $runtime
		where
			$call: From<C>,
		{
			fn create_signed_transaction<A: __fs::offchain::AppCrypto<__Key, __Sig>>(
				call: $call,
				_public: __Key,
				account: <$runtime as __fs::Config>::AccountId,
				_nonce: <$runtime as __fs::Config>::Nonce,
			) -> Option<Extrinsic> {
				Some(Extrinsic::new_signed(call, account, (), ()))
			}
		}

		/// Signs with the test keys.
		pub struct TestAuthId;

		impl __fs::offchain::AppCrypto<__Key, __Sig> for TestAuthId {
			type RuntimeAppPublic = __Key;
			type GenericPublic = __Key;
			type GenericSignature = __Sig;
		}
	};
}

/// Declares the test runtime `Test` of a pallet's unit tests: `frame_system` (index 0) and
/// `pallet_balances` (index 1, `u128` balances, existential deposit 1) from their test
/// preludes, `u64` accounts, and the pallets listed, at their indices. Defines `Test`,
/// `AccountId`, `Balance`, `Block` and the runtime's aggregated types in the calling module;
/// each pallet's `Config` is the caller's to write (usually `#[derive_impl]` from the pallet's
/// `config_preludes::TestDefaultConfig`). For pallet tests (std only).
///
/// ```ignore
/// synod_primitives::test_runtime!(2 => Models = pallet_models, 3 => Providers = pallet_providers);
/// ```
#[cfg(feature = "std")]
#[macro_export]
macro_rules! test_runtime {
	($($index:literal => $name:ident = $pallet:ident),* $(,)?) => {
		/// The test runtime's block.
		pub type Block = frame_system::mocking::MockBlock<Test>;
		/// Test accounts.
		pub type AccountId = u64;
		/// Test balances.
		pub type Balance = u128;

		#[frame_support::runtime]
		mod runtime {
			#[runtime::runtime]
			#[runtime::derive(
				RuntimeCall,
				RuntimeEvent,
				RuntimeError,
				RuntimeOrigin,
				RuntimeFreezeReason,
				RuntimeHoldReason,
				RuntimeSlashReason,
				RuntimeLockId,
				RuntimeTask,
				RuntimeViewFunction
			)]
			pub struct Test;

			#[runtime::pallet_index(0)]
			pub type System = frame_system;
			#[runtime::pallet_index(1)]
			pub type Balances = pallet_balances;
			$(
				#[runtime::pallet_index($index)]
				pub type $name = $pallet;
			)*
		}

		#[frame_support::derive_impl(frame_system::config_preludes::TestDefaultConfig)]
		impl frame_system::Config for Test {
			type Block = Block;
			type AccountData = pallet_balances::AccountData<Balance>;
		}

		#[frame_support::derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
		impl pallet_balances::Config for Test {
			type Balance = Balance;
			type ExistentialDeposit = frame_support::traits::ConstU128<1>;
			type AccountStore = System;
			type RuntimeHoldReason = RuntimeHoldReason;
		}
	};
}
