//! Training sessions and drills against minimums given as data.

use sanjia::exams::*;
use sanjia::ratio::Quantity;

const POLICY: &str = r#"
sources = ["test"]

[[requirements]]
name = "drills"
kinds = ["应急演练"]
period = "half_year"
min_sessions = 1
departments = ["急诊科", "ICU"]
hospital_wide_counts = true

[[requirements]]
name = "training"
kinds = ["培训"]
period = "quarter"
min_sessions = 2
"#;

struct Data {
    id: Vec<&'static str>,
    kind: Vec<&'static str>,
    date: Vec<&'static str>,
    dept: Vec<Option<&'static str>>,
    att: Vec<Option<i64>>,
}

/// id, kind, date, department, attendees
type Row = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<i64>,
);

fn data() -> Data {
    let rows: [Row; 7] = [
        ("D1", "应急演练", "2024-02-10", Some("急诊科"), Some(20)),
        ("D2", "应急演练", "2024-09-01", None, Some(300)), // hospital-wide, H2
        ("T1", "培训", "2024-01-15", Some("内科"), Some(30)),
        ("T2", "培训", "2024-03-20", Some("内科"), Some(25)),
        ("T3", "培训", "2024-05-05", Some("内科"), None),
        ("T4", "培训", "2024-02-01", Some("外科"), Some(12)),
        ("T5", "培训", "2024-11-30", Some("外科"), Some(12)),
    ];
    Data {
        id: rows.iter().map(|r| r.0).collect(),
        kind: rows.iter().map(|r| r.1).collect(),
        date: rows.iter().map(|r| r.2).collect(),
        dept: rows.iter().map(|r| r.3).collect(),
        att: rows.iter().map(|r| r.4).collect(),
    }
}

fn sessions(d: &Data) -> Sessions<'_> {
    Sessions::new(&d.id, &d.kind, DateCol::parse(&d.date), &d.dept)
        .unwrap()
        .with_attendees(&d.att)
        .unwrap()
}

