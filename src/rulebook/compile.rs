//! Checking a rulebook file and compiling it into flat, indexed form.
//!
//! Every problem found is collected (not just the first) and reported with its path in the
//! file and the id concerned. The compiled [`Rulebook`] keeps its nodes in tree pre-order
//! (index 0 is the total), so a subtree is a contiguous range and scoring is a pass over flat
//! arrays.

// Input path: no unwrap / expect / panic on data from files or tables (docs/reliability.md).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use super::error::{Problems, RulebookError};
use super::model::{
    Aggregate, Direction, Effect, Meta, Method, MissingAction, NodeKind, NodeSpec, RoundingLevel,
    RoundingMode, RoundingSpec, RulebookFile,
};
use crate::condition::{self, ast::Term, CCond, Scope};
use crate::ratio::{Op, Target};
use rust_decimal::{Decimal, RoundingStrategy};
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Most nodes a rulebook may have.
pub const MAX_NODES: usize = 200_000;
/// Deepest tree a rulebook may have (the total is depth 0).
pub const MAX_TREE_DEPTH: u32 = 32;
/// Longest id, title or other text field, in bytes.
pub const MAX_TEXT_LEN: usize = 10_000;
/// Most grades a rulebook may define (each is evaluated for every hospital).
pub const MAX_GRADES: usize = 64;
/// Most conditions in one grade's `when` list.
pub const MAX_GRADE_CONDITIONS: usize = 64;
/// Most outcomes a rulebook may define.
pub const MAX_OUTCOMES: usize = 256;
/// Most selector terms (`articles`, `core`, `under P2`, ...) in all grade conditions together:
/// resolving each is a pass over every node, so this bounds compile time (200,000 nodes ×
/// 1,024 terms); real rulebooks use a few dozen.
pub const MAX_SELECTOR_TERMS: usize = 1024;

/// Article levels by rank (0 = D … 3 = A). `E` means not applicable.
pub const ARTICLE_LEVELS: [&str; 4] = ["D", "C", "B", "A"];
/// Element results by rank (0 = not met … 2 = met). `na` means not applicable.
pub const ELEMENT_RESULTS: [&str; 3] = ["not_met", "partial", "met"];

/// A compiled rulebook: checked, indexed, ready to score many hospitals.
///
/// Cheap to clone (the compiled data is shared); reports keep a handle to the rulebook they
/// were scored against.
#[derive(Debug, Clone)]
pub struct Rulebook(pub(crate) Arc<CompiledRulebook>);

impl std::ops::Deref for Rulebook {
    type Target = CompiledRulebook;
    fn deref(&self) -> &CompiledRulebook {
        &self.0
    }
}

impl Rulebook {
    /// Check a parsed rulebook file and compile it. `file` names it in errors.
    pub fn compile(source: RulebookFile, file: Option<&str>) -> Result<Rulebook, RulebookError> {
        Compiler::default()
            .run(source)
            .map_err(|p| p.into_error(file.map(str::to_string)))
            .map(|mut rb| {
                rb.file = file.map(str::to_string);
                rb.content_hash = crate::audit::rulebook_hash(&rb.source);
                Rulebook(Arc::new(rb))
            })
    }

    /// Whether two handles share the same compiled rulebook.
    pub fn same(&self, other: &Rulebook) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// SHA-256 (hex) of the rulebook's canonical compiled source: layered and reformatted but
    /// equal files hash the same (see [`crate::audit`]). Reports carry it.
    pub fn content_hash(&self) -> &str {
        &self.content_hash
    }
}

/// The compiled data of a [`Rulebook`] (reached through it).
#[derive(Debug, Clone)]
pub struct CompiledRulebook {
    pub(crate) source: RulebookFile,
    /// SHA-256 of the canonical source (`crate::audit::rulebook_hash`).
    pub(crate) content_hash: String,
    pub(crate) file: Option<String>,
    pub(crate) nodes: Vec<Node>,
    pub(crate) index: FxHashMap<String, u32>,
    pub(crate) evidence_nodes: Vec<u32>,
    /// The hot data of the tree, flat (see [`super::flat`]).
    pub(crate) flat: super::flat::Flat,
    pub(crate) outcomes: Vec<Outcome>,
    pub(crate) grades: Vec<Grade>,
    pub(crate) rounding: Rounding,
    pub(crate) params: BTreeMap<String, Decimal>,
    pub(crate) flag_names: Vec<String>,
    pub(crate) exam_policy: crate::exams::Policy,
    pub(crate) training_policy: crate::exams::TrainingPolicy,
}

/// A compiled node.
#[derive(Debug, Clone)]
pub struct Node {
    /// Id (`total` for the root).
    pub id: String,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: NodeKind,
    /// Parent index (`None` for the total).
    pub parent: Option<u32>,
    /// Depth: 0 for the total, 1 for parts.
    pub depth: u32,
    /// Children indices, in file order.
    pub children: Vec<u32>,
    /// One past the last index of this node's subtree.
    pub end: u32,
    /// Weight in a weighted parent.
    pub weight: Option<Decimal>,
    /// Flags, as indices into the rulebook's declared flags.
    pub flags: Vec<u16>,
    /// Responsible department (inherited from the nearest ancestor that names one).
    pub department: Option<String>,
    /// Tier name.
    pub tier: Option<String>,
    /// How the node is scored.
    pub rule: Rule,
    /// What missing evidence counts as (criteria only).
    pub missing: MissingAction,
    /// Whether the subtree carries points (false for gates and gate-only groups).
    pub scored: bool,
    /// Gate: whether a failure can be cleared before the review decides (the gate's
    /// `clearable`, else its outcome's, else true). True for other kinds.
    pub clearable: bool,
}

/// How a node is scored.
#[derive(Debug, Clone)]
pub enum Rule {
    /// Points from children.
    Group {
        /// How children add up.
        aggregate: Aggregate,
        /// Rescale to this many points.
        max_points: Option<Decimal>,
    },
    /// Pass or fail.
    Gate {
        /// Outcome index when failed.
        outcome: u32,
    },
    /// Monitoring data.
    Indicator(Box<IndicatorRule>),
    /// Points by level rank (D, C, B, A).
    Article {
        /// Points by rank.
        points: [Decimal; 4],
    },
    /// Points by result rank (not met, partial, met).
    Element {
        /// Points by rank.
        points: [Decimal; 3],
    },
}

