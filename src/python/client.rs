//! `Client` and `AsyncClient` with their `chat.completions` namespaces: twins with the same
//! constructor and method signatures; only the engine and the return style differ.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::{Map, Value};

use crate::client::runtime::{engine, Mode};
use crate::client::{Call, CallOptions, ClientConfig, Outcome};
use crate::config::ProcessEnv;
use crate::python::asyncio::future_into_py;
use crate::python::common::{auth_options, block_on, current_header_token, header_pairs, log_skipped, timeout_from};
use crate::python::convert::py_to_value;
use crate::python::errors::{to_pyerr, to_pyerr_attached, type_error};
use crate::python::objects::PyResponseObject;
use crate::python::stream::{PyAsyncStream, PyStream};

const CHAT_COMPLETIONS: &str = "/chat/completions";

/// What a client was configured with; shared by its namespaces.
pub struct ClientInner {
    config: ClientConfig,
}

#[allow(clippy::too_many_arguments)]
fn build_inner(
    py: Python<'_>,
    api_key: Option<String>,
    base_url: Option<&str>,
    prefer: &str,
    timeout: Option<f64>,
    default_headers: Option<&Bound<'_, PyDict>>,
    dev_refresh: Option<bool>,
    expiry_skew: Option<f64>,
) -> PyResult<Arc<ClientInner>> {
    let auth = auth_options(py, api_key, prefer, expiry_skew, dev_refresh)?;
    let mut config = ClientConfig::new(base_url, auth, &ProcessEnv).map_err(|e| to_pyerr(py, e))?;
    if let Some(t) = timeout_from(timeout, "timeout")? {
        config.timeout = t;
    }
    config.default_headers = header_pairs(default_headers)?;
    Ok(Arc::new(ClientInner { config }))
}

/// A request, converted while attached: the JSON body and the per-call options.
struct Prepared {
    body: Vec<u8>,
    stream: bool,
    call: CallOptions,
}

#[allow(clippy::too_many_arguments)]
fn prepare_chat(
    py: Python<'_>,
    model: &Bound<'_, PyAny>,
    messages: &Bound<'_, PyAny>,
    stream: bool,
    timeout: Option<f64>,
    extra_headers: Option<&Bound<'_, PyDict>>,
    extra_body: Option<&Bound<'_, PyDict>>,
    params: Option<&Bound<'_, PyDict>>,
) -> PyResult<Prepared> {
    let model = model.extract::<String>().map_err(|_| type_error("model must be a string such as \"openai/gpt-5\""))?;
    let mut body = Map::new();
    body.insert("model".into(), Value::String(model));
    let messages = py_to_value(messages)?;
    if !messages.is_array() {
        return Err(type_error("messages must be a list of message dicts"));
    }
    body.insert("messages".into(), messages);
    if let Some(params) = params {
        for (k, v) in params.iter() {
            // None means "not given", as most callers intend; send JSON null through extra_body.
            if !v.is_none() {
                body.insert(k.extract::<String>()?, py_to_value(&v)?);
            }
        }
    }
    if stream {
        body.insert("stream".into(), Value::Bool(true));
        // Usage (and cost) arrive on the final chunk only when asked for.
        body.entry("stream_options").or_insert_with(|| serde_json::json!({"include_usage": true}));
    }
    if let Some(extra) = extra_body {
        if let Value::Object(extra) = py_to_value(extra.as_any())? {
            body.extend(extra);
        }
    }
    let body = serde_json::to_vec(&Value::Object(body))
        .map_err(|e| type_error(format!("the request cannot be encoded: {e}")))?;
    Ok(Prepared {
        body,
        stream,
        call: CallOptions {
            header_token: current_header_token(py)?,
            timeout: timeout_from(timeout, "timeout")?,
            extra_headers: header_pairs(extra_headers)?,
        },
    })
}

