//! The descriptor sense data format (SPC-4 §4.5.2, response codes 72h/73h): a view and
//! its descriptor list, walked within the buffer however long the additional sense
//! length claims the list to be.

use super::SenseKey;
use crate::wire;

/// Byte offsets of the descriptor sense data format (SPC-4 §4.5.2, Table 27).
pub(super) mod field {
    pub const RESPONSE_CODE: usize = 0;
    pub const KEY: usize = 1;
    pub const ASC: usize = 2;
    pub const ASCQ: usize = 3;
    pub const ADDITIONAL_LENGTH: usize = 7;
    pub const DESCRIPTORS: usize = 8;
    /// Descriptor types (SPC-4 Table 28).
    pub const TYPE_INFORMATION: u8 = 0x00;
    pub const TYPE_COMMAND_SPECIFIC: u8 = 0x01;
    pub const TYPE_SENSE_KEY_SPECIFIC: u8 = 0x02;
    pub const TYPE_FRU: u8 = 0x03;
}

crate::record! {
    /// The information sense data descriptor (SPC-4 §4.5.2.2, type 00h).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct InformationDescriptor, 12 bytes;
    {
        /// VALID (byte 2 bit 7): the INFORMATION field holds a value.
        pub valid: bool = bit(2, 7),
        /// INFORMATION (bytes 4-11).
        pub information: u64 = be64(4),
    }
    fixed u8(0) = field::TYPE_INFORMATION;
    fixed u8(1) = 0x0A;
}

crate::record! {
    /// The command-specific information sense data descriptor (SPC-4 §4.5.2.3, type 01h).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct CommandSpecificDescriptor, 12 bytes;
    {
        /// COMMAND-SPECIFIC INFORMATION (bytes 4-11).
        pub command_specific: u64 = be64(4),
    }
    fixed u8(0) = field::TYPE_COMMAND_SPECIFIC;
    fixed u8(1) = 0x0A;
}

crate::record! {
    /// The sense key specific sense data descriptor (SPC-4 §4.5.2.4, type 02h).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct SenseKeySpecificDescriptor, 8 bytes;
    {
        /// SENSE KEY SPECIFIC bytes 4-6 with the SKSV bit masked off.
        pub sense_key_specific: [u8; 3] = map(bytes(4), without_sksv, without_sksv),
        /// SKSV (byte 4 bit 7): the sense-key-specific bytes are valid.
        pub sksv: bool = bit(4, 7),
    }
    fixed u8(0) = field::TYPE_SENSE_KEY_SPECIFIC;
    fixed u8(1) = 0x06;
}

/// Sense-key-specific bytes without the SKSV bit that shares their first byte.
fn without_sksv([b0, b1, b2]: [u8; 3]) -> [u8; 3] {
    [b0 & 0x7F, b1, b2]
}

crate::record! {
    /// The field replaceable unit sense data descriptor (SPC-4 §4.5.2.5, type 03h).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct FruDescriptor, 4 bytes;
    {
        /// FIELD REPLACEABLE UNIT CODE (byte 3).
        pub fru: u8 = u8(3),
    }
    fixed u8(0) = field::TYPE_FRU;
    fixed u8(1) = 0x02;
}

/// Response code of current errors in descriptor format.
pub const RESPONSE_DESCRIPTOR_CURRENT: u8 = 0x72;
/// Response code of deferred errors in descriptor format.
pub const RESPONSE_DESCRIPTOR_DEFERRED: u8 = 0x73;

crate::wire_view! {
    /// A view of descriptor-format sense data (SPC-4 §4.5.2, response codes 72h/73h).
    /// Accessors never panic.
    pub struct DescriptorSense;
    {
        /// RESPONSE CODE (byte 0 bits 0-6): 72h current, 73h deferred.
        pub response_code: u8 = bits(field::RESPONSE_CODE, 0x7F << 0),
        /// SENSE KEY (byte 1 bits 0-3).
        pub key: SenseKey = from(u8(field::KEY)),
        /// ADDITIONAL SENSE CODE (byte 2).
        pub asc: u8 = u8(field::ASC),
        /// ADDITIONAL SENSE CODE QUALIFIER (byte 3).
        pub ascq: u8 = u8(field::ASCQ),
        /// ADDITIONAL SENSE LENGTH (byte 7): the descriptor list length the device claims.
        pub additional_length: u8 = u8(field::ADDITIONAL_LENGTH),
    }
}

