//! Bad evidence: unknown criteria, wrong kinds, impossible counts, NaN, duplicates, missing
//! hospital ids, unknown sections. Each error names the hospital, the row or path, and the
//! criterion, and every problem is reported (not just the first).

use sanjia::evidence::table::{LongTable, NumberColumn, TextColumn};
use sanjia::evidence::{EvidenceError, EvidenceProblem, Loc, SheetBuilder};
use sanjia::{score, Evidence, Rulebook};
use std::path::PathBuf;

/// g1 gate; i1 a rate in % (scale 100, a proportion by its unit); i2 a count (not a
/// proportion); a1, a2 articles; e1 an element.
const RB: &str = r#"
[rulebook]
id = "ev"
title = "Evidence checks"

[defaults]
article_points = { A = 4, B = 3, C = 2, D = 0 }
element_points = { met = 10, partial = 5, not_met = 0 }

[[outcome]]
id = "o"
title = "Recorded"

[[node]]
id = "P"
title = "Part"

[[node]]
id = "g1"
parent = "P"
kind = "gate"
title = "Gate"
on_fail = "o"

[[node]]
id = "i1"
parent = "P"
kind = "indicator"
title = "A rate"
unit = "%"
scale = 100
direction = "higher"
method = "threshold"
target = ">= 95"
max_points = 10

[[node]]
id = "i2"
parent = "P"
kind = "indicator"
title = "A count"
unit = "人"
direction = "higher"
method = "threshold"
target = ">= 3"
max_points = 5

[[node]]
id = "a1"
parent = "P"
kind = "article"
title = "Article 1"

[[node]]
id = "a2"
parent = "P"
kind = "article"
title = "Article 2"

[[node]]
id = "e1"
parent = "P"
kind = "element"
title = "Element"

[[grade]]
id = "any"
"#;

fn rb() -> Rulebook {
    Rulebook::from_toml(RB).unwrap_or_else(|e| panic!("{e}"))
}

/// The problem about `criterion` whose message contains `msg`.
fn find<'a>(e: &'a EvidenceError, criterion: Option<&str>, msg: &str) -> &'a EvidenceProblem {
    e.problems
        .iter()
        .find(|p| p.criterion.as_deref() == criterion && p.message.contains(msg))
        .unwrap_or_else(|| panic!("no problem for {criterion:?} with {msg:?} in:\n{e}"))
}

fn path_of(e: &EvidenceError, criterion: &str, msg: &str) -> Option<String> {
    find(e, Some(criterion), msg).path.clone()
}

#[test]
fn checking_evidence_against_the_rulebook_reports_every_problem() {
    let ev = Evidence::from_toml(
        r#"
hospital = "H1"
[gates]
a1 = "pass"
[articles]
zz = "A"
i1 = "A"
P = "A"
a2 = "B"
[elements]
a2 = "met"
[indicators]
i1 = { "2023" = 120, "2024" = { numerator = 101, denominator = 100 } }
i2 = { "2024" = { numerator = -1, denominator = 3 } }
"#,
    )
    .unwrap();
    let e = ev.sheet(&rb()).unwrap_err();
    assert_eq!(e.hospital.as_deref(), Some("H1"));
    assert_eq!(e.problems.len(), 8, "{e}");
    assert_eq!(
        path_of(
            &e,
            "a1",
            "is an article: give a level A–E, not a gate answer"
        )
        .as_deref(),
        Some("gates.\"a1\"")
    );
    assert_eq!(
        path_of(&e, "zz", "unknown criterion id (not in rulebook ev)").as_deref(),
        Some("articles.\"zz\"")
    );
    assert_eq!(
        path_of(
            &e,
            "i1",
            "is an indicator: give a value (or numerator and denominator), not an article level"
        )
        .as_deref(),
        Some("articles.\"i1\"")
    );
    assert_eq!(
        path_of(&e, "P", "is a group of the rulebook, not a criterion").as_deref(),
        Some("articles.\"P\"")
    );
    assert_eq!(
        path_of(
            &e,
            "a2",
            "is an article: give a level A–E, not an element result"
        )
        .as_deref(),
        Some("elements.\"a2\"")
    );
    assert_eq!(
        path_of(&e, "i1", "value 120 is outside 0–100 for a proportion in %").as_deref(),
        Some("indicators.\"i1\".\"2023\"")
    );
    assert_eq!(
        path_of(
            &e,
            "i1",
            "numerator 101 is greater than denominator 100 (a proportion)"
        )
        .as_deref(),
        Some("indicators.\"i1\".\"2024\"")
    );
    assert_eq!(
        path_of(&e, "i2", "negative count (-1/3)").as_deref(),
        Some("indicators.\"i2\".\"2024\"")
    );
    let text = e.to_string();
    assert!(
        text.starts_with("evidence (hospital H1): 8 problems\n  - "),
        "{text}"
    );
    assert!(
        text.contains("articles.\"zz\", criterion \"zz\": unknown criterion id"),
        "{text}"
    );
    // Scoring says the same.
    assert_eq!(score(&rb(), &ev).unwrap_err(), e);
}

