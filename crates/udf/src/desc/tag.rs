//! ECMA-167 3/7.2 (= 4/7.2) Descriptor Tag: the 16 bytes every descriptor starts with,
//! its checksum and the CRC-16 of the body, and the [`Descriptor`] trait every tagged
//! descriptor of this crate implements.

use crate::wire::{self, field_at, put_field, Error, Result};

crate::wire::wire_enum! {
    /// ECMA-167 3/7.2.1 and 4/7.2.1 Tag Identifier.
    pub enum TagIdentifier: u16 {
        /// 1: Primary Volume Descriptor (3/10.1).
        PrimaryVolumeDescriptor = 1,
        /// 2: Anchor Volume Descriptor Pointer (3/10.2).
        AnchorVolumeDescriptorPointer = 2,
        /// 3: Volume Descriptor Pointer (3/10.3).
        VolumeDescriptorPointer = 3,
        /// 4: Implementation Use Volume Descriptor (3/10.4).
        ImplementationUseVolumeDescriptor = 4,
        /// 5: Partition Descriptor (3/10.5).
        PartitionDescriptor = 5,
        /// 6: Logical Volume Descriptor (3/10.6).
        LogicalVolumeDescriptor = 6,
        /// 7: Unallocated Space Descriptor (3/10.8).
        UnallocatedSpaceDescriptor = 7,
        /// 8: Terminating Descriptor (3/10.9, 4/14.2).
        TerminatingDescriptor = 8,
        /// 9: Logical Volume Integrity Descriptor (3/10.10).
        LogicalVolumeIntegrityDescriptor = 9,
        /// 256: File Set Descriptor (4/14.1).
        FileSetDescriptor = 256,
        /// 257: File Identifier Descriptor (4/14.4).
        FileIdentifierDescriptor = 257,
        /// 258: Allocation Extent Descriptor (4/14.5).
        AllocationExtentDescriptor = 258,
        /// 259: Indirect Entry (4/14.7).
        IndirectEntry = 259,
        /// 260: Terminal Entry (4/14.8).
        TerminalEntry = 260,
        /// 261: File Entry (4/14.9).
        FileEntry = 261,
        /// 262: Extended Attribute Header Descriptor (4/14.10.1).
        ExtendedAttributeHeaderDescriptor = 262,
        /// 263: Unallocated Space Entry (4/14.11).
        UnallocatedSpaceEntry = 263,
        /// 264: Space Bitmap Descriptor (4/14.12).
        SpaceBitmapDescriptor = 264,
        /// 265: Partition Integrity Entry (4/14.13).
        PartitionIntegrityEntry = 265,
        /// 266: Extended File Entry (4/14.17).
        ExtendedFileEntry = 266,
    }
}

/// Bytes of a descriptor tag.
pub const TAG_LEN: usize = 16;

/// Byte offsets of the tag's fields (ECMA-167 3/7.2).
mod field {
    pub const TAG_IDENTIFIER: usize = 0;
    pub const DESCRIPTOR_VERSION: usize = 2;
    pub const TAG_CHECKSUM: usize = 4;
    pub const TAG_SERIAL_NUMBER: usize = 6;
    pub const DESCRIPTOR_CRC: usize = 8;
    pub const DESCRIPTOR_CRC_LENGTH: usize = 10;
    pub const TAG_LOCATION: usize = 12;
}

/// CRC-16 with the CCITT polynomial x^16 + x^12 + x^5 + 1, initial value 0, not
/// reflected (ECMA-167 3/7.2.6) — what the Descriptor CRC holds.
pub fn crc16(data: &[u8]) -> u16 {
    const TABLE: [u16; 256] = {
        let mut t = [0u16; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = (i as u16) << 8;
            let mut b = 0;
            while b < 8 {
                c = if c & 0x8000 != 0 {
                    (c << 1) ^ 0x1021
                } else {
                    c << 1
                };
                b += 1;
            }
            t[i] = c;
            i += 1;
        }
        t
    };
    data.iter().fold(0u16, |crc, &b| {
        (crc << 8) ^ TABLE[usize::from((crc >> 8) as u8 ^ b)]
    })
}