impl<T: AsRef<[u8]>> DescriptorSense<T> {
    /// Wraps `buffer` after checking it holds key, ASC and ASCQ (4 bytes) and a
    /// descriptor-format response code.
    pub fn new_checked(buffer: T) -> wire::Result<Self> {
        let v = Self::new_unchecked(buffer);
        wire::check_len(v.buffer.as_ref(), field::ASCQ + 1)?;
        match v.response_code() {
            RESPONSE_DESCRIPTOR_CURRENT | RESPONSE_DESCRIPTOR_DEFERRED => Ok(v),
            other => Err(wire::Error::Invalid {
                field: "sense response code",
                value: u64::from(other),
            }),
        }
    }
    /// True for a deferred error (response code 73h).
    pub fn deferred(&self) -> bool {
        self.response_code() == RESPONSE_DESCRIPTOR_DEFERRED
    }
    /// The sense data descriptors from byte 8, bounded by both the additional sense
    /// length and the bytes present; a truncated last descriptor is not returned.
    pub fn descriptors(&self) -> SenseDescriptors<'_> {
        let b = self.b();
        let end = b
            .len()
            .min(field::DESCRIPTORS + usize::from(self.additional_length()));
        SenseDescriptors {
            rest: b.get(field::DESCRIPTORS..end).unwrap_or(&[]),
        }
    }
}

/// One sense data descriptor (SPC-4 §4.5.2.1): its type and its bytes, header included,
/// so offsets match the standard's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenseDescriptor<'a> {
    /// DESCRIPTOR TYPE (byte 0).
    pub descriptor_type: u8,
    /// The whole descriptor: type, additional length and its additional bytes.
    pub bytes: &'a [u8],
}

impl SenseDescriptor<'_> {
    /// The descriptor as `D` when it has type `code` and is long enough.
    fn typed<D>(&self, code: u8, parse: fn(&[u8]) -> wire::Result<D>) -> Option<D> {
        (self.descriptor_type == code)
            .then(|| parse(self.bytes).ok())
            .flatten()
    }

    /// The INFORMATION field of an information descriptor (type 00h) whose VALID bit is
    /// set.
    pub fn information(&self) -> Option<u64> {
        self.typed(field::TYPE_INFORMATION, InformationDescriptor::parse)
            .and_then(|d| d.valid.then_some(d.information))
    }

    /// The COMMAND-SPECIFIC INFORMATION field of a type 01h descriptor.
    pub fn command_specific(&self) -> Option<u64> {
        self.typed(
            field::TYPE_COMMAND_SPECIFIC,
            CommandSpecificDescriptor::parse,
        )
        .map(|d| d.command_specific)
    }

    /// The sense-key-specific bytes (SKSV masked off) of a type 02h descriptor whose
    /// SKSV bit is set.
    pub fn sense_key_specific(&self) -> Option<[u8; 3]> {
        self.typed(
            field::TYPE_SENSE_KEY_SPECIFIC,
            SenseKeySpecificDescriptor::parse,
        )
        .and_then(|d| d.sksv.then_some(d.sense_key_specific))
    }

    /// The FIELD REPLACEABLE UNIT CODE of a type 03h descriptor.
    pub fn fru(&self) -> Option<u8> {
        self.typed(field::TYPE_FRU, FruDescriptor::parse)
            .map(|d| d.fru)
    }
}

