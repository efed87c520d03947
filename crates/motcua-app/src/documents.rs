//! E-office documents (incoming and outgoing registers): register, draft, issue, send, and every
//! later command, decided by the domain (`motcua_domain::office`) and written on the records'
//! path; attachments are stored with the write that creates their document.

pub mod exchange;

use motcua_domain::ErrorCode;
use motcua_domain::dossier::Actor;
use motcua_domain::office::{self, Command, Decision, Document, Metadata, NewIncoming};
use motcua_store::StoreError;
use motcua_store::users::User;
use motcua_store::web::NewFile;
use time::OffsetDateTime;

use crate::Application;
use crate::error::{AppResult, Error, Kind};

/// A new document, parsed by the adapter (both directions).
#[derive(Debug, Clone)]
pub struct NewDocument {
    /// The unit whose register holds it; the officer's only unit when absent.
    pub unit: Option<String>,
    pub meta: Metadata,
    pub dossier_code: Option<String>,
    /// Incoming: when it arrived; now when absent.
    pub received_at: Option<OffsetDateTime>,
    /// Outgoing: number it at once (văn thư only).
    pub issue: bool,
    /// Outgoing: number it and hand it to the exchange at once (văn thư only).
    pub send: bool,
}

/// A new document id: `VB-` and 16 random bytes in hex (not guessable).
pub fn new_document_id() -> String {
    let hex: String = crate::auth::random_bytes::<16>().iter().map(|b| format!("{b:02x}")).collect();
    format!("VB-{hex}")
}

fn not_found(id: &str) -> Error {
    Error::not_found(&format!("document {id}"), &format!("văn bản {id}"))
}

/// A store conflict or absence as the document's (409 names its current version).
pub fn conflict(e: StoreError) -> Error {
    match e {
        StoreError::Conflict { current } => Error::new(
            Kind::Conflict,
            ErrorCode::VersionConflict,
            format!("the document changed meanwhile (version {current}); reload and try again"),
            format!("văn bản vừa được cập nhật (phiên bản {current}); vui lòng tải lại"),
        ),
        StoreError::NotFound => Error::not_found("document", "văn bản"),
        e => e.into(),
    }
}

/// The unit a new document goes to: the one named (the officer must belong to it), or the
/// officer's only unit.
pub async fn target_unit(state: &Application, user: &User, unit: Option<&str>) -> AppResult<String> {
    let mut units: Vec<&str> = user.roles.iter().map(|(u, _)| u.as_str()).collect();
    units.dedup();
    let unit = match unit.map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) => u.to_owned(),
        None if units.len() == 1 => units[0].to_owned(),
        None => {
            return Err(Error::bad_request(
                ErrorCode::UnitRequired,
                "name the unit whose register the document goes to ('unit')",
                "cần chọn đơn vị có sổ văn bản ('unit')",
            ));
        }
    };
    if !user.roles.iter().any(|(u, _)| *u == unit) {
        return Err(Error::forbidden(
            format!("you hold no role in unit '{unit}'"),
            format!("tài khoản không thuộc đơn vị '{unit}'"),
        ));
    }
    if !state.store.units().await?.iter().any(|u| u.code == unit && u.is_current()) {
        return Err(Error::unprocessable(
            ErrorCode::UnknownUnit,
            format!("unit '{unit}' does not exist"),
            format!("không có đơn vị '{unit}'"),
        ));
    }
    Ok(unit)
}

