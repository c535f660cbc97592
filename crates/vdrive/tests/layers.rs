//! Dual- and multi-layer media (issue 15): DVD±R DL with the layer boundary a host sets
//! with SEND DISC STRUCTURE 20h before the first write (growisofs `-dvd-compat`), BD-R/RE
//! DL, TL and QL with a DI unit per layer, profiles and features, the layer change in the
//! write speed.

mod common;

use common::*;
use discburn_mmc::config::{Configuration, FeatureCode, GetConfiguration};
use discburn_mmc::disc::{
    BdDiscInformation, DiscStructureMedia, DvdPhysicalFormat, LayerBoundary, ReadDiscStructure,
    SendDiscStructure, StructureList,
};
use discburn_mmc::profile::Profile;
use discburn_mmc::speed::{GetPerformance, PerformanceData};
use discburn_mmc::track::{CloseFunction, TrackAddress};
use discburn_mmc::Command;

const GOOD: (u8, u8, u8) = (0, 0, 0);
const L0: u32 = 2_086_912;

fn boundary(h: &mut Host) -> Result<LayerBoundary, (u8, u8, u8)> {
    structure(h, DiscStructureMedia::Dvd, 0x20).map(|b| LayerBoundary::parse(&b).unwrap())
}

fn send_boundary(h: &mut Host, sectors: u32) -> (u8, u8, u8) {
    let b = LayerBoundary {
        fixed: false,
        layer0_sectors: sectors,
    };
    let mut list = [0u8; LayerBoundary::LEN];
    b.emit(&mut list).unwrap();
    let c = SendDiscStructure {
        media_type: DiscStructureMedia::Dvd,
        format: LayerBoundary::FORMAT,
        parameter_length: LayerBoundary::LEN as u16,
        agid: 0,
    };
    h.data_out(&c.emit(), &list)
}

fn config(h: &mut Host) -> Configuration {
    Configuration::parse(
        &h.data_in(&GetConfiguration::all(4096).emit(), 4096)
            .unwrap(),
    )
    .unwrap()
}

fn free_blocks(h: &mut Host) -> u32 {
    h.track_info(TrackAddress::Track(1)).unwrap().free_blocks
}

#[test]
fn dvd_plus_r_dl_reports_what_a_real_drive_does() {
    let mut h = Host::new("media=dvd+r-dl");
    let c = config(&mut h);
    assert_eq!(c.current_profile, Profile::DvdPlusRDl);
    assert!(c
        .feature(FeatureCode::DvdPlusRDualLayer)
        .is_some_and(|f| f.current));
    assert!(c.feature(FeatureCode::DvdPlusR).is_some_and(|f| f.current));
    // As the Pioneer DVR-111D dump: free blocks 4,173,824, L0 2,086,912 "can still be set".
    assert_eq!(free_blocks(&mut h), 2 * L0);
    let b = boundary(&mut h).unwrap();
    assert_eq!((b.fixed, b.layer0_sectors), (false, L0));
    let pfi =
        DvdPhysicalFormat::parse(&structure(&mut h, DiscStructureMedia::Dvd, 0).unwrap()).unwrap();
    assert_eq!((pfi.layers, pfi.opposite_track_path), (2, true));
    assert_eq!(pfi.layer0_sectors(), Some(L0));
    // Layer 1's descriptor exists, layer 2's does not.
    let layer = |h: &mut Host, layer: u8| {
        let c = ReadDiscStructure {
            media_type: DiscStructureMedia::Dvd,
            address: 0,
            layer,
            format: 0,
            alloc: 4100,
            agid: 0,
        };
        h.data_in(&c.emit(), 4100).map(|_| ())
    };
    assert_eq!(layer(&mut h, 1), Ok(()));
    assert_eq!(layer(&mut h, 2), Err((5, 0x24, 0)));
    let list =
        StructureList::parse(&structure(&mut h, DiscStructureMedia::Dvd, 0xFF).unwrap()).unwrap();
    assert!(list.readable(0x20) && list.readable(0x11));
    assert!(list.entries.iter().any(|e| e.format == 0x20 && e.sds));
    // A single-layer DVD+R has no boundary.
    let mut sl = Host::new("media=dvd+r");
    assert_eq!(boundary(&mut sl), Err((5, 0x24, 0)));
    assert_eq!(send_boundary(&mut sl, 100_000), (5, 0x24, 0));
}

