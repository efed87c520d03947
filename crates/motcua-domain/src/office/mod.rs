//! The electronic office (văn phòng điện tử): each unit's incoming and outgoing document
//! registers (sổ văn bản đến / sổ văn bản đi) under NĐ 30/2020/NĐ-CP on office work, and the
//! handling workflow of a document.
//!
//! - Incoming (văn bản đến): `registered` (numbered in the unit's incoming register) →
//!   `assigned` (to an officer, with a deadline in working days) → `processing` → `completed`;
//!   or `rejected` with a mandatory reason. Each state maps to one edXML status code
//!   ([`Status::edxml_status`]) reported back to the sender.
//! - Outgoing (văn bản đi): `draft` → `issued` (numbered in the unit's outgoing register) →
//!   `sent`; each recipient's delivery is a trace of [`TraceStatus`] lines.
//!
//! Numbers are taken by the store inside the transaction that records the event: the domain
//! says which register year a [`Decision`] needs ([`register_year`]) and the store fills the
//! number with [`Event::numbered`]. docs/OFFICE.md describes the whole flow.

pub mod status;
#[cfg(test)]
mod tests;

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::DomainError;
use crate::calendar::{Calendar, WorkingTime};
use crate::dossier::{Actor, Role};
use crate::ids::{DossierCode, UnitCode};

pub use status::{EdxmlStatus, TraceStatus};

/// Vietnam's offset: registers run by the local calendar year.
const VN: time::UtcOffset = time::macros::offset!(+7);

/// Which register a document belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Văn bản đến.
    Incoming,
    /// Văn bản đi.
    Outgoing,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Incoming => "incoming",
            Direction::Outgoing => "outgoing",
        }
    }
    pub fn parse(s: &str) -> Option<Direction> {
        match s {
            "incoming" => Some(Direction::Incoming),
            "outgoing" => Some(Direction::Outgoing),
            _ => None,
        }
    }
    pub fn name_vi(self) -> &'static str {
        match self {
            Direction::Incoming => "Văn bản đến",
            Direction::Outgoing => "Văn bản đi",
        }
    }
}

/// Urgency (độ khẩn), the one code list shared by the office and the edXML codec
/// (`OtherInfo/Priority`). NĐ 30/2020/NĐ-CP Appendix I names the marks "Khẩn", "Thượng khẩn",
/// "Hỏa tốc"; 4 = "Hỏa tốc hẹn giờ" is the older TT 01/2011/TT-BNV wording still sent by some
/// systems. The wire numbers 0–4 are UNCONFIRMED (domain.md §9) and follow the public
/// implementations' order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// 0 — thường, the default.
    #[default]
    Normal,
    /// 1 — khẩn.
    Urgent,
    /// 2 — thượng khẩn.
    VeryUrgent,
    /// 3 — hỏa tốc.
    Flash,
    /// 4 — hỏa tốc hẹn giờ.
    FlashTimed,
}

impl Priority {
    /// Every value, in wire order.
    pub const ALL: [Priority; 5] =
        [Priority::Normal, Priority::Urgent, Priority::VeryUrgent, Priority::Flash, Priority::FlashTimed];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Normal => "normal",
            Priority::Urgent => "urgent",
            Priority::VeryUrgent => "very_urgent",
            Priority::Flash => "flash",
            Priority::FlashTimed => "flash_timed",
        }
    }
    pub fn parse(s: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.as_str() == s)
    }
    pub fn name_vi(self) -> &'static str {
        match self {
            Priority::Normal => "Thường",
            Priority::Urgent => "Khẩn",
            Priority::VeryUrgent => "Thượng khẩn",
            Priority::Flash => "Hỏa tốc",
            Priority::FlashTimed => "Hỏa tốc hẹn giờ",
        }
    }
    /// The edXML `OtherInfo/Priority` wire number (UNCONFIRMED scale, domain.md §9).
    pub fn code(self) -> u32 {
        match self {
            Priority::Normal => 0,
            Priority::Urgent => 1,
            Priority::VeryUrgent => 2,
            Priority::Flash => 3,
            Priority::FlashTimed => 4,
        }
    }
    /// The value of a wire number; `None` outside 0–4.
    pub fn from_code(n: u32) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.code() == n)
    }
}

/// A sending or receiving organ: its electronic identifier (QĐ 20/2020/QĐ-TTg, e.g.
/// `000.00.01.H01`; absent for organs outside the exchange, e.g. a paper letter from a company)
/// and its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organ {
    #[serde(default)]
    pub organ_id: Option<String>,
    pub name: String,
}

/// Who signed (edXML `SignerInfo`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signer {
    pub full_name: String,
    #[serde(default)]
    pub position: Option<String>,
    /// Thẩm quyền ký (e.g. "TM. UBND", "KT. CHỦ TỊCH").
    #[serde(default)]
    pub competence: Option<String>,
}

