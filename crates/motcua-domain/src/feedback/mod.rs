//! Citizen feedback (phản ánh, kiến nghị — "PAKN", domain.md §8; NĐ 20/2008/NĐ-CP as amended by
//! NĐ 48/2013/NĐ-CP [S2]): what a submission is about, its category, and its lifecycle.
//!
//! Like a dossier, a feedback item is a fold of events: [`decide`] checks an [`Command`] against
//! the current [`Feedback`] and the actor's grants and returns the [`Event`] to record;
//! [`Feedback::apply`] folds it. The time limits are in [`deadlines`], redaction of personal data
//! before publication in [`redact`], the QĐ 766 rows 5.2–5.3 in [`score`].
//!
//! ```text
//! submitted ─accept→ accepted ─assign→ assigned ─answer→ answered ─approve→ approved ─publish→ published
//!     │                 │                 │  ↑               │
//!   reject            forward        request_info │        return (to assigned)
//!     ↓                 ↓                 ↓  supply_info
//!  rejected         forwarded        info_requested
//! ```

pub mod deadlines;
pub mod redact;
pub mod score;

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::DomainError;
use crate::calendar::Calendar;
use crate::dossier::{Actor, Role};
use crate::ids::UnitCode;
use crate::record::{self, Record};
pub use deadlines::FeedbackRules;

/// What a feedback item is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// An administrative procedure (thủ tục hành chính), by procedure code.
    Procedure,
    /// A dossier, by dossier code.
    Dossier,
    /// An officer's conduct (delays, harassment, non-compliance).
    Officer,
    /// A unit (agency, commune, the center itself).
    Unit,
    /// An administrative regulation (policy, mechanism) — NĐ 20/2008's core scope.
    Regulation,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 5] = [
        SubjectKind::Procedure,
        SubjectKind::Dossier,
        SubjectKind::Officer,
        SubjectKind::Unit,
        SubjectKind::Regulation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Procedure => "procedure",
            SubjectKind::Dossier => "dossier",
            SubjectKind::Officer => "officer",
            SubjectKind::Unit => "unit",
            SubjectKind::Regulation => "regulation",
        }
    }

    pub fn parse(s: &str) -> Option<SubjectKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Vietnamese name, for forms and Open311 service names.
    pub fn name_vi(self) -> &'static str {
        match self {
            SubjectKind::Procedure => "Phản ánh, kiến nghị về thủ tục hành chính",
            SubjectKind::Dossier => "Phản ánh về việc giải quyết hồ sơ",
            SubjectKind::Officer => "Phản ánh về hành vi của cán bộ, công chức",
            SubjectKind::Unit => "Phản ánh về cơ quan, đơn vị",
            SubjectKind::Regulation => "Phản ánh, kiến nghị về quy định hành chính",
        }
    }

    /// The category a submission of this kind starts in (the center may reclassify).
    pub fn default_category(self) -> Category {
        match self {
            SubjectKind::Officer | SubjectKind::Unit | SubjectKind::Dossier => Category::OfficialConduct,
            SubjectKind::Procedure | SubjectKind::Regulation => Category::RulesProcedures,
        }
    }
}

/// The two categories QĐ 766 row 5.1 counts (domain.md §3, §8): feedback on rules and procedures,
/// and feedback on officials' conduct (forwarded to the competent body under NĐ 20/2008).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    RulesProcedures,
    OfficialConduct,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::RulesProcedures => "rules_procedures",
            Category::OfficialConduct => "official_conduct",
        }
    }
    pub fn parse(s: &str) -> Option<Category> {
        [Category::RulesProcedures, Category::OfficialConduct].into_iter().find(|c| c.as_str() == s)
    }
    pub fn name_vi(self) -> &'static str {
        match self {
            Category::RulesProcedures => "Quy định, thủ tục hành chính",
            Category::OfficialConduct => "Hành vi, thái độ của cán bộ, công chức",
        }
    }
}

