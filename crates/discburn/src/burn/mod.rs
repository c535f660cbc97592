//! The burn workflow: what IMAPI2's IDiscFormat2Data does around the write
//! engine, and what a user means by "burn this".
//!
//! [`burn`] checks the medium (present, recordable, blank or appendable, big
//! enough — a too-large image is refused **before** the first WRITE, with the
//! sizes in the message), prepares it (write parameters page 05h on CD and
//! DVD-R, RESERVE TRACK for DVD-R DAO, FORMAT UNIT where the medium needs it,
//! BD defect management as an explicit [`Spare`] choice), selects the speed,
//! writes through the [`WriteEngine`] at the next writable address, flushes
//! the cache, closes the track and the session or finalizes the disc, then
//! re-reads the disc and track information to confirm the disc is no longer
//! blank and holds what was written (a "success" on a blank disc is a bug
//! other burners shipped), and optionally [`verify`]s it.
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

mod fix;
mod medium;
mod ops;
mod prepare;
mod read;

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use discburn_mmc::disc::DiscStatus;
use discburn_mmc::profile::Profile;
use discburn_mmc::sense::{Refusal, SenseKey};
use discburn_mmc::track::TrackAddress;

use crate::engine::{CancelToken, Update, WriteEngine};
use crate::error::{Error, ErrorKind, SenseInfo};
use crate::hresult::{self, HResult};
use crate::iso::{FolderImage, IsoError, VolumeDescriptor};
use crate::recorder::Recorder;
use crate::verify::{
    self, Digest, HashingReader, ReadBack, ReadFailure, VerifyProgress, VerifyReport,
};

pub use fix::{fix, FixReport};
pub use medium::{inspect, read_capacity, Medium, Recording, TrackEntry};
pub use prepare::{format_choices, FormatChoice};
pub use read::{read_image, ReadError, ReadExtent, ReadReport};

/// The steps of a burn (IMAPI_FORMAT2_DATA_WRITE_ACTION, split finer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BurnPhase {
    /// Checking the medium (VALIDATING_MEDIA).
    ValidatingMedia,
    /// FORMAT UNIT (FORMATTING_MEDIA).
    FormattingMedia,
    /// BLANK (erasing a rewritable disc).
    Blanking,
    /// Write parameters, RESERVE TRACK, speed (INITIALIZING_HARDWARE).
    InitializingHardware,
    /// The write engine runs (WRITING_DATA).
    WritingData,
    /// SYNCHRONIZE CACHE (FINALIZATION).
    Synchronizing,
    /// A grown volume on rewritable media: the new volume descriptors written
    /// over the old ones at sector 16, after the session's data (FINALIZATION).
    UpdatingVolume,
    /// CLOSE TRACK (FINALIZATION).
    ClosingTrack,
    /// CLOSE SESSION, leaving the disc appendable (FINALIZATION).
    ClosingSession,
    /// Finalizing the disc (FINALIZATION).
    Finalizing,
    /// Reading back and comparing (VERIFYING).
    Verifying,
    /// Done (COMPLETED).
    Completed,
}

impl BurnPhase {
    /// Lower-case name for logs and JSON.
    pub fn name(self) -> &'static str {
        match self {
            BurnPhase::ValidatingMedia => "validating-media",
            BurnPhase::FormattingMedia => "formatting-media",
            BurnPhase::Blanking => "blanking",
            BurnPhase::InitializingHardware => "initializing-hardware",
            BurnPhase::WritingData => "writing-data",
            BurnPhase::Synchronizing => "synchronizing-cache",
            BurnPhase::UpdatingVolume => "updating-volume",
            BurnPhase::ClosingTrack => "closing-track",
            BurnPhase::ClosingSession => "closing-session",
            BurnPhase::Finalizing => "finalizing",
            BurnPhase::Verifying => "verifying",
            BurnPhase::Completed => "completed",
        }
    }

    /// A sentence fragment for humans.
    pub fn describe(self) -> &'static str {
        match self {
            BurnPhase::ValidatingMedia => "Checking the disc",
            BurnPhase::FormattingMedia => "Formatting the disc",
            BurnPhase::Blanking => "Erasing the disc",
            BurnPhase::InitializingHardware => "Preparing the drive",
            BurnPhase::WritingData => "Writing",
            BurnPhase::Synchronizing => "Flushing the drive's buffer to the disc",
            BurnPhase::UpdatingVolume => "Writing the new volume descriptors at sector 16",
            BurnPhase::ClosingTrack => "Closing the track",
            BurnPhase::ClosingSession => "Closing the session",
            BurnPhase::Finalizing => "Finalizing the disc",
            BurnPhase::Verifying => "Verifying",
            BurnPhase::Completed => "Done",
        }
    }

    /// A short label for a progress bar prefix.
    pub fn short(self) -> &'static str {
        match self {
            BurnPhase::ValidatingMedia => "checking",
            BurnPhase::FormattingMedia => "formatting",
            BurnPhase::Blanking => "blanking",
            BurnPhase::InitializingHardware => "preparing",
            BurnPhase::WritingData => "writing",
            BurnPhase::Synchronizing => "flushing",
            BurnPhase::UpdatingVolume => "updating",
            BurnPhase::ClosingTrack => "closing",
            BurnPhase::ClosingSession => "closing",
            BurnPhase::Finalizing => "finalizing",
            BurnPhase::Verifying => "verifying",
            BurnPhase::Completed => "done",
        }
    }

    /// The IMAPI_FORMAT2_DATA_WRITE_ACTION value.
    pub fn imapi_action(self) -> u8 {
        match self {
            BurnPhase::ValidatingMedia => 0,
            BurnPhase::FormattingMedia | BurnPhase::Blanking => 1,
            BurnPhase::InitializingHardware => 2,
            BurnPhase::WritingData => 4,
            BurnPhase::Synchronizing
            | BurnPhase::UpdatingVolume
            | BurnPhase::ClosingTrack
            | BurnPhase::ClosingSession
            | BurnPhase::Finalizing => 5,
            BurnPhase::Completed => 6,
            BurnPhase::Verifying => 7,
        }
    }
}

/// What the workflow reports while it runs.
#[derive(Debug, Clone)]
pub enum BurnEvent {
    /// A new step started; `elapsed` since the burn started.
    Phase {
        /// The step.
        phase: BurnPhase,
        /// Time since the burn started.
        elapsed: Duration,
    },
    /// Progress of a long step (flush, close, format, blank): the drive's
    /// own fraction when it reports one, and the time spent on the step.
    Step {
        /// The step.
        phase: BurnPhase,
        /// 0.0..=1.0 from the sense-key-specific bytes, when given.
        fraction: Option<f64>,
        /// Time in this step.
        elapsed: Duration,
    },
    /// A write engine event (every IWriteEngine2EventArgs field and more).
    Write(Update),
    /// Verify progress.
    Verify(VerifyProgress),
    /// Something the user should read (chosen speed, capacity, fall-backs).
    Note(String),
}

