//! Verify: read the written area back from the medium and compare it with
//! what was sent, chunk by chunk, producing a map of bad sector ranges.
//!
//! **Beyond IMAPI2**, whose "quick" verification samples a few sectors and
//! whose "full" one compares a single checksum: every chunk of
//! [`CHUNK_SECTORS`] sectors is fingerprinted (XXH3-128) while it streams to
//! the engine ([`HashingReader`]), so even a folder image that exists only
//! as a stream can be verified afterwards without building it again. The
//! read-back never trusts a cache: each chunk is a fresh READ(12) with FUA
//! (force unit access) and DPO set, which makes the drive fetch the sectors
//! from the medium ([`ReadBack`]); a drive that rejects FUA on reads gets a
//! plain READ(12) per chunk, and the fall-back is logged.
//!
//! A chunk whose fingerprint differs is narrowed to the exact sectors when
//! the source can be re-read (an image file); an unreadable chunk is re-read
//! sector by sector. Adjacent sectors with the same verdict merge into one
//! [`BadRange`].

use std::fmt;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use discburn_mmc::clock::SharedClock;
use xxhash_rust::xxh3::Xxh3;

/// Sectors per fingerprinted chunk: 16 × 2048 B = 32 KiB, one DVD ECC block.
/// A 25 GB BD-R needs 763,712 fingerprints (12 MiB).
pub const CHUNK_SECTORS: u32 = 16;

/// Chunk hashes reserved up front: a 128 GB BD-XL's worth (62.5 M sectors).
const MAX_RESERVED_CHUNKS: u64 = 62_500_000 / CHUNK_SECTORS as u64;

/// Per-chunk fingerprints of a run of sectors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    /// Bytes per sector (2048 for data).
    pub block_size: usize,
    /// Sectors per chunk.
    pub chunk_sectors: u32,
    /// Sectors covered.
    pub sectors: u64,
    /// XXH3-128 of each chunk, in order; the last chunk may be short.
    pub chunks: Vec<u128>,
}

impl Digest {
    /// Fingerprints `sectors` sectors read from `source` (an image file).
    pub fn of_reader(source: impl Read, sectors: u64, block_size: usize) -> io::Result<Digest> {
        let mut reader = HashingReader::new(source, sectors, block_size);
        let handle = reader.handle();
        io::copy(&mut reader, &mut io::sink())?;
        handle.finish().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("the source ended before its {sectors} sectors"),
            )
        })
    }

    /// Sector offset and length of chunk `i`.
    fn chunk(&self, i: usize) -> (u64, u32) {
        let first = i as u64 * u64::from(self.chunk_sectors);
        let len = self
            .sectors
            .saturating_sub(first)
            .min(u64::from(self.chunk_sectors)) as u32;
        (first, len)
    }
}

fn hash(data: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(data)
}

struct DigestState {
    block_size: usize,
    chunk_bytes: usize,
    sectors: u64,
    total: u64,
    seen: u64,
    in_chunk: usize,
    hasher: Xxh3,
    chunks: Vec<u128>,
}

impl fmt::Debug for DigestState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigestState")
            .field("sectors", &self.sectors)
            .field("seen", &self.seen)
            .finish_non_exhaustive()
    }
}

/// A `Read` adaptor that fingerprints the first `sectors` sectors passing
/// through it, for [`verify`] after the burn. Keep a [`DigestHandle`]
/// (from [`handle`](Self::handle)) before handing the reader to the engine.
#[derive(Debug)]
pub struct HashingReader<R> {
    inner: R,
    state: Arc<Mutex<DigestState>>,
}

/// Collects the [`Digest`] a [`HashingReader`] computed.
#[derive(Debug, Clone)]
pub struct DigestHandle(Arc<Mutex<DigestState>>);

