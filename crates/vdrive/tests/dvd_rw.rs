//! DVD-RW (MMC-6 §4.5.4): sold blank and sequential (profile 0014h, written as DVD-R is:
//! incremental with link size 16, or DAO into a reserved track), made restricted
//! overwrite (0013h) by FORMAT UNIT 15h/10h and sequential again by BLANK. Restricted
//! overwrite takes WRITEs that start and end on a 16-sector (32 KiB) boundary only.

mod common;

use common::*;
use discburn_mmc::config::{Configuration, FeatureBody, FeatureCode, GetConfiguration};
use discburn_mmc::device::TestUnitReady;
use discburn_mmc::disc::DiscStatus;
use discburn_mmc::format::{
    Blank, FormatCapacities, FormatDescriptor, FormatParameterList, FormatType, FormatUnit,
    ReadFormatCapacities,
};
use discburn_mmc::mode::{DataBlockType, MultiSession, WriteType};
use discburn_mmc::profile::Profile;
use discburn_mmc::rw::{ReadCapacity10, ReadCapacityData};
use discburn_mmc::sense::Sense;
use discburn_mmc::track::{CloseFunction, Reservation, ReserveTrack, TrackAddress};
use discburn_mmc::Command;
use std::time::Duration;

const GOOD: (u8, u8, u8) = (0, 0, 0);
const CAPACITY: u32 = 2_298_496;
const INVALID_ADDRESS_FOR_WRITE: (u8, u8, u8) = (5, 0x21, 2);

fn config(h: &mut Host) -> Configuration {
    let b = h
        .data_in(&GetConfiguration::all(4096).emit(), 4096)
        .unwrap();
    Configuration::parse(&b).unwrap()
}

/// Whether feature `code` is listed, and current.
fn feature(c: &Configuration, code: FeatureCode) -> Option<bool> {
    c.features
        .iter()
        .find(|f| f.code() == code)
        .map(|f| f.current)
}

fn profiles(c: &Configuration) -> Vec<(Profile, bool)> {
    c.features
        .iter()
        .find_map(|f| match &f.body {
            FeatureBody::ProfileList(l) => Some(l.iter().map(|p| (p.profile, p.current)).collect()),
            _ => None,
        })
        .unwrap()
}

fn format_capacities(h: &mut Host) -> FormatCapacities {
    let b = h.data_in(&ReadFormatCapacities::all().emit(), 252).unwrap();
    FormatCapacities::parse(&b).unwrap()
}

/// FORMAT UNIT of `format_type` with `blocks` (0: what dvd+rw-format sends for a quick
/// format), Immed as dvd+rw-format sets it.
fn format(h: &mut Host, format_type: FormatType, blocks: u32) -> (u8, u8, u8) {
    let list = FormatParameterList::immediate(FormatDescriptor {
        number_of_blocks: blocks,
        format_type,
        subtype: 0,
        type_dependent: 16,
    });
    let mut b = vec![0u8; list.buffer_len()];
    list.emit(&mut b).unwrap();
    h.data_out(&FormatUnit::new().emit(), &b)
}

/// TEST UNIT READY's sense and progress while an Immed operation runs; `None` once ready.
fn progress(h: &mut Host) -> Option<((u8, u8, u8), u16)> {
    let c = h.run(&TestUnitReady.emit(), discburn_mmc::DataPhase::None);
    if c.is_good() {
        return None;
    }
    let s = Sense::parse(&c.sense).unwrap();
    Some(((u8::from(s.key), s.asc, s.ascq), s.progress()?))
}

/// Lets an Immed operation run to its end, checking it reports rising progress.
fn wait_ready(h: &mut Host) {
    let (_, mut last) = progress(h).expect("the operation runs in the background");
    for _ in 0..10_000 {
        h.sim.advance(Duration::from_secs(5));
        match progress(h) {
            None => return,
            Some((_, p)) => {
                assert!(p >= last, "progress went back: {p} < {last}");
                last = p;
            }
        }
    }
    panic!("the operation never ended");
}

