//! Fuzzes VPD page parsing (SPC-4 §7.8): whatever parses re-emits and parses back equal.
#![no_main]

use discburn_mmc::vpd::VpdPage;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = VpdPage::parse(data) {
        let mut out = vec![0u8; p.buffer_len()];
        let n = p.emit(&mut out).expect("a parsed page emits");
        let again = VpdPage::parse(&out[..n]).expect("an emitted page parses");
        assert_eq!(again.code(), p.code());
    }
});
