//! The gap analysis result: how far each failed condition is, the gates in the way, the plan
//! with a reason per step, and its verification.

use super::change::Change;
use crate::ratio::display;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Whether and how the target grade can be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GapStatus {
    /// The hospital already holds the target grade or a better one.
    Reached,
    /// A plan reaches the target (verified by re-scoring).
    Planned,
    /// No change the rulebook allows reaches the target; `reasons` says why.
    Unreachable,
    /// No plan was found within the search budget, and none was proven impossible.
    NotFound,
}

impl GapStatus {
    /// The status as a word: `reached`, `planned`, `unreachable`, `not_found`.
    pub fn name(self) -> &'static str {
        match self {
            GapStatus::Reached => "reached",
            GapStatus::Planned => "planned",
            GapStatus::Unreachable => "unreachable",
            GapStatus::NotFound => "not_found",
        }
    }
}

/// How far one failed part of a condition of the target grade is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConditionGap {
    /// The grade's condition as written.
    pub condition: String,
    /// The failed part (a comparison or gate check) as written.
    pub part: String,
    /// What is measured now, in words (`3 of 5 core articles at >= B (60%)`).
    pub now: String,
    /// What is needed, in words (`4 of 5 (>= 70%)`).
    pub need: String,
    /// How far, in words (`1 more`, `112.93 points short`), when it is a number.
    pub short: Option<String>,
    /// How far, as a number in the measure's unit (criteria, points, the indicator's unit).
    pub shortfall: Option<Decimal>,
    /// The line: `core articles at >= B: 3 of 5 (60%), need 4 of 5 (>= 70%): 1 more`.
    pub summary: String,
    /// Whether some set of allowed changes makes this part hold on its own.
    pub can_be_met: bool,
    /// The least cost that makes this part hold on its own (a lower bound).
    pub least_cost: Option<Decimal>,
    /// Why it cannot be met.
    pub reason: Option<String>,
}

/// A failed gate and what it does to the target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateGap {
    /// Gate id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Responsible department.
    pub department: Option<String>,
    /// Outcome id.
    pub outcome: String,
    /// Outcome title.
    pub outcome_title: String,
    /// `no-grade`, `downgrade` or `record`.
    pub effect: &'static str,
    /// Whether the rulebook lets it be cleared.
    pub clearable: bool,
    /// Whether it stands between the hospital and the target (withholds or lowers the grade
    /// below it, or a condition of the target needs it passed).
    pub blocks: bool,
    /// In words.
    pub note: String,
}

/// One change of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// Criterion id.
    pub id: String,
    /// Title.
    pub title: String,
    /// `article`, `element`, `indicator` or `gate`.
    pub kind: &'static str,
    /// Responsible department.
    pub department: Option<String>,
    /// The evidence now, in words.
    pub from: String,
    /// The evidence the plan asks for, in words.
    pub to: String,
    /// The change, to apply with `what_if` or `Evidence::with_changes`.
    pub change: Change,
    /// What it costs.
    pub cost: Decimal,
    /// The criterion's points now.
    pub points_before: Option<Decimal>,
    /// The criterion's points after.
    pub points_after: Option<Decimal>,
    /// Points it adds to the total on its own, before rounding (4 places).
    pub in_total: Decimal,
    /// The failed conditions it counts toward, in words.
    pub helps: Vec<String>,
    /// The reason for the step, in words.
    pub reason: String,
}

/// The result of re-scoring the evidence with a plan's changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verified {
    /// The grade awarded.
    pub grade: Option<String>,
    /// The grade the conditions alone award.
    pub earned_grade: Option<String>,
    /// Status in words.
    pub status: String,
    /// Total points.
    pub total: Option<Decimal>,
}

