//! What every candidate change does to the grade conditions, without re-scoring.
//!
//! Grade conditions compare a few kinds of measures, and each is modelled exactly or within a
//! proven error:
//!
//! * **counts and shares** of criteria at a level (`share(core articles, >= B)`): a change
//!   moves its own criterion in or out of the count, so effects add up exactly (denominators
//!   never change: candidates keep every criterion's applicability);
//! * **points and rates** of nodes (`total`, `rate(P2)`, `min(rate, children of P2)`,
//!   `mean(...)`): every aggregation is linear in its criteria's points while applicability
//!   stays fixed, so a change's effect is measured once, on a *twin* of the rulebook that
//!   rounds nothing, and effects add up. The real (rounded) value differs from the twin's by
//!   at most the rounding unit of every rounded node below, weighted by how much that node
//!   moves the measure ([`Lin::err`]); decisions near a cut-off are left to re-scoring;
//! * **indicator values** (`value(ID)`), **gates** (`no gate failed`, `passed(ID)`): exact.
//!
//! From this the search gets, for any set of changes, whether a condition certainly holds,
//! may hold, or certainly fails ([`Tri`]), and a lower bound on what the conditions still
//! cost ([`Model::lower_bound`]): per condition the linear-programming bound of a
//! multiple-choice covering knapsack (points), the cheapest `k` criteria (counts), or the
//! cheapest fitting change (values, gates); `and` takes the largest, `or` the smallest.
//! Anything the model cannot follow (a condition under `not`, two measures compared with each
//! other, a node inside a leaf-mean) is `Unknown` and bounds nothing: such plans are still
//! found and verified by re-scoring, only less pruning is possible.

use super::options::{flip, Candidates};
use super::state::{apply, Base};
use super::GapError;
use crate::condition::ast::{AggFn, Measure};
use crate::condition::{CCond, CValue, LevelTest};
use crate::ratio::{Op, Quantity};
use crate::rulebook::compile::{CompiledRulebook, Rounding, Rule};
use crate::rulebook::model::{Effect, NodeKind, RoundingLevel};
use crate::score::{score_sheet, Scorecard};
use crate::Rulebook;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// Three-valued truth under the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tri {
    False,
    Unknown,
    True,
}

impl Tri {
    fn not(self) -> Tri {
        match self {
            Tri::False => Tri::True,
            Tri::True => Tri::False,
            Tri::Unknown => Tri::Unknown,
        }
    }
}

/// A linear measure: Σ coefficient × points of node.
#[derive(Debug, Clone)]
pub(crate) struct Lin {
    pub terms: Vec<(u32, Decimal)>,
    /// Its value on the twin for the current evidence.
    pub base: Decimal,
    /// Largest difference between the real (rounded) value and the twin's.
    pub err: Decimal,
}

/// A count of criteria passing a level test.
#[derive(Debug, Clone)]
pub(crate) struct Count {
    pub nodes: Vec<u32>,
    pub test: LevelTest,
    pub hits: i64,
    pub of: i64,
    pub share: bool,
}

/// One side of a comparison.
#[derive(Debug, Clone)]
pub(crate) enum Side {
    Const(Quantity),
    Undefined,
    Lin(usize),
    Count(usize),
    Value(u32),
    Other,
}

/// What a leaf condition tests.
#[derive(Debug, Clone)]
pub(crate) enum LeafKind {
    Cmp(Side, Op, Side),
    NoGate(Option<u32>),
    Passed(u32),
}

/// A hull increment of one criterion's candidates for a points condition.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Inc {
    pub crit: usize,
    pub cost: Decimal,
    pub gain: Decimal,
}

/// What it takes to make a leaf hold, for the lower bound.
#[derive(Debug, Clone)]
pub(crate) enum Need {
    /// Nothing known.
    None,
    /// Can never hold.
    Never,
    /// A linear measure must reach `target` (`up`) or come down to it.
    Lin {
        lin: usize,
        up: bool,
        target: Decimal,
        incs: Vec<Inc>,
    },
    /// A count must reach `need` (`up`) or come down to it.
    Count {
        cnt: usize,
        up: bool,
        need: i64,
        classes: Vec<(usize, Decimal)>,
    },
    /// One of these candidates of the indicator (criterion, cost).
    Value { opts: Vec<(usize, Decimal)> },
    /// These gates must pass.
    Gates { gates: Vec<u32> },
}

/// A leaf condition.
#[derive(Debug, Clone)]
pub(crate) struct Leaf {
    pub kind: LeafKind,
    /// About gates (bounded apart from the rest).
    pub gate: bool,
    pub need: Need,
    /// Improvements never turn it from holding to failing.
    pub monotone: bool,
    /// Candidates that change what it measures (helpful or not).
    pub touched_by: Vec<usize>,
    /// Candidates that help it (criteria).
    pub helped_by: Vec<usize>,
    /// Candidates that help it, with how much (in the leaf's unit, positive).
    pub gains: Vec<(usize, Decimal)>,
}

/// A condition tree over leaves.
#[derive(Debug, Clone)]
pub(crate) enum MCond {
    /// Every part holds (with an id for the cached helpers of its parts).
    All(Vec<MCond>, u32),
    Any(Vec<MCond>),
    Not(Box<MCond>),
    Leaf(usize),
    Const(bool),
}

/// One way to reach the target: earn grade `grade` with these gates cleared.
#[derive(Debug, Clone)]
pub(crate) struct Route {
    pub grade: usize,
    /// One per condition of the grade.
    pub conds: Vec<MCond>,
    /// Failed gates whose outcome would withhold or lower the grade below the target.
    pub must_clear: Vec<u32>,
    /// Why this route is impossible (gates that cannot be cleared).
    pub blocked: Vec<String>,
    /// Id of the route's conditions taken together, for cached helpers (`u32::MAX`: none).
    pub top: u32,
}

/// What one candidate does to the measures.
#[derive(Debug, Clone, Default)]
pub(crate) struct Effect1 {
    pub lin: Vec<(usize, Decimal)>,
    pub cnt: Vec<(usize, i64)>,
}

/// The model of a hospital's grade conditions under candidate changes.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub lins: Vec<Lin>,
    pub counts: Vec<Count>,
    pub leaves: Vec<Leaf>,
    pub routes: Vec<Route>,
    pub effects: Vec<Effect1>,
    /// Gates failed now (node → outcome).
    pub failed_gates: FxHashMap<u32, u32>,
    /// Gates passed now.
    pub passed_gates: Vec<u32>,
    /// Latest indicator values now.
    pub values: FxHashMap<u32, Option<Quantity>>,
    /// Every leaf monotone and no `not`: only changes that help a failing leaf can be needed.
    pub monotone: bool,
    /// Every cost is whole: bounds round up.
    pub integral: bool,
    /// The twin's total change per candidate (points in the total, unrounded).
    pub in_total: Vec<Decimal>,
    /// Per candidate: the twin's change at every node the real rulebook rounds (two
    /// candidates with the same changes here and in `effects` score alike).
    pub rounded: Vec<Vec<(u32, Decimal)>>,
    /// Per `and` node (and per route's conditions): the helpers of each part, per channel.
    pub all_helpers: Vec<Vec<PartHelpers>>,
}

