//! `motcua`: the server and its administration commands.
//!
//! - `motcua demo` — creates a demo database (merged province, communes, ~30 procedures, demo
//!   officers, a year of dossiers) in `--data` when missing, then serves.
//! - `motcua serve --database URL` — serves an existing database (refuses default passwords).
//! - `motcua restructure FILE [--dry-run]` — applies a restructure plan of units and prints what
//!   it moved.
//! - `motcua import catalog FILE`, `motcua export catalog FILE` — the catalog as .json (national
//!   field names), .csv or .xlsx; an import with any bad row writes nothing.
//! - `motcua migrate`, `motcua verify-audit [--repair]`, `motcua seed-bench` (benchmarks).
//! - `motcua recompute-indicators` — rebuilds the QĐ 766 rollups from the event log.
//! - `motcua report --from 2025-01-01 --to 2025-06-30 [--unit CODE] --out report.html|.xlsx` —
//!   the progress report.
//! - `motcua disclose --month 2025-07 [--note "…"]` — publishes a month's indicators (a
//!   correction is a new revision and needs a note).
//! - `motcua simulate --province-half-year` — a province's half-year of dossiers (195,026) drawn
//!   from configurable rates through the domain rules, to show the report at real scale.

mod bench_indicators;
mod catalog_io;
mod demo;
mod history;
mod indicators_cli;
mod jsonl;
mod loadgen;
mod payment_sim;
mod peer;
mod portal_sim;
mod restructure;
mod serve;
mod simulate;

use clap::{Parser, Subcommand};

#[derive(Subcommand)]
enum PeerCmd {
    /// Route organ ids to another system's edXML inbox; the token to present is read from stdin.
    Add {
        /// Exact organ id (000.00.01.H08), an ancestor code (H08), or * (central).
        pattern: String,
        /// Base URL of the peer, e.g. https://motcua.tinh.gov.vn.
        endpoint: String,
        #[arg(long, default_value = "")]
        name: String,
        #[arg(long, env = "MOTCUA_DATABASE", default_value = "sqlite://./motcua-data/motcua.db")]
        database: String,
    },
    /// Issue a credential a peer presents to this instance's /api/v1/edxml/inbox (printed once).
    Token {
        #[arg(long)]
        name: String,
        #[arg(long, env = "MOTCUA_DATABASE", default_value = "sqlite://./motcua-data/motcua.db")]
        database: String,
    },
    /// Trust the XML-DSig signatures made with a certificate (PEM file).
    Trust {
        /// The signer's certificate, PEM.
        certificate: std::path::PathBuf,
        /// Who holds it (shown to administrators).
        #[arg(long)]
        name: String,
        #[arg(long, env = "MOTCUA_DATABASE", default_value = "sqlite://./motcua-data/motcua.db")]
        database: String,
    },
}

