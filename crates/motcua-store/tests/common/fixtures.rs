//! Reference data and helpers shared by the storage tests: units, procedures, officers, and the
//! two writer calls (`create`, `act`) built the way the web layer builds them.

use motcua_domain::ErrorCode;
use std::sync::LazyLock;

use motcua_domain::calendar::Calendar;
use motcua_domain::catalog::{COMMUNE_AGENCY, Fee, Level, OnlineLevel, Procedure};
use motcua_domain::code::{DEFAULT_TEMPLATE, render};
use motcua_domain::dossier::actions::{Action, Ctx, create, decide};
use motcua_domain::dossier::event::{Event, EventData};
use motcua_domain::dossier::timeliness::VN_OFFSET;
use motcua_domain::dossier::{Actor, Applicant, Channel, DocumentRecord, Dossier, Role};
use motcua_domain::process::{ProcessStep, StepUnit};
use motcua_store::writer::Decide;
use motcua_store::{CreateJob, Store, StoreError};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The provincial one-stop center (receives province-level dossiers).
pub const CENTER: &str = "000.00.01.H01";
/// A provincial department (Sở Tư pháp) that resolves province-level procedures.
pub const AGENCY: &str = "000.00.12.H01";
/// A commune with its own one-stop (receives and resolves commune-level procedures).
pub const COMMUNE: &str = "000.30.01.H01";
/// Another commune, for inbox scoping.
pub const OTHER_COMMUNE: &str = "000.30.02.H01";

/// The working calendar every decision uses (2024–2026 announcements shipped).
pub static CALENDAR: LazyLock<Calendar> = LazyLock::new(Calendar::vietnam_default);

/// An instant from RFC 3339 text (`2025-07-07T09:00:00+07:00`).
pub fn at(s: &str) -> OffsetDateTime {
    OffsetDateTime::parse(s, &Rfc3339).unwrap_or_else(|e| panic!("bad instant {s}: {e}"))
}

/// A commune-level procedure with a four-step internal process (5 working days, no fee).
pub fn marriage() -> Procedure {
    Procedure {
        code: motcua_domain::catalog::ProcedureCode::parse("1.000894").unwrap(),
        version: 1,
        name: "Đăng ký kết hôn".into(),
        field: "Hộ tịch".into(),
        level: Level::Commune,
        agency: COMMUNE_AGENCY.into(),
        processing_days: Some(5.0),
        processing_hours: None,
        fees: vec![],
        documents: vec![],
        results: vec!["Giấy chứng nhận kết hôn".into()],
        legal_basis: vec!["Luật Hộ tịch 2014".into()],
        online_level: OnlineLevel::Full,
        steps: vec![
            step("Tiếp nhận", Role::Receiver, StepUnit::Center, 0.5),
            step("Thẩm định", Role::Specialist, StepUnit::Commune, 3.0),
            step("Phê duyệt", Role::Leader, StepUnit::Commune, 1.0),
            step("Trả kết quả", Role::Receiver, StepUnit::Center, 0.5),
        ],
    }
}

