//! The one clock every layer reads time from.
//!
//! The write engine, the virtual recorder's drive model and the iSCSI session never call
//! `Instant::now()` or `thread::sleep` themselves: they take a [`Clock`], so that pacing,
//! timeouts, buffer drain and underruns are tested on a [`SimClock`] deterministically,
//! and run on a [`SystemClock`] in production.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A monotonic clock that can also wait.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Monotonic time elapsed since this clock's origin.
    fn now(&self) -> Duration;
    /// Waits for `d`: a [`SimClock`] returns once its simulated time has reached
    /// `now + d` (see its modes).
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

/// Simulated time: starts at zero and moves only when it is advanced, so every wait in
/// a test is deterministic.
///
/// A thread sleeping on it waits until the simulated time reaches its deadline
/// (`now + d` when it went to sleep). Who moves the time depends on the mode:
///
/// - [`SimClock::new`] (auto-advancing, the default): the sleeper with the earliest
///   deadline advances the time to it, so one thread sleeping alone advances time by its
///   own sleep and returns at once; a sleeper with a later deadline waits for the earlier
///   ones to wake first.
/// - [`SimClock::manual`]: sleepers only wait; the test moves time with
///   [`SimClock::advance`], [`SimClock::advance_to`] or
///   [`SimClock::advance_to_next_deadline`], which wakes sleepers in deadline order.
///
/// Either way the time is monotonic and [`Clock::now`] is one atomic load.
#[derive(Debug, Default)]
pub struct SimClock {
    nanos: AtomicU64,
    manual: bool,
    /// Deadlines (nanoseconds) of the threads asleep, one entry per sleeper.
    sleepers: Mutex<Vec<u64>>,
    /// Signalled whenever the time moves or a sleeper comes or goes.
    changed: Condvar,
}

impl SimClock {
    /// An auto-advancing simulated clock at time zero.
    pub fn new() -> Self {
        SimClock::default()
    }

    /// A simulated clock at time zero that moves only when advanced explicitly.
    pub fn manual() -> Self {
        SimClock {
            manual: true,
            ..SimClock::default()
        }
    }

    /// A shareable auto-advancing clock at time zero, returned both as itself (to
    /// advance it) and as a [`SharedClock`] (to hand to the layers under test).
    pub fn shared() -> (Arc<SimClock>, SharedClock) {
        SimClock::new().share()
    }

    /// This clock as itself and as a [`SharedClock`] (see [`SimClock::shared`]).
    pub fn share(self) -> (Arc<SimClock>, SharedClock) {
        let c = Arc::new(self);
        let s: SharedClock = c.clone();
        (c, s)
    }

