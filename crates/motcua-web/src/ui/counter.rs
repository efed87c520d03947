//! The counter desk (quầy tiếp nhận và trả kết quả) for receivers: the worklist, entering a
//! dossier handed in at the counter, receiving / refusing / asking for supplements / returning
//! results on a dossier, and the printable slips of TT 03/2025/TT-VPCP Phụ lục I (forms 01–04).
//!
//! - [`worklist`]: `GET /quay` — what waits at the receiver's one-stops.
//! - [`reception`]: `GET|POST /quay/tiep-nhan` — a new counter dossier and its receipt slip.
//! - [`desk`]: `GET /quay/ho-so/{code}`, `POST /quay/ho-so/{code}/thao-tac` — one dossier, actions.
//! - [`slips`]: `GET /quay/ho-so/{code}/phieu/{form}` — print-ready A4 slips.
//!
//! Every page needs the receiver role; dossier pages need it in the dossier's receiving unit.
//! The dossier rules stay in the domain: pages go through [`crate::service`] only.

mod desk;
pub mod receipts;
mod reception;
mod slips;
mod worklist;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use motcua_domain::dossier::{Dossier, Role};
use motcua_domain::org::UnitKind;

use super::error::{UiError, urlencode};
use super::session::{Lang, SignedIn};
use crate::AppState;
use crate::error::ApiError;
use crate::multipart::{MAX_BODY, Upload};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/quay", get(worklist::page))
        .route("/quay/tim", get(worklist::find))
        .route("/quay/tiep-nhan", get(reception::form).post(reception::submit).layer(DefaultBodyLimit::max(MAX_BODY)))
        .route("/quay/tiep-nhan/phieu-02", post(reception::guidance).layer(DefaultBodyLimit::max(MAX_BODY)))
        .route("/quay/ho-so/{code}", get(desk::page))
        .route("/quay/ho-so/{code}/thao-tac", post(desk::act).layer(DefaultBodyLimit::max(MAX_BODY)))
        .route("/quay/ho-so/{code}/phieu/{form}", get(slips::slip))
}

/// Units where the officer is a receiver; a 403 page when there are none.
fn receiver_units(s: &SignedIn) -> Result<Vec<String>, UiError> {
    let mut units: Vec<String> =
        s.user.roles.iter().filter(|(_, r)| *r == Role::Receiver).map(|(u, _)| u.to_string()).collect();
    units.sort();
    units.dedup();
    if units.is_empty() { Err(UiError::forbidden(s.visitor.lang)) } else { Ok(units) }
}

/// A dossier this receiver works on at the counter: one the officer may see (otherwise the 404
/// page, as the API does) and received by a one-stop where the officer is a receiver (otherwise
/// 403: the counter pages are the receiving one-stop's).
async fn load(state: &AppState, s: &SignedIn, code: &str) -> Result<Dossier, UiError> {
    let lang = s.visitor.lang;
    receiver_units(s)?;
    let d = motcua_app::dossiers::load_for_officer(state, &s.actor(), code).await.map_err(|e| ui(e, lang))?;
    if !s.actor().is(Role::Receiver, &d.receiving_unit) {
        return Err(UiError::forbidden(lang));
    }
    Ok(d)
}

/// A service error as a page in the visitor's language.
fn ui(e: impl Into<ApiError>, lang: Lang) -> UiError {
    UiError::from(Into::<ApiError>::into(e)).in_lang(lang)
}

/// A service error's message in the page language.
fn message(e: &ApiError, lang: Lang) -> String {
    lang.t(&e.body.message_vi, &e.body.message).to_owned()
}

/// Errors the officer fixes by correcting the form (shown on the form with 422).
fn is_form_error(e: &ApiError) -> bool {
    matches!(e.status, StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY)
}

/// A form as (name, value) pairs and its files (the scans of a reception form, which is
/// multipart; the others are urlencoded): an absent field reads as empty, so a form without its
/// CSRF token gets the 403 page rather than a parse error.
struct Fields(Vec<(String, String)>, Vec<Upload>);

