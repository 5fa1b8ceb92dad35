//! Property tests: raising an article level or an element result never lowers the total or
//! the grade; the total stays within [0, max_total]; scoring is deterministic; deductions add
//! up to the points lost.

use proptest::prelude::*;
use rust_decimal::Decimal;
use sanjia::evidence::{ArticleLevel, ElementResult, Observation};
use sanjia::{score, Evidence, Report, Rulebook};
use std::sync::OnceLock;

/// Every aggregation and a rounding that could break monotonicity if done wrong (half-even at
/// the parts). Grade conditions are all monotone in levels.
const RB: &str = r#"
[rulebook]
id = "props"
title = "Properties"

[rulebook.flags]
core = "Core"

[rounding]
places = 1
mode = "half-even"
at = "parts"

[missing]
gate = "zero"
indicator = "zero"
article = "zero"
element = "not-applicable"

[defaults]
article_points = { A = 4, B = 3, C = 2, D = 0.5 }
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
id = "P1"
title = "Articles"
weight = 3
max_points = 100

[[node]]
id = "C1"
parent = "P1"
title = "C1"

[[node]]
id = "a0"
parent = "C1"
kind = "article"
title = "a0"
flags = ["core"]

[[node]]
id = "a1"
parent = "C1"
kind = "article"
title = "a1"
flags = ["core"]

[[node]]
id = "a2"
parent = "C1"
kind = "article"
title = "a2"
points = { A = 7, B = 5, C = 5, D = 1 }

[[node]]
id = "C2"
parent = "P1"
title = "C2"
aggregate = "mean"

[[node]]
id = "a3"
parent = "C2"
kind = "article"
title = "a3"

[[node]]
id = "a4"
parent = "C2"
kind = "article"
title = "a4"

[[node]]
id = "P2"
title = "Monitoring"
weight = 2
aggregate = "weighted"

[[node]]
id = "i1"
parent = "P2"
kind = "indicator"
title = "i1"
weight = 2
direction = "higher"
method = "bands"
bands = [{ when = ">= 90", points = 10 }, { when = ">= 80 and < 90", points = 6 }]

[[node]]
id = "a5"
parent = "P2"
kind = "article"
title = "a5"
weight = 1

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
id = "e0"
parent = "S1"
kind = "element"
title = "e0"

[[node]]
id = "e1"
parent = "S1"
kind = "element"
title = "e1"

[[node]]
id = "S2"
parent = "P3"
title = "S2"

[[node]]
id = "e2"
parent = "S2"
kind = "element"
title = "e2"

[[grade]]
id = "A"
when = [
  "total >= 800",
  "share(core articles, >= B) >= 100%",
  "min(rate, children of P1) >= 60%",
  "count(articles, A) >= 2",
]

[[grade]]
id = "B"
when = ["total >= 600 and share(articles, >= C) >= 80%", "no gate failed with down or total >= 900"]

[[grade]]
id = "C"
when = ["total >= 400 or mean(rate, children of total) >= 50%"]

[[grade]]
id = "D"
"#;

fn rb() -> &'static Rulebook {
    static RB_: OnceLock<Rulebook> = OnceLock::new();
    RB_.get_or_init(|| Rulebook::from_toml(RB).unwrap_or_else(|e| panic!("{e}")))
}

const ARTICLES: usize = 6;
const ELEMENTS: usize = 3;

/// One hospital. Article levels: 0 = D … 3 = A, 4 = E, 5 = missing. Element results: 0 = not
/// met … 2 = met, 3 = na, 4 = missing. Gates: 0 fail, 1 pass, 2 missing.
#[derive(Debug, Clone)]
struct Case {
    articles: [u8; ARTICLES],
    elements: [u8; ELEMENTS],
    gates: [u8; 2],
    i1: Option<u32>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::array::uniform6(0u8..6),
        prop::array::uniform3(0u8..5),
        prop::array::uniform2(0u8..3),
        prop::option::of(0u32..1000),
    )
        .prop_map(|(articles, elements, gates, i1)| Case {
            articles,
            elements,
            gates,
            i1,
        })
}

fn evidence(c: &Case) -> Evidence {
    let mut ev = Evidence::new("H");
    for (k, &l) in c.articles.iter().enumerate() {
        let level = match l {
            0 => ArticleLevel::D,
            1 => ArticleLevel::C,
            2 => ArticleLevel::B,
            3 => ArticleLevel::A,
            4 => ArticleLevel::E,
            _ => continue,
        };
        ev.articles.insert(format!("a{k}"), level);
    }
    for (k, &r) in c.elements.iter().enumerate() {
        let result = match r {
            0 => ElementResult::NotMet,
            1 => ElementResult::Partial,
            2 => ElementResult::Met,
            3 => ElementResult::NotApplicable,
            _ => continue,
        };
        ev.elements.insert(format!("e{k}"), result);
    }
    for (k, &g) in c.gates.iter().enumerate() {
        if g < 2 {
            ev.gates.insert(format!("g{}", k + 1), g == 1);
        }
    }
    if let Some(v) = c.i1 {
        // 0.0 … 99.9
        let obs = Observation::Value(Decimal::new(v as i64, 1));
        ev.indicators
            .entry("i1".into())
            .or_default()
            .insert("2024".into(), obs);
    }
    ev
}

fn report(c: &Case) -> Report {
    score(rb(), &evidence(c)).unwrap_or_else(|e| panic!("{e}"))
}

