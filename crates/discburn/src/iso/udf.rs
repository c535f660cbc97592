//! UDF in folder burns: the ISO 9660 + UDF bridge (one image, both trees over the same
//! file data, as DVD-Video, `mkisofs -udf` and IMAPI2's `FsiFileSystemISO9660 |
//! FsiFileSystemUDF` write it) and UDF-only images, laid out by hadris-udf (UDF 1.02 to
//! 2.01, ECMA-167 with OSTA UDF).
//!
//! hadris-udf writes a bridge image in two passes that are not in block order (the ISO
//! 9660 image, then the UDF structures before and after it), so it cannot feed a drive
//! directly. The bridge is therefore mastered first without reading the folder: the
//! writers run over a copy of the tree whose files are sparse stand-ins of the same
//! lengths (zeros, no disk blocks), and only the non-zero blocks they write — the file
//! systems' structures, a few KiB per file — are kept. The stream then interleaves those
//! structures with the files' bytes, read once from the folder, in ascending block
//! order. The layout both passes give is checked to be the same.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use hadris_fs::{FileType, Node, Report, Tree};
use hadris_iso::IsoOptions;
use hadris_storage::sync::BlockDevice;
use hadris_storage::{BlockIndex, BlockSize};
use hadris_udf::{UdfId, UdfOptions};

use super::plan::host_path;
use super::stream::{mark_hidden, root_extent, RR_MOVED};
use super::{block_size, io_error, DESCRIPTOR_START, SECTOR};

/// The UDF revision a volume is labelled with (OSTA UDF; hadris-udf writes these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UdfRevision {
    /// UDF 1.02: what DVD-Video players and every UDF reader take (ECMA-167 2nd ed.).
    V1_02,
    /// UDF 1.50.
    V1_50,
    /// UDF 2.00 (ECMA-167 3rd edition structures).
    V2_00,
    /// UDF 2.01: the default for data discs (Windows XP and later, Linux, macOS).
    #[default]
    V2_01,
}

impl UdfRevision {
    fn hadris(self) -> hadris_udf::UdfRevision {
        match self {
            UdfRevision::V1_02 => hadris_udf::UdfRevision::V1_02,
            UdfRevision::V1_50 => hadris_udf::UdfRevision::V1_50,
            UdfRevision::V2_00 => hadris_udf::UdfRevision::V2_00,
            UdfRevision::V2_01 => hadris_udf::UdfRevision::V2_01,
        }
    }
}

impl std::fmt::Display for UdfRevision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            UdfRevision::V1_02 => "1.02",
            UdfRevision::V1_50 => "1.50",
            UdfRevision::V2_00 => "2.00",
            UdfRevision::V2_01 => "2.01",
        })
    }
}

/// The UDF options for a volume named `volume_id`.
pub(super) fn udf_options(
    volume_id: &str,
    revision: UdfRevision,
    time: hadris_fs::DateTime,
) -> UdfOptions {
    UdfOptions::new()
        .with_id(UdfId::Volume, volume_id)
        .with_id(UdfId::LogicalVolume, volume_id)
        .with_revision(revision.hadris())
        .with_time(time)
}

/// Metadata kept before the image is refused as having too many files.
const MAX_METADATA: usize = 512 << 20;

