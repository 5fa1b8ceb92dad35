//! The report of one hospital: points per node, gates, the grade with the trace of every
//! condition, the deductions with their reasons, and the missing evidence.

#[cfg(feature = "arrow")]
pub mod arrow;
mod explain;
mod json;
mod reason;

use crate::condition::Trace;
use crate::ratio::display;
use crate::rulebook::compile::Rule;
use crate::rulebook::model::{Effect, MissingAction, NodeKind};
use crate::score::{Decision, Scorecard};
use crate::Rulebook;
use rust_decimal::Decimal;
use serde::Serialize;

/// A scored hospital.
#[derive(Debug, Clone)]
pub struct Report {
    rulebook: Rulebook,
    card: Scorecard,
    /// The checked evidence it was scored from, when kept (what-if and gap analysis start
    /// from it; reports built from a bare scorecard rebuild it from the scorecard).
    sheet: Option<std::sync::Arc<crate::evidence::Sheet>>,
}

/// One node of the report's tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeRow {
    /// Node id (`total` for the root).
    pub id: String,
    /// Parent id.
    pub parent: Option<String>,
    /// Depth (0 for the total).
    pub depth: u32,
    /// Kind name.
    pub kind: &'static str,
    /// Title.
    pub title: String,
    /// Responsible department.
    pub department: Option<String>,
    /// Flags.
    pub flags: Vec<String>,
    /// Points earned (`None`: not applicable).
    pub points: Option<Decimal>,
    /// Maximum points.
    pub max_points: Decimal,
    /// Points / maximum.
    pub rate: Option<Decimal>,
    /// Whether it counts.
    pub applicable: bool,
    /// Article level, element result or gate answer.
    pub level: Option<String>,
    /// Indicator: latest value (as a float, for tables).
    pub value: Option<f64>,
    /// Indicator: period of the latest value.
    pub period: Option<String>,
    /// Points this node's shortfall costs the total.
    pub lost_in_total: Decimal,
    /// Why (criteria only).
    pub reason: String,
}

/// A gate's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateRow {
    /// Gate id.
    pub id: String,
    /// Title.
    pub title: String,
    /// `pass`, `fail` or `missing`.
    pub result: &'static str,
    /// Outcome id when failed.
    pub outcome: Option<String>,
    /// Outcome title when failed.
    pub outcome_title: Option<String>,
    /// Effect of the outcome when failed: `no-grade`, `downgrade`, `record`.
    pub effect: Option<&'static str>,
}

/// Points lost on one criterion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deduction {
    /// Criterion id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Kind name.
    pub kind: &'static str,
    /// Responsible department.
    pub department: Option<String>,
    /// Points earned.
    pub points: Decimal,
    /// Maximum points.
    pub max_points: Decimal,
    /// Points lost on the criterion.
    pub lost: Decimal,
    /// Points the loss costs the total (through weights and rescaling), 4 places.
    pub lost_in_total: Decimal,
    /// Why, in words.
    pub reason: String,
}

/// A criterion without evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingRow {
    /// Criterion id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Kind name.
    pub kind: &'static str,
    /// Department.
    pub department: Option<String>,
    /// What it was counted as: `zero` or `not-applicable`.
    pub counted_as: &'static str,
    /// What is missing.
    pub detail: String,
}

fn effect_name(e: Effect) -> &'static str {
    match e {
        Effect::NoGrade => "no-grade",
        Effect::Downgrade => "downgrade",
        Effect::Record => "record",
    }
}

/// The result of a review in words: the grade, or why there is none.
pub fn status_text(
    rb: &Rulebook,
    grade: Option<usize>,
    earned: Option<usize>,
    withheld_by: Option<u32>,
    lowered_by: Option<(u32, u32)>,
) -> String {
    let grades = rb.grades();
    if let Some(o) = withheld_by {
        let o = &rb.outcomes()[o as usize];
        return format!("not graded: {} ({})", o.title, o.id);
    }
    match (grade, lowered_by) {
        (Some(g), Some((o, steps))) => format!(
            "{} (lowered {steps} from {} by {})",
            grades[g].id,
            earned.map(|e| grades[e].id.as_str()).unwrap_or("?"),
            rb.outcomes()[o as usize].title
        ),
        (Some(g), None) => grades[g].id.clone(),
        (None, _) => "no grade: no grade's conditions all hold".into(),
    }
}

