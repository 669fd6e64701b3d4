//! `Stream` and `AsyncStream`: single-use, closeable iterators of chunks.
//!
//! Design: the sync stream does one `block_on` per chunk on the sync engine (the one whose
//! runtime owns the connection), detached from the interpreter; events already buffered from a
//! network read come back without waiting. Leaving a `with` block, calling `close()`, or
//! dropping the stream drops the response body, which closes the connection.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use tokio::sync::Mutex;

use pyo3::exceptions::{PyStopAsyncIteration, PyStopIteration};
use pyo3::prelude::*;

use crate::client::runtime::Engine;
use crate::client::ChunkStream;
use crate::error::Error;
use crate::python::asyncio::future_into_py;
use crate::python::common::block_on;
use crate::python::errors::{to_pyerr, to_pyerr_attached};
use crate::python::objects::PyResponseObject;

fn second_iteration() -> Error {
    Error::usage("This stream was already iterated; a stream can be consumed only once. Create a new request to read the answer again.")
}

/// A stream of `ChatCompletionChunk`-shaped `ResponseObject`s.
#[pyclass(name = "Stream", module = "vercel_ai_gateway", frozen)]
pub struct PyStream {
    inner: Arc<Mutex<ChunkStream>>,
    engine: Arc<Engine>,
    iterated: AtomicBool,
}

impl PyStream {
    /// Wraps a chunk stream opened on `engine`.
    pub fn new(stream: ChunkStream, engine: Arc<Engine>) -> Self {
        PyStream { inner: Arc::new(Mutex::new(stream)), engine, iterated: AtomicBool::new(false) }
    }
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
        let inner = Arc::clone(&self.inner);
        let next = block_on(py, &self.engine, async move { inner.lock().await.next_chunk().await })?;
        match next {
            Some(value) => Ok(PyResponseObject::new(value)),
            None => Err(PyStopIteration::new_err(())),
        }
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

/// An asyncio stream of `ChatCompletionChunk`-shaped `ResponseObject`s.
#[pyclass(name = "AsyncStream", module = "vercel_ai_gateway", frozen)]
pub struct PyAsyncStream {
    inner: Arc<Mutex<ChunkStream>>,
    received: Arc<AtomicU64>,
    iterated: AtomicBool,
}

impl PyAsyncStream {
    /// Wraps a chunk stream opened on the async engine.
    pub fn new(stream: ChunkStream) -> Self {
        PyAsyncStream {
            inner: Arc::new(Mutex::new(stream)),
            received: Arc::new(AtomicU64::new(0)),
            iterated: AtomicBool::new(false),
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
        let inner = Arc::clone(&self.inner);
        let received = Arc::clone(&self.received);
        future_into_py(py, async move {
            let mut stream = inner.lock().await;
            let next = stream.next_chunk().await;
            received.store(stream.chunks_received(), Ordering::Relaxed);
            drop(stream);
            let next = next.map_err(to_pyerr_attached)?;
            match next {
                Some(value) => Ok(PyResponseObject::new(value)),
                None => Err(PyStopAsyncIteration::new_err(())),
            }
        })
    }

    /// Stops reading and closes the connection (awaitable). Safe to call more than once.
    fn aclose<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let inner = Arc::clone(&self.inner);
        future_into_py(py, async move {
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
        let obj: Py<PyAny> = slf.into_any().unbind();
        future_into_py(py, async move { Ok(obj) })
    }

    #[pyo3(signature = (*_args))]
    fn __aexit__<'py>(&self, py: Python<'py>, _args: &Bound<'py, pyo3::types::PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        let inner = Arc::clone(&self.inner);
        future_into_py(py, async move {
            inner.lock().await.close();
            Ok(false)
        })
    }

    fn __repr__(&self) -> String {
        format!("AsyncStream(chunks_received={})", self.received.load(Ordering::Relaxed))
    }
}
