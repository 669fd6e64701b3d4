//! Resource attributes from the Vercel environment, as `@vercel/otel` sets them.
//!
//! Design: a pure function of an [`Env`] snapshot. Layers, later ones winning: the Vercel
//! system variables (the table in spec/telemetry-and-crates.md §3, minus the Node-only keys),
//! then `OTEL_RESOURCE_ATTRIBUTES`, then the attributes passed explicitly, then `service.name`.
//! A variable that is unset or empty adds nothing. The SDK adds `telemetry.sdk.*` itself.

use crate::config::Env;
use crate::error::{Error, Result};

use super::preset::parse_pairs;

/// `service.name` when neither an option, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES` nor
/// `VERCEL_GIT_REPO_SLUG` gives one (the default of `@vercel/otel`).
pub const DEFAULT_SERVICE_NAME: &str = "app";

/// Resource attributes read from Vercel's system variables: (attribute, variable).
pub const VERCEL_ATTRIBUTES: [(&str, &str); 15] = [
    ("deployment.environment.name", "VERCEL_ENV"),
    ("env", "VERCEL_ENV"),
    ("cloud.region", "VERCEL_REGION"),
    ("vercel.region", "VERCEL_REGION"),
    ("vcs.ref.head.name", "VERCEL_GIT_COMMIT_REF"),
    ("vcs.ref.head.revision", "VERCEL_GIT_COMMIT_SHA"),
    ("vcs.repository.ref.revision", "VERCEL_GIT_COMMIT_SHA"),
    ("vercel.sha", "VERCEL_GIT_COMMIT_SHA"),
    ("vcs.repository.name", "VERCEL_GIT_REPO_SLUG"),
    ("vercel.host", "VERCEL_URL"),
    ("vercel.branch_host", "VERCEL_BRANCH_URL"),
    ("deployment.id", "VERCEL_DEPLOYMENT_ID"),
    ("vercel.deployment_id", "VERCEL_DEPLOYMENT_ID"),
    ("service.version", "VERCEL_DEPLOYMENT_ID"),
    ("vercel.project_id", "VERCEL_PROJECT_ID"),
];

/// Variables whose presence means the process runs on Vercel (`cloud.provider = "vercel"`).
const ON_VERCEL: [&str; 3] = ["VERCEL", "VERCEL_ENV", "VERCEL_REGION"];

fn otel_resource_attributes(env: &dyn Env) -> Result<Vec<(String, String)>> {
    match env.var("OTEL_RESOURCE_ATTRIBUTES") {
        Some(text) => parse_pairs(&text, "OTEL_RESOURCE_ATTRIBUTES"),
        None => Ok(Vec::new()),
    }
}

/// `service.name`: the option, then `OTEL_SERVICE_NAME`, then `service.name` in
/// `OTEL_RESOURCE_ATTRIBUTES`, then `VERCEL_GIT_REPO_SLUG`, then [`DEFAULT_SERVICE_NAME`].
pub fn service_name(explicit: Option<&str>, env: &dyn Env) -> Result<String> {
    if let Some(name) = explicit {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::config("service_name", "service_name must not be empty."));
        }
        return Ok(name.to_string());
    }
    if let Some(name) = env.var("OTEL_SERVICE_NAME") {
        return Ok(name.trim().to_string());
    }
    if let Some((_, name)) =
        otel_resource_attributes(env)?.into_iter().find(|(k, v)| k == "service.name" && !v.is_empty())
    {
        return Ok(name);
    }
    Ok(env.var("VERCEL_GIT_REPO_SLUG").unwrap_or_else(|| DEFAULT_SERVICE_NAME.to_string()))
}

fn set(attrs: &mut Vec<(String, String)>, key: &str, value: String) {
    match attrs.iter_mut().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = value,
        None => attrs.push((key.to_string(), value)),
    }
}

/// All resource attributes, `service.name` included, in a stable order.
pub fn attributes(service_name: &str, explicit: &[(String, String)], env: &dyn Env) -> Result<Vec<(String, String)>> {
    let mut attrs: Vec<(String, String)> = Vec::new();
    set(&mut attrs, "service.name", service_name.to_string());
    if ON_VERCEL.iter().any(|v| env.var(v).is_some()) {
        set(&mut attrs, "cloud.provider", "vercel".to_string());
    }
    for (attribute, variable) in VERCEL_ATTRIBUTES {
        if let Some(value) = env.var(variable) {
            set(&mut attrs, attribute, value.trim().to_string());
        }
    }
    for (k, v) in otel_resource_attributes(env)? {
        if k != "service.name" {
            set(&mut attrs, &k, v);
        }
    }
    for (k, v) in explicit {
        if k.trim().is_empty() {
            return Err(Error::config("resource_attributes", "resource_attributes has an empty attribute name."));
        }
        if k != "service.name" {
            set(&mut attrs, k.trim(), v.clone());
        }
    }
    Ok(attrs)
}
