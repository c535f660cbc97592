//! Fuzzes the SPC device family of discburn-mmc: every CDB parser, standard INQUIRY
//! data and MECHANISM STATUS data. Whatever parses must re-emit and parse back to the same value.
#![no_main]

#[path = "../common/mmc.rs"]
mod mmc;

use discburn_mmc::device::{
    Inquiry, InquiryData, InquiryDataView, MechanismStatus, MechanismStatusData,
    MechanismStatusView, PreventAllowMediumRemoval, RequestSense, StartStopUnit, TestUnitReady,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mmc::cdbs!(
        data,
        [
            TestUnitReady,
            RequestSense,
            Inquiry,
            StartStopUnit,
            PreventAllowMediumRemoval,
            MechanismStatus,
        ]
    );
    if let Some(m) = mmc::repr::<MechanismStatusData>(data) {
        assert!(m.slots.len() <= data.len().saturating_sub(8) / 4);
    }
    let m = MechanismStatusView::new_unchecked(data);
    let _ = (
        m.current_slot(),
        m.mechanism_state(),
        m.slot(m.slot_count()),
    );
    mmc::repr::<InquiryData>(data);
    let v = InquiryDataView::new_unchecked(data);
    let _ = (v.vendor(), v.product(), v.revision(), v.device_type());
});
