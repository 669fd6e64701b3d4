//! The asyncio bridge: `pyo3-async-runtimes` coroutine glue on our own async engine.
//!
//! Design: `pyo3-async-runtimes` owns the glue between a Rust future and an asyncio future
//! (cancellation included); its built-in tokio runtime is a process-wide `OnceLock` that cannot
//! be rebuilt after `os.fork()`, so we plug in our engine through its generic `Runtime` trait.
//! The completion path (a tokio thread attaching to resolve the asyncio future) is what
//! `spec/ffi-performance.md` measured at 5–7× plain reqwest; the performance issue replaces it
//! with an eventfd completion queue without changing this module's callers.

use std::cell::OnceCell;
use std::future::Future;
use std::pin::Pin;

use pyo3::prelude::*;
use pyo3_async_runtimes::generic::{ContextExt, JoinError, Runtime};
use pyo3_async_runtimes::TaskLocals;

use crate::client::runtime::{engine, Mode};

/// Marker type plugging our async engine into `pyo3-async-runtimes`.
pub struct GatewayRuntime;

/// The join error of [`GatewayRuntime`] tasks.
pub struct TaskJoinError(Option<tokio::task::JoinError>);

impl JoinError for TaskJoinError {
    fn is_panic(&self) -> bool {
        self.0.as_ref().is_some_and(tokio::task::JoinError::is_panic)
    }
    fn into_panic(self) -> Box<dyn std::any::Any + Send + 'static> {
        match self.0 {
            Some(e) if e.is_panic() => e.into_panic(),
            _ => Box::new("the task was cancelled"),
        }
    }
}

type Join = Pin<Box<dyn Future<Output = Result<(), TaskJoinError>> + Send>>;

tokio::task_local! {
    static TASK_LOCALS: OnceCell<TaskLocals>;
}

fn spawn_boxed(fut: Pin<Box<dyn Future<Output = ()> + Send>>) -> Join {
    match engine(Mode::Async) {
        Ok(e) => {
            let handle = e.runtime.spawn(fut);
            Box::pin(async move { handle.await.map_err(|e| TaskJoinError(Some(e))) })
        }
        // The engine could not start (no threads left): run the task on a thread of its own
        // rather than leave the awaiting coroutine hanging.
        Err(_) => {
            let (tx, rx) = tokio::sync::oneshot::channel::<()>();
            let spawned = std::thread::Builder::new().name("vercel-ai-gateway-fallback".into()).spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    rt.block_on(fut);
                }
                let _ = tx.send(());
            });
            Box::pin(async move {
                if spawned.is_err() {
                    return Err(TaskJoinError(None));
                }
                rx.await.map_err(|_| TaskJoinError(None))
            })
        }
    }
}

impl Runtime for GatewayRuntime {
    type JoinError = TaskJoinError;
    type JoinHandle = Join;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        spawn_boxed(Box::pin(fut))
    }

    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        spawn_boxed(Box::pin(async move { f() }))
    }
}

impl ContextExt for GatewayRuntime {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        let cell = OnceCell::new();
        let _ = cell.set(locals);
        Box::pin(TASK_LOCALS.scope(cell, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        TASK_LOCALS.try_with(|c| c.get().cloned()).unwrap_or_default()
    }
}

/// Turns a Rust future into an asyncio awaitable running on the async engine.
pub fn future_into_py<'py, F, T>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    // Surface a runtime start failure as an exception now, not inside the task.
    engine(Mode::Async).map_err(|e| crate::python::errors::to_pyerr(py, e))?;
    pyo3_async_runtimes::generic::future_into_py::<GatewayRuntime, F, T>(py, fut)
}
