//! Batch scoring: identical to scoring one by one, whatever the thread count and input order;
//! a bad hospital gets its error while the others are scored; long tables give the same
//! reports as per-hospital evidence; cancellation and progress.

use rust_decimal::Decimal;
use sanjia::evidence::table::{LongTable, NumberColumn, TextColumn};
use sanjia::evidence::{ArticleLevel, ElementResult, Observation};
use sanjia::score::score_sheets;
use sanjia::{score, score_batch, BatchOptions, Evidence, EvidenceError, Report, Rulebook};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

const RB: &str = r#"
[rulebook]
id = "batch"
title = "Batch"

[rulebook.flags]
core = "Core"

[rounding]
places = 2
at = "parts"

[missing]
gate = "zero"
indicator = "zero"
article = "zero"
element = "not-applicable"

[defaults]
article_points = { A = 4, B = 3, C = 2, D = 0 }
element_points = { met = 10, partial = 5, not_met = 0 }

[total]
aggregate = "weighted"
max_points = 1000

[[outcome]]
id = "defer"
title = "Deferred"
effect = "no-grade"

[[outcome]]
id = "down"
title = "Lowered"
effect = "downgrade"
steps = 1

[[outcome]]
id = "rec"
title = "Recorded"

[[node]]
id = "P0"
title = "Gates"

[[node]]
id = "g1"
parent = "P0"
kind = "gate"
title = "g1"
on_fail = "defer"

[[node]]
id = "g2"
parent = "P0"
kind = "gate"
title = "g2"
on_fail = "down"

[[node]]
id = "g3"
parent = "P0"
kind = "gate"
title = "g3"
on_fail = "rec"

[[node]]
id = "P1"
title = "Articles"
weight = 3
max_points = 100

[[node]]
id = "a1"
parent = "P1"
kind = "article"
title = "a1"
flags = ["core"]

[[node]]
id = "a2"
parent = "P1"
kind = "article"
title = "a2"
flags = ["core"]

[[node]]
id = "a3"
parent = "P1"
kind = "article"
title = "a3"

[[node]]
id = "a4"
parent = "P1"
kind = "article"
title = "a4"

[[node]]
id = "a5"
parent = "P1"
kind = "article"
title = "a5"

[[node]]
id = "P2"
title = "Monitoring"
weight = 2
aggregate = "mean"

[[node]]
id = "G1"
parent = "P2"
title = "G1"

[[node]]
id = "i1"
parent = "G1"
kind = "indicator"
title = "i1"
direction = "higher"
method = "threshold"
target = ">= 90"
max_points = 10

[[node]]
id = "i3"
parent = "G1"
kind = "indicator"
title = "i3"
unit = "%"
scale = 100
direction = "higher"
method = "bands"
bands = [{ when = ">= 95", points = 10 }, { when = ">= 80 and < 95", points = 6 }]
otherwise = 1

[[node]]
id = "G2"
parent = "P2"
title = "G2"

[[node]]
id = "i2"
parent = "G2"
kind = "indicator"
title = "i2"
direction = "higher"
method = "bands"
bands = [{ when = ">= 40", points = 8 }, { when = ">= 20", points = 4 }]

[[node]]
id = "i4"
parent = "G2"
kind = "indicator"
title = "i4"
direction = "lower"
method = "trend"
target = "<= 1"
trend = { periods = 3, tolerance = 0.5, improving = 6, stable = 4, worsening = 1, target_points = 6 }

[[node]]
id = "P3"
title = "Elements"
weight = 1
aggregate = "leaf-mean"
max_points = 10

[[node]]
id = "S1"
parent = "P3"
title = "S1"

[[node]]
id = "e1"
parent = "S1"
kind = "element"
title = "e1"

[[node]]
id = "e2"
parent = "S1"
kind = "element"
title = "e2"

[[node]]
id = "S2"
parent = "P3"
title = "S2"

[[node]]
id = "e3"
parent = "S2"
kind = "element"
title = "e3"