/// `tree` with every file's content replaced by a sparse file of the same length in
/// `shadow` (no data blocks: it reads as zeros at the kernel's zero-fill speed), so a
/// writer run over it produces the image's structures without reading the folder.
/// Names, attributes, times and hard links are the tree's own.
fn shadow_tree(tree: &Tree, shadow: &Path) -> Result<Tree, String> {
    let err = |e: hadris_fs::PathError| e.to_string();
    let mut out = Tree::new();
    out.replace("", Node::dir().with_attrs(*tree.root().node().attrs()))
        .map_err(err)?;
    let mut first: HashMap<usize, Vec<u8>> = HashMap::new();
    let mut pending = vec![(tree.root(), Vec::new())];
    let mut files = 0u64;
    while let Some((dir, prefix)) = pending.pop() {
        for (name, child) in dir.children() {
            let mut path = prefix.clone();
            path.push(b'/');
            path.extend_from_slice(name.as_bytes());
            if let Some(target) = first.get(&child.id()) {
                out.link(target, &path).map_err(err)?;
                continue;
            }
            let node = child.node();
            let new = match node.content() {
                Some(content) if content.is_empty() => node.clone(),
                Some(content) => {
                    files += 1;
                    let stand_in = shadow.join(files.to_string());
                    File::create(&stand_in)
                        .and_then(|f| f.set_len(content.len()))
                        .map_err(|e| format!("{}: {e}", stand_in.display()))?;
                    let stand_in = hadris_fs::host::file(&stand_in).map_err(err)?;
                    Node::file(stand_in).with_attrs(*node.attrs())
                }
                None => node.clone(),
            };
            out.insert(&path, new).map_err(err)?;
            if node.file_type() == FileType::Dir {
                pending.push((child, path.clone()));
            }
            if child.links() > 1 {
                first.insert(child.id(), path);
            }
        }
    }
    Ok(out)
}

/// Keeps what the writers write (all but zero blocks); reads as zeros.
struct Capture {
    blocks: u64,
    kept: BTreeMap<u64, Box<[u8]>>,
    bytes: usize,
}

impl hadris_io::ErrorType for Capture {
    type Error = io::Error;
}

impl BlockDevice for Capture {
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
        _first: BlockIndex,
        buf: &mut [u8],
    ) -> Result<(), hadris_io::Error<io::Error>> {
        buf.fill(0);
        Ok(())
    }

    fn write_blocks(
        &mut self,
        first: BlockIndex,
        buf: &[u8],
    ) -> Result<(), hadris_io::Error<io::Error>> {
        for (i, block) in buf.chunks(SECTOR as usize).enumerate() {
            let at = first.get() + i as u64;
            if block.iter().all(|&b| b == 0) {
                self.kept.remove(&at);
                continue;
            }
            if self.bytes + block.len() > MAX_METADATA {
                return Err(io_error(
                    hadris_io::ErrorKind::Unsupported,
                    "the file system structures exceed 512 MiB (too many files for one image)",
                ));
            }
            self.bytes += block.len();
            self.kept.insert(at, block.into());
        }
        Ok(())
    }
}

/// A run of one file's bytes on the image: `len` bytes from byte `offset` of `path`,
/// from block `block` on.
#[derive(Debug, Clone)]
struct FileRun {
    block: u64,
    len: u64,
    path: PathBuf,
    offset: u64,
}

/// An image whose structures are in memory and whose file data comes from the folder:
/// the bridge, streamed in block order.
pub(super) struct Laid {
    blocks: u64,
    meta: BTreeMap<u64, Box<[u8]>>,
    runs: Vec<FileRun>,
}

