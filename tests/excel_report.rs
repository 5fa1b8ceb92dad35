//! Report workbooks for a review meeting (`cargo test --features excel`).
#![cfg(feature = "excel")]

use calamine::{open_workbook_auto_from_rs, Data, Range, Reader};
use sanjia::excel;
use sanjia::score::score_sheet;
use sanjia::{score, Evidence, Rulebook};
use std::collections::HashMap;
use std::io::Cursor;

fn book(bytes: Vec<u8>) -> HashMap<String, Range<Data>> {
    let mut wb = open_workbook_auto_from_rs(Cursor::new(bytes)).unwrap();
    let names = wb.sheet_names();
    names
        .into_iter()
        .map(|n| {
            let r = wb.worksheet_range(&n).unwrap();
            (n, r)
        })
        .collect()
}

fn cell(r: &Range<Data>, row: u32, col: u32) -> String {
    match r.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::Int(i)) => i.to_string(),
        _ => String::new(),
    }
}

fn num(r: &Range<Data>, row: u32, col: u32) -> f64 {
    match r.get_value((row, col)) {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(i)) => *i as f64,
        other => panic!("not a number at ({row}, {col}): {other:?}"),
    }
}

fn column(r: &Range<Data>, header: &str) -> u32 {
    let end = r.end().unwrap().1;
    (0..=end)
        .find(|&c| cell(r, 0, c) == header)
        .unwrap_or_else(|| panic!("no column {header}"))
}

fn rows(r: &Range<Data>) -> u32 {
    r.end().map_or(0, |e| e.0)
}

#[test]
fn one_hospital_workbook_has_the_meeting_sheets() {
    let rb = Rulebook::builtin("demo").unwrap();
    let report = score(&rb, &Evidence::sample("demo", Some("grade-b")).unwrap()).unwrap();
    let sheets = book(excel::report_workbook(&report).unwrap());
    for name in [
        "汇总 summary",
        "评级判定 decision",
        "扣分 deductions",
        "科室 departments",
        "缺失 missing",
        "明细 nodes",
    ] {
        assert!(sheets.contains_key(name), "{name}");
    }

    // Summary: the result, the grade, the total and each part.
    let s = &sheets["汇总 summary"];
    let all: Vec<String> = (0..=rows(s))
        .flat_map(|r| (0..6).map(move |c| (r, c)))
        .map(|(r, c)| cell(s, r, c))
        .collect();
    assert!(all.iter().any(|c| c == "乙等"), "grade shown");
    assert!(all.iter().any(|c| c == "787.07"), "total shown: {all:?}");
    assert!(all.iter().any(|c| c == "P2") && all.iter().any(|c| c == "P3"));
    assert!(
        all.iter().any(|c| c == "total >= $grade_a_total"),
        "the condition that kept 甲等 away"
    );
    assert!(all.iter().any(|c| c.contains("every gate passed")));

    // Deductions: every one, sorted by points lost in the total.
    let d = &sheets["扣分 deductions"];
    assert_eq!(rows(d) as usize, report.deductions().len());
    let lost = column(d, "总分扣分 lost in total");
    let values: Vec<f64> = (1..=rows(d)).map(|r| num(d, r, lost)).collect();
    assert!(values.windows(2).all(|w| w[0] >= w[1]), "{values:?}");
    let reason = column(d, "原因 reason");
    assert_eq!(cell(d, 1, reason), report.deductions()[0].reason);

    // Departments: the losses add up to the deductions'.
    let dep = &sheets["科室 departments"];
    let lost_col = column(dep, "总分扣分 lost in total");
    let by_dept: f64 = (1..=rows(dep)).map(|r| num(dep, r, lost_col)).sum();
    let total: f64 = values.iter().sum();
    assert!((by_dept - total).abs() < 1e-6, "{by_dept} vs {total}");

    // Missing: none for this sample.
    let m = &sheets["缺失 missing"];
    assert_eq!(cell(m, 1, 0), "无缺失 nothing missing");

    // Decision: every grade's conditions with the verdict.
    let dec = &sheets["评级判定 decision"];
    let verdicts: Vec<String> = (1..=rows(dec)).map(|r| cell(dec, r, 2)).collect();
    assert!(verdicts.iter().any(|v| v.starts_with("✗")));
    assert!(verdicts.iter().any(|v| v.starts_with("✓")));

    // Nodes: one row per node.
    assert_eq!(rows(&sheets["明细 nodes"]) as usize, rb.nodes().len());
}