/// Where a feedback item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Sent, not yet looked at (portal: "mới tiếp nhận").
    Submitted,
    /// Accepted into the register, to be classified and assigned.
    Accepted,
    /// Refused for not meeting the form requirements ("từ chối tiếp nhận"). Final.
    Rejected,
    /// Outside the center's competence: sent on to another body ("gửi trả bộ/ngành/địa phương
    /// khác"). Final here.
    Forwarded,
    /// A unit is working on it ("đang xử lý").
    Assigned,
    /// The unit asked the submitter for more information ("chờ bổ sung").
    InfoRequested,
    /// The unit answered; a leader of the unit must approve.
    Answered,
    /// Approved, waiting to be published ("chờ công khai").
    Approved,
    /// The answer is public ("đã công khai"). Final.
    Published,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Submitted,
        Status::Accepted,
        Status::Rejected,
        Status::Forwarded,
        Status::Assigned,
        Status::InfoRequested,
        Status::Answered,
        Status::Approved,
        Status::Published,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::Accepted => "accepted",
            Status::Rejected => "rejected",
            Status::Forwarded => "forwarded",
            Status::Assigned => "assigned",
            Status::InfoRequested => "info_requested",
            Status::Answered => "answered",
            Status::Approved => "approved",
            Status::Published => "published",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn name_vi(self) -> &'static str {
        match self {
            Status::Submitted => "Mới tiếp nhận",
            Status::Accepted => "Đã tiếp nhận, chờ phân loại",
            Status::Rejected => "Từ chối tiếp nhận",
            Status::Forwarded => "Đã chuyển cơ quan có thẩm quyền",
            Status::Assigned => "Đang xử lý",
            Status::InfoRequested => "Chờ bổ sung thông tin",
            Status::Answered => "Đã có trả lời, chờ lãnh đạo duyệt",
            Status::Approved => "Chờ công khai",
            Status::Published => "Đã công khai",
        }
    }
    /// No further work is owed.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Rejected | Status::Forwarded | Status::Published)
    }
}

/// The person who sent the feedback. Personal data: never published, never logged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Submitter {
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub id_number: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

/// A new submission, checked by [`Submission::validate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    pub subject_kind: SubjectKind,
    /// Procedure code, dossier code, officer's name or unit code; free text for regulations.
    #[serde(default)]
    pub subject_ref: Option<String>,
    pub title: String,
    pub content: String,
    pub submitter: Submitter,
    /// The earlier feedback this one raises again (counts against QĐ 766 row 5.3).
    #[serde(default)]
    pub reraise_of: Option<String>,
    /// Where the problem is, for map clients (Open311): latitude, longitude, address.
    #[serde(default)]
    pub location: Option<Location>,
}

/// A place named by an Open311 client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub address: Option<String>,
}

impl Submission {
    /// Refuses empty or oversized text and malformed contact data.
    pub fn validate(&self) -> Result<(), DomainError> {
        let bad = |field: &str, vi: &str| {
            DomainError::invalid(ErrorCode::InvalidFeedback, format!("'{field}' is missing or too long"), vi.to_owned())
        };
        let t = self.title.trim();
        if t.is_empty() || t.chars().count() > 200 {
            return Err(bad("title", "Tiêu đề trống hoặc quá dài (tối đa 200 ký tự)"));
        }
        let c = self.content.trim();
        if c.chars().count() < 10 || c.chars().count() > 10_000 {
            return Err(bad("content", "Nội dung phải từ 10 đến 10.000 ký tự"));
        }
        let n = self.submitter.name.trim();
        if n.is_empty() || n.chars().count() > 120 {
            return Err(bad("submitter.name", "Họ tên người phản ánh trống hoặc quá dài"));
        }
        if self.subject_ref.as_deref().is_some_and(|s| s.chars().count() > 200) {
            return Err(bad("subject_ref", "Đối tượng phản ánh quá dài"));
        }
        if let Some(p) = self.submitter.phone.as_deref().filter(|p| !p.trim().is_empty()) {
            let digits = p.chars().filter(char::is_ascii_digit).count();
            if !(9..=12).contains(&digits) || p.chars().any(|c| !(c.is_ascii_digit() || " .+-".contains(c))) {
                return Err(bad("submitter.phone", "Số điện thoại không hợp lệ"));
            }
        }
        if let Some(e) = self.submitter.email.as_deref().filter(|e| !e.trim().is_empty()) {
            let ok = e.len() <= 120 && e.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.'));
            if !ok {
                return Err(bad("submitter.email", "Địa chỉ thư điện tử không hợp lệ"));
            }
        }
        if let Some(id) = &self.submitter.id_number
            && crate::ids::CitizenId::parse(id).is_err()
        {
            return Err(bad("submitter.id_number", "Số định danh phải có 12 (hoặc 9) chữ số"));
        }
        if let Some(l) = &self.location {
            let lat_ok = l.lat.is_none_or(|v| (-90.0..=90.0).contains(&v));
            let long_ok = l.long.is_none_or(|v| (-180.0..=180.0).contains(&v));
            if !lat_ok || !long_ok || l.address.as_deref().is_some_and(|a| a.chars().count() > 300) {
                return Err(bad("location", "Vị trí không hợp lệ"));
            }
        }
        Ok(())
    }
}

