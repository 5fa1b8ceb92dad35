//! Synthetic rulebooks and hospitals shared by the core benches (deterministic).

#![allow(dead_code)]

use sanjia::evidence::{ArticleLevel, Observation};
use sanjia::{Evidence, Rulebook};
use std::collections::BTreeMap;
use std::fmt::Write;

/// A rulebook with `n` criteria: 1/3 indicators (threshold, bands, trend over `periods`),
/// 2/3 articles (1 in 8 core), in chapters of 20, two weighted parts, gates, four grades.
pub fn rulebook(n: usize, periods: usize) -> Rulebook {
    let mut t = String::from(
        r#"[rulebook]
id = "bench"
title = "bench"
[rulebook.flags]
core = "core"
[defaults]
article_points = { A = 4, B = 3, C = 2, D = 0 }
[total]
aggregate = "weighted"
max_points = 1000
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
title = "data"
weight = 600
[[node]]
id = "P3"
title = "on-site"
weight = 400
"#,
    );
    for i in 0..n {
        let indicator = i % 3 == 0;
        let part = if indicator { "P2" } else { "P3" };
        let chapter = format!("{part}.{}", i / 20);
        if i % 20 == 0 || (indicator && i % 20 < 3) {
            // one chapter per 20 criteria in each part
        }
        let _ = writeln!(t);
        if !t.contains(&format!("id = \"{chapter}\"\n")) {
            let _ = writeln!(
                t,
                "[[node]]\nid = \"{chapter}\"\nparent = \"{part}\"\ntitle = \"c\"\n"
            );
        }
        if indicator {
            let method = match i % 9 {
                0 => "method = \"threshold\"\ntarget = \">= 90\"\nmax_points = 4".to_string(),
                3 => "method = \"bands\"\nbands = [{ when = \">= 95\", points = 4 }, { when = \">= 85\", points = 2 }]".to_string(),
                _ => format!(
                    "method = \"trend\"\ntrend = {{ periods = {periods}, tolerance = \"0.5\", improving = 4, stable = 3, worsening = 0 }}"
                ),
            };
            let _ = writeln!(
                t,
                "[[node]]\nid = \"c{i}\"\nparent = \"{chapter}\"\nkind = \"indicator\"\ntitle = \"i\"\nunit = \"%\"\nscale = 100\n{method}\n"
            );
        } else {
            let core = if i % 8 == 1 {
                "flags = [\"core\"]\n"
            } else {
                ""
            };
            let _ = writeln!(
                t,
                "[[node]]\nid = \"c{i}\"\nparent = \"{chapter}\"\nkind = \"article\"\ntitle = \"a\"\n{core}"
            );
        }
    }
    t.push_str(
        r#"
[[grade]]
id = "A"
when = ["no gate failed", "total >= 900", "share(core articles, >= C) >= 100%", "share(core articles, >= B) >= 70%", "share(articles not core, >= B) >= 60%", "min(rate, children of P2) >= 60%"]
[[grade]]
id = "B"
when = ["total >= 750", "share(articles, A) >= 10%"]
[[grade]]
id = "C"
when = ["total >= 600"]
[[grade]]
id = "D"
"#,
    );
    Rulebook::from_toml(&t).expect("bench rulebook")
}

/// A deterministic pseudo-random hospital.
pub fn hospital(rb: &Rulebook, h: u64, periods: usize) -> Evidence {
    let mut ev = Evidence::new(format!("H{h:05}"));
    let mut x = h
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) as u32
    };
    ev.gates.insert("g1".into(), next() % 50 != 0);
    for n in rb.nodes() {
        match n.kind {
            sanjia::rulebook::model::NodeKind::Indicator => {
                let mut series = BTreeMap::new();
                for p in 0..periods {
                    let den = 1000 + next() % 1000;
                    let num = den * (80 + next() % 20) / 100;
                    series.insert(
                        format!("{}", 2020 + p),
                        Observation::Ratio {
                            numerator: num.into(),
                            denominator: den.into(),
                        },
                    );
                }
                ev.indicators.insert(n.id.clone(), series);
            }
            sanjia::rulebook::model::NodeKind::Article => {
                let level = match next() % 10 {
                    0 => ArticleLevel::D,
                    1..=3 => ArticleLevel::C,
                    4..=7 => ArticleLevel::B,
                    8 => ArticleLevel::A,
                    _ => ArticleLevel::E,
                };
                ev.articles.insert(n.id.clone(), level);
            }
            _ => {}
        }
    }
    ev
}
