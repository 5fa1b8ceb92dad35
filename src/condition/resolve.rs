//! Resolving a parsed condition against a rulebook: ids become indices, selectors become
//! lists of nodes, parameters become numbers. Done once, when the rulebook is compiled.

// Input path: no unwrap / expect / panic on data from files or tables (docs/reliability.md).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use super::ast::{AggFn, Cond, LevelSpec, Measure, Selector, Term, Value};
use super::parse::span_text;
use crate::ratio::Op;
use crate::rulebook::model::NodeKind;
use rust_decimal::Decimal;

/// What a condition needs to know about the rulebook to resolve its names.
pub trait Scope {
    /// The index of a node id (`total` is the root).
    fn node(&self, id: &str) -> Option<u32>;
    /// The kind of a node.
    fn kind(&self, node: u32) -> NodeKind;
    /// The value of a parameter.
    fn param(&self, name: &str) -> Option<Decimal>;
    /// The index of an outcome id.
    fn outcome(&self, id: &str) -> Option<u32>;
    /// Every node a selector term matches, in tree order, or why the term is wrong.
    fn matching(&self, term: &Term) -> Result<Vec<bool>, String>;
    /// The rank of a level name for a criterion kind (higher is better).
    fn level_rank(&self, kind: NodeKind, name: &str) -> Option<u8>;
}

/// A level test in `share`/`count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelTest {
    /// Rank at least this.
    AtLeast(u8),
    /// Rank exactly this.
    Exactly(u8),
    /// The criterion earned its maximum points.
    Full,
}

/// A resolved value.
#[derive(Debug, Clone, PartialEq)]
pub enum CValue {
    /// A literal.
    Number(Decimal),
    /// A parameter and its value.
    Param(String, Decimal),
    /// Points of a node.
    Points(u32),
    /// Points / maximum of a node.
    Rate(u32),
    /// Maximum points of a node.
    MaxPoints(u32),
    /// Latest value of an indicator.
    IndicatorValue(u32),
    /// Share of selected criteria passing a level test.
    Share(Vec<u32>, LevelTest, String),
    /// Count of selected criteria (passing a level test, if given).
    Count(Vec<u32>, Option<LevelTest>, String),
    /// Aggregate over selected nodes.
    Aggregate(AggFn, Measure, Vec<u32>, String),
}

/// A resolved condition, with its source text for traces.
#[derive(Debug, Clone, PartialEq)]
pub enum CCond {
    /// All hold.
    All(Vec<CCond>, String),
    /// Any holds.
    Any(Vec<CCond>, String),
    /// Does not hold.
    Not(Box<CCond>, String),
    /// Comparison.
    Compare(CValue, Op, CValue, String),
    /// No gate failed (with this outcome).
    NoGateFailed(Option<u32>, String),
    /// This gate passed.
    GatePassed(u32, String),
}

impl CCond {
    /// The source text of this (sub)condition.
    pub fn text(&self) -> &str {
        match self {
            CCond::All(_, t)
            | CCond::Any(_, t)
            | CCond::Not(_, t)
            | CCond::Compare(.., t)
            | CCond::NoGateFailed(_, t)
            | CCond::GatePassed(_, t) => t,
        }
    }
}

/// Resolve a parsed condition. `text` is the condition's source.
pub fn resolve(cond: &Cond, text: &str, scope: &dyn Scope) -> Result<CCond, String> {
    let t = span_text(text, cond.span()).to_string();
    Ok(match cond {
        Cond::All(parts, _) => CCond::All(
            parts
                .iter()
                .map(|p| resolve(p, text, scope))
                .collect::<Result<_, _>>()?,
            t,
        ),
        Cond::Any(parts, _) => CCond::Any(
            parts
                .iter()
                .map(|p| resolve(p, text, scope))
                .collect::<Result<_, _>>()?,
            t,
        ),
        Cond::Not(inner, _) => CCond::Not(Box::new(resolve(inner, text, scope)?), t),
        Cond::Compare {
            left, op, right, ..
        } => CCond::Compare(value(left, scope)?, *op, value(right, scope)?, t),
        Cond::NoGateFailed { outcome, .. } => {
            let o =
                match outcome {
                    None => None,
                    Some(id) => Some(scope.outcome(id).ok_or_else(|| {
                        format!("unknown outcome {id:?} in 'no gate failed with'")
                    })?),
                };
            CCond::NoGateFailed(o, t)
        }
        Cond::GatePassed(id, _) => {
            let n = node(id, scope)?;
            if scope.kind(n) != NodeKind::Gate {
                return Err(format!(
                    "passed({id}) needs a gate, but {id:?} is {}",
                    scope.kind(n).a_name()
                ));
            }
            CCond::GatePassed(n, t)
        }
    })
}

fn node(id: &str, scope: &dyn Scope) -> Result<u32, String> {
    scope
        .node(id)
        .ok_or_else(|| format!("unknown node id {id:?}"))
}