/// What an actor asks to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Command {
    /// The center accepts the submission into its register.
    Accept,
    /// The center refuses it (form requirements not met).
    Reject { reason: String },
    /// The center classifies it and assigns a unit within its competence.
    Assign { unit: String, category: Category },
    /// The center forwards it to a body outside its competence.
    Forward { to: String, reason: String },
    /// The assigned unit asks the submitter for more information.
    RequestInfo { question: String },
    /// The submitter supplies it (with the secret).
    SupplyInfo { text: String },
    /// The assigned unit's specialist (or leader) answers.
    Answer { answer: String },
    /// The unit's leader sends the answer back for rework.
    Return { reason: String },
    /// The unit's leader approves the answer.
    Approve,
    /// The center publishes the approved answer, with personal data removed.
    Publish,
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::Accept => "accept",
            Command::Reject { .. } => "reject",
            Command::Assign { .. } => "assign",
            Command::Forward { .. } => "forward",
            Command::RequestInfo { .. } => "request_info",
            Command::SupplyInfo { .. } => "supply_info",
            Command::Answer { .. } => "answer",
            Command::Return { .. } => "return",
            Command::Approve => "approve",
            Command::Publish => "publish",
        }
    }
}

/// What happened, as recorded in the append-only history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Username, `citizen` or `system`.
    pub by: String,
    #[serde(flatten)]
    pub what: EventKind,
}

/// The kinds of events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// The item as submitted, with the deadlines fixed on the center's calendar at that moment
    /// (so that folding the history never consults a calendar).
    Submitted {
        code: String,
        center: UnitCode,
        submission: Box<Submission>,
        due: Deadlines,
    },
    Accepted,
    Rejected {
        reason: String,
    },
    Assigned {
        unit: UnitCode,
        category: Category,
    },
    Forwarded {
        to: String,
        reason: String,
    },
    InfoRequested {
        question: String,
    },
    InfoSupplied {
        text: String,
    },
    Answered {
        answer: String,
    },
    Returned {
        reason: String,
    },
    /// The publication deadline is fixed at approval (NĐ 20/2008 as amended; FEEDBACK.md).
    Approved {
        #[serde(with = "time::serde::rfc3339")]
        publish_due: OffsetDateTime,
    },
    /// `public_answer` is the redacted answer shown to everyone.
    Published {
        public_answer: String,
    },
}

impl EventKind {
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Submitted { .. } => "submitted",
            EventKind::Accepted => "accepted",
            EventKind::Rejected { .. } => "rejected",
            EventKind::Assigned { .. } => "assigned",
            EventKind::Forwarded { .. } => "forwarded",
            EventKind::InfoRequested { .. } => "info_requested",
            EventKind::InfoSupplied { .. } => "info_supplied",
            EventKind::Answered { .. } => "answered",
            EventKind::Returned { .. } => "returned",
            EventKind::Approved { .. } => "approved",
            EventKind::Published { .. } => "published",
        }
    }
    /// Vietnamese label for the citizen's history.
    pub fn name_vi(&self) -> &'static str {
        match self {
            EventKind::Submitted { .. } => "Gửi phản ánh",
            EventKind::Accepted => "Tiếp nhận",
            EventKind::Rejected { .. } => "Từ chối tiếp nhận",
            EventKind::Assigned { .. } => "Phân loại, giao đơn vị xử lý",
            EventKind::Forwarded { .. } => "Chuyển cơ quan có thẩm quyền",
            EventKind::InfoRequested { .. } => "Đề nghị bổ sung thông tin",
            EventKind::InfoSupplied { .. } => "Bổ sung thông tin",
            EventKind::Answered { .. } => "Đơn vị trả lời",
            EventKind::Returned { .. } => "Lãnh đạo yêu cầu hoàn thiện trả lời",
            EventKind::Approved { .. } => "Lãnh đạo phê duyệt",
            EventKind::Published { .. } => "Công khai kết quả",
        }
    }
}

