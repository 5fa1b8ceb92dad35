//! Batch summaries with integer points: criteria points, and the plain sums above them, added
//! as integers at the rulebook's common scale (see [`crate::rulebook::fixed`]); groups that
//! divide use decimals from their children's exact values. The figures, and each decimal's
//! scale, are the ones scoring with decimals throughout gives ([`super::score_summary`] checks
//! this on every built-in rulebook and on random hospitals).

use super::aggregate::group_with;
use super::grade::decide_lean;
use super::indicator;
use super::summary::Summary;
use crate::condition::Facts;
use crate::evidence::{Answer, Sheet};
use crate::ratio::Quantity;
use crate::rulebook::compile::Rule;
use crate::rulebook::fixed::{Fixed, FixedCrit, Fx};
use crate::rulebook::model::{Method, MissingAction};
use crate::Rulebook;
use rust_decimal::Decimal;

/// No points (not applicable).
const NONE: Fx = Fx {
    m: i64::MIN,
    scale: 0,
};
/// No rank / no gate answer.
const NO: u8 = u8::MAX;
/// A gate that passed / failed.
const PASSED: u8 = 1;
const FAILED: u8 = 0;

/// Buffers for one thread, reused from one hospital to the next.
#[derive(Debug, Clone, Default)]
pub(crate) struct FixedScratch {
    /// Per node: points at the plan's scale ([`NONE`]: not applicable).
    points: Vec<Fx>,
    /// Per node: maximum at the plan's scale.
    max: Vec<Fx>,
    /// Per node whose points are decimals: points and maximum.
    dec: Vec<(Option<Decimal>, Decimal)>,
    /// Per criterion: level / result rank of an article or element that counts.
    rank: Vec<u8>,
    /// Per gate: passed / failed / no answer counted.
    gate: Vec<u8>,
    /// Per indicator: whether its latest value counts.
    value: Vec<bool>,
    /// Failed gates (node, outcome), in tree order.
    failed: Vec<(u32, u32)>,
}

impl FixedScratch {
    /// Size the buffers for `n` nodes. Nothing is cleared for the next hospital: scoring
    /// writes every node's points and maximum, and each criterion's slot of its kind (a
    /// gate's gate, an article's or element's rank, an indicator's value). A slot of another
    /// kind is never read for a node (grade conditions ask a gate for its gate, an article for
    /// its rank), so what it holds does not matter.
    fn reset(&mut self, n: usize) {
        if self.points.len() != n {
            *self = FixedScratch {
                points: vec![NONE; n],
                max: vec![Fx::default(); n],
                dec: vec![(None, Decimal::ZERO); n],
                rank: vec![NO; n],
                gate: vec![NO; n],
                value: vec![false; n],
                failed: Vec::new(),
            };
        }
        self.failed.clear();
    }

    /// A node's points and maximum as decimals.
    #[inline]
    fn decimal(&self, plan: &Fixed, node: usize) -> (Option<Decimal>, Decimal) {
        if plan.int_node[node] {
            let p = self.points[node];
            (
                (p.m != NONE.m).then(|| plan.decimal(p)),
                plan.decimal(self.max[node]),
            )
        } else {
            self.dec[node]
        }
    }
}

