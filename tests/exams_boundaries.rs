//! Hand-checked boundary cases of the exam engine.

mod exams_common;

use exams_common::*;
use sanjia::exams::*;
use sanjia::ratio::{Quantity, Target};

fn only_row(ev: &ExamEvaluation) -> GroupRow {
    let s = ev.summary(&[GroupDim::Exam]);
    assert_eq!(s.rows.len(), 1, "{:?}", s.rows);
    s.rows[0].clone()
}

#[test]
fn pass_95_of_100_meets_95_percent() {
    let r = roster_n(100);
    let mut s = SittingsData::default();
    for i in 0..100 {
        s.push(
            &format!("S{i:03}"),
            "E1",
            1,
            Some(if i < 95 { 60.0 } else { 59.5 }),
        );
    }
    let ev = run(&r, &s, &Policy::builtin()).unwrap();
    let row = only_row(&ev);
    assert_eq!(row.counts.sat, 100);
    assert_eq!(row.counts.first_passed, 95);
    assert_eq!(row.judged_pass_rate, Rate::new(95, 100));
    assert_eq!(row.pass_met, Some(true));
    assert_eq!(row.participation_met, Some(true));
    assert_eq!(
        row.judged_pass_rate.quantity(),
        Quantity::ratio_of_counts(95, 100)
    );
    assert_eq!(ev.people_len(), 5);
    assert!(ev.people().all(|p| p.problem == Problem::Failed));
}

#[test]
fn pass_94_of_99_fails_95_percent() {
    let r = roster_n(99);
    let mut s = SittingsData::default();
    for i in 0..99 {
        s.push(
            &format!("S{i:03}"),
            "E1",
            1,
            Some(if i < 94 { 80.0 } else { 10.0 }),
        );
    }
    let ev = run(&r, &s, &Policy::builtin()).unwrap();
    let row = only_row(&ev);
    assert_eq!(row.judged_pass_rate, Rate::new(94, 99));
    assert_eq!(row.pass_met, Some(false));
    // 94/99 = 0.94949..., displayed as 94.95% — a float display must not decide.
    assert!((row.judged_pass_rate.to_f64().unwrap() - 0.949_494_9).abs() < 1e-6);
}

#[test]
fn one_unexempted_absentee_fails_full_participation() {
    let r = roster_n(3000);
    let mut s = SittingsData::default();
    for i in 0..3000 {
        s.push(
            &format!("S{i:03}"),
            "E1",
            1,
            if i == 1234 { None } else { Some(90.0) },
        );
    }
    let ev = run(&r, &s, &Policy::builtin()).unwrap();
    let row = only_row(&ev);
    assert_eq!(
        (row.counts.expected, row.counts.sat, row.counts.absent),
        (3000, 2999, 1)
    );
    assert_eq!(row.participation_met, Some(false));
    assert_eq!(row.pass_met, Some(true));
    assert_eq!(ev.people_len(), 1);
    assert_eq!(ev.people().next().unwrap().staff_id, "S1234");
    assert_eq!(ev.people().next().unwrap().problem, Problem::Absent);
    // A staff member with no sitting row at all is absent too.
    let mut s2 = s.clone();
    s2.staff.truncate(2999);
    s2.exam.truncate(2999);
    s2.attempt.truncate(2999);
    s2.score.truncate(2999);
    s2.session.truncate(2999);
    let ev = run(&r, &s2, &Policy::builtin()).unwrap();
    let row = only_row(&ev);
    assert_eq!((row.counts.expected, row.counts.sat), (3000, 2998));
}

