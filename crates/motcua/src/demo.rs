//! The demo: a merged province (An Giang, after the 1/7/2025 reform) with its provincial center,
//! agencies, communes, wards and special zones; ~30 real procedures with internal processes; the
//! demo officers of DESIGN.md (password `demo`); and a year of dossiers generated through the
//! domain rules. Also the seeding used by benchmarks.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use motcua_domain::calendar::Calendar;
use motcua_domain::catalog::{COMMUNE_AGENCY, Level, Procedure};
use motcua_domain::dossier::timeliness::VN_OFFSET;
use motcua_domain::dossier::{Actor, Role, Status, UnitCode};
use motcua_domain::org::{Unit, UnitKind};
use motcua_store::Store;
use motcua_store::users::User;
use motcua_store::writer::History;
use time::{Duration, OffsetDateTime, Time};

use crate::history::{Generated, Rates, Rng, Spec, Staff, generate};

const UNITS: &str = include_str!("../../../data/demo/units.json");
const PROCEDURES: &str = include_str!("../../../data/demo/procedures.json");

/// Reference data parsed from the embedded files.
pub struct Reference {
    pub units: Vec<Unit>,
    pub procedures: Vec<Procedure>,
}

impl Reference {
    pub fn load() -> anyhow::Result<Reference> {
        let units: Vec<Unit> = serde_json::from_str(UNITS).context("data/demo/units.json")?;
        let procedures: Vec<Procedure> = serde_json::from_str(PROCEDURES).context("data/demo/procedures.json")?;
        for p in &procedures {
            p.validate().map_err(|e| anyhow::anyhow!("data/demo/procedures.json: {}: {}", p.code, e.message))?;
        }
        Ok(Reference { units, procedures })
    }

    pub(crate) fn center(&self) -> anyhow::Result<&Unit> {
        self.units
            .iter()
            .find(|u| u.kind == UnitKind::Center && u.level == Level::Province && u.is_current())
            .context("no provincial center in units.json")
    }

    pub(crate) fn communes(&self) -> Vec<&Unit> {
        self.units.iter().filter(|u| u.level == Level::Commune && u.is_current() && u.receives_dossiers()).collect()
    }

    fn agencies(&self) -> Vec<UnitCode> {
        self.units.iter().filter(|u| u.kind == UnitKind::Agency && u.is_current()).map(|u| u.code.clone()).collect()
    }
}

/// A demo account.
pub struct DemoUser {
    pub username: String,
    pub full_name: String,
    pub roles: Vec<(UnitCode, Role)>,
}

/// The demo officers: at the provincial center `admin`, `giamdoc`, `tiepnhan`, `chuyenvien`,
/// `lanhdao`, `vanthu` (specialists, leaders and the clerk work for the provincial agencies whose
/// dossiers the center receives), and the same roles at each commune with a `.slug` suffix.
pub fn demo_users(r: &Reference) -> anyhow::Result<Vec<DemoUser>> {
    let center = r.center()?.code.clone();
    let agencies = r.agencies();
    let province = r
        .units
        .iter()
        .find(|u| u.kind == UnitKind::Province && u.is_current())
        .map(|u| u.code.clone())
        .unwrap_or_else(|| center.clone());
    let mut out = vec![
        DemoUser {
            username: "admin".into(),
            full_name: "Quản trị hệ thống".into(),
            roles: vec![(province.clone(), Role::SystemAdmin)],
        },
        DemoUser {
            username: "giamdoc".into(),
            full_name: "Giám đốc Trung tâm".into(),
            roles: vec![(center.clone(), Role::CenterAdmin)],
        },
        DemoUser {
            username: "tiepnhan".into(),
            full_name: "Cán bộ tiếp nhận".into(),
            roles: vec![(center.clone(), Role::Receiver)],
        },
        DemoUser {
            username: "chuyenvien".into(),
            full_name: "Chuyên viên thụ lý".into(),
            roles: agencies.iter().map(|a| (a.clone(), Role::Specialist)).collect(),
        },
        DemoUser {
            username: "lanhdao".into(),
            full_name: "Lãnh đạo phê duyệt".into(),
            roles: agencies.iter().map(|a| (a.clone(), Role::Leader)).collect(),
        },
        // The clerk registers the center's documents and issues the agencies' results (the
        // clerk's step after the approval in their processes).
        DemoUser {
            username: "vanthu".into(),
            full_name: "Văn thư".into(),
            roles: std::iter::once(&center).chain(agencies.iter()).map(|u| (u.clone(), Role::Clerk)).collect(),
        },
    ];
    for c in r.communes() {
        let slug = c.slug.clone().unwrap_or_else(|| c.code.to_string());
        for (base, role, title) in [
            ("giamdoc", Role::CenterAdmin, "Giám đốc Trung tâm"),
            ("tiepnhan", Role::Receiver, "Cán bộ tiếp nhận"),
            ("chuyenvien", Role::Specialist, "Chuyên viên"),
            ("lanhdao", Role::Leader, "Lãnh đạo"),
            ("vanthu", Role::Clerk, "Văn thư"),
        ] {
            out.push(DemoUser {
                username: format!("{base}.{slug}"),
                full_name: format!("{title} — {}", c.name),
                roles: vec![(c.code.clone(), role)],
            });
        }
    }
    Ok(out)
}

