//! Verify by file system: a disc's ISO 9660 trees read back through hadris-iso's reader
//! (Rock Ridge names; Joliet names and sizes) and its UDF tree through hadris-udf's,
//! and every file of the source folder compared byte for byte with the disc's file of
//! the same path — what a user's operating system will see, not only the sectors that
//! were sent.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use hadris_fs::sync::Volume;
use hadris_fs::{MountOptions, OpenOptions};
use hadris_iso::sync::IsoFs;
use hadris_iso::Namespace;
use hadris_storage::sync::BlockDevice;
use hadris_storage::{BlockIndex, BlockSize};

use super::append::VRS_IDENTS;
use super::{
    block_size, io_error, IsoError, SectorRead, DESCRIPTOR_START, MAX_DESCRIPTORS, SECTOR,
};

/// Bytes compared at a time: memory stays bounded whatever the file sizes.
const CHUNK: usize = 1 << 20;

/// Problems listed before the check stops counting them one by one.
pub const MAX_PROBLEMS: usize = 100;

/// Joliet names hold at most 64 UCS-2 characters (Joliet specification §3.3):
/// longer host names are shortened there, so only Rock Ridge can be checked for them.
const JOLIET_NAME_MAX: usize = 64;

/// Which of the image's directory trees a problem was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IsoTree {
    /// The primary tree with Rock Ridge names (what Linux and macOS mount).
    RockRidge,
    /// The Joliet tree (what Windows mounts).
    Joliet,
    /// The UDF tree (ECMA-167: what Windows, players and Linux's udf mount).
    Udf,
}

impl std::fmt::Display for IsoTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            IsoTree::RockRidge => "Rock Ridge",
            IsoTree::Joliet => "Joliet",
            IsoTree::Udf => "UDF",
        })
    }
}

/// One difference between the folder and the disc.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeProblem {
    /// A file or directory of the folder is not on the disc.
    #[error("{path}: missing from the {tree} tree")]
    Missing {
        /// The tree.
        tree: IsoTree,
        /// The path, from the folder's root.
        path: String,
    },
    /// The disc has none of the file systems the check reads.
    #[error("the disc has neither an ISO 9660 nor a UDF file system: {reason}")]
    NoFileSystem {
        /// What the readers reported.
        reason: String,
    },
    /// The disc's file has another size.
    #[error("{path}: {disc} bytes in the {tree} tree, {folder} in the folder")]
    Size {
        /// The tree.
        tree: IsoTree,
        /// The path.
        path: String,
        /// Its size on the disc.
        disc: u64,
        /// Its size in the folder.
        folder: u64,
    },
    /// The bytes differ.
    #[error("{path}: differs in the {tree} tree from the folder's file from byte {offset}")]
    Content {
        /// The tree.
        tree: IsoTree,
        /// The path.
        path: String,
        /// The first differing byte.
        offset: u64,
    },
    /// The disc's file could not be read.
    #[error("{path}: cannot be read from the {tree} tree: {reason}")]
    Unreadable {
        /// The tree.
        tree: IsoTree,
        /// The path.
        path: String,
        /// Why.
        reason: String,
    },
}

/// What [`check_tree`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TreeCheck {
    /// Files of the folder compared (each once, however many trees hold it).
    pub files: u64,
    /// Bytes compared, in all trees.
    pub bytes: u64,
    /// The trees whose files were compared byte for byte.
    pub trees: Vec<IsoTree>,
    /// Differences, at most [`MAX_PROBLEMS`] of them.
    pub problems: Vec<TreeProblem>,
    /// Differences past the first [`MAX_PROBLEMS`].
    pub more_problems: u64,
}

impl TreeCheck {
    /// Whether the disc holds the folder.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    fn problem(&mut self, p: TreeProblem) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(p);
        } else {
            self.more_problems += 1;
        }
    }
}

/// The disc as a block device for the reader: absolute LBAs, except that the
/// descriptor set at 16 is the one of the session starting at `session_start`.
struct SessionBlocks {
    disc: Box<dyn SectorRead>,
    session_start: u64,
    error: Option<String>,
}