/// The criteria that can help a condition's leaves: (not gates, gates); `None` when unknown.
pub(crate) type PartHelpers = [Option<Vec<usize>>; 2];

/// The search state: the candidates chosen and their summed effects.
#[derive(Debug, Clone)]
pub(crate) struct State {
    pub chosen: Vec<Option<usize>>,
    pub lin: Vec<Decimal>,
    pub hits: Vec<i64>,
    pub cost: Decimal,
    pub levels: u32,
}

impl State {
    pub(crate) fn new(model: &Model, crits: usize) -> State {
        State {
            chosen: vec![None; crits],
            lin: vec![Decimal::ZERO; model.lins.len()],
            hits: vec![0; model.counts.len()],
            cost: Decimal::ZERO,
            levels: 0,
        }
    }

    /// Choose candidate `o` for its criterion (replacing any earlier choice).
    pub(crate) fn apply(&mut self, model: &Model, cands: &Candidates, o: usize) {
        let c = cands.opts[o].crit;
        if let Some(old) = self.chosen[c] {
            self.undo(model, cands, old);
        }
        let e = &model.effects[o];
        for &(k, d) in &e.lin {
            self.lin[k] += d;
        }
        for &(k, d) in &e.cnt {
            self.hits[k] += d;
        }
        self.cost += cands.opts[o].cost;
        self.levels += cands.opts[o].levels;
        self.chosen[c] = Some(o);
    }

    /// Drop candidate `o`.
    pub(crate) fn undo(&mut self, model: &Model, cands: &Candidates, o: usize) {
        let c = cands.opts[o].crit;
        if self.chosen[c] != Some(o) {
            return;
        }
        let e = &model.effects[o];
        for &(k, d) in &e.lin {
            self.lin[k] -= d;
        }
        for &(k, d) in &e.cnt {
            self.hits[k] -= d;
        }
        self.cost -= cands.opts[o].cost;
        self.levels -= cands.opts[o].levels;
        self.chosen[c] = None;
    }

    /// The candidates chosen, in criterion order.
    pub(crate) fn picks(&self) -> Vec<usize> {
        self.chosen.iter().filter_map(|o| *o).collect()
    }
}

/// A copy of the rulebook that rounds nothing (20 places, at the total only).
fn twin(rb: &Rulebook) -> Rulebook {
    let mut c: CompiledRulebook = (*rb.0).clone();
    c.rounding = Rounding {
        places: 20,
        strategy: rb.rounding().strategy,
        at: RoundingLevel::Total,
    };
    Rulebook(Arc::new(c))
}

fn pass(test: LevelTest, points: Option<Decimal>, max: Decimal, rank: Option<u8>) -> Option<bool> {
    match test {
        LevelTest::Full => points.map(|p| p >= max),
        LevelTest::AtLeast(r) => points.and(rank).map(|x| x >= r),
        LevelTest::Exactly(r) => points.and(rank).map(|x| x == r),
    }
}

struct Builder<'a> {
    rb: &'a Rulebook,
    card: &'a Scorecard,
    tw: &'a Scorecard,
    lins: Vec<Lin>,
    counts: Vec<Count>,
    leaves: Vec<Leaf>,
    err_cache: FxHashMap<u32, Option<Decimal>>,
    /// `and` nodes made so far.
    alls: u32,
}

