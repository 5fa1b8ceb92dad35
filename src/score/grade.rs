//! The grade decision: every grade's conditions with their trace, then gate outcomes.
//!
//! 1. Every grade's conditions are evaluated (all of them, so the report can show how far each
//!    grade is).
//! 2. The grade earned is the first (best) grade whose conditions all hold.
//! 3. A failed gate whose outcome has effect `no-grade` withholds the grade (e.g. review
//!    deferred); otherwise outcomes with effect `downgrade` lower the earned grade by the
//!    largest number of steps among them (never below the last grade).

use super::Scorecard;
use crate::condition::{self, Facts, Trace};
use crate::ratio::Quantity;
use crate::rulebook::model::{Effect, NodeKind};
use crate::Rulebook;
use rust_decimal::Decimal;
use serde::Serialize;

/// How one grade's conditions came out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradeTrace {
    /// The grade index in the rulebook.
    pub grade: usize,
    /// Whether every condition held.
    pub held: bool,
    /// One trace per condition.
    pub conditions: Vec<Trace>,
}

/// The grade decision with its reasons.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Decision {
    /// The grade awarded (index in the rulebook), after gate outcomes.
    pub grade: Option<usize>,
    /// The grade the conditions alone would award.
    pub earned: Option<usize>,
    /// The outcome that withheld the grade (effect `no-grade`), if any.
    pub withheld_by: Option<u32>,
    /// The outcome that lowered the grade and by how many places, if any.
    pub lowered_by: Option<(u32, u32)>,
    /// Failed gates: (gate node, outcome index).
    pub failed_gates: Vec<(u32, u32)>,
    /// Every grade's trace, best first.
    pub grades: Vec<GradeTrace>,
}

/// Facts of a scored hospital, as conditions see them.
pub(crate) struct CardFacts<'a> {
    pub(crate) rb: &'a Rulebook,
    pub(crate) card: &'a Scorecard,
    pub(crate) failed_gates: &'a [(u32, u32)],
}

impl Facts for CardFacts<'_> {
    fn id(&self, node: u32) -> &str {
        &self.rb.nodes()[node as usize].id
    }
    fn points(&self, node: u32) -> Option<Decimal> {
        self.card.points[node as usize]
    }
    fn max_points(&self, node: u32) -> Option<Decimal> {
        self.card.points[node as usize].map(|_| self.card.max[node as usize])
    }
    fn indicator_value(&self, node: u32) -> Option<Quantity> {
        self.card.criteria[node as usize].value.map(|v| v.1)
    }
    fn level_rank(&self, node: u32) -> Option<u8> {
        let c = &self.card.criteria[node as usize];
        // A criterion that does not count (not applicable) has no rank.
        c.points.and(c.rank)
    }
    fn gate_passed(&self, node: u32) -> bool {
        self.card.criteria[node as usize].gate == Some(true)
    }
    fn any_gate_failed(&self, outcome: Option<u32>) -> bool {
        self.failed_gates
            .iter()
            .any(|&(_, o)| outcome.is_none_or(|want| want == o))
    }
    fn outcome_id(&self, outcome: u32) -> &str {
        &self.rb.outcomes()[outcome as usize].id
    }
}

/// Decide the grade of a scorecard whose points are computed.
pub(crate) fn decide(rb: &Rulebook, card: &Scorecard) -> Decision {
    let failed_gates: Vec<(u32, u32)> = rb
        .evidence_nodes()
        .iter()
        .filter(|&&i| rb.nodes()[i as usize].kind == NodeKind::Gate)
        .filter(|&&i| card.criteria[i as usize].gate == Some(false))
        .filter_map(|&i| match rb.nodes()[i as usize].rule {
            crate::rulebook::compile::Rule::Gate { outcome } => Some((i, outcome)),
            _ => None,
        })
        .collect();
    let facts = CardFacts {
        rb,
        card,
        failed_gates: &failed_gates,
    };
    let grades: Vec<GradeTrace> = rb
        .grades()
        .iter()
        .enumerate()
        .map(|(gi, g)| {
            let conditions: Vec<Trace> = g
                .conditions
                .iter()
                .map(|c| condition::evaluate(c, &facts))
                .collect();
            GradeTrace {
                grade: gi,
                held: conditions.iter().all(|t| t.held),
                conditions,
            }
        })
        .collect();
    let earned = grades.iter().position(|g| g.held);
    let outcomes = rb.outcomes();
    let withheld_by = failed_gates
        .iter()
        .map(|&(_, o)| o)
        .filter(|&o| outcomes[o as usize].effect == Effect::NoGrade)
        .min();
    let lowered_by = failed_gates
        .iter()
        .map(|&(_, o)| o)
        .filter(|&o| outcomes[o as usize].effect == Effect::Downgrade)
        .max_by_key(|&o| (outcomes[o as usize].steps, std::cmp::Reverse(o)))
        .map(|o| (o, outcomes[o as usize].steps));
    let grade = match (withheld_by, earned) {
        (Some(_), _) | (None, None) => None,
        (None, Some(g)) => Some(match lowered_by {
            Some((_, steps)) => (g + steps as usize).min(rb.grades().len() - 1),
            None => g,
        }),
    };
    Decision {
        grade,
        earned,
        withheld_by,
        // Report a downgrade only when it lowered something (at the last grade it cannot).
        lowered_by: match (withheld_by, grade, earned) {
            (None, Some(g), Some(e)) if g != e => lowered_by.map(|(o, _)| (o, (g - e) as u32)),
            _ => None,
        },
        failed_gates,
        grades,
    }
}
