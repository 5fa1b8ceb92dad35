//! Criteria that take their value from staff exam and training records (`from = { exams = ... }`):
//! one score call over a hospital's evidence plus its records gives the grade.

use sanjia::evidence::Records;
use sanjia::exams::{
    Date, EvalOptions, ExamInput, Exams, Roster, Sessions, Sittings, TrainingOptions,
};
use sanjia::{score, score_with, Evidence, Rulebook};

/// The demo sample without the three records-fed criteria in its evidence.
fn evidence() -> Evidence {
    let mut ev = Evidence::sample("demo", None).unwrap();
    for id in ["3.3.1", "3.3.2", "3.3.3"] {
        ev.indicators.remove(id);
    }
    ev
}

/// `expected` staff of H001 in one 三基理论 exam: `sat` of them sat, `passed` of those scored 60+.
fn exam_records(rb: &Rulebook, expected: usize, sat: usize, passed: usize) -> Records {
    let staff: Vec<String> = (0..expected).map(|i| format!("s{i}")).collect();
    let dept = vec!["内科".to_string(); expected];
    let cat = vec!["医师".to_string(); expected];
    let hosp = vec!["H001".to_string(); expected];
    let roster = Roster::new(&staff, &dept, &cat)
        .unwrap()
        .with_hospital(&hosp)
        .unwrap();
    let who: Vec<String> = staff[..sat].to_vec();
    let exam = vec!["e1".to_string(); sat];
    let scores: Vec<f64> = (0..sat)
        .map(|i| if i < passed { 75.0 } else { 52.0 })
        .collect();
    let sittings = Sittings::new(&who, &exam)
        .unwrap()
        .with_score(&scores)
        .unwrap();
    let exams = Exams::new(&["e1"])
        .unwrap()
        .with_kind(&["三基理论"])
        .unwrap();
    let input = ExamInput::new(roster, sittings).with_exams(exams);
    Records::default()
        .with_exams(rb, &input, &EvalOptions::default())
        .unwrap()
}

fn drills(rb: &Rulebook, records: Records, n: usize) -> Records {
    let ids: Vec<String> = (0..n).map(|i| format!("d{i}")).collect();
    let kinds = vec!["应急演练".to_string(); n];
    let dates: Vec<Date> = (0..n)
        .map(|i| format!("2024-0{}-15", 2 * i + 1).parse().unwrap())
        .collect();
    let dept = vec!["急诊科".to_string(); n];
    let hosp = vec!["H001".to_string(); n];
    let sessions = Sessions::new(&ids, &kinds, &dates, &dept)
        .unwrap()
        .with_hospital(&hosp)
        .unwrap();
    records
        .with_training(rb, &sessions, &TrainingOptions::default())
        .unwrap()
}

#[test]
fn records_give_the_same_grade_as_typed_rates() {
    let rb = Rulebook::builtin("demo").unwrap();
    // 100 expected, 100 sat, 95 passed: participation 100% (5 points), pass 95/100 >= 95% (5),
    // 2 drills >= 2 (4) -- exactly what the sample's typed evidence earns.
    let records = drills(&rb, exam_records(&rb, 100, 100, 95), 2);
    let r = score_with(&rb, &evidence(), &records).unwrap();
    let typed = score(&rb, &Evidence::sample("demo", None).unwrap()).unwrap();
    assert_eq!(r.grade(), Some("甲等"));
    assert_eq!(r.total(), typed.total());
    assert_eq!(r.points("P3.3"), Some(14.into()));
    let row = r.nodes().into_iter().find(|n| n.id == "3.3.2").unwrap();
    assert!(row.reason.contains("95%"), "{}", row.reason);
}

