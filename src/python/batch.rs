//! `sanjia.score_batch` (through `_score_evidences` / `_score_table`) and `BatchResult`.

use super::errors::{self, guard};
use super::evidence::PyEvidence;
use super::report::{pyarrow_table, PyReport};
use super::rulebook::PyRulebook;
use super::run::run;
use crate::evidence::EvidenceError;
use crate::score::batch::Batch;
use crate::score::Scorecard;
use crate::Report;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::sync::Arc;

/// The result of scoring many hospitals: one entry per input hospital, in input order.
#[pyclass(name = "BatchResult", module = "sanjia", frozen)]
pub struct PyBatchResult {
    batch: Batch,
    /// Where each entry's evidence came from in a workbook, to name cells in errors.
    places: Vec<Option<Arc<crate::excel::Places>>>,
}

impl PyBatchResult {
    fn relocate(&self, i: usize, e: EvidenceError) -> EvidenceError {
        match self.places.get(i) {
            Some(p) => super::excel::relocate(p.as_ref(), e),
            None => e,
        }
    }

    fn report_at(&self, py: Python<'_>, i: usize) -> PyResult<PyReport> {
        let batch = &self.batch;
        py.detach(|| batch.report(i))
            .map(|inner| PyReport { inner })
            .map_err(|e| errors::evidence(py, &self.relocate(i, e)))
    }

    /// Every scorable entry's full scorecard, rescored in parallel with the GIL released.
    fn scorecards(&self, py: Python<'_>) -> Vec<Result<Scorecard, EvidenceError>> {
        let batch = &self.batch;
        py.detach(|| batch.scorecards(&crate::BatchOptions::default()))
    }
}

#[pymethods]
impl PyBatchResult {
    fn __len__(&self) -> PyResult<usize> {
        guard(|| Ok(self.batch.len()))
    }

    /// The report of entry `i` (rescored from the kept input); raises `EvidenceError` if that
    /// hospital could not be scored.
    fn __getitem__(&self, py: Python<'_>, i: isize) -> PyResult<PyReport> {
        guard(|| {
            let n = self.batch.len() as isize;
            let k = if i < 0 { i + n } else { i };
            if k < 0 || k >= n {
                return Err(pyo3::exceptions::PyIndexError::new_err(
                    "batch index out of range",
                ));
            }
            self.report_at(py, k as usize)
        })
    }

    /// Reports in input order (None where the hospital could not be scored).
    fn reports(&self, py: Python<'_>) -> PyResult<Vec<Option<PyReport>>> {
        guard(|| {
            let rb = self.batch.rulebook();
            Ok(self
                .scorecards(py)
                .into_iter()
                .map(|r| {
                    r.ok().map(|card| PyReport {
                        inner: Report::from_scorecard(rb, card),
                    })
                })
                .collect())
        })
    }

    /// Hospitals that could not be scored: list of dicts (index, hospital, error, problems).
    #[getter]
    fn errors<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        guard(|| {
            let hospitals = self.batch.hospitals();
            self.batch
                .rows()
                .iter()
                .enumerate()
                .filter_map(|(i, r)| r.as_ref().err().map(|e| (i, e)))
                .map(|(i, e)| {
                    let d = PyDict::new(py);
                    d.set_item("index", i)?;
                    d.set_item(
                        "hospital",
                        e.hospital.clone().or_else(|| hospitals[i].clone()),
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
        self.batch.rows().iter().filter(|r| r.is_ok()).count()
    }

    /// One row per hospital (hospital_id, grade, earned_grade, status, total, max_total, one
    /// column per part, failed_gates, error, evidence_sha256) as a pyarrow.Table.
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| pyarrow_table(py, self.batch.summary_batch()))
    }

    /// One row per node per scored hospital as a pyarrow.Table (rescored from the kept input).
    fn nodes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let rb = self.batch.rulebook();
            let reports: Vec<Report> = self
                .scorecards(py)
                .into_iter()
                .filter_map(Result::ok)
                .map(|c| Report::from_scorecard(rb, c))
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
            let cards = self.scorecards(py);
            let rb = self.batch.rulebook();
            super::excel::write_batch(py, rb, self.batch.hospitals(), &cards, &path)
        })
    }

    fn __repr__(&self) -> PyResult<String> {
        guard(|| {
            Ok({
                format!(
                    "<sanjia.BatchResult {} hospitals: {} scored, {} errors>",
                    self.batch.len(),
                    self.n_scored(),
                    self.batch.len() - self.n_scored()
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
    guard(|| {
        let records = super::exams::records_of(records.as_deref());
        let rb = rulebook.inner.clone();
        let evs: Vec<crate::Evidence> = evidences.iter().map(|e| e.inner.clone()).collect();
        let places: Vec<_> = evidences.iter().map(|e| e.places.clone()).collect();
        let total = evs.len();
        let batch = run(py, n_threads, total, progress.as_ref(), move |opts| {
            Batch::from_evidence(&rb, evs, records, &opts)
        })?;
        let mut batch = batch;
        batch.map_errors(|i, e| match places.get(i) {
            Some(p) => super::excel::relocate(p.as_ref(), e),
            None => e,
        });
        Ok(PyBatchResult { batch, places })
    })
}

/// Score a long-format table (anything with `__arrow_c_stream__`) in parallel. With
/// `stream=True` the batches are consumed as they come (memory bounded; a hospital's rows must
/// be together; full reports are not kept).
#[pyfunction]
#[pyo3(signature = (rulebook, table, n_threads = None, progress = None, records = None, stream = false))]
pub(crate) fn _score_table(
    py: Python<'_>,
    rulebook: &PyRulebook,
    table: pyo3_arrow::PyRecordBatchReader,
    n_threads: Option<usize>,
    progress: Option<Bound<'_, PyAny>>,
    records: Option<PyRef<'_, super::exams::PyRecords>>,
    stream: bool,
) -> PyResult<PyBatchResult> {
    guard(|| {
        let records = super::exams::records_of(records.as_deref());
        let rb = rulebook.inner.clone();
        let reader = table.into_reader()?;
        let batch = if stream {
            run(py, n_threads, 0, progress.as_ref(), move |opts| {
                Batch::from_stream(&rb, reader, records, &opts)
            })?
        } else {
            let batches: Vec<_> = reader
                .collect::<Result<_, _>>()
                .map_err(|e| errors::evidence(py, &EvidenceError::single(None, e.to_string())))?;
            run(py, n_threads, 0, progress.as_ref(), move |opts| {
                Batch::from_tables(&rb, batches, records, &opts)
            })?
        };
        let batch = batch.map_err(|e| errors::evidence(py, &e))?;
        let places = vec![None; batch.len()];
        Ok(PyBatchResult { batch, places })
    })
}