[[grade]]
id = "A"
when = ["total >= 750", "share(core articles, >= B) >= 100%", "min(rate, children of P2) >= 50%"]

[[grade]]
id = "B"
when = ["total >= 550", "passed(g1)"]

[[grade]]
id = "C"
when = ["no gate failed with rec or total >= 400"]

[[grade]]
id = "D"
"#;

fn rb() -> Rulebook {
    Rulebook::from_toml(RB).unwrap_or_else(|e| panic!("{e}"))
}

/// xorshift64: reproducible pseudo-random hospitals.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

fn dec(n: i64, scale: u32) -> Decimal {
    Decimal::new(n, scale)
}

/// A hospital with random answers (some missing, some 0/0).
fn hospital(k: usize, rng: &mut Rng) -> Evidence {
    let mut ev = Evidence::new(format!("H{k:03}"));
    for g in ["g1", "g2", "g3"] {
        match rng.below(12) {
            0 => {}
            1 => {
                ev.gates.insert(g.into(), false);
            }
            _ => {
                ev.gates.insert(g.into(), true);
            }
        }
    }
    use ArticleLevel::*;
    for a in ["a1", "a2", "a3", "a4", "a5"] {
        if rng.below(10) > 0 {
            ev.articles
                .insert(a.into(), rng.pick(&[A, A, B, B, C, D, E]));
        }
    }
    use ElementResult::*;
    for e in ["e1", "e2", "e3"] {
        if rng.below(10) > 0 {
            ev.elements.insert(
                e.into(),
                rng.pick(&[Met, Met, Partial, NotMet, NotApplicable]),
            );
        }
    }
    let mut put = |id: &str, period: &str, o: Observation| {
        ev.indicators
            .entry(id.to_string())
            .or_default()
            .insert(period.to_string(), o);
    };
    if rng.below(8) > 0 {
        put(
            "i1",
            "2024",
            Observation::Value(dec(70 + rng.below(31) as i64, 0)),
        );
    }
    if rng.below(8) > 0 {
        put(
            "i2",
            "",
            Observation::Value(dec(rng.below(120) as i64 * 5, 1)),
        );
    }
    if rng.below(8) > 0 {
        let den = rng.below(200) as i64;
        let num = if den == 0 {
            0
        } else {
            rng.below(den as u64 + 1) as i64
        };
        put(
            "i3",
            "2024",
            Observation::Ratio {
                numerator: dec(num, 0),
                denominator: dec(den, 0),
            },
        );
    }
    for period in ["2022", "2023", "2024"] {
        if rng.below(10) > 0 {
            put(
                "i4",
                period,
                Observation::Value(dec(rng.below(16) as i64 * 25, 2)),
            );
        }
    }
    ev
}

fn hospitals(n: usize, seed: u64) -> Vec<Evidence> {
    let mut rng = Rng(seed);
    (0..n).map(|k| hospital(k, &mut rng)).collect()
}

/// One bad hospital among good ones: an unknown criterion and a level for an indicator.
fn with_a_bad_one(mut evs: Vec<Evidence>, at: usize) -> Vec<Evidence> {
    let mut bad = Evidence::new("BAD");
    bad.articles.insert("nope".into(), ArticleLevel::A);
    bad.articles.insert("i1".into(), ArticleLevel::A);
    evs.insert(at, bad);
    evs
}

fn json(r: &Result<Report, EvidenceError>) -> Result<serde_json::Value, EvidenceError> {
    r.as_ref().map(Report::to_json).map_err(Clone::clone)
}

fn one_by_one(rb: &Rulebook, evs: &[Evidence]) -> Vec<Result<serde_json::Value, EvidenceError>> {
    evs.iter().map(|e| json(&score(rb, e))).collect()
}

fn batch(
    rb: &Rulebook,
    evs: &[Evidence],
    opts: &BatchOptions,
) -> Vec<Result<serde_json::Value, EvidenceError>> {
    score_batch(rb, evs, opts).iter().map(json).collect()
}