/// Requested write speed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SpeedChoice {
    /// The fastest the drive offers for this medium.
    Max,
    /// A multiple of the medium's 1x.
    Times(f64),
    /// kB/s (1000 bytes), as MMC speed fields count.
    KBps(u32),
}

/// BD defect management: the spare area (growisofs' spare:none|min|default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spare {
    /// No spare area: full capacity, full speed (BD-R: stays unformatted).
    None,
    /// The smallest spare area offered.
    Min,
    /// The drive's default spare area.
    Default,
}

/// How the disc is left after writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    /// Close the session; the disc stays appendable (multi-session).
    Session,
    /// Finalize the disc: no more sessions.
    Disc,
}

/// What to burn.
pub enum Source {
    /// An image file: whole 2048-byte sectors.
    Image(PathBuf),
    /// A folder, mastered on the fly as ISO 9660 + Joliet + Rock Ridge.
    Folder(Box<FolderImage>),
    /// Any stream of `sectors` 2048-byte sectors.
    Stream {
        /// The data.
        reader: Box<dyn Read + Send>,
        /// How many sectors it yields.
        sectors: u64,
        /// What to call it in messages.
        label: String,
    },
    /// A stream of unknown length (a pipe), written to its end as cdrecord and
    /// growisofs do with `-`: only on sequential media (CD-R/RW TAO, DVD±R,
    /// DVD-RW, BD-R), whose track is closed wherever the data stops. A last
    /// partial sector is padded with zeros (a note says so).
    OpenStream {
        /// The data.
        reader: Box<dyn Read + Send>,
        /// What to call it in messages.
        label: String,
    },
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Image(p) => f.debug_tuple("Image").field(p).finish(),
            Source::Folder(img) => f.debug_tuple("Folder").field(img).finish(),
            Source::Stream { sectors, label, .. } => f
                .debug_struct("Stream")
                .field("sectors", sectors)
                .field("label", label)
                .finish_non_exhaustive(),
            Source::OpenStream { label, .. } => f
                .debug_struct("OpenStream")
                .field("label", label)
                .finish_non_exhaustive(),
        }
    }
}

impl Source {
    /// An image file or a folder, by what `path` is.
    pub fn from_path(path: &Path, volume_id: Option<String>) -> Result<Source, BurnError> {
        let meta = std::fs::metadata(path).map_err(|e| BurnError::source(path, e))?;
        if meta.is_dir() {
            let settings = crate::iso::IsoSettings {
                volume_id,
                ..Default::default()
            };
            Ok(Source::Folder(Box::new(FolderImage::from_dir(
                path, &settings,
            )?)))
        } else {
            Ok(Source::Image(path.to_path_buf()))
        }
    }

    /// Sectors the source holds (an open-ended stream: 0, not known before its end).
    pub fn sectors(&self) -> Result<u64, BurnError> {
        match self {
            Source::Image(p) => image_sectors(p),
            Source::Folder(img) => Ok(img.sectors()),
            Source::Stream { sectors, .. } => Ok(*sectors),
            Source::OpenStream { .. } => Ok(0),
        }
    }

    /// What to call it in messages.
    pub fn label(&self) -> String {
        match self {
            Source::Image(p) => p.display().to_string(),
            Source::Folder(img) => format!("folder {}", img.dir().display()),
            Source::Stream { label, .. } | Source::OpenStream { label, .. } => label.clone(),
        }
    }
}

/// Sectors of an image file, refusing a size that is not whole sectors and
/// what is not a file (a directory's or a pipe's length is no image's).
pub fn image_sectors(path: &Path) -> Result<u64, BurnError> {
    let meta = std::fs::metadata(path).map_err(|e| BurnError::source(path, e))?;
    if let Some(e) = not_an_image(path, &meta) {
        return Err(e);
    }
    let len = meta.len();
    if len == 0 || len % 2048 != 0 {
        return Err(BurnError::NotWholeSectors {
            path: path.to_path_buf(),
            bytes: len,
        });
    }
    Ok(len / 2048)
}

/// Everything a burn can be told.
#[derive(Debug, Clone)]
pub struct BurnOptions {
    /// Write speed.
    pub speed: SpeedChoice,
    /// WRITE(12) with the Streaming bit.
    pub streaming: bool,
    /// Read back and compare after writing.
    pub verify: bool,
    /// Leave the session open for more, or finalize.
    pub closing: Closing,
    /// Test Write (simulation): the laser stays off.
    pub test_write: bool,
    /// BD defect management for blank BD media; `None`: BD-R unformatted,
    /// BD-RE formatted with the drive's default.
    pub spare: Option<Spare>,
    /// Stop after checking and preparing nothing: no WRITE, no FORMAT.
    pub dry_run: bool,
    /// Host buffer size for the engine (None: the engine's 32 MiB default).
    pub system_buffer: Option<usize>,
    /// CD-R/RW: Session-At-Once (page 05h SAO, SEND CUE SHEET) instead of Track-At-Once.
    pub sao: bool,
    /// cdrecord `-pad`: 15 zero sectors (30 KiB) after the data, so that an old
    /// drive's read-ahead at the end of the track reads zeros, not an error.
    pub pad: bool,
}

impl Default for BurnOptions {
    fn default() -> Self {
        BurnOptions {
            speed: SpeedChoice::Max,
            streaming: false,
            verify: false,
            closing: Closing::Disc,
            test_write: false,
            spare: None,
            dry_run: false,
            system_buffer: None,
            sao: false,
            pad: false,
        }
    }
}

/// What a finished burn did.
#[derive(Debug, Clone)]
pub struct BurnReport {
    /// The medium before writing.
    pub before: Medium,
    /// The medium after writing (re-read from the drive).
    pub after: Option<Medium>,
    /// First LBA written.
    pub start_lba: u32,
    /// Sectors written.
    pub sectors: u64,
    /// The write engine's last event (rates, buffer minimums, busy count).
    pub last_update: Option<Update>,
    /// Lowest host-buffer fill seen, percent.
    pub min_host_fill: Option<f64>,
    /// Lowest drive-buffer fill seen after it first filled, percent.
    pub min_device_fill: Option<f64>,
    /// Time of the data write alone.
    pub write_time: Duration,
    /// Time of the whole burn.
    pub total_time: Duration,
    /// Each step and how long it took.
    pub phases: Vec<(BurnPhase, Duration)>,
    /// How the disc was left.
    pub closing: Option<Closing>,
    /// Whether it was a Test Write.
    pub test_write: bool,
    /// The verify result, when asked for.
    pub verify: Option<VerifyReport>,
    /// The speed the drive took, kB/s, when known.
    pub speed_kbps: Option<u32>,
    /// Dry run: nothing was written.
    pub dry_run: bool,
}

impl BurnReport {
    /// Average write speed in multiples of 1x.
    pub fn average_x(&self) -> Option<f64> {
        self.last_update.as_ref().and_then(|u| u.average_speed_x)
    }
}

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
    #[error("{what} needs {needed} sectors ({}) but the {profile} has only {free} sectors ({}) free", human_size(*needed), human_size(*free))]
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

