//! The long steps around the write — SYNCHRONIZE CACHE, CLOSE TRACK/SESSION,
//! BLANK, FORMAT UNIT — each sent with Immed and then polled with TEST UNIT
//! READY twice a second, the sense-key-specific progress reported as it comes
//! (libburn's `spc_wait_unit_attention`, with a phase name and an elapsed
//! time so progress never "goes dark"). A drive that refuses Immed gets the
//! command again without it and a long timeout. A cancel stops the wait of
//! BLANK and FORMAT; a flush or close, which decides what the disc holds, is
//! waited for after a cancel (with a note saying so and for how long), and
//! only [`CancelToken::stop_waiting`] (a second Ctrl-C) gives it up.

use std::sync::Arc;
use std::time::Duration;

use discburn_mmc::clock::Clock;
use discburn_mmc::device::TestUnitReady;
use discburn_mmc::mode::{
    find_page, mode_select_list, ModeSelect10, ModeSense10, WriteParametersPage,
};
use discburn_mmc::rw::{SynchronizeCache10, Write10};
use discburn_mmc::sense::{Asc, Refusal, SenseKey};
use discburn_mmc::track::{CloseFunction, CloseTrackSession};
use discburn_mmc::transport::DataPhase;
use discburn_mmc::Command;

use crate::engine::{cancel, CancelToken};
use crate::error::{Error, ErrorKind, SenseInfo};
use crate::recorder::{Recorder, DEFAULT_COMMAND_TIMEOUT};

use super::{medium, BurnEvent, BurnPhase, Note};

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

/// What a cancel does to a long step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnCancel {
    /// Stop waiting at once: nothing is lost (BLANK and FORMAT go on on the drive and
    /// are said to; waiting for a drive before a burn).
    StopWaiting,
    /// The command is on the drive and decides what the disc holds (SYNCHRONIZE CACHE,
    /// CLOSE TRACK/SESSION): a drive cannot be stopped in it, so the first cancel is
    /// answered with a note saying what the drive does and how long it may take, and
    /// the wait goes on; a later cancel gives up waiting ([`ErrorKind::Abandoned`]).
    /// The text says what the drive is doing ("flushing its buffer to the disc").
    FinishFirst(&'static str),
}

/// Applies an [`OnCancel`] to one step: says once that the drive is waited for.
struct Patience<'a> {
    cancel: &'a CancelToken,
    mode: OnCancel,
    told: bool,
}

impl<'a> Patience<'a> {
    fn new(cancel: &'a CancelToken, mode: OnCancel) -> Self {
        Patience {
            cancel,
            mode,
            told: false,
        }
    }

    /// Ok to go on waiting; the error when the cancel ends the wait. `may_take` is the
    /// most the drive may still need (for the note).
    fn check(
        &mut self,
        may_take: Duration,
        on_event: &mut dyn FnMut(&BurnEvent),
    ) -> Result<(), Error> {
        if !self.cancel.is_cancelled() {
            return Ok(());
        }
        let what = match self.mode {
            OnCancel::StopWaiting => return Err(Error::new(ErrorKind::Cancelled)),
            OnCancel::FinishFirst(what) => what,
        };
        if self.cancel.is_waiting_stopped() {
            return Err(Error::new(ErrorKind::Abandoned(what)));
        }
        if !self.told {
            self.told = true;
            tracing::warn!(
                "cancel requested while the drive is {what}, which it cannot be stopped in: waiting up to {may_take:?}"
            );
            on_event(&BurnEvent::Note(Note::WaitingForDrive {
                doing: what,
                may_take,
            }));
        }
        Ok(())
    }

    /// Sleeps `d`, checking for cancel in slices.
    fn sleep(
        &mut self,
        clock: &dyn Clock,
        d: Duration,
        may_take: Duration,
        on_event: &mut dyn FnMut(&BurnEvent),
    ) -> Result<(), Error> {
        let end = clock.now() + d;
        loop {
            self.check(may_take, on_event)?;
            let now = clock.now();
            if now >= end {
                return Ok(());
            }
            clock.sleep((end - now).min(Duration::from_millis(50)));
        }
    }
}

