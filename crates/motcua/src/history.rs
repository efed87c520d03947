//! Generated dossier histories: realistic dossiers pushed through the real domain rules
//! (`decide` + `apply`), for the demo's year of history and for benchmarks. Deterministic for a
//! given seed; no external randomness crate.

use motcua_domain::calendar::{Calendar, WorkingTime};
use motcua_domain::catalog::Procedure;
use motcua_domain::code::{DEFAULT_TEMPLATE, render};
use motcua_domain::dossier::actions::{
    Action, Ctx, approve, assign, complete_step, create, decide, rate, request_supplement, return_result, supplement,
};
use motcua_domain::dossier::event::{Event, EventData, apply};
use motcua_domain::dossier::timeliness::VN_OFFSET;
use motcua_domain::dossier::{Actor, Applicant, Channel, DocumentRecord, Dossier, Role, Status};
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
}

const FAMILY: [&str; 8] = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi"];
const MIDDLE: [&str; 5] = ["Văn", "Thị", "Minh", "Ngọc", "Hữu"];
const GIVEN: [&str; 10] = ["An", "Bình", "Châu", "Dũng", "Hà", "Khoa", "Lan", "Phúc", "Tâm", "Vy"];

/// Who acts in a unit's dossiers.
pub struct Staff {
    pub receiver: Actor,
    pub specialist: Actor,
    pub leader: Actor,
}

impl Staff {
    fn actor_for(&self, role: Role) -> &Actor {
        match role {
            Role::Receiver => &self.receiver,
            Role::Specialist => &self.specialist,
            _ => &self.leader,
        }
    }
}

/// One generated dossier.
pub struct Generated {
    pub events: Vec<Event>,
    pub code: String,
}

/// Parameters of one dossier to generate.
pub struct Spec<'a> {
    pub procedure: &'a Procedure,
    pub receiving: &'a str,
    pub resolving: &'a str,
    pub seq: u64,
    pub submitted_at: OffsetDateTime,
    /// Nothing happens after this instant (the dossier stays in flight).
    pub now: OffsetDateTime,
}

/// Generates one dossier's history. Actions are decided by the domain; an action the rules
/// refuse is simply not taken.
pub fn generate(rng: &mut Rng, cal: &Calendar, staff: &Staff, spec: Spec) -> Option<Generated> {
    let p = spec.procedure;
    let online = p.online_level.accepts_online() && rng.chance(0.7);
    let channel = if online {
        Channel::Online
    } else if rng.chance(0.05) {
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
        id_number: format!("0{:011}", rng.below(100_000_000_000)),
        phone: format!("09{:08}", rng.below(100_000_000)),
        email: String::new(),
        address: "An Giang".into(),
    };
    let digitize = online || rng.chance(0.9);
    let documents = p
        .documents
        .iter()
        .map(|d| DocumentRecord { name: d.name.clone(), digitized: digitize, reused: rng.chance(0.2), file: None })
        .collect();
    let created = create::decide(create::NewDossier {
        code: code.clone(),
        procedure: p,
        channel,
        applicant,
        documents,
        receiving_unit: spec.receiving.to_owned(),
        resolving_unit: spec.resolving.to_owned(),
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
    };
    run.d = apply(None, &run.events[0]).ok();
    let hour = WorkingTime::from_hours(1.0).ok()?;
    // Reception: online dossiers wait up to a working day for the counter.
    let wait = if online { WorkingTime(rng.below(8 * 3600) as i64) } else { WorkingTime(0) };
    if !run.act(&staff.receiver, wait, Action::Receive(Default::default())) {
        return Some(run.finish(code));
    }
    let legal = run.d.as_ref()?.legal_time;
    let start = run.d.as_ref()?.clock_started_at?;
    // Planned finish: most early or on time, a few late.
    let factor = if rng.chance(0.04) { 1.0 + rng.unit() * 0.4 } else { 0.25 + rng.unit() * 0.7 };
    let finish_at = cal.add(start, WorkingTime((legal.seconds() as f64 * factor) as i64));
    let supplement = rng.chance(0.08);
    // Walk the internal process steps up to approval.
    while let Some(d) = run.d.as_ref() {
        let Some(step) = d.current_step().cloned() else { break };
        if step.role == Role::Receiver || d.step + 2 >= d.steps.len() {
            break;
        }
        let actor = staff.actor_for(step.role);
        let budget = WorkingTime((step.budget.seconds() as f64 * factor * 0.8) as i64);
        let ok = if step.role == Role::Leader && d.assignee.is_none() {
            run.act(actor, budget, Action::Assign(assign::Assign { assignee: staff.specialist.name().to_owned() }))
        } else {
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
                    return Some(run.finish(code));
                }
                let pause = WorkingTime::from_days(0.5 + rng.unit() * 2.0).ok()?;
                if !run.act(&Actor::Applicant, pause, Action::Supplement(supplement::Supplement::default())) {
                    return Some(run.finish(code));
                }
            }
            run.act(actor, budget, Action::CompleteStep(complete_step::CompleteStep::default()))
        };
        if !ok {
            return Some(run.finish(code));
        }
    }
    let target = run.d.as_ref().map(|d| d.paused).unwrap_or_default();
    let finish_at = cal.add(finish_at, target);
    let until_finish = if finish_at > run.at { cal.between(run.at, finish_at) } else { WorkingTime(0) };
    let approve = Action::Approve(approve::Approve { result_digitized: rng.chance(0.9), note: String::new() });
    if !run.act(&staff.leader, until_finish, approve) {
        return Some(run.finish(code));
    }
    let pickup = WorkingTime::from_hours(rng.unit() * 16.0).ok()?;
    let paid_online = online && rng.chance(0.5);
    if !run.act(
        &staff.receiver,
        pickup,
        Action::ReturnResult(return_result::ReturnResult { fee_paid: true, paid_online }),
    ) {
        return Some(run.finish(code));
    }
    if rng.chance(0.6) {
        let score = if rng.chance(0.9) { 4 + rng.below(2) as i64 } else { 1 + rng.below(3) as i64 };
        run.act(&Actor::Applicant, hour, Action::Rate(rate::Rate { score, comment: String::new() }));
    }
    Some(run.finish(code))
}

struct Run<'a> {
    cal: &'a Calendar,
    now: OffsetDateTime,
    events: Vec<Event>,
    d: Option<Dossier>,
    at: OffsetDateTime,
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
        Generated { events: self.events, code }
    }
}
