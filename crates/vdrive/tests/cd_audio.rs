//! Audio on CD: track-at-once audio tracks with the drive's pre-gaps, READ CD of their
//! samples, and the CD-Text an SAO lead-in carries, returned by READ TOC format 5.

mod common;

use common::*;
use discburn_mmc::cdtext::{self, latin1, Block, CdText, PackType, LANGUAGE_ENGLISH};
use discburn_mmc::cue::{CueEntry, CueSheet, DataForm, SendCueSheet, LEAD_IN_TRACK};
use discburn_mmc::disc::{ReadTocPmaAtip, Toc, TocFormat, LEAD_OUT_TRACK};
use discburn_mmc::mode::{DataBlockType, MultiSession, WriteType};
use discburn_mmc::readcd::ReadCd;
use discburn_mmc::subchannel::{lead_in_cycle, RW_LEN};
use discburn_mmc::track::CloseFunction;
use discburn_mmc::Command;

const GOOD: (u8, u8, u8) = (0, 0, 0);
const AUDIO: usize = 2352;

fn audio_params(h: &mut Host, wt: WriteType) {
    let status = set_page_05(
        h,
        wt,
        MultiSession::NoNextSession,
        DataBlockType::Raw2352,
        0,
    );
    assert_eq!(status, GOOD);
}

/// `blocks` sectors of samples that name their LBA and `seed`.
fn samples(lba: i32, blocks: u32, seed: u8) -> Vec<u8> {
    let mut v = vec![0u8; blocks as usize * AUDIO];
    for (i, s) in v.chunks_mut(AUDIO).enumerate() {
        for (j, b) in s.iter_mut().enumerate() {
            *b = (j as u8).wrapping_mul(31) ^ seed;
        }
        s[..4].copy_from_slice(&(lba + i as i32).to_be_bytes());
    }
    v
}

fn write(h: &mut Host, lba: i32, data: &[u8], blocks: u32) -> (u8, u8, u8) {
    h.write_bytes(lba, blocks, data)
}

fn read_cd(h: &mut Host, c: ReadCd, per: usize) -> Result<Vec<u8>, (u8, u8, u8)> {
    h.data_in(&c.emit(), c.blocks as usize * per)
}

fn toc(h: &mut Host, format: TocFormat) -> Result<Vec<u8>, (u8, u8, u8)> {
    let c = ReadTocPmaAtip {
        msf: false,
        format,
        track_session: 0,
        alloc: 0xFFFF,
    };
    h.data_in(&c.emit(), 0xFFFF)
}

#[test]
fn tao_audio_tracks_get_two_second_pregaps_and_read_back_whole() {
    let mut h = Host::new("media=cd-r&speed=16x");
    audio_params(&mut h, WriteType::Tao);
    let one = samples(0, 300, 1);
    for (i, chunk) in one.chunks(AUDIO * 100).enumerate() {
        assert_eq!(write(&mut h, i as i32 * 100, chunk, 100), GOOD);
    }
    assert_eq!(h.close(CloseFunction::CloseTrack, 1), GOOD);
    // The drive writes 2 run-out blocks and the next track's 150-block pre-gap.
    let next = h.nwa();
    assert_eq!(next, 300 + 152);
    let two = samples(next as i32, 300, 2);
    for (i, chunk) in two.chunks(AUDIO * 100).enumerate() {
        assert_eq!(
            write(&mut h, next as i32 + i as i32 * 100, chunk, 100),
            GOOD
        );
    }
    assert_eq!(h.close(CloseFunction::CloseTrack, 2), GOOD);
    assert_eq!(h.close(CloseFunction::CloseSession, 0), GOOD);

    let t = Toc::parse(&toc(&mut h, TocFormat::Toc).unwrap()).unwrap();
    let starts: Vec<(u8, u8, u32)> = t
        .tracks
        .iter()
        .map(|e| (e.track, e.control, e.address))
        .collect();
    assert_eq!(
        starts,
        vec![(1, 0, 0), (2, 0, 452), (LEAD_OUT_TRACK, 4, 752)],
        "two audio tracks (CTL 0) and the lead-out"
    );
    // READ CD of the whole program area: track 1, the silent gap, track 2.
    let all = read_cd(&mut h, ReadCd::audio(0, 752), AUDIO).unwrap();
    assert_eq!(&all[..300 * AUDIO], &one[..]);
    assert!(all[300 * AUDIO..452 * AUDIO].iter().all(|&b| b == 0));
    assert_eq!(&all[452 * AUDIO..], &two[..]);
    // Audio is not read as data, nor past the lead-out.
    assert_eq!(h.read(0, 1).unwrap_err(), (5, 0x64, 0));
    let as_mode1 = ReadCd {
        sector_type: 2,
        ..ReadCd::audio(0, 1)
    };
    assert_eq!(read_cd(&mut h, as_mode1, 2048).unwrap_err(), (5, 0x64, 0));
    assert_eq!(
        read_cd(&mut h, ReadCd::audio(750, 4), AUDIO).unwrap_err(),
        (5, 0x21, 0)
    );
}

