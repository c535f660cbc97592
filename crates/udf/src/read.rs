//! A bounded UDF reader over any block device ([`ReadBlocks`]): finds an Anchor Volume
//! Descriptor Pointer (sector 256, N−1 or N−257; UDF 2.2.3), reads the main Volume
//! Descriptor Sequence (the reserve one when the main is unreadable), resolves the
//! Logical Volume Descriptor's partition maps (type 1, and the UDF 2.50 metadata
//! partition through its metadata file, or its mirror when the main file's entry is
//! bad), reads the File Set Descriptor and walks the directory tree (File Entries and
//! Extended File Entries; short_ad, long_ad and embedded data; allocation extent
//! descriptors).
//!
//! Everything is bounded: directory depth, entries, allocation descriptors and
//! directory sizes are capped, and no ICB is visited twice (no loops). Every failure is
//! a [`ReadError`] naming the descriptor and the block.

use std::collections::HashSet;
use std::io;

use crate::cs0;
use crate::desc::file::{FID_DELETED, FID_PARENT};
use crate::desc::tag::{peek_identifier, Tag, TagIdentifier};
use crate::desc::{
    AllocationDescriptors, AllocationExtentDescriptor, AnchorVolumeDescriptorPointer,
    ExtendedFileEntry, ExtentType, FileEntry, FileIdentifierDescriptor, FileSetDescriptor,
    FileType, IcbTag, LbAddr, LogicalVolumeDescriptor, LongAd, PartitionDescriptor, PartitionMap,
    PathComponent, PrimaryVolumeDescriptor, Timestamp, UnixTime,
};
use crate::plan::{ANCHOR_SECTOR, BLOCK_SIZE};
use crate::wire::{self, Field};

/// Deepest directory nesting walked.
pub const MAX_DEPTH: usize = 256;
/// Most entries read from a volume.
pub const MAX_ENTRIES: usize = 1 << 20;
/// Most allocation descriptors of one entry.
pub const MAX_EXTENTS: usize = 1 << 16;
/// Largest directory read (bytes).
pub const MAX_DIRECTORY_BYTES: u64 = 64 << 20;
/// Most sectors of a Volume Descriptor Sequence read.
const MAX_VDS_BLOCKS: u64 = 256;

/// A source of 2048-byte blocks.
pub trait ReadBlocks {
    /// Fills `buf` (a whole number of blocks) from block `lba` on.
    fn read(&mut self, lba: u64, buf: &mut [u8]) -> io::Result<()>;
}

/// Blocks of any seekable byte source (an image file).
pub struct SeekBlocks<T>(pub T);

impl<T: io::Read + io::Seek> ReadBlocks for SeekBlocks<T> {
    fn read(&mut self, lba: u64, buf: &mut [u8]) -> io::Result<()> {
        let at = lba
            .checked_mul(BLOCK_SIZE)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "block past 2^64"))?;
        self.0.seek(io::SeekFrom::Start(at))?;
        self.0.read_exact(buf)
    }
}

impl ReadBlocks for &[u8] {
    fn read(&mut self, lba: u64, buf: &mut [u8]) -> io::Result<()> {
        let src = usize::try_from(lba)
            .ok()
            .and_then(|b| b.checked_mul(BLOCK_SIZE as usize))
            .and_then(|at| self.get(at..at.checked_add(buf.len())?))
            .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "past the image"))?;
        buf.copy_from_slice(src);
        Ok(())
    }
}

