//! `motcua simulate`: a province's dossiers at real scale (issue 5, item 6), so the report and
//! the dashboard can be shown with real numbers. Every dossier is drawn from configurable
//! [`Rates`] (channel, timing, pauses, supplements, lateness, digitization) and pushed through
//! the domain rules by [`generate`], exactly like the demo's history; the histories are written
//! in batches through the store's bulk writer.
//!
//! The preset `--province-half-year` is a province's first half of 2025: 195,026 dossiers, 88 %
//! online, 96.53 % on time, 91.18 % with digitized components, 90.1 % electronic results and
//! 77.68 % digitized "both" (every component and the result, 766 indicator 4.2).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use motcua_domain::calendar::{Calendar, WorkingTime};
use motcua_domain::catalog::{COMMUNE_AGENCY, Procedure};
use motcua_domain::code::{DEFAULT_TEMPLATE, render};
use motcua_domain::dossier::timeliness::{Timeliness, VN_OFFSET, classify};
use motcua_domain::dossier::{Channel, Dossier, Status};
use motcua_domain::indicators::facts::{DossierFacts, Period};
use motcua_store::Store;
use motcua_store::writer::History;
use time::{Date, Duration, OffsetDateTime, Time, Weekday};

use crate::demo::{Reference, demo_users, seed_reference, staff_for};
use crate::history::{Rates, Rng, Spec, Staff, generate};

/// Dossiers handed from a generating thread to the writer at a time.
const CHUNK: usize = 1000;
/// Dossiers committed in one bulk transaction.
const BATCH: usize = 5000;

/// What to simulate.
#[derive(Debug, Clone)]
pub struct Options {
    /// First day of reception (local date).
    pub from: Date,
    /// Last day of reception (local date, inclusive).
    pub to: Date,
    pub dossiers: u64,
    pub seed: u64,
    pub rates: Rates,
    /// Share of the dossiers received at the provincial center; the communes share the rest.
    pub center_share: f64,
}

impl Options {
    /// The preset: 195,026 dossiers received from 1/1 to 30/6/2025, with `rates`.
    pub fn province_half_year(rates: Rates) -> Options {
        Options {
            from: time::macros::date!(2025 - 01 - 01),
            to: time::macros::date!(2025 - 06 - 30),
            dossiers: 195_026,
            seed: 2025,
            rates,
            center_share: 0.3,
        }
    }
}

/// The province's figures (the seed article's half-year) for the rates `simulate` draws from.
pub fn province_rates() -> Rates {
    Rates {
        online: 0.88,
        postal: 0.05,
        digitized_input: 0.9118,
        digitized_result: 0.901,
        digitized_both: Some(0.7768),
        reused: 0.2,
        late: 1.0 - 0.9653,
        supplement: 0.08,
        paid_online: 0.5,
        rated: 0.6,
        good_rating: 0.9,
        refused: 0.005,
        withdrawn: 0.003,
    }
}

/// Parses a `YYYY-MM-DD` command-line date.
pub fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|e| format!("'{s}': expected YYYY-MM-DD ({e})"))
}

/// What was generated, counted from the final projections.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    pub dossiers: u64,
    pub online: u64,
    /// Dossiers the on-time indicator judges at the simulation's `now` (domain `classify`).
    pub judged: u64,
    pub late: u64,
    /// Received in the period (QĐ 766 rows 4.1–4.3's denominator), counted with the indicators'
    /// own facts ([`DossierFacts`], one digitization definition for both).
    pub received: u64,
    /// Of `received`: every component digitized (row 4.2 part 1).
    pub input_digitized: u64,
    /// Of `received`: procedures whose result is a paper document (row 4.1's denominator).
    pub paper_result: u64,
    /// Of `paper_result`: an electronic result (row 4.1).
    pub result_digitized: u64,
    /// Of `received`: digitized input and, where paper, an electronic result (row 4.2).
    pub both_digitized: u64,
    pub supplemented: u64,
    pub refused: u64,
    pub withdrawn: u64,
    pub in_flight: u64,
    /// Planned dossiers the rules refused to create (not written).
    pub skipped: u64,
}

