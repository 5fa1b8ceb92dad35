//! Arrow input: the same results as plain slices, for every string and number layout.
#![cfg(feature = "arrow")]

use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, Date32Array, DictionaryArray, Float64Array, Int32Array, Int64Array,
    LargeStringArray, RecordBatch, StringArray, StringViewArray, TimestampMillisecondArray,
    UInt8Array,
};
use sanjia::exams::*;
use std::sync::Arc;

fn batch(cols: Vec<(&str, ArrayRef)>) -> RecordBatch {
    RecordBatch::try_from_iter(cols).unwrap()
}

fn arc<A: Array + 'static>(a: A) -> ArrayRef {
    Arc::new(a)
}

const STAFF: [&str; 6] = ["S1", "S2", "S3", "S4", "S5", "S6"];
const DEPT: [&str; 6] = ["内科", "内科", "外科", "外科", "急诊科", "急诊科"];
const CAT: [&str; 6] = ["医师", "护士", "医师", "护士", "医师", "护士"];

/// The plain-slice reference evaluation.
fn reference() -> ExamEvaluation {
    let reason = [None, None, None, Some("产假"), None, None];
    let roster = Roster::new(&STAFF, &DEPT, &CAT)
        .unwrap()
        .with_exempt_reason(&reason)
        .unwrap();
    let who = ["S1", "S2", "S3", "S3", "S5", "S6", "S1", "S2"];
    let exam = ["E1", "E1", "E1", "E1", "E1", "E1", "E2", "E2"];
    let attempt = [1i64, 1, 1, 2, 1, 1, 1, 1];
    let score = [
        Some(80.0),
        Some(55.5),
        Some(40.0),
        Some(70.0),
        None,
        Some(60.0),
        Some(90.0),
        Some(61.0),
    ];
    let sittings = Sittings::new(&who, &exam)
        .unwrap()
        .with_attempt(&attempt)
        .unwrap()
        .with_score(&score)
        .unwrap()
        .with_component(
            "theory",
            &[None, None, None, None, None, None, Some(90.0), Some(50.0)],
        )
        .unwrap();
    let ids = ["E1", "E2"];
    let dates = [
        Date::from_ymd(2024, 3, 1).unwrap(),
        Date::from_ymd(2024, 9, 1).unwrap(),
    ];
    let cats = [None, Some("医师,护士")];
    let depts = [None, Some("内科")];
    let exams = Exams::new(&ids)
        .unwrap()
        .with_date(&dates)
        .unwrap()
        .with_categories(&cats)
        .unwrap()
        .with_departments(&depts)
        .unwrap();
    let input = ExamInput::new(roster, sittings).with_exams(exams);
    evaluate(&input, &Policy::builtin(), &EvalOptions::default()).unwrap()
}

fn same(a: &ExamEvaluation, b: &ExamEvaluation) {
    let by = [GroupDim::Exam, GroupDim::Department, GroupDim::Category];
    assert_eq!(a.summary(&by), b.summary(&by));
    assert!(a.people().eq(b.people()));
    assert_eq!(a.exemptions, b.exemptions);
    assert_eq!(a.rows, b.rows);
}

