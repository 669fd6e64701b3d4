//! `Stream` and `AsyncStream`: single-use, closeable iterators of chunks.
//!
//! Design: a network read usually brings several SSE events, so each step first tries to take
//! the next chunk without waiting (one poll, inside the engine's runtime context, without
//! releasing the interpreter). Only when the decoder needs more bytes does the sync stream
//! detach and `block_on` the sync engine (whose runtime owns the connection), and the async
//! stream hand a task to the async engine, completed through the loop's queue. Leaving a
//! `with` block, calling `close()`, or dropping the stream drops the response body, which
//! closes the connection.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use futures_util::FutureExt as _;
use pyo3::exceptions::{PyStopAsyncIteration, PyStopIteration};
use pyo3::prelude::*;
use serde_json::Value;
use tokio::sync::Mutex;

use crate::client::runtime::{engine, Engine, Mode};
use crate::client::{cost_of, ChunkStream};
use crate::error::Error;
use crate::python::asyncio::{ready_awaitable, spawn_awaitable};
use crate::python::client::CallMeta;
use crate::python::common::block_on;
use crate::python::errors::to_pyerr;
use crate::python::objects::{attempts_to_py, PyResponseObject};

fn second_iteration() -> Error {
    Error::usage("This stream was already iterated; a stream can be consumed only once. Create a new request to read the answer again.")
}

/// The next chunk if it can be had without waiting for the network.
fn next_now(inner: &Mutex<ChunkStream>, engine: &Engine) -> Option<Result<Option<Value>, Error>> {
    let mut stream = inner.try_lock().ok()?;
    let _context = engine.runtime.enter();
    stream.next_chunk().now_or_never()
}

/// A stream of `ChatCompletionChunk`-shaped `ResponseObject`s.
#[pyclass(name = "Stream", module = "vercel_ai_gateway", frozen)]
pub struct PyStream {
    inner: Arc<Mutex<ChunkStream>>,
    engine: Arc<Engine>,
    iterated: AtomicBool,
    meta: Arc<CallMeta>,
}

impl PyStream {
    /// Wraps a chunk stream opened on `engine`.
    pub fn new(stream: ChunkStream, engine: Arc<Engine>, meta: Arc<CallMeta>) -> Self {
        PyStream { inner: Arc::new(Mutex::new(stream)), engine, iterated: AtomicBool::new(false), meta }
    }
}

/// `cost_usd` of a stream: from the last `usage` a chunk carried.
fn stream_cost(inner: &Mutex<ChunkStream>, meta: &CallMeta) -> Option<(f64, bool)> {
    let usage = inner.try_lock().ok()?.usage().cloned()?;
    cost_of(meta.gateway, meta.model.as_deref(), &serde_json::json!({ "usage": usage }))
}

#[pymethods]
impl PyStream {
    fn __iter__(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        if slf.get().iterated.swap(true, Ordering::SeqCst) {
            return Err(to_pyerr(slf.py(), second_iteration()));
        }
        Ok(slf)
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<PyResponseObject> {
        let next = match next_now(&self.inner, &self.engine) {
            Some(ready) => ready.map_err(|e| to_pyerr(py, e))?,
            None => {
                let inner = Arc::clone(&self.inner);
                block_on(py, &self.engine, async move { inner.lock().await.next_chunk().await })?
            }
        };
        match next {
            Some(value) => Ok(PyResponseObject::new(value)),
            None => Err(PyStopIteration::new_err(())),
        }
    }

    /// The gateway that answered.
    #[getter]
    fn gateway(&self) -> &'static str {
        self.meta.gateway.as_str()
    }

    /// Every attempt of the call, the successful one last.
    #[getter]
    fn attempts(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        attempts_to_py(py, Some(&self.meta))
    }

    /// The cost in USD once the chunk carrying usage was read (see `ResponseObject.cost_usd`).
    #[getter]
    fn cost_usd(&self) -> Option<f64> {
        stream_cost(&self.inner, &self.meta).map(|(c, _)| c)
    }

    /// Whether `cost_usd` is an estimate from list prices.
    #[getter]
    fn cost_estimated(&self) -> Option<bool> {
        stream_cost(&self.inner, &self.meta).map(|(_, e)| e)
    }

    /// The routing decision, explained, when a `Router` decided.
    #[getter]
    fn routing(&self) -> Option<String> {
        self.meta.routing.clone()
    }

    /// Stops reading and closes the connection. Safe to call more than once.
    fn close(&self, py: Python<'_>) {
        // Detached: another thread may hold the lock while it waits for the network.
        py.detach(|| self.inner.blocking_lock().close());
    }