/// The current state of one feedback item (the projection of its events).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    pub code: String,
    /// The one-stop center that received it (its calendar counts the days).
    pub center: UnitCode,
    pub submission: Submission,
    pub status: Status,
    pub category: Category,
    /// The unit assigned to answer.
    pub unit: Option<UnitCode>,
    /// Where it was forwarded, or why it was rejected.
    pub outcome_note: Option<String>,
    pub answer: Option<String>,
    /// The answer as published (personal data removed).
    pub public_answer: Option<String>,
    /// The unit's latest question to the submitter, and the submitter's latest reply.
    pub question: Option<String>,
    pub reply: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub accepted_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub assigned_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub first_info_request_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub answered_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub approved_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
    /// Deadlines fixed when the item was submitted (accept, forward/first request, answer) and
    /// approved (publish).
    pub due: Deadlines,
    pub likes: i64,
    pub dislikes: i64,
    pub version: i64,
}

/// The time limits of one item.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Deadlines {
    #[serde(with = "time::serde::rfc3339")]
    pub accept: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub forward: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub answer: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub publish: Option<OffsetDateTime>,
}

/// Which time limit is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Accept,
    Classify,
    Answer,
    Publish,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Accept => "accept",
            Stage::Classify => "classify",
            Stage::Answer => "answer",
            Stage::Publish => "publish",
        }
    }
}

impl Feedback {
    /// A new item: validates the submission and fixes its deadlines on `cal` (the center's).
    pub fn submit(
        code: String,
        center: UnitCode,
        submission: Submission,
        at: OffsetDateTime,
        cal: &Calendar,
        rules: &FeedbackRules,
    ) -> Result<(Feedback, Event), DomainError> {
        submission.validate()?;
        let due = Deadlines {
            accept: deadlines::due(cal, at, rules.accept_days),
            forward: deadlines::due(cal, at, rules.forward_days),
            answer: deadlines::due(cal, at, rules.answer_days),
            publish: None,
        };
        let event = Event {
            at,
            by: "citizen".into(),
            what: EventKind::Submitted { code, center, submission: Box::new(submission), due },
        };
        let fb = <Feedback as Record>::fold(None, &event)?;
        Ok((fb, event))
    }

    /// The item a `Submitted` event opens.
    fn opened(e: &Event) -> Option<Feedback> {
        let EventKind::Submitted { code, center, submission, due } = &e.what else { return None };
        Some(Feedback {
            code: code.clone(),
            center: center.clone(),
            category: submission.subject_kind.default_category(),
            submission: (**submission).clone(),
            status: Status::Submitted,
            unit: None,
            outcome_note: None,
            answer: None,
            public_answer: None,
            question: None,
            reply: None,
            submitted_at: e.at,
            accepted_at: None,
            assigned_at: None,
            first_info_request_at: None,
            answered_at: None,
            approved_at: None,
            closed_at: None,
            due: *due,
            likes: 0,
            dislikes: 0,
            version: 1,
        })
    }

    /// Folds one later event (everything it needs is in the event).
    pub fn apply(&mut self, e: &Event) {
        match &e.what {
            EventKind::Submitted { .. } => {}
            EventKind::Accepted => {
                self.status = Status::Accepted;
                self.accepted_at = Some(e.at);
            }
            EventKind::Rejected { reason } => {
                self.status = Status::Rejected;
                self.outcome_note = Some(reason.clone());
                self.closed_at = Some(e.at);
            }
            EventKind::Assigned { unit, category } => {
                self.status = Status::Assigned;
                self.unit = Some(unit.clone());
                self.category = *category;
                self.assigned_at = Some(e.at);
            }
            EventKind::Forwarded { to, .. } => {
                self.status = Status::Forwarded;
                self.outcome_note = Some(to.clone());
                self.closed_at = Some(e.at);
            }
            EventKind::InfoRequested { question } => {
                self.status = Status::InfoRequested;
                self.question = Some(question.clone());
                self.first_info_request_at.get_or_insert(e.at);
            }
            EventKind::InfoSupplied { text } => {
                self.status = Status::Assigned;
                self.reply = Some(text.clone());
            }
            EventKind::Answered { answer } => {
                self.status = Status::Answered;
                self.answer = Some(answer.clone());
                self.answered_at = Some(e.at);
            }
            EventKind::Returned { .. } => {
                self.status = Status::Assigned;
            }
            EventKind::Approved { publish_due } => {
                self.status = Status::Approved;
                self.approved_at = Some(e.at);
                self.due.publish = Some(*publish_due);
            }
            EventKind::Published { public_answer } => {
                self.status = Status::Published;
                self.public_answer = Some(public_answer.clone());
                self.closed_at = Some(e.at);
            }
        }
        self.version += 1;
    }

