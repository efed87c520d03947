//! JSON shapes of dossiers: the officer's full view and the citizen's public view (no personal
//! data). Instants are shown in Asia/Ho_Chi_Minh (UTC+7), RFC 3339 with offset.

use motcua_domain::calendar::{Calendar, WorkingTime};
use motcua_domain::dossier::actions::ActionKind;
use motcua_domain::dossier::timeliness::{VN_OFFSET, classify};
use motcua_domain::dossier::{Dossier, Status};
use motcua_store::dossiers::StoredEvent;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

pub use motcua_app::clock::local;

fn local_opt(t: Option<OffsetDateTime>) -> Option<String> {
    t.map(local)
}

/// How urgent an open dossier is, for inbox colors.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// More than one working day left.
    OnTrack,
    /// Due within one working day.
    DueSoon,
    /// Past its appointment.
    Overdue,
    /// No deadline running (not received yet, paused, or closed).
    None,
}

/// Urgency of a deadline as seen now.
pub fn urgency(cal: &Calendar, status: Status, due: Option<OffsetDateTime>, now: OffsetDateTime) -> Urgency {
    match due {
        _ if status.is_closed() || matches!(status, Status::SupplementRequested | Status::Submitted) => Urgency::None,
        None => Urgency::None,
        Some(d) if d < now => Urgency::Overdue,
        Some(d) if cal.between(now, d) <= WorkingTime::from_days(1.0).unwrap_or_default() => Urgency::DueSoon,
        Some(_) => Urgency::OnTrack,
    }
}

/// One history line.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryItem {
    pub seq: i64,
    pub action: String,
    pub at: String,
    /// Officer username (officer view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The event's details (officer view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub details: Option<serde_json::Value>,
    /// Chain hash of this event (officer view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
}

impl HistoryItem {
    /// A history line; `officer` adds who acted, the details and the chain hash.
    fn new(e: &StoredEvent, officer: bool) -> Self {
        HistoryItem {
            seq: e.seq,
            action: e.event.data.action().to_owned(),
            at: local(e.event.at),
            actor: officer.then(|| e.event.actor.clone()),
            details: if officer { serde_json::to_value(&e.event.data).ok() } else { None },
            hash: officer.then(|| e.hash.clone()),
        }
    }
}

/// The officer's view of a dossier.
#[derive(Debug, Serialize, ToSchema)]
pub struct DossierView {
    pub code: String,
    pub status: String,
    pub status_label: String,
    /// National portal TrangThaiHoSo code (1–10).
    pub national_status: u8,
    /// The national portal's code of a dossier submitted there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub national_ref: Option<String>,
    pub version: i64,
    pub procedure_code: String,
    pub procedure_version: i64,
    pub procedure_name: String,
    pub channel: String,
    pub receiving_unit: String,
    pub resolving_unit: String,
    pub submitted_at: String,
    pub received_at: Option<String>,
    pub clock_started_at: Option<String>,
    /// Legal due instant (judges on-time status).
    pub due_at: Option<String>,
    /// The citizen's appointment (differs from `due_at` after an extension).
    pub appointment_at: Option<String>,
    pub finished_at: Option<String>,
    pub returned_at: Option<String>,
    /// `early`, `on_time` or `late` once decided.
    pub timeliness: Option<String>,
    pub urgency: Urgency,
    pub legal_working_hours: f64,
    pub paused_working_hours: f64,
    pub supplement_rounds: u32,
    pub assignee: Option<String>,
    pub fee_total: i64,
    pub fee_paid: bool,
    pub paid_online: bool,
    pub rating: Option<u8>,
    pub reason: Option<String>,
    #[schema(value_type = Vec<String>)]
    pub allowed_actions: Vec<ActionKind>,
    /// The full projection (applicant, documents, steps, extension, result).
    #[schema(value_type = Object)]
    pub dossier: serde_json::Value,
    pub history: Vec<HistoryItem>,
}

