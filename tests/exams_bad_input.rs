//! Every kind of bad input row, in strict and lenient mode; counts always add up.

mod exams_common;

use exams_common::*;
use sanjia::exams::*;

fn codes(ev: &ExamEvaluation) -> Vec<(Table, usize, &'static str)> {
    ev.rejections
        .iter()
        .map(|r| (r.table, r.row, r.reason.code()))
        .collect()
}

fn strict_and_lenient(input: &ExamInput<'_>, policy: &Policy) -> (ExamError, ExamEvaluation) {
    let err = evaluate(input, policy, &EvalOptions::default()).unwrap_err();
    let ev = evaluate(input, policy, &EvalOptions::lenient()).unwrap();
    assert!(ev.rows.adds_up(), "{:?}", ev.rows);
    match &err {
        ExamError::BadRows { total, shown } => {
            assert_eq!(*total, ev.rejections.len());
            assert_eq!(
                shown[..],
                ev.rejections[..ev.rejections.len().min(SHOWN_REJECTIONS)]
            );
        }
        other => panic!("expected BadRows, got {other}"),
    }
    (err, ev)
}

#[test]
fn sittings_bad_rows() {
    let mut r = roster_n(6);
    r.push("DUP", "内科", "医师");
    r.push("DUP", "外科", "医师"); // conflicting roster duplicate -> both rejected
    let mut s = SittingsData::default();
    s.push("S000", "E1", 1, Some(70.0)); // 0 ok
    s.push("NOBODY", "E1", 1, Some(70.0)); // 1 unknown staff
    s.push("S001", "E1", 0, Some(70.0)); // 2 attempt < 1
    s.push("S002", "E1", 1, Some(f64::NAN)); // 3 NaN
    s.push("S003", "E1", 1, Some(100.5)); // 4 above full mark
    s.push("S003", "E1", 1, Some(-1.0)); // 5 negative
    s.push("S004", "E1", 1, Some(70.0)); // 6 identical duplicate: kept
    s.push("S004", "E1", 1, Some(70.0)); // 7 identical duplicate: rejected
    s.push("S005", "E1", 1, Some(70.0)); // 8 conflicting duplicate
    s.push("S005", "E1", 1, Some(50.0)); // 9 conflicting duplicate
    s.push("S005", "E1", 2, Some(80.0)); // 10 make-up left without a first attempt
    s.push("S001", "E2", 2, Some(80.0)); // 11 make-up without first
    s.push("DUP", "E2", 1, Some(80.0)); // 12 staff's roster rows rejected
    s.push("S000", "E2", 1, Some(80.0)); // 13 ok
    let input = ExamInput::new(r.view(), s.view());
    let (err, ev) = strict_and_lenient(&input, &Policy::builtin());
    let msg = err.to_string();
    assert!(msg.starts_with("13 bad input row(s)"), "{msg}");
    assert!(
        msg.contains("sittings row 1: staff \"NOBODY\" is not on the roster"),
        "{msg}"
    );
    assert!(msg.contains("roster row 6"), "{msg}");
    use Table::{Roster as R, Sittings as S};
    assert_eq!(
        codes(&ev),
        [
            (R, 6, "duplicate"),
            (R, 7, "duplicate"),
            (S, 1, "unknown_staff"),
            (S, 2, "bad_attempt"),
            (S, 3, "nan_score"),
            (S, 4, "score_out_of_range"),
            (S, 5, "score_out_of_range"),
            (S, 7, "duplicate"),
            (S, 8, "duplicate"),
            (S, 9, "duplicate"),
            (S, 10, "makeup_without_first"),
            (S, 11, "makeup_without_first"),
            (S, 12, "staff_rejected"),
        ]
    );
    assert!(matches!(
        ev.rejections[7].reason,
        RejectReason::Duplicate {
            kept_row: Some(6),
            rows: 2,
            ..
        }
    ));
    assert!(matches!(
        ev.rejections[8].reason,
        RejectReason::Duplicate {
            kept_row: None,
            rows: 2,
            ..
        }
    ));
    assert_eq!(
        ev.rows.sittings,
        RowCount {
            input: 14,
            used: 3,
            rejected: 11
        }
    );
    assert_eq!(
        ev.rows.roster,
        RowCount {
            input: 8,
            used: 6,
            rejected: 2
        }
    );
    // Remaining: E1 expected S000..S005 (6), sat: S000, S004 → S001 (attempt 0 rejected),
    // S002, S003, S005 absent.
    let sum = ev.summary(&[GroupDim::Exam]);
    assert_eq!(
        (sum.rows[0].counts.expected, sum.rows[0].counts.sat),
        (6, 2)
    );
    assert_eq!(
        (sum.rows[1].counts.expected, sum.rows[1].counts.sat),
        (6, 1)
    );
}

