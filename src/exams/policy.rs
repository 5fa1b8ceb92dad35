//! The exam policy: pass marks, make-up counting, component rules, accepted exemption reasons,
//! which pass rate is judged, and the targets. Rules are data: the built-in numbers live in
//! `rulebooks/policy/exams-default.toml`, with their sources.
//!
//! # TOML shape
//!
//! Every field is optional in a user's policy; a missing field keeps the built-in value (so a
//! province file can say only `pass_mark = 80`). Unknown fields are errors.
//!
//! ```toml
//! pass_mark = 60                 # a number or a string ("59.5"); 0 <= pass_mark <= full_mark
//! full_mark = 100                # scores must lie in [0, full_mark]
//! makeup_counts = true           # does a make-up (补考) pass count for the final rate?
//! judge = "first"                # "first" (一次合格率) or "final" (最终合格率) is judged
//! components = "all"             # "all": every component must reach the pass mark;
//!                                # "total": the total (or weighted total) must
//! required_components = []       # components that must be present under "all" (empty: the
//!                                # components present in each sitting)
//! component_weights = { theory = 0.4, skill = 0.6 }   # for "total" without a score column;
//!                                # positive, summing to exactly 1
//! exempt_reasons = ["产假", "长期病假", "外出进修"]    # reasons that leave the denominator
//! participation_target = ">= 100%"
//! pass_target = ">= 95%"
//! pass_rate_denominator = "sat"  # pass rates over "sat" (实考) or "expected" (应考)
//! sources = ["..."]              # where the numbers come from (kept, not interpreted)
//! notes = { pass_mark = "convention" }                 # per-field notes (kept)
//!
//! [kinds."三基操作"]              # overrides for one exam kind (any of the rule fields above:
//! pass_mark = 80                 # pass_mark, full_mark, makeup_counts, judge, components,
//! makeup_counts = false          # required_components, component_weights)
//! ```
//!
//! ```
//! use sanjia::exams::Policy;
//! let p = Policy::from_toml_str("pass_mark = 80\n[kinds.\"三基理论\"]\nmakeup_counts = false").unwrap();
//! assert_eq!(p.rule.pass_mark, 80.into());
//! assert!(!p.rule_for_kind(Some("三基理论")).makeup_counts);
//! assert_eq!(p.rule_for_kind(Some("三基理论")).pass_mark, 80.into());
//! ```

use super::error::PolicyError;
use crate::ratio::{decimal_from_f64, parse_decimal, Target};
use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

/// The built-in policy's TOML text (`rulebooks/policy/exams-default.toml`).
pub const DEFAULT_POLICY_TOML: &str = include_str!("../../rulebooks/policy/exams-default.toml");

/// Which pass rate decides `pass_met`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Judge {
    /// The first-attempt pass rate (一次合格率).
    First,
    /// The final pass rate (最终合格率), counting make-ups when `makeup_counts` is true.
    Final,
}

/// The denominator of the pass rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PassDenominator {
    /// Passed ÷ sat (实考), as domain.md §2 defines 一次合格率 / 最终合格率.
    Sat,
    /// Passed ÷ expected (应考): an absentee counts as not passed.
    Expected,
}

/// How a sitting's component scores decide a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentRule {
    /// Every component (theory, skill, ...) must reach the pass mark. Which components: the
    /// policy's `required_components` if given (a missing one fails), otherwise those present
    /// in the sitting; a sitting without component scores is judged on its total score.
    All,
    /// The total must reach the pass mark: the `score` column, or, where it is null, the
    /// weighted sum of the components with the policy's `component_weights` (a missing
    /// component counts 0).
    Total,
}

/// The rules for judging one exam's sittings (the policy's defaults, possibly overridden per
/// exam kind, and per exam by the exams table's `pass_mark` and `full_mark`).
#[derive(Debug, Clone, PartialEq)]
pub struct ExamRule {
    /// The pass mark: a score `>=` it passes.
    pub pass_mark: Decimal,
    /// The full mark: scores must lie in `[0, full_mark]`.
    pub full_mark: Decimal,
    /// Whether a make-up pass counts for the final rate (when false it counts as a fail).
    pub makeup_counts: bool,
    /// Which rate is judged against the pass target.
    pub judge: Judge,
    /// How components decide a pass.
    pub components: ComponentRule,
    /// Components that must be present and pass under [`ComponentRule::All`].
    pub required_components: Vec<String>,
    /// Component weights for [`ComponentRule::Total`] without a total score.
    pub component_weights: BTreeMap<String, Decimal>,
}

