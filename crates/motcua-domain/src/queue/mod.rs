//! Queue tickets (lấy số thứ tự) and counter ratings at the one-stop (domain.md §11).
//!
//! NĐ 61/2018 Art. 13 requires an area with automatic queue-ticket machines connected to the
//! one-stop information system; domain.md §11 asks for tickets by sector, priority groups,
//! call-to-counter with a display, per-counter / per-officer waiting and service times, and a
//! link from the ticket to the dossier received from it.
//!
//! - this module: counter groups, tickets, their numbers and states, and the transitions
//!   (call, recall, serve, skip, requeue, transfer, done).
//! - [`order`]: which waiting ticket a counter calls next (priority without starvation).
//! - [`metrics`]: waiting and service times per counter, officer and hour.
//! - [`rating`]: satisfaction ratings per officer (TT 01/2018 0/1/2 points, 766 like/dislike).

pub mod metrics;
pub mod order;
pub mod rating;

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, UtcOffset};

use crate::error::DomainError;
use crate::ids::DossierCode;

/// Vietnam's offset: ticket numbers restart at local midnight.
pub const VN: UtcOffset = match UtcOffset::from_hms(7, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// The people served first. domain.md §11 ("priority groups") and NĐ 61/2018 Art. 13 (facilities
/// for the people the one-stop must help) name the groups; the list follows the usual kiosk
/// practice (elderly, people with disabilities, pregnant women, people with young children).
/// Who qualifies is checked by the officer at the counter, not by the kiosk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Elderly,
    Disability,
    Pregnant,
    YoungChild,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::Elderly, Priority::Disability, Priority::Pregnant, Priority::YoungChild];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Elderly => "elderly",
            Priority::Disability => "disability",
            Priority::Pregnant => "pregnant",
            Priority::YoungChild => "young_child",
        }
    }

    /// Vietnamese label for the kiosk and the ticket.
    pub fn label_vi(self) -> &'static str {
        match self {
            Priority::Elderly => "Người cao tuổi",
            Priority::Disability => "Người khuyết tật",
            Priority::Pregnant => "Phụ nữ mang thai",
            Priority::YoungChild => "Người đi cùng trẻ nhỏ",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Priority::Elderly => "Elderly person",
            Priority::Disability => "Person with a disability",
            Priority::Pregnant => "Pregnant woman",
            Priority::YoungChild => "Person with a young child",
        }
    }

    /// Parses the API name; an empty string or `none` is a normal ticket.
    pub fn parse(s: &str) -> Result<Option<Priority>, DomainError> {
        let s = s.trim();
        if s.is_empty() || s == "none" {
            return Ok(None);
        }
        Priority::ALL.into_iter().find(|p| p.as_str() == s).map(Some).ok_or_else(|| {
            DomainError::invalid(
                ErrorCode::InvalidPriority,
                "priority must be one of elderly, disability, pregnant, young_child",
                "nhóm ưu tiên phải là một trong: elderly, disability, pregnant, young_child",
            )
        })
    }
}

/// Where a ticket is in its life.
///
/// `waiting → called → serving → done`; `called/serving → skipped` (the citizen did not come);
/// `skipped → waiting` (re-queued when they come back, keeping their place);
/// `waiting/called/serving → waiting` in another group (transfer, keeping the issue time).
/// A skipped ticket never re-queued by the end of its day is a no-show in the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    Waiting,
    Called,
    Serving,
    Done,
    Skipped,
}

impl TicketState {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketState::Waiting => "waiting",
            TicketState::Called => "called",
            TicketState::Serving => "serving",
            TicketState::Done => "done",
            TicketState::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<TicketState> {
        [TicketState::Waiting, TicketState::Called, TicketState::Serving, TicketState::Done, TicketState::Skipped]
            .into_iter()
            .find(|t| t.as_str() == s)
    }

    /// Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            TicketState::Waiting => "Đang chờ",
            TicketState::Called => "Đã gọi",
            TicketState::Serving => "Đang phục vụ",
            TicketState::Done => "Đã xong",
            TicketState::Skipped => "Vắng mặt (bỏ qua)",
        }
    }
}

