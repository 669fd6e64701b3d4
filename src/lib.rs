//! Rust core of `vercel-ai-gateway`.
//!
//! Layers (see `DESIGN.md` of the project): [`config`] and [`auth`] are pure functions of an
//! environment snapshot and a clock; [`client`] sends requests with reqwest on tokio;
//! [`local_gateway`] is an in-process fake of the gateway for tests and demos. Nothing here
//! names a pyo3 type: the binding layer lives in `src/python/` behind the `python` feature, so
//! `cargo test` runs without Python.

#![deny(clippy::unwrap_used, clippy::expect_used)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod auth;
pub mod catalog;
pub mod client;
pub mod config;
pub mod error;
pub mod jwt;
pub mod local_gateway;
pub mod routing;
pub mod secret;
pub mod telemetry;

#[cfg(feature = "python")]
mod python;

pub use error::{Error, Result, StatusError};
pub use secret::Secret;

/// The package version, from `Cargo.toml` (the only place it is written).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
