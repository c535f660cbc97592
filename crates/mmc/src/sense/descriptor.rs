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
    /// Total lengths of those descriptors.
    pub const INFORMATION_LEN: usize = 12;
    pub const COMMAND_SPECIFIC_LEN: usize = 12;
    pub const SENSE_KEY_SPECIFIC_LEN: usize = 8;
    pub const FRU_LEN: usize = 4;
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
    /// The INFORMATION field of an information descriptor (type 00h) whose VALID bit is
    /// set.
    pub fn information(&self) -> Option<u64> {
        (self.descriptor_type == field::TYPE_INFORMATION
            && self.bytes.len() >= field::INFORMATION_LEN
            && self.bytes[2] & 0x80 != 0)
            .then(|| wire::be64(self.bytes, 4))
    }

    /// The COMMAND-SPECIFIC INFORMATION field of a type 01h descriptor.
    pub fn command_specific(&self) -> Option<u64> {
        (self.descriptor_type == field::TYPE_COMMAND_SPECIFIC
            && self.bytes.len() >= field::COMMAND_SPECIFIC_LEN)
            .then(|| wire::be64(self.bytes, 4))
    }

    /// The sense-key-specific bytes (SKSV masked off) of a type 02h descriptor whose
    /// SKSV bit is set.
    pub fn sense_key_specific(&self) -> Option<[u8; 3]> {
        (self.descriptor_type == field::TYPE_SENSE_KEY_SPECIFIC
            && self.bytes.len() >= field::SENSE_KEY_SPECIFIC_LEN
            && self.bytes[4] & 0x80 != 0)
            .then(|| [self.bytes[4] & 0x7F, self.bytes[5], self.bytes[6]])
    }

    /// The FIELD REPLACEABLE UNIT CODE of a type 03h descriptor.
    pub fn fru(&self) -> Option<u8> {
        (self.descriptor_type == field::TYPE_FRU && self.bytes.len() >= field::FRU_LEN)
            .then(|| self.bytes[3])
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
