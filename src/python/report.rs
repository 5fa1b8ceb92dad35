//! `sanjia.Report` and `sanjia.score`.

use super::errors::{self, guard};
use super::evidence::PyEvidence;
use super::json;
use super::rulebook::PyRulebook;
use crate::ratio::decimal_to_f64;
use crate::Report;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3_arrow::PyTable;

/// One hospital's scored report.
#[pyclass(name = "Report", module = "sanjia", frozen)]
pub struct PyReport {
    pub(crate) inner: Report,
}

/// A pyarrow table from record batches.
pub(crate) fn pyarrow_table<'py>(
    py: Python<'py>,
    batch: Result<arrow_array::RecordBatch, arrow_schema::ArrowError>,
) -> PyResult<Bound<'py, PyAny>> {
    let batch = batch.map_err(|e| errors::internal(&e.to_string()))?;
    let schema = batch.schema();
    PyTable::try_new(vec![batch], schema)?.into_pyarrow(py)
}

fn f(d: rust_decimal::Decimal) -> f64 {
    decimal_to_f64(d)
}

#[pymethods]
impl PyReport {
    /// Hospital id.
    #[getter]
    fn hospital(&self) -> &str {
        self.inner.hospital()
    }

    /// The grade awarded (None when withheld or none met).
    #[getter]
    fn grade(&self) -> Option<&str> {
        self.inner.grade()
    }

    /// The grade the conditions alone award, before gate outcomes.
    #[getter]
    fn earned_grade(&self) -> Option<&str> {
        self.inner.earned_grade()
    }

