//! Arrow tables written as the sheets of one workbook (the 三基 exam summary, the people behind
//! the gaps, the policy used): a bold header row that stays in view, text, numbers, true /
//! false and dates as Excel cells, nulls as blank cells, chosen columns shown as percentages,
//! and columns as wide as their contents (Chinese characters counted double).

use super::WriteError;
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use std::path::Path;

/// One sheet: its name and its table (one or more record batches of one schema).
pub type TableSheet<'a> = (&'a str, &'a [RecordBatch]);

/// Rows read to size a column.
const WIDTH_ROWS: usize = 200;

/// Tables as `.xlsx` bytes, one sheet each; columns named in `percent` are shown as
/// percentages (`0.95` as `95.00%`).
pub fn tables_workbook(sheets: &[TableSheet<'_>], percent: &[&str]) -> Result<Vec<u8>, WriteError> {
    let mut wb = Workbook::new();
    for (name, batches) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name)?;
        table_sheet(ws, batches, percent).map_err(|e| match e {
            Cell::Xlsx(e) => WriteError::from(e),
            Cell::Type(col, dt) => WriteError::new(
                "<workbook>",
                format!("sheet {name:?}: column {col:?} has type {dt}, which is not written"),
            ),
        })?;
    }
    Ok(wb.save_to_buffer()?)
}

/// Write tables to an `.xlsx` file, one sheet each (see [`tables_workbook`]).
pub fn write_tables(
    sheets: &[TableSheet<'_>],
    percent: &[&str],
    path: impl AsRef<Path>,
) -> Result<(), WriteError> {
    let path = path.as_ref();
    let bytes = tables_workbook(sheets, percent).map_err(|e| WriteError {
        file: path.display().to_string(),
        ..e
    })?;
    std::fs::write(path, bytes)
        .map_err(|e| WriteError::new(path.display().to_string(), e.to_string()))
}

enum Cell {
    Xlsx(XlsxError),
    Type(String, DataType),
}

impl From<XlsxError> for Cell {
    fn from(e: XlsxError) -> Cell {
        Cell::Xlsx(e)
    }
}

/// Display width of a text: East Asian wide characters count two.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if (c as u32) >= 0x1100 && !c.is_ascii() {
                2
            } else {
                1
            }
        })
        .sum()
}

fn table_sheet(ws: &mut Worksheet, batches: &[RecordBatch], percent: &[&str]) -> Result<(), Cell> {
    let Some(schema) = batches.first().map(RecordBatch::schema) else {
        return Ok(());
    };
    let bold = Format::new().set_bold();
    let pct = Format::new().set_num_format("0.00%");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let mut widths: Vec<usize> = Vec::new();
    for (c, field) in schema.fields().iter().enumerate() {
        ws.write_string_with_format(0, c as u16, field.name(), &bold)?;
        widths.push(width(field.name()));
    }
    ws.set_freeze_panes(1, 0)?;
    let mut row = 1u32;
    for batch in batches {
        for (c, field) in schema.fields().iter().enumerate() {
            let a = batch.column(c);
            let col = c as u16;
            let as_pct = percent.contains(&field.name().as_str());
            for i in 0..a.len() {
                let r = row + i as u32;
                if a.is_null(i) {
                    continue;
                }
                // Only the first rows size the column.
                let measure = (r as usize) <= WIDTH_ROWS;
                let shown: usize = match a.data_type() {
                    DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
                        let s = match a.data_type() {
                            DataType::Utf8 => a.as_string::<i32>().value(i),
                            DataType::LargeUtf8 => a.as_string::<i64>().value(i),
                            _ => a.as_string_view().value(i),
                        };
                        ws.write_string(r, col, s)?;
                        if measure {
                            width(s)
                        } else {
                            0
                        }
                    }
                    DataType::Boolean => {
                        ws.write_boolean(r, col, a.as_boolean().value(i))?;
                        "FALSE".len()
                    }
                    DataType::Date32 => {
                        let day =
                            crate::exams::Date::from_days(a.as_primitive::<Date32Type>().value(i));
                        let (y, m, d) = day.ymd();
                        match ExcelDateTime::from_ymd(y as u16, m as u8, d as u8) {
                            Ok(dt) => ws.write_datetime_with_format(r, col, &dt, &date)?,
                            Err(_) => ws.write_string(r, col, day.to_string())?,
                        };
                        "yyyy-mm-dd".len()
                    }
                    DataType::Null => 0,
                    dt if dt.is_numeric() => {
                        let x = number(a.as_ref(), i)
                            .ok_or_else(|| Cell::Type(field.name().clone(), dt.clone()))?;
                        if !x.is_finite() {
                            continue;
                        }
                        if as_pct {
                            ws.write_number_with_format(r, col, x, &pct)?;
                            "100.00%".len()
                        } else {
                            ws.write_number(r, col, x)?;
                            if measure {
                                x.to_string().len()
                            } else {
                                0
                            }
                        }
                    }
                    dt => return Err(Cell::Type(field.name().clone(), dt.clone())),
                };
                widths[c] = widths[c].max(shown);
            }
        }
        row += batch.num_rows() as u32;
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (w + 2).min(40) as f64)?;
    }
    Ok(())
}

/// A numeric cell as `f64` (`None` for a numeric type not read here, e.g. decimals).
fn number(a: &dyn Array, i: usize) -> Option<f64> {
    macro_rules! get {
        ($t:ty) => {
            Some(a.as_primitive::<$t>().value(i) as f64)
        };
    }
    match a.data_type() {
        DataType::Int8 => get!(Int8Type),
        DataType::Int16 => get!(Int16Type),
        DataType::Int32 => get!(Int32Type),
        DataType::Int64 => get!(Int64Type),
        DataType::UInt8 => get!(UInt8Type),
        DataType::UInt16 => get!(UInt16Type),
        DataType::UInt32 => get!(UInt32Type),
        DataType::UInt64 => get!(UInt64Type),
        DataType::Float32 => get!(Float32Type),
        DataType::Float64 => get!(Float64Type),
        _ => None,
    }
}
