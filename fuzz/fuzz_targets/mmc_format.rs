//! Fuzzes the format family of discburn-mmc: FORMAT UNIT, READ FORMAT CAPACITIES and
//! BLANK CDBs, the FORMAT UNIT parameter list and READ FORMAT CAPACITIES data. Whatever
//! parses must re-emit and parse back to the same value.
#![no_main]

#[path = "../common/mmc.rs"]
mod mmc;

use discburn_mmc::format::{
    Blank, FormatCapacities, FormatCapacitiesView, FormatDescriptor, FormatParameterList,
    FormatParameterListView, FormatUnit, ReadFormatCapacities,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mmc::cdbs!(data, [FormatUnit, ReadFormatCapacities, Blank]);
    mmc::reprs!(data, [FormatParameterList, FormatDescriptor]);
    if let Some(c) = mmc::repr::<FormatCapacities>(data) {
        assert!(c.buffer_len() <= data.len());
    }
    let v = FormatCapacitiesView::new_unchecked(data);
    let _ = (
        v.current(),
        v.formattable(v.formattable_count()),
        v.formattable(usize::MAX),
    );
    let p = FormatParameterListView::new_unchecked(data);
    let _ = (
        p.format_type(),
        p.subtype(),
        p.type_dependent(),
        p.number_of_blocks(),
    );
});