/// The synchronous client. HTTP runs in Rust with the interpreter released.
#[pyclass(name = "Client", module = "vercel_ai_gateway", frozen)]
pub struct PyClient {
    inner: Arc<ClientInner>,
    #[pyo3(get)]
    chat: Py<PyChat>,
}

/// `client.chat`.
#[pyclass(name = "Chat", module = "vercel_ai_gateway", frozen)]
pub struct PyChat {
    #[pyo3(get)]
    completions: Py<PyChatCompletions>,
}

/// `client.chat.completions`.
#[pyclass(name = "ChatCompletions", module = "vercel_ai_gateway", frozen)]
pub struct PyChatCompletions {
    inner: Arc<ClientInner>,
}

#[pymethods]
impl PyClient {
    #[new]
    #[pyo3(signature = (*, api_key=None, base_url=None, prefer="oidc", timeout=None, default_headers=None, dev_refresh=None, expiry_skew=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        api_key: Option<String>,
        base_url: Option<&str>,
        prefer: &str,
        timeout: Option<f64>,
        default_headers: Option<&Bound<'_, PyDict>>,
        dev_refresh: Option<bool>,
        expiry_skew: Option<f64>,
    ) -> PyResult<Self> {
        let inner = build_inner(py, api_key, base_url, prefer, timeout, default_headers, dev_refresh, expiry_skew)?;
        let completions = Py::new(py, PyChatCompletions { inner: Arc::clone(&inner) })?;
        let chat = Py::new(py, PyChat { completions })?;
        Ok(PyClient { inner, chat })
    }

    /// The gateway base URL this client sends to.
    #[getter]
    fn base_url(&self) -> String {
        self.inner.config.base_url.clone()
    }

    /// The default timeout in seconds.
    #[getter]
    fn timeout(&self) -> f64 {
        self.inner.config.timeout.as_secs_f64()
    }

    fn __repr__(&self) -> String {
        format!("Client(base_url='{}')", self.inner.config.base_url)
    }
}

#[pymethods]
impl PyChatCompletions {
    /// Creates a chat completion, or a `Stream` of chunks with `stream=True`.
    #[pyo3(signature = (*, model, messages, stream=false, timeout=None, extra_headers=None, extra_body=None, **params))]
    #[allow(clippy::too_many_arguments)]
    fn create(
        &self,
        py: Python<'_>,
        model: &Bound<'_, PyAny>,
        messages: &Bound<'_, PyAny>,
        stream: bool,
        timeout: Option<f64>,
        extra_headers: Option<&Bound<'_, PyDict>>,
        extra_body: Option<&Bound<'_, PyDict>>,
        params: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let p = prepare_chat(py, model, messages, stream, timeout, extra_headers, extra_body, params)?;
        let engine = engine(Mode::Sync).map_err(|e| to_pyerr(py, e))?;
        let call = Call { http: &engine.http, config: &self.inner.config, options: &p.call, env: &ProcessEnv };
        if p.stream {
            let Outcome { value, skipped } = block_on(py, &engine, call.stream(CHAT_COMPLETIONS, p.body))?;
            log_skipped(py, &skipped)?;
            Ok(Py::new(py, PyStream::new(value, Arc::clone(&engine)))?.into_any())
        } else {
            let fut = call.json(reqwest::Method::POST, CHAT_COMPLETIONS, Some(p.body));
            let Outcome { value, skipped } = block_on(py, &engine, fut)?;
            log_skipped(py, &skipped)?;
            Ok(Py::new(py, PyResponseObject::new(value))?.into_any())
        }
    }
}

/// The asyncio client: the same methods as `Client`, returning awaitables.
#[pyclass(name = "AsyncClient", module = "vercel_ai_gateway", frozen)]
pub struct PyAsyncClient {
    inner: Arc<ClientInner>,
    #[pyo3(get)]
    chat: Py<PyAsyncChat>,
}

/// `async_client.chat`.
#[pyclass(name = "AsyncChat", module = "vercel_ai_gateway", frozen)]
pub struct PyAsyncChat {
    #[pyo3(get)]
    completions: Py<PyAsyncChatCompletions>,
}