impl Builder<'_> {
    /// Largest |real − twin| of a node's points.
    fn err(&mut self, n: u32) -> Option<Decimal> {
        if let Some(e) = self.err_cache.get(&n) {
            return *e;
        }
        let rb = self.rb;
        let nodes = rb.nodes();
        let r = rb.rounding();
        let unit = Decimal::new(1, r.places);
        let node = &nodes[n as usize];
        let e = if node.kind != NodeKind::Group {
            Some(if r.applies(node) { unit } else { Decimal::ZERO })
        } else {
            let imp = self.card.impact[n as usize];
            if imp <= Decimal::ZERO {
                None
            } else {
                let mut e = Decimal::ZERO;
                let (s, t) = (n as usize, node.end as usize);
                for (k, nk) in nodes.iter().enumerate().take(t).skip(s) {
                    let ik = self.card.impact[k];
                    if r.applies(nk) && self.card.points[k].is_some() && ik > Decimal::ZERO {
                        e += unit * ik / imp;
                    }
                }
                Some(e)
            }
        };
        self.err_cache.insert(n, e);
        e
    }

    fn lin(&mut self, terms: Vec<(u32, Decimal)>) -> Side {
        let mut base = Decimal::ZERO;
        let mut err = Decimal::new(1, 12);
        for &(n, coef) in &terms {
            let (Some(_), Some(t)) = (self.card.points[n as usize], self.tw.points[n as usize])
            else {
                return Side::Undefined;
            };
            let Some(e) = self.err(n) else {
                return Side::Other;
            };
            base += coef * t;
            err += coef.abs() * e;
        }
        self.lins.push(Lin { terms, base, err });
        Side::Lin(self.lins.len() - 1)
    }

    fn node_measure(&mut self, n: u32, m: Measure) -> Side {
        match m {
            Measure::Points => self.lin(vec![(n, Decimal::ONE)]),
            Measure::Rate => match (self.card.points[n as usize], self.card.max[n as usize]) {
                (Some(_), max) if max > Decimal::ZERO => self.lin(vec![(n, Decimal::ONE / max)]),
                _ => Side::Undefined,
            },
        }
    }

    fn count(&mut self, nodes: &[u32], test: LevelTest, share: bool) -> Side {
        let (mut hits, mut of) = (0i64, 0i64);
        for &n in nodes {
            let c = &self.card.criteria[n as usize];
            if let Some(p) = pass(
                test,
                self.card.points[n as usize],
                self.card.max[n as usize],
                c.points.and(c.rank),
            ) {
                of += 1;
                hits += i64::from(p);
            }
        }
        if share && of == 0 {
            return Side::Undefined;
        }
        self.counts.push(Count {
            nodes: nodes.to_vec(),
            test,
            hits,
            of,
            share,
        });
        Side::Count(self.counts.len() - 1)
    }

    fn side(&mut self, v: &CValue) -> Side {
        match v {
            CValue::Number(d) | CValue::Param(_, d) => Side::Const(Quantity::Decimal(*d)),
            CValue::Points(n) => self.node_measure(*n, Measure::Points),
            CValue::Rate(n) => self.node_measure(*n, Measure::Rate),
            CValue::MaxPoints(n) => match self.card.points[*n as usize] {
                Some(_) => Side::Const(Quantity::Decimal(self.card.max[*n as usize])),
                None => Side::Undefined,
            },
            CValue::IndicatorValue(n) => Side::Value(*n),
            CValue::Share(nodes, test, _) => self.count(nodes, *test, true),
            CValue::Count(nodes, Some(test), _) => self.count(nodes, *test, false),
            CValue::Count(nodes, None, _) => {
                let n = nodes
                    .iter()
                    .filter(|&&n| {
                        self.card.points[n as usize].is_some()
                            || self.card.criteria[n as usize].rank.is_some()
                                && self.card.criteria[n as usize].points.is_some()
                    })
                    .count();
                Side::Const(Quantity::Decimal(Decimal::from(n as u64)))
            }
            CValue::Aggregate(AggFn::Mean, m, nodes, _) => {
                let app: Vec<u32> = nodes
                    .iter()
                    .copied()
                    .filter(|&n| self.card.points[n as usize].is_some())
                    .filter(|&n| *m == Measure::Points || self.card.max[n as usize] > Decimal::ZERO)
                    .collect();
                if app.is_empty() {
                    return Side::Undefined;
                }
                let cnt = Decimal::from(app.len() as u64);
                let terms = app
                    .iter()
                    .map(|&n| {
                        let c = match m {
                            Measure::Points => Decimal::ONE / cnt,
                            Measure::Rate => Decimal::ONE / (cnt * self.card.max[n as usize]),
                        };
                        (n, c)
                    })
                    .collect();
                self.lin(terms)
            }
            CValue::Aggregate(..) => Side::Other,
        }
    }

    fn all(&mut self, parts: Vec<MCond>) -> MCond {
        self.alls += 1;
        MCond::All(parts, self.alls - 1)
    }

    fn leaf(&mut self, kind: LeafKind, gate: bool) -> MCond {
        self.leaves.push(Leaf {
            kind,
            gate,
            need: Need::None,
            monotone: true,
            touched_by: Vec::new(),
            helped_by: Vec::new(),
            gains: Vec::new(),
        });
        MCond::Leaf(self.leaves.len() - 1)
    }

    fn cond(&mut self, c: &CCond) -> MCond {
        match c {
            CCond::All(p, _) => {
                let parts = p.iter().map(|x| self.cond(x)).collect();
                self.all(parts)
            }
            CCond::Any(p, _) => MCond::Any(p.iter().map(|x| self.cond(x)).collect()),
            CCond::Not(x, _) => MCond::Not(Box::new(self.cond(x))),
            CCond::NoGateFailed(o, _) => self.leaf(LeafKind::NoGate(*o), true),
            CCond::GatePassed(g, _) => self.leaf(LeafKind::Passed(*g), true),
            CCond::Compare(l, op, r, _) => {
                // min / max against a number: every node (or some node) must hold.
                let konst = |v: &CValue| matches!(v, CValue::Number(_) | CValue::Param(..));
                let agg = match (l, r) {
                    (CValue::Aggregate(f, m, nodes, _), k) if konst(k) && *f != AggFn::Mean => {
                        Some((*f, *m, nodes, *op, k))
                    }
                    (k, CValue::Aggregate(f, m, nodes, _)) if konst(k) && *f != AggFn::Mean => {
                        Some((*f, *m, nodes, flip(*op), k))
                    }
                    _ => None,
                };
                if let Some((f, m, nodes, op, k)) = agg {
                    if matches!(op, Op::Eq | Op::Ne) {
                        return self.leaf(LeafKind::Cmp(Side::Other, op, Side::Other), false);
                    }
                    let kq = self.side(k);
                    let app: Vec<u32> = nodes
                        .iter()
                        .copied()
                        .filter(|&n| self.card.points[n as usize].is_some())
                        .filter(|&n| {
                            m == Measure::Points || self.card.max[n as usize] > Decimal::ZERO
                        })
                        .collect();
                    if app.is_empty() {
                        return MCond::Const(false);
                    }
                    let parts: Vec<MCond> = app
                        .iter()
                        .map(|&n| {
                            let s = self.node_measure(n, m);
                            self.leaf(LeafKind::Cmp(s, op, kq.clone()), false)
                        })
                        .collect();
                    let up = matches!(op, Op::Ge | Op::Gt);
                    return match (f, up) {
                        (AggFn::Min, true) | (AggFn::Max, false) => self.all(parts),
                        _ => MCond::Any(parts),
                    };
                }
                let ls = self.side(l);
                let rs = self.side(r);
                self.leaf(LeafKind::Cmp(ls, *op, rs), false)
            }
        }
    }
}

/// Whether `a op b` (exact) for two quantities.
fn holds(a: &Quantity, op: Op, b: &Quantity) -> bool {
    op.holds(a.cmp_exact(b))
}

/// Upper concave hull increments of one criterion's (cost, gain) candidates.
fn hull(crit: usize, mut pts: Vec<(Decimal, Decimal)>) -> Vec<Inc> {
    pts.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut h: Vec<(Decimal, Decimal)> = vec![(Decimal::ZERO, Decimal::ZERO)];
    for p in pts {
        let Some(&last) = h.last() else { continue };
        if p.1 <= last.1 {
            continue;
        }
        while h.len() >= 2 {
            let a = h[h.len() - 2];
            let b = h[h.len() - 1];
            // slope(a, b) <= slope(b, p): b is not on the upper hull.
            if (b.1 - a.1) * (p.0 - b.0) <= (p.1 - b.1) * (b.0 - a.0) {
                h.pop();
            } else {
                break;
            }
        }
        h.push(p);
    }
    h.windows(2)
        .map(|w| Inc {
            crit,
            cost: w[1].0 - w[0].0,
            gain: w[1].1 - w[0].1,
        })
        .collect()
}

