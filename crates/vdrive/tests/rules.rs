//! Every rule has a test that fails if the rule is broken.

mod common;

use common::*;
use discburn_mmc::config::{Configuration, FeatureCode, GetConfiguration};
use discburn_mmc::device::{Inquiry, InquiryData, RequestSense, StartStopUnit};
use discburn_mmc::disc::DiscStatus;
use discburn_mmc::format::{
    Blank, BlankingType, CapacityDescriptorType, FormatCapacities, FormatDescriptor,
    FormatParameterList, FormatType, FormatUnit, ReadFormatCapacities,
};
use discburn_mmc::mode::{
    find_page, mode_select_list, CapabilitiesPage, DataBlockType, ModeSelect10, ModeSense10,
    MultiSession, WriteParametersPage, WriteType,
};
use discburn_mmc::profile::Profile;
use discburn_mmc::rw::{Read12, Write10};
use discburn_mmc::sense::Sense;
use discburn_mmc::track::{CloseFunction, Reservation, ReserveTrack, TrackAddress};
use discburn_mmc::{Command, DataPhase, OpCode, Transport};
use discburn_vdrive::Fault;

const GOOD: (u8, u8, u8) = (0, 0, 0);

fn set_write_params(h: &mut Host, p: &WriteParametersPage) -> (u8, u8, u8) {
    let mut list = vec![0u8; 8 + 64];
    let n = mode_select_list(p, &mut list).unwrap();
    h.data_out(&ModeSelect10::new(n as u16).emit(), &list[..n])
}

fn get_write_params(h: &mut Host) -> WriteParametersPage {
    let b = h
        .data_in(&ModeSense10::current(0x05, 256).emit(), 256)
        .unwrap();
    find_page(&b).unwrap()
}

#[test]
fn unsupported_opcode_and_bad_fields() {
    let mut h = Host::new("media=bd-r");
    // REPORT KEY (CSS authentication) is not implemented: 05/20/00. (SEND OPC INFORMATION
    // was the example here until growisofs' PERFORM OPC on DVD-R DL showed a drive needs it.)
    assert_eq!(
        sense_of(&h.raw(&[0xA4, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0], DataPhase::None)),
        (5, 0x20, 0)
    );
    assert_eq!(
        sense_of(&h.raw(&[0xFF, 0, 0, 0, 0, 0], DataPhase::None)),
        (5, 0x20, 0)
    );
    // GET CONFIGURATION with RT = 11b (reserved): 05/24/00.
    let mut b = [0u8; 8];
    assert_eq!(
        sense_of(&h.raw(&[0x46, 3, 0, 0, 0, 0, 0, 0, 8, 0], DataPhase::In(&mut b))),
        (5, 0x24, 0)
    );
    // READ TRACK INFORMATION for a track that does not exist.
    assert_eq!(h.track_info(TrackAddress::Track(9)), Err((5, 0x24, 0)));
    // Short CDB is a transport error, not a panic.
    assert!(h
        .d()
        .execute(discburn_mmc::Request::none(&[0u8; 3], T))
        .is_err());
}

#[test]
fn inquiry_says_virtual() {
    let mut h = Host::new("media=cd-r");
    let b = h.data_in(&Inquiry::standard().emit(), 96).unwrap();
    let i = InquiryData::parse(&b).unwrap();
    assert_eq!(i.vendor.trim(), "DISCBURN");
    assert!(i.product.contains("VIRTUAL"));
    assert!(i.removable);
}

