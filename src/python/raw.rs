//! `Client._send_raw` / `AsyncClient._send_raw` and their answers, `RawResponse` and
//! `AsyncRawResponse`: the entry point of the httpx transports in `vercel_ai_gateway.openai`.
//!
//! Design: the twins' `_send_raw` methods (in `client_twin!`) only delegate to [`run_sync`] and
//! [`run_async`] here, so the raw path shares each client's settings, engines and telemetry
//! hook with the typed calls. Arguments are taken as httpx holds them (method string, header
//! pairs of `bytes`, body `bytes`) and converted once while attached; the request body is
//! decoded (for routing and telemetry) only when a router or telemetry is present. A body read
//! whole is available at once as `content`, so a transport builds its response without another
//! crossing; a streamed body is read like a `Stream`: a chunk already buffered is taken without
//! detaching, otherwise the sync twin blocks on its engine and the async twin completes an
//! asyncio future through the loop's queue. Also here: the serverless flush hook of
//! `vercel_ai_gateway.fastapi` (`_telemetry_installed`, `_flush_telemetry`).

use std::sync::Arc;

use bytes::Bytes;
use futures_util::FutureExt as _;
use pyo3::exceptions::{PyStopAsyncIteration, PyStopIteration, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};
use tokio::sync::Mutex;

use crate::client::raw::{Generation, RawBody, RawRequest, RawResponse};
use crate::client::runtime::{engine, Engine, Mode};
use crate::client::{Call, CallOptions, Outcome};
use crate::config::ProcessEnv;
use crate::error::Error;
use crate::python::asyncio::{ready_awaitable, spawn_awaitable};
use crate::python::client::{CallMeta, ClientInner};
use crate::python::common::{block_on, current_header_token, log_skipped};
use crate::python::errors::to_pyerr;
use crate::python::objects::attempts_to_py;
use crate::python::timeout::timeouts_from;
use crate::telemetry::{self, CallInfo, CallRecorder, RequestBody};

