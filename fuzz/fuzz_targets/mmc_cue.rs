//! Fuzzes the CD SAO family of discburn-mmc: the SEND CUE SHEET CDB, cue sheets and the
//! session layout a drive derives from one. Whatever parses must re-emit and parse back
//! to the same value; a layout that validates must describe tracks a drive can record.
#![no_main]

use discburn_mmc::cue::{CueEntryView, CueSheet, SendCueSheet, ENTRY_LEN, MIN_TRACK_SECTORS};
use discburn_mmc::Command;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = SendCueSheet::parse(data) {
        assert_eq!(SendCueSheet::parse(c.emit().as_bytes()), Ok(c));
    }
    if let Ok(s) = CueSheet::parse(data) {
        assert_eq!(s.entries.len(), data.len() / ENTRY_LEN);
        let mut out = vec![0u8; s.buffer_len()];
        assert_eq!(s.emit(&mut out), Ok(s.buffer_len()));
        assert_eq!(CueSheet::parse(&out).as_ref(), Ok(&s));
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
    let _ = (v.control(), v.adr(), v.track(), v.index(), v.data_form(), v.msf());
});
