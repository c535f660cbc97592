//! The sans-I/O layout planner: a tree of entries and options in, a [`Plan`] out — the
//! volume's size and, in ascending block order, every block of UDF structures (as bytes)
//! and every run of file data (as "file N's bytes `[offset, offset + len)` at block B").
//!
//! Layout (ECMA-167 3/8.4, UDF 2.2.3, 2.2.10, 2.2.13):
//!
//! | sectors | contents |
//! |---|---|
//! | `vrs_start..+3` | BEA01, NSR02 (UDF 1.02) or NSR03, TEA01 |
//! | `vds..vds+16` | main VDS: PVD, IUVD (LVInfo), PD, LVD, USD, TD |
//! | `vds+16..+18` | integrity sequence: LVID (closed), TD |
//! | 256 | AVDP |
//! | 257.. | the partition (type 1 map, read-only access type) |
//! | `end-17..end-1` | reserve VDS (same descriptors) |
//! | `end-1` | AVDP |
//!
//! Inside the partition, UDF 1.02/2.01 record the file set descriptor, TD, File Entries
//! and directories from partition block 0, then the file data. UDF 2.50/2.60 record the
//! metadata file's FE (block 0) and its mirror's (block 1), the metadata file at block 32
//! and its mirror after it (a duplicate copy: Duplicate Metadata Flag set), both a
//! multiple of 32 blocks (the BD ECC block as allocation and alignment unit), then the
//! file data. The metadata partition (type 2 map, partition reference 1) holds the FSD,
//! TD, every FE and every directory; it has no bitmap (location 0xFFFFFFFF), as a
//! read-only medium needs none.
//!
//! On a write-once medium ([`Options::write_once`], UDF 2.01+) the entries live in a
//! virtual partition (type 2 map, UDF 2.2.8) instead: the reserve VDS is at 64, the
//! partition runs to the volume's end, and the last sectors hold the Virtual Allocation
//! Table (UDF 2.2.11: header, then one physical block per virtual block) and its File
//! Entry (file type 248) — no trailing AVDP, so the disc stays open for a later session.
//!
//! Entries are File Entries (ECMA-167 4/14.9), not Extended File Entries: every UDF
//! reader since 1.02 reads them (Windows, macOS, Linux, 7-Zip), while the EFE adds only a
//! creation time and named streams, which this writer does not record. Directories use
//! short_ad (their data are in the FE's own partition). File data use short_ad where the
//! FE and the data share the partition (1.02/2.01) and long_ad where the FE is in the
//! metadata partition and the data in the physical one (2.50/2.60): a short_ad can only
//! address the partition its FE is in (ECMA-167 4/14.14.1). An extent is at most
//! 2^30 − 2048 bytes, so bigger files have several.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use crate::cs0;
use crate::desc::file::{
    FID_DIRECTORY, FID_PARENT, ICB_FLAG_SETGID, ICB_FLAG_SETUID, ICB_FLAG_STICKY,
};
use crate::desc::tag::TagInfo;
use crate::desc::types::{
    MAX_EXTENT_LENGTH, NSR02, NSR03, UDF_LV_INFO, UDF_METADATA_PARTITION, UDF_VIRTUAL_PARTITION,
};
use crate::desc::volume::LvidImplementationUse;
use crate::desc::vrs::{BEA01, TEA01};
use crate::desc::VirtualPartitionMap;
use crate::desc::{
    vrs, AccessType, AllocationDescriptors, AllocationForm, AnchorVolumeDescriptorPointer,
    Charspec, Dstring, EntityId, ExtentAd, FileEntry, FileIdentifierDescriptor, FileSetDescriptor,
    FileType, IcbTag, ImplementationUseVolumeDescriptor, IntegrityType, LbAddr,
    LogicalVolumeDescriptor, LogicalVolumeIntegrityDescriptor, LongAd, LvInfo,
    MetadataPartitionMap, PartitionDescriptor, PartitionMap, PathComponent,
    PrimaryVolumeDescriptor, ShortAd, TerminatingDescriptor, Timestamp, UnallocatedSpaceDescriptor,
    UnixTime, VolumeStructureDescriptor,
};
use crate::wire::put_field;

/// Bytes of a logical block and of a sector: 2048, the block size of CD, DVD and BD.
pub const BLOCK_SIZE: u64 = 2048;
/// Sector of the first Anchor Volume Descriptor Pointer (UDF 2.2.3).
pub const ANCHOR_SECTOR: u64 = 256;
/// Sectors of the volume's tail: the reserve VDS (16) and the last AVDP (1).
pub const TAIL_BLOCKS: u64 = 17;
/// Sectors of a Volume Descriptor Sequence extent (UDF 2.2.3.1: at least 16).
const VDS_BLOCKS: u64 = 16;
/// Sectors of the integrity sequence extent: LVID and TD.
const LVID_BLOCKS: u64 = 2;
/// The metadata partition's allocation and alignment unit (the BD ECC block).
const METADATA_UNIT: u64 = 32;
/// Unique IDs 1–15 are reserved (UDF 3.2.1.1); the root directory has 0.
const FIRST_UNIQUE_ID: u64 = 16;
/// Tag Serial Number of every descriptor (UDF 2.2.1.1 asks for one value per volume).
const TAG_SERIAL: u16 = 1;

/// The UDF revision to record (OSTA UDF 1.02, 2.01, 2.50, 2.60).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Revision {
    /// UDF 1.02: NSR02, every structure in the physical partition.
    V1_02,
    /// UDF 2.01: NSR03, every structure in the physical partition.
    V2_01,
    /// UDF 2.50: NSR03, FSD, entries and directories in the metadata partition.
    V2_50,
    /// UDF 2.60: as 2.50 (read-only layout; no pseudo-overwrite or VAT).
    V2_60,
}

impl Revision {
    /// The revision as UDF records it (binary-coded decimal, e.g. 0x0250).
    pub fn bcd(self) -> u16 {
        match self {
            Revision::V1_02 => 0x0102,
            Revision::V2_01 => 0x0201,
            Revision::V2_50 => 0x0250,
            Revision::V2_60 => 0x0260,
        }
    }

    /// True if entries live in a metadata partition (UDF 2.50 and later).
    pub fn has_metadata_partition(self) -> bool {
        self >= Revision::V2_50
    }