/// Writes units, procedures and accounts (all with password `demo`, flagged default).
pub(crate) async fn seed_reference(store: &Store, r: &Reference) -> anyhow::Result<Vec<DemoUser>> {
    for u in &r.units {
        store.put_unit(u).await?;
    }
    // The demo catalog is published the way a province does it: one publication decision,
    // effective with the new two-level government (1/7/2025).
    let decision = motcua_domain::catalog::decision::Decision {
        number: "0001/QĐ-UBND (dữ liệu mẫu)".into(),
        signed_on: time::macros::date!(2025 - 06 - 25),
        effective_from: time::macros::date!(2025 - 07 - 01),
        signer: "Chủ tịch UBND tỉnh An Giang (dữ liệu mẫu)".into(),
        new: r.procedures.clone(),
        amended: Vec::new(),
        abolished: Vec::new(),
    };
    store.apply_decision(&decision, time::OffsetDateTime::now_utc()).await?;
    // The provincial center's queue: two counter groups, two counters each (docs/QUEUE.md).
    let center = r.center()?.code.to_string();
    for (code, name, prefix, fields) in [
        ("DD", "Đất đai – Xây dựng", "A", vec!["Đất đai".to_owned(), "Xây dựng".to_owned()]),
        ("TP", "Tư pháp – Hộ tịch và lĩnh vực khác", "B", Vec::new()),
    ] {
        let group = format!("TT-{code}");
        store
            .put_queue_group(&motcua_domain::queue::CounterGroup {
                code: group.clone(),
                unit: center.clone(),
                name: name.into(),
                fields,
                prefix: prefix.into(),
                max_priority_run: motcua_domain::queue::default_max_priority_run(),
            })
            .await?;
        for n in 1..=2 {
            let id = format!("TT-{code}-Q{n:02}");
            let name = format!("Quầy {prefix}{n}");
            store.put_counter(&motcua_domain::queue::Counter { id, name, group: group.clone() }).await?;
        }
    }
    // Each commune's one-stop: one counter group for every field, two counters (its kiosk and
    // board work the same way as the province's).
    for c in r.communes() {
        let group = format!("{}-MC", c.code);
        store
            .put_queue_group(&motcua_domain::queue::CounterGroup {
                code: group.clone(),
                unit: c.code.to_string(),
                name: "Tiếp nhận và trả kết quả".into(),
                fields: Vec::new(),
                prefix: "A".into(),
                max_priority_run: motcua_domain::queue::default_max_priority_run(),
            })
            .await?;
        for n in 1..=2 {
            let id = format!("{}-Q{n:02}", c.code);
            store
                .put_counter(&motcua_domain::queue::Counter { id, name: format!("Quầy {n}"), group: group.clone() })
                .await?;
        }
    }
    let users = demo_users(r)?;
    // One argon2id hash for the shared demo password: they are all "demo" anyway.
    let hash = tokio::task::spawn_blocking(|| motcua_app::auth::hash_password("demo"))
        .await?
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))?;
    for u in &users {
        store
            .put_user(
                &User {
                    username: u.username.clone(),
                    full_name: u.full_name.clone(),
                    password_hash: hash.clone(),
                    default_password: true,
                    must_change_password: false,
                    active: true,
                    roles: u.roles.clone(),
                },
                time::OffsetDateTime::now_utc(),
            )
            .await?;
    }
    Ok(users)
}