fn value(v: &Value, scope: &dyn Scope) -> Result<CValue, String> {
    Ok(match v {
        Value::Number(d) => CValue::Number(*d),
        Value::Param(name) => CValue::Param(
            name.clone(),
            scope
                .param(name)
                .ok_or_else(|| format!("unknown parameter ${name}: define it under [params]"))?,
        ),
        Value::Total => CValue::Points(0),
        Value::Points(id) => CValue::Points(scored(id, scope)?),
        Value::Rate(id) => CValue::Rate(scored(id, scope)?),
        Value::MaxPoints(id) => CValue::MaxPoints(scored(id, scope)?),
        Value::IndicatorValue(id) => {
            let n = node(id, scope)?;
            if scope.kind(n) != NodeKind::Indicator {
                return Err(format!(
                    "value({id}) needs an indicator, but {id:?} is {}",
                    scope.kind(n).a_name()
                ));
            }
            CValue::IndicatorValue(n)
        }
        Value::Share(sel, level) => {
            let nodes = select(sel, scope)?;
            let test = level_test(&nodes, level, sel, scope)?;
            CValue::Share(nodes, test, describe(sel, Some(level)))
        }
        Value::Count(sel, level) => {
            // Gates have neither points nor a level: they are left out of a plain count, as of
            // a min / max / mean ("no gate failed" and passed(ID) are about gates); with a
            // level, selecting a gate is an error (below).
            let nodes: Vec<u32> = select(sel, scope)?
                .into_iter()
                .filter(|&n| level.is_some() || scope.kind(n) != NodeKind::Gate)
                .collect();
            if nodes.is_empty() {
                return Err(format!(
                    "'{}' selects gates, which have no points or level to count, and nothing \
                     else: use 'no gate failed' or passed(ID) for gates",
                    sel.text
                ));
            }
            let test = match level {
                Some(l) => Some(level_test(&nodes, l, sel, scope)?),
                None => None,
            };
            CValue::Count(nodes, test, describe(sel, level.as_ref()))
        }
        Value::Aggregate(f, m, sel) => {
            // Gates carry no points: they are left out of a min / max / mean.
            let nodes: Vec<u32> = select(sel, scope)?
                .into_iter()
                .filter(|&n| scope.kind(n) != NodeKind::Gate)
                .collect();
            if nodes.is_empty() {
                return Err(format!(
                    "'{}' selects gates, which carry no points, and nothing else: select groups or criteria",
                    sel.text
                ));
            }
            CValue::Aggregate(*f, *m, nodes, sel.text.clone())
        }
    })
}

/// "core articles at >= B": the selection in words, for traces.
fn describe(sel: &Selector, level: Option<&LevelSpec>) -> String {
    match level {
        None => sel.text.clone(),
        Some(l) if l.name == "full" => format!("{} with full points", sel.text),
        Some(l) if l.exact => format!("{} at exactly {}", sel.text, l.name),
        Some(l) => format!("{} at >= {}", sel.text, l.name),
    }
}

fn scored(id: &str, scope: &dyn Scope) -> Result<u32, String> {
    let n = node(id, scope)?;
    if scope.kind(n) == NodeKind::Gate {
        return Err(format!(
            "{id:?} is a gate, which carries no points: use passed({id})"
        ));
    }
    Ok(n)
}

fn select(sel: &Selector, scope: &dyn Scope) -> Result<Vec<u32>, String> {
    let mut keep: Option<Vec<bool>> = None;
    for term in &sel.terms {
        let m = scope.matching(term)?;
        keep = Some(match keep {
            None => m,
            Some(k) => k.iter().zip(&m).map(|(a, b)| *a && *b).collect(),
        });
    }
    let nodes: Vec<u32> = keep
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter(|(_, k)| **k)
        .map(|(i, _)| i as u32)
        .collect();
    if nodes.is_empty() {
        return Err(format!("'{}' selects no node", sel.text));
    }
    Ok(nodes)
}

fn level_test(
    nodes: &[u32],
    level: &LevelSpec,
    sel: &Selector,
    scope: &dyn Scope,
) -> Result<LevelTest, String> {
    if level.name == "full" {
        if level.exact {
            return Err("write 'full', not '== full'".into());
        }
        if let Some(&n) = nodes
            .iter()
            .find(|&&n| matches!(scope.kind(n), NodeKind::Group | NodeKind::Gate))
        {
            return Err(format!(
                "'{}' selects a {}; share and count work on criteria (add 'articles', \
                 'elements', 'indicators' or 'criteria')",
                sel.text,
                scope.kind(n).name()
            ));
        }
        return Ok(LevelTest::Full);
    }
    let kind = scope.kind(nodes[0]);
    if let Some(&other) = nodes.iter().find(|&&n| scope.kind(n) != kind) {
        return Err(format!(
            "'{}' mixes {}s and {}s; a level like {:?} applies to one kind (add 'articles' or \
             'elements')",
            sel.text,
            kind.name(),
            scope.kind(other).name(),
            level.name
        ));
    }
    let rank = scope
        .level_rank(kind, &level.name)
        .ok_or_else(|| match kind {
            NodeKind::Article => {
                format!("unknown article level {:?}: use A, B, C or D", level.name)
            }
            NodeKind::Element => format!(
                "unknown element result {:?}: use met, partial or not_met",
                level.name
            ),
            k => format!(
                "{}s have no levels; use 'full' (earned their maximum points)",
                k.name()
            ),
        })?;
    Ok(if level.exact {
        LevelTest::Exactly(rank)
    } else {
        LevelTest::AtLeast(rank)
    })
}
