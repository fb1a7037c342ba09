//! Cohorts: many inputs answered with one commitment and one reveal per provider.

use super::*;

#[test]
fn a_cohort_is_priced_per_member_and_settles_with_its_member_digests() {
	build_and_execute(|| {
		let job = submit_cohort(3, 4);
		// Four jobs' escrow: 2 × 3 × price each.
		assert_eq!(escrow_held(PAYER), 4 * 6 * PRICE);
		assert_eq!(crate::NextJobId::<Test>::get(), job + 1);
		run_to(2);
		let chosen = assigned(job);
		assert_eq!(chosen.len(), 3);
		for who in &chosen {
			// Collateral on the whole cohort: four prices times the factor.
			let p = pallet_providers::Records::<Test>::get(who).unwrap();
			assert_eq!((p.locked, p.running), (FACTOR as Balance * 4 * PRICE, 1));
		}
		let members = member_digests(7, 4);
		for who in &chosen {
			commit_members(*who, job, &members);
		}
		let before: Vec<Balance> = chosen.iter().map(|w| free(*w)).collect();
		for who in &chosen {
			reveal_members(*who, job, &members);
		}
		assert!(JobRecords::<Test>::get(job).is_none());
		let inputs: Vec<Hash32> = (1..=4u8).map(|i| input_hash(&[i])).collect();
		System::assert_last_event(
			Event::JobSettled {
				job,
				model: model(1),
				input_hash: members_root(&inputs),
				output_digest: members_root(&members),
				agreeing: chosen.clone(),
				dissenting: vec![],
				paid: 3 * 4 * PRICE,
				refunded: 3 * 4 * PRICE,
				members: members.to_vec(),
			}
			.into(),
		);
		// The receipt holds the members' digests: their outputs are due on chain, and each
		// provider's price for a member waits in the escrow until that member's output lands
		// (tests::delivery).
		for (i, who) in chosen.iter().enumerate() {
			assert_eq!(free(*who), before[i]);
		}
		let due = Jobs::delivery(job).unwrap();
		assert_eq!(due.payees.to_vec(), chosen.iter().map(|p| (*p, PRICE)).collect::<Vec<_>>());
		assert_eq!((due.members, due.missing()), (4, 4));
		let receipt = Jobs::receipt(job).unwrap();
		assert_eq!(receipt.result.member_digests(), &members[..]);
		assert_eq!(escrow_held(PAYER), 3 * 4 * PRICE);
		assert_eq!(free(PAYER), ENDOWMENT - 4 * 6 * PRICE + 3 * 4 * PRICE);
	});
}

#[test]
fn a_cohort_liar_on_one_member_is_outvoted_and_slashed() {
	build_and_execute(|| {
		let job = submit_cohort(3, 3);
		run_to(2);
		let chosen = assigned(job);
		let liar = chosen[0];
		let honest = member_digests(7, 3);
		let mut lie = honest.clone();
		lie[2] = digest(99);
		let says = |who: AccountId| if who == liar { lie.clone() } else { honest.clone() };
		for who in &chosen {
			commit_members(*who, job, &says(*who));
		}
		for who in &chosen {
			reveal_members(*who, job, &says(*who));
		}
		// One member differs: the roots differ, the cohort escalates to the two left.
		let drawn = escalated(job);
		assert_eq!(drawn.len(), 2);
		for who in &drawn {
			commit_members(*who, job, &honest);
		}
		// The first round opens its member digests once the escalation has committed.
		for who in &chosen {
			reveal_members(*who, job, &says(*who));
		}
		for who in &drawn {
			reveal_members(*who, job, &honest);
		}
		let receipt = Jobs::receipt(job).unwrap();
		assert_eq!(receipt.result.member_digests(), &honest[..]);
		assert_eq!(receipt.result.digest(), members_root(&honest));
		assert_eq!(receipt.dissenting.into_inner(), vec![liar]);
		assert_eq!(receipt.agreeing.len(), 4);
		assert_eq!(receipt.paid, 4 * 3 * PRICE);
		// Priced per member (3 × PRICE): the payer is compensated what the two escalation
		// providers cost it.
		let collateral = FACTOR as Balance * 3 * PRICE;
		let compensated = 2 * (3 * PRICE);
		System::assert_has_event(
			Event::ProviderSlashed {
				job,
				provider: liar,
				amount: collateral,
				compensated,
				burned: collateral - compensated,
			}
			.into(),
		);
	});
}