pub(crate) fn staff_for(users: &[DemoUser], suffix: &str) -> Staff {
    let actor = |base: &str| {
        let name = format!("{base}{suffix}");
        let u = users.iter().find(|u| u.username == name);
        Actor::Officer { username: name, grants: u.map(|u| u.roles.clone()).unwrap_or_default() }
    };
    Staff {
        receiver: actor("tiepnhan"),
        specialist: actor("chuyenvien"),
        leader: actor("lanhdao"),
        clerk: actor("vanthu"),
    }
}

/// Generates `per_day` dossiers a working day at the provincial center (and a third as many at
/// each commune) over the year before `now`, and writes them. Returns how many were written.
async fn seed_history(
    store: &Store,
    r: &Reference,
    users: &[DemoUser],
    per_day: u32,
    now: OffsetDateTime,
    seed: u64,
) -> anyhow::Result<u64> {
    let cal = Calendar::vietnam_default();
    let rates = Rates::default();
    let mut rng = Rng::new(seed);
    let center = r.center()?;
    let province_procs: Vec<&Procedure> = r.procedures.iter().filter(|p| p.agency != COMMUNE_AGENCY).collect();
    let commune_procs: Vec<&Procedure> = r.procedures.iter().filter(|p| p.agency == COMMUNE_AGENCY).collect();
    let mut places: Vec<(String, Staff, Vec<&Procedure>, u32)> =
        vec![(center.code.to_string(), staff_for(users, ""), province_procs, per_day)];
    for c in r.communes() {
        let slug = format!(".{}", c.slug.clone().unwrap_or_default());
        places.push((c.code.to_string(), staff_for(users, &slug), commune_procs.clone(), per_day.div_ceil(3)));
    }
    let first = now.to_offset(VN_OFFSET).date() - Duration::days(365);
    let mut batch = Vec::new();
    let mut written = 0u64;
    let mut day = first;
    while day <= now.to_offset(VN_OFFSET).date() {
        if cal.is_working_day(day) {
            let opening = cal.receipt_instant(OffsetDateTime::new_in_offset(day, Time::MIDNIGHT, VN_OFFSET));
            for (unit, staff, procs, n) in &places {
                if procs.is_empty() {
                    continue;
                }
                for seq in 1..=u64::from(*n) {
                    let p = procs[rng.below(procs.len() as u64) as usize];
                    let submitted =
                        cal.add(opening, motcua_domain::calendar::WorkingTime(rng.below(8 * 3600 - 60) as i64));
                    let submitted = submitted.replace_nanosecond(0).unwrap_or(submitted);
                    if submitted > now {
                        continue;
                    }
                    let resolving = if p.agency == COMMUNE_AGENCY { unit.as_str() } else { p.agency.as_str() };
                    let spec = Spec {
                        procedure: p,
                        receiving: unit,
                        resolving,
                        seq,
                        submitted_at: submitted,
                        now,
                        online: None,
                        rates: &rates,
                    };
                    if let Some(Generated { events, files, .. }) = generate(&mut rng, &cal, staff, spec) {
                        let secret = motcua_app::auth::new_secret();
                        batch.push(History {
                            secret_hash: motcua_app::auth::secret_hash(&secret),
                            events,
                            seq: Some((unit.clone(), day.to_string(), seq as i64)),
                            files,
                        });
                    }
                }
            }
        }
        if batch.len() >= 5000 {
            written += store.writer.bulk(std::mem::take(&mut batch)).await? as u64;
        }
        day = day.next_day().context("date overflow")?;
    }
    written += store.writer.bulk(batch).await? as u64;
    Ok(written)
}

