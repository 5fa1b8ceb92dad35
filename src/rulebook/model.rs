//! The rulebook file format, as written in TOML or JSON.
//!
//! These types mirror the file one to one (unknown fields are rejected). They are checked and
//! indexed by [`compile`](super::compile) into a [`Rulebook`](super::Rulebook); nothing here is
//! scored directly. See `docs/rulebook-format.md` for the format with examples.

use crate::ratio::{decimal_from_f64, parse_decimal};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// An exact decimal as written in a file: an integer, a float (read as typed, up to 15
/// significant digits) or a string such as `"0.95"`, `"95%"` or `"5‰"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Num(pub Decimal);

impl Num {
    /// The decimal value.
    pub fn get(self) -> Decimal {
        self.0
    }
}

impl From<Decimal> for Num {
    fn from(d: Decimal) -> Self {
        Num(d)
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

impl Serialize for Num {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.normalize().to_string())
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a decimal string such as \"0.95\" or \"95%\"")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Num, E> {
                Ok(Num(Decimal::from(v)))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Num, E> {
                Ok(Num(Decimal::from(v)))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Num, E> {
                let d = decimal_from_f64(v)
                    .ok_or_else(|| E::custom(format!("{v} is not a finite number in range")))?;
                // A float literal with more than 15 significant digits cannot be read exactly:
                // its 15-digit reading does not convert back to the same float.
                if d.to_string().parse::<f64>().ok() != Some(v) {
                    return Err(E::custom(format!(
                        "{v:?} has more than 15 significant digits; sanjia reads numbers exactly \
                         to 15"
                    )));
                }
                parse_decimal(&d.to_string()).map_err(E::custom)?;
                Ok(Num(d))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Num, E> {
                parse_decimal(v).map(Num).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// A whole rulebook file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulebookFile {
    /// Identity, edition and sources.
    pub rulebook: Meta,
    /// How and where points are rounded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rounding: Option<RoundingSpec>,
    /// What missing evidence counts as, per criterion kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<MissingSpec>,
    /// Default points for criterion kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defaults: Option<DefaultsSpec>,
    /// How the parts add up to the total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<TotalSpec>,
    /// Named numbers used by grade conditions (`$name`), e.g. grade cut-offs.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, ParamSpec>,
    /// Outcomes a failed gate can have.
    #[serde(default, rename = "outcome", skip_serializing_if = "Vec::is_empty")]
    pub outcomes: Vec<OutcomeSpec>,
    /// The tree of parts, chapters, sections and criteria, in order (parents before children).
    #[serde(default, rename = "node", skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<NodeSpec>,
    /// The grades, best first.
    #[serde(default, rename = "grade", skip_serializing_if = "Vec::is_empty")]
    pub grades: Vec<GradeSpec>,
    /// Layering only: changes to nodes of the rulebook this one extends, by id (any node
    /// field except `id`).
    #[serde(default, rename = "patch", skip_serializing_if = "Vec::is_empty")]
    pub patches: Vec<serde_json::Map<String, serde_json::Value>>,
    /// Layering only: ids of nodes (with their subtrees) to drop from the extended rulebook.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove: Vec<String>,
    /// The 三基 exam policy (pass marks, make-ups, exemptions, targets) for criteria that take
    /// their value from exam records; fields left out keep the built-in policy
    /// (`rulebooks/policy/exams-default.toml`). See [`crate::exams::Policy`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exams: Option<serde_json::Value>,
    /// Training and drill minimums for criteria that take their value from training records;
    /// without it, the built-in requirements (`rulebooks/policy/training-default.toml`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training: Option<serde_json::Value>,
}

/// Identity of a rulebook.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Short identifier, e.g. `cn-tertiary-2022`.
    pub id: String,
    /// The rulebook this one layers over: a built-in name or a path relative to this file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// Title as published.
    pub title: String,
    /// Jurisdiction, e.g. `CN`, `CN-GD`, `international`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    /// Edition of the standard, e.g. `2022`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edition: Option<String>,
    /// Date the standard takes effect (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<String>,
    /// Version of this rulebook file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Free description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Names of tree levels by depth, e.g. `["part", "chapter", "section", "article"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<String>,
    /// Flags nodes may carry, with their meaning, e.g. `core = "核心条款 ★"`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub flags: BTreeMap<String, String>,
    /// Where the structure and numbers come from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<SourceSpec>,
}

/// A published source.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// Short key nodes can cite (`source = "key"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Title of the document.
    pub title: String,
    /// Where to find it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Remarks, e.g. what was and was not verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Rounding rule. Fields left out take their defaults (2 places, half-up, at the total), or,
/// in a rulebook that extends another, the extended rulebook's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundingSpec {
    /// Decimal places kept (default 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub places: Option<u32>,
    /// How halves are rounded (default half-up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<RoundingMode>,
    /// The level where rounding applies, and every level above it (default the total).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<RoundingLevel>,
}

/// How halves are rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoundingMode {
    /// 0.125 → 0.13 (四舍五入).
    #[default]
    HalfUp,
    /// 0.125 → 0.12 (banker's rounding).
    HalfEven,
    /// Always towards zero.
    Down,
}

/// Where rounding applies. Each level includes the ones above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoundingLevel {
    /// Only the total.
    #[default]
    Total,
    /// The parts (the total's children) and the total.
    Parts,
    /// Every group node and the total.
    Nodes,
    /// Every criterion, every group node and the total.
    Criteria,
}

