//! Folder burning: an ISO 9660 image with Joliet and Rock Ridge, built from a
//! host directory and streamed into the write engine with no temporary file.
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
//! [`SessionMode::Append`] lays a new session out after the old volume. It
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

pub mod descriptor;

use std::collections::{HashMap, HashSet};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};
use hadris_fs::host::{self, TreeOptions};
use hadris_fs::{Content, DateTime, FileType, Tree, WarningKind};
use hadris_iso::sync::Session;
use hadris_iso::{IsoId, IsoLevel, IsoOptions, Relocation, SessionMode};

pub use descriptor::VolumeDescriptor;
use hadris_storage::sync::BlockDevice;
use hadris_storage::{BlockIndex, BlockSize};

/// ISO 9660 logical block size: one 2048-byte data sector.
pub const SECTOR: u64 = 2048;

/// ECMA-119 §8.4.6: the volume identifier field holds 32 bytes.
pub const VOLUME_ID_MAX: usize = 32;

/// ECMA-119 §9.1.4: a file's extent length is a 32-bit byte count, and an
/// extent is whole sectors: 4 GiB − 2 KiB is the largest file one extent
/// records.
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
    /// `SOURCE_DATE_EPOCH` when set, else now.
    pub time: Option<i64>,
}

impl Default for IsoSettings {
    fn default() -> Self {
        Self {
            volume_id: None,
            joliet: true,
            rock_ridge: true,
            time: None,
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
    /// A file too large for one ISO 9660 extent.
    #[error("{} is {size} bytes: ISO 9660 records a file in one extent of at most 4 GiB − 2 KiB ({MAX_FILE_BYTES} bytes); multi-extent files and UDF are not supported yet", .path.display())]
    FileTooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
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
    body: Body,
}

enum Body {
    /// A whole image from sector 0.
    Fresh(Box<FreshImage>),
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

impl FolderImage {
    /// Reads the folder's tree (names, sizes, modes, times), opens every file
    /// and reads its first bytes, and plans the image. File contents are
    /// read in full only while streaming.
    ///
    /// Fails, naming the file and why, when a file cannot be read
    /// ([`IsoError::Unreadable`]: permission denied, a fifo or socket, a file
    /// that changed meanwhile), when one is larger than one ISO 9660 extent
    /// ([`IsoError::FileTooLarge`]), or when the volume identifier is longer
    /// than 32 bytes ([`IsoError::VolumeId`]): all before a burn begins.
    pub fn from_dir(dir: &Path, settings: &IsoSettings) -> Result<Self, IsoError> {
        let build = |message: String| IsoError::Build {
            dir: dir.to_path_buf(),
            message,
        };
        let (tree, skipped) =
            host::read_tree(dir, &TreeOptions::new()).map_err(|e| tree_failure(dir, &e))?;
        if !skipped.is_empty() {
            return Err(IsoError::Skipped {
                dir: dir.to_path_buf(),
                paths: skipped.iter().map(|e| e.to_string()).collect(),
            });
        }
        let volume_id = settings
            .volume_id
            .clone()
            .unwrap_or_else(|| volume_id_for(dir));
        check_volume_id(&volume_id)?;
        let full_extent = check_sources(dir, &tree)?;
        let time = match settings.time {
            Some(secs) => DateTime::from_unix_seconds(secs).map_err(|e| build(e.to_string()))?,
            None => match host::source_date_epoch().map_err(|e| build(e.to_string()))? {
                Some(t) => t,
                None => {
                    let now = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_secs() as i64)
                        .unwrap_or(0);
                    DateTime::from_unix_seconds(now).map_err(|e| build(e.to_string()))?
                }
            },
        };
        let mut options = IsoOptions::default()
            .with_id(IsoId::Volume, &volume_id)
            .with_id(IsoId::Application, "DISCBURN")
            .with_time(time);
        if full_extent {
            // hadris-iso's levels 1 and 2 refuse a file that fills a whole
            // extent (its check is `>=`); level 3 records it in that one extent
            // too (check_sources refused anything larger), with Level 2 names.
            options = options.with_level(IsoLevel::L3);
        }
        if settings.joliet {
            options = options.with_joliet();
        }
        // Deep directories go to `.rr_moved`, which the stream marks with RE
        // so Rock Ridge readers hide it, as xorriso does; a folder with its
        // own `rr_moved` keeps hadris-iso's default, which reuses that one
        // (the two names together are refused).
        let hide_relocated = settings.rock_ridge
            && tree.root().child("rr_moved").is_none()
            && tree.root().child(RR_MOVED).is_none();
        if settings.rock_ridge {
            options = options.with_rock_ridge();
        }
        if hide_relocated {
            options = options.with_relocation(Relocation::DotRrMoved);
        }
        let report = hadris_iso::plan(&tree, &options).map_err(|e| build(e.to_string()))?;
        let mut lost = Vec::new();
        let mut renamed = 0;
        let mut relocated = false;
        for w in report.warnings() {
            relocated |= w.kind() == WarningKind::Relocated;
            match w.kind() {
                WarningKind::Skipped => lost.push(w.to_string()),
                _ => renamed += 1,
            }
        }
        if !lost.is_empty() {
            return Err(IsoError::Skipped {
                dir: dir.to_path_buf(),
                paths: lost,
            });
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            settings: settings.clone(),
            time,
            size: report.size(),
            renamed,
            volume_id,
            start_lba: 0,
            carried: None,
            rewrite: None,
            relocated: relocated && hide_relocated,
            body: Body::Fresh(Box::new(FreshImage { tree, options })),
        })
    }

    /// Re-masters the folder as a later session of a disc (see the module
    /// docs): addressed from `next_writable` (the NWA of the track it will be
    /// written to), with the tree of the session starting at
    /// `previous_start`, read through `disc`, merged with the folder's. The
    /// size is fixed on return; the disc is read again only from memory.
    ///
    /// Fails when the last session holds no ISO 9660 volume (a UDF-only or
    /// raw data session), when its volume is addressed for sector 0 rather
    /// than for its place on the disc (an image mastered for a blank disc
    /// burnt as a later session), or when the disc cannot be read.
    pub fn append_to(
        self,
        disc: Box<dyn SectorRead>,
        previous_start: u32,
        next_writable: u32,
    ) -> Result<FolderImage, IsoError> {
        self.later(disc, previous_start, next_writable, Target::WriteOnce)
    }

    /// Re-masters the folder as a session that grows the ISO 9660 volume at
    /// sector 0 of a rewritable medium (DVD+RW, DVD-RAM, BD-RE), as
    /// `growisofs -M` does (see the module docs): addressed from the old
    /// volume's end rounded up to [`GROW_ALIGN`] sectors, its tree the old
    /// one merged with the folder's. The stream is the session alone; the
    /// new descriptor set for block 16 is
    /// [`descriptor_rewrite`](Self::descriptor_rewrite), to be written only
    /// once the session is safely on the disc.
    ///
    /// Fails when sector 16 holds no ISO 9660 volume, or as
    /// [`append_to`](Self::append_to) does.
    pub fn grow(self, disc: Box<dyn SectorRead>) -> Result<FolderImage, IsoError> {
        let mut disc = disc;
        let set = read_descriptor_set(disc.as_mut(), 0)
            .map_err(|message| IsoError::PreviousSession { start: 0, message })?;
        let start = set
            .volume_blocks
            .max(2 * DESCRIPTOR_START as u32)
            .checked_next_multiple_of(GROW_ALIGN)
            .ok_or_else(|| IsoError::PreviousSession {
                start: 0,
                message: format!("its volume claims {} sectors", set.volume_blocks),
            })?;
        self.later(disc, 0, start, Target::Rewritable)
    }

    fn later(
        self,
        disc: Box<dyn SectorRead>,
        previous_start: u32,
        next_writable: u32,
        target: Target,
    ) -> Result<FolderImage, IsoError> {
        let fail = |message: String| IsoError::PreviousSession {
            start: previous_start,
            message,
        };
        let Body::Fresh(fresh) = self.body else {
            return Err(fail(
                "the folder is already mastered as a later session".into(),
            ));
        };
        let nwa = u64::from(next_writable);
        if next_writable <= previous_start || nwa < 2 * DESCRIPTOR_START {
            return Err(fail(format!(
                "the next writable address {next_writable} does not follow that session"
            )));
        }
        let mut disc = disc;
        let set = read_descriptor_set(disc.as_mut(), previous_start).map_err(&fail)?;
        if previous_start > 0
            && (set.root_lba < previous_start || set.volume_blocks <= previous_start)
        {
            return Err(fail(format!(
                "its ISO 9660 volume is addressed for sector 0, not for its place on the disc (root directory at sector {}, volume of {} sectors): it was burnt as an image mastered for a blank disc, so its files cannot be carried forward",
                set.root_lba, set.volume_blocks
            )));
        }
        if u64::from(set.volume_blocks) > nwa {
            return Err(fail(format!(
                "its volume claims {} sectors but the disc's next writable address is {next_writable}",
                set.volume_blocks
            )));
        }
        let output = Arc::new(Mutex::new(Output::default()));
        let dev = DiscDevice {
            disc,
            session_start: u64::from(previous_start),
            window: u64::from(set.count),
            nwa,
            cache: HashMap::new(),
            cached: 0,
            output: Arc::clone(&output),
        };
        let mut session = Session::open(dev).map_err(|e| {
            let why = lock(&output).read_error.take();
            fail(match why {
                Some(why) => format!("reading its directory tree: {e} ({why})"),
                None => format!("reading its directory tree: {e}"),
            })
        })?;
        let (kept, replaced) = merge(session.tree_mut(), &fresh.tree).map_err(&fail)?;

        let mut options = session
            .options()
            .with_id(IsoId::Application, "DISCBURN")
            .with_time(self.time);
        let volume_id = match &self.settings.volume_id {
            Some(id) => id.clone(),
            None if !set.volume_id.is_empty() => set.volume_id.clone(),
            None => self.volume_id.clone(),
        };
        options = options.with_id(IsoId::Volume, &volume_id);
        if self.settings.joliet && !options.joliet() {
            options = options.with_joliet();
        }
        if self.settings.rock_ridge && !options.rock_ridge() {
            options = options.with_rock_ridge();
        }

        // Sizing pass: lay the session out and stop at its first descriptor.
        lock(&output).phase = Phase::Probe(Vec::new());
        let probe = session.write(&options, SessionMode::Append);
        let writes = match std::mem::take(&mut lock(&output).phase) {
            Phase::Probe(w) => w,
            _ => Vec::new(),
        };
        match writes.first() {
            Some((block, _)) if *block == DESCRIPTOR_START => {}
            Some(_) => {
                return Err(fail(
                    "a file of the earlier sessions lies where hadris-iso puts its descriptor copy (sector 16 on), and it would be moved: the session could not be streamed in order".into(),
                ))
            }
            None => {
                let why = lock(&output).read_error.take();
                return Err(fail(match (probe, why) {
                    (Err(e), Some(why)) => format!("laying the new session out: {e} ({why})"),
                    (Err(e), None) => format!("laying the new session out: {e}"),
                    (Ok(_), _) => "the new session wrote no volume descriptor".into(),
                }));
            }
        }
        // The writes before the next writable address are the descriptor copy
        // at block 16, in order; the first one after it starts the session.
        let mut copy = Vec::new();
        let mut session_first = None;
        for (block, data) in &writes {
            if *block >= nwa {
                session_first = Some((block, data));
                break;
            }
            if *block != DESCRIPTOR_START + copy.len() as u64 / SECTOR {
                return Err(fail(format!(
                    "the new session wrote sector {block} before its start at {next_writable}, outside its descriptor copy"
                )));
            }
            copy.extend_from_slice(data);
        }
        let Some((first, pvd)) = session_first else {
            return Err(fail("the new session wrote no volume descriptor".into()));
        };
        if *first != nwa + DESCRIPTOR_START {
            return Err(fail(format!(
                "the new session's descriptors would go to sector {first}, not to {} (the next writable address + 16): the earlier volume has partitions beyond its end",
                nwa + DESCRIPTOR_START
            )));
        }
        let end = match primary_volume_blocks(pvd) {
            Some(blocks) if u64::from(blocks) > nwa + DESCRIPTOR_START => u64::from(blocks),
            _ => {
                return Err(fail(
                    "the new session's primary volume descriptor is malformed".into(),
                ))
            }
        };
        let carried = Carried {
            previous_start,
            previous_volume_id: set.volume_id,
            kept,
            replaced,
        };
        tracing::info!(
            "later session at {next_writable}: {} sectors, {kept} earlier file(s) kept, {replaced} replaced",
            end - nwa
        );
        Ok(FolderImage {
            dir: self.dir,
            settings: self.settings,
            time: self.time,
            size: (end - nwa) * SECTOR,
            renamed: self.renamed,
            // A later session is laid out with the earlier one's options
            // (relocation into `rr_moved`, not marked).
            relocated: false,
            volume_id,
            start_lba: next_writable,
            carried: Some(carried),
            rewrite: (target == Target::Rewritable).then(|| copy.clone()),
            body: Body::Later(Box::new(LaterSession {
                session,
                options,
                output,
                end,
                rewrite: (target == Target::Rewritable).then_some(copy),
            })),
        })
    }

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

    /// The volume identifier recorded.
    pub fn volume_id(&self) -> &str {
        &self.volume_id
    }

    /// The folder the image is built from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Starts the writer thread and returns the image as a byte stream of
    /// exactly [`size`](Self::size) bytes. A failure while building (a file
    /// that changed size or vanished) surfaces as an I/O error from `read`.
    pub fn stream(self) -> IsoStream {
        let (tx, rx) = crossbeam_channel::bounded(QUEUE_CHUNKS);
        let blocks = self.sectors();
        let dir = self.dir.clone();
        let start = u64::from(self.start_lba);
        let hide = self.relocated.then(|| Hide::new(start + DESCRIPTOR_START));
        let body = self.body;
        let handle = std::thread::Builder::new()
            .name("iso-writer".into())
            .spawn(move || {
                let label = |e: &dyn std::fmt::Display| format!("{}: {e}", dir.display());
                match body {
                    Body::Fresh(fresh) => {
                        let FreshImage { tree, options } = *fresh;
                        let dev = ChannelDevice {
                            sink: Sink::new(tx, 0).hiding(hide),
                            blocks,
                        };
                        hadris_iso::sync::write(dev, &tree, &options)
                            .map(|report| report.size())
                            .map_err(|e| stream_failure(&dir, &e))
                    }
                    Body::Later(later) => {
                        let LaterSession {
                            mut session,
                            options,
                            output,
                            end,
                            rewrite,
                        } = *later;
                        lock(&output).phase = Phase::Stream {
                            sink: Sink::new(tx, start),
                            started: false,
                            copy: Vec::new(),
                        };
                        let written = session.write(&options, SessionMode::Append);
                        let phase = std::mem::take(&mut lock(&output).phase);
                        let note = lock(&output).read_error.take();
                        match (written, phase) {
                            (Ok(report), Phase::Stream { mut sink, copy, .. }) => {
                                for w in report.warnings() {
                                    tracing::warn!("later session: {w}");
                                }
                                if rewrite.as_ref().is_some_and(|r| *r != copy) {
                                    // The set written at 16 afterwards must describe
                                    // this very session.
                                    return Err(label(
                                        &"the session's descriptor set differs from the one sized for it",
                                    ));
                                }
                                // Blocks no structure covers at the end are zeros too.
                                sink.pad_to(end)
                                    .map(|()| (end - start) * SECTOR)
                                    .map_err(|e| label(&e))
                            }
                            (Ok(_), _) => Err(label(&"the session writer lost its output")),
                            (Err(e), _) => Err(match note {
                                Some(note) => label(&format!("{e} ({note})")),
                                None => label(&e),
                            }),
                        }
                    }
                }
            })
            .ok();
        IsoStream {
            rx,
            chunk: Vec::new(),
            pos: 0,
            handle,
            expected: self.size,
            delivered: 0,
        }
    }
}

/// The facts of a session's volume descriptor set the append needs.
struct DescriptorSet {
    /// Descriptors including the terminator.
    count: u32,
    /// The primary descriptor's volume space size.
    volume_blocks: u32,
    /// The primary root directory's extent.
    root_lba: u32,
    /// The primary descriptor's volume identifier, trimmed.
    volume_id: String,
}

/// Reads the descriptor set of the session starting at `start` (ECMA-119
/// §8: 2048-byte descriptors from block 16 to the set terminator).
fn read_descriptor_set(disc: &mut dyn SectorRead, start: u32) -> Result<DescriptorSet, String> {
    let mut sector = vec![0u8; SECTOR as usize];
    let mut primary = None;
    for i in 0..MAX_DESCRIPTORS {
        let lba = start
            .checked_add(DESCRIPTOR_START as u32 + i)
            .ok_or("the session starts past the last addressable sector")?;
        disc.read_sectors(lba, &mut sector)
            .map_err(|e| format!("reading its volume descriptor at sector {lba}: {e}"))?;
        let d = VolumeDescriptor::new(&sector[..]);
        if !d.is_descriptor() {
            return Err(if i == 0 {
                format!("sector {lba} holds no ISO 9660 volume descriptor: the session has no ISO 9660 file system (UDF only, or raw data)")
            } else {
                format!("its volume descriptor set is not terminated (sector {lba})")
            });
        }
        match d.kind() {
            Some(descriptor::PRIMARY) if primary.is_none() => {
                primary = Some((
                    d.volume_space_size().unwrap_or(0),
                    d.root_extent().unwrap_or(0),
                    d.volume_id().unwrap_or_default(),
                ));
            }
            Some(descriptor::TERMINATOR) => {
                let (volume_blocks, root_lba, volume_id) =
                    primary.ok_or("its volume descriptor set has no primary descriptor")?;
                return Ok(DescriptorSet {
                    count: i + 1,
                    volume_blocks,
                    root_lba,
                    volume_id,
                });
            }
            _ => {}
        }
    }
    Err(format!(
        "its volume descriptor set has no terminator in {MAX_DESCRIPTORS} sectors"
    ))
}

/// The volume space size of a primary volume descriptor, when `data` starts
/// with one.
fn primary_volume_blocks(data: &[u8]) -> Option<u32> {
    let d = VolumeDescriptor::new(data);
    d.is_primary().then(|| d.volume_space_size()).flatten()
}

/// Merges the folder's tree into the previous session's: the folder's
/// directories join the old ones (taking their new attributes), its files
/// replace the old entries of the same path. Returns the entries of the
/// earlier sessions still in the tree and how many were replaced.
fn merge(into: &mut Tree, folder: &Tree) -> Result<(usize, usize), String> {
    let err = |e: hadris_fs::PathError| format!("merging the folder into its tree: {e}");
    let mut replaced = 0;
    let mut added: HashSet<Vec<u8>> = HashSet::new();
    let mut links: HashMap<usize, Vec<u8>> = HashMap::new();
    let mut pending = vec![(Vec::new(), folder.root())];
    while let Some((prefix, dir)) = pending.pop() {
        for (name, child) in dir.children() {
            let mut path = prefix.clone();
            path.push(b'/');
            path.extend_from_slice(name.as_bytes());
            let node = child.node();
            let old = into.get(&path).map(|n| n.file_type());
            if node.file_type() == FileType::Dir {
                match old {
                    // A directory keeps its children and takes the new attributes.
                    Some(FileType::Dir) => into.replace(&path, node.clone()).map_err(err)?,
                    Some(_) => {
                        into.remove(&path).map_err(err)?;
                        replaced += 1;
                        into.insert(&path, node.clone()).map_err(err)?;
                    }
                    None => into.insert(&path, node.clone()).map_err(err)?,
                }
                pending.push((path, child));
                continue;
            }
            if old.is_some() {
                // What the old entry was (a file, or a whole directory) goes.
                into.remove(&path).map_err(err)?;
                replaced += 1;
            }
            added.insert(path.clone());
            if child.links() > 1 {
                if let Some(first) = links.get(&child.id()) {
                    into.link(first, &path).map_err(err)?;
                    continue;
                }
                links.insert(child.id(), path.clone());
            }
            into.insert(&path, node.clone()).map_err(err)?;
        }
    }
    let mut kept = 0;
    let mut pending = vec![(Vec::new(), into.root())];
    while let Some((prefix, dir)) = pending.pop() {
        for (name, child) in dir.children() {
            let mut path = prefix.clone();
            path.push(b'/');
            path.extend_from_slice(name.as_bytes());
            if child.node().file_type() == FileType::Dir {
                pending.push((path, child));
            } else if !added.contains(&path) {
                kept += 1;
            }
        }
    }
    Ok((kept, replaced))
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

/// The host path of the tree path `rel` (names are the host's bytes).
fn host_path(dir: &Path, rel: &[u8]) -> PathBuf {
    #[cfg(unix)]
    let rel = <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(rel);
    #[cfg(not(unix))]
    let rel = String::from_utf8_lossy(rel).into_owned();
    dir.join(rel)
}

/// Opens and reads from every file of the folder's tree, so a file that
/// cannot be read is named before the burn instead of stopping it midway
/// (on a write-once disc, a spoilt disc). Refuses files one ISO 9660 extent
/// cannot hold, and fifos and sockets (ISO 9660 has no content for them).
/// Returns whether a file fills a whole extent.
fn check_sources(dir: &Path, tree: &Tree) -> Result<bool, IsoError> {
    let mut full_extent = false;
    let mut pending = vec![(dir.to_path_buf(), tree.root())];
    while let Some((host, entry)) = pending.pop() {
        for (name, child) in entry.children() {
            let path = host_path(&host, name.as_bytes());
            let node = child.node();
            let special = |what: &str| IsoError::Unreadable {
                path: path.clone(),
                reason: format!(
                    "it is a {what}: ISO 9660 cannot record fifos or sockets (leave it out)"
                ),
            };
            match node.file_type() {
                FileType::Dir => pending.push((path, child)),
                FileType::File => {
                    let size = node.content().map_or(0, Content::len);
                    if size > MAX_FILE_BYTES {
                        return Err(IsoError::FileTooLarge { path, size });
                    }
                    full_extent |= size == MAX_FILE_BYTES;
                    check_file(&path, size)?;
                }
                FileType::Fifo => return Err(special("fifo (named pipe)")),
                FileType::Socket => return Err(special("socket")),
                // Symlinks and device nodes are Rock Ridge entries: nothing to read.
                _ => {}
            }
        }
    }
    Ok(full_extent)
}

/// Opens `path`, checks it is still the regular file of `size` bytes the
/// tree holds, and reads its first bytes (EACCES, EIO and the like show
/// here, not in the middle of the burn).
fn check_file(path: &Path, size: u64) -> Result<(), IsoError> {
    let unreadable = |reason: String| IsoError::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    let why = read_reason;
    // Looked at before opening: opening a fifo would wait for a writer.
    let meta = std::fs::symlink_metadata(path).map_err(|e| unreadable(why(&e)))?;
    if meta.is_dir() {
        return Err(unreadable(CHANGED_TO_DIR.into()));
    }
    if !meta.is_file() {
        return Err(unreadable(
            "it is no longer a regular file (it changed while the folder was read; try again)"
                .into(),
        ));
    }
    let mut file = std::fs::File::open(path).map_err(|e| unreadable(why(&e)))?;
    let now = file.metadata().map_err(|e| unreadable(why(&e)))?.len();
    if now != size {
        return Err(unreadable(format!(
            "it changed size while the folder was read ({size} → {now} bytes); burn it once it no longer changes"
        )));
    }
    let mut first = [0u8; 4096];
    let want = first.len().min(usize::try_from(size).unwrap_or(usize::MAX));
    let mut got = 0;
    while got < want {
        match file.read(&mut first[got..want]) {
            Ok(0) => {
                return Err(unreadable(format!(
                    "it ended after {got} of its {size} bytes"
                )))
            }
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(unreadable(why(&e))),
        }
    }
    Ok(())
}

/// Why a host file cannot be read, and what to do, in words.
fn read_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::PermissionDenied => {
            "permission denied (run as a user who can read it, or leave it out)".to_string()
        }
        io::ErrorKind::NotFound => "it is gone (removed while the folder was read)".to_string(),
        io::ErrorKind::IsADirectory => CHANGED_TO_DIR.to_string(),
        _ => e.to_string(),
    }
}

