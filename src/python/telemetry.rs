//! `VercelTelemetry` and the per-call hook the client binding uses.
//!
//! Design: the constructor resolves the settings once, in Rust ([`crate::telemetry::resolve`]),
//! so a bad setting raises `ConfigError` at construction. `install()` builds the Rust providers
//! and makes them the process-wide instance, then hands the same settings to
//! `vercel_ai_gateway._otel`, which configures the OpenTelemetry Python SDK when it is installed
//! (imported only then, so importing the package stays cheap). [`start_call`] is what the client
//! calls per request: with no telemetry installed it is one atomic load and never touches
//! Python; otherwise it reads the current Python span's `traceparent` (a few attribute reads,
//! or nothing when `opentelemetry` was never imported) so the Rust span joins the caller's trace.

use std::sync::Mutex;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};

use crate::config::ProcessEnv;
use crate::error::Error;
use crate::python::convert::py_to_value;
use crate::python::errors::to_pyerr;
use crate::secret::Secret;
use crate::telemetry::{
    self, Backend, CallInfo, CallRecorder, RequestBody, ResolvedTelemetry, Telemetry, TelemetryOptions,
};

static CURRENT_TRACEPARENT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static OTEL_MODULE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The current Python span's W3C `traceparent`, from `vercel_ai_gateway._otel`; `None` when
/// `opentelemetry` is not imported or no span is active.
pub fn current_traceparent(py: Python<'_>) -> PyResult<Option<String>> {
    let f = CURRENT_TRACEPARENT.get_or_try_init(py, || {
        py.import("vercel_ai_gateway._otel")?.getattr("current_traceparent").map(Bound::unbind)
    })?;
    f.bind(py).call0()?.extract()
}

/// The per-call hook for the client binding: `None` (one atomic load) when no telemetry is
/// installed; otherwise a recorder whose span is a child of the current Python span. Call it
/// while attached, before detaching for the request. `info.traceparent` is filled in here.
pub fn start_call(py: Python<'_>, info: CallInfo<'_>) -> Option<CallRecorder> {
    let installed = telemetry::current()?;
    // A broken optional integration must not fail the request: no parent then.
    let parent = current_traceparent(py).ok().flatten();
    Some(CallRecorder::start(installed, &CallInfo { traceparent: parent.as_deref(), ..info }))
}

fn otel_module(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    Ok(OTEL_MODULE
        .get_or_try_init(py, || py.import("vercel_ai_gateway._otel").map(|m| m.into_any().unbind()))?
        .bind(py))
}

use crate::python::timeout::seconds;

fn string_pairs(d: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    if let Some(d) = d {
        for (k, v) in d.iter() {
            let value = match v.extract::<String>() {
                Ok(s) => s,
                Err(_) => v.str()?.to_string(),
            };
            out.push((k.extract::<String>()?, value));
        }
    }
    Ok(out)
}

/// OpenTelemetry for gateway calls: a backend preset, GenAI spans and metrics from the Rust core
/// that join the caller's Python trace, and flushing for serverless functions.
#[pyclass(name = "VercelTelemetry", module = "vercel_ai_gateway", frozen)]
pub struct PyVercelTelemetry {
    config: ResolvedTelemetry,
    python_sdk: Option<bool>,
    installed: Mutex<Option<u64>>,
}

impl PyVercelTelemetry {
    fn installed_instance(&self) -> Option<std::sync::Arc<Telemetry>> {
        let origin = (*self.installed.lock().ok()?)?;
        telemetry::current().filter(|t| t.origin() == origin)
    }

    /// The settings handed to the Python side (header values included: it must send them).
    fn settings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let c = &self.config;
        let d = PyDict::new(py);
        d.set_item("backend", c.backend.as_str())?;
        d.set_item("traces_endpoint", c.traces.as_ref().map(|t| t.url.clone()))?;
        let headers = PyDict::new(py);
        for (k, v) in c.traces.iter().flat_map(|t| t.headers.iter()) {
            headers.set_item(k, v.expose())?;
        }
        d.set_item("headers", headers)?;
        d.set_item("timeout", c.timeout.as_secs_f64())?;
        d.set_item("gzip", c.gzip)?;
        d.set_item("sample_ratio", c.sampling.ratio)?;
        d.set_item("parent_based", c.sampling.parent_based)?;
        let resource = PyDict::new(py);
        for (k, v) in &c.resource {
            resource.set_item(k, v)?;
        }
        d.set_item("resource", resource)?;
        Ok(d)
    }
}

