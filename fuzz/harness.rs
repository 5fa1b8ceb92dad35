//! The fuzz targets' logic, shared with the regression test (`tests/regressions.rs` includes
//! this file): each function takes the raw fuzz input, must never panic on it (errors are
//! fine), and checks the invariants named in its comment.
//!
//! Inputs of the table targets are decoded with `arbitrary` exactly as libFuzzer's
//! `fuzz_target!(|input: T| ...)` does (`T::arbitrary_take_rest`), so a crash file found by a
//! fuzz run reproduces here byte for byte.
#![allow(dead_code)]
#![allow(clippy::all)]

use sanjia::{Evidence, Rulebook};
use std::sync::OnceLock;

/// The targets, by name.
pub const TARGETS: &[&str] = &[
    "rulebook_toml",
    "rulebook_json",
    "condition",
    "evidence",
    "arrow_long_table",
    "exam_tables",
];

/// Scoring turns a Decimal overflow (numbers far apart) into an error by catching the panic
/// (`score_sheet`); libFuzzer's panic hook would abort on it although it is caught. Keep the
/// hook quiet for those messages only: any other panic, or an overflow that is not caught and
/// leaves the target, is still a crash (libFuzzer also aborts on a panic that unwinds out).
pub fn allow_caught_overflow() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let p = info.payload();
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            if msg.ends_with(" overflowed") || msg == "Division by zero" {
                return;
            }
            previous(info)
        }));
    });
}

/// Run a target by name on an input; false for an unknown name.
pub fn run(target: &str, data: &[u8]) -> bool {
    match target {
        "rulebook_toml" => rulebook_toml(data),
        "rulebook_json" => rulebook_json(data),
        "condition" => condition(data),
        "evidence" => evidence(data),
        #[cfg(feature = "arrow")]
        "arrow_long_table" => tables::arrow_long_table::run(data),
        #[cfg(feature = "arrow")]
        "exam_tables" => tables::exam_tables::run(data),
        #[cfg(not(feature = "arrow"))]
        "arrow_long_table" | "exam_tables" => {}
        _ => return false,
    }
    true
}

/// The built-in demo rulebook, compiled once.
pub fn demo() -> &'static Rulebook {
    static RB: OnceLock<Rulebook> = OnceLock::new();
    RB.get_or_init(|| Rulebook::builtin("demo").expect("the demo rulebook compiles"))
}

/// Exercise everything a caller does with a compiled rulebook: score (empty and sample
/// evidence), explain, JSON, and the TOML / JSON round trip, which must load again and be
/// stable (saving the reloaded rulebook gives the same text and the same content hash).
pub fn exercise_rulebook(rb: &Rulebook) {
    allow_caught_overflow();
    let _ = rb.tree_text();
    // No evidence (everything missing), and every criterion answered (best levels, gates
    // passed, a small and a large value for every indicator): scoring either succeeds or
    // errs, and a report renders in every form.
    let empty = Evidence::new("H");
    let mut full = Evidence::new("H");
    for &i in rb.evidence_nodes() {
        let node = &rb.nodes()[i as usize];
        let id = node.id.clone();
        use sanjia::evidence::{ArticleLevel, ElementResult, Observation};
        use sanjia::rulebook::model::NodeKind;
        match node.kind {
            NodeKind::Gate => {
                full.gates.insert(id, true);
            }
            NodeKind::Article => {
                full.articles.insert(id, ArticleLevel::A);
            }
            NodeKind::Element => {
                full.elements.insert(id, ElementResult::Partial);
            }
            NodeKind::Indicator => {
                let s = full.indicators.entry(id).or_default();
                s.insert("2023".into(), Observation::Value("0.5".parse().unwrap()));
                s.insert(
                    "2024".into(),
                    Observation::Ratio {
                        numerator: 3.into(),
                        denominator: 7.into(),
                    },
                );
            }
            NodeKind::Group => {}
        }
    }
    for ev in [&empty, &full] {
        if let Ok(report) = sanjia::score(rb, ev) {
            let _ = report.explain();
            let _ = report.to_json();
            let _ = report.deductions();
            let _ = report.missing();
            let _ = report.status();
        }
    }
    let toml = rb.to_toml();
    let back = Rulebook::from_toml(&toml)
        .unwrap_or_else(|e| panic!("to_toml output does not load: {e}\n{toml}"));
    assert_eq!(back.to_toml(), toml, "TOML round trip is not stable");
    assert_eq!(
        back.content_hash(),
        rb.content_hash(),
        "hash changed through TOML"
    );
    let json = rb.to_json();
    let back = Rulebook::from_json(&json)
        .unwrap_or_else(|e| panic!("to_json output does not load: {e}\n{json}"));
    assert_eq!(back.to_json(), json, "JSON round trip is not stable");
    assert_eq!(
        back.content_hash(),
        rb.content_hash(),
        "hash changed through JSON"
    );
}

