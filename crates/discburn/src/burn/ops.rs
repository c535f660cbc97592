//! The long steps around the write — SYNCHRONIZE CACHE, CLOSE TRACK/SESSION,
//! BLANK, FORMAT UNIT — each sent with Immed and then polled with TEST UNIT
//! READY twice a second, the sense-key-specific progress reported as it comes
//! (libburn's `spc_wait_unit_attention`, with a phase name and an elapsed
//! time so progress never "goes dark"). A drive that refuses Immed gets the
//! command again without it and a long timeout.

use std::time::Duration;

use discburn_mmc::device::TestUnitReady;
use discburn_mmc::rw::SynchronizeCache10;
use discburn_mmc::track::{CloseFunction, CloseTrackSession};
use discburn_mmc::transport::DataPhase;
use discburn_mmc::Command;

use crate::engine::CancelToken;
use crate::error::{Error, ErrorKind};
use crate::recorder::Recorder;

use super::medium::is_sense;
use super::{BurnEvent, BurnPhase};

/// Poll interval while a long operation runs.
const POLL: Duration = Duration::from_millis(500);
/// Timeout of the Immed command itself.
pub(crate) const IMMED_TIMEOUT: Duration = Duration::from_secs(200);

/// How long a step may take at most (libburn's ceilings).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ceiling {
    /// SYNCHRONIZE CACHE, CLOSE TRACK/SESSION: one hour.
    Close,
    /// BLANK, FORMAT UNIT: five hours.
    Erase,
}

impl Ceiling {
    pub(crate) fn duration(self) -> Duration {
        match self {
            Ceiling::Close => Duration::from_secs(3_600),
            Ceiling::Erase => Duration::from_secs(18_000),
        }
    }
}

/// Sends `cdb` (built with and without Immed by `make`), then waits for the
/// drive to become ready, reporting progress as `phase`.
pub(crate) fn long_step<C: Command>(
    rec: &Recorder,
    phase: BurnPhase,
    ceiling: Ceiling,
    make: impl Fn(bool) -> C,
    data: Option<&[u8]>,
    cancel: &CancelToken,
    on_event: &mut dyn FnMut(&BurnEvent),
) -> Result<(), Error> {
    let clock = rec.clock().clone();
    let started = clock.now();
    let send = |immed: bool, timeout: Duration| {
        let phase_data = match data {
            Some(d) => DataPhase::Out(d),
            None => DataPhase::None,
        };
        rec.command(&make(immed), phase_data, timeout).map(|_| ())
    };
    match send(true, IMMED_TIMEOUT) {
        Ok(()) => {}
        // Immed unsupported for this command on this drive: wait inside the command.
        Err(e) if is_sense(&e, 0x5, 0x24) => {
            tracing::info!(
                "{}: the drive refuses Immed; waiting inside the command",
                phase.name()
            );
            on_event(&BurnEvent::Step {
                phase,
                fraction: None,
                elapsed: Duration::ZERO,
            });
            send(false, ceiling.duration())?;
            on_event(&BurnEvent::Step {
                phase,
                fraction: Some(1.0),
                elapsed: clock.now().saturating_sub(started),
            });
            return Ok(());
        }
        Err(e) => return Err(e),
    }
    wait_ready(rec, phase, ceiling, started, cancel, on_event)
}

/// Polls TEST UNIT READY until GOOD: 2/04/xx means still working (progress
/// in the sense-key-specific bytes), a unit attention is read and ignored.
pub(crate) fn wait_ready(
    rec: &Recorder,
    phase: BurnPhase,
    ceiling: Ceiling,
    started: Duration,
    cancel: &CancelToken,
    on_event: &mut dyn FnMut(&BurnEvent),
) -> Result<(), Error> {
    let clock = rec.clock().clone();
    let mut fraction = None;
    loop {
        let elapsed = clock.now().saturating_sub(started);
        match rec.command_none(&TestUnitReady) {
            Ok(()) => {
                on_event(&BurnEvent::Step {
                    phase,
                    fraction: Some(1.0),
                    elapsed,
                });
                return Ok(());
            }
            Err(e) => {
                let Some(s) = e.sense_info() else {
                    return Err(e);
                };
                match (s.key, s.asc) {
                    (0x2, 0x04) => {
                        if let Some(p) = s.progress {
                            fraction = Some(f64::from(p) / 65_536.0);
                        }
                    }
                    // Medium may have changed / reset: the drive tells once.
                    (0x6, 0x28..=0x2A) => {}
                    _ => return Err(e),
                }
            }
        }
        on_event(&BurnEvent::Step {
            phase,
            fraction,
            elapsed,
        });
        if elapsed >= ceiling.duration() {
            return Err(Error::new(ErrorKind::NoProgress(elapsed)));
        }
        // A long step cannot be aborted on the drive; cancel stops the waiting
        // only, and says so.
        if !cancel.sleep(&*clock, POLL, Duration::from_millis(50)) {
            return Err(Error::new(ErrorKind::Cancelled));
        }
    }
}

/// SYNCHRONIZE CACHE: flush the drive buffer to the medium. A 3/0C/09 (loss
/// of streaming) on this command counts as success, as Microsoft's sample has it.
pub(crate) fn synchronize_cache(
    rec: &Recorder,
    cancel: &CancelToken,
    on_event: &mut dyn FnMut(&BurnEvent),
) -> Result<(), Error> {
    let r = long_step(
        rec,
        BurnPhase::Synchronizing,
        Ceiling::Close,
        |immed| SynchronizeCache10 {
            immed,
            lba: 0,
            blocks: 0,
        },
        None,
        cancel,
        on_event,
    );
    match r {
        Err(e)
            if e.sense_info()
                .is_some_and(|s| (s.key, s.asc, s.ascq) == (0x3, 0x0C, 0x09)) =>
        {
            tracing::warn!("SYNCHRONIZE CACHE reported loss of streaming; tolerated");
            Ok(())
        }
        r => r,
    }
}

/// CLOSE TRACK/SESSION with `function` on `number`.
pub(crate) fn close(
    rec: &Recorder,
    phase: BurnPhase,
    function: CloseFunction,
    number: u16,
    cancel: &CancelToken,
    on_event: &mut dyn FnMut(&BurnEvent),
) -> Result<(), Error> {
    long_step(
        rec,
        phase,
        Ceiling::Close,
        |immed| CloseTrackSession {
            immed,
            function,
            number,
        },
        None,
        cancel,
        on_event,
    )
}
