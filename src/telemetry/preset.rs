//! Backend presets: from explicit options and an environment snapshot to the exact export
//! settings (URLs, headers, protocol, timeout, compression, sampling, resource).
//!
//! Design: [`resolve`] is a pure function of [`TelemetryOptions`] and an [`Env`], so every
//! precedence rule is tested with a map. The order, for each setting, is: explicit option >
//! `OTEL_EXPORTER_OTLP_{TRACES,METRICS}_*` > `OTEL_EXPORTER_OTLP_*` > the backend's own variables
//! (`HONEYCOMB_API_KEY`, `DD_SITE`, …) > the preset's default (spec/telemetry-and-crates.md §1.3).
//! URL rules follow the OTLP spec (§1.2): a signal-specific URL is used as is, a base URL gets
//! `/v1/traces` or `/v1/metrics` appended. Headers merge preset < environment < explicit, the
//! signal-specific header variable replacing the generic one. The result is final: the exporter
//! is handed the URL, and the headers are set by our HTTP client on every request, so nothing
//! the OTLP crate reads from the environment later can override them.
//!
//! Errors are [`Error::Config`] naming the option or variable at fault; messages never contain
//! a value, since values of these variables are keys. Header values are [`Secret`]s.

use std::time::Duration;

use base64::Engine as _;

use crate::config::Env;
use crate::error::{Error, Result};
use crate::secret::Secret;

use super::resource;

/// The variable naming the backend for [`resolve`] when no `backend` option is given.
pub const BACKEND_VARIABLE: &str = "VERCEL_AI_GATEWAY_TELEMETRY";
/// The only wire protocol exported: OTLP over HTTP with protobuf bodies.
pub const PROTOCOL: &str = "http/protobuf";
/// Export timeout when neither an option nor `OTEL_EXPORTER_OTLP_*TIMEOUT` sets one.
pub const DEFAULT_EXPORT_TIMEOUT: Duration = Duration::from_secs(10);
/// The OTLP/HTTP default collector, used by the `otlp` preset and self-hosted SigNoz.
pub const DEFAULT_OTLP_ENDPOINT: &str = "http://localhost:4318";

/// The telemetry backends with a preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// Honeycomb (US or EU), `x-honeycomb-team`.
    Honeycomb,
    /// Datadog's agentless OTLP intake (serverless, agentless, managed-platform or LLM Observability).
    Datadog,
    /// Grafana Cloud's OTLP gateway, Basic auth with the instance id and an access-policy token.
    Grafana,
    /// Axiom (US or EU edge), bearer token and dataset.
    Axiom,
    /// New Relic (US, EU or FedRAMP), `api-key`.
    NewRelic,
    /// Langfuse (EU, US, JP, HIPAA or self-hosted), Basic auth with the public and secret keys.
    Langfuse,
    /// Dash0, bearer token and optional dataset.
    Dash0,
    /// SigNoz Cloud (`signoz-ingestion-key`) or self-hosted.
    Signoz,
    /// Any OTLP/HTTP endpoint, configured by the standard `OTEL_EXPORTER_OTLP_*` variables.
    Otlp,
    /// The collector Vercel runs beside a function when `VERCEL_OTEL_ENDPOINTS` is set.
    Vercel,
    /// Spans printed to standard output, one line each.
    Console,
    /// Nothing exported.
    Off,
}

/// Every backend, in documentation order.
pub const BACKENDS: [Backend; 12] = [
    Backend::Honeycomb,
    Backend::Datadog,
    Backend::Grafana,
    Backend::Axiom,
    Backend::NewRelic,
    Backend::Langfuse,
    Backend::Dash0,
    Backend::Signoz,
    Backend::Otlp,
    Backend::Vercel,
    Backend::Console,
    Backend::Off,
];

impl Backend {
    /// The name used in options and variables, e.g. `"newrelic"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Honeycomb => "honeycomb",
            Backend::Datadog => "datadog",
            Backend::Grafana => "grafana",
            Backend::Axiom => "axiom",
            Backend::NewRelic => "newrelic",
            Backend::Langfuse => "langfuse",
            Backend::Dash0 => "dash0",
            Backend::Signoz => "signoz",
            Backend::Otlp => "otlp",
            Backend::Vercel => "vercel",
            Backend::Console => "console",
            Backend::Off => "off",
        }
    }

    /// Parses a backend name (case-insensitive; `new_relic`, `grafana_cloud`, `none` accepted).
    /// `origin` names the option or variable it came from, for the error.
    pub fn parse(name: &str, origin: &str) -> Result<Backend> {
        let key = name.trim().to_ascii_lowercase().replace(['-', '_', ' '], "");
        let backend = match key.as_str() {
            "honeycomb" => Backend::Honeycomb,
            "datadog" | "dd" => Backend::Datadog,
            "grafana" | "grafanacloud" => Backend::Grafana,
            "axiom" => Backend::Axiom,
            "newrelic" => Backend::NewRelic,
            "langfuse" => Backend::Langfuse,
            "dash0" => Backend::Dash0,
            "signoz" => Backend::Signoz,
            "otlp" => Backend::Otlp,
            "vercel" => Backend::Vercel,
            "console" | "stdout" => Backend::Console,
            "off" | "none" | "disabled" | "false" => Backend::Off,
            _ => {
                let names: Vec<&str> = BACKENDS.iter().map(|b| b.as_str()).collect();
                return Err(Error::config(
                    origin,
                    format!("{origin} names no known telemetry backend. Use one of: {}.", names.join(", ")),
                ));
            }
        };
        Ok(backend)
    }
}

/// Aggregation temporality of exported metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Temporality {
    /// Running totals (Prometheus-style backends).
    Cumulative,
    /// Per-interval values (Datadog, New Relic).
    Delta,
}

/// How root spans are sampled. Spans with a parent (the Python span) follow its decision when
/// `parent_based`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sampling {
    /// Fraction of root traces kept, 0.0 to 1.0.
    pub ratio: f64,
    /// Follow the parent span's sampling decision when there is a parent.
    pub parent_based: bool,
}

impl Default for Sampling {
    fn default() -> Self {
        Sampling { ratio: 1.0, parent_based: true }
    }
}

