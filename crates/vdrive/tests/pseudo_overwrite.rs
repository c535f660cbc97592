//! BD-R pseudo-overwrite (SRM+POW, MMC-6 §4.5.3.4): FORMAT UNIT type 32h with sub-type 00b
//! makes feature 0038h current, and a WRITE below the NWA of the open track replaces the
//! recorded sectors — what `growisofs -M` does on a BD-R when it rewrites the volume
//! descriptors at LBA 16 after appending a session.

mod common;

use common::*;
use discburn_mmc::config::{Configuration, FeatureCode, GetConfiguration};
use discburn_mmc::format::{FormatDescriptor, FormatParameterList, FormatType, FormatUnit};
use discburn_mmc::track::{CloseFunction, TrackAddress};
use discburn_mmc::Command;

const GOOD: (u8, u8, u8) = (0, 0, 0);
const SPARES: u32 = 131_072;
const USER: u32 = 12_219_392 - SPARES;

fn format_bd_r(h: &mut Host, subtype: u8) -> (u8, u8, u8) {
    let list = FormatParameterList::immediate(FormatDescriptor {
        number_of_blocks: USER,
        format_type: FormatType::BdRWithSpares,
        subtype,
        type_dependent: SPARES,
    });
    let list = FormatParameterList {
        immed: false,
        ..list
    };
    let mut b = vec![0u8; list.buffer_len()];
    list.emit(&mut b).unwrap();
    h.data_out(&FormatUnit::new().emit(), &b)
}

fn pow_current(h: &mut Host) -> Option<bool> {
    let b = h
        .data_in(&GetConfiguration::all(4096).emit(), 4096)
        .unwrap();
    let c = Configuration::parse(&b).unwrap();
    c.features
        .iter()
        .find(|f| f.code() == FeatureCode::BdRPseudoOverwrite)
        .map(|f| f.current)
}

#[test]
fn srm_plus_pow_rewrites_below_the_nwa_and_appends_past_it() {
    let mut h = Host::new("media=bd-r");
    assert_eq!(
        pow_current(&mut h),
        Some(false),
        "listed, not current, while blank"
    );
    assert_eq!(format_bd_r(&mut h, 0b00), GOOD);
    assert_eq!(pow_current(&mut h), Some(true));

    // A first session as growisofs -Z leaves it: written, the track closed, the session
    // left open.
    assert_eq!(h.write(0, 64, 1), GOOD);
    assert_eq!(h.sync(), GOOD);
    assert_eq!(h.close(CloseFunction::CloseTrack, 1), GOOD);
    assert_eq!(h.nwa(), 64);

    // The appended session at the NWA, then the descriptors at 16 rewritten in place.
    assert_eq!(h.write(64, 32, 2), GOOD);
    assert_eq!(h.write(16, 16, 3), GOOD);
    assert_eq!(h.read(16, 16).unwrap(), pattern(16, 16, 3));
    assert_eq!(h.read(0, 16).unwrap(), pattern(0, 16, 1), "the rest stays");
    assert_eq!(h.nwa(), 96, "a rewrite below the NWA does not move it");

    // A WRITE that starts below the NWA and runs past it extends the open track.
    assert_eq!(h.write(90, 16, 4), GOOD);
    assert_eq!(h.nwa(), 106);
    assert_eq!(h.read(90, 16).unwrap(), pattern(90, 16, 4));
    let t = h.track_info(TrackAddress::INVISIBLE).unwrap();
    assert_eq!(t.free_blocks, USER - 106);

    // Past the NWA without touching it is still refused, as on any sequential medium.
    assert_eq!(h.write(200, 1, 5), (5, 0x21, 2));

    // The state survives a reopen.
    h.open();
    assert_eq!(pow_current(&mut h), Some(true));
    assert_eq!(h.write(16, 16, 6), GOOD);
    assert_eq!(h.read(16, 16).unwrap(), pattern(16, 16, 6));
}

#[test]
fn srm_without_pow_and_unformatted_bd_r_stay_write_once() {
    for subtype in [None, Some(0b01)] {
        let mut h = Host::new("media=bd-r");
        if let Some(s) = subtype {
            assert_eq!(format_bd_r(&mut h, s), GOOD);
        }
        assert_eq!(pow_current(&mut h), Some(false), "{subtype:?}");
        assert_eq!(h.write(0, 64, 1), GOOD);
        assert_eq!(
            h.write(16, 16, 3),
            (5, 0x21, 2),
            "{subtype:?}: below the NWA is refused"
        );
        assert_eq!(h.read(16, 1).unwrap(), pattern(16, 1, 1));
    }
}
