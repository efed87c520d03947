//! The progress report (báo cáo tình hình, kết quả giải quyết thủ tục hành chính, issue 5 item 5):
//! for a period of whole months and a unit, the procedures published, the procedures in force
//! with their internal processes and online levels, the dossiers received and resolved with the
//! QĐ 766 rates and points (domain.md §3, §4, §5.5, §6), and the modules not built yet marked as
//! such. Shared by `motcua report` and the page `GET /quan-tri/bao-cao`.
//!
//! [`build`] gathers the figures from a [`Store`]; `motcua_web::report` writes them as prose,
//! tables, the print-ready page and the workbook.

use motcua_domain::ErrorCode;
use std::collections::BTreeSet;

use motcua_domain::catalog::{COMMUNE_AGENCY, Level, OnlineLevel, Procedure};
use motcua_domain::indicators::YearMonth;
use motcua_domain::org::UnitKind;
use motcua_store::indicators::{By, Scope};
use motcua_store::{Store, StoreError};
use time::{Date, OffsetDateTime};

use crate::error::{AppResult, Error};
use crate::indicators::{Group, groups, parse_period, units_of};

/// How many fields the "top fields" table lists.
pub const TOP_FIELDS: usize = 10;

/// Everything the report shows, gathered once; [`html`] and [`xlsx`] only lay it out.
#[derive(Debug, Clone)]
pub struct Report {
    /// First day of the period.
    pub from: Date,
    /// Last day of the period.
    pub to: Date,
    /// The period as months (the rollups are monthly).
    pub first: YearMonth,
    pub last: YearMonth,
    /// The unit asked for (`None`: the whole province).
    pub unit_code: Option<String>,
    /// The unit's name, or the province's for the whole province.
    pub unit_name: String,
    pub generated_at: OffsetDateTime,
    pub catalog: CatalogSection,
    pub dossiers: DossierSection,
    /// Electronic documents exchanged (edXML, domain.md §9) in the period.
    pub documents: Option<DocumentsSection>,
    /// Citizen feedback (phản ánh, kiến nghị, domain.md §8) received in the period.
    pub feedback: Option<FeedbackSection>,
}

/// Procedures: published in the period, and in force at its end.
#[derive(Debug, Clone, Default)]
pub struct CatalogSection {
    /// Decisions signed in the period that publish something in the unit's scope.
    pub decisions: Vec<DecisionLine>,
    /// One line per procedure a decision of the period published, in decision order.
    pub published: Vec<Published>,
    /// Distinct procedures published as new / amended / abolished (a procedure counted once per
    /// kind, as QĐ 766 row 1.1 counts them).
    pub new: usize,
    pub amended: usize,
    pub abolished: usize,
    /// Distinct procedures published in any way.
    pub published_total: usize,
    /// Procedures in force on the last day, per authority level (district only when present).
    pub levels: Vec<LevelLine>,
    /// The sum of `levels`.
    pub in_force: LevelLine,
}

/// A publication decision of the period.
#[derive(Debug, Clone)]
pub struct DecisionLine {
    pub number: String,
    pub signed_on: Date,
    pub effective_from: Date,
    pub new: usize,
    pub amended: usize,
    pub abolished: usize,
}

/// How a decision publishes a procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishKind {
    New,
    Amended,
    Abolished,
}

impl PublishKind {
    /// The label in decisions (NĐ 63/2010 Art. 15).
    pub fn label(self) -> &'static str {
        match self {
            PublishKind::New => "Công bố mới",
            PublishKind::Amended => "Sửa đổi, bổ sung",
            PublishKind::Abolished => "Bãi bỏ",
        }
    }
}

/// One procedure published by a decision of the period.
#[derive(Debug, Clone)]
pub struct Published {
    pub decision: String,
    pub signed_on: Date,
    pub code: String,
    pub name: String,
    pub kind: PublishKind,
}

/// Procedures in force at one authority level (or all of them).
#[derive(Debug, Clone, Default)]
pub struct LevelLine {
    /// `None` for the total.
    pub level: Option<Level>,
    pub procedures: usize,
    /// With an internal process (non-empty steps, domain.md §6).
    pub with_process: usize,
    /// Online services, full-process (toàn trình, NĐ 42/2022 Art. 11.1).
    pub online_full: usize,
    /// Online services, partial (một phần).
    pub online_partial: usize,
    pub not_online: usize,
}

