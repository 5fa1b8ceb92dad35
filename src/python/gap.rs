//! Gap analysis, what-if and round comparison: `Report.gap_to`, `Report.what_if`,
//! `Evidence.with_changes`, `sanjia.compare` and their result classes.
//!
//! Results are plain data: every getter returns dicts, lists, text and numbers (decimals as
//! text in the dicts, exactly; totals and costs also as floats on the objects), so the HTML
//! report and notebooks can render them without knowing the classes.

use super::errors::{self, guard};
use super::json;
use super::report::PyReport;
use crate::gap::{CostModel, Gap, GapError, GapOptions, WhatIf};
use crate::ratio::decimal_to_f64;
use crate::Report;
use pyo3::prelude::*;
use std::path::PathBuf;

/// A gap error as the matching Python exception.
pub(crate) fn error(py: Python<'_>, e: &GapError) -> PyErr {
    match e {
        GapError::Evidence(ev) => errors::evidence(py, ev),
        GapError::Internal(m) => errors::internal(m),
        other => errors::SanjiaError::new_err(other.to_string()),
    }
}

/// Read a cost model: a dict, or a path to a `.toml` / `.json` cost file.
fn costs(cost: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Result<CostModel, GapError>>> {
    let Some(c) = cost.filter(|c| !c.is_none()) else {
        return Ok(None);
    };
    if let Ok(p) = c.extract::<PathBuf>() {
        return Ok(Some(CostModel::load(p)));
    }
    let v = json::to_json(c)?;
    Ok(Some(CostModel::from_value(&v)))
}

/// Read changes: a dict `{id: value}` or a list of `(id, value)` / `(id, period, value)` or
/// change dicts (as in `Gap.changes`).
pub(crate) fn changes(
    obj: &Bound<'_, PyAny>,
    rb: Option<&crate::Rulebook>,
    ev: Option<&crate::Evidence>,
) -> PyResult<Result<Vec<crate::gap::Change>, GapError>> {
    let v = json::to_json(obj)?;
    Ok(crate::gap::parse_changes(&v, rb, ev))
}

/// The gap between a hospital and a grade and the least that closes it (`Report.gap_to`).
#[pyclass(name = "Gap", module = "sanjia", frozen)]
pub struct PyGap {
    inner: Gap,
    json: serde_json::Value,
}

fn field<'py>(py: Python<'py>, v: &serde_json::Value, k: &str) -> PyResult<Bound<'py, PyAny>> {
    json::to_py(py, &v[k])
}

#[pymethods]
impl PyGap {
    /// Hospital id.
    #[getter]
    fn hospital(&self) -> &str {
        &self.inner.hospital
    }

    /// The target grade.
    #[getter]
    fn target(&self) -> &str {
        &self.inner.target
    }

