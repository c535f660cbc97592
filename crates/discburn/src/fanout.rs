//! One source, many recorders (issue 16): the source is read once into a bounded ring of
//! chunks that every recorder's burn reads from, each at its own pace.
//!
//! The ring holds at most `capacity` chunks, from the slowest reader's position on. When
//! it is full and a faster reader needs a chunk not read yet, the slowest reader would
//! hold everyone back: it is *detached* instead — it goes on by re-reading the source
//! itself from its position, when the source can be reopened (an image file), or fails
//! with [`FanoutError::FellBehind`] naming how far behind it was (a pipe, a folder
//! mastered on the fly). A reader that is dropped (its burn failed or was cancelled)
//! stops holding the ring. Memory is bounded by the ring, not by the number of readers.
//!
//! [`burn_each`] runs one [`burn`] per recorder on its own thread, each
//! with its own options' speed, pacing, buffer, events and cancel token, and returns every
//! recorder's result: one failing drive never stops the others.

use std::collections::VecDeque;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use crate::burn::{burn, BurnError, BurnEvent, BurnOptions, BurnReport, Source};
use crate::engine::CancelToken;
use crate::recorder::Recorder;

/// Why a reader of the ring could not go on.
#[derive(Debug, thiserror::Error)]
pub enum FanoutError {
    /// The reader fell more than the ring behind the fastest one and the source cannot
    /// be read again.
    #[error(
        "this drive fell {behind_bytes} bytes behind the fastest one, more than the shared \
         buffer of {ring_bytes} bytes, and the source cannot be read a second time: burn \
         it on its own, or with drives of the same speed"
    )]
    FellBehind {
        /// How far behind it was.
        behind_bytes: u64,
        /// The ring's size.
        ring_bytes: u64,
    },
    /// Reading the source failed (for every reader).
    #[error("reading the source: {0}")]
    Source(String),
}

/// Where the bytes come from: read once into the ring, and opened again by a reader that
/// fell behind (when `reopen` can).
pub struct SharedSource {
    reader: Box<dyn Read + Send>,
    reopen: Option<Reopen>,
    /// Bytes of the source (whole 2048-byte sectors).
    pub len: u64,
    /// What to call it in messages.
    pub label: String,
}

/// Opens the source again, for a reader that fell behind.
type Reopen = Box<dyn Fn() -> io::Result<Box<dyn ReadSeek>> + Send + Sync>;

/// A source a detached reader can seek in.
pub trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

impl SharedSource {
    /// An image file: read once for all, reopened by a reader that falls behind.
    pub fn image(path: impl Into<PathBuf>) -> io::Result<SharedSource> {
        let path = path.into();
        let f = std::fs::File::open(&path)?;
        let len = f.metadata()?.len();
        let again = path.clone();
        Ok(SharedSource {
            reader: Box::new(f),
            reopen: Some(Box::new(move || {
                Ok(Box::new(std::fs::File::open(&again)?) as Box<dyn ReadSeek>)
            })),
            len,
            label: path.display().to_string(),
        })
    }

    /// Any stream of `len` bytes, read once; a reader that falls behind fails.
    pub fn stream(reader: Box<dyn Read + Send>, len: u64, label: impl Into<String>) -> Self {
        SharedSource {
            reader,
            reopen: None,
            len,
            label: label.into(),
        }
    }
}

/// Where one reader of the ring is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seat {
    /// Reading from the ring; the index of the next chunk it takes.
    Ring(u64),
    /// Fell behind: reads the source itself from this byte.
    Detached(u64),
    /// Gone (finished or dropped): holds nothing.
    Left,
}

struct State {
    chunks: VecDeque<Arc<[u8]>>,
    /// Index of `chunks[0]`.
    first: u64,
    /// The source ended after this many chunks (or failed).
    end: Option<Result<u64, String>>,
    seats: Vec<Seat>,
}

/// The ring of chunks, shared by the producer and the readers.
pub struct Ring {
    state: Mutex<State>,
    changed: Condvar,
    chunk: usize,
    capacity: usize,
    /// Bytes read from the source by the producer and by detached readers.
    source_reads: AtomicU64,
    /// Readers that fell behind and opened the source again.
    reread: AtomicU64,
    /// Readers the producer detached for falling behind.
    fell_behind: AtomicU64,
    reopen: Option<Reopen>,
}

impl Ring {
    /// A ring of `capacity` chunks of `chunk` bytes (rounded to whole sectors) for
    /// `readers` readers, and the producer that fills it from `source` (run it on a
    /// thread of its own: it returns when the source ends or every reader left).
    pub fn new(
        source: SharedSource,
        readers: usize,
        chunk: usize,
        capacity: usize,
    ) -> (Arc<Ring>, Producer) {
        let chunk = (chunk.max(2048) / 2048) * 2048;
        let ring = Arc::new(Ring {
            state: Mutex::new(State {
                chunks: VecDeque::new(),
                first: 0,
                end: None,
                seats: vec![Seat::Ring(0); readers],
            }),
            changed: Condvar::new(),
            chunk,
            capacity: capacity.max(1),
            source_reads: AtomicU64::new(0),
            reread: AtomicU64::new(0),
            fell_behind: AtomicU64::new(0),
            reopen: source.reopen,
        });
        let producer = Producer {
            ring: Arc::clone(&ring),
            source: source.reader,
        };
        (ring, producer)
    }

