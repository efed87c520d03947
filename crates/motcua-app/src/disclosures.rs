//! Monthly public disclosure of the QĐ 766 indicators (issue 5, item 4): once a month has ended,
//! an immutable snapshot of its figures per unit and for the whole province is published —
//! automatically at month end ([`publish_ended_months`]) or on demand by a center administrator
//! or `motcua disclose` ([`publish_month`], [`publish`]). A correction is a new revision with a
//! stated reason; a published revision is never edited.
//!
//! The public pages `/cong-khai` and `/cong-khai/{month}` are `motcua_web::ui::disclosures`.

use motcua_domain::ErrorCode;
use motcua_domain::dossier::Role;
use motcua_domain::indicators::YearMonth;
use motcua_store::disclosures::{Disclosure, DisclosureMeta};
use motcua_store::indicators::{By, Scope};
use motcua_store::{Store, StoreError, format_ts};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::Application;
use crate::accounts::Authority;
use crate::error::{AppResult, Error};
use crate::indicators::{Group, groups};

/// Who publishes the month-end snapshots.
pub const SYSTEM: &str = "system";
/// The note of a month-end snapshot.
pub const AUTOMATIC_NOTE: &str = "Công bố tự động cuối tháng";
/// Longest accepted note (characters).
pub const MAX_NOTE: usize = 2000;

/// The published snapshot of one month (the stored body).
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    /// `YYYY-MM`.
    pub month: String,
    /// When the figures were computed (RFC 3339, UTC).
    pub generated_at: String,
    /// The whole province.
    pub total: Group,
    /// One entry per resolving unit with dossiers in the month, by unit code.
    pub units: Vec<Group>,
}

/// Parses a month to disclose: `YYYY-MM` between 2000 and 2100, or 400 `invalid_month`.
pub fn parse_disclosure_month(value: &str) -> AppResult<YearMonth> {
    YearMonth::parse(value.trim()).filter(|m| (2000..=2100).contains(&m.year)).ok_or_else(|| {
        Error::bad_request(
            ErrorCode::InvalidMonth,
            format!("the month must look like 2025-07 (got '{}')", value.trim()),
            format!("tháng phải có dạng 2025-07 (nhận '{}')", value.trim()),
        )
    })
}

/// The figures of `month` at `now`, per unit and for the province, as the JSON text to publish.
pub async fn snapshot(store: &Store, month: YearMonth, now: OffsetDateTime) -> AppResult<String> {
    let scope = Scope::default();
    let total =
        groups(store, &scope, month, month, By::Total, now).await?.pop().unwrap_or_else(|| Group::empty(String::new()));
    let units = groups(store, &scope, month, month, By::Unit, now).await?;
    let s = Snapshot { month: month.to_string(), generated_at: format_ts(now), total, units };
    serde_json::to_string(&s).map_err(|e| {
        tracing::error!(error = %e, "serializing a disclosure snapshot");
        Error::internal()
    })
}

/// The figures of a body, without when they were computed: two revisions with equal figures
/// say the same thing.
fn figures(body: &str) -> Option<serde_json::Value> {
    let mut v: serde_json::Value = serde_json::from_str(body).ok()?;
    v.as_object_mut()?.remove("generated_at");
    Some(v)
}

