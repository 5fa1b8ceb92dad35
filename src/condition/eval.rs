//! Evaluating a resolved condition against one hospital's scored facts, with a trace.

// Input path: no unwrap / expect / panic on data from files or tables (docs/reliability.md).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

use super::ast::{AggFn, Measure};
use super::resolve::{CCond, CValue, LevelTest};
use crate::ratio::{Op, Quantity};
use rust_decimal::Decimal;
use serde::Serialize;

/// What a condition can ask about a scored hospital.
pub trait Facts {
    /// The id of a node, for messages.
    fn id(&self, node: u32) -> &str;
    /// Points of a node; `None` when not applicable.
    fn points(&self, node: u32) -> Option<Decimal>;
    /// Maximum points of a node; `None` when not applicable.
    fn max_points(&self, node: u32) -> Option<Decimal>;
    /// Latest value of an indicator; `None` when there is none.
    fn indicator_value(&self, node: u32) -> Option<Quantity>;
    /// Level rank of an article or element; `None` when not applicable.
    fn level_rank(&self, node: u32) -> Option<u8>;
    /// Whether a gate passed.
    fn gate_passed(&self, node: u32) -> bool;
    /// Whether any gate failed (with this outcome, if given).
    fn any_gate_failed(&self, outcome: Option<u32>) -> bool;
    /// The id of an outcome, for messages.
    fn outcome_id(&self, outcome: u32) -> &str;
}

/// How a condition (and each of its parts) came out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trace {
    /// The condition as written.
    pub condition: String,
    /// Whether it held.
    pub held: bool,
    /// The measured values and the verdict, in words.
    pub detail: String,
    /// For a comparison: the left side as measured (`None` when undefined).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "ser_q")]
    pub left: Option<Quantity>,
    /// For a comparison: the operator.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "ser_op")]
    pub op: Option<Op>,
    /// For a comparison: the right side as measured.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "ser_q")]
    pub right: Option<Quantity>,
    /// Traces of the parts of `and`, `or` and `not`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Trace>,
}

fn ser_q<S: serde::Serializer>(q: &Option<Quantity>, s: S) -> Result<S::Ok, S::Error> {
    match q {
        Some(q) => s.serialize_str(&q.to_string()),
        None => s.serialize_none(),
    }
}

fn ser_op<S: serde::Serializer>(op: &Option<Op>, s: S) -> Result<S::Ok, S::Error> {
    match op {
        Some(op) => s.serialize_str(op.symbol()),
        None => s.serialize_none(),
    }
}

impl Trace {
    fn simple(condition: &str, held: bool, detail: String) -> Trace {
        Trace {
            condition: condition.to_string(),
            held,
            detail,
            left: None,
            op: None,
            right: None,
            parts: Vec::new(),
        }
    }

    /// Every failed comparison or gate check below (and including) this trace.
    pub fn failed_leaves(&self) -> Vec<&Trace> {
        let mut out = Vec::new();
        self.collect_failed(&mut out);
        out
    }

    fn collect_failed<'a>(&'a self, out: &mut Vec<&'a Trace>) {
        if self.held {
            return;
        }
        if self.parts.is_empty() {
            out.push(self);
        } else {
            for p in &self.parts {
                p.collect_failed(out);
            }
        }
    }
}