#[test]
fn a_numerator_above_the_denominator_is_fine_when_not_a_proportion() {
    // i2 (persons) is not a proportion: 7 nurses for 2 beds is a value of 3.5.
    let ev = Evidence::from_toml(
        r#"
hospital = "H1"
gates = { g1 = "pass" }
articles = { a1 = "A", a2 = "A" }
elements = { e1 = "met" }
indicators = { i1 = 96, i2 = { numerator = 7, denominator = 2 } }
"#,
    )
    .unwrap();
    let r = score(&rb(), &ev).unwrap();
    assert_eq!(r.points("i2"), Some("5".parse().unwrap()));
}

#[test]
fn reading_an_evidence_file_reports_every_problem() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad/evidence-problems.json");
    let e = Evidence::load(&path).unwrap_err();
    assert_eq!(e.file.as_deref(), Some(path.display().to_string().as_str()));
    assert_eq!(e.hospital.as_deref(), Some("H9"));
    assert_eq!(e.problems.len(), 7, "{e}");
    let unknown = find(&e, None, "unknown section");
    assert_eq!(unknown.path.as_deref(), Some("extras"));
    assert_eq!(
        path_of(&e, "g1", "\"maybe\" is not a gate answer").as_deref(),
        Some("gates.g1")
    );
    assert_eq!(
        path_of(&e, "a1", "\"F\" is not an article level").as_deref(),
        Some("articles.a1")
    );
    assert_eq!(
        path_of(&e, "e1", "\"sort of\" is not an element result").as_deref(),
        Some("elements.e1")
    );
    assert_eq!(
        path_of(&e, "i1", "\"abc\" is not a number").as_deref(),
        Some("indicators.i1.2024")
    );
    assert_eq!(
        path_of(
            &e,
            "i1",
            "give a value or a numerator and denominator, not both"
        )
        .as_deref(),
        Some("indicators.i1.2023")
    );
    assert_eq!(
        path_of(&e, "i2", "a numerator needs a denominator and vice versa").as_deref(),
        Some("indicators.i2.2024")
    );
    let text = e.to_string();
    assert!(
        text.starts_with(&format!(
            "evidence {} (hospital H9): 7 problems",
            path.display()
        )),
        "{text}"
    );
}

#[test]
fn a_numerator_needs_a_denominator() {
    let e = Evidence::from_json(
        r#"{"hospital": "H", "indicators": {"i2": {"2024": {"numerator": 3}}}}"#,
    )
    .unwrap_err();
    assert_eq!(
        path_of(&e, "i2", "a numerator needs a denominator and vice versa").as_deref(),
        Some("indicators.i2.2024")
    );
    let e = Evidence::from_json(
        r#"{"hospital": "H", "indicators": {"i2": {"2024": {"count": 3, "value": 1}}}}"#,
    )
    .unwrap_err();
    assert_eq!(
        path_of(
            &e,
            "i2",
            "unknown field: an observation has value, or numerator and denominator"
        )
        .as_deref(),
        Some("indicators.i2.2024.count")
    );
}

#[test]
fn missing_hospital_id() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad/evidence-no-hospital.toml");
    let e = Evidence::load(&path).unwrap_err();
    assert_eq!(e.hospital, None);
    let p = find(&e, None, "every evidence file names its hospital");
    assert_eq!(p.path.as_deref(), Some("hospital"));
    let e = Evidence::from_toml("hospital = \"  \"\narticles = { a1 = \"A\" }").unwrap_err();
    find(&e, None, "must be a non-empty text id");
    // A number is read as the id.
    assert_eq!(
        Evidence::from_json(r#"{"hospital": 17}"#).unwrap().hospital,
        "17"
    );
}

