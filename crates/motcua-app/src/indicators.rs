//! QĐ 766 indicators as the API, the public dashboard, the disclosures and the progress report
//! read them (domain.md §3): the period and scope parameters, checked once, and the query through
//! the store's rollups.

use motcua_domain::ErrorCode;
use motcua_domain::indicators::{Indicators, Tally, YearMonth};
use motcua_domain::org::{Unit, UnitKind};
use motcua_store::indicators::{By, Scope};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::error::{AppResult, Error};
use motcua_store::Store;

/// Parses a period bound: `YYYY-MM` or `YYYY-MM-DD`. Rollups are monthly, so a day must be the
/// first of its month (`from`) or the last (`to`).
pub fn parse_month(name: &str, value: &str, end: bool) -> AppResult<YearMonth> {
    let v = value.trim();
    if let Some(m) = YearMonth::parse(v) {
        return Ok(m);
    }
    let date = crate::input::date(name, v).map_err(|_| {
        Error::bad_request(
            ErrorCode::InvalidPeriod,
            format!("'{name}' must be a month like 2025-07 or a date like 2025-07-01"),
            format!("'{name}' phải là tháng dạng 2025-07 hoặc ngày dạng 2025-07-01"),
        )
    })?;
    let aligned = if end { date.next_day().is_none_or(|n| n.day() == 1) } else { date.day() == 1 };
    if !aligned {
        let which = if end { ("last", "cuối") } else { ("first", "đầu") };
        return Err(Error::bad_request(
            ErrorCode::PeriodNotMonthly,
            format!("indicators are kept by month: '{name}' must be the {} day of a month", which.0),
            format!("chỉ số được tính theo tháng: '{name}' phải là ngày {} tháng", which.1),
        ));
    }
    Ok(YearMonth { year: date.year(), month: u8::from(date.month()) })
}

/// `from..=to` as months, checked.
pub fn parse_period(from: &str, to: &str) -> AppResult<(YearMonth, YearMonth)> {
    let (first, last) = (parse_month("from", from, false)?, parse_month("to", to, true)?);
    if last < first {
        return Err(Error::bad_request(ErrorCode::InvalidPeriod, "'to' is before 'from'", "'to' trước 'from'"));
    }
    if first.year < 2000 || last.year > 2100 {
        return Err(Error::bad_request(
            ErrorCode::InvalidPeriod,
            "the period must lie between 2000 and 2100",
            "kỳ báo cáo phải nằm trong khoảng 2000–2100",
        ));
    }
    Ok((first, last))
}

/// The resolving units a unit code stands for: none (everything) for the province or no code;
/// the unit itself; with `rollup`, also the units merged into it by restructures.
pub async fn units_of(
    store: &Store,
    unit: Option<&str>,
    rollup: bool,
) -> AppResult<(Option<Unit>, Option<Vec<String>>)> {
    let Some(code) = unit.map(str::trim).filter(|u| !u.is_empty()) else { return Ok((None, None)) };
    let unit =
        store.unit(code).await.map_err(|_| Error::not_found(&format!("unit '{code}'"), &format!("đơn vị '{code}'")))?;
    if unit.kind == UnitKind::Province {
        return Ok((Some(unit), None));
    }
    let mut scope = vec![unit.code.to_string()];
    if rollup {
        let all = store.units().await?;
        scope.extend(motcua_domain::org::restructure::predecessors_of(&all, &unit.code));
    }
    Ok((Some(unit), Some(scope)))
}

/// One group's figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Group {
    /// The group's key: a unit code, procedure code, field, level or `YYYY-MM`; empty for the total.
    pub key: String,
    /// A readable name for the key (the unit's or procedure's name) where one is known.
    pub name: String,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub tally: Tally,
    #[serde(flatten)]
    pub indicators: Rates,
}

/// The rates and points of a group, named as in the API (domain `Indicators`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Rates {
    /// online ÷ received, percent (2 decimals; 0 when nothing was received).
    pub online_rate: f64,
    /// (processed − late) ÷ processed, percent (QĐ 766 row 2.1).
    pub on_time_rate: f64,
    pub digitized_input_rate: f64,
    pub digitized_output_rate: f64,
    pub digitized_both_rate: f64,
    pub reused_data_rate: f64,
    pub online_payment_rate: f64,
    pub satisfaction_rate: f64,
    pub receiving_satisfaction_rate: f64,
    /// QĐ 766 row 1.4: received dossiers the national portal acknowledged ÷ received, percent;
    /// `null` when nothing was received.
    pub synced_rate: Option<f64>,
    /// The QĐ 766 points of the rows computed from dossiers (`null` rows need other data).
    #[schema(value_type = Object)]
    pub points: motcua_domain::indicators::Points,
}

impl Group {
    /// A group with nothing counted.
    pub fn empty(key: String) -> Group {
        let tally = Tally::default();
        Group { name: key.clone(), indicators: Rates::from(&tally), tally, key }
    }
}

impl From<&Tally> for Rates {
    fn from(t: &Tally) -> Rates {
        let i = Indicators::from(t);
        Rates {
            online_rate: i.online_rate,
            on_time_rate: i.on_time_rate,
            digitized_input_rate: i.digitized_input_rate,
            digitized_output_rate: i.digitized_output_rate,
            digitized_both_rate: i.digitized_both_rate,
            reused_data_rate: i.reused_data_rate,
            online_payment_rate: i.online_payment_rate,
            satisfaction_rate: i.satisfaction_rate,
            receiving_satisfaction_rate: i.receiving_satisfaction_rate,
            synced_rate: None,
            points: i.points,
        }
    }
}

/// The tallies of `scope` over `first..=last` grouped `by`, named, at `now`. Unit groups carry
/// the unit's name; procedure groups the procedure's.
pub async fn groups(
    store: &Store,
    scope: &Scope,
    first: YearMonth,
    last: YearMonth,
    by: By,
    now: OffsetDateTime,
) -> AppResult<Vec<Group>> {
    let rows = store.indicator_tallies(scope, first, last, by, now).await?;
    let synced: std::collections::HashMap<String, i64> =
        store.national_synced(scope, first, last, by).await?.into_iter().collect();
    let names: std::collections::HashMap<String, String> = match by {
        By::Unit => store.units().await?.into_iter().map(|u| (u.code.into_string(), u.name)).collect(),
        By::Procedure => store.procedure_names().await?.into_iter().collect(),
        _ => Default::default(),
    };
    Ok(rows
        .into_iter()
        .map(|(key, tally)| {
            let mut indicators = Rates::from(&tally);
            let n = u64::try_from(synced.get(&key).copied().unwrap_or(0)).unwrap_or(0);
            if let Some((rate, points)) = motcua_domain::indicators::rates::dossier_sync(n, tally.received) {
                indicators.synced_rate = Some(rate);
                indicators.points.dossier_sync = Some(points);
            }
            Group { name: names.get(&key).cloned().unwrap_or_else(|| key.clone()), indicators, tally, key }
        })
        .collect())
}

/// The grouping named by an API parameter.
pub fn parse_by(value: Option<&str>) -> AppResult<By> {
    Ok(match value.map(str::trim).unwrap_or("") {
        "" | "total" => By::Total,
        "unit" => By::Unit,
        "procedure" => By::Procedure,
        "field" => By::Field,
        "level" => By::Level,
        "month" => By::Month,
        other => {
            return Err(Error::bad_request(
                ErrorCode::InvalidGroup,
                format!("'by' must be one of total, unit, procedure, field, level, month (got '{other}')"),
                format!("'by' phải là một trong total, unit, procedure, field, level, month (nhận '{other}')"),
            ));
        }
    })
}