/// A failure reading the folder's tree: an entry the host refuses is named
/// with the reason, as an unreadable file is.
fn tree_failure(dir: &Path, e: &hadris_fs::PathError) -> IsoError {
    match (e.host_path(), e.downcast_device::<io::Error>()) {
        (Some(path), Some(io)) if path != dir => IsoError::Unreadable {
            path: path.to_path_buf(),
            reason: read_reason(io),
        },
        _ => IsoError::Build {
            dir: dir.to_path_buf(),
            message: e.to_string(),
        },
    }
}

/// A failure of the writer while streaming a fresh image, naming the host
/// file it could not read.
fn stream_failure(dir: &Path, e: &hadris_fs::PathError) -> String {
    let Some(host) = e.host_path() else {
        return format!("{}: {e}", dir.display());
    };
    let reason = match e.downcast_device::<io::Error>() {
        Some(io) => read_reason(io),
        None => e.message().to_string(),
    };
    format!(
        "cannot read {}: {reason}; it changed after the folder was checked, so the image stops here",
        host.display()
    )
}

/// Why a file that became a directory cannot be read.
const CHANGED_TO_DIR: &str =
    "it is a directory now, not a file (it changed while the folder was read; try again)";

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

/// The channel end of a writer: blocks in ascending order from `next`, gaps
/// filled with zeros (a disc is written without holes).
struct Sink {
    tx: Sender<Vec<u8>>,
    next: u64,
    hide: Option<Hide>,
}

