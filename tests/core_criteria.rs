//! Every criterion kind scored at and around its boundaries: gates (pass / fail / missing under
//! each policy, outcomes and their effect on the grade), indicators (threshold, bands, trend,
//! monitor, numerator / denominator), articles (A–E) and elements (met / partial / not met / na).
//!
//! Every rulebook is written inline and every expected number is worked out by hand in a comment.

use rust_decimal::Decimal;
use sanjia::{score, Evidence, Report, Rulebook};

fn d(s: &str) -> Decimal {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn rulebook(text: &str) -> Rulebook {
    Rulebook::from_toml(text).unwrap_or_else(|e| panic!("rulebook does not load: {e}\n{text}"))
}

fn evidence(text: &str) -> Evidence {
    Evidence::from_toml(text).unwrap_or_else(|e| panic!("evidence does not load: {e}\n{text}"))
}

fn scored(rb: &Rulebook, ev: &str) -> Report {
    score(rb, &evidence(ev)).unwrap_or_else(|e| panic!("scoring failed: {e}"))
}

fn row(r: &Report, id: &str) -> sanjia::report::NodeRow {
    r.nodes()
        .into_iter()
        .find(|n| n.id == id)
        .unwrap_or_else(|| panic!("no node {id}"))
}

// ------------------------------------------------------------------------------------ gates

/// Four gates, one per outcome, and one article worth A 4 / B 3 / C 2 / D 0. The grades are cut
/// at total 4 / 3 / 2 and a last grade without conditions.
fn gate_rulebook(policy: &str) -> Rulebook {
    rulebook(&format!(
        r#"
[rulebook]
id = "gates"
title = "Gate outcomes"

[missing]
gate = "{policy}"

[[outcome]]
id = "defer"
title = "Review deferred"
effect = "no-grade"

[[outcome]]
id = "down1"
title = "Lowered one grade"
effect = "downgrade"
steps = 1

[[outcome]]
id = "down2"
title = "Lowered two grades"
effect = "downgrade"
steps = 2

[[outcome]]
id = "noted"
title = "Noted"
effect = "record"

[[node]]
id = "P1"
title = "Prerequisites"

[[node]]
id = "G.defer"
parent = "P1"
kind = "gate"
title = "Licensed"
on_fail = "defer"

[[node]]
id = "G.down1"
parent = "P1"
kind = "gate"
title = "No major incident"
on_fail = "down1"

[[node]]
id = "G.down2"
parent = "P1"
kind = "gate"
title = "No fraud"
on_fail = "down2"

[[node]]
id = "G.noted"
parent = "P1"
kind = "gate"
title = "No data breach"
on_fail = "noted"

[[node]]
id = "P2"
title = "On-site"

[[node]]
id = "a1"
parent = "P2"
kind = "article"
title = "An article"
points = {{ A = 4, B = 3, C = 2, D = 0 }}

[[grade]]
id = "top"
when = ["total >= 4"]

[[grade]]
id = "mid"
when = ["total >= 3"]

[[grade]]
id = "low"
when = ["total >= 2"]

[[grade]]
id = "none"
"#
    ))
}

const GATES: [&str; 4] = ["G.defer", "G.down1", "G.down2", "G.noted"];

/// Evidence: article level, gates that fail, gates left unanswered (the rest pass).
fn gate_evidence(level: &str, failed: &[&str], unanswered: &[&str]) -> Evidence {
    let mut text = format!("hospital = \"H\"\n[articles]\na1 = \"{level}\"\n[gates]\n");
    for g in GATES {
        if unanswered.contains(&g) {
            continue;
        }
        let answer = if failed.contains(&g) { "fail" } else { "pass" };
        text.push_str(&format!("\"{g}\" = \"{answer}\"\n"));
    }
    evidence(&text)
}

fn gate_report(policy: &str, level: &str, failed: &[&str], unanswered: &[&str]) -> Report {
    let rb = gate_rulebook(policy);
    score(&rb, &gate_evidence(level, failed, unanswered)).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn gates_all_passed_keep_the_earned_grade() {
    // a1 = A: total 4 → "top".
    let r = gate_report("error", "A", &[], &[]);
    assert_eq!(r.total(), Some(d("4")));
    assert_eq!(r.grade(), Some("top"));
    assert_eq!(r.earned_grade(), Some("top"));
    assert_eq!(r.status(), "top");
    let dec = r.decision();
    assert!(dec.failed_gates.is_empty());
    assert_eq!(dec.withheld_by, None);
    assert_eq!(dec.lowered_by, None);
    let gates = r.gates();
    assert_eq!(gates.len(), 4);
    assert!(gates
        .iter()
        .all(|g| g.result == "pass" && g.outcome.is_none()));
    // Gates carry no points: P1 is not applicable and the maximum is the article's 4.
    assert_eq!(r.points("P1"), None);
    assert_eq!(r.max_total(), d("4"));
    assert!(r.deductions().is_empty());
}

#[test]
fn a_downgrade_lowers_the_earned_grade_by_its_steps() {
    // Earned "top" (index 0); down1 lowers by 1 → "mid".
    let r = gate_report("error", "A", &["G.down1"], &[]);
    assert_eq!(r.earned_grade(), Some("top"));
    assert_eq!(r.grade(), Some("mid"));
    assert_eq!(r.decision().lowered_by, Some((1, 1)));
    assert_eq!(r.status(), "mid (lowered 1 from top by Lowered one grade)");
    let g = r.gates().into_iter().find(|g| g.id == "G.down1").unwrap();
    assert_eq!(g.result, "fail");
    assert_eq!(g.outcome.as_deref(), Some("down1"));
    assert_eq!(g.outcome_title.as_deref(), Some("Lowered one grade"));
    assert_eq!(g.effect, Some("downgrade"));
    // The points are not touched by a gate.
    assert_eq!(r.total(), Some(d("4")));
}

#[test]
fn several_downgrades_take_the_largest_steps_not_the_sum() {
    // down1 (1 step) and down2 (2 steps) both fail: 0 + max(1, 2) = 2 → "low" (not 0 + 3).
    let r = gate_report("error", "A", &["G.down1", "G.down2"], &[]);
    assert_eq!(r.grade(), Some("low"));
    assert_eq!(r.decision().lowered_by, Some((2, 2)));
    assert_eq!(r.decision().failed_gates.len(), 2);
}

#[test]
fn a_downgrade_is_clamped_at_the_last_grade() {
    // a1 = C: total 2 → earned "low" (index 2); 2 + 2 = 4 is past the last index 3 → "none".
    let r = gate_report("error", "C", &["G.down2"], &[]);
    assert_eq!(r.earned_grade(), Some("low"));
    assert_eq!(r.grade(), Some("none"));
    // a1 = D: total 0 → earned "none" already; stays "none".
    let r = gate_report("error", "D", &["G.down1"], &[]);
    assert_eq!(r.earned_grade(), Some("none"));
    assert_eq!(r.grade(), Some("none"));
}

#[test]
fn a_no_grade_outcome_withholds_the_grade_and_overrides_downgrades() {
    let r = gate_report("error", "A", &["G.defer"], &[]);
    assert_eq!(r.grade(), None);
    assert_eq!(r.earned_grade(), Some("top"));
    assert_eq!(r.decision().withheld_by, Some(0));
    assert_eq!(r.status(), "not graded: Review deferred (defer)");
    let r = gate_report("error", "A", &["G.defer", "G.down2"], &[]);
    assert_eq!(r.grade(), None);
    assert_eq!(r.decision().withheld_by, Some(0));
    assert_eq!(r.decision().lowered_by, None);
    let j = r.to_json();
    assert_eq!(j["withheld_by"], "defer");
    assert_eq!(j["grade"], serde_json::Value::Null);
}

#[test]
fn a_record_outcome_is_only_recorded() {
    let r = gate_report("error", "A", &["G.noted"], &[]);
    assert_eq!(r.grade(), Some("top"));
    assert_eq!(r.decision().failed_gates.len(), 1);
    let (_, outcome) = r.decision().failed_gates[0];
    assert_eq!(outcome, 3);
    let g = r.gates().into_iter().find(|g| g.id == "G.noted").unwrap();
    assert_eq!((g.result, g.effect), ("fail", Some("record")));
    assert!(row(&r, "G.noted").reason.contains("failed: Noted"));
}

#[test]
fn a_missing_gate_under_policy_error_stops_scoring_naming_every_gate() {
    let rb = gate_rulebook("error");
    let e = score(&rb, &gate_evidence("A", &[], &["G.down1", "G.noted"])).unwrap_err();
    assert_eq!(e.hospital.as_deref(), Some("H"));
    assert_eq!(e.problems.len(), 2, "{e}");
    let ids: Vec<_> = e
        .problems
        .iter()
        .map(|p| p.criterion.as_deref().unwrap())
        .collect();
    assert_eq!(ids, ["G.down1", "G.noted"]);
    for p in &e.problems {
        assert!(p.message.contains("no answer"), "{p}");
        assert!(
            p.message.contains("missing gate evidence is an error"),
            "{p}"
        );
    }
    let text = e.to_string();
    assert!(
        text.contains("(hospital H)") && text.contains("\"G.down1\""),
        "{text}"
    );
}

#[test]
fn a_missing_gate_under_policy_zero_counts_as_failed() {
    // G.down1 unanswered → failed → "top" lowered to "mid".
    let r = gate_report("zero", "A", &[], &["G.down1"]);
    assert_eq!(r.grade(), Some("mid"));
    let g = r.gates().into_iter().find(|g| g.id == "G.down1").unwrap();
    assert_eq!(g.result, "fail");
    let m = r.missing();
    assert_eq!(m.len(), 1);
    assert_eq!(
        (m[0].id.as_str(), m[0].counted_as, m[0].detail.as_str()),
        ("G.down1", "failed", "no answer")
    );
    assert_eq!(row(&r, "G.down1").reason, "no answer: counted as failed");
}

#[test]
fn a_missing_gate_under_policy_not_applicable_has_no_effect() {
    // G.defer unanswered and not applicable → no outcome, the grade stands.
    let r = gate_report("not-applicable", "A", &[], &["G.defer"]);
    assert_eq!(r.grade(), Some("top"));
    let g = r.gates().into_iter().find(|g| g.id == "G.defer").unwrap();
    assert_eq!((g.result, g.outcome.as_deref()), ("missing", None));
    let m = r.missing();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].counted_as, "not-applicable");
    assert_eq!(row(&r, "G.defer").level.as_deref(), Some("missing"));
}