#[test]
fn attempts_as_floats_and_nulls_and_missing_ids() {
    let r = roster_n(3);
    let staff = [Some("S000"), Some("S001"), Some("S002"), None, Some("S000")];
    let exam = [Some("E1"), Some("E1"), Some("E1"), Some("E1"), None];
    let attempt = [Some(1.0), Some(1.5), None, Some(1.0), Some(1.0)];
    let score = [Some(70.0), Some(70.0), Some(70.0), Some(70.0), Some(70.0)];
    let s = Sittings::new(&staff, &exam)
        .unwrap()
        .with_attempt(&attempt)
        .unwrap()
        .with_score(&score)
        .unwrap();
    let input = ExamInput::new(r.view(), s);
    let (_, ev) = strict_and_lenient(&input, &Policy::builtin());
    let got: Vec<_> = ev
        .rejections
        .iter()
        .map(|r| (r.row, r.reason.to_string()))
        .collect();
    assert_eq!(
        got,
        [
            (
                1,
                "attempt 1.5 is not a whole number from 1 (first sitting) up".to_string()
            ),
            (2, "`attempt` is missing".to_string()),
            (3, "`staff_id` is missing".to_string()),
            (4, "`exam_id` is missing".to_string()),
        ]
    );
}

#[test]
fn component_out_of_range_and_no_total() {
    let r = roster_n(3);
    let mut s = SittingsData::default();
    s.push("S000", "E1", 1, None);
    s.component("theory", Some(70.0));
    s.component("skill", Some(170.0)); // out of range
    s.push("S001", "E1", 1, None);
    s.component("theory", Some(70.0));
    s.push("S002", "E1", 1, Some(65.0));
    let p = policy("components = \"total\"");
    let input = ExamInput::new(r.view(), s.view());
    let (_, ev) = strict_and_lenient(&input, &p);
    let got: Vec<_> = ev
        .rejections
        .iter()
        .map(|r| (r.row, r.reason.code()))
        .collect();
    assert_eq!(got, [(0, "score_out_of_range"), (1, "no_total")]);
    assert!(ev.rejections[0]
        .reason
        .to_string()
        .contains("`skill` = 170"));
}

#[test]
fn exams_table_bad_rows() {
    let r = roster_n(2);
    let ids = [
        Some("E1"),
        Some("E2"),
        Some("E2"),
        None,
        Some("E3"),
        Some("E4"),
        Some("E5"),
    ];
    let dates = [
        "2024-01-01",
        "2024-02-01",
        "2024-02-02",
        "2024-01-01",
        "2024-13-01",
        "",
        "",
    ];
    let pass = [None, None, None, None, None, Some(f64::NAN), Some(120.0)];
    let ex = Exams::new(&ids)
        .unwrap()
        .with_date(DateCol::parse(&dates))
        .unwrap()
        .with_pass_mark(&pass)
        .unwrap();
    let mut s = SittingsData::default();
    s.push("S000", "E1", 1, Some(70.0));
    s.push("S000", "E2", 1, Some(70.0)); // exam rejected (conflicting duplicate)
    s.push("S000", "E9", 1, Some(70.0)); // unknown exam
    let input = ExamInput::new(r.view(), s.view()).with_exams(ex);
    let (_, ev) = strict_and_lenient(&input, &Policy::builtin());
    use Table::{Exams as E, Sittings as S};
    assert_eq!(
        codes(&ev),
        [
            (E, 1, "duplicate"),
            (E, 2, "duplicate"),
            (E, 3, "missing_value"),
            (E, 4, "bad_date"),
            (E, 5, "bad_number"),
            (E, 6, "bad_number"),
            (S, 1, "exam_rejected"),
            (S, 2, "unknown_exam"),
        ]
    );
    assert!(ev.rejections[5]
        .reason
        .to_string()
        .contains("above the full mark"));
    assert_eq!(
        ev.rows.exams,
        RowCount {
            input: 7,
            used: 1,
            rejected: 6
        }
    );
    assert_eq!(ev.exam_ids().collect::<Vec<_>>(), ["E1"]);
}