/// A range of values: every comparison holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Interval {
    /// The comparisons.
    pub tests: Vec<Target>,
    /// As written.
    pub text: String,
}

impl Interval {
    /// Parse `">= 90"` or `">= 90 and < 95"`.
    pub fn parse(text: &str) -> Result<Interval, String> {
        Interval::parse_with(text, &BTreeMap::new())
    }

    /// Parse with rulebook parameters: `">= $occupancy_min and <= 95"`.
    pub fn parse_with(text: &str, params: &BTreeMap<String, Decimal>) -> Result<Interval, String> {
        let mut tests = Vec::new();
        let bad = |reason: &str| {
            format!("{text:?} is not a comparison like \">= 90\", \">= 90 and < 95\" or \">= $param\": {reason}")
        };
        for part in text.split(" and ") {
            let part = part.trim();
            let (op, rest) = Op::split_prefix(part)
                .ok_or_else(|| bad("each comparison starts with >=, >, <=, <, == or !="))?;
            let rest = rest.trim();
            let value = match rest.strip_prefix('$') {
                Some(name) => *params.get(name).ok_or_else(|| {
                    bad(&format!(
                        "unknown parameter ${name}: define it under [params]"
                    ))
                })?,
                None => crate::ratio::parse_decimal(rest).map_err(|e| bad(&e.reason))?,
            };
            tests.push(Target { op, value });
        }
        if tests.len() > 2 {
            return Err(format!("{text:?} has more than two comparisons"));
        }
        Ok(Interval {
            tests,
            text: text.trim().to_string(),
        })
    }

    /// Whether the value lies in the interval, exactly.
    pub fn holds(&self, q: &crate::ratio::Quantity) -> bool {
        self.tests.iter().all(|t| t.holds(q))
    }
}

/// A compiled indicator rule.
#[derive(Debug, Clone)]
pub struct IndicatorRule {
    /// Unit shown with values.
    pub unit: Option<String>,
    /// value = scale × numerator / denominator.
    pub scale: Decimal,
    /// Numerator must not exceed denominator.
    pub proportion: bool,
    /// Which way is better.
    pub direction: Direction,
    /// How it is scored.
    pub method: Method,
    /// Maximum points.
    pub max_points: Decimal,
    /// Target (threshold; optional for trend).
    pub target: Option<Interval>,
    /// Bands, first match wins.
    pub bands: Vec<(Interval, Decimal)>,
    /// Points when no band matches.
    pub otherwise: Decimal,
    /// Trend rule.
    pub trend: Option<TrendRule>,
    /// Take the value from staff records instead of the evidence.
    pub from: Option<Derived>,
}

/// Where a criterion's value comes from when not from the evidence.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(untagged)]
pub enum Derived {
    /// A figure from the 三基 exam records.
    Exams(crate::exams::ExamSource),
    /// A figure from the training and drill records.
    Training(crate::exams::TrainingSource),
}

/// A compiled trend rule.
#[derive(Debug, Clone)]
pub struct TrendRule {
    /// Periods compared.
    pub periods: usize,
    /// Changes within ± tolerance are stable.
    pub tolerance: Decimal,
    /// Points when improving.
    pub improving: Decimal,
    /// Points when stable.
    pub stable: Decimal,
    /// Points when worsening.
    pub worsening: Decimal,
    /// Points when the latest value meets the target.
    pub target_points: Decimal,
}

/// A compiled gate outcome.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Effect on the grade.
    pub effect: Effect,
    /// Places to lower the grade (downgrade).
    pub steps: u32,
    /// Whether a gate failed with this outcome can be cleared (default true).
    pub clearable: bool,
}

/// A compiled grade.
#[derive(Debug, Clone)]
pub struct Grade {
    /// Id.
    pub id: String,
    /// Title.
    pub title: Option<String>,
    /// Conditions, all of which must hold.
    pub conditions: Vec<CCond>,
}

/// A compiled rounding rule.
#[derive(Debug, Clone, Copy)]
pub struct Rounding {
    /// Decimal places.
    pub places: u32,
    /// Strategy.
    pub strategy: RoundingStrategy,
    /// Level.
    pub at: RoundingLevel,
}

impl Rounding {
    /// Round a value.
    pub fn apply(&self, d: Decimal) -> Decimal {
        // Snap division noise first so that 924.4949…997 (really 924.495) rounds as 924.495.
        crate::ratio::snap(d).round_dp_with_strategy(self.places, self.strategy)
    }

    /// Whether points at this node are rounded.
    pub fn applies(&self, node: &Node) -> bool {
        match node.kind {
            NodeKind::Group if node.depth == 0 => true,
            NodeKind::Group if node.depth == 1 => self.at >= RoundingLevel::Parts,
            NodeKind::Group => self.at >= RoundingLevel::Nodes,
            _ => self.at >= RoundingLevel::Criteria,
        }
    }
}

impl CompiledRulebook {
    /// The rulebook's metadata.
    pub fn meta(&self) -> &Meta {
        &self.source.rulebook
    }

    /// The file as loaded (after layering), e.g. to save it again.
    pub fn source(&self) -> &RulebookFile {
        &self.source
    }

    /// The file (path or built-in name) it was loaded from.
    pub fn file(&self) -> Option<&str> {
        self.file.as_deref()
    }

    /// Every node in tree pre-order; index 0 is the total.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The index of a node id.
    pub fn node_index(&self, id: &str) -> Option<u32> {
        self.index.get(id).copied()
    }