#[test]
fn a_gate_can_override_the_missing_policy() {
    let text = gate_rulebook("error").to_toml().replace(
        "on_fail = \"down1\"",
        "on_fail = \"down1\"\nmissing = \"zero\"",
    );
    let rb = rulebook(&text);
    // G.down1 has its own policy (zero → failed); the others still must be answered.
    let r = score(&rb, &gate_evidence("A", &[], &["G.down1"])).unwrap();
    assert_eq!(r.grade(), Some("mid"));
    let e = score(&rb, &gate_evidence("A", &[], &["G.down1", "G.down2"])).unwrap_err();
    assert_eq!(e.problems.len(), 1);
    assert_eq!(e.problems[0].criterion.as_deref(), Some("G.down2"));
}

#[test]
fn gate_answers_are_read_in_words() {
    let rb = gate_rulebook("error");
    let r = scored(
        &rb,
        r#"hospital = "H"
articles = { a1 = "A" }
gates = { "G.defer" = "通过", "G.down1" = true, "G.down2" = "yes", "G.noted" = "不通过" }"#,
    );
    let res: Vec<_> = r.gates().iter().map(|g| g.result).collect();
    assert_eq!(res, ["pass", "pass", "pass", "fail"]);
}

// ------------------------------------------------------------------------------- indicators

