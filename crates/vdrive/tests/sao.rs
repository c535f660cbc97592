//! CD Session-At-Once, MECHANISM STATUS, READ DISC STRUCTURE and RESERVE TRACK by LBA:
//! each rule has a test that fails if the rule is broken.

mod common;

use common::*;
use discburn_mmc::cue::{CueSheet, DataForm, SendCueSheet};
use discburn_mmc::device::{ChangerState, MechanismStatus, MechanismStatusData};
use discburn_mmc::disc::{
    BdDiscInformation, BookType, DiscStatus, DiscStructureMedia, DvdPhysicalFormat,
    ReadDiscStructure, SessionState, StructureList,
};
use discburn_mmc::mode::{
    find_page, mode_select_list, DataBlockType, ModeSelect10, ModeSense10, MultiSession,
    WriteParametersPage, WriteType,
};
use discburn_mmc::track::{Reservation, ReserveTrack, TrackAddress};
use discburn_mmc::Command;

const GOOD: (u8, u8, u8) = (0, 0, 0);

fn set_write_type(h: &mut Host, wt: WriteType, multi: MultiSession) -> (u8, u8, u8) {
    set_write_params(h, wt, multi, DataBlockType::Mode1)
}

fn set_write_params(
    h: &mut Host,
    wt: WriteType,
    multi: MultiSession,
    block_type: DataBlockType,
) -> (u8, u8, u8) {
    set_page_05(h, wt, multi, block_type, 4)
}

fn send_sheet(h: &mut Host, sheet: &CueSheet) -> (u8, u8, u8) {
    let mut bytes = vec![0u8; sheet.buffer_len()];
    sheet.emit(&mut bytes).unwrap();
    h.data_out(&SendCueSheet::for_sheet(sheet).emit(), &bytes)
}

/// Sector `lba` of the stream: its LBA in the first 4 bytes (negative LBAs wrap).
fn sectors(lba: i32, blocks: u32) -> Vec<u8> {
    let mut v = vec![0x5Au8; blocks as usize * 2048];
    for (i, s) in v.chunks_mut(2048).enumerate() {
        s[..4].copy_from_slice(&(lba + i as i32).to_be_bytes());
    }
    v
}

fn write_at(h: &mut Host, lba: i32, blocks: u32) -> (u8, u8, u8) {
    h.write_bytes(lba, blocks, &sectors(lba, blocks))
}

fn sao_host(multi: MultiSession) -> Host {
    let mut h = Host::new("media=cd-r&speed=16x");
    assert_eq!(set_write_type(&mut h, WriteType::SaoDao, multi), GOOD);
    h
}

/// [`sao_host`] that took the cue sheet of one data track of `sectors` at LBA 0.
fn sao_host_with_track(multi: MultiSession, sectors: u32) -> Host {
    let mut h = sao_host(multi);
    assert_eq!(
        send_sheet(&mut h, &CueSheet::single_data_track(1, 0, sectors)),
        GOOD
    );
    h
}

#[test]
fn sao_write_needs_a_cue_sheet_first() {
    let mut h = sao_host(MultiSession::NoNextSession);
    assert_eq!(write_at(&mut h, 0, 16), (5, 0x2C, 0));
    assert_eq!(write_at(&mut h, -150, 16), (5, 0x2C, 0));
    // Nothing was recorded by the refused writes.
    assert_eq!(h.disc_info().disc_status, DiscStatus::Empty);
}

#[test]
fn cue_sheet_needs_sao_selected_and_an_empty_session() {
    let mut h = Host::new("media=cd-r");
    let sheet = CueSheet::single_data_track(1, 0, 400);
    // TAO selected: the sheet is out of sequence.
    assert_eq!(send_sheet(&mut h, &sheet), (5, 0x2C, 0));
    // A TAO track written in this session: no SAO sheet for it any more.
    assert_eq!(h.write(0, 4, 1), GOOD);
    assert_eq!(
        set_write_type(&mut h, WriteType::SaoDao, MultiSession::NoNextSession),
        GOOD
    );
    assert_eq!(send_sheet(&mut h, &sheet), (5, 0x2C, 0));
    // Not a CD: SEND CUE SHEET has no meaning on a DVD.
    let mut d = Host::new("media=dvd+r");
    assert_eq!(send_sheet(&mut d, &sheet), (5, 0x30, 0));
}

