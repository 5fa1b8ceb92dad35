//! The syntax tree of a grade condition, as parsed (ids not yet resolved).

use crate::ratio::Op;
use crate::rulebook::model::NodeKind;
use rust_decimal::Decimal;

/// A byte range in the condition text.
pub type Span = (usize, usize);

/// A condition: something that holds or not.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// Every part holds.
    All(Vec<Cond>, Span),
    /// At least one part holds.
    Any(Vec<Cond>, Span),
    /// The part does not hold.
    Not(Box<Cond>, Span),
    /// `left OP right`.
    Compare {
        /// Left side.
        left: Value,
        /// Operator.
        op: Op,
        /// Right side.
        right: Value,
        /// Source span.
        span: Span,
    },
    /// `no gate failed` or `no gate failed with OUTCOME`.
    NoGateFailed {
        /// Restrict to failures with this outcome.
        outcome: Option<String>,
        /// Source span.
        span: Span,
    },
    /// `passed(ID)`: the gate was answered and passed.
    GatePassed(String, Span),
}

impl Cond {
    /// Selector terms in the condition. Resolving each is a pass over the rulebook's nodes,
    /// so the compiler bounds their total (`MAX_SELECTOR_TERMS`).
    pub fn selector_terms(&self) -> usize {
        fn value(v: &Value) -> usize {
            match v {
                Value::Share(s, _) | Value::Count(s, _) | Value::Aggregate(_, _, s) => {
                    s.terms.iter().map(term).sum()
                }
                _ => 0,
            }
        }
        fn term(t: &Term) -> usize {
            match t {
                Term::Not(t) => 1 + term(t),
                _ => 1,
            }
        }
        match self {
            Cond::All(parts, _) | Cond::Any(parts, _) => {
                parts.iter().map(Cond::selector_terms).sum()
            }
            Cond::Not(c, _) => c.selector_terms(),
            Cond::Compare { left, right, .. } => value(left) + value(right),
            Cond::NoGateFailed { .. } | Cond::GatePassed(..) => 0,
        }
    }

    /// The source span.
    pub fn span(&self) -> Span {
        match self {
            Cond::All(_, s) | Cond::Any(_, s) | Cond::Not(_, s) | Cond::GatePassed(_, s) => *s,
            Cond::Compare { span, .. } | Cond::NoGateFailed { span, .. } => *span,
        }
    }
}

/// Something measured or written in a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A literal number (`900`, `70%`).
    Number(Decimal),
    /// A rulebook parameter (`$grade_a_total`).
    Param(String),
    /// `total`: the total points.
    Total,
    /// `points(ID)`.
    Points(String),
    /// `rate(ID)`: points / maximum points.
    Rate(String),
    /// `max_points(ID)`.
    MaxPoints(String),
    /// `value(ID)`: an indicator's latest value.
    IndicatorValue(String),
    /// `share(SELECTOR, LEVEL)`: applicable criteria at the level over applicable criteria.
    Share(Selector, LevelSpec),
    /// `count(SELECTOR, LEVEL)` or `count(SELECTOR)`.
    Count(Selector, Option<LevelSpec>),
    /// `min|max|mean(points|rate, SELECTOR)` over applicable nodes.
    Aggregate(AggFn, Measure, Selector),
}

/// An aggregate over selected nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggFn {
    /// Smallest.
    Min,
    /// Largest.
    Max,
    /// Mean.
    Mean,
}

/// What is aggregated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Points.
    Points,
    /// Points / maximum points.
    Rate,
}

/// Nodes selected by a conjunction of terms.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Selector {
    /// Terms that must all hold.
    pub terms: Vec<Term>,
    /// Source text.
    pub text: String,
}

/// One term of a selector.
#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    /// Nodes of a kind (`articles`, `elements`, `indicators`, `gates`, `groups`).
    Kind(NodeKind),
    /// Every scored criterion (`criteria`).
    Criteria,
    /// Every node (`all`, `nodes`).
    All,
    /// Nodes with a flag (`core`).
    Flag(String),
    /// Descendants of a node (`under ID`).
    Under(String),
    /// Direct children of a node (`children of ID`).
    ChildrenOf(String),
    /// Nodes of a tier (`tier chapter`).
    Tier(String),
    /// Nodes of a department (`department 医务部`).
    Department(String),
    /// The term does not hold (`not core`).
    Not(Box<Term>),
}

/// A level written in `share`/`count`: `A`, `>= B`, `== C`, `met`, `>= partial`, `full`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelSpec {
    /// `true` for `==` (exactly this level); otherwise at least this level.
    pub exact: bool,
    /// The level name.
    pub name: String,
}
