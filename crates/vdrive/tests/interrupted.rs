//! A process killed mid-burn (SIGKILL: no drop handler runs) leaves the disc as a real
//! one: what was burnt stays burnt, in an incomplete track that takes the rest of the
//! burn or a close.

mod common;

use common::*;
use discburn_mmc::disc::{DiscStatus, SessionState};
use discburn_mmc::format::{Blank, BlankingType};
use discburn_mmc::track::{CloseFunction, TrackAddress};
use discburn_mmc::Command;
use discburn_vdrive::image::{parse_state, state_path};

const GOOD: (u8, u8, u8) = (0, 0, 0);
const CHUNK: u16 = 32;

/// Writes `chunks` WRITEs of 32 blocks from the NWA; returns the LBA after the last.
fn burn(h: &mut Host, chunks: u32, fill: u8) -> u32 {
    let mut lba = h.nwa();
    for _ in 0..chunks {
        assert_eq!(h.write(lba, CHUNK, fill), GOOD, "WRITE at {lba}");
        lba += u32::from(CHUNK);
    }
    lba
}

fn kill(h: &mut Host) {
    h.drive.take().expect("drive open").kill();
}

#[test]
fn a_kill_mid_burn_leaves_an_incomplete_track_that_takes_the_rest() {
    let mut h = Host::new("media=dvd+r&throttle=off");
    // About 10,000 sectors, no SYNCHRONIZE CACHE, no CLOSE.
    let end = burn(&mut h, 313, 0x5A);
    assert_eq!(end, 10_016);
    kill(&mut h);
    h.open();

    let di = h.disc_info();
    assert_eq!(di.disc_status, DiscStatus::Incomplete, "{di:?}");
    assert_eq!(di.last_session_state, SessionState::Incomplete, "{di:?}");
    assert_eq!(di.sessions, 1);
    let t = h.track_info(TrackAddress::Track(1)).unwrap();
    assert!(!t.blank, "{t:?}");
    assert!(!t.damage, "the drive burnt what it took: {t:?}");
    assert_eq!(t.nwa, Some(end), "{t:?}");
    assert_eq!(t.last_recorded, Some(end - 1), "{t:?}");
    assert_eq!(h.read(5000, 16).unwrap(), pattern(5000, 16, 0x5A));
    assert_eq!(h.read(end, 1), Err((5, 0x21, 0)), "nothing past the NWA");

    // The burn goes on at the NWA, then the session closes.
    let end2 = burn(&mut h, 4, 0x5B);
    assert_eq!(h.close(CloseFunction::CloseTrack, 1), GOOD);
    assert_eq!(h.close(CloseFunction::CloseSession, 0), GOOD);
    h.open();
    let t = h.track_info(TrackAddress::Track(1)).unwrap();
    assert_eq!((t.start, t.size), (0, end2));
    assert_eq!(h.read(end, 4).unwrap(), pattern(end, 4, 0x5B));
    assert_eq!(h.disc_info().disc_status, DiscStatus::Incomplete);
}

#[test]
fn a_kill_right_after_a_reopen_leaves_a_closable_track() {
    let mut h = Host::new("media=bd-r&throttle=off");
    let end = burn(&mut h, 100, 0x33);
    kill(&mut h);
    h.open();
    assert_eq!(h.nwa(), end);
    // A host that gives up on the rest closes what is there.
    assert_eq!(h.close(CloseFunction::CloseSession, 0), GOOD);
    let di = h.disc_info();
    assert_eq!(di.last_session_state, SessionState::Empty, "{di:?}");
    assert_eq!(di.sessions, 2, "{di:?}");
    let t = h.track_info(TrackAddress::Track(1)).unwrap();
    assert_eq!(t.size, end, "{t:?}");
}

#[test]
fn the_state_file_itself_keeps_up_during_a_stream() {
    // Checkpoints: the state on disk, without the image's help, trails the burn by at
    // most one checkpoint and never claims more than the image holds. At 8x (11 MB/s on
    // the simulated clock) 32 MiB take longer than the least interval.
    let mut h = Host::new("media=dvd+r&speed=8x");
    let end = burn(&mut h, 1280, 0x11); // 40,960 sectors, 80 MiB
                                        // At bounded cost: the first WRITE, then one per 32 MiB — not one per WRITE.
    let saves = h.d().control().stats().checkpoints;
    assert_eq!(
        saves,
        1 + u64::from(end) / discburn_vdrive::CHECKPOINT_BLOCKS
    );
    kill(&mut h);
    let st = parse_state(&std::fs::read(state_path(&h.path)).unwrap()).unwrap();
    let written = u64::from(st.tracks[0].written);
    assert!(
        written + discburn_vdrive::CHECKPOINT_BLOCKS >= u64::from(end),
        "state says {written} of {end}"
    );
    let image_blocks = std::fs::metadata(&h.path).unwrap().len() / 2048;
    assert!(written <= image_blocks, "{written} > {image_blocks}");
}

#[test]
fn checkpoints_are_spaced_in_drive_time() {
    // Unthrottled, the simulated clock stands still: after the first WRITE's checkpoint
    // no other, however much is written (a kill is then recovered from the image).
    let mut h = Host::new("media=bd-r&throttle=off");
    let end = burn(&mut h, 2048, 0x22); // 128 MiB
    assert_eq!(h.d().control().stats().checkpoints, 1);
    // The clock moves on: the next WRITE past 32 MiB saves.
    h.sim.advance(discburn_vdrive::CHECKPOINT_INTERVAL);
    assert_eq!(h.write(end, CHUNK, 0x22), GOOD);
    assert_eq!(h.d().control().stats().checkpoints, 2);
    // A SYNCHRONIZE CACHE saves what came since and ends the stream; the next WRITE
    // starts one.
    assert_eq!(h.write(end + u32::from(CHUNK), CHUNK, 0x22), GOOD);
    assert_eq!(h.sync(), GOOD);
    assert_eq!(h.write(end + 2 * u32::from(CHUNK), CHUNK, 0x22), GOOD);
    assert_eq!(h.d().control().stats().checkpoints, 3);
    kill(&mut h);
    h.open();
    assert_eq!(h.nwa(), end + 3 * u32::from(CHUNK));
}

#[test]
fn an_erased_session_does_not_come_back_after_a_kill() {
    let mut h = Host::new("media=cd-rw&throttle=off");
    // Page 05h multi-session 11b, so that closing the first session leaves room for one.
    h.allow_next_session();
    burn(&mut h, 10, 0x01);
    assert_eq!(h.close(CloseFunction::CloseSession, 0), GOOD);
    let s2 = h.nwa();
    burn(&mut h, 10, 0x02);
    assert_eq!(h.close(CloseFunction::CloseSession, 0), GOOD);
    let erase = Blank {
        immed: false,
        blanking_type: BlankingType::EraseSession,
        address: 0,
    };
    assert_eq!(h.none(&erase.emit()), GOOD);
    let nwa = h.nwa();
    kill(&mut h);
    h.open();
    assert_eq!(h.nwa(), nwa);
    let t = h.track_info(TrackAddress::INVISIBLE).unwrap();
    assert!(t.blank, "{t:?}");
    assert_eq!(h.read(s2, 1), Err((5, 0x21, 0)));
    assert_eq!(h.disc_info().sessions, 2);
}
