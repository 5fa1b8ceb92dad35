//! Loading errors for each kind of bad rulebook: the error names the file, the path inside it
//! and the criterion id, and every problem in a file is reported (not just the first).
//!
//! Files under `tests/data/bad/` hold the cases that read better as a file; the rest are
//! inline and named `inline.toml` / `inline.json` through [`Rulebook::parse`].

use sanjia::rulebook::load::Format;
use sanjia::rulebook::{Problem, RulebookError};
use sanjia::Rulebook;
use std::path::PathBuf;

fn bad_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/bad")
        .join(name)
}

/// Load a file from `tests/data/bad/` and return its error.
fn load_err(name: &str) -> RulebookError {
    let path = bad_file(name);
    let e = match Rulebook::load(&path) {
        Ok(_) => panic!("{name} loaded but should not"),
        Err(e) => e,
    };
    assert_eq!(e.file.as_deref(), Some(path.display().to_string().as_str()));
    assert!(
        e.to_string()
            .starts_with(&format!("rulebook {}: ", path.display())),
        "{e}"
    );
    e
}

fn toml_err(text: &str) -> RulebookError {
    match Rulebook::parse(text, Format::Toml, Some("inline.toml")) {
        Ok(_) => panic!("loaded but should not:\n{text}"),
        Err(e) => {
            assert_eq!(e.file.as_deref(), Some("inline.toml"));
            e
        }
    }
}

fn json_err(text: &str) -> RulebookError {
    match Rulebook::parse(text, Format::Json, Some("inline.json")) {
        Ok(_) => panic!("loaded but should not:\n{text}"),
        Err(e) => {
            assert_eq!(e.file.as_deref(), Some("inline.json"));
            e
        }
    }
}

/// The problem at `path`; its id and a part of its message.
fn has<'a>(e: &'a RulebookError, path: &str, id: Option<&str>, msg: &str) -> &'a Problem {
    let p = e
        .problems
        .iter()
        .find(|p| p.path == path)
        .unwrap_or_else(|| panic!("no problem at {path:?} in:\n{e}"));
    assert_eq!(p.id.as_deref(), id, "{p}");
    assert!(p.message.contains(msg), "{p}\nwanted: {msg}");
    // The whole error shows the path and the id.
    let shown = e.to_string();
    let head = match id {
        Some(id) => format!("{path} (id {id:?}): "),
        None => format!("{path}: "),
    };
    assert!(shown.contains(&head), "{shown}\nwanted: {head}");
    p
}

/// The problems' paths, in order.
fn paths(e: &RulebookError) -> Vec<&str> {
    e.problems.iter().map(|p| p.path.as_str()).collect()
}

/// A valid rulebook with part P and article a1, plus `extra` appended (nodes, grades...).
fn with(extra: &str) -> String {
    format!(
        r#"
[rulebook]
id = "t"
title = "T"

[defaults]
article_points = {{ A = 4, B = 3, C = 2, D = 0 }}

[[node]]
id = "P"
title = "Part"

[[node]]
id = "a1"
parent = "P"
kind = "article"
title = "Article"
{extra}
"#
    )
}

fn with_grade(extra: &str, when: &[&str]) -> String {
    let when: Vec<String> = when
        .iter()
        .map(|c| serde_json::to_string(c).unwrap())
        .collect();
    with(&format!(
        "{extra}\n[[grade]]\nid = \"g\"\nwhen = [{}]\n",
        when.join(", ")
    ))
}

#[test]
fn the_valid_base_loads() {
    assert!(Rulebook::parse(&with_grade("", &["total >= 1"]), Format::Toml, None).is_ok());
    assert!(Rulebook::load(bad_file("extends-base.toml")).is_ok());
}

// ------------------------------------------------------------------------------- the tree

#[test]
fn duplicate_ids() {
    let e = load_err("duplicate-id.toml");
    assert_eq!(e.problems.len(), 1, "{e}");
    has(
        &e,
        "node[2].id",
        Some("a1"),
        "duplicate id (first used by node[1])",
    );
    // Duplicate grade and outcome ids.
    let e = toml_err(&with(
        "[[outcome]]\nid = \"o\"\ntitle = \"O\"\n[[outcome]]\nid = \"o\"\ntitle = \"O2\"\n\
         [[grade]]\nid = \"g\"\n[[grade]]\nid = \"g\"\n",
    ));
    has(&e, "outcome[1]", Some("o"), "duplicate outcome id");
    has(
        &e,
        "grade[1].id",
        Some("g"),
        "duplicate grade id (first used by grade[0])",
    );
}