/// A counter group (nhóm quầy): the counters of one one-stop that serve the same fields, with
/// the letter printed before its numbers and its priority rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CounterGroup {
    /// Stable code, e.g. `C1-DD` (the API takes it from the path).
    #[serde(default)]
    pub code: String,
    /// The one-stop unit whose counters these are.
    pub unit: String,
    /// Display name, e.g. "Đất đai – Xây dựng".
    pub name: String,
    /// Fields (lĩnh vực) served, for the kiosk.
    #[serde(default)]
    pub fields: Vec<String>,
    /// One capital letter printed before the number (`A` → A001).
    pub prefix: String,
    /// At most this many priority calls in a row while a normal ticket waits ([`order`]).
    #[serde(default = "default_max_priority_run")]
    pub max_priority_run: u32,
}

/// The default of [`CounterGroup::max_priority_run`]: three priority tickets, then the oldest
/// normal one (Motcua's decision; the sources give no rule — domain.md §11).
pub fn default_max_priority_run() -> u32 {
    3
}

impl CounterGroup {
    /// Checks the configuration.
    pub fn validate(&self) -> Result<(), DomainError> {
        let bad = |code: ErrorCode, en: &str, vi: &str| Err(DomainError::invalid(code, en, vi));
        if !valid_code(&self.code) {
            return bad(
                ErrorCode::InvalidGroup,
                "the group code must be 1–40 letters, digits, '-' or '_'",
                "mã nhóm quầy phải gồm 1–40 chữ, số, '-' hoặc '_'",
            );
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 200 {
            return bad(ErrorCode::InvalidName, "the name must have 1–200 characters", "tên phải có 1–200 ký tự");
        }
        if self.prefix.len() != 1 || !self.prefix.bytes().all(|b| b.is_ascii_uppercase()) {
            return bad(
                ErrorCode::InvalidPrefix,
                "the prefix must be one capital letter A–Z",
                "ký hiệu phải là một chữ cái in hoa A–Z",
            );
        }
        if !(1..=20).contains(&self.max_priority_run) {
            return bad(
                ErrorCode::InvalidPriorityRun,
                "max_priority_run must be between 1 and 20",
                "số lượt ưu tiên liên tiếp phải từ 1 đến 20",
            );
        }
        Ok(())
    }
}

/// A counter (quầy) of a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counter {
    /// Stable id, e.g. `C1-Q01` (the API takes it from the path).
    #[serde(default)]
    pub id: String,
    /// Display name, e.g. "Quầy 1".
    pub name: String,
    /// The group it calls from.
    pub group: String,
}

impl Counter {
    pub fn validate(&self) -> Result<(), DomainError> {
        if !valid_code(&self.id) || !valid_code(&self.group) {
            return Err(DomainError::invalid(
                ErrorCode::InvalidCounter,
                "counter and group ids must be 1–40 letters, digits, '-' or '_'",
                "mã quầy và mã nhóm phải gồm 1–40 chữ, số, '-' hoặc '_'",
            ));
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 100 {
            return Err(DomainError::invalid(
                ErrorCode::InvalidName,
                "the name must have 1–100 characters",
                "tên phải có 1–100 ký tự",
            ));
        }
        Ok(())
    }
}

fn valid_code(s: &str) -> bool {
    (1..=40).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The local day a ticket belongs to (numbers restart at 00:00 UTC+7).
pub fn ticket_day(at: OffsetDateTime) -> Date {
    at.to_offset(VN).date()
}

/// The printed number: the group's letter and the day's sequence on at least three digits
/// (`A001`, …, `A999`, then `A1000`: never reused within the day).
pub fn ticket_number(prefix: &str, seq: u32) -> String {
    format!("{prefix}{seq:03}")
}

/// The ticket's id: group code, local day and number (`C1-DD-20260525-A001`), unique because the
/// number is unique per group and day; kept when the ticket is transferred.
pub fn ticket_id(group: &str, day: Date, number: &str) -> String {
    format!("{group}-{:04}{:02}{:02}-{number}", day.year(), u8::from(day.month()), day.day())
}

/// A ticket as the rules see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: String,
    pub number: String,
    /// The group it waits in now (changes on transfer).
    pub group: String,
    pub priority: Option<Priority>,
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    pub state: TicketState,
    /// The counter that called it last.
    pub counter: Option<String>,
    /// The officer at that counter.
    pub officer: Option<String>,
    /// First call: the end of the waiting time.
    #[serde(with = "time::serde::rfc3339::option")]
    pub called_at: Option<OffsetDateTime>,
    /// Done: the end of the service time.
    #[serde(with = "time::serde::rfc3339::option")]
    pub done_at: Option<OffsetDateTime>,
    /// How many times it was called (recalls included).
    pub calls: u32,
    /// The group it was transferred from, if any.
    pub transferred_from: Option<String>,
    /// The dossier received from this ticket.
    pub dossier: Option<DossierCode>,
    /// Number of events in its history (the optimistic version).
    #[serde(default)]
    pub version: i64,
}

/// One entry of a ticket's history: what a decision decided, when and by whom. Folding an event
/// ([`Ticket::fold_event`]) only reads the event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketEvent {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The officer at the counter, `kiosk` for an issue, `system` for an adoption.
    pub by: String,
    #[serde(flatten)]
    pub what: TicketChange,
}

