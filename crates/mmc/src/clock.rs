//! The one clock every layer reads time from.
//!
//! The write engine, the virtual recorder's drive model and the iSCSI session never call
//! `Instant::now()` or `thread::sleep` themselves: they take a [`Clock`], so that pacing,
//! timeouts, buffer drain and underruns are tested on a [`SimClock`] deterministically,
//! and run on a [`SystemClock`] in production.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A monotonic clock that can also wait.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Monotonic time elapsed since this clock's origin.
    fn now(&self) -> Duration;
    /// Waits for `d`. A simulated clock advances its time by `d` and returns at once.
    fn sleep(&self, d: Duration);
}

/// A clock shared between threads and layers.
pub type SharedClock = Arc<dyn Clock>;

/// Wall-clock time (`std::time::Instant`) and real sleeps.
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    origin: Instant,
}

impl SystemClock {
    /// A clock whose origin is now.
    pub fn new() -> Self {
        SystemClock {
            origin: Instant::now(),
        }
    }

    /// A shareable system clock.
    pub fn shared() -> SharedClock {
        Arc::new(SystemClock::new())
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }
    fn sleep(&self, d: Duration) {
        if !d.is_zero() {
            std::thread::sleep(d);
        }
    }
}

/// Simulated time: starts at zero, moves only when someone sleeps on it or calls
/// [`SimClock::advance`]. Shared between threads it is still monotonic; each sleep
/// advances the common time by its own duration.
#[derive(Debug, Default)]
pub struct SimClock {
    nanos: AtomicU64,
}

impl SimClock {
    /// A simulated clock at time zero.
    pub fn new() -> Self {
        SimClock::default()
    }

    /// A shareable simulated clock at time zero, returned both as itself (to advance it)
    /// and as a [`SharedClock`] (to hand to the layers under test).
    pub fn shared() -> (Arc<SimClock>, SharedClock) {
        let c = Arc::new(SimClock::new());
        let s: SharedClock = c.clone();
        (c, s)
    }

    /// Moves time forward by `d`.
    pub fn advance(&self, d: Duration) {
        let n = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        let _ = self
            .nanos
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| {
                Some(v.saturating_add(n))
            });
    }
}

impl Clock for SimClock {
    fn now(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }
    fn sleep(&self, d: Duration) {
        self.advance(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sim_clock_moves_only_when_told() {
        let (sim, clock) = SimClock::shared();
        assert_eq!(clock.now(), Duration::ZERO);
        clock.sleep(Duration::from_millis(30));
        assert_eq!(clock.now(), Duration::from_millis(30));
        sim.advance(Duration::from_secs(2));
        assert_eq!(clock.now(), Duration::from_millis(2030));
        sim.advance(Duration::MAX);
        assert_eq!(clock.now(), Duration::from_nanos(u64::MAX));
    }

    #[test]
    fn system_clock_is_monotonic() {
        let c = SystemClock::new();
        let a = c.now();
        c.sleep(Duration::from_millis(1));
        assert!(c.now() > a);
    }
}
