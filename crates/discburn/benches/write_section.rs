//! `write_section` into the virtual recorder.
//!
//! 1. Unthrottled (infinite drive speed): the engine's own pipeline cost — MB/s (criterion
//!    throughput) and process CPU time per GiB (from /proc/self/stat, all threads).
//! 2. Throttled, real clock: BD-R at the drive's fastest offered speed with a source that
//!    stalls 20 ms every 100 ms — achieved ÷ nominal rate and drive underruns. A few
//!    seconds; printed once before the criterion runs.
//! 3. Over iSCSI to a private tgt (image on /dev/shm): MB/s with one WRITE at a time and
//!    with the initiator's pipelining (`max_in_flight` 32 by default). Skipped without tgtd.
//! 4. The same over iSCSI to our own target (`discburn serve`'s server, one unthrottled
//!    virtual BD-R on /dev/shm), next to tgt's figures.
//!
//! Run: `cargo bench -p discburn --bench write_section`
#![allow(missing_docs)] // criterion_group! generates an undocumented fn

use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion, Throughput};
use discburn::mmc::clock::{SharedClock, SystemClock};
use discburn::mmc::transport::Transport;
use discburn::{Recorder, WriteEngine};
use discburn_vdrive::media::Media;
use discburn_vdrive::VirtualDriveConfig;

const SECTORS: u32 = 32 * 1024; // 64 MiB per section

fn recorder(
    dir: &std::path::Path,
    name: &str,
    cfg: impl FnOnce(VirtualDriveConfig) -> VirtualDriveConfig,
    clock: SharedClock,
) -> (Arc<Recorder>, discburn_vdrive::control::DriveControl) {
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(path.with_extension("img.state"));
    let drive = cfg(VirtualDriveConfig::new(&path, Media::BdR))
        .open(Arc::clone(&clock))
        .unwrap();
    let control = drive.control();
    let r = Recorder::new(
        Box::new(drive),
        format!("virtual:{}", path.display()),
        clock,
    );
    (Arc::new(r), control)
}

/// Process CPU time (user + system, all threads) from /proc/self/stat, in seconds.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of the full line (utime, stime) are 11 and 12 after the name.
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0) // USER_HZ is 100 on Linux
}

/// A source of zero-cost bytes (a repeating pattern), `len` bytes long.
struct Pattern {
    left: usize,
}

impl Read for Pattern {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.left);
        buf[..n].fill(0x5A);
        self.left -= n;
        Ok(n)
    }
}

/// Writes `sectors` of [`Pattern`] as one section from LBA 0; it must succeed.
fn write_pattern(e: &WriteEngine, sectors: u32) {
    e.write_section(
        Pattern {
            left: sectors as usize * 2048,
        },
        0,
        sectors as i32,
    )
    .unwrap();
}

/// A source that stalls `stall` every `period` of wall time.
struct Stalling {
    left: usize,
    period: Duration,
    stall: Duration,
    next: Instant,
}

impl Read for Stalling {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if Instant::now() >= self.next {
            std::thread::sleep(self.stall);
            self.next = Instant::now() + self.period;
        }
        let n = buf.len().min(self.left).min(256 * 1024);
        buf[..n].fill(0xA5);
        self.left -= n;
        Ok(n)
    }
}

fn unthrottled_figures(dir: &std::path::Path) {
    let clock = SystemClock::shared();
    let rounds = 8; // 512 MiB
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    for i in 0..rounds {
        let (rec, _) = recorder(
            dir,
            &format!("u{i}.img"),
            |c| c.unthrottled(),
            Arc::clone(&clock),
        );
        let e = WriteEngine::with_recorder(rec, 2048).unwrap();
        write_pattern(&e, SECTORS);
        let _ = std::fs::remove_file(dir.join(format!("u{i}.img")));
    }
    let wall = t0.elapsed().as_secs_f64();
    let bytes = f64::from(SECTORS) * 2048.0 * f64::from(rounds);
    let gib = bytes / f64::from(1u32 << 30);
    let cpu = cpu0.zip(cpu_seconds()).map(|(a, b)| b - a);
    println!(
        "unthrottled: {:.0} MB/s over {:.0} MiB; CPU {} per GiB",
        bytes / wall / 1e6,
        bytes / 1048576.0,
        cpu.map_or("n/a".into(), |c| format!("{:.2} s", c / gib)),
    );
}

