//! The record a provincial system syncs to the national public-service portal (Cổng Dịch vụ
//! công quốc gia, DVCQG) for one dossier, and the portal's checks of it (issue 15 item 1).
//!
//! Field names are the portal's (domain.md §1.2, §3 "What the software must do"): a `hoSo` block
//! (`MaHoSo`, `MaTTHC`, `SoBienNhan`, `ChuHoSo`, `NgayTiepNhan`, `NgayHenTra`, `TrangThaiHoSo`,
//! `NgayTra`, `KenhThucHien`, `NgayKetThucXuLy`, `DonViXuLy`, `TaiLieuNop` with `DuocSoHoa` /
//! `DuocLayTuKhoDMQG`, `DanhSachLePhi`, `DanhSachHoSoBoSung` with `NgayHenTraTruoc` /
//! `NgayHenTraMoi`, `DanhSachGiayToKetQua`, `DuocThanhToanTrucTuyen`) and the processing history
//! `tienTrinhDongBo` (`NguoiXuLy`, `ChucDanh`, `ThoiDiemXuLy`, `PhongBanXuLy`, `NoiDungXuLy`,
//! `TrangThai`). The shape follows what provincial systems send (the public DVCQG sync models of
//! provincial portals; OpenCPS's DVCQG integration), which sent empty fee, supplement and
//! extension lists and only the latest action (domain.md "Pitfalls"): this record carries all of
//! the fee and supplement lists and the whole history (an extension is a history line with its
//! reason), rebuilt from the events every time, so a later sync repairs an earlier one.
//!
//! Instants are written as the portal reads them: `yyyyMMddHHmmss` in Vietnam time (UTC+7).
//! Pure: the caller passes the events and who the officers are.

pub mod inbound;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::dossier::event::{Event, EventData, apply};
use crate::dossier::timeliness::VN_OFFSET;
use crate::dossier::{Dossier, Status, digitization};

/// `TrangThaiHoSo` codes (domain.md §1.2).
pub mod status {
    pub const SUBMITTED: u8 = 1;
    pub const RECEIVED: u8 = 2;
    pub const REFUSED: u8 = 3;
    pub const IN_PROGRESS: u8 = 4;
    pub const SUPPLEMENT: u8 = 5;
    pub const AWAITING_FEES: u8 = 6;
    pub const WITHDRAWAL_ASKED: u8 = 7;
    pub const STOPPED: u8 = 8;
    pub const RESOLVED: u8 = 9;
    pub const RETURNED: u8 = 10;
}

/// Whether the portal accepts a dossier moving from `from` to `to` (`None`: its first sync).
/// The same code again is an update of the same state (a new history line, a new appointment,
/// a rating after the return). The portal's own state machine is not published; this one
/// follows the legal steps of NĐ 61/2018 Art. 15–20 (domain.md §1.2): nothing leaves the closed
/// states (3, 8, 10).
pub fn transition_allowed(from: Option<u8>, to: u8) -> bool {
    use status::*;
    let Some(from) = from else { return (SUBMITTED..=RETURNED).contains(&to) };
    if from == to {
        return (SUBMITTED..=RETURNED).contains(&to);
    }
    match from {
        SUBMITTED => matches!(to, RECEIVED | REFUSED | SUPPLEMENT | IN_PROGRESS | WITHDRAWAL_ASKED | STOPPED),
        RECEIVED | IN_PROGRESS => {
            matches!(to, RECEIVED | IN_PROGRESS | SUPPLEMENT | AWAITING_FEES | WITHDRAWAL_ASKED | STOPPED | RESOLVED)
        }
        // Ended while waiting: refused at reception, or "not resolved" (9 with the refusal letter).
        SUPPLEMENT => {
            matches!(to, SUBMITTED | RECEIVED | IN_PROGRESS | WITHDRAWAL_ASKED | STOPPED | REFUSED | RESOLVED)
        }
        AWAITING_FEES => matches!(to, RECEIVED | IN_PROGRESS | RESOLVED | RETURNED | STOPPED | WITHDRAWAL_ASKED),
        // Stopped, or declined back to the state it was in.
        WITHDRAWAL_ASKED => matches!(to, STOPPED | RECEIVED | IN_PROGRESS | SUPPLEMENT | AWAITING_FEES),
        RESOLVED => matches!(to, RETURNED | AWAITING_FEES),
        _ => false,
    }
}