/// What happened to a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TicketChange {
    /// Printed at the kiosk: the waiting ticket with its number.
    Issued {
        ticket: Box<Ticket>,
    },
    /// The ticket as it stood when its history began (tickets issued before histories were kept,
    /// migration 0014): nothing earlier is known.
    Adopted {
        ticket: Box<Ticket>,
    },
    /// Called to `counter` by the event's officer.
    Called {
        counter: String,
    },
    Recalled,
    Served,
    Skipped,
    Requeued,
    Transferred {
        to: String,
    },
    Done {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dossier: Option<DossierCode>,
    },
    LinkedDossier {
        dossier: DossierCode,
    },
}

impl TicketChange {
    pub fn name(&self) -> &'static str {
        match self {
            TicketChange::Issued { .. } => "issued",
            TicketChange::Adopted { .. } => "adopted",
            TicketChange::Called { .. } => "called",
            TicketChange::Recalled => "recalled",
            TicketChange::Served => "served",
            TicketChange::Skipped => "skipped",
            TicketChange::Requeued => "requeued",
            TicketChange::Transferred { .. } => "transferred",
            TicketChange::Done { .. } => "done",
            TicketChange::LinkedDossier { .. } => "linked_dossier",
        }
    }
}

impl Ticket {
    /// The ticket after `e` (pure: the event carries everything).
    pub fn fold_event(mut self, e: &TicketEvent) -> Ticket {
        match &e.what {
            TicketChange::Issued { ticket } | TicketChange::Adopted { ticket } => {
                return Ticket { version: 1, ..(**ticket).clone() };
            }
            TicketChange::Called { counter } => {
                self.state = TicketState::Called;
                self.counter = Some(counter.clone());
                self.officer = Some(e.by.clone());
                self.called_at.get_or_insert(e.at);
                self.calls += 1;
            }
            TicketChange::Recalled => {
                self.calls += 1;
                self.officer = Some(e.by.clone());
            }
            TicketChange::Served => self.state = TicketState::Serving,
            TicketChange::Skipped => self.state = TicketState::Skipped,
            TicketChange::Requeued => {
                self.state = TicketState::Waiting;
                self.counter = None;
            }
            TicketChange::Transferred { to } => {
                self.transferred_from = Some(std::mem::replace(&mut self.group, to.clone()));
                self.state = TicketState::Waiting;
                self.counter = None;
            }
            TicketChange::Done { dossier } => {
                self.state = TicketState::Done;
                self.done_at = Some(e.at);
                if dossier.is_some() {
                    self.dossier = dossier.clone();
                }
            }
            TicketChange::LinkedDossier { dossier } => self.dossier = Some(dossier.clone()),
        }
        self.version += 1;
        self
    }
}