impl hadris_io::ErrorType for SessionBlocks {
    type Error = io::Error;
}

impl BlockDevice for SessionBlocks {
    fn block_size(&self) -> BlockSize {
        block_size()
    }

    fn block_count(&self) -> u64 {
        u64::from(u32::MAX)
    }

    fn writable(&self) -> bool {
        false
    }

    fn read_blocks(
        &mut self,
        first: BlockIndex,
        buf: &mut [u8],
    ) -> Result<(), hadris_io::Error<io::Error>> {
        for (i, chunk) in buf.chunks_mut(SECTOR as usize).enumerate() {
            let block = first.get() + i as u64;
            let window = DESCRIPTOR_START..DESCRIPTOR_START + u64::from(MAX_DESCRIPTORS);
            let lba = if window.contains(&block) {
                self.session_start + block
            } else {
                block
            };
            let lba = u32::try_from(lba).map_err(|_| {
                io_error(
                    hadris_io::ErrorKind::InvalidInput,
                    "read past the last addressable sector",
                )
            })?;
            self.disc.read_sectors(lba, chunk).map_err(|e| {
                self.error = Some(format!("reading sector {lba}: {e}"));
                hadris_io::Error::device(e, "cannot read the disc")
            })?;
        }
        Ok(())
    }

    fn write_blocks(
        &mut self,
        _first: BlockIndex,
        _buf: &[u8],
    ) -> Result<(), hadris_io::Error<io::Error>> {
        Err(io_error(
            hadris_io::ErrorKind::ReadOnly,
            "the disc is read, not written, by a verify",
        ))
    }
}

/// One entry of the folder, found walking it.
struct Entry {
    rel: String,
    host: PathBuf,
    dir: bool,
    len: u64,
}

/// Every directory and regular file under `dir` (symlinks and special files are not
/// followed: they have no content to compare), sorted by path.
fn walk(dir: &Path) -> Result<Vec<Entry>, IsoError> {
    let fail = |path: &Path, e: io::Error| IsoError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let mut out = Vec::new();
    let mut pending = vec![(dir.to_path_buf(), String::new())];
    while let Some((host, rel)) = pending.pop() {
        for e in fs::read_dir(&host).map_err(|e| fail(&host, e))? {
            let e = e.map_err(|e| fail(&host, e))?;
            let path = e.path();
            let meta = fs::symlink_metadata(&path).map_err(|e| fail(&path, e))?;
            let name = e.file_name().to_string_lossy().into_owned();
            let rel = format!("{rel}/{name}");
            if meta.is_dir() {
                out.push(Entry {
                    rel: rel.clone(),
                    host: path.clone(),
                    dir: true,
                    len: 0,
                });
                pending.push((path, rel));
            } else if meta.is_file() {
                out.push(Entry {
                    rel,
                    host: path,
                    dir: false,
                    len: meta.len(),
                });
            }
        }
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(out)
}

fn blocks(disc: Box<dyn SectorRead>, session_start: u32) -> SessionBlocks {
    SessionBlocks {
        disc,
        session_start: u64::from(session_start),
        error: None,
    }
}

/// Whether the volume recognition area from sector 16 (ECMA-167 2/8.3: ISO 9660
/// descriptors, then BEA01 … TEA01) names a UDF volume (NSR02 or NSR03).
fn names_nsr(disc: &mut dyn SectorRead) -> bool {
    let mut sector = vec![0u8; SECTOR as usize];
    for lba in 16..16 + MAX_DESCRIPTORS {
        if disc.read_sectors(lba, &mut sector).is_err() {
            return false;
        }
        match &sector[1..6] {
            b"NSR02" | b"NSR03" => return true,
            id if id == b"CD001" || VRS_IDENTS.iter().any(|v| v[..] == *id) => {}
            _ => return false,
        }
    }
    false
}

/// A reader's mount failure in words, with the device's own error when it had one.
fn mount_failure<E: std::fmt::Display>(error: E, dev: &SessionBlocks) -> String {
    match &dev.error {
        Some(why) => format!("{error} ({why})"),
        None => error.to_string(),
    }
}

/// Mounts one ISO 9660 tree of the session.
fn mount(
    disc: Box<dyn SectorRead>,
    session_start: u32,
    namespace: Namespace,
) -> Result<Volume<IsoFs<SessionBlocks>>, String> {
    IsoFs::mount_namespace(blocks(disc, session_start), MountOptions::new(), namespace)
        .map(Volume::new)
        .map_err(|e| mount_failure(e.error(), e.device()))
}

/// The disc's blocks for discburn-udf's reader.
struct UdfBlocks(Box<dyn SectorRead>);

impl discburn_udf::read::ReadBlocks for UdfBlocks {
    fn read(&mut self, lba: u64, buf: &mut [u8]) -> io::Result<()> {
        let lba = u32::try_from(lba)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "past the last sector"))?;
        self.0.read_sectors(lba, buf)
    }
}