/// Rulebook loader, TOML: any text either loads or gives a RulebookError; a loaded rulebook
/// scores, explains and round-trips.
pub fn rulebook_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(rb) = Rulebook::from_toml(text) {
        exercise_rulebook(&rb);
    }
}

/// Rulebook loader, JSON: as [`rulebook_toml`].
pub fn rulebook_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(rb) = Rulebook::from_json(text) {
        exercise_rulebook(&rb);
    }
}

/// Grade-condition parser: any text parses or gives a ParseError; a condition that parses is
/// put into a small rulebook (resolved against its tree) and, when it resolves, evaluated for
/// two hospitals.
pub fn condition(data: &[u8]) {
    allow_caught_overflow();
    use serde_json::json;
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if sanjia::condition::parse(text).is_err() {
        return;
    }
    let file = json!({
        "rulebook": { "id": "fuzz", "title": "Fuzz", "flags": { "core": "core" } },
        "params": { "cut": 90, "half": "50%" },
        "outcome": [ { "id": "defer", "title": "Defer", "effect": "no-grade" },
                     { "id": "down", "title": "Down", "effect": "downgrade", "steps": 1 } ],
        "node": [
            { "id": "P1", "title": "Gates" },
            { "id": "g1", "parent": "P1", "kind": "gate", "title": "G1", "on_fail": "defer" },
            { "id": "g2", "parent": "P1", "kind": "gate", "title": "G2", "on_fail": "down" },
            { "id": "P2", "title": "Data", "department": "QC" },
            { "id": "i1", "parent": "P2", "kind": "indicator", "title": "I1", "unit": "%",
              "method": "threshold", "target": ">= 90" },
            { "id": "P3", "title": "Site", "tier": "part" },
            { "id": "a1", "parent": "P3", "kind": "article", "title": "A1", "flags": ["core"] },
            { "id": "a2", "parent": "P3", "kind": "article", "title": "A2" },
            { "id": "e1", "parent": "P3", "kind": "element", "title": "E1" }
        ],
        "grade": [ { "id": "top", "when": [text] }, { "id": "rest" } ]
    });
    let Ok(rb) = Rulebook::from_json(&file.to_string()) else {
        return;
    };
    let mut good = Evidence::new("H1");
    good.gates.insert("g1".into(), true);
    good.gates.insert("g2".into(), true);
    good.articles
        .insert("a1".into(), sanjia::evidence::ArticleLevel::A);
    good.articles
        .insert("a2".into(), sanjia::evidence::ArticleLevel::E);
    good.elements
        .insert("e1".into(), sanjia::evidence::ElementResult::Partial);
    let mut bad = Evidence::new("H2");
    bad.gates.insert("g1".into(), false);
    bad.gates.insert("g2".into(), false);
    for ev in [good, bad] {
        let report = sanjia::score(&rb, &ev).expect("complete evidence scores");
        let _ = report.explain();
        let _ = report.to_json();
    }
}