/// A rulebook with one indicator `i` (fields in `spec`) and one article `a` worth 4 at A, so
/// that the total is defined even when `i` is not scored.
fn indicator_text(spec: &str) -> String {
    format!(
        r#"
[rulebook]
id = "ind"
title = "One indicator"

[[node]]
id = "P"
title = "Part"

[[node]]
id = "i"
parent = "P"
kind = "indicator"
title = "The indicator"
{spec}

[[node]]
id = "a"
parent = "P"
kind = "article"
title = "An article"
points = {{ A = 4, B = 3, C = 2, D = 0 }}

[[grade]]
id = "any"
"#
    )
}

fn indicator_rulebook(spec: &str) -> Rulebook {
    rulebook(&indicator_text(spec))
}

/// Score `i` with observations written as the inside of a TOML inline table, e.g.
/// `"2024" = 95` or `"2024" = { numerator = 95, denominator = 100 }`.
fn ind(rb: &Rulebook, obs: &str) -> Report {
    scored(
        rb,
        &format!("hospital = \"H\"\narticles = {{ a = \"A\" }}\n[indicators]\ni = {{ {obs} }}\n"),
    )
}

fn ind_points(rb: &Rulebook, obs: &str) -> Option<Decimal> {
    ind(rb, obs).points("i")
}

#[test]
fn threshold_inclusive_and_exclusive_higher() {
    let ge = indicator_rulebook(
        "direction = \"higher\"\nmethod = \"threshold\"\ntarget = \">= 95\"\nmax_points = 10",
    );
    assert_eq!(ind_points(&ge, "\"2024\" = 95"), Some(d("10")));
    assert_eq!(ind_points(&ge, "\"2024\" = 95.01"), Some(d("10")));
    assert_eq!(ind_points(&ge, "\"2024\" = 94.99"), Some(d("0")));
    let gt = indicator_rulebook(
        "direction = \"higher\"\nmethod = \"threshold\"\ntarget = \"> 95\"\nmax_points = 10",
    );
    assert_eq!(ind_points(&gt, "\"2024\" = 95"), Some(d("0")));
    assert_eq!(ind_points(&gt, "\"2024\" = 95.000001"), Some(d("10")));
    // 95 of 10 → total 0 + 4 = 4 of 14.
    let r = ind(&gt, "\"2024\" = 95");
    assert_eq!((r.total(), r.max_total()), (Some(d("4")), d("14")));
    assert_eq!(
        row(&r, "i").reason,
        "95 in 2024 does not meet > 95: 0 of 10 points"
    );
}

#[test]
fn threshold_inclusive_and_exclusive_lower() {
    let le = indicator_rulebook(
        "direction = \"lower\"\nmethod = \"threshold\"\ntarget = \"<= 5\"\nmax_points = 6",
    );
    assert_eq!(ind_points(&le, "\"2024\" = 5"), Some(d("6")));
    assert_eq!(ind_points(&le, "\"2024\" = 5.01"), Some(d("0")));
    let lt = indicator_rulebook(
        "direction = \"lower\"\nmethod = \"threshold\"\ntarget = \"< 5\"\nmax_points = 6",
    );
    assert_eq!(ind_points(&lt, "\"2024\" = 5"), Some(d("0")));
    assert_eq!(ind_points(&lt, "\"2024\" = 4.99"), Some(d("6")));
}

#[test]
fn threshold_on_an_interval_target() {
    let rb = indicator_rulebook(
        "direction = \"higher\"\nmethod = \"threshold\"\ntarget = \">= 90 and <= 110\"\nmax_points = 5",
    );
    assert_eq!(ind_points(&rb, "\"2024\" = 90"), Some(d("5")));
    assert_eq!(ind_points(&rb, "\"2024\" = 110"), Some(d("5")));
    assert_eq!(ind_points(&rb, "\"2024\" = 110.01"), Some(d("0")));
    assert_eq!(ind_points(&rb, "\"2024\" = 89.99"), Some(d("0")));
}