    /// Descriptor Version of every tag: 2 for NSR02, 3 for NSR03 (ECMA-167 3/7.2.2).
    fn descriptor_version(self) -> u16 {
        if self == Revision::V1_02 {
            2
        } else {
            3
        }
    }
}

/// A caller's handle for a file's data: [`FileData`](crate::emit::FileData) is asked
/// for the bytes of a file by this number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// An entry's attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Meta {
    /// Modification time (recorded as the Modification Date and Time).
    pub mtime: UnixTime,
    /// Access time (Access Date and Time).
    pub atime: UnixTime,
    /// Status change time (Attribute Date and Time).
    pub ctime: UnixTime,
    /// POSIX mode: permission bits and setuid/setgid/sticky (the file type bits are
    /// ignored; the entry's kind decides).
    pub mode: u32,
    /// Owner (UDF 3.3.3.1).
    pub uid: u32,
    /// Group.
    pub gid: u32,
}

/// What an entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A directory and its entries.
    Dir(Vec<Entry>),
    /// A file of `len` bytes whose data the caller supplies as `id`.
    File {
        /// The caller's handle for the data.
        id: FileId,
        /// Bytes of the file.
        len: u64,
    },
    /// A symbolic link to `target` (UTF-8 bytes), recorded as path components (ECMA-167
    /// 4/14.16).
    Symlink(Vec<u8>),
}

/// One named entry of a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The name, UTF-8 bytes (recorded as OSTA CS0; invalid UTF-8 is replaced).
    pub name: Vec<u8>,
    /// Attributes.
    pub meta: Meta,
    /// What it is.
    pub node: Node,
}

/// The tree to record: the root directory's attributes and entries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tree {
    /// The root directory's attributes.
    pub root: Meta,
    /// The root directory's entries.
    pub entries: Vec<Entry>,
}

/// What the volume is called and when it is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The revision to record.
    pub revision: Revision,
    /// Volume Identifier, Logical Volume Identifier and File Set Identifier.
    pub volume_id: String,
    /// Volume Set Identifier (UDF 2.2.2.5: its first 16 characters should be a unique
    /// hex number; [`Options::new`] makes one from the time).
    pub volume_set_id: String,
    /// The recording time of every descriptor.
    pub time: UnixTime,
    /// Record for a write-once medium (CD-R, DVD±R, BD-R; UDF 2.2.8, 2.2.11): entries
    /// in a virtual partition mapped by a Virtual Allocation Table in the last sector,
    /// write-once access type, no trailing AVDP — a later session can append. UDF 2.01
    /// and later; the VAT takes the metadata partition's place in 2.50/2.60.
    pub write_once: bool,
}

impl Options {
    /// `revision`, `volume_id`, `time`, and a volume set identifier of the time in hex
    /// followed by the volume identifier.
    pub fn new(revision: Revision, volume_id: &str, time: UnixTime) -> Self {
        Options {
            revision,
            volume_id: volume_id.to_owned(),
            volume_set_id: format!("{:016x}{volume_id}", time.secs as u64),
            time,
            write_once: false,
        }
    }
}

/// One run of the image, at a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Region {
    /// UDF structures: `bytes` (a whole number of blocks) at `block`.
    Meta {
        /// First block.
        block: u64,
        /// The blocks' bytes.
        bytes: Vec<u8>,
    },
    /// File data: bytes `offset..offset + len` of `file` at `block` (the last block is
    /// zero-padded).
    File {
        /// First block.
        block: u64,
        /// The file.
        file: FileId,
        /// First byte of the file in this run.
        offset: u64,
        /// Bytes in this run.
        len: u64,
    },
}

impl Region {
    /// First block.
    pub fn block(&self) -> u64 {
        match self {
            Region::Meta { block, .. } | Region::File { block, .. } => *block,
        }
    }

    /// Bytes the region holds (before the padding of its last block).
    pub fn byte_len(&self) -> u64 {
        match self {
            Region::Meta { bytes, .. } => bytes.len() as u64,
            Region::File { len, .. } => *len,
        }
    }

    /// Blocks the region covers.
    pub fn blocks(&self) -> u64 {
        self.byte_len().div_ceil(BLOCK_SIZE)
    }
}

/// A planned volume: its size and its regions in ascending, non-overlapping block
/// order. Blocks in no region are zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Blocks of the volume.
    pub total_blocks: u64,
    /// The regions, ascending.
    pub regions: Vec<Region>,
    /// First sector of the physical partition.
    pub partition_start: u64,
    /// Sectors of the physical partition.
    pub partition_length: u64,
}

/// Where a file's data already are, in an ISO 9660 bridge (absolute blocks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredExtent {
    /// First block.
    pub block: u64,
    /// Bytes.
    pub len: u64,
}

/// The ISO 9660 bridge's placement: see [`plan_bridge`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bridge {
    /// Sector of BEA01: the first after the ISO 9660 volume descriptor set terminator.
    pub vrs_start: u64,
    /// Blocks reserved for UDF structures: must contain sector 256 and end at or after
    /// [`Measure::reserved_end`]; may start at `vrs_start` (the VRS is then inside) or
    /// at or after `vrs_start + 3`.
    pub reserved: Range<u64>,
    /// Every file's data, in file order (several extents for ISO multi-extent files).
    pub extents: HashMap<FileId, Vec<StoredExtent>>,
    /// Blocks of the volume: the reserve VDS and the last AVDP take its last
    /// [`TAIL_BLOCKS`], which must come after the ISO 9660 image.
    pub end: u64,
}

/// What [`measure`] finds: how far the reserved range must reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measure {
    /// The first block after the UDF structures of the reserved range (what the ISO
    /// writer's `with_min_blocks` takes).
    pub reserved_end: u64,
}

impl Measure {
    /// Blocks a reserved range starting at `start` must have.
    pub fn reserved_blocks(&self, start: u64) -> u64 {
        self.reserved_end.saturating_sub(start)
    }
}

