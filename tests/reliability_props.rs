//! Property tests for the reliability issue (extending `core_props.rs`, which covers levels,
//! gates and one indicator, the total's range and determinism):
//!
//! * a better indicator value (higher or lower as the indicator says; the latest period for a
//!   trend) never lowers a criterion's points, the total or the grade, for every method;
//! * scoring does not depend on the order of the evidence rows, on how a long table is cut
//!   into record batches, or on the number of threads;
//! * save → load of a rulebook round-trips: `to_toml` / `to_json` load again into a rulebook
//!   with the same content hash, the same saved text and the same scores (a layered rulebook
//!   saves flattened, with the same hash);
//! * a report round-trips: `Report::to_json()` is the same for the same inputs however they
//!   were given (file, dict, table), re-reads as the same JSON value, and its audit hashes are
//!   those of the rulebook and of the evidence.

use proptest::prelude::*;
use rust_decimal::Decimal;
use sanjia::evidence::table::LongTable;
use sanjia::evidence::{ArticleLevel, ElementResult, Observation};
use sanjia::rulebook::compile::Rule;
use sanjia::rulebook::model::NodeKind;
use sanjia::{score, BatchOptions, Evidence, Report, Rulebook};
use std::sync::OnceLock;

fn demo() -> &'static Rulebook {
    static RB: OnceLock<Rulebook> = OnceLock::new();
    RB.get_or_init(|| Rulebook::builtin("demo").unwrap())
}

// ------------------------------------------------------------------ indicator monotonicity

/// One indicator of each method and direction; grades depend on the total and on values.
const IND: &str = r#"
[rulebook]
id = "ind-props"
title = "Indicator properties"

[missing]
indicator = "zero"

[total]
aggregate = "sum"

[[node]]
id = "P"
title = "Data"

[[node]]
id = "th_hi"
parent = "P"
kind = "indicator"
title = "threshold, higher"
unit = "%"
method = "threshold"
target = ">= 90"
max_points = 10

[[node]]
id = "th_lo"
parent = "P"
kind = "indicator"
title = "threshold, lower"
unit = "%"
direction = "lower"
method = "threshold"
target = "<= 5"
max_points = 10

[[node]]
id = "bd_hi"
parent = "P"
kind = "indicator"
title = "bands, higher"
unit = "%"
method = "bands"
bands = [{ when = ">= 95", points = 10 }, { when = ">= 80", points = 6 }, { when = ">= 50", points = 2 }]
max_points = 10

[[node]]
id = "bd_lo"
parent = "P"
kind = "indicator"
title = "bands, lower"
unit = "%"
direction = "lower"
method = "bands"
bands = [{ when = "<= 2", points = 10 }, { when = "<= 10", points = 5 }]
otherwise = 1
max_points = 10

[[node]]
id = "tr_hi"
parent = "P"
kind = "indicator"
title = "trend, higher"
unit = "%"
method = "trend"
target = ">= 98"
trend = { periods = 3, tolerance = "0.5", improving = 10, stable = 6, worsening = 1, target_points = 10 }
max_points = 10

[[node]]
id = "tr_lo"
parent = "P"
kind = "indicator"
title = "trend, lower"
unit = "%"
direction = "lower"
method = "trend"
trend = { periods = 2, improving = 10, stable = 5, worsening = 0 }
max_points = 10

[[grade]]
id = "A"
when = ["total >= 45", "value(th_lo) <= 10"]

[[grade]]
id = "B"
when = ["total >= 20 or min(rate, children of P) >= 50%"]

[[grade]]
id = "C"
"#;

fn ind_rb() -> &'static Rulebook {
    static RB: OnceLock<Rulebook> = OnceLock::new();
    RB.get_or_init(|| Rulebook::from_toml(IND).unwrap_or_else(|e| panic!("{e}")))
}

const INDICATORS: [&str; 6] = ["th_hi", "th_lo", "bd_hi", "bd_lo", "tr_hi", "tr_lo"];

/// Values in tenths of a percent (0.0 … 100.0), three periods each; `None` = not given.
type Values = [[Option<u16>; 3]; 6];

fn values() -> impl Strategy<Value = Values> {
    prop::array::uniform6(prop::array::uniform3(prop::option::weighted(
        0.85,
        0u16..=1000,
    )))
}