#[test]
fn inquiry_vpd_pages_identify_the_drive() {
    use discburn_mmc::vpd::{page, VpdPage};
    let mut h = Host::new("media=bd-r");
    let vpd = |h: &mut Host, code: u8| {
        let c = Inquiry {
            evpd: true,
            page_code: code,
            alloc: 255,
        };
        h.data_in(&c.emit(), 255)
    };
    let b = vpd(&mut h, page::SUPPORTED).unwrap();
    assert_eq!(
        VpdPage::parse(&b).unwrap(),
        VpdPage::Supported(vec![page::SUPPORTED, page::UNIT_SERIAL, page::DEVICE_ID])
    );
    let Ok(VpdPage::UnitSerial(serial)) = VpdPage::parse(&vpd(&mut h, page::UNIT_SERIAL).unwrap())
    else {
        panic!("page 80h");
    };
    assert_eq!(serial.len(), 16);
    let id = VpdPage::parse(&vpd(&mut h, page::DEVICE_ID).unwrap()).unwrap();
    assert_eq!(
        id,
        VpdPage::DeviceId {
            vendor: "DISCBURN".into(),
            specific: format!("VIRTUAL RECORDER {serial}"),
        }
    );
    // Another image is another drive; an unknown page is 05/24/00.
    let mut other = Host::new("media=bd-r");
    let VpdPage::UnitSerial(s2) =
        VpdPage::parse(&vpd(&mut other, page::UNIT_SERIAL).unwrap()).unwrap()
    else {
        panic!("page 80h");
    };
    assert_ne!(serial, s2);
    assert_eq!(vpd(&mut h, 0xb0).unwrap_err(), (5, 0x24, 0));
}

#[test]
fn get_configuration_reports_the_medium() {
    for (media, profile, feature) in [
        ("cd-r", Profile::CdR, FeatureCode::CdTrackAtOnce),
        ("dvd+r", Profile::DvdPlusR, FeatureCode::DvdPlusR),
        (
            "dvd-r",
            Profile::DvdRSequential,
            FeatureCode::DvdMinusRWrite,
        ),
        ("dvd+rw", Profile::DvdPlusRw, FeatureCode::DvdPlusRw),
        ("bd-r", Profile::BdRSrm, FeatureCode::BdWrite),
        ("bd-re", Profile::BdRe, FeatureCode::Formattable),
    ] {
        let mut h = Host::new(&format!("media={media}"));
        let b = h
            .data_in(&GetConfiguration::all(4096).emit(), 4096)
            .unwrap();
        let c = Configuration::parse(&b).unwrap();
        assert_eq!(c.current_profile, profile, "{media}");
        assert!(c
            .profiles()
            .iter()
            .any(|p| p.profile == profile && p.current));
        assert!(
            c.feature(feature).is_some_and(|f| f.current),
            "{media} {feature:?}"
        );
        // Current only: no feature that is not current.
        let b = h
            .data_in(&GetConfiguration::current(4096).emit(), 4096)
            .unwrap();
        assert!(Configuration::parse(&b)
            .unwrap()
            .features
            .iter()
            .all(|f| f.current));
    }
}

#[test]
fn write_rules_sequential() {
    let mut h = Host::new("media=dvd-r&speed=4x");
    assert_eq!(h.write(1, 1, 0), (5, 0x21, 2));
    assert_eq!(h.write(0, 10, 0), GOOD);
    assert_eq!(h.write(5, 1, 0), (5, 0x21, 2));
    // Past capacity.
    let cap = 2_295_104u32;
    assert_eq!(h.write(cap, 1, 0), (5, 0x21, 0));
    // Data length must match the blocks.
    let cdb = Write10 {
        lba: 10,
        blocks: 2,
        dpo: false,
        fua: false,
    }
    .emit();
    assert_eq!(h.data_out(&cdb, &[0u8; 2048]), (5, 0x24, 0));
    // Reading past the recorded area.
    assert_eq!(h.read(9, 2), Err((5, 0x21, 0)));
    let r12 = Read12 {
        lba: 0,
        blocks: 10,
        dpo: false,
        fua: false,
        streaming: false,
    }
    .emit();
    assert_eq!(h.data_in(&r12, 10 * 2048).unwrap(), pattern(0, 10, 0));
}

