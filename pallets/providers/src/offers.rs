//! Offers and the per-model eligibility index.
//!
//! `Offers` (per provider) and `ModelIndex` (per model) hold the same pairs; every change
//! updates both. Both are bounded, so each call costs O(`MaxProvidersPerModel` +
//! `MaxOffersPerProvider`) whatever the number of providers on the chain.

use alloc::vec::Vec;
use frame_support::{ensure, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Saturating, UniqueSaturatedInto, Zero},
	DispatchResult,
};
use synod_primitives::{model::ModelId, provider::Candidate, traits::ModelRegistry};

use crate::{types::BalanceOf, Config, Error, Event, ModelIndex, Offers, Pallet, Records};

impl<T: Config> Pallet<T> {
	/// Sets `who`'s price for `model`.
	pub(crate) fn do_set_offer(
		who: T::AccountId,
		model: ModelId,
		price: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(!price.is_zero(), Error::<T>::ZeroPrice);
		let record = Records::<T>::get(&who).ok_or(Error::<T>::ProviderNotFound)?;
		ensure!(!Self::is_leaving(&record), Error::<T>::ProviderLeaving);
		ensure!(record.bond >= T::MinBond::get(), Error::<T>::BondTooLow);
		ensure!(T::Models::active_model(&model).is_some(), Error::<T>::ModelNotActive);

		let mut offers = Offers::<T>::get(&who);
		let mut index = ModelIndex::<T>::get(model);
		let mut evicted = None;
		match offers.iter_mut().find(|(m, _)| *m == model) {
			Some(offer) => {
				offer.1 = price;
				if let Some(entry) = index.iter_mut().find(|(p, _)| *p == who) {
					entry.1 = price;
				}
			},
			None => {
				offers.try_push((model, price)).map_err(|_| Error::<T>::TooManyOffers)?;
				if index.is_full() {
					// The lightest offer (bond × reputation) makes way for a heavier one.
					let (pos, lightest, light) = index
						.iter()
						.enumerate()
						.map(|(i, (a, p))| {
							let w = Records::<T>::get(a).map_or(0, |r| Self::index_weight(&r));
							(i, (a.clone(), *p), w)
						})
						.min_by_key(|(_, _, w)| *w)
						.ok_or(Error::<T>::ModelIndexFull)?;
					ensure!(Self::index_weight(&record) > light, Error::<T>::ModelIndexFull);
					index.remove(pos);
					evicted = Some(lightest);
				}
				index.try_push((who.clone(), price)).map_err(|_| Error::<T>::ModelIndexFull)?;
			},
		}
		if let Some((loser, loser_price)) = evicted {
			Offers::<T>::mutate(&loser, |o| o.retain(|(m, _)| *m != model));
			Self::deposit_event(Event::OfferEvicted { provider: loser, model, price: loser_price });
		}
		Offers::<T>::insert(&who, offers);
		ModelIndex::<T>::insert(model, index);
		Self::deposit_event(Event::OfferSet { provider: who, model, price });
		Ok(())
	}

	/// What a provider weighs when a full model index must drop an offer: its bond times its
	/// reputation, the weight it would be drawn with when none of it is locked. Ranking by
	/// price let 64 one-planck sybils fill an index and never be evicted; ranking by weight
	/// makes holding a slot cost bond that a heavier honest provider can outbid, and sybils
	/// start at the bottom of the reputation scale.
	pub(crate) fn index_weight(
		record: &crate::types::ProviderRecord<BalanceOf<T>, BlockNumberFor<T>>,
	) -> u128 {
		let bond: u128 = record.bond.unique_saturated_into();
		record.reputation.score().mul_floor(bond)
	}

	/// Withdraws `who`'s offer for `model`.
	pub(crate) fn do_remove_offer(who: T::AccountId, model: ModelId) -> DispatchResult {
		ensure!(Records::<T>::contains_key(&who), Error::<T>::ProviderNotFound);
		let mut offers = Offers::<T>::get(&who);
		let before = offers.len();
		offers.retain(|(m, _)| *m != model);
		ensure!(offers.len() != before, Error::<T>::OfferNotFound);
		Self::remove_from_index(&who, model);
		if offers.is_empty() {
			Offers::<T>::remove(&who);
		} else {
			Offers::<T>::insert(&who, offers);
		}
		Self::deposit_event(Event::OfferRemoved { provider: who, model });
		Ok(())
	}

	fn remove_from_index(who: &T::AccountId, model: ModelId) {
		ModelIndex::<T>::mutate_exists(model, |index| {
			if let Some(entries) = index {
				entries.retain(|(p, _)| p != who);
				if entries.is_empty() {
					*index = None;
				}
			}
		});
	}

	/// Withdraws every offer of `who` (it is leaving).
	pub(crate) fn remove_all_offers(who: &T::AccountId) {
		for (model, _) in Offers::<T>::take(who) {
			Self::remove_from_index(who, model);
			Self::deposit_event(Event::OfferRemoved { provider: who.clone(), model });
		}
	}

	/// The offers for `model`: provider, price, and whether it is assignable now.
	pub fn offers_for_model(model: &ModelId) -> Vec<(T::AccountId, BalanceOf<T>, bool)> {
		let now = frame_system::Pallet::<T>::block_number();
		ModelIndex::<T>::get(model)
			.into_iter()
			.map(|(who, price)| {
				let ok = Records::<T>::get(&who).is_some_and(|r| Self::is_assignable(&r, now));
				(who, price, ok)
			})
			.collect()
	}

	/// The job slots of `model`'s live providers (active, bonded, heartbeating) at most
	/// `max_price`, their running jobs included.
	pub fn model_capacity(model: &ModelId, max_price: BalanceOf<T>) -> u32 {
		let now = frame_system::Pallet::<T>::block_number();
		ModelIndex::<T>::get(model)
			.into_iter()
			.filter(|(_, price)| *price <= max_price)
			.filter_map(|(who, _)| Records::<T>::get(&who))
			.filter(|r| Self::is_live(r, now))
			.fold(0u32, |sum, r| sum.saturating_add(r.max_concurrent))
	}

	/// The offers of `model`'s live providers, busy or not (`ProviderRegistry::offers`).
	pub fn live_offers(model: &ModelId) -> Vec<synod_primitives::provider::Offer<BalanceOf<T>>> {
		let now = frame_system::Pallet::<T>::block_number();
		ModelIndex::<T>::get(model)
			.into_iter()
			.filter_map(|(who, price)| {
				let record = Records::<T>::get(&who)?;
				Self::is_live(&record, now).then_some(synod_primitives::provider::Offer {
					price,
					bond: record.bond,
					class: record.class_id,
				})
			})
			.collect()
	}

	/// The providers that can take a job for `model` at most `max_price` now: one read of the
	/// model's index, then one read per offer at or under the price.
	pub fn eligible_candidates(
		model: &ModelId,
		max_price: BalanceOf<T>,
	) -> Vec<Candidate<T::AccountId, BalanceOf<T>>> {
		let now = frame_system::Pallet::<T>::block_number();
		ModelIndex::<T>::get(model)
			.into_iter()
			.filter(|(_, price)| *price <= max_price)
			.filter_map(|(who, price)| {
				let record = Records::<T>::get(&who)?;
				Self::is_assignable(&record, now).then(|| Candidate {
					free_bond: record.bond.saturating_sub(record.locked),
					reputation: record.reputation.score(),
					class: record.class_id,
					slots: record.max_concurrent.saturating_sub(record.running),
					price,
					who,
				})
			})
			.collect()
	}
}