    /// `reached`, `planned`, `unreachable` or `not_found` (search budget reached).
    #[getter]
    fn status(&self) -> &'static str {
        self.inner.status.name()
    }

    /// Whether the target is reached or reachable (None: not known, search incomplete).
    #[getter]
    fn reachable(&self) -> Option<bool> {
        self.inner.reachable()
    }

    /// The grade now.
    #[getter]
    fn grade_now(&self) -> Option<&str> {
        self.inner.grade_now.as_deref()
    }

    /// Total now.
    #[getter]
    fn total_now(&self) -> Option<f64> {
        self.inner.total_now.map(decimal_to_f64)
    }

    /// Every failed part of the target's conditions: dicts (condition, part, now, need, short,
    /// shortfall, summary, can_be_met, least_cost, reason).
    #[getter]
    fn conditions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| field(py, &self.json, "conditions"))
    }

    /// Failed gates and what they do to the target: dicts.
    #[getter]
    fn gates<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| field(py, &self.json, "gates"))
    }

    /// The plan as a dict (steps, cost, changes, levels, proven_minimal, lower_bound, method,
    /// nodes_searched, rescored, after), or None.
    #[getter]
    fn plan<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| field(py, &self.json, "plan"))
    }

    /// The plan's steps (empty without a plan): dicts with id, title, kind, department, from,
    /// to, change, cost, points_before, points_after, in_total, helps, reason.
    #[getter]
    fn steps<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| match &self.json["plan"] {
            serde_json::Value::Object(p) => json::to_py(py, &p["steps"]),
            _ => json::to_py(py, &serde_json::Value::Array(Vec::new())),
        })
    }

    /// The plan per responsible department: dicts (department, steps, cost).
    #[getter]
    fn by_department<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| field(py, &self.json, "by_department"))
    }

    /// The plan's changes as dicts, ready for `Report.what_if` or `Evidence.with_changes`.
    #[getter]
    fn changes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| field(py, &self.json, "changes"))
    }

    /// Whether the plan is proven minimal (None without a plan).
    #[getter]
    fn proven_minimal(&self) -> PyResult<Option<bool>> {
        guard(|| Ok(self.inner.plan.as_ref().map(|p| p.proven_minimal)))
    }

    /// The plan's cost (None without a plan).
    #[getter]
    fn cost(&self) -> PyResult<Option<f64>> {
        guard(|| Ok(self.inner.plan.as_ref().map(|p| decimal_to_f64(p.cost))))
    }

    /// Why the target cannot be reached (or no plan was found).
    #[getter]
    fn reasons(&self) -> Vec<String> {
        self.inner.reasons.clone()
    }

    /// Criteria that matter but cannot change, with why.
    #[getter]
    fn fixed(&self) -> Vec<String> {
        self.inner.fixed.clone()
    }

    /// Remarks.
    #[getter]
    fn notes(&self) -> Vec<String> {
        self.inner.notes.clone()
    }

    /// The result as readable text.
    fn explain(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.explain()))
    }

    /// The result as a dict (decimals as text, exactly).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| json::to_py(py, &self.json))
    }

    /// The result as JSON text.
    #[pyo3(signature = (indent = None))]
    fn to_json(&self, indent: Option<usize>) -> PyResult<String> {
        guard(|| to_text(&self.json, indent))
    }

    fn __repr__(&self) -> PyResult<String> {
        guard(|| {
            Ok({
                let g = &self.inner;
                let what = match &g.plan {
                    Some(p) => format!(
                        "{} change{}, cost {}{}",
                        p.changes,
                        if p.changes == 1 { "" } else { "s" },
                        p.cost.normalize(),
                        if p.proven_minimal {
                            ", proven minimal"
                        } else {
                            ""
                        }
                    ),
                    None => g.status.name().to_string(),
                };
                format!("<sanjia.Gap {} → {}: {what}>", g.hospital, g.target)
            })
        })
    }
}

fn to_text(v: &serde_json::Value, indent: Option<usize>) -> PyResult<String> {
    match indent {
        None => serde_json::to_string(v),
        Some(_) => serde_json::to_string_pretty(v),
    }
    .map_err(|e| errors::internal(&e.to_string()))
}

/// The result of applying changes to a report's evidence (`Report.what_if`).
#[pyclass(name = "WhatIf", module = "sanjia", frozen)]
pub struct PyWhatIf {
    inner: WhatIf,
    json: serde_json::Value,
}

#[pymethods]
impl PyWhatIf {
    /// The report of the changed evidence.
    #[getter]
    fn report(&self) -> PyResult<PyReport> {
        guard(|| {
            Ok({
                PyReport {
                    inner: self.inner.report.clone(),
                }
            })
        })
    }

    /// Grade before.
    #[getter]
    fn grade_before(&self) -> Option<&str> {
        self.inner.grade_before.as_deref()
    }

    /// Grade after.
    #[getter]
    fn grade_after(&self) -> Option<&str> {
        self.inner.grade_after.as_deref()
    }

    /// Status before, in words.
    #[getter]
    fn status_before(&self) -> &str {
        &self.inner.status_before
    }

    /// Status after, in words.
    #[getter]
    fn status_after(&self) -> &str {
        &self.inner.status_after
    }

    /// Total before.
    #[getter]
    fn total_before(&self) -> Option<f64> {
        self.inner.total_before.map(decimal_to_f64)
    }

    /// Total after.
    #[getter]
    fn total_after(&self) -> Option<f64> {
        self.inner.total_after.map(decimal_to_f64)
    }

    /// Grade conditions that flipped: dicts (grade, condition, before, after, before_detail,
    /// after_detail).
    #[getter]
    fn flips<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| field(py, &self.json, "flips"))
    }

    /// Gates whose answer changed: dicts (id, title, before, after).
    #[getter]
    fn gates<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| field(py, &self.json, "gates"))
    }

    /// The total and every part, before and after: dicts (id, title, before, after, delta).
    #[getter]
    fn parts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| field(py, &self.json, "parts"))
    }

    /// Criteria whose evidence or points changed: dicts.
    #[getter]
    fn criteria<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| field(py, &self.json, "criteria"))
    }

    /// The changes applied, as dicts.
    #[getter]
    fn changes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| field(py, &self.json, "changes"))
    }

    /// The result as readable text.
    fn explain(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.explain()))
    }

    /// The result as a dict (decimals as text; the new report is `report`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| json::to_py(py, &self.json))
    }

    /// The result as JSON text.
    #[pyo3(signature = (indent = None))]
    fn to_json(&self, indent: Option<usize>) -> PyResult<String> {
        guard(|| to_text(&self.json, indent))
    }

    fn __repr__(&self) -> PyResult<String> {
        guard(|| {
            Ok({
                format!(
                    "<sanjia.WhatIf {} → {}, {} condition{} flipped>",
                    self.inner.status_before,
                    self.inner.status_after,
                    self.inner.flips.len(),
                    if self.inner.flips.len() == 1 { "" } else { "s" }
                )
            })
        })
    }
}