/// Where one signal (traces or metrics) is sent.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalTarget {
    /// The full URL, e.g. `https://api.honeycomb.io/v1/traces`.
    pub url: String,
    /// Headers sent with every export, in order; values are secrets.
    pub headers: Vec<(String, Secret)>,
}

impl SignalTarget {
    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&Secret> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
    }
}

/// Explicit settings, as given to `VercelTelemetry(...)`. `None` means "not given".
#[derive(Debug, Clone, Default)]
pub struct TelemetryOptions {
    /// Backend name; `None` reads [`BACKEND_VARIABLE`], then detects one from the environment.
    pub backend: Option<String>,
    /// `service.name`.
    pub service_name: Option<String>,
    /// The backend's key (Honeycomb ingest key, Datadog API key, Grafana token, Langfuse secret key, …).
    pub api_key: Option<Secret>,
    /// Region, site or zone: `us`/`eu` (Honeycomb, Axiom, New Relic, Langfuse, SigNoz), a Datadog
    /// site or its short name, a Grafana zone, a Dash0 region.
    pub region: Option<String>,
    /// Dataset for traces (Honeycomb Classic, Axiom, Dash0).
    pub dataset: Option<String>,
    /// Dataset for metrics (Honeycomb, Axiom); metrics to those backends need one.
    pub metrics_dataset: Option<String>,
    /// Base URL replacing the preset's host; `/v1/traces` and `/v1/metrics` are appended.
    pub endpoint: Option<String>,
    /// Full traces URL, used as is.
    pub traces_endpoint: Option<String>,
    /// Full metrics URL, used as is.
    pub metrics_endpoint: Option<String>,
    /// Headers added to (and winning over) the preset's and the environment's.
    pub headers: Vec<(String, Secret)>,
    /// Fraction of root traces kept (parent-based).
    pub sample_ratio: Option<f64>,
    /// Record prompts and completions on spans (off by default: they may hold personal data).
    pub capture_content: Option<bool>,
    /// Resource attributes winning over the detected ones.
    pub resource_attributes: Vec<(String, String)>,
    /// Grafana Cloud instance id (the Basic-auth user).
    pub instance_id: Option<String>,
    /// Langfuse public key (the Basic-auth user).
    pub public_key: Option<String>,
    /// Datadog: send to LLM Observability (`dd-otlp-source: llmobs`).
    pub llm_observability: Option<bool>,
    /// Datadog intake: `serverless` (default), `agentless` or `managed` (the Vercel integration host).
    pub datadog_intake: Option<String>,
    /// Export metrics; `None` exports them when the backend takes them.
    pub metrics: Option<bool>,
    /// Export timeout.
    pub timeout: Option<Duration>,
    /// `gzip` or `none`.
    pub compression: Option<String>,
}

/// The settings an exporter is built from. `Debug` shows no secret.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedTelemetry {
    /// The backend chosen.
    pub backend: Backend,
    /// Where spans go; `None` when spans are not exported (`off`, `console`, no Vercel collector).
    pub traces: Option<SignalTarget>,
    /// Where metrics go; `None` when metrics are not exported.
    pub metrics: Option<SignalTarget>,
    /// Always [`PROTOCOL`].
    pub protocol: &'static str,
    /// Bound on one export request.
    pub timeout: Duration,
    /// Compress bodies with gzip.
    pub gzip: bool,
    /// Metric temporality the backend wants.
    pub temporality: Temporality,
    /// Sampler settings.
    pub sampling: Sampling,
    /// Record prompts and completions on spans.
    pub capture_content: bool,
    /// `service.name`.
    pub service_name: String,
    /// Resource attributes, `service.name` included.
    pub resource: Vec<(String, String)>,
    /// Whether a key (or other credential) is sent, for reprs that show `api_key='***'`.
    pub has_credentials: bool,
    /// Why something is off (no collector, metrics not supported, …), for `explain`-style output.
    pub notes: Vec<String>,
}

impl ResolvedTelemetry {
    /// Whether spans are produced at all (exported or printed).
    pub fn enabled(&self) -> bool {
        self.traces.is_some() || self.metrics.is_some() || self.backend == Backend::Console
    }
}

/// What a preset contributes before overrides.
struct Preset {
    /// Base URL (paths appended) — `None` when the preset has no default host and none was given.
    base: Option<String>,
    /// Preset-specific traces URL used as is (e.g. `HONEYCOMB_TRACES_ENDPOINT`), beats `base`.
    traces_url: Option<String>,
    trace_headers: Vec<(String, Secret)>,
    /// `None`: the backend takes no metrics (or lacks what it needs), with the reason.
    metric_headers: std::result::Result<Vec<(String, Secret)>, String>,
    temporality: Temporality,
    gzip: bool,
    has_credentials: bool,
}

impl Preset {
    fn new(base: Option<String>) -> Self {
        Preset {
            base,
            traces_url: None,
            trace_headers: Vec::new(),
            metric_headers: Ok(Vec::new()),
            temporality: Temporality::Cumulative,
            gzip: false,
            has_credentials: false,
        }
    }
}

/// An explicit option or, failing that, the first set variable; with the name it came from.
fn pick(
    explicit: Option<&str>,
    option: &'static str,
    env: &dyn Env,
    vars: &[&'static str],
) -> Option<(String, String)> {
    if let Some(v) = explicit.map(str::trim).filter(|v| !v.is_empty()) {
        return Some((v.to_string(), option.to_string()));
    }
    vars.iter().find_map(|name| env.var(name).map(|v| (v.trim().to_string(), (*name).to_string())))
}

fn missing(variable: &str, option: &str, what: &str, backend: Backend) -> Error {
    Error::config(
        variable,
        format!("The {} telemetry backend needs {what}: pass {option}= or set {variable}.", backend.as_str()),
    )
}

fn secret_header(name: &str, value: impl Into<String>) -> (String, Secret) {
    (name.to_string(), Secret::new(value))
}

fn basic(user: &str, password: &str) -> Secret {
    Secret::new(format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))))
}

/// Parses `true`/`false` style values of `variable`.
fn parse_bool(value: &str, variable: &str) -> Result<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(Error::config(variable, format!("{variable} must be true or false."))),
    }
}