#[test]
fn nan_in_an_evidence_file() {
    // TOML has nan and inf; neither is a number sanjia can use.
    let e = Evidence::from_toml(
        "hospital = \"H\"\nindicators = { i2 = { \"2024\" = nan, \"2023\" = inf } }",
    )
    .unwrap_err();
    assert_eq!(e.problems.len(), 2, "{e}");
    assert!(e
        .problems
        .iter()
        .all(|p| p.criterion.as_deref() == Some("i2")
            && p.message.contains("is not a finite number")));
    let paths: Vec<_> = e.problems.iter().map(|p| p.path.clone().unwrap()).collect();
    assert!(
        paths.contains(&"indicators.i2.2024".to_string()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"indicators.i2.2023".to_string()),
        "{paths:?}"
    );
}

#[test]
fn nan_and_negative_counts_through_observation_f64() {
    let rb = rb();
    let mut b = SheetBuilder::new(&rb, "H5");
    b.observation_f64("i1", "2024", Some(f64::NAN), None, None, Loc::Row(3));
    b.observation_f64(
        "i2",
        "2024",
        None,
        Some(f64::INFINITY),
        Some(2.0),
        Loc::Row(4),
    );
    b.observation_f64("i2", "2023", None, Some(-1.0), Some(2.0), Loc::Row(5));
    b.observation_f64("i1", "2023", None, None, None, Loc::Row(6));
    b.observation_f64("i1", "2022", Some(1.0), Some(1.0), Some(2.0), Loc::Row(7));
    b.observation_f64("i1", "2021", None, None, Some(2.0), Loc::Row(8));
    b.observation_f64("i2", "2020", None, Some(3.0), Some(0.0), Loc::Row(9));
    let e = b.finish().unwrap_err();
    assert_eq!(e.hospital.as_deref(), Some("H5"));
    let rows: Vec<_> = e.problems.iter().map(|p| p.row.unwrap()).collect();
    assert_eq!(rows, [3, 4, 5, 6, 7, 8, 9], "{e}");
    assert!(
        e.problems[0]
            .message
            .contains("value NaN is not a finite number"),
        "{e}"
    );
    assert!(
        e.problems[1].message.contains("are not finite numbers"),
        "{e}"
    );
    assert_eq!(e.problems[2].message, "negative count (-1/2)");
    assert_eq!(e.problems[3].message, "no value, numerator or denominator");
    assert!(e.problems[4].message.contains("not both"), "{e}");
    assert!(
        e.problems[5]
            .message
            .contains("a numerator needs a denominator"),
        "{e}"
    );
    assert_eq!(e.problems[6].message, "denominator is 0 with numerator 3");
    assert!(
        e.to_string().contains("row 3, criterion \"i1\": value NaN"),
        "{e}"
    );
}

// ---------------------------------------------------------------------------- long tables

struct Texts(Vec<Option<&'static str>>);
impl TextColumn for Texts {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn text(&self, row: usize) -> Option<&str> {
        self.0.get(row).copied().flatten()
    }
}

struct Numbers(Vec<Option<f64>>);
impl NumberColumn for Numbers {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn number(&self, row: usize) -> Option<f64> {
        self.0.get(row).copied().flatten()
    }
}

/// (hospital, criterion, period, value, numerator, denominator, level)
type Row = (
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<&'static str>,
);

struct Columns {
    hospital: Texts,
    criterion: Texts,
    period: Texts,
    value: Numbers,
    numerator: Numbers,
    denominator: Numbers,
    level: Texts,
}

impl Columns {
    fn new(rows: &[Row]) -> Columns {
        Columns {
            hospital: Texts(rows.iter().map(|r| r.0).collect()),
            criterion: Texts(rows.iter().map(|r| r.1).collect()),
            period: Texts(rows.iter().map(|r| r.2).collect()),
            value: Numbers(rows.iter().map(|r| r.3).collect()),
            numerator: Numbers(rows.iter().map(|r| r.4).collect()),
            denominator: Numbers(rows.iter().map(|r| r.5).collect()),
            level: Texts(rows.iter().map(|r| r.6).collect()),
        }
    }

    fn table(&self, row_offset: usize) -> LongTable<'_> {
        LongTable {
            period: Some(&self.period),
            value: Some(&self.value),
            numerator: Some(&self.numerator),
            denominator: Some(&self.denominator),
            level: Some(&self.level),
            row_offset,
            ..LongTable::new(&self.hospital, &self.criterion)
        }
    }
}