#[derive(Parser)]
#[command(name = "motcua", version, about = "Motcua — một cửa: public administrative service center")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the demo database (if missing) and serve it.
    Demo {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// Folder for the demo SQLite database.
        #[arg(long, default_value = "./motcua-data")]
        data: String,
        /// Historical dossiers per working day at the provincial center (communes get a third).
        #[arg(long, default_value_t = 9)]
        per_day: u32,
        /// Run the demo on this database instead (e.g. an empty PostgreSQL database).
        #[arg(long)]
        database: Option<String>,
    },
    /// A simulator of the national public-service portal's dossier sync (DVCQG), for tests and
    /// trials: validates every record and transition, answers like the portal, can fail and lag.
    PortalSim {
        #[arg(long, default_value = "127.0.0.1:8090")]
        addr: String,
        /// The bearer token the province sends (MOTCUA_DVCQG_TOKEN on Motcua's side).
        #[arg(long, env = "MOTCUA_DVCQG_TOKEN")]
        token: String,
        /// Folder where accepted records are kept (kept across restarts).
        #[arg(long, default_value = "./portal-sim-data")]
        data: String,
        /// Share of calls answered 503 (0 to 1).
        #[arg(long, default_value_t = 0.0)]
        fail_rate: f64,
        /// Milliseconds to wait before each answer.
        #[arg(long, default_value_t = 0)]
        delay_ms: u64,
        /// Push dossiers citizens submit on the simulated portal to this endpoint (Motcua's
        /// `…/api/v1/national/inbound`); without it they wait in the list the province pulls.
        #[arg(long)]
        push_url: Option<String>,
        /// The token pushes carry (MOTCUA_DVCQG_INBOUND_TOKEN on Motcua's side).
        #[arg(long, env = "MOTCUA_DVCQG_INBOUND_TOKEN", default_value = "")]
        push_token: String,
        /// The secret payment messages are signed with (MOTCUA_PAYMENT_SECRET on Motcua's side);
        /// without it the payment platform (`/thanhtoan`) is off.
        #[arg(long, env = "MOTCUA_PAYMENT_SECRET", default_value = "")]
        payment_secret: String,
        /// Motcua's merchant code on the payment platform (MOTCUA_PAYMENT_MERCHANT).
        #[arg(long, env = "MOTCUA_PAYMENT_MERCHANT", default_value = "motcua")]
        payment_merchant: String,
    },
    /// Serve an existing database.
    Serve {
        /// `sqlite://path/to/file.db` or `postgres://user@host/db`.
        #[arg(long, env = "MOTCUA_DATABASE")]
        database: String,
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
    },
    /// edXML exchange peers: `motcua peer add PATTERN ENDPOINT` (token on stdin), `motcua peer token`,
    /// `motcua peer trust CERT.pem`.
    Peer {
        #[command(subcommand)]
        action: PeerCmd,
    },
    /// Import data: `motcua import catalog FILE` (.json, .csv, .xlsx).
    Import {
        #[command(subcommand)]
        what: Dataset,
    },
    /// Export data: `motcua export catalog FILE` (.json with national field names, .csv, .xlsx).
    Export {
        #[command(subcommand)]
        what: Dataset,
    },
    /// Apply migrations and exit.
    Migrate {
        #[arg(long, env = "MOTCUA_DATABASE")]
        database: String,
    },
    /// Create or update an officer account. The password is read from standard input (one line).
    User {
        #[arg(long, env = "MOTCUA_DATABASE")]
        database: String,
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "")]
        full_name: String,
        /// `UNIT:ROLE`, repeatable (roles: receiver, specialist, leader, center_admin, clerk, system_admin).
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
    /// Apply a restructure plan (JSON: merges, renames, moves of units) and print what it moved.
    Restructure {
        /// The plan, as the body of `POST /api/v1/restructures`.
        file: String,
        /// Only print what would move; write nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long, env = "MOTCUA_DATABASE")]
        database: String,
    },
    /// Rebuild the QĐ 766 indicator rollups from the event log.
    RecomputeIndicators {
        #[arg(long, env = "MOTCUA_DATABASE", default_value = "sqlite://./motcua-data/motcua.db")]
        database: String,
    },
    /// Write the progress report (Vietnamese, print-ready HTML or XLSX) for whole months.
    Report {
        #[arg(long, env = "MOTCUA_DATABASE", default_value = "sqlite://./motcua-data/motcua.db")]
        database: String,
        /// First day, YYYY-MM-DD (the first of a month).
        #[arg(long, value_parser = simulate::parse_date)]
        from: time::Date,
        /// Last day, YYYY-MM-DD (the last of a month).
        #[arg(long, value_parser = simulate::parse_date)]
        to: time::Date,
        /// Unit code; the whole province when absent.
        #[arg(long)]
        unit: Option<String>,
        /// Output file: .html or .xlsx.
        #[arg(long, default_value = "bao-cao.html")]
        out: std::path::PathBuf,
    },
    /// Publish a month's indicators (the month must have ended); a later run is a new revision.
    Disclose {
        #[arg(long, env = "MOTCUA_DATABASE", default_value = "sqlite://./motcua-data/motcua.db")]
        database: String,
        /// YYYY-MM.
        #[arg(long)]
        month: String,
        /// Reason for a correction (required from the second revision on).
        #[arg(long, default_value = "")]
        note: String,
        /// Who publishes (recorded with the revision).
        #[arg(long, default_value = "cli")]
        by: String,
    },
    /// Indicator benchmark: recompute, dashboard queries, and the files for the DuckDB comparison.
    #[command(hide = true)]
    BenchIndicators {
        #[arg(long, env = "MOTCUA_DATABASE")]
        database: String,
        /// Directory for the DuckDB comparison's files (required unless --recompute-only).
        #[arg(long, required_unless_present = "recompute_only")]
        out: Option<std::path::PathBuf>,
        #[arg(long, default_value_t = 2000)]
        queries: usize,
        /// Only the full recompute, timed, with the database's size (the 10^7-dossier run).
        #[arg(long)]
        recompute_only: bool,
    },
    /// Re-walk every dossier's hash chain and compare projections with their events.
    VerifyAudit {
        #[arg(long, env = "MOTCUA_DATABASE")]
        database: String,
        /// Rewrite projections that drifted from their events (chains are never rewritten).
        #[arg(long)]
        repair: bool,
    },
    /// Rebuild every dossier projection from its events (same as `verify-audit --repair`).
    Rebuild {
        #[arg(long, env = "MOTCUA_DATABASE")]
        database: String,
    },
    /// Fill a database with reference data and N generated dossiers (benchmarks).
    SeedBench {
        #[arg(long, env = "MOTCUA_DATABASE")]
        database: String,
        /// Number of dossiers.
        #[arg(long)]
        dossiers: u64,
    },
    /// Generate a province's dossiers at real scale through the domain rules (report, dashboard).
    Simulate {
        /// The database (created with the demo reference data when empty).
        #[arg(long, env = "MOTCUA_DATABASE", default_value = "sqlite://./motcua-data/motcua.db")]
        database: String,
        /// Preset: 195,026 dossiers received from 2025-01-01 to 2025-06-30.
        #[arg(long)]
        province_half_year: bool,
        /// First day of reception, YYYY-MM-DD (overrides the preset).
        #[arg(long, value_parser = simulate::parse_date)]
        from: Option<time::Date>,
        /// Last day of reception, YYYY-MM-DD, inclusive (overrides the preset).
        #[arg(long, value_parser = simulate::parse_date)]
        to: Option<time::Date>,
        /// Number of dossiers (overrides the preset).
        #[arg(long)]
        dossiers: Option<u64>,
        /// Seed of the generator: the same seed gives the same dossiers.
        #[arg(long, default_value_t = 2025)]
        seed: u64,
        #[command(flatten)]
        rates: SimRates,
    },
    /// Benchmark load generator (loopback only): `transitions` or `inbox`.
    #[command(hide = true)]
    Loadgen {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// transitions | inbox | indicators
        #[arg(long)]
        mode: String,
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 2000)]
        requests: usize,
        /// Procedure used for transition dossiers (province-level, received at the center).
        #[arg(long, default_value = "1.012784")]
        procedure: String,
        /// Inbox users, comma-separated.
        #[arg(long, default_value = "lanhdao,tiepnhan,tiepnhan.rachgia")]
        users: String,
        /// Indicators: first and last month (YYYY-MM).
        #[arg(long, default_value = "2025-01")]
        from: String,
        #[arg(long, default_value = "2025-06")]
        to: String,
    },
    /// The raw-INSERT floor: the same event and projection writes as a transition, without HTTP
    /// or domain, committed in batches of `batch`.
    #[command(hide = true)]
    BenchRaw {
        #[arg(long, env = "MOTCUA_DATABASE")]
        database: String,
        #[arg(long, default_value_t = 50_000)]
        rows: u64,
        #[arg(long, default_value_t = 64)]
        batch: u64,
    },
}

