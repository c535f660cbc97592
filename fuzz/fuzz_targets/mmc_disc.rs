//! Fuzzes the disc family of discburn-mmc: READ DISC INFORMATION, READ TOC/PMA/ATIP and
//! READ DISC STRUCTURE / SEND DISC STRUCTURE CDBs, disc information, TOC format 0 and
//! session information, and the disc structures (DVD physical format, BD disc
//! information, structure list, dual-layer boundary).
//! Whatever parses must re-emit and parse back to the same value.
#![no_main]

#[path = "../common/mmc.rs"]
mod mmc;

use discburn_mmc::disc::{
    BdDiscInformation, DiscInformation, DiscInformationView, DvdPhysicalFormat,
    DvdPhysicalFormatView, LayerBoundary, LayerBoundaryView, ReadDiscInformation,
    ReadDiscStructure, ReadTocPmaAtip, SendDiscStructure, SessionInfo, StructureList, Toc,
    TocView,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mmc::cdbs!(
        data,
        [
            ReadDiscInformation,
            ReadTocPmaAtip,
            ReadDiscStructure,
            SendDiscStructure
        ]
    );
    mmc::reprs!(data, [LayerBoundary]);
    let b = LayerBoundaryView::new_unchecked(data);
    let _ = (b.data_length(), b.fixed(), b.layer0_sectors());
    mmc::repr::<DiscInformation>(data);
    if let Some(t) = mmc::repr::<Toc>(data) {
        assert!(t.tracks.len() <= data.len().saturating_sub(4) / 8);
    }
    mmc::reprs!(data, [SessionInfo, DvdPhysicalFormat]);
    if let Some(p) = mmc::repr::<DvdPhysicalFormat>(data) {
        let _ = p.layer0_sectors();
    }
    if let Some(d) = mmc::repr::<BdDiscInformation>(data) {
        assert!(d.units.len() <= data.len().saturating_sub(4));
        let layered = d.clone().with_layers(data.first().copied().unwrap_or(1));
        assert!(layered.units.len() <= 15 * BdDiscInformation::RECORDABLE_UNIT_LEN);
        let _ = (d.disc_type(), d.layers(), d.di_format(), d.has_identifier());
    }
    if let Some(l) = mmc::repr::<StructureList>(data) {
        assert!(l.entries.len() <= data.len().saturating_sub(4) / 4);
    }
    let p = DvdPhysicalFormatView::new_unchecked(data);
    let _ = (
        p.book_type(),
        p.layers(),
        p.data_area_start(),
        p.end_sector_layer0(),
    );
    let v = DiscInformationView::new_unchecked(data);
    let _ = (v.disc_bar_code(), v.sessions(), v.disc_type());
    let t = TocView::new_unchecked(data);
    for i in 0..t.descriptor_count().min(4) {
        assert!(t.descriptor(i).is_some());
    }
    assert!(t.descriptor(t.descriptor_count()).is_none());
});
