//! Fixtures shared by the dossier tests: a calendar, a procedure with a five-step internal
//! process, the officers of a center and two agencies, and a [`Story`] that drives a dossier
//! through `decide` + `apply` while keeping its event log.
//!
//! Each test binary uses a different part of this module, hence the `dead_code` allowance.
#![allow(dead_code)]

use motcua_domain::DomainError;
use motcua_domain::calendar::{Calendar, WorkingTime};
use motcua_domain::catalog::{Fee, Level, OnlineLevel, Procedure};
use motcua_domain::dossier::actions::{
    Action, ActionKind, Ctx, approve, assign, complete_step, create, decide, extend, rate, receive, refuse, reject,
    request_supplement, return_result, supplement, transfer, withdraw,
};
use motcua_domain::dossier::event::{Event, EventData, apply, replay};
use motcua_domain::dossier::{Actor, Applicant, Channel, DocumentRecord, Dossier, Role};
use motcua_domain::dossier::{DossierCode, UnitCode};
use motcua_domain::process::{ProcessStep, StepUnit};
use time::{Duration, OffsetDateTime};

/// The provincial one-stop center that receives and returns dossiers.
pub const CENTER: &str = "C1";
/// Another one-stop (a commune center).
pub const OTHER_CENTER: &str = "C2";
/// The agency that resolves the fixture procedure.
pub const AGENCY: &str = "STP";
/// Another agency, target of transfers.
pub const OTHER_AGENCY: &str = "SXD";
/// The fee of the fixture procedure, in đồng.
pub const FEE: i64 = 100_000;

/// The default Vietnamese calendar (Decisions 1, 9).
pub fn calendar() -> Calendar {
    Calendar::vietnam_default()
}

/// Working days as [`WorkingTime`].
pub fn days(n: f64) -> WorkingTime {
    WorkingTime::from_days(n).unwrap_or_else(|e| panic!("{n} days: {e}"))
}

/// Working hours as [`WorkingTime`].
pub fn hours(n: f64) -> WorkingTime {
    WorkingTime::from_hours(n).unwrap_or_else(|e| panic!("{n} hours: {e}"))
}

fn step(name: &str, role: Role, unit: StepUnit, days: f64) -> ProcessStep {
    ProcessStep {
        name: name.into(),
        role,
        unit,
        days: Some(days),
        hours: None,
        parallel: None,
        unit_code: None,
        optional: false,
    }
}

/// The five steps of the fixture process (3 working days in all).
pub fn five_steps() -> Vec<ProcessStep> {
    vec![
        step("Tiếp nhận", Role::Receiver, StepUnit::Center, 0.5),
        step("Phân công", Role::Leader, StepUnit::Agency, 0.5),
        step("Thẩm định", Role::Specialist, StepUnit::Agency, 1.5),
        step("Phê duyệt", Role::Leader, StepUnit::Agency, 0.25),
        step("Trả kết quả", Role::Receiver, StepUnit::Center, 0.25),
    ]
}

/// A province-level procedure of `days` working days with `steps`, fee [`FEE`], online.
pub fn procedure_with(days: f64, steps: Vec<ProcessStep>) -> Procedure {
    Procedure {
        code: motcua_domain::catalog::ProcedureCode::parse("1.001193").unwrap(),
        version: 3,
        name: "Cấp phiếu lý lịch tư pháp".into(),
        field: "Lý lịch tư pháp".into(),
        level: Level::Province,
        agency: AGENCY.into(),
        processing_days: Some(days),
        processing_hours: None,
        fees: vec![Fee::fixed("Phí cung cấp thông tin lý lịch tư pháp", FEE)],
        documents: vec![],
        results: vec!["Phiếu lý lịch tư pháp".into()],
        legal_basis: vec!["Luật Lý lịch tư pháp 2009".into()],
        online_level: OnlineLevel::Full,
        steps,
    }
}

/// The fixture procedure: 3 working days, the five steps, fee [`FEE`].
pub fn procedure() -> Procedure {
    procedure_with(3.0, five_steps())
}

