//! Conformance of the whole `discburn` command against a third-party recorder: tgt's MMC
//! drive over iSCSI (an empty backing file is a blank DVD+R; CLOSE turns it into a
//! finalized DVD-ROM — see shared/peers.md). Every test runs its own private tgtd on
//! 127.0.0.1 through the `discburn_iscsi::testing` harness; a missing tgtd fails the test
//! with instructions (scripts/test installs Debian's tgt).
//!
//! The image burned is a real ISO 9660 + Joliet + Rock Ridge image mastered by the
//! project's own folder burning ([`discburn::iso::FolderImage`]), and the checks compare
//! bytes: what lands in tgt's backing file, what the virtual recorder stores, and the image.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use discburn::iso::{FolderImage, IsoSettings};
use discburn::mmc::sense::SenseClass;
use discburn_iscsi::testing::Tgt;
use serde_json::Value;

mod common;
use common::{
    assert_contains, assert_phases, exits, json_lines, stderr, stdout, succeeds, wait_bounded,
};

const SECTOR: usize = 2048;

/// Recording time of the test images: fixed, so the same folder always masters to the
/// same bytes.
const EPOCH: i64 = 1_700_000_000;

/// Upper bound for anything the tests wait for (tgt has no timing model: every step
/// here takes milliseconds; this only keeps a broken run from hanging).
const DEADLINE: Duration = Duration::from_secs(20);

/// The binary with a fixed recording time (the same folder masters to the same bytes)
/// and a bound on how long it may run.
fn discburn(addr: &str) -> Command {
    let mut c = common::discburn(addr);
    c.env("SOURCE_DATE_EPOCH", EPOCH.to_string())
        .timeout(DEADLINE);
    c
}

fn info(addr: &str) -> Value {
    common::info_from(discburn(addr))
}

/// A folder of nested directories, long and non-ASCII names, an empty file and a few
/// MiB of distinct data (`mib` MiB in total, roughly).
fn tree(root: &Path, mib: usize) {
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("readme.txt".into(), b"burned to tgt over iSCSI\n".to_vec()),
        ("empty".into(), Vec::new()),
        ("a/b/c/d/e/f/g/deep.bin".into(), vec![0x5A; 3000]),
        (
            "Ünïcödé/a name longer than sixty-four characters, which needs Rock Ridge.dat".into(),
            (0..10_000u32).map(|i| (i % 251) as u8).collect(),
        ),
        (
            "Ünïcödé/日本語.txt".into(),
            "こんにちは".as_bytes().to_vec(),
        ),
    ];
    for i in 0..mib {
        // Every 4-byte word distinct across files, so a misplaced sector shows.
        let data: Vec<u8> = (0..(1u32 << 18))
            .flat_map(|w| (w ^ ((i as u32) << 24) ^ 0x9E37_79B9).to_le_bytes())
            .collect();
        files.push((format!("data/part{}/chunk-{i:03}.bin", i % 3), data));
    }
    for (p, data) in files {
        let path = root.join(p);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, data).unwrap();
    }
}

/// Masters `dir` as an ISO image with the library's folder burning and writes it to
/// `out`; returns its bytes.
fn master(dir: &Path, out: &Path) -> Vec<u8> {
    let settings = IsoSettings {
        volume_id: Some("TGT_TEST".into()),
        time: Some(EPOCH),
        ..IsoSettings::default()
    };
    let image = FolderImage::from_dir(dir, &settings).unwrap();
    let size = image.size();
    let mut bytes = Vec::new();
    image.stream().read_to_end(&mut bytes).unwrap();
    assert_eq!(bytes.len() as u64, size);
    assert_eq!(bytes.len() % SECTOR, 0);
    // An ISO 9660 primary volume descriptor at sector 16.
    assert_eq!(&bytes[16 * SECTOR..16 * SECTOR + 6], b"\x01CD001");
    fs::write(out, &bytes).unwrap();
    bytes
}

