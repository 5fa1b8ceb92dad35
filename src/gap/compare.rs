//! Mock-review rounds: several reports of one hospital compared, round by round.

use super::whatif::{evidence_words, flips, ConditionFlip};
use super::{grade_index, GapError};
use crate::ratio::display;
use crate::report::Report;
use crate::rulebook::compile::Rule;
use crate::rulebook::model::NodeKind;
use rust_decimal::Decimal;
use serde::Serialize;
use std::fmt::Write as _;

/// One round (one report).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    /// Label (`round 1` unless given).
    pub label: String,
    /// Hospital id.
    pub hospital: String,
    /// Grade awarded.
    pub grade: Option<String>,
    /// Status in words.
    pub status: String,
    /// Total points.
    pub total: Option<Decimal>,
    /// Conditions of the target grade not met.
    pub failed_conditions: usize,
    /// Failed gates.
    pub failed_gates: usize,
    /// Whether the target grade (or a better one) is awarded.
    pub reached: bool,
}

/// A criterion that moved between two rounds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionDelta {
    /// Criterion id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Kind name.
    pub kind: &'static str,
    /// Responsible department.
    pub department: Option<String>,
    /// Evidence in the earlier round, in words.
    pub before: String,
    /// Evidence in the later round.
    pub after: String,
    /// Points in the earlier round.
    pub points_before: Option<Decimal>,
    /// Points in the later round.
    pub points_after: Option<Decimal>,
    /// Points it gained in the total (negative when it slipped), 4 places.
    pub in_total: Decimal,
}

/// A department's movement between two rounds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepartmentDelta {
    /// Department (`(no department)` when none).
    pub department: String,
    /// Criteria that improved.
    pub improved: usize,
    /// Criteria that slipped.
    pub slipped: usize,
    /// Points gained in the total (net).
    pub in_total: Decimal,
}

/// What changed from one round to another.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundStep {
    /// Earlier round label.
    pub from: String,
    /// Later round label.
    pub to: String,
    /// Change of the total.
    pub total_change: Option<Decimal>,
    /// Criteria that improved (largest gain in the total first).
    pub improved: Vec<CriterionDelta>,
    /// Criteria that slipped (largest loss first).
    pub slipped: Vec<CriterionDelta>,
    /// Per department.
    pub departments: Vec<DepartmentDelta>,
    /// Conditions of the target grade that flipped.
    pub flips: Vec<ConditionFlip>,
}

/// Several rounds of one hospital compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The grade the trend is measured against.
    pub target: String,
    /// Every round, in order.
    pub rounds: Vec<Round>,
    /// Each round against the one before.
    pub steps: Vec<RoundStep>,
    /// The last round against the first.
    pub overall: Option<RoundStep>,
    /// The trend toward the target, in words.
    pub trend: String,
    /// Remarks (e.g. different hospital ids).
    pub notes: Vec<String>,
}

fn num(d: Decimal) -> String {
    display(d, 4).to_string()
}