/// Per-exam-kind overrides of the [`ExamRule`] fields; `None` keeps the policy's value.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleOverride {
    /// See [`ExamRule::pass_mark`].
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub pass_mark: Option<Decimal>,
    /// See [`ExamRule::full_mark`].
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub full_mark: Option<Decimal>,
    /// See [`ExamRule::makeup_counts`].
    #[serde(default)]
    pub makeup_counts: Option<bool>,
    /// See [`ExamRule::judge`].
    #[serde(default)]
    pub judge: Option<Judge>,
    /// See [`ExamRule::components`].
    #[serde(default)]
    pub components: Option<ComponentRule>,
    /// See [`ExamRule::required_components`].
    #[serde(default)]
    pub required_components: Option<Vec<String>>,
    /// See [`ExamRule::component_weights`].
    #[serde(default, deserialize_with = "de_opt_weights")]
    pub component_weights: Option<BTreeMap<String, Decimal>>,
}

impl RuleOverride {
    fn merge_over(&self, base: &RuleOverride) -> RuleOverride {
        RuleOverride {
            pass_mark: self.pass_mark.or(base.pass_mark),
            full_mark: self.full_mark.or(base.full_mark),
            makeup_counts: self.makeup_counts.or(base.makeup_counts),
            judge: self.judge.or(base.judge),
            components: self.components.or(base.components),
            required_components: self
                .required_components
                .clone()
                .or_else(|| base.required_components.clone()),
            component_weights: self
                .component_weights
                .clone()
                .or_else(|| base.component_weights.clone()),
        }
    }

    fn apply(&self, rule: &ExamRule) -> ExamRule {
        ExamRule {
            pass_mark: self.pass_mark.unwrap_or(rule.pass_mark),
            full_mark: self.full_mark.unwrap_or(rule.full_mark),
            makeup_counts: self.makeup_counts.unwrap_or(rule.makeup_counts),
            judge: self.judge.unwrap_or(rule.judge),
            components: self.components.unwrap_or(rule.components),
            required_components: self
                .required_components
                .clone()
                .unwrap_or_else(|| rule.required_components.clone()),
            component_weights: self
                .component_weights
                .clone()
                .unwrap_or_else(|| rule.component_weights.clone()),
        }
    }
}

/// The exam policy. Build it with [`Policy::builtin`] (the data file), [`Policy::from_toml_str`]
/// (a partial TOML over the built-in values), [`Policy::with_toml`] (a partial TOML over this
/// policy), or by deserializing it inside a rulebook (same partial semantics); or edit the
/// public fields. [`crate::exams::evaluate()`] validates it before use.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The default rule for every exam.
    pub rule: ExamRule,
    /// Overrides per exam kind (the exams table's `kind` column).
    pub kinds: BTreeMap<String, RuleOverride>,
    /// Exemption reasons that take a person out of the denominator (exact match after
    /// trimming). Every other reason is recorded but leaves the person expected.
    pub exempt_reasons: Vec<String>,
    /// Target for the participation rate (参考率).
    pub participation_target: Target,
    /// Target for the judged pass rate.
    pub pass_target: Target,
    /// The denominator of the pass rates (sat or expected).
    pub pass_rate_denominator: PassDenominator,
    /// Where the numbers come from (kept for reports; not interpreted).
    pub sources: Vec<String>,
    /// Notes per field (e.g. which numbers are conventions); kept for reports.
    pub notes: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicySpec {
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pass_mark: Option<Decimal>,
    #[serde(default, deserialize_with = "de_opt_decimal")]
    full_mark: Option<Decimal>,
    #[serde(default)]
    makeup_counts: Option<bool>,
    #[serde(default)]
    judge: Option<Judge>,
    #[serde(default)]
    components: Option<ComponentRule>,
    #[serde(default)]
    required_components: Option<Vec<String>>,
    #[serde(default, deserialize_with = "de_opt_weights")]
    component_weights: Option<BTreeMap<String, Decimal>>,
    #[serde(default)]
    exempt_reasons: Option<Vec<String>>,
    #[serde(default, deserialize_with = "de_opt_target")]
    participation_target: Option<Target>,
    #[serde(default, deserialize_with = "de_opt_target")]
    pass_target: Option<Target>,
    #[serde(default)]
    pass_rate_denominator: Option<PassDenominator>,
    #[serde(default)]
    kinds: Option<BTreeMap<String, RuleOverride>>,
    #[serde(default)]
    sources: Option<Vec<String>>,
    #[serde(default)]
    notes: Option<BTreeMap<String, String>>,
}

