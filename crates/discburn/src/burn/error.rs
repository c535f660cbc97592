//! Why a burn did not succeed: [`BurnError`] and [`Unsuitable`], with their HRESULTs.

use std::io;
use std::path::{Path, PathBuf};

use discburn_mmc::profile::Profile;

use crate::error::{Error, ErrorKind, SenseInfo};
use crate::hresult::{self, HResult};
use crate::iso::IsoError;
use crate::verify::VerifyReport;

use super::medium;

/// A request that does not suit the source or the disc in the drive (a
/// [`BurnError::Unsuitable`]): each says what is wrong; what to do instead depends on the
/// interface (a command line names its flags), so it is left to the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unsuitable {
    /// Session-At-Once needs the track's length for the cue sheet before the first
    /// sector (MMC-6 §6.34), and the stream's is unknown.
    #[error("Session-At-Once sends the track's length in the cue sheet before the first sector, and {label} is a stream of unknown length")]
    StreamLengthForSao {
        /// The stream.
        label: String,
    },
    /// A random-access medium has no track to end where a stream of unknown length does.
    #[error("{label} is a stream of unknown length, and a {profile} has no track that could end where the stream does")]
    StreamLengthForRandomAccess {
        /// The stream.
        label: String,
        /// What is in the drive.
        profile: Profile,
    },
    /// Only a folder can be merged into the ISO 9660 volume on a rewritable disc.
    #[error("the {profile} holds the ISO 9660 volume \"{volume_id}\" and {label} cannot be merged into it (only a folder can)")]
    CannotMerge {
        /// What is in the drive.
        profile: Profile,
        /// The volume's identifier.
        volume_id: String,
        /// The image or stream.
        label: String,
    },
    /// Session-At-Once is a CD write mode (MMC-6 §4.3.4).
    #[error("Session-At-Once is a CD write mode; a {profile} is written without it")]
    SaoNotOnCd {
        /// What is in the drive.
        profile: Profile,
    },
    /// A blank sequential disc: nothing to close.
    #[error("the {profile} in the drive is blank: there is nothing to close")]
    NothingToClose {
        /// What is in the drive.
        profile: Profile,
    },
    /// Closing the session was asked, and every session is closed.
    #[error("the {profile} in the drive has no open session: its sessions are closed and it stays appendable")]
    NoOpenSession {
        /// What is in the drive.
        profile: Profile,
    },
    /// A track or session was named on a disc that has none to choose from.
    #[error("the {profile} in the drive has no tracks or sessions to choose from")]
    NoTracksToChoose {
        /// What is in the drive.
        profile: Profile,
    },
    /// Formatting a sequential DVD-RW changes its mode (to restricted overwrite, MMC-6
    /// §4.5.4) and erases it: done only when asked for.
    #[error("formatting the {profile} makes it restricted overwrite (written in place, as a DVD+RW) and erases what it holds")]
    ModeChangeNotAsked {
        /// What is in the drive.
        profile: Profile,
    },
    /// Restricted overwrite and the quick/full choice are DVD-RW's alone.
    #[error("a {profile} has no restricted overwrite mode: only a DVD-RW is formatted to it")]
    NotDvdRw {
        /// What is in the drive.
        profile: Profile,
    },
    /// BLANK is for CD-RW and DVD-RW (MMC-6 §6.2).
    #[error("a {profile} cannot be blanked{}", if *rewritable_in_place { ": it is overwritten in place" } else { " (only CD-RW and DVD-RW can)" })]
    CannotBlank {
        /// What is in the drive.
        profile: Profile,
        /// It is rewritable in place (formatted instead of blanked).
        rewritable_in_place: bool,
    },
}