/// The latest revision of `month`, if any.
async fn latest(store: &Store, month: YearMonth) -> AppResult<Option<Disclosure>> {
    match store.disclosure(&month.to_string(), None).await {
        Ok(d) => Ok(Some(d)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Publishes the next revision of `month`'s snapshot, by `by`. Refuses a month that has not
/// ended at `now` (422 `month_not_ended`), a correction without a reason (400 `note_required`)
/// and a correction whose figures equal the latest revision's (409 `disclosure_unchanged`).
#[tracing::instrument(skip_all, fields(%month))]
pub async fn publish_month(
    store: &Store,
    month: YearMonth,
    by: &str,
    note: &str,
    now: OffsetDateTime,
) -> AppResult<Disclosure> {
    if month >= YearMonth::of(now) {
        return Err(Error::unprocessable(
            ErrorCode::MonthNotEnded,
            format!("{month} has not ended yet: a month is disclosed once it is over"),
            format!("tháng {month} chưa kết thúc: chỉ công khai kết quả của tháng đã kết thúc"),
        ));
    }
    let note = note.trim();
    if note.chars().count() > MAX_NOTE {
        return Err(Error::bad_request(
            ErrorCode::NoteTooLong,
            format!("the note may have at most {MAX_NOTE} characters"),
            format!("ghi chú tối đa {MAX_NOTE} ký tự"),
        ));
    }
    let previous = latest(store, month).await?;
    if previous.is_some() && note.is_empty() {
        return Err(Error::bad_request(
            ErrorCode::NoteRequired,
            format!("{month} is already disclosed: a correction needs a note giving its reason"),
            format!("tháng {month} đã được công khai: bản đính chính phải ghi rõ lý do"),
        ));
    }
    let body = snapshot(store, month, now).await?;
    if let Some(p) = &previous
        && figures(&p.body) == figures(&body)
    {
        return Err(Error::new(
            crate::error::Kind::Conflict,
            ErrorCode::DisclosureUnchanged,
            format!("the figures of {month} are the same as in revision {}: nothing to correct", p.meta.revision),
            format!("số liệu tháng {month} không khác bản số {}: không có gì để đính chính", p.meta.revision),
        ));
    }
    let meta = store.publish_disclosure(month, by, note, &body, now).await.map_err(|e| match e {
        StoreError::Conflict { current } => Error::new(
            crate::error::Kind::Conflict,
            ErrorCode::DisclosureConflict,
            format!("{month} is being published by someone else (now at revision {current}): try again"),
            format!("tháng {month} đang được công khai bởi người khác (bản số {current}): vui lòng thử lại"),
        ),
        other => other.into(),
    })?;
    tracing::info!(%month, revision = meta.revision, %by, "indicators disclosed");
    Ok(Disclosure { meta, body })
}

/// The month-end automation: publishes revision 1 of the most recent ended month when it has no
/// disclosure yet and had dossiers (an empty month before the system went live is not
/// disclosed). Never re-publishes: later revisions are corrections made by people. Answers what
/// it published.
pub async fn publish_ended_months(store: &Store, now: OffsetDateTime) -> AppResult<Vec<DisclosureMeta>> {
    let month = YearMonth::of(now).prev();
    if !store.disclosure_revisions(&month.to_string()).await?.is_empty() {
        return Ok(Vec::new());
    }
    let body = snapshot(store, month, now).await?;
    let empty = serde_json::from_str::<SnapshotView>(&body).map(|s| s.units.is_empty()).unwrap_or(true);
    if empty {
        tracing::debug!(%month, "no dossiers in the month: nothing to disclose");
        return Ok(Vec::new());
    }
    match store.publish_disclosure(month, SYSTEM, AUTOMATIC_NOTE, &body, now).await {
        // Another instance published it meanwhile: keep only the first.
        Ok(meta) if meta.revision > 1 => {
            tracing::warn!(%month, revision = meta.revision, "month-end disclosure published twice concurrently");
            Ok(vec![meta])
        }
        Ok(meta) => Ok(vec![meta]),
        Err(e) => Err(e.into()),
    }
}

/// Publishes the next revision of `month` (as typed, `YYYY-MM`) now, by `by`: a center
/// administrator (`POST /api/v1/disclosures`) or the operator (`motcua disclose --month YYYY-MM
/// --note "..." --by NAME`), with the rules of [`publish_month`].
pub async fn publish(state: &Application, by: Authority<'_>, month: &str, note: &str) -> AppResult<Disclosure> {
    if !by.holds(Role::CenterAdmin) {
        return Err(Error::forbidden(
            "only a center administrator can publish the monthly indicators",
            "chỉ quản trị trung tâm được công khai kết quả hằng tháng",
        ));
    }
    let month = parse_disclosure_month(month)?;
    publish_month(&state.store, month, by.name(), note, state.now()).await
}

/// A stored snapshot read back for display: the figures the public page shows. Missing fields
/// read as zero, so older bodies still display.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SnapshotView {
    pub month: String,
    pub generated_at: String,
    pub total: RowView,
    pub units: Vec<RowView>,
}

/// One group of a stored snapshot.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RowView {
    pub key: String,
    pub name: String,
    pub received: u64,
    pub online: u64,
    pub processed: u64,
    pub early: u64,
    pub on_time: u64,
    pub late: u64,
    pub online_rate: f64,
    pub on_time_rate: f64,
    pub digitized_input_rate: f64,
    pub digitized_output_rate: f64,
    pub digitized_both_rate: f64,
    pub satisfaction_rate: f64,
    pub points: PointsView,
}

/// The points of a stored group.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PointsView {
    pub computed_total: f64,
}