fn ind_evidence(v: &Values) -> Evidence {
    let mut ev = Evidence::new("H");
    for (k, id) in INDICATORS.iter().enumerate() {
        for (p, x) in v[k].iter().enumerate() {
            if let Some(x) = x {
                ev.indicators.entry(id.to_string()).or_default().insert(
                    format!("{}", 2022 + p),
                    Observation::Value(Decimal::new(i64::from(*x), 1)),
                );
            }
        }
    }
    ev
}

fn rank(r: &Report) -> usize {
    let n = r.rulebook().grades().len();
    r.decision().grade.map_or(0, |g| n - g)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn a_better_indicator_value_never_lowers_points_total_or_grade(
        v in values(),
        which in 0usize..6,
        by in 1u16..=1000,
    ) {
        // Improve the latest given period of one indicator (for a trend the latest period is
        // what "better" means; earlier ones are the baseline).
        let mut up = v;
        let Some(p) = (0..3).rev().find(|&p| v[which][p].is_some()) else {
            return Ok(());
        };
        let x = v[which][p].unwrap_or(0);
        let lower_is_better = INDICATORS[which].ends_with("_lo");
        up[which][p] = Some(if lower_is_better { x.saturating_sub(by) } else { (x + by).min(1000) });
        let rb = ind_rb();
        let before = score(rb, &ind_evidence(&v)).unwrap();
        let after = score(rb, &ind_evidence(&up)).unwrap();
        let id = INDICATORS[which];
        prop_assert!(
            after.points(id) >= before.points(id),
            "{id}: {:?} -> {:?} for {:?} -> {:?}", before.points(id), after.points(id), v[which], up[which]
        );
        prop_assert!(after.total() >= before.total());
        prop_assert!(rank(&after) >= rank(&before), "{} -> {}", before.status(), after.status());
        if let Some(t) = after.total() {
            prop_assert!(t >= Decimal::ZERO && t <= after.max_total());
        }
    }
}

// ------------------------------------------------------- order, batch split, thread count

/// Random evidence for the demo rulebook: for each criterion an answer or nothing.
#[derive(Debug, Clone)]
struct Hosp {
    /// Per evidence node: 0 = missing, else a kind-specific choice.
    picks: Vec<u8>,
    /// Per evidence node and period: value in tenths, or a ratio.
    obs: Vec<[(u8, u16, u16); 3]>,
}

fn hosp() -> impl Strategy<Value = Hosp> {
    let n = demo().evidence_nodes().len();
    (
        prop::collection::vec(0u8..8, n),
        prop::collection::vec(prop::array::uniform3((0u8..4, 0u16..=1000, 1u16..=1000)), n),
    )
        .prop_map(|(picks, obs)| Hosp { picks, obs })
}

/// One row of a long table.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    hospital: String,
    criterion: String,
    period: Option<String>,
    value: Option<f64>,
    numerator: Option<f64>,
    denominator: Option<f64>,
    level: Option<String>,
}

