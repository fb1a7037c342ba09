//! Property tests over random jobs, cohorts and provider behaviours.

use super::*;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Behaviour {
	Honest,
	Liar,
	Silent,
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(64))]
	/// Random jobs and cohorts with honest, lying and silent providers, on few or many job
	/// slots (so that jobs wait for providers): no panic, balances conserved
	/// exactly (the issuance changes only by the slashed collateral burned beyond the payer's
	/// compensation, as the events report it), every job ends by its deadline, an honest unanimous set settles with the honest
	/// output, and a liar among three is never paid.
	#[test]
	fn random_jobs_conserve_balances_and_end_by_their_deadline(
		jobs in proptest::collection::vec((1..=5u32, 0..3u64, any::<bool>(), any::<bool>()), 1..6),
		behaviours in proptest::collection::vec(
			prop_oneof![Just(Behaviour::Honest), Just(Behaviour::Liar), Just(Behaviour::Silent)],
			5
		),
		slots in 1..=4u32,
	) {
		new_test_ext().execute_with(|| {
			// Few slots make jobs wait for providers (lifecycle::wait), and cancel while waiting.
			for who in PROVIDERS {
				assert_ok!(Providers::set_concurrency(RuntimeOrigin::signed(who), slots));
			}
			let issuance = Balances::total_issuance();
			let accounts: Vec<AccountId> =
				PROVIDERS.iter().copied().chain([PAYER, PUBLISHER, POOR]).collect();
			let behaviour = |who: AccountId| behaviours[(who - 1) as usize].clone();
			let mut ids = Vec::new();
			let mut cohorts = std::collections::BTreeSet::new();
			for (k, delay, cancel, cohort) in jobs {
				run_to(System::block_number() + delay);
				let id = if cohort { cohorts.insert(crate::NextJobId::<Test>::get()); submit_cohort(k, 3) } else { submit(k) };
				if cancel && delay == 0 {
					assert_ok!(Jobs::cancel_job(RuntimeOrigin::signed(PAYER), id));
				} else if cancel && k == 5 {
					// Cancelled later, perhaps while waiting; refused (and kept) once assigned.
					run_to(System::block_number() + 1);
					let waiting = matches!(
						JobRecords::<Test>::get(id).map(|j| j.status),
						Some(JobStatus::Waiting { .. } | JobStatus::Queued)
					);
					let result = Jobs::cancel_job(RuntimeOrigin::signed(PAYER), id);
					prop_assert_eq!(result.is_ok(), waiting);
					if !waiting {
						ids.push((id, System::block_number() + 19));
					}
				} else {
					ids.push((id, System::block_number() + 20));
				}
			}
			let end = System::block_number() + 25;
			while System::block_number() < end {
				run_to(System::block_number() + 1);
				for (id, _) in &ids {
					let Some(job) = JobRecords::<Test>::get(id) else { continue };
					for a in job.assignments.iter() {
						let tag = match behaviour(a.provider) {
							Behaviour::Honest => 7,
							Behaviour::Liar => 100 + a.provider as u8,
							Behaviour::Silent => continue,
						};
						// A cohort's liar differs on its last member only.
						let mut members = member_digests(7, 3);
						members[2] = digest(tag + 2);
						let (d, who) = if cohorts.contains(id) {
							(members_root(&members), a.provider)
						} else {
							(digest(tag), a.provider)
						};
						if job.status == JobStatus::Committing && a.commitment.is_none() {
							let c = commitment_for(who, *id, &d);
							let _ = Jobs::commit(RuntimeOrigin::signed(who), *id, c);
						}
						if matches!(job.status, JobStatus::Revealing | JobStatus::Opening)
							&& a.reveal.is_none()
						{
							let _ = if cohorts.contains(id) {
								answer(who, *id, Reveal::members(members))
							} else {
								answer_output(who, *id, d, None)
							};
						}
					}
				}
				Jobs::do_try_state().unwrap();
				Providers::do_try_state().unwrap();
				Models::do_try_state().unwrap();
				collateral_matches();
				// Only slashes burn (beyond the payer's compensation), and every burn is reported.
				let total: Balance = accounts.iter().map(Balances::total_balance).sum();
				prop_assert_eq!(total, issuance - burned());
				prop_assert_eq!(Balances::total_issuance(), total);
			}
			prop_assert_eq!(Balances::total_issuance(), issuance - burned());
			for (id, deadline) in ids {
				prop_assert!(JobRecords::<Test>::get(id).is_none(), "job {} open after {}", id, deadline);
				if let Some(receipt) = Receipts::<Test>::get(id) {
					let all_honest = receipt
						.agreeing
						.iter()
						.chain(receipt.dissenting.iter())
						.all(|p| matches!(behaviour(*p), Behaviour::Honest));
					if all_honest {
						if cohorts.contains(&id) {
							prop_assert_eq!(receipt.result.digest(), members_root(&member_digests(7, 3)));
							prop_assert_eq!(receipt.result.member_digests(), &member_digests(7, 3)[..]);
						} else {
							prop_assert_eq!(receipt.result.digest(), digest(7));
						}
					}
					for p in receipt.agreeing.iter() {
						prop_assert!(!matches!(behaviour(*p), Behaviour::Liar) || receipt.agreeing.len() > 2,
							"a liar was paid in a small set");
					}
				}
			}
			Ok(())
		})?;
	}
}