fn threads(n: Option<usize>) -> BatchOptions {
    BatchOptions {
        n_threads: n,
        ..BatchOptions::default()
    }
}

#[test]
fn the_generated_hospitals_cover_every_outcome() {
    let rb = rb();
    let evs = hospitals(60, 0x5EED);
    let reports: Vec<Report> = evs.iter().map(|e| score(&rb, e).unwrap()).collect();
    let grades: std::collections::BTreeSet<String> = reports
        .iter()
        .map(|r| r.grade().unwrap_or("-").to_string())
        .collect();
    // Some withheld, and several grades: the comparison below is not vacuous.
    assert!(grades.contains("-"), "{grades:?}");
    assert!(grades.len() >= 3, "{grades:?}");
    assert!(reports.iter().any(|r| !r.missing().is_empty()));
    assert!(reports.iter().any(|r| r.decision().lowered_by.is_some()));
}

#[test]
fn batch_equals_one_by_one_for_any_thread_count() {
    let rb = rb();
    let evs = hospitals(60, 0x5EED);
    let want = one_by_one(&rb, &evs);
    for n in [Some(1), Some(2), Some(3), None] {
        assert_eq!(batch(&rb, &evs, &threads(n)), want, "n_threads = {n:?}");
    }
}

#[test]
fn batch_does_not_depend_on_input_order() {
    let rb = rb();
    let evs = hospitals(40, 77);
    let forward = batch(&rb, &evs, &threads(Some(2)));
    let mut rev = evs.clone();
    rev.reverse();
    let mut backward = batch(&rb, &rev, &threads(Some(2)));
    backward.reverse();
    assert_eq!(forward, backward);
}

#[test]
fn a_bad_hospital_gets_its_error_and_the_others_are_scored() {
    let rb = rb();
    let evs = with_a_bad_one(hospitals(20, 3), 7);
    for n in [Some(1), Some(2)] {
        let out = score_batch(&rb, &evs, &threads(n));
        assert_eq!(out.len(), 21);
        for (k, r) in out.iter().enumerate() {
            if k == 7 {
                let e = r.as_ref().unwrap_err();
                assert_eq!(e.hospital.as_deref(), Some("BAD"));
                assert_eq!(e.problems.len(), 2, "{e}");
            } else {
                assert_eq!(r.as_ref().unwrap().hospital(), evs[k].hospital);
            }
        }
        assert_eq!(
            out.iter().map(json).collect::<Vec<_>>(),
            one_by_one(&rb, &evs)
        );
    }
}

#[test]
fn progress_counts_every_hospital() {
    let rb = rb();
    let evs = with_a_bad_one(hospitals(25, 11), 0);
    let progress = Arc::new(AtomicUsize::new(0));
    let opts = BatchOptions {
        n_threads: Some(2),
        progress: Some(progress.clone()),
        ..BatchOptions::default()
    };
    score_batch(&rb, &evs, &opts);
    assert_eq!(progress.load(Ordering::SeqCst), 26);
    // The same for sheets.
    let progress = Arc::new(AtomicUsize::new(0));
    let opts = BatchOptions {
        progress: Some(progress.clone()),
        ..BatchOptions::default()
    };
    let sheets: Vec<_> = evs.iter().map(|e| e.sheet(&rb)).collect();
    score_sheets(&rb, &sheets, &opts);
    assert_eq!(progress.load(Ordering::SeqCst), 26);
}