impl PolicySpec {
    fn rule_override(&self) -> RuleOverride {
        RuleOverride {
            pass_mark: self.pass_mark,
            full_mark: self.full_mark,
            makeup_counts: self.makeup_counts,
            judge: self.judge,
            components: self.components,
            required_components: self.required_components.clone(),
            component_weights: self.component_weights.clone(),
        }
    }

    /// A complete policy from a spec that sets every field (the built-in file).
    fn complete(self) -> Result<Policy, PolicyError> {
        fn need<T>(v: Option<T>, field: &str) -> Result<T, PolicyError> {
            v.ok_or_else(|| PolicyError::Invalid {
                field: field.to_string(),
                message: "the built-in policy must set every field".to_string(),
            })
        }
        let rule = ExamRule {
            pass_mark: need(self.pass_mark, "pass_mark")?,
            full_mark: need(self.full_mark, "full_mark")?,
            makeup_counts: need(self.makeup_counts, "makeup_counts")?,
            judge: need(self.judge, "judge")?,
            components: need(self.components, "components")?,
            required_components: self.required_components.unwrap_or_default(),
            component_weights: self.component_weights.unwrap_or_default(),
        };
        let p = Policy {
            rule,
            kinds: self.kinds.unwrap_or_default(),
            exempt_reasons: need(self.exempt_reasons, "exempt_reasons")?,
            participation_target: need(self.participation_target, "participation_target")?,
            pass_target: need(self.pass_target, "pass_target")?,
            pass_rate_denominator: need(self.pass_rate_denominator, "pass_rate_denominator")?,
            sources: self.sources.unwrap_or_default(),
            notes: self.notes.unwrap_or_default(),
        };
        p.validate()?;
        Ok(p)
    }
}

