//! The layer boundary of a dual-layer DVD±R (MMC-6 §6.23.3.2.18 READ DISC STRUCTURE
//! format 20h, §6.33.3.6 SEND DISC STRUCTURE format 20h): how many sectors Layer 0 holds,
//! which a host may set once before the first write so that a recording shorter than the
//! disc is split evenly between the layers (growisofs `-dvd-compat`, libburn).
//!
//! On an opposite-track-path disc Layer 1 is never longer than Layer 0, so a drive's
//! recordable capacity becomes twice the Layer 0 capacity that was set.

use super::structure::DISC_STRUCTURE_HEADER_LEN;
use super::DiscStructureMedia;

crate::command! {
    /// MMC-6 §6.33 SEND DISC STRUCTURE (called SEND DVD STRUCTURE in MMC-3 and by
    /// growisofs): the CDB; the parameter list is format-specific ([`LayerBoundary`] for
    /// format 20h).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct SendDiscStructure: OpCode::SendDiscStructure, 12 bytes;
    {
        /// Media Type (byte 1 bits 0–3).
        pub media_type: DiscStructureMedia = named(u8(1), "disc structure media type"),
        /// Format Code (byte 7): 20h layer boundary, 21h/22h DVD-R DL layer jump.
        pub format: u8 = u8(7),
        /// Parameter List Length (bytes 8–9).
        pub parameter_length: u16 = be16(8),
        /// AGID (byte 10 bits 6–7).
        pub agid: u8 = bits(10, 0x03 << 6),
    }
}

crate::record! {
    /// Format 20h, Layer Boundary Information: as READ DISC STRUCTURE returns it (with
    /// Init Status) and as SEND DISC STRUCTURE takes it (byte 4 reserved, sent as 0).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct LayerBoundary, at least LayerBoundary::LEN, emits LayerBoundary::LEN;
    /// A view over format 20h data; accessors never panic (bytes past the end read as 0).
    view LayerBoundaryView;
    {
        /// Disc Structure Data Length (bytes 0–1), as the peer claims (10 when whole).
        view pub data_length: u16 = be16(0),
        /// Init Status (byte 4 bit 7): set once the Layer 0 capacity can no longer be
        /// changed (set by the host, or recording has started). growisofs reads it as
        /// "L0 Data Zone Capacity is set already".
        pub fixed: bool = bit(DISC_STRUCTURE_HEADER_LEN, 7),
        /// L0 Data Zone Capacity (bytes 8–11): user sectors in Layer 0.
        pub layer0_sectors: u32 = be32(DISC_STRUCTURE_HEADER_LEN + 4),
    }
    length be16(0) from 2;
}

impl LayerBoundary {
    /// Format code of this structure.
    pub const FORMAT: u8 = 0x20;
    /// Bytes of the structure with its header (the Data Length field says 10).
    pub const LEN: usize = DISC_STRUCTURE_HEADER_LEN + 8;
    /// Bytes after the header.
    pub const BODY_LEN: usize = 8;
    /// The granularity a Layer 0 capacity must have: one ECC block of 16 sectors.
    pub const ECC_BLOCK: u32 = 16;

    /// The Layer 0 capacity that splits a recording of `sectors` evenly, as growisofs
    /// computes it: the size rounded up to ECC blocks, half of those blocks (rounding
    /// up), in sectors. `None` when the recording fits in `layer0_max` alone, where a
    /// split would waste more than half the disc.
    pub fn balanced(sectors: u32, layer0_max: u32) -> Option<u32> {
        let blocks = sectors.div_ceil(Self::ECC_BLOCK);
        if u64::from(blocks) * u64::from(Self::ECC_BLOCK) <= u64::from(layer0_max) {
            return None;
        }
        Some(
            blocks
                .div_ceil(2)
                .saturating_mul(Self::ECC_BLOCK)
                .min(layer0_max),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cdb::testing::round_trip;
    use crate::Command;
    use proptest::prelude::*;

    #[test]
    fn boundary_bytes_are_what_growisofs_reads_and_sends() {
        // A blank Pioneer DVR-111D's answer for DVD+R DL: 2,086,912 sectors, can still be set.
        let raw = [0, 10, 0, 0, 0x00, 0, 0, 0, 0x00, 0x1F, 0xD8, 0x00];
        let b = LayerBoundary::parse(&raw).unwrap();
        assert_eq!((b.fixed, b.layer0_sectors), (false, 2_086_912));
        let mut out = [0xEEu8; LayerBoundary::LEN];
        assert_eq!(b.emit(&mut out).unwrap(), LayerBoundary::LEN);
        assert_eq!(out, raw);
        let set = LayerBoundary { fixed: true, ..b };
        set.emit(&mut out).unwrap();
        assert_eq!(out[4], 0x80);
        assert!(LayerBoundary::parse(&raw[..11]).is_err());
        assert!(!LayerBoundaryView::new_unchecked(&raw[..5]).fixed());
    }

    #[test]
    fn send_disc_structure_cdb() {
        let c = SendDiscStructure {
            media_type: DiscStructureMedia::Dvd,
            format: LayerBoundary::FORMAT,
            parameter_length: 12,
            agid: 0,
        };
        let cdb = c.emit();
        assert_eq!(cdb.as_bytes(), &[0xBF, 0, 0, 0, 0, 0, 0, 0x20, 0, 12, 0, 0]);
        round_trip(c);
        assert!(SendDiscStructure::parse(&[0xBF, 0x05, 0, 0, 0, 0, 0, 0x20, 0, 12, 0, 0]).is_err());
    }

    #[test]
    fn balanced_split_is_growisofs_half_in_ecc_blocks() {
        let l0 = 2_086_912;
        // Fits in Layer 0: no split.
        assert_eq!(LayerBoundary::balanced(l0, l0), None);
        assert_eq!(LayerBoundary::balanced(l0 - 20, l0), None);
        // 3,000,001 sectors = 187,501 blocks → 93,751 blocks on L0.
        assert_eq!(LayerBoundary::balanced(3_000_001, l0), Some(93_751 * 16));
        // The whole disc: the maximum.
        assert_eq!(LayerBoundary::balanced(2 * l0, l0), Some(l0));
        assert_eq!(LayerBoundary::balanced(u32::MAX, l0), Some(l0));
    }

    proptest! {
        #[test]
        fn balanced_covers_the_recording(sectors in 1u32..8_000_000, l0 in 16u32..4_200_000) {
            let l0 = l0 / 16 * 16;
            match LayerBoundary::balanced(sectors, l0) {
                None => prop_assert!(sectors <= l0),
                Some(b) => {
                    prop_assert_eq!(b % 16, 0);
                    prop_assert!(b <= l0);
                    prop_assert!(u64::from(sectors) <= 2 * u64::from(b) || b == l0);
                }
            }
        }

        #[test]
        fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = LayerBoundary::parse(&bytes);
            let _ = SendDiscStructure::parse(&bytes);
            let v = LayerBoundaryView::new_unchecked(&bytes[..]);
            let _ = (v.data_length(), v.fixed(), v.layer0_sectors());
        }
    }
}
