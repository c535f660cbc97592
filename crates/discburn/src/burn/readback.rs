//! Read-back: verifying a disc against an image through the drive.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use discburn_mmc::profile::Profile;
use discburn_mmc::sense::{Refusal, SenseKey};
use discburn_mmc::wire;

use crate::engine::CancelToken;
use crate::error::ErrorKind;
use crate::recorder::Recorder;
use crate::verify::{self, Digest, ReadBack, ReadFailure, VerifyReport};

use super::grow::read_failure_text;
use super::{image_sectors, open_image, BurnError, BurnEvent, BurnPhase, Head, Note, Operation};
use super::{inspect, Medium, Recording};

/// Reads back through the recorder with FUA.
pub struct RecorderReadBack<'a>(pub &'a Recorder);

impl ReadBack for RecorderReadBack<'_> {
    fn read_sectors(
        &mut self,
        lba: u32,
        count: u32,
        fua: bool,
        buf: &mut [u8],
    ) -> Result<(), ReadFailure> {
        self.0.read_blocks(lba, count, fua, buf).map_err(|e| {
            tracing::debug!("READ(12) lba {lba} count {count}: {e}");
            // The connection, the drive or the disc is gone (not a bad sector):
            // NOT READY (which includes no medium) or a transport failure.
            let transport = matches!(e.kind(), ErrorKind::Transport(_))
                || e.sense_info()
                    .is_some_and(|s| s.key() == SenseKey::NotReady);
            ReadFailure {
                message: match e.kind() {
                    ErrorKind::InvalidResponse(wire::Error::Truncated { needed, available }) => {
                        format!("the drive returned {available} of {needed} bytes")
                    }
                    _ => read_failure_text(&e),
                },
                fua_refused: fua && e.refusal() == Some(Refusal::InvalidField),
                transport,
            }
        })
    }
}

/// A verify pass that stopped at a transport failure, as the error.
pub(super) fn stopped(report: &VerifyReport) -> Result<(), BurnError> {
    match &report.stopped {
        Some(stop) => Err(BurnError::VerifyStopped {
            lba: stop.lba,
            compared: report.sectors,
            message: stop.message.clone(),
        }),
        None => Ok(()),
    }
}

pub(super) fn run_verify(
    run: &mut Operation<'_>,
    start_lba: u32,
    digest: &Digest,
    source: Option<&mut dyn verify::SourceSectors>,
) -> VerifyReport {
    let rec = run.rec;
    let clock = rec.clock().clone();
    let cancel = run.cancel.clone();
    let on_event = &mut *run.on_event;
    verify::verify(
        &mut RecorderReadBack(rec),
        start_lba,
        digest,
        source,
        &clock,
        &|| cancel.is_cancelled(),
        &mut |p| on_event(&BurnEvent::Verify(p)),
    )
}

/// Sectors after a shorter image that may be padding a burner added: growisofs
/// 16 KiB (8), cdrecord `-pad` 30 KiB (15), libburn 300 KiB (150), the CD SAO
/// minimum track of 300 sectors, DVD-R ECC-block rounding (15). More than this
/// is not padding.
pub(super) const MAX_TRAILING_PAD: u64 = 300;

/// CD TAO tracks end in 2 run-out sectors that READ TRACK INFORMATION counts
/// in the track and that read as errors (MMC-6 §6.27.3.7; cdrecord's "-pad"
/// exists because of them).
pub(super) const CD_RUN_OUT: u64 = 2;

/// `discburn verify IMAGE`: reads the disc from `start_lba` (default: the
/// last session's first track, or 0) and compares it with the image file.
///
/// Lengths: on a sequential medium the track (or the session's tracks) that
/// starts there must hold as many sectors as the image. A track longer than
/// the image is accepted only when what follows the image is padding — at
/// most 300 zero sectors (growisofs, cdrecord and libburn padding), the last 2 of a CD
/// track also unreadable — and a note says so; otherwise the lengths differ
/// ([`BurnError::LengthsDiffer`]). An image longer than what the disc holds
/// is a verify failure too. On a random-access medium only a longer image
/// is (its capacity is no track length).
pub fn verify_image(
    rec: &Arc<Recorder>,
    image: &Path,
    start_lba: Option<u32>,
    cancel: &CancelToken,
    on_event: &mut dyn FnMut(&BurnEvent),
) -> Result<VerifyReport, BurnError> {
    let sectors = image_sectors(image)?;
    let mut run = Operation::start(rec, cancel, on_event)?;
    let medium = inspect(rec)?;
    let start = match start_lba {
        Some(l) => l,
        None => medium.last_session_start().unwrap_or(0),
    };
    let held = match medium.recording {
        Recording::Sequential => track_length(&medium, start),
        _ => Some(medium.capacity_sectors.saturating_sub(u64::from(start))),
    };
    let held = held.unwrap_or(0);
    let differ = || BurnError::LengthsDiffer {
        image: image.to_path_buf(),
        start_lba: start,
        disc_sectors: held,
        image_sectors: sectors,
    };
    if sectors > held {
        return Err(differ());
    }
    run.note(Note::Comparing {
        image: image.to_path_buf(),
        sectors,
        start_lba: start,
    });
    if let Some(note) = misplaced_iso_note(image, sectors, start) {
        run.note(note);
    }
    let digest = Digest::of_reader(
        File::open(image).map_err(|e| BurnError::source(image, e))?,
        sectors,
        2048,
    )
    .map_err(|e| BurnError::source(image, e))?;
    run.phase(BurnPhase::Verifying);
    let mut file = File::open(image).map_err(|e| BurnError::source(image, e))?;
    let report = run_verify(&mut run, start, &digest, Some(&mut file));
    run.phase(BurnPhase::Completed);
    if cancel.is_cancelled() {
        return Err(BurnError::Cancelled {
            last_written_lba: None,
        });
    }
    stopped(&report)?;
    if !report.is_ok() {
        return Err(BurnError::VerifyFailed(Box::new(report)));
    }
    if medium.recording == Recording::Sequential && held > sectors {
        let extra = held - sectors;
        let is_cd = matches!(medium.profile, Profile::CdR | Profile::CdRw);
        let first = u64::from(start) + sectors;
        if extra > MAX_TRAILING_PAD || !trailing_padding(rec, first, extra, is_cd) {
            return Err(differ());
        }
        run.note(Note::TrailingPadding {
            sectors: extra,
            cd: is_cd,
        });
    }
    Ok(report)
}