/// Compare reports of one hospital (e.g. monthly mock reviews), in order.
///
/// `labels` name the rounds (default `round 1`, `round 2`, ...); `target` is the grade the
/// trend is measured against (default: the best grade). The reports must come from the same
/// rulebook (same id and tree).
///
/// ```
/// use sanjia::gap::{compare, Change};
/// use sanjia::evidence::ArticleLevel;
/// let rb = sanjia::Rulebook::builtin("demo")?;
/// let r1 = sanjia::score(&rb, &sanjia::Evidence::sample("demo", Some("grade-b"))?)?;
/// let r2 = r1.what_if(&[Change::Article { id: "3.1.2".into(), level: ArticleLevel::A }])?.report;
/// let c = compare(&[&r1, &r2], None, Some("甲等"))?;
/// assert_eq!(c.steps[0].improved[0].id, "3.1.2");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compare(
    reports: &[&Report],
    labels: Option<&[String]>,
    target: Option<&str>,
) -> Result<Comparison, GapError> {
    let Some(first) = reports.first() else {
        return Err(GapError::Compare("no reports to compare".into()));
    };
    let rb = first.rulebook();
    for (k, r) in reports.iter().enumerate() {
        let o = r.rulebook();
        if !(o.same(rb) || (o.meta().id == rb.meta().id && o.nodes().len() == rb.nodes().len())) {
            return Err(GapError::Compare(format!(
                "report {} was scored against rulebook {}, the first against {}: compare \
                 rounds scored against the same rulebook",
                k + 1,
                o.meta().id,
                rb.meta().id
            )));
        }
    }
    if let Some(l) = labels {
        if l.len() != reports.len() {
            return Err(GapError::Compare(format!(
                "{} labels for {} reports",
                l.len(),
                reports.len()
            )));
        }
    }
    let target = match target {
        Some(t) => grade_index(rb, t)?,
        None => 0,
    };
    let label = |k: usize| {
        labels
            .and_then(|l| l.get(k).cloned())
            .unwrap_or_else(|| format!("round {}", k + 1))
    };
    let mut notes = Vec::new();
    let hospitals: Vec<&str> = reports.iter().map(|r| r.hospital()).collect();
    if hospitals.iter().any(|h| *h != hospitals[0]) {
        notes.push(format!(
            "the reports name different hospitals ({}); compared as rounds anyway",
            hospitals.join(", ")
        ));
    }
    let rounds: Vec<Round> = reports
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let d = r.decision();
            Round {
                label: label(k),
                hospital: r.hospital().to_string(),
                grade: r.grade().map(str::to_string),
                status: r.status(),
                total: r.total(),
                failed_conditions: d
                    .grades
                    .get(target)
                    .map_or(0, |g| g.conditions.iter().filter(|t| !t.held).count()),
                failed_gates: d.failed_gates.len(),
                reached: d.grade.is_some_and(|g| g <= target),
            }
        })
        .collect();
    let step = |a: usize, b: usize| step(reports[a], reports[b], label(a), label(b), target);
    let steps: Vec<RoundStep> = (1..reports.len()).map(|k| step(k - 1, k)).collect();
    let overall = (reports.len() > 2).then(|| step(0, reports.len() - 1));
    let tg = &rb.grades()[target].id;
    let fc: Vec<String> = rounds
        .iter()
        .map(|r| r.failed_conditions.to_string())
        .collect();
    let tot: Vec<String> = rounds
        .iter()
        .map(|r| r.total.map(num).unwrap_or_else(|| "-".into()))
        .collect();
    let (a, b) = (&rounds[0], &rounds[rounds.len() - 1]);
    let direction = if b.reached && !a.reached {
        "reached".to_string()
    } else if b.reached {
        "held".to_string()
    } else if b.failed_conditions < a.failed_conditions
        || (b.failed_conditions == a.failed_conditions && b.total > a.total)
    {
        "closer".to_string()
    } else if b.failed_conditions > a.failed_conditions
        || (b.failed_conditions == a.failed_conditions && b.total < a.total)
    {
        "further".to_string()
    } else {
        "unchanged".to_string()
    };
    let first_reached = rounds.iter().find(|r| r.reached).map(|r| r.label.clone());
    let trend = format!(
        "toward {tg}: {direction}; conditions of {tg} not met {}; total {}{}",
        fc.join(" → "),
        tot.join(" → "),
        match first_reached {
            Some(l) => format!("; first reached in {l}"),
            None => String::new(),
        }
    );
    Ok(Comparison {
        target: tg.clone(),
        rounds,
        steps,
        overall,
        trend,
        notes,
    })
}

fn rank_of(r: &Report, n: u32) -> Option<u8> {
    let c = &r.scorecard().criteria[n as usize];
    match r.rulebook().nodes()[n as usize].kind {
        NodeKind::Gate => c.gate.map(u8::from),
        _ => c.points.and(c.rank),
    }
}