    /// Chunks handed out so far.
    #[getter]
    fn chunks_received(&self, py: Python<'_>) -> u64 {
        py.detach(|| self.inner.blocking_lock().chunks_received())
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
        match self.inner.try_lock() {
            Ok(s) => format!("Stream(chunks_received={}, finished={})", s.chunks_received(), s.is_finished()),
            Err(_) => "Stream(reading)".to_string(),
        }
    }
}

/// The next chunk of an async stream; the end of the stream raises `StopAsyncIteration`.
struct NextChunk(Option<Value>);

impl<'py> IntoPyObject<'py> for NextChunk {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.0 {
            Some(value) => Ok(Bound::new(py, PyResponseObject::new(value))?.into_any()),
            None => Err(PyStopAsyncIteration::new_err(())),
        }
    }
}

/// An asyncio stream of `ChatCompletionChunk`-shaped `ResponseObject`s.
#[pyclass(name = "AsyncStream", module = "vercel_ai_gateway", frozen)]
pub struct PyAsyncStream {
    inner: Arc<Mutex<ChunkStream>>,
    received: Arc<AtomicU64>,
    iterated: AtomicBool,
    meta: Arc<CallMeta>,
}

impl PyAsyncStream {
    /// Wraps a chunk stream opened on the async engine.
    pub fn new(stream: ChunkStream, meta: Arc<CallMeta>) -> Self {
        PyAsyncStream {
            inner: Arc::new(Mutex::new(stream)),
            received: Arc::new(AtomicU64::new(0)),
            iterated: AtomicBool::new(false),
            meta,
        }
    }
}

#[pymethods]
impl PyAsyncStream {
    fn __aiter__(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        if slf.get().iterated.swap(true, Ordering::SeqCst) {
            return Err(to_pyerr(slf.py(), second_iteration()));
        }
        Ok(slf)
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let engine = engine(Mode::Async).map_err(|e| to_pyerr(py, e))?;
        if let Some(ready) = next_now(&self.inner, &engine) {
            if ready.as_ref().is_ok_and(Option::is_some) {
                self.received.fetch_add(1, Ordering::Relaxed);
            }
            let result = match ready {
                Ok(next) => NextChunk(next).into_pyobject(py).map(|b| b.unbind()),
                Err(e) => Err(to_pyerr(py, e)),
            };
            return ready_awaitable(py, result);
        }
        let inner = Arc::clone(&self.inner);
        let received = Arc::clone(&self.received);
        spawn_awaitable(py, async move {
            let mut stream = inner.lock().await;
            let next = stream.next_chunk().await;
            received.store(stream.chunks_received(), Ordering::Relaxed);
            next.map(NextChunk)
        })
    }

    /// The gateway that answered.
    #[getter]
    fn gateway(&self) -> &'static str {
        self.meta.gateway.as_str()
    }

    /// Every attempt of the call, the successful one last.
    #[getter]
    fn attempts(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        attempts_to_py(py, Some(&self.meta))
    }

    /// The cost in USD once the chunk carrying usage was read (see `ResponseObject.cost_usd`).
    #[getter]
    fn cost_usd(&self) -> Option<f64> {
        stream_cost(&self.inner, &self.meta).map(|(c, _)| c)
    }

    /// Whether `cost_usd` is an estimate from list prices.
    #[getter]
    fn cost_estimated(&self) -> Option<bool> {
        stream_cost(&self.inner, &self.meta).map(|(_, e)| e)
    }

    /// The routing decision, explained, when a `Router` decided.
    #[getter]
    fn routing(&self) -> Option<String> {
        self.meta.routing.clone()
    }

    /// Stops reading and closes the connection (awaitable). Safe to call more than once.
    fn aclose<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let inner = Arc::clone(&self.inner);
        spawn_awaitable(py, async move {
            inner.lock().await.close();
            Ok(())
        })
    }

    /// Chunks handed out so far.
    #[getter]
    fn chunks_received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }

    fn __aenter__<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        ready_awaitable(py, Ok(slf.into_any().unbind()))
    }

    #[pyo3(signature = (*_args))]
    fn __aexit__<'py>(&self, py: Python<'py>, _args: &Bound<'py, pyo3::types::PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        let inner = Arc::clone(&self.inner);
        spawn_awaitable(py, async move {
            inner.lock().await.close();
            Ok(false)
        })
    }

    fn __repr__(&self) -> String {
        format!("AsyncStream(chunks_received={})", self.received.load(Ordering::Relaxed))
    }
}
