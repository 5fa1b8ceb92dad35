//! Python bindings (cargo feature `python`, enabled by maturin): thin wrappers over the core,
//! the one error mapping, and long work run off the Python thread. The compiled module is
//! `sanjia._sanjia`; the `sanjia` package re-exports it.

mod batch;
mod errors;
mod evidence;
mod exams;
mod excel;
mod gap;
mod json;
mod report;
mod rulebook;
mod run;

use pyo3::prelude::*;

#[pymodule]
fn _sanjia(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<rulebook::PyRulebook>()?;
    m.add_class::<evidence::PyEvidence>()?;
    m.add_class::<report::PyReport>()?;
    m.add_class::<batch::PyBatchResult>()?;
    m.add_class::<gap::PyGap>()?;
    m.add_class::<gap::PyWhatIf>()?;
    m.add_class::<gap::PyComparison>()?;
    m.add_function(wrap_pyfunction!(gap::compare, m)?)?;
    m.add_function(wrap_pyfunction!(report::score, m)?)?;
    m.add_function(wrap_pyfunction!(batch::_score_evidences, m)?)?;
    m.add_function(wrap_pyfunction!(batch::_score_table, m)?)?;
    m.add_function(wrap_pyfunction!(excel::_read_sheet_table, m)?)?;
    m.add_function(wrap_pyfunction!(excel::_write_tables_xlsx, m)?)?;
    exams::register(m)?;
    errors::register(m)?;
    m.add("__version__", crate::VERSION)?;
    Ok(())
}
