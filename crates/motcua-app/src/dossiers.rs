//! What the API and the pages both do with dossiers: submit (routing by competence, code and
//! secret), load with scoping, and act through the writer. One implementation for both fronts.

use motcua_domain::ErrorCode;
use std::sync::Arc;

use motcua_domain::catalog::{COMMUNE_AGENCY, Level, ProcedureCode};
use motcua_domain::code::{DEFAULT_TEMPLATE, looks_like_code, render};
use motcua_domain::dossier::actions::{Action, Ctx, create, decide};
use motcua_domain::dossier::event::{Event, EventData};
use motcua_domain::dossier::timeliness::VN_OFFSET;
use motcua_domain::dossier::{Actor, Applicant, Channel, DocumentRecord, Dossier, DossierCode, Role, UnitCode};
use motcua_domain::org::Unit;
use motcua_store::users::User;
use motcua_store::web::NewFile;
use motcua_store::{CreateJob, StoreError, SubmissionKey};

use crate::error::{AppResult, Error};
use crate::{Application, Calendars};

/// A new dossier as entered online or at the counter.
pub struct Submission {
    pub procedure_code: String,
    pub channel: Channel,
    pub applicant: Applicant,
    pub documents: Vec<DocumentRecord>,
    /// Commune for commune-level procedures; receiving unit for officers working at several.
    pub unit: Option<String>,
    /// At the counter or by post (received at once): the facts the fee schedule needs.
    pub fees: Vec<motcua_domain::catalog::fees::FeeFact>,
}

/// `online` | `counter` | `postal`.
pub fn parse_channel(s: &str) -> AppResult<Channel> {
    match s {
        "online" => Ok(Channel::Online),
        "counter" => Ok(Channel::Counter),
        "postal" => Ok(Channel::Postal),
        other => Err(Error::bad_request(
            ErrorCode::InvalidChannel,
            format!("channel '{other}' must be online, counter or postal"),
            format!("kênh '{other}' phải là online, counter hoặc postal"),
        )),
    }
}

fn unprocessable_unit(code: &str) -> Error {
    Error::unprocessable(
        ErrorCode::UnknownUnit,
        format!("'{code}' is not a current unit"),
        format!("'{code}' không phải đơn vị đang hoạt động"),
    )
}

async fn current_unit(state: &Application, code: &str) -> AppResult<Unit> {
    state.store.unit(code).await.ok().filter(Unit::is_current).ok_or_else(|| unprocessable_unit(code))
}

/// Routes a dossier by competence (domain.md §1.1): (receiving one-stop, resolving authority).
async fn route(
    state: &Application,
    level: Level,
    agency: &str,
    channel: Channel,
    unit: Option<&str>,
    officer: Option<&User>,
) -> AppResult<(UnitCode, UnitCode)> {
    let receiving = match (channel, officer) {
        (Channel::Online, _) => None,
        (_, Some(o)) => {
            let mine: Vec<String> =
                o.roles.iter().filter(|(_, r)| *r == Role::Receiver).map(|(u, _)| u.to_string()).collect();
            match unit.filter(|u| mine.iter().any(|m| m == u)) {
                Some(u) => Some(u.to_owned()),
                None => Some(mine.into_iter().next().ok_or_else(|| {
                    Error::forbidden(
                        "only a receiver can enter counter or postal dossiers",
                        "chỉ cán bộ tiếp nhận được nhập hồ sơ trực tiếp hoặc qua bưu chính",
                    )
                })?),
            }
        }
        (_, None) => return Err(Error::unauthorized()),
    };
    let resolving = if agency == COMMUNE_AGENCY {
        let candidate = unit.map(str::to_owned).or_else(|| receiving.clone());
        let commune_required = || {
            Error::unprocessable(
                ErrorCode::CommuneRequired,
                "this is a commune-level procedure: name the commune, ward or special zone in 'unit'",
                "đây là thủ tục cấp xã: cần chọn xã, phường hoặc đặc khu tại 'unit'",
            )
        };
        let code = candidate.ok_or_else(commune_required)?;
        let u = current_unit(state, &code).await?;
        if u.level != Level::Commune || !u.receives_dossiers() {
            return Err(commune_required());
        }
        u.code
    } else {
        current_unit(state, agency).await?.code
    };
    let receiving = match receiving {
        Some(r) => UnitCode::parse(&r)?,
        None if level == Level::Commune || agency == COMMUNE_AGENCY => resolving.clone(),
        // A register without a provincial center leaves the code empty: refused as invalid.
        None => UnitCode::parse(&state.province_center)?,
    };
    Ok((receiving, resolving))
}