#[test]
fn boundaries_come_from_counts() {
    let rb = Rulebook::builtin("demo").unwrap();
    // 99 of 100 sat: 99% participation misses ">= 100" (0 of 5); 94 of 99 passed = 94.95%,
    // below 95% but in the ">= 90" band (3 of 5).
    let records = drills(&rb, exam_records(&rb, 100, 99, 94), 1);
    let r = score_with(&rb, &evidence(), &records).unwrap();
    let p = |id: &str| r.nodes().into_iter().find(|n| n.id == id).unwrap().points;
    assert_eq!(p("3.3.1"), Some(0.into()));
    assert_eq!(p("3.3.2"), Some(3.into()));
    // One drill: short of ">= 2".
    assert_eq!(p("3.3.3"), Some(0.into()));
    let missed = r.failed_conditions("甲等").unwrap();
    assert!(missed.iter().any(|t| t.condition == "rate(P3.3) >= 90%"));
}

#[test]
fn a_value_in_both_evidence_and_records_is_an_error() {
    let rb = Rulebook::builtin("demo").unwrap();
    let records = exam_records(&rb, 10, 10, 10);
    let e = score_with(&rb, &Evidence::sample("demo", None).unwrap(), &records).unwrap_err();
    let crits: Vec<_> = e
        .problems
        .iter()
        .filter_map(|p| p.criterion.as_deref())
        .collect();
    assert_eq!(crits, ["3.3.1", "3.3.2"], "{e}");
    assert!(
        e.to_string()
            .contains("takes its value from the staff records"),
        "{e}"
    );
}

#[test]
fn nobody_in_scope_is_missing_evidence_with_a_reason() {
    let rb = Rulebook::builtin("demo").unwrap();
    // Records of another hospital only.
    let staff = ["x1"];
    let roster = Roster::new(&staff, &["内科"], &["医师"])
        .unwrap()
        .with_hospital(&["H999"])
        .unwrap();
    let sittings = Sittings::new(&["x1"], &["e1"])
        .unwrap()
        .with_score(&[80.0])
        .unwrap();
    let exams = Exams::new(&["e1"])
        .unwrap()
        .with_kind(&["三基理论"])
        .unwrap();
    let records = Records::default()
        .with_exams(
            &rb,
            &ExamInput::new(roster, sittings).with_exams(exams),
            &EvalOptions::default(),
        )
        .unwrap();
    let mut ev = evidence();
    ev.indicators.insert(
        "3.3.3".into(),
        [(
            "2024".to_string(),
            sanjia::evidence::Observation::Value(2.into()),
        )]
        .into(),
    );
    let r = score_with(&rb, &ev, &records).unwrap();
    let missing: Vec<_> = r.missing().into_iter().map(|m| (m.id, m.detail)).collect();
    assert_eq!(missing.len(), 2, "{missing:?}");
    assert!(
        missing[0].1.contains("nobody in the records' scope"),
        "{missing:?}"
    );
}

#[test]
fn rulebook_exam_policy_and_bad_sources() {
    // The rulebook's [exams] section changes the pass mark; a bad `from` names its path.
    let text = Rulebook::builtin("demo").unwrap().to_toml();
    let with_policy = format!("{text}\n[exams]\npass_mark = 80\n");
    let rb = Rulebook::from_toml(&with_policy).unwrap();
    // 100 sat, 95 scored 75: under pass mark 80 nobody passes -> 0 of 5 for 3.3.2.
    let records = drills(&rb, exam_records(&rb, 100, 100, 95), 2);
    let r = score_with(&rb, &evidence(), &records).unwrap();
    let row = r.nodes().into_iter().find(|n| n.id == "3.3.2").unwrap();
    assert_eq!(row.points, Some(0.into()), "{}", row.reason);

    assert_eq!(text.matches("\"participation_rate\"").count(), 1);
    let bad = text.replace("\"participation_rate\"", "\"participation\"");
    let e = Rulebook::from_toml(&bad).map(|_| ()).unwrap_err();
    assert!(
        e.problems
            .iter()
            .any(|p| p.path.ends_with(".from") && p.id.as_deref() == Some("3.3.1")),
        "{e}"
    );
}