/// A well-formed applicant.
pub fn applicant() -> Applicant {
    Applicant {
        name: "Nguyễn Văn An".into(),
        id_number: "091234567890".into(),
        phone: "0912345678".into(),
        email: "an.nguyen@example.vn".into(),
        address: "Phường Long Xuyên, tỉnh An Giang".into(),
    }
}

/// One submitted document.
pub fn documents() -> Vec<DocumentRecord> {
    vec![DocumentRecord::named("Tờ khai")]
}

/// An officer with `roles` in `units`.
pub fn officer(name: &str, roles: &[Role], units: &[&str]) -> Actor {
    let grants = units
        .iter()
        .flat_map(|u| roles.iter().map(move |r| (motcua_domain::ids::UnitCode::parse(u).unwrap(), *r)))
        .collect();
    Actor::Officer { username: name.into(), grants }
}

/// The receiver of [`CENTER`].
pub fn receiver() -> Actor {
    officer("tiepnhan", &[Role::Receiver], &[CENTER])
}
/// The leader of [`AGENCY`].
pub fn leader() -> Actor {
    officer("lanhdao", &[Role::Leader], &[AGENCY])
}
/// The specialist of [`AGENCY`].
pub fn specialist() -> Actor {
    officer("chuyenvien", &[Role::Specialist], &[AGENCY])
}
/// The receiver of another center.
pub fn other_receiver() -> Actor {
    officer("tiepnhan.xa", &[Role::Receiver], &[OTHER_CENTER])
}
/// The leader of [`OTHER_AGENCY`].
pub fn other_leader() -> Actor {
    officer("lanhdao.sxd", &[Role::Leader], &[OTHER_AGENCY])
}
/// The specialist of [`OTHER_AGENCY`].
pub fn other_specialist() -> Actor {
    officer("chuyenvien.sxd", &[Role::Specialist], &[OTHER_AGENCY])
}
/// A clerk of [`AGENCY`] (no lifecycle rights).
pub fn clerk() -> Actor {
    officer("vanthu", &[Role::Clerk], &[AGENCY])
}
/// The center's administrator (no lifecycle rights by role alone).
pub fn center_admin() -> Actor {
    officer("giamdoc", &[Role::CenterAdmin, Role::SystemAdmin], &[CENTER])
}

/// Everybody, for role × state matrices.
pub fn roster() -> Vec<Actor> {
    vec![
        receiver(),
        leader(),
        specialist(),
        other_receiver(),
        other_leader(),
        other_specialist(),
        clerk(),
        center_admin(),
        Actor::Applicant,
    ]
}

/// `receive` with nothing scanned.
pub fn receive() -> Action {
    Action::Receive(receive::Receive::default())
}
pub fn refuse() -> Action {
    Action::Refuse(refuse::Refuse { reason: "Không thuộc thẩm quyền".into() })
}
pub fn request_supplement() -> Action {
    Action::RequestSupplement(request_supplement::RequestSupplement {
        reason: "Thiếu bản sao giấy tờ tùy thân".into(),
        items: vec!["Bản sao CCCD".into()],
    })
}
pub fn supplement() -> Action {
    Action::Supplement(supplement::Supplement {
        documents: vec![DocumentRecord::named("Bản sao CCCD")],
        note: String::new(),
    })
}
pub fn assign(to: &str) -> Action {
    Action::Assign(assign::Assign { assignee: to.into() })
}
pub fn complete() -> Action {
    Action::CompleteStep(complete_step::CompleteStep::default())
}
pub fn transfer(to: &str) -> Action {
    Action::Transfer(transfer::Transfer {
        to_unit: to.into(), reason: "Thuộc thẩm quyền Sở Xây dựng".into()
    })
}
pub fn approve() -> Action {
    Action::Approve(approve::Approve { result_file: Some("ketqua".into()), ..Default::default() })
}
pub fn reject() -> Action {
    Action::Reject(reject::Reject { reason: "Không đủ điều kiện".into() })
}
pub fn extend(new_due_at: OffsetDateTime) -> Action {
    Action::Extend(extend::Extend { new_due_at, reason: "Cần xác minh thêm".into() })
}
pub fn return_result(fee_paid: bool) -> Action {
    Action::ReturnResult(return_result::ReturnResult { fee_paid, paid_online: false })
}
pub fn withdraw() -> Action {
    Action::Withdraw(withdraw::Withdraw { reason: "Không có nhu cầu nữa".into() })
}
pub fn decline_withdrawal() -> Action {
    use motcua_domain::dossier::actions::decline_withdrawal::DeclineWithdrawal;
    Action::DeclineWithdrawal(DeclineWithdrawal { reason: "Hồ sơ đã có kết quả giải quyết".into() })
}
pub fn rate(score: i64) -> Action {
    Action::Rate(rate::Rate { score, comment: String::new() })
}