    /// The time limit now running, if any work is owed.
    pub fn current_deadline(&self) -> Option<(Stage, OffsetDateTime)> {
        match self.status {
            Status::Submitted => Some((Stage::Accept, self.due.accept)),
            Status::Accepted => Some((Stage::Classify, self.due.forward)),
            Status::Assigned | Status::InfoRequested | Status::Answered => Some((Stage::Answer, self.due.answer)),
            Status::Approved => self.due.publish.map(|d| (Stage::Publish, d)),
            Status::Rejected | Status::Forwarded | Status::Published => None,
        }
    }

    /// The running time limit has passed at `now` (for the daily alerts).
    pub fn overdue_at(&self, now: OffsetDateTime) -> bool {
        self.current_deadline().is_some_and(|(_, d)| d < now)
    }

    /// The running time limit falls within `window` from `now` and has not passed.
    pub fn due_soon(&self, now: OffsetDateTime, window: time::Duration) -> bool {
        self.current_deadline().is_some_and(|(_, d)| now <= d && d <= now + window)
    }

    /// Every limit met so far, judged at `now` (QĐ 766 row 5.2; portal rules in domain.md §8):
    /// accepted or rejected within 2 days, forwarded or first asked within 5, approved within
    /// the answer limit, published within 2 days of approval; a running limit not yet passed.
    pub fn on_time_at(&self, now: OffsetDateTime) -> bool {
        let within = |done: Option<OffsetDateTime>, due: OffsetDateTime| done.is_none_or(|t| t <= due);
        let decided = self.accepted_at.or(if self.status == Status::Rejected { self.closed_at } else { None });
        let forwarded = if self.status == Status::Forwarded { self.closed_at } else { None };
        within(decided, self.due.accept)
            && within(forwarded, self.due.forward)
            && within(self.first_info_request_at, self.due.forward)
            && within(self.approved_at, self.due.answer)
            && self.due.publish.is_none_or(|p| within(self.public_answer.as_ref().and(self.closed_at), p))
            && !self.overdue_at(now)
    }

    /// Handled: an answer was approved (published or waiting to be), or the item was rejected
    /// or forwarded.
    pub fn is_handled(&self) -> bool {
        matches!(self.status, Status::Approved | Status::Published | Status::Rejected | Status::Forwarded)
    }

    /// More dislikes than likes on the published answer (domain.md §8).
    pub fn unsatisfied(&self) -> bool {
        self.dislikes > self.likes
    }

    /// The names that [`redact::redact`] removes from this item's public text.
    pub fn personal_names(&self) -> Vec<&str> {
        let mut v = vec![self.submitter_name()];
        if self.submission.subject_kind == SubjectKind::Officer {
            // The officer named in a conduct complaint is not published either.
            if let Some(r) = self.submission.subject_ref.as_deref() {
                v.push(r);
            }
        }
        v
    }

    fn submitter_name(&self) -> &str {
        &self.submission.submitter.name
    }

    /// Title and content with personal data removed, for public pages.
    pub fn public_title(&self) -> String {
        redact::redact(&self.submission.title, &self.personal_names())
    }
    pub fn public_content(&self) -> String {
        let mut names = self.personal_names();
        if let Some(a) = self.submission.submitter.address.as_deref() {
            names.push(a);
        }
        redact::redact(&self.submission.content, &names)
    }
}