/// ECMA-167 3/7.2.3 Tag Checksum: the sum modulo 256 of tag bytes 0–3 and 5–15.
pub fn tag_checksum(tag: &[u8]) -> u8 {
    wire::bytes_at(tag, 0, TAG_LEN)
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != field::TAG_CHECKSUM)
        .fold(0u8, |s, (_, &b)| s.wrapping_add(b))
}

/// A view of a descriptor tag (ECMA-167 3/7.2) at the start of a buffer.
#[derive(Debug, Clone, Copy)]
pub struct Tag<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Tag<T> {
    /// Wraps `buffer` without checking its length (accessors still never panic).
    pub fn new_unchecked(buffer: T) -> Self {
        Tag { buffer }
    }

    /// Wraps `buffer`, failing unless it holds a whole tag.
    pub fn new_checked(buffer: T) -> Result<Self> {
        wire::check_len(buffer.as_ref(), TAG_LEN)?;
        Ok(Tag { buffer })
    }

    /// Tag Identifier (BP 0).
    pub fn tag_identifier(&self) -> TagIdentifier {
        TagIdentifier::from(wire::le16(self.buffer.as_ref(), field::TAG_IDENTIFIER))
    }

    /// Descriptor Version (BP 2): 2 for NSR02 volumes, 3 for NSR03.
    pub fn descriptor_version(&self) -> u16 {
        wire::le16(self.buffer.as_ref(), field::DESCRIPTOR_VERSION)
    }

    /// Tag Checksum (BP 4).
    pub fn tag_checksum(&self) -> u8 {
        wire::u8_at(self.buffer.as_ref(), field::TAG_CHECKSUM)
    }

    /// Tag Serial Number (BP 6).
    pub fn tag_serial_number(&self) -> u16 {
        wire::le16(self.buffer.as_ref(), field::TAG_SERIAL_NUMBER)
    }

    /// Descriptor CRC (BP 8).
    pub fn descriptor_crc(&self) -> u16 {
        wire::le16(self.buffer.as_ref(), field::DESCRIPTOR_CRC)
    }

    /// Descriptor CRC Length (BP 10): bytes of the body, after the tag, the CRC covers.
    pub fn descriptor_crc_length(&self) -> u16 {
        wire::le16(self.buffer.as_ref(), field::DESCRIPTOR_CRC_LENGTH)
    }

    /// Tag Location (BP 12): the logical sector (volume structures) or logical block
    /// within its partition (file structures) the descriptor is recorded at.
    pub fn tag_location(&self) -> u32 {
        wire::le32(self.buffer.as_ref(), field::TAG_LOCATION)
    }

    /// Checks the tag checksum and the descriptor CRC over the body actually present.
    pub fn verify(&self) -> Result<()> {
        let buf = self.buffer.as_ref();
        wire::check_len(buf, TAG_LEN)?;
        let computed = tag_checksum(buf);
        if computed != self.tag_checksum() {
            return Err(Error::TagChecksum {
                found: self.tag_checksum(),
                computed,
            });
        }
        let crc_len = usize::from(self.descriptor_crc_length());
        wire::check_len(buf, TAG_LEN + crc_len)?;
        let computed = crc16(wire::bytes_at(buf, TAG_LEN, crc_len));
        if computed != self.descriptor_crc() {
            return Err(Error::DescriptorCrc {
                found: self.descriptor_crc(),
                computed,
            });
        }
        Ok(())
    }

    /// Checks that the tag is a valid `expected` descriptor: identifier, checksum, CRC.
    pub fn verify_as(&self, expected: TagIdentifier) -> Result<()> {
        let found = self.tag_identifier();
        if found != expected {
            return Err(Error::WrongTag {
                expected: expected.into(),
                found: found.into(),
            });
        }
        self.verify()
    }
}

