//! The electronic office's document registers (sổ văn bản đến / đi): the `documents` table is the
//! query projection of the document histories, kept by [`crate::records`] (the one write path of
//! every record with a history). Register numbers come from
//! `document_registers` (one row per unit, direction and year) inside the same transaction that
//! records the document, so a number is never given twice and a refused registration consumes
//! none. Also: idempotent registration of exchange packages (`package_digest`), the per-organ
//! trace of status messages, links to dossiers and diacritics-insensitive search.

use futures_util::future::BoxFuture;
use motcua_domain::office::{Decision, Direction, Document, Event, EventKind, Status, TraceStatus};
use motcua_domain::text::fold;
use sqlx::{AnyPool, Row};
use time::OffsetDateTime;

use crate::records::{self, Projection, Tx};
use crate::web::{NewFile, insert_files_in};
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
        parts.push(c.to_string());
    }
    fold(&parts.join(" "))
}

fn entered_at(d: &Document) -> OffsetDateTime {
    match d.direction {
        Direction::Incoming => d.created_at,
        Direction::Outgoing => d.issued_at.unwrap_or(d.created_at),
    }
}

/// Takes the next number of a register inside `tx` (the writer's transaction: a refused
/// request rolls back to its savepoint and gives the number back).
async fn next_number(tx: &mut Tx, unit: &str, direction: Direction, year: i32) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO document_registers (unit, direction, year, last_number) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (unit, direction, year) DO UPDATE SET last_number = document_registers.last_number + 1 \
         RETURNING last_number",
    )
    .bind(unit.to_owned())
    .bind(direction.as_str())
    .bind(i64::from(year))
    .fetch_one(&mut **tx)
    .await?)
}

