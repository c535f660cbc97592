//! One source, many recorders (issue 16, the library part): the source read once into a
//! bounded ring, every drive's burn byte-identical, a failing drive reported while the
//! others finish, a drive that falls behind the ring re-reading the source (or failing
//! with a sentence when the source cannot be read again).

mod common;

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use common::*;
use discburn::burn::{BurnError, BurnOptions};
use discburn::fanout::{burn_each, Ring, SharedSource, Target};
use discburn::CancelToken;
use discburn_vdrive::control::Fault;
use discburn_vdrive::media::Media;

/// A reader that counts the bytes taken from it.
struct Counting<R> {
    inner: R,
    taken: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.taken.fetch_add(n as u64, Ordering::SeqCst);
        Ok(n)
    }
}

const CHUNK: usize = 64 * 1024;

#[test]
fn four_drives_from_one_source_read_once_are_byte_identical_and_verify() {
    let bytes = data(8192, 7); // 16 MiB
    let taken = Arc::new(AtomicU64::new(0));
    let source = SharedSource::stream(
        Box::new(Counting {
            inner: io::Cursor::new(bytes.clone()),
            taken: Arc::clone(&taken),
        }),
        bytes.len() as u64,
        "16 MiB",
    );
    let rigs: Vec<Rig> = (0..4)
        .map(|i| {
            rig(Media::BdR, |mut c| {
                c.throttle = false;
                if i == 2 {
                    // One drive fails mid-burn.
                    c.faults.push(Fault::MediumError(4000..=4000));
                }
                c
            })
        })
        .collect();
    let targets = rigs
        .iter()
        .map(|r| Target {
            recorder: Arc::clone(&r.recorder),
            options: BurnOptions::default().with_verify(true),
            cancel: CancelToken::new(),
        })
        .collect();
    // A ring as large as the source: unthrottled drives on two cores drift apart by
    // megabytes, and none may be detached here (the detach has its own tests below).
    let report = burn_each(targets, source, CHUNK, 256, &|_, _| {});
    assert_eq!(report.detached, 0);
    assert_eq!(
        taken.load(Ordering::SeqCst),
        bytes.len() as u64,
        "read once"
    );
    assert_eq!(report.source_bytes_read, bytes.len() as u64);
    for (i, (r, rig)) in report.results.iter().zip(&rigs).enumerate() {
        if i == 2 {
            let e = r.as_ref().expect_err("the faulty drive fails");
            assert!(matches!(e, BurnError::Device { .. }), "{e:?}");
            continue;
        }
        let rep = r.as_ref().unwrap_or_else(|e| panic!("drive {i}: {e}"));
        assert!(rep.verify.as_ref().is_some_and(|v| v.is_ok()), "drive {i}");
        assert_eq!(rig.read_back(0, 8192), bytes, "drive {i} holds the source");
    }
}

/// Reads `reader` to its end, `pause` after each read of `step` bytes.
fn slow_read(mut reader: impl Read, step: usize, pause: Duration) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; step];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n]);
        thread::sleep(pause);
    }
}

#[test]
fn a_reader_that_falls_behind_the_ring_reads_the_image_again_and_the_others_do_not_wait() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.iso");
    let bytes = data(1024, 3); // 2 MiB = 32 chunks
    std::fs::write(&path, &bytes).unwrap();
    let (ring, producer) = Ring::new(SharedSource::image(&path).unwrap(), 2, CHUNK, 4);
    let fast = ring.reader(0);
    let slow = ring.reader(1);
    let p = thread::spawn(move || producer.run());
    let f = thread::spawn(move || slow_read(fast, 8192, Duration::ZERO));
    // The slow reader starts only once the fast one is done: the ring (4 chunks) cannot
    // have held it.
    let fast_got = f.join().unwrap().unwrap();
    assert_eq!(fast_got, bytes);
    let slow_got = slow_read(slow, 8192, Duration::ZERO).unwrap();
    assert_eq!(
        slow_got, bytes,
        "the detached reader gets every byte in order"
    );
    p.join().unwrap();
    assert_eq!((ring.fell_behind(), ring.detached()), (1, 1));
    assert!(ring.source_bytes_read() > bytes.len() as u64);
}

#[test]
fn a_reader_that_falls_behind_a_stream_fails_with_a_sentence() {
    let bytes = data(1024, 5);
    let source = SharedSource::stream(
        Box::new(io::Cursor::new(bytes.clone())),
        bytes.len() as u64,
        "a pipe",
    );
    let (ring, producer) = Ring::new(source, 2, CHUNK, 4);
    let fast = ring.reader(0);
    let mut slow = ring.reader(1);
    // The slow reader takes one chunk's worth, then stops for a while.
    let mut first = vec![0u8; CHUNK];
    let p = thread::spawn(move || producer.run());
    slow.read_exact(&mut first).unwrap();
    assert_eq!(first, bytes[..CHUNK]);
    let got = slow_read(fast, 4096, Duration::ZERO).unwrap();
    assert_eq!(got, bytes);
    let mut rest = Vec::new();
    let e = slow.read_to_end(&mut rest).unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("fell") && text.contains("cannot be read a second time"),
        "{text}"
    );
    p.join().unwrap();
    assert_eq!(ring.source_bytes_read(), bytes.len() as u64);
}

#[test]
fn readers_that_leave_stop_holding_the_ring() {
    let bytes = data(512, 9); // 16 chunks through a ring of 8
    let source = SharedSource::stream(
        Box::new(io::Cursor::new(bytes.clone())),
        bytes.len() as u64,
        "a pipe",
    );
    let (ring, producer) = Ring::new(source, 3, CHUNK, 8);
    let a = ring.reader(0);
    drop(ring.reader(1)); // its burn failed before reading anything
    let mut c = ring.reader(2);
    let mut some = vec![0u8; 3 * CHUNK];
    let p = thread::spawn(move || producer.run());
    c.read_exact(&mut some).unwrap();
    drop(c); // failed after three chunks
             // `a` starts only now, three chunks behind `c`: within the ring. Had a reader that
             // left kept its seat at chunk 0, the ring would fill and that seat be detached.
    assert_eq!(slow_read(a, 4096, Duration::ZERO).unwrap(), bytes);
    p.join().unwrap();
    assert_eq!(ring.fell_behind(), 0);
    assert_eq!(ring.source_bytes_read(), bytes.len() as u64);
}