/// Why a tree cannot be laid out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// A name is empty, "." or "..", or contains '/' or NUL.
    #[error("invalid name {0:?}")]
    InvalidName(String),
    /// A name is longer than the 255 bytes of a File Identifier in CS0.
    #[error("name too long in CS0: {0:?}")]
    NameTooLong(String),
    /// Two entries of a directory have the same name.
    #[error("duplicate name {0:?}")]
    DuplicateName(String),
    /// A file's extents do not fit one File Entry (no allocation extent descriptors).
    #[error("file {0:?} needs {1} allocation descriptors, more than one File Entry holds")]
    TooManyExtents(FileId, usize),
    /// The option asks for what this revision or mode cannot record.
    #[error("unsupported: {0}")]
    Unsupported(&'static str),
    /// A symbolic link's path components do not fit embedded in its File Entry.
    #[error("symbolic link target of {0} bytes in path components does not fit its File Entry")]
    SymlinkTooLong(usize),
    /// The volume would exceed 2^32 blocks.
    #[error("volume too large: {0} blocks")]
    TooLarge(u64),
    /// The bridge placement breaks the contract (see [`plan_bridge`]).
    #[error("bridge placement: {0}")]
    Bridge(String),
    /// A descriptor could not be emitted.
    #[error("descriptor: {0}")]
    Descriptor(#[from] crate::wire::Error),
}

/// A flattened entry of the tree.
struct Item<'a> {
    name: Vec<u8>,
    meta: Meta,
    kind: Kind<'a>,
    parent: usize,
    unique_id: u64,
    /// Block of the FE in the entry partition.
    fe_block: u64,
    /// Directories: the child items, first block of the data, bytes of the data.
    children: Vec<usize>,
    dir_block: u64,
    dir_len: u64,
}

enum Kind<'a> {
    Dir,
    File(FileId, u64),
    Symlink(&'a [u8]),
}

/// Flattens the tree in preorder (root first) and checks the names.
fn flatten(tree: &Tree) -> Result<Vec<Item<'_>>, PlanError> {
    let mut items = vec![Item {
        name: Vec::new(),
        meta: tree.root,
        kind: Kind::Dir,
        parent: 0,
        unique_id: 0,
        fe_block: 0,
        children: Vec::new(),
        dir_block: 0,
        dir_len: 0,
    }];
    // An explicit stack: directory depth is the caller's, not bounded by our stack.
    let mut stack: Vec<(usize, &[Entry])> = vec![(0, &tree.entries)];
    while let Some((dir, entries)) = stack.pop() {
        let mut seen = BTreeSet::new();
        for e in entries {
            let name = String::from_utf8_lossy(&e.name).into_owned();
            if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']) {
                return Err(PlanError::InvalidName(name));
            }
            let encoded = cs0::encode(&name);
            if encoded.len() > 255 {
                return Err(PlanError::NameTooLong(name));
            }
            if !seen.insert(name.clone()) {
                return Err(PlanError::DuplicateName(name));
            }
            let idx = items.len();
            let unique_id = FIRST_UNIQUE_ID + idx as u64 - 1;
            items.push(Item {
                name: encoded,
                meta: e.meta,
                kind: match &e.node {
                    Node::Dir(_) => Kind::Dir,
                    Node::File { id, len } => Kind::File(*id, *len),
                    Node::Symlink(t) => Kind::Symlink(t),
                },
                parent: dir,
                unique_id,
                fe_block: 0,
                children: Vec::new(),
                dir_block: 0,
                dir_len: 0,
            });
            items[dir].children.push(idx);
            if let Node::Dir(sub) = &e.node {
                stack.push((idx, sub));
            }
        }
    }
    Ok(items)
}