    /// The node with this id.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.node_index(id).map(|i| &self.nodes[i as usize])
    }

    /// Indices of the nodes that take evidence (gates, indicators, articles, elements).
    pub fn evidence_nodes(&self) -> &[u32] {
        &self.evidence_nodes
    }

    /// The hot data of the tree, flat, for scoring.
    pub(crate) fn flat(&self) -> &super::flat::Flat {
        &self.flat
    }

    /// The gate outcomes.
    pub fn outcomes(&self) -> &[Outcome] {
        &self.outcomes
    }

    /// The grades, best first.
    pub fn grades(&self) -> &[Grade] {
        &self.grades
    }

    /// The rounding rule.
    pub fn rounding(&self) -> &Rounding {
        &self.rounding
    }

    /// Parameters used by grade conditions.
    pub fn params(&self) -> &BTreeMap<String, Decimal> {
        &self.params
    }

    /// Maximum points of a criterion (0 for gates and groups, whose maximum depends on
    /// applicability).
    pub fn criterion_max(&self, node: u32) -> Decimal {
        match &self.nodes[node as usize].rule {
            Rule::Indicator(r) => r.max_points,
            Rule::Article { points } => points[3],
            Rule::Element { points } => points[2],
            _ => Decimal::ZERO,
        }
    }

    /// The 三基 exam policy used for criteria that take their value from exam records.
    pub fn exam_policy(&self) -> &crate::exams::Policy {
        &self.exam_policy
    }

    /// The training minimums used for criteria that take their value from training records.
    pub fn training_policy(&self) -> &crate::exams::TrainingPolicy {
        &self.training_policy
    }

    /// The flag names declared by the rulebook, in index order.
    pub fn flag_names(&self) -> impl Iterator<Item = &str> {
        self.flag_names.iter().map(String::as_str)
    }

    /// The names of a node's flags.
    pub fn node_flags(&self, node: u32) -> Vec<&str> {
        let names: Vec<&str> = self.flag_names().collect();
        self.nodes[node as usize]
            .flags
            .iter()
            .map(|&f| names[f as usize])
            .collect()
    }
}

#[derive(Default)]
struct Compiler {
    p: Problems,
}

fn check_text(p: &mut Problems, path: &str, id: Option<&str>, field: &str, v: &str) {
    if v.len() > MAX_TEXT_LEN {
        p.push(
            format!("{path}.{field}"),
            None.or(id),
            format!("is longer than {MAX_TEXT_LEN} bytes"),
        );
    }
}

