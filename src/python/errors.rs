//! The one mapping from core errors to the Python exception tree in `_exceptions.py`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};

use crate::error::Error;
use crate::python::convert::value_to_py;

static EXCEPTIONS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyType>> {
    let module =
        EXCEPTIONS.get_or_try_init(py, || py.import("vercel_ai_gateway._exceptions").map(|m| m.unbind().into_any()))?;
    Ok(module.bind(py).getattr(name)?.cast_into::<PyType>()?)
}

fn status_class(status: u16) -> &'static str {
    match status {
        400 => "BadRequestError",
        401 => "AuthenticationError",
        402 => "PaymentRequiredError",
        403 => "PermissionDeniedError",
        404 => "NotFoundError",
        409 => "ConflictError",
        422 => "UnprocessableEntityError",
        424 => "FailedDependencyError",
        429 => "RateLimitError",
        s if s >= 500 => "InternalServerError",
        _ => "APIStatusError",
    }
}

fn build(py: Python<'_>, error: Error) -> PyResult<PyErr> {
    let kwargs = PyDict::new(py);
    let (name, message) = match error {
        Error::Config { variable, message } => {
            kwargs.set_item("variable", variable)?;
            ("ConfigError", message)
        }
        Error::Credentials { message, sources_checked, missing } => {
            kwargs.set_item("sources_checked", sources_checked)?;
            (if missing { "NoCredentialsError" } else { "CredentialsError" }, message)
        }
        Error::Connection { message, url, retries_taken } => {
            kwargs.set_item("url", url)?;
            kwargs.set_item("retries_taken", retries_taken)?;
            ("APIConnectionError", message)
        }
        Error::Timeout { message, url, retries_taken } => {
            kwargs.set_item("url", url)?;
            kwargs.set_item("retries_taken", retries_taken)?;
            ("APITimeoutError", message)
        }
        Error::Decode { message, url, status } => {
            kwargs.set_item("url", url)?;
            kwargs.set_item("status_code", status)?;
            ("APIResponseValidationError", message)
        }
        Error::Status(e) => {
            // A 200 carrying an error event has no status class of its own.
            let name = status_class(e.status);
            kwargs.set_item("status_code", e.status)?;
            kwargs.set_item("url", e.url)?;
            kwargs.set_item("type", e.error_type)?;
            kwargs.set_item("code", e.code)?;
            kwargs.set_item("param", e.param.as_ref().map(|p| value_to_py(py, p)).transpose()?)?;
            kwargs.set_item("request_id", e.request_id)?;
            kwargs.set_item("generation_id", e.generation_id)?;
            kwargs.set_item("retry_after", e.retry_after)?;
            kwargs.set_item("retries_taken", e.retries_taken)?;
            kwargs.set_item("body", e.body.as_ref().map(|b| value_to_py(py, b)).transpose()?)?;
            (name, e.message)
        }
        Error::Usage { message } => ("UsageError", message),
        Error::Internal { message } => ("VercelAIGatewayError", format!("Internal error: {message}")),
    };
    let instance = class(py, name)?.call((message,), Some(&kwargs))?;
    Ok(PyErr::from_value(instance))
}

/// Converts a core error into the matching Python exception.
pub fn to_pyerr(py: Python<'_>, error: Error) -> PyErr {
    build(py, error).unwrap_or_else(|e| e)
}

/// A `TypeError` for an argument of the wrong type.
pub fn type_error(message: impl Into<String>) -> PyErr {
    PyTypeError::new_err(message.into())
}
