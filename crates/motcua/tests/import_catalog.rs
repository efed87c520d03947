//! `motcua import catalog` / `motcua export catalog` as a user runs them: a file with bad rows
//! exits non-zero naming every row and writes nothing; a good file imports, exports and imports
//! again.

use std::path::PathBuf;
use std::process::{Command, Output};

fn motcua(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_motcua")).args(args).env_remove("MOTCUA_DATABASE").output().expect("run motcua")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("motcua-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

const HEADER: &str = "code,version,name,field,level,agency,processing_days,processing_hours,online_level,fees,documents,results,legal_basis,steps";

#[test]
fn a_catalog_with_bad_rows_exits_with_an_error_per_row_and_writes_nothing() {
    let dir = temp_dir("bad");
    let file = dir.join("catalog.csv");
    let good = "1.001193,1,Đăng ký khai sinh,Tư pháp - Hộ tịch,commune,COMMUNE,1,,full,[],[],[],[],[]";
    let rows = [
        HEADER,
        good,
        "bad,1,X,Y,commune,COMMUNE,1,,full,[],[],[],[],[]",
        good,
        "1.001194,1,X,Y,city,COMMUNE,1,,full,[],[],[],[],[]",
    ];
    std::fs::write(&file, rows.join("\n")).expect("write");
    let db = dir.join("t.db");
    let out = motcua(&[
        "import",
        "catalog",
        file.to_str().expect("path"),
        "--database",
        &format!("sqlite://{}", db.display()),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    for row in ["row 3", "row 4, column code", "row 5, column level"] {
        assert!(stderr.contains(row), "{row} in {stderr}");
    }
    assert!(!db.exists(), "the database is not even opened");
}

#[test]
fn a_good_catalog_imports_and_exports_in_every_format() {
    let dir = temp_dir("good");
    let database = format!("sqlite://{}", dir.join("t.db").display());
    let file = dir.join("catalog.csv");
    let rows = [HEADER, "1.001193,1,Đăng ký khai sinh,Tư pháp - Hộ tịch,commune,COMMUNE,1,,full,[],[],[],[],[]"];
    std::fs::write(&file, rows.join("\n")).expect("write");
    let out = motcua(&["import", "catalog", file.to_str().expect("path"), "--database", &database]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 procedures imported"));
    for ext in ["json", "csv", "xlsx"] {
        let path = dir.join(format!("out.{ext}"));
        let out = motcua(&["export", "catalog", path.to_str().expect("path"), "--database", &database]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let out = motcua(&["import", "catalog", path.to_str().expect("path"), "--database", &database]);
        assert!(out.status.success(), "{ext}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let json = std::fs::read_to_string(dir.join("out.json")).expect("json");
    assert!(json.contains("\"MaTTHC\": \"1.001193\""), "{json}");
}
