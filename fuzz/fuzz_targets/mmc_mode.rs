//! Fuzzes every MODE SENSE / MODE SELECT parser: the CDBs, the header, the page walk and
//! the typed pages 01h, 05h and 2Ah (re-emitted and re-parsed when they parse).
#![no_main]

#[path = "../common/mmc.rs"]
mod mmc;

use discburn_mmc::mode::{
    find_page, mode_select_list, CapabilitiesPage, ErrorRecoveryPage, ModeHeader10, ModePage,
    ModePageView, ModePages, ModeSelect10, ModeSense10, WriteParametersPage,
};
use libfuzzer_sys::fuzz_target;

fn round_trip<P: ModePage + PartialEq + core::fmt::Debug>(page: &[u8]) {
    if let Ok(p) = P::parse(page) {
        let mut out = vec![0u8; p.buffer_len()];
        if p.emit(&mut out).is_ok() {
            // Re-parsing the emitted page must not fail.
            assert!(P::parse(&out).is_ok());
            let mut list = vec![0u8; 8 + p.buffer_len()];
            if mode_select_list(&p, &mut list).is_ok() {
                assert_eq!(list[0..2], [0, 0]);
                assert_eq!(list[8] & 0x80, 0);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    mmc::cdbs!(data, [ModeSense10, ModeSelect10]);
    let _ = ModeHeader10::parse(data);
    for p in ModePages::new(data) {
        assert!(p.is_complete());
        let _ = (p.ps(), p.spf(), p.subpage(), p.page_code(), p.header_len());
        round_trip::<ErrorRecoveryPage>(p.bytes());
        round_trip::<WriteParametersPage>(p.bytes());
        round_trip::<CapabilitiesPage>(p.bytes());
    }
    let v = ModePageView::new(data);
    let _ = (v.page_length(), v.bytes(), v.total_len());
    round_trip::<ErrorRecoveryPage>(data);
    round_trip::<WriteParametersPage>(data);
    round_trip::<CapabilitiesPage>(data);
    let _ = find_page::<ErrorRecoveryPage>(data);
    let _ = find_page::<WriteParametersPage>(data);
    if let Ok(c) = find_page::<CapabilitiesPage>(data) {
        assert!(c.write_speeds.len() * 4 <= data.len());
    }
});
