//! UDF in folder burns, through discburn-udf (ECMA-167 with OSTA UDF 1.02, 2.01, 2.50 and
//! 2.60): UDF-only images, and the ISO 9660 + UDF bridge — one image, both trees over the
//! same file data, as DVD-Video, `mkisofs -udf`, ImgBurn and IMAPI2's
//! `FsiFileSystemISO9660 | FsiFileSystemUDF` write it.
//!
//! The bridge is laid out in three steps, none of which reads a file: discburn-udf
//! measures the blocks its structures need before the ISO 9660 directories
//! ([`discburn_udf::plan::measure`]); hadris-iso plans the ISO 9660 image with its
//! directories and files after them (`with_min_blocks`) and gives every file's extents;
//! discburn-udf then plans the UDF structures over those extents
//! ([`discburn_udf::plan::plan_bridge`]), in the blocks the ISO 9660 image leaves free
//! (after its descriptors, and the tail it pads to with `with_min_image_blocks`). While
//! streaming, hadris-iso's writer emits the ISO 9660 image in block order and the UDF
//! structures replace the zero blocks they were planned in.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use discburn_udf::desc::UnixTime;
use discburn_udf::plan::{self as udf_plan, Bridge, FileId, Meta, Node, Region, StoredExtent};
use hadris_fs::{FileType, SetAttr, Tree};
use hadris_iso::IsoOptions;

use super::plan::host_path;
use super::{DESCRIPTOR_START, SECTOR};

/// The UDF revision a volume is labelled with (OSTA UDF).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UdfRevision {
    /// UDF 1.02: what DVD-Video players and every UDF reader take (ECMA-167 2nd ed.).
    V1_02,
    /// UDF 2.01 (ECMA-167 3rd edition structures): data discs.
    V2_01,
    /// UDF 2.50: the FSD, entries and directories in a metadata partition with a
    /// mirror (BD data discs, as IMAPI2 and ImgBurn write them).
    V2_50,
    /// UDF 2.60: 2.50's layout labelled 2.60 (a read-only volume; no VAT).
    V2_60,
}

impl UdfRevision {
    fn planned(self) -> udf_plan::Revision {
        match self {
            UdfRevision::V1_02 => udf_plan::Revision::V1_02,
            UdfRevision::V2_01 => udf_plan::Revision::V2_01,
            UdfRevision::V2_50 => udf_plan::Revision::V2_50,
            UdfRevision::V2_60 => udf_plan::Revision::V2_60,
        }
    }
}

impl std::fmt::Display for UdfRevision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            UdfRevision::V1_02 => "1.02",
            UdfRevision::V2_01 => "2.01",
            UdfRevision::V2_50 => "2.50",
            UdfRevision::V2_60 => "2.60",
        })
    }
}

/// The UDF side of a folder: its tree for discburn-udf and where each file's bytes are.
pub(super) struct UdfTree {
    tree: udf_plan::Tree,
    /// The host file of each [`FileId`] (index = id).
    files: Vec<PathBuf>,
    /// The tree path (`/a/b`) of each [`FileId`], for the ISO 9660 extents.
    paths: Vec<Vec<u8>>,
}

fn unix(t: Option<hadris_fs::DateTime>, default: UnixTime) -> UnixTime {
    t.map_or(default, |t| UnixTime {
        secs: t.unix_seconds(),
        nanos: t.nanoseconds(),
    })
}

fn meta(attrs: &SetAttr, dir: bool, time: UnixTime) -> Meta {
    let mode = attrs
        .permissions()
        .map_or(if dir { 0o755 } else { 0o644 }, |p| p.bits() & 0o7777);
    let owner = attrs.owner();
    Meta {
        mtime: unix(attrs.modified(), time),
        atime: unix(attrs.accessed(), time),
        ctime: unix(attrs.created().or(attrs.modified()), time),
        mode,
        uid: owner.map_or(0, |o| o.uid()),
        gid: owner.map_or(0, |o| o.gid()),
    }
}