impl DossierView {
    pub fn new(
        d: &Dossier,
        cal: &Calendar,
        allowed: Vec<ActionKind>,
        events: &[StoredEvent],
        now: OffsetDateTime,
    ) -> Self {
        DossierView {
            code: d.code.to_string(),
            status: d.status.as_str().to_owned(),
            status_label: d.status.label_vi().to_owned(),
            national_status: d.status.national_code(),
            national_ref: d.national_ref.clone(),
            version: d.version,
            procedure_code: d.procedure_code.to_string(),
            procedure_version: d.procedure_version,
            procedure_name: d.procedure_name.clone(),
            channel: d.channel.as_str().to_owned(),
            receiving_unit: d.receiving_unit.to_string(),
            resolving_unit: d.resolving_unit.to_string(),
            submitted_at: local(d.submitted_at),
            received_at: local_opt(d.received_at),
            clock_started_at: local_opt(d.clock_started_at),
            due_at: local_opt(d.due_at),
            appointment_at: local_opt(d.appointment_at),
            finished_at: local_opt(d.finished_at),
            returned_at: local_opt(d.returned_at),
            timeliness: d.finished_at.and_then(|f| classify(d, f)).map(|t| t.as_str().to_owned()),
            urgency: urgency(cal, d.status, d.appointment_at, now),
            legal_working_hours: d.legal_time.seconds() as f64 / 3600.0,
            paused_working_hours: d.paused.seconds() as f64 / 3600.0,
            supplement_rounds: d.supplement_rounds,
            assignee: d.assignee.clone(),
            fee_total: d.fee_total(),
            fee_paid: d.fee_paid,
            paid_online: d.paid_online,
            rating: d.rating,
            reason: d.reason.clone(),
            allowed_actions: allowed,
            dossier: serde_json::to_value(d).unwrap_or_default(),
            history: events.iter().map(|e| HistoryItem::new(e, true)).collect(),
        }
    }
}

/// What anyone holding the code and secret may see: no personal data.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicView {
    pub code: String,
    pub status: String,
    pub status_label: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub submitted_at: String,
    pub received_at: Option<String>,
    /// The appointment for returning the result.
    pub appointment_at: Option<String>,
    pub returned_at: Option<String>,
    /// What the one-stop asked to supplement, while it waits.
    pub supplement_request: Option<String>,
    pub reason: Option<String>,
    pub result_digitized: bool,
    pub fee_total: i64,
    pub rating: Option<u8>,
    pub version: i64,
    /// Actions the applicant can take now (supplement, withdraw, rate).
    #[schema(value_type = Vec<String>)]
    pub allowed_actions: Vec<ActionKind>,
    pub history: Vec<HistoryItem>,
}

impl PublicView {
    pub fn new(d: &Dossier, allowed: Vec<ActionKind>, events: &[StoredEvent]) -> Self {
        PublicView {
            code: d.code.to_string(),
            status: d.status.as_str().to_owned(),
            status_label: d.status.label_vi().to_owned(),
            procedure_code: d.procedure_code.to_string(),
            procedure_name: d.procedure_name.clone(),
            submitted_at: local(d.submitted_at),
            received_at: local_opt(d.received_at),
            appointment_at: local_opt(d.appointment_at),
            returned_at: local_opt(d.returned_at),
            supplement_request: d.pending_supplement.clone(),
            reason: d.reason.clone(),
            result_digitized: motcua_domain::dossier::digitization::result_electronic(d.result.as_ref()),
            fee_total: d.fee_total(),
            rating: d.rating,
            version: d.version,
            allowed_actions: allowed,
            history: events.iter().map(|e| HistoryItem::new(e, false)).collect(),
        }
    }
}

/// Page language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    /// Vietnamese or English text.
    pub fn t<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
    /// (thousands separator, decimal mark): `1.234,5` in Vietnamese, `1,234.5` in English.
    fn marks(self) -> (char, char) {
        match self {
            Lang::Vi => ('.', ','),
            Lang::En => (',', '.'),
        }
    }
}

fn group(digits: &str, sep: char) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// A count the page language's way: `195.026` / `195,026`. The one number formatter of every
/// page, report and export (issue 14), with [`decimal`] and [`percent`].
pub fn count(n: u64, lang: Lang) -> String {
    group(&n.to_string(), lang.marks().0)
}

/// A number rounded to two decimals, trailing zeros dropped, thousands grouped: 96.53 →
/// `96,53`, 90.1 → `90,1`, 88 → `88`, 1234.5 → `1.234,5` (English: `1,234.5`); `—` when it is
/// not a number.
pub fn decimal(x: f64, lang: Lang) -> String {
    if !x.is_finite() {
        return "—".to_owned();
    }
    let (sep, mark) = lang.marks();
    let fixed = format!("{:.2}", x.abs());
    let (int, frac) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let frac = frac.trim_end_matches('0');
    let mut out = String::new();
    if x < 0.0 && (int != "0" || !frac.is_empty()) {
        out.push('-');
    }
    out.push_str(&group(int, sep));
    if !frac.is_empty() {
        out.push(mark);
        out.push_str(frac);
    }
    out
}