impl Sink {
    fn new(tx: Sender<Vec<u8>>, next: u64) -> Self {
        Self {
            tx,
            next,
            hide: None,
        }
    }

    fn hiding(self, hide: Option<Hide>) -> Self {
        Self { hide, ..self }
    }

    fn send(&mut self, buf: Vec<u8>) -> Result<(), hadris_io::Error<io::Error>> {
        let blocks = buf.len() as u64 / SECTOR;
        let first = self.next;
        self.next += blocks;
        let out = match &mut self.hide {
            Some(hide) => hide.pass(first, buf),
            None => vec![buf],
        };
        for chunk in out.into_iter().filter(|c| !c.is_empty()) {
            self.tx
                .send(chunk)
                .map_err(|_| io_error(hadris_io::ErrorKind::Io, "the image reader stopped"))?;
        }
        Ok(())
    }

    fn pad_to(&mut self, block: u64) -> Result<(), hadris_io::Error<io::Error>> {
        while self.next < block {
            let n = (block - self.next).min(ZERO_BLOCKS);
            self.send(vec![0u8; (n * SECTOR) as usize])?;
        }
        Ok(())
    }

    fn put(&mut self, block: u64, buf: &[u8]) -> Result<(), hadris_io::Error<io::Error>> {
        if block < self.next {
            return Err(io_error(
                hadris_io::ErrorKind::Unsupported,
                "the image writer went back; it cannot be streamed",
            )
            .with_location(hadris_io::Location::Block(block)));
        }
        self.pad_to(block)?;
        self.send(buf.to_vec())
    }
}

