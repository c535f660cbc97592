//! The small fixed-size values descriptors are made of: charspec (ECMA-167 1/7.2.1,
//! OSTA CS0 per UDF 2.1.2), timestamp (1/7.3, UDF 2.1.4), entity identifier (1/7.4,
//! UDF 2.1.5), extent_ad (3/7.1), lb_addr (4/7.1), short_ad and long_ad (4/14.14.1–2),
//! and the dstring (1/7.2.12, UDF 2.1.3).

use crate::cs0;
use crate::wire::{array_at, field_at, put_bytes, put_field, Field};

/// The name OSTA CS0 is recorded with in a charspec (UDF 2.1.2).
pub const OSTA_COMPRESSED_UNICODE: &[u8] = b"OSTA Compressed Unicode";

/// ECMA-167 1/7.2.1 charspec: Character Set Type and Character Set Information.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Charspec {
    /// Character Set Type (0 = CS0).
    pub character_set_type: u8,
    /// Character Set Information (63 bytes).
    pub character_set_information: [u8; 63],
}

impl Charspec {
    /// UDF 2.1.2: type 0, "OSTA Compressed Unicode", zero padded.
    pub fn osta_cs0() -> Self {
        let mut info = [0u8; 63];
        put_bytes(&mut info, 0, OSTA_COMPRESSED_UNICODE);
        Charspec {
            character_set_type: 0,
            character_set_information: info,
        }
    }

    /// True for the charspec UDF 2.1.2 requires.
    pub fn is_osta_cs0(&self) -> bool {
        *self == Self::osta_cs0()
    }
}

impl Default for Charspec {
    fn default() -> Self {
        Charspec {
            character_set_type: 0,
            character_set_information: [0; 63],
        }
    }
}

impl Field for Charspec {
    const LEN: usize = 64;
    fn read(buf: &[u8]) -> Self {
        Charspec {
            character_set_type: field_at(buf, 0),
            character_set_information: array_at(buf, 1),
        }
    }
    fn write(&self, buf: &mut [u8]) {
        put_field(buf, 0, &self.character_set_type);
        put_bytes(buf, 1, &self.character_set_information);
    }
}

/// ECMA-167 1/7.3 timestamp (UDF 2.1.4: type 1, local time with its offset from UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timestamp {
    /// Type and Time Zone: type in bits 12–15, a signed 12-bit offset in minutes
    /// from UTC in bits 0–11 (-2047 = not specified).
    pub type_and_timezone: u16,
    /// Year (1–9999).
    pub year: u16,
    /// Month (1–12).
    pub month: u8,
    /// Day (1–31).
    pub day: u8,
    /// Hour (0–23).
    pub hour: u8,
    /// Minute (0–59).
    pub minute: u8,
    /// Second (0–59, 60 on a leap second).
    pub second: u8,
    /// Centiseconds (0–99).
    pub centiseconds: u8,
    /// Hundreds of Microseconds (0–99).
    pub hundreds_of_microseconds: u8,
    /// Microseconds (0–99).
    pub microseconds: u8,
}

/// A point in time as seconds and nanoseconds since 1970-01-01 00:00:00 UTC: what the
/// caller's file times are given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct UnixTime {
    /// Seconds since the epoch (negative before 1970).
    pub secs: i64,
    /// Nanoseconds within the second (0–999 999 999).
    pub nanos: u32,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a count of days since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

impl Timestamp {
    /// UDF 2.1.4.1: type 1 (local time), offset 0 (UTC). Times outside years 1–9999 are
    /// clamped to the range.
    pub fn from_unix(t: UnixTime) -> Self {
        // 0001-01-01 and 9999-12-31 23:59:59 as seconds since the epoch.
        const MIN: i64 = -62_135_596_800;
        const MAX: i64 = 253_402_300_799;
        let secs = t.secs.clamp(MIN, MAX);
        let nanos = if secs == t.secs {
            t.nanos.min(999_999_999)
        } else {
            0
        };
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let micros = nanos / 1000;
        Timestamp {
            type_and_timezone: 1 << 12,
            year: y as u16,
            month: m as u8,
            day: d as u8,
            hour: (sod / 3600) as u8,
            minute: (sod / 60 % 60) as u8,
            second: (sod % 60) as u8,
            centiseconds: (micros / 10_000) as u8,
            hundreds_of_microseconds: (micros / 100 % 100) as u8,
            microseconds: (micros % 100) as u8,
        }
    }

    /// The offset from UTC in minutes, if specified (bits 0–11, -2047 = unspecified).
    pub fn timezone_minutes(&self) -> Option<i16> {
        let raw = (self.type_and_timezone & 0x0FFF) as i16;
        let signed = (raw << 4) >> 4;
        (signed != -2047 && (-1440..=1440).contains(&signed)).then_some(signed)
    }