#[test]
fn roster_bad_rows() {
    let staff = [
        Some("A"),
        None,
        Some("B"),
        Some("C"),
        Some("D"),
        Some("E"),
        Some("E"),
    ];
    let dept = [
        Some("内科"),
        Some("内科"),
        None,
        Some("内科"),
        Some("内科"),
        Some("内科"),
        Some("内科"),
    ];
    let cat = [
        Some("医师"),
        Some("医师"),
        Some("医师"),
        None,
        Some("医师"),
        Some("医师"),
        Some("医师"),
    ];
    let from = ["", "", "", "", "2024-05-01", "", ""];
    let to = ["", "", "", "", "2024-04-01", "2024-99-01", ""];
    let roster = Roster::new(&staff, &dept, &cat)
        .unwrap()
        .with_employment(DateCol::parse(&from), DateCol::parse(&to))
        .unwrap();
    let mut s = SittingsData::default();
    s.push("A", "E1", 1, Some(70.0));
    s.push("E", "E1", 1, Some(70.0)); // E: one row rejected (bad date), one valid
    let input = ExamInput::new(roster, s.view());
    let (_, ev) = strict_and_lenient(&input, &Policy::builtin());
    use Table::Roster as R;
    assert_eq!(
        codes(&ev),
        [
            (R, 1, "missing_value"),
            (R, 2, "missing_value"),
            (R, 3, "missing_value"),
            (R, 4, "employment_ends_before_start"),
            (R, 5, "bad_date"),
        ]
    );
    assert_eq!(ev.total().counts.expected, 2);
    assert_eq!(ev.rows.sittings.rejected, 0);
}

#[test]
fn exemptions_bad_rows() {
    let r = roster_n(2);
    let mut s = SittingsData::default();
    s.push("S000", "E1", 1, Some(70.0));
    let staff = [Some("S001"), Some("X"), Some("S001"), Some("S001"), None];
    let exam = [Some("E1"), Some("E1"), Some("E7"), Some("E1"), Some("E1")];
    let reason = [Some("产假"), Some("产假"), Some("产假"), None, Some("产假")];
    let ex = Exemptions::new(&staff, &exam, &reason).unwrap();
    let input = ExamInput::new(r.view(), s.view()).with_exemptions(ex);
    let (_, ev) = strict_and_lenient(&input, &Policy::builtin());
    use Table::Exemptions as X;
    assert_eq!(
        codes(&ev),
        [
            (X, 1, "unknown_staff"),
            (X, 2, "unknown_exam"),
            (X, 3, "missing_value"),
            (X, 4, "missing_value"),
        ]
    );
    assert_eq!(
        ev.rows.exemptions,
        RowCount {
            input: 5,
            used: 1,
            rejected: 4
        }
    );
    assert_eq!(ev.total().counts.exempt, 1);
}

#[test]
fn many_bad_rows_are_counted_and_the_first_named() {
    let r = roster_n(1);
    let mut s = SittingsData::default();
    for i in 0..1000 {
        s.push(&format!("X{i}"), "E1", 1, Some(70.0));
    }
    let input = ExamInput::new(r.view(), s.view());
    let err = evaluate(&input, &Policy::builtin(), &EvalOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("1000 bad input row(s)"), "{msg}");
    assert!(msg.contains("... and 980 more"), "{msg}");
    assert_eq!(msg.lines().count(), 1 + SHOWN_REJECTIONS + 1);
    let ev = evaluate(&input, &Policy::builtin(), &EvalOptions::lenient()).unwrap();
    assert_eq!(
        ev.rows.sittings,
        RowCount {
            input: 1000,
            used: 0,
            rejected: 1000
        }
    );
    // the exam still exists (discovered from the sittings) and S000 is absent
    assert_eq!(ev.total().counts.absent, 1);
}

#[test]
fn shape_errors_name_table_and_column() {
    let a = ["S1", "S2"];
    let b = ["内科"];
    let err = Roster::new(&a, &b, &a).unwrap_err();
    assert_eq!(
        err.to_string(),
        "roster table: column `department` has 1 rows, the table has 2"
    );
    let s = Sittings::new(&a, &a).unwrap();
    let err = s.with_score(&[1.0f64]).unwrap_err();
    assert!(err
        .to_string()
        .starts_with("sittings table: column `score`"));
    let s = Sittings::new(&a, &a).unwrap();
    let err = evaluate(
        &ExamInput::new(Roster::new(&a, &a, &a).unwrap(), s),
        &Policy::builtin(),
        &EvalOptions::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("neither a `score` column"),
        "{err}"
    );
}