/// Lower-cased region from an option or variables, checked against `allowed`.
fn region<'a>(
    opts: &TelemetryOptions,
    env: &dyn Env,
    vars: &[&'static str],
    allowed: &[(&'static str, &'a str)],
    backend: Backend,
) -> Result<Option<&'a str>> {
    let Some((value, origin)) = pick(opts.region.as_deref(), "region", env, vars) else {
        return Ok(None);
    };
    let key = value.to_ascii_lowercase();
    allowed.iter().find(|(name, _)| *name == key).map(|(_, v)| Some(*v)).ok_or_else(|| {
        let names: Vec<&str> = allowed.iter().map(|(n, _)| *n).collect();
        Error::config(
            &origin,
            format!("{origin} is not a {} region; use one of: {}.", backend.as_str(), names.join(", ")),
        )
    })
}

/// A DNS-label-like token (zone, region, site) that is safe to put in a host name.
fn host_token(value: &str, origin: &str, what: &str) -> Result<String> {
    let v = value.trim().to_ascii_lowercase();
    let ok = !v.is_empty()
        && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && !v.starts_with(['-', '.'])
        && !v.ends_with(['-', '.']);
    if ok {
        Ok(v)
    } else {
        Err(Error::config(origin, format!("{origin} is not a valid {what} (letters, digits, - and . only).")))
    }
}

fn honeycomb(opts: &TelemetryOptions, env: &dyn Env) -> Result<Preset> {
    let b = Backend::Honeycomb;
    let (key, _) = pick(
        opts.api_key.as_ref().map(Secret::expose),
        "api_key",
        env,
        &["HONEYCOMB_TRACES_APIKEY", "HONEYCOMB_API_KEY"],
    )
    .ok_or_else(|| missing("HONEYCOMB_API_KEY", "api_key", "an ingest API key", b))?;
    let host = match region(
        opts,
        env,
        &["HONEYCOMB_REGION"],
        &[("us", "api.honeycomb.io"), ("eu", "api.eu1.honeycomb.io"), ("eu1", "api.eu1.honeycomb.io")],
        b,
    )? {
        Some(h) => format!("https://{h}"),
        None => env.var("HONEYCOMB_API_ENDPOINT").unwrap_or_else(|| "https://api.honeycomb.io".to_string()),
    };
    let mut p = Preset::new(Some(host));
    if opts.region.is_none() {
        p.traces_url = env.var("HONEYCOMB_TRACES_ENDPOINT");
    }
    p.has_credentials = true;
    p.trace_headers.push(secret_header("x-honeycomb-team", key.clone()));
    if let Some((dataset, _)) = pick(opts.dataset.as_deref(), "dataset", env, &["HONEYCOMB_DATASET"]) {
        p.trace_headers.push(secret_header("x-honeycomb-dataset", dataset));
    }
    p.metric_headers = match pick(opts.metrics_dataset.as_deref(), "metrics_dataset", env, &["HONEYCOMB_METRICS_DATASET"]) {
        Some((dataset, _)) => {
            let metrics_key = env.var("HONEYCOMB_METRICS_APIKEY").filter(|_| opts.api_key.is_none()).unwrap_or(key);
            Ok(vec![secret_header("x-honeycomb-team", metrics_key), secret_header("x-honeycomb-dataset", dataset)])
        }
        None => Err("Honeycomb stores metrics in a dataset: pass metrics_dataset= or set HONEYCOMB_METRICS_DATASET to export them.".to_string()),
    };
    Ok(p)
}

/// Datadog sites by short name (as in Datadog's docs' site selector).
const DATADOG_SITES: [(&str, &str); 8] = [
    ("us1", "datadoghq.com"),
    ("us", "datadoghq.com"),
    ("us3", "us3.datadoghq.com"),
    ("us5", "us5.datadoghq.com"),
    ("eu", "datadoghq.eu"),
    ("eu1", "datadoghq.eu"),
    ("ap1", "ap1.datadoghq.com"),
    ("ap2", "ap2.datadoghq.com"),
];

fn datadog(opts: &TelemetryOptions, env: &dyn Env) -> Result<Preset> {
    let b = Backend::Datadog;
    let (key, _) = pick(opts.api_key.as_ref().map(Secret::expose), "api_key", env, &["DD_API_KEY"])
        .ok_or_else(|| missing("DD_API_KEY", "api_key", "an API key", b))?;
    let site = match pick(opts.region.as_deref(), "region", env, &["DD_SITE"]) {
        None => "datadoghq.com".to_string(),
        Some((value, origin)) => {
            let v = value.to_ascii_lowercase();
            match DATADOG_SITES.iter().find(|(short, _)| *short == v) {
                Some((_, site)) => (*site).to_string(),
                None if v == "gov" || v == "us1-fed" => "ddog-gov.com".to_string(),
                None if v.contains('.') => host_token(&v, &origin, "Datadog site")?,
                None => {
                    return Err(Error::config(
                        &origin,
                        format!("{origin} is not a Datadog site; use a site such as datadoghq.eu or a short name (us1, us3, us5, eu, ap1, ap2, gov)."),
                    ))
                }
            }
        }
    };
    let (intake, intake_origin) = pick(opts.datadog_intake.as_deref(), "datadog_intake", env, &["DD_OTLP_INTAKE"])
        .unwrap_or(("serverless".into(), "datadog_intake".into()));
    let intake = intake.to_ascii_lowercase();
    if !["serverless", "agentless", "managed"].contains(&intake.as_str()) {
        return Err(Error::config(
            &intake_origin,
            format!("{intake_origin} must be serverless, agentless or managed."),
        ));
    }
    let llmobs = match opts.llm_observability {
        Some(v) => Some((v, "llm_observability".to_string())),
        None => env
            .var("DD_LLMOBS_ENABLED")
            .map(|v| parse_bool(&v, "DD_LLMOBS_ENABLED").map(|b| (b, "DD_LLMOBS_ENABLED".to_string())))
            .transpose()?,
    };
    let llmobs_on = llmobs.as_ref().is_some_and(|(on, _)| *on);
    if llmobs_on && intake == "managed" {
        let origin = llmobs.map(|(_, o)| o).unwrap_or_default();
        return Err(Error::config(
            &origin,
            format!("{origin} asks for LLM Observability, which needs the dd-otlp-source header that the managed-platform intake (datadog_intake=\"managed\") does not accept; use the serverless or agentless intake."),
        ));
    }
    let host = if intake == "managed" {
        format!("https://vercel.integrations.otlp.{site}")
    } else {
        format!("https://otlp.{site}")
    };
    let mut p = Preset::new(Some(host));
    p.has_credentials = true;
    p.temporality = Temporality::Delta;
    p.trace_headers.push(secret_header("dd-api-key", key.clone()));
    if llmobs_on {
        p.trace_headers.push(secret_header("dd-otlp-source", "llmobs"));
    } else if intake == "serverless" {
        p.trace_headers.push(secret_header("dd-otlp-source", "serverless"));
        p.trace_headers.push(secret_header("compute_stats", "true"));
    }
    p.metric_headers = Ok(vec![secret_header("dd-api-key", key)]);
    Ok(p)
}

