//! How a burn fails, is cancelled late, and holds the tray (issue 10): the last LBA in
//! every failure after the first WRITE, a flush the drive hangs in, a cancel during
//! finalizing, the check after finalizing, PREVENT ALLOW MEDIUM REMOVAL, the average
//! speed and the buffer minimums.

mod common;

use std::io::Cursor;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use discburn::burn::{self, BurnError, BurnEvent, BurnOptions, BurnPhase, Closing, Note, Source};
use discburn::mmc::clock::{SharedClock, SimClock, SystemClock};
use discburn::mmc::device::StartStopUnit;
use discburn::mmc::disc::DiscStatus;
use discburn::mmc::sense::{Asc, SenseClass, SenseKey};
use discburn::mmc::transport::TransportError;
use discburn::mmc::transport::{Completion, Limits, Request, ScsiStatus, Transport};
use discburn::mmc::{Command, OpCode};
use discburn::{CancelToken, ErrorKind, Recorder, SenseInfo};
use discburn_vdrive::{DriveControl, Fault, Media, VirtualDrive};

/// One virtual drive reachable through several handles, as a drive on an iSCSI target
/// is by several initiators; each command's opcode and byte 4 are traced.
#[derive(Clone)]
struct Shared {
    drive: Arc<Mutex<VirtualDrive>>,
    trace: Arc<Mutex<Vec<(u8, u8)>>>,
    /// A fault injected before the first command once the drive has taken this many
    /// blocks: tied to the drive's own progress, not to when an event reaches the test.
    armed: Arc<Mutex<Option<(u64, Fault)>>>,
}

impl Transport for Shared {
    fn execute(&mut self, request: Request<'_>) -> Result<Completion, TransportError> {
        let b4 = request.cdb.get(4).copied().unwrap_or(0);
        self.trace.lock().unwrap().push((request.cdb[0], b4));
        let mut drive = self.drive.lock().unwrap();
        let mut armed = self.armed.lock().unwrap();
        let control = drive.control();
        if armed
            .as_ref()
            .is_some_and(|(at, _)| control.stats().blocks_written >= *at)
        {
            if let Some((_, fault)) = armed.take() {
                control.inject(fault);
            }
        }
        drop(armed);
        drive.execute(request)
    }

    fn limits(&self) -> Limits {
        self.drive.lock().unwrap().limits()
    }
}

struct Rig {
    _dir: tempfile::TempDir,
    rec: Arc<Recorder>,
    control: DriveControl,
    /// A second initiator's handle on the same drive.
    other: Shared,
}

fn rig_on(media: &str, extra: &str, clock: SharedClock) -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let addr = format!(
        "virtual:{}?media={media}&speed=4x&buffer=2MiB{extra}",
        dir.path().join("d.img").display()
    );
    let drive = VirtualDrive::open(&addr, Arc::clone(&clock)).unwrap();
    let control = drive.control();
    let shared = Shared {
        drive: Arc::new(Mutex::new(drive)),
        trace: Arc::default(),
        armed: Arc::default(),
    };
    let rec = Arc::new(Recorder::new(Box::new(shared.clone()), addr, clock));
    Rig {
        _dir: dir,
        rec,
        control,
        other: shared,
    }
}

fn rig(media: &str, extra: &str) -> Rig {
    let (_sim, clock): (Arc<SimClock>, SharedClock) = SimClock::shared();
    rig_on(media, extra, clock)
}

impl Rig {
    fn trace(&self) -> Vec<(u8, u8)> {
        self.other.trace.lock().unwrap().clone()
    }

    /// START STOP UNIT eject from the second handle: the sense when refused.
    fn eject_from_the_other_initiator(&self) -> Option<SenseInfo> {
        let cdb = StartStopUnit::eject().emit();
        let mut other = self.other.clone();
        let c = other
            .execute(Request::none(cdb.as_bytes(), Duration::from_secs(10)))
            .unwrap();
        (c.status == ScsiStatus::CheckCondition).then(|| SenseInfo::from_raw(c.sense))
    }