/// A payload `decide` should accept for `kind` whenever the rules allow `kind` on `d`.
pub fn valid_payload(kind: ActionKind, d: &Dossier) -> Action {
    match kind {
        ActionKind::Receive => receive(),
        ActionKind::Refuse => refuse(),
        ActionKind::RequestSupplement => request_supplement(),
        ActionKind::Supplement => supplement(),
        ActionKind::Assign => assign("chuyenvien"),
        ActionKind::CompleteStep => complete(),
        ActionKind::Transfer => transfer(if d.resolving_unit == OTHER_AGENCY { AGENCY } else { OTHER_AGENCY }),
        ActionKind::Approve => approve(),
        ActionKind::Reject => reject(),
        ActionKind::Extend => {
            let base = d.appointment_at.or(d.due_at).unwrap_or(d.submitted_at);
            extend(base + Duration::days(7))
        }
        ActionKind::ReturnResult => return_result(true),
        ActionKind::Withdraw => withdraw(),
        ActionKind::DeclineWithdrawal => decline_withdrawal(),
        ActionKind::Rate => rate(5),
        ActionKind::RevokeResult => {
            Action::RevokeResult(motcua_domain::dossier::actions::revoke_result::RevokeResult {
                reason: "Cấp nhầm".into(),
            })
        }
        ActionKind::Rehome => rehome(&d.resolving_unit, OTHER_AGENCY),
        ActionKind::RequestFees => request_fees(),
        ActionKind::RecordPayment => record_payment(d),
        ActionKind::RecordRefund => record_refund(d),
    }
}

/// The system's re-homing of `from` into `to` after a restructure.
pub fn rehome(from: &str, to: &str) -> Action {
    use motcua_domain::dossier::actions::rehome::{Rehome, UnitMove};
    let moves = vec![UnitMove { from_unit: from.into(), to_unit: to.into() }];
    Action::Rehome(Rehome { moves, legal_basis: "NQ 1654/NQ-UBTVQH15".into() })
}

/// A dossier's history and its projection, built the way the web layer does it:
/// decide → append the event → apply.
pub struct Story {
    pub cal: Calendar,
    pub events: Vec<Event>,
    pub d: Dossier,
}

impl Story {
    /// A dossier of `procedure` submitted through `channel` at `at` (receiving [`CENTER`],
    /// resolving [`AGENCY`]).
    pub fn submit_with(procedure: &Procedure, channel: Channel, at: OffsetDateTime) -> Story {
        Story::submit_to(procedure, channel, at, CENTER, AGENCY)
    }

    /// Like [`Story::submit_with`] with explicit receiving and resolving units.
    pub fn submit_to(
        procedure: &Procedure,
        channel: Channel,
        at: OffsetDateTime,
        receiving: &str,
        resolving: &str,
    ) -> Story {
        let created = create::decide(create::NewDossier {
            code: DossierCode::parse(&format!("{receiving}-250310-0001")).unwrap(),
            procedure,
            channel,
            applicant: applicant(),
            documents: documents(),
            receiving_unit: UnitCode::parse(receiving).unwrap(),
            resolving_unit: UnitCode::parse(resolving).unwrap(),
            at,
        })
        .unwrap_or_else(|e| panic!("create: {e}"));
        let actor = if channel == Channel::Online { "applicant" } else { "tiepnhan" };
        let event = Event { at, actor: actor.into(), data: EventData::Create(created) };
        let d = apply(None, &event).unwrap_or_else(|e| panic!("{e}"));
        Story { cal: calendar(), events: vec![event], d }
    }