/// Why a burn (or blank, format, verify) did not succeed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BurnError {
    /// The drive answered an error while doing `step`.
    #[error("{step} failed: {source}")]
    Device {
        /// What was being done.
        step: &'static str,
        /// The device error (sense, CDB, HRESULT).
        #[source]
        source: Error,
        /// The failure came after the first WRITE was sent: the drive was opened and
        /// prepared, and the disc may hold part of the data.
        writing_began: bool,
    },
    /// No disc in the drive.
    #[error("there is no disc in the drive")]
    NoMedium,
    /// The medium cannot be written by this workflow.
    #[error("the {profile} in the drive cannot be written: it is read-only (a pressed disc, or a recordable disc that the drive reports as read-only once finalized)")]
    NotWritable {
        /// What is in the drive.
        profile: Profile,
    },
    /// The disc is finalized.
    #[error("the {profile} in the drive is closed (finalized): nothing more can be written to it")]
    Closed {
        /// What is in the drive.
        profile: Profile,
    },
    /// The disc must be blank for this.
    #[error("the {profile} in the drive is not blank: {why}")]
    NotBlank {
        /// What is in the drive.
        profile: Profile,
        /// Why blank is needed.
        why: String,
    },
    /// The image does not fit.
    #[error("{what} needs {needed} sectors but the {profile} has only {free} sectors free")]
    TooLarge {
        /// What was to be written.
        what: String,
        /// Sectors needed.
        needed: u64,
        /// Sectors free.
        free: u64,
        /// What is in the drive.
        profile: Profile,
    },
    /// Test Write is not defined for this medium.
    #[error("Test Write (simulation) is not possible on {profile}: only CD-R, CD-RW, DVD-R and DVD-RW support it")]
    TestWriteUnsupported {
        /// What is in the drive.
        profile: Profile,
    },
    /// An image file is not whole 2048-byte sectors.
    #[error("{} is {bytes} bytes, not a whole number of 2048-byte sectors (is it a data image?)", path.display())]
    NotWholeSectors {
        /// The file.
        path: PathBuf,
        /// Its size.
        bytes: u64,
    },
    /// The image path is not an image file.
    #[error("{} is {what}: an image is a file of 2048-byte sectors", path.display())]
    NotAnImageFile {
        /// The path.
        path: PathBuf,
        /// What it is instead.
        what: &'static str,
    },
    /// An ISO 9660 image mastered for an earlier start (sector 0, or an
    /// earlier session) would land at `start_lba`: its volume descriptors and
    /// directories point at sectors before it, so the disc would not be
    /// readable (the class of `growisofs -M` without relocation; ECMA-119 §8.4).
    #[error("{label} is an ISO 9660 image addressed for an earlier start (its root directory is at sector {root_extent}; a plain image is addressed from sector 0) but it would be written at sector {start_lba}, the disc's next writable address: its directories would point at sectors before it and the disc could not be read")]
    ImageAddressedElsewhere {
        /// The image.
        label: String,
        /// Where it would be written.
        start_lba: u32,
        /// The root directory's extent (ECMA-119 §9.1.3 in the PVD).
        root_extent: u32,
        /// The last session's start, for `mkisofs -C LAST,NEXT`.
        last_session: Option<u32>,
    },
    /// An open-ended or sized stream ended before its declared length.
    #[error("{label} ended after {arrived} of {expected} sectors; the track is left as written ({arrived} sectors from sector {start_lba}, not closed)")]
    StreamShort {
        /// The stream.
        label: String,
        /// Sectors that arrived (and were written).
        arrived: u64,
        /// Sectors declared (--size).
        expected: u64,
        /// Where the track starts.
        start_lba: u32,
    },
    /// `verify`: the disc holds a different number of sectors than the image.
    #[error("{}", verify_length_text(image, *start_lba, *disc_sectors, *image_sectors))]
    LengthsDiffer {
        /// The image file.
        image: PathBuf,
        /// Where the comparison started.
        start_lba: u32,
        /// Sectors the disc's track holds from there.
        disc_sectors: u64,
        /// Sectors of the image.
        image_sectors: u64,
    },
    /// Verify stopped at a transport failure (connection lost, drive gone,
    /// disc removed): the rest was not compared.
    #[error("verification stopped at sector {lba} after comparing {compared} sectors: {message}; the rest was not compared")]
    VerifyStopped {
        /// The LBA whose READ failed.
        lba: u32,
        /// Sectors compared before it.
        compared: u64,
        /// The failure.
        message: String,
    },
    /// The source could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Source {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A folder could not be mastered.
    #[error(transparent)]
    Iso(#[from] IsoError),
    /// The read-back differs from the source.
    #[error("verification failed: {} bad sector(s) in {} range(s)", .0.bad_sectors(), .0.bad.len())]
    VerifyFailed(Box<VerifyReport>),
    /// The disc's file system, read back, does not hold the folder's files
    /// ([`verify_files`](super::verify_files)).
    #[error("the disc's file system differs from {}: {} difference(s)", .dir.display(), .check.problems.len() as u64 + .check.more_problems)]
    FilesDiffer {
        /// The folder.
        dir: PathBuf,
        /// What was found.
        check: Box<crate::iso::TreeCheck>,
    },
    /// After "successful" commands, the disc does not hold what was written.
    #[error("the drive accepted the data but the disc does not show it: {0}")]
    NotRecorded(String),
    /// The request is not possible with this drive or medium.
    #[error("{0}")]
    Unsupported(String),
    /// The request does not suit this source, disc or option: what is wrong, with the
    /// data an interface needs to say what to do instead.
    #[error("{0}")]
    Unsuitable(Unsuitable),
    /// A second cancel gave up waiting for the drive in a step it cannot be stopped in
    /// (SYNCHRONIZE CACHE, CLOSE TRACK/SESSION): nothing is known of the disc's state.
    #[error("stopped waiting for the drive, which may still be {doing}: the disc's state is unknown (not all the data may be on it, and it is probably not closed){}; the tray unlocks once the drive answers", sent_up_to(*last_written_lba))]
    Abandoned {
        /// What the drive was doing.
        doing: &'static str,
        /// The last LBA the drive accepted (IWriteEngine2EventArgs LastWrittenLba),
        /// when the write had begun.
        last_written_lba: Option<i32>,
    },
    /// The burn went through but re-reading the disc afterwards failed, so what it
    /// holds could not be checked.
    #[error("the burn's result could not be confirmed: {0}")]
    Unconfirmed(String),
    /// Cancelled by the user. The drive's cache was synchronised before this was returned.
    #[error("cancelled{}", cancelled_at(*last_written_lba))]
    Cancelled {
        /// The last LBA the drive accepted before the cancel (IWriteEngine2EventArgs
        /// LastWrittenLba), when the write had begun.
        last_written_lba: Option<i32>,
    },
}