/// Why no dossier can be created for `code` today: abolished by a decision, or unknown.
async fn refusal(state: &Application, code: &str) -> Error {
    match state.store.version_at(code, state.today()).await {
        Ok(v) if v.status == motcua_store::catalog::ABOLISHED => {
            let by = v.decision.unwrap_or_default();
            Error::unprocessable(
                ErrorCode::ProcedureAbolished,
                format!(
                    "procedure {code} was abolished by decision {by} effective {}: it accepts no new dossiers",
                    v.effective_from
                ),
                format!(
                    "thủ tục {code} đã bị bãi bỏ theo quyết định {by} có hiệu lực từ ngày {}: không tiếp nhận hồ sơ mới",
                    v.effective_from
                ),
            )
        }
        _ => Error::unprocessable(
            ErrorCode::UnknownProcedure,
            format!("no procedure with code {code}"),
            format!("không có thủ tục mã {code}"),
        ),
    }
}

/// Creates a dossier: online ones wait for the one-stop; counter and postal ones (by a receiver)
/// are received in the same transaction. Returns the dossier and its lookup secret (shown once).
pub async fn submit(state: &Application, officer: Option<&User>, req: Submission) -> AppResult<(Dossier, String)> {
    submit_with_files(state, officer, req, Vec::new()).await
}

/// What an idempotent submission did.
#[derive(Debug)]
pub enum Submitted {
    /// Created now: the dossier and its lookup secret (shown once).
    New(Box<Dossier>, String),
    /// The same key was already used by this officer: the code of the dossier it created.
    Already(String),
}

/// [`submit`] with an idempotency key (the counter form's) and the scans its documents name: a
/// refresh, a double click or a re-sent form with the same key creates nothing and answers the
/// first dossier's code.
#[tracing::instrument(skip_all, fields(procedure = %req.procedure_code))]
pub async fn submit_once(
    state: &Application,
    officer: &User,
    req: Submission,
    files: Vec<NewFile>,
    key: &str,
) -> AppResult<Submitted> {
    let key = key.trim();
    if key.len() < 16 || key.len() > 64 || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(Error::bad_request(
            ErrorCode::InvalidQuery,
            "the form's submission key is missing or malformed; open the form again",
            "mã biểu mẫu bị thiếu hoặc không hợp lệ; vui lòng mở lại biểu mẫu",
        ));
    }
    let k = SubmissionKey { key: key.to_owned(), username: officer.username.clone() };
    match create_dossier(state, Some(officer), req, files, Some(k), None).await {
        Ok((d, secret)) => Ok(Submitted::New(Box::new(d), secret)),
        Err(CreateError::Already(code)) => Ok(Submitted::Already(code)),
        Err(CreateError::App(e)) => Err(e),
    }
}

/// Why a creation did not create.
enum CreateError {
    Already(String),
    App(Error),
}

impl<E: Into<Error>> From<E> for CreateError {
    fn from(e: E) -> Self {
        CreateError::App(e.into())
    }
}

