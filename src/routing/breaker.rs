//! Circuit breakers per gateway and per (gateway, model).
//!
//! Design: a breaker keeps a rolling window of outcomes in fixed time slots (so memory is
//! bounded whatever the traffic) and opens when, within the window, at least `min_requests`
//! calls were seen and the failure rate reached `failure_rate`, or when `consecutive_failures`
//! failed in a row (a dead gateway trips fast even at low traffic). An open breaker rejects for
//! `cooldown`, then turns half-open: it lets one probe through at a time; a successful probe
//! closes it, a failed one re-opens it. Only failures that say something about the gateway
//! count (the router decides which); request errors such as a 400 are reported as successes
//! for health purposes. The clock is passed in, so every transition is tested without sleeping.
//! State is per process: stickiness needs no shared state, and each instance learning a
//! gateway's health on its own costs a few requests.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::catalog::Gateway;

/// When breakers open and how they recover.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BreakerConfig {
    /// Length of the rolling window.
    pub window: Duration,
    /// Calls needed in the window before the failure rate counts.
    pub min_requests: u32,
    /// Failure rate (0–1) that opens the breaker.
    pub failure_rate: f64,
    /// Failures in a row that open the breaker regardless of the rate.
    pub consecutive_failures: u32,
    /// How long an open breaker rejects before letting a probe through.
    pub cooldown: Duration,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            window: Duration::from_secs(60),
            min_requests: 10,
            failure_rate: 0.5,
            consecutive_failures: 5,
            cooldown: Duration::from_secs(30),
        }
    }
}

const SLOTS: usize = 6;

/// What a breaker says about sending a call now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Healthy: send.
    Closed,
    /// Tripped: do not send until the cooldown ends.
    Open,
    /// Cooldown over: one probe may go.
    HalfOpen,
}

impl BreakerState {
    /// `"closed"`, `"open"` or `"half_open"`.
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }
}

#[derive(Debug, Clone)]
struct Breaker {
    /// (slot start, successes, failures), oldest first.
    slots: Vec<(Instant, u32, u32)>,
    consecutive: u32,
    opened_at: Option<Instant>,
    probe_in_flight: bool,
}

impl Breaker {
    fn new() -> Self {
        Breaker { slots: Vec::with_capacity(SLOTS), consecutive: 0, opened_at: None, probe_in_flight: false }
    }

    fn state(&self, cfg: &BreakerConfig, now: Instant) -> BreakerState {
        match self.opened_at {
            None => BreakerState::Closed,
            Some(at) if now.duration_since(at) < cfg.cooldown => BreakerState::Open,
            Some(_) => BreakerState::HalfOpen,
        }
    }

    fn prune(&mut self, cfg: &BreakerConfig, now: Instant) {
        self.slots.retain(|(start, _, _)| now.duration_since(*start) < cfg.window);
    }

    fn record(&mut self, cfg: &BreakerConfig, now: Instant, ok: bool) {
        if self.opened_at.is_some() {
            // Only the half-open probe reports while open; its outcome decides.
            self.probe_in_flight = false;
            if ok {
                *self = Breaker::new();
            } else {
                self.opened_at = Some(now);
            }
            return;
        }
        self.prune(cfg, now);
        let slot_len = cfg.window / SLOTS as u32;
        match self.slots.last_mut() {
            Some((start, s, f)) if now.duration_since(*start) < slot_len => {
                if ok {
                    *s += 1;
                } else {
                    *f += 1;
                }
            }
            _ => self.slots.push((now, u32::from(ok), u32::from(!ok))),
        }
        self.consecutive = if ok { 0 } else { self.consecutive + 1 };
        let (succ, fail) = self.slots.iter().fold((0u32, 0u32), |(a, b), (_, s, f)| (a + s, b + f));
        let total = succ + fail;
        let rate_trip = total >= cfg.min_requests && f64::from(fail) >= cfg.failure_rate * f64::from(total);
        if rate_trip || self.consecutive >= cfg.consecutive_failures {
            self.opened_at = Some(now);
            self.slots.clear();
            self.consecutive = 0;
        }
    }
}

/// What a breaker key is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BreakerKey {
    /// A whole gateway.
    Gateway(Gateway),
    /// One model on one gateway.
    Model(Gateway, String),
}

