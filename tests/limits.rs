//! Hostile sizes: every limit gives a clear error quickly — no stack overflow, no quadratic
//! blow-up, no message that copies a huge input. Each test also bounds its own time (debug
//! build), so a regression to quadratic behaviour fails here instead of hanging CI.

use sanjia::evidence::table::LongTable;
use sanjia::evidence::{MAX_ENTRIES, MAX_ID_LEN, MAX_PERIODS};
use sanjia::rulebook::compile::{
    MAX_GRADES, MAX_GRADE_CONDITIONS, MAX_NODES, MAX_OUTCOMES, MAX_TEXT_LEN, MAX_TREE_DEPTH,
};
use sanjia::rulebook::layer::MAX_EXTENDS_DEPTH;
use sanjia::rulebook::load::MAX_FILE_BYTES;
use sanjia::{Evidence, EvidenceError, Rulebook, RulebookError};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// Run `f`, failing if it takes longer than `secs` (generous for a debug build on a busy
/// machine; the point is to catch quadratic or exponential behaviour).
fn within<T>(secs: u64, what: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let r = f();
    let took = t.elapsed();
    assert!(
        took < Duration::from_secs(secs),
        "{what} took {took:?} (limit {secs}s)"
    );
    r
}

fn rb_err(r: Result<Rulebook, RulebookError>) -> RulebookError {
    match r {
        Ok(_) => panic!("loaded but should not"),
        Err(e) => e,
    }
}

fn ev_err<T: std::fmt::Debug>(r: Result<T, EvidenceError>) -> EvidenceError {
    match r {
        Ok(v) => panic!("accepted but should not: {v:?}"),
        Err(e) => e,
    }
}

/// Every message stays short, whatever the input size.
fn short_messages(e: &impl std::fmt::Display) {
    let s = e.to_string();
    assert!(s.len() < 20_000, "message of {} bytes", s.len());
}

const HEAD: &str = "[rulebook]\nid = \"big\"\ntitle = \"Big\"\n";

fn grades() -> &'static str {
    "[[grade]]\nid = \"pass\"\nwhen = [\"total >= 0\"]\n"
}

/// A part with one article: the smallest tree that compiles.
const PART: &str = "[[node]]\nid = \"P\"\ntitle = \"P\"\n[[node]]\nid = \"a\"\nparent = \"P\"\ntitle = \"a\"\nkind = \"article\"\npoints = { A = 4, B = 3, C = 2, D = 0 }\n";

#[test]
fn a_200000_node_chain_is_too_deep_and_fails_fast() {
    let mut t = String::from(HEAD);
    for i in 0..200_000 {
        let _ = write!(t, "[[node]]\nid = \"n{i}\"\ntitle = \"t\"\n");
        if i > 0 {
            let _ = writeln!(t, "parent = \"n{}\"", i - 1);
        }
    }
    t.push_str(grades());
    let e = within(60, "a 200,000-node chain", || {
        rb_err(Rulebook::from_toml(&t))
    });
    assert!(
        e.to_string()
            .contains(&format!("the tree is deeper than {MAX_TREE_DEPTH} levels")),
        "{e}"
    );
    short_messages(&e);
}

#[test]
fn too_many_nodes() {
    let mut t = String::from(HEAD);
    t.push_str("[[node]]\nid = \"P\"\ntitle = \"P\"\n");
    for i in 0..MAX_NODES {
        let _ = write!(
            t,
            "[[node]]\nid = \"n{i}\"\ntitle = \"t\"\nparent = \"P\"\n"
        );
    }
    t.push_str(grades());
    let e = within(60, "too many nodes", || rb_err(Rulebook::from_toml(&t)));
    assert!(
        e.to_string()
            .contains(&format!("has more than {MAX_NODES} nodes")),
        "{e}"
    );
}

#[test]
fn a_wide_flat_rulebook_within_the_limits_compiles_fast() {
    // 50,000 articles under one part: linear work everywhere (ids, tree, grades, scoring).
    let mut t = String::from(HEAD);
    t.push_str("[[node]]\nid = \"P\"\ntitle = \"P\"\n");
    for i in 0..50_000 {
        let _ = write!(
            t,
            "[[node]]\nid = \"a{i}\"\ntitle = \"t\"\nparent = \"P\"\nkind = \"article\"\npoints = {{ A = 4, B = 3, C = 2, D = 0 }}\n"
        );
    }
    t.push_str(grades());
    let rb = within(60, "50,000 articles", || Rulebook::from_toml(&t).unwrap());
    let mut ev = Evidence::new("H");
    for i in 0..50_000 {
        ev.articles
            .insert(format!("a{i}"), sanjia::evidence::ArticleLevel::B);
    }
    let r = within(30, "scoring 50,000 articles", || {
        sanjia::score(&rb, &ev).unwrap()
    });
    assert_eq!(r.grade(), Some("pass"));
}

