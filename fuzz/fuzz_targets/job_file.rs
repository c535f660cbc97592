//! Arbitrary job files (`discburn jobs DIR`: anyone may drop a file into the folder) and
//! state files: a job is read or refused with a sentence, never a panic, and a job read
//! is within the limits (copies, drives).
#![no_main]

use discburn_cli::job_file::{parse_job, read_status, COPIES_MAX, DRIVES_MAX};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for fallback in [&[][..], &["/dev/sr0".to_string()][..]] {
        match parse_job(text, std::path::Path::new("/jobs"), fallback) {
            Ok(j) => {
                assert!((1..=COPIES_MAX).contains(&j.copies));
                assert!(!j.drives.is_empty() && j.drives.len() <= DRIVES_MAX);
                assert!(j.source.is_absolute());
            }
            Err(why) => assert!(!why.is_empty()),
        }
    }
    let _ = read_status(text);
});
