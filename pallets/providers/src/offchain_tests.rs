//! Off-chain worker tests: heartbeats, with mocked HTTP (`TestOffchainExt`) for the worker's
//! `/health` and the transaction pool (`TestTransactionPoolExt`) decoded.

use crate::{mock::*, offchain::RESEND_AFTER, Call};
use codec::Decode;
use frame_support::{assert_ok, traits::Hooks};
use sp_core::offchain::{
	testing::{PendingRequest, PoolState, TestOffchainExt, TestTransactionPoolExt},
	OffchainDbExt, OffchainWorkerExt, TransactionPoolExt,
};
use sp_runtime::{generic::Preamble, testing::UintAuthorityId, traits::Dispatchable};
use std::sync::Arc;

type State = Arc<parking_lot::RwLock<sp_core::offchain::testing::OffchainState>>;
type Pool = Arc<parking_lot::RwLock<PoolState>>;

fn ocw_ext() -> (sp_io::TestExternalities, State, Pool) {
	let mut ext = new_test_ext();
	let (offchain, state) = TestOffchainExt::new();
	let (pool, pool_state) = TestTransactionPoolExt::new();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	(ext, state, pool_state)
}

fn expect_health(state: &State) {
	state.write().expect_request(PendingRequest {
		method: "GET".into(),
		// No `--worker-url` stored: the default.
		uri: format!("{}/health", synod_primitives::offchain::DEFAULT_WORKER_URL),
		response: Some(br#"{"status":"ok"}"#.to_vec()),
		sent: true,
		..Default::default()
	});
}

fn sent(pool: &Pool) -> Vec<(AccountId, RuntimeCall)> {
	std::mem::take(&mut pool.write().transactions)
		.into_iter()
		.map(|tx| {
			let xt = Extrinsic::decode(&mut &tx[..]).unwrap();
			let Preamble::Signed(who, _, _) = xt.preamble else { panic!("unsigned") };
			(who, xt.function)
		})
		.collect()
}

#[test]
fn heartbeats_go_out_when_half_the_timeout_has_passed_and_the_worker_is_up() {
	let (mut ext, state, pool) = ocw_ext();
	ext.execute_with(|| {
		assert_ok!(Providers::register(RuntimeOrigin::signed(1), MIN_BOND, class(), 2, vec![]));
		assert_ok!(Providers::register(RuntimeOrigin::signed(2), MIN_BOND, class(), 2, vec![]));
		// Key 3 is local but not a provider; provider 2 has no local key.
		UintAuthorityId::set_all_keys([1u64, 3]);

		// Just registered (a heartbeat at registration): nothing due, no HTTP at all.
		Providers::offchain_worker(1);
		assert!(sent(&pool).is_empty());

		System::set_block_number(1 + HEARTBEAT_TIMEOUT / 2);
		expect_health(&state);
		Providers::offchain_worker(System::block_number());
		assert_eq!(sent(&pool), vec![(1, RuntimeCall::Providers(Call::heartbeat {}))]);

		// An overlapping run in the same block, or the next, does not send it again …
		Providers::offchain_worker(System::block_number());
		assert!(sent(&pool).is_empty());
		// … until it had time to land and did not.
		System::set_block_number(System::block_number() + RESEND_AFTER);
		expect_health(&state);
		Providers::offchain_worker(System::block_number());
		let again = sent(&pool);
		assert_eq!(again.len(), 1);

		// Once it lands the provider is fresh again and nothing is due.
		assert_ok!(again[0].1.clone().dispatch(RuntimeOrigin::signed(1)));
		Providers::offchain_worker(System::block_number() + 1);
		assert!(sent(&pool).is_empty());
	});
}
