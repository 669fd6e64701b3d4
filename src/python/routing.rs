//! `Router` and `Decision` for Python.
//!
//! The catalogs and the id map are built once per router (the default map over the embedded
//! catalogs once per process); routing itself runs in Rust without touching Python objects
//! except to convert the optional body and the result.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::catalog::{Catalog, Gateway};
use crate::error::Error;
use crate::python::convert::{py_to_value, value_to_py};
use crate::python::errors::to_pyerr;
use crate::routing::breaker::BreakerConfig;
use crate::routing::router::{Decision, Pin, RouteRequest, Router, RouterSettings};
use crate::routing::ModelMap;

fn gateway(py: Python<'_>, name: &str) -> PyResult<Gateway> {
    Gateway::parse(name).map_err(|e| to_pyerr(py, e))
}

fn pins_from(py: Python<'_>, pins: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<Pin>> {
    let mut out = Vec::new();
    if let Some(pins) = pins {
        for (k, v) in pins.iter() {
            out.push(Pin { pattern: k.extract()?, gateway: gateway(py, &v.extract::<String>()?)? });
        }
    }
    Ok(out)
}

fn catalog(py: Python<'_>, path: Option<std::path::PathBuf>, g: Gateway) -> PyResult<Arc<Catalog>> {
    let parsed = match path {
        None => Catalog::embedded(g).cloned(),
        Some(p) => std::fs::read_to_string(&p)
            .map_err(|e| Error::config("catalog", format!("The catalog file {} cannot be read ({e}).", p.display())))
            .and_then(|text| match g {
                Gateway::Vercel => Catalog::from_vercel_json(&text),
                Gateway::OpenRouter => Catalog::from_openrouter_json(&text),
            }),
    };
    parsed.map(Arc::new).map_err(|e| to_pyerr(py, e))
}

static DEFAULT_MAP: OnceLock<Arc<ModelMap>> = OnceLock::new();

/// Routes calls between Vercel AI Gateway and OpenRouter (see the README's routing section).
#[pyclass(name = "Router", module = "vercel_ai_gateway", frozen)]
pub struct PyRouter {
    pub(crate) inner: Arc<Router>,
}

#[pymethods]
impl PyRouter {
    #[new]
    #[pyo3(signature = (*, vercel_share=0.0, pins=None, failover=true, salt="v1", overrides=None, unknown_models="openrouter", vercel_catalog=None, openrouter_catalog=None, breaker_window=60.0, breaker_min_requests=10, breaker_failure_rate=0.5, breaker_consecutive_failures=5, breaker_cooldown=30.0))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        vercel_share: f64,
        pins: Option<&Bound<'_, PyDict>>,
        failover: bool,
        salt: &str,
        overrides: Option<HashMap<String, String>>,
        unknown_models: &str,
        vercel_catalog: Option<std::path::PathBuf>,
        openrouter_catalog: Option<std::path::PathBuf>,
        breaker_window: f64,
        breaker_min_requests: u32,
        breaker_failure_rate: f64,
        breaker_consecutive_failures: u32,
        breaker_cooldown: f64,
    ) -> PyResult<Self> {
        let settings = RouterSettings {
            vercel_share,
            salt: salt.to_string(),
            pins: pins_from(py, pins)?,
            failover,
            unknown_models: gateway(py, unknown_models)?,
        };
        let positive = crate::python::timeout::seconds;
        if !(0.0..=1.0).contains(&breaker_failure_rate) {
            return Err(PyValueError::new_err("breaker_failure_rate must be between 0 and 1"));
        }
        let breaker = BreakerConfig {
            window: positive(breaker_window, "breaker_window")?,
            min_requests: breaker_min_requests.max(1),
            failure_rate: breaker_failure_rate,
            consecutive_failures: breaker_consecutive_failures.max(1),
            cooldown: positive(breaker_cooldown, "breaker_cooldown")?,
        };
        let default_catalogs = vercel_catalog.is_none() && openrouter_catalog.is_none();
        let vercel = catalog(py, vercel_catalog, Gateway::Vercel)?;
        let openrouter = catalog(py, openrouter_catalog, Gateway::OpenRouter)?;
        let overrides: Vec<(String, String)> = overrides.unwrap_or_default().into_iter().collect();
        let map = py.detach(|| {
            if default_catalogs && overrides.is_empty() {
                Arc::clone(DEFAULT_MAP.get_or_init(|| Arc::new(ModelMap::build(&openrouter, &vercel, &[]))))
            } else {
                Arc::new(ModelMap::build(&openrouter, &vercel, &overrides))
            }
        });
        let router = Router::new(settings, vercel, openrouter, map, breaker).map_err(|e| to_pyerr(py, e))?;
        Ok(PyRouter { inner: Arc::new(router) })
    }

    /// Decides where a call goes: `model` in either gateway's spelling, `user` the sticky key
    /// (default: the body's `user`), `body` the chat-completions body to translate.
    #[pyo3(signature = (model, *, user=None, body=None))]
    fn route(&self, model: &str, user: Option<&str>, body: Option<&Bound<'_, PyAny>>) -> PyResult<PyDecision> {
        let body = body.filter(|b| !b.is_none()).map(py_to_value).transpose()?;
        let decision = self.inner.route(&RouteRequest { model, user, body: body.as_ref() });
        Ok(PyDecision { inner: decision })
    }

    /// Changes settings at run time; arguments left out keep their value.
    #[pyo3(signature = (*, vercel_share=None, pins=None, failover=None, salt=None, unknown_models=None))]
    fn configure(
        &self,
        py: Python<'_>,
        vercel_share: Option<f64>,
        pins: Option<&Bound<'_, PyDict>>,
        failover: Option<bool>,
        salt: Option<String>,
        unknown_models: Option<&str>,
    ) -> PyResult<()> {
        let mut settings = (*self.inner.settings()).clone();
        if let Some(s) = vercel_share {
            settings.vercel_share = s;
        }
        if pins.is_some() {
            settings.pins = pins_from(py, pins)?;
        }
        if let Some(f) = failover {
            settings.failover = f;
        }
        if let Some(s) = salt {
            settings.salt = s;
        }
        if let Some(g) = unknown_models {
            settings.unknown_models = gateway(py, g)?;
        }
        self.inner.configure(settings).map_err(|e| to_pyerr(py, e))
    }

    /// The current Vercel share (0–1).
    #[getter]
    fn vercel_share(&self) -> f64 {
        self.inner.settings().vercel_share
    }

    /// The pins, pattern → gateway.
    #[getter]
    fn pins(&self) -> Vec<(String, &'static str)> {
        self.inner.settings().pins.iter().map(|p| (p.pattern.clone(), p.gateway.as_str())).collect()
    }

    /// Whether calls may fail over to the other gateway.
    #[getter]
    fn failover(&self) -> bool {
        self.inner.settings().failover
    }

    /// The other gateway's id for `model`: `{"from", "to", "kind", "reason", "variant"}`.
    #[pyo3(signature = (model, *, to="vercel"))]
    fn map_model<'py>(&self, py: Python<'py>, model: &str, to: &str) -> PyResult<Bound<'py, PyDict>> {
        let m = match gateway(py, to)? {
            Gateway::Vercel => self.inner.model_map().to_vercel(model),
            Gateway::OpenRouter => self.inner.model_map().to_openrouter(model),
        };
        let d = PyDict::new(py);
        d.set_item("from", m.from)?;
        d.set_item("to", m.to)?;
        d.set_item("kind", m.kind.as_str())?;
        d.set_item("reason", m.reason)?;
        d.set_item("variant", m.variant)?;
        Ok(d)
    }

    /// Counts of the OpenRouter catalog's ids by how they map to Vercel.
    fn mapping_stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.inner.model_map().stats();
        let d = PyDict::new(py);
        d.set_item("exact", s.exact)?;
        d.set_item("prefix", s.prefix)?;
        d.set_item("rule", s.rule)?;
        d.set_item("override", s.overrides)?;
        d.set_item("unmatched", s.unmatched)?;
        Ok(d)
    }

    /// Breakers that are not closed: `[(name, state)]`.
    fn breakers(&self) -> Vec<(String, &'static str)> {
        self.inner
            .breakers()
            .snapshot(std::time::Instant::now())
            .into_iter()
            .map(|(k, s)| (crate::routing::breaker::describe_key(&k), s.as_str()))
            .collect()
    }

    /// Closes every breaker.
    fn reset_breakers(&self) {
        self.inner.breakers().reset();
    }

    fn __repr__(&self) -> String {
        let s = self.inner.settings();
        format!(
            "Router(vercel_share={}, pins={}, failover={})",
            s.vercel_share,
            s.pins.len(),
            if s.failover { "True" } else { "False" }
        )
    }
}