/// Rock Ridge name of the relocation directory (as `mkisofs -hide-rr-moved`
/// and xorriso call it).
const RR_MOVED: &str = ".rr_moved";

/// RRIP 1.12 §4.1.5.3: an `RE` entry (4 bytes, version 1) marks a directory
/// record that Rock Ridge readers leave out of the listing.
const RE_ENTRY: [u8; 4] = [b'R', b'E', 4, 1];

/// Marks the relocation directory's record in the root directory with `RE`,
/// as xorriso does, so that Rock Ridge readers show the original tree only
/// (hadris-iso writes `CL`, `PL` and `RE` for the moved directories but not
/// this one). The root directory's place comes from the primary volume
/// descriptor, streamed before it; its blocks are held until complete,
/// patched and sent on.
struct Hide {
    /// The block of the primary volume descriptor.
    pvd: u64,
    /// The root directory's first block and length in blocks, once known.
    root: Option<(u64, u64)>,
    /// The root directory's blocks received so far.
    held: Vec<u8>,
    done: bool,
}

impl Hide {
    fn new(pvd: u64) -> Self {
        Self {
            pvd,
            root: None,
            held: Vec::new(),
            done: false,
        }
    }

    /// Passes the blocks `buf` starting at block `first`; returns what to
    /// send now, in order.
    fn pass(&mut self, first: u64, buf: Vec<u8>) -> Vec<Vec<u8>> {
        if self.done {
            return vec![buf];
        }
        let blocks = buf.len() as u64 / SECTOR;
        let end = first + blocks;
        if self.root.is_none() && (first..end).contains(&self.pvd) {
            let at = ((self.pvd - first) * SECTOR) as usize;
            self.root = root_extent(&buf[at..at + SECTOR as usize]);
            if self.root.is_none() {
                self.done = true;
            }
        }
        let Some((root, len)) = self.root else {
            return vec![buf];
        };
        let root_end = root + len;
        if end <= root || first >= root_end {
            return vec![buf];
        }
        let cut = |b: u64| (b.clamp(first, end) - first) as usize * SECTOR as usize;
        let (before, after) = (cut(root), cut(root_end));
        let mut out = vec![buf[..before].to_vec()];
        self.held.extend_from_slice(&buf[before..after]);
        if self.held.len() as u64 == len * SECTOR {
            if !mark_hidden(&mut self.held, RR_MOVED.as_bytes()) {
                tracing::warn!(
                    "the root directory has no room to mark {RR_MOVED} hidden: Rock Ridge readers show it"
                );
            }
            out.push(std::mem::take(&mut self.held));
            self.done = true;
        }
        out.push(buf[after..].to_vec());
        out
    }
}