/// What missing evidence counts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MissingAction {
    /// The worst result: 0 points, level D, not met, or a failed gate.
    Zero,
    /// Not applicable: left out of points and denominators.
    NotApplicable,
    /// Scoring stops with an error listing every missing criterion.
    Error,
}

/// Missing-evidence policy per criterion kind. Nodes may override it with `missing = ...`.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MissingSpec {
    /// Gates without an answer (default: error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<MissingAction>,
    /// Indicators without a value (default: zero).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator: Option<MissingAction>,
    /// Articles without a level (default: zero).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<MissingAction>,
    /// Elements without a result (default: zero).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<MissingAction>,
}

/// Defaults for criterion kinds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultsSpec {
    /// Points per article level `A`, `B`, `C`, `D`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article_points: Option<BTreeMap<String, Num>>,
    /// Points per element result `met`, `partial`, `not_met`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element_points: Option<BTreeMap<String, Num>>,
    /// Maximum points of an indicator that does not give its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator_points: Option<Num>,
}

/// How children's points add up at a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Aggregate {
    /// Sum of applicable children's points over the sum of their maximums.
    #[default]
    Sum,
    /// Children's rates (points / max) weighted by their `weight`; not-applicable children leave
    /// the denominator. The node's maximum is its `max_points`, or the sum of the weights.
    Weighted,
    /// Mean of applicable children's points.
    Mean,
    /// Mean over every applicable scored criterion below the node (e.g. JCI elements).
    LeafMean,
}

/// The total (the tree's root).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TotalSpec {
    /// Title shown for the total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// How the parts add up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregate: Option<Aggregate>,
    /// Rescale the total to this many points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_points: Option<Num>,
}

/// A named number used in grade conditions.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ParamSpec {
    /// Just the number.
    Plain(Num),
    /// The number with its provenance.
    Documented(DocumentedParam),
}

// Written by hand: a derived untagged enum reports only "data did not match any variant",
// hiding why a number or a documented parameter's field is wrong.
impl<'de> Deserialize<'de> for ParamSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{value::MapAccessDeserializer, IntoDeserializer};
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = ParamSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a number, a decimal string such as \"95%\", or a table with value = ...",
                )
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<ParamSpec, E> {
                Num::deserialize(v.into_deserializer()).map(ParamSpec::Plain)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ParamSpec, E> {
                Num::deserialize(v.into_deserializer()).map(ParamSpec::Plain)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<ParamSpec, E> {
                Num::deserialize(v.into_deserializer()).map(ParamSpec::Plain)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ParamSpec, E> {
                Num::deserialize(v.into_deserializer()).map(ParamSpec::Plain)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, m: A) -> Result<ParamSpec, A::Error> {
                DocumentedParam::deserialize(MapAccessDeserializer::new(m))
                    .map(ParamSpec::Documented)
            }
        }
        d.deserialize_any(V)
    }
}

impl ParamSpec {
    /// The value.
    pub fn value(&self) -> Decimal {
        match self {
            ParamSpec::Plain(n) => n.0,
            ParamSpec::Documented(p) => p.value.0,
        }
    }
}

/// A parameter with its provenance.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentedParam {
    /// The number.
    pub value: Num,
    /// What it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Where it comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Whether it was checked against the official text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<bool>,
    /// Remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What a failed gate does to the grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effect {
    /// No grade is awarded; the outcome is the review's result (e.g. review deferred).
    NoGrade,
    /// The grade is lowered by `steps` places in the grade list.
    Downgrade,
    /// Recorded only; grade conditions may refer to it.
    #[default]
    Record,
}

/// An outcome of a failed gate.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeSpec {
    /// Identifier used by gates (`on_fail`) and conditions.
    pub id: String,
    /// Title, e.g. `延期一年评审`.
    pub title: String,
    /// What it does to the grade.
    #[serde(default)]
    pub effect: Effect,
    /// Places to lower the grade by (for `downgrade`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<u32>,
    /// Whether a gate failed with this outcome can be cleared before the review decides
    /// (rectified and re-answered); default true. Write `false` for facts that no
    /// rectification undoes, e.g. a major incident that happened in the review cycle. Gap
    /// analysis never plans to clear such a gate and says the grade it blocks is out of reach.
    /// A gate's own `clearable` overrides this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clearable: Option<bool>,
    /// Where it comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The kind of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    /// A part, chapter or section: its points come from its children.
    #[default]
    Group,
    /// A prerequisite (前置要求): pass or fail, outside the points.
    Gate,
    /// Monitoring data: a value per period.
    Indicator,
    /// An on-site article with levels A–E.
    Article,
    /// A measurable element: met, partially met, not met, not applicable.
    Element,
}