fn verify_length_text(image: &Path, start: u32, disc: u64, img: u64) -> String {
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

fn sent_up_to(lba: Option<i32>) -> String {
    lba.map_or_else(String::new, |l| {
        format!("; the last sector the drive accepted was LBA {l}")
    })
}

fn cancelled_at(lba: Option<i32>) -> String {
    match lba {
        Some(l) => {
            format!(": the drive holds the sectors up to LBA {l}; nothing after it was written")
        }
        None => String::new(),
    }
}

/// A sector count (2048-byte sectors) as a size a person reads: "4.70 GB" at
/// a gigabyte and above, "650.0 MB" below (decimal units, as disc labels use).
pub fn human_size(sectors: u64) -> String {
    let bytes = sectors as f64 * 2048.0;
    if bytes >= 1e9 {
        format!("{:.2} GB", bytes / 1e9)
    } else {
        format!("{:.1} MB", bytes / 1e6)
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
    fn after_writing(self, last: Option<i32>) -> BurnError {
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

    fn source(path: &Path, e: io::Error) -> BurnError {
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
            BurnError::VerifyFailed(_) => hresult::E_IMAPI_BURN_VERIFICATION_FAILED,
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

    /// The device's sense behind the error, if any (raw bytes for the log).
    pub fn sense(&self) -> Option<&SenseInfo> {
        match self {
            BurnError::Device { source, .. } => source.sense_info(),
            _ => None,
        }
    }
}

/// One operation on the drive (a burn, blank, format, fix or read-back): the recorder,
/// the cancel token, the event sink and the phase clock.
struct Operation<'a> {
    rec: &'a Arc<Recorder>,
    cancel: &'a CancelToken,
    on_event: &'a mut dyn FnMut(&BurnEvent),
    started: Duration,
    phase: Option<(BurnPhase, Duration)>,
    phases: Vec<(BurnPhase, Duration)>,
    /// Once the first WRITE is sent: the last LBA the drive has accepted.
    written_up_to: Option<i32>,
}

impl<'a> Operation<'a> {
    /// Starts the clock and the first phase, checking the medium. A drive still busy
    /// with an earlier operation (a flush it was left doing after a cancel, a background
    /// format) answers NOT READY to everything: wait for it here, with progress and
    /// cancel, rather than read a medium it cannot describe yet.
    fn start(
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

    fn now(&self) -> Duration {
        self.rec.clock().now()
    }

    /// Ends the current phase at `now`, recording how long it took.
    fn end_phase(&mut self, now: Duration) {
        if let Some((p, t)) = self.phase.take() {
            self.phases.push((p, now.saturating_sub(t)));
        }
    }

    fn phase(&mut self, phase: BurnPhase) {
        let now = self.now();
        self.end_phase(now);
        self.phase = Some((phase, now));
        (self.on_event)(&BurnEvent::Phase {
            phase,
            elapsed: now.saturating_sub(self.started),
        });
    }

    fn note(&mut self, text: impl Into<String>) {
        let text = text.into();
        tracing::info!("{text}");
        (self.on_event)(&BurnEvent::Note(text));
    }

    fn check_cancel(&self) -> Result<(), BurnError> {
        if self.cancel.is_cancelled() {
            Err(BurnError::Cancelled {
                last_written_lba: None,
            })
        } else {
            Ok(())
        }
    }

    fn finish_phases(&mut self) -> Vec<(BurnPhase, Duration)> {
        self.end_phase(self.now());
        std::mem::take(&mut self.phases)
    }
}

/// Burns `source` to the medium in `rec` (see the module docs for the steps).
pub fn burn(
    rec: &Arc<Recorder>,
    source: Source,
    opts: &BurnOptions,
    cancel: &CancelToken,
    on_event: &mut dyn FnMut(&BurnEvent),
) -> Result<BurnReport, BurnError> {
    let mut run = Operation::start(rec, cancel, on_event)?;
    let mut sectors = source.sectors()?;
    let before = inspect(rec)?;
    tracing::info!("medium: {}", before.summary());
    run.note(format!("Disc: {}", before.summary()));
    let source = match source {
        Source::Folder(img) => {
            let img = later_session(&mut run, *img, &before, opts)?;
            if img.carried().is_none() {
                run.note(folder_image_note(&img));
            }
            sectors = img.sectors();
            Source::Folder(Box::new(img))
        }
        other => {
            if before.recording == Recording::RandomAccess && opts.closing == Closing::Session {
                if let Some(id) = iso_volume(rec) {
                    return Err(BurnError::Unsuitable(Unsuitable::CannotMerge {
                        profile: before.profile,
                        volume_id: id,
                        label: other.label(),
                    }));
                }
            }
            other
        }
    };
    let random_start = match &source {
        Source::Folder(img) if before.recording == Recording::RandomAccess => img.start_lba(),
        _ => 0,
    };
    let open_ended = matches!(source, Source::OpenStream { .. });
    let (pad, pad_note) = prepare::padding(&before, sectors, &source.label(), opts, open_ended)?;
    let plan = prepare::plan(
        rec,
        &before,
        sectors + pad,
        &source.label(),
        opts,
        random_start,
        open_ended,
    )?;
    if let Source::Folder(img) = &source {
        check_folder_start(img, plan.start_lba)?;
    }
    // The source, opened and looked at before anything changes the medium.
    let input = Input::open(source, sectors, pad)?;
    if let Some(note) = input.check_start(plan.start_lba, &before)? {
        run.note(note);
    }
    for line in &plan.notes {
        run.note(line.clone());
    }
    if let Some(note) = pad_note {
        run.note(note);
    }
    if opts.dry_run {
        run.phase(BurnPhase::Completed);
        let phases = run.finish_phases();
        return Ok(BurnReport {
            before,
            after: None,
            start_lba: plan.start_lba,
            sectors: sectors + pad,
            last_update: None,
            min_host_fill: None,
            min_device_fill: None,
            write_time: Duration::ZERO,
            total_time: run.now().saturating_sub(run.started),
            phases,
            closing: None,
            test_write: opts.test_write,
            verify: None,
            speed_kbps: None,
            dry_run: true,
        });
    }
    run.check_cancel()?;
    if let Err(e) = rec.acquire_exclusive_access(false, "discburn") {
        return Err(BurnError::device("taking exclusive access to the drive", e));
    }
    let mut tray = ops::TrayLock::engage(rec);
    let result =
        burn_locked(&mut run, input, &before, plan, opts).map_err(|e| match run.written_up_to {
            Some(_) => e.after_writing(run.written_up_to),
            None => e,
        });
    if matches!(result, Err(BurnError::Abandoned { .. })) {
        tray.unlock_when_answered();
    }
    tray.release(cancel, &mut *run.on_event);
    if let Err(e) = rec.release_exclusive_access() {
        tracing::warn!("releasing exclusive access: {e}");
    }
    result
}

/// What a burn reads from, opened and checked before the medium changes.
struct Input {
    /// The data, padding included.
    reader: Box<dyn Read + Send>,
    /// Sectors of data (an open-ended stream: 0, known at its end).
    sectors: u64,
    /// Zero sectors appended (`--pad`, the SAO minimum).
    pad: u64,
    /// What to call it in messages.
    label: String,
    /// The image file, re-read by verify to pinpoint mismatches.
    image_path: Option<PathBuf>,
    /// A folder's start: its addresses are fixed.
    folder_start: Option<u32>,
    /// A grown volume's descriptors, written at sector 16 after the session.
    rewrite: Option<(u32, Vec<u8>)>,
    /// What sector 16 of an image or stream holds.
    head: Head,
    /// A stream: whether it is open-ended, and the bytes its last partial
    /// sector was padded with.
    stream: Option<(bool, Arc<AtomicU64>)>,
}

/// What an image or stream holds at sector 16.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Head {
    /// A folder, mastered by discburn for its start.
    Folder,
    /// An ISO 9660 primary volume descriptor: its root directory's extent.
    Iso9660 { root_extent: u32 },
    /// Anything else (raw data, UDF only, shorter than 17 sectors).
    Other,
}

/// Sectors of an image or stream read ahead to look at its volume descriptor.
const HEAD_SECTORS: usize = 17;

impl Head {
    /// ECMA-119 §8.4: a primary volume descriptor at sector 16 ([`VolumeDescriptor`])
    /// and the extent of its root directory record (§9.1.3).
    fn of(sector16: &[u8]) -> Head {
        let d = VolumeDescriptor::new(sector16);
        match d.root_extent() {
            Some(root_extent) if d.is_primary() => Head::Iso9660 { root_extent },
            _ => Head::Other,
        }
    }
}

impl Input {
    fn open(source: Source, sectors: u64, pad: u64) -> Result<Input, BurnError> {
        let label = source.label();
        let mut input = Input {
            reader: Box::new(io::empty()),
            sectors,
            pad,
            label,
            image_path: None,
            folder_start: None,
            rewrite: None,
            head: Head::Other,
            stream: None,
        };
        let reader: Box<dyn Read + Send> = match source {
            Source::Image(p) => {
                let (file, head) = open_image(&p, sectors)?;
                input.head = head;
                input.image_path = Some(p);
                Box::new(file)
            }
            Source::Folder(img) => {
                input.head = Head::Folder;
                input.folder_start = Some(img.start_lba());
                input.rewrite = img.descriptor_rewrite().map(|(l, d)| (l, d.to_vec()));
                Box::new((*img).stream())
            }
            Source::Stream { reader, .. } => {
                let (reader, head) = peek_head(reader, &input.label)?;
                input.head = head;
                input.stream = Some((false, Arc::default()));
                reader
            }
            Source::OpenStream { reader, .. } => {
                let (reader, head) = peek_head(reader, &input.label)?;
                input.head = head;
                let padded = Arc::new(AtomicU64::new(0));
                input.stream = Some((true, Arc::clone(&padded)));
                Box::new(SectorPad {
                    inner: reader,
                    seen: 0,
                    padding: 0,
                    padded,
                })
            }
        };
        input.reader = if pad > 0 {
            Box::new(reader.chain(io::repeat(0).take(pad * 2048)))
        } else {
            reader
        };
        Ok(input)
    }

    fn open_ended(&self) -> bool {
        self.stream.as_ref().is_some_and(|(open, _)| *open)
    }

    /// An image whose file system is addressed from sector 0 written
    /// anywhere else is a disc nobody can read: refused. Other data at a
    /// later address is written as it is, with a note saying where.
    fn check_start(&self, start_lba: u32, medium: &Medium) -> Result<Option<String>, BurnError> {
        if start_lba == 0 {
            return Ok(None);
        }
        match self.head {
            Head::Folder => Ok(None),
            Head::Iso9660 { root_extent } if root_extent < start_lba => {
                Err(BurnError::ImageAddressedElsewhere {
                    label: self.label.clone(),
                    start_lba,
                    root_extent,
                    last_session: medium.last_session_start(),
                })
            }
            Head::Iso9660 { root_extent } => Ok(Some(format!(
                "{} is an ISO 9660 image mastered for a later session (root directory at sector {root_extent}): written from sector {start_lba}",
                self.label
            ))),
            Head::Other => Ok(Some(format!(
                "{} holds no ISO 9660 volume descriptor at its sector 16 (raw data, or UDF only): written as it is, it starts at sector {start_lba} of the disc, not at 0",
                self.label
            ))),
        }
    }
}

/// The refusal of what is not a file: a directory's or a pipe's length is no image's.
fn not_an_image(path: &Path, meta: &std::fs::Metadata) -> Option<BurnError> {
    (!meta.is_file()).then(|| BurnError::NotAnImageFile {
        path: path.to_path_buf(),
        what: if meta.is_dir() {
            "a directory"
        } else {
            "not a regular file (a pipe, socket or device)"
        },
    })
}

/// Opens an image file and reads its first, 16th and last sectors, so an
/// unreadable image is refused before FORMAT UNIT, RESERVE TRACK or a mode
/// page changes the medium.
fn open_image(path: &Path, sectors: u64) -> Result<(File, Head), BurnError> {
    let unreadable = |why: String| BurnError::source(path, io::Error::other(why));
    let mut file = File::open(path).map_err(|e| BurnError::source(path, e))?;
    let meta = file.metadata().map_err(|e| BurnError::source(path, e))?;
    if let Some(e) = not_an_image(path, &meta) {
        return Err(e);
    }
    if meta.len() != sectors * 2048 {
        return Err(unreadable(format!(
            "its size changed from {} to {} bytes since it was measured",
            sectors * 2048,
            meta.len()
        )));
    }
    let mut sector = vec![0u8; 2048];
    let mut read_at = |file: &mut File, at: u64, what: &str| {
        file.seek(SeekFrom::Start(at * 2048))
            .and_then(|_| file.read_exact(&mut sector))
            .map_err(|e| unreadable(format!("reading its {what} sector ({at}) failed: {e}")))
    };
    read_at(&mut file, 0, "first")?;
    read_at(&mut file, sectors - 1, "last")?;
    let head = if sectors >= HEAD_SECTORS as u64 {
        read_at(&mut file, 16, "volume descriptor")?;
        Head::of(&sector)
    } else {
        Head::Other
    };
    file.seek(SeekFrom::Start(0))
        .map_err(|e| BurnError::source(path, e))?;
    Ok((file, head))
}

/// Reads a stream's first [`HEAD_SECTORS`] sectors to look at its volume
/// descriptor, and gives them back in front of the rest.
fn peek_head(
    mut reader: Box<dyn Read + Send>,
    label: &str,
) -> Result<(Box<dyn Read + Send>, Head), BurnError> {
    let mut head = vec![0u8; HEAD_SECTORS * 2048];
    let mut got = 0;
    while got < head.len() {
        match reader.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(BurnError::source(Path::new(label), e)),
        }
    }
    if got == 0 {
        return Err(BurnError::source(
            Path::new(label),
            io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the stream is empty: there is nothing to write",
            ),
        ));
    }
    head.truncate(got);
    let kind = head.get(16 * 2048..).map_or(Head::Other, Head::of);
    Ok((Box::new(io::Cursor::new(head).chain(reader)), kind))
}

/// An open-ended stream's reader: a last partial sector is completed with
/// zeros (counted in `padded`), so the track ends on a sector boundary.
struct SectorPad {
    inner: Box<dyn Read + Send>,
    seen: u64,
    padding: usize,
    padded: Arc<AtomicU64>,
}

impl Read for SectorPad {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.padding > 0 {
            let n = self.padding.min(buf.len());
            buf[..n].fill(0);
            self.padding -= n;
            return Ok(n);
        }
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() && !self.seen.is_multiple_of(2048) {
            let missing = 2048 - (self.seen % 2048) as usize;
            self.padded.store(missing as u64, Ordering::SeqCst);
            self.seen += missing as u64;
            self.padding = missing;
            return self.read(buf);
        }
        self.seen += n as u64;
        Ok(n)
    }
}

