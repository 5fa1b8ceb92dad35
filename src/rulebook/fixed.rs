//! Criterion points as fixed-point integers, for batch summaries.
//!
//! Most rulebooks give points with few decimal places (article levels 4 / 3 / 2 / 0,
//! indicators 2.5). When every point value of a rulebook fits an `i64` at one common scale,
//! criteria points and the plain sums above them (chapters, parts) are added as integers:
//! exactly the same numbers (and the same decimal scale) as adding the decimals, without a
//! decimal addition per criterion. Groups that divide (means, weights, rescaling) still use
//! decimals, from their children's exact values. A rulebook whose points do not fit has no
//! plan, and is scored with decimals throughout.

use super::compile::{Node, Rounding, Rule};
use super::flat::Step;
use super::model::{Aggregate, MissingAction, NodeKind};
use rust_decimal::Decimal;

/// Largest common scale (decimal places) of a plan.
const MAX_SCALE: u32 = 9;
/// Largest magnitude of one point value at the common scale: sums of up to a million criteria
/// stay within `i64` (10^12 × 10^6 < 9.2 × 10^18).
const MAX_VALUE: i128 = 1_000_000_000_000;
/// 10^k for every scale difference a plan can have.
const POW10: [i64; MAX_SCALE as usize + 1] = {
    let mut t = [1i64; MAX_SCALE as usize + 1];
    let mut k = 1;
    while k < t.len() {
        t[k] = t[k - 1] * 10;
        k += 1;
    }
    t
};
/// Most nodes in a rulebook with a plan (see [`MAX_VALUE`]).
const MAX_NODES: usize = 1_000_000;

/// A decimal as an integer at the plan's common scale, with the decimal's own scale (so that
/// the decimal can be given back exactly as it was written, trailing zeros included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct Fx {
    /// The value times 10^scale of the plan.
    pub m: i64,
    /// The decimal's own scale.
    pub scale: u8,
}

/// How a criterion's points come out, at the plan's scale: a few bytes per criterion, so that
/// a hospital's pass over the criteria stays in cache (point tables are shared).
#[derive(Debug, Clone, Copy)]
pub(crate) enum FixedCrit {
    /// A gate: no points; its outcome when failed.
    Gate {
        /// Outcome index.
        outcome: u32,
        /// Missing-evidence policy.
        missing: MissingAction,
    },
    /// An article (4 levels) or element (3 results).
    Level {
        /// Its points per rank in [`Fixed::levels`].
        table: u32,
        /// The best rank (3 for articles, 2 for elements): its points are the maximum.
        top: u8,
        /// Missing-evidence policy.
        missing: MissingAction,
    },
    /// An indicator: scored by its rule (the node's).
    Indicator {
        /// Missing-evidence policy.
        missing: MissingAction,
    },
}

/// The fixed-point plan of a rulebook.
#[derive(Debug, Clone)]
pub(crate) struct Fixed {
    /// The common scale: every point value is an integer times 10^-scale.
    pub scale: u32,
    /// Per evidence node (in evidence order).
    pub crit: Vec<FixedCrit>,
    /// The distinct point tables of articles and elements (per rank; elements use three).
    pub levels: Vec<[Fx; 4]>,
    /// Per aggregation step ([`super::flat::Flat::steps`]): whether it is a plain sum of
    /// integer children (no rescaling, and rounding, if any, leaves its points unchanged).
    pub int_step: Vec<bool>,
    /// Per node: whether its points are integers of the plan (criteria, and integer steps).
    pub int_node: Vec<bool>,
}