/// A percentage, written one way everywhere: `67,74%` / `67.74%`.
pub fn percent(x: f64, lang: Lang) -> String {
    format!("{}%", decimal(x, lang))
}

/// A date `dd/mm/yyyy`, as Vietnamese documents write it (the one date formatter of the pages).
pub fn date(d: time::Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year())
}

/// The local (UTC+7) date of an instant, `dd/mm/yyyy`.
pub fn local_date(t: OffsetDateTime) -> String {
    date(t.to_offset(VN_OFFSET).date())
}

/// How a payment platform says the applicant paid (`KenhThanhToan`), in words.
pub fn payment_channel(channel: &str, lang: Lang) -> String {
    let (vi, en) = match channel {
        "the_noi_dia" => ("Thẻ ATM nội địa", "Domestic card"),
        "the_quoc_te" => ("Thẻ quốc tế", "International card"),
        "vi_dien_tu" => ("Ví điện tử", "E-wallet"),
        "qr" => ("Mã QR ngân hàng", "Bank QR code"),
        "chuyen_khoan" => ("Chuyển khoản", "Bank transfer"),
        other => return other.to_owned(),
    };
    lang.t(vi, en).to_owned()
}

/// A stored `YYYY-MM-DD` shown as `dd/mm/yyyy` (as stored if it is not a date).
pub fn iso_date(s: &str) -> String {
    motcua_domain::org::restructure::parse_day(s).map(date).unwrap_or_else(|| s.to_owned())
}

/// A schedule line as the law writes it: "2.000 đ/trang; từ trang thứ 3: 1.000 đ/trang; tối đa
/// 200.000 đ/bản", "100.000 đ (trường hợp được chọn)", never the sum of its figures.
pub fn fee_rule(f: &motcua_domain::catalog::Fee, lang: Lang) -> String {
    use motcua_domain::catalog::fees::FeeApplies;
    let mut parts = Vec::new();
    match &f.per {
        Some(per) => {
            parts.push(format!("{}/{per}", dong(f.amount)));
            for t in &f.tiers {
                parts.push(match lang {
                    Lang::Vi => format!("từ {per} thứ {}: {}/{per}", t.from, dong(t.amount)),
                    Lang::En => format!("from {per} {}: {}/{per}", t.from, dong(t.amount)),
                });
            }
        }
        None => parts.push(dong(f.amount)),
    }
    let each = f.group.as_deref().map(|g| format!("/{g}")).unwrap_or_default();
    if let Some(m) = f.min {
        parts.push(format!("{} {}{each}", lang.t("tối thiểu", "at least"), dong(m)));
    }
    if let Some(m) = f.max {
        parts.push(format!("{} {}{each}", lang.t("tối đa", "at most"), dong(m)));
    }
    if let (Some(g), None, None) = (&f.group, f.min, f.max) {
        parts.push(format!("{} {g}", lang.t("tính cho mỗi", "for each")));
    }
    match f.applies {
        FeeApplies::Always => {}
        FeeApplies::WhenChosen => {
            parts.push(lang.t("chỉ thu trong trường hợp nêu ở tên khoản thu", "only in the case named").into())
        }
        FeeApplies::NotOnline => parts.push(lang.t("miễn khi nộp trực tuyến", "waived online").into()),
    }
    parts.join("; ")
}

/// A procedure's fees in a few words, for a list: "Không thu phí", the one line's rule, or the
/// number of lines.
pub fn fees_summary(p: &motcua_domain::catalog::Procedure, lang: Lang) -> String {
    match p.fees.as_slice() {
        [] => lang.t("Không thu phí", "Free").to_owned(),
        [one] => fee_rule(one, lang),
        many => format!("{} {}", many.len(), lang.t("khoản phí, lệ phí", "fee lines")),
    }
}

