//! `sanjia.exams`: the 三基 exam engine and the training checks from Python, and the staff
//! records that feed rulebook criteria (`sanjia.score(..., roster=, sittings=, sessions=)`).
//!
//! Tables arrive as Arrow record batches (`pyo3_arrow::PyTable`: no copy of pyarrow or polars
//! buffers) and are read as borrowed views by the engine on a worker thread, with the GIL
//! released (`run.rs`). Results go back as pyarrow tables built from Arrow batches: no Python
//! object per row.

use super::errors::{self, guard};
use super::json;
use super::report::pyarrow_table;
use super::rulebook::PyRulebook;
use super::run::run;
use crate::evidence::Records;
use crate::exams::{
    evaluate, evaluate_training, Date, EvalOptions, ExamError, ExamEvaluation, ExamFilter,
    ExamInput, ExamMeasure, ExamRule, Exams, Exemptions, Judge, PassDenominator, Period, Policy,
    PolicyError, Roster, RuleOverride, Sessions, Sittings, TrainingEvaluation, TrainingOptions,
    TrainingPolicy,
};
use crate::ratio::Target;
use arrow_array::builder::{StringBuilder, UInt64Builder};
use arrow_array::{ArrayRef, RecordBatch};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use pyo3_arrow::PyTable;
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

// ------------------------------------------------------------------------------------ helpers

fn exams_err(py: Python<'_>, e: &ExamError) -> PyErr {
    errors::exams(py, e)
}

fn table<'py>(
    py: Python<'py>,
    batch: Result<RecordBatch, ExamError>,
) -> PyResult<Bound<'py, PyAny>> {
    let batch = batch.map_err(|e| exams_err(py, &e))?;
    pyarrow_table(py, Ok(batch))
}

fn py_decimal<'py>(py: Python<'py>, d: Decimal) -> PyResult<Bound<'py, PyAny>> {
    py.import("decimal")?
        .getattr("Decimal")?
        .call1((d.normalize().to_string(),))
}

/// `>= 95%` (the value as a percentage, as policies write it).
fn target_text(t: &Target) -> String {
    format!("{} {}%", t.op, (t.value * Decimal::from(100)).normalize())
}

fn judge_name(j: Judge) -> &'static str {
    match j {
        Judge::First => "first",
        Judge::Final => "final",
    }
}

fn components_name(c: crate::exams::ComponentRule) -> &'static str {
    match c {
        crate::exams::ComponentRule::All => "all",
        crate::exams::ComponentRule::Total => "total",
    }
}

fn denominator_name(d: PassDenominator) -> &'static str {
    match d {
        PassDenominator::Sat => "sat",
        PassDenominator::Expected => "expected",
    }
}

/// Drop `null`s from a JSON object (a field given as None keeps the base policy's value).
fn drop_nulls(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, drop_nulls(v)))
                .collect(),
        ),
        other => other,
    }
}

/// `base` with the fields of a (partial) policy given as a JSON object.
fn policy_over(base: &Policy, spec: Value) -> Result<Policy, ExamError> {
    let spec = drop_nulls(spec);
    if !spec.is_object() {
        return Err(ExamError::Inconsistent(
            "an exam policy is a sanjia.exams.Policy, a dict of its fields, or TOML text"
                .to_string(),
        ));
    }
    let text =
        toml::to_string(&spec).map_err(|e| ExamError::Inconsistent(format!("exam policy: {e}")))?;
    base.with_toml(&text).map_err(|e| match e {
        // The fields came from Python, not from a TOML file: say where without "TOML".
        PolicyError::Toml { path, message } => ExamError::Policy(PolicyError::Invalid {
            field: if path.is_empty() || path == "." {
                "(policy)".to_string()
            } else {
                path
            },
            message,
        }),
        other => ExamError::Policy(other),
    })
}

fn str_list_repr(v: &[String]) -> String {
    let items: Vec<String> = v.iter().map(|s| py_str_repr(s)).collect();
    format!("[{}]", items.join(", "))
}