#[test]
fn exemption_reasons_in_and_out_of_policy() {
    let mut r = roster_n(4);
    r.reason.clone_from(&vec![
        None,
        Some("产假".to_string()),     // accepted, absent -> excluded
        Some("个人原因".to_string()), // not accepted -> absent
        Some("外出进修".to_string()), // accepted, but sat -> counted
    ]);
    let mut s = SittingsData::default();
    s.push("S000", "E1", 1, Some(70.0));
    s.push("S001", "E1", 1, None);
    s.push("S003", "E1", 1, Some(65.0));
    let ev = run(&r, &s, &Policy::builtin()).unwrap();
    let row = only_row(&ev);
    assert_eq!(
        (
            row.counts.expected,
            row.counts.sat,
            row.counts.absent,
            row.counts.exempt
        ),
        (3, 2, 1, 1)
    );
    assert_eq!(row.participation_rate, Rate::new(2, 3));
    let absent: Vec<_> = ev
        .people()
        .filter(|p| p.problem == Problem::Absent)
        .collect();
    assert_eq!(absent.len(), 1);
    assert_eq!(absent[0].staff_id, "S002");
    assert_eq!(absent[0].unaccepted_reason, Some("个人原因"));
    // every exemption is kept with its reason and outcome
    let audit: Vec<_> = ev
        .exemptions
        .iter()
        .map(|e| {
            (
                e.staff_id.as_str(),
                e.reason.as_str(),
                e.accepted,
                e.outcome,
            )
        })
        .collect();
    assert_eq!(
        audit,
        [
            ("S001", "产假", true, ExemptionOutcome::Excluded),
            ("S002", "个人原因", false, ExemptionOutcome::CountedAbsent),
            ("S003", "外出进修", true, ExemptionOutcome::SatAnyway),
        ]
    );
    // With a policy accepting 个人原因, participation is complete.
    let p = policy("exempt_reasons = [\"产假\", \"个人原因\"]");
    let ev = run(&r, &s, &p).unwrap();
    let row = only_row(&ev);
    assert_eq!((row.counts.expected, row.counts.exempt), (2, 2));
    assert_eq!(row.participation_met, Some(true));
    // With no accepted reasons, nobody leaves the denominator.
    let ev = run(&r, &s, &policy("exempt_reasons = []")).unwrap();
    assert_eq!(only_row(&ev).counts.expected, 4);
}

#[test]
fn per_exam_exemptions_table() {
    let r = roster_n(3);
    let mut s = SittingsData::default();
    for e in ["E1", "E2"] {
        s.push("S000", e, 1, Some(70.0));
    }
    s.push("S001", "E1", 1, Some(70.0));
    let staff = ["S001", "S002", "S002"];
    let exam = [Some("E2"), None, Some("E1")];
    let reason = ["长期病假", "产假", "个人原因"];
    let ex = Exemptions::new(&staff, &exam, &reason).unwrap();
    let input = ExamInput::new(r.view(), s.view()).with_exemptions(ex);
    let ev = evaluate(&input, &Policy::builtin(), &EvalOptions::default()).unwrap();
    let sum = ev.summary(&[GroupDim::Exam]);
    let e1 = &sum.rows[0].counts;
    let e2 = &sum.rows[1].counts;
    // E1: S000, S001 sat; S002 has 产假 (all exams) and 个人原因 (E1): accepted → excluded
    assert_eq!((e1.expected, e1.sat, e1.exempt), (2, 2, 1));
    // E2: S000 sat; S001 长期病假 excluded; S002 产假 excluded
    assert_eq!((e2.expected, e2.sat, e2.exempt), (1, 1, 2));
    assert_eq!(ev.exemptions.len(), 4);
    assert!(ev
        .exemptions
        .iter()
        .all(|e| e.outcome == ExemptionOutcome::Excluded));
    assert!(ev
        .exemptions
        .iter()
        .any(|e| e.reason == "个人原因" && !e.accepted));
}

fn makeup_data() -> (RosterData, SittingsData) {
    // S000 passes first; S001 fails first, passes make-up; S002 fails both; S003 absent first,
    // passes make-up.
    let r = roster_n(4);
    let mut s = SittingsData::default();
    s.push("S000", "E1", 1, Some(90.0));
    s.push("S001", "E1", 1, Some(40.0));
    s.push("S001", "E1", 2, Some(75.0));
    s.push("S002", "E1", 1, Some(40.0));
    s.push("S002", "E1", 2, Some(50.0));
    s.push("S003", "E1", 1, None);
    s.push("S003", "E1", 2, Some(61.0));
    (r, s)
}