/// Reads a schedule line as [`fee_rule`] writes it in Vietnamese, the form an administrator
/// types: `2.000 đ/trang; từ trang thứ 3: 1.000 đ/trang; tối đa 200.000 đ/bản`. Parts after the
/// amount: `từ <đơn vị> thứ N: <số tiền>`, `tối thiểu <số tiền>[/<nhóm>]`, `tối đa <số
/// tiền>[/<nhóm>]`, `chỉ thu trong trường hợp …`, `miễn khi nộp trực tuyến`.
pub fn parse_fee_rule(name: &str, rule: &str) -> Result<motcua_domain::catalog::Fee, String> {
    use motcua_domain::catalog::Fee;
    use motcua_domain::catalog::fees::{FeeApplies, FeeTier};
    // "2.000 đ/trang" → (2000, Some("trang")).
    let money = |s: &str| -> Option<(i64, Option<String>)> {
        let s = s.trim();
        let digits_end = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ' ')).unwrap_or(s.len());
        let amount: String = s[..digits_end].chars().filter(char::is_ascii_digit).collect();
        let amount = amount.parse::<i64>().ok()?;
        let rest = s[digits_end..].trim();
        let rest = rest.strip_prefix("đồng").or_else(|| rest.strip_prefix('đ')).unwrap_or(rest).trim();
        let unit = rest.strip_prefix('/').map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
        (rest.is_empty() || unit.is_some()).then_some((amount, unit))
    };
    let bad = |part: &str| format!("không hiểu '{part}' / cannot read '{part}'");
    let mut parts = rule.split(';').map(str::trim).filter(|p| !p.is_empty());
    let first = parts.next().ok_or_else(|| bad(rule))?;
    let (amount, per) = money(first).ok_or_else(|| bad(first))?;
    let mut fee = Fee { name: name.trim().to_owned(), amount, per, ..Fee::default() };
    for part in parts {
        let lower = part.to_lowercase();
        // Matched on the lower-case text, read from the text as typed (a unit keeps its case).
        let typed =
            |prefix: &str| if lower.len() == part.len() { &part[prefix.len()..] } else { &lower[prefix.len()..] };
        if let Some(rest) = lower.strip_prefix("từ ") {
            let (head, price) = rest.split_once(':').ok_or_else(|| bad(part))?;
            let from = head.rsplit(' ').next().and_then(|n| n.parse::<u32>().ok()).ok_or_else(|| bad(part))?;
            let (amount, _) = money(price).ok_or_else(|| bad(part))?;
            fee.tiers.push(FeeTier { from, amount });
        } else if lower.starts_with("tối thiểu ") || lower.starts_with("tối đa ") {
            let prefix = if lower.starts_with("tối thiểu ") { "tối thiểu " } else { "tối đa " };
            let (amount, group) = money(typed(prefix)).ok_or_else(|| bad(part))?;
            if lower.starts_with("tối thiểu") {
                fee.min = Some(amount);
            } else {
                fee.max = Some(amount);
            }
            if group.is_some() {
                fee.group = group;
            }
        } else if lower.starts_with("tính cho mỗi ") {
            let group = typed("tính cho mỗi ").trim();
            if group.is_empty() {
                return Err(bad(part));
            }
            fee.group = Some(group.to_owned());
        } else if lower.starts_with("chỉ thu trong trường hợp") {
            fee.applies = FeeApplies::WhenChosen;
        } else if lower.starts_with("miễn khi nộp trực tuyến") {
            fee.applies = FeeApplies::NotOnline;
        } else {
            return Err(bad(part));
        }
    }
    Ok(fee)
}

/// One line of what a dossier owes: "10 trang × 2 bản: 24.000 đ", "miễn (lý do)".
pub fn fee_due(a: &motcua_domain::catalog::fees::AssessedFee, lang: Lang) -> String {
    let mut out = String::new();
    if let Some(per) = &a.per {
        out.push_str(&format!("{} {per}", count(u64::from(a.quantity), lang)));
        if let Some(g) = &a.group {
            out.push_str(&format!(" × {} {g}", count(u64::from(a.groups), lang)));
        }
        out.push_str(": ");
    }
    match &a.relief {
        Some(r) if r.percent >= 100 => {
            out.push_str(&format!("{} ({}) — {}", dong(a.amount), r.reason, lang.t("miễn", "exempt")))
        }
        Some(r) => out.push_str(&format!("{} − {}% ({}) = {}", dong(a.amount), r.percent, r.reason, dong(a.due))),
        None => out.push_str(&dong(a.due)),
    }
    out
}

/// `dd/mm/yyyy HH:MM` in UTC+7, as on Vietnamese slips.
pub fn local_display(t: OffsetDateTime) -> String {
    let t = t.to_offset(VN_OFFSET);
    format!("{:02}/{:02}/{:04} {:02}:{:02}", t.day(), u8::from(t.month()), t.year(), t.hour(), t.minute())
}

