//! The rulebook's hot data, flat: what scoring reads for every hospital, compiled once with the
//! rulebook into small arrays so that a pass over a hospital stays in cache (a [`Node`] carries
//! titles, flags and departments too, and reading it for every criterion of every hospital
//! costs more than the scoring itself).

use super::compile::{Node, Rounding, Rule};
use super::model::{Aggregate, NodeKind};
use rust_decimal::Decimal;

/// One group's aggregation, with its children resolved.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    /// The group's node index.
    pub node: u32,
    /// How its children add up.
    pub aggregate: Aggregate,
    /// Rescale to this many points.
    pub max_points: Option<Decimal>,
    /// Its entries in [`Flat::kids`] / [`Flat::weights`]: the scored children, or (leaf-mean)
    /// the scored criteria of its subtree.
    pub kids: std::ops::Range<u32>,
    /// Weighted: the sum of the scored children's weights.
    pub full: Decimal,
    /// Whether its points are rounded.
    pub round: bool,
}

/// Flat arrays read while scoring.
#[derive(Debug, Clone, Default)]
pub(crate) struct Flat {
    /// Per node: its kind.
    pub kind: Vec<NodeKind>,
    /// Per evidence node (in [`super::compile::CompiledRulebook::evidence_nodes`] order): the
    /// end of its id in `ids` (ids are stored one after the other).
    pub id_ends: Vec<u32>,
    /// The evidence nodes' ids, concatenated.
    pub ids: String,
    /// The groups, children before parents (reverse tree order).
    pub steps: Vec<Step>,
    /// Children of the steps.
    pub kids: Vec<u32>,
    /// Their weights in a weighted group (0 when none).
    pub weights: Vec<Decimal>,
    /// Whether criteria points are rounded.
    pub round_criteria: bool,
    /// Criteria points as integers, when the rulebook's points allow (see [`super::fixed`]).
    pub fixed: Option<super::fixed::Fixed>,
}

impl Flat {
    /// The flat data of a compiled tree.
    pub fn new(nodes: &[Node], evidence: &[u32], rounding: &Rounding) -> Flat {
        let mut f = Flat {
            kind: nodes.iter().map(|n| n.kind).collect(),
            // Rounding applies to every criterion or to none.
            round_criteria: nodes
                .iter()
                .find(|n| n.kind != NodeKind::Group)
                .is_some_and(|n| rounding.applies(n)),
            ..Flat::default()
        };
        for &i in evidence {
            f.ids.push_str(&nodes[i as usize].id);
            f.id_ends.push(f.ids.len() as u32);
        }
        for (k, node) in nodes.iter().enumerate().rev() {
            let Rule::Group {
                aggregate,
                max_points,
            } = &node.rule
            else {
                continue;
            };
            let start = f.kids.len() as u32;
            let kids: Vec<u32> = if *aggregate == Aggregate::LeafMean {
                (k + 1..node.end as usize)
                    .filter(|&j| nodes[j].kind != NodeKind::Group && nodes[j].scored)
                    .map(|j| j as u32)
                    .collect()
            } else {
                node.children
                    .iter()
                    .copied()
                    .filter(|&c| nodes[c as usize].scored)
                    .collect()
            };
            for &c in &kids {
                f.weights
                    .push(nodes[c as usize].weight.unwrap_or(Decimal::ZERO));
            }
            f.kids.extend(kids);
            f.steps.push(Step {
                node: k as u32,
                aggregate: *aggregate,
                max_points: *max_points,
                kids: start..f.kids.len() as u32,
                full: node
                    .children
                    .iter()
                    .filter(|&&c| nodes[c as usize].scored)
                    .filter_map(|&c| nodes[c as usize].weight)
                    .sum(),
                round: rounding.applies(node),
            });
        }
        f.fixed = super::fixed::Fixed::new(
            nodes,
            evidence,
            &f.steps,
            &f.kids,
            rounding,
            f.round_criteria,
        );
        f
    }

    /// Whether the `p`-th evidence node's id is `id` (bytes compared, no character-boundary
    /// checks: for the row-by-row lookup).
    #[inline]
    pub fn id_is(&self, p: usize, id: &str) -> bool {
        let (Some(&end), Some(&start)) = (
            self.id_ends.get(p),
            match p {
                0 => Some(&0),
                _ => self.id_ends.get(p - 1),
            },
        ) else {
            return false;
        };
        self.ids
            .as_bytes()
            .get(start as usize..end as usize)
            .is_some_and(|k| crate::evidence::table::same_bytes(k, id.as_bytes()))
    }
}
