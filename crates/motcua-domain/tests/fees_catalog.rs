//! The fee schedules of the shipped catalog, computed for the cases a counter meets (issue 15
//! item 4): each row is a procedure, the facts stated at reception, and what the applicant pays.

use motcua_domain::catalog::Procedure;
use motcua_domain::catalog::fees::{FeeFact, Relief, assess, total, validate_schedule};

fn catalog() -> Vec<Procedure> {
    serde_json::from_str(include_str!("../../../data/demo/procedures.json")).expect("the demo catalog parses")
}

fn fact(line: usize, quantity: u32, groups: u32) -> FeeFact {
    FeeFact { line, quantity: Some(quantity), groups: Some(groups), ..FeeFact::default() }
}

fn chosen(line: usize) -> FeeFact {
    FeeFact { line, chosen: true, ..FeeFact::default() }
}

#[test]
fn every_schedule_of_the_catalog_is_valid() {
    for p in catalog() {
        validate_schedule(&p.fees).unwrap_or_else(|e| panic!("{}: {}", p.code, e.message));
    }
}

#[test]
fn the_catalogs_fees_as_the_law_writes_them() {
    let cases: &[(&str, &str, Vec<FeeFact>, bool, i64)] = &[
        // TT 226/2016/TT-BTC Art. 4: 2.000 đ/trang, from page 3 1.000 đ/trang, at most 200.000 đ/bản.
        ("2.000815", "one page, one copy", vec![fact(0, 1, 1)], false, 2_000),
        ("2.000815", "two pages, three copies", vec![fact(0, 2, 3)], false, 12_000),
        ("2.000815", "ten pages, two copies", vec![fact(0, 10, 2)], false, 24_000),
        ("2.000815", "a 300-page original, capped per copy", vec![fact(0, 300, 2)], false, 400_000),
        ("2.000942", "five pages", vec![fact(0, 5, 1)], false, 7_000),
        // 8.000 đ for each copy of an extract.
        ("2.000635", "three copies", vec![fact(0, 3, 1)], false, 24_000),
        ("1.004873", "fixed charge", vec![], false, 15_000),
        // Correction always; a new certificate only in that case.
        ("1.013831", "correction only", vec![], false, 25_000),
        ("1.013831", "with a new certificate", vec![chosen(1)], false, 125_000),
        // Business registration: the charge is waived online, the publication fee is not.
        ("2.001610", "on paper", vec![], false, 150_000),
        ("2.001610", "online", vec![], true, 100_000),
        (
            "1.004884",
            "exempt",
            vec![FeeFact {
                line: 0,
                relief: Some(Relief { percent: 100, reason: "Trẻ em dưới 6 tuổi".into() }),
                ..FeeFact::default()
            }],
            false,
            0,
        ),
        ("1.012784", "no facts needed", vec![], false, 100_000),
    ];
    let catalog = catalog();
    for (code, case, facts, online, expected) in cases {
        let p = catalog.iter().find(|p| p.code == *code).unwrap_or_else(|| panic!("{code} is in the catalog"));
        let lines = assess(&p.fees, facts, *online).unwrap_or_else(|e| panic!("{code} {case}: {}", e.message));
        assert_eq!(total(&lines), *expected, "{code} {case}: {lines:?}");
    }
}

#[test]
fn a_per_page_fee_is_not_the_sum_of_its_schedule() {
    let catalog = catalog();
    let p = catalog.iter().find(|p| p.code == "2.000815").expect("2.000815");
    assert_eq!(p.fees.len(), 1, "one line: the price per page with its tier and cap");
    assert_eq!(assess(&p.fees, &[], false).unwrap_err().code, "fee_quantity_required");
}