impl Laid {
    /// The image's blocks in ascending order, as chunks for `send`.
    pub(super) fn emit(
        &self,
        send: &mut dyn FnMut(Vec<u8>) -> Result<(), String>,
    ) -> Result<(), String> {
        const CHUNK_BLOCKS: u64 = 32;
        let mut at = 0u64;
        let mut run = 0usize;
        let mut open: Option<(usize, File)> = None;
        while at < self.blocks {
            if let Some(b) = self.meta.get(&at) {
                send(b.to_vec())?;
                at += 1;
                continue;
            }
            let next_meta = self
                .meta
                .range(at..)
                .next()
                .map_or(self.blocks, |(b, _)| *b);
            while run < self.runs.len() && run_end(&self.runs[run]) <= at {
                run += 1;
            }
            let r = self.runs.get(run);
            match r {
                Some(r) if r.block <= at => {
                    let end = run_end(r).min(next_meta).min(at + CHUNK_BLOCKS);
                    let mut buf = vec![0u8; ((end - at) * SECTOR) as usize];
                    let from = (at - r.block) * SECTOR;
                    let want = r.len.saturating_sub(from).min(buf.len() as u64) as usize;
                    if open.as_ref().is_none_or(|(i, _)| *i != run) {
                        let f = File::open(&r.path)
                            .map_err(|e| format!("{}: {e}", r.path.display()))?;
                        open = Some((run, f));
                    }
                    if let Some((_, f)) = open.as_mut() {
                        f.seek(SeekFrom::Start(r.offset + from))
                            .and_then(|_| f.read_exact(&mut buf[..want]))
                            .map_err(|e| {
                                format!(
                                    "{}: {e} (it changed while it was burnt; burn it once it no longer changes)",
                                    r.path.display()
                                )
                            })?;
                    }
                    send(buf)?;
                    at = end;
                }
                r => {
                    let until = r.map_or(self.blocks, |r| r.block);
                    let end = until.min(next_meta).min(at + CHUNK_BLOCKS);
                    send(vec![0u8; ((end - at) * SECTOR) as usize])?;
                    at = end;
                }
            }
        }
        Ok(())
    }
}

fn run_end(r: &FileRun) -> u64 {
    r.block + r.len.div_ceil(SECTOR)
}

/// The file runs of `report`, with the host paths of the folder `dir`, sorted.
fn runs(dir: &Path, report: &Report) -> Vec<FileRun> {
    let mut out = Vec::new();
    for (name, extents) in report.files() {
        let rel = name
            .as_bytes()
            .strip_prefix(b"/")
            .unwrap_or(name.as_bytes());
        let path = host_path(dir, rel);
        let mut offset = 0;
        for e in extents {
            out.push(FileRun {
                block: e.offset() / SECTOR,
                len: e.len(),
                path: path.clone(),
                offset,
            });
            offset += e.len();
        }
    }
    out.sort_by_key(|r| r.block);
    // Hard links share extents: one run each.
    out.dedup_by_key(|r| r.block);
    out
}

/// Plans the ISO 9660 + UDF bridge of `tree` (the folder `dir`) without reading a file.
/// `hide_relocated` marks `.rr_moved` hidden in the root directory, as the plain ISO
/// stream does.
pub(super) fn lay_out_bridge(
    dir: &Path,
    tree: &Tree,
    iso: &IsoOptions,
    udf: &UdfOptions,
    hide_relocated: bool,
) -> Result<(Laid, Report), String> {
    let report = hadris_udf::plan_bridge(tree, iso, udf).map_err(|e| e.to_string())?;
    let shadow = tempfile::Builder::new()
        .prefix("discburn-bridge-")
        .tempdir()
        .map_err(|e| format!("a folder for the planning pass's stand-ins: {e}"))?;
    let stand_ins = shadow_tree(tree, shadow.path())?;
    let blocks = report.size() / SECTOR;
    let mut capture = Capture {
        blocks,
        kept: BTreeMap::new(),
        bytes: 0,
    };
    let again = hadris_udf::sync::write_bridge(&mut capture, &stand_ins, iso, udf)
        .map_err(|e| e.to_string())?;
    // The structures must describe the very layout the files are streamed into.
    let same = again.size() == report.size()
        && report
            .files()
            .all(|(name, extents)| again.extents(name.as_bytes()) == Some(extents));
    if !same {
        return Err("the bridge's structures were laid out differently from its files".into());
    }
    let runs = runs(dir, &report);
    for r in &runs {
        if let Some((b, _)) = capture.kept.range(r.block..run_end(r)).next() {
            return Err(format!(
                "a file system structure at block {b} lies in the data of {}",
                r.path.display()
            ));
        }
    }
    let mut meta = capture.kept;
    if hide_relocated {
        hide_in(&mut meta);
    }
    Ok((Laid { blocks, meta, runs }, report))
}