/// Lays out the entry area (FSD, TD, each entry's FE and each directory's data, in
/// preorder); returns its blocks.
fn layout_entries(items: &mut [Item<'_>]) -> u64 {
    // Blocks 0 and 1: the FSD and the TD ending the file set descriptor sequence.
    let mut next = 2u64;
    for i in 0..items.len() {
        items[i].fe_block = next;
        next += 1;
        if matches!(items[i].kind, Kind::Dir) {
            let len = FileIdentifierDescriptor::padded_len(0, 0) as u64
                + items[i]
                    .children
                    .iter()
                    .map(|&c| FileIdentifierDescriptor::padded_len(0, items[c].name.len()) as u64)
                    .sum::<u64>();
            items[i].dir_block = next;
            items[i].dir_len = len;
            next += len.div_ceil(BLOCK_SIZE);
        }
    }
    next
}

/// Blocks of the partition area before the file data: the entry area, or for 2.50 the
/// metadata FEs, the metadata file and its mirror.
fn structure_blocks(revision: Revision, entry_blocks: u64) -> u64 {
    if revision.has_metadata_partition() {
        METADATA_UNIT + 2 * metadata_file_blocks(entry_blocks)
    } else {
        entry_blocks
    }
}

fn metadata_file_blocks(entry_blocks: u64) -> u64 {
    entry_blocks.div_ceil(METADATA_UNIT) * METADATA_UNIT
}

/// How many blocks the ISO 9660 bridge must reserve: the first block after the UDF
/// structures of the reserved range (the partition's metadata after the AVDP at 256).
/// The layout depends only on the tree's shape and names, not on where files are.
pub fn measure(tree: &Tree, opts: &Options) -> Result<Measure, PlanError> {
    let mut items = flatten(tree)?;
    let entry_blocks = layout_entries(&mut items);
    Ok(Measure {
        reserved_end: ANCHOR_SECTOR + 1 + structure_blocks(opts.revision, entry_blocks),
    })
}

/// Plans a standalone UDF volume: structures, then every file's data in tree order.
pub fn plan(tree: &Tree, opts: &Options) -> Result<Plan, PlanError> {
    let mut items = flatten(tree)?;
    let entry_blocks = layout_entries(&mut items);
    let partition_start = ANCHOR_SECTOR + 1;
    if opts.write_once && opts.revision < Revision::V2_01 {
        return Err(PlanError::Unsupported(
            "a VAT before UDF 2.00 has another layout (UDF 1.50 2.2.10)",
        ));
    }
    let structures = if opts.write_once {
        entry_blocks
    } else {
        structure_blocks(opts.revision, entry_blocks)
    };
    let mut next = partition_start + structures;
    let mut extents = HashMap::new();
    for item in &items {
        if let Kind::File(id, len) = item.kind {
            let blocks = len.div_ceil(BLOCK_SIZE);
            let e: &mut Vec<StoredExtent> = extents.entry(id).or_default();
            if len > 0 {
                e.push(StoredExtent { block: next, len });
            }
            next += blocks;
        }
    }
    // Write-once: the VAT's data, then its entry in the last sector.
    let end = if opts.write_once {
        next + vat_data_len(entry_blocks).div_ceil(BLOCK_SIZE) + 1
    } else {
        next + TAIL_BLOCKS
    };
    let layout = Layout {
        vrs_start: 16,
        vds: 32,
        partition_start,
        end,
        with_file_regions: true,
        vat: opts.write_once,
    };
    build(items, entry_blocks, opts, &layout, &extents)
}

/// Plans the UDF half of an ISO 9660 + UDF bridge volume. The contract:
///
/// * the VRS is written at `vrs_start..vrs_start + 3` (after the ISO 9660 volume
///   descriptors and their terminator);
/// * `reserved` holds sector 256 and reaches [`Measure::reserved_end`] (what
///   [`measure`] returned for the same tree and options); it starts at `vrs_start`
///   (VRS inside) or at or after `vrs_start + 3`. The main VDS and the integrity
///   sequence are written from its start, the AVDP at 256, the partition's structures
///   from 257;
/// * every file's `extents` lie at or after `reserved.end` and before
///   `end - TAIL_BLOCKS`, and add up to the file's length; the partition (from 257 to
///   `end - TAIL_BLOCKS`) covers them;
/// * the reserve VDS and the last AVDP are written in the last [`TAIL_BLOCKS`] of `end`.
///
/// The plan's regions are UDF structures only; the caller interleaves them with the
/// ISO 9660 stream (no region overlaps another's blocks).
pub fn plan_bridge(tree: &Tree, opts: &Options, bridge: &Bridge) -> Result<Plan, PlanError> {
    if opts.write_once {
        return Err(PlanError::Unsupported("a write-once (VAT) bridge volume"));
    }
    let mut items = flatten(tree)?;
    let entry_blocks = layout_entries(&mut items);
    let partition_start = ANCHOR_SECTOR + 1;
    let reserved_end = partition_start + structure_blocks(opts.revision, entry_blocks);
    let bad = |s: String| Err(PlanError::Bridge(s));
    let r = &bridge.reserved;
    let vds = if r.start == bridge.vrs_start {
        r.start + 3
    } else if r.start >= bridge.vrs_start + 3 {
        r.start
    } else {
        return bad(format!(
            "reserved range {r:?} overlaps the VRS at {}",
            bridge.vrs_start
        ));
    };
    if bridge.vrs_start < 16 || vds + VDS_BLOCKS + LVID_BLOCKS > ANCHOR_SECTOR {
        return bad(format!(
            "VRS at {} and reserved range {r:?} leave no room for the VDS before 256",
            bridge.vrs_start
        ));
    }
    if r.end < reserved_end || r.start > ANCHOR_SECTOR {
        return bad(format!(
            "reserved range {r:?} must hold {}..{reserved_end}",
            r.start
        ));
    }
    let data_end = bridge.end.saturating_sub(TAIL_BLOCKS);
    if data_end < r.end {
        return bad(format!(
            "volume end {} before the reserved range's",
            bridge.end
        ));
    }
    for item in &items {
        if let Kind::File(id, len) = item.kind {
            let e = bridge.extents.get(&id).map_or(&[][..], Vec::as_slice);
            if e.iter().map(|x| x.len).sum::<u64>() != len {
                return bad(format!("extents of {id:?} do not add up to {len} bytes"));
            }
            for x in e {
                if x.block < r.end || x.block + x.len.div_ceil(BLOCK_SIZE) > data_end {
                    return bad(format!(
                        "extent at {} of {id:?} outside {}..{data_end}",
                        x.block, r.end
                    ));
                }
            }
        }
    }
    let layout = Layout {
        vrs_start: bridge.vrs_start,
        vds,
        partition_start,
        end: bridge.end,
        with_file_regions: false,
        vat: false,
    };
    build(items, entry_blocks, opts, &layout, &bridge.extents)
}

struct Layout {
    vrs_start: u64,
    vds: u64,
    partition_start: u64,
    end: u64,
    with_file_regions: bool,
    /// Entries in a virtual partition (reference 1) mapped by a VAT at `end - 1`.
    vat: bool,
}

/// Bytes of the UDF 2.2.11 VAT header (L_HD) this writer records.
const VAT_HEADER_LEN: u64 = 152;
/// Sector of the reserve VDS on write-once media (the volume's end holds the VAT).
const WRITE_ONCE_RESERVE_VDS: u64 = 64;

/// Bytes of a VAT mapping `entries` virtual blocks.
fn vat_data_len(entries: u64) -> u64 {
    VAT_HEADER_LEN + 4 * entries
}

/// The counterpart of a block buffer: whole blocks, written descriptor by descriptor.
struct Blocks(Vec<u8>);

impl Blocks {
    fn new(blocks: u64) -> Self {
        Blocks(vec![0; (blocks * BLOCK_SIZE) as usize])
    }

    fn at(&mut self, block: u64) -> &mut [u8] {
        crate::wire::tail_mut(&mut self.0, (block * BLOCK_SIZE) as usize)
    }
}

fn to_u32(v: u64) -> Result<u32, PlanError> {
    u32::try_from(v).map_err(|_| PlanError::TooLarge(v))
}

/// POSIX mode to ECMA-167 4/14.9.5 permissions (UDF 3.3.3.3: delete and change-attribute
/// follow write).
fn permissions(mode: u32) -> u32 {
    let mut p = 0;
    for (class, shift) in [(0u32, 0u32), (3, 5), (6, 10)] {
        let rwx = (mode >> class) & 7;
        let mut bits = rwx & 7; // ECMA: execute 1, write 2, read 4, as POSIX.
        if rwx & 2 != 0 {
            bits |= 8 | 16;
        }
        p |= bits << shift;
    }
    p
}

fn icb_flags(mode: u32) -> u16 {
    let mut f = 0;
    if mode & 0o4000 != 0 {
        f |= ICB_FLAG_SETUID;
    }
    if mode & 0o2000 != 0 {
        f |= ICB_FLAG_SETGID;
    }
    if mode & 0o1000 != 0 {
        f |= ICB_FLAG_STICKY;
    }
    f
}

/// Splits `len` bytes at partition block `block` into allocation descriptor extents.
fn split_extent(block: u64, len: u64, out: &mut Vec<(u64, u32)>) {
    let mut done = 0u64;
    while done < len {
        let n = (len - done).min(u64::from(MAX_EXTENT_LENGTH));
        out.push((block + done / BLOCK_SIZE, n as u32));
        done += n;
    }
}

fn build(
    mut items: Vec<Item<'_>>,
    entry_blocks: u64,
    opts: &Options,
    l: &Layout,
    extents: &HashMap<FileId, Vec<StoredExtent>>,
) -> Result<Plan, PlanError> {
    if l.end > u64::from(u32::MAX) {
        return Err(PlanError::TooLarge(l.end));
    }
    let rev = opts.revision;
    let tag = |location: u64| -> Result<TagInfo, PlanError> {
        Ok(TagInfo {
            descriptor_version: rev.descriptor_version(),
            tag_serial_number: TAG_SERIAL,
            tag_location: to_u32(location)?,
        })
    };
    let time = Timestamp::from_unix(opts.time);
    let meta_part = rev.has_metadata_partition() && !l.vat;
    // Partition reference of the entries: the metadata or virtual map (1), or the
    // physical (0).
    let entry_ref: u16 = u16::from(meta_part || l.vat);
    // Long ADs wherever the entries and the data are in different partitions.
    let long_ads = entry_ref != 0;
    let partition_length = if l.vat {
        l.end - l.partition_start
    } else {
        l.end - TAIL_BLOCKS - l.partition_start
    };
    let meta_blocks = metadata_file_blocks(entry_blocks);
    // Where the entry area starts in the physical partition (2.50: the metadata file).
    let entry_phys = if meta_part { METADATA_UNIT } else { 0 };

    // The entry area: FSD, TD, FEs, directories.
    let mut area = Blocks::new(entry_blocks);
    let root_icb = LongAd {
        extent_length: BLOCK_SIZE as u32,
        extent_location: LbAddr {
            logical_block_number: to_u32(items[0].fe_block)?,
            partition_reference_number: entry_ref,
        },
        implementation_use: [0; 6],
    };
    let domain = EntityId::domain(rev.bcd(), 0);
    let fsd = FileSetDescriptor {
        recording_date_and_time: time,
        interchange_level: 3,
        maximum_interchange_level: 3,
        character_set_list: 1,
        maximum_character_set_list: 1,
        file_set_number: 0,
        file_set_descriptor_number: 0,
        logical_volume_identifier_character_set: Charspec::osta_cs0(),
        logical_volume_identifier: Dstring::new(&opts.volume_id),
        file_set_character_set: Charspec::osta_cs0(),
        file_set_identifier: Dstring::new(&opts.volume_id),
        copyright_file_identifier: Dstring::default(),
        abstract_file_identifier: Dstring::default(),
        root_directory_icb: root_icb,
        domain_identifier: domain,
        next_extent: LongAd::default(),
        system_stream_directory_icb: LongAd::default(),
    };
    fsd.emit(area.at(0), tag(0)?)?;
    TerminatingDescriptor {}.emit(area.at(1), tag(1)?)?;

    let icb_of = |item: &Item<'_>| -> Result<LongAd, PlanError> {
        Ok(LongAd {
            extent_length: BLOCK_SIZE as u32,
            extent_location: LbAddr {
                logical_block_number: to_u32(item.fe_block)?,
                partition_reference_number: entry_ref,
            },
            implementation_use: [0; 6],
        }
        .with_unique_id(item.unique_id))
    };
    let (mut files, mut dirs) = (0u32, 0u32);
    let mut file_regions = Vec::new();
    for i in 0..items.len() {
        let item = &items[i];
        let (file_type, ads, info_len, recorded, links) = match item.kind {
            Kind::Dir => {
                dirs += 1;
                // The directory's data: the parent FID, then one FID per entry.
                let mut at = item.dir_block * BLOCK_SIZE;
                let parent = &items[item.parent];
                let mut fids = vec![FileIdentifierDescriptor {
                    file_version_number: 1,
                    file_characteristics: FID_DIRECTORY | FID_PARENT,
                    icb: icb_of(parent)?,
                    implementation_use: Vec::new(),
                    file_identifier: Vec::new(),
                }];
                for &c in &item.children {
                    let child = &items[c];
                    fids.push(FileIdentifierDescriptor {
                        file_version_number: 1,
                        file_characteristics: if matches!(child.kind, Kind::Dir) {
                            FID_DIRECTORY
                        } else {
                            0
                        },
                        icb: icb_of(child)?,
                        implementation_use: Vec::new(),
                        file_identifier: child.name.clone(),
                    });
                }
                for fid in fids {
                    let n = fid.emit(
                        crate::wire::tail_mut(&mut area.0, at as usize),
                        tag(at / BLOCK_SIZE)?,
                    )?;
                    at += n as u64;
                }
                let subdirs = item
                    .children
                    .iter()
                    .filter(|&&c| matches!(items[c].kind, Kind::Dir))
                    .count();
                let ad = ShortAd {
                    extent_length: to_u32(item.dir_len)?,
                    extent_position: to_u32(item.dir_block)?,
                };
                (
                    FileType::Directory,
                    AllocationDescriptors::Short(vec![ad]),
                    item.dir_len,
                    item.dir_len.div_ceil(BLOCK_SIZE),
                    1 + subdirs,
                )
            }
            Kind::File(id, len) => {
                files += 1;
                let mut runs = Vec::new();
                let mut offset = 0u64;
                for x in extents.get(&id).map_or(&[][..], Vec::as_slice) {
                    let rel = x.block - l.partition_start;
                    split_extent(rel, x.len, &mut runs);
                    if l.with_file_regions && x.len > 0 {
                        file_regions.push(Region::File {
                            block: x.block,
                            file: id,
                            offset,
                            len: x.len,
                        });
                    }
                    offset += x.len;
                }
                let per = if long_ads { 16 } else { 8 };
                if 176 + per * runs.len() > BLOCK_SIZE as usize {
                    return Err(PlanError::TooManyExtents(id, runs.len()));
                }
                let recorded = runs
                    .iter()
                    .map(|&(_, n)| u64::from(n).div_ceil(BLOCK_SIZE))
                    .sum();
                let ads = if long_ads {
                    AllocationDescriptors::Long(
                        runs.iter()
                            .map(|&(b, n)| {
                                Ok(LongAd {
                                    extent_length: n,
                                    extent_location: LbAddr {
                                        logical_block_number: to_u32(b)?,
                                        partition_reference_number: 0,
                                    },
                                    implementation_use: [0; 6],
                                })
                            })
                            .collect::<Result<_, PlanError>>()?,
                    )
                } else {
                    AllocationDescriptors::Short(
                        runs.iter()
                            .map(|&(b, n)| {
                                Ok(ShortAd {
                                    extent_length: n,
                                    extent_position: to_u32(b)?,
                                })
                            })
                            .collect::<Result<_, PlanError>>()?,
                    )
                };
                (FileType::Regular, ads, len, recorded, 1)
            }
            Kind::Symlink(target) => {
                files += 1;
                let data = PathComponent::emit_all(&PathComponent::from_target(target))?;
                let len = data.len() as u64;
                (
                    FileType::SymbolicLink,
                    AllocationDescriptors::Embedded(data),
                    len,
                    0,
                    1,
                )
            }
        };
        let ad_bytes = ads.to_bytes();
        if 176 + ad_bytes.len() > BLOCK_SIZE as usize {
            return Err(PlanError::SymlinkTooLong(ad_bytes.len()));
        }
        let fe = FileEntry {
            icb_tag: IcbTag::new(file_type, ads.form(), icb_flags(item.meta.mode)),
            uid: item.meta.uid,
            gid: item.meta.gid,
            permissions: permissions(item.meta.mode),
            file_link_count: links.min(usize::from(u16::MAX)) as u16,
            record_format: 0,
            record_display_attributes: 0,
            record_length: 0,
            information_length: info_len,
            logical_blocks_recorded: recorded,
            access_date_and_time: Timestamp::from_unix(item.meta.atime),
            modification_date_and_time: Timestamp::from_unix(item.meta.mtime),
            attribute_date_and_time: Timestamp::from_unix(item.meta.ctime),
            checkpoint: 1,
            extended_attribute_icb: LongAd::default(),
            implementation_identifier: EntityId::implementation(),
            unique_id: item.unique_id,
            extended_attributes: Vec::new(),
            allocation_descriptors: ad_bytes,
        };
        fe.emit(area.at(item.fe_block), tag(item.fe_block)?)?;
    }
    let next_unique_id = FIRST_UNIQUE_ID + items.len() as u64;
    items.clear();

    // Volume structures.
    let p = l.partition_start;
    let mut regions = Vec::new();
    let mut vrs_blocks = Blocks::new(3);
    let nsr = if rev == Revision::V1_02 {
        vrs::NSR02
    } else {
        vrs::NSR03
    };
    for (i, id) in [BEA01, nsr, TEA01].into_iter().enumerate() {
        VolumeStructureDescriptor::new(id).emit(vrs_blocks.at(i as u64))?;
    }
    regions.push(Region::Meta {
        block: l.vrs_start,
        bytes: vrs_blocks.0,
    });

    let vds = |start: u64| -> Result<Vec<u8>, PlanError> {
        let mut b = Blocks::new(6);
        let pvd = PrimaryVolumeDescriptor {
            volume_descriptor_sequence_number: 0,
            primary_volume_descriptor_number: 0,
            volume_identifier: Dstring::new(&opts.volume_id),
            volume_sequence_number: 1,
            maximum_volume_sequence_number: 1,
            interchange_level: 2,
            maximum_interchange_level: 2,
            character_set_list: 1,
            maximum_character_set_list: 1,
            volume_set_identifier: Dstring::new(&opts.volume_set_id),
            descriptor_character_set: Charspec::osta_cs0(),
            explanatory_character_set: Charspec::osta_cs0(),
            volume_abstract: ExtentAd::default(),
            volume_copyright_notice: ExtentAd::default(),
            application_identifier: EntityId::implementation(),
            recording_date_and_time: time,
            implementation_identifier: EntityId::implementation(),
            implementation_use: [0; 64],
            predecessor_volume_descriptor_sequence_location: 0,
            flags: 0,
        };
        pvd.emit(b.at(0), tag(start)?)?;
        let iuvd = ImplementationUseVolumeDescriptor {
            volume_descriptor_sequence_number: 1,
            implementation_identifier: EntityId::udf(UDF_LV_INFO, rev.bcd()),
            implementation_use: LvInfo {
                logical_volume_identifier: Dstring::new(&opts.volume_id),
                ..LvInfo::default()
            },
        };
        iuvd.emit(b.at(1), tag(start + 1)?)?;
        let pd = PartitionDescriptor {
            volume_descriptor_sequence_number: 2,
            partition_flags: 1,
            partition_number: 0,
            partition_contents: EntityId::new(
                if rev == Revision::V1_02 { NSR02 } else { NSR03 },
                [0; 8],
            ),
            partition_contents_use: [0; 128],
            access_type: if l.vat {
                AccessType::WriteOnce
            } else {
                AccessType::ReadOnly
            },
            partition_starting_location: to_u32(p)?,
            partition_length: to_u32(partition_length)?,
            implementation_identifier: EntityId::implementation(),
            implementation_use: [0; 128],
        };
        pd.emit(b.at(2), tag(start + 2)?)?;
        let mut maps = vec![PartitionMap::type1(0)];
        if l.vat {
            maps.push(PartitionMap::Virtual(VirtualPartitionMap {
                partition_map_type: 2,
                partition_map_length: 64,
                partition_type_identifier: EntityId::udf(UDF_VIRTUAL_PARTITION, rev.bcd()),
                volume_sequence_number: 1,
                partition_number: 0,
            }));
        }
        if meta_part {
            maps.push(PartitionMap::Metadata(MetadataPartitionMap {
                partition_map_type: 2,
                partition_map_length: 64,
                partition_type_identifier: EntityId::udf(UDF_METADATA_PARTITION, rev.bcd()),
                volume_sequence_number: 1,
                partition_number: 0,
                metadata_file_location: 0,
                metadata_mirror_file_location: 1,
                metadata_bitmap_file_location: u32::MAX,
                allocation_unit_size: METADATA_UNIT as u32,
                alignment_unit_size: METADATA_UNIT as u16,
                flags: 1,
            }));
        }
        let lvd = LogicalVolumeDescriptor {
            volume_descriptor_sequence_number: 3,
            descriptor_character_set: Charspec::osta_cs0(),
            logical_volume_identifier: Dstring::new(&opts.volume_id),
            logical_block_size: BLOCK_SIZE as u32,
            domain_identifier: domain,
            logical_volume_contents_use: LongAd {
                extent_length: BLOCK_SIZE as u32,
                extent_location: LbAddr {
                    logical_block_number: 0,
                    partition_reference_number: entry_ref,
                },
                implementation_use: [0; 6],
            },
            implementation_identifier: EntityId::implementation(),
            implementation_use: [0; 128],
            integrity_sequence_extent: ExtentAd {
                extent_length: (LVID_BLOCKS * BLOCK_SIZE) as u32,
                extent_location: to_u32(l.vds + VDS_BLOCKS)?,
            },
            partition_maps: maps,
        };
        lvd.emit(b.at(3), tag(start + 3)?)?;
        UnallocatedSpaceDescriptor {
            volume_descriptor_sequence_number: 4,
            allocation_descriptors: Vec::new(),
        }
        .emit(b.at(4), tag(start + 4)?)?;
        TerminatingDescriptor {}.emit(b.at(5), tag(start + 5)?)?;
        Ok(b.0)
    };
    let reserve_vds = if l.vat {
        WRITE_ONCE_RESERVE_VDS
    } else {
        l.end - TAIL_BLOCKS
    };
    regions.push(Region::Meta {
        block: l.vds,
        bytes: vds(l.vds)?,
    });

    let mut lvid_blocks = Blocks::new(LVID_BLOCKS);
    let mut sizes = vec![to_u32(partition_length)?];
    if meta_part {
        sizes.push(to_u32(meta_blocks)?);
    }
    if l.vat {
        sizes.push(to_u32(entry_blocks)?);
    }
    let lvid = LogicalVolumeIntegrityDescriptor {
        recording_date_and_time: time,
        integrity_type: IntegrityType::Close,
        next_integrity_extent: ExtentAd::default(),
        next_unique_id,
        logical_volume_header_reserved: [0; 24],
        free_space_table: vec![0; sizes.len()],
        size_table: sizes,
        implementation_use: LvidImplementationUse {
            implementation_id: EntityId::implementation(),
            number_of_files: files,
            number_of_directories: dirs,
            // UDF 2.60 §2.2.6.4 / mkudffs: a 2.60 volume needs only 2.50's structures
            // to be read, and Linux (UDF_MAX_READ_VERSION 0x0250) refuses more.
            minimum_udf_read_revision: rev.bcd().min(0x0250),
            minimum_udf_write_revision: rev.bcd(),
            maximum_udf_write_revision: rev.bcd(),
        }
        .to_vec(),
    };
    let lvid_at = l.vds + VDS_BLOCKS;
    lvid.emit(lvid_blocks.at(0), tag(lvid_at)?)?;
    TerminatingDescriptor {}.emit(lvid_blocks.at(1), tag(lvid_at + 1)?)?;
    regions.push(Region::Meta {
        block: lvid_at,
        bytes: lvid_blocks.0,
    });

    let anchor = |at: u64| -> Result<Vec<u8>, PlanError> {
        let mut b = Blocks::new(1);
        AnchorVolumeDescriptorPointer {
            main_volume_descriptor_sequence_extent: ExtentAd {
                extent_length: (VDS_BLOCKS * BLOCK_SIZE) as u32,
                extent_location: to_u32(l.vds)?,
            },
            reserve_volume_descriptor_sequence_extent: ExtentAd {
                extent_length: (VDS_BLOCKS * BLOCK_SIZE) as u32,
                extent_location: to_u32(reserve_vds)?,
            },
        }
        .emit(b.at(0), tag(at)?)?;
        Ok(b.0)
    };
    regions.push(Region::Meta {
        block: ANCHOR_SECTOR,
        bytes: anchor(ANCHOR_SECTOR)?,
    });

    // The partition's structures: 2.50 metadata FEs, the metadata file and its mirror.
    if meta_part {
        let mut fes = Blocks::new(2);
        for (i, (file_type, start)) in [
            (FileType::MetadataFile, entry_phys),
            (FileType::MetadataMirrorFile, entry_phys + meta_blocks),
        ]
        .into_iter()
        .enumerate()
        {
            let fe = FileEntry {
                icb_tag: IcbTag::new(file_type, AllocationForm::Short, 0),
                uid: u32::MAX,
                gid: u32::MAX,
                permissions: 0,
                file_link_count: 1,
                record_format: 0,
                record_display_attributes: 0,
                record_length: 0,
                information_length: meta_blocks * BLOCK_SIZE,
                logical_blocks_recorded: meta_blocks,
                access_date_and_time: time,
                modification_date_and_time: time,
                attribute_date_and_time: time,
                checkpoint: 1,
                extended_attribute_icb: LongAd::default(),
                implementation_identifier: EntityId::implementation(),
                unique_id: 0,
                extended_attributes: Vec::new(),
                allocation_descriptors: AllocationDescriptors::Short(vec![ShortAd {
                    extent_length: to_u32(meta_blocks * BLOCK_SIZE)?,
                    extent_position: to_u32(start)?,
                }])
                .to_bytes(),
            };
            fe.emit(fes.at(i as u64), tag(i as u64)?)?;
        }
        regions.push(Region::Meta {
            block: p,
            bytes: fes.0,
        });
        let mut file = area.0;
        file.resize((meta_blocks * BLOCK_SIZE) as usize, 0);
        regions.push(Region::Meta {
            block: p + entry_phys,
            bytes: file.clone(),
        });
        regions.push(Region::Meta {
            block: p + entry_phys + meta_blocks,
            bytes: file,
        });
    } else {
        regions.push(Region::Meta {
            block: p,
            bytes: area.0,
        });
    }
    regions.extend(file_regions);

    if l.vat {
        regions.push(Region::Meta {
            block: reserve_vds,
            bytes: vds(reserve_vds)?,
        });
        let vat = Vat {
            entry_blocks,
            files,
            dirs,
            time,
        };
        regions.push(vat.region(opts, l, tag(l.end - 1 - p)?)?);
    } else {
        let mut tail = vds(reserve_vds)?;
        tail.resize(((TAIL_BLOCKS - 1) * BLOCK_SIZE) as usize, 0);
        tail.extend(anchor(l.end - 1)?);
        regions.push(Region::Meta {
            block: reserve_vds,
            bytes: tail,
        });
    }
    regions.sort_by_key(Region::block);
    Ok(Plan {
        total_blocks: l.end,
        regions,
        partition_start: p,
        partition_length,
    })
}