/// A document's metadata, the edXML `MessageHeader` fields (domain.md §9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// Số (edXML `CodeNumber`). Outgoing: set from the register number when issued.
    #[serde(default)]
    pub code_number: Option<String>,
    /// Ký hiệu (edXML `CodeNotation`), e.g. `UBND-VP`.
    #[serde(default)]
    pub code_notation: Option<String>,
    /// Loại văn bản (e.g. "Công văn", "Quyết định").
    pub document_type: String,
    /// Trích yếu (edXML `Subject`).
    pub subject: String,
    /// Summary of the content (edXML `Content`).
    #[serde(default)]
    pub content: Option<String>,
    /// Nơi ban hành (edXML `PromulgationInfo/Place`).
    #[serde(default)]
    pub promulgation_place: Option<String>,
    /// Ngày ban hành (edXML `PromulgationInfo/PromulgationDate`).
    #[serde(default, with = "ymd")]
    pub promulgation_date: Option<Date>,
    #[serde(default)]
    pub signer: Option<Signer>,
    /// Incoming: the issuing organ (nơi gửi). Outgoing: empty (the unit itself).
    #[serde(default)]
    pub sender: Option<Organ>,
    /// Outgoing: nơi nhận. Incoming: optional copy of the package's `To` list.
    #[serde(default)]
    pub recipients: Vec<Organ>,
    /// Hạn giải quyết set by the sender (edXML `DueDate`).
    #[serde(default, with = "ymd")]
    pub due_date: Option<Date>,
    #[serde(default)]
    pub priority: Priority,
    /// edXML `SteeringType` (0 = ordinary; other meanings UNCONFIRMED, domain.md §9).
    #[serde(default)]
    pub steering_type: u8,
}

/// `YYYY-MM-DD` dates in JSON.
mod ymd {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    const F: &[time::format_description::BorrowedFormatItem<'static>] =
        time::macros::format_description!("[year]-[month]-[day]");

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d.and_then(|d| d.format(F).ok()) {
            Some(v) => s.serialize_some(&v),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        let v: Option<String> = Option::deserialize(d)?;
        match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => Date::parse(s, F).map(Some).map_err(serde::de::Error::custom),
        }
    }
}

fn too_long(field: &str, max: usize) -> DomainError {
    DomainError::invalid(
        ErrorCode::InvalidDocument,
        format!("'{field}' must be at most {max} characters"),
        format!("'{field}' không được dài quá {max} ký tự"),
    )
}

fn check_len(field: &str, v: &str, max: usize) -> Result<(), DomainError> {
    if v.chars().count() > max { Err(too_long(field, max)) } else { Ok(()) }
}

/// A well-formed electronic organ identifier: QĐ 20/2020/QĐ-TTg codes are dot-separated groups
/// of letters and digits (e.g. `000.00.01.H01`), at most 35 characters as in QCVN 102.
pub fn valid_organ_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 35
        && s.split('.').all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_alphanumeric()))
}

impl Organ {
    fn validate(&self, field: &str) -> Result<(), DomainError> {
        if self.name.trim().is_empty() {
            return Err(DomainError::invalid(
                ErrorCode::InvalidOrgan,
                format!("every organ in '{field}' needs a name"),
                format!("cơ quan trong '{field}' phải có tên"),
            ));
        }
        check_len(field, &self.name, 300)?;
        if let Some(id) = &self.organ_id
            && !valid_organ_id(id)
        {
            return Err(DomainError::invalid(
                ErrorCode::InvalidOrganId,
                format!("'{id}' is not an electronic organ identifier (e.g. 000.00.01.H01)"),
                format!("'{id}' không phải mã định danh điện tử của cơ quan (ví dụ 000.00.01.H01)"),
            ));
        }
        Ok(())
    }
}

impl Metadata {
    /// Checks the fields a register entry needs (NĐ 30/2020 Appendix IV register columns:
    /// số, ký hiệu, ngày, tên loại và trích yếu, nơi gửi / nơi nhận) and trims text.
    pub fn validate(mut self, direction: Direction) -> Result<Metadata, DomainError> {
        let trim = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        self.subject = self.subject.trim().to_owned();
        self.document_type = self.document_type.trim().to_owned();
        self.code_number = trim(self.code_number);
        self.code_notation = trim(self.code_notation);
        self.content = trim(self.content);
        self.promulgation_place = trim(self.promulgation_place);
        if self.subject.is_empty() {
            return Err(DomainError::invalid(
                ErrorCode::SubjectRequired,
                "the subject (trích yếu) is required",
                "cần nhập trích yếu nội dung văn bản",
            ));
        }
        if self.document_type.is_empty() {
            return Err(DomainError::invalid(
                ErrorCode::DocumentTypeRequired,
                "the document type is required (e.g. Công văn)",
                "cần nhập loại văn bản (ví dụ Công văn)",
            ));
        }
        check_len("subject", &self.subject, 1000)?;
        check_len("document_type", &self.document_type, 100)?;
        check_len("content", self.content.as_deref().unwrap_or(""), 20_000)?;
        check_len("promulgation_place", self.promulgation_place.as_deref().unwrap_or(""), 200)?;
        check_len("code_notation", self.code_notation.as_deref().unwrap_or(""), 60)?;
        if let Some(n) = &self.code_number
            && (n.len() > 12 || !n.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(DomainError::invalid(
                ErrorCode::InvalidCodeNumber,
                "'code_number' (số) must be digits only, e.g. 123",
                "'code_number' (số văn bản) chỉ gồm chữ số, ví dụ 123",
            ));
        }
        if let Some(s) = &self.signer {
            check_len("signer", &s.full_name, 200)?;
        }
        if let Some(o) = &self.sender {
            o.validate("sender")?;
        }
        if self.recipients.len() > 200 {
            return Err(too_long("recipients", 200));
        }
        for r in &self.recipients {
            r.validate("recipients")?;
        }
        if direction == Direction::Incoming && self.sender.is_none() {
            return Err(DomainError::invalid(
                ErrorCode::SenderRequired,
                "an incoming document needs its sender (nơi gửi)",
                "văn bản đến phải có cơ quan gửi",
            ));
        }
        if direction == Direction::Outgoing {
            self.code_number = None;
        }
        Ok(self)
    }

