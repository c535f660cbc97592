//! Speed, buffer and time on the simulated clock: deterministic, no sleeps.

mod common;

use std::time::Duration;

use common::*;
use discburn_mmc::device::{RequestSense, TestUnitReady};
use discburn_mmc::format::{FormatDescriptor, FormatParameterList, FormatType, FormatUnit};
use discburn_mmc::mode::{
    find_page, mode_select_list, CapabilitiesPage, ModeSelect10, ModeSense10, WriteParametersPage,
};
use discburn_mmc::rw::{SynchronizeCache10, Write10};
use discburn_mmc::sense::Sense;
use discburn_mmc::speed::{
    BufferCapacityBytes, GetPerformance, PerformanceData, PerformanceDescriptor,
    ReadBufferCapacity, RotationControl, SetCdSpeed, SetStreaming, WriteSpeedData,
};
use discburn_mmc::track::{Reservation, ReserveTrack};
use discburn_mmc::{Command, OpCode};

const GOOD: (u8, u8, u8) = (0, 0, 0);
const BD_1X_KBPS: f64 = 4495.5;

fn free_bytes(h: &mut Host) -> u32 {
    let b = h.data_in(&ReadBufferCapacity::bytes().emit(), 12).unwrap();
    BufferCapacityBytes::parse(&b).unwrap().available_length
}

fn write_perf(h: &mut Host) -> PerformanceData {
    let b = h
        .data_in(
            &GetPerformance::performance(true, 0, 16).emit(),
            8 + 16 * 16,
        )
        .unwrap();
    PerformanceData::parse(&b).unwrap()
}

fn current_write_kbps(h: &mut Host) -> u16 {
    let b = h
        .data_in(&ModeSense10::current(0x2A, 512).emit(), 512)
        .unwrap();
    find_page::<CapabilitiesPage>(&b)
        .unwrap()
        .current_write_kbps
}

/// Fills the 4 MiB buffer at `lba`, lets `dt` pass, returns the measured drain rate in
/// sectors/s.
fn drain_rate(h: &mut Host, lba: u32, dt: Duration) -> f64 {
    for i in 0..32u32 {
        assert_eq!(h.write(lba + i * 64, 64, 0), GOOD);
    }
    assert_eq!(free_bytes(h), 0);
    h.sim.advance(dt);
    f64::from(free_bytes(h)) / 2048.0 / dt.as_secs_f64()
}

#[test]
fn cav_drain_rate_matches_speed_at_start_and_end() {
    let mut h = Host::new("media=bd-r&speed=12x&buffer=4MiB");
    let perf = write_perf(&mut h);
    assert_eq!(perf.nominal.len(), 1);
    let d = perf.nominal[0];
    assert_eq!(d.start_lba, 0);
    assert_eq!(d.end_lba, 12_219_392 - 1);
    assert_eq!(d.end_kbps, (12.0 * BD_1X_KBPS).round() as u32);
    assert!((f64::from(d.start_kbps) - 12.0 * BD_1X_KBPS / 2.4).abs() < 2.0);
    let start_sps = f64::from(d.start_kbps) * 1000.0 / 2048.0;
    let end_sps = f64::from(d.end_kbps) * 1000.0 / 2048.0;
    // Start of the disc.
    let r = drain_rate(&mut h, 0, Duration::from_millis(50));
    assert!(
        (r / start_sps - 1.0).abs() < 0.02,
        "start: {r} vs {start_sps}"
    );
    assert_eq!(h.sync(), GOOD);
    // Reserve nearly all the disc so the next track starts at its very end (a track with
    // data must be closed first).
    assert_eq!(
        h.close(discburn_mmc::track::CloseFunction::CloseTrack, 1),
        GOOD
    );
    let nwa = h.nwa();
    let end = 12_219_392 - 4096;
    let r = ReserveTrack {
        reservation: Reservation::Size(end - nwa),
    }
    .emit();
    assert_eq!(h.none(&r), GOOD);
    assert_eq!(h.nwa(), end);
    let r = drain_rate(&mut h, end, Duration::from_millis(20));
    assert!((r / end_sps - 1.0).abs() < 0.02, "end: {r} vs {end_sps}");
}

#[test]
fn clv_drain_rate_and_sync_takes_the_drain_time() {
    let mut h = Host::new("media=dvd+r&speed=4x&buffer=2MiB");
    let sps = 4.0 * 1_385_000.0 / 2048.0;
    h.write_from_0(16, 64);
    let t0 = h.clock.now();
    assert_eq!(h.sync(), GOOD);
    let took = (h.clock.now() - t0).as_secs_f64();
    assert!((took - 1024.0 / sps).abs() < 1e-3, "{took}");
}