    /// The time as seconds since the epoch, UTC (the recorded offset applied); fields
    /// out of range are taken as they are, never panicking.
    pub fn to_unix(&self) -> UnixTime {
        let days = days_from_civil(
            i64::from(self.year),
            i64::from(self.month.clamp(1, 12)),
            i64::from(self.day),
        );
        let offset = i64::from(self.timezone_minutes().unwrap_or(0)) * 60;
        let secs = days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
            - offset;
        let micros = u32::from(self.centiseconds.min(99)) * 10_000
            + u32::from(self.hundreds_of_microseconds.min(99)) * 100
            + u32::from(self.microseconds.min(99));
        UnixTime {
            secs,
            nanos: micros * 1000,
        }
    }
}

impl Field for Timestamp {
    const LEN: usize = 12;
    fn read(buf: &[u8]) -> Self {
        Timestamp {
            type_and_timezone: field_at(buf, 0),
            year: field_at(buf, 2),
            month: field_at(buf, 4),
            day: field_at(buf, 5),
            hour: field_at(buf, 6),
            minute: field_at(buf, 7),
            second: field_at(buf, 8),
            centiseconds: field_at(buf, 9),
            hundreds_of_microseconds: field_at(buf, 10),
            microseconds: field_at(buf, 11),
        }
    }
    fn write(&self, buf: &mut [u8]) {
        put_field(buf, 0, &self.type_and_timezone);
        put_field(buf, 2, &self.year);
        put_field(buf, 4, &self.month);
        put_field(buf, 5, &self.day);
        put_field(buf, 6, &self.hour);
        put_field(buf, 7, &self.minute);
        put_field(buf, 8, &self.second);
        put_field(buf, 9, &self.centiseconds);
        put_field(buf, 10, &self.hundreds_of_microseconds);
        put_field(buf, 11, &self.microseconds);
    }
}

/// UDF 2.1.5 Domain Identifier "*OSTA UDF Compliant".
pub const DOMAIN_OSTA_UDF_COMPLIANT: &[u8] = b"*OSTA UDF Compliant";
/// The Implementation Identifier this crate records (UDF 2.1.5.2: "*" + developer).
pub const IMPLEMENTATION_DISCBURN: &[u8] = b"*discburn";
/// UDF 2.2.7.2 Implementation Identifier of the LVInfo volume descriptor.
pub const UDF_LV_INFO: &[u8] = b"*UDF LV Info";
/// UDF 2.2.14.2 / ECMA-167 4/14.1: partition contents of an NSR02 volume.
pub const NSR02: &[u8] = b"+NSR02";
/// ECMA-167 4/14.1 partition contents of an NSR03 volume.
pub const NSR03: &[u8] = b"+NSR03";
/// UDF 2.2.10 partition type identifier of the metadata partition map.
pub const UDF_METADATA_PARTITION: &[u8] = b"*UDF Metadata Partition";
/// UDF 2.2.9 partition type identifier of the sparable partition map.
pub const UDF_SPARABLE_PARTITION: &[u8] = b"*UDF Sparable Partition";
/// UDF 2.2.8 partition type identifier of the virtual partition map.
pub const UDF_VIRTUAL_PARTITION: &[u8] = b"*UDF Virtual Partition";

/// UDF 6.3 OS Class: UNIX.
pub const OS_CLASS_UNIX: u8 = 4;
/// UDF 6.3 OS Identifier for UNIX: Linux.
pub const OS_IDENTIFIER_LINUX: u8 = 5;

/// ECMA-167 1/7.4 regid, the entity identifier (UDF 2.1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EntityId {
    /// Flags (bit 0 dirty, bit 1 protected; UDF: 0).
    pub flags: u8,
    /// Identifier (23 bytes, zero padded).
    pub identifier: [u8; 23],
    /// Identifier Suffix (8 bytes; its form depends on the identifier, UDF 2.1.5.3).
    pub identifier_suffix: [u8; 8],
}

impl EntityId {
    /// An identifier with the given suffix.
    pub fn new(identifier: &[u8], identifier_suffix: [u8; 8]) -> Self {
        let mut id = [0u8; 23];
        put_bytes(&mut id, 0, identifier);
        EntityId {
            flags: 0,
            identifier: id,
            identifier_suffix,
        }
    }

    /// UDF 2.1.5.3 Domain Identifier Suffix: UDF Revision, Domain Flags (bit 0 hard,
    /// bit 1 soft write-protect).
    pub fn domain(udf_revision: u16, domain_flags: u8) -> Self {
        let r = udf_revision.to_le_bytes();
        Self::new(
            DOMAIN_OSTA_UDF_COMPLIANT,
            [r[0], r[1], domain_flags, 0, 0, 0, 0, 0],
        )
    }

