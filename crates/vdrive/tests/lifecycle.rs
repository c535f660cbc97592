//! Each medium through its life, purely with CDBs: blank → write → close → reopen →
//! append / verify / finalize.

mod common;

use common::*;
use discburn_mmc::disc::{DiscStatus, SessionState};
use discburn_mmc::track::{CloseFunction, TrackAddress};

const NWA_ERR: (u8, u8, u8) = (5, 0x21, 2);
const GOOD: (u8, u8, u8) = (0, 0, 0);

fn write_session(h: &mut Host, blocks: u16, fill: u8) -> u32 {
    let nwa = h.nwa();
    for i in 0..4u32 {
        assert_eq!(h.write(nwa + i * blocks as u32, blocks, fill), GOOD);
    }
    assert_eq!(h.sync(), GOOD);
    nwa
}

fn verify(h: &mut Host, lba: u32, blocks: u16, fill: u8) {
    assert_eq!(
        h.read(lba, blocks).unwrap(),
        pattern(lba, blocks as u32, fill)
    );
}

/// Write-once media with appendable sessions: DVD+R (function 2 keeps it appendable,
/// 6 finalizes) and BD-R.
fn append_then_finalize(media: &str, finalize: CloseFunction) {
    let mut h = Host::new(&format!("media={media}"));
    let di = h.disc_info();
    assert_eq!(di.disc_status, DiscStatus::Empty);
    assert_eq!(h.nwa(), 0);
    // Wrong LBA on a blank disc.
    assert_eq!(h.write(16, 16, 1), NWA_ERR);
    let s1 = write_session(&mut h, 32, 0x11);
    assert_eq!(h.nwa(), 128);
    assert_eq!(h.write(0, 1, 1), NWA_ERR);
    assert_eq!(h.write(129, 1, 1), NWA_ERR);
    assert_eq!(h.close(CloseFunction::CloseTrack, 1), GOOD);
    assert_eq!(h.close(CloseFunction::CloseSession, 0), GOOD);
    let di = h.disc_info();
    assert_eq!(di.disc_status, DiscStatus::Incomplete);
    assert_eq!(di.last_session_state, SessionState::Empty);
    assert_eq!(di.sessions, 2);
    // Reopen: the state survives.
    h.open();
    let di2 = h.disc_info();
    assert_eq!(di2, di);
    verify(&mut h, s1, 128, 0x11);
    assert_eq!(h.read(128, 1), Err((5, 0x21, 0)));
    let s2 = write_session(&mut h, 16, 0x22);
    assert!(s2 > 128);
    let t2 = h.track_info(TrackAddress::Track(2)).unwrap();
    assert_eq!(t2.start, s2);
    assert_eq!(t2.session, 2);
    assert_eq!(h.close(finalize, 0), GOOD);
    let di = h.disc_info();
    assert_eq!(di.disc_status, DiscStatus::Complete);
    assert_eq!(di.last_session_state, SessionState::Complete);
    // Closed media refuse writes.
    assert_eq!(h.write(s2 + 64, 1, 1), (5, 0x30, 5));
    h.open();
    verify(&mut h, s1, 128, 0x11);
    verify(&mut h, s2, 64, 0x22);
    assert_eq!(h.disc_info().disc_status, DiscStatus::Complete);
}

#[test]
fn dvd_plus_r_life() {
    append_then_finalize("dvd+r", CloseFunction::FinalizeDisc);
}

#[test]
fn bd_r_life() {
    append_then_finalize("bd-r", CloseFunction::FinalizeDisc);
}

#[test]
fn cd_r_life_multisession_by_page() {
    let mut h = Host::new("media=cd-r&speed=24x");
    h.allow_next_session();
    let s1 = write_session(&mut h, 25, 0x31);
    assert_eq!(h.close(CloseFunction::CloseTrack, 1), GOOD);
    // The next track of the session starts after the TAO run-out + pre-gap.
    assert_eq!(h.nwa(), 100 + 152);
    assert_eq!(h.close(CloseFunction::CloseSession, 0), GOOD);
    assert_eq!(h.disc_info().disc_status, DiscStatus::Incomplete);
    h.open();
    verify(&mut h, s1, 100, 0x31);
    // After reopening, the page is back at its power-on default (no next session):
    // closing the second session finalizes the disc.
    let s2 = write_session(&mut h, 8, 0x32);
    assert_eq!(h.close(CloseFunction::CloseSession, 0), GOOD);
    assert_eq!(h.disc_info().disc_status, DiscStatus::Complete);
    h.open();
    verify(&mut h, s2, 32, 0x32);
    assert_eq!(h.write(s2 + 32, 1, 0), (5, 0x30, 5));
}

#[test]
fn dvd_minus_r_life() {
    let mut h = Host::new("media=dvd-r&speed=8x");
    let s1 = write_session(&mut h, 16, 0x41);
    // Default page: no next session, so closing the session finalizes.
    assert_eq!(h.close(CloseFunction::CloseSession, 0), GOOD);
    h.open();
    assert_eq!(h.disc_info().disc_status, DiscStatus::Complete);
    verify(&mut h, s1, 64, 0x41);
}

#[test]
fn bd_re_and_dvd_ram_reopen() {
    let mut h = Host::new("media=dvd-ram");
    assert_eq!(h.write(4096, 4, 0x51), GOOD);
    assert_eq!(h.sync(), GOOD);
    h.open();
    verify(&mut h, 4096, 4, 0x51);
    assert_eq!(h.disc_info().disc_status, DiscStatus::Other);
}