#[test]
fn speed_selection_rounds_down_to_an_offered_speed() {
    let mut h = Host::new("media=bd-r");
    // 16x BD (71,928 kB/s) saturates page 2Ah's 16-bit field.
    assert_eq!(current_write_kbps(&mut h), 0xFFFF);
    // The offered list (GET PERFORMANCE 03h), fastest first, CAV from 6x.
    let b = h
        .data_in(&GetPerformance::write_speeds(16).emit(), 8 + 16 * 16)
        .unwrap();
    let ws = WriteSpeedData::parse(&b).unwrap();
    let x: Vec<u32> = ws
        .descriptors
        .iter()
        .map(|d| (f64::from(d.write_kbps) / BD_1X_KBPS).round() as u32)
        .collect();
    assert_eq!(x, vec![16, 14, 12, 8, 6, 4, 2]);
    assert_eq!(ws.descriptors[0].wrc, RotationControl::Cav);
    assert_eq!(ws.descriptors[6].wrc, RotationControl::Clv);
    let stream = |h: &mut Host, kbps: u32| {
        let pd = PerformanceDescriptor::for_speed(RotationControl::Clv, 0, 12_219_391, kbps, kbps);
        let mut b = [0u8; 28];
        pd.emit(&mut b).unwrap();
        assert_eq!(h.data_out(&SetStreaming::performance().emit(), &b), GOOD);
        current_write_kbps(h)
    };
    assert_eq!(stream(&mut h, 10 * 4496), 35_964, "10x → 8x");
    assert_eq!(stream(&mut h, 8 * 4496), 35_964, "8x exactly");
    assert_eq!(stream(&mut h, 1000), 8_991, "below all → slowest (2x)");
    assert_eq!(stream(&mut h, 13 * 4496), 53_946, "13x → 12x");
    assert_eq!(stream(&mut h, 100_000), 0xFFFF, "above all → fastest (16x)");
    // The buffer drains at the newly selected speed.
    stream(&mut h, 2 * 4496);
    let r = drain_rate(&mut h, 0, Duration::from_millis(100));
    assert!(
        (r / (2.0 * BD_1X_KBPS * 1000.0 / 2048.0) - 1.0).abs() < 0.02,
        "{r}"
    );

    let mut cd = Host::new("media=cd-r");
    let set = |h: &mut Host, k: u16| {
        let c = SetCdSpeed {
            rotation: RotationControl::Clv,
            read_kbps: SetCdSpeed::MAX,
            write_kbps: k,
        };
        assert_eq!(h.none(&c.emit()), GOOD);
        current_write_kbps(h)
    };
    assert_eq!(set(&mut cd, 30 * 176), 4234, "30x → 24x");
    assert_eq!(
        set(&mut cd, 4 * 176),
        706,
        "4x (176 kB/s per x rounds to 4x)"
    );
    assert_eq!(set(&mut cd, SetCdSpeed::MAX), 8467, "max → 48x");
}

#[test]
fn underruns_are_counted_and_bufe_decides() {
    let mut h = Host::new("media=dvd+r&speed=16x");
    let ctl = h.d().control();
    assert_eq!(h.write(0, 16, 0), GOOD);
    h.sim.advance(Duration::from_secs(1)); // host stalls: buffer runs dry
    assert_eq!(h.write(16, 16, 0), GOOD, "BUFE: writing resumes");
    assert_eq!(ctl.stats().underruns, 1);
    // An idle buffer after SYNCHRONIZE CACHE is no underrun.
    assert_eq!(h.sync(), GOOD);
    h.sim.advance(Duration::from_secs(5));
    assert_eq!(h.write(32, 16, 0), GOOD);
    assert_eq!(ctl.stats().underruns, 1);

    // CD-R with BUFE off: loss of streaming on the next WRITE.
    let mut cd = Host::new("media=cd-r&speed=16x");
    let b = cd
        .data_in(&ModeSense10::current(0x05, 256).emit(), 256)
        .unwrap();
    let mut wp: WriteParametersPage = find_page(&b).unwrap();
    wp.bufe = false;
    let mut list = vec![0u8; 80];
    let n = mode_select_list(&wp, &mut list).unwrap();
    assert_eq!(
        cd.data_out(&ModeSelect10::new(n as u16).emit(), &list[..n]),
        GOOD
    );
    assert_eq!(cd.write(0, 16, 0), GOOD);
    cd.sim.advance(Duration::from_millis(10)); // 16 sectors at 16x take 13 ms: still busy
    assert_eq!(cd.write(16, 16, 0), GOOD);
    cd.sim.advance(Duration::from_secs(1));
    assert_eq!(cd.write(32, 16, 0), (3, 0x0C, 9));
    assert_eq!(cd.d().control().stats().underruns, 1);
}