/// Dossiers with known secrets, so the demo's public lookup can be tried at once.
async fn showcase(
    store: &Store,
    r: &Reference,
    users: &[DemoUser],
    now: OffsetDateTime,
) -> anyhow::Result<Vec<(String, String, String)>> {
    let cal = Calendar::vietnam_default();
    let mut rng = Rng::new(7);
    let mut out = Vec::new();
    let center = r.center()?;
    let province_proc = r.procedures.iter().find(|p| p.agency != COMMUNE_AGENCY && p.online_level.accepts_online());
    let commune = r.communes().into_iter().next();
    let commune_proc = r.procedures.iter().find(|p| p.agency == COMMUNE_AGENCY);
    let mut picks = Vec::new();
    if let Some(p) = province_proc {
        picks.push((p, center.code.to_string(), p.agency.clone(), String::new()));
    }
    if let (Some(p), Some(c)) = (commune_proc, commune) {
        picks.push((p, c.code.to_string(), c.code.to_string(), format!(".{}", c.slug.clone().unwrap_or_default())));
    }
    // A received dossier that owes fees, so online payment can be tried at once (issue 15).
    let fee_proc = r
        .procedures
        .iter()
        .find(|p| p.agency == COMMUNE_AGENCY && !p.fees.is_empty() && p.online_level.accepts_online());
    if let (Some(p), Some(c)) = (fee_proc, commune) {
        picks.push((p, c.code.to_string(), c.code.to_string(), format!(".{}", c.slug.clone().unwrap_or_default())));
    }
    for (i, (p, receiving, resolving, suffix)) in picks.into_iter().enumerate() {
        let wants_fees = i == 2;
        let staff = staff_for(users, &suffix);
        let submitted =
            cal.add(cal.receipt_instant(now - Duration::days(2)), motcua_domain::calendar::WorkingTime(3600));
        let submitted = submitted.replace_nanosecond(0).unwrap_or(submitted);
        let seq = 9000 + i as u64;
        let rates = Rates::default();
        let spec = Spec {
            procedure: p,
            receiving: &receiving,
            resolving: &resolving,
            seq,
            submitted_at: submitted,
            now,
            online: None,
            rates: &rates,
        };
        // The fee example is drawn again until it is received and still owes its fees.
        let mut drawn = generate(&mut rng, &cal, &staff, spec);
        for _ in 0..200 {
            let owes = drawn.as_ref().is_some_and(|g| {
                g.events
                    .iter()
                    .try_fold(None, |d, e| motcua_domain::dossier::event::apply(d, e).map(Some))
                    .ok()
                    .flatten()
                    .is_some_and(|d| {
                        matches!(d.status, Status::Received | Status::InProgress)
                            && motcua_domain::dossier::amount_due(&d).is_ok()
                    })
            });
            if !wants_fees || owes {
                break;
            }
            drawn = generate(&mut rng, &cal, &staff, spec);
        }
        if let Some(g) = drawn {
            let secret = motcua_app::auth::new_secret();
            let day = submitted.to_offset(VN_OFFSET).date().to_string();
            let history = History {
                secret_hash: motcua_app::auth::secret_hash(&secret),
                events: g.events,
                seq: Some((receiving.clone(), day, seq as i64)),
                files: g.files,
            };
            store.writer.bulk(vec![history]).await?;
            out.push((g.code, secret, p.name.clone()));
        }
    }
    Ok(out)
}

