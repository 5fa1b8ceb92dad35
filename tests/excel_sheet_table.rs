//! Plain tables kept on a workbook sheet (rosters, sittings, long evidence tables) read into
//! Arrow: header found below a title, ids as written, numbers, dates, blank rows, and every
//! problem naming the file, sheet and cell (`cargo test --features arrow,excel`).
#![cfg(all(feature = "excel", feature = "arrow"))]

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use rust_xlsxwriter::Workbook;
use sanjia::excel::{read_sheet_table, SheetTableOptions};
use std::path::PathBuf;

mod xlsx_common;
use xlsx_common::{sheet, V, V::*};

fn workbook(name: &str, sheets: &[(&str, Vec<Vec<V>>)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sanjia-sheet-table-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let mut wb = Workbook::new();
    for (title, rows) in sheets {
        sheet(&mut wb, title, rows);
    }
    wb.save(&path).unwrap();
    path
}

/// A text column as owned values (`None` for null).
fn texts(b: &RecordBatch, name: &str) -> Vec<Option<String>> {
    let a = b.column_by_name(name).unwrap().as_string::<i32>();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i).to_string()))
        .collect()
}

/// A Float64 column (`None` for null).
fn numbers(b: &RecordBatch, name: &str) -> Vec<Option<f64>> {
    let a = b
        .column_by_name(name)
        .unwrap()
        .as_primitive::<Float64Type>();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i)))
        .collect()
}

const TEXT: &[&str] = &["staff_id", "department"];
const NUMBERS: &[&str] = &["score"];

