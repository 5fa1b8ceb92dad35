//! `sanjia.score_batch` (through `_score_evidences` / `_score_table`) and `BatchResult`.

use super::errors::{self, guard};
use super::evidence::PyEvidence;
use super::report::{pyarrow_table, PyReport};
use super::rulebook::PyRulebook;
use super::run::run;
use crate::evidence::EvidenceError;
use crate::score::{score_sheet, Scorecard};
use crate::{Report, Rulebook};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3_arrow::PyTable;
use rayon::prelude::*;

/// The result of scoring many hospitals: one entry per input hospital, in input order.
#[pyclass(name = "BatchResult", module = "sanjia", frozen)]
pub struct PyBatchResult {
    rulebook: Rulebook,
    hospitals: Vec<Option<String>>,
    results: Vec<Result<Scorecard, EvidenceError>>,
}

#[pymethods]
impl PyBatchResult {
    fn __len__(&self) -> PyResult<usize> {
        guard(|| Ok(self.results.len()))
    }

    /// The report of entry `i`; raises `EvidenceError` if that hospital could not be scored.
    fn __getitem__(&self, py: Python<'_>, i: isize) -> PyResult<PyReport> {
        guard(|| {
            let n = self.results.len() as isize;
            let k = if i < 0 { i + n } else { i };
            if k < 0 || k >= n {
                return Err(pyo3::exceptions::PyIndexError::new_err(
                    "batch index out of range",
                ));
            }
            match &self.results[k as usize] {
                Ok(card) => Ok(PyReport {
                    inner: Report::from_scorecard(&self.rulebook, card.clone()),
                }),
                Err(e) => Err(errors::evidence(py, e)),
            }
        })
    }

    /// Reports in input order (None where the hospital could not be scored).
    fn reports(&self) -> PyResult<Vec<Option<PyReport>>> {
        guard(|| {
            Ok({
                self.results
                    .iter()
                    .map(|r| {
                        r.as_ref().ok().map(|card| PyReport {
                            inner: Report::from_scorecard(&self.rulebook, card.clone()),
                        })
                    })
                    .collect()
            })
        })
    }

    /// Hospitals that could not be scored: list of dicts (index, hospital, error, problems).
    #[getter]
    fn errors<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        guard(|| {
            self.results
                .iter()
                .enumerate()
                .filter_map(|(i, r)| r.as_ref().err().map(|e| (i, e)))
                .map(|(i, e)| {
                    let d = PyDict::new(py);
                    d.set_item("index", i)?;
                    d.set_item(
                        "hospital",
                        e.hospital.clone().or_else(|| self.hospitals[i].clone()),
                    )?;
                    d.set_item("error", e.to_string())?;
                    let err = errors::evidence(py, e);
                    d.set_item("problems", err.value(py).getattr("problems")?)?;
                    Ok(d)
                })
                .collect()
        })
    }

    /// Number of hospitals scored without error.
    #[getter]
    fn n_scored(&self) -> usize {
        self.results.iter().filter(|r| r.is_ok()).count()
    }

    /// One row per hospital (hospital_id, grade, earned_grade, status, total, max_total, one
    /// column per part, failed_gates, error) as a pyarrow.Table.
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            pyarrow_table(
                py,
                crate::report::arrow::summary_batch(&self.rulebook, &self.hospitals, &self.results),
            )
        })
    }

    /// One row per node per scored hospital as a pyarrow.Table.
    fn nodes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let reports: Vec<Report> = self
                .results
                .iter()
                .filter_map(|r| r.as_ref().ok())
                .map(|c| Report::from_scorecard(&self.rulebook, c.clone()))
                .collect();
            let refs: Vec<&Report> = reports.iter().collect();
            pyarrow_table(py, crate::report::arrow::nodes_batch(&refs))
        })
    }

    /// The summary as a pandas DataFrame.
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| self.summary(py)?.call_method0("to_pandas"))
    }

    /// The summary as a polars DataFrame.
    fn to_polars<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let t = self.summary(py)?;
            py.import("polars")?.call_method1("from_arrow", (t,))
        })
    }

    fn _repr_html_(slf: &Bound<'_, Self>) -> PyResult<String> {
        guard(|| {
            slf.py()
                .import("sanjia._views")?
                .call_method1("batch_html", (slf,))?
                .extract()
        })
    }

    /// A self-contained HTML page with one row per hospital.
    fn to_html(slf: &Bound<'_, Self>) -> PyResult<String> {
        guard(|| {
            let args = pyo3::types::PyTuple::new(slf.py(), [slf.as_any()])?;
            super::excel::call(slf.py(), "sanjia.html", "batch_html", args)?.extract()
        })
    }

    /// Write the results to a file; the format comes from `format` or the extension: `xlsx`
    /// (summary, deductions, departments, missing evidence, errors), `html`, `json`, or
    /// `parquet` / `csv` of `table` (`"summary"`: one row per hospital, `"nodes"`: one row
    /// per node per hospital).
    #[pyo3(signature = (path, format = None, table = "summary"))]
    fn write(
        slf: &Bound<'_, Self>,
        path: &Bound<'_, PyAny>,
        format: Option<&str>,
        table: &str,
    ) -> PyResult<()> {
        guard(|| {
            let py = slf.py();
            let args = (slf.as_any(), path, format, table).into_pyobject(py)?;
            super::excel::call(py, "sanjia._output", "write_batch", args)?;
            Ok(())
        })
    }

    /// Write the batch workbook (.xlsx); used by `write`.
    fn _write_xlsx(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        guard(|| {
            super::excel::write_batch(py, &self.rulebook, &self.hospitals, &self.results, &path)
        })
    }

    fn __repr__(&self) -> PyResult<String> {
        guard(|| {
            Ok({
                format!(
                    "<sanjia.BatchResult {} hospitals: {} scored, {} errors>",
                    self.results.len(),
                    self.n_scored(),
                    self.results.len() - self.n_scored()
                )
            })
        })
    }
}

