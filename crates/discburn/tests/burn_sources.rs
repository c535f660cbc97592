//! The burn workflow's checks of what it writes and where (issue 10): an ISO 9660
//! image addressed from sector 0 is never written at a later address, an image that
//! cannot be read is refused before the medium changes, streams of unknown length,
//! padding, and `verify`'s lengths and transport failures. Virtual recorder, simulated
//! clock.

use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use discburn::burn::{
    self, BurnError, BurnEvent, BurnOptions, Closing, Note, Source, Spare, Unsuitable,
};
use discburn::iso::{FolderImage, IsoSettings};
use discburn::mmc::profile::Profile;
use discburn::mmc::transport::{Request, TransportError};
use discburn::mmc::OpCode;
use discburn::{CancelToken, Recorder};
use discburn_vdrive::DriveControl;

mod common;
use common::{burn_collecting, data, hooked_recorder, stream};

struct Rig {
    dir: tempfile::TempDir,
    rec: Arc<Recorder>,
    control: DriveControl,
    reads_left: Arc<AtomicU32>,
}

fn rig(media: &str) -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let reads_left = Arc::new(AtomicU32::new(u32::MAX));
    let left = Arc::clone(&reads_left);
    // Once `reads_left` READ(12)s went through, every further one fails as a lost
    // connection does (the iSCSI session gone).
    let hook = move |request: &Request<'_>| {
        if request.cdb[0] != u8::from(OpCode::Read12) {
            return None;
        }
        match left.load(Ordering::SeqCst) {
            0 => Some(Err(TransportError::DeviceGone(
                "connection reset by peer".into(),
            ))),
            n => {
                left.store(n - 1, Ordering::SeqCst);
                None
            }
        }
    };
    let (rec, control) = hooked_recorder(dir.path(), &format!("media={media}&throttle=off"), hook);
    Rig {
        dir,
        rec,
        control,
        reads_left,
    }
}

/// A DVD+R with `sectors` of [`data`] from `seed` burnt by default, and those bytes.
fn burnt_dvd_plus_r(sectors: usize, seed: u8) -> (Rig, Vec<u8>) {
    let rig = rig("dvd+r");
    let bytes = data(sectors, seed);
    burn_collecting(&rig.rec, stream(bytes.clone()), &BurnOptions::default())
        .0
        .unwrap();
    (rig, bytes)
}

fn notes(events: &[BurnEvent]) -> Vec<Note> {
    events
        .iter()
        .filter_map(|e| match e {
            BurnEvent::Note(n) => Some(n.clone()),
            _ => None,
        })
        .collect()
}

fn verify(
    rig: &Rig,
    image: &Path,
) -> (Result<discburn::verify::VerifyReport, BurnError>, Vec<Note>) {
    let mut events = Vec::new();
    let r = burn::verify_image(&rig.rec, image, None, &CancelToken::new(), &mut |e| {
        events.push(e.clone())
    });
    (r, notes(&events))
}

/// A plain ISO 9660 image (mastered for sector 0, as `mkisofs -o` makes one) of a
/// folder holding one file.
fn plain_iso(dir: &Path) -> std::path::PathBuf {
    let tree = dir.join("tree");
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(tree.join("hello.txt"), b"hello from session 2\n").unwrap();
    let img = FolderImage::from_dir(&tree, &IsoSettings::default()).unwrap();
    let mut bytes = Vec::new();
    img.stream().read_to_end(&mut bytes).unwrap();
    let path = dir.join("plain.iso");
    std::fs::write(&path, bytes).unwrap();
    path
}

fn session() -> BurnOptions {
    BurnOptions::default().with_closing(Closing::Session)
}

fn writes(rig: &Rig) -> u64 {
    let s = rig.control.stats();
    s.count(OpCode::Write10) + s.count(OpCode::Write12)
}