impl crate::record::Record for Ticket {
    const KIND: &'static str = "queue_ticket";
    type Event = TicketEvent;

    fn id(&self) -> &str {
        &self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn fold(state: Option<Ticket>, e: &TicketEvent) -> Result<Ticket, DomainError> {
        let opens = matches!(e.what, TicketChange::Issued { .. } | TicketChange::Adopted { .. });
        match state {
            None if opens => Ok(Ticket::fold_event(Ticket::placeholder(), e)),
            None => Err(crate::record::unfit("queue_ticket", "the history must start with an issue")),
            Some(_) if opens => Err(crate::record::unfit("queue_ticket", "issued twice")),
            Some(t) => Ok(t.fold_event(e)),
        }
    }
    fn event_at(e: &TicketEvent) -> OffsetDateTime {
        e.at
    }
    fn event_actor(e: &TicketEvent) -> &str {
        &e.by
    }
    fn event_action(e: &TicketEvent) -> &'static str {
        e.what.name()
    }
    /// Instants in UTC, as the projection's columns keep them.
    fn audited(&self) -> Ticket {
        let utc = |t: OffsetDateTime| t.to_offset(UtcOffset::UTC);
        Ticket {
            issued_at: utc(self.issued_at),
            called_at: self.called_at.map(utc),
            done_at: self.done_at.map(utc),
            ..self.clone()
        }
    }
}

impl Ticket {
    /// What an opening event replaces entirely.
    fn placeholder() -> Ticket {
        Ticket {
            id: String::new(),
            number: String::new(),
            group: String::new(),
            priority: None,
            issued_at: OffsetDateTime::UNIX_EPOCH,
            state: TicketState::Waiting,
            counter: None,
            officer: None,
            called_at: None,
            done_at: None,
            calls: 0,
            transferred_from: None,
            dossier: None,
            version: 0,
        }
    }
}

/// What an officer does to a ticket already called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Call the same number again (the citizen did not hear it).
    Recall,
    /// The citizen sat down: service starts.
    Serve,
    /// The citizen did not come.
    Skip,
    /// The citizen came back: the skipped ticket waits again at its original place.
    Requeue,
    /// To another group (another field), keeping the issue time.
    Transfer { to: String },
    /// Service finished, optionally with the dossier received.
    Done,
}

fn wrong_state(t: &Ticket, what: &str, what_vi: &str) -> DomainError {
    DomainError::rule(
        ErrorCode::InvalidTicketState,
        format!("ticket {} is {}: it cannot be {what}", t.number, t.state.as_str()),
        format!("số {} đang ở trạng thái \"{}\": không thể {what_vi}", t.number, t.state.label_vi()),
    )
}

/// Applies `step` by the officer at `counter` at instant `now`. Only the counter that called a
/// ticket may recall, serve, skip or finish it; a skipped ticket may be re-queued by any counter
/// of its group; a waiting ticket may be transferred by any counter of its group.
pub fn apply(
    t: &Ticket,
    counter: &Counter,
    officer: &str,
    step: &Step,
    now: OffsetDateTime,
) -> Result<Ticket, DomainError> {
    Ok(t.clone().fold_event(&decide(t, counter, officer, step, None, now)?))
}

