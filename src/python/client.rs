//! `Client` and `AsyncClient` with their namespaces (`chat.completions`, `embeddings`,
//! `models`, `generations`): twins generated from one macro, so both have the same methods,
//! parameters and defaults; only the engine and the return style (value or awaitable) differ.
//! Every method prepares its request while attached, then runs [`execute`] on its engine.

use std::sync::Arc;
use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::{Map, Value};

use crate::auth::Skipped;
use crate::catalog::Gateway;
use crate::client::runtime::{engine, Engine, Mode};
use crate::client::{
    decide, Answer, Attempt, Call, CallOptions, ChunkStream, ClientConfig, Outcome, RetryPolicy, TtlCache,
};
use crate::config::ProcessEnv;
use crate::error::Error;
use crate::python::asyncio::spawn_awaitable;
use crate::python::common::{auth_options, block_on, current_header_token, header_pairs, log_skipped};
use crate::python::convert::py_to_value;
use crate::python::errors::{to_pyerr, type_error};
use crate::python::objects::PyResponseObject;
use crate::python::routing::PyRouter;
use crate::python::stream::{PyAsyncStream, PyStream};
use crate::python::timeout::{timeouts_from, PyTimeout};
use crate::telemetry::{self, CallInfo, CallRecorder, RequestBody};

/// Default lifetime of the cached model catalog.
pub const DEFAULT_MODELS_TTL: Duration = Duration::from_secs(300);

/// What a client was configured with, shared by its namespaces.
pub struct ClientInner {
    pub(crate) config: ClientConfig,
    models: TtlCache,
}

/// One request, prepared while attached; encoded and sent while detached.
struct Op {
    method: reqwest::Method,
    path: String,
    body: Option<Value>,
    stream: bool,
    /// Serve from and fill the catalog cache.
    cached: bool,
    /// For chat and embeddings: the GenAI operation name and model, which make the call
    /// routable and recorded by telemetry.
    generation: Option<(&'static str, String)>,
}

impl Op {
    fn get(path: String) -> Self {
        Op { method: reqwest::Method::GET, path, body: None, stream: false, cached: false, generation: None }
    }
}

/// How a call was served, shown on its result (`gateway`, `attempts`, `cost_usd`, `routing`).
#[derive(Debug, Clone)]
pub struct CallMeta {
    /// The gateway that answered.
    pub gateway: Gateway,
    /// The model id that gateway was sent.
    pub model: Option<String>,
    /// Every attempt, the successful one last.
    pub attempts: Vec<Attempt>,
    /// The routing decision, explained, when a router decided.
    pub routing: Option<String>,
}

enum Done {
    Json(Value, Vec<Skipped>, Arc<CallMeta>),
    Stream(Box<ChunkStream>, Vec<Skipped>, Arc<CallMeta>),
}

fn encode_value(value: &Value) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(value).map_err(|e| Error::internal(format!("the request cannot be encoded: {e}")))
}

async fn lookup_cost(call: &Call<'_>, gateway: Gateway, value: &mut Value) {
    let has_cost = value.pointer("/usage/cost").is_some_and(|c| !c.is_null());
    let Some(id) = value.get("id").and_then(Value::as_str).filter(|_| !has_cost).map(str::to_string) else { return };
    let encoded: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    if let Ok(found) = call.json_to(gateway, reqwest::Method::GET, &format!("/generation?id={encoded}"), None).await {
        if let (Some(cost), Some(usage)) =
            (found.value.pointer("/data/total_cost").and_then(Value::as_f64), value.get_mut("usage"))
        {
            if let Some(obj) = usage.as_object_mut() {
                obj.insert("cost".into(), Value::from(cost));
            }
        }
    }
}