fn rows_of(h: &Hosp, name: &str) -> (Evidence, Vec<Row>) {
    let rb = demo();
    let mut ev = Evidence::new(name);
    let mut rows = Vec::new();
    let row = |crit: &str| Row {
        hospital: name.to_string(),
        criterion: crit.to_string(),
        period: None,
        value: None,
        numerator: None,
        denominator: None,
        level: None,
    };
    for (k, &i) in rb.evidence_nodes().iter().enumerate() {
        let node = &rb.nodes()[i as usize];
        let id = node.id.as_str();
        let pick = h.picks[k];
        if pick == 0 {
            // Gates must be answered in the demo rulebook; leave others missing.
            if node.kind != NodeKind::Gate {
                continue;
            }
        }
        match node.kind {
            NodeKind::Gate => {
                let pass = pick % 4 != 1;
                ev.gates.insert(id.into(), pass);
                rows.push(Row {
                    level: Some(if pass { "pass" } else { "fail" }.into()),
                    ..row(id)
                });
            }
            NodeKind::Article => {
                let l = ["A", "B", "C", "D", "E", "A", "B"][(pick as usize - 1) % 7];
                ev.articles
                    .insert(id.into(), ArticleLevel::parse(l).unwrap());
                rows.push(Row {
                    level: Some(l.into()),
                    ..row(id)
                });
            }
            NodeKind::Element => {
                let r = ["met", "partial", "not_met", "na"][(pick as usize - 1) % 4];
                ev.elements
                    .insert(id.into(), ElementResult::parse(r).unwrap());
                rows.push(Row {
                    level: Some(r.into()),
                    ..row(id)
                });
            }
            NodeKind::Indicator => {
                let Rule::Indicator(rule) = &node.rule else {
                    continue;
                };
                let scale = rule.scale;
                for (p, &(how, a, b)) in h.obs[k].iter().enumerate() {
                    if how == 0 {
                        continue;
                    }
                    let period = format!("{}", 2022 + p);
                    let r = Row {
                        period: Some(period.clone()),
                        ..row(id)
                    };
                    if how == 1 {
                        // A value within 0..scale (proportions are bounded by their scale).
                        let v = Decimal::new(i64::from(a), 1) * scale / Decimal::from(100);
                        let v = v.round_dp(1);
                        let f: f64 = v.to_string().parse().unwrap();
                        ev.indicators
                            .entry(id.into())
                            .or_default()
                            .insert(period, Observation::Value(v));
                        rows.push(Row {
                            value: Some(f),
                            ..r
                        });
                    } else {
                        let (n, d) = (a.min(b), b);
                        ev.indicators.entry(id.into()).or_default().insert(
                            period,
                            Observation::Ratio {
                                numerator: n.into(),
                                denominator: d.into(),
                            },
                        );
                        rows.push(Row {
                            numerator: Some(n.into()),
                            denominator: Some(d.into()),
                            ..r
                        });
                    }
                }
            }
            NodeKind::Group => {}
        }
    }
    (ev, rows)
}

struct Cols {
    hospital: Vec<String>,
    criterion: Vec<String>,
    period: Vec<Option<String>>,
    value: Vec<Option<f64>>,
    numerator: Vec<Option<f64>>,
    denominator: Vec<Option<f64>>,
    level: Vec<Option<String>>,
}

fn cols(rows: &[Row]) -> Cols {
    Cols {
        hospital: rows.iter().map(|r| r.hospital.clone()).collect(),
        criterion: rows.iter().map(|r| r.criterion.clone()).collect(),
        period: rows.iter().map(|r| r.period.clone()).collect(),
        value: rows.iter().map(|r| r.value).collect(),
        numerator: rows.iter().map(|r| r.numerator).collect(),
        denominator: rows.iter().map(|r| r.denominator).collect(),
        level: rows.iter().map(|r| r.level.clone()).collect(),
    }
}

fn table(c: &Cols) -> LongTable<'_> {
    LongTable {
        period: Some(&c.period),
        value: Some(&c.value),
        numerator: Some(&c.numerator),
        denominator: Some(&c.denominator),
        level: Some(&c.level),
        ..LongTable::new(&c.hospital, &c.criterion)
    }
}

/// What must not depend on how the input was given: per hospital, the report's JSON, or the
/// error's message without row numbers.
fn outcome(r: Result<Report, sanjia::EvidenceError>) -> String {
    match r {
        Ok(r) => r.to_json().to_string(),
        Err(e) => {
            let mut m: Vec<String> = e
                .problems
                .iter()
                .map(|p| {
                    format!(
                        "{:?} {}",
                        p.criterion,
                        p.message.split(" (rows").next().unwrap_or("")
                    )
                })
                .collect();
            m.sort();
            format!("error {m:?}")
        }
    }
}