/// The summary of a checked sheet with integer points, or `None` when this hospital needs
/// the decimal path: a criterion whose missing evidence is an error (the decimal path names
/// them all), or indicator points the plan cannot hold.
pub(crate) fn summary(
    rb: &Rulebook,
    plan: &Fixed,
    sheet: &Sheet,
    s: &mut FixedScratch,
) -> Option<Summary> {
    let nodes = rb.nodes();
    let flat = rb.flat();
    s.reset(nodes.len());
    // The buffers as separate slices, so that their addresses stay in registers while each
    // criterion's slots are written.
    let (points, max) = (&mut s.points[..], &mut s.max[..]);
    let (ranks, gates, values) = (&mut s.rank[..], &mut s.gate[..], &mut s.value[..]);
    for (&crit, &i) in plan.crit.iter().zip(rb.evidence_nodes()) {
        let answer = sheet.answers.get(i as usize).copied().unwrap_or_default();
        let i = i as usize;
        // Every slot of the criterion's kind is written (see `FixedScratch::reset`).
        match crit {
            FixedCrit::Gate { outcome, missing } => {
                let gate = match (answer, missing) {
                    (Answer::Gate(true), _) => PASSED,
                    (Answer::Gate(false), _) | (_, MissingAction::Zero) => FAILED,
                    (_, MissingAction::NotApplicable) => NO,
                    (_, MissingAction::Error) => return None,
                };
                *gates.get_mut(i)? = gate;
                *points.get_mut(i)? = NONE;
                *max.get_mut(i)? = Fx::default();
                if gate == FAILED {
                    s.failed.push((i as u32, outcome));
                }
            }
            FixedCrit::Level {
                table,
                top,
                missing,
            } => {
                let table = plan.levels.get(table as usize)?;
                let rank = match (answer, missing) {
                    (Answer::Rank(Some(r)), _) if r <= top => r,
                    (Answer::Rank(Some(_)), _) => return None,
                    (Answer::Rank(None), _) => NO,
                    (_, MissingAction::Zero) => 0,
                    (_, MissingAction::NotApplicable) => NO,
                    _ => return None,
                };
                *ranks.get_mut(i)? = rank;
                *max.get_mut(i)? = table[usize::from(top)];
                *points.get_mut(i)? = match table.get(usize::from(rank)) {
                    Some(&p) => p,
                    None => NONE,
                };
            }
            FixedCrit::Indicator { missing } => {
                let Rule::Indicator(rule) = &nodes[i].rule else {
                    return None;
                };
                let (mut p, m, counts) = match indicator::score(rule, sheet.series(i as u32)) {
                    Ok(c) => (
                        match c.points {
                            Some(x) => plan.fx(x)?,
                            None => NONE,
                        },
                        plan.fx(c.max)?,
                        c.value.is_some(),
                    ),
                    Err(_) => (
                        match missing {
                            MissingAction::Zero => Fx::default(),
                            MissingAction::NotApplicable => NONE,
                            MissingAction::Error => return None,
                        },
                        plan.fx(rule.max_points)?,
                        false,
                    ),
                };
                // Monitor-only indicators carry no points, even counted as zero.
                if rule.method == Method::Monitor {
                    p = NONE;
                }
                *values.get_mut(i)? = counts;
                *points.get_mut(i)? = p;
                *max.get_mut(i)? = m;
            }
        }
    }
    for (step, &int) in flat.steps.iter().zip(&plan.int_step) {
        let g = step.node as usize;
        if int {
            let (mut p, mut m, mut any) = (Fx::default(), Fx::default(), false);
            for &c in &flat.kids[step.kids.start as usize..step.kids.end as usize] {
                let (cp, cm) = (s.points[c as usize], s.max[c as usize]);
                if cp.m != NONE.m {
                    any = true;
                    p.m += cp.m;
                    p.scale = p.scale.max(cp.scale);
                    m.m += cm.m;
                    m.scale = m.scale.max(cm.scale);
                }
            }
            (s.points[g], s.max[g]) = if any { (p, m) } else { (NONE, Fx::default()) };
        } else {
            let kid = |c: usize| s.decimal(plan, c);
            let (p, m) = group_with(flat, step, kid, kid);
            let p = match p {
                Some(p) if step.round => Some(rb.rounding().apply(p)),
                p => p,
            };
            s.dec[g] = (p, m);
        }
    }
    let facts = FixedFacts { rb, plan, s, sheet };
    let verdict = decide_lean(rb, &facts, &s.failed);
    let figures = |node: u32| s.decimal(plan, node as usize);
    Some(Summary::new(rb, sheet, figures, verdict, &s.failed))
}

