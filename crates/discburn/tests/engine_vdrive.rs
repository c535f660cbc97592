//! The write engine against the virtual recorder on a simulated clock.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{pattern, rig, Gate};
use discburn::hresult::*;
use discburn::mmc::sense::{Asc, SenseKey};
use discburn::mmc::OpCode;
use discburn::{ErrorKind, Phase, Update, WriteEngine};
use discburn_vdrive::control::Fault;
use discburn_vdrive::media::Media;
use discburn_vdrive::FullPolicy;

const WRITE10: u8 = 0x2A;
const WRITE12: u8 = 0xAA;
const SYNC: u8 = 0x35;
const RBC: u8 = 0x5C;

fn op(o: OpCode) -> u8 {
    o.into()
}

#[test]
fn write10_section_reads_back_identical() {
    let r = rig(Media::BdR, |c| c.speed_x(4.0));
    let e = r.engine();
    let data = pattern(0, 3000);
    let last = e.write_section(&data[..], 0, 3000).unwrap();
    assert_eq!(last.phase, Phase::Finished);
    assert_eq!(last.last_written_lba, 2999);
    assert_eq!(r.read_back(0, 3000), data);
    // 64 KiB transfers: 32 sectors per WRITE(10), no WRITE(12).
    assert_eq!(r.count(WRITE10), 3000u64.div_ceil(32));
    assert_eq!(r.count(WRITE12), 0);
    assert_eq!(r.control.stats().blocks_written, 3000);
    assert!(!e.write_in_progress());
}

#[test]
fn write12_streaming_section_reads_back_identical() {
    let r = rig(Media::BdR, |c| c.speed_x(4.0));
    let e = r.engine();
    e.set_use_streaming_write12(true).unwrap();
    let data = pattern(0, 1000);
    e.write_section(&data[..], 0, 1000).unwrap();
    assert_eq!(r.read_back(0, 1000), data);
    assert_eq!(r.count(WRITE12), 1000u64.div_ceil(32));
    assert_eq!(r.count(WRITE10), 0);
    // A second section continues at the NWA with the pooled buffers.
    let more = pattern(1000, 500);
    e.write_section(&more[..], 1000, 500).unwrap();
    assert_eq!(r.read_back(1000, 500), more);
}

#[test]
fn properties_validate_like_imapi2() {
    let r = rig(Media::BdR, |c| c);
    let e = WriteEngine::new();
    assert_eq!(e.bytes_per_sector(), -1);
    assert_eq!(e.starting_sectors_per_second(), -1);
    assert_eq!(e.ending_sectors_per_second(), -1);
    assert!(!e.use_streaming_write12());
    assert!(e.recorder().is_none());
    // No recorder.
    let err = e.write_section(&[0u8; 2048][..], 0, 1).unwrap_err();
    assert_eq!(err.hresult(), E_IMAPI_RECORDER_REQUIRED);
    e.set_recorder(Arc::clone(&r.recorder)).unwrap();
    // BytesPerSector not set.
    let err = e.write_section(&[0u8; 2048][..], 0, 1).unwrap_err();
    assert_eq!(err.hresult(), E_INVALIDARG);
    for bad in [0, -1, -2048, 64 * 1024 + 1] {
        assert_eq!(
            e.set_bytes_per_sector(bad).unwrap_err().hresult(),
            E_INVALIDARG,
            "{bad}"
        );
    }
    assert_eq!(e.bytes_per_sector(), -1);
    for ok in [1, 2048, 2352, 2448, 64 * 1024] {
        e.set_bytes_per_sector(ok).unwrap();
        assert_eq!(e.bytes_per_sector(), ok);
    }
    e.set_bytes_per_sector(2048).unwrap();
    for bad in [0, -2, i32::MIN] {
        assert_eq!(
            e.set_starting_sectors_per_second(bad)
                .unwrap_err()
                .hresult(),
            E_INVALIDARG
        );
        assert_eq!(
            e.set_ending_sectors_per_second(bad).unwrap_err().hresult(),
            E_INVALIDARG
        );
    }
    e.set_starting_sectors_per_second(3000).unwrap();
    e.set_ending_sectors_per_second(-1).unwrap();
    assert_eq!(e.starting_sectors_per_second(), 3000);
    assert_eq!(e.ending_sectors_per_second(), -1);
    // Bad section arguments.
    assert_eq!(
        e.write_section(&[][..], 0, 0).unwrap_err().hresult(),
        E_INVALIDARG
    );
    assert_eq!(
        e.write_section(&[][..], i32::MAX, 2).unwrap_err().hresult(),
        E_INVALIDARG
    );
    assert_eq!(
        e.set_system_buffer_size(0).unwrap_err().hresult(),
        E_INVALIDARG
    );
}