/// The root directory's extent (first block, blocks) of a primary volume
/// descriptor (ECMA-119 §8.4: the root record at byte 156, its extent at
/// +2 and data length at +10, little-endian halves).
fn root_extent(pvd: &[u8]) -> Option<(u64, u64)> {
    let d = VolumeDescriptor::new(pvd);
    if !d.is_primary() {
        return None;
    }
    let len = u64::from(d.root_length()?).div_ceil(SECTOR);
    (len > 0).then_some((u64::from(d.root_extent()?), len))
}

/// The directory records of `dir` (whole sectors), in order (ECMA-119
/// §6.8.1.1: a record never crosses a sector; the rest of one is zeros).
fn records(dir: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    for sector in dir.chunks(SECTOR as usize) {
        let mut at = 0;
        while at < sector.len() && sector[at] != 0 {
            let len = usize::from(sector[at]);
            if len < 34 || at + len > sector.len() {
                return None;
            }
            out.push(sector[at..at + len].to_vec());
            at += len;
        }
    }
    Some(out)
}

/// The System Use entries of a directory record (SUSP §4), each whole (its
/// signature first), and the end of the last.
fn su_entries(record: &[u8]) -> (Vec<&[u8]>, usize) {
    let name_len = usize::from(record[32]);
    let mut at = 33 + name_len + usize::from(name_len % 2 == 0);
    let mut out = Vec::new();
    while at + 4 <= record.len() {
        let len = usize::from(record[at + 2]);
        if len < 4 || at + len > record.len() {
            break;
        }
        out.push(&record[at..at + len]);
        at += len;
    }
    (out, at)
}