#[test]
fn drills_and_training_minimums() {
    let d = data();
    let p = TrainingPolicy::from_toml_str(POLICY).unwrap();
    let opts = TrainingOptions {
        start: Some("2024-01-01".parse().unwrap()),
        end: Some("2024-12-31".parse().unwrap()),
        ..TrainingOptions::default()
    };
    let ev = evaluate_training(&sessions(&d), &p, &opts).unwrap();
    assert!(ev.rows.adds_up());
    let drills: Vec<_> = ev
        .checks
        .iter()
        .filter(|c| c.requirement == "drills")
        .map(|c| (c.department.as_str(), c.period.label(), c.sessions, c.met))
        .collect();
    // ICU had no drill of its own in H1; the hospital-wide drill in H2 counts for both.
    assert_eq!(
        drills,
        [
            ("ICU", "2024-H1".to_string(), 0, false),
            ("ICU", "2024-H2".to_string(), 1, true),
            ("急诊科", "2024-H1".to_string(), 1, true),
            ("急诊科", "2024-H2".to_string(), 1, true),
        ]
    );
    // training: departments seen in the sessions (内科, 外科, 急诊科), four quarters each
    let training: Vec<_> = ev
        .checks
        .iter()
        .filter(|c| c.requirement == "training")
        .map(|c| (c.department.as_str(), c.period.label(), c.sessions))
        .collect();
    assert_eq!(training.len(), 12);
    assert!(training.contains(&("内科", "2024-Q1".to_string(), 2)));
    assert!(training.contains(&("内科", "2024-Q2".to_string(), 1)));
    assert!(training.contains(&("急诊科", "2024-Q1".to_string(), 0)));
    let short = ev.shortfalls().count();
    assert_eq!(short, 1 + 11); // ICU H1, and every training cell but 内科 Q1

    // measures
    let f = TrainingFilter::default();
    let q = |n: u64| Some(Quantity::Decimal(n.into()));
    assert_eq!(ev.measure(TrainingMeasure::Sessions, &f), q(7));
    assert_eq!(ev.measure(TrainingMeasure::Attendees, &f), q(399));
    assert_eq!(ev.measure(TrainingMeasure::CheckedCells, &f), q(16));
    assert_eq!(ev.measure(TrainingMeasure::ShortCells, &f), q(12));
    assert_eq!(
        ev.measure(TrainingMeasure::ComplianceRate, &f),
        Quantity::ratio_of_counts(4, 16)
    );
    let src: TrainingSource =
        toml::from_str("training = \"short_cells\"\nrequirements = [\"drills\"]").unwrap();
    assert_eq!(src.value(&ev), q(1));
    let src: TrainingSource = toml::from_str(
        "training = \"sessions\"\nkinds = [\"培训\"]\nfrom = \"2024-02-01\"\nto = \"2024-06-30\"",
    )
    .unwrap();
    assert_eq!(src.value(&ev), q(3)); // T2, T3, T4
    let src: TrainingSource =
        toml::from_str("training = \"compliance_rate\"\ndepartments = [\"药剂科\"]").unwrap();
    assert_eq!(src.value(&ev), None);
    let h2: TrainingFilter =
        toml::from_str("requirements = [\"drills\"]\nfrom = \"2024-07-01\"").unwrap();
    assert_eq!(ev.measure(TrainingMeasure::ShortCells, &h2), q(0));
    assert!(toml::from_str::<TrainingSource>("training = \"drills\"").is_err());
    assert!(toml::from_str::<TrainingFilter>("kind = [\"培训\"]").is_err());

    // counts per period
    let counts = ev.counts(Period::Quarter);
    let c: Vec<_> = counts
        .iter()
        .map(|c| {
            (
                c.department.as_deref(),
                c.kind.as_str(),
                c.period.label(),
                c.sessions,
            )
        })
        .collect();
    assert_eq!(c[0], (None, "应急演练", "2024-Q3".to_string(), 1));
    assert!(c.contains(&(Some("内科"), "培训", "2024-Q1".to_string(), 2)));
    let year = ev.counts(Period::Year);
    assert_eq!(year.iter().map(|c| c.sessions).sum::<u64>(), 7);
}

#[test]
fn departments_from_options_and_window_from_sessions() {
    let d = data();
    let p = TrainingPolicy::from_toml_str(
        "[[requirements]]\nname = \"t\"\nkinds = [\"培训\"]\nperiod = \"year\"\nmin_sessions = 3",
    )
    .unwrap();
    let opts = TrainingOptions {
        departments: vec!["内科".into(), "外科".into(), "药剂科".into()],
        ..TrainingOptions::default()
    };
    let ev = evaluate_training(&sessions(&d), &p, &opts).unwrap();
    assert_eq!(
        ev.window,
        Some(("2024-01-15".parse().unwrap(), "2024-11-30".parse().unwrap()))
    );
    let got: Vec<_> = ev
        .checks
        .iter()
        .map(|c| (c.department.as_str(), c.sessions, c.met))
        .collect();
    assert_eq!(
        got,
        [("内科", 3, true), ("外科", 2, false), ("药剂科", 0, false)]
    );
}