impl Fixed {
    /// The plan of a compiled tree, or `None` when some point value does not fit.
    pub fn new(
        nodes: &[Node],
        evidence: &[u32],
        steps: &[Step],
        kids: &[u32],
        rounding: &Rounding,
        round_criteria: bool,
    ) -> Option<Fixed> {
        if nodes.len() > MAX_NODES {
            return None;
        }
        // The common scale: the largest scale of any point value.
        let mut values: Vec<Decimal> = Vec::new();
        for &i in evidence {
            match &nodes[i as usize].rule {
                Rule::Article { points } => values.extend(points),
                Rule::Element { points } => values.extend(points),
                Rule::Indicator(r) => {
                    values.extend([r.max_points, r.otherwise]);
                    values.extend(r.bands.iter().map(|b| b.1));
                    if let Some(t) = &r.trend {
                        values.extend([t.improving, t.stable, t.worsening, t.target_points]);
                    }
                }
                _ => {}
            }
        }
        let scale = values.iter().map(|d| d.scale()).max().unwrap_or(0);
        // Rounding must leave integer points as they are (it does when they have no more
        // places than it keeps).
        let rounding_keeps = scale <= rounding.places && scale <= crate::ratio::SNAP_PLACES;
        if scale > MAX_SCALE || (round_criteria && !rounding_keeps) {
            return None;
        }
        if values.iter().any(|d| fx(*d, scale).is_none()) {
            return None;
        }
        let at = |d: Decimal| fx(d, scale).unwrap_or_default();
        let mut crit = Vec::with_capacity(evidence.len());
        let mut levels: Vec<[Fx; 4]> = Vec::new();
        let mut known: std::collections::HashMap<[Fx; 4], u32> = Default::default();
        let mut table = |pts: [Fx; 4]| -> u32 {
            *known.entry(pts).or_insert_with(|| {
                levels.push(pts);
                (levels.len() - 1) as u32
            })
        };
        for &i in evidence {
            let node = &nodes[i as usize];
            let missing = node.missing;
            crit.push(match &node.rule {
                Rule::Gate { outcome } => FixedCrit::Gate {
                    outcome: *outcome,
                    missing,
                },
                Rule::Article { points } => FixedCrit::Level {
                    table: table(points.map(at)),
                    top: 3,
                    missing,
                },
                Rule::Element { points } => FixedCrit::Level {
                    table: table([at(points[0]), at(points[1]), at(points[2]), Fx::default()]),
                    top: 2,
                    missing,
                },
                Rule::Indicator(_) => FixedCrit::Indicator { missing },
                Rule::Group { .. } => return None,
            });
        }
        let mut int_node: Vec<bool> = nodes.iter().map(|n| n.kind != NodeKind::Group).collect();
        // Steps run children before parents, so a child's flag is known before its parent's.
        let mut int_step = Vec::with_capacity(steps.len());
        for step in steps {
            let range = step.kids.start as usize..step.kids.end as usize;
            let ok = step.aggregate == Aggregate::Sum
                && step.max_points.is_none()
                && (!step.round || rounding_keeps)
                && kids[range].iter().all(|&c| int_node[c as usize]);
            int_node[step.node as usize] = ok;
            int_step.push(ok);
        }
        Some(Fixed {
            scale,
            crit,
            levels,
            int_step,
            int_node,
        })
    }

    /// A decimal at the plan's scale (`None` when it has more places or is too large).
    #[inline]
    pub fn fx(&self, d: Decimal) -> Option<Fx> {
        fx(d, self.scale)
    }

    /// The decimal an integer of the plan stands for, with its own scale.
    #[inline]
    pub fn decimal(&self, x: Fx) -> Decimal {
        let down = POW10[(self.scale - u32::from(x.scale)) as usize];
        Decimal::from_i128_with_scale(i128::from(x.m / down), u32::from(x.scale))
    }
}

/// `d` at scale `scale`: its mantissa times 10^(scale - its scale), when that fits (in
/// 64-bit integers: a plan's scale and values are small).
#[inline]
fn fx(d: Decimal, scale: u32) -> Option<Fx> {
    let own = d.scale();
    if own > scale {
        return None;
    }
    let up = *POW10.get((scale - own) as usize)?;
    let m = i64::try_from(d.mantissa()).ok()?.checked_mul(up)?;
    if i128::from(m).abs() > MAX_VALUE {
        return None;
    }
    Some(Fx {
        m,
        scale: own as u8,
    })
}