    /// The fixture procedure submitted online at `at`.
    pub fn online(at: OffsetDateTime) -> Story {
        Story::submit_with(&procedure(), Channel::Online, at)
    }

    /// The fixture procedure submitted online and received at `at`.
    pub fn received(at: OffsetDateTime) -> Story {
        let mut s = Story::online(at);
        s.act(&receiver(), at, receive());
        s
    }

    /// The fixture procedure received at `at`, its leader's and specialist's steps completed by
    /// them: the approval step runs.
    pub fn at_approval(at: OffsetDateTime) -> Story {
        let mut s = Story::received(at);
        s.act(&leader(), at, complete());
        s.act(&specialist(), at, complete());
        s
    }

    /// The leader approves at `at`, after the leader's and the specialist's open steps are
    /// completed by them at that instant (for tests about time, not about the process).
    pub fn approve_at(&mut self, at: OffsetDateTime) -> &Dossier {
        for actor in [leader(), specialist()] {
            if self.attempt(&actor, at, &complete()).is_ok() {
                self.act(&actor, at, complete());
            }
        }
        self.act(&leader(), at, approve())
    }

    /// What `decide` answers, without changing anything.
    pub fn attempt(&self, actor: &Actor, at: OffsetDateTime, action: &Action) -> Result<Event, DomainError> {
        decide(&self.d, action, &Ctx { calendar: &self.cal, at, actor })
    }

    /// Decides and applies; `Err` leaves the story untouched.
    pub fn try_act(&mut self, actor: &Actor, at: OffsetDateTime, action: Action) -> Result<&Dossier, DomainError> {
        let event = self.attempt(actor, at, &action)?;
        self.d = apply(Some(self.d.clone()), &event).unwrap_or_else(|e| panic!("{e}"));
        self.events.push(event);
        Ok(&self.d)
    }

    /// Decides and applies, panicking with the refusal if `decide` says no.
    pub fn act(&mut self, actor: &Actor, at: OffsetDateTime, action: Action) -> &Dossier {
        let kind = action.kind().as_str();
        self.try_act(actor, at, action).unwrap_or_else(|e| panic!("{kind} by {}: {e}", actor.name()))
    }

    /// The refusal `decide` gives, panicking if it accepts; checks nothing changed.
    pub fn refused(&self, actor: &Actor, at: OffsetDateTime, action: Action) -> DomainError {
        let before = self.d.clone();
        let kind = action.kind().as_str();
        let err = match self.attempt(actor, at, &action) {
            Ok(e) => panic!("{kind} by {} was accepted: {e:?}", actor.name()),
            Err(e) => e,
        };
        assert_eq!(self.d, before, "a refused action changes nothing");
        err
    }

    /// The projection rebuilt from the whole log.
    pub fn replayed(&self) -> Dossier {
        replay(&self.events).unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("no events"))
    }
}

pub fn request_fees() -> Action {
    use motcua_domain::dossier::actions::request_fees::RequestFees;
    Action::RequestFees(RequestFees { note: "Nộp phí trực tuyến trên Cổng".into() })
}

/// The platform's confirmation of `d`'s fees (the system's `record_payment`).
pub fn record_payment(d: &Dossier) -> Action {
    use motcua_domain::dossier::PaidFees;
    use motcua_domain::dossier::actions::record_payment::RecordPayment;
    Action::RecordPayment(RecordPayment {
        paid: PaidFees {
            id: "TT-test".into(),
            platform: motcua_domain::payment::Platform::Portal,
            amount: d.fee_total(),
            transaction: "GD1".into(),
            receipt: "BL26-30307 0000001".into(),
            paid_at: d.submitted_at,
            refunded: None,
        },
    })
}

/// The system's `record_refund` of `d`'s online payment.
pub fn record_refund(d: &Dossier) -> Action {
    use motcua_domain::dossier::actions::record_refund::RecordRefund;
    let payment = d.payment.as_ref().map_or_else(|| "TT-test".to_owned(), |p| p.id.clone());
    Action::RecordRefund(RecordRefund { payment, transaction: "HT1".into(), reason: "Không giải quyết".into() })
}