impl Tally {
    fn count(&mut self, d: &Dossier, now: OffsetDateTime, period: &Period) {
        self.dossiers += 1;
        self.online += u64::from(d.channel == Channel::Online);
        match classify(d, now) {
            Some(Timeliness::Late) => {
                self.judged += 1;
                self.late += 1;
            }
            Some(_) => self.judged += 1,
            None => {}
        }
        let f = DossierFacts::of(d, period);
        if f.received {
            self.received += 1;
            self.input_digitized += u64::from(f.digitized_input);
            self.paper_result += u64::from(f.paper_result);
            self.result_digitized += u64::from(f.paper_result && f.result_digitized);
            self.both_digitized += u64::from(f.digitized_both());
        }
        self.supplemented += u64::from(d.supplement_rounds > 0);
        self.refused += u64::from(d.status == Status::Refused);
        self.withdrawn += u64::from(d.status == Status::Withdrawn);
        self.in_flight +=
            u64::from(!matches!(d.status, Status::Returned | Status::Refused | Status::Rejected | Status::Withdrawn));
    }

    fn add(&mut self, o: &Tally) {
        self.dossiers += o.dossiers;
        self.online += o.online;
        self.judged += o.judged;
        self.late += o.late;
        self.received += o.received;
        self.input_digitized += o.input_digitized;
        self.paper_result += o.paper_result;
        self.result_digitized += o.result_digitized;
        self.both_digitized += o.both_digitized;
        self.supplemented += o.supplemented;
        self.refused += o.refused;
        self.withdrawn += o.withdrawn;
        self.in_flight += o.in_flight;
        self.skipped += o.skipped;
    }

    fn share(n: u64, of: u64) -> f64 {
        if of == 0 { 0.0 } else { n as f64 / of as f64 }
    }
    pub fn online_rate(&self) -> f64 {
        Tally::share(self.online, self.dossiers)
    }
    pub fn late_rate(&self) -> f64 {
        Tally::share(self.late, self.judged)
    }
    pub fn input_rate(&self) -> f64 {
        Tally::share(self.input_digitized, self.received)
    }
    pub fn result_rate(&self) -> f64 {
        Tally::share(self.result_digitized, self.paper_result)
    }
    pub fn both_rate(&self) -> f64 {
        Tally::share(self.both_digitized, self.received)
    }
}

/// The outcome of a run.
#[derive(Debug, Clone)]
pub struct Summary {
    pub written: u64,
    pub seconds: f64,
    pub now: OffsetDateTime,
    pub tally: Tally,
}

/// A receiving unit with its officers and the procedures it receives.
struct Place {
    code: String,
    staff: Staff,
    /// Procedure indices, with cumulative popularity weights.
    all: Picker,
    /// The same, among the procedures that accept online submission.
    online: Picker,
}

/// Weighted choice among procedure indices (popularity falls off with the catalog order).
struct Picker {
    items: Vec<usize>,
    cumulative: Vec<f64>,
}

impl Picker {
    fn new(items: Vec<usize>) -> Picker {
        let mut total = 0.0;
        let cumulative = (0..items.len())
            .map(|k| {
                total += 1.0 / ((k + 1) as f64).powf(0.8);
                total
            })
            .collect();
        Picker { items, cumulative }
    }

    fn pick(&self, rng: &mut Rng) -> Option<usize> {
        let total = *self.cumulative.last()?;
        let x = rng.unit() * total;
        let i = self.cumulative.partition_point(|c| *c <= x).min(self.items.len() - 1);
        Some(self.items[i])
    }
}

/// One dossier to generate: where, when, and its number in that unit's day.
struct Planned {
    place: usize,
    day: Date,
    seq: u64,
    submitted: OffsetDateTime,
}

/// Everything the generating threads share.
struct Shared {
    cal: Calendar,
    procedures: Vec<Procedure>,
    places: Vec<Place>,
    plan: Vec<Planned>,
    rates: Rates,
    seed: u64,
    now: OffsetDateTime,
    /// The simulated months, as the indicators read them.
    period: Period,
}

