//! READ timing on the simulated clock: the read speed profile, seeks, read-ahead, speed
//! selection and GET PERFORMANCE (read) — deterministic, no sleeps.

mod common;

use std::time::Duration;

use common::*;
use discburn_mmc::mode::{find_page, CapabilitiesPage, ModeSense10};
use discburn_mmc::profile::MediaFamily;
use discburn_mmc::speed::{
    field_sector_bytes, GetPerformance, PerformanceData, PerformanceDescriptor, RotationControl,
    SetCdSpeed, SetStreaming,
};
use discburn_mmc::Command;

const GOOD: (u8, u8, u8) = (0, 0, 0);
const DVD_1X_KBPS: f64 = 1385.0;
/// DVD-RAM (sold formatted: every LBA reads) single-sided capacity.
const RAM_CAP: u32 = 2_236_704;

fn read_perf(h: &mut Host, start: u32) -> PerformanceData {
    let cdb = GetPerformance::performance(false, start, 16).emit();
    PerformanceData::parse(&h.data_in(&cdb, 8 + 16 * 16).unwrap()).unwrap()
}

fn sps(family: MediaFamily, kbps: u32) -> f64 {
    f64::from(kbps) * 1000.0 / f64::from(field_sector_bytes(family))
}

/// Seconds one READ of `blocks` at `lba` takes.
fn timed_read(h: &mut Host, lba: u32, blocks: u16) -> f64 {
    let t0 = h.clock.now();
    h.read(lba, blocks).unwrap();
    (h.clock.now() - t0).as_secs_f64()
}

/// Sectors/s of four sequential 256-block READs at `lba` (after one READ that seeks there).
fn read_rate(h: &mut Host, lba: u32) -> f64 {
    timed_read(h, lba, 256);
    let t: f64 = (1..=4).map(|i| timed_read(h, lba + i * 256, 256)).sum();
    1024.0 / t
}

fn capabilities(h: &mut Host) -> CapabilitiesPage {
    let b = h
        .data_in(&ModeSense10::current(0x2A, 512).emit(), 512)
        .unwrap();
    find_page::<CapabilitiesPage>(&b).unwrap()
}

#[test]
fn read_rate_follows_get_performance_inner_and_outer() {
    let mut h = Host::new("media=dvd-ram");
    let perf = read_perf(&mut h, 0);
    assert!(!perf.write);
    assert_eq!(perf.nominal.len(), 1);
    let d = perf.nominal[0];
    assert_eq!((d.start_lba, d.end_lba), (0, RAM_CAP - 1));
    // CAV 5x: 5x/2.4 at the inner edge; the 4.7 GB DVD-RAM ends a little inside the
    // outer radius of a DVD±R, so just under 5x there.
    assert!(
        (f64::from(d.start_kbps) - 5.0 * DVD_1X_KBPS / 2.4).abs() < 2.0,
        "{d:?}"
    );
    let top = 5.0 * DVD_1X_KBPS;
    assert!(
        f64::from(d.end_kbps) <= top && f64::from(d.end_kbps) > 0.98 * top,
        "{d:?}"
    );
    let (start_sps, end_sps) = (
        sps(MediaFamily::Dvd, d.start_kbps),
        sps(MediaFamily::Dvd, d.end_kbps),
    );
    let r = read_rate(&mut h, 0);
    assert!(
        (r / start_sps - 1.0).abs() < 0.02,
        "inner: {r} vs {start_sps}"
    );
    let r = read_rate(&mut h, RAM_CAP - 1280);
    assert!((r / end_sps - 1.0).abs() < 0.02, "outer: {r} vs {end_sps}");
    // The page 2Ah figures are the same speed.
    let cap = capabilities(&mut h);
    assert_eq!((cap.current_read_kbps, cap.max_read_kbps), (6925, 6925));
    // Starting further in reports from there.
    let mid = read_perf(&mut h, RAM_CAP / 2);
    assert_eq!(mid.nominal.len(), 1);
}

