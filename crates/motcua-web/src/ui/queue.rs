//! Queue pages (domain.md §11), all without JavaScript:
//!
//! - `GET|POST /lay-so`: the kiosk — one large button per counter group and priority group; the
//!   ticket page `/lay-so/ve/{id}` prints.
//! - `GET /bang-goi-so`: the display board, large type, refreshed by `<meta http-equiv=refresh>`.
//! - `GET|POST /quay/so-thu-tu`: the counter officer calls, recalls, serves, skips, transfers and
//!   finishes tickets and links the dossier received.
//! - `GET|POST /danh-gia/{ticket}`: the counter tablet's 1–5 rating. Safe rule: it needs the
//!   one-time token created when the officer finished the ticket with a returned, unrated
//!   dossier (valid [`crate::api::queue::RATING_TOKEN_MINUTES`] minutes, consumed on use); the rating is the dossier's
//!   own `rate` action by the applicant, so "once per dossier" still holds.
//! - `GET /can-bo/hang-doi`: waiting/service times of a day and ratings per officer (leaders,
//!   center administrators, receivers for their own one-stop).

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use motcua_domain::dossier::actions::Action;
use motcua_domain::dossier::actions::rate::Rate;
use motcua_domain::dossier::{Actor, Role};
use motcua_domain::queue::metrics::QueueMetrics;
use motcua_domain::queue::rating::OfficerRating;
use motcua_domain::queue::{Counter, CounterGroup, Priority, Ticket};
use serde::Deserialize;
use time::Duration;

use crate::AppState;
use crate::api::queue::{Board, TicketAction, TicketView};
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::ui::error::UiError;
use crate::ui::people::People;
use crate::ui::{Chrome, SignedIn, Visitor, render, render_status, see_other};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/lay-so", get(kiosk).post(take))
        .route("/lay-so/ve/{id}", get(ticket_page))
        .route("/bang-goi-so", get(board))
        .route("/quay/so-thu-tu", get(counter_page).post(counter_act))
        .route("/danh-gia/{id}", get(rating_form).post(rating_submit))
        .route("/can-bo/hang-doi", get(metrics_page))
}

fn ui(e: impl Into<ApiError>, v: &Visitor) -> UiError {
    UiError::from(Into::<ApiError>::into(e)).in_lang(v.lang)
}

type Fields = Result<Form<Vec<(String, String)>>, FormRejection>;

fn field<'a>(f: &'a [(String, String)], name: &str) -> &'a str {
    f.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

fn parse_form(form: Fields, v: &Visitor) -> Result<Vec<(String, String)>, UiError> {
    let Form(f) = form
        .map_err(|_| UiError::new(StatusCode::BAD_REQUEST, v.lang, "Biểu mẫu không hợp lệ.", "The form is invalid."))?;
    v.check_csrf(field(&f, "csrf"))?;
    Ok(f)
}

#[derive(Deserialize)]
struct UnitQ {
    unit: Option<String>,
}

#[derive(Template)]
#[template(path = "queue/kiosk.html")]
struct KioskPage {
    c: Chrome,
    head: ScreenHead,
    unit: String,
    groups: Vec<CounterGroup>,
    priorities: Vec<Priority>,
}

async fn kiosk(State(state): State<AppState>, v: Visitor, ApiQuery(q): ApiQuery<UnitQ>) -> Result<Response, UiError> {
    let unit = q.unit.filter(|u| !u.trim().is_empty()).unwrap_or_else(|| state.province_center.to_string());
    let groups = state.store.queue_groups(Some(&unit)).await.map_err(|e| ui(e, &v))?;
    let c = Chrome::new(&v, "/lay-so", "Lấy số thứ tự", "Take a queue number");
    let head = ScreenHead::of(&state, &unit).await;
    Ok(render(&KioskPage { c, head, unit, groups, priorities: Priority::ALL.to_vec() }))
}

/// The head of a full-screen page (TV board, touch kiosk): the one-stop's name and the time in
/// UTC+7, written by the server (the board reloads itself every 5 s, without JavaScript).
struct ScreenHead {
    unit_name: String,
    clock: String,
    date: String,
}

impl ScreenHead {
    async fn of(state: &AppState, unit: &str) -> ScreenHead {
        let unit_name = state.store.unit(unit).await.map(|u| u.name).unwrap_or_else(|_| unit.to_owned());
        let now = state.now().to_offset(motcua_domain::dossier::timeliness::VN_OFFSET);
        ScreenHead {
            unit_name,
            clock: format!("{:02}:{:02}", now.hour(), now.minute()),
            date: crate::views::date(now.date()),
        }
    }
}

