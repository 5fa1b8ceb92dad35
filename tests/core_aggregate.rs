//! Aggregation up the tree (sum, sum rescaled, weighted with not-applicable children, mean,
//! leaf-mean), rounding at each level and mode, and the deductions' invariant
//! sum(lost_in_total) = max_total − total.

use rust_decimal::Decimal;
use sanjia::{score, Evidence, Report, Rulebook};

fn d(s: &str) -> Decimal {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn rulebook(text: &str) -> Rulebook {
    Rulebook::from_toml(text).unwrap_or_else(|e| panic!("rulebook does not load: {e}\n{text}"))
}

fn scored(rb: &Rulebook, ev: &str) -> Report {
    let ev = Evidence::from_toml(ev).unwrap_or_else(|e| panic!("{e}"));
    score(rb, &ev).unwrap_or_else(|e| panic!("scoring failed: {e}"))
}

/// Article nodes `ids` under `parent`, with default points.
fn articles(parent: &str, ids: &[&str]) -> String {
    ids.iter()
        .map(|id| {
            format!(
                "[[node]]\nid = \"{id}\"\nparent = \"{parent}\"\nkind = \"article\"\ntitle = \"{id}\"\n\n"
            )
        })
        .collect()
}

const HEAD: &str = r#"
[rulebook]
id = "agg"
title = "Aggregation"

[defaults]
article_points = { A = 4, B = 3, C = 2, D = 0 }
element_points = { met = 10, partial = 5, not_met = 0 }

[rounding]
places = 10
"#;

const ANY_GRADE: &str = "[[grade]]\nid = \"any\"\n";

#[test]
fn sum_and_sum_rescaled() {
    let text = format!(
        "{HEAD}\n[[node]]\nid = \"P1\"\ntitle = \"Sum\"\n\n{}\
         [[node]]\nid = \"P2\"\ntitle = \"Rescaled\"\nmax_points = 100\n\n{}{ANY_GRADE}",
        articles("P1", &["a1", "a2"]),
        articles("P2", &["b1", "b2", "b3"]),
    );
    let rb = rulebook(&text);
    let r = scored(
        &rb,
        r#"hospital = "H"
articles = { a1 = "A", a2 = "C", b1 = "A", b2 = "C", b3 = "E" }"#,
    );
    // P1: 4 + 2 = 6 of 8. P2: (4 + 2) / 8 × 100 = 75 of 100 (b3 = E leaves the 8).
    assert_eq!(r.points("P1"), Some(d("6")));
    assert_eq!(r.points("P2"), Some(d("75")));
    // Total (sum): 6 + 75 = 81 of 8 + 100 = 108.
    assert_eq!((r.total(), r.max_total()), (Some(d("81")), d("108")));
    // A part whose articles are all E is not applicable and leaves the total.
    let r = scored(
        &rb,
        r#"hospital = "H"
articles = { a1 = "A", a2 = "C", b1 = "E", b2 = "E", b3 = "E" }"#,
    );
    assert_eq!(r.points("P2"), None);
    assert_eq!((r.total(), r.max_total()), (Some(d("6")), d("8")));
}

/// Weighted total (max 100): P1 weight 60, P2 weight 40, P3 weight 0, each a sum of articles.
fn weighted_text() -> String {
    format!(
        "{HEAD}\n[total]\naggregate = \"weighted\"\nmax_points = 100\n\n\
         [[node]]\nid = \"P1\"\ntitle = \"One\"\nweight = 60\n\n{}\
         [[node]]\nid = \"P2\"\ntitle = \"Two\"\nweight = 40\n\n{}\
         [[node]]\nid = \"P3\"\ntitle = \"Zero weight\"\nweight = 0\n\n{}{ANY_GRADE}",
        articles("P1", &["a1", "a2"]),
        articles("P2", &["b1"]),
        articles("P3", &["c1"]),
    )
}

fn weighted() -> Rulebook {
    rulebook(&weighted_text())
}

#[test]
fn weighted_renormalises_over_applicable_children() {
    let rb = weighted();
    // P1 = 6/8 = 0.75, P2 = 0/4 = 0: 100 × (60 × 0.75 + 40 × 0) / 100 = 45.
    let r = scored(
        &rb,
        r#"hospital = "H"
articles = { a1 = "A", a2 = "C", b1 = "D", c1 = "D" }"#,
    );
    assert_eq!((r.total(), r.max_total()), (Some(d("45")), d("100")));
    // A zero weight does not move the total: c1 = A gives the same 45.
    let r2 = scored(
        &rb,
        r#"hospital = "H"
articles = { a1 = "A", a2 = "C", b1 = "D", c1 = "A" }"#,
    );
    assert_eq!(r2.total(), Some(d("45")));
    // P2 not applicable (b1 = E): 100 × (60 × 0.75) / 60 = 75.
    let r = scored(
        &rb,
        r#"hospital = "H"
articles = { a1 = "A", a2 = "C", b1 = "E", c1 = "D" }"#,
    );
    assert_eq!(r.points("P2"), None);
    assert_eq!((r.total(), r.max_total()), (Some(d("75")), d("100")));
    // Nothing applicable: the total is undefined.
    let r = scored(
        &rb,
        r#"hospital = "H"
articles = { a1 = "E", a2 = "E", b1 = "E", c1 = "E" }"#,
    );
    assert_eq!(r.total(), None);
}

#[test]
fn weighted_without_max_points_is_out_of_the_sum_of_weights() {
    let text = weighted_text()
        .replace("max_points = 100\n", "")
        .replace("weight = 60", "weight = 3")
        .replace("weight = 40", "weight = 1");
    let rb = rulebook(&text);
    assert!(rb.source().total.as_ref().unwrap().max_points.is_none());
    // (3 × 0.75 + 1 × 0.5) / 4 × 4 = 2.75 of 3 + 1 + 0 = 4.
    let r = scored(
        &rb,
        r#"hospital = "H"
articles = { a1 = "A", a2 = "C", b1 = "C", c1 = "D" }"#,
    );
    assert_eq!((r.total(), r.max_total()), (Some(d("2.75")), d("4")));
}

#[test]
fn mean_and_leaf_mean() {
    let text = format!(
        "{HEAD}\n\
         [[node]]\nid = \"M\"\ntitle = \"Mean of chapters\"\naggregate = \"mean\"\n\n\
         [[node]]\nid = \"M1\"\nparent = \"M\"\ntitle = \"Chapter 1\"\n\n{}\
         [[node]]\nid = \"M2\"\nparent = \"M\"\ntitle = \"Chapter 2\"\n\n{}\
         [[node]]\nid = \"L\"\ntitle = \"Leaf mean\"\naggregate = \"leaf-mean\"\nmax_points = 8\n\n\
         [[node]]\nid = \"L1\"\nparent = \"L\"\ntitle = \"Standard 1\"\n\n\
         [[node]]\nid = \"e1\"\nparent = \"L1\"\nkind = \"element\"\ntitle = \"e1\"\n\n\
         [[node]]\nid = \"L2\"\nparent = \"L\"\ntitle = \"Standard 2\"\n\n\
         [[node]]\nid = \"e2\"\nparent = \"L2\"\nkind = \"element\"\ntitle = \"e2\"\n\n\
         [[node]]\nid = \"e3\"\nparent = \"L2\"\nkind = \"element\"\ntitle = \"e3\"\n\n\
         [[node]]\nid = \"e4\"\nparent = \"L2\"\nkind = \"element\"\ntitle = \"e4\"\n\n\
         {ANY_GRADE}",
        articles("M1", &["a1"]),
        articles("M2", &["b1", "b2"]),
    );
    let rb = rulebook(&text);
    let r = scored(
        &rb,
        r#"hospital = "H"
articles = { a1 = "B", b1 = "A", b2 = "A" }
elements = { e1 = "met", e2 = "partial", e3 = "not_met", e4 = "na" }"#,
    );
    // M: mean of M1 (3 of 4) and M2 (8 of 8) = 5.5 of 6.
    assert_eq!(r.points("M"), Some(d("5.5")));
    assert_eq!(
        r.scorecard().max[rb.node_index("M").unwrap() as usize],
        d("6")
    );
    // L: mean over the three applicable elements (10 + 5 + 0) / 3 = 5 of 10, rescaled to 8: 4.
    // (A mean of the standards' means would be (10 + 2.5) / 2 = 6.25 → 5.)
    assert_eq!(r.points("L1"), Some(d("10")));
    assert_eq!(r.points("L2"), Some(d("5")));
    assert_eq!(r.points("L"), Some(d("4")));
    // Total: 5.5 + 4 = 9.5 of 6 + 8 = 14.
    assert_eq!((r.total(), r.max_total()), (Some(d("9.5")), d("14")));
}

// --------------------------------------------------------------------------------- rounding

/// total → P1 → S1 → a1, S2 → a2; P2 → a3. Each article has its own points at A.
/// Rounding to 2 places with `mode` at `at`.
fn rounding_text(mode: &str, at: &str, a1: &str, a2: &str, a3: &str) -> String {
    let art = |id: &str, parent: &str, pts: &str| {
        format!(
            "[[node]]\nid = \"{id}\"\nparent = \"{parent}\"\nkind = \"article\"\ntitle = \"{id}\"\n\
             points = {{ A = {pts}, B = 0, C = 0, D = 0 }}\n\n"
        )
    };
    format!(
        "[rulebook]\nid = \"round\"\ntitle = \"Rounding\"\n\n\
         [rounding]\nplaces = 2\nmode = \"{mode}\"\nat = \"{at}\"\n\n\
         [[node]]\nid = \"P1\"\ntitle = \"Part 1\"\n\n\
         [[node]]\nid = \"S1\"\nparent = \"P1\"\ntitle = \"Section 1\"\n\n{}\
         [[node]]\nid = \"S2\"\nparent = \"P1\"\ntitle = \"Section 2\"\n\n{}\
         [[node]]\nid = \"P2\"\ntitle = \"Part 2\"\n\n{}{ANY_GRADE}",
        art("a1", "S1", a1),
        art("a2", "S2", a2),
        art("a3", "P2", a3),
    )
}

fn rounding_rulebook(mode: &str, at: &str, a1: &str, a2: &str, a3: &str) -> Rulebook {
    rulebook(&rounding_text(mode, at, a1, a2, a3))
}

fn round_total(mode: &str, at: &str, pts: [&str; 3]) -> Report {
    let rb = rounding_rulebook(mode, at, pts[0], pts[1], pts[2]);
    scored(
        &rb,
        "hospital = \"H\"\narticles = { a1 = \"A\", a2 = \"A\", a3 = \"A\" }",
    )
}

#[test]
fn rounding_the_total_half_up_half_even_down() {
    // 12.345 + 0 + 0 = 12.345: half-up 12.35, half-even 12.34, down 12.34.
    let pts = ["12.345", "0", "0"];
    for (mode, want) in [
        ("half-up", "12.35"),
        ("half-even", "12.34"),
        ("down", "12.34"),
    ] {
        let r = round_total(mode, "total", pts);
        assert_eq!(r.total(), Some(d(want)), "{mode}");
        // Only the total is rounded.
        assert_eq!(r.points("P1"), Some(d("12.345")));
        assert_eq!(r.points("S1"), Some(d("12.345")));
    }
    // 12.355: half-up 12.36, half-even 12.36 (5 is odd), down 12.35.
    let pts = ["12.355", "0", "0"];
    for (mode, want) in [
        ("half-up", "12.36"),
        ("half-even", "12.36"),
        ("down", "12.35"),
    ] {
        assert_eq!(
            round_total(mode, "total", pts).total(),
            Some(d(want)),
            "{mode}"
        );
    }
    // Not a midpoint: 12.346 → 12.35 half-up and half-even, 12.34 down.
    let pts = ["12.346", "0", "0"];
    for (mode, want) in [
        ("half-up", "12.35"),
        ("half-even", "12.35"),
        ("down", "12.34"),
    ] {
        assert_eq!(
            round_total(mode, "total", pts).total(),
            Some(d(want)),
            "{mode}"
        );
    }
}

#[test]
fn rounding_at_parts_rounds_each_part_then_the_total() {
    // P1 = 1.005 (a1 only, a2 = 0), P2 = 1.015.
    let pts = ["1.005", "0", "1.015"];
    // At total: 2.02 whatever the mode.
    for mode in ["half-up", "half-even", "down"] {
        assert_eq!(
            round_total(mode, "total", pts).total(),
            Some(d("2.02")),
            "{mode}"
        );
    }
    // At parts: half-up 1.01 + 1.02 = 2.03; half-even 1.00 + 1.02 = 2.02; down 1.00 + 1.01 = 2.01.
    for (mode, want, p1) in [
        ("half-up", "2.03", "1.01"),
        ("half-even", "2.02", "1.00"),
        ("down", "2.01", "1.00"),
    ] {
        let r = round_total(mode, "parts", pts);
        assert_eq!(r.total(), Some(d(want)), "{mode}");
        assert_eq!(r.points("P1"), Some(d(p1)), "{mode}");
        // Sections are not rounded at "parts".
        assert_eq!(r.points("S1"), Some(d("1.005")), "{mode}");
    }
}

#[test]
fn rounding_at_nodes_rounds_sections_too() {
    // S1 = 1.005, S2 = 1.015, P1 = S1 + S2, P2 = 0.
    let pts = ["1.005", "1.015", "0"];
    // At parts: P1 = 2.02 whatever the mode.
    for mode in ["half-up", "half-even", "down"] {
        assert_eq!(
            round_total(mode, "parts", pts).total(),
            Some(d("2.02")),
            "{mode}"
        );
    }
    // At nodes: half-up 1.01 + 1.02 = 2.03; half-even 1.00 + 1.02 = 2.02; down 1.00 + 1.01.
    for (mode, want) in [("half-up", "2.03"), ("half-even", "2.02"), ("down", "2.01")] {
        let r = round_total(mode, "nodes", pts);
        assert_eq!(r.total(), Some(d(want)), "{mode}");
        // Criteria are not rounded at "nodes".
        assert_eq!(r.points("a1"), Some(d("1.005")), "{mode}");
    }
}

#[test]
fn rounding_at_criteria_rounds_every_criterion() {
    // Two articles in one section: S1 = {a1 = 1.005, a1b = 1.015}.
    let text = rounding_text("MODE", "AT", "1.005", "0", "0").replace(
        "[[node]]\nid = \"S2\"",
        "[[node]]\nid = \"a1b\"\ntitle = \"a1b\"\nparent = \"S1\"\nkind = \"article\"\n\
             points = { A = 1.015, B = 0, C = 0, D = 0 }\n\n[[node]]\nid = \"S2\"",
    );
    let ev = "hospital = \"H\"\narticles = { a1 = \"A\", a1b = \"A\", a2 = \"A\", a3 = \"A\" }";
    let rb_for = |mode: &str, at: &str| {
        rulebook(
            &text
                .replace("\"MODE\"", &format!("\"{mode}\""))
                .replace("\"AT\"", &format!("\"{at}\"")),
        )
    };
    // At nodes: S1 = 2.02 whatever the mode.
    for mode in ["half-up", "half-even", "down"] {
        assert_eq!(
            scored(&rb_for(mode, "nodes"), ev).total(),
            Some(d("2.02")),
            "{mode}"
        );
    }
    // At criteria: half-up 1.01 + 1.02; half-even 1.00 + 1.02; down 1.00 + 1.01.
    for (mode, want, a1) in [
        ("half-up", "2.03", "1.01"),
        ("half-even", "2.02", "1.00"),
        ("down", "2.01", "1.00"),
    ] {
        let r = scored(&rb_for(mode, "criteria"), ev);
        assert_eq!(r.total(), Some(d(want)), "{mode}");
        assert_eq!(r.points("a1"), Some(d(a1)), "{mode}");
    }
}

#[test]
fn default_rounding_is_two_places_half_up_at_the_total() {
    let text = rounding_text("half-up", "total", "1.125", "0", "0").replace(
        "[rounding]\nplaces = 2\nmode = \"half-up\"\nat = \"total\"\n",
        "",
    );
    let rb = rulebook(&text);
    assert!(rb.source().rounding.is_none(), "{text}");
    let r = scored(
        &rb,
        "hospital = \"H\"\narticles = { a1 = \"A\", a2 = \"A\", a3 = \"A\" }",
    );
    assert_eq!(r.total(), Some(d("1.13")));
    assert_eq!(r.points("P1"), Some(d("1.125")));
    // Only a mode: still 2 places at the total.
    let text = rounding_text("half-up", "total", "1.125", "0", "0").replace(
        "[rounding]\nplaces = 2\nmode = \"half-up\"\nat = \"total\"\n",
        "[rounding]\nmode = \"down\"\n",
    );
    let r = scored(
        &rulebook(&text),
        "hospital = \"H\"\narticles = { a1 = \"A\", a2 = \"A\", a3 = \"A\" }",
    );
    assert_eq!(r.total(), Some(d("1.12")));
}

// ------------------------------------------------------------------ deductions' invariant

/// A linear rulebook over every aggregation: a weighted total (1000 points) of
/// P0 gates (no weight, no points), P1 (weight 3, sum rescaled to 100: four articles),
/// P2 (weight 1, mean of two chapters with an indicator each) and P3 (weight 1, leaf-mean of
/// four elements rescaled to 10).
pub const LINEAR: &str = r#"
[rulebook]
id = "linear"
title = "Linear"

[rounding]
places = 10

[defaults]
article_points = { A = 4, B = 3, C = 2, D = 0 }
element_points = { met = 10, partial = 5, not_met = 0 }

[total]
aggregate = "weighted"
max_points = 1000

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
title = "Gate"
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

[[node]]
id = "a2"
parent = "P1"
kind = "article"
title = "a2"

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
id = "P2"
title = "Monitoring"
weight = 1
aggregate = "mean"

[[node]]
id = "G1"
parent = "P2"
title = "Chapter 1"

[[node]]
id = "i1"
parent = "G1"
kind = "indicator"
title = "Threshold"
direction = "higher"
method = "threshold"
target = ">= 90"
max_points = 10

[[node]]
id = "G2"
parent = "P2"
title = "Chapter 2"

[[node]]
id = "i2"
parent = "G2"
kind = "indicator"
title = "Bands"
direction = "higher"
method = "bands"
bands = [{ when = ">= 90", points = 10 }, { when = ">= 80", points = 5 }]

[[node]]
id = "P3"
title = "Elements"
weight = 1
aggregate = "leaf-mean"
max_points = 10

[[node]]
id = "S1"
parent = "P3"
title = "Standard 1"

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
title = "Standard 2"

[[node]]
id = "e3"
parent = "S2"
kind = "element"
title = "e3"

[[node]]
id = "e4"
parent = "S2"
kind = "element"
title = "e4"

[[grade]]
id = "any"
"#;

fn lost(r: &Report) -> Vec<(String, Decimal)> {
    let mut v: Vec<_> = r
        .deductions()
        .into_iter()
        .map(|x| (x.id, x.lost_in_total))
        .collect();
    v.sort();
    v
}

#[test]
fn deductions_add_up_to_the_points_lost_in_the_total() {
    let rb = rulebook(LINEAR);
    let r = scored(
        &rb,
        r#"hospital = "H"
gates = { g1 = "fail" }
articles = { a1 = "A", a2 = "B", a3 = "C", a4 = "E" }
indicators = { i1 = 95, i2 = 85 }
elements = { e1 = "met", e2 = "partial", e3 = "not_met", e4 = "met" }"#,
    );
    // P1 = (4 + 3 + 2) / 12 × 100 = 75 (rate 0.75); P2 = mean(10, 5) = 7.5 of 10 (0.75);
    // P3 = (10 + 5 + 0 + 10) / 4 = 6.25 of 10 (0.625).
    // Total = 1000 × (3 × 0.75 + 1 × 0.75 + 1 × 0.625) / 5 = 725.
    assert_eq!(r.points("P1"), Some(d("75")));
    assert_eq!(r.points("P2"), Some(d("7.5")));
    assert_eq!(r.points("P3"), Some(d("6.25")));
    assert_eq!((r.total(), r.max_total()), (Some(d("725")), d("1000")));
    // Impact per point: P1 1000 × 3 / (5 × 100) × 100 / 12 = 50; P2 1000 / (5 × 10) / 2 = 10;
    // P3 1000 / (5 × 10) × (10 / 10) / 4 = 5.
    // a2 loses 1 × 50, a3 2 × 50, i2 5 × 10, e2 5 × 5, e3 10 × 5.
    assert_eq!(
        lost(&r),
        [
            ("a2".to_string(), d("50")),
            ("a3".to_string(), d("100")),
            ("e2".to_string(), d("25")),
            ("e3".to_string(), d("50")),
            ("i2".to_string(), d("50")),
        ]
    );
    let sum: Decimal = r.deductions().iter().map(|x| x.lost_in_total).sum();
    assert_eq!(sum, r.max_total() - r.total().unwrap());
    // The total's row says the same.
    let total_row = r.nodes().into_iter().next().unwrap();
    assert_eq!(total_row.lost_in_total, d("275"));
    // Largest loss first.
    assert_eq!(r.deductions()[0].id, "a3");
}

#[test]
fn deductions_add_up_after_not_applicable_renormalisation() {
    let rb = rulebook(LINEAR);
    let r = scored(
        &rb,
        r#"hospital = "H"
gates = { g1 = "pass" }
articles = { a1 = "A", a2 = "B", a3 = "C", a4 = "E" }
indicators = { i1 = 95, i2 = 85 }
elements = { e1 = "na", e2 = "na", e3 = "na", e4 = "na" }"#,
    );
    // P3 not applicable: 1000 × (3 × 0.75 + 1 × 0.75) / 4 = 750.
    assert_eq!(r.points("P3"), None);
    assert_eq!(r.total(), Some(d("750")));
    // Impacts: P1 1000 × 3 / (4 × 100) × 100 / 12 = 62.5 per point; P2 1000 / (4 × 10) / 2 = 12.5.
    assert_eq!(
        lost(&r),
        [
            ("a2".to_string(), d("62.5")),
            ("a3".to_string(), d("125")),
            ("i2".to_string(), d("62.5")),
        ]
    );
    let sum: Decimal = r.deductions().iter().map(|x| x.lost_in_total).sum();
    assert_eq!(sum, d("250"));
}

#[test]
fn deductions_add_up_for_a_plain_sum() {
    let text = format!(
        "{HEAD}\n[[node]]\nid = \"P1\"\ntitle = \"Sum\"\n\n{}{ANY_GRADE}",
        articles("P1", &["a1", "a2", "a3"]),
    );
    let rb = rulebook(&text);
    let r = scored(
        &rb,
        "hospital = \"H\"\narticles = { a1 = \"B\", a2 = \"D\", a3 = \"A\" }",
    );
    // 3 + 0 + 4 = 7 of 12; a2 loses 4, a1 loses 1 (impact 1).
    assert_eq!(r.total(), Some(d("7")));
    let ded = r.deductions();
    assert_eq!(ded.len(), 2);
    assert_eq!((ded[0].id.as_str(), ded[0].lost_in_total), ("a2", d("4")));
    assert_eq!((ded[1].id.as_str(), ded[1].lost_in_total), ("a1", d("1")));
    assert_eq!(
        ded[0].reason,
        "level D: 0 of 4 points (level C would earn 2)"
    );
}