impl Model {
    /// Build the model of a scored hospital for reaching grade `target` (index).
    pub(crate) fn build(
        rb: &Rulebook,
        card: &Scorecard,
        base: &Base,
        cands: &Candidates,
        target: usize,
        integral: bool,
    ) -> Result<Model, GapError> {
        let tw_rb = twin(rb);
        let internal = |e: crate::EvidenceError| GapError::Internal(e.to_string());
        let tw = score_sheet(&tw_rb, &base.sheet).map_err(internal)?;
        let mut b = Builder {
            rb,
            card,
            tw: &tw,
            lins: Vec::new(),
            counts: Vec::new(),
            leaves: Vec::new(),
            err_cache: FxHashMap::default(),
            alls: 0,
        };
        // Gates now.
        let mut failed_gates = FxHashMap::default();
        let mut passed_gates = Vec::new();
        for &i in rb.evidence_nodes() {
            if let Rule::Gate { outcome } = rb.nodes()[i as usize].rule {
                match card.criteria[i as usize].gate {
                    Some(false) => {
                        failed_gates.insert(i, outcome);
                    }
                    Some(true) => passed_gates.push(i),
                    None => {}
                }
            }
        }
        // Routes: earn grade h <= target with the gates that would spoil it cleared.
        let last = rb.grades().len().saturating_sub(1);
        let mut routes = Vec::new();
        for h in 0..=target.min(last) {
            let conds: Vec<MCond> = rb.grades()[h]
                .conditions
                .iter()
                .map(|c| b.cond(c))
                .collect();
            let mut must_clear = Vec::new();
            let mut blocked = Vec::new();
            let mut gates: Vec<(&u32, &u32)> = failed_gates.iter().collect();
            gates.sort();
            for (&g, &o) in gates {
                let out = &rb.outcomes()[o as usize];
                let spoils = match out.effect {
                    Effect::NoGrade => true,
                    Effect::Downgrade => (h + out.steps as usize).min(last) > target,
                    Effect::Record => false,
                };
                if !spoils {
                    continue;
                }
                must_clear.push(g);
                if !cands.crit_of.contains_key(&g) {
                    let node = &rb.nodes()[g as usize];
                    let what = match out.effect {
                        Effect::NoGrade => "withholds every grade".to_string(),
                        _ => format!(
                            "lowers the grade by {} (from {} to {})",
                            out.steps,
                            rb.grades()[h].id,
                            rb.grades()[(h + out.steps as usize).min(last)].id
                        ),
                    };
                    blocked.push(format!(
                        "gate {} ({}) failed: its outcome {} ({}) {what}, and {}",
                        node.id,
                        node.title,
                        out.id,
                        out.title,
                        match cands.blocked.get(&g) {
                            Some(_) if !node.clearable => {
                                "the rulebook says it cannot be cleared (clearable = false)"
                                    .to_string()
                            }
                            Some(w) => w.clone(),
                            None => "it cannot be cleared".to_string(),
                        }
                    ));
                }
            }
            b.alls += 1;
            routes.push(Route {
                grade: h,
                conds,
                must_clear,
                blocked,
                top: b.alls - 1,
            });
        }
        let Builder {
            lins,
            counts,
            mut leaves,
            alls,
            ..
        } = b;
        // Effects of every candidate: twin re-scoring for points, directly for counts.
        let mut count_of: FxHashMap<u32, Vec<usize>> = FxHashMap::default();
        for (k, c) in counts.iter().enumerate() {
            for &n in &c.nodes {
                count_of.entry(n).or_default().push(k);
            }
        }
        let nodes = rb.nodes();
        let mut effects = Vec::with_capacity(cands.opts.len());
        let mut in_total = Vec::with_capacity(cands.opts.len());
        let mut rounded = Vec::with_capacity(cands.opts.len());
        let rounding = rb.rounding();
        for o in &cands.opts {
            let mut rd: Vec<(u32, Decimal)> = Vec::new();
            let mut e = Effect1::default();
            let on_path = |n: u32| {
                let n = n as usize;
                (n..nodes[n].end as usize).contains(&(o.node as usize))
            };
            let points_change = o.points.is_some();
            if points_change {
                let mut s = base.sheet.clone();
                apply(&mut s, o.node, o.answer);
                let t = score_sheet(&tw_rb, &s).map_err(internal)?;
                for (k, l) in lins.iter().enumerate() {
                    if !l.terms.iter().any(|(n, _)| on_path(*n)) {
                        continue;
                    }
                    let mut d = Decimal::ZERO;
                    for &(n, coef) in &l.terms {
                        let (Some(a), Some(b)) = (t.points[n as usize], tw.points[n as usize])
                        else {
                            continue;
                        };
                        d += coef * (a - b);
                    }
                    if !d.is_zero() {
                        e.lin.push((k, d));
                    }
                }
                in_total.push(match (t.points[0], tw.points[0]) {
                    (Some(a), Some(b)) => a - b,
                    _ => Decimal::ZERO,
                });
                for (k, node) in nodes.iter().enumerate() {
                    if !rounding.applies(node) || !on_path(k as u32) {
                        continue;
                    }
                    if let (Some(a), Some(b)) = (t.points[k], tw.points[k]) {
                        if a != b {
                            rd.push((k as u32, a - b));
                        }
                    }
                }
            } else {
                in_total.push(Decimal::ZERO);
            }
            if let Some(ks) = count_of.get(&o.node) {
                let n = o.node as usize;
                let c = &card.criteria[n];
                for &k in ks {
                    let test = counts[k].test;
                    let before = pass(test, card.points[n], card.max[n], c.points.and(c.rank));
                    let after = pass(test, o.points, card.max[n], o.points.and(o.rank));
                    let d = i64::from(after == Some(true)) - i64::from(before == Some(true));
                    if d != 0 {
                        e.cnt.push((k, d));
                    }
                }
            }
            effects.push(e);
            rounded.push(rd);
        }
        let mut values = FxHashMap::default();
        for l in &leaves {
            if let LeafKind::Cmp(a, _, b) = &l.kind {
                for s in [a, b] {
                    if let Side::Value(n) = s {
                        values.insert(*n, card.criteria[*n as usize].value.map(|v| v.1));
                    }
                }
            }
        }
        let mut model = Model {
            lins,
            counts,
            leaves: Vec::new(),
            routes,
            effects,
            failed_gates,
            passed_gates,
            values,
            monotone: true,
            integral,
            in_total,
            rounded,
            all_helpers: vec![Vec::new(); alls as usize],
        };
        for leaf in leaves.iter_mut() {
            model.prepare(leaf, cands);
        }
        model.leaves = leaves;
        // Cache the helpers of every `and`'s parts (per channel: not gates, gates).
        let mut helpers = std::mem::take(&mut model.all_helpers);
        for r in &model.routes {
            if let Some(slot) = helpers.get_mut(r.top as usize) {
                *slot = r.conds.iter().map(|c| model.part_helpers(c)).collect();
            }
            for c in &r.conds {
                model.cache_helpers(c, &mut helpers);
            }
        }
        model.all_helpers = helpers;
        let no_not = model
            .routes
            .iter()
            .all(|r| r.conds.iter().all(|c| !has_not(c, &model.leaves)));
        model.monotone = no_not && model.leaves.iter().all(|l| l.monotone);
        Ok(model)
    }