impl LevelLine {
    fn add(&mut self, p: &Procedure) {
        self.procedures += 1;
        self.with_process += usize::from(!p.steps.is_empty());
        match p.online_level {
            OnlineLevel::Full => self.online_full += 1,
            OnlineLevel::Partial => self.online_partial += 1,
            OnlineLevel::None => self.not_online += 1,
        }
    }

    /// "Cấp tỉnh", … or "Tổng số".
    pub fn label(&self) -> &'static str {
        match self.level {
            Some(Level::Province) => "Cấp tỉnh",
            Some(Level::District) => "Cấp huyện",
            Some(Level::Commune) => "Cấp xã",
            None => "Tổng số",
        }
    }
}

/// Dossiers of the period (QĐ 766 rollups).
#[derive(Debug, Clone)]
pub struct DossierSection {
    pub total: Group,
    /// By resolving unit, named.
    pub by_unit: Vec<Group>,
    /// Every month of the period, empty months included.
    pub by_month: Vec<Group>,
    /// The [`TOP_FIELDS`] fields with most dossiers received.
    pub top_fields: Vec<Group>,
}

/// Electronic documents exchanged over the document axis (edXML).
#[derive(Debug, Clone, Default)]
pub struct DocumentsSection {
    pub sent: u64,
    pub received: u64,
}

/// Citizen feedback (phản ánh, kiến nghị).
#[derive(Debug, Clone, Default)]
pub struct FeedbackSection {
    pub received: u64,
    /// Answered.
    pub handled: u64,
    /// Of `handled`, answers made public.
    pub published: u64,
}

/// The first and last day of a run of months.
pub fn period_dates(first: YearMonth, last: YearMonth) -> Option<(Date, Date)> {
    let start = Date::from_calendar_date(first.year, time::Month::try_from(first.month).ok()?, 1).ok()?;
    let next = last.next();
    let end = Date::from_calendar_date(next.year, time::Month::try_from(next.month).ok()?, 1).ok()?.previous_day()?;
    Some((start, end))
}

/// `YYYY-MM-DD`, the form [`parse_period`] reads.
fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The report of `from..=to` (whole months: `from` the first day of a month, `to` the last) for
/// `unit` (a unit code; `None` or the province's code for the whole province; units merged into
/// it by restructures are counted with it), with running dossiers judged at `now`.
pub async fn build(store: &Store, from: Date, to: Date, unit: Option<&str>, now: OffsetDateTime) -> AppResult<Report> {
    let (first, last) = parse_period(&iso(from), &iso(to))?;
    let (found, units) = units_of(store, unit, true).await?;
    let unit_name = match &found {
        Some(u) => u.name.clone(),
        // The province as it stood on the period's last day (before 1/7/2025 the province before
        // the arrangement, after it the merged one), else the current one.
        None => {
            let all = store.units().await?;
            let provinces = || all.iter().filter(|u| u.kind == UnitKind::Province);
            let last_day = iso(to);
            provinces()
                .find(|u| u.valid_on(&last_day))
                .or_else(|| provinces().find(|u| u.is_current()))
                .map(|u| u.name.clone())
                .unwrap_or_else(|| "Toàn tỉnh".to_owned())
        }
    };
    let commune = found.as_ref().is_some_and(|u| u.level == Level::Commune);
    let reach = CatalogReach { agencies: units.clone(), commune };
    let catalog = catalog(store, from, to, &reach).await?;
    let scope = Scope { units, ..Default::default() };
    let total =
        groups(store, &scope, first, last, By::Total, now).await?.pop().unwrap_or_else(|| Group::empty(String::new()));
    let by_unit = groups(store, &scope, first, last, By::Unit, now).await?;
    let mut months = groups(store, &scope, first, last, By::Month, now).await?;
    let by_month = first
        .through(last)
        .map(|m| {
            let key = m.to_string();
            match months.iter().position(|g| g.key == key) {
                Some(i) => months.swap_remove(i),
                None => Group::empty(key),
            }
        })
        .collect();
    let mut top_fields = groups(store, &scope, first, last, By::Field, now).await?;
    top_fields.sort_by(|a, b| {
        (b.tally.received, b.tally.processed).cmp(&(a.tally.received, a.tally.processed)).then(a.key.cmp(&b.key))
    });
    top_fields.truncate(TOP_FIELDS);
    let period = motcua_domain::indicators::Period::months(first, last)
        .ok_or_else(|| Error::bad_request(ErrorCode::InvalidPeriod, "bad period", "kỳ báo cáo không hợp lệ"))?;
    let unit_code = found.as_ref().filter(|u| u.kind != UnitKind::Province).map(|u| u.code.clone());
    let f = store.feedback_counts(unit_code.as_deref(), period.start, period.end, now).await?;
    let as_u64 = |n: i64| u64::try_from(n).unwrap_or(0);
    let (sent, received) = store.documents_exchanged(scope.units.as_deref(), period.start, period.end).await?;
    let documents = Some(DocumentsSection { sent, received });
    let feedback = Some(FeedbackSection {
        received: as_u64(f.received),
        handled: as_u64(f.handled),
        published: as_u64(f.published),
    });
    Ok(Report {
        from,
        to,
        first,
        last,
        unit_code: found.map(|u| u.code.into_string()),
        unit_name,
        generated_at: now,
        catalog,
        dossiers: DossierSection { total, by_unit, by_month, top_fields },
        documents,
        feedback,
    })
}