#[test]
fn unknown_parent() {
    let e = load_err("unknown-parent.toml");
    assert_eq!(paths(&e), ["node[2].parent"]);
    has(&e, "node[2].parent", Some("a2"), "unknown parent \"Q\"");
}

#[test]
fn parent_cycles() {
    let e = load_err("parent-cycle.toml");
    assert_eq!(
        paths(&e),
        ["node[2].parent", "node[3].parent", "node[4].parent"]
    );
    has(&e, "node[2].parent", Some("X"), "part of a parent cycle");
    has(&e, "node[3].parent", Some("Y"), "part of a parent cycle");
    has(
        &e,
        "node[4].parent",
        Some("a2"),
        "never reaches a top-level part",
    );
    // A node that is its own parent.
    let e = toml_err(&with(
        "[[node]]\nid = \"s\"\nparent = \"s\"\ntitle = \"Self\"\n[[grade]]\nid = \"g\"\n",
    ));
    has(&e, "node[2].parent", Some("s"), "cannot be its own parent");
}

#[test]
fn tree_shape() {
    // Children of an article.
    let e = toml_err(&with(
        "[[node]]\nid = \"x\"\nparent = \"a1\"\nkind = \"article\"\ntitle = \"X\"\n[[grade]]\nid = \"g\"\n",
    ));
    has(
        &e,
        "node[2].parent",
        Some("x"),
        "parent \"a1\" is an article; only groups have children",
    );
    // A group without children, "total" as an id.
    let e = toml_err(&with(
        "[[node]]\nid = \"empty\"\ntitle = \"Empty\"\n[[node]]\nid = \"total\"\ntitle = \"T\"\nparent = \"P\"\n[[grade]]\nid = \"g\"\n",
    ));
    has(&e, "node[2]", Some("empty"), "a group without children");
    has(&e, "node[3].id", Some("total"), "reserved for the root");
    // No grades; no nodes.
    let e = toml_err(&with(""));
    has(&e, "grade", None, "defines no grade");
    let e = toml_err("[rulebook]\nid = \"t\"\ntitle = \"T\"\n[[grade]]\nid = \"g\"\n");
    has(&e, "node", None, "no nodes");
    // Nothing that carries points.
    let e = toml_err(
        "[rulebook]\nid = \"t\"\ntitle = \"T\"\n[[outcome]]\nid = \"o\"\ntitle = \"O\"\n\
         [[node]]\nid = \"P\"\ntitle = \"P\"\n[[node]]\nid = \"g1\"\nparent = \"P\"\nkind = \"gate\"\n\
         title = \"G\"\non_fail = \"o\"\n[[grade]]\nid = \"g\"\n",
    );
    has(&e, "node", None, "no node carries points");
    // Empty id and title.
    let e = toml_err("[rulebook]\nid = \" \"\ntitle = \"\"\n[[node]]\nid = \"P\"\ntitle = \"P\"\n");
    has(&e, "rulebook.id", None, "is empty");
    has(&e, "rulebook.title", None, "is empty");
}

#[test]
fn a_gate_with_an_unknown_outcome() {
    let e = load_err("gate-outcomes.toml");
    assert_eq!(e.problems.len(), 4, "{e}");
    has(
        &e,
        "node[1].on_fail",
        Some("g1"),
        "unknown outcome \"defre\"",
    );
    has(&e, "node[2].on_fail", Some("g2"), "a gate needs on_fail");
    has(
        &e,
        "outcome[1].steps",
        Some("lower"),
        "a downgrade needs steps >= 1",
    );
    has(
        &e,
        "outcome[2].steps",
        Some("note"),
        "steps only applies to effect = \"downgrade\"",
    );
}