/// `DuocThanhToanTrucTuyen`: the platform of the payment the platform confirmed (1 the
/// portal's, 2 the province's gateway; [`crate::payment::Platform`]), none once refunded. A
/// dossier whose return only ticked "paid online" (before online payment existed, or paid
/// outside Motcua) keeps the 1 it always sent.
fn online_payment(d: &Dossier) -> u8 {
    match &d.payment {
        Some(p) if p.refunded.is_none() => p.platform.code(),
        Some(_) => 0,
        None => u8::from(d.paid_online),
    }
}

/// The whole sync message of one dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRecord {
    #[serde(rename = "hoSo")]
    pub dossier: NationalDossier,
    #[serde(rename = "tienTrinhDongBo")]
    pub progress: Vec<Progress>,
}

/// The `hoSo` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub struct NationalDossier {
    pub MaHoSo: String,
    /// The portal's own code of a dossier submitted on the portal ([`inbound`]); absent for
    /// dossiers submitted to the province.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub MaHoSoQG: String,
    pub MaTTHC: String,
    pub TenTTHC: String,
    pub TenLinhVuc: String,
    /// The receipt's number: the dossier code (TT 01/2018 Art. 9; one number per receipt).
    pub SoBienNhan: String,
    pub ChuHoSo: String,
    pub SoGiayToChuHoSo: String,
    /// 1 a citizen, 2 an organization (a 10- or 13-digit tax code).
    pub LoaiDoiTuong: u8,
    pub SoDienThoai: String,
    pub Email: String,
    pub TrichYeuHoSo: String,
    /// 1 at the counter, 2 online, 3 by post.
    pub KenhThucHien: u8,
    pub NgayNopHoSo: String,
    pub NgayTiepNhan: String,
    pub NgayHenTra: String,
    pub TrangThaiHoSo: u8,
    pub NgayKetThucXuLy: String,
    pub NgayTra: String,
    pub NgayTuChoi: String,
    /// The unit resolving the dossier (its code).
    pub DonViXuLy: String,
    /// The one-stop that received it.
    pub NoiNopHoSo: String,
    /// 1 when some component has an electronic copy.
    pub HoSoCoThanhPhanSoHoa: u8,
    /// 0 not paid online, 1 through the portal's payment platform, 2 the province's gateway.
    pub DuocThanhToanTrucTuyen: u8,
    pub TaiLieuNop: Vec<Component>,
    pub DanhSachLePhi: Vec<FeeLine>,
    pub DanhSachHoSoBoSung: Vec<SupplementItem>,
    pub DanhSachGiayToKetQua: Vec<ResultDocument>,
}

/// A component handed in (`TaiLieuNop`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub struct Component {
    pub TenTepDinhKem: String,
    pub DuongDanTaiTepTin: String,
    pub DuocSoHoa: u8,
    pub DuocTaiSuDung: u8,
    pub DuocLayTuKhoDMQG: u8,
}

/// A fee line (`DanhSachLePhi`): what the dossier owes, as assessed at reception.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub struct FeeLine {
    pub TenPhiLePhi: String,
    /// đồng.
    pub Gia: i64,
    /// 1 phí, 2 lệ phí (read from the line's name).
    pub LoaiPhiLePhi: u8,
    /// 1 at the counter, 2 online.
    pub HinhThucThu: u8,
}

/// A supplementation round (`DanhSachHoSoBoSung`) with the appointment before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub struct SupplementItem {
    pub NguoiYeuCauBoSung: String,
    pub NoiDungBoSung: String,
    pub NgayBoSung: String,
    pub NgayTiepNhanBoSung: String,
    /// Whether the applicant has supplemented.
    pub TrangThaiBoSung: bool,
    pub NgayHenTraTruoc: String,
    pub NgayHenTraMoi: String,
}

/// An electronic result (`DanhSachGiayToKetQua`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub struct ResultDocument {
    pub TenGiayTo: String,
    pub DuongDanTepTinKetQua: String,
}