impl Compiler {
    fn run(mut self, src: RulebookFile) -> Result<CompiledRulebook, Problems> {
        let p = &mut self.p;
        let meta = &src.rulebook;
        if meta.id.trim().is_empty() {
            p.push("rulebook.id", None, "is empty");
        }
        if meta.title.trim().is_empty() {
            p.push("rulebook.title", None, "is empty");
        }
        if !src.patches.is_empty() {
            p.push(
                "patch",
                None,
                "[[patch]] only applies in a rulebook that extends another",
            );
        }
        if !src.remove.is_empty() {
            p.push(
                "remove",
                None,
                "remove only applies in a rulebook that extends another",
            );
        }
        if src.nodes.len() > MAX_NODES {
            p.push("node", None, format!("has more than {MAX_NODES} nodes"));
            return Err(self.p);
        }
        // Counts and text lengths first: later messages quote ids and texts.
        if !super::limits::check(&src, p) {
            return Err(self.p);
        }
        let flag_index: FxHashMap<&str, u16> = meta
            .flags
            .keys()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i as u16))
            .collect();
        if flag_index.len() > u16::MAX as usize {
            p.push("rulebook.flags", None, "declares too many flags");
        }

        // Parameters.
        let mut params = BTreeMap::new();
        for (name, spec) in &src.params {
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
            {
                p.push(
                    format!("params.{name}"),
                    None,
                    "parameter names use letters, digits, '_' and '-' only",
                );
            }
            params.insert(name.clone(), spec.value());
        }

        // Outcomes.
        let mut outcomes = Vec::new();
        let mut outcome_index: FxHashMap<String, u32> = FxHashMap::default();
        for (i, o) in src.outcomes.iter().enumerate() {
            let path = format!("outcome[{i}]");
            if o.id.trim().is_empty() {
                p.push(&path, None, "id is empty");
            }
            if outcome_index.insert(o.id.clone(), i as u32).is_some() {
                p.push(&path, Some(&o.id), "duplicate outcome id");
            }
            let steps = match (o.effect, o.steps) {
                (Effect::Downgrade, None) | (Effect::Downgrade, Some(0)) => {
                    p.push(
                        format!("{path}.steps"),
                        Some(&o.id),
                        "a downgrade needs steps >= 1",
                    );
                    1
                }
                (Effect::Downgrade, Some(s)) => s,
                (_, Some(_)) => {
                    p.push(
                        format!("{path}.steps"),
                        Some(&o.id),
                        "steps only applies to effect = \"downgrade\"",
                    );
                    0
                }
                (_, None) => 0,
            };
            outcomes.push(Outcome {
                id: o.id.clone(),
                title: o.title.clone(),
                effect: o.effect,
                steps,
                clearable: o.clearable.unwrap_or(true),
            });
        }

        // Defaults.
        let defaults = src.defaults.clone().unwrap_or_default();
        let article_default = match &defaults.article_points {
            Some(m) => level_points(p, "defaults.article_points", None, m, &ARTICLE_LEVELS),
            None => None,
        };
        let element_default = match &defaults.element_points {
            Some(m) => level_points(p, "defaults.element_points", None, m, &ELEMENT_RESULTS),
            None => None,
        };
        let missing = src.missing.unwrap_or_default();

        // Index ids and build the tree.
        let mut file_index: FxHashMap<&str, usize> = FxHashMap::default();
        for (i, n) in src.nodes.iter().enumerate() {
            let path = format!("node[{i}]");
            let id = n.id.as_str();
            check_text(p, &path, Some(id), "id", id);
            check_text(p, &path, Some(id), "title", &n.title);
            if id.trim().is_empty() {
                p.push(format!("{path}.id"), None, "is empty");
                continue;
            }
            if id != id.trim() {
                p.push(
                    format!("{path}.id"),
                    Some(id),
                    "has leading or trailing spaces",
                );
            }
            if id == "total" {
                p.push(
                    format!("{path}.id"),
                    Some(id),
                    "\"total\" is reserved for the root",
                );
                continue;
            }
            if let Some(first) = file_index.insert(id, i) {
                p.push(
                    format!("{path}.id"),
                    Some(id),
                    format!("duplicate id (first used by node[{first}])"),
                );
            }
        }
        let mut kids: Vec<Vec<usize>> = vec![Vec::new(); src.nodes.len() + 1]; // last = root
        let root_slot = src.nodes.len();
        for (i, n) in src.nodes.iter().enumerate() {
            match &n.parent {
                None => kids[root_slot].push(i),
                Some(par) => match file_index.get(par.as_str()) {
                    Some(&j) if j == i => p.push(
                        format!("node[{i}].parent"),
                        Some(&n.id),
                        "a node cannot be its own parent",
                    ),
                    Some(&j) => {
                        if src.nodes[j].kind != NodeKind::Group {
                            p.push(
                                format!("node[{i}].parent"),
                                Some(&n.id),
                                format!(
                                    "parent {par:?} is {}; only groups have children",
                                    src.nodes[j].kind.a_name()
                                ),
                            );
                        }
                        kids[j].push(i)
                    }
                    None => p.push(
                        format!("node[{i}].parent"),
                        Some(&n.id),
                        format!("unknown parent {par:?}"),
                    ),
                },
            }
        }

        // Pre-order walk from the root.
        let mut order: Vec<(Option<usize>, u32, Option<u32>)> =
            Vec::with_capacity(src.nodes.len() + 1);
        let mut visited = vec![false; src.nodes.len()];
        let mut stack: Vec<(Option<usize>, u32, Option<u32>)> = vec![(None, 0, None)];
        let mut too_deep = false;
        while let Some((slot, depth, parent)) = stack.pop() {
            let me = order.len() as u32;
            order.push((slot, depth, parent));
            let ch = &kids[slot.unwrap_or(root_slot)];
            for &c in ch.iter().rev() {
                if visited[c] {
                    continue;
                }
                visited[c] = true;
                if depth + 1 > MAX_TREE_DEPTH {
                    too_deep = true;
                    continue;
                }
                stack.push((Some(c), depth + 1, Some(me)));
            }
        }
        if too_deep {
            p.push(
                "node",
                None,
                format!("the tree is deeper than {MAX_TREE_DEPTH} levels"),
            );
        }
        for (i, v) in visited.iter().enumerate() {
            let n = &src.nodes[i];
            if !v
                && n.parent
                    .as_deref()
                    .is_some_and(|par| file_index.contains_key(par))
                && !too_deep
            {
                p.push(
                    format!("node[{i}].parent"),
                    Some(&n.id),
                    "this node is part of a parent cycle and never reaches a top-level part",
                );
            }
        }
        if kids[root_slot].is_empty() && !src.nodes.is_empty() {
            p.push("node", None, "no top-level part (a node without parent)");
        }
        if src.nodes.is_empty() {
            p.push("node", None, "the rulebook has no nodes");
        }

        // Build compiled nodes in pre-order.
        let mut nodes: Vec<Node> = Vec::with_capacity(order.len());
        let mut file_to_node: Vec<u32> = vec![u32::MAX; src.nodes.len()];
        let total = src.total.clone().unwrap_or_default();
        for (k, &(slot, depth, parent)) in order.iter().enumerate() {
            if let Some(s) = slot {
                file_to_node[s] = k as u32;
            }
            let node = match slot {
                None => Node {
                    id: "total".into(),
                    title: total.title.clone().unwrap_or_else(|| "Total".into()),
                    kind: NodeKind::Group,
                    parent: None,
                    depth: 0,
                    children: Vec::new(),
                    end: 0,
                    weight: None,
                    flags: Vec::new(),
                    department: None,
                    tier: None,
                    rule: Rule::Group {
                        aggregate: total.aggregate.unwrap_or_default(),
                        max_points: total.max_points.map(|n| n.0),
                    },
                    missing: MissingAction::Zero,
                    scored: false,
                    clearable: true,
                },
                Some(s) => {
                    let spec = &src.nodes[s];
                    let path = format!("node[{s}]");
                    let parent_dept = parent.and_then(|q| nodes[q as usize].department.clone());
                    let tier = spec
                        .tier
                        .clone()
                        .or_else(|| meta.tiers.get(depth as usize - 1).cloned());
                    let mut flags = Vec::new();
                    for f in &spec.flags {
                        match flag_index.get(f.as_str()) {
                            Some(&ix) => flags.push(ix),
                            None => p.push(
                                format!("{path}.flags"),
                                Some(&spec.id),
                                format!(
                                    "unknown flag {f:?}: declare it under [rulebook.flags]{}",
                                    if flag_index.is_empty() {
                                        String::new()
                                    } else {
                                        format!(
                                            " (declared: {})",
                                            meta.flags
                                                .keys()
                                                .cloned()
                                                .collect::<Vec<_>>()
                                                .join(", ")
                                        )
                                    }
                                ),
                            ),
                        }
                    }
                    let rule = rule_for(
                        p,
                        &path,
                        spec,
                        &outcome_index,
                        article_default,
                        element_default,
                        defaults.indicator_points.map(|n| n.0),
                        &params,
                    );
                    let kind_missing = match spec.kind {
                        NodeKind::Gate => missing.gate.unwrap_or(MissingAction::Error),
                        NodeKind::Indicator => missing.indicator.unwrap_or(MissingAction::Zero),
                        NodeKind::Article => missing.article.unwrap_or(MissingAction::Zero),
                        NodeKind::Element => missing.element.unwrap_or(MissingAction::Zero),
                        NodeKind::Group => MissingAction::Zero,
                    };
                    if spec.kind == NodeKind::Group && spec.missing.is_some() {
                        p.push(
                            format!("{path}.missing"),
                            Some(&spec.id),
                            "missing applies to criteria, not groups",
                        );
                    }
                    let clearable = match &rule {
                        Rule::Gate { outcome } => spec.clearable.unwrap_or_else(|| {
                            outcomes.get(*outcome as usize).is_none_or(|o| o.clearable)
                        }),
                        _ => true,
                    };
                    Node {
                        id: spec.id.clone(),
                        title: spec.title.clone(),
                        kind: spec.kind,
                        parent,
                        depth,
                        children: Vec::new(),
                        end: 0,
                        weight: spec.weight.map(|w| w.0),
                        flags,
                        department: spec.department.clone().or(parent_dept),
                        tier,
                        rule,
                        missing: spec.missing.unwrap_or(kind_missing),
                        scored: false,
                        clearable,
                    }
                }
            };
            if let Some(par) = parent {
                nodes[par as usize].children.push(k as u32);
            }
            nodes.push(node);
        }
        // Subtree ends and which subtrees carry points (reverse pre-order: children first).
        for k in (0..nodes.len()).rev() {
            let end = nodes[k]
                .children
                .last()
                .map(|&c| nodes[c as usize].end)
                .unwrap_or(k as u32 + 1);
            let scored = match nodes[k].kind {
                NodeKind::Group => nodes[k].children.iter().any(|&c| nodes[c as usize].scored),
                NodeKind::Gate => false,
                NodeKind::Indicator => !matches!(
                    &nodes[k].rule,
                    Rule::Indicator(r) if r.method == Method::Monitor
                ),
                _ => true,
            };
            nodes[k].end = end;
            nodes[k].scored = scored;
        }

        // Group checks: children, weights.
        for (k, node) in nodes.iter().enumerate() {
            let path = match order[k].0 {
                Some(s) => format!("node[{s}]"),
                None => "total".to_string(),
            };
            if node.kind == NodeKind::Group && node.children.is_empty() && k != 0 {
                p.push(
                    &path,
                    Some(&node.id),
                    "a group without children (is a parent id misspelt?)",
                );
            }
            let parent_aggregate = node.parent.map(|q| match &nodes[q as usize].rule {
                Rule::Group { aggregate, .. } => *aggregate,
                _ => Aggregate::Sum,
            });
            match (parent_aggregate, node.weight) {
                (Some(Aggregate::Weighted), None) if node.scored => p.push(
                    format!("{path}.weight"),
                    Some(&node.id),
                    format!(
                        "its parent {:?} is weighted, so it needs a weight",
                        nodes[node.parent.unwrap_or(0) as usize].id
                    ),
                ),
                (Some(agg), Some(_)) if agg != Aggregate::Weighted => p.push(
                    format!("{path}.weight"),
                    Some(&node.id),
                    "a weight only counts under a parent with aggregate = \"weighted\"",
                ),
                (_, Some(w)) if w < Decimal::ZERO => p.push(
                    format!("{path}.weight"),
                    Some(&node.id),
                    "must not be negative",
                ),
                _ => {}
            }
            if let Rule::Group {
                max_points: Some(m),
                ..
            } = node.rule
            {
                if m <= Decimal::ZERO {
                    p.push(
                        format!("{path}.max_points"),
                        Some(&node.id),
                        "must be positive",
                    );
                }
            }
        }
        if !nodes.is_empty() && !nodes[0].scored && !src.nodes.is_empty() {
            p.push(
                "node",
                None,
                "no node carries points (every criterion is a gate or monitor-only)",
            );
        }

        let mut index: FxHashMap<String, u32> = FxHashMap::default();
        for (k, n) in nodes.iter().enumerate() {
            index.insert(n.id.clone(), k as u32);
        }
        let evidence_nodes: Vec<u32> = nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.kind != NodeKind::Group)
            .map(|(k, _)| k as u32)
            .collect();

        // Rounding.
        let r: RoundingSpec = src.rounding.unwrap_or_default();
        let places = r.places.unwrap_or(2);
        if places > 10 {
            p.push("rounding.places", None, "at most 10 places");
        }
        let rounding = Rounding {
            places: places.min(10),
            strategy: match r.mode.unwrap_or_default() {
                RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
                RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
                RoundingMode::Down => RoundingStrategy::ToZero,
            },
            at: r.at.unwrap_or_default(),
        };

        // Staff-record policies: the built-in ones, changed by the rulebook's sections.
        let section = |v: &serde_json::Value, what: &str, p: &mut Problems| -> Option<String> {
            match toml::to_string(v) {
                Ok(t) if v.is_object() => Some(t),
                _ => {
                    p.push(what, None, "must be a table");
                    None
                }
            }
        };
        let exam_policy = match src.exams.as_ref().and_then(|v| section(v, "exams", p)) {
            None => crate::exams::Policy::builtin(),
            Some(t) => crate::exams::Policy::builtin()
                .with_toml(&t)
                .unwrap_or_else(|e| {
                    p.push("exams", None, e.to_string());
                    crate::exams::Policy::builtin()
                }),
        };
        let training_policy = match src
            .training
            .as_ref()
            .and_then(|v| section(v, "training", p))
        {
            None => crate::exams::TrainingPolicy::builtin(),
            Some(t) => crate::exams::TrainingPolicy::from_toml_str(&t).unwrap_or_else(|e| {
                p.push("training", None, e.to_string());
                crate::exams::TrainingPolicy::builtin()
            }),
        };

        let flat = super::flat::Flat::new(&nodes, &evidence_nodes, &rounding);
        let mut rb = CompiledRulebook {
            source: RulebookFile::default(),
            content_hash: String::new(),
            file: None,
            nodes,
            index,
            evidence_nodes,
            flat,
            outcomes,
            grades: Vec::new(),
            rounding,
            params,
            flag_names: meta.flags.keys().cloned().collect(),
            exam_policy,
            training_policy,
        };

        // Grades (resolved against the compiled tree).
        let mut grade_ids: FxHashMap<&str, usize> = FxHashMap::default();
        let scope = RulebookScope {
            rb: &rb,
            outcome_index: &outcome_index,
        };
        let mut grades = Vec::new();
        if src.grades.is_empty() {
            p.push("grade", None, "the rulebook defines no grade");
        }
        let (mut selector_terms, mut too_many_terms) = (0usize, false);
        for (gi, g) in src.grades.iter().enumerate() {
            let path = format!("grade[{gi}]");
            if g.id.trim().is_empty() {
                p.push(format!("{path}.id"), None, "is empty");
            }
            if let Some(first) = grade_ids.insert(g.id.as_str(), gi) {
                p.push(
                    format!("{path}.id"),
                    Some(&g.id),
                    format!("duplicate grade id (first used by grade[{first}])"),
                );
            }
            let mut conditions = Vec::new();
            for (ci, text) in g.when.iter().enumerate() {
                let cpath = format!("{path}.when[{ci}]");
                match condition::parse(text) {
                    Err(e) => p.push(cpath, Some(&g.id), format!("{text:?}: {e}")),
                    Ok(c)
                        if {
                            selector_terms += c.selector_terms();
                            selector_terms > MAX_SELECTOR_TERMS
                        } =>
                    {
                        if !too_many_terms {
                            too_many_terms = true;
                            p.push(
                                cpath,
                                Some(&g.id),
                                format!(
                                    "the grade conditions use more than {MAX_SELECTOR_TERMS} \
                                     selector terms in all"
                                ),
                            );
                        }
                    }
                    Ok(c) => match condition::resolve::resolve(&c, text, &scope) {
                        Ok(cc) => conditions.push(cc),
                        Err(e) => p.push(cpath, Some(&g.id), format!("{text:?}: {e}")),
                    },
                }
            }
            grades.push(Grade {
                id: g.id.clone(),
                title: g.title.clone(),
                conditions,
            });
        }
        drop(grade_ids);
        if !self.p.is_empty() {
            return Err(self.p);
        }
        rb.grades = grades;
        rb.source = src;
        Ok(rb)
    }
}