/// Why a volume or an entry could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The device failed.
    #[error("reading block {block}: {source}")]
    Io {
        /// The block asked for.
        block: u64,
        /// The device's error.
        source: io::Error,
    },
    /// No Anchor Volume Descriptor Pointer at 256, N−1 or N−257.
    #[error("no anchor volume descriptor pointer at 256, N-1 or N-257")]
    NoAnchor,
    /// A descriptor failed to parse.
    #[error("{descriptor} at block {block}: {source}")]
    Descriptor {
        /// The descriptor expected.
        descriptor: &'static str,
        /// Where (absolute sector).
        block: u64,
        /// What was wrong.
        source: wire::Error,
    },
    /// A descriptor records another location than where it was read (UDF 2.2.1.1).
    #[error("{descriptor} at block {block} records tag location {recorded}")]
    WrongLocation {
        /// The descriptor.
        descriptor: &'static str,
        /// Where it was read (sector or partition block).
        block: u64,
        /// The Tag Location recorded.
        recorded: u32,
    },
    /// Neither volume descriptor sequence holds what a volume needs.
    #[error("no usable volume descriptor sequence: {0}")]
    NoVolumeDescriptors(String),
    /// An address names no partition map, or a block past the partition's end.
    #[error("block {block} of partition reference {reference} is outside the volume")]
    OutOfPartition {
        /// Partition reference number.
        reference: u16,
        /// Logical block.
        block: u64,
    },
    /// A limit was reached (depth, entries, extents, directory size).
    #[error("limit reached: {0}")]
    Limit(&'static str),
    /// An ICB is reached a second time: the tree has a loop.
    #[error("directory loop at block {block} of partition reference {reference}")]
    Loop {
        /// Partition reference number.
        reference: u16,
        /// Logical block.
        block: u32,
    },
    /// A structure this reader does not handle.
    #[error("unsupported: {0}")]
    Unsupported(String),
}

type Result<T> = core::result::Result<T, ReadError>;

/// How a partition reference resolves to sectors.
#[derive(Debug, Clone)]
enum Partition {
    /// Type 1: a range of sectors.
    Physical { start: u64, length: u64 },
    /// UDF 2.50 metadata partition: the metadata file's extents, as partition blocks
    /// of the physical partition `physical` (a reference), each `(block, blocks)`.
    Metadata {
        physical: u16,
        extents: Vec<(u64, u64)>,
    },
    /// UDF 2.2.8 virtual partition: the Virtual Allocation Table's entries, blocks of
    /// the physical partition `physical`.
    Virtual { physical: u16, table: Vec<u32> },
}

/// Most sectors searched backwards from the volume's end for the VAT's entry.
pub const MAX_VAT_SCAN: u64 = 1 << 16;

/// One run of a file's data, in absolute sectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extent {
    /// First sector.
    pub block: u64,
    /// Bytes.
    pub len: u64,
    /// False for extents allocated or not but not recorded: they read as zeros.
    pub recorded: bool,
}

/// What an entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A directory.
    Dir,
    /// A file of bytes.
    File,
    /// A symbolic link and its target (path components as a POSIX path).
    Symlink(String),
    /// Any other file type (device, FIFO, socket, stream directory…).
    Other(FileType),
}

/// One entry of the tree, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The path from the root, '/'-separated (the root is "").
    pub path: String,
    /// What it is.
    pub kind: EntryKind,
    /// Information Length: bytes of the file.
    pub size: u64,
    /// Modification time.
    pub mtime: UnixTime,
    /// Access time.
    pub atime: UnixTime,
    /// Attribute (status change) time.
    pub ctime: UnixTime,
    /// ECMA-167 permissions (4/14.9.5).
    pub permissions: u32,
    /// Uid.
    pub uid: u32,
    /// Gid.
    pub gid: u32,
    /// File Link Count.
    pub file_link_count: u16,
    /// Unique ID.
    pub unique_id: u64,
    /// Where the data are, absolute sectors (empty for embedded data).
    pub extents: Vec<Extent>,
    /// The data when embedded in the entry.
    pub embedded: Option<Vec<u8>>,
}

/// The volume's identification, from the PVD and LVD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeInfo {
    /// Volume Identifier.
    pub volume_id: String,
    /// Volume Set Identifier.
    pub volume_set_id: String,
    /// Logical Volume Identifier.
    pub logical_volume_id: String,
    /// UDF revision of the LVD's Domain Identifier (e.g. 0x0250).
    pub udf_revision: u16,
    /// Sector of the AVDP used.
    pub anchor: u64,
    /// True if the reserve VDS was used.
    pub used_reserve_vds: bool,
    /// True if the metadata mirror file was used.
    pub used_metadata_mirror: bool,
}

/// An open UDF volume.
pub struct Volume<R> {
    dev: R,
    partitions: Vec<Partition>,
    root: LongAd,
    info: VolumeInfo,
}

fn descriptor_error(descriptor: &'static str, block: u64) -> impl FnOnce(wire::Error) -> ReadError {
    move |source| ReadError::Descriptor {
        descriptor,
        block,
        source,
    }
}