/// Several reports of one hospital compared round by round (`sanjia.compare`).
#[pyclass(name = "Comparison", module = "sanjia", frozen)]
pub struct PyComparison {
    inner: crate::gap::Comparison,
    json: serde_json::Value,
}

#[pymethods]
impl PyComparison {
    /// The grade the trend is measured against.
    #[getter]
    fn target(&self) -> &str {
        &self.inner.target
    }

    /// Every round: dicts (label, hospital, grade, status, total, failed_conditions,
    /// failed_gates, reached).
    #[getter]
    fn rounds<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| field(py, &self.json, "rounds"))
    }

    /// Each round against the one before: dicts (from, to, total_change, improved, slipped,
    /// departments, flips).
    #[getter]
    fn steps<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| field(py, &self.json, "steps"))
    }

    /// The last round against the first (None with two rounds: see `steps`).
    #[getter]
    fn overall<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| field(py, &self.json, "overall"))
    }

    /// The trend toward the target, in words.
    #[getter]
    fn trend(&self) -> &str {
        &self.inner.trend
    }

    /// Remarks.
    #[getter]
    fn notes(&self) -> Vec<String> {
        self.inner.notes.clone()
    }

    /// The comparison as readable text.
    fn explain(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.explain()))
    }

    /// The comparison as a dict (decimals as text).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| json::to_py(py, &self.json))
    }

    /// The comparison as JSON text.
    #[pyo3(signature = (indent = None))]
    fn to_json(&self, indent: Option<usize>) -> PyResult<String> {
        guard(|| to_text(&self.json, indent))
    }

    fn __repr__(&self) -> PyResult<String> {
        guard(|| {
            Ok({
                format!(
                    "<sanjia.Comparison {} rounds — {}>",
                    self.inner.rounds.len(),
                    self.inner.trend
                )
            })
        })
    }
}

/// `Report.gap_to`: run off the Python thread (the search can take a moment).
pub(crate) fn gap_to(
    py: Python<'_>,
    report: &Report,
    grade: &str,
    cost: Option<&Bound<'_, PyAny>>,
    max_nodes: Option<u64>,
) -> PyResult<PyGap> {
    guard(|| {
        let mut opts = GapOptions::default();
        if let Some(c) = costs(cost)? {
            opts.costs = c.map_err(|e| error(py, &e))?;
        }
        if let Some(n) = max_nodes {
            opts.max_nodes = n;
        }
        let report = report.clone();
        let grade = grade.to_string();
        let r = py.detach(move || report.gap_to_with(&grade, &opts));
        let inner = r.map_err(|e| error(py, &e))?;
        let json = inner.to_json();
        Ok(PyGap { inner, json })
    })
}

/// `Report.what_if`.
pub(crate) fn what_if(
    py: Python<'_>,
    report: &Report,
    changes_obj: &Bound<'_, PyAny>,
) -> PyResult<PyWhatIf> {
    guard(|| {
        let ch = changes(changes_obj, Some(report.rulebook()), None)?.map_err(|e| error(py, &e))?;
        let inner = report.what_if(&ch).map_err(|e| error(py, &e))?;
        let json = inner.to_json();
        Ok(PyWhatIf { inner, json })
    })
}

/// Compare reports of one hospital (mock-review rounds), in order: what improved, what
/// slipped, per criterion and per department, and the trend toward `target` (default: the
/// best grade).
#[pyfunction]
#[pyo3(signature = (reports, labels = None, target = None))]
pub(crate) fn compare(
    py: Python<'_>,
    reports: Vec<PyRef<'_, PyReport>>,
    labels: Option<Vec<String>>,
    target: Option<&str>,
) -> PyResult<PyComparison> {
    guard(|| {
        let rs: Vec<&Report> = reports.iter().map(|r| &r.inner).collect();
        let inner =
            crate::gap::compare(&rs, labels.as_deref(), target).map_err(|e| error(py, &e))?;
        let json = inner.to_json();
        Ok(PyComparison { inner, json })
    })
}
