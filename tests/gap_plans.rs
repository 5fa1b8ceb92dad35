//! Gap analysis on hand-built cases whose optimal plan is known: shares and counts, a points
//! knapsack, costs by department, exact indicator values (higher, lower, strict, two-sided
//! bands, trends), gates (clearable or not, withholding or lowering), impossible conditions,
//! a report without its evidence, and the demo hospital.

use sanjia::evidence::{ArticleLevel, Observation};
use sanjia::gap::{Change, CostModel, GapOptions, GapStatus};
use sanjia::rulebook::load::Format;
use sanjia::{score, Evidence, Report, Rulebook};
use std::collections::BTreeMap;

fn rb(text: &str) -> Rulebook {
    Rulebook::from_toml(text).unwrap_or_else(|e| panic!("{e}"))
}

fn report(rb: &Rulebook, ev: &str) -> Report {
    let ev = Evidence::from_toml(ev).unwrap_or_else(|e| panic!("{e}"));
    score(rb, &ev).unwrap_or_else(|e| panic!("{e}"))
}

/// The plan's changes as `id → value text`.
fn plan_map(gap: &sanjia::gap::Gap) -> BTreeMap<String, String> {
    gap.changes()
        .iter()
        .map(|c| (c.id().to_string(), c.value_text()))
        .collect()
}

/// Re-score the evidence with the plan's changes, independently of the gap analysis.
fn rescored(rb: &Rulebook, ev: &str, gap: &sanjia::gap::Gap) -> Report {
    let ev = Evidence::from_toml(ev).unwrap();
    score(rb, &ev.with_changes(&gap.changes())).unwrap()
}

const SHARES: &str = r#"
[rulebook]
id = "shares"
title = "Shares"
[defaults]
article_points = { A = 4, B = 3, C = 2, D = 0 }
[[node]]
id = "P"
title = "P"
[[node]]
id = "a1"
parent = "P"
kind = "article"
title = "a1"
department = "医务部"
[[node]]
id = "a2"
parent = "P"
kind = "article"
title = "a2"
department = "护理部"
[[node]]
id = "a3"
parent = "P"
kind = "article"
title = "a3"
department = "医务部"
[[node]]
id = "a4"
parent = "P"
kind = "article"
title = "a4"
[[node]]
id = "a5"
parent = "P"
kind = "article"
title = "a5"
[[grade]]
id = "A"
when = ["share(articles, >= B) >= 80%"]
[[grade]]
id = "B"
"#;

const SHARES_EV: &str = r#"
hospital = "S"
[articles]
a1 = "A"
a2 = "C"
a3 = "C"
a4 = "D"
a5 = "B"
"#;

#[test]
fn a_share_needs_the_cheapest_criteria_one_level_up() {
    let rb = rb(SHARES);
    let r = report(&rb, SHARES_EV);
    let gap = r.gap_to("A").unwrap();
    assert_eq!(gap.status, GapStatus::Planned);
    let c = &gap.conditions[0];
    assert_eq!(c.now, "2 of 5 articles at >= B (40%)");
    assert_eq!(c.need, "4 of 5 (>= 80%)");
    assert_eq!(c.short.as_deref(), Some("2 more"));
    let plan = gap.plan.as_ref().unwrap();
    assert!(plan.proven_minimal);
    assert_eq!(plan.changes, 2);
    assert_eq!(plan.levels, 2, "C → B twice beats D → B");
    let m = plan_map(&gap);
    assert_eq!(m.get("a2").map(String::as_str), Some("B"));
    assert_eq!(m.get("a3").map(String::as_str), Some("B"));
    assert_eq!(rescored(&rb, SHARES_EV, &gap).grade(), Some("A"));
    // Grouped by department: 护理部 (a2) and 医务部 (a3).
    let deps: Vec<String> = gap
        .by_department()
        .into_iter()
        .map(|d| d.department)
        .collect();
    assert_eq!(deps.len(), 2);
    assert!(deps.contains(&"医务部".to_string()) && deps.contains(&"护理部".to_string()));
    for s in &plan.steps {
        assert!(s.reason.contains("→"), "{}", s.reason);
        assert!(
            s.helps.iter().any(|h| h.contains("share(articles, >= B)")),
            "{:?}",
            s.helps
        );
    }
}