async fn take(State(state): State<AppState>, v: Visitor, form: Fields) -> Result<Response, UiError> {
    let f = parse_form(form, &v)?;
    let t = crate::api::queue::issue(&state, field(&f, "group"), field(&f, "priority")).await.map_err(|e| ui(e, &v))?;
    Ok(see_other(&format!("/lay-so/ve/{}?truoc={}", t.id, t.waiting_before.unwrap_or(0))))
}

#[derive(Deserialize)]
struct TicketQ {
    truoc: Option<i64>,
}

#[derive(Template)]
#[template(path = "queue/ticket.html")]
struct TicketPage {
    c: Chrome,
    t: Ticket,
    group: CounterGroup,
    ahead: Option<i64>,
}

impl TicketPage {
    fn priority(&self) -> String {
        self.t.priority.map(|p| self.c.t(p.label_vi(), p.label_en()).to_owned()).unwrap_or_default()
    }
}

async fn ticket_page(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<TicketQ>,
) -> Result<Response, UiError> {
    let t = state.store.ticket(&id).await.map_err(|e| ui(e, &v))?;
    let group = state.store.queue_group(&t.group).await.map_err(|e| ui(e, &v))?;
    let c = Chrome::new(&v, "/lay-so", "Phiếu số thứ tự", "Queue ticket");
    Ok(render(&TicketPage { c, t, group, ahead: q.truoc }))
}

#[derive(Template)]
#[template(path = "queue/board.html")]
struct BoardPage {
    c: Chrome,
    head: ScreenHead,
    b: Board,
}

async fn board(State(state): State<AppState>, v: Visitor, ApiQuery(q): ApiQuery<UnitQ>) -> Result<Response, UiError> {
    let b = crate::api::queue::board_of(&state, q.unit.as_deref()).await.map_err(|e| ui(e, &v))?;
    let c = Chrome::new(&v, "/bang-goi-so", "Bảng gọi số", "Queue board");
    let head = ScreenHead::of(&state, &b.unit).await;
    Ok(render(&BoardPage { c, head, b }))
}

#[derive(Deserialize)]
struct CounterQ {
    counter: Option<String>,
}

#[derive(Template)]
#[template(path = "queue/counter.html")]
struct CounterPage {
    c: Chrome,
    counters: Vec<(Counter, String)>,
    counter: Option<Counter>,
    current: Option<Ticket>,
    groups: Vec<CounterGroup>,
    /// Today's skipped tickets of the counter's group (to re-queue when the citizen returns).
    skipped: Vec<Ticket>,
    notice: String,
    rating_url: String,
}

fn receiver_units(s: &SignedIn) -> Result<Vec<String>, UiError> {
    let units: Vec<String> =
        s.user.roles.iter().filter(|(_, r)| *r == Role::Receiver).map(|(u, _)| u.to_string()).collect();
    if units.is_empty() { Err(UiError::forbidden(s.visitor.lang)) } else { Ok(units) }
}

async fn counter_view(
    state: &AppState,
    s: &SignedIn,
    id: Option<&str>,
    notice: String,
    rating_url: String,
) -> Result<CounterPage, UiError> {
    let units = receiver_units(s)?;
    let counters = state.store.counters(&units).await.map_err(|e| ui(e, &s.visitor))?;
    let chosen = id.and_then(|id| counters.iter().find(|(c, _)| c.id == id)).cloned();
    let (counter, current, groups, skipped) = match chosen {
        Some((c, unit)) => {
            let current = state.store.counter_ticket(&c.id).await.map_err(|e| ui(e, &s.visitor))?;
            let groups = state.store.queue_groups(Some(&unit)).await.map_err(|e| ui(e, &s.visitor))?;
            let today = motcua_domain::queue::ticket_day(state.now());
            let skipped = state
                .store
                .tickets_on(std::slice::from_ref(&unit), today)
                .await
                .map_err(|e| ui(e, &s.visitor))?
                .into_iter()
                .filter(|t| t.state == motcua_domain::queue::TicketState::Skipped && t.group == c.group)
                .collect();
            let own = c.group.clone();
            (Some(c), current, groups.into_iter().filter(|g| g.code != own).collect(), skipped)
        }
        None => (None, None, vec![], vec![]),
    };
    let c = Chrome::new(&s.visitor, "/quay/so-thu-tu", "Gọi số tại quầy", "Call queue numbers");
    Ok(CounterPage { c, counters, counter, current, groups, skipped, notice, rating_url })
}

