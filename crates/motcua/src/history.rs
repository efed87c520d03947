//! Generated dossier histories: realistic dossiers pushed through the real domain rules
//! (`decide` + `apply`), for the demo's year of history and for benchmarks. Deterministic for a
//! given seed; no external randomness crate. The probabilities are a [`Rates`] value: the demo
//! uses its defaults, `motcua simulate` the province figures given on its command line.

use motcua_app::files::{DOCUMENT, RESULT};
use motcua_domain::calendar::{Calendar, WorkingTime};
use motcua_domain::catalog::Procedure;
use motcua_domain::code::{DEFAULT_TEMPLATE, render};
use motcua_domain::dossier::actions::{
    Action, Ctx, approve, assign, complete_step, create, decide, rate, refuse, request_supplement, return_result,
    supplement, withdraw,
};
use motcua_domain::dossier::digitization::{Provenance, Source};
use motcua_domain::dossier::event::{Event, EventData, apply};
use motcua_domain::dossier::timeliness::VN_OFFSET;
use motcua_domain::dossier::{Actor, Applicant, Channel, DocumentRecord, Dossier, Role, Status, UnitCode};
use motcua_store::web::NewFile;
use time::{Duration, OffsetDateTime};

/// SplitMix64: small, fast, good enough for synthetic data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// Like [`Rng::chance`], but draws nothing when `p` is zero, so adding a rate that is off
    /// leaves every other draw (and the demo's data for a seed) unchanged.
    pub fn maybe(&mut self, p: f64) -> bool {
        p > 0.0 && self.chance(p)
    }
}

/// Per-dossier probabilities of the generator. `Default` is the demo's year of history.
#[derive(Debug, Clone, PartialEq)]
pub struct Rates {
    /// Online share among dossiers whose procedure accepts online submission (when the caller
    /// does not fix the channel in [`Spec::online`]).
    pub online: f64,
    /// Postal share among the dossiers that are not online.
    pub postal: f64,
    /// Share of dossiers with digitized components. Without `digitized_both`: the share of
    /// paper dossiers scanned at the counter (online ones are always digitized).
    pub digitized_input: f64,
    /// Share of results issued electronically.
    pub digitized_result: f64,
    /// Share of dossiers with every component digitized *and* an electronic result (766
    /// indicator 4.2), drawn first; input and result are then drawn over the rest, so the
    /// three figures land together. `None`: input and result drawn independently.
    pub digitized_both: Option<f64>,
    /// Share of components flagged as re-used digitized data.
    pub reused: f64,
    /// Share of received dossiers planned to finish after their legal time.
    pub late: f64,
    /// Share of dossiers asked for a supplement during processing.
    pub supplement: f64,
    /// Share of online dossiers whose fee is paid online.
    pub paid_online: f64,
    /// Share of returned dossiers the applicant rates.
    pub rated: f64,
    /// Share of ratings that are good (4–5 of 5).
    pub good_rating: f64,
    /// Share of submitted dossiers refused at reception.
    pub refused: f64,
    /// Share of received dossiers withdrawn by the applicant before a result.
    pub withdrawn: f64,
}

impl Default for Rates {
    fn default() -> Rates {
        Rates {
            online: 0.7,
            postal: 0.05,
            digitized_input: 0.9,
            digitized_result: 0.9,
            digitized_both: None,
            reused: 0.2,
            late: 0.04,
            supplement: 0.08,
            paid_online: 0.5,
            rated: 0.6,
            good_rating: 0.9,
            refused: 0.0,
            withdrawn: 0.0,
        }
    }
}

/// What gets digitized in one dossier.
struct Digitization {
    /// How many of the components (the first ones) are digitized.
    documents: usize,
    /// `None`: drawn at approval from [`Rates::digitized_result`].
    result: Option<bool>,
}

impl Rates {
    /// Draws the digitization of a dossier with `n` components.
    fn digitization(&self, rng: &mut Rng, online: bool, n: usize) -> Digitization {
        let Some(both) = self.digitized_both else {
            let input = online || rng.chance(self.digitized_input);
            return Digitization { documents: if input { n } else { 0 }, result: None };
        };
        if rng.chance(both) {
            return Digitization { documents: n, result: Some(true) };
        }
        // The rest: input (any component) and result drawn with the probabilities that complete
        // the configured shares, never both complete.
        let rest = (1.0 - both).max(f64::EPSILON);
        let input = rng.chance(((self.digitized_input - both) / rest).clamp(0.0, 1.0));
        let result = rng.chance(((self.digitized_result - both) / rest).clamp(0.0, 1.0));
        match (input, result) {
            // Some but not all components: the pair would otherwise be "both".
            (true, true) if n > 1 => {
                Digitization { documents: 1 + rng.below(n as u64 - 1) as usize, result: Some(true) }
            }
            // One component: "some but not all" does not exist, so the pair is "both" (the
            // share of such dossiers is small; keeping the result keeps row 4.1 on target).
            (true, true) => Digitization { documents: n, result: Some(true) },
            (true, false) => Digitization { documents: n, result: Some(false) },
            (false, _) => Digitization { documents: 0, result: Some(result) },
        }
    }
}