/// The rates `simulate` draws each dossier from (defaults: the province's half-year figures).
#[derive(clap::Args)]
struct SimRates {
    /// Share of dossiers submitted online.
    #[arg(long, default_value_t = 0.88)]
    online: f64,
    /// Share of judged dossiers finished on time (the rest late).
    #[arg(long, default_value_t = 0.9653)]
    on_time: f64,
    /// Share of dossiers with digitized components.
    #[arg(long, default_value_t = 0.9118)]
    digitized_input: f64,
    /// Share of results issued electronically.
    #[arg(long, default_value_t = 0.901)]
    digitized_result: f64,
    /// Share with every component and the result digitized (766 indicator 4.2).
    #[arg(long, default_value_t = 0.7768)]
    digitized_both: f64,
    /// Share of dossiers asked for a supplement.
    #[arg(long, default_value_t = 0.08)]
    supplement: f64,
    /// Share of online dossiers whose fee is paid online.
    #[arg(long, default_value_t = 0.5)]
    paid_online: f64,
    /// Share of returned dossiers the applicant rates.
    #[arg(long, default_value_t = 0.6)]
    rated: f64,
    /// Share of dossiers refused at reception.
    #[arg(long, default_value_t = 0.005)]
    refused: f64,
    /// Share of received dossiers withdrawn by the applicant.
    #[arg(long, default_value_t = 0.003)]
    withdrawn: f64,
    /// Share of dossiers received at the provincial center (communes share the rest).
    #[arg(long, default_value_t = 0.3)]
    center_share: f64,
}

