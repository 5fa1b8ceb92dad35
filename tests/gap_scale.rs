//! Gap analysis on a rulebook too large to prove a plan minimal within a small budget: the
//! greedy plan is still verified by re-scoring, reaches the target, and says honestly that it
//! is not proven minimal, with the lower bound the search reached.

use sanjia::gap::{GapOptions, GapStatus};
use sanjia::{score, Evidence, Rulebook};
use std::fmt::Write as _;

/// 60 articles in 10 chapters (one department each) and 10 banded indicators, with five
/// coupled conditions for grade A.
fn synthetic(n: usize) -> (Rulebook, Evidence) {
    let mut t = String::from(
        "[rulebook]\nid = \"big\"\ntitle = \"big\"\n[rulebook.flags]\ncore = \"core\"\n\
         [rounding]\nplaces = 2\nat = \"parts\"\n\
         [defaults]\narticle_points = { A = 4, B = 3, C = 2, D = 0 }\n\
         [total]\naggregate = \"weighted\"\nmax_points = 1000\n\
         [[node]]\nid = \"P2\"\ntitle = \"P2\"\nweight = 600\n",
    );
    for k in 0..n / 6 {
        let _ = writeln!(
            t,
            "[[node]]\nid = \"i{k}\"\nparent = \"P2\"\nkind = \"indicator\"\ntitle = \"i{k}\"\n\
             unit = \"%\"\ndirection = \"higher\"\nmethod = \"bands\"\n\
             bands = [{{ when = \">= {}\", points = 10 }}, {{ when = \">= {}\", points = 6 }}]",
            80 + k % 15,
            70 + k % 10
        );
    }
    t.push_str("[[node]]\nid = \"P3\"\ntitle = \"P3\"\nweight = 400\n");
    for c in 0..10 {
        let _ = writeln!(
            t,
            "[[node]]\nid = \"C{c}\"\nparent = \"P3\"\ntitle = \"C{c}\"\ndepartment = \"D{c}\""
        );
    }
    for a in 0..n {
        let _ = writeln!(
            t,
            "[[node]]\nid = \"a{a}\"\nparent = \"C{}\"\nkind = \"article\"\ntitle = \"a{a}\"{}",
            a % 10,
            if a % 7 == 0 {
                "\nflags = [\"core\"]"
            } else {
                ""
            }
        );
    }
    t.push_str(
        "[[grade]]\nid = \"A\"\nwhen = [\"total >= 900\", \"share(core articles, >= B) >= 70%\", \
         \"share(articles, A) >= 20%\", \"min(rate, children of P3) >= 75%\", \"rate(P2) >= 85%\"]\n\
         [[grade]]\nid = \"B\"\nwhen = [\"total >= 750\"]\n[[grade]]\nid = \"C\"\n",
    );
    let rb = Rulebook::from_toml(&t).unwrap_or_else(|e| panic!("{e}"));
    let mut ev = Evidence::new("H");
    let levels = ["D", "C", "C", "B", "B", "B", "A"];
    for a in 0..n {
        let level = sanjia::evidence::ArticleLevel::parse(levels[(a * 7 + a / 3) % 7]).unwrap();
        ev.articles.insert(format!("a{a}"), level);
    }
    for k in 0..n / 6 {
        let v = rust_decimal::Decimal::from(60 + (k * 13) % 35);
        ev.indicators.insert(
            format!("i{k}"),
            [(String::new(), sanjia::evidence::Observation::Value(v))].into(),
        );
    }
    (rb, ev)
}

#[test]
fn a_budget_bound_plan_is_verified_and_says_so() {
    let (rb, ev) = synthetic(60);
    let r = score(&rb, &ev).unwrap();
    assert_eq!(r.grade(), Some("C"));
    let gap = r
        .gap_to_with(
            "A",
            &GapOptions {
                max_nodes: 2_000,
                ..GapOptions::default()
            },
        )
        .unwrap();
    assert_eq!(gap.status, GapStatus::Planned);
    let plan = gap.plan.as_ref().unwrap();
    assert!(!plan.proven_minimal);
    let lb = plan.lower_bound.expect("a lower bound");
    assert!(lb <= plan.cost && lb >= 18.into(), "{lb} {}", plan.cost);
    let after = score(&rb, &ev.with_changes(&gap.changes())).unwrap();
    assert_eq!(after.grade(), Some("A"));
    // The chapters' own conditions (disjoint departments) add up in the bound.
    let chapters = gap
        .conditions
        .iter()
        .find(|c| c.part.starts_with("min(rate"))
        .unwrap();
    assert!(chapters.least_cost.unwrap() >= 9.into(), "{chapters:?}");
    assert!(gap.by_department().len() >= 10);
    assert!(gap.explain().contains("not proven minimal"));
}
