//! Layering (`extends`): an override changes parameters, patches nodes, removes subtrees,
//! replaces grades and outcomes, adds nodes; the result is scored as worked out by hand.

use rust_decimal::Decimal;
use sanjia::{score, Evidence, Report, Rulebook};
use std::path::PathBuf;

fn d(s: &str) -> Decimal {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// A fresh directory holding `base.toml` and the given override files.
fn setup(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "sanjia-core-layering-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("base.toml"), BASE).unwrap();
    for (file, text) in files {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn load(name: &str, files: &[(&str, &str)], which: &str) -> Rulebook {
    let dir = setup(name, files);
    let rb = Rulebook::load(dir.join(which)).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_dir_all(&dir);
    rb
}

fn over(name: &str, text: &str) -> Rulebook {
    load(name, &[("over.toml", text)], "over.toml")
}

/// P1: a1, a2 articles and gate g1 (defer: no grade); P2: b1, b2 articles and i1
/// (threshold `>= 90`, 4 points). Articles A 4 / B 3 / C 2 / D 0. Grades: A (total at least
/// `$cut` = 8), B (total at least 4), C.
const BASE: &str = r#"
[rulebook]
id = "base"
title = "Base"
version = "1"

[[rulebook.sources]]
title = "The base's source"

[rounding]
places = 2
mode = "half-even"
at = "parts"

[missing]
article = "zero"
gate = "error"

[defaults]
article_points = { A = 4, B = 3, C = 2, D = 0 }

[params]
cut = 8

[[outcome]]
id = "defer"
title = "Deferred"
effect = "no-grade"

[[node]]
id = "P1"
title = "Part one"

[[node]]
id = "a1"
parent = "P1"
kind = "article"
title = "a1"

[[node]]
id = "a2"
parent = "P1"
kind = "article"
title = "a2"

[[node]]
id = "g1"
parent = "P1"
kind = "gate"
title = "g1"
on_fail = "defer"

[[node]]
id = "P2"
title = "Part two"

[[node]]
id = "b1"
parent = "P2"
kind = "article"
title = "b1"

[[node]]
id = "b2"
parent = "P2"
kind = "article"
title = "b2"

[[node]]
id = "i1"
parent = "P2"
kind = "indicator"
title = "i1"
direction = "higher"
method = "threshold"
target = ">= 90"
max_points = 4

[[grade]]
id = "A"
when = ["total >= $cut"]

[[grade]]
id = "B"
when = ["total >= 4"]

[[grade]]
id = "C"
"#;

/// g1 pass; a1 A, a2 B, b1 C, b2 D; i1 = 92.
/// Base: P1 = 4 + 3 = 7 of 8, P2 = 2 + 0 + 4 = 6 of 12, total 13 of 20 → A.
const EV: &str = r#"
hospital = "H"
gates = { g1 = "pass" }
articles = { a1 = "A", a2 = "B", b1 = "C", b2 = "D" }
indicators = { i1 = 92 }
"#;

fn scored(rb: &Rulebook, ev: &str) -> Report {
    score(rb, &Evidence::from_toml(ev).unwrap()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_base_scores_as_worked_out() {
    let rb = load("base", &[], "base.toml");
    let r = scored(&rb, EV);
    assert_eq!((r.total(), r.max_total()), (Some(d("13")), d("20")));
    assert_eq!(r.grade(), Some("A"));
}

#[test]
fn an_override_changes_a_parameter() {
    let rb = over(
        "params",
        "[rulebook]\nid = \"over\"\ntitle = \"Over\"\nextends = \"base.toml\"\n\n[params]\ncut = 14\n",
    );
    assert_eq!(rb.params()["cut"], d("14"));
    let r = scored(&rb, EV);
    // 13 < 14: not A; 13 >= 4: B.
    assert_eq!(r.total(), Some(d("13")));
    assert_eq!(r.grade(), Some("B"));
    // The metadata: id and title replaced, version kept, sources kept.
    let m = rb.meta();
    assert_eq!((m.id.as_str(), m.title.as_str()), ("over", "Over"));
    assert_eq!(m.version.as_deref(), Some("1"));
    assert_eq!(m.extends, None);
    assert_eq!(m.sources.len(), 1);
}

#[test]
fn an_override_patches_nodes() {
    let rb = over(
        "patch",
        r#"
[rulebook]
id = "over"
title = "Over"
extends = "base.toml"

[[rulebook.sources]]
title = "The province's rules"

[[patch]]
id = "i1"
target = ">= 95"
max_points = 6

[[patch]]
id = "a2"
points = { A = 10, B = 8, C = 2, D = 0 }
"#,
    );
    assert_eq!(rb.meta().sources.len(), 2);
    let r = scored(&rb, EV);
    // i1 = 92 misses >= 95: 0 of 6. a2 = B: 8 of 10.
    // P1 = 4 + 8 = 12 of 14, P2 = 2 + 0 + 0 = 2 of 14; total 14 of 28 → A (14 >= 8).
    assert_eq!(r.points("i1"), Some(d("0")));
    assert_eq!(r.points("a2"), Some(d("8")));
    assert_eq!((r.total(), r.max_total()), (Some(d("14")), d("28")));
    assert_eq!(r.grade(), Some("A"));
    // The untouched fields of a patched node stay.
    let i1 = rb.source().nodes.iter().find(|n| n.id == "i1").unwrap();
    assert_eq!(i1.title, "i1");
    assert_eq!(i1.parent.as_deref(), Some("P2"));
}

#[test]
fn an_override_removes_a_subtree() {
    let rb = over(
        "remove",
        "remove = [\"P2\"]\n\n[rulebook]\nid = \"over\"\ntitle = \"Over\"\nextends = \"base.toml\"\n",
    );
    for id in ["P2", "b1", "b2", "i1"] {
        assert!(rb.node(id).is_none(), "{id} is still there");
    }
    let r = scored(
        &rb,
        "hospital = \"H\"\ngates = { g1 = \"pass\" }\narticles = { a1 = \"A\", a2 = \"B\" }",
    );
    // P1 only: 7 of 8 → A (7 < 8? no: 7 >= 8 fails) → B.
    assert_eq!((r.total(), r.max_total()), (Some(d("7")), d("8")));
    assert_eq!(r.grade(), Some("B"));
    // Evidence for a removed criterion is now unknown.
    let e = score(&rb, &Evidence::from_toml(EV).unwrap()).unwrap_err();
    assert!(e.to_string().contains("unknown criterion id"), "{e}");
}

#[test]
fn an_override_replaces_a_grade_in_place_and_adds_one() {
    let rb = over(
        "grades",
        r#"
[rulebook]
id = "over"
title = "Over"
extends = "base.toml"

[[grade]]
id = "A"
when = ["total >= 4", "share(articles, >= B) >= 75%"]

[[grade]]
id = "D"
when = []
"#,
    );
    let ids: Vec<&str> = rb.grades().iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids, ["A", "B", "C", "D"]);
    let r = scored(&rb, EV);
    // >= B: a1, a2 of 4 = 50% < 75% → not A → B.
    assert_eq!(r.grade(), Some("B"));
    let a = &r.decision().grades[0];
    assert_eq!(a.conditions.len(), 2);
    assert_eq!(
        a.conditions[1].detail,
        "2 of 4 articles at >= B (50%) >= 75%: does not hold"
    );
}

#[test]
fn an_override_replaces_an_outcome_and_adds_a_node() {
    let rb = over(
        "outcome",
        r#"
[rulebook]
id = "over"
title = "Over"
extends = "base.toml"

[[outcome]]
id = "defer"
title = "Recorded only"
effect = "record"

[[node]]
id = "a3"
parent = "P1"
kind = "article"
title = "a3"
"#,
    );
    let ev = EV
        .replace("g1 = \"pass\"", "g1 = \"fail\"")
        .replace("a1 = \"A\"", "a1 = \"A\", a3 = \"C\"");
    let r = scored(&rb, &ev);
    // g1 fails but only records; a3 = C adds 2 of 4: total 15 of 24 → A.
    assert_eq!((r.total(), r.max_total()), (Some(d("15")), d("24")));
    assert_eq!(r.grade(), Some("A"));
    assert_eq!(r.gates()[0].effect, Some("record"));
    // In the base, the same failure withholds the grade.
    let base = load("outcome-base", &[], "base.toml");
    let ev = EV.replace("g1 = \"pass\"", "g1 = \"fail\"");
    assert_eq!(scored(&base, &ev).grade(), None);
}

#[test]
fn an_override_changes_only_the_policy_fields_it_gives() {
    let rb = over(
        "missing",
        "[rulebook]\nid = \"over\"\ntitle = \"Over\"\nextends = \"base.toml\"\n\n[missing]\narticle = \"not-applicable\"\n",
    );
    // Articles now not applicable when missing; gates still "error".
    let r = scored(
        &rb,
        "hospital = \"H\"\ngates = { g1 = \"pass\" }\narticles = { a1 = \"A\" }\nindicators = { i1 = 92 }",
    );
    // a1 4 of 4, i1 4 of 4: 8 of 8.
    assert_eq!((r.total(), r.max_total()), (Some(d("8")), d("8")));
    let e = score(
        &rb,
        &Evidence::from_toml("hospital = \"H\"\narticles = { a1 = \"A\" }").unwrap(),
    )
    .unwrap_err();
    assert_eq!(e.problems[0].criterion.as_deref(), Some("g1"));
}

#[test]
fn an_override_changes_only_the_rounding_fields_it_gives() {
    // The base rounds half-even at parts; the override only asks for one place.
    let rb = over(
        "rounding",
        r#"
[rulebook]
id = "over"
title = "Over"
extends = "base.toml"

[rounding]
places = 1

[[patch]]
id = "a1"
points = { A = 3.25, B = 3, C = 2, D = 0 }
"#,
    );
    let r = scored(&rb, EV);
    // P1 = 3.25 + 3 = 6.25 → 6.2 (half-even, at parts); P2 = 6; total 12.2.
    // (Were the mode and level reset to half-up at the total: P1 6.25, total 12.25 → 12.3.)
    assert_eq!(r.points("P1"), Some(d("6.2")));
    assert_eq!(r.total(), Some(d("12.2")));
}

#[test]
fn extends_chains_resolve_relative_to_each_file() {
    let dir = setup(
        "chain",
        &[
            (
                "sub/over1.toml",
                "[rulebook]\nid = \"over1\"\ntitle = \"Over 1\"\nextends = \"../base.toml\"\n\n[params]\ncut = 14\n",
            ),
            (
                "over2.toml",
                "[rulebook]\nid = \"over2\"\ntitle = \"Over 2\"\nextends = \"sub/over1.toml\"\n\n[[grade]]\nid = \"B\"\nwhen = [\"total >= 13.5\"]\n",
            ),
        ],
    );
    let rb = Rulebook::load(dir.join("over2.toml")).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(rb.meta().id, "over2");
    // cut = 14 from over1: not A; B now needs 13.5: not B; → C.
    let r = scored(&rb, EV);
    assert_eq!(r.total(), Some(d("13")));
    assert_eq!(r.grade(), Some("C"));
}

#[test]
fn extending_a_built_in_without_changes_scores_the_same() {
    let demo = Rulebook::builtin("demo").unwrap();
    let same =
        Rulebook::from_toml("[rulebook]\nid = \"demo\"\ntitle = \"Same\"\nextends = \"demo\"\n")
            .unwrap_or_else(|e| panic!("{e}"));
    for sample in ["sample", "grade-b", "downgraded", "deferred"] {
        let ev = Evidence::sample("demo", Some(sample)).unwrap();
        let a = score(&demo, &ev).unwrap();
        let b = score(&same, &ev).unwrap();
        assert_eq!(a.total(), b.total(), "{sample}");
        assert_eq!(a.status(), b.status(), "{sample}");
        assert_eq!(a.deductions(), b.deductions(), "{sample}");
        assert_eq!(a.nodes(), b.nodes(), "{sample}");
    }
}

#[test]
fn an_override_moves_a_target_through_its_parameter() {
    // Base with i1's target written as ">= $i1_min" (90); the override raises it to 93.
    let base = BASE
        .replace("cut = 8", "cut = 8\ni1_min = 90")
        .replace("target = \">= 90\"", "target = \">= $i1_min\"");
    let dir = std::env::temp_dir().join(format!(
        "sanjia-core-layering-{}-target-param",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("base.toml"), base).unwrap();
    std::fs::write(
        dir.join("over.toml"),
        "[rulebook]\nid = \"over\"\ntitle = \"Over\"\nextends = \"base.toml\"\n\n[params]\ni1_min = 93\n",
    )
    .unwrap();
    let base = Rulebook::load(dir.join("base.toml")).unwrap_or_else(|e| panic!("{e}"));
    let over = Rulebook::load(dir.join("over.toml")).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_dir_all(&dir);
    // i1 = 92: meets >= 90 (4 points, total 13), misses >= 93 (0 points, total 9).
    assert_eq!(scored(&base, EV).points("i1"), Some(d("4")));
    let r = scored(&over, EV);
    assert_eq!(r.points("i1"), Some(d("0")));
    assert_eq!(r.total(), Some(d("9")));
}

/// A problem in a layered rulebook points at the overriding file's own entry (the patch, node
/// or grade that wrote the value), or says it is in the extended rulebook.
#[test]
fn problems_point_into_the_file_that_wrote_them() {
    let text = r#"
remove = ["P3"]

[rulebook]
id = "p"
title = "p"
extends = "cn-tertiary-2022"

[[patch]]
id = "P2"
weight = 70

[[patch]]
id = "1.2.3.1"
target = ">= banana"

[[patch]]
id = "P1.3.04"
on_fail = "downgrad"

[[node]]
id = "X.1"
parent = "P2"
kind = "article"
title = "x"
weight = -5

[[grade]]
id = "乙等"
when = ["total >= $nope"]
"#;
    let e = Rulebook::from_toml(text).unwrap_err();
    let at = |id: &str| -> Vec<String> {
        e.problems
            .iter()
            .filter(|p| p.id.as_deref() == Some(id))
            .map(|p| p.path.clone())
            .collect()
    };
    assert_eq!(at("1.2.3.1"), ["patch[1].target"], "{e}");
    assert_eq!(at("P1.3.04"), ["patch[2].on_fail"], "{e}");
    assert_eq!(at("X.1"), ["node[0].weight"], "{e}");
    assert_eq!(at("乙等"), ["grade[0].when[0]"], "{e}");
    // The base's 甲等 grade, untouched here, refers to the removed Part 3.
    let base: Vec<_> = at("甲等");
    assert!(!base.is_empty(), "{e}");
    assert!(
        base.iter()
            .all(|p| p.starts_with("grade[")
                && p.ends_with("in the extended rulebook cn-tertiary-2022")),
        "{e}"
    );
}