const KNAPSACK: &str = r#"
[rulebook]
id = "knap"
title = "Knapsack"
[[node]]
id = "P"
title = "P"
[[node]]
id = "k1"
parent = "P"
kind = "article"
title = "k1"
department = "X"
points = { A = 9, B = 7, C = 4, D = 0 }
[[node]]
id = "k2"
parent = "P"
kind = "article"
title = "k2"
department = "Y"
points = { A = 6, B = 5, C = 2, D = 0 }
[[node]]
id = "k3"
parent = "P"
kind = "article"
title = "k3"
department = "Z"
points = { A = 5, B = 4, C = 2, D = 0 }
[[grade]]
id = "A"
when = ["total >= 12"]
[[grade]]
id = "B"
when = ["total >= 11"]
[[grade]]
id = "C"
"#;

const KNAP_EV: &str = r#"
hospital = "K"
[articles]
k1 = "D"
k2 = "D"
k3 = "D"
"#;

#[test]
fn points_knapsack_is_solved_exactly() {
    let rb = rb(KNAPSACK);
    let r = report(&rb, KNAP_EV);
    // total >= 12: two changes at least (the best single change gives 9); the only pair with
    // 4 levels raised is k1 → B (7) and k2 → B (5).
    let gap = r.gap_to("A").unwrap();
    let plan = gap.plan.as_ref().unwrap();
    assert!(plan.proven_minimal);
    assert_eq!((plan.changes, plan.levels), (2, 4));
    let m = plan_map(&gap);
    assert_eq!(m.get("k1").map(String::as_str), Some("B"));
    assert_eq!(m.get("k2").map(String::as_str), Some("B"));
    assert_eq!(gap.conditions[0].short.as_deref(), Some("12 points short"));
    assert_eq!(plan.after.total.unwrap().normalize().to_string(), "12");
}

#[test]
fn costs_by_department_change_the_plan() {
    let rb = rb(KNAPSACK);
    let r = report(&rb, KNAP_EV);
    // total >= 11 with unit costs: two changes, one of them k1.
    let unit = r.gap_to("B").unwrap();
    let p = unit.plan.as_ref().unwrap();
    assert_eq!(p.changes, 2);
    assert!(plan_map(&unit).contains_key("k1"));
    // Department X is expensive: k2 → A and k3 → A (6 + 5) cost 2, anything with k1 at least 6.
    let costs = CostModel::parse("[department]\nX = 5\n", Format::Toml).unwrap();
    let opts = GapOptions {
        costs,
        ..GapOptions::default()
    };
    let gap = r.gap_to_with("B", &opts).unwrap();
    let plan = gap.plan.as_ref().unwrap();
    assert!(plan.proven_minimal);
    assert_eq!(plan.cost.normalize().to_string(), "2");
    let m = plan_map(&gap);
    assert_eq!(m.len(), 2);
    assert_eq!(m.get("k2").map(String::as_str), Some("A"));
    assert_eq!(m.get("k3").map(String::as_str), Some("A"));
    // A fixed criterion is never touched, and a per-level surcharge prefers small steps.
    let costs = CostModel::parse("fixed = [\"k2\"]\nper_extra_level = 10\n", Format::Toml).unwrap();
    let gap = r
        .gap_to_with(
            "B",
            &GapOptions {
                costs,
                ..GapOptions::default()
            },
        )
        .unwrap();
    let m = plan_map(&gap);
    assert!(!m.contains_key("k2"), "{m:?}");
    assert!(
        gap.fixed.iter().any(|f| f.contains("k2")),
        "{:?}",
        gap.fixed
    );
    // k1 → B (7, +10) and k3 → B (4, +10): cost 22; k1 → A and k3 → C cost 20 + 0 = 21
    // (9 + 2 = 11).
    let plan = gap.plan.as_ref().unwrap();
    assert_eq!(plan.cost.normalize().to_string(), "22");
    assert_eq!(rescored(&rb, KNAP_EV, &gap).grade(), Some("B"));
}