#[test]
fn arrow_tables_match_plain_slices() {
    let expected = reference();
    assert_eq!(expected.total().counts.expected, 7); // E1: 6 minus S4 (产假); E2: S1, S2

    // roster: Utf8 ids, LargeUtf8 departments, Utf8View categories, in two batches
    let roster_batch = |r: std::ops::Range<usize>| {
        let reason: Vec<Option<&str>> =
            [None, None, None, Some("产假"), None, None][r.clone()].to_vec();
        batch(vec![
            (
                "staff_id",
                arc(StringArray::from(STAFF[r.clone()].to_vec())),
            ),
            (
                "department",
                arc(LargeStringArray::from(DEPT[r.clone()].to_vec())),
            ),
            (
                "category",
                arc(StringViewArray::from(CAT[r.clone()].to_vec())),
            ),
            ("exempt_reason", arc(StringArray::from(reason))),
            ("unused", arc(Int32Array::from(vec![0; r.len()]))),
        ])
    };
    let roster_batches = vec![roster_batch(0..4), roster_batch(4..6)];
    // sittings: Utf8View staff, dictionary exam ids, Int32 attempt, Float64 score with nulls,
    // Int64 theory component
    let who = StringViewArray::from(vec!["S1", "S2", "S3", "S3", "S5", "S6", "S1", "S2"]);
    let exam: DictionaryArray<Int32Type> = vec!["E1", "E1", "E1", "E1", "E1", "E1", "E2", "E2"]
        .into_iter()
        .collect();
    let attempt = Int32Array::from(vec![1, 1, 1, 2, 1, 1, 1, 1]);
    let score = Float64Array::from(vec![
        Some(80.0),
        Some(55.5),
        Some(40.0),
        Some(70.0),
        None,
        Some(60.0),
        Some(90.0),
        Some(61.0),
    ]);
    let theory = Int64Array::from(vec![None, None, None, None, None, None, Some(90), Some(50)]);
    let sit_batch = batch(vec![
        ("staff_id", arc(who)),
        ("exam_id", arc(exam)),
        ("attempt", arc(attempt)),
        ("score", arc(score)),
        ("theory", arc(theory)),
    ]);
    let exams_batch = batch(vec![
        ("exam_id", arc(StringArray::from(vec!["E1", "E2"]))),
        (
            "date",
            arc(Date32Array::from(vec![
                Date::from_ymd(2024, 3, 1).unwrap().days(),
                Date::from_ymd(2024, 9, 1).unwrap().days(),
            ])),
        ),
        (
            "categories",
            arc(StringArray::from(vec![None, Some("医师,护士")])),
        ),
        (
            "departments",
            arc(LargeStringArray::from(vec![None, Some("内科")])),
        ),
    ]);
    let sittings_batches = [sit_batch];
    let exams_batches = [exams_batch];
    let input = ExamInput::new(
        Roster::from_arrow(&roster_batches).unwrap(),
        Sittings::from_arrow(&sittings_batches, &["theory"]).unwrap(),
    )
    .with_exams(Exams::from_arrow(&exams_batches).unwrap());
    let got = evaluate(&input, &Policy::builtin(), &EvalOptions::default()).unwrap();
    same(&expected, &got);

    // Sliced arrays (non-zero offsets) read the right rows: take sittings rows 2.. from a
    // longer batch whose first two rows are junk.
    let pad = |v: Vec<&'static str>| -> Vec<&'static str> {
        let mut w = vec!["junk", "junk"];
        w.extend(v);
        w
    };
    let who = StringArray::from(pad(vec!["S1", "S2", "S3", "S3", "S5", "S6", "S1", "S2"]));
    let exam = StringArray::from(pad(vec!["E1", "E1", "E1", "E1", "E1", "E1", "E2", "E2"]));
    let attempt = UInt8Array::from(vec![9, 9, 1, 1, 1, 2, 1, 1, 1, 1]);
    let score = Float64Array::from(vec![
        Some(f64::NAN),
        Some(f64::NAN),
        Some(80.0),
        Some(55.5),
        Some(40.0),
        Some(70.0),
        None,
        Some(60.0),
        Some(90.0),
        Some(61.0),
    ]);
    let theory = Float64Array::from(vec![
        Some(1000.0),
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        Some(90.0),
        Some(50.0),
    ]);
    let long = batch(vec![
        ("staff_id", arc(who)),
        ("exam_id", arc(exam)),
        ("attempt", arc(attempt)),
        ("score", arc(score)),
        ("theory", arc(theory)),
    ]);
    let sliced = [long.slice(2, 8)];
    let input = ExamInput::new(
        Roster::from_arrow(&roster_batches).unwrap(),
        Sittings::from_arrow(&sliced, &["theory"]).unwrap(),
    )
    .with_exams(Exams::from_arrow(&exams_batches).unwrap());
    let got = evaluate(&input, &Policy::builtin(), &EvalOptions::default()).unwrap();
    same(&expected, &got);
}