#[test]
fn unknown_flag() {
    let e = toml_err(&with(
        "[[node]]\nid = \"a2\"\nparent = \"P\"\nkind = \"article\"\ntitle = \"A2\"\nflags = [\"star\"]\n[[grade]]\nid = \"g\"\n",
    ));
    has(
        &e,
        "node[2].flags",
        Some("a2"),
        "unknown flag \"star\": declare it under [rulebook.flags]",
    );
}

// ----------------------------------------------------------------------- weights and points

#[test]
fn weights() {
    let e = load_err("weights.toml");
    assert_eq!(e.problems.len(), 3, "{e}");
    has(
        &e,
        "node[2].weight",
        Some("s2"),
        "a weight only counts under a parent with aggregate = \"weighted\"",
    );
    has(
        &e,
        "node[4].weight",
        Some("w1"),
        "its parent \"W\" is weighted, so it needs a weight",
    );
    has(&e, "node[5].weight", Some("w2"), "must not be negative");
    // A part with a weight under a total that is a plain sum.
    let e =
        toml_err(&with_grade("", &[]).replace("title = \"Part\"", "title = \"Part\"\nweight = 2"));
    has(
        &e,
        "node[0].weight",
        Some("P"),
        "a weight only counts under",
    );
}

#[test]
fn negative_and_non_monotone_points() {
    let e = load_err("points.toml");
    assert_eq!(e.problems.len(), 9, "{e}");
    has(
        &e,
        "node[1].points.D",
        Some("a1"),
        "points must not be negative",
    );
    has(
        &e,
        "node[2].points",
        Some("a2"),
        "a better level must not earn fewer points (A = 3, B = 4, C = 2, D = 0)",
    );
    has(
        &e,
        "node[3].trend",
        Some("i1"),
        "improving must earn at least stable",
    );
    has(&e, "node[4].max_points", Some("i2"), "must not be negative");
    has(
        &e,
        "node[5].bands[1].points",
        Some("i3"),
        "must not be negative",
    );
    has(
        &e,
        "node[6].max_points",
        Some("i4"),
        "is 10 but the scoring rules award up to 12",
    );
    has(&e, "node[7].max_points", Some("Z"), "must be positive");
    has(
        &e,
        "defaults.element_points",
        None,
        "a better level must not earn fewer points (met = 5, partial = 10, not_met = 0)",
    );
    has(&e, "node[8].points", Some("e1"), "no points per result");
}

#[test]
fn article_points_name_every_level() {
    let e = toml_err(&with_grade(
        "[[node]]\nid = \"a2\"\nparent = \"P\"\nkind = \"article\"\ntitle = \"A2\"\npoints = { A = 4, B = 3, E = 1 }\n",
        &[],
    ));
    has(&e, "node[2].points.E", Some("a2"), "unknown level \"E\"");
    has(
        &e,
        "node[2].points",
        Some("a2"),
        "no points for level \"D\"",
    );
    assert!(
        e.problems
            .iter()
            .any(|p| p.path == "node[2].points" && p.message == "no points for level \"C\""),
        "{e}"
    );
    // Articles without points and without defaults.
    let e = toml_err(
        "[rulebook]\nid = \"t\"\ntitle = \"T\"\n[[node]]\nid = \"P\"\ntitle = \"P\"\n\
         [[node]]\nid = \"a\"\nparent = \"P\"\nkind = \"article\"\ntitle = \"A\"\n[[grade]]\nid = \"g\"\n",
    );
    has(&e, "node[1].points", Some("a"), "no points per level");
}

#[test]
fn negative_otherwise_points() {
    let e = toml_err(&with_grade(
        "[[node]]\nid = \"i\"\nparent = \"P\"\nkind = \"indicator\"\ntitle = \"I\"\nmethod = \"bands\"\n\
         bands = [{ when = \">= 90\", points = 10 }]\notherwise = -5\n",
        &[],
    ));
    has(&e, "node[2].otherwise", Some("i"), "must not be negative");
}

#[test]
fn negative_trend_points() {
    let e = toml_err(&with_grade(
        "[[node]]\nid = \"i\"\nparent = \"P\"\nkind = \"indicator\"\ntitle = \"I\"\nmethod = \"trend\"\n\
         target = \">= 90\"\ntrend = { periods = 3, improving = 5, stable = 3, worsening = -1, target_points = -2 }\n",
        &[],
    ));
    has(
        &e,
        "node[2].trend.worsening",
        Some("i"),
        "must not be negative",
    );
    has(
        &e,
        "node[2].trend.target_points",
        Some("i"),
        "must not be negative",
    );
}