/// A province-level procedure resolved by [`AGENCY`], with a fee (10 working days).
pub fn land() -> Procedure {
    Procedure {
        code: motcua_domain::catalog::ProcedureCode::parse("1.004227").unwrap(),
        version: 1,
        name: "Đăng ký đất đai lần đầu".into(),
        field: "Đất đai".into(),
        level: Level::Province,
        agency: AGENCY.into(),
        processing_days: Some(10.0),
        processing_hours: None,
        fees: vec![Fee::fixed("Lệ phí", 100_000)],
        documents: vec![],
        results: vec![],
        legal_basis: vec![],
        online_level: OnlineLevel::Partial,
        steps: vec![
            step("Tiếp nhận", Role::Receiver, StepUnit::Center, 0.5),
            step("Thẩm định", Role::Specialist, StepUnit::Agency, 8.0),
            step("Phê duyệt", Role::Leader, StepUnit::Agency, 1.0),
            step("Trả kết quả", Role::Receiver, StepUnit::Center, 0.5),
        ],
    }
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

/// An officer holding `role` in `unit`.
/// A unit code the test knows to be well formed.
pub fn unit_code(s: &str) -> motcua_domain::ids::UnitCode {
    motcua_domain::ids::UnitCode::parse(s).unwrap()
}

pub fn officer(username: &str, role: Role, unit: &str) -> Actor {
    Actor::Officer { username: username.into(), grants: vec![(unit_code(unit), role)] }
}

/// The receiver (tiếp nhận) of `unit`.
pub fn receiver(unit: &str) -> Actor {
    officer("tiepnhan", Role::Receiver, unit)
}

/// The leader (lãnh đạo) of `unit`.
pub fn leader(unit: &str) -> Actor {
    officer("lanhdao", Role::Leader, unit)
}

/// The specialist (chuyên viên) of `unit`.
pub fn specialist(unit: &str) -> Actor {
    officer("chuyenvien", Role::Specialist, unit)
}

/// A valid applicant block.
pub fn applicant() -> Applicant {
    Applicant {
        name: "Nguyễn Văn An".into(),
        id_number: "079090001234".into(),
        phone: "0912345678".into(),
        email: "an@example.vn".into(),
        address: "Phú Quốc, An Giang".into(),
    }
}

/// Where a new dossier goes and when it arrives.
#[derive(Clone)]
pub struct NewDossier {
    pub procedure: Procedure,
    pub channel: Channel,
    pub receiving: String,
    pub resolving: String,
    pub at: OffsetDateTime,
}

impl NewDossier {
    /// An online submission of `procedure` at `at`, received by `receiving` and resolved by
    /// `resolving`.
    pub fn online(procedure: Procedure, receiving: &str, resolving: &str, at: OffsetDateTime) -> NewDossier {
        NewDossier { procedure, channel: Channel::Online, receiving: receiving.into(), resolving: resolving.into(), at }
    }

    /// The `create` event for a given code.
    pub fn event(&self, code: String) -> Result<Event, motcua_domain::DomainError> {
        let created = create::decide(create::NewDossier {
            code: motcua_domain::dossier::DossierCode::parse(&code).unwrap(),
            procedure: &self.procedure,
            channel: self.channel,
            applicant: applicant(),
            documents: vec![DocumentRecord::named("Tờ khai")],
            receiving_unit: motcua_domain::dossier::UnitCode::parse(&self.receiving).unwrap(),
            resolving_unit: motcua_domain::dossier::UnitCode::parse(&self.resolving).unwrap(),
            at: self.at,
        })?;
        Ok(Event { at: self.at, actor: "applicant".into(), data: EventData::Create(created) })
    }

    /// The local (UTC+7) day of the submission, the key of the code sequence.
    pub fn day(&self) -> String {
        self.at.to_offset(VN_OFFSET).date().to_string()
    }

    /// The writer job: the code is rendered from the receiving unit's sequence number.
    pub fn job(&self) -> CreateJob {
        let this = self.clone();
        CreateJob {
            seq_unit: self.receiving.clone(),
            day: self.day(),
            secret_hash: motcua_domain::audit::sha256_hex(&[b"secret"]),
            build: Box::new(move |seq| {
                let code = render(DEFAULT_TEMPLATE, &this.receiving, this.at.to_offset(VN_OFFSET).date(), seq)?;
                Ok(vec![this.event(code.to_string())?])
            }),
            key: None,
        }
    }
}

/// Creates a dossier through the writer.
pub async fn create_dossier(store: &Store, n: &NewDossier) -> Dossier {
    store.writer.create(n.job()).await.unwrap_or_else(|e| panic!("creating a dossier: {e}"))
}

/// A decide closure: the domain decides `action` by `actor` at `when` on the current projection.
pub fn decider(actor: Actor, action: Action, when: OffsetDateTime) -> Decide {
    Box::new(move |d: &Dossier| Ok(vec![decide(d, &action, &Ctx { calendar: &CALENDAR, at: when, actor: &actor })?]))
}

/// Applies one action through the writer, checking the version.
pub async fn act(
    store: &Store,
    code: &str,
    version: i64,
    actor: Actor,
    action: Action,
    when: OffsetDateTime,
) -> Result<Dossier, StoreError> {
    store.writer.act(code.to_owned(), Some(version), decider(actor, action, when)).await
}

/// Parses an action from its API JSON (`{"action": "assign", "assignee": "chuyenvien"}`).
pub fn action(json: serde_json::Value) -> Action {
    serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("bad action {json}: {e}"))
}

/// Holds the writer inside one job until released, so that every request sent meanwhile queues
/// up and is committed together in the next batch (group commit).
pub struct HeldWriter {
    release: std::sync::mpsc::Sender<()>,
    done: tokio::task::JoinHandle<Result<Dossier, StoreError>>,
}

impl HeldWriter {
    /// Blocks the writer in the decide step of an action on `code` (which must exist). The held
    /// action is then refused, so it writes nothing.
    pub async fn hold(store: &Store, code: &str) -> HeldWriter {
        let (started, is_started) = tokio::sync::oneshot::channel::<()>();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let writer = store.writer.clone();
        let code = code.to_owned();
        let done = tokio::spawn(async move {
            writer
                .act(
                    code,
                    None,
                    Box::new(move |_| {
                        started.send(()).ok();
                        // Hand this worker's queued tasks (the test, woken just now) to another
                        // thread before blocking it.
                        tokio::task::block_in_place(|| released.recv().ok());
                        Err(motcua_domain::DomainError::rule(
                            ErrorCode::InvalidTransition,
                            "held by the test",
                            "giữ bởi kiểm thử",
                        ))
                    }),
                )
                .await
        });
        is_started.await.expect("the writer runs the held job");
        HeldWriter { release, done }
    }

    /// Lets the writer go on (after giving queued requests time to reach its channel).
    pub async fn release(self) {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        self.release.send(()).ok();
        let r = self.done.await.expect("held job");
        assert!(
            matches!(r, Err(StoreError::Domain(ref e)) if e.code == ErrorCode::InvalidTransition),
            "the held job is refused: {r:?}"
        );
    }
}