/// A mastered image of about `mib` MiB in `dir`.
fn iso(dir: &Path, mib: usize) -> (PathBuf, Vec<u8>) {
    let src = dir.join("folder");
    tree(&src, mib);
    let path = dir.join("image.iso");
    let bytes = master(&src, &path);
    (path, bytes)
}

/// The first index where `a` and `b` differ, as a sector number, for messages.
fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    a.iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .or((a.len() != b.len()).then_some(a.len().min(b.len())))
        .map(|i| i / SECTOR)
}

/// Asserts that tgt's backing file `disc` holds `want` byte for byte, naming the first
/// sector that differs.
fn assert_same_bytes(disc: &[u8], want: &[u8]) {
    assert!(
        disc == want,
        "tgt holds {} bytes, the image is {} bytes; first difference at sector {:?}",
        disc.len(),
        want.len(),
        first_difference(disc, want)
    );
}

/// The write → synchronise → close scenario on the drive at `addr`: a finalizing burn
/// with read-back verify, the disc reported complete, a second write refused (exit 4,
/// naming the closed disc), and a standalone verify. Returns the medium after the burn.
fn burn_close_and_refuse(addr: &str, image: &Path, sectors: u64) -> Value {
    let blank = info(addr);
    assert_eq!(blank["medium"]["profile"], "DVD+R", "{blank}");
    assert_eq!(blank["medium"]["status"], "blank", "{blank}");

    let out = succeeds(
        discburn(addr)
            .args(["--json", "write", "--close", "--verify"])
            .arg(image),
    );
    let lines = json_lines(&out);
    assert_phases(
        &lines,
        &[
            "validating-media",
            "writing-data",
            "synchronizing-cache",
            "finalizing",
            "verifying",
            "completed",
        ],
    );
    let last = lines.iter().rfind(|v| v["event"] == "write").unwrap();
    assert_eq!(last["phase"], "finished", "{last}");
    assert_eq!(last["start_lba"], 0, "{last}");
    assert_eq!(last["sector_count"], sectors, "{last}");
    assert_eq!(last["last_written_lba"], sectors - 1, "{last}");
    let result = lines.iter().find(|v| v["event"] == "result").unwrap();
    assert_eq!(result["sectors"], sectors, "{result}");
    assert_eq!(result["start_lba"], 0, "{result}");
    assert_eq!(result["closing"], "disc", "{result}");
    assert_eq!(result["verify"]["ok"], true, "{result}");
    assert_eq!(result["verify"]["sectors"], sectors, "{result}");
    assert_eq!(result["medium_after"]["status"], "closed", "{result}");

    // A fresh session sees a complete disc.
    let after = info(addr)["medium"].clone();
    assert_eq!(after["status"], "closed", "{after}");

    // A second write is refused before any WRITE: medium unsuitable, exit code 4, in
    // words that fit what the drive reports. A drive that keeps the recordable profile
    // (as real recorders do) shows a closed DVD+R; one that reports the finalized disc
    // as DVD-ROM (tgt; some real drives too) shows a read-only disc.
    let rom = after["profile"] == "DVD-ROM";
    let (words, hresult) = if rom {
        // E_IMAPI_DF2DATA_MEDIA_IS_NOT_SUPPORTED
        ("The DVD-ROM in the drive cannot be written", "0xC0AA0406")
    } else {
        // E_IMAPI_DF2DATA_INVALID_MEDIA_STATE
        (
            "The DVD+R in the drive is closed (finalized): nothing more can be written",
            "0xC0AA0402",
        )
    };
    let out = exits(discburn(addr).arg("write").arg(image), 4);
    let err = stderr(&out);
    assert!(err.contains(words), "{err}");
    let out = exits(discburn(addr).args(["--json", "write"]).arg(image), 4);
    let error = json_lines(&out)
        .into_iter()
        .find(|v| v["event"] == "error")
        .unwrap();
    assert_eq!(error["exit_code"], 4, "{error}");
    assert_eq!(error["hresult"], hresult, "{error}");

    // A standalone verify reads the finalized disc back.
    succeeds(discburn(addr).arg("verify").arg(image));
    after
}