async fn execute(
    inner: Arc<ClientInner>,
    engine: Arc<Engine>,
    op: Op,
    options: CallOptions,
    mut recorder: Option<CallRecorder>,
) -> Result<Done, Error> {
    let timeouts = inner.config.timeouts_for(&options);
    let http = engine.http_for(timeouts.connect)?;
    let call = Call { http: &http, config: &inner.config, options: &options, env: &ProcessEnv };
    if op.cached {
        if let Some(value) = inner.models.get() {
            let meta = CallMeta { gateway: inner.config.gateway, model: None, attempts: Vec::new(), routing: None };
            return Ok(Done::Json(value, Vec::new(), Arc::new(meta)));
        }
    }
    let router = inner.config.router.as_ref().filter(|_| op.generation.is_some());
    let result = match (router, &op.body, &op.generation) {
        (Some(router), Some(body), Some((_, model))) => {
            let (decision, explain) = decide(&inner.config, router, model, body, recorder.as_mut());
            call.routed(router, &decision, &op.path, op.stream).await.map(|out| (out, Some(explain)))
        }
        _ => {
            let body = op.body.as_ref().map(encode_value).transpose()?;
            if op.stream {
                call.stream(&op.path, body.unwrap_or_default()).await.map(|out| {
                    let Outcome { value, skipped, retries_taken, gateway, model, attempts } = out;
                    (
                        Outcome {
                            value: Answer::Stream(Box::new(value)),
                            skipped,
                            retries_taken,
                            gateway,
                            model,
                            attempts,
                        },
                        None,
                    )
                })
            } else {
                call.json(op.method.clone(), &op.path, body).await.map(|out| {
                    let Outcome { value, skipped, retries_taken, gateway, model, attempts } = out;
                    (Outcome { value: Answer::Json(value), skipped, retries_taken, gateway, model, attempts }, None)
                })
            }
        }
    };
    let (out, routing) = match result {
        Ok(ok) => ok,
        Err(e) => {
            if let Some(r) = recorder.take() {
                r.finish_err(&e);
            }
            return Err(e);
        }
    };
    let model = out.model.clone().or_else(|| op.generation.as_ref().map(|(_, m)| m.clone()));
    if let Some(r) = recorder.as_mut() {
        if out.attempts.len() > 1 {
            r.set_gateway(out.gateway.as_str(), inner.config.base_url_for(out.gateway));
        }
    }
    let meta = Arc::new(CallMeta { gateway: out.gateway, model, attempts: out.attempts, routing });
    match out.value {
        Answer::Json(mut value) => {
            if inner.config.cost_lookup && op.generation.is_some() {
                lookup_cost(&call, out.gateway, &mut value).await;
            }
            if op.cached {
                inner.models.put(&value);
            }
            if let Some(r) = recorder.take() {
                r.finish_ok(&value, out.retries_taken);
            }
            Ok(Done::Json(value, out.skipped, meta))
        }
        Answer::Stream(mut stream) => {
            if let Some(mut r) = recorder.take() {
                r.set_retries(out.retries_taken);
                stream.set_recorder(Some(r));
            }
            Ok(Done::Stream(stream, out.skipped, meta))
        }
    }
}

/// Starts the call's telemetry span (while attached, so it joins the caller's Python span) and
/// adds its `traceparent` to the request, before the caller's own headers.
fn start_recording(py: Python<'_>, inner: &ClientInner, op: &Op, options: &mut CallOptions) -> Option<CallRecorder> {
    let (operation, model) = op.generation.as_ref()?;
    telemetry::current()?;
    let recorder = crate::python::telemetry::start_call(
        py,
        CallInfo {
            operation,
            model: Some(model),
            gateway: inner.config.gateway.as_str(),
            url: inner.config.base_url_for(inner.config.gateway),
            stream: op.stream,
            request: op.body.as_ref().map(RequestBody::Json),
            traceparent: None,
        },
    )?;
    if let Some(tp) = recorder.traceparent() {
        options.extra_headers.insert(0, ("traceparent".to_string(), tp));
    }
    Some(recorder)
}

fn run_sync(py: Python<'_>, inner: &Arc<ClientInner>, op: Op, mut options: CallOptions) -> PyResult<Py<PyAny>> {
    let engine = engine(Mode::Sync).map_err(|e| to_pyerr(py, e))?;
    let recorder = start_recording(py, inner, &op, &mut options);
    let done = block_on(py, &engine, execute(Arc::clone(inner), Arc::clone(&engine), op, options, recorder))?;
    match done {
        Done::Json(value, skipped, meta) => {
            log_skipped(py, &skipped)?;
            Ok(Py::new(py, PyResponseObject::with_meta(value, meta))?.into_any())
        }
        Done::Stream(stream, skipped, meta) => {
            log_skipped(py, &skipped)?;
            Ok(Py::new(py, PyStream::new(*stream, engine, meta))?.into_any())
        }
    }
}