#[test]
fn numerator_and_denominator_are_compared_exactly() {
    let rb = indicator_rulebook(
        "unit = \"%\"\nscale = 100\ndirection = \"higher\"\nmethod = \"threshold\"\n\
         target = \">= 95\"\nmax_points = 10",
    );
    let nd = |n: u64, den: u64| format!("\"2024\" = {{ numerator = {n}, denominator = {den} }}");
    // 95/100 = 95% exactly; 19/20 = 95%; 1900/2000 = 95%.
    assert_eq!(ind_points(&rb, &nd(95, 100)), Some(d("10")));
    assert_eq!(ind_points(&rb, &nd(19, 20)), Some(d("10")));
    assert_eq!(ind_points(&rb, &nd(1900, 2000)), Some(d("10")));
    // 94/99 = 94.9494...% and 949999/1000000 = 94.9999% fall short.
    assert_eq!(ind_points(&rb, &nd(94, 99)), Some(d("0")));
    assert_eq!(ind_points(&rb, &nd(949_999, 1_000_000)), Some(d("0")));
    let r = ind(&rb, &nd(95, 100));
    assert_eq!(
        row(&r, "i").reason,
        "95% (95/100) in 2024 meets >= 95: 10 of 10 points"
    );
    let r = ind(&rb, &nd(94, 99));
    assert!(
        row(&r, "i")
            .reason
            .starts_with("94.9495% (94/99) in 2024 does not meet >= 95"),
        "{}",
        row(&r, "i").reason
    );
}

#[test]
fn zero_over_zero_is_skipped() {
    let rb = indicator_rulebook(
        "unit = \"%\"\nscale = 100\ndirection = \"higher\"\nmethod = \"threshold\"\n\
         target = \">= 95\"\nmax_points = 10",
    );
    // Only 0/0: no value → missing, counted as zero (default policy for indicators).
    let r = ind(&rb, "\"2024\" = { numerator = 0, denominator = 0 }");
    assert_eq!(r.points("i"), Some(d("0")));
    let m = r.missing();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].detail, "no value: 0/0: no cases in the period (2024)");
    assert_eq!(m[0].counted_as, "zero");
    // An earlier period with cases: the 0/0 period is left out and 2023 is the latest value.
    let r = ind(
        &rb,
        "\"2023\" = { numerator = 96, denominator = 100 }, \
         \"2024\" = { numerator = 0, denominator = 0 }",
    );
    assert_eq!(r.points("i"), Some(d("10")));
    assert!(r.missing().is_empty());
    assert_eq!(row(&r, "i").period.as_deref(), Some("2023"));
}

#[test]
fn a_two_sided_range_on_a_threshold() {
    // Bed occupancy: good between 85 and 95 inclusive.
    let rb = indicator_rulebook(
        "unit = \"%\"\nscale = 100\ndirection = \"range\"\nmethod = \"threshold\"\n\
         target = \">= 85 and <= 95\"\nmax_points = 10",
    );
    for (v, p) in [("85", "10"), ("95", "10"), ("84.99", "0"), ("95.01", "0")] {
        assert_eq!(
            ind_points(&rb, &format!("\"2024\" = {v}")),
            Some(d(p)),
            "{v}"
        );
    }
    // From counts: 17/20 = 85%, 19/20 = 95%, 191/200 = 95.5%.
    let nd = |n: u64, den: u64| format!("\"2024\" = {{ numerator = {n}, denominator = {den} }}");
    assert_eq!(ind_points(&rb, &nd(17, 20)), Some(d("10")));
    assert_eq!(ind_points(&rb, &nd(19, 20)), Some(d("10")));
    assert_eq!(ind_points(&rb, &nd(191, 200)), Some(d("0")));
    // A range has no better way to move: no trend.
    let e = Rulebook::from_toml(&indicator_text(
        "direction = \"range\"\nmethod = \"trend\"\n\
         trend = { periods = 2, improving = 1, stable = 1, worsening = 0 }",
    ))
    .unwrap_err();
    assert!(
        e.problems
            .iter()
            .any(|p| p.path == "node[1].direction"
                && p.message.contains("a trend needs a direction")),
        "{e}"
    );
}

#[test]
fn targets_and_bands_with_parameters() {
    let with_params = |spec: &str| {
        let text = format!(
            "[params]\nocc_min = 85\nocc_max = \"95\"\ngood = 90\n\n{}",
            indicator_text(spec)
        );
        rulebook(&text)
    };
    let rb = with_params(
        "direction = \"range\"\nmethod = \"threshold\"\ntarget = \">= $occ_min and <= $occ_max\"\nmax_points = 10",
    );
    assert_eq!(ind_points(&rb, "\"2024\" = 85"), Some(d("10")));
    assert_eq!(ind_points(&rb, "\"2024\" = 84.9"), Some(d("0")));
    assert_eq!(ind_points(&rb, "\"2024\" = 95"), Some(d("10")));
    let rb = with_params(
        "direction = \"higher\"\nmethod = \"bands\"\nbands = [{ when = \">= $good\", points = 5 }, { when = \">= $occ_min and < $good\", points = 2 }]",
    );
    assert_eq!(ind_points(&rb, "\"2024\" = 90"), Some(d("5")));
    assert_eq!(ind_points(&rb, "\"2024\" = 89.99"), Some(d("2")));
    assert_eq!(ind_points(&rb, "\"2024\" = 84"), Some(d("0")));
}

const BANDS: &str = r#"direction = "higher"
method = "bands"
bands = [
  { when = ">= 90 and < 95", points = 6 },
  { when = ">= 95", points = 10 },
  { when = ">= 80", points = 3 },
]
otherwise = 1"#;