fn last_lba(h: &mut Host) -> u32 {
    let b = h.data_in(&ReadCapacity10.emit(), 8).unwrap();
    ReadCapacityData::parse(&b).unwrap().last_lba
}

#[test]
fn sold_sequential_with_both_profiles_listed() {
    let mut h = Host::new("media=dvd-rw");
    let c = config(&mut h);
    assert_eq!(c.current_profile, Profile::DvdRwSequential);
    let p = profiles(&c);
    assert!(p.contains(&(Profile::DvdRwSequential, true)), "{p:?}");
    assert!(
        p.contains(&(Profile::DvdRwRestrictedOverwrite, false)),
        "{p:?}"
    );
    assert_eq!(
        feature(&c, FeatureCode::IncrementalStreamingWritable),
        Some(true)
    );
    assert_eq!(feature(&c, FeatureCode::Formattable), Some(true));
    assert_eq!(
        feature(&c, FeatureCode::RigidRestrictedOverwrite),
        Some(false)
    );
    let write = c
        .features
        .iter()
        .find_map(|f| match &f.body {
            FeatureBody::DvdMinusRWrite(w) => Some((f.current, *w)),
            _ => None,
        })
        .unwrap();
    assert!(write.0 && write.1.dvd_rw_sl, "{write:?}");
    let links = c
        .features
        .iter()
        .find_map(|f| match &f.body {
            FeatureBody::IncrementalStreamingWritable(i) => Some(i.link_sizes.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(links, vec![16]);
    let t = h.track_info(TrackAddress::INVISIBLE).unwrap();
    assert_eq!((t.nwa, t.free_blocks), (Some(0), CAPACITY));
    let d = h.disc_info();
    assert!(d.erasable);
    assert_eq!(d.disc_status, DiscStatus::Empty);
    // READ FORMAT CAPACITIES: full (00h, first, as growisofs and libburn look for it;
    // and 10h) and quick (15h) formats; quick grow (13h) only applies to a restricted
    // overwrite disc.
    let fc = format_capacities(&mut h);
    let types: Vec<_> = fc.formattable.iter().map(|f| f.format_type).collect();
    assert_eq!(
        types,
        vec![FormatType::Full, FormatType::RwFull, FormatType::DvdRwQuick]
    );
    assert!(fc
        .formattable
        .iter()
        .all(|f| f.number_of_blocks == CAPACITY && f.type_dependent == 16));
    assert_eq!(
        format(&mut h, FormatType::DvdRwQuickGrowLastSession, 0),
        (5, 0x26, 0)
    );
}

#[test]
fn sequential_writes_as_dvd_r_with_sessions_and_dao() {
    let mut h = Host::new("media=dvd-rw");
    h.allow_next_session();
    assert_eq!(h.write(0, 32, 1), GOOD);
    assert_eq!(
        h.write(64, 16, 1),
        INVALID_ADDRESS_FOR_WRITE,
        "past the NWA"
    );
    assert_eq!(
        h.write(0, 16, 1),
        INVALID_ADDRESS_FOR_WRITE,
        "below the NWA"
    );
    assert_eq!(h.sync(), GOOD);
    assert_eq!(h.close(CloseFunction::CloseSession, 0), GOOD);
    let d = h.disc_info();
    assert_eq!((d.disc_status, d.sessions), (DiscStatus::Incomplete, 2));
    let nwa = h.nwa();
    assert_eq!(nwa, 32 + 30_720, "lead-out and lead-in between sessions");
    assert_eq!(h.write(nwa, 16, 2), GOOD);
    assert_eq!(h.read(0, 32).unwrap(), pattern(0, 32, 1));
    assert_eq!(h.read(nwa, 16).unwrap(), pattern(nwa, 16, 2));

    // DAO: page 05h SAO needs the track reserved first, as on DVD-R.
    let mut dao = Host::new("media=dvd-rw");
    assert_eq!(
        set_page_05(
            &mut dao,
            WriteType::SaoDao,
            MultiSession::NoNextSession,
            DataBlockType::Mode1,
            5
        ),
        GOOD
    );
    assert_eq!(dao.write(0, 16, 3), (5, 0x2C, 0));
    let r = ReserveTrack {
        reservation: Reservation::Size(48),
    }
    .emit();
    assert_eq!(dao.none(&r), GOOD);
    assert_eq!(dao.write(0, 48, 3), GOOD);
    assert_eq!(dao.sync(), GOOD);
    assert_eq!(dao.close(CloseFunction::CloseSession, 0), GOOD);
    let d = dao.disc_info();
    assert_eq!(
        d.disc_status,
        DiscStatus::Complete,
        "page 05h said no next session"
    );
    assert_eq!(dao.read(0, 48).unwrap(), pattern(0, 48, 3));
}

#[test]
fn quick_format_makes_restricted_overwrite_with_aligned_random_writes() {
    let mut h = Host::new("media=dvd-rw");
    assert_eq!(h.write(0, 32, 9), GOOD);
    assert_eq!(h.sync(), GOOD);
    // dvd+rw-format's quick format: type 15h, 0 blocks, Immed; progress until done.
    assert_eq!(format(&mut h, FormatType::DvdRwQuick, 0), GOOD);
    wait_ready(&mut h);
    let c = config(&mut h);
    assert_eq!(c.current_profile, Profile::DvdRwRestrictedOverwrite);
    let p = profiles(&c);
    assert!(
        p.contains(&(Profile::DvdRwRestrictedOverwrite, true)),
        "{p:?}"
    );
    assert!(p.contains(&(Profile::DvdRwSequential, false)), "{p:?}");
    assert_eq!(
        feature(&c, FeatureCode::RigidRestrictedOverwrite),
        Some(true)
    );
    assert_eq!(
        feature(&c, FeatureCode::IncrementalStreamingWritable),
        Some(false)
    );
    assert_eq!(feature(&c, FeatureCode::DvdMinusRWrite), Some(false));
    assert_eq!(feature(&c, FeatureCode::Formattable), Some(true));
    // As a formatted DVD+RW: the whole disc readable, one complete session.
    assert_eq!(last_lba(&mut h), CAPACITY - 1);
    let d = h.disc_info();
    assert_eq!((d.disc_status, d.erasable), (DiscStatus::Complete, true));
    let fc = format_capacities(&mut h);
    assert_eq!(fc.current.number_of_blocks, CAPACITY);
    assert!(fc
        .formattable
        .iter()
        .any(|f| f.format_type == FormatType::DvdRwQuickGrowLastSession));
    // growisofs takes the capacity from the 00h descriptor.
    assert!(fc
        .formattable
        .iter()
        .any(|f| f.format_type == FormatType::Full && f.number_of_blocks == CAPACITY));
    // One track of fixed 16-sector packets (growisofs refuses the disc otherwise).
    let t = h.track_info(TrackAddress::Track(1)).unwrap();
    assert_eq!(
        (t.packet, t.fp, t.fixed_packet_size),
        (true, true, 16),
        "{t:?}"
    );
    // The sequential data went with the format.
    assert_eq!(h.read(0, 1).unwrap(), vec![0u8; 2048]);

    // Random writes in whole 32 KiB blocks, anywhere.
    assert_eq!(h.write(4096, 32, 1), GOOD);
    assert_eq!(h.write(16, 16, 2), GOOD);
    assert_eq!(h.write(16, 16, 3), GOOD, "rewritten in place");
    assert_eq!(h.read(16, 16).unwrap(), pattern(16, 16, 3));
    assert_eq!(h.write(CAPACITY - 16, 16, 4), GOOD);
    assert_eq!(h.write(CAPACITY, 16, 4), (5, 0x21, 0), "past the end");

    // Unaligned start or length: refused, and nothing written.
    assert_eq!(h.write(4104, 16, 5), INVALID_ADDRESS_FOR_WRITE);
    assert_eq!(h.write(4096, 8, 5), INVALID_ADDRESS_FOR_WRITE);
    assert_eq!(h.write(4097, 1, 5), INVALID_ADDRESS_FOR_WRITE);
    assert_eq!(h.read(4096, 32).unwrap(), pattern(4096, 32, 1));

    // Quick grow keeps the data; the mode survives a reopen.
    assert_eq!(
        format(&mut h, FormatType::DvdRwQuickGrowLastSession, 0),
        GOOD
    );
    wait_ready(&mut h);
    h.open();
    assert_eq!(
        config(&mut h).current_profile,
        Profile::DvdRwRestrictedOverwrite
    );
    assert_eq!(h.read(4096, 32).unwrap(), pattern(4096, 32, 1));
    assert_eq!(h.write(0, 16, 6), GOOD);
    // libburn's quick grow asks for what its next write needs, in whole ECC blocks.
    assert_eq!(
        format(&mut h, FormatType::DvdRwQuickGrowLastSession, 4096),
        GOOD
    );
    wait_ready(&mut h);
    assert_eq!(
        format(&mut h, FormatType::DvdRwQuickGrowLastSession, 4097),
        (5, 0x26, 0)
    );
    assert_eq!(h.read(4096, 32).unwrap(), pattern(4096, 32, 1));
}

#[test]
fn blank_returns_restricted_overwrite_to_sequential() {
    // Formatted in full either way: 00h (libburn's choice) or 10h.
    for (blank, full) in [
        (Blank::minimal(true), FormatType::Full),
        (Blank::full(true), FormatType::RwFull),
    ] {
        let mut h = Host::new("media=dvd-rw&speed=2x");
        assert_eq!(format(&mut h, full, CAPACITY), GOOD);
        wait_ready(&mut h);
        assert_eq!(
            config(&mut h).current_profile,
            Profile::DvdRwRestrictedOverwrite
        );
        assert_eq!(h.write(0, 16, 1), GOOD);
        // Erasing a session applies to sequential discs only.
        let erase = Blank {
            blanking_type: discburn_mmc::format::BlankingType::EraseSession,
            ..Blank::minimal(false)
        };
        assert_eq!(h.none(&erase.emit()), (5, 0x24, 0));

        assert_eq!(h.none(&blank.emit()), GOOD);
        let (sense, _) = progress(&mut h).expect("Immed: blanking in the background");
        assert_eq!(sense, (2, 4, 7));
        wait_ready(&mut h);
        let c = config(&mut h);
        assert_eq!(c.current_profile, Profile::DvdRwSequential, "{blank:?}");
        assert_eq!(
            feature(&c, FeatureCode::RigidRestrictedOverwrite),
            Some(false)
        );
        let d = h.disc_info();
        assert_eq!(d.disc_status, DiscStatus::Empty);
        assert_eq!(h.nwa(), 0);
        assert_eq!(
            h.write(16, 16, 2),
            INVALID_ADDRESS_FOR_WRITE,
            "sequential again"
        );
        assert_eq!(h.write(0, 16, 2), GOOD);
        assert_eq!(h.read(0, 16).unwrap(), pattern(0, 16, 2));
    }
}

#[test]
fn a_full_blank_takes_the_disc_at_the_selected_speed() {
    let mut h = Host::new("media=dvd-rw&speed=2x");
    assert_eq!(h.write(0, 16, 1), GOOD);
    let t0 = h.clock.now();
    assert_eq!(h.none(&Blank::full(false).emit()), GOOD);
    let took = h.clock.now() - t0;
    // 2,298,496 sectors at 2x (1,352 sectors/s): about 28 minutes.
    assert!(
        (took.as_secs_f64() - f64::from(CAPACITY) / 1352.5).abs() < 5.0,
        "{took:?}"
    );
}
