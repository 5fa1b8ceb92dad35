//! What-if: apply changes to a report's evidence and see what moves.

use super::change::{apply_to_sheet, Change};
use super::state::base_of;
use super::GapError;
use crate::evidence::{ArticleLevel, ElementResult};
use crate::ratio::display;
use crate::report::Report;
use crate::rulebook::compile::Rule;
use crate::rulebook::model::NodeKind;
use crate::score::{score_sheet, CriterionScore, Scorecard};
use crate::Rulebook;
use rust_decimal::Decimal;
use serde::Serialize;
use std::fmt::Write as _;

/// A grade condition whose result changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConditionFlip {
    /// The grade.
    pub grade: String,
    /// The condition as written.
    pub condition: String,
    /// Whether it held before.
    pub before: bool,
    /// Whether it holds after.
    pub after: bool,
    /// Measured before, in words.
    pub before_detail: String,
    /// Measured after, in words.
    pub after_detail: String,
}

/// A gate whose answer changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateFlip {
    /// Gate id.
    pub id: String,
    /// Title.
    pub title: String,
    /// `pass`, `fail` or `missing` before.
    pub before: &'static str,
    /// After.
    pub after: &'static str,
}

/// Points of a part (or the total) before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartMove {
    /// Node id (`total` for the total).
    pub id: String,
    /// Title.
    pub title: String,
    /// Points before.
    pub before: Option<Decimal>,
    /// Points after.
    pub after: Option<Decimal>,
    /// After − before.
    pub delta: Option<Decimal>,
}

/// A criterion whose evidence or points changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionMove {
    /// Criterion id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Kind name.
    pub kind: &'static str,
    /// Responsible department.
    pub department: Option<String>,
    /// Evidence before, in words.
    pub before: String,
    /// Evidence after, in words.
    pub after: String,
    /// Points before.
    pub points_before: Option<Decimal>,
    /// Points after.
    pub points_after: Option<Decimal>,
}

/// The result of applying changes to a report's evidence.
#[derive(Debug, Clone, Serialize)]
pub struct WhatIf {
    /// The changes applied.
    pub changes: Vec<Change>,
    /// The report of the changed evidence.
    #[serde(skip)]
    pub report: Report,
    /// Grade before.
    pub grade_before: Option<String>,
    /// Grade after.
    pub grade_after: Option<String>,
    /// Status before, in words.
    pub status_before: String,
    /// Status after, in words.
    pub status_after: String,
    /// Total before.
    pub total_before: Option<Decimal>,
    /// Total after.
    pub total_after: Option<Decimal>,
    /// Grade conditions that flipped (held → not held, or back), best grade first.
    pub flips: Vec<ConditionFlip>,
    /// Gates whose answer changed.
    pub gates: Vec<GateFlip>,
    /// The total and every part, before and after.
    pub parts: Vec<PartMove>,
    /// Criteria whose evidence or points changed.
    pub criteria: Vec<CriterionMove>,
    /// Remarks.
    pub notes: Vec<String>,
}

pub(crate) fn gate_word(c: &CriterionScore) -> &'static str {
    match c.gate {
        Some(true) => "pass",
        Some(false) => "fail",
        None => "missing",
    }
}

/// A criterion's evidence in words.
pub(crate) fn evidence_words(rb: &Rulebook, card: &Scorecard, n: u32) -> String {
    let c = &card.criteria[n as usize];
    if matches!(c.note, crate::score::Note::Missing(_)) {
        return "missing".into();
    }
    match &rb.nodes()[n as usize].rule {
        Rule::Gate { .. } => gate_word(c).into(),
        Rule::Article { .. } => format!("level {}", ArticleLevel::from_rank(c.rank)),
        Rule::Element { .. } => ElementResult::from_rank(c.rank).name().into(),
        Rule::Indicator(r) => match c.value {
            Some((p, q)) => {
                let v = super::options::value_words(q, r);
                match card.periods.get(p as usize).filter(|l| !l.is_empty()) {
                    Some(l) => format!("{v} in {l}"),
                    None => v,
                }
            }
            None => "no value".into(),
        },
        Rule::Group { .. } => String::new(),
    }
}

/// Every grade condition that flipped between two scorecards of one rulebook.
pub(crate) fn flips(rb: &Rulebook, a: &Scorecard, b: &Scorecard) -> Vec<ConditionFlip> {
    let mut out = Vec::new();
    for (g, (ta, tb)) in a.decision.grades.iter().zip(&b.decision.grades).enumerate() {
        for (x, y) in ta.conditions.iter().zip(&tb.conditions) {
            if x.held != y.held {
                out.push(ConditionFlip {
                    grade: rb.grades()[g].id.clone(),
                    condition: x.condition.clone(),
                    before: x.held,
                    after: y.held,
                    before_detail: x.detail.clone(),
                    after_detail: y.detail.clone(),
                });
            }
        }
    }
    out
}