    /// UDF 2.1.5.3 UDF Identifier Suffix: UDF Revision, OS Class, OS Identifier.
    pub fn udf(identifier: &[u8], udf_revision: u16) -> Self {
        let r = udf_revision.to_le_bytes();
        Self::new(
            identifier,
            [r[0], r[1], OS_CLASS_UNIX, OS_IDENTIFIER_LINUX, 0, 0, 0, 0],
        )
    }

    /// UDF 2.1.5.3 Implementation Identifier Suffix: OS Class, OS Identifier.
    pub fn implementation() -> Self {
        Self::new(
            IMPLEMENTATION_DISCBURN,
            [OS_CLASS_UNIX, OS_IDENTIFIER_LINUX, 0, 0, 0, 0, 0, 0],
        )
    }

    /// The identifier without its zero padding.
    pub fn identifier_bytes(&self) -> &[u8] {
        let end = self
            .identifier
            .iter()
            .rposition(|&b| b != 0)
            .map_or(0, |i| i + 1);
        &self.identifier[..end]
    }

    /// True if the identifier is `id` (zero padding ignored).
    pub fn is(&self, id: &[u8]) -> bool {
        self.identifier_bytes() == id
    }

    /// The UDF Revision of a domain or UDF identifier suffix (bytes 0–1).
    pub fn udf_revision(&self) -> u16 {
        u16::from_le_bytes([self.identifier_suffix[0], self.identifier_suffix[1]])
    }
}

impl Field for EntityId {
    const LEN: usize = 32;
    fn read(buf: &[u8]) -> Self {
        EntityId {
            flags: field_at(buf, 0),
            identifier: array_at(buf, 1),
            identifier_suffix: array_at(buf, 24),
        }
    }
    fn write(&self, buf: &mut [u8]) {
        put_field(buf, 0, &self.flags);
        put_bytes(buf, 1, &self.identifier);
        put_bytes(buf, 24, &self.identifier_suffix);
    }
}

/// ECMA-167 3/7.1 extent_ad: an extent of logical sectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExtentAd {
    /// Extent Length in bytes.
    pub extent_length: u32,
    /// Extent Location: the first logical sector.
    pub extent_location: u32,
}

impl Field for ExtentAd {
    const LEN: usize = 8;
    fn read(buf: &[u8]) -> Self {
        ExtentAd {
            extent_length: field_at(buf, 0),
            extent_location: field_at(buf, 4),
        }
    }
    fn write(&self, buf: &mut [u8]) {
        put_field(buf, 0, &self.extent_length);
        put_field(buf, 4, &self.extent_location);
    }
}

/// ECMA-167 4/7.1 lb_addr: a logical block within a partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, PartialOrd, Ord)]
pub struct LbAddr {
    /// Logical Block Number, relative to the partition's start.
    pub logical_block_number: u32,
    /// Partition Reference Number: the index of the partition map.
    pub partition_reference_number: u16,
}

impl Field for LbAddr {
    const LEN: usize = 6;
    fn read(buf: &[u8]) -> Self {
        LbAddr {
            logical_block_number: field_at(buf, 0),
            partition_reference_number: field_at(buf, 4),
        }
    }
    fn write(&self, buf: &mut [u8]) {
        put_field(buf, 0, &self.logical_block_number);
        put_field(buf, 4, &self.partition_reference_number);
    }
}

crate::wire::wire_enum! {
    /// ECMA-167 4/14.14.1.1 extent type: the top two bits of an Extent Length.
    pub enum ExtentType: u8 {
        /// 0: recorded and allocated.
        RecordedAllocated = 0,
        /// 1: allocated and not recorded (reads as zeros).
        AllocatedNotRecorded = 1,
        /// 2: not recorded and not allocated (a hole; reads as zeros).
        NotRecordedNotAllocated = 2,
        /// 3: the next extent of allocation descriptors.
        NextExtent = 3,
    }
}

/// The largest extent length an allocation descriptor holds that is a whole number of
/// 2048-byte blocks (the length is 30 bits, ECMA-167 4/14.14.1.1).
pub const MAX_EXTENT_LENGTH: u32 = (1 << 30) - 2048;

/// ECMA-167 4/14.14.1 short_ad: an extent in the partition of its file entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ShortAd {
    /// Extent Length: type in bits 30–31, bytes in bits 0–29.
    pub extent_length: u32,
    /// Extent Position: the logical block within the partition.
    pub extent_position: u32,
}

impl ShortAd {
    /// Bytes of the extent (bits 0–29).
    pub fn length(&self) -> u32 {
        self.extent_length & 0x3FFF_FFFF
    }

    /// The extent's type (bits 30–31).
    pub fn extent_type(&self) -> ExtentType {
        ExtentType::from((self.extent_length >> 30) as u8)
    }
}

