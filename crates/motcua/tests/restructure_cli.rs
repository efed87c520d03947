//! `motcua restructure FILE [--dry-run]` as an operator runs it: a dry run prints the report and
//! writes nothing, the real run applies it, an invalid plan exits non-zero with the reason.

use std::path::PathBuf;
use std::process::{Command, Output};

use motcua_domain::catalog::Level;
use motcua_domain::org::{Unit, UnitKind};

fn motcua(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_motcua")).args(args).env_remove("MOTCUA_DATABASE").output().expect("run motcua")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("motcua-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn commune(code: &str) -> Unit {
    Unit {
        code: motcua_domain::ids::UnitCode::parse(code).unwrap(),
        name: format!("Xã {code}"),
        kind: UnitKind::Commune,
        level: Level::Commune,
        parent: None,
        slug: None,
        organ_id: None,
        office_hours: None,
        code_template: None,
        valid_from: None,
        valid_to: None,
        successor: None,
        predecessors: vec![],
    }
}

const PLAN: &str = r#"{"effective_on": "2025-07-01", "legal_basis": "NQ 1654/NQ-UBTVQH15", "operations": [
  {"op": "merge", "from": ["30001", "30002"], "into": {"code": "31000", "name": "Đặc khu Phú Quốc", "kind": "special_zone", "level": "commune"}}
]}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_prints_the_plan_and_the_real_run_applies_it_once() {
    let dir = temp_dir("restructure");
    let url = format!("sqlite://{}", dir.join("t.db").display());
    let store = motcua_store::Store::open(&url).await.expect("store");
    for c in ["30001", "30002"] {
        store.put_unit(&commune(c)).await.expect("unit");
    }
    store.pool.close().await;
    let file = dir.join("plan.json");
    std::fs::write(&file, PLAN).expect("write");
    let path = file.to_str().expect("path");

    let dry = motcua(&["restructure", path, "--dry-run", "--database", &url]);
    let text = String::from_utf8_lossy(&dry.stdout);
    assert!(dry.status.success(), "{}", String::from_utf8_lossy(&dry.stderr));
    assert!(text.contains("dry run") && text.contains("units ended: 30001, 30002"), "{text}");

    let run = motcua(&["restructure", path, "--database", &url]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(String::from_utf8_lossy(&run.stdout).contains("units created: 31000"));

    let again = motcua(&["restructure", path, "--database", &url]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("unit_already_ended"));
    let _ = std::fs::remove_dir_all(&dir);
}