/// Sends `cdb` (built with and without Immed by `make`), then waits for the
/// drive to become ready, reporting progress as `phase`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn long_step<C: Command>(
    rec: &Arc<Recorder>,
    phase: BurnPhase,
    ceiling: Ceiling,
    make: impl Fn(bool) -> C,
    data: Option<&[u8]>,
    cancel: &CancelToken,
    on_cancel: OnCancel,
    on_event: &mut dyn FnMut(&BurnEvent),
) -> Result<(), Error> {
    let clock = rec.clock().clone();
    let started = clock.now();
    let mut patience = Patience::new(cancel, on_cancel);
    let mut send = |immed: bool, timeout: Duration, on_event: &mut dyn FnMut(&BurnEvent)| {
        let cdb = make(immed).emit();
        if on_cancel == OnCancel::StopWaiting {
            let phase_data = match data {
                Some(d) => DataPhase::Out(d),
                None => DataPhase::None,
            };
            return rec.execute(&cdb, phase_data, timeout).map(|_| ());
        }
        // On a thread of its own, so a second cancel can stop waiting for a command
        // that hangs in the transport.
        let (r, owned) = (Arc::clone(rec), data.map(<[u8]>::to_vec));
        let work = move || {
            let phase_data = match &owned {
                Some(d) => DataPhase::Out(d),
                None => DataPhase::None,
            };
            r.execute(&cdb, phase_data, timeout).map(|_| ())
        };
        let sent_at = clock.now();
        let mut stop = None;
        let done = cancel::run_watched(work, || {
            let left = timeout.saturating_sub(clock.now().saturating_sub(sent_at));
            match patience.check(left, on_event) {
                Ok(()) => true,
                Err(e) => {
                    stop = Some(e);
                    false
                }
            }
        });
        match (done, stop) {
            (Some(r), _) => r,
            (None, Some(e)) => Err(e),
            (None, None) => Err(Error::new(ErrorKind::NotSupported(
                "the thread sending the command stopped without an answer".into(),
            ))),
        }
    };
    match send(true, IMMED_TIMEOUT, on_event) {
        Ok(()) => {}
        // Immed unsupported for this command on this drive: wait inside the command.
        Err(e) if e.refusal() == Some(Refusal::InvalidField) => {
            tracing::info!(
                "{}: the drive refuses Immed; waiting inside the command",
                phase.name()
            );
            on_event(&BurnEvent::Step {
                phase,
                fraction: None,
                elapsed: Duration::ZERO,
            });
            send(false, ceiling.duration(), on_event)?;
            on_event(&BurnEvent::Step {
                phase,
                fraction: Some(1.0),
                elapsed: clock.now().saturating_sub(started),
            });
            return Ok(());
        }
        Err(e) => return Err(e),
    }
    poll_ready(rec, phase, ceiling, started, &mut patience, on_event)
}

/// Polls TEST UNIT READY until GOOD: 2/04/xx means still working (progress
/// in the sense-key-specific bytes), a unit attention is read and ignored.
/// A cancel stops the waiting only (a long step cannot be aborted on the drive).
pub(crate) fn wait_ready(
    rec: &Recorder,
    phase: BurnPhase,
    ceiling: Ceiling,
    started: Duration,
    cancel: &CancelToken,
    on_event: &mut dyn FnMut(&BurnEvent),
) -> Result<(), Error> {
    let mut patience = Patience::new(cancel, OnCancel::StopWaiting);
    poll_ready(rec, phase, ceiling, started, &mut patience, on_event)
}