#[test]
fn reserve_track_and_dao() {
    let mut h = Host::new("media=dvd-r");
    let mut wp = get_write_params(&mut h);
    wp.write_type = WriteType::SaoDao;
    assert_eq!(set_write_params(&mut h, &wp), GOOD);
    // DAO without a reservation: command sequence error.
    assert_eq!(h.write(0, 1, 0), (5, 0x2C, 0));
    let r = ReserveTrack {
        reservation: Reservation::Size(64),
    }
    .emit();
    assert_eq!(h.none(&r), GOOD);
    assert_eq!(h.none(&r), GOOD); // the new invisible track may be reserved too
    let t1 = h.track_info(TrackAddress::Track(1)).unwrap();
    assert!(t1.rt && t1.blank);
    assert_eq!((t1.start, t1.size), (0, 64));
    assert_eq!(h.write(0, 64, 7), GOOD);
    assert_eq!(h.write(64, 1, 7), GOOD); // track 2 starts right after track 1
    assert_eq!(h.write(0, 1, 7), (5, 0x21, 2));
    // Closing a track that is not full pads it.
    assert_eq!(h.close(CloseFunction::CloseTrack, 2), GOOD);
    let t2 = h.track_info(TrackAddress::Track(2)).unwrap();
    assert_eq!((t2.free_blocks, t2.nwa), (0, None));
    // TAO is not a DVD-R write type.
    wp.write_type = WriteType::Tao;
    assert_eq!(set_write_params(&mut h, &wp), (5, 0x26, 0));
}

#[test]
fn cd_write_parameters_block_sizes_and_finalize_by_page() {
    let mut h = Host::new("media=cd-r&speed=16x");
    let mut wp = get_write_params(&mut h);
    assert_eq!(wp.write_type, WriteType::Tao);
    assert!(wp.bufe);
    wp.data_block_type = DataBlockType::Mode2;
    assert_eq!(
        set_write_params(&mut h, &wp),
        (5, 0x26, 0),
        "2336-byte blocks refused"
    );
    wp.data_block_type = DataBlockType::Raw2352;
    wp.track_mode = 0;
    assert_eq!(set_write_params(&mut h, &wp), GOOD);
    let cdb = Write10 {
        lba: 0,
        blocks: 2,
        dpo: false,
        fua: false,
    }
    .emit();
    assert_eq!(h.data_out(&cdb, &[0u8; 4096]), (5, 0x24, 0));
    assert_eq!(h.data_out(&cdb, &[0x11u8; 2 * 2352]), GOOD);
    // Audio blocks are not readable with READ(10).
    assert_eq!(h.read(0, 1), Err((5, 0x64, 0)));
    // Multi-session 11b: closing the session leaves the disc appendable.
    wp.multi_session = MultiSession::NextSessionAllowed;
    assert_eq!(set_write_params(&mut h, &wp), GOOD);
    assert_eq!(h.close(CloseFunction::CloseSession, 0), GOOD);
    assert_eq!(h.disc_info().disc_status, DiscStatus::Incomplete);
    let nwa = h.nwa();
    assert_eq!(nwa, 2 + 6750 + 4500 + 150);
    // Mode 1 data in the second session: the image slot is 2352, so the data block size
    // must stay raw.
    wp.data_block_type = DataBlockType::Mode1;
    wp.track_mode = 4;
    wp.multi_session = MultiSession::NoNextSession;
    assert_eq!(set_write_params(&mut h, &wp), GOOD);
    assert_eq!(h.write(nwa, 1, 0), (5, 0x64, 0));
    wp.data_block_type = DataBlockType::Raw2352;
    assert_eq!(set_write_params(&mut h, &wp), GOOD);
    let cdb = Write10 {
        lba: nwa,
        blocks: 1,
        dpo: false,
        fua: false,
    }
    .emit();
    assert_eq!(h.data_out(&cdb, &[0x22u8; 2352]), GOOD);
    // Multi-session 00b: closing finalizes.
    assert_eq!(h.close(CloseFunction::CloseSession, 0), GOOD);
    assert_eq!(h.disc_info().disc_status, DiscStatus::Complete);
    assert_eq!(h.data_out(&cdb, &[0x22u8; 2352]), (5, 0x30, 5));
}