#[test]
fn makeups_counting_both_ways() {
    let (r, s) = makeup_data();
    let ev = run(&r, &s, &policy("makeup_counts = true\njudge = \"final\"")).unwrap();
    let row = only_row(&ev);
    assert_eq!(
        (
            row.counts.sat,
            row.counts.first_passed,
            row.counts.final_passed,
            row.counts.makeups
        ),
        (4, 1, 3, 3)
    );
    assert_eq!(row.judged_pass_rate, Rate::new(3, 4));
    let failed: Vec<_> = ev.people().map(|p| p.staff_id).collect();
    assert_eq!(failed, ["S002"]);

    let ev = run(&r, &s, &policy("makeup_counts = false\njudge = \"final\"")).unwrap();
    let row = only_row(&ev);
    assert_eq!((row.counts.first_passed, row.counts.final_passed), (1, 1));
    assert_eq!(row.judged_pass_rate, Rate::new(1, 4));
    assert_eq!(ev.people_len(), 3);

    // judge = first: make-ups count for the final rate but the first-attempt rate is judged
    let ev = run(&r, &s, &policy("makeup_counts = true\njudge = \"first\"")).unwrap();
    let row = only_row(&ev);
    assert_eq!(row.judged_pass_rate, Rate::new(1, 4));
    assert_eq!(row.final_pass_rate, Rate::new(3, 4));
    let p = ev.people().find(|p| p.staff_id == "S001").unwrap();
    assert!(!p.first_passed && p.final_passed && p.sittings == 2);

    // pass rates over expected instead of sat
    let mut r2 = r.clone();
    r2.push("S004", "内科", "医师"); // absent
    let ev = run(
        &r2,
        &s,
        &policy("judge = \"final\"\npass_rate_denominator = \"expected\""),
    )
    .unwrap();
    let row = only_row(&ev);
    assert_eq!(row.judged_pass_rate, Rate::new(3, 5));
    assert_eq!(row.first_pass_rate, Rate::new(1, 5));
}

#[test]
fn makeup_rules_per_exam_kind() {
    let (r, s) = makeup_data();
    let exams = ["E1"];
    let kinds = ["三基操作"];
    let p =
        policy("judge = \"final\"\n[kinds.\"三基操作\"]\nmakeup_counts = false\npass_mark = 80");
    let input = ExamInput::new(r.view(), s.view())
        .with_exams(Exams::new(&exams).unwrap().with_kind(&kinds).unwrap());
    let ev = evaluate(&input, &p, &EvalOptions::default()).unwrap();
    let row = only_row(&ev);
    // pass mark 80: only S000 (90) passes first; make-ups do not count
    assert_eq!((row.counts.first_passed, row.counts.final_passed), (1, 1));
    let kind = ev.summary(&[GroupDim::ExamKind]);
    assert_eq!(kind.rows[0].key, [Some("三基操作".to_string())]);
}

#[test]
fn component_rules_all_vs_total() {
    let r = roster_n(4);
    let mut s = SittingsData::default();
    // theory, skill, total
    let rows = [
        (70.0, 80.0, 75.0), // all pass
        (55.0, 90.0, 72.5), // theory fails; total passes
        (65.0, 50.0, 57.5), // skill fails; total fails
        (60.0, 60.0, 60.0), // exactly at the pass mark
    ];
    for (i, (t, k, tot)) in rows.iter().enumerate() {
        s.push(&format!("S{i:03}"), "E1", 1, Some(*tot));
        s.component("theory", Some(*t));
        s.component("skill", Some(*k));
    }
    let ev = run(&r, &s, &policy("components = \"all\"")).unwrap();
    assert_eq!(only_row(&ev).counts.first_passed, 2);
    let ev = run(&r, &s, &policy("components = \"total\"")).unwrap();
    assert_eq!(only_row(&ev).counts.first_passed, 3);

    // weighted total from components when there is no score column: 0.3 theory + 0.7 skill
    let p = policy("components = \"total\"\ncomponent_weights = { theory = 0.3, skill = 0.7 }");
    let input = ExamInput::new(r.view(), s.view_with(false));
    let ev = evaluate(&input, &p, &EvalOptions::default()).unwrap();
    // 0.3*70+0.7*80=77 ✓; 0.3*55+0.7*90=79.5 ✓; 0.3*65+0.7*50=54.5 ✗; 60 ✓ (exactly)
    assert_eq!(only_row(&ev).counts.first_passed, 3);

    // "total" without a score column and without weights is a usage error
    let err = evaluate(
        &input,
        &policy("components = \"total\""),
        &EvalOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, ExamError::Inconsistent(_)), "{err}");

    // required components: a sitting missing its skill score fails under "all"
    let mut s2 = SittingsData::default();
    s2.push("S000", "E1", 1, None);
    s2.component("theory", Some(90.0));
    s2.component("skill", None);
    s2.push("S001", "E1", 1, None);
    s2.component("theory", Some(90.0));
    s2.component("skill", Some(61.0));
    let r2 = roster_n(2);
    let ev = run(&r2, &s2, &Policy::builtin()).unwrap();
    assert_eq!(only_row(&ev).counts.first_passed, 2); // present components only
    let ev = run(
        &r2,
        &s2,
        &policy("required_components = [\"theory\", \"skill\"]"),
    )
    .unwrap();
    assert_eq!(only_row(&ev).counts.first_passed, 1);
    let err = run(&r2, &s2, &policy("required_components = [\"oral\"]")).unwrap_err();
    assert!(err.to_string().contains("oral"), "{err}");
}