fn grafana(opts: &TelemetryOptions, env: &dyn Env, has_endpoint: bool) -> Result<Preset> {
    let b = Backend::Grafana;
    let (instance, origin) = pick(opts.instance_id.as_deref(), "instance_id", env, &["GRAFANA_CLOUD_INSTANCE_ID"])
        .ok_or_else(|| missing("GRAFANA_CLOUD_INSTANCE_ID", "instance_id", "the stack's numeric instance id", b))?;
    if !instance.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::config(
            &origin,
            format!("{origin} must be the numeric Grafana Cloud instance id (the OTLP user name)."),
        ));
    }
    let (token, _) = pick(opts.api_key.as_ref().map(Secret::expose), "api_key", env, &["GRAFANA_CLOUD_API_KEY"])
        .ok_or_else(|| {
            missing("GRAFANA_CLOUD_API_KEY", "api_key", "a Cloud Access Policy token with traces:write", b)
        })?;
    let base = match pick(opts.region.as_deref(), "region", env, &[]) {
        Some((zone, origin)) => Some(format!("https://otlp-gateway-{}.grafana.net/otlp", host_token(&zone, &origin, "Grafana Cloud zone")?)),
        None => match env.var("GRAFANA_CLOUD_OTLP_ENDPOINT") {
            Some(url) => Some(url),
            None => match env.var("GRAFANA_CLOUD_ZONE") {
                Some(zone) => Some(format!("https://otlp-gateway-{}.grafana.net/otlp", host_token(&zone, "GRAFANA_CLOUD_ZONE", "Grafana Cloud zone")?)),
                None if has_endpoint => None,
                None => {
                    return Err(Error::config(
                        "GRAFANA_CLOUD_ZONE",
                        "The grafana telemetry backend needs the stack's zone (e.g. prod-eu-west-2, from its OpenTelemetry tile): pass region= or set GRAFANA_CLOUD_ZONE, or give the full URL in GRAFANA_CLOUD_OTLP_ENDPOINT.",
                    ))
                }
            },
        },
    };
    let mut p = Preset::new(base);
    p.has_credentials = true;
    let auth = basic(&instance, &token);
    p.trace_headers.push(("authorization".into(), auth.clone()));
    p.metric_headers = Ok(vec![("authorization".into(), auth)]);
    Ok(p)
}

fn axiom(opts: &TelemetryOptions, env: &dyn Env) -> Result<Preset> {
    let b = Backend::Axiom;
    let (token, _) = pick(opts.api_key.as_ref().map(Secret::expose), "api_key", env, &["AXIOM_TOKEN"])
        .ok_or_else(|| missing("AXIOM_TOKEN", "api_key", "an API token", b))?;
    let (dataset, _) = pick(opts.dataset.as_deref(), "dataset", env, &["AXIOM_DATASET"])
        .ok_or_else(|| missing("AXIOM_DATASET", "dataset", "a dataset for traces", b))?;
    let base = match region(
        opts,
        env,
        &["AXIOM_REGION"],
        &[("us", "us-east-1.aws.edge.axiom.co"), ("eu", "eu-central-1.aws.edge.axiom.co")],
        b,
    )? {
        Some(h) => format!("https://{h}"),
        None => env.var("AXIOM_URL").unwrap_or_else(|| "https://us-east-1.aws.edge.axiom.co".to_string()),
    };
    let mut p = Preset::new(Some(base));
    p.has_credentials = true;
    let bearer = Secret::new(format!("Bearer {token}"));
    p.trace_headers.push(("authorization".into(), bearer.clone()));
    p.trace_headers.push(secret_header("x-axiom-dataset", dataset));
    let org = env.var("AXIOM_ORG_ID");
    if let Some(org) = &org {
        p.trace_headers.push(secret_header("x-axiom-org-id", org.clone()));
    }
    p.metric_headers = match pick(opts.metrics_dataset.as_deref(), "metrics_dataset", env, &["AXIOM_METRICS_DATASET"]) {
        Some((dataset, _)) => {
            let mut h = vec![("authorization".to_string(), bearer), secret_header("x-axiom-metrics-dataset", dataset)];
            if let Some(org) = org {
                h.push(secret_header("x-axiom-org-id", org));
            }
            Ok(h)
        }
        None => Err("Axiom stores metrics in their own dataset: pass metrics_dataset= or set AXIOM_METRICS_DATASET to export them.".to_string()),
    };
    Ok(p)
}

fn newrelic(opts: &TelemetryOptions, env: &dyn Env) -> Result<Preset> {
    let b = Backend::NewRelic;
    let (key, _) = pick(opts.api_key.as_ref().map(Secret::expose), "api_key", env, &["NEW_RELIC_LICENSE_KEY"])
        .ok_or_else(|| missing("NEW_RELIC_LICENSE_KEY", "api_key", "a license (ingest) key", b))?;
    let host = region(
        opts,
        env,
        &["NEW_RELIC_REGION"],
        &[
            ("us", "otlp.nr-data.net"),
            ("eu", "otlp.eu01.nr-data.net"),
            ("eu01", "otlp.eu01.nr-data.net"),
            ("fedramp", "gov-otlp.nr-data.net"),
            ("gov", "gov-otlp.nr-data.net"),
        ],
        b,
    )?
    .unwrap_or("otlp.nr-data.net");
    let mut p = Preset::new(Some(format!("https://{host}")));
    p.has_credentials = true;
    p.temporality = Temporality::Delta;
    p.gzip = true;
    p.trace_headers.push(secret_header("api-key", key.clone()));
    p.metric_headers = Ok(vec![secret_header("api-key", key)]);
    Ok(p)
}