fn py_str_repr(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn weights_repr(w: &BTreeMap<String, Decimal>) -> String {
    let items: Vec<String> = w
        .iter()
        .map(|(k, v)| format!("{}: {}", py_str_repr(k), v.normalize()))
        .collect();
    format!("{{{}}}", items.join(", "))
}

fn override_repr(o: &RuleOverride) -> String {
    let mut parts = Vec::new();
    if let Some(v) = o.pass_mark {
        parts.push(format!("'pass_mark': {}", v.normalize()));
    }
    if let Some(v) = o.full_mark {
        parts.push(format!("'full_mark': {}", v.normalize()));
    }
    if let Some(v) = o.makeup_counts {
        parts.push(format!(
            "'makeup_counts': {}",
            if v { "True" } else { "False" }
        ));
    }
    if let Some(v) = o.judge {
        parts.push(format!("'judge': '{}'", judge_name(v)));
    }
    if let Some(v) = o.components {
        parts.push(format!("'components': '{}'", components_name(v)));
    }
    if let Some(v) = &o.required_components {
        parts.push(format!("'required_components': {}", str_list_repr(v)));
    }
    if let Some(v) = &o.component_weights {
        parts.push(format!("'component_weights': {}", weights_repr(v)));
    }
    format!("{{{}}}", parts.join(", "))
}

fn rule_dict<'py>(py: Python<'py>, r: &ExamRule, d: &Bound<'py, PyDict>) -> PyResult<()> {
    d.set_item("pass_mark", py_decimal(py, r.pass_mark)?)?;
    d.set_item("full_mark", py_decimal(py, r.full_mark)?)?;
    d.set_item("makeup_counts", r.makeup_counts)?;
    d.set_item("judge", judge_name(r.judge))?;
    d.set_item("components", components_name(r.components))?;
    d.set_item("required_components", r.required_components.clone())?;
    d.set_item("component_weights", weights_dict(py, &r.component_weights)?)?;
    Ok(())
}

fn weights_dict<'py>(
    py: Python<'py>,
    w: &BTreeMap<String, Decimal>,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in w {
        d.set_item(k, py_decimal(py, *v)?)?;
    }
    Ok(d)
}

fn override_dict<'py>(py: Python<'py>, o: &RuleOverride) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    if let Some(v) = o.pass_mark {
        d.set_item("pass_mark", py_decimal(py, v)?)?;
    }
    if let Some(v) = o.full_mark {
        d.set_item("full_mark", py_decimal(py, v)?)?;
    }
    if let Some(v) = o.makeup_counts {
        d.set_item("makeup_counts", v)?;
    }
    if let Some(v) = o.judge {
        d.set_item("judge", judge_name(v))?;
    }
    if let Some(v) = o.components {
        d.set_item("components", components_name(v))?;
    }
    if let Some(v) = &o.required_components {
        d.set_item("required_components", v.clone())?;
    }
    if let Some(v) = &o.component_weights {
        d.set_item("component_weights", weights_dict(py, v)?)?;
    }
    Ok(d)
}

// ------------------------------------------------------------------------------------- Policy

/// The exam policy: pass marks, make-up counting, component rules, accepted exemption
/// reasons, which pass rate is judged, and the targets. Fields not given keep the built-in
/// values (`rulebooks/policy/exams-default.toml`).
#[pyclass(name = "Policy", module = "sanjia.exams", frozen, eq)]
#[derive(PartialEq)]
pub struct PyExamPolicy {
    pub(crate) inner: Policy,
}

