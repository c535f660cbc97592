//! Arbitrary burn records (`discburn report FILE.json`: a file from anywhere): read or
//! refused, never a panic, and the ten-band summary of any trace read is at most ten rows
//! of finite positions.
#![no_main]

use discburn_cli::record_view::{bands, view};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if let Ok(v) = view(&doc) {
        assert!(v.trace.iter().all(|p| p.lba.is_finite()));
        assert!(bands(&v.trace).len() <= 10);
    }
});