#[test]
fn bad_costs_and_unknown_grades_are_errors() {
    let rb = rb(KNAPSACK);
    let r = report(&rb, KNAP_EV);
    let e = r.gap_to("Z").unwrap_err().to_string();
    assert!(e.contains("unknown grade") && e.contains("A, B, C"), "{e}");
    for (text, want) in [
        ("default = -1", "negative"),
        ("default = 2000000000", "at most"),
        ("[criterion]\nnope = 2", "not a criterion"),
        ("[kind]\nwidget = 2", "unknown kind"),
        ("[department]\nQ = 2", "no criterion"),
        ("fixed = [\"zz\"]", "neither"),
    ] {
        let costs = CostModel::parse(text, Format::Toml).unwrap();
        let e = r
            .gap_to_with(
                "A",
                &GapOptions {
                    costs,
                    ..GapOptions::default()
                },
            )
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "{text}: {e}");
    }
    let e = CostModel::parse("bogus = 1", Format::Toml)
        .unwrap_err()
        .to_string();
    assert!(e.contains("bogus"), "{e}");
}

const INDICATORS: &str = r#"
[rulebook]
id = "ind"
title = "Indicators"
[[node]]
id = "P"
title = "P"
[[node]]
id = "pass_rate"
parent = "P"
kind = "indicator"
title = "pass rate"
unit = "%"
scale = 100
direction = "higher"
method = "threshold"
target = ">= 95"
max_points = 5
department = "科教科"
[[node]]
id = "mortality"
parent = "P"
kind = "indicator"
title = "mortality"
unit = "%"
scale = 100
direction = "lower"
method = "threshold"
target = "<= 0.05"
max_points = 5
[[node]]
id = "ratio"
parent = "P"
kind = "indicator"
title = "nurses per bed"
direction = "higher"
method = "threshold"
target = "> 3"
max_points = 5
[[node]]
id = "occupancy"
parent = "P"
kind = "indicator"
title = "bed occupancy"
unit = "%"
proportion = false
direction = "range"
method = "bands"
bands = [
  { when = ">= 85 and <= 95", points = 10 },
  { when = "> 95 and <= 105", points = 6 },
]
[[node]]
id = "cmi"
parent = "P"
kind = "indicator"
title = "CMI"
direction = "higher"
method = "trend"
trend = { periods = 3, tolerance = "0.02", improving = 10, stable = 7, worsening = 3 }
[[grade]]
id = "A"
when = ["share(indicators, full) >= 100%"]
[[grade]]
id = "B"
"#;

const IND_EV: &str = r#"
hospital = "I"
[indicators]
pass_rate = { "2024" = { numerator = 1850, denominator = 2000 } }
mortality = { "2024" = { numerator = 6, denominator = 9400 } }
ratio = { "2024" = 2.5 }
occupancy = { "2024" = 110 }
cmi = { "2022" = 0.95, "2023" = 0.96, "2024" = 0.96 }
"#;

#[test]
fn indicator_values_are_computed_exactly_from_the_rules() {
    let rb = rb(INDICATORS);
    let r = report(&rb, IND_EV);
    let gap = r.gap_to("A").unwrap();
    let plan = gap.plan.as_ref().unwrap();
    assert!(plan.proven_minimal);
    assert_eq!(plan.changes, 5);
    let by_id: BTreeMap<&str, &Change> = plan
        .steps
        .iter()
        .map(|s| (s.id.as_str(), &s.change))
        .collect();
    let obs = |id: &str| match by_id[id] {
        Change::Indicator { value, period, .. } => {
            assert_eq!(period.as_deref(), Some("2024"), "{id}");
            *value
        }
        other => panic!("{other:?}"),
    };
    let ratio = |n: i64, d: i64| Observation::Ratio {
        numerator: n.into(),
        denominator: d.into(),
    };
    let value = |s: &str| Observation::Value(s.parse().unwrap());
    // 1900 of 2000 is the least that reaches 95%, keeping the denominator.
    assert_eq!(obs("pass_rate"), ratio(1900, 2000));
    // 4 of 9400 (0.0426%) is the most deaths that stay at or below 0.05% (4.7 → 4).
    assert_eq!(obs("mortality"), ratio(4, 9400));
    // Strictly above 3: the next value at two places.
    assert_eq!(obs("ratio"), value("3.01"));
    // Two-sided: down from 110 to the top of the best band.
    assert_eq!(obs("occupancy"), value("95"));
    // Improving means more than 0.02 above 0.95: 0.98 at the data's two places.
    assert_eq!(obs("cmi"), value("0.98"));
    let pr = plan.steps.iter().find(|s| s.id == "pass_rate").unwrap();
    assert_eq!(pr.from, "92.5% (1850/2000)");
    assert_eq!(pr.to, "95% (1900/2000)");
    assert_eq!(pr.department.as_deref(), Some("科教科"));
    assert_eq!(rescored(&rb, IND_EV, &gap).grade(), Some("A"));
}

