//! Telemetry: preset resolution (pure, exhaustive), and real exports of GenAI spans and metrics
//! to an OTLP receiver on 127.0.0.1 for every backend preset. Needs the `otel` feature (default).

#![cfg(feature = "otel")]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use vercel_ai_gateway::telemetry::preset::{parse_headers, Sampling, Temporality, DEFAULT_EXPORT_TIMEOUT};
use vercel_ai_gateway::telemetry::sink::{OtlpSink, ReceivedSpan};
use vercel_ai_gateway::telemetry::{
    self, resolve, Backend, CallInfo, CallRecorder, RequestBody, ResolvedTelemetry, Telemetry, TelemetryOptions,
};
use vercel_ai_gateway::{Error, Secret, StatusError};

const KEY: &str = "canary-key-0123456789";

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect()
}

fn opts(backend: &str) -> TelemetryOptions {
    TelemetryOptions { backend: Some(backend.to_string()), ..TelemetryOptions::default() }
}

fn keyed(backend: &str) -> TelemetryOptions {
    TelemetryOptions { api_key: Some(Secret::new(KEY)), ..opts(backend) }
}

fn header(cfg: &ResolvedTelemetry, name: &str) -> Option<String> {
    cfg.traces.as_ref()?.header(name).map(|s| s.expose().to_string())
}

fn metric_header(cfg: &ResolvedTelemetry, name: &str) -> Option<String> {
    cfg.metrics.as_ref()?.header(name).map(|s| s.expose().to_string())
}

fn traces_url(cfg: &ResolvedTelemetry) -> &str {
    &cfg.traces.as_ref().expect("traces exported").url
}

fn metrics_url(cfg: &ResolvedTelemetry) -> Option<&str> {
    cfg.metrics.as_ref().map(|m| m.url.as_str())
}

