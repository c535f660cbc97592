//! The burn workflow on the virtual recorder with a simulated clock: phases,
//! drive quirks it must survive, refusals before any WRITE, verify.

use std::sync::Arc;
use std::time::Duration;

use discburn::burn::{
    self, BurnError, BurnEvent, BurnOptions, BurnPhase, Closing, Note, Source, Spare,
};
use discburn::mmc::sense::SenseClass;
use discburn::mmc::transport::{Completion, Request};
use discburn::mmc::OpCode;
use discburn::{CancelToken, Recorder};
use discburn_vdrive::DriveControl;

mod common;
use common::{burn_collecting, data, hooked_recorder, stream};

struct Rig {
    _dir: tempfile::TempDir,
    rec: Arc<Recorder>,
    control: DriveControl,
}

fn rig(media: &str, extra: &str, missing: &[OpCode]) -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let missing: Vec<u8> = missing.iter().map(|&o| u8::from(o)).collect();
    // Answers chosen opcodes with CHECK CONDITION 5/20/00 (invalid command
    // operation code), like a drive (or tgt) that lacks them; forwards the rest.
    let hook = move |request: &Request<'_>| {
        missing.contains(&request.cdb[0]).then(|| {
            let mut sense = vec![0u8; 18];
            sense[0] = 0x70;
            sense[2] = 0x05;
            sense[7] = 10;
            sense[12] = 0x20;
            Ok(Completion::check_condition(sense, 0))
        })
    };
    let query = format!("media={media}&speed=4x&buffer=2MiB{extra}");
    let (rec, control) = hooked_recorder(dir.path(), &query, hook);
    Rig {
        _dir: dir,
        rec,
        control,
    }
}

fn phases(events: &[BurnEvent]) -> Vec<BurnPhase> {
    events
        .iter()
        .filter_map(|e| match e {
            BurnEvent::Phase { phase, .. } => Some(*phase),
            _ => None,
        })
        .collect()
}

#[test]
fn dvd_r_without_reserve_track_falls_back_to_incremental_and_finalizes() {
    let rig = rig("dvd-r", "", &[OpCode::ReserveTrack]);
    let opts = BurnOptions::default().with_verify(true);
    let (r, events) = burn_collecting(&rig.rec, stream(data(500, 1)), &opts);
    let report = r.unwrap();
    assert!(events
        .iter()
        .any(|e| matches!(e, BurnEvent::Note(Note::NoReserveTrack))));
    assert_eq!(
        phases(&events),
        vec![
            BurnPhase::ValidatingMedia,
            BurnPhase::InitializingHardware,
            BurnPhase::WritingData,
            BurnPhase::Synchronizing,
            BurnPhase::ClosingTrack,
            BurnPhase::Finalizing,
            BurnPhase::ValidatingMedia,
            BurnPhase::Verifying,
            BurnPhase::Completed,
        ]
    );
    assert!(report.after.unwrap().is_closed());
    assert!(report.verify.unwrap().is_ok());
    assert_eq!(rig.control.stats().count(OpCode::ReserveTrack), 0);
}

#[test]
fn dvd_r_rejecting_dao_in_the_write_parameters_writes_incrementally() {
    let rig = rig("dvd-r", "&fault=reject-write-mode:2", &[]);
    let (r, events) = burn_collecting(&rig.rec, stream(data(300, 2)), &BurnOptions::default());
    r.unwrap();
    assert!(events
        .iter()
        .any(|e| matches!(e, BurnEvent::Note(Note::DaoRefused))));
}

#[test]
fn long_steps_report_the_drive_progress_and_elapsed_time() {
    let rig = rig("bd-r", "", &[]);
    let (r, events) = burn_collecting(&rig.rec, stream(data(2000, 3)), &BurnOptions::default());
    r.unwrap();
    let steps: Vec<(BurnPhase, Option<f64>, Duration)> = events
        .iter()
        .filter_map(|e| match e {
            BurnEvent::Step {
                phase,
                fraction,
                elapsed,
            } => Some((*phase, *fraction, *elapsed)),
            _ => None,
        })
        .collect();
    let fin: Vec<_> = steps
        .iter()
        .filter(|s| s.0 == BurnPhase::Finalizing)
        .collect();
    assert!(fin.len() > 2, "finalizing is polled: {steps:?}");
    assert!(
        fin.iter()
            .any(|s| matches!(s.1, Some(f) if f > 0.0 && f < 1.0)),
        "{fin:?}"
    );
    assert!(fin.windows(2).all(|w| w[0].2 <= w[1].2), "elapsed grows");
    assert_eq!(fin.last().unwrap().1, Some(1.0));
}

