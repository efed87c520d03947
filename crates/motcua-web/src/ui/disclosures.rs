//! The public disclosure pages (no sign-in, no JavaScript): `/cong-khai` lists every published
//! month, `/cong-khai/{month}` shows one revision's table per unit with the revision history,
//! saying clearly when a newer revision corrects the one shown. Times are shown in UTC+7.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use motcua_store::StoreError;
use motcua_store::disclosures::DisclosureMeta;
use serde::Deserialize;

use crate::AppState;
use crate::extract::ApiQuery;
use crate::ui::error::UiError;
use crate::ui::{Chrome, Lang, Visitor, render};
use motcua_app::disclosures::{RowView, SnapshotView, parse_disclosure_month};

/// One month of the list: its latest revision.
struct MonthLine {
    month: String,
    revision: i64,
    revisions: usize,
    published_at: String,
    note: String,
}

#[derive(Template)]
#[template(path = "disclosures/list.html")]
struct ListPage {
    c: Chrome,
    months: Vec<MonthLine>,
}

async fn list(State(state): State<AppState>, v: Visitor) -> Result<Response, UiError> {
    let all = state.store.disclosures().await.map_err(|e| UiError::from(e).in_lang(v.lang))?;
    let mut months: Vec<MonthLine> = Vec::new();
    // Newest month first, newest revision first: the first line of a month is its latest.
    for m in all {
        match months.last_mut() {
            Some(line) if line.month == m.month => line.revisions += 1,
            _ => months.push(MonthLine {
                published_at: crate::views::local_display(m.published_at),
                month: m.month,
                revision: m.revision,
                revisions: 1,
                note: m.note,
            }),
        }
    }
    let c = Chrome::new(&v, "/cong-khai", "Công khai kết quả giải quyết TTHC", "Published service results");
    Ok(render(&ListPage { c, months }))
}

/// A table row, formatted for the page language.
struct Row {
    name: String,
    key: String,
    received: u64,
    online_rate: String,
    on_time_rate: String,
    early: u64,
    on_time: u64,
    late: u64,
    digitized_input_rate: String,
    digitized_output_rate: String,
    digitized_both_rate: String,
    satisfaction_rate: String,
    points: String,
}

impl Row {
    fn of(r: &RowView, lang: Lang) -> Row {
        let pct = |x: f64| crate::views::percent(x, lang);
        Row {
            name: r.name.clone(),
            key: r.key.clone(),
            received: r.received,
            online_rate: pct(r.online_rate),
            on_time_rate: pct(r.on_time_rate),
            early: r.early,
            on_time: r.on_time,
            late: r.late,
            digitized_input_rate: pct(r.digitized_input_rate),
            digitized_output_rate: pct(r.digitized_output_rate),
            digitized_both_rate: pct(r.digitized_both_rate),
            satisfaction_rate: pct(r.satisfaction_rate),
            points: crate::views::decimal(r.points.computed_total, lang),
        }
    }
}

/// A line of the revision history.
struct Revision {
    revision: i64,
    published_at: String,
    published_by: String,
    note: String,
    sha256_prefix: String,
    sha256: String,
    shown: bool,
}

#[derive(Template)]
#[template(path = "disclosures/month.html")]
struct MonthPage {
    c: Chrome,
    month: String,
    revision: i64,
    latest: i64,
    published_at: String,
    generated_at: String,
    units: Vec<Row>,
    total: Row,
    history: Vec<Revision>,
}

#[derive(Deserialize)]
pub struct RevisionQuery {
    revision: Option<String>,
}

async fn month(
    State(state): State<AppState>,
    v: Visitor,
    Path(month): Path<String>,
    ApiQuery(q): ApiQuery<RevisionQuery>,
) -> Result<Response, UiError> {
    let lang = v.lang;
    let m = parse_disclosure_month(&month).map_err(|_| UiError::not_found(lang))?;
    let month = m.to_string();
    let revision = match q.revision.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        None => None,
        Some(r) => Some(r.parse::<i64>().map_err(|_| UiError::not_found(lang))?),
    };
    let d = match state.store.disclosure(&month, revision).await {
        Ok(d) => d,
        Err(StoreError::NotFound) => {
            return Err(UiError::new(
                axum::http::StatusCode::NOT_FOUND,
                lang,
                format!("Chưa công khai kết quả tháng {month} (hoặc không có bản số này)."),
                format!("Results of {month} are not published (or there is no such revision)."),
            ));
        }
        Err(e) => return Err(UiError::from(e).in_lang(lang)),
    };
    let revisions: Vec<DisclosureMeta> =
        state.store.disclosure_revisions(&month).await.map_err(|e| UiError::from(e).in_lang(lang))?;
    let latest = revisions.last().map(|r| r.revision).unwrap_or(d.meta.revision);
    let snapshot: SnapshotView = serde_json::from_str(&d.body).map_err(|e| {
        tracing::error!(%month, revision = d.meta.revision, error = %e, "stored disclosure body");
        UiError::internal(lang)
    })?;
    let history = revisions
        .into_iter()
        .rev()
        .map(|r| Revision {
            shown: r.revision == d.meta.revision,
            revision: r.revision,
            published_at: crate::views::local_display(r.published_at),
            published_by: r.published_by,
            note: r.note,
            sha256_prefix: r.sha256.chars().take(12).collect(),
            sha256: r.sha256,
        })
        .collect();
    let generated_at = motcua_store::parse_ts(&snapshot.generated_at)
        .map(crate::views::local_display)
        .unwrap_or_else(|_| snapshot.generated_at.clone());
    let title_vi = format!("Kết quả giải quyết TTHC tháng {:02}/{}", m.month, m.year);
    let title_en = format!("Service results, {month}");
    let c = Chrome::new(&v, &format!("/cong-khai/{month}"), &title_vi, &title_en);
    Ok(render(&MonthPage {
        month,
        revision: d.meta.revision,
        latest,
        published_at: crate::views::local_display(d.meta.published_at),
        generated_at,
        units: snapshot.units.iter().map(|r| Row::of(r, lang)).collect(),
        total: Row::of(&snapshot.total, lang),
        history,
        c,
    }))
}

/// The public disclosure pages.
pub fn router() -> Router<AppState> {
    Router::new().route("/cong-khai", get(list)).route("/cong-khai/{month}", get(month))
}