#[test]
fn arrow_dates_and_training_sessions() {
    // employment dates as strings and as timestamps
    let roster = batch(vec![
        ("staff_id", arc(StringArray::from(vec!["A", "B"]))),
        ("department", arc(StringArray::from(vec!["内科", "内科"]))),
        ("category", arc(StringArray::from(vec!["医师", "医师"]))),
        (
            "employed_from",
            arc(StringArray::from(vec![None, Some("2024-06-01")])),
        ),
        (
            "employed_to",
            arc(TimestampMillisecondArray::from(vec![None, None::<i64>])),
        ),
    ]);
    let exams = batch(vec![
        ("exam_id", arc(StringArray::from(vec!["E1"]))),
        // 2024-03-01T10:00 as a timestamp: the date part counts
        (
            "date",
            arc(TimestampMillisecondArray::from(vec![
                Date::from_ymd(2024, 3, 1).unwrap().days() as i64 * 86_400_000 + 36_000_000,
            ])),
        ),
    ]);
    let sittings = batch(vec![
        ("staff_id", arc(StringArray::from(vec!["A"]))),
        ("exam_id", arc(StringArray::from(vec!["E1"]))),
        ("score", arc(Int32Array::from(vec![75]))),
    ]);
    let (r, e, s) = ([roster], [exams], [sittings]);
    let input = ExamInput::new(
        Roster::from_arrow(&r).unwrap(),
        Sittings::from_arrow(&s, &[]).unwrap(),
    )
    .with_exams(Exams::from_arrow(&e).unwrap());
    let ev = evaluate(&input, &Policy::builtin(), &EvalOptions::default()).unwrap();
    let t = ev.total().counts;
    assert_eq!((t.expected, t.sat, t.first_passed), (1, 1, 1)); // B joined after the exam

    let sess = batch(vec![
        ("session_id", arc(StringViewArray::from(vec!["D1", "D2"]))),
        ("kind", arc(StringArray::from(vec!["应急演练", "应急演练"]))),
        (
            "date",
            arc(Date32Array::from(vec![
                Date::from_ymd(2024, 2, 1).unwrap().days(),
                Date::from_ymd(2024, 8, 1).unwrap().days(),
            ])),
        ),
        (
            "department",
            arc(StringArray::from(vec![Some("急诊科"), None])),
        ),
        ("attendees", arc(Int64Array::from(vec![Some(10), None]))),
    ]);
    let b = [sess];
    let ev = evaluate_training(
        &Sessions::from_arrow(&b).unwrap(),
        &TrainingPolicy::builtin(),
        &TrainingOptions::default(),
    )
    .unwrap();
    assert_eq!(ev.checks.len(), 2);
    assert!(ev.checks.iter().all(|c| c.met));
}

#[test]
fn arrow_errors_name_table_and_column() {
    let no_cat = batch(vec![
        ("staff_id", arc(StringArray::from(vec!["A"]))),
        ("department", arc(StringArray::from(vec!["内科"]))),
    ]);
    let b = [no_cat];
    let err = Roster::from_arrow(&b).unwrap_err();
    assert_eq!(
        err.to_string(),
        "roster table: required column `category` is missing"
    );
    let bad_type = batch(vec![
        ("staff_id", arc(StringArray::from(vec!["A"]))),
        ("exam_id", arc(StringArray::from(vec!["E"]))),
        ("score", arc(StringArray::from(vec!["80"]))),
    ]);
    let b = [bad_type];
    let err = Sittings::from_arrow(&b, &[]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("sittings table: column `score` has type Utf8, expected an integer"),
        "{err}"
    );
    let err = Sittings::from_arrow(&b, &["skill"]).unwrap_err();
    assert!(err.to_string().contains("`score`") || err.to_string().contains("`skill`"));
    let tz = batch(vec![
        ("exam_id", arc(StringArray::from(vec!["E"]))),
        (
            "date",
            arc(TimestampMillisecondArray::from(vec![0]).with_timezone("Asia/Shanghai")),
        ),
    ]);
    let b = [tz];
    let err = Exams::from_arrow(&b).unwrap_err();
    assert!(
        err.to_string().contains("exams table: column `date`"),
        "{err}"
    );
    assert!(err.to_string().contains("time zone"), "{err}");
}

#[test]
fn arrow_bad_rows_name_global_rows_across_batches() {
    let roster = batch(vec![
        ("staff_id", arc(StringArray::from(vec!["A"]))),
        ("department", arc(StringArray::from(vec!["内科"]))),
        ("category", arc(StringArray::from(vec!["医师"]))),
    ]);
    let sit = |who: Vec<Option<&str>>, score: Vec<Option<f64>>| {
        batch(vec![
            ("staff_id", arc(StringArray::from(who))),
            ("exam_id", arc(StringArray::from(vec!["E1"; 2]))),
            ("score", arc(Float64Array::from(score))),
        ])
    };
    let r = [roster];
    let s = [
        sit(vec![Some("A"), None], vec![Some(70.0), Some(70.0)]),
        sit(vec![Some("B"), Some("A")], vec![Some(70.0), Some(f64::NAN)]),
    ];
    let input = ExamInput::new(
        Roster::from_arrow(&r).unwrap(),
        Sittings::from_arrow(&s, &[]).unwrap(),
    );
    let ev = evaluate(&input, &Policy::builtin(), &EvalOptions::lenient()).unwrap();
    let got: Vec<_> = ev
        .rejections
        .iter()
        .map(|r| (r.row, r.reason.code()))
        .collect();
    assert_eq!(
        got,
        [(1, "missing_value"), (2, "unknown_staff"), (3, "nan_score")]
    );
    assert_eq!(
        ev.rows.sittings,
        RowCount {
            input: 4,
            used: 1,
            rejected: 3
        }
    );
}

