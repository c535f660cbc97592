//! Folder burning: an ISO 9660 image with Joliet and Rock Ridge (files of 4 GiB and
//! more in several extents), a UDF volume, or both over the same data (the bridge,
//! [`FileSystems`]), optionally bootable ([`Boot`]), built from a host directory and
//! streamed into the write engine with no temporary file; [`check_tree`] reads a disc's
//! file systems back and compares them with the folder.
//!
//! The image is laid out by [hadris-iso](https://docs.rs/hadris-iso) (the
//! libisofs of Rust). Its planner gives the exact image size before a byte is
//! written — the engine needs `numberOfBlocks` up front and the burn workflow
//! refuses a too-large image before the first WRITE — and its writer emits
//! every 2048-byte block exactly once, in ascending order. [`FolderImage::stream`]
//! runs that writer on a thread whose output device is a bounded channel, so
//! the image flows to the drive as it is produced, reading each file once.
//!
//! ```no_run
//! # fn main() -> Result<(), discburn::iso::IsoError> {
//! use std::io::Read;
//! let image = discburn::iso::FolderImage::from_dir("photos".as_ref(), &Default::default())?;
//! println!("{} sectors", image.sectors());
//! let mut stream = image.stream();
//! let mut first = vec![0u8; 2048];
//! stream.read_exact(&mut first).unwrap();
//! # Ok(()) }
//! ```
//!
//! ## Later sessions
//!
//! On an appendable disc, [`FolderImage::append_to`] masters the folder the
//! way `growisofs -M` and `xorriso -dev` do: the new session's volume
//! descriptors sit at its own start + 16, every directory record and path
//! table addresses the disc's real LBAs from the track's next writable
//! address, and its tree is the previous session's tree with the folder
//! merged in — a file of the folder replaces the file of the same path,
//! everything else of the earlier sessions stays and points at its old
//! extents (nothing is copied). A reader mounting the last session, as every
//! operating system does, sees all of it.
//!
//! hadris-iso's [`Session`] does the reading and the layout: it reads an
//! image into a tree whose old files are stored extents, and its
//! [`SessionMode::Append`](hadris_iso::SessionMode::Append) lays a new session out after the old volume. It
//! expects one image whose descriptors are at block 16 and whose new session
//! starts at the old volume's end, so the disc is shown to it through
//! `DiscDevice`: absolute LBAs, except that the descriptor set is read from
//! the last session's start + 16 with its volume size set to the next
//! writable address (the gap between sessions — lead-out and lead-in — is
//! not part of any volume). Of what `Append` writes, the copy of the new
//! descriptors at block 16 (meant for overwritable media) is left out: a
//! write-once disc keeps each set in its session. The size is known before
//! anything is streamed: a first pass lays the session out and stops at the
//! first descriptor it writes, whose volume size is the session's end.
//!
//! ## Growing a volume on rewritable media
//!
//! A DVD+RW, DVD-RAM or BD-RE has no sessions: a reader looks at sector 16
//! only. [`FolderImage::grow`] emulates multi-session there the way
//! `growisofs -M` does: the new session is laid out after the volume at
//! sector 0 (its start rounded up to a 16-sector, 32 KiB boundary, as
//! growisofs rounds), and the copy of its descriptor set that `Append`
//! writes at block 16 is kept aside
//! ([`descriptor_rewrite`](FolderImage::descriptor_rewrite)) instead of being
//! streamed. The burn writes the session first and flushes the drive, and
//! only then writes that copy over the old descriptors: until then the disc
//! still shows the old volume, whole.

mod append;
mod boot;
mod check;
pub mod descriptor;
mod plan;
mod stream;
mod udf;

use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use discburn_mmc::profile::MediaFamily;
use hadris_fs::{DateTime, Tree};
use hadris_iso::sync::Session;
use hadris_iso::IsoOptions;

pub use boot::{Boot, HybridTable, DEFAULT_LOAD_SIZE, MBR_CODE_MAX};
pub use check::{check_tree, IsoTree, TreeCheck, TreeProblem, MAX_PROBLEMS};
pub use descriptor::VolumeDescriptor;
use hadris_storage::BlockSize;
pub use udf::UdfRevision;

/// ISO 9660 logical block size: one 2048-byte data sector.
pub const SECTOR: u64 = 2048;

/// ECMA-119 §8.4.6: the volume identifier field holds 32 bytes.
pub const VOLUME_ID_MAX: usize = 32;