#[test]
fn bands_at_their_edges() {
    let rb = indicator_rulebook(BANDS);
    for (v, p) in [
        ("95", "10"),   // not in [90, 95); second band
        ("94.99", "6"), // first band
        ("90", "6"),    // first band, inclusive
        ("89.99", "3"), // third band
        ("80", "3"),    // third band, inclusive
        ("79.99", "1"), // no band: otherwise
        ("1000", "10"), // second band
    ] {
        assert_eq!(
            ind_points(&rb, &format!("\"2024\" = {v}")),
            Some(d(p)),
            "value {v}"
        );
    }
    // The maximum is the best band (10).
    let r = ind(&rb, "\"2024\" = 79.99");
    assert_eq!(row(&r, "i").max_points, d("10"));
    assert_eq!(
        row(&r, "i").reason,
        "79.99 in 2024 is in no band: 1 of 10 points"
    );
    let r = ind(&rb, "\"2024\" = 90");
    assert_eq!(
        row(&r, "i").reason,
        "90 in 2024 is in band \">= 90 and < 95\": 6 of 10 points"
    );
}

#[test]
fn bands_first_match_wins_and_otherwise_defaults_to_zero() {
    // Overlapping bands: 95 matches ">= 80" first and gets 3, not 8.
    let rb = indicator_rulebook(
        "direction = \"higher\"\nmethod = \"bands\"\nbands = [\n  { when = \">= 80\", points = 3 },\n  { when = \">= 90\", points = 8 },\n]",
    );
    assert_eq!(ind_points(&rb, "\"2024\" = 95"), Some(d("3")));
    assert_eq!(ind_points(&rb, "\"2024\" = 79"), Some(d("0")));
    // The maximum is still the best band: 8.
    assert_eq!(row(&ind(&rb, "\"2024\" = 95"), "i").max_points, d("8"));
}

#[test]
fn bands_on_a_rate_from_counts() {
    let rb = indicator_rulebook(&format!("unit = \"%\"\nscale = 100\n{BANDS}"));
    let nd = |n: u64, den: u64| format!("\"2024\" = {{ numerator = {n}, denominator = {den} }}");
    // 19/20 = 95% → second band; 189/199 = 94.97% → first band; 9/10 = 90% → first band.
    assert_eq!(ind_points(&rb, &nd(19, 20)), Some(d("10")));
    assert_eq!(ind_points(&rb, &nd(189, 199)), Some(d("6")));
    assert_eq!(ind_points(&rb, &nd(9, 10)), Some(d("6")));
    // 179/200 = 89.5% → third band.
    assert_eq!(ind_points(&rb, &nd(179, 200)), Some(d("3")));
}

const TREND: &str =
    "method = \"trend\"\ntrend = { periods = 3, tolerance = 0.5, improving = 10, stable = 6, worsening = 2 }";

fn trend_series(last: &str) -> String {
    // The middle period is far off: only the first and the last compared period count.
    format!("\"2022\" = 90, \"2023\" = 80, \"2024\" = {last}")
}

#[test]
fn trend_higher_is_better_at_the_tolerance() {
    let rb = indicator_rulebook(&format!("direction = \"higher\"\n{TREND}"));
    for (last, p) in [
        ("90.5", "6"),   // +0.5 = tolerance: stable
        ("90.51", "10"), // +0.51: improving
        ("89.5", "6"),   // -0.5: stable
        ("89.49", "2"),  // -0.51: worsening
        ("90", "6"),     // unchanged
    ] {
        assert_eq!(
            ind_points(&rb, &trend_series(last)),
            Some(d(p)),
            "90 → {last}"
        );
    }
    let r = ind(&rb, &trend_series("90.5"));
    assert_eq!(
        row(&r, "i").reason,
        "stable from 90 in 2022 to 90.5 in 2024 (higher is better, tolerance 0.5): 6 of 10 points"
    );
}

#[test]
fn trend_lower_is_better_at_the_tolerance() {
    let rb = indicator_rulebook(&format!("direction = \"lower\"\n{TREND}"));
    for (last, p) in [
        ("89.5", "6"),   // -0.5 = tolerance: stable
        ("89.49", "10"), // -0.51: improving
        ("90.5", "6"),   // +0.5: stable
        ("90.51", "2"),  // +0.51: worsening
    ] {
        assert_eq!(
            ind_points(&rb, &trend_series(last)),
            Some(d(p)),
            "90 → {last}"
        );
    }
    let r = ind(&rb, &trend_series("90.51"));
    assert!(row(&r, "i")
        .reason
        .starts_with("worsening from 90 in 2022 to 90.51 in 2024 (lower is better"));
}

#[test]
fn trend_compares_the_latest_periods_only() {
    let rb = indicator_rulebook(&format!("direction = \"higher\"\n{TREND}"));
    // Four periods, three compared: 2022 (90) → 2024 (90.5) is stable although 2021 was 0.
    assert_eq!(
        ind_points(
            &rb,
            "\"2021\" = 0, \"2022\" = 90, \"2023\" = 95, \"2024\" = 90.5"
        ),
        Some(d("6"))
    );
}

