//! The provider node's off-chain worker: heartbeats.
//!
//! On each block, for every provider key in the node's keystore (key type `synd`, see
//! `synod_primitives::crypto`) whose account is a registered provider, the off-chain worker
//! sends `heartbeat` once half of `HeartbeatTimeout` has passed since the last one, but only
//! while the local synod-worker answers `GET /health`: a provider whose worker is down stops
//! being assigned (it is not slashed for that), instead of being assigned jobs it cannot do.
//!
//! A marker in persistent local storage (`synod::heartbeat::<account>`, set with a
//! compare-and-set before sending) keeps overlapping off-chain worker runs from sending twice;
//! a transaction that never lands is retried after [`RESEND_AFTER`] blocks.

use alloc::vec::Vec;
use codec::Encode;
use frame_system::{
	offchain::{SendSignedTransaction, Signer},
	pallet_prelude::BlockNumberFor,
};
use sp_runtime::{
	offchain::storage::{MutateStorageError, StorageValueRef},
	traits::{CheckedDiv, Get, Saturating, UniqueSaturatedInto, Zero},
};
use synod_primitives::ocw;

use crate::{Call, Config, Pallet, Records};

/// Blocks to wait for a sent heartbeat to land before sending another.
pub const RESEND_AFTER: u64 = 3;

/// How long the health check may take, in milliseconds.
pub const HEALTH_TIMEOUT_MS: u64 = 1_500;

/// Where the marker of `who`'s last sent heartbeat lives.
pub fn heartbeat_key<AccountId: Encode>(who: &AccountId) -> Vec<u8> {
	(b"synod::heartbeat::", who).encode()
}

impl<T: Config> Pallet<T> {
	/// Whether `who`, a registered provider, should send a heartbeat at block `now`.
	pub fn heartbeat_due(who: &T::AccountId, now: BlockNumberFor<T>) -> bool {
		let Some(record) = Records::<T>::get(who) else { return false };
		if record.bond.is_zero() && record.unbonding.is_some() {
			return false; // leaving: nothing more will be assigned anyway
		}
		let half = T::HeartbeatTimeout::get().checked_div(&2u32.into()).unwrap_or_default();
		now >= record.last_heartbeat.saturating_add(half)
	}

	/// The off-chain worker's heartbeat round at block `now`.
	pub(crate) fn offchain_heartbeats(now: BlockNumberFor<T>) {
		let now_u64: u64 = now.unique_saturated_into();
		let recently_sent = |who: &T::AccountId| {
			let key = heartbeat_key(who);
			matches!(
				StorageValueRef::persistent(&key).get::<u64>(),
				Ok(Some(at)) if now_u64 < at.saturating_add(RESEND_AFTER)
			)
		};
		let due: Vec<_> = Signer::<T, T::AuthorityId>::keystore_accounts()
			.filter(|a| Self::heartbeat_due(&a.id, now) && !recently_sent(&a.id))
			.collect();
		if due.is_empty() {
			return;
		}
		let url = ocw::worker_url();
		let healthy = match ocw::get(&alloc::format!("{url}/health"), HEALTH_TIMEOUT_MS) {
			Ok(answer) if answer.code == 200 => true,
			Ok(answer) => {
				log::warn!(target: crate::LOG_TARGET, "synod-worker at {url} answered /health with {}; no heartbeat, so no new jobs", answer.code);
				false
			},
			Err(e) => {
				log::warn!(target: crate::LOG_TARGET, "synod-worker at {url} is not answering ({e:?}); no heartbeat, so no new jobs");
				false
			},
		};
		if !healthy {
			return;
		}
		for account in due {
			let key = heartbeat_key(&account.id);
			let claimed = StorageValueRef::persistent(&key).mutate(
				|last: Result<Option<u64>, _>| match last {
					Ok(Some(at)) if now_u64 < at.saturating_add(RESEND_AFTER) => Err(()),
					_ => Ok(now_u64),
				},
			);
			match claimed {
				Ok(_) => {},
				Err(MutateStorageError::ValueFunctionFailed(())) => continue, // sent recently
				Err(MutateStorageError::ConcurrentModification(_)) => continue, // another run
			}
			let sent = Signer::<T, T::AuthorityId>::all_accounts()
				.with_filter(alloc::vec![account.public.clone()])
				.send_signed_transaction(|_| Call::<T>::heartbeat {});
			match sent.first() {
				Some((_, Ok(()))) => {
					log::info!(target: crate::LOG_TARGET, "💓 heartbeat sent for {:?} at #{now_u64}", account.id)
				},
				_ => {
					log::warn!(target: crate::LOG_TARGET, "heartbeat for {:?} could not be sent", account.id)
				},
			}
		}
	}
}