pub(super) fn verify_length_text(image: &Path, start: u32, disc: u64, img: u64) -> String {
    if img > disc {
        format!(
            "verification failed: {} is longer than what the disc holds from sector {start} ({img} vs {disc} sectors)",
            image.display()
        )
    } else {
        format!(
            "verification failed: the disc's track holds {disc} sectors from sector {start} but {} has {img}: the lengths differ",
            image.display()
        )
    }
}

pub(super) fn sent_up_to(lba: Option<i32>) -> String {
    lba.map_or_else(String::new, |l| {
        format!("; the last sector the drive accepted was LBA {l}")
    })
}

pub(super) fn cancelled_at(lba: Option<i32>) -> String {
    match lba {
        Some(l) => {
            format!(": the drive holds the sectors up to LBA {l}; nothing after it was written")
        }
        None => String::new(),
    }
}

impl BurnError {
    /// A device error during `step`, recognising no-medium and cancel.
    pub fn device(step: &'static str, e: Error) -> BurnError {
        if medium::no_medium(&e) {
            BurnError::NoMedium
        } else if matches!(e.kind(), ErrorKind::Cancelled) {
            BurnError::Cancelled {
                last_written_lba: e.last_written_lba(),
            }
        } else if let ErrorKind::Abandoned(doing) = e.kind() {
            BurnError::Abandoned {
                doing,
                last_written_lba: e.last_written_lba(),
            }
        } else {
            BurnError::Device {
                step,
                source: e,
                writing_began: false,
            }
        }
    }

    /// This error, known to have come after the first WRITE, with `last`, the last LBA
    /// the drive accepted, where the error does not carry it yet.
    pub(super) fn after_writing(self, last: Option<i32>) -> BurnError {
        match self {
            BurnError::Device { step, source, .. } => BurnError::Device {
                step,
                source: match (source.last_written_lba(), last) {
                    (None, Some(l)) => source.with_last_written_lba(l),
                    _ => source,
                },
                writing_began: true,
            },
            BurnError::Abandoned {
                doing,
                last_written_lba,
            } => BurnError::Abandoned {
                doing,
                last_written_lba: last_written_lba.or(last),
            },
            BurnError::Cancelled { last_written_lba } => BurnError::Cancelled {
                last_written_lba: last_written_lba.or(last),
            },
            other => other,
        }
    }

