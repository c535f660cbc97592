//! Hostile user and file input: address strings, state files and images. Parsing never
//! panics, and a state that passes validation never makes the drive panic, however
//! extreme its numbers.

use std::path::Path;

use discburn_mmc::clock::SimClock;
use discburn_vdrive::image::{parse_state, state_path, Image};
use discburn_vdrive::media::format_options;
use discburn_vdrive::model::{DiscState, Track, STATE_VERSION};
use discburn_vdrive::testing_probe::probe;
use discburn_vdrive::{Fault, Media, SpeedRequest, VdriveError, VirtualDrive, VirtualDriveConfig};
use proptest::prelude::*;

/// A value from the interesting ends of `u32` or a small one.
fn num() -> impl Strategy<Value = u32> {
    prop_oneof![
        0u32..2000,
        Just(u32::MAX),
        (u32::MAX - 2000)..=u32::MAX,
        Just(1 << 31),
        any::<u32>(),
    ]
}

fn track() -> impl Strategy<Value = (u32, u32, Option<u32>, u32, bool, bool, u32)> {
    (
        num(),
        num(),
        prop::option::of(num()),
        num(),
        any::<bool>(),
        any::<bool>(),
        0u32..3,
    )
}

prop_compose! {
    /// States that are mostly well formed (numbered tracks, sessions in order) with
    /// arbitrary sizes, addresses and capacity, so that many pass validation.
    fn disc_state()(
        media in prop::sample::select(Media::all().to_vec()),
        capacity in num(),
        format in any::<prop::sample::Index>(),
        formatted in any::<bool>(),
        finalized in any::<bool>(),
        closed_sessions in prop_oneof![0u32..4, num()],
        tracks in prop::collection::vec(track(), 0..5),
        renumber in any::<bool>(),
        slot in prop_oneof![Just(2048u32), Just(2352), num()],
    ) -> DiscState {
        let options = format_options(media);
        let mut session = 1;
        let mut prev_end = 0u32;
        let tracks = tracks
            .into_iter()
            .enumerate()
            .map(|(i, (gap, len, reserved, number, closed, audio, next_session))| {
                session += next_session.min(1);
                let start = prev_end.saturating_add(gap);
                prev_end = start.saturating_add(len);
                Track {
                    number: if renumber { number } else { i as u32 + 1 },
                    session,
                    start,
                    reserved,
                    written: len,
                    closed,
                    damaged: false,
                    audio,
                }
            })
            .collect();
        DiscState {
            version: STATE_VERSION,
            media,
            capacity,
            format: (formatted && !options.is_empty()).then(|| *format.get(&options)),
            finalized,
            closed_sessions,
            tracks,
            slot,
            // Any flag, on any medium: only a formatted BD-R acts on it.
            pseudo_overwrite: formatted,
            // Any length, whole packs or not: the loader checks it.
            cd_text: (0..(capacity % 64) as u8).collect(),
            mcn: (capacity % 3 == 0).then(|| format!("{:013}", capacity % 10_000)),
            isrc: Default::default(),
            // A code of any shape, on any medium: the loader checks it against the medium.
            media_id: (capacity % 5 == 0).then(|| discburn_vdrive::MediaId::Code {
                manufacturer: format!("M{}", capacity % 1_000_000_000),
                media_type: "T1".into(),
                revision: (capacity % 256) as u8,
            }),
            // Any Layer 0 capacity on any medium: the loader checks it.
            layer0: (capacity % 7 == 0).then_some(capacity / 2),
        }
    }
}

/// Saves `state` beside a fresh image and opens a drive over it, as a reopen would.
fn open_with_state(dir: &Path, state: &DiscState) -> Result<VirtualDrive, VdriveError> {
    let path = dir.join("disc.img");
    {
        let (img, _) = Image::open(&path).unwrap();
        img.save_state(state).unwrap();
    }
    let (_sim, clock) = SimClock::shared();
    VirtualDriveConfig::new(&path, Media::DvdPlusR)
        .buffer(64 << 10)
        .open(clock)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_state_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_state(&bytes);
    }

    #[test]
    fn states_that_validate_never_panic_the_drive(state in disc_state()) {
        let dir = tempfile::tempdir().unwrap();
        let valid = state.validate();
        let json = serde_json::to_vec(&state).unwrap();
        prop_assert_eq!(parse_state(&json).is_ok(), valid.is_ok());
        match open_with_state(dir.path(), &state) {
            Err(e) => {
                prop_assert!(valid.is_err(), "valid state refused: {e}");
                prop_assert!(matches!(e, VdriveError::BadState(_)), "{e}");
            }
            Ok(mut drive) => {
                prop_assert!(valid.is_ok());
                probe(&mut drive, &state);
                drop(drive);
                // Whatever the commands did, the state saved on close reads back.
                let bytes = std::fs::read(state_path(&dir.path().join("disc.img"))).unwrap();
                let back = parse_state(&bytes);
                prop_assert!(back.is_ok(), "{:?}", back);
            }
        }
    }

    #[test]
    fn arbitrary_addresses_never_panic(
        tail in prop_oneof![
            ".{0,80}",
            "[a-z/._]{1,8}\\?((media|speed|buffer|full|throttle|fault)=[-a-z0-9.:,xKMGiB]{0,16}&?){0,4}",
        ],
    ) {
        for address in [tail.clone(), format!("virtual:{tail}")] {
            if let Ok(cfg) = VirtualDriveConfig::parse(&address) {
                prop_assert!((64 << 10..=1 << 30).contains(&cfg.buffer), "{}", cfg.buffer);
                if let SpeedRequest::X(x) = cfg.speed {
                    prop_assert!(x.is_finite() && x > 0.0);
                }
                for f in &cfg.faults {
                    if let Fault::MediumError(r) | Fault::Corrupt(r) = f {
                        prop_assert!(r.start() <= r.end());
                    }
                }
            }
        }
    }

    #[test]
    fn sizes_and_speeds_with_any_digits(n in any::<u64>(), unit in "(|B|K|k|M|m|KiB|MiB|GiB)", x in any::<f64>()) {
        let cfg = VirtualDriveConfig::parse(&format!("virtual:a?buffer={n}{unit}"));
        if let Ok(cfg) = cfg {
            prop_assert!((64 << 10..=1 << 30).contains(&cfg.buffer));
        }
        let cfg = VirtualDriveConfig::parse(&format!("virtual:a?speed={x}x"));
        prop_assert_eq!(cfg.is_ok(), x.is_finite() && x > 0.0);
    }
}

#[test]
fn image_larger_than_any_disc_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.iso");
    // Sparse: one byte past 2^31 sectors of 2048 bytes (MAX_CAPACITY).
    let f = std::fs::File::create(&path).unwrap();
    if let Err(e) = f.set_len((1 << 42) + 1) {
        eprintln!("skipped: this file system refuses a 4 TiB sparse file ({e})");
        return;
    }
    let (_sim, clock) = SimClock::shared();
    let e = VirtualDriveConfig::new(&path, Media::DvdPlusR)
        .open(clock)
        .unwrap_err();
    assert!(
        matches!(&e, VdriveError::Io(m) if m.contains("larger than any disc")),
        "{e}"
    );
}
