//! `GET /quay`: what waits at the receiver's one-stops — online dossiers to receive, dossiers
//! waiting for a supplement at reception, and results to return (the inbox of the receiving
//! units, [`Dossier::holder_unit`]).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use motcua_domain::dossier::{Channel, Dossier, Status};
use motcua_store::dossiers::InboxQuery;
use serde::Deserialize;

use super::receiver_units;
use crate::AppState;
use crate::extract::ApiQuery;
use crate::ui::error::UiError;
use crate::ui::{Chrome, SignedIn, render, see_other};

/// Rows shown per section; the oldest first (the inbox is sorted by due date, then code).
const LIMIT: i64 = 100;

/// One section of the worklist.
struct Section {
    id: &'static str,
    title: String,
    dossiers: Vec<Dossier>,
}

#[derive(Template)]
#[template(path = "counter/worklist.html")]
struct WorklistPage {
    c: Chrome,
    sections: Vec<Section>,
}

impl WorklistPage {
    fn channel(&self, ch: &Channel) -> &'static str {
        match ch {
            Channel::Counter => self.c.t("Trực tiếp", "At the counter"),
            Channel::Online => self.c.t("Trực tuyến", "Online"),
            Channel::Postal => self.c.t("Bưu chính", "By post"),
        }
    }
}

pub(super) async fn page(State(state): State<AppState>, s: SignedIn) -> Result<Response, UiError> {
    let units = receiver_units(&s)?;
    let c = Chrome::new(&s.visitor, "/quay", "Quầy tiếp nhận và trả kết quả", "Counter desk");
    let wanted = [
        (Status::Submitted, "cho-tiep-nhan", "Hồ sơ trực tuyến chờ tiếp nhận", "Online dossiers waiting for reception"),
        (
            Status::SupplementRequested,
            "cho-bo-sung",
            "Chờ bổ sung tại bộ phận tiếp nhận",
            "Waiting for a supplement at reception",
        ),
        (Status::ResultReady, "cho-tra", "Kết quả chờ trả", "Results to return"),
    ];
    let mut sections = Vec::new();
    for (status, id, vi, en) in wanted {
        let q = InboxQuery { units: units.clone(), status: Some(status), limit: LIMIT, ..Default::default() };
        let mut dossiers = Vec::new();
        for row in state.store.inbox(&q).await? {
            let (d, _) = state.store.dossier(&row.code).await?;
            // A commune one-stop that also resolves sees its own in-processing supplements in
            // its inbox; only those still at reception belong to the counter.
            if status == Status::SupplementRequested && d.received_at.is_some() {
                continue;
            }
            dossiers.push(d);
        }
        sections.push(Section { id, title: c.t(vi, en).to_owned(), dossiers });
    }
    Ok(render(&WorklistPage { c, sections }))
}

#[derive(Deserialize)]
pub(super) struct FindQuery {
    code: Option<String>,
}

/// `GET /quay/tim?code=`: opens a dossier by the code on the citizen's receipt.
pub(super) async fn find(s: SignedIn, ApiQuery(q): ApiQuery<FindQuery>) -> Result<Response, UiError> {
    receiver_units(&s)?;
    let code = q.code.unwrap_or_default().trim().to_owned();
    if motcua_domain::code::looks_like_code(&code) {
        Ok(see_other(&format!("/quay/ho-so/{code}")))
    } else {
        Err(UiError::not_found(s.visitor.lang))
    }
}