#[test]
fn exact_scores_at_the_pass_mark() {
    let r = roster_n(4);
    let mut s = SittingsData::default();
    // 0.1 * 3 * 200 reads as 60 (typed-decimal reading); 59.99999 does not
    for (i, v) in [0.1 * 3.0 * 200.0, 59.999_99, 60.000_000_000_001, 59.5]
        .iter()
        .enumerate()
    {
        s.push(&format!("S{i:03}"), "E1", 1, Some(*v));
    }
    let ev = run(&r, &s, &policy("pass_mark = \"59.5\"")).unwrap();
    assert_eq!(only_row(&ev).counts.first_passed, 4);
    let ev = run(&r, &s, &Policy::builtin()).unwrap();
    assert_eq!(only_row(&ev).counts.first_passed, 2);
}

#[test]
fn exams_table_scope_and_employment() {
    let mut r = RosterData::default();
    r.push("D1", "内科", "医师");
    r.push("D2", "外科", "医师")
        .employed(Some("2024-06-01"), None); // joined after E1
    r.push("N1", "内科", "护士");
    r.push("N2", "外科", "护士")
        .employed(None, Some("2024-03-31")); // left before E2
    r.push("A1", "院办", "管理");
    let exams = ["E1", "E2", "E3"];
    let dates = ["2024-03-15", "2024-09-15", "2024-09-20"];
    let cats = [Some("医师、护士"), Some("护士"), None];
    let depts = [None, None, Some("外科")];
    let ex = Exams::new(&exams)
        .unwrap()
        .with_date(DateCol::parse(&dates))
        .unwrap()
        .with_categories(&cats)
        .unwrap()
        .with_departments(&depts)
        .unwrap();
    let mut s = SittingsData::default();
    s.push("D1", "E1", 1, Some(90.0));
    s.push("N1", "E1", 1, Some(90.0));
    s.push("N2", "E1", 1, Some(90.0));
    s.push("N1", "E2", 1, Some(50.0));
    s.push("D2", "E3", 1, Some(70.0));
    let input = ExamInput::new(r.view(), s.view()).with_exams(ex);
    let ev = evaluate(&input, &Policy::builtin(), &EvalOptions::default()).unwrap();
    let sum = ev.summary(&[GroupDim::Exam]);
    let c: Vec<_> = sum
        .rows
        .iter()
        .map(|r| (r.key[0].clone().unwrap(), r.counts.expected, r.counts.sat))
        .collect();
    // E1: D1, N1, N2 (D2 not yet employed, A1 out of scope); E2: N1 (N2 left); E3: D2 (外科,
    // employed), N2 left.
    assert_eq!(
        c,
        [
            ("E1".to_string(), 3, 3),
            ("E2".to_string(), 1, 1),
            ("E3".to_string(), 1, 1)
        ]
    );
    // a sitting by someone not expected is rejected (strict: error)
    let mut s2 = s.clone();
    s2.push("A1", "E1", 1, Some(99.0));
    let ex = Exams::new(&exams).unwrap().with_categories(&cats).unwrap();
    let input = ExamInput::new(r.view(), s2.view()).with_exams(ex);
    let err = evaluate(&input, &Policy::builtin(), &EvalOptions::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("category is not in the exam's scope"),
        "{err}"
    );
}

