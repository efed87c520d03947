//! Liên thông over edXML (issue 7 part 4; docs/EXCHANGE.md):
//!
//! - `POST /api/v1/edxml/dossiers/{code}/send` (leader or specialist of the resolving unit): the
//!   running consulted step goes to the other agency as a package (its due date, the dossier's
//!   data, the attachments given). The package is stored as a draft, then the system's
//!   `send_to_agency` event releases it to the outbox in the event's own transaction.
//! - `POST /api/v1/edxml/packages/{id}/reply` (clerk of the receiving unit): the other side
//!   answers an incoming package with its result (attachments included) as a package
//!   `ResponseFor` the original, and its status becomes 06 completed.
//! - On arrival of an answer (`motcua_app::edxml::inbox`), `liaison::result_arrived` completes the
//!   waiting step through the system's `receive_agency_result` event; a repeat changes nothing.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::post;
use base64::Engine;
use motcua_app::edxml::liaison::{self, Reply, SendStep};
use motcua_domain::ErrorCode;
use motcua_edxml::Attachment;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::edxml::PackageView;
use crate::AppState;
use crate::error::{ApiError, ApiResult};
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
    let input = SendStep { organ_id: input.organ_id, note: input.note, attachments: attachments(&input.attachments)? };
    let sent = liaison::send_step(&state, &officer.0, &code, input).await?;
    let (package_id, document_id) = (sent.package_id, sent.document_id);
    Ok((axum::http::StatusCode::CREATED, Json(SentStep { package_id, document_id, version: sent.version })))
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
    let input = Reply {
        number: input.number,
        notation: input.notation,
        subject: input.subject,
        content: input.content,
        attachments: attachments(&input.attachments)?,
    };
    let stored = liaison::reply(&state, &officer.0, &id, input).await?;
    let view = super::edxml::view(stored, false);
    Ok((axum::http::StatusCode::CREATED, Json(view)))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/edxml/dossiers/{code}/send", post(send_step))
        .route("/api/v1/edxml/packages/{id}/reply", post(reply))
}