const GATES: &str = r#"
[rulebook]
id = "gates"
title = "Gates"
[defaults]
article_points = { A = 4, B = 3, C = 2, D = 0 }
[missing]
gate = "zero"
[[outcome]]
id = "defer"
title = "Deferred"
effect = "no-grade"
[[outcome]]
id = "down"
title = "One grade lower"
effect = "downgrade"
steps = 1
clearable = false
[[outcome]]
id = "note"
title = "Recorded"
effect = "record"
[[node]]
id = "G"
title = "Gates"
[[node]]
id = "g_defer"
parent = "G"
kind = "gate"
title = "lawful practice"
on_fail = "defer"
[[node]]
id = "g_fact"
parent = "G"
kind = "gate"
title = "no falsified data"
on_fail = "defer"
clearable = false
[[node]]
id = "g_down"
parent = "G"
kind = "gate"
title = "no major incident"
on_fail = "down"
[[node]]
id = "g_note"
parent = "G"
kind = "gate"
title = "no data incident"
on_fail = "note"
[[node]]
id = "P"
title = "P"
[[node]]
id = "a1"
parent = "P"
kind = "article"
title = "a1"
[[node]]
id = "a2"
parent = "P"
kind = "article"
title = "a2"
[[grade]]
id = "A"
when = ["total >= 8", "no gate failed with note"]
[[grade]]
id = "B"
when = ["total >= 4"]
[[grade]]
id = "C"
"#;

fn gates_ev(defer: &str, fact: &str, down: &str, note: &str, a1: &str, a2: &str) -> String {
    format!(
        "hospital = \"G\"\n[gates]\ng_defer = \"{defer}\"\ng_fact = \"{fact}\"\ng_down = \"{down}\"\n\
         g_note = \"{note}\"\n[articles]\na1 = \"{a1}\"\na2 = \"{a2}\"\n"
    )
}

#[test]
fn a_clearable_gate_is_cleared_and_the_others_say_why_not() {
    let rb = rb(GATES);
    // A clearable withholding gate: clear it.
    let ev = gates_ev("fail", "pass", "pass", "pass", "A", "A");
    let gap = report(&rb, &ev).gap_to("A").unwrap();
    assert_eq!(
        plan_map(&gap).get("g_defer").map(String::as_str),
        Some("pass")
    );
    assert!(gap
        .gates
        .iter()
        .any(|g| g.id == "g_defer" && g.blocks && g.clearable));
    assert!(gap.plan.as_ref().unwrap().steps[0]
        .reason
        .contains("withhold the grade"));
    // A gate marked clearable = false that withholds every grade: nothing is reachable.
    let ev = gates_ev("pass", "fail", "pass", "pass", "A", "A");
    for target in ["A", "B"] {
        let gap = report(&rb, &ev).gap_to(target).unwrap();
        assert_eq!(gap.status, GapStatus::Unreachable);
        assert!(gap.plan.is_none());
        assert_eq!(gap.reachable(), Some(false));
        assert!(
            gap.reasons
                .iter()
                .any(|r| r.contains("g_fact") && r.contains("cannot be cleared")),
            "{:?}",
            gap.reasons
        );
    }
    // A recorded gate that a condition of A names must be cleared for A only.
    let ev = gates_ev("pass", "pass", "pass", "fail", "A", "A");
    let r = report(&rb, &ev);
    assert_eq!(r.grade(), Some("B"));
    let gap = r.gap_to("A").unwrap();
    assert_eq!(
        plan_map(&gap).get("g_note").map(String::as_str),
        Some("pass")
    );
    assert_eq!(gap.conditions[0].part, "no gate failed with note");
}

