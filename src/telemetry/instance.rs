//! The installed instance: providers built from resolved settings, the process-wide slot the
//! client's hook reads, and the rebuild after a fork.
//!
//! Design: [`current`] is one atomic load while nothing is installed; otherwise a read lock and
//! an `Arc` clone. The providers' export threads do not survive `os.fork()`, so a child process
//! builds new ones from the same settings on first use, and leaks the parent's (dropping them
//! would wait for threads that do not exist in the child).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use opentelemetry::metrics::{Histogram, MeterProvider as _};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry::InstrumentationScope;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};

use crate::error::Result;

use super::{export, semconv, ResolvedTelemetry};

/// The instrumentation scope of our spans and metrics.
pub const SCOPE: &str = "vercel-ai-gateway";

/// The metric instruments of one installed instance.
pub(crate) struct Instruments {
    pub(crate) duration: Histogram<f64>,
    pub(crate) tokens: Histogram<u64>,
    pub(crate) first_chunk: Histogram<f64>,
}

/// Providers built from resolved settings.
pub struct Telemetry {
    config: ResolvedTelemetry,
    origin: u64,
    pid: u32,
    tracer_provider: SdkTracerProvider,
    meter_provider: Option<SdkMeterProvider>,
    pub(crate) tracer: SdkTracer,
    pub(crate) instruments: Option<Instruments>,
}

impl std::fmt::Debug for Telemetry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Telemetry").field("backend", &self.config.backend).field("origin", &self.origin).finish()
    }
}

static NEXT_ORIGIN: AtomicU64 = AtomicU64::new(1);

fn scope() -> InstrumentationScope {
    InstrumentationScope::builder(SCOPE).with_version(crate::VERSION).build()
}

impl Telemetry {
    /// Builds the providers (and their export threads) for `config`.
    pub fn new(config: ResolvedTelemetry) -> Result<Self> {
        Self::build(config, NEXT_ORIGIN.fetch_add(1, Ordering::Relaxed))
    }

    fn build(config: ResolvedTelemetry, origin: u64) -> Result<Self> {
        let resource = export::resource(&config);
        let tracer_provider = export::tracer_provider(&config, resource.clone())?;
        let meter_provider = export::meter_provider(&config, resource)?;
        let tracer = tracer_provider.tracer_with_scope(scope());
        let instruments = meter_provider.as_ref().map(|mp| {
            let meter = mp.meter_with_scope(scope());
            Instruments {
                duration: meter
                    .f64_histogram(semconv::METRIC_OPERATION_DURATION)
                    .with_unit("s")
                    .with_description("GenAI operation duration.")
                    .with_boundaries(semconv::DURATION_BUCKETS.to_vec())
                    .build(),
                tokens: meter
                    .u64_histogram(semconv::METRIC_TOKEN_USAGE)
                    .with_unit("{token}")
                    .with_description("Number of input and output tokens used.")
                    .with_boundaries(semconv::TOKEN_BUCKETS.to_vec())
                    .build(),
                first_chunk: meter
                    .f64_histogram(semconv::METRIC_TIME_TO_FIRST_CHUNK)
                    .with_unit("s")
                    .with_description("Time to the first chunk of a streamed response.")
                    .with_boundaries(semconv::DURATION_BUCKETS.to_vec())
                    .build(),
            }
        });
        Ok(Telemetry { config, origin, pid: std::process::id(), tracer_provider, meter_provider, tracer, instruments })
    }

    /// The settings this instance was built from.
    pub fn config(&self) -> &ResolvedTelemetry {
        &self.config
    }

    /// Identifies the `VercelTelemetry` object this instance came from (kept across a fork).
    pub fn origin(&self) -> u64 {
        self.origin
    }

    /// Exports everything buffered, waiting at most `timeout`. `true` when every export succeeded.
    pub fn flush(&self, timeout: Duration) -> bool {
        let traces = self.tracer_provider.clone();
        let metrics = self.meter_provider.clone();
        export::bounded(timeout, move || {
            let spans_ok = traces.force_flush().is_ok();
            let metrics_ok = metrics.is_none_or(|m| m.force_flush().is_ok());
            spans_ok && metrics_ok
        })
    }

    /// Flushes and stops the export threads, waiting at most `timeout`. Spans ended afterwards
    /// are dropped. `true` when everything was exported and stopped in time.
    pub fn shutdown(&self, timeout: Duration) -> bool {
        let traces = self.tracer_provider.clone();
        let metrics = self.meter_provider.clone();
        export::bounded(timeout, move || {
            let spans_ok = traces.shutdown_with_timeout(timeout).is_ok();
            let metrics_ok = metrics.is_none_or(|m| m.shutdown_with_timeout(timeout).is_ok());
            spans_ok && metrics_ok
        })
    }
}

static INSTALLED: AtomicBool = AtomicBool::new(false);
static CURRENT: RwLock<Option<Arc<Telemetry>>> = RwLock::new(None);

/// Makes `telemetry` the process-wide instance the client reports to, replacing any other
/// (which is returned, still running: flush or shut it down).
pub fn install(telemetry: Arc<Telemetry>) -> Option<Arc<Telemetry>> {
    let mut slot = match CURRENT.write() {
        Ok(slot) => slot,
        Err(poisoned) => poisoned.into_inner(),
    };
    let previous = slot.replace(telemetry);
    INSTALLED.store(true, Ordering::Release);
    previous
}

/// Removes the installed instance and returns it.
pub fn uninstall() -> Option<Arc<Telemetry>> {
    let mut slot = match CURRENT.write() {
        Ok(slot) => slot,
        Err(poisoned) => poisoned.into_inner(),
    };
    INSTALLED.store(false, Ordering::Release);
    slot.take()
}

/// The installed instance, or `None` (one atomic load when nothing is installed).
pub fn current() -> Option<Arc<Telemetry>> {
    if !INSTALLED.load(Ordering::Acquire) {
        return None;
    }
    let found = CURRENT.read().ok()?.clone()?;
    if found.pid == std::process::id() {
        return Some(found);
    }
    rebuild_after_fork()
}

/// In a forked child the export threads are gone: build new providers from the same settings.
/// The parent's providers are leaked, since dropping them would wait for threads that do not
/// exist here.
fn rebuild_after_fork() -> Option<Arc<Telemetry>> {
    let mut slot = match CURRENT.write() {
        Ok(slot) => slot,
        Err(poisoned) => poisoned.into_inner(),
    };
    let stale = slot.take()?;
    if stale.pid == std::process::id() {
        *slot = Some(Arc::clone(&stale));
        return Some(stale);
    }
    let rebuilt = Telemetry::build(stale.config.clone(), stale.origin);
    std::mem::forget(stale);
    match rebuilt {
        Ok(t) => {
            let t = Arc::new(t);
            *slot = Some(Arc::clone(&t));
            Some(t)
        }
        Err(_) => {
            INSTALLED.store(false, Ordering::Release);
            None
        }
    }
}