/// `motcua demo`.
pub async fn run(addr: &str, data: &str, per_day: u32, database: Option<&str>) -> anyhow::Result<()> {
    let url = match database {
        Some(url) => url.to_owned(),
        None => {
            std::fs::create_dir_all(data).with_context(|| format!("creating {data}"))?;
            format!("sqlite://{}", Path::new(data).join("motcua.db").display())
        }
    };
    let shown = motcua_store::redact(&url);
    let store = Store::open(&url).await.with_context(|| format!("opening {shown}"))?;
    crate::serve::use_file_storage(&store, &url)?;
    let fresh = store.procedures(&Default::default()).await?.is_empty();
    let reference = Reference::load()?;
    let users = demo_users(&reference)?;
    let mut examples = Vec::new();
    if fresh {
        let t = Instant::now();
        let now = OffsetDateTime::now_utc();
        seed_reference(&store, &reference).await?;
        let n = seed_history(&store, &reference, &users, per_day, now, 2025).await?;
        examples = showcase(&store, &reference, &users, now).await?;
        println!(
            "Created the demo database {shown} ({} procedures, {} units, {} dossiers) in {:.1} s",
            reference.procedures.len(),
            reference.units.len(),
            n,
            t.elapsed().as_secs_f64()
        );
    } else {
        println!("Using the existing demo database {shown} (delete it to start over)");
    }
    // The demo syncs to a national-portal simulator of its own (issue 15), unless
    // MOTCUA_DVCQG_URL names a real endpoint.
    let mut workers = motcua_app::workers::WorkerConfig::from_env();
    let mut portal_line = None;
    let payment_secret = motcua_app::auth::new_token();
    let mut payments = None;
    if workers.portal.is_none() {
        let token = motcua_app::auth::new_token();
        let config = crate::portal_sim::SimConfig {
            token: token.clone(),
            data: Path::new(data).join("portal-sim"),
            fail_rate: 0.0,
            delay_ms: 0,
            push: None,
            // Fees are paid online on the simulator's payment platform, unless
            // MOTCUA_PAYMENT_URL names a real one.
            payment: (std::env::var_os("MOTCUA_PAYMENT_URL").is_none()).then(|| crate::payment_sim::PaymentSimConfig {
                secret: payment_secret.clone(),
                merchant: "motcua".to_owned(),
            }),
        };
        let first_start = !Path::new(data).join("portal-sim").join("submitted.jsonl").exists();
        let sim = crate::portal_sim::spawn("127.0.0.1:0", config).await?;
        let url = format!("http://{sim}/dvcqg/hoso");
        let mut portal = motcua_app::national::PortalConfig::new(&url, &token);
        // Dossiers citizens submit on the simulated portal are pulled every 5 s.
        portal.pull = motcua_app::national::pull_url(&url).map(|url| motcua_app::national::inbound::PullConfig {
            url,
            token: token.clone(),
            every: std::time::Duration::from_secs(5),
        });
        workers.portal = Some(portal);
        if first_start {
            // One dossier already waits on the portal, so the intake shows one at once.
            crate::portal_sim::submit_sample(sim).await;
        }
        portal_line = Some(format!("http://{sim}"));
        if std::env::var_os("MOTCUA_PAYMENT_URL").is_none() {
            payments = Some(motcua_app::payments::PaymentConfig {
                url: format!("http://{sim}/thanhtoan"),
                secret: payment_secret.clone(),
                merchant: "motcua".to_owned(),
                platform: motcua_domain::payment::Platform::Portal,
                name: "dvcqg".to_owned(),
                public_url: std::env::var("MOTCUA_PUBLIC_URL").ok().filter(|u| !u.trim().is_empty()),
                refund_every: motcua_app::payments::refund_every(),
            });
        }
    }
    workers.payments = payments;
    crate::serve::serve_store(store, &url, addr, true, workers, |local| {
        println!();
        println!("Motcua demo is running:");
        println!("  Home (procedures):  http://{local}/");
        println!("  Dossier lookup:     http://{local}/tra-cuu");
        println!("  Verify a result:    http://{local}/xac-thuc (signed electronic results; docs/RESULTS.md)");
        println!("  766 indicators:     http://{local}/chi-so   (monthly disclosures: /cong-khai)");
        println!("  Feedback:           http://{local}/phan-anh (Open311: /open311/v2/services.json)");
        println!("  Queue kiosk/board:  http://{local}/lay-so   http://{local}/bang-goi-so");
        println!("  Officers:           http://{local}/dang-nhap (inbox, alerts, documents, report)");
        println!("  API (OpenAPI):      http://{local}/api/openapi.json");
        println!("  Health:             http://{local}/healthz");
        if let Some(sim) = &portal_line {
            println!("  National portal:    simulator, counts at {sim}/dvcqg/thong-ke (sync state: /quan-tri/dong-bo);");
            println!("                      a citizen submits there at {sim}/dvcqg/mo-phong (docs/NATIONAL_PORTAL.md)");
            println!("  Payment platform:   simulator at {sim}/thanhtoan (\"Thanh toán trực tuyến\" on the lookup of a received dossier with fees; reconciliation: /quan-tri/doi-soat)");
        }
        println!();
        println!("Demo logins (password: demo) — POST /api/v1/auth/login {{\"username\",\"password\"}}:");
        println!("  provincial center: admin (system_admin), giamdoc (center_admin), tiepnhan (receiver), chuyenvien (specialist), lanhdao (leader), vanthu (clerk)");
        let mut slugs: Vec<String> = users.iter().filter_map(|u| u.username.strip_prefix("tiepnhan.").map(str::to_owned)).collect();
        slugs.sort();
        println!("  communes: the same roles with a suffix, e.g. tiepnhan.{}; suffixes: {}", slugs.first().cloned().unwrap_or_default(), slugs.join(", "));
        for (code, secret, name) in &examples {
            println!("  Try the lookup: code {code} secret {secret} ({name}) — http://{local}/tra-cuu?code={code}&secret={secret}");
        }
        println!("Press Ctrl-C to stop.");
    })
    .await
}