#[test]
fn a_downgrade_that_cannot_be_cleared_is_offset_by_a_better_grade() {
    let rb = rb(GATES);
    // Total 6 earns B; the incident (outcome down, clearable = false on the outcome) lowers it
    // to C. B is reachable only by earning A: total >= 8 (one article C → A), then lowered.
    let ev = gates_ev("pass", "pass", "fail", "pass", "A", "C");
    let r = report(&rb, &ev);
    assert_eq!(r.grade(), Some("C"));
    let gap = r.gap_to("B").unwrap();
    let plan = gap.plan.as_ref().expect("B is reachable through A");
    assert!(plan.proven_minimal);
    assert_eq!(plan_map(&gap).get("a2").map(String::as_str), Some("A"));
    assert!(!plan_map(&gap).contains_key("g_down"));
    assert_eq!(plan.after.grade.as_deref(), Some("B"));
    assert_eq!(plan.after.earned_grade.as_deref(), Some("A"));
    assert!(
        gap.notes.iter().any(|n| n.contains("earns A")),
        "{:?}",
        gap.notes
    );
    // A itself cannot be reached: the incident always lowers it.
    let gap = r.gap_to("A").unwrap();
    assert_eq!(gap.status, GapStatus::Unreachable);
    assert!(
        gap.reasons
            .iter()
            .any(|x| x.contains("g_down") && x.contains("cannot be cleared")),
        "{:?}",
        gap.reasons
    );
}

const IMPOSSIBLE: &str = r#"
[rulebook]
id = "imp"
title = "Impossible"
[rulebook.flags]
core = "core"
[defaults]
article_points = { A = 4, B = 3, C = 2, D = 0 }
[total]
max_points = 1000
[[node]]
id = "P"
title = "P"
[[node]]
id = "c1"
parent = "P"
kind = "article"
flags = ["core"]
title = "c1"
department = "院办"
[[node]]
id = "c2"
parent = "P"
kind = "article"
title = "c2"
[[grade]]
id = "Top"
when = ["total >= 1100"]
[[grade]]
id = "Core"
when = ["share(core articles, >= C) >= 100%", "total >= 500"]
[[grade]]
id = "None"
"#;

#[test]
fn impossible_conditions_are_proven_and_explained() {
    let rb = rb(IMPOSSIBLE);
    let ev = "hospital = \"X\"\n[articles]\nc1 = \"D\"\nc2 = \"B\"\n";
    let r = report(&rb, ev);
    let gap = r.gap_to("Top").unwrap();
    assert_eq!(gap.status, GapStatus::Unreachable);
    assert!(!gap.conditions[0].can_be_met);
    assert!(
        gap.reasons
            .iter()
            .any(|x| x.contains("total >= 1100") && x.contains("at most")),
        "{:?}",
        gap.reasons
    );
    // The core article can be raised: one change.
    let gap = r.gap_to("Core").unwrap();
    assert_eq!(plan_map(&gap).get("c1").map(String::as_str), Some("C"));
    // Unless its department cannot change.
    let costs = CostModel::parse("fixed = [\"院办\"]", Format::Toml).unwrap();
    let gap = r
        .gap_to_with(
            "Core",
            &GapOptions {
                costs,
                ..GapOptions::default()
            },
        )
        .unwrap();
    assert_eq!(gap.status, GapStatus::Unreachable);
    assert!(
        gap.fixed.iter().any(|f| f.contains("院办")),
        "{:?}",
        gap.fixed
    );
    assert!(
        gap.reasons.iter().any(|x| x.contains("core articles")),
        "{:?}",
        gap.reasons
    );
}

#[test]
fn a_reached_target_needs_nothing() {
    let rb = rb(SHARES);
    let r = report(&rb, SHARES_EV);
    let gap = r.gap_to("B").unwrap();
    assert_eq!(gap.status, GapStatus::Reached);
    assert!(gap.plan.is_none() && gap.changes().is_empty());
    assert!(gap.explain().contains("nothing to change"));
}