#[test]
fn properties_are_refused_while_writing() {
    let r = rig(Media::BdR, |c| c.speed_x(2.0).buffer(1 << 20));
    let e = Arc::new(r.engine());
    type Seen = Vec<(bool, Vec<HResult>)>;
    let seen: Arc<Mutex<Seen>> = Arc::default();
    let s = Arc::clone(&seen);
    let rec = Arc::clone(&r.recorder);
    e.on_update(move |eng, u| {
        if u.phase != Phase::Writing || !s.lock().unwrap().is_empty() {
            return;
        }
        let codes = vec![
            eng.set_bytes_per_sector(2048).unwrap_err().hresult(),
            eng.set_use_streaming_write12(true).unwrap_err().hresult(),
            eng.set_starting_sectors_per_second(100)
                .unwrap_err()
                .hresult(),
            eng.set_ending_sectors_per_second(100)
                .unwrap_err()
                .hresult(),
            eng.set_recorder(Arc::clone(&rec)).unwrap_err().hresult(),
            eng.set_system_buffer_size(1 << 20).unwrap_err().hresult(),
            eng.write_section(&[0u8; 2048][..], 0, 1)
                .unwrap_err()
                .hresult(),
        ];
        s.lock().unwrap().push((eng.write_in_progress(), codes));
    });
    let data = pattern(0, 2000);
    e.write_section(&data[..], 0, 2000).unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "the callback ran while writing");
    assert!(seen[0].0, "write_in_progress inside the callback");
    assert!(
        seen[0]
            .1
            .iter()
            .all(|h| *h == E_IMAPI_DF2DATA_WRITE_IN_PROGRESS),
        "{:?}",
        seen[0].1
    );
    assert!(!e.write_in_progress());
    e.set_bytes_per_sector(2048).unwrap();
}

fn check_invariants(events: &[Update], start: i32, count: i32) {
    let end = start + count - 1;
    for (i, u) in events.iter().enumerate() {
        assert_eq!(u.sequence, i as u64);
        assert_eq!((u.start_lba, u.sector_count), (start, count));
        assert!(u.last_written_lba >= start - 1 && u.last_written_lba <= u.last_read_lba);
        assert!(u.last_read_lba <= end);
        assert_eq!(
            u.used_system_buffer + u.free_system_buffer,
            u.total_system_buffer
        );
        assert!(u.min_used_system_buffer <= u.used_system_buffer);
        assert_eq!(
            u.used_system_buffer,
            u.sectors_read().saturating_sub(u.sectors_written()) * 2048
        );
        if i > 0 {
            let p = &events[i - 1];
            assert!(u.last_written_lba >= p.last_written_lba);
            assert!(u.last_read_lba >= p.last_read_lba);
            assert!(u.elapsed >= p.elapsed);
        }
        if let (Some(d), Some(min)) = (u.device_buffer, u.min_used_device_buffer) {
            assert!(d.capacity > 0 && d.free <= d.capacity);
            assert!(min <= d.capacity);
        }
    }
}