const FAMILY: [&str; 8] = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi"];
const MIDDLE: [&str; 5] = ["Văn", "Thị", "Minh", "Ngọc", "Hữu"];
const GIVEN: [&str; 10] = ["An", "Bình", "Châu", "Dũng", "Hà", "Khoa", "Lan", "Phúc", "Tâm", "Vy"];

/// Who acts in a unit's dossiers.
pub struct Staff {
    pub receiver: Actor,
    pub specialist: Actor,
    pub leader: Actor,
    pub clerk: Actor,
}

impl Staff {
    fn actor_for(&self, role: Role) -> &Actor {
        match role {
            Role::Receiver => &self.receiver,
            Role::Specialist => &self.specialist,
            Role::Clerk => &self.clerk,
            _ => &self.leader,
        }
    }
}

/// What a receiver states about the fee schedule of a generated dossier: 1–10 pages and 1–3
/// copies for a per-unit line, the optional case one time in four.
fn fee_facts(rng: &mut Rng, p: &Procedure) -> Vec<motcua_domain::catalog::fees::FeeFact> {
    use motcua_domain::catalog::fees::{FeeApplies, FeeFact};
    p.fees
        .iter()
        .enumerate()
        .map(|(line, f)| FeeFact {
            line,
            quantity: f.is_per_unit().then(|| 1 + rng.below(10) as u32),
            groups: f.group.is_some().then(|| 1 + rng.below(3) as u32),
            chosen: f.applies == FeeApplies::WhenChosen && rng.maybe(0.25),
            relief: None,
        })
        .collect()
}

/// One generated dossier.
pub struct Generated {
    pub events: Vec<Event>,
    pub code: String,
    /// The projection after the last event (for counting what was generated).
    pub dossier: Option<Dossier>,
    /// The stored files its documents and result name (the one seed scan, [`seed_file`]).
    pub files: Vec<NewFile>,
}

/// The one scan every generated document and result is a copy of: a one-page PDF that says it is
/// a demo copy. Stored content-addressed, its bytes are kept once however many files name it.
const SEED_PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n\
2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n\
3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n\
4 0 obj<</Length 58>>stream\nBT /F1 18 Tf 72 760 Td (Motcua - ban sao minh hoa / demo copy) Tj ET\nendstream endobj\n\
5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// A generated file `id` of `kind`, owned by the dossier `code` (the scan's hash computed once).
fn seed_file(id: &str, code: &str, kind: &str, name: &str) -> NewFile {
    static SCAN: std::sync::LazyLock<NewFile> = std::sync::LazyLock::new(|| {
        NewFile::new(String::new(), "", String::new(), "application/pdf", SEED_PDF.to_vec())
    });
    let mut f = SCAN.clone();
    f.meta.id = id.to_owned();
    f.meta.kind = kind.to_owned();
    f.meta.name = format!("{name}.pdf");
    f.meta.dossier_code = Some(code.to_owned());
    f
}

/// Parameters of one dossier to generate.
#[derive(Clone, Copy)]
pub struct Spec<'a> {
    pub procedure: &'a Procedure,
    pub receiving: &'a str,
    pub resolving: &'a str,
    pub seq: u64,
    pub submitted_at: OffsetDateTime,
    /// Nothing happens after this instant (the dossier stays in flight).
    pub now: OffsetDateTime,
    /// `Some(true)`: online (when the procedure accepts it); `Some(false)`: counter or postal;
    /// `None`: drawn from [`Rates::online`].
    pub online: Option<bool>,
    pub rates: &'a Rates,
}

