//! `motcua import catalog FILE` and `motcua export catalog FILE` (issue 4 item 2). The format
//! follows the extension (.json national or our own shape, .csv, .xlsx). An import reads and
//! validates the whole file first and writes nothing unless every row is good; then it stores
//! every procedure in one transaction, with a progress line on standard error.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use motcua_app::Application;
use motcua_app::accounts::Authority;
use motcua_app::catalog;
use motcua_domain::catalog::Procedure;
use motcua_domain::catalog::exchange::RowError;
use motcua_store::Store;
use motcua_store::catalog::ProcedureQuery;
use motcua_web::catalog_files::{Format, decode, encode};

/// The format of `path`, from its extension.
pub fn format_of(path: &Path) -> anyhow::Result<Format> {
    Format::from_path(path).with_context(|| format!("{}: use a .json, .csv or .xlsx file", path.display()))
}

/// Parses and validates a catalog file; every error is returned with its row number.
pub fn read(path: &Path, bytes: &[u8]) -> anyhow::Result<Result<Vec<Procedure>, Vec<RowError>>> {
    Ok(decode(format_of(path)?, bytes))
}

/// One line per error, then a count.
pub fn report(errors: &[RowError]) -> String {
    let mut out: String = errors.iter().map(|e| format!("{e}\n")).collect();
    out.push_str(&format!("{} error(s); nothing was imported\n", errors.len()));
    out
}

/// `motcua import catalog FILE`.
pub async fn import(file: &Path, database: &str) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let procedures = match read(file, &bytes)? {
        Ok(p) => p,
        Err(errors) => {
            eprint!("{}", report(&errors));
            anyhow::bail!("{}: {} invalid row(s)", file.display(), errors.len());
        }
    };
    let app = Application::load(Store::open(database).await?).await?;
    let total = procedures.len();
    let mut err = std::io::stderr();
    let stored = catalog::import(&app, Authority::Operator("cli"), &procedures, |done| {
        if done == total || done % 50 == 0 {
            let width = 30 * done / total.max(1);
            let _ = write!(err, "\r[{}{}] {done}/{total}", "#".repeat(width), " ".repeat(30 - width));
        }
    })
    .await?;
    let n = match stored {
        Ok(n) => n,
        Err(unknown) => {
            let lines: Vec<String> = unknown.iter().map(ToString::to_string).collect();
            eprintln!("{}\n{} error(s); nothing was imported", lines.join("\n"), lines.len());
            anyhow::bail!("{}: {} unknown agencies", file.display(), lines.len());
        }
    };
    eprintln!();
    println!("{n} procedures imported from {}", file.display());
    Ok(())
}

/// `motcua export catalog FILE`: the current catalog.
pub async fn export(file: &Path, database: &str) -> anyhow::Result<()> {
    let format = format_of(file)?;
    let store = Store::open(database).await?;
    let procedures = store.procedures(&ProcedureQuery::default()).await?;
    let bytes = encode(format, &procedures).map_err(|e| anyhow::anyhow!("encoding: {e}"))?;
    std::fs::write(file, bytes).with_context(|| format!("writing {}", file.display()))?;
    println!("{} procedures exported to {}", procedures.len(), file.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_with_bad_rows_is_refused_with_every_row_number() {
        let r = crate::demo::Reference::load().expect("demo reference");
        let bytes = encode(Format::Csv, &r.procedures[..4]).expect("csv");
        let text = String::from_utf8(bytes).expect("utf-8");
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        lines[1] = lines[1].replacen(r.procedures[0].code.as_str(), "not-a-code", 1);
        lines[3] = lines[3].replacen(r.procedures[2].code.as_str(), "x", 1);
        let errors = read(Path::new("c.csv"), lines.join("\n").as_bytes()).expect("format").unwrap_err();
        let rows: Vec<usize> = errors.iter().map(|e| e.row).collect();
        assert_eq!(rows, [2, 4]);
        let text = report(&errors);
        assert!(text.contains("row 2") && text.contains("row 4") && text.contains("nothing was imported"), "{text}");
    }

    #[test]
    fn an_unknown_extension_is_refused() {
        assert!(read(Path::new("catalog.pdf"), b"").is_err());
        assert!(read(Path::new("catalog.XLSX"), b"").expect("format").is_err(), "an empty workbook is an error");
    }
}