#[pymethods]
impl PyExamPolicy {
    /// A policy from keyword arguments over the built-in policy (None keeps the built-in
    /// value). `kinds` maps an exam kind to overrides of the rule fields.
    #[new]
    #[pyo3(signature = (
        *,
        pass_mark = None,
        full_mark = None,
        makeup_counts = None,
        components = None,
        required_components = None,
        component_weights = None,
        exempt_reasons = None,
        judge = None,
        participation_target = None,
        pass_target = None,
        pass_rate_denominator = None,
        kinds = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        pass_mark: Option<&Bound<'_, PyAny>>,
        full_mark: Option<&Bound<'_, PyAny>>,
        makeup_counts: Option<bool>,
        components: Option<&Bound<'_, PyAny>>,
        required_components: Option<&Bound<'_, PyAny>>,
        component_weights: Option<&Bound<'_, PyAny>>,
        exempt_reasons: Option<&Bound<'_, PyAny>>,
        judge: Option<&Bound<'_, PyAny>>,
        participation_target: Option<&Bound<'_, PyAny>>,
        pass_target: Option<&Bound<'_, PyAny>>,
        pass_rate_denominator: Option<&Bound<'_, PyAny>>,
        kinds: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyExamPolicy> {
        guard(|| {
            let mut m = serde_json::Map::new();
            let mut put = |k: &str, v: Option<&Bound<'_, PyAny>>| -> PyResult<()> {
                if let Some(v) = v {
                    m.insert(k.to_string(), json::to_json(v)?);
                }
                Ok(())
            };
            put("pass_mark", pass_mark)?;
            put("full_mark", full_mark)?;
            put("components", components)?;
            put("required_components", required_components)?;
            put("component_weights", component_weights)?;
            put("exempt_reasons", exempt_reasons)?;
            put("judge", judge)?;
            put("participation_target", participation_target)?;
            put("pass_target", pass_target)?;
            put("pass_rate_denominator", pass_rate_denominator)?;
            put("kinds", kinds)?;
            if let Some(b) = makeup_counts {
                m.insert("makeup_counts".into(), Value::Bool(b));
            }
            policy_over(&Policy::builtin(), Value::Object(m))
                .map(|inner| PyExamPolicy { inner })
                .map_err(|e| exams_err(py, &e))
        })
    }

    /// The built-in policy (`rulebooks/policy/exams-default.toml`).
    #[staticmethod]
    fn builtin() -> PyResult<PyExamPolicy> {
        guard(|| {
            Ok({
                PyExamPolicy {
                    inner: Policy::builtin(),
                }
            })
        })
    }

    /// A policy from a dict of its fields (as in the TOML file), over the built-in policy.
    #[staticmethod]
    fn from_dict(py: Python<'_>, d: &Bound<'_, PyAny>) -> PyResult<PyExamPolicy> {
        guard(|| {
            let v = json::to_json(d)?;
            policy_over(&Policy::builtin(), v)
                .map(|inner| PyExamPolicy { inner })
                .map_err(|e| exams_err(py, &e))
        })
    }

    /// A policy from TOML text (a partial file replaces only the fields it sets).
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: &str) -> PyResult<PyExamPolicy> {
        guard(|| {
            Policy::from_toml_str(text)
                .map(|inner| PyExamPolicy { inner })
                .map_err(|e| exams_err(py, &ExamError::Policy(e)))
        })
    }

    /// The exam policy of a rulebook (its `[exams]` section over the built-in policy).
    #[staticmethod]
    fn from_rulebook(rulebook: &PyRulebook) -> PyResult<PyExamPolicy> {
        guard(|| {
            Ok({
                PyExamPolicy {
                    inner: rulebook.inner.exam_policy().clone(),
                }
            })
        })
    }

    /// This policy with some fields replaced (a dict, or keyword arguments).
    #[pyo3(signature = (changes = None, **kwargs))]
    fn replace(
        &self,
        py: Python<'_>,
        changes: Option<&Bound<'_, PyAny>>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyExamPolicy> {
        guard(|| {
            let mut m = serde_json::Map::new();
            if let Some(c) = changes {
                match json::to_json(c)? {
                    Value::Object(o) => m.extend(o),
                    _ => {
                        return Err(pyo3::exceptions::PyTypeError::new_err(
                            "replace() takes a dict of policy fields",
                        ))
                    }
                }
            }
            if let Some(k) = kwargs {
                if let Value::Object(o) = json::to_json(k.as_any())? {
                    m.extend(o);
                }
            }
            policy_over(&self.inner, Value::Object(m))
                .map(|inner| PyExamPolicy { inner })
                .map_err(|e| exams_err(py, &e))
        })
    }

    /// The pass mark (a score `>=` it passes).
    #[getter]
    fn pass_mark<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_decimal(py, self.inner.rule.pass_mark)
    }

    /// The full mark (scores must lie in `[0, full_mark]`).
    #[getter]
    fn full_mark<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_decimal(py, self.inner.rule.full_mark)
    }

    /// Whether a make-up (补考) pass counts for the final pass rate.
    #[getter]
    fn makeup_counts(&self) -> bool {
        self.inner.rule.makeup_counts
    }

    /// `"first"` (一次合格率) or `"final"` (最终合格率): the rate judged against `pass_target`.
    #[getter]
    fn judge(&self) -> &'static str {
        judge_name(self.inner.rule.judge)
    }

    /// `"all"` (every component must reach the pass mark) or `"total"`.
    #[getter]
    fn components(&self) -> &'static str {
        components_name(self.inner.rule.components)
    }

    /// Components that must be present and pass under `components = "all"`.
    #[getter]
    fn required_components(&self) -> Vec<String> {
        self.inner.rule.required_components.clone()
    }

    /// Component weights for `components = "total"` without a total score.
    #[getter]
    fn component_weights<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        weights_dict(py, &self.inner.rule.component_weights)
    }

    /// Exemption reasons that take a person out of the denominator (应考).
    #[getter]
    fn exempt_reasons(&self) -> Vec<String> {
        self.inner.exempt_reasons.clone()
    }

    /// The participation target, e.g. `">= 100%"`.
    #[getter]
    fn participation_target(&self) -> String {
        target_text(&self.inner.participation_target)
    }

    /// The pass-rate target, e.g. `">= 95%"`.
    #[getter]
    fn pass_target(&self) -> String {
        target_text(&self.inner.pass_target)
    }

    /// The pass rates' denominator: `"sat"` (实考) or `"expected"` (应考).
    #[getter]
    fn pass_rate_denominator(&self) -> &'static str {
        denominator_name(self.inner.pass_rate_denominator)
    }

    /// Overrides per exam kind: `{kind: {field: value}}`.
    #[getter]
    fn kinds<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        guard(|| {
            let d = PyDict::new(py);
            for (k, o) in &self.inner.kinds {
                d.set_item(k, override_dict(py, o)?)?;
            }
            Ok(d)
        })
    }

    /// Where the numbers come from (kept, not interpreted).
    #[getter]
    fn sources(&self) -> Vec<String> {
        self.inner.sources.clone()
    }

    /// Notes per field.
    #[getter]
    fn notes(&self) -> BTreeMap<String, String> {
        self.inner.notes.clone()
    }

    /// The rule applied to exams of a kind (the defaults with the kind's overrides).
    #[pyo3(signature = (kind = None))]
    fn rule_for_kind<'py>(
        &self,
        py: Python<'py>,
        kind: Option<&str>,
    ) -> PyResult<Bound<'py, PyDict>> {
        guard(|| {
            let d = PyDict::new(py);
            rule_dict(py, &self.inner.rule_for_kind(kind), &d)?;
            Ok(d)
        })
    }

    /// Every field as a dict (`Policy.from_dict(p.to_dict()) == p`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        guard(|| {
            let d = PyDict::new(py);
            rule_dict(py, &self.inner.rule, &d)?;
            d.set_item("exempt_reasons", self.exempt_reasons())?;
            d.set_item("participation_target", self.participation_target())?;
            d.set_item("pass_target", self.pass_target())?;
            d.set_item("pass_rate_denominator", self.pass_rate_denominator())?;
            d.set_item("kinds", self.kinds(py)?)?;
            d.set_item("sources", self.sources())?;
            d.set_item("notes", self.notes())?;
            Ok(d)
        })
    }

    /// The policy as TOML text (`Policy.from_toml(p.to_toml()) == p`).
    fn to_toml(&self, py: Python<'_>) -> PyResult<String> {
        guard(|| {
            let v = json::to_json(self.to_dict(py)?.as_any())?;
            toml::to_string(&v).map_err(|e| errors::internal(&e.to_string()))
        })
    }

    fn __repr__(&self) -> PyResult<String> {
        guard(|| {
            Ok({
                let p = &self.inner;
                let r = &p.rule;
                let mut parts = vec![
                    format!("pass_mark={}", r.pass_mark.normalize()),
                    format!("full_mark={}", r.full_mark.normalize()),
                    format!(
                        "makeup_counts={}",
                        if r.makeup_counts { "True" } else { "False" }
                    ),
                    format!("judge='{}'", judge_name(r.judge)),
                    format!("components='{}'", components_name(r.components)),
                ];
                if !r.required_components.is_empty() {
                    parts.push(format!(
                        "required_components={}",
                        str_list_repr(&r.required_components)
                    ));
                }
                if !r.component_weights.is_empty() {
                    parts.push(format!(
                        "component_weights={}",
                        weights_repr(&r.component_weights)
                    ));
                }
                parts.push(format!(
                    "exempt_reasons={}",
                    str_list_repr(&p.exempt_reasons)
                ));
                parts.push(format!(
                    "participation_target='{}'",
                    target_text(&p.participation_target)
                ));
                parts.push(format!("pass_target='{}'", target_text(&p.pass_target)));
                parts.push(format!(
                    "pass_rate_denominator='{}'",
                    denominator_name(p.pass_rate_denominator)
                ));
                if !p.kinds.is_empty() {
                    let k: Vec<String> = p
                        .kinds
                        .iter()
                        .map(|(k, o)| format!("{}: {}", py_str_repr(k), override_repr(o)))
                        .collect();
                    parts.push(format!("kinds={{{}}}", k.join(", ")));
                }
                format!("Policy({})", parts.join(", "))
            })
        })
    }
}