fn langfuse(opts: &TelemetryOptions, env: &dyn Env) -> Result<Preset> {
    let b = Backend::Langfuse;
    let (public, _) = pick(opts.public_key.as_deref(), "public_key", env, &["LANGFUSE_PUBLIC_KEY"])
        .ok_or_else(|| missing("LANGFUSE_PUBLIC_KEY", "public_key", "the project's public key (pk-lf-…)", b))?;
    let (secret, _) = pick(opts.api_key.as_ref().map(Secret::expose), "api_key", env, &["LANGFUSE_SECRET_KEY"])
        .ok_or_else(|| missing("LANGFUSE_SECRET_KEY", "api_key", "the project's secret key (sk-lf-…)", b))?;
    let host = match region(
        opts,
        env,
        &["LANGFUSE_REGION"],
        &[
            ("eu", "https://cloud.langfuse.com"),
            ("us", "https://us.cloud.langfuse.com"),
            ("jp", "https://jp.cloud.langfuse.com"),
            ("hipaa", "https://hipaa.cloud.langfuse.com"),
        ],
        b,
    )? {
        Some(h) => h.to_string(),
        None => env
            .var("LANGFUSE_BASE_URL")
            .or_else(|| env.var("LANGFUSE_HOST"))
            .unwrap_or_else(|| "https://cloud.langfuse.com".to_string()),
    };
    let mut p = Preset::new(Some(format!("{}/api/public/otel", host.trim_end_matches('/'))));
    p.has_credentials = true;
    p.trace_headers.push(("authorization".into(), basic(&public, &secret)));
    p.trace_headers.push(secret_header("x-langfuse-ingestion-version", "4"));
    p.metric_headers = Err("Langfuse ingests traces only.".to_string());
    Ok(p)
}

fn dash0(opts: &TelemetryOptions, env: &dyn Env, has_endpoint: bool) -> Result<Preset> {
    let b = Backend::Dash0;
    let (token, _) = pick(opts.api_key.as_ref().map(Secret::expose), "api_key", env, &["DASH0_AUTH_TOKEN"])
        .ok_or_else(|| missing("DASH0_AUTH_TOKEN", "api_key", "an auth token (auth_…)", b))?;
    let base = match pick(opts.region.as_deref(), "region", env, &["DASH0_REGION"]) {
        Some((r, origin)) => Some(format!("https://ingress.{}.aws.dash0.com", host_token(&r, &origin, "Dash0 region")?)),
        None if has_endpoint => None,
        None => {
            return Err(Error::config(
                "DASH0_REGION",
                "The dash0 telemetry backend needs the region of its ingress endpoint (e.g. eu-west-1, from Settings → Endpoints): pass region= or set DASH0_REGION.",
            ))
        }
    };
    let mut p = Preset::new(base);
    p.has_credentials = true;
    let mut headers = vec![("authorization".to_string(), Secret::new(format!("Bearer {token}")))];
    if let Some((dataset, _)) = pick(opts.dataset.as_deref(), "dataset", env, &["DASH0_DATASET"]) {
        headers.push(secret_header("dash0-dataset", dataset));
    }
    p.trace_headers.clone_from(&headers);
    p.metric_headers = Ok(headers);
    Ok(p)
}

fn signoz(opts: &TelemetryOptions, env: &dyn Env, has_endpoint: bool) -> Result<Preset> {
    let b = Backend::Signoz;
    let key = pick(opts.api_key.as_ref().map(Secret::expose), "api_key", env, &["SIGNOZ_INGESTION_KEY"]);
    let region = region(opts, env, &["SIGNOZ_REGION"], &[("us", "us"), ("eu", "eu"), ("in", "in")], b)?;
    let base = match (region, &key) {
        (Some(r), Some(_)) => Some(format!("https://ingest.{r}.signoz.cloud:443")),
        (Some(_), None) => return Err(missing("SIGNOZ_INGESTION_KEY", "api_key", "an ingestion key for SigNoz Cloud", b)),
        (None, Some(_)) if !has_endpoint => {
            return Err(Error::config(
                "SIGNOZ_REGION",
                "The signoz telemetry backend has an ingestion key but no region: pass region= (us, eu or in) or set SIGNOZ_REGION, or give a self-hosted endpoint=.",
            ))
        }
        (None, _) if has_endpoint => None,
        (None, _) => Some(DEFAULT_OTLP_ENDPOINT.to_string()),
    };
    let mut p = Preset::new(base);
    if let Some((key, _)) = key {
        p.has_credentials = true;
        p.trace_headers.push(secret_header("signoz-ingestion-key", key.clone()));
        p.metric_headers = Ok(vec![secret_header("signoz-ingestion-key", key)]);
    }
    Ok(p)
}

/// Reads which backend to use: the option, then [`BACKEND_VARIABLE`], then detection from the
/// vendor variables, then the OTLP variables, then the Vercel collector.
fn choose_backend(opts: &TelemetryOptions, env: &dyn Env) -> Result<(Backend, Option<String>)> {
    if let Some(name) = opts.backend.as_deref().filter(|n| !n.trim().is_empty()) {
        return Ok((Backend::parse(name, "backend")?, None));
    }
    if let Some(name) = env.var(BACKEND_VARIABLE) {
        return Ok((Backend::parse(&name, BACKEND_VARIABLE)?, None));
    }
    let vendors: [(&str, Backend); 9] = [
        ("HONEYCOMB_API_KEY", Backend::Honeycomb),
        ("HONEYCOMB_TRACES_APIKEY", Backend::Honeycomb),
        ("DD_API_KEY", Backend::Datadog),
        ("GRAFANA_CLOUD_INSTANCE_ID", Backend::Grafana),
        ("AXIOM_TOKEN", Backend::Axiom),
        ("NEW_RELIC_LICENSE_KEY", Backend::NewRelic),
        ("LANGFUSE_SECRET_KEY", Backend::Langfuse),
        ("DASH0_AUTH_TOKEN", Backend::Dash0),
        ("SIGNOZ_INGESTION_KEY", Backend::Signoz),
    ];
    let mut found: Vec<(&str, Backend)> = Vec::new();
    for (var, backend) in vendors {
        if env.var(var).is_some() && !found.iter().any(|(_, b)| *b == backend) {
            found.push((var, backend));
        }
    }
    if found.len() > 1 {
        let names: Vec<&str> = found.iter().map(|(v, _)| *v).collect();
        return Err(Error::config(
            BACKEND_VARIABLE,
            format!(
                "{} are all set, so the telemetry backend is ambiguous: pass backend= or set {BACKEND_VARIABLE} (e.g. {}).",
                names.join(", "),
                found[0].1.as_str()
            ),
        ));
    }
    if opts.api_key.is_some() && found.is_empty() {
        return Err(Error::config(
            "backend",
            "An api_key was given without a backend: pass backend= (honeycomb, datadog, …) too.",
        ));
    }
    if let Some((var, backend)) = found.first() {
        return Ok((*backend, Some(format!("backend {} detected from {var}", backend.as_str()))));
    }
    let otlp_env =
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].iter().find(|v| env.var(v).is_some());
    if opts.endpoint.is_some() || opts.traces_endpoint.is_some() {
        return Ok((Backend::Otlp, Some("backend otlp chosen because an endpoint was given".to_string())));
    }
    if let Some(var) = otlp_env {
        return Ok((Backend::Otlp, Some(format!("backend otlp detected from {var}"))));
    }
    if env.var("VERCEL_OTEL_ENDPOINTS").is_some() {
        return Ok((Backend::Vercel, Some("backend vercel detected from VERCEL_OTEL_ENDPOINTS".to_string())));
    }
    Ok((Backend::Off, Some(format!("no telemetry backend is configured (pass backend= or set {BACKEND_VARIABLE})"))))
}