/// A finished async call, converted to Python (and its warnings logged) on the loop thread.
struct AsyncDone(Done);

impl<'py> IntoPyObject<'py> for AsyncDone {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.0 {
            Done::Json(value, skipped, meta) => {
                log_skipped(py, &skipped)?;
                Ok(Bound::new(py, PyResponseObject::with_meta(value, meta))?.into_any())
            }
            Done::Stream(stream, skipped, meta) => {
                log_skipped(py, &skipped)?;
                Ok(Bound::new(py, PyAsyncStream::new(*stream, meta))?.into_any())
            }
        }
    }
}

fn run_async(py: Python<'_>, inner: &Arc<ClientInner>, op: Op, mut options: CallOptions) -> PyResult<Py<PyAny>> {
    let recorder = start_recording(py, inner, &op, &mut options);
    let inner = Arc::clone(inner);
    let awaitable = spawn_awaitable(py, async move {
        let engine = engine(Mode::Async)?;
        execute(inner, engine, op, options, recorder).await.map(AsyncDone)
    })?;
    Ok(awaitable.unbind())
}

/// Per-call options: the request's OIDC header, timeouts and extra headers.
fn call_options(
    py: Python<'_>,
    inner: &ClientInner,
    timeout: Option<&Bound<'_, PyAny>>,
    extra_headers: Option<&Bound<'_, PyDict>>,
) -> PyResult<CallOptions> {
    Ok(CallOptions {
        header_token: current_header_token(py)?,
        timeouts: timeouts_from(timeout, inner.config.timeouts)?,
        max_retries: None,
        extra_headers: header_pairs(extra_headers)?,
    })
}

/// A JSON body: `fields` first, then the keyword parameters (`None` means not given), then
/// `extra_body`, which wins.
fn json_body(
    fields: Vec<(&str, Value)>,
    params: Option<&Bound<'_, PyDict>>,
    extra_body: Option<&Bound<'_, PyDict>>,
) -> PyResult<Map<String, Value>> {
    let mut body = Map::new();
    for (k, v) in fields {
        body.insert(k.to_string(), v);
    }
    if let Some(params) = params {
        for (k, v) in params.iter() {
            if !v.is_none() {
                body.insert(k.extract::<String>()?, py_to_value(&v)?);
            }
        }
    }
    if let Some(extra) = extra_body {
        if let Value::Object(extra) = py_to_value(extra.as_any())? {
            body.extend(extra);
        }
    }
    Ok(body)
}

fn model_id(model: &Bound<'_, PyAny>) -> PyResult<String> {
    model.extract::<String>().map_err(|_| type_error("model must be a string such as \"openai/gpt-5\""))
}

fn chat_op(
    model: &Bound<'_, PyAny>,
    messages: &Bound<'_, PyAny>,
    stream: bool,
    params: Option<&Bound<'_, PyDict>>,
    extra_body: Option<&Bound<'_, PyDict>>,
) -> PyResult<Op> {
    let messages = py_to_value(messages)?;
    if !messages.is_array() {
        return Err(type_error("messages must be a list of message dicts"));
    }
    let model = model_id(model)?;
    let mut body = json_body(vec![("model", Value::String(model.clone())), ("messages", messages)], params, None)?;
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
    Ok(Op {
        method: reqwest::Method::POST,
        path: "/chat/completions".into(),
        body: Some(Value::Object(body)),
        stream,
        cached: false,
        generation: Some(("chat", model)),
    })
}

fn embeddings_op(
    model: &Bound<'_, PyAny>,
    input: &Bound<'_, PyAny>,
    params: Option<&Bound<'_, PyDict>>,
    extra_body: Option<&Bound<'_, PyDict>>,
) -> PyResult<Op> {
    let input = py_to_value(input)?;
    let valid = input.is_string() || input.as_array().is_some_and(|items| !items.is_empty());
    if !valid {
        return Err(type_error("input must be a string or a non-empty list of strings (or token lists)"));
    }
    let model = model_id(model)?;
    let body = json_body(vec![("model", Value::String(model.clone())), ("input", input)], params, extra_body)?;
    Ok(Op {
        method: reqwest::Method::POST,
        path: "/embeddings".into(),
        body: Some(Value::Object(body)),
        stream: false,
        cached: false,
        generation: Some(("embeddings", model)),
    })
}