#[test]
fn cohort_refusals() {
	build_and_execute(|| {
		// Nobody to replace the silent: reveals open when the commit window closes.
		only(&[1, 2, 3]);
		let submit_input = |input: JobInput| {
			Jobs::submit_job(RuntimeOrigin::signed(PAYER), model(1), input, 3, PRICE, 21)
		};
		// One member is a job, not a cohort; more than `MaxCohort` (4) are refused.
		assert_noop!(submit_input(cohort_input(1)), Error::<Test>::InvalidCohort);
		assert_noop!(submit_input(cohort_input(5)), Error::<Test>::InvalidCohort);
		// Members are checked as inputs are, and inline members share `MaxInlineInput`.
		let members = |ms: Vec<MemberInput>| JobInput::Cohort(ms.try_into().unwrap());
		let bytes = |n: usize| MemberInput::Inline(vec![1u8; n].try_into().unwrap());
		assert_noop!(
			submit_input(members(vec![bytes(1), bytes(0)])),
			Error::<Test>::InvalidInputSize
		);
		assert_noop!(
			submit_input(members(vec![bytes(600), bytes(600)])),
			Error::<Test>::InvalidInputSize
		);
		let remote = |uri: &[u8]| MemberInput::Remote {
			hash: [3; 32],
			uri: uri.to_vec().try_into().unwrap(),
		};
		assert_noop!(
			submit_input(members(vec![bytes(1), remote(b"ftp://x")])),
			Error::<Test>::InvalidInputUri
		);
		assert_ok!(submit_input(members(vec![bytes(600), remote(b"https://inputs.example/a")])));
		let cohort = crate::NextJobId::<Test>::get() - 1;
		let single = submit(3);
		run_to(2);
		let who = assigned(cohort)[0];
		let members2 = member_digests(7, 2);
		commit_members(who, cohort, &members2);
		let other = assigned(single)[0];
		commit(other, single, 7);
		// Commits close at the window's end; then reveals open for those who committed.
		run_to(2 + COMMIT_WINDOW);
		// A cohort is revealed by its members, a single job without.
		assert_noop!(
			Jobs::reveal(
				RuntimeOrigin::signed(who),
				cohort,
				members_root(&members2),
				salt(who),
				None
			),
			Error::<Test>::InvalidMembers
		);
		let reveal_as = |who: AccountId, job: u64, members: MemberDigests| {
			Jobs::reveal_members(RuntimeOrigin::signed(who), job, members, salt(who))
		};
		assert_noop!(reveal_as(other, single, member_digests(7, 1)), Error::<Test>::InvalidMembers);
		assert_noop!(reveal_as(who, cohort, member_digests(7, 3)), Error::<Test>::InvalidMembers);
		// The first round's answers are sealed: members are opened later.
		assert_noop!(reveal_as(who, cohort, member_digests(7, 2)), Error::<Test>::SealFirst);
		let seal = crate::seal_of(cohort, 0, &members_root(&member_digests(8, 2)));
		assert_noop!(
			Jobs::seal(RuntimeOrigin::signed(who), cohort, seal, salt(who)),
			Error::<Test>::RevealMismatch
		);
		reveal_members(who, cohort, &members2);
	});
}

#[test]
fn an_empty_member_list_is_no_reveal_of_a_single_job() {
	build_and_execute(|| {
		// A provider commits to the root of no members for a single job and reveals them with
		// `reveal_members`: the kind of reveal does not fit the job, so it is refused (it used
		// to pass as a digest reveal of that root).
		let single = submit(3);
		run_to(2);
		let chosen = assigned(single);
		let empty = MemberDigests::new();
		commit_members(chosen[0], single, &empty);
		for who in &chosen[1..] {
			commit(*who, single, 7);
		}
		assert_noop!(
			Jobs::reveal_members(RuntimeOrigin::signed(chosen[0]), single, empty, salt(chosen[0])),
			Error::<Test>::InvalidMembers
		);
	});
}