#[test]
fn exam_pass_marks_from_the_table_and_grouping() {
    let mut r = RosterData::default();
    r.push("S1", "内科", "医师").hosp("H1");
    r.push("S2", "外科", "护士").hosp("H1");
    r.push("S3", "内科", "医师").hosp("H2");
    let exams = ["E1", "E2"];
    let pass = [Some(80i64), None];
    let hosp = [Some("H1"), None];
    let ex = Exams::new(&exams)
        .unwrap()
        .with_pass_mark(&pass)
        .unwrap()
        .with_hospital(&hosp)
        .unwrap();
    let mut s = SittingsData::default();
    s.push("S1", "E1", 1, Some(79.0));
    s.push("S2", "E1", 1, Some(80.0));
    for w in ["S1", "S2", "S3"] {
        s.push(w, "E2", 1, Some(61.0));
    }
    let input = ExamInput::new(r.view(), s.view()).with_exams(ex);
    let ev = evaluate(&input, &Policy::builtin(), &EvalOptions::default()).unwrap();
    let sum = ev.summary(&[GroupDim::Hospital, GroupDim::Exam]);
    let got: Vec<_> = sum
        .rows
        .iter()
        .map(|r| (r.key.clone(), r.counts.expected, r.counts.first_passed))
        .collect();
    let k = |h: &str, e: &str| vec![Some(h.to_string()), Some(e.to_string())];
    assert_eq!(
        got,
        [
            (k("H1", "E1"), 2, 1),
            (k("H1", "E2"), 2, 2),
            (k("H2", "E2"), 1, 1)
        ]
    );
    let by_cat = ev.summary(&[GroupDim::Category, GroupDim::Department]);
    assert_eq!(by_cat.rows.len(), 2);
    assert_eq!(by_cat.by, [GroupDim::Category, GroupDim::Department]);
    assert_eq!(
        by_cat.rows[0].key,
        [Some("医师".into()), Some("内科".into())]
    );
    assert_eq!(by_cat.rows[0].counts.expected, 3);
    let total = ev.total();
    assert_eq!(total.counts.expected, 5);
    assert_eq!(ev.summary(&[]).rows[0].counts, total.counts);
}

#[test]
fn without_exams_table_hospitals_do_not_expect_each_other() {
    let mut r = RosterData::default();
    r.push("A1", "内科", "医师").hosp("H1");
    r.push("A2", "内科", "医师").hosp("H1");
    r.push("B1", "内科", "医师").hosp("H2");
    let mut s = SittingsData::default();
    s.push("A1", "H1-E", 1, Some(70.0));
    s.push("B1", "H2-E", 1, Some(70.0));
    let ev = run(&r, &s, &Policy::builtin()).unwrap();
    let sum = ev.summary(&[GroupDim::Exam]);
    assert_eq!(sum.rows[0].counts.expected, 2); // H1-E: A1, A2
    assert_eq!(sum.rows[1].counts.expected, 1); // H2-E: B1
}

#[test]
fn reference_date_without_exams_table() {
    let mut r = roster_n(2);
    r.employed(None, Some("2023-12-31")); // S001 left
    let mut s = SittingsData::default();
    s.push("S000", "E1", 1, Some(70.0));
    let opts = EvalOptions {
        reference_date: Some("2024-05-01".parse().unwrap()),
        ..EvalOptions::default()
    };
    let ev = evaluate(
        &ExamInput::new(r.view(), s.view()),
        &Policy::builtin(),
        &opts,
    )
    .unwrap();
    assert_eq!(only_row(&ev).counts.expected, 1);
    let ev = run(&r, &s, &Policy::builtin()).unwrap();
    assert_eq!(only_row(&ev).counts.expected, 2);
}