// ---------------------------------------------------------------------------------- evaluate

/// An exam evaluation: counts per (exam, hospital, department, category) cell, the people
/// behind the gaps, the exemption audit, rejected rows and row accounting. `sanjia.exams`
/// wraps it in `ExamResult`.
#[pyclass(name = "ExamEvaluation", module = "sanjia.exams", frozen)]
pub struct PyExamEvaluation {
    pub(crate) inner: Arc<ExamEvaluation>,
}

fn row_count<'py>(py: Python<'py>, r: crate::exams::RowCount) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("input", r.input)?;
    d.set_item("used", r.used)?;
    d.set_item("rejected", r.rejected)?;
    Ok(d)
}

fn dims(py: Python<'_>, by: &[String]) -> PyResult<Vec<crate::exams::GroupDim>> {
    by.iter()
        .map(|s| {
            s.parse()
                .map_err(|m: String| exams_err(py, &ExamError::Inconsistent(m)))
        })
        .collect()
}

fn filter_of(
    hospital: Option<String>,
    exam_ids: Option<Vec<String>>,
    exam_kinds: Option<Vec<String>>,
    categories: Option<Vec<String>>,
    departments: Option<Vec<String>>,
) -> ExamFilter {
    ExamFilter {
        hospital,
        exam_ids: exam_ids.unwrap_or_default(),
        exam_kinds: exam_kinds.unwrap_or_default(),
        categories: categories.unwrap_or_default(),
        departments: departments.unwrap_or_default(),
    }
}