fn burn_locked(
    run: &mut Operation<'_>,
    input: Input,
    before: &Medium,
    mut plan: prepare::Plan,
    opts: &BurnOptions,
) -> Result<BurnReport, BurnError> {
    let rec = run.rec;
    let open_ended = input.open_ended();
    let planned = input.sectors + input.pad;
    // FORMAT / RESERVE / mode page / speed.
    prepare::prepare(run, before, &mut plan, planned, opts)?;
    if let Some(start) = input.folder_start {
        // Formatting or reserving a track may move the start; a folder's
        // addresses are fixed.
        check_folder_lba(start, plan.start_lba)?;
    }
    // So may an image's: check again where it will really go.
    input.check_start(plan.start_lba, before)?;
    run.check_cancel()?;

    // The write.
    run.phase(BurnPhase::WritingData);
    let Input {
        reader,
        label,
        image_path,
        rewrite,
        stream,
        ..
    } = input;
    // An open-ended stream may fill what is free; it ends the track where it ends.
    let sectors = if open_ended { plan.free } else { planned };
    let hashing = HashingReader::new(reader, sectors, 2048);
    let digest_handle = hashing.handle();
    let engine = WriteEngine::with_recorder(Arc::clone(rec), 2048)
        .map_err(|e| BurnError::device("setting up the write engine", e))?;
    engine
        .set_use_streaming_write12(opts.streaming)
        .map_err(|e| BurnError::device("setting up the write engine", e))?;
    if let Some(bytes) = opts.system_buffer {
        engine
            .set_system_buffer_size(bytes)
            .map_err(|e| BurnError::device("setting up the write engine", e))?;
    }
    engine.set_cancel_token(run.cancel.clone());
    let updates = engine.subscribe();
    let write_started = run.now();
    let start = i32::try_from(plan.start_lba)
        .map_err(|_| BurnError::Unsupported("start address beyond 2^31".into()))?;
    let count = i32::try_from(sectors)
        .map_err(|_| BurnError::Unsupported("image larger than 2^31 sectors".into()))?;
    let mut mins = Mins::default();
    let mut last_update = None;
    // An open-ended stream's end reads as the engine's "failed" event: held back
    // until it is known whether that was the end of the stream.
    let mut held_final: Option<Update> = None;
    run.written_up_to = Some(start - 1);
    let result = std::thread::scope(|s| {
        let writer = s.spawn(|| engine.write_section(hashing, start, count));
        // Forward events until the engine finishes (the channel stays open
        // while the engine lives, so poll the join state).
        loop {
            match updates.recv_timeout(Duration::from_millis(50)) {
                Ok(u) if open_ended && u.phase == crate::engine::Phase::Failed => {
                    held_final = Some(u);
                }
                Ok(u) => {
                    mins.track(&u);
                    (run.on_event)(&BurnEvent::Write(u.clone()));
                    last_update = Some(u);
                }
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                    if writer.is_finished() {
                        break;
                    }
                }
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
            }
        }
        let r = writer.join().unwrap_or_else(|_| {
            Err(Error::new(ErrorKind::Internal(
                "the write engine thread panicked",
            )))
        });
        while let Ok(u) = updates.try_recv() {
            if open_ended && u.phase == crate::engine::Phase::Failed {
                held_final = Some(u);
                continue;
            }
            mins.track(&u);
            (run.on_event)(&BurnEvent::Write(u.clone()));
            last_update = Some(u);
        }
        r
    });
    // The stream's end, as the end of a section of the sectors that came.
    let ended = |u: Update, sectors: u64| Update {
        phase: crate::engine::Phase::Finished,
        sector_count: i32::try_from(sectors).unwrap_or(i32::MAX),
        ..u
    };
    let write_time = run.now().saturating_sub(write_started);
    let mut sectors = sectors;
    match result {
        Ok(u) => {
            run.written_up_to = Some(u.last_written_lba);
            last_update = Some(u)
        }
        // An open-ended stream ended: the track ends where it did.
        Err(e)
            if open_ended
                && !run.cancel.is_cancelled()
                && matches!(e.kind(), ErrorKind::SourceExhausted { lba } if *lba > start) =>
        {
            if let ErrorKind::SourceExhausted { lba } = e.kind() {
                sectors = u64::from(lba.abs_diff(start));
                run.written_up_to = Some(lba - 1);
            }
            if let Some(u) = held_final.take().map(|u| ended(u, sectors)) {
                (run.on_event)(&BurnEvent::Write(u.clone()));
                last_update = Some(u);
            }
            let padded = stream.as_ref().map_or(0, |(_, p)| p.load(Ordering::SeqCst));
            run.note(format!(
                "{label} ended after {} sectors ({}){}: the track ends there",
                // `planned` is the padding alone here: it follows the stream's data.
                sectors.saturating_sub(planned),
                human_size(sectors),
                if padded > 0 {
                    format!(
                        "; its last sector was {} bytes short and was padded with zeros",
                        padded
                    )
                } else {
                    String::new()
                }
            ));
        }
        Err(e) => {
            if let Some(u) = held_final.take() {
                (run.on_event)(&BurnEvent::Write(u.clone()));
                last_update = Some(u);
            }
            run.written_up_to = e
                .last_written_lba()
                .or_else(|| last_update.as_ref().map(|u| u.last_written_lba));
            if matches!(e.kind(), ErrorKind::Abandoned(_)) {
                return Err(BurnError::device("cancelling the write", e));
            }
            if e.is_cancelled() || run.cancel.is_cancelled() {
                return Err(BurnError::Cancelled {
                    last_written_lba: e
                        .last_written_lba()
                        .or_else(|| last_update.as_ref().map(|u| u.last_written_lba)),
                });
            }
            // Leave the drive sane: flush what it holds before reporting.
            let _ = ops::synchronize_cache(rec, &CancelToken::new(), &mut |_| {});
            return Err(match e.kind() {
                ErrorKind::SourceExhausted { lba } if stream.is_some() => BurnError::StreamShort {
                    label,
                    arrived: u64::from(lba.abs_diff(start)),
                    expected: sectors,
                    start_lba: plan.start_lba,
                },
                ErrorKind::Source(_) | ErrorKind::SourceExhausted { .. } => BurnError::Source {
                    path: image_path.unwrap_or_else(|| PathBuf::from("the image")),
                    source: io::Error::other(e.to_string()),
                },
                _ => BurnError::device("writing", e),
            });
        }
    }

    // Flush and close.
    run.phase(BurnPhase::Synchronizing);
    ops::synchronize_cache(rec, run.cancel, run.on_event)
        .map_err(|e| BurnError::device("flushing the drive's buffer (SYNCHRONIZE CACHE)", e))?;
    if let Some((lba, data)) = &rewrite {
        // Only now that the session is on the disc does the volume point at it.
        run.check_cancel()?;
        update_volume(run, &engine, &updates, *lba, data)?;
    }
    // A cancel before the close leaves the data flushed and the disc open; one during
    // it cannot stop it (the close runs to its end, see `ops::OnCancel`).
    run.check_cancel()?;
    let closing = prepare::close(run, before, &plan, opts)?;
    let cancelled_in_close = run.cancel.is_cancelled();
    if cancelled_in_close {
        run.note(format!(
            "The cancel came while the drive was closing the disc, which a drive cannot stop: the burn is complete, all {sectors} sectors are on the disc and it is {}{}",
            match closing {
                Some(Closing::Disc) => "finalized",
                Some(Closing::Session) => "closed for this session (appendable)",
                None => "as it was before the close",
            },
            if opts.verify { "; verify skipped" } else { "" }
        ));
    }

    // Did it really happen?
    run.phase(BurnPhase::ValidatingMedia);
    let after = medium::inspect(rec).map_err(|e| {
        BurnError::Unconfirmed(format!(
            "re-reading the disc after writing and closing it failed: {e}"
        ))
    })?;
    if after.disc.is_none() && before.disc.is_some() {
        // inspect tolerates a missing answer; the check after a burn cannot.
        return Err(BurnError::Unconfirmed(
            "the drive did not answer READ DISC INFORMATION after the burn (the log has its answer)"
                .into(),
        ));
    }
    check_recorded(Some(&after), before, &plan, sectors, opts)?;
    let after = Some(after);

    // Verify.
    let mut verify_report = None;
    if opts.verify && !opts.test_write && !cancelled_in_close {
        run.phase(BurnPhase::Verifying);
        let digest = if open_ended {
            digest_handle
                .finish_early()
                .filter(|d| d.sectors == sectors)
        } else {
            digest_handle.finish()
        }
        .ok_or_else(|| BurnError::Unsupported("the engine did not read the whole source".into()))?;
        let mut source_file = image_path.as_ref().and_then(|p| File::open(p).ok());
        let report = run_verify(
            run,
            plan.start_lba,
            &digest,
            source_file
                .as_mut()
                .map(|f| f as &mut dyn verify::SourceSectors),
        );
        stopped(&report)?;
        if !report.is_ok() {
            return Err(BurnError::VerifyFailed(Box::new(report)));
        }
        if let Some((lba, data)) = &rewrite {
            check_rewrite(rec, *lba, data)?;
        }
        verify_report = Some(report);
    }
    run.phase(BurnPhase::Completed);
    let phases = run.finish_phases();
    Ok(BurnReport {
        before: before.clone(),
        after,
        start_lba: plan.start_lba,
        sectors,
        last_update,
        min_host_fill: mins.host(),
        min_device_fill: mins.dev,
        write_time,
        total_time: run.now().saturating_sub(run.started),
        phases,
        closing,
        test_write: opts.test_write,
        verify: verify_report,
        speed_kbps: plan.speed_kbps,
        dry_run: false,
    })
}