async fn counter_page(
    State(state): State<AppState>,
    s: SignedIn,
    ApiQuery(q): ApiQuery<CounterQ>,
) -> Result<Response, UiError> {
    Ok(render(&counter_view(&state, &s, q.counter.as_deref(), String::new(), String::new()).await?))
}

async fn counter_act(State(state): State<AppState>, s: SignedIn, form: Fields) -> Result<Response, UiError> {
    let f = parse_form(form, &s.visitor)?;
    let counter = field(&f, "counter").to_owned();
    let action = field(&f, "action");
    let actor = s.actor();
    let lang = s.visitor.lang;
    let result = if action == "call" {
        motcua_app::queue::call(&state, &actor, &counter).await.map(|t| TicketView::of(&t)).map_err(ApiError::from)
    } else {
        let a = TicketAction {
            action: action.to_owned(),
            counter: counter.clone(),
            group: Some(field(&f, "group").to_owned()),
            dossier: Some(field(&f, "dossier").to_owned()),
        };
        crate::api::queue::step(&state, &actor, field(&f, "ticket"), &a).await
    };
    match result {
        Ok(v) if v.rating_url.is_some() => {
            let notice = format!("{} {}", lang.t("Đã kết thúc số", "Finished ticket"), v.number);
            let page = counter_view(&state, &s, Some(&counter), notice, v.rating_url.unwrap_or_default()).await?;
            Ok(render(&page))
        }
        Ok(_) => Ok(see_other(&format!("/quay/so-thu-tu?counter={}", crate::ui::error::urlencode(&counter)))),
        Err(e) if e.status == StatusCode::FORBIDDEN => Err(ui(e, &s.visitor)),
        Err(e) => {
            let notice = lang.t(&e.body.message_vi, &e.body.message).to_owned();
            let page = counter_view(&state, &s, Some(&counter), notice, String::new()).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

#[derive(Deserialize)]
struct TokenQ {
    t: Option<String>,
}

#[derive(Template)]
#[template(path = "queue/rate.html")]
struct RatePage {
    c: Chrome,
    id: String,
    token: String,
    number: String,
    done: bool,
}

fn link_expired(v: &Visitor) -> UiError {
    UiError::new(
        StatusCode::FORBIDDEN,
        v.lang,
        "Liên kết đánh giá không hợp lệ, đã dùng hoặc đã hết hạn.",
        "The rating link is invalid, used or expired.",
    )
}

async fn rating_form(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<TokenQ>,
) -> Result<Response, UiError> {
    let token = q.t.unwrap_or_default();
    let now = state.now();
    if !state.store.rating_token_valid(&id, &crate::auth::token_hash(&token), now).await.map_err(|e| ui(e, &v))? {
        return Err(link_expired(&v));
    }
    let t = state.store.ticket(&id).await.map_err(|e| ui(e, &v))?;
    let c = Chrome::new(&v, "/danh-gia", "Đánh giá mức độ hài lòng", "Rate our service");
    Ok(render(&RatePage { c, id, token, number: t.number, done: false }))
}

async fn rating_submit(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    form: Fields,
) -> Result<Response, UiError> {
    let f = parse_form(form, &v)?;
    let score: i64 = field(&f, "score").parse().unwrap_or(0);
    if !(1..=5).contains(&score) {
        return Err(UiError::new(
            StatusCode::BAD_REQUEST,
            v.lang,
            "Điểm đánh giá phải từ 1 đến 5.",
            "The score must be 1 to 5.",
        ));
    }
    let now = state.now();
    let hash = crate::auth::token_hash(field(&f, "t"));
    if !state.store.take_rating_token(&id, &hash, now).await.map_err(|e| ui(e, &v))? {
        return Err(link_expired(&v));
    }
    let t = state.store.ticket(&id).await.map_err(|e| ui(e, &v))?;
    let code = t.dossier.clone().ok_or_else(|| link_expired(&v))?;
    let (d, _) = state.store.dossier(&code).await.map_err(|e| ui(e, &v))?;
    let action = Action::Rate(Rate { score, comment: String::new() });
    motcua_app::dossiers::act(&state, Actor::Applicant, &code, d.version, action).await.map_err(|e| ui(e, &v))?;
    let c = Chrome::new(&v, "/danh-gia", "Đánh giá mức độ hài lòng", "Rate our service");
    Ok(render(&RatePage { c, id, token: String::new(), number: t.number, done: true }))
}

#[derive(Deserialize)]
struct MetricsQ {
    date: Option<String>,
}

#[derive(Template)]
#[template(path = "queue/metrics.html")]
struct MetricsPage {
    c: Chrome,
    /// The chosen day: `YYYY-MM-DD` for the date field, `dd/mm/yyyy` to read.
    date: String,
    date_shown: String,
    m: QueueMetrics,
    /// Officers by name, in the page's number format.
    ratings: Vec<RatingRow>,
    /// The day's officers by username → full name.
    people: People,
    month: String,
}

/// One officer's ratings as the page shows them.
struct RatingRow {
    officer: String,
    ratings: u64,
    average: String,
    satisfied: u64,
    satisfaction_rate: String,
    disliked: u64,
    attitude_points: u64,
    attitude_max: u64,
}

impl MetricsPage {
    /// Seconds as minutes (at most two decimals), or a dash.
    fn min(&self, s: &Option<u64>) -> String {
        s.map(|s| crate::views::decimal(s as f64 / 60.0, self.c.lang)).unwrap_or_else(|| "—".into())
    }
    fn officer(&self, username: &str) -> String {
        self.people.name(username)
    }
}

async fn metrics_page(
    State(state): State<AppState>,
    s: SignedIn,
    ApiQuery(q): ApiQuery<MetricsQ>,
) -> Result<Response, UiError> {
    let roles = [Role::Receiver, Role::Leader, Role::CenterAdmin];
    let mut units: Vec<String> =
        s.user.roles.iter().filter(|(_, r)| roles.contains(r)).map(|(u, _)| u.to_string()).collect();
    if !s.has(Role::SystemAdmin) && units.is_empty() {
        return Err(UiError::forbidden(s.visitor.lang));
    }
    if s.has(Role::SystemAdmin) {
        units.clear();
    }
    let day = match q.date.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => crate::api::parse_date("date", d).map_err(|e| ui(e, &s.visitor))?,
        None => state.today(),
    };
    let m = state.store.queue_metrics(&units, day).await.map_err(|e| ui(e, &s.visitor))?;
    // Ratings of the month of `day` (local), scoped like the API's officer ratings.
    let first = day.replace_day(1).unwrap_or(day);
    let from = first.midnight().assume_offset(motcua_domain::queue::VN);
    let to = from + Duration::days(i64::from(first.month().length(first.year())));
    let rating_units: Vec<String> = if s.has(Role::SystemAdmin) {
        vec![]
    } else {
        s.user
            .roles
            .iter()
            .filter(|(_, r)| matches!(r, Role::Leader | Role::CenterAdmin))
            .map(|(u, _)| u.to_string())
            .collect()
    };
    let ratings = if s.has(Role::SystemAdmin) || !rating_units.is_empty() {
        motcua_app::queue::officer_ratings(&state, &rating_units, from, to).await.map_err(|e| ui(e, &s.visitor))?
    } else {
        vec![]
    };
    let lang = s.visitor.lang;
    let usernames: Vec<String> =
        m.by_officer.keys().cloned().chain(ratings.iter().map(|r| r.officer.clone())).collect();
    let people = People::of(&state, usernames.iter()).await;
    let ratings = ratings
        .into_iter()
        .map(|r: OfficerRating| RatingRow {
            officer: people.name(&r.officer),
            ratings: r.ratings,
            average: crate::views::decimal(r.average, lang),
            satisfied: r.satisfied,
            satisfaction_rate: crate::views::percent(r.satisfaction_rate, lang),
            disliked: r.disliked,
            attitude_points: r.attitude_points,
            attitude_max: r.attitude_max,
        })
        .collect();
    let c = Chrome::new(&s.visitor, "/can-bo/hang-doi", "Số thứ tự và đánh giá", "Queue and ratings");
    Ok(render(&MetricsPage {
        c,
        date: motcua_store::format_date(day),
        date_shown: crate::views::date(day),
        people,
        m,
        ratings,
        month: format!("{:02}/{}", u8::from(first.month()), first.year()),
    }))
}
