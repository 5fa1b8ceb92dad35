//! The bad-input corpus (`tests/data/bad-input/`): each file gives the error its manifest
//! (`expected.toml`) says — a message naming the file, the place and the criterion — and
//! nothing panics. Every file in the directory must be in the manifest.

use sanjia::{Evidence, Rulebook};
use std::collections::BTreeSet;
use std::path::Path;

#[derive(serde::Deserialize)]
struct Manifest {
    case: Vec<Case>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    file: String,
    kind: String,
    score: Option<String>,
    error: Option<String>,
}

fn outcome(dir: &Path, c: &Case) -> Result<(), String> {
    let path = dir.join(&c.file);
    match c.kind.as_str() {
        "evidence" => {
            let ev = Evidence::load(&path).map_err(|e| e.to_string())?;
            if let Some(rb) = &c.score {
                let rb = Rulebook::builtin(rb).map_err(|e| e.to_string())?;
                ev.sheet(&rb).map_err(|e| e.to_string())?;
            }
            Ok(())
        }
        "rulebook" => Rulebook::load(&path).map(|_| ()).map_err(|e| e.to_string()),
        k => panic!("{}: unknown kind {k:?}", c.file),
    }
}

#[test]
fn every_bad_input_gives_its_expected_error() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad-input");
    let text = std::fs::read_to_string(dir.join("expected.toml")).unwrap();
    let m: Manifest = toml::from_str(&text).unwrap();
    let mut failures = Vec::new();
    let mut listed = BTreeSet::new();
    for c in &m.case {
        assert!(listed.insert(c.file.clone()), "{} listed twice", c.file);
        let got = std::panic::catch_unwind(|| outcome(&dir, c))
            .unwrap_or_else(|_| Err(format!("PANIC on {}", c.file)));
        match (&c.error, &got) {
            (None, Ok(())) => {}
            (Some(want), Err(msg)) if msg.contains(want.as_str()) => {
                // The error names the file (loading errors) and is short.
                if c.score.is_none() {
                    assert!(msg.contains(&c.file), "{}: {msg}", c.file);
                }
                assert!(msg.len() < 2000, "{}: {msg}", c.file);
            }
            _ => failures.push(format!("{}: expected {:?}, got {:?}", c.file, c.error, got)),
        }
    }
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n != "expected.toml")
        .collect();
    let unlisted: Vec<_> = on_disk.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "files not in expected.toml: {unlisted:?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(m.case.len() >= 50);
}

#[test]
fn the_same_bad_text_fails_the_same_way_without_a_file() {
    // Text given directly (not through a file) is checked the same way.
    let e =
        Evidence::from_json(r#"{"hospital": "H1", "articles": {"a": "A", "a": "B"}}"#).unwrap_err();
    assert!(e.to_string().contains("duplicate key \"a\""), "{e}");
    let e = Evidence::from_toml("hospital = \"H\"\n[indicators]\nx = nan\n").unwrap_err();
    assert!(e.to_string().contains("NaN is not a finite number"), "{e}");
    let e =
        Rulebook::from_json(r#"{"rulebook": {"id": "a", "title": "b", "id": "c"}}"#).unwrap_err();
    assert!(e.to_string().contains("duplicate"), "{e}");
}

/// Arrow columns that once lost information or panicked.
#[cfg(feature = "arrow")]
#[test]
fn arrow_columns_keep_ids_exact_and_take_empty_dictionaries() {
    use arrow_array::builder::StringDictionaryBuilder;
    use arrow_array::types::Int32Type;
    use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, UInt64Array};
    use sanjia::evidence::arrow::sheets_from_batches;
    use std::sync::Arc;
    let rb = Rulebook::builtin("demo").unwrap();
    // Hospital ids beyond 2^53 are two hospitals, not one (f64 would merge them).
    let ids: ArrayRef = Arc::new(Int64Array::from(vec![
        9_007_199_254_740_993,
        9_007_199_254_740_992,
    ]));
    let crit: ArrayRef = Arc::new(StringArray::from(vec!["3.1.1", "3.1.1"]));
    let level: ArrayRef = Arc::new(StringArray::from(vec!["A", "B"]));
    let b = RecordBatch::try_from_iter([
        ("hospital_id", ids),
        ("criterion_id", crit.clone()),
        ("level", level),
    ])
    .unwrap();
    let sheets = sheets_from_batches(&rb, &[b]).unwrap();
    let names: Vec<String> = sheets
        .iter()
        .map(|s| match s {
            Ok(s) => s.hospital.clone(),
            Err(e) => e.hospital.clone().unwrap_or_default(),
        })
        .collect();
    assert_eq!(names, ["9007199254740993", "9007199254740992"]);
    // A count beyond 2^53 in an integer column is an error, not a rounded number.
    let h: ArrayRef = Arc::new(StringArray::from(vec!["H", "H"]));
    let ind: ArrayRef = Arc::new(StringArray::from(vec!["1.1.1.1", "2.2.7"]));
    let value: ArrayRef = Arc::new(UInt64Array::from(vec![Some(u64::MAX), None]));
    let num: ArrayRef = Arc::new(Float64Array::from(vec![None, Some(3.0)]));
    let den: ArrayRef = Arc::new(Int64Array::from(vec![None, Some(i64::MAX)]));
    let b = RecordBatch::try_from_iter([
        ("hospital_id", h.clone()),
        ("criterion_id", ind),
        ("value", value),
        ("numerator", num),
        ("denominator", den),
    ])
    .unwrap();
    let sheets = sheets_from_batches(&rb, &[b]).unwrap();
    let e = sheets[0].as_ref().unwrap_err().to_string();
    assert!(
        e.contains("row 0, criterion \"1.1.1.1\": value NaN is not a finite number"),
        "{e}"
    );
    assert!(e.contains("row 1, criterion \"2.2.7\""), "{e}");
    // An all-null categorical (empty dictionary) is a column of nulls, not a panic.
    let mut d = StringDictionaryBuilder::<Int32Type>::new();
    d.append_null();
    d.append_null();
    let period: ArrayRef = Arc::new(d.finish());
    let lv: ArrayRef = Arc::new(StringArray::from(vec!["A", "B"]));
    let crit2: ArrayRef = Arc::new(StringArray::from(vec!["3.1.1", "3.1.2"]));
    let b = RecordBatch::try_from_iter([
        ("hospital_id", h),
        ("criterion_id", crit2),
        ("period", period),
        ("level", lv),
    ])
    .unwrap();
    let sheets = sheets_from_batches(&rb, &[b]).unwrap();
    assert!(sheets[0].is_ok(), "{:?}", sheets[0]);
    let _ = crit;
}