/// Formats đồng with dot thousands separators: 1.234.567 đ.
pub fn dong(amount: i64) -> String {
    format!("{}{} đ", if amount < 0 { "-" } else { "" }, group(&amount.unsigned_abs().to_string(), '.'))
}

#[cfg(test)]
mod number_tests {
    use super::*;

    #[test]
    fn every_fee_line_of_the_catalog_reads_back_from_the_words_it_is_shown_in() {
        let catalog: Vec<motcua_domain::catalog::Procedure> =
            serde_json::from_str(include_str!("../../../data/demo/procedures.json")).unwrap();
        let mut n = 0;
        for f in catalog.iter().flat_map(|p| &p.fees) {
            let shown = fee_rule(f, Lang::Vi);
            assert_eq!(parse_fee_rule(&f.name, &shown).as_ref(), Ok(f), "{shown}");
            n += 1;
        }
        assert!(n > 20);
        assert_eq!(
            fee_rule(
                &parse_fee_rule("Phí", "2.000 đ/trang; từ trang thứ 3: 1.000 đ/trang; tối đa 200.000 đ/bản").unwrap(),
                Lang::Vi
            ),
            "2.000 đ/trang; từ trang thứ 3: 1.000 đ/trang; tối đa 200.000 đ/bản"
        );
        // A group without a floor or a cap is written on its own, and the unit keeps its case.
        let per_copy = motcua_domain::catalog::Fee {
            name: "Phí".into(),
            amount: 2000,
            per: Some("trang".into()),
            group: Some("Bản".into()),
            ..Default::default()
        };
        assert_eq!(fee_rule(&per_copy, Lang::Vi), "2.000 đ/trang; tính cho mỗi Bản");
        assert_eq!(parse_fee_rule("Phí", &fee_rule(&per_copy, Lang::Vi)), Ok(per_copy));
        assert!(parse_fee_rule("Phí", "hai nghìn").is_err());
        assert!(parse_fee_rule("Phí", "2.000 đ; giảm một nửa").is_err());
    }

    #[test]
    fn numbers_and_percentages_are_written_one_way_per_language() {
        assert_eq!(count(195_026, Lang::Vi), "195.026");
        assert_eq!(count(195_026, Lang::En), "195,026");
        assert_eq!(decimal(1234.5, Lang::Vi), "1.234,5");
        assert_eq!(decimal(1234.5, Lang::En), "1,234.5");
        assert_eq!(decimal(12.0, Lang::Vi), "12");
        assert_eq!(decimal(0.781, Lang::Vi), "0,78");
        assert_eq!(decimal(f64::NAN, Lang::Vi), "—");
        assert_eq!(percent(67.744, Lang::Vi), "67,74%");
        assert_eq!(percent(67.85, Lang::En), "67.85%");
        assert_eq!(dong(-1_234_567), "-1.234.567 đ");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn amounts_in_dong_use_dot_separators() {
        assert_eq!(super::dong(1_234_567), "1.234.567 đ");
        assert_eq!(super::dong(0), "0 đ");
        assert_eq!(super::dong(50_000), "50.000 đ");
    }
}

/// The QR code of `text` as inline SVG markup, named `label` for screen readers (generated here,
/// never from input as markup; no XML prologue, no styles: it embeds in HTML under the CSP).
pub fn qr_svg(text: &str, label: &str) -> String {
    use qrcode::render::svg;
    let Ok(code) = qrcode::QrCode::new(text.as_bytes()) else {
        return String::new();
    };
    let image = code.render::<svg::Color>().min_dimensions(180, 180).quiet_zone(true).build();
    let start = image.find("<svg").unwrap_or(0);
    let label = label.replace(['"', '<', '>', '&'], "");
    image[start..].replacen("<svg ", &format!("<svg role=\"img\" aria-label=\"{label}\" focusable=\"false\" "), 1)
}

/// A file size for people: B, KB or MB.
pub fn file_size(bytes: i64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
        b if b >= 1024 => format!("{} KB", b / 1024),
        b => format!("{b} B"),
    }
}

#[cfg(test)]
mod qr_tests {
    #[test]
    fn the_qr_code_is_bare_labelled_svg() {
        let svg = super::qr_svg("http://localhost/tra-cuu?code=C1-250101-0001&secret=ABC", "Mã QR \"x\"");
        assert!(svg.starts_with("<svg role=\"img\" aria-label=\"Mã QR x\""), "{svg}");
        assert!(svg.ends_with("</svg>") && !svg.contains("<?xml") && !svg.contains("style="));
    }
}