impl<R: Read> HashingReader<R> {
    /// Wraps `inner`, which should yield `sectors` × `block_size` bytes.
    pub fn new(inner: R, sectors: u64, block_size: usize) -> Self {
        let state = DigestState {
            block_size,
            chunk_bytes: block_size.saturating_mul(CHUNK_SECTORS as usize),
            sectors,
            total: sectors.saturating_mul(block_size as u64),
            seen: 0,
            in_chunk: 0,
            hasher: Xxh3::new(),
            // Reserve for a full BD-XL at most: `sectors` comes from a file's length and
            // the list grows with the data that actually arrives.
            chunks: Vec::with_capacity(
                sectors
                    .div_ceil(u64::from(CHUNK_SECTORS))
                    .min(MAX_RESERVED_CHUNKS) as usize,
            ),
        };
        Self {
            inner,
            state: Arc::new(Mutex::new(state)),
        }
    }

    /// The handle that yields the digest once all sectors went through.
    pub fn handle(&self) -> DigestHandle {
        DigestHandle(Arc::clone(&self.state))
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let take = (n as u64).min(st.total - st.seen) as usize;
        let mut data = &buf[..take];
        while !data.is_empty() {
            let room = st.chunk_bytes - st.in_chunk;
            let part = room.min(data.len());
            st.hasher.update(&data[..part]);
            st.in_chunk += part;
            st.seen += part as u64;
            data = &data[part..];
            if st.in_chunk == st.chunk_bytes || st.seen == st.total {
                let h = st.hasher.digest128();
                st.chunks.push(h);
                st.hasher.reset();
                st.in_chunk = 0;
            }
        }
        Ok(n)
    }
}

impl DigestHandle {
    /// The digest, once every sector has been read; `None` before (a
    /// cancelled or failed write).
    pub fn finish(&self) -> Option<Digest> {
        let st = self.0.lock().unwrap_or_else(|e| e.into_inner());
        (st.seen == st.total).then(|| Digest {
            block_size: st.block_size,
            chunk_sectors: CHUNK_SECTORS,
            sectors: st.sectors,
            chunks: st.chunks.clone(),
        })
    }

    /// The digest of the whole sectors that went through, for a source
    /// declared open-ended (a pipe written to its end): its length is known
    /// only once it ended. `None` when no sector came, or the data ended
    /// inside a sector.
    pub fn finish_early(&self) -> Option<Digest> {
        let st = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let bs = st.block_size as u64;
        if st.seen == 0 || bs == 0 || !st.seen.is_multiple_of(bs) {
            return None;
        }
        let mut chunks = st.chunks.clone();
        if st.in_chunk > 0 {
            chunks.push(st.hasher.digest128());
        }
        Some(Digest {
            block_size: st.block_size,
            chunk_sectors: CHUNK_SECTORS,
            sectors: st.seen / bs,
            chunks,
        })
    }

    /// Sectors fingerprinted so far.
    pub fn sectors_seen(&self) -> u64 {
        let st = self.0.lock().unwrap_or_else(|e| e.into_inner());
        st.seen / st.block_size as u64
    }
}

/// A failed read of the medium.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadFailure {
    /// What the drive said, in words (e.g. "unrecovered read error").
    pub message: String,
    /// Whether the drive refused the FUA bit itself (invalid field in CDB),
    /// so a plain read is worth trying.
    pub fua_refused: bool,
    /// Whether the failure is not the medium's but the path to it: the
    /// connection lost (a transport failure), the drive gone or not ready,
    /// the disc removed. Retrying sector by sector cannot help, so
    /// [`verify`] stops at the first one ([`VerifyReport::stopped`]).
    pub transport: bool,
}

/// Reading sectors back from the medium, bypassing every cache.
pub trait ReadBack {
    /// Reads `count` sectors at `lba` into `buf` from the medium itself:
    /// READ(12) with FUA and DPO when `fua`, a plain READ(12) otherwise.
    fn read_sectors(
        &mut self,
        lba: u32,
        count: u32,
        fua: bool,
        buf: &mut [u8],
    ) -> Result<(), ReadFailure>;
}

/// A source that can be re-read at a sector offset, to pinpoint mismatches.
pub trait SourceSectors {
    /// Reads `buf.len()` bytes starting at sector `sector` of the source.
    fn read_at(&mut self, sector: u64, block_size: usize, buf: &mut [u8]) -> io::Result<()>;
}