/// Score a list of Evidence in parallel.
#[pyfunction]
#[pyo3(signature = (rulebook, evidences, n_threads = None, progress = None, records = None))]
pub(crate) fn _score_evidences(
    py: Python<'_>,
    rulebook: &PyRulebook,
    evidences: Vec<PyRef<'_, PyEvidence>>,
    n_threads: Option<usize>,
    progress: Option<Bound<'_, PyAny>>,
    records: Option<PyRef<'_, super::exams::PyRecords>>,
) -> PyResult<PyBatchResult> {
    let records = super::exams::records_of(records.as_deref());
    let rb = rulebook.inner.clone();
    let evs: Vec<crate::Evidence> = evidences.iter().map(|e| e.inner.clone()).collect();
    let places: Vec<_> = evidences.iter().map(|e| e.places.clone()).collect();
    let hospitals = evs.iter().map(|e| Some(e.hospital.clone())).collect();
    let total = evs.len();
    let rb2 = rb.clone();
    let results = run(py, n_threads, total, progress.as_ref(), move |opts| {
        opts.install(|| {
            evs.par_iter()
                .map(|ev| {
                    if opts.cancelled() {
                        return Err(crate::BatchOptions::cancelled_error(&ev.hospital));
                    }
                    let r = ev.sheet(&rb2).and_then(|mut s| {
                        records.apply(&rb2, &mut s)?;
                        score_sheet(&rb2, &s)
                    });
                    opts.tick();
                    r
                })
                .collect::<Vec<_>>()
        })
    })?;
    let results = results
        .into_iter()
        .zip(&places)
        .map(|(r, p)| r.map_err(|e| super::excel::relocate(p.as_ref(), e)))
        .collect();
    Ok(PyBatchResult {
        rulebook: rb,
        hospitals,
        results,
    })
}

/// Score a long-format table (anything with `__arrow_c_stream__`) in parallel.
#[pyfunction]
#[pyo3(signature = (rulebook, table, n_threads = None, progress = None, records = None))]
pub(crate) fn _score_table(
    py: Python<'_>,
    rulebook: &PyRulebook,
    table: PyTable,
    n_threads: Option<usize>,
    progress: Option<Bound<'_, PyAny>>,
    records: Option<PyRef<'_, super::exams::PyRecords>>,
) -> PyResult<PyBatchResult> {
    let records = super::exams::records_of(records.as_deref());
    let rb = rulebook.inner.clone();
    let (batches, _schema) = table.into_inner();
    let rb2 = rb.clone();
    let checked = run(py, n_threads, 0, None, move |opts| {
        opts.install(|| crate::evidence::arrow::sheets_from_batches(&rb2, &batches))
    })?;
    let sheets: Vec<_> = checked
        .map_err(|e| errors::evidence(py, &e))?
        .into_iter()
        .map(|s| {
            s.and_then(|mut s| {
                records.apply(&rb, &mut s)?;
                Ok(s)
            })
        })
        .collect();
    let hospitals: Vec<Option<String>> = sheets
        .iter()
        .map(|s| match s {
            Ok(s) => Some(s.hospital.clone()),
            Err(e) => e.hospital.clone(),
        })
        .collect();
    let total = sheets.len();
    let rb3 = rb.clone();
    let results = run(py, n_threads, total, progress.as_ref(), move |opts| {
        crate::score::score_sheets(&rb3, &sheets, &opts)
    })?;
    Ok(PyBatchResult {
        rulebook: rb,
        hospitals,
        results,
    })
}