impl Field for ShortAd {
    const LEN: usize = 8;
    fn read(buf: &[u8]) -> Self {
        ShortAd {
            extent_length: field_at(buf, 0),
            extent_position: field_at(buf, 4),
        }
    }
    fn write(&self, buf: &mut [u8]) {
        put_field(buf, 0, &self.extent_length);
        put_field(buf, 4, &self.extent_position);
    }
}

/// ECMA-167 4/14.14.2 long_ad: an extent in any partition (UDF 2.3.10.1: the
/// implementation use holds flags and the UDF Unique ID's low 32 bits in FIDs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LongAd {
    /// Extent Length: type in bits 30–31, bytes in bits 0–29.
    pub extent_length: u32,
    /// Extent Location.
    pub extent_location: LbAddr,
    /// Implementation Use (6 bytes).
    pub implementation_use: [u8; 6],
}

impl LongAd {
    /// Bytes of the extent (bits 0–29).
    pub fn length(&self) -> u32 {
        self.extent_length & 0x3FFF_FFFF
    }

    /// The extent's type (bits 30–31).
    pub fn extent_type(&self) -> ExtentType {
        ExtentType::from((self.extent_length >> 30) as u8)
    }

    /// UDF 2.3.4.3: the ADImpUse of a FID's ICB, flags 0 and the unique ID's low bits.
    pub fn with_unique_id(mut self, unique_id: u64) -> Self {
        let mut iu = [0u8; 6];
        put_bytes(&mut iu, 2, &(unique_id as u32).to_le_bytes());
        self.implementation_use = iu;
        self
    }
}

impl Field for LongAd {
    const LEN: usize = 16;
    fn read(buf: &[u8]) -> Self {
        LongAd {
            extent_length: field_at(buf, 0),
            extent_location: field_at(buf, 4),
            implementation_use: array_at(buf, 10),
        }
    }
    fn write(&self, buf: &mut [u8]) {
        put_field(buf, 0, &self.extent_length);
        put_field(buf, 4, &self.extent_location);
        put_bytes(buf, 10, &self.implementation_use);
    }
}

/// ECMA-167 1/7.2.12 dstring of `N` bytes (UDF 2.1.3): OSTA compressed unicode, the
/// last byte holding the length of what is recorded; all zero when empty. Held as the
/// recorded bytes so that any content round-trips.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dstring<const N: usize>(pub [u8; N]);

impl<const N: usize> Default for Dstring<N> {
    fn default() -> Self {
        Dstring([0; N])
    }
}

impl<const N: usize> Dstring<N> {
    /// `s` as CS0 (8-bit form when every character fits, else 16-bit), cut at a whole
    /// character to fit `N - 1` bytes.
    pub fn new(s: &str) -> Self {
        let mut out = [0u8; N];
        if N < 2 || s.is_empty() {
            return Dstring(out);
        }
        let enc = cs0::encode_truncated(s, N - 1);
        put_bytes(&mut out, 0, &enc);
        out[N - 1] = enc.len() as u8;
        Dstring(out)
    }

    /// The recorded characters, decoded (lossy: an invalid length or form reads as
    /// what can be made of it).
    pub fn decode(&self) -> String {
        let Some(&len) = self.0.last() else {
            return String::new();
        };
        let used = usize::from(len).min(N.saturating_sub(1));
        cs0::decode(&self.0[..used])
    }
}

impl<const N: usize> Field for Dstring<N> {
    const LEN: usize = N;
    fn read(buf: &[u8]) -> Self {
        Dstring(array_at(buf, 0))
    }
    fn write(&self, buf: &mut [u8]) {
        put_bytes(buf, 0, &self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_round_trips_unix_times() {
        for secs in [0i64, 1_700_000_000, -86_400, 951_782_400, 4_102_444_800] {
            let t = UnixTime {
                secs,
                nanos: 123_456_000,
            };
            assert_eq!(Timestamp::from_unix(t).to_unix(), t, "{secs}");
        }
        let t = Timestamp::from_unix(UnixTime {
            secs: 1_700_000_000,
            nanos: 0,
        });
        assert_eq!((t.year, t.month, t.day, t.hour), (2023, 11, 14, 22));
    }

    #[test]
    fn dstring_holds_its_length_in_the_last_byte() {
        let d = Dstring::<32>::new("LinuxUDF");
        assert_eq!(d.0[0], 8);
        assert_eq!(&d.0[1..9], b"LinuxUDF");
        assert_eq!(d.0[31], 9);
        assert_eq!(d.decode(), "LinuxUDF");
        let d = Dstring::<32>::new("Überraschung ✓ and more than fits");
        assert_eq!(d.0[0], 16);
        assert_eq!(d.0[31], 31);
        assert_eq!(d.decode(), "Überraschung ✓ ");
        assert_eq!(Dstring::<32>::new("").0, [0; 32]);
    }
}