/// The variable (or option) a configuration error names.
fn config_variable(result: Result<ResolvedTelemetry, Error>) -> String {
    match result {
        Err(Error::Config { variable, message }) => {
            assert!(!message.contains(KEY), "a key leaked into: {message}");
            variable.unwrap_or_default()
        }
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine as _;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

// ---------------------------------------------------------------- preset resolution (pure)

#[test]
fn honeycomb_regions_keys_and_datasets() {
    let cfg = resolve(&keyed("honeycomb"), &env(&[])).unwrap();
    assert_eq!(cfg.backend, Backend::Honeycomb);
    assert_eq!(traces_url(&cfg), "https://api.honeycomb.io/v1/traces");
    assert_eq!(header(&cfg, "x-honeycomb-team").as_deref(), Some(KEY));
    assert_eq!(header(&cfg, "x-honeycomb-dataset"), None);
    assert!(cfg.metrics.is_none(), "metrics need a dataset");
    assert!(cfg.notes.iter().any(|n| n.contains("HONEYCOMB_METRICS_DATASET")));

    let eu = TelemetryOptions { region: Some("EU".into()), dataset: Some("classic".into()), ..keyed("honeycomb") };
    let cfg = resolve(&eu, &env(&[])).unwrap();
    assert_eq!(traces_url(&cfg), "https://api.eu1.honeycomb.io/v1/traces");
    assert_eq!(header(&cfg, "x-honeycomb-dataset").as_deref(), Some("classic"));

    let from_env = env(&[
        ("HONEYCOMB_API_KEY", "generic"),
        ("HONEYCOMB_TRACES_APIKEY", "traces-only"),
        ("HONEYCOMB_DATASET", "ds"),
        ("HONEYCOMB_METRICS_DATASET", "metrics-ds"),
        ("HONEYCOMB_API_ENDPOINT", "https://hny.internal:443"),
    ]);
    let cfg = resolve(&opts("honeycomb"), &from_env).unwrap();
    assert_eq!(header(&cfg, "x-honeycomb-team").as_deref(), Some("traces-only"));
    assert_eq!(traces_url(&cfg), "https://hny.internal:443/v1/traces");
    assert_eq!(metrics_url(&cfg), Some("https://hny.internal:443/v1/metrics"));
    assert_eq!(metric_header(&cfg, "x-honeycomb-dataset").as_deref(), Some("metrics-ds"));
    assert_eq!(metric_header(&cfg, "x-honeycomb-team").as_deref(), Some("traces-only"));

    let verbatim =
        env(&[("HONEYCOMB_API_KEY", "k"), ("HONEYCOMB_TRACES_ENDPOINT", "https://hny.internal/custom/traces")]);
    assert_eq!(traces_url(&resolve(&opts("honeycomb"), &verbatim).unwrap()), "https://hny.internal/custom/traces");

    assert_eq!(config_variable(resolve(&opts("honeycomb"), &env(&[]))), "HONEYCOMB_API_KEY");
    let bad = TelemetryOptions { region: Some("mars".into()), ..keyed("honeycomb") };
    assert_eq!(config_variable(resolve(&bad, &env(&[]))), "region");
}

#[test]
fn datadog_sites_intakes_and_llm_observability() {
    let cfg = resolve(&keyed("datadog"), &env(&[])).unwrap();
    assert_eq!(traces_url(&cfg), "https://otlp.datadoghq.com/v1/traces");
    assert_eq!(header(&cfg, "dd-api-key").as_deref(), Some(KEY));
    assert_eq!(header(&cfg, "dd-otlp-source").as_deref(), Some("serverless"));
    assert_eq!(header(&cfg, "compute_stats").as_deref(), Some("true"));
    assert_eq!(metrics_url(&cfg), Some("https://otlp.datadoghq.com/v1/metrics"));
    assert_eq!(metric_header(&cfg, "dd-otlp-source"), None);
    assert_eq!(cfg.temporality, Temporality::Delta);

    for (site, host) in [
        ("us1", "otlp.datadoghq.com"),
        ("us3", "otlp.us3.datadoghq.com"),
        ("us5", "otlp.us5.datadoghq.com"),
        ("eu", "otlp.datadoghq.eu"),
        ("ap1", "otlp.ap1.datadoghq.com"),
        ("ap2", "otlp.ap2.datadoghq.com"),
        ("gov", "otlp.ddog-gov.com"),
        ("datadoghq.eu", "otlp.datadoghq.eu"),
    ] {
        let cfg = resolve(&TelemetryOptions { region: Some(site.into()), ..keyed("datadog") }, &env(&[])).unwrap();
        assert_eq!(traces_url(&cfg), format!("https://{host}/v1/traces"), "{site}");
    }
    let cfg = resolve(&opts("datadog"), &env(&[("DD_API_KEY", "k"), ("DD_SITE", "us5.datadoghq.com")])).unwrap();
    assert_eq!(traces_url(&cfg), "https://otlp.us5.datadoghq.com/v1/traces");

    let managed = TelemetryOptions { datadog_intake: Some("managed".into()), ..keyed("datadog") };
    let cfg = resolve(&managed, &env(&[])).unwrap();
    assert_eq!(traces_url(&cfg), "https://vercel.integrations.otlp.datadoghq.com/v1/traces");
    assert_eq!(header(&cfg, "dd-otlp-source"), None);

    let agentless = TelemetryOptions { datadog_intake: Some("agentless".into()), ..keyed("datadog") };
    let cfg = resolve(&agentless, &env(&[])).unwrap();
    assert_eq!(header(&cfg, "dd-otlp-source"), None);
    assert_eq!(header(&cfg, "compute_stats"), None);

    let llmobs = TelemetryOptions { llm_observability: Some(true), ..keyed("datadog") };
    let cfg = resolve(&llmobs, &env(&[])).unwrap();
    assert_eq!(header(&cfg, "dd-otlp-source").as_deref(), Some("llmobs"));
    let cfg = resolve(&keyed("datadog"), &env(&[("DD_LLMOBS_ENABLED", "1")])).unwrap();
    assert_eq!(header(&cfg, "dd-otlp-source").as_deref(), Some("llmobs"));

    let contradictory = TelemetryOptions { llm_observability: Some(true), ..managed.clone() };
    assert_eq!(config_variable(resolve(&contradictory, &env(&[]))), "llm_observability");
    assert_eq!(config_variable(resolve(&managed, &env(&[("DD_LLMOBS_ENABLED", "true")]))), "DD_LLMOBS_ENABLED");
    assert_eq!(
        config_variable(resolve(&keyed("datadog"), &env(&[("DD_LLMOBS_ENABLED", "maybe")]))),
        "DD_LLMOBS_ENABLED"
    );
    assert_eq!(config_variable(resolve(&opts("datadog"), &env(&[]))), "DD_API_KEY");
    assert_eq!(config_variable(resolve(&keyed("datadog"), &env(&[("DD_SITE", "nowhere")]))), "DD_SITE");
    let bad_intake = TelemetryOptions { datadog_intake: Some("agent".into()), ..keyed("datadog") };
    assert_eq!(config_variable(resolve(&bad_intake, &env(&[]))), "datadog_intake");
}

#[test]
fn grafana_zone_instance_and_basic_auth() {
    let o = TelemetryOptions {
        instance_id: Some("123456".into()),
        region: Some("prod-eu-west-2".into()),
        ..keyed("grafana")
    };
    let cfg = resolve(&o, &env(&[])).unwrap();
    assert_eq!(traces_url(&cfg), "https://otlp-gateway-prod-eu-west-2.grafana.net/otlp/v1/traces");
    assert_eq!(metrics_url(&cfg), Some("https://otlp-gateway-prod-eu-west-2.grafana.net/otlp/v1/metrics"));
    assert_eq!(header(&cfg, "authorization"), Some(basic("123456", KEY)));
    assert_eq!(metric_header(&cfg, "authorization"), Some(basic("123456", KEY)));

    let from_env = env(&[
        ("GRAFANA_CLOUD_INSTANCE_ID", "42"),
        ("GRAFANA_CLOUD_API_KEY", "glc_token"),
        ("GRAFANA_CLOUD_ZONE", "prod-us-east-0"),
    ]);
    let cfg = resolve(&opts("grafana"), &from_env).unwrap();
    assert_eq!(traces_url(&cfg), "https://otlp-gateway-prod-us-east-0.grafana.net/otlp/v1/traces");
    assert_eq!(header(&cfg, "authorization"), Some(basic("42", "glc_token")));

    let mut with_url = from_env.clone();
    with_url
        .insert("GRAFANA_CLOUD_OTLP_ENDPOINT".into(), "https://otlp-gateway-prod-us-central-0.grafana.net/otlp".into());
    let cfg = resolve(&opts("grafana"), &with_url).unwrap();
    assert_eq!(traces_url(&cfg), "https://otlp-gateway-prod-us-central-0.grafana.net/otlp/v1/traces");

    let no_zone = env(&[("GRAFANA_CLOUD_INSTANCE_ID", "42"), ("GRAFANA_CLOUD_API_KEY", "t")]);
    assert_eq!(config_variable(resolve(&opts("grafana"), &no_zone)), "GRAFANA_CLOUD_ZONE");
    let no_token = env(&[("GRAFANA_CLOUD_INSTANCE_ID", "42"), ("GRAFANA_CLOUD_ZONE", "prod-us-east-0")]);
    assert_eq!(config_variable(resolve(&opts("grafana"), &no_token)), "GRAFANA_CLOUD_API_KEY");
    assert_eq!(config_variable(resolve(&keyed("grafana"), &env(&[]))), "GRAFANA_CLOUD_INSTANCE_ID");
    let not_numeric = TelemetryOptions { instance_id: Some("stack-name".into()), ..keyed("grafana") };
    assert_eq!(config_variable(resolve(&not_numeric, &env(&[]))), "instance_id");
    let bad_zone =
        TelemetryOptions { instance_id: Some("1".into()), region: Some("prod/../x".into()), ..keyed("grafana") };
    assert_eq!(config_variable(resolve(&bad_zone, &env(&[]))), "region");
}

#[test]
fn axiom_regions_datasets_and_org() {
    let o = TelemetryOptions { dataset: Some("traces".into()), ..keyed("axiom") };
    let cfg = resolve(&o, &env(&[])).unwrap();
    assert_eq!(traces_url(&cfg), "https://us-east-1.aws.edge.axiom.co/v1/traces");
    assert_eq!(header(&cfg, "authorization"), Some(format!("Bearer {KEY}")));
    assert_eq!(header(&cfg, "x-axiom-dataset").as_deref(), Some("traces"));
    assert!(cfg.metrics.is_none());

    let eu = TelemetryOptions { region: Some("eu".into()), metrics_dataset: Some("metrics".into()), ..o.clone() };
    let cfg = resolve(&eu, &env(&[("AXIOM_ORG_ID", "org-1")])).unwrap();
    assert_eq!(traces_url(&cfg), "https://eu-central-1.aws.edge.axiom.co/v1/traces");
    assert_eq!(metric_header(&cfg, "x-axiom-metrics-dataset").as_deref(), Some("metrics"));
    assert_eq!(metric_header(&cfg, "x-axiom-dataset"), None);
    assert_eq!(header(&cfg, "x-axiom-org-id").as_deref(), Some("org-1"));

    let legacy = env(&[("AXIOM_TOKEN", "t"), ("AXIOM_DATASET", "d"), ("AXIOM_URL", "https://api.eu.axiom.co")]);
    assert_eq!(traces_url(&resolve(&opts("axiom"), &legacy).unwrap()), "https://api.eu.axiom.co/v1/traces");

    assert_eq!(config_variable(resolve(&keyed("axiom"), &env(&[]))), "AXIOM_DATASET");
    assert_eq!(config_variable(resolve(&opts("axiom"), &env(&[("AXIOM_DATASET", "d")]))), "AXIOM_TOKEN");
}

#[test]
fn newrelic_regions() {
    let cfg = resolve(&keyed("newrelic"), &env(&[])).unwrap();
    assert_eq!(traces_url(&cfg), "https://otlp.nr-data.net/v1/traces");
    assert_eq!(header(&cfg, "api-key").as_deref(), Some(KEY));
    assert_eq!(metrics_url(&cfg), Some("https://otlp.nr-data.net/v1/metrics"));
    assert_eq!(cfg.temporality, Temporality::Delta);
    assert!(cfg.gzip, "New Relic recommends compression");
    for (region, host) in
        [("eu", "otlp.eu01.nr-data.net"), ("fedramp", "gov-otlp.nr-data.net"), ("us", "otlp.nr-data.net")]
    {
        let cfg = resolve(&TelemetryOptions { region: Some(region.into()), ..keyed("new_relic") }, &env(&[])).unwrap();
        assert_eq!(traces_url(&cfg), format!("https://{host}/v1/traces"));
    }
    let cfg = resolve(&opts("newrelic"), &env(&[("NEW_RELIC_LICENSE_KEY", "l"), ("NEW_RELIC_REGION", "EU")])).unwrap();
    assert_eq!(traces_url(&cfg), "https://otlp.eu01.nr-data.net/v1/traces");
    assert_eq!(config_variable(resolve(&opts("newrelic"), &env(&[]))), "NEW_RELIC_LICENSE_KEY");
    assert_eq!(
        config_variable(resolve(
            &opts("newrelic"),
            &env(&[("NEW_RELIC_LICENSE_KEY", "l"), ("NEW_RELIC_REGION", "apac")])
        )),
        "NEW_RELIC_REGION"
    );
}

#[test]
fn langfuse_keys_regions_and_self_hosting() {
    let o = TelemetryOptions { public_key: Some("pk-lf-1".into()), ..keyed("langfuse") };
    let cfg = resolve(&o, &env(&[])).unwrap();
    assert_eq!(traces_url(&cfg), "https://cloud.langfuse.com/api/public/otel/v1/traces");
    assert_eq!(header(&cfg, "authorization"), Some(basic("pk-lf-1", KEY)));
    assert_eq!(header(&cfg, "x-langfuse-ingestion-version").as_deref(), Some("4"));
    assert!(cfg.metrics.is_none(), "Langfuse takes traces only");
    for (region, host) in
        [("us", "us.cloud.langfuse.com"), ("jp", "jp.cloud.langfuse.com"), ("hipaa", "hipaa.cloud.langfuse.com")]
    {
        let cfg = resolve(&TelemetryOptions { region: Some(region.into()), ..o.clone() }, &env(&[])).unwrap();
        assert_eq!(traces_url(&cfg), format!("https://{host}/api/public/otel/v1/traces"));
    }
    let hosted = env(&[
        ("LANGFUSE_PUBLIC_KEY", "pk"),
        ("LANGFUSE_SECRET_KEY", "sk"),
        ("LANGFUSE_HOST", "https://lf.example.com/"),
    ]);
    assert_eq!(
        traces_url(&resolve(&opts("langfuse"), &hosted).unwrap()),
        "https://lf.example.com/api/public/otel/v1/traces"
    );
    let mut base = hosted.clone();
    base.insert("LANGFUSE_BASE_URL".into(), "https://lf2.example.com".into());
    assert_eq!(
        traces_url(&resolve(&opts("langfuse"), &base).unwrap()),
        "https://lf2.example.com/api/public/otel/v1/traces"
    );

    assert_eq!(config_variable(resolve(&keyed("langfuse"), &env(&[]))), "LANGFUSE_PUBLIC_KEY");
    assert_eq!(
        config_variable(resolve(&opts("langfuse"), &env(&[("LANGFUSE_PUBLIC_KEY", "pk")]))),
        "LANGFUSE_SECRET_KEY"
    );
    let metrics_on = TelemetryOptions { metrics: Some(true), ..o };
    assert_eq!(config_variable(resolve(&metrics_on, &env(&[]))), "metrics");
}

#[test]
fn dash0_and_signoz() {
    let o = TelemetryOptions { region: Some("eu-west-1".into()), dataset: Some("prod".into()), ..keyed("dash0") };
    let cfg = resolve(&o, &env(&[])).unwrap();
    assert_eq!(traces_url(&cfg), "https://ingress.eu-west-1.aws.dash0.com/v1/traces");
    assert_eq!(header(&cfg, "authorization"), Some(format!("Bearer {KEY}")));
    assert_eq!(header(&cfg, "dash0-dataset").as_deref(), Some("prod"));
    assert_eq!(metric_header(&cfg, "dash0-dataset").as_deref(), Some("prod"));
    assert_eq!(config_variable(resolve(&keyed("dash0"), &env(&[]))), "DASH0_REGION");
    assert_eq!(config_variable(resolve(&opts("dash0"), &env(&[("DASH0_REGION", "us-west-2")]))), "DASH0_AUTH_TOKEN");

    let cloud = TelemetryOptions { region: Some("in".into()), ..keyed("signoz") };
    let cfg = resolve(&cloud, &env(&[])).unwrap();
    assert_eq!(traces_url(&cfg), "https://ingest.in.signoz.cloud:443/v1/traces");
    assert_eq!(header(&cfg, "signoz-ingestion-key").as_deref(), Some(KEY));
    let cfg = resolve(&opts("signoz"), &env(&[])).unwrap();
    assert_eq!(traces_url(&cfg), "http://localhost:4318/v1/traces", "self-hosted by default");
    assert!(cfg.traces.as_ref().unwrap().headers.is_empty());
    assert_eq!(config_variable(resolve(&opts("signoz"), &env(&[("SIGNOZ_REGION", "eu")]))), "SIGNOZ_INGESTION_KEY");
    assert_eq!(config_variable(resolve(&keyed("signoz"), &env(&[]))), "SIGNOZ_REGION");
    let self_hosted = TelemetryOptions { endpoint: Some("http://signoz.internal:4318".into()), ..keyed("signoz") };
    assert_eq!(traces_url(&resolve(&self_hosted, &env(&[])).unwrap()), "http://signoz.internal:4318/v1/traces");
}

#[test]
fn otlp_endpoint_precedence_and_url_rules() {
    let none = env(&[]);
    let cfg = resolve(&opts("otlp"), &none).unwrap();
    assert_eq!(traces_url(&cfg), "http://localhost:4318/v1/traces");
    assert_eq!(metrics_url(&cfg), Some("http://localhost:4318/v1/metrics"));

    let generic = env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector:4318/base/")]);
    let cfg = resolve(&opts("otlp"), &generic).unwrap();
    assert_eq!(traces_url(&cfg), "https://collector:4318/base/v1/traces", "the generic endpoint is a base");
    assert_eq!(metrics_url(&cfg), Some("https://collector:4318/base/v1/metrics"));

    let mut signal = generic.clone();
    signal.insert("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT".into(), "https://traces.example.com/custom".into());
    signal.insert("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT".into(), "https://metrics.example.com".into());
    let cfg = resolve(&opts("otlp"), &signal).unwrap();
    assert_eq!(traces_url(&cfg), "https://traces.example.com/custom", "signal endpoints are used as is");
    assert_eq!(metrics_url(&cfg), Some("https://metrics.example.com/"), "an empty path becomes /");

    let explicit = TelemetryOptions { endpoint: Some("http://127.0.0.1:9/x".into()), ..opts("otlp") };
    assert_eq!(
        traces_url(&resolve(&explicit, &signal).unwrap()),
        "http://127.0.0.1:9/x/v1/traces",
        "options beat variables"
    );
    let exact = TelemetryOptions { traces_endpoint: Some("http://127.0.0.1:9/exact".into()), ..explicit };
    let cfg = resolve(&exact, &signal).unwrap();
    assert_eq!(traces_url(&cfg), "http://127.0.0.1:9/exact");
    assert_eq!(metrics_url(&cfg), Some("http://127.0.0.1:9/x/v1/metrics"));

    // The OTLP variables override a vendor preset's host, but the preset's headers stay.
    let hny = env(&[("HONEYCOMB_API_KEY", "k"), ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4318")]);
    let cfg = resolve(&opts("honeycomb"), &hny).unwrap();
    assert_eq!(traces_url(&cfg), "http://localhost:4318/v1/traces");
    assert_eq!(header(&cfg, "x-honeycomb-team").as_deref(), Some("k"));

    for (var, value) in [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://collector"),
        ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://user:pw@collector/v1/traces"),
    ] {
        assert_eq!(config_variable(resolve(&opts("otlp"), &env(&[(var, value)]))), var, "{value}");
    }
    let bad = TelemetryOptions { endpoint: Some("nope".into()), ..opts("otlp") };
    assert_eq!(config_variable(resolve(&bad, &none)), "endpoint");
}

#[test]
fn otlp_headers_merge_and_decode() {
    let e = env(&[("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Basic abc==, x-team = a%2Cb ,x-both=generic")]);
    let cfg = resolve(&opts("otlp"), &e).unwrap();
    assert_eq!(
        header(&cfg, "authorization").as_deref(),
        Some("Basic abc=="),
        "raw spaces and = in values are accepted"
    );
    assert_eq!(header(&cfg, "x-team").as_deref(), Some("a,b"), "values are percent-decoded");
    assert_eq!(metric_header(&cfg, "x-both").as_deref(), Some("generic"));

    let mut signal = e.clone();
    signal.insert("OTEL_EXPORTER_OTLP_TRACES_HEADERS".into(), "x-both=traces".into());
    let cfg = resolve(&opts("otlp"), &signal).unwrap();
    assert_eq!(header(&cfg, "x-both").as_deref(), Some("traces"));
    assert_eq!(header(&cfg, "authorization"), None, "the signal variable replaces the generic one");
    assert_eq!(metric_header(&cfg, "authorization").as_deref(), Some("Basic abc=="));

    let explicit = TelemetryOptions { headers: vec![("X-Both".into(), Secret::new("explicit"))], ..opts("otlp") };
    let cfg = resolve(&explicit, &signal).unwrap();
    assert_eq!(header(&cfg, "x-both").as_deref(), Some("explicit"), "options beat the environment");

    // Environment headers override a preset's; explicit headers override both.
    let dd = env(&[("DD_API_KEY", "from-preset"), ("OTEL_EXPORTER_OTLP_HEADERS", "dd-api-key=from-env")]);
    assert_eq!(header(&resolve(&opts("datadog"), &dd).unwrap(), "dd-api-key").as_deref(), Some("from-env"));

    assert_eq!(
        config_variable(resolve(&opts("otlp"), &env(&[("OTEL_EXPORTER_OTLP_HEADERS", "novalue")]))),
        "OTEL_EXPORTER_OTLP_HEADERS"
    );
    assert_eq!(
        config_variable(resolve(&opts("otlp"), &env(&[("OTEL_EXPORTER_OTLP_HEADERS", "bad name=x")]))),
        "OTEL_EXPORTER_OTLP_HEADERS"
    );
    let bad = TelemetryOptions { headers: vec![("x".into(), Secret::new("line\nbreak"))], ..opts("otlp") };
    assert_eq!(config_variable(resolve(&bad, &env(&[]))), "headers");
    let parsed = parse_headers("a=1,,b=%20two%20", "V").unwrap();
    assert_eq!(
        parsed.iter().map(|(k, v)| (k.as_str(), v.expose())).collect::<Vec<_>>(),
        vec![("a", "1"), ("b", " two ")]
    );
}

#[test]
fn protocol_timeout_compression_and_temporality() {
    for var in ["OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] {
        assert_eq!(config_variable(resolve(&opts("otlp"), &env(&[(var, "grpc")]))), var);
        assert!(resolve(&opts("otlp"), &env(&[(var, "http/protobuf")])).is_ok());
    }
    assert_eq!(
        config_variable(resolve(&opts("otlp"), &env(&[("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/json")]))),
        "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL"
    );
    let cfg = resolve(&opts("otlp"), &env(&[])).unwrap();
    assert_eq!(cfg.protocol, "http/protobuf");
    assert_eq!(cfg.timeout, DEFAULT_EXPORT_TIMEOUT);
    assert!(!cfg.gzip);
    assert_eq!(cfg.temporality, Temporality::Cumulative);

    let cfg = resolve(
        &opts("otlp"),
        &env(&[("OTEL_EXPORTER_OTLP_TIMEOUT", "2500"), ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip")]),
    )
    .unwrap();
    assert_eq!(cfg.timeout, Duration::from_millis(2500));
    assert!(cfg.gzip);
    let cfg = resolve(
        &opts("otlp"),
        &env(&[("OTEL_EXPORTER_OTLP_TIMEOUT", "2500"), ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "700")]),
    )
    .unwrap();
    assert_eq!(cfg.timeout, Duration::from_millis(700));
    let explicit = TelemetryOptions {
        timeout: Some(Duration::from_secs(3)),
        compression: Some("none".into()),
        ..keyed("newrelic")
    };
    let cfg = resolve(&explicit, &env(&[("OTEL_EXPORTER_OTLP_TIMEOUT", "2500")])).unwrap();
    assert_eq!(cfg.timeout, Duration::from_secs(3));
    assert!(!cfg.gzip, "compression=none beats the preset's gzip");

    assert_eq!(
        config_variable(resolve(&opts("otlp"), &env(&[("OTEL_EXPORTER_OTLP_TIMEOUT", "10s")]))),
        "OTEL_EXPORTER_OTLP_TIMEOUT"
    );
    assert_eq!(
        config_variable(resolve(&opts("otlp"), &env(&[("OTEL_EXPORTER_OTLP_COMPRESSION", "zstd")]))),
        "OTEL_EXPORTER_OTLP_COMPRESSION"
    );
    let delta = env(&[("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "delta")]);
    assert_eq!(resolve(&opts("otlp"), &delta).unwrap().temporality, Temporality::Delta);
    let cumulative = env(&[("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "Cumulative")]);
    assert_eq!(resolve(&keyed("datadog"), &cumulative).unwrap().temporality, Temporality::Cumulative);
    let metrics_off = TelemetryOptions { metrics: Some(false), ..opts("otlp") };
    assert!(resolve(&metrics_off, &env(&[])).unwrap().metrics.is_none());
}

#[test]
fn sampling_from_options_and_variables() {
    assert_eq!(resolve(&opts("otlp"), &env(&[])).unwrap().sampling, Sampling { ratio: 1.0, parent_based: true });
    let half = TelemetryOptions { sample_ratio: Some(0.5), ..opts("otlp") };
    assert_eq!(
        resolve(&half, &env(&[("OTEL_TRACES_SAMPLER", "always_off")])).unwrap().sampling,
        Sampling { ratio: 0.5, parent_based: true }
    );
    for (name, arg, expected) in [
        ("always_on", None, Sampling { ratio: 1.0, parent_based: false }),
        ("always_off", None, Sampling { ratio: 0.0, parent_based: false }),
        ("traceidratio", Some("0.25"), Sampling { ratio: 0.25, parent_based: false }),
        ("parentbased_always_off", None, Sampling { ratio: 0.0, parent_based: true }),
        ("parentbased_traceidratio", Some("0.1"), Sampling { ratio: 0.1, parent_based: true }),
    ] {
        let mut e = env(&[("OTEL_TRACES_SAMPLER", name)]);
        if let Some(a) = arg {
            e.insert("OTEL_TRACES_SAMPLER_ARG".into(), a.into());
        }
        assert_eq!(resolve(&opts("otlp"), &e).unwrap().sampling, expected, "{name}");
    }
    assert_eq!(
        config_variable(resolve(&opts("otlp"), &env(&[("OTEL_TRACES_SAMPLER", "jaeger_remote")]))),
        "OTEL_TRACES_SAMPLER"
    );
    let bad_arg = env(&[("OTEL_TRACES_SAMPLER", "traceidratio"), ("OTEL_TRACES_SAMPLER_ARG", "2")]);
    assert_eq!(config_variable(resolve(&opts("otlp"), &bad_arg)), "OTEL_TRACES_SAMPLER_ARG");
    let bad = TelemetryOptions { sample_ratio: Some(1.5), ..opts("otlp") };
    assert_eq!(config_variable(resolve(&bad, &env(&[]))), "sample_ratio");
}

#[test]
fn backend_detection_from_the_environment() {
    let none = TelemetryOptions::default();
    let cfg = resolve(&none, &env(&[])).unwrap();
    assert_eq!(cfg.backend, Backend::Off);
    assert!(!cfg.enabled());
    assert!(cfg.notes[0].contains("VERCEL_AI_GATEWAY_TELEMETRY"));

    for (var, backend) in [
        ("HONEYCOMB_API_KEY", Backend::Honeycomb),
        ("DD_API_KEY", Backend::Datadog),
        ("NEW_RELIC_LICENSE_KEY", Backend::NewRelic),
        ("SIGNOZ_INGESTION_KEY", Backend::Signoz),
    ] {
        let mut e = env(&[(var, "k")]);
        if backend == Backend::Signoz {
            e.insert("SIGNOZ_REGION".into(), "us".into());
        }
        assert_eq!(resolve(&none, &e).unwrap().backend, backend, "{var}");
    }
    let two = env(&[("HONEYCOMB_API_KEY", "k"), ("DD_API_KEY", "k")]);
    assert_eq!(config_variable(resolve(&none, &two)), "VERCEL_AI_GATEWAY_TELEMETRY");
    let mut chosen = two.clone();
    chosen.insert("VERCEL_AI_GATEWAY_TELEMETRY".into(), "datadog".into());
    assert_eq!(resolve(&none, &chosen).unwrap().backend, Backend::Datadog);
    assert_eq!(resolve(&opts("honeycomb"), &two).unwrap().backend, Backend::Honeycomb, "the option beats detection");
    assert_eq!(
        config_variable(resolve(&none, &env(&[("VERCEL_AI_GATEWAY_TELEMETRY", "zipkin")]))),
        "VERCEL_AI_GATEWAY_TELEMETRY"
    );
    assert_eq!(config_variable(resolve(&opts("jaeger"), &env(&[]))), "backend");

    let otlp = env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")]);
    assert_eq!(resolve(&none, &otlp).unwrap().backend, Backend::Otlp);
    let vercel = env(&[("VERCEL_OTEL_ENDPOINTS", "1")]);
    assert_eq!(resolve(&none, &vercel).unwrap().backend, Backend::Vercel);
    let key_only = TelemetryOptions { api_key: Some(Secret::new(KEY)), ..TelemetryOptions::default() };
    assert_eq!(config_variable(resolve(&key_only, &env(&[]))), "backend");

    let disabled = env(&[("OTEL_SDK_DISABLED", "true"), ("HONEYCOMB_API_KEY", "k")]);
    let cfg = resolve(&none, &disabled).unwrap();
    assert_eq!(cfg.backend, Backend::Off);
    assert!(cfg.traces.is_none());
}

#[test]
fn vercel_collector_console_and_off() {
    let cfg = resolve(&opts("vercel"), &env(&[("VERCEL_OTEL_ENDPOINTS", "1")])).unwrap();
    assert_eq!(traces_url(&cfg), "http://localhost:4318/v1/traces");
    assert!(cfg.metrics.is_none());
    let cfg = resolve(&opts("vercel"), &env(&[("VERCEL_OTEL_ENDPOINTS", "1"), ("VERCEL_OTEL_ENDPOINTS_PORT", "4999")]))
        .unwrap();
    assert_eq!(traces_url(&cfg), "http://localhost:4999/v1/traces");
    let absent = resolve(&opts("vercel"), &env(&[])).unwrap();
    assert!(!absent.enabled(), "no collector here: nothing exported, and no error");
    assert!(absent.notes.iter().any(|n| n.contains("VERCEL_OTEL_ENDPOINTS")));
    assert_eq!(
        config_variable(resolve(
            &opts("vercel"),
            &env(&[("VERCEL_OTEL_ENDPOINTS", "1"), ("VERCEL_OTEL_ENDPOINTS_PORT", "http")])
        )),
        "VERCEL_OTEL_ENDPOINTS_PORT"
    );

    let console = resolve(&opts("console"), &env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://x:4318")])).unwrap();
    assert_eq!(console.backend, Backend::Console);
    assert!(console.enabled() && console.traces.is_none() && console.metrics.is_none());
    let with_endpoint = TelemetryOptions { endpoint: Some("http://x".into()), ..opts("console") };
    assert_eq!(config_variable(resolve(&with_endpoint, &env(&[]))), "endpoint");
    assert!(!resolve(&opts("off"), &env(&[("HONEYCOMB_API_KEY", "k")])).unwrap().enabled());
}

#[test]
fn options_a_backend_does_not_use_are_errors() {
    let cases: [(&str, TelemetryOptions, &str); 6] = [
        ("dataset", TelemetryOptions { dataset: Some("d".into()), ..keyed("newrelic") }, "dataset"),
        ("api_key", keyed("otlp"), "api_key"),
        ("region", TelemetryOptions { region: Some("us".into()), ..opts("console") }, "region"),
        ("instance_id", TelemetryOptions { instance_id: Some("1".into()), ..keyed("honeycomb") }, "instance_id"),
        ("public_key", TelemetryOptions { public_key: Some("pk".into()), ..keyed("datadog") }, "public_key"),
        (
            "llm_observability",
            TelemetryOptions { llm_observability: Some(true), ..keyed("honeycomb") },
            "llm_observability",
        ),
    ];
    for (label, o, variable) in cases {
        assert_eq!(config_variable(resolve(&o, &env(&[]))), variable, "{label}");
    }
}

#[test]
fn secrets_never_show_in_debug_output_or_errors() {
    let o = TelemetryOptions {
        public_key: Some("pk-lf-public".into()),
        headers: vec![("x-extra".into(), Secret::new("extra-secret-value"))],
        ..keyed("langfuse")
    };
    let cfg = resolve(&o, &env(&[])).unwrap();
    let shown = format!("{cfg:?}");
    assert!(
        !shown.contains(KEY) && !shown.contains("extra-secret-value") && !shown.contains(&basic("pk-lf-public", KEY)),
        "{shown}"
    );
    assert!(cfg.has_credentials);
    let shown = format!("{o:?}");
    assert!(!shown.contains(KEY) && !shown.contains("extra-secret-value"), "{shown}");
    let leaky =
        env(&[("OTEL_EXPORTER_OTLP_HEADERS", KEY), ("OTEL_EXPORTER_OTLP_ENDPOINT", &format!("http://{KEY}:x@h"))]);
    config_variable(resolve(&opts("otlp"), &leaky));
}

#[test]
fn resource_attributes_from_vercel_and_overrides() {
    let vercel = env(&[
        ("VERCEL", "1"),
        ("VERCEL_ENV", "preview"),
        ("VERCEL_REGION", "fra1"),
        ("VERCEL_DEPLOYMENT_ID", "dpl_123"),
        ("VERCEL_GIT_COMMIT_SHA", "abc123"),
        ("VERCEL_GIT_COMMIT_REF", "main"),
        ("VERCEL_GIT_REPO_SLUG", "shop"),
        ("VERCEL_URL", "shop-git-main.vercel.app"),
        ("VERCEL_BRANCH_URL", "shop-main.vercel.app"),
        ("VERCEL_PROJECT_ID", "prj_1"),
    ]);
    let cfg = resolve(&opts("console"), &vercel).unwrap();
    let attrs: HashMap<&str, &str> = cfg.resource.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(cfg.service_name, "shop", "the repository slug names the service on Vercel");
    for (k, v) in [
        ("service.name", "shop"),
        ("cloud.provider", "vercel"),
        ("deployment.environment.name", "preview"),
        ("env", "preview"),
        ("cloud.region", "fra1"),
        ("vercel.region", "fra1"),
        ("deployment.id", "dpl_123"),
        ("vercel.deployment_id", "dpl_123"),
        ("service.version", "dpl_123"),
        ("vcs.ref.head.revision", "abc123"),
        ("vercel.sha", "abc123"),
        ("vcs.ref.head.name", "main"),
        ("vcs.repository.name", "shop"),
        ("vercel.host", "shop-git-main.vercel.app"),
        ("vercel.branch_host", "shop-main.vercel.app"),
        ("vercel.project_id", "prj_1"),
    ] {
        assert_eq!(attrs.get(k).copied(), Some(v), "{k}");
    }

    let local = resolve(&opts("console"), &env(&[])).unwrap();
    assert_eq!(local.service_name, "app");
    assert_eq!(local.resource, vec![("service.name".to_string(), "app".to_string())]);

    let mut layered = vercel.clone();
    layered.insert(
        "OTEL_RESOURCE_ATTRIBUTES".into(),
        "deployment.environment.name=staging,team=ai%20infra,service.name=from-attrs".into(),
    );
    let cfg = resolve(&opts("console"), &layered).unwrap();
    let attrs: HashMap<&str, &str> = cfg.resource.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(attrs["deployment.environment.name"], "staging");
    assert_eq!(attrs["team"], "ai infra");
    assert_eq!(attrs["service.name"], "from-attrs");
    layered.insert("OTEL_SERVICE_NAME".into(), "from-otel".into());
    assert_eq!(resolve(&opts("console"), &layered).unwrap().service_name, "from-otel");
    let explicit = TelemetryOptions {
        service_name: Some("api".into()),
        resource_attributes: vec![("team".into(), "explicit".into())],
        ..opts("console")
    };
    let cfg = resolve(&explicit, &layered).unwrap();
    let attrs: HashMap<&str, &str> = cfg.resource.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!((attrs["service.name"], attrs["team"]), ("api", "explicit"));
    let empty = TelemetryOptions { service_name: Some(" ".into()), ..opts("console") };
    assert_eq!(config_variable(resolve(&empty, &env(&[]))), "service_name");
}

// ---------------------------------------------------------------- exports to a local receiver

/// Points every URL of `cfg` at the sink, keeping the path (and every header).
fn rehost(mut cfg: ResolvedTelemetry, sink: &OtlpSink) -> ResolvedTelemetry {
    for target in [cfg.traces.as_mut(), cfg.metrics.as_mut()].into_iter().flatten() {
        let mut u = url::Url::parse(&target.url).unwrap();
        u.set_scheme("http").unwrap();
        u.set_host(Some("127.0.0.1")).unwrap();
        u.set_port(Some(sink.port())).unwrap();
        target.url = u.to_string();
    }
    cfg
}

fn local(backend: &str, sink: &OtlpSink) -> ResolvedTelemetry {
    rehost(resolve(&opts(backend), &env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", &sink.url())])).unwrap(), sink)
}

fn chat_answer() -> Value {
    json!({
        "id": "gen_01TEST",
        "object": "chat.completion",
        "model": "openai/gpt-5",
        "choices": [{
            "index": 0,
            "finish_reason": "stop",
            "message": {
                "role": "assistant",
                "content": "Olá!",
                "provider_metadata": {"gateway": {"routing": {"finalProvider": "azure"}, "cost": "0.0019"}}
            }
        }],
        "usage": {
            "prompt_tokens": 19,
            "completion_tokens": 124,
            "total_tokens": 143,
            "cost": 0.00190375,
            "prompt_tokens_details": {"cached_tokens": 3},
            "completion_tokens_details": {"reasoning_tokens": 64}
        }
    })
}

const REQUEST: &[u8] =
    br#"{"model":"openai/gpt-5","messages":[{"role":"system","content":"Be brief"},{"role":"user","content":"Say hi in Portuguese"}],"max_completion_tokens":4000,"temperature":0.2}"#;

fn info<'a>(url: &'a str, traceparent: Option<&'a str>) -> CallInfo<'a> {
    CallInfo {
        operation: "chat",
        model: Some("openai/gpt-5"),
        gateway: "vercel",
        url,
        stream: false,
        request: Some(RequestBody::Bytes(REQUEST)),
        traceparent,
    }
}

/// Waits until `pred` holds for the sink's spans (exports are asynchronous even after a flush
/// returned only on failure paths); bounded.
fn spans_when(sink: &OtlpSink, pred: impl Fn(&[ReceivedSpan]) -> bool) -> Vec<ReceivedSpan> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let spans = sink.spans();
        if pred(&spans) || Instant::now() > deadline {
            return spans;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn attr<'a>(span: &'a ReceivedSpan, key: &str) -> &'a Value {
    span.attributes.get(key).unwrap_or(&Value::Null)
}

#[test]
fn a_chat_call_becomes_a_genai_span_and_metrics() {
    let sink = OtlpSink::start().unwrap();
    let t = Arc::new(Telemetry::new(local("otlp", &sink)).unwrap());
    let parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    let mut rec =
        CallRecorder::start(Arc::clone(&t), &info("https://ai-gateway.vercel.sh/v1/chat/completions", Some(parent)));
    rec.set_route("vercel: sticky share for user u_42");
    let outgoing = rec.traceparent().unwrap();
    assert!(outgoing.starts_with("00-0af7651916cd43dd8448eb211c80319c-"), "the outgoing request continues the trace");
    rec.finish_ok(&chat_answer(), 1);
    assert!(t.flush(Duration::from_secs(10)), "flush reports success");

    let spans = sink.spans();
    assert_eq!(spans.len(), 1, "{spans:?}");
    let s = &spans[0];
    assert_eq!(s.name, "chat openai/gpt-5");
    assert_eq!(s.kind, 3, "CLIENT");
    assert_eq!(s.trace_id, "0af7651916cd43dd8448eb211c80319c");
    assert_eq!(s.parent_span_id, "b7ad6b7169203331");
    assert_eq!(outgoing, format!("00-{}-{}-01", s.trace_id, s.span_id));
    assert_eq!(s.scope, "vercel-ai-gateway");
    for (k, v) in [
        ("gen_ai.operation.name", json!("chat")),
        ("gen_ai.provider.name", json!("openai")),
        ("gen_ai.request.model", json!("openai/gpt-5")),
        ("gen_ai.request.max_tokens", json!(4000)),
        ("gen_ai.request.temperature", json!(0.2)),
        ("gen_ai.response.model", json!("openai/gpt-5")),
        ("gen_ai.response.id", json!("gen_01TEST")),
        ("gen_ai.response.finish_reasons", json!(["stop"])),
        ("gen_ai.usage.input_tokens", json!(19)),
        ("gen_ai.usage.output_tokens", json!(124)),
        ("gen_ai.usage.cache_read.input_tokens", json!(3)),
        ("gen_ai.usage.reasoning.output_tokens", json!(64)),
        ("server.address", json!("ai-gateway.vercel.sh")),
        ("server.port", json!(443)),
        ("ai_gateway.name", json!("vercel")),
        ("ai_gateway.route", json!("vercel: sticky share for user u_42")),
        ("ai_gateway.attempts", json!(2)),
        ("ai_gateway.retries", json!(1)),
        ("ai_gateway.cost", json!(0.00190375)),
        ("ai_gateway.upstream_provider", json!("azure")),
    ] {
        assert_eq!(attr(s, k), &v, "{k}");
    }
    assert!(!s.attributes.contains_key("gen_ai.input.messages"), "content is off by default");
    assert!(!s.attributes.contains_key("gen_ai.output.messages"));
    assert!(!s.attributes.contains_key("error.type"));
    assert_eq!(s.resource.get("service.name"), Some(&json!("app")));
    assert!(s.resource.contains_key("telemetry.sdk.language"));

    let metrics = sink.metrics();
    let duration = metrics.iter().find(|m| m.name == "gen_ai.client.operation.duration").expect("duration metric");
    assert_eq!(duration.unit, "s");
    let point = &duration.points[0];
    assert_eq!(point["count"], json!(1));
    assert_eq!(point["gen_ai.operation.name"], json!("chat"));
    assert_eq!(point["gen_ai.provider.name"], json!("openai"));
    assert_eq!(point["gen_ai.response.model"], json!("openai/gpt-5"));
    let tokens = metrics.iter().find(|m| m.name == "gen_ai.client.token.usage").expect("token metric");
    assert_eq!(tokens.unit, "{token}");
    let by_type: HashMap<String, Value> = tokens
        .points
        .iter()
        .map(|p| (p["gen_ai.token.type"].as_str().unwrap().to_string(), p["sum"].clone()))
        .collect();
    assert_eq!(by_type["input"], json!(19.0));
    assert_eq!(by_type["output"], json!(124.0));
}

#[test]
fn content_is_recorded_only_when_opted_in() {
    let sink = OtlpSink::start().unwrap();
    let mut cfg = local("otlp", &sink);
    cfg.capture_content = true;
    let t = Arc::new(Telemetry::new(cfg).unwrap());
    CallRecorder::start(Arc::clone(&t), &info("https://ai-gateway.vercel.sh/v1", None)).finish_ok(&chat_answer(), 0);
    assert!(t.flush(Duration::from_secs(10)));
    let s = &sink.spans()[0];
    let input: Value = serde_json::from_str(attr(s, "gen_ai.input.messages").as_str().unwrap()).unwrap();
    assert_eq!(input[0], json!({"role": "system", "parts": [{"type": "text", "content": "Be brief"}]}));
    assert_eq!(input[1]["parts"][0]["content"], json!("Say hi in Portuguese"));
    let output: Value = serde_json::from_str(attr(s, "gen_ai.output.messages").as_str().unwrap()).unwrap();
    assert_eq!(output[0]["role"], json!("assistant"));
    assert_eq!(output[0]["parts"][0], json!({"type": "text", "content": "Olá!"}));
    assert_eq!(output[0]["finish_reason"], json!("stop"));
    assert_eq!(s.parent_span_id, "", "no traceparent: a root span");
}

#[test]
fn a_request_given_as_json_records_what_the_same_bytes_record() {
    let sink = OtlpSink::start().unwrap();
    let mut cfg = local("otlp", &sink);
    cfg.capture_content = true;
    let t = Arc::new(Telemetry::new(cfg).unwrap());
    let mut body: Value = serde_json::from_slice(REQUEST).unwrap();
    body["top_p"] = json!(0.9);
    body["seed"] = json!(7);
    body["n"] = json!(2);
    let bytes = serde_json::to_vec(&body).unwrap();
    let url = "https://ai-gateway.vercel.sh/v1";
    CallRecorder::start(Arc::clone(&t), &CallInfo { request: Some(RequestBody::Bytes(&bytes)), ..info(url, None) })
        .finish_ok(&chat_answer(), 0);
    CallRecorder::start(Arc::clone(&t), &CallInfo { request: Some(RequestBody::Json(&body)), ..info(url, None) })
        .finish_ok(&chat_answer(), 0);
    assert!(t.flush(Duration::from_secs(10)));
    let spans = sink.spans();
    assert_eq!(spans.len(), 2);
    for key in [
        "gen_ai.request.max_tokens",
        "gen_ai.request.temperature",
        "gen_ai.request.top_p",
        "gen_ai.request.seed",
        "gen_ai.request.choice.count",
        "gen_ai.input.messages",
    ] {
        assert_eq!(attr(&spans[0], key), attr(&spans[1], key), "{key}");
    }
    assert_eq!(attr(&spans[1], "gen_ai.request.choice.count"), &json!(2));
    assert_eq!(spans[0].attributes.len(), spans[1].attributes.len());
}

#[test]
fn streams_record_chunks_time_to_first_chunk_and_usage() {
    let sink = OtlpSink::start().unwrap();
    let mut cfg = local("otlp", &sink);
    cfg.capture_content = true;
    let t = Arc::new(Telemetry::new(cfg).unwrap());
    let mut i = info("http://127.0.0.1:3000/v1", None);
    i.stream = true;
    let mut rec = CallRecorder::start(Arc::clone(&t), &i);
    rec.set_retries(2);
    for text in ["Ol", "á"] {
        rec.chunk(&json!({"id": "gen_S", "model": "openai/gpt-5", "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}]}));
    }
    rec.chunk(&json!({"id": "gen_S", "model": "openai/gpt-5", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}));
    rec.chunk(&json!({"id": "gen_S", "model": "openai/gpt-5", "choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 2, "cost": "0.0001"}}));
    rec.finish_stream(None);

    // A second stream the caller abandons after one chunk.
    let mut abandoned = CallRecorder::start(Arc::clone(&t), &i);
    abandoned.chunk(&json!({"id": "gen_A", "choices": [{"delta": {"content": "x"}}]}));
    drop(abandoned);
    assert!(t.flush(Duration::from_secs(10)));

    let spans = sink.spans();
    let done = spans.iter().find(|s| s.attributes.get("gen_ai.response.id") == Some(&json!("gen_S"))).unwrap();
    assert_eq!(attr(done, "gen_ai.request.stream"), &json!(true));
    assert_eq!(attr(done, "ai_gateway.stream.chunks"), &json!(4));
    assert_eq!(attr(done, "ai_gateway.stream.completed"), &json!(true));
    assert_eq!(attr(done, "gen_ai.response.finish_reasons"), &json!(["stop"]));
    assert_eq!(attr(done, "gen_ai.usage.input_tokens"), &json!(5));
    assert_eq!(attr(done, "ai_gateway.cost"), &json!(0.0001));
    assert_eq!(attr(done, "ai_gateway.retries"), &json!(2));
    assert_eq!(attr(done, "server.address"), &json!("127.0.0.1"));
    assert_eq!(attr(done, "server.port"), &json!(3000));
    assert!(attr(done, "gen_ai.response.time_to_first_chunk").as_f64().unwrap() >= 0.0);
    let output: Value = serde_json::from_str(attr(done, "gen_ai.output.messages").as_str().unwrap()).unwrap();
    assert_eq!(output[0]["parts"][0]["content"], json!("Olá"));
    let left = spans.iter().find(|s| s.attributes.get("gen_ai.response.id") == Some(&json!("gen_A"))).unwrap();
    assert_eq!(attr(left, "ai_gateway.stream.completed"), &json!(false));
    assert_eq!(left.status_code, 0, "stopping early is not an error");
    assert!(sink.metrics().iter().any(|m| m.name == "gen_ai.client.operation.time_to_first_chunk"));
}

#[test]
fn errors_and_cancellations_set_error_type_and_status() {
    let sink = OtlpSink::start().unwrap();
    let t = Arc::new(Telemetry::new(local("otlp", &sink)).unwrap());
    let url = "https://ai-gateway.vercel.sh/v1";
    let status = Error::Status(Box::new(StatusError {
        status: 429,
        message: "Rate limit exceeded".into(),
        error_type: Some("rate_limit_exceeded".into()),
        retries_taken: 2,
        ..StatusError::default()
    }));
    CallRecorder::start(Arc::clone(&t), &CallInfo { model: Some("anthropic/claude-sonnet-4.5"), ..info(url, None) })
        .finish_err(&status);
    let bare = Error::Status(Box::new(StatusError { status: 503, message: "down".into(), ..StatusError::default() }));
    CallRecorder::start(Arc::clone(&t), &CallInfo { model: Some("xai/grok-4"), ..info(url, None) }).finish_err(&bare);
    let timeout = Error::timeout("The request timed out.", url).with_retries_taken(1);
    CallRecorder::start(Arc::clone(&t), &CallInfo { model: Some("mistral/large"), ..info(url, None) })
        .finish_err(&timeout);
    drop(CallRecorder::start(Arc::clone(&t), &CallInfo { model: Some("deepseek/v3"), ..info(url, None) }));
    CallRecorder::start(
        Arc::clone(&t),
        &CallInfo { operation: "embeddings", model: Some("cohere/embed-v4"), ..info(url, None) },
    )
    .finish_ok(&json!({"object": "list", "model": "cohere/embed-v4", "data": [], "usage": {"prompt_tokens": 7}}), 0);
    assert!(t.flush(Duration::from_secs(10)));

    let spans = sink.spans();
    let by_name =
        |n: &str| spans.iter().find(|s| s.name == n).unwrap_or_else(|| panic!("no span {n} in {spans:?}")).clone();
    let limited = by_name("chat anthropic/claude-sonnet-4.5");
    assert_eq!(attr(&limited, "error.type"), &json!("rate_limit_exceeded"));
    assert_eq!(attr(&limited, "ai_gateway.retries"), &json!(2));
    assert_eq!(attr(&limited, "gen_ai.provider.name"), &json!("anthropic"));
    assert_eq!(limited.status_code, 2);
    let down = by_name("chat xai/grok-4");
    assert_eq!((attr(&down, "error.type"), attr(&down, "gen_ai.provider.name")), (&json!("503"), &json!("x_ai")));
    let slow = by_name("chat mistral/large");
    assert_eq!(
        (attr(&slow, "error.type"), attr(&slow, "gen_ai.provider.name")),
        (&json!("APITimeoutError"), &json!("mistral_ai"))
    );
    assert_eq!(attr(&by_name("chat deepseek/v3"), "error.type"), &json!("cancelled"));
    let embed = by_name("embeddings cohere/embed-v4");
    assert_eq!(attr(&embed, "gen_ai.usage.input_tokens"), &json!(7));
    assert_eq!(attr(&embed, "gen_ai.operation.name"), &json!("embeddings"));
    let duration = sink.metrics().into_iter().find(|m| m.name == "gen_ai.client.operation.duration").unwrap();
    assert!(duration.points.iter().any(|p| p.get("error.type") == Some(&json!("rate_limit_exceeded"))));
}

#[test]
fn the_parent_sampling_decision_is_followed() {
    let sink = OtlpSink::start().unwrap();
    let t = Arc::new(Telemetry::new(local("otlp", &sink)).unwrap());
    let unsampled = "00-1af7651916cd43dd8448eb211c80319c-c7ad6b7169203331-00";
    let rec = CallRecorder::start(Arc::clone(&t), &info("https://h/v1", Some(unsampled)));
    assert!(!rec.is_recording());
    assert!(rec.traceparent().unwrap().ends_with("-00"));
    rec.finish_ok(&chat_answer(), 0);
    for bad in [
        "garbage",
        "00-00000000000000000000000000000000-c7ad6b7169203331-01",
        "00-1AF7651916CD43DD8448EB211C80319C-c7ad6b7169203331-01",
    ] {
        let rec = CallRecorder::start(Arc::clone(&t), &info("https://h/v1", Some(bad)));
        assert!(rec.is_recording(), "an invalid traceparent starts a new trace: {bad}");
        rec.finish_ok(&chat_answer(), 0);
    }
    assert!(t.flush(Duration::from_secs(10)));
    let spans = sink.spans();
    assert_eq!(spans.len(), 3);
    assert!(spans.iter().all(|s| s.parent_span_id.is_empty() && s.trace_id != "1af7651916cd43dd8448eb211c80319c"));
}

/// A backend case: name, options, environment, expected path and headers.
type PresetCase = (&'static str, TelemetryOptions, HashMap<String, String>, &'static str, Vec<(&'static str, String)>);

/// Every backend preset exports for real: its path and headers, with only the host replaced.
#[test]
fn every_preset_exports_its_path_and_headers() {
    let sink = OtlpSink::start().unwrap();
    let cases: Vec<PresetCase> = vec![
        (
            "honeycomb",
            TelemetryOptions {
                dataset: Some("classic".into()),
                metrics_dataset: Some("m".into()),
                ..keyed("honeycomb")
            },
            env(&[]),
            "/v1/traces",
            vec![("x-honeycomb-team", KEY.into()), ("x-honeycomb-dataset", "classic".into())],
        ),
        (
            "datadog",
            keyed("datadog"),
            env(&[]),
            "/v1/traces",
            vec![("dd-api-key", KEY.into()), ("dd-otlp-source", "serverless".into()), ("compute_stats", "true".into())],
        ),
        (
            "grafana",
            TelemetryOptions {
                instance_id: Some("777".into()),
                region: Some("prod-eu-west-2".into()),
                ..keyed("grafana")
            },
            env(&[]),
            "/otlp/v1/traces",
            vec![("authorization", basic("777", KEY))],
        ),
        (
            "axiom",
            TelemetryOptions { dataset: Some("traces".into()), ..keyed("axiom") },
            env(&[]),
            "/v1/traces",
            vec![("authorization", format!("Bearer {KEY}")), ("x-axiom-dataset", "traces".into())],
        ),
        (
            "newrelic",
            keyed("newrelic"),
            env(&[]),
            "/v1/traces",
            vec![("api-key", KEY.into()), ("content-encoding", "gzip".into())],
        ),
        (
            "langfuse",
            TelemetryOptions { public_key: Some("pk-lf-1".into()), ..keyed("langfuse") },
            env(&[]),
            "/api/public/otel/v1/traces",
            vec![("authorization", basic("pk-lf-1", KEY)), ("x-langfuse-ingestion-version", "4".into())],
        ),
        (
            "dash0",
            TelemetryOptions { region: Some("eu-west-1".into()), dataset: Some("prod".into()), ..keyed("dash0") },
            env(&[]),
            "/v1/traces",
            vec![("authorization", format!("Bearer {KEY}")), ("dash0-dataset", "prod".into())],
        ),
        (
            "signoz",
            TelemetryOptions { region: Some("eu".into()), ..keyed("signoz") },
            env(&[]),
            "/v1/traces",
            vec![("signoz-ingestion-key", KEY.into())],
        ),
        (
            "otlp",
            TelemetryOptions { headers: vec![("x-custom".into(), Secret::new("v"))], ..opts("otlp") },
            env(&[("OTEL_EXPORTER_OTLP_HEADERS", "x-env=1")]),
            "/v1/traces",
            vec![("x-custom", "v".into()), ("x-env", "1".into())],
        ),
        ("vercel", opts("vercel"), env(&[("VERCEL_OTEL_ENDPOINTS", "1")]), "/v1/traces", vec![]),
    ];
    for (name, o, e, path, expected) in cases {
        let cfg = rehost(resolve(&o, &e).unwrap(), &sink);
        let has_metrics = cfg.metrics.is_some();
        let t = Arc::new(Telemetry::new(cfg).unwrap());
        let model = format!("openai/{name}");
        CallRecorder::start(
            Arc::clone(&t),
            &CallInfo { model: Some(&model), ..info("https://ai-gateway.vercel.sh/v1", None) },
        )
        .finish_ok(&chat_answer(), 0);
        assert!(t.flush(Duration::from_secs(10)), "{name}: flush");
        let exports = sink.exports();
        let export = exports
            .iter()
            .find(|x| x.spans.iter().any(|s| s.name == format!("chat {model}")))
            .unwrap_or_else(|| panic!("{name}: no span received"));
        assert_eq!(export.path, path, "{name}");
        assert_eq!(export.header("content-type"), Some("application/x-protobuf"), "{name}");
        for (h, v) in expected {
            assert_eq!(export.header(h), Some(v.as_str()), "{name}: {h}");
        }
        if has_metrics {
            let metrics_path = path.replace("/traces", "/metrics");
            assert!(
                exports.iter().any(|x| x.path == metrics_path
                    && x.metrics.iter().any(|m| m.name == "gen_ai.client.operation.duration")),
                "{name}: metrics at {metrics_path}"
            );
        }
        assert!(t.shutdown(Duration::from_secs(10)), "{name}: shutdown");
    }
}

#[test]
fn flush_reports_refused_and_unreachable_exports_within_its_bound() {
    let sink = OtlpSink::start().unwrap();
    sink.respond_with(403);
    let mut cfg = local("otlp", &sink);
    cfg.timeout = Duration::from_secs(2);
    let t = Arc::new(Telemetry::new(cfg).unwrap());
    CallRecorder::start(Arc::clone(&t), &info("https://h/v1", None)).finish_ok(&chat_answer(), 0);
    assert!(!t.flush(Duration::from_secs(10)), "a refused export is reported");
    assert!(sink.spans().is_empty());

    // Nothing listens on a port we bound and closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dead = TelemetryOptions {
        endpoint: Some(format!("http://127.0.0.1:{port}")),
        timeout: Some(Duration::from_millis(500)),
        ..opts("otlp")
    };
    let t = Arc::new(Telemetry::new(resolve(&dead, &env(&[])).unwrap()).unwrap());
    CallRecorder::start(Arc::clone(&t), &info("https://h/v1", None)).finish_ok(&chat_answer(), 0);
    let started = Instant::now();
    assert!(!t.flush(Duration::from_millis(800)));
    assert!(started.elapsed() < Duration::from_secs(3), "flush is bounded: {:?}", started.elapsed());
}

#[test]
fn spans_are_exported_by_the_flush_at_request_end_with_no_thread_left_blocked() {
    let sink = OtlpSink::start().unwrap();
    let t = Arc::new(Telemetry::new(local("otlp", &sink)).unwrap());
    // Spans ended on a current_thread runtime (the sync engine's kind) only queue.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        CallRecorder::start(Arc::clone(&t), &info("https://h/v1", None)).finish_ok(&chat_answer(), 0);
    });
    assert!(sink.spans().is_empty(), "the batch processor holds spans until a flush (5 s schedule)");
    let started = Instant::now();
    assert!(t.flush(Duration::from_secs(5)));
    let spent = started.elapsed();
    assert_eq!(sink.spans().len(), 1);
    assert!(spent < Duration::from_secs(2), "flush took {spent:?}");
    // Shutdown stops the export threads; a flush afterwards fails fast instead of hanging.
    assert!(t.shutdown(Duration::from_secs(5)));
    let started = Instant::now();
    assert!(!t.flush(Duration::from_secs(5)));
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(spans_when(&sink, |s| s.len() == 1).len(), 1);
}

/// The process-wide instance: installed, found by the hook, removed. One test owns the global.
static GLOBAL: Mutex<()> = Mutex::new(());

#[test]
fn install_current_and_start_call() {
    let _guard = GLOBAL.lock().unwrap();
    assert!(telemetry::current().is_none());
    assert!(telemetry::start_call(&info("https://h/v1", None)).is_none(), "no telemetry: no recorder");
    assert!(telemetry::flush(Duration::from_millis(10)), "nothing to flush");
    let started = Instant::now();
    for _ in 0..1_000_000 {
        std::hint::black_box(telemetry::current());
    }
    assert!(started.elapsed() < Duration::from_secs(1), "checking for telemetry is cheap: {:?}", started.elapsed());

    let sink = OtlpSink::start().unwrap();
    let t = Arc::new(Telemetry::new(local("otlp", &sink)).unwrap());
    assert!(telemetry::install(Arc::clone(&t)).is_none());
    assert_eq!(telemetry::current().unwrap().origin(), t.origin());
    telemetry::start_call(&info("https://h/v1", None)).unwrap().finish_ok(&chat_answer(), 0);
    assert!(telemetry::flush(Duration::from_secs(10)));
    assert_eq!(sink.spans().len(), 1);
    assert_eq!(telemetry::uninstall().unwrap().origin(), t.origin());
    assert!(telemetry::current().is_none());
}

#[test]
fn console_backend_builds_and_flushes() {
    let t = Telemetry::new(resolve(&opts("console"), &env(&[])).unwrap()).unwrap();
    CallRecorder::start(Arc::new(t), &info("https://h/v1", None)).finish_ok(&chat_answer(), 0);
    let off = Telemetry::new(resolve(&opts("off"), &env(&[])).unwrap()).unwrap();
    assert!(off.flush(Duration::from_secs(1)));
    assert!(off.shutdown(Duration::from_secs(1)));
}