/// Runs the simulation on `database` (reference data seeded when the database is empty).
pub async fn run(database: &str, opts: &Options) -> anyhow::Result<Summary> {
    check(opts)?;
    let t = Instant::now();
    if let Some(path) = database.strip_prefix("sqlite://") {
        let path = std::path::Path::new(path.split('?').next().unwrap_or(path));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
    }
    let shown = motcua_store::redact(database);
    let store = Store::open(database).await.with_context(|| format!("opening {shown}"))?;
    let reference = Reference::load()?;
    let center = reference.center()?.code.to_string();
    if store.procedures(&Default::default()).await?.is_empty() {
        println!("{shown}: empty, seeding the demo reference data (units, procedures, accounts)");
        seed_reference(&store, &reference).await?;
    } else if store.unit(&center).await.is_err() {
        anyhow::bail!(
            "{shown} has a catalog but not the demo units (no {center}): use a database made by `motcua demo` or an empty one"
        );
    }
    let users = demo_users(&reference)?;

    let real_now = OffsetDateTime::now_utc();
    let end = OffsetDateTime::new_in_offset(opts.to, Time::MIDNIGHT, VN_OFFSET) + Duration::days(1);
    if end > real_now + Duration::days(1) {
        anyhow::bail!("--to {} is in the future", opts.to);
    }
    // Eight weeks after the period nearly every dossier is finished; a period ending near today
    // keeps its recent dossiers in flight.
    let now = (end + Duration::weeks(8)).min(real_now).replace_nanosecond(0).unwrap_or(real_now);

    let mut places = Vec::new();
    let province: Vec<usize> =
        (0..reference.procedures.len()).filter(|i| reference.procedures[*i].agency != COMMUNE_AGENCY).collect();
    let commune: Vec<usize> =
        (0..reference.procedures.len()).filter(|i| reference.procedures[*i].agency == COMMUNE_AGENCY).collect();
    let online_of = |items: &[usize]| -> Vec<usize> {
        items.iter().copied().filter(|i| reference.procedures[*i].online_level.accepts_online()).collect()
    };
    places.push(Place {
        code: center.clone(),
        staff: staff_for(&users, ""),
        all: Picker::new(province.clone()),
        online: Picker::new(online_of(&province)),
    });
    for c in reference.communes() {
        let slug = format!(".{}", c.slug.clone().unwrap_or_default());
        places.push(Place {
            code: c.code.to_string(),
            staff: staff_for(&users, &slug),
            all: Picker::new(commune.clone()),
            online: Picker::new(online_of(&commune)),
        });
    }
    let cal = Calendar::vietnam_default();
    let mut plan = plan(&cal, &places, opts, now)?;
    println!(
        "planned {} dossiers over {} .. {} at {} units (now = {})",
        plan.len(),
        opts.from,
        opts.to,
        places.len(),
        now.to_offset(VN_OFFSET).date()
    );
    let offsets = seq_offsets(&store, &places, &plan).await?;
    if !offsets.is_empty() {
        println!("{} unit-days already have dossiers: numbering continues after them", offsets.len());
    }
    for p in &mut plan {
        p.seq += offsets.get(&(p.place, p.day)).copied().unwrap_or(0);
    }

    let shared = Arc::new(Shared {
        cal,
        procedures: reference.procedures.clone(),
        places,
        plan,
        rates: opts.rates.clone(),
        seed: opts.seed,
        now,
        period: Period { start: OffsetDateTime::new_in_offset(opts.from, Time::MIDNIGHT, VN_OFFSET), end },
    });
    let threads = std::thread::available_parallelism().map(usize::from).unwrap_or(2).clamp(1, 8);
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(Vec<History>, Tally)>(4 * threads);
    let mut handles = Vec::new();
    for t in 0..threads {
        let shared = Arc::clone(&shared);
        let tx = tx.clone();
        handles.push(std::thread::spawn(move || {
            let chunks = shared.plan.len().div_ceil(CHUNK);
            for chunk in (t..chunks).step_by(threads) {
                let first = chunk * CHUNK;
                let last = (first + CHUNK).min(shared.plan.len());
                if tx.blocking_send(generate_chunk(&shared, first..last)).is_err() {
                    return;
                }
            }
        }));
    }
    drop(tx);
    let total = shared.plan.len() as u64;
    let mut tally = Tally::default();
    let mut written = 0u64;
    let mut batch = Vec::new();
    let mut shown_at = Instant::now();
    loop {
        let next = rx.recv().await;
        let done = next.is_none();
        if let Some((histories, part)) = next {
            batch.extend(histories);
            tally.add(&part);
        }
        if batch.len() >= BATCH || (done && !batch.is_empty()) {
            written += store.writer.bulk(std::mem::take(&mut batch)).await? as u64;
            if done || shown_at.elapsed().as_secs_f64() >= 5.0 {
                shown_at = Instant::now();
                let s = t.elapsed().as_secs_f64();
                println!("  {written} / {total} dossiers written ({s:.0} s, {:.0}/s)", written as f64 / s);
            }
        }
        if done {
            break;
        }
    }
    for h in handles {
        h.join().map_err(|_| anyhow::anyhow!("a generating thread panicked"))?;
    }
    Ok(Summary { written, seconds: t.elapsed().as_secs_f64(), now, tally })
}