/// Decides `step` (see [`apply`]); `dossier` is the dossier received, recorded with `done`.
pub fn decide(
    t: &Ticket,
    counter: &Counter,
    officer: &str,
    step: &Step,
    dossier: Option<&DossierCode>,
    now: OffsetDateTime,
) -> Result<TicketEvent, DomainError> {
    let at_this_counter = t.counter.as_deref() == Some(counter.id.as_str());
    let active = matches!(t.state, TicketState::Called | TicketState::Serving);
    let in_group = t.group == counter.group;
    let not_yours = || {
        DomainError::rule(
            ErrorCode::NotThisCounter,
            format!("ticket {} is handled by another counter", t.number),
            format!("số {} do quầy khác phục vụ", t.number),
        )
    };
    let what = match step {
        Step::Recall | Step::Serve | Step::Skip | Step::Done if active && !at_this_counter => return Err(not_yours()),
        Step::Recall if active => TicketChange::Recalled,
        Step::Recall => return Err(wrong_state(t, "recalled", "gọi lại")),
        Step::Serve if t.state == TicketState::Called => TicketChange::Served,
        Step::Serve => return Err(wrong_state(t, "served", "bắt đầu phục vụ")),
        Step::Skip if active => TicketChange::Skipped,
        Step::Skip => return Err(wrong_state(t, "skipped", "bỏ qua")),
        Step::Done if active => TicketChange::Done { dossier: dossier.cloned() },
        Step::Done => return Err(wrong_state(t, "finished", "kết thúc")),
        Step::Requeue if t.state == TicketState::Skipped && in_group => TicketChange::Requeued,
        Step::Requeue if t.state == TicketState::Skipped => return Err(not_yours()),
        Step::Requeue => return Err(wrong_state(t, "re-queued", "xếp lại hàng")),
        Step::Transfer { to } => {
            let allowed = (active && at_this_counter) || (t.state == TicketState::Waiting && in_group);
            if !allowed {
                return Err(if active { not_yours() } else { wrong_state(t, "transferred", "chuyển nhóm") });
            }
            if *to == t.group {
                return Err(DomainError::invalid(
                    ErrorCode::SameGroup,
                    "the ticket is already in that group",
                    "số thứ tự đã thuộc nhóm quầy này",
                ));
            }
            TicketChange::Transferred { to: to.clone() }
        }
    };
    Ok(TicketEvent { at: now, by: officer.to_owned(), what })
}

/// The call itself: `t` (chosen by [`order::next_ticket`]) becomes called at `counter`.
pub fn call(t: &Ticket, counter: &Counter, officer: &str, now: OffsetDateTime) -> Result<Ticket, DomainError> {
    Ok(t.clone().fold_event(&decide_call(t, counter, officer, now)?))
}

