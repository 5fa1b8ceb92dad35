//! What-if (changes to a report's evidence), `Evidence::with_changes`, change parsing and the
//! comparison of mock-review rounds.

use sanjia::evidence::{ArticleLevel, ElementResult, Observation};
use sanjia::gap::{compare, parse_changes, Change, GapError};
use sanjia::{score, Evidence, Report, Rulebook};
use serde_json::json;

fn demo() -> (Rulebook, Evidence, Report) {
    let rb = Rulebook::builtin("demo").unwrap();
    let ev = Evidence::sample("demo", Some("grade-b")).unwrap();
    let r = score(&rb, &ev).unwrap();
    (rb, ev, r)
}

fn article(id: &str, level: ArticleLevel) -> Change {
    Change::Article {
        id: id.into(),
        level,
    }
}

fn flipped(w: &sanjia::gap::WhatIf) -> Vec<(String, String, bool)> {
    w.flips
        .iter()
        .map(|f| (f.grade.clone(), f.condition.clone(), f.after))
        .collect()
}

#[test]
fn raising_a_core_article_flips_exactly_the_core_share() {
    let (_, _, r) = demo();
    let w = r.what_if(&[article("3.1.2", ArticleLevel::B)]).unwrap();
    assert_eq!(
        flipped(&w),
        vec![(
            "甲等".to_string(),
            "share(core articles, >= B) >= 70%".to_string(),
            true
        )]
    );
    assert_eq!(w.grade_before.as_deref(), Some("乙等"));
    assert_eq!(w.grade_after.as_deref(), Some("乙等"));
    assert!(w.total_after > w.total_before);
    // Points moved in Part 3 only.
    let part = |id: &str| w.parts.iter().find(|p| p.id == id).unwrap();
    assert!(part("P3").delta.unwrap() > rust_decimal::Decimal::ZERO);
    assert_eq!(part("P2").delta, Some(rust_decimal::Decimal::ZERO));
    assert_eq!(part("total").after, w.total_after);
    assert_eq!(w.criteria.len(), 1);
    assert_eq!(w.criteria[0].before, "level C");
    assert_eq!(w.criteria[0].after, "level B");
    assert!(w.explain().contains("share(core articles, >= B) >= 70%"));
}

#[test]
fn several_changes_flip_several_conditions_and_back() {
    let (rb, ev, r) = demo();
    let changes = vec![
        Change::Indicator {
            id: "3.3.2".into(),
            period: None,
            value: Observation::Ratio {
                numerator: 1900.into(),
                denominator: 2000.into(),
            },
        },
        Change::Gate {
            id: "1.3.2".into(),
            passed: false,
        },
        Change::Element {
            id: "3.4.2.3".into(),
            result: ElementResult::Met,
        },
    ];
    let w = r.what_if(&changes).unwrap();
    let mut f = flipped(&w);
    f.sort();
    assert_eq!(
        f,
        vec![
            (
                "甲等".to_string(),
                "no gate failed with record".to_string(),
                false
            ),
            ("甲等".to_string(), "rate(P3.3) >= 90%".to_string(), true),
        ]
    );
    assert_eq!(w.gates.len(), 1);
    assert_eq!((w.gates[0].before, w.gates[0].after), ("pass", "fail"));
    // The same as changing the evidence and scoring it.
    let direct = score(&rb, &ev.with_changes(&changes)).unwrap();
    assert_eq!(direct.total(), w.total_after);
    assert_eq!(direct.grade(), w.report.grade());
    // And back: applying the original values flips them back.
    let back = w
        .report
        .what_if(&[
            Change::Indicator {
                id: "3.3.2".into(),
                period: Some("2024".into()),
                value: Observation::Ratio {
                    numerator: 1850.into(),
                    denominator: 2000.into(),
                },
            },
            Change::Gate {
                id: "1.3.2".into(),
                passed: true,
            },
            Change::Element {
                id: "3.4.2.3".into(),
                result: ElementResult::NotMet,
            },
        ])
        .unwrap();
    let mut f = flipped(&back);
    f.sort();
    assert_eq!(
        f,
        vec![
            (
                "甲等".to_string(),
                "no gate failed with record".to_string(),
                true
            ),
            ("甲等".to_string(), "rate(P3.3) >= 90%".to_string(), false),
        ]
    );
    assert_eq!(back.total_after, r.total());
}

