//! Fuzzes the cue sheet file parser (discburn::cuefile): any text parses or fails with a
//! line and a message, and what parses lays out (extents, CD-Text) without panicking.
#![no_main]

use discburn::cuefile::CueImage;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(img) = CueImage::parse(&text) {
        let lens: Vec<u64> = img
            .files
            .iter()
            .enumerate()
            .map(|(i, _)| u64::from(data.get(i).copied().unwrap_or(0)) << 20)
            .collect();
        let _ = img.extents(&lens);
        let _ = img.cd_text();
    }
});
