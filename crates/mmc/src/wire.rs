//! What every wire format in this crate shares: the parse error and bounds-checked
//! big-endian field access.
//!
//! The contract, stated once (after smoltcp's `wire`): a view (`Foo<T: AsRef<[u8]>>`)
//! never panics — accessors read through these helpers, which check bounds — and a
//! `Repr::parse` validates everything the layers above rely on. Lengths written inside
//! the data (allocation lengths, descriptor lengths) are never trusted beyond the bytes
//! actually transferred.

/// Why bytes could not be parsed or emitted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The buffer is shorter than the structure needs.
    #[error("truncated: need {needed} bytes, have {available}")]
    Truncated {
        /// Bytes the structure needs.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
    /// A field holds a value the standard does not allow.
    #[error("invalid {field}: {value:#x}")]
    Invalid {
        /// The field's name in the standard.
        field: &'static str,
        /// The offending value.
        value: u64,
    },
    /// The buffer given to `emit` is too small.
    #[error("buffer too small: need {needed} bytes, have {available}")]
    BufferTooSmall {
        /// Bytes `emit` needs.
        needed: usize,
        /// Bytes the buffer has.
        available: usize,
    },
}

/// Result of parsing or emitting wire data.
pub type Result<T> = core::result::Result<T, Error>;

/// Fails with [`Error::Truncated`] unless `buf` has at least `needed` bytes.
pub fn check_len(buf: &[u8], needed: usize) -> Result<()> {
    if buf.len() < needed {
        Err(Error::Truncated {
            needed,
            available: buf.len(),
        })
    } else {
        Ok(())
    }
}

/// Fails with [`Error::BufferTooSmall`] unless `buf` has at least `needed` bytes.
pub fn check_room(buf: &[u8], needed: usize) -> Result<()> {
    if buf.len() < needed {
        Err(Error::BufferTooSmall {
            needed,
            available: buf.len(),
        })
    } else {
        Ok(())
    }
}

/// Byte at `at`, or 0 past the end.
#[inline]
pub fn u8_at(buf: &[u8], at: usize) -> u8 {
    buf.get(at).copied().unwrap_or(0)
}

/// Byte at `at + off`, or 0 past the end (no wrap-around at `usize::MAX`).
#[inline]
fn byte(buf: &[u8], at: usize, off: usize) -> u8 {
    at.checked_add(off).map_or(0, |i| u8_at(buf, i))
}

/// Big-endian u16 at `at`; bytes past the end read as 0.
#[inline]
pub fn be16(buf: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([u8_at(buf, at), byte(buf, at, 1)])
}

/// Big-endian 24-bit value at `at`; bytes past the end read as 0.
#[inline]
pub fn be24(buf: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([0, u8_at(buf, at), byte(buf, at, 1), byte(buf, at, 2)])
}

/// Big-endian u32 at `at`; bytes past the end read as 0.
#[inline]
pub fn be32(buf: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([
        u8_at(buf, at),
        byte(buf, at, 1),
        byte(buf, at, 2),
        byte(buf, at, 3),
    ])
}

/// Big-endian u64 at `at`; bytes past the end read as 0.
#[inline]
pub fn be64(buf: &[u8], at: usize) -> u64 {
    (u64::from(be32(buf, at)) << 32) | u64::from(at.checked_add(4).map_or(0, |i| be32(buf, i)))
}

/// Writes bytes of `v` at `at`, dropping any that fall past the end.
#[inline]
fn put(buf: &mut [u8], at: usize, v: &[u8]) {
    for (i, b) in v.iter().enumerate() {
        if let Some(slot) = at.checked_add(i).and_then(|j| buf.get_mut(j)) {
            *slot = *b;
        }
    }
}

/// Writes a big-endian u16 at `at` (bytes past the end are dropped; callers check room first).
#[inline]
pub fn put_be16(buf: &mut [u8], at: usize, v: u16) {
    put(buf, at, &v.to_be_bytes());
}

/// Writes a big-endian 24-bit value at `at` (the top byte of `v` is ignored).
#[inline]
pub fn put_be24(buf: &mut [u8], at: usize, v: u32) {
    put(buf, at, &v.to_be_bytes()[1..]);
}

/// Writes a big-endian u32 at `at`.
#[inline]
pub fn put_be32(buf: &mut [u8], at: usize, v: u32) {
    put(buf, at, &v.to_be_bytes());
}

/// Writes a big-endian u64 at `at`.
#[inline]
pub fn put_be64(buf: &mut [u8], at: usize, v: u64) {
    put(buf, at, &v.to_be_bytes());
}

/// Writes one byte at `at`.
#[inline]
pub fn put_u8(buf: &mut [u8], at: usize, v: u8) {
    put(buf, at, &[v]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_past_end_are_zero() {
        let b = [0x12, 0x34, 0x56];
        assert_eq!(be16(&b, 0), 0x1234);
        assert_eq!(be16(&b, 2), 0x5600);
        assert_eq!(be32(&b, 0), 0x1234_5600);
        assert_eq!(be24(&b, 0), 0x12_3456);
        assert_eq!(be32(&b, usize::MAX), 0);
        assert_eq!(be64(&b, 0), 0x1234_5600_0000_0000);
    }

    #[test]
    fn writes_past_end_are_dropped() {
        let mut b = [0u8; 3];
        put_be32(&mut b, 1, 0xAABB_CCDD);
        assert_eq!(b, [0, 0xAA, 0xBB]);
        put_be16(&mut b, usize::MAX, 0xFFFF);
        assert_eq!(b, [0, 0xAA, 0xBB]);
    }

    #[test]
    fn length_checks() {
        assert!(check_len(&[0; 4], 4).is_ok());
        assert_eq!(
            check_len(&[0; 3], 4),
            Err(Error::Truncated {
                needed: 4,
                available: 3
            })
        );
        assert!(matches!(
            check_room(&[0; 1], 2),
            Err(Error::BufferTooSmall { .. })
        ));
    }
}
