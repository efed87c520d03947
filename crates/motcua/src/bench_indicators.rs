//! Indicator benchmarks (BENCHMARKS.md, "766 indicators"): the full recompute of the rollups
//! from the event log, the dashboard queries from the rollups, and the files the DuckDB
//! comparison (`bench/indicators_duckdb.py`) reads: one row of facts per received dossier and
//! our per-unit, per-month tallies of every ended month.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use motcua_domain::dossier::{Channel, digitization};
use motcua_domain::indicators::{Tally, YearMonth};
use motcua_store::Store;
use motcua_store::indicators::{By, Scope};
use time::OffsetDateTime;

/// Runs the benchmark on `database`, writing `facts.csv` and `tallies.csv` into `out`.
pub async fn run(database: &str, out: &Path, queries: usize) -> anyhow::Result<()> {
    std::fs::create_dir_all(out)?;
    let store = Store::open(database).await?;
    let now = OffsetDateTime::now_utc();

    let t = Instant::now();
    let r = store.recompute_indicators(now).await?;
    let recompute = t.elapsed();
    println!(
        "recompute: {} dossiers, {} events -> {} rollup rows in {:.2} s ({:.0} dossiers/s)",
        r.dossiers,
        r.events,
        r.rows,
        recompute.as_secs_f64(),
        r.dossiers as f64 / recompute.as_secs_f64().max(1e-9)
    );

    let Some(first) = store.first_received_at().await? else {
        anyhow::bail!("no received dossiers in {database}");
    };
    let first = YearMonth::of(first);
    let last = YearMonth::of(now).prev();
    let months: Vec<YearMonth> = first.through(last).collect();
    let units: Vec<String> = store.units().await?.into_iter().map(|u| u.code.into_string()).collect();

    // Dashboard queries: one unit, one month, from the rollups (the total, the months of the
    // year around it, the units) — what the public dashboard asks for a page.
    let mut lat = Vec::with_capacity(queries);
    for i in 0..queries {
        let unit = &units[i % units.len()];
        let month = months[(i / units.len()) % months.len()];
        let scope = Scope { units: Some(vec![unit.clone()]), ..Default::default() };
        let t = Instant::now();
        store.indicator_tallies(&scope, month, month, By::Total, now).await?;
        lat.push(t.elapsed());
    }
    report("unit × month total", &mut lat);
    let mut lat = Vec::with_capacity(queries);
    for i in 0..queries {
        let month = months[i % months.len()];
        let year_start = YearMonth { year: month.year, month: 1 };
        let t = Instant::now();
        let all = Scope::default();
        store.indicator_tallies(&all, month, month, By::Total, now).await?;
        store.indicator_tallies(&all, year_start, month, By::Month, now).await?;
        store.indicator_tallies(&all, month, month, By::Unit, now).await?;
        lat.push(t.elapsed());
    }
    report("province page (total + months + units)", &mut lat);

    // Our tallies per unit and ended month.
    let mut f = std::io::BufWriter::new(std::fs::File::create(out.join("tallies.csv"))?);
    let header = tally_columns();
    writeln!(f, "unit,month,{}", header.join(","))?;
    for m in &months {
        for (unit, tally) in store.indicator_tallies(&Scope::default(), *m, *m, By::Unit, now).await? {
            let v = serde_json::to_value(tally)?;
            let cells: Vec<String> = header.iter().map(|c| v[c].to_string()).collect();
            writeln!(f, "{unit},{m},{}", cells.join(","))?;
        }
    }
    f.flush()?;

    // One row of facts per received dossier, for DuckDB.
    let t = Instant::now();
    let n = export_facts(&store, &out.join("facts.csv")).await?;
    println!("exported {n} dossier rows in {:.2} s", t.elapsed().as_secs_f64());
    println!("months compared: {first}..{last}; rollup recompute seconds: {:.3}", recompute.as_secs_f64());
    Ok(())
}

/// The full recompute alone (`bench-indicators --recompute-only`): dossiers, events, seconds,
/// dossiers per second and the size of the database's files, for the 10^7-dossier run of
/// `bench/indicators_10m.sh`.
pub async fn recompute_only(database: &str) -> anyhow::Result<()> {
    let store = Store::open(database).await?;
    let t = Instant::now();
    let r = store.recompute_indicators(OffsetDateTime::now_utc()).await?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "recompute: {} dossiers, {} events -> {} rollup rows in {secs:.2} s ({:.0} dossiers/s); database {}",
        r.dossiers,
        r.events,
        r.rows,
        r.dossiers as f64 / secs.max(1e-9),
        sqlite_size(database)
            .map_or_else(|| "size n/a (not SQLite)".to_owned(), |b| format!("{:.2} GB", b as f64 / 1e9))
    );
    Ok(())
}

/// Bytes of a SQLite database's file and its WAL, when `database` is a SQLite URL.
fn sqlite_size(database: &str) -> Option<u64> {
    let path = database.strip_prefix("sqlite://")?.split('?').next()?;
    let size = |p: &str| std::fs::metadata(p).map(|m| m.len()).ok();
    Some(size(path)? + size(&format!("{path}-wal")).unwrap_or(0))
}

/// The tally's counters in a stable order (its serialized field names, sorted).
fn tally_columns() -> Vec<String> {
    let v = serde_json::to_value(Tally::default()).unwrap_or_default();
    let mut cols: Vec<String> = v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
    cols.sort();
    cols
}

fn report(what: &str, lat: &mut [Duration]) {
    lat.sort();
    let p = |q: f64| lat.get(((lat.len() as f64 - 1.0) * q).round() as usize).map_or(0.0, |d| d.as_secs_f64() * 1e3);
    println!(
        "{what}: {} queries, p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        lat.len(),
        p(0.5),
        p(0.95),
        p(0.99),
        p(1.0)
    );
}

fn ns(t: Option<OffsetDateTime>) -> String {
    t.map(|t| t.unix_timestamp_nanos().to_string()).unwrap_or_default()
}

/// Writes the facts the 766 formulas read, one row per received dossier (instants as epoch
/// nanoseconds, flags as 0/1), and answers the number of rows.
async fn export_facts(store: &Store, path: &Path) -> anyhow::Result<u64> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        f,
        "unit,received_at,finished_at,due_at,paused_since,supplement_rounds,extended,online,paper_result,\
         result_digitized,digitized_input,all_digitized,reused,fee_bearing,paid_online,rating"
    )?;
    let mut n = 0u64;
    let mut after = String::new();
    loop {
        let page = store.received_dossiers_after(&after, 20_000).await?;
        let Some(last) = page.last() else { break };
        after = last.code.to_string();
        for d in &page {
            let b = |x: bool| u8::from(x);
            writeln!(
                f,
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                d.resolving_unit,
                ns(d.received_at),
                ns(d.finished_at),
                ns(d.due_at),
                ns(d.paused_since),
                d.supplement_rounds,
                b(d.extension.is_some()),
                b(d.channel == Channel::Online),
                b(d.paper_result),
                b(digitization::result_electronic(d.result.as_ref())),
                b(digitization::any_component_digitized(&d.documents)),
                b(digitization::every_component_digitized(&d.documents)),
                b(digitization::reused_data(&d.documents)),
                b(d.fee_total() > 0),
                b(d.paid_online),
                d.rating.map(|r| r.to_string()).unwrap_or_default(),
            )?;
            n += 1;
        }
    }
    f.flush()?;
    Ok(n)
}
