//! Fuzzes the CD SAO family of discburn-mmc: the SEND CUE SHEET CDB, cue sheets and the
//! session layout a drive derives from one. Whatever parses must re-emit and parse back
//! to the same value; a layout that validates must describe tracks a drive can record.
#![no_main]

#[path = "../common/mmc.rs"]
mod mmc;

use discburn_mmc::cue::{CueEntryView, CueSheet, SendCueSheet, ENTRY_LEN, MIN_TRACK_SECTORS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mmc::cdb::<SendCueSheet>(data);
    if let Some(s) = mmc::repr::<CueSheet>(data) {
        assert_eq!(s.entries.len(), data.len() / ENTRY_LEN);
        if let Ok(l) = s.layout() {
            assert!(!l.tracks.is_empty());
            let mut prev = l.lead_in;
            for t in &l.tracks {
                assert!(t.start >= prev && t.end > t.start);
                assert!(t.sectors() >= MIN_TRACK_SECTORS);
                prev = t.end;
            }
            assert_eq!(prev, l.lead_out);
            assert!(l.first_host_lba() <= l.tracks[0].start);
        }
    }
    let v = CueEntryView::new_unchecked(data);
    let _ = (
        v.control(),
        v.adr(),
        v.track(),
        v.index(),
        v.data_form(),
        v.msf(),
    );
});
