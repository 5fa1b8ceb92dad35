//! `sanjia.Rulebook`.

use super::errors::{self, guard};
use crate::rulebook::compile::Rule;
use crate::Rulebook;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::PathBuf;

/// A compiled rulebook (load once, score many hospitals).
#[pyclass(name = "Rulebook", module = "sanjia", frozen)]
pub struct PyRulebook {
    pub(crate) inner: Rulebook,
}

fn wrap(py: Python<'_>, r: Result<Rulebook, crate::RulebookError>) -> PyResult<PyRulebook> {
    r.map(|inner| PyRulebook { inner })
        .map_err(|e| errors::rulebook(py, &e))
}

#[pymethods]
impl PyRulebook {
    /// Load and check a rulebook file (.toml or .json).
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<PyRulebook> {
        guard(|| wrap(py, Rulebook::load(&path)))
    }

    /// Load and check a rulebook from TOML text.
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: &str) -> PyResult<PyRulebook> {
        guard(|| wrap(py, Rulebook::from_toml(text)))
    }

    /// Load and check a rulebook from JSON text.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<PyRulebook> {
        guard(|| wrap(py, Rulebook::from_json(text)))
    }

    /// A built-in rulebook (default: the first of `builtin_names()`).
    #[staticmethod]
    #[pyo3(signature = (name = None))]
    fn builtin(py: Python<'_>, name: Option<&str>) -> PyResult<PyRulebook> {
        let name = name.unwrap_or(crate::rulebook::builtin::default_name());
        guard(|| wrap(py, Rulebook::builtin(name)))
    }

    /// Names of the built-in rulebooks; the first is the default.
    #[staticmethod]
    fn builtin_names() -> PyResult<Vec<&'static str>> {
        guard(|| Ok(Rulebook::builtin_names()))
    }

    /// Rulebook id.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.meta().id
    }

    /// Title.
    #[getter]
    fn title(&self) -> &str {
        &self.inner.meta().title
    }

    /// Edition of the standard.
    #[getter]
    fn edition(&self) -> Option<&str> {
        self.inner.meta().edition.as_deref()
    }

    /// Jurisdiction.
    #[getter]
    fn jurisdiction(&self) -> Option<&str> {
        self.inner.meta().jurisdiction.as_deref()
    }

    /// Version of the rulebook file.
    #[getter]
    fn version(&self) -> Option<&str> {
        self.inner.meta().version.as_deref()
    }

    /// Effective date.
    #[getter]
    fn effective(&self) -> Option<&str> {
        self.inner.meta().effective.as_deref()
    }

    /// The file it was loaded from (or `builtin:NAME`).
    #[getter]
    fn file(&self) -> Option<&str> {
        self.inner.file()
    }

    /// Grade ids, best first.
    #[getter]
    fn grades(&self) -> Vec<String> {
        self.inner.grades().iter().map(|g| g.id.clone()).collect()
    }

    /// Sources: list of dicts with id, title, url, note.
    #[getter]
    fn sources<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        guard(|| {
            self.inner
                .meta()
                .sources
                .iter()
                .map(|s| {
                    let d = PyDict::new(py);
                    d.set_item("id", &s.id)?;
                    d.set_item("title", &s.title)?;
                    d.set_item("url", &s.url)?;
                    d.set_item("note", &s.note)?;
                    Ok(d)
                })
                .collect()
        })
    }

    /// Parameters used by grade conditions, as floats.
    #[getter]
    fn params(&self) -> PyResult<Vec<(String, f64)>> {
        guard(|| {
            Ok({
                self.inner
                    .params()
                    .iter()
                    .map(|(k, v)| (k.clone(), crate::ratio::decimal_to_f64(*v)))
                    .collect()
            })
        })
    }

    /// The tree as a list of dicts (one per node, tree order, starting with the total).
    fn node_rows<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        guard(|| {
            let rb = &self.inner;
            let src = rb.source();
            rb.nodes()
                .iter()
                .enumerate()
                .map(|(k, n)| {
                    let d = PyDict::new(py);
                    d.set_item("id", &n.id)?;
                    d.set_item(
                        "parent",
                        n.parent.map(|p| rb.nodes()[p as usize].id.clone()),
                    )?;
                    d.set_item("depth", n.depth)?;
                    d.set_item("kind", n.kind.name())?;
                    d.set_item("title", &n.title)?;
                    d.set_item("tier", &n.tier)?;
                    d.set_item("department", &n.department)?;
                    d.set_item("flags", rb.node_flags(k as u32).join(","))?;
                    d.set_item("core", rb.node_flags(k as u32).contains(&"core"))?;
                    d.set_item("weight", n.weight.map(crate::ratio::decimal_to_f64))?;
                    let max = match &n.rule {
                        Rule::Group { max_points, .. } => {
                            max_points.map(crate::ratio::decimal_to_f64)
                        }
                        Rule::Gate { .. } => None,
                        _ => Some(crate::ratio::decimal_to_f64(rb.criterion_max(k as u32))),
                    };
                    d.set_item("max_points", max)?;
                    let spec = src.nodes.iter().find(|s| s.id == n.id);
                    let (method, unit, direction, target) = match &n.rule {
                        Rule::Indicator(r) => (
                            Some(format!("{:?}", r.method).to_lowercase()),
                            r.unit.clone(),
                            Some(format!("{:?}", r.direction).to_lowercase()),
                            r.target.as_ref().map(|t| t.text.clone()),
                        ),
                        _ => (None, None, None, None),
                    };
                    d.set_item("method", method)?;
                    d.set_item("unit", unit)?;
                    d.set_item("direction", direction)?;
                    d.set_item("target", target)?;
                    d.set_item("confirmed", spec.and_then(|s| s.confirmed))?;
                    d.set_item("source", spec.and_then(|s| s.source.clone()))?;
                    d.set_item("note", spec.and_then(|s| s.note.clone()))?;
                    Ok(d)
                })
                .collect()
        })
    }

    /// The tree as a pyarrow.Table (id, parent, depth, kind, title, tier, department, flags,
    /// core, weight, max_points, method, unit, direction, target, confirmed, source, note).
    fn nodes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let rows = self.node_rows(py)?;
            py.import("pyarrow")?
                .getattr("Table")?
                .call_method1("from_pylist", (rows,))
        })
    }

    /// The tree as text (for `sanjia show`).
    fn tree(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.tree_text()))
    }

    /// The rulebook (as loaded, after layering) as TOML.
    fn to_toml(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.to_toml()))
    }

    /// The rulebook (as loaded, after layering) as JSON.
    fn to_json(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.to_json()))
    }

    /// Write the fill-in evidence workbook (.xlsx) for this rulebook: a readme sheet and one
    /// sheet per part with drop-down lists for answers and a value / numerator / denominator
    /// block per period (default: as many years before this one as the longest trend needs).
    /// With `evidence`, the workbook comes filled in with it.
    #[pyo3(signature = (path, *, periods = None, hospital = None, name = None, evidence = None))]
    fn write_template(
        &self,
        py: Python<'_>,
        path: PathBuf,
        periods: Option<Vec<String>>,
        hospital: Option<String>,
        name: Option<String>,
        evidence: Option<PyRef<'_, super::evidence::PyEvidence>>,
    ) -> PyResult<()> {
        guard(|| {
            super::excel::write_template(
                py,
                &self.inner,
                &path,
                periods,
                hospital,
                name,
                evidence.as_deref().map(|e| &e.inner),
            )
        })
    }

    /// Pickling (e.g. to send a rulebook to Dask or Spark workers): rebuilt from its source.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        guard(|| {
            let from_json = slf.get_type().getattr("from_json")?;
            Ok((from_json, (slf.get().inner.to_json(),)))
        })
    }

    fn __repr__(&self) -> PyResult<String> {
        guard(|| {
            Ok({
                let m = self.inner.meta();
                format!(
                    "<sanjia.Rulebook {} {:?}{}: {} nodes, grades {}>",
                    m.id,
                    m.title,
                    m.edition
                        .as_deref()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default(),
                    self.inner.nodes().len() - 1,
                    self.grades().join(" / ")
                )
            })
        })
    }
}
