//! ECMA-119 §8 volume descriptors: a view over one 2048-byte sector at block 16 and
//! after. Accessors never panic: a field past the end of the buffer reads as `None`
//! (after smoltcp's `wire`), so the sector can come from a disc, an image file or a
//! stream and be looked at as it is.

use std::ops::Range;

/// Byte ranges of the fields this crate reads or writes (ECMA-119 §8.4, §9.1).
mod field {
    use std::ops::Range;
    /// Volume Descriptor Type (§8.1.1): 1 primary, 2 supplementary, 255 terminator.
    pub const TYPE: usize = 0;
    /// Standard Identifier "CD001" (§8.1.2).
    pub const IDENTIFIER: Range<usize> = 1..6;
    /// Volume Identifier, d-characters padded with spaces (§8.4.6).
    pub const VOLUME_ID: Range<usize> = 40..72;
    /// Volume Space Size, both-endian (§8.4.8): little-endian half, then big-endian.
    pub const VOLUME_SPACE_LE: Range<usize> = 80..84;
    /// The big-endian half of the Volume Space Size.
    pub const VOLUME_SPACE_BE: Range<usize> = 84..88;
    /// Logical Block Size, little-endian half (§8.4.12).
    pub const BLOCK_SIZE_LE: Range<usize> = 128..130;
    /// The root directory record (§8.4.18) starts at byte 156: its extent
    /// location at +2 and its data length at +10, little-endian halves (§9.1.3, §9.1.4).
    pub const ROOT_EXTENT_LE: Range<usize> = 158..162;
    /// The root directory's data length, little-endian half.
    pub const ROOT_LENGTH_LE: Range<usize> = 166..170;
}

/// "CD001": every ISO 9660 volume descriptor carries it (ECMA-119 §8.1.2).
pub const STANDARD_IDENTIFIER: &[u8; 5] = b"CD001";

/// Volume Descriptor Type 1: the primary volume descriptor (ECMA-119 §8.4).
pub const PRIMARY: u8 = 1;
/// Volume Descriptor Type 2: a supplementary volume descriptor (Joliet; §8.5).
pub const SUPPLEMENTARY: u8 = 2;
/// Volume Descriptor Type 255: the set terminator (§8.3).
pub const TERMINATOR: u8 = 255;

/// An ECMA-119 volume descriptor over a sector buffer.
#[derive(Debug, Clone, Copy)]
pub struct VolumeDescriptor<T: AsRef<[u8]>> {
    buf: T,
}

impl<T: AsRef<[u8]>> VolumeDescriptor<T> {
    /// A view over `buf` (any length; short buffers read as "not a descriptor").
    pub fn new(buf: T) -> Self {
        VolumeDescriptor { buf }
    }

    fn bytes(&self, r: Range<usize>) -> Option<&[u8]> {
        self.buf.as_ref().get(r)
    }

    fn le32(&self, r: Range<usize>) -> Option<u32> {
        self.bytes(r)?.try_into().ok().map(u32::from_le_bytes)
    }

    /// Whether the sector holds a volume descriptor at all ("CD001" at byte 1).
    pub fn is_descriptor(&self) -> bool {
        self.bytes(field::IDENTIFIER) == Some(STANDARD_IDENTIFIER)
    }

    /// The Volume Descriptor Type, when this is a descriptor.
    pub fn kind(&self) -> Option<u8> {
        if self.is_descriptor() {
            self.buf.as_ref().get(field::TYPE).copied()
        } else {
            None
        }
    }

    /// Whether this is a primary volume descriptor (type 1).
    pub fn is_primary(&self) -> bool {
        self.kind() == Some(PRIMARY)
    }

    /// The Volume Identifier, trailing spaces removed.
    pub fn volume_id(&self) -> Option<String> {
        self.bytes(field::VOLUME_ID)
            .map(|b| String::from_utf8_lossy(b).trim_end().to_string())
    }