/// Checks `cmd` against `fb` and the actor's grants; the event to record at `now`.
///
/// Who may do what: the receiving center's receivers and center administrators accept, reject,
/// classify and assign, forward and publish; the assigned unit's specialists and leaders ask for
/// more information and answer; its leaders approve or return the answer; the submitter (holder
/// of the secret, [`Actor::Applicant`]) supplies information. `cal` (the center's calendar) and
/// `rules` fix the publication deadline on approval; it is carried in the event.
pub fn decide(
    fb: &Feedback,
    actor: &Actor,
    cmd: Command,
    now: OffsetDateTime,
    cal: &Calendar,
    rules: &FeedbackRules,
) -> Result<Event, DomainError> {
    let center_staff = actor.is(Role::Receiver, &fb.center) || actor.is(Role::CenterAdmin, &fb.center);
    let unit = fb.unit.as_deref().unwrap_or("");
    let unit_worker = !unit.is_empty() && (actor.is(Role::Specialist, unit) || actor.is(Role::Leader, unit));
    let unit_leader = !unit.is_empty() && actor.is(Role::Leader, unit);
    let (allowed_role, allowed_state) = match &cmd {
        Command::Accept | Command::Reject { .. } => (center_staff, fb.status == Status::Submitted),
        Command::Assign { .. } | Command::Forward { .. } => {
            (center_staff, matches!(fb.status, Status::Accepted | Status::Submitted))
        }
        Command::RequestInfo { .. } | Command::Answer { .. } => (unit_worker, fb.status == Status::Assigned),
        Command::SupplyInfo { .. } => (matches!(actor, Actor::Applicant), fb.status == Status::InfoRequested),
        Command::Return { .. } | Command::Approve => (unit_leader, fb.status == Status::Answered),
        Command::Publish => (center_staff, fb.status == Status::Approved),
    };
    if !allowed_role {
        return Err(DomainError::forbidden(
            format!("your role does not allow '{}' on feedback {}", cmd.name(), fb.code),
            format!("vai trò của bạn không được thực hiện '{}' với phản ánh {}", cmd.name(), fb.code),
        ));
    }
    if !allowed_state {
        return Err(DomainError::rule(
            ErrorCode::InvalidTransition,
            format!("'{}' is not possible while the feedback is {}", cmd.name(), fb.status.as_str()),
            format!("không thể '{}' khi phản ánh đang ở trạng thái: {}", cmd.name(), fb.status.name_vi()),
        ));
    }
    let text = |field: &str, s: &str, max: usize| -> Result<String, DomainError> {
        let t = s.trim();
        if t.is_empty() || t.chars().count() > max {
            return Err(DomainError::invalid(
                ErrorCode::InvalidFeedbackAction,
                format!("'{field}' is missing or longer than {max} characters"),
                format!("'{field}' trống hoặc dài quá {max} ký tự"),
            ));
        }
        Ok(t.to_owned())
    };
    let what = match cmd {
        Command::Accept => EventKind::Accepted,
        Command::Reject { reason } => EventKind::Rejected { reason: text("reason", &reason, 2000)? },
        Command::Assign { unit, category } => {
            EventKind::Assigned { unit: UnitCode::parse(&text("unit", &unit, 64)?)?, category }
        }
        Command::Forward { to, reason } => {
            EventKind::Forwarded { to: text("to", &to, 300)?, reason: text("reason", &reason, 2000)? }
        }
        Command::RequestInfo { question } => EventKind::InfoRequested { question: text("question", &question, 4000)? },
        Command::SupplyInfo { text: t } => EventKind::InfoSupplied { text: text("text", &t, 10_000)? },
        Command::Answer { answer } => EventKind::Answered { answer: text("answer", &answer, 20_000)? },
        Command::Return { reason } => EventKind::Returned { reason: text("reason", &reason, 2000)? },
        Command::Approve => EventKind::Approved { publish_due: deadlines::due(cal, now, rules.publish_days) },
        Command::Publish => {
            let answer = fb.answer.as_deref().unwrap_or_default();
            EventKind::Published { public_answer: redact::redact(answer, &fb.personal_names()) }
        }
    };
    Ok(Event { at: now, by: actor.name().to_owned(), what })
}

impl Record for Feedback {
    const KIND: &'static str = "feedback";
    type Event = Event;

    fn id(&self) -> &str {
        &self.code
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn fold(state: Option<Feedback>, e: &Event) -> Result<Feedback, DomainError> {
        match (state, &e.what) {
            (None, EventKind::Submitted { .. }) => {
                Feedback::opened(e).ok_or_else(|| record::unfit("feedback", "no submission"))
            }
            (None, _) => Err(record::unfit("feedback", "the history must start with 'submitted'")),
            (Some(_), EventKind::Submitted { .. }) => Err(record::unfit("feedback", "submitted twice")),
            (Some(mut fb), _) => {
                fb.apply(e);
                Ok(fb)
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
    /// Votes are reactions kept beside the history (one per voter, replaceable), not events.
    fn audited(&self) -> Feedback {
        Feedback { likes: 0, dislikes: 0, ..self.clone() }
    }
}

#[cfg(test)]
mod tests;