#[test]
fn dictionary_encoded_ids_shared_across_batches() {
    use arrow_array::types::UInt16Type;
    let roster = batch(vec![
        ("staff_id", arc(StringArray::from(vec!["A", "B", "C"]))),
        ("department", arc(StringArray::from(vec!["内科"; 3]))),
        ("category", arc(StringArray::from(vec!["医师"; 3]))),
    ]);
    // One dictionary (with a value not on the roster) shared by two batches.
    let values: ArrayRef = arc(StringArray::from(vec!["C", "A", "GHOST", "B"]));
    let dict = |keys: Vec<Option<u16>>| -> ArrayRef {
        arc(DictionaryArray::<UInt16Type>::try_new(
            arrow_array::UInt16Array::from(keys),
            values.clone(),
        )
        .unwrap())
    };
    let exam_values: ArrayRef = arc(StringViewArray::from(vec!["E1", "E2"]));
    let exam = |keys: Vec<i32>| -> ArrayRef {
        arc(
            DictionaryArray::<Int32Type>::try_new(Int32Array::from(keys), exam_values.clone())
                .unwrap(),
        )
    };
    let b1 = batch(vec![
        ("staff_id", dict(vec![Some(1), Some(3), None])),
        ("exam_id", exam(vec![0, 0, 0])),
        ("score", arc(Float64Array::from(vec![70.0, 50.0, 70.0]))),
    ]);
    let b2 = batch(vec![
        ("staff_id", dict(vec![Some(2), Some(0), Some(1)])),
        ("exam_id", exam(vec![0, 0, 1])),
        ("score", arc(Float64Array::from(vec![70.0, 90.0, 65.0]))),
    ]);
    let (r, s) = ([roster], [b1, b2]);
    let input = ExamInput::new(
        Roster::from_arrow(&r).unwrap(),
        Sittings::from_arrow(&s, &[]).unwrap(),
    );
    let ev = evaluate(&input, &Policy::builtin(), &EvalOptions::lenient()).unwrap();
    let got: Vec<_> = ev
        .rejections
        .iter()
        .map(|r| (r.row, r.reason.to_string()))
        .collect();
    assert_eq!(
        got,
        [
            (2, "`staff_id` is missing".to_string()),
            (3, "staff \"GHOST\" is not on the roster".to_string()),
        ]
    );
    let sum = ev.summary(&[GroupDim::Exam]);
    let c: Vec<_> = sum
        .rows
        .iter()
        .map(|r| (r.counts.expected, r.counts.sat, r.counts.first_passed))
        .collect();
    assert_eq!(c, [(3, 3, 2), (3, 1, 1)]);
}

#[test]
fn results_as_record_batches() {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, UInt64Type};
    let ev = reference();
    let b = ev
        .summary_batch(&[GroupDim::Exam, GroupDim::Category])
        .unwrap();
    let names: Vec<String> = b
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(
        names,
        [
            "exam_id",
            "category",
            "expected",
            "sat",
            "absent",
            "exempt",
            "participation_rate",
            "first_passed",
            "first_pass_rate",
            "final_passed",
            "final_pass_rate",
            "makeups",
            "participation_met",
            "pass_met",
            "judged_passed",
            "judged_pass_rate"
        ]
    );
    let s = ev.summary(&[GroupDim::Exam, GroupDim::Category]);
    assert_eq!(b.num_rows(), s.rows.len());
    let exam = b.column(0).as_string::<i32>();
    let expected = b.column(2).as_primitive::<UInt64Type>();
    let rate = b.column(6).as_primitive::<Float64Type>();
    let met = b.column(12).as_boolean();
    for (i, row) in s.rows.iter().enumerate() {
        assert_eq!(Some(exam.value(i)), row.key[0].as_deref());
        assert_eq!(expected.value(i), row.counts.expected);
        assert_eq!(Some(rate.value(i)), row.participation_rate.to_f64());
        assert_eq!(Some(met.value(i)), row.participation_met);
    }
    let p = ev.people_batch().unwrap();
    assert_eq!(p.num_rows(), ev.people_len());
    assert_eq!(p.schema().field(0).name(), "staff_id");
    let problems = p.column_by_name("problem").unwrap().as_string::<i32>();
    let first = ev.people().next().unwrap();
    assert_eq!(problems.value(0), first.problem.name());
    let x = ev.exemptions_batch().unwrap();
    assert_eq!(x.num_rows(), ev.exemptions.len());
    let r = ev.rejections_batch().unwrap();
    assert_eq!(r.num_rows(), 0);
    assert_eq!(r.num_columns(), 4);
}
