//! [`Sense`], the one owned model of sense data in either format: parse, build, emit.

use super::descriptor::field as desc;
use super::fixed::field as fixed;
use super::{
    asc_name, Asc, CommandSpecificDescriptor, DescriptorSense, FixedSense, FruDescriptor,
    InformationDescriptor, SenseKey, SenseKeySpecificDescriptor, RESPONSE_DESCRIPTOR_CURRENT,
    RESPONSE_DESCRIPTOR_DEFERRED, RESPONSE_FIXED_CURRENT, RESPONSE_FIXED_DEFERRED,
};
use crate::wire;

/// Which of the two sense data formats (SPC-4 §4.5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SenseFormat {
    /// Fixed format, response codes 70h/71h.
    Fixed,
    /// Descriptor format, response codes 72h/73h.
    Descriptor,
}

/// The field pointer of ILLEGAL REQUEST sense-key-specific data (SPC-4 §4.5.2.4.2):
/// which byte (and bit) of the CDB or parameter list was invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldPointer {
    /// C/D: the error is in the CDB (true) or in the parameter data (false).
    pub in_cdb: bool,
    /// FIELD POINTER: the byte in error.
    pub byte: u16,
    /// BIT POINTER, when BPV is set: the leftmost bit (0-7) of the field in error.
    pub bit: Option<u8>,
}

/// Sense data in either format, validated (SPC-4 §4.5): what the engine reads and the
/// virtual recorder builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sense {
    /// The format it arrived in (or will be emitted in by [`Sense::emit`]).
    pub format: SenseFormat,
    /// A deferred error (71h/73h): it belongs to an earlier command (e.g. an Immed
    /// SYNCHRONIZE CACHE or CLOSE TRACK/SESSION), not the one that got it.
    pub deferred: bool,
    /// SENSE KEY.
    pub key: SenseKey,
    /// ADDITIONAL SENSE CODE.
    pub asc: u8,
    /// ADDITIONAL SENSE CODE QUALIFIER.
    pub ascq: u8,
    /// INFORMATION (VALID set): for media commands, the LBA of the error. The fixed
    /// format carries 32 bits, the descriptor format 64.
    pub information: Option<u64>,
    /// COMMAND-SPECIFIC INFORMATION; 0 when none.
    pub command_specific: u64,
    /// FIELD REPLACEABLE UNIT CODE; 0 when none.
    pub fru: u8,
    /// Sense-key-specific bytes with the SKSV bit masked off; `None` when SKSV is 0.
    /// Their meaning depends on the key: progress indication (NO SENSE, NOT READY),
    /// field pointer (ILLEGAL REQUEST), actual retry count (errors).
    pub sense_key_specific: Option<[u8; 3]>,
}

impl Sense {
    /// Length of fixed-format sense data as [`Sense::emit_fixed`] writes it.
    pub const FIXED_LEN: usize = fixed::LEN;

    /// Current fixed-format sense with `key`, `asc`, `ascq` and nothing else.
    pub fn new(key: SenseKey, asc: u8, ascq: u8) -> Self {
        Sense {
            format: SenseFormat::Fixed,
            deferred: false,
            key,
            asc,
            ascq,
            information: None,
            command_specific: 0,
            fru: 0,
            sense_key_specific: None,
        }
    }

    /// Current fixed-format sense with `key` and a named code
    /// (`Sense::from_code(SenseKey::NotReady, Asc::LONG_WRITE_IN_PROGRESS)`).
    pub fn from_code(key: SenseKey, code: Asc) -> Self {
        Sense::new(key, code.asc, code.ascq)
    }

    /// This sense with a progress indication (SPC-4 §4.5.2.4.4): `fraction` of the
    /// operation done, 0.0 to 1.0 (clamped), stored as a count of 65536ths.
    pub fn with_progress(mut self, fraction: f32) -> Self {
        // NaN counts as no progress rather than saturating to done.
        let f = if fraction.is_nan() {
            0.0
        } else {
            fraction.clamp(0.0, 1.0)
        };
        let v = (f * 65536.0).min(65535.0) as u16;
        let [hi, lo] = v.to_be_bytes();
        self.sense_key_specific = Some([0, hi, lo]);
        self
    }

    /// This sense with INFORMATION set (VALID = 1), usually the LBA in error.
    pub fn with_information(mut self, lba: u64) -> Self {
        self.information = Some(lba);
        self
    }