/// A routing decision.
#[pyclass(name = "Decision", module = "vercel_ai_gateway", frozen)]
pub struct PyDecision {
    inner: Decision,
}

#[pymethods]
impl PyDecision {
    /// Where the call goes first: `"vercel"` or `"openrouter"`.
    #[getter]
    fn gateway(&self) -> &'static str {
        self.inner.primary.gateway.as_str()
    }

    /// The model id sent to that gateway.
    #[getter]
    fn model(&self) -> &str {
        &self.inner.primary.model
    }

    /// The model id asked for.
    #[getter]
    fn requested(&self) -> &str {
        &self.inner.requested
    }

    /// The body translated for that gateway, or `None` when no body was routed.
    #[getter]
    fn body(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match &self.inner.primary.body {
            Some(b) => value_to_py(py, b),
            None => Ok(py.None()),
        }
    }

    /// The fallback before any output: `{"gateway", "model", "body"}`, or `None`.
    #[getter]
    fn fallback<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(f) = &self.inner.fallback else { return Ok(None) };
        let d = PyDict::new(py);
        d.set_item("gateway", f.gateway.as_str())?;
        d.set_item("model", &f.model)?;
        d.set_item("body", f.body.as_ref().map(|b| value_to_py(py, b)).transpose()?)?;
        Ok(Some(d))
    }

    /// The sticky bucket (0–99,999) when the share decided.
    #[getter]
    fn bucket(&self) -> Option<u32> {
        self.inner.bucket
    }

    /// Whether a pin decided.
    #[getter]
    fn pinned(&self) -> bool {
        self.inner.pinned
    }

    /// Why, one sentence per step.
    #[getter]
    fn reasons(&self) -> Vec<String> {
        self.inner.reasons.clone()
    }

    /// A human-readable account of the decision.
    fn explain(&self) -> String {
        self.inner.explain()
    }

    fn __repr__(&self) -> String {
        format!(
            "Decision(gateway='{}', model='{}', fallback={})",
            self.gateway(),
            self.inner.primary.model,
            self.inner.fallback.as_ref().map_or("None".to_string(), |f| format!("'{}'", f.gateway.as_str()))
        )
    }
}
