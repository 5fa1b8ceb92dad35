//! Hand-made worksheets for the Excel tests: a sheet written from rows of cells.
#![allow(dead_code)]

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// A cell of a hand-made sheet.
#[derive(Clone)]
pub enum V {
    /// Text.
    S(&'static str),
    /// A number.
    N(f64),
    /// True / false.
    B(bool),
    /// A date cell (year, month, day), shown as yyyy-mm-dd.
    D(u16, u8, u8),
    /// Nothing written.
    E,
}

/// Add a worksheet named `name` holding `rows` (from cell A1).
pub fn sheet(wb: &mut Workbook, name: &str, rows: &[Vec<V>]) {
    let ws = wb.add_worksheet();
    ws.set_name(name).unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match v {
                V::S(s) => {
                    ws.write_string(r, c, *s).unwrap();
                }
                V::N(x) => {
                    ws.write_number(r, c, *x).unwrap();
                }
                V::B(b) => {
                    ws.write_boolean(r, c, *b).unwrap();
                }
                V::D(y, m, d) => {
                    let d = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                    ws.write_datetime_with_format(r, c, &d, &date).unwrap();
                }
                V::E => {}
            }
        }
    }
}