    /// This sense with an ILLEGAL REQUEST field pointer (SPC-4 §4.5.2.4.2).
    pub fn with_field_pointer(mut self, fp: FieldPointer) -> Self {
        let mut b0 = if fp.in_cdb { 0x40 } else { 0 };
        if let Some(bit) = fp.bit {
            b0 |= 0x08 | (bit & 0x07);
        }
        let [hi, lo] = fp.byte.to_be_bytes();
        self.sense_key_specific = Some([b0, hi, lo]);
        self
    }

    /// This sense marked deferred (71h/73h).
    pub fn with_deferred(mut self) -> Self {
        self.deferred = true;
        self
    }

    /// This sense in descriptor format (72h/73h) when emitted with [`Sense::emit`].
    pub fn in_descriptor_format(mut self) -> Self {
        self.format = SenseFormat::Descriptor;
        self
    }

    /// The additional sense code and qualifier as one value.
    pub fn code(&self) -> Asc {
        Asc::new(self.asc, self.ascq)
    }

    /// The ASC/ASCQ name ([`asc_name`]).
    pub fn asc_name(&self) -> Option<&'static str> {
        asc_name(self.asc, self.ascq)
    }

    /// Parses sense data in either format, as transferred (autosense or REQUEST SENSE).
    /// Fails on an empty buffer, a response code other than 70h–73h, or a buffer too short
    /// to hold the sense key (fixed) or key/ASC/ASCQ (descriptor).
    pub fn parse(buf: &[u8]) -> wire::Result<Sense> {
        wire::check_len(buf, 1)?;
        match buf[0] & 0x7F {
            RESPONSE_FIXED_CURRENT | RESPONSE_FIXED_DEFERRED => {
                Ok(Self::from_fixed(&FixedSense::new_checked(buf)?))
            }
            RESPONSE_DESCRIPTOR_CURRENT | RESPONSE_DESCRIPTOR_DEFERRED => {
                Ok(Self::from_descriptor(&DescriptorSense::new_checked(buf)?))
            }
            other => Err(wire::Error::Invalid {
                field: "sense response code",
                value: u64::from(other),
            }),
        }
    }

    /// The representation of a fixed-format view.
    pub fn from_fixed<T: AsRef<[u8]>>(v: &FixedSense<T>) -> Sense {
        Sense {
            format: SenseFormat::Fixed,
            deferred: v.deferred(),
            key: v.key(),
            asc: v.asc(),
            ascq: v.ascq(),
            information: v.valid().then(|| u64::from(v.information())),
            command_specific: u64::from(v.command_specific()),
            fru: v.fru(),
            sense_key_specific: v.sksv().then(|| v.sense_key_specific()),
        }
    }

    /// The representation of a descriptor-format view; the first descriptor of each
    /// known type wins.
    pub fn from_descriptor<T: AsRef<[u8]>>(v: &DescriptorSense<T>) -> Sense {
        let mut s = Sense {
            format: SenseFormat::Descriptor,
            deferred: v.deferred(),
            ..Sense::new(v.key(), v.asc(), v.ascq())
        };
        let (mut seen_info, mut seen_cmd, mut seen_sks, mut seen_fru) =
            (false, false, false, false);
        for d in v.descriptors() {
            match d.descriptor_type {
                desc::TYPE_INFORMATION if !seen_info => {
                    seen_info = true;
                    s.information = d.information();
                }
                desc::TYPE_COMMAND_SPECIFIC if !seen_cmd => {
                    seen_cmd = true;
                    s.command_specific = d.command_specific().unwrap_or(0);
                }
                desc::TYPE_SENSE_KEY_SPECIFIC if !seen_sks => {
                    seen_sks = true;
                    s.sense_key_specific = d.sense_key_specific();
                }
                desc::TYPE_FRU if !seen_fru => {
                    seen_fru = true;
                    s.fru = d.fru().unwrap_or(0);
                }
                _ => {}
            }
        }
        s
    }

    /// Bytes [`Sense::emit`] writes in this sense's own format.
    pub fn buffer_len(&self) -> usize {
        match self.format {
            SenseFormat::Fixed => Self::FIXED_LEN,
            SenseFormat::Descriptor => self.descriptor_len(),
        }
    }

    /// Bytes [`Sense::emit_descriptor`] writes: the 8-byte header plus one descriptor per
    /// field that is set.
    pub fn descriptor_len(&self) -> usize {
        desc::DESCRIPTORS
            + if self.information.is_some() {
                InformationDescriptor::LEN
            } else {
                0
            }
            + if self.command_specific != 0 {
                CommandSpecificDescriptor::LEN
            } else {
                0
            }
            + if self.sense_key_specific.is_some() {
                SenseKeySpecificDescriptor::LEN
            } else {
                0
            }
            + if self.fru != 0 { FruDescriptor::LEN } else { 0 }
    }

    /// Writes this sense in its own format; returns the bytes written.
    pub fn emit(&self, buf: &mut [u8]) -> wire::Result<usize> {
        match self.format {
            SenseFormat::Fixed => self.emit_fixed(buf),
            SenseFormat::Descriptor => self.emit_descriptor(buf),
        }
    }

    /// Writes 18 bytes of fixed-format sense (70h/71h, additional length 10). An
    /// INFORMATION or COMMAND-SPECIFIC value wider than 32 bits cannot be carried: VALID
    /// is cleared (SPC-4 §4.5.3) and the command-specific field left zero.
    pub fn emit_fixed(&self, buf: &mut [u8]) -> wire::Result<usize> {
        wire::check_room(buf, fixed::LEN)?;
        let buf = &mut buf[..fixed::LEN];
        buf.fill(0);
        let info = self.information.and_then(|i| u32::try_from(i).ok());
        let rc = if self.deferred {
            RESPONSE_FIXED_DEFERRED
        } else {
            RESPONSE_FIXED_CURRENT
        };
        buf[fixed::RESPONSE_CODE] = rc | if info.is_some() { 0x80 } else { 0 };
        buf[fixed::FLAGS_KEY] = u8::from(self.key);
        wire::put_be32(buf, fixed::INFORMATION, info.unwrap_or(0));
        buf[fixed::ADDITIONAL_LENGTH] = (fixed::LEN - 8) as u8;
        let cmd = u32::try_from(self.command_specific).unwrap_or(0);
        wire::put_be32(buf, fixed::COMMAND_SPECIFIC, cmd);
        buf[fixed::ASC] = self.asc;
        buf[fixed::ASCQ] = self.ascq;
        buf[fixed::FRU] = self.fru;
        if let Some([b0, b1, b2]) = self.sense_key_specific {
            buf[fixed::SENSE_KEY_SPECIFIC] = 0x80 | b0;
            buf[fixed::SENSE_KEY_SPECIFIC + 1] = b1;
            buf[fixed::SENSE_KEY_SPECIFIC + 2] = b2;
        }
        Ok(fixed::LEN)
    }

    /// Writes descriptor-format sense (72h/73h) with an information (00h), command-specific
    /// (01h), sense-key-specific (02h) and FRU (03h) descriptor for each field that is set.
    pub fn emit_descriptor(&self, buf: &mut [u8]) -> wire::Result<usize> {
        let len = self.descriptor_len();
        wire::check_room(buf, len)?;
        let buf = &mut buf[..len];
        buf.fill(0);
        buf[desc::RESPONSE_CODE] = if self.deferred {
            RESPONSE_DESCRIPTOR_DEFERRED
        } else {
            RESPONSE_DESCRIPTOR_CURRENT
        };
        buf[desc::KEY] = u8::from(self.key);
        buf[desc::ASC] = self.asc;
        buf[desc::ASCQ] = self.ascq;
        buf[desc::ADDITIONAL_LENGTH] = (len - desc::DESCRIPTORS) as u8;
        let mut at = desc::DESCRIPTORS;
        if let Some(information) = self.information {
            at += InformationDescriptor {
                valid: true,
                information,
            }
            .emit(&mut buf[at..])?;
        }
        if self.command_specific != 0 {
            at += CommandSpecificDescriptor {
                command_specific: self.command_specific,
            }
            .emit(&mut buf[at..])?;
        }
        if let Some(sense_key_specific) = self.sense_key_specific {
            at += SenseKeySpecificDescriptor {
                sense_key_specific,
                sksv: true,
            }
            .emit(&mut buf[at..])?;
        }
        if self.fru != 0 {
            FruDescriptor { fru: self.fru }.emit(&mut buf[at..])?;
        }
        Ok(len)
    }

    /// This sense as 18 bytes of fixed-format sense data, the form the virtual recorder
    /// returns with CHECK CONDITION.
    pub fn to_fixed_vec(&self) -> Vec<u8> {
        let mut v = vec![0; fixed::LEN];
        // Cannot fail: the buffer has exactly the room emit_fixed checks for.
        let _ = self.emit_fixed(&mut v);
        v
    }

    /// This sense as descriptor-format sense data.
    pub fn to_descriptor_vec(&self) -> Vec<u8> {
        let mut v = vec![0; self.descriptor_len()];
        let _ = self.emit_descriptor(&mut v);
        v
    }

    /// The progress indication (SPC-4 §4.5.2.4.4) in 65536ths, present when SKSV is set
    /// and the key is NO SENSE or NOT READY (format, close or sync with Immed).
    pub fn progress(&self) -> Option<u16> {
        match (self.key, self.sense_key_specific) {
            (SenseKey::NoSense | SenseKey::NotReady, Some([_, hi, lo])) => {
                Some(u16::from_be_bytes([hi, lo]))
            }
            _ => None,
        }
    }

    /// [`Sense::progress`] as a fraction from 0.0 to just under 1.0.
    pub fn progress_fraction(&self) -> Option<f32> {
        self.progress().map(|p| f32::from(p) / 65536.0)
    }

    /// The field pointer of ILLEGAL REQUEST sense (SPC-4 §4.5.2.4.2), when SKSV is set.
    pub fn field_pointer(&self) -> Option<FieldPointer> {
        match (self.key, self.sense_key_specific) {
            (SenseKey::IllegalRequest, Some([b0, hi, lo])) => Some(FieldPointer {
                in_cdb: b0 & 0x40 != 0,
                byte: u16::from_be_bytes([hi, lo]),
                bit: (b0 & 0x08 != 0).then_some(b0 & 0x07),
            }),
            _ => None,
        }
    }
}