/// Which procedures belong to the report's unit: all (`agencies` is `None`), or those its
/// agencies resolve, plus the commune-level ones for a commune.
struct CatalogReach {
    agencies: Option<Vec<String>>,
    commune: bool,
}

impl CatalogReach {
    fn covers(&self, p: &Procedure) -> bool {
        match &self.agencies {
            None => true,
            Some(codes) => codes.contains(&p.agency) || (self.commune && p.agency == COMMUNE_AGENCY),
        }
    }
}

/// The catalog section: decisions signed in `from..=to`, procedures in force on `to`.
async fn catalog(store: &Store, from: Date, to: Date, reach: &CatalogReach) -> AppResult<CatalogSection> {
    let mut out = CatalogSection::default();
    let mut decisions = store.decisions().await?;
    decisions.retain(|d| d.signed_on >= from && d.signed_on <= to);
    decisions.sort_by(|a, b| (a.signed_on, &a.number).cmp(&(b.signed_on, &b.number)));
    let mut kinds: [BTreeSet<String>; 3] = Default::default();
    for d in decisions {
        let mut line = DecisionLine {
            number: d.number.clone(),
            signed_on: d.signed_on,
            effective_from: d.effective_from,
            new: 0,
            amended: 0,
            abolished: 0,
        };
        let mut listed: Vec<(PublishKind, String, String)> = Vec::new();
        for p in d.new.iter().filter(|p| reach.covers(p)) {
            listed.push((PublishKind::New, p.code.to_string(), p.name.clone()));
        }
        for p in d.amended.iter().filter(|p| reach.covers(p)) {
            listed.push((PublishKind::Amended, p.code.to_string(), p.name.clone()));
        }
        for code in &d.abolished {
            // The version in force the day before the abolition applies says whose it was.
            let before = d.effective_from.previous_day().unwrap_or(d.effective_from);
            match store.procedure_at(code, before).await {
                Ok(p) if reach.covers(&p) => listed.push((PublishKind::Abolished, code.clone(), p.name)),
                Ok(_) => {}
                Err(StoreError::NotFound) if reach.agencies.is_none() => {
                    listed.push((PublishKind::Abolished, code.clone(), String::new()))
                }
                Err(StoreError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
        if listed.is_empty() {
            continue;
        }
        for (kind, code, name) in listed {
            let (count, set) = match kind {
                PublishKind::New => (&mut line.new, &mut kinds[0]),
                PublishKind::Amended => (&mut line.amended, &mut kinds[1]),
                PublishKind::Abolished => (&mut line.abolished, &mut kinds[2]),
            };
            *count += 1;
            set.insert(code.clone());
            out.published.push(Published { decision: d.number.clone(), signed_on: d.signed_on, code, name, kind });
        }
        out.decisions.push(line);
    }
    out.new = kinds[0].len();
    out.amended = kinds[1].len();
    out.abolished = kinds[2].len();
    out.published_total = kinds.iter().flatten().collect::<BTreeSet<_>>().len();

    let mut levels =
        [Level::Province, Level::District, Level::Commune].map(|l| LevelLine { level: Some(l), ..Default::default() });
    for (code, _) in store.procedure_names().await? {
        let p = match store.procedure_at(&code, to).await {
            Ok(p) => p,
            Err(StoreError::NotFound) => continue,
            Err(e) => return Err(e.into()),
        };
        if !reach.covers(&p) {
            continue;
        }
        out.in_force.add(&p);
        if let Some(line) = levels.iter_mut().find(|l| l.level == Some(p.level)) {
            line.add(&p);
        }
    }
    out.levels = levels.into_iter().filter(|l| l.level != Some(Level::District) || l.procedures > 0).collect();
    Ok(out)
}