#[test]
fn a_non_sequential_read_pays_the_seek() {
    let mut h = Host::new("media=dvd-ram");
    let perf = read_perf(&mut h, 0).nominal[0];
    let inner = sps(MediaFamily::Dvd, perf.start_kbps);
    let outer = sps(MediaFamily::Dvd, perf.end_kbps);
    // The first READ lands from the parked pickup at LBA 0: settle only (10 ms).
    let t = timed_read(&mut h, 0, 16);
    assert!((t - 16.0 / inner - 0.010).abs() < 1e-3, "{t}");
    // Sequential: no seek.
    let t = timed_read(&mut h, 16, 16);
    assert!((t - 16.0 / inner).abs() < 1e-4, "{t}");
    // Across the disc: nearly the DVD full stroke (120 ms).
    let t = timed_read(&mut h, RAM_CAP - 16, 16) - 16.0 / outer;
    assert!(t > 0.110 && t <= 0.120 + 1e-4, "far seek {t}");
    // A short jump back: settle and little more.
    let t = timed_read(&mut h, RAM_CAP - 2000, 16) - 16.0 / outer;
    assert!((0.010 - 1e-4..0.020).contains(&t), "near seek {t}");
    // Half way back in: in between, more than the near and less than the far one.
    let t = timed_read(&mut h, RAM_CAP / 2, 16);
    assert!(t > 0.05 && t < 0.11, "mid seek {t}");
    let s = h.d().control().stats();
    assert_eq!((s.reads, s.blocks_read, s.seeks), (5, 80, 4));
}

#[test]
fn reads_after_writing_seek_from_where_writing_ended() {
    let mut h = Host::new("media=bd-r&speed=2x");
    h.write_from_0(64, 64);
    assert_eq!(h.sync(), GOOD);
    // Verify from LBA 0 seeks back 4096 sectors: a short seek, more than the settle.
    let perf = read_perf(&mut h, 0).nominal[0];
    let inner = sps(MediaFamily::Bd, perf.start_kbps);
    let t = timed_read(&mut h, 0, 32) - 32.0 / inner;
    assert!(t > 0.010 && t < 0.03, "{t}");
    assert_eq!(h.read(32, 32).unwrap(), pattern(32, 32, 0));
    assert_eq!(h.d().control().stats().seeks, 1);
}

#[test]
fn a_read_during_a_write_stream_burns_the_buffer_first() {
    let mut h = Host::new("media=bd-r&speed=2x&buffer=4MiB");
    h.write_from_0(32, 64);
    // 2048 blocks at 2x CLV (≈ 0.47 s) before the READ can start.
    let burn = 2048.0 / (2.0 * 4495.5 * 1000.0 / 2048.0);
    let perf = read_perf(&mut h, 0).nominal[0];
    let read = 16.0 / sps(MediaFamily::Bd, perf.start_kbps);
    let t = timed_read(&mut h, 0, 16);
    assert!(
        t > burn + read + 0.010 && t < burn + read + 0.03,
        "{t} vs {burn}"
    );
    // The stream ended there: waiting afterwards is no underrun.
    h.sim.advance(Duration::from_secs(5));
    assert_eq!(h.write(2048, 64, 0), GOOD);
    assert_eq!(h.d().control().stats().underruns, 0);
}

#[test]
fn read_ahead_serves_a_paused_host_at_once() {
    let mut h = Host::new("media=dvd-ram&buffer=2MiB");
    timed_read(&mut h, 0, 64);
    // The host takes a second to use the data: the drive fills its 2 MiB meanwhile.
    h.sim.advance(Duration::from_secs(1));
    assert_eq!(timed_read(&mut h, 64, 512), 0.0);
    assert_eq!(timed_read(&mut h, 576, 512), 0.0);
    // Past the 1024 blocks read ahead, the drive reads at the speed again.
    assert!(timed_read(&mut h, 1088, 64) > 0.0);
    assert_eq!(h.d().control().stats().seeks, 1);
}

#[test]
fn unthrottled_reads_are_instant() {
    let mut h = Host::new("media=dvd-ram&throttle=off");
    for lba in [0, RAM_CAP - 512, 1000, RAM_CAP / 2] {
        assert_eq!(h.read(lba, 512).unwrap().len(), 512 * 2048);
    }
    assert_eq!(h.clock.now(), Duration::ZERO);
    let s = h.d().control().stats();
    assert_eq!((s.reads, s.seeks, s.read_time), (4, 0, Duration::ZERO));
}

