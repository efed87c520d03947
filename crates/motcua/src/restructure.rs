//! `motcua restructure FILE [--dry-run] --database URL`: applies a restructure plan (JSON, the
//! body of `POST /api/v1/restructures` without `dry_run`) and prints what it moved.

use motcua_app::accounts::Authority;
use motcua_domain::org::RestructurePlan;
use motcua_store::restructure::RestructureReport;

/// Reads the plan, applies it (or only reports it) and prints the report.
pub async fn run(database: &str, file: &str, dry_run: bool) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file).map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
    let plan: RestructurePlan = serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
    let app = motcua_app::Application::load(motcua_store::Store::open(database).await?).await?;
    let report = motcua_app::units::restructure(&app, Authority::Operator("cli"), &plan, dry_run)
        .await
        .map_err(|e| anyhow::anyhow!("{}: {} ({})", e.code, e.message, e.message_vi))?;
    print!("{}", render(&report));
    Ok(())
}

/// The report as lines for people.
fn render(r: &RestructureReport) -> String {
    let mut out = String::new();
    let head = if r.dry_run { "dry run — nothing written" } else { "restructure applied" };
    out.push_str(&format!("{head}\n"));
    out.push_str(&format!("units ended: {}\n", r.units_ended.join(", ")));
    out.push_str(&format!("units created: {}\n", r.units_created.join(", ")));
    out.push_str(&format!("dossiers re-homed: {}\n", r.dossiers_rehomed.len()));
    for d in &r.dossiers_rehomed {
        out.push_str(&format!("  {} {} -> {}\n", d.code, d.from_unit, d.to_unit));
    }
    out.push_str(&format!("role grants moved: {}\n", r.grants_moved.len()));
    for g in &r.grants_moved {
        out.push_str(&format!("  {} {} {} -> {}\n", g.username, g.role, g.from_unit, g.to_unit));
    }
    out
}