/// What the Virtual Allocation Table records.
struct Vat {
    entry_blocks: u64,
    files: u32,
    dirs: u32,
    time: Timestamp,
}

impl Vat {
    /// UDF 2.2.11 Virtual Allocation Table (2.00+ layout): its data (header, then the
    /// physical block of each virtual block, here the identity over the entry area) in
    /// the sectors before the last, and its File Entry (file type 248) in the last.
    fn region(&self, opts: &Options, l: &Layout, tag: TagInfo) -> Result<Region, PlanError> {
        let rev = opts.revision;
        let len = vat_data_len(self.entry_blocks);
        let data_blocks = len.div_ceil(BLOCK_SIZE);
        let mut b = Blocks::new(data_blocks + 1);
        let d = &mut b.0;
        put_field(d, 0, &(VAT_HEADER_LEN as u16));
        put_field(d, 2, &0u16);
        put_field(d, 4, &Dstring::<128>::new(&opts.volume_id));
        // Previous VAT ICB Location: none, this is the first session.
        put_field(d, 132, &u32::MAX);
        put_field(d, 136, &self.files);
        put_field(d, 140, &self.dirs);
        // Minimum read revision: 2.50 for 2.60, as in the LVID.
        put_field(d, 144, &rev.bcd().min(0x0250));
        put_field(d, 146, &rev.bcd());
        put_field(d, 148, &rev.bcd());
        for i in 0..self.entry_blocks {
            put_field(d, (VAT_HEADER_LEN + 4 * i) as usize, &to_u32(i)?);
        }
        let data_start = l.end - 1 - data_blocks - l.partition_start;
        let fe = FileEntry {
            icb_tag: IcbTag::new(FileType::Vat, AllocationForm::Short, 0),
            uid: u32::MAX,
            gid: u32::MAX,
            permissions: 0,
            file_link_count: 0,
            record_format: 0,
            record_display_attributes: 0,
            record_length: 0,
            information_length: len,
            logical_blocks_recorded: data_blocks,
            access_date_and_time: self.time,
            modification_date_and_time: self.time,
            attribute_date_and_time: self.time,
            checkpoint: 1,
            extended_attribute_icb: LongAd::default(),
            implementation_identifier: EntityId::implementation(),
            unique_id: 0,
            extended_attributes: Vec::new(),
            allocation_descriptors: AllocationDescriptors::Short(vec![ShortAd {
                extent_length: to_u32(len)?,
                extent_position: to_u32(data_start)?,
            }])
            .to_bytes(),
        };
        fe.emit(b.at(data_blocks), tag)?;
        Ok(Region::Meta {
            block: l.end - 1 - data_blocks,
            bytes: b.0,
        })
    }
}