/// Evaluate a resolved condition.
pub fn evaluate(cond: &CCond, facts: &dyn Facts) -> Trace {
    match cond {
        CCond::All(parts, text) => {
            let parts: Vec<Trace> = parts.iter().map(|p| evaluate(p, facts)).collect();
            let failed = parts.iter().filter(|p| !p.held).count();
            let held = failed == 0;
            let detail = if held {
                format!("all {} parts hold", parts.len())
            } else {
                format!("{failed} of {} parts do not hold", parts.len())
            };
            Trace {
                parts,
                ..Trace::simple(text, held, detail)
            }
        }
        CCond::Any(parts, text) => {
            let parts: Vec<Trace> = parts.iter().map(|p| evaluate(p, facts)).collect();
            let ok = parts.iter().filter(|p| p.held).count();
            let held = ok > 0;
            let detail = if held {
                format!("{ok} of {} alternatives hold", parts.len())
            } else {
                format!("none of {} alternatives holds", parts.len())
            };
            Trace {
                parts,
                ..Trace::simple(text, held, detail)
            }
        }
        CCond::Not(inner, text) => {
            let t = evaluate(inner, facts);
            let held = !t.held;
            let detail = format!(
                "'{}' {}, so its negation {}",
                t.condition,
                if t.held { "holds" } else { "does not hold" },
                if held { "holds" } else { "does not hold" }
            );
            Trace {
                parts: vec![t],
                ..Trace::simple(text, held, detail)
            }
        }
        CCond::NoGateFailed(outcome, text) => {
            let failed = facts.any_gate_failed(*outcome);
            let what = match outcome {
                Some(o) => format!("with outcome {}", facts.outcome_id(*o)),
                None => String::new(),
            };
            let detail = if failed {
                format!("a gate failed {what}").trim_end().to_string()
            } else {
                format!("no gate failed {what}").trim_end().to_string()
            };
            Trace::simple(text, !failed, detail)
        }
        CCond::GatePassed(g, text) => {
            let held = facts.gate_passed(*g);
            let detail = format!(
                "gate {} {}",
                facts.id(*g),
                if held { "passed" } else { "did not pass" }
            );
            Trace::simple(text, held, detail)
        }
        CCond::Compare(l, op, r, text) => {
            // A number compared with a rate or share is shown as a percentage.
            let pct_l = is_rate(r);
            let pct_r = is_rate(l);
            let (lq, ld) = measure(l, facts, pct_l);
            let (rq, rd) = measure(r, facts, pct_r);
            let (held, verdict) = match (lq, rq) {
                (Some(a), Some(b)) => {
                    let h = op.holds(a.cmp_exact(&b));
                    (h, if h { "holds" } else { "does not hold" })
                }
                _ => (false, "cannot be decided, so it does not hold"),
            };
            // An indicator's value from counts is a value in its unit, not a share: keep it as
            // the decimal it is for the trace (the comparison above used the exact ratio).
            let shown = |v: &CValue, q: Option<Quantity>| match (v, q) {
                (CValue::IndicatorValue(_), Some(q)) => {
                    Some(Quantity::Decimal(crate::ratio::snap(q.to_decimal())))
                }
                (_, q) => q,
            };
            Trace {
                left: shown(l, lq),
                op: Some(*op),
                right: shown(r, rq),
                ..Trace::simple(text, held, format!("{ld} {op} {rd}: {verdict}"))
            }
        }
    }
}

fn dec(d: Decimal) -> String {
    crate::ratio::display(d, 6).to_string()
}

fn is_rate(v: &CValue) -> bool {
    matches!(
        v,
        CValue::Rate(_) | CValue::Share(..) | CValue::Aggregate(_, Measure::Rate, ..)
    )
}

fn number(d: Decimal, pct: bool) -> String {
    if pct {
        format!("{}%", dec(d * Decimal::ONE_HUNDRED))
    } else {
        dec(d)
    }
}