/// The breakers of one router.
#[derive(Debug, Default)]
pub struct Breakers {
    config: BreakerConfig,
    state: Mutex<HashMap<BreakerKey, Breaker>>,
}

impl Breakers {
    /// Breakers with the given settings.
    pub fn new(config: BreakerConfig) -> Self {
        Breakers { config, state: Mutex::new(HashMap::new()) }
    }

    /// The settings.
    pub fn config(&self) -> BreakerConfig {
        self.config
    }

    /// The state of one breaker now.
    pub fn state(&self, key: &BreakerKey, now: Instant) -> BreakerState {
        let Ok(map) = self.state.lock() else { return BreakerState::Closed };
        map.get(key).map_or(BreakerState::Closed, |b| b.state(&self.config, now))
    }

    /// Whether a call to `model` on `gateway` may be sent now, with the reason when not. A
    /// half-open breaker admits one probe at a time (this call becomes the probe).
    pub fn admit(&self, gateway: Gateway, model: &str, now: Instant) -> Result<(), String> {
        let Ok(mut map) = self.state.lock() else { return Ok(()) };
        for key in [BreakerKey::Gateway(gateway), BreakerKey::Model(gateway, model.to_string())] {
            let Some(b) = map.get_mut(&key) else { continue };
            match b.state(&self.config, now) {
                BreakerState::Closed => {}
                BreakerState::Open => return Err(describe_open(&key)),
                BreakerState::HalfOpen if b.probe_in_flight => {
                    return Err(format!("{} is half-open and its probe is in flight", describe_key(&key)))
                }
                BreakerState::HalfOpen => b.probe_in_flight = true,
            }
        }
        Ok(())
    }

    /// Whether `admit` would let a call through now, without claiming the probe.
    pub fn would_admit(&self, gateway: Gateway, model: &str, now: Instant) -> bool {
        let Ok(map) = self.state.lock() else { return true };
        [BreakerKey::Gateway(gateway), BreakerKey::Model(gateway, model.to_string())].iter().all(|key| {
            map.get(key).is_none_or(|b| match b.state(&self.config, now) {
                BreakerState::Closed => true,
                BreakerState::Open => false,
                BreakerState::HalfOpen => !b.probe_in_flight,
            })
        })
    }

    /// Records the outcome of a call (`ok` false for failures that reflect gateway health).
    pub fn record(&self, gateway: Gateway, model: &str, ok: bool, now: Instant) {
        let Ok(mut map) = self.state.lock() else { return };
        for key in [BreakerKey::Gateway(gateway), BreakerKey::Model(gateway, model.to_string())] {
            map.entry(key).or_insert_with(Breaker::new).record(&self.config, now, ok);
        }
    }

    /// Releases a probe claimed by `admit` whose call ended without an outcome (cancelled).
    pub fn release(&self, gateway: Gateway, model: &str) {
        let Ok(mut map) = self.state.lock() else { return };
        for key in [BreakerKey::Gateway(gateway), BreakerKey::Model(gateway, model.to_string())] {
            if let Some(b) = map.get_mut(&key) {
                b.probe_in_flight = false;
            }
        }
    }

    /// Every breaker that is not closed, for `explain()` and diagnostics.
    pub fn snapshot(&self, now: Instant) -> Vec<(BreakerKey, BreakerState)> {
        let Ok(map) = self.state.lock() else { return Vec::new() };
        let mut out: Vec<_> = map
            .iter()
            .map(|(k, b)| (k.clone(), b.state(&self.config, now)))
            .filter(|(_, s)| *s != BreakerState::Closed)
            .collect();
        out.sort_by_key(|(k, _)| describe_key(k));
        out
    }

    /// Closes every breaker.
    pub fn reset(&self) {
        if let Ok(mut map) = self.state.lock() {
            map.clear();
        }
    }
}

/// A readable name of a breaker.
pub fn describe_key(key: &BreakerKey) -> String {
    match key {
        BreakerKey::Gateway(g) => format!("the {} breaker", g.as_str()),
        BreakerKey::Model(g, m) => format!("the {} breaker for {m}", g.as_str()),
    }
}

