//! Golden tests of the built-in rulebooks and their sample hospitals.
//!
//! Every pinned total is computed by hand in the comments from the sample's data and the
//! rulebook's rules (the samples' comments show each criterion's expected points), not copied
//! from the program's output.

use rust_decimal::Decimal;
use sanjia::evidence::{ArticleLevel, ElementResult, Observation};
use sanjia::rulebook::model::NodeKind;
use sanjia::{score, Evidence, Report, Rulebook};
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn rulebook(name: &str) -> Rulebook {
    Rulebook::builtin(name).unwrap_or_else(|e| panic!("built-in {name}: {e}"))
}

fn sample(rb: &str, name: &str) -> Evidence {
    Evidence::sample(rb, Some(name)).unwrap_or_else(|e| panic!("{rb}/{name}: {e}"))
}

fn report(rb: &str, name: &str) -> Report {
    score(&rulebook(rb), &sample(rb, name)).unwrap_or_else(|e| panic!("{rb}/{name}: {e}"))
}

/// Whether each condition of grade `g` held.
fn held(r: &Report, g: usize) -> Vec<bool> {
    r.decision().grades[g]
        .conditions
        .iter()
        .map(|t| t.held)
        .collect()
}

/// The trace detail of condition `c` of grade `g`.
fn detail(r: &Report, g: usize, c: usize) -> String {
    r.decision().grades[g].conditions[c].detail.clone()
}

fn max_of(r: &Report, id: &str) -> Decimal {
    let i = r.rulebook().node_index(id).unwrap();
    r.scorecard().max[i as usize]
}

fn count(rb: &Rulebook, kind: NodeKind) -> usize {
    rb.nodes().iter().filter(|n| n.kind == kind).count()
}

fn failed_gates(r: &Report) -> Vec<(String, Option<&'static str>)> {
    r.gates()
        .into_iter()
        .filter(|g| g.result == "fail")
        .map(|g| (g.id, g.effect))
        .collect()
}

// ------------------------------------------------------------------------------ all built-ins

const NEW: [&str; 4] = [
    "cn-tertiary-2022",
    "cn-province-example",
    "cn-2011",
    "jci-8th",
];