/// One line of the processing history (`tienTrinhDongBo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub struct Progress {
    pub MaHoSo: String,
    pub NguoiXuLy: String,
    pub ChucDanh: String,
    pub ThoiDiemXuLy: String,
    pub PhongBanXuLy: String,
    pub NoiDungXuLy: String,
    /// `TrangThaiHoSo` after this step.
    pub TrangThai: u8,
}

/// Who an officer is, for the history: full name, title and department.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Officer {
    pub name: String,
    pub title: String,
    pub department: String,
}

/// `yyyyMMddHHmmss` in Vietnam time; empty when absent.
pub fn portal_time(t: Option<OffsetDateTime>) -> String {
    match t {
        Some(t) => {
            let t = t.to_offset(VN_OFFSET);
            format!(
                "{:04}{:02}{:02}{:02}{:02}{:02}",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        }
        None => String::new(),
    }
}

/// What the history line says of an event, in Vietnamese (the portal shows it to the citizen).
fn what(data: &EventData) -> String {
    match data {
        EventData::Create(_) => "Nộp hồ sơ".into(),
        EventData::Receive(_) => "Tiếp nhận hồ sơ".into(),
        EventData::Refuse(r) => format!("Từ chối tiếp nhận: {}", r.reason),
        EventData::RequestSupplement(r) => format!("Yêu cầu bổ sung, hoàn thiện hồ sơ: {}", r.reason),
        EventData::Supplement(_) => "Bổ sung hồ sơ".into(),
        EventData::Assign(_) => "Phân công xử lý".into(),
        EventData::CompleteStep(s) => format!("Hoàn thành bước: {}", s.step),
        EventData::Transfer(_) => "Chuyển cơ quan giải quyết".into(),
        EventData::Approve(_) => "Phê duyệt kết quả".into(),
        EventData::Reject(r) => format!("Không giải quyết: {}", r.reason),
        EventData::Extend(e) => format!("Gia hạn, xin lỗi và hẹn lại: {}", e.reason),
        EventData::ReturnResult(_) => "Trả kết quả".into(),
        EventData::Withdraw(w) if w.requested => format!("Công dân đề nghị rút hồ sơ: {}", w.reason),
        EventData::Withdraw(w) => format!("Dừng xử lý theo đề nghị rút hồ sơ: {}", w.reason),
        EventData::DeclineWithdrawal(w) => format!("Không dừng giải quyết hồ sơ: {}", w.reason),
        EventData::Rate(_) => "Đánh giá mức độ hài lòng".into(),
        EventData::RevokeResult(r) => format!("Thu hồi kết quả: {}", r.reason),
        EventData::Rehome(_) => "Chuyển đơn vị theo sắp xếp đơn vị hành chính".into(),
        EventData::SentToAgency(_) => "Chuyển liên thông".into(),
        EventData::AgencyResultReceived(_) => "Nhận kết quả liên thông".into(),
        EventData::RequestFees(f) => format!("Yêu cầu nộp phí, lệ phí: {} đồng", f.amount),
        EventData::RecordPayment(p) => {
            format!("Đã thanh toán trực tuyến {} đồng, biên lai {}", p.paid.amount, p.paid.receipt)
        }
        EventData::RecordRefund(r) => format!("Hoàn trả phí, lệ phí {} đồng: {}", r.amount, r.reason),
    }
}

/// The portal code of a dossier's state (domain.md Decisions 8: exactly one per state).
pub fn status_code(s: Status) -> u8 {
    s.national_code()
}

/// The record of `events` (a dossier's whole history, in order). `who` names an officer by
/// username; `file_url` makes a stored file's public address. `None` when the events do not
/// fold (a corrupt history is not synced).
pub fn record(
    events: &[Event],
    who: &dyn Fn(&str) -> Officer,
    file_url: &dyn Fn(&str) -> String,
) -> Option<SyncRecord> {
    let mut d: Option<Dossier> = None;
    let mut progress = Vec::with_capacity(events.len());
    let mut supplements: Vec<SupplementItem> = Vec::new();
    let mut refused_at = None;
    for e in events {
        let before_appointment = d.as_ref().and_then(|d| d.appointment_at);
        let next = apply(d.take(), e).ok()?;
        let (name, title, department) = match e.actor.as_str() {
            "applicant" => (next.applicant.name.clone(), "Người nộp hồ sơ".to_owned(), String::new()),
            "system" => ("Hệ thống".to_owned(), String::new(), String::new()),
            user => {
                let o = who(user);
                (o.name, o.title, o.department)
            }
        };
        match &e.data {
            EventData::RequestSupplement(r) => supplements.push(SupplementItem {
                NguoiYeuCauBoSung: name.clone(),
                NoiDungBoSung: std::iter::once(r.reason.clone())
                    .chain(r.items.iter().cloned())
                    .collect::<Vec<_>>()
                    .join("; "),
                NgayBoSung: portal_time(Some(e.at)),
                NgayTiepNhanBoSung: String::new(),
                TrangThaiBoSung: false,
                NgayHenTraTruoc: portal_time(before_appointment),
                NgayHenTraMoi: String::new(),
            }),
            EventData::Supplement(_) => {
                if let Some(open) = supplements.iter_mut().rev().find(|s| !s.TrangThaiBoSung) {
                    open.TrangThaiBoSung = true;
                    open.NgayTiepNhanBoSung = portal_time(Some(e.at));
                    open.NgayHenTraMoi = portal_time(next.appointment_at);
                }
            }
            EventData::Refuse(_) => refused_at = Some(e.at),
            _ => {}
        }
        progress.push(Progress {
            MaHoSo: next.code.to_string(),
            NguoiXuLy: name,
            ChucDanh: title,
            ThoiDiemXuLy: portal_time(Some(e.at)),
            PhongBanXuLy: department,
            NoiDungXuLy: what(&e.data),
            TrangThai: status_code(next.status),
        });
        d = Some(next);
    }
    let d = d?;
    let id = d.applicant.id_number.as_str().to_owned();
    // Motcua's applicants are citizens (a 9- or 12-digit identity number) until organization
    // accounts exist (issue 16); a tax code would make it 2.
    let organization = false;
    // As assessed at reception; before it, only the fixed lines due on every dossier (per-unit
    // lines and lines due in a case wait for the facts).
    let online = d.channel == crate::dossier::Channel::Online;
    let fee_lines = match &d.fee_assessment {
        Some(lines) => lines.iter().map(|l| (l.name.clone(), l.due)).collect::<Vec<_>>(),
        None => d
            .fees
            .iter()
            .filter(|f| f.due_before_reception(online) && f.amount > 0)
            .map(|f| (f.name.clone(), f.amount))
            .collect(),
    };
    Some(SyncRecord {
        dossier: NationalDossier {
            MaHoSo: d.code.to_string(),
            MaHoSoQG: d.national_ref.clone().unwrap_or_default(),
            MaTTHC: d.procedure_code.to_string(),
            TenTTHC: d.procedure_name.clone(),
            TenLinhVuc: d.field.clone(),
            SoBienNhan: d.code.to_string(),
            ChuHoSo: d.applicant.name.clone(),
            SoGiayToChuHoSo: id,
            LoaiDoiTuong: if organization { 2 } else { 1 },
            SoDienThoai: d.applicant.phone.clone(),
            Email: d.applicant.email.clone(),
            TrichYeuHoSo: d.procedure_name.clone(),
            KenhThucHien: d.channel.national_code(),
            NgayNopHoSo: portal_time(Some(d.submitted_at)),
            NgayTiepNhan: portal_time(d.received_at),
            NgayHenTra: portal_time(d.appointment_at),
            TrangThaiHoSo: status_code(d.status),
            NgayKetThucXuLy: portal_time(d.finished_at),
            NgayTra: portal_time(d.returned_at),
            NgayTuChoi: portal_time(refused_at),
            DonViXuLy: d.resolving_unit.to_string(),
            NoiNopHoSo: d.receiving_unit.to_string(),
            HoSoCoThanhPhanSoHoa: u8::from(digitization::any_component_digitized(&d.documents)),
            DuocThanhToanTrucTuyen: online_payment(&d),
            TaiLieuNop: d
                .documents
                .iter()
                .map(|c| Component {
                    TenTepDinhKem: c.name.clone(),
                    DuongDanTaiTepTin: c.file.as_deref().map(file_url).unwrap_or_default(),
                    DuocSoHoa: u8::from(digitization::document_digitized(c)),
                    DuocTaiSuDung: u8::from(digitization::document_reused(c)),
                    DuocLayTuKhoDMQG: u8::from(digitization::from_national_store(c)),
                })
                .collect(),
            DanhSachLePhi: fee_lines
                .into_iter()
                .map(|(name, amount)| FeeLine {
                    LoaiPhiLePhi: if name.to_lowercase().starts_with("lệ phí") { 2 } else { 1 },
                    TenPhiLePhi: name,
                    Gia: amount,
                    HinhThucThu: if online_payment(&d) > 0 { 2 } else { 1 },
                })
                .collect(),
            DanhSachHoSoBoSung: supplements,
            // An electronic result is listed with its stored file's address (4.1).
            DanhSachGiayToKetQua: d
                .result
                .as_ref()
                .and_then(|r| r.file.as_deref())
                .map(|f| ResultDocument { TenGiayTo: d.procedure_name.clone(), DuongDanTepTinKetQua: file_url(f) })
                .into_iter()
                .collect(),
        },
        progress,
    })
}

/// One field the portal refuses, with why (the portal answers with the first ones).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

fn is_portal_time(s: &str) -> bool {
    parse_portal_time(s).is_some()
}

/// Reads a portal instant (`yyyyMMddHHmmss`, Vietnam time; [`portal_time`]'s inverse).
pub fn parse_portal_time(s: &str) -> Option<OffsetDateTime> {
    if s.len() != 14 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s[r].parse::<u16>().ok();
    let month = time::Month::try_from(u8::try_from(n(4..6)?).ok()?).ok()?;
    let date = time::Date::from_calendar_date(i32::from(n(0..4)?), month, u8::try_from(n(6..8)?).ok()?).ok()?;
    let t = time::Time::from_hms(
        u8::try_from(n(8..10)?).ok()?,
        u8::try_from(n(10..12)?).ok()?,
        u8::try_from(n(12..14)?).ok()?,
    )
    .ok()?;
    Some(time::PrimitiveDateTime::new(date, t).assume_offset(VN_OFFSET).to_offset(time::UtcOffset::UTC))
}

/// The portal's checks of a record: required fields, code lists, instants, and the history in
/// order ending in the record's state. Empty when it is accepted.
pub fn validate(r: &SyncRecord) -> Vec<FieldError> {
    let h = &r.dossier;
    let mut out = Vec::new();
    let mut need = |ok: bool, field: &'static str, message: &str| {
        if !ok {
            out.push(FieldError { field, message: message.to_owned() });
        }
    };
    need(!h.MaHoSo.trim().is_empty() && h.MaHoSo.len() <= 50, "MaHoSo", "required, at most 50 characters");
    need(crate::ids::ProcedureCode::parse(&h.MaTTHC).is_ok(), "MaTTHC", "a national procedure code (1.001234)");
    need(!h.ChuHoSo.trim().is_empty(), "ChuHoSo", "required");
    need(!h.DonViXuLy.trim().is_empty(), "DonViXuLy", "required");
    need((1..=3).contains(&h.KenhThucHien), "KenhThucHien", "1, 2 or 3");
    need((1..=10).contains(&h.TrangThaiHoSo), "TrangThaiHoSo", "1 to 10");
    need(matches!(h.LoaiDoiTuong, 1 | 2), "LoaiDoiTuong", "1 or 2");
    need(h.DuocThanhToanTrucTuyen <= 2, "DuocThanhToanTrucTuyen", "0, 1 or 2");
    need(is_portal_time(&h.NgayNopHoSo), "NgayNopHoSo", "yyyyMMddHHmmss");
    for (value, field) in [
        (&h.NgayTiepNhan, "NgayTiepNhan"),
        (&h.NgayHenTra, "NgayHenTra"),
        (&h.NgayKetThucXuLy, "NgayKetThucXuLy"),
        (&h.NgayTra, "NgayTra"),
        (&h.NgayTuChoi, "NgayTuChoi"),
    ] {
        need(value.is_empty() || is_portal_time(value), field, "yyyyMMddHHmmss or empty");
    }
    // Received unless still waiting for reception (submitted, or asked to supplement or stopped
    // before it was received) or refused there.
    let before_reception = matches!(h.TrangThaiHoSo, status::SUBMITTED | status::REFUSED)
        || (matches!(h.TrangThaiHoSo, status::SUPPLEMENT | status::STOPPED) && h.NgayTiepNhan.is_empty());
    let received = !before_reception;
    if received {
        need(!h.NgayTiepNhan.is_empty(), "NgayTiepNhan", "required once received");
        need(!h.NgayHenTra.is_empty(), "NgayHenTra", "required once received");
    }
    if matches!(h.TrangThaiHoSo, status::RESOLVED | status::RETURNED) {
        need(!h.NgayKetThucXuLy.is_empty(), "NgayKetThucXuLy", "required once resolved");
    }
    if h.TrangThaiHoSo == status::RETURNED {
        need(!h.NgayTra.is_empty(), "NgayTra", "required once returned");
    }
    if h.TrangThaiHoSo == status::REFUSED {
        need(!h.NgayTuChoi.is_empty(), "NgayTuChoi", "required when refused");
    }
    need(
        h.DanhSachLePhi.iter().all(|f| f.Gia >= 0 && !f.TenPhiLePhi.trim().is_empty()),
        "DanhSachLePhi",
        "named lines, not negative",
    );
    need(!r.progress.is_empty(), "tienTrinhDongBo", "the processing history is required");
    need(r.progress.iter().all(|p| p.MaHoSo == h.MaHoSo), "tienTrinhDongBo", "every line names this dossier");
    need(
        r.progress.iter().all(|p| is_portal_time(&p.ThoiDiemXuLy) && !p.NguoiXuLy.trim().is_empty()),
        "tienTrinhDongBo",
        "every line has who and when (yyyyMMddHHmmss)",
    );
    need(
        r.progress.windows(2).all(|w| w[0].ThoiDiemXuLy <= w[1].ThoiDiemXuLy),
        "tienTrinhDongBo",
        "in the order it happened",
    );
    need(
        r.progress.last().is_none_or(|p| p.TrangThai == h.TrangThaiHoSo),
        "tienTrinhDongBo",
        "the last line is in the dossier's state",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_states_end_the_dossier_and_the_legal_steps_are_allowed() {
        use status::*;
        assert!(transition_allowed(None, SUBMITTED) && transition_allowed(None, RECEIVED));
        assert!(!transition_allowed(None, 11));
        assert!(transition_allowed(Some(SUBMITTED), RECEIVED));
        assert!(transition_allowed(Some(RECEIVED), IN_PROGRESS) && transition_allowed(Some(IN_PROGRESS), SUPPLEMENT));
        assert!(transition_allowed(Some(SUPPLEMENT), IN_PROGRESS) && transition_allowed(Some(RESOLVED), RETURNED));
        assert!(transition_allowed(Some(IN_PROGRESS), IN_PROGRESS), "an update of the same state");
        assert!(transition_allowed(Some(RETURNED), RETURNED), "a rating after the return");
        for closed in [REFUSED, STOPPED, RETURNED] {
            for to in (1..=10).filter(|to| *to != closed) {
                assert!(!transition_allowed(Some(closed), to), "{closed} → {to}");
            }
        }
        assert!(!transition_allowed(Some(RESOLVED), SUBMITTED));
        assert!(!transition_allowed(Some(SUBMITTED), RETURNED), "not returned before it was resolved");
    }

    #[test]
    fn portal_time_is_vietnam_time_without_separators() {
        let t = time::macros::datetime!(2025-07-01 01:02:03 UTC);
        assert_eq!(portal_time(Some(t)), "20250701080203");
        assert_eq!(portal_time(None), "");
        assert_eq!(parse_portal_time("20250701080203"), Some(t));
        for bad in ["2025070108020", "20251301080203", "20250230080203", "20250701250203", "2025-7-01080203"] {
            assert_eq!(parse_portal_time(bad), None, "{bad}");
        }
    }
}
