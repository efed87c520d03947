//! Liên thông over edXML (issue 7 part 4; docs/EXCHANGE.md):
//!
//! - `POST /api/v1/edxml/dossiers/{code}/send` (leader or specialist of the resolving unit): the
//!   running consulted step goes to the other agency as a package (its due date, the dossier's
//!   data, the attachments given). The package is stored as a draft, then the system's
//!   `send_to_agency` event releases it to the outbox in the event's own transaction.
//! - `POST /api/v1/edxml/packages/{id}/reply` (clerk of the receiving unit): the other side
//!   answers an incoming package with its result (attachments included) as a package
//!   `ResponseFor` the original, and its status becomes 06 completed.
//! - On arrival of an answer (`motcua_app::edxml::inbox`), `result_arrived` completes the
//!   waiting step through the system's `receive_agency_result` event; a repeat changes nothing.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::post;
use base64::Engine;
use motcua_domain::ErrorCode;
use motcua_domain::dossier::actions::Ctx;

use motcua_domain::dossier::actions::send_to_agency::{self, SendToAgency};
use motcua_domain::dossier::{Actor, Role};
use motcua_domain::exchange::trace::DeliveryState;
use motcua_edxml::package::{Business, DocumentCode, DocumentType, Header, OtherInfo, PromulgationInfo};
use motcua_edxml::{
    Attachment, BusinessDocType, DocumentKind, Organ, OrganId, Package, Priority, ResponseFor, SteeringType,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::edxml::PackageView;
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::exchange::{local_organ, status_reply, vn_local};
use crate::exchange::{new_package, send_package};
use crate::extract::{ApiJson, Officer};

/// One attachment sent with a package.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AttachmentInput {
    pub name: String,
    pub content_type: String,
    /// Standard base64 of the content.
    pub content_base64: String,
}

/// What goes out with a consulted step.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SendStepInput {
    /// The agency's organ id; default: the organ id of the step's unit.
    pub organ_id: Option<String>,
    /// What is asked of the agency.
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub attachments: Vec<AttachmentInput>,
}

/// The answer to a send.
#[derive(Debug, Serialize, ToSchema)]
pub struct SentStep {
    pub package_id: String,
    pub document_id: String,
    /// The dossier's new version.
    pub version: i64,
}

fn attachments(input: &[AttachmentInput]) -> ApiResult<Vec<Attachment>> {
    input
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let content = base64::engine::general_purpose::STANDARD.decode(a.content_base64.trim()).map_err(|_| {
                ApiError::unprocessable(
                    ErrorCode::BadBase64,
                    format!("attachments[{i}].content_base64 is not base64"),
                    format!("attachments[{i}].content_base64 không phải base64"),
                )
            })?;
            Ok(Attachment {
                content_id: format!("att{}", i + 1),
                content_type: a.content_type.trim().to_owned(),
                name: a.name.trim().to_owned(),
                description: None,
                content,
            })
        })
        .collect()
}

fn header(from: Organ, to: Organ, number: String, notation: &str, subject: String, t: time::OffsetDateTime) -> Header {
    Header {
        from,
        to: vec![to],
        code: DocumentCode { number, notation: notation.to_owned() },
        promulgation: PromulgationInfo { place: "Việt Nam".to_owned(), date: vn_local(t).date() },
        document_type: DocumentType { kind: DocumentKind::Listed(18), name: "Công văn".to_owned(), detail: None },
        subject,
        content: None,
        signer: None,
        due_date: None,
        to_places: Vec::new(),
        other_info: OtherInfo { priority: Priority::Normal, ..OtherInfo::default() },
        response_for: None,
        steering_type: SteeringType::Ordinary,
        traces: Vec::new(),
        business: Some(Business {
            doc_type: BusinessDocType::New,
            reason: None,
            document_id: None,
            staff: None,
            paper: None,
        }),
    }
}

fn edxml_invalid(e: motcua_edxml::EdxmlError) -> ApiError {
    ApiError::unprocessable(e.code, format!("{} at {}", e.reason, e.path), e.reason_vi)
}

