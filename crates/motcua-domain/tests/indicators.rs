//! QĐ 766/QĐ-TTg indicators (domain.md §3, §2.4, Decisions 4–6): per-dossier facts read through
//! the one `classify` rule, tallies that sum, and the rates and points of the 766 table.
//! The fixture procedure takes 3 working days; a dossier received Monday 10 March 2025 at 10:00
//! is due Thursday 13 March at 10:00. The reporting period is March 2025.

mod common;

use common::*;
use motcua_domain::dossier::Actor;
use motcua_domain::dossier::actions::{Action, receive as receive_action};
use motcua_domain::dossier::timeliness::Timeliness;
use motcua_domain::indicators::{DossierFacts, Indicators, Period, RowKey, Tally, YearMonth, contributions};
use proptest::prelude::*;
use std::collections::HashMap;
use time::OffsetDateTime;
use time::macros::datetime;

const MONDAY_10: OffsetDateTime = datetime!(2025-03-10 10:00 +7);

fn march() -> Period {
    Period::month(YearMonth { year: 2025, month: 3 }).unwrap_or_else(|| panic!("March 2025"))
}

fn facts(s: &Story) -> DossierFacts {
    DossierFacts::of(&s.d, &march())
}

/// Facts of a copy of the dossier whose procedure has no paper result.
fn facts_without_paper_result(s: &Story) -> DossierFacts {
    let mut d = s.d.clone();
    d.paper_result = false;
    DossierFacts::of(&d, &march())
}

fn indicators(all: &[DossierFacts]) -> Indicators {
    Indicators::from(&Tally::of(all))
}

/// A dossier received and processed in the period, classified `t` (or still running).
fn processed(t: Option<Timeliness>) -> DossierFacts {
    DossierFacts { processed: true, received: true, finished: t.is_some(), timeliness: t, ..Default::default() }
}

// ---- the period and the grouping key ----

#[test]
fn a_month_runs_from_midnight_to_midnight_in_vietnamese_time() {
    let p = march();
    assert_eq!((p.start, p.end), (datetime!(2025-03-01 00:00 +7), datetime!(2025-04-01 00:00 +7)));
    let dec = Period::month(YearMonth { year: 2025, month: 12 }).unwrap_or_else(|| panic!("December"));
    assert_eq!(dec.end, datetime!(2026-01-01 00:00 +7));
    assert_eq!(Period::month(YearMonth { year: 2025, month: 13 }), None);
    assert!(p.contains(datetime!(2025-03-31 23:59:59 +7)) && !p.contains(p.end));
}

#[test]
fn a_dossier_contributes_to_its_resolving_unit_procedure_field_and_level_in_each_month_it_is_processed() {
    let mut s = Story::received(datetime!(2025-03-31 16:30 +7));
    assert!(s.d.paper_result, "the fixture's result is a paper document");
    let april = YearMonth { year: 2025, month: 4 };
    let rows = contributions(&s.d, april);
    let months: Vec<_> = rows.iter().map(|(k, _)| k.month).collect();
    assert_eq!(months, [YearMonth { year: 2025, month: 3 }, april], "received in March, still running in April");
    let k: &RowKey = &rows[0].0;
    assert_eq!((k.unit.as_str(), k.procedure_code.as_str()), (AGENCY, "1.001193"));
    assert_eq!((k.field.as_str(), k.level.as_str()), ("Lý lịch tư pháp", "province"));
    assert_eq!((rows[0].1.received, rows[1].1.carried_in, rows[1].1.received), (1, 1, 0));
    s.approve_at(datetime!(2025-04-01 09:00 +7));
    let rows = contributions(&s.d, YearMonth { year: 2025, month: 9 });
    assert_eq!(rows.len(), 2, "nothing after the month it finished in");
    assert_eq!(rows[1].1.finished, 1);
    assert!(contributions(&Story::online(MONDAY_10).d, april).is_empty(), "never received");
}

#[test]
fn a_refused_dossier_is_never_counted() {
    let mut s = Story::online(MONDAY_10);
    s.act(&receiver(), datetime!(2025-03-10 11:00 +7), refuse());
    let f = facts(&s);
    assert!(!f.processed && !f.received && f.timeliness.is_none());
    assert_eq!(Tally::of([&f]), Tally::default());
}