#[test]
fn test_write_records_nothing() {
    let mut h = Host::new("media=cd-r");
    let mut wp = get_write_params(&mut h);
    wp.test_write = true;
    assert_eq!(set_write_params(&mut h, &wp), GOOD);
    assert_eq!(h.write(0, 16, 1), GOOD);
    assert_eq!(h.nwa(), 16, "the simulated NWA advances during the run");
    assert_eq!(h.write(16, 16, 1), GOOD);
    assert_eq!(h.sync(), GOOD);
    assert_eq!(h.close(CloseFunction::CloseTrack, 1), GOOD);
    assert_eq!(h.disc_info().disc_status, DiscStatus::Empty);
    assert_eq!(h.nwa(), 0);
    assert_eq!(std::fs::metadata(&h.path).unwrap().len(), 0);
    // Test write is ignored on DVD+R (the drive writes for real).
    let mut h = Host::new("media=dvd+r");
    let mut wp = get_write_params(&mut h);
    wp.test_write = true;
    assert_eq!(set_write_params(&mut h, &wp), GOOD);
    assert_eq!(h.write(0, 1, 1), GOOD);
    assert_eq!(h.disc_info().disc_status, DiscStatus::Incomplete);
}

/// BLANK of `blanking_type` (not immediate, address 0): the sense it ends with.
fn blank(h: &mut Host, blanking_type: BlankingType) -> (u8, u8, u8) {
    h.none(
        &Blank {
            immed: false,
            blanking_type,
            address: 0,
        }
        .emit(),
    )
}

fn format(h: &mut Host, ft: FormatType, blocks: u32, param: u32, immed: bool) -> (u8, u8, u8) {
    let list = FormatParameterList {
        immed,
        ..FormatParameterList::immediate(FormatDescriptor {
            number_of_blocks: blocks,
            format_type: ft,
            subtype: 0,
            type_dependent: param,
        })
    };
    let mut b = vec![0u8; list.buffer_len()];
    list.emit(&mut b).unwrap();
    h.data_out(&FormatUnit::new().emit(), &b)
}

fn format_capacities(h: &mut Host) -> FormatCapacities {
    let b = h.data_in(&ReadFormatCapacities::all().emit(), 252).unwrap();
    FormatCapacities::parse(&b).unwrap()
}

#[test]
fn bd_re_format_then_random_write_and_reopen() {
    let mut h = Host::new("media=bd-re");
    assert_eq!(h.write(100, 1, 0), (5, 0x30, 0x10));
    let fc = format_capacities(&mut h);
    assert!(fc.formattable.iter().any(
        |f| f.format_type == FormatType::BdReWithoutSpares && f.number_of_blocks == 12_219_392
    ));
    let spares = fc
        .formattable
        .iter()
        .find(|f| f.format_type == FormatType::BdReWithSpares)
        .unwrap();
    assert_eq!(
        format(
            &mut h,
            FormatType::BdReWithSpares,
            spares.number_of_blocks,
            spares.type_dependent,
            false
        ),
        GOOD
    );
    assert_eq!(
        format_capacities(&mut h).current.number_of_blocks,
        spares.number_of_blocks
    );
    assert_eq!(h.disc_info().disc_status, DiscStatus::Other);
    assert_eq!(h.write(100, 4, 3), GOOD);
    assert_eq!(h.write(50, 4, 4), GOOD);
    assert_eq!(h.write(100, 1, 5), GOOD, "rewritable: overwrite anywhere");
    assert_eq!(h.write(spares.number_of_blocks, 1, 0), (5, 0x21, 0));
    assert_eq!(h.sync(), GOOD);
    h.open();
    assert_eq!(h.read(50, 4).unwrap(), pattern(50, 4, 4));
    assert_eq!(h.read(100, 1).unwrap(), pattern(100, 1, 5));
    assert_eq!(
        h.read(0, 1).unwrap(),
        vec![0u8; 2048],
        "formatted, never written: zeros"
    );
    // A format type the medium does not offer.
    assert_eq!(
        format(&mut h, FormatType::DvdPlusRwBasic, 0, 0, false),
        (5, 0x26, 0)
    );
}

