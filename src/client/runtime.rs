//! The two tokio runtimes and their connection pools.
//!
//! Design (measured in `spec/ffi-performance.md`): sync calls drive a process-wide
//! current_thread runtime from the calling thread, which costs about what plain reqwest costs;
//! async calls run on a small multi_thread runtime. Each runtime owns its own `reqwest::Client`
//! because connections belong to the runtime that opened them. Both are built lazily on first
//! use (so importing the package starts no thread) and rebuilt when the process id changes,
//! which is what happens in the child after `os.fork()` (gunicorn/uvicorn `--preload`): the
//! parent's runtime is leaked there, not dropped, because its worker threads do not exist in
//! the child.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::error::{Error, Result};

/// A runtime and the HTTP client whose connections live on it.
pub struct Engine {
    /// The tokio runtime.
    pub runtime: tokio::runtime::Runtime,
    /// The HTTP client (connection pool) bound to `runtime`, with the default connect timeout.
    pub http: reqwest::Client,
    /// Clients for other connect timeouts (reqwest fixes it per client), built on demand.
    others: Mutex<HashMap<Duration, reqwest::Client>>,
    pid: u32,
}

impl Engine {
    /// The HTTP client to use for a call whose connect timeout is `connect`.
    pub fn http_for(&self, connect: Duration) -> Result<reqwest::Client> {
        if connect == CONNECT_TIMEOUT {
            return Ok(self.http.clone());
        }
        let mut others =
            self.others.lock().map_err(|_| Error::internal("the HTTP client registry lock is poisoned"))?;
        if let Some(client) = others.get(&connect) {
            return Ok(client.clone());
        }
        let client = build_http(connect)?;
        others.insert(connect, client.clone());
        Ok(client)
    }
}

/// Which of the two engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// current_thread runtime driven by the calling thread.
    Sync,
    /// multi_thread runtime with two workers.
    Async,
}

static SYNC: Mutex<Option<Arc<Engine>>> = Mutex::new(None);
static ASYNC: Mutex<Option<Arc<Engine>>> = Mutex::new(None);

/// How long a pooled connection may stay idle. Shorter than typical load-balancer idle timeouts
/// so a frozen-and-thawed serverless instance rarely reuses a connection the peer closed.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(50);
const CONNECT_TIMEOUT: Duration = super::DEFAULT_CONNECT_TIMEOUT;

fn build_http(connect: Duration) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(concat!("vercel-ai-gateway-python/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(connect)
        .pool_idle_timeout(POOL_IDLE_TIMEOUT)
        .tcp_nodelay(true)
        .build()
        .map_err(|e| Error::internal(format!("the HTTP client could not be built: {e}")))
}

fn build(mode: Mode) -> Result<Engine> {
    let runtime = match mode {
        Mode::Sync => tokio::runtime::Builder::new_current_thread().enable_all().build(),
        Mode::Async => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("vercel-ai-gateway")
            .enable_all()
            .build(),
    }
    .map_err(|e| Error::internal(format!("the tokio runtime could not start: {e}")))?;
    Ok(Engine {
        runtime,
        http: build_http(CONNECT_TIMEOUT)?,
        others: Mutex::new(HashMap::new()),
        pid: std::process::id(),
    })
}

/// The engine for `mode`, built on first use and rebuilt after a fork.
pub fn engine(mode: Mode) -> Result<Arc<Engine>> {
    let slot = match mode {
        Mode::Sync => &SYNC,
        Mode::Async => &ASYNC,
    };
    let mut guard = slot.lock().map_err(|_| Error::internal("the runtime registry lock is poisoned"))?;
    let pid = std::process::id();
    if let Some(engine) = guard.as_ref() {
        if engine.pid == pid {
            return Ok(Arc::clone(engine));
        }
    }
    if let Some(stale) = guard.take() {
        // Inherited from the parent across fork: its threads are gone, dropping it could block.
        std::mem::forget(stale);
    }
    let engine = Arc::new(build(mode)?);
    *guard = Some(Arc::clone(&engine));
    Ok(engine)
}