#[pymethods]
impl PyExamEvaluation {
    /// The summary grouped by `by` (column names or short names: hospital_id / hospital,
    /// exam_id / exam, exam_kind / kind, department, category) as a pyarrow.Table.
    fn summary<'py>(&self, py: Python<'py>, by: Vec<String>) -> PyResult<Bound<'py, PyAny>> {
        let by = dims(py, &by)?;
        guard(|| table(py, self.inner.summary_batch(&by)))
    }

    /// The people behind the gaps (absent without an accepted exemption, or failed) as a
    /// pyarrow.Table.
    fn people<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| table(py, self.inner.people_batch()))
    }

    /// The exemption audit (every exemption with its reason and outcome) as a pyarrow.Table.
    fn exemptions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| table(py, self.inner.exemptions_batch()))
    }

    /// Rejected rows (lenient mode) as a pyarrow.Table.
    fn rejections<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| table(py, self.inner.rejections_batch()))
    }

    /// Row accounting per input table: `{table: {"input", "used", "rejected"}}`.
    fn rows<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        guard(|| {
            let r = &self.inner.rows;
            let d = PyDict::new(py);
            d.set_item("roster", row_count(py, r.roster)?)?;
            d.set_item("sittings", row_count(py, r.sittings)?)?;
            d.set_item("exams", row_count(py, r.exams)?)?;
            d.set_item("exemptions", row_count(py, r.exemptions)?)?;
            Ok(d)
        })
    }

    /// The participation target used, e.g. `">= 100%"`.
    #[getter]
    fn participation_target(&self) -> String {
        target_text(&self.inner.participation_target())
    }

    /// The pass target used, e.g. `">= 95%"`.
    #[getter]
    fn pass_target(&self) -> String {
        target_text(&self.inner.pass_target())
    }

    /// The pass rates' denominator used (`"sat"` or `"expected"`).
    #[getter]
    fn pass_rate_denominator(&self) -> &'static str {
        denominator_name(self.inner.pass_denominator())
    }

    /// Number of rows in `people()`.
    #[getter]
    fn n_people(&self) -> usize {
        self.inner.people_len()
    }

    /// The exact value of a measure over a selection, as a rulebook criterion would take it:
    /// a rate as `fractions.Fraction` (None when its denominator is 0) or a count as int.
    /// Measures: participation_rate, first_pass_rate, final_pass_rate, judged_pass_rate,
    /// expected, sat, absent, exempt, first_passed, final_passed, judged_passed, makeups.
    #[pyo3(signature = (
        measure, *, hospital = None, exam_ids = None, exam_kinds = None, categories = None,
        departments = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn measure<'py>(
        &self,
        py: Python<'py>,
        measure: &str,
        hospital: Option<String>,
        exam_ids: Option<Vec<String>>,
        exam_kinds: Option<Vec<String>>,
        categories: Option<Vec<String>>,
        departments: Option<Vec<String>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let m: ExamMeasure = serde_json::from_value(Value::String(measure.to_string()))
                .map_err(|_| {
                    exams_err(
                        py,
                        &ExamError::Inconsistent(format!(
                            "unknown exam measure {measure:?}: use participation_rate, \
                             first_pass_rate, final_pass_rate, judged_pass_rate, expected, sat, \
                             absent, exempt, first_passed, final_passed, judged_passed or makeups"
                        )),
                    )
                })?;
            let f = filter_of(hospital, exam_ids, exam_kinds, categories, departments);
            let c = self.inner.counts(&f);
            let d = self.inner.pass_denominator();
            let count =
                |v: u64| -> PyResult<Bound<'py, PyAny>> { Ok(v.into_pyobject(py)?.into_any()) };
            let rate = |r: crate::exams::Rate| -> PyResult<Bound<'py, PyAny>> {
                if r.den == 0 {
                    return Ok(py.None().into_bound(py));
                }
                py.import("fractions")?
                    .getattr("Fraction")?
                    .call1((r.num, r.den))
            };
            match m {
                ExamMeasure::ParticipationRate => rate(c.participation_rate()),
                ExamMeasure::FirstPassRate => rate(c.first_pass_rate(d)),
                ExamMeasure::FinalPassRate => rate(c.final_pass_rate(d)),
                ExamMeasure::JudgedPassRate => rate(c.judged_pass_rate(d)),
                ExamMeasure::Expected => count(c.expected),
                ExamMeasure::Sat => count(c.sat),
                ExamMeasure::Absent => count(c.absent),
                ExamMeasure::Exempt => count(c.exempt),
                ExamMeasure::FirstPassed => count(c.first_passed),
                ExamMeasure::FinalPassed => count(c.final_passed),
                ExamMeasure::JudgedPassed => count(c.judged_passed),
                ExamMeasure::Makeups => count(c.makeups),
            }
        })
    }

    fn __repr__(&self) -> PyResult<String> {
        guard(|| {
            Ok({
                let t = self.inner.total();
                format!(
                "<sanjia.exams.ExamEvaluation: {} exams, expected {}, sat {}, first passed {}, \
                 final passed {}; {} people behind the gaps, {} rejected rows>",
                self.inner.exam_ids().len(),
                t.counts.expected,
                t.counts.sat,
                t.counts.first_passed,
                t.counts.final_passed,
                self.inner.people_len(),
                self.inner.rejections.len()
            )
            })
        })
    }
}

