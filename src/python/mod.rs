//! The pyo3 binding layer: the only code that names Python types. Compiled with the `python`
//! feature (maturin turns it on); converts at the edge and calls the core.

mod asyncio;
mod auth;
mod client;
mod common;
mod convert;
mod errors;
mod local_gateway;
mod objects;
mod raw;
mod routing;
mod stream;
mod telemetry;
mod timeout;

use pyo3::prelude::*;

/// The native module `vercel_ai_gateway._core`. Private: users import `vercel_ai_gateway`.
#[pymodule(gil_used = false)]
#[pyo3(name = "_core")]
fn core_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", crate::VERSION)?;
    m.add("DEFAULT_GATEWAY_URL", crate::config::DEFAULT_GATEWAY_URL)?;
    m.add("DEFAULT_TIMEOUT", crate::client::DEFAULT_TIMEOUT.as_secs_f64())?;
    m.add("DEFAULT_CONNECT_TIMEOUT", crate::client::DEFAULT_CONNECT_TIMEOUT.as_secs_f64())?;
    m.add("DEFAULT_MAX_RETRIES", crate::client::RetryPolicy::default().max_retries)?;
    m.add("DEFAULT_MODELS_TTL", client::DEFAULT_MODELS_TTL.as_secs_f64())?;
    m.add("DEFAULT_EXPIRY_SKEW", crate::auth::DEFAULT_EXPIRY_SKEW_SECS)?;
    m.add_class::<client::PyClient>()?;
    m.add_class::<client::PyChat>()?;
    m.add_class::<client::PyChatCompletions>()?;
    m.add_class::<client::PyAsyncClient>()?;
    m.add_class::<client::PyAsyncChat>()?;
    m.add_class::<client::PyAsyncChatCompletions>()?;
    m.add_class::<client::PyEmbeddings>()?;
    m.add_class::<client::PyAsyncEmbeddings>()?;
    m.add_class::<client::PyModels>()?;
    m.add_class::<client::PyAsyncModels>()?;
    m.add_class::<client::PyGenerations>()?;
    m.add_class::<client::PyAsyncGenerations>()?;
    m.add_class::<timeout::PyTimeout>()?;
    m.add_class::<asyncio::CompletionQueue>()?;
    m.add_class::<routing::PyRouter>()?;
    m.add_class::<routing::PyDecision>()?;
    m.add_class::<stream::PyStream>()?;
    m.add_class::<stream::PyAsyncStream>()?;
    m.add_class::<objects::PyResponseObject>()?;
    m.add_class::<auth::PyCredential>()?;
    m.add_class::<local_gateway::PyLocalGateway>()?;
    m.add_class::<local_gateway::PyRecordedRequest>()?;
    m.add_function(wrap_pyfunction!(auth::resolve_auth, m)?)?;
    m.add_function(wrap_pyfunction!(auth::gateway_url, m)?)?;
    m.add_class::<raw::PyRawResponse>()?;
    m.add_class::<raw::PyAsyncRawResponse>()?;
    m.add_function(wrap_pyfunction!(raw::telemetry_installed, m)?)?;
    m.add_function(wrap_pyfunction!(raw::flush_telemetry, m)?)?;
    m.add_class::<telemetry::PyVercelTelemetry>()?;
    m.add_function(wrap_pyfunction!(telemetry::record_call, m)?)?;
    Ok(())
}