#[test]
fn trend_on_rates_from_counts_at_the_tolerance() {
    let rb = indicator_rulebook(&format!(
        "unit = \"%\"\nscale = 100\ndirection = \"lower\"\n{TREND}"
    ));
    // 20/1000 = 2% → 15/1000 = 1.5%: better by exactly 0.5 → stable.
    let s = |last: &str| {
        format!(
            "\"2022\" = {{ numerator = 20, denominator = 1000 }}, \
             \"2023\" = {{ numerator = 30, denominator = 1000 }}, \"2024\" = {last}"
        )
    };
    assert_eq!(
        ind_points(&rb, &s("{ numerator = 15, denominator = 1000 }")),
        Some(d("6"))
    );
    // 149/10000 = 1.49%: better by 0.51 → improving.
    assert_eq!(
        ind_points(&rb, &s("{ numerator = 149, denominator = 10000 }")),
        Some(d("10"))
    );
    // 2/80 = 2.5%: worse by exactly 0.5 → stable; 201/8000 = 2.5125% → worsening.
    assert_eq!(
        ind_points(&rb, &s("{ numerator = 2, denominator = 80 }")),
        Some(d("6"))
    );
    assert_eq!(
        ind_points(&rb, &s("{ numerator = 201, denominator = 8000 }")),
        Some(d("2"))
    );
}

#[test]
fn trend_at_the_tolerance_with_non_terminating_rates() {
    // 7/9 = 77.777...% → 79/90 = 87.777...%: exactly +10 points, the tolerance → stable.
    // Dividing each value to 28 significant digits first gives 10.000000000000000000000000002.
    let rb = indicator_rulebook(
        "unit = \"%\"\nscale = 100\ndirection = \"higher\"\nmethod = \"trend\"\n\
         trend = { periods = 2, tolerance = 10, improving = 10, stable = 6, worsening = 2 }",
    );
    let s = |a: (u32, u32), b: (u32, u32)| {
        format!(
            "\"2023\" = {{ numerator = {}, denominator = {} }}, \"2024\" = {{ numerator = {}, denominator = {} }}",
            a.0, a.1, b.0, b.1
        )
    };
    assert_eq!(ind_points(&rb, &s((7, 9), (79, 90))), Some(d("6")));
    assert_eq!(ind_points(&rb, &s((79, 90), (7, 9))), Some(d("6")));
    // Just beyond: 791/900 = 87.888...% → improving.
    assert_eq!(ind_points(&rb, &s((7, 9), (791, 900))), Some(d("10")));
    // A value (not a proportion) from counts: 70/9 → 79/9 is exactly +1 = tolerance 1.
    let rb = indicator_rulebook(
        "direction = \"lower\"\nmethod = \"trend\"\n\
         trend = { periods = 2, tolerance = 1, improving = 10, stable = 6, worsening = 2 }",
    );
    assert_eq!(ind_points(&rb, &s((70, 9), (79, 9))), Some(d("6")));
    assert_eq!(ind_points(&rb, &s((79, 9), (70, 9))), Some(d("6")));
}

#[test]
fn trend_with_a_target_met_earns_the_target_points() {
    let rb = indicator_rulebook(
        "direction = \"lower\"\nmethod = \"trend\"\ntarget = \"<= 1\"\n\
         trend = { periods = 3, tolerance = 0.1, improving = 8, stable = 5, worsening = 0, target_points = 10 }",
    );
    // 0.5 → 1.0 is worse by 0.5 (> 0.1), but 1.0 meets <= 1: target points 10.
    let r = ind(&rb, "\"2022\" = 0.5, \"2023\" = 0.9, \"2024\" = 1.0");
    assert_eq!(r.points("i"), Some(d("10")));
    assert_eq!(row(&r, "i").max_points, d("10"));
    assert_eq!(
        row(&r, "i").reason,
        "1 in 2024 meets the target <= 1: 10 of 10 points"
    );
    // 1.01 misses the target: worse by 0.51 → worsening, 0.
    assert_eq!(
        ind_points(&rb, "\"2022\" = 0.5, \"2023\" = 0.9, \"2024\" = 1.01"),
        Some(d("0"))
    );
    // Without target_points, meeting the target earns the improving points (8).
    let rb = indicator_rulebook(
        "direction = \"lower\"\nmethod = \"trend\"\ntarget = \"<= 1\"\n\
         trend = { periods = 3, tolerance = 0.1, improving = 8, stable = 5, worsening = 0 }",
    );
    assert_eq!(
        ind_points(&rb, "\"2022\" = 0.5, \"2023\" = 0.9, \"2024\" = 1.0"),
        Some(d("8"))
    );
}

#[test]
fn trend_with_too_few_periods_is_missing() {
    let rb = indicator_rulebook(&format!("direction = \"higher\"\n{TREND}"));
    let r = ind(&rb, "\"2023\" = 80, \"2024\" = 90");
    // Default policy for indicators: zero.
    assert_eq!(r.points("i"), Some(d("0")));
    let m = r.missing();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].id, "i");
    assert_eq!(
        m[0].detail,
        "the trend needs 3 periods, 2 given (2023, 2024)"
    );
    assert_eq!(m[0].counted_as, "zero");
    // A 0/0 period does not count as a period.
    let rb = indicator_rulebook(&format!(
        "unit = \"%\"\nscale = 100\ndirection = \"higher\"\n{TREND}"
    ));
    let r = ind(
        &rb,
        "\"2022\" = { numerator = 0, denominator = 0 }, \"2023\" = 80, \"2024\" = 90",
    );
    assert_eq!(r.missing().len(), 1);
    assert!(r.missing()[0]
        .detail
        .starts_with("the trend needs 3 periods, 2 given"));
    // Under not-applicable it leaves the total: 4 of 4.
    let rb = indicator_rulebook(&format!(
        "direction = \"higher\"\nmissing = \"not-applicable\"\n{TREND}"
    ));
    let r = ind(&rb, "\"2024\" = 90");
    assert_eq!(r.points("i"), None);
    assert_eq!((r.total(), r.max_total()), (Some(d("4")), d("4")));
    assert_eq!(r.missing()[0].counted_as, "not-applicable");
}