impl NodeKind {
    /// The kind's name with its article, for messages: "a gate", "an indicator".
    pub fn a_name(self) -> &'static str {
        match self {
            NodeKind::Group => "a group",
            NodeKind::Gate => "a gate",
            NodeKind::Indicator => "an indicator",
            NodeKind::Article => "an article",
            NodeKind::Element => "an element",
        }
    }

    /// The kind's name as written in files.
    pub fn name(self) -> &'static str {
        match self {
            NodeKind::Group => "group",
            NodeKind::Gate => "gate",
            NodeKind::Indicator => "indicator",
            NodeKind::Article => "article",
            NodeKind::Element => "element",
        }
    }
}

/// Which way an indicator is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Higher values are better.
    #[default]
    Higher,
    /// Lower values are better.
    Lower,
    /// Reported, not scored.
    Monitor,
    /// Two-sided: good is a range (e.g. bed occupancy 85–95%), said by the bands or a target
    /// such as `">= 85 and <= 95"`.
    Range,
}

/// How an indicator is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// All points when `target` holds, none otherwise.
    Threshold,
    /// The first band whose `when` holds gives its points.
    Bands,
    /// Improving / stable / worsening over the last `periods` periods.
    Trend,
    /// Not scored (value reported only).
    Monitor,
}

/// One band of a banded indicator.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandSpec {
    /// One or two comparisons joined by `and`, e.g. `">= 90 and < 95"`.
    pub when: String,
    /// Points awarded.
    pub points: Num,
}

/// Trend scoring.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrendSpec {
    /// Number of periods compared (the latest ones), at least 2.
    pub periods: u32,
    /// Changes within ± tolerance (in the indicator's unit) count as stable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<Num>,
    /// Points when improving.
    pub improving: Num,
    /// Points when stable.
    pub stable: Num,
    /// Points when worsening.
    pub worsening: Num,
    /// Points when the latest value meets the node's `target` (if given), whatever the trend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_points: Option<Num>,
}

/// One node of the tree.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    /// Unique identifier, e.g. `1.1.3.1`.
    pub id: String,
    /// Title.
    pub title: String,
    /// Parent id; top-level parts have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Kind (default `group`).
    #[serde(default)]
    pub kind: NodeKind,
    /// Weight in a `weighted` parent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<Num>,
    /// Flags declared in `[rulebook.flags]`, e.g. `["core"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
    /// Responsible department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Tier name, overriding `[rulebook] tiers` by depth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Group: how children add up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregate: Option<Aggregate>,
    /// Group: rescale to this many points. Indicator: maximum points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_points: Option<Num>,
    /// Gate: outcome id when the gate fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_fail: Option<String>,
    /// Gate: whether a failure can be cleared before the review decides (default: the
    /// outcome's `clearable`, else true). `false` for facts such as a major incident in the
    /// cycle or falsified data found by the review; gap analysis never plans to clear it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clearable: Option<bool>,
    /// Indicator: unit shown with values, e.g. `%`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Indicator: value = scale × numerator / denominator. Default 100 when the unit is `%`,
    /// 1000 for `‰`, otherwise 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<Num>,
    /// Indicator: numerator and denominator are a proportion (numerator ≤ denominator).
    /// Default: true when the unit is `%` or `‰`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proportion: Option<bool>,
    /// Indicator: description of the numerator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerator: Option<String>,
    /// Indicator: description of the denominator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<String>,
    /// Indicator: which way is better.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// Indicator: scoring method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<Method>,
    /// Indicator: target, e.g. `">= 93"` (threshold; optional for trend).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Indicator: bands, first match wins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bands: Vec<BandSpec>,
    /// Indicator: points when no band matches (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otherwise: Option<Num>,
    /// Indicator: trend rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trend: Option<TrendSpec>,
    /// Indicator: take the value from staff records instead of the evidence, e.g.
    /// `{ exams = "participation_rate", categories = ["医师", "护士"] }` (see
    /// [`crate::exams::ExamSource`]) or `{ training = "compliance_rate" }` (see
    /// [`crate::exams::TrainingSource`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<serde_json::Value>,
    /// Article / element: points per level, overriding the defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<BTreeMap<String, Num>>,
    /// What missing evidence counts as for this criterion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<MissingAction>,
    /// Where this node comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Whether its numbers were checked against the official text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<bool>,
    /// Remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A grade and the conditions that award it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeSpec {
    /// Identifier, e.g. `甲等`.
    pub id: String,
    /// Title, e.g. `三级甲等`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Conditions that must all hold (an empty list always holds).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub when: Vec<String>,
    /// Where the rule comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Whether it was checked against the official text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<bool>,
    /// Remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}