#[test]
fn events_count_order_and_fields() {
    let r = rig(Media::BdR, |c| c.speed_x(2.0).buffer(1 << 20));
    let e = r.engine();
    let rx = e.subscribe();
    let cb: Arc<Mutex<Vec<Update>>> = Arc::default();
    let c = Arc::clone(&cb);
    e.on_update(move |_, u| c.lock().unwrap().push(u.clone()));
    let count = 4000;
    let data = pattern(0, count as u32);
    let t0 = r.clock.now();
    let last = e.write_section(&data[..], 0, count).unwrap();
    let took = r.clock.now() - t0;
    let events: Vec<Update> = rx.try_iter().collect();
    assert_eq!(
        events,
        *cb.lock().unwrap(),
        "callback and channel see the same events"
    );
    check_invariants(&events, 0, count);
    assert_eq!(events.first().unwrap().phase, Phase::Starting);
    assert_eq!(events.first().unwrap().last_written_lba, -1);
    assert_eq!(events.last().unwrap(), &last);
    assert_eq!(last.phase, Phase::Finished);
    assert_eq!(last.last_written_lba, count - 1);
    assert_eq!(last.last_read_lba, count - 1);
    assert_eq!(last.used_system_buffer, 0);
    assert_eq!(last.remaining, Some(Duration::ZERO));
    assert!(events[1..events.len() - 1]
        .iter()
        .all(|u| !u.phase.is_final()));
    // One before, one after, and one per 100 ms of (simulated) writing in between.
    let periodic = events.len() as f64 - 2.0;
    let expected = took.as_secs_f64() / 0.1;
    assert!(
        (periodic - expected).abs() <= 2.0,
        "{periodic} periodic events in {took:?}"
    );
    // 8 MiB through a 1 MiB drive buffer at 2x BD: the buffer fills, so READ BUFFER
    // CAPACITY is polled (no faster than every 250 ms) and reported.
    let with_dev: Vec<_> = events
        .iter()
        .filter(|u| u.device_buffer.is_some())
        .collect();
    assert!(!with_dev.is_empty());
    assert_eq!(with_dev[0].device_buffer.unwrap().capacity, 1 << 20);
    assert!(
        events[0].device_buffer.is_none(),
        "not polled before the buffer filled"
    );
    let polls = r.count(RBC) as f64;
    assert!(
        polls >= 1.0 && polls <= took.as_secs_f64() / 0.25 + 1.0,
        "{polls} polls"
    );
    // Speeds: around 2x BD on average once writing.
    let x = last.average_speed_x.unwrap();
    assert!(x > 1.8 && x < 2.6, "average {x}x");
    assert!(events
        .iter()
        .any(|u| u.current_speed_x.is_some_and(|c| c > 1.5)));
}

#[test]
fn minus_one_speeds_take_the_drive_profile() {
    let r = rig(Media::BdR, |c| c.speed_x(4.0));
    let e = r.engine();
    let rx = e.subscribe();
    let data = pattern(0, 600);
    e.write_section(&data[..], 0, 600).unwrap();
    assert!(r.count(op(OpCode::GetPerformance)) >= 1);
    let nominal = r
        .recorder
        .nominal_write_rate(Some(discburn::mmc::profile::MediaFamily::Bd), 0, 599)
        .unwrap()
        .unwrap();
    let first = rx.try_iter().next().unwrap();
    let exp = first.expected_sectors_per_second.unwrap();
    assert!((exp - nominal.0).abs() < 1.0, "{exp} vs {nominal:?}");
    assert!(
        (exp / 2195.0 - 4.0).abs() < 0.1,
        "4x BD is ~8780 sectors/s, got {exp}"
    );
    // The ETA at the start is the section at that rate.
    let eta = first.remaining.unwrap().as_secs_f64();
    assert!((eta - 600.0 / exp).abs() < 0.01, "{eta}");
}