impl<R: ReadBlocks> Volume<R> {
    /// Opens the volume of `total_blocks` sectors on `dev`.
    pub fn open(mut dev: R, total_blocks: u64) -> Result<Self> {
        let mut anchor = None;
        for at in [
            Some(ANCHOR_SECTOR),
            total_blocks.checked_sub(1),
            total_blocks.checked_sub(257),
        ]
        .into_iter()
        .flatten()
        {
            let mut b = vec![0u8; BLOCK_SIZE as usize];
            if at >= total_blocks || dev.read(at, &mut b).is_err() {
                continue;
            }
            if let Ok(a) = AnchorVolumeDescriptorPointer::parse(&b) {
                anchor = Some((at, a));
                break;
            }
        }
        let (anchor_at, avdp) = anchor.ok_or(ReadError::NoAnchor)?;
        let main = avdp.main_volume_descriptor_sequence_extent;
        let reserve = avdp.reserve_volume_descriptor_sequence_extent;
        let (vds, used_reserve) = match read_vds(&mut dev, main.extent_location, main.extent_length)
        {
            Ok(v) => (v, false),
            Err(main_err) => {
                match read_vds(&mut dev, reserve.extent_location, reserve.extent_length) {
                    Ok(v) => (v, true),
                    Err(_) => return Err(main_err),
                }
            }
        };
        let mut volume = Volume {
            dev,
            partitions: Vec::new(),
            root: LongAd::default(),
            info: VolumeInfo {
                volume_id: vds.pvd.volume_identifier.decode(),
                volume_set_id: vds.pvd.volume_set_identifier.decode(),
                logical_volume_id: vds.lvd.logical_volume_identifier.decode(),
                udf_revision: vds.lvd.domain_identifier.udf_revision(),
                anchor: anchor_at,
                used_reserve_vds: used_reserve,
                used_metadata_mirror: false,
            },
        };
        if vds.lvd.logical_block_size != BLOCK_SIZE as u32 {
            return Err(ReadError::Unsupported(format!(
                "logical block size {}",
                vds.lvd.logical_block_size
            )));
        }
        // Type 1 maps first: a metadata map refers to one.
        let mut pending = Vec::new();
        let mut pending_vat = Vec::new();
        for (i, map) in vds.lvd.partition_maps.iter().enumerate() {
            let number = map.partition_number();
            let pd = vds.pds.iter().find(|p| Some(p.partition_number) == number);
            match (map, pd) {
                (PartitionMap::Type1(_), Some(pd)) => volume.partitions.push(Partition::Physical {
                    start: u64::from(pd.partition_starting_location),
                    length: u64::from(pd.partition_length),
                }),
                (PartitionMap::Metadata(m), Some(_)) => {
                    pending.push((i, m.clone()));
                    volume.partitions.push(Partition::Metadata {
                        physical: 0,
                        extents: Vec::new(),
                    });
                }
                (PartitionMap::Virtual(_), Some(_)) => {
                    pending_vat.push(i);
                    volume.partitions.push(Partition::Virtual {
                        physical: 0,
                        table: Vec::new(),
                    });
                }
                (
                    PartitionMap::Type1(_) | PartitionMap::Metadata(_) | PartitionMap::Virtual(_),
                    None,
                ) => {
                    return Err(ReadError::NoVolumeDescriptors(format!(
                        "no partition descriptor numbered {number:?}"
                    )))
                }
                (other, _) => {
                    return Err(ReadError::Unsupported(format!("partition map {other:?}")))
                }
            }
        }
        for i in pending_vat {
            let number = vds.lvd.partition_maps[i].partition_number();
            let physical = volume
                .partitions
                .iter()
                .zip(&vds.lvd.partition_maps)
                .position(|(p, map)| {
                    matches!(p, Partition::Physical { .. }) && map.partition_number() == number
                })
                .ok_or_else(|| {
                    ReadError::NoVolumeDescriptors("virtual map without its physical map".into())
                })? as u16;
            let table = volume.find_vat(physical, total_blocks)?;
            volume.partitions[i] = Partition::Virtual { physical, table };
        }
        for (i, m) in pending {
            let physical = volume
                .partitions
                .iter()
                .zip(&vds.lvd.partition_maps)
                .position(|(p, map)| {
                    matches!(p, Partition::Physical { .. })
                        && map.partition_number() == Some(m.partition_number)
                })
                .ok_or_else(|| {
                    ReadError::NoVolumeDescriptors("metadata map without its physical map".into())
                })? as u16;
            let main = volume.metadata_extents(physical, m.metadata_file_location);
            let extents = match main {
                Ok(e) => e,
                Err(main_err) => {
                    let mirror = volume
                        .metadata_extents(physical, m.metadata_mirror_file_location)
                        .map_err(|_| main_err)?;
                    volume.info.used_metadata_mirror = true;
                    mirror
                }
            };
            volume.partitions[i] = Partition::Metadata { physical, extents };
        }
        let fsd_ad = vds.lvd.logical_volume_contents_use;
        let mut b = vec![0u8; BLOCK_SIZE as usize];
        let fsd_abs = volume.read_logical(fsd_ad.extent_location, &mut b)?;
        let fsd = FileSetDescriptor::parse(&b).map_err(descriptor_error("FSD", fsd_abs))?;
        volume.root = fsd.root_directory_icb;
        Ok(volume)
    }

