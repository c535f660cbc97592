//! `discburn fix` (cdrecord -fix): closes an appendable disc without writing. An
//! interrupted burn leaves its track open; a multi-session burn leaves the disc
//! appendable. This closes the open track (CLOSE TRACK, MMC-6 §6.3 function 001b),
//! then closes the session or finalizes the disc with the function the burn itself
//! uses for the medium ([`super::prepare::close_session`]).

use std::sync::Arc;

use discburn_mmc::disc::{DiscStatus, SessionState};

use crate::engine::CancelToken;
use crate::recorder::Recorder;

use super::medium::{inspect, Medium, Recording};
use super::{prepare, BurnError, BurnEvent, BurnPhase, Closing, Note, Operation, Unsuitable};

/// What `discburn fix` did.
#[derive(Debug, Clone)]
pub struct FixReport {
    /// The medium before.
    pub before: Medium,
    /// The medium after.
    pub after: Medium,
    /// The open track that was closed first, if there was one.
    pub closed_track: Option<u16>,
    /// Session closed (disc left appendable), or disc finalized.
    pub closing: Closing,
}

/// The open (incomplete) track an interrupted burn leaves: recorded, still writable
/// (a DVD-R track reserved for Disc-At-Once is followed by the blank invisible track).
fn open_track(m: &Medium) -> Option<u16> {
    m.tracks
        .iter()
        .rev()
        .find(|t| !t.blank && t.nwa.is_some())
        .map(|t| t.number)
}

/// Whether the last session holds recorded data and is not closed yet.
fn open_session(m: &Medium) -> bool {
    m.disc
        .as_ref()
        .is_some_and(|d| d.last_session_state == SessionState::Incomplete)
        || open_track(m).is_some()
}

/// Closes the open track and session of an appendable disc, and finalizes it unless
/// `closing` is [`Closing::Session`]. Refuses a blank, closed or random-access medium
/// before sending anything.
pub fn fix(
    rec: &Arc<Recorder>,
    closing: Closing,
    cancel: &CancelToken,
    on_event: &mut dyn FnMut(&BurnEvent),
) -> Result<FixReport, BurnError> {
    let mut run = Operation::start(rec, cancel, on_event)?;
    let before = inspect(rec)?;
    let profile = before.profile;
    match before.recording {
        Recording::ReadOnly => return Err(BurnError::NotWritable { profile }),
        Recording::RandomAccess => {
            return Err(BurnError::Unsupported(format!(
                "the {profile} in the drive is rewritable at any sector: it has no tracks or sessions to close"
            )))
        }
        Recording::Sequential => {}
    }
    if before.is_closed() {
        return Err(BurnError::Closed { profile });
    }
    if before.is_blank() || before.status() != Some(DiscStatus::Incomplete) {
        return Err(BurnError::Unsuitable(Unsuitable::NothingToClose {
            profile,
        }));
    }
    let track = open_track(&before);
    if closing == Closing::Session && !open_session(&before) {
        return Err(BurnError::Unsuitable(Unsuitable::NoOpenSession { profile }));
    }
    run.note(Note::Disc(before.clone()));
    if let Err(e) = rec.acquire_exclusive_access(false, "discburn") {
        return Err(BurnError::device("taking exclusive access to the drive", e));
    }
    let result = close_locked(&mut run, &before, track, closing);
    if let Err(e) = rec.release_exclusive_access() {
        tracing::warn!("releasing exclusive access: {e}");
    }
    result?;
    run.phase(BurnPhase::ValidatingMedia);
    let after = inspect(rec)?;
    let done = match closing {
        Closing::Disc => after.is_closed(),
        Closing::Session => !open_session(&after),
    };
    if !done {
        return Err(BurnError::NotRecorded(format!(
            "the drive accepted the close but the disc is still {}",
            after.summary()
        )));
    }
    run.phase(BurnPhase::Completed);
    Ok(FixReport {
        before,
        after,
        closed_track: track,
        closing,
    })
}

fn close_locked(
    run: &mut Operation<'_>,
    before: &Medium,
    track: Option<u16>,
    closing: Closing,
) -> Result<(), BurnError> {
    if let Some(n) = track {
        run.note(Note::ClosingOpenTrack { track: n });
        prepare::close_track(run, n)?;
    }
    run.check_cancel()?;
    run.phase(BurnPhase::InitializingHardware);
    prepare::set_closing_parameters(run.rec, before.profile, closing)?;
    prepare::close_session(run, before.profile, closing)
}