#[test]
fn explicit_speeds_drive_waits_timeouts_and_eta() {
    // A drive that answers LONG WRITE IN PROGRESS when full. With the true rate the
    // engine waits just long enough; with a wildly optimistic estimate it retries
    // (bounded by the 1 ms minimum wait) far more often.
    let run = |sps: i32| {
        let r = rig(Media::BdR, |c| {
            c.speed_x(2.0)
                .buffer(1 << 20)
                .full(FullPolicy::LongWriteInProgress)
        });
        let e = r.engine();
        e.set_starting_sectors_per_second(sps).unwrap();
        e.set_ending_sectors_per_second(sps).unwrap();
        let rx = e.subscribe();
        let data = pattern(0, 3000);
        e.write_section(&data[..], 0, 3000).unwrap();
        let first = rx.try_iter().next().unwrap();
        assert_eq!(r.read_back(0, 3000), data);
        (first, r.control.stats().long_write_in_progress)
    };
    let (true_rate, busy_true) = run(4390);
    let (_, busy_opt) = run(400_000);
    let (slow, _) = run(100);
    assert!(busy_opt > 2 * busy_true, "{busy_opt} vs {busy_true}");
    // ETA from the explicit rate.
    let eta = |u: &Update| u.remaining.unwrap().as_secs_f64();
    assert!((eta(&true_rate) - 3000.0 / 4390.0).abs() < 0.01);
    assert!((eta(&slow) - 30.0).abs() < 0.01);
    // Timeout: IMAPI2's 10 s plus 4× a 64 KiB chunk at the slowest rate.
    assert_eq!(
        slow.command_timeout,
        Duration::from_secs(10) + Duration::from_secs_f64(4.0 * 32.0 / 100.0)
    );
    assert!(true_rate.command_timeout < Duration::from_millis(10_100));
    assert_eq!(slow.expected_sectors_per_second, Some(100.0));
}

#[test]
fn long_write_in_progress_is_waited_out_without_spinning() {
    let r = rig(Media::BdR, |c| {
        c.speed_x(2.0)
            .buffer(1 << 20)
            .full(FullPolicy::LongWriteInProgress)
    });
    let e = r.engine();
    let rx = e.subscribe();
    let n = 8000u32; // 16 MiB through a 1 MiB buffer
    let data = pattern(0, n);
    e.write_section(&data[..], 0, n as i32).unwrap();
    assert_eq!(r.read_back(0, n), data);
    let s = r.control.stats();
    let writes = u64::from(n).div_ceil(32);
    assert_eq!(s.writes, writes);
    // Each busy answer is followed by a wait for a quarter of the buffer to drain, so
    // there is about one per 8 chunks — not thousands of retries.
    assert!(s.long_write_in_progress > 0);
    assert!(
        s.long_write_in_progress <= writes / 3,
        "{} busy answers for {writes} writes",
        s.long_write_in_progress
    );
    let total_writes = r.count(WRITE10);
    assert_eq!(total_writes, writes + s.long_write_in_progress);
    assert!(s.underruns == 0, "the engine never let the drive run dry");
    let last = rx.try_iter().last().unwrap();
    assert_eq!(last.device_busy_count, s.long_write_in_progress);
    assert!(rx.try_iter().count() == 0);
}

#[test]
fn full_buffer_wait_policy_costs_no_extra_commands() {
    let r = rig(Media::BdR, |c| c.speed_x(2.0).buffer(1 << 20));
    let e = r.engine();
    let n = 6000u32;
    let data = pattern(0, n);
    e.write_section(&data[..], 0, n as i32).unwrap();
    let s = r.control.stats();
    let writes = u64::from(n).div_ceil(32);
    assert_eq!(r.count(WRITE10), writes);
    // Besides the WRITEs: GET CONFIGURATION + GET PERFORMANCE before, and READ BUFFER
    // CAPACITY at most 4 times per simulated second.
    let secs = r.clock.now().as_secs_f64();
    assert!(
        s.commands <= writes + 2 + (secs * 4.0) as u64 + 1,
        "{} commands",
        s.commands
    );
    assert_eq!(s.underruns, 0);
}