/// A set of changes that reaches the target, verified by re-scoring.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// The changes, grouped by department (then in rulebook order).
    pub steps: Vec<Step>,
    /// Total cost.
    pub cost: Decimal,
    /// Number of changes.
    pub changes: usize,
    /// Levels raised in all (gates and indicators count one).
    pub levels: u32,
    /// No plan costs less (nor as much with fewer levels raised): the exact search finished.
    pub proven_minimal: bool,
    /// No plan costs less than this.
    pub lower_bound: Option<Decimal>,
    /// `exact` (found by the branch-and-bound search) or `greedy`.
    pub method: &'static str,
    /// Search nodes explored.
    pub nodes_searched: u64,
    /// Evidence sets re-scored.
    pub rescored: u64,
    /// The re-scored result.
    pub after: Verified,
}

/// A department's part of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepartmentPlan {
    /// Department (`(no department)` when the rulebook names none).
    pub department: String,
    /// Its steps.
    pub steps: Vec<Step>,
    /// Their cost.
    pub cost: Decimal,
}

/// The gap between a hospital and a grade, and the least that closes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    /// Hospital id.
    pub hospital: String,
    /// The target grade (id).
    pub target: String,
    /// The target grade's title.
    pub target_title: Option<String>,
    /// The grade now.
    pub grade_now: Option<String>,
    /// Status now, in words.
    pub status_now: String,
    /// Total now.
    pub total_now: Option<Decimal>,
    /// Reachable, planned, or why not.
    pub status: GapStatus,
    /// Every failed part of the target grade's conditions, with how far it is.
    pub conditions: Vec<ConditionGap>,
    /// Failed gates and what they do to the target.
    pub gates: Vec<GateGap>,
    /// The plan, when one was found.
    pub plan: Option<Plan>,
    /// Why the target cannot be reached (or no plan was found).
    pub reasons: Vec<String>,
    /// Criteria that matter but cannot change, with why.
    pub fixed: Vec<String>,
    /// Remarks (e.g. the evidence was rebuilt from a scorecard).
    pub notes: Vec<String>,
}

fn num(d: Decimal) -> String {
    display(d, 4).to_string()
}

impl Gap {
    /// Whether the target is reached or reachable (`None`: not known, search incomplete).
    pub fn reachable(&self) -> Option<bool> {
        match self.status {
            GapStatus::Reached | GapStatus::Planned => Some(true),
            GapStatus::Unreachable => Some(false),
            GapStatus::NotFound => None,
        }
    }

    /// The plan's changes (empty without a plan).
    pub fn changes(&self) -> Vec<Change> {
        self.plan
            .as_ref()
            .map(|p| p.steps.iter().map(|s| s.change.clone()).collect())
            .unwrap_or_default()
    }

    /// The plan's steps per responsible department, in the plan's order.
    pub fn by_department(&self) -> Vec<DepartmentPlan> {
        let mut out: Vec<DepartmentPlan> = Vec::new();
        for s in self.plan.iter().flat_map(|p| &p.steps) {
            let d = s
                .department
                .clone()
                .unwrap_or_else(|| "(no department)".into());
            match out.iter_mut().find(|x| x.department == d) {
                Some(x) => {
                    x.cost += s.cost;
                    x.steps.push(s.clone());
                }
                None => out.push(DepartmentPlan {
                    department: d,
                    steps: vec![s.clone()],
                    cost: s.cost,
                }),
            }
        }
        out
    }