    /// The volume's identification.
    pub fn info(&self) -> &VolumeInfo {
        &self.info
    }

    /// The extents of the metadata (or mirror) file whose entry is at `block` of the
    /// physical partition `physical`.
    fn metadata_extents(&mut self, physical: u16, block: u32) -> Result<Vec<(u64, u64)>> {
        let addr = LbAddr {
            logical_block_number: block,
            partition_reference_number: physical,
        };
        let icb = self.read_icb(addr)?;
        let mut out = Vec::new();
        for e in icb.extents {
            if e.reference != physical {
                return Err(ReadError::Unsupported(
                    "metadata file outside its physical partition".into(),
                ));
            }
            out.push((u64::from(e.block), e.len.div_ceil(BLOCK_SIZE)));
        }
        Ok(out)
    }

    /// Finds the Virtual Allocation Table (UDF 2.2.11): the entry of file type 248 in
    /// the last recorded sectors of the physical partition `physical`; returns its
    /// entries (UDF 2.00+ layout: a header of L_HD bytes, then 32-bit blocks).
    fn find_vat(&mut self, physical: u16, total_blocks: u64) -> Result<Vec<u32>> {
        let Some(Partition::Physical { start, length }) =
            self.partitions.get(usize::from(physical)).cloned()
        else {
            return Err(ReadError::NoVolumeDescriptors(
                "no physical partition".into(),
            ));
        };
        let end = (start + length).min(total_blocks);
        let mut b = vec![0u8; BLOCK_SIZE as usize];
        let mut at = end;
        while at > start && end - at < MAX_VAT_SCAN {
            at -= 1;
            if self.read_block(at, &mut b).is_err() || b.iter().all(|&x| x == 0) {
                continue;
            }
            let id = peek_identifier(&b);
            if !matches!(
                id,
                TagIdentifier::FileEntry | TagIdentifier::ExtendedFileEntry
            ) || IcbTag::read(wire::tail(&b, 16)).file_type() != FileType::Vat
            {
                continue;
            }
            let addr = LbAddr {
                logical_block_number: u32::try_from(at - start).map_err(|_| {
                    ReadError::OutOfPartition {
                        reference: physical,
                        block: at - start,
                    }
                })?,
                partition_reference_number: physical,
            };
            let icb = self.read_icb(addr)?;
            let extents = self.absolute(&icb)?;
            let data = self.data(&icb, &extents, MAX_DIRECTORY_BYTES)?;
            let l_hd = usize::from(wire::le16(&data, 0));
            if l_hd < 152 || l_hd > data.len() {
                return Err(ReadError::Unsupported(
                    "virtual allocation table without a UDF 2.00 header".into(),
                ));
            }
            return Ok(data[l_hd..]
                .chunks_exact(4)
                .map(|c| wire::le32(c, 0))
                .collect());
        }
        Err(ReadError::NoVolumeDescriptors(
            "no virtual allocation table in the last sectors".into(),
        ))
    }

    /// The absolute sector of a logical block.
    fn resolve(&self, addr: LbAddr) -> Result<u64> {
        self.resolve_depth(addr, 0)
    }

