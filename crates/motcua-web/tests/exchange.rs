//! Catalog export and reference data through the API: each format downloads with its content
//! type and file name and reads back as the catalog; fields and levels.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::setup;
use http_body_util::BodyExt;
use motcua_store::catalog::ProcedureQuery;
use motcua_web::catalog_files::{Format, decode};
use tower::ServiceExt;

#[tokio::test]
async fn the_catalog_exports_as_json_csv_and_xlsx_and_reads_back_unchanged() {
    let app = setup().await;
    let catalog = app.store.procedures(&ProcedureQuery::default()).await.unwrap();
    assert!(!catalog.is_empty());
    for (format, kind) in
        [(Format::Json, "application/json"), (Format::Csv, "text/csv"), (Format::Xlsx, "spreadsheetml")]
    {
        let uri = format!("/api/v1/procedures/export?format={}", format.extension());
        let res = app.router.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let content_type = res.headers()[header::CONTENT_TYPE].to_str().unwrap().to_owned();
        assert!(content_type.contains(kind), "{content_type}");
        let disposition = res.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().to_owned();
        assert!(disposition.starts_with("attachment;") && disposition.contains(format.extension()), "{disposition}");
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(decode(format, &bytes), Ok(catalog.clone()), "{format:?}");
    }
    let r = app.call("GET", "/api/v1/procedures/export", None, None, None).await;
    assert!(r.body[0]["MaTTHC"].is_string(), "JSON is the default, with national field names");
    let r = app.call("GET", "/api/v1/procedures/export?format=pdf", None, None, None).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_format")));
}

#[tokio::test]
async fn fields_and_levels_are_served_as_reference_data() {
    let app = setup().await;
    let r = app.call("GET", "/api/v1/reference/levels", None, None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let levels: Vec<(&str, bool)> = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["level"].as_str().unwrap(), l["historical"].as_bool().unwrap()))
        .collect();
    assert_eq!(levels, [("province", false), ("commune", false), ("district", true)]);
    let r = app.call("GET", "/api/v1/reference/fields", None, None, None).await;
    let names: Vec<&str> = r.body.as_array().unwrap().iter().filter_map(|f| f["name"].as_str()).collect();
    assert!(names.contains(&"Tư pháp - Hộ tịch"), "{names:?}");
}
