//! Closing: CLOSE TRACK and CLOSE SESSION per medium, and the write parameters a close
//! needs (page 05h multi-session bits on CD and DVD-R).

use discburn_mmc::mode::WriteType;
use discburn_mmc::profile::Profile;
use discburn_mmc::sense::Refusal;
use discburn_mmc::track::{CloseFunction, TrackAddress, INVISIBLE_TRACK};

use crate::recorder::Recorder;

use super::medium::{Medium, Recording};
use super::ops;
use super::{is_cd, set_write_parameters, uses_page_05, write_parameters_failed, Plan};
use super::{BurnError, BurnOptions, BurnPhase, Closing, Note, Operation};

/// After SYNCHRONIZE CACHE: CLOSE TRACK and CLOSE SESSION / finalize.
pub(crate) fn close(
    run: &mut Operation<'_>,
    medium: &Medium,
    plan: &Plan,
    opts: &BurnOptions,
) -> Result<Option<Closing>, BurnError> {
    let rec = run.rec;
    let profile = medium.profile;
    if plan.sao {
        // SYNCHRONIZE CACHE after the last sector made the drive write the lead-out and
        // close the session as the cue sheet and page 05h said.
        return Ok(if opts.test_write {
            run.note(Note::TestWriteNothingRecorded);
            None
        } else {
            Some(opts.closing)
        });
    }
    if opts.test_write {
        // The drive simulates the close too and then forgets the simulated track
        // (cdrecord's "fixating (simulation)"); the post-check confirms the disc is blank.
        run.phase(BurnPhase::ClosingTrack);
        match ops::close(
            rec,
            BurnPhase::ClosingTrack,
            CloseFunction::CloseTrack,
            INVISIBLE_TRACK as u16,
            run.cancel,
            run.on_event,
        ) {
            Ok(()) => {}
            Err(e)
                if matches!(
                    e.refusal(),
                    Some(Refusal::UnknownCommand | Refusal::Sequence | Refusal::InvalidField)
                ) =>
            {
                tracing::info!("simulated CLOSE TRACK refused ({e})");
            }
            Err(e) => return Err(BurnError::device("closing the simulated track", e)),
        }
        run.note(Note::TestWriteNothingRecorded);
        return Ok(None);
    }
    match medium.recording {
        Recording::RandomAccess => {
            if matches!(profile, Profile::DvdPlusRw | Profile::DvdPlusRwDl) {
                // Stops a background format with a compatible lead-out; harmless otherwise.
                run.phase(BurnPhase::ClosingSession);
                if let Err(e) = ops::close(
                    rec,
                    BurnPhase::ClosingSession,
                    CloseFunction::CloseSession,
                    0,
                    run.cancel,
                    run.on_event,
                ) {
                    if !matches!(e.refusal(), Some(Refusal::Sequence | Refusal::InvalidField)) {
                        return Err(BurnError::device("closing the DVD+RW session", e));
                    }
                }
            }
            Ok(None)
        }
        Recording::Sequential => {
            let track = rec
                .track_information(TrackAddress::Lba(plan.start_lba))
                .map(|t| t.track)
                .unwrap_or(INVISIBLE_TRACK as u16);
            close_track(run, track)?;
            close_session(run, profile, opts.closing)?;
            Ok(Some(opts.closing))
        }
        Recording::ReadOnly => Ok(None),
    }
}

/// CLOSE TRACK (MMC-6 §6.3, function 001b) on track `number`.
pub(crate) fn close_track(run: &mut Operation<'_>, number: u16) -> Result<(), BurnError> {
    run.phase(BurnPhase::ClosingTrack);
    match ops::close(
        run.rec,
        BurnPhase::ClosingTrack,
        CloseFunction::CloseTrack,
        number,
        run.cancel,
        run.on_event,
    ) {
        Ok(()) => Ok(()),
        // Some drives close the track themselves (DAO) or do not know the command.
        Err(e)
            if matches!(
                e.refusal(),
                Some(Refusal::UnknownCommand | Refusal::Sequence)
            ) =>
        {
            tracing::info!("CLOSE TRACK refused ({e}); continuing with the session");
            Ok(())
        }
        Err(e) => Err(BurnError::device("closing the track (CLOSE TRACK)", e)),
    }
}

/// CLOSE SESSION, or finalize the disc, with the close function right for the medium
/// (MMC-6 §6.3): on CD and DVD-R, CLOSE SESSION finalizes unless page 05h allowed a
/// next session; DVD+R and BD-R finalize with function 110b.
pub(crate) fn close_session(
    run: &mut Operation<'_>,
    profile: Profile,
    closing: Closing,
) -> Result<(), BurnError> {
    let (phase, function, what) = match (closing, profile) {
        (Closing::Session, _) => (
            BurnPhase::ClosingSession,
            CloseFunction::CloseSession,
            "closing the session (CLOSE SESSION)",
        ),
        (Closing::Disc, p) if uses_page_05(p) => (
            BurnPhase::Finalizing,
            CloseFunction::CloseSession,
            "finalizing the disc (CLOSE SESSION)",
        ),
        (Closing::Disc, _) => (
            BurnPhase::Finalizing,
            CloseFunction::FinalizeDisc,
            "finalizing the disc (CLOSE TRACK/SESSION 110b)",
        ),
    };
    run.phase(phase);
    ops::close(run.rec, phase, function, 0, run.cancel, run.on_event)
        .map_err(|e| BurnError::device(what, e))
}

/// Page 05h before closing without writing (`discburn fix`): on CD and DVD-R its
/// multi-session field is what decides whether CLOSE SESSION finalizes, and a drive
/// keeps whatever the last program set. Other media have no page 05h.
pub(crate) fn set_closing_parameters(
    rec: &Recorder,
    profile: Profile,
    closing: Closing,
) -> Result<(), BurnError> {
    if !uses_page_05(profile) {
        return Ok(());
    }
    let write_type = if is_cd(profile) {
        WriteType::Tao
    } else {
        WriteType::PacketIncremental
    };
    let opts = BurnOptions::default().with_closing(closing);
    set_write_parameters(rec, profile, write_type, &opts).map_err(write_parameters_failed)
}
