//! The grade decision: every grade's conditions with their trace, then gate outcomes.
//!
//! 1. Every grade's conditions are evaluated (all of them, so the report can show how far each
//!    grade is).
//! 2. The grade earned is the first (best) grade whose conditions all hold.
//! 3. A failed gate whose outcome has effect `no-grade` withholds the grade (e.g. review
//!    deferred); otherwise outcomes with effect `downgrade` lower the earned grade by the
//!    largest number of steps among them (never below the last grade).

use super::{CriterionScore, Scorecard};
use crate::condition::{self, Facts, Trace};
use crate::ratio::Quantity;
use crate::rulebook::model::Effect;
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
    pub(crate) points: &'a [Option<Decimal>],
    pub(crate) max: &'a [Decimal],
    pub(crate) criteria: &'a [CriterionScore],
    pub(crate) failed_gates: &'a [(u32, u32)],
}

impl<'a> CardFacts<'a> {
    pub(crate) fn of(
        rb: &'a Rulebook,
        card: &'a Scorecard,
        failed_gates: &'a [(u32, u32)],
    ) -> Self {
        CardFacts {
            rb,
            points: &card.points,
            max: &card.max,
            criteria: &card.criteria,
            failed_gates,
        }
    }
}

impl Facts for CardFacts<'_> {
    fn id(&self, node: u32) -> &str {
        &self.rb.nodes()[node as usize].id
    }
    fn points(&self, node: u32) -> Option<Decimal> {
        self.points[node as usize]
    }
    fn max_points(&self, node: u32) -> Option<Decimal> {
        self.points[node as usize].map(|_| self.max[node as usize])
    }
    fn indicator_value(&self, node: u32) -> Option<Quantity> {
        self.criteria[node as usize].value.map(|v| v.1)
    }
    fn level_rank(&self, node: u32) -> Option<u8> {
        let c = &self.criteria[node as usize];
        // A criterion that does not count (not applicable) has no rank.
        c.points.and(c.rank)
    }
    fn gate_passed(&self, node: u32) -> bool {
        self.criteria[node as usize].gate == Some(true)
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

/// The failed gates of scored criteria: (gate node, outcome index), in tree order.
pub(crate) fn failed_gates(rb: &Rulebook, criteria: &[CriterionScore], out: &mut Vec<(u32, u32)>) {
    out.clear();
    for &i in rb.evidence_nodes() {
        if let crate::rulebook::compile::Rule::Gate { outcome } = rb.nodes()[i as usize].rule {
            if criteria[i as usize].gate == Some(false) {
                out.push((i, outcome));
            }
        }
    }
}

/// The grade awarded, the grade earned, and the gate effects (withheld by, lowered by).
pub(crate) type Verdict = (
    Option<usize>,
    Option<usize>,
    Option<u32>,
    Option<(u32, u32)>,
);

/// Apply the gate outcomes to the grade the conditions earned.
fn verdict(rb: &Rulebook, earned: Option<usize>, failed_gates: &[(u32, u32)]) -> Verdict {
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
    // Report a downgrade only when it lowered something (at the last grade it cannot).
    let lowered_by = match (withheld_by, grade, earned) {
        (None, Some(g), Some(e)) if g != e => lowered_by.map(|(o, _)| (o, (g - e) as u32)),
        _ => None,
    };
    (grade, earned, withheld_by, lowered_by)
}

/// The decision without traces: the first grade whose conditions all hold (checked with
/// [`condition::holds`], short-circuiting), then the gate outcomes of the failed gates
/// (node, outcome) the facts hold. Equal to [`decide`]'s grade fields.
pub(crate) fn decide_lean(
    rb: &Rulebook,
    facts: &dyn Facts,
    failed_gates: &[(u32, u32)],
) -> Verdict {
    let earned = rb
        .grades()
        .iter()
        .position(|g| g.conditions.iter().all(|c| condition::holds(c, facts)));
    verdict(rb, earned, failed_gates)
}

/// Decide the grade of a scorecard whose points are computed.
pub(crate) fn decide(rb: &Rulebook, card: &Scorecard) -> Decision {
    let mut failed = Vec::new();
    failed_gates(rb, &card.criteria, &mut failed);
    let facts = CardFacts::of(rb, card, &failed);
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
    let (grade, earned, withheld_by, lowered_by) = verdict(rb, earned, &failed);
    Decision {
        grade,
        earned,
        withheld_by,
        lowered_by,
        failed_gates: failed,
        grades,
    }
}
