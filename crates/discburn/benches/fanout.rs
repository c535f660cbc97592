//! Fan-out (issue 16): one 256 MiB image burned to N = 1, 2, 4 and 8 unthrottled virtual
//! BD-R drives at once (images on /dev/shm when present) through `fanout::burn_each`:
//! aggregate MB/s (N × the image over the wall time), process CPU seconds per GiB
//! written, and the bytes read from the source (the image's size when it was read once).
//! Printed as a table; no criterion statistics (each point is one multi-second run).
//!
//! Run: `cargo bench -p discburn --bench fanout`

use std::sync::Arc;
use std::time::Instant;

use discburn::burn::BurnOptions;
use discburn::fanout::{burn_each, SharedSource, Target};
use discburn::mmc::clock::SystemClock;
use discburn::{CancelToken, Recorder};
use discburn_vdrive::media::Media;
use discburn_vdrive::VirtualDriveConfig;

const IMAGE_SECTORS: u64 = 128 * 1024; // 256 MiB

/// Process CPU time (user + system, all threads) from /proc/self/stat, in seconds.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let Some(i) = stat.rfind(')') else { return 0.0 };
    let f: Vec<&str> = stat[i + 2..].split_whitespace().collect();
    let t = |k: usize| f.get(k).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (t(11) + t(12)) / 100.0
}

fn main() {
    let base = if std::path::Path::new("/dev/shm").is_dir() {
        tempfile::tempdir_in("/dev/shm").unwrap()
    } else {
        tempfile::tempdir().unwrap()
    };
    let image = base.path().join("source.iso");
    let data: Vec<u8> = (0..IMAGE_SECTORS * 2048).map(|i| (i % 251) as u8).collect();
    std::fs::write(&image, &data).unwrap();
    drop(data);
    println!(
        "fanout: {} MiB image; N drives unthrottled (BD-R), ring 64 MiB",
        IMAGE_SECTORS / 512
    );
    println!("   N   aggregate MB/s   per drive MB/s   CPU s/GiB   source read (× image)");
    for n in [1usize, 2, 4, 8] {
        let dir = tempfile::tempdir_in(base.path()).unwrap();
        let targets: Vec<Target> = (0..n)
            .map(|i| {
                let path = dir.path().join(format!("d{i}.img"));
                let mut cfg = VirtualDriveConfig::new(&path, Media::BdR);
                cfg.throttle = false;
                let clock = SystemClock::shared();
                let drive = cfg.open(Arc::clone(&clock)).unwrap();
                let rec = Recorder::new(Box::new(drive), format!("virtual:{i}"), clock);
                Target {
                    recorder: Arc::new(rec),
                    options: BurnOptions::default(),
                    cancel: CancelToken::new(),
                }
            })
            .collect();
        let cpu0 = cpu_seconds();
        let t0 = Instant::now();
        let report = burn_each(
            targets,
            SharedSource::image(&image).unwrap(),
            1 << 20,
            64,
            &|_, _| {},
        );
        let secs = t0.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu0;
        let ok = report.results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(ok, n, "every drive burns: {:?}", report.results);
        let bytes = (IMAGE_SECTORS * 2048) as f64;
        let total = bytes * n as f64;
        println!(
            "{n:>4}   {:>14.0}   {:>14.0}   {:>9.2}   {:>6.2} ({} fell behind)",
            total / secs / 1e6,
            bytes / secs / 1e6,
            cpu / (total / f64::from(1u32 << 30)),
            report.source_bytes_read as f64 / bytes,
            report.detached
        );
    }
}
