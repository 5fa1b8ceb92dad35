//! Scoring one hospital: criteria, then groups bottom-up, then gates and grades.
//!
//! [`score`] checks the evidence against the rulebook and returns a [`Report`]. The work is a
//! pass over flat arrays: one [`CriterionScore`] per criterion (one file per kind), one
//! aggregation per group in reverse tree order (`aggregate`), then the grade decision
//! ([`grade`]). [`batch`] scores many hospitals in parallel.

mod aggregate;
mod article;
pub mod batch;
mod element;
mod fixed;
mod gate;
pub mod grade;
pub(crate) mod indicator;
pub mod summary;

pub use batch::{score_batch, score_sheets, BatchOptions};
pub use grade::{Decision, GradeTrace};
pub use summary::{score_summary, Scratch, Summary};

use crate::evidence::{Answer, Evidence, EvidenceError, Sheet};
use crate::ratio::Quantity;
use crate::report::Report;
use crate::rulebook::compile::Rule;
use crate::rulebook::model::{MissingAction, NodeKind};
use crate::Rulebook;
use rust_decimal::Decimal;

/// How an indicator moved over the compared periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    /// Better by more than the tolerance.
    Improving,
    /// Within the tolerance.
    Stable,
    /// Worse by more than the tolerance.
    Worsening,
    /// The latest value meets the target (trend not needed).
    TargetMet,
}

/// Why a criterion got its points (turned into words by the report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// Scored from its level / result.
    Level,
    /// Not applicable (E / na).
    NotApplicable,
    /// No evidence; the missing-evidence policy was applied.
    Missing(MissingAction),
    /// A gate answer.
    Gate,
    /// Threshold met or not.
    Threshold {
        /// Whether the target held.
        met: bool,
    },
    /// The band that matched (`None`: no band, `otherwise` points).
    Band {
        /// Band index.
        band: Option<u16>,
    },
    /// Trend outcome.
    Trend(Trend),
    /// Monitor-only indicator.
    Monitor,
}

/// The score of one criterion.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CriterionScore {
    /// Points earned; `None` when the criterion does not count (not applicable, gate, monitor).
    pub points: Option<Decimal>,
    /// Maximum points.
    pub max: Decimal,
    /// Level / result rank for articles and elements; `None` when not applicable.
    pub rank: Option<u8>,
    /// Gate: whether it passed; `None` when not answered and not counted.
    pub gate: Option<bool>,
    /// Indicator: latest value (period index, value).
    pub value: Option<(u32, Quantity)>,
    /// Indicator trend: first compared value (period index, value).
    pub first: Option<(u32, Quantity)>,
    /// Why.
    pub note: Note,
}

impl CriterionScore {
    pub(crate) fn not_applicable() -> CriterionScore {
        CriterionScore {
            points: None,
            max: Decimal::ZERO,
            rank: None,
            gate: None,
            value: None,
            first: None,
            note: Note::NotApplicable,
        }
    }
}

/// A criterion without (usable) evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    /// Node index.
    pub node: u32,
    /// What it was counted as.
    pub action: MissingAction,
    /// What is missing, in words.
    pub detail: String,
}

/// The numeric outcome of scoring one hospital.
#[derive(Debug, Clone)]
pub struct Scorecard {
    /// Hospital id.
    pub hospital: String,
    /// Period labels referred to by indicator values.
    pub periods: Vec<String>,
    /// Points per node (`None`: not applicable), after rounding where the rulebook says.
    pub points: Vec<Option<Decimal>>,
    /// Maximum points per node.
    pub max: Vec<Decimal>,
    /// Per node: how much one point there moves the total (for deductions).
    pub impact: Vec<Decimal>,
    /// Per node: the criterion score (groups: not applicable).
    pub criteria: Vec<CriterionScore>,
    /// Criteria without evidence.
    pub missing: Vec<Missing>,
    /// The grade decision.
    pub decision: Decision,
    /// SHA-256 (hex) of the evidence as scored (see [`crate::audit`]).
    pub evidence_hash: String,
}

impl Scorecard {
    /// Total points (`None` when nothing applicable).
    pub fn total(&self) -> Option<Decimal> {
        self.points[0]
    }
}

/// Score one hospital's evidence.
///
/// ```
/// let rb = sanjia::Rulebook::builtin("demo").unwrap();
/// let ev = sanjia::Evidence::sample("demo", None).unwrap();
/// let report = sanjia::score(&rb, &ev).unwrap();
/// println!("{}", report.explain());
/// assert!(report.grade().is_some());
/// ```
pub fn score(rb: &Rulebook, evidence: &Evidence) -> Result<Report, EvidenceError> {
    let sheet = evidence.sheet(rb)?;
    score_sheet(rb, &sheet).map(|card| Report::new(rb.clone(), card).with_sheet(sheet))
}

/// Score one hospital's evidence together with its staff records: criteria with
/// `from = { exams = ... }` / `{ training = ... }` take their values from the records (see
/// [`Records`](crate::evidence::Records)).
pub fn score_with(
    rb: &Rulebook,
    evidence: &Evidence,
    records: &crate::evidence::Records,
) -> Result<Report, EvidenceError> {
    let mut sheet = evidence.sheet(rb)?;
    records.apply(rb, &mut sheet)?;
    score_sheet(rb, &sheet).map(|card| Report::new(rb.clone(), card).with_sheet(sheet))
}

/// Score a checked sheet.
///
/// Every number is exact ([`Decimal`], 28 digits), so a rulebook whose numbers are far apart
/// (e.g. a 10^14-point total over a part worth 10^-15) can overflow while scoring: that is an
/// error naming the hospital ("numbers too large or too far apart"), never a panic. Other
/// panics are bugs and are not caught here.
pub fn score_sheet(rb: &Rulebook, sheet: &Sheet) -> Result<Scorecard, EvidenceError> {
    exactly(&sheet.hospital, || score_sheet_exact(rb, sheet))
}