    /// "123/UBND-VP": số and ký hiệu as written on the document (NĐ 30/2020 Appendix I).
    pub fn number_notation(&self) -> String {
        match (&self.code_number, &self.code_notation) {
            (Some(n), Some(k)) => format!("{n}/{k}"),
            (Some(n), None) => n.clone(),
            (None, Some(k)) => k.clone(),
            (None, None) => String::new(),
        }
    }
}

/// Where a document stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Outgoing, being drafted; no number yet.
    Draft,
    /// Outgoing, numbered in the outgoing register (cấp số).
    Issued,
    /// Outgoing, handed to the exchange for its recipients.
    Sent,
    /// Incoming, numbered in the incoming register.
    Registered,
    /// Incoming, assigned to an officer.
    Assigned,
    /// Incoming, the officer is working on it.
    Processing,
    /// Incoming, handled.
    Completed,
    /// Incoming, refused (wrong recipient, incomplete…), with a reason.
    Rejected,
    /// Incoming, cancelled because its sender recalled it: "bên nhận hủy bỏ văn bản điện tử bị
    /// thu hồi trên Hệ thống, đồng thời thông báo qua Hệ thống để bên gửi biết" (NĐ 30/2020/NĐ-CP
    /// Art. 18 khoản 4 điểm b; for paper, the receiver sends it back, điểm a).
    Recalled,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Draft,
        Status::Issued,
        Status::Sent,
        Status::Registered,
        Status::Assigned,
        Status::Processing,
        Status::Completed,
        Status::Rejected,
        Status::Recalled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Issued => "issued",
            Status::Sent => "sent",
            Status::Registered => "registered",
            Status::Assigned => "assigned",
            Status::Processing => "processing",
            Status::Completed => "completed",
            Status::Rejected => "rejected",
            Status::Recalled => "recalled",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn name_vi(self) -> &'static str {
        match self {
            Status::Draft => "Dự thảo",
            Status::Issued => "Đã cấp số",
            Status::Sent => "Đã gửi",
            Status::Registered => "Đã vào sổ",
            Status::Assigned => "Đã phân công",
            Status::Processing => "Đang xử lý",
            Status::Completed => "Đã hoàn thành",
            Status::Rejected => "Từ chối tiếp nhận",
            Status::Recalled => "Đã thu hồi",
        }
    }
    /// Incoming and still to handle.
    pub fn is_open(self) -> bool {
        matches!(self, Status::Registered | Status::Assigned | Status::Processing)
    }
    /// The register the status belongs to.
    pub fn direction(self) -> Direction {
        match self {
            Status::Draft | Status::Issued | Status::Sent => Direction::Outgoing,
            _ => Direction::Incoming,
        }
    }
}

/// A document: the projection of its events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Random id (UUID-like), stable across systems only through `external_id`.
    pub id: String,
    /// The unit whose register holds it.
    pub unit: UnitCode,
    pub direction: Direction,
    pub status: Status,
    /// Calendar year of the register (Vietnam time) and the number in it (số đến / số đi).
    pub register_year: Option<i32>,
    pub register_number: Option<i64>,
    pub meta: Metadata,
    /// Incoming: when it arrived (ngày đến); the registration instant for paper documents
    /// registered by hand.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub received_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub issued_at: Option<OffsetDateTime>,
    #[serde(default)]
    pub assignee: Option<String>,
    /// The handling deadline of the assignment.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub handling_due: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub completed_at: Option<OffsetDateTime>,
    #[serde(default)]
    pub rejection_reason: Option<String>,
    /// The dossier (hồ sơ TTHC) this document belongs to.
    #[serde(default)]
    pub dossier_code: Option<DossierCode>,
    /// The edXML DocumentId (`{senderOrgId},{yyyy/MM/dd},{number}/{notation}`) when it came
    /// through or left by the exchange.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Who registered or drafted it.
    pub created_by: String,
    pub version: i64,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// Incoming, entered in the register; the snapshot carries the number once the store gave it.
    Registered {
        document: Box<Document>,
    },
    /// Outgoing, a draft created.
    Drafted {
        document: Box<Document>,
    },
    /// Outgoing, numbered (cấp số); `number` is 0 until the store fills it.
    Issued {
        year: i32,
        number: i64,
    },
    Assigned {
        assignee: String,
        #[serde(default, with = "time::serde::rfc3339::option")]
        due: Option<OffsetDateTime>,
        #[serde(default)]
        note: Option<String>,
    },
    Started,
    Completed {
        #[serde(default)]
        note: Option<String>,
    },
    Rejected {
        reason: String,
    },
    LinkedDossier {
        dossier_code: DossierCode,
    },
    /// Outgoing, handed to `send_document` for these recipients.
    SendQueued {
        recipients: Vec<Organ>,
        /// The edXML DocumentId of the package queued with this event (none when no recipient
        /// has an electronic organ id).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        external_id: Option<String>,
    },
    /// Incoming, cancelled at its sender's recall (NĐ 30/2020 Art. 18 khoản 4).
    Recalled {
        reason: String,
    },
}