/// [`submit`] with the uploaded files its documents name, stored in the same transaction as the
/// new dossier (both or neither).
#[tracing::instrument(skip_all, fields(procedure = %req.procedure_code))]
pub async fn submit_with_files(
    state: &Application,
    officer: Option<&User>,
    req: Submission,
    files: Vec<NewFile>,
) -> AppResult<(Dossier, String)> {
    match create_dossier(state, officer, req, files, None, None).await {
        Ok(r) => Ok(r),
        Err(CreateError::Already(code)) => Err(StoreError::AlreadySubmitted { code }.into()),
        Err(CreateError::App(e)) => Err(e),
    }
}

/// Where a dossier submitted elsewhere comes from: the national portal's code, when the citizen
/// submitted, and the fee facts they declared.
pub struct Origin {
    pub national_ref: String,
    pub submitted_at: time::OffsetDateTime,
    pub declared_fees: Vec<motcua_domain::catalog::fees::FeeFact>,
}

/// What an import from the national portal did.
#[derive(Debug)]
pub enum Imported {
    /// Created now, waiting for reception.
    New(Box<Dossier>),
    /// The portal's dossier came before: the code of the dossier it made.
    Already(String),
}

/// Creates the online dossier a citizen submitted on the national portal (issue 15 item 2),
/// waiting for the one-stop's reception like one submitted here, with its files in the same
/// transaction. Keyed by the portal's code ([`motcua_store::national_inbound::key`]): the same
/// record twice is one dossier. The declared fee facts are checked against the schedule now, so a
/// record that could never be received is refused rather than imported.
#[tracing::instrument(skip_all, fields(procedure = %req.procedure_code))]
pub async fn submit_from_portal(
    state: &Application,
    req: Submission,
    files: Vec<NewFile>,
    origin: Origin,
) -> AppResult<Imported> {
    let key = SubmissionKey {
        key: motcua_store::national_inbound::key(&origin.national_ref),
        username: motcua_store::national_inbound::PORTAL.to_owned(),
    };
    match create_dossier(state, None, req, files, Some(key), Some(origin)).await {
        Ok((d, _secret)) => Ok(Imported::New(Box::new(d))),
        Err(CreateError::Already(code)) => Ok(Imported::Already(code)),
        Err(CreateError::App(e)) => Err(e),
    }
}