#[test]
fn monitor_only_indicators_carry_no_points() {
    let rb = indicator_rulebook("unit = \"张\"\ndirection = \"monitor\"");
    let r = ind(&rb, "\"2024\" = 1200");
    assert_eq!(r.points("i"), None);
    // Only the article counts: 4 of 4.
    assert_eq!((r.total(), r.max_total()), (Some(d("4")), d("4")));
    let i = row(&r, "i");
    assert!(!i.applicable);
    assert_eq!(i.value, Some(1200.0));
    assert_eq!(i.reason, "1200张 in 2024 (monitored, not scored)");
    assert!(r.deductions().is_empty());
    // Missing: listed, still no points.
    let r = scored(&rb, "hospital = \"H\"\narticles = { a = \"A\" }");
    assert_eq!(r.points("i"), None);
    assert_eq!(r.total(), Some(d("4")));
    assert_eq!(r.missing().len(), 1);
}

#[test]
fn a_missing_indicator_counts_as_zero_by_default() {
    let rb = indicator_rulebook(
        "direction = \"higher\"\nmethod = \"threshold\"\ntarget = \">= 1\"\nmax_points = 6",
    );
    let r = scored(&rb, "hospital = \"H\"\narticles = { a = \"A\" }");
    // 0 of 6 + 4 of 4 → 4 of 10; a deduction of 6 with the reason.
    assert_eq!((r.total(), r.max_total()), (Some(d("4")), d("10")));
    let ded = r.deductions();
    assert_eq!(ded.len(), 1);
    assert_eq!(ded[0].lost, d("6"));
    assert_eq!(ded[0].reason, "no value: counted as zero (0 of 6 points)");
}

// --------------------------------------------------------------------------------- articles

const ARTICLES: &str = r#"
[rulebook]
id = "art"
title = "Articles"

[defaults]
article_points = { A = 4, B = 3, C = 2, D = 0 }

[missing]
article = "MISSING"

[[node]]
id = "P"
title = "Part"

[[node]]
id = "a1"
parent = "P"
kind = "article"
title = "One"

[[node]]
id = "a2"
parent = "P"
kind = "article"
title = "Two"

[[node]]
id = "a3"
parent = "P"
kind = "article"
title = "Three"

[[node]]
id = "a4"
parent = "P"
kind = "article"
title = "Four"

[[node]]
id = "a5"
parent = "P"
kind = "article"
title = "Five"
points = { A = 10, B = 6, C = 6, D = 1 }

[[grade]]
id = "pass"
when = ["share(articles, >= C) >= 75%"]
"#;

#[test]
fn article_levels_a_to_e() {
    let rb = rulebook(&ARTICLES.replace("MISSING", "zero"));
    let r = scored(
        &rb,
        r#"hospital = "H"
articles = { a1 = "A", a2 = "B", a3 = "C", a4 = "D", a5 = "E" }"#,
    );
    // 4 + 3 + 2 + 0 = 9 of 4 × 4 = 16; a5 (E) leaves points and maximum.
    assert_eq!(r.points("P"), Some(d("9")));
    assert_eq!(r.max_total(), d("16"));
    let levels: Vec<_> = ["a1", "a2", "a3", "a4", "a5"]
        .iter()
        .map(|id| row(&r, id).level.unwrap())
        .collect();
    assert_eq!(levels, ["A", "B", "C", "D", "E"]);
    assert_eq!(r.points("a5"), None);
    assert!(!row(&r, "a5").applicable);
    assert_eq!(row(&r, "a5").reason, "level E (not applicable)");
    assert_eq!(
        row(&r, "a3").reason,
        "level C: 2 of 4 points (level B would earn 3)"
    );
    assert_eq!(row(&r, "a1").reason, "level A: 4 of 4 points");
    // >= C: a1, a2, a3 of 4 applicable (E leaves the denominator) = 75% → pass.
    assert_eq!(r.grade(), Some("pass"));
    // Per-node points replace the defaults: a5 at B earns 6 of 10.
    let r = scored(
        &rb,
        r#"hospital = "H"
articles = { a1 = "A", a2 = "A", a3 = "A", a4 = "A", a5 = "B" }"#,
    );
    assert_eq!(r.points("a5"), Some(d("6")));
    assert_eq!((r.total(), r.max_total()), (Some(d("22")), d("26")));
}

#[test]
fn article_levels_in_chinese() {
    let rb = rulebook(&ARTICLES.replace("MISSING", "zero"));
    let r = scored(
        &rb,
        r#"hospital = "H"
articles = { a1 = "优秀", a2 = "良好", a3 = "合格", a4 = "不合格", a5 = "不适用" }"#,
    );
    assert_eq!(r.points("P"), Some(d("9")));
}