    /// Polls TEST UNIT READY until the drive is idle (after an Immed flush).
    fn wait_idle(&self) {
        for _ in 0..100_000 {
            match self.rec.test_unit_ready() {
                Ok(()) => return,
                Err(e) if e.sense_class().is_some_and(SenseClass::is_retryable_wait) => {
                    self.rec.clock().sleep(Duration::from_millis(10))
                }
                Err(e) => panic!("{e}"),
            }
        }
        panic!("the drive never became ready");
    }
}

fn stream(sectors: usize) -> Source {
    let bytes = common::pattern(0, sectors as u32);
    Source::Stream {
        reader: Box::new(Cursor::new(bytes)),
        sectors: sectors as u64,
        label: "test data".into(),
    }
}

/// A default burn of `sectors` without cancel or events.
fn plain_burn(rig: &Rig, sectors: usize) -> Result<burn::BurnReport, BurnError> {
    watched_burn(rig, sectors, &mut |_| {})
}

/// A default burn of `sectors` without cancel, its events handed to `on_event`.
fn watched_burn(
    rig: &Rig,
    sectors: usize,
    on_event: &mut dyn FnMut(&BurnEvent),
) -> Result<burn::BurnReport, BurnError> {
    burn::burn(
        &rig.rec,
        stream(sectors),
        &BurnOptions::default(),
        &CancelToken::new(),
        on_event,
    )
}

const PREVENT: u8 = 0x1E;
const SYNC: u8 = 0x35;
const CLOSE: u8 = 0x5B;
const READ_DISC_INFORMATION: u8 = 0x51;

/// Burns `sectors` with `fault` injected once `at` sectors are written.
fn burn_with_fault(rig: &Rig, fault: Fault, at: u64, sectors: usize) -> BurnError {
    *rig.other.armed.lock().unwrap() = Some((at, fault));
    let opts = BurnOptions::default();
    burn::burn(
        &rig.rec,
        stream(sectors),
        &opts,
        &CancelToken::new(),
        &mut |_| {},
    )
    .expect_err("the fault fails the burn")
}

#[test]
fn every_failure_after_the_first_write_names_the_last_lba_the_drive_accepted() {
    let cases = [
        (Fault::LossOfStreaming, None),
        (Fault::MediumError(3000..=3005), None),
        (
            Fault::Hang {
                opcode: Some(u8::from(OpCode::Write10)),
                count: 1,
            },
            Some("the drive stopped answering"),
        ),
        (
            Fault::LongWriteStorm(u32::MAX),
            Some("the drive stopped answering"),
        ),
    ];
    for (fault, lost) in cases {
        let name = format!("{fault:?}");
        let rig = rig("bd-r", "");
        let err = burn_with_fault(&rig, fault, 1000, 6000);
        let written = rig.control.stats().blocks_written;
        assert!((1000..6000).contains(&written), "{name}: {written}");
        assert!(err.writing_began(), "{name}: {err:?}");
        let BurnError::Device { step, source, .. } = &err else {
            panic!("{name}: {err:?}");
        };
        assert_eq!(*step, "writing", "{name}");
        assert_eq!(
            source.last_written_lba(),
            Some(written as i32 - 1),
            "{name}: {err}"
        );
        assert_eq!(source.lost_contact(), lost, "{name}: {err}");
        if lost.is_none() {
            assert!(
                matches!(source.kind(), ErrorKind::Sense(_)),
                "{name}: {err}"
            );
        }
    }
}

