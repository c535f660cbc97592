//! Cancellation: a token any thread can trip, checked before every command and inside
//! every wait (IWriteEngine2::CancelWrite, **beyond** IMAPI2: any thread, any time).

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use discburn_mmc::clock::Clock;

/// A shareable cancel flag. Cloning gives another handle to the same flag.
///
/// The write engine checks it before every command it sends and inside every wait, so
/// a cancel takes effect within one command (a few milliseconds on a BD/DVD drive).
/// Higher layers (the burn workflow) can hand the same token to every step of a burn.
///
/// A step the drive cannot be stopped in (a flush or a close already sent) keeps
/// waiting after a cancel; [`CancelToken::stop_waiting`] gives up that wait too, as a
/// second Ctrl-C means "leave now" ([`CancelToken::press`] does both in turn).
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicU8>);

/// [`CancelToken`] states, in the order they are reached.
const CANCELLED: u8 = 1;
const STOP_WAITING: u8 = 2;

impl CancelToken {
    /// A token that is not cancelled.
    pub fn new() -> Self {
        CancelToken::default()
    }

    /// Trips the token. Idempotent; safe from any thread, signal-handler-like contexts
    /// included (it is one atomic store).
    pub fn cancel(&self) {
        self.0.fetch_max(CANCELLED, Ordering::SeqCst);
    }

    /// Cancels, and gives up waiting for the drive in a step it cannot be stopped in
    /// (SYNCHRONIZE CACHE, CLOSE TRACK/SESSION): the call returns at once, saying the
    /// drive may still be at it. Idempotent, one atomic store like [`CancelToken::cancel`].
    pub fn stop_waiting(&self) {
        self.0.fetch_max(STOP_WAITING, Ordering::SeqCst);
    }

    /// What a Ctrl-C handler calls: the first press cancels, a later one also stops
    /// waiting ([`CancelToken::stop_waiting`]).
    pub fn press(&self) {
        let _ = self
            .0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| {
                Some(v.saturating_add(1).min(STOP_WAITING))
            });
    }

    /// Whether [`CancelToken::cancel`] (or a stronger request) was made.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst) >= CANCELLED
    }

    /// Whether [`CancelToken::stop_waiting`] was called.
    pub fn is_waiting_stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst) >= STOP_WAITING
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

/// Runs `work` (a command the drive cannot be told to stop: a flush, a close) on a
/// thread of its own and waits for it, asking `keep_waiting` every few milliseconds.
/// `None` when `keep_waiting` said no: the command goes on without a waiter, its thread
/// ending when the transport answers or times it out. A transport that blocks inside a
/// command cannot be interrupted any other way.
pub(crate) fn run_watched<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
    mut keep_waiting: impl FnMut() -> bool,
) -> Option<T> {
    let (tx, rx) = crossbeam_channel::bounded(1);
    // Kept reachable from here so the work still runs, inline, if no thread starts.
    let slot = Arc::new(std::sync::Mutex::new(Some(work)));
    let theirs = Arc::clone(&slot);
    let spawned = std::thread::Builder::new()
        .name("discburn-command".into())
        .spawn(move || {
            let work = theirs.lock().ok().and_then(|mut w| w.take());
            if let Some(work) = work {
                let _ = tx.send(work());
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("cannot start a thread for the command ({e}); waiting inside it");
        let work = slot.lock().ok().and_then(|mut w| w.take());
        return work.map(|w| w());
    }
    loop {
        match rx.recv_timeout(Duration::from_millis(20)) {
            Ok(v) => return Some(v),
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                if !keep_waiting() {
                    return None;
                }
            }
            // The thread ended without an answer (it panicked): nothing to wait for.
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return None,
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

    #[test]
    fn a_second_press_stops_waiting_and_cancel_stays_idempotent() {
        let t = CancelToken::new();
        t.cancel();
        t.clone().cancel();
        assert!(t.is_cancelled() && !t.is_waiting_stopped());
        let p = CancelToken::new();
        p.press();
        assert!(p.is_cancelled() && !p.is_waiting_stopped());
        p.press();
        p.press();
        assert!(p.is_waiting_stopped());
        let s = CancelToken::new();
        s.stop_waiting();
        assert!(s.is_cancelled() && s.is_waiting_stopped());
    }
}