#[test]
fn two_supplementation_rounds_make_a_dossier_finished_early_count_late() {
    let mut s = Story::received(MONDAY_10);
    for (ask, answer) in [(11, 13), (14, 15)] {
        s.act(&specialist(), datetime!(2025-03-10 00:00 +7) + time::Duration::hours(ask), request_supplement());
        s.act(&Actor::Applicant, datetime!(2025-03-10 00:00 +7) + time::Duration::hours(answer), supplement());
    }
    s.approve_at(datetime!(2025-03-10 16:00 +7));
    let f = facts(&s);
    assert_eq!((f.supplement_rounds, f.timeliness), (2, Some(Timeliness::Late)));
    let i = indicators(&[f]);
    assert_eq!((i.late, i.on_time_rate, i.points.resolved_on_time), (1, 0.0, 0.0));
}

#[test]
fn an_extended_dossier_is_judged_on_its_original_due_instant() {
    let mut s = Story::received(MONDAY_10);
    s.act(&leader(), datetime!(2025-03-11 10:00 +7), extend(datetime!(2025-03-17 17:00 +7)));
    s.approve_at(datetime!(2025-03-14 09:00 +7));
    let f = facts(&s);
    assert!(f.extended);
    assert_eq!(f.timeliness, Some(Timeliness::Late), "finished before the new appointment, after the due");
    assert_eq!(Tally::of([&f]).extended, 1);
}

#[test]
fn an_unfinished_dossier_past_due_at_the_period_end_is_late_in_that_period() {
    let mut s = Story::received(MONDAY_10);
    s.approve_at(datetime!(2025-04-02 09:00 +7));
    let f = facts(&s);
    assert!(f.processed && !f.finished, "the April result is not seen in March");
    assert_eq!(f.timeliness, Some(Timeliness::Late));
    let running = Story::received(datetime!(2025-03-31 09:00 +7));
    assert_eq!(facts(&running).timeliness, None, "not yet due: in progress on time");
    let i = indicators(&[f, facts(&running)]);
    assert_eq!((i.processed, i.late, i.on_time_rate, i.points.resolved_on_time), (2, 1, 50.0, 10.0));
}

#[test]
fn a_dossier_carried_over_from_last_month_is_processed_but_not_received_in_this_one() {
    let mut s = Story::received(datetime!(2025-02-24 10:00 +7));
    s.approve_at(datetime!(2025-03-03 09:00 +7));
    let f = facts(&s);
    assert!(f.processed && !f.received && f.finished);
    assert_eq!(f.timeliness, Some(Timeliness::Late));
    let mut done_in_feb = Story::received(datetime!(2025-02-24 10:00 +7));
    done_in_feb.approve_at(datetime!(2025-02-25 09:00 +7));
    assert!(!facts(&done_in_feb).processed, "finished before the period began");
}

#[test]
fn digitized_input_output_reuse_online_payment_and_rating_are_read_from_the_dossier() {
    let mut s = Story::online(MONDAY_10);
    s.act(
        &receiver(),
        MONDAY_10,
        Action::Receive(receive_action::Receive {
            scans: vec![("Tờ khai".into(), "f1".into())], ..Default::default()
        }),
    );
    s.approve_at(datetime!(2025-03-11 09:00 +7));
    s.act(&receiver(), datetime!(2025-03-12 09:00 +7), return_result(true));
    s.act(&Actor::Applicant, datetime!(2025-03-12 10:00 +7), rate(4));
    let f = facts(&s);
    assert!(f.received && f.online && f.digitized_input && f.result_digitized && f.digitized_both());
    assert!(f.fee_bearing && !f.paid_online && !f.reused_data);
    assert!(f.rated && f.satisfied && !f.disliked);
    assert_eq!(f.timeliness, Some(Timeliness::Early));
    let paper = facts_without_paper_result(&s);
    assert!(paper.online_766());
    s.d.result = None;
    let no_result = facts(&s);
    assert!(!no_result.online_766() && !no_result.digitized_both(), "a paper-result procedure needs an e-result");
    assert!(facts_without_paper_result(&s).online_766(), "no paper result: the channel is enough");
}