    fn resolve_depth(&self, addr: LbAddr, depth: u8) -> Result<u64> {
        let out = ReadError::OutOfPartition {
            reference: addr.partition_reference_number,
            block: u64::from(addr.logical_block_number),
        };
        let block = u64::from(addr.logical_block_number);
        match self
            .partitions
            .get(usize::from(addr.partition_reference_number))
        {
            Some(Partition::Physical { start, length }) if block < *length => Ok(start + block),
            Some(Partition::Metadata { physical, extents }) if depth == 0 => {
                let mut skip = block;
                for &(b, n) in extents {
                    if skip < n {
                        let phys = u32::try_from(b + skip).map_err(|_| out)?;
                        return self.resolve_depth(
                            LbAddr {
                                logical_block_number: phys,
                                partition_reference_number: *physical,
                            },
                            1,
                        );
                    }
                    skip -= n;
                }
                Err(out)
            }
            Some(Partition::Virtual { physical, table }) if depth == 0 => {
                match table.get(block as usize) {
                    Some(&phys) if phys != u32::MAX => self.resolve_depth(
                        LbAddr {
                            logical_block_number: phys,
                            partition_reference_number: *physical,
                        },
                        1,
                    ),
                    _ => Err(out),
                }
            }
            _ => Err(out),
        }
    }

    fn read_block(&mut self, abs: u64, buf: &mut [u8]) -> Result<()> {
        self.dev
            .read(abs, buf)
            .map_err(|source| ReadError::Io { block: abs, source })
    }

    /// Reads the block at `addr`; returns its absolute sector.
    fn read_logical(&mut self, addr: LbAddr, buf: &mut [u8]) -> Result<u64> {
        let abs = self.resolve(addr)?;
        self.read_block(abs, buf)?;
        Ok(abs)
    }

    /// Reads an (extended) file entry and its allocation descriptors.
    fn read_icb(&mut self, addr: LbAddr) -> Result<Icb> {
        let mut b = vec![0u8; BLOCK_SIZE as usize];
        let abs = self.read_logical(addr, &mut b)?;
        let tag = Tag::new_unchecked(&b[..]);
        // FE and EFE carry the same fields at different places.
        macro_rules! fields {
            ($Entry:ty, $name:expr) => {{
                let fe = <$Entry>::parse(&b).map_err(descriptor_error($name, abs))?;
                let ads = fe
                    .allocation_descriptors()
                    .map_err(descriptor_error($name, abs))?;
                (
                    fe.icb_tag,
                    Common {
                        size: fe.information_length,
                        mtime: fe.modification_date_and_time,
                        atime: fe.access_date_and_time,
                        ctime: fe.attribute_date_and_time,
                        permissions: fe.permissions,
                        uid: fe.uid,
                        gid: fe.gid,
                        links: fe.file_link_count,
                        unique_id: fe.unique_id,
                    },
                    ads,
                )
            }};
        }
        let (icb_tag, common, ea_ad) = match peek_identifier(&b) {
            TagIdentifier::FileEntry => fields!(FileEntry, "file entry"),
            TagIdentifier::ExtendedFileEntry => fields!(ExtendedFileEntry, "extended file entry"),
            other => {
                return Err(ReadError::Descriptor {
                    descriptor: "file entry",
                    block: abs,
                    source: wire::Error::WrongTag {
                        expected: TagIdentifier::FileEntry.into(),
                        found: other.into(),
                    },
                })
            }
        };
        if tag.tag_location() != addr.logical_block_number {
            return Err(ReadError::WrongLocation {
                descriptor: "file entry",
                block: u64::from(addr.logical_block_number),
                recorded: tag.tag_location(),
            });
        }
        let mut extents = Vec::new();
        let mut embedded = None;
        let reference = addr.partition_reference_number;
        let mut next = Some(ea_ad);
        let mut aeds = 0;
        while let Some(ads) = next.take() {
            let longs: Vec<LongAd> = match ads {
                AllocationDescriptors::Embedded(d) => {
                    embedded = Some(d);
                    Vec::new()
                }
                AllocationDescriptors::Short(v) => v
                    .into_iter()
                    .map(|s| LongAd {
                        extent_length: s.extent_length,
                        extent_location: LbAddr {
                            logical_block_number: s.extent_position,
                            partition_reference_number: reference,
                        },
                        implementation_use: [0; 6],
                    })
                    .collect(),
                AllocationDescriptors::Long(v) => v,
            };
            for ad in longs {
                if extents.len() >= MAX_EXTENTS {
                    return Err(ReadError::Limit("allocation descriptors of an entry"));
                }
                match ad.extent_type() {
                    ExtentType::NextExtent => {
                        aeds += 1;
                        if aeds > 64 {
                            return Err(ReadError::Limit("allocation extent descriptors"));
                        }
                        let mut b = vec![0u8; BLOCK_SIZE as usize];
                        let abs = self.read_logical(ad.extent_location, &mut b)?;
                        let aed = AllocationExtentDescriptor::parse(&b)
                            .map_err(descriptor_error("allocation extent descriptor", abs))?;
                        let form = icb_tag.allocation_form();
                        next = Some(
                            AllocationDescriptors::parse(form, &aed.allocation_descriptors)
                                .map_err(descriptor_error("allocation extent descriptor", abs))?,
                        );
                        break;
                    }
                    t => extents.push(IcbExtent {
                        reference: ad.extent_location.partition_reference_number,
                        block: ad.extent_location.logical_block_number,
                        len: u64::from(ad.length()),
                        recorded: t == ExtentType::RecordedAllocated,
                    }),
                }
            }
        }
        Ok(Icb {
            icb_tag,
            common,
            extents,
            embedded,
        })
    }

