//! A hospital's result in a batch, scored lean: the same figures as a full [`Scorecard`]
//! (total, parts, grade, gate effects), without traces, deductions or impacts, into buffers
//! reused from one hospital to the next.

use super::grade::{decide_lean, failed_gates, CardFacts, Verdict};
use super::{aggregate, score_criteria, CriterionScore, Missing, Scorecard};
use crate::evidence::{EvidenceError, Sheet};
use crate::Rulebook;
use rust_decimal::Decimal;

/// One hospital's figures in a batch summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Hospital id.
    pub hospital: String,
    /// Total points (`None`: nothing applicable).
    pub total: Option<Decimal>,
    /// Maximum total points.
    pub max_total: Decimal,
    /// Points of each scored part (the total's children that carry points), in tree order.
    pub parts: Vec<Option<Decimal>>,
    /// The grade awarded (index in the rulebook).
    pub grade: Option<usize>,
    /// The grade the conditions alone award.
    pub earned: Option<usize>,
    /// The outcome that withheld the grade.
    pub withheld_by: Option<u32>,
    /// The outcome that lowered the grade, and by how many places.
    pub lowered_by: Option<(u32, u32)>,
    /// Failed gates (node indices), in tree order.
    pub failed_gates: Vec<u32>,
    /// SHA-256 of the evidence as scored (see [`crate::audit`]).
    pub evidence_hash: String,
}

/// The scored parts of a rulebook: the total's children that carry points.
pub fn scored_parts(rb: &Rulebook) -> impl Iterator<Item = u32> + '_ {
    rb.nodes()[0]
        .children
        .iter()
        .copied()
        .filter(|&c| rb.nodes()[c as usize].scored)
}

impl Summary {
    /// The summary of a full scorecard.
    pub fn of(rb: &Rulebook, card: &Scorecard) -> Summary {
        let d = &card.decision;
        Summary {
            hospital: card.hospital.clone(),
            total: card.points[0],
            max_total: card.max[0],
            parts: scored_parts(rb).map(|p| card.points[p as usize]).collect(),
            grade: d.grade,
            earned: d.earned,
            withheld_by: d.withheld_by,
            lowered_by: d.lowered_by,
            failed_gates: d.failed_gates.iter().map(|g| g.0).collect(),
            evidence_hash: card.evidence_hash.clone(),
        }
    }

    /// The result in words (the grade, or why there is none).
    pub fn status(&self, rb: &Rulebook) -> String {
        crate::report::status_text(
            rb,
            self.grade,
            self.earned,
            self.withheld_by,
            self.lowered_by,
        )
    }
}

/// Buffers reused to score one hospital after another on one thread.
#[derive(Debug, Clone)]
pub struct Scratch {
    criteria: Vec<CriterionScore>,
    missing: Vec<Missing>,
    points: Vec<Option<Decimal>>,
    max: Vec<Decimal>,
    failed: Vec<(u32, u32)>,
    fixed: super::fixed::FixedScratch,
}

impl Scratch {
    /// Buffers sized for a rulebook.
    pub fn new(rb: &Rulebook) -> Scratch {
        Scratch {
            criteria: vec![CriterionScore::not_applicable(); rb.nodes().len()],
            missing: Vec::new(),
            points: Vec::new(),
            max: Vec::new(),
            failed: Vec::new(),
            fixed: Default::default(),
        }
    }
}

/// Score a checked sheet into its summary; the figures equal [`super::score_sheet`]'s.
pub fn score_summary(
    rb: &Rulebook,
    sheet: &Sheet,
    scratch: &mut Scratch,
) -> Result<Summary, EvidenceError> {
    if scratch.criteria.len() != rb.nodes().len() {
        *scratch = Scratch::new(rb);
    }
    super::exactly(&sheet.hospital, || {
        let s = &mut *scratch;
        if let Some(plan) = &rb.flat().fixed {
            if let Some(summary) = super::fixed::summary(rb, plan, sheet, &mut s.fixed) {
                return Ok(summary);
            }
        }
        score_criteria(rb, sheet, &mut s.criteria, &mut s.missing)?;
        aggregate::points_into(rb, &s.criteria, &mut s.points, &mut s.max);
        failed_gates(rb, &s.criteria, &mut s.failed);
        let facts = CardFacts {
            rb,
            points: &s.points,
            max: &s.max,
            criteria: &s.criteria,
            failed_gates: &s.failed,
        };
        let verdict = decide_lean(rb, &facts, &s.failed);
        let figures = |node: u32| (s.points[node as usize], s.max[node as usize]);
        Ok(Summary::new(rb, sheet, figures, verdict, &s.failed))
    })
}

impl Summary {
    /// A hospital's summary from its figures: `figures(node)` gives a node's points and
    /// maximum; the grade verdict; the failed gates (node, outcome).
    pub(crate) fn new(
        rb: &Rulebook,
        sheet: &Sheet,
        figures: impl Fn(u32) -> (Option<Decimal>, Decimal),
        verdict: Verdict,
        failed: &[(u32, u32)],
    ) -> Summary {
        let (grade, earned, withheld_by, lowered_by) = verdict;
        let (total, max_total) = figures(0);
        Summary {
            hospital: sheet.hospital.clone(),
            total,
            max_total,
            parts: scored_parts(rb).map(|p| figures(p).0).collect(),
            grade,
            earned,
            withheld_by,
            lowered_by,
            failed_gates: failed.iter().map(|g| g.0).collect(),
            evidence_hash: crate::audit::evidence_hash(rb, sheet),
        }
    }
}
