//! `GET /quan-tri/dong-bo`: the national portal's sync as administrators follow it (issue 15):
//! how many dossiers the portal has up to date, the share it acknowledged (QĐ 766 row 1.4 as its
//! answers show it), and the dossiers it refused or that are retrying, with the reason.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use motcua_app::national::{Overview, overview};

use super::admin_of;
use crate::AppState;
use crate::ui::error::UiError;
use crate::ui::session::SignedIn;
use crate::ui::{Chrome, render};

#[derive(Template)]
#[template(path = "admin/national.html")]
struct SyncPage {
    c: Chrome,
    o: Overview,
}

impl SyncPage {
    fn count(&self, n: &i64) -> String {
        crate::views::count(u64::try_from(*n).unwrap_or(0), self.c.lang)
    }
    fn rate(&self) -> String {
        self.o.acknowledged_rate.map(|r| crate::views::percent(r, self.c.lang)).unwrap_or_else(|| "—".into())
    }
    fn when(&self, t: &str) -> String {
        motcua_store::parse_ts(t).map(crate::views::local_display).unwrap_or_else(|_| t.to_owned())
    }
    fn state(&self, s: &str) -> &'static str {
        match s {
            "failed" => self.c.t("Bị từ chối hoặc hết số lần thử", "Refused or out of attempts"),
            "pending" => self.c.t("Đang thử lại", "Retrying"),
            _ => self.c.t("Đã đồng bộ", "Synced"),
        }
    }
}

pub(super) async fn page(State(state): State<AppState>, s: SignedIn) -> Result<Response, UiError> {
    admin_of(&s)?;
    let o = overview(&state, state.portal_sync).await.map_err(|e| UiError::from(crate::error::ApiError::from(e)))?;
    let c =
        Chrome::new(&s.visitor, "/quan-tri/dong-bo", "Đồng bộ với Cổng Dịch vụ công quốc gia", "National portal sync");
    Ok(render(&SyncPage { c, o }))
}