fn throttled_figures(dir: &std::path::Path) {
    let clock = SystemClock::shared();
    let (rec, control) = recorder(dir, "t.img", |c| c, Arc::clone(&clock));
    let top = rec.write_speeds().unwrap()[0];
    rec.set_write_speed(top.sectors_per_second as i32, top.pure_cav)
        .unwrap();
    // About 3 s of writing at the drive's top speed; the nominal time for the LBAs written
    // follows the drive's own GET PERFORMANCE profile (a CAV speed is reached only at the
    // outer edge, so the inner LBAs written here are slower).
    let sectors = (f64::from(top.sectors_per_second) * 3.0) as u32 / 32 * 32;
    let (a, b) = rec
        .nominal_write_rate(
            Some(discburn::mmc::profile::MediaFamily::Bd),
            0,
            i64::from(sectors) - 1,
        )
        .unwrap()
        .unwrap();
    let nominal = discburn::RateModel::new(0, u64::from(sectors), Some(a), Some(b))
        .time_for(0, i64::from(sectors))
        .unwrap()
        .as_secs_f64();
    let nominal_sps = f64::from(sectors) / nominal;
    let e = WriteEngine::with_recorder(Arc::clone(&rec), 2048).unwrap();
    let src = Stalling {
        left: sectors as usize * 2048,
        period: Duration::from_millis(100),
        stall: Duration::from_millis(20),
        next: Instant::now() + Duration::from_millis(100),
    };
    let t0 = Instant::now();
    let last = e.write_section(src, 0, sectors as i32).unwrap();
    let wall = t0.elapsed().as_secs_f64();
    let s = control.stats();
    println!(
        "throttled BD-R {:.1}x ({}): {} sectors in {:.2} s = {:.0} sectors/s, {:.3} of nominal {:.0} (profile {:.0}..{:.0}); underruns {}; device busy {}",
        top.multiple.unwrap_or(0.0),
        if top.pure_cav { "CAV" } else { "CLV" },
        sectors,
        wall,
        f64::from(sectors) / wall,
        f64::from(sectors) / wall / nominal_sps,
        nominal_sps,
        a,
        b,
        s.underruns,
        last.device_busy_count,
    );
}

fn tgt_figures() {
    use discburn_iscsi::testing::{Tgt, TgtOptions};
    for in_flight in [1usize, 8] {
        let shm = std::path::Path::new("/dev/shm");
        let tgt = match Tgt::start_with(TgtOptions {
            dir: shm.is_dir().then(|| {
                shm.join(format!(
                    "discburn-ws-bench-{}-{in_flight}",
                    std::process::id()
                ))
            }),
            ..TgtOptions::default()
        }) {
            Ok(t) => t,
            Err(e) => {
                println!("tgt: skipped ({e})");
                return;
            }
        };
        iscsi_figure("tgt (/dev/shm, DVD+R)", &tgt.url(), in_flight);
    }
}

/// Writes 128 MiB over iSCSI to `url` and prints the rate.
fn iscsi_figure(label: &str, url: &str, in_flight: usize) {
    use discburn_iscsi::{IscsiOptions, IscsiTransport, IscsiUrl};
    let sectors: u32 = 64 * 1024; // 128 MiB
    let options = IscsiOptions {
        max_in_flight: in_flight,
        ..IscsiOptions::default()
    };
    let mut t = IscsiTransport::connect(IscsiUrl::parse(url).unwrap(), options)
        .unwrap_or_else(|e| panic!("login to {label}: {e}"));
    // tgt opens its CmdSN window after the first command; the Recorder reads the
    // transport's limits once, when it is made.
    let _ = t.execute(discburn::mmc::transport::Request::none(
        &[0; 6],
        Duration::from_secs(5),
    ));
    let rec = Arc::new(Recorder::new(Box::new(t), url, SystemClock::shared()));
    let _ = rec.test_unit_ready();
    let limits = rec.limits();
    let e = WriteEngine::with_recorder(Arc::clone(&rec), 2048).unwrap();
    let t0 = Instant::now();
    write_pattern(&e, sectors);
    let wall = t0.elapsed().as_secs_f64();
    println!(
        "iSCSI to {label}, max_in_flight {}: {:.0} MB/s over {} MiB ({} KiB transfers)",
        limits.max_in_flight,
        f64::from(sectors) * 2048.0 / wall / 1e6,
        sectors / 512,
        limits.max_transfer / 1024,
    );
}

fn shm_or(dir: &std::path::Path) -> std::path::PathBuf {
    let shm = std::path::Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        dir.to_path_buf()
    }
}

fn serve_figures(dir: &std::path::Path) {
    use discburn_iscsi::target::{Server, ServerConfig};
    for in_flight in [1usize, 8] {
        let img = shm_or(dir).join(format!(
            "discburn-ws-serve-{}-{in_flight}.img",
            std::process::id()
        ));
        let clock = SystemClock::shared();
        let drive = VirtualDriveConfig::new(&img, Media::BdR)
            .unthrottled()
            .open(Arc::clone(&clock))
            .unwrap();
        let server = Server::bind(
            "127.0.0.1:0".parse().unwrap(),
            ServerConfig::new("iqn.2026-12.org.discburn:bench"),
            vec![Box::new(drive)],
        )
        .unwrap();
        let url = server.url(0);
        let stop = server.shutdown_handle();
        let serving = std::thread::spawn(move || server.run());
        iscsi_figure("discburn serve (/dev/shm, virtual BD-R)", &url, in_flight);
        stop.shutdown();
        drop(serving.join());
        let _ = std::fs::remove_file(&img);
        let _ = std::fs::remove_file(img.with_extension("img.state"));
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    unthrottled_figures(dir.path());
    throttled_figures(dir.path());
    tgt_figures();
    serve_figures(dir.path());
    let clock = SystemClock::shared();
    let mut g = c.benchmark_group("write_section");
    g.throughput(Throughput::Bytes(u64::from(SECTORS) * 2048));
    g.sample_size(10);
    g.bench_function("unthrottled_vdrive_64MiB", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let (rec, _) =
                    recorder(dir.path(), "c.img", |c| c.unthrottled(), Arc::clone(&clock));
                let e = WriteEngine::with_recorder(rec, 2048).unwrap();
                let t = Instant::now();
                write_pattern(&e, SECTORS);
                total += t.elapsed();
            }
            total
        })
    });
    g.finish();
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