#[test]
fn cancel_from_the_callback() {
    let r = rig(Media::BdR, |c| c.speed_x(4.0));
    let e = r.engine();
    let at: Arc<Mutex<Option<Duration>>> = Arc::default();
    let a = Arc::clone(&at);
    let clock = Arc::clone(&r.clock);
    e.on_update(move |eng, u| {
        if u.sequence == 3 {
            assert_eq!(eng.cancel_write(), discburn::CancelOutcome::Cancelled);
            *a.lock().unwrap() = Some(clock.now());
        }
    });
    let data = pattern(0, 20_000);
    let err = e.write_section(&data[..], 0, 20_000).unwrap_err();
    let latency = r.clock.now() - at.lock().unwrap().unwrap();
    assert!(err.is_cancelled());
    assert_eq!(err.hresult(), E_IMAPI_REQUEST_CANCELLED);
    assert!(latency <= Duration::from_millis(50), "{latency:?}");
    let written = r.control.stats().blocks_written;
    assert!(written > 0 && written < 20_000);
    assert_eq!(err.last_written_lba(), Some(written as i32 - 1));
    assert_eq!(r.count(SYNC), 1, "cache synchronised");
    r.wait_ready();
    assert_eq!(
        r.read_back(0, written as u32),
        data[..written as usize * 2048]
    );
    // The next write starts uncancelled, IMAPI2 reports NotInProgress when idle.
    assert_eq!(e.cancel_write(), discburn::CancelOutcome::NotInProgress);
    e.clear_on_update();
    let rest = &data[written as usize * 2048..(written as usize + 100) * 2048];
    e.write_section(rest, written as i32, 100).unwrap();
}

#[test]
fn cancel_from_another_thread() {
    let r = rig(Media::BdR, |c| c.speed_x(4.0).buffer(2 << 20));
    let e = Arc::new(r.engine());
    let token = e.cancel_token();
    let rx = e.subscribe();
    let clock = Arc::clone(&r.clock);
    let t = token.clone();
    let canceller = std::thread::spawn(move || {
        for u in rx.iter() {
            if u.sectors_written() >= 5000 {
                t.cancel();
                return Some(clock.now());
            }
        }
        None
    });
    // The source holds back its second half until the cancel has happened, so the
    // other thread is sure to act while the section is still being written.
    let src = Gate::new(pattern(0, 40_000), 20_000, token);
    let err = e.write_section(src, 0, 40_000).unwrap_err();
    let end = r.clock.now();
    let at = canceller.join().unwrap().expect("cancelled");
    assert!(err.is_cancelled());
    assert!(end - at <= Duration::from_millis(50), "{:?}", end - at);
    let written = r.control.stats().blocks_written;
    assert_eq!(err.last_written_lba(), Some(written as i32 - 1));
    assert!((5000..40_000).contains(&written));
    assert_eq!(r.count(SYNC), 1);
}

#[test]
fn cancel_before_the_write_sends_nothing() {
    let r = rig(Media::BdR, |c| c);
    let e = r.engine();
    e.cancel_token().cancel();
    let err = e.write_section(&pattern(0, 10)[..], 0, 10).unwrap_err();
    assert!(err.is_cancelled());
    assert_eq!(err.last_written_lba(), Some(-1));
    assert_eq!(r.control.stats().commands, 0);
    // The token was spent: the next write runs.
    e.write_section(&pattern(0, 10)[..], 0, 10).unwrap();
}

/// Injects `fault` once `at` sectors are written, writes 4000 sectors, and returns the
/// error and the sectors the drive accepted.
fn with_fault(fault: Fault, at: u64) -> (discburn::Error, u64, common::Rig) {
    let r = rig(Media::BdR, |c| c.speed_x(4.0));
    let e = r.engine();
    let control = r.control.clone();
    let mut armed = Some(fault);
    e.on_update(move |_, u| {
        if u.sectors_written() >= at {
            if let Some(f) = armed.take() {
                control.inject(f);
            }
        }
    });
    let data = pattern(0, 4000);
    let err = e
        .write_section(&data[..], 0, 4000)
        .expect_err(&format!("{:?}", r.control.faults()));
    let written = r.control.stats().blocks_written;
    (err, written, r)
}

