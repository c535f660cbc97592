//! The fixed sense data format (SPC-4 §4.5.3, response codes 70h/71h): a view whose
//! accessors never panic (a field past the end of a short buffer reads as zero).

use super::SenseKey;
use crate::wire;

/// Byte offsets of the fixed sense data format (SPC-4 §4.5.3, Table 47).
pub(super) mod field {
    pub const RESPONSE_CODE: usize = 0;
    pub const FLAGS_KEY: usize = 2;
    pub const INFORMATION: usize = 3;
    pub const ADDITIONAL_LENGTH: usize = 7;
    pub const COMMAND_SPECIFIC: usize = 8;
    pub const ASC: usize = 12;
    pub const ASCQ: usize = 13;
    pub const FRU: usize = 14;
    pub const SENSE_KEY_SPECIFIC: usize = 15;
    /// The standard length without additional sense bytes.
    pub const LEN: usize = 18;
}

/// Response code of current errors in fixed format.
pub const RESPONSE_FIXED_CURRENT: u8 = 0x70;
/// Response code of deferred errors in fixed format.
pub const RESPONSE_FIXED_DEFERRED: u8 = 0x71;

crate::wire_view! {
    /// A view of fixed-format sense data (SPC-4 §4.5.3, response codes 70h/71h). Accessors
    /// never panic: a field past the end of the buffer reads as zero.
    pub struct FixedSense;
    {
        /// RESPONSE CODE (byte 0 bits 0-6): 70h current, 71h deferred.
        pub response_code: u8 = bits(field::RESPONSE_CODE, 0x7F << 0),
        /// VALID (byte 0 bit 7): the INFORMATION field holds a value defined by the command.
        pub valid: bool = bit(field::RESPONSE_CODE, 7),
        /// FILEMARK (byte 2 bit 7).
        pub filemark: bool = bit(field::FLAGS_KEY, 7),
        /// EOM (byte 2 bit 6).
        pub eom: bool = bit(field::FLAGS_KEY, 6),
        /// ILI, incorrect length indicator (byte 2 bit 5).
        pub ili: bool = bit(field::FLAGS_KEY, 5),
        /// SENSE KEY (byte 2 bits 0-3).
        pub key: SenseKey = from(u8(field::FLAGS_KEY)),
        /// INFORMATION (bytes 3-6), meaningful when [`valid`](Self::valid); for media
        /// commands, the LBA the error concerns.
        pub information: u32 = be32(field::INFORMATION),
        /// ADDITIONAL SENSE LENGTH (byte 7): bytes that follow byte 7, as the device claims.
        pub additional_length: u8 = u8(field::ADDITIONAL_LENGTH),
        /// COMMAND-SPECIFIC INFORMATION (bytes 8-11).
        pub command_specific: u32 = be32(field::COMMAND_SPECIFIC),
        /// ADDITIONAL SENSE CODE (byte 12).
        pub asc: u8 = u8(field::ASC),
        /// ADDITIONAL SENSE CODE QUALIFIER (byte 13).
        pub ascq: u8 = u8(field::ASCQ),
        /// FIELD REPLACEABLE UNIT CODE (byte 14); 0 when none is reported.
        pub fru: u8 = u8(field::FRU),
        /// SKSV (byte 15 bit 7): the sense-key-specific bytes are valid.
        pub sksv: bool = bit(field::SENSE_KEY_SPECIFIC, 7),
    }
}

impl<T: AsRef<[u8]>> FixedSense<T> {
    /// Wraps `buffer` after checking it holds at least the sense key (3 bytes) and a
    /// fixed-format response code.
    pub fn new_checked(buffer: T) -> wire::Result<Self> {
        let v = Self::new_unchecked(buffer);
        wire::check_len(v.buffer.as_ref(), field::FLAGS_KEY + 1)?;
        match v.response_code() {
            RESPONSE_FIXED_CURRENT | RESPONSE_FIXED_DEFERRED => Ok(v),
            other => Err(wire::Error::Invalid {
                field: "sense response code",
                value: u64::from(other),
            }),
        }
    }
    /// True for a deferred error (response code 71h).
    pub fn deferred(&self) -> bool {
        self.response_code() == RESPONSE_FIXED_DEFERRED
    }
    /// The sense-key-specific bytes 15-17, with the SKSV bit masked off.
    pub fn sense_key_specific(&self) -> [u8; 3] {
        let b = self.b();
        let at = field::SENSE_KEY_SPECIFIC;
        [
            wire::u8_at(b, at) & 0x7F,
            wire::u8_at(b, at + 1),
            wire::u8_at(b, at + 2),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sense::*;

    #[test]
    fn fixed_format_fields_deconstruct() {
        // Deferred, VALID, information 0x0012_3456, cmd-specific 0xA1B2C3D4, 3/0C/09, FRU 7,
        // SKSV with an actual retry count of 3.
        let raw = [
            0xF1, 0x00, 0x03, 0x00, 0x12, 0x34, 0x56, 0x0A, 0xA1, 0xB2, 0xC3, 0xD4, 0x0C, 0x09,
            0x07, 0x80, 0x00, 0x03,
        ];
        let v = FixedSense::new_checked(&raw[..]).unwrap();
        assert_eq!(v.response_code(), 0x71);
        assert!(v.valid() && v.deferred() && !v.filemark() && !v.eom() && !v.ili());
        assert_eq!(v.key(), SenseKey::MediumError);
        assert_eq!(v.information(), 0x0012_3456);
        assert_eq!(v.additional_length(), 10);
        assert_eq!(v.command_specific(), 0xA1B2_C3D4);
        assert_eq!((v.asc(), v.ascq(), v.fru()), (0x0C, 0x09, 7));
        assert!(v.sksv());
        assert_eq!(v.sense_key_specific(), [0, 0, 3]);

        let s = Sense::parse(&raw).unwrap();
        let want = Sense {
            deferred: true,
            information: Some(0x0012_3456),
            command_specific: 0xA1B2_C3D4,
            fru: 7,
            sense_key_specific: Some([0, 0, 3]),
            ..Sense::from_code(SenseKey::MediumError, Asc::LOSS_OF_STREAMING)
        };
        assert_eq!(s, want);
        assert_eq!(s.progress(), None, "retry count is not progress");
        assert_eq!(s.to_fixed_vec(), raw);
        assert_eq!(
            s.to_string(),
            "deferred: MEDIUM ERROR, WRITE ERROR - LOSS OF STREAMING (3/0C/09)"
        );
    }
}