#[test]
fn failed_gates_and_missing_evidence_are_listed() {
    let rb = Rulebook::builtin("cn-tertiary-2022").unwrap();
    let report = score(
        &rb,
        &Evidence::sample("cn-tertiary-2022", Some("deferred")).unwrap(),
    )
    .unwrap();
    let sheets = book(excel::report_workbook(&report).unwrap());
    let s = &sheets["汇总 summary"];
    let failed: Vec<_> = report
        .gates()
        .into_iter()
        .filter(|g| g.result != "pass")
        .collect();
    assert!(!failed.is_empty());
    let all: Vec<String> = (0..=rows(s)).map(|r| cell(s, r, 0)).collect();
    for g in &failed {
        assert!(all.contains(&g.id), "failed gate {} in the summary", g.id);
    }

    let report = score(
        &rb,
        &Evidence::sample("cn-tertiary-2022", Some("grade-c")).unwrap(),
    )
    .unwrap();
    let sheets = book(excel::report_workbook(&report).unwrap());
    let m = &sheets["缺失 missing"];
    assert_eq!(rows(m) as usize, report.missing().len());
    assert_eq!(cell(m, 1, 0), report.missing()[0].id);
}

#[test]
fn batch_workbook_has_a_row_per_hospital_and_the_errors() {
    let rb = Rulebook::builtin("demo").unwrap();
    let mut bad = Evidence::new("HBAD");
    bad.articles
        .insert("9.9.9".into(), sanjia::evidence::ArticleLevel::A);
    let evs: Vec<Evidence> = ["sample", "grade-b", "deferred"]
        .iter()
        .map(|n| Evidence::sample("demo", Some(n)).unwrap())
        .chain([bad])
        .collect();
    let results: Vec<_> = evs
        .iter()
        .map(|e| e.sheet(&rb).and_then(|s| score_sheet(&rb, &s)))
        .collect();
    let hospitals: Vec<Option<String>> = evs.iter().map(|e| Some(e.hospital.clone())).collect();
    let sheets = book(excel::batch_workbook(&rb, &hospitals, &results).unwrap());
    let s = &sheets["汇总 summary"];
    assert_eq!(rows(s), 4);
    let ids: Vec<String> = (1..=4).map(|r| cell(s, r, 0)).collect();
    let want: Vec<String> = evs.iter().map(|e| e.hospital.clone()).collect();
    assert_eq!(ids, want);
    assert_eq!(cell(s, 4, 1), "error");
    assert_eq!(cell(s, 1, 2), "甲等");
    let e = &sheets["错误 errors"];
    assert_eq!(cell(e, 1, 1), "HBAD");
    assert!(cell(e, 1, 6).contains("unknown criterion"));
    let d = &sheets["扣分 deductions"];
    assert_eq!(cell(d, 0, 0), "医院 hospital");
    let n: usize = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|c| {
            sanjia::Report::from_scorecard(&rb, c.clone())
                .deductions()
                .len()
        })
        .sum();
    assert_eq!(rows(d) as usize, n);
}

#[test]
fn writing_to_a_missing_folder_is_an_error_naming_the_file() {
    let rb = Rulebook::builtin("demo").unwrap();
    let report = score(&rb, &Evidence::sample("demo", None).unwrap()).unwrap();
    let e = excel::write_report(&report, "/nonexistent-dir/r.xlsx").unwrap_err();
    assert!(e.to_string().contains("/nonexistent-dir/r.xlsx"), "{e}");
}
