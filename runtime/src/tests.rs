//! Runtime-wide checks.

use super::*;
use scale_info::{form::PortableForm, PortableRegistry, Registry, TypeDef};

/// Every event and error variant of every pallet carries a doc comment: wallets and dapps show
/// these docs to users, straight from the metadata.
#[test]
fn every_pallet_event_and_error_is_documented() {
	let metadata = Runtime::metadata_ir();
	let mut missing = Vec::new();
	let mut checked = 0;
	for pallet in metadata.pallets {
		let kinds = [("event", pallet.event.map(|e| e.ty)), ("error", pallet.error.map(|e| e.ty))];
		for (kind, ty) in kinds {
			let Some(ty) = ty else { continue };
			let mut registry = Registry::new();
			let id = registry.register_type(&ty).id;
			let portable: PortableRegistry = registry.into();
			let resolved: &scale_info::Type<PortableForm> = portable.resolve(id).unwrap();
			let TypeDef::Variant(variants) = &resolved.type_def else {
				panic!("{} {kind} is not an enum", pallet.name)
			};
			for v in &variants.variants {
				checked += 1;
				if v.docs.iter().all(|d| d.trim().is_empty()) {
					missing.push(format!("{}::{kind}::{}", pallet.name, v.name));
				}
			}
		}
	}
	assert!(checked > 20, "only {checked} variants found");
	assert!(missing.is_empty(), "undocumented events or errors: {missing:?}");
}

/// The chain's constants are what the docs say.
#[test]
fn block_time_token_and_limits() {
	assert_eq!(MILLI_SECS_PER_BLOCK, 6000);
	assert_eq!(MINUTES, 10);
	assert_eq!(UNIT, 10u128.pow(u32::from(TOKEN_DECIMALS)));
	let length = configs::RuntimeBlockLength::get();
	assert_eq!(
		*length.max.get(frame_support::dispatch::DispatchClass::Operational),
		5 * 1024 * 1024
	);
	let weights = configs::RuntimeBlockWeights::get();
	assert_eq!(
		weights.max_block.ref_time(),
		2 * frame_support::weights::constants::WEIGHT_REF_TIME_PER_SECOND
	);
}
