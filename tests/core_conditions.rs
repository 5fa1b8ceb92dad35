//! Grade conditions: every measured value and selector, exact boundaries, `and` / `or` / `not`,
//! gate checks, undefined values, and the traces that show what was measured.

use rust_decimal::Decimal;
use sanjia::condition::Trace;
use sanjia::ratio::{Op, Quantity};
use sanjia::{score, Evidence, Report, Rulebook};

fn d(s: &str) -> Decimal {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn ratio(num: i64, den: i64) -> Option<Quantity> {
    Some(Quantity::Ratio {
        num: Decimal::from(num),
        den: Decimal::from(den),
    })
}

/// P0: gates g1 (outcome rec) and g2 (outcome warn), both "record".
/// P1: chapter C1 (医务部): a1 ★, a2 ★, a3, a4; chapter C2 (护理部): a5 ★, a6, indicator i1
/// (%, threshold >= 95, 10 points). P2: chapter C3: a7, a8. Articles A 4 / B 3 / C 2 / D 0.
const BASE: &str = r#"
[rulebook]
id = "cond"
title = "Conditions"
tiers = ["part", "chapter", "criterion"]

[rulebook.flags]
core = "Core article"

[defaults]
article_points = { A = 4, B = 3, C = 2, D = 0 }

[rounding]
places = 10

[params]
cut = 20
share_b = "70%"

[[outcome]]
id = "rec"
title = "Recorded"

[[outcome]]
id = "warn"
title = "Warned"

[[node]]
id = "P0"
title = "Gates"

[[node]]
id = "g1"
parent = "P0"
kind = "gate"
title = "Gate one"
on_fail = "rec"

[[node]]
id = "g2"
parent = "P0"
kind = "gate"
title = "Gate two"
on_fail = "warn"

[[node]]
id = "P1"
title = "Part one"

[[node]]
id = "C1"
parent = "P1"
title = "Chapter one"
department = "医务部"

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
flags = ["core"]

[[node]]
id = "a3"
parent = "C1"
kind = "article"
title = "a3"

[[node]]
id = "a4"
parent = "C1"
kind = "article"
title = "a4"

[[node]]
id = "C2"
parent = "P1"
title = "Chapter two"
department = "护理部"

[[node]]
id = "a5"
parent = "C2"
kind = "article"
title = "a5"
flags = ["core"]

[[node]]
id = "a6"
parent = "C2"
kind = "article"
title = "a6"

[[node]]
id = "i1"
parent = "C2"
kind = "indicator"
title = "i1"
unit = "%"
scale = 100
direction = "higher"
method = "threshold"
target = ">= 95"
max_points = 10

[[node]]
id = "P2"
title = "Part two"

[[node]]
id = "C3"
parent = "P2"
title = "Chapter three"

[[node]]
id = "a7"
parent = "C3"
kind = "article"
title = "a7"

[[node]]
id = "a8"
parent = "C3"
kind = "article"
title = "a8"
"#;

/// g2 fails; a1 A, a2 C, a3 B, a4 D, a5 B, a6 E, i1 = 95/100, a7 and a8 E.
/// C1 = 4 + 2 + 3 + 0 = 9 of 16; C2 = 3 + 10 = 13 of 14 (a6 E); C3 and P2 not applicable;
/// total = 22 of 30.
const EV: &str = r#"
hospital = "H"
gates = { g1 = "pass", g2 = "fail" }
articles = { a1 = "A", a2 = "C", a3 = "B", a4 = "D", a5 = "B", a6 = "E", a7 = "E", a8 = "E" }
indicators = { i1 = { numerator = 95, denominator = 100 } }
"#;

fn report_with(base: &str, conds: &[&str], ev: &str) -> Report {
    let when: Vec<String> = conds
        .iter()
        .map(|c| serde_json::to_string(c).unwrap())
        .collect();
    let text = format!(
        "{base}\n[[grade]]\nid = \"g\"\nwhen = [{}]\n",
        when.join(", ")
    );
    let rb = Rulebook::from_toml(&text).unwrap_or_else(|e| panic!("{e}"));
    let ev = Evidence::from_toml(ev).unwrap_or_else(|e| panic!("{e}"));
    score(&rb, &ev).unwrap_or_else(|e| panic!("{e}"))
}

/// The traces of `conds` for the base rulebook and evidence.
fn traces(conds: &[&str]) -> Vec<Trace> {
    report_with(BASE, conds, EV).decision().grades[0]
        .conditions
        .clone()
}

fn one(cond: &str) -> Trace {
    traces(&[cond]).remove(0)
}

/// Assert whether a condition holds and what its trace says.
fn check(cond: &str, held: bool, detail: &str) {
    let t = one(cond);
    assert_eq!(t.condition, cond);
    assert_eq!(t.held, held, "{cond}: {}", t.detail);
    assert_eq!(t.detail, detail, "{cond}");
}

#[test]
fn the_evidence_scores_as_worked_out() {
    let r = report_with(BASE, &[], EV);
    assert_eq!(r.points("C1"), Some(d("9")));
    assert_eq!(r.points("C2"), Some(d("13")));
    assert_eq!(r.points("C3"), None);
    assert_eq!((r.total(), r.max_total()), (Some(d("22")), d("30")));
    // An empty condition list always holds.
    assert_eq!(r.grade(), Some("g"));
}

#[test]
fn total_and_points_against_numbers_and_params() {
    check("total >= 22", true, "total 22 >= 22: holds");
    check("total > 22", false, "total 22 > 22: does not hold");
    check("total >= $cut", true, "total 22 >= $cut (20): holds");
    check("total < $cut", false, "total 22 < $cut (20): does not hold");
    check("points(C1) == 9", true, "points of C1 = 9 == 9: holds");
    check(
        "points(C1) != 9",
        false,
        "points of C1 = 9 != 9: does not hold",
    );
    check(
        "max_points(C2) == 14",
        true,
        "max points of C2 = 14 == 14: holds",
    );
    // A measured value may sit on either side.
    check("20 <= total", true, "20 <= total 22: holds");
    let t = one("total >= $cut");
    assert_eq!(t.left, Some(Quantity::Decimal(d("22"))));
    assert_eq!(t.op, Some(Op::Ge));
    assert_eq!(t.right, Some(Quantity::Decimal(d("20"))));
}

#[test]
fn rates_are_exact_ratios() {
    // C1: 9/16 = 56.25% exactly.
    check(
        "rate(C1) >= 56.25%",
        true,
        "rate of C1 = 9/16 (56.25%) >= 56.25%: holds",
    );
    check(
        "rate(C1) > 56.25%",
        false,
        "rate of C1 = 9/16 (56.25%) > 56.25%: does not hold",
    );
    check(
        "rate(C1) >= 0.5625",
        true,
        "rate of C1 = 9/16 (56.25%) >= 56.25%: holds",
    );
    assert_eq!(one("rate(C1) >= 56.25%").left, ratio(9, 16));
    // C2: 13/14 = 92.857...%: below 92.86%, above 92.85%.
    assert!(!one("rate(C2) >= 92.86%").held);
    assert!(one("rate(C2) >= 92.85%").held);
    // A rate against a parameter: $share_b = 70%.
    check(
        "rate(C2) >= $share_b",
        true,
        "rate of C2 = 13/14 (92.86%) >= $share_b (70%): holds",
    );
}

#[test]
fn indicator_values_from_counts() {
    // i1 = 100 × 95 / 100 = 95.
    check("value(i1) >= 95", true, "value of i1 = 95 >= 95: holds");
    assert!(!one("value(i1) > 95").held);
    // The trace keeps the indicator's value in its unit (the comparison used the exact ratio).
    assert_eq!(
        one("value(i1) >= 95").left,
        Some(Quantity::Decimal(Decimal::from(95)))
    );
    // 94/99 = 94.9494...%: shown to 4 places, compared exactly.
    let ev = EV.replace(
        "numerator = 95, denominator = 100",
        "numerator = 94, denominator = 99",
    );
    let r = report_with(BASE, &["value(i1) > 94.9494", "value(i1) < 94.9495"], &ev);
    let t = &r.decision().grades[0].conditions;
    assert!(t[0].held && t[1].held);
    assert_eq!(t[0].detail, "value of i1 = 94.9495 > 94.9494: holds");
    // A plain value is shown as given.
    let ev = EV.replace("{ numerator = 95, denominator = 100 }", "95.125");
    let r = report_with(BASE, &["value(i1) >= 95"], &ev);
    assert_eq!(
        r.decision().grades[0].conditions[0].detail,
        "value of i1 = 95.125 >= 95: holds"
    );
}

#[test]
fn shares_by_flag_and_level() {
    // Core: a1 A, a2 C, a5 B.
    check(
        "share(core articles, >= C) >= 100%",
        true,
        "3 of 3 core articles at >= C (100%) >= 100%: holds",
    );
    // 2 of 3 = 66.666...% is below 66.67% and not below 66.66%.
    check(
        "share(core articles, >= B) >= 66.67%",
        false,
        "2 of 3 core articles at >= B (66.67%) >= 66.67%: does not hold",
    );
    assert!(one("share(core articles, >= B) >= 66.66%").held);
    assert_eq!(
        one("share(core articles, >= B) >= 66.67%").left,
        ratio(2, 3)
    );
    // Not core and applicable: a3 B, a4 D (a6, a7, a8 are E): 1 of 2.
    check(
        "share(articles not core, >= B) >= 50%",
        true,
        "1 of 2 articles not core at >= B (50%) >= 50%: holds",
    );
    // All applicable articles: a1..a5; A: a1 → 1 of 5 = 20%.
    check(
        "share(articles, A) >= 20%",
        true,
        "1 of 5 articles at >= A (20%) >= 20%: holds",
    );
    // Exactly C: a2 → 1 of 5; exactly B: a3, a5 → 2 of 5.
    check(
        "share(articles, == C) == 20%",
        true,
        "1 of 5 articles at exactly C (20%) == 20%: holds",
    );
    assert!(one("share(articles, == B) == 40%").held);
    // Levels are cumulative: >= D is everything applicable.
    assert!(one("share(articles, >= D) == 100%").held);
}

#[test]
fn shares_by_place_in_the_tree() {
    // under C1: a1 A, a2 C, a3 B, a4 D → >= C 3 of 4.
    check(
        "share(articles under C1, >= C) == 75%",
        true,
        "3 of 4 articles under C1 at >= C (75%) == 75%: holds",
    );
    // under P1 (descendants, any depth): a1..a5 → >= B: a1, a3, a5 = 3 of 5.
    assert!(one("share(articles under P1, >= B) == 60%").held);
    // children of C2: a5 (3 of 4), a6 (E), i1 (10 of 10) → full: 1 of 2.
    check(
        "share(children of C2, full) == 50%",
        true,
        "1 of 2 children of C2 with full points (50%) == 50%: holds",
    );
    // Departments are inherited from the chapter: 护理部 articles: a5 (B), a6 (E) → 1 of 1.
    check(
        "share(department 护理部 articles, >= B) == 100%",
        true,
        "1 of 1 department 护理部 articles at >= B (100%) == 100%: holds",
    );
    // Tier "criterion" (depth 3): a1..a8 and i1; full: a1 and i1 of 6 applicable = 1/3.
    let t = one("share(tier criterion, full) > 33.33%");
    assert!(t.held, "{}", t.detail);
    assert_eq!(t.left, ratio(2, 6));
    assert!(!one("share(tier criterion, full) > 33.34%").held);
    // Quoted ids.
    assert!(one("share(articles under 'C1', >= C) == 75%").held);
}

#[test]
fn counts() {
    check(
        "count(core articles, >= B) == 2",
        true,
        "2 core articles at >= B == 2: holds",
    );
    // Without a level: applicable criteria only (a6, a7, a8 are E).
    check("count(articles) == 5", true, "5 articles == 5: holds");
    assert!(one("count(articles, == D) == 1").held);
    assert!(one("count(articles not core, A) == 0").held);
    // Groups with points: C1 and C2 (C3 is not applicable).
    assert!(one("count(tier chapter) == 2").held);
}

#[test]
fn min_max_mean_over_children() {
    // children of P1: C1 9/16, C2 13/14 → lowest C1.
    check(
        "min(rate, children of P1) >= 56.25%",
        true,
        "lowest rate over children of P1 = 9/16 (56.25%) (C1) >= 56.25%: holds",
    );
    assert!(!one("min(rate, children of P1) > 56.25%").held);
}

#[test]
fn min_max_mean_values() {
    let t = one("max(rate, children of P1) >= 92.85%");
    assert!(t.held);
    assert_eq!(t.left, ratio(13, 14));
    assert!(t.detail.contains("(C2)"), "{}", t.detail);
    // Points of applicable articles: max 4, min 0 (a4), mean (4 + 2 + 3 + 0 + 3) / 5 = 2.4.
    assert!(one("max(points, articles) == 4").held);
    assert!(one("min(points, articles) == 0").held);
    let t = one("mean(points, articles) == 2.4");
    assert!(t.held, "{}", t.detail);
    assert_eq!(t.detail, "mean points over articles = 2.4 == 2.4: holds");
    // Mean of core articles' points (4 + 2 + 3) / 3 = 3.
    assert!(one("mean(points, core articles) == 3").held);
    // Mean of chapter rates: (0.5625 + 0.928571...) / 2 = 0.74553...: between 74.55% and 74.56%.
    assert!(one("mean(rate, children of P1) > 74.55%").held);
    assert!(one("mean(rate, children of P1) < 74.56%").held);
}

#[test]
fn gate_checks() {
    // g2 failed with outcome warn.
    check("no gate failed", false, "a gate failed");
    check(
        "no gate failed with rec",
        true,
        "no gate failed with outcome rec",
    );
    check(
        "no gate failed with warn",
        false,
        "a gate failed with outcome warn",
    );
    check("passed(g1)", true, "gate g1 passed");
    check("passed(g2)", false, "gate g2 did not pass");
    check(
        "not passed(g2)",
        true,
        "'passed(g2)' does not hold, so its negation holds",
    );
}

#[test]
fn an_unanswered_gate_has_not_passed() {
    let base = BASE.replace(
        "tiers = [\"part\", \"chapter\", \"criterion\"]",
        "tiers = [\"part\", \"chapter\", \"criterion\"]\n\n[missing]\ngate = \"not-applicable\"",
    );
    let ev = EV.replace("gates = { g1 = \"pass\", g2 = \"fail\" }", "");
    let r = report_with(&base, &["passed(g1)", "no gate failed"], &ev);
    let t = &r.decision().grades[0].conditions;
    assert!(!t[0].held);
    assert!(t[1].held);
}

#[test]
fn and_or_not() {
    let t = one("total >= 30 or passed(g1)");
    assert!(t.held);
    assert_eq!(t.detail, "1 of 2 alternatives hold");
    assert_eq!(t.parts.len(), 2);
    assert!(!t.parts[0].held && t.parts[1].held);
    assert_eq!(t.parts[0].condition, "total >= 30");

    // and binds tighter than or.
    let t = one("total >= 30 and passed(g1) or passed(g2)");
    assert!(!t.held);
    assert_eq!(t.detail, "none of 2 alternatives holds");
    assert_eq!(t.parts[0].condition, "total >= 30 and passed(g1)");
    assert_eq!(t.parts[0].detail, "1 of 2 parts do not hold");

    let t = one("(total >= 20 and rate(C1) >= 60%) or no gate failed");
    assert!(!t.held);
    let leaves: Vec<&str> = t
        .failed_leaves()
        .iter()
        .map(|l| l.condition.as_str())
        .collect();
    assert_eq!(leaves, ["rate(C1) >= 60%", "no gate failed"]);

    let t = one("not (total >= 20 and passed(g1))");
    assert!(!t.held);
    assert_eq!(
        t.detail,
        "'total >= 20 and passed(g1)' holds, so its negation does not hold"
    );
}

#[test]
fn failed_conditions_of_a_grade() {
    let r = report_with(
        BASE,
        &["total >= 22", "rate(C1) >= 60%", "no gate failed with warn"],
        EV,
    );
    assert_eq!(r.grade(), None);
    let failed: Vec<&str> = r
        .failed_conditions("g")
        .unwrap()
        .iter()
        .map(|t| t.condition.as_str())
        .collect();
    assert_eq!(failed, ["rate(C1) >= 60%", "no gate failed with warn"]);
    assert!(r.failed_conditions("nope").is_none());
    // The report's text shows the measured values.
    let text = r.explain();
    assert!(
        text.contains("rate of C1 = 9/16 (56.25%) >= 60%: does not hold"),
        "{text}"
    );
}

#[test]
fn undefined_values_fail_with_an_explanation() {
    // C3's articles are all E.
    check(
        "share(articles under C3, >= C) >= 0%",
        false,
        "share of articles under C3 at >= C (undefined: none applicable) >= 0%: cannot be \
         decided, so it does not hold",
    );
    let t = one("share(articles under C3, >= C) >= 0%");
    assert_eq!(t.left, None);
    assert_eq!(t.right, Some(Quantity::Decimal(d("0"))));
    check(
        "rate(P2) >= 0%",
        false,
        "rate of P2 (not applicable) >= 0%: cannot be decided, so it does not hold",
    );
    check(
        "points(C3) <= 100",
        false,
        "points of C3 (not applicable) <= 100: cannot be decided, so it does not hold",
    );
    check(
        "min(points, children of C3) >= 0",
        false,
        "points over children of C3 (undefined: none applicable) >= 0: cannot be decided, so \
         it does not hold",
    );
    // Either comparison direction fails; only a negation turns it round.
    assert!(!one("share(articles under C3, >= C) < 0%").held);
    assert!(one("not share(articles under C3, >= C) >= 0%").held);
    // Count is 0, not undefined.
    assert!(one("count(articles under C3) == 0").held);
}

#[test]
fn an_undefined_total_fails() {
    let ev = r#"
hospital = "H"
gates = { g1 = "pass", g2 = "pass" }
articles = { a1 = "E", a2 = "E", a3 = "E", a4 = "E", a5 = "E", a6 = "E", a7 = "E", a8 = "E" }
"#;
    let base = BASE.replace(
        "max_points = 10\n",
        "max_points = 10\nmissing = \"not-applicable\"\n",
    );
    let r = report_with(&base, &["total >= 0"], ev);
    assert_eq!(r.total(), None);
    let t = &r.decision().grades[0].conditions[0];
    assert!(!t.held);
    assert_eq!(
        t.detail,
        "total (undefined: nothing applicable) >= 0: cannot be decided, so it does not hold"
    );
}

/// `n_core` core articles and `n_other` other articles; core `bad_core` of them at D, others at B.
fn share_report(n_core: usize, bad_core: usize, cond: &str) -> Report {
    let mut text = String::from(
        "[rulebook]\nid = \"many\"\ntitle = \"Many\"\n[rulebook.flags]\ncore = \"core\"\n\
         [defaults]\narticle_points = { A = 4, B = 3, C = 2, D = 0 }\n\
         [[node]]\nid = \"P\"\ntitle = \"P\"\n",
    );
    let mut ev = String::from("hospital = \"H\"\n[articles]\n");
    for k in 0..n_core {
        text.push_str(&format!(
            "[[node]]\nid = \"c{k}\"\nparent = \"P\"\nkind = \"article\"\ntitle = \"c\"\nflags = [\"core\"]\n"
        ));
        ev.push_str(&format!(
            "c{k} = \"{}\"\n",
            if k < bad_core { "D" } else { "C" }
        ));
    }
    for k in 0..10 {
        text.push_str(&format!(
            "[[node]]\nid = \"o{k}\"\nparent = \"P\"\nkind = \"article\"\ntitle = \"o\"\n"
        ));
        // 7 of 10 at B, 3 at C.
        ev.push_str(&format!("o{k} = \"{}\"\n", if k < 7 { "B" } else { "C" }));
    }
    text.push_str(&format!("[[grade]]\nid = \"g\"\nwhen = [{cond:?}]\n"));
    let rb = Rulebook::from_toml(&text).unwrap_or_else(|e| panic!("{e}"));
    score(&rb, &Evidence::from_toml(&ev).unwrap()).unwrap()
}

#[test]
fn share_boundaries_from_counts() {
    // 48 of 48 core articles at >= C is 100%.
    let r = share_report(48, 0, "share(core articles, >= C) >= 100%");
    assert_eq!(r.grade(), Some("g"));
    // 47 of 48 is not.
    let r = share_report(48, 1, "share(core articles, >= C) >= 100%");
    assert_eq!(r.grade(), None);
    let t = &r.decision().grades[0].conditions[0];
    assert_eq!(
        t.detail,
        "47 of 48 core articles at >= C (97.92%) >= 100%: does not hold"
    );
    // 7 of 10 other articles at >= B: >= 70% holds, > 70% does not.
    assert_eq!(
        share_report(1, 0, "share(articles not core, >= B) >= 70%").grade(),
        Some("g")
    );
    assert_eq!(
        share_report(1, 0, "share(articles not core, >= B) > 70%").grade(),
        None
    );
}