/// `motcua seed-bench`: reference data plus `n` dossiers spread over the past year.
pub async fn seed_bench(database: &str, n: u64) -> anyhow::Result<()> {
    let store = Store::open(database).await?;
    let reference = Reference::load()?;
    let users = seed_reference(&store, &reference).await?;
    // The smallest per-day rate that reaches n over the working days of the past year
    // (the center gets per_day, each commune a third of it, rounded up).
    let cal = Calendar::vietnam_default();
    let today = OffsetDateTime::now_utc().to_offset(VN_OFFSET).date();
    let working_days = (0..=365).filter(|d| cal.is_working_day(today - Duration::days(*d))).count() as u64;
    let communes = reference.communes().len() as u64;
    let mut per_day = 1u32;
    while (u64::from(per_day) + communes * u64::from(per_day.div_ceil(3))) * working_days.saturating_sub(1) < n {
        per_day += 1;
    }
    let t = Instant::now();
    let written = seed_history(&store, &reference, &users, per_day, OffsetDateTime::now_utc(), 42).await?;
    println!("seeded {written} dossiers in {:.1} s", t.elapsed().as_secs_f64());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_domain::indicators::YearMonth;
    use motcua_store::indicators::{By, Scope};

    #[tokio::test]
    async fn the_demo_seed_passes_the_audit_and_has_the_designed_accounts() {
        let dir = std::env::temp_dir().join(format!("motcua-demo-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.join("t.db").display())).await.unwrap();
        let r = Reference::load().unwrap();
        assert!(r.procedures.len() >= 30);
        for name in
            ["Đăng ký khai sinh", "Đăng ký kết hôn", "Chứng thực bản sao từ bản chính", "Cấp giấy phép xây dựng"]
        {
            assert!(r.procedures.iter().any(|p| p.name.starts_with(name)), "{name} missing");
        }
        assert!(r.procedures.iter().filter(|p| p.field.contains("Đất đai") || p.name.contains("đất")).count() >= 3);
        assert!(r.units.iter().any(|u| u.kind == UnitKind::SpecialZone));
        let users = seed_reference(&store, &r).await.unwrap();
        for u in ["admin", "giamdoc", "tiepnhan", "chuyenvien", "lanhdao", "vanthu", "tiepnhan.phuquoc"] {
            assert!(users.iter().any(|x| x.username == u), "{u} missing");
        }
        // A shortened history (the whole year is the same loop).
        let n = seed_history(&store, &r, &users, 2, OffsetDateTime::now_utc(), 1).await.unwrap();
        assert!(n > 500, "{n}");
        let report = store.verify_audit(false).await.unwrap();
        assert!(report.broken.is_empty() && report.drifted.is_empty());
        let (first, last) = (YearMonth { year: 2000, month: 1 }, YearMonth { year: 2100, month: 1 });
        let all = store.indicator_tallies(&Scope::default(), first, last, By::Total, OffsetDateTime::now_utc()).await;
        let c = all.unwrap().pop().unwrap().1;
        assert!(c.late > 0 && c.early > 0 && c.online > 0, "{c:?}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
