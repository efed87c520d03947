//! The edXML outbox of a clerk (docs/EXCHANGE.md): a package written elsewhere sent from one of
//! the clerk's units, the statuses a receiving clerk records on an incoming package (04, 05,
//! 06, 02 with a reason), and the scope every clerk's package lookup shares.

use motcua_domain::ErrorCode;
use motcua_domain::exchange::trace::DeliveryState;
use motcua_edxml::{EdxmlError, Package};
use motcua_store::edxml::StoredPackage;
use motcua_store::users::User;

use super::inbox::clerk_units;
use crate::Application;
use crate::error::{AppResult, Error};
use crate::exchange::{local_organ, send_package, status_reply};

/// A package of one of `user`'s units (others are "not found", whether or not they exist).
pub async fn own_package(state: &Application, user: &User, id: &str) -> AppResult<StoredPackage> {
    match state.store.edxml_package(id).await? {
        Some(p) if clerk_units(user).contains(&p.unit) => Ok(p),
        _ => Err(Error::not_found("package", "văn bản")),
    }
}

/// An edXML error as the use case's refusal (422 with the element path in the message).
pub fn invalid(e: EdxmlError) -> Error {
    Error::unprocessable(e.code, format!("{} at {}", e.reason, e.path), e.reason_vi)
}

/// Sends `package` (decoded by the adapter) from the unit whose organ id is its
/// `MessageHeader/From/OrganId`, which must be one where `user` is a clerk. Answers the stored
/// package and whether it is new (a repeat of the same package is sent once).
#[tracing::instrument(skip_all)]
pub async fn send(state: &Application, user: &User, mut package: Package) -> AppResult<(StoredPackage, bool)> {
    let units = state.store.units().await?;
    let from = package.header.from.id.as_str().to_owned();
    let unit = clerk_units(user)
        .into_iter()
        .find(|c| units.iter().any(|u| &u.code == c && u.organ_id.as_deref() == Some(from.as_str())))
        .ok_or_else(|| {
            Error::forbidden(
                "MessageHeader/From/OrganId must be the organ id of a unit where you are a clerk",
                "MessageHeader/From/OrganId phải là mã định danh của đơn vị mà bạn là văn thư",
            )
        })?;
    let t = state.now();
    let (id, fresh) = send_package(state, &unit, &mut package, None, t).await?;
    let stored = state.store.edxml_package(&id).await?.ok_or_else(Error::internal)?;
    Ok((stored, fresh))
}

/// A status the receiving clerk records on an incoming package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncomingStatus {
    Assigned,
    Processing,
    Completed,
    Rejected,
}

impl IncomingStatus {
    /// `assigned` | `processing` | `completed` | `rejected`.
    pub fn parse(s: &str) -> AppResult<IncomingStatus> {
        match s {
            "assigned" => Ok(IncomingStatus::Assigned),
            "processing" => Ok(IncomingStatus::Processing),
            "completed" => Ok(IncomingStatus::Completed),
            "rejected" => Ok(IncomingStatus::Rejected),
            _ => Err(Error::bad_request(
                ErrorCode::InvalidStatus,
                "status must be assigned, processing, completed or rejected",
                "trạng thái phải là assigned, processing, completed hoặc rejected",
            )),
        }
    }
}

/// Records `status` on incoming package `id` and queues the status message back to its sender.
#[tracing::instrument(skip_all, fields(package = %id))]
pub async fn set_status(
    state: &Application,
    user: &User,
    id: &str,
    status: IncomingStatus,
    reason: Option<&str>,
) -> AppResult<StoredPackage> {
    use motcua_edxml::StatusCode as S;
    let p = own_package(state, user, id).await?;
    if p.direction != "in" {
        return Err(Error::unprocessable(
            ErrorCode::NotIncoming,
            "statuses are recorded on incoming packages",
            "chỉ cập nhật trạng thái văn bản đến",
        ));
    }
    let (code, st) = match status {
        IncomingStatus::Assigned => (S::Assigned, DeliveryState::Assigned),
        IncomingStatus::Processing => (S::Processing, DeliveryState::Processing),
        IncomingStatus::Completed => (S::Completed, DeliveryState::Completed),
        IncomingStatus::Rejected => (S::Rejected, DeliveryState::Rejected),
    };
    let reason = reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
    if code == S::Rejected && reason.is_none() {
        return Err(Error::unprocessable(
            ErrorCode::ReasonRequired,
            "a rejection needs a reason",
            "từ chối phải nêu lý do",
        ));
    }
    let package = Package::from_xml(p.xml.as_bytes()).map_err(|_| Error::internal())?;
    let unit = state.store.unit(&p.unit).await?;
    let organ = local_organ(&unit).ok_or_else(Error::internal)?;
    let t = state.now();
    let reply = status_reply(&p.id, &package, &organ, code, reason.clone(), t).map_err(invalid)?;
    state.store.record_incoming_status(&p.id, st, reason.as_deref(), &reply, t).await?;
    Ok(p)
}