impl core::fmt::Display for Sense {
    /// "NOT READY, LONG WRITE IN PROGRESS (2/04/08)": key, ASC/ASCQ name, and the codes.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.deferred {
            f.write_str("deferred: ")?;
        }
        f.write_str(self.key.name())?;
        if let Some(name) = self.asc_name() {
            // The 04h family repeats the key's words; say them once.
            let name = match self.key {
                SenseKey::NotReady => name
                    .strip_prefix("LOGICAL UNIT NOT READY, ")
                    .unwrap_or(name),
                _ => name,
            };
            write!(f, ", {name}")?;
        }
        write!(
            f,
            " ({:X}/{:02X}/{:02X})",
            u8::from(self.key),
            self.asc,
            self.ascq
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sense::*;
    use proptest::prelude::*;

    #[test]
    fn descriptor_sense_to_fixed() {
        // 72h MEDIUM ERROR 0C/09 with information 0x1234 and a retry count: the fixed
        // form keeps key, codes, information and the sense-key-specific bytes.
        let raw = [
            0x72, 0x03, 0x0C, 0x09, 0, 0, 0, 0x14, // header, 20 bytes follow
            0x00, 0x0A, 0x80, 0x00, 0, 0, 0, 0, 0, 0, 0x12, 0x34, // information
            0x02, 0x06, 0x00, 0x00, 0x80, 0x00, 0x05, 0x00, // SKS: retry count 5
        ];
        let s = Sense::parse(&raw).unwrap();
        assert_eq!(
            s.to_fixed_vec(),
            [
                0xF0, 0x00, 0x03, 0x00, 0x00, 0x12, 0x34, 0x0A, 0, 0, 0, 0, 0x0C, 0x09, 0x00, 0x80,
                0x00, 0x05
            ]
        );
        assert_eq!(s.classify(), SenseClass::MediumError);
    }

    #[test]
    fn fixed_format_construct() {
        let s = Sense::from_code(SenseKey::NotReady, Asc::FORMAT_IN_PROGRESS)
            .with_progress(0.5)
            .with_information(0x1234);
        assert_eq!(
            s.to_fixed_vec(),
            [
                0xF0, 0x00, 0x02, 0x00, 0x00, 0x12, 0x34, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x04, 0x04,
                0x00, 0x80, 0x80, 0x00
            ]
        );
        assert_eq!(s.progress(), Some(0x8000));
        // Too wide for the fixed format: VALID is cleared rather than truncating.
        let wide = Sense::new(SenseKey::MediumError, 0x0C, 0).with_information(1 << 40);
        assert_eq!(wide.to_fixed_vec()[..7], [0x70, 0, 3, 0, 0, 0, 0]);
        assert_eq!(
            Sense::parse(&wide.to_fixed_vec()).unwrap().information,
            None
        );
    }

    #[test]
    fn progress_extremes() {
        let s = Sense::new(SenseKey::NotReady, 4, 4);
        assert_eq!(s.with_progress(0.0).progress(), Some(0));
        assert_eq!(s.with_progress(1.0).progress(), Some(0xFFFF));
        assert_eq!(s.with_progress(7.0).progress(), Some(0xFFFF));
        assert_eq!(s.with_progress(-1.0).progress(), Some(0));
        assert_eq!(s.with_progress(f32::NAN).progress(), Some(0));
        assert_eq!(s.progress(), None);
    }

    #[test]
    fn descriptor_format_construct() {
        let s = Sense::from_code(SenseKey::IllegalRequest, Asc::INVALID_FIELD_IN_CDB)
            .with_field_pointer(FieldPointer {
                in_cdb: true,
                byte: 10,
                bit: Some(7),
            })
            .in_descriptor_format()
            .with_deferred();
        let v = s.to_descriptor_vec();
        assert_eq!(
            v,
            [
                0x73, 0x05, 0x24, 0x00, 0, 0, 0, 0x08, // header
                0x02, 0x06, 0x00, 0x00, 0xCF, 0x00, 0x0A, 0x00, // SKS: SKSV C/D BPV bit 7
            ]
        );
        let back = Sense::parse(&v).unwrap();
        assert_eq!(back, s);
        assert_eq!(
            back.field_pointer(),
            Some(FieldPointer {
                in_cdb: true,
                byte: 10,
                bit: Some(7)
            })
        );
        let mut small = [0u8; 15];
        assert!(matches!(
            s.emit(&mut small),
            Err(wire::Error::BufferTooSmall { needed: 16, .. })
        ));
    }

    #[test]
    fn rejects_bad_input() {
        assert!(matches!(
            Sense::parse(&[]),
            Err(wire::Error::Truncated { .. })
        ));
        assert!(matches!(
            Sense::parse(&[0x7F, 0, 0, 0]),
            Err(wire::Error::Invalid { .. })
        ));
        assert!(Sense::parse(&[0x00; 18]).is_err());
        assert!(Sense::parse(&[0x70, 0]).is_err());
        assert!(Sense::parse(&[0x72, 2, 4]).is_err());
        assert!(FixedSense::new_checked(&[0x72u8, 0, 0, 0][..]).is_err());
        assert!(DescriptorSense::new_checked(&[0x70u8, 0, 0, 0][..]).is_err());
        // Short fixed sense: missing ASC/ASCQ read as zero.
        let s = Sense::parse(&[0x70, 0, 0x06]).unwrap();
        assert_eq!((s.key, s.asc, s.ascq), (SenseKey::UnitAttention, 0, 0));
    }

    #[test]
    fn display() {
        let s = Sense::from_code(SenseKey::MediumError, Asc::LOSS_OF_STREAMING);
        assert_eq!(
            s.to_string(),
            "MEDIUM ERROR, WRITE ERROR - LOSS OF STREAMING (3/0C/09)"
        );
        let s = Sense::new(SenseKey::IllegalRequest, 0x21, 0x02);
        assert_eq!(
            s.to_string(),
            "ILLEGAL REQUEST, INVALID ADDRESS FOR WRITE (5/21/02)"
        );
        let s = Sense::new(SenseKey::VendorSpecific, 0x85, 0x01);
        assert_eq!(s.to_string(), "VENDOR SPECIFIC (9/85/01)");
        // Only NOT READY drops the "LOGICAL UNIT NOT READY" prefix.
        let s = Sense::new(SenseKey::UnitAttention, 0x04, 0x01);
        assert_eq!(
            s.to_string(),
            "UNIT ATTENTION, LOGICAL UNIT IS IN PROCESS OF BECOMING READY (6/04/01)"
        );
    }

    fn arb_key() -> impl Strategy<Value = SenseKey> {
        (0u8..16).prop_map(SenseKey::from)
    }

    prop_compose! {
        fn arb_sense()(
            descriptor in any::<bool>(),
            deferred in any::<bool>(),
            key in arb_key(),
            asc in any::<u8>(),
            ascq in any::<u8>(),
            info in proptest::option::of(any::<u32>()),
            cmd in any::<u32>(),
            fru in any::<u8>(),
            sks in proptest::option::of((0u8..0x80, any::<u8>(), any::<u8>())),
        ) -> Sense {
            Sense {
                format: if descriptor { SenseFormat::Descriptor } else { SenseFormat::Fixed },
                deferred,
                key,
                asc,
                ascq,
                information: info.map(u64::from),
                command_specific: u64::from(cmd),
                fru,
                sense_key_specific: sks.map(|(a, b, c)| [a, b, c]),
            }
        }
    }

    proptest! {
        #[test]
        fn round_trip_own_format(s in arb_sense()) {
            let mut buf = vec![0u8; s.buffer_len()];
            prop_assert_eq!(s.emit(&mut buf)?, buf.len());
            prop_assert_eq!(Sense::parse(&buf)?, s);
        }

        #[test]
        fn round_trip_across_formats(s in arb_sense()) {
            let from_fixed = Sense::parse(&s.to_fixed_vec())?;
            let from_desc = Sense::parse(&s.to_descriptor_vec())?;
            prop_assert_eq!(from_fixed.format, SenseFormat::Fixed);
            prop_assert_eq!(from_desc.format, SenseFormat::Descriptor);
            prop_assert_eq!(Sense { format: s.format, ..from_fixed }, s);
            prop_assert_eq!(Sense { format: s.format, ..from_desc }, s);
            prop_assert_eq!(from_fixed.classify(), from_desc.classify());
        }

        #[test]
        fn fixed_parse_to_fixed_vec_round_trips(
            deferred in any::<bool>(),
            key in 0u8..16,
            info in proptest::option::of(any::<u32>()),
            cmd in any::<u32>(),
            asc in any::<u8>(),
            ascq in any::<u8>(),
            fru in any::<u8>(),
            sks in proptest::option::of((0u8..0x80, any::<u8>(), any::<u8>())),
        ) {
            // Canonical 18-byte fixed sense as a drive sends it.
            let mut raw = [0u8; 18];
            raw[0] = if deferred { 0x71 } else { 0x70 } | if info.is_some() { 0x80 } else { 0 };
            raw[2] = key;
            raw[3..7].copy_from_slice(&info.unwrap_or(0).to_be_bytes());
            raw[7] = 10;
            raw[8..12].copy_from_slice(&cmd.to_be_bytes());
            raw[12] = asc;
            raw[13] = ascq;
            raw[14] = fru;
            if let Some((a, b, c)) = sks {
                raw[15..18].copy_from_slice(&[0x80 | a, b, c]);
            }
            let s = Sense::parse(&raw)?;
            prop_assert_eq!(s.to_fixed_vec(), raw.to_vec());
        }

        #[test]
        fn descriptor_to_fixed_keeps_key_and_codes(s in arb_sense()) {
            let d = Sense::parse(&s.in_descriptor_format().to_descriptor_vec())?;
            let f = Sense::parse(&d.to_fixed_vec())?;
            prop_assert_eq!(f.format, SenseFormat::Fixed);
            prop_assert_eq!((f.key, f.code()), (s.key, s.code()));
            prop_assert_eq!(f.information, s.information);
            prop_assert_eq!(f.sense_key_specific, s.sense_key_specific);
            prop_assert_eq!(f.classify(), d.classify());
        }

        #[test]
        fn wide_descriptor_information_round_trips(info in any::<u64>(), cmd in any::<u64>()) {
            let s = Sense {
                command_specific: cmd,
                ..Sense::new(SenseKey::MediumError, 0x0C, 0).with_information(info)
            }
            .in_descriptor_format();
            prop_assert_eq!(Sense::parse(&s.to_descriptor_vec())?, s);
        }

        #[test]
        fn arbitrary_bytes_never_panic(raw in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(s) = Sense::parse(&raw) {
                let _ = (s.classify(), s.to_string(), s.progress(), s.field_pointer());
                prop_assert!(s.descriptor_len() <= 8 + 12 + 12 + 8 + 4);
                // Re-emitting in the format it came in gives back the same sense.
                let mut again = vec![0u8; s.buffer_len()];
                s.emit(&mut again)?;
                prop_assert_eq!(Sense::parse(&again)?, s);
            }
            let f = FixedSense::new_unchecked(&raw[..]);
            let _ = (f.key(), f.information(), f.sense_key_specific(), f.fru());
            let d = DescriptorSense::new_unchecked(&raw[..]);
            let total: usize = d.descriptors().map(|x| x.bytes.len()).sum();
            prop_assert!(total <= raw.len().saturating_sub(8));
        }

        #[test]
        fn progress_is_monotonic(a in 0.0f32..=1.0, b in 0.0f32..=1.0) {
            let s = Sense::from_code(SenseKey::NotReady, Asc::OPERATION_IN_PROGRESS);
            let (pa, pb) = (s.with_progress(a).progress().unwrap(), s.with_progress(b).progress().unwrap());
            if a <= b {
                prop_assert!(pa <= pb);
            }
            prop_assert!((s.with_progress(a).progress_fraction().unwrap() - a).abs() < 1.0 / 32768.0);
        }
    }
}