    /// Moves time forward by `d`, waking the sleepers whose deadline it reaches.
    pub fn advance(&self, d: Duration) {
        let n = nanos(d);
        let _sleepers = self.lock();
        let _ = self
            .nanos
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| {
                Some(v.saturating_add(n))
            });
        self.changed.notify_all();
    }

    /// Moves time forward to `t` (never back), waking the sleepers it reaches.
    pub fn advance_to(&self, t: Duration) {
        let _sleepers = self.lock();
        self.nanos.fetch_max(nanos(t), Ordering::SeqCst);
        self.changed.notify_all();
    }

    /// The earliest deadline of a thread asleep on this clock, if any.
    pub fn next_deadline(&self) -> Option<Duration> {
        self.lock().iter().min().map(|&n| Duration::from_nanos(n))
    }

    /// Advances to the earliest pending deadline, waking the sleepers due then, and
    /// returns it; `None` (time unchanged) when nobody sleeps.
    pub fn advance_to_next_deadline(&self) -> Option<Duration> {
        let sleepers = self.lock();
        let next = sleepers.iter().min().copied()?;
        self.nanos.fetch_max(next, Ordering::SeqCst);
        self.changed.notify_all();
        Some(Duration::from_nanos(next))
    }

    /// Blocks until at least `n` threads are asleep on this clock (for a test to know
    /// its threads have reached their sleep before it advances).
    pub fn wait_for_sleepers(&self, n: usize) {
        let mut sleepers = self.lock();
        while sleepers.len() < n {
            sleepers = self
                .changed
                .wait(sleepers)
                .unwrap_or_else(|p| p.into_inner());
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<u64>> {
        self.sleepers.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl Clock for SimClock {
    fn now(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }

    fn sleep(&self, d: Duration) {
        if d.is_zero() {
            return;
        }
        let mut sleepers = self.lock();
        let deadline = self.nanos.load(Ordering::SeqCst).saturating_add(nanos(d));
        sleepers.push(deadline);
        self.changed.notify_all();
        loop {
            if self.nanos.load(Ordering::SeqCst) >= deadline {
                break;
            }
            if !self.manual && sleepers.iter().min() == Some(&deadline) {
                // Auto mode: nobody is due earlier, so time jumps to this deadline.
                self.nanos.fetch_max(deadline, Ordering::SeqCst);
                self.changed.notify_all();
                break;
            }
            sleepers = self
                .changed
                .wait(sleepers)
                .unwrap_or_else(|p| p.into_inner());
        }
        if let Some(i) = sleepers.iter().position(|&n| n == deadline) {
            sleepers.swap_remove(i);
        }
        self.changed.notify_all();
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
    fn manual_sleepers_wake_in_deadline_order() {
        let (sim, clock) = SimClock::manual().share();
        let (tx, rx) = std::sync::mpsc::channel();
        let threads: Vec<_> = [(0, 30u64), (1, 10), (2, 20), (3, 20)]
            .into_iter()
            .map(|(id, ms)| {
                let (clock, tx) = (Arc::clone(&clock), tx.clone());
                std::thread::spawn(move || {
                    clock.sleep(Duration::from_millis(ms));
                    tx.send((id, clock.now())).unwrap();
                })
            })
            .collect();
        sim.wait_for_sleepers(4);
        // Nobody moved the time: every sleeper is still waiting.
        assert_eq!(clock.now(), Duration::ZERO);
        assert!(rx.try_recv().is_err());
        let ms = Duration::from_millis;
        assert_eq!(sim.next_deadline(), Some(ms(10)));
        assert_eq!(sim.advance_to_next_deadline(), Some(ms(10)));
        assert_eq!(rx.recv().unwrap(), (1, ms(10)));
        // Two sleepers share the 20 ms deadline: both wake, at that time.
        assert_eq!(sim.advance_to_next_deadline(), Some(ms(20)));
        let mut both = [rx.recv().unwrap(), rx.recv().unwrap()];
        both.sort();
        assert_eq!(both, [(2, ms(20)), (3, ms(20))]);
        // An advance short of the last deadline wakes nobody.
        sim.advance(ms(5));
        assert_eq!(sim.next_deadline(), Some(ms(30)));
        sim.advance_to(ms(40));
        assert_eq!(rx.recv().unwrap(), (0, ms(40)));
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(sim.next_deadline(), None);
        assert_eq!(sim.advance_to_next_deadline(), None);
        // advance_to never moves time back.
        sim.advance_to(ms(1));
        assert_eq!(clock.now(), ms(40));
    }

    #[test]
    fn auto_sleeper_with_a_later_deadline_waits_for_the_earlier() {
        // Two overlapping 10 ms sleeps end at their own deadlines instead of adding up
        // (which made time jump by 20 ms for whichever woke second).
        let (sim, clock) = SimClock::shared();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            let c = &clock;
            let tx2 = tx.clone();
            s.spawn(move || {
                c.sleep(Duration::from_millis(10));
                tx2.send(c.now()).unwrap();
            });
            s.spawn(move || {
                c.sleep(Duration::from_millis(10));
                tx.send(c.now()).unwrap();
            });
        });
        // Each wakes 10 ms after it fell asleep — at 0 ms, or at 10 ms when the other had
        // already woken (thread start order is the scheduler's) — and never later: the
        // time read after waking is at most the later deadline.
        let woke = [rx.recv().unwrap(), rx.recv().unwrap()];
        let (first, last) = (Duration::from_millis(10), Duration::from_millis(20));
        assert!(woke.iter().all(|w| (first..=last).contains(w)), "{woke:?}");
        assert_eq!(sim.next_deadline(), None);
    }

    #[test]
    fn system_clock_is_monotonic() {
        let c = SystemClock::new();
        let a = c.now();
        c.sleep(Duration::from_millis(1));
        assert!(c.now() > a);
    }
}