/// The folder's tree as discburn-udf takes it: names, attributes, files (a hard link's
/// names share one [`FileId`]) and symlinks. Device nodes have no UDF form here and
/// are refused, naming them.
pub(super) fn udf_tree(dir: &Path, tree: &Tree, time: UnixTime) -> Result<UdfTree, String> {
    let mut files = Vec::new();
    let mut paths = Vec::new();
    let mut ids: HashMap<usize, FileId> = HashMap::new();
    fn walk(
        dir: &Path,
        entry: hadris_fs::TreeEntry<'_>,
        prefix: &[u8],
        time: UnixTime,
        files: &mut Vec<PathBuf>,
        paths: &mut Vec<Vec<u8>>,
        ids: &mut HashMap<usize, FileId>,
    ) -> Result<Vec<udf_plan::Entry>, String> {
        let mut out = Vec::new();
        for (name, child) in entry.children() {
            let mut path = prefix.to_vec();
            path.push(b'/');
            path.extend_from_slice(name.as_bytes());
            let n = child.node();
            let node = match n.file_type() {
                FileType::Dir => Node::Dir(walk(dir, child, &path, time, files, paths, ids)?),
                FileType::File => {
                    let len = n.content().map_or(0, |c| c.len());
                    let id = match ids.get(&child.id()) {
                        Some(id) => *id,
                        None => {
                            let id = FileId(u32::try_from(files.len()).map_err(|_| {
                                "more than 4 294 967 295 files".to_string()
                            })?);
                            files.push(host_path(dir, &path[1..]));
                            paths.push(path.clone());
                            ids.insert(child.id(), id);
                            id
                        }
                    };
                    Node::File { id, len }
                }
                FileType::Symlink => Node::Symlink(n.target().unwrap_or_default().to_vec()),
                _ => {
                    return Err(format!(
                        "{} is a device node or special file, which this UDF volume cannot record (leave it out, or burn with --fs iso)",
                        String::from_utf8_lossy(&path)
                    ))
                }
            };
            out.push(udf_plan::Entry {
                name: name.as_bytes().to_vec(),
                meta: meta(n.attrs(), n.file_type() == FileType::Dir, time),
                node,
            });
        }
        Ok(out)
    }
    let entries = walk(
        dir,
        tree.root(),
        b"",
        time,
        &mut files,
        &mut paths,
        &mut ids,
    )?;
    Ok(UdfTree {
        tree: udf_plan::Tree {
            root: meta(tree.root().node().attrs(), true, time),
            entries,
        },
        files,
        paths,
    })
}

/// The options of a volume named `volume_id` (UDF 2.1.5: at most 30 bytes are kept).
pub(super) fn udf_options(
    volume_id: &str,
    revision: UdfRevision,
    time: UnixTime,
) -> udf_plan::Options {
    let id: String = volume_id.chars().take(30).collect();
    udf_plan::Options::new(revision.planned(), &id, time)
}

/// A UDF-only image, planned.
pub(super) struct UdfImage {
    plan: udf_plan::Plan,
    files: Vec<PathBuf>,
}

impl UdfImage {
    /// Blocks of the image.
    pub(super) fn blocks(&self) -> u64 {
        self.plan.total_blocks
    }
}

/// Plans a UDF-only image of the folder.
pub(super) fn lay_out_udf(t: UdfTree, opts: &udf_plan::Options) -> Result<UdfImage, String> {
    let plan = udf_plan::plan(&t.tree, opts).map_err(|e| e.to_string())?;
    Ok(UdfImage {
        plan,
        files: t.files,
    })
}

/// The UDF structures of a bridge, by block, for the stream to put in place of the
/// ISO 9660 image's zero blocks.
pub(super) type Overlay = BTreeMap<u64, Box<[u8]>>;