#[test]
fn read_cd_of_a_data_track_builds_sync_and_header() {
    let mut h = Host::new("media=cd-r&speed=16x");
    assert_eq!(h.write(0, 300, 0x33), GOOD);
    assert_eq!(h.close(CloseFunction::CloseSession, 0), GOOD);
    let c = ReadCd {
        sync: true,
        header_codes: 1,
        user_data: true,
        lba: 16,
        blocks: 2,
        ..ReadCd::default()
    };
    let b = read_cd(&mut h, c, 2064).unwrap();
    assert_eq!(
        &b[..12],
        &[0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0]
    );
    // LBA 16 is 00:02:16, BCD, mode 1.
    assert_eq!(&b[12..16], &[0x00, 0x02, 0x16, 0x01]);
    assert_eq!(&b[16..2064], &h.read(16, 1).unwrap()[..]);
    assert_eq!(&b[2064 + 12..2064 + 16], &[0x00, 0x02, 0x17, 0x01]);
    // A CD-DA read of a data track, and EDC/ECC the image does not keep, are refused.
    assert_eq!(
        read_cd(&mut h, ReadCd::audio(0, 1), AUDIO).unwrap_err(),
        (5, 0x64, 0)
    );
    let ecc = ReadCd {
        header_codes: 1,
        user_data: true,
        edc_ecc: true,
        blocks: 1,
        ..ReadCd::default()
    };
    assert_eq!(read_cd(&mut h, ecc, 2340).unwrap_err(), (5, 0x24, 0));
}

fn album() -> CdText {
    let mut block = Block {
        language: LANGUAGE_ENGLISH,
        ..Block::default()
    };
    block.text.insert(
        PackType::Title,
        vec![latin1("Winter Album").unwrap(), latin1("Première").unwrap()],
    );
    block.text.insert(
        PackType::Performer,
        vec![latin1("The Band").unwrap(), latin1("The Band").unwrap()],
    );
    CdText {
        first_track: 1,
        last_track: 1,
        blocks: vec![block],
    }
}

/// The sheet of one audio track of 300 sectors, the lead-in taking R-W sub-channel data
/// from the host (data form 41h), as cdrdao sends it with CD-TEXT.
fn cd_text_sheet() -> CueSheet {
    let mut lead_in = CueEntry::position(0, LEAD_IN_TRACK, 0, DataForm::CdDaGenerated, -150);
    lead_in.subchannel_form = 1;
    CueSheet {
        entries: vec![
            lead_in,
            CueEntry::position(0, 1, 0, DataForm::CdDa, -150),
            CueEntry::position(0, 1, 1, DataForm::CdDa, 0),
            CueEntry::position(0, LEAD_OUT_TRACK, 1, DataForm::CdDaGenerated, 300),
        ],
    }
}

fn send_sheet(h: &mut Host, sheet: &CueSheet) -> (u8, u8, u8) {
    let mut bytes = vec![0u8; sheet.buffer_len()];
    sheet.emit(&mut bytes).unwrap();
    h.data_out(&SendCueSheet::for_sheet(sheet).emit(), &bytes)
}