fn parse_spec(text: &str) -> Result<PolicySpec, PolicyError> {
    let de = toml::Deserializer::parse(text).map_err(|e| PolicyError::Toml {
        path: String::new(),
        message: e.to_string(),
    })?;
    serde_path_to_error::deserialize(de).map_err(|e| PolicyError::Toml {
        path: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

impl Policy {
    /// The built-in policy, read from `rulebooks/policy/exams-default.toml` (embedded at compile
    /// time): pass mark 60 of 100, make-ups count for the final rate, the first-attempt rate is
    /// judged, every component must pass, participation `>= 100%`, pass `>= 95%`. The file
    /// says which of these are conventions.
    pub fn builtin() -> Policy {
        static BUILTIN: OnceLock<Policy> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                parse_spec(DEFAULT_POLICY_TOML)
                    .and_then(PolicySpec::complete)
                    .unwrap_or_else(|e| panic!("the built-in exam policy file is invalid: {e}"))
            })
            .clone()
    }

    /// A policy from TOML: the fields given replace the built-in ones (see the module docs for
    /// the shape). Validated.
    pub fn from_toml_str(text: &str) -> Result<Policy, PolicyError> {
        Policy::builtin().with_toml(text)
    }

    /// This policy with the fields of a (partial) TOML policy replacing its own. Validated.
    pub fn with_toml(&self, text: &str) -> Result<Policy, PolicyError> {
        let spec = parse_spec(text)?;
        let p = self.merged(spec);
        p.validate()?;
        Ok(p)
    }

    fn merged(&self, spec: PolicySpec) -> Policy {
        let rule = spec.rule_override().apply(&self.rule);
        let mut kinds = self.kinds.clone();
        if let Some(user) = &spec.kinds {
            for (k, o) in user {
                let merged = match kinds.get(k) {
                    Some(base) => o.merge_over(base),
                    None => o.clone(),
                };
                kinds.insert(k.clone(), merged);
            }
        }
        let mut notes = self.notes.clone();
        if let Some(n) = spec.notes {
            notes.extend(n);
        }
        Policy {
            rule,
            kinds,
            exempt_reasons: spec
                .exempt_reasons
                .unwrap_or_else(|| self.exempt_reasons.clone()),
            participation_target: spec
                .participation_target
                .unwrap_or(self.participation_target),
            pass_target: spec.pass_target.unwrap_or(self.pass_target),
            pass_rate_denominator: spec
                .pass_rate_denominator
                .unwrap_or(self.pass_rate_denominator),
            sources: spec.sources.unwrap_or_else(|| self.sources.clone()),
            notes,
        }
    }

    /// The rule for an exam of this kind (the default rule with the kind's overrides).
    pub fn rule_for_kind(&self, kind: Option<&str>) -> ExamRule {
        match kind.and_then(|k| self.kinds.get(k)) {
            Some(o) => o.apply(&self.rule),
            None => self.rule.clone(),
        }
    }

    /// Whether an exemption with this reason takes the person out of the denominator.
    pub fn accepts_reason(&self, reason: &str) -> bool {
        let r = reason.trim();
        self.exempt_reasons.iter().any(|a| a.trim() == r)
    }

    /// Check the policy: marks within range, weights positive and summing to 1, no empty
    /// exemption reasons.
    pub fn validate(&self) -> Result<(), PolicyError> {
        check_rule(&self.rule, "")?;
        for (kind, o) in &self.kinds {
            check_rule(&o.apply(&self.rule), &format!("kinds.{kind}."))?;
        }
        if self.exempt_reasons.iter().any(|r| r.trim().is_empty()) {
            return Err(PolicyError::Invalid {
                field: "exempt_reasons".to_string(),
                message: "an exemption reason is empty".to_string(),
            });
        }
        Ok(())
    }
}

pub(crate) fn check_rule(rule: &ExamRule, prefix: &str) -> Result<(), PolicyError> {
    let invalid = |field: &str, message: String| PolicyError::Invalid {
        field: format!("{prefix}{field}"),
        message,
    };
    if rule.full_mark <= Decimal::ZERO {
        return Err(invalid(
            "full_mark",
            format!("{} is not positive", rule.full_mark),
        ));
    }
    if rule.pass_mark < Decimal::ZERO || rule.pass_mark > rule.full_mark {
        return Err(invalid(
            "pass_mark",
            format!(
                "{} is outside [0, full_mark = {}]",
                rule.pass_mark.normalize(),
                rule.full_mark.normalize()
            ),
        ));
    }
    if !rule.component_weights.is_empty() {
        let mut sum = Decimal::ZERO;
        for (name, w) in &rule.component_weights {
            if *w <= Decimal::ZERO {
                return Err(invalid(
                    "component_weights",
                    format!("weight of {name:?} is {w}, weights must be positive"),
                ));
            }
            sum += *w;
        }
        if sum != Decimal::ONE {
            return Err(invalid(
                "component_weights",
                format!(
                    "weights sum to {}, they must sum to exactly 1 so the weighted total keeps \
                     the full mark",
                    sum.normalize()
                ),
            ));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for c in &rule.required_components {
        if !seen.insert(c.as_str()) {
            return Err(invalid(
                "required_components",
                format!("{c:?} is listed twice"),
            ));
        }
    }
    Ok(())
}

impl Default for Policy {
    /// The built-in policy ([`Policy::builtin`]).
    fn default() -> Self {
        Policy::builtin()
    }
}

impl<'de> Deserialize<'de> for Policy {
    /// Reads a (partial) policy table over the built-in values, so a rulebook can embed
    /// `[exams_policy] pass_mark = 80`. Validated.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spec = PolicySpec::deserialize(d)?;
        let p = Policy::builtin().merged(spec);
        p.validate().map_err(de::Error::custom)?;
        Ok(p)
    }
}

// --- serde helpers: exact decimals and targets from TOML/JSON ---

struct DecimalVisitor;

impl Visitor<'_> for DecimalVisitor {
    type Value = Decimal;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number or a decimal string such as \"59.5\"")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        decimal_from_f64(v).ok_or_else(|| E::custom(format!("{v} is not a usable number")))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        parse_decimal(v).map_err(E::custom)
    }
}