#[test]
fn invalid_cue_sheets_are_refused() {
    let mut h = sao_host(MultiSession::NoNextSession);
    let good = CueSheet::single_data_track(1, 0, 400);
    // Not a whole number of entries: parameter list length error.
    let mut bytes = vec![0u8; good.buffer_len()];
    good.emit(&mut bytes).unwrap();
    let cdb = SendCueSheet { cue_sheet_size: 30 }.emit();
    assert_eq!(h.data_out(&cdb, &bytes[..30]), (5, 0x1A, 0));
    // The CDB announces more than the Data-Out phase holds.
    let cdb = SendCueSheet { cue_sheet_size: 40 }.emit();
    assert_eq!(h.data_out(&cdb, &bytes), (5, 0x1A, 0));
    // Broken structure: no lead-out.
    let mut s = good.clone();
    s.entries.pop();
    assert_eq!(send_sheet(&mut h, &s), (5, 0x26, 0));
    // First track not where the session starts (the NWA is 0).
    assert_eq!(
        send_sheet(&mut h, &CueSheet::single_data_track(1, 300, 400)),
        (5, 0x26, 0)
    );
    // Not the track number the disc expects.
    assert_eq!(
        send_sheet(&mut h, &CueSheet::single_data_track(2, 0, 400)),
        (5, 0x26, 0)
    );
    // A host-sent pre-gap of 2352-byte sectors before a track of 2048-byte ones: one
    // stream cannot change its block size. (Page 05h's Data Block Type does not count
    // in SAO: see `wodims_sheet_with_page_05h_at_raw_is_accepted`.)
    let mut s = good.clone();
    s.entries[1].data_form = DataForm::Mode1Raw;
    assert_eq!(send_sheet(&mut h, &s), (5, 0x26, 0));
    // Past the disc's lead-out limit.
    assert_eq!(
        send_sheet(&mut h, &CueSheet::single_data_track(1, 0, 360_000)),
        (5, 0x26, 0)
    );
    // None of them was taken: writes still need a sheet.
    assert_eq!(write_at(&mut h, -150, 1), (5, 0x2C, 0));
    assert_eq!(send_sheet(&mut h, &good), GOOD);
    assert_eq!(write_at(&mut h, -150, 1), GOOD);
}

#[test]
fn sao_session_is_written_as_one_stream_and_closed_by_sync() {
    let mut h = sao_host_with_track(MultiSession::NoNextSession, 400);
    // The stream starts with the pre-gap the host sends, at −150.
    assert_eq!(write_at(&mut h, 0, 16), (5, 0x21, 2));
    assert_eq!(write_at(&mut h, -150, 100), GOOD);
    assert_eq!(write_at(&mut h, -100, 10), (5, 0x21, 2));
    // One WRITE across the end of the pre-gap: 50 pre-gap sectors, 14 of the track.
    assert_eq!(write_at(&mut h, -50, 64), GOOD);
    let t = h.track_info(TrackAddress::Track(1)).unwrap();
    assert_eq!((t.start, t.size, t.nwa), (0, 400, Some(14)));
    assert_eq!(h.read(0, 14).unwrap(), sectors(0, 14));
    // Never past the lead-out.
    assert_eq!(write_at(&mut h, 14, 387), (5, 0x21, 0));
    assert_eq!(write_at(&mut h, 14, 386), GOOD);
    // A sync before the end only flushes.
    assert_eq!(write_at(&mut h, 400, 1), (5, 0x21, 0));
    assert_eq!(h.sync(), GOOD);
    // The drive wrote the lead-out and finalized (multi-session 00b).
    let di = h.disc_info();
    assert_eq!(di.disc_status, DiscStatus::Complete);
    assert_eq!(di.last_session_state, SessionState::Complete);
    assert_eq!(di.sessions, 1);
    let t = h.track_info(TrackAddress::Track(1)).unwrap();
    assert_eq!((t.start, t.size, t.nwa, t.blank), (0, 400, None, false));
    assert_eq!(h.read(0, 400).unwrap(), sectors(0, 400));
    assert_eq!(h.read(400, 1), Err((5, 0x21, 0)));
    assert_eq!(h.write(400, 1, 0), (5, 0x30, 5));
    // The state survives a reopen.
    h.open();
    assert_eq!(h.disc_info().disc_status, DiscStatus::Complete);
    assert_eq!(h.read(399, 1).unwrap(), sectors(399, 1));
}

#[test]
fn sync_before_the_end_leaves_the_session_open() {
    let mut h = sao_host_with_track(MultiSession::NoNextSession, 300);
    assert_eq!(write_at(&mut h, -150, 250), GOOD);
    assert_eq!(h.sync(), GOOD);
    let di = h.disc_info();
    assert_eq!(di.disc_status, DiscStatus::Incomplete);
    assert_eq!(di.last_session_state, SessionState::Incomplete);
    // The stream goes on where it stopped.
    assert_eq!(write_at(&mut h, 100, 200), GOOD);
    assert_eq!(h.sync(), GOOD);
    assert_eq!(h.disc_info().disc_status, DiscStatus::Complete);
}