/// The second section of a grown volume: the new descriptor set written
/// over the old one, then flushed.
fn update_volume(
    run: &mut Operation<'_>,
    engine: &WriteEngine,
    updates: &crossbeam_channel::Receiver<Update>,
    lba: u32,
    data: &[u8],
) -> Result<(), BurnError> {
    run.phase(BurnPhase::UpdatingVolume);
    let blocks = data.len() / 2048;
    run.note(format!(
        "Writing the new volume descriptors at sectors {lba}–{} over the old ones",
        lba as usize + blocks - 1
    ));
    let written = engine.write_section(io::Cursor::new(data.to_vec()), lba as i32, blocks as i32);
    // Its events would read as a second write from the start: not forwarded.
    while updates.try_recv().is_ok() {}
    if let Err(e) = written {
        if e.is_cancelled() || run.cancel.is_cancelled() {
            return Err(BurnError::Cancelled {
                last_written_lba: None,
            });
        }
        let _ = ops::synchronize_cache(run.rec, &CancelToken::new(), &mut |_| {});
        return Err(BurnError::device(
            "writing the volume descriptors at sector 16 (the disc still holds the previous volume)",
            e,
        ));
    }
    run.phase(BurnPhase::Synchronizing);
    ops::synchronize_cache(run.rec, run.cancel, run.on_event)
        .map_err(|e| BurnError::device("flushing the drive's buffer (SYNCHRONIZE CACHE)", e))
}