// -------------------------------------------------------------------------------- targets

#[test]
fn bad_targets() {
    let e = load_err("targets.toml");
    assert_eq!(e.problems.len(), 7, "{e}");
    has(
        &e,
        "node[1].target",
        Some("t1"),
        "\"95\" is not a comparison like \">= 90\"",
    );
    has(
        &e,
        "node[2].target",
        Some("t2"),
        "\">= ninety\" is not a comparison",
    );
    has(
        &e,
        "node[3].target",
        Some("t3"),
        "has more than two comparisons",
    );
    has(
        &e,
        "node[4].target",
        Some("t4"),
        "a threshold indicator needs a target",
    );
    has(&e, "node[5].target", Some("t5"), "rewards the other way");
    has(&e, "node[6].target", Some("t6"), "rewards the other way");
    has(
        &e,
        "node[7].target",
        Some("t7"),
        "scores by its bands, not a target",
    );
}

#[test]
fn unknown_parameters_in_targets_and_bands() {
    let e = toml_err(&with_grade(
        "[params]\nlow = 80\n[[node]]\nid = \"i\"\nparent = \"P\"\nkind = \"indicator\"\ntitle = \"I\"\n\
         method = \"bands\"\nbands = [{ when = \">= $high\", points = 5 }, { when = \">= $low\", points = 2 }]\n\
         [[node]]\nid = \"j\"\nparent = \"P\"\nkind = \"indicator\"\ntitle = \"J\"\nmethod = \"threshold\"\n\
         target = \">= $hihg\"\nmax_points = 1\n",
        &[],
    ));
    assert_eq!(e.problems.len(), 2, "{e}");
    has(
        &e,
        "node[2].bands[0].when",
        Some("i"),
        "unknown parameter $high",
    );
    has(&e, "node[3].target", Some("j"), "unknown parameter $hihg");
}

#[test]
fn a_trend_target_that_rewards_the_other_way() {
    // Lower is better, but the target rewards values of 5 and more with the target points.
    let e = toml_err(&with_grade(
        "[[node]]\nid = \"i\"\nparent = \"P\"\nkind = \"indicator\"\ntitle = \"I\"\ndirection = \"lower\"\n\
         method = \"trend\"\ntarget = \">= 5\"\ntrend = { periods = 3, improving = 5, stable = 3, worsening = 0 }\n",
        &[],
    ));
    has(&e, "node[2].target", Some("i"), "rewards the other way");
}

#[test]
fn bad_indicator_rules() {
    let ind = |fields: &str| {
        with_grade(
            &format!("[[node]]\nid = \"i\"\nparent = \"P\"\nkind = \"indicator\"\ntitle = \"I\"\n{fields}\n"),
            &[],
        )
    };
    let e = toml_err(&ind("max_points = 5"));
    has(
        &e,
        "node[2].method",
        Some("i"),
        "an indicator needs a method",
    );
    let e = toml_err(&ind(
        "direction = \"monitor\"\nmethod = \"threshold\"\ntarget = \">= 1\"\nmax_points = 1",
    ));
    has(&e, "node[2].method", Some("i"), "a monitor-only indicator");
    let e = toml_err(&ind("method = \"bands\"\nmax_points = 5"));
    has(
        &e,
        "node[2].bands",
        Some("i"),
        "a banded indicator needs bands",
    );
    let e = toml_err(&ind("method = \"trend\"\nmax_points = 5"));
    has(&e, "node[2].trend", Some("i"), "needs trend = { periods");
    let e = toml_err(&ind(
        "method = \"trend\"\ntrend = { periods = 1, improving = 1, stable = 1, worsening = 0, target_points = 1 }",
    ));
    has(
        &e,
        "node[2].trend.periods",
        Some("i"),
        "must be between 2 and 50",
    );
    has(
        &e,
        "node[2].trend.target_points",
        Some("i"),
        "needs a target on the indicator",
    );
    let e = toml_err(&ind(
        "method = \"threshold\"\ntarget = \">= 1\"\nscale = 0\nmax_points = 1",
    ));
    has(&e, "node[2].scale", Some("i"), "must be positive");
    let e = toml_err(&ind("method = \"threshold\"\ntarget = \">= 1\""));
    has(&e, "node[2].max_points", Some("i"), "no maximum points");
    let e = toml_err(&ind(
        "method = \"threshold\"\ntarget = \">= 1\"\nmax_points = 1\nbands = [{ when = \">= 1\", points = 1 }]\notherwise = 0",
    ));
    has(
        &e,
        "node[2].bands",
        Some("i"),
        "only used with method = \"bands\"",
    );
    has(
        &e,
        "node[2].otherwise",
        Some("i"),
        "only used with method = \"bands\"",
    );
    let e = toml_err(&ind(
        "method = \"bands\"\nbands = [{ when = \"from 1 to 2\", points = 1 }]",
    ));
    has(
        &e,
        "node[2].bands[0].when",
        Some("i"),
        "\"from 1 to 2\" is not a comparison",
    );
}