#[test]
fn set_streaming_and_set_cd_speed_select_the_read_speed() {
    let mut h = Host::new("media=dvd-ram");
    let stream_read = |h: &mut Host, kbps: u32| {
        let mut pd = PerformanceDescriptor::for_speed(RotationControl::Clv, 0, RAM_CAP, kbps, 0);
        pd.write_time = 0; // read only: the write speed stays
        let mut b = [0u8; 28];
        pd.emit(&mut b).unwrap();
        assert_eq!(h.data_out(&SetStreaming::performance().emit(), &b), GOOD);
        read_perf(h, 0).nominal
    };
    let write_before = capabilities(&mut h).current_write_kbps;
    // 4x rounds down to the offered 3x, read CLV: one flat descriptor ...
    let n = stream_read(&mut h, 4 * 1385);
    assert_eq!(n.len(), 1);
    assert_eq!((n[0].start_kbps, n[0].end_kbps), (4155, 4155));
    assert_eq!(capabilities(&mut h).current_read_kbps, 4155);
    assert_eq!(capabilities(&mut h).max_read_kbps, 6925);
    // ... and READ takes that time everywhere.
    let r = read_rate(&mut h, 0);
    assert!((r / sps(MediaFamily::Dvd, 4155) - 1.0).abs() < 0.02, "{r}");
    let r = read_rate(&mut h, RAM_CAP - 1280);
    assert!((r / sps(MediaFamily::Dvd, 4155) - 1.0).abs() < 0.02, "{r}");
    assert_eq!(capabilities(&mut h).current_write_kbps, write_before);
    assert_eq!(h.d().control().stats().selected_read_speed_kbps, 4155);
    // Below every offered speed: the slowest (2x).
    let slowest = stream_read(&mut h, 100)[0].end_kbps;
    assert!(slowest.abs_diff(2770) <= 2, "{slowest}");
    // Restore Drive Defaults: the fastest again (CAV).
    let mut pd = PerformanceDescriptor::for_speed(RotationControl::Clv, 0, 0, 0, 0);
    pd.rdd = true;
    let mut b = [0u8; 28];
    pd.emit(&mut b).unwrap();
    assert_eq!(h.data_out(&SetStreaming::performance().emit(), &b), GOOD);
    let n = read_perf(&mut h, 0).nominal;
    assert!(n[0].start_kbps < n[0].end_kbps);
    // Neither a read nor a write rate: invalid.
    let pd = PerformanceDescriptor {
        read_time: 0,
        write_time: 0,
        ..PerformanceDescriptor::for_speed(RotationControl::Clv, 0, 0, 0, 0)
    };
    pd.emit(&mut b).unwrap();
    assert_eq!(
        h.data_out(&SetStreaming::performance().emit(), &b),
        (5, 0x26, 0)
    );

    // SET CD SPEED on a CD: 20x reads at 16x CLV; FFFFh is 48x CAV.
    let mut cd = Host::new("media=cd-r");
    let set = |h: &mut Host, read: u16| {
        let c = SetCdSpeed {
            rotation: RotationControl::Clv,
            read_kbps: read,
            write_kbps: SetCdSpeed::MAX,
        };
        assert_eq!(h.none(&c.emit()), GOOD);
        read_perf(h, 0).nominal[0]
    };
    let d = set(&mut cd, 20 * 176);
    assert_eq!((d.start_kbps, d.end_kbps), (2822, 2822));
    let d = set(&mut cd, SetCdSpeed::MAX);
    assert_eq!(d.end_kbps, 8467);
    assert!(
        (f64::from(d.start_kbps) - 8467.0 / 2.4).abs() < 2.0,
        "{d:?}"
    );
}

#[test]
fn a_short_foreign_image_reads_at_inner_speed() {
    let mut h = Host::foreign("media=bd-r", "small.iso", &pattern(0, 4096, 0x11));
    let n = read_perf(&mut h, 0).nominal;
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].end_lba, 4095);
    // 12x BD-ROM CAV: 5x at the inner edge, barely more 8 MiB further out.
    let inner = 12.0 * 4495.5 / 2.4;
    assert!((f64::from(n[0].start_kbps) - inner).abs() < 2.0, "{n:?}");
    assert!(f64::from(n[0].end_kbps) < inner * 1.01, "{n:?}");
    let r = read_rate(&mut h, 0);
    assert!((r / sps(MediaFamily::Bd, n[0].start_kbps) - 1.0).abs() < 0.02);
}