async fn create_dossier(
    state: &Application,
    officer: Option<&User>,
    req: Submission,
    files: Vec<NewFile>,
    key: Option<SubmissionKey>,
    origin: Option<Origin>,
) -> Result<(Dossier, String), CreateError> {
    let channel = req.channel;
    ProcedureCode::parse(&req.procedure_code)?;
    let procedure = match state.store.procedure(&req.procedure_code).await {
        Ok(p) => p,
        Err(_) => return Err(CreateError::App(refusal(state, &req.procedure_code).await)),
    };
    let (receiving, resolving) =
        route(state, procedure.level, &procedure.agency, channel, req.unit.as_deref(), officer).await?;
    let template = state
        .store
        .unit(&receiving)
        .await
        .ok()
        .and_then(|u| u.code_template)
        .unwrap_or_else(|| DEFAULT_TEMPLATE.to_owned());
    let at = origin.as_ref().map_or_else(|| state.now(), |o| o.submitted_at);
    let applicant = req.applicant.trimmed();
    let documents = req.documents;
    // Validate before taking a sequence number, so refusals never consume codes.
    create::decide(create::NewDossier {
        code: DossierCode::parse("check")?,
        procedure: &procedure,
        channel,
        applicant: applicant.clone(),
        documents: documents.clone(),
        receiving_unit: receiving.clone(),
        resolving_unit: resolving.clone(),
        at,
    })?;
    let fees = req.fees;
    if channel != Channel::Online {
        // Received at once: the fees are assessed now, from the facts the receiver stated.
        motcua_domain::catalog::fees::assess(&procedure.fees, &fees, false)?;
    }
    if let Some(o) = origin.as_ref().filter(|o| !o.declared_fees.is_empty()) {
        motcua_domain::catalog::fees::assess(&procedure.fees, &o.declared_fees, true)?;
    }
    let secret = crate::auth::new_secret();
    let actor = officer.map(User::actor).unwrap_or(Actor::Applicant);
    let calendars = state.calendars.clone();
    let local_date = at.to_offset(VN_OFFSET).date();
    let (seq_unit, resolving_for_cal) = (receiving.clone(), resolving.clone());
    let build = Box::new(move |seq: u64| {
        let code = render(&template, &seq_unit, local_date, seq)?;
        let mut created = create::decide(create::NewDossier {
            code,
            procedure: &procedure,
            channel,
            applicant,
            documents,
            receiving_unit: seq_unit,
            resolving_unit: resolving_for_cal,
            at,
        })?;
        if let Some(o) = &origin {
            created.dossier.national_ref = Some(o.national_ref.clone());
            created.dossier.declared_fees = o.declared_fees.clone();
        }
        let first = Event { at, actor: actor.name().to_owned(), data: EventData::Create(created.clone()) };
        let mut events = vec![first];
        if channel != Channel::Online {
            let d = motcua_domain::dossier::event::apply(None, &events[0])
                .map_err(|e| motcua_domain::DomainError::rule(ErrorCode::Corrupt, e.to_string(), e.to_string()))?;
            let cal = calendars.get(Some(&d.resolving_unit));
            let receive = Action::Receive(motcua_domain::dossier::actions::receive::Receive {
                fees: fees.clone(),
                ..Default::default()
            });
            events.push(decide(&d, &receive, &Ctx { calendar: &cal, at, actor: &actor })?);
        }
        Ok(events)
    });
    let d = state
        .store
        .writer
        .create_with_files(
            CreateJob {
                seq_unit: receiving.to_string(),
                day: local_date.to_string(),
                secret_hash: crate::auth::secret_hash(&secret),
                build,
                key,
            },
            files,
        )
        .await
        .map_err(|e| match e {
            StoreError::AlreadySubmitted { code } => CreateError::Already(code),
            e => CreateError::App(e.into()),
        })?;
    Ok((d, secret))
}

pub fn not_found(code: &str) -> Error {
    Error::not_found(&format!("dossier {code}"), &format!("hồ sơ {code}"))
}

/// Loads a dossier the officer may see (receiving or resolving unit); others are "not found".
#[tracing::instrument(skip_all, fields(dossier = %code))]
pub async fn load_for_officer(state: &Application, actor: &Actor, code: &str) -> AppResult<Dossier> {
    if !looks_like_code(code) {
        return Err(not_found(code));
    }
    let (d, _) = state.store.dossier(code).await.map_err(|e| match e {
        motcua_store::StoreError::NotFound => not_found(code),
        e => e.into(),
    })?;
    if actor.in_unit(&d.receiving_unit) || actor.in_unit(&d.resolving_unit) { Ok(d) } else { Err(not_found(code)) }
}

/// Loads a dossier for whoever holds its code and secret.
pub async fn load_with_secret(state: &Application, code: &str, secret: Option<&str>) -> AppResult<Dossier> {
    let wrong =
        || Error::not_found(&format!("dossier {code} with this secret"), &format!("hồ sơ {code} với mã bí mật này"));
    let secret = secret.filter(|s| !s.trim().is_empty() && s.len() <= 64).ok_or_else(|| {
        Error::bad_request(
            ErrorCode::SecretRequired,
            "give the dossier's secret (?secret=...) printed on the receipt",
            "cần nhập mã bí mật in trên giấy tiếp nhận (?secret=...)",
        )
    })?;
    if !looks_like_code(code) {
        return Err(wrong());
    }
    let (d, hash) = state.store.dossier(code).await.map_err(|e| match e {
        motcua_store::StoreError::NotFound => wrong(),
        e => e.into(),
    })?;
    if hash != crate::auth::secret_hash(secret) {
        return Err(wrong());
    }
    Ok(d)
}

