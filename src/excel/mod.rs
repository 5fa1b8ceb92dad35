//! Excel workbooks: fill-in evidence templates, reading them back, report workbooks for a
//! review meeting, and plain tables kept on a sheet (rosters, exam sittings, long evidence
//! tables) read into Arrow ([`read_sheet_table`]) and Arrow tables written as sheets
//! ([`write_tables`]), with the `arrow` feature too.
//!
//! Reading and writing need the cargo feature `excel` (calamine reads `.xlsx`, `.xlsm`,
//! `.xls` and `.ods`; rust_xlsxwriter writes `.xlsx`). Without it only [`Places`] is here:
//! the map from evidence entries to the cells they came from, so errors found when the
//! evidence is checked against a rulebook still name the sheet, row and column.
//!
//! ```no_run
//! # #[cfg(feature = "excel")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use sanjia::excel::{self, TemplateOptions};
//! use sanjia::Rulebook;
//!
//! let rulebook = Rulebook::builtin("demo")?;
//! // A workbook for the quality office to fill in: one sheet per part of the rulebook.
//! let options = TemplateOptions::for_rulebook(&rulebook).periods(["2022", "2023", "2024"]);
//! excel::write_template(&rulebook, &options, None, "evidence.xlsx")?;
//!
//! // ... the departments fill it in ...
//!
//! let workbook = excel::read("evidence.xlsx")?;   // errors name sheet, row and column
//! let report = workbook.score(&rulebook)?;        // so do the rulebook's checks
//! excel::write_report(&report, "review-meeting.xlsx")?;
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "excel"))]
//! # fn main() {}
//! ```
//!
//! The workbook layout is described in `docs/excel-template.md`.

#[cfg(feature = "excel")]
mod layout;
mod places;
#[cfg(feature = "excel")]
mod read;
#[cfg(all(feature = "excel", feature = "arrow"))]
mod table;
#[cfg(all(feature = "excel", feature = "arrow"))]
mod tables;
#[cfg(feature = "excel")]
mod template;
#[cfg(feature = "excel")]
mod write;

pub use places::{column_name, Place, Places};
#[cfg(feature = "excel")]
pub use read::{read, read_bytes, WorkbookEvidence};
#[cfg(all(feature = "excel", feature = "arrow"))]
pub use table::{read_sheet_table, SheetTable, SheetTableError, SheetTableOptions};
#[cfg(all(feature = "excel", feature = "arrow"))]
pub use tables::{tables_workbook, write_tables, TableSheet};
#[cfg(feature = "excel")]
pub use template::{template, write_template, TemplateOptions};
#[cfg(feature = "excel")]
pub use write::{batch_workbook, report_workbook, write_batch, write_report};

use std::path::Path;

/// File extensions read as workbooks: `xlsx`, `xlsm`, `xls`, `ods` (any case).
pub const WORKBOOK_EXTENSIONS: [&str; 4] = ["xlsx", "xlsm", "xls", "ods"];

/// Whether a path names a workbook (by its extension).
pub fn is_workbook(path: impl AsRef<Path>) -> bool {
    path.as_ref()
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| {
            WORKBOOK_EXTENSIONS
                .iter()
                .any(|w| w.eq_ignore_ascii_case(e))
        })
}

/// A workbook could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot write {file}: {message}")]
pub struct WriteError {
    /// The file (or `<memory>` for an in-memory workbook).
    pub file: String,
    /// What went wrong.
    pub message: String,
}

impl WriteError {
    /// An error about a file.
    pub fn new(file: impl Into<String>, message: impl Into<String>) -> WriteError {
        WriteError {
            file: file.into(),
            message: message.into(),
        }
    }
}

#[cfg(feature = "excel")]
impl From<rust_xlsxwriter::XlsxError> for WriteError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        WriteError::new("<memory>", e.to_string())
    }
}