/// Options that make no sense for `backend` are errors rather than silently ignored.
fn reject_unused(opts: &TelemetryOptions, backend: Backend) -> Result<()> {
    use Backend::*;
    let checks: [(&str, bool, &[Backend]); 8] = [
        ("api_key", opts.api_key.is_some(), &[Honeycomb, Datadog, Grafana, Axiom, NewRelic, Langfuse, Dash0, Signoz]),
        ("region", opts.region.is_some(), &[Honeycomb, Datadog, Grafana, Axiom, NewRelic, Langfuse, Dash0, Signoz]),
        ("dataset", opts.dataset.is_some(), &[Honeycomb, Axiom, Dash0]),
        ("metrics_dataset", opts.metrics_dataset.is_some(), &[Honeycomb, Axiom]),
        ("instance_id", opts.instance_id.is_some(), &[Grafana]),
        ("public_key", opts.public_key.is_some(), &[Langfuse]),
        ("llm_observability", opts.llm_observability.is_some(), &[Datadog]),
        ("datadog_intake", opts.datadog_intake.is_some(), &[Datadog]),
    ];
    for (option, given, allowed) in checks {
        if given && !allowed.contains(&backend) {
            let names: Vec<&str> = allowed.iter().map(|b| b.as_str()).collect();
            return Err(Error::config(
                option,
                format!("{option} is not used by the {} telemetry backend (only by {}); remove it or choose another backend.", backend.as_str(), names.join(", ")),
            ));
        }
    }
    let endpoint_given = opts.endpoint.is_some() || opts.traces_endpoint.is_some() || opts.metrics_endpoint.is_some();
    if endpoint_given && matches!(backend, Console | Off) {
        return Err(Error::config(
            "endpoint",
            format!(
                "The {} telemetry backend sends nothing over the network, so endpoint= cannot be used with it.",
                backend.as_str()
            ),
        ));
    }
    Ok(())
}

/// Checks an exporter URL. `origin` names where it came from.
fn check_url(value: &str, origin: &str) -> Result<String> {
    let trimmed = value.trim();
    let problem = match url::Url::parse(trimmed) {
        Err(_) => Some("is not a valid URL"),
        Ok(u) if u.scheme() != "http" && u.scheme() != "https" => Some("must use http or https"),
        Ok(u) if u.host_str().is_none_or(str::is_empty) => Some("has no host"),
        Ok(u) if !u.username().is_empty() || u.password().is_some() => {
            Some("contains credentials; pass them as headers or api_key instead")
        }
        Ok(_) => None,
    };
    match problem {
        Some(p) => Err(Error::config(
            origin,
            format!("{origin} {p}. Give an absolute URL such as https://collector.example.com:4318."),
        )),
        None => Ok(trimmed.to_string()),
    }
}

/// A signal URL from a base URL: `/v1/{signal}` appended to its path.
fn append_path(base: &str, signal: &str, origin: &str) -> Result<String> {
    let base = check_url(base, origin)?;
    Ok(format!("{}/v1/{signal}", base.trim_end_matches('/')))
}

/// A signal URL used as is, except that an empty path becomes `/`.
fn verbatim(url: &str, origin: &str) -> Result<String> {
    let checked = check_url(url, origin)?;
    url::Url::parse(&checked)
        .map(|u| u.to_string())
        .map_err(|_| Error::config(origin, format!("{origin} is not a valid URL.")))
}

/// Parses `key1=value1,key2=value2` (W3C-baggage style, values percent-decoded, raw spaces
/// accepted). Errors name `variable` and never echo the value.
pub fn parse_headers(text: &str, variable: &str) -> Result<Vec<(String, Secret)>> {
    let mut out = Vec::new();
    for item in text.split(',') {
        if item.trim().is_empty() {
            continue;
        }
        let Some((key, value)) = item.split_once('=') else {
            return Err(Error::config(
                variable,
                format!("{variable} must be a list of key=value pairs separated by commas."),
            ));
        };
        let key = key.trim().to_ascii_lowercase();
        let value = percent_encoding::percent_decode_str(value.trim()).decode_utf8_lossy().into_owned();
        out.push((key, Secret::new(value)));
    }
    Ok(out)
}

/// Parses `key1=value1,key2=value2` attributes (`OTEL_RESOURCE_ATTRIBUTES`).
pub fn parse_pairs(text: &str, variable: &str) -> Result<Vec<(String, String)>> {
    Ok(parse_headers(text, variable)?.into_iter().map(|(k, v)| (k, v.expose().to_string())).collect())
}

fn merge(into: &mut Vec<(String, Secret)>, more: Vec<(String, Secret)>) {
    for (k, v) in more {
        let k = k.to_ascii_lowercase();
        match into.iter_mut().find(|(name, _)| *name == k) {
            Some(slot) => slot.1 = v,
            None => into.push((k, v)),
        }
    }
}