impl Fields {
    async fn read(state: &AppState, req: Request, lang: Lang) -> Result<Fields, UiError> {
        let (pairs, files) =
            crate::multipart::read_page_form(req, state, 64 * 1024).await.map_err(|e| UiError::form(e, lang))?;
        Ok(Fields(pairs, files))
    }
    /// Takes the file sent as `field`, if one was chosen.
    fn take_file(&mut self, field: &str) -> Option<Upload> {
        let i = self.1.iter().position(|u| u.field == field)?;
        Some(self.1.remove(i))
    }
    /// First value of `name`, or "".
    fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }
    /// A ticked checkbox.
    fn on(&self, name: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && !v.is_empty())
    }
    /// Non-empty trimmed lines of a textarea.
    fn lines(&self, name: &str) -> Vec<String> {
        self.get(name).lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
    }
}

/// One line of the fee schedule on a reception form: what the receiver states for it (pages,
/// copies, the case it names, an exemption or reduction with its reason), echoed back.
struct FeeRow {
    index: usize,
    name: String,
    rule: String,
    per: Option<String>,
    group: Option<String>,
    /// Due only in the case its name gives: a checkbox.
    optional: bool,
    quantity: String,
    groups: String,
    chosen: bool,
    reason: String,
    percent: String,
}

/// The fee rows of `schedule`, with what was typed in `f` if the form comes back.
fn fee_rows(schedule: &[motcua_domain::catalog::Fee], f: Option<&Fields>, lang: Lang) -> Vec<FeeRow> {
    let get = |k: String| f.map(|f| f.get(&k).trim().to_owned()).unwrap_or_default();
    schedule
        .iter()
        .enumerate()
        .map(|(i, fee)| FeeRow {
            index: i,
            name: fee.name.clone(),
            rule: crate::views::fee_rule(fee, lang),
            per: fee.per.clone(),
            group: fee.group.clone(),
            optional: fee.applies == motcua_domain::catalog::fees::FeeApplies::WhenChosen,
            quantity: get(format!("phi_{i}_sl")),
            groups: Some(get(format!("phi_{i}_ban"))).filter(|g| !g.is_empty()).unwrap_or_else(|| "1".into()),
            chosen: f.is_some_and(|f| f.on(&format!("phi_{i}_chon"))),
            reason: get(format!("phi_{i}_mien")),
            percent: Some(get(format!("phi_{i}_giam"))).filter(|g| !g.is_empty()).unwrap_or_else(|| "100".into()),
        })
        .collect()
}

/// The facts of the fee rows as posted ([`motcua_domain::catalog::fees::assess`] checks them):
/// a count that is not a number is left out, so the refusal says it is needed.
fn fee_facts(f: &Fields, schedule: &[motcua_domain::catalog::Fee]) -> Vec<motcua_domain::catalog::fees::FeeFact> {
    use motcua_domain::catalog::fees::{FeeFact, Relief};
    let number = |k: String| f.get(&k).trim().parse::<u32>().ok();
    (0..schedule.len())
        .map(|i| {
            let reason = f.get(&format!("phi_{i}_mien")).trim().to_owned();
            FeeFact {
                line: i,
                quantity: number(format!("phi_{i}_sl")),
                groups: number(format!("phi_{i}_ban")),
                chosen: f.on(&format!("phi_{i}_chon")),
                relief: (!reason.is_empty()).then(|| Relief {
                    percent: number(format!("phi_{i}_giam")).map_or(100, |p| p.min(255) as u8),
                    reason,
                }),
            }
        })
        .collect()
}

/// The public lookup address printed (and encoded as QR) on slips: absolute when the request
/// names its host, so a phone can open it; the secret only on the first print.
fn lookup_url(headers: &HeaderMap, code: &str, secret: Option<&str>) -> String {
    let mut path = format!("/tra-cuu?code={}", urlencode(code));
    if let Some(s) = secret {
        path.push_str(&format!("&secret={}", urlencode(s)));
    }
    match crate::extract::origin(headers) {
        Some(o) => format!("{o}{path}"),
        None => path,
    }
}

/// The QR code of a slip's lookup `text`.
fn qr_svg(text: &str) -> String {
    crate::views::qr_svg(text, "Mã QR tra cứu hồ sơ / QR code to look up the dossier")
}

/// The issuing body in a slip's header (national style, TT 03/2025/TT-VPCP Phụ lục I).
pub struct SlipHead {
    /// Governing body line, e.g. "UBND Tỉnh An Giang" (may be empty).
    pub superior: String,
    /// The issuing unit, e.g. "Trung tâm Phục vụ hành chính công tỉnh An Giang".
    pub unit: String,
    /// Place name for the date line, e.g. "An Giang".
    pub place: String,
}

