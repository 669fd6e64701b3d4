//! The asyncio bridge: Rust futures on the async engine, completed on the event-loop thread.
//!
//! Design (measured in `spec/ffi-performance.md`): a tokio worker never touches the
//! interpreter. Each event loop gets a [`CompletionQueue`]: a socket pair whose read end is
//! registered with `loop.add_reader`, and a list of finished results. A task pushes its result
//! (still a plain Rust value) and writes one byte only when the list goes from empty to
//! non-empty; the loop thread then drains the list, builds the Python objects and resolves the
//! asyncio futures, skipping those already cancelled. This costs about a third of completing
//! each future from a worker thread through `call_soon_threadsafe`, and it removes a crash: a
//! worker attached to the interpreter while it shuts down aborts the process.
//!
//! Cancelling the asyncio future aborts the tokio task (a done-callback holds its abort
//! handle), which drops the request and closes its connection.

use std::collections::HashMap;
use std::future::Future;
use std::io::{ErrorKind, Read, Write};
use std::os::unix::io::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::IntoPyObjectExt as _;

use crate::client::runtime::{engine, Mode};
use crate::error::Error;
use crate::python::errors::to_pyerr;

type Finish = Box<dyn FnOnce(Python<'_>) -> PyResult<Py<PyAny>> + Send>;

/// The part of a queue that tokio tasks see: plain Rust values only.
struct Shared {
    pending: Mutex<Vec<(u64, Finish)>>,
    writer: UnixStream,
}

impl Shared {
    fn push(&self, id: u64, finish: Finish) {
        let was_empty = match self.pending.lock() {
            Ok(mut pending) => {
                let was_empty = pending.is_empty();
                pending.push((id, finish));
                was_empty
            }
            Err(_) => return,
        };
        if was_empty {
            // A full socket buffer already means "wake up"; nothing else can fail usefully.
            let _ = (&self.writer).write(&[1]);
        }
    }
}

/// Finished results of one event loop's calls, and the futures waiting for them.
#[pyclass(module = "vercel_ai_gateway._core", frozen)]
pub struct CompletionQueue {
    shared: Arc<Shared>,
    reader: UnixStream,
    futures: Mutex<HashMap<u64, Py<PyAny>>>,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

#[pymethods]
impl CompletionQueue {
    #[new]
    fn new() -> PyResult<Self> {
        let (reader, writer) =
            UnixStream::pair().map_err(|e| PyRuntimeError::new_err(format!("socketpair failed: {e}")))?;
        reader.set_nonblocking(true).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        writer.set_nonblocking(true).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        Ok(CompletionQueue {
            shared: Arc::new(Shared { pending: Mutex::new(Vec::new()), writer }),
            reader,
            futures: Mutex::new(HashMap::new()),
        })
    }

    /// The descriptor the event loop watches.
    fn fileno(&self) -> i32 {
        self.reader.as_raw_fd()
    }

    /// Resolves every finished call (run by the event loop when the descriptor is readable).
    fn drain(&self, py: Python<'_>) -> PyResult<()> {
        let mut buf = [0u8; 256];
        loop {
            match (&self.reader).read(&mut buf) {
                Ok(0) => break,
                Ok(_) => continue,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        let finished = match self.shared.pending.lock() {
            Ok(mut pending) => std::mem::take(&mut *pending),
            Err(_) => return Ok(()),
        };
        for (id, finish) in finished {
            let future = self.futures.lock().ok().and_then(|mut f| f.remove(&id));
            let Some(future) = future else { continue };
            let future = future.bind(py);
            if future.call_method0("done")?.is_truthy()? {
                continue;
            }
            match finish(py) {
                Ok(value) => future.call_method1("set_result", (value,))?,
                Err(err) => future.call_method1("set_exception", (err.into_value(py),))?,
            };
        }
        Ok(())
    }

    /// Calls in flight.
    fn __len__(&self) -> usize {
        self.futures.lock().map(|f| f.len()).unwrap_or(0)
    }
}

/// Aborts the task of a cancelled future (registered as its done-callback).
#[pyclass(module = "vercel_ai_gateway._core", frozen)]
struct Canceller {
    abort: tokio::task::AbortHandle,
    id: u64,
    queue: Py<CompletionQueue>,
}

#[pymethods]
impl Canceller {
    fn __call__(&self, py: Python<'_>, future: &Bound<'_, PyAny>) -> PyResult<()> {
        if future.call_method0("cancelled")?.is_truthy()? {
            self.abort.abort();
            if let Ok(mut futures) = self.queue.bind(py).get().futures.lock() {
                futures.remove(&self.id);
            }
        }
        Ok(())
    }
}

static QUEUE_FOR_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Runs `fut` on the async engine and returns an asyncio future for its result, resolved on
/// the event-loop thread. `T` becomes a Python object there; a core error becomes the mapped
/// exception; a conversion error (e.g. `StopAsyncIteration`) is raised as is.
pub fn spawn_awaitable<'py, F, T>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Result<T, Error>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    let engine = engine(Mode::Async).map_err(|e| to_pyerr(py, e))?;
    let helper = QUEUE_FOR_RUNNING_LOOP.get_or_try_init(py, || {
        py.import("vercel_ai_gateway._aio")?.getattr("queue_for_running_loop").map(Bound::unbind)
    })?;
    let (event_loop, queue): (Bound<'py, PyAny>, Bound<'py, CompletionQueue>) = helper.bind(py).call0()?.extract()?;
    let future = event_loop.call_method0("create_future")?;
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let q = queue.get();
    if let Ok(mut futures) = q.futures.lock() {
        futures.insert(id, future.clone().unbind());
    }
    let shared = Arc::clone(&q.shared);
    let handle = engine.runtime.spawn(async move {
        let out = fut.await;
        shared.push(
            id,
            Box::new(move |py: Python<'_>| match out {
                Ok(value) => value.into_py_any(py),
                Err(e) => Err(to_pyerr(py, e)),
            }),
        );
    });
    let canceller = Canceller { abort: handle.abort_handle(), id, queue: queue.unbind() };
    future.call_method1("add_done_callback", (Py::new(py, canceller)?,))?;
    Ok(future)
}

/// An awaitable whose result is already known: awaiting it returns (or raises) at once,
/// without an asyncio future, a loop call or a round trip through the queue. Used when a
/// stream chunk was already buffered.
#[pyclass(module = "vercel_ai_gateway._core", frozen)]
pub struct Ready {
    result: std::sync::Mutex<Option<PyResult<Py<PyAny>>>>,
}

#[pymethods]
impl Ready {
    fn __await__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __iter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __next__(&self) -> PyResult<Py<PyAny>> {
        let taken = self.result.lock().ok().and_then(|mut r| r.take());
        match taken {
            Some(Ok(value)) => Err(pyo3::exceptions::PyStopIteration::new_err((value,))),
            Some(Err(err)) => Err(err),
            None => Err(PyRuntimeError::new_err("this awaitable was already awaited")),
        }
    }

    fn send(&self, _value: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.__next__()
    }

    #[pyo3(signature = (error, *_rest))]
    fn throw(&self, error: &Bound<'_, PyAny>, _rest: &Bound<'_, pyo3::types::PyTuple>) -> PyResult<Py<PyAny>> {
        Err(PyErr::from_value(error.clone()))
    }

    fn close(&self) {}
}

/// An awaitable that is already resolved with `result`.
pub fn ready_awaitable<'py>(py: Python<'py>, result: PyResult<Py<PyAny>>) -> PyResult<Bound<'py, PyAny>> {
    Ok(Bound::new(py, Ready { result: std::sync::Mutex::new(Some(result)) })?.into_any())
}