/// Checks a model id used in a URL path (`creator/model`).
fn model_path(id: &str) -> PyResult<String> {
    let ok = !id.is_empty()
        && id.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
        && id.chars().all(|c| c.is_ascii_alphanumeric() || "-._:/@+".contains(c));
    if ok {
        Ok(id.to_string())
    } else {
        Err(PyValueError::new_err("the model id must look like \"creator/model\" (letters, digits, - . _ : @ +)"))
    }
}

fn generation_path(id: &str) -> PyResult<String> {
    if id.is_empty() {
        return Err(PyValueError::new_err("the generation id is empty; pass the gen_… id of a response"));
    }
    let encoded: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    Ok(format!("/generation?id={encoded}"))
}

/// Constructor arguments shared by both clients, converted once.
#[allow(clippy::too_many_arguments)]
fn build_inner(
    py: Python<'_>,
    api_key: Option<String>,
    base_url: Option<&str>,
    prefer: &str,
    timeout: Option<&Bound<'_, PyAny>>,
    max_retries: u32,
    retry_backoff: Option<(f64, f64)>,
    default_headers: Option<&Bound<'_, PyDict>>,
    site_url: Option<String>,
    app_name: Option<String>,
    models_ttl: f64,
    dev_refresh: Option<bool>,
    expiry_skew: Option<f64>,
    routing: RoutingArgs<'_>,
) -> PyResult<Arc<ClientInner>> {
    let auth = auth_options(py, api_key, prefer, expiry_skew, dev_refresh)?;
    let mut config = ClientConfig::new(base_url, auth, &ProcessEnv).map_err(|e| to_pyerr(py, e))?;
    if let Some(t) = timeouts_from(timeout, config.timeouts)? {
        config.timeouts = t;
    }
    let defaults = RetryPolicy::default();
    let (initial, max) =
        retry_backoff.unwrap_or((defaults.initial_delay.as_secs_f64(), defaults.max_delay.as_secs_f64()));
    let backoff_error =
        || PyValueError::new_err("retry_backoff must be (initial, max) seconds with 0 <= initial <= max");
    let (Ok(initial_delay), Ok(max_delay)) = (Duration::try_from_secs_f64(initial), Duration::try_from_secs_f64(max))
    else {
        return Err(backoff_error());
    };
    if max_delay < initial_delay {
        return Err(backoff_error());
    }
    config.retry = RetryPolicy { max_retries, initial_delay, max_delay, ..defaults };
    config.default_headers = header_pairs(default_headers)?;
    config.site_url = site_url;
    config.app_name = app_name;
    config.gateway = Gateway::parse(routing.gateway).map_err(|e| to_pyerr(py, e))?;
    if let Some(url) = routing.openrouter_base_url {
        config.openrouter_url =
            crate::config::validate_base_url(url, "openrouter_base_url").map_err(|e| to_pyerr(py, e))?;
    }
    config.openrouter_key = routing.openrouter_api_key.map(crate::secret::Secret::new);
    config.router = routing.router.map(|r| Arc::clone(&r.get().inner));
    config.cost_lookup = routing.cost_lookup;
    let models_ttl = Duration::try_from_secs_f64(models_ttl)
        .map_err(|_| PyValueError::new_err("models_ttl must be a non-negative number of seconds"))?;
    Ok(Arc::new(ClientInner { config, models: TtlCache::new(models_ttl) }))
}

/// The constructor arguments about gateways and routing.
struct RoutingArgs<'a> {
    gateway: &'a str,
    router: Option<Bound<'a, PyRouter>>,
    openrouter_api_key: Option<String>,
    openrouter_base_url: Option<&'a str>,
    cost_lookup: bool,
}