fn check_headers(headers: &[(String, Secret)], origin: &str) -> Result<()> {
    for (k, v) in headers {
        if http::HeaderName::from_bytes(k.as_bytes()).is_err() {
            return Err(Error::config(origin, format!("{origin} holds `{k}`, which is not a valid HTTP header name.")));
        }
        if http::HeaderValue::from_str(v.expose()).is_err() {
            return Err(Error::config(origin, format!("{origin}: the value of header `{k}` is not valid in HTTP.")));
        }
    }
    Ok(())
}

/// Which `OTEL_EXPORTER_OTLP_*` names a signal reads.
struct SignalVars {
    name: &'static str,
    endpoint: &'static str,
    headers: &'static str,
    protocol: &'static str,
    timeout: &'static str,
    compression: &'static str,
}

const TRACES: SignalVars = SignalVars {
    name: "traces",
    endpoint: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    headers: "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
    protocol: "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
    timeout: "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
    compression: "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION",
};

const METRICS: SignalVars = SignalVars {
    name: "metrics",
    endpoint: "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
    headers: "OTEL_EXPORTER_OTLP_METRICS_HEADERS",
    protocol: "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
    timeout: "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT",
    compression: "OTEL_EXPORTER_OTLP_METRICS_COMPRESSION",
};

/// The URL for one signal, by the precedence in the module docs.
fn signal_url(opts: &TelemetryOptions, env: &dyn Env, vars: &SignalVars, preset: &Preset) -> Result<Option<String>> {
    let explicit =
        if vars.name == "traces" { opts.traces_endpoint.as_deref() } else { opts.metrics_endpoint.as_deref() };
    let explicit_name = if vars.name == "traces" { "traces_endpoint" } else { "metrics_endpoint" };
    if let Some(url) = explicit {
        return verbatim(url, explicit_name).map(Some);
    }
    if let Some(base) = &opts.endpoint {
        return append_path(base, vars.name, "endpoint").map(Some);
    }
    if let Some(url) = env.var(vars.endpoint) {
        return verbatim(&url, vars.endpoint).map(Some);
    }
    if let Some(base) = env.var("OTEL_EXPORTER_OTLP_ENDPOINT") {
        return append_path(&base, vars.name, "OTEL_EXPORTER_OTLP_ENDPOINT").map(Some);
    }
    if vars.name == "traces" {
        if let Some(url) = &preset.traces_url {
            return verbatim(url, "HONEYCOMB_TRACES_ENDPOINT").map(Some);
        }
    }
    match &preset.base {
        Some(base) => append_path(base, vars.name, "the backend's endpoint").map(Some),
        None => Ok(None),
    }
}

fn signal_headers(
    opts: &TelemetryOptions,
    env: &dyn Env,
    vars: &SignalVars,
    preset_headers: Vec<(String, Secret)>,
) -> Result<Vec<(String, Secret)>> {
    let mut headers = preset_headers;
    let (from_env, var) = match env.var(vars.headers) {
        Some(text) => (Some(text), vars.headers),
        None => (env.var("OTEL_EXPORTER_OTLP_HEADERS"), "OTEL_EXPORTER_OTLP_HEADERS"),
    };
    if let Some(text) = from_env {
        let parsed = parse_headers(&text, var)?;
        check_headers(&parsed, var)?;
        merge(&mut headers, parsed);
    }
    check_headers(&opts.headers, "headers")?;
    merge(&mut headers, opts.headers.clone());
    Ok(headers)
}

fn check_protocol(env: &dyn Env, vars: &SignalVars) -> Result<()> {
    for var in [vars.protocol, "OTEL_EXPORTER_OTLP_PROTOCOL"] {
        if let Some(p) = env.var(var) {
            if p.trim().eq_ignore_ascii_case(PROTOCOL) {
                return Ok(());
            }
            return Err(Error::config(
                var,
                format!("{var} asks for a protocol this package does not export; it sends OTLP over {PROTOCOL} only (accepted by every supported backend). Set it to {PROTOCOL} or unset it."),
            ));
        }
    }
    Ok(())
}

fn timeout(opts: &TelemetryOptions, env: &dyn Env) -> Result<Duration> {
    if let Some(t) = opts.timeout {
        if t.is_zero() {
            return Err(Error::config("timeout", "timeout must be a positive number of seconds."));
        }
        return Ok(t);
    }
    for var in [TRACES.timeout, "OTEL_EXPORTER_OTLP_TIMEOUT"] {
        if let Some(v) = env.var(var) {
            return match v.trim().parse::<u64>() {
                Ok(ms) if ms > 0 => Ok(Duration::from_millis(ms)),
                _ => Err(Error::config(var, format!("{var} must be a positive whole number of milliseconds."))),
            };
        }
    }
    Ok(DEFAULT_EXPORT_TIMEOUT)
}

fn compression(opts: &TelemetryOptions, env: &dyn Env, preset_gzip: bool) -> Result<bool> {
    let (value, origin) = match &opts.compression {
        Some(v) => (v.clone(), "compression".to_string()),
        None => match [TRACES.compression, "OTEL_EXPORTER_OTLP_COMPRESSION"]
            .iter()
            .find_map(|v| env.var(v).map(|x| (x, (*v).to_string())))
        {
            Some(found) => found,
            None => return Ok(preset_gzip),
        },
    };
    match value.trim().to_ascii_lowercase().as_str() {
        "gzip" => Ok(true),
        "none" | "" => Ok(false),
        _ => Err(Error::config(&origin, format!("{origin} must be gzip or none."))),
    }
}