/// ECMA-119 §9.1.4: a file's extent length is a 32-bit byte count, and an
/// extent is whole sectors: 4 GiB − 2 KiB is the largest file one extent
/// records. Larger files take several extents (multi-extent, Level 3).
pub const MAX_FILE_BYTES: u64 = (u32::MAX as u64 / SECTOR) * SECTOR;

/// Chunks the writer thread may run ahead of the reader (each at most 64 KiB,
/// hadris-iso's chunk): enough to keep the engine's reader thread fed while
/// the next host file opens, small enough to stay out of the way.
const QUEUE_CHUNKS: usize = 32;

/// ECMA-119 §6.2.1: the volume descriptor set starts at logical block 16 of
/// a session.
const DESCRIPTOR_START: u64 = 16;

/// Descriptors read before a set without a terminator is called corrupt
/// (real sets have 3 to 5: primary, boot record, Joliet, enhanced, end).
const MAX_DESCRIPTORS: u32 = 64;

/// Disc metadata kept in memory between the sizing pass and the streaming
/// pass, so the stream reads nothing from the drive while it writes.
const CACHE_BYTES: usize = 64 << 20;

/// Zero blocks sent at a time when the layout leaves a gap.
const ZERO_BLOCKS: u64 = 32;

/// Where a grown volume's next session starts: the old volume's end rounded
/// up to a multiple of this (one 32 KiB DVD ECC block), as `growisofs -M`
/// rounds its `-C` offset.
pub const GROW_ALIGN: u32 = 16;

/// How the image is mastered.
#[derive(Debug, Clone)]
pub struct IsoSettings {
    /// Volume identifier (ISO 9660 d-characters, up to 32; mapped when not).
    /// `None`: derived from the folder's name; for a later session, the
    /// previous session's identifier is kept.
    pub volume_id: Option<String>,
    /// Add a Joliet tree (Unicode names for Windows). Default on.
    pub joliet: bool,
    /// Add Rock Ridge (POSIX names, modes, symlinks). Default on. A later
    /// session keeps the trees of the previous one as well.
    pub rock_ridge: bool,
    /// Recording time of the volume, seconds since the Unix epoch. `None`:
    /// `SOURCE_DATE_EPOCH` when set, else now. A fixed time (this or
    /// `SOURCE_DATE_EPOCH`) also clamps every file time newer than it, so the
    /// same folder always masters to the same bytes (reproducible-builds.org's
    /// SOURCE_DATE_EPOCH specification).
    pub time: Option<i64>,
    /// El Torito boot entries and a hybrid partition table (a fresh image only).
    pub boot: Boot,
    /// The file systems of a fresh image. `None`: ISO 9660 + UDF for a BD
    /// ([`family`](Self::family)) or when a file is 4 GiB − 2 KiB or larger (systems
    /// that read no multi-extent ISO 9660 read its UDF), else ISO 9660 alone; a
    /// bootable image is ISO 9660. A later session is ISO 9660 unless UDF was asked.
    pub fs: Option<FileSystems>,
    /// The UDF revision, when there is a UDF volume. `None`: 2.50 on a BD (its metadata
    /// partition is what BD data discs carry), 1.02 on a DVD (what DVD players read),
    /// else 2.01.
    pub udf_revision: Option<UdfRevision>,
    /// The medium the image is for, when known: it picks the file systems and the UDF
    /// revision that `fs` and `udf_revision` leave open.
    pub family: Option<MediaFamily>,
}

/// Which file systems a folder is mastered as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileSystems {
    /// ISO 9660 with Joliet and Rock Ridge (what every system mounts).
    Iso,
    /// UDF alone.
    Udf,
    /// The ISO 9660 + UDF bridge: both trees over the same file data (what Windows,
    /// players and Blu-ray/DVD-Video use).
    IsoUdf,
}

impl FileSystems {
    /// Whether there is a UDF volume.
    pub fn has_udf(self) -> bool {
        matches!(self, FileSystems::Udf | FileSystems::IsoUdf)
    }

    /// Whether there is an ISO 9660 volume.
    pub fn has_iso(self) -> bool {
        matches!(self, FileSystems::Iso | FileSystems::IsoUdf)
    }
}

impl std::fmt::Display for FileSystems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FileSystems::Iso => "ISO 9660",
            FileSystems::Udf => "UDF",
            FileSystems::IsoUdf => "ISO 9660 + UDF",
        })
    }
}

impl Default for IsoSettings {
    fn default() -> Self {
        Self {
            volume_id: None,
            joliet: true,
            rock_ridge: true,
            time: None,
            boot: Boot::default(),
            fs: None,
            udf_revision: None,
            family: None,
        }
    }
}