#[test]
fn a_plain_iso_image_is_refused_at_a_later_session_before_any_write() {
    let rig = rig("dvd+r");
    let (r, _) = burn_collecting(&rig.rec, stream(data(300, 1)), &session());
    r.unwrap();
    let iso = plain_iso(rig.dir.path());
    let before = writes(&rig);
    let (r, _) = burn_collecting(&rig.rec, Source::Image(iso.clone()), &session());
    match r {
        Err(BurnError::ImageAddressedElsewhere {
            start_lba,
            root_extent,
            ..
        }) => {
            assert!(start_lba > 300, "{start_lba}");
            assert!(root_extent < 100, "{root_extent}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(writes(&rig), before, "nothing was written");
    // Dry run refuses it too: it is a check, not a write.
    let dry = session().with_dry_run(true);
    let (r, _) = burn_collecting(&rig.rec, Source::Image(iso), &dry);
    assert!(
        matches!(r, Err(BurnError::ImageAddressedElsewhere { .. })),
        "{r:?}"
    );
}

#[test]
fn raw_data_at_a_later_session_is_written_with_a_note_saying_where() {
    let rig = rig("dvd+r");
    burn_collecting(&rig.rec, stream(data(300, 1)), &session())
        .0
        .unwrap();
    let (r, events) = burn_collecting(&rig.rec, stream(data(200, 2)), &session());
    let report = r.unwrap();
    assert!(report.start_lba > 0);
    assert!(
        notes(&events).iter().any(|n| matches!(
            n,
            Note::RawDataAt { start_lba, .. } if *start_lba == report.start_lba
        )),
        "{:?}",
        notes(&events)
    );
}

#[test]
fn a_plain_iso_after_a_failed_dvd_r_reservation_is_refused() {
    // The first attempt reserves a track (DAO) and then fails at the first WRITE.
    let rig = rig("dvd-r");
    rig.control.inject(discburn_vdrive::Fault::Hang {
        opcode: Some(u8::from(OpCode::Write10)),
        count: 1000,
    });
    let (r, _) = burn_collecting(&rig.rec, stream(data(20, 1)), &BurnOptions::default());
    assert!(r.is_err(), "{r:?}");
    rig.control.clear_faults();
    let iso = plain_iso(rig.dir.path());
    let before = writes(&rig);
    // The first attempt left an empty track reserved at 0–31 (20 sectors in ECC blocks
    // of 16): the next writable address is 32, after it.
    let m = burn::inspect(&rig.rec).unwrap();
    assert_eq!(m.next_writable, Some(32), "{}", m.summary());
    let (r, _) = burn_collecting(&rig.rec, Source::Image(iso), &BurnOptions::default());
    match r {
        Err(BurnError::ImageAddressedElsewhere {
            start_lba: 32,
            root_extent,
            ..
        }) => assert!(root_extent < 32),
        other => panic!("{other:?}"),
    }
    assert_eq!(writes(&rig), before);
}

#[test]
fn an_image_that_is_a_directory_is_refused_before_the_medium_changes() {
    for (media, spare) in [("dvd-r", None), ("bd-r", Some(Spare::Min))] {
        let rig = rig(media);
        let dir = rig.dir.path().join("not-an-image");
        std::fs::create_dir_all(&dir).unwrap();
        let opts = BurnOptions::default().with_spare(spare);
        let (r, _) = burn_collecting(&rig.rec, Source::Image(dir), &opts);
        assert!(
            matches!(
                r,
                Err(BurnError::NotAnImageFile {
                    what: "a directory",
                    ..
                })
            ),
            "{media}: {r:?}"
        );
        let s = rig.control.stats();
        for op in [
            OpCode::ReserveTrack,
            OpCode::FormatUnit,
            OpCode::ModeSelect10,
        ] {
            assert_eq!(s.count(op), 0, "{media}: {op:?} sent");
        }
        let m = burn::inspect(&rig.rec).unwrap();
        assert!(m.is_blank(), "{media}: {}", m.summary());
    }
    // A FIFO is no image file either (the CLI burns one as a stream).
    let rig = rig("dvd-r");
    let fifo = rig.dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let (r, _) = burn_collecting(&rig.rec, Source::Image(fifo), &BurnOptions::default());
    assert!(matches!(r, Err(BurnError::NotAnImageFile { .. })), "{r:?}");
    assert_eq!(rig.control.stats().count(OpCode::ReserveTrack), 0);
}

#[test]
fn an_open_ended_stream_is_written_to_its_end_and_verified() {
    let rig = rig("bd-r");
    // 123 sectors and a half: the last one is padded with zeros.
    let mut bytes = data(124, 3);
    bytes.truncate(123 * 2048 + 1000);
    let opts = BurnOptions::default().with_verify(true);
    let source = Source::OpenStream {
        reader: Box::new(Cursor::new(bytes.clone())),
        label: "standard input".into(),
    };
    let (r, events) = burn_collecting(&rig.rec, source, &opts);
    let report = r.unwrap();
    assert_eq!(report.sectors, 124);
    assert!(report.verify.unwrap().is_ok());
    let n = notes(&events);
    assert!(
        n.iter().any(|n| matches!(
            n,
            Note::StreamEnded {
                sectors: 124,
                padded_bytes: 1048,
                ..
            }
        )),
        "{n:?}"
    );
    let m = report.after.unwrap();
    assert!(m.is_closed(), "{}", m.summary());
    let t = m.tracks.iter().find(|t| !t.blank).unwrap();
    assert_eq!((t.start, t.size), (0, 124));
}

#[test]
fn an_open_ended_stream_onto_a_rewritable_disc_asks_for_its_size() {
    let rig = rig("bd-re");
    let source = Source::OpenStream {
        reader: Box::new(Cursor::new(data(10, 1))),
        label: "standard input".into(),
    };
    let (r, _) = burn_collecting(&rig.rec, source, &BurnOptions::default());
    match r {
        Err(BurnError::Unsuitable(Unsuitable::StreamLengthForRandomAccess { label, profile })) => {
            assert_eq!((label.as_str(), profile), ("standard input", Profile::BdRe))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(writes(&rig), 0);
}

#[test]
fn a_stream_shorter_than_its_size_says_how_much_arrived() {
    let rig = rig("dvd+r");
    let source = Source::Stream {
        reader: Box::new(Cursor::new(data(100, 1))),
        sectors: 150,
        label: "standard input".into(),
    };
    let (r, _) = burn_collecting(&rig.rec, source, &BurnOptions::default());
    match r {
        Err(BurnError::StreamShort {
            arrived, expected, ..
        }) => assert_eq!((arrived, expected), (100, 150)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn verify_reports_a_shorter_or_longer_image_as_a_length_difference() {
    let (rig, bytes) = burnt_dvd_plus_r(400, 4);
    let dir = rig.dir.path();
    let exact = dir.join("exact.iso");
    std::fs::write(&exact, &bytes).unwrap();
    verify(&rig, &exact).0.unwrap();
    let short = dir.join("short.iso");
    std::fs::write(&short, &bytes[..300 * 2048]).unwrap();
    match verify(&rig, &short).0 {
        Err(
            e @ BurnError::LengthsDiffer {
                disc_sectors: 400,
                image_sectors: 300,
                ..
            },
        ) => assert!(e.to_string().contains("the lengths differ"), "{e}"),
        other => panic!("{other:?}"),
    }
    let long = dir.join("long.iso");
    let mut more = bytes.clone();
    more.extend(data(16, 9));
    std::fs::write(&long, &more).unwrap();
    match verify(&rig, &long).0 {
        Err(
            e @ BurnError::LengthsDiffer {
                disc_sectors: 400,
                image_sectors: 416,
                ..
            },
        ) => assert!(
            e.to_string().contains("longer than what the disc holds"),
            "{e}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn verify_accepts_trailing_zero_padding_with_a_note() {
    let rig = rig("dvd+r");
    let bytes = data(200, 5);
    let opts = BurnOptions::default().with_pad(true);
    let (r, events) = burn_collecting(&rig.rec, stream(bytes.clone()), &opts);
    assert_eq!(r.unwrap().sectors, 215);
    assert!(notes(&events)
        .iter()
        .any(|n| matches!(n, Note::Padding { pad: 15, .. })));
    let img = rig.dir.path().join("a.iso");
    std::fs::write(&img, &bytes).unwrap();
    let (r, n) = verify(&rig, &img);
    r.unwrap();
    assert!(
        n.iter()
            .any(|n| matches!(n, Note::TrailingPadding { sectors: 15, .. })),
        "{n:?}"
    );
}

#[test]
fn verify_stops_at_the_first_transport_failure() {
    let (rig, bytes) = burnt_dvd_plus_r(2000, 6);
    let img = rig.dir.path().join("a.iso");
    std::fs::write(&img, &bytes).unwrap();
    rig.reads_left.store(10, Ordering::SeqCst);
    match verify(&rig, &img).0 {
        Err(BurnError::VerifyStopped { lba, message, .. }) => {
            assert!(lba > 0 && lba < 2000, "{lba}");
            assert!(message.contains("connection reset"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // One failed READ, not one per sector of the rest.
    assert!(
        rig.control.stats().count(OpCode::Read12) <= 10,
        "{:?}",
        rig.control.stats().count(OpCode::Read12)
    );
}

#[test]
fn verify_of_a_plain_iso_found_at_a_later_session_says_it_cannot_be_read_there() {
    // What another burner leaves (or discburn did before): a plain image as session 2.
    let rig = rig("dvd+r");
    burn_collecting(&rig.rec, stream(data(300, 1)), &session())
        .0
        .unwrap();
    let iso = plain_iso(rig.dir.path());
    let start = common::raw_session(&rig.rec, std::fs::read(&iso).unwrap());
    assert!(start > 0);
    // Its bytes are there, so the comparison passes; the note says what that is worth.
    let (r, n) = verify(&rig, &iso);
    assert_eq!(r.unwrap().start_lba, start);
    assert!(
        n.iter().any(|n| matches!(n, Note::MisplacedImage { .. })),
        "{n:?}"
    );
}