impl<T: Read + Seek> SourceSectors for T {
    fn read_at(&mut self, sector: u64, block_size: usize, buf: &mut [u8]) -> io::Result<()> {
        self.seek(SeekFrom::Start(sector * block_size as u64))?;
        self.read_exact(buf)
    }
}

/// What is wrong with a range of sectors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadKind {
    /// Read fine but differs from the source.
    Mismatch,
    /// The drive could not read it; the drive's words.
    Unreadable(String),
}

/// A run of bad sectors, first and last LBA inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRange {
    /// First bad LBA.
    pub first: u32,
    /// Last bad LBA (inclusive).
    pub last: u32,
    /// Why.
    pub kind: BadKind,
    /// Whether the range is exact to the sector (false: the whole chunk
    /// is reported because the source could not be re-read).
    pub exact: bool,
}

impl BadRange {
    /// Number of sectors in the range.
    pub fn sectors(&self) -> u64 {
        u64::from(self.last - self.first) + 1
    }
}

impl fmt::Display for BadRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match &self.kind {
            BadKind::Mismatch => "differs from the source".to_string(),
            BadKind::Unreadable(m) => format!("unreadable ({m})"),
        };
        let approx = if self.exact {
            ""
        } else {
            " (within this chunk)"
        };
        if self.first == self.last {
            write!(f, "sector {} {what}{approx}", self.first)
        } else {
            write!(
                f,
                "sectors {}–{} ({} sectors) {what}{approx}",
                self.first,
                self.last,
                self.sectors()
            )
        }
    }
}

/// The outcome of a verify pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// First LBA compared.
    pub start_lba: u32,
    /// Sectors compared.
    pub sectors: u64,
    /// Bad ranges, ascending.
    pub bad: Vec<BadRange>,
    /// Wall time of the pass.
    pub elapsed: Duration,
    /// Whether reads bypassed the drive cache with FUA (false when the drive
    /// refused FUA and each chunk was a plain fresh read instead).
    pub fua: bool,
    /// Verification stopped early at a transport failure (connection lost,
    /// drive gone, disc removed): where, and what the failure was. The
    /// sectors from there on were not compared.
    pub stopped: Option<VerifyStop>,
}

/// Where and why a verify pass stopped before its last sector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyStop {
    /// The LBA whose READ failed.
    pub lba: u32,
    /// The failure, in words.
    pub message: String,
}

impl VerifyReport {
    /// No bad sector, and every sector compared.
    pub fn is_ok(&self) -> bool {
        self.bad.is_empty() && self.stopped.is_none()
    }

    /// Total bad sectors.
    pub fn bad_sectors(&self) -> u64 {
        self.bad.iter().map(BadRange::sectors).sum()
    }
}

/// Progress of a verify pass, for displays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyProgress {
    /// Sectors compared so far.
    pub done: u64,
    /// Sectors to compare.
    pub total: u64,
    /// Bad sectors found so far.
    pub bad: u64,
    /// Time since the pass started.
    pub elapsed: Duration,
}

