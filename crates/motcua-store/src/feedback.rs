//! Citizen feedback (phản ánh, kiến nghị): the query projection of the feedback histories (kept
//! by [`crate::records`], the one write path of every record with a history); votes; search over
//! published answers; queues, open deadlines for the daily alerts, and counts for the indicators.

use futures_util::future::BoxFuture;
use motcua_domain::ErrorCode;
use motcua_domain::feedback::score::FeedbackCounts;
use motcua_domain::feedback::{Event, Feedback, FeedbackRules, Stage, Status};
use motcua_domain::ids::UnitCode;
use motcua_domain::text::fold;
use sqlx::{AnyPool, Row};
use time::OffsetDateTime;

use crate::records::{self, Projection, Tx};
use crate::{Result, Store, StoreError, format_ts, parse_ts};

/// One line of a feedback's history as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFeedbackEvent {
    pub seq: i64,
    pub event: Event,
}

/// An open item and its running time limit (for the daily alerts and officers' queues).
#[derive(Debug, Clone, PartialEq)]
pub struct OpenFeedback {
    pub code: String,
    pub center: String,
    /// The assigned unit, or `None` while the center still has to classify it.
    pub unit: Option<String>,
    pub status: Status,
    pub stage: Stage,
    pub due: OffsetDateTime,
}

/// Filters of an officers' list.
#[derive(Debug, Clone, Default)]
pub struct FeedbackFilter {
    /// Items assigned to any of these units, or received by any of these centers.
    pub units: Vec<String>,
    pub status: Option<Status>,
    pub limit: i64,
}

/// The setting holding a center's answer limit in working days (`feedback.answer_days.<center>`).
fn answer_days_setting(center: &str) -> String {
    format!("feedback.answer_days.{center}")
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("feedback: {e}"))
}

impl Store {
    /// The feedback rules of `center`: the national defaults with the center's answer limit.
    pub async fn feedback_rules(&self, center: &str) -> Result<FeedbackRules> {
        let v: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE name = $1")
            .bind(answer_days_setting(center))
            .fetch_optional(&self.pool)
            .await?;
        let rules = FeedbackRules::default();
        Ok(v.and_then(|v| v.parse::<f64>().ok()).and_then(|d| rules.with_answer_days(d)).unwrap_or(rules))
    }

