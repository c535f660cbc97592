//! The burn workflow's public types: phases and events, the source, the options and the
//! report.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::engine::Update;
use crate::iso::FolderImage;
use crate::verify::{VerifyProgress, VerifyReport};

use super::{not_an_image, BurnError};
use super::{Medium, Note};

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
    Note(Note),
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

/// What `discburn format` asks for (MMC-6 §6.5 FORMAT UNIT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatRequest {
    /// BD defect management.
    pub spare: Spare,
    /// A DVD-RW: change it to restricted overwrite (profile 0013h), erasing it. Asked
    /// for explicitly, as `dvd+rw-format` insists on `-force` for the mode change; a
    /// DVD-RW already in restricted overwrite is formatted again with or without it.
    pub overwrite: bool,
    /// A DVD-RW: the full format (type 10h, the whole disc written, about half an hour)
    /// instead of the quick one (15h, a minute or so).
    pub full: bool,
}

impl FormatRequest {
    /// BD's `spare` choice; no DVD-RW mode change.
    pub fn spare(spare: Spare) -> FormatRequest {
        FormatRequest {
            spare,
            overwrite: false,
            full: false,
        }
    }
}

/// What the choice means: "none (no defect management, full speed)".
impl fmt::Display for Spare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Spare::None => "none (no defect management, full speed)",
            Spare::Min => "min (smallest spare area)",
            Spare::Default => "default (drive's spare area)",
        })
    }
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
    /// An image file or a folder, by what `path` is; a folder is mastered
    /// with `settings`, which an image file does not need.
    pub fn from_path(path: &Path, settings: &crate::iso::IsoSettings) -> Result<Source, BurnError> {
        let meta = std::fs::metadata(path).map_err(|e| BurnError::source(path, e))?;
        if meta.is_dir() {
            Ok(Source::Folder(Box::new(FolderImage::from_dir(
                path, settings,
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

/// Everything a burn can be told (IDiscFormat2Data's properties). Built from
/// [`BurnOptions::default`] with the `with_…` setters, so that options added later
/// keep every caller compiling:
///
/// ```
/// use discburn::burn::{BurnOptions, Closing, SpeedChoice};
///
/// let opts = BurnOptions::default()
///     .with_speed(SpeedChoice::Times(4.0))
///     .with_closing(Closing::Session)
///     .with_verify(true);
/// assert!(opts.verify && !opts.dry_run);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
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
    /// Compute the SHA-256 of what is written while it streams
    /// ([`BurnReport::sha256`]; the burn record's digest). Off by default: it costs CPU.
    pub sha256: bool,
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
            sha256: false,
        }
    }
}

/// `with_field(value)` setters for [`BurnOptions`], each documented by its field.
macro_rules! setters {
    ($($setter:ident => $field:ident: $ty:ty),* $(,)?) => {
        $(
            #[doc = concat!("[`BurnOptions::", stringify!($field), "`].")]
            pub fn $setter(mut self, $field: $ty) -> Self {
                self.$field = $field;
                self
            }
        )*
    };
}

impl BurnOptions {
    setters! {
        with_speed => speed: SpeedChoice,
        with_streaming => streaming: bool,
        with_verify => verify: bool,
        with_closing => closing: Closing,
        with_test_write => test_write: bool,
        with_dry_run => dry_run: bool,
        with_sao => sao: bool,
        with_pad => pad: bool,
        with_sha256 => sha256: bool,
    }

    /// [`BurnOptions::spare`]: a [`Spare`], or `None` for the medium's default.
    pub fn with_spare(mut self, spare: impl Into<Option<Spare>>) -> Self {
        self.spare = spare.into();
        self
    }

    /// [`BurnOptions::system_buffer`]: bytes, or `None` for the engine's default.
    pub fn with_system_buffer(mut self, bytes: impl Into<Option<usize>>) -> Self {
        self.system_buffer = bytes.into();
        self
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
    /// SHA-256 (lowercase hex) of every byte written — the source and any padding —
    /// when [`BurnOptions::sha256`] asked for it.
    pub sha256: Option<String>,
}

impl BurnReport {
    /// Average write speed in multiples of 1x.
    pub fn average_x(&self) -> Option<f64> {
        self.last_update.as_ref().and_then(|u| u.average_speed_x)
    }
}
