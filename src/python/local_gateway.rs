//! `LocalGateway` and `RecordedRequest` for Python (`vercel_ai_gateway.testing`).

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
#[cfg(feature = "otel")]
use serde_json::{json, Value};

use crate::local_gateway::{
    Fault, FaultParams, Flavor, LocalGateway, LocalGatewayConfig, RecordedRequest, ScriptedReply,
};
use crate::python::convert::{py_to_value, value_to_py};
use crate::python::errors::to_pyerr;
#[cfg(feature = "otel")]
use crate::telemetry::sink::{ReceivedExport, ReceivedMetric, ReceivedSpan};

/// An in-process fake of the Vercel AI Gateway (or of OpenRouter) on 127.0.0.1 with an
/// ephemeral port.
#[pyclass(name = "LocalGateway", module = "vercel_ai_gateway.testing", frozen)]
pub struct PyLocalGateway {
    inner: LocalGateway,
    api_key: String,
}

/// A key in the flavour's format: `vck_local_<24 hex>` or OpenRouter's `sk-or-v1-<64 hex>`.
fn random_key(flavor: Flavor) -> String {
    use rand::Rng as _;
    let mut rng = rand::rng();
    let mut hex = |length: usize| -> String {
        (0..length).map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16)])).collect()
    };
    match flavor {
        Flavor::Vercel => format!("vck_local_{}", hex(24)),
        Flavor::OpenRouter => format!("sk-or-v1-{}", hex(64)),
    }
}

/// A span as a JSON object for Python.
#[cfg(feature = "otel")]
fn span_json(span: &ReceivedSpan) -> Value {
    json!({
        "name": span.name,
        "trace_id": span.trace_id,
        "span_id": span.span_id,
        "parent_span_id": span.parent_span_id,
        "kind": span.kind,
        "status": span.status_code,
        "attributes": span.attributes,
        "resource": span.resource,
        "scope": span.scope,
    })
}

/// A metric as a JSON object for Python.
#[cfg(feature = "otel")]
fn metric_json(metric: &ReceivedMetric) -> Value {
    json!({"name": metric.name, "unit": metric.unit, "points": metric.points})
}

/// An export as a JSON object for Python.
#[cfg(feature = "otel")]
fn export_json(export: &ReceivedExport) -> Value {
    let headers: serde_json::Map<String, Value> =
        export.headers.iter().map(|(name, value)| (name.clone(), json!(value))).collect();
    json!({
        "path": export.path,
        "headers": headers,
        "spans": export.spans.iter().map(span_json).collect::<Vec<_>>(),
        "metrics": export.metrics.iter().map(metric_json).collect::<Vec<_>>(),
    })
}

#[pymethods]
impl PyLocalGateway {
    #[new]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (*, flavor="vercel", api_key=None, extra_api_keys=None, accept_oidc=true, catalog=None, cli_token=None, balance=None))]
    fn new(
        py: Python<'_>,
        flavor: &str,
        api_key: Option<String>,
        extra_api_keys: Option<Vec<String>>,
        accept_oidc: bool,
        catalog: Option<std::path::PathBuf>,
        cli_token: Option<String>,
        balance: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let flavor = Flavor::parse(flavor).map_err(|e| to_pyerr(py, e))?;
        let api_key = api_key.unwrap_or_else(|| random_key(flavor));
        let mut api_keys = vec![api_key.clone()];
        api_keys.extend(extra_api_keys.unwrap_or_default());
        let catalog_json = match catalog {
            Some(path) => Some(std::fs::read_to_string(&path).map_err(|e| {
                to_pyerr(
                    py,
                    crate::Error::config(
                        "catalog",
                        format!("The catalog file {} cannot be read ({e}).", path.display()),
                    ),
                )
            })?),
            None => None,
        };
        let balance = match balance {
            None => None,
            Some(value) if value.is_instance_of::<PyString>() => Some(value.extract::<String>()?),
            // An int or a float: its Python `str()` is a plain decimal ("5", "0.1") or an exponent
            // form the core reads too.
            Some(value) => Some(value.str()?.to_string()),
        };
        let config = LocalGatewayConfig { flavor, api_keys, accept_oidc, catalog_json, cli_token, balance };
        let inner = py.detach(|| LocalGateway::start(config)).map_err(|e| to_pyerr(py, e))?;
        Ok(PyLocalGateway { inner, api_key })
    }