/// Prints the summary of a run next to the configured rates.
pub fn print_summary(s: &Summary, opts: &Options) {
    let r = &opts.rates;
    let t = &s.tally;
    let pct = |x: f64| format!("{:.2} %", x * 100.0);
    println!(
        "simulated {} dossiers in {:.1} s ({:.0}/s)",
        s.written,
        s.seconds,
        s.written as f64 / s.seconds.max(1e-9)
    );
    println!("  realised (configured):");
    println!("    online                {} ({})", pct(t.online_rate()), pct(r.online));
    println!("    late                  {} ({}) of {} judged", pct(t.late_rate()), pct(r.late), t.judged);
    println!(
        "    digitized input       {} ({}) of {} received (QĐ 766 row 4.2, input)",
        pct(t.input_rate()),
        pct(r.digitized_input),
        t.received
    );
    println!(
        "    electronic result     {} ({}) of {} with a paper result (row 4.1)",
        pct(t.result_rate()),
        pct(r.digitized_result),
        t.paper_result
    );
    println!(
        "    digitized both        {} ({})",
        pct(t.both_rate()),
        r.digitized_both.map(pct).unwrap_or_else(|| "-".into())
    );
    println!("    supplemented          {} ({})", pct(Tally::share(t.supplemented, t.dossiers)), pct(r.supplement));
    println!("    refused / withdrawn   {} / {}", t.refused, t.withdrawn);
    println!("    in flight at {}: {}", s.now.to_offset(VN_OFFSET).date(), t.in_flight);
    if t.skipped > 0 {
        println!("    refused by the rules at creation (not written): {}", t.skipped);
    }
}

fn check(opts: &Options) -> anyhow::Result<()> {
    let r = &opts.rates;
    for (name, v) in [
        ("online", r.online),
        ("postal", r.postal),
        ("digitized-input", r.digitized_input),
        ("digitized-result", r.digitized_result),
        ("late", r.late),
        ("supplement", r.supplement),
        ("paid-online", r.paid_online),
        ("rated", r.rated),
        ("refused", r.refused),
        ("withdrawn", r.withdrawn),
        ("center-share", opts.center_share),
    ] {
        if !(0.0..=1.0).contains(&v) {
            anyhow::bail!("--{name} {v}: a rate is between 0 and 1");
        }
    }
    if let Some(both) = r.digitized_both
        && !(0.0..=r.digitized_input.min(r.digitized_result)).contains(&both)
    {
        anyhow::bail!("--digitized-both {both}: between 0 and the smaller of the input and result rates");
    }
    if opts.from > opts.to {
        anyhow::bail!("--from {} is after --to {}", opts.from, opts.to);
    }
    if opts.dossiers == 0 {
        anyhow::bail!("--dossiers: at least one");
    }
    Ok(())
}

