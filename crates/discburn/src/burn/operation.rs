//! One operation on the drive: the recorder, the cancel token, the event sink and the phase
//! clock.

use std::sync::Arc;
use std::time::Duration;

use crate::engine::CancelToken;
use crate::recorder::Recorder;

use super::ops;
use super::{BurnError, BurnEvent, BurnPhase, Note};

/// One operation on the drive (a burn, blank, format, fix or read-back): the recorder,
/// the cancel token, the event sink and the phase clock.
pub(super) struct Operation<'a> {
    pub(super) rec: &'a Arc<Recorder>,
    pub(super) cancel: &'a CancelToken,
    pub(super) on_event: &'a mut dyn FnMut(&BurnEvent),
    pub(super) started: Duration,
    pub(super) phase: Option<(BurnPhase, Duration)>,
    pub(super) phases: Vec<(BurnPhase, Duration)>,
    /// Once the first WRITE is sent: the last LBA the drive has accepted.
    pub(super) written_up_to: Option<i32>,
}

impl<'a> Operation<'a> {
    /// Starts the clock and the first phase, checking the medium. A drive still busy
    /// with an earlier operation (a flush it was left doing after a cancel, a background
    /// format) answers NOT READY to everything: wait for it here, with progress and
    /// cancel, rather than read a medium it cannot describe yet.
    pub(super) fn start(
        rec: &'a Arc<Recorder>,
        cancel: &'a CancelToken,
        on_event: &'a mut dyn FnMut(&BurnEvent),
    ) -> Result<Self, BurnError> {
        let mut run = Operation {
            rec,
            cancel,
            on_event,
            started: rec.clock().now(),
            phase: None,
            phases: Vec::new(),
            written_up_to: None,
        };
        run.phase(BurnPhase::ValidatingMedia);
        let now = run.now();
        ops::wait_ready(
            rec,
            BurnPhase::ValidatingMedia,
            ops::Ceiling::Close,
            now,
            cancel,
            &mut *run.on_event,
        )
        .map_err(|e| BurnError::device("waiting for the drive to become ready", e))?;
        Ok(run)
    }

    pub(super) fn now(&self) -> Duration {
        self.rec.clock().now()
    }

    /// Ends the current phase at `now`, recording how long it took.
    pub(super) fn end_phase(&mut self, now: Duration) {
        if let Some((p, t)) = self.phase.take() {
            self.phases.push((p, now.saturating_sub(t)));
        }
    }

    pub(super) fn phase(&mut self, phase: BurnPhase) {
        let now = self.now();
        self.end_phase(now);
        self.phase = Some((phase, now));
        (self.on_event)(&BurnEvent::Phase {
            phase,
            elapsed: now.saturating_sub(self.started),
        });
    }

    pub(super) fn note(&mut self, note: Note) {
        tracing::info!("{note:?}");
        (self.on_event)(&BurnEvent::Note(note));
    }

    pub(super) fn check_cancel(&self) -> Result<(), BurnError> {
        if self.cancel.is_cancelled() {
            Err(BurnError::Cancelled {
                last_written_lba: None,
            })
        } else {
            Ok(())
        }
    }

    pub(super) fn finish_phases(&mut self) -> Vec<(BurnPhase, Duration)> {
        self.end_phase(self.now());
        std::mem::take(&mut self.phases)
    }
}
