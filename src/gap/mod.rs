//! Gap analysis, what-if and mock-review rounds: the shortest path to the next grade.
//!
//! * [`Report::gap_to`] (and [`Report::gap_to_with`] for costs and a search budget): for every
//!   failed condition of a target grade, how far it is in words and numbers, the gates in the
//!   way, and a minimal **plan** of changes (articles to raise, elements to meet, indicator
//!   values to reach, gates to clear) that makes the grade hold, with a reason per step,
//!   grouped by responsible department. The plan is verified by re-scoring the changed
//!   evidence before it is returned; when the target cannot be reached, the result says why.
//! * [`Report::what_if`] / [`Evidence::with_changes`](crate::Evidence::with_changes): apply
//!   changes and get the new report, the conditions that flipped and the points moved.
//! * [`compare()`]: several reports of one hospital (mock-review rounds): what improved, what
//!   slipped, per criterion and per department, and the trend toward a target grade.
//!
//! ## The plan and its guarantees
//!
//! A plan only *improves* evidence: it raises levels and results, moves indicator values in
//! their better direction (never lowering a criterion's points), and clears failed gates the
//! rulebook lets be cleared (`clearable = false` on a gate or its outcome says a failure is a
//! fact that cannot be undone, e.g. a major incident in the cycle). It never touches criteria
//! that do not count (level E, not applicable), never lowers anything, and leaves alone the
//! criteria a cost file lists as `fixed`.
//!
//! Candidates per criterion are finite and complete for the rules: every better level, and
//! per indicator one value for each distinct outcome (points and condition results), computed
//! exactly from the targets, bands, trend tolerance and `value(ID)` conditions, nearest to the
//! current value (see [`options`](self) source docs). The search ([`search`](self)) minimises
//! the total cost (one per change, or a [`CostModel`]), then the levels raised:
//!
//! * a greedy pass with re-scoring, repair and pruning finds a plan quickly;
//! * a branch-and-bound search with admissible bounds from an exact model of the conditions
//!   ([`model`](self)) then either proves it minimal among all such plans, finds a cheaper one,
//!   or stops at its budget ([`GapOptions::max_nodes`]) — the plan then says it is not
//!   proven minimal and gives the lower bound reached.
//!
//! Every returned plan has been re-scored from the changed evidence and reaches the target.
//! "Unreachable" is said only when proven: a gate that cannot be cleared withholds or lowers
//! the grade, a condition no allowed change can satisfy, or an exhaustive search found none.

mod change;
mod compare;
mod cost;
mod model;
mod options;
mod plan;
mod search;
mod state;
mod whatif;

pub use change::{apply_to_sheet, parse_changes, Change};
pub use compare::{compare, Comparison, CriterionDelta, DepartmentDelta, Round, RoundStep};
pub use cost::{CostModel, MAX_COST};
pub use plan::{ConditionGap, DepartmentPlan, Gap, GapStatus, GateGap, Plan, Step, Verified};
pub use whatif::{ConditionFlip, CriterionMove, GateFlip, PartMove, WhatIf};

use crate::condition::{CCond, CValue, Trace};
use crate::evidence::EvidenceError;
use crate::ratio::{display, Op, Quantity};
use crate::report::Report;
use crate::rulebook::compile::Rule;
use crate::rulebook::model::Effect;
use crate::score::{score_sheet, Scorecard};
use crate::Rulebook;
use model::{LeafKind, MCond, Model, Need, State, Tri};
use options::{candidates, flip, value_words, whole, Candidates};
use rust_decimal::Decimal;
use search::Search;
use state::base_of;
use std::fmt::Write as _;

