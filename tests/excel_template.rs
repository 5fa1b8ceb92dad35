//! The fill-in evidence workbook: layout, and the round trip evidence → filled workbook →
//! evidence for every built-in rulebook's samples (`cargo test --features excel`).
#![cfg(feature = "excel")]

use calamine::{open_workbook_auto_from_rs, Data, Reader};
use sanjia::excel::{self, TemplateOptions};
use sanjia::{score, Evidence, Rulebook};
use std::io::Cursor;

fn sheets(bytes: &[u8]) -> Vec<(String, calamine::Range<Data>)> {
    let mut wb = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    wb.sheet_names()
        .into_iter()
        .map(|n| {
            let r = wb.worksheet_range(&n).unwrap();
            (n, r)
        })
        .collect()
}

fn text(r: &calamine::Range<Data>, row: u32, col: u32) -> String {
    match r.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn row_texts(r: &calamine::Range<Data>, row: u32) -> Vec<String> {
    let end = r.end().map_or(0, |e| e.1);
    (0..=end).map(|c| text(r, row, c)).collect()
}

#[test]
fn one_sheet_per_part_with_headers_and_a_row_per_node() {
    let rb = Rulebook::builtin("demo").unwrap();
    let opts = TemplateOptions::default().periods(["2022", "2023", "2024"]);
    let bytes = excel::template(&rb, &opts, None).unwrap();
    let sheets = sheets(&bytes);
    let parts = &rb.nodes()[0].children;
    assert_eq!(sheets.len(), 1 + parts.len());
    assert_eq!(sheets[0].0, "说明 readme");
    let readme = &sheets[0].1;
    assert!(text(readme, 2, 0).contains("hospital"));
    assert_eq!(text(readme, 2, 1), "", "the hospital id is left to fill");
    assert_eq!(text(readme, 4, 1), "demo");

    // Part 2 (indicators only): no answer column, three period blocks.
    let (name, p2) = &sheets[2];
    assert!(name.starts_with("P2 "), "{name}");
    let headers = row_texts(p2, 1);
    assert_eq!(
        &headers[..6],
        [
            "编号 id",
            "名称 title",
            "类型 kind",
            "责任部门 department",
            "标志 flags",
            "填写说明 notes"
        ]
    );
    assert!(!headers.iter().any(|h| h == "评价 answer"));
    for p in ["2022", "2023", "2024"] {
        for f in ["值 value", "分子 numerator", "分母 denominator"] {
            assert!(
                headers.contains(&format!("{p} {f}")),
                "{p} {f} in {headers:?}"
            );
        }
    }
    // One row per node of the part, in tree order.
    let part = rb.nodes()[parts[1] as usize].clone();
    let ids: Vec<String> = (2..2 + (part.end - parts[1]))
        .map(|r| text(p2, r, 0))
        .collect();
    let want: Vec<String> = rb.nodes()[parts[1] as usize..part.end as usize]
        .iter()
        .map(|n| n.id.clone())
        .collect();
    assert_eq!(ids, want);
    // The trend indicator's note says how it is scored; the department is filled in.
    let row = 2 + ids.iter().position(|i| i == "2.2.7").unwrap() as u32;
    assert_eq!(text(p2, row, 2), "indicator 指标");
    assert_eq!(text(p2, row, 3), "医务部");
    let note = text(p2, row, 5);
    assert!(
        note.contains("越低越好") && note.contains("趋势") && note.contains("分子"),
        "{note}"
    );

    // Part 3 mixes articles, elements and indicators: an answer column and period blocks.
    let p3 = &sheets[3].1;
    let headers = row_texts(p3, 1);
    assert!(headers.iter().any(|h| h == "评价 answer"));
    assert!(headers.iter().any(|h| h == "2024 值 value"));
}

#[test]
fn a_blank_template_reads_back_as_empty_evidence() {
    for name in Rulebook::builtin_names() {
        let rb = Rulebook::builtin(name).unwrap();
        let opts = TemplateOptions::for_rulebook(&rb).hospital("H9");
        let bytes = excel::template(&rb, &opts, None).unwrap();
        let w = excel::read_bytes(&bytes, "t.xlsx").unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(w.evidence, Evidence::new("H9"), "{name}");
        assert_eq!(w.rulebook(), Some(rb.meta().id.as_str()));
    }
}

#[test]
fn every_builtin_sample_round_trips_through_a_filled_workbook() {
    for name in Rulebook::builtin_names() {
        let rb = Rulebook::builtin(name).unwrap();
        let samples = sanjia::rulebook::builtin::find(name).unwrap().samples;
        for (sample, _) in samples {
            let ev = Evidence::sample(name, Some(sample)).unwrap();
            // No periods given: the workbook takes the evidence's periods.
            let bytes = excel::template(&rb, &TemplateOptions::default(), Some(&ev)).unwrap();
            let back = excel::read_bytes(&bytes, "x.xlsx")
                .unwrap_or_else(|e| panic!("{name}/{sample}: {e}"));
            assert_eq!(back.evidence, ev, "{name}/{sample}");
            let a = score(&rb, &ev).unwrap().to_json();
            let b = back.score(&rb).unwrap().to_json();
            assert_eq!(a, b, "{name}/{sample}");
        }
    }
}

#[test]
fn periods_of_the_template_and_of_the_evidence_are_merged() {
    let rb = Rulebook::builtin("demo").unwrap();
    let ev = Evidence::sample("demo", None).unwrap();
    let opts = TemplateOptions::default().periods(["2021", "2022"]);
    let bytes = excel::template(&rb, &opts, Some(&ev)).unwrap();
    let sheets = sheets(&bytes);
    let headers = row_texts(&sheets[2].1, 1);
    let periods: Vec<&str> = headers
        .iter()
        .filter(|h| h.ends_with("值 value"))
        .map(|h| h.split(' ').next().unwrap())
        .collect();
    assert_eq!(periods, ["2021", "2022", "2023", "2024"]);
    let back = excel::read_bytes(&bytes, "x.xlsx").unwrap();
    assert_eq!(back.evidence, ev);
}

#[test]
fn default_periods_are_consecutive_years_as_many_as_the_longest_trend() {
    let rb = Rulebook::builtin("demo").unwrap();
    let opts = TemplateOptions::for_rulebook(&rb);
    assert_eq!(opts.periods.len(), 3);
    let years: Vec<i64> = opts.periods.iter().map(|p| p.parse().unwrap()).collect();
    assert_eq!(years[1], years[0] + 1);
    assert_eq!(years[2], years[1] + 1);
}

#[test]
fn evidence_that_does_not_fit_the_rulebook_is_refused() {
    let rb = Rulebook::builtin("demo").unwrap();
    let mut ev = Evidence::new("H1");
    ev.articles
        .insert("9.9.9".into(), sanjia::evidence::ArticleLevel::A);
    let e = excel::template(&rb, &TemplateOptions::default(), Some(&ev)).unwrap_err();
    assert!(e.message.contains("9.9.9"), "{e}");
}

#[test]
fn template_written_to_a_file_loads_with_evidence_load() {
    let dir = std::env::temp_dir().join(format!("sanjia-excel-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("evidence.xlsx");
    let rb = Rulebook::builtin("jci-8th").unwrap();
    let ev = Evidence::sample("jci-8th", Some("follow-up")).unwrap();
    excel::write_template(&rb, &TemplateOptions::default(), Some(&ev), &path).unwrap();
    assert_eq!(Evidence::load(&path).unwrap(), ev);
    let e = excel::write_template(
        &rb,
        &TemplateOptions::default(),
        None,
        dir.join("no/such/dir.xlsx"),
    )
    .unwrap_err();
    assert!(e.file.contains("dir.xlsx"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}