/// Run a scoring step, turning a decimal overflow into an error naming the hospital.
pub(crate) fn exactly<T>(
    hospital: &str,
    f: impl FnOnce() -> Result<T, EvidenceError>,
) -> Result<T, EvidenceError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            // rust_decimal's messages: "Addition overflowed", "Multiplication overflowed",
            // "Division overflowed", "Division by zero", ...
            if msg.contains("overflow") || msg.contains("Division by zero") {
                Err(EvidenceError::single(
                    Some(hospital),
                    format!(
                        "cannot score exactly: the numbers of the rulebook and the evidence are \
                         too large or too far apart for 28-digit decimals ({msg})"
                    ),
                ))
            } else {
                std::panic::resume_unwind(p)
            }
        }
    }
}

fn score_sheet_exact(rb: &Rulebook, sheet: &Sheet) -> Result<Scorecard, EvidenceError> {
    let mut criteria = vec![CriterionScore::not_applicable(); rb.nodes().len()];
    let mut missing = Vec::new();
    score_criteria(rb, sheet, &mut criteria, &mut missing)?;
    let (points, max, impact) = aggregate::aggregate(rb, &criteria);
    let mut card = Scorecard {
        hospital: sheet.hospital.clone(),
        periods: sheet.periods.clone(),
        points,
        max,
        impact,
        criteria,
        missing,
        decision: Decision::default(),
        evidence_hash: crate::audit::evidence_hash(rb, sheet),
    };
    card.decision = grade::decide(rb, &card);
    Ok(card)
}

/// Score every criterion of a sheet into `criteria` (indexed by node; group entries are left
/// as they are) and list the missing evidence; an error when the rulebook says missing
/// evidence is one.
pub(crate) fn score_criteria(
    rb: &Rulebook,
    sheet: &Sheet,
    criteria: &mut [CriterionScore],
    missing: &mut Vec<Missing>,
) -> Result<(), EvidenceError> {
    let nodes = rb.nodes();
    missing.clear();
    for &i in rb.evidence_nodes() {
        let node = &nodes[i as usize];
        let answer = sheet
            .answers
            .get(i as usize)
            .copied()
            .unwrap_or(Answer::None);
        let scored = match &node.rule {
            Rule::Gate { .. } => gate::score(answer).ok_or_else(|| "no answer".to_string()),
            Rule::Article { points } => {
                article::score(answer, points).ok_or_else(|| "no level".to_string())
            }
            Rule::Element { points } => {
                element::score(answer, points).ok_or_else(|| "no result".to_string())
            }
            Rule::Indicator(rule) => indicator::score(rule, sheet.series(i)).map_err(|s| match s {
                indicator::Shortfall::NoValue => {
                    let skipped: Vec<String> = sheet
                        .skipped
                        .iter()
                        .filter(|s| s.0 == i)
                        .map(|(_, label, why)| match label.as_str() {
                            "" => why.clone(),
                            l => format!("{why} ({l})"),
                        })
                        .collect();
                    if skipped.is_empty() {
                        "no value".to_string()
                    } else {
                        format!("no value: {}", skipped.join("; "))
                    }
                }
                indicator::Shortfall::TooFewPeriods { need, have } => {
                    let labels: Vec<&str> = sheet
                        .series(i)
                        .iter()
                        .map(|o| sheet.period(o.period))
                        .collect();
                    format!(
                        "the trend needs {need} periods, {have} given{}",
                        if labels.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", labels.join(", "))
                        }
                    )
                }
            }),
            Rule::Group { .. } => continue,
        };
        criteria[i as usize] = match scored {
            Ok(c) => c,
            Err(detail) => {
                let max = rb.criterion_max(i);
                missing.push(Missing {
                    node: i,
                    action: node.missing,
                    detail,
                });
                match (node.kind, node.missing) {
                    (NodeKind::Gate, a) => gate::missing(a),
                    (_, MissingAction::Zero) => CriterionScore {
                        // The worst result: level D or not met earn what the rulebook gives
                        // them (like an assessed D or not met), an indicator 0.
                        points: Some(match &node.rule {
                            Rule::Article { points } => points[0],
                            Rule::Element { points } => points[0],
                            _ => Decimal::ZERO,
                        }),
                        max,
                        rank: match node.kind {
                            NodeKind::Article | NodeKind::Element => Some(0),
                            _ => None,
                        },
                        note: Note::Missing(MissingAction::Zero),
                        ..CriterionScore::not_applicable()
                    },
                    (_, a) => CriterionScore {
                        max,
                        note: Note::Missing(a),
                        ..CriterionScore::not_applicable()
                    },
                }
            }
        };
        if let Rule::Indicator(r) = &node.rule {
            // Monitor-only indicators carry no points even when counted as zero.
            if r.method == crate::rulebook::model::Method::Monitor {
                criteria[i as usize].points = None;
            }
        }
    }
    let errors: Vec<&Missing> = missing
        .iter()
        .filter(|m| m.action == MissingAction::Error)
        .collect();
    if !errors.is_empty() {
        let mut e = EvidenceError::single(Some(&sheet.hospital), "");
        e.problems = errors
            .iter()
            .map(|m| crate::evidence::EvidenceProblem {
                row: None,
                path: None,
                criterion: Some(nodes[m.node as usize].id.clone()),
                message: format!(
                    "missing evidence ({}), and the rulebook says missing {} evidence is an error",
                    m.detail,
                    nodes[m.node as usize].kind.name()
                ),
            })
            .collect();
        return Err(e);
    }
    Ok(())
}