/// Iterator over the descriptors of descriptor-format sense data; it stops at the first
/// descriptor that does not fit in the bytes present.
#[derive(Debug, Clone)]
pub struct SenseDescriptors<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for SenseDescriptors<'a> {
    type Item = SenseDescriptor<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let (&descriptor_type, tail) = self.rest.split_first()?;
        let len = 2 + usize::from(*tail.first()?);
        match self.rest.get(..len) {
            Some(bytes) => {
                self.rest = &self.rest[len..];
                Some(SenseDescriptor {
                    descriptor_type,
                    bytes,
                })
            }
            None => {
                self.rest = &[];
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sense::*;

    #[test]
    fn descriptor_records_bytes() {
        let mut b = [0xEE; 12];
        let sks = SenseKeySpecificDescriptor {
            sense_key_specific: [0x92, 0x34, 0x56],
            sksv: true,
        };
        assert_eq!(sks.emit(&mut b), Ok(8));
        assert_eq!(b[..8], [0x02, 0x06, 0, 0, 0x92, 0x34, 0x56, 0]);
        // SKSV shares byte 4 with the sense-key-specific bits; it is not one of them.
        assert_eq!(
            SenseKeySpecificDescriptor::parse(&b)
                .unwrap()
                .sense_key_specific,
            [0x12, 0x34, 0x56]
        );
        let info = InformationDescriptor {
            valid: true,
            information: 0x0102,
        };
        assert_eq!(info.emit(&mut b), Ok(12));
        assert_eq!(b, [0, 0x0A, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x02]);
        assert_eq!(FruDescriptor { fru: 7 }.emit(&mut b), Ok(4));
        assert_eq!(b[..4], [0x03, 0x02, 0, 7]);
        assert!(CommandSpecificDescriptor::parse(&b[..11]).is_err());
    }

    #[test]
    fn descriptor_format_deconstruct() {
        // 72h NOT READY 04/04 with information, sense-key-specific progress 0x1000, FRU 2,
        // and an unknown descriptor type 80h in between that must be skipped.
        let raw = [
            0x72, 0x02, 0x04, 0x04, 0x00, 0x00, 0x00, 0x1E, // header, 30 bytes follow
            0x00, 0x0A, 0x80, 0x00, 0, 0, 0, 0, 0, 0, 0x01, 0x00, // information 256
            0x80, 0x02, 0xAA, 0xBB, // vendor descriptor
            0x02, 0x06, 0x00, 0x00, 0x80, 0x10, 0x00, 0x00, // SKS progress
            0x03, 0x02, 0x00, 0x02, // FRU
            0x01, 0x00, // a zero-length command-specific descriptor: ignored
        ];
        let v = DescriptorSense::new_checked(&raw[..]).unwrap();
        assert_eq!(v.response_code(), 0x72);
        assert!(!v.deferred());
        assert_eq!(v.key(), SenseKey::NotReady);
        assert_eq!((v.asc(), v.ascq()), (4, 4));
        let types: Vec<u8> = v.descriptors().map(|d| d.descriptor_type).collect();
        assert_eq!(types, [0x00, 0x80, 0x02, 0x03, 0x01]);
        let s = Sense::parse(&raw).unwrap();
        assert_eq!(s.format, SenseFormat::Descriptor);
        assert_eq!(s.information, Some(256));
        assert_eq!(s.progress(), Some(0x1000));
        assert_eq!(s.fru, 2);
        assert_eq!(s.command_specific, 0);
        assert_eq!(s.classify(), SenseClass::InProgress);
    }

    #[test]
    fn descriptor_list_bounded_by_buffer_and_length() {
        // Additional length claims 200 bytes; only one whole descriptor is present, and a
        // truncated second one.
        let raw = [
            0x72, 0x03, 0x0C, 0x00, 0, 0, 0, 200, 0x03, 0x02, 0x00, 0x09, 0x00, 0x0A, 0x80,
        ];
        let v = DescriptorSense::new_checked(&raw[..]).unwrap();
        assert_eq!(v.descriptors().count(), 1);
        assert_eq!(Sense::parse(&raw).unwrap().fru, 9);
        // Additional length 4 hides the descriptor after the first.
        let raw2 = [
            0x72, 0x03, 0x0C, 0x00, 0, 0, 0, 4, 0x03, 0x02, 0, 9, 0x03, 0x02, 0, 5,
        ];
        let v2 = DescriptorSense::new_checked(&raw2[..]).unwrap();
        assert_eq!(v2.descriptors().count(), 1);
    }
}
