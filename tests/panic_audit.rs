//! No panic crosses into Python: every `#[pymethods]` method and `#[pyfunction]` in
//! `src/python/` runs its body inside `guard()` (a panic becomes `sanjia.InternalError`, "a bug
//! in sanjia", with the message), or is a one-line read of a field or a plain getter of the
//! wrapped value, or is listed in [`ALLOWED`] with the reason it cannot panic.
//!
//! A new binding that fails this test: wrap its body, `guard(|| { ... })` (returning
//! `PyResult<T>`), or add it to `ALLOWED` with the reason. `tests/test_properties.py` checks
//! the guard itself end to end (`sanjia._sanjia._panic_for_tests`).

use std::path::Path;

/// Entries that neither use `guard()` nor are one-line reads, with why they cannot panic.
const ALLOWED: &[(&str, &str, &str)] = &[
    ("batch.rs", "_score_evidences", "the scoring runs in run(), which catches panics (InternalError); around it only argument and result conversion"),
    ("batch.rs", "_score_table", "the checking and scoring run in run(), which catches panics (InternalError); around it only argument and result conversion"),
    ("batch.rs", "n_scored", "counts Ok results"),
    ("rulebook.rs", "grades", "clones the grade ids"),
    ("exams.rs", "pass_mark", "converts a checked policy field to a Python Decimal"),
    ("exams.rs", "full_mark", "converts a checked policy field to a Python Decimal"),
    ("exams.rs", "judge", "names an enum value"),
    ("exams.rs", "components", "names an enum value"),
    ("exams.rs", "component_weights", "copies a map of checked decimals into a dict"),
    ("exams.rs", "participation_target", "formats a checked target"),
    ("exams.rs", "pass_target", "formats a checked target"),
    ("exams.rs", "pass_rate_denominator", "names an enum value"),
    ("exams.rs", "n_people", "a length"),
    ("exams.rs", "n_sessions", "a length"),
    ("exams.rs", "exams", "clones the evaluation into a new handle"),
    ("exams.rs", "training", "clones the evaluation into a new handle"),
];

/// Getters that only read compiled data (no input parsing, no indexing of input).
const GETTERS: &[&str] = &[
    "hospital",
    "grade",
    "earned_grade",
    "meta",
    "file",
    "name",
    "reachable",
    "as_deref",
    "clone",
];

fn trivial(body: &str) -> bool {
    let b = body.trim();
    if b.contains('\n') {
        return false;
    }
    let b = b.strip_prefix('&').unwrap_or(b);
    let Some(rest) = ["self.inner", "self.rulebook", "self.json"]
        .iter()
        .find_map(|p| b.strip_prefix(p))
    else {
        return false;
    };
    rest.split('.').skip(1).all(|seg| {
        if let Some(name) = seg.strip_suffix("()") {
            GETTERS.contains(&name)
        } else if seg == "map(decimal_to_f64)" || seg == "map(f)" {
            true
        } else {
            !seg.is_empty() && seg.chars().all(|c| c.is_alphanumeric() || c == '_')
        }
    }) && !rest.is_empty()
        || rest.is_empty()
}

/// Index of the brace that closes the one at `open` (strings and chars skipped roughly).
fn close(s: &[u8], open: usize) -> usize {
    let mut depth = 0;
    let mut i = open;
    while i < s.len() {
        match s[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            b'"' => {
                i += 1;
                while i < s.len() && s[i] != b'"' {
                    if s[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'\'' if s.get(i + 2) == Some(&b'\'') => i += 2,
            _ => {}
        }
        i += 1;
    }
    s.len()
}

/// The body of the fn whose `fn` keyword is at `at`.
fn body_of(src: &str, at: usize) -> &str {
    let s = src.as_bytes();
    // The body's `{` is the first one after the parameter list's closing `)`.
    let mut depth = 0;
    let mut i = src[at..].find('(').map_or(src.len(), |k| at + k);
    while i < s.len() {
        match s[i] {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
        i += 1;
    }
    let open = src[i..].find('{').map_or(src.len(), |k| i + k);
    let end = close(s, open);
    &src[(open + 1).min(end)..end]
}

fn fn_name(src: &str, at: usize) -> &str {
    let rest = &src[at + 3..];
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// (fn name, body) of every binding entry in a file.
fn entries(src: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let s = src.as_bytes();
    let mut from = 0;
    while let Some(k) = src[from..].find("#[pymethods]") {
        let start = from + k;
        let open = start + src[start..].find('{').expect("impl block");
        let end = close(s, open);
        let block = &src[open..end];
        let mut j = 0;
        while let Some(f) = block[j..].find("\n    fn ").or_else(|| {
            block[j..]
                .find("\n    pub(crate) fn ")
                .map(|x| x + "    pub(crate)".len() - 4)
        }) {
            let line = j + f + 1;
            let at = line + block[line..].find("fn ").expect("fn");
            out.push((
                fn_name(block, at).to_string(),
                body_of(block, at).to_string(),
            ));
            j = at + 3;
        }
        from = end;
    }
    let mut from = 0;
    while let Some(k) = src[from..].find("#[pyfunction]") {
        let start = from + k;
        let at = start + src[start..].find("fn ").expect("fn after #[pyfunction]");
        out.push((fn_name(src, at).to_string(), body_of(src, at).to_string()));
        from = at + 3;
    }
    out
}

#[test]
fn every_binding_entry_is_guarded_or_cannot_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/python");
    let mut checked = 0;
    let mut bad = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("src/python")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    for path in files {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let src = std::fs::read_to_string(&path).expect("read");
        for (name, body) in entries(&src) {
            checked += 1;
            let ok = body.contains("guard(")
                || trivial(&body)
                || ALLOWED.iter().any(|(f, n, _)| *f == file && *n == name);
            if !ok {
                bad.push(format!("{file}: fn {name}"));
            }
        }
    }
    assert!(
        checked > 50,
        "found only {checked} binding entries: is the scan broken?"
    );
    assert!(
        bad.is_empty(),
        "binding entries that may let a panic reach Python (wrap the body in guard(|| ...), \
         or add them to ALLOWED in tests/panic_audit.rs with the reason they cannot panic):\n  {}",
        bad.join("\n  ")
    );
}

#[test]
fn the_scan_sees_guards_and_trivial_reads() {
    let src = r#"
#[pymethods]
impl X {
    #[getter]
    fn a(&self) -> &str {
        &self.inner.meta().id
    }
    fn b(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.explain()))
    }
    fn c(&self) -> String {
        self.inner.explain()
    }
}
#[pyfunction]
pub(crate) fn d(x: &str) -> PyResult<()> {
    let y = x.len() - 1;
    Ok(())
}
"#;
    let e = entries(src);
    let names: Vec<&str> = e.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["a", "b", "c", "d"]);
    assert!(trivial(&e[0].1));
    assert!(e[1].1.contains("guard("));
    assert!(!trivial(&e[2].1));
    assert!(!trivial(&e[3].1));
}
