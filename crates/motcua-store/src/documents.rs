//! The electronic office's document registers (sổ văn bản đến / đi): the projection row and its
//! append-only history, in the feedback/dossier event-log style. Register numbers come from
//! `document_registers` (one row per unit, direction and year) inside the same transaction that
//! records the document, so a number is never given twice and a refused registration consumes
//! none. Also: idempotent registration of exchange packages (`package_digest`), the per-organ
//! trace of status messages, links to dossiers and diacritics-insensitive search.

use motcua_domain::office::{Decision, Direction, Document, Event, Status, TraceStatus};
use motcua_domain::text::fold;
use sqlx::Row;
use time::OffsetDateTime;

use crate::{Result, Store, StoreError, format_ts, parse_ts};

/// One line of a document's history as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDocumentEvent {
    pub seq: i64,
    pub event: Event,
}

/// One status line of the exchange for one organ.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    pub id: String,
    pub document_id: String,
    pub organ_id: String,
    pub status: TraceStatus,
    pub description: Option<String>,
    pub at: OffsetDateTime,
}

/// What part of a unit's register a reader sees: the whole of it, or only the documents
/// assigned to or created by `person`.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterScope {
    pub unit: String,
    pub person: Option<String>,
}

/// Filters of a register list.
#[derive(Debug, Clone, Default)]
pub struct DocumentFilter {
    pub scopes: Vec<RegisterScope>,
    pub direction: Option<Direction>,
    pub status: Option<Status>,
    /// Words that must all appear (diacritics and case ignored).
    pub q: String,
    /// Entered the register in `[from, to)`.
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
    /// Oldest first by register number (printing a register) instead of newest first.
    pub register_order: bool,
    pub limit: i64,
    pub offset: i64,
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("documents: {e}"))
}

/// The folded text searched by the register lists.
pub fn search_text(d: &Document) -> String {
    let m = &d.meta;
    let mut parts = vec![m.subject.clone(), m.number_notation(), m.document_type.clone(), d.register_label()];
    if let Some(s) = &m.sender {
        parts.push(s.name.clone());
    }
    parts.extend(m.recipients.iter().map(|r| r.name.clone()));
    if let Some(c) = &m.content {
        parts.push(c.chars().take(2000).collect());
    }
    if let Some(c) = &d.dossier_code {
        parts.push(c.clone());
    }
    fold(&parts.join(" "))
}

fn entered_at(d: &Document) -> OffsetDateTime {
    match d.direction {
        Direction::Incoming => d.created_at,
        Direction::Outgoing => d.issued_at.unwrap_or(d.created_at),
    }
}

/// Takes the next number of a register inside `tx`.
async fn next_number(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    unit: &str,
    direction: Direction,
    year: i32,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO document_registers (unit, direction, year, last_number) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (unit, direction, year) DO UPDATE SET last_number = document_registers.last_number + 1 \
         RETURNING last_number",
    )
    .bind(unit)
    .bind(direction.as_str())
    .bind(i64::from(year))
    .fetch_one(&mut **tx)
    .await?)
}

/// Starts a read-modify-write with a write: on SQLite a transaction that reads first cannot
/// later take the write lock while another writer waits ("database is locked"); on PostgreSQL
/// this locks the row until commit.
async fn lock_row(tx: &mut sqlx::Transaction<'_, sqlx::Any>, id: &str) -> Result<()> {
    sqlx::query("UPDATE documents SET version = version WHERE id = $1").bind(id).execute(&mut **tx).await?;
    Ok(())
}

