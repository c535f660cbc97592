//! The "system buffer": a fixed pool of sector-aligned buffers, filled by a reader
//! thread from the source and emptied by the writer, then handed back for reuse.
//! Nothing is allocated once a section is under way.

use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crossbeam_channel::{Receiver, Sender};

pub(crate) use discburn_mmc::buf::AlignedBuf;

/// Whether `buf` can serve a chunk of `len` bytes at `align` without reallocating.
pub(crate) fn fits(buf: &AlignedBuf, len: usize, align: usize) -> bool {
    buf.len() == len && (buf.as_ptr() as usize).is_multiple_of(align.max(1))
}

/// What the reader hands the writer.
#[derive(Debug)]
pub(crate) struct Filled {
    pub(crate) buf: AlignedBuf,
    /// Whole sectors of data at the start of `buf`.
    pub(crate) sectors: u32,
    /// Set on the last chunk when the source ended early or failed: the section cannot
    /// be completed past these sectors.
    pub(crate) end: Option<SourceEnd>,
}

/// Why the source stopped before the section's last sector.
#[derive(Debug)]
pub(crate) enum SourceEnd {
    /// End of file (a trailing partial sector, if any, is dropped).
    Eof,
    /// A read failed.
    Error(io::Error),
}

/// Counters the reader shares with the writer and the events.
#[derive(Debug, Default)]
pub(crate) struct ReadProgress {
    /// Sectors read from the source so far.
    pub(crate) sectors: AtomicU64,
}

/// The reader thread's body: fills buffers from `free` with `total_sectors` sectors of
/// `sector_bytes` from `source` in chunks of up to `chunk_sectors`, and sends them to
/// `filled`. Returns when done, when the source ends, or when the writer sets `stop`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn read_source<R: Read>(
    mut source: R,
    total_sectors: u64,
    sector_bytes: usize,
    chunk_sectors: u32,
    free: &Receiver<AlignedBuf>,
    filled: &Sender<Filled>,
    progress: &ReadProgress,
    stop: &AtomicBool,
) {
    let mut remaining = total_sectors;
    while remaining > 0 {
        let mut buf = loop {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            // Short timeouts so a stopped writer is noticed even with no free buffer.
            match free.recv_timeout(std::time::Duration::from_millis(5)) {
                Ok(b) => break b,
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => continue,
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return,
            }
        };
        let sectors = remaining.min(u64::from(chunk_sectors)) as u32;
        let want = sectors as usize * sector_bytes;
        let (got, err) = fill(&mut source, &mut buf[..want]);
        let whole = (got / sector_bytes) as u32;
        let end = match err {
            Some(e) => Some(SourceEnd::Error(e)),
            None if got < want => Some(SourceEnd::Eof),
            None => None,
        };
        progress
            .sectors
            .fetch_add(u64::from(whole), Ordering::SeqCst);
        remaining -= u64::from(whole);
        let stop = end.is_some();
        if filled
            .send(Filled {
                buf,
                sectors: whole,
                end,
            })
            .is_err()
            || stop
        {
            return;
        }
    }
}

/// Reads until `buf` is full, the source ends, or it fails; `Interrupted` is retried.
fn fill<R: Read>(source: &mut R, buf: &mut [u8]) -> (usize, Option<io::Error>) {
    let mut got = 0;
    while got < buf.len() {
        match source.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return (got, Some(e)),
        }
    }
    (got, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned() {
        for align in [1usize, 512, 4096] {
            let mut b = AlignedBuf::zeroed(10_000, align);
            assert_eq!(b.as_ptr() as usize % align, 0);
            assert_eq!(b.len(), 10_000);
            b[9_999] = 7;
            assert!(fits(&b, 10_000, align));
            assert!(!fits(&b, 9_999, align));
        }
    }

    /// A source that returns at most 1000 bytes per read and `Interrupted` once.
    struct Dribble {
        left: usize,
        interrupted: bool,
    }
    impl Read for Dribble {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if !self.interrupted {
                self.interrupted = true;
                return Err(io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(1000).min(self.left);
            buf[..n].fill(0xA5);
            self.left -= n;
            Ok(n)
        }
    }

    #[test]
    fn reader_reports_short_source() {
        let (free_tx, free_rx) = crossbeam_channel::bounded(4);
        let (filled_tx, filled_rx) = crossbeam_channel::bounded(4);
        for _ in 0..4 {
            free_tx.send(AlignedBuf::zeroed(4 * 2048, 1)).unwrap();
        }
        let progress = ReadProgress::default();
        // 5 whole sectors and 100 bytes, but 10 sectors asked.
        let src = Dribble {
            left: 5 * 2048 + 100,
            interrupted: false,
        };
        let stop = AtomicBool::new(false);
        read_source(src, 10, 2048, 4, &free_rx, &filled_tx, &progress, &stop);
        let a = filled_rx.recv().unwrap();
        assert_eq!((a.sectors, a.end.is_none()), (4, true));
        let b = filled_rx.recv().unwrap();
        assert_eq!(b.sectors, 1);
        assert!(matches!(b.end, Some(SourceEnd::Eof)));
        assert!(filled_rx.try_recv().is_err());
        assert_eq!(progress.sectors.load(Ordering::SeqCst), 5);
    }
}