#[test]
fn demo_stays_the_default_and_the_new_rulebooks_are_listed() {
    let names = Rulebook::builtin_names();
    assert_eq!(names[0], "demo");
    for n in NEW {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
}

#[test]
fn every_sample_of_every_new_rulebook_scores() {
    for rb in NEW {
        let b = sanjia::rulebook::builtin::find(rb).unwrap();
        assert!(b.samples.len() >= 4, "{rb} has {} samples", b.samples.len());
        let book = rulebook(rb);
        for (name, _) in b.samples {
            let r = score(&book, &sample(rb, name)).unwrap_or_else(|e| panic!("{rb}/{name}: {e}"));
            assert!(r.total().is_some(), "{rb}/{name}");
        }
    }
}

#[test]
fn sizes() {
    // cn-tertiary-2022: 22 gates (19 paraphrased national items [R] + 3 from the 2025 vendor
    // source [S]); 97 Part 2 indicators (every row of the research CSV) + 6 training / drill
    // indicators in Part 3; 27 Part 3 articles (21 placeholders + 6 pharmacy articles [S]).
    let rb = rulebook("cn-tertiary-2022");
    assert_eq!(count(&rb, NodeKind::Gate), 22);
    assert_eq!(count(&rb, NodeKind::Indicator), 97 + 6);
    assert_eq!(count(&rb, NodeKind::Article), 27);
    assert_eq!(count(&rb, NodeKind::Element), 0);
    // 209 = the total + 208 nodes in the file.
    assert_eq!(rb.nodes().len(), 209);
    let scored_p2 = rb.nodes()[rb.node_index("P2").unwrap() as usize..]
        .iter()
        .take_while(|n| n.id != "P3")
        .filter(|n| n.kind == NodeKind::Indicator && n.scored)
        .count();
    assert_eq!(
        scored_p2, 69,
        "69 scored + 28 monitor-only indicators in Part 2"
    );

    // cn-2011: 2 gates, 61 articles (10 assumed core), 2 monitor-only indicators (chapter 7).
    let rb = rulebook("cn-2011");
    assert_eq!(count(&rb, NodeKind::Gate), 2);
    assert_eq!(count(&rb, NodeKind::Article), 61);
    assert_eq!(count(&rb, NodeKind::Indicator), 2);
    let core = (0..rb.nodes().len() as u32)
        .filter(|&i| rb.node_flags(i).contains(&"core"))
        .count();
    assert_eq!(core, 10);

    // jci-8th: 4 APR gates, 16 scored chapters, 36 standards, 92 measurable elements.
    let rb = rulebook("jci-8th");
    assert_eq!(count(&rb, NodeKind::Gate), 4);
    assert_eq!(count(&rb, NodeKind::Element), 92);
    let tier = |t: &str| {
        rb.nodes()
            .iter()
            .filter(|n| n.tier.as_deref() == Some(t))
            .count()
    };
    assert_eq!(tier("standard"), 36);
    assert_eq!(tier("chapter"), 17, "16 scored chapters + APR");
}

#[test]
fn every_number_is_sourced_or_marked_unconfirmed() {
    // The honesty rule: nothing in these files was checked against an official text, so every
    // criterion, parameter and grade says confirmed = false and carries a note.
    for rb in ["cn-tertiary-2022", "cn-2011", "jci-8th"] {
        let src = rulebook(rb).source().clone();
        assert!(!src.rulebook.sources.is_empty(), "{rb}: no sources");
        for n in &src.nodes {
            if n.kind != NodeKind::Group {
                assert_eq!(n.confirmed, Some(false), "{rb}: node {}", n.id);
                assert!(
                    n.note.as_deref().is_some_and(|s| !s.is_empty()),
                    "{rb}: node {} has no note",
                    n.id
                );
            }
        }
        for (name, p) in &src.params {
            match p {
                sanjia::rulebook::model::ParamSpec::Documented(p) => {
                    assert_eq!(p.confirmed, Some(false), "{rb}: param {name}");
                    assert!(p.note.is_some(), "{rb}: param {name} has no note");
                }
                _ => panic!("{rb}: param {name} has no provenance"),
            }
        }
        for g in &src.grades {
            assert_eq!(g.confirmed, Some(false), "{rb}: grade {}", g.id);
            assert!(g.note.is_some(), "{rb}: grade {}", g.id);
        }
    }
}

// ------------------------------------------------------------------------------ cn-tertiary-2022
//
// total = 1000 × (60 × rate(P2) + 40 × rate(P3)) / 100 = 600 × S2/M2 + 400 × S3/M3,
// rounded to 2 places half-up. Scored indicators are worth 10 points (threshold: 10 or 0;
// trend: improving 10 / stable 6 / worsening 0; 1.1.3.1 bands 10 / 6 / 0); articles A 10, B 8,
// C 6, D 0. Part 2 has 69 scored indicators (M2 = 690 when all apply); Part 3 has 27 articles
// and 6 indicators (M3 = 270 + 60 = 330).

#[test]
fn cn2022_grade_a() {
    let r = report("cn-tertiary-2022", "grade-a");
    // S2 = 690 − 4 (2.2.2 stable) − 4 (2.1.5 stable) − 4 (1.1.3.1 = 416100/438000 = 95%, band
    //      "> 93 and <= 100" = 6) − 10 (1.3.1.2 = 68/96 = 70.83% < 75) − 10 (2.2.1.10 worsening)
    //    = 658.
    assert_eq!(r.points("P2"), Some(d("658")));
    assert_eq!(max_of(&r, "P2"), d("690"));
    // S3 = 14 A × 10 + 11 B × 8 + 2 C × 6 = 140 + 88 + 12 = 240 articles + 6 × 10 indicators
    //    = 300 of 330.
    assert_eq!(r.points("P3"), Some(d("300")));
    assert_eq!(max_of(&r, "P3"), d("330"));
    // total = 600 × 658/690 + 400 × 300/330 = 572.173913… + 363.636363… = 935.810276… → 935.81
    assert_eq!(r.total(), Some(d("935.81")));
    assert_eq!(r.grade(), Some("甲等"));
    assert_eq!(r.status(), "甲等");
    assert!(failed_gates(&r).is_empty());
    assert!(r.missing().is_empty());
    assert_eq!(held(&r, 0), [true, true, true, true]);
    // rate(P2) = 658/690 = 95.36% >= 90%; rate(P3) = 300/330 = 90.91% >= 85%.
    assert!(detail(&r, 0, 1).contains("658/690"), "{}", detail(&r, 0, 1));
    assert!(detail(&r, 0, 2).contains("300/330"), "{}", detail(&r, 0, 2));
    // core articles: P3.2.b.1 A, P3.2.g.4 B, P3.2.i.1 A, P3.2.j.1 B → 4 of 4 at >= C.
    assert!(detail(&r, 0, 3).contains("4 of 4"), "{}", detail(&r, 0, 3));
    // Thresholds met exactly: ICU doctors 40/50 = 0.8 (>= 0.8), TCM beds 60/1200 = 5% (>= 5),
    // 三基 pass rate 2850/3000 = 95% (>= 95).
    for id in ["1.3.2.2", "1.3.4.1", "TR.2"] {
        assert_eq!(r.points(id), Some(d("10")), "{id}");
    }
    assert_eq!(r.points("1.1.3.1"), Some(d("6")));
    assert_eq!(r.points("2.2.2"), Some(d("6")));
    assert_eq!(r.points("2.2.1.10"), Some(d("0")));
    // Deductions: 5 indicators in Part 2, 11 B and 2 C articles in Part 3.
    let ded = r.deductions();
    assert_eq!(ded.len(), 5 + 11 + 2);
    // The largest loss in the total: a zero-point Part 2 indicator, 10 × 600/690 = 8.6957.
    assert_eq!(ded[0].lost_in_total, d("8.6957"));
    assert!(["1.3.1.2", "2.2.1.10"].contains(&ded[0].id.as_str()));
}

#[test]
fn cn2022_grade_b_is_yi_deng_with_a_recorded_gate() {
    let r = report("cn-tertiary-2022", "grade-b");
    // S2 = 690 − 10 worsening × 10 − 5 stable × 4 − 2 failed thresholds (1.3.1.1 34/48,
    //      1.2.4.1 4/1200) × 10 = 690 − 100 − 20 − 20 = 550.
    assert_eq!(r.points("P2"), Some(d("550")));
    // S3 = 7 A × 10 + 12 B × 8 + 8 C × 6 = 70 + 96 + 48 = 214, + 5 × 10 indicators (TR.1
    //      3011/3012 = 99.97% misses 100%) = 264 of 330.
    assert_eq!(r.points("P3"), Some(d("264")));
    assert_eq!(r.points("TR.1"), Some(d("0")));
    // total = 600 × 550/690 + 400 × 264/330 = 478.260869… + 320 = 798.260869… → 798.26
    assert_eq!(r.total(), Some(d("798.26")));
    assert_eq!(r.grade(), Some("乙等"));
    // 甲等: total 798.26 < 900; rate(P2) = 79.71% < 90%; rate(P3) = 80% < 85%; core 4 of 4.
    assert_eq!(held(&r, 0), [false, false, false, true]);
    // 乙等: 798.26 > 750 and core 4 of 4 >= C.
    assert_eq!(held(&r, 1), [true, true]);
    // The single-indicator deviation check failed: recorded, grade unaffected.
    assert_eq!(
        failed_gates(&r),
        vec![("P1.X.03".to_string(), Some("record"))]
    );
    assert_eq!(r.status(), "乙等");
    assert!(r.decision().lowered_by.is_none());
}

#[test]
fn cn2022_grade_c_with_not_applicable_and_short_series() {
    let r = report("cn-tertiary-2022", "grade-c");
    // 4.41.2.1 and 5.1.12.2 have no data and count as not applicable (chapters 4-5), so
    // M2 = 690 − 20 = 670; 2.2.3 has two periods only, so its trend counts as zero.
    assert_eq!(max_of(&r, "P2"), d("670"));
    assert_eq!(r.points("P2.4"), None);
    assert_eq!(r.points("P2.5"), None);
    // S2 = 670 − 15 worsening × 10 − 10 stable × 4 − 2 failed × 10 − 10 (2.2.3)
    //    = 670 − 150 − 40 − 20 − 10 = 450.
    assert_eq!(r.points("P2"), Some(d("450")));
    // S3 = 3 A × 10 + 9 B × 8 + 12 C × 6 + 3 D × 0 = 30 + 72 + 72 = 174, + 3 × 10 indicators
    //      (TR.1, TR.2 2800/3000 = 93.33% and DR.1 20/24 fail) = 204 of 330.
    assert_eq!(r.points("P3"), Some(d("204")));
    // total = 600 × 450/670 + 400 × 204/330 = 402.985074… + 247.272727… = 650.257802… → 650.26
    assert_eq!(r.total(), Some(d("650.26")));
    assert_eq!(r.grade(), Some("丙等"));
    assert_eq!(held(&r, 0), [false, false, false, false]);
    // 乙等 fails twice: 650.26 <= 750, and core article P3.2.j.1 is at D (3 of 4 >= C).
    assert_eq!(held(&r, 1), [false, false]);
    assert!(detail(&r, 1, 1).contains("3 of 4"), "{}", detail(&r, 1, 1));
    let missing: Vec<(String, &str)> = r
        .missing()
        .into_iter()
        .map(|m| (m.id, m.counted_as))
        .collect();
    assert_eq!(
        missing,
        vec![
            ("2.2.3".to_string(), "zero"),
            ("4.41.2.1".to_string(), "not-applicable"),
            ("5.1.12.2".to_string(), "not-applicable"),
        ]
    );
}

#[test]
fn cn2022_failed_prerequisite_defers_the_review() {
    let r = report("cn-tertiary-2022", "deferred");
    // Same data as grade-a: the points are unchanged (935.81, see cn2022_grade_a) and the
    // conditions alone earn 甲等, but gate P1.3.04 failed with outcome defer_1y (no-grade).
    assert_eq!(r.total(), Some(d("935.81")));
    assert_eq!(r.earned_grade(), Some("甲等"));
    assert_eq!(r.grade(), None);
    assert_eq!(
        r.status(),
        "not graded: 延期1年评审（期间按“未定等”管理） (defer_1y)"
    );
    assert_eq!(
        failed_gates(&r),
        vec![("P1.3.04".to_string(), Some("no-grade"))]
    );
}

#[test]
fn cn2022_not_eligible() {
    let r = report("cn-tertiary-2022", "not-eligible");
    // Same data as grade-b (798.26, earns 乙等); gate P1.X.02 (beds over the plan, 2025 rule)
    // bars the review, and P1.X.03 is recorded as in grade-b.
    assert_eq!(r.total(), Some(d("798.26")));
    assert_eq!(r.earned_grade(), Some("乙等"));
    assert_eq!(r.grade(), None);
    assert_eq!(r.status(), "not graded: 不予受理评审 (not_eligible)");
    assert_eq!(
        failed_gates(&r),
        vec![
            ("P1.X.02".to_string(), Some("no-grade")),
            ("P1.X.03".to_string(), Some("record")),
        ]
    );
}

// ------------------------------------------------------------------------------ province example
//
// The province: weights 70 / 30, 甲等 >= 910, 乙等 > 800, rate(P3) >= 80% for 甲等, 三基
// conditions for 甲等, 1.2.3.1 >= 0.6, X3.AMS.1 <= 35, 1.4.7.1 trend tolerance 0.5, P1.3.04 →
// downgrade, P1.2.03 → not passed, total rounded to 1 place.

#[test]
fn province_layer_changes_what_it_says() {
    let nat = rulebook("cn-tertiary-2022");
    let prov = rulebook("cn-province-example");
    assert_eq!(prov.meta().id, "cn-province-example");
    assert_eq!(
        prov.meta().sources.len(),
        nat.meta().sources.len() + 1,
        "the province's source is added to the national ones"
    );
    assert_eq!(prov.params()["grade_a_total"], d("910"));
    assert_eq!(nat.params()["grade_a_total"], d("900"));
    assert_eq!(prov.params()["grade_c_max"], d("800"));
    assert_eq!(prov.params()["part3_min_rate_a"], d("0.8"));
    assert_eq!(
        prov.params()["part2_min_rate_a"],
        d("0.9"),
        "kept from the base"
    );
    assert_eq!(prov.node("P2").unwrap().weight, Some(d("70")));
    assert_eq!(prov.node("P3").unwrap().weight, Some(d("30")));
    assert_eq!(nat.node("P2").unwrap().weight, Some(d("60")));
    // Same tree: nothing added or removed.
    assert_eq!(prov.nodes().len(), nat.nodes().len());
    assert_eq!(prov.grades().len(), 3);
    assert_eq!(prov.grades()[0].conditions.len(), 6);
    assert_eq!(prov.rounding().places, 1);
    let outcome = |rb: &Rulebook, gate: &str| {
        let src = rb.source();
        src.nodes
            .iter()
            .find(|n| n.id == gate)
            .unwrap()
            .on_fail
            .clone()
            .unwrap()
    };
    assert_eq!(outcome(&prov, "P1.3.04"), "downgrade");
    assert_eq!(outcome(&nat, "P1.3.04"), "defer_1y");
    assert_eq!(outcome(&prov, "P1.2.03"), "not_passed");
}

#[test]
fn province_grade_a_same_grade_different_total() {
    let r = report("cn-province-example", "grade-a");
    // S2 = 658 (national) − 10 (1.2.3.1 = 576/1200 = 0.48 < 0.6) − 10 (X3.AMS.1 =
    //      100 × 14000/38000 = 36.84 > 35) − 4 (1.4.7.1: 8.3 → 8.0 days, a change of 0.3 <= 0.5
    //      is stable) = 634.
    assert_eq!(r.points("P2"), Some(d("634")));
    assert_eq!(r.points("1.2.3.1"), Some(d("0")));
    assert_eq!(r.points("X3.AMS.1"), Some(d("0")));
    assert_eq!(r.points("1.4.7.1"), Some(d("6")));
    assert_eq!(r.points("P3"), Some(d("300")));
    // total = 700 × 634/690 + 300 × 300/330 = 643.188405… + 272.727272… = 915.915677… → 915.9
    assert_eq!(r.total(), Some(d("915.9")));
    assert_eq!(r.grade(), Some("甲等"));
    // 915.9 >= 910; 634/690 = 91.88% >= 90%; 300/330 = 90.91% >= 80%; core 4 of 4;
    // 三基: value(TR.1) = 3000/3000 = 100 >= 100, value(TR.2) = 2850/3000 = 95 >= 95.
    assert_eq!(held(&r, 0), [true, true, true, true, true, true]);
    assert!(
        detail(&r, 0, 5).starts_with("value of TR.2 = 95 >= $sanji_pass_rate_min (95)"),
        "{}",
        detail(&r, 0, 5)
    );
    // Nationally the same hospital has 935.81 (see cn2022_grade_a).
    assert_ne!(r.total(), report("cn-tertiary-2022", "grade-a").total());
}

#[test]
fn province_grade_b_drops_to_bing_deng() {
    let r = report("cn-province-example", "grade-b");
    // S2 = 550 (national) − 10 (X3.AMS.1 36.84 > 35); 1.2.3.1 = 768/1200 = 0.64 meets 0.6 and
    //      1.4.7.1 worsens by 0.8 day > 0.5 either way: 540.
    assert_eq!(r.points("P2"), Some(d("540")));
    // total = 700 × 540/690 + 300 × 264/330 = 547.826086… + 240 = 787.826086… → 787.8
    assert_eq!(r.total(), Some(d("787.8")));
    // 787.8 is not above the province's 800 (nationally 798.26 > 750 is 乙等).
    assert_eq!(r.grade(), Some("丙等"));
    assert_eq!(held(&r, 1), [false, true]);
    assert_eq!(report("cn-tertiary-2022", "grade-b").grade(), Some("乙等"));
}

#[test]
fn province_downgrades_where_the_nation_defers() {
    let r = report("cn-province-example", "deferred");
    // Same points as the province's grade-a (915.9, earns 甲等); P1.3.04 failed, which the
    // province maps to a one-step downgrade: 甲等 → 乙等.
    assert_eq!(r.total(), Some(d("915.9")));
    assert_eq!(r.earned_grade(), Some("甲等"));
    assert_eq!(r.grade(), Some("乙等"));
    assert_eq!(r.status(), "乙等 (lowered 1 from 甲等 by 降低一个等次)");
    assert_eq!(report("cn-tertiary-2022", "deferred").grade(), None);
}

#[test]
fn province_sanji_condition() {
    // grade-a with one fewer pass in the 三基 exam: 2849/3000 = 94.97% < 95%.
    let mut ev = sample("cn-tertiary-2022", "grade-a");
    ev.indicators.get_mut("TR.2").unwrap().insert(
        "2024".into(),
        Observation::Ratio {
            numerator: d("2849"),
            denominator: d("3000"),
        },
    );
    // National: TR.2 loses its 10 points, S3 = 290;
    // total = 600 × 658/690 + 400 × 290/330 = 572.173913… + 351.515151… = 923.689064… → 923.69,
    // still 甲等 (the national profile has no 三基 condition).
    let nat = score(&rulebook("cn-tertiary-2022"), &ev).unwrap();
    assert_eq!(nat.total(), Some(d("923.69")));
    assert_eq!(nat.grade(), Some("甲等"));
    // Province: total = 700 × 634/690 + 300 × 290/330 = 643.188405… + 263.636363… = 906.824769…
    // → 906.8 < 910, and value(TR.2) = 94.97 < 95: 乙等 (906.8 > 800).
    let prov = score(&rulebook("cn-province-example"), &ev).unwrap();
    assert_eq!(prov.total(), Some(d("906.8")));
    assert_eq!(held(&prov, 0), [false, true, true, true, true, false]);
    assert_eq!(prov.grade(), Some("乙等"));
}

// ------------------------------------------------------------------------------ cn-2011
//
// 61 articles: 10 core (★, assumed) and 51 non-core; points A 4, B 3, C 2, D 0 (report only).
// Grade conditions, in order: core >= C, core >= B, core A, non-core >= C, non-core >= B,
// non-core A.

#[test]
fn cn2011_grade_a_at_the_boundaries() {
    let r = report("cn-2011", "grade-a");
    // core: 2 A, 5 B, 3 C → >= C 10/10, >= B 7/10 = 70% (exactly), A 2/10 = 20% (exactly).
    // non-core: 11 A, 20 B, 14 C, 5 D, 1 E → applicable 50: >= C 45/50 = 90% (exactly),
    //   >= B 31/50 = 62%, A 11/50 = 22%.
    assert_eq!(r.grade(), Some("甲等"));
    assert_eq!(held(&r, 0), [true; 6]);
    assert!(detail(&r, 0, 1).contains("7 of 10"), "{}", detail(&r, 0, 1));
    assert!(detail(&r, 0, 2).contains("2 of 10"), "{}", detail(&r, 0, 2));
    assert!(
        detail(&r, 0, 3).contains("45 of 50"),
        "{}",
        detail(&r, 0, 3)
    );
    // points: core 2×4 + 5×3 + 3×2 = 29; non-core 11×4 + 20×3 + 14×2 = 132; total 161 of
    // 60 applicable × 4 = 240.
    assert_eq!(r.total(), Some(d("161")));
    assert_eq!(r.max_total(), d("240"));
}

#[test]
fn cn2011_one_more_d_breaks_the_ninety_percent() {
    // grade-a with one non-core C article lowered to D: non-core >= C 44/50 = 88% < 90%:
    // 甲等 fails on that condition alone; 乙等 (>= 80%) holds.
    let mut ev = sample("cn-2011", "grade-a");
    let c_article = ev
        .articles
        .iter()
        .find(|(id, l)| {
            **l == ArticleLevel::C && !["4.P.1", "5.4.ex1", "6.1.ex1"].contains(&id.as_str())
        })
        .map(|(id, _)| id.clone())
        .unwrap();
    ev.articles.insert(c_article, ArticleLevel::D);
    let r = score(&rulebook("cn-2011"), &ev).unwrap();
    assert_eq!(held(&r, 0), [true, true, true, false, true, true]);
    assert!(
        detail(&r, 0, 3).contains("44 of 50"),
        "{}",
        detail(&r, 0, 3)
    );
    assert_eq!(r.grade(), Some("乙等"));
    // 161 − 2 = 159.
    assert_eq!(r.total(), Some(d("159")));
}

#[test]
fn cn2011_grade_b() {
    let r = report("cn-2011", "grade-b");
    // core: 1 A, 5 B, 4 C → >= B 6/10 = 60%, A 1/10 = 10%; non-core: 6 A, 21 B, 16 C, 8 D
    // (51 applicable) → >= C 43/51 = 84.31%, >= B 27/51 = 52.94%, A 6/51 = 11.76%.
    // 甲等 fails on all but core >= C; 乙等 holds, core >= B and A exactly at 60% and 10%.
    assert_eq!(held(&r, 0), [true, false, false, false, false, false]);
    assert_eq!(held(&r, 1), [true; 6]);
    assert!(detail(&r, 1, 1).contains("6 of 10"), "{}", detail(&r, 1, 1));
    assert_eq!(r.grade(), Some("乙等"));
    // points: core 4 + 15 + 8 = 27; non-core 24 + 63 + 32 = 119; 146 of 61 × 4 = 244.
    assert_eq!(r.total(), Some(d("146")));
    assert_eq!(r.max_total(), d("244"));
}

#[test]
fn cn2011_below_b_and_failed_gate() {
    let r = report("cn-2011", "below-b");
    // grade-a with core 6.1.ex1 at D: core >= C 9/10 < 100% fails both grades.
    assert!(!held(&r, 0)[0] && !held(&r, 1)[0]);
    assert_eq!(held(&r, 0)[1..], [true; 5]);
    assert_eq!(r.grade(), None);
    assert_eq!(r.status(), "no grade: no grade's conditions all hold");
    assert_eq!(
        r.total(),
        Some(d("159")),
        "161 − 2 (a C worth 2 became a D)"
    );

    let r = report("cn-2011", "failed-gate");
    assert_eq!(r.earned_grade(), Some("甲等"));
    assert_eq!(r.grade(), None);
    assert_eq!(
        failed_gates(&r),
        vec![("V.2".to_string(), Some("no-grade"))]
    );
    // Chapter 7 indicators are monitored only and stay out of the shares and points.
    assert_eq!(r.points("ch7"), None);
}

// ------------------------------------------------------------------------------ jci-8th
//
// ME: met 10, partial 5, not_met 0, na left out. Standard = mean of its MEs; chapter = mean of
// its standards; overall = mean of all applicable MEs, 2 places half-up. 92 MEs.

#[test]
fn jci_accredited() {
    let r = report("jci-8th", "accredited");
    // 81 met, 7 partial, 1 not met, 3 na → 89 applicable; sum = 810 + 35 + 0 = 845;
    // overall = 845/89 = 9.494382… → 9.49.
    assert_eq!(r.total(), Some(d("9.49")));
    assert_eq!(r.grade(), Some("accredited"));
    assert_eq!(held(&r, 0), [true, true, true]);
    // Lowest standard: QPS.EX1 = (10 + 10 + 0)/3 = 6.67 >= 5; lowest chapter: QPS =
    // (6.67 + 10)/2 = 8.33 >= 8.
    assert!(
        detail(&r, 0, 0).contains("(QPS.EX1)"),
        "{}",
        detail(&r, 0, 0)
    );
    assert!(detail(&r, 0, 1).contains("(QPS)"), "{}", detail(&r, 0, 1));
    // AOP.06.00 (nuclear medicine) is entirely not applicable: no score, out of the chapter mean.
    assert_eq!(r.points("AOP.06.00"), None);
    assert_eq!(r.points("AOP"), Some(d("10")));
    // GHI = (7.5 + 10)/2 = 8.75.
    assert_eq!(r.points("GHI.EX1"), Some(d("7.5")));
    assert_eq!(r.points("GHI"), Some(d("8.75")));
    // A not-met element costs 10/89 = 0.1124 of the overall score.
    assert_eq!(r.deductions()[0].id, "QPS.EX1.ME3");
    assert_eq!(r.deductions()[0].lost_in_total, d("0.1124"));
}

#[test]
fn jci_follow_up_is_recorded_only() {
    let r = report("jci-8th", "follow-up");
    assert_eq!(r.total(), Some(d("9.49")));
    assert_eq!(r.grade(), Some("accredited"));
    assert_eq!(
        failed_gates(&r),
        vec![("APR.01.00".to_string(), Some("record"))]
    );
}

#[test]
fn jci_each_decision_rule_alone() {
    // A standard below 5: IPSG.04.00 = (0 + 0 + 5)/3 = 1.67; IPSG chapter = (10 + 8.33 + 10
    // + 1.67 + 10 + 10)/6 = 8.33; overall = (845 − 25)/89 = 820/89 = 9.213… → 9.21.
    let r = report("jci-8th", "standard-below-5");
    assert_eq!(held(&r, 0), [false, true, true]);
    assert!(
        detail(&r, 0, 0).contains("(IPSG.04.00)"),
        "{}",
        detail(&r, 0, 0)
    );
    assert_eq!(r.total(), Some(d("9.21")));
    assert_eq!(r.grade(), Some("not-accredited"));

    // A chapter below 8: MOI.EX1 = (5 + 5)/2 = 5 (exactly the standard minimum, holds),
    // MOI.EX2 = (10 + 5)/2 = 7.5, MOI = 6.25; overall = (845 − 15)/89 = 830/89 = 9.325… → 9.33.
    let r = report("jci-8th", "chapter-below-8");
    assert_eq!(held(&r, 0), [true, false, true]);
    assert_eq!(r.points("MOI.EX1"), Some(d("5")));
    assert_eq!(r.points("MOI"), Some(d("6.25")));
    assert_eq!(r.total(), Some(d("9.33")));
    assert_eq!(r.grade(), Some("not-accredited"));

    // Overall below 9: one partial in each of the 18 three-element standards and in ACC.02.02;
    // no na: (92 × 10 − 19 × 5)/92 = 825/92 = 8.967… → 8.97 < 9, while every standard is
    // >= 8.33 and every chapter >= 8.33.
    let r = report("jci-8th", "overall-below-9");
    assert_eq!(held(&r, 0), [true, true, false]);
    assert_eq!(r.total(), Some(d("8.97")));
    assert_eq!(r.grade(), Some("not-accredited"));
}

#[test]
fn jci_immediate_threat_withholds_the_decision() {
    let r = report("jci-8th", "preliminary-denial");
    assert_eq!(r.total(), Some(d("9.49")));
    assert_eq!(r.earned_grade(), Some("accredited"));
    assert_eq!(r.grade(), None);
    assert_eq!(
        r.status(),
        "not graded: Survey interrupted: Preliminary Denial of Accreditation (preliminary_denial)"
    );
}

#[test]
fn jci_rounding_is_two_places_half_up_on_the_overall_only() {
    // One more partial element in the accredited sample: (845 − 5)/89 = 840/89 = 9.438… → 9.44;
    // chapter scores stay exact (not rounded).
    let mut ev = sample("jci-8th", "accredited");
    ev.elements
        .insert("IPSG.01.00.ME1".into(), ElementResult::Partial);
    let r = score(&rulebook("jci-8th"), &ev).unwrap();
    assert_eq!(r.total(), Some(d("9.44")));
    // IPSG = (25/3 + 25/3 + 10 + 10 + 10 + 10)/6 = 170/18 = 9.444…: more than 2 places.
    let ipsg = r.points("IPSG").unwrap();
    assert!(ipsg.scale() > 2, "{ipsg}");
    assert_eq!(ipsg.round_dp(6), d("9.444444"));
}

#[test]
fn jci_ghi_can_be_left_out_by_a_layer() {
    // For a survey before 1 January 2026 (GHI not yet mandatory), a layered file removes GHI.
    let layered = Rulebook::from_toml(
        "remove = [\"GHI\"]\n[rulebook]\nid = \"jci-8th-2025\"\n\
         title = \"JCI 8th, survey before 2026\"\nextends = \"jci-8th\"\n",
    )
    .unwrap();
    assert_eq!(layered.node("GHI").map(|n| n.id.clone()), None);
    // Evidence naming a removed node is rejected: the GHI results must be dropped too.
    let mut ev = sample("jci-8th", "accredited");
    assert!(score(&layered, &ev).is_err());
    ev.elements.retain(|id, _| !id.starts_with("GHI."));
    let r = score(&layered, &ev).unwrap();
    // GHI held 4 elements worth 10 + 5 + 10 + 10 = 35: (845 − 35)/(89 − 4) = 810/85 = 9.529… → 9.53
    assert_eq!(r.total(), Some(d("9.53")));
    assert_eq!(r.grade(), Some("accredited"));
}