impl EventKind {
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Registered { .. } => "registered",
            EventKind::Drafted { .. } => "drafted",
            EventKind::Issued { .. } => "issued",
            EventKind::Assigned { .. } => "assigned",
            EventKind::Started => "started",
            EventKind::Completed { .. } => "completed",
            EventKind::Rejected { .. } => "rejected",
            EventKind::LinkedDossier { .. } => "linked_dossier",
            EventKind::SendQueued { .. } => "send_queued",
            EventKind::Recalled { .. } => "recalled",
        }
    }
    pub fn name_vi(&self) -> &'static str {
        match self {
            EventKind::Registered { .. } => "Vào sổ văn bản đến",
            EventKind::Drafted { .. } => "Tạo dự thảo",
            EventKind::Issued { .. } => "Cấp số, ban hành",
            EventKind::Assigned { .. } => "Phân công xử lý",
            EventKind::Started => "Bắt đầu xử lý",
            EventKind::Completed { .. } => "Hoàn thành xử lý",
            EventKind::Rejected { .. } => "Từ chối tiếp nhận",
            EventKind::LinkedDossier { .. } => "Gắn với hồ sơ",
            EventKind::SendQueued { .. } => "Chuyển gửi liên thông",
            EventKind::Recalled { .. } => "Thu hồi theo thông báo của nơi gửi",
        }
    }
}

/// One entry of a document's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub by: String,
    #[serde(flatten)]
    pub what: EventKind,
}

impl Event {
    /// The event with the register number the store took for it.
    pub fn numbered(mut self, n: i64) -> Event {
        match &mut self.what {
            EventKind::Registered { document } => document.register_number = Some(n),
            EventKind::Issued { number, .. } => *number = n,
            _ => {}
        }
        self
    }
}

/// An event to record, and the register year it needs a number from (if any).
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub event: Event,
    pub numbering: Option<i32>,
}

/// The register year of an instant: registers run from 1 January to 31 December, local time.
///
/// NĐ 30/2020/NĐ-CP Art. 15 khoản 1 (số văn bản đi "bắt đầu liên tiếp từ số 01 vào ngày 01
/// tháng 01 và kết thúc vào ngày 31 tháng 12 hàng năm") and Art. 22 khoản 1 / Appendix IV (số
/// đến "lấy liên tiếp theo thứ tự và trình tự thời gian tiếp nhận văn bản trong năm").
/// Motcua's choice: an incoming document takes the year of its registration instant, an outgoing
/// one the year of its issuing instant, both in Vietnam time (UTC+7).
pub fn register_year(at: OffsetDateTime) -> i32 {
    at.to_offset(VN).year()
}

/// How a register number is written: at least two digits ("01", "02", … "123"), as the numbers
/// start "từ số 01" (NĐ 30/2020 Art. 15 khoản 1).
pub fn format_register_number(n: i64) -> String {
    format!("{n:02}")
}

/// A new incoming document to register.
#[derive(Debug, Clone)]
pub struct NewIncoming {
    pub id: String,
    pub unit: String,
    pub meta: Metadata,
    /// When it arrived; the registration instant when absent (paper handed in now).
    pub received_at: Option<OffsetDateTime>,
    pub dossier_code: Option<String>,
    pub external_id: Option<String>,
}

fn grants(actor: &Actor) -> &[(UnitCode, Role)] {
    match actor {
        Actor::Officer { grants, .. } => grants,
        _ => &[],
    }
}

/// Holds `role` in `unit`.
pub fn has_role_in(actor: &Actor, unit: &str, role: Role) -> bool {
    grants(actor).iter().any(|(u, r)| u == unit && *r == role)
}

/// Văn thư (clerk) of the unit: registers incoming documents (NĐ 30/2020 Art. 21–22), numbers
/// and sends outgoing ones (Art. 15, 16, 18). Motcua also lets the center administrator of a center
/// act as its văn thư.
fn is_clerk(actor: &Actor, unit: &str) -> bool {
    has_role_in(actor, unit, Role::Clerk) || has_role_in(actor, unit, Role::CenterAdmin)
}