fn from_table(rows: &[Row], threads: usize) -> Vec<String> {
    let c = cols(rows);
    let rb = demo();
    let sheets = table(&c).sheets(rb);
    let opts = BatchOptions {
        n_threads: Some(threads),
        ..Default::default()
    };
    let mut out: Vec<(String, String)> = sanjia::score::score_sheets(rb, &sheets, &opts)
        .into_iter()
        .zip(&sheets)
        .map(|(r, s)| {
            let h = match s {
                Ok(s) => s.hospital.clone(),
                Err(e) => e.hospital.clone().unwrap_or_default(),
            };
            (h, outcome(r.map(|card| Report::from_scorecard(rb, card))))
        })
        .collect();
    out.sort();
    out.into_iter().map(|(_, o)| o).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    #[test]
    fn scoring_ignores_row_order_batch_split_and_threads(
        hs in prop::collection::vec(hosp(), 1..4),
        keys in prop::collection::vec(any::<u32>(), 2000),
        cuts in prop::collection::vec(1usize..200, 1..6),
        threads in 1usize..4,
    ) {
        let rb = demo();
        let mut all = Vec::new();
        let mut direct = Vec::new();
        for (k, h) in hs.iter().enumerate() {
            let (ev, rows) = rows_of(h, &format!("H{k}"));
            direct.push(outcome(score(rb, &ev)));
            all.extend(rows);
        }
        // Files and dicts (Evidence) and the table in file order agree.
        let in_order = from_table(&all, 1);
        prop_assert_eq!(&in_order, &direct);
        // Shuffled rows, any number of threads.
        let mut shuffled: Vec<(u32, Row)> = all.iter().cloned().enumerate()
            .map(|(i, r)| (keys[i % keys.len()].wrapping_add(i as u32), r)).collect();
        shuffled.sort_by_key(|(k, _)| *k);
        let shuffled: Vec<Row> = shuffled.into_iter().map(|(_, r)| r).collect();
        prop_assert_eq!(&from_table(&shuffled, threads), &direct);
        // The batch API with several threads gives the same reports as one by one.
        let evs: Vec<Evidence> = hs.iter().enumerate().map(|(k, h)| rows_of(h, &format!("H{k}")).0).collect();
        for n in [1, threads, 4] {
            let batch = sanjia::score_batch(rb, &evs, &BatchOptions { n_threads: Some(n), ..Default::default() });
            let got: Vec<String> = batch.into_iter().map(outcome).collect();
            prop_assert_eq!(&got, &direct);
        }
        // Cut into Arrow record batches.
        #[cfg(feature = "arrow")]
        {
            let batches = arrow_batches(&shuffled, &cuts);
            let one = arrow_batches(&shuffled, &[usize::MAX]);
            let a = sanjia::evidence::arrow::sheets_from_batches(rb, &batches).unwrap();
            let b = sanjia::evidence::arrow::sheets_from_batches(rb, &one).unwrap();
            prop_assert_eq!(format!("{a:?}"), format!("{b:?}"));
            let opts = BatchOptions { n_threads: Some(threads), ..Default::default() };
            let mut got: Vec<(String, String)> = sanjia::score::score_sheets(rb, &a, &opts)
                .into_iter()
                .zip(&a)
                .map(|(r, s)| (
                    s.as_ref().map(|s| s.hospital.clone()).unwrap_or_else(|e| e.hospital.clone().unwrap_or_default()),
                    outcome(r.map(|card| Report::from_scorecard(rb, card))),
                ))
                .collect();
            got.sort();
            let got: Vec<String> = got.into_iter().map(|(_, o)| o).collect();
            prop_assert_eq!(&got, &direct);
        }
        let _ = cuts;
    }
}

#[cfg(feature = "arrow")]
fn arrow_batches(rows: &[Row], cuts: &[usize]) -> Vec<arrow_array::RecordBatch> {
    use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
    use std::sync::Arc;
    let mut out = Vec::new();
    let mut start = 0;
    let mut k = 0;
    while start < rows.len() {
        let end = start.saturating_add(cuts[k % cuts.len()]).min(rows.len());
        let part = &rows[start..end];
        let c = cols(part);
        let s = |v: Vec<Option<String>>| -> ArrayRef { Arc::new(StringArray::from(v)) };
        let f = |v: Vec<Option<f64>>| -> ArrayRef { Arc::new(Float64Array::from(v)) };
        out.push(
            RecordBatch::try_from_iter([
                ("hospital_id", s(c.hospital.into_iter().map(Some).collect())),
                (
                    "criterion_id",
                    s(c.criterion.into_iter().map(Some).collect()),
                ),
                ("period", s(c.period)),
                ("value", f(c.value)),
                ("numerator", f(c.numerator)),
                ("denominator", f(c.denominator)),
                ("level", s(c.level)),
            ])
            .unwrap(),
        );
        start = end;
        k += 1;
    }
    out
}

// ------------------------------------------------------------------ rulebook round trip