/// Evidence loader: the first byte picks TOML, JSON or a JSON value (`Evidence::from_value`);
/// any text either loads or gives an EvidenceError; loaded evidence is checked and scored
/// against the demo rulebook.
pub fn evidence(data: &[u8]) {
    allow_caught_overflow();
    use sanjia::rulebook::load::Format;
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let ev = match mode % 3 {
        0 => Evidence::parse(text, Format::Toml),
        1 => Evidence::parse(text, Format::Json),
        _ => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) => Evidence::from_value(&v),
            Err(_) => return,
        },
    };
    let Ok(ev) = ev else {
        return;
    };
    if let Ok(report) = sanjia::score(demo(), &ev) {
        let _ = report.explain();
        let _ = report.to_json();
        assert!(report
            .total()
            .is_none_or(|t| t >= 0.into() && t <= report.max_total()));
    }
}

#[cfg(feature = "arrow")]
pub mod tables {
    //! The Arrow table targets.
    /// Arrow ingestion of the long table: record batches built from fuzz input (every string
    /// layout, integer ids, numeric types, nulls), split into several batches at fuzzed points.
    /// Checking must not panic, and the sheets must not depend on how the table is split.
    pub mod arrow_long_table {
        use arbitrary::Arbitrary;
        use arrow_array::builder::{StringDictionaryBuilder, StringViewBuilder};
        use arrow_array::types::Int32Type;
        use arrow_array::{
            ArrayRef, Float32Array, Float64Array, Int64Array, LargeStringArray, RecordBatch,
            StringArray, UInt64Array,
        };
        use sanjia::evidence::arrow::sheets_from_batches;
        use std::sync::Arc;

        const IDS: [&str; 12] = [
            "1.1.1", "1.1.2", "1.1.3.1", "2.2.7", "3.1.1", "3.1.2", "P1", "P2", "nope", "",
            " 3.1.1 ", "IPSG.1",
        ];

        #[derive(Arbitrary, Debug)]
        enum Text {
            Known(u8),
            Free(String),
            Null,
        }

        #[derive(Arbitrary, Debug)]
        struct Row {
            hospital: Text,
            criterion: Text,
            period: Text,
            value: Option<f64>,
            numerator: Option<f64>,
            denominator: Option<f64>,
            level: Text,
        }

        #[derive(Arbitrary, Debug)]
        struct Input {
            rows: Vec<Row>,
            /// Batch lengths (cut points), cycled.
            splits: Vec<u8>,
            /// Layout of the text columns: Utf8, LargeUtf8, Utf8View, dictionary, integers.
            text_layout: u8,
            /// Type of the numeric columns.
            num_type: u8,
            /// Which optional columns are present (bit mask), and an unknown extra one.
            present: u8,
        }

        fn text(t: &Text, pool: &[&str]) -> Option<String> {
            match t {
                Text::Known(i) => Some(pool[*i as usize % pool.len()].to_string()),
                Text::Free(s) => Some(s.clone()),
                Text::Null => None,
            }
        }

        fn text_array(layout: u8, v: &[Option<String>]) -> ArrayRef {
            match layout % 5 {
                0 => Arc::new(StringArray::from(v.to_vec())),
                1 => Arc::new(LargeStringArray::from(v.to_vec())),
                2 => {
                    let mut b = StringViewBuilder::new();
                    for s in v {
                        b.append_option(s.as_deref());
                    }
                    Arc::new(b.finish())
                }
                3 => {
                    let mut b = StringDictionaryBuilder::<Int32Type>::new();
                    for s in v {
                        b.append_option(s.as_deref());
                    }
                    Arc::new(b.finish())
                }
                _ => Arc::new(Int64Array::from(
                    v.iter()
                        .map(|s| s.as_ref().map(|s| s.len() as i64 * 7919 - 3))
                        .collect::<Vec<_>>(),
                )),
            }
        }

        fn num_array(ty: u8, v: &[Option<f64>]) -> ArrayRef {
            match ty % 4 {
                0 => Arc::new(Float64Array::from(v.to_vec())),
                1 => Arc::new(Float32Array::from(
                    v.iter().map(|x| x.map(|x| x as f32)).collect::<Vec<_>>(),
                )),
                2 => Arc::new(Int64Array::from(
                    v.iter().map(|x| x.map(|x| x as i64)).collect::<Vec<_>>(),
                )),
                _ => Arc::new(UInt64Array::from(
                    v.iter().map(|x| x.map(|x| x as u64)).collect::<Vec<_>>(),
                )),
            }
        }

