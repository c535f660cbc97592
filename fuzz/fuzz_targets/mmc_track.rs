//! Fuzzes the track family of discburn-mmc: READ TRACK INFORMATION, RESERVE TRACK and
//! CLOSE TRACK/SESSION CDBs and the track information block. Whatever parses must
//! re-emit and parse back to the same value.
#![no_main]

use discburn_mmc::track::{
    CloseTrackSession, ReadTrackInformation, ReserveTrack, TrackInformation, TrackInformationView,
};
use discburn_mmc::Command;
use libfuzzer_sys::fuzz_target;

fn cdb<C: Command + PartialEq + core::fmt::Debug>(data: &[u8]) {
    if let Ok(c) = C::parse(data) {
        assert_eq!(C::parse(c.emit().as_bytes()).as_ref(), Ok(&c));
    }
}

fuzz_target!(|data: &[u8]| {
    cdb::<ReadTrackInformation>(data);
    cdb::<ReserveTrack>(data);
    cdb::<CloseTrackSession>(data);
    if let Ok(t) = TrackInformation::parse(data) {
        let mut out = vec![0u8; t.buffer_len()];
        assert_eq!(t.emit(&mut out), Ok(t.buffer_len()));
        assert_eq!(TrackInformation::parse(&out), Ok(t));
    }
    let v = TrackInformationView::new_unchecked(data);
    let _ = (v.track(), v.nwa(), v.last_layer_jump(), v.data_mode());
});