fn nested(open: &str, close: &str, depth: usize) -> String {
    format!("{}1{}", open.repeat(depth), close.repeat(depth))
}

#[test]
fn deeply_nested_toml_and_json_values_are_errors_not_stack_overflows() {
    for depth in [1_000, 100_000] {
        // TOML: a nested array in a table the rulebook keeps as a free value.
        let t = format!("{HEAD}[exams]\nx = {}\n", nested("[", "]", depth));
        let e = within(30, "deep TOML", || rb_err(Rulebook::from_toml(&t)));
        short_messages(&e);
        let t = format!("{HEAD}[exams]\nx = {}\n", nested("{a=", "}", depth));
        let e = within(30, "deep TOML tables", || rb_err(Rulebook::from_toml(&t)));
        short_messages(&e);
        // JSON: serde_json's recursion limit.
        let j = format!(
            r#"{{"rulebook": {{"id": "x", "title": "x"}}, "exams": {{"x": {}}}}}"#,
            nested("[", "]", depth)
        );
        let e = within(30, "deep JSON", || rb_err(Rulebook::from_json(&j)));
        assert!(e.to_string().contains("recursion limit"), "{e}");
        // Evidence, both formats.
        let t = format!(
            "hospital = \"H\"\n[indicators]\nx = {}\n",
            nested("[", "]", depth)
        );
        short_messages(&within(30, "deep TOML evidence", || {
            ev_err(Evidence::from_toml(&t))
        }));
        let j = format!(
            r#"{{"hospital": "H", "indicators": {}}}"#,
            nested("[", "]", depth)
        );
        let e = within(30, "deep JSON evidence", || ev_err(Evidence::from_json(&j)));
        assert!(e.to_string().contains("recursion limit"), "{e}");
    }
}

#[test]
fn a_10_mb_id_is_an_error_with_a_short_message() {
    let huge = "x".repeat(10 * 1024 * 1024);
    // A node id.
    let t = format!(
        "{HEAD}[[node]]\nid = \"{huge}\"\ntitle = \"t\"\n[[node]]\nid = \"c\"\nparent = \"{huge}\"\ntitle = \"t\"\n{}",
        grades()
    );
    let e = within(30, "10 MB node id", || rb_err(Rulebook::from_toml(&t)));
    assert!(
        e.to_string()
            .contains(&format!("longer than {MAX_TEXT_LEN} bytes")),
        "{e}"
    );
    assert!(e.problems.iter().any(|p| p.path == "node[0].id"), "{e}");
    short_messages(&e);
    // The rulebook id, a grade condition, a parameter name.
    for t in [
        format!("[rulebook]\nid = \"{huge}\"\ntitle = \"t\"\n"),
        format!("{HEAD}[[grade]]\nid = \"g\"\nwhen = [\"{huge}\"]\n"),
        format!("{HEAD}[params]\n{huge} = 1\n"),
    ] {
        let e = within(30, "10 MB text", || rb_err(Rulebook::from_toml(&t)));
        assert!(e.to_string().contains("longer than"), "{e}");
        short_messages(&e);
    }
    // Evidence: a hospital id, a criterion id, a period label.
    let rb = Rulebook::builtin("demo").unwrap();
    for t in [
        format!("hospital = \"{huge}\"\n"),
        format!("hospital = \"H\"\n[articles]\n\"{huge}\" = \"A\"\n"),
    ] {
        let e = within(30, "10 MB evidence id", || ev_err(Evidence::from_toml(&t)));
        assert!(
            e.to_string()
                .contains(&format!("longer than {MAX_ID_LEN} bytes")),
            "{e}"
        );
        short_messages(&e);
    }
    let mut ev = Evidence::new("H");
    ev.indicators.insert(
        "1.1.3.1".into(),
        [(
            huge.clone(),
            sanjia::evidence::Observation::Value(90.into()),
        )]
        .into(),
    );
    let e = within(30, "10 MB period", || ev_err(ev.sheet(&rb)));
    assert!(e.to_string().contains("the period label is longer"), "{e}");
    short_messages(&e);
    // In a long table too.
    let hospitals = vec![huge.clone(), "H".into()];
    let criteria = vec!["3.1.1".to_string(), huge.clone()];
    let levels = vec![Some("A".to_string()), Some("A".to_string())];
    let table = LongTable {
        level: Some(&levels),
        ..LongTable::new(&hospitals, &criteria)
    };
    let sheets = within(30, "10 MB ids in a table", || table.sheets(&rb));
    for s in &sheets {
        let e = s.as_ref().unwrap_err();
        assert!(e.to_string().contains("longer than"), "{e}");
        short_messages(e);
    }
}