/// `bytes` from a `bytes` or `str` argument.
fn bytes_of(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<u8>> {
    if let Ok(b) = value.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(s) = value.extract::<&str>() {
        return Ok(s.as_bytes().to_vec());
    }
    Err(PyTypeError::new_err(format!("{what} must be bytes or str")))
}

/// Header pairs from a list of `(name, value)` tuples of `bytes` (httpx's `Headers.raw`) or `str`.
fn header_list(headers: &Bound<'_, PyAny>) -> PyResult<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut out = Vec::new();
    for item in headers.try_iter()? {
        let item = item?;
        let pair = item.cast::<PyTuple>().map_err(|_| PyTypeError::new_err("headers must be (name, value) pairs"))?;
        if pair.len() != 2 {
            return Err(PyTypeError::new_err("headers must be (name, value) pairs"));
        }
        out.push((bytes_of(&pair.get_item(0)?, "a header name")?, bytes_of(&pair.get_item(1)?, "a header value")?));
    }
    Ok(out)
}

/// A raw call prepared while attached: the request, its decoded body when needed, the per-call
/// options and the telemetry recorder.
struct Prepared {
    request: RawRequest,
    generation: Option<Generation>,
    options: CallOptions,
    recorder: Option<CallRecorder>,
}

#[allow(clippy::too_many_arguments)]
fn prepare(
    py: Python<'_>,
    inner: &ClientInner,
    method: &str,
    path: String,
    headers: &Bound<'_, PyAny>,
    body: Option<&Bound<'_, PyAny>>,
    stream: bool,
    timeout: Option<&Bound<'_, PyAny>>,
) -> PyResult<Prepared> {
    let method = reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
        .map_err(|_| PyValueError::new_err("method must be an HTTP method such as \"POST\""))?;
    let body = match body.filter(|b| !b.is_none()) {
        Some(b) => Some(Bytes::from(bytes_of(b, "body")?)).filter(|b| !b.is_empty()),
        None => None,
    };
    let request = RawRequest { method, path_and_query: path, headers: header_list(headers)?, body, stream };
    let mut options = CallOptions {
        header_token: current_header_token(py)?,
        timeouts: timeouts_from(timeout, inner.config.timeouts)?,
        max_retries: None,
        extra_headers: Vec::new(),
    };
    let config = &inner.config;
    let generation =
        if config.router.is_some() || telemetry::current().is_some() { request.generation() } else { None };
    let recorder = generation.as_ref().and_then(|g| {
        crate::python::telemetry::start_call(
            py,
            CallInfo {
                operation: g.operation,
                model: Some(&g.model),
                gateway: config.gateway.as_str(),
                url: config.base_url_for(config.gateway),
                stream: g.stream,
                request: request.body.as_deref().map(RequestBody::Bytes),
                traceparent: None,
            },
        )
    });
    if let Some(tp) = recorder.as_ref().and_then(CallRecorder::traceparent) {
        options.extra_headers.push(("traceparent".to_string(), tp));
    }
    Ok(Prepared { request, generation, options, recorder })
}

async fn send(inner: Arc<ClientInner>, engine: Arc<Engine>, p: Prepared) -> Result<Outcome<RawResponse>, Error> {
    let timeouts = inner.config.timeouts_for(&p.options);
    let http = engine.http_for(timeouts.connect)?;
    let call = Call { http: &http, config: &inner.config, options: &p.options, env: &ProcessEnv };
    call.raw(&p.request, p.generation.as_ref(), p.recorder).await
}

/// What both answer classes hold.
struct Parts {
    status: u16,
    headers: Vec<(Bytes, Bytes)>,
    url: String,
    /// The whole body, when it was read whole.
    content: Option<Bytes>,
    body: Arc<Mutex<RawBody>>,
    meta: Arc<CallMeta>,
}

impl Parts {
    fn new(out: Outcome<RawResponse>) -> Self {
        let Outcome { value, gateway, model, attempts, .. } = out;
        let RawResponse { status, headers, url, body, routing } = value;
        let headers = headers
            .iter()
            .map(|(n, v)| (Bytes::copy_from_slice(n.as_str().as_bytes()), Bytes::copy_from_slice(v.as_bytes())))
            .collect();
        let content = match &body {
            RawBody::Full(bytes) => Some(bytes.clone().unwrap_or_default()),
            RawBody::Stream(_) => None,
        };
        let meta = Arc::new(CallMeta { gateway, model, attempts, routing });
        Parts { status, headers, url, content, body: Arc::new(Mutex::new(body)), meta }
    }

    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let pairs = self.headers.iter().map(|(n, v)| (PyBytes::new(py, n), PyBytes::new(py, v)));
        PyList::new(py, pairs)
    }

    fn content<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.content.as_ref().map(|c| PyBytes::new(py, c))
    }
}

/// The next chunk if it can be had without waiting for the network.
fn next_now(body: &Mutex<RawBody>, engine: &Engine) -> Option<Result<Option<Bytes>, Error>> {
    let mut body = body.try_lock().ok()?;
    let _context = engine.runtime.enter();
    body.next_chunk().now_or_never()
}

/// Sends a raw request on the sync engine (`Client._send_raw`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_sync(
    py: Python<'_>,
    inner: &Arc<ClientInner>,
    method: &str,
    path: String,
    headers: &Bound<'_, PyAny>,
    body: Option<&Bound<'_, PyAny>>,
    stream: bool,
    timeout: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let prepared = prepare(py, inner, method, path, headers, body, stream, timeout)?;
    let engine = engine(Mode::Sync).map_err(|e| to_pyerr(py, e))?;
    let out = block_on(py, &engine, send(Arc::clone(inner), Arc::clone(&engine), prepared))?;
    log_skipped(py, &out.skipped)?;
    Ok(Py::new(py, PyRawResponse { parts: Parts::new(out), engine })?.into_any())
}