impl Report {
    pub(crate) fn new(rulebook: Rulebook, card: Scorecard) -> Report {
        Report {
            rulebook,
            card,
            sheet: None,
        }
    }

    /// Keep the checked evidence the report was scored from.
    pub fn with_sheet(mut self, sheet: crate::evidence::Sheet) -> Report {
        self.sheet = Some(std::sync::Arc::new(sheet));
        self
    }

    /// The checked evidence the report was scored from, when kept ([`score`](crate::score())
    /// keeps it; [`Report::from_scorecard`] does not).
    pub fn sheet(&self) -> Option<&crate::evidence::Sheet> {
        self.sheet.as_deref()
    }

    /// Build a report from a scorecard of this rulebook.
    pub fn from_scorecard(rulebook: &Rulebook, card: Scorecard) -> Report {
        Report::new(rulebook.clone(), card)
    }

    /// The rulebook it was scored against.
    pub fn rulebook(&self) -> &Rulebook {
        &self.rulebook
    }

    /// The numeric scorecard.
    pub fn scorecard(&self) -> &Scorecard {
        &self.card
    }

    /// What the report was computed from: rulebook id, edition and content hash, evidence
    /// hash and sanjia version (see [`crate::audit`]).
    pub fn audit(&self) -> crate::audit::Audit {
        crate::audit::Audit::new(&self.rulebook, &self.card.evidence_hash)
    }

    /// Hospital id.
    pub fn hospital(&self) -> &str {
        &self.card.hospital
    }

    /// The grade awarded (its id), if any.
    pub fn grade(&self) -> Option<&str> {
        self.card
            .decision
            .grade
            .map(|g| self.rulebook.grades()[g].id.as_str())
    }

    /// The grade the conditions alone would award, before gate outcomes.
    pub fn earned_grade(&self) -> Option<&str> {
        self.card
            .decision
            .earned
            .map(|g| self.rulebook.grades()[g].id.as_str())
    }

    /// The review's status in words: the grade, or why there is none.
    pub fn status(&self) -> String {
        Report::status_of(&self.rulebook, &self.card)
    }

    /// The status in words of a scorecard of this rulebook.
    pub fn status_of(rb: &Rulebook, card: &Scorecard) -> String {
        let d = &card.decision;
        status_text(rb, d.grade, d.earned, d.withheld_by, d.lowered_by)
    }

    /// Total points (`None` when nothing applicable).
    pub fn total(&self) -> Option<Decimal> {
        self.card.total()
    }

    /// Maximum total points.
    pub fn max_total(&self) -> Decimal {
        self.card.max[0]
    }

    /// The grade decision with every condition's trace.
    pub fn decision(&self) -> &Decision {
        &self.card.decision
    }

    /// Points of a node by id (`None`: unknown id or not applicable).
    pub fn points(&self, id: &str) -> Option<Decimal> {
        self.rulebook
            .node_index(id)
            .and_then(|i| self.card.points[i as usize])
    }

    /// Every node as a row, in tree order.
    pub fn nodes(&self) -> Vec<NodeRow> {
        let rb = &self.rulebook;
        let card = &self.card;
        rb.nodes()
            .iter()
            .enumerate()
            .map(|(k, n)| {
                let c = &card.criteria[k];
                let points = card.points[k];
                let max = card.max[k];
                let level = match &n.rule {
                    Rule::Article { .. }
                        if c.points.is_some() || c.note == crate::score::Note::NotApplicable =>
                    {
                        Some(crate::evidence::ArticleLevel::from_rank(c.rank).to_string())
                    }
                    Rule::Element { .. }
                        if c.points.is_some() || c.note == crate::score::Note::NotApplicable =>
                    {
                        Some(
                            crate::evidence::ElementResult::from_rank(c.rank)
                                .name()
                                .to_string(),
                        )
                    }
                    Rule::Gate { .. } => Some(
                        match c.gate {
                            Some(true) => "pass",
                            Some(false) => "fail",
                            None => "missing",
                        }
                        .to_string(),
                    ),
                    _ => None,
                };
                let lost = match points {
                    Some(p) if n.kind != NodeKind::Group => {
                        ((max - p) * card.impact[k]).round_dp(4)
                    }
                    Some(p) if k == 0 => (max - p).round_dp(4),
                    _ => Decimal::ZERO,
                };
                NodeRow {
                    id: n.id.clone(),
                    parent: n.parent.map(|p| rb.nodes()[p as usize].id.clone()),
                    depth: n.depth,
                    kind: n.kind.name(),
                    title: n.title.clone(),
                    department: n.department.clone(),
                    flags: rb
                        .node_flags(k as u32)
                        .into_iter()
                        .map(str::to_string)
                        .collect(),
                    points: points.map(|p| display(p, 10)),
                    max_points: display(max, 10),
                    rate: points.and_then(|p| (max > Decimal::ZERO).then(|| display(p / max, 10))),
                    applicable: points.is_some(),
                    level,
                    value: c.value.map(|v| v.1.to_f64()),
                    period: c
                        .value
                        .and_then(|v| card.periods.get(v.0 as usize).cloned())
                        .filter(|p| !p.is_empty()),
                    lost_in_total: lost,
                    reason: if n.kind == NodeKind::Group {
                        String::new()
                    } else {
                        reason::reason(rb, card, k as u32)
                    },
                }
            })
            .collect()
    }

