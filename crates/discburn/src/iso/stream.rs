//! The streaming adapter: hadris-iso's writer on a thread whose device is a bounded
//! channel, read as a byte stream ([`IsoStream`]); Rock Ridge relocation directories hidden
//! on the way.

use std::io::{self, Read};
use std::sync::{Mutex, MutexGuard};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};
use hadris_iso::SessionMode;
use hadris_storage::sync::BlockDevice;
use hadris_storage::{BlockIndex, BlockSize};

use super::udf::Overlay;
use super::VolumeDescriptor;
use super::{
    block_size, io_error, stream_failure, Body, FolderImage, FreshImage, LaterSession,
    DESCRIPTOR_START, QUEUE_CHUNKS, SECTOR, ZERO_BLOCKS,
};

/// The channel end of a writer: blocks in ascending order from `next`, gaps
/// filled with zeros (a disc is written without holes).
pub(super) struct Sink {
    pub(super) tx: Sender<Vec<u8>>,
    pub(super) next: u64,
    pub(super) hide: Option<Hide>,
    /// Blocks another file system put where this image has zeros (a UDF bridge).
    pub(super) overlay: Overlay,
}

impl Sink {
    pub(super) fn new(tx: Sender<Vec<u8>>, next: u64) -> Self {
        Self {
            tx,
            next,
            hide: None,
            overlay: Overlay::new(),
        }
    }

    pub(super) fn hiding(self, hide: Option<Hide>) -> Self {
        Self { hide, ..self }
    }

    pub(super) fn overlaid(self, overlay: Overlay) -> Self {
        Self { overlay, ..self }
    }

    pub(super) fn send(&mut self, mut buf: Vec<u8>) -> Result<(), hadris_io::Error<io::Error>> {
        let blocks = buf.len() as u64 / SECTOR;
        let first = self.next;
        for (block, data) in self.overlay.range(first..first + blocks) {
            let at = ((block - first) * SECTOR) as usize;
            let slot = &mut buf[at..at + SECTOR as usize];
            if slot.iter().any(|&b| b != 0) {
                return Err(io_error(
                    hadris_io::ErrorKind::Unsupported,
                    "the ISO 9660 image wrote where the UDF structures were planned",
                )
                .with_location(hadris_io::Location::Block(*block)));
            }
            slot.copy_from_slice(data);
        }
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

    pub(super) fn pad_to(&mut self, block: u64) -> Result<(), hadris_io::Error<io::Error>> {
        while self.next < block {
            let n = (block - self.next).min(ZERO_BLOCKS);
            self.send(vec![0u8; (n * SECTOR) as usize])?;
        }
        Ok(())
    }

    pub(super) fn put(
        &mut self,
        block: u64,
        buf: &[u8],
    ) -> Result<(), hadris_io::Error<io::Error>> {
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
pub(super) const RR_MOVED: &str = ".rr_moved";

/// RRIP 1.12 §4.1.5.3: an `RE` entry (4 bytes, version 1) marks a directory
/// record that Rock Ridge readers leave out of the listing.
pub(super) const RE_ENTRY: [u8; 4] = [b'R', b'E', 4, 1];

/// Marks the relocation directory's record in the root directory with `RE`,
/// as xorriso does, so that Rock Ridge readers show the original tree only
/// (hadris-iso writes `CL`, `PL` and `RE` for the moved directories but not
/// this one). The root directory's place comes from the primary volume
/// descriptor, streamed before it; its blocks are held until complete,
/// patched and sent on.
pub(super) struct Hide {
    /// The block of the primary volume descriptor.
    pub(super) pvd: u64,
    /// The root directory's first block and length in blocks, once known.
    pub(super) root: Option<(u64, u64)>,
    /// The root directory's blocks received so far.
    pub(super) held: Vec<u8>,
    pub(super) done: bool,
}

impl Hide {
    pub(super) fn new(pvd: u64) -> Self {
        Self {
            pvd,
            root: None,
            held: Vec::new(),
            done: false,
        }
    }

    /// Passes the blocks `buf` starting at block `first`; returns what to
    /// send now, in order.
    pub(super) fn pass(&mut self, first: u64, buf: Vec<u8>) -> Vec<Vec<u8>> {
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
pub(super) fn root_extent(pvd: &[u8]) -> Option<(u64, u64)> {
    let d = VolumeDescriptor::new(pvd);
    if !d.is_primary() {
        return None;
    }
    let len = u64::from(d.root_length()?).div_ceil(SECTOR);
    (len > 0).then_some((u64::from(d.root_extent()?), len))
}

/// The directory records of `dir` (whole sectors), in order (ECMA-119
/// §6.8.1.1: a record never crosses a sector; the rest of one is zeros).
pub(super) fn records(dir: &[u8]) -> Option<Vec<Vec<u8>>> {
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
pub(super) fn su_entries(record: &[u8]) -> (Vec<&[u8]>, usize) {
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
pub(super) fn mark_hidden(dir: &mut [u8], name: &[u8]) -> bool {
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
pub(super) struct ChannelDevice {
    pub(super) sink: Sink,
    pub(super) blocks: u64,
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
pub(super) enum Phase {
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
pub(super) struct Output {
    pub(super) phase: Phase,
    /// The last read failure, in words (hadris errors carry static text).
    pub(super) read_error: Option<String>,
}

pub(super) fn lock(output: &Mutex<Output>) -> MutexGuard<'_, Output> {
    output.lock().unwrap_or_else(|p| p.into_inner())
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
    pub(super) fn finish(&mut self) -> io::Result<()> {
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

impl FolderImage {
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
                    Body::Bridge(bridge) => {
                        let (overlay, fresh) = *bridge;
                        let FreshImage { tree, options } = fresh;
                        let dev = ChannelDevice {
                            sink: Sink::new(tx, 0).hiding(hide).overlaid(overlay),
                            blocks,
                        };
                        hadris_iso::sync::write(dev, &tree, &options)
                            .map(|report| report.size())
                            .map_err(|e| stream_failure(&dir, &e))
                    }
                    Body::Udf(udf) => {
                        let mut sink = Sink::new(tx, 0);
                        udf.emit(&mut |chunk| sink.send(chunk).map_err(|e| label(&e)))
                            .map(|()| blocks * SECTOR)
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