/// Verify compares bytes: an image addressed from sector 0 found at a later
/// session matches, yet its file system cannot be read there. Said in a note.
pub(super) fn misplaced_iso_note(image: &Path, sectors: u64, start: u32) -> Option<Note> {
    if start == 0 {
        return None;
    }
    let (_, head) = open_image(image, sectors).ok()?;
    match head {
        Head::Iso9660 { root_extent } if root_extent < start => Some(Note::MisplacedImage {
            image: image.to_path_buf(),
            root_extent,
            start_lba: start,
        }),
        _ => None,
    }
}

/// Sectors the disc holds from `start` in the track holding it and the
/// later recorded tracks of its session; `None` when no recorded track holds it.
pub(super) fn track_length(medium: &Medium, start: u32) -> Option<u64> {
    let t = medium.tracks.iter().find(|t| {
        !t.blank && t.start <= start && u64::from(start) < u64::from(t.start) + u64::from(t.size)
    })?;
    let end = medium
        .tracks
        .iter()
        .filter(|u| !u.blank && u.session == t.session && u.start >= t.start)
        .map(|u| u64::from(u.start) + u64::from(u.size))
        .max()?;
    Some(end - u64::from(start))
}

/// Whether the `count` sectors from `first` are padding: zeros, the last
/// [`CD_RUN_OUT`] of a CD track also unreadable.
pub(super) fn trailing_padding(rec: &Recorder, first: u64, count: u64, is_cd: bool) -> bool {
    let mut reader = RecorderReadBack(rec);
    let mut buf = vec![0u8; 2048];
    for i in 0..count {
        let Ok(lba) = u32::try_from(first + i) else {
            return false;
        };
        match reader.read_sectors(lba, 1, false, &mut buf) {
            Ok(()) if buf.iter().all(|&b| b == 0) => {}
            Ok(()) => return false,
            Err(_) if is_cd && count - i <= CD_RUN_OUT => {}
            Err(_) => return false,
        }
    }
    true
}

/// Verify by file system: reads the ISO 9660 trees of the disc's last session (or the
/// volume at sector 0 of a rewritable disc; `session_start` to name another) back
/// through the drive and compares every file of the folder `dir` with the disc's
/// ([`crate::iso::check_tree`]): what an operating system mounting the disc will see.
///
/// Fails with [`BurnError::FilesDiffer`] listing the differences, and as
/// [`crate::iso::check_tree`] does when no tree can be read.
pub fn verify_files(
    rec: &Arc<Recorder>,
    dir: &Path,
    session_start: Option<u32>,
    cancel: &CancelToken,
    on_event: &mut dyn FnMut(&BurnEvent),
) -> Result<crate::iso::TreeCheck, BurnError> {
    let mut run = Operation::start(rec, cancel, on_event)?;
    let medium = inspect(rec)?;
    let start = match session_start {
        Some(l) => l,
        None => medium.last_session_start().unwrap_or(0),
    };
    run.phase(BurnPhase::Verifying);
    let mut open = || -> Box<dyn crate::iso::SectorRead> {
        Box::new(super::grow::DiscSectors(Arc::clone(rec)))
    };
    // Where UDF looks for its last anchor: the end of what is recorded (sequential
    // media), else the capacity; its first anchor, at 256, is what a reader uses.
    let recorded = match medium.recording {
        Recording::Sequential => medium
            .tracks
            .iter()
            .filter(|t| !t.blank)
            .map(|t| u64::from(t.start) + u64::from(t.size))
            .max()
            .unwrap_or(0),
        _ => medium.capacity_sectors,
    };
    let check = crate::iso::check_tree(&mut open, start, recorded, dir, &mut |_| ())?;
    run.phase(BurnPhase::Completed);
    if !check.is_ok() {
        return Err(BurnError::FilesDiffer {
            dir: dir.to_path_buf(),
            check: Box::new(check),
        });
    }
    Ok(check)
}
