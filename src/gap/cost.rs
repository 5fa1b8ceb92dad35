//! What a change costs: one per change unless the user says otherwise.
//!
//! A cost file (TOML or JSON) gives costs by criterion, by department and by kind (the most
//! specific wins), an extra cost per level beyond the first (raising C → A is two levels), and
//! the criteria that cannot change at all:
//!
//! ```toml
//! default = 1                 # a change nobody priced
//! per_extra_level = 0.5       # C → A costs one more half than C → B
//! fixed = ["2.2.7"]           # never plan a change here
//!
//! [kind]
//! indicator = 3               # monitoring data moves slowly
//!
//! [department]
//! "医务部" = 2
//!
//! [criterion]
//! "3.1.2" = 5
//! ```
//!
//! Costs are exact decimals (`1`, `0.5`, `"2.25"`), never negative.

use super::GapError;
use crate::rulebook::compile::Node;
use crate::rulebook::load::{deserialize, read_text, Format};
use crate::rulebook::model::{NodeKind, Num};
use crate::Rulebook;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The largest cost one change may have (sums of costs stay exact far below the decimals'
/// range).
pub const MAX_COST: u64 = 1_000_000_000;

/// What each change of a plan costs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostModel {
    /// Cost of a change no other entry prices (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Num>,
    /// Extra cost per level beyond the first when an article or element is raised several
    /// levels at once (default 0: a change is a change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_extra_level: Option<Num>,
    /// Cost by criterion kind: `article`, `element`, `indicator`, `gate`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub kind: BTreeMap<String, Num>,
    /// Cost by responsible department (a criterion's own or inherited department).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub department: BTreeMap<String, Num>,
    /// Cost by criterion id (wins over department and kind).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub criterion: BTreeMap<String, Num>,
    /// Criteria (ids) or departments whose evidence cannot change: no plan touches them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixed: Vec<String>,
}

impl CostModel {
    /// One per change.
    pub fn unit() -> CostModel {
        CostModel::default()
    }

    /// Read a cost file (`.toml` or `.json`).
    pub fn load(path: impl AsRef<Path>) -> Result<CostModel, GapError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let format = Format::from_path(path).ok_or_else(|| {
            GapError::Costs(format!("{name}: a cost file ends in .toml or .json"))
        })?;
        let text = read_text(path).map_err(|m| GapError::Costs(format!("{name}: {m}")))?;
        CostModel::parse(&text, format).map_err(|e| match e {
            GapError::Costs(m) => GapError::Costs(format!("{name}: {m}")),
            other => other,
        })
    }

    /// Read a cost model from text.
    pub fn parse(text: &str, format: Format) -> Result<CostModel, GapError> {
        let v: serde_json::Value = deserialize(text, format).map_err(|(path, msg)| {
            GapError::Costs(if path.is_empty() {
                msg
            } else {
                format!("{path}: {msg}")
            })
        })?;
        CostModel::from_value(&v)
    }

    /// Read a cost model from a JSON-like value (e.g. a Python dict).
    pub fn from_value(v: &serde_json::Value) -> Result<CostModel, GapError> {
        serde_path_to_error::deserialize(v).map_err(|e| {
            let path = e.path().to_string();
            let msg = e.into_inner().to_string();
            GapError::Costs(if path == "." || path.is_empty() {
                msg
            } else {
                format!("{path}: {msg}")
            })
        })
    }

    /// Check the model against a rulebook: known kinds, departments and criteria, no negative
    /// costs. Every problem is listed.
    pub fn check(&self, rb: &Rulebook) -> Result<(), GapError> {
        let mut problems = Vec::new();
        let mut nonneg = |what: String, n: &Num| {
            if n.0 < Decimal::ZERO {
                problems.push(format!("{what}: a cost must not be negative"));
            } else if n.0 > Decimal::from(MAX_COST) {
                problems.push(format!("{what}: a cost is at most {MAX_COST}"));
            }
        };
        if let Some(d) = &self.default {
            nonneg("default".into(), d);
        }
        if let Some(d) = &self.per_extra_level {
            nonneg("per_extra_level".into(), d);
        }
        for (k, v) in &self.kind {
            nonneg(format!("kind.{k}"), v);
        }
        for (k, v) in &self.department {
            nonneg(format!("department.{k:?}"), v);
        }
        for (k, v) in &self.criterion {
            nonneg(format!("criterion.{k:?}"), v);
        }
        for k in self.kind.keys() {
            if !["article", "element", "indicator", "gate"].contains(&k.as_str()) {
                problems.push(format!(
                    "kind.{k}: unknown kind (use article, element, indicator or gate)"
                ));
            }
        }
        let departments: BTreeSet<&str> = rb
            .nodes()
            .iter()
            .filter_map(|n| n.department.as_deref())
            .collect();
        for k in self.department.keys() {
            if !departments.contains(k.as_str()) {
                problems.push(format!(
                    "department.{k:?}: no criterion of rulebook {} has this department",
                    rb.meta().id
                ));
            }
        }
        let criterion = |id: &str| {
            rb.node(id)
                .is_some_and(|n| !matches!(n.kind, NodeKind::Group))
        };
        for k in self.criterion.keys() {
            if !criterion(k) {
                problems.push(format!(
                    "criterion.{k:?}: not a criterion of rulebook {}",
                    rb.meta().id
                ));
            }
        }
        for k in &self.fixed {
            if !criterion(k) && !departments.contains(k.as_str()) {
                problems.push(format!(
                    "fixed: {k:?} is neither a criterion nor a department of rulebook {}",
                    rb.meta().id
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(GapError::Costs(problems.join("; ")))
        }
    }

    /// Whether a criterion may not change, and why.
    pub(crate) fn fixed_reason(&self, node: &Node) -> Option<String> {
        if self.fixed.contains(&node.id) {
            return Some("listed as fixed in the costs".into());
        }
        let d = node.department.as_deref()?;
        self.fixed
            .iter()
            .any(|f| f == d)
            .then(|| format!("its department {d} is listed as fixed in the costs"))
    }

    /// The cost of changing a criterion by `levels` levels (1 for indicators and gates).
    pub(crate) fn cost(&self, node: &Node, levels: u32) -> Decimal {
        let base = self
            .criterion
            .get(&node.id)
            .or_else(|| {
                node.department
                    .as_deref()
                    .and_then(|d| self.department.get(d))
            })
            .or_else(|| self.kind.get(node.kind.name()))
            .or(self.default.as_ref())
            .map_or(Decimal::ONE, |n| n.0);
        let extra = self.per_extra_level.map_or(Decimal::ZERO, |n| n.0);
        base + extra * Decimal::from(levels.saturating_sub(1))
    }

    /// Whether every cost is a whole number (lower bounds can then be rounded up).
    pub(crate) fn integral(&self) -> bool {
        let whole = |n: &Num| n.0.fract().is_zero();
        self.default.iter().all(whole)
            && self.per_extra_level.iter().all(whole)
            && self.kind.values().all(whole)
            && self.department.values().all(whole)
            && self.criterion.values().all(whole)
    }
}
