//! Arbitrary CDB + data sequences against a virtual drive over a fresh image: the drive
//! must never panic, every CHECK CONDITION must carry parseable sense, and no command may
//! move more bytes than its data phase holds. Time is simulated, so waits cost nothing.
#![no_main]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use discburn_mmc::clock::SimClock;
use discburn_mmc::sense::Sense;
use discburn_mmc::{DataPhase, Request, Transport};
use discburn_vdrive::{Media, VirtualDriveConfig};
use libfuzzer_sys::fuzz_target;

static RUN: AtomicU64 = AtomicU64::new(0);

fuzz_target!(|data: &[u8]| {
    let Some((&m, mut rest)) = data.split_first() else {
        return;
    };
    let media = Media::all()[usize::from(m) % Media::all().len()];
    let base = if std::path::Path::new("/dev/shm").is_dir() {
        std::path::PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let n = RUN.fetch_add(1, Ordering::Relaxed);
    let path = base.join(format!("vdrive-fuzz-{}-{n}.img", std::process::id()));
    let (_sim, clock) = SimClock::shared();
    let cfg = VirtualDriveConfig::new(&path, media).buffer(64 << 10);
    let mut drive = cfg.open(clock).expect("fresh image opens");
    let mut commands = 0;
    while commands < 32 {
        commands += 1;
        let Some((&len, r)) = rest.split_first() else {
            break;
        };
        let len = 6 + usize::from(len) % 11;
        if r.len() < len + 3 {
            break;
        }
        let cdb = &r[..len];
        let dir = r[len];
        let dlen = usize::from(u16::from_be_bytes([r[len + 1], r[len + 2]])) % (64 << 10);
        rest = &r[len + 3..];
        let out_len = dlen.min(rest.len());
        let out = &rest[..out_len];
        let mut inbuf = vec![0u8; dlen];
        let (phase, cap) = match dir % 3 {
            0 => (DataPhase::None, 0),
            1 => (DataPhase::In(&mut inbuf), dlen),
            _ => {
                rest = &rest[out_len..];
                (DataPhase::Out(out), out_len)
            }
        };
        let res = drive.execute(Request {
            cdb,
            data: phase,
            timeout: Duration::from_secs(30),
        });
        if let Ok(c) = res {
            assert!(c.transferred <= cap);
            if !c.is_good() {
                assert!(Sense::parse(&c.sense).is_ok());
            }
        }
    }
    drop(drive);
    let _ = std::fs::remove_file(&path);
    let mut st = path.into_os_string();
    st.push(".state");
    let _ = std::fs::remove_file(st);
});