#[test]
fn iso_burned_to_tgt_is_byte_identical_closed_and_refuses_more() {
    let dir = tempfile::tempdir().unwrap();
    let (image, bytes) = iso(dir.path(), 4);
    let sectors = (bytes.len() / SECTOR) as u64;
    let tgt = Tgt::start();
    let after = burn_close_and_refuse(&tgt.url(), &image, sectors);
    // tgt's CLOSE morphs the DVD+R into a finalized DVD-ROM (profile 0010h).
    assert_eq!(after["profile"], "DVD-ROM", "{after}");
    let disc = tgt.image_bytes();
    assert_same_bytes(&disc, &bytes);
}

#[test]
fn virtual_dvd_plus_r_and_tgt_hold_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (image, bytes) = iso(dir.path(), 3);
    let sectors = (bytes.len() / SECTOR) as u64;
    let vdisc = dir.path().join("vdisc.img");
    let vaddr = format!("virtual:{}?media=dvd+r&throttle=off", vdisc.display());
    let vafter = burn_close_and_refuse(&vaddr, &image, sectors);
    // A real recorder keeps the recordable profile of a finalized disc.
    assert_eq!(vafter["profile"], "DVD+R", "{vafter}");

    let tgt = Tgt::start();
    burn_close_and_refuse(&tgt.url(), &image, sectors);

    let virt = fs::read(&vdisc).unwrap();
    let real = tgt.image_bytes();
    assert_eq!(
        real.len(),
        bytes.len(),
        "tgt stores exactly what was written"
    );
    assert!(
        virt.len() >= bytes.len(),
        "the virtual disc holds {} bytes",
        virt.len()
    );
    assert!(
        virt[..bytes.len()] == real[..],
        "virtual and tgt discs differ from sector {:?}",
        first_difference(&virt[..bytes.len()], &real)
    );
    eprintln!(
        "image {} bytes; tgt file {} bytes; virtual disc file {} bytes",
        bytes.len(),
        real.len(),
        virt.len()
    );
    assert!(
        virt[bytes.len()..].iter().all(|&b| b == 0),
        "the virtual disc stores only zeros past the image ({} bytes)",
        virt.len() - bytes.len()
    );
}

#[test]
fn folder_burned_to_tgt_is_the_mastered_image() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("TGT_TEST");
    tree(&src, 2);
    let want = master(&src, &dir.path().join("reference.iso"));
    let tgt = Tgt::start();
    // The CLI masters the folder while writing; SOURCE_DATE_EPOCH fixes its time.
    succeeds(
        discburn(&tgt.url())
            .args(["write", "--plain", "--volume-id", "TGT_TEST"])
            .arg(&src),
    );
    let disc = tgt.image_bytes();
    assert_same_bytes(&disc, &want);
    assert_eq!(info(&tgt.url())["medium"]["status"], "closed");
}

#[test]
fn info_and_speeds_show_tgt() {
    let tgt = Tgt::start();
    let url = tgt.url();
    let v = info(&url);
    assert_eq!(v["address"], url.as_str(), "{v}");
    assert_eq!(v["vendor"], "IET", "{v}");
    assert!(!v["product"].as_str().unwrap().is_empty(), "{v}");
    let profiles: Vec<&str> = v["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        profiles.contains(&"DVD+R") && profiles.contains(&"DVD-ROM"),
        "{profiles:?}"
    );
    let m = &v["medium"];
    assert_eq!(m["profile"], "DVD+R", "{m}");
    assert_eq!(m["status"], "blank", "{m}");
    assert_eq!(m["recording"], "Sequential", "{m}");
    assert_eq!(m["next_writable"], 0, "{m}");
    assert_eq!(m["free_sectors"], 2_295_104, "{m}");

    let out = succeeds(discburn(&url).arg("info"));
    let text = stdout(&out);
    assert_contains(&text, &["IET", "Medium   DVD+R — blank"]);

    let out = succeeds(discburn(&url).args(["speeds", "--json"]));
    let speeds = json_lines(&out);
    assert!(!speeds.is_empty(), "tgt lists GET PERFORMANCE speeds");
    for s in &speeds {
        assert_eq!(s["event"], "speed", "{s}");
        assert!(s["kilobytes_per_second"].as_u64().unwrap() > 0, "{s}");
        // The multiple of 1x needs the medium's family: the drive's profile was read
        // (the login's unit attention did not swallow the first GET CONFIGURATION).
        assert!(s["multiple"].as_f64().is_some_and(|x| x > 0.0), "{s}");
    }
    let out = succeeds(discburn(&url).arg("speeds"));
    assert!(stdout(&out).contains("kB/s"), "{}", stdout(&out));
}