/// Spreads the dossiers over the working days (Mondays busier, Fridays quieter), the units
/// (the center `center_share`, communes skewed) and office hours; numbers them per unit and day
/// in order of arrival.
fn plan(cal: &Calendar, places: &[Place], opts: &Options, now: OffsetDateTime) -> anyhow::Result<Vec<Planned>> {
    let mut rng = Rng::new(opts.seed ^ 0x005E_ED0F_DA75);
    let mut days = Vec::new();
    let mut day = opts.from;
    while day <= opts.to {
        if cal.is_working_day(day) {
            let weight = match day.weekday() {
                Weekday::Monday => 1.15,
                Weekday::Friday => 0.95,
                _ => 1.0,
            };
            days.push((day, weight));
        }
        day = day.next_day().context("date overflow")?;
    }
    if days.is_empty() {
        anyhow::bail!("no working day between {} and {}", opts.from, opts.to);
    }
    // Largest remainder: the per-day counts add up to exactly `dossiers`.
    let total_weight: f64 = days.iter().map(|(_, w)| w).sum();
    let exact: Vec<f64> = days.iter().map(|(_, w)| opts.dossiers as f64 * w / total_weight).collect();
    let mut counts: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let mut order: Vec<usize> = (0..days.len()).collect();
    order.sort_by(|a, b| (exact[*b] - exact[*b].floor()).total_cmp(&(exact[*a] - exact[*a].floor())));
    let short = opts.dossiers.saturating_sub(counts.iter().sum());
    for i in order.into_iter().cycle().take(short as usize) {
        counts[i] += 1;
    }
    // Unit weights: the center its share, communes an uneven split of the rest.
    let commune_weights: Vec<f64> = (1..places.len()).map(|_| 0.3 - (1.0 - rng.unit()).ln()).collect();
    let commune_total: f64 = commune_weights.iter().sum();
    let mut cumulative = Vec::with_capacity(places.len());
    let mut acc = if places.len() == 1 { 1.0 } else { opts.center_share };
    cumulative.push(acc);
    for w in &commune_weights {
        acc += (1.0 - opts.center_share) * w / commune_total;
        cumulative.push(acc);
    }
    let mut plan = Vec::with_capacity(opts.dossiers as usize);
    for ((day, _), n) in days.iter().zip(counts) {
        let opening = cal.receipt_instant(OffsetDateTime::new_in_offset(*day, Time::MIDNIGHT, VN_OFFSET));
        let mut today: Vec<(usize, OffsetDateTime)> = (0..n)
            .map(|_| {
                let x = rng.unit() * acc;
                let place = cumulative.partition_point(|c| *c <= x).min(places.len() - 1);
                let at = cal.add(opening, WorkingTime(rng.below(8 * 3600 - 60) as i64));
                (place, at.replace_nanosecond(0).unwrap_or(at).min(now))
            })
            .collect();
        today.sort();
        let mut seq: HashMap<usize, u64> = HashMap::new();
        for (place, submitted) in today {
            let s = seq.entry(place).or_default();
            *s += 1;
            plan.push(Planned { place, day: *day, seq: *s, submitted });
        }
    }
    Ok(plan)
}

/// For each (unit, day) whose planned codes already exist in the database (an earlier run, the
/// demo's history), how far to shift its numbers so that no code collides. Probes every planned
/// code through the primary key; a shifted group is probed again until it is clear.
async fn seq_offsets(
    store: &Store,
    places: &[Place],
    plan: &[Planned],
) -> anyhow::Result<BTreeMap<(usize, Date), u64>> {
    let mut sizes: BTreeMap<(usize, Date), u64> = BTreeMap::new();
    for p in plan {
        let n = sizes.entry((p.place, p.day)).or_default();
        *n = (*n).max(p.seq);
    }
    let mut offsets: BTreeMap<(usize, Date), u64> = BTreeMap::new();
    let mut pending: Vec<(usize, Date)> = sizes.keys().copied().collect();
    while !pending.is_empty() {
        let mut owner: HashMap<String, ((usize, Date), u64)> = HashMap::new();
        for g in &pending {
            let offset = offsets.get(g).copied().unwrap_or(0);
            for seq in offset + 1..=offset + sizes[g] {
                owner.insert(render(DEFAULT_TEMPLATE, &places[g.0].code, g.1, seq)?.to_string(), (*g, seq));
            }
        }
        let codes: Vec<String> = owner.keys().cloned().collect();
        let mut again = BTreeSet::new();
        for d in store.dossiers_by_code(&codes).await? {
            if let Some((g, seq)) = owner.get(d.code.as_str()) {
                let o = offsets.entry(*g).or_default();
                *o = (*o).max(*seq);
                again.insert(*g);
            }
        }
        pending = again.into_iter().collect();
    }
    Ok(offsets)
}