/// Plans the ISO 9660 + UDF bridge: the ISO 9660 options to write it with (room left
/// for UDF, padded to the UDF volume's end) and the UDF structures. `descriptors` is
/// the number of ISO 9660 volume descriptors, the terminator included.
pub(super) fn lay_out_bridge(
    t: &UdfTree,
    tree: &Tree,
    iso: IsoOptions,
    udf: &udf_plan::Options,
) -> Result<(IsoOptions, Overlay, u64), String> {
    let measure = udf_plan::measure(&t.tree, udf).map_err(|e| e.to_string())?;
    let min = iso.min_blocks().max(measure.reserved_end);
    let iso = iso.with_min_blocks(min);
    let natural = hadris_iso::plan(tree, &iso).map_err(|e| e.to_string())?;
    // The UDF tail (reserve VDS, last anchor) follows the ISO 9660 image.
    let end = natural.size().div_ceil(SECTOR) + udf_plan::TAIL_BLOCKS;
    let iso = iso.with_min_image_blocks(end);
    let report = hadris_iso::plan(tree, &iso).map_err(|e| e.to_string())?;
    let end = report.size() / SECTOR;
    let mut extents = HashMap::new();
    for (i, path) in t.paths.iter().enumerate() {
        let stored: Vec<StoredExtent> = report
            .extents(path)
            .unwrap_or_default()
            .iter()
            .map(|e| StoredExtent {
                block: e.offset() / SECTOR,
                len: e.len(),
            })
            .collect();
        extents.insert(FileId(i as u32), stored);
    }
    let vrs_start = DESCRIPTOR_START + iso_descriptors(&iso);
    let bridge = Bridge {
        vrs_start,
        reserved: vrs_start..measure.reserved_end,
        extents,
        end,
    };
    let plan = udf_plan::plan_bridge(&t.tree, udf, &bridge).map_err(|e| e.to_string())?;
    let mut overlay = Overlay::new();
    for r in &plan.regions {
        match r {
            Region::Meta { block, bytes } => {
                for (i, b) in bytes.chunks(SECTOR as usize).enumerate() {
                    let mut s = vec![0u8; SECTOR as usize];
                    s[..b.len()].copy_from_slice(b);
                    overlay.insert(block + i as u64, s.into());
                }
            }
            Region::File { .. } => {
                return Err("the bridge's UDF plan holds file data; the ISO 9660 image does".into())
            }
        }
    }
    Ok((iso, overlay, end))
}

/// The ISO 9660 volume descriptors hadris-iso writes for `opts`, the terminator
/// included: primary, El Torito boot record, Joliet, ISO 9660:1999, terminator.
fn iso_descriptors(opts: &IsoOptions) -> u64 {
    2 + u64::from(opts.joliet()) + u64::from(opts.iso1999()) + u64::from(opts.el_torito().is_some())
}

/// Reads each file's bytes for the emitter, keeping the current file open.
struct HostFiles<'a> {
    files: &'a [PathBuf],
    open: Option<(u32, File)>,
}

impl discburn_udf::emit::FileData for HostFiles<'_> {
    fn read_at(&mut self, file: FileId, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let path = self
            .files
            .get(file.0 as usize)
            .ok_or_else(|| io::Error::other("a file the plan does not know"))?;
        if self.open.as_ref().is_none_or(|(id, _)| *id != file.0) {
            self.open = Some((file.0, File::open(path)?));
        }
        let Some((_, f)) = self.open.as_mut() else {
            return Err(io::Error::other("no open file"));
        };
        f.seek(SeekFrom::Start(offset))?;
        f.read_exact(buf).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!(
                    "{}: {e} (it changed while it was burnt; burn it once it no longer changes)",
                    path.display()
                ),
            )
        })
    }
}

impl UdfImage {
    /// Streams the image in block order through `send`.
    pub(super) fn emit(
        &self,
        send: &mut dyn FnMut(Vec<u8>) -> Result<(), String>,
    ) -> Result<(), String> {
        let data = HostFiles {
            files: &self.files,
            open: None,
        };
        let mut s = discburn_udf::emit::UdfStream::new(&self.plan, data);
        loop {
            // Whole sectors to the sink: fill the buffer unless the image ends.
            let mut buf = vec![0u8; 64 * 1024];
            let mut n = 0;
            while n < buf.len() {
                match s.read(&mut buf[n..]).map_err(|e| e.to_string())? {
                    0 => break,
                    k => n += k,
                }
            }
            if n == 0 {
                return Ok(());
            }
            buf.truncate(n);
            send(buf)?;
        }
    }
}