#[test]
fn dvd_plus_rw_and_dvd_ram() {
    let mut h = Host::new("media=dvd+rw");
    assert_eq!(h.disc_info().disc_status, DiscStatus::Empty);
    assert_eq!(
        format(&mut h, FormatType::DvdPlusRwBasic, 2_295_104, 0, false),
        GOOD
    );
    assert_eq!(h.disc_info().disc_status, DiscStatus::Complete);
    assert_eq!(h.write(1000, 2, 9), GOOD);
    assert_eq!(h.read(1000, 2).unwrap(), pattern(1000, 2, 9));
    let mut h = Host::new("media=dvd-ram");
    assert_eq!(h.write(77, 1, 1), GOOD);
    // 20h (MRW sparing) is no DVD-RAM format type: an invalid parameter, as on BD-RE.
    assert_eq!(
        format(&mut h, FormatType::FullWithSparing, 0, 0, false),
        (5, 0x26, 0)
    );
}

#[test]
fn dvd_ram_full_format_and_spare_expansion() {
    let mut h = Host::new("media=dvd-ram");
    assert_eq!(h.write(77, 1, 1), GOOD);
    assert_eq!(h.sync(), GOOD);
    // Sold formatted, and still listing both formats it can take (MMC-6 §6.24.3.3).
    let fc = format_capacities(&mut h);
    assert_eq!(fc.current.number_of_blocks, 2_236_704);
    assert_eq!(
        fc.current.descriptor_type,
        CapacityDescriptorType::Formatted
    );
    let full = fc
        .formattable
        .iter()
        .find(|f| f.format_type == FormatType::Full)
        .copied()
        .expect("a formatted DVD-RAM still lists its full format");
    assert_eq!(
        (full.number_of_blocks, full.type_dependent),
        (2_236_704, 2048)
    );
    let spare = fc
        .formattable
        .iter()
        .find(|f| f.format_type == FormatType::SpareAreaExpansion)
        .copied()
        .expect("spare area expansion");
    assert!(spare.number_of_blocks < full.number_of_blocks);
    // Full format: the data is gone, every LBA reads (zeros), the disc takes writes.
    assert_eq!(
        format(&mut h, FormatType::Full, full.number_of_blocks, 2048, false),
        GOOD
    );
    assert_eq!(h.disc_info().disc_status, DiscStatus::Other);
    assert_eq!(h.read(77, 1).unwrap(), vec![0u8; 2048]);
    assert_eq!(h.write(77, 1, 2), GOOD);
    // Spare expansion keeps the data and shrinks the user area, once.
    assert_eq!(
        format(
            &mut h,
            FormatType::SpareAreaExpansion,
            spare.number_of_blocks,
            2048,
            false
        ),
        GOOD
    );
    assert_eq!(h.read(77, 1).unwrap(), pattern(77, 1, 2));
    assert_eq!(h.write(spare.number_of_blocks, 1, 0), (5, 0x21, 0));
    let fc = format_capacities(&mut h);
    assert_eq!(fc.current.number_of_blocks, spare.number_of_blocks);
    assert!(!fc
        .formattable
        .iter()
        .any(|f| f.format_type == FormatType::SpareAreaExpansion));
    assert_eq!(
        format(&mut h, FormatType::SpareAreaExpansion, 0, 2048, false),
        (5, 0x26, 0)
    );
    // A full format gives the user area back.
    assert_eq!(format(&mut h, FormatType::Full, 0, 2048, false), GOOD);
    assert_eq!(
        format_capacities(&mut h).current.number_of_blocks,
        2_236_704
    );
    assert_eq!(h.sync(), GOOD);
    h.open();
    assert_eq!(h.disc_info().disc_status, DiscStatus::Other);
}

#[test]
fn bd_r_formatted_with_spares_stays_sequential() {
    let mut h = Host::new("media=bd-r");
    assert_eq!(
        format(
            &mut h,
            FormatType::BdRWithSpares,
            12_219_392 - 131_072,
            131_072,
            false
        ),
        GOOD
    );
    let ti = h.track_info(TrackAddress::INVISIBLE).unwrap();
    assert_eq!(ti.free_blocks, 12_219_392 - 131_072);
    assert_eq!(h.write(5, 1, 0), (5, 0x21, 2));
    assert_eq!(h.write(0, 1, 0), GOOD);
    assert_eq!(
        format(&mut h, FormatType::BdRWithSpares, 0, 0, false),
        (5, 0x30, 6)
    );
}