/// Rows 4.1–4.3 from five dossiers built by hand through the rules, against rates computed by
/// hand: what is digitized is what a stored file backs, and re-use what was taken from a store.
#[test]
fn digitization_rates_of_a_hand_made_dataset_equal_the_hand_computed_ones() {
    use motcua_domain::dossier::DocumentRecord;
    use motcua_domain::dossier::actions::approve::Approve;
    use motcua_domain::dossier::digitization::{Provenance, Source};
    let scan = || {
        Action::Receive(receive_action::Receive { scans: vec![("Tờ khai".into(), "f".into())], ..Default::default() })
    };
    let approve =
        |file: bool| Action::Approve(Approve { result_file: file.then(|| "kq".to_owned()), ..Default::default() });
    let story = |receive: Action, electronic: bool| {
        let mut s = Story::online(MONDAY_10);
        s.act(&receiver(), MONDAY_10, receive);
        for actor in [leader(), specialist()] {
            s.act(&actor, datetime!(2025-03-11 09:00 +7), complete());
        }
        s.act(&leader(), datetime!(2025-03-11 10:00 +7), approve(electronic));
        s
    };
    let both = story(scan(), true); // scanned + electronic result
    let result_only = story(receive(), true); // paper input, electronic result
    let input_only = story(scan(), false); // scanned, paper result
    let nothing = story(receive(), false);
    // A component taken from the applicant's store: re-used (and digitized), result electronic.
    let mut reused = story(receive(), true);
    let at = MONDAY_10;
    reused.d.documents[0] =
        DocumentRecord::backed("Tờ khai", "kho-1", Provenance { source: Source::Store, by: "applicant".into(), at });
    let all: Vec<DossierFacts> =
        [&both, &result_only, &input_only, &nothing, &reused].iter().map(|s| facts(s)).collect();
    let i = indicators(&all);
    // By hand: input 3/5 (both, input_only, reused); electronic results 3/5 (both, result_only,
    // reused); both 2/5 (both, reused); re-used 1/5.
    assert_eq!(i.digitized_input_rate, 60.0);
    assert_eq!(i.digitized_output_rate, 60.0);
    assert_eq!(i.digitized_both_rate, 40.0);
    assert_eq!(i.reused_data_rate, 20.0);
}

// ---- formulas on hand-built facts ----

#[test]
fn every_rate_and_every_point_is_zero_when_there_is_nothing_to_count() {
    let i = indicators(&[]);
    let rates = [
        i.online_rate,
        i.on_time_rate,
        i.digitized_input_rate,
        i.digitized_output_rate,
        i.digitized_both_rate,
        i.reused_data_rate,
        i.online_payment_rate,
        i.satisfaction_rate,
        i.receiving_satisfaction_rate,
        i.points.computed_total,
    ];
    assert!(rates.iter().all(|r| *r == 0.0), "{i:?}");
    let no_fee = DossierFacts { received: true, processed: true, ..Default::default() };
    let i = indicators(&[no_fee]);
    assert_eq!((i.online_payment_rate, i.digitized_output_rate, i.satisfaction_rate), (0.0, 0.0, 0.0));
}

#[test]
fn rates_are_percentages_rounded_to_two_decimals() {
    let on = DossierFacts { received: true, online: true, ..Default::default() };
    let off = DossierFacts { received: true, ..Default::default() };
    assert_eq!(indicators(&[on.clone(), off.clone(), off.clone()]).online_rate, 33.33);
    assert_eq!(indicators(&[on.clone(), on, off]).online_rate, 66.67);
}

#[test]
fn on_time_rate_counts_early_on_time_and_running_dossiers_against_all_processed() {
    let all = [
        processed(Some(Timeliness::Early)),
        processed(Some(Timeliness::OnTime)),
        processed(None),
        processed(Some(Timeliness::Late)),
    ];
    let i = indicators(&all);
    assert_eq!((i.processed, i.finished, i.early, i.on_time, i.late), (4, 3, 1, 1, 1));
    assert_eq!((i.on_time_rate, i.points.resolved_on_time), (75.0, 15.0));
}

#[test]
fn online_dossiers_earn_full_marks_from_half_of_the_received() {
    let on = DossierFacts { received: true, online: true, ..Default::default() };
    let off = DossierFacts { received: true, ..Default::default() };
    let points = |n_on: usize, n_off: usize| {
        let all: Vec<_> =
            std::iter::repeat_n(on.clone(), n_on).chain(std::iter::repeat_n(off.clone(), n_off)).collect();
        indicators(&all).points.online_dossiers
    };
    assert_eq!(points(1, 3), 3.0);
    assert_eq!(points(1, 1), 6.0);
    assert_eq!(points(3, 1), 6.0);
    assert_eq!(points(0, 2), 0.0);
}