/// `motcua simulate`: the preset or the explicit period, with the rates from the flags.
async fn run_simulate(
    database: &str,
    preset: bool,
    period: (Option<time::Date>, Option<time::Date>, Option<u64>),
    seed: u64,
    r: SimRates,
) -> anyhow::Result<()> {
    let rates = history::Rates {
        online: r.online,
        digitized_input: r.digitized_input,
        digitized_result: r.digitized_result,
        digitized_both: Some(r.digitized_both),
        late: 1.0 - r.on_time,
        supplement: r.supplement,
        paid_online: r.paid_online,
        rated: r.rated,
        refused: r.refused,
        withdrawn: r.withdrawn,
        ..simulate::province_rates()
    };
    let (from, to, dossiers) = period;
    if !preset && (from.is_none() || to.is_none() || dossiers.is_none()) {
        anyhow::bail!("use --province-half-year, or give --from, --to and --dossiers");
    }
    // The preset, with whatever the flags override.
    let preset = simulate::Options::province_half_year(rates);
    let opts = simulate::Options {
        from: from.unwrap_or(preset.from),
        to: to.unwrap_or(preset.to),
        dossiers: dossiers.unwrap_or(preset.dossiers),
        seed,
        center_share: r.center_share,
        ..preset
    };
    if !(0.0..=1.0).contains(&r.on_time) {
        anyhow::bail!("--on-time {}: a rate is between 0 and 1", r.on_time);
    }
    let summary = simulate::run(database, &opts).await?;
    simulate::print_summary(&summary, &opts);
    Ok(())
}