#[test]
fn a_missing_article_counts_as_d_or_not_applicable() {
    let ev = r#"hospital = "H"
articles = { a1 = "A", a2 = "A", a3 = "A" }"#;
    // zero: a4 = D (0 of 4), a5 = D (1 of 10): 12 + 0 + 1 = 13 of 26; >= C 3 of 5 = 60% → no pass.
    let r = scored(&rb_articles("zero"), ev);
    assert_eq!((r.total(), r.max_total()), (Some(d("13")), d("26")));
    assert_eq!(row(&r, "a4").level.as_deref(), Some("D"));
    assert_eq!(row(&r, "a5").level.as_deref(), Some("D"));
    assert_eq!(r.points("a5"), Some(d("1")));
    assert_eq!(
        row(&r, "a5").reason,
        "no level: counted as level D (1 of 10 points)"
    );
    assert_eq!(r.grade(), None);
    assert_eq!(r.missing().len(), 2);
    // not-applicable: 12 of 12; >= C 3 of 3 → pass.
    let r = scored(&rb_articles("not-applicable"), ev);
    assert_eq!((r.total(), r.max_total()), (Some(d("12")), d("12")));
    assert_eq!(row(&r, "a4").level, None);
    assert_eq!(r.grade(), Some("pass"));
    assert_eq!(r.missing()[0].counted_as, "not-applicable");
    // error: both named.
    let e = score(&rb_articles("error"), &evidence(ev)).unwrap_err();
    let ids: Vec<_> = e
        .problems
        .iter()
        .map(|p| p.criterion.clone().unwrap())
        .collect();
    assert_eq!(ids, ["a4", "a5"]);
}

fn rb_articles(missing: &str) -> Rulebook {
    rulebook(&ARTICLES.replace("MISSING", missing))
}

// --------------------------------------------------------------------------------- elements

const ELEMENTS: &str = r#"
[rulebook]
id = "el"
title = "Elements"

[defaults]
element_points = { met = 10, partial = 5, not_met = 0 }

[[node]]
id = "S"
title = "A standard"
aggregate = "AGG"

[[node]]
id = "e1"
parent = "S"
kind = "element"
title = "ME 1"

[[node]]
id = "e2"
parent = "S"
kind = "element"
title = "ME 2"

[[node]]
id = "e3"
parent = "S"
kind = "element"
title = "ME 3"

[[node]]
id = "e4"
parent = "S"
kind = "element"
title = "ME 4"

[[grade]]
id = "any"
"#;

#[test]
fn element_results_met_partial_not_met_na() {
    let ev = r#"hospital = "H"
elements = { e1 = "met", e2 = "partial", e3 = "not_met", e4 = "na" }"#;
    // Sum: 10 + 5 + 0 = 15 of 30 (na leaves the maximum).
    let r = scored(&rulebook(&ELEMENTS.replace("AGG", "sum")), ev);
    assert_eq!((r.total(), r.max_total()), (Some(d("15")), d("30")));
    // Mean (JCI standard score): 15 / 3 = 5 of 10.
    let r = scored(&rulebook(&ELEMENTS.replace("AGG", "mean")), ev);
    assert_eq!((r.total(), r.max_total()), (Some(d("5")), d("10")));
    let results: Vec<_> = ["e1", "e2", "e3", "e4"]
        .iter()
        .map(|id| row(&r, id).level.unwrap())
        .collect();
    assert_eq!(results, ["met", "partial", "not_met", "na"]);
    assert_eq!(row(&r, "e2").reason, "partially met: 5 of 10 points");
    assert_eq!(row(&r, "e4").reason, "not applicable");
}

#[test]
fn element_results_in_other_words_and_custom_points() {
    let text = ELEMENTS.replace("AGG", "sum").replace(
        "title = \"ME 4\"",
        "title = \"ME 4\"\npoints = { met = 2, partial = 1, not_met = 0 }",
    );
    let rb = rulebook(&text);
    let r = scored(
        &rb,
        r#"hospital = "H"
elements = { e1 = "fully_met", e2 = "部分达标", e3 = "不达标", e4 = "partially met" }"#,
    );
    // 10 + 5 + 0 + 1 = 16 of 10 + 10 + 10 + 2 = 32.
    assert_eq!((r.total(), r.max_total()), (Some(d("16")), d("32")));
}

#[test]
fn a_missing_element_counts_as_not_met_by_default() {
    let rb = rulebook(&ELEMENTS.replace("AGG", "mean"));
    let r = scored(
        &rb,
        "hospital = \"H\"\nelements = { e1 = \"met\", e2 = \"met\", e3 = \"met\" }",
    );
    // (10 + 10 + 10 + 0) / 4 = 7.5 of 10.
    assert_eq!(r.total(), Some(d("7.5")));
    assert_eq!(row(&r, "e4").level.as_deref(), Some("not_met"));
    assert_eq!(r.missing()[0].detail, "no result");
    assert_eq!(
        row(&r, "e4").reason,
        "no result: counted as not met (0 of 10 points)"
    );
    // An element whose "not met" is worth something gets it when missing, like an assessed one
    // (The Joint Commission style 2 / 1 / 0 would have 0; here not_met = 1).
    let text = ELEMENTS.replace("AGG", "sum").replace(
        "title = \"ME 4\"",
        "title = \"ME 4\"\npoints = { met = 3, partial = 2, not_met = 1 }",
    );
    let r = scored(
        &rulebook(&text),
        "hospital = \"H\"\nelements = { e1 = \"met\", e2 = \"met\", e3 = \"met\" }",
    );
    assert_eq!(r.points("e4"), Some(d("1")));
    // 30 + 1 of 30 + 3.
    assert_eq!((r.total(), r.max_total()), (Some(d("31")), d("33")));
}
