//! The burn workflow: what IMAPI2's IDiscFormat2Data does around the write
//! engine, and what a user means by "burn this".
//!
//! [`burn`] checks the medium (present, recordable, blank or appendable, big
//! enough — a too-large image is refused **before** the first WRITE, with the
//! sizes in the message), prepares it (write parameters page 05h on CD and
//! DVD-R, RESERVE TRACK for DVD-R DAO, FORMAT UNIT where the medium needs it,
//! BD defect management as an explicit [`Spare`] choice), selects the speed,
//! writes through the [`WriteEngine`](crate::WriteEngine) at the next writable address, flushes
//! the cache, closes the track and the session or finalizes the disc, then
//! re-reads the disc and track information to confirm the disc is no longer
//! blank and holds what was written (a "success" on a blank disc is a bug
//! other burners shipped), and optionally [`verify`](crate::verify)s it.
//!
//! A folder burnt onto an appendable disc becomes a later session, as with
//! `growisofs -M`: addressed from the next writable address, its tree the
//! last session's merged with the folder's (see [`crate::iso`]), so a reader
//! mounting the last session sees the files of every session.
//!
//! On a rewritable medium (DVD+RW, DVD-RAM, BD-RE), which has no sessions, a
//! multi-session burn ([`Closing::Session`]) of a folder onto a disc holding
//! an ISO 9660 volume grows that volume as `growisofs -M` does: the new
//! session goes after the volume, SYNCHRONIZE CACHE, and only then the new
//! descriptor set is written over the old one at sector 16
//! ([`BurnPhase::UpdatingVolume`]), so a burn that stops before that leaves
//! the old volume readable. Otherwise (`growisofs -Z`) the image is written
//! from sector 0 and replaces the volume; an image file or stream cannot be
//! merged, so a multi-session burn of one onto a disc holding a volume is
//! refused.
//!
//! An image file or stream is written as it is, so one holding an ISO 9660
//! volume whose root directory lies before the address it would land at (an
//! image mastered for sector 0 onto an appendable disc, or after a track an
//! earlier attempt reserved) is refused before anything changes the medium
//! ([`BurnError::ImageAddressedElsewhere`]): its directories would point
//! before it. Other data at a later address is written with a note saying
//! where it starts. An image file is opened and its first and last sectors
//! read before FORMAT UNIT, RESERVE TRACK or a mode page is sent. A stream of
//! unknown length ([`Source::OpenStream`]) is written to its end on sequential
//! media. [`BurnOptions::pad`] appends cdrecord's 15 zero sectors, and a CD
//! track written Session-At-Once is padded to its 300-sector minimum.
//!
//! Every step is a named [`BurnPhase`] with elapsed time and, for the long
//! ones, the drive's own progress ([`BurnEvent`]).

mod audio;
mod error;
mod fix;
mod grow;
mod medium;
mod note;
mod operation;
mod ops;
mod prepare;
mod read;
mod readback;
mod sha;
mod types;
mod write;

use std::sync::Arc;

use discburn_mmc::disc::DiscStatus;
use discburn_mmc::track::TrackAddress;

use crate::engine::CancelToken;
use crate::error::Error;
use crate::recorder::Recorder;

pub use audio::{
    audio_sectors, verify_audio_track, AudioError, AudioTrackReport, AudioVerify, DiscAtOnce,
    DiscTrack, TrackAtOnce, TrackFlags, TrackMode, AUDIO_SECTOR,
};
pub use fix::{fix, FixReport};
pub use medium::{inspect, read_capacity, Medium, Recording, TrackEntry};
pub use note::{LayerBreakKind, Note, WriteMode};
pub use prepare::{format_choices, FormatChoice};
pub use read::{read_image, ReadError, ReadExtent, ReadReport};

pub use error::{BurnError, Unsuitable};
use grow::{
    check_folder_lba, check_folder_start, check_rewrite, folder_image_note, iso_volume,
    later_session, update_volume, whole_block_rewrite,
};
use operation::Operation;
use readback::{run_verify, stopped};
pub use readback::{verify_files, verify_image, RecorderReadBack};
pub use types::{
    image_sectors, BurnEvent, BurnOptions, BurnPhase, BurnReport, Closing, FormatRequest, Source,
    Spare, SpeedChoice,
};
pub use write::burn;
use write::{not_an_image, open_image, Head};

/// `discburn blank`: erases a CD-RW or sequential DVD-RW (minimal, or full).
pub fn blank(
    rec: &Arc<Recorder>,
    full: bool,
    cancel: &CancelToken,
    on_event: &mut dyn FnMut(&BurnEvent),
) -> Result<Medium, BurnError> {
    drive_runs_to_its_end(rec, cancel, on_event, |run, medium| {
        prepare::blank(run, medium, full)
    })
}

/// `discburn format`: formats a DVD+RW, DVD-RAM, BD-RE, a blank BD-R with spare
/// areas, or a DVD-RW to restricted overwrite (quick 15h or full 10h).
pub fn format(
    rec: &Arc<Recorder>,
    request: FormatRequest,
    cancel: &CancelToken,
    on_event: &mut dyn FnMut(&BurnEvent),
) -> Result<Medium, BurnError> {
    drive_runs_to_its_end(rec, cancel, on_event, |run, medium| {
        prepare::format_medium(run, medium, request)
    })
}

/// Runs `step` (BLANK, FORMAT UNIT) on the medium in `rec` with the tray locked, and
/// gives the medium afterwards. A cancel leaves the drive going on with it: the tray
/// unlocks once the drive answers again, without waiting here.
fn drive_runs_to_its_end(
    rec: &Arc<Recorder>,
    cancel: &CancelToken,
    on_event: &mut dyn FnMut(&BurnEvent),
    step: impl FnOnce(&mut Operation<'_>, &Medium) -> Result<(), BurnError>,
) -> Result<Medium, BurnError> {
    let mut run = Operation::start(rec, cancel, on_event)?;
    let medium = inspect(rec)?;
    let mut tray = ops::TrayLock::engage(rec);
    let done = step(&mut run, &medium);
    if matches!(done, Err(BurnError::Cancelled { .. })) {
        tray.unlock_when_answered();
    }
    tray.release(cancel, &mut *run.on_event);
    done?;
    run.phase(BurnPhase::Completed);
    inspect(rec)
}

/// Whether the disc status means something was recorded.
pub fn is_recorded(status: Option<DiscStatus>) -> bool {
    matches!(status, Some(DiscStatus::Incomplete | DiscStatus::Complete))
}

/// READ TRACK INFORMATION for the track holding `lba`.
pub fn track_at(rec: &Recorder, lba: u32) -> Result<TrackEntry, Error> {
    rec.track_information(TrackAddress::Lba(lba))
        .map(|t| TrackEntry::from(&t))
}