#[test]
fn faults_map_to_hresults_with_the_last_lba() {
    let cases = [
        (Fault::LossOfStreaming, E_IMAPI_LOSS_OF_STREAMING),
        (
            Fault::MediumError(3500..=3505),
            E_IMAPI_UNEXPECTED_RESPONSE_FROM_DEVICE,
        ),
        (Fault::MediumRemoved, E_IMAPI_RECORDER_MEDIA_NO_MEDIA),
        (Fault::MediumChanged, E_IMAPI_RECORDER_MEDIA_BECOMING_READY),
        (Fault::Reset, E_IMAPI_UNEXPECTED_RESPONSE_FROM_DEVICE),
        (
            Fault::Hang {
                opcode: Some(WRITE10),
                count: 1,
            },
            E_IMAPI_RECORDER_COMMAND_TIMEOUT,
        ),
    ];
    for (fault, want) in cases {
        let name = format!("{fault:?}");
        let (err, written, _r) = with_fault(fault, 1000);
        assert_eq!(err.hresult(), want, "{name}: {err}");
        assert_eq!(err.last_written_lba(), Some(written as i32 - 1), "{name}");
        assert!((1000..4000).contains(&written), "{name}: {written}");
        assert!(err
            .to_string()
            .contains(&format!("last LBA written: {}", written - 1)));
        match err.kind() {
            ErrorKind::Sense(s) => assert!(!s.raw.is_empty(), "{name}"),
            ErrorKind::Transport(_) => assert_eq!(want, E_IMAPI_RECORDER_COMMAND_TIMEOUT),
            other => panic!("{name}: {other:?}"),
        }
    }
    // The medium error stops the write right before the bad range.
    let (err, written, _r) = with_fault(Fault::MediumError(2000..=2005), 0);
    assert!(written <= 2000);
    assert_eq!(
        err.sense_info().map(|s| (s.key(), s.code())),
        Some((SenseKey::MediumError, Asc::WRITE_ERROR))
    );
}

#[test]
fn long_write_storm_is_ridden_out() {
    let r = rig(Media::BdR, |c| c.speed_x(4.0));
    r.control.inject(Fault::LongWriteStorm(25));
    let e = r.engine();
    let data = pattern(0, 500);
    let last = e.write_section(&data[..], 0, 500).unwrap();
    assert_eq!(last.device_busy_count, 25);
    assert_eq!(r.read_back(0, 500), data);
}

#[test]
fn no_progress_watchdog() {
    let r = rig(Media::BdR, |c| c.speed_x(4.0));
    r.control.inject(Fault::LongWriteStorm(u32::MAX));
    let e = r.engine();
    let mut t = e.timing();
    t.no_progress_timeout = Duration::from_secs(3);
    e.set_timing(t).unwrap();
    let err = e.write_section(&pattern(0, 64)[..], 0, 64).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NoProgress(_)), "{err}");
    assert_eq!(err.hresult(), E_IMAPI_RECORDER_COMMAND_TIMEOUT);
    assert_eq!(err.last_written_lba(), Some(-1));
    // It waited about 3 simulated seconds, in drain-sized steps, not a spin.
    let busy = r.control.stats().long_write_in_progress;
    assert!(busy < 3000 && busy > 3, "{busy}");
}

#[test]
fn short_source_names_the_lba_and_writes_nothing_beyond() {
    let r = rig(Media::BdR, |c| c.speed_x(4.0));
    let e = r.engine();
    let mut data = pattern(0, 1000);
    data.extend_from_slice(&[0xEE; 100]); // a partial sector
    let err = e.write_section(&data[..], 0, 3000).unwrap_err();
    assert_eq!(err.hresult(), E_IMAPI_DF2DATA_STREAM_NOT_SUPPORTED);
    assert!(
        matches!(err.kind(), ErrorKind::SourceExhausted { lba: 1000 }),
        "{err}"
    );
    assert_eq!(err.last_written_lba(), Some(999));
    assert_eq!(r.control.stats().blocks_written, 1000);
    assert_eq!(r.read_back(0, 1000), data[..1000 * 2048]);
}

#[test]
fn source_error_is_reported() {
    struct Broken(usize);
    impl std::io::Read for Broken {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                return Err(std::io::Error::other("disk on fire"));
            }
            let n = buf.len().min(self.0);
            buf[..n].fill(1);
            self.0 -= n;
            Ok(n)
        }
    }
    let r = rig(Media::BdR, |c| c);
    let e = r.engine();
    let err = e.write_section(Broken(64 * 2048), 0, 1000).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Source(_)));
    assert_eq!(err.last_written_lba(), Some(63));
    assert!(err.to_string().contains("disk on fire"));
}