#[test]
fn cd_rw_blank_and_rewrite() {
    let mut h = Host::new("media=cd-rw&speed=10x");
    assert_eq!(h.write(0, 8, 1), GOOD);
    assert_eq!(h.close(CloseFunction::CloseSession, 0), GOOD);
    assert_eq!(h.disc_info().disc_status, DiscStatus::Complete);
    assert!(h.disc_info().erasable);
    assert_eq!(blank(&mut h, BlankingType::Minimal), GOOD);
    assert_eq!(h.disc_info().disc_status, DiscStatus::Empty);
    assert_eq!(h.write(0, 8, 2), GOOD);
    assert_eq!(h.read(0, 8).unwrap(), pattern(0, 8, 2));
    let mut r = Host::new("media=cd-r");
    assert_eq!(blank(&mut r, BlankingType::Full), (5, 0x30, 0));
}

#[test]
fn existing_file_without_state_is_a_rom_disc() {
    let mut h = Host::foreign("media=dvd+r", "plain.iso", &pattern(0, 3, 0xEE));
    let b = h
        .data_in(&GetConfiguration::all(1024).emit(), 1024)
        .unwrap();
    assert_eq!(
        Configuration::parse(&b).unwrap().current_profile,
        Profile::DvdRom
    );
    assert_eq!(h.disc_info().disc_status, DiscStatus::Complete);
    assert_eq!(h.read(0, 3).unwrap(), pattern(0, 3, 0xEE));
    assert_eq!(h.read(3, 1), Err((5, 0x21, 0)));
    assert_eq!(h.write(3, 1, 0), (5, 0x30, 5));
}

#[test]
fn second_handle_is_refused() {
    let h = Host::new("media=bd-r");
    let e = discburn_vdrive::VirtualDrive::open(&h.address(), h.clock.clone()).unwrap_err();
    assert!(matches!(e, discburn_vdrive::VdriveError::Locked(_)), "{e}");
}

