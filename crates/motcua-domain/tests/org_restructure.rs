//! Restructures of units (domain.md §13): plan validation, the units after a merge, successor
//! chains, and the system-only `rehome` action that moves an in-flight dossier to the successor
//! keeping its code, due date and history.

mod common;

use common::*;
use motcua_domain::catalog::Level;
use motcua_domain::dossier::Actor;
use motcua_domain::dossier::actions::{ActionKind, allowed_actions};
use motcua_domain::org::restructure::parse_day;
use motcua_domain::org::{Operation, RestructurePlan, Unit, UnitKind, successor_of};
use time::macros::{date, datetime};

fn unit(code: &str, kind: UnitKind, parent: Option<&str>) -> Unit {
    Unit {
        code: motcua_domain::ids::UnitCode::parse(code).unwrap(),
        name: format!("Đơn vị {code}"),
        kind,
        level: if kind == UnitKind::Province { Level::Province } else { Level::Commune },
        parent: parent.map(Into::into),
        slug: None,
        organ_id: None,
        office_hours: None,
        code_template: None,
        valid_from: Some("2020-01-01".into()),
        valid_to: None,
        successor: None,
        predecessors: vec![],
    }
}

fn units() -> Vec<Unit> {
    vec![
        unit("91", UnitKind::Province, None),
        unit("30001", UnitKind::Commune, Some("91")),
        unit("30002", UnitKind::Ward, Some("91")),
        unit("30003", UnitKind::Commune, Some("91")),
        unit("30001.TT", UnitKind::Center, Some("30001")),
    ]
}

fn code(s: &str) -> motcua_domain::ids::UnitCode {
    motcua_domain::ids::UnitCode::parse(s).unwrap()
}

fn merge(from: &[&str], into: &str) -> Operation {
    Operation::Merge {
        from: from.iter().map(|s| code(s)).collect(),
        into: Box::new(unit(into, UnitKind::SpecialZone, Some("91"))),
    }
}

fn plan(operations: Vec<Operation>) -> RestructurePlan {
    RestructurePlan { effective_on: date!(2025 - 07 - 01), legal_basis: "NQ 1654/NQ-UBTVQH15".into(), operations }
}

fn refusal(p: &RestructurePlan) -> &'static str {
    match p.validate(&units()) {
        Ok(()) => panic!("the plan was accepted"),
        Err(e) => {
            assert!(!e.message_vi.is_empty(), "bilingual");
            e.code.as_str()
        }
    }
}

#[test]
fn a_merge_into_a_new_special_zone_ends_the_communes_the_day_before() {
    let p = plan(vec![merge(&["30001", "30002"], "31000")]);
    p.validate(&units()).unwrap_or_else(|e| panic!("{e}"));
    let after = p.apply_to_units(&units());
    let get = |c: &str| after.iter().find(|u| u.code == c).unwrap_or_else(|| panic!("{c}"));
    for old in ["30001", "30002"] {
        assert_eq!(get(old).valid_to.as_deref(), Some("2025-06-30"));
        assert_eq!(get(old).successor.as_deref(), Some("31000"));
    }
    assert_eq!(get("31000").valid_from.as_deref(), Some("2025-07-01"));
    assert_eq!(get("31000").predecessors, vec!["30001".to_owned(), "30002".to_owned()]);
    assert!(get("30003").is_current(), "untouched");
    assert_eq!(get("30001.TT").parent.as_deref(), Some("31000"), "children follow the successor");
    assert_eq!(after.len(), units().len() + 1, "nothing deleted");
}

#[test]
fn a_merge_into_an_existing_unit_keeps_it_and_lists_its_predecessors() {
    let p = plan(vec![merge(&["30001"], "30003")]);
    p.validate(&units()).unwrap_or_else(|e| panic!("{e}"));
    let after = p.apply_to_units(&units());
    let target = after.iter().find(|u| u.code == "30003").unwrap_or_else(|| panic!("30003"));
    assert_eq!(target.valid_from.as_deref(), Some("2020-01-01"));
    assert_eq!(target.predecessors, vec!["30001".to_owned()]);
    assert_eq!(p.created(&units()), Vec::<String>::new());
}

#[test]
fn renames_and_moves_apply_in_place() {
    let p = plan(vec![
        Operation::Rename { code: code("30003"), new_name: "Phường Rạch Giá".into() },
        Operation::Move { code: code("30001.TT"), new_parent: code("30003") },
    ]);
    p.validate(&units()).unwrap_or_else(|e| panic!("{e}"));
    let after = p.apply_to_units(&units());
    assert!(after.iter().any(|u| u.code == "30003" && u.name == "Phường Rạch Giá"));
    assert!(after.iter().any(|u| u.code == "30001.TT" && u.parent.as_deref() == Some("30003")));
}