#[test]
fn full_buffer_lwip_or_wait() {
    let mut h = Host::new("media=bd-r&speed=2x&buffer=1MiB&full=lwip");
    let ctl = h.d().control();
    h.write_from_0(8, 64);
    assert_eq!(h.write(512, 64, 0), (2, 4, 8));
    assert_eq!(ctl.stats().long_write_in_progress, 1);
    // 64 blocks at 2x drain in ~14.6 ms.
    h.sim.advance(Duration::from_millis(15));
    assert_eq!(h.write(512, 64, 0), GOOD);

    let mut w = Host::new("media=bd-r&speed=2x&buffer=1MiB&full=wait");
    let ctl = w.d().control();
    for i in 0..8u32 {
        assert_eq!(w.write(i * 64, 64, 0), GOOD);
    }
    let t0 = w.clock.now();
    assert_eq!(w.write(512, 64, 0), GOOD);
    let waited = w.clock.now() - t0;
    let expect = 64.0 / (2.0 * BD_1X_KBPS * 1000.0 / 2048.0);
    assert!((waited.as_secs_f64() - expect).abs() < 1e-4, "{waited:?}");
    assert_eq!(ctl.stats().buffer_wait, waited);
    assert_eq!(ctl.stats().long_write_in_progress, 0);
    assert_eq!(ctl.stats().underruns, 0);
}

fn progress(h: &mut Host) -> Option<((u8, u8, u8), u16)> {
    let c = h.run(&TestUnitReady.emit(), discburn_mmc::DataPhase::None);
    if c.is_good() {
        return None;
    }
    let s = Sense::parse(&c.sense).unwrap();
    Some(((u8::from(s.key), s.asc, s.ascq), s.progress().unwrap()))
}

#[test]
fn immed_sync_and_format_report_progress() {
    let mut h = Host::new("media=dvd+r&speed=4x");
    h.write_from_0(32, 64);
    let t0 = h.clock.now();
    assert_eq!(
        h.none(
            &SynchronizeCache10 {
                immed: true,
                lba: 0,
                blocks: 0
            }
            .emit()
        ),
        GOOD
    );
    assert_eq!(h.clock.now(), t0, "Immed returns at once");
    let total = 2048.0 / (4.0 * 1_385_000.0 / 2048.0);
    let (code, p0) = progress(&mut h).unwrap();
    assert_eq!(code, (2, 4, 7));
    h.sim.advance(Duration::from_secs_f64(total / 2.0));
    let (_, p1) = progress(&mut h).unwrap();
    assert!(p1 > p0 && (i32::from(p1) - 32768).abs() < 200, "{p1}");
    // Other commands are refused meanwhile; REQUEST SENSE reports the same progress.
    assert_eq!(h.write(2048, 1, 0).1, 4);
    let b = h.data_in(&RequestSense::default().emit(), 18).unwrap();
    let s = Sense::parse(&b).unwrap();
    assert_eq!((u8::from(s.key), s.asc, s.ascq), (2, 4, 7));
    assert!(s.progress().unwrap() >= p1);
    h.sim.advance(Duration::from_secs_f64(total));
    assert_eq!(progress(&mut h), None);
    assert_eq!(h.write(2048, 1, 0), GOOD);

    let mut re = Host::new("media=bd-re");
    let list = FormatParameterList::immediate(FormatDescriptor {
        number_of_blocks: 12_219_392,
        format_type: FormatType::BdReWithoutSpares,
        subtype: 0,
        type_dependent: 0,
    });
    let mut b = vec![0u8; list.buffer_len()];
    list.emit(&mut b).unwrap();
    assert_eq!(re.data_out(&FormatUnit::new().emit(), &b), GOOD);
    let (code, _) = progress(&mut re).unwrap();
    assert_eq!(code, (2, 4, 4));
    re.sim.advance(Duration::from_secs(600));
    assert_eq!(progress(&mut re), None);
}

#[test]
fn non_immed_close_past_timeout_times_out_and_finishes_in_background() {
    let mut h = Host::new("media=dvd+r&speed=4x");
    assert_eq!(h.write(0, 16, 0), GOOD);
    let cdb = discburn_mmc::track::CloseTrackSession {
        immed: false,
        function: discburn_mmc::track::CloseFunction::CloseSession,
        number: 0,
    }
    .emit();
    let r = h.d().execute_timeout(&cdb, Duration::from_secs(1));
    assert!(matches!(r, Err(discburn_mmc::TransportError::Timeout(_))));
    assert!(progress(&mut h).is_some(), "still closing");
    h.sim.advance(Duration::from_secs(60));
    assert_eq!(progress(&mut h), None);
    assert_eq!(h.disc_info().sessions, 2);
}

#[test]
fn unthrottled_never_waits() {
    let mut h = Host::new("media=bd-r&throttle=off&buffer=64KiB");
    h.write_from_0(64, 32);
    assert_eq!(h.sync(), GOOD);
    assert_eq!(h.clock.now(), Duration::ZERO);
    let s = h.d().control().stats();
    assert_eq!((s.writes, s.blocks_written, s.underruns), (64, 2048, 0));
    assert_eq!(s.count(OpCode::Write10), 64);
    assert_eq!(s.current_speed_sectors_per_second, None);
    let _ = Write10 {
        lba: 0,
        blocks: 0,
        dpo: false,
        fua: false,
    };
}