        fn batch(inp: &Input, rows: &[Row]) -> RecordBatch {
            let hospitals = ["H1", "H2", "H3"];
            let periods = ["2022", "2023", "2024", ""];
            let levels = ["A", "B", "C", "D", "E", "pass", "fail", "met", "na", "x"];
            let col = |f: &dyn Fn(&Row) -> Option<String>| -> Vec<Option<String>> {
                rows.iter().map(f).collect()
            };
            let mut cols: Vec<(&str, ArrayRef)> = vec![
                (
                    "hospital_id",
                    text_array(inp.text_layout, &col(&|r| text(&r.hospital, &hospitals))),
                ),
                (
                    "criterion_id",
                    text_array(inp.text_layout / 5, &col(&|r| text(&r.criterion, &IDS))),
                ),
            ];
            let p = inp.present;
            if p & 1 != 0 {
                cols.push((
                    "period",
                    text_array(inp.text_layout / 25, &col(&|r| text(&r.period, &periods))),
                ));
            }
            if p & 2 != 0 {
                cols.push((
                    "level",
                    text_array(inp.text_layout / 125, &col(&|r| text(&r.level, &levels))),
                ));
            }
            let nums = |f: &dyn Fn(&Row) -> Option<f64>| -> Vec<Option<f64>> {
                rows.iter().map(f).collect()
            };
            if p & 4 != 0 {
                cols.push(("value", num_array(inp.num_type, &nums(&|r| r.value))));
            }
            if p & 8 != 0 {
                cols.push((
                    "numerator",
                    num_array(inp.num_type / 4, &nums(&|r| r.numerator)),
                ));
            }
            if p & 16 != 0 {
                cols.push((
                    "denominator",
                    num_array(inp.num_type / 16, &nums(&|r| r.denominator)),
                ));
            }
            if p & 32 != 0 {
                cols.push(("extra", num_array(0, &nums(&|r| r.value))));
            }
            RecordBatch::try_from_iter(cols).expect("columns of equal length")
        }