#[test]
fn a_new_period_moves_the_trend_window() {
    let (rb, ev, r) = demo();
    // CMI 0.95, 0.96, 0.96 (stable); a 2025 value of 1.0 compares 2023 (0.96) with 2025.
    let c = Change::Indicator {
        id: "2.1.4".into(),
        period: Some("2025".into()),
        value: Observation::Value("1.0".parse().unwrap()),
    };
    let w = r.what_if(std::slice::from_ref(&c)).unwrap();
    let direct = score(&rb, &ev.with_changes(&[c])).unwrap();
    assert_eq!(w.total_after, direct.total());
    assert_eq!(w.report.points("2.1.4"), Some(10.into()));
    let m = w.criteria.iter().find(|m| m.id == "2.1.4").unwrap();
    assert!(m.after.contains("2025"), "{}", m.after);
}

#[test]
fn a_report_without_its_evidence_rebuilds_it_but_not_unknown_periods() {
    let (rb, _, r) = demo();
    let bare = Report::from_scorecard(&rb, r.scorecard().clone());
    // The latest period is known: fine, and the same as with the evidence.
    let latest = Change::Indicator {
        id: "2.2.2".into(),
        period: None,
        value: Observation::Ratio {
            numerator: 200.into(),
            denominator: 41000.into(),
        },
    };
    let a = bare.what_if(std::slice::from_ref(&latest)).unwrap();
    let b = r.what_if(&[latest]).unwrap();
    assert_eq!(a.total_after, b.total_after);
    assert!(!a.notes.is_empty());
    // The middle of a three-period trend is not known without the evidence.
    let middle = Change::Indicator {
        id: "2.2.2".into(),
        period: Some("2023".into()),
        value: Observation::Value("0.5".parse().unwrap()),
    };
    let e = bare.what_if(&[middle]).unwrap_err().to_string();
    assert!(e.contains("Evidence::with_changes"), "{e}");
}

#[test]
fn bad_changes_are_evidence_errors_naming_the_criterion() {
    let (_, _, r) = demo();
    let e = r.what_if(&[article("2.2.7", ArticleLevel::A)]).unwrap_err();
    assert!(matches!(e, GapError::Evidence(_)));
    let t = e.to_string();
    assert!(t.contains("2.2.7") && t.contains("indicator"), "{t}");
    let e = r
        .what_if(&[article("9.9.9", ArticleLevel::A)])
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown criterion"), "{e}");
    // A proportion above 100% is checked like any evidence.
    let e = r
        .what_if(&[Change::Indicator {
            id: "3.3.2".into(),
            period: None,
            value: Observation::Ratio {
                numerator: 2100.into(),
                denominator: 2000.into(),
            },
        }])
        .unwrap_err()
        .to_string();
    assert!(e.contains("greater than denominator"), "{e}");
}

#[test]
fn changes_are_read_from_dicts_and_lists() {
    let (rb, ev, _) = demo();
    let v = json!({
        "3.1.2": "B",
        "3.4.2.3": "met",
        "1.3.2": "fail",
        "3.3.2": {"numerator": 1900, "denominator": 2000},
        "2.1.4": {"2025": 1.0},
        "3.3.3": "3",
    });
    let ch = parse_changes(&v, Some(&rb), None).unwrap();
    assert_eq!(ch.len(), 6);
    assert!(ch.contains(&article("3.1.2", ArticleLevel::B)));
    assert!(ch.contains(&Change::Gate {
        id: "1.3.2".into(),
        passed: false
    }));
    assert!(ch.contains(&Change::Indicator {
        id: "2.1.4".into(),
        period: Some("2025".into()),
        value: Observation::Value("1".parse().unwrap()),
    }));
    // Lists of pairs and triples; kinds from the evidence without a rulebook.
    let v = json!([["3.1.2", "A"], ["2.1.4", "2025", 1.0], ["1.1.1", true]]);
    let ch = parse_changes(&v, None, Some(&ev)).unwrap();
    assert_eq!(ch[0], article("3.1.2", ArticleLevel::A));
    assert!(matches!(&ch[1], Change::Indicator { period: Some(p), .. } if p == "2025"));
    assert!(matches!(&ch[2], Change::Gate { passed: true, .. }));
    // Change objects round-trip.
    let objs: Vec<serde_json::Value> = ch.iter().map(Change::to_json).collect();
    let back = parse_changes(&serde_json::Value::Array(objs), None, None).unwrap();
    assert_eq!(back, ch);
    // Problems are named.
    let e = parse_changes(&json!({"3.1.2": "Q"}), Some(&rb), None)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("3.1.2") && e.contains("not an article level"),
        "{e}"
    );
    assert!(parse_changes(&json!("B"), None, None).is_err());
}

