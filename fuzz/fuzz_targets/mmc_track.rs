//! Fuzzes the track family of discburn-mmc: READ TRACK INFORMATION, RESERVE TRACK and
//! CLOSE TRACK/SESSION CDBs and the track information block. Whatever parses must
//! re-emit and parse back to the same value.
#![no_main]

#[path = "../common/mmc.rs"]
mod mmc;

use discburn_mmc::track::{
    CloseTrackSession, ReadTrackInformation, ReserveTrack, TrackInformation, TrackInformationView,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mmc::cdbs!(
        data,
        [ReadTrackInformation, ReserveTrack, CloseTrackSession]
    );
    mmc::repr::<TrackInformation>(data);
    let v = TrackInformationView::new_unchecked(data);
    let _ = (v.track(), v.nwa(), v.last_layer_jump(), v.data_mode());
});
