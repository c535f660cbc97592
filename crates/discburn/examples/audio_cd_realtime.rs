//! Burns WAV files (44.1 kHz, 16-bit stereo, canonical 44-byte header) Track-At-Once to a
//! virtual CD-R at a simulated speed in real time, and prints per-track and total wall
//! time, the process's CPU time, and the underruns the drive counted — the figure for a
//! full 74-minute audio CD at 24x.
//!
//! ```sh
//! cargo run --release -p discburn --example audio_cd_realtime -- 24 /dev/shm/disc.img t*.wav
//! ```

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::sync::Arc;
use std::time::Instant;

use discburn::burn::TrackAtOnce;
use discburn::mmc::clock::SystemClock;
use discburn::vdrive::VirtualDrive;
use discburn::Recorder;

/// User + system CPU seconds of this process (Linux /proc/self/stat, 100 ticks a second).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let mut args = std::env::args().skip(1);
    let speed: u32 = args
        .next()
        .and_then(|s| s.parse().ok())
        .expect("speed (e.g. 24)");
    let image = args.next().expect("image path");
    let wavs: Vec<String> = args.collect();
    let _ = std::fs::remove_file(&image);
    let _ = std::fs::remove_file(format!("{image}.state"));
    let address = format!("virtual:{image}?media=cd-r&speed={speed}x&buffer=2MiB");
    let clock = SystemClock::shared();
    let drive = VirtualDrive::open(&address, Arc::clone(&clock)).expect("virtual drive");
    let control = drive.control();
    let rec = Arc::new(Recorder::new(Box::new(drive), address.as_str(), clock));
    let mut tao = TrackAtOnce::new(rec).expect("writer");
    let started = Instant::now();
    let cpu0 = cpu_seconds();
    tao.prepare_media().expect("prepare");
    let mut sectors = 0u64;
    for w in &wavs {
        let mut f = BufReader::new(File::open(w).expect("wav"));
        let mut hdr = [0u8; 44];
        f.read_exact(&mut hdr).expect("header");
        assert_eq!(&hdr[36..40], b"data", "{w}: canonical WAV expected");
        let bytes = u64::from(u32::from_le_bytes([hdr[40], hdr[41], hdr[42], hdr[43]]));
        f.seek(SeekFrom::Start(44)).unwrap();
        let t0 = Instant::now();
        let t = tao.add_audio_track(f, bytes).expect("track");
        sectors += u64::from(t.sectors);
        println!(
            "track {:>2}: {} sectors at LBA {:>6} in {:.1} s",
            t.number,
            t.sectors,
            t.start,
            t0.elapsed().as_secs_f64()
        );
    }
    tao.release_media().expect("release");
    let wall = started.elapsed().as_secs_f64();
    let stats = control.stats();
    println!(
        "{} tracks, {} sectors ({:.1} min of audio) at {speed}x: wall {wall:.1} s (ideal {:.1} s), CPU {:.1} s, underruns counted by the drive: {}",
        wavs.len(),
        sectors,
        sectors as f64 / 75.0 / 60.0,
        sectors as f64 / (75.0 * f64::from(speed)),
        cpu_seconds() - cpu0,
        stats.underruns
    );
}