#[test]
fn invalid_plans_are_refused_with_a_reason() {
    assert_eq!(refusal(&plan(vec![merge(&["99999"], "31000")])), "unknown_unit");
    assert_eq!(refusal(&plan(vec![merge(&["30001"], "31000"), merge(&["30001"], "32000")])), "merged_twice");
    assert_eq!(refusal(&plan(vec![merge(&["30001", "30002"], "30001")])), "merge_into_itself");
    assert_eq!(refusal(&plan(vec![merge(&["30001"], "30002"), merge(&["30002"], "30003")])), "merge_target_merged");
    assert_eq!(
        refusal(&plan(vec![Operation::Move { code: code("91"), new_parent: code("30001.TT") }])),
        "parent_cycle"
    );
    assert_eq!(
        refusal(&plan(vec![Operation::Move { code: code("30003"), new_parent: code("nowhere") }])),
        "unknown_unit"
    );
    assert_eq!(refusal(&plan(vec![Operation::Rename { code: code("30003"), new_name: " ".into() }])), "name_required");
    assert_eq!(refusal(&plan(vec![])), "restructure_incomplete");
    let mut no_basis = plan(vec![merge(&["30001"], "31000")]);
    no_basis.legal_basis = "  ".into();
    assert_eq!(refusal(&no_basis), "restructure_incomplete");
    let mut too_early = plan(vec![merge(&["30001"], "31000")]);
    too_early.effective_on = date!(2019 - 12 - 31);
    assert_eq!(refusal(&too_early), "effective_date_too_early");
    // A new unit's code as a plan file brings it: it must have the register's shape.
    for code in ["Phú Quốc", " 31000", "31 000"] {
        let mut bad = merge(&["30001"], "31000");
        if let Operation::Merge { into, .. } = &mut bad {
            into.code = serde_json::from_value(serde_json::json!(code)).unwrap();
        }
        assert_eq!(refusal(&plan(vec![bad])), "invalid_unit_code", "{code:?}");
    }
}

#[test]
fn a_plan_without_its_date_does_not_parse() {
    let json = r#"{"legal_basis": "NQ 1654/NQ-UBTVQH15", "operations": []}"#;
    assert!(serde_json::from_str::<RestructurePlan>(json).is_err());
    let json = r#"{"effective_on": "2025-07-01", "legal_basis": "x", "operations": [{"op": "rename", "code": "30003", "new_name": "A"}]}"#;
    let p: RestructurePlan = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.effective_on, date!(2025 - 07 - 01));
}

#[test]
fn successor_chains_are_followed_to_the_unit_in_force_on_a_day() {
    let first = plan(vec![merge(&["30001"], "31000")]).apply_to_units(&units());
    let mut second = plan(vec![merge(&["31000"], "32000")]);
    second.effective_on = date!(2026 - 01 - 01);
    let after = second.apply_to_units(&first);
    let on = |d| successor_of(&after, "30001", d).map(|u| u.code.clone());
    assert_eq!(on(date!(2025 - 06 - 30)).as_deref(), Some("30001"));
    assert_eq!(on(date!(2025 - 07 - 01)).as_deref(), Some("31000"));
    assert_eq!(on(date!(2026 - 01 - 01)).as_deref(), Some("32000"));
    assert_eq!(successor_of(&after, "nothing", date!(2026 - 01 - 01)), None);
    assert_eq!(parse_day("2025-06-30"), Some(date!(2025 - 06 - 30)));
}

#[test]
fn rehome_moves_an_in_flight_dossier_keeping_code_due_date_and_history() {
    let at = datetime!(2025-06-27 09:00 +7);
    let mut s = Story::received(at);
    let before = s.d.clone();
    s.act(&Actor::System, datetime!(2025-07-01 07:00 +7), rehome(AGENCY, OTHER_AGENCY));
    assert_eq!(s.d.code, before.code);
    assert_eq!(s.d.due_at, before.due_at);
    assert_eq!(s.d.resolving_unit, OTHER_AGENCY);
    assert_eq!(s.d.receiving_unit, CENTER, "the one-stop was not merged");
    assert!(s.d.steps.iter().skip(s.d.step).all(|st| st.unit != AGENCY), "remaining steps follow");
    assert_eq!(s.events.len(), 3, "history kept, one event added");
    assert_eq!(s.replayed(), s.d);
}

#[test]
fn rehome_belongs_to_the_system_only_and_never_to_closed_dossiers() {
    let s = Story::received(datetime!(2025-06-27 09:00 +7));
    for actor in roster().iter().chain([&Actor::Applicant]) {
        assert!(!allowed_actions(&s.d, actor).contains(&ActionKind::Rehome));
        s.refused(actor, datetime!(2025-07-01 07:00 +7), rehome(AGENCY, OTHER_AGENCY));
    }
    assert_eq!(s.refused(&Actor::System, datetime!(2025-07-01 07:00 +7), rehome("X", "Y")).code, "nothing_to_rehome");
    let mut w = Story::online(datetime!(2025-06-27 09:00 +7));
    w.act(&Actor::Applicant, datetime!(2025-06-27 10:00 +7), withdraw());
    assert_eq!(
        w.refused(&Actor::System, datetime!(2025-07-01 07:00 +7), rehome(AGENCY, OTHER_AGENCY)).code,
        "invalid_transition"
    );
}