        /// Decode the input as libFuzzer does and run the target.
        pub fn run(data: &[u8]) {
            let Ok(inp) = Input::arbitrary_take_rest(arbitrary::Unstructured::new(data)) else {
                return;
            };
            if inp.rows.len() > 2000 {
                return;
            }
            let rb = super::super::demo();
            let whole = vec![batch(&inp, &inp.rows)];
            let mut parts = Vec::new();
            let mut start = 0;
            let mut k = 0;
            while start < inp.rows.len() {
                let len = inp
                    .splits
                    .get(k % inp.splits.len().max(1))
                    .copied()
                    .unwrap_or(u8::MAX)
                    .max(1) as usize;
                let end = (start + len).min(inp.rows.len());
                parts.push(batch(&inp, &inp.rows[start..end]));
                start = end;
                k += 1;
            }
            let a = sheets_from_batches(rb, &whole);
            let b = sheets_from_batches(rb, &parts);
            match (&a, &b) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(
                        format!("{a:?}"),
                        format!("{b:?}"),
                        "split changed the sheets"
                    );
                    let opts = sanjia::BatchOptions::default();
                    let cards = sanjia::score::score_sheets(rb, a, &opts);
                    for c in cards.into_iter().flatten() {
                        let r = sanjia::Report::from_scorecard(rb, c);
                        let _ = r.to_json();
                    }
                }
                (Err(_), Err(_)) => {}
                // An empty batch list has no schema to complain about.
                _ if inp.rows.is_empty() => {}
                _ => panic!("split changed whether the table is readable: {a:?} vs {b:?}"),
            }
        }
    }

    /// Exam tables' ingestion (三基 exams): roster, sittings, exams and exemptions as Arrow record
    /// batches built from fuzz input, evaluated strictly and leniently. Errors are fine; panics,
    /// hangs and lenient row accounting that does not add up are not.
    pub mod exam_tables {
        use arbitrary::Arbitrary;
        use arrow_array::builder::StringDictionaryBuilder;
        use arrow_array::types::Int32Type;
        use arrow_array::{
            ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray,
        };
        use sanjia::exams::*;
        use std::sync::Arc;

        const STAFF: [&str; 6] = ["S1", "S2", "S3", "S4", "", " S1"];
        const EXAMS: [&str; 4] = ["E1", "E2", "E3", ""];
        const DEPTS: [&str; 4] = ["内科", "外科", "急诊科", ""];
        const CATS: [&str; 5] = ["医师", "护士", "医技", "药学", "x"];
        const DATES: [&str; 6] = [
            "2024-03-01",
            "2024-09-30",
            "2023-02-29",
            "2024-13-01",
            "",
            "1-1-1",
        ];
        const REASONS: [&str; 4] = ["产假", "病假", "外出进修", "other"];

        #[derive(Arbitrary, Debug)]
        enum T {
            K(u8),
            Free(String),
            Null,
        }

        fn t(v: &T, pool: &[&str]) -> Option<String> {
            match v {
                T::K(i) => Some(pool[*i as usize % pool.len()].to_string()),
                T::Free(s) => Some(s.clone()),
                T::Null => None,
            }
        }

        #[derive(Arbitrary, Debug)]
        struct Person {
            staff: T,
            dept: T,
            cat: T,
            from: T,
            to: Option<i32>,
            reason: T,
        }

        #[derive(Arbitrary, Debug)]
        struct Sitting {
            staff: T,
            exam: T,
            attempt: Option<f64>,
            score: Option<f64>,
            theory: Option<f64>,
        }

        #[derive(Arbitrary, Debug)]
        struct Exam {
            exam: T,
            kind: T,
            date: Option<i32>,
            pass_mark: Option<f64>,
            full_mark: Option<f64>,
            categories: T,
            departments: T,
        }

        #[derive(Arbitrary, Debug)]
        struct Exemption {
            staff: T,
            exam: T,
            reason: T,
        }

        #[derive(Arbitrary, Debug)]
        struct Input {
            people: Vec<Person>,
            sittings: Vec<Sitting>,
            exams: Option<Vec<Exam>>,
            exemptions: Option<Vec<Exemption>>,
            dict: bool,
            component: bool,
            lenient: bool,
        }

        fn s(dict: bool, v: Vec<Option<String>>) -> ArrayRef {
            if dict {
                let mut b = StringDictionaryBuilder::<Int32Type>::new();
                for x in &v {
                    b.append_option(x.as_deref());
                }
                Arc::new(b.finish())
            } else {
                Arc::new(StringArray::from(v))
            }
        }

        fn f(v: Vec<Option<f64>>) -> ArrayRef {
            Arc::new(Float64Array::from(v))
        }

        fn batch(cols: Vec<(&str, ArrayRef)>) -> RecordBatch {
            RecordBatch::try_from_iter(cols).expect("equal lengths")
        }

        /// Decode the input as libFuzzer does and run the target.
        pub fn run(data: &[u8]) {
            let Ok(inp) = Input::arbitrary_take_rest(arbitrary::Unstructured::new(data)) else {
                return;
            };
            if inp.people.len() + inp.sittings.len() > 3000 {
                return;
            }
            let d = inp.dict;
            let p = &inp.people;
            let roster = batch(vec![
                (
                    "staff_id",
                    s(d, p.iter().map(|x| t(&x.staff, &STAFF)).collect()),
                ),
                (
                    "department",
                    s(d, p.iter().map(|x| t(&x.dept, &DEPTS)).collect()),
                ),
                (
                    "category",
                    s(d, p.iter().map(|x| t(&x.cat, &CATS)).collect()),
                ),
                (
                    "employed_from",
                    s(false, p.iter().map(|x| t(&x.from, &DATES)).collect()),
                ),
                (
                    "employed_to",
                    Arc::new(Date32Array::from(
                        p.iter().map(|x| x.to).collect::<Vec<_>>(),
                    )),
                ),
                (
                    "exempt_reason",
                    s(d, p.iter().map(|x| t(&x.reason, &REASONS)).collect()),
                ),
            ]);
            let q = &inp.sittings;
            let mut cols = vec![
                (
                    "staff_id",
                    s(d, q.iter().map(|x| t(&x.staff, &STAFF)).collect()),
                ),
                (
                    "exam_id",
                    s(d, q.iter().map(|x| t(&x.exam, &EXAMS)).collect()),
                ),
                (
                    "attempt",
                    Arc::new(Int64Array::from(
                        q.iter()
                            .map(|x| x.attempt.map(|a| a as i64))
                            .collect::<Vec<_>>(),
                    )) as ArrayRef,
                ),
                ("score", f(q.iter().map(|x| x.score).collect())),
            ];
            if inp.component {
                cols.push(("theory", f(q.iter().map(|x| x.theory).collect())));
            }
            let sittings = batch(cols);
            let exams = inp.exams.as_ref().map(|e| {
                batch(vec![
                    (
                        "exam_id",
                        s(d, e.iter().map(|x| t(&x.exam, &EXAMS)).collect()),
                    ),
                    (
                        "kind",
                        s(
                            d,
                            e.iter()
                                .map(|x| t(&x.kind, &["theory", "skill", "三基"]))
                                .collect(),
                        ),
                    ),
                    (
                        "date",
                        Arc::new(Date32Array::from(
                            e.iter().map(|x| x.date).collect::<Vec<_>>(),
                        )) as ArrayRef,
                    ),
                    ("pass_mark", f(e.iter().map(|x| x.pass_mark).collect())),
                    ("full_mark", f(e.iter().map(|x| x.full_mark).collect())),
                    (
                        "categories",
                        s(
                            d,
                            e.iter()
                                .map(|x| t(&x.categories, &["医师", "医师,护士", "", "all"]))
                                .collect(),
                        ),
                    ),
                    (
                        "departments",
                        s(
                            d,
                            e.iter()
                                .map(|x| t(&x.departments, &["内科", "内科;外科", ""]))
                                .collect(),
                        ),
                    ),
                ])
            });
            let exemptions = inp.exemptions.as_ref().map(|e| {
                batch(vec![
                    (
                        "staff_id",
                        s(d, e.iter().map(|x| t(&x.staff, &STAFF)).collect()),
                    ),
                    (
                        "exam_id",
                        s(d, e.iter().map(|x| t(&x.exam, &EXAMS)).collect()),
                    ),
                    (
                        "reason",
                        s(d, e.iter().map(|x| t(&x.reason, &REASONS)).collect()),
                    ),
                ])
            });
            let roster_b = [roster];
            let sittings_b = [sittings];
            let Ok(r) = Roster::from_arrow(&roster_b) else {
                return;
            };
            let comps: &[&str] = if inp.component { &["theory"] } else { &[] };
            let Ok(st) = Sittings::from_arrow(&sittings_b, comps) else {
                return;
            };
            let mut input = ExamInput::new(r, st);
            let exams_b: Vec<RecordBatch> = exams.into_iter().collect();
            let exemptions_b: Vec<RecordBatch> = exemptions.into_iter().collect();
            if !exams_b.is_empty() {
                let Ok(e) = Exams::from_arrow(&exams_b) else {
                    return;
                };
                input = input.with_exams(e);
            }
            if !exemptions_b.is_empty() {
                let Ok(e) = Exemptions::from_arrow(&exemptions_b) else {
                    return;
                };
                input = input.with_exemptions(e);
            }
            let opts = if inp.lenient {
                EvalOptions::lenient()
            } else {
                EvalOptions::default()
            };
            if let Ok(ev) = evaluate(&input, &Policy::builtin(), &opts) {
                let s = ev.summary(&[GroupDim::Exam, GroupDim::Department]);
                let _ = s.rows.len();
                let _ = ev.people().count();
                if inp.lenient {
                    assert!(ev.rows.adds_up(), "lenient row accounting does not add up");
                }
            }
        }
    }
}