#[test]
fn sao_multi_session_leaves_the_disc_appendable() {
    let mut h = sao_host_with_track(MultiSession::NextSessionAllowed, 300);
    assert_eq!(write_at(&mut h, -150, 450), GOOD);
    assert_eq!(h.sync(), GOOD);
    let di = h.disc_info();
    assert_eq!((di.disc_status, di.sessions), (DiscStatus::Incomplete, 2));
    // Next session: lead-out 6750 + lead-in 4500 + pre-gap 150 after the first.
    let nwa = h.nwa();
    assert_eq!(nwa, 300 + 11_400);
    // The second session's sheet starts at the NWA with track 2; the stream at NWA − 150.
    assert_eq!(
        send_sheet(&mut h, &CueSheet::single_data_track(1, nwa, 300)),
        (5, 0x26, 0)
    );
    assert_eq!(
        send_sheet(&mut h, &CueSheet::single_data_track(2, nwa, 300)),
        GOOD
    );
    assert_eq!(write_at(&mut h, nwa as i32, 1), (5, 0x21, 2));
    assert_eq!(write_at(&mut h, nwa as i32 - 150, 450), GOOD);
    assert_eq!(h.sync(), GOOD);
    let di = h.disc_info();
    assert_eq!((di.disc_status, di.sessions), (DiscStatus::Incomplete, 3));
    let t2 = h.track_info(TrackAddress::Track(2)).unwrap();
    assert_eq!((t2.start, t2.size, t2.session), (nwa, 300, 2));
    assert_eq!(h.read(nwa, 300).unwrap(), sectors(nwa as i32, 300));
}

#[test]
fn sao_test_write_records_nothing() {
    let mut h = Host::new("media=cd-r");
    let b = h
        .data_in(&ModeSense10::current(0x05, 256).emit(), 256)
        .unwrap();
    let mut p: WriteParametersPage = find_page(&b).unwrap();
    p.ps = false;
    p.write_type = WriteType::SaoDao;
    p.test_write = true;
    let mut list = vec![0u8; 8 + 64];
    let n = mode_select_list(&p, &mut list).unwrap();
    assert_eq!(
        h.data_out(&ModeSelect10::new(n as u16).emit(), &list[..n]),
        GOOD
    );
    assert_eq!(
        send_sheet(&mut h, &CueSheet::single_data_track(1, 0, 300)),
        GOOD
    );
    assert_eq!(write_at(&mut h, -150, 450), GOOD);
    assert_eq!(h.sync(), GOOD);
    assert_eq!(h.disc_info().disc_status, DiscStatus::Empty);
    assert_eq!(h.read(0, 1), Err((5, 0x21, 0)));
}

#[test]
fn mechanism_status_single_drive_door_closed() {
    let mut h = Host::new("media=bd-r");
    let b = h
        .data_in(&MechanismStatus::default().emit(), 8)
        .expect("mechanism status");
    let m = MechanismStatusData::parse(&b).unwrap();
    assert!(!m.door_open && !m.fault);
    assert_eq!(m.changer_state, ChangerState::Ready);
    assert_eq!((m.slots_available, m.slots.len()), (0, 0));
    assert_eq!(b.len(), 8);
    // The allocation length cuts the answer.
    assert_eq!(
        h.data_in(&MechanismStatus { alloc: 4 }.emit(), 8)
            .unwrap()
            .len(),
        4
    );
}