/// A TCP forwarder on 127.0.0.1 between the CLI and tgtd that stops passing the
/// initiator's bytes once `pause_at` bytes went through, until released; after release
/// it passes them on at a bounded pace. That holds a write in the middle for as long as
/// the test needs, whatever the machine's speed.
struct Gate {
    state: Mutex<GateState>,
    changed: Condvar,
}

#[derive(Default)]
struct GateState {
    forwarded: u64,
    pause_at: u64,
    paused: bool,
    released: bool,
}

impl Gate {
    /// Blocks the pump while the gate is closed; returns when it may send more.
    fn pass(&self, n: usize) {
        let mut s = self.state.lock().unwrap();
        if !s.released && s.forwarded >= s.pause_at {
            s.paused = true;
            self.changed.notify_all();
            let start = Instant::now();
            while !s.released && start.elapsed() < DEADLINE {
                s = self.changed.wait_timeout(s, DEADLINE).unwrap().0;
            }
        }
        s.forwarded += n as u64;
    }

    /// Waits (bounded) until the pump has stopped at the pause point.
    fn wait_paused(&self) -> bool {
        let mut s = self.state.lock().unwrap();
        let start = Instant::now();
        while !s.paused && start.elapsed() < DEADLINE {
            s = self.changed.wait_timeout(s, DEADLINE).unwrap().0;
        }
        s.paused
    }

    fn release(&self) {
        self.state.lock().unwrap().released = true;
        self.changed.notify_all();
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream, gate: Option<Arc<Gate>>) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if let Some(g) = &gate {
            g.pass(n);
            if g.state.lock().unwrap().released {
                // Paced after release (about 32 MB/s): the cancel the test sent has
                // far more time to land than it needs.
                std::thread::sleep(Duration::from_micros(2000));
            }
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
    let _ = from.shutdown(Shutdown::Read);
}

/// Starts the forwarder for one connection to `target_port`; returns its port.
fn gated_proxy(target_port: u16, gate: Arc<Gate>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let Ok((client, _)) = listener.accept() else {
            return;
        };
        let Ok(target) = TcpStream::connect(("127.0.0.1", target_port)) else {
            return;
        };
        let _ = client.set_nodelay(true);
        let _ = target.set_nodelay(true);
        let (c2, t2) = (client.try_clone().unwrap(), target.try_clone().unwrap());
        std::thread::spawn(move || pump(t2, c2, None));
        pump(client, target, Some(gate));
    });
    port
}