fn rows_to_documents(rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<Document>> {
    rows.iter().map(|r| serde_json::from_str(&r.try_get::<String, _>("data")?).map_err(corrupt)).collect()
}

fn row_to_document(row: Option<sqlx::any::AnyRow>) -> Result<Option<Document>> {
    row.map(|r| serde_json::from_str(&r.try_get::<String, _>("data")?).map_err(corrupt)).transpose()
}

async fn insert_trace(
    tx: &mut Tx,
    document_id: &str,
    organ_id: &str,
    status: TraceStatus,
    description: Option<String>,
    at: OffsetDateTime,
) -> Result<String> {
    let id = trace_id();
    sqlx::query(
        "INSERT INTO document_traces (id, document_id, organ_id, status_code, description, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.clone())
    .bind(document_id.to_owned())
    .bind(organ_id.to_owned())
    .bind(status.as_str())
    .bind(description)
    .bind(format_ts(at))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

impl Store {
    /// Records a new document (a registration or a draft). Incoming documents get the next
    /// number of their unit's register for the decision's year.
    pub async fn create_document(&self, decision: Decision) -> Result<Document> {
        self.create_document_with_files(decision, Vec::new()).await
    }

    /// [`Store::create_document`] with its attachments, stored as the document's in the same
    /// transaction (both or neither).
    pub async fn create_document_with_files(&self, decision: Decision, files: Vec<NewFile>) -> Result<Document> {
        Ok(self.register_document_with_files(decision, None, files).await?.0)
    }

    /// Records a new document; with `package_digest` (an edXML package received by the
    /// exchange) a package already registered at the same unit is not registered again: the
    /// answer is then the existing document and `false`. Written by the writer, so two
    /// deliveries of one package never both register it.
    pub async fn register_document(
        &self,
        decision: Decision,
        package_digest: Option<&str>,
    ) -> Result<(Document, bool)> {
        self.register_document_with_files(decision, package_digest, Vec::new()).await
    }

    /// [`Store::register_document`] with the document's attachments, stored with it in the same
    /// transaction; a package already registered keeps its attachments and `files` is dropped.
    pub async fn register_document_with_files(
        &self,
        decision: Decision,
        package_digest: Option<&str>,
        mut files: Vec<NewFile>,
    ) -> Result<(Document, bool)> {
        let digest = package_digest.map(str::to_owned);
        let staged = self.writer.blobs.stage(files.iter_mut().map(NewFile::bytes)).await?;
        let r = self.writer.transact(move |tx| Box::pin(register_document_in(tx, decision, digest, files))).await?;
        staged.ensure().await?;
        Ok(r)
    }

    /// An edXML package received (see [`Store::register_incoming`]) together with its entry in
    /// the unit's incoming register (`entry`: the registration decision and the attachments),
    /// in ONE transaction through the writer: the "03 registered" answer is never queued for a
    /// package whose register entry is missing, and a crash leaves neither. The entry is made
    /// once per package digest, so a redelivery answers the document registered the first time.
    pub async fn receive_package(
        &self,
        p: crate::edxml::NewPackage,
        replies: Vec<crate::outbox::NewMessage>,
        mut entry: Option<(Decision, Vec<NewFile>)>,
        now: OffsetDateTime,
    ) -> Result<(String, bool, Option<Document>)> {
        let staged =
            self.writer.blobs.stage(entry.iter_mut().flat_map(|(_, f)| f.iter_mut()).map(NewFile::bytes)).await?;
        let r = self
            .writer
            .transact(move |tx| {
                Box::pin(async move {
                    let (id, fresh) = crate::edxml::register_incoming_in(tx, &p, &replies, now).await?;
                    let doc = match entry {
                        Some((decision, files)) => {
                            Some(register_document_in(tx, decision, Some(p.idem.clone()), files).await?.0)
                        }
                        None => None,
                    };
                    Ok((id, fresh, doc))
                })
            })
            .await?;
        staged.ensure().await?;
        Ok(r)
    }

    /// A document.
    pub async fn document(&self, id: &str) -> Result<Document> {
        let row = sqlx::query("SELECT data FROM documents WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        row_to_document(row)?.ok_or(StoreError::NotFound)
    }

    /// The document a unit registered from the edXML package with this digest, if any.
    pub async fn document_by_package(&self, unit: &str, digest: &str) -> Result<Option<Document>> {
        let row = sqlx::query("SELECT data FROM documents WHERE unit = $1 AND package_digest = $2")
            .bind(unit)
            .bind(digest)
            .fetch_optional(&self.pool)
            .await?;
        row_to_document(row)
    }

    /// Documents carrying an edXML DocumentId (e.g. to match a status message to what was sent).
    pub async fn documents_by_external_id(&self, external_id: &str) -> Result<Vec<Document>> {
        let rows = sqlx::query("SELECT data FROM documents WHERE external_id = $1 ORDER BY entered_at, id")
            .bind(external_id)
            .fetch_all(&self.pool)
            .await?;
        rows_to_documents(rows)
    }

    /// Appends a decided event to a document at `expected_version`, taking a register number
    /// in the same transaction when the decision needs one (issuing an outgoing document).
    pub async fn append_document(&self, id: &str, expected_version: i64, decision: Decision) -> Result<Document> {
        self.send_or_append(id, expected_version, decision, None).await
    }

    /// Appends the `send` decision together with what sending records — the edXML package queued
    /// for delivery (its DocumentId carried by the event) and the trace lines — in ONE
    /// transaction, so a document is never recorded as sent without its package, nor a package
    /// queued for a send that did not happen.
    pub async fn append_document_sending(
        &self,
        id: &str,
        expected_version: i64,
        decision: Decision,
        out: &Outgoing,
    ) -> Result<Document> {
        self.send_or_append(id, expected_version, decision, Some(out.clone())).await
    }

    async fn send_or_append(
        &self,
        id: &str,
        expected_version: i64,
        mut decision: Decision,
        out: Option<Outgoing>,
    ) -> Result<Document> {
        let id = id.to_owned();
        let package_id = out.as_ref().and_then(|o| o.package.as_ref()).map(|p| p.document_id.clone());
        if let (Some(pid), EventKind::SendQueued { external_id, .. }) = (package_id, &mut decision.event.what) {
            *external_id = Some(pid);
        }
        self.writer
            .transact(move |tx| {
                Box::pin(async move {
                    let at = decision.event.at;
                    let before = Document::load(tx, &id).await?.ok_or(StoreError::NotFound)?;
                    if before.version != expected_version {
                        return Err(StoreError::Conflict { current: before.version });
                    }
                    let event = match decision.numbering {
                        Some(year) => {
                            decision.event.numbered(next_number(tx, &before.unit, before.direction, year).await?)
                        }
                        None => decision.event,
                    };
                    let doc =
                        records::append_in::<Document>(tx, &id, Some(expected_version), |_| Ok(vec![event])).await?;
                    if let Some(out) = out {
                        if let Some(p) = &out.package {
                            crate::edxml::record_outgoing_in(tx, p, at).await?;
                        }
                        for (organ, status, note) in out.traces {
                            insert_trace(tx, &id, &organ, status, Some(note), at).await?;
                        }
                    }
                    Ok(doc)
                })
            })
            .await
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

impl Store {
    /// The history of a document, oldest first.
    pub async fn document_events(&self, id: &str) -> Result<Vec<StoredDocumentEvent>> {
        Ok(records::history::<Document>(&self.pool, id)
            .await?
            .into_iter()
            .map(|s| StoredDocumentEvent { seq: s.seq, event: s.event })
            .collect())
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
        let (doc, organ, desc) = (document_id.to_owned(), organ_id.to_owned(), description.map(str::to_owned));
        let id = self
            .writer
            .transact(move |tx| Box::pin(async move { insert_trace(tx, &doc, &organ, status, desc, at).await }))
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

/// The `documents` table is the query projection of the document histories (`package_digest`,
/// set once at registration from an exchange package, lies outside the history).
impl Projection for Document {
    fn load<'t>(tx: &'t mut Tx, id: &'t str) -> BoxFuture<'t, Result<Option<Document>>> {
        Box::pin(async move {
            let row = sqlx::query("SELECT data FROM documents WHERE id = $1")
                .bind(id.to_owned())
                .fetch_optional(&mut **tx)
                .await?;
            row_to_document(row)
        })
    }

    fn project<'t>(
        tx: &'t mut Tx,
        before: Option<&'t Document>,
        doc: &'t Document,
        events: &'t [Event],
    ) -> BoxFuture<'t, Result<()>> {
        Box::pin(async move {
            let updated_at = events.last().map(|e| format_ts(e.at));
            if before.is_none() {
                sqlx::query(
                    "INSERT INTO documents (id, unit, direction, status, register_year, register_number, number_notation, \
                     document_type, subject, sender_organ_id, sender_name, assignee, handling_due, dossier_code, entered_at, \
                     search_folded, external_id, package_digest, created_by, version, data, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, NULL, $18, $19, $20, $21)",
                )
                .bind(doc.id.clone())
                .bind(doc.unit.to_string())
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
                .bind(doc.dossier_code.as_ref().map(ToString::to_string))
                .bind(format_ts(entered_at(doc)))
                .bind(search_text(doc))
                .bind(doc.external_id.clone())
                .bind(doc.created_by.clone())
                .bind(doc.version)
                .bind(serde_json::to_string(doc).map_err(corrupt)?)
                .bind(updated_at.unwrap_or_else(|| format_ts(doc.created_at)))
                .execute(&mut **tx)
                .await?;
            } else {
                sqlx::query(
                    "UPDATE documents SET status = $1, register_year = $2, register_number = $3, number_notation = $4, \
                     assignee = $5, handling_due = $6, dossier_code = $7, entered_at = $8, search_folded = $9, \
                     external_id = $10, version = $11, data = $12, updated_at = COALESCE($13, updated_at) WHERE id = $14",
                )
                .bind(doc.status.as_str())
                .bind(doc.register_year.map(i64::from))
                .bind(doc.register_number)
                .bind(doc.meta.number_notation())
                .bind(doc.assignee.clone())
                .bind(doc.handling_due.map(format_ts))
                .bind(doc.dossier_code.as_ref().map(ToString::to_string))
                .bind(format_ts(entered_at(doc)))
                .bind(search_text(doc))
                .bind(doc.external_id.clone())
                .bind(doc.version)
                .bind(serde_json::to_string(doc).map_err(corrupt)?)
                .bind(updated_at)
                .bind(doc.id.clone())
                .execute(&mut **tx)
                .await?;
            }
            Ok(())
        })
    }

    fn ids<'p>(pool: &'p AnyPool) -> BoxFuture<'p, Result<Vec<String>>> {
        Box::pin(async move { Ok(sqlx::query_scalar("SELECT id FROM documents").fetch_all(pool).await?) })
    }

    fn read<'p>(pool: &'p AnyPool, id: &'p str) -> BoxFuture<'p, Result<Option<Document>>> {
        Box::pin(async move {
            let row = sqlx::query("SELECT data FROM documents WHERE id = $1")
                .bind(id.to_owned())
                .fetch_optional(pool)
                .await?;
            row_to_document(row)
        })
    }
}

/// Completes a history written before migration 0013: the edXML DocumentId of a sent document
/// was set on the projection beside its `send_queued` event; it now travels in that event.
pub(crate) fn upgrade_legacy(doc: &Document, mut events: Vec<serde_json::Value>) -> Vec<serde_json::Value> {
    let Some(external_id) = &doc.external_id else { return events };
    let carried = events.iter().any(|e| {
        e.pointer("/document/external_id").and_then(|v| v.as_str()) == Some(external_id.as_str())
            || e.get("external_id").and_then(|v| v.as_str()).is_some()
    });
    if !carried
        && let Some(last_send) =
            events.iter_mut().rev().find(|e| e.get("kind").and_then(|k| k.as_str()) == Some("send_queued"))
        && let Some(obj) = last_send.as_object_mut()
    {
        obj.insert("external_id".into(), external_id.clone().into());
    }
    events
}

/// Records a new document in `tx` (see [`Store::register_document`]): with `digest`, a package
/// already registered at the same unit is answered as it is, with `false`.
async fn register_document_in(
    tx: &mut Tx,
    decision: Decision,
    digest: Option<String>,
    files: Vec<NewFile>,
) -> Result<(Document, bool)> {
    let first =
        Document::from_first(&decision.event).ok_or_else(|| corrupt("the first event must create the document"))?;
    if let Some(digest) = &digest {
        let row = sqlx::query("SELECT data FROM documents WHERE unit = $1 AND package_digest = $2")
            .bind(first.unit.to_string())
            .bind(digest.clone())
            .fetch_optional(&mut **tx)
            .await?;
        if let Some(existing) = row_to_document(row)? {
            return Ok((existing, false));
        }
    }
    let event = match decision.numbering {
        Some(year) => decision.event.numbered(next_number(tx, &first.unit, first.direction, year).await?),
        None => decision.event,
    };
    let doc = records::create_in::<Document>(tx, std::slice::from_ref(&event)).await?;
    insert_files_in(tx, &files, &doc.id).await?;
    if let Some(digest) = digest {
        sqlx::query("UPDATE documents SET package_digest = $1 WHERE id = $2")
            .bind(digest)
            .bind(doc.id.clone())
            .execute(&mut **tx)
            .await?;
    }
    Ok((doc, true))
}