/// Compare two scorecards of one rulebook.
pub(crate) fn diff(
    rb: &Rulebook,
    a: &Scorecard,
    b: &Scorecard,
) -> (
    Vec<ConditionFlip>,
    Vec<GateFlip>,
    Vec<PartMove>,
    Vec<CriterionMove>,
) {
    let nodes = rb.nodes();
    let mut gates = Vec::new();
    let mut crits = Vec::new();
    for &i in rb.evidence_nodes() {
        let n = &nodes[i as usize];
        let (x, y) = (&a.criteria[i as usize], &b.criteria[i as usize]);
        if n.kind == NodeKind::Gate {
            if x.gate != y.gate {
                gates.push(GateFlip {
                    id: n.id.clone(),
                    title: n.title.clone(),
                    before: gate_word(x),
                    after: gate_word(y),
                });
            }
            continue;
        }
        let (wa, wb) = (evidence_words(rb, a, i), evidence_words(rb, b, i));
        let (pa, pb) = (a.points[i as usize], b.points[i as usize]);
        if wa != wb || pa != pb {
            crits.push(CriterionMove {
                id: n.id.clone(),
                title: n.title.clone(),
                kind: n.kind.name(),
                department: n.department.clone(),
                before: wa,
                after: wb,
                points_before: pa,
                points_after: pb,
            });
        }
    }
    let mut parts = Vec::new();
    let mut ids = vec![0u32];
    ids.extend(nodes[0].children.iter().copied());
    for k in ids {
        let n = &nodes[k as usize];
        if !n.scored {
            continue;
        }
        let (pa, pb) = (a.points[k as usize], b.points[k as usize]);
        parts.push(PartMove {
            id: n.id.clone(),
            title: n.title.clone(),
            before: pa,
            after: pb,
            delta: match (pa, pb) {
                (Some(x), Some(y)) => Some(y - x),
                _ => None,
            },
        });
    }
    (flips(rb, a, b), gates, parts, crits)
}

fn num(d: Option<Decimal>) -> String {
    d.map(|d| display(d, 4).to_string())
        .unwrap_or_else(|| "-".into())
}

impl Report {
    /// Apply changes to this report's evidence and re-score: the new report, the grade and
    /// total before and after, the conditions that flipped and the points moved per part.
    ///
    /// ```
    /// use sanjia::gap::Change;
    /// use sanjia::evidence::ArticleLevel;
    /// let rb = sanjia::Rulebook::builtin("demo")?;
    /// let report = sanjia::score(&rb, &sanjia::Evidence::sample("demo", Some("grade-b"))?)?;
    /// let w = report.what_if(&[Change::Article { id: "3.1.2".into(), level: ArticleLevel::B }])?;
    /// assert!(w.flips.iter().any(|f| f.condition == "share(core articles, >= B) >= 70%" && f.after));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn what_if(&self, changes: &[Change]) -> Result<WhatIf, GapError> {
        let rb = self.rulebook();
        let base = base_of(self);
        let sheet = apply_to_sheet(rb, &base.sheet, changes, &base.partial)?;
        let card = score_sheet(rb, &sheet)?;
        let after = Report::from_scorecard(rb, card).with_sheet(sheet);
        let (flips, gates, parts, criteria) = diff(rb, self.scorecard(), after.scorecard());
        let mut notes = Vec::new();
        if base.rebuilt {
            notes.push(
                "the report did not keep its evidence; it was rebuilt from the scorecard".into(),
            );
        }
        Ok(WhatIf {
            changes: changes.to_vec(),
            grade_before: self.grade().map(str::to_string),
            grade_after: after.grade().map(str::to_string),
            status_before: self.status(),
            status_after: after.status(),
            total_before: self.total(),
            total_after: after.total(),
            flips,
            gates,
            parts,
            criteria,
            notes,
            report: after,
        })
    }
}

impl WhatIf {
    /// The result as JSON (decimals as text), without the new report (see `report`).
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let serde_json::Value::Object(m) = &mut v {
            m.insert(
                "changes".into(),
                serde_json::Value::Array(self.changes.iter().map(Change::to_json).collect()),
            );
        }
        v
    }

    /// The result as readable text.
    pub fn explain(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "What if: {}", {
            let c: Vec<String> = self.changes.iter().map(|c| c.to_string()).collect();
            c.join(", ")
        });
        let _ = writeln!(o, "Grade: {} → {}", self.status_before, self.status_after);
        let _ = writeln!(
            o,
            "Total: {} → {}",
            num(self.total_before),
            num(self.total_after)
        );
        if !self.parts.is_empty() {
            let _ = writeln!(o, "\nPoints:");
            for p in &self.parts {
                let _ = writeln!(
                    o,
                    "  {} {}: {} → {} ({})",
                    p.id,
                    p.title,
                    num(p.before),
                    num(p.after),
                    p.delta
                        .map(|d| format!(
                            "{}{}",
                            if d >= Decimal::ZERO { "+" } else { "" },
                            display(d, 4)
                        ))
                        .unwrap_or_else(|| "-".into())
                );
            }
        }
        if !self.flips.is_empty() {
            let _ = writeln!(o, "\nConditions that flipped:");
            for f in &self.flips {
                let _ = writeln!(
                    o,
                    "  {} {}: {} → {} ({})",
                    f.grade,
                    f.condition,
                    if f.before { "held" } else { "not held" },
                    if f.after { "holds" } else { "does not hold" },
                    f.after_detail
                );
            }
        }
        if !self.gates.is_empty() {
            let _ = writeln!(o, "\nGates:");
            for g in &self.gates {
                let _ = writeln!(o, "  {} {}: {} → {}", g.id, g.title, g.before, g.after);
            }
        }
        if !self.criteria.is_empty() {
            let _ = writeln!(o, "\nCriteria:");
            for c in &self.criteria {
                let _ = writeln!(
                    o,
                    "  {} {}: {} → {} (points {} → {})",
                    c.id,
                    c.title,
                    c.before,
                    c.after,
                    num(c.points_before),
                    num(c.points_after)
                );
            }
        }
        for n in &self.notes {
            let _ = writeln!(o, "\nNote: {n}");
        }
        o
    }
}