#[test]
fn a_failure_of_the_flush_after_writing_carries_the_last_lba_too() {
    let rig = rig("bd-r", "");
    rig.control.inject(Fault::Hang {
        opcode: Some(SYNC),
        count: 1,
    });
    let err = plain_burn(&rig, 500).unwrap_err();
    assert!(err.writing_began(), "{err:?}");
    match &err {
        BurnError::Device { source, .. } => {
            assert_eq!(source.last_written_lba(), Some(499), "{err}");
            assert_eq!(source.lost_contact(), Some("the drive stopped answering"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_opening_failure_is_not_after_writing_began() {
    let rig = rig("bd-r", "");
    rig.control.inject(Fault::Hang {
        opcode: None,
        count: 1,
    });
    let err = plain_burn(&rig, 10).unwrap_err();
    assert!(!err.writing_began(), "{err:?}");
    assert_eq!(rig.control.stats().writes, 0);
}

#[test]
fn a_second_cancel_leaves_a_flush_the_drive_hangs_in_with_an_honest_state() {
    // The system clock: the drive hangs in SYNCHRONIZE CACHE for its 200 s timeout in
    // real time, as a drive (or a lost iSCSI target) does.
    let rig = rig_on("bd-r", "&throttle=off&fault=hang:35", SystemClock::shared());
    let cancel = CancelToken::new();
    let token = cancel.clone();
    let notes: Arc<Mutex<Vec<Note>>> = Arc::default();
    let seen = Arc::clone(&notes);
    let started = Instant::now();
    let r = burn::burn(
        &rig.rec,
        stream(300),
        &BurnOptions::default(),
        &cancel,
        &mut |e| match e {
            BurnEvent::Phase {
                phase: BurnPhase::Synchronizing,
                ..
            } => token.press(),
            BurnEvent::Note(n) => {
                seen.lock().unwrap().push(n.clone());
                if matches!(n, Note::WaitingForDrive { .. }) {
                    token.press();
                }
            }
            _ => {}
        },
    );
    let took = started.elapsed();
    // The hang lasts 200 s; leaving takes one poll of the waiting thread.
    assert!(took < Duration::from_secs(100), "{took:?}");
    let notes = notes.lock().unwrap().clone();
    let note = notes
        .iter()
        .find(|n| matches!(n, Note::WaitingForDrive { .. }))
        .unwrap_or_else(|| panic!("no note saying the drive is waited for: {notes:?}"));
    assert!(
        matches!(
            note,
            // What the drive may still need of the 200 s: said as "3 min 20 s".
            Note::WaitingForDrive { doing, may_take }
                if doing.contains("flushing its buffer to the disc")
                    && *may_take > Duration::from_secs(199)
                    && *may_take <= Duration::from_secs(200)
        ),
        "{note:?}"
    );
    let err = r.unwrap_err();
    match &err {
        BurnError::Abandoned {
            last_written_lba, ..
        } => assert_eq!(*last_written_lba, Some(299)),
        other => panic!("{other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("may still be flushing its buffer")
            && msg.contains("state is unknown")
            && msg.contains("LBA 299"),
        "{msg}"
    );
}

#[test]
fn a_cancel_during_finalizing_reports_the_finished_burn() {
    let rig = rig("bd-r", "");
    let cancel = CancelToken::new();
    let token = cancel.clone();
    let notes: Arc<Mutex<Vec<Note>>> = Arc::default();
    let seen = Arc::clone(&notes);
    let opts = BurnOptions::default()
        .with_closing(Closing::Disc)
        .with_verify(true);
    let r = burn::burn(&rig.rec, stream(2000), &opts, &cancel, &mut |e| match e {
        BurnEvent::Phase {
            phase: BurnPhase::Finalizing,
            ..
        } => token.cancel(),
        BurnEvent::Note(n) => seen.lock().unwrap().push(n.clone()),
        _ => {}
    });
    assert!(cancel.is_cancelled());
    let report = r.unwrap_or_else(|e| panic!("the disc was finalized, yet: {e}"));
    assert_eq!(report.closing, Some(Closing::Disc));
    assert_eq!(
        report.after.as_ref().and_then(|m| m.status()),
        Some(DiscStatus::Complete)
    );
    assert!(report.verify.is_none(), "verify skipped after the cancel");
    let notes = notes.lock().unwrap().clone();
    assert!(
        notes.iter().any(|n| matches!(
            n,
            Note::CancelledInClose {
                closing: Some(Closing::Disc),
                ..
            }
        )),
        "{notes:?}"
    );
}

#[test]
fn a_failed_check_after_finalizing_is_an_error() {
    let rig = rig("bd-r", "");
    let control = rig.control.clone();
    let mut closed = false;
    let r = watched_burn(&rig, 500, &mut |e| {
        if let BurnEvent::Phase { phase, .. } = e {
            match phase {
                BurnPhase::Finalizing => closed = true,
                BurnPhase::ValidatingMedia if closed => control.inject(Fault::Hang {
                    opcode: Some(READ_DISC_INFORMATION),
                    count: 1,
                }),
                _ => {}
            }
        }
    });
    let err = r.expect_err("the result was not confirmed");
    assert!(matches!(err, BurnError::Unconfirmed(_)), "{err:?}");
    assert!(err.to_string().contains("could not be confirmed"), "{err}");
    assert!(err.writing_began());
}

#[test]
fn the_tray_is_locked_while_writing_and_closing_and_unlocked_after() {
    let rig = rig("bd-r", "");
    let refused: Arc<Mutex<Option<Option<SenseInfo>>>> = Arc::default();
    let seen = Arc::clone(&refused);
    let other = Rig {
        _dir: tempfile::tempdir().unwrap(),
        rec: Arc::clone(&rig.rec),
        control: rig.control.clone(),
        other: rig.other.clone(),
    };
    let r = watched_burn(&rig, 3000, &mut |e| {
        if let BurnEvent::Write(u) = e {
            if u.sectors_written() > 0 && seen.lock().unwrap().is_none() {
                *seen.lock().unwrap() = Some(other.eject_from_the_other_initiator());
            }
        }
    });
    let report = r.unwrap_or_else(|e| panic!("the other initiator's eject got through: {e}"));
    assert_eq!(report.sectors, 3000);
    let sense = refused
        .lock()
        .unwrap()
        .clone()
        .expect("an eject was tried mid-burn")
        .expect("the eject was refused");
    assert_eq!(
        (sense.key(), sense.code()),
        (SenseKey::IllegalRequest, Asc::MEDIUM_REMOVAL_PREVENTED),
        "{sense}"
    );

    let trace = rig.trace();
    let first = |op: u8| trace.iter().position(|&(o, _)| o == op);
    let lock = trace
        .iter()
        .position(|&(o, b4)| o == PREVENT && b4 & 1 == 1)
        .expect("PREVENT (Prevent=1) sent");
    let unlock = trace
        .iter()
        .rposition(|&(o, b4)| o == PREVENT && b4 & 1 == 0)
        .expect("PREVENT ALLOW (Prevent=0) sent");
    let write = first(u8::from(OpCode::Write10)).unwrap();
    let last_close = trace.iter().rposition(|&(o, _)| o == CLOSE).unwrap();
    assert!(lock < write && unlock > last_close, "{trace:?}");
    rig.rec.eject_media().expect("unlocked after the burn");
}

#[test]
fn the_tray_is_unlocked_after_an_error_and_after_a_cancel() {
    // An error mid-write.
    let rig1 = rig("bd-r", "");
    let err = burn_with_fault(&rig1, Fault::MediumError(1500..=1500), 0, 3000);
    assert!(matches!(err, BurnError::Device { .. }), "{err:?}");
    let locks: Vec<u8> = rig1
        .trace()
        .iter()
        .filter(|(o, _)| *o == PREVENT)
        .map(|&(_, b4)| b4 & 1)
        .collect();
    assert_eq!(locks, vec![1, 0], "locked, then unlocked");
    rig1.wait_idle();
    rig1.rec.eject_media().expect("unlocked after the error");

    // A cancel mid-write.
    let rig2 = rig("bd-r", "");
    let cancel = CancelToken::new();
    let token = cancel.clone();
    let err = burn::burn(
        &rig2.rec,
        stream(6000),
        &BurnOptions::default(),
        &cancel,
        &mut |e| {
            if let BurnEvent::Write(u) = e {
                if u.sectors_written() >= 1000 {
                    token.cancel();
                }
            }
        },
    )
    .unwrap_err();
    assert!(matches!(err, BurnError::Cancelled { .. }), "{err:?}");
    assert!(rig2
        .trace()
        .iter()
        .any(|&(o, b4)| o == PREVENT && b4 & 1 == 1));
    rig2.wait_idle();
    rig2.rec.eject_media().expect("unlocked after the cancel");
}

#[test]
fn the_average_speed_is_what_the_drive_records_not_the_buffer_fill() {
    // A 4x BD-R with a 4 MiB buffer: the first 2048 sectors go into the buffer at once.
    let r = common::rig(Media::BdR, |c| c.speed_x(4.0));
    let e = r.engine();
    let data = common::pattern(0, 12_000);
    let last = e.write_section(&data[..], 0, 12_000).unwrap();
    let x = last.average_speed_x.expect("a BD-R has a 1x");
    assert!(
        (3.9..=4.0 * 3.05 / 3.0).contains(&x),
        "average {x}x at a 4x drive"
    );
}

#[test]
fn an_unthrottled_drive_shows_no_drive_buffer_minimum_and_a_real_host_minimum() {
    // Unthrottled: the drive records at once, its buffer never holds anything.
    let rig = rig("bd-r", "&throttle=off");
    let report = plain_burn(&rig, 12_000).unwrap();
    assert_eq!(report.min_device_fill, None, "{report:?}");
    assert!(report.min_host_fill.is_some(), "{report:?}");
}

#[test]
fn a_second_cancel_leaves_the_engines_flush_after_a_cancel_when_the_drive_hangs_in_it() {
    // The system clock: the drive hangs in the SYNCHRONIZE CACHE the engine sends after
    // a cancel for the command's timeout, in real time.
    let dir = tempfile::tempdir().unwrap();
    let cfg = discburn_vdrive::VirtualDriveConfig::new(dir.path().join("d.img"), Media::BdR)
        .unthrottled()
        .fault(Fault::Hang {
            opcode: Some(SYNC),
            count: 1,
        });
    let clock = SystemClock::shared();
    let drive = cfg.open(Arc::clone(&clock)).unwrap();
    let control = drive.control();
    let rec = Arc::new(Recorder::new(Box::new(drive), "virtual:hang", clock));
    let e = discburn::WriteEngine::with_recorder(rec, 2048).unwrap();
    let token = e.cancel_token();
    let t = token.clone();
    e.on_update(move |_, u| {
        if u.sectors_written() >= 1000 {
            t.cancel();
        }
        if u.phase == discburn::Phase::Synchronizing {
            // The second Ctrl-C, a moment after the flush went out.
            let t = t.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(100));
                t.press();
            });
        }
    });
    // Delivers 1000 sectors, then holds back until the cancel.
    let src = common::Gate::new(common::pattern(0, 4000), 1000, token.clone());
    let started = Instant::now();
    let err = e.write_section(src, 0, 4000).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(err.kind(), ErrorKind::Abandoned(_)), "{err}");
    let written = control.stats().blocks_written;
    assert_eq!(err.last_written_lba(), Some(written as i32 - 1), "{err}");
    assert!(err.to_string().contains("may still be flushing"), "{err}");
}

#[test]
fn formatting_locks_the_tray_and_unlocks_it_after() {
    let rig = rig("bd-re", "");
    burn::format(
        &rig.rec,
        discburn::burn::FormatRequest::spare(discburn::burn::Spare::Default),
        &CancelToken::new(),
        &mut |_| {},
    )
    .unwrap();
    let trace = rig.trace();
    let format = trace
        .iter()
        .position(|&(o, _)| o == u8::from(OpCode::FormatUnit))
        .expect("FORMAT UNIT sent");
    let lock = trace
        .iter()
        .position(|&(o, b4)| o == PREVENT && b4 & 1 == 1);
    let unlock = trace
        .iter()
        .rposition(|&(o, b4)| o == PREVENT && b4 & 1 == 0);
    assert!(lock.is_some_and(|l| l < format), "{trace:?}");
    assert!(unlock.is_some_and(|u| u > format), "{trace:?}");
    rig.wait_idle();
    rig.rec.eject_media().expect("unlocked after formatting");
}