#[test]
fn read_disc_structure_from_the_medium() {
    for (media, book, sectors) in [
        ("dvd+r", BookType::DvdPlusR, 2_295_104),
        ("dvd-r", BookType::DvdMinusR, 2_295_104),
        ("dvd+rw", BookType::DvdPlusRw, 2_295_104),
    ] {
        let mut h = Host::new(&format!("media={media}"));
        let b = structure(&mut h, DiscStructureMedia::Dvd, 0x00).unwrap();
        assert_eq!(b.len(), 2052);
        let p = DvdPhysicalFormat::parse(&b).unwrap();
        assert_eq!(p.book_type, book, "{media}");
        assert_eq!(
            (p.data_area_start, p.sectors()),
            (0x03_0000, sectors),
            "{media}"
        );
        let l = StructureList::parse(&structure(&mut h, DiscStructureMedia::Dvd, 0xFF).unwrap())
            .unwrap();
        assert!(l.readable(0x00) && l.readable(0xFF));
        // Formats the drive does not offer, and layer 1 of a single-layer disc.
        assert_eq!(
            structure(&mut h, DiscStructureMedia::Dvd, 0x0A),
            Err((5, 0x24, 0))
        );
        let c = ReadDiscStructure {
            layer: 1,
            ..ReadDiscStructure {
                media_type: DiscStructureMedia::Dvd,
                address: 0,
                layer: 0,
                format: 0,
                alloc: 4100,
                agid: 0,
            }
        };
        assert_eq!(h.data_in(&c.emit(), 4100), Err((5, 0x24, 0)));
        // BD structures of a DVD: the medium cannot answer them.
        assert_eq!(
            structure(&mut h, DiscStructureMedia::Bd, 0x00),
            Err((5, 0x30, 2))
        );
    }
    let mut h = Host::new("media=bd-re");
    let di = BdDiscInformation::parse(&structure(&mut h, DiscStructureMedia::Bd, 0x00).unwrap())
        .unwrap();
    assert!(di.has_identifier());
    assert_eq!((di.disc_type(), di.layers()), (*b"BDW", 1));
    let mut h = Host::new("media=bd-r");
    let di = BdDiscInformation::parse(&structure(&mut h, DiscStructureMedia::Bd, 0x00).unwrap())
        .unwrap();
    assert_eq!(di.disc_type(), *b"BDR");
    let l =
        StructureList::parse(&structure(&mut h, DiscStructureMedia::Bd, 0xFF).unwrap()).unwrap();
    // A BD-R's DI unit carries the manufacturer trailer (bytes 100–111): 112 bytes, where
    // libburn and dvd+rw-mediainfo read the media ID (a BD-ROM's unit is 64).
    assert_eq!(
        l.entries[0].length as usize,
        BdDiscInformation::RECORDABLE_UNIT_LEN
    );
    assert_eq!(
        structure(&mut h, DiscStructureMedia::Dvd, 0x00),
        Err((5, 0x30, 2))
    );
    // A CD has no disc structures.
    let mut h = Host::new("media=cd-r");
    assert_eq!(
        structure(&mut h, DiscStructureMedia::Dvd, 0x00),
        Err((5, 0x30, 2))
    );
    // The allocation length cuts the answer.
    let mut h = Host::new("media=dvd+r");
    let c = ReadDiscStructure {
        media_type: DiscStructureMedia::Dvd,
        address: 0,
        layer: 0,
        format: 0,
        alloc: 21,
        agid: 0,
    };
    let b = h.data_in(&c.emit(), 4100).unwrap();
    assert_eq!(b.len(), 21);
    assert_eq!(
        DvdPhysicalFormat::parse(&b).unwrap().book_type,
        BookType::DvdPlusR
    );
}

#[test]
fn reserve_track_by_lba_is_refused() {
    for media in ["dvd-r", "cd-r"] {
        let mut h = Host::new(&format!("media={media}"));
        let c = ReserveTrack {
            reservation: Reservation::Lba(1024),
        }
        .emit();
        assert_eq!(h.none(&c), (5, 0x24, 0), "{media}");
        // Reservation by size still works.
        let c = ReserveTrack {
            reservation: Reservation::Size(1024),
        }
        .emit();
        assert_eq!(h.none(&c), GOOD, "{media}");
    }
}

/// wodim -dao's exact sheet for a 2232-sector data image (seen by the guest harness's
/// 61-wodim-dao against `discburn serve`): page 05h Data Block Type left at raw (2352),
/// the sheet's data form 10h (Mode 1, 2048 bytes from the host). Drives go by the sheet.
#[test]
fn wodims_sheet_with_page_05h_at_raw_is_accepted() {
    let mut h = Host::new("media=cd-r&speed=16x");
    let set = set_write_params(
        &mut h,
        WriteType::SaoDao,
        MultiSession::NoNextSession,
        DataBlockType::Raw2352,
    );
    assert_eq!(set, GOOD);
    let sheet: [u8; 32] = [
        0x41, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x41, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00,
        0x00, 0x41, 0x01, 0x01, 0x10, 0x00, 0x00, 0x02, 0x00, 0x41, 0xAA, 0x01, 0x14, 0x00, 0x00,
        0x1F, 0x39,
    ];
    let cdb = SendCueSheet { cue_sheet_size: 32 }.emit();
    assert_eq!(h.data_out(&cdb, &sheet), GOOD);
    // The pre-gap and the track come as 2048-byte sectors, from -150.
    assert_eq!(write_at(&mut h, -150, 150), GOOD);
    assert_eq!(write_at(&mut h, 0, 32), GOOD);
}