    /// Fill in a leaf's need, monotonicity and the candidates touching it.
    fn prepare(&self, leaf: &mut Leaf, cands: &Candidates) {
        let mut touched = Vec::new();
        match &leaf.kind {
            LeafKind::NoGate(o) => {
                let gates: Vec<u32> = self
                    .failed_gates
                    .iter()
                    .filter(|(_, g)| o.is_none_or(|want| want == **g))
                    .map(|(n, _)| *n)
                    .collect();
                for g in &gates {
                    if let Some(&c) = cands.crit_of.get(g) {
                        touched.extend(cands.crits[c].opts.iter().copied());
                    }
                }
                let mut gates = gates;
                gates.sort_unstable();
                leaf.need = Need::Gates { gates };
            }
            LeafKind::Passed(g) => {
                if let Some(&c) = cands.crit_of.get(g) {
                    touched.extend(cands.crits[c].opts.iter().copied());
                }
                leaf.need = Need::Gates { gates: vec![*g] };
            }
            LeafKind::Cmp(l, op, r) => {
                let (m, op, k) = match (l, r) {
                    (Side::Const(a), Side::Const(b)) => {
                        // A comparison of two numbers never changes.
                        leaf.need = if holds(a, *op, b) {
                            Need::None
                        } else {
                            Need::Never
                        };
                        return;
                    }
                    (m, Side::Const(k)) => (m, *op, *k),
                    (Side::Const(k), m) => (m, flip(*op), *k),
                    _ => {
                        leaf.need = Need::None;
                        leaf.monotone = false;
                        return;
                    }
                };
                let up = matches!(op, Op::Ge | Op::Gt);
                let down = matches!(op, Op::Le | Op::Lt);
                match m {
                    Side::Undefined => leaf.need = Need::Never,
                    Side::Other => {
                        leaf.need = Need::None;
                        leaf.monotone = false;
                    }
                    Side::Const(_) => {}
                    Side::Lin(j) => {
                        let mut per: FxHashMap<usize, Vec<(Decimal, Decimal)>> =
                            FxHashMap::default();
                        for (o, e) in self.effects.iter().enumerate() {
                            let Some(&(_, d)) = e.lin.iter().find(|x| x.0 == *j) else {
                                continue;
                            };
                            touched.push(o);
                            let g = if up { d } else { -d };
                            if g > Decimal::ZERO {
                                per.entry(cands.opts[o].crit)
                                    .or_default()
                                    .push((cands.opts[o].cost, g));
                            } else if up || down {
                                leaf.monotone = false;
                            }
                        }
                        if !(up || down) {
                            leaf.monotone = touched.is_empty();
                            leaf.need = Need::None;
                        } else {
                            let mut incs: Vec<Inc> = Vec::new();
                            let mut crits: Vec<usize> = per.keys().copied().collect();
                            crits.sort_unstable();
                            for c in crits {
                                incs.extend(hull(c, per.remove(&c).unwrap_or_default()));
                            }
                            incs.sort_by(|a, b| {
                                (b.gain * a.cost)
                                    .cmp(&(a.gain * b.cost))
                                    .then(a.crit.cmp(&b.crit))
                            });
                            leaf.need = Need::Lin {
                                lin: *j,
                                up,
                                target: k.to_decimal(),
                                incs,
                            };
                        }
                    }
                    Side::Count(j) => {
                        let cnt = &self.counts[*j];
                        let mut best: FxHashMap<usize, Decimal> = FxHashMap::default();
                        for (o, e) in self.effects.iter().enumerate() {
                            let Some(&(_, d)) = e.cnt.iter().find(|x| x.0 == *j) else {
                                continue;
                            };
                            touched.push(o);
                            let helps = (up && d > 0) || (down && d < 0);
                            if helps {
                                let c = cands.opts[o].crit;
                                let cost = cands.opts[o].cost;
                                best.entry(c)
                                    .and_modify(|x| *x = (*x).min(cost))
                                    .or_insert(cost);
                            } else if up || down {
                                leaf.monotone = false;
                            }
                        }
                        let ok = |h: i64| {
                            let q = if cnt.share {
                                Quantity::ratio_of_counts(h.max(0) as u64, cnt.of.max(0) as u64)
                            } else {
                                Some(Quantity::Decimal(Decimal::from(h)))
                            };
                            q.is_some_and(|q| holds(&q, op, &k))
                        };
                        leaf.need = if !(up || down) {
                            leaf.monotone = touched.is_empty();
                            Need::None
                        } else {
                            let range: Vec<i64> = (0..=cnt.of).collect();
                            let need = if up {
                                range.iter().copied().find(|&h| ok(h))
                            } else {
                                range.iter().rev().copied().find(|&h| ok(h))
                            };
                            match need {
                                None => Need::Never,
                                Some(need) => {
                                    let mut classes: Vec<(usize, Decimal)> =
                                        best.into_iter().collect();
                                    classes.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
                                    Need::Count {
                                        cnt: *j,
                                        up,
                                        need,
                                        classes,
                                    }
                                }
                            }
                        };
                    }
                    Side::Value(n) => {
                        let now = self.values.get(n).copied().flatten();
                        let holds_now = now.is_some_and(|q| holds(&q, op, &k));
                        let mut opts = Vec::new();
                        if let Some(&c) = cands.crit_of.get(n) {
                            for &o in &cands.crits[c].opts {
                                touched.push(o);
                                let v = cands.opts[o].value;
                                let ok = v.is_some_and(|q| holds(&q, op, &k));
                                if ok {
                                    opts.push((c, cands.opts[o].cost));
                                } else if holds_now {
                                    leaf.monotone = false;
                                }
                            }
                        }
                        opts.sort_by_key(|a| a.1);
                        leaf.need = Need::Value { opts };
                    }
                }
            }
        }
        touched.sort_unstable();
        touched.dedup();
        leaf.helped_by = self.helpers(leaf, cands);
        leaf.gains = self.gains_of(leaf, cands, &touched);
        leaf.touched_by = touched;
    }