#[test]
fn a_cancelled_batch_says_so_for_each_hospital() {
    let rb = rb();
    let evs = hospitals(10, 5);
    let opts = BatchOptions {
        n_threads: Some(2),
        cancel: Some(Arc::new(AtomicBool::new(true))),
        ..BatchOptions::default()
    };
    let out = score_batch(&rb, &evs, &opts);
    assert_eq!(out.len(), 10);
    for (r, ev) in out.iter().zip(&evs) {
        let e = r.as_ref().unwrap_err();
        assert_eq!(e.hospital.as_deref(), Some(ev.hospital.as_str()));
        assert!(e.to_string().contains("cancelled"), "{e}");
    }
    let sheets: Vec<_> = evs.iter().map(|e| e.sheet(&rb)).collect();
    for (r, ev) in score_sheets(&rb, &sheets, &opts).iter().zip(&evs) {
        let e = r.as_ref().unwrap_err();
        assert_eq!(e.hospital.as_deref(), Some(ev.hospital.as_str()));
        assert!(e.to_string().contains("cancelled"), "{e}");
    }
}

#[test]
fn cancelling_midway_keeps_the_results_already_made() {
    // Cancel from the progress counter's side: after the flag is set, no hospital is scored.
    let rb = rb();
    let evs = hospitals(200, 9);
    let cancel = Arc::new(AtomicBool::new(false));
    let progress = Arc::new(AtomicUsize::new(0));
    let opts = BatchOptions {
        n_threads: Some(1),
        cancel: Some(cancel.clone()),
        progress: Some(progress.clone()),
        ..BatchOptions::default()
    };
    let out = std::thread::scope(|s| {
        let h = s.spawn(|| score_batch(&rb, &evs, &opts));
        while progress.load(Ordering::SeqCst) < 5 && !h.is_finished() {
            std::thread::yield_now();
        }
        cancel.store(true, Ordering::SeqCst);
        h.join().unwrap()
    });
    let want = one_by_one(&rb, &evs);
    let mut scored = 0;
    for (k, r) in out.iter().enumerate() {
        match r {
            Ok(_) => {
                scored += 1;
                assert_eq!(json(r), want[k]);
            }
            Err(e) => assert!(e.to_string().contains("cancelled"), "{e}"),
        }
    }
    // Progress counts the hospitals scored.
    assert_eq!(scored, progress.load(Ordering::SeqCst));
    assert!(scored >= 5);
}

// ------------------------------------------------------------------ long table = evidence

