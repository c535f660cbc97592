//! MMC-6 §6.26.2.6 READ TOC/PMA/ATIP format 4: the ATIP a CD-R/RW carries in its
//! pre-groove (Orange Book parts II and III), whose start of lead-in names the disc's
//! manufacturer and whose A1–A3 values its recording speeds.

use super::Msf;

crate::wire_enum! {
    /// Disc Type of the ATIP (byte 6 bit 6).
    pub enum AtipDiscType: u8 & 0x01 exhaustive {
        /// 0: CD-R (write once).
        CdR = 0 => "CD-R",
        /// 1: CD-RW (erasable).
        CdRw = 1 => "CD-RW",
    }
}

crate::record! {
    /// READ TOC/PMA/ATIP format 4 data (MMC-6 §6.26.2.6 Table 497): a 4-byte header and
    /// the 24-byte ATIP descriptor. The A1, A2 and A3 values are kept raw, `None` when
    /// their valid bit is clear; [`Atip::speed_range`] reads the speeds they code.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Atip, at least Atip::MIN_LEN, emits Atip::LEN;
    /// A view over READ TOC/PMA/ATIP format 4 data; accessors never panic (bytes past
    /// the end read as 0).
    view AtipView;
    {
        /// ATIP Data Length (bytes 0–1), as the drive claims.
        view pub data_length: u16 = be16(0),
        /// Indicative Target Writing Power (byte 4 bits 4–6).
        pub writing_power: u8 = bits(4, 0x07 << 4),
        /// DDCD (byte 4 bit 3): a double-density CD.
        pub ddcd: bool = bit(4, 3),
        /// Reference Speed (byte 4 bits 0–2).
        pub reference_speed: u8 = bits(4, 0x07 << 0),
        /// URU (byte 5 bit 6): unrestricted use (a consumer audio recorder may write it).
        pub unrestricted: bool = bit(5, 6),
        /// Disc Type (byte 6 bit 6).
        pub disc_type: AtipDiscType = from(bits(6, 0x01 << 6)),
        /// Disc Sub-Type (byte 6 bits 3–5): for CD-RW 0 normal speed, 1 high speed,
        /// 2 ultra speed, 3 ultra speed+; for CD-R the medium type and beta category.
        pub disc_sub_type: u8 = bits(6, 0x07 << 3),
        /// A1 valid (byte 6 bit 2).
        view pub a1_valid: bool = bit(6, 2),
        /// A2 valid (byte 6 bit 1).
        view pub a2_valid: bool = bit(6, 1),
        /// A3 valid (byte 6 bit 0).
        view pub a3_valid: bool = bit(6, 0),
        /// ATIP Start Time of Lead-in (bytes 8–10, M:S:F): the manufacturer's code (see
        /// [`cd_manufacturer`](super::cd_manufacturer)).
        pub lead_in_start: Msf = map(be24(8), Msf::from_address, Msf::to_address),
        /// ATIP Last Possible Start Time of Lead-out (bytes 12–14, M:S:F).
        pub last_lead_out_start: Msf = map(be24(12), Msf::from_address, Msf::to_address),
        /// A1 values (bytes 16–18): lowest/highest CLV recording speed codes (bits 4–6 /
        /// 0–3 of the first byte), power and erase ratios.
        pub a1: [u8; 3] = bytes(16) if bit(6, 2),
        /// A2 values (bytes 20–22): on ultra-speed CD-RW the 2T speed codes.
        pub a2: [u8; 3] = bytes(20) if bit(6, 1),
        /// A3 values (bytes 24–26).
        pub a3: [u8; 3] = bytes(24) if bit(6, 0),
    }
    length be16(0) from 2;
}

