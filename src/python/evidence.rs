//! `sanjia.Evidence`.

use super::errors::{self, guard};
use super::json;
use crate::excel::Places;
use crate::Evidence;
use pyo3::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

/// One hospital's evidence: gate answers, indicator values per period, article levels and
/// element results.
#[pyclass(name = "Evidence", module = "sanjia", frozen)]
pub struct PyEvidence {
    pub(crate) inner: Evidence,
    /// For evidence read from a workbook: the cell of each entry, so that errors found when
    /// scoring name the sheet, row and column.
    pub(crate) places: Option<Arc<Places>>,
}

fn wrap(py: Python<'_>, r: Result<Evidence, crate::EvidenceError>) -> PyResult<PyEvidence> {
    r.map(|inner| PyEvidence {
        inner,
        places: None,
    })
    .map_err(|e| errors::evidence(py, &e))
}

#[pymethods]
impl PyEvidence {
    /// Read an evidence file (.toml or .json) or a filled-in evidence workbook (.xlsx, .xls,
    /// .ods; see `sanjia.write_template`). Errors in a workbook name the sheet, row and
    /// column.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<PyEvidence> {
        guard(|| {
            super::excel::load_evidence(&path)
                .map(|(inner, places)| PyEvidence { inner, places })
                .map_err(|e| errors::evidence(py, &e))
        })
    }

    /// Read evidence from a dict: `{"hospital": ..., "gates": {...}, "articles": {...},
    /// "elements": {...}, "indicators": {...}}`.
    #[staticmethod]
    fn from_dict(py: Python<'_>, d: &Bound<'_, PyAny>) -> PyResult<PyEvidence> {
        guard(|| {
            let v = json::to_json(d)?;
            wrap(py, Evidence::from_value(&v))
        })
    }

    /// Read evidence from TOML text.
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: &str) -> PyResult<PyEvidence> {
        guard(|| wrap(py, Evidence::from_toml(text)))
    }

    /// Read evidence from JSON text.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<PyEvidence> {
        guard(|| wrap(py, Evidence::from_json(text)))
    }

    /// A sample hospital bundled with a built-in rulebook (default rulebook and sample when
    /// not given).
    #[staticmethod]
    #[pyo3(signature = (rulebook = None, name = None))]
    fn sample(py: Python<'_>, rulebook: Option<&str>, name: Option<&str>) -> PyResult<PyEvidence> {
        let rb = rulebook.unwrap_or(crate::rulebook::builtin::default_name());
        guard(|| wrap(py, Evidence::sample(rb, name)))
    }

    /// Names of the samples bundled with a built-in rulebook.
    #[staticmethod]
    #[pyo3(signature = (rulebook = None))]
    fn sample_names(rulebook: Option<&str>) -> PyResult<Vec<&'static str>> {
        guard(|| {
            Ok({
                let rb = rulebook.unwrap_or(crate::rulebook::builtin::default_name());
                crate::rulebook::builtin::find(rb)
                    .map(|b| b.samples.iter().map(|s| s.0).collect())
                    .unwrap_or_default()
            })
        })
    }

    /// Hospital id.
    #[getter]
    fn hospital(&self) -> &str {
        &self.inner.hospital
    }

    /// Hospital name.
    #[getter]
    fn name(&self) -> Option<&str> {
        self.inner.name.as_deref()
    }

    /// The rulebook id an evidence workbook names in its readme sheet (None otherwise).
    #[getter]
    fn rulebook_id(&self) -> PyResult<Option<&str>> {
        guard(|| Ok(self.places.as_ref().and_then(|p| p.rulebook.as_deref())))
    }

    /// The evidence as a dict (the same shape `from_dict` reads; numbers as text, exactly).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let v =
                serde_json::to_value(&self.inner).map_err(|e| errors::internal(&e.to_string()))?;
            json::to_py(py, &v)
        })
    }

    /// The evidence with changes applied: `{id: value}` (`"B"`, `"met"`, `"pass"`, a number or
    /// `{"numerator": n, "denominator": d}` for an indicator's latest period, or
    /// `{period: value}`), a list of `(id, value)` / `(id, period, value)`, or `Gap.changes`.
    /// With a rulebook, each id's kind comes from it.
    #[pyo3(signature = (changes, rulebook = None))]
    fn with_changes(
        &self,
        py: Python<'_>,
        changes: &Bound<'_, PyAny>,
        rulebook: Option<&super::rulebook::PyRulebook>,
    ) -> PyResult<PyEvidence> {
        guard(|| {
            let rb = rulebook.map(|r| &r.inner);
            let ch = super::gap::changes(changes, rb, Some(&self.inner))?
                .map_err(|e| super::gap::error(py, &e))?;
            wrap(py, Ok(self.inner.with_changes(&ch)))
        })
    }

    /// Pickling: rebuilt from its JSON form.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        guard(|| {
            let from_json = slf.get_type().getattr("from_json")?;
            let text = serde_json::to_string(&slf.get().inner)
                .map_err(|e| errors::internal(&e.to_string()))?;
            Ok((from_json, (text,)))
        })
    }

    fn __repr__(&self) -> PyResult<String> {
        guard(|| {
            Ok({
                let e = &self.inner;
                format!(
                    "<sanjia.Evidence {}{}: {} gates, {} indicators, {} articles, {} elements>",
                    e.hospital,
                    e.name
                        .as_deref()
                        .map(|n| format!(" {n:?}"))
                        .unwrap_or_default(),
                    e.gates.len(),
                    e.indicators.len(),
                    e.articles.len(),
                    e.elements.len()
                )
            })
        })
    }
}