/// What grade conditions read, from the integer figures.
struct FixedFacts<'a> {
    rb: &'a Rulebook,
    plan: &'a Fixed,
    s: &'a FixedScratch,
    sheet: &'a Sheet,
}

impl Facts for FixedFacts<'_> {
    fn id(&self, node: u32) -> &str {
        &self.rb.nodes()[node as usize].id
    }
    fn points(&self, node: u32) -> Option<Decimal> {
        self.s.decimal(self.plan, node as usize).0
    }
    fn max_points(&self, node: u32) -> Option<Decimal> {
        let (p, m) = self.s.decimal(self.plan, node as usize);
        p.map(|_| m)
    }
    fn indicator_value(&self, node: u32) -> Option<Quantity> {
        if self.s.value[node as usize] {
            self.sheet.series(node).last().map(|o| o.value)
        } else {
            None
        }
    }
    fn level_rank(&self, node: u32) -> Option<u8> {
        let r = self.s.rank[node as usize];
        (r != NO).then_some(r)
    }
    fn gate_passed(&self, node: u32) -> bool {
        self.s.gate[node as usize] == PASSED
    }
    fn any_gate_failed(&self, outcome: Option<u32>) -> bool {
        self.s
            .failed
            .iter()
            .any(|&(_, o)| outcome.is_none_or(|want| want == o))
    }
    fn outcome_id(&self, outcome: u32) -> &str {
        &self.rb.outcomes()[outcome as usize].id
    }
}

#[cfg(test)]
mod tests {
    use crate::evidence::{ArticleLevel, ElementResult, Evidence, Observation};
    use crate::score::{score_sheet, score_summary, Scratch, Summary};
    use crate::Rulebook;
    use rust_decimal::Decimal;

    /// Points with different scales (2.5, 1.75, 0.125), every aggregate, rounding at every
    /// criterion (2 places, so integer points stay as they are only where they have 2 or
    /// fewer), and every missing-evidence policy but errors.
    fn rulebook(places: u32, at: &str) -> Rulebook {
        let toml = format!(
            r#"
[rulebook]
id = "fx"
title = "fixed-point check"
[rounding]
places = {places}
mode = "half-up"
at = "{at}"
[missing]
gate = "zero"
indicator = "not-applicable"
article = "zero"
element = "not-applicable"
[defaults]
article_points = {{ A = 2.5, B = 1.75, C = 1, D = 0 }}
element_points = {{ met = 0.125, partial = 0.1, not_met = 0 }}
[total]
aggregate = "weighted"
max_points = 100
[[outcome]]
id = "down"
title = "one grade lower"
effect = "downgrade"
steps = 1
[[node]]
id = "P1"
title = "gates"
[[node]]
id = "G1"
parent = "P1"
kind = "gate"
title = "gate"
on_fail = "down"
[[node]]
id = "P2"
title = "sum"
weight = 3
[[node]]
id = "A1"
parent = "P2"
kind = "article"
title = "a"
[[node]]
id = "A2"
parent = "P2"
kind = "article"
title = "a"
[[node]]
id = "I1"
parent = "P2"
kind = "indicator"
title = "i"
method = "threshold"
target = ">= 50"
max_points = 2.50
[[node]]
id = "I2"
parent = "P2"
kind = "indicator"
title = "i"
method = "bands"
bands = [{{ when = ">= 80", points = 3 }}, {{ when = ">= 40", points = 1.5 }}]
max_points = 3
[[node]]
id = "P3"
title = "mean"
weight = 2
aggregate = "mean"
[[node]]
id = "E1"
parent = "P3"
kind = "element"
title = "e"
[[node]]
id = "E2"
parent = "P3"
kind = "element"
title = "e"
[[node]]
id = "P4"
title = "leaf mean"
weight = 1
aggregate = "leaf-mean"
max_points = 7
[[node]]
id = "P4.1"
parent = "P4"
title = "c"
[[node]]
id = "A3"
parent = "P4.1"
kind = "article"
title = "a"
[[node]]
id = "A4"
parent = "P4.1"
kind = "article"
title = "a"
[[grade]]
id = "good"
when = ["total >= 60", "rate(P2) >= 40%", "share(articles, >= B) >= 25%", "no gate failed"]
[[grade]]
id = "poor"
"#
        );
        Rulebook::from_toml(&toml).unwrap()
    }