    /// The OpenAI-compatible base URL: `http://127.0.0.1:PORT/v1`, or `…/api/v1` for OpenRouter.
    #[getter]
    fn url(&self) -> String {
        self.inner.base_url()
    }

    /// `"vercel"` or `"openrouter"`.
    #[getter]
    fn flavor(&self) -> &'static str {
        self.inner.flavor().name()
    }

    /// `http://127.0.0.1:PORT` (the Vercel API token endpoint and the OTLP receiver live under it).
    #[getter]
    fn origin(&self) -> String {
        self.inner.origin()
    }

    /// The port it listens on.
    #[getter]
    fn port(&self) -> u16 {
        self.inner.port()
    }

    /// The API key it accepts.
    #[getter]
    fn api_key(&self) -> &str {
        &self.api_key
    }

    /// Environment variables that point this package at the gateway.
    fn env(&self) -> std::collections::HashMap<&'static str, String> {
        let (url, key) = match self.inner.flavor() {
            Flavor::Vercel => ("AI_GATEWAY_BASE_URL", "AI_GATEWAY_API_KEY"),
            Flavor::OpenRouter => ("OPENROUTER_BASE_URL", "OPENROUTER_API_KEY"),
        };
        [(url, self.inner.base_url()), (key, self.api_key.clone())].into()
    }

    /// Every request received so far, oldest first.
    #[getter]
    fn requests(&self) -> Vec<PyRecordedRequest> {
        self.inner.requests().into_iter().map(|inner| PyRecordedRequest { inner }).collect()
    }

    /// The most recent request, or `None`.
    #[getter]
    fn last_request(&self) -> Option<PyRecordedRequest> {
        self.inner.requests().pop().map(|inner| PyRecordedRequest { inner })
    }

    /// Forgets the recorded requests.
    fn clear_requests(&self) {
        self.inner.clear_requests();
    }

    /// Makes the next `count` chat requests fail with `status` and the gateway's error envelope.
    #[pyo3(signature = (status, *, error_type=None, message=None, retry_after=None, count=1))]
    fn fail_next(
        &self,
        status: u16,
        error_type: Option<String>,
        message: Option<String>,
        retry_after: Option<String>,
        count: u32,
    ) {
        self.inner.push_fault(Fault { status, error_type, message, retry_after, count });
    }

    /// Adds a fault of `kind` (see `FAULT_KINDS` in the core); the stub documents each one.
    #[pyo3(signature = (kind, *, count=1, sticky=false, model=None, route=None, status=None, error_type=None, message=None, code=None, headers=None, after=None, delay=None, metadata=None))]
    #[allow(clippy::too_many_arguments)]
    fn inject(
        &self,
        py: Python<'_>,
        kind: &str,
        count: u32,
        sticky: bool,
        model: Option<String>,
        route: Option<String>,
        status: Option<u16>,
        error_type: Option<String>,
        message: Option<String>,
        code: Option<String>,
        headers: Option<&Bound<'_, PyAny>>,
        after: Option<usize>,
        delay: Option<f64>,
        metadata: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let headers = match headers {
            None => None,
            Some(mapping) => {
                let mut pairs = Vec::new();
                for item in mapping.call_method0("items")?.try_iter()? {
                    pairs.push(item?.extract::<(String, String)>()?);
                }
                Some(pairs)
            }
        };
        let params = FaultParams {
            count: Some(count),
            sticky,
            model,
            route,
            status,
            error_type,
            message,
            code,
            headers,
            after,
            delay,
            metadata: metadata.map(py_to_value).transpose()?,
        };
        self.inner.inject_params(kind, params).map_err(|e| to_pyerr(py, e))
    }

    /// Removes every queued and sticky fault.
    fn clear_faults(&self) {
        self.inner.clear_faults();
    }

    /// Loads a go-vcr (version 2) YAML cassette; returns how many interactions it held.
    fn load_cassette(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<usize> {
        let text = std::fs::read_to_string(&path).map_err(|e| {
            to_pyerr(
                py,
                crate::Error::config("cassette", format!("The cassette file {} cannot be read ({e}).", path.display())),
            )
        })?;
        py.detach(|| self.inner.load_cassette(&text)).map_err(|e| to_pyerr(py, e))
    }

    /// Forgets every loaded interaction.
    fn clear_cassettes(&self) {
        self.inner.clear_cassettes();
    }

    /// Queues the content of the next chat answer (instead of the default echo).
    #[pyo3(signature = (content, *, reasoning=None, finish_reason=None))]
    fn reply(&self, content: String, reasoning: Option<String>, finish_reason: Option<String>) {
        self.inner.push_reply(ScriptedReply { content, reasoning, finish_reason });
    }

    /// Spans received on `/v1/traces`, oldest first, as dicts.
    #[getter]
    fn spans(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        #[cfg(feature = "otel")]
        {
            self.inner.spans().iter().map(|span| value_to_py(py, &span_json(span))).collect()
        }
        #[cfg(not(feature = "otel"))]
        {
            let _ = py;
            Ok(Vec::new())
        }
    }

    /// Metrics received on `/v1/metrics`, oldest first, as dicts.
    #[getter]
    fn metrics(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        #[cfg(feature = "otel")]
        {
            self.inner.metrics().iter().map(|metric| value_to_py(py, &metric_json(metric))).collect()
        }
        #[cfg(not(feature = "otel"))]
        {
            let _ = py;
            Ok(Vec::new())
        }
    }

    /// Every OTLP export received, oldest first: path, headers, spans and metrics.
    #[getter]
    fn otlp_exports(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        #[cfg(feature = "otel")]
        {
            self.inner.otlp_exports().iter().map(|export| value_to_py(py, &export_json(export))).collect()
        }
        #[cfg(not(feature = "otel"))]
        {
            let _ = py;
            Ok(Vec::new())
        }
    }

    /// Forgets the received OTLP exports.
    fn clear_telemetry(&self) {
        #[cfg(feature = "otel")]
        self.inner.clear_telemetry();
    }

    /// Stops the server. Safe to call more than once.
    fn close(&self, py: Python<'_>) {
        py.detach(|| self.inner.shutdown());
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        self.close(py);
        false
    }

    fn __repr__(&self) -> String {
        format!("LocalGateway(flavor='{}', url='{}')", self.inner.flavor(), self.inner.base_url())
    }
}