fn describe_open(key: &BreakerKey) -> String {
    format!("{} is open after repeated failures", describe_key(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> BreakerConfig {
        BreakerConfig {
            window: Duration::from_secs(60),
            min_requests: 4,
            failure_rate: 0.5,
            consecutive_failures: 3,
            cooldown: Duration::from_secs(10),
        }
    }

    #[test]
    fn opens_on_failure_rate_and_recovers_through_a_probe() {
        let b = Breakers::new(cfg());
        let t0 = Instant::now();
        let (g, m) = (Gateway::Vercel, "openai/gpt-5");
        for (i, ok) in [true, false, true, false].into_iter().enumerate() {
            assert!(b.admit(g, m, t0).is_ok(), "call {i}");
            b.record(g, m, ok, t0);
        }
        assert_eq!(b.state(&BreakerKey::Gateway(g), t0), BreakerState::Open);
        assert!(b.admit(g, m, t0 + Duration::from_secs(5)).unwrap_err().contains("open"));
        assert!(!b.would_admit(g, "other/model", t0), "the gateway breaker covers every model");
        let later = t0 + Duration::from_secs(11);
        assert_eq!(b.state(&BreakerKey::Gateway(g), later), BreakerState::HalfOpen);
        assert!(b.admit(g, m, later).is_ok(), "one probe");
        assert!(b.admit(g, m, later).is_err(), "only one probe at a time");
        b.record(g, m, true, later);
        assert_eq!(b.state(&BreakerKey::Gateway(g), later), BreakerState::Closed);
        assert!(b.admit(g, m, later).is_ok());
    }

    #[test]
    fn a_failed_probe_reopens() {
        let b = Breakers::new(cfg());
        let t0 = Instant::now();
        let g = Gateway::OpenRouter;
        for _ in 0..3 {
            b.record(g, "m", false, t0);
        }
        assert_eq!(b.state(&BreakerKey::Model(g, "m".into()), t0), BreakerState::Open);
        let t1 = t0 + Duration::from_secs(10);
        assert!(b.admit(g, "m", t1).is_ok());
        b.record(g, "m", false, t1);
        assert_eq!(b.state(&BreakerKey::Gateway(g), t1 + Duration::from_secs(1)), BreakerState::Open);
        assert_eq!(b.state(&BreakerKey::Gateway(g), t1 + Duration::from_secs(10)), BreakerState::HalfOpen);
    }

    #[test]
    fn few_failures_or_old_failures_do_not_trip() {
        let b = Breakers::new(cfg());
        let t0 = Instant::now();
        let g = Gateway::Vercel;
        b.record(g, "m", false, t0);
        b.record(g, "m", false, t0);
        b.record(g, "m", true, t0);
        assert_eq!(b.state(&BreakerKey::Gateway(g), t0), BreakerState::Closed, "below min_requests");
        // The window forgets: two minutes later, old failures do not count.
        let t1 = t0 + Duration::from_secs(120);
        for ok in [false, true, true, true] {
            b.record(g, "m", ok, t1);
        }
        assert_eq!(b.state(&BreakerKey::Gateway(g), t1), BreakerState::Closed);
        assert!(b.snapshot(t1).is_empty());
    }

    #[test]
    fn breakers_are_per_gateway_and_per_model() {
        let b = Breakers::new(cfg());
        let t0 = Instant::now();
        for _ in 0..3 {
            b.record(Gateway::Vercel, "a/one", false, t0);
        }
        // The gateway-level breaker saw three failures in a row too.
        assert!(!b.would_admit(Gateway::Vercel, "b/two", t0));
        assert!(b.would_admit(Gateway::OpenRouter, "a/one", t0));
        assert_eq!(b.snapshot(t0).len(), 2);
        b.reset();
        assert!(b.would_admit(Gateway::Vercel, "a/one", t0));
    }

    #[test]
    fn cancelled_probe_is_released() {
        let b = Breakers::new(cfg());
        let t0 = Instant::now();
        for _ in 0..3 {
            b.record(Gateway::Vercel, "m", false, t0);
        }
        let t1 = t0 + Duration::from_secs(10);
        assert!(b.admit(Gateway::Vercel, "m", t1).is_ok());
        b.release(Gateway::Vercel, "m");
        assert!(b.admit(Gateway::Vercel, "m", t1).is_ok());
    }
}
