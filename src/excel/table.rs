//! A plain table kept in a workbook (a staff roster, exam sittings, a province's long evidence
//! table) read into an Arrow record batch, so it can go wherever a CSV or Parquet table goes.
//!
//! The header is the first row naming one of the columns asked for (title lines above it are
//! skipped), else the first non-blank row. Columns named as text are read as text
//! (a number cell `1001` becomes `"1001"`, as written); columns named as numbers are read as
//! numbers (a text cell holding a number, e.g. `" 95 "`, is read too; other text is an error
//! naming the cell); any other column is numbers when every filled cell is a number (and one
//! is), else text.
//! Date cells become `YYYY-MM-DD` text (with ` HH:MM:SS` when they have a time of day), which
//! the exam tables read as dates. Blank cells are nulls; blank rows are left out.

use super::places::column_name;
use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use calamine::{open_workbook_auto, Data, Reader};
use std::path::Path;
use std::sync::Arc;

/// How many non-blank rows from the top are searched for the header row.
const HEADER_SEARCH_ROWS: usize = 20;

/// A table that could not be read from a workbook: the file, and the sheet and cell when
/// the problem is in one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", place.as_deref().map(|p| format!(", {p}")).unwrap_or_default())]
pub struct SheetTableError {
    /// The file.
    pub file: String,
    /// Where in it, e.g. `sheet "名单", cell C5`.
    pub place: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// How the columns of a sheet table are read.
#[derive(Debug, Clone, Default)]
pub struct SheetTableOptions<'a> {
    /// The sheet to read (default: the first sheet).
    pub sheet: Option<&'a str>,
    /// Columns read as text.
    pub text: &'a [&'a str],
    /// Columns read as numbers.
    pub numbers: &'a [&'a str],
}

/// A table read from a sheet.
#[derive(Debug, Clone)]
pub struct SheetTable {
    /// The table: one column per named header cell, one row per non-blank sheet row.
    pub batch: RecordBatch,
    /// The sheet it was read from.
    pub sheet: String,
    /// For each row of the table, its row in the sheet as the spreadsheet numbers it (from 1),
    /// for messages about a row.
    pub rows: Vec<u32>,
}