    /// Sets `center`'s answer limit (1–60 working days); applies to items submitted afterwards.
    pub async fn set_feedback_answer_days(&self, center: &str, days: f64) -> Result<()> {
        if FeedbackRules::default().with_answer_days(days).is_none() {
            return Err(motcua_domain::DomainError::invalid(
                ErrorCode::InvalidAnswerDays,
                "the answer limit must be 1 to 60 working days",
                "thời hạn trả lời phải từ 1 đến 60 ngày làm việc",
            )
            .into());
        }
        let name = answer_days_setting(center);
        let mut tx = crate::begin_write(&self.pool).await?;
        sqlx::query("DELETE FROM settings WHERE name = $1").bind(name.clone()).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO settings (name, value) VALUES ($1, $2)")
            .bind(name)
            .bind(days.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a new item. `build` receives the code (`FB-YYMMDD-NNNN`, numbered per day of
    /// submission in Vietnam's time) and returns the item and its first event. Numbered and
    /// written by the writer, so two submissions never take the same number.
    pub async fn create_feedback(
        &self,
        at: OffsetDateTime,
        secret_hash: &str,
        build: impl FnOnce(String) -> std::result::Result<(Feedback, Event), motcua_domain::DomainError> + Send + 'static,
    ) -> Result<Feedback> {
        self.create_feedback_with_files(at, secret_hash, build, Vec::new()).await
    }

    /// [`Store::create_feedback`] with the citizen's attachments, stored as the item's in the same
    /// transaction (both or neither).
    pub async fn create_feedback_with_files(
        &self,
        at: OffsetDateTime,
        secret_hash: &str,
        build: impl FnOnce(String) -> std::result::Result<(Feedback, Event), motcua_domain::DomainError> + Send + 'static,
        mut files: Vec<crate::web::NewFile>,
    ) -> Result<Feedback> {
        let secret_hash = secret_hash.to_owned();
        let staged = self.writer.blobs.stage(files.iter_mut().map(crate::web::NewFile::bytes)).await?;
        let fb = self
            .writer
            .transact(move |tx| {
                Box::pin(async move {
                    let local = at.to_offset(time::macros::offset!(+7)).date();
                    let prefix =
                        format!("FB-{:02}{:02}{:02}-", local.year() % 100, u8::from(local.month()), local.day());
                    let last: Option<String> =
                        sqlx::query_scalar("SELECT code FROM feedback WHERE code LIKE $1 ORDER BY code DESC LIMIT 1")
                            .bind(format!("{prefix}%"))
                            .fetch_optional(&mut **tx)
                            .await?;
                    let next = last.and_then(|c| c[prefix.len()..].parse::<u32>().ok()).unwrap_or(0) + 1;
                    let (_, event) = records::guarded("feedback submission", || build(format!("{prefix}{next:04}")))??;
                    let fb = records::create_in::<Feedback>(tx, std::slice::from_ref(&event)).await?;
                    sqlx::query("UPDATE feedback SET secret_hash = $1 WHERE code = $2")
                        .bind(secret_hash)
                        .bind(fb.code.clone())
                        .execute(&mut **tx)
                        .await?;
                    crate::web::insert_files_in(tx, &files, &fb.code).await?;
                    Ok(fb)
                })
            })
            .await?;
        staged.ensure().await?;
        Ok(fb)
    }

    /// An item and its secret hash.
    pub async fn feedback(&self, code: &str) -> Result<(Feedback, String)> {
        let row = sqlx::query("SELECT data, secret_hash FROM feedback WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        let data: String = row.try_get("data")?;
        Ok((serde_json::from_str(&data).map_err(corrupt)?, row.try_get("secret_hash")?))
    }

    /// Appends `event` (decided on the item at `expected_version`) through the writer.
    pub async fn append_feedback(&self, code: &str, expected_version: i64, event: &Event) -> Result<Feedback> {
        let (code, event) = (code.to_owned(), event.clone());
        self.writer
            .transact(move |tx| {
                Box::pin(async move {
                    records::append_in::<Feedback>(tx, &code, Some(expected_version), |_| Ok(vec![event])).await
                })
            })
            .await
    }

    /// Decides and appends in one step on the item's current state inside the writer: `decide`
    /// sees the state the event will follow, so nothing can come in between.
    pub async fn act_on_feedback(
        &self,
        code: &str,
        expected_version: Option<i64>,
        decide: impl FnOnce(&Feedback) -> std::result::Result<Event, motcua_domain::DomainError> + Send + 'static,
    ) -> Result<Feedback> {
        let code = code.to_owned();
        self.writer
            .transact(move |tx| {
                Box::pin(async move {
                    records::append_in::<Feedback>(tx, &code, expected_version, |fb| decide(fb).map(|e| vec![e])).await
                })
            })
            .await
    }

    /// The history of an item, oldest first.
    pub async fn feedback_events(&self, code: &str) -> Result<Vec<StoredFeedbackEvent>> {
        Ok(records::history::<Feedback>(&self.pool, code)
            .await?
            .into_iter()
            .map(|s| StoredFeedbackEvent { seq: s.seq, event: s.event })
            .collect())
    }

    /// Records a like or dislike of a published answer; one per voter (a later vote replaces an
    /// earlier one). Returns the item with its new totals. Votes are reactions beside the
    /// history (not events); they are written by the writer like everything else.
    pub async fn vote_feedback(
        &self,
        code: &str,
        voter_hash: &str,
        liked: bool,
        at: OffsetDateTime,
    ) -> Result<Feedback> {
        let (code, voter_hash) = (code.to_owned(), voter_hash.to_owned());
        self.writer
            .transact(move |tx| {
                Box::pin(async move {
                    let row = sqlx::query("SELECT data FROM feedback WHERE code = $1 AND status = 'published'")
                        .bind(code.clone())
                        .fetch_optional(&mut **tx)
                        .await?
                        .ok_or(StoreError::NotFound)?;
                    let mut fb: Feedback = serde_json::from_str(&row.try_get::<String, _>("data")?).map_err(corrupt)?;
                    sqlx::query("DELETE FROM feedback_votes WHERE code = $1 AND voter_hash = $2")
                        .bind(code.clone())
                        .bind(voter_hash.clone())
                        .execute(&mut **tx)
                        .await?;
                    sqlx::query("INSERT INTO feedback_votes (code, voter_hash, liked, at) VALUES ($1, $2, $3, $4)")
                        .bind(code.clone())
                        .bind(voter_hash)
                        .bind(i64::from(liked))
                        .bind(format_ts(at))
                        .execute(&mut **tx)
                        .await?;
                    (fb.likes, fb.dislikes) = votes_in(tx, &code).await?;
                    sqlx::query("UPDATE feedback SET data = $1 WHERE code = $2")
                        .bind(serde_json::to_string(&fb).map_err(corrupt)?)
                        .bind(code)
                        .execute(&mut **tx)
                        .await?;
                    Ok(fb)
                })
            })
            .await
    }

    /// Published items, newest first, whose public text contains every word of `query`
    /// (diacritics and case ignored; an empty query lists all).
    pub async fn published_feedback(&self, query: &str, limit: i64, offset: i64) -> Result<Vec<Feedback>> {
        let words: Vec<String> = fold(query).split(' ').filter(|w| !w.is_empty()).take(8).map(str::to_owned).collect();
        let mut sql = String::from("SELECT data FROM feedback WHERE status = 'published'");
        for i in 0..words.len() {
            sql.push_str(&format!(" AND public_folded LIKE ${} ESCAPE '\\'", i + 1));
        }
        sql.push_str(&format!(
            " ORDER BY published_at DESC, code DESC LIMIT {} OFFSET {}",
            limit.clamp(1, 200),
            offset.max(0)
        ));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for w in words {
            let escaped = w.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            q = q.bind(format!("%{escaped}%"));
        }
        rows_to_feedback(q.fetch_all(&self.pool).await?)
    }

    /// Officers' list: items of the given units (assigned to them, or received by them as the
    /// center), optionally in one status, oldest deadline first.
    pub async fn feedback_list(&self, f: &FeedbackFilter) -> Result<Vec<Feedback>> {
        if f.units.is_empty() {
            return Ok(Vec::new());
        }
        let n = f.units.len();
        let list = |from: usize| (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        let mut sql = format!("SELECT data FROM feedback WHERE (unit IN ({}) OR center IN ({}))", list(1), list(n + 1));
        if f.status.is_some() {
            sql.push_str(&format!(" AND status = ${}", 2 * n + 1));
        }
        sql.push_str(&format!(
            " ORDER BY CASE WHEN current_due IS NULL THEN 1 ELSE 0 END, current_due, code DESC LIMIT {}",
            if f.limit <= 0 { 500 } else { f.limit.min(2000) }
        ));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for u in f.units.iter().chain(f.units.iter()) {
            q = q.bind(u.clone());
        }
        if let Some(s) = f.status {
            q = q.bind(s.as_str());
        }
        rows_to_feedback(q.fetch_all(&self.pool).await?)
    }

    /// Every open item with its running time limit, earliest first; only `unit`'s (assigned to
    /// it, or awaiting classification at it as the center) when given. For the daily alerts.
    pub async fn open_feedback_deadlines(&self, unit: Option<&str>) -> Result<Vec<OpenFeedback>> {
        let rows = sqlx::query(
            "SELECT data FROM feedback WHERE current_due IS NOT NULL \
             AND ($1 = '' OR unit = $1 OR (unit IS NULL AND center = $1)) ORDER BY current_due, code",
        )
        .bind(unit.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows_to_feedback(rows)?
            .into_iter()
            .filter_map(|fb| {
                let (stage, due) = fb.current_deadline()?;
                let unit = if fb.status == Status::Accepted || fb.status == Status::Submitted { None } else { fb.unit };
                Some(OpenFeedback {
                    code: fb.code,
                    center: fb.center.into_string(),
                    unit: unit.map(UnitCode::into_string),
                    status: fb.status,
                    stage,
                    due,
                })
            })
            .collect())
    }

    /// Counts over items submitted in `[from, to)` (received there as center or assigned to
    /// `unit` when given), judged at `now`: received / handled on time / published and the
    /// QĐ 766 rows 5.2–5.3 inputs.
    pub async fn feedback_counts(
        &self,
        unit: Option<&str>,
        from: OffsetDateTime,
        to: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<FeedbackCounts> {
        let rows = sqlx::query(
            "SELECT data FROM feedback WHERE submitted_at >= $1 AND submitted_at < $2 \
             AND ($3 = '' OR unit = $3 OR center = $3)",
        )
        .bind(format_ts(from))
        .bind(format_ts(to))
        .bind(unit.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        Ok(FeedbackCounts::tally(&rows_to_feedback(rows)?, now))
    }

    /// Items by their codes (unknown codes are skipped), and items changed in `[from, to)`
    /// when no code is given, newest first (for Open311 `requests.json`).
    pub async fn feedback_by_codes_or_dates(
        &self,
        codes: &[String],
        from: Option<OffsetDateTime>,
        to: Option<OffsetDateTime>,
        limit: i64,
    ) -> Result<Vec<Feedback>> {
        if !codes.is_empty() {
            let mut out = Vec::new();
            for c in codes.iter().take(100) {
                match self.feedback(c).await {
                    Ok((fb, _)) => out.push(fb),
                    Err(StoreError::NotFound) => {}
                    Err(e) => return Err(e),
                }
            }
            return Ok(out);
        }
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT data FROM feedback WHERE submitted_at >= $1 AND submitted_at < $2 ORDER BY submitted_at DESC, code DESC LIMIT {}",
            limit.clamp(1, 1000)
        )))
        .bind(from.map(format_ts).unwrap_or_else(|| "0000".into()))
        .bind(to.map(format_ts).unwrap_or_else(|| "9999".into()))
        .fetch_all(&self.pool)
        .await?;
        rows_to_feedback(rows)
    }

    /// When the item was last changed (its newest event).
    pub async fn feedback_updated_at(&self, code: &str) -> Result<Option<OffsetDateTime>> {
        let v: Option<String> = sqlx::query_scalar("SELECT updated_at FROM feedback WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        v.map(|s| parse_ts(&s).map_err(corrupt)).transpose()
    }
}

/// (likes, dislikes) of an item.
async fn votes_in(tx: &mut Tx, code: &str) -> Result<(i64, i64)> {
    let likes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM feedback_votes WHERE code = $1 AND liked = 1")
        .bind(code.to_owned())
        .fetch_one(&mut **tx)
        .await?;
    let dislikes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM feedback_votes WHERE code = $1 AND liked = 0")
        .bind(code.to_owned())
        .fetch_one(&mut **tx)
        .await?;
    Ok((likes, dislikes))
}

fn public_folded(fb: &Feedback) -> Option<String> {
    (fb.status == Status::Published).then(|| {
        fold(&format!("{} {} {}", fb.public_title(), fb.public_content(), fb.public_answer.as_deref().unwrap_or("")))
    })
}

/// The `feedback` table is the query projection of the feedback histories.
impl Projection for Feedback {
    fn load<'t>(tx: &'t mut Tx, id: &'t str) -> BoxFuture<'t, Result<Option<Feedback>>> {
        Box::pin(async move {
            let row = sqlx::query("SELECT data FROM feedback WHERE code = $1")
                .bind(id.to_owned())
                .fetch_optional(&mut **tx)
                .await?;
            row.map(|r| serde_json::from_str(&r.try_get::<String, _>("data")?).map_err(corrupt)).transpose()
        })
    }

    fn project<'t>(
        tx: &'t mut Tx,
        before: Option<&'t Feedback>,
        fb: &'t Feedback,
        events: &'t [Event],
    ) -> BoxFuture<'t, Result<()>> {
        Box::pin(async move {
            let updated_at = events.last().map(|e| e.at);
            let published_at = events
                .iter()
                .rev()
                .find(|e| matches!(e.what, motcua_domain::feedback::EventKind::Published { .. }))
                .map(|e| e.at);
            if before.is_none() {
                sqlx::query(
                    "INSERT INTO feedback (code, center, unit, status, subject_kind, category, secret_hash, submitted_at, \
                     current_due, published_at, public_folded, version, data, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, '', $7, $8, $9, $10, $11, $12, $13)",
                )
                .bind(fb.code.clone())
                .bind(fb.center.to_string())
                .bind(fb.unit.as_ref().map(ToString::to_string))
                .bind(fb.status.as_str())
                .bind(fb.submission.subject_kind.as_str())
                .bind(fb.category.as_str())
                .bind(format_ts(fb.submitted_at))
                .bind(fb.current_deadline().map(|(_, d)| format_ts(d)))
                .bind(published_at.map(format_ts))
                .bind(public_folded(fb))
                .bind(fb.version)
                .bind(serde_json::to_string(fb).map_err(corrupt)?)
                .bind(format_ts(updated_at.unwrap_or(fb.submitted_at)))
                .execute(&mut **tx)
                .await?;
            } else {
                let mut fb = fb.clone();
                (fb.likes, fb.dislikes) = votes_in(tx, &fb.code).await?;
                sqlx::query(
                    "UPDATE feedback SET unit = $1, status = $2, category = $3, current_due = $4, \
                     published_at = COALESCE($5, published_at), public_folded = $6, version = $7, \
                     data = $8, updated_at = COALESCE($9, updated_at) WHERE code = $10",
                )
                .bind(fb.unit.as_ref().map(ToString::to_string))
                .bind(fb.status.as_str())
                .bind(fb.category.as_str())
                .bind(fb.current_deadline().map(|(_, d)| format_ts(d)))
                .bind(published_at.map(format_ts))
                .bind(public_folded(&fb))
                .bind(fb.version)
                .bind(serde_json::to_string(&fb).map_err(corrupt)?)
                .bind(updated_at.map(format_ts))
                .bind(fb.code.clone())
                .execute(&mut **tx)
                .await?;
            }
            let first_seq = fb.version - events.len() as i64 + 1;
            for (seq, e) in (first_seq..).zip(events) {
                crate::outbox::notify_feedback_in(tx, fb, seq, e).await?;
            }
            Ok(())
        })
    }

    fn ids<'p>(pool: &'p AnyPool) -> BoxFuture<'p, Result<Vec<String>>> {
        Box::pin(async move { Ok(sqlx::query_scalar("SELECT code FROM feedback").fetch_all(pool).await?) })
    }

    fn read<'p>(pool: &'p AnyPool, id: &'p str) -> BoxFuture<'p, Result<Option<Feedback>>> {
        Box::pin(async move {
            let row = sqlx::query("SELECT data FROM feedback WHERE code = $1")
                .bind(id.to_owned())
                .fetch_optional(pool)
                .await?;
            row.map(|r| serde_json::from_str(&r.try_get::<String, _>("data")?).map_err(corrupt)).transpose()
        })
    }
}

/// Completes a history written before migration 0013: the first event gets the submission and
/// the deadlines fixed at submission, an approval the publication deadline fixed then — both
/// from the projection, which stored what the decision had computed.
pub(crate) fn upgrade_legacy(fb: &Feedback, mut events: Vec<serde_json::Value>) -> Vec<serde_json::Value> {
    for e in &mut events {
        let Some(obj) = e.as_object_mut() else { continue };
        match obj.get("kind").and_then(|k| k.as_str()) {
            Some("submitted") if !obj.contains_key("submission") => {
                let due = motcua_domain::feedback::Deadlines { publish: None, ..fb.due };
                obj.insert("code".into(), fb.code.clone().into());
                obj.insert("center".into(), fb.center.to_string().into());
                obj.insert("submission".into(), serde_json::to_value(&fb.submission).unwrap_or_default());
                obj.insert("due".into(), serde_json::to_value(due).unwrap_or_default());
            }
            Some("approved") if !obj.contains_key("publish_due") => {
                let due = fb.due.publish.or(fb.approved_at).unwrap_or(fb.submitted_at);
                obj.insert("publish_due".into(), crate::format_ts(due).into());
            }
            _ => {}
        }
    }
    events
}

fn rows_to_feedback(rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<Feedback>> {
    rows.iter().map(|r| serde_json::from_str(&r.try_get::<String, _>("data")?).map_err(corrupt)).collect()
}