#[test]
fn faults() {
    let mut h = Host::new("media=bd-r&fault=medium-error:8-9");
    let ctl = h.d().control();
    assert_eq!(h.write(0, 8, 0), GOOD);
    let c = h.run(
        &Write10 {
            lba: 8,
            blocks: 4,
            dpo: false,
            fua: false,
        }
        .emit(),
        DataPhase::Out(&pattern(8, 4, 0)),
    );
    let s = Sense::parse(&c.sense).unwrap();
    assert_eq!(
        (u8::from(s.key), s.asc, s.ascq, s.information),
        (3, 0x0C, 0, Some(8))
    );
    ctl.clear_faults();
    ctl.inject(Fault::LossOfStreaming);
    assert_eq!(h.write(8, 1, 0), (3, 0x0C, 9));
    assert!(h.track_info(TrackAddress::Track(1)).unwrap().damage);
    ctl.inject(Fault::LongWriteStorm(2));
    assert_eq!(h.write(8, 1, 0), (2, 4, 8));
    assert_eq!(h.write(8, 1, 0), (2, 4, 8));
    assert_eq!(h.write(8, 1, 0), GOOD);
    assert_eq!(ctl.stats().long_write_in_progress, 2);
    // Silent corruption: GOOD on write, wrong on read.
    ctl.inject(Fault::Corrupt(10..=10));
    assert_eq!(h.write(9, 2, 0x33), GOOD);
    let back = h.read(9, 2).unwrap();
    assert_eq!(&back[..2048], &pattern(9, 1, 0x33)[..]);
    assert_ne!(&back[2048..], &pattern(10, 1, 0x33)[..]);
    ctl.clear_faults();
    // Hang: the clock moves by the timeout, the transport times out, nothing happens.
    ctl.inject(Fault::Hang {
        opcode: Some(0x2A),
        count: 1,
    });
    let before = h.clock.now();
    let cdb = Write10 {
        lba: 11,
        blocks: 1,
        dpo: false,
        fua: false,
    }
    .emit();
    let e = h
        .try_run(&cdb, DataPhase::Out(&pattern(11, 1, 0)))
        .unwrap_err();
    assert!(matches!(e, discburn_mmc::TransportError::Timeout(d) if d == T));
    assert_eq!(h.clock.now() - before, T);
    assert_eq!(h.nwa(), 11);
    // Unit attentions: reported once, not to INQUIRY.
    ctl.inject(Fault::MediumChanged);
    assert!(h.data_in(&Inquiry::standard().emit(), 36).is_ok());
    assert_eq!(
        h.none(&discburn_mmc::device::TestUnitReady.emit()),
        (6, 0x28, 0)
    );
    assert_eq!(h.none(&discburn_mmc::device::TestUnitReady.emit()), GOOD);
    ctl.inject(Fault::Reset);
    assert_eq!(h.write(11, 1, 0), (6, 0x29, 0));
    // Medium removed until loaded again.
    ctl.inject(Fault::MediumRemoved);
    assert_eq!(
        h.none(&discburn_mmc::device::TestUnitReady.emit()),
        (2, 0x3A, 0)
    );
    assert_eq!(h.read(0, 1), Err((2, 0x3A, 0)));
    assert_eq!(h.none(&StartStopUnit::load().emit()), GOOD);
    assert_eq!(
        h.none(&discburn_mmc::device::TestUnitReady.emit()),
        (6, 0x28, 0)
    );
    assert_eq!(h.read(0, 1).unwrap(), pattern(0, 1, 0));
    // A drive that rejects a write mode.
    let mut cd = Host::new("media=cd-r&fault=reject-write-mode:2");
    let mut wp = get_write_params(&mut cd);
    wp.write_type = WriteType::SaoDao;
    assert_eq!(set_write_params(&mut cd, &wp), (5, 0x26, 0));
    wp.write_type = WriteType::Tao;
    assert_eq!(set_write_params(&mut cd, &wp), GOOD);
    assert_eq!(
        ctl.stats().count(OpCode::Write10),
        ctl.stats().per_opcode[&0x2A]
    );
}

#[test]
fn request_sense_and_capabilities_page() {
    let mut h = Host::new("media=bd-r&speed=6x");
    let b = h.data_in(&RequestSense::default().emit(), 18).unwrap();
    assert_eq!(u8::from(Sense::parse(&b).unwrap().key), 0);
    let b = h
        .data_in(&ModeSense10::current(0x2A, 512).emit(), 512)
        .unwrap();
    let p: CapabilitiesPage = find_page(&b).unwrap();
    // 16x BD is 71,928 kB/s: the 16-bit page field saturates (GET PERFORMANCE has the real figure).
    assert_eq!(p.max_write_kbps, 0xFFFF);
    assert_eq!(p.current_write_kbps, 26_973); // 6x
    assert_eq!(p.write_speeds.len(), 7);
    assert_eq!(p.buffer_size_kib, 4096);
    let _ = ModeSense10::current(0x05, 0).emit();
    let _ = Inquiry::standard();
}

#[test]
fn send_opc_information_calibrates_on_writable_discs_only() {
    use discburn_mmc::rw::SendOpcInformation;
    // growisofs' PERFORM OPC on a blank DVD-R: GOOD, after about half a second.
    let mut h = Host::new("media=dvd-r");
    let opc = SendOpcInformation {
        do_opc: true,
        ..Default::default()
    }
    .emit();
    let t0 = h.clock.now();
    assert_eq!(h.none(&opc), (0, 0, 0));
    let took = (h.clock.now() - t0).as_secs_f64();
    assert!((0.4..0.6).contains(&took), "{took}");
    // A pressed disc takes no writes, so no calibration either.
    let mut rom = Host::foreign("", "pressed.iso", &vec![0u8; 64 * 2048]);
    assert_eq!(rom.none(&opc), (5, 0x30, 5));
}