    /// Reader `seat` (0-based, fewer than `readers`).
    pub fn reader(self: &Arc<Ring>, seat: usize) -> RingReader {
        RingReader {
            ring: Arc::clone(self),
            seat,
            current: None,
            offset: 0,
            detached: None,
        }
    }

    /// Bytes read from the source so far, the producer's and detached readers' together:
    /// the source's length when every drive kept up.
    pub fn source_bytes_read(&self) -> u64 {
        self.source_reads.load(Ordering::SeqCst)
    }

    /// How many readers fell behind and read the source again.
    pub fn detached(&self) -> usize {
        self.reread.load(Ordering::SeqCst) as usize
    }

    /// How many readers fell behind the ring (whether or not they could read the source
    /// again).
    pub fn fell_behind(&self) -> usize {
        self.fell_behind.load(Ordering::SeqCst) as usize
    }

    /// The ring's size in bytes.
    pub fn bytes(&self) -> u64 {
        (self.chunk * self.capacity) as u64
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Drops chunks no reader in the ring needs any more.
    fn trim(&self, st: &mut State) {
        let min = st
            .seats
            .iter()
            .filter_map(|s| match s {
                Seat::Ring(i) => Some(*i),
                _ => None,
            })
            .min()
            .unwrap_or(st.first + st.chunks.len() as u64);
        while st.first < min && !st.chunks.is_empty() {
            st.chunks.pop_front();
            st.first += 1;
        }
    }
}

/// Fills the ring from the source.
pub struct Producer {
    ring: Arc<Ring>,
    source: Box<dyn Read + Send>,
}

impl Producer {
    /// Reads the source into the ring until it ends or every reader left.
    pub fn run(mut self) {
        let ring = Arc::clone(&self.ring);
        let mut index = 0u64;
        loop {
            let mut buf = vec![0u8; ring.chunk];
            let got = match read_full(&mut self.source, &mut buf) {
                Ok(n) => n,
                Err(e) => {
                    let mut st = ring.lock();
                    st.end = Some(Err(e.to_string()));
                    ring.changed.notify_all();
                    return;
                }
            };
            ring.source_reads.fetch_add(got as u64, Ordering::SeqCst);
            buf.truncate(got);
            let mut st = ring.lock();
            if got == 0 {
                st.end = Some(Ok(index));
                ring.changed.notify_all();
                return;
            }
            // Wait for room; when a reader in the ring is waiting for this very chunk,
            // the slowest reader is what keeps the room from coming: detach it.
            loop {
                ring.trim(&mut st);
                if st.seats.iter().all(|s| !matches!(s, Seat::Ring(_))) {
                    // Nobody reads from the ring any more.
                    st.end = Some(Ok(index));
                    ring.changed.notify_all();
                    return;
                }
                if st.chunks.len() < ring.capacity {
                    break;
                }
                let waiting = st.seats.contains(&Seat::Ring(index));
                if waiting {
                    let first = st.first;
                    let chunk = ring.chunk as u64;
                    for s in st.seats.iter_mut() {
                        if *s == Seat::Ring(first) {
                            *s = Seat::Detached(first * chunk);
                            ring.fell_behind.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                    ring.changed.notify_all();
                    continue;
                }
                st = ring.changed.wait(st).unwrap_or_else(|p| p.into_inner());
            }
            st.chunks.push_back(buf.into());
            index += 1;
            ring.changed.notify_all();
        }
    }
}

/// Reads until `buf` is full or the source ends.
fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// One recorder's view of the source: the ring's chunks in order, or (detached) the
/// source read again from where it fell behind.
pub struct RingReader {
    ring: Arc<Ring>,
    seat: usize,
    current: Option<Arc<[u8]>>,
    offset: usize,
    detached: Option<Box<dyn ReadSeek>>,
}

impl RingReader {
    /// The next chunk from the ring, `None` at the end, or the byte to go on from
    /// when this reader was detached.
    fn next_chunk(&mut self) -> io::Result<Result<Option<Arc<[u8]>>, u64>> {
        let ring = Arc::clone(&self.ring);
        let mut st = ring.lock();
        loop {
            match st.seats[self.seat] {
                Seat::Detached(at) => return Ok(Err(at)),
                Seat::Left => return Ok(Ok(None)),
                Seat::Ring(i) => {
                    if i >= st.first && i < st.first + st.chunks.len() as u64 {
                        let c = Arc::clone(&st.chunks[(i - st.first) as usize]);
                        st.seats[self.seat] = Seat::Ring(i + 1);
                        ring.trim(&mut st);
                        ring.changed.notify_all();
                        return Ok(Ok(Some(c)));
                    }
                    match &st.end {
                        Some(Ok(n)) if i >= *n => return Ok(Ok(None)),
                        Some(Err(e)) => return Err(io::Error::other(e.clone())),
                        _ => {}
                    }
                    // The producer may be waiting for room: it must learn someone waits.
                    ring.changed.notify_all();
                    st = ring.changed.wait(st).unwrap_or_else(|p| p.into_inner());
                }
            }
        }
    }
}

impl Read for RingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if let Some(src) = self.detached.as_mut() {
            let n = src.read(buf)?;
            self.ring.source_reads.fetch_add(n as u64, Ordering::SeqCst);
            return Ok(n);
        }
        loop {
            if let Some(c) = &self.current {
                if self.offset < c.len() {
                    let n = buf.len().min(c.len() - self.offset);
                    buf[..n].copy_from_slice(&c[self.offset..self.offset + n]);
                    self.offset += n;
                    return Ok(n);
                }
            }
            match self.next_chunk()? {
                Ok(Some(c)) => {
                    self.current = Some(c);
                    self.offset = 0;
                }
                Ok(None) => return Ok(0),
                Err(at) => {
                    // Detached: the ring is asked only once the current chunk is used
                    // up, so `at` is exactly the bytes this reader has had.
                    let pos = at;
                    let fastest = {
                        let st = self.ring.lock();
                        (st.first + st.chunks.len() as u64) * self.ring.chunk as u64
                    };
                    let Some(reopen) = &self.ring.reopen else {
                        return Err(io::Error::other(FanoutError::FellBehind {
                            behind_bytes: fastest.saturating_sub(pos),
                            ring_bytes: self.ring.bytes(),
                        }));
                    };
                    let mut src = reopen()?;
                    src.seek(SeekFrom::Start(pos))?;
                    self.ring.reread.fetch_add(1, Ordering::SeqCst);
                    tracing::warn!(
                        "fan-out: drive {} fell {} bytes behind; reading the source again from byte {pos}",
                        self.seat,
                        fastest.saturating_sub(pos)
                    );
                    self.current = None;
                    self.detached = Some(src);
                    return self.read(buf);
                }
            }
        }
    }
}

impl Drop for RingReader {
    fn drop(&mut self) {
        let mut st = self.ring.lock();
        st.seats[self.seat] = Seat::Left;
        self.ring.trim(&mut st);
        self.ring.changed.notify_all();
    }
}

/// One recorder of a fan-out burn: the drive, its options and its cancel token.
pub struct Target {
    /// The recorder.
    pub recorder: Arc<Recorder>,
    /// Its burn options (speed, verify, closing…).
    pub options: BurnOptions,
    /// Cancels this drive's burn alone.
    pub cancel: CancelToken,
}

/// What [`burn_each`] reports: each drive's result in order, and how the source was read.
#[derive(Debug)]
pub struct FanoutReport {
    /// Each target's burn, in the order given.
    pub results: Vec<Result<BurnReport, BurnError>>,
    /// Bytes read from the source in all (its length when every drive kept up).
    pub source_bytes_read: u64,
    /// Drives that fell behind the ring and read the source again.
    pub detached: usize,
}

/// Burns `source` to every target at once: the source read once into a ring of
/// `ring_chunks` chunks of `chunk_bytes`, one [`burn`] per recorder on its own thread.
/// `on_event(i, event)` gets each drive's events with its index.
pub fn burn_each(
    targets: Vec<Target>,
    source: SharedSource,
    chunk_bytes: usize,
    ring_chunks: usize,
    on_event: &(dyn Fn(usize, &BurnEvent) + Sync),
) -> FanoutReport {
    let sectors = source.len.div_ceil(2048);
    let label = source.label.clone();
    let (ring, producer) = Ring::new(source, targets.len(), chunk_bytes, ring_chunks);
    let results = std::thread::scope(|s| {
        s.spawn(move || producer.run());
        let handles: Vec<_> = targets
            .into_iter()
            .enumerate()
            .map(|(i, t)| {
                let reader = ring.reader(i);
                let label = label.clone();
                s.spawn(move || {
                    let src = Source::Stream {
                        reader: Box::new(reader),
                        sectors,
                        label,
                    };
                    let mut events = |e: &BurnEvent| on_event(i, e);
                    burn(&t.recorder, src, &t.options, &t.cancel, &mut events)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(BurnError::Unsupported(
                        "a drive's burn thread panicked".into(),
                    ))
                })
            })
            .collect()
    });
    FanoutReport {
        results,
        source_bytes_read: ring.source_bytes_read(),
        detached: ring.detached(),
    }
}