impl LvidImplementationUse {
    /// The record's bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = vec![0u8; Self::LEN];
        // Cannot fail: the buffer has the record's length.
        let _ = self.emit(&mut v);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> Tree {
        let meta = Meta {
            mode: 0o755,
            ..Meta::default()
        };
        Tree {
            root: meta,
            entries: vec![
                Entry {
                    name: b"a".to_vec(),
                    meta,
                    node: Node::Dir(vec![Entry {
                        name: "Überraschung ✓.txt".as_bytes().to_vec(),
                        meta,
                        node: Node::File {
                            id: FileId(1),
                            len: 5000,
                        },
                    }]),
                },
                Entry {
                    name: b"big".to_vec(),
                    meta,
                    node: Node::File {
                        id: FileId(2),
                        len: 5 << 30,
                    },
                },
            ],
        }
    }

    #[test]
    fn regions_ascend_without_overlap() {
        for rev in [Revision::V1_02, Revision::V2_01, Revision::V2_50] {
            let plan = plan(&tree(), &Options::new(rev, "T", UnixTime::default())).unwrap();
            let mut next = 0;
            for r in &plan.regions {
                assert!(r.block() >= next, "{rev:?} {r:?}");
                next = r.block() + r.blocks();
            }
            assert_eq!(next, plan.total_blocks);
            let files: Vec<_> = plan
                .regions
                .iter()
                .filter(|r| matches!(r, Region::File { .. }))
                .collect();
            assert_eq!(files.len(), 2);
        }
    }