/// Generates one dossier's history. Actions are decided by the domain; an action the rules
/// refuse is simply not taken.
pub fn generate(rng: &mut Rng, cal: &Calendar, staff: &Staff, spec: Spec) -> Option<Generated> {
    let p = spec.procedure;
    let rates = spec.rates;
    let online = p.online_level.accepts_online() && spec.online.unwrap_or_else(|| rng.chance(rates.online));
    let channel = if online {
        Channel::Online
    } else if rng.chance(rates.postal) {
        Channel::Postal
    } else {
        Channel::Counter
    };
    let local_date = spec.submitted_at.to_offset(VN_OFFSET).date();
    let code = render(DEFAULT_TEMPLATE, spec.receiving, local_date, spec.seq).ok()?;
    let name = format!(
        "{} {} {}",
        FAMILY[rng.below(8) as usize],
        MIDDLE[rng.below(5) as usize],
        GIVEN[rng.below(10) as usize]
    );
    let applicant = Applicant {
        name,
        id_number: format!("0{:011}", rng.below(100_000_000_000)).into(),
        phone: format!("09{:08}", rng.below(100_000_000)),
        email: String::new(),
        address: "An Giang".into(),
    };
    let digitization = rates.digitization(rng, online, p.documents.len());
    // A digitized component is a stored file (issue 16): uploaded online or scanned at the
    // counter at submission, or taken from the applicant's store (re-use).
    let mut files = Vec::new();
    let documents = p
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| {
            if i >= digitization.documents {
                return DocumentRecord::named(d.name.clone());
            }
            let source = if rng.chance(rates.reused) {
                Source::Store
            } else if online {
                Source::Online
            } else {
                Source::Counter
            };
            let by = if online { Actor::Applicant.name().to_owned() } else { staff.receiver.name().to_owned() };
            let id = format!("{code}-{i}");
            files.push(seed_file(&id, code.as_ref(), DOCUMENT, &d.name));
            DocumentRecord::backed(d.name.clone(), id, Provenance { source, by, at: spec.submitted_at })
        })
        .collect();
    let created = create::decide(create::NewDossier {
        code: code.clone(),
        procedure: p,
        channel,
        applicant,
        documents,
        receiving_unit: UnitCode::parse(spec.receiving).ok()?,
        resolving_unit: UnitCode::parse(spec.resolving).ok()?,
        at: spec.submitted_at,
    })
    .ok()?;
    let creator = if online { Actor::Applicant } else { staff.receiver.clone() };
    let mut run = Run {
        cal,
        now: spec.now,
        events: vec![Event {
            at: spec.submitted_at,
            actor: creator.name().to_owned(),
            data: EventData::Create(created),
        }],
        d: None,
        at: spec.submitted_at,
        files,
    };
    run.d = apply(None, &run.events[0]).ok();
    let hour = WorkingTime::from_hours(1.0).ok()?;
    // Reception: online dossiers wait up to a working day for the counter.
    let wait = if online { WorkingTime(rng.below(8 * 3600) as i64) } else { WorkingTime(0) };
    if rng.maybe(rates.refused) {
        let reason = "Hồ sơ không thuộc thẩm quyền giải quyết".to_owned();
        run.act(&staff.receiver, wait, Action::Refuse(refuse::Refuse { reason }));
        return Some(run.finish(code.to_string()));
    }
    let receive = Action::Receive(motcua_domain::dossier::actions::receive::Receive {
        fees: fee_facts(rng, p),
        ..Default::default()
    });
    if !run.act(&staff.receiver, wait, receive) {
        return Some(run.finish(code.to_string()));
    }
    if rng.maybe(rates.withdrawn) {
        let after = WorkingTime::from_days(rng.unit() * 3.0).ok()?;
        let reason = "Công dân xin rút hồ sơ".to_owned();
        run.act(&Actor::Applicant, after, Action::Withdraw(withdraw::Withdraw { reason }));
        return Some(run.finish(code.to_string()));
    }
    let legal = run.d.as_ref()?.legal_time;
    let start = run.d.as_ref()?.clock_started_at?;
    // Planned finish: most early or on time, a few late.
    let factor = if rng.chance(rates.late) { 1.0 + rng.unit() * 0.4 } else { 0.25 + rng.unit() * 0.7 };
    let finish_at = cal.add(start, WorkingTime((legal.seconds() as f64 * factor) as i64));
    let supplement = rng.chance(rates.supplement);
    // Walk the internal process steps up to approval, each completed by its own role.
    while let Some(d) = run.d.as_ref() {
        let Some(step) = d.current_step().cloned() else { break };
        if step.role == Role::Receiver || Some(d.step) == d.approval_step() {
            break;
        }
        let actor = staff.actor_for(step.role);
        let budget = WorkingTime((step.budget.seconds() as f64 * factor * 0.8) as i64);
        // The leader assigns halfway through the own step, then completes it.
        let mut wait = budget;
        if step.role == Role::Leader && d.assignee.is_none() {
            wait = WorkingTime(budget.seconds() / 2);
            let assign = Action::Assign(assign::Assign { assignee: staff.specialist.name().to_owned() });
            if !run.act(actor, WorkingTime(budget.seconds() - wait.seconds()), assign) {
                return Some(run.finish(code.to_string()));
            }
        }
        let ok = {
            if supplement && step.role == Role::Specialist {
                let reason = "Bổ sung bản sao giấy tờ tùy thân còn hiệu lực".to_owned();
                if !run.act(
                    actor,
                    hour,
                    Action::RequestSupplement(request_supplement::RequestSupplement {
                        reason,
                        items: vec!["Bản sao CCCD".into()],
                    }),
                ) {
                    return Some(run.finish(code.to_string()));
                }
                let pause = WorkingTime::from_days(0.5 + rng.unit() * 2.0).ok()?;
                if !run.act(&Actor::Applicant, pause, Action::Supplement(supplement::Supplement::default())) {
                    return Some(run.finish(code.to_string()));
                }
            }
            run.act(actor, wait, Action::CompleteStep(complete_step::CompleteStep::default()))
        };
        if !ok {
            return Some(run.finish(code.to_string()));
        }
    }
    let target = run.d.as_ref().map(|d| d.paused).unwrap_or_default();
    let finish_at = cal.add(finish_at, target);
    let until_finish = if finish_at > run.at { cal.between(run.at, finish_at) } else { WorkingTime(0) };
    let electronic = digitization.result.unwrap_or_else(|| rng.chance(rates.digitized_result));
    let result_file = electronic.then(|| format!("{code}-kq"));
    let approve = Action::Approve(approve::Approve { result_file: result_file.clone(), ..Default::default() });
    if !run.act(&staff.leader, until_finish, approve) {
        return Some(run.finish(code.to_string()));
    }
    if let Some(id) = result_file {
        run.files.push(seed_file(&id, code.as_ref(), RESULT, &p.name));
    }
    // The steps after the approval (the clerk issues the result), then the return.
    while let Some(step) = run.d.as_ref().and_then(|d| d.current_step().filter(|s| s.role != Role::Receiver).cloned()) {
        let issue = WorkingTime((step.budget.seconds() as f64 * 0.5) as i64);
        if !run.act(staff.actor_for(step.role), issue, Action::CompleteStep(complete_step::CompleteStep::default())) {
            return Some(run.finish(code.to_string()));
        }
    }
    let pickup = WorkingTime::from_hours(rng.unit() * 16.0).ok()?;
    let paid_online = online && rng.chance(rates.paid_online);
    if !run.act(
        &staff.receiver,
        pickup,
        Action::ReturnResult(return_result::ReturnResult { fee_paid: true, paid_online }),
    ) {
        return Some(run.finish(code.to_string()));
    }
    if rng.chance(rates.rated) {
        let score = if rng.chance(rates.good_rating) { 4 + rng.below(2) as i64 } else { 1 + rng.below(3) as i64 };
        run.act(&Actor::Applicant, hour, Action::Rate(rate::Rate { score, comment: String::new() }));
    }
    Some(run.finish(code.to_string()))
}

struct Run<'a> {
    cal: &'a Calendar,
    now: OffsetDateTime,
    events: Vec<Event>,
    d: Option<Dossier>,
    at: OffsetDateTime,
    files: Vec<NewFile>,
}

impl Run<'_> {
    /// Takes `action` after `after` working time; false when it would be in the future or the
    /// rules refuse it.
    fn act(&mut self, actor: &Actor, after: WorkingTime, action: Action) -> bool {
        let at = self.cal.add(self.at, after).max(self.at + Duration::seconds(1));
        let at = at.replace_nanosecond(0).unwrap_or(at);
        if at > self.now {
            return false;
        }
        let Some(d) = self.d.as_ref() else { return false };
        if d.status == Status::Returned && !matches!(action, Action::Rate(_)) {
            return false;
        }
        match decide(d, &action, &Ctx { calendar: self.cal, at, actor }) {
            Ok(e) => match apply(self.d.take(), &e) {
                Ok(next) => {
                    self.d = Some(next);
                    self.events.push(e);
                    self.at = at;
                    true
                }
                Err(_) => false,
            },
            Err(_) => false,
        }
    }

    fn finish(self, code: String) -> Generated {
        Generated { events: self.events, code, dossier: self.d, files: self.files }
    }
}