/// Reads the rewritten descriptors back (FUA) and compares them.
fn check_rewrite(rec: &Recorder, lba: u32, data: &[u8]) -> Result<(), BurnError> {
    let mut back = vec![0u8; data.len()];
    let mut reader = RecorderReadBack(rec);
    let blocks = (data.len() / 2048) as u32;
    let read = reader
        .read_sectors(lba, blocks, true, &mut back)
        .or_else(|e| {
            if e.fua_refused {
                reader.read_sectors(lba, blocks, false, &mut back)
            } else {
                Err(e)
            }
        });
    match read {
        Ok(()) if back == data => Ok(()),
        Ok(()) => Err(BurnError::NotRecorded(format!(
            "the volume descriptors at sector {lba} read back differently"
        ))),
        Err(e) => Err(BurnError::NotRecorded(format!(
            "the volume descriptors at sector {lba} cannot be read back: {}",
            e.message
        ))),
    }
}

/// Whether sector 16 holds an ISO 9660 primary volume descriptor (a volume
/// a random-access medium holds from sector 0): its volume identifier.
fn iso_volume(rec: &Arc<Recorder>) -> Option<String> {
    let mut sector = vec![0u8; 2048];
    let mut disc = DiscSectors(Arc::clone(rec));
    if let Err(e) = crate::iso::SectorRead::read_sectors(&mut disc, 16, &mut sector) {
        // Unformatted or never written: nothing to keep.
        tracing::debug!("reading sector 16: {e}");
        return None;
    }
    let d = VolumeDescriptor::new(&sector[..]);
    d.is_primary().then(|| d.volume_id()).flatten()
}