    fn hospitals() -> Vec<Evidence> {
        let levels = ArticleLevel::ALL;
        let results = [
            ElementResult::Met,
            ElementResult::Partial,
            ElementResult::NotMet,
            ElementResult::NotApplicable,
        ];
        (0..200u32)
            .map(|h| {
                let mut ev = Evidence::new(format!("H{h}"));
                let pick = |k: u32, n: u32| ((h * 7 + k * 13) ^ (h / 5)) % n;
                if pick(0, 5) != 0 {
                    ev.gates.insert("G1".into(), pick(1, 4) != 0);
                }
                for (k, id) in ["A1", "A2", "A3", "A4"].iter().enumerate() {
                    let r = pick(k as u32 + 2, 6);
                    if r < 5 {
                        ev.articles.insert((*id).into(), levels[r as usize]);
                    }
                }
                for (k, id) in ["E1", "E2"].iter().enumerate() {
                    let r = pick(k as u32 + 9, 5);
                    if r < 4 {
                        ev.elements.insert((*id).into(), results[r as usize]);
                    }
                }
                for (k, id) in ["I1", "I2"].iter().enumerate() {
                    if pick(k as u32 + 20, 4) != 0 {
                        let v = Decimal::from(pick(k as u32 + 30, 101));
                        ev.indicators.insert(
                            (*id).into(),
                            [("2024".to_string(), Observation::Value(v))].into(),
                        );
                    }
                }
                ev
            })
            .collect()
    }

    /// Integer points give the same figures as decimals, written the same way (same scale).
    #[test]
    fn integer_points_equal_decimal_points_digit_for_digit() {
        for (places, at) in [(2, "criteria"), (3, "nodes"), (1, "criteria"), (2, "total")] {
            let rb = rulebook(places, at);
            // 1.75 and 0.125 need 3 places: rounding criteria to fewer changes them, so
            // there is no plan then (and the decimal path scores).
            let planned = !(at == "criteria" && places < 3);
            assert_eq!(rb.flat().fixed.is_some(), planned, "{places} {at}");
            let mut scratch = Scratch::new(&rb);
            let mut used = 0;
            for ev in hospitals() {
                let sheet = ev.sheet(&rb).unwrap();
                let full = Summary::of(&rb, &score_sheet(&rb, &sheet).unwrap());
                let lean = score_summary(&rb, &sheet, &mut scratch).unwrap();
                assert_eq!(lean, full, "{}", ev.hospital);
                let text = |s: &Summary| {
                    let parts: Vec<String> = s.parts.iter().map(|p| format!("{p:?}")).collect();
                    format!("{:?} {} {parts:?}", s.total, s.max_total)
                };
                assert_eq!(text(&lean), text(&full), "{}", ev.hospital);
                if let Some(plan) = &rb.flat().fixed {
                    let mut fs = super::FixedScratch::default();
                    used += usize::from(super::summary(&rb, plan, &sheet, &mut fs).is_some());
                }
            }
            if planned {
                assert_eq!(used, 200, "every hospital scored with integers");
            }
        }
    }

    #[test]
    fn builtin_rulebooks_have_a_plan() {
        for name in Rulebook::builtin_names() {
            let rb = Rulebook::builtin(name).unwrap();
            assert!(rb.flat().fixed.is_some(), "{name}");
        }
    }
}