    /// What each helpful candidate covers of a leaf.
    fn gains_of(
        &self,
        leaf: &Leaf,
        cands: &Candidates,
        touched: &[usize],
    ) -> Vec<(usize, Decimal)> {
        let mut out = Vec::new();
        match &leaf.need {
            Need::Lin { lin, up, .. } => {
                for &o in touched {
                    if let Some(&(_, d)) = self.effects[o].lin.iter().find(|x| x.0 == *lin) {
                        let g = if *up { d } else { -d };
                        if g > Decimal::ZERO {
                            out.push((o, g));
                        }
                    }
                }
            }
            Need::Count { cnt, up, .. } => {
                for &o in touched {
                    if let Some(&(_, d)) = self.effects[o].cnt.iter().find(|x| x.0 == *cnt) {
                        if (*up && d > 0) || (!*up && d < 0) {
                            out.push((o, Decimal::ONE));
                        }
                    }
                }
            }
            Need::Value { opts } => {
                let ok: Vec<usize> = opts.iter().map(|x| x.0).collect();
                for &o in touched {
                    if !ok.contains(&cands.opts[o].crit) {
                        continue;
                    }
                    let mut s = State::new(self, cands.crits.len());
                    s.lin = vec![Decimal::ZERO; self.lins.len()];
                    s.hits = vec![0; self.counts.len()];
                    s.chosen[cands.opts[o].crit] = Some(o);
                    if let LeafKind::Cmp(a, op, b) = &leaf.kind {
                        let iv = |x: &Side| self.interval(cands, &s, x).ok().flatten();
                        if let (Some((a1, _)), Some((b1, _))) = (iv(a), iv(b)) {
                            if holds(&a1, *op, &b1) {
                                out.push((o, Decimal::ONE));
                            }
                        }
                    }
                }
            }
            Need::Gates { gates } => {
                for &o in touched {
                    if gates.contains(&cands.opts[o].node) {
                        out.push((o, Decimal::ONE));
                    }
                }
            }
            Need::None | Need::Never => {}
        }
        out
    }

    /// What a leaf still lacks under the model, in its own unit, for the dual bound
    /// (`None`: not a covering condition).
    pub(crate) fn deficit(&self, cands: &Candidates, s: &State, j: usize) -> Option<Decimal> {
        let tri = self.leaf_tri(cands, s, j);
        let lacks = tri == Tri::False;
        Some(match &self.leaves[j].need {
            Need::Lin {
                lin, up, target, ..
            } => {
                let l = &self.lins[*lin];
                let t = l.base + s.lin[*lin];
                if *up {
                    *target - (t + l.err)
                } else {
                    (t - l.err) - *target
                }
            }
            Need::Count { cnt, up, need, .. } => {
                let h = self.counts[*cnt].hits + s.hits[*cnt];
                Decimal::from(if *up { need - h } else { h - need })
            }
            Need::Value { .. } => Decimal::from(u8::from(lacks)),
            Need::Gates { gates } => match &self.leaves[j].kind {
                LeafKind::Passed(_) => Decimal::from(u8::from(lacks)),
                _ => Decimal::from(
                    gates
                        .iter()
                        .filter(|&&g| self.gate_failed(cands, s, g))
                        .count() as u64,
                ),
            },
            Need::None | Need::Never => return None,
        })
    }

