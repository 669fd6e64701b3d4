//! Helpers shared by the binding classes: reading the request context, logging skipped
//! credentials, driving the sync engine with signals checked, and building options.

use std::collections::HashSet;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

use crate::auth::{AuthOptions, Prefer, Skipped};
use crate::client::runtime::Engine;
use crate::error::Error;
use crate::python::errors::to_pyerr;
use crate::secret::Secret;

static CURRENT_HEADER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static LOGGER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static WARNED: Mutex<Option<HashSet<(&'static str, i64)>>> = Mutex::new(None);

/// How often a blocked sync call wakes to let Python handle Ctrl-C.
const SIGNAL_CHECK_INTERVAL: Duration = Duration::from_millis(100);

/// The current request's `x-vercel-oidc-token`, from `vercel_ai_gateway._context`.
pub fn current_header_token(py: Python<'_>) -> PyResult<Option<String>> {
    let f = CURRENT_HEADER.get_or_try_init(py, || {
        py.import("vercel_ai_gateway._context")?.getattr("current_oidc_header").map(Bound::unbind)
    })?;
    f.bind(py).call0()?.extract()
}

/// Logs each skipped credential once per token (not once per request) on the
/// `vercel_ai_gateway` logger.
pub fn log_skipped(py: Python<'_>, skipped: &[Skipped]) -> PyResult<()> {
    for s in skipped {
        let key = (s.source.as_str(), s.expires_at.unwrap_or(0));
        let first = match WARNED.lock() {
            Ok(mut set) => set.get_or_insert_with(HashSet::new).insert(key),
            Err(_) => true,
        };
        if first {
            let logger = LOGGER.get_or_try_init(py, || {
                py.import("logging")?.call_method1("getLogger", ("vercel_ai_gateway",)).map(Bound::unbind)
            })?;
            logger.bind(py).call_method1("warning", (s.reason.as_str(),))?;
        }
    }
    Ok(())
}

/// Runs `fut` on the sync engine from this thread, detached from the interpreter, waking every
/// 100 ms to run Python's signal handlers so Ctrl-C interrupts a long call.
pub fn block_on<F, T>(py: Python<'_>, engine: &Engine, fut: F) -> PyResult<T>
where
    F: Future<Output = Result<T, Error>> + Send,
    T: Send,
{
    let outcome: Result<Result<T, Error>, PyErr> = py.detach(|| {
        engine.runtime.block_on(async {
            tokio::pin!(fut);
            loop {
                tokio::select! {
                    out = &mut fut => return Ok(out),
                    () = tokio::time::sleep(SIGNAL_CHECK_INTERVAL) => {
                        Python::attach(|py| py.check_signals())?;
                    }
                }
            }
        })
    });
    outcome?.map_err(|e| to_pyerr(py, e))
}

/// Builds credential options from the keyword arguments every entry point shares.
pub fn auth_options(
    py: Python<'_>,
    api_key: Option<String>,
    prefer: &str,
    expiry_skew: Option<f64>,
    dev_refresh: Option<bool>,
) -> PyResult<AuthOptions> {
    let prefer = Prefer::parse(prefer).map_err(|e| to_pyerr(py, e))?;
    let skew_secs = match expiry_skew {
        None => None,
        Some(s) if s.is_finite() && s >= 0.0 => Some(s as i64),
        Some(_) => return Err(PyValueError::new_err("expiry_skew must be a non-negative number of seconds")),
    };
    Ok(AuthOptions {
        token: api_key.map(Secret::new),
        prefer,
        skew_secs,
        dev_refresh: None,
        dev_refresh_enabled: dev_refresh,
    })
}

/// Header pairs from an optional `dict[str, str]`.
pub fn header_pairs(headers: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    if let Some(h) = headers {
        for (k, v) in h.iter() {
            out.push((k.extract::<String>()?.to_ascii_lowercase(), v.extract::<String>()?));
        }
    }
    Ok(out)
}