impl SlipHead {
    /// Reads `unit` and its parents from the store.
    async fn of(state: &AppState, unit: &str, lang: Lang) -> SlipHead {
        let committee = |name: &str| format!("{} {name}", lang.t("UBND", "People's Committee of"));
        let Ok(u) = state.store.unit(unit).await else {
            return SlipHead { superior: String::new(), unit: unit.to_owned(), place: String::new() };
        };
        let mut place = String::new();
        let mut superior = String::new();
        let mut next = u.parent.clone();
        // The province (walking a few parents at most) names the place on the date line.
        for _ in 0..4 {
            let Some(code) = next.take() else { break };
            let Ok(p) = state.store.unit(&code).await else { break };
            if superior.is_empty() {
                superior = if matches!(p.kind, UnitKind::Province) { committee(&p.name) } else { p.name.clone() };
            }
            if matches!(p.kind, UnitKind::Province) {
                place = place_name(&p.name);
                break;
            }
            next = p.parent.clone();
        }
        if matches!(u.kind, UnitKind::Commune | UnitKind::Ward | UnitKind::SpecialZone) {
            // A commune's one-stop is its own center, under the commune's People's Committee.
            return SlipHead {
                superior: committee(&u.name),
                unit: lang.t("Trung tâm Phục vụ hành chính công", "Public Administrative Service Center").to_owned(),
                place: place_name(&u.name),
            };
        }
        SlipHead { superior, unit: u.name, place }
    }

    /// "An Giang, ngày 05 tháng 03 năm 2026" for an instant (UTC+7).
    pub fn date_line(&self, at: &time::OffsetDateTime, lang: Lang) -> String {
        let t = at.to_offset(motcua_domain::dossier::timeliness::VN_OFFSET);
        let place = if self.place.is_empty() { "……" } else { &self.place };
        match lang {
            Lang::Vi => format!("{place}, ngày {:02} tháng {:02} năm {}", t.day(), u8::from(t.month()), t.year()),
            Lang::En => format!("{place}, {:02}/{:02}/{}", t.day(), u8::from(t.month()), t.year()),
        }
    }
}

/// "Tỉnh An Giang" → "An Giang"; "Phường Rạch Giá" → "Rạch Giá".
fn place_name(name: &str) -> String {
    const PREFIXES: [&str; 6] = ["Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu ", "Thị trấn "];
    PREFIXES.iter().find_map(|p| name.strip_prefix(p)).unwrap_or(name).trim().to_owned()
}

/// An officer's full name for signature blocks (the username when the account is gone).
async fn officer_name(state: &AppState, username: &str) -> String {
    let username = username.to_owned();
    crate::ui::people::People::of(state, std::iter::once(&username)).await.name(&username)
}

/// Legal processing time as people read it: "3 ngày làm việc" / "4 giờ làm việc".
fn legal_time(d: &Dossier, lang: Lang) -> String {
    let secs = d.legal_time.seconds();
    let n = |x: f64| crate::views::decimal(x, lang);
    if secs % (8 * 3600) == 0 {
        format!("{} {}", n(d.legal_time.days()), lang.t("ngày làm việc", "working days"))
    } else {
        format!("{} {}", n(secs as f64 / 3600.0), lang.t("giờ làm việc", "working hours"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header;

    #[test]
    fn the_lookup_address_is_absolute_only_for_a_plain_host_and_carries_the_secret_when_given() {
        let mut h = HeaderMap::new();
        assert_eq!(lookup_url(&h, "C1-260305-0001", None), "/tra-cuu?code=C1-260305-0001");
        h.insert(header::HOST, "motcua.angiang.gov.vn".parse().unwrap());
        assert_eq!(
            lookup_url(&h, "C1-260305-0001", Some("ABC234")),
            "https://motcua.angiang.gov.vn/tra-cuu?code=C1-260305-0001&secret=ABC234"
        );
        h.insert(header::HOST, "evil\"host".parse().unwrap());
        assert!(lookup_url(&h, "C1", None).starts_with("/tra-cuu"));
    }

    #[test]
    fn place_names_drop_the_administrative_prefix() {
        assert_eq!(place_name("Tỉnh An Giang"), "An Giang");
        assert_eq!(place_name("Đặc khu Phú Quốc"), "Phú Quốc");
        assert_eq!(place_name("Hà Nội"), "Hà Nội");
    }

    #[test]
    fn a_qr_code_renders_as_inline_svg() {
        let svg = qr_svg("/tra-cuu?code=C1-260305-0001&secret=ABC234");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }
}