const N: Option<f64> = None;

fn bad_table_rows() -> Vec<Row> {
    vec![
        /* 0 */ (Some("H1"), Some("i1"), Some("2024"), Some(96.0), N, N, None),
        /* 1 */ (Some("H1"), Some("a1"), None, N, N, N, Some("A")),
        /* 2 */ (Some("H1"), Some("i1"), Some("2024"), Some(97.0), N, N, None),
        /* 3 */ (Some("H1"), Some("a1"), None, N, N, N, Some("B")),
        /* 4 */ (Some(""), Some("a2"), None, N, N, N, Some("A")),
        /* 5 */ (None, Some("a2"), None, N, N, N, Some("A")),
        /* 6 */
        (
            Some("H2"),
            Some("i1"),
            Some("2024"),
            Some(f64::NAN),
            N,
            N,
            None,
        ),
        /* 7 */
        (
            Some("H2"),
            Some("i2"),
            Some("2024"),
            N,
            Some(-1.0),
            Some(3.0),
            None,
        ),
        /* 8 */ (Some("H2"), Some("zz"), None, N, N, N, Some("A")),
        /* 9 */
        (
            Some("H2"),
            Some("i1"),
            Some("2023"),
            N,
            Some(101.0),
            Some(100.0),
            None,
        ),
        /* 10 */ (Some("H3"), Some("g1"), None, N, N, N, Some("pass")),
        /* 11 */ (Some("H2"), Some("a2"), None, Some(3.0), N, N, Some("A")),
        /* 12 */ (Some("H2"), Some(" "), None, Some(3.0), N, N, None),
        /* 13 */ (Some("H2"), Some("i1"), None, N, N, N, Some("A")),
        /* 14 */
        (
            Some("H3"),
            Some("i1"),
            Some("2024"),
            N,
            Some(96.0),
            Some(100.0),
            None,
        ),
        /* 15 */ (Some("H3"), Some("i2"), Some("2024"), Some(3.0), N, N, None),
        /* 16 */ (Some("H3"), Some("a1"), None, N, N, N, Some("A")),
        /* 17 */ (Some("H3"), Some("a2"), None, N, N, N, Some("B")),
        /* 18 */ (Some("H3"), Some("e1"), None, N, N, N, Some("met")),
        /* 19 */ (Some("H2"), Some("a1"), None, N, N, N, Some("Q")),
    ]
}

#[test]
fn a_long_table_reports_every_problem_per_hospital() {
    let rb = rb();
    let cols = Columns::new(&bad_table_rows());
    let sheets = cols.table(0).sheets(&rb);
    // H1, H2, H3 in order of first appearance, then the rows without hospital id.
    assert_eq!(sheets.len(), 4);

    // H1: duplicate rows.
    let e = sheets[0].as_ref().unwrap_err();
    assert_eq!(e.hospital.as_deref(), Some("H1"));
    assert_eq!(e.problems.len(), 2, "{e}");
    let p = find(e, Some("i1"), "period \"2024\" given twice (rows 0 and 2)");
    assert_eq!(p.row, Some(2));
    let p = find(e, Some("a1"), "given twice (rows 1 and 3)");
    assert_eq!(p.row, Some(3));

    // H2: every problem, each with its row.
    let e = sheets[1].as_ref().unwrap_err();
    assert_eq!(e.hospital.as_deref(), Some("H2"));
    let mut rows: Vec<_> = e.problems.iter().map(|p| p.row.unwrap()).collect();
    rows.sort();
    assert_eq!(rows, [6, 7, 8, 9, 11, 12, 13, 19], "{e}");
    assert_eq!(
        find(e, Some("i1"), "value NaN is not a finite number").row,
        Some(6)
    );
    assert_eq!(find(e, Some("i2"), "negative count (-1/3)").row, Some(7));
    assert_eq!(find(e, Some("zz"), "unknown criterion id").row, Some(8));
    assert_eq!(
        find(
            e,
            Some("i1"),
            "numerator 101 is greater than denominator 100"
        )
        .row,
        Some(9)
    );
    assert_eq!(
        find(
            e,
            None,
            "criterion \"a2\": a row has a level or numbers, not both"
        )
        .row,
        Some(11)
    );
    assert_eq!(find(e, None, "no criterion_id").row, Some(12));
    assert_eq!(
        find(
            e,
            Some("i1"),
            "is an indicator: give a value (or numerator and denominator), not the level \"A\""
        )
        .row,
        Some(13)
    );
    assert_eq!(
        find(e, Some("a1"), "\"Q\" is not an article level").row,
        Some(19)
    );
    assert!(
        e.to_string()
            .contains("row 8, criterion \"zz\": unknown criterion id"),
        "{e}"
    );

    // H3 is fine.
    let s = sheets[2].as_ref().unwrap();
    assert_eq!(s.hospital, "H3");

    // Rows without a hospital id: one error without hospital, naming the rows.
    let e = sheets[3].as_ref().unwrap_err();
    assert_eq!(e.hospital, None);
    let rows: Vec<_> = e
        .problems
        .iter()
        .map(|p| (p.row, p.message.as_str()))
        .collect();
    assert_eq!(
        rows,
        [(Some(4), "no hospital_id"), (Some(5), "no hospital_id")]
    );
}