fn sample_names(rulebook: &str) -> Vec<&'static str> {
    sanjia::rulebook::builtin::find(rulebook)
        .map(|b| b.samples.iter().map(|s| s.0).collect())
        .unwrap_or_default()
}

/// Built-in rulebooks (one layered) and the test rulebooks here.
fn rulebooks() -> Vec<Rulebook> {
    let mut v: Vec<Rulebook> = Rulebook::builtin_names()
        .into_iter()
        .map(|n| Rulebook::builtin(n).unwrap())
        .collect();
    v.push(ind_rb().clone());
    v
}

#[test]
fn save_and_load_of_a_rulebook_round_trips() {
    for rb in rulebooks() {
        let id = rb.meta().id.clone();
        let toml = rb.to_toml();
        let json = rb.to_json();
        let from_toml = Rulebook::from_toml(&toml).unwrap_or_else(|e| panic!("{id}: {e}"));
        let from_json = Rulebook::from_json(&json).unwrap_or_else(|e| panic!("{id}: {e}"));
        for back in [&from_toml, &from_json] {
            assert_eq!(back.content_hash(), rb.content_hash(), "{id}");
            assert_eq!(back.to_toml(), toml, "{id}");
            assert_eq!(back.to_json(), json, "{id}");
            assert_eq!(back.tree_text(), rb.tree_text(), "{id}");
            assert_eq!(back.nodes().len(), rb.nodes().len(), "{id}");
        }
        // Same scores for the built-in samples of this rulebook.
        for name in sample_names(&id) {
            let ev = Evidence::sample(&id, Some(name)).unwrap();
            // The same report but for where the rulebook was read from.
            let json = |rb: &Rulebook| {
                score(rb, &ev).map(|r| {
                    let mut v = r.to_json();
                    v["rulebook"]["file"] = serde_json::Value::Null;
                    v
                })
            };
            let (a, b, c) = (json(&rb), json(&from_toml), json(&from_json));
            let (a, b, c) = (format!("{a:?}"), format!("{b:?}"), format!("{c:?}"));
            assert_eq!(a, b, "{id} {name}");
            assert_eq!(a, c, "{id} {name}");
        }
    }
}

#[test]
fn equal_rulebooks_hash_the_same_and_different_ones_do_not() {
    let rb = demo();
    // Reformatted: comments dropped, keys reordered, numbers written differently.
    let text = rb.to_toml();
    let json: serde_json::Value = serde_json::from_str(&rb.to_json()).unwrap();
    let compact = serde_json::to_string(&json).unwrap();
    assert_eq!(
        Rulebook::from_json(&compact).unwrap().content_hash(),
        rb.content_hash()
    );
    let builtin_text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rulebooks/demo.toml"),
    )
    .unwrap();
    assert_eq!(
        Rulebook::from_toml(&builtin_text).unwrap().content_hash(),
        rb.content_hash()
    );
    let numbers = IND.replace("target = \">= 90\"", "target = \">= 90.0\"");
    assert_ne!(numbers, IND);
    // A target is text: ">= 90.0" is another rulebook text, but max_points 10 vs 10.0 are the
    // same number.
    let same = IND.replace("max_points = 10\n", "max_points = 10.0\n");
    assert_eq!(
        Rulebook::from_toml(&same).unwrap().content_hash(),
        ind_rb().content_hash()
    );
    // Any change of substance changes the hash.
    let changed = Rulebook::from_toml(&text.replacen("title = ", "title = \"x\"\n# ", 1));
    if let Ok(c) = changed {
        assert_ne!(c.content_hash(), rb.content_hash());
    }
    let other = IND.replace("total >= 45", "total >= 46");
    assert_ne!(
        Rulebook::from_toml(&other).unwrap().content_hash(),
        ind_rb().content_hash()
    );
    assert_eq!(rb.content_hash().len(), 64);
    // A layered rulebook hashes like the flattened file it resolves to.
    for name in Rulebook::builtin_names() {
        let layered = Rulebook::builtin(name).unwrap();
        let flat = Rulebook::from_toml(&layered.to_toml()).unwrap();
        assert_eq!(flat.content_hash(), layered.content_hash(), "{name}");
    }
}

// --------------------------------------------------------------------- report round trip

