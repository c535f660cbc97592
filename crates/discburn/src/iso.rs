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

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};
use hadris_fs::host::{self, TreeOptions};
use hadris_fs::{DateTime, Tree, WarningKind};
use hadris_iso::{IsoId, IsoOptions};
use hadris_storage::sync::BlockDevice;
use hadris_storage::{BlockIndex, BlockSize};

/// ISO 9660 logical block size: one 2048-byte data sector.
pub const SECTOR: u64 = 2048;

/// Chunks the writer thread may run ahead of the reader (each at most 64 KiB,
/// hadris-iso's chunk): enough to keep the engine's reader thread fed while
/// the next host file opens, small enough to stay out of the way.
const QUEUE_CHUNKS: usize = 32;

/// How the image is mastered.
#[derive(Debug, Clone)]
pub struct IsoSettings {
    /// Volume identifier (ISO 9660 d-characters, up to 32; mapped when not).
    /// `None`: derived from the folder's name.
    pub volume_id: Option<String>,
    /// Add a Joliet tree (Unicode names for Windows). Default on.
    pub joliet: bool,
    /// Add Rock Ridge (POSIX names, modes, symlinks). Default on.
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
}

/// A folder mastered as ISO 9660 + Joliet + Rock Ridge, sized and ready to
/// stream.
pub struct FolderImage {
    dir: PathBuf,
    tree: Tree,
    options: IsoOptions,
    size: u64,
    renamed: usize,
    volume_id: String,
}

impl std::fmt::Debug for FolderImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FolderImage")
            .field("dir", &self.dir)
            .field("size", &self.size)
            .field("volume_id", &self.volume_id)
            .finish_non_exhaustive()
    }
}

impl FolderImage {
    /// Reads the folder's tree (names, sizes, modes, times; file contents are
    /// read only while streaming) and plans the image.
    pub fn from_dir(dir: &Path, settings: &IsoSettings) -> Result<Self, IsoError> {
        let build = |message: String| IsoError::Build {
            dir: dir.to_path_buf(),
            message,
        };
        let (tree, skipped) =
            host::read_tree(dir, &TreeOptions::new()).map_err(|e| build(e.to_string()))?;
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
        if settings.joliet {
            options = options.with_joliet();
        }
        if settings.rock_ridge {
            options = options.with_rock_ridge();
        }
        let report = hadris_iso::plan(&tree, &options).map_err(|e| build(e.to_string()))?;
        let mut lost = Vec::new();
        let mut renamed = 0;
        for w in report.warnings() {
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
            tree,
            options,
            size: report.size(),
            renamed,
            volume_id,
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
        let handle = std::thread::Builder::new()
            .name("iso-writer".into())
            .spawn(move || {
                let dev = ChannelDevice {
                    tx,
                    next: 0,
                    blocks,
                };
                hadris_iso::sync::write(dev, &self.tree, &self.options)
                    .map(|report| report.size())
                    .map_err(|e| format!("{}: {e}", dir.display()))
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

/// The writer's output device: accepts blocks strictly in order and passes
/// them to the reader through the channel.
struct ChannelDevice {
    tx: Sender<Vec<u8>>,
    next: u64,
    blocks: u64,
}

impl hadris_io::ErrorType for ChannelDevice {
    type Error = io::Error;
}

impl BlockDevice for ChannelDevice {
    fn block_size(&self) -> BlockSize {
        BlockSize::new(SECTOR as u32).expect("2048 is a valid block size")
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
        // Only multi-session rewrites read back; a fresh image never does.
        Err(hadris_io::Error::new(
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
        if first.get() != self.next {
            return Err(hadris_io::Error::new(
                hadris_io::ErrorKind::Unsupported,
                "the image writer went back; it cannot be streamed",
            ));
        }
        self.next += buf.len() as u64 / SECTOR;
        self.tx.send(buf.to_vec()).map_err(|_| {
            hadris_io::Error::new(hadris_io::ErrorKind::Io, "the image reader stopped")
        })
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