/// One request LocalGateway received. `repr()` hides the authorization header.
#[pyclass(name = "RecordedRequest", module = "vercel_ai_gateway.testing", frozen)]
pub struct PyRecordedRequest {
    inner: RecordedRequest,
}

#[pymethods]
impl PyRecordedRequest {
    /// HTTP method.
    #[getter]
    fn method(&self) -> &str {
        &self.inner.method
    }

    /// Path, e.g. `/v1/chat/completions`.
    #[getter]
    fn path(&self) -> &str {
        &self.inner.path
    }

    /// Query string without `?`, or `None`.
    #[getter]
    fn query(&self) -> Option<&str> {
        self.inner.query.as_deref()
    }

    /// Headers with lower-cased names (the last value wins for repeated names).
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in &self.inner.headers {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    /// One header, case-insensitively, or `None`.
    fn header(&self, name: &str) -> Option<&str> {
        self.inner.header(name)
    }

    /// The raw body.
    #[getter]
    fn body<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.body)
    }

    /// The name of the fault this request got, or `None`.
    #[getter]
    fn fault(&self) -> Option<&str> {
        self.inner.fault.as_deref()
    }

    /// The flavour of the gateway that received it: `"vercel"` or `"openrouter"`.
    #[getter]
    fn flavor(&self) -> &'static str {
        self.inner.flavor.name()
    }

    /// The body parsed as JSON, or `None` when it is not JSON.
    fn json(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self.inner.json() {
            Some(v) => value_to_py(py, &v),
            None => Ok(py.None()),
        }
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.inner)
    }
}
