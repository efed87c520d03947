//! Citizen feedback (phản ánh, kiến nghị): the projection row and its append-only history, in
//! the dossiers' event-log style (each change is one event plus the new projection, written in
//! one transaction with an optimistic version check); search over published answers; queues,
//! open deadlines for the daily alerts, and counts for the indicators.

use motcua_domain::calendar::Calendar;
use motcua_domain::feedback::score::FeedbackCounts;
use motcua_domain::feedback::{Event, Feedback, FeedbackRules, Stage, Status};
use motcua_domain::text::fold;
use sqlx::Row;
use time::OffsetDateTime;

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
                "invalid_answer_days",
                "the answer limit must be 1 to 60 working days",
                "thời hạn trả lời phải từ 1 đến 60 ngày làm việc",
            )
            .into());
        }
        let name = answer_days_setting(center);
        let mut tx = self.pool.begin().await?;
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
    /// submission in Vietnam's time) and returns the item and its first event.
    pub async fn create_feedback(
        &self,
        at: OffsetDateTime,
        secret_hash: &str,
        build: impl Fn(String) -> std::result::Result<(Feedback, Event), motcua_domain::DomainError>,
    ) -> Result<Feedback> {
        let local = at.to_offset(time::macros::offset!(+7)).date();
        let prefix = format!("FB-{:02}{:02}{:02}-", local.year() % 100, u8::from(local.month()), local.day());
        for _ in 0..20 {
            let last: Option<String> =
                sqlx::query_scalar("SELECT code FROM feedback WHERE code LIKE $1 ORDER BY code DESC LIMIT 1")
                    .bind(format!("{prefix}%"))
                    .fetch_optional(&self.pool)
                    .await?;
            let next = last.and_then(|c| c[prefix.len()..].parse::<u32>().ok()).unwrap_or(0) + 1;
            let (fb, event) = build(format!("{prefix}{next:04}"))?;
            let mut tx = self.pool.begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO feedback (code, center, unit, status, subject_kind, category, secret_hash, submitted_at, \
                 current_due, published_at, public_folded, version, data, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL, $10, $11, $12) ON CONFLICT (code) DO NOTHING",
            )
            .bind(fb.code.clone())
            .bind(fb.center.clone())
            .bind(fb.unit.clone())
            .bind(fb.status.as_str())
            .bind(fb.submission.subject_kind.as_str())
            .bind(fb.category.as_str())
            .bind(secret_hash)
            .bind(format_ts(fb.submitted_at))
            .bind(fb.current_deadline().map(|(_, d)| format_ts(d)))
            .bind(fb.version)
            .bind(serde_json::to_string(&fb).map_err(corrupt)?)
            .bind(format_ts(at))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                continue;
            }
            insert_event(&mut tx, &fb.code, 1, &event).await?;
            tx.commit().await?;
            return Ok(fb);
        }
        Err(StoreError::Corrupt("could not number a new feedback item".into()))
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

    /// Appends `event` to an item at `expected_version` and stores the folded projection.
    pub async fn append_feedback(
        &self,
        code: &str,
        expected_version: i64,
        event: &Event,
        cal: &Calendar,
        rules: &FeedbackRules,
    ) -> Result<Feedback> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query("SELECT data FROM feedback WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut fb: Feedback = serde_json::from_str(&row.try_get::<String, _>("data")?).map_err(corrupt)?;
        if fb.version != expected_version {
            return Err(StoreError::Conflict { current: fb.version });
        }
        fb.apply(event, cal, rules);
        let published_at = (fb.status == Status::Published).then(|| format_ts(event.at));
        let folded = (fb.status == Status::Published).then(|| {
            fold(&format!(
                "{} {} {}",
                fb.public_title(),
                fb.public_content(),
                fb.public_answer.as_deref().unwrap_or("")
            ))
        });
        let n = sqlx::query(
            "UPDATE feedback SET unit = $1, status = $2, category = $3, current_due = $4, \
             published_at = COALESCE($5, published_at), public_folded = COALESCE($6, public_folded), version = $7, \
             data = $8, updated_at = $9 WHERE code = $10 AND version = $11",
        )
        .bind(fb.unit.clone())
        .bind(fb.status.as_str())
        .bind(fb.category.as_str())
        .bind(fb.current_deadline().map(|(_, d)| format_ts(d)))
        .bind(published_at)
        .bind(folded)
        .bind(fb.version)
        .bind(serde_json::to_string(&fb).map_err(corrupt)?)
        .bind(format_ts(event.at))
        .bind(code)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict { current: expected_version + 1 });
        }
        insert_event(&mut tx, code, fb.version, event).await?;
        crate::outbox::notify_feedback_in(&mut tx, &fb, fb.version, event).await?;
        tx.commit().await?;
        Ok(fb)
    }

    /// The history of an item, oldest first.
    pub async fn feedback_events(&self, code: &str) -> Result<Vec<StoredFeedbackEvent>> {
        let rows = sqlx::query("SELECT seq, data FROM feedback_events WHERE code = $1 ORDER BY seq")
            .bind(code)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredFeedbackEvent {
                    seq: r.try_get("seq")?,
                    event: serde_json::from_str(&r.try_get::<String, _>("data")?).map_err(corrupt)?,
                })
            })
            .collect()
    }

    /// Records a like or dislike of a published answer; one per voter (a later vote replaces an
    /// earlier one). Returns the item with its new totals.
    pub async fn vote_feedback(
        &self,
        code: &str,
        voter_hash: &str,
        liked: bool,
        at: OffsetDateTime,
    ) -> Result<Feedback> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query("SELECT data FROM feedback WHERE code = $1 AND status = 'published'")
            .bind(code)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut fb: Feedback = serde_json::from_str(&row.try_get::<String, _>("data")?).map_err(corrupt)?;
        sqlx::query("DELETE FROM feedback_votes WHERE code = $1 AND voter_hash = $2")
            .bind(code)
            .bind(voter_hash)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO feedback_votes (code, voter_hash, liked, at) VALUES ($1, $2, $3, $4)")
            .bind(code)
            .bind(voter_hash)
            .bind(i64::from(liked))
            .bind(format_ts(at))
            .execute(&mut *tx)
            .await?;
        let likes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM feedback_votes WHERE code = $1 AND liked = 1")
            .bind(code)
            .fetch_one(&mut *tx)
            .await?;
        let dislikes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM feedback_votes WHERE code = $1 AND liked = 0")
            .bind(code)
            .fetch_one(&mut *tx)
            .await?;
        (fb.likes, fb.dislikes) = (likes, dislikes);
        sqlx::query("UPDATE feedback SET data = $1 WHERE code = $2")
            .bind(serde_json::to_string(&fb).map_err(corrupt)?)
            .bind(code)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(fb)
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
                Some(OpenFeedback { code: fb.code, center: fb.center, unit, status: fb.status, stage, due })
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

async fn insert_event(tx: &mut sqlx::Transaction<'_, sqlx::Any>, code: &str, seq: i64, e: &Event) -> Result<()> {
    sqlx::query("INSERT INTO feedback_events (code, seq, kind, at, actor, data) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(code)
        .bind(seq)
        .bind(e.what.name())
        .bind(format_ts(e.at))
        .bind(e.by.clone())
        .bind(serde_json::to_string(e).map_err(corrupt)?)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn rows_to_feedback(rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<Feedback>> {
    rows.iter().map(|r| serde_json::from_str(&r.try_get::<String, _>("data")?).map_err(corrupt)).collect()
}