fn poll_ready(
    rec: &Recorder,
    phase: BurnPhase,
    ceiling: Ceiling,
    started: Duration,
    patience: &mut Patience<'_>,
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
                if medium::not_ready_in_progress(&e) {
                    if let Some(p) = e.sense_info().and_then(SenseInfo::progress) {
                        fraction = Some(f64::from(p) / 65_536.0);
                    }
                } else if !e.is_unit_attention() {
                    // A unit attention (medium changed, reset): the drive tells once.
                    return Err(e);
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
        let left = ceiling.duration().saturating_sub(elapsed);
        patience.sleep(&*clock, POLL, left, on_event)?;
    }
}

/// SYNCHRONIZE CACHE: flush the drive buffer to the medium. A 3/0C/09 (loss
/// of streaming) on this command counts as success, as Microsoft's sample has it.
pub(crate) fn synchronize_cache(
    rec: &Arc<Recorder>,
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
        OnCancel::FinishFirst("flushing its buffer to the disc (SYNCHRONIZE CACHE)"),
        on_event,
    );
    match r {
        Err(e) if e.is_sense(SenseKey::MediumError, Asc::LOSS_OF_STREAMING) => {
            tracing::warn!("SYNCHRONIZE CACHE reported loss of streaming; tolerated");
            Ok(())
        }
        r => r,
    }
}

/// CLOSE TRACK/SESSION with `function` on `number`. Once sent it cannot be stopped: a
/// cancel is answered with a note and the wait goes on ([`OnCancel::FinishFirst`]).
pub(crate) fn close(
    rec: &Arc<Recorder>,
    phase: BurnPhase,
    function: CloseFunction,
    number: u16,
    cancel: &CancelToken,
    on_event: &mut dyn FnMut(&BurnEvent),
) -> Result<(), Error> {
    let what = match phase {
        BurnPhase::ClosingTrack => "closing the track (CLOSE TRACK)",
        BurnPhase::Finalizing => "finalizing the disc (CLOSE TRACK/SESSION)",
        _ => "closing the session (CLOSE SESSION)",
    };
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
        OnCancel::FinishFirst(what),
        on_event,
    )
}

/// PREVENT ALLOW MEDIUM REMOVAL with Prevent=1 (SPC-4 §6.13, MMC-6 §6.9): the tray is
/// locked while a burn, a close or a format changes the medium, so neither the eject
/// button nor another initiator (a second host on an iSCSI target) takes the disc away
/// mid-way. [`TrayLock::release`] sends Prevent=0 once the drive takes it (a drive
/// still flushing after a cancel answers NOT READY until done); dropping it unreleased
/// (a panic unwinding) tries once.
pub(crate) struct TrayLock {
    rec: Arc<Recorder>,
    locked: bool,
    /// A command the drive hangs in was given up on and holds the transport: the unlock
    /// is sent from a thread of its own once the drive answers.
    behind_a_hung_command: bool,
}

impl TrayLock {
    /// Locks the tray. A drive that refuses is written to unlocked (logged): the lock
    /// protects the burn, it is not needed for it.
    pub(crate) fn engage(rec: &Arc<Recorder>) -> TrayLock {
        let locked = match rec.prevent_media_removal() {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(
                    "the drive did not lock its tray (PREVENT ALLOW MEDIUM REMOVAL): {e}"
                );
                false
            }
        };
        TrayLock {
            rec: Arc::clone(rec),
            locked,
            behind_a_hung_command: false,
        }
    }

    /// The burn gave up waiting for a command the drive still runs (or a cancelled
    /// format goes on): unlock from a thread of its own once the drive takes it.
    pub(crate) fn unlock_when_answered(&mut self) {
        self.behind_a_hung_command = true;
    }

    /// Unlocks the tray, waiting (with a note) while the drive answers "operation in
    /// progress" — the flush it does after a cancel. A stop-waiting request leaves the
    /// unlock to a thread of its own.
    pub(crate) fn release(mut self, cancel: &CancelToken, on_event: &mut dyn FnMut(&BurnEvent)) {
        if !self.locked || self.behind_a_hung_command {
            return;
        }
        if unlock(&self.rec, Some(cancel), on_event) {
            self.locked = false;
        } else {
            self.behind_a_hung_command = true;
        }
    }
}

