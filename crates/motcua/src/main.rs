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

mod catalog_io;
mod demo;
mod history;
mod loadgen;
mod restructure;
mod serve;

use clap::{Parser, Subcommand};

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
    /// Serve an existing database.
    Serve {
        /// `sqlite://path/to/file.db` or `postgres://user@host/db`.
        #[arg(long, env = "MOTCUA_DATABASE")]
        database: String,
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
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
    /// Benchmark load generator (loopback only): `transitions` or `inbox`.
    #[command(hide = true)]
    Loadgen {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// transitions | inbox
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
        Command::Import { what: Dataset::Catalog { file, database } } => catalog_io::import(&file, &database).await,
        Command::Export { what: Dataset::Catalog { file, database } } => catalog_io::export(&file, &database).await,
        Command::Migrate { database } => {
            motcua_store::Store::open(&database).await?;
            println!("migrations applied to {}", motcua_store::redact(&database));
            Ok(())
        }
        Command::Restructure { file, dry_run, database } => restructure::run(&database, &file, dry_run).await,
        Command::VerifyAudit { database, repair } => verify_audit(&database, repair).await,
        Command::Rebuild { database } => verify_audit(&database, true).await,
        Command::User { database, username, full_name, roles } => user(&database, &username, &full_name, &roles).await,
        Command::SeedBench { database, dossiers } => demo::seed_bench(&database, dossiers).await,
        Command::Loadgen { addr, mode, concurrency, seconds, requests, procedure, users } => match mode.as_str() {
            "transitions" => loadgen::transitions(&addr, concurrency, seconds, &procedure).await,
            "inbox" => loadgen::inbox(&addr, &users.split(',').map(str::to_owned).collect::<Vec<_>>(), requests).await,
            other => anyhow::bail!("unknown mode {other}: use transitions or inbox"),
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
        store.unit(unit).await.map_err(|_| anyhow::anyhow!("--role {r}: unknown unit {unit}"))?;
        parsed.push((unit.to_owned(), role));
    }
    let mut password = String::new();
    std::io::stdin().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    if password.chars().count() < 10 || password == "demo" {
        anyhow::bail!("the password must have at least 10 characters");
    }
    let hash = tokio::task::spawn_blocking(move || motcua_web::auth::hash_password(&password))
        .await?
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))?;
    let full_name = if full_name.is_empty() { username.to_owned() } else { full_name.to_owned() };
    store
        .put_user(&motcua_store::users::User {
            username: username.to_owned(),
            full_name,
            password_hash: hash,
            default_password: false,
            active: true,
            roles: parsed,
        })
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
    if r.broken.is_empty() && (r.drifted.is_empty() || repair) {
        println!("audit OK");
        Ok(())
    } else {
        anyhow::bail!("audit failed: {} broken chains, {} drifted projections", r.broken.len(), r.drifted.len())
    }
}