/// Why a folder could not become an image.
#[derive(Debug, thiserror::Error)]
pub enum IsoError {
    /// The folder or one of its entries could not be read or laid out.
    #[error("cannot build an ISO 9660 image from {dir}: {message}")]
    Build {
        /// The folder.
        dir: PathBuf,
        /// What hadris-iso reported, with the path at fault.
        message: String,
    },
    /// A disc's ISO 9660 tree could not be read back (verify by file system).
    #[error("cannot read the ISO 9660 file system of the session at sector {start}: {message}")]
    Unmountable {
        /// The session's first sector.
        start: u32,
        /// What the reader reported.
        message: String,
    },
    /// A boot setting that does not fit the folder.
    #[error("cannot boot from {}: {reason}", .image.display())]
    Boot {
        /// The boot image (or catalog) at fault, in the folder.
        image: PathBuf,
        /// Why, and what to do.
        reason: String,
    },
    /// Entries the image could not hold; burning without them would lose data.
    #[error("cannot put {} of the files in {dir} on an ISO 9660 image: {}", .paths.len(), .paths.join(", "))]
    Skipped {
        /// The folder.
        dir: PathBuf,
        /// The entries left out, and why.
        paths: Vec<String>,
    },
    /// The volume identifier does not fit the primary volume descriptor.
    #[error("the volume identifier {id:?} is {} bytes long; ISO 9660 records at most {VOLUME_ID_MAX} (A–Z, 0–9 and _; Joliet shows the first 16)", .id.len())]
    VolumeId {
        /// The identifier asked for.
        id: String,
    },
    /// A file of the folder cannot be read now: found before the burn, it
    /// would otherwise stop the burn midway and spoil a write-once disc.
    #[error("cannot read {}: {reason}", .path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why, and what to do.
        reason: String,
    },
    /// The disc's last session cannot be read and carried forward into a new
    /// session.
    #[error("cannot add a session after the one at sector {start}: {message}")]
    PreviousSession {
        /// First LBA of the disc's last session.
        start: u32,
        /// Why.
        message: String,
    },
}

/// 2048-byte sectors of a disc, by absolute LBA: how a later session reads
/// the previous one (through the recorder with READ(12), or from an image
/// file).
pub trait SectorRead: Send {
    /// Fills `buf`, a whole number of sectors, from `lba` on.
    fn read_sectors(&mut self, lba: u32, buf: &mut [u8]) -> io::Result<()>;
}

/// A disc image file holding sector N at byte N × 2048, as a virtual
/// recorder's file does.
#[derive(Debug)]
pub struct FileSectors(pub std::fs::File);

impl SectorRead for FileSectors {
    fn read_sectors(&mut self, lba: u32, buf: &mut [u8]) -> io::Result<()> {
        self.0.seek(SeekFrom::Start(u64::from(lba) * SECTOR))?;
        self.0.read_exact(buf)
    }
}

/// What a later session carries forward from the disc's last session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carried {
    /// First LBA of the previous session.
    pub previous_start: u32,
    /// The previous session's volume identifier.
    pub previous_volume_id: String,
    /// Files, symlinks and special files of the earlier sessions in the new
    /// tree, pointing at their old extents.
    pub kept: usize,
    /// Entries of the earlier sessions the folder replaced (same path).
    pub replaced: usize,
}

/// A folder mastered as ISO 9660 + Joliet + Rock Ridge, sized and ready to
/// stream: a fresh image for sector 0, or a later session of a disc.
pub struct FolderImage {
    dir: PathBuf,
    settings: IsoSettings,
    time: DateTime,
    size: u64,
    renamed: usize,
    volume_id: String,
    start_lba: u32,
    carried: Option<Carried>,
    /// For a grown volume: the new descriptor set, to be written at block 16
    /// once the session is on the disc.
    rewrite: Option<Vec<u8>>,
    /// Whether deep directories were relocated into `.rr_moved`, which the
    /// stream then marks hidden.
    relocated: bool,
    /// The file systems it holds.
    fs: FileSystems,
    /// The revision of its UDF volume, when it has one.
    udf_revision: Option<UdfRevision>,
    /// A grown volume whose rewrite also clears the earlier UDF bridge's recognition
    /// sequence.
    udf_cleared: bool,
    body: Body,
}

enum Body {
    /// A whole image from sector 0.
    Fresh(Box<FreshImage>),
    /// A whole ISO 9660 + UDF bridge image: its structures in memory, its files read
    /// from the folder while streaming.
    Bridge(Box<(udf::Overlay, FreshImage)>),
    /// A whole UDF image.
    Udf(Box<udf::UdfImage>),
    /// A session appended to a disc.
    Later(Box<LaterSession>),
}

