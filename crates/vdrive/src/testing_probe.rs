//! Test support for this crate's tests and fuzz targets, not part of the API: the
//! commands a drive opened over any valid state must answer without panicking.
#![doc(hidden)]

use std::time::Duration;

use discburn_mmc::sense::Sense;
use discburn_mmc::{DataPhase, Request, Transport};

use crate::model::DiscState;

/// Runs [`probe_cdbs`] for `state` on `drive`: every command that completes transfers
/// no more than it was given room for, and a status other than GOOD carries sense
/// data that parses. Panics otherwise.
pub fn probe(drive: &mut dyn Transport, state: &DiscState) {
    for (cdb, dir, len) in probe_cdbs(state) {
        let mut inbuf = vec![0u8; len];
        let out = vec![0x5Au8; len];
        let data = match dir {
            Dir::None => DataPhase::None,
            Dir::In => DataPhase::In(&mut inbuf),
            Dir::Out => DataPhase::Out(&out),
        };
        let timeout = Duration::from_secs(3600);
        if let Ok(c) = drive.execute(Request {
            cdb: &cdb,
            data,
            timeout,
        }) {
            assert!(c.transferred <= len, "{cdb:02x?}: {c:?}");
            if !c.is_good() {
                assert!(Sense::parse(&c.sense).is_ok(), "{cdb:02x?}: {c:?}");
            }
        }
    }
}

/// Which way a probe command's data goes.
#[derive(Debug, Clone, Copy)]
pub enum Dir {
    None,
    In,
    Out,
}

/// CDBs that read everything `state` describes (disc and track information at odd
/// numbers and addresses, READ(10) around every track's start and NWA), then write and
/// close at the NWA, unclose and erase the last session: each with its data direction
/// and length.
pub fn probe_cdbs(state: &DiscState) -> Vec<(Vec<u8>, Dir, usize)> {
    let disc_info = (vec![0x51, 0, 0, 0, 0, 0, 0, 0x08, 0, 0], Dir::In, 2048);
    let mut cdbs = vec![
        disc_info.clone(),
        (vec![0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0], Dir::In, 8),
        (vec![0x23, 0, 0, 0, 0, 0, 0, 0x02, 0, 0], Dir::In, 512),
        (vec![0x46, 0, 0, 0, 0, 0, 0, 0x10, 0, 0], Dir::In, 4096),
        (vec![0xAC, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], Dir::In, 64),
    ];
    for format in [0u8, 1, 2, 5] {
        cdbs.push((
            vec![0x43, 0, format, 0, 0, 0, 1, 0xFF, 0xFF, 0],
            Dir::In,
            0xFFFF,
        ));
    }
    let mut lbas = vec![
        0,
        state.capacity.saturating_sub(1),
        state.capacity,
        u32::MAX,
    ];
    for n in [0u32, 1, 0xFF, 0xFFFF_FFFF] {
        cdbs.push((track_info(1, n), Dir::In, 0xFF));
    }
    for t in &state.tracks {
        cdbs.push((track_info(1, t.number), Dir::In, 0xFF));
        lbas.extend([t.start, t.nwa().saturating_sub(1), t.nwa()]);
    }
    for lba in lbas {
        cdbs.push((track_info(0, lba), Dir::In, 0xFF));
        let b = lba.to_be_bytes();
        cdbs.push((
            vec![0x28, 0, b[0], b[1], b[2], b[3], 0, 0, 2, 0],
            Dir::In,
            4096,
        ));
    }
    if let Some(t) = state.tracks.last() {
        let b = t.nwa().to_be_bytes();
        cdbs.push((
            vec![0x2A, 0, b[0], b[1], b[2], b[3], 0, 0, 1, 0],
            Dir::Out,
            2048,
        ));
        cdbs.push((vec![0x53, 0, 0, 0, 0, 0, 0, 0, 0x10, 0], Dir::None, 0));
        let n = (t.number as u16).to_be_bytes();
        cdbs.push((vec![0x5B, 0, 1, 0, n[0], n[1], 0, 0, 0, 0], Dir::None, 0));
    }
    cdbs.push((vec![0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0], Dir::None, 0));
    cdbs.push((vec![0x5B, 0, 2, 0, 0, 0, 0, 0, 0, 0], Dir::None, 0));
    // BLANK: unclose the last session, then erase it; READ DISC INFORMATION after each.
    cdbs.push((vec![0xA1, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], Dir::None, 0));
    cdbs.push(disc_info.clone());
    cdbs.push((vec![0xA1, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], Dir::None, 0));
    cdbs.push(disc_info);
    cdbs
}

/// READ TRACK INFORMATION with `address_type` (0 LBA, 1 track number) and `address`.
fn track_info(address_type: u8, address: u32) -> Vec<u8> {
    let a = address.to_be_bytes();
    vec![0x52, address_type, a[0], a[1], a[2], a[3], 0, 0, 0xFF, 0]
}