/// Compares the folder's `entries` with the disc's UDF volume (anchor at 256; UDF
/// 1.02–2.60, metadata partition and mirror included, read by discburn-udf), byte for
/// byte. Fails when the volume cannot be read at all.
fn check_udf(
    disc: Box<dyn SectorRead>,
    total_blocks: u64,
    entries: &[Entry],
    check: &mut TreeCheck,
    progress: &mut dyn FnMut(u64),
) -> Result<(), IsoError> {
    let unreadable = |e: String| IsoError::Unmountable {
        start: 0,
        message: format!("its UDF volume: {e}"),
    };
    let mut vol = discburn_udf::read::Volume::open(UdfBlocks(disc), total_blocks)
        .map_err(|e| unreadable(e.to_string()))?;
    let on_disc = vol.entries().map_err(|e| unreadable(e.to_string()))?;
    let by_path: HashMap<String, usize> = on_disc
        .iter()
        .enumerate()
        .map(|(i, e)| (format!("/{}", e.path.trim_start_matches('/')), i))
        .collect();
    let mut a = vec![0u8; CHUNK];
    let mut b = vec![0u8; CHUNK];
    for e in entries {
        let Some(&i) = by_path.get(&e.rel) else {
            check.problem(TreeProblem::Missing {
                tree: IsoTree::Udf,
                path: e.rel.clone(),
            });
            continue;
        };
        if e.dir {
            continue;
        }
        let d = &on_disc[i];
        if d.size != e.len {
            check.problem(TreeProblem::Size {
                tree: IsoTree::Udf,
                path: e.rel.clone(),
                disc: d.size,
                folder: e.len,
            });
            continue;
        }
        check.files += 1;
        let folder_error = |err: io::Error| IsoError::Unreadable {
            path: e.host.clone(),
            reason: err.to_string(),
        };
        let mut host = fs::File::open(&e.host).map_err(folder_error)?;
        let mut at = 0u64;
        while at < e.len {
            let n = usize::try_from((e.len - at).min(CHUNK as u64)).unwrap_or(CHUNK);
            if let Err(err) = vol.read_at(d, at, &mut a[..n]) {
                check.problem(TreeProblem::Unreadable {
                    tree: IsoTree::Udf,
                    path: e.rel.clone(),
                    reason: err.to_string(),
                });
                break;
            }
            host.read_exact(&mut b[..n]).map_err(folder_error)?;
            if let Some(k) = a[..n].iter().zip(&b[..n]).position(|(x, y)| x != y) {
                check.problem(TreeProblem::Content {
                    tree: IsoTree::Udf,
                    path: e.rel.clone(),
                    offset: at + k as u64,
                });
                break;
            }
            at += n as u64;
        }
        check.bytes += e.len;
        progress(check.bytes);
    }
    Ok(())
}