#[test]
fn online_payment_counts_fee_bearing_dossiers_only_and_scores_linearly() {
    let paid = DossierFacts { received: true, fee_bearing: true, paid_online: true, ..Default::default() };
    let cash = DossierFacts { received: true, fee_bearing: true, ..Default::default() };
    let free = DossierFacts { received: true, paid_online: true, ..Default::default() };
    let i = indicators(&[paid, cash.clone(), cash.clone(), cash, free]);
    assert_eq!((i.online_payment_rate, i.points.paid_online), (25.0, 1.5));
}

#[test]
fn electronic_results_are_counted_over_paper_result_procedures_and_digitized_over_all_received() {
    let base =
        DossierFacts { received: true, digitized_input: true, all_components_digitized: true, ..Default::default() };
    let e_result = DossierFacts { paper_result: true, result_digitized: true, ..base.clone() };
    let paper_only = DossierFacts { paper_result: true, ..base.clone() };
    let no_paper = base.clone();
    let nothing = DossierFacts { received: true, ..Default::default() };
    let i = indicators(&[e_result, paper_only, no_paper, nothing]);
    assert_eq!((i.digitized_output_rate, i.points.electronic_result), (50.0, 3.0));
    assert_eq!(i.digitized_input_rate, 75.0);
    assert_eq!((i.digitized_both_rate, i.points.digitized), (50.0, 2.0));
}

#[test]
fn reused_data_earns_full_marks_from_eighty_percent() {
    let reused = DossierFacts { received: true, reused_data: true, ..Default::default() };
    let plain = DossierFacts { received: true, ..Default::default() };
    let i = indicators(&[reused.clone(), plain.clone()]);
    assert_eq!((i.reused_data_rate, i.points.reused_data), (50.0, 1.25));
    let mut all = vec![reused; 4];
    all.push(plain);
    assert_eq!(indicators(&all).points.reused_data, 2.0);
}

#[test]
fn satisfaction_counts_scores_of_four_and_five_and_receiving_satisfaction_subtracts_late_and_dislikes() {
    let rated = |score: u8| DossierFacts {
        rated: true,
        finished: true,
        satisfied: score >= 4,
        disliked: score <= 2,
        ..processed(Some(Timeliness::OnTime))
    };
    let mut all = vec![rated(5), rated(4), rated(3), rated(1), processed(Some(Timeliness::Late))];
    all.extend(std::iter::repeat_n(processed(Some(Timeliness::Early)), 5));
    let i = indicators(&all);
    assert_eq!(i.satisfaction_rate, 50.0);
    // 100 % − (1 late + 1 dislike) ÷ 10 = 80 %; 6 × 0.8 ÷ 0.9 = 5.33.
    assert_eq!((i.receiving_satisfaction_rate, i.points.receiving_satisfaction), (80.0, 5.33));
    let i = indicators(&std::iter::repeat_n(processed(None), 10).collect::<Vec<_>>());
    assert_eq!((i.receiving_satisfaction_rate, i.points.receiving_satisfaction), (100.0, 6.0));
}

#[test]
fn rows_that_need_data_beyond_the_dossier_are_not_computed_here() {
    let p = indicators(&[processed(None)]).points;
    let absent = [
        p.publish_on_time,
        p.public_update_on_time,
        p.public_content_full,
        p.dossier_sync,
        p.procedures_online,
        p.online_services_used,
        p.fees_integrated,
        p.online_payment_transactions,
        p.petition_on_time,
        p.petition_satisfaction,
        p.electronic_certified_copy,
        p.personal_storage,
        p.citizen_data_procedures,
        p.citizen_data_dossiers,
    ];
    assert!(absent.iter().all(Option::is_none));
}

#[test]
fn tallies_per_group_roll_up_to_the_tally_of_the_whole() {
    let mut late = Story::received(MONDAY_10);
    late.approve_at(datetime!(2025-03-20 09:00 +7));
    let stories = [Story::received(datetime!(2025-03-28 09:00 +7)), late, {
        let mut s =
            Story::submit_to(&procedure(), motcua_domain::dossier::Channel::Counter, MONDAY_10, CENTER, OTHER_AGENCY);
        s.act(&receiver(), MONDAY_10, receive());
        s
    }];
    let mut groups: HashMap<String, Tally> = HashMap::new();
    for s in &stories {
        groups.entry(s.d.resolving_unit.to_string()).or_default().add(&facts(s));
    }
    let rolled = groups.values().fold(Tally::default(), |acc, t| acc.merge(t));
    let whole = Tally::of(&stories.iter().map(facts).collect::<Vec<_>>());
    assert_eq!(rolled, whole);
    assert_eq!((whole.processed, whole.received, whole.online, whole.late), (3, 3, 2, 2));
}