/// Adds `RE` to the directory record in `dir` whose Rock Ridge name is
/// `name`; false (and `dir` unchanged) when there is none or the records
/// no longer fit the directory's sectors.
fn mark_hidden(dir: &mut [u8], name: &[u8]) -> bool {
    let Some(mut all) = records(dir) else {
        return false;
    };
    let found = all.iter().position(|r| {
        let (entries, _) = su_entries(r);
        r[25] & 2 != 0
            && entries.iter().any(|e| {
                e.starts_with(b"NM") && e.len() == 5 + name.len() && e[4] == 0 && &e[5..] == name
            })
            && !entries.iter().any(|e| e.starts_with(b"RE"))
    });
    let Some(i) = found else {
        return false;
    };
    let (_, end) = su_entries(&all[i]);
    let mut record = all[i][..end].to_vec();
    record.extend_from_slice(&RE_ENTRY);
    if record.len() % 2 == 1 {
        record.push(0);
    }
    let Ok(len) = u8::try_from(record.len()) else {
        return false;
    };
    record[0] = len;
    all[i] = record;
    // Packed again as the writer packs: each record in the sector it fits.
    let mut packed = vec![0u8; dir.len()];
    let mut at = 0;
    for r in &all {
        let room = SECTOR as usize - at % SECTOR as usize;
        if r.len() > room {
            at += room;
        }
        if at + r.len() > packed.len() {
            return false;
        }
        packed[at..at + r.len()].copy_from_slice(r);
        at += r.len();
    }
    dir.copy_from_slice(&packed);
    true
}

/// The writer's output device for a fresh image: accepts blocks strictly in
/// order and passes them to the reader through the channel.
struct ChannelDevice {
    sink: Sink,
    blocks: u64,
}

impl hadris_io::ErrorType for ChannelDevice {
    type Error = io::Error;
}

impl BlockDevice for ChannelDevice {
    fn block_size(&self) -> BlockSize {
        block_size()
    }

    fn block_count(&self) -> u64 {
        self.blocks
    }

    fn writable(&self) -> bool {
        true
    }

    fn read_blocks(
        &mut self,
        first: BlockIndex,
        _buf: &mut [u8],
    ) -> Result<(), hadris_io::Error<io::Error>> {
        // Only session writers read back; a fresh image never does.
        Err(io_error(
            hadris_io::ErrorKind::Unsupported,
            "a streamed image cannot be read back",
        )
        .with_location(hadris_io::Location::Block(first.get())))
    }

    fn write_blocks(
        &mut self,
        first: BlockIndex,
        buf: &[u8],
    ) -> Result<(), hadris_io::Error<io::Error>> {
        if first.get() != self.sink.next {
            return Err(io_error(
                hadris_io::ErrorKind::Unsupported,
                "the image writer went back or skipped; it cannot be streamed",
            ));
        }
        self.sink.put(first.get(), buf)
    }
}