/// A finished async raw call, converted (and its warnings logged) on the loop thread.
struct AsyncRawDone(Outcome<RawResponse>);

impl<'py> IntoPyObject<'py> for AsyncRawDone {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        log_skipped(py, &self.0.skipped)?;
        Ok(Bound::new(py, PyAsyncRawResponse { parts: Parts::new(self.0) })?.into_any())
    }
}

/// Sends a raw request on the async engine (`AsyncClient._send_raw`); returns an awaitable.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_async(
    py: Python<'_>,
    inner: &Arc<ClientInner>,
    method: &str,
    path: String,
    headers: &Bound<'_, PyAny>,
    body: Option<&Bound<'_, PyAny>>,
    stream: bool,
    timeout: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let prepared = prepare(py, inner, method, path, headers, body, stream, timeout)?;
    let inner = Arc::clone(inner);
    let awaitable = spawn_awaitable(py, async move {
        let engine = engine(Mode::Async)?;
        send(inner, engine, prepared).await.map(AsyncRawDone)
    })?;
    Ok(awaitable.unbind())
}

/// The answer to `Client._send_raw`: status, headers and body as the gateway sent them.
#[pyclass(name = "RawResponse", module = "vercel_ai_gateway", frozen)]
pub struct PyRawResponse {
    parts: Parts,
    engine: Arc<Engine>,
}

impl PyRawResponse {
    fn next_bytes(&self, py: Python<'_>) -> PyResult<Option<Bytes>> {
        match next_now(&self.parts.body, &self.engine) {
            Some(ready) => ready.map_err(|e| to_pyerr(py, e)),
            None => {
                let body = Arc::clone(&self.parts.body);
                block_on(py, &self.engine, async move { body.lock().await.next_chunk().await })
            }
        }
    }
}

/// The methods of both answer classes: the shared getters, then `$extra`, in one `#[pymethods]`.
macro_rules! raw_response_methods {
    ($Class:ident = $name:literal, { $($extra:tt)* }) => {
        #[pymethods]
        impl $Class {
            $($extra)*

            /// The HTTP status.
            #[getter]
            fn status(&self) -> u16 {
                self.parts.status
            }

            /// The response headers as `(name, value)` pairs of `bytes`, in the order received.
            #[getter]
            fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
                self.parts.headers(py)
            }

            /// The whole body when it was read whole; `None` when it is streamed.
            #[getter]
            fn content<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
                self.parts.content(py)
            }

            /// Whether the body is streamed (an event stream, or `stream=True` was asked).
            #[getter]
            fn is_stream(&self) -> bool {
                self.parts.content.is_none()
            }

            /// The URL that answered.
            #[getter]
            fn url(&self) -> String {
                self.parts.url.clone()
            }

            /// The gateway that answered (`"vercel"` or `"openrouter"`).
            #[getter]
            fn gateway(&self) -> &'static str {
                self.parts.meta.gateway.as_str()
            }

            /// Every attempt of the call, the one that answered last.
            #[getter]
            fn attempts(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                attempts_to_py(py, Some(&self.parts.meta))
            }

            /// The routing decision, explained, when a `Router` decided.
            #[getter]
            fn routing(&self) -> Option<String> {
                self.parts.meta.routing.clone()
            }

            fn __repr__(&self) -> String {
                format!(
                    concat!($name, "(status={}, gateway='{}', stream={})"),
                    self.parts.status,
                    self.parts.meta.gateway.as_str(),
                    if self.parts.content.is_none() { "True" } else { "False" }
                )
            }
        }
    };
}

