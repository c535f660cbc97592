//! Hostile state files and images. Mode byte 0: the rest is the state file's bytes
//! (JSON). Mode 1: a state built from the bytes (any numbers, mostly well-formed
//! structure) and saved as the drive saves it. Mode 2: a foreign image of arbitrary
//! (sparse) length without a state file. Opening either fails with a typed error or
//! gives a drive that then survives reading every track, writing and closing at the NWA.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use discburn_mmc::clock::SimClock;
use discburn_vdrive::image::{parse_state, state_path, Image};
use discburn_vdrive::media::format_options;
use discburn_vdrive::model::{DiscState, Track, STATE_VERSION};
use discburn_vdrive::testing_probe;
use discburn_vdrive::{Media, VdriveError, VirtualDriveConfig};
use libfuzzer_sys::fuzz_target;

static RUN: AtomicU64 = AtomicU64::new(0);

struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        let Some((&b, rest)) = self.0.split_first() else {
            return 0;
        };
        self.0 = rest;
        b
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
}

fn built_state(b: &mut Bytes<'_>) -> DiscState {
    let media = Media::all()[usize::from(b.u8()) % Media::all().len()];
    let options = format_options(media);
    let flags = b.u8();
    let capacity = b.u32();
    let closed_sessions = u32::from(b.u8() % 8);
    let n = usize::from(b.u8() % 8);
    let mut session = 1;
    let mut tracks = Vec::new();
    for i in 0..n {
        let f = b.u8();
        session += u32::from(f & 1);
        tracks.push(Track {
            number: if flags & 0x80 != 0 {
                b.u32()
            } else {
                i as u32 + 1
            },
            session,
            start: b.u32(),
            reserved: (f & 2 != 0).then(|| b.u32()),
            written: b.u32(),
            closed: f & 4 != 0,
            damaged: f & 8 != 0,
            audio: f & 16 != 0,
        });
    }
    DiscState {
        version: STATE_VERSION,
        media,
        capacity,
        format: (flags & 1 != 0 && !options.is_empty())
            .then(|| options[usize::from(flags >> 1) % options.len()]),
        finalized: flags & 0x40 != 0,
        closed_sessions,
        tracks,
        slot: if flags & 0x20 != 0 { 2352 } else { 2048 },
        pseudo_overwrite: flags & 0x80 != 0,
        // Any CD-Text length (whole packs or not) and codes of any shape: the loader
        // judges them.
        cd_text: (0..b.u8() % 64).collect(),
        mcn: (flags & 0x10 != 0).then(|| format!("{:013}", b.u32())),
        isrc: (flags & 0x08 != 0)
            .then(|| (1, format!("{:012}", b.u32())))
            .into_iter()
            .collect(),
        // A code of any shape for any medium: the loader judges it.
        media_id: (flags & 0x04 != 0).then(|| discburn_vdrive::MediaId::Code {
            manufacturer: String::from_utf8_lossy(&[b.u8(), b.u8(), b.u8()]).into_owned(),
            media_type: String::from_utf8_lossy(&[b.u8()]).into_owned(),
            revision: b.u8(),
        }),
        // Any Layer 0 capacity on any medium: the loader judges it.
        layer0: (flags & 0x02 != 0).then(|| b.u32()),
    }
}

fn probe(path: &Path) {
    let (_sim, clock) = SimClock::shared();
    let mut drive = match VirtualDriveConfig::new(path, Media::DvdPlusR)
        .buffer(64 << 10)
        .open(clock)
    {
        Ok(d) => d,
        Err(VdriveError::BadState(_) | VdriveError::Io(_)) => return,
        Err(e) => panic!("unexpected error {e}"),
    };
    let disc = drive.disc().clone();
    testing_probe::probe(&mut drive, &disc);
    drop(drive);
    // What the drive saved on close must load again.
    if let Ok(bytes) = std::fs::read(state_path(path)) {
        if let Err(e) = parse_state(&bytes) {
            panic!(
                "the drive's own state file fails to load: {e}\nopened with {disc:?}\nsaved {}",
                String::from_utf8_lossy(&bytes)
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let base = if Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let n = RUN.fetch_add(1, Ordering::Relaxed);
    let path = base.join(format!("vdrive-state-fuzz-{}-{n}.img", std::process::id()));
    let state = state_path(&path);
    match mode % 3 {
        0 => {
            let _ = parse_state(rest);
            std::fs::write(&state, rest).unwrap();
        }
        1 => {
            let st = built_state(&mut Bytes(rest));
            let (img, _) = Image::open(&path).unwrap();
            img.save_state(&st).unwrap();
        }
        _ => {
            let mut b = Bytes(rest);
            let len = u64::from(b.u32()) << (b.u8() % 14);
            let f = std::fs::File::create(&path).unwrap();
            let _ = f.set_len(len);
        }
    }
    probe(&path);
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(&state);
});