#[test]
fn evidence_with_changes_sets_the_latest_period_by_default() {
    let (_, ev, _) = demo();
    let e2 = ev.with_changes(&[Change::Indicator {
        id: "2.2.7".into(),
        period: None,
        value: Observation::Value("0.01".parse().unwrap()),
    }]);
    let s = &e2.indicators["2.2.7"];
    assert_eq!(s.len(), 3);
    assert_eq!(s["2024"], Observation::Value("0.01".parse().unwrap()));
    // An indicator without values takes the evidence's latest period.
    let mut bare = ev.clone();
    bare.indicators.remove("3.3.3");
    let e3 = bare.with_changes(&[Change::Indicator {
        id: "3.3.3".into(),
        period: None,
        value: Observation::Value(2.into()),
    }]);
    assert!(e3.indicators["3.3.3"].contains_key("2024"));
}

#[test]
fn three_rounds_are_compared() {
    let (_, _, r1) = demo();
    let r2 = r1
        .what_if(&[
            article("3.1.2", ArticleLevel::A),
            article("3.1.6", ArticleLevel::A),
        ])
        .unwrap()
        .report;
    // Round 3: the plan to 甲等, except that 3.2.2 slipped from B to C.
    let gap = r1.gap_to("甲等").unwrap();
    let mut ch = gap.changes();
    ch.push(article("3.2.2", ArticleLevel::C));
    let r3 = r1.what_if(&ch).unwrap().report;
    let labels = vec!["May".to_string(), "June".to_string(), "July".to_string()];
    let c = compare(&[&r1, &r2, &r3], Some(&labels), Some("甲等")).unwrap();
    assert_eq!(c.rounds.len(), 3);
    let fc: Vec<usize> = c.rounds.iter().map(|r| r.failed_conditions).collect();
    assert!(fc[0] > fc[1] && fc[1] >= fc[2], "{fc:?}");
    assert_eq!(c.steps.len(), 2);
    let s1 = &c.steps[0];
    assert_eq!((s1.from.as_str(), s1.to.as_str()), ("May", "June"));
    let ids: Vec<&str> = s1.improved.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&"3.1.2") && ids.contains(&"3.1.6"));
    assert!(s1.slipped.is_empty());
    assert!(s1
        .departments
        .iter()
        .any(|d| d.department == "院感科" && d.improved == 1));
    let s2 = &c.steps[1];
    assert_eq!(s2.slipped.len(), 1);
    assert_eq!(s2.slipped[0].id, "3.2.2");
    assert!(s2.slipped[0].in_total < rust_decimal::Decimal::ZERO);
    let overall = c.overall.as_ref().unwrap();
    assert_eq!(
        (overall.from.as_str(), overall.to.as_str()),
        ("May", "July")
    );
    assert!(c.trend.contains("toward 甲等"), "{}", c.trend);
    if c.rounds[2].reached {
        assert!(c.trend.contains("first reached in July"), "{}", c.trend);
    }
    let text = c.explain();
    assert!(
        text.contains("slipped") && text.contains("by department"),
        "{text}"
    );
    // Reports of another rulebook cannot be compared.
    let other = score(
        &Rulebook::builtin("cn-2011").unwrap(),
        &Evidence::sample("cn-2011", None).unwrap(),
    )
    .unwrap();
    assert!(compare(&[&r1, &other], None, None).is_err());
    assert!(compare(&[], None, None).is_err());
}