struct FreshImage {
    tree: Tree,
    options: IsoOptions,
}

struct LaterSession {
    session: Session<DiscDevice>,
    options: IsoOptions,
    output: Arc<Mutex<Output>>,
    /// The new volume's end: the session's last block + 1, as an absolute LBA.
    end: u64,
    /// For a grown volume, the descriptor copy the sizing pass produced: the
    /// streaming pass must produce the same one.
    rewrite: Option<Vec<u8>>,
}

/// What the disc keeps of the descriptor copy hadris-iso's `Append` writes
/// at block 16.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    /// A write-once disc: each session keeps its own set; the copy is dropped.
    WriteOnce,
    /// A rewritable disc: the copy replaces the old set, after the session.
    Rewritable,
}

impl std::fmt::Debug for FolderImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FolderImage")
            .field("dir", &self.dir)
            .field("size", &self.size)
            .field("volume_id", &self.volume_id)
            .field("start_lba", &self.start_lba)
            .field("carried", &self.carried)
            .finish_non_exhaustive()
    }
}

/// Refuses a volume identifier longer than the primary volume descriptor's
/// field ([`VOLUME_ID_MAX`] bytes, ECMA-119 §8.4.6). Joliet's 16 UCS-2
/// characters are not a limit: its descriptor shows the first 16, as
/// xorriso's and genisoimage's do.
pub fn check_volume_id(id: &str) -> Result<(), IsoError> {
    if id.len() > VOLUME_ID_MAX {
        return Err(IsoError::VolumeId { id: id.to_string() });
    }
    Ok(())
}

/// A volume identifier from a folder name: ISO 9660 d-characters
/// (A–Z, 0–9, `_`), at most 32.
pub fn volume_id_for(dir: &Path) -> String {
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let mut id: String = name
        .chars()
        .map(|c| match c.to_ascii_uppercase() {
            c @ ('A'..='Z' | '0'..='9' | '_') => c,
            _ => '_',
        })
        .take(32)
        .collect();
    if id.trim_matches('_').is_empty() {
        id = "DISCBURN".into();
    }
    id
}

fn block_size() -> BlockSize {
    BlockSize::new(SECTOR as u32).expect("2048 is a valid block size")
}

fn io_error(kind: hadris_io::ErrorKind, message: &'static str) -> hadris_io::Error<io::Error> {
    hadris_io::Error::new(kind, message)
}

impl FolderImage {
    /// Image size in bytes (a whole number of 2048-byte sectors).
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Image size in 2048-byte sectors: the `numberOfBlocks` of the write.
    pub fn sectors(&self) -> u64 {
        self.size / SECTOR
    }

    /// The LBA the image's addresses are computed for, where it must be
    /// written: 0 for a fresh image, the next writable address for a later
    /// session.
    pub fn start_lba(&self) -> u32 {
        self.start_lba
    }

    /// For a later session, what it carries forward from the earlier ones.
    pub fn carried(&self) -> Option<&Carried> {
        self.carried.as_ref()
    }

    /// For a grown volume ([`grow`](Self::grow)): the LBA (16) and the
    /// blocks of the new volume descriptor set, to be written over the old
    /// set once the session's data is on the disc (not part of
    /// [`stream`](Self::stream) or [`sectors`](Self::sectors)).
    pub fn descriptor_rewrite(&self) -> Option<(u32, &[u8])> {
        self.rewrite
            .as_deref()
            .map(|d| (DESCRIPTOR_START as u32, d))
    }

    /// Names the ISO 9660 / Joliet trees had to map, shorten or de-duplicate
    /// (Rock Ridge keeps the originals).
    pub fn renamed(&self) -> usize {
        self.renamed
    }

    /// Whether growing this volume removes the UDF tree of an earlier bridge (its
    /// recognition sequence is cleared with the descriptor rewrite).
    pub fn clears_udf(&self) -> bool {
        self.udf_cleared
    }

    /// The revision of its UDF volume, when it has one.
    pub fn udf_revision(&self) -> Option<UdfRevision> {
        self.udf_revision
    }

    /// The settings it was mastered with.
    pub fn settings(&self) -> &IsoSettings {
        &self.settings
    }

    /// The file systems the image holds.
    pub fn file_systems(&self) -> FileSystems {
        self.fs
    }

    /// The volume identifier recorded.
    pub fn volume_id(&self) -> &str {
        &self.volume_id
    }

    /// The folder the image is built from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

use append::DiscDevice;
use plan::stream_failure;
pub use stream::IsoStream;
use stream::{lock, Output, Phase, RR_MOVED};