/// The owned form of a descriptor tag (ECMA-167 3/7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagRepr {
    /// Tag Identifier.
    pub tag_identifier: TagIdentifier,
    /// Descriptor Version.
    pub descriptor_version: u16,
    /// Tag Serial Number.
    pub tag_serial_number: u16,
    /// Descriptor CRC.
    pub descriptor_crc: u16,
    /// Descriptor CRC Length.
    pub descriptor_crc_length: u16,
    /// Tag Location.
    pub tag_location: u32,
}

impl TagRepr {
    /// Reads a tag and checks its checksum and CRC against `buf` (the whole descriptor).
    pub fn parse(buf: &[u8]) -> Result<Self> {
        let t = Tag::new_checked(buf)?;
        t.verify()?;
        Ok(TagRepr {
            tag_identifier: t.tag_identifier(),
            descriptor_version: t.descriptor_version(),
            tag_serial_number: t.tag_serial_number(),
            descriptor_crc: t.descriptor_crc(),
            descriptor_crc_length: t.descriptor_crc_length(),
            tag_location: t.tag_location(),
        })
    }
}

/// Where and how a descriptor's tag is written: the fields that are not derived from
/// the descriptor itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagInfo {
    /// Descriptor Version: 2 for UDF 1.02 (NSR02), 3 for UDF 2.00 and later (NSR03)
    /// (UDF 2.2.1.1 / ECMA-167 3/7.2.2).
    pub descriptor_version: u16,
    /// Tag Serial Number (UDF 2.2.1.1: the same for every descriptor of a volume).
    pub tag_serial_number: u16,
    /// Tag Location: the sector (volume structures) or partition-relative block.
    pub tag_location: u32,
}

/// Writes the tag of the descriptor that fills `desc` (tag included): identifier,
/// version, serial, location, the CRC over `desc[16..]`, then the checksum.
pub fn seal(desc: &mut [u8], id: TagIdentifier, info: TagInfo) -> Result<()> {
    wire::check_room(desc, TAG_LEN)?;
    let crc_len = desc.len() - TAG_LEN;
    let crc_len16 = u16::try_from(crc_len).map_err(|_| Error::TooLarge {
        field: "descriptor CRC length",
        value: crc_len as u64,
    })?;
    let crc = crc16(&desc[TAG_LEN..]);
    put_field(desc, field::TAG_IDENTIFIER, &u16::from(id));
    put_field(desc, field::DESCRIPTOR_VERSION, &info.descriptor_version);
    put_field(desc, field::TAG_CHECKSUM, &0u8);
    put_field(desc, 5, &0u8);
    put_field(desc, field::TAG_SERIAL_NUMBER, &info.tag_serial_number);
    put_field(desc, field::DESCRIPTOR_CRC, &crc);
    put_field(desc, field::DESCRIPTOR_CRC_LENGTH, &crc_len16);
    put_field(desc, field::TAG_LOCATION, &info.tag_location);
    let sum = tag_checksum(desc);
    put_field(desc, field::TAG_CHECKSUM, &sum);
    Ok(())
}

/// The Tag Identifier at the start of `buf` (0 past the end), without verifying.
pub fn peek_identifier(buf: &[u8]) -> TagIdentifier {
    TagIdentifier::from(field_at::<u16>(buf, 0))
}

/// A tagged descriptor (ECMA-167 3/7.2): what every descriptor `Repr` of this crate
/// implements, so generic code (the reader, fuzz targets, round-trip tests) can parse and
/// emit any of them. Each type keeps the same methods inherent.
pub trait Descriptor: Sized {
    /// The Tag Identifier the descriptor is recorded with.
    const TAG_IDENTIFIER: TagIdentifier;
    /// Reads the descriptor at the start of `buf`; checks the tag (identifier, checksum,
    /// CRC) and every length recorded inside against the bytes present.
    fn parse(buf: &[u8]) -> Result<Self>;
    /// Bytes [`emit`](Descriptor::emit) writes.
    fn buffer_len(&self) -> usize;
    /// Writes the descriptor and its tag (CRC and checksum set) at the start of `buf`;
    /// returns the bytes written.
    fn emit(&self, buf: &mut [u8], tag: TagInfo) -> Result<usize>;
    /// The descriptor as a new buffer of [`buffer_len`](Descriptor::buffer_len) bytes.
    fn to_bytes(&self, tag: TagInfo) -> Result<Vec<u8>> {
        let mut v = vec![0; self.buffer_len()];
        let n = self.emit(&mut v, tag)?;
        v.truncate(n);
        Ok(v)
    }
}