#[test]
fn row_numbers_include_the_table_offset() {
    let rb = rb();
    let cols = Columns::new(&bad_table_rows());
    let sheets = cols.table(1000).sheets(&rb);
    let e = sheets[0].as_ref().unwrap_err();
    find(
        e,
        Some("i1"),
        "period \"2024\" given twice (rows 1000 and 1002)",
    );
    let e = sheets[3].as_ref().unwrap_err();
    assert_eq!(e.problems[0].row, Some(1004));
}

#[test]
fn missing_evidence_under_policy_error_names_every_criterion() {
    let text = RB.replace(
        "[[outcome]]",
        "[missing]\narticle = \"error\"\nindicator = \"error\"\n\n[[outcome]]",
    );
    let rb = Rulebook::from_toml(&text).unwrap();
    let ev = Evidence::from_toml(
        "hospital = \"H7\"\ngates = { g1 = \"pass\" }\narticles = { a2 = \"A\" }",
    )
    .unwrap();
    let e = score(&rb, &ev).unwrap_err();
    assert_eq!(e.hospital.as_deref(), Some("H7"));
    let ids: Vec<_> = e
        .problems
        .iter()
        .map(|p| p.criterion.clone().unwrap())
        .collect();
    assert_eq!(ids, ["i1", "i2", "a1"]);
    assert!(
        e.problems[0]
            .message
            .contains("missing evidence (no value)"),
        "{e}"
    );
    assert!(
        e.problems[2]
            .message
            .contains("missing article evidence is an error"),
        "{e}"
    );
}

#[test]
fn a_long_table_from_plain_vectors() {
    let rb = rb();
    let hospital = vec!["H1", "H1", "H2", "H1"];
    let criterion = vec!["i1", "a1", "a1", "i1"];
    let period: Vec<Option<String>> = vec![Some("2024".into()), None, None, Some("2024".into())];
    let value: Vec<Option<f64>> = vec![Some(96.0), None, None, Some(f64::NAN)];
    let level: Vec<Option<String>> = vec![None, Some("A".into()), Some("Z".into()), None];
    let table = LongTable {
        period: Some(&period),
        value: Some(&value),
        level: Some(&level),
        ..LongTable::new(&hospital, &criterion)
    };
    assert_eq!(table.len(), 4);
    let sheets = table.sheets(&rb);
    let e = sheets[0].as_ref().unwrap_err();
    assert_eq!(e.hospital.as_deref(), Some("H1"));
    assert_eq!(
        find(e, Some("i1"), "value NaN is not a finite number").row,
        Some(3)
    );
    let e = sheets[1].as_ref().unwrap_err();
    assert_eq!(
        find(e, Some("a1"), "\"Z\" is not an article level").row,
        Some(2)
    );
    // Whole columns of numbers work too.
    let counts: Vec<f64> = vec![96.0, 100.0];
    let h2 = vec!["H".to_string(), "H".to_string()];
    let c2 = vec!["i1".to_string(), "i2".to_string()];
    let table = LongTable {
        value: Some(&counts),
        ..LongTable::new(&h2, &c2)
    };
    let sheets = table.sheets(&rb);
    assert!(sheets[0].is_ok(), "{:?}", sheets[0]);
}
