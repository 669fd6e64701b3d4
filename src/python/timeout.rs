//! `Timeout`: the four timeouts of a call, and the conversion of a `timeout=` argument.

use std::time::Duration;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

use crate::client::Timeouts;

/// Positive seconds as a `Duration`, or a `ValueError` naming the argument (never a panic, even
/// for a finite value too large for a `Duration`).
pub(crate) fn seconds(value: f64, name: &str) -> PyResult<Duration> {
    match Duration::try_from_secs_f64(value) {
        Ok(d) if value > 0.0 => Ok(d),
        _ => Err(PyValueError::new_err(format!("{name} must be a positive number of seconds, at most about 1.8e19"))),
    }
}

/// Timeouts in seconds: `connect` (opening the connection), `first_byte` (until the response
/// headers and, for a stream, its first chunk), `idle` (between two chunks of a stream) and
/// `total` (a whole non-streamed attempt; for a stream, the default of the other two).
#[pyclass(name = "Timeout", module = "vercel_ai_gateway", frozen, eq)]
#[derive(PartialEq)]
pub struct PyTimeout {
    pub(crate) inner: Timeouts,
}

#[pymethods]
impl PyTimeout {
    #[new]
    #[pyo3(signature = (total=600.0, *, connect=10.0, first_byte=None, idle=None))]
    fn new(total: f64, connect: f64, first_byte: Option<f64>, idle: Option<f64>) -> PyResult<Self> {
        Ok(PyTimeout {
            inner: Timeouts {
                total: seconds(total, "total")?,
                connect: seconds(connect, "connect")?,
                first_byte: first_byte.map(|v| seconds(v, "first_byte")).transpose()?,
                idle: idle.map(|v| seconds(v, "idle")).transpose()?,
            },
        })
    }

    /// Seconds allowed for a whole non-streamed attempt.
    #[getter]
    fn total(&self) -> f64 {
        self.inner.total.as_secs_f64()
    }

    /// Seconds allowed to open the connection.
    #[getter]
    fn connect(&self) -> f64 {
        self.inner.connect.as_secs_f64()
    }

    /// Seconds allowed until the response (and a stream's first chunk), or `None` for `total`.
    #[getter]
    fn first_byte(&self) -> Option<f64> {
        self.inner.first_byte.map(|d| d.as_secs_f64())
    }

    /// Seconds allowed between two chunks of a stream, or `None` for `total`.
    #[getter]
    fn idle(&self) -> Option<f64> {
        self.inner.idle.map(|d| d.as_secs_f64())
    }

    fn __repr__(&self) -> String {
        let opt = |d: Option<Duration>| d.map_or("None".to_string(), |d| format!("{}", d.as_secs_f64()));
        format!(
            "Timeout(total={}, connect={}, first_byte={}, idle={})",
            self.inner.total.as_secs_f64(),
            self.inner.connect.as_secs_f64(),
            opt(self.inner.first_byte),
            opt(self.inner.idle)
        )
    }
}

/// Converts a `timeout=` argument: a number replaces `total` of `base`, a `Timeout` replaces all.
pub fn timeouts_from(value: Option<&Bound<'_, PyAny>>, base: Timeouts) -> PyResult<Option<Timeouts>> {
    let Some(value) = value.filter(|v| !v.is_none()) else { return Ok(None) };
    if let Ok(t) = value.cast::<PyTimeout>() {
        return Ok(Some(t.get().inner));
    }
    if value.is_instance_of::<pyo3::types::PyBool>() {
        return Err(PyTypeError::new_err("timeout must be a number of seconds or a Timeout"));
    }
    match value.extract::<f64>() {
        Ok(s) => Ok(Some(Timeouts { total: seconds(s, "timeout")?, ..base })),
        Err(_) => Err(PyTypeError::new_err("timeout must be a number of seconds or a Timeout")),
    }
}