#[pymethods]
impl PyVercelTelemetry {
    #[new]
    #[pyo3(signature = (*, backend=None, service_name=None, api_key=None, region=None, dataset=None, metrics_dataset=None, endpoint=None, traces_endpoint=None, metrics_endpoint=None, headers=None, sample_ratio=None, capture_content=false, resource_attributes=None, instance_id=None, public_key=None, llm_observability=None, datadog_intake=None, metrics=None, timeout=None, compression=None, python_sdk=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        backend: Option<String>,
        service_name: Option<String>,
        api_key: Option<String>,
        region: Option<String>,
        dataset: Option<String>,
        metrics_dataset: Option<String>,
        endpoint: Option<String>,
        traces_endpoint: Option<String>,
        metrics_endpoint: Option<String>,
        headers: Option<&Bound<'_, PyDict>>,
        sample_ratio: Option<f64>,
        capture_content: bool,
        resource_attributes: Option<&Bound<'_, PyDict>>,
        instance_id: Option<String>,
        public_key: Option<String>,
        llm_observability: Option<bool>,
        datadog_intake: Option<String>,
        metrics: Option<bool>,
        timeout: Option<f64>,
        compression: Option<String>,
        python_sdk: Option<bool>,
    ) -> PyResult<Self> {
        let options = TelemetryOptions {
            backend,
            service_name,
            api_key: api_key.map(Secret::new),
            region,
            dataset,
            metrics_dataset,
            endpoint,
            traces_endpoint,
            metrics_endpoint,
            headers: string_pairs(headers)?.into_iter().map(|(k, v)| (k, Secret::new(v))).collect(),
            sample_ratio,
            capture_content: Some(capture_content),
            resource_attributes: string_pairs(resource_attributes)?,
            instance_id,
            public_key,
            llm_observability,
            datadog_intake,
            metrics,
            timeout: timeout.map(|t| seconds(t, "timeout")).transpose()?,
            compression,
        };
        let config = telemetry::resolve(&options, &ProcessEnv).map_err(|e| to_pyerr(py, e))?;
        Ok(PyVercelTelemetry { config, python_sdk, installed: Mutex::new(None) })
    }

    /// Everything from the environment: `VERCEL_AI_GATEWAY_TELEMETRY` or a detected backend.
    #[classmethod]
    #[pyo3(signature = (*, service_name=None, capture_content=false, python_sdk=None))]
    fn from_env(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        service_name: Option<String>,
        capture_content: bool,
        python_sdk: Option<bool>,
    ) -> PyResult<Self> {
        let options =
            TelemetryOptions { service_name, capture_content: Some(capture_content), ..TelemetryOptions::default() };
        let config = telemetry::resolve(&options, &ProcessEnv).map_err(|e| to_pyerr(py, e))?;
        Ok(PyVercelTelemetry { config, python_sdk, installed: Mutex::new(None) })
    }

    /// Starts exporting: the Rust providers become the process-wide instance every client call
    /// reports to, and the OpenTelemetry Python SDK is configured with the same settings when
    /// it is installed (`python_sdk=False` skips it; `True` requires it). Returns whether
    /// anything is exported.
    fn install(&self, py: Python<'_>) -> PyResult<bool> {
        if !self.config.enabled() {
            return Ok(false);
        }
        let config = self.config.clone();
        let built = py.detach(|| Telemetry::new(config)).map_err(|e| to_pyerr(py, e))?;
        let origin = built.origin();
        if let Some(previous) = telemetry::install(std::sync::Arc::new(built)) {
            py.detach(|| previous.shutdown(Duration::from_secs(2)));
        }
        if let Ok(mut slot) = self.installed.lock() {
            *slot = Some(origin);
        }
        if self.python_sdk != Some(false) {
            otel_module(py)?.call_method1("install_python_sdk", (self.settings(py)?, self.python_sdk))?;
        }
        Ok(true)
    }

    /// Exports everything buffered by both providers (Rust and the Python SDK), waiting at most
    /// `timeout` seconds. Returns `True` when every export succeeded. Call it when a request ends.
    #[pyo3(signature = (timeout=5.0))]
    fn flush(&self, py: Python<'_>, timeout: f64) -> PyResult<bool> {
        let bound = seconds(timeout, "timeout")?;
        let python_ok: bool = otel_module(py)?.call_method1("flush_python_sdk", (timeout,))?.extract()?;
        let rust_ok = match self.installed_instance() {
            Some(t) => py.detach(|| t.flush(bound)),
            None => true,
        };
        Ok(python_ok && rust_ok)
    }

    /// Flushes and stops both providers (at process exit, not per request). Returns `True` when
    /// everything was exported in time. Spans ended afterwards are dropped.
    #[pyo3(signature = (timeout=5.0))]
    fn shutdown(&self, py: Python<'_>, timeout: f64) -> PyResult<bool> {
        let bound = seconds(timeout, "timeout")?;
        let python_ok: bool = otel_module(py)?.call_method1("shutdown_python_sdk", (timeout,))?.extract()?;
        let rust_ok = match self.installed_instance() {
            Some(t) => {
                let ok = py.detach(|| t.shutdown(bound));
                if telemetry::current().is_some_and(|c| c.origin() == t.origin()) {
                    telemetry::uninstall();
                }
                ok
            }
            None => true,
        };
        if let Ok(mut slot) = self.installed.lock() {
            *slot = None;
        }
        Ok(python_ok && rust_ok)
    }

    /// The backend in use: `"honeycomb"`, `"datadog"`, …, `"console"` or `"off"`.
    #[getter]
    fn backend(&self) -> &'static str {
        self.config.backend.as_str()
    }

    /// The URL spans are sent to, or `None`.
    #[getter]
    fn endpoint(&self) -> Option<String> {
        self.config.traces.as_ref().map(|t| t.url.clone())
    }

    /// The URL metrics are sent to, or `None` when metrics are not exported.
    #[getter]
    fn metrics_endpoint(&self) -> Option<String> {
        self.config.metrics.as_ref().map(|t| t.url.clone())
    }

    /// The names of the headers sent with spans (values are never shown).
    #[getter]
    fn header_names(&self) -> Vec<String> {
        self.config.traces.iter().flat_map(|t| t.headers.iter().map(|(k, _)| k.clone())).collect()
    }

    /// `service.name`.
    #[getter]
    fn service_name(&self) -> String {
        self.config.service_name.clone()
    }

    /// Resource attributes of both providers.
    #[getter]
    fn resource_attributes(&self) -> Vec<(String, String)> {
        self.config.resource.clone()
    }

    /// Fraction of root traces kept.
    #[getter]
    fn sample_ratio(&self) -> f64 {
        self.config.sampling.ratio
    }

    /// Whether prompts and completions are recorded on spans.
    #[getter]
    fn capture_content(&self) -> bool {
        self.config.capture_content
    }

    /// Whether anything is exported or printed.
    #[getter]
    fn enabled(&self) -> bool {
        self.config.enabled()
    }

    /// Whether this object's providers are the installed ones.
    #[getter]
    fn installed(&self) -> bool {
        self.installed_instance().is_some()
    }

    /// Why something is off (no collector here, metrics not taken by the backend, …).
    #[getter]
    fn notes(&self) -> Vec<String> {
        self.config.notes.clone()
    }

    fn __repr__(&self) -> String {
        let endpoint = match (&self.config.traces, self.config.backend) {
            (Some(t), _) => format!("'{}'", t.url),
            (None, Backend::Console) => "'stdout'".to_string(),
            (None, _) => "None".to_string(),
        };
        let key = if self.config.has_credentials { "'***'" } else { "None" };
        format!(
            "VercelTelemetry(backend='{}', endpoint={endpoint}, service_name='{}', api_key={key})",
            self.config.backend.as_str(),
            self.config.service_name
        )
    }
}