/// Checks references to other records that the pure domain cannot see.
async fn check_references(state: &Application, d: &Dossier, action: &Action) -> AppResult<()> {
    match action {
        Action::Assign(a) => {
            let mut ok = state.store.users_with_role(&d.resolving_unit, Role::Specialist).await?;
            ok.extend(state.store.users_with_role(&d.resolving_unit, Role::Leader).await?);
            if !ok.iter().any(|u| u == a.assignee.trim()) {
                return Err(Error::unprocessable(
                    ErrorCode::UnknownAssignee,
                    format!("'{}' is not a specialist or leader of unit {}", a.assignee, d.resolving_unit),
                    format!("'{}' không phải chuyên viên hoặc lãnh đạo của đơn vị {}", a.assignee, d.resolving_unit),
                ));
            }
        }
        Action::Transfer(t) => {
            let u = current_unit(state, t.to_unit.trim()).await?;
            if !matches!(u.kind, motcua_domain::org::UnitKind::Agency) && u.level != Level::Commune {
                return Err(Error::unprocessable(
                    ErrorCode::InvalidTransferUnit,
                    "a dossier can only be transferred to an agency or a commune",
                    "chỉ chuyển hồ sơ đến cơ quan chuyên môn hoặc cấp xã",
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

/// Applies an action as `actor` with optimistic concurrency on `version`.
pub async fn act(state: &Application, actor: Actor, code: &str, version: i64, action: Action) -> AppResult<Dossier> {
    act_with_files(state, actor, code, version, action, Vec::new()).await
}

/// [`act`] with the files the action refers to (a supplement's uploads, an approved result),
/// stored as the dossier's in the same transaction as the action (both or neither).
#[tracing::instrument(skip_all, fields(dossier = %code, version = version))]
pub async fn act_with_files(
    state: &Application,
    actor: Actor,
    code: &str,
    version: i64,
    action: Action,
    files: Vec<NewFile>,
) -> AppResult<Dossier> {
    if !looks_like_code(code) {
        return Err(not_found(code));
    }
    // Only actions that name other records need the dossier before the writer; the others are
    // scope-checked inside the write, saving a read on the hot path.
    if matches!(actor, Actor::Officer { .. }) && matches!(action, Action::Assign(_) | Action::Transfer(_)) {
        let d = load_for_officer(state, &actor, code).await?;
        check_references(state, &d, &action).await?;
    }
    let mut action = action;
    if let Action::Approve(a) = &mut action
        && let Some(id) = &a.result_file
        && let Some(file) = files.iter().find(|f| &f.meta.id == id)
    {
        // The result is signed by the key of the unit that resolves the dossier (issue 16 item
        // 4): the one read before the write, for approvals with an electronic result only.
        let d = load_for_officer(state, &actor, code).await?;
        a.result_signature = Some(crate::results::sign(state, d.resolving_unit.as_str(), &file.data).await?);
    }
    let calendars: Arc<Calendars> = state.calendars.clone();
    let clock = state.clock.clone();
    let scope_code = code.to_owned();
    let decide_fn = Box::new(move |d: &Dossier| {
        if let Actor::Officer { .. } = &actor
            && !(actor.in_unit(&d.receiving_unit) || actor.in_unit(&d.resolving_unit))
        {
            return Err(motcua_domain::DomainError::not_found(
                format!("dossier {scope_code} not found"),
                format!("không tìm thấy hồ sơ {scope_code}"),
            ));
        }
        let cal = calendars.get(Some(&d.resolving_unit));
        Ok(vec![decide(
            d,
            &action,
            &Ctx { calendar: &cal, at: crate::clock::whole_seconds(clock.now()), actor: &actor },
        )?])
    });
    state.store.writer.act_with_files(code.to_owned(), Some(version), decide_fn, files).await.map_err(|e| match e {
        motcua_store::StoreError::NotFound => not_found(code),
        e => e.into(),
    })
}
