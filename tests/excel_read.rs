//! Reading evidence workbooks: hand-made sheets, and every error naming the sheet, row,
//! column and criterion (`cargo test --features excel`).
#![cfg(feature = "excel")]

use rust_decimal::Decimal;
use rust_xlsxwriter::Workbook;
use sanjia::evidence::{ArticleLevel, ElementResult, Observation};
use sanjia::excel;
use sanjia::{EvidenceError, Rulebook};
use std::str::FromStr;

mod xlsx_common;
use xlsx_common::{sheet, V, V::*};

/// The date cell the tests write.
const DATE: V = D(2024, 3, 1);

fn readme(wb: &mut Workbook, hospital: Option<&'static str>) {
    let mut rows = vec![vec![S("sanjia evidence workbook")], vec![]];
    rows.push(vec![S("医院编号 hospital"), hospital.map_or(E, S)]);
    rows.push(vec![S("医院名称 name"), S("测试医院")]);
    rows.push(vec![S("评审规则 rulebook"), S("demo")]);
    rows.push(vec![S(
        "1. Fill in the hospital id and name above, then each sheet.",
    )]);
    sheet(wb, "说明 readme", &rows);
}

const HEAD: [&str; 6] = [
    "编号 id",
    "类型 kind",
    "评价 answer",
    "2024 值 value",
    "2024 分子 numerator",
    "2024 分母 denominator",
];

fn head() -> Vec<V> {
    HEAD.iter().map(|h| S(h)).collect()
}

fn bytes(wb: &mut Workbook) -> Vec<u8> {
    wb.save_to_buffer().unwrap()
}

fn read(rows: Vec<Vec<V>>) -> Result<excel::WorkbookEvidence, EvidenceError> {
    let mut wb = Workbook::new();
    readme(&mut wb, Some("H1"));
    let mut all = vec![vec![S("P3 现场检查")], head()];
    all.extend(rows);
    sheet(&mut wb, "P3", &all);
    excel::read_bytes(&bytes(&mut wb), "h1.xlsx")
}

