use super::national::{parse_json, to_json};
use super::*;
use crate::catalog::{Fee, RequiredDocument};

fn sample(code: &str) -> Procedure {
    Procedure {
        code: ProcedureCode::parse(code).unwrap(),
        version: 1,
        name: "Đăng ký khai sinh; kết hợp".to_owned(),
        field: "Tư pháp - Hộ tịch".to_owned(),
        level: Level::Commune,
        agency: "COMMUNE".to_owned(),
        processing_days: Some(0.5),
        processing_hours: None,
        fees: vec![Fee::fixed("Lệ phí, \"bản sao\"", 8000)],
        documents: vec![RequiredDocument { name: "Tờ khai".to_owned(), original: true, copies: 1, form: None }],
        results: vec!["Giấy khai sinh".to_owned()],
        legal_basis: vec!["Luật Hộ tịch số 60/2014/QH13".to_owned()],
        online_level: OnlineLevel::Full,
        steps: vec![],
    }
}

fn header() -> Vec<String> {
    COLUMNS.iter().map(|c| c.to_string()).collect()
}

#[test]
fn flat_rows_round_trip_every_field() {
    let ps = vec![sample("1.001193"), sample("1.000948.H38")];
    assert_eq!(parse_rows(&header(), &to_rows(&ps)), Ok(ps));
}

#[test]
fn national_json_round_trips_and_uses_the_portal_field_names() {
    let ps = vec![sample("1.001193")];
    let json = to_json(&ps).to_string();
    for name in ["MaTTHC", "TRINHTUTHUCHIEN", "CACHTHUCTHUCHIEN", "THOIGIANGIAIQUYET", "PHILEPHI", "THANHPHANHOSO"] {
        assert!(json.contains(name), "{name}");
    }
    for name in ["CANCUPHAPLY", "COQUANTHUCHIEN", "KETQUATHUCHIEN"] {
        assert!(json.contains(name), "{name}");
    }
    assert_eq!(parse_json(&json), Ok(ps));
}

#[test]
fn our_own_json_shape_is_accepted_too() {
    let ps = vec![sample("1.001193")];
    let json = serde_json::to_string(&ps).unwrap();
    assert_eq!(parse_json(&json), Ok(ps));
}

#[test]
fn every_bad_row_is_reported_with_its_row_number() {
    let mut rows = to_rows(&[sample("1.001193"), sample("1.001194"), sample("1.001195"), sample("1.001196")]);
    rows[0][0] = "bad".to_owned(); // row 2: invalid code
    rows[1][4] = "city".to_owned(); // row 3: level
    rows[1][9] = "[not json".to_owned(); // row 3: fees
    rows[3][0] = "1.001195".to_owned(); // row 5: duplicate of row 4
    let errors = parse_rows(&header(), &rows).unwrap_err();
    let at: Vec<(usize, Option<&str>)> = errors.iter().map(|e| (e.row, e.column.as_deref())).collect();
    assert_eq!(at, vec![(2, Some("code")), (3, Some("level")), (3, Some("fees")), (5, Some("code"))]);
    assert!(errors.iter().all(|e| !e.message.is_empty() && !e.message_vi.is_empty()));
}

#[test]
fn a_missing_column_is_reported_on_the_header_row() {
    let mut h = header();
    h.retain(|c| c != "steps");
    let errors = parse_rows(&h, &[]).unwrap_err();
    assert_eq!((errors[0].row, errors[0].column.as_deref()), (1, Some("steps")));
}

#[test]
fn vietnamese_level_and_online_labels_are_understood() {
    assert_eq!(parse_level("Cấp Tỉnh"), Some(Level::Province));
    assert_eq!(parse_level("Xã"), Some(Level::Commune));
    assert_eq!(parse_online("Toàn trình"), Some(OnlineLevel::Full));
    assert_eq!(parse_online("Một phần"), Some(OnlineLevel::Partial));
}

#[test]
fn bad_json_records_are_all_reported_by_position() {
    let json = r#"[{"MaTTHC": "1.001193", "CAPTHUCHIEN": "Tỉnh"}, {"code": "x"}]"#;
    let rows: Vec<usize> = parse_json(json).unwrap_err().iter().map(|e| e.row).collect();
    assert_eq!(rows, vec![1, 2]);
}
