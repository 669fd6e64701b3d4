//! `resolve_auth`, `get_vercel_auth`, `gateway_url` and the `Credential` class.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

use crate::auth::{self, AuthInputs, Credential};
use crate::client::runtime::{engine, Mode};
use crate::config::{self, ProcessEnv};
use crate::python::common::{auth_options, block_on, current_header_token, log_skipped};
use crate::python::convert::value_to_py;
use crate::python::errors::to_pyerr;

static FROM_TIMESTAMP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// A resolved credential. `token` holds the secret; `repr()` and `str()` never show it.
#[pyclass(name = "Credential", module = "vercel_ai_gateway", frozen)]
pub struct PyCredential {
    inner: Credential,
}

#[pymethods]
impl PyCredential {
    /// The bearer token to send. Treat it as a secret.
    #[getter]
    fn token(&self) -> &str {
        self.inner.token.expose()
    }

    /// `"oidc"` or `"api_key"`.
    #[getter]
    fn method(&self) -> &'static str {
        self.inner.method.as_str()
    }

    /// Where the token came from: `"argument"`, `"header"`, `"VERCEL_OIDC_TOKEN"`,
    /// `"VERCEL_OIDC_TOKEN_FILE"`, `"vercel-cli"`, `"AI_GATEWAY_API_KEY"` or
    /// `"VERCEL_AI_GATEWAY_API_KEY"`.
    #[getter]
    fn source(&self) -> &'static str {
        self.inner.source.as_str()
    }

    /// When an OIDC token expires (an aware UTC `datetime`), or `None`.
    #[getter]
    fn expires_at(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let Some(exp) = self.inner.expires_at else { return Ok(py.None()) };
        let from_ts = FROM_TIMESTAMP.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            let dt = py.import("datetime")?;
            let utc = dt.getattr("timezone")?.getattr("utc")?;
            let f = dt.getattr("datetime")?.getattr("fromtimestamp")?;
            let partial = py.import("functools")?.getattr("partial")?;
            let kwargs = PyDict::new(py);
            kwargs.set_item("tz", utc)?;
            Ok(partial.call((f,), Some(&kwargs))?.unbind())
        })?;
        Ok(from_ts.bind(py).call1((exp,))?.unbind())
    }

    /// The claims of an OIDC token (project, environment, owner, exp, ...), or `None`.
    #[getter]
    fn claims(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match &self.inner.claims {
            Some(c) => value_to_py(py, &serde_json::Value::Object(c.all.clone())),
            None => Ok(py.None()),
        }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let expires = self.expires_at(py)?.bind(py).repr()?.to_string();
        Ok(format!(
            "Credential(method='{}', source='{}', expires_at={expires}, token='***')",
            self.method(),
            self.source()
        ))
    }

    fn __str__(&self, py: Python<'_>) -> PyResult<String> {
        self.__repr__(py)
    }
}

/// Resolves the credential the client would send now (OIDC first, then API key by default).
#[pyfunction]
#[pyo3(signature = (api_key=None, *, prefer="oidc", expiry_skew=None, dev_refresh=None))]
pub fn resolve_auth(
    py: Python<'_>,
    api_key: Option<String>,
    prefer: &str,
    expiry_skew: Option<f64>,
    dev_refresh: Option<bool>,
) -> PyResult<PyCredential> {
    let opts = auth_options(py, api_key, prefer, expiry_skew, dev_refresh)?;
    let header = current_header_token(py)?;
    let engine = engine(Mode::Sync).map_err(|e| to_pyerr(py, e))?;
    let http = engine.http.clone();
    let resolution = block_on(py, &engine, async move {
        let inputs = AuthInputs { header_token: header.as_deref(), env: &ProcessEnv, now: auth::unix_now() };
        auth::resolve(&opts, &inputs, &http).await
    })?;
    log_skipped(py, &resolution.skipped)?;
    Ok(PyCredential { inner: resolution.credential })
}

/// The gateway base URL: the argument, else `AI_GATEWAY_BASE_URL`, else
/// `VERCEL_AI_GATEWAY_API_BASE`, else `https://ai-gateway.vercel.sh/v1`.
#[pyfunction]
#[pyo3(signature = (base_url=None))]
pub fn gateway_url(py: Python<'_>, base_url: Option<&str>) -> PyResult<String> {
    config::gateway_url(base_url, &ProcessEnv).map_err(|e| to_pyerr(py, e))
}