#[test]
fn cd_text_from_the_sao_lead_in_is_read_back_by_read_toc_format_5() {
    let mut h = Host::new("media=cd-r&speed=16x");
    audio_params(&mut h, WriteType::SaoDao);
    assert_eq!(send_sheet(&mut h, &cd_text_sheet()), GOOD);
    let text = album();
    let packs = cdtext::encode(&text).unwrap();
    let cycle = lead_in_cycle(&packs);
    // The lead-in from -4650 (a one-minute lead-in) to the pre-gap, 96 bytes a block.
    let (start, len) = (-4650i32, 4500u32);
    let mut lba = start;
    while lba < start + len as i32 {
        let n = 100.min((start + len as i32 - lba) as u32);
        let data: Vec<u8> = (0..n)
            .flat_map(|i| cycle[(lba - start + i as i32) as usize % cycle.len()])
            .collect();
        assert_eq!(data.len(), n as usize * RW_LEN);
        if lba == start + 200 {
            // A gap in the lead-in run is refused.
            assert_eq!(write(&mut h, lba + 1, &data, n), (5, 0x21, 2));
        }
        assert_eq!(write(&mut h, lba, &data, n), GOOD, "lead-in at {lba}");
        lba += n as i32;
    }
    // Then the pre-gap and the track, 2352 bytes a block.
    assert_eq!(write(&mut h, -150, &vec![0; 150 * AUDIO], 150), GOOD);
    let track = samples(0, 300, 7);
    for (i, chunk) in track.chunks(AUDIO * 100).enumerate() {
        assert_eq!(write(&mut h, i as i32 * 100, chunk, 100), GOOD);
    }
    assert_eq!(h.sync(), GOOD);

    let b = toc(&mut h, TocFormat::CdText).unwrap();
    let len = u16::from_be_bytes([b[0], b[1]]) as usize;
    assert_eq!(len, 2 + packs.len() * 18, "every pack once");
    assert_eq!(cdtext::decode(&b[4..]).unwrap(), text);
    assert_eq!(
        read_cd(&mut h, ReadCd::audio(0, 300), AUDIO).unwrap(),
        track
    );
    // The packs outlive a reopen (they are on the disc, in the state file).
    h.open();
    let again = toc(&mut h, TocFormat::CdText).unwrap();
    assert_eq!(again, b);
}

#[test]
fn a_disc_without_cd_text_answers_the_header_alone() {
    let mut h = Host::new("media=cd-r&speed=16x");
    assert_eq!(h.write(0, 300, 1), GOOD);
    assert_eq!(h.close(CloseFunction::CloseSession, 0), GOOD);
    assert_eq!(toc(&mut h, TocFormat::CdText).unwrap(), vec![0, 2, 0, 0]);
}

/// cdrecord/wodim end a TAO track with SYNCHRONIZE CACHE alone (drv_mmc.c
/// close_track_mmc): the drive closes the track there, so the next one starts past the
/// run-out and pre-gap.
#[test]
fn synchronize_cache_ends_a_tao_track() {
    let mut h = Host::new("media=cd-r&speed=16x");
    audio_params(&mut h, WriteType::Tao);
    let one = samples(0, 300, 1);
    for (i, chunk) in one.chunks(AUDIO * 100).enumerate() {
        assert_eq!(write(&mut h, i as i32 * 100, chunk, 100), GOOD);
    }
    assert_eq!(h.sync(), GOOD);
    assert_eq!(h.nwa(), 452);
    // A second SYNCHRONIZE CACHE with nothing written closes nothing.
    assert_eq!(h.sync(), GOOD);
    assert_eq!(h.nwa(), 452);
    // CLOSE TRACK of the closed track is answered GOOD, as drives do.
    assert_eq!(h.close(CloseFunction::CloseTrack, 1), GOOD);
    assert_eq!(h.nwa(), 452);
}
