//! The one mapping from sanjia's Rust errors to Python exceptions.
//!
//! Every exception subclasses `sanjia.SanjiaError` (a `ValueError`) and carries the places the
//! Rust error names: `file`, `hospital` and `problems` (a list of dicts). A panic inside sanjia
//! never crosses into Python as a panic: it becomes `sanjia.InternalError` saying it is a bug.

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::panic::{catch_unwind, AssertUnwindSafe};

pyo3::create_exception!(
    sanjia,
    SanjiaError,
    PyValueError,
    "Base class of sanjia's errors."
);
pyo3::create_exception!(
    sanjia,
    RulebookError,
    SanjiaError,
    "A rulebook cannot be used."
);
pyo3::create_exception!(
    sanjia,
    EvidenceError,
    SanjiaError,
    "Evidence cannot be scored."
);
pyo3::create_exception!(
    sanjia,
    ExamsError,
    SanjiaError,
    "Exam records cannot be evaluated."
);
pyo3::create_exception!(
    sanjia,
    InternalError,
    PyRuntimeError,
    "A bug in sanjia (please report it with the message)."
);

/// Register the exception classes on the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("SanjiaError", py.get_type::<SanjiaError>())?;
    m.add("RulebookError", py.get_type::<RulebookError>())?;
    m.add("EvidenceError", py.get_type::<EvidenceError>())?;
    m.add("ExamsError", py.get_type::<ExamsError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    m.add_function(pyo3::wrap_pyfunction!(_panic_for_tests, m)?)?;
    Ok(())
}

fn with_attrs(py: Python<'_>, err: PyErr, attrs: &[(&str, Bound<'_, PyAny>)]) -> PyErr {
    let v = err.value(py);
    for (k, a) in attrs {
        let _ = v.setattr(*k, a);
    }
    err
}

/// A rulebook error as `sanjia.RulebookError`.
pub(crate) fn rulebook(py: Python<'_>, e: &crate::RulebookError) -> PyErr {
    let problems: Vec<Bound<'_, PyDict>> = e
        .problems
        .iter()
        .map(|p| {
            let d = PyDict::new(py);
            let _ = d.set_item("path", &p.path);
            let _ = d.set_item("id", &p.id);
            let _ = d.set_item("message", &p.message);
            d
        })
        .collect();
    let attrs = [
        (
            "file",
            e.file
                .clone()
                .into_pyobject(py)
                .map(|o| o.into_any())
                .unwrap_or_else(|_| py.None().into_bound(py)),
        ),
        (
            "problems",
            problems
                .into_pyobject(py)
                .map(|o| o.into_any())
                .unwrap_or_else(|_| py.None().into_bound(py)),
        ),
    ];
    with_attrs(py, RulebookError::new_err(e.to_string()), &attrs)
}

/// An evidence error as `sanjia.EvidenceError`.
pub(crate) fn evidence(py: Python<'_>, e: &crate::EvidenceError) -> PyErr {
    let problems: Vec<Bound<'_, PyDict>> = e
        .problems
        .iter()
        .map(|p| {
            let d = PyDict::new(py);
            let _ = d.set_item("row", p.row);
            let _ = d.set_item("path", &p.path);
            let _ = d.set_item("criterion", &p.criterion);
            let _ = d.set_item("message", &p.message);
            d
        })
        .collect();
    let none = || py.None().into_bound(py);
    let attrs = [
        (
            "file",
            e.file
                .clone()
                .into_pyobject(py)
                .map(|o| o.into_any())
                .unwrap_or_else(|_| none()),
        ),
        (
            "hospital",
            e.hospital
                .clone()
                .into_pyobject(py)
                .map(|o| o.into_any())
                .unwrap_or_else(|_| none()),
        ),
        (
            "problems",
            problems
                .into_pyobject(py)
                .map(|o| o.into_any())
                .unwrap_or_else(|_| none()),
        ),
    ];
    with_attrs(py, EvidenceError::new_err(e.to_string()), &attrs)
}

/// An exam or training engine error as `sanjia.ExamsError`, with `table` and `column` (None
/// when the error is not about one), `rows` (the bad rows named, 0-based), `total` (number of
/// bad rows) and `problems` (one dict per named row: table, row, reason, message).
pub(crate) fn exams(py: Python<'_>, e: &crate::exams::ExamError) -> PyErr {
    use crate::exams::ExamError as E;
    let (table, column) = match e {
        E::MissingColumn { table, column }
        | E::ColumnType { table, column, .. }
        | E::LengthMismatch { table, column, .. } => (Some(table.name()), Some(column.clone())),
        E::TooManyRows { table, .. } => (Some(table.name()), None),
        E::BadRows { shown, .. } if shown.iter().all(|r| r.table == shown[0].table) => {
            (shown.first().map(|r| r.table.name()), None)
        }
        _ => (None, None),
    };
    let (total, shown): (usize, &[crate::exams::Rejection]) = match e {
        E::BadRows { total, shown } => (*total, shown),
        _ => (0, &[]),
    };
    let problems: Vec<Bound<'_, PyDict>> = shown
        .iter()
        .map(|r| {
            let d = PyDict::new(py);
            let _ = d.set_item("table", r.table.name());
            let _ = d.set_item("row", r.row);
            let _ = d.set_item("reason", r.reason.code());
            let _ = d.set_item("message", r.reason.to_string());
            d
        })
        .collect();
    let rows: Vec<usize> = shown.iter().map(|r| r.row).collect();
    use pyo3::IntoPyObjectExt;
    fn any<'py>(py: Python<'py>, r: PyResult<Bound<'py, PyAny>>) -> Bound<'py, PyAny> {
        r.unwrap_or_else(|_| py.None().into_bound(py))
    }
    let attrs = [
        ("table", any(py, table.into_bound_py_any(py))),
        ("column", any(py, column.into_bound_py_any(py))),
        ("rows", any(py, rows.into_bound_py_any(py))),
        ("total", any(py, total.into_bound_py_any(py))),
        ("problems", any(py, problems.into_bound_py_any(py))),
    ];
    with_attrs(py, ExamsError::new_err(e.to_string()), &attrs)
}

/// The message of a caught panic.
pub(crate) fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// The exception for a panic.
pub(crate) fn internal(msg: &str) -> PyErr {
    InternalError::new_err(format!(
        "bug in sanjia {} (please report it): {msg}",
        crate::VERSION
    ))
}

/// Run binding code, turning a panic into `sanjia.InternalError`.
pub(crate) fn guard<T>(f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => Err(internal(&panic_message(p.as_ref()))),
    }
}

/// Test hook: panic inside `guard()` with `message`, to check that a panic reaches Python as
/// `sanjia.InternalError`. Inert unless the environment says `SANJIA_TEST_PANIC=1` (then it is
/// a test run); otherwise it raises `RuntimeError` and panics nowhere.
#[pyfunction]
fn _panic_for_tests(message: &str) -> PyResult<()> {
    if std::env::var("SANJIA_TEST_PANIC").as_deref() != Ok("1") {
        return Err(PyRuntimeError::new_err(
            "_panic_for_tests is a test hook: set SANJIA_TEST_PANIC=1 to use it",
        ));
    }
    guard(|| panic!("{message}"))
}