/// The quantity a value measures and a description of it (`pct`: show numbers as percentages).
fn measure(v: &CValue, facts: &dyn Facts, pct: bool) -> (Option<Quantity>, String) {
    match v {
        CValue::Number(d) => (Some(Quantity::Decimal(*d)), number(*d, pct)),
        CValue::Param(name, d) => (
            Some(Quantity::Decimal(*d)),
            format!("${name} ({})", number(*d, pct)),
        ),
        CValue::Points(0) => match facts.points(0) {
            Some(p) => (Some(p.into()), format!("total {}", dec(p))),
            None => (None, "total (undefined: nothing applicable)".into()),
        },
        CValue::Points(n) => match facts.points(*n) {
            Some(p) => (
                Some(p.into()),
                format!("points of {} = {}", facts.id(*n), dec(p)),
            ),
            None => (None, format!("points of {} (not applicable)", facts.id(*n))),
        },
        CValue::MaxPoints(n) => match facts.max_points(*n) {
            Some(p) => (
                Some(p.into()),
                format!("max points of {} = {}", facts.id(*n), dec(p)),
            ),
            None => (
                None,
                format!("max points of {} (not applicable)", facts.id(*n)),
            ),
        },
        CValue::Rate(n) => match rate(*n, facts) {
            Some(q) => (Some(q), format!("rate of {} = {q}", facts.id(*n))),
            None => (None, format!("rate of {} (not applicable)", facts.id(*n))),
        },
        CValue::IndicatorValue(n) => match facts.indicator_value(*n) {
            // A value from counts is scale × numerator / denominator in the indicator's unit,
            // not a share: show it as a number (95), not as "9500/100 (9500%)".
            Some(q) => {
                let shown = match q {
                    Quantity::Decimal(d) => dec(d),
                    Quantity::Ratio { .. } => q.display_decimal(4).to_string(),
                };
                (Some(q), format!("value of {} = {shown}", facts.id(*n)))
            }
            None => (None, format!("value of {} (no value)", facts.id(*n))),
        },
        CValue::Share(nodes, test, desc) => {
            let (hit, of) = tally(nodes, *test, facts);
            match Quantity::ratio_of_counts(hit, of) {
                Some(q) => (
                    Some(q),
                    format!(
                        "{hit} of {of} {desc} ({}%)",
                        Quantity::ratio_of_counts(hit * 100, of)
                            .map(|p| p.display_decimal(2))
                            .unwrap_or_default()
                    ),
                ),
                None => (
                    None,
                    format!("share of {desc} (undefined: none applicable)"),
                ),
            }
        }
        CValue::Count(nodes, test, desc) => {
            let n = match test {
                Some(t) => tally(nodes, *t, facts).0,
                None => nodes
                    .iter()
                    .filter(|&&n| facts.points(n).is_some() || facts.level_rank(n).is_some())
                    .count() as u64,
            };
            (Some(Decimal::from(n).into()), format!("{n} {desc}"))
        }
        CValue::Aggregate(f, m, nodes, desc) => {
            let values: Vec<(u32, Quantity)> = nodes
                .iter()
                .filter_map(|&n| {
                    let q = match m {
                        Measure::Points => facts.points(n).map(Quantity::Decimal),
                        Measure::Rate => rate(n, facts),
                    };
                    q.map(|q| (n, q))
                })
                .collect();
            let what = match m {
                Measure::Points => "points",
                Measure::Rate => "rate",
            };
            if values.is_empty() {
                return (
                    None,
                    format!("{what} over {desc} (undefined: none applicable)"),
                );
            }
            match f {
                AggFn::Min | AggFn::Max => {
                    let Some(pick) = values.iter().copied().reduce(|a, b| {
                        let ord = b.1.cmp_exact(&a.1);
                        let better = match f {
                            AggFn::Min => ord.is_lt(),
                            _ => ord.is_gt(),
                        };
                        if better {
                            b
                        } else {
                            a
                        }
                    }) else {
                        return (
                            None,
                            format!("{what} over {desc} (undefined: none applicable)"),
                        );
                    };
                    let name = if *f == AggFn::Min {
                        "lowest"
                    } else {
                        "highest"
                    };
                    (
                        Some(pick.1),
                        format!(
                            "{name} {what} over {desc} = {} ({})",
                            pick.1,
                            facts.id(pick.0)
                        ),
                    )
                }
                AggFn::Mean => {
                    let n = Decimal::from(values.len() as u64);
                    let sum = values
                        .iter()
                        .map(|(_, q)| q.to_decimal())
                        .fold(Decimal::ZERO, |a, b| a + b);
                    let q = Quantity::Ratio { num: sum, den: n };
                    (
                        Some(q),
                        format!("mean {what} over {desc} = {}", q.display_decimal(4)),
                    )
                }
            }
        }
    }
}

fn rate(n: u32, facts: &dyn Facts) -> Option<Quantity> {
    Quantity::ratio(facts.points(n)?, facts.max_points(n)?)
}

/// (criteria passing the test, applicable criteria).
fn tally(nodes: &[u32], test: LevelTest, facts: &dyn Facts) -> (u64, u64) {
    let mut hit = 0;
    let mut of = 0;
    for &n in nodes {
        let pass = match test {
            LevelTest::Full => match (facts.points(n), facts.max_points(n)) {
                (Some(p), Some(m)) => Some(p >= m),
                _ => None,
            },
            LevelTest::AtLeast(r) => facts.level_rank(n).map(|x| x >= r),
            LevelTest::Exactly(r) => facts.level_rank(n).map(|x| x == r),
        };
        if let Some(p) = pass {
            of += 1;
            hit += u64::from(p);
        }
    }
    (hit, of)
}