/// A copy of `inner` with some settings replaced (`with_options`).
fn derive_inner(
    inner: &ClientInner,
    timeout: Option<&Bound<'_, PyAny>>,
    max_retries: Option<u32>,
    default_headers: Option<&Bound<'_, PyDict>>,
) -> PyResult<Arc<ClientInner>> {
    let mut config = inner.config.clone();
    if let Some(t) = timeouts_from(timeout, config.timeouts)? {
        config.timeouts = t;
    }
    if let Some(n) = max_retries {
        config.retry.max_retries = n;
    }
    if default_headers.is_some() {
        let mut headers = config.default_headers.clone();
        headers.extend(header_pairs(default_headers)?);
        config.default_headers = headers;
    }
    Ok(Arc::new(ClientInner { config, models: TtlCache::new(DEFAULT_MODELS_TTL) }))
}

macro_rules! client_twin {
    (
        $run:ident,
        $Client:ident = $client_name:literal,
        $Chat:ident = $chat_name:literal,
        $Completions:ident = $completions_name:literal,
        $Embeddings:ident = $embeddings_name:literal,
        $Models:ident = $models_name:literal,
        $Generations:ident = $generations_name:literal
    ) => {
        #[doc = concat!("The `", $client_name, "`: HTTP runs in Rust with the interpreter released.")]
        #[pyclass(name = $client_name, module = "vercel_ai_gateway", frozen)]
        pub struct $Client {
            inner: Arc<ClientInner>,
            #[pyo3(get)]
            chat: Py<$Chat>,
            #[pyo3(get)]
            embeddings: Py<$Embeddings>,
            #[pyo3(get)]
            models: Py<$Models>,
            #[pyo3(get)]
            generations: Py<$Generations>,
        }

        impl $Client {
            fn from_inner(py: Python<'_>, inner: Arc<ClientInner>) -> PyResult<Self> {
                let completions = Py::new(py, $Completions { inner: Arc::clone(&inner) })?;
                Ok($Client {
                    chat: Py::new(py, $Chat { completions })?,
                    embeddings: Py::new(py, $Embeddings { inner: Arc::clone(&inner) })?,
                    models: Py::new(py, $Models { inner: Arc::clone(&inner) })?,
                    generations: Py::new(py, $Generations { inner: Arc::clone(&inner) })?,
                    inner,
                })
            }
        }

        #[pymethods]
        impl $Client {
            #[new]
            #[pyo3(signature = (*, api_key=None, base_url=None, prefer="oidc", timeout=None, max_retries=2, retry_backoff=None, default_headers=None, site_url=None, app_name=None, models_ttl=300.0, dev_refresh=None, expiry_skew=None, gateway="vercel", router=None, openrouter_api_key=None, openrouter_base_url=None, cost_lookup=false))]
            #[allow(clippy::too_many_arguments)]
            fn new(
                py: Python<'_>,
                api_key: Option<String>,
                base_url: Option<&str>,
                prefer: &str,
                timeout: Option<&Bound<'_, PyAny>>,
                max_retries: u32,
                retry_backoff: Option<(f64, f64)>,
                default_headers: Option<&Bound<'_, PyDict>>,
                site_url: Option<String>,
                app_name: Option<String>,
                models_ttl: f64,
                dev_refresh: Option<bool>,
                expiry_skew: Option<f64>,
                gateway: &str,
                router: Option<Bound<'_, PyRouter>>,
                openrouter_api_key: Option<String>,
                openrouter_base_url: Option<&str>,
                cost_lookup: bool,
            ) -> PyResult<Self> {
                let routing = RoutingArgs { gateway, router, openrouter_api_key, openrouter_base_url, cost_lookup };
                let inner = build_inner(
                    py, api_key, base_url, prefer, timeout, max_retries, retry_backoff, default_headers, site_url,
                    app_name, models_ttl, dev_refresh, expiry_skew, routing,
                )?;
                Self::from_inner(py, inner)
            }

            /// A client with the same settings except those given.
            #[pyo3(signature = (*, timeout=None, max_retries=None, default_headers=None))]
            fn with_options(
                &self,
                py: Python<'_>,
                timeout: Option<&Bound<'_, PyAny>>,
                max_retries: Option<u32>,
                default_headers: Option<&Bound<'_, PyDict>>,
            ) -> PyResult<Self> {
                Self::from_inner(py, derive_inner(&self.inner, timeout, max_retries, default_headers)?)
            }

            /// The team's credit balance: `{"balance": "…", "total_used": "…"}` (USD strings).
            #[pyo3(signature = (*, timeout=None, extra_headers=None))]
            fn credits(
                &self,
                py: Python<'_>,
                timeout: Option<&Bound<'_, PyAny>>,
                extra_headers: Option<&Bound<'_, PyDict>>,
            ) -> PyResult<Py<PyAny>> {
                let options = call_options(py, &self.inner, timeout, extra_headers)?;
                $run(py, &self.inner, Op::get("/credits".into()), options)
            }

            /// Sends a request built by another HTTP client (the httpx transports of
            /// `vercel_ai_gateway.openai`) through this client; see `crate::python::raw`.
            #[pyo3(signature = (method, path, headers, body=None, *, stream=false, timeout=None))]
            #[allow(clippy::too_many_arguments)]
            fn _send_raw(
                &self,
                py: Python<'_>,
                method: &str,
                path: String,
                headers: &Bound<'_, PyAny>,
                body: Option<&Bound<'_, PyAny>>,
                stream: bool,
                timeout: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<Py<PyAny>> {
                crate::python::raw::$run(py, &self.inner, method, path, headers, body, stream, timeout)
            }

            /// The base URL of the gateway unrouted calls go to.
            #[getter]
            fn base_url(&self) -> String {
                self.inner.config.base_url_for(self.inner.config.gateway).to_string()
            }

            /// The gateway unrouted calls go to: `"vercel"` or `"openrouter"`.
            #[getter]
            fn gateway(&self) -> &'static str {
                self.inner.config.gateway.as_str()
            }

            /// The default timeouts.
            #[getter]
            fn timeout(&self) -> PyTimeout {
                PyTimeout { inner: self.inner.config.timeouts }
            }

            /// Retries after a failed attempt.
            #[getter]
            fn max_retries(&self) -> u32 {
                self.inner.config.retry.max_retries
            }

            fn __repr__(&self) -> String {
                format!(concat!($client_name, "(base_url='{}')"), self.inner.config.base_url_for(self.inner.config.gateway))
            }
        }

        #[doc = "`client.chat`."]
        #[pyclass(name = $chat_name, module = "vercel_ai_gateway", frozen)]
        pub struct $Chat {
            #[pyo3(get)]
            completions: Py<$Completions>,
        }

        #[doc = "`client.chat.completions`."]
        #[pyclass(name = $completions_name, module = "vercel_ai_gateway", frozen)]
        pub struct $Completions {
            inner: Arc<ClientInner>,
        }

        #[pymethods]
        impl $Completions {
            /// Creates a chat completion, or a stream of chunks with `stream=True`.
            #[pyo3(signature = (*, model, messages, stream=false, timeout=None, extra_headers=None, extra_body=None, **params))]
            #[allow(clippy::too_many_arguments)]
            fn create(
                &self,
                py: Python<'_>,
                model: &Bound<'_, PyAny>,
                messages: &Bound<'_, PyAny>,
                stream: bool,
                timeout: Option<&Bound<'_, PyAny>>,
                extra_headers: Option<&Bound<'_, PyDict>>,
                extra_body: Option<&Bound<'_, PyDict>>,
                params: Option<&Bound<'_, PyDict>>,
            ) -> PyResult<Py<PyAny>> {
                let op = chat_op(model, messages, stream, params, extra_body)?;
                let options = call_options(py, &self.inner, timeout, extra_headers)?;
                $run(py, &self.inner, op, options)
            }
        }

        #[doc = "`client.embeddings`."]
        #[pyclass(name = $embeddings_name, module = "vercel_ai_gateway", frozen)]
        pub struct $Embeddings {
            inner: Arc<ClientInner>,
        }

        #[pymethods]
        impl $Embeddings {
            /// Creates embeddings for `input` (a string or a list of strings).
            #[pyo3(signature = (*, model, input, timeout=None, extra_headers=None, extra_body=None, **params))]
            #[allow(clippy::too_many_arguments)]
            fn create(
                &self,
                py: Python<'_>,
                model: &Bound<'_, PyAny>,
                input: &Bound<'_, PyAny>,
                timeout: Option<&Bound<'_, PyAny>>,
                extra_headers: Option<&Bound<'_, PyDict>>,
                extra_body: Option<&Bound<'_, PyDict>>,
                params: Option<&Bound<'_, PyDict>>,
            ) -> PyResult<Py<PyAny>> {
                let op = embeddings_op(model, input, params, extra_body)?;
                let options = call_options(py, &self.inner, timeout, extra_headers)?;
                $run(py, &self.inner, op, options)
            }
        }

        #[doc = "`client.models`: the catalog (cached for `models_ttl` seconds), one model, its endpoints."]
        #[pyclass(name = $models_name, module = "vercel_ai_gateway", frozen)]
        pub struct $Models {
            inner: Arc<ClientInner>,
        }

        #[pymethods]
        impl $Models {
            /// The catalog; served from the client's cache while it is fresh unless `refresh`.
            #[pyo3(signature = (*, refresh=false, timeout=None, extra_headers=None))]
            fn list(
                &self,
                py: Python<'_>,
                refresh: bool,
                timeout: Option<&Bound<'_, PyAny>>,
                extra_headers: Option<&Bound<'_, PyDict>>,
            ) -> PyResult<Py<PyAny>> {
                if refresh {
                    self.inner.models.clear();
                }
                let options = call_options(py, &self.inner, timeout, extra_headers)?;
                let op = Op { cached: true, ..Op::get("/models".into()) };
                $run(py, &self.inner, op, options)
            }

            /// One model of the catalog, e.g. `"anthropic/claude-sonnet-4.5"`.
            #[pyo3(signature = (model, *, timeout=None, extra_headers=None))]
            fn retrieve(
                &self,
                py: Python<'_>,
                model: &str,
                timeout: Option<&Bound<'_, PyAny>>,
                extra_headers: Option<&Bound<'_, PyDict>>,
            ) -> PyResult<Py<PyAny>> {
                let path = format!("/models/{}", model_path(model)?);
                let options = call_options(py, &self.inner, timeout, extra_headers)?;
                $run(py, &self.inner, Op::get(path), options)
            }

            /// The providers serving a model, with prices, uptime and latency.
            #[pyo3(signature = (model, *, timeout=None, extra_headers=None))]
            fn endpoints(
                &self,
                py: Python<'_>,
                model: &str,
                timeout: Option<&Bound<'_, PyAny>>,
                extra_headers: Option<&Bound<'_, PyDict>>,
            ) -> PyResult<Py<PyAny>> {
                let path = format!("/models/{}/endpoints", model_path(model)?);
                let options = call_options(py, &self.inner, timeout, extra_headers)?;
                $run(py, &self.inner, Op::get(path), options)
            }
        }

        #[doc = "`client.generations`: cost and usage of a past generation."]
        #[pyclass(name = $generations_name, module = "vercel_ai_gateway", frozen)]
        pub struct $Generations {
            inner: Arc<ClientInner>,
        }

        #[pymethods]
        impl $Generations {
            /// Cost and usage of generation `id` (`gen_…`).
            #[pyo3(signature = (id, *, timeout=None, extra_headers=None))]
            fn retrieve(
                &self,
                py: Python<'_>,
                id: &str,
                timeout: Option<&Bound<'_, PyAny>>,
                extra_headers: Option<&Bound<'_, PyDict>>,
            ) -> PyResult<Py<PyAny>> {
                let path = generation_path(id)?;
                let options = call_options(py, &self.inner, timeout, extra_headers)?;
                $run(py, &self.inner, Op::get(path), options)
            }
        }
    };
}

client_twin!(
    run_sync,
    PyClient = "Client",
    PyChat = "Chat",
    PyChatCompletions = "ChatCompletions",
    PyEmbeddings = "Embeddings",
    PyModels = "Models",
    PyGenerations = "Generations"
);

client_twin!(
    run_async,
    PyAsyncClient = "AsyncClient",
    PyAsyncChat = "AsyncChat",
    PyAsyncChatCompletions = "AsyncChatCompletions",
    PyAsyncEmbeddings = "AsyncEmbeddings",
    PyAsyncModels = "AsyncModels",
    PyAsyncGenerations = "AsyncGenerations"
);