/// Records one gateway call through the same hook as the client (test and demo aid until every
/// call site is wired): `response` for a success, `error_status` for a failure, `chunks` for a
/// stream. Returns the outgoing `traceparent`, or `None` when no telemetry is installed.
#[pyfunction]
#[pyo3(name = "_record_call", signature = (operation, model, *, response=None, error_status=None, chunks=None, url="https://ai-gateway.vercel.sh/v1", gateway="vercel", request=None))]
#[allow(clippy::too_many_arguments)]
pub fn record_call(
    py: Python<'_>,
    operation: &str,
    model: &str,
    response: Option<&Bound<'_, PyAny>>,
    error_status: Option<u16>,
    chunks: Option<&Bound<'_, PyAny>>,
    url: &str,
    gateway: &str,
    request: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<String>> {
    let body = request.map(py_to_value).transpose()?;
    let info = CallInfo {
        operation,
        model: Some(model),
        gateway,
        url,
        stream: chunks.is_some(),
        request: body.as_ref().map(RequestBody::Json),
        traceparent: None,
    };
    let Some(mut recorder) = start_call(py, info) else {
        return Ok(None);
    };
    let outgoing = recorder.traceparent();
    if let Some(status) = error_status {
        let error = Error::Status(Box::new(crate::error::StatusError {
            status,
            message: format!("HTTP {status}"),
            url: url.to_string(),
            ..Default::default()
        }));
        recorder.finish_err(&error);
    } else if let Some(chunks) = chunks {
        for chunk in chunks.try_iter()? {
            recorder.chunk(&py_to_value(&chunk?)?);
        }
        recorder.finish_stream(None);
    } else {
        let value = response.map(py_to_value).transpose()?.unwrap_or(serde_json::Value::Null);
        recorder.finish_ok(&value, 0);
    }
    Ok(outgoing)
}