    /// The absolute extents of an ICB's data; extents of the metadata partition are
    /// split where the metadata file is.
    fn absolute(&self, icb: &Icb) -> Result<Vec<Extent>> {
        let mut out = Vec::new();
        for e in &icb.extents {
            if !e.recorded {
                out.push(Extent {
                    block: 0,
                    len: e.len,
                    recorded: false,
                });
                continue;
            }
            // Contiguous in the logical partition; resolve block by block runs.
            let blocks = e.len.div_ceil(BLOCK_SIZE);
            let mut done = 0u64;
            while done < blocks {
                let lb = u64::from(e.block) + done;
                let addr = LbAddr {
                    logical_block_number: u32::try_from(lb).map_err(|_| {
                        ReadError::OutOfPartition {
                            reference: e.reference,
                            block: lb,
                        }
                    })?,
                    partition_reference_number: e.reference,
                };
                let abs = self.resolve(addr)?;
                let run = match self.partitions.get(usize::from(e.reference)) {
                    Some(Partition::Physical { length, .. }) => {
                        if u64::from(e.block) + blocks > *length {
                            return Err(ReadError::OutOfPartition {
                                reference: e.reference,
                                block: u64::from(e.block) + blocks,
                            });
                        }
                        blocks - done
                    }
                    // Metadata partitions map block by block; directories are small.
                    _ => 1,
                };
                let len = (run * BLOCK_SIZE).min(e.len - done * BLOCK_SIZE);
                match out.last_mut() {
                    Some(Extent {
                        block,
                        len: l,
                        recorded: true,
                    }) if *block + l.div_ceil(BLOCK_SIZE) == abs && *l % BLOCK_SIZE == 0 => {
                        *l += len;
                    }
                    _ => out.push(Extent {
                        block: abs,
                        len,
                        recorded: true,
                    }),
                }
                done += run;
            }
        }
        Ok(out)
    }

