//! What the workflow tells its caller along the way ([`BurnEvent::Note`](super::BurnEvent::Note)):
//! each [`Note`] is a fact with its data (sectors, addresses, the write mode and
//! speed chosen), not a sentence; an interface says it in its own words.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use discburn_mmc::format::FormatType;
use discburn_mmc::profile::Profile;

use crate::error::Error;

use super::{Closing, FormatChoice, Medium, Spare, SpeedChoice};

/// Something the user should know about a burn, verify, read, fix, blank or
/// format: what was found, chosen or fallen back to.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Note {
    /// The medium in the drive, as found before the operation.
    Disc(Medium),
    /// A folder mastered on the fly as the first session (ISO 9660 + Joliet + Rock
    /// Ridge, UDF, or both over the same data; built while writing).
    FolderImage {
        /// The folder.
        dir: PathBuf,
        /// The file systems chosen.
        file_systems: crate::iso::FileSystems,
        /// The UDF revision, when there is UDF.
        udf_revision: Option<crate::iso::UdfRevision>,
        /// The volume identifier.
        volume_id: String,
        /// Sectors of the image.
        sectors: u64,
        /// Names adapted for ISO 9660/Joliet (Rock Ridge keeps them).
        renamed: usize,
    },
    /// A rewritable medium holds an ISO 9660 volume and the burn is not
    /// multi-session: the new volume replaces it from sector 0.
    VolumeReplaced {
        /// What is in the drive.
        profile: Profile,
        /// The volume replaced.
        volume_id: String,
    },
    /// A multi-session burn onto a rewritable medium grows its volume, as
    /// `growisofs -M` does: the session after it, then the descriptors at sector 16.
    VolumeGrown {
        /// The volume grown.
        volume_id: String,
        /// Where the new session starts.
        start_lba: u32,
        /// Files of the earlier sessions carried forward in place.
        kept: usize,
        /// Files of the earlier sessions the folder replaced.
        replaced: usize,
        /// The grown volume's identifier.
        new_volume_id: String,
        /// Sectors of the new session.
        sectors: u64,
    },
    /// The grown volume held an ISO 9660 + UDF bridge: its UDF tree would describe the
    /// old volume, so its recognition sequence is cleared with the descriptor rewrite
    /// and systems read the ISO 9660 trees.
    UdfRemoved {
        /// The volume grown.
        volume_id: String,
    },
    /// A folder written as a later session of an appendable disc.
    SessionAppended {
        /// Where the new session starts.
        start_lba: u32,
        /// Where the session before it starts.
        previous_start: u32,
        /// Files of the earlier sessions carried forward in place.
        kept: usize,
        /// Files of the earlier sessions the folder replaced.
        replaced: usize,
        /// The new volume identifier.
        volume_id: String,
        /// Sectors of the new session.
        sectors: u64,
    },
    /// An ISO 9660 image mastered for a later session, written at that address.
    ImageForLaterSession {
        /// The image or stream.
        label: String,
        /// Its root directory's extent (ECMA-119 §9.1.3).
        root_extent: u32,
        /// Where it is written.
        start_lba: u32,
    },
    /// Data with no ISO 9660 volume descriptor at its sector 16 (raw data, or
    /// UDF only), written as it is at a later address than 0.
    RawDataAt {
        /// The image or stream.
        label: String,
        /// Where it is written.
        start_lba: u32,
    },
    /// Where the recording changes layer on a dual-layer DVD (MMC-6 §6.33.3.6).
    LayerBreak {
        /// LBA where Layer 1 starts: Layer 0's capacity.
        layer0: u32,
        /// Sectors of the recording, from LBA 0.
        sectors: u64,
        /// How the break came to be there.
        how: LayerBreakKind,
    },
    /// The BD defect management (spare area) choices the drive offers.
    SpareChoices(Vec<FormatChoice>),
    /// The BD spare area chosen, and the capacity it leaves.
    SpareChosen {
        /// The choice.
        spare: Spare,
        /// Sectors usable with it.
        sectors: u64,
    },
    /// A spare area was asked for a BD whose spare area is fixed now.
    SpareIgnored {
        /// What is in the drive.
        profile: Profile,
        /// It is written (a BD-R); else formatted.
        written: bool,
    },
    /// Zero sectors appended after the data.
    Padding {
        /// The image or stream.
        label: String,
        /// Its sectors.
        sectors: u64,
        /// cdrecord `-pad`'s sectors, when asked ([`BurnOptions::pad`](super::BurnOptions::pad)); else 0.
        pad: u64,
        /// A CD written Session-At-Once: the minimum track length it was padded up to
        /// (300 sectors, MMC-6 §4.3.5), when it was shorter.
        sao_minimum: Option<u64>,
        /// A restricted overwrite DVD-RW: the whole 32 KiB blocks (MMC-6 §4.5.4) the data
        /// was padded up to, in sectors, when it did not end on one.
        whole_blocks: Option<u64>,
    },
    /// The drive refused Disc-At-Once (page 05h): writing incrementally instead.
    DaoRefused,
    /// The drive has no RESERVE TRACK: writing incrementally instead of Disc-At-Once.
    NoReserveTrack,
    /// The write mode set in page 05h.
    WriteMode {
        /// The mode.
        mode: WriteMode,
        /// Test Write (simulation: the laser stays off).
        test_write: bool,
    },
    /// The write speed the drive took.
    Speed {
        /// What was asked.
        asked: SpeedChoice,
        /// kB/s the drive reports using.
        kbps: Option<u32>,
        /// The same as a multiple of the medium's 1x, when the drive reports both.
        times: Option<f64>,
        /// The drive rounded the request to a speed it offers.
        rounded: bool,
    },
    /// SET STREAMING / SET CD SPEED failed: the drive keeps its own speed.
    SpeedNotSet {
        /// kB/s asked, unless the maximum was.
        requested_kbps: Option<u32>,
        /// The drive's answer.
        error: Arc<Error>,
    },
    /// FORMAT UNIT with this format.
    Formatting {
        /// The format type (MMC-6 §6.5.4).
        format_type: FormatType,
        /// Sectors it formats.
        sectors: u64,
    },
    /// Spare none on a BD-R means leaving it unformatted: nothing to do.
    BdRLeftUnformatted {
        /// Sectors usable.
        sectors: u64,
    },
    /// A Test Write recorded nothing: the disc stays blank.
    TestWriteNothingRecorded,
    /// A stream of unknown length ended, and the track with it.
    StreamEnded {
        /// The stream.
        label: String,
        /// Sectors of data that came.
        sectors: u64,
        /// Sectors of the track, padding included.
        track_sectors: u64,
        /// Bytes its last, partial sector was padded with (0: none).
        padded_bytes: u64,
    },
    /// A cancel came while the drive was closing the disc, which a drive cannot
    /// stop: the burn is complete.
    CancelledInClose {
        /// Sectors on the disc.
        sectors: u64,
        /// How the disc was left (`None`: as before the close).
        closing: Option<Closing>,
        /// Verify was asked, and skipped.
        verify_skipped: bool,
    },
    /// A grown volume's new descriptors written over the old ones.
    VolumeDescriptors {
        /// First sector.
        first: u32,
        /// Last sector.
        last: u32,
    },
    /// Verify compares an image with the disc.
    Comparing {
        /// The image file.
        image: PathBuf,
        /// Its sectors.
        sectors: u64,
        /// Where on the disc.
        start_lba: u32,
    },
    /// The image verified at a later address is addressed from sector 0: the
    /// disc may hold its bytes, but its file system cannot be read there.
    MisplacedImage {
        /// The image file.
        image: PathBuf,
        /// Its root directory's extent.
        root_extent: u32,
        /// Where it was compared.
        start_lba: u32,
    },
    /// The track holds padding after the verified image (zeros, as burners add).
    TrailingPadding {
        /// Sectors after the image.
        sectors: u64,
        /// A CD, whose track also ends in unreadable run-out sectors.
        cd: bool,
    },
    /// `read`: what is copied.
    Reading {
        /// What the sectors are ("track 1", "session 2 (the last)").
        what: String,
        /// Sectors.
        sectors: u64,
        /// First sector.
        start_lba: u32,
        /// The image file written.
        out: PathBuf,
    },
    /// `fix`: the open track is closed first.
    ClosingOpenTrack {
        /// Its number.
        track: u16,
    },
    /// A cancel came while the drive is in a step it cannot be stopped in: the
    /// workflow waits for it, until a second cancel stops the wait.
    WaitingForDrive {
        /// What the drive is doing ("flushing its buffer to the disc").
        doing: &'static str,
        /// The most it may still take.
        may_take: Duration,
    },
    /// The tray is unlocked once the drive finishes what it is doing.
    WaitingToUnlock,
}

/// How a dual-layer DVD's layer break was decided ([`Note::LayerBreak`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerBreakKind {
    /// This burn set Layer 0's capacity (SEND DISC STRUCTURE 20h) to split a recording
    /// that is closed after it evenly between the layers, as growisofs `-dvd-compat`
    /// does: both layers end at the same radius, as on a pressed DVD-9.
    Balanced,
    /// The disc's own boundary (as sold, or set before): the recording fills Layer 0
    /// and goes on on Layer 1.
    Disc,
    /// The recording fits on Layer 0: Layer 1 stays empty (more than half the disc
    /// unused; single-layer media would hold it).
    Layer0Only,
}

/// A write mode of page 05h, as the medium names it (MMC-6 §7.5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// CD Track-At-Once.
    TrackAtOnce,
    /// CD Session-At-Once (with a cue sheet).
    SessionAtOnce,
    /// DVD-R Disc-At-Once (with RESERVE TRACK).
    DiscAtOnce,
    /// Incremental (DVD-R/RW).
    Incremental,
}