#[test]
fn measures_for_the_scorer() {
    let mut r = RosterData::default();
    r.push("D1", "急诊科", "医师");
    r.push("D2", "内科", "医师");
    r.push("N1", "急诊科", "护士");
    r.push("M1", "院办", "管理");
    let mut s = SittingsData::default();
    s.push("D1", "E1", 1, Some(90.0));
    s.push("D2", "E1", 1, Some(50.0));
    s.push("N1", "E1", 1, Some(70.0));
    let ev = run(&r, &s, &Policy::builtin()).unwrap();
    let src: ExamSource =
        toml::from_str("exams = \"participation_rate\"\ncategories = [\"医师\", \"护士\"]")
            .unwrap();
    assert_eq!(src.value(&ev), Quantity::ratio_of_counts(3, 3));
    let all = ExamFilter::default();
    assert_eq!(
        ev.measure(ExamMeasure::ParticipationRate, &all),
        Quantity::ratio_of_counts(3, 4)
    );
    assert_eq!(
        ev.measure(ExamMeasure::FirstPassRate, &all),
        Quantity::ratio_of_counts(2, 3)
    );
    assert_eq!(
        ev.measure(ExamMeasure::Absent, &all),
        Some(Quantity::Decimal(1.into()))
    );
    let t: Target = ">= 100%".parse().unwrap();
    assert!(t.holds(&src.value(&ev).unwrap()));
    // nothing selected: rates are None, counts 0
    let none = ExamFilter {
        departments: vec!["药剂科".into()],
        ..ExamFilter::default()
    };
    assert_eq!(ev.measure(ExamMeasure::ParticipationRate, &none), None);
    assert_eq!(
        ev.measure(ExamMeasure::Expected, &none),
        Some(Quantity::Decimal(0.into()))
    );
    assert_eq!(ev.unknown_filter_values(&none), ["department \"药剂科\""]);
    // unknown fields and measures are rejected
    assert!(toml::from_str::<ExamSource>("exams = \"participation\"").is_err());
    assert!(toml::from_str::<ExamSource>("exams = \"sat\"\ncategory = [\"医师\"]").is_err());
    assert!(toml::from_str::<ExamFilter>("hospitals = \"H1\"").is_err());
    let f: ExamFilter =
        toml::from_str("hospital = \"H1\"\nexam_kinds = [\"三基理论\"]\nexam_ids = [\"E1\"]")
            .unwrap();
    assert_eq!(f.hospital.as_deref(), Some("H1"));
}

#[test]
fn group_dims_parse() {
    assert_eq!("exam_id".parse::<GroupDim>(), Ok(GroupDim::Exam));
    assert_eq!("kind".parse::<GroupDim>(), Ok(GroupDim::ExamKind));
    assert_eq!("hospital_id".parse::<GroupDim>(), Ok(GroupDim::Hospital));
    assert!("ward".parse::<GroupDim>().is_err());
    let v: Vec<GroupDim> = serde_json::from_str(r#"["department", "exam_kind"]"#).unwrap();
    assert_eq!(v, [GroupDim::Department, GroupDim::ExamKind]);
}

#[test]
fn empty_inputs() {
    let r = RosterData::default();
    let s = SittingsData::default();
    let ev = run(&r, &s, &Policy::builtin()).unwrap();
    assert!(ev.summary(&[GroupDim::Exam]).rows.is_empty());
    let t = ev.total();
    assert_eq!(t.counts, Counts::default());
    assert_eq!(t.participation_met, None);
    assert_eq!(t.pass_met, None);
}

#[test]
fn people_carry_their_session() {
    let r = roster_n(3);
    let mut s = SittingsData::default();
    s.push("S000", "E1", 1, Some(30.0));
    s.session[0] = Some("第3场".into());
    s.push("S000", "E1", 2, Some(40.0));
    s.session[1] = Some("补考1场".into());
    s.push("S001", "E1", 1, None);
    s.session[2] = Some("第1场".into());
    s.push("S002", "E1", 1, Some(90.0));
    let ev = run(&r, &s, &Policy::builtin()).unwrap();
    let got: Vec<_> = ev
        .people()
        .map(|p| (p.staff_id, p.problem, p.session_id, p.sittings))
        .collect();
    assert_eq!(
        got,
        [
            ("S000", Problem::Failed, Some("补考1场"), 2),
            ("S001", Problem::Absent, Some("第1场"), 0),
        ]
    );
}