/// Generates the planned dossiers `range` (each from its own seed, so the result does not
/// depend on the number of threads).
fn generate_chunk(s: &Shared, range: std::ops::Range<usize>) -> (Vec<History>, Tally) {
    let mut out = Vec::with_capacity(range.len());
    let mut tally = Tally::default();
    for i in range {
        let p = &s.plan[i];
        let place = &s.places[p.place];
        let mut rng = Rng::new(s.seed ^ (i as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03));
        rng.next();
        let online = rng.chance(s.rates.online);
        let mut made = None;
        for _ in 0..5 {
            let picker = if online && !place.online.items.is_empty() { &place.online } else { &place.all };
            let Some(proc) = picker.pick(&mut rng).and_then(|k| s.procedures.get(k)) else { break };
            let resolving = if proc.agency == COMMUNE_AGENCY { place.code.as_str() } else { proc.agency.as_str() };
            let spec = Spec {
                procedure: proc,
                receiving: &place.code,
                resolving,
                seq: p.seq,
                submitted_at: p.submitted,
                now: s.now,
                online: Some(online),
                rates: &s.rates,
            };
            made = generate(&mut rng, &s.cal, &place.staff, spec);
            if made.is_some() {
                break;
            }
        }
        let Some(g) = made else {
            tally.skipped += 1;
            continue;
        };
        if let Some(d) = &g.dossier {
            tally.count(d, s.now, &s.period);
        }
        let secret = motcua_app::auth::new_secret();
        out.push(History {
            secret_hash: motcua_app::auth::secret_hash(&secret),
            events: g.events,
            seq: Some((place.code.clone(), p.day.to_string(), p.seq as i64)),
            files: g.files,
        });
    }
    (out, tally)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_simulated_month_lands_near_the_configured_rates_and_passes_the_audit() {
        let dir = std::env::temp_dir().join(format!("motcua-simulate-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("t.db").display());
        let opts = Options {
            from: time::macros::date!(2025 - 03 - 01),
            to: time::macros::date!(2025 - 03 - 31),
            dossiers: 2000,
            seed: 7,
            rates: province_rates(),
            center_share: 0.3,
        };
        let s = run(&url, &opts).await.unwrap();
        let t = &s.tally;
        assert_eq!(s.written, 2000 - t.skipped);
        assert!(t.skipped < 10, "{t:?}");
        let near = |got: f64, want: f64, tol: f64, what: &str| {
            assert!((got - want).abs() <= tol, "{what}: realised {got:.4}, configured {want:.4}");
        };
        near(t.online_rate(), 0.88, 0.03, "online");
        near(t.late_rate(), 1.0 - 0.9653, 0.02, "late");
        near(t.input_rate(), 0.9118, 0.03, "digitized input");
        near(t.result_rate(), 0.901, 0.03, "digitized result");
        near(t.both_rate(), 0.7768, 0.04, "digitized both");
        near(Tally::share(t.supplemented, t.dossiers), 0.08, 0.03, "supplement");

        // A second run over the same days continues the numbering instead of colliding.
        let again = Options { dossiers: 300, seed: 8, ..opts };
        let s2 = run(&url, &again).await.unwrap();
        let store = Store::open(&url).await.unwrap();
        let report = store.verify_audit(false).await.unwrap();
        assert!(report.broken.is_empty() && report.drifted.is_empty());
        assert_eq!(report.dossiers as u64, s.written + s2.written);
        std::fs::remove_dir_all(&dir).ok();
    }
}