/// Tables taken from Python, moved to the worker thread.
struct ExamTables {
    roster: Vec<RecordBatch>,
    sittings: Vec<RecordBatch>,
    exams: Option<Vec<RecordBatch>>,
    exemptions: Option<Vec<RecordBatch>>,
    components: Vec<String>,
}

impl ExamTables {
    fn new(
        roster: PyTable,
        sittings: PyTable,
        exams: Option<PyTable>,
        exemptions: Option<PyTable>,
        components: Option<Vec<String>>,
        policy: &Policy,
    ) -> ExamTables {
        ExamTables {
            roster: roster.into_inner().0,
            sittings: sittings.into_inner().0,
            exams: exams.map(|t| t.into_inner().0),
            exemptions: exemptions.map(|t| t.into_inner().0),
            components: components.unwrap_or_else(|| policy_components(policy)),
        }
    }

    /// The engine's input: borrowed views over the batches.
    fn with_input<T>(
        &self,
        f: impl FnOnce(&ExamInput<'_>) -> Result<T, ExamError>,
    ) -> Result<T, ExamError> {
        let names: Vec<&str> = self.components.iter().map(String::as_str).collect();
        let mut input = ExamInput::new(
            Roster::from_arrow(&self.roster)?,
            Sittings::from_arrow(&self.sittings, &names)?,
        );
        if let Some(e) = &self.exams {
            input = input.with_exams(Exams::from_arrow(e)?);
        }
        if let Some(e) = &self.exemptions {
            input = input.with_exemptions(Exemptions::from_arrow(e)?);
        }
        f(&input)
    }
}

/// The component columns a policy names (required or weighted, by default and per kind), in
/// first-mention order.
pub(crate) fn policy_components(p: &Policy) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |names: &mut dyn Iterator<Item = &String>| {
        for n in names {
            if !out.contains(n) {
                out.push(n.clone());
            }
        }
    };
    add(&mut p.rule.required_components.iter());
    add(&mut p.rule.component_weights.keys());
    for o in p.kinds.values() {
        if let Some(r) = &o.required_components {
            add(&mut r.iter());
        }
        if let Some(w) = &o.component_weights {
            add(&mut w.keys());
        }
    }
    out
}

fn parse_date(py: Python<'_>, what: &str, s: Option<String>) -> PyResult<Option<Date>> {
    s.map(|s| {
        s.trim().parse::<Date>().map_err(|e| {
            exams_err(
                py,
                &ExamError::Inconsistent(format!("{what} {s:?} is not a date (YYYY-MM-DD): {e}")),
            )
        })
    })
    .transpose()
}

/// Evaluate exam records (see `sanjia.exams.evaluate`).
#[pyfunction]
#[pyo3(signature = (
    roster, sittings, exams = None, exemptions = None, policy = None, lenient = false,
    component_columns = None, reference_date = None, people = true, n_threads = None,
    progress = None
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn _exams_evaluate(
    py: Python<'_>,
    roster: PyTable,
    sittings: PyTable,
    exams: Option<PyTable>,
    exemptions: Option<PyTable>,
    policy: Option<PyRef<'_, PyExamPolicy>>,
    lenient: bool,
    component_columns: Option<Vec<String>>,
    reference_date: Option<String>,
    people: bool,
    n_threads: Option<usize>,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<PyExamEvaluation> {
    guard(|| {
        let policy = policy
            .map(|p| p.inner.clone())
            .unwrap_or_else(Policy::builtin);
        let options = EvalOptions {
            lenient,
            reference_date: parse_date(py, "reference_date", reference_date)?,
            people,
        };
        let tables = ExamTables::new(
            roster,
            sittings,
            exams,
            exemptions,
            component_columns,
            &policy,
        );
        let total = tables.sittings.iter().map(|b| b.num_rows()).sum();
        let result = run(py, n_threads, total, progress.as_ref(), move |opts| {
            opts.install(|| tables.with_input(|input| evaluate(input, &policy, &options)))
        })?;
        result
            .map(|ev| PyExamEvaluation {
                inner: Arc::new(ev),
            })
            .map_err(|e| exams_err(py, &e))
    })
}

// ---------------------------------------------------------------------------------- training

/// A training evaluation: one check per requirement, hospital, department and period.
#[pyclass(name = "TrainingEvaluation", module = "sanjia.exams", frozen)]
pub struct PyTrainingEvaluation {
    pub(crate) inner: Arc<TrainingEvaluation>,
}

fn str_col<'s>(len: usize, values: impl Iterator<Item = Option<&'s str>>) -> ArrayRef {
    let mut b = StringBuilder::with_capacity(len, len * 8);
    for v in values {
        b.append_option(v);
    }
    Arc::new(b.finish())
}