#[test]
fn too_large_and_closed_discs_are_refused_before_any_write() {
    let rig = rig("cd-r", "", &[]);
    let big = Source::Stream {
        reader: Box::new(std::io::empty()),
        sectors: 359_850,
        label: "big".into(),
    };
    let (r, _) = burn_collecting(&rig.rec, big, &BurnOptions::default());
    match r {
        Err(BurnError::TooLarge { needed, free, .. }) => {
            assert_eq!((needed, free), (359_850, 359_849));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(rig.control.stats().count(OpCode::Write10), 0);
    assert_eq!(rig.control.stats().count(OpCode::ModeSelect10), 0);
    // Finalize, then try again.
    burn_collecting(&rig.rec, stream(data(100, 4)), &BurnOptions::default())
        .0
        .unwrap();
    let writes = rig.control.stats().count(OpCode::Write10);
    let (r, _) = burn_collecting(&rig.rec, stream(data(100, 4)), &BurnOptions::default());
    assert!(matches!(r, Err(BurnError::Closed { .. })), "{r:?}");
    assert_eq!(rig.control.stats().count(OpCode::Write10), writes);
}

#[test]
fn multi_session_appends_at_the_next_writable_address() {
    let rig = rig("dvd+r", "", &[]);
    let multi = BurnOptions::default()
        .with_closing(Closing::Session)
        .with_verify(true);
    let first = burn_collecting(&rig.rec, stream(data(300, 5)), &multi)
        .0
        .unwrap();
    assert_eq!(first.start_lba, 0);
    let second = burn_collecting(&rig.rec, stream(data(200, 6)), &multi)
        .0
        .unwrap();
    assert!(second.start_lba >= 300, "{}", second.start_lba);
    let after = second.after.unwrap();
    assert_eq!(after.sessions(), 2);
    assert!(!after.is_closed());
    assert_eq!(after.last_session_start(), Some(second.start_lba));
}

#[test]
fn bd_r_spare_choice_formats_before_writing_and_shrinks_capacity() {
    let rig = rig("bd-r", "", &[]);
    let opts = BurnOptions::default()
        .with_spare(Some(Spare::Min))
        .with_closing(Closing::Session);
    let (r, events) = burn_collecting(&rig.rec, stream(data(64, 7)), &opts);
    let report = r.unwrap();
    assert!(phases(&events).contains(&BurnPhase::FormattingMedia));
    assert!(events.iter().any(|e| matches!(
        e,
        BurnEvent::Note(Note::SpareChosen {
            spare: Spare::Min,
            sectors: 12088320
        })
    )));
    // The user area shrank by the minimum spare (131,072 sectors).
    assert_eq!(report.after.unwrap().capacity_sectors, 12_219_392 - 131_072);
}

#[test]
fn verify_finds_silent_corruption_exactly_from_an_image_file() {
    let rig1 = rig("bd-re", "&fault=corrupt:37-38", &[]);
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("a.iso");
    std::fs::write(&img, data(300, 8)).unwrap();
    let opts = BurnOptions::default().with_verify(true);
    let (r, _) = burn_collecting(&rig1.rec, Source::Image(img.clone()), &opts);
    match r {
        Err(BurnError::VerifyFailed(v)) => {
            assert_eq!(v.bad.len(), 1);
            assert_eq!(
                (v.bad[0].first, v.bad[0].last, v.bad[0].exact),
                (37, 38, true)
            );
            assert!(v.fua);
        }
        other => panic!("{other:?}"),
    }
    // A stream cannot be re-read: the 16-sector chunk holding the damage is reported.
    let rig2 = rig("bd-re", "&fault=corrupt:37-38", &[]);
    match burn_collecting(&rig2.rec, stream(data(300, 8)), &opts).0 {
        Err(BurnError::VerifyFailed(v)) => {
            assert_eq!(
                (v.bad[0].first, v.bad[0].last, v.bad[0].exact),
                (32, 47, false)
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn test_write_is_refused_on_media_without_simulation() {
    for media in ["dvd+r", "bd-r", "bd-re", "dvd-ram"] {
        let rig = rig(media, "", &[]);
        let opts = BurnOptions::default().with_test_write(true);
        let (r, _) = burn_collecting(&rig.rec, stream(data(10, 9)), &opts);
        assert!(
            matches!(r, Err(BurnError::TestWriteUnsupported { .. })),
            "{media}: {r:?}"
        );
        assert_eq!(rig.control.stats().count(OpCode::Write10), 0);
    }
}

#[test]
fn a_burn_right_after_a_cancelled_one_waits_for_the_drive_to_finish_flushing() {
    // 4x BD with a 2 MiB buffer: the cancelled write leaves the drive flushing
    // (SYNCHRONIZE CACHE with Immed); a burn started at once must wait for it instead
    // of reading a disc the drive cannot describe yet.
    let rig = rig("bd-r", "", &[]);
    let cancel = CancelToken::new();
    let trigger = cancel.clone();
    let opts = BurnOptions::default().with_closing(Closing::Session);
    let r = burn::burn(&rig.rec, stream(data(4000, 3)), &opts, &cancel, &mut |e| {
        if let BurnEvent::Write(u) = e {
            if u.sectors_written() >= 1500 {
                trigger.cancel();
            }
        }
    });
    let last = match r {
        Err(BurnError::Cancelled {
            last_written_lba: Some(l),
        }) => l,
        other => panic!("expected a cancel with the last LBA, got {other:?}"),
    };
    assert!((1499..3999).contains(&last), "{last}");
    let busy = rig.rec.test_unit_ready().unwrap_err();
    assert!(
        busy.sense_class()
            .is_some_and(SenseClass::is_retryable_wait),
        "the drive is still flushing when the next burn starts: {busy}"
    );

    let (r, events) = burn_collecting(&rig.rec, stream(data(300, 4)), &opts);
    let report = r.unwrap();
    assert!(report.start_lba > last as u32, "{}", report.start_lba);
    // The wait showed as progress of the first phase.
    assert!(events.iter().any(|e| matches!(
        e,
        BurnEvent::Step {
            phase: BurnPhase::ValidatingMedia,
            ..
        }
    )));
}
