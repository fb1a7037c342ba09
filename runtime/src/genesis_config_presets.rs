//! Genesis presets: `development` (one validator), `local_testnet` (four validators) and
//! `benchmark` (the development set with more funded accounts, for `frame-omni-bencher`).

use crate::{
	configs::consensus::BABE_GENESIS_EPOCH_CONFIG, AccountId, BalancesConfig, RuntimeGenesisConfig,
	SudoConfig, UNIT,
};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_babe::AuthorityId as BabeId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// Name of the preset used by benchmarks.
pub const BENCHMARK_RUNTIME_PRESET: &str = "benchmark";

/// What each prefunded development account starts with: one million SYN.
pub const DEV_ENDOWMENT: crate::Balance = 1_000_000 * UNIT;

/// A genesis patch with the given validators, funded accounts and sudo key.
fn testnet_genesis(
	initial_authorities: Vec<(BabeId, GrandpaId)>,
	endowed_accounts: Vec<AccountId>,
	root: AccountId,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed_accounts
				.iter()
				.cloned()
				.map(|k| (k, DEV_ENDOWMENT))
				.collect::<Vec<_>>(),
		},
		babe: pallet_babe::GenesisConfig {
			authorities: initial_authorities.iter().map(|x| (x.0.clone(), 1)).collect::<Vec<_>>(),
			epoch_config: BABE_GENESIS_EPOCH_CONFIG,
		},
		grandpa: pallet_grandpa::GenesisConfig {
			authorities: initial_authorities.iter().map(|x| (x.1.clone(), 1)).collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: Some(root) },
	})
}

/// The BABE and GRANDPA keys of a well-known development account.
fn authority(sr: Sr25519Keyring, ed: Ed25519Keyring) -> (BabeId, GrandpaId) {
	(sr.public().into(), ed.public().into())
}

/// The well-known development accounts (Alice … Ferdie and their stashes).
fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::iter()
		.filter(|v| v != &Sr25519Keyring::One && v != &Sr25519Keyring::Two)
		.map(|v| v.to_account_id())
		.collect()
}

/// `development`: Alice alone authors and finalizes; the development accounts are funded.
pub fn development_config_genesis() -> Value {
	testnet_genesis(
		vec![authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		dev_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// `local_testnet`: Alice, Bob, Charlie and Dave validate.
pub fn local_config_genesis() -> Value {
	testnet_genesis(
		vec![
			authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			authority(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			authority(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
			authority(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
		],
		dev_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// `benchmark`: the development chain, with `One` and `Two` funded as well.
pub fn benchmark_config_genesis() -> Value {
	testnet_genesis(
		vec![authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		Sr25519Keyring::iter().map(|v| v.to_account_id()).collect(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// The JSON genesis patch of the preset `id`, or `None` for an unknown preset.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		BENCHMARK_RUNTIME_PRESET => benchmark_config_genesis(),
		_ => return None,
	};
	serde_json::to_string(&patch).ok().map(alloc::string::String::into_bytes)
}

/// The presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
		PresetId::from(BENCHMARK_RUNTIME_PRESET),
	]
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn every_listed_preset_builds() {
		for id in preset_names() {
			let json = get_preset(&id).expect("listed preset exists");
			let patch: Value = serde_json::from_slice(&json).expect("valid JSON");
			assert!(patch.get("balances").is_some(), "{id:?} funds accounts");
		}
		assert!(get_preset(&PresetId::from("nope")).is_none());
	}

	#[test]
	fn local_testnet_has_four_validators() {
		let patch = local_config_genesis();
		assert_eq!(patch["babe"]["authorities"].as_array().map(Vec::len), Some(4));
		assert_eq!(patch["grandpa"]["authorities"].as_array().map(Vec::len), Some(4));
	}

	/// Every preset runs BABE with secondary VRF slots, so every block carries a VRF output.
	#[test]
	fn presets_use_secondary_vrf_slots() {
		for id in preset_names() {
			let json = get_preset(&id).expect("listed preset exists");
			let patch: Value = serde_json::from_slice(&json).expect("valid JSON");
			assert_eq!(
				patch["babe"]["epochConfig"]["allowed_slots"],
				Value::from("PrimaryAndSecondaryVRFSlots"),
				"{id:?}"
			);
		}
	}
}