    /// Every entry of the tree, root first, in directory order.
    pub fn entries(&mut self) -> Result<Vec<Entry>> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![(String::new(), self.root.extent_location, 0usize)];
        while let Some((path, addr, depth)) = stack.pop() {
            if depth > MAX_DEPTH {
                return Err(ReadError::Limit("directory depth"));
            }
            if out.len() >= MAX_ENTRIES {
                return Err(ReadError::Limit("entries"));
            }
            if !seen.insert((addr.partition_reference_number, addr.logical_block_number)) {
                return Err(ReadError::Loop {
                    reference: addr.partition_reference_number,
                    block: addr.logical_block_number,
                });
            }
            let icb = self.read_icb(addr)?;
            let extents = self.absolute(&icb)?;
            let kind = match icb.icb_tag.file_type() {
                FileType::Directory => EntryKind::Dir,
                FileType::Regular | FileType::Unspecified => EntryKind::File,
                FileType::SymbolicLink => {
                    let data = self.data(&icb, &extents, 1 << 16)?;
                    let comps = PathComponent::parse_all(&data)
                        .map_err(descriptor_error("path component", addr_block(&extents)))?;
                    EntryKind::Symlink(PathComponent::to_target(&comps))
                }
                other => EntryKind::Other(other),
            };
            if kind == EntryKind::Dir {
                let data = self.data(&icb, &extents, MAX_DIRECTORY_BYTES)?;
                let mut children = Vec::new();
                let mut at = 0usize;
                while at < data.len() {
                    let here = &data[at..];
                    let block = addr_block(&extents) + (at as u64) / BLOCK_SIZE;
                    let fid = FileIdentifierDescriptor::parse(here)
                        .map_err(descriptor_error("file identifier descriptor", block))?;
                    at += fid.buffer_len();
                    if fid.file_characteristics & (FID_PARENT | FID_DELETED) != 0 {
                        continue;
                    }
                    let name = cs0::decode(&fid.file_identifier);
                    let child = if path.is_empty() {
                        name
                    } else {
                        format!("{path}/{name}")
                    };
                    children.push((child, fid.icb.extent_location, depth + 1));
                }
                // Reversed onto the stack so that entries come out in directory order.
                stack.extend(children.into_iter().rev());
            }
            out.push(Entry {
                path,
                kind,
                size: icb.common.size,
                mtime: icb.common.mtime.to_unix(),
                atime: icb.common.atime.to_unix(),
                ctime: icb.common.ctime.to_unix(),
                permissions: icb.common.permissions,
                uid: icb.common.uid,
                gid: icb.common.gid,
                file_link_count: icb.common.links,
                unique_id: icb.common.unique_id,
                extents,
                embedded: icb.embedded.clone(),
            });
        }
        Ok(out)
    }

    /// The whole data of an entry (at most `cap` bytes).
    fn data(&mut self, icb: &Icb, extents: &[Extent], cap: u64) -> Result<Vec<u8>> {
        if icb.common.size > cap {
            return Err(ReadError::Limit("directory or link size"));
        }
        if let Some(d) = &icb.embedded {
            let n = (icb.common.size as usize).min(d.len());
            return Ok(d[..n].to_vec());
        }
        let mut out = vec![0u8; icb.common.size as usize];
        self.read_extents(extents, 0, &mut out)?;
        Ok(out)
    }

    /// Reads bytes `offset..offset + buf.len()` of data laid out in `extents`; bytes past
    /// the extents read as zeros.
    fn read_extents(&mut self, extents: &[Extent], offset: u64, buf: &mut [u8]) -> Result<()> {
        buf.fill(0);
        let mut pos = 0u64; // file offset of the current extent
        let mut block = vec![0u8; BLOCK_SIZE as usize];
        for e in extents {
            let (start, end) = (pos, pos + e.len);
            pos = end;
            let want = offset..offset.saturating_add(buf.len() as u64);
            if end <= want.start || start >= want.end || !e.recorded {
                continue;
            }
            let mut at = want.start.max(start);
            while at < end.min(want.end) {
                let rel = at - start;
                let abs = e.block + rel / BLOCK_SIZE;
                self.read_block(abs, &mut block)?;
                let from = (rel % BLOCK_SIZE) as usize;
                let n = ((BLOCK_SIZE as usize - from) as u64).min(end.min(want.end) - at) as usize;
                let dst = (at - want.start) as usize;
                buf[dst..dst + n].copy_from_slice(&block[from..from + n]);
                at += n as u64;
            }
        }
        Ok(())
    }

    /// Reads bytes `offset..offset + buf.len()` of `entry` (a file or link).
    pub fn read_at(&mut self, entry: &Entry, offset: u64, buf: &mut [u8]) -> Result<()> {
        if let Some(d) = &entry.embedded {
            buf.fill(0);
            let src = wire::bytes_at(d, offset as usize, buf.len());
            buf[..src.len()].copy_from_slice(src);
            return Ok(());
        }
        self.read_extents(&entry.extents, offset, buf)
    }

    /// The whole data of `entry` (for small files).
    pub fn read_file(&mut self, entry: &Entry) -> Result<Vec<u8>> {
        let len = usize::try_from(entry.size).map_err(|_| ReadError::Limit("file size"))?;
        let mut out = vec![0u8; len];
        self.read_at(entry, 0, &mut out)?;
        Ok(out)
    }
}