#[test]
fn fields_of_other_kinds() {
    let e = toml_err(&with_grade(
        "[[node]]\nid = \"a2\"\nparent = \"P\"\nkind = \"article\"\ntitle = \"A2\"\n\
         bands = [{ when = \">= 1\", points = 1 }]\non_fail = \"x\"\naggregate = \"sum\"\n",
        &[],
    ));
    has(
        &e,
        "node[2].bands",
        Some("a2"),
        "bands does not apply to a article",
    );
    has(&e, "node[2].on_fail", Some("a2"), "on_fail does not apply");
    has(
        &e,
        "node[2].aggregate",
        Some("a2"),
        "aggregate does not apply",
    );
    let e = toml_err(
        &with_grade("", &[]).replace("title = \"Part\"", "title = \"Part\"\nmissing = \"zero\""),
    );
    has(
        &e,
        "node[0].missing",
        Some("P"),
        "missing applies to criteria, not groups",
    );
    let e = toml_err(&with_grade("[rounding]\nplaces = 11\n", &[]));
    has(&e, "rounding.places", None, "at most 10 places");
}

// ------------------------------------------------------------------------- unknown fields

#[test]
fn unknown_fields_in_toml() {
    let e = load_err("unknown-field.toml");
    assert_eq!(e.problems.len(), 1);
    let p = has(&e, "node[2].wieght", Some("a2"), "unknown field `wieght`");
    assert!(p.message.starts_with("line 24, column 1: "), "{p}");
    assert!(p.message.contains("expected one of `id`"), "{p}");
    // At the top, in [rulebook], in [[grade]], in [rounding].
    let e = toml_err(&format!("colour = 1\n{}", with_grade("", &[])));
    has(&e, "colour", None, "unknown field `colour`");
    let e =
        toml_err(&with_grade("", &[]).replace("title = \"T\"", "title = \"T\"\nauthor = \"me\""));
    has(&e, "rulebook.author", None, "unknown field `author`");
    let e = toml_err(&format!("{}note2 = \"x\"\n", with_grade("", &[])));
    has(&e, "grade[0].note2", None, "unknown field `note2`");
    let e = toml_err(&with_grade(
        "[rounding]\nplaces = 2\nlevel = \"total\"\n",
        &[],
    ));
    has(&e, "rounding.level", None, "unknown field `level`");
    // An unknown value of a known field.
    let e = toml_err(&with_grade("", &[]).replace(
        "title = \"Part\"",
        "title = \"Part\"\naggregate = \"median\"",
    ));
    has(
        &e,
        "node[0].aggregate",
        Some("P"),
        "unknown variant `median`",
    );
}