#[test]
fn a_million_periods_is_an_error_not_quadratic() {
    let rb = Rulebook::builtin("demo").unwrap();
    let n = 1_000_000;
    let hospitals = vec!["H"; n];
    let criteria = vec!["1.1.3.1"; n];
    let periods: Vec<String> = (0..n).map(|i| format!("{i:07}")).collect();
    let values = vec![90.0; n];
    let table = LongTable {
        period: Some(&periods),
        value: Some(&values),
        ..LongTable::new(&hospitals, &criteria)
    };
    let sheets = within(60, "1e6 periods", || table.sheets(&rb));
    let e = sheets[0].as_ref().unwrap_err();
    assert!(
        e.to_string()
            .contains(&format!("more than {MAX_PERIODS} different periods")),
        "{e}"
    );
    short_messages(e);
    // The same in an evidence file's indicator table.
    let mut ev = Evidence::new("H");
    ev.indicators.insert(
        "1.1.3.1".into(),
        (0..n)
            .map(|i| {
                (
                    format!("{i:07}"),
                    sanjia::evidence::Observation::Value(90.into()),
                )
            })
            .collect(),
    );
    let e = within(60, "1e6 periods in evidence", || ev_err(ev.sheet(&rb)));
    assert!(e.to_string().contains("different periods"), "{e}");
    // Just under the limit is fine.
    let mut ev = Evidence::new("H");
    ev.indicators.insert(
        "1.1.3.1".into(),
        (0..MAX_PERIODS)
            .map(|i| {
                (
                    format!("{i:04}"),
                    sanjia::evidence::Observation::Value(90.into()),
                )
            })
            .collect(),
    );
    assert!(ev.sheet(&rb).is_ok());
}

#[test]
fn too_many_entries_for_one_hospital() {
    let rb = Rulebook::builtin("demo").unwrap();
    let n = MAX_ENTRIES + 5;
    let hospitals = vec!["H"; n];
    let criteria = vec!["3.1.1"; n];
    let levels = vec!["A"; n];
    let table = LongTable {
        level: Some(&levels),
        ..LongTable::new(&hospitals, &criteria)
    };
    let sheets = within(120, "a million rows", || table.sheets(&rb));
    let e = sheets[0].as_ref().unwrap_err();
    assert!(
        e.to_string()
            .contains(&format!("more than {MAX_ENTRIES} evidence entries")),
        "{e}"
    );
    short_messages(e);
}