/// Why a gap analysis, what-if or comparison could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GapError {
    /// The target grade is not one of the rulebook's.
    #[error("unknown grade {grade:?}: the rulebook's grades are {known}")]
    UnknownGrade {
        /// The grade asked for.
        grade: String,
        /// The rulebook's grades.
        known: String,
    },
    /// The cost model is wrong.
    #[error("costs: {0}")]
    Costs(String),
    /// Changes could not be read.
    #[error("changes: {0}")]
    Changes(String),
    /// The changed evidence is invalid.
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    /// Reports cannot be compared.
    #[error("compare: {0}")]
    Compare(String),
    /// A bug in sanjia.
    #[error("internal error in gap analysis (a bug, please report it): {0}")]
    Internal(String),
}

/// Options of a gap analysis.
#[derive(Debug, Clone)]
pub struct GapOptions {
    /// What changes cost (default: one per change).
    pub costs: CostModel,
    /// Most branch-and-bound nodes explored before the best plan found is returned as not
    /// proven minimal (default 50,000; the built-in rulebooks' samples are proven within
    /// 2,000). The search is deterministic: the same input gives the same plan.
    pub max_nodes: u64,
}

impl Default for GapOptions {
    fn default() -> Self {
        GapOptions {
            costs: CostModel::unit(),
            max_nodes: 50_000,
        }
    }
}