#[test]
fn bad_session_rows() {
    let id = [
        Some("A"),
        Some("A"),
        Some("B"),
        Some("B"),
        Some("C"),
        None,
        Some("E"),
        Some("F"),
    ];
    let kind = [
        Some("培训"),
        Some("培训"),
        Some("培训"),
        Some("演练"),
        None,
        Some("培训"),
        Some("培训"),
        Some("培训"),
    ];
    let date = [
        "2024-01-01",
        "2024-01-01",
        "2024-01-01",
        "2024-01-01",
        "2024-01-01",
        "2024-01-01",
        "2024-02-30",
        "2024-03-01",
    ];
    let dept = [Some("内科"); 8];
    let att = [
        Some(1.0),
        Some(1.0),
        None,
        None,
        None,
        None,
        None,
        Some(-3.0),
    ];
    let s = Sessions::new(&id, &kind, DateCol::parse(&date), &dept)
        .unwrap()
        .with_attendees(&att)
        .unwrap();
    let p = TrainingPolicy::default();
    let err = evaluate_training(&s, &p, &TrainingOptions::default()).unwrap_err();
    assert!(matches!(err, ExamError::BadRows { total: 7, .. }), "{err}");
    let ev = evaluate_training(
        &s,
        &p,
        &TrainingOptions {
            lenient: true,
            ..TrainingOptions::default()
        },
    )
    .unwrap();
    let got: Vec<_> = ev
        .rejections
        .iter()
        .map(|r| (r.row, r.reason.code()))
        .collect();
    assert_eq!(
        got,
        [
            (1, "duplicate"),
            (2, "duplicate"),
            (3, "duplicate"),
            (4, "missing_value"),
            (5, "missing_value"),
            (6, "bad_date"),
            (7, "bad_number"),
        ]
    );
    assert_eq!(
        ev.rows,
        RowCount {
            input: 8,
            used: 1,
            rejected: 7
        }
    );
    assert_eq!(ev.sessions.len(), 1);
}

#[test]
fn builtin_training_policy_and_errors() {
    let p = TrainingPolicy::builtin();
    assert_eq!(p.requirements.len(), 1);
    assert_eq!(p.requirements[0].period, Period::HalfYear);
    assert!(!p.sources.is_empty());
    let e = TrainingPolicy::from_toml_str(
        "[[requirements]]\nname = \"x\"\nkinds = [\"a\"]\nperiod = \"fortnight\"\nmin_sessions = 1",
    )
    .unwrap_err();
    assert!(e.to_string().contains("requirements[0].period"), "{e}");
    let e = TrainingPolicy::from_toml_str(
        "[[requirements]]\nname = \"x\"\nkinds = [\"a\"]\nperiod = \"year\"\nmin_sessions = 1\n\
         [[requirements]]\nname = \"x\"\nkinds = [\"a\"]\nperiod = \"year\"\nmin_sessions = 1",
    )
    .unwrap_err();
    assert!(e.to_string().contains("used twice"), "{e}");
}

#[test]
fn hospitals_are_checked_separately() {
    let id = ["D1", "D1"];
    let kind = ["应急演练", "应急演练"];
    let date = ["2024-03-01", "2024-03-01"];
    let dept = [Some("急诊科"), Some("急诊科")];
    let hosp = ["H1", "H2"];
    let s = Sessions::new(&id, &kind, DateCol::parse(&date), &dept)
        .unwrap()
        .with_hospital(&hosp)
        .unwrap();
    let ev =
        evaluate_training(&s, &TrainingPolicy::builtin(), &TrainingOptions::default()).unwrap();
    assert_eq!(ev.sessions.len(), 2); // same id in two hospitals is not a duplicate
    assert_eq!(ev.checks.len(), 2);
    let f = TrainingFilter {
        hospital: Some("H2".into()),
        ..TrainingFilter::default()
    };
    assert_eq!(
        ev.measure(TrainingMeasure::MetCells, &f),
        Some(Quantity::Decimal(1.into()))
    );
}

#[test]
fn a_stray_date_does_not_explode_the_window() {
    let id = ["A", "B"];
    let kind = ["培训", "培训"];
    let date = ["2024-03-01", "0001-01-01"];
    let dept = [Some("内科"), Some("内科")];
    let s = Sessions::new(&id, &kind, DateCol::parse(&date), &dept).unwrap();
    let err =
        evaluate_training(&s, &TrainingPolicy::builtin(), &TrainingOptions::default()).unwrap_err();
    assert!(err.to_string().contains("review window"), "{err}");
    let opts = TrainingOptions {
        start: Some("2024-01-01".parse().unwrap()),
        end: Some("2024-12-31".parse().unwrap()),
        ..TrainingOptions::default()
    };
    let ev = evaluate_training(&s, &TrainingPolicy::builtin(), &opts).unwrap();
    assert_eq!(ev.checks.len(), 2);
}