    /// The whole result as JSON (decimals as text), with the plan per department.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let serde_json::Value::Object(m) = &mut v {
            m.insert("status".into(), self.status.name().into());
            m.insert(
                "reachable".into(),
                serde_json::to_value(self.reachable()).unwrap_or_default(),
            );
            m.insert(
                "by_department".into(),
                serde_json::to_value(self.by_department()).unwrap_or_default(),
            );
            m.insert(
                "changes".into(),
                serde_json::Value::Array(self.changes().iter().map(Change::to_json).collect()),
            );
        }
        v
    }

    /// The result as readable text.
    pub fn explain(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "Gap to {}{} for hospital {}",
            self.target,
            self.target_title
                .as_deref()
                .map(|t| format!(" ({t})"))
                .unwrap_or_default(),
            self.hospital
        );
        let _ = writeln!(
            o,
            "Now: {}, total {}",
            self.status_now,
            self.total_now.map(num).unwrap_or_else(|| "-".into())
        );
        if self.status == GapStatus::Reached {
            let _ = writeln!(o, "\nThe target is reached: nothing to change.");
            return o;
        }
        if !self.conditions.is_empty() {
            let _ = writeln!(
                o,
                "\nConditions of {} not met ({}):",
                self.target,
                self.conditions.len()
            );
            for c in &self.conditions {
                let _ = writeln!(o, "  ✗ {}", c.summary);
                if c.part != c.condition {
                    let _ = writeln!(o, "      in: {}", c.condition);
                }
                match (&c.reason, c.least_cost) {
                    (Some(r), _) => {
                        let _ = writeln!(o, "      cannot be met: {r}");
                    }
                    (None, Some(l)) if l > Decimal::ZERO => {
                        let _ = writeln!(
                            o,
                            "      on its own needs changes costing at least {}",
                            num(l)
                        );
                    }
                    _ => {}
                }
            }
        }
        let blocking: Vec<&GateGap> = self.gates.iter().filter(|g| g.blocks).collect();
        if !blocking.is_empty() {
            let _ = writeln!(o, "\nGates in the way:");
            for g in blocking {
                let _ = writeln!(o, "  ✗ {}", g.note);
            }
        }
        if !self.fixed.is_empty() {
            let _ = writeln!(o, "\nCannot change:");
            for f in &self.fixed {
                let _ = writeln!(o, "  - {f}");
            }
        }
        match &self.plan {
            Some(p) => {
                let _ = writeln!(
                    o,
                    "\nPlan: {} change{}, cost {}{}",
                    p.changes,
                    if p.changes == 1 { "" } else { "s" },
                    num(p.cost),
                    if p.proven_minimal {
                        format!(
                            " — proven minimal (exact search, {} nodes)",
                            p.nodes_searched
                        )
                    } else {
                        format!(
                            " — not proven minimal (search budget reached after {} nodes){}",
                            p.nodes_searched,
                            p.lower_bound
                                .map(|l| format!("; no plan costs less than {}", num(l)))
                                .unwrap_or_default()
                        )
                    }
                );
                for d in self.by_department() {
                    let _ = writeln!(
                        o,
                        "  {} ({} change{}, cost {})",
                        d.department,
                        d.steps.len(),
                        if d.steps.len() == 1 { "" } else { "s" },
                        num(d.cost)
                    );
                    for s in &d.steps {
                        let _ = writeln!(o, "    - {} {}: {}", s.id, s.title, s.reason);
                    }
                }
                let _ = writeln!(
                    o,
                    "\nVerified by re-scoring the changed evidence: {}, total {}",
                    p.after.status,
                    p.after.total.map(num).unwrap_or_else(|| "-".into())
                );
            }
            None => {
                let _ = writeln!(
                    o,
                    "\n{}:",
                    match self.status {
                        GapStatus::Unreachable => format!("{} cannot be reached", self.target),
                        _ => "No plan found".to_string(),
                    }
                );
                for r in &self.reasons {
                    let _ = writeln!(o, "  - {r}");
                }
            }
        }
        for n in &self.notes {
            let _ = writeln!(o, "\nNote: {n}");
        }
        o
    }
}

/// Group steps by department (first appearance order), keeping rulebook order inside.
pub(crate) fn group_steps(steps: Vec<(u32, Step)>) -> Vec<Step> {
    let mut groups: BTreeMap<(usize, String), Vec<(u32, Step)>> = BTreeMap::new();
    let mut first: Vec<String> = Vec::new();
    let mut sorted = steps;
    sorted.sort_by_key(|s| s.0);
    for (n, s) in sorted {
        let d = s.department.clone().unwrap_or_default();
        let k = match first.iter().position(|x| *x == d) {
            Some(k) => k,
            None => {
                first.push(d.clone());
                first.len() - 1
            }
        };
        groups.entry((k, d)).or_default().push((n, s));
    }
    groups
        .into_values()
        .flat_map(|v| v.into_iter().map(|x| x.1))
        .collect()
}