/// Declares a tagged descriptor: a view `$View<T: AsRef<[u8]>>` with an accessor per
/// field (never panicking), and a `$Repr` with `parse` (tag verified), `emit` (tag sealed)
/// and [`Descriptor`]. Variable-length parts (`tail`) are parsed and emitted by the
/// `parse_tail`, `tail_len` and `emit_tail` methods the descriptor's module writes.
macro_rules! descriptor {
    (
        $(#[$vmeta:meta])* view $View:ident;
        $(#[$rmeta:meta])* repr $Repr:ident: $id:ident, $fixed:expr;
        { $( $(#[$fmeta:meta])* $field:ident : $fty:ty = $off:expr, )* }
        $( view_only { $( $(#[$ometa:meta])* $ofield:ident : $oty:ty = $ooff:expr, )* } )?
        tail { $( $(#[$tmeta:meta])* $tfield:ident : $tty:ty, )* }
    ) => {
        $(#[$vmeta])*
        #[derive(Debug, Clone, Copy)]
        pub struct $View<T: AsRef<[u8]>> {
            buffer: T,
        }

        impl<T: AsRef<[u8]>> $View<T> {
            /// Bytes of the fixed part (the tag included).
            pub const FIXED_LEN: usize = $fixed;

            /// Wraps `buffer` without checking its length (accessors still never panic).
            pub fn new_unchecked(buffer: T) -> Self {
                Self { buffer }
            }

            /// Wraps `buffer`, failing unless it holds the whole fixed part.
            pub fn new_checked(buffer: T) -> $crate::wire::Result<Self> {
                let v = Self::new_unchecked(buffer);
                v.check_len()?;
                Ok(v)
            }

            /// Fails unless the buffer holds the whole fixed part.
            pub fn check_len(&self) -> $crate::wire::Result<()> {
                $crate::wire::check_len(self.buffer.as_ref(), $fixed)
            }

            /// The descriptor tag (ECMA-167 3/7.2).
            pub fn tag(&self) -> $crate::desc::tag::Tag<&[u8]> {
                $crate::desc::tag::Tag::new_unchecked(self.buffer.as_ref())
            }

            /// The wrapped buffer.
            pub fn into_inner(self) -> T {
                self.buffer
            }

            $(
                $(#[$fmeta])*
                pub fn $field(&self) -> $fty {
                    $crate::wire::field_at(self.buffer.as_ref(), $off)
                }
            )*
            $($(
                $(#[$ometa])*
                pub fn $ofield(&self) -> $oty {
                    $crate::wire::field_at(self.buffer.as_ref(), $ooff)
                }
            )*)?
        }

        $(#[$rmeta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $Repr {
            $( $(#[$fmeta])* pub $field: $fty, )*
            $( $(#[$tmeta])* pub $tfield: $tty, )*
        }

        impl $Repr {
            /// Reads the descriptor at the start of `buf`; checks the tag (identifier,
            /// checksum, CRC) and every length recorded inside.
            pub fn parse(buf: &[u8]) -> $crate::wire::Result<Self> {
                let v = $View::new_checked(buf)?;
                v.tag().verify_as($crate::desc::tag::TagIdentifier::$id)?;
                #[allow(unused_mut)]
                let mut repr = Self {
                    $( $field: v.$field(), )*
                    $( $tfield: <$tty>::default(), )*
                };
                repr.parse_tail(buf)?;
                Ok(repr)
            }

            /// Bytes [`emit`](Self::emit) writes.
            pub fn buffer_len(&self) -> usize {
                $fixed + self.tail_len()
            }

            /// Writes the descriptor at the start of `buf`, its tag sealed (CRC over the
            /// body, then the checksum); returns the bytes written.
            pub fn emit(
                &self,
                buf: &mut [u8],
                tag: $crate::desc::tag::TagInfo,
            ) -> $crate::wire::Result<usize> {
                let len = self.buffer_len();
                $crate::wire::check_room(buf, len)?;
                let out = &mut buf[..len];
                out.fill(0);
                $( $crate::wire::put_field(out, $off, &self.$field); )*
                self.emit_tail(out)?;
                $crate::desc::tag::seal(out, $crate::desc::tag::TagIdentifier::$id, tag)?;
                Ok(len)
            }

            /// The descriptor as a new buffer.
            pub fn to_bytes(
                &self,
                tag: $crate::desc::tag::TagInfo,
            ) -> $crate::wire::Result<Vec<u8>> {
                <Self as $crate::desc::tag::Descriptor>::to_bytes(self, tag)
            }
        }

        impl $crate::desc::tag::Descriptor for $Repr {
            const TAG_IDENTIFIER: $crate::desc::tag::TagIdentifier =
                $crate::desc::tag::TagIdentifier::$id;
            fn parse(buf: &[u8]) -> $crate::wire::Result<Self> {
                <$Repr>::parse(buf)
            }
            fn buffer_len(&self) -> usize {
                <$Repr>::buffer_len(self)
            }
            fn emit(
                &self,
                buf: &mut [u8],
                tag: $crate::desc::tag::TagInfo,
            ) -> $crate::wire::Result<usize> {
                <$Repr>::emit(self, buf, tag)
            }
        }
    };
    (
        $(#[$vmeta:meta])* view $View:ident;
        $(#[$rmeta:meta])* repr $Repr:ident: $id:ident, $fixed:expr;
        { $( $(#[$fmeta:meta])* $field:ident : $fty:ty = $off:expr, )* }
    ) => {
        $crate::desc::tag::descriptor! {
            $(#[$vmeta])* view $View;
            $(#[$rmeta])* repr $Repr: $id, $fixed;
            { $( $(#[$fmeta])* $field: $fty = $off, )* }
            tail {}
        }

        impl $Repr {
            fn parse_tail(&mut self, _buf: &[u8]) -> $crate::wire::Result<()> {
                Ok(())
            }
            fn tail_len(&self) -> usize {
                0
            }
            fn emit_tail(&self, _buf: &mut [u8]) -> $crate::wire::Result<()> {
                Ok(())
            }
        }
    };
}

pub(crate) use descriptor;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc16_matches_the_ccitt_check_value() {
        // ECMA-167 3/7.2.6 gives the example: the CRC of bytes 70 6A 77 is 3299h.
        assert_eq!(crc16(&[0x70, 0x6A, 0x77]), 0x3299);
        assert_eq!(crc16(b"123456789"), 0x31C3);
    }

    #[test]
    fn seal_then_verify() {
        let mut d = vec![0u8; 512];
        d[100] = 7;
        let info = TagInfo {
            descriptor_version: 3,
            tag_serial_number: 1,
            tag_location: 256,
        };
        seal(&mut d, TagIdentifier::AnchorVolumeDescriptorPointer, info).unwrap();
        let t = Tag::new_checked(&d[..]).unwrap();
        t.verify_as(TagIdentifier::AnchorVolumeDescriptorPointer)
            .unwrap();
        assert_eq!(t.tag_location(), 256);
        assert_eq!(t.descriptor_crc_length(), 496);
        d[100] = 8;
        assert!(matches!(
            Tag::new_unchecked(&d[..]).verify(),
            Err(Error::DescriptorCrc { .. })
        ));
        d[12] = 1;
        assert!(matches!(
            Tag::new_unchecked(&d[..]).verify(),
            Err(Error::TagChecksum { .. })
        ));
    }
}