/// 0 for no grade, otherwise higher is better.
fn grade_rank(r: &Report) -> usize {
    let n = r.rulebook().grades().len();
    r.decision().grade.map_or(0, |g| n - g)
}

fn total_or_zero(r: &Report) -> Decimal {
    r.total().unwrap_or(Decimal::ZERO)
}

/// Raise criterion `which` of a case (articles first, then elements) to a better level, if
/// it has one: D→C→B→A (a missing article counts as D), not met→partial→met.
fn raised(c: &Case, which: usize, by: u8) -> Option<Case> {
    let mut up = c.clone();
    if which < ARTICLES {
        let l = match c.articles[which] {
            5 => 0,
            l @ 0..=3 => l,
            _ => return None, // E: not applicable, no order
        };
        if l == 3 {
            return None;
        }
        up.articles[which] = (l + 1 + by % (3 - l)).min(3);
    } else {
        let k = which - ARTICLES;
        let r = c.elements[k];
        if r >= 2 {
            return None; // met, na or missing (missing elements are not applicable here)
        }
        up.elements[k] = (r + 1 + by % (2 - r)).min(2);
    }
    Some(up)
}

/// A gate answered "pass" where it failed or was missing (missing counts as failed here), or
/// a higher value of the higher-is-better indicator.
fn improved(c: &Case, which: usize, by: u32) -> Option<Case> {
    let mut up = c.clone();
    match which {
        0 | 1 if c.gates[which] != 1 => up.gates[which] = 1,
        2 => up.i1 = Some(c.i1.unwrap_or(0) + 1 + by % 200),
        _ => return None,
    }
    Some(up)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn passing_a_gate_or_a_better_value_never_lowers_the_grade(
        c in case(),
        which in 0usize..3,
        by in 0u32..1000,
    ) {
        let Some(up) = improved(&c, which, by) else {
            return Ok(());
        };
        let before = report(&c);
        let after = report(&up);
        prop_assert!(total_or_zero(&after) >= total_or_zero(&before));
        prop_assert!(
            grade_rank(&after) >= grade_rank(&before),
            "grade {} → {} ({c:?} → {up:?})", before.status(), after.status()
        );
    }

    #[test]
    fn raising_a_level_never_lowers_the_total_or_the_grade(
        c in case(),
        which in 0..ARTICLES + ELEMENTS,
        by in 0u8..3,
    ) {
        let Some(up) = raised(&c, which, by) else {
            return Ok(());
        };
        let before = report(&c);
        let after = report(&up);
        prop_assert!(
            total_or_zero(&after) >= total_or_zero(&before),
            "total {:?} → {:?} ({c:?} → {up:?})", before.total(), after.total()
        );
        prop_assert!(
            grade_rank(&after) >= grade_rank(&before),
            "grade {} → {} ({c:?} → {up:?})", before.status(), after.status()
        );
        // Points of every group also never go down.
        for (b, a) in before.nodes().iter().zip(after.nodes()) {
            if let (Some(pb), Some(pa)) = (b.points, a.points) {
                prop_assert!(pa >= pb, "{}: {pb} → {pa}", b.id);
            }
        }
    }

    #[test]
    fn the_total_stays_within_its_maximum(c in case()) {
        let r = report(&c);
        prop_assert_eq!(r.max_total(), Decimal::from(1000));
        if let Some(t) = r.total() {
            prop_assert!(t >= Decimal::ZERO && t <= r.max_total(), "{t}");
        }
        for n in r.nodes() {
            if let Some(p) = n.points {
                prop_assert!(p >= Decimal::ZERO && p <= n.max_points, "{}: {p} of {}", n.id, n.max_points);
            }
        }
    }

    #[test]
    fn scoring_is_deterministic(c in case()) {
        let a = report(&c).to_json();
        let b = report(&c).to_json();
        prop_assert_eq!(&a, &b);
        let batch = sanjia::score_batch(
            rb(),
            &[evidence(&c), evidence(&c)],
            &sanjia::BatchOptions { n_threads: Some(2), ..Default::default() },
        );
        for r in batch {
            prop_assert_eq!(&r.unwrap().to_json(), &a);
        }
    }
}

/// The same tree without rounding (10 places: linear), for the deductions' invariant.
fn linear() -> &'static Rulebook {
    static RB_: OnceLock<Rulebook> = OnceLock::new();
    RB_.get_or_init(|| {
        let text = RB.replace(
            "places = 1\nmode = \"half-even\"\nat = \"parts\"",
            "places = 10\nat = \"total\"",
        );
        Rulebook::from_toml(&text).unwrap_or_else(|e| panic!("{e}"))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn deductions_add_up_to_the_points_lost(c in case()) {
        let r = score(linear(), &evidence(&c)).unwrap();
        let Some(total) = r.total() else {
            prop_assert!(r.deductions().is_empty());
            return Ok(());
        };
        let ded = r.deductions();
        let sum: Decimal = ded.iter().map(|x| x.lost_in_total).sum();
        let lost = r.max_total() - total;
        // Each lost_in_total is rounded to 4 places; the total to 10.
        let tolerance = Decimal::new(5, 5) * Decimal::from(ded.len() as u64 + 1);
        prop_assert!((sum - lost).abs() <= tolerance, "sum {sum} vs lost {lost} ({ded:?})");
        for x in &ded {
            prop_assert!(x.lost > Decimal::ZERO && x.lost_in_total >= Decimal::ZERO, "{x:?}");
        }
    }
}
