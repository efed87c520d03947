//! The simulators' append-only logs: one JSON value per line.

use std::io::Write;
use std::path::Path;

/// Appends one line and waits for the disk: acknowledged means kept.
pub fn append_line(path: &Path, line: &str) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    f.write_all(format!("{line}\n").as_bytes())?;
    f.sync_data()
}