/// A folder burnt onto an appendable disc becomes a later session: addressed
/// from the next writable address, carrying the last session's files
/// forward (see [`crate::iso`]). On a random-access medium holding an ISO
/// 9660 volume, a multi-session burn grows that volume instead; otherwise
/// a blank or random-access medium keeps the image mastered for sector 0.
fn later_session(
    run: &mut Operation<'_>,
    img: FolderImage,
    medium: &Medium,
    opts: &BurnOptions,
) -> Result<FolderImage, BurnError> {
    if medium.recording == Recording::RandomAccess {
        let Some(id) = iso_volume(run.rec) else {
            return Ok(img);
        };
        if opts.closing != Closing::Session {
            run.note(format!(
                "The {} holds the ISO 9660 volume \"{id}\": the new one replaces it from sector 0 (a multi-session burn adds to it instead)",
                medium.profile
            ));
            return Ok(img);
        }
        let img = img.grow(Box::new(DiscSectors(Arc::clone(run.rec))))?;
        if let Some(c) = img.carried() {
            run.note(format!(
                "Growing the volume \"{id}\" as growisofs -M does: new session at sector {}, {} file(s) of the earlier sessions carried forward in place, {} replaced by the folder's; volume {}, {} sectors ({}), then the descriptors at sector 16",
                img.start_lba(),
                c.kept,
                c.replaced,
                img.volume_id(),
                img.sectors(),
                human_size(img.sectors())
            ));
        }
        return Ok(img);
    }
    if medium.recording != Recording::Sequential || medium.status() != Some(DiscStatus::Incomplete)
    {
        return Ok(img);
    }
    let (Some(nwa), Some(previous)) = (medium.next_writable, medium.last_session_start()) else {
        return Ok(img);
    };
    if nwa == 0 {
        return Ok(img);
    }
    let reader = Box::new(DiscSectors(Arc::clone(run.rec)));
    let img = img.append_to(reader, previous, nwa)?;
    if let Some(c) = img.carried() {
        run.note(format!(
            "New session at sector {nwa}, after the one at sector {}: {} file(s) of the earlier sessions carried forward in place, {} replaced by the folder's; volume {}, {} sectors ({})",
            c.previous_start,
            c.kept,
            c.replaced,
            img.volume_id(),
            img.sectors(),
            human_size(img.sectors())
        ));
    }
    Ok(img)
}

/// What a folder mastered as a first session is, for the user (a later session says
/// so in [`later_session`]'s note instead).
fn folder_image_note(img: &FolderImage) -> String {
    let renamed = if img.renamed() > 0 {
        format!(
            "; {} name(s) adapted for ISO 9660/Joliet (Rock Ridge keeps them)",
            img.renamed()
        )
    } else {
        String::new()
    };
    format!(
        "Image: {} as ISO 9660 + Joliet + Rock Ridge, volume {}, {} sectors ({}), built while writing{renamed}",
        img.dir().display(),
        img.volume_id(),
        img.sectors(),
        human_size(img.sectors())
    )
}

/// Refuses to write a folder image anywhere but where its addresses point.
fn check_folder_start(img: &FolderImage, start_lba: u32) -> Result<(), BurnError> {
    check_folder_lba(img.start_lba(), start_lba)
}

fn check_folder_lba(mastered: u32, start_lba: u32) -> Result<(), BurnError> {
    if mastered == start_lba {
        return Ok(());
    }
    Err(BurnError::Unsupported(format!(
        "the folder was mastered for sector {mastered} but the drive will write it at sector {start_lba}"
    )))
}

/// The disc's sectors through the recorder (READ(12), cached reads allowed:
/// the earlier sessions are closed), for reading the last session's tree.
struct DiscSectors(Arc<Recorder>);

/// Sectors per READ while reading a session's metadata.
const META_READ_SECTORS: usize = 16;

impl crate::iso::SectorRead for DiscSectors {
    fn read_sectors(&mut self, lba: u32, buf: &mut [u8]) -> io::Result<()> {
        for (i, chunk) in buf.chunks_mut(META_READ_SECTORS * 2048).enumerate() {
            let at = u32::try_from(i * META_READ_SECTORS)
                .ok()
                .and_then(|o| lba.checked_add(o))
                .ok_or_else(|| io::Error::other("read past the last addressable sector"))?;
            let cmd = discburn_mmc::rw::Read12 {
                lba: at,
                blocks: (chunk.len() / 2048) as u32,
                dpo: false,
                fua: false,
                streaming: false,
            };
            let n = self
                .0
                .command(
                    &cmd,
                    discburn_mmc::transport::DataPhase::In(chunk),
                    Duration::from_secs(60),
                )
                .map_err(|e| {
                    io::Error::other(match e.sense_info() {
                        Some(s) => s.to_string(),
                        None => e.to_string(),
                    })
                })?;
            if n != chunk.len() {
                return Err(io::Error::other(format!(
                    "the drive returned {n} of {} bytes",
                    chunk.len()
                )));
            }
        }
        Ok(())
    }
}

/// The burn's minimum buffer fills, percent, folded from the engine's events.
#[derive(Debug, Default)]
struct Mins {
    /// The host buffer's, counted only once it has been more than half full
    /// (before that it is filling, not starving) and while the source still
    /// has data to deliver.
    host: Option<f64>,
    /// The host buffer's over every event after the first WRITE, for a
    /// buffer that never filled (a drive taking data as fast as the source
    /// delivers it still has a real minimum).
    host_unprimed: Option<f64>,
    host_primed: bool,
    /// The drive's: the engine's minimum, which counts only once the drive
    /// buffer has been seen at least half full.
    dev: Option<f64>,
}

impl Mins {
    fn track(&mut self, u: &Update) {
        // An event's minimum covers the time since the previous one: it counts only
        // when the buffer was already primed then.
        let primed_before = self.host_primed;
        if u.total_system_buffer > 0 && u.used_system_buffer * 2 > u.total_system_buffer {
            self.host_primed = true;
        }
        // The host buffer drains at the end by design: count it only while the
        // source still had data to deliver.
        let source_left =
            i64::from(u.last_read_lba) < i64::from(u.start_lba) + i64::from(u.sector_count) - 1;
        let h = (u.total_system_buffer > 0)
            .then(|| 100.0 * u.min_used_system_buffer as f64 / u.total_system_buffer as f64);
        if let Some(h) = h {
            if primed_before && u.phase == crate::engine::Phase::Writing && source_left {
                self.host = Some(self.host.map_or(h, |m| m.min(h)));
            }
            if u.sectors_written() > 0 && u.phase != crate::engine::Phase::Starting {
                self.host_unprimed = Some(self.host_unprimed.map_or(h, |m| m.min(h)));
            }
        }
        if let (Some(min), Some(b)) = (u.min_used_device_buffer, u.device_buffer) {
            if b.capacity > 0 {
                let d = 100.0 * min as f64 / b.capacity as f64;
                self.dev = Some(self.dev.map_or(d, |m| m.min(d)));
            }
        }
    }