/// The head of the unit, who decides who handles an incoming document (NĐ 30/2020 Art. 23
/// khoản 2: "người có thẩm quyền ghi ý kiến chỉ đạo giải quyết", with the handler and the time
/// limit).
fn is_leader(actor: &Actor, unit: &str) -> bool {
    has_role_in(actor, unit, Role::Leader)
}

/// Sees the whole register of `unit`: its văn thư and leaders (NĐ 30/2020 Art. 24 khoản 1 — the
/// head directs the handling and has it followed and urged). Other officers of the unit see what is
/// assigned to them or what they drafted.
pub fn sees_whole_register(actor: &Actor, unit: &str) -> bool {
    is_clerk(actor, unit) || is_leader(actor, unit) || has_role_in(actor, unit, Role::SystemAdmin)
}

/// May see this document.
pub fn may_view(doc: &Document, actor: &Actor) -> bool {
    if sees_whole_register(actor, &doc.unit) {
        return true;
    }
    match actor {
        Actor::Officer { username, grants } => {
            grants.iter().any(|(u, _)| u == &doc.unit)
                && (doc.assignee.as_deref() == Some(username) || &doc.created_by == username)
        }
        _ => false,
    }
}

/// May add attachments to this document: whoever may see it, while it is a draft or issued
/// (once sent, its edXML package is fixed) or, incoming, still open.
pub fn may_attach(doc: &Document, actor: &Actor) -> bool {
    may_view(doc, actor) && (matches!(doc.status, Status::Draft | Status::Issued) || doc.status.is_open())
}

fn forbidden(en: &str, vi: &str) -> DomainError {
    DomainError::forbidden(en.to_owned(), vi.to_owned())
}

fn actor_name(actor: &Actor) -> String {
    actor.name().to_owned()
}

impl Document {
    /// Registers an incoming document (vào sổ văn bản đến) by the unit's văn thư: the store
    /// numbers it in the register of [`register_year`] of the registration instant.
    pub fn register_incoming(new: NewIncoming, actor: &Actor, at: OffsetDateTime) -> Result<Decision, DomainError> {
        if !is_clerk(actor, &new.unit) {
            return Err(forbidden(
                "only the unit's clerk (văn thư) registers incoming documents",
                "chỉ văn thư của đơn vị được vào sổ văn bản đến",
            ));
        }
        let meta = new.meta.validate(Direction::Incoming)?;
        let dossier_code = optional_dossier_code(new.dossier_code)?;
        let unit = UnitCode::parse(&new.unit)?;
        if new.received_at.is_some_and(|r| r > at) {
            return Err(DomainError::invalid(
                ErrorCode::ReceivedInFuture,
                "the arrival time cannot be later than now",
                "thời điểm văn bản đến không được sau thời điểm hiện tại",
            ));
        }
        let year = register_year(at);
        let doc = Document {
            id: new.id,
            unit,
            direction: Direction::Incoming,
            status: Status::Registered,
            register_year: Some(year),
            register_number: None,
            meta,
            received_at: Some(new.received_at.unwrap_or(at)),
            created_at: at,
            issued_at: None,
            assignee: None,
            handling_due: None,
            completed_at: None,
            rejection_reason: None,
            dossier_code,
            external_id: new.external_id,
            created_by: actor_name(actor),
            version: 1,
        };
        let event = Event { at, by: actor_name(actor), what: EventKind::Registered { document: Box::new(doc) } };
        Ok(Decision { event, numbering: Some(year) })
    }

    /// Creates an outgoing draft; any officer of the unit may draft.
    pub fn draft_outgoing(
        id: String,
        unit: String,
        meta: Metadata,
        dossier_code: Option<String>,
        actor: &Actor,
        at: OffsetDateTime,
    ) -> Result<Decision, DomainError> {
        if !actor.in_unit(&unit) {
            return Err(forbidden(
                "you draft documents only for your own units",
                "chỉ được soạn văn bản của đơn vị mình",
            ));
        }
        let meta = meta.validate(Direction::Outgoing)?;
        let dossier_code = optional_dossier_code(dossier_code)?;
        let unit = UnitCode::parse(&unit)?;
        let doc = Document {
            id,
            unit,
            direction: Direction::Outgoing,
            status: Status::Draft,
            register_year: None,
            register_number: None,
            meta,
            received_at: None,
            created_at: at,
            issued_at: None,
            assignee: None,
            handling_due: None,
            completed_at: None,
            rejection_reason: None,
            dossier_code,
            external_id: None,
            created_by: actor_name(actor),
            version: 1,
        };
        Ok(Decision {
            event: Event { at, by: actor_name(actor), what: EventKind::Drafted { document: Box::new(doc) } },
            numbering: None,
        })
    }

