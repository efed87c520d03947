//! The indicator commands: `recompute-indicators`, `report`, `disclose` (issue 5; docs/INDICATORS.md).

use motcua_app::accounts::Authority;
use std::path::Path;

use motcua_store::Store;
use time::{Date, OffsetDateTime};

/// Rebuilds the QĐ 766 rollups from the event log and prints what it read.
pub async fn recompute(database: &str) -> anyhow::Result<()> {
    let store = Store::open(database).await?;
    let t = std::time::Instant::now();
    let r = store.recompute_indicators(OffsetDateTime::now_utc()).await?;
    let open = r.open.map(|m| m.to_string()).unwrap_or_default();
    println!(
        "rebuilt {} rollup rows from {} events of {} dossiers in {:.1} s (open month {open})",
        r.rows,
        r.events,
        r.dossiers,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Writes the progress report for `from..=to` (whole months) as HTML or XLSX, by the extension
/// of `out` (`.html`, `.xlsx`).
pub async fn report(database: &str, from: Date, to: Date, unit: Option<&str>, out: &Path) -> anyhow::Result<()> {
    let xlsx = match out.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("xlsx") => true,
        Some("html" | "htm") => false,
        _ => anyhow::bail!("--out must end in .html or .xlsx (tệp kết quả phải có đuôi .html hoặc .xlsx)"),
    };
    let store = Store::open(database).await?;
    let report = motcua_app::report::build(&store, from, to, unit, OffsetDateTime::now_utc())
        .await
        .map_err(|e| anyhow::anyhow!("{} — {} ({})", e.message_vi, e.message, e.code))?;
    let bytes = if xlsx { motcua_web::report::xlsx(&report)? } else { motcua_web::report::html(&report).into_bytes() };
    std::fs::write(out, bytes)?;
    println!("report written to {}", out.display());
    Ok(())
}

/// Publishes the next revision of a month's disclosure.
pub async fn disclose(database: &str, month: &str, note: &str, by: &str) -> anyhow::Result<()> {
    let app = motcua_app::Application::load(Store::open(database).await?).await?;
    match motcua_app::disclosures::publish(&app, Authority::Operator(by), month, note).await {
        Ok(motcua_store::disclosures::Disclosure { meta: m, .. }) => {
            println!("published {} revision {} (sha256 {})", m.month, m.revision, m.sha256);
            Ok(())
        }
        Err(e) => anyhow::bail!("{} — {} ({})", e.message_vi, e.message, e.code),
    }
}