    fn host(&self) -> Option<f64> {
        self.host.or(self.host_unprimed)
    }
}

/// The post-burn check: re-read disc and track information and confirm the
/// disc holds what was written (or, after a Test Write, is still blank).
fn check_recorded(
    after: Option<&Medium>,
    before: &Medium,
    plan: &prepare::Plan,
    sectors: u64,
    opts: &BurnOptions,
) -> Result<(), BurnError> {
    let Some(after) = after else {
        return Err(BurnError::NotRecorded(
            "the drive no longer answers READ DISC INFORMATION after the burn".into(),
        ));
    };
    if before.recording != Recording::Sequential {
        // Random-access media look the same before and after; verify reads back.
        return Ok(());
    }
    if opts.test_write {
        if before.is_blank() && !after.is_blank() {
            return Err(BurnError::NotRecorded(
                "a Test Write changed the disc: it is no longer blank".into(),
            ));
        }
        return Ok(());
    }
    if after.is_blank() {
        return Err(BurnError::NotRecorded(format!(
            "the disc is still blank after writing {sectors} sectors"
        )));
    }
    // The track now holding the start LBA must cover every sector written.
    if let Some(t) = after.tracks.iter().find(|t| {
        !t.blank
            && t.start <= plan.start_lba
            && plan.start_lba < t.start.saturating_add(t.size.max(1))
    }) {
        let end = u64::from(t.start) + u64::from(t.size);
        let want = u64::from(plan.start_lba) + sectors;
        if t.size > 0 && end < want {
            return Err(BurnError::NotRecorded(format!(
                "track {} ends at sector {end} but {sectors} sectors were written from {}",
                t.number, plan.start_lba
            )));
        }
    }
    Ok(())
}

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
        let cmd = discburn_mmc::rw::Read12 {
            lba,
            blocks: count,
            dpo: fua,
            fua,
            streaming: false,
        };
        let timeout = Duration::from_secs(60);
        match self
            .0
            .command(&cmd, discburn_mmc::transport::DataPhase::In(buf), timeout)
        {
            Ok(n) if n == buf.len() => Ok(()),
            Ok(n) => Err(ReadFailure {
                message: format!("the drive returned {n} of {} bytes", buf.len()),
                fua_refused: false,
                transport: false,
            }),
            Err(e) => {
                tracing::debug!("READ(12) lba {lba} count {count}: {e}");
                let fua_refused = fua && e.refusal() == Some(Refusal::InvalidField);
                let message = match e.sense_info() {
                    Some(s) => s.to_string(),
                    None => e.to_string(),
                };
                // The connection, the drive or the disc is gone (not a bad sector):
                // NOT READY (sense key 2, which includes no medium) or a transport failure.
                let transport = matches!(e.kind(), ErrorKind::Transport(_))
                    || e.sense_info()
                        .is_some_and(|s| s.key() == SenseKey::NotReady);
                Err(ReadFailure {
                    message,
                    fua_refused,
                    transport,
                })
            }
        }
    }
}

/// A verify pass that stopped at a transport failure, as the error.
fn stopped(report: &VerifyReport) -> Result<(), BurnError> {
    match &report.stopped {
        Some(stop) => Err(BurnError::VerifyStopped {
            lba: stop.lba,
            compared: report.sectors,
            message: stop.message.clone(),
        }),
        None => Ok(()),
    }
}

fn run_verify(
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
const MAX_TRAILING_PAD: u64 = 300;

/// CD TAO tracks end in 2 run-out sectors that READ TRACK INFORMATION counts
/// in the track and that read as errors (MMC-6 §6.27.3.7; cdrecord's "-pad"
/// exists because of them).
const CD_RUN_OUT: u64 = 2;

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
    run.note(format!(
        "Comparing {} ({sectors} sectors) with the disc from sector {start}",
        image.display()
    ));
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
        run.note(format!(
            "The track holds {extra} sector(s) after the image, all padding (zeros{}), as burners add",
            if is_cd { ", or the CD track's run-out" } else { "" }
        ));
    }
    Ok(report)
}

/// Verify compares bytes: an image addressed from sector 0 found at a later
/// session matches, yet its file system cannot be read there. Said in a note.
fn misplaced_iso_note(image: &Path, sectors: u64, start: u32) -> Option<String> {
    if start == 0 {
        return None;
    }
    let (_, head) = open_image(image, sectors).ok()?;
    match head {
        Head::Iso9660 { root_extent } if root_extent < start => Some(format!(
            "{} is an ISO 9660 image addressed from sector 0 (root directory at sector {root_extent}): at sector {start} the disc may hold its bytes, but its file system points before them and cannot be read there",
            image.display()
        )),
        _ => None,
    }
}

/// Sectors the disc holds from `start` in the track holding it and the
/// later recorded tracks of its session; `None` when no recorded track holds it.
fn track_length(medium: &Medium, start: u32) -> Option<u64> {
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
fn trailing_padding(rec: &Recorder, first: u64, count: u64, is_cd: bool) -> bool {
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

/// `discburn blank`: erases a CD-RW or sequential DVD-RW (minimal, or full).
pub fn blank(
    rec: &Arc<Recorder>,
    full: bool,
    cancel: &CancelToken,
    on_event: &mut dyn FnMut(&BurnEvent),
) -> Result<Medium, BurnError> {
    let mut run = Operation::start(rec, cancel, on_event)?;
    let medium = inspect(rec)?;
    let mut tray = ops::TrayLock::engage(rec);
    let blanked = prepare::blank(&mut run, &medium, full);
    if matches!(blanked, Err(BurnError::Cancelled { .. })) {
        // The drive goes on blanking: unlock once it is done, without waiting here.
        tray.unlock_when_answered();
    }
    tray.release(cancel, &mut *run.on_event);
    blanked?;
    run.phase(BurnPhase::Completed);
    inspect(rec)
}

/// `discburn format`: formats a DVD+RW, DVD-RAM, BD-RE, or a blank BD-R with
/// spare areas.
pub fn format(
    rec: &Arc<Recorder>,
    spare: Spare,
    cancel: &CancelToken,
    on_event: &mut dyn FnMut(&BurnEvent),
) -> Result<Medium, BurnError> {
    let mut run = Operation::start(rec, cancel, on_event)?;
    let medium = inspect(rec)?;
    let mut tray = ops::TrayLock::engage(rec);
    let formatted = prepare::format_medium(&mut run, &medium, Some(spare), true);
    if matches!(formatted, Err(BurnError::Cancelled { .. })) {
        // The drive goes on formatting: unlock once it is done, without waiting here.
        tray.unlock_when_answered();
    }
    tray.release(cancel, &mut *run.on_event);
    formatted?;
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