/// Decides the call (see [`call`]).
pub fn decide_call(
    t: &Ticket,
    counter: &Counter,
    officer: &str,
    now: OffsetDateTime,
) -> Result<TicketEvent, DomainError> {
    if t.state != TicketState::Waiting || t.group != counter.group {
        return Err(wrong_state(t, "called", "gọi"));
    }
    Ok(TicketEvent { at: now, by: officer.to_owned(), what: TicketChange::Called { counter: counter.id.clone() } })
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    pub(crate) fn ticket(id: &str, priority: Option<Priority>, at: OffsetDateTime) -> Ticket {
        Ticket {
            id: id.into(),
            number: id.into(),
            group: "G".into(),
            priority,
            issued_at: at,
            state: TicketState::Waiting,
            counter: None,
            officer: None,
            called_at: None,
            done_at: None,
            calls: 0,
            transferred_from: None,
            dossier: None,
            version: 1,
        }
    }

    fn counter(id: &str) -> Counter {
        Counter { id: id.into(), name: id.into(), group: "G".into() }
    }

    #[test]
    fn numbers_have_three_digits_and_restart_at_local_midnight() {
        assert_eq!(ticket_number("A", 7), "A007");
        assert_eq!(ticket_number("A", 1234), "A1234");
        // 16:59 UTC is 23:59 in Vietnam; 17:00 UTC is the next local day.
        assert_eq!(ticket_day(datetime!(2026-05-25 16:59 UTC)).to_string(), "2026-05-25");
        assert_eq!(ticket_day(datetime!(2026-05-25 17:00 UTC)).to_string(), "2026-05-26");
        assert_eq!(ticket_id("C1-DD", ticket_day(datetime!(2026-05-25 01:00 UTC)), "A001"), "C1-DD-20260525-A001");
    }

    #[test]
    fn priorities_parse_and_unknown_ones_are_refused() {
        assert_eq!(Priority::parse("").unwrap(), None);
        assert_eq!(Priority::parse("pregnant").unwrap(), Some(Priority::Pregnant));
        assert_eq!(Priority::parse("vip").unwrap_err().code, "invalid_priority");
    }

    #[test]
    fn a_called_ticket_is_recalled_served_and_finished_only_by_its_counter() {
        let now = datetime!(2026-05-25 02:00 UTC);
        let t = call(&ticket("A001", None, now), &counter("Q1"), "tiepnhan", now).unwrap();
        assert_eq!(apply(&t, &counter("Q2"), "x", &Step::Done, now).unwrap_err().code, "not_this_counter");
        let t = apply(&t, &counter("Q1"), "tiepnhan", &Step::Recall, now).unwrap();
        assert_eq!((t.calls, t.called_at), (2, Some(now)));
        let t = apply(&t, &counter("Q1"), "tiepnhan", &Step::Serve, now).unwrap();
        let t = apply(&t, &counter("Q1"), "tiepnhan", &Step::Done, now).unwrap();
        assert_eq!(t.state, TicketState::Done);
        assert_eq!(apply(&t, &counter("Q1"), "tiepnhan", &Step::Skip, now).unwrap_err().code, "invalid_ticket_state");
    }

    #[test]
    fn a_skipped_ticket_is_requeued_and_a_transfer_keeps_the_issue_time() {
        let t0 = datetime!(2026-05-25 01:00 UTC);
        let now = datetime!(2026-05-25 02:00 UTC);
        let t = call(&ticket("A001", None, t0), &counter("Q1"), "tiepnhan", now).unwrap();
        let t = apply(&t, &counter("Q1"), "tiepnhan", &Step::Skip, now).unwrap();
        let t = apply(&t, &counter("Q2"), "other", &Step::Requeue, now).unwrap();
        assert_eq!(t.state, TicketState::Waiting);
        let t = apply(&t, &counter("Q2"), "other", &Step::Transfer { to: "H".into() }, now).unwrap();
        assert_eq!((t.group.as_str(), t.issued_at, t.transferred_from.as_deref()), ("H", t0, Some("G")));
        assert_eq!(call(&t, &counter("Q1"), "x", now).unwrap_err().code, "invalid_ticket_state");
    }

    #[test]
    fn a_ticket_is_the_fold_of_its_history_on_any_day() {
        use crate::record::{Record, replay};
        let t0 = datetime!(2026-05-25 08:00 +7);
        let issued = TicketEvent {
            at: t0,
            by: "kiosk".into(),
            what: TicketChange::Issued { ticket: Box::new(ticket("A001", None, t0)) },
        };
        let t = Ticket::fold(None, &issued).unwrap();
        let mut events = vec![issued.clone()];
        let mut live = t.clone();
        let steps = [Step::Recall, Step::Serve, Step::Done];
        let call = decide_call(&live, &counter("Q1"), "tiepnhan", t0 + time::Duration::minutes(5)).unwrap();
        live = Ticket::fold(Some(live), &call).unwrap();
        events.push(call);
        for (i, step) in steps.iter().enumerate() {
            let at = t0 + time::Duration::minutes(10 + i as i64);
            let e = decide(
                &live,
                &counter("Q1"),
                "tiepnhan",
                step,
                Some(&DossierCode::parse("C1-260525-0001").unwrap()),
                at,
            )
            .unwrap();
            live = Ticket::fold(Some(live), &e).unwrap();
            events.push(e);
        }
        assert_eq!((live.version, live.calls, live.state), (5, 2, TicketState::Done));
        assert_eq!(live.dossier.as_deref(), Some("C1-260525-0001"));
        assert_eq!(live.done_at, Some(t0 + time::Duration::minutes(12)));
        assert_eq!(replay::<Ticket>(&events).unwrap(), Some(live.clone()));
        // The events survive a round trip through their stored text.
        let text = crate::record::canonical::<Ticket>(&live.id, 2, &events[1]).unwrap();
        assert_eq!(crate::record::parse_canonical::<Ticket>(&text).unwrap(), events[1]);
        assert_eq!(Ticket::fold(Some(live), &issued).unwrap_err().code, "history_unfit");
        assert_eq!(Ticket::fold(None, &events[1]).unwrap_err().code, "history_unfit");
    }
}