#[pymethods]
impl PyTrainingEvaluation {
    /// The checks as a pyarrow.Table: requirement, hospital_id, department, period,
    /// period_start, period_end, sessions, min_sessions, met.
    fn checks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| table(py, self.inner.checks_batch()))
    }

    /// Sessions and attendees per hospital, department (null = hospital-wide), kind and
    /// period (`"month"`, `"quarter"`, `"half_year"` or `"year"`) as a pyarrow.Table.
    #[pyo3(signature = (period = "month"))]
    fn counts<'py>(&self, py: Python<'py>, period: &str) -> PyResult<Bound<'py, PyAny>> {
        let p: Period = period
            .parse()
            .map_err(|m: String| exams_err(py, &ExamError::Inconsistent(m)))?;
        guard(|| {
            let c = self.inner.counts(p);
            let n = c.len();
            let labels: Vec<String> = c.iter().map(|x| x.period.label()).collect();
            let mut sessions = UInt64Builder::with_capacity(n);
            let mut attendees = UInt64Builder::with_capacity(n);
            for x in &c {
                sessions.append_value(x.sessions);
                attendees.append_value(x.attendees);
            }
            let cols: Vec<(&str, ArrayRef)> = vec![
                (
                    "hospital_id",
                    str_col(n, c.iter().map(|x| x.hospital_id.as_deref())),
                ),
                (
                    "department",
                    str_col(n, c.iter().map(|x| x.department.as_deref())),
                ),
                ("kind", str_col(n, c.iter().map(|x| Some(x.kind.as_str())))),
                (
                    "period",
                    str_col(n, labels.iter().map(|s| Some(s.as_str()))),
                ),
                ("sessions", Arc::new(sessions.finish())),
                ("attendees", Arc::new(attendees.finish())),
            ];
            let b = RecordBatch::try_from_iter_with_nullable(
                cols.into_iter().map(|(k, a)| (k, a, true)),
            )
            .map_err(|e| ExamError::Inconsistent(e.to_string()));
            table(py, b)
        })
    }

    /// Rejected rows (lenient mode) as a pyarrow.Table.
    fn rejections<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| table(py, crate::exams::rejections_batch(&self.inner.rejections)))
    }

    /// Row accounting of the sessions table: `{"input", "used", "rejected"}`.
    fn rows<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        guard(|| row_count(py, self.inner.rows))
    }

    /// The review window used, as `("YYYY-MM-DD", "YYYY-MM-DD")` (None without sessions).
    #[getter]
    fn window(&self) -> PyResult<Option<(String, String)>> {
        guard(|| {
            Ok({
                self.inner
                    .window
                    .map(|(a, b)| (a.to_string(), b.to_string()))
            })
        })
    }

    /// Number of valid sessions.
    #[getter]
    fn n_sessions(&self) -> usize {
        self.inner.sessions.len()
    }

    fn __repr__(&self) -> PyResult<String> {
        guard(|| {
            Ok({
                let short = self.inner.shortfalls().count();
                format!(
                "<sanjia.exams.TrainingEvaluation: {} sessions, {} checks, {} short, {} rejected rows>",
                self.inner.sessions.len(),
                self.inner.checks.len(),
                short,
                self.inner.rejections.len()
            )
            })
        })
    }
}

/// A training policy from Python: None (built-in), TOML text, or a dict / list of
/// requirement dicts.
fn training_policy(py: Python<'_>, req: Option<&Bound<'_, PyAny>>) -> PyResult<TrainingPolicy> {
    let bad = |e: PolicyError| exams_err(py, &ExamError::Policy(e));
    let Some(req) = req else {
        return Ok(TrainingPolicy::builtin());
    };
    if let Ok(s) = req.cast::<PyString>() {
        return TrainingPolicy::from_toml_str(s.to_str()?).map_err(bad);
    }
    let v = match json::to_json(req)? {
        Value::Array(a) => {
            let mut m = serde_json::Map::new();
            m.insert("requirements".into(), Value::Array(a));
            Value::Object(m)
        }
        v => v,
    };
    let p: TrainingPolicy = serde_path_to_error::deserialize(v).map_err(|e| {
        bad(PolicyError::Invalid {
            field: e.path().to_string(),
            message: e.inner().to_string(),
        })
    })?;
    p.validate().map_err(bad)?;
    Ok(p)
}

