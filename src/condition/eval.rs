//! Evaluating a resolved condition against one hospital's scored facts, with a trace.

// Input path: no unwrap / expect / panic on data from files or tables (docs/reliability.md).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

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

/// A measured value and what its description needs.
struct Raw {
    q: Option<Quantity>,
    aux: Aux,
}

enum Aux {
    None,
    /// Criteria passing a level test, of applicable ones.
    Tally(u64, u64),
    /// A count.
    Count(u64),
    /// The node a min / max picked.
    Pick(u32),
}

fn raw(q: Option<Quantity>) -> Raw {
    Raw { q, aux: Aux::None }
}

/// The quantity a value measures, without any text: the one place numbers are computed, for
/// both [`evaluate`] (which then describes them) and [`holds`].
fn measure_raw(v: &CValue, facts: &dyn Facts) -> Raw {
    match v {
        CValue::Number(d) | CValue::Param(_, d) => raw(Some(Quantity::Decimal(*d))),
        CValue::Points(n) => raw(facts.points(*n).map(Quantity::Decimal)),
        CValue::MaxPoints(n) => raw(facts.max_points(*n).map(Quantity::Decimal)),
        CValue::Rate(n) => raw(rate(*n, facts)),
        CValue::IndicatorValue(n) => raw(facts.indicator_value(*n)),
        CValue::Share(nodes, test, _) => {
            let (hit, of) = tally(nodes, *test, facts);
            Raw {
                q: Quantity::ratio_of_counts(hit, of),
                aux: Aux::Tally(hit, of),
            }
        }
        CValue::Count(nodes, test, _) => {
            let n = match test {
                Some(t) => tally(nodes, *t, facts).0,
                None => nodes
                    .iter()
                    .filter(|&&n| facts.points(n).is_some() || facts.level_rank(n).is_some())
                    .count() as u64,
            };
            Raw {
                q: Some(Decimal::from(n).into()),
                aux: Aux::Count(n),
            }
        }
        CValue::Aggregate(f, m, nodes, _) => {
            let value = |n: u32| match m {
                Measure::Points => facts.points(n).map(Quantity::Decimal),
                Measure::Rate => rate(n, facts),
            };
            match f {
                AggFn::Min | AggFn::Max => {
                    let mut best: Option<(u32, Quantity)> = None;
                    for &n in nodes {
                        let Some(q) = value(n) else { continue };
                        let better = match &best {
                            None => true,
                            Some((_, b)) => {
                                let ord = q.cmp_exact(b);
                                if *f == AggFn::Min {
                                    ord.is_lt()
                                } else {
                                    ord.is_gt()
                                }
                            }
                        };
                        if better {
                            best = Some((n, q));
                        }
                    }
                    match best {
                        Some((n, q)) => Raw {
                            q: Some(q),
                            aux: Aux::Pick(n),
                        },
                        None => raw(None),
                    }
                }
                AggFn::Mean => {
                    let (mut sum, mut count) = (Decimal::ZERO, 0u64);
                    for &n in nodes {
                        if let Some(q) = value(n) {
                            sum += q.to_decimal();
                            count += 1;
                        }
                    }
                    raw(Quantity::ratio(sum, Decimal::from(count)))
                }
            }
        }
    }
}

/// The quantity a value measures and a description of it (`pct`: show numbers as percentages).
fn measure(v: &CValue, facts: &dyn Facts, pct: bool) -> (Option<Quantity>, String) {
    let r = measure_raw(v, facts);
    let text = match (v, r.q) {
        (CValue::Number(d), _) => number(*d, pct),
        (CValue::Param(name, d), _) => format!("${name} ({})", number(*d, pct)),
        (CValue::Points(0), Some(q)) => format!("total {}", dec(q.to_decimal())),
        (CValue::Points(0), None) => "total (undefined: nothing applicable)".into(),
        (CValue::Points(n), Some(q)) => {
            format!("points of {} = {}", facts.id(*n), dec(q.to_decimal()))
        }
        (CValue::Points(n), None) => format!("points of {} (not applicable)", facts.id(*n)),
        (CValue::MaxPoints(n), Some(q)) => {
            format!("max points of {} = {}", facts.id(*n), dec(q.to_decimal()))
        }
        (CValue::MaxPoints(n), None) => {
            format!("max points of {} (not applicable)", facts.id(*n))
        }
        (CValue::Rate(n), Some(q)) => format!("rate of {} = {q}", facts.id(*n)),
        (CValue::Rate(n), None) => format!("rate of {} (not applicable)", facts.id(*n)),
        // A value from counts is scale × numerator / denominator in the indicator's unit, not
        // a share: show it as a number (95), not as "9500/100 (9500%)".
        (CValue::IndicatorValue(n), Some(q)) => {
            let shown = match q {
                Quantity::Decimal(d) => dec(d),
                Quantity::Ratio { .. } => q.display_decimal(4).to_string(),
            };
            format!("value of {} = {shown}", facts.id(*n))
        }
        (CValue::IndicatorValue(n), None) => format!("value of {} (no value)", facts.id(*n)),
        (CValue::Share(_, _, desc), Some(_)) => match r.aux {
            Aux::Tally(hit, of) => format!(
                "{hit} of {of} {desc} ({}%)",
                Quantity::ratio_of_counts(hit * 100, of)
                    .map(|p| p.display_decimal(2))
                    .unwrap_or_default()
            ),
            _ => desc.clone(),
        },
        (CValue::Share(_, _, desc), None) => {
            format!("share of {desc} (undefined: none applicable)")
        }
        (CValue::Count(_, _, desc), _) => match r.aux {
            Aux::Count(n) => format!("{n} {desc}"),
            _ => desc.clone(),
        },
        (CValue::Aggregate(f, m, _, desc), q) => {
            let what = match m {
                Measure::Points => "points",
                Measure::Rate => "rate",
            };
            match (f, q, &r.aux) {
                (_, None, _) => format!("{what} over {desc} (undefined: none applicable)"),
                (AggFn::Mean, Some(q), _) => {
                    format!("mean {what} over {desc} = {}", q.display_decimal(4))
                }
                (f, Some(q), aux) => {
                    let name = if *f == AggFn::Min {
                        "lowest"
                    } else {
                        "highest"
                    };
                    let at = match aux {
                        Aux::Pick(n) => format!(" ({})", facts.id(*n)),
                        _ => String::new(),
                    };
                    format!("{name} {what} over {desc} = {q}{at}")
                }
            }
        }
    };
    (r.q, text)
}

/// Whether a condition holds, without building a trace (the same numbers as [`evaluate`];
/// for scoring many hospitals).
pub fn holds(cond: &CCond, facts: &dyn Facts) -> bool {
    match cond {
        CCond::All(parts, _) => parts.iter().all(|p| holds(p, facts)),
        CCond::Any(parts, _) => parts.iter().any(|p| holds(p, facts)),
        CCond::Not(inner, _) => !holds(inner, facts),
        CCond::NoGateFailed(outcome, _) => !facts.any_gate_failed(*outcome),
        CCond::GatePassed(g, _) => facts.gate_passed(*g),
        CCond::Compare(l, op, r, _) => match (measure_raw(l, facts).q, measure_raw(r, facts).q) {
            (Some(a), Some(b)) => op.holds(a.cmp_exact(&b)),
            _ => false,
        },
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