#[test]
fn unknown_fields_in_json() {
    let e = load_err("unknown-field.json");
    assert_eq!(e.problems.len(), 1);
    let p = has(&e, "node[2].colour", Some("a2"), "unknown field `colour`");
    assert!(p.message.starts_with("line 7, column "), "{p}");
    let e = json_err(r#"{"rulebook": {"id": "t", "title": "T", "owner": "x"}}"#);
    has(&e, "rulebook.owner", None, "unknown field `owner`");
    let e = json_err(
        r#"{"rulebook": {"id": "t", "title": "T"}, "outcome": [{"id": "o", "title": "O", "effect": "defer"}]}"#,
    );
    has(&e, "outcome[0].effect", None, "unknown variant `defer`");
    // Trailing garbage after the object.
    let e = json_err(r#"{"rulebook": {"id": "t", "title": "T"}} x"#);
    assert!(e.problems[0].message.contains("trailing"), "{e}");
}

#[test]
fn numbers_that_cannot_be_read_exactly() {
    let e = toml_err(&with_grade(
        "[[node]]\nid = \"W\"\ntitle = \"W\"\naggregate = \"weighted\"\n\
         [[node]]\nid = \"w\"\nparent = \"W\"\nkind = \"article\"\ntitle = \"w\"\nweight = \"heavy\"\n",
        &[],
    ));
    has(&e, "node[3].weight", Some("w"), "\"heavy\" is not a number");
    let e = toml_err(&with_grade("[params]\nx = 0.1234567890123456\n", &[]));
    assert!(e.problems[0].path.starts_with("params"), "{e}");
    assert!(e.to_string().contains("significant digits"), "{e}");
    let e = toml_err(&with_grade("[params]\nx = \"1e3\"\n", &[]));
    assert!(e.problems[0].path.starts_with("params"), "{e}");
    assert!(e.to_string().contains("no exponents"), "{e}");
}

#[test]
fn parameters_say_what_is_wrong() {
    // A documented parameter with a misspelt field.
    let e = toml_err(&with_grade(
        "[params.cut]\nvalue = 3\nsorce = \"x\"\n",
        &["total >= $cut"],
    ));
    assert!(e.problems[0].path.starts_with("params.cut"), "{e}");
    assert!(e.to_string().contains("unknown field `sorce`"), "{e}");
    let e = toml_err(&with_grade("[params.cut]\ntitle = \"no value\"\n", &[]));
    assert!(e.to_string().contains("missing field `value`"), "{e}");
    let e = toml_err(&with_grade("[params]\ncut = true\n", &[]));
    assert!(e.to_string().contains("a number, a decimal string"), "{e}");
    // Plain and documented parameters both load.
    let rb = Rulebook::from_toml(&with_grade(
        "[params]\nplain = \"95%\"\nfloat = 0.5\n[params.doc]\nvalue = 900\nconfirmed = false\n",
        &["total >= $doc", "rate(P) >= $plain", "rate(P) >= $float"],
    ))
    .unwrap();
    let p = rb.params();
    assert_eq!(p["plain"].to_string(), "0.95");
    assert_eq!(p["float"].to_string(), "0.5");
    assert_eq!(p["doc"].to_string(), "900");
}

#[test]
fn empty_and_unreadable_files() {
    let e = toml_err("  \n");
    assert_eq!(e.problems[0].message, "the file is empty");
    let e = toml_err("[rulebook\nid = 1");
    assert!(e.problems[0].message.starts_with("line 1, column"), "{e}");
    let e = Rulebook::load(bad_file("rulebook.yaml")).unwrap_err();
    assert!(
        e.to_string()
            .contains("a rulebook file ends in .toml or .json"),
        "{e}"
    );
    let e = Rulebook::load(bad_file("no-such-file.toml")).unwrap_err();
    assert!(e.to_string().contains("cannot read the file"), "{e}");
}

// ------------------------------------------------------------------------ grade conditions

#[test]
fn bad_grade_conditions() {
    let e = load_err("conditions.toml");
    // when[10], `min(points, children of P)`, is valid: the gate among P's children carries no
    // points and is left out of the min (a selection of gates only is an error, see below).
    assert_eq!(e.problems.len(), 17, "{e}");
    let g = Some("top");
    let w = |k: usize| format!("grade[0].when[{k}]");
    // Syntax, with the character where it goes wrong.
    has(
        &e,
        &w(0),
        g,
        "\"total >=\": at character 9: expected a number",
    );
    has(&e, &w(16), g, "at character 1: unknown function \"foo\"");
    has(
        &e,
        &w(17),
        g,
        "at character 12: expected 'and', 'or' or the end of the condition",
    );
    // Unknown ids, parameters, flags, levels, outcomes.
    has(&e, &w(1), g, "unknown node id \"nope\"");
    has(
        &e,
        &w(2),
        g,
        "unknown parameter $nope: define it under [params]",
    );
    has(&e, &w(3), g, "unknown word \"vip\" in a selector");
    has(&e, &w(4), g, "unknown article level \"F\"");
    has(&e, &w(13), g, "unknown article level \"met\"");
    has(&e, &w(6), g, "unknown outcome \"defre\"");
    has(&e, &w(11), g, "no node has tier \"chapter\"");
    has(&e, &w(12), g, "no node has department \"医务部\"");
    // Kinds that do not fit.
    has(&e, &w(5), g, "'core' mixes articles and elements");
    has(&e, &w(7), g, "passed(a1) needs a gate");
    has(&e, &w(8), g, "value(a1) needs an indicator");
    has(
        &e,
        &w(9),
        g,
        "\"g1\" is a gate, which carries no points: use passed(g1)",
    );
    has(
        &e,
        &w(14),
        g,
        "selects a gate; share and count work on criteria",
    );
    has(&e, &w(15), g, "write 'full', not '== full'");
    // The good grade adds nothing.
    assert!(e.problems.iter().all(|p| p.path.starts_with("grade[0]")));
}

#[test]
fn conditions_are_bounded() {
    // Longer than 4096 bytes.
    let long = vec!["total >= 1"; 400].join(" and ");
    assert!(long.len() > 4096);
    let e = toml_err(&with_grade("", &["total >= 1", &long]));
    has(
        &e,
        "grade[0].when[1]",
        Some("g"),
        "a condition may be at most 4096 bytes long",
    );
    // Nested deeper than 32.
    let deep = format!("{}total >= 1{}", "(".repeat(33), ")".repeat(33));
    let e = toml_err(&with_grade("", &[&deep]));
    has(
        &e,
        "grade[0].when[0]",
        Some("g"),
        "conditions may nest at most 32 levels deep",
    );
    let nots = format!("{}total >= 1", "not ".repeat(33));
    let e = toml_err(&with_grade("", &[&nots]));
    has(&e, "grade[0].when[0]", Some("g"), "nest at most 32");
    // 32 levels is fine.
    let ok = format!("{}total >= 1{}", "(".repeat(32), ")".repeat(32));
    assert!(Rulebook::from_toml(&with_grade("", &[&ok])).is_ok());
    // More than 256 comparisons (short enough to pass the length limit).
    let many = vec!["total>1"; 257].join(" or ");
    assert!(many.len() < 4096);
    let e = toml_err(&with_grade("", &[&many]));
    has(&e, "grade[0].when[0]", Some("g"), "at most 256 comparisons");
    let fine = vec!["total>1"; 256].join(" or ");
    assert!(Rulebook::from_toml(&with_grade("", &[&fine])).is_ok());
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = with(
        "[[node]]\nid = \"a1\"\nparent = \"P\"\nkind = \"article\"\ntitle = \"dup\"\n\
         [[node]]\nid = \"x\"\nparent = \"nowhere\"\nkind = \"article\"\ntitle = \"x\"\n\
         [[grade]]\nid = \"g\"\nwhen = [\"points(zz) > 1\"]\n",
    );
    let e = toml_err(&text);
    assert_eq!(
        paths(&e),
        ["node[2].id", "node[3].parent", "grade[0].when[0]"]
    );
    assert!(
        e.to_string()
            .starts_with("rulebook inline.toml: 3 problems\n  - node[2].id (id \"a1\"): "),
        "{e}"
    );
}

// -------------------------------------------------------------------------------- extends

#[test]
fn extends_an_unknown_base() {
    let e = load_err("extends-unknown-base.toml");
    has(
        &e,
        "rulebook.extends",
        None,
        "\"no-such-rulebook\" is neither a built-in rulebook",
    );
    let e = load_err("extends-missing-file.toml");
    has(&e, "rulebook.extends", None, "cannot read");
    assert!(e.problems[0].message.contains("does-not-exist.toml"), "{e}");
}

#[test]
fn extends_in_a_cycle() {
    let e = load_err("extends-cycle-a.toml");
    has(
        &e,
        "rulebook.extends",
        None,
        "extends forms a cycle through",
    );
    assert!(
        e.problems[0].message.contains("extends-cycle-b.toml"),
        "{e}"
    );
}

#[test]
fn extends_with_bad_changes() {
    let e = load_err("extends-bad-changes.toml");
    assert_eq!(e.problems.len(), 5, "{e}");
    has(
        &e,
        "remove[0]",
        Some("zz"),
        "no node with this id in the extended rulebook",
    );
    has(
        &e,
        "patch[0]",
        Some("nope"),
        "no node with this id in the extended rulebook (add it with [[node]])",
    );
    has(
        &e,
        "patch[1]",
        None,
        "a patch needs the id of the node it changes",
    );
    has(&e, "patch[2]", Some("a2"), "unknown field `wieght`");
    has(
        &e,
        "node[0]",
        Some("a1"),
        "the extended rulebook already has this id: change it with [[patch]]",
    );
}

#[test]
fn extends_result_is_checked_like_any_rulebook() {
    let e = load_err("extends-breaks-condition.toml");
    // The broken condition is the base's (this file removed what it names).
    has(
        &e,
        "grade[0].when[1] in the extended rulebook extends-base.toml",
        Some("A"),
        "unknown node id \"P2\"",
    );
}

#[test]
fn patch_and_remove_need_extends() {
    let e = toml_err(&with_grade("", &[]).replace("[rulebook]", "remove = [\"a1\"]\n\n[rulebook]"));
    has(
        &e,
        "remove",
        None,
        "remove only applies in a rulebook that extends another",
    );
    let e = toml_err(&format!(
        "{}\n[[patch]]\nid = \"a1\"\ntitle = \"x\"\n",
        with_grade("", &[])
    ));
    has(
        &e,
        "patch",
        None,
        "[[patch]] only applies in a rulebook that extends another",
    );
}

/// A gate and an article, each in its own part; a grade `top` whose `when` follows.
const GATE_AND_ARTICLE: &str = r#"
[rulebook]
id = "x"
title = "x"
[defaults]
article_points = { A = 4, B = 3, C = 2, D = 0 }
[[outcome]]
id = "defer"
title = "defer"
effect = "no-grade"
[[node]]
id = "P1"
title = "gates"
[[node]]
id = "g1"
parent = "P1"
kind = "gate"
title = "g"
on_fail = "defer"
[[node]]
id = "P2"
title = "articles"
[[node]]
id = "a1"
parent = "P2"
kind = "article"
title = "a"
[[grade]]
id = "top"
"#;

#[test]
fn aggregate_over_gates_only_is_an_error() {
    let text = format!(
        "{GATE_AND_ARTICLE}when = [\"min(points, children of P1) > 1\", \"min(points, all) >= 0\"]\n"
    );
    let e = Rulebook::from_toml(&text).unwrap_err();
    assert_eq!(e.problems.len(), 1, "{e}");
    assert_eq!(e.problems[0].path, "grade[0].when[0]");
    assert!(
        e.problems[0]
            .message
            .contains("selects gates, which carry no points, and nothing else"),
        "{e}"
    );
}

#[test]
fn counting_only_gates_is_an_error_and_gates_are_left_out_of_counts() {
    let base = GATE_AND_ARTICLE;
    let e = Rulebook::from_toml(&format!("{base}when = [\"count(gates) >= 1\"]\n")).unwrap_err();
    assert_eq!(e.problems.len(), 1, "{e}");
    assert_eq!(e.problems[0].path, "grade[0].when[0]");
    assert!(
        e.problems[0]
            .message
            .contains("selects gates, which have no points or level to count"),
        "{e}"
    );
    // Over the gate and the article, only the article counts.
    let rb = Rulebook::from_toml(&format!(
        "{base}when = [\"count(not groups) == 1\"]\n[[grade]]\nid = \"low\"\n"
    ))
    .unwrap();
    let mut ev = sanjia::Evidence::new("H");
    ev.gates.insert("g1".into(), true);
    ev.articles
        .insert("a1".into(), sanjia::evidence::ArticleLevel::B);
    let r = sanjia::score(&rb, &ev).unwrap();
    assert_eq!(r.grade(), Some("top"), "{}", r.explain());
}