async fn check_dossier(state: &Application, code: Option<&str>) -> AppResult<()> {
    if let Some(c) = code.map(str::trim).filter(|c| !c.is_empty()) {
        match state.store.dossier(c).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => {
                return Err(Error::unprocessable(
                    ErrorCode::UnknownDossier,
                    format!("there is no dossier '{c}'"),
                    format!("không có hồ sơ '{c}'"),
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// A file to attach to a document (its type already checked by the caller).
pub struct NewAttachment {
    pub name: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// Kind of the `files` rows that hold documents' attachments (their `dossier_code` is the
/// document id; migration 0009).
pub const ATTACHMENT_KIND: &str = "office";

impl NewAttachment {
    /// The `files` row to store with the write that creates the document (its owner is set
    /// there).
    pub fn into_file(self) -> NewFile {
        NewFile::new(crate::auth::new_token(), ATTACHMENT_KIND, self.name, &self.content_type, self.data)
    }
}

/// The attachments as `files` rows to store with their document.
pub fn attachment_files(files: Vec<NewAttachment>) -> Vec<NewFile> {
    files.into_iter().map(NewAttachment::into_file).collect()
}

/// Stores attachments added to the existing document `id` as `files` rows.
pub async fn store_attachments(state: &Application, id: &str, files: Vec<NewAttachment>) -> AppResult<()> {
    for mut f in attachment_files(files) {
        f.meta.dossier_code = Some(id.to_owned());
        state.store.put_file(&f.meta, f.data, state.now()).await?;
    }
    Ok(())
}

/// Registers an incoming document by hand (a paper document arriving at the unit), with its
/// scanned attachments.
#[tracing::instrument(skip_all)]
pub async fn register_incoming(
    state: &Application,
    actor: &Actor,
    user: &User,
    f: NewDocument,
    files: Vec<NewAttachment>,
) -> AppResult<Document> {
    let unit = target_unit(state, user, f.unit.as_deref()).await?;
    check_dossier(state, f.dossier_code.as_deref()).await?;
    let new = NewIncoming {
        id: new_document_id(),
        unit,
        meta: f.meta,
        received_at: f.received_at,
        dossier_code: f.dossier_code,
        external_id: None,
    };
    let decision = Document::register_incoming(new, actor, state.now())?;
    state.store.create_document_with_files(decision, attachment_files(files)).await.map_err(Into::into)
}

/// Creates an outgoing document: a draft, issued (numbered) with `issue`, and handed to the
/// exchange with `send`. The attachments are stored before it is sent, so they travel in its
/// edXML package.
#[tracing::instrument(skip_all)]
pub async fn create_outgoing(
    state: &Application,
    actor: &Actor,
    user: &User,
    f: NewDocument,
    files: Vec<NewAttachment>,
) -> AppResult<Document> {
    let unit = target_unit(state, user, f.unit.as_deref()).await?;
    check_dossier(state, f.dossier_code.as_deref()).await?;
    let at = state.now();
    let decision = Document::draft_outgoing(new_document_id(), unit, f.meta, f.dossier_code, actor, at)?;
    let draft = Document::from_first(&decision.event).ok_or_else(Error::internal)?;
    if f.issue || f.send {
        // Refuse before storing anything when the officer may not issue.
        office::decide(&draft, actor, Command::Issue, at, &state.calendars.get(Some(&draft.unit)))?;
        if f.send && draft.meta.recipients.is_empty() {
            return Err(Error::unprocessable(
                ErrorCode::RecipientsRequired,
                "the document has no recipients",
                "văn bản chưa có nơi nhận",
            ));
        }
    }
    let mut doc = state.store.create_document_with_files(decision, attachment_files(files)).await?;
    if f.issue || f.send {
        doc = apply(state, actor, &doc, Command::Issue).await?;
    }
    if f.send {
        doc = apply(state, actor, &doc, Command::Send).await?;
    }
    Ok(doc)
}

/// Applies a command (checked by the domain) and records it. `send` hands the document to the
/// inter-agency exchange in the same transaction as its event: the edXML package queued for
/// delivery, the `external_id` and a "queued" trace line per recipient
/// (exchange::prepare_send, docs/EXCHANGE.md).
#[tracing::instrument(skip_all, fields(document = %doc.id))]
pub async fn apply(state: &Application, actor: &Actor, doc: &Document, cmd: Command) -> AppResult<Document> {
    match &cmd {
        Command::Assign { assignee, .. } => {
            let ok = state
                .store
                .user(assignee.trim())
                .await?
                .is_some_and(|u| u.active && u.roles.iter().any(|(u, _)| *u == doc.unit));
            if !ok {
                return Err(Error::unprocessable(
                    ErrorCode::UnknownAssignee,
                    format!("'{assignee}' is not an officer of unit {}", doc.unit),
                    format!("'{assignee}' không phải cán bộ của đơn vị {}", doc.unit),
                ));
            }
        }
        Command::LinkDossier { dossier_code } => check_dossier(state, Some(dossier_code)).await?,
        _ => {}
    }
    let sending = cmd == Command::Send;
    let cal = state.calendars.get(Some(&doc.unit));
    let at = state.now();
    let decision: Decision = office::decide(doc, actor, cmd, at, &cal)?;
    if sending {
        let out = exchange::prepare_send(state, doc, at).await?;
        return state.store.append_document_sending(&doc.id, doc.version, decision, &out).await.map_err(conflict);
    }
    state.store.append_document(&doc.id, doc.version, decision).await.map_err(conflict)
}

/// Loads a document the officer may see (others get 404, whether or not it exists).
pub async fn load(state: &Application, actor: &Actor, id: &str) -> AppResult<Document> {
    let doc = match state.store.document(id).await {
        Ok(d) => d,
        Err(StoreError::NotFound) => return Err(not_found(id)),
        Err(e) => return Err(e.into()),
    };
    if !office::may_view(&doc, actor) {
        return Err(not_found(id));
    }
    Ok(doc)
}