/// Sends Prevent=0 until the drive takes it; false when `cancel` said to stop waiting.
fn unlock(
    rec: &Recorder,
    cancel: Option<&CancelToken>,
    on_event: &mut dyn FnMut(&BurnEvent),
) -> bool {
    let clock = rec.clock().clone();
    let started = clock.now();
    let mut told = false;
    loop {
        match rec.allow_media_removal() {
            Ok(()) => return true,
            Err(e)
                if medium::not_ready_in_progress(&e)
                    && clock.now().saturating_sub(started) < Ceiling::Close.duration() =>
            {
                if !told {
                    told = true;
                    on_event(&BurnEvent::Note(Note::WaitingToUnlock));
                }
                if cancel.is_some_and(CancelToken::is_waiting_stopped) {
                    return false;
                }
                clock.sleep(Duration::from_millis(50));
            }
            Err(e) => {
                tracing::warn!("unlocking the tray (PREVENT ALLOW MEDIUM REMOVAL, Prevent=0): {e}");
                return true;
            }
        }
    }
}

impl Drop for TrayLock {
    fn drop(&mut self) {
        if !self.locked {
            return;
        }
        if self.behind_a_hung_command {
            let rec = Arc::clone(&self.rec);
            let later = move || {
                unlock(&rec, None, &mut |_| {});
            };
            if std::thread::Builder::new().spawn(later).is_err() {
                tracing::warn!("the tray stays locked: no thread to unlock it from");
            }
            return;
        }
        if let Err(e) = self.rec.allow_media_removal() {
            tracing::warn!("unlocking the tray (PREVENT ALLOW MEDIUM REMOVAL, Prevent=0): {e}");
        }
    }
}

/// MODE SENSE page 05h (Write Parameters, MMC-6 §7.5.4), `set` what the burn needs,
/// MODE SELECT it back; a drive that cannot say its page starts from the defaults. The
/// Parameters Savable bit is cleared, as MODE SELECT wants.
pub(crate) fn update_write_parameters(
    rec: &Recorder,
    set: impl FnOnce(&mut WriteParametersPage),
) -> Result<(), Error> {
    let mut buf = [0u8; 8 + 2 + 0x36];
    let mut page = match rec.command_in(&ModeSense10::current(0x05, buf.len() as u16), &mut buf) {
        Ok(n) => find_page::<WriteParametersPage>(&buf[..n]).unwrap_or_default(),
        Err(e) => {
            tracing::debug!("MODE SENSE page 05h: {e}; starting from defaults");
            WriteParametersPage::default()
        }
    };
    set(&mut page);
    page.ps = false;
    let mut list = [0u8; 8 + 2 + 0x36];
    let len = mode_select_list(&page, &mut list)?;
    rec.command(
        &ModeSelect10::new(len as u16),
        DataPhase::Out(&list[..len]),
        DEFAULT_COMMAND_TIMEOUT,
    )?;
    Ok(())
}

/// One WRITE(10) of `blocks` at `lba` (negative in a CD's lead-in and first pre-gap,
/// sent in two's complement) outside the write engine — a pre-gap, a CD-Text lead-in —
/// retried while the drive answers LONG WRITE IN PROGRESS: its buffer is empty here, so
/// the wait is brief.
pub(crate) fn write_outside_engine(
    rec: &Recorder,
    lba: i64,
    blocks: u32,
    data: &[u8],
) -> Result<(), Error> {
    let cdb = Write10 {
        lba: lba as i32 as u32,
        blocks: u16::try_from(blocks).unwrap_or(u16::MAX),
        dpo: false,
        fua: false,
    };
    let mut tries = 0;
    loop {
        match rec.command(&cdb, DataPhase::Out(data), DEFAULT_COMMAND_TIMEOUT) {
            Ok(_) => return Ok(()),
            Err(e) if medium::not_ready_in_progress(&e) && tries < 100 => {
                tries += 1;
                rec.clock().sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(e),
        }
    }
}
