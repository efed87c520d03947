//! `GET /van-ban?direction=den|di&q=&status=&page=`: the officer's view of the unit's incoming or
//! outgoing register, newest first, 100 a page, searched without diacritics by the store and
//! scoped by `api::documents::filter_for` (whole registers for clerks and leaders, own documents
//! for others). `GET /van-ban/so?direction=&from=&to=`: the same register for a date range in
//! register-number order, laid out for A4 paper.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use motcua_domain::dossier::timeliness::VN_OFFSET;
use motcua_domain::office::{Direction, Status};
use serde::Deserialize;

use super::{Row, direction, register_name, slug, status_label};
use crate::AppState;
use crate::api::documents::{ListQuery, filter_for};
use crate::extract::ApiQuery;
use crate::ui::console::{Opt, ui, unit_names};
use crate::ui::error::{UiError, urlencode};
use crate::ui::session::SignedIn;
use crate::ui::{Chrome, render};

#[derive(Deserialize)]
pub struct Params {
    direction: Option<String>,
    q: Option<String>,
    status: Option<String>,
    unit: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "office/list.html")]
struct ListPage {
    c: Chrome,
    incoming: bool,
    slug: &'static str,
    q: String,
    statuses: Vec<Opt>,
    rows: Vec<Row>,
    page: i64,
    next: Option<String>,
    print: String,
}

#[derive(Template)]
#[template(path = "office/print.html")]
struct PrintPage {
    c: Chrome,
    incoming: bool,
    register: &'static str,
    units: String,
    from: String,
    to: String,
    rows: Vec<Row>,
}

fn query(d: Direction, p: &Params) -> ListQuery {
    ListQuery {
        direction: Some(d.as_str().to_owned()),
        q: p.q.clone(),
        status: p.status.clone(),
        unit: p.unit.clone(),
        from: p.from.clone(),
        to: p.to.clone(),
        page: p.page,
    }
}

pub(super) async fn page(
    State(state): State<AppState>,
    s: SignedIn,
    ApiQuery(p): ApiQuery<Params>,
) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    let d = direction(p.direction.as_deref(), lang)?;
    let f = filter_for(&s.user, &query(d, &p)).map_err(|e| ui(e, lang))?;
    let docs = state.store.documents_list(&f).await?;
    let at = state.now();
    let page = p.page.unwrap_or(1).clamp(1, 10_000);
    let q = p.q.clone().unwrap_or_default();
    let next = (docs.len() as i64 == f.limit).then(|| {
        format!(
            "/van-ban?direction={}&q={}&status={}&page={}",
            slug(d),
            urlencode(&q),
            urlencode(p.status.as_deref().unwrap_or("")),
            page + 1
        )
    });
    let statuses = Status::ALL
        .into_iter()
        .filter(|st| st.direction() == d)
        .map(|st| Opt {
            value: st.as_str().to_owned(),
            label: status_label(st, lang),
            selected: p.status.as_deref() == Some(st.as_str()),
        })
        .collect();
    let today = at.to_offset(VN_OFFSET).date();
    let print = format!("/van-ban/so?direction={}&from={}-01-01&to={today}", slug(d), today.year());
    let path = format!("/van-ban?direction={}", slug(d));
    let c = Chrome::new(&s.visitor, &path, register_name(d, lang), register_name(d, lang));
    Ok(render(&ListPage {
        c,
        incoming: d == Direction::Incoming,
        slug: slug(d),
        q,
        statuses,
        rows: docs.iter().map(|doc| Row::new(doc, lang, at)).collect(),
        page,
        next,
        print,
    }))
}

pub(super) async fn print(
    State(state): State<AppState>,
    s: SignedIn,
    ApiQuery(mut p): ApiQuery<Params>,
) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    let d = direction(p.direction.as_deref(), lang)?;
    let at = state.now();
    let today = at.to_offset(VN_OFFSET).date();
    if p.from.as_deref().is_none_or(|v| v.trim().is_empty()) {
        p.from = Some(format!("{}-01-01", today.year()));
    }
    if p.to.as_deref().is_none_or(|v| v.trim().is_empty()) {
        p.to = Some(today.to_string());
    }
    p.q = None;
    p.status = None;
    p.page = None;
    let mut f = filter_for(&s.user, &query(d, &p)).map_err(|e| ui(e, lang))?;
    f.register_order = true;
    f.limit = 5000;
    f.offset = 0;
    let docs = state.store.documents_list(&f).await?;
    let names = unit_names(&state).await?;
    let mut units: Vec<String> =
        f.scopes.iter().map(|sc| names.get(&sc.unit).cloned().unwrap_or_else(|| sc.unit.clone())).collect();
    units.dedup();
    let vn_date = |v: &Option<String>| {
        let raw = v.as_deref().unwrap_or_default();
        time::Date::parse(raw, time::macros::format_description!("[year]-[month]-[day]"))
            .map(super::date)
            .unwrap_or_else(|_| raw.to_owned())
    };
    let c = Chrome::new(
        &s.visitor,
        &format!("/van-ban/so?direction={}", slug(d)),
        register_name(d, lang),
        register_name(d, lang),
    );
    Ok(render(&PrintPage {
        c,
        incoming: d == Direction::Incoming,
        register: register_name(d, lang),
        units: units.join("; "),
        from: vn_date(&p.from),
        to: vn_date(&p.to),
        rows: docs.iter().filter(|doc| doc.register_number.is_some()).map(|doc| Row::new(doc, lang, at)).collect(),
    }))
}