/// The only problem of an error.
fn only(e: &EvidenceError) -> (String, Option<String>, String) {
    assert_eq!(e.problems.len(), 1, "{e}");
    let p = &e.problems[0];
    (
        p.path.clone().unwrap_or_default(),
        p.criterion.clone(),
        p.message.clone(),
    )
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn reads_answers_values_and_ratios() {
    let w = read(vec![
        vec![S("P3.1"), E],
        vec![S("1.1.1"), S("gate"), S("通过")],
        vec![S("1.1.2"), S("前置要求"), B(false)],
        vec![S("3.1.1"), S("article 条款"), S("a")],
        vec![S("3.1.8"), S("article"), S("不适用")],
        vec![S("3.4.1.1"), S("element"), S("部分达标")],
        vec![S("2.1.4"), S("indicator"), E, N(1.06)],
        vec![S("2.2.7"), S("指标"), E, E, N(9.0), N(19000.0)],
        vec![S("1.1.2.1"), S("indicator"), E, S("1,200")],
        vec![S("3.1.2"), S("article"), E],
    ])
    .unwrap();
    let ev = &w.evidence;
    assert_eq!(ev.hospital, "H1");
    assert_eq!(ev.name.as_deref(), Some("测试医院"));
    assert_eq!(w.rulebook(), Some("demo"));
    assert!(ev.gates["1.1.1"]);
    assert!(!ev.gates["1.1.2"]);
    assert_eq!(ev.articles["3.1.1"], ArticleLevel::A);
    assert_eq!(ev.articles["3.1.8"], ArticleLevel::E);
    assert!(
        !ev.articles.contains_key("3.1.2"),
        "a blank answer is missing evidence"
    );
    assert_eq!(ev.elements["3.4.1.1"], ElementResult::Partial);
    assert_eq!(
        ev.indicators["2.1.4"]["2024"],
        Observation::Value(d("1.06"))
    );
    assert_eq!(
        ev.indicators["1.1.2.1"]["2024"],
        Observation::Value(d("1200"))
    );
    assert_eq!(
        ev.indicators["2.2.7"]["2024"],
        Observation::Ratio {
            numerator: d("9"),
            denominator: d("19000")
        }
    );
}

#[test]
fn english_headers_in_any_order_and_periods_without_labels() {
    let mut wb = Workbook::new();
    readme(&mut wb, Some("H2"));
    sheet(
        &mut wb,
        "data",
        &[
            vec![S("Kind"), S("Value"), S("ID"), S("Level"), S("Comment")],
            vec![S("indicator"), N(93.5), S("1.1.3.1"), E, S("free text")],
            vec![S("article"), E, S("3.1.1"), S("B"), E],
        ],
    );
    let w = excel::read_bytes(&bytes(&mut wb), "x.xlsx").unwrap();
    assert_eq!(
        w.evidence.indicators["1.1.3.1"][""],
        Observation::Value(d("93.5"))
    );
    assert_eq!(w.evidence.articles["3.1.1"], ArticleLevel::B);
}

#[test]
fn a_bad_level_names_sheet_row_column_and_criterion() {
    let e = read(vec![vec![], vec![S("3.1.1"), S("article"), S("Q")]]).unwrap_err();
    let (path, criterion, msg) = only(&e);
    assert_eq!(path, "sheet \"P3\", row 4, column C (评价 answer)");
    assert_eq!(criterion.as_deref(), Some("3.1.1"));
    assert!(msg.starts_with("\"Q\" is not an article level"), "{msg}");
    assert_eq!(e.file.as_deref(), Some("h1.xlsx"));
    assert_eq!(e.hospital.as_deref(), Some("H1"));
    let text = e.to_string();
    assert!(
        text.contains("h1.xlsx") && text.contains("row 4") && text.contains("column C"),
        "{text}"
    );
}

#[test]
fn bad_numbers_name_their_cells() {
    let cases: Vec<(Vec<V>, &str, &str)> = vec![
        (
            vec![S("1.1.3.1"), S("indicator"), E, S("92.5%")],
            "column D (2024 值 value)",
            "without % or ‰",
        ),
        (
            vec![S("1.1.3.1"), S("indicator"), E, S("n/a")],
            "column D (2024 值 value)",
            "is not a number",
        ),
        (
            vec![S("1.1.3.1"), S("indicator"), E, DATE],
            "column D (2024 值 value)",
            "a date, not a number",
        ),
        (
            vec![S("1.1.3.1"), S("indicator"), E, B(true)],
            "column D (2024 值 value)",
            "is not a number",
        ),
        (
            vec![S("2.2.7"), S("indicator"), E, N(0.05), N(9.0), N(19000.0)],
            "column D (2024 值 value)",
            "not both",
        ),
        (
            vec![S("2.2.7"), S("indicator"), E, E, N(9.0)],
            "column E (2024 分子 numerator)",
            "needs a denominator",
        ),
        (
            vec![S("2.2.7"), S("indicator"), E, E, E, N(19000.0)],
            "column F (2024 分母 denominator)",
            "needs a numerator",
        ),
        (
            vec![S("2.2.7"), S("indicator"), S("A")],
            "column C (评价 answer)",
            "is an indicator",
        ),
        (
            vec![S("3.1.1"), S("article"), E, N(3.0)],
            "column D (2024 值 value)",
            "is an article: fill in the answer column",
        ),
        (
            vec![S("P3.1"), E, S("A")],
            "column B (类型 kind)",
            "the kind is empty",
        ),
        (
            vec![S("P3.1"), S("group"), S("A")],
            "column C (评价 answer)",
            "is a group",
        ),
        (
            vec![S("3.1.1"), S("widget"), S("A")],
            "column B (类型 kind)",
            "\"widget\" is not a kind",
        ),
        (
            vec![E, S("article"), S("A")],
            "column C (评价 answer)",
            "without a criterion id",
        ),
    ];
    for (row, place, want) in cases {
        let e = read(vec![row]).unwrap_err();
        let (path, _, msg) = only(&e);
        assert_eq!(path, format!("sheet \"P3\", row 3, {place}"), "{msg}");
        assert!(msg.contains(want), "{msg:?} should say {want:?}");
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let e = read(vec![
        vec![S("3.1.1"), S("article"), S("Q")],
        vec![S("3.1.2"), S("article"), S("Z")],
        vec![S("1.1.3.1"), S("indicator"), E, S("x")],
    ])
    .unwrap_err();
    assert_eq!(e.problems.len(), 3, "{e}");
    let rows: Vec<String> = e.problems.iter().map(|p| p.path.clone().unwrap()).collect();
    assert!(rows[0].contains("row 3") && rows[1].contains("row 4") && rows[2].contains("row 5"));
}

#[test]
fn the_same_criterion_twice_names_both_cells() {
    let mut wb = Workbook::new();
    readme(&mut wb, Some("H1"));
    sheet(
        &mut wb,
        "A",
        &[head(), vec![S("3.1.1"), S("article"), S("A")]],
    );
    sheet(
        &mut wb,
        "B",
        &[head(), vec![S("3.1.1"), S("article"), S("B")]],
    );
    let e = excel::read_bytes(&bytes(&mut wb), "x.xlsx").unwrap_err();
    let (path, criterion, msg) = only(&e);
    assert_eq!(path, "sheet \"B\", row 2, column C (评价 answer)");
    assert_eq!(criterion.as_deref(), Some("3.1.1"));
    assert!(
        msg.contains("also at sheet \"A\", row 2, column C"),
        "{msg}"
    );
}

#[test]
fn a_missing_hospital_id_names_the_cell_to_fill() {
    let mut wb = Workbook::new();
    readme(&mut wb, None);
    sheet(&mut wb, "P3", &[head()]);
    let e = excel::read_bytes(&bytes(&mut wb), "x.xlsx").unwrap_err();
    let (path, _, msg) = only(&e);
    assert_eq!(
        path,
        "sheet \"说明 readme\", row 3, column B (医院编号 hospital)"
    );
    assert!(msg.contains("hospital id is missing"), "{msg}");
}

#[test]
fn a_workbook_without_criteria_sheets_is_not_evidence() {
    let mut wb = Workbook::new();
    readme(&mut wb, Some("H1"));
    let e = excel::read_bytes(&bytes(&mut wb), "x.xlsx").unwrap_err();
    assert!(e.to_string().contains("no sheet has a header row"), "{e}");
    let e = excel::read_bytes(b"not a zip file", "x.xlsx").unwrap_err();
    assert!(e.to_string().contains("cannot read as a workbook"), "{e}");
}

#[test]
fn rulebook_checks_name_the_cells_too() {
    let rb = Rulebook::builtin("demo").unwrap();
    let w = read(vec![
        vec![S("9.9.9"), S("article"), S("A")],
        vec![S("2.2.7"), S("indicator"), E, E, N(20.0), N(10.0)],
        vec![S("1.1.3.1"), S("indicator"), E, N(0.0)],
    ])
    .unwrap();
    let e = w.sheet(&rb).unwrap_err();
    assert_eq!(e.file.as_deref(), Some("h1.xlsx"));
    let by_id = |id: &str| {
        e.problems
            .iter()
            .find(|p| p.criterion.as_deref() == Some(id))
            .unwrap_or_else(|| panic!("{id} in {e}"))
    };
    let unknown = by_id("9.9.9");
    assert_eq!(
        unknown.path.as_deref(),
        Some("sheet \"P3\", row 3, column C (评价 answer)")
    );
    assert!(unknown.message.contains("unknown criterion"));
    let ratio = by_id("2.2.7");
    assert_eq!(
        ratio.path.as_deref(),
        Some("sheet \"P3\", row 4, column E (2024 分子 numerator)")
    );
    assert!(
        ratio.message.contains("greater than denominator"),
        "{}",
        ratio.message
    );
    // Scoring reports the same places.
    let e2 = w.score(&rb).unwrap_err();
    assert_eq!(e2.problems.len(), e.problems.len());
}

#[test]
fn evidence_load_reads_workbooks_and_names_the_file() {
    let dir = std::env::temp_dir().join(format!("sanjia-read-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.xlsx");
    std::fs::write(&path, b"plain text").unwrap();
    let e = sanjia::Evidence::load(&path).unwrap_err();
    assert!(e.to_string().contains("bad.xlsx"), "{e}");
    let e = sanjia::Evidence::load(dir.join("missing.xlsx")).unwrap_err();
    assert!(e.to_string().contains("cannot read"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}