/// Reads `digest.sectors` sectors back from `dev` starting at `start_lba` and
/// compares them with `digest`; `source`, when given, pinpoints mismatching
/// sectors inside a chunk. `cancelled` is polled between chunks.
pub fn verify(
    dev: &mut dyn ReadBack,
    start_lba: u32,
    digest: &Digest,
    mut source: Option<&mut dyn SourceSectors>,
    clock: &SharedClock,
    cancelled: &dyn Fn() -> bool,
    progress: &mut dyn FnMut(VerifyProgress),
) -> VerifyReport {
    let started = clock.now();
    let bs = digest.block_size;
    let mut fua = true;
    let mut bad = Vec::new();
    let mut buf = vec![0u8; bs * digest.chunk_sectors as usize];
    let mut src = vec![0u8; bs];
    let mut done = 0u64;
    let mut last_report = started;
    let mut stopped = None;
    for (i, &want) in digest.chunks.iter().enumerate() {
        if cancelled() {
            break;
        }
        let (first, count) = digest.chunk(i);
        let lba = u64::from(start_lba) + first;
        if lba + u64::from(count) > u64::from(u32::MAX) + 1 {
            // READ(12) addresses end at LBA 2^32 − 1 (a start the drive or user gave
            // near the top): what lies beyond cannot be read, so it cannot match.
            merge(
                &mut bad,
                BadRange {
                    first: u32::try_from(lba).unwrap_or(u32::MAX),
                    last: u32::MAX,
                    kind: BadKind::Unreadable("beyond the last addressable sector".into()),
                    exact: false,
                },
            );
            break;
        }
        // Fits: lba + count ≤ 2^32 was just checked, so `lba + s` below cannot overflow.
        let lba = lba as u32;
        let data = &mut buf[..count as usize * bs];
        let mut read = dev.read_sectors(lba, count, fua, data);
        if let Err(ReadFailure {
            fua_refused: true, ..
        }) = read
        {
            if fua {
                tracing::warn!("the drive refuses FUA on READ(12); verifying with a fresh plain read per chunk");
                fua = false;
                read = dev.read_sectors(lba, count, fua, data);
            }
        }
        match read {
            Ok(()) if hash(data) == want => {}
            Ok(()) => mismatch(&mut bad, &mut source, lba, first, data, &mut src, bs),
            Err(e) if e.transport => {
                // The path to the disc failed, not the disc: re-reading every sector
                // of the rest against it would only map the whole disc as bad.
                stopped = Some(VerifyStop {
                    lba,
                    message: e.message,
                });
                break;
            }
            Err(_) => {
                // Re-read sector by sector to map exactly what is unreadable.
                for s in 0..count {
                    let one = &mut buf[..bs];
                    match dev.read_sectors(lba + s, 1, fua, one) {
                        Ok(()) => {
                            let ok = match source.as_deref_mut() {
                                Some(source) => {
                                    source.read_at(first + u64::from(s), bs, &mut src).is_ok()
                                        && src[..] == one[..]
                                }
                                None => true,
                            };
                            if !ok {
                                push(&mut bad, lba + s, BadKind::Mismatch, true);
                            }
                        }
                        Err(e) if e.transport => {
                            stopped = Some(VerifyStop {
                                lba: lba + s,
                                message: e.message,
                            });
                            break;
                        }
                        Err(e) => push(&mut bad, lba + s, BadKind::Unreadable(e.message), true),
                    }
                }
                if stopped.is_some() {
                    break;
                }
            }
        }
        done += u64::from(count);
        let now = clock.now();
        if now.saturating_sub(last_report) >= Duration::from_millis(100) || done == digest.sectors {
            last_report = now;
            progress(VerifyProgress {
                done,
                total: digest.sectors,
                bad: bad.iter().map(BadRange::sectors).sum(),
                elapsed: now.saturating_sub(started),
            });
        }
    }
    VerifyReport {
        start_lba,
        sectors: done,
        bad,
        elapsed: clock.now().saturating_sub(started),
        fua,
        stopped,
    }
}

/// Records a chunk that read fine but differs: exact sectors when the
/// source can be re-read, else the whole chunk.
fn mismatch(
    bad: &mut Vec<BadRange>,
    source: &mut Option<&mut dyn SourceSectors>,
    lba: u32,
    first: u64,
    data: &[u8],
    src: &mut [u8],
    bs: usize,
) {
    let count = (data.len() / bs) as u32;
    if let Some(source) = source.as_deref_mut() {
        let mut pinpointed = true;
        let mut found = Vec::new();
        for s in 0..count {
            if source.read_at(first + u64::from(s), bs, src).is_err() {
                pinpointed = false;
                break;
            }
            if src[..] != data[s as usize * bs..(s as usize + 1) * bs] {
                found.push(lba + s);
            }
        }
        // A source that reads back identical to the medium here means the
        // digest came from different data: report the chunk, not nothing.
        if pinpointed && !found.is_empty() {
            for s in found {
                push(bad, s, BadKind::Mismatch, true);
            }
            return;
        }
    }
    let range = BadRange {
        first: lba,
        last: lba + count - 1,
        kind: BadKind::Mismatch,
        exact: false,
    };
    merge(bad, range);
}