fn step(a: &Report, b: &Report, la: String, lb: String, target: usize) -> RoundStep {
    let rb = a.rulebook();
    let (ra, rbn) = (a.nodes(), b.nodes());
    let mut improved = Vec::new();
    let mut slipped = Vec::new();
    for &i in rb.evidence_nodes() {
        let n = &rb.nodes()[i as usize];
        if let Rule::Indicator(r) = &n.rule {
            if r.method == crate::rulebook::model::Method::Monitor {
                continue;
            }
        }
        let (x, y) = (&ra[i as usize], &rbn[i as usize]);
        let (pa, pb) = (
            a.scorecard().points[i as usize],
            b.scorecard().points[i as usize],
        );
        let up = match (pa, pb) {
            (Some(p), Some(q)) if q != p => Some(q > p),
            _ => match (rank_of(a, i), rank_of(b, i)) {
                (Some(p), Some(q)) if q != p => Some(q > p),
                _ => None,
            },
        };
        let Some(up) = up else { continue };
        let d = CriterionDelta {
            id: n.id.clone(),
            title: n.title.clone(),
            kind: n.kind.name(),
            department: n.department.clone(),
            before: evidence_words(rb, a.scorecard(), i),
            after: evidence_words(rb, b.scorecard(), i),
            points_before: pa,
            points_after: pb,
            in_total: x.lost_in_total - y.lost_in_total,
        };
        if up {
            improved.push(d);
        } else {
            slipped.push(d);
        }
    }
    improved.sort_by_key(|d| std::cmp::Reverse(d.in_total));
    slipped.sort_by_key(|d| d.in_total);
    let mut departments: Vec<DepartmentDelta> = Vec::new();
    for (d, up) in improved
        .iter()
        .map(|d| (d, true))
        .chain(slipped.iter().map(|d| (d, false)))
    {
        let name = d
            .department
            .clone()
            .unwrap_or_else(|| "(no department)".into());
        let e = match departments.iter().position(|x| x.department == name) {
            Some(k) => &mut departments[k],
            None => {
                departments.push(DepartmentDelta {
                    department: name,
                    improved: 0,
                    slipped: 0,
                    in_total: Decimal::ZERO,
                });
                departments.last_mut().expect("just pushed")
            }
        };
        if up {
            e.improved += 1;
        } else {
            e.slipped += 1;
        }
        e.in_total += d.in_total;
    }
    departments.sort_by(|p, q| {
        q.in_total
            .cmp(&p.in_total)
            .then(p.department.cmp(&q.department))
    });
    let target_id = &rb.grades()[target].id;
    RoundStep {
        from: la,
        to: lb,
        total_change: match (a.total(), b.total()) {
            (Some(x), Some(y)) => Some(y - x),
            _ => None,
        },
        improved,
        slipped,
        departments,
        flips: flips(rb, a.scorecard(), b.scorecard())
            .into_iter()
            .filter(|f| f.grade == *target_id)
            .collect(),
    }
}

impl Comparison {
    /// The comparison as JSON (decimals as text).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    /// The comparison as readable text.
    pub fn explain(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "Rounds ({}):", self.rounds.len());
        for r in &self.rounds {
            let _ = writeln!(
                o,
                "  {}: {}, total {}, {} condition{} of {} not met{}",
                r.label,
                r.status,
                r.total.map(num).unwrap_or_else(|| "-".into()),
                r.failed_conditions,
                if r.failed_conditions == 1 { "" } else { "s" },
                self.target,
                if r.failed_gates > 0 {
                    format!(", {} failed gate(s)", r.failed_gates)
                } else {
                    String::new()
                }
            );
        }
        let _ = writeln!(o, "Trend {}", self.trend);
        for s in self.steps.iter().chain(self.overall.iter()) {
            let _ = writeln!(
                o,
                "\n{} → {}: total {}",
                s.from,
                s.to,
                s.total_change
                    .map(|d| format!("{}{}", if d >= Decimal::ZERO { "+" } else { "" }, num(d)))
                    .unwrap_or_else(|| "-".into())
            );
            for (name, list) in [("improved", &s.improved), ("slipped", &s.slipped)] {
                if list.is_empty() {
                    continue;
                }
                let _ = writeln!(o, "  {name} ({}):", list.len());
                for d in list {
                    let _ = writeln!(
                        o,
                        "    {} {} [{}]: {} → {} ({}{} in the total)",
                        d.id,
                        d.title,
                        d.department.as_deref().unwrap_or("-"),
                        d.before,
                        d.after,
                        if d.in_total >= Decimal::ZERO { "+" } else { "" },
                        num(d.in_total)
                    );
                }
            }
            if !s.departments.is_empty() {
                let _ = writeln!(o, "  by department:");
                for d in &s.departments {
                    let _ = writeln!(
                        o,
                        "    {}: {} improved, {} slipped, {}{} in the total",
                        d.department,
                        d.improved,
                        d.slipped,
                        if d.in_total >= Decimal::ZERO { "+" } else { "" },
                        num(d.in_total)
                    );
                }
            }
            for f in &s.flips {
                let _ = writeln!(
                    o,
                    "  {} '{}' {}",
                    f.grade,
                    f.condition,
                    if f.after {
                        "now holds"
                    } else {
                        "no longer holds"
                    }
                );
            }
        }
        for n in &self.notes {
            let _ = writeln!(o, "\nNote: {n}");
        }
        o
    }
}