/// Deserialize an exact decimal from an integer, a float (read as typed) or a string.
pub(crate) fn de_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    d.deserialize_any(DecimalVisitor)
}

fn de_opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    de_decimal(d).map(Some)
}

fn de_opt_weights<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<BTreeMap<String, Decimal>>, D::Error> {
    #[derive(Deserialize)]
    struct W(#[serde(deserialize_with = "de_decimal")] Decimal);
    let m = BTreeMap::<String, W>::deserialize(d)?;
    Ok(Some(m.into_iter().map(|(k, W(v))| (k, v)).collect()))
}

fn de_opt_target<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Target>, D::Error> {
    de_target(d).map(Some)
}

/// Deserialize a target such as `">= 95%"`.
pub(crate) fn de_target<'de, D: Deserializer<'de>>(d: D) -> Result<Target, D::Error> {
    let s = String::deserialize(d)?;
    s.parse().map_err(de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parses() {
        let p = Policy::builtin();
        assert_eq!(p.rule.pass_mark, Decimal::from(60));
        assert_eq!(p.rule.full_mark, Decimal::from(100));
        assert_eq!(p.participation_target.to_string(), ">= 1");
        assert_eq!(p.pass_target.to_string(), ">= 0.95");
        assert!(!p.sources.is_empty());
    }

    #[test]
    fn partial_override_and_kinds() {
        let p = Policy::from_toml_str(
            r#"
            pass_mark = "59.5"
            judge = "final"
            [kinds."三基操作"]
            pass_mark = 80
            components = "total"
            component_weights = { theory = 0.4, skill = "0.6" }
            "#,
        )
        .unwrap();
        assert_eq!(p.rule.pass_mark, Decimal::new(595, 1));
        assert_eq!(p.rule.judge, Judge::Final);
        let k = p.rule_for_kind(Some("三基操作"));
        assert_eq!(k.pass_mark, Decimal::from(80));
        assert_eq!(k.judge, Judge::Final);
        assert_eq!(k.component_weights["theory"], Decimal::new(4, 1));
        // a later override of the default pass mark reaches kinds that do not set their own
        let q = p
            .with_toml("pass_mark = 70\n[kinds.\"三基操作\"]\njudge = \"first\"")
            .unwrap();
        assert_eq!(
            q.rule_for_kind(Some("三基操作")).pass_mark,
            Decimal::from(80)
        );
        assert_eq!(q.rule_for_kind(Some("三基操作")).judge, Judge::First);
        assert_eq!(q.rule_for_kind(Some("other")).pass_mark, Decimal::from(70));
    }

    #[test]
    fn errors_name_the_field() {
        let e = Policy::from_toml_str("pass_mrk = 60").unwrap_err();
        assert!(e.to_string().contains("pass_mrk"), "{e}");
        let e = Policy::from_toml_str("[kinds.x]\npass_mark = \"abc\"").unwrap_err();
        assert!(e.to_string().contains("kinds.x.pass_mark"), "{e}");
        let e = Policy::from_toml_str("pass_target = \"95%\"").unwrap_err();
        assert!(e.to_string().contains("pass_target"), "{e}");
        let e = Policy::from_toml_str("pass_mark = 120").unwrap_err();
        assert!(e.to_string().contains("pass_mark"), "{e}");
        let e = Policy::from_toml_str("component_weights = { a = 0.5, b = 0.4 }").unwrap_err();
        assert!(e.to_string().contains("sum to 0.9"), "{e}");
        let e = Policy::from_toml_str("[kinds.k]\npass_mark = 101").unwrap_err();
        assert!(e.to_string().contains("kinds.k.pass_mark"), "{e}");
    }

    #[test]
    fn deserialize_embedded() {
        #[derive(Deserialize)]
        struct Book {
            exams_policy: Policy,
        }
        let b: Book = toml::from_str("[exams_policy]\nmakeup_counts = false").unwrap();
        assert!(!b.exams_policy.rule.makeup_counts);
        assert_eq!(b.exams_policy.rule.pass_mark, Decimal::from(60));
        let j: Policy =
            serde_json::from_str(r#"{"pass_mark": 80.0, "exempt_reasons": []}"#).unwrap();
        assert_eq!(j.rule.pass_mark, Decimal::from(80));
        assert!(j.exempt_reasons.is_empty());
    }
}