    /// Every gate's outcome, in tree order.
    pub fn gates(&self) -> Vec<GateRow> {
        let rb = &self.rulebook;
        rb.evidence_nodes()
            .iter()
            .filter_map(|&i| {
                let n = &rb.nodes()[i as usize];
                let Rule::Gate { outcome } = n.rule else {
                    return None;
                };
                let c = &self.card.criteria[i as usize];
                let o = &rb.outcomes()[outcome as usize];
                let failed = c.gate == Some(false);
                Some(GateRow {
                    id: n.id.clone(),
                    title: n.title.clone(),
                    result: match c.gate {
                        Some(true) => "pass",
                        Some(false) => "fail",
                        None => "missing",
                    },
                    outcome: failed.then(|| o.id.clone()),
                    outcome_title: failed.then(|| o.title.clone()),
                    effect: failed.then(|| effect_name(o.effect)),
                })
            })
            .collect()
    }

    /// Points lost, largest loss in the total first.
    pub fn deductions(&self) -> Vec<Deduction> {
        let rb = &self.rulebook;
        let card = &self.card;
        let mut out: Vec<Deduction> = rb
            .evidence_nodes()
            .iter()
            .filter_map(|&i| {
                let n = &rb.nodes()[i as usize];
                let c = &card.criteria[i as usize];
                let p = card.points[i as usize]?;
                let max = card.max[i as usize];
                if p >= max || !n.scored {
                    return None;
                }
                Some(Deduction {
                    id: n.id.clone(),
                    title: n.title.clone(),
                    kind: n.kind.name(),
                    department: n.department.clone(),
                    points: p,
                    max_points: c.max,
                    lost: max - p,
                    lost_in_total: ((max - p) * card.impact[i as usize]).round_dp(4),
                    reason: reason::reason(rb, card, i),
                })
            })
            .collect();
        out.sort_by(|a, b| {
            b.lost_in_total
                .cmp(&a.lost_in_total)
                .then(b.lost.cmp(&a.lost))
        });
        out
    }

    /// Criteria without evidence and what they were counted as.
    pub fn missing(&self) -> Vec<MissingRow> {
        let rb = &self.rulebook;
        self.card
            .missing
            .iter()
            .map(|m| {
                let n = &rb.nodes()[m.node as usize];
                MissingRow {
                    id: n.id.clone(),
                    title: n.title.clone(),
                    kind: n.kind.name(),
                    department: n.department.clone(),
                    counted_as: match (m.action, n.kind) {
                        (MissingAction::Zero, NodeKind::Gate) => "failed",
                        (MissingAction::Zero, _) => "zero",
                        (MissingAction::NotApplicable, _) => "not-applicable",
                        (MissingAction::Error, _) => "error",
                    },
                    detail: m.detail.clone(),
                }
            })
            .collect()
    }

    /// Every failed condition of a grade (by id), or `None` for an unknown grade.
    pub fn failed_conditions(&self, grade: &str) -> Option<Vec<&Trace>> {
        let gi = self.rulebook.grades().iter().position(|g| g.id == grade)?;
        Some(
            self.card.decision.grades[gi]
                .conditions
                .iter()
                .flat_map(|t| t.failed_leaves())
                .collect(),
        )
    }
}