/// CLV recording speed codes of CD-R and normal-speed CD-RW (Orange Book; the table
/// cdrecord and Linux's pktcdvd print them by): code → × 1x, 0 reserved.
const CLV_SPEEDS: [u8; 16] = [0, 2, 4, 6, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
/// High-speed CD-RW (sub-type 1).
const HIGH_SPEED_CLV_SPEEDS: [u8; 16] = [0, 2, 4, 6, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
/// Ultra-speed CD-RW (sub-types 2 and 3).
const ULTRA_SPEED_CLV_SPEEDS: [u8; 16] = [0, 2, 4, 8, 0, 0, 16, 0, 24, 32, 40, 48, 0, 0, 0, 0];

impl Atip {
    /// Bytes of the answer: header and the 24-byte descriptor.
    pub const LEN: usize = 28;
    /// Fewest bytes [`parse`](Self::parse) takes: through the last possible lead-out.
    pub const MIN_LEN: usize = 15;

    /// The lowest and highest recording speeds (× 1x) the ATIP codes, when it codes
    /// them: ultra-speed CD-RW in A2 (the 2T speeds), other discs in A1, each code read
    /// with the table of its disc type and sub-type. `None` without valid values or with
    /// a reserved code (modern CD-R leave A1 unset: their speeds come from the drive).
    pub fn speed_range(&self) -> Option<(u8, u8)> {
        let ultra = self.disc_type == AtipDiscType::CdRw && self.disc_sub_type >= 2;
        let (codes, table) = match (self.disc_type, self.disc_sub_type) {
            (AtipDiscType::CdRw, 1) => (self.a1?, &HIGH_SPEED_CLV_SPEEDS),
            _ if ultra => (self.a2.or(self.a1)?, &ULTRA_SPEED_CLV_SPEEDS),
            _ => (self.a1?, &CLV_SPEEDS),
        };
        let low = table[usize::from((codes[0] >> 4) & 0x07)];
        let high = table[usize::from(codes[0] & 0x0F)];
        (low != 0 && high != 0).then_some((low, high))
    }

    /// The code of `x` (× 1x) in the CLV speed table of `disc_type`/`disc_sub_type`, for
    /// building A1/A2 values; `None` when the table has no such speed.
    pub fn speed_code(disc_type: AtipDiscType, disc_sub_type: u8, x: u8) -> Option<u8> {
        let table = match (disc_type, disc_sub_type) {
            (AtipDiscType::CdRw, 1) => &HIGH_SPEED_CLV_SPEEDS,
            (AtipDiscType::CdRw, 2..) => &ULTRA_SPEED_CLV_SPEEDS,
            _ => &CLV_SPEEDS,
        };
        (x != 0)
            .then(|| table.iter().position(|&s| s == x))
            .flatten()
            .map(|i| i as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// An ultra-speed CD-RW as wodim prints it ("Disk sub type: Ultra High speed
    /// Rewritable media (2)", lead-in 97:34:24, lead-out 79:59:74, A1 66 4A 99, A2 38 80
    /// 00, A3 04 C4 A0), the fixed bits set as drives send them.
    const US_RW: [u8; 28] = [
        0x00, 0x1A, 0x00, 0x00, //
        0x90, 0x00, 0xD7, 0x00, // power 1, CD-RW, sub-type 2, A1–A3 valid
        0x61, 0x22, 0x18, 0x00, // 97:34:24
        0x4F, 0x3B, 0x4A, 0x00, // 79:59:74
        0x66, 0x4A, 0x99, 0x00, //
        0x38, 0x80, 0x00, 0x00, //
        0x04, 0xC4, 0xA0, 0x00,
    ];

    #[test]
    fn atip_deconstruct() {
        let a = Atip::parse(&US_RW).unwrap();
        assert_eq!(a.writing_power, 1);
        assert_eq!(a.disc_type, AtipDiscType::CdRw);
        assert_eq!(a.disc_sub_type, 2);
        assert_eq!(
            a.lead_in_start,
            Msf {
                m: 97,
                s: 34,
                f: 24
            }
        );
        assert_eq!(a.lead_in_start.to_lba(), -11_076);
        assert_eq!(a.last_lead_out_start.to_lba(), 359_849);
        assert_eq!(a.a1, Some([0x66, 0x4A, 0x99]));
        assert_eq!(a.a3, Some([0x04, 0xC4, 0xA0]));
        // wodim: "2T speed low: 8 2T speed high: 24".
        assert_eq!(a.speed_range(), Some((8, 24)));
        let v = AtipView::new_checked(&US_RW[..]).unwrap();
        assert!(v.a1_valid() && v.a2_valid() && v.a3_valid());
        assert_eq!(v.data_length(), 26);
        assert!(Atip::parse(&US_RW[..14]).is_err());
        // Without the A values: still the manufacturer's lead-in.
        let short = Atip::parse(&US_RW[..15]).unwrap();
        assert_eq!(short.lead_in_start, a.lead_in_start);
    }

    #[test]
    fn atip_construct() {
        let a = Atip::parse(&US_RW).unwrap();
        let mut out = [0xEEu8; 30];
        assert_eq!(a.emit(&mut out), Ok(28));
        // The always-one bits (byte 4 bit 7, byte 6 bit 7) are not modelled.
        let mut want = US_RW;
        want[4] &= 0x7F;
        want[6] &= 0x7F;
        assert_eq!(out[..28], want);
        assert!(a.emit(&mut [0u8; 27]).is_err());
        // A CD-R without A values: Taiyo Yuden's 97:24:01.
        let cdr = Atip {
            writing_power: 5,
            ddcd: false,
            reference_speed: 0,
            unrestricted: false,
            disc_type: AtipDiscType::CdR,
            disc_sub_type: 3,
            lead_in_start: Msf { m: 97, s: 24, f: 1 },
            last_lead_out_start: Msf {
                m: 79,
                s: 59,
                f: 74,
            },
            a1: None,
            a2: None,
            a3: None,
        };
        let b = crate::wire::Repr::to_bytes(&cdr);
        assert_eq!(&b[4..11], &[0x50, 0x00, 0x18, 0x00, 0x61, 0x18, 0x01]);
        assert_eq!(Atip::parse(&b), Ok(cdr));
        assert_eq!(cdr.speed_range(), None);
    }

    #[test]
    fn speed_codes() {
        use AtipDiscType::*;
        assert_eq!(Atip::speed_code(CdRw, 2, 24), Some(8));
        assert_eq!(Atip::speed_code(CdRw, 2, 4), Some(2));
        assert_eq!(Atip::speed_code(CdRw, 1, 10), Some(4));
        assert_eq!(Atip::speed_code(CdR, 0, 8), Some(4));
        assert_eq!(Atip::speed_code(CdR, 0, 52), None);
        assert_eq!(Atip::speed_code(CdR, 0, 0), None);
        let mut a = Atip::parse(&US_RW).unwrap();
        a.disc_sub_type = 1;
        a.a1 = Some([0x24, 0, 0x80]);
        assert_eq!(a.speed_range(), Some((4, 10)));
        a.a1 = Some([0x0F, 0, 0x80]);
        assert_eq!(a.speed_range(), None);
    }

    fn msf() -> impl Strategy<Value = Msf> {
        (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(m, s, f)| Msf { m, s, f })
    }

    proptest! {
        #[test]
        fn atip_round_trip(
            power in 0u8..8, ddcd: bool, rs in 0u8..8, uru: bool, rw: bool, sub in 0u8..8,
            li in msf(), lo in msf(),
            a1: Option<[u8; 3]>, a2: Option<[u8; 3]>, a3: Option<[u8; 3]>,
        ) {
            let a = Atip {
                writing_power: power, ddcd, reference_speed: rs, unrestricted: uru,
                disc_type: AtipDiscType::from(u8::from(rw)), disc_sub_type: sub,
                lead_in_start: li, last_lead_out_start: lo, a1, a2, a3,
            };
            let mut buf = vec![0u8; a.buffer_len()];
            prop_assert_eq!(a.emit(&mut buf), Ok(Atip::LEN));
            prop_assert_eq!(Atip::parse(&buf), Ok(a));
            let _ = a.speed_range();
        }

        #[test]
        fn atip_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(a) = Atip::parse(&bytes) {
                let _ = a.speed_range();
                prop_assert_eq!(Atip::parse(&crate::wire::Repr::to_bytes(&a)), Ok(a));
            }
            let v = AtipView::new_unchecked(&bytes[..]);
            let _ = (v.lead_in_start(), v.a1(), v.a3(), v.disc_type(), v.data_length());
        }
    }
}