    /// The document a first event creates.
    pub fn from_first(e: &Event) -> Option<Document> {
        match &e.what {
            EventKind::Registered { document } | EventKind::Drafted { document } => Some((**document).clone()),
            _ => None,
        }
    }

    /// Applies a later event.
    pub fn apply(&mut self, e: &Event) {
        match &e.what {
            EventKind::Registered { .. } | EventKind::Drafted { .. } => {}
            EventKind::Issued { year, number } => {
                self.status = Status::Issued;
                self.register_year = Some(*year);
                self.register_number = Some(*number);
                self.meta.code_number = Some(format_register_number(*number));
                self.issued_at = Some(e.at);
            }
            EventKind::Assigned { assignee, due, .. } => {
                self.status = Status::Assigned;
                self.assignee = Some(assignee.clone());
                self.handling_due = *due;
            }
            EventKind::Started => self.status = Status::Processing,
            EventKind::Completed { .. } => {
                self.status = Status::Completed;
                self.completed_at = Some(e.at);
            }
            EventKind::Rejected { reason } => {
                self.status = Status::Rejected;
                self.rejection_reason = Some(reason.clone());
                self.completed_at = Some(e.at);
            }
            EventKind::LinkedDossier { dossier_code } => self.dossier_code = Some(dossier_code.clone()),
            EventKind::SendQueued { external_id, .. } => {
                self.status = Status::Sent;
                if external_id.is_some() {
                    self.external_id = external_id.clone();
                }
            }
            EventKind::Recalled { .. } => self.status = Status::Recalled,
        }
        self.version += 1;
    }

    /// Open and past its handling deadline at `now`.
    pub fn is_overdue(&self, now: OffsetDateTime) -> bool {
        self.status.is_open() && self.handling_due.is_some_and(|d| d < now)
    }

    /// "01", "02"… in its register, or empty while a draft.
    pub fn register_label(&self) -> String {
        self.register_number.map(format_register_number).unwrap_or_default()
    }
}

/// An optional dossier code as typed: blank is none.
fn optional_dossier_code(c: Option<String>) -> Result<Option<DossierCode>, DomainError> {
    c.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).map(|c| dossier_code_of(&c)).transpose()
}

/// `c` (trimmed, not empty) as a dossier code, or `invalid_dossier_code`.
fn dossier_code_of(c: &str) -> Result<DossierCode, DomainError> {
    if c.len() > 64 || !c.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b)) {
        return Err(DomainError::invalid(
            ErrorCode::InvalidDossierCode,
            format!("'{c}' is not a dossier code"),
            format!("'{c}' không phải mã hồ sơ"),
        ));
    }
    Ok(DossierCode::trusted(c))
}

/// What an officer asks to do with a document (`action` in the API).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Command {
    /// Assign to an officer; the deadline is `due_at`, or `working_days` from now on the unit's
    /// calendar, or the sender's due date, or — for urgent documents — 1 working day.
    Assign {
        assignee: String,
        #[serde(default)]
        working_days: Option<f64>,
        #[serde(default, with = "time::serde::rfc3339::option")]
        due_at: Option<OffsetDateTime>,
        #[serde(default)]
        note: Option<String>,
    },
    Start,
    Complete {
        #[serde(default)]
        note: Option<String>,
    },
    Reject {
        #[serde(default)]
        reason: String,
    },
    LinkDossier {
        dossier_code: String,
    },
    Issue,
    Send,
    /// Cancel an incoming document its sender recalled (NĐ 30/2020 Art. 18 khoản 4): by the
    /// unit's clerk or leader, with the sender's notice as `reason`.
    Recall {
        #[serde(default)]
        reason: String,
    },
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::Assign { .. } => "assign",
            Command::Start => "start",
            Command::Complete { .. } => "complete",
            Command::Reject { .. } => "reject",
            Command::LinkDossier { .. } => "link_dossier",
            Command::Issue => "issue",
            Command::Send => "send",
            Command::Recall { .. } => "recall",
        }
    }
}

fn wrong_state(doc: &Document, action: &str) -> DomainError {
    DomainError::rule(
        ErrorCode::InvalidTransition,
        format!("cannot {action} a document that is {}", doc.status.as_str()),
        format!("không thể thực hiện thao tác '{action}' với văn bản ở trạng thái {}", doc.status.name_vi()),
    )
}

