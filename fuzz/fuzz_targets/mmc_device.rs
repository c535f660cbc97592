//! Fuzzes the SPC device family of discburn-mmc: every CDB parser, standard INQUIRY
//! data and MECHANISM STATUS data. Whatever parses must re-emit and parse back to the same value.
#![no_main]

use discburn_mmc::device::{
    Inquiry, InquiryData, InquiryDataView, MechanismStatus, MechanismStatusData,
    MechanismStatusView, PreventAllowMediumRemoval, RequestSense, StartStopUnit, TestUnitReady,
};
use discburn_mmc::Command;
use libfuzzer_sys::fuzz_target;

fn cdb<C: Command + PartialEq + core::fmt::Debug>(data: &[u8]) {
    if let Ok(c) = C::parse(data) {
        assert_eq!(C::parse(c.emit().as_bytes()).as_ref(), Ok(&c));
    }
}

fuzz_target!(|data: &[u8]| {
    cdb::<TestUnitReady>(data);
    cdb::<RequestSense>(data);
    cdb::<Inquiry>(data);
    cdb::<StartStopUnit>(data);
    cdb::<PreventAllowMediumRemoval>(data);
    cdb::<MechanismStatus>(data);
    if let Ok(m) = MechanismStatusData::parse(data) {
        assert!(m.slots.len() <= data.len().saturating_sub(8) / 4);
        let mut out = vec![0u8; m.buffer_len()];
        assert_eq!(m.emit(&mut out), Ok(m.buffer_len()));
        assert_eq!(MechanismStatusData::parse(&out).as_ref(), Ok(&m));
    }
    let m = MechanismStatusView::new_unchecked(data);
    let _ = (m.current_slot(), m.mechanism_state(), m.slot(m.slot_count()));
    if let Ok(d) = InquiryData::parse(data) {
        let mut out = vec![0u8; d.buffer_len()];
        assert_eq!(d.emit(&mut out), Ok(d.buffer_len()));
        assert_eq!(InquiryData::parse(&out).as_ref(), Ok(&d));
    }
    let v = InquiryDataView::new_unchecked(data);
    let _ = (v.vendor(), v.product(), v.revision(), v.device_type());
});