#[test]
fn the_demo_hospital_reaches_grade_a_with_a_proven_minimal_plan() {
    let rb = Rulebook::builtin("demo").unwrap();
    let ev = Evidence::sample("demo", Some("grade-b")).unwrap();
    let r = score(&rb, &ev).unwrap();
    let gap = r.gap_to("甲等").unwrap();
    let plan = gap.plan.as_ref().unwrap();
    assert!(plan.proven_minimal);
    assert_eq!(plan.changes, 6);
    assert_eq!(plan.lower_bound, Some(plan.cost));
    let after = score(&rb, &ev.with_changes(&gap.changes())).unwrap();
    assert_eq!(after.grade(), Some("甲等"));
    assert_eq!(plan.after.total, after.total());
    // Every failed condition is described with numbers.
    let texts: Vec<&str> = gap.conditions.iter().map(|c| c.summary.as_str()).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("total 787.07") && t.contains("112.93 points short")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("3 of 5 core articles at >= B") && t.contains("4 of 5")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("rate of P3.3 = 85.71%") && t.contains("0.6 points short")),
        "{texts:?}"
    );
    let text = gap.explain();
    assert!(
        text.contains("proven minimal") && text.contains("Verified"),
        "{text}"
    );
    // The JSON carries the plan per department and the changes.
    let j = gap.to_json();
    assert_eq!(j["status"], "planned");
    assert_eq!(j["changes"].as_array().unwrap().len(), 6);
    assert!(!j["by_department"].as_array().unwrap().is_empty());
    // The same plan from a report that did not keep its evidence (rebuilt from the scorecard).
    let bare = Report::from_scorecard(&rb, r.scorecard().clone());
    assert!(bare.sheet().is_none());
    let again = bare.gap_to("甲等").unwrap();
    assert_eq!(again.plan.as_ref().unwrap().cost, plan.cost);
    assert!(!again.notes.is_empty());
}

#[test]
fn a_small_budget_returns_the_greedy_plan_unproven() {
    let rb = Rulebook::builtin("demo").unwrap();
    let r = score(&rb, &Evidence::sample("demo", Some("grade-b")).unwrap()).unwrap();
    let gap = r
        .gap_to_with(
            "甲等",
            &GapOptions {
                max_nodes: 1,
                ..GapOptions::default()
            },
        )
        .unwrap();
    let plan = gap.plan.as_ref().expect("the greedy plan");
    assert!(!plan.proven_minimal);
    assert!(plan.lower_bound.is_some_and(|l| l <= plan.cost));
    assert_eq!(plan.after.grade.as_deref(), Some("甲等"));
    assert!(gap.explain().contains("not proven minimal"));
}

#[test]
fn missing_evidence_counted_as_zero_can_be_given() {
    let rb = rb(SHARES);
    // a4 and a5 not assessed: counted as D (article missing = zero by default).
    let ev = "hospital = \"M\"\n[articles]\na1 = \"A\"\na2 = \"B\"\na3 = \"B\"\n";
    let r = report(&rb, ev);
    let gap = r.gap_to("A").unwrap();
    let plan = gap.plan.as_ref().unwrap();
    assert_eq!(plan.changes, 1);
    assert!(
        plan.steps[0].from.contains("not assessed"),
        "{}",
        plan.steps[0].from
    );
    assert!(matches!(
        plan.steps[0].change,
        Change::Article {
            level: ArticleLevel::B,
            ..
        }
    ));
}

#[test]
fn a_condition_no_evidence_can_change_is_unreachable() {
    let rb = rb(r#"
[rulebook]
id = "const"
title = "Constant"
[defaults]
article_points = { A = 4, B = 3, C = 2, D = 0 }
[[node]]
id = "P"
title = "P"
[[node]]
id = "a1"
parent = "P"
kind = "article"
title = "a1"
[[grade]]
id = "Never"
when = ["total >= 0", "1 > 2"]
[[grade]]
id = "Always"
"#);
    let r = report(&rb, "hospital = \"X\"\n[articles]\na1 = \"D\"\n");
    let gap = r.gap_to("Never").unwrap();
    assert_eq!(gap.status, GapStatus::Unreachable);
    assert!(
        gap.reasons
            .iter()
            .any(|x| x.contains("'1 > 2' cannot hold") && x.contains("whatever the evidence")),
        "{:?}",
        gap.reasons
    );
}
