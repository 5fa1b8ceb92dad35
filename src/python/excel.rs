//! Excel and the other outputs for the bindings: the evidence template, reading workbooks
//! with the cells of their entries, report workbooks, and the calls into the Python modules
//! that render HTML, plots and Parquet / CSV files.
//!
//! Built without the `excel` feature, the Excel functions raise `NotImplementedError`.

use crate::evidence::{Evidence, EvidenceError};
use crate::excel::Places;
#[cfg(feature = "excel")]
use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::path::Path;
use std::sync::Arc;

#[cfg(not(feature = "excel"))]
fn no_excel() -> PyErr {
    pyo3::exceptions::PyNotImplementedError::new_err(
        "this build of sanjia has no Excel support (cargo feature `excel`)",
    )
}

/// A workbook that could not be written, as `OSError`.
#[cfg(feature = "excel")]
fn write_error(e: crate::excel::WriteError) -> PyErr {
    PyOSError::new_err(e.to_string())
}

/// Read evidence from a file; a workbook keeps the cells of its entries.
pub(crate) fn load_evidence(path: &Path) -> Result<(Evidence, Option<Arc<Places>>), EvidenceError> {
    #[cfg(feature = "excel")]
    if crate::excel::is_workbook(path) {
        return crate::excel::read(path).map(|w| (w.evidence, Some(Arc::new(w.places))));
    }
    Evidence::load(path).map(|e| (e, None))
}

/// Name the cells of a workbook's entries in an error found when checking it.
pub(crate) fn relocate(places: Option<&Arc<Places>>, e: EvidenceError) -> EvidenceError {
    match places {
        Some(p) => p.relocate(e),
        None => e,
    }
}

/// Write the fill-in evidence workbook for a rulebook.
#[cfg_attr(not(feature = "excel"), allow(unused_variables))]
pub(crate) fn write_template(
    py: Python<'_>,
    rb: &crate::Rulebook,
    path: &Path,
    periods: Option<Vec<String>>,
    hospital: Option<String>,
    name: Option<String>,
    evidence: Option<&Evidence>,
) -> PyResult<()> {
    #[cfg(feature = "excel")]
    {
        use crate::excel::TemplateOptions;
        if let Some(ev) = evidence {
            ev.sheet(rb).map_err(|e| super::errors::evidence(py, &e))?;
        }
        let mut opts = TemplateOptions::for_rulebook(rb);
        if let Some(p) = periods {
            opts.periods = p;
        }
        opts.hospital = hospital;
        opts.name = name;
        let ev = evidence.cloned();
        let rb = rb.clone();
        let path = path.to_path_buf();
        py.detach(move || crate::excel::write_template(&rb, &opts, ev.as_ref(), &path))
            .map_err(write_error)
    }
    #[cfg(not(feature = "excel"))]
    Err(no_excel())
}

/// Write one hospital's report workbook.
#[cfg_attr(not(feature = "excel"), allow(unused_variables))]
pub(crate) fn write_report(py: Python<'_>, report: &crate::Report, path: &Path) -> PyResult<()> {
    #[cfg(feature = "excel")]
    {
        let report = report.clone();
        let path = path.to_path_buf();
        py.detach(move || crate::excel::write_report(&report, &path))
            .map_err(write_error)
    }
    #[cfg(not(feature = "excel"))]
    Err(no_excel())
}

/// Write a batch's report workbook.
#[cfg_attr(not(feature = "excel"), allow(unused_variables))]
pub(crate) fn write_batch(
    py: Python<'_>,
    rb: &crate::Rulebook,
    hospitals: &[Option<String>],
    results: &[Result<crate::Scorecard, EvidenceError>],
    path: &Path,
) -> PyResult<()> {
    #[cfg(feature = "excel")]
    {
        let bytes = py
            .detach(|| crate::excel::batch_workbook(rb, hospitals, results))
            .map_err(write_error)?;
        std::fs::write(path, bytes)
            .map_err(|e| PyOSError::new_err(format!("cannot write {}: {e}", path.display())))
    }
    #[cfg(not(feature = "excel"))]
    Err(no_excel())
}

/// Call `sanjia.<module>.<function>(*args)`.
pub(crate) fn call<'py>(
    py: Python<'py>,
    module: &str,
    function: &str,
    args: Bound<'py, PyTuple>,
) -> PyResult<Bound<'py, PyAny>> {
    py.import(module)?.getattr(function)?.call1(args)
}

/// Read the table on one sheet of a workbook (see [`crate::excel::read_sheet_table`]): the
/// pyarrow Table, the sheet's name and each table row's row in the sheet; a problem is a
/// `ValueError` naming the cell.
#[pyfunction]
#[pyo3(signature = (path, sheet=None, text=Vec::new(), numbers=Vec::new()))]
#[cfg_attr(not(feature = "excel"), allow(unused_variables))]
pub(crate) fn _read_sheet_table<'py>(
    py: Python<'py>,
    path: std::path::PathBuf,
    sheet: Option<String>,
    text: Vec<String>,
    numbers: Vec<String>,
) -> PyResult<Bound<'py, PyAny>> {
    super::errors::guard(|| {
        #[cfg(feature = "excel")]
        {
            let text: Vec<&str> = text.iter().map(String::as_str).collect();
            let numbers: Vec<&str> = numbers.iter().map(String::as_str).collect();
            let options = crate::excel::SheetTableOptions {
                sheet: sheet.as_deref(),
                text: &text,
                numbers: &numbers,
            };
            let t = py
                .detach(|| crate::excel::read_sheet_table(&path, &options))
                .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
            let table = super::report::pyarrow_table(py, Ok(t.batch))?;
            (table, t.sheet, t.rows)
                .into_pyobject(py)
                .map(|t| t.into_any())
        }
        #[cfg(not(feature = "excel"))]
        Err(no_excel())
    })
}

/// Write tables as the sheets of one `.xlsx` workbook (see [`crate::excel::write_tables`]);
/// columns named in `percent` are shown as percentages. A file that cannot be written is an
/// `OSError`.
#[pyfunction]
#[cfg_attr(not(feature = "excel"), allow(unused_variables))]
pub(crate) fn _write_tables_xlsx(
    py: Python<'_>,
    path: std::path::PathBuf,
    sheets: Vec<(String, pyo3_arrow::PyTable)>,
    percent: Vec<String>,
) -> PyResult<()> {
    super::errors::guard(|| {
        #[cfg(feature = "excel")]
        {
            let tables: Vec<(String, Vec<arrow_array::RecordBatch>)> = sheets
                .into_iter()
                .map(|(name, t)| (name, t.into_inner().0))
                .collect();
            let sheets: Vec<crate::excel::TableSheet<'_>> = tables
                .iter()
                .map(|(name, batches)| (name.as_str(), batches.as_slice()))
                .collect();
            let percent: Vec<&str> = percent.iter().map(String::as_str).collect();
            py.detach(|| crate::excel::write_tables(&sheets, &percent, &path))
                .map_err(write_error)
        }
        #[cfg(not(feature = "excel"))]
        Err(no_excel())
    })
}