/// Read the table on one sheet of a workbook (`.xlsx`, `.xlsm`, `.xls` or `.ods`).
pub fn read_sheet_table(
    path: impl AsRef<Path>,
    options: &SheetTableOptions<'_>,
) -> Result<SheetTable, SheetTableError> {
    let path = path.as_ref();
    let file = path.display().to_string();
    let fail = |place: Option<String>, message: String| SheetTableError {
        file: file.clone(),
        place,
        message,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| fail(None, format!("cannot read: {e}")))?
        .len();
    if size > crate::rulebook::load::MAX_FILE_BYTES {
        let mib = crate::rulebook::load::MAX_FILE_BYTES / (1024 * 1024);
        return Err(fail(None, format!("the file is larger than {mib} MiB")));
    }
    let mut wb = open_workbook_auto(path).map_err(|e| {
        fail(
            None,
            format!("cannot read as a workbook (.xlsx, .xls, .ods): {e}"),
        )
    })?;
    let names = wb.sheet_names();
    let sheet = match options.sheet {
        Some(s) if names.iter().any(|n| n == s) => s.to_string(),
        Some(s) => {
            return Err(fail(
                None,
                format!("no sheet {s:?} (the sheets are {})", names.join(", ")),
            ))
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| fail(None, "the workbook has no sheet".into()))?,
    };
    let range = wb
        .worksheet_range(&sheet)
        .map_err(|e| fail(None, format!("cannot read sheet {sheet:?}: {e}")))?;
    let (top, left) = range.start().unwrap_or((0, 0));
    let cell = |row: usize, col: usize| {
        format!(
            "sheet {sheet:?}, cell {}{}",
            column_name(left + col as u32),
            top as usize + row + 1
        )
    };
    let blank = |d: &Data| match d {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    };
    // The header: the first row naming a known column (a title line above it is skipped),
    // else the first non-blank row.
    let known = |r: &[Data]| {
        r.iter().any(|d| {
            text(d).is_some_and(|t| {
                options.text.contains(&t.as_str()) || options.numbers.contains(&t.as_str())
            })
        })
    };
    let filled: Vec<(usize, &[Data])> = range
        .rows()
        .enumerate()
        .filter(|(_, r)| !r.iter().all(blank))
        .collect();
    let at = filled
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .position(|(_, r)| known(r))
        .unwrap_or(0);
    let Some(&(header_row, header)) = filled.get(at) else {
        return Err(fail(
            Some(format!("sheet {sheet:?}")),
            "the sheet is empty: it needs a header row and rows below it".into(),
        ));
    };
    let rows = filled.into_iter().skip(at + 1);
    let mut names: Vec<String> = Vec::new();
    for (c, d) in header.iter().enumerate() {
        let name = text(d).unwrap_or_default();
        if name.is_empty() {
            names.push(String::new());
            continue;
        }
        if names.contains(&name) {
            return Err(fail(
                Some(cell(header_row, c)),
                format!("the column {name:?} is named twice"),
            ));
        }
        names.push(name);
    }
    let body: Vec<(usize, &[Data])> = rows.collect();
    let mut fields: Vec<(String, ArrayRef)> = Vec::new();
    for (c, name) in names.iter().enumerate() {
        let cells = || body.iter().map(move |(r, row)| (*r, row.get(c)));
        if name.is_empty() {
            // An unnamed column is only an error when something is written in it.
            if let Some((r, _)) = cells().find(|(_, d)| d.is_some_and(|d| !blank(d))) {
                return Err(fail(
                    Some(cell(header_row, c)),
                    format!(
                        "the column has no name in the header row, but {} has a value",
                        cell(r, c)
                    ),
                ));
            }
            continue;
        }
        let as_text = options.text.contains(&name.as_str());
        let as_number = options.numbers.contains(&name.as_str())
            || (!as_text
                && cells().any(|(_, d)| d.is_some_and(|d| plain_number(d).is_some()))
                && cells().all(|(_, d)| d.is_none_or(|d| blank(d) || plain_number(d).is_some())));
        let array: ArrayRef = if as_number && !as_text {
            let mut values = Vec::with_capacity(body.len());
            for (r, d) in cells() {
                values.push(match d {
                    None => None,
                    Some(d) if blank(d) => None,
                    Some(d) => Some(number(d).map_err(|m| fail(Some(cell(r, c)), m))?),
                });
            }
            Arc::new(Float64Array::from(values))
        } else {
            Arc::new(StringArray::from(
                cells()
                    .map(|(_, d)| d.and_then(text))
                    .collect::<Vec<Option<String>>>(),
            ))
        };
        fields.push((name.clone(), array));
    }
    if fields.is_empty() {
        return Err(fail(
            Some(format!("sheet {sheet:?}")),
            "the header row names no column".into(),
        ));
    }
    let batch = RecordBatch::try_from_iter(fields).map_err(|e| fail(None, e.to_string()))?;
    let rows = body.iter().map(|(r, _)| top + *r as u32 + 1).collect();
    Ok(SheetTable { batch, sheet, rows })
}

/// A number cell's value (`None` for any other cell).
fn plain_number(d: &Data) -> Option<f64> {
    match d {
        Data::Int(i) => Some(*i as f64),
        Data::Float(f) => Some(*f),
        _ => None,
    }
}

/// A cell read as a number: number cells, and text holding a number.
fn number(d: &Data) -> Result<f64, String> {
    if let Some(x) = plain_number(d) {
        return Ok(x);
    }
    match d {
        Data::String(s) => match s.trim().parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(format!("{:?} is not a number", s.trim())),
        },
        Data::Bool(b) => Err(format!("{b} is not a number")),
        Data::DateTime(_) | Data::DateTimeIso(_) => Err(format!(
            "{} is a date, not a number",
            text(d).unwrap_or_default()
        )),
        Data::Error(e) => Err(format!("the cell shows the error {e}, not a number")),
        _ => Err("not a number".into()),
    }
}

/// A cell read as text (`None` when blank): numbers as written (`1001`, `0.5`), dates as
/// `YYYY-MM-DD` (with the time of day when there is one).
fn text(d: &Data) -> Option<String> {
    let s = match d {
        Data::Empty => return None,
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, day, h, min, s, _) = dt.to_ymd_hms_milli();
            if (h, min, s) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{day:02}")
            } else {
                format!("{y:04}-{m:02}-{day:02} {h:02}:{min:02}:{s:02}")
            }
        }
        Data::DateTime(dt) => dt.as_f64().to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    };
    (!s.is_empty()).then_some(s)
}