/// Marks `.rr_moved` hidden in the root directory held in `meta`.
fn hide_in(meta: &mut BTreeMap<u64, Box<[u8]>>) {
    let Some((root, len)) = meta.get(&DESCRIPTOR_START).and_then(|pvd| root_extent(pvd)) else {
        return;
    };
    let mut dir = Vec::with_capacity((len * SECTOR) as usize);
    for b in root..root + len {
        match meta.get(&b) {
            Some(d) => dir.extend_from_slice(d),
            None => dir.extend(std::iter::repeat_n(0u8, SECTOR as usize)),
        }
    }
    if !mark_hidden(&mut dir, RR_MOVED.as_bytes()) {
        tracing::warn!("the root directory has no room to mark {RR_MOVED} hidden");
        return;
    }
    for (i, chunk) in dir.chunks(SECTOR as usize).enumerate() {
        meta.insert(root + i as u64, chunk.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hadris_iso::{IsoId, IsoLevel};
    use hadris_storage::MemDevice;

    /// A folder with nested directories, a hard link, a Unicode name, an empty file
    /// and files of odd lengths.
    fn folder(dir: &Path) {
        std::fs::create_dir_all(dir.join("a/b")).unwrap();
        std::fs::write(dir.join("a/b/deep.txt"), b"deep\n").unwrap();
        std::fs::write(dir.join("Überraschung ✓.txt"), "unicode\n").unwrap();
        std::fs::write(dir.join("empty"), b"").unwrap();
        let odd: Vec<u8> = (0..300_001u32).map(|i| (i * 13 % 251) as u8).collect();
        std::fs::write(dir.join("a/odd.bin"), odd).unwrap();
        std::fs::hard_link(dir.join("a/odd.bin"), dir.join("odd-link.bin")).unwrap();
    }

    #[test]
    fn the_streamed_bridge_is_what_hadris_udf_writes_in_place() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("f");
        folder(&dir);
        let time = hadris_fs::DateTime::from_unix_seconds(1_700_000_000).unwrap();
        let (tree, _) = hadris_fs::host::read_tree(&dir, &Default::default()).unwrap();
        let iso = IsoOptions::default()
            .with_id(IsoId::Volume, "BRIDGE")
            .with_level(IsoLevel::L3)
            .with_joliet()
            .with_rock_ridge()
            .with_time(time);
        for revision in [UdfRevision::V1_02, UdfRevision::V2_01] {
            let udf = udf_options("BRIDGE", revision, time);
            let (laid, report) = lay_out_bridge(&dir, &tree, &iso, &udf, false).unwrap();
            let mut streamed = Vec::new();
            laid.emit(&mut |chunk| {
                streamed.extend_from_slice(&chunk);
                Ok(())
            })
            .unwrap();
            assert_eq!(streamed.len() as u64, report.size());
            let mut mem = MemDevice::new(vec![0u8; report.size() as usize], block_size());
            hadris_udf::sync::write_bridge(&mut mem, &tree, &iso, &udf).unwrap();
            let direct = mem.into_inner();
            let first = streamed.iter().zip(&direct).position(|(a, b)| a != b);
            assert_eq!(
                first, None,
                "UDF {revision}: first difference at byte {first:?}"
            );
        }
    }

    #[test]
    fn a_file_that_changes_while_streaming_fails_the_stream() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("f");
        folder(&dir);
        let (tree, _) = hadris_fs::host::read_tree(&dir, &Default::default()).unwrap();
        let iso = IsoOptions::default().with_rock_ridge();
        let udf = udf_options(
            "B",
            UdfRevision::V2_01,
            hadris_fs::DateTime::from_unix_seconds(0).unwrap(),
        );
        let (laid, _) = lay_out_bridge(&dir, &tree, &iso, &udf, false).unwrap();
        std::fs::write(dir.join("a/odd.bin"), b"short now").unwrap();
        let err = laid.emit(&mut |_| Ok(())).unwrap_err();
        assert!(
            err.contains("odd") && err.contains("changed while it was burnt"),
            "{err}"
        );
    }
}