fn push(bad: &mut Vec<BadRange>, lba: u32, kind: BadKind, exact: bool) {
    merge(
        bad,
        BadRange {
            first: lba,
            last: lba,
            kind,
            exact,
        },
    );
}

fn merge(bad: &mut Vec<BadRange>, range: BadRange) {
    if let Some(prev) = bad.last_mut() {
        if prev.kind == range.kind && prev.exact == range.exact && prev.last + 1 == range.first {
            prev.last = range.last;
            return;
        }
    }
    bad.push(range);
}

#[cfg(test)]
mod tests {
    use super::*;
    use discburn_mmc::clock::SimClock;

    /// A disc holding `data`: `unreadable` sectors fail as the medium's, and from
    /// `lost_at` on the connection is gone for good.
    struct Medium {
        data: Vec<u8>,
        unreadable: Vec<u32>,
        fua_ok: bool,
        lost_at: u32,
        reads: usize,
        reads_after: usize,
    }

    impl Medium {
        fn of(data: Vec<u8>) -> Medium {
            Medium {
                data,
                unreadable: vec![],
                fua_ok: true,
                lost_at: u32::MAX,
                reads: 0,
                reads_after: 0,
            }
        }
    }

    impl ReadBack for Medium {
        fn read_sectors(
            &mut self,
            lba: u32,
            count: u32,
            fua: bool,
            buf: &mut [u8],
        ) -> Result<(), ReadFailure> {
            self.reads += 1;
            if lba + count > self.lost_at {
                self.reads_after += 1;
                return Err(ReadFailure {
                    message: "transport: connection reset by peer".into(),
                    fua_refused: false,
                    transport: true,
                });
            }
            if fua && !self.fua_ok {
                return Err(ReadFailure {
                    message: "invalid field in CDB".into(),
                    fua_refused: true,
                    transport: false,
                });
            }
            if self.unreadable.iter().any(|&u| u >= lba && u < lba + count) {
                return Err(ReadFailure {
                    message: "unrecovered read error".into(),
                    fua_refused: false,
                    transport: false,
                });
            }
            let at = lba as usize * 2048;
            buf.copy_from_slice(&self.data[at..at + count as usize * 2048]);
            Ok(())
        }
    }

    fn image(sectors: usize) -> Vec<u8> {
        (0..sectors * 2048)
            .map(|i| (i * 7 + i / 2048) as u8)
            .collect()
    }

    fn run(medium: &mut Medium, img: &[u8], with_source: bool) -> VerifyReport {
        let sectors = (img.len() / 2048) as u64;
        let digest = Digest::of_reader(img, sectors, 2048).unwrap();
        let (_sim, clock) = SimClock::shared();
        let mut src = std::io::Cursor::new(img.to_vec());
        let source: Option<&mut dyn SourceSectors> =
            if with_source { Some(&mut src) } else { None };
        verify(medium, 0, &digest, source, &clock, &|| false, &mut |_| {})
    }

    /// A disc of zeros at every LBA.
    struct Zeros;

    impl ReadBack for Zeros {
        fn read_sectors(
            &mut self,
            _lba: u32,
            _count: u32,
            _fua: bool,
            buf: &mut [u8],
        ) -> Result<(), ReadFailure> {
            buf.fill(0);
            Ok(())
        }
    }

    #[test]
    fn start_near_the_last_lba_reports_instead_of_overflowing() {
        let img = vec![0u8; 40 * 2048];
        let digest = Digest::of_reader(&img[..], 40, 2048).unwrap();
        let (_sim, clock) = SimClock::shared();
        // Chunk 1 ends past LBA 2^32 − 1; `start_lba + first as u32` overflowed.
        let start = u32::MAX - 19;
        let r = verify(
            &mut Zeros,
            start,
            &digest,
            None,
            &clock,
            &|| false,
            &mut |_| {},
        );
        assert_eq!(r.sectors, 16);
        assert_eq!(
            r.bad,
            vec![BadRange {
                first: u32::MAX - 3,
                last: u32::MAX,
                kind: BadKind::Unreadable("beyond the last addressable sector".into()),
                exact: false,
            }]
        );
    }