    /// The result in words (grade, or why there is none).
    #[getter]
    fn status(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.status()))
    }

    /// Total points (rounded as the rulebook says); None when nothing applies.
    #[getter]
    fn total(&self) -> PyResult<Option<f64>> {
        guard(|| Ok(self.inner.total().map(f)))
    }

    /// Maximum total points.
    #[getter]
    fn max_total(&self) -> PyResult<f64> {
        guard(|| Ok(f(self.inner.max_total())))
    }

    /// The rulebook it was scored against.
    #[getter]
    fn rulebook(&self) -> PyResult<PyRulebook> {
        guard(|| {
            Ok({
                PyRulebook {
                    inner: self.inner.rulebook().clone(),
                }
            })
        })
    }

    /// Gate outcomes: list of dicts (id, title, result, outcome, outcome_title, effect).
    #[getter]
    fn gates<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        guard(|| {
            self.inner
                .gates()
                .into_iter()
                .map(|g| {
                    let d = PyDict::new(py);
                    d.set_item("id", g.id)?;
                    d.set_item("title", g.title)?;
                    d.set_item("result", g.result)?;
                    d.set_item("outcome", g.outcome)?;
                    d.set_item("outcome_title", g.outcome_title)?;
                    d.set_item("effect", g.effect)?;
                    Ok(d)
                })
                .collect()
        })
    }

    /// The decision: grade, earned grade, gate effects and every grade's condition traces.
    #[getter]
    fn decision<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let j = self.inner.to_json();
            let d = PyDict::new(py);
            for k in [
                "grade",
                "earned_grade",
                "status",
                "withheld_by",
                "lowered_by",
            ] {
                d.set_item(k, json::to_py(py, &j[k])?)?;
            }
            d.set_item("grades", json::to_py(py, &j["decision"])?)?;
            Ok(d.into_any())
        })
    }

    /// Points lost, largest loss in the total first: list of dicts.
    #[getter]
    fn deductions<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        guard(|| {
            self.inner
                .deductions()
                .into_iter()
                .map(|x| {
                    let d = PyDict::new(py);
                    d.set_item("id", x.id)?;
                    d.set_item("title", x.title)?;
                    d.set_item("kind", x.kind)?;
                    d.set_item("department", x.department)?;
                    d.set_item("points", f(x.points))?;
                    d.set_item("max_points", f(x.max_points))?;
                    d.set_item("lost", f(x.lost))?;
                    d.set_item("lost_in_total", f(x.lost_in_total))?;
                    d.set_item("reason", x.reason)?;
                    Ok(d)
                })
                .collect()
        })
    }

    /// Criteria without evidence: list of dicts (id, title, kind, department, counted_as,
    /// detail).
    #[getter]
    fn missing<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        guard(|| {
            self.inner
                .missing()
                .into_iter()
                .map(|m| {
                    let d = PyDict::new(py);
                    d.set_item("id", m.id)?;
                    d.set_item("title", m.title)?;
                    d.set_item("kind", m.kind)?;
                    d.set_item("department", m.department)?;
                    d.set_item("counted_as", m.counted_as)?;
                    d.set_item("detail", m.detail)?;
                    Ok(d)
                })
                .collect()
        })
    }

    /// What the report was computed from, to reproduce and check it later: dict with
    /// rulebook_id, rulebook_edition, rulebook_version, rulebook_sha256 (of the canonical
    /// compiled rulebook), evidence_sha256 (of the evidence as scored) and sanjia_version.
    #[getter]
    fn audit<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let v = serde_json::to_value(self.inner.audit())
                .map_err(|e| errors::internal(&e.to_string()))?;
            json::to_py(py, &v)
        })
    }

    /// Points of a node by id (None: not applicable).
    fn points(&self, id: &str) -> PyResult<Option<f64>> {
        guard(|| {
            if self.inner.rulebook().node_index(id).is_none() {
                return Err(pyo3::exceptions::PyKeyError::new_err(format!(
                    "no node {id:?} in the rulebook"
                )));
            }
            Ok(self.inner.points(id).map(f))
        })
    }

    /// One row per node (long format) as a pyarrow.Table.
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| pyarrow_table(py, crate::report::arrow::nodes_batch(&[&self.inner])))
    }

    /// One row per node as a pandas DataFrame.
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| self.to_arrow(py)?.call_method0("to_pandas"))
    }

    /// One row per node as a polars DataFrame.
    fn to_polars<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let t = self.to_arrow(py)?;
            py.import("polars")?.call_method1("from_arrow", (t,))
        })
    }

    /// The report as readable text.
    fn explain(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.explain()))
    }

    /// The whole report as JSON text.
    #[pyo3(signature = (indent = None))]
    fn to_json(&self, indent: Option<usize>) -> PyResult<String> {
        guard(|| {
            let v = self.inner.to_json();
            let r = match indent {
                None => serde_json::to_string(&v),
                Some(_) => serde_json::to_string_pretty(&v),
            };
            r.map_err(|e| errors::internal(&e.to_string()))
        })
    }

    /// The whole report as a dict (decimals as text, exactly).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| json::to_py(py, &self.inner.to_json()))
    }

    fn _repr_html_(slf: &Bound<'_, Self>) -> PyResult<String> {
        guard(|| {
            let py = slf.py();
            py.import("sanjia._views")?
                .call_method1("report_html", (slf,))?
                .extract()
        })
    }

    /// A self-contained HTML page (inline CSS, no external files) to send by mail: result,
    /// part scores, the decision trace with every failed condition, deductions, departments
    /// and missing evidence.
    fn to_html(slf: &Bound<'_, Self>) -> PyResult<String> {
        guard(|| {
            let args = pyo3::types::PyTuple::new(slf.py(), [slf.as_any()])?;
            super::excel::call(slf.py(), "sanjia.html", "report_html", args)?.extract()
        })
    }

    /// Write the report to a file; the format comes from `format` or the file's extension:
    /// `xlsx` (a workbook for the review meeting), `html`, `json`, `txt` (the explanation),
    /// `parquet` or `csv` (one row per node; CSV in UTF-8 with a BOM for Excel).
    #[pyo3(signature = (path, format = None))]
    fn write(slf: &Bound<'_, Self>, path: &Bound<'_, PyAny>, format: Option<&str>) -> PyResult<()> {
        guard(|| {
            let py = slf.py();
            let args = (slf.as_any(), path, format).into_pyobject(py)?;
            super::excel::call(py, "sanjia._output", "write_report", args)?;
            Ok(())
        })
    }

    /// Plot the report (needs matplotlib, the `plot` extra): `kind` is `"overview"` (score
    /// profile and deductions by department), `"parts"`, `"chapters"` or `"departments"`.
    /// Draws into `ax` when given; returns the matplotlib Figure.
    #[pyo3(signature = (kind = "overview", ax = None))]
    fn plot<'py>(
        slf: &Bound<'py, Self>,
        kind: &str,
        ax: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let py = slf.py();
            let args = (slf.as_any(), kind, ax).into_pyobject(py)?;
            super::excel::call(py, "sanjia.plot", "plot_report", args)
        })
    }

    /// Write the report workbook (.xlsx); used by `write`.
    fn _write_xlsx(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        guard(|| super::excel::write_report(py, &self.inner, &path))
    }

    /// How far this hospital is from `grade` and the least that closes the gap: a
    /// `sanjia.Gap` with every failed condition in words and numbers, the gates in the way
    /// and a plan verified by re-scoring. `cost` is a dict or a cost file (.toml / .json):
    /// default, per_extra_level, kind, department, criterion, fixed.
    #[pyo3(signature = (grade, cost = None, max_nodes = None))]
    fn gap_to(
        &self,
        py: Python<'_>,
        grade: &str,
        cost: Option<&Bound<'_, PyAny>>,
        max_nodes: Option<u64>,
    ) -> PyResult<super::gap::PyGap> {
        guard(|| super::gap::gap_to(py, &self.inner, grade, cost, max_nodes))
    }

    /// Apply changes (`{id: value}`, or a list of `(id, value)` / `(id, period, value)`, or
    /// `Gap.changes`) to this report's evidence and re-score: a `sanjia.WhatIf`.
    fn what_if(
        &self,
        py: Python<'_>,
        changes: &Bound<'_, PyAny>,
    ) -> PyResult<super::gap::PyWhatIf> {
        guard(|| super::gap::what_if(py, &self.inner, changes))
    }

    fn __repr__(&self) -> PyResult<String> {
        guard(|| {
            Ok({
                format!(
                    "<sanjia.Report {}: {} — total {}>",
                    self.inner.hospital(),
                    self.inner.status(),
                    self.inner
                        .total()
                        .map(|t| format!(
                            "{} of {}",
                            t.normalize(),
                            self.inner.max_total().normalize()
                        ))
                        .unwrap_or_else(|| "n/a".into())
                )
            })
        })
    }
}

/// Score one hospital's evidence against a rulebook (with its staff records, if given:
/// criteria with `from = { exams = ... }` take their values from them).
#[pyfunction]
#[pyo3(signature = (rulebook, evidence, records = None))]
pub(crate) fn score(
    py: Python<'_>,
    rulebook: &PyRulebook,
    evidence: &PyEvidence,
    records: Option<PyRef<'_, super::exams::PyRecords>>,
) -> PyResult<PyReport> {
    let records = super::exams::records_of(records.as_deref());
    guard(|| {
        crate::score_with(&rulebook.inner, &evidence.inner, &records)
            .map(|inner| PyReport { inner })
            .map_err(|e| {
                let e = super::excel::relocate(evidence.places.as_ref(), e);
                errors::evidence(py, &e)
            })
    })
}
