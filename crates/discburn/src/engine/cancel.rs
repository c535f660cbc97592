//! Cancellation: a token any thread can trip, checked before every command and inside
//! every wait (IWriteEngine2::CancelWrite, **beyond** IMAPI2: any thread, any time).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use discburn_mmc::clock::Clock;

/// A shareable cancel flag. Cloning gives another handle to the same flag.
///
/// The write engine checks it before every command it sends and inside every wait, so
/// a cancel takes effect within one command (a few milliseconds on a BD/DVD drive).
/// Higher layers (the burn workflow) can hand the same token to every step of a burn.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token that is not cancelled.
    pub fn new() -> Self {
        CancelToken::default()
    }

    /// Trips the token. Idempotent; safe from any thread, signal-handler-like contexts
    /// included (it is one atomic store).
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether [`CancelToken::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// True when `other` is a handle to the same flag.
    pub fn same_as(&self, other: &CancelToken) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// Waits `d` on `clock` in slices of at most `slice`, returning early (false) as soon
    /// as the token is cancelled; true when the whole wait elapsed.
    pub fn sleep(&self, clock: &dyn Clock, d: Duration, slice: Duration) -> bool {
        let end = clock.now() + d;
        loop {
            if self.is_cancelled() {
                return false;
            }
            let now = clock.now();
            if now >= end {
                return true;
            }
            clock.sleep((end - now).min(slice.max(Duration::from_micros(100))));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use discburn_mmc::clock::SimClock;

    #[test]
    fn sleep_stops_on_cancel() {
        let (_sim, clock) = SimClock::shared();
        let t = CancelToken::new();
        assert!(t.sleep(
            &*clock,
            Duration::from_millis(25),
            Duration::from_millis(10)
        ));
        assert_eq!(clock.now(), Duration::from_millis(25));
        let t2 = t.clone();
        t2.cancel();
        assert!(t.is_cancelled() && t.same_as(&t2));
        assert!(!t.sleep(&*clock, Duration::from_secs(5), Duration::from_millis(10)));
        assert_eq!(clock.now(), Duration::from_millis(25));
    }
}