#[test]
fn cancel_in_the_middle_leaves_tgt_usable() {
    let dir = tempfile::tempdir().unwrap();
    // 64 MiB of distinct sectors.
    let sectors = 32 * 1024usize;
    let data: Vec<u8> = (0..sectors * SECTOR / 4)
        .flat_map(|w| (w as u32 ^ 0xA5A5_0000).to_le_bytes())
        .collect();
    let image = dir.path().join("big.iso");
    fs::write(&image, &data).unwrap();

    let tgt = Tgt::start();
    let gate = Arc::new(Gate {
        state: Mutex::new(GateState {
            pause_at: 16 << 20,
            ..GateState::default()
        }),
        changed: Condvar::new(),
    });
    let port = gated_proxy(tgt.port(), Arc::clone(&gate));
    let via_proxy = format!("iscsi://127.0.0.1:{port}/{}/1", tgt.iqn());

    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("discburn"))
        .args(["--drive", &via_proxy, "--json", "write", "--close"])
        .arg(&image)
        .env_remove("DISCBURN_DRIVE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read stdout on a thread so the CLI never blocks on a full pipe.
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<String>>()
    });
    let paused = gate.wait_paused();
    if paused {
        // Ctrl-C while 16 MiB have gone to the target and the rest is held.
        let pid = rustix::process::Pid::from_child(&child);
        rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
    }
    gate.release();
    let status = wait_bounded(&mut child, DEADLINE);
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let lines: Vec<Value> = reader
        .join()
        .unwrap()
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(
        paused,
        "the write never reached 16 MiB ({status:?}): {err}\n{lines:?}"
    );
    let status = status.expect("the CLI did not stop after Ctrl-C");
    assert_eq!(status.code(), Some(8), "{err}\n{lines:?}");
    let error = lines.iter().find(|v| v["event"] == "error").unwrap();
    assert_eq!(error["exit_code"], 8, "{error}");
    let last = lines.iter().rfind(|v| v["event"] == "write").unwrap();
    assert_eq!(last["phase"], "cancelled", "{last}");
    let last_lba = last["last_written_lba"].as_i64().unwrap();
    eprintln!("cancelled: last written LBA {last_lba}; {error}");
    assert!(
        last_lba >= 0 && (last_lba as usize) < sectors - 1,
        "stopped in the middle: {last}"
    );
    // The error itself names the last LBA the drive holds, as the progress event does.
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains(&format!("up to LBA {last_lba}"))),
        "{error}"
    );

    // Everything the CLI counted as written is on tgt's disc, byte for byte.
    let disc = tgt.image_bytes();
    let done = (last_lba as usize + 1) * SECTOR;
    assert!(disc.len() >= done, "tgt holds {} bytes", disc.len());
    assert!(
        disc[..done] == data[..done],
        "differs from sector {:?}",
        first_difference(&disc[..done], &data[..done])
    );
    eprintln!(
        "tgt's file after cancel: {} bytes ({} sectors), {} past the last LBA reported",
        disc.len(),
        disc.len() / SECTOR,
        disc.len() / SECTOR - (last_lba as usize + 1)
    );

    // A new session to the same LUN works: TEST UNIT READY (a drive still flushing
    // after the cancel's SYNCHRONIZE CACHE with Immed may say "becoming ready" for a
    // while: poll, bounded), then `discburn info`.
    let rec = discburn::open(&tgt.url()).unwrap();
    let tur_start = Instant::now();
    let mut not_ready = 0;
    while let Err(e) = rec.test_unit_ready() {
        let becoming_ready = e.sense_class().is_some_and(SenseClass::is_retryable_wait);
        assert!(becoming_ready, "TEST UNIT READY after the cancel: {e}");
        assert!(tur_start.elapsed() < DEADLINE, "never ready: {e}");
        not_ready += 1;
        std::thread::sleep(Duration::from_millis(10));
    }
    eprintln!("TEST UNIT READY: GOOD after {not_ready} not-ready answers");
    drop(rec);
    // tgt keeps no track state: the disc still reads as a blank DVD+R with the NWA at 0
    // (a real drive would show an open, partly written track and its NWA).
    let m = info(&tgt.url())["medium"].clone();
    eprintln!("after cancel: {m}");
    assert_eq!(m["profile"], "DVD+R", "{m}");
    assert_ne!(
        m["status"], "closed",
        "a cancelled burn does not close: {m}"
    );

    // The disc is still writable as the drive reports it: a full burn succeeds and
    // finalizes.
    let small = dir.path().join("small.iso");
    fs::write(&small, &data[..1024 * SECTOR]).unwrap();
    succeeds(
        discburn(&tgt.url())
            .args(["write", "--close", "--verify"])
            .arg(&small),
    );
    assert_eq!(info(&tgt.url())["medium"]["status"], "closed");
}