    #[test]
    fn bridge_checks_its_contract() {
        let t = tree();
        let opts = Options::new(Revision::V2_50, "T", UnixTime::default());
        let m = measure(&t, &opts).unwrap();
        let mut extents = HashMap::new();
        extents.insert(
            FileId(1),
            vec![StoredExtent {
                block: m.reserved_end + 10,
                len: 5000,
            }],
        );
        extents.insert(
            FileId(2),
            vec![
                StoredExtent {
                    block: m.reserved_end + 20,
                    len: (4 << 30) - 2048,
                },
                StoredExtent {
                    block: m.reserved_end + 20 + (2 << 20) - 1,
                    len: (1 << 30) + 2048,
                },
            ],
        );
        let end = m.reserved_end + 20 + (5 << 19) + 100;
        let b = Bridge {
            vrs_start: 18,
            reserved: 21..m.reserved_end,
            extents,
            end,
        };
        let plan = plan_bridge(&t, &opts, &b).unwrap();
        assert!(plan
            .regions
            .iter()
            .all(|r| matches!(r, Region::Meta { .. })));
        assert_eq!(plan.total_blocks, end);
        let short = Bridge {
            reserved: 21..m.reserved_end - 1,
            ..b.clone()
        };
        assert!(matches!(
            plan_bridge(&t, &opts, &short),
            Err(PlanError::Bridge(_))
        ));
        let overlap = Bridge {
            reserved: 19..m.reserved_end,
            ..b
        };
        assert!(plan_bridge(&t, &opts, &overlap).is_err());
    }

    #[test]
    fn permissions_follow_posix() {
        assert_eq!(permissions(0o644), 4 | (4 << 5) | ((4 | 2 | 8 | 16) << 10));
        assert_eq!(permissions(0o001), 1);
    }
}
