//! The progress report's text and workbook (issue 5 item 5): the figures are gathered by
//! [`motcua_app::report::build`]; here they become Vietnamese prose and tables ([`text`]), the
//! print-ready page ([`html`]) and the workbook ([`xlsx`]). Shared by `motcua report` and the
//! page `GET /quan-tri/bao-cao`.

mod sheet;
pub mod text;

pub use motcua_app::report::*;
pub use sheet::xlsx;
pub use text::{ReportText, html};