    /// The Volume Space Size in logical blocks.
    pub fn volume_space_size(&self) -> Option<u32> {
        self.le32(field::VOLUME_SPACE_LE)
    }

    /// The Logical Block Size in bytes (2048 on every disc).
    pub fn logical_block_size(&self) -> Option<u16> {
        self.bytes(field::BLOCK_SIZE_LE)?
            .try_into()
            .ok()
            .map(u16::from_le_bytes)
    }

    /// The first block of the root directory.
    pub fn root_extent(&self) -> Option<u32> {
        self.le32(field::ROOT_EXTENT_LE)
    }

    /// The root directory's length in bytes.
    pub fn root_length(&self) -> Option<u32> {
        self.le32(field::ROOT_LENGTH_LE)
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> VolumeDescriptor<T> {
    /// Sets the Volume Space Size (both halves together); a buffer too short for the
    /// whole field is left alone.
    pub fn set_volume_space_size(&mut self, blocks: u32) {
        let whole = field::VOLUME_SPACE_LE.start..field::VOLUME_SPACE_BE.end;
        if let Some(f) = self.buf.as_mut().get_mut(whole) {
            let (le, be) = f.split_at_mut(4);
            le.copy_from_slice(&blocks.to_le_bytes());
            be.copy_from_slice(&blocks.to_be_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A primary descriptor as mkisofs writes one: volume "DISC", 1000 blocks of
    /// 2048 bytes, root directory at block 20, one block long.
    fn primary() -> Vec<u8> {
        let mut s = vec![0u8; 2048];
        s[0] = 1;
        s[1..6].copy_from_slice(b"CD001");
        s[6] = 1;
        s[40..72].copy_from_slice(format!("{:<32}", "DISC").as_bytes());
        s[80..84].copy_from_slice(&1000u32.to_le_bytes());
        s[84..88].copy_from_slice(&1000u32.to_be_bytes());
        s[128..130].copy_from_slice(&2048u16.to_le_bytes());
        s[156] = 34;
        s[158..162].copy_from_slice(&20u32.to_le_bytes());
        s[166..170].copy_from_slice(&2048u32.to_le_bytes());
        s
    }

    #[test]
    fn reads_the_fields_of_a_primary_descriptor() {
        let s = primary();
        let d = VolumeDescriptor::new(&s[..]);
        assert!(d.is_primary());
        assert_eq!(d.kind(), Some(PRIMARY));
        assert_eq!(d.volume_id().as_deref(), Some("DISC"));
        assert_eq!(d.volume_space_size(), Some(1000));
        assert_eq!(d.logical_block_size(), Some(2048));
        assert_eq!(d.root_extent(), Some(20));
        assert_eq!(d.root_length(), Some(2048));
    }

    #[test]
    fn sets_both_halves_of_the_volume_space_size() {
        let mut s = primary();
        VolumeDescriptor::new(&mut s[..]).set_volume_space_size(0x0102_0304);
        assert_eq!(&s[80..88], &[4, 3, 2, 1, 1, 2, 3, 4]);
    }

    #[test]
    fn other_sectors_are_not_descriptors() {
        let zeros = [0u8; 2048];
        assert!(!VolumeDescriptor::new(&zeros[..]).is_descriptor());
        assert_eq!(VolumeDescriptor::new(&zeros[..]).kind(), None);
        let mut udf = primary();
        udf[1..6].copy_from_slice(b"BEA01");
        assert!(!VolumeDescriptor::new(&udf[..]).is_primary());
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_of_any_length_never_panic(b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2100)) {
            let mut b = b;
            let d = VolumeDescriptor::new(&b[..]);
            let _ = (d.is_descriptor(), d.kind(), d.volume_id(), d.volume_space_size(),
                     d.logical_block_size(), d.root_extent(), d.root_length());
            VolumeDescriptor::new(&mut b[..]).set_volume_space_size(7);
        }
    }
}
