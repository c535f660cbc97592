//! The disc as a whole: READ DISC INFORMATION and its data block, READ TOC/PMA/ATIP with
//! TOC format 0, session information (format 1) and the ATIP (format 4), and READ DISC
//! STRUCTURE with the structures a recorder meets: DVD physical format information
//! (format 00h), DVD-R pre-pit information (0Eh), DVD+R/+RW ADIP information (11h), BD
//! disc information (format 00h), the list of supported structures (format FFh) and
//! the dual-layer boundary (format 20h, also sent with SEND DISC STRUCTURE)
//! (MMC-6 §6.22, §6.23, §6.25, §6.33); and who made a disc, from the codes these carry.
//!
//! CDBs are [`Command`](crate::Command)s whose `parse` rejects reserved code values in defined fields
//! (as SPC-4 defines "reserved"), so the virtual recorder answers them with ILLEGAL
//! REQUEST; reserved bits are ignored.
//!
//! Parameter data is read from the bytes actually transferred: no length field inside
//! the data is trusted (tgt's TOC answers are 2 bytes shorter than their own length field
//! says).

mod atip;
mod info;
mod layer;
mod manufacturer;
mod structure;
mod toc;

pub use atip::*;
pub use info::*;
pub use layer::*;
pub use manufacturer::*;
pub use structure::*;
pub use toc::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Command;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            crate::cdb::testing::parse_each!(&bytes => ReadDiscInformation, ReadTocPmaAtip,
                ReadDiscStructure, DiscInformation);
            if let Ok(toc) = Toc::parse(&bytes) {
                // Never more descriptors than whole 8-byte groups transferred.
                prop_assert!(toc.tracks.len() <= bytes.len().saturating_sub(4) / 8);
            }
            crate::cdb::testing::parse_each!(&bytes => SessionInfo, DvdPhysicalFormat, Atip,
                DvdPrePit, AdipInformation);
            if let Ok(di) = BdDiscInformation::parse(&bytes) {
                prop_assert!(di.units.len() <= bytes.len().saturating_sub(4));
            }
            if let Ok(l) = StructureList::parse(&bytes) {
                prop_assert!(l.entries.len() <= bytes.len().saturating_sub(4) / 4);
            }
            let p = DvdPhysicalFormatView::new_unchecked(&bytes[..]);
            let _ = (p.book_type(), p.layers(), p.data_area_end(), p.bca(), p.data_length());
            let v = TocView::new_unchecked(&bytes[..]);
            let _ = v.descriptor(usize::MAX);
            let d = DiscInformationView::new_unchecked(&bytes[..]);
            let _ = (d.disc_bar_code(), d.opc_tables(), d.last_possible_lead_out_start());
        }
    }
}
