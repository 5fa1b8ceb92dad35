//! Finding the cheapest set of changes that reaches the target grade.
//!
//! 1. **Greedy with verification and repair**, per way of reaching the target ([`Route`]):
//!    clear the gates that must be cleared, then repeatedly take the change that covers the
//!    most of what the failing conditions still lack per unit of cost (under the model), until
//!    every condition certainly holds; re-score; if rounding or a condition the model cannot
//!    follow still fails, *repair* by taking the change that re-scoring shows helps most; then
//!    drop every change (or lower it to a cheaper level) whose removal still reaches the
//!    target, re-scoring each time.
//! 2. **Branch and bound** from that plan: criteria are decided one at a time (each candidate
//!    level or value, or no change), a branch is cut when its cost plus the model's lower
//!    bound cannot beat the best plan, and a branch is a plan only when re-scoring the changed
//!    evidence reaches the target. When the search ends within its budget, the plan is proven
//!    minimal (or the target proven out of reach); otherwise the greedy plan stands, with the
//!    lower bound the search had reached.
//!
//! Plans compare by cost, then by the number of levels raised (a smaller step first).

use super::model::{MCond, Model, Need, Route, State, Tri};
use super::options::Candidates;
use super::state::{apply, Base};
use crate::score::score_sheet;
use crate::Rulebook;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

/// The best plan found.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub picks: Vec<usize>,
    pub cost: Decimal,
    pub levels: u32,
}

/// The result of a search.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub best: Option<Found>,
    /// The search finished: `best` is minimal, or no plan exists.
    pub complete: bool,
    /// No plan costs less than this (`None`: no plan exists, proven by the bound).
    pub lower_bound: Option<Decimal>,
    pub nodes: u64,
    pub rescored: u64,
    /// How the plan was found: `exact` or `greedy`.
    pub method: &'static str,
}

pub(crate) struct Search<'a> {
    rb: &'a Rulebook,
    base: &'a Base,
    cands: &'a Candidates,
    model: &'a Model,
    target: usize,
    cache: FxHashMap<Vec<usize>, bool>,
    pub rescored: u64,
    nodes: u64,
    budget: u64,
    aborted: bool,
    best: Option<Found>,
    order: Vec<usize>,
    opt_order: Vec<Vec<usize>>,
    decided: Vec<bool>,
    /// Per route: its mandatory leaves and Lagrange multipliers for the dual bound.
    duals: Vec<Option<(Vec<usize>, Vec<Decimal>)>>,
    /// Per criterion: the previous interchangeable criterion in the order, if any.
    twin_of: Vec<Option<usize>>,
    /// Per criterion: its decision (0: no change, k: its k-th candidate).
    choice: Vec<usize>,
}

