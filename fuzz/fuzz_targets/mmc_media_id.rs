//! Fuzzes the media identity structures of discburn-mmc: the ATIP (READ TOC/PMA/ATIP
//! format 4), DVD-R pre-pit information (READ DISC STRUCTURE 0Eh), DVD+R ADIP
//! information (11h) and the BD disc information's manufacturer trailer, and the
//! manufacturer lookups. Whatever parses must re-emit and parse back to the same value.
#![no_main]

#[path = "../common/mmc.rs"]
mod mmc;

use discburn_mmc::disc::{
    cd_manufacturer, disc_manufacturer, id_text, AdipInformation, AdipInformationView, Atip,
    AtipView, BdDiscInformation, DvdPrePit, DvdPrePitView,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(a) = mmc::repr::<Atip>(data) {
        let _ = (a.speed_range(), cd_manufacturer(a.lead_in_start));
    }
    if let Some(p) = mmc::repr::<DvdPrePit>(data) {
        let _ = disc_manufacturer(&p.manufacturer_id());
    }
    if let Some(a) = mmc::repr::<AdipInformation>(data) {
        let _ = disc_manufacturer(&id_text(&a.manufacturer_id));
    }
    if let Some(d) = mmc::repr::<BdDiscInformation>(data) {
        let _ = (
            d.disc_manufacturer_id(),
            d.media_type_id(),
            d.product_revision(),
        );
        let _ = d.has_recordable_trailer();
    }
    let v = AtipView::new_unchecked(data);
    let _ = (
        v.lead_in_start(),
        v.last_lead_out_start(),
        v.a1(),
        v.a2_valid(),
    );
    let p = DvdPrePitView::new_unchecked(data);
    let _ = (p.manufacturer_part1(), p.manufacturer_part2());
    let a = AdipInformationView::new_unchecked(data);
    let _ = (a.manufacturer_id(), a.media_type_id(), a.product_revision());
    let _ = disc_manufacturer(&String::from_utf8_lossy(data));
});
