//! The gates every command passes before its handler: a pending unit attention, no
//! medium, a background (Immed) operation still running — and the time such operations take.

use crate::check::Check;
use discburn_mmc::sense::Asc;
use discburn_mmc::OpCode;
use std::time::Duration;

use super::{Busy, BusyKind, Fail, VirtualDrive};

impl VirtualDrive {
    /// The gates a command passes before its handler runs (SPC-4 §5.14 unit attention;
    /// MMC-6 §4.1 medium presence; the NOT READY of an Immed operation in progress).
    pub(super) fn gate(&mut self, op: OpCode) -> Result<(), Fail> {
        let now = self.clock.now();
        // SPC-4: INQUIRY, REQUEST SENSE (and MMC's GET CONFIGURATION / GET EVENT STATUS)
        // do not report a pending unit attention.
        let no_ua = matches!(
            op,
            OpCode::Inquiry
                | OpCode::RequestSense
                | OpCode::GetConfiguration
                | OpCode::GetEventStatusNotification
        );
        if !no_ua {
            if let Some(ua) = self.unit_attention.take() {
                return Err(ua.into());
            }
        }
        let media_free = no_ua
            || matches!(
                op,
                OpCode::ModeSense10
                    | OpCode::ModeSelect10
                    | OpCode::StartStopUnit
                    | OpCode::PreventAllowMediumRemoval
                    | OpCode::MechanismStatus
                    | OpCode::GetPerformance
                    | OpCode::SetCdSpeed
                    | OpCode::SetStreaming
            );
        if !self.present && !media_free {
            return Err(Check::not_ready(Asc::MEDIUM_NOT_PRESENT).into());
        }
        // PREVENT ALLOW MEDIUM REMOVAL only sets the tray lock: accepted while flushing or
        // closing, as drives do, so a burn cancelled mid-flush can unlock at once.
        let during_busy = no_ua
            || matches!(
                op,
                OpCode::ModeSense10
                    | OpCode::PreventAllowMediumRemoval
                    | OpCode::ReadBufferCapacity
                    | OpCode::GetPerformance
                    | OpCode::MechanismStatus
            );
        if !during_busy {
            if let Some(c) = self.busy_check(now) {
                return Err(c.into());
            }
        }
        Ok(())
    }
    /// Takes `d` of drive time: in the background with Immed (TEST UNIT READY reports
    /// progress until done), else on the clock, or into a timeout if `d` exceeds it (the
    /// operation still completes in the background, as on a real drive).
    pub(super) fn take_time(
        &mut self,
        d: Duration,
        immed: bool,
        kind: BusyKind,
        timeout: Duration,
    ) -> Result<(), Fail> {
        if !self.cfg.throttle || d.is_zero() {
            return Ok(());
        }
        let now = self.clock.now();
        if immed {
            self.busy = Some(Busy {
                kind,
                start: now,
                end: now + d,
            });
            return Ok(());
        }
        if d > timeout {
            self.clock.sleep(timeout);
            self.busy = Some(Busy {
                kind,
                start: now,
                end: now + d,
            });
            return Err(Fail::Timeout(timeout));
        }
        self.clock.sleep(d);
        Ok(())
    }

    /// The NOT READY condition of a running background operation, with progress.
    pub(super) fn busy_check(&mut self, now: Duration) -> Option<Check> {
        let b = self.busy?;
        if now >= b.end {
            self.busy = None;
            return None;
        }
        let total = (b.end - b.start).as_secs_f64().max(1e-9);
        let done = ((now - b.start).as_secs_f64() / total * 65536.0).min(65535.0) as u16;
        let c = match b.kind {
            BusyKind::Format => Check::not_ready(Asc::FORMAT_IN_PROGRESS),
            BusyKind::Operation => Check::not_ready(Asc::OPERATION_IN_PROGRESS),
        };
        Some(c.with_progress(done))
    }
}