/// Compares the folder's `entries` with one mounted tree: contents byte for byte when
/// `content`, else names and sizes.
fn check_one<F: hadris_fs::sync::FileSystem>(
    vol: &Volume<F>,
    tree: IsoTree,
    entries: &[Entry],
    content: bool,
    pvd: u32,
    check: &mut TreeCheck,
    progress: &mut dyn FnMut(u64),
) -> Result<(), IsoError>
where
    F::DeviceError: std::fmt::Display,
{
    for e in entries {
        if tree == IsoTree::Joliet
            && e.rel
                .split('/')
                .any(|c| c.encode_utf16().count() > JOLIET_NAME_MAX)
        {
            continue;
        }
        let meta = match vol.metadata(e.rel.as_bytes()) {
            Ok(m) => m,
            Err(_) => {
                check.problem(TreeProblem::Missing {
                    tree,
                    path: e.rel.clone(),
                });
                continue;
            }
        };
        if e.dir {
            continue;
        }
        if meta.len() != e.len {
            check.problem(TreeProblem::Size {
                tree,
                path: e.rel.clone(),
                disc: meta.len(),
                folder: e.len,
            });
            continue;
        }
        if !content {
            continue;
        }
        check.files += 1;
        let mut host = fs::File::open(&e.host).map_err(|err| IsoError::Unreadable {
            path: e.host.clone(),
            reason: err.to_string(),
        })?;
        let result = vol
            .open(e.rel.as_bytes(), OpenOptions::new().read())
            .map_err(|err| err.to_string())
            .and_then(|mut f| compare(&mut f, &mut host, e.len, pvd));
        match result {
            Ok(None) => {}
            Ok(Some(offset)) => check.problem(TreeProblem::Content {
                tree,
                path: e.rel.clone(),
                offset,
            }),
            Err(reason) => check.problem(TreeProblem::Unreadable {
                tree,
                path: e.rel.clone(),
                reason,
            }),
        }
        check.bytes += e.len;
        progress(check.bytes);
    }
    Ok(())
}

/// Whether `disc` (a file's first bytes on the disc) differs from `host` only by the
/// El Torito boot information table the mastering wrote into a BIOS boot image
/// (mkisofs `-boot-info-table`: bytes 8–63, the primary volume descriptor's LBA, the
/// file's LBA, its length and a checksum, then 40 zeros).
fn only_boot_info_table(disc: &[u8], host: &[u8], pvd: u32, len: u64) -> bool {
    let le = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    disc.len() >= 64
        && disc.len() == host.len()
        && disc[..8] == host[..8]
        && disc[64..] == host[64..]
        && le(&disc[8..12]) == pvd
        && u64::from(le(&disc[16..20])) == len
        && disc[24..64].iter().all(|&b| b == 0)
}

/// Compares a disc's file with the folder's, chunk by chunk; `pvd` is the session's
/// primary volume descriptor LBA, which a boot information table names.
fn compare(
    disc: &mut impl Read,
    host: &mut impl Read,
    len: u64,
    pvd: u32,
) -> Result<Option<u64>, String> {
    let mut a = vec![0u8; CHUNK];
    let mut b = vec![0u8; CHUNK];
    let mut at = 0u64;
    while at < len {
        let n = usize::try_from((len - at).min(CHUNK as u64)).unwrap_or(CHUNK);
        disc.read_exact(&mut a[..n])
            .map_err(|e| format!("at byte {at}: {e}"))?;
        host.read_exact(&mut b[..n])
            .map_err(|e| format!("the folder's file, at byte {at}: {e}"))?;
        if at == 0 && only_boot_info_table(&a[..n], &b[..n], pvd, len) {
            b[8..64].copy_from_slice(&a[8..64]);
        }
        if a[..n] != b[..n] {
            let i = a[..n]
                .iter()
                .zip(&b[..n])
                .position(|(x, y)| x != y)
                .unwrap_or(0);
            return Ok(Some(at + i as u64));
        }
        at += n as u64;
    }
    Ok(None)
}