#[utoipa::path(post, path = "/api/v1/edxml/dossiers/{code}/send", tag = "exchange", security(("bearer" = [])),
    params(("code" = String, Path)), request_body = SendStepInput,
    responses((status = 201, body = SentStep), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn send_step(
    State(state): State<AppState>,
    officer: Officer,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<SendStepInput>,
) -> ApiResult<(axum::http::StatusCode, Json<SentStep>)> {
    let d = motcua_app::dossiers::load_for_officer(&state, &officer.actor(), &code).await?;
    if !(officer.0.roles.iter().any(|(u, r)| u == &d.resolving_unit && matches!(r, Role::Leader | Role::Specialist))) {
        return Err(ApiError::forbidden(
            "only the leader or a specialist of the resolving unit sends a step to another agency",
            "chỉ lãnh đạo hoặc chuyên viên của cơ quan giải quyết được gửi liên thông",
        ));
    }
    let step_index = d.step;
    let step = d.current_step().ok_or_else(|| {
        ApiError::unprocessable(ErrorCode::StepNotRunning, "no step is running", "không có bước nào đang thực hiện")
    })?;
    let units = state.store.units().await?;
    let organ_id = match input.organ_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(o) => o.to_owned(),
        None => units.iter().find(|u| u.code == step.unit).and_then(|u| u.organ_id.clone()).ok_or_else(|| {
            ApiError::unprocessable(
                ErrorCode::OrganIdRequired,
                format!("unit {} has no electronic organ id; give organ_id", step.unit),
                format!("đơn vị {} chưa có mã định danh điện tử; hãy nhập organ_id", step.unit),
            )
        })?,
    };
    let to = OrganId::parse(&organ_id).map_err(edxml_invalid)?;
    let resolving = units.iter().find(|u| u.code == d.resolving_unit).ok_or_else(ApiError::internal)?;
    let from = local_organ(resolving).ok_or_else(|| {
        ApiError::unprocessable(
            ErrorCode::OrganIdRequired,
            format!("the resolving unit {} has no electronic organ id", resolving.code),
            format!("cơ quan giải quyết {} chưa có mã định danh điện tử", resolving.code),
        )
    })?;
    let t = state.now();
    let subject = format!("Liên thông hồ sơ {}: {}", d.code, step.name);
    let mut h = header(from, Organ::new(to, step.unit.clone()), d.code.clone(), "LT", subject, t);
    let due = step.due_at.or(d.due_at).map(|x| vn_local(x).date());
    h.due_date = due;
    let note = input.note.trim();
    h.content = Some(format!(
        "Thủ tục: {}. Hồ sơ {} cần thực hiện bước \"{}\"{}.{}",
        d.procedure_name,
        d.code,
        step.name,
        due.map(|x| format!(" trước ngày {:02}/{:02}/{}", x.day(), u8::from(x.month()), x.year())).unwrap_or_default(),
        if note.is_empty() { String::new() } else { format!(" {note}") }
    ));
    let mut package = Package { header: h, attachments: attachments(&input.attachments)? };
    let new = new_package(&state, &d.resolving_unit, &mut package, Some(d.code.clone()), t)?;
    let document_id = new.document_id.clone();
    let (package_id, _) = state.store.store_draft(&new, t).await?;
    let calendars = state.calendars.clone();
    let send =
        SendToAgency { step: step_index, organ_id, document_id: document_id.clone(), package_id: package_id.clone() };
    let decide = Box::new(move |d: &motcua_domain::dossier::Dossier| {
        let cal = calendars.get(Some(&d.resolving_unit));
        Ok(vec![send_to_agency::decide(d, &send, &Ctx { calendar: &cal, at: t, actor: &Actor::System })?])
    });
    let d = state.store.writer.act(code, None, decide).await?;
    tracing::info!(dossier = %d.code, package = %package_id, "liên thông step sent");
    Ok((axum::http::StatusCode::CREATED, Json(SentStep { package_id, document_id, version: d.version })))
}

/// The receiving side's answer.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReplyInput {
    /// Số of the answer (its own register number).
    pub number: String,
    /// Ký hiệu of the answer.
    pub notation: String,
    pub subject: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub attachments: Vec<AttachmentInput>,
}

#[utoipa::path(post, path = "/api/v1/edxml/packages/{id}/reply", tag = "exchange", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ReplyInput,
    responses((status = 201, body = PackageView), (status = 404, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn reply(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ReplyInput>,
) -> ApiResult<(axum::http::StatusCode, Json<PackageView>)> {
    let p = match state.store.edxml_package(&id).await? {
        Some(p) if p.direction == "in" && officer.0.roles.iter().any(|(u, r)| u == &p.unit && *r == Role::Clerk) => p,
        _ => return Err(ApiError::not_found("incoming package", "văn bản đến")),
    };
    let original = Package::from_xml(p.xml.as_bytes()).map_err(|_| ApiError::internal())?;
    let unit = state.store.unit(&p.unit).await?;
    let organ = local_organ(&unit).ok_or_else(ApiError::internal)?;
    let t = state.now();
    let oh = &original.header;
    let subject = input.subject.trim().to_owned();
    let mut h =
        header(organ.clone(), oh.from.clone(), input.number.trim().to_owned(), input.notation.trim(), subject, t);
    h.content = Some(input.content.trim().to_owned()).filter(|c| !c.is_empty());
    h.response_for = Some(ResponseFor {
        organ_id: oh.from.id.clone(),
        code: format!("{}/{}", oh.code.number, oh.code.notation),
        promulgation_date: oh.promulgation.date,
        document_id: oh.document_id(),
    });
    let mut package = Package { header: h, attachments: attachments(&input.attachments)? };
    let (out_id, _) = send_package(&state, &p.unit, &mut package, None, t).await?;
    let done =
        status_reply(&p.id, &original, &organ, motcua_edxml::StatusCode::Completed, None, t).map_err(edxml_invalid)?;
    state.store.record_incoming_status(&p.id, DeliveryState::Completed, None, &done, t).await?;
    let stored = state.store.edxml_package(&out_id).await?.ok_or_else(ApiError::internal)?;
    let view = super::edxml::view(stored, false);
    Ok((axum::http::StatusCode::CREATED, Json(view)))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/edxml/dossiers/{code}/send", post(send_step))
        .route("/api/v1/edxml/packages/{id}/reply", post(reply))
}