#[test]
fn the_layer_boundary_is_set_once_before_the_first_write_and_survives_a_reopen() {
    let mut h = Host::new("media=dvd+r-dl");
    // Not whole ECC blocks, zero, more than Layer 0 holds: refused, nothing changes.
    for bad in [1_000_001, 0, L0 + 16] {
        assert_eq!(send_boundary(&mut h, bad), (5, 0x26, 0), "{bad}");
    }
    assert_eq!(free_blocks(&mut h), 2 * L0);
    // growisofs' split of a 3,000,000-sector image.
    let split = LayerBoundary::balanced(3_000_000, L0).unwrap();
    assert_eq!(split, 1_500_000);
    assert_eq!(send_boundary(&mut h, split), GOOD);
    let b = boundary(&mut h).unwrap();
    assert_eq!((b.fixed, b.layer0_sectors), (true, split));
    assert_eq!(free_blocks(&mut h), 2 * split);
    assert_eq!(send_boundary(&mut h, 1_600_000), (5, 0x2C, 0));
    h.open();
    assert_eq!(boundary(&mut h).unwrap().layer0_sectors, split);
    assert_eq!(free_blocks(&mut h), 3_000_000);
    // A write past twice Layer 0 is out of the disc.
    assert_eq!(h.write(0, 16, 1), GOOD);
    assert_eq!(h.write(16, 16, 2), GOOD);
    assert_eq!(h.write(3_000_000 - 16, 16, 3).0, 5);

    // Written first: too late to set it, and the Init Status says so.
    let mut w = Host::new("media=dvd-r-dl");
    assert!(!boundary(&mut w).unwrap().fixed);
    assert_eq!(w.write(0, 16, 7), GOOD);
    assert!(boundary(&mut w).unwrap().fixed);
    assert_eq!(send_boundary(&mut w, 1_000_000), (5, 0x2C, 0));
    assert_eq!(w.sync(), GOOD);
    assert_eq!(w.close(CloseFunction::CloseTrack, 1), GOOD);
}

#[test]
fn dvd_minus_r_dl_answers_growisofs_layer_questions() {
    let mut h = Host::new("media=dvd-r-dl");
    let c = config(&mut h);
    assert_eq!(c.current_profile, Profile::DvdRDlSequential);
    assert!(c
        .feature(FeatureCode::DvdMinusRWrite)
        .is_some_and(|f| f.current));
    // growisofs reads format 10h bytes 4+13..15 for the Layer 0 end on profile 15h.
    let pfi = structure(&mut h, DiscStructureMedia::Dvd, 0x10).unwrap();
    let end = u32::from(pfi[17]) << 16 | u32::from(pfi[18]) << 8 | u32::from(pfi[19]);
    assert_eq!(end, 0x03_0000 + 2_085_856 - 1);
    assert_eq!(free_blocks(&mut h), 4_171_712);
}

#[test]
fn bd_multi_layer_discs_carry_a_di_unit_per_layer_and_format_with_more_spares() {
    for (media, layers, capacity, profile) in [
        ("bd-r-dl", 2, 24_438_784, Profile::BdRSrm),
        ("bd-r-tl", 3, 48_878_592, Profile::BdRSrm),
        ("bd-r-ql", 4, 62_500_864, Profile::BdRSrm),
        ("bd-re-dl", 2, 24_438_784, Profile::BdRe),
        ("bd-re-tl", 3, 48_878_592, Profile::BdRe),
    ] {
        let mut h = Host::new(&format!("media={media}"));
        assert_eq!(config(&mut h).current_profile, profile, "{media}");
        let di = BdDiscInformation::parse(&structure(&mut h, DiscStructureMedia::Bd, 0).unwrap())
            .unwrap();
        assert_eq!(di.layers(), layers, "{media}");
        assert_eq!(
            di.units.len(),
            usize::from(layers) * BdDiscInformation::RECORDABLE_UNIT_LEN,
            "{media}"
        );
        assert!(di.has_recordable_trailer());
        if profile == Profile::BdRSrm {
            assert_eq!(free_blocks(&mut h), capacity, "{media}");
        }
        assert_eq!(
            boundary(&mut h),
            Err((5, 0x30, 2)),
            "{media}: a DVD structure on BD"
        );
    }
}

