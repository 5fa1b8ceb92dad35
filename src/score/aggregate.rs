//! Adding children's points up the tree, and how much each node moves the total.
//!
//! Nodes are in pre-order, so one reverse pass sees every child before its parent.
//! Not-applicable children (level E, element n/a, missing evidence counted as not applicable,
//! gates, monitor-only indicators) leave both the points and the maximum.

use super::CriterionScore;
use crate::rulebook::flat::{Flat, Step};
use crate::rulebook::model::Aggregate;
use crate::Rulebook;
use rust_decimal::Decimal;

type Totals = (Vec<Option<Decimal>>, Vec<Decimal>, Vec<Decimal>);

/// Points and maximum per node, and each node's impact on the total (d total / d points).
pub(crate) fn aggregate(rb: &Rulebook, criteria: &[CriterionScore]) -> Totals {
    let mut points = Vec::new();
    let mut max = Vec::new();
    points_into(rb, criteria, &mut points, &mut max);
    let impact = impacts(rb, &points, &max);
    (points, max, impact)
}

/// Points and maximum per node into reusable buffers (no impacts: for batch summaries).
///
/// Reads the rulebook's flat aggregation steps ([`crate::rulebook::flat`]): criteria first,
/// then each group from its resolved children, children before parents.
pub(crate) fn points_into(
    rb: &Rulebook,
    criteria: &[CriterionScore],
    points: &mut Vec<Option<Decimal>>,
    max: &mut Vec<Decimal>,
) {
    let n = rb.nodes().len();
    let rounding = rb.rounding();
    let flat = rb.flat();
    points.clear();
    points.resize(n, None);
    max.clear();
    max.resize(n, Decimal::ZERO);
    for &i in rb.evidence_nodes() {
        let (i, c) = (i as usize, &criteria[i as usize]);
        points[i] = match c.points {
            Some(p) if flat.round_criteria => Some(rounding.apply(p)),
            p => p,
        };
        max[i] = c.max;
    }
    for step in &flat.steps {
        let (p, m) = group(flat, step, points, max, criteria);
        let k = step.node as usize;
        points[k] = match p {
            Some(p) if step.round => Some(rounding.apply(p)),
            p => p,
        };
        max[k] = m;
    }
}

fn rescale(p: Decimal, m: Decimal, to: Option<Decimal>) -> (Option<Decimal>, Decimal) {
    match to {
        None => (Some(p), m),
        Some(x) if m > Decimal::ZERO => (Some(x * p / m), x),
        Some(_) => (None, Decimal::ZERO),
    }
}

fn group(
    flat: &Flat,
    step: &Step,
    points: &[Option<Decimal>],
    max: &[Decimal],
    criteria: &[CriterionScore],
) -> (Option<Decimal>, Decimal) {
    group_with(
        flat,
        step,
        |c| (points[c], max[c]),
        |c| (criteria[c].points, criteria[c].max),
    )
}