/// Reads the file systems of the session at `session_start` back through `open`
/// (called once per tree: a fresh view of the disc; `total_blocks` is the disc's
/// recorded size, where UDF keeps its last anchor) and compares every file of `dir`
/// with the disc's: the Rock Ridge tree and the UDF tree (when the disc has one; UDF
/// 1.02–2.60, read by discburn-udf) byte for byte, the Joliet tree (when the image has
/// one) by name and size. Files on the disc that the folder lacks (earlier sessions'
/// files carried forward) are not problems. `progress` gets the bytes compared so far.
///
/// Fails when the disc has neither an ISO 9660 nor a UDF tree, or a UDF volume that
/// cannot be read ([`IsoError::Unmountable`]), or the folder cannot be read;
/// differences are listed in the [`TreeCheck`].
pub fn check_tree(
    open: &mut dyn FnMut() -> Box<dyn SectorRead>,
    session_start: u32,
    total_blocks: u64,
    dir: &Path,
    progress: &mut dyn FnMut(u64),
) -> Result<TreeCheck, IsoError> {
    let entries = walk(dir)?;
    let mut check = TreeCheck::default();
    let pvd = session_start.saturating_add(16);
    let rr = mount(open(), session_start, Namespace::RockRidge);
    if let Ok(rr) = &rr {
        check.trees.push(IsoTree::RockRidge);
        check_one(
            rr,
            IsoTree::RockRidge,
            &entries,
            true,
            pvd,
            &mut check,
            progress,
        )?;
        if let Ok(joliet) = mount(open(), session_start, Namespace::Joliet) {
            check_one(
                &joliet,
                IsoTree::Joliet,
                &entries,
                false,
                pvd,
                &mut check,
                progress,
            )?;
        }
    }
    // UDF lives at the disc's start: only a first session can hold it, and only a
    // Volume Recognition Sequence naming NSR makes it one (as Linux and Windows
    // require; a grown volume clears the sequence of its stale UDF tree).
    let has_udf = session_start == 0 && names_nsr(open().as_mut());
    if has_udf {
        let (files, done) = (check.files, check.bytes);
        check_udf(open(), total_blocks, &entries, &mut check, &mut |n| {
            progress(done + n)
        })?;
        check.trees.push(IsoTree::Udf);
        // The same files in a second tree: counted once.
        check.files = files.max(check.files - files);
    }
    match rr {
        Err(iso) if !has_udf => Err(IsoError::Unmountable {
            start: session_start,
            message: format!(
                "ISO 9660: {iso}; UDF: no Volume Recognition Sequence naming NSR02/NSR03"
            ),
        }),
        _ => Ok(check),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(host: &[u8], pvd: u32, lba: u32, len: u32) -> Vec<u8> {
        let mut d = host.to_vec();
        d[8..12].copy_from_slice(&pvd.to_le_bytes());
        d[12..16].copy_from_slice(&lba.to_le_bytes());
        d[16..20].copy_from_slice(&len.to_le_bytes());
        d[20..24].copy_from_slice(&0xDEAD_BEEFu32.to_le_bytes());
        d[24..64].fill(0);
        d
    }

    #[test]
    fn a_boot_information_table_is_the_only_change_allowed() {
        let host: Vec<u8> = (0..2048u32).map(|i| (i % 253) as u8 | 1).collect();
        let disc = table(&host, 16, 300, 2048);
        assert!(only_boot_info_table(&disc, &host, 16, 2048));
        // Another session's PVD, another length, a byte changed outside the table, or
        // non-zero reserved bytes: a real difference.
        assert!(!only_boot_info_table(&disc, &host, 32, 2048));
        assert!(!only_boot_info_table(&disc, &host, 16, 4096));
        let mut outside = disc.clone();
        outside[100] ^= 1;
        assert!(!only_boot_info_table(&outside, &host, 16, 2048));
        let mut reserved = disc.clone();
        reserved[40] = 1;
        assert!(!only_boot_info_table(&reserved, &host, 16, 2048));
        assert!(!only_boot_info_table(&disc[..32], &host[..32], 16, 2048));
    }

    #[test]
    fn compare_names_the_first_differing_byte_across_chunks() {
        let host: Vec<u8> = (0..(CHUNK as u32 + 5000))
            .map(|i| (i % 249) as u8)
            .collect();
        let mut disc = host.clone();
        assert_eq!(
            compare(&mut &disc[..], &mut &host[..], host.len() as u64, 16),
            Ok(None)
        );
        disc[CHUNK + 4321] ^= 0x40;
        assert_eq!(
            compare(&mut &disc[..], &mut &host[..], host.len() as u64, 16),
            Ok(Some(CHUNK as u64 + 4321))
        );
        assert!(compare(&mut &disc[..10], &mut &host[..], host.len() as u64, 16).is_err());
    }
}