struct Texts(Vec<Option<String>>);
impl TextColumn for Texts {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn text(&self, row: usize) -> Option<&str> {
        self.0.get(row).and_then(|s| s.as_deref())
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

#[derive(Default)]
struct Columns {
    hospital: Vec<Option<String>>,
    criterion: Vec<Option<String>>,
    period: Vec<Option<String>>,
    value: Vec<Option<f64>>,
    numerator: Vec<Option<f64>>,
    denominator: Vec<Option<f64>>,
    level: Vec<Option<String>>,
}

impl Columns {
    fn row(
        &mut self,
        h: &str,
        c: &str,
        period: Option<&str>,
        nums: [Option<f64>; 3],
        level: Option<&str>,
    ) {
        self.hospital.push(Some(h.into()));
        self.criterion.push(Some(c.into()));
        self.period.push(period.map(Into::into));
        self.value.push(nums[0]);
        self.numerator.push(nums[1]);
        self.denominator.push(nums[2]);
        self.level.push(level.map(Into::into));
    }
}

fn f(d: Decimal) -> Option<f64> {
    Some(d.to_string().parse().unwrap())
}

/// (hospital, criterion, period, [value, numerator, denominator], level)
type TableRow = (
    String,
    String,
    Option<String>,
    [Option<f64>; 3],
    Option<String>,
);

/// The same evidence as a long table, rows shuffled across hospitals.
fn long_table(evs: &[Evidence], rng: &mut Rng) -> Columns {
    let mut rows: Vec<TableRow> = Vec::new();
    for ev in evs {
        let h = ev.hospital.clone();
        for (g, pass) in &ev.gates {
            let l = if *pass { "pass" } else { "fail" };
            rows.push((h.clone(), g.clone(), None, [None; 3], Some(l.into())));
        }
        for (a, l) in &ev.articles {
            rows.push((h.clone(), a.clone(), None, [None; 3], Some(l.to_string())));
        }
        for (e, r) in &ev.elements {
            rows.push((h.clone(), e.clone(), None, [None; 3], Some(r.name().into())));
        }
        for (i, series) in &ev.indicators {
            for (p, o) in series {
                let nums = match o {
                    Observation::Value(v) => [f(*v), None, None],
                    Observation::Ratio {
                        numerator,
                        denominator,
                    } => [None, f(*numerator), f(*denominator)],
                };
                let period = (!p.is_empty()).then(|| p.clone());
                rows.push((h.clone(), i.clone(), period, nums, None));
            }
        }
    }
    // Shuffle, then move each hospital's first row to the front in input order so that the
    // table's hospitals appear in the same order as `evs`.
    for k in (1..rows.len()).rev() {
        let j = rng.below(k as u64 + 1) as usize;
        rows.swap(k, j);
    }
    for (n, ev) in evs.iter().enumerate() {
        let first = rows[n..].iter().position(|r| r.0 == ev.hospital).unwrap() + n;
        let r = rows.remove(first);
        rows.insert(n, r);
    }
    let mut cols = Columns::default();
    for (h, c, p, nums, l) in &rows {
        cols.row(h, c, p.as_deref(), *nums, l.as_deref());
    }
    cols
}

#[test]
fn long_table_sheets_score_like_evidence() {
    let rb = rb();
    let evs = hospitals(40, 2024);
    let cols = long_table(&evs, &mut Rng(99));
    let hospital = Texts(cols.hospital.clone());
    let criterion = Texts(cols.criterion.clone());
    let period = Texts(cols.period.clone());
    let level = Texts(cols.level.clone());
    let value = Numbers(cols.value.clone());
    let numerator = Numbers(cols.numerator.clone());
    let denominator = Numbers(cols.denominator.clone());
    let table = LongTable {
        period: Some(&period),
        value: Some(&value),
        numerator: Some(&numerator),
        denominator: Some(&denominator),
        level: Some(&level),
        ..LongTable::new(&hospital, &criterion)
    };
    let sheets = table.sheets(&rb);
    assert_eq!(sheets.len(), evs.len());
    let want = one_by_one(&rb, &evs);
    for n in [Some(1), Some(2)] {
        let cards = score_sheets(&rb, &sheets, &threads(n));
        let got: Vec<_> = cards
            .into_iter()
            .map(|c| c.map(|c| Report::from_scorecard(&rb, c).to_json()))
            .collect();
        for (k, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g, w, "hospital {}", evs[k].hospital);
        }
    }
}

#[test]
fn the_demo_samples_batch_like_one_by_one() {
    let rb = Rulebook::builtin("demo").unwrap();
    let evs: Vec<Evidence> = ["sample", "grade-b", "downgraded", "deferred"]
        .iter()
        .map(|s| Evidence::sample("demo", Some(s)).unwrap())
        .collect();
    let want = one_by_one(&rb, &evs);
    assert_eq!(batch(&rb, &evs, &threads(Some(2))), want);
    assert_eq!(batch(&rb, &evs, &threads(Some(1))), want);
}

#[test]
fn scoring_is_repeatable() {
    let rb = rb();
    let evs = hospitals(10, 1234);
    let a = one_by_one(&rb, &evs);
    let b = one_by_one(&rb, &evs);
    assert_eq!(a, b);
    // Evidence built in another order (BTreeMaps) is the same evidence.
    let mut copy: Vec<Evidence> = Vec::new();
    for ev in &evs {
        let mut c = Evidence::new(ev.hospital.clone());
        for (k, v) in ev.articles.iter().rev() {
            c.articles.insert(k.clone(), *v);
        }
        c.gates = ev
            .gates
            .iter()
            .rev()
            .map(|(k, v)| (k.clone(), *v))
            .collect::<BTreeMap<_, _>>();
        c.elements = ev.elements.clone();
        c.indicators = ev.indicators.clone();
        copy.push(c);
    }
    assert_eq!(one_by_one(&rb, &copy), a);
}