    /// Leaves every way of satisfying a route needs (under `and` only).
    pub(crate) fn mandatory(&self, r: &Route) -> Vec<usize> {
        fn walk(c: &MCond, out: &mut Vec<usize>) {
            match c {
                MCond::Leaf(j) => out.push(*j),
                MCond::All(p, _) => p.iter().for_each(|x| walk(x, out)),
                MCond::Any(p) if p.len() == 1 => walk(&p[0], out),
                _ => {}
            }
        }
        let mut out = Vec::new();
        for c in &r.conds {
            walk(c, &mut out);
        }
        out.retain(|&j| !matches!(self.leaves[j].need, Need::None | Need::Never));
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The Lagrangian (linear-programming dual) bound of covering every leaf at once: for any
    /// multipliers `lambda >= 0`, Σ λ·lack − Σ per criterion max(0, best λ·gain − cost) is at
    /// most the cost of any set of changes covering every lack (weak duality), so it is a
    /// valid lower bound whatever the multipliers.
    pub(crate) fn dual_bound(
        &self,
        cands: &Candidates,
        s: &State,
        decided: &[bool],
        leaves: &[usize],
        lambda: &[Decimal],
    ) -> Decimal {
        let mut total = Decimal::ZERO;
        let mut acc: FxHashMap<usize, Decimal> = FxHashMap::default();
        for (k, &j) in leaves.iter().enumerate() {
            let l = lambda.get(k).copied().unwrap_or_default();
            if l <= Decimal::ZERO {
                continue;
            }
            let Some(d) = self.deficit(cands, s, j) else {
                continue;
            };
            if d <= Decimal::ZERO {
                continue;
            }
            total += l * d;
            for &(o, g) in &self.leaves[j].gains {
                if decided[cands.opts[o].crit] {
                    continue;
                }
                *acc.entry(o).or_default() += l * g;
            }
        }
        let mut best: FxHashMap<usize, Decimal> = FxHashMap::default();
        for (o, a) in acc {
            let r = a - cands.opts[o].cost;
            if r > Decimal::ZERO {
                let e = best.entry(cands.opts[o].crit).or_default();
                *e = (*e).max(r);
            }
        }
        total - best.values().copied().sum::<Decimal>()
    }

    /// Criteria whose candidates help a leaf.
    fn helpers(&self, leaf: &Leaf, cands: &Candidates) -> Vec<usize> {
        let mut out: Vec<usize> = match &leaf.need {
            Need::Lin { incs, .. } => incs.iter().map(|i| i.crit).collect(),
            Need::Count { classes, .. } => classes.iter().map(|c| c.0).collect(),
            Need::Value { opts } => opts.iter().map(|c| c.0).collect(),
            Need::Gates { gates } => gates
                .iter()
                .filter_map(|g| cands.crit_of.get(g).copied())
                .collect(),
            Need::None | Need::Never => Vec::new(),
        };
        out.sort_unstable();
        out.dedup();
        out
    }

    fn gate_failed(&self, cands: &Candidates, s: &State, g: u32) -> bool {
        self.failed_gates.contains_key(&g) && !self.gate_cleared(cands, s, g)
    }

    fn gate_cleared(&self, cands: &Candidates, s: &State, g: u32) -> bool {
        cands
            .crit_of
            .get(&g)
            .is_some_and(|&c| s.chosen[c].is_some())
    }

    fn interval(
        &self,
        cands: &Candidates,
        s: &State,
        side: &Side,
    ) -> Result<Option<(Quantity, Quantity)>, ()> {
        Ok(match side {
            Side::Const(q) => Some((*q, *q)),
            Side::Undefined => None,
            Side::Other => return Err(()),
            Side::Lin(k) => {
                let l = &self.lins[*k];
                let t = l.base + s.lin[*k];
                Some((Quantity::Decimal(t - l.err), Quantity::Decimal(t + l.err)))
            }
            Side::Count(k) => {
                let c = &self.counts[*k];
                let h = c.hits + s.hits[*k];
                let q = if c.share {
                    Quantity::ratio_of_counts(h.max(0) as u64, c.of.max(0) as u64)
                } else {
                    Some(Quantity::Decimal(Decimal::from(h)))
                };
                q.map(|q| (q, q))
            }
            Side::Value(n) => {
                let v = match cands.crit_of.get(n).and_then(|&c| s.chosen[c]) {
                    Some(o) => cands.opts[o].value,
                    None => self.values.get(n).copied().flatten(),
                };
                v.map(|q| (q, q))
            }
        })
    }

    /// Whether a leaf holds under the model.
    pub(crate) fn leaf_tri(&self, cands: &Candidates, s: &State, j: usize) -> Tri {
        match &self.leaves[j].kind {
            LeafKind::NoGate(o) => {
                let failed = self.failed_gates.iter().any(|(g, out)| {
                    o.is_none_or(|want| want == *out) && self.gate_failed(cands, s, *g)
                });
                if failed {
                    Tri::False
                } else {
                    Tri::True
                }
            }
            LeafKind::Passed(g) => {
                if self.passed_gates.contains(g) || self.gate_cleared(cands, s, *g) {
                    Tri::True
                } else {
                    Tri::False
                }
            }
            LeafKind::Cmp(l, op, r) => {
                let (Ok(a), Ok(b)) = (self.interval(cands, s, l), self.interval(cands, s, r))
                else {
                    return Tri::Unknown;
                };
                let (Some((a1, a2)), Some((b1, b2))) = (a, b) else {
                    return Tri::False;
                };
                let c = |x: &Quantity, y: &Quantity| x.cmp_exact(y);
                let (possibly, certainly) = match op {
                    Op::Ge => (c(&a2, &b1).is_ge(), c(&a1, &b2).is_ge()),
                    Op::Gt => (c(&a2, &b1).is_gt(), c(&a1, &b2).is_gt()),
                    Op::Le => (c(&a1, &b2).is_le(), c(&a2, &b1).is_le()),
                    Op::Lt => (c(&a1, &b2).is_lt(), c(&a2, &b1).is_lt()),
                    Op::Eq => {
                        let point = c(&a1, &a2).is_eq() && c(&b1, &b2).is_eq();
                        (
                            c(&a1, &b2).is_le() && c(&b1, &a2).is_le(),
                            point && c(&a1, &b1).is_eq(),
                        )
                    }
                    Op::Ne => {
                        let same =
                            c(&a1, &a2).is_eq() && c(&b1, &b2).is_eq() && c(&a1, &b1).is_eq();
                        (!same, c(&a2, &b1).is_lt() || c(&b2, &a1).is_lt())
                    }
                };
                if certainly {
                    Tri::True
                } else if possibly {
                    Tri::Unknown
                } else {
                    Tri::False
                }
            }
        }
    }

    /// Whether a condition tree holds under the model.
    pub(crate) fn tri(&self, cands: &Candidates, s: &State, c: &MCond) -> Tri {
        match c {
            MCond::Const(true) => Tri::True,
            MCond::Const(false) => Tri::False,
            MCond::Leaf(j) => self.leaf_tri(cands, s, *j),
            MCond::Not(x) => self.tri(cands, s, x).not(),
            MCond::All(p, _) => {
                let mut out = Tri::True;
                for x in p {
                    match self.tri(cands, s, x) {
                        Tri::False => return Tri::False,
                        Tri::Unknown => out = Tri::Unknown,
                        Tri::True => {}
                    }
                }
                out
            }
            MCond::Any(p) => {
                let mut out = Tri::False;
                for x in p {
                    match self.tri(cands, s, x) {
                        Tri::True => return Tri::True,
                        Tri::Unknown => out = Tri::Unknown,
                        Tri::False => {}
                    }
                }
                out
            }
        }
    }

    /// Whether a route may be reached in this state (its gates cleared and no condition
    /// certainly failing).
    pub(crate) fn route_tri(&self, cands: &Candidates, s: &State, r: &Route) -> Tri {
        if !r.blocked.is_empty() || r.must_clear.iter().any(|&g| self.gate_failed(cands, s, g)) {
            return Tri::False;
        }
        let mut out = Tri::True;
        for c in &r.conds {
            match self.tri(cands, s, c) {
                Tri::False => return Tri::False,
                Tri::Unknown => out = Tri::Unknown,
                Tri::True => {}
            }
        }
        out
    }

    /// Whether the target may be reached in this state.
    pub(crate) fn goal_possible(&self, cands: &Candidates, s: &State) -> bool {
        self.routes
            .iter()
            .any(|r| self.route_tri(cands, s, r) != Tri::False)
    }

    fn pass_cost(&self, cands: &Candidates, decided: &[bool], g: u32) -> Option<Decimal> {
        let &c = cands.crit_of.get(&g)?;
        if decided[c] {
            return None;
        }
        cands.crits[c].opts.first().map(|&o| cands.opts[o].cost)
    }

    /// Least cost still needed for a leaf to hold (`None`: it cannot), using only criteria
    /// not yet decided.
    pub(crate) fn leaf_bound(
        &self,
        cands: &Candidates,
        s: &State,
        decided: &[bool],
        j: usize,
    ) -> Option<Decimal> {
        if self.leaf_tri(cands, s, j) != Tri::False {
            return Some(Decimal::ZERO);
        }
        match &self.leaves[j].need {
            Need::None => Some(Decimal::ZERO),
            Need::Never => None,
            Need::Lin {
                lin,
                up,
                target,
                incs,
            } => {
                let l = &self.lins[*lin];
                let t = l.base + s.lin[*lin];
                let mut rest = if *up {
                    *target - (t + l.err)
                } else {
                    (t - l.err) - *target
                };
                let mut cost = Decimal::ZERO;
                for inc in incs {
                    if rest <= Decimal::ZERO {
                        break;
                    }
                    if decided[inc.crit] {
                        continue;
                    }
                    if inc.gain >= rest {
                        cost += inc.cost * rest / inc.gain;
                        rest = Decimal::ZERO;
                    } else {
                        cost += inc.cost;
                        rest -= inc.gain;
                    }
                }
                (rest <= Decimal::ZERO).then_some(cost)
            }
            Need::Count {
                cnt,
                up,
                need,
                classes,
            } => {
                let h = self.counts[*cnt].hits + s.hits[*cnt];
                let mut k = if *up { need - h } else { h - need };
                let mut cost = Decimal::ZERO;
                for (c, cc) in classes {
                    if k <= 0 {
                        break;
                    }
                    if decided[*c] {
                        continue;
                    }
                    cost += *cc;
                    k -= 1;
                }
                (k <= 0).then_some(cost)
            }
            Need::Value { opts } => opts.iter().filter(|(c, _)| !decided[*c]).map(|x| x.1).min(),
            Need::Gates { gates } => {
                let mut cost = Decimal::ZERO;
                for &g in gates {
                    let still = match &self.leaves[j].kind {
                        LeafKind::Passed(_) => true,
                        _ => self.gate_failed(cands, s, g),
                    };
                    if still {
                        cost += self.pass_cost(cands, decided, g)?;
                    }
                }
                Some(cost)
            }
        }
    }

    fn tree_bound(
        &self,
        cands: &Candidates,
        s: &State,
        decided: &[bool],
        c: &MCond,
        gate: bool,
    ) -> Option<Decimal> {
        match c {
            MCond::Const(true) => Some(Decimal::ZERO),
            MCond::Const(false) => None,
            MCond::Not(_) => Some(Decimal::ZERO),
            MCond::Leaf(j) => {
                if self.leaves[*j].gate != gate {
                    Some(Decimal::ZERO)
                } else {
                    self.leaf_bound(cands, s, decided, *j)
                }
            }
            MCond::All(p, id) => self.all_bound(cands, s, decided, p, *id, gate),
            MCond::Any(p) => p
                .iter()
                .filter_map(|x| self.tree_bound(cands, s, decided, x, gate))
                .min(),
        }
    }

    /// The bound of parts that must all hold: the largest part, or the sum over parts chosen
    /// greedily (largest first) whose helping criteria are disjoint (they need disjoint
    /// changes, so their costs add up), whichever is larger.
    fn all_bound(
        &self,
        cands: &Candidates,
        s: &State,
        decided: &[bool],
        p: &[MCond],
        id: u32,
        gate: bool,
    ) -> Option<Decimal> {
        let mut parts: Vec<(Decimal, usize)> = Vec::with_capacity(p.len());
        for (k, x) in p.iter().enumerate() {
            let b = self.tree_bound(cands, s, decided, x, gate)?;
            if b > Decimal::ZERO {
                parts.push((b, k));
            }
        }
        let largest = parts.iter().map(|x| x.0).max().unwrap_or_default();
        if parts.len() < 2 {
            return Some(largest);
        }
        parts.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let cached = self
            .all_helpers
            .get(id as usize)
            .filter(|h| h.len() == p.len());
        let mut used: Vec<usize> = Vec::new();
        let mut sum = Decimal::ZERO;
        for (b, k) in parts {
            let computed;
            let h = match cached {
                Some(h) => &h[k][usize::from(gate)],
                None => {
                    computed = self.part_helpers(&p[k])[usize::from(gate)].clone();
                    &computed
                }
            };
            let Some(h) = h else { continue };
            if h.iter().any(|c| used.binary_search(c).is_ok()) {
                continue;
            }
            sum += b;
            used.extend(h.iter().copied());
            used.sort_unstable();
        }
        Some(largest.max(sum))
    }

    fn part_helpers(&self, c: &MCond) -> PartHelpers {
        [self.helpers_of(c, false), self.helpers_of(c, true)]
    }

    fn cache_helpers(&self, c: &MCond, out: &mut [Vec<PartHelpers>]) {
        match c {
            MCond::All(p, id) => {
                if let Some(slot) = out.get_mut(*id as usize) {
                    *slot = p.iter().map(|x| self.part_helpers(x)).collect();
                }
                p.iter().for_each(|x| self.cache_helpers(x, out));
            }
            MCond::Any(p) => p.iter().for_each(|x| self.cache_helpers(x, out)),
            MCond::Not(x) => self.cache_helpers(x, out),
            MCond::Leaf(_) | MCond::Const(_) => {}
        }
    }

    /// The criteria that can help a condition tree's leaves of one channel (gates or not),
    /// sorted; `None` when unknown (a leaf the model cannot follow).
    fn helpers_of(&self, c: &MCond, gate: bool) -> Option<Vec<usize>> {
        let mut ls = Vec::new();
        Model::leaves_of(c, &mut ls);
        let mut out = Vec::new();
        for j in ls {
            let l = &self.leaves[j];
            if l.gate != gate {
                continue;
            }
            if matches!(l.need, Need::None) {
                return None;
            }
            out.extend(l.helped_by.iter().copied());
        }
        out.sort_unstable();
        out.dedup();
        Some(out)
    }

    /// Least cost still needed for a route (`None`: it cannot be reached).
    pub(crate) fn route_bound(
        &self,
        cands: &Candidates,
        s: &State,
        decided: &[bool],
        r: &Route,
    ) -> Option<Decimal> {
        if !r.blocked.is_empty() {
            return None;
        }
        let mut gates = Decimal::ZERO;
        for &g in &r.must_clear {
            if self.gate_failed(cands, s, g) {
                gates += self.pass_cost(cands, decided, g)?;
            }
        }
        let g = self.all_bound(cands, s, decided, &r.conds, r.top, true)?;
        let n = self.all_bound(cands, s, decided, &r.conds, r.top, false)?;
        Some(self.round_up(gates.max(g) + n))
    }

    /// Least cost still needed to reach the target (`None`: it cannot be reached).
    pub(crate) fn lower_bound(
        &self,
        cands: &Candidates,
        s: &State,
        decided: &[bool],
    ) -> Option<Decimal> {
        self.routes
            .iter()
            .filter_map(|r| self.route_bound(cands, s, decided, r))
            .min()
    }

    /// Round a bound up when costs are whole (allowing for division noise).
    pub(crate) fn round_up(&self, d: Decimal) -> Decimal {
        if self.integral {
            (d - Decimal::new(1, 9)).ceil().max(Decimal::ZERO)
        } else {
            d
        }
    }

    /// Every leaf of a condition tree, in order.
    pub(crate) fn leaves_of(c: &MCond, out: &mut Vec<usize>) {
        match c {
            MCond::Leaf(j) => out.push(*j),
            MCond::All(p, _) | MCond::Any(p) => p.iter().for_each(|x| Model::leaves_of(x, out)),
            MCond::Not(x) => Model::leaves_of(x, out),
            MCond::Const(_) => {}
        }
    }
}

fn has_not(c: &MCond, leaves: &[Leaf]) -> bool {
    match c {
        MCond::Not(x) => {
            let mut ls = Vec::new();
            Model::leaves_of(x, &mut ls);
            ls.iter()
                .any(|&j| !leaves[j].touched_by.is_empty() || matches!(leaves[j].need, Need::None))
        }
        MCond::All(p, _) | MCond::Any(p) => p.iter().any(|x| has_not(x, leaves)),
        _ => false,
    }
}