/// Where a later session's writes go.
#[derive(Default)]
enum Phase {
    /// Not writing.
    #[default]
    Idle,
    /// The sizing pass: keep each write (the descriptor copy at 16, then the
    /// new session's descriptors) and stop at the first in the session.
    Probe(Vec<(u64, Vec<u8>)>),
    /// The real pass: the session's blocks into the channel.
    Stream {
        sink: Sink,
        /// Whether the session's first block has been written.
        started: bool,
        /// The descriptor copy for block 16, kept out of the channel.
        copy: Vec<u8>,
    },
}

/// Shared between [`DiscDevice`] (owned by the hadris session) and the
/// [`FolderImage`] driving it.
#[derive(Default)]
struct Output {
    phase: Phase,
    /// The last read failure, in words (hadris errors carry static text).
    read_error: Option<String>,
}

fn lock(output: &Mutex<Output>) -> MutexGuard<'_, Output> {
    output.lock().unwrap_or_else(|p| p.into_inner())
}

/// The disc as hadris-iso's session sees it: absolute LBAs, except that
/// blocks 16 .. 16 + the descriptor count are the last session's descriptor
/// set, with the volume size set to the next writable address so the new
/// session is laid out from there. Every block read is kept (up to
/// [`CACHE_BYTES`]) so the streaming pass does not read the drive.
struct DiscDevice {
    disc: Box<dyn SectorRead>,
    session_start: u64,
    window: u64,
    nwa: u64,
    cache: HashMap<u64, Box<[u8]>>,
    cached: usize,
    output: Arc<Mutex<Output>>,
}

impl DiscDevice {
    fn in_window(&self, block: u64) -> bool {
        (DESCRIPTOR_START..DESCRIPTOR_START + self.window).contains(&block)
    }

    /// Reads `buf` from the disc at `lba`, noting a failure in words.
    fn read_disc(&mut self, lba: u64, buf: &mut [u8]) -> Result<(), hadris_io::Error<io::Error>> {
        let Ok(lba32) = u32::try_from(lba) else {
            return Err(io_error(
                hadris_io::ErrorKind::InvalidInput,
                "read past the last addressable sector",
            ));
        };
        self.disc.read_sectors(lba32, buf).map_err(|e| {
            lock(&self.output).read_error = Some(format!("reading sector {lba}: {e}"));
            hadris_io::Error::device(e, "cannot read the disc")
                .with_location(hadris_io::Location::Block(lba))
        })
    }

    /// One block of the device view, from the cache or the disc.
    fn block(&mut self, block: u64, buf: &mut [u8]) -> Result<(), hadris_io::Error<io::Error>> {
        if let Some(data) = self.cache.get(&block) {
            buf.copy_from_slice(data);
            return Ok(());
        }
        if self.in_window(block) {
            self.read_disc(self.session_start + block, buf)?;
            let mut d = VolumeDescriptor::new(&mut *buf);
            if matches!(
                d.kind(),
                Some(descriptor::PRIMARY | descriptor::SUPPLEMENTARY)
            ) {
                // The volume ends where the new session starts.
                d.set_volume_space_size(u32::try_from(self.nwa).unwrap_or(u32::MAX));
            }
        } else {
            self.read_disc(block, buf)?;
        }
        self.remember(block, buf);
        Ok(())
    }

    fn remember(&mut self, block: u64, data: &[u8]) {
        if self.cached + data.len() <= CACHE_BYTES && !self.cache.contains_key(&block) {
            self.cached += data.len();
            self.cache.insert(block, data.into());
        }
    }
}

impl hadris_io::ErrorType for DiscDevice {
    type Error = io::Error;
}

impl BlockDevice for DiscDevice {
    fn block_size(&self) -> BlockSize {
        block_size()
    }

    fn block_count(&self) -> u64 {
        // Every addressable LBA: the new session's size is checked against the
        // disc's free space by the burn plan.
        u64::from(u32::MAX)
    }

    fn writable(&self) -> bool {
        true
    }

    fn read_blocks(
        &mut self,
        first: BlockIndex,
        buf: &mut [u8],
    ) -> Result<(), hadris_io::Error<io::Error>> {
        let first = first.get();
        let n = buf.len() as u64 / SECTOR;
        let plain = !(first..first + n).any(|b| self.in_window(b) || self.cache.contains_key(&b));
        if plain && n > 1 {
            // One transfer for a run the cache and the window do not touch.
            self.read_disc(first, buf)?;
            for (i, chunk) in buf.chunks(SECTOR as usize).enumerate() {
                self.remember(first + i as u64, chunk);
            }
            return Ok(());
        }
        for (i, chunk) in buf.chunks_mut(SECTOR as usize).enumerate() {
            self.block(first + i as u64, chunk)?;
        }
        Ok(())
    }

    fn write_blocks(
        &mut self,
        first: BlockIndex,
        buf: &[u8],
    ) -> Result<(), hadris_io::Error<io::Error>> {
        let block = first.get();
        let nwa = self.nwa;
        let mut out = lock(&self.output);
        match &mut out.phase {
            Phase::Probe(writes) => {
                if block < nwa {
                    // The descriptor copy at 16: kept whole.
                    writes.push((block, buf.to_vec()));
                    return Ok(());
                }
                writes.push((block, buf[..buf.len().min(SECTOR as usize)].to_vec()));
                // The size is known: stop before any file is read.
                Err(io_error(
                    hadris_io::ErrorKind::Unsupported,
                    "sizing pass complete",
                ))
            }
            Phase::Stream {
                sink,
                started,
                copy,
            } => {
                if block < nwa {
                    if !*started && block == DESCRIPTOR_START + copy.len() as u64 / SECTOR {
                        // The descriptor copy for overwritable media: kept aside (a
                        // write-once disc keeps the new set in the session only; a
                        // rewritable one gets it at 16 after the session).
                        copy.extend_from_slice(buf);
                        return Ok(());
                    }
                    return Err(io_error(
                        hadris_io::ErrorKind::Unsupported,
                        "the session writer wrote before the next writable address",
                    )
                    .with_location(hadris_io::Location::Block(block)));
                }
                if !*started && block != nwa + DESCRIPTOR_START {
                    return Err(io_error(
                        hadris_io::ErrorKind::Unsupported,
                        "the session's descriptors are not at its start + 16",
                    )
                    .with_location(hadris_io::Location::Block(block)));
                }
                *started = true;
                sink.put(block, buf)
            }
            Phase::Idle => Err(io_error(
                hadris_io::ErrorKind::ReadOnly,
                "the disc is not being written",
            )),
        }
    }
}