impl<'a> Search<'a> {
    pub(crate) fn new(
        rb: &'a Rulebook,
        base: &'a Base,
        cands: &'a Candidates,
        model: &'a Model,
        target: usize,
        budget: u64,
    ) -> Search<'a> {
        Search {
            rb,
            base,
            cands,
            model,
            target,
            cache: FxHashMap::default(),
            rescored: 0,
            nodes: 0,
            budget,
            aborted: false,
            best: None,
            order: Vec::new(),
            opt_order: Vec::new(),
            decided: vec![false; cands.crits.len()],
            duals: Vec::new(),
            twin_of: Vec::new(),
            choice: vec![0; cands.crits.len()],
        }
    }

    /// Whether re-scoring the evidence with these candidates reaches the target.
    pub(crate) fn verify(&mut self, picks: &[usize]) -> bool {
        let mut key = picks.to_vec();
        key.sort_unstable();
        if let Some(&r) = self.cache.get(&key) {
            return r;
        }
        let ok = self
            .rescore(&key)
            .is_some_and(|card| card.decision.grade.is_some_and(|g| g <= self.target));
        self.cache.insert(key, ok);
        ok
    }

    fn rescore(&mut self, picks: &[usize]) -> Option<crate::Scorecard> {
        self.rescored += 1;
        let mut s = self.base.sheet.clone();
        for &o in picks {
            let opt = &self.cands.opts[o];
            apply(&mut s, opt.node, opt.answer);
        }
        score_sheet(self.rb, &s).ok()
    }

    /// Criteria worth deciding: those whose changes can help a condition that does not
    /// certainly hold (every criterion touching a condition when the model is not monotone).
    pub(crate) fn useful(&self) -> Vec<bool> {
        let m = self.model;
        let s0 = State::new(m, self.cands.crits.len());
        let mut useful = vec![false; self.cands.crits.len()];
        let any_unknown = m
            .leaves
            .iter()
            .any(|l| matches!(l.need, Need::None) && !l.monotone);
        if any_unknown {
            return vec![true; self.cands.crits.len()];
        }
        for r in m.routes.iter().filter(|r| r.blocked.is_empty()) {
            for g in &r.must_clear {
                if let Some(&c) = self.cands.crit_of.get(g) {
                    useful[c] = true;
                }
            }
            let mut leaves = Vec::new();
            for c in &r.conds {
                Model::leaves_of(c, &mut leaves);
            }
            for j in leaves {
                let l = &m.leaves[j];
                if m.monotone {
                    if m.leaf_tri(self.cands, &s0, j) != Tri::True {
                        for &c in &l.helped_by {
                            useful[c] = true;
                        }
                    }
                } else {
                    for &o in &l.touched_by {
                        useful[self.cands.opts[o].crit] = true;
                    }
                }
            }
        }
        useful
    }

    /// Leaves a greedy pass aims at for a route: every part of an `and`, the cheapest
    /// alternative of an `or`.
    fn targets(&self, r: &Route) -> Vec<usize> {
        let s0 = State::new(self.model, self.cands.crits.len());
        let decided = vec![false; self.cands.crits.len()];
        let mut out = Vec::new();
        for c in &r.conds {
            self.pick_targets(c, &s0, &decided, &mut out);
        }
        out
    }

    fn pick_targets(&self, c: &MCond, s0: &State, decided: &[bool], out: &mut Vec<usize>) {
        match c {
            MCond::Leaf(j) => out.push(*j),
            MCond::All(p, _) => p
                .iter()
                .for_each(|x| self.pick_targets(x, s0, decided, out)),
            MCond::Any(p) => {
                if p.iter()
                    .any(|x| self.model.tri(self.cands, s0, x) == Tri::True)
                {
                    return;
                }
                let best = p.iter().min_by_key(|x| {
                    let r = Route {
                        grade: 0,
                        conds: vec![(*x).clone()],
                        must_clear: Vec::new(),
                        blocked: Vec::new(),
                        top: u32::MAX,
                    };
                    self.model
                        .route_bound(self.cands, s0, decided, &r)
                        .unwrap_or(Decimal::MAX)
                });
                if let Some(b) = best {
                    self.pick_targets(b, s0, decided, out);
                }
            }
            MCond::Not(_) | MCond::Const(_) => {}
        }
    }

    /// What a leaf still lacks to certainly hold, in its own unit (0: it holds).
    fn lack(&self, s: &State, j: usize) -> Decimal {
        let m = self.model;
        if m.leaf_tri(self.cands, s, j) == Tri::True {
            return Decimal::ZERO;
        }
        match &m.leaves[j].need {
            Need::Lin {
                lin, up, target, ..
            } => {
                let l = &m.lins[*lin];
                let t = l.base + s.lin[*lin];
                let d = if *up {
                    *target - (t - l.err)
                } else {
                    (t + l.err) - *target
                };
                d.max(Decimal::ZERO) + Decimal::new(1, 9)
            }
            Need::Count { cnt, up, need, .. } => {
                let h = m.counts[*cnt].hits + s.hits[*cnt];
                Decimal::from((if *up { need - h } else { h - need }).max(0))
            }
            Need::Value { .. } => Decimal::ONE,
            Need::Gates { gates } => Decimal::from(gates.len() as u64),
            Need::None | Need::Never => Decimal::ZERO,
        }
    }

    /// How much choosing `o` (instead of the criterion's current choice) covers of a leaf.
    fn gain(&self, s: &State, j: usize, o: usize) -> Decimal {
        let m = self.model;
        let opt = &self.cands.opts[o];
        let prev = s.chosen[opt.crit];
        match &m.leaves[j].need {
            Need::Lin { lin, up, .. } => {
                let d = |o: usize| {
                    m.effects[o]
                        .lin
                        .iter()
                        .find(|x| x.0 == *lin)
                        .map_or(Decimal::ZERO, |x| x.1)
                };
                let g = d(o) - prev.map_or(Decimal::ZERO, d);
                if *up {
                    g
                } else {
                    -g
                }
            }
            Need::Count { cnt, up, .. } => {
                let d = |o: usize| {
                    m.effects[o]
                        .cnt
                        .iter()
                        .find(|x| x.0 == *cnt)
                        .map_or(0, |x| x.1)
                };
                let g = d(o) - prev.map_or(0, d);
                Decimal::from(if *up { g } else { -g })
            }
            Need::Value { opts } => {
                let ok = opts.iter().any(|(c, _)| *c == opt.crit) && self.value_ok(j, o);
                Decimal::from(u8::from(ok && prev.is_none_or(|p| !self.value_ok(j, p))))
            }
            Need::Gates { gates } => {
                Decimal::from(u8::from(gates.contains(&opt.node) && prev.is_none()))
            }
            Need::None | Need::Never => Decimal::ZERO,
        }
    }

    fn value_ok(&self, j: usize, o: usize) -> bool {
        let mut s = State::new(self.model, self.cands.crits.len());
        s.apply(self.model, self.cands, o);
        self.model.leaf_tri(self.cands, &s, j) == Tri::True
    }

    /// Greedy score of choosing `o`: covered share of each target's lack per unit of cost.
    fn score(&self, s: &State, targets: &[(usize, Decimal)], o: usize) -> Decimal {
        let mut progress = Decimal::ZERO;
        for &(j, lack0) in targets {
            let lack = self.lack(s, j);
            if lack <= Decimal::ZERO || lack0 <= Decimal::ZERO {
                continue;
            }
            let g = self.gain(s, j, o);
            if g > Decimal::ZERO {
                progress += g.min(lack) / lack0;
            }
        }
        let opt = &self.cands.opts[o];
        let prev = s.chosen[opt.crit].map_or(Decimal::ZERO, |p| self.cands.opts[p].cost);
        let dc = opt.cost - prev;
        if progress <= Decimal::ZERO {
            Decimal::ZERO
        } else if dc <= Decimal::ZERO {
            progress * Decimal::from(1_000_000)
        } else {
            progress / dc
        }
    }

    /// A greedy plan for one route, verified, repaired and pruned.
    fn greedy(&mut self, r: &Route, useful: &[bool]) -> Option<Found> {
        let m = self.model;
        let cands = self.cands;
        let mut s = State::new(m, cands.crits.len());
        for g in &r.must_clear {
            let c = *cands.crit_of.get(g)?;
            s.apply(m, cands, *cands.crits[c].opts.first()?);
        }
        let targets: Vec<(usize, Decimal)> = {
            let s0 = State::new(m, cands.crits.len());
            self.targets(r)
                .into_iter()
                .map(|j| (j, self.lack(&s0, j)))
                .collect()
        };
        let limit = cands.opts.len() * 2 + 10;
        let mut repairs = 0;
        for _ in 0..limit {
            let certain = targets.iter().all(|&(j, _)| self.lack(&s, j).is_zero());
            let mut best: Option<(Decimal, usize)> = None;
            if !certain {
                for (c, crit) in cands.crits.iter().enumerate() {
                    if !useful[c] {
                        continue;
                    }
                    for &o in &crit.opts {
                        if s.chosen[c] == Some(o) {
                            continue;
                        }
                        let sc = self.score(&s, &targets, o);
                        if sc > Decimal::ZERO && best.is_none_or(|b| sc > b.0) {
                            best = Some((sc, o));
                        }
                    }
                }
            }
            match best {
                Some((_, o)) => s.apply(m, cands, o),
                None => {
                    if self.verify(&s.picks()) {
                        return Some(self.prune(s, useful));
                    }
                    repairs += 1;
                    if repairs > 25 || !self.repair(&mut s, r, useful) {
                        return None;
                    }
                }
            }
        }
        None
    }

    /// One repair step by re-scoring: the change that makes the most conditions of the route's
    /// grade hold (then the highest total). `false` when nothing helps.
    fn repair(&mut self, s: &mut State, r: &Route, useful: &[bool]) -> bool {
        let cands = self.cands;
        let target = self.target;
        let key = |card: &crate::Scorecard| {
            let g = &card.decision.grades[r.grade];
            (
                card.decision.grade.is_some_and(|x| x <= target),
                g.conditions.iter().filter(|t| t.held).count(),
                card.points[0].unwrap_or_default(),
            )
        };
        let Some(now) = self.rescore(&s.picks()).map(|c| key(&c)) else {
            return false;
        };
        let mut best: Option<((bool, usize, Decimal), usize)> = None;
        for (c, crit) in cands.crits.iter().enumerate() {
            if !useful[c] {
                continue;
            }
            for &o in &crit.opts {
                if s.chosen[c] == Some(o) {
                    continue;
                }
                let mut picks: Vec<usize> = s
                    .chosen
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k != c)
                    .filter_map(|(_, x)| *x)
                    .collect();
                picks.push(o);
                let Some(card) = self.rescore(&picks) else {
                    continue;
                };
                let k = key(&card);
                if k > now && best.as_ref().is_none_or(|b| k > b.0) {
                    best = Some((k, o));
                }
            }
        }
        match best {
            Some((_, o)) => {
                s.apply(self.model, cands, o);
                true
            }
            None => false,
        }
    }

    /// Drop or lower changes while the target is still reached.
    fn prune(&mut self, mut s: State, useful: &[bool]) -> Found {
        let _ = useful;
        let (m, cands) = (self.model, self.cands);
        loop {
            let mut changed = false;
            let mut picks = s.picks();
            picks.sort_by(|a, b| {
                cands.opts[*b]
                    .cost
                    .cmp(&cands.opts[*a].cost)
                    .then(cands.opts[*b].levels.cmp(&cands.opts[*a].levels))
            });
            for o in picks {
                s.undo(m, cands, o);
                if self.verify(&s.picks()) {
                    changed = true;
                    continue;
                }
                let c = cands.opts[o].crit;
                let mut lowered = false;
                for &p in &cands.crits[c].opts {
                    let (a, b) = (&cands.opts[p], &cands.opts[o]);
                    if p == o || (a.cost, a.levels) >= (b.cost, b.levels) {
                        continue;
                    }
                    s.apply(m, cands, p);
                    if self.verify(&s.picks()) {
                        lowered = true;
                        break;
                    }
                    s.undo(m, cands, p);
                }
                if lowered {
                    changed = true;
                } else {
                    s.apply(m, cands, o);
                }
            }
            if !changed {
                break;
            }
        }
        Found {
            picks: s.picks(),
            cost: s.cost,
            levels: s.levels,
        }
    }

    /// The lower bound of a state: per route the larger of the per-condition bound and the
    /// dual bound, then the cheapest route.
    fn bound(&self, s: &State, dual: bool) -> Option<Decimal> {
        let m = self.model;
        let mut best: Option<Decimal> = None;
        for (ri, r) in m.routes.iter().enumerate() {
            let Some(mut b) = m.route_bound(self.cands, s, &self.decided, r) else {
                continue;
            };
            if let (true, Some(Some((leaves, lambda)))) = (dual, self.duals.get(ri)) {
                let d = m.dual_bound(self.cands, s, &self.decided, leaves, lambda);
                b = b.max(m.round_up(d));
            }
            best = Some(best.map_or(b, |x: Decimal| x.min(b)));
        }
        best
    }

    /// Lagrange multipliers for a route's dual bound, by subgradient ascent at the root
    /// (floats only steer the search for good multipliers; the bound itself is computed
    /// exactly and is valid for any multipliers).
    fn optimise_dual(
        &self,
        r: &Route,
        upper: Option<Decimal>,
    ) -> Option<(Vec<usize>, Vec<Decimal>)> {
        use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
        let m = self.model;
        let cands = self.cands;
        let s0 = State::new(m, cands.crits.len());
        let leaves = m.mandatory(r);
        if leaves.len() < 2 {
            return None;
        }
        let f = |d: Decimal| d.to_f64().unwrap_or(0.0);
        let d: Vec<f64> = leaves
            .iter()
            .map(|&j| m.deficit(cands, &s0, j).map_or(0.0, |x| f(x).max(0.0)))
            .collect();
        let gains: Vec<Vec<(usize, f64)>> = leaves
            .iter()
            .map(|&j| {
                m.leaves[j]
                    .gains
                    .iter()
                    .filter(|(o, _)| !self.decided[cands.opts[*o].crit])
                    .map(|&(o, g)| (o, f(g)))
                    .collect()
            })
            .collect();
        let ub = upper
            .map(f)
            .unwrap_or_else(|| cands.opts.iter().map(|o| f(o.cost)).sum::<f64>());
        let mut lambda = vec![0.0f64; leaves.len()];
        let mut best = (f64::NEG_INFINITY, lambda.clone());
        let mut theta = 2.0;
        let mut stall = 0;
        for _ in 0..300 {
            let mut acc: FxHashMap<usize, f64> = FxHashMap::default();
            let mut total = 0.0;
            for (k, g) in gains.iter().enumerate() {
                if lambda[k] <= 0.0 || d[k] <= 0.0 {
                    continue;
                }
                total += lambda[k] * d[k];
                for &(o, x) in g {
                    *acc.entry(o).or_default() += lambda[k] * x;
                }
            }
            let mut pick: FxHashMap<usize, (f64, usize)> = FxHashMap::default();
            for (&o, &a) in &acc {
                let red = a - f(cands.opts[o].cost);
                if red > 0.0 {
                    let e = pick.entry(cands.opts[o].crit).or_insert((red, o));
                    if red > e.0 {
                        *e = (red, o);
                    }
                }
            }
            let lb = total - pick.values().map(|x| x.0).sum::<f64>();
            if lb > best.0 + 1e-9 {
                best = (lb, lambda.clone());
                stall = 0;
            } else {
                stall += 1;
                if stall > 15 {
                    theta /= 2.0;
                    stall = 0;
                }
            }
            let chosen: Vec<usize> = pick.values().map(|x| x.1).collect();
            let sub: Vec<f64> = gains
                .iter()
                .enumerate()
                .map(|(k, g)| {
                    d[k] - g
                        .iter()
                        .filter(|(o, _)| chosen.contains(o))
                        .map(|x| x.1)
                        .sum::<f64>()
                })
                .collect();
            let norm: f64 = sub
                .iter()
                .enumerate()
                .filter(|(k, x)| lambda[*k] > 0.0 || **x > 0.0)
                .map(|(_, x)| x * x)
                .sum();
            if norm < 1e-12 || theta < 1e-6 {
                break;
            }
            let step = theta * (ub - lb).max(1e-3) / norm;
            for k in 0..lambda.len() {
                lambda[k] = (lambda[k] + step * sub[k]).max(0.0);
            }
        }
        let lam: Vec<Decimal> = best
            .1
            .iter()
            .map(|&x| {
                Decimal::from_f64(x.clamp(0.0, 1e12))
                    .unwrap_or_default()
                    .round_dp(10)
            })
            .collect();
        Some((leaves, lam))
    }

    /// Group interchangeable criteria: candidates with the same costs, levels and effects on
    /// every modelled measure and every rounded node, and not named by a value or gate
    /// condition. Members are placed next to each other in the order.
    fn symmetry(&mut self, useful: &[bool]) {
        let (m, cands) = (self.model, self.cands);
        let n = cands.crits.len();
        self.twin_of = vec![None; n];
        if m.leaves
            .iter()
            .any(|l| matches!(l.need, Need::None) && !l.monotone)
        {
            return;
        }
        let mut named = vec![false; n];
        for l in &m.leaves {
            if matches!(l.need, Need::Value { .. } | Need::Gates { .. }) {
                for &o in &l.touched_by {
                    named[cands.opts[o].crit] = true;
                }
            }
        }
        let key = |c: usize| -> String {
            let mut k = String::new();
            for &o in &cands.crits[c].opts {
                let e = &m.effects[o];
                let mut lin = e.lin.clone();
                lin.sort();
                let mut cnt = e.cnt.clone();
                cnt.sort();
                let mut rd = m.rounded[o].clone();
                rd.sort();
                k.push_str(&format!(
                    "{}|{}|{lin:?}|{cnt:?}|{rd:?};",
                    cands.opts[o].cost.normalize(),
                    cands.opts[o].levels
                ));
            }
            k
        };
        let mut groups: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for &c in &self.order {
            if useful[c] && !named[c] {
                groups.entry(key(c)).or_default().push(c);
            }
        }
        // Keep each group together, at its first member's place.
        let mut placed = vec![false; n];
        let mut order = Vec::with_capacity(self.order.len());
        for &c in &self.order.clone() {
            if placed[c] {
                continue;
            }
            let members = if useful[c] && !named[c] {
                groups.get(&key(c)).cloned().unwrap_or_else(|| vec![c])
            } else {
                vec![c]
            };
            let mut prev = None;
            for &x in &members {
                placed[x] = true;
                order.push(x);
                self.twin_of[x] = prev;
                prev = Some(x);
            }
        }
        self.order = order;
        // Interchangeable criteria must list their candidates in the same order.
        for c in 0..n {
            if self.twin_of[c].is_some() {
                self.opt_order[c] = cands.crits[c].opts.clone();
            }
        }
        for c in 0..n {
            if let Some(p) = self.twin_of[c] {
                self.opt_order[p] = cands.crits[p].opts.clone();
            }
        }
    }

    fn better(a: &Found, b: &Found) -> bool {
        (a.cost, a.levels) < (b.cost, b.levels)
    }

    /// Run the greedy passes and then the exact search.
    pub(crate) fn run(&mut self) -> Outcome {
        let m = self.model;
        let cands = self.cands;
        let n = cands.crits.len();
        let s0 = State::new(m, n);
        let useful = self.useful();
        let root_decided: Vec<bool> = useful.iter().map(|u| !u).collect();
        let root_lb = m.lower_bound(cands, &s0, &root_decided);
        if root_lb.is_none() {
            return Outcome {
                best: None,
                complete: true,
                lower_bound: None,
                nodes: 0,
                rescored: self.rescored,
                method: "bound",
            };
        }
        // Greedy, per route that may be reached.
        let routes: Vec<Route> = m
            .routes
            .iter()
            .filter(|r| m.route_bound(cands, &s0, &root_decided, r).is_some())
            .cloned()
            .collect();
        for r in &routes {
            if let Some(f) = self.greedy(r, &useful) {
                if self.best.as_ref().is_none_or(|b| Search::better(&f, b)) {
                    self.best = Some(f);
                }
            }
        }
        let greedy_best = self.best.clone();
        // Branch and bound over the useful criteria, most helpful first.
        let targets: Vec<(usize, Decimal)> = routes
            .iter()
            .flat_map(|r| self.targets(r))
            .map(|j| (j, self.lack(&s0, j)))
            .collect();
        let mut scored: Vec<(Decimal, usize)> = (0..n)
            .filter(|&c| useful[c])
            .map(|c| {
                let best = cands.crits[c]
                    .opts
                    .iter()
                    .map(|&o| self.score(&s0, &targets, o))
                    .max()
                    .unwrap_or_default();
                (best, c)
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        self.order = scored.iter().map(|x| x.1).collect();
        self.opt_order = (0..n)
            .map(|c| {
                let mut os: Vec<(Decimal, usize)> = cands.crits[c]
                    .opts
                    .iter()
                    .map(|&o| (self.score(&s0, &targets, o), o))
                    .collect();
                os.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
                os.into_iter().map(|x| x.1).collect()
            })
            .collect();
        self.decided = root_decided.clone();
        let upper = self.best.as_ref().map(|b| b.cost);
        self.duals = m
            .routes
            .iter()
            .map(|r| self.optimise_dual(r, upper))
            .collect();
        let root_lb = self.bound(&s0, true).or(root_lb);
        self.symmetry(&useful);
        self.symmetry(&useful);
        if std::env::var("SANJIA_GAP_DEBUG").is_ok() {
            for (ri, r) in m.routes.iter().enumerate() {
                let rb_ = m.route_bound(cands, &s0, &self.decided, r);
                let du = self.duals[ri].as_ref().map(|(l, lam)| {
                    (
                        l.clone(),
                        lam.clone(),
                        m.dual_bound(cands, &s0, &self.decided, l, lam),
                    )
                });
                eprintln!("route {ri}: bound {rb_:?} dual {du:?}");
            }
        }
        let mut s = s0.clone();
        self.dfs(0, &mut s, false);
        let complete = !self.aborted;
        let method = match (&self.best, &greedy_best) {
            (Some(a), Some(b)) if !Search::better(a, b) => "greedy",
            (Some(_), None) | (Some(_), Some(_)) => "exact",
            _ => "none",
        };
        let lower_bound = match (&self.best, complete) {
            (Some(b), true) => Some(b.cost),
            (None, true) => None,
            _ => root_lb,
        };
        Outcome {
            best: self.best.clone(),
            complete,
            lower_bound,
            nodes: self.nodes,
            rescored: self.rescored,
            method,
        }
    }

    fn dfs(&mut self, depth: usize, s: &mut State, added: bool) {
        if self.aborted {
            return;
        }
        self.nodes += 1;
        if self.nodes > self.budget {
            self.aborted = true;
            return;
        }
        let (m, cands) = (self.model, self.cands);
        let prune = |lb: Decimal, best: &Option<Found>| {
            best.as_ref().is_some_and(|b| {
                let more = u32::from(lb > Decimal::ZERO);
                (s.cost + lb, s.levels + more) >= (b.cost, b.levels)
            })
        };
        let Some(lb) = self.bound(s, false) else {
            return;
        };
        if prune(lb, &self.best) {
            return;
        }
        if self.best.is_some() && self.duals.iter().any(Option::is_some) {
            match self.bound(s, true) {
                Some(lb) if !prune(lb, &self.best) => {}
                _ => return,
            }
        }
        if added && m.goal_possible(cands, s) && self.verify(&s.picks()) {
            self.best = Some(Found {
                picks: s.picks(),
                cost: s.cost,
                levels: s.levels,
            });
            return;
        }
        if depth >= self.order.len() {
            return;
        }
        let c = self.order[depth];
        self.decided[c] = true;
        // An interchangeable criterion decided just before bounds this one's choice, so each
        // multiset of choices is explored once.
        let limit = self.twin_of[c].map_or(usize::MAX, |p| self.choice[p]);
        let opts = self.opt_order[c].clone();
        for o in opts {
            let k = 1 + cands.crits[c]
                .opts
                .iter()
                .position(|&x| x == o)
                .unwrap_or(0);
            if k > limit {
                continue;
            }
            s.apply(m, cands, o);
            self.choice[c] = k;
            self.dfs(depth + 1, s, true);
            self.choice[c] = 0;
            s.undo(m, cands, o);
            if self.aborted {
                break;
            }
        }
        if !self.aborted {
            self.dfs(depth + 1, s, false);
        }
        self.decided[c] = false;
    }
}