/// One group's points and maximum from its children's: `kid(c)` gives child `c`'s points and
/// maximum, `own(c)` a criterion's own (unrounded) points and maximum, for leaf means.
pub(crate) fn group_with(
    flat: &Flat,
    step: &Step,
    kid: impl Fn(usize) -> (Option<Decimal>, Decimal),
    own: impl Fn(usize) -> (Option<Decimal>, Decimal),
) -> (Option<Decimal>, Decimal) {
    let range = step.kids.start as usize..step.kids.end as usize;
    let kids = &flat.kids[range.clone()];
    let to = step.max_points;
    // The applicable children: (position in the step, points, maximum).
    let applicable = kids.iter().enumerate().filter_map(|(j, &c)| {
        let (p, m) = kid(c as usize);
        p.map(|p| (j, p, m))
    });
    match step.aggregate {
        Aggregate::Sum => {
            let mut any = false;
            let (mut p, mut m) = (Decimal::ZERO, Decimal::ZERO);
            for (_, cp, cm) in applicable {
                any = true;
                p += cp;
                m += cm;
            }
            if !any {
                return (None, Decimal::ZERO);
            }
            rescale(p, m, to)
        }
        Aggregate::Mean | Aggregate::LeafMean => {
            let (mut p, mut m, mut count) = (Decimal::ZERO, Decimal::ZERO, 0u64);
            let mut add = |(_, cp, cm): (usize, Decimal, Decimal)| {
                p += cp;
                m += cm;
                count += 1;
            };
            if step.aggregate == Aggregate::Mean {
                applicable.for_each(&mut add);
            } else {
                // The criteria's own (unrounded) points.
                kids.iter()
                    .enumerate()
                    .filter_map(|(j, &c)| {
                        let (p, m) = own(c as usize);
                        p.map(|p| (j, p, m))
                    })
                    .for_each(&mut add);
            }
            if count == 0 {
                return (None, Decimal::ZERO);
            }
            let c = Decimal::from(count);
            rescale(p / c, m / c, to)
        }
        Aggregate::Weighted => {
            let scale = to.unwrap_or(step.full);
            let weights = &flat.weights[range];
            let (mut acc, mut wsum) = (Decimal::ZERO, Decimal::ZERO);
            for (j, cp, cm) in applicable {
                let w = weights[j];
                if cm > Decimal::ZERO && w > Decimal::ZERO {
                    acc += w * cp / cm;
                    wsum += w;
                }
            }
            if wsum.is_zero() {
                return (None, Decimal::ZERO);
            }
            (Some(scale * acc / wsum), scale)
        }
    }
}

fn impacts(rb: &Rulebook, points: &[Option<Decimal>], max: &[Decimal]) -> Vec<Decimal> {
    let (nodes, flat) = (rb.nodes(), rb.flat());
    let n = nodes.len();
    let mut impact = vec![Decimal::ZERO; n];
    let mut owned = vec![false; n];
    if n > 0 && points[0].is_some() {
        impact[0] = Decimal::ONE;
    }
    // Parents before children: the steps in tree order.
    for step in flat.steps.iter().rev() {
        let k = step.node as usize;
        if owned[k] || points[k].is_none() || impact[k].is_zero() {
            continue;
        }
        let me = impact[k];
        let factor = |raw_m: Decimal| match step.max_points {
            Some(x) if raw_m > Decimal::ZERO => x / raw_m,
            _ => Decimal::ONE,
        };
        let range = step.kids.start as usize..step.kids.end as usize;
        // The applicable children (or leaf-mean leaves): (node, weight, maximum).
        let kids: Vec<(usize, Decimal, Decimal)> = flat.kids[range.clone()]
            .iter()
            .zip(&flat.weights[range])
            .filter(|(&c, _)| points[c as usize].is_some())
            .map(|(&c, &w)| (c as usize, w, max[c as usize]))
            .collect();
        match step.aggregate {
            Aggregate::Sum => {
                let m: Decimal = kids.iter().map(|c| c.2).sum();
                let f = me * factor(m);
                for (c, _, _) in kids {
                    impact[c] = f;
                }
            }
            Aggregate::Mean | Aggregate::LeafMean => {
                if step.aggregate == Aggregate::LeafMean {
                    owned[k + 1..nodes[k].end as usize].fill(true);
                }
                if kids.is_empty() {
                    continue;
                }
                let cnt = Decimal::from(kids.len() as u64);
                let m: Decimal = kids.iter().map(|c| c.2).sum::<Decimal>() / cnt;
                let f = me * factor(m) / cnt;
                for (c, _, _) in kids {
                    impact[c] = f;
                }
            }
            Aggregate::Weighted => {
                let scale = max[k];
                let kids: Vec<_> = kids
                    .into_iter()
                    .filter(|&(_, w, cm)| cm > Decimal::ZERO && w > Decimal::ZERO)
                    .collect();
                let wsum: Decimal = kids.iter().map(|&(_, w, _)| w).sum();
                if wsum.is_zero() {
                    continue;
                }
                for (c, w, cm) in kids {
                    impact[c] = me * scale * w / (wsum * cm);
                }
            }
        }
    }
    impact
}