/// Check training sessions and drills against minimums (see `sanjia.exams.training`).
#[pyfunction]
#[pyo3(signature = (
    sessions, requirements = None, start = None, end = None, departments = None,
    lenient = false
))]
pub(crate) fn _exams_training(
    py: Python<'_>,
    sessions: PyTable,
    requirements: Option<&Bound<'_, PyAny>>,
    start: Option<String>,
    end: Option<String>,
    departments: Option<Vec<String>>,
    lenient: bool,
) -> PyResult<PyTrainingEvaluation> {
    guard(|| {
        let policy = training_policy(py, requirements)?;
        let options = TrainingOptions {
            lenient,
            start: parse_date(py, "start", start)?,
            end: parse_date(py, "end", end)?,
            departments: departments.unwrap_or_default(),
        };
        let batches = sessions.into_inner().0;
        let result = run(py, None, 1, None, move |_| {
            Sessions::from_arrow(&batches).and_then(|s| evaluate_training(&s, &policy, &options))
        })?;
        result
            .map(|t| PyTrainingEvaluation { inner: Arc::new(t) })
            .map_err(|e| exams_err(py, &e))
    })
}

// ----------------------------------------------------------------------------------- records

/// Staff exam and training records evaluated with a rulebook's policies, for the criteria that
/// take their values from them (`from = { exams = ... }` / `{ training = ... }`). Pass to
/// `sanjia.score` / `sanjia.score_batch` as `records=`.
#[pyclass(name = "Records", module = "sanjia.exams", frozen)]
pub struct PyRecords {
    pub(crate) inner: Arc<Records>,
}

#[pymethods]
impl PyRecords {
    /// The exam evaluation, if exam records were given.
    #[getter]
    fn exams(&self) -> Option<PyExamEvaluation> {
        self.inner.exams.as_ref().map(|e| PyExamEvaluation {
            inner: Arc::new(e.clone()),
        })
    }

    /// The training evaluation, if sessions were given.
    #[getter]
    fn training(&self) -> Option<PyTrainingEvaluation> {
        self.inner.training.as_ref().map(|t| PyTrainingEvaluation {
            inner: Arc::new(t.clone()),
        })
    }

    fn __repr__(&self) -> PyResult<String> {
        guard(|| {
            Ok({
                format!(
                    "<sanjia.exams.Records: exams {}, training {}>",
                    if self.inner.exams.is_some() {
                        "yes"
                    } else {
                        "no"
                    },
                    if self.inner.training.is_some() {
                        "yes"
                    } else {
                        "no"
                    }
                )
            })
        })
    }
}

/// Evaluate staff records with a rulebook's exam and training policies.
#[pyfunction]
#[pyo3(signature = (
    rulebook, roster = None, sittings = None, exams = None, exemptions = None, sessions = None,
    component_columns = None, n_threads = None
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn _exams_records(
    py: Python<'_>,
    rulebook: &PyRulebook,
    roster: Option<PyTable>,
    sittings: Option<PyTable>,
    exams: Option<PyTable>,
    exemptions: Option<PyTable>,
    sessions: Option<PyTable>,
    component_columns: Option<Vec<String>>,
    n_threads: Option<usize>,
) -> PyResult<PyRecords> {
    guard(|| {
        let rb = rulebook.inner.clone();
        let tables =
            match (roster, sittings) {
                (Some(r), Some(s)) => Some(ExamTables::new(
                    r,
                    s,
                    exams,
                    exemptions,
                    component_columns,
                    rb.exam_policy(),
                )),
                (None, None) if exams.is_none() && exemptions.is_none() => None,
                _ => return Err(exams_err(
                    py,
                    &ExamError::Inconsistent(
                        "exam records need both a roster and sittings (exams and exemptions are \
                         optional)"
                            .to_string(),
                    ),
                )),
            };
        let sessions = sessions.map(|t| t.into_inner().0);
        let result = run(py, n_threads, 1, None, move |opts| {
            opts.install(|| -> Result<Records, ExamError> {
                let mut records = Records::default();
                if let Some(t) = &tables {
                    records = t.with_input(|input| {
                        records.with_exams(&rb, input, &EvalOptions::default())
                    })?;
                }
                if let Some(b) = &sessions {
                    let s = Sessions::from_arrow(b)?;
                    records = records.with_training(&rb, &s, &TrainingOptions::default())?;
                }
                Ok(records)
            })
        })?;
        result
            .map(|r| PyRecords { inner: Arc::new(r) })
            .map_err(|e| exams_err(py, &e))
    })
}

/// The records of a `records=` argument (empty when None).
pub(crate) fn records_of(records: Option<&PyRecords>) -> Arc<Records> {
    records
        .map(|r| r.inner.clone())
        .unwrap_or_else(|| Arc::new(Records::default()))
}

/// Register the exam classes and functions on the compiled module (the classes under
/// `Exam*` names; `sanjia.exams` re-exports them as `Policy`, ...).
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("ExamPolicy", py.get_type::<PyExamPolicy>())?;
    m.add("ExamEvaluation", py.get_type::<PyExamEvaluation>())?;
    m.add("TrainingEvaluation", py.get_type::<PyTrainingEvaluation>())?;
    m.add("ExamRecords", py.get_type::<PyRecords>())?;
    m.add_function(wrap_pyfunction!(_exams_evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(_exams_training, m)?)?;
    m.add_function(wrap_pyfunction!(_exams_records, m)?)?;
    Ok(())
}