async fn insert_event(tx: &mut sqlx::Transaction<'_, sqlx::Any>, id: &str, seq: i64, e: &Event) -> Result<()> {
    sqlx::query(
        "INSERT INTO document_events (document_id, seq, kind, at, actor, data) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(seq)
    .bind(e.what.name())
    .bind(format_ts(e.at))
    .bind(e.by.clone())
    .bind(serde_json::to_string(e).map_err(corrupt)?)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn rows_to_documents(rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<Document>> {
    rows.iter().map(|r| serde_json::from_str(&r.try_get::<String, _>("data")?).map_err(corrupt)).collect()
}

impl Store {
    /// Records a new document (a registration or a draft). Incoming documents get the next
    /// number of their unit's register for the decision's year.
    pub async fn create_document(&self, decision: Decision) -> Result<Document> {
        Ok(self.register_document(decision, None).await?.0)
    }

    /// Records a new document; with `package_digest` (an edXML package received by the
    /// exchange) a package already registered at the same unit is not registered again: the
    /// answer is then the existing document and `false`.
    pub async fn register_document(
        &self,
        decision: Decision,
        package_digest: Option<&str>,
    ) -> Result<(Document, bool)> {
        let first =
            Document::from_first(&decision.event).ok_or_else(|| corrupt("the first event must create the document"))?;
        for _ in 0..3 {
            if let Some(digest) = package_digest
                && let Some(existing) = self.document_by_package(&first.unit, digest).await?
            {
                return Ok((existing, false));
            }
            let mut tx = self.pool.begin().await?;
            let event = match decision.numbering {
                Some(year) => {
                    decision.event.clone().numbered(next_number(&mut tx, &first.unit, first.direction, year).await?)
                }
                None => decision.event.clone(),
            };
            let doc =
                Document::from_first(&event).ok_or_else(|| corrupt("the first event must create the document"))?;
            let inserted = sqlx::query(
                "INSERT INTO documents (id, unit, direction, status, register_year, register_number, number_notation, \
                 document_type, subject, sender_organ_id, sender_name, assignee, handling_due, dossier_code, entered_at, \
                 search_folded, external_id, package_digest, created_by, version, data, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)",
            )
            .bind(doc.id.clone())
            .bind(doc.unit.clone())
            .bind(doc.direction.as_str())
            .bind(doc.status.as_str())
            .bind(doc.register_year.map(i64::from))
            .bind(doc.register_number)
            .bind(doc.meta.number_notation())
            .bind(doc.meta.document_type.clone())
            .bind(doc.meta.subject.clone())
            .bind(doc.meta.sender.as_ref().and_then(|s| s.organ_id.clone()))
            .bind(doc.meta.sender.as_ref().map(|s| s.name.clone()))
            .bind(doc.assignee.clone())
            .bind(doc.handling_due.map(format_ts))
            .bind(doc.dossier_code.clone())
            .bind(format_ts(entered_at(&doc)))
            .bind(search_text(&doc))
            .bind(doc.external_id.clone())
            .bind(package_digest.map(str::to_owned))
            .bind(doc.created_by.clone())
            .bind(doc.version)
            .bind(serde_json::to_string(&doc).map_err(corrupt)?)
            .bind(format_ts(event.at))
            .execute(&mut *tx)
            .await;
            match inserted {
                Ok(_) => {}
                // A concurrent delivery of the same package won: read it on the next round.
                Err(sqlx::Error::Database(e)) if package_digest.is_some() && e.is_unique_violation() => continue,
                Err(e) => return Err(e.into()),
            }
            insert_event(&mut tx, &doc.id, 1, &event).await?;
            tx.commit().await?;
            return Ok((doc, true));
        }
        Err(StoreError::Corrupt("could not register the package".into()))
    }

    /// A document.
    pub async fn document(&self, id: &str) -> Result<Document> {
        let row = sqlx::query("SELECT data FROM documents WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        serde_json::from_str(&row.try_get::<String, _>("data")?).map_err(corrupt)
    }

    /// The document a unit registered from the edXML package with this digest, if any.
    pub async fn document_by_package(&self, unit: &str, digest: &str) -> Result<Option<Document>> {
        let rows = sqlx::query("SELECT data FROM documents WHERE unit = $1 AND package_digest = $2")
            .bind(unit)
            .bind(digest)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows_to_documents(rows)?.into_iter().next())
    }

    /// Documents carrying an edXML DocumentId (e.g. to match a status message to what was sent).
    pub async fn documents_by_external_id(&self, external_id: &str) -> Result<Vec<Document>> {
        let rows = sqlx::query("SELECT data FROM documents WHERE external_id = $1 ORDER BY entered_at, id")
            .bind(external_id)
            .fetch_all(&self.pool)
            .await?;
        rows_to_documents(rows)
    }

    /// Sets the edXML DocumentId of a document (the exchange, when it builds the package).
    pub async fn set_document_external_id(&self, id: &str, external_id: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        lock_row(&mut tx, id).await?;
        let row = sqlx::query("SELECT data FROM documents WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut doc: Document = serde_json::from_str(&row.try_get::<String, _>("data")?).map_err(corrupt)?;
        doc.external_id = Some(external_id.to_owned());
        sqlx::query("UPDATE documents SET external_id = $1, data = $2 WHERE id = $3")
            .bind(external_id)
            .bind(serde_json::to_string(&doc).map_err(corrupt)?)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Appends a decided event to a document at `expected_version`, taking a register number
    /// in the same transaction when the decision needs one (issuing an outgoing document).
    pub async fn append_document(&self, id: &str, expected_version: i64, decision: Decision) -> Result<Document> {
        let mut tx = self.pool.begin().await?;
        let doc = append_document_in(&mut tx, id, expected_version, decision).await?;
        tx.commit().await?;
        Ok(doc)
    }

    /// Appends the `send` decision together with what sending records — the edXML package queued
    /// for delivery (with the document's `external_id`) and the trace lines — in ONE transaction,
    /// so a document is never recorded as sent without its package, nor a package queued for a
    /// send that did not happen.
    pub async fn append_document_sending(
        &self,
        id: &str,
        expected_version: i64,
        decision: Decision,
        out: &Outgoing,
    ) -> Result<Document> {
        let at = decision.event.at;
        let mut tx = self.pool.begin().await?;
        let mut doc = append_document_in(&mut tx, id, expected_version, decision).await?;
        if let Some(p) = &out.package {
            crate::edxml::record_outgoing_in(&mut tx, p, at).await?;
            doc.external_id = Some(p.document_id.clone());
            sqlx::query("UPDATE documents SET external_id = $1, data = $2 WHERE id = $3")
                .bind(p.document_id.clone())
                .bind(serde_json::to_string(&doc).map_err(corrupt)?)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        for (organ, status, note) in &out.traces {
            sqlx::query(
                "INSERT INTO document_traces (id, document_id, organ_id, status_code, description, at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(trace_id())
            .bind(id)
            .bind(organ.clone())
            .bind(status.as_str())
            .bind(Some(note.clone()))
            .bind(format_ts(at))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(doc)
    }
}

/// What sending an outgoing document records with its `send` event (see
/// [`Store::append_document_sending`]): the package for the recipients that have an electronic
/// organ id (none when no recipient has one), and a trace line (organ, status, note) per recipient.
#[derive(Debug, Clone, Default)]
pub struct Outgoing {
    pub package: Option<crate::edxml::NewPackage>,
    pub traces: Vec<(String, TraceStatus, String)>,
}

/// Appends a decided event inside `tx` (see [`Store::append_document`]).
async fn append_document_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &str,
    expected_version: i64,
    decision: Decision,
) -> Result<Document> {
    lock_row(tx, id).await?;
    let row = sqlx::query("SELECT data FROM documents WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut doc: Document = serde_json::from_str(&row.try_get::<String, _>("data")?).map_err(corrupt)?;
    if doc.version != expected_version {
        return Err(StoreError::Conflict { current: doc.version });
    }
    let event = match decision.numbering {
        Some(year) => decision.event.numbered(next_number(tx, &doc.unit, doc.direction, year).await?),
        None => decision.event,
    };
    doc.apply(&event);
    let n = sqlx::query(
        "UPDATE documents SET status = $1, register_year = $2, register_number = $3, number_notation = $4, \
             assignee = $5, handling_due = $6, dossier_code = $7, entered_at = $8, search_folded = $9, version = $10, \
             data = $11, updated_at = $12 WHERE id = $13 AND version = $14",
    )
    .bind(doc.status.as_str())
    .bind(doc.register_year.map(i64::from))
    .bind(doc.register_number)
    .bind(doc.meta.number_notation())
    .bind(doc.assignee.clone())
    .bind(doc.handling_due.map(format_ts))
    .bind(doc.dossier_code.clone())
    .bind(format_ts(entered_at(&doc)))
    .bind(search_text(&doc))
    .bind(doc.version)
    .bind(serde_json::to_string(&doc).map_err(corrupt)?)
    .bind(format_ts(event.at))
    .bind(id)
    .bind(expected_version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::Conflict { current: expected_version + 1 });
    }
    insert_event(tx, id, doc.version, &event).await?;
    Ok(doc)
}

impl Store {
    /// The history of a document, oldest first.
    pub async fn document_events(&self, id: &str) -> Result<Vec<StoredDocumentEvent>> {
        let rows = sqlx::query("SELECT seq, data FROM document_events WHERE document_id = $1 ORDER BY seq")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredDocumentEvent {
                    seq: r.try_get("seq")?,
                    event: serde_json::from_str(&r.try_get::<String, _>("data")?).map_err(corrupt)?,
                })
            })
            .collect()
    }

    /// Appends a status line for one organ (queued/sent/failed by the exchange, or a status
    /// message received from the recipient).
    pub async fn add_document_trace(
        &self,
        document_id: &str,
        organ_id: &str,
        status: TraceStatus,
        description: Option<&str>,
        at: OffsetDateTime,
    ) -> Result<Trace> {
        let id = trace_id();
        sqlx::query(
            "INSERT INTO document_traces (id, document_id, organ_id, status_code, description, at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.clone())
        .bind(document_id)
        .bind(organ_id)
        .bind(status.as_str())
        .bind(description.map(str::to_owned))
        .bind(format_ts(at))
        .execute(&self.pool)
        .await?;
        Ok(Trace {
            id,
            document_id: document_id.into(),
            organ_id: organ_id.into(),
            status,
            description: description.map(str::to_owned),
            at,
        })
    }

    /// A document's trace, oldest first.
    pub async fn document_traces(&self, document_id: &str) -> Result<Vec<Trace>> {
        let rows = sqlx::query(
            "SELECT id, document_id, organ_id, status_code, description, at FROM document_traces \
             WHERE document_id = $1 ORDER BY at, id",
        )
        .bind(document_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let code: String = r.try_get("status_code")?;
                Ok(Trace {
                    id: r.try_get("id")?,
                    document_id: r.try_get("document_id")?,
                    organ_id: r.try_get("organ_id")?,
                    status: TraceStatus::parse(&code).ok_or_else(|| corrupt(format!("trace status {code}")))?,
                    description: r.try_get("description")?,
                    at: parse_ts(&r.try_get::<String, _>("at")?).map_err(corrupt)?,
                })
            })
            .collect()
    }

    /// A register list: documents in the scopes, filtered, newest first (or by register number
    /// for printing).
    pub async fn documents_list(&self, f: &DocumentFilter) -> Result<Vec<Document>> {
        if f.scopes.is_empty() {
            return Ok(Vec::new());
        }
        let mut binds: Vec<String> = Vec::new();
        let p = |v: String, binds: &mut Vec<String>| {
            binds.push(v);
            format!("${}", binds.len())
        };
        let mut scopes = Vec::new();
        for s in &f.scopes {
            let u = p(s.unit.clone(), &mut binds);
            match &s.person {
                None => scopes.push(format!("unit = {u}")),
                Some(person) => {
                    let a = p(person.clone(), &mut binds);
                    scopes.push(format!("(unit = {u} AND (assignee = {a} OR created_by = {a}))"));
                }
            }
        }
        let mut sql = format!("SELECT data FROM documents WHERE ({})", scopes.join(" OR "));
        if let Some(d) = f.direction {
            sql.push_str(&format!(" AND direction = {}", p(d.as_str().into(), &mut binds)));
        }
        if let Some(s) = f.status {
            sql.push_str(&format!(" AND status = {}", p(s.as_str().into(), &mut binds)));
        }
        if let Some(t) = f.from {
            sql.push_str(&format!(" AND entered_at >= {}", p(format_ts(t), &mut binds)));
        }
        if let Some(t) = f.to {
            sql.push_str(&format!(" AND entered_at < {}", p(format_ts(t), &mut binds)));
        }
        for w in fold(&f.q).split(' ').filter(|w| !w.is_empty()).take(8) {
            let escaped = w.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            sql.push_str(&format!(" AND search_folded LIKE {} ESCAPE '\\'", p(format!("%{escaped}%"), &mut binds)));
        }
        let order = if f.register_order {
            " ORDER BY register_year, register_number, entered_at, id"
        } else {
            " ORDER BY entered_at DESC, id DESC"
        };
        sql.push_str(order);
        sql.push_str(&format!(
            " LIMIT {} OFFSET {}",
            if f.limit <= 0 { 200 } else { f.limit.min(5000) },
            f.offset.max(0)
        ));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for b in binds {
            q = q.bind(b);
        }
        rows_to_documents(q.fetch_all(&self.pool).await?)
    }

    /// Documents linked to a dossier, oldest first.
    pub async fn documents_of_dossier(&self, dossier_code: &str) -> Result<Vec<Document>> {
        let rows = sqlx::query("SELECT data FROM documents WHERE dossier_code = $1 ORDER BY entered_at, id")
            .bind(dossier_code)
            .fetch_all(&self.pool)
            .await?;
        rows_to_documents(rows)
    }

    /// The last number given in a register (0 when none).
    pub async fn register_last_number(&self, unit: &str, direction: Direction, year: i32) -> Result<i64> {
        let v: Option<i64> = sqlx::query_scalar(
            "SELECT last_number FROM document_registers WHERE unit = $1 AND direction = $2 AND year = $3",
        )
        .bind(unit)
        .bind(direction.as_str())
        .bind(i64::from(year))
        .fetch_optional(&self.pool)
        .await?;
        Ok(v.unwrap_or(0))
    }
}

/// A trace line's id: UUIDv7, so ids sort by time and two lines in one second never collide.
fn trace_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

impl Store {
    /// Electronic documents exchanged in `[from, to)` by `units` (all when `None`): outgoing ones
    /// sent over the document axis, incoming ones registered from an edXML package. For the
    /// progress report (domain.md §9).
    pub async fn documents_exchanged(
        &self,
        units: Option<&[String]>,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<(u64, u64)> {
        let mut sql = String::from(
            "SELECT CAST(COALESCE(SUM(CASE WHEN direction = 'outgoing' AND status = 'sent' THEN 1 ELSE 0 END), 0) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN direction = 'incoming' AND package_digest IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) \
             FROM documents WHERE entered_at >= $1 AND entered_at < $2",
        );
        if let Some(units) = units {
            let list: Vec<String> = (0..units.len()).map(|i| format!("${}", i + 3)).collect();
            if list.is_empty() {
                return Ok((0, 0));
            }
            sql.push_str(&format!(" AND unit IN ({})", list.join(", ")));
        }
        let mut q = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(sql)).bind(format_ts(from)).bind(format_ts(to));
        for u in units.unwrap_or_default() {
            q = q.bind(u.clone());
        }
        let (sent, received) = q.fetch_one(&self.pool).await?;
        Ok((u64::try_from(sent).unwrap_or(0), u64::try_from(received).unwrap_or(0)))
    }
}