fn options(sheet: Option<&'static str>) -> SheetTableOptions<'static> {
    SheetTableOptions {
        sheet,
        text: TEXT,
        numbers: NUMBERS,
    }
}

fn roster() -> Vec<Vec<V>> {
    vec![
        vec![S("2024 年三基考核 成绩")],
        vec![],
        vec![
            S("staff_id"),
            S("姓名"),
            S("department"),
            S("score"),
            S("date"),
            S("hours"),
        ],
        vec![
            S("001"),
            S("张三"),
            S("内科"),
            N(75.0),
            D(2024, 5, 1),
            N(12.5),
        ],
        vec![N(1002.0), S("李四"), S("外科"), S(" 95 "), D(2024, 5, 2), E],
        vec![],
        vec![S("003"), E, S("急诊科"), E, S("2024-05-03"), N(8.0)],
    ]
}

#[test]
fn a_roster_below_a_title_with_ids_numbers_dates_and_a_blank_row() {
    let path = workbook("roster.xlsx", &[("名单", roster())]);
    let t = read_sheet_table(&path, &options(None)).unwrap();
    assert_eq!(t.sheet, "名单");
    // Spreadsheet rows of the three data rows (the blank row 6 is left out).
    assert_eq!(t.rows, vec![4, 5, 7]);
    let b = &t.batch;
    let schema = b.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(
        names,
        ["staff_id", "姓名", "department", "score", "date", "hours"]
    );
    let text = |c: &str| texts(b, c);
    let num = |c: &str| numbers(b, c);
    // Ids as written: text stays text, a number cell becomes its digits.
    assert_eq!(
        text("staff_id"),
        [Some("001".into()), Some("1002".into()), Some("003".into())]
    );
    assert_eq!(
        text("姓名"),
        [Some("张三".into()), Some("李四".into()), None]
    );
    // A number column: number cells, text holding a number, blanks as nulls.
    assert_eq!(num("score"), [Some(75.0), Some(95.0), None]);
    // Dates as YYYY-MM-DD text, whether typed as dates or as text.
    assert_eq!(
        text("date"),
        [
            Some("2024-05-01".into()),
            Some("2024-05-02".into()),
            Some("2024-05-03".into())
        ]
    );
    // A column not named by the options: numbers because every filled cell is one.
    assert_eq!(
        b.column_by_name("hours").unwrap().data_type(),
        &DataType::Float64
    );
    assert_eq!(num("hours"), [Some(12.5), None, Some(8.0)]);
}

#[test]
fn every_problem_names_the_file_sheet_and_cell() {
    let err = |rows: Vec<Vec<V>>, sheet: Option<&'static str>| {
        let path = workbook("bad.xlsx", &[("名单", rows)]);
        read_sheet_table(&path, &options(sheet))
            .unwrap_err()
            .to_string()
    };
    // A word in a number column: the cell is named (column D, spreadsheet row 5).
    let mut rows = roster();
    rows[4][3] = S("缺考");
    let e = err(rows, None);
    assert!(
        e.contains("bad.xlsx") && e.contains(r#"sheet "名单", cell D5"#),
        "{e}"
    );
    assert!(e.contains(r#""缺考" is not a number"#), "{e}");
    // A column named twice.
    let mut rows = roster();
    rows[2][5] = S("score");
    let e = err(rows, None);
    assert!(
        e.contains("cell F3") && e.contains(r#"the column "score" is named twice"#),
        "{e}"
    );
    // A value under a header cell left blank.
    let mut rows = roster();
    rows[2][5] = E;
    let e = err(rows, None);
    assert!(
        e.contains("cell F3") && e.contains("no name") && e.contains("F4"),
        "{e}"
    );
    // A sheet that is not there, and an empty sheet.
    let e = err(roster(), Some("成绩"));
    assert!(
        e.contains(r#"no sheet "成绩""#) && e.contains("名单"),
        "{e}"
    );
    assert!(err(vec![], None).contains("the sheet is empty"));
    // Not a workbook, and no file.
    let dir = std::env::temp_dir().join(format!("sanjia-sheet-table-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("plain.xlsx");
    std::fs::write(&path, b"plain text").unwrap();
    let e = read_sheet_table(&path, &options(None)).unwrap_err();
    assert!(e.to_string().contains("cannot read as a workbook"), "{e}");
    let e = read_sheet_table(dir.join("none.xlsx"), &options(None)).unwrap_err();
    assert!(e.to_string().contains("cannot read"), "{e}");
}

#[test]
fn a_named_sheet_and_a_header_without_known_names() {
    let plain = vec![
        vec![S("a"), S("b")],
        vec![N(1.0), S("x")],
        vec![N(2.0), N(3.0)],
    ];
    let path = workbook("two.xlsx", &[("first", roster()), ("second", plain)]);
    let none = SheetTableOptions {
        sheet: Some("second"),
        ..SheetTableOptions::default()
    };
    let t = read_sheet_table(&path, &none).unwrap();
    assert_eq!(
        (t.sheet.as_str(), t.rows.as_slice()),
        ("second", &[2, 3][..])
    );
    // The first non-blank row is the header; "b" mixes text and numbers, so it is text.
    assert_eq!(t.batch.column(0).data_type(), &DataType::Float64);
    let b = t.batch.column(1).as_string::<i32>();
    assert_eq!((b.value(0), b.value(1)), ("x", "3"));
}

/// Tables written as sheets (the `sanjia exams` workbook) read back the same: text, numbers,
/// true / false, dates, nulls as blanks, a second sheet; a type that cannot be written is an
/// error naming the sheet and column.
#[test]
fn tables_written_as_sheets_read_back() {
    use arrow_array::{
        BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray,
    };
    use std::sync::Arc;
    let summary = RecordBatch::try_from_iter([
        (
            "department",
            Arc::new(StringArray::from(vec![Some("内科"), Some("急诊科"), None])) as _,
        ),
        (
            "expected",
            Arc::new(Int64Array::from(vec![100, 99, 1])) as _,
        ),
        (
            "pass_rate",
            Arc::new(Float64Array::from(vec![
                Some(0.95),
                Some(94.0 / 99.0),
                None,
            ])) as _,
        ),
        (
            "pass_met",
            Arc::new(BooleanArray::from(vec![Some(true), Some(false), None])) as _,
        ),
        (
            "date",
            Arc::new(Date32Array::from(vec![Some(19_844), None, Some(0)])) as _,
        ),
    ])
    .unwrap();
    // Two batches of one table: rows follow on.
    let more = summary.slice(0, 1);
    let policy = RecordBatch::try_from_iter([(
        "key",
        Arc::new(StringArray::from(vec!["pass_target"])) as _,
    )])
    .unwrap();
    let dir = std::env::temp_dir().join(format!("sanjia-sheet-table-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("out.xlsx");
    let batches = [summary, more];
    let sheets = [
        ("summary 汇总", &batches[..]),
        ("policy 标准", std::slice::from_ref(&policy)),
    ];
    sanjia::excel::write_tables(&sheets, &["pass_rate"], &path).unwrap();

    let back = read_sheet_table(&path, &SheetTableOptions::default()).unwrap();
    assert_eq!(
        (back.sheet.as_str(), back.rows.as_slice()),
        ("summary 汇总", &[2, 3, 4, 5][..])
    );
    let b = &back.batch;
    let text = |c: &str| texts(b, c);
    let num = |c: &str| numbers(b, c);
    let s = |x: &str| Some(x.to_string());
    assert_eq!(
        text("department"),
        [s("内科"), s("急诊科"), None, s("内科")]
    );
    assert_eq!(
        num("expected"),
        [Some(100.0), Some(99.0), Some(1.0), Some(100.0)]
    );
    assert_eq!(
        num("pass_rate"),
        [Some(0.95), Some(94.0 / 99.0), None, Some(0.95)]
    );
    assert_eq!(text("pass_met"), [s("true"), s("false"), None, s("true")]);
    assert_eq!(
        text("date"),
        [s("2024-05-01"), None, s("1970-01-01"), s("2024-05-01")]
    );
    let policy_back = SheetTableOptions {
        sheet: Some("policy 标准"),
        ..SheetTableOptions::default()
    };
    let p = read_sheet_table(&path, &policy_back).unwrap();
    assert_eq!(p.batch.column(0).as_string::<i32>().value(0), "pass_target");

    // A column of a type not written: the sheet and the column are named.
    let odd = RecordBatch::try_from_iter([(
        "when",
        Arc::new(arrow_array::Time32SecondArray::from(vec![1])) as _,
    )])
    .unwrap();
    let e = sanjia::excel::tables_workbook(&[("odd", std::slice::from_ref(&odd))], &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains(r#"sheet "odd": column "when""#), "{e}");
}