/// The index of a grade by id (or title).
pub(crate) fn grade_index(rb: &Rulebook, grade: &str) -> Result<usize, GapError> {
    let g = grade.trim();
    rb.grades()
        .iter()
        .position(|x| x.id == g)
        .or_else(|| {
            rb.grades()
                .iter()
                .position(|x| x.title.as_deref() == Some(g))
        })
        .ok_or_else(|| GapError::UnknownGrade {
            grade: grade.to_string(),
            known: rb
                .grades()
                .iter()
                .map(|x| x.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

impl Report {
    /// How far this hospital is from a grade and the least that closes the gap (one per
    /// change).
    ///
    /// ```
    /// let rb = sanjia::Rulebook::builtin("demo")?;
    /// let report = sanjia::score(&rb, &sanjia::Evidence::sample("demo", Some("grade-b"))?)?;
    /// let gap = report.gap_to("甲等")?;
    /// let plan = gap.plan.as_ref().expect("reachable");
    /// assert_eq!(plan.after.grade.as_deref(), Some("甲等"));
    /// println!("{}", gap.explain());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn gap_to(&self, grade: &str) -> Result<Gap, GapError> {
        self.gap_to_with(grade, &GapOptions::default())
    }

    /// [`Report::gap_to`] with costs and a search budget.
    pub fn gap_to_with(&self, grade: &str, opts: &GapOptions) -> Result<Gap, GapError> {
        analyse(self, grade, opts)
    }
}

fn pct(q: Quantity) -> String {
    match q {
        Quantity::Ratio { num, den } => Quantity::Ratio {
            num: num * Decimal::ONE_HUNDRED,
            den,
        }
        .display_decimal(2)
        .to_string(),
        Quantity::Decimal(d) => display(d * Decimal::ONE_HUNDRED, 2).to_string(),
    }
}

fn num(d: Decimal) -> String {
    display(d, 4).to_string()
}

struct Ctx<'a> {
    rb: &'a Rulebook,
    card: &'a Scorecard,
    cands: &'a Candidates,
    model: &'a Model,
    s0: State,
    free: Vec<bool>,
}

impl Ctx<'_> {
    fn bound(&self, m: &MCond) -> Option<Decimal> {
        let r = model::Route {
            grade: 0,
            conds: vec![m.clone()],
            must_clear: Vec::new(),
            blocked: Vec::new(),
            top: u32::MAX,
        };
        self.model.route_bound(self.cands, &self.s0, &self.free, &r)
    }

    /// Why a condition tree cannot hold, in words.
    fn why_not(&self, m: &MCond) -> Vec<String> {
        let mut leaves = Vec::new();
        Model::leaves_of(m, &mut leaves);
        let mut out = Vec::new();
        for j in leaves {
            if self
                .model
                .leaf_bound(self.cands, &self.s0, &self.free, j)
                .is_some()
            {
                continue;
            }
            out.push(self.why_leaf(j));
        }
        if out.is_empty() {
            out.push("no combination of allowed changes makes it hold".into());
        }
        out
    }

    fn why_leaf(&self, j: usize) -> String {
        let m = self.model;
        let nodes = self.rb.nodes();
        match &m.leaves[j].need {
            Need::Never => "it cannot hold whatever the evidence (nothing applicable, or beyond \
                            what all counted criteria together give)"
                .into(),
            Need::Lin {
                lin,
                up,
                target,
                incs,
            } => {
                let l = &m.lins[*lin];
                let now = l.base;
                let lack = if *up {
                    *target - (now + l.err)
                } else {
                    (now - l.err) - *target
                };
                let most: Decimal = incs.iter().map(|i| i.gain).sum();
                format!(
                    "it needs {} more, and every allowed change together gives at most {}",
                    num(lack),
                    num(most)
                )
            }
            Need::Count {
                cnt,
                up,
                need,
                classes,
            } => {
                let h = m.counts[*cnt].hits;
                let k = if *up { need - h } else { h - need };
                format!(
                    "it needs {k} more criteria to change, and only {} can",
                    classes.len()
                )
            }
            Need::Value { .. } => {
                let n = match &m.leaves[j].kind {
                    LeafKind::Cmp(a, _, b) => [a, b].into_iter().find_map(|s| match s {
                        model::Side::Value(n) => Some(*n),
                        _ => None,
                    }),
                    _ => None,
                };
                match n {
                    Some(n) => match self.cands.blocked.get(&n) {
                        Some(w) => w.clone(),
                        None => format!(
                            "no value of indicator {} in its better direction meets it",
                            nodes[n as usize].id
                        ),
                    },
                    None => "no allowed value meets it".into(),
                }
            }
            Need::Gates { gates } => {
                let mut why = Vec::new();
                for g in gates {
                    if self.cands.crit_of.contains_key(g) {
                        continue;
                    }
                    why.push(match self.cands.blocked.get(g) {
                        Some(w) => w.clone(),
                        None => format!("gate {} cannot be cleared", nodes[*g as usize].id),
                    });
                }
                why.join("; ")
            }
            Need::None => "not known".into(),
        }
    }

    /// Describe the failed leaves of a condition.
    fn describe(&self, top: &str, c: &CCond, t: &Trace, m: &MCond, out: &mut Vec<ConditionGap>) {
        if t.held {
            return;
        }
        match (c, m) {
            (CCond::All(ps, _), MCond::All(ms, _)) | (CCond::Any(ps, _), MCond::Any(ms))
                if ps.len() == t.parts.len() && ps.len() == ms.len() =>
            {
                for k in 0..ps.len() {
                    self.describe(top, &ps[k], &t.parts[k], &ms[k], out);
                }
            }
            _ => out.push(self.leaf_gap(top, c, t, m)),
        }
    }

    fn leaf_gap(&self, top: &str, c: &CCond, t: &Trace, m: &MCond) -> ConditionGap {
        let rb = self.rb;
        let nodes = rb.nodes();
        let bound = self.bound(m);
        let (mut now, mut need, mut short, mut shortfall) =
            (t.detail.clone(), String::new(), None, None);
        match c {
            CCond::NoGateFailed(o, _) => {
                let failed: Vec<String> = self
                    .card
                    .decision
                    .failed_gates
                    .iter()
                    .filter(|(_, out)| o.is_none_or(|w| w == *out))
                    .map(|(g, out)| {
                        format!(
                            "gate {} failed (outcome {})",
                            nodes[*g as usize].id,
                            rb.outcomes()[*out as usize].id
                        )
                    })
                    .collect();
                now = failed.join(", ");
                need = match o {
                    Some(o) => format!("no gate failed with {}", rb.outcomes()[*o as usize].id),
                    None => "no gate failed".into(),
                };
                short = Some(format!(
                    "{} gate{} to clear",
                    failed.len(),
                    if failed.len() == 1 { "" } else { "s" }
                ));
                shortfall = Some(Decimal::from(failed.len() as u64));
            }
            CCond::GatePassed(g, _) => {
                now = format!(
                    "gate {} {}",
                    nodes[*g as usize].id,
                    match self.card.criteria[*g as usize].gate {
                        Some(false) => "failed",
                        _ => "has no answer",
                    }
                );
                need = "pass".into();
            }
            CCond::Compare(l, op, r, _) => {
                let konst = |v: &CValue| match v {
                    CValue::Number(d) | CValue::Param(_, d) => Some(*d),
                    _ => None,
                };
                let oriented = match (konst(l), konst(r)) {
                    (None, Some(k)) => Some((l, t.left, *op, k)),
                    (Some(k), None) => Some((r, t.right, flip(*op), k)),
                    _ => None,
                };
                if let Some((mv, mq, op, k)) = oriented {
                    let up = matches!(op, Op::Ge | Op::Gt);
                    let kq = Quantity::Decimal(k);
                    match (mv, mq) {
                        (CValue::Share(_, _, desc), Some(Quantity::Ratio { num: h, den: of })) => {
                            let (h, of) = (h.trunc(), of.trunc());
                            let ofi = of.to_string().parse::<u64>().unwrap_or(0);
                            let ok = |x: u64| {
                                Quantity::ratio_of_counts(x, ofi)
                                    .is_some_and(|q| op.holds(q.cmp_exact(&kq)))
                            };
                            let target = if up {
                                (0..=ofi).find(|&x| ok(x))
                            } else {
                                (0..=ofi).rev().find(|&x| ok(x))
                            };
                            now = format!(
                                "{} of {} {desc} ({}%)",
                                whole(h),
                                whole(of),
                                pct(Quantity::Ratio { num: h, den: of })
                            );
                            match target {
                                Some(x) => {
                                    let d = (Decimal::from(x) - h).abs();
                                    need = format!(
                                        "{}{x} of {} ({op} {}%)",
                                        if up { "" } else { "at most " },
                                        whole(of),
                                        num(k * Decimal::ONE_HUNDRED)
                                    );
                                    short = Some(format!(
                                        "{} {}",
                                        whole(d),
                                        if up { "more" } else { "fewer" }
                                    ));
                                    shortfall = Some(d);
                                }
                                None => {
                                    need = format!(
                                        "{op} {}% (not possible)",
                                        num(k * Decimal::ONE_HUNDRED)
                                    )
                                }
                            }
                        }
                        (CValue::Count(_, _, desc), Some(q)) => {
                            let h = q.to_decimal();
                            let x = match op {
                                Op::Ge => k.ceil(),
                                Op::Gt => k.floor() + Decimal::ONE,
                                Op::Le => k.floor(),
                                Op::Lt => k.ceil() - Decimal::ONE,
                                _ => k,
                            };
                            now = format!("{} {desc}", whole(h));
                            need = format!("{op} {} ({})", num(k), whole(x));
                            let d = (x - h).abs();
                            short = Some(format!(
                                "{} {}",
                                whole(d),
                                if up { "more" } else { "fewer" }
                            ));
                            shortfall = Some(d);
                        }
                        (CValue::Points(n), Some(q)) => {
                            let p = q.to_decimal();
                            now = if *n == 0 {
                                format!("total {}", num(p))
                            } else {
                                format!("points of {} = {}", nodes[*n as usize].id, num(p))
                            };
                            need = format!("{op} {}", num(k));
                            let d = (k - p).abs();
                            short = Some(format!("{} points short", num(d)));
                            shortfall = Some(d);
                        }
                        (CValue::Rate(n), Some(q)) => {
                            let (p, max) = (
                                self.card.points[*n as usize].unwrap_or_default(),
                                self.card.max[*n as usize],
                            );
                            now = format!(
                                "rate of {} = {}% ({} of {} points)",
                                nodes[*n as usize].id,
                                pct(q),
                                num(p),
                                num(max)
                            );
                            need = format!(
                                "{op} {}% ({} points)",
                                num(k * Decimal::ONE_HUNDRED),
                                num(k * max)
                            );
                            let d = (k * max - p).abs();
                            short = Some(format!("{} points short", num(d)));
                            shortfall = Some(d);
                        }
                        (CValue::IndicatorValue(n), q) => {
                            let unit = match &nodes[*n as usize].rule {
                                Rule::Indicator(r) => {
                                    now = match q {
                                        Some(q) => format!(
                                            "value of {} = {}",
                                            nodes[*n as usize].id,
                                            value_words(q, r)
                                        ),
                                        None => format!("no value of {}", nodes[*n as usize].id),
                                    };
                                    r.unit.clone().unwrap_or_default()
                                }
                                _ => String::new(),
                            };
                            need = format!("{op} {}{unit}", num(k));
                            if let Some(q) = q {
                                let d = k.checked_sub(q.to_decimal()).unwrap_or(Decimal::MAX).abs();
                                short = Some(format!("{}{unit} away", num(d)));
                                shortfall = Some(d);
                            }
                        }
                        (CValue::Aggregate(f, meas, sel, desc), _) => {
                            let rate = *meas == crate::condition::ast::Measure::Rate;
                            let mut below = Vec::new();
                            for &n in sel {
                                let (Some(p), max) =
                                    (self.card.points[n as usize], self.card.max[n as usize])
                                else {
                                    continue;
                                };
                                let v = if rate {
                                    match Quantity::ratio(p, max) {
                                        Some(q) => q,
                                        None => continue,
                                    }
                                } else {
                                    Quantity::Decimal(p)
                                };
                                if !op.holds(v.cmp_exact(&kq)) {
                                    below.push(format!(
                                        "{} {}",
                                        nodes[n as usize].id,
                                        if rate { format!("{}%", pct(v)) } else { num(p) }
                                    ));
                                }
                            }
                            let what = if rate { "rate" } else { "points" };
                            let kw = if rate {
                                format!("{}%", num(k * Decimal::ONE_HUNDRED))
                            } else {
                                num(k)
                            };
                            match f {
                                crate::condition::ast::AggFn::Mean => {
                                    now = format!(
                                        "mean {what} over {desc} = {}",
                                        mq.map(|q| if rate {
                                            format!("{}%", pct(q))
                                        } else {
                                            num(q.to_decimal())
                                        })
                                        .unwrap_or_else(|| "undefined".into())
                                    );
                                    need = format!("{op} {kw}");
                                }
                                _ => {
                                    now = format!("{what} over {desc}: {}", below.join(", "));
                                    need = format!(
                                        "{} {op} {kw}",
                                        if *f == crate::condition::ast::AggFn::Min {
                                            "every one"
                                        } else {
                                            "at least one"
                                        }
                                    );
                                    short = Some(format!("{} below", below.len()));
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        let part = c.text().to_string();
        let summary = if need.is_empty() {
            format!("{part} — {now}")
        } else {
            format!(
                "{part} — now {now}; need {need}{}",
                short
                    .as_deref()
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default()
            )
        };
        ConditionGap {
            condition: top.to_string(),
            part,
            now,
            need,
            short,
            shortfall,
            summary,
            can_be_met: bound.is_some(),
            least_cost: bound,
            reason: bound.is_none().then(|| self.why_not(m).join("; ")),
        }
    }
}

fn effect_name(e: Effect) -> &'static str {
    match e {
        Effect::NoGrade => "no-grade",
        Effect::Downgrade => "downgrade",
        Effect::Record => "record",
    }
}

/// Leaves of each route with the grade condition they belong to.
fn leaf_conditions(rb: &Rulebook, model: &Model) -> Vec<Vec<(usize, String)>> {
    model
        .routes
        .iter()
        .map(|r| {
            let mut out = Vec::new();
            for (k, c) in r.conds.iter().enumerate() {
                let mut ls = Vec::new();
                Model::leaves_of(c, &mut ls);
                let text = rb.grades()[r.grade]
                    .conditions
                    .get(k)
                    .map(|c| c.text().to_string())
                    .unwrap_or_default();
                out.extend(ls.into_iter().map(|j| (j, text.clone())));
            }
            out
        })
        .collect()
}

/// Whether candidate `o` helps leaf `j` on its own.
fn helps(model: &Model, cands: &Candidates, j: usize, o: usize) -> bool {
    match &model.leaves[j].need {
        Need::Lin { lin, up, .. } => model.effects[o].lin.iter().any(|&(k, d)| {
            k == *lin
                && (if *up {
                    d > Decimal::ZERO
                } else {
                    d < Decimal::ZERO
                })
        }),
        Need::Count { cnt, up, .. } => model.effects[o]
            .cnt
            .iter()
            .any(|&(k, d)| k == *cnt && (if *up { d > 0 } else { d < 0 })),
        Need::Value { .. } => {
            let mut s = State::new(model, cands.crits.len());
            s.apply(model, cands, o);
            model.leaf_tri(cands, &s, j) == Tri::True
        }
        Need::Gates { gates } => gates.contains(&cands.opts[o].node),
        Need::None | Need::Never => false,
    }
}

fn analyse(report: &Report, grade: &str, opts: &GapOptions) -> Result<Gap, GapError> {
    let rb = report.rulebook();
    let target = grade_index(rb, grade)?;
    opts.costs.check(rb)?;
    let card = report.scorecard();
    let nodes = rb.nodes();
    let last = rb.grades().len().saturating_sub(1);
    let mut gap = Gap {
        hospital: report.hospital().to_string(),
        target: rb.grades()[target].id.clone(),
        target_title: rb.grades()[target].title.clone(),
        grade_now: report.grade().map(str::to_string),
        status_now: report.status(),
        total_now: report.total(),
        status: GapStatus::Planned,
        conditions: Vec::new(),
        gates: Vec::new(),
        plan: None,
        reasons: Vec::new(),
        fixed: Vec::new(),
        notes: Vec::new(),
    };
    if card.decision.grade.is_some_and(|g| g <= target) {
        gap.status = GapStatus::Reached;
        return Ok(gap);
    }
    let base = base_of(report);
    if base.rebuilt {
        gap.notes.push(
            "the report did not keep its evidence (e.g. scored from a table); the evidence was \
             rebuilt from the scorecard, which keeps every value scoring reads"
                .into(),
        );
    }
    let cands = candidates(rb, card, &base.sheet, &opts.costs);
    let model = Model::build(rb, card, &base, &cands, target, opts.costs.integral())?;
    let ctx = Ctx {
        rb,
        card,
        cands: &cands,
        model: &model,
        s0: State::new(&model, cands.crits.len()),
        free: vec![false; cands.crits.len()],
    };
    // How far each failed condition of the target is.
    if let (Some(route), Some(traces)) = (
        model.routes.iter().find(|r| r.grade == target),
        card.decision.grades.get(target),
    ) {
        for (k, c) in rb.grades()[target].conditions.iter().enumerate() {
            if let (Some(t), Some(m)) = (traces.conditions.get(k), route.conds.get(k)) {
                ctx.describe(c.text(), c, t, m, &mut gap.conditions);
            }
        }
    }
    // Failed gates.
    for &(g, o) in &card.decision.failed_gates {
        let node = &nodes[g as usize];
        let out = &rb.outcomes()[o as usize];
        let spoils = match out.effect {
            Effect::NoGrade => true,
            Effect::Downgrade => (target + out.steps as usize).min(last) > target,
            Effect::Record => false,
        };
        let in_conditions = gap
            .conditions
            .iter()
            .any(|c| c.now.contains(&format!("gate {} ", node.id)));
        let what = match out.effect {
            Effect::NoGrade => "withholds every grade".to_string(),
            Effect::Downgrade => format!(
                "lowers the grade by {}{}",
                out.steps,
                if spoils {
                    ""
                } else {
                    " (not below the target)"
                }
            ),
            Effect::Record => "is recorded".to_string(),
        };
        gap.gates.push(GateGap {
            id: node.id.clone(),
            title: node.title.clone(),
            department: node.department.clone(),
            outcome: out.id.clone(),
            outcome_title: out.title.clone(),
            effect: effect_name(out.effect),
            clearable: node.clearable,
            blocks: spoils || in_conditions,
            note: format!(
                "gate {} ({}) failed: outcome {} ({}) {what}; {}",
                node.id,
                node.title,
                out.id,
                out.title,
                if node.clearable {
                    "it can be cleared".to_string()
                } else {
                    "the rulebook says it cannot be cleared".to_string()
                }
            ),
        });
    }
    let mut blocked: Vec<(u32, String)> =
        cands.blocked.iter().map(|(n, w)| (*n, w.clone())).collect();
    blocked.sort();
    gap.fixed = blocked.into_iter().map(|x| x.1).collect();

    // The search.
    let mut search = Search::new(rb, &base, &cands, &model, target, opts.max_nodes);
    let found = search.run();
    let Some(best) = found.best.clone() else {
        gap.status = if found.complete {
            GapStatus::Unreachable
        } else {
            GapStatus::NotFound
        };
        // A gate that withholds every grade and cannot be cleared says it all.
        for &(g, o) in &card.decision.failed_gates {
            let out = &rb.outcomes()[o as usize];
            if out.effect == Effect::NoGrade && !cands.crit_of.contains_key(&g) {
                let node = &nodes[g as usize];
                gap.reasons.push(format!(
                    "gate {} ({}) failed: its outcome {} ({}) withholds every grade, and {}",
                    node.id,
                    node.title,
                    out.id,
                    out.title,
                    if node.clearable {
                        cands
                            .blocked
                            .get(&g)
                            .cloned()
                            .unwrap_or_else(|| "it cannot change".into())
                    } else {
                        "the rulebook says it cannot be cleared (clearable = false)".into()
                    }
                ));
            }
        }
        if gap.reasons.is_empty() {
            let route_reasons = |r: &model::Route| -> Vec<String> {
                let mut why: Vec<String> = r.blocked.clone();
                if why.is_empty() {
                    for (k, m) in r.conds.iter().enumerate() {
                        if ctx.bound(m).is_none() {
                            let text = rb.grades()[r.grade]
                                .conditions
                                .get(k)
                                .map(|c| c.text().to_string())
                                .unwrap_or_default();
                            why.push(format!(
                                "'{text}' cannot hold: {}",
                                ctx.why_not(m).join("; ")
                            ));
                        }
                    }
                }
                why
            };
            let target_route = model.routes.iter().find(|r| r.grade == target);
            let mut why = target_route.map(route_reasons).unwrap_or_default();
            if target_route.is_some_and(|r| !r.blocked.is_empty()) {
                for r in model.routes.iter().filter(|r| r.grade < target) {
                    let w = route_reasons(r);
                    let w = if w.is_empty() {
                        vec!["no combination of allowed changes earns it".to_string()]
                    } else {
                        w
                    };
                    why.push(format!(
                        "earning {} instead (so that the lowered grade is still {} or better) is not \
                         possible either: {}",
                        rb.grades()[r.grade].id,
                        gap.target,
                        w.join("; ")
                    ));
                }
            }
            if why.is_empty() {
                why.push(if found.complete {
                    "no combination of allowed changes makes every condition hold together \
                     (exhaustive search)"
                        .into()
                } else {
                    format!(
                        "no plan found within the search budget ({} nodes); none was proven \
                         impossible either",
                        found.nodes
                    )
                });
            }
            gap.reasons = why;
        }
        return Ok(gap);
    };

    // The plan: verify by re-scoring the changed evidence.
    let changes: Vec<Change> = best
        .picks
        .iter()
        .map(|&o| cands.opts[o].change.clone())
        .collect();
    let sheet = apply_to_sheet(rb, &base.sheet, &changes, &base.partial)?;
    let after = score_sheet(rb, &sheet)?;
    if after.decision.grade.is_none_or(|g| g > target) {
        return Err(GapError::Internal(format!(
            "the plan {changes:?} did not reach {} when re-scored",
            gap.target
        )));
    }
    let route_grade = after.decision.earned.unwrap_or(target);
    let leaf_texts = leaf_conditions(rb, &model);
    let route_ix = model.routes.iter().position(|r| r.grade == route_grade);
    let mut steps = Vec::new();
    for &o in &best.picks {
        let opt = &cands.opts[o];
        let node = &nodes[opt.node as usize];
        let mut helped: Vec<String> = Vec::new();
        if let Some(ri) = route_ix {
            let r = &model.routes[ri];
            if r.must_clear.contains(&opt.node) {
                helped.push(format!(
                    "clears a failed gate whose outcome would {}",
                    match card
                        .decision
                        .failed_gates
                        .iter()
                        .find(|x| x.0 == opt.node)
                        .map(|x| rb.outcomes()[x.1 as usize].effect)
                    {
                        Some(Effect::NoGrade) => "withhold the grade",
                        _ => "lower the grade",
                    }
                ));
            }
            for (j, text) in &leaf_texts[ri] {
                if model.leaf_tri(&cands, &ctx.s0, *j) == Tri::True {
                    continue;
                }
                if helps(&model, &cands, *j, o) {
                    let s = format!("'{text}'");
                    if !helped.contains(&s) {
                        helped.push(s);
                    }
                }
            }
        }
        let before = card.points[opt.node as usize];
        let in_total = display(model.in_total[o], 4);
        let pts = match (before, opt.points) {
            (Some(a), Some(b)) if b != a => format!(
                " ({}{} points{})",
                if b > a { "+" } else { "" },
                num(b - a),
                if in_total.is_zero() {
                    String::new()
                } else {
                    format!(
                        ", {}{} in the total",
                        if in_total > Decimal::ZERO { "+" } else { "" },
                        num(in_total)
                    )
                }
            ),
            _ => String::new(),
        };
        let (gates_said, conds): (Vec<&String>, Vec<&String>) =
            helped.iter().partition(|h| h.starts_with("clears "));
        let mut reason = format!("{} → {}{pts}", opt.from, opt.to);
        for g in gates_said {
            let _ = write!(reason, "; {g}");
        }
        if !conds.is_empty() {
            let c: Vec<&str> = conds.iter().map(|s| s.as_str()).collect();
            let _ = write!(reason, "; toward {}", c.join(", "));
        }
        steps.push((
            opt.node,
            Step {
                id: node.id.clone(),
                title: node.title.clone(),
                kind: options::kind_name(rb, opt.node),
                department: node.department.clone(),
                from: opt.from.clone(),
                to: opt.to.clone(),
                change: opt.change.clone(),
                cost: opt.cost,
                points_before: before,
                points_after: opt.points,
                in_total,
                helps: helped,
                reason,
            },
        ));
    }
    let steps = plan::group_steps(steps);
    let g = |i: Option<usize>| i.map(|i| rb.grades()[i].id.clone());
    gap.plan = Some(Plan {
        changes: steps.len(),
        steps,
        cost: best.cost,
        levels: best.levels,
        proven_minimal: found.complete,
        lower_bound: found.lower_bound,
        method: found.method,
        nodes_searched: found.nodes,
        rescored: found.rescored + 1,
        after: Verified {
            grade: g(after.decision.grade),
            earned_grade: g(after.decision.earned),
            status: Report::status_of(rb, &after),
            total: after.total(),
        },
    });
    if route_grade < target && after.decision.lowered_by.is_some() {
        gap.notes.push(format!(
            "the plan earns {} so that the failed gates left (which cannot be cleared) lower \
             it to {}",
            rb.grades()[route_grade].id,
            rb.grades()[after.decision.grade.unwrap_or(target)].id
        ));
    }
    Ok(gap)
}