fn sampling(opts: &TelemetryOptions, env: &dyn Env) -> Result<Sampling> {
    if let Some(r) = opts.sample_ratio {
        if !(0.0..=1.0).contains(&r) {
            return Err(Error::config("sample_ratio", "sample_ratio must be between 0.0 and 1.0."));
        }
        return Ok(Sampling { ratio: r, parent_based: true });
    }
    let Some(name) = env.var("OTEL_TRACES_SAMPLER") else {
        return Ok(Sampling::default());
    };
    let arg = || -> Result<f64> {
        match env.var("OTEL_TRACES_SAMPLER_ARG") {
            None => Ok(1.0),
            Some(v) => match v.trim().parse::<f64>() {
                Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
                _ => Err(Error::config(
                    "OTEL_TRACES_SAMPLER_ARG",
                    "OTEL_TRACES_SAMPLER_ARG must be a ratio between 0.0 and 1.0.",
                )),
            },
        }
    };
    match name.trim().to_ascii_lowercase().as_str() {
        "always_on" => Ok(Sampling { ratio: 1.0, parent_based: false }),
        "always_off" => Ok(Sampling { ratio: 0.0, parent_based: false }),
        "traceidratio" => Ok(Sampling { ratio: arg()?, parent_based: false }),
        "parentbased_always_on" => Ok(Sampling { ratio: 1.0, parent_based: true }),
        "parentbased_always_off" => Ok(Sampling { ratio: 0.0, parent_based: true }),
        "parentbased_traceidratio" => Ok(Sampling { ratio: arg()?, parent_based: true }),
        _ => Err(Error::config(
            "OTEL_TRACES_SAMPLER",
            "OTEL_TRACES_SAMPLER must be one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio.",
        )),
    }
}

fn disabled(env: &dyn Env) -> Result<bool> {
    match env.var("OTEL_SDK_DISABLED") {
        Some(v) => parse_bool(&v, "OTEL_SDK_DISABLED"),
        None => Ok(false),
    }
}

/// Resolves explicit options and the environment into export settings.
pub fn resolve(opts: &TelemetryOptions, env: &dyn Env) -> Result<ResolvedTelemetry> {
    let (mut backend, mut note) = choose_backend(opts, env)?;
    reject_unused(opts, backend)?;
    if disabled(env)? {
        note = Some("OTEL_SDK_DISABLED is true".to_string());
        backend = Backend::Off;
    }
    let has_endpoint = opts.endpoint.is_some()
        || opts.traces_endpoint.is_some()
        || env.var("OTEL_EXPORTER_OTLP_ENDPOINT").is_some()
        || env.var(TRACES.endpoint).is_some();
    let preset = match backend {
        Backend::Honeycomb => honeycomb(opts, env)?,
        Backend::Datadog => datadog(opts, env)?,
        Backend::Grafana => grafana(opts, env, has_endpoint)?,
        Backend::Axiom => axiom(opts, env)?,
        Backend::NewRelic => newrelic(opts, env)?,
        Backend::Langfuse => langfuse(opts, env)?,
        Backend::Dash0 => dash0(opts, env, has_endpoint)?,
        Backend::Signoz => signoz(opts, env, has_endpoint)?,
        Backend::Otlp => Preset::new(Some(DEFAULT_OTLP_ENDPOINT.to_string())),
        Backend::Vercel => match env.var("VERCEL_OTEL_ENDPOINTS") {
            Some(_) => {
                let port = env.var("VERCEL_OTEL_ENDPOINTS_PORT").unwrap_or_else(|| "4318".to_string());
                if port.trim().parse::<u16>().is_err() {
                    return Err(Error::config(
                        "VERCEL_OTEL_ENDPOINTS_PORT",
                        "VERCEL_OTEL_ENDPOINTS_PORT must be a port number.",
                    ));
                }
                let mut p = Preset::new(Some(format!("http://localhost:{}", port.trim())));
                p.metric_headers = Err("Vercel's collector is sent traces only, as @vercel/otel does.".to_string());
                p
            }
            None => {
                note = Some(
                    "VERCEL_OTEL_ENDPOINTS is not set, so no Vercel collector runs here; nothing is exported"
                        .to_string(),
                );
                let mut p = Preset::new(None);
                p.metric_headers = Err(String::new());
                p
            }
        },
        Backend::Console | Backend::Off => {
            let mut p = Preset::new(None);
            p.metric_headers = Err(String::new());
            p
        }
    };
    let service_name = resource::service_name(opts.service_name.as_deref(), env)?;
    let resource = resource::attributes(&service_name, &opts.resource_attributes, env)?;
    let capture_content = opts.capture_content.unwrap_or(false);
    let sampling = sampling(opts, env)?;
    let mut notes: Vec<String> = note.into_iter().collect();
    let network = !matches!(backend, Backend::Console | Backend::Off)
        && (preset.base.is_some() || preset.traces_url.is_some() || has_endpoint);
    let (traces, metrics) = if network {
        check_protocol(env, &TRACES)?;
        let traces = match signal_url(opts, env, &TRACES, &preset)? {
            Some(url) => {
                Some(SignalTarget { url, headers: signal_headers(opts, env, &TRACES, preset.trace_headers.clone())? })
            }
            None => None,
        };
        let metrics = match (&preset.metric_headers, opts.metrics) {
            (_, Some(false)) => None,
            (Err(reason), Some(true)) => {
                return Err(Error::config("metrics", format!("metrics=True cannot be honoured: {reason}")));
            }
            (Err(reason), None) => {
                if !reason.is_empty() {
                    notes.push(format!("metrics are not exported: {reason}"));
                }
                None
            }
            (Ok(headers), _) => {
                check_protocol(env, &METRICS)?;
                match signal_url(opts, env, &METRICS, &preset)? {
                    Some(url) => {
                        Some(SignalTarget { url, headers: signal_headers(opts, env, &METRICS, headers.clone())? })
                    }
                    None => None,
                }
            }
        };
        (traces, metrics)
    } else {
        if opts.metrics == Some(true) && backend != Backend::Off {
            return Err(Error::config(
                "metrics",
                format!("metrics=True cannot be honoured: the {} backend exports no metrics.", backend.as_str()),
            ));
        }
        (None, None)
    };
    let temporality = match env.var("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE") {
        None => preset.temporality,
        Some(v) => match v.trim().to_ascii_lowercase().as_str() {
            "cumulative" => Temporality::Cumulative,
            "delta" => Temporality::Delta,
            _ => {
                return Err(Error::config(
                    "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE",
                    "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE must be cumulative or delta.",
                ))
            }
        },
    };
    let has_credentials = preset.has_credentials || !opts.headers.is_empty();
    Ok(ResolvedTelemetry {
        backend,
        traces,
        metrics,
        protocol: PROTOCOL,
        timeout: timeout(opts, env)?,
        gzip: compression(opts, env, preset.gzip)?,
        temporality,
        sampling,
        capture_content,
        service_name,
        resource,
        has_credentials,
        notes,
    })
}