// ---- properties ----

/// Arbitrary (possibly inconsistent) facts from random bits.
fn arb_facts() -> impl Strategy<Value = DossierFacts> {
    any::<u32>().prop_map(|b| {
        let bit = |i: u32| b & (1 << i) != 0;
        DossierFacts {
            processed: bit(0),
            received: bit(1),
            online: bit(2),
            finished: bit(3),
            timeliness: match (b >> 4) & 3 {
                0 => None,
                1 => Some(Timeliness::Early),
                2 => Some(Timeliness::OnTime),
                _ => Some(Timeliness::Late),
            },
            paper_result: bit(6),
            result_digitized: bit(7),
            digitized_input: bit(8),
            all_components_digitized: bit(8) && bit(20),
            reused_data: bit(9),
            fee_bearing: bit(10),
            paid_online: bit(11),
            rated: bit(12),
            satisfied: bit(13),
            disliked: bit(14),
            supplement_rounds: (b >> 15) & 3,
            extended: bit(17),
        }
    })
}

fn arb_tally() -> impl Strategy<Value = Tally> {
    prop::collection::vec(arb_facts(), 0..20).prop_map(|fs| Tally::of(&fs))
}

proptest! {
    /// Issue 14: every summary total equals the sum of its parts — the finished dossiers are
    /// early + on time + finished late, and the 766 "late" is finished late + overdue open.
    #[test]
    fn the_finished_and_the_late_dossiers_are_exactly_the_sum_of_their_parts(
        fs in prop::collection::vec(arb_facts(), 0..40),
    ) {
        // A finished dossier is always judged (`classify` of a finished received dossier).
        let fs: Vec<DossierFacts> = fs.into_iter().filter(|f| !f.finished || f.timeliness.is_some()).collect();
        let t = Tally::of(&fs);
        prop_assert_eq!(t.early + t.on_time + t.finished_late(), t.finished);
        prop_assert_eq!(t.finished_late() + t.overdue_open(), t.late);
        let open_late = fs.iter().filter(|f| f.processed && !f.finished && f.timeliness == Some(Timeliness::Late));
        prop_assert_eq!(t.overdue_open(), open_late.count() as u64);
    }

    #[test]
    fn merge_is_commutative_and_associative(a in arb_tally(), b in arb_tally(), c in arb_tally()) {
        prop_assert_eq!(a.merge(&b), b.merge(&a));
        prop_assert_eq!(a.merge(&b).merge(&c), a.merge(&b.merge(&c)));
        prop_assert_eq!(a.merge(&Tally::default()), a);
    }

    #[test]
    fn tallying_in_any_split_equals_tallying_whole(
        fs in prop::collection::vec(arb_facts(), 0..40),
        groups in prop::collection::vec(0usize..4, 40),
    ) {
        let mut parts = vec![Tally::default(); 4];
        for (f, g) in fs.iter().zip(&groups) {
            parts[*g].add(f);
        }
        let merged = parts.iter().fold(Tally::default(), |acc, t| acc.merge(t));
        prop_assert_eq!(merged, Tally::of(&fs));
    }

    #[test]
    fn every_rate_is_a_percentage_and_every_point_within_its_maximum(t in arb_tally()) {
        let i = Indicators::from(&t);
        for r in [
            i.online_rate,
            i.on_time_rate,
            i.digitized_input_rate,
            i.digitized_output_rate,
            i.digitized_both_rate,
            i.reused_data_rate,
            i.online_payment_rate,
            i.satisfaction_rate,
            i.receiving_satisfaction_rate,
        ] {
            prop_assert!((0.0..=100.0).contains(&r), "{:?}", i);
        }
        let p = &i.points;
        for (v, max) in [
            (p.resolved_on_time, 20.0),
            (p.online_dossiers, 6.0),
            (p.paid_online, 6.0),
            (p.electronic_result, 6.0),
            (p.digitized, 4.0),
            (p.reused_data, 2.0),
            (p.receiving_satisfaction, 6.0),
            (p.computed_total, motcua_domain::indicators::rates::COMPUTED_MAX),
        ] {
            prop_assert!((0.0..=max).contains(&v), "{:?}", i);
        }
        prop_assert!(i.early + i.on_time + i.late <= i.processed);
    }
}