fn level_points<const N: usize>(
    p: &mut Problems,
    path: &str,
    id: Option<&str>,
    map: &BTreeMap<String, super::model::Num>,
    names: &[&str; N],
) -> Option<[Decimal; N]> {
    let mut out = [Decimal::ZERO; N];
    let mut ok = true;
    for k in map.keys() {
        if !names.contains(&k.as_str()) {
            p.push(
                format!("{path}.{k}"),
                id,
                format!(
                    "unknown level {k:?}: points are given for {}{}",
                    names.iter().rev().cloned().collect::<Vec<_>>().join(", "),
                    if N == 4 {
                        " (E is not applicable and has no points)"
                    } else {
                        " (na has no points)"
                    }
                ),
            );
            ok = false;
        }
    }
    for (r, name) in names.iter().enumerate() {
        match map.get(*name) {
            Some(v) if v.0 < Decimal::ZERO => {
                p.push(format!("{path}.{name}"), id, "points must not be negative");
                ok = false;
            }
            Some(v) => out[r] = v.0,
            None => {
                p.push(path, id, format!("no points for level {name:?}"));
                ok = false;
            }
        }
    }
    if ok && out.windows(2).any(|w| w[0] > w[1]) {
        p.push(
            path,
            id,
            format!(
                "a better level must not earn fewer points ({})",
                names
                    .iter()
                    .rev()
                    .zip(out.iter().rev())
                    .map(|(n, v)| format!("{n} = {}", v.normalize()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        ok = false;
    }
    ok.then_some(out)
}

#[allow(clippy::too_many_arguments)]
fn rule_for(
    p: &mut Problems,
    path: &str,
    n: &NodeSpec,
    outcomes: &FxHashMap<String, u32>,
    article_default: Option<[Decimal; 4]>,
    element_default: Option<[Decimal; 3]>,
    indicator_default: Option<Decimal>,
    params: &BTreeMap<String, Decimal>,
) -> Rule {
    let id = Some(n.id.as_str());
    let kind = n.kind;
    // Fields that belong to other kinds.
    let mut not_for = |field: &str, present: bool, allowed: &[NodeKind]| {
        if present && !allowed.contains(&kind) {
            p.push(
                format!("{path}.{field}"),
                id,
                format!(
                    "{field} does not apply to a {} (it applies to: {})",
                    kind.name(),
                    allowed
                        .iter()
                        .map(|k| k.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    };
    use NodeKind::*;
    not_for("aggregate", n.aggregate.is_some(), &[Group]);
    not_for("max_points", n.max_points.is_some(), &[Group, Indicator]);
    not_for("on_fail", n.on_fail.is_some(), &[Gate]);
    not_for("clearable", n.clearable.is_some(), &[Gate]);
    for (field, present) in [
        ("unit", n.unit.is_some()),
        ("scale", n.scale.is_some()),
        ("proportion", n.proportion.is_some()),
        ("numerator", n.numerator.is_some()),
        ("denominator", n.denominator.is_some()),
        ("direction", n.direction.is_some()),
        ("method", n.method.is_some()),
        ("target", n.target.is_some()),
        ("bands", !n.bands.is_empty()),
        ("otherwise", n.otherwise.is_some()),
        ("trend", n.trend.is_some()),
        ("from", n.from.is_some()),
    ] {
        not_for(field, present, &[Indicator]);
    }
    not_for("points", n.points.is_some(), &[Article, Element]);

    match kind {
        Group => Rule::Group {
            aggregate: n.aggregate.unwrap_or_default(),
            max_points: n.max_points.map(|m| m.0),
        },
        Gate => {
            let outcome = match &n.on_fail {
                None => {
                    p.push(
                        format!("{path}.on_fail"),
                        id,
                        "a gate needs on_fail: the outcome id when it fails",
                    );
                    0
                }
                Some(o) => match outcomes.get(o) {
                    Some(&ix) => ix,
                    None => {
                        p.push(
                            format!("{path}.on_fail"),
                            id,
                            format!("unknown outcome {o:?}: define it with [[outcome]]"),
                        );
                        0
                    }
                },
            };
            Rule::Gate { outcome }
        }
        Article => {
            let points = match &n.points {
                Some(m) => level_points(p, &format!("{path}.points"), id, m, &ARTICLE_LEVELS),
                None => {
                    if article_default.is_none() {
                        p.push(
                            format!("{path}.points"),
                            id,
                            "no points per level: give points or [defaults] article_points",
                        );
                    }
                    article_default
                }
            };
            Rule::Article {
                points: points.unwrap_or_default(),
            }
        }
        Element => {
            let points = match &n.points {
                Some(m) => level_points(p, &format!("{path}.points"), id, m, &ELEMENT_RESULTS),
                None => {
                    if element_default.is_none() {
                        p.push(
                            format!("{path}.points"),
                            id,
                            "no points per result: give points or [defaults] element_points",
                        );
                    }
                    element_default
                }
            };
            Rule::Element {
                points: points.unwrap_or_default(),
            }
        }
        Indicator => Rule::Indicator(Box::new(indicator_rule(
            p,
            path,
            n,
            indicator_default,
            params,
        ))),
    }
}

fn indicator_rule(
    p: &mut Problems,
    path: &str,
    n: &NodeSpec,
    indicator_default: Option<Decimal>,
    params: &BTreeMap<String, Decimal>,
) -> IndicatorRule {
    let id = Some(n.id.as_str());
    let direction = n.direction.unwrap_or_default();
    let method = match (n.method, direction) {
        (Some(m), Direction::Monitor) if m != Method::Monitor => {
            p.push(
                format!("{path}.method"),
                id,
                "a monitor-only indicator (direction = \"monitor\") is not scored: drop method",
            );
            Method::Monitor
        }
        (Some(m), _) => m,
        (None, Direction::Monitor) => Method::Monitor,
        (None, _) => {
            p.push(
                format!("{path}.method"),
                id,
                "an indicator needs a method: threshold, bands, trend or monitor",
            );
            Method::Monitor
        }
    };
    // A percentage is 100 × numerator / denominator unless the rulebook says otherwise.
    let scale = n.scale.map(|s| s.0).unwrap_or(match n.unit.as_deref() {
        Some("%") => Decimal::ONE_HUNDRED,
        Some("‰") => Decimal::from(1000),
        _ => Decimal::ONE,
    });
    if scale <= Decimal::ZERO {
        p.push(format!("{path}.scale"), id, "must be positive");
    }
    let unit_is_rate = matches!(n.unit.as_deref(), Some("%") | Some("‰"));
    let proportion = n.proportion.unwrap_or(unit_is_rate);
    let target = n
        .target
        .as_deref()
        .and_then(|t| match Interval::parse_with(t, params) {
            Ok(i) => Some(i),
            Err(e) => {
                p.push(format!("{path}.target"), id, e);
                None
            }
        });
    let mut bands = Vec::new();
    for (bi, b) in n.bands.iter().enumerate() {
        match Interval::parse_with(&b.when, params) {
            Ok(i) => bands.push((i, b.points.0)),
            Err(e) => p.push(format!("{path}.bands[{bi}].when"), id, e),
        }
        if b.points.0 < Decimal::ZERO {
            p.push(
                format!("{path}.bands[{bi}].points"),
                id,
                "must not be negative",
            );
        }
    }
    let trend = n.trend.as_ref().map(|t| {
        if t.periods < 2 || t.periods > 50 {
            p.push(
                format!("{path}.trend.periods"),
                id,
                "must be between 2 and 50",
            );
        }
        let tolerance = t.tolerance.map(|x| x.0).unwrap_or(Decimal::ZERO);
        if tolerance < Decimal::ZERO {
            p.push(
                format!("{path}.trend.tolerance"),
                id,
                "must not be negative",
            );
        }
        for (f, v) in [
            ("improving", t.improving.0),
            ("stable", t.stable.0),
            ("worsening", t.worsening.0),
            (
                "target_points",
                t.target_points.map_or(Decimal::ZERO, |x| x.0),
            ),
        ] {
            if v < Decimal::ZERO {
                p.push(format!("{path}.trend.{f}"), id, "must not be negative");
            }
        }
        if !(t.improving.0 >= t.stable.0 && t.stable.0 >= t.worsening.0) {
            p.push(
                format!("{path}.trend"),
                id,
                "improving must earn at least stable, and stable at least worsening",
            );
        }
        TrendRule {
            periods: t.periods.clamp(2, 50) as usize,
            tolerance,
            improving: t.improving.0,
            stable: t.stable.0,
            worsening: t.worsening.0,
            target_points: t.target_points.map(|x| x.0).unwrap_or(t.improving.0),
        }
    });
    if n.trend.as_ref().and_then(|t| t.target_points).is_some() && target.is_none() {
        p.push(
            format!("{path}.trend.target_points"),
            id,
            "needs a target on the indicator",
        );
    }
    // Method-specific requirements.
    match method {
        Method::Threshold if target.is_none() && n.target.is_none() => {
            p.push(
                format!("{path}.target"),
                id,
                "a threshold indicator needs a target, e.g. \">= 93\"",
            );
        }
        Method::Bands if n.bands.is_empty() => {
            p.push(
                format!("{path}.bands"),
                id,
                "a banded indicator needs bands",
            );
        }
        Method::Trend if n.trend.is_none() => {
            p.push(
                format!("{path}.trend"),
                id,
                "a trend indicator needs trend = { periods, ... }",
            );
        }
        Method::Trend if direction == Direction::Range => {
            p.push(
                format!("{path}.direction"),
                id,
                "a trend needs a direction (higher or lower); a range has no better way to move",
            );
        }
        _ => {}
    }
    // A target (threshold, or trend target points) must reward the indicator's direction.
    if let Some(t) = target
        .as_ref()
        .filter(|_| matches!(method, Method::Threshold | Method::Trend))
    {
        for test in &t.tests {
            let wrong = match direction {
                Direction::Higher => matches!(test.op, Op::Le | Op::Lt),
                Direction::Lower => matches!(test.op, Op::Ge | Op::Gt),
                Direction::Monitor | Direction::Range => false,
            };
            if wrong && t.tests.len() == 1 {
                p.push(
                    format!("{path}.target"),
                    id,
                    format!(
                        "direction is {} but the target {:?} rewards the other way",
                        format!("{direction:?}").to_lowercase(),
                        t.text
                    ),
                );
            }
        }
    }
    if method != Method::Bands && !n.bands.is_empty() {
        p.push(
            format!("{path}.bands"),
            id,
            "bands are only used with method = \"bands\"",
        );
    }
    if method != Method::Trend && n.trend.is_some() {
        p.push(
            format!("{path}.trend"),
            id,
            "trend is only used with method = \"trend\"",
        );
    }
    if method == Method::Bands && n.target.is_some() {
        p.push(
            format!("{path}.target"),
            id,
            "a banded indicator scores by its bands, not a target",
        );
    }
    let implied = match method {
        Method::Bands => bands
            .iter()
            .map(|b| b.1)
            .chain(n.otherwise.map(|o| o.0))
            .max(),
        Method::Trend => trend.as_ref().map(|t| t.improving.max(t.target_points)),
        _ => None,
    };
    let max_points = match (n.max_points.map(|m| m.0), implied) {
        (Some(m), Some(i)) if i > m => {
            p.push(
                format!("{path}.max_points"),
                id,
                format!(
                    "is {} but the scoring rules award up to {}",
                    m.normalize(),
                    i.normalize()
                ),
            );
            m
        }
        (Some(m), _) => m,
        (None, Some(i)) => i,
        (None, None) if method == Method::Monitor => Decimal::ZERO,
        (None, None) => match indicator_default {
            Some(d) => d,
            None => {
                p.push(
                    format!("{path}.max_points"),
                    id,
                    "no maximum points: give max_points or [defaults] indicator_points",
                );
                Decimal::ZERO
            }
        },
    };
    if max_points < Decimal::ZERO {
        p.push(format!("{path}.max_points"), id, "must not be negative");
    }
    if method != Method::Bands && n.otherwise.is_some() {
        p.push(
            format!("{path}.otherwise"),
            id,
            "otherwise is only used with method = \"bands\"",
        );
    }
    if n.otherwise.is_some_and(|o| o.0 < Decimal::ZERO) {
        p.push(format!("{path}.otherwise"), id, "must not be negative");
    }
    let from = n.from.as_ref().and_then(|v| {
        match serde_json::from_value::<Derived>(v.clone()) {
            Ok(d) => Some(d),
            Err(_) => {
                // Say which shape failed and why, from the shape the table names.
                let reason = if v.get("exams").is_some() {
                    serde_json::from_value::<crate::exams::ExamSource>(v.clone()).err()
                } else if v.get("training").is_some() {
                    serde_json::from_value::<crate::exams::TrainingSource>(v.clone()).err()
                } else {
                    None
                };
                p.push(
                    format!("{path}.from"),
                    id,
                    match reason {
                        Some(e) => e.to_string(),
                        None => "write { exams = \"participation_rate\", ... } or \
                                 { training = \"compliance_rate\", ... }"
                            .to_string(),
                    },
                );
                None
            }
        }
    });
    if from.is_some() && method == Method::Trend {
        p.push(
            format!("{path}.from"),
            id,
            "a value from records has a single period; score it by threshold or bands, not trend",
        );
    }
    IndicatorRule {
        unit: n.unit.clone(),
        scale,
        proportion,
        direction,
        method,
        max_points,
        target,
        bands,
        otherwise: n.otherwise.map(|o| o.0).unwrap_or(Decimal::ZERO),
        trend,
        from,
    }
}

struct RulebookScope<'a> {
    rb: &'a CompiledRulebook,
    outcome_index: &'a FxHashMap<String, u32>,
}

impl Scope for RulebookScope<'_> {
    fn node(&self, id: &str) -> Option<u32> {
        self.rb.node_index(id)
    }
    fn kind(&self, node: u32) -> NodeKind {
        self.rb.nodes[node as usize].kind
    }
    fn param(&self, name: &str) -> Option<Decimal> {
        self.rb.params.get(name).copied()
    }
    fn outcome(&self, id: &str) -> Option<u32> {
        self.outcome_index.get(id).copied()
    }
    fn level_rank(&self, kind: NodeKind, name: &str) -> Option<u8> {
        let names: &[&str] = match kind {
            NodeKind::Article => &ARTICLE_LEVELS,
            NodeKind::Element => &ELEMENT_RESULTS,
            _ => return None,
        };
        names.iter().position(|n| *n == name).map(|r| r as u8)
    }
    fn matching(&self, term: &Term) -> Result<Vec<bool>, String> {
        let nodes = &self.rb.nodes;
        let all = |f: &dyn Fn(&Node) -> bool| nodes.iter().map(f).collect::<Vec<bool>>();
        Ok(match term {
            Term::All => all(&|n| n.depth > 0),
            Term::Criteria => {
                all(&|n| n.kind != NodeKind::Group && n.kind != NodeKind::Gate && n.scored)
            }
            Term::Kind(k) => all(&|n| n.kind == *k && n.depth > 0),
            Term::Flag(f) => {
                let ix = self.rb.flag_names().position(|x| x == f).ok_or_else(|| {
                    format!(
                        "unknown word {f:?} in a selector: not a kind (articles, elements, \
                             indicators, gates, groups, criteria, all), a keyword (not, under, \
                             children of, tier, department) or a declared flag"
                    )
                })? as u16;
                all(&|n| n.flags.contains(&ix))
            }
            Term::Under(id) => {
                let i = self
                    .rb
                    .node_index(id)
                    .ok_or_else(|| format!("unknown node id {id:?}"))?;
                let (s, e) = (i as usize + 1, nodes[i as usize].end as usize);
                (0..nodes.len()).map(|k| k >= s && k < e).collect()
            }
            Term::ChildrenOf(id) => {
                let i = self
                    .rb
                    .node_index(id)
                    .ok_or_else(|| format!("unknown node id {id:?}"))?;
                all(&|n| n.parent == Some(i))
            }
            Term::Tier(t) => {
                if !nodes.iter().any(|n| n.tier.as_deref() == Some(t)) {
                    return Err(format!("no node has tier {t:?}"));
                }
                all(&|n| n.tier.as_deref() == Some(t))
            }
            Term::Department(d) => {
                if !nodes.iter().any(|n| n.department.as_deref() == Some(d)) {
                    return Err(format!("no node has department {d:?}"));
                }
                all(&|n| n.department.as_deref() == Some(d))
            }
            Term::Not(inner) => self
                .matching(inner)?
                .into_iter()
                .zip(nodes)
                .map(|(b, n)| !b && n.depth > 0)
                .collect(),
        })
    }
}
