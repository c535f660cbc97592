//! Fuzzes the format family of discburn-mmc: FORMAT UNIT, READ FORMAT CAPACITIES and
//! BLANK CDBs, the FORMAT UNIT parameter list and READ FORMAT CAPACITIES data. Whatever
//! parses must re-emit and parse back to the same value.
#![no_main]

use discburn_mmc::format::{
    Blank, FormatCapacities, FormatCapacitiesView, FormatDescriptor, FormatParameterList,
    FormatParameterListView, FormatUnit, ReadFormatCapacities,
};
use discburn_mmc::Command;
use libfuzzer_sys::fuzz_target;

fn cdb<C: Command + PartialEq + core::fmt::Debug>(data: &[u8]) {
    if let Ok(c) = C::parse(data) {
        assert_eq!(C::parse(c.emit().as_bytes()).as_ref(), Ok(&c));
    }
}

fuzz_target!(|data: &[u8]| {
    cdb::<FormatUnit>(data);
    cdb::<ReadFormatCapacities>(data);
    cdb::<Blank>(data);
    if let Ok(l) = FormatParameterList::parse(data) {
        let mut out = [0u8; FormatParameterList::LEN];
        assert_eq!(l.emit(&mut out), Ok(l.buffer_len()));
        assert_eq!(FormatParameterList::parse(&out), Ok(l));
    }
    if let Ok(d) = FormatDescriptor::parse(data) {
        let mut out = [0u8; FormatDescriptor::LEN];
        assert_eq!(d.emit(&mut out), Ok(d.buffer_len()));
        assert_eq!(FormatDescriptor::parse(&out), Ok(d));
    }
    if let Ok(c) = FormatCapacities::parse(data) {
        assert!(c.buffer_len() <= data.len());
        let mut out = vec![0u8; c.buffer_len()];
        assert_eq!(c.emit(&mut out), Ok(c.buffer_len()));
        assert_eq!(FormatCapacities::parse(&out).as_ref(), Ok(&c));
    }
    let v = FormatCapacitiesView::new_unchecked(data);
    let _ = (v.current(), v.formattable(v.formattable_count()), v.formattable(usize::MAX));
    let p = FormatParameterListView::new_unchecked(data);
    let _ = (p.format_type(), p.subtype(), p.type_dependent(), p.number_of_blocks());
});