#[test]
fn a_report_round_trips_through_json_with_its_audit() {
    for name in Rulebook::builtin_names() {
        let rb = Rulebook::builtin(name).unwrap();
        for sample in sample_names(name) {
            let ev = Evidence::sample(name, Some(sample)).unwrap();
            let Ok(r) = score(&rb, &ev) else { continue };
            let v = r.to_json();
            let text = serde_json::to_string_pretty(&v).unwrap();
            let back: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(back, v, "{name} {sample}");
            // Stable: the same inputs give the same JSON, from a file or from a table.
            assert_eq!(score(&rb, &ev).unwrap().to_json(), v);
            // The audit names what it was computed from.
            let a = &v["audit"];
            assert_eq!(a["rulebook_id"], rb.meta().id.as_str());
            assert_eq!(a["rulebook_sha256"], rb.content_hash());
            assert_eq!(a["sanjia_version"], sanjia::VERSION);
            assert_eq!(a["evidence_sha256"].as_str().unwrap().len(), 64);
            assert_eq!(serde_json::to_value(r.audit()).unwrap(), *a);
            assert!(r
                .explain()
                .contains(&format!("sha256 {}", rb.content_hash())));
        }
    }
}

#[test]
fn the_evidence_hash_depends_on_content_not_on_form() {
    let rb = demo();
    let ev = Evidence::sample("demo", None).unwrap();
    let r = score(rb, &ev).unwrap();
    let h = r.audit().evidence_sha256;
    // The same evidence as JSON text.
    let json = serde_json::to_string(&ev).unwrap();
    let from_json = Evidence::from_json(&json).unwrap();
    assert_eq!(score(rb, &from_json).unwrap().audit().evidence_sha256, h);
    // As a long table (in reverse row order).
    let (_, mut rows) = {
        let mut rows = Vec::new();
        for (id, p) in &ev.gates {
            rows.push(Row {
                hospital: ev.hospital.clone(),
                criterion: id.clone(),
                period: None,
                value: None,
                numerator: None,
                denominator: None,
                level: Some(if *p { "pass" } else { "fail" }.into()),
            });
        }
        for (id, l) in &ev.articles {
            rows.push(Row {
                hospital: ev.hospital.clone(),
                criterion: id.clone(),
                period: None,
                value: None,
                numerator: None,
                denominator: None,
                level: Some(l.to_string()),
            });
        }
        for (id, l) in &ev.elements {
            rows.push(Row {
                hospital: ev.hospital.clone(),
                criterion: id.clone(),
                period: None,
                value: None,
                numerator: None,
                denominator: None,
                level: Some(l.name().into()),
            });
        }
        for (id, series) in &ev.indicators {
            for (p, o) in series {
                let base = Row {
                    hospital: ev.hospital.clone(),
                    criterion: id.clone(),
                    period: (!p.is_empty()).then(|| p.clone()),
                    value: None,
                    numerator: None,
                    denominator: None,
                    level: None,
                };
                rows.push(match o {
                    Observation::Value(v) => Row {
                        value: Some(v.to_string().parse().unwrap()),
                        ..base
                    },
                    Observation::Ratio {
                        numerator,
                        denominator,
                    } => Row {
                        numerator: Some(numerator.to_string().parse().unwrap()),
                        denominator: Some(denominator.to_string().parse().unwrap()),
                        ..base
                    },
                });
            }
        }
        ((), rows)
    };
    rows.reverse();
    let c = cols(&rows);
    let sheets = table(&c).sheets(rb);
    let card = sanjia::score::score_sheet(rb, sheets[0].as_ref().unwrap()).unwrap();
    assert_eq!(card.evidence_hash, h);
    // Another answer, another hash.
    let mut other = ev.clone();
    let (k, l) = other
        .articles
        .iter()
        .next()
        .map(|(k, l)| (k.clone(), *l))
        .unwrap();
    other.articles.insert(
        k,
        if l == ArticleLevel::A {
            ArticleLevel::B
        } else {
            ArticleLevel::A
        },
    );
    assert_ne!(score(rb, &other).unwrap().audit().evidence_sha256, h);
    let mut renamed = ev.clone();
    renamed.hospital = "someone else".into();
    assert_ne!(score(rb, &renamed).unwrap().audit().evidence_sha256, h);
}