raw_response_methods!(PyRawResponse = "RawResponse", {
    /// The rest of the body (all of it when nothing was read yet).
    fn read<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let mut all = Vec::new();
        while let Some(chunk) = self.next_bytes(py)? {
            all.extend_from_slice(&chunk);
        }
        Ok(PyBytes::new(py, &all))
    }

    fn __iter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        match self.next_bytes(py)? {
            Some(chunk) => Ok(PyBytes::new(py, &chunk)),
            None => Err(PyStopIteration::new_err(())),
        }
    }

    /// Stops reading and closes the connection. Safe to call more than once.
    fn close(&self, py: Python<'_>) {
        // Detached: another thread may hold the lock while it waits for the network.
        py.detach(|| self.parts.body.blocking_lock().close());
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, PyTuple>) -> bool {
        self.close(py);
        false
    }
});

/// The next chunk of an async body; the end raises `StopAsyncIteration`.
struct NextBytes(Option<Bytes>);

impl<'py> IntoPyObject<'py> for NextBytes {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.0 {
            Some(chunk) => Ok(PyBytes::new(py, &chunk).into_any()),
            None => Err(PyStopAsyncIteration::new_err(())),
        }
    }
}

/// A whole body, as `bytes`.
struct AllBytes(Vec<u8>);

impl<'py> IntoPyObject<'py> for AllBytes {
    type Target = PyBytes;
    type Output = Bound<'py, PyBytes>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &self.0))
    }
}

/// The answer to `AsyncClient._send_raw`: status, headers, and a body read with `aread()` or
/// `async for`.
#[pyclass(name = "AsyncRawResponse", module = "vercel_ai_gateway", frozen)]
pub struct PyAsyncRawResponse {
    parts: Parts,
}

raw_response_methods!(PyAsyncRawResponse = "AsyncRawResponse", {
    /// The rest of the body (awaitable).
    fn aread<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let body = Arc::clone(&self.parts.body);
        spawn_awaitable(py, async move {
            let mut body = body.lock().await;
            let mut all = Vec::new();
            while let Some(chunk) = body.next_chunk().await? {
                all.extend_from_slice(&chunk);
            }
            Ok(AllBytes(all))
        })
    }

    fn __aiter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let engine = engine(Mode::Async).map_err(|e| to_pyerr(py, e))?;
        if let Some(ready) = next_now(&self.parts.body, &engine) {
            let result = match ready {
                Ok(next) => NextBytes(next).into_pyobject(py).map(Bound::unbind),
                Err(e) => Err(to_pyerr(py, e)),
            };
            return ready_awaitable(py, result);
        }
        let body = Arc::clone(&self.parts.body);
        spawn_awaitable(py, async move { body.lock().await.next_chunk().await.map(NextBytes) })
    }

    /// Stops reading and closes the connection (awaitable). Safe to call more than once.
    fn aclose<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let body = Arc::clone(&self.parts.body);
        spawn_awaitable(py, async move {
            body.lock().await.close();
            Ok(())
        })
    }

    fn __aenter__<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        ready_awaitable(py, Ok(slf.into_any().unbind()))
    }

    #[pyo3(signature = (*_args))]
    fn __aexit__<'py>(&self, py: Python<'py>, _args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        let body = Arc::clone(&self.parts.body);
        spawn_awaitable(py, async move {
            body.lock().await.close();
            Ok(false)
        })
    }
});

/// Whether a telemetry instance is installed in the Rust core (one atomic load).
#[pyfunction]
#[pyo3(name = "_telemetry_installed")]
pub fn telemetry_installed() -> bool {
    telemetry::current().is_some()
}

/// Flushes the installed Rust telemetry instance, waiting at most `timeout` seconds, detached
/// from the interpreter. `True` when everything was exported (or nothing is installed).
#[pyfunction]
#[pyo3(name = "_flush_telemetry", signature = (timeout=2.0))]
pub fn flush_telemetry(py: Python<'_>, timeout: f64) -> PyResult<bool> {
    let bound = crate::python::timeout::seconds(timeout, "timeout")?;
    Ok(py.detach(|| telemetry::flush(bound)))
}