#[test]
fn the_write_speed_changes_direction_at_each_layer_and_dips_between() {
    let mut h = Host::new("media=bd-r-dl&speed=8x");
    let cdb = GetPerformance::performance(true, 0, 16).emit();
    let p = PerformanceData::parse(&h.data_in(&cdb, 8 + 16 * 16).unwrap()).unwrap();
    // 8x CAV: Layer 0 rises inside out, Layer 1 falls back in; no descriptor for the jump.
    assert_eq!(p.nominal.len(), 2, "{:?}", p.nominal);
    let (l0, l1) = (&p.nominal[0], &p.nominal[1]);
    assert!(l0.start_kbps < l0.end_kbps && l1.start_kbps > l1.end_kbps);
    assert_eq!(l0.end_lba + 1 + 32, l1.start_lba);
    assert_eq!(l1.end_lba, 24_438_784 - 1);
    assert!(l1.start_kbps.abs_diff(l0.end_kbps) * 100 < l0.end_kbps);
}

/// Seconds from the first WRITE of `blocks` sectors at `lba` (32 at a time) until
/// SYNCHRONIZE CACHE returns: what writing them takes, drive buffer drained.
fn timed_run(h: &mut Host, lba: u32, blocks: u32) -> f64 {
    let t0 = h.clock.now();
    for i in (0..blocks).step_by(32) {
        assert_eq!(h.write(lba + i, 32, (i / 32) as u8), GOOD);
    }
    assert_eq!(h.sync(), GOOD);
    (h.clock.now() - t0).as_secs_f64()
}

#[test]
fn writing_through_the_layer_change_takes_about_a_second_more() {
    use discburn_mmc::track::{Reservation, ReserveTrack};
    // 2x CLV: the same speed on both layers, so only the change itself costs time.
    let mut h = Host::new("media=bd-r-dl&speed=2x&buffer=4MiB");
    let l0 = 12_219_392;
    let r = ReserveTrack {
        reservation: Reservation::Size(l0 - 1024),
    }
    .emit();
    assert_eq!(h.none(&r), GOOD);
    assert_eq!(h.nwa(), l0 - 1024);
    let across = timed_run(&mut h, l0 - 1024, 2048);
    let after = timed_run(&mut h, l0 + 1024, 2048);
    assert!(
        (across - after - 1.0).abs() < 0.2,
        "across the break {across:.3} s, after it {after:.3} s"
    );
    // And the data landed on both sides of it.
    assert_eq!(h.read(l0 - 1, 2).map(|b| b.len()), Ok(2 * 2048));
}

#[test]
fn dvd_plus_rw_dl_formats_like_dvd_plus_rw_over_both_layers() {
    let mut h = Host::new("media=dvd+rw-dl");
    let c = config(&mut h);
    assert_eq!(c.current_profile, Profile::DvdPlusRwDl);
    assert!(c
        .feature(FeatureCode::DvdPlusRwDualLayer)
        .is_some_and(|f| f.current));
    assert!(!c
        .feature(FeatureCode::DvdPlusRDualLayer)
        .is_some_and(|f| f.current));
    let pfi =
        DvdPhysicalFormat::parse(&structure(&mut h, DiscStructureMedia::Dvd, 0).unwrap()).unwrap();
    assert_eq!((pfi.layers, pfi.layer0_sectors()), (2, Some(L0)));
    // Its layers are fixed: no boundary to read or set.
    assert_eq!(boundary(&mut h), Err((5, 0x24, 0)));
    assert_eq!(send_boundary(&mut h, 1_000_000), (5, 0x24, 0));
}