/// What `import` / `export` work on.
#[derive(Subcommand)]
enum Dataset {
    /// The procedure catalog; the format follows the file's extension.
    Catalog {
        file: std::path::PathBuf,
        #[arg(long, env = "MOTCUA_DATABASE")]
        database: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    match Cli::parse().command {
        Command::Demo { addr, data, per_day, database } => demo::run(&addr, &data, per_day, database.as_deref()).await,
        Command::Serve { database, addr } => serve::serve(&database, &addr, false).await,
        Command::PortalSim {
            addr,
            token,
            data,
            fail_rate,
            delay_ms,
            push_url,
            push_token,
            payment_secret,
            payment_merchant,
        } => {
            if !(0.0..=1.0).contains(&fail_rate) {
                anyhow::bail!("--fail-rate is a share between 0 and 1");
            }
            let push = push_url.map(|url| (url, push_token));
            let payment = (!payment_secret.is_empty())
                .then_some(payment_sim::PaymentSimConfig { secret: payment_secret, merchant: payment_merchant });
            let config = portal_sim::SimConfig { token, data: data.into(), fail_rate, delay_ms, push, payment };
            portal_sim::run(&addr, config).await
        }
        Command::Peer { action: PeerCmd::Add { pattern, endpoint, name, database } } => {
            peer::add(&database, &pattern, &name, &endpoint).await
        }
        Command::Peer { action: PeerCmd::Token { name, database } } => peer::token(&database, &name).await,
        Command::Peer { action: PeerCmd::Trust { certificate, name, database } } => {
            peer::trust(&database, &certificate, &name).await
        }
        Command::Import { what: Dataset::Catalog { file, database } } => catalog_io::import(&file, &database).await,
        Command::Export { what: Dataset::Catalog { file, database } } => catalog_io::export(&file, &database).await,
        Command::Migrate { database } => {
            motcua_store::Store::open(&database).await?;
            println!("migrations applied to {}", motcua_store::redact(&database));
            Ok(())
        }
        Command::Restructure { file, dry_run, database } => restructure::run(&database, &file, dry_run).await,
        Command::RecomputeIndicators { database } => indicators_cli::recompute(&database).await,
        Command::Report { database, from, to, unit, out } => {
            indicators_cli::report(&database, from, to, unit.as_deref(), &out).await
        }
        Command::Disclose { database, month, note, by } => {
            indicators_cli::disclose(&database, &month, &note, &by).await
        }
        Command::BenchIndicators { database, out, queries, recompute_only } => match out {
            Some(out) if !recompute_only => bench_indicators::run(&database, &out, queries).await,
            _ => bench_indicators::recompute_only(&database).await,
        },
        Command::VerifyAudit { database, repair } => verify_audit(&database, repair).await,
        Command::Rebuild { database } => verify_audit(&database, true).await,
        Command::User { database, username, full_name, roles } => user(&database, &username, &full_name, &roles).await,
        Command::SeedBench { database, dossiers } => demo::seed_bench(&database, dossiers).await,
        Command::Simulate { database, province_half_year, from, to, dossiers, seed, rates } => {
            run_simulate(&database, province_half_year, (from, to, dossiers), seed, rates).await
        }
        Command::Loadgen { addr, mode, concurrency, seconds, requests, procedure, users, from, to } => match mode
            .as_str()
        {
            "transitions" => loadgen::transitions(&addr, concurrency, seconds, &procedure).await,
            "inbox" => loadgen::inbox(&addr, &users.split(',').map(str::to_owned).collect::<Vec<_>>(), requests).await,
            "indicators" => loadgen::indicators(&addr, &from, &to, requests).await,
            other => anyhow::bail!("unknown mode {other}: use transitions, inbox or indicators"),
        },
        Command::BenchRaw { database, rows, batch } => {
            let store = motcua_store::Store::open(&database).await?;
            let t = std::time::Instant::now();
            store.raw_append_floor(rows, batch).await?;
            let s = t.elapsed().as_secs_f64();
            println!(
                "raw floor: {rows} event appends (INSERT event + UPDATE projection) in batches of {batch}: {s:.2} s = {:.0}/s",
                rows as f64 / s
            );
            Ok(())
        }
    }
}

/// `motcua user`: creates or replaces an account; the password comes from standard input.
async fn user(database: &str, username: &str, full_name: &str, roles: &[String]) -> anyhow::Result<()> {
    use motcua_domain::dossier::Role;
    let valid_name = !username.is_empty()
        && username.len() <= 64
        && username.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-');
    if !valid_name {
        anyhow::bail!("username: 1-64 characters among a-z, 0-9, '.', '_', '-'");
    }
    let store = motcua_store::Store::open(database).await?;
    let mut parsed = Vec::new();
    for r in roles {
        let (unit, role) = r.split_once(':').ok_or_else(|| anyhow::anyhow!("--role {r}: expected UNIT:ROLE"))?;
        let role = Role::parse(role).ok_or_else(|| anyhow::anyhow!("--role {r}: unknown role {role}"))?;
        let unit = store.unit(unit).await.map_err(|_| anyhow::anyhow!("--role {r}: unknown unit {unit}"))?;
        parsed.push((unit.code, role));
    }
    let mut password = String::new();
    std::io::stdin().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    if password.chars().count() < 10 || password == "demo" {
        anyhow::bail!("the password must have at least 10 characters");
    }
    let hash = tokio::task::spawn_blocking(move || motcua_app::auth::hash_password(&password))
        .await?
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))?;
    let full_name = if full_name.is_empty() { username.to_owned() } else { full_name.to_owned() };
    store
        .put_user(
            &motcua_store::users::User {
                username: username.to_owned(),
                full_name,
                password_hash: hash,
                default_password: false,
                must_change_password: false,
                active: true,
                roles: parsed,
            },
            time::OffsetDateTime::now_utc(),
        )
        .await?;
    println!("account {username} saved");
    Ok(())
}

/// `motcua verify-audit` / `motcua rebuild`.
async fn verify_audit(database: &str, repair: bool) -> anyhow::Result<()> {
    let store = motcua_store::Store::open(database).await?;
    let r = store.verify_audit(repair).await?;
    println!("{} dossiers, {} events checked", r.dossiers, r.events);
    for (code, seq) in &r.broken {
        println!("BROKEN chain: dossier {code} at event {seq}");
    }
    for code in &r.drifted {
        println!("{} projection: dossier {code}", if repair { "REBUILT" } else { "DRIFTED" });
    }
    let (mut broken, mut drifted) = (r.broken.len(), r.drifted.len());
    for (kind, k) in &r.records {
        println!("{} {kind} records, {} events checked", k.records, k.events);
        for (id, seq) in &k.broken {
            println!("BROKEN chain: {kind} {id} at event {seq}");
        }
        for id in &k.drifted {
            println!("{} projection: {kind} {id}", if repair { "REBUILT" } else { "DRIFTED" });
        }
        (broken, drifted) = (broken + k.broken.len(), drifted + k.drifted.len());
    }
    if r.ok(repair) {
        println!("audit OK");
        Ok(())
    } else {
        anyhow::bail!("audit failed: {broken} broken chains, {drifted} drifted projections")
    }
}