#[test]
fn too_many_grades_conditions_and_outcomes() {
    let mut t = format!("{HEAD}[[node]]\nid = \"P\"\ntitle = \"P\"\n");
    for i in 0..=MAX_GRADES {
        let _ = write!(t, "[[grade]]\nid = \"g{i}\"\n");
    }
    let e = rb_err(Rulebook::from_toml(&t));
    assert!(
        e.to_string()
            .contains(&format!("more than {MAX_GRADES} grades")),
        "{e}"
    );
    let conds = vec!["\"total >= 0\""; MAX_GRADE_CONDITIONS + 1].join(", ");
    let t = format!(
        "{HEAD}[[node]]\nid = \"P\"\ntitle = \"P\"\n[[grade]]\nid = \"g\"\nwhen = [{conds}]\n"
    );
    let e = rb_err(Rulebook::from_toml(&t));
    assert!(
        e.to_string()
            .contains(&format!("more than {MAX_GRADE_CONDITIONS} conditions")),
        "{e}"
    );
    let mut t = format!("{HEAD}[[node]]\nid = \"P\"\ntitle = \"P\"\n{}", grades());
    for i in 0..=MAX_OUTCOMES {
        let _ = write!(t, "[[outcome]]\nid = \"o{i}\"\ntitle = \"o\"\n");
    }
    let e = rb_err(Rulebook::from_toml(&t));
    assert!(
        e.to_string()
            .contains(&format!("more than {MAX_OUTCOMES} outcomes")),
        "{e}"
    );
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("sanjia-limits-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn extends_deeper_than_the_limit() {
    let d = tempdir("extends");
    let n = MAX_EXTENDS_DEPTH + 2;
    for i in 0..n {
        let text = if i + 1 == n {
            format!("{HEAD}{PART}{}", grades())
        } else {
            format!(
                "[rulebook]\nid = \"l{i}\"\ntitle = \"t\"\nextends = \"l{}.toml\"\n",
                i + 1
            )
        };
        std::fs::write(d.join(format!("l{i}.toml")), text).unwrap();
    }
    let e = rb_err(Rulebook::load(d.join("l0.toml")));
    assert!(
        e.to_string().contains(&format!(
            "extends is nested deeper than {MAX_EXTENDS_DEPTH} files"
        )),
        "{e}"
    );
    // Exactly at the limit loads.
    let ok = n - MAX_EXTENDS_DEPTH - 1;
    assert!(Rulebook::load(d.join(format!("l{ok}.toml"))).is_ok());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn layering_a_long_chain_is_linear() {
    // A base that is one long chain (valid as a file, too deep to compile on its own) with
    // its root removed by the layer: removal walks the subtree once, not once per level.
    let d = tempdir("chain");
    let mut base = String::from(HEAD);
    for i in 0..100_000 {
        let _ = write!(base, "[[node]]\nid = \"n{i}\"\ntitle = \"t\"\n");
        if i > 0 {
            let _ = writeln!(base, "parent = \"n{}\"", i - 1);
        }
    }
    base.push_str(PART);
    base.push_str(grades());
    std::fs::write(d.join("base.toml"), base).unwrap();
    let mut over = String::from(
        "remove = [\"n0\"]\n[rulebook]\nid = \"over\"\ntitle = \"t\"\nextends = \"base.toml\"\n",
    );
    for i in 0..20_000 {
        let _ = write!(over, "[[patch]]\nid = \"n{}\"\ntitle = \"p\"\n", i * 5);
    }
    std::fs::write(d.join("over.toml"), over).unwrap();
    let e = within(60, "layering over a 100,000-node chain", || {
        rb_err(Rulebook::load(d.join("over.toml")))
    });
    // Every patch names a removed node: 20,000 problems, one per patch.
    assert_eq!(e.problems.len(), 20_000);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn files_larger_than_the_limit_are_not_read() {
    let d = tempdir("size");
    let p = d.join("huge.toml");
    let f = std::fs::File::create(&p).unwrap();
    f.set_len(MAX_FILE_BYTES + 1).unwrap(); // sparse: no 64 MB written
    let e = rb_err(Rulebook::load(&p));
    assert!(e.to_string().contains("larger than"), "{e}");
    let e = ev_err(Evidence::load(&p));
    assert!(e.to_string().contains("larger than"), "{e}");
    // Text given directly is held to the same limit.
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn numbers_too_far_apart_are_an_error_not_a_panic() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/regressions/rulebook_toml/numbers-far-apart.toml"),
    )
    .unwrap();
    let rb = Rulebook::from_toml(&text).unwrap();
    let mut ev = Evidence::new("H");
    ev.articles
        .insert("a".into(), sanjia::evidence::ArticleLevel::A);
    ev.articles
        .insert("b".into(), sanjia::evidence::ArticleLevel::D);
    let e = ev_err(sanjia::score(&rb, &ev));
    assert!(
        e.to_string()
            .contains("too large or too far apart for 28-digit decimals"),
        "{e}"
    );
    assert_eq!(e.hospital.as_deref(), Some("H"));
}

#[test]
fn too_many_selector_terms_in_all_conditions() {
    // Each selector term is a pass over every node when the conditions are resolved: 4 grades
    // x 64 conditions x 24 measures x 16 terms would be 98,304 passes.
    let sel = vec!["articles"; 16].join(" ");
    let cond = format!("{:?}", vec![format!("count({sel}) >= 0"); 24].join(" and "));
    let conds = vec![cond; 64].join(", ");
    let mut t = format!("{HEAD}{PART}");
    for g in 0..4 {
        let _ = write!(t, "[[grade]]\nid = \"g{g}\"\nwhen = [{conds}]\n");
    }
    let e = within(60, "many selector terms", || {
        rb_err(Rulebook::from_toml(&t))
    });
    assert!(
        e.to_string().contains(&format!(
            "more than {} selector terms in all",
            sanjia::rulebook::compile::MAX_SELECTOR_TERMS
        )),
        "{e}"
    );
    assert_eq!(e.problems.len(), 1, "{e}");
}