/// `async_client.chat.completions`.
#[pyclass(name = "AsyncChatCompletions", module = "vercel_ai_gateway", frozen)]
pub struct PyAsyncChatCompletions {
    inner: Arc<ClientInner>,
}

#[pymethods]
impl PyAsyncClient {
    #[new]
    #[pyo3(signature = (*, api_key=None, base_url=None, prefer="oidc", timeout=None, default_headers=None, dev_refresh=None, expiry_skew=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        api_key: Option<String>,
        base_url: Option<&str>,
        prefer: &str,
        timeout: Option<f64>,
        default_headers: Option<&Bound<'_, PyDict>>,
        dev_refresh: Option<bool>,
        expiry_skew: Option<f64>,
    ) -> PyResult<Self> {
        let inner = build_inner(py, api_key, base_url, prefer, timeout, default_headers, dev_refresh, expiry_skew)?;
        let completions = Py::new(py, PyAsyncChatCompletions { inner: Arc::clone(&inner) })?;
        let chat = Py::new(py, PyAsyncChat { completions })?;
        Ok(PyAsyncClient { inner, chat })
    }

    /// The gateway base URL this client sends to.
    #[getter]
    fn base_url(&self) -> String {
        self.inner.config.base_url.clone()
    }

    /// The default timeout in seconds.
    #[getter]
    fn timeout(&self) -> f64 {
        self.inner.config.timeout.as_secs_f64()
    }

    fn __repr__(&self) -> String {
        format!("AsyncClient(base_url='{}')", self.inner.config.base_url)
    }
}

/// A finished async call: converted to Python (and its warnings logged) on the event loop side.
enum AsyncResult {
    Json(Value, Vec<crate::auth::Skipped>),
    Stream(PyAsyncStream, Vec<crate::auth::Skipped>),
}

impl<'py> IntoPyObject<'py> for AsyncResult {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            AsyncResult::Json(value, skipped) => {
                log_skipped(py, &skipped)?;
                Ok(Bound::new(py, PyResponseObject::new(value))?.into_any())
            }
            AsyncResult::Stream(stream, skipped) => {
                log_skipped(py, &skipped)?;
                Ok(Bound::new(py, stream)?.into_any())
            }
        }
    }
}

#[pymethods]
impl PyAsyncChatCompletions {
    /// Creates a chat completion (awaitable), or an `AsyncStream` of chunks with `stream=True`.
    #[pyo3(signature = (*, model, messages, stream=false, timeout=None, extra_headers=None, extra_body=None, **params))]
    #[allow(clippy::too_many_arguments)]
    fn create<'py>(
        &self,
        py: Python<'py>,
        model: &Bound<'py, PyAny>,
        messages: &Bound<'py, PyAny>,
        stream: bool,
        timeout: Option<f64>,
        extra_headers: Option<&Bound<'py, PyDict>>,
        extra_body: Option<&Bound<'py, PyDict>>,
        params: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let p = prepare_chat(py, model, messages, stream, timeout, extra_headers, extra_body, params)?;
        let inner = Arc::clone(&self.inner);
        future_into_py(py, async move {
            let engine = engine(Mode::Async).map_err(to_pyerr_attached)?;
            let call = Call { http: &engine.http, config: &inner.config, options: &p.call, env: &ProcessEnv };
            if p.stream {
                let out = call.stream(CHAT_COMPLETIONS, p.body).await.map_err(to_pyerr_attached)?;
                Ok(AsyncResult::Stream(PyAsyncStream::new(out.value), out.skipped))
            } else {
                let out = call
                    .json(reqwest::Method::POST, CHAT_COMPLETIONS, Some(p.body))
                    .await
                    .map_err(to_pyerr_attached)?;
                Ok(AsyncResult::Json(out.value, out.skipped))
            }
        })
    }
}