    /// True when the failure came after the first WRITE was sent (the drive had been
    /// opened and prepared): a drive or connection lost then is a failed burn, not a
    /// drive that could not be opened.
    pub fn writing_began(&self) -> bool {
        match self {
            BurnError::Device { writing_began, .. } => *writing_began,
            BurnError::Abandoned { .. } | BurnError::Unconfirmed(_) => true,
            _ => false,
        }
    }

    pub(super) fn source(path: &Path, e: io::Error) -> BurnError {
        BurnError::Source {
            path: path.to_path_buf(),
            source: e,
        }
    }

    /// The IMAPI2 HRESULT this maps to.
    pub fn hresult(&self) -> HResult {
        match self {
            BurnError::Device { source, .. } => source.hresult(),
            BurnError::NoMedium => hresult::E_IMAPI_RECORDER_MEDIA_NO_MEDIA,
            BurnError::NotWritable { .. } => hresult::E_IMAPI_DF2DATA_MEDIA_IS_NOT_SUPPORTED,
            BurnError::Closed { .. } => hresult::E_IMAPI_DF2DATA_INVALID_MEDIA_STATE,
            BurnError::NotBlank { .. } => hresult::E_IMAPI_DF2DATA_MEDIA_NOT_BLANK,
            BurnError::TooLarge { .. } => {
                hresult::E_IMAPI_DF2DATA_STREAM_TOO_LARGE_FOR_CURRENT_MEDIA
            }
            BurnError::TestWriteUnsupported { .. } => {
                hresult::E_IMAPI_DF2DATA_MEDIA_IS_NOT_SUPPORTED
            }
            BurnError::NotWholeSectors { .. }
            | BurnError::NotAnImageFile { .. }
            | BurnError::StreamShort { .. } => hresult::E_IMAPI_DF2DATA_STREAM_NOT_SUPPORTED,
            BurnError::ImageAddressedElsewhere { .. } => {
                hresult::E_IMAPI_DF2DATA_INVALID_MEDIA_STATE
            }
            BurnError::LengthsDiffer { .. } => hresult::E_IMAPI_BURN_VERIFICATION_FAILED,
            BurnError::VerifyStopped { .. } => hresult::E_IMAPI_UNEXPECTED_RESPONSE_FROM_DEVICE,
            BurnError::Source { .. } | BurnError::Iso(_) => {
                hresult::E_IMAPI_DF2DATA_STREAM_NOT_SUPPORTED
            }
            BurnError::VerifyFailed(_) | BurnError::FilesDiffer { .. } => {
                hresult::E_IMAPI_BURN_VERIFICATION_FAILED
            }
            BurnError::NotRecorded(_) => hresult::E_IMAPI_UNEXPECTED_RESPONSE_FROM_DEVICE,
            BurnError::Unsupported(_) | BurnError::Unsuitable(_) => {
                hresult::E_IMAPI_DF2DATA_RECORDER_NOT_SUPPORTED
            }
            BurnError::Cancelled { .. } | BurnError::Abandoned { .. } => {
                hresult::E_IMAPI_REQUEST_CANCELLED
            }
            BurnError::Unconfirmed(_) => hresult::E_IMAPI_UNEXPECTED_RESPONSE_FROM_DEVICE,
        }
    }

    /// The last LBA the drive accepted before the failure, where it is known
    /// (IWriteEngine2EventArgs::LastWrittenLba of the failed write).
    pub fn last_written_lba(&self) -> Option<i32> {
        match self {
            BurnError::Device { source, .. } => source.last_written_lba(),
            BurnError::Abandoned {
                last_written_lba, ..
            }
            | BurnError::Cancelled { last_written_lba } => *last_written_lba,
            _ => None,
        }
    }

    /// The device's sense behind the error, if any (raw bytes for the log).
    pub fn sense(&self) -> Option<&SenseInfo> {
        match self {
            BurnError::Device { source, .. } => source.sense_info(),
            _ => None,
        }
    }
}