/// The handling deadline of an assignment at `at` on the unit's calendar `cal`.
///
/// NĐ 30/2020/NĐ-CP Art. 24 khoản 2: an incoming document is handled "theo thời hạn quy định
/// tại quy chế làm việc của cơ quan", and one marked urgent (khẩn) "phải được giải quyết ngay". Motcua's rules:
/// an explicit instant wins; then `working_days` counted through office hours from the
/// assignment (domain.md Decisions 2–3, the same arithmetic as dossiers); then the sender's
/// DueDate (end of that day's office hours); then 1 working day for urgent documents; otherwise
/// no deadline.
pub fn handling_deadline(
    doc: &Document,
    working_days: Option<f64>,
    due_at: Option<OffsetDateTime>,
    at: OffsetDateTime,
    cal: &Calendar,
) -> Result<Option<OffsetDateTime>, DomainError> {
    if let Some(d) = due_at {
        if d <= at {
            return Err(DomainError::invalid(
                ErrorCode::DueInPast,
                "the handling deadline must be later than now",
                "hạn xử lý phải sau thời điểm hiện tại",
            ));
        }
        return Ok(Some(d));
    }
    let days = match working_days {
        Some(n) if !(n > 0.0 && n <= 365.0) => {
            return Err(DomainError::invalid(
                ErrorCode::InvalidWorkingDays,
                "'working_days' must be more than 0 and at most 365",
                "'working_days' phải lớn hơn 0 và không quá 365",
            ));
        }
        Some(n) => Some(n),
        None => None,
    };
    if let Some(n) = days {
        let wt = WorkingTime::from_days(n).map_err(|_| {
            DomainError::invalid(
                ErrorCode::InvalidWorkingDays,
                "invalid number of working days",
                "số ngày làm việc không hợp lệ",
            )
        })?;
        return Ok(Some(cal.add(cal.receipt_instant(at), wt)));
    }
    if let Some(d) = doc.meta.due_date {
        let end = cal.office_periods(d).last().map(|p| p.end).unwrap_or(time::macros::time!(17:00));
        return Ok(Some(d.with_time(end).assume_offset(VN)).filter(|t| *t > at));
    }
    if doc.meta.priority >= Priority::Urgent {
        return Ok(Some(
            cal.add(cal.receipt_instant(at), WorkingTime::from_days(1.0).unwrap_or(WorkingTime(8 * 3600))),
        ));
    }
    Ok(None)
}

/// Decides what `cmd` by `actor` does to `doc` at `at`, or why it is refused. Pure: the
/// store records the event (taking a register number when the decision asks for one).
pub fn decide(
    doc: &Document,
    actor: &Actor,
    cmd: Command,
    at: OffsetDateTime,
    cal: &Calendar,
) -> Result<Decision, DomainError> {
    if !may_view(doc, actor) {
        return Err(DomainError::not_found("document not found", "không tìm thấy văn bản"));
    }
    let unit = doc.unit.as_str();
    let me = actor_name(actor);
    let is_assignee = doc.assignee.as_deref() == Some(me.as_str());
    let event = |what| Event { at, by: me.clone(), what };
    let plain = |what| Ok(Decision { event: event(what), numbering: None });
    match cmd {
        Command::Assign { assignee, working_days, due_at, note } => {
            if doc.direction != Direction::Incoming || !doc.status.is_open() {
                return Err(wrong_state(doc, "assign"));
            }
            if !(is_leader(actor, unit) || is_clerk(actor, unit)) {
                return Err(forbidden(
                    "only the unit's leader or clerk assigns documents",
                    "chỉ lãnh đạo hoặc văn thư của đơn vị được phân công xử lý văn bản",
                ));
            }
            let assignee = assignee.trim().to_owned();
            if assignee.is_empty() || assignee.len() > 64 {
                return Err(DomainError::invalid(
                    ErrorCode::AssigneeRequired,
                    "name the officer to assign",
                    "cần chọn cán bộ xử lý",
                ));
            }
            let due = handling_deadline(doc, working_days, due_at, at, cal)?;
            let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
            check_len("note", note.as_deref().unwrap_or(""), 2000)?;
            plain(EventKind::Assigned { assignee, due, note })
        }
        Command::Start => {
            if doc.status != Status::Assigned {
                return Err(wrong_state(doc, "start"));
            }
            if !(is_assignee || is_leader(actor, unit)) {
                return Err(forbidden(
                    "only the assigned officer starts handling",
                    "chỉ cán bộ được phân công mới bắt đầu xử lý",
                ));
            }
            plain(EventKind::Started)
        }
        Command::Complete { note } => {
            if doc.status != Status::Processing {
                return Err(wrong_state(doc, "complete"));
            }
            if !(is_assignee || is_leader(actor, unit)) {
                return Err(forbidden(
                    "only the assigned officer completes handling",
                    "chỉ cán bộ được phân công mới hoàn thành xử lý",
                ));
            }
            let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
            check_len("note", note.as_deref().unwrap_or(""), 2000)?;
            plain(EventKind::Completed { note })
        }
        Command::Reject { reason } => {
            if doc.direction != Direction::Incoming || !doc.status.is_open() {
                return Err(wrong_state(doc, "reject"));
            }
            if !(is_leader(actor, unit) || is_clerk(actor, unit)) {
                return Err(forbidden(
                    "only the unit's leader or clerk rejects documents",
                    "chỉ lãnh đạo hoặc văn thư của đơn vị được từ chối văn bản",
                ));
            }
            let reason = reason.trim().to_owned();
            if reason.chars().count() < 5 {
                return Err(DomainError::invalid(
                    ErrorCode::ReasonRequired,
                    "a rejection needs a reason (at least 5 characters)",
                    "từ chối tiếp nhận phải ghi rõ lý do (ít nhất 5 ký tự)",
                ));
            }
            check_len("reason", &reason, 2000)?;
            plain(EventKind::Rejected { reason })
        }
        Command::Recall { reason } => {
            if doc.direction != Direction::Incoming || matches!(doc.status, Status::Rejected | Status::Recalled) {
                return Err(wrong_state(doc, "recall"));
            }
            if !(is_leader(actor, unit) || is_clerk(actor, unit)) {
                return Err(forbidden(
                    "only the unit's leader or clerk cancels a recalled document",
                    "chỉ lãnh đạo hoặc văn thư của đơn vị được hủy văn bản bị thu hồi",
                ));
            }
            let reason = reason.trim().to_owned();
            if reason.is_empty() {
                return Err(DomainError::invalid(
                    ErrorCode::ReasonRequired,
                    "name the sender's recall notice",
                    "cần ghi thông báo thu hồi của nơi gửi",
                ));
            }
            check_len("reason", &reason, 2000)?;
            plain(EventKind::Recalled { reason })
        }
        Command::LinkDossier { dossier_code } => {
            let c = dossier_code.trim().to_owned();
            if c.is_empty() {
                return Err(DomainError::invalid(
                    ErrorCode::DossierCodeRequired,
                    "give the dossier code",
                    "cần nhập mã hồ sơ",
                ));
            }
            let c = dossier_code_of(&c)?;
            if !actor.in_unit(unit) {
                return Err(forbidden(
                    "only officers of the unit link documents",
                    "chỉ cán bộ của đơn vị được gắn hồ sơ",
                ));
            }
            plain(EventKind::LinkedDossier { dossier_code: c })
        }
        Command::Issue => {
            if doc.status != Status::Draft {
                return Err(wrong_state(doc, "issue"));
            }
            if !is_clerk(actor, unit) {
                return Err(forbidden(
                    "only the unit's clerk (văn thư) numbers and issues documents",
                    "chỉ văn thư của đơn vị được cấp số, ban hành văn bản",
                ));
            }
            let year = register_year(at);
            Ok(Decision { event: event(EventKind::Issued { year, number: 0 }), numbering: Some(year) })
        }
        Command::Send => {
            if doc.status != Status::Issued {
                return Err(wrong_state(doc, "send"));
            }
            if !is_clerk(actor, unit) {
                return Err(forbidden(
                    "only the unit's clerk (văn thư) sends documents",
                    "chỉ văn thư của đơn vị được phát hành văn bản",
                ));
            }
            if doc.meta.recipients.is_empty() {
                return Err(DomainError::rule(
                    ErrorCode::RecipientsRequired,
                    "the document has no recipients",
                    "văn bản chưa có nơi nhận",
                ));
            }
            plain(EventKind::SendQueued { recipients: doc.meta.recipients.clone(), external_id: None })
        }
    }
}