/// The image as a `Read` stream; the writer thread feeds it.
pub struct IsoStream {
    rx: Receiver<Vec<u8>>,
    chunk: Vec<u8>,
    pos: usize,
    handle: Option<JoinHandle<Result<u64, String>>>,
    expected: u64,
    delivered: u64,
}

impl std::fmt::Debug for IsoStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IsoStream")
            .field("expected", &self.expected)
            .field("delivered", &self.delivered)
            .finish_non_exhaustive()
    }
}

impl IsoStream {
    /// Called when the channel is closed: the writer is done; its verdict.
    fn finish(&mut self) -> io::Result<()> {
        let Some(handle) = self.handle.take() else {
            return Ok(());
        };
        match handle.join() {
            Ok(Ok(_)) if self.delivered == self.expected => Ok(()),
            Ok(Ok(size)) => Err(io::Error::other(format!(
                "the image writer produced {} of {size} bytes",
                self.delivered
            ))),
            Ok(Err(message)) => Err(io::Error::other(message)),
            Err(_) => Err(io::Error::other("the image writer thread panicked")),
        }
    }
}

impl Read for IsoStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while self.pos == self.chunk.len() {
            match self.rx.recv() {
                Ok(chunk) => {
                    self.chunk = chunk;
                    self.pos = 0;
                }
                Err(_) => {
                    self.finish()?;
                    return Ok(0);
                }
            }
        }
        let n = buf.len().min(self.chunk.len() - self.pos);
        buf[..n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
        self.pos += n;
        self.delivered += n as u64;
        Ok(n)
    }
}

impl Drop for IsoStream {
    fn drop(&mut self) {
        // Closing the channel makes the writer's next send fail, so it stops
        // instead of blocking forever on a cancelled burn.
        let (_, dead) = crossbeam_channel::bounded(0);
        drop(std::mem::replace(&mut self.rx, dead));
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory record named `name` (ISO `id`) with Rock Ridge NM, padded
    /// with a filler entry to `len` bytes.
    fn record(id: &[u8], name: &[u8], len: usize) -> Vec<u8> {
        let mut r = vec![0u8; 33];
        r[25] = 2; // directory
        r[32] = id.len() as u8;
        r.extend_from_slice(id);
        if id.len().is_multiple_of(2) {
            r.push(0);
        }
        r.extend_from_slice(&[b'N', b'M', 5 + name.len() as u8, 1, 0]);
        r.extend_from_slice(name);
        let fill = len - r.len();
        r.extend_from_slice(&[b'Z', b'Z', fill as u8, 1]);
        r.resize(len, 0);
        r[0] = len as u8;
        r
    }

    fn directory(sectors: usize, records: &[Vec<u8>]) -> Vec<u8> {
        let mut dir = vec![0u8; sectors * SECTOR as usize];
        let mut at = 0;
        for r in records {
            if r.len() > SECTOR as usize - at % SECTOR as usize {
                at = at.next_multiple_of(SECTOR as usize);
            }
            dir[at..at + r.len()].copy_from_slice(r);
            at += r.len();
        }
        dir
    }

    #[test]
    fn the_relocation_directory_gets_re_and_later_records_move_on() {
        // 60 + 7 × 250 + 236 bytes fill a sector to 2046: the grown record
        // pushes the 236-byte one into the second sector.
        let mut all: Vec<Vec<u8>> = (0..7)
            .map(|i| record(format!("D{i}").as_bytes(), format!("d{i}").as_bytes(), 250))
            .collect();
        all.insert(0, record(b"_RR_MOVED", RR_MOVED.as_bytes(), 60));
        all.push(record(b"Y", b"y", 236));
        all.push(record(b"Z", b"z", 100));
        let mut dir = directory(2, &all);
        assert!(mark_hidden(&mut dir, RR_MOVED.as_bytes()));
        let got = records(&dir).unwrap();
        assert_eq!(got.len(), all.len());
        assert_eq!(got[0].len(), 64);
        assert!(su_entries(&got[0]).0.contains(&&RE_ENTRY[..]));
        assert_eq!(&got[1..], &all[1..]);
        assert_eq!(dir[SECTOR as usize], 236, "moved to the second sector");
        // Marked once only.
        let before = dir.clone();
        assert!(!mark_hidden(&mut dir, RR_MOVED.as_bytes()));
        assert_eq!(dir, before);
    }

    #[test]
    fn a_full_directory_is_left_as_it_is() {
        let mut all: Vec<Vec<u8>> = (0..7)
            .map(|i| record(format!("D{i}").as_bytes(), format!("d{i}").as_bytes(), 250))
            .collect();
        all.push(record(b"_RR_MOVED", RR_MOVED.as_bytes(), 60));
        all.push(record(b"Y", b"y", 236));
        let mut dir = directory(1, &all);
        let before = dir.clone();
        assert!(!mark_hidden(&mut dir, RR_MOVED.as_bytes()));
        assert_eq!(dir, before);
    }
}
