//! Write throughput of the initiator over loopback, to tgt and to this crate's own target
//! serving an unthrottled virtual recorder: WRITE(10) of the transport's maximum transfer
//! size, with one command in flight and with `Limits::max_in_flight` pipelined.
//!
//! `cargo bench -p discburn-iscsi --bench loopback_write` writes 1 GiB per iteration;
//! `DISCBURN_BENCH_BYTES=64MiB` (or a plain byte count) makes a quick run. Both disc
//! images live on /dev/shm when it exists, so the figures measure the initiator and the
//! targets, not the disk (tgt fdatasyncs every WRITE; the virtual recorder writes to its
//! image file's page cache).
// criterion_group! generates an undocumented pub fn.
#![allow(missing_docs)]

use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use discburn_iscsi::target::{Server, ServerConfig};
use discburn_iscsi::testing::{Tgt, TgtOptions};
use discburn_iscsi::IscsiTransport;
use discburn_mmc::clock::SystemClock;
use discburn_mmc::rw::Write10;
use discburn_mmc::{Command, Request, Transport};
use discburn_vdrive::{Media, VirtualDriveConfig};

const BLOCK: usize = 2048;

fn bench_bytes() -> usize {
    let Ok(v) = std::env::var("DISCBURN_BENCH_BYTES") else {
        return 1 << 30;
    };
    let v = v.trim();
    let (num, mult) = if let Some(n) = v.strip_suffix("GiB") {
        (n, 1 << 30)
    } else if let Some(n) = v.strip_suffix("MiB") {
        (n, 1 << 20)
    } else {
        (v, 1)
    };
    num.trim()
        .parse::<usize>()
        .map(|n| n * mult)
        .unwrap_or_else(|_| panic!("DISCBURN_BENCH_BYTES={v:?}: expected bytes, NMiB or NGiB"))
}

fn write_all(d: &mut IscsiTransport, total: usize, chunk: &[u8], in_flight: usize) {
    let blocks = chunk.len() / BLOCK;
    let count = total / chunk.len();
    let cdbs: Vec<_> = (0..count)
        .map(|i| {
            Write10 {
                lba: (i * blocks) as u32,
                blocks: blocks as u16,
                ..Default::default()
            }
            .emit()
        })
        .collect();
    // Batches of `in_flight` keep exactly that many at the target with execute_queue;
    // one batch of everything lets the transport keep its window full.
    let batch = if in_flight == 1 { 1 } else { count };
    for group in cdbs.chunks(batch) {
        let mut reqs: Vec<Request<'_>> = group
            .iter()
            .map(|c| Request::data_out(c.as_bytes(), chunk, Duration::from_secs(60)))
            .collect();
        for r in d.execute_queue(&mut reqs) {
            assert!(r.expect("write failed").is_good());
        }
    }
}

/// Where the disc images go: /dev/shm when it exists (see the module docs).
fn image_dir() -> Option<std::path::PathBuf> {
    let shm = Path::new("/dev/shm");
    shm.is_dir()
        .then(|| shm.join(format!("discburn-bench-{}", std::process::id())))
}

/// One group of the initiator writing to the drive at `url`: in flight 1 and the maximum.
fn bench_target(c: &mut Criterion, group: &str, url: &str) {
    let mut d = IscsiTransport::open(url).expect("login");
    // Clear the unit attention of the new nexus.
    let _ = d.execute(Request::none(&[0; 6], Duration::from_secs(5)));
    let limits = d.limits();
    let max = limits.max_transfer - limits.max_transfer % BLOCK;
    let chunk: Vec<u8> = (0..max).map(|i| (i % 251) as u8).collect();
    let total = bench_bytes().max(max) / max * max;
    eprintln!(
        "{group}: {} MiB per iteration, WRITE(10) of {} KiB, max_in_flight {}",
        total >> 20,
        max >> 10,
        limits.max_in_flight
    );
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Bytes(total as u64));
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(5));
    for in_flight in [1, limits.max_in_flight] {
        g.bench_function(format!("in_flight_{in_flight}"), |b| {
            b.iter(|| write_all(&mut d, total, &chunk, in_flight))
        });
    }
    g.finish();
}

fn tgt_write(c: &mut Criterion) {
    let tgt = Tgt::start_with(TgtOptions {
        dir: image_dir(),
        ..TgtOptions::default()
    })
    .unwrap_or_else(|e| panic!("{e}"));
    bench_target(c, "tgt_write", &tgt.url());
}

/// The same against `discburn serve`'s target and an unthrottled virtual DVD-RAM (sold
/// formatted and random access, so every iteration may write from LBA 0 again).
fn serve_write(c: &mut Criterion) {
    let dir = image_dir().unwrap_or_else(std::env::temp_dir).join("serve");
    std::fs::create_dir_all(&dir).expect("image directory");
    let drive = VirtualDriveConfig::new(dir.join("d.img"), Media::DvdRam)
        .unthrottled()
        .open(SystemClock::shared())
        .expect("virtual DVD-RAM");
    let server = Server::bind(
        "127.0.0.1:0".parse().unwrap(),
        ServerConfig::new("iqn.2026-12.bench.discburn:serve"),
        vec![Box::new(drive)],
    )
    .expect("bind 127.0.0.1");
    let url = server.url(0);
    let stop = server.shutdown_handle();
    let thread = std::thread::spawn(move || server.run());
    bench_target(c, "serve_write", &url);
    stop.shutdown();
    let _ = thread.join();
    let _ = std::fs::remove_dir_all(dir);
}

criterion_group!(benches, tgt_write, serve_write);
criterion_main!(benches);