/// The actions `actor` may take on `doc` now (for the page and the API's `allowed_actions`).
pub fn allowed_actions(doc: &Document, actor: &Actor) -> Vec<&'static str> {
    if !may_view(doc, actor) {
        return Vec::new();
    }
    let unit = doc.unit.as_str();
    let me = actor_name(actor);
    let handler = doc.assignee.as_deref() == Some(me.as_str()) || is_leader(actor, unit);
    let manager = is_leader(actor, unit) || is_clerk(actor, unit);
    let mut out = Vec::new();
    if doc.direction == Direction::Incoming && doc.status.is_open() && manager {
        out.push("assign");
    }
    if doc.status == Status::Assigned && handler {
        out.push("start");
    }
    if doc.status == Status::Processing && handler {
        out.push("complete");
    }
    if doc.direction == Direction::Incoming && doc.status.is_open() && manager {
        out.push("reject");
    }
    if doc.direction == Direction::Incoming && !matches!(doc.status, Status::Rejected | Status::Recalled) && manager {
        out.push("recall");
    }
    if doc.status == Status::Draft && is_clerk(actor, unit) {
        out.push("issue");
    }
    if doc.status == Status::Issued && is_clerk(actor, unit) && !doc.meta.recipients.is_empty() {
        out.push("send");
    }
    if actor.in_unit(unit) {
        out.push("link_dossier");
    }
    out
}

impl crate::record::Record for Document {
    const KIND: &'static str = "document";
    type Event = Event;

    fn id(&self) -> &str {
        &self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn fold(state: Option<Document>, e: &Event) -> Result<Document, DomainError> {
        match state {
            None => Document::from_first(e).ok_or_else(|| {
                crate::record::unfit("document", "the history must start with a registration or a draft")
            }),
            Some(mut d) => {
                if Document::from_first(e).is_some() {
                    return Err(crate::record::unfit("document", "created twice"));
                }
                d.apply(e);
                Ok(d)
            }
        }
    }
    fn event_at(e: &Event) -> OffsetDateTime {
        e.at
    }
    fn event_actor(e: &Event) -> &str {
        &e.by
    }
    fn event_action(e: &Event) -> &'static str {
        e.what.name()
    }
}