fn addr_block(extents: &[Extent]) -> u64 {
    extents.first().map_or(0, |e| e.block)
}

struct Common {
    size: u64,
    mtime: Timestamp,
    atime: Timestamp,
    ctime: Timestamp,
    permissions: u32,
    uid: u32,
    gid: u32,
    links: u16,
    unique_id: u64,
}

struct IcbExtent {
    reference: u16,
    block: u32,
    len: u64,
    recorded: bool,
}

struct Icb {
    icb_tag: IcbTag,
    common: Common,
    extents: Vec<IcbExtent>,
    embedded: Option<Vec<u8>>,
}

struct Vds {
    pvd: PrimaryVolumeDescriptor,
    lvd: LogicalVolumeDescriptor,
    pds: Vec<PartitionDescriptor>,
}

/// Reads a Volume Descriptor Sequence: the PVD, LVD and PDs with the highest sequence
/// numbers (ECMA-167 3/8.4.3), up to a TD or the extent's end.
fn read_vds<R: ReadBlocks>(dev: &mut R, location: u32, length: u32) -> Result<Vds> {
    let blocks = (u64::from(length) / BLOCK_SIZE).min(MAX_VDS_BLOCKS);
    let (mut pvd, mut lvd): (
        Option<PrimaryVolumeDescriptor>,
        Option<LogicalVolumeDescriptor>,
    ) = (None, None);
    let mut pds: Vec<PartitionDescriptor> = Vec::new();
    let mut b = vec![0u8; BLOCK_SIZE as usize];
    for i in 0..blocks {
        let at = u64::from(location) + i;
        dev.read(at, &mut b)
            .map_err(|source| ReadError::Io { block: at, source })?;
        let check = |name: &'static str, loc: u32| {
            if u64::from(loc) != at {
                Err(ReadError::WrongLocation {
                    descriptor: name,
                    block: at,
                    recorded: loc,
                })
            } else {
                Ok(())
            }
        };
        match peek_identifier(&b) {
            TagIdentifier::TerminatingDescriptor => break,
            TagIdentifier::PrimaryVolumeDescriptor => {
                let d = PrimaryVolumeDescriptor::parse(&b).map_err(descriptor_error("PVD", at))?;
                check("PVD", Tag::new_unchecked(&b[..]).tag_location())?;
                if pvd.as_ref().is_none_or(|p| {
                    d.volume_descriptor_sequence_number >= p.volume_descriptor_sequence_number
                }) {
                    pvd = Some(d);
                }
            }
            TagIdentifier::LogicalVolumeDescriptor => {
                let d = LogicalVolumeDescriptor::parse(&b).map_err(descriptor_error("LVD", at))?;
                check("LVD", Tag::new_unchecked(&b[..]).tag_location())?;
                if lvd.as_ref().is_none_or(|p| {
                    d.volume_descriptor_sequence_number >= p.volume_descriptor_sequence_number
                }) {
                    lvd = Some(d);
                }
            }
            TagIdentifier::PartitionDescriptor => {
                let d = PartitionDescriptor::parse(&b).map_err(descriptor_error("PD", at))?;
                check("PD", Tag::new_unchecked(&b[..]).tag_location())?;
                match pds
                    .iter_mut()
                    .find(|p| p.partition_number == d.partition_number)
                {
                    Some(p) => {
                        if d.volume_descriptor_sequence_number
                            >= p.volume_descriptor_sequence_number
                        {
                            *p = d;
                        }
                    }
                    None => pds.push(d),
                }
            }
            // IUVD, USD, VDP and unrecorded sectors carry nothing this reader needs.
            _ => {}
        }
    }
    match (pvd, lvd) {
        (Some(pvd), Some(lvd)) if !pds.is_empty() => Ok(Vds { pvd, lvd, pds }),
        _ => Err(ReadError::NoVolumeDescriptors(format!(
            "sequence at {location} lacks a PVD, LVD or PD"
        ))),
    }
}
