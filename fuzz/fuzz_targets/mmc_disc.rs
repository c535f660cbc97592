//! Fuzzes the disc family of discburn-mmc: READ DISC INFORMATION, READ TOC/PMA/ATIP and
//! READ DISC STRUCTURE CDBs, disc information, TOC format 0 and session information, and
//! the disc structures (DVD physical format, BD disc information, structure list).
//! Whatever parses must re-emit and parse back to the same value.
#![no_main]

use discburn_mmc::disc::{
    BdDiscInformation, DiscInformation, DiscInformationView, DvdPhysicalFormat,
    DvdPhysicalFormatView, ReadDiscInformation, ReadDiscStructure, ReadTocPmaAtip, SessionInfo,
    StructureList, Toc, TocView,
};
use discburn_mmc::Command;
use libfuzzer_sys::fuzz_target;

fn cdb<C: Command + PartialEq + core::fmt::Debug>(data: &[u8]) {
    if let Ok(c) = C::parse(data) {
        assert_eq!(C::parse(c.emit().as_bytes()).as_ref(), Ok(&c));
    }
}

fuzz_target!(|data: &[u8]| {
    cdb::<ReadDiscInformation>(data);
    cdb::<ReadTocPmaAtip>(data);
    cdb::<ReadDiscStructure>(data);
    if let Ok(d) = DiscInformation::parse(data) {
        let mut out = vec![0u8; d.buffer_len()];
        assert_eq!(d.emit(&mut out), Ok(d.buffer_len()));
        assert_eq!(DiscInformation::parse(&out), Ok(d));
    }
    if let Ok(t) = Toc::parse(data) {
        assert!(t.tracks.len() <= data.len().saturating_sub(4) / 8);
        let mut out = vec![0u8; t.buffer_len()];
        assert_eq!(t.emit(&mut out), Ok(t.buffer_len()));
        assert_eq!(Toc::parse(&out).as_ref(), Ok(&t));
    }
    if let Ok(s) = SessionInfo::parse(data) {
        let mut out = vec![0u8; s.buffer_len()];
        assert_eq!(s.emit(&mut out), Ok(s.buffer_len()));
        assert_eq!(SessionInfo::parse(&out), Ok(s));
    }
    if let Ok(p) = DvdPhysicalFormat::parse(data) {
        let mut out = vec![0u8; p.buffer_len()];
        assert_eq!(p.emit(&mut out), Ok(p.buffer_len()));
        assert_eq!(DvdPhysicalFormat::parse(&out), Ok(p));
    }
    if let Ok(d) = BdDiscInformation::parse(data) {
        assert!(d.units.len() <= data.len().saturating_sub(4));
        let mut out = vec![0u8; d.buffer_len()];
        assert_eq!(d.emit(&mut out), Ok(d.buffer_len()));
        assert_eq!(BdDiscInformation::parse(&out).as_ref(), Ok(&d));
        let _ = (d.disc_type(), d.layers(), d.di_format(), d.has_identifier());
    }
    if let Ok(l) = StructureList::parse(data) {
        assert!(l.entries.len() <= data.len().saturating_sub(4) / 4);
        let mut out = vec![0u8; l.buffer_len()];
        assert_eq!(l.emit(&mut out), Ok(l.buffer_len()));
        assert_eq!(StructureList::parse(&out).as_ref(), Ok(&l));
    }
    let p = DvdPhysicalFormatView::new_unchecked(data);
    let _ = (p.book_type(), p.layers(), p.data_area_start(), p.end_sector_layer0());
    let v = DiscInformationView::new_unchecked(data);
    let _ = (v.disc_bar_code(), v.sessions(), v.disc_type());
    let t = TocView::new_unchecked(data);
    for i in 0..t.descriptor_count().min(4) {
        assert!(t.descriptor(i).is_some());
    }
    assert!(t.descriptor(t.descriptor_count()).is_none());
});