    #[test]
    fn a_huge_sector_count_reserves_a_bounded_digest() {
        let r = HashingReader::new(&[][..], u64::MAX, 2048);
        let st = r.state.lock().unwrap();
        assert!(st.chunks.capacity() as u64 <= MAX_RESERVED_CHUNKS);
        assert_eq!(st.total, u64::MAX);
    }

    #[test]
    fn identical_medium_verifies() {
        let img = image(100);
        let mut m = Medium::of(img.clone());
        let r = run(&mut m, &img, false);
        assert!(r.is_ok());
        assert_eq!(r.sectors, 100);
        assert!(r.fua);
        assert_eq!(m.reads, 7);
    }

    #[test]
    fn corruption_is_pinpointed_with_a_source_and_chunked_without() {
        let img = image(100);
        let mut data = img.clone();
        for s in [37usize, 38, 39] {
            data[s * 2048 + 5] ^= 0xFF;
        }
        let mut m = Medium::of(data.clone());
        let r = run(&mut m, &img, true);
        assert_eq!(
            r.bad,
            vec![BadRange {
                first: 37,
                last: 39,
                kind: BadKind::Mismatch,
                exact: true
            }]
        );
        let r = run(&mut m, &img, false);
        assert_eq!(r.bad.len(), 1);
        assert_eq!(
            (r.bad[0].first, r.bad[0].last, r.bad[0].exact),
            (32, 47, false)
        );
    }

    #[test]
    fn unreadable_sectors_are_mapped_and_fua_refusal_falls_back() {
        let img = image(40);
        let mut m = Medium {
            unreadable: vec![20, 21],
            fua_ok: false,
            ..Medium::of(img.clone())
        };
        let r = run(&mut m, &img, false);
        assert!(!r.fua);
        assert_eq!(r.bad.len(), 1);
        assert_eq!((r.bad[0].first, r.bad[0].last), (20, 21));
        assert!(matches!(r.bad[0].kind, BadKind::Unreadable(_)));
        assert_eq!(r.bad_sectors(), 2);
    }

    #[test]
    fn hashing_reader_needs_every_sector() {
        let img = image(3);
        let mut r = HashingReader::new(&img[..2048 * 2], 3, 2048);
        let h = r.handle();
        io::copy(&mut r, &mut io::sink()).unwrap();
        assert!(h.finish().is_none());
        assert_eq!(h.sectors_seen(), 2);
        let d = Digest::of_reader(&img[..], 3, 2048).unwrap();
        assert_eq!(d.chunks.len(), 1);
        assert_eq!(d.chunks[0], hash(&img));
    }

    #[test]
    fn a_transport_failure_stops_verify_at_once() {
        let img = image(200);
        let mut m = Medium {
            lost_at: 40,
            ..Medium::of(img.clone())
        };
        let digest = Digest::of_reader(&img[..], 200, 2048).unwrap();
        let (_sim, clock) = SimClock::shared();
        let r = verify(&mut m, 0, &digest, None, &clock, &|| false, &mut |_| {});
        // One failed READ, no sector-by-sector retries, nothing mapped as bad.
        assert_eq!(m.reads_after, 1);
        assert!(r.bad.is_empty(), "{:?}", r.bad);
        assert_eq!(r.sectors, 32);
        assert!(!r.is_ok());
        assert_eq!(
            r.stopped,
            Some(VerifyStop {
                lba: 32,
                message: "transport: connection reset by peer".into()
            })
        );
    }

    #[test]
    fn an_open_ended_digest_covers_what_arrived() {
        let img = image(20);
        let mut r = HashingReader::new(&img[..], u64::MAX / 4096, 2048);
        let h = r.handle();
        io::copy(&mut r, &mut io::sink()).unwrap();
        assert!(h.finish().is_none());
        assert_eq!(
            h.finish_early(),
            Some(Digest::of_reader(&img[..], 20, 2048).unwrap())
        );
    }
}
