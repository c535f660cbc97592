//! What every descriptor of this crate shares: the parse error, bounds-checked
//! little-endian field access (ECMA-167 1/7.1: every multi-byte number is little-endian)
//! and [`Field`], the fixed-size values descriptors are made of.
//!
//! The contract, stated once (after smoltcp's `wire`): a view (`Foo<T: AsRef<[u8]>>`)
//! never panics — accessors read through these helpers, and bytes past the end of the
//! buffer read as zero — and a `Repr::parse` validates everything the layers above rely
//! on: the length, the tag's identifier, checksum and CRC, and every length written inside
//! the descriptor against the bytes actually present.

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
    /// The tag names another descriptor than the one asked for (ECMA-167 3/7.2.1).
    #[error("tag identifier {found} where {expected} was expected")]
    WrongTag {
        /// The Tag Identifier asked for.
        expected: u16,
        /// The Tag Identifier recorded.
        found: u16,
    },
    /// The Tag Checksum does not match the tag's bytes (ECMA-167 3/7.2.3).
    #[error("tag checksum {found:#04x}, computed {computed:#04x}")]
    TagChecksum {
        /// The Tag Checksum recorded.
        found: u8,
        /// The checksum of the recorded tag.
        computed: u8,
    },
    /// The Descriptor CRC does not match the descriptor's body (ECMA-167 3/7.2.6).
    #[error("descriptor CRC {found:#06x}, computed {computed:#06x}")]
    DescriptorCrc {
        /// The Descriptor CRC recorded.
        found: u16,
        /// The CRC of the recorded body.
        computed: u16,
    },
    /// The buffer given to `emit` is too small.
    #[error("buffer too small: need {needed} bytes, have {available}")]
    BufferTooSmall {
        /// Bytes `emit` needs.
        needed: usize,
        /// Bytes the buffer has.
        available: usize,
    },
    /// A value does not fit the field it is written into.
    #[error("{field} too large: {value}")]
    TooLarge {
        /// The field's name in the standard.
        field: &'static str,
        /// The value that does not fit.
        value: u64,
    },
}

/// Result of parsing or emitting descriptors.
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

/// The bytes of `buf` from `at` on; empty past the end.
#[inline]
pub fn tail(buf: &[u8], at: usize) -> &[u8] {
    buf.get(at..).unwrap_or(&[])
}

/// The bytes of `buf` from `at` on, writable; empty past the end.
#[inline]
pub fn tail_mut(buf: &mut [u8], at: usize) -> &mut [u8] {
    let at = at.min(buf.len());
    &mut buf[at..]
}

/// The bytes of `buf` in `at..at + len`, cut to what is present.
#[inline]
pub fn bytes_at(buf: &[u8], at: usize, len: usize) -> &[u8] {
    let t = tail(buf, at);
    &t[..len.min(t.len())]
}

/// The `N` bytes from `at`; bytes past the end read as 0.
#[inline]
pub fn array_at<const N: usize>(buf: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    let src = bytes_at(buf, at, N);
    out[..src.len()].copy_from_slice(src);
    out
}

/// Byte at `at`, or 0 past the end.
#[inline]
pub fn u8_at(buf: &[u8], at: usize) -> u8 {
    buf.get(at).copied().unwrap_or(0)
}

/// Little-endian u16 at `at`; bytes past the end read as 0.
#[inline]
pub fn le16(buf: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(array_at(buf, at))
}

/// Little-endian u32 at `at`; bytes past the end read as 0.
#[inline]
pub fn le32(buf: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(array_at(buf, at))
}

/// Little-endian u64 at `at`; bytes past the end read as 0.
#[inline]
pub fn le64(buf: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(array_at(buf, at))
}

/// Writes bytes of `v` at `at`, dropping any that fall past the end.
#[inline]
pub fn put_bytes(buf: &mut [u8], at: usize, v: &[u8]) {
    let t = tail_mut(buf, at);
    let n = v.len().min(t.len());
    t[..n].copy_from_slice(&v[..n]);
}

/// Writes a little-endian u16 at `at` (bytes past the end are dropped).
#[inline]
pub fn put_le16(buf: &mut [u8], at: usize, v: u16) {
    put_bytes(buf, at, &v.to_le_bytes());
}

/// Writes a little-endian u32 at `at` (bytes past the end are dropped).
#[inline]
pub fn put_le32(buf: &mut [u8], at: usize, v: u32) {
    put_bytes(buf, at, &v.to_le_bytes());
}

/// Writes a little-endian u64 at `at` (bytes past the end are dropped).
#[inline]
pub fn put_le64(buf: &mut [u8], at: usize, v: u64) {
    put_bytes(buf, at, &v.to_le_bytes());
}

/// A fixed-size value a descriptor is made of (ECMA-167 1/7 numbers, 1/7.2 charspec,
/// 1/7.3 timestamp, 1/7.4 regid, 3/7.1 extent_ad, 4/14.14 allocation descriptors…).
///
/// `read` takes the bytes from the field's offset on and never panics (bytes past the
/// end read as zero); `write` drops bytes past the end.
pub trait Field: Sized {
    /// Bytes the field occupies.
    const LEN: usize;
    /// Reads the field from the start of `buf`.
    fn read(buf: &[u8]) -> Self;
    /// Writes the field at the start of `buf`.
    fn write(&self, buf: &mut [u8]);
}

impl Field for u8 {
    const LEN: usize = 1;
    fn read(buf: &[u8]) -> Self {
        u8_at(buf, 0)
    }
    fn write(&self, buf: &mut [u8]) {
        put_bytes(buf, 0, &[*self]);
    }
}

impl Field for u16 {
    const LEN: usize = 2;
    fn read(buf: &[u8]) -> Self {
        le16(buf, 0)
    }
    fn write(&self, buf: &mut [u8]) {
        put_le16(buf, 0, *self);
    }
}

impl Field for u32 {
    const LEN: usize = 4;
    fn read(buf: &[u8]) -> Self {
        le32(buf, 0)
    }
    fn write(&self, buf: &mut [u8]) {
        put_le32(buf, 0, *self);
    }
}

impl Field for u64 {
    const LEN: usize = 8;
    fn read(buf: &[u8]) -> Self {
        le64(buf, 0)
    }
    fn write(&self, buf: &mut [u8]) {
        put_le64(buf, 0, *self);
    }
}

impl<const N: usize> Field for [u8; N] {
    const LEN: usize = N;
    fn read(buf: &[u8]) -> Self {
        array_at(buf, 0)
    }
    fn write(&self, buf: &mut [u8]) {
        put_bytes(buf, 0, self);
    }
}

/// Reads a [`Field`] at `at` of `buf`.
#[inline]
pub fn field_at<F: Field>(buf: &[u8], at: usize) -> F {
    F::read(tail(buf, at))
}

/// Writes a [`Field`] at `at` of `buf`.
#[inline]
pub fn put_field<F: Field>(buf: &mut [u8], at: usize, v: &F) {
    v.write(tail_mut(buf, at));
}

/// Declares a fixed-layout structure without a tag: a view `$View<T: AsRef<[u8]>>`
/// whose accessors read each field at its offset (never panicking), and a `$Repr` with
/// the same fields, `parse` (checks the length) and `emit`.
macro_rules! record {
    (
        $(#[$vmeta:meta])*
        view $View:ident;
        $(#[$rmeta:meta])*
        repr $Repr:ident, $len:expr;
        { $( $(#[$fmeta:meta])* $field:ident : $fty:ty = $off:expr, )* }
    ) => {
        $(#[$vmeta])*
        #[derive(Debug, Clone, Copy)]
        pub struct $View<T: AsRef<[u8]>> {
            buffer: T,
        }

        impl<T: AsRef<[u8]>> $View<T> {
            /// Bytes of the structure.
            pub const LEN: usize = $len;

            /// Wraps `buffer` without checking its length (accessors still never panic).
            pub fn new_unchecked(buffer: T) -> Self {
                Self { buffer }
            }

            /// Wraps `buffer`, failing unless it holds the whole structure.
            pub fn new_checked(buffer: T) -> $crate::wire::Result<Self> {
                let v = Self::new_unchecked(buffer);
                v.check_len()?;
                Ok(v)
            }

            /// Fails unless the buffer holds the whole structure.
            pub fn check_len(&self) -> $crate::wire::Result<()> {
                $crate::wire::check_len(self.buffer.as_ref(), $len)
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
        }

        $(#[$rmeta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $Repr {
            $( $(#[$fmeta])* pub $field: $fty, )*
        }

        impl $Repr {
            /// Bytes [`emit`](Self::emit) writes.
            pub const LEN: usize = $len;

            /// Reads the structure from the start of `buf`.
            pub fn parse(buf: &[u8]) -> $crate::wire::Result<Self> {
                let v = $View::new_checked(buf)?;
                Ok(Self { $( $field: v.$field(), )* })
            }

            /// Bytes [`emit`](Self::emit) writes.
            pub fn buffer_len(&self) -> usize {
                $len
            }

            /// Writes the structure at the start of `buf`; returns the bytes written.
            pub fn emit(&self, buf: &mut [u8]) -> $crate::wire::Result<usize> {
                $crate::wire::check_room(buf, $len)?;
                buf[..$len].fill(0);
                $( $crate::wire::put_field(buf, $off, &self.$field); )*
                Ok($len)
            }
        }
    };
}

pub(crate) use record;

/// Declares a coded field: an enum of the values a standard names plus `Unknown(raw)`,
/// so unknown codes round-trip instead of failing.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $Name:ident: $raw:ty {
            $( $(#[$vmeta:meta])* $variant:ident = $value:expr, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $Name {
            $( $(#[$vmeta])* $variant, )*
            /// Any other value, kept as recorded.
            Unknown($raw),
        }

        impl From<$raw> for $Name {
            fn from(v: $raw) -> Self {
                match v {
                    $( $value => $Name::$variant, )*
                    other => $Name::Unknown(other),
                }
            }
        }

        impl From<$Name> for $raw {
            fn from(v: $Name) -> $raw {
                match v {
                    $( $Name::$variant => $value, )*
                    $Name::Unknown(other) => other,
                }
            }
        }

        impl $crate::wire::Field for $Name {
            const LEN: usize = <$raw as $crate::wire::Field>::LEN;
            fn read(buf: &[u8]) -> Self {
                <$raw as $crate::wire::Field>::read(buf).into()
            }
            fn write(&self, buf: &mut [u8]) {
                <$raw as $crate::wire::Field>::write(&<$raw>::from(*self), buf)
            }
        }
    };
}

pub(crate) use wire_enum;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_past_the_end_are_zero() {
        let b = [1u8, 2, 3];
        assert_eq!(le16(&b, 1), 0x0302);
        assert_eq!(le32(&b, 1), 0x0302);
        assert_eq!(le64(&b, usize::MAX), 0);
        assert_eq!(tail(&b, 9), &[] as &[u8]);
        let mut m = [0u8; 3];
        put_le32(&mut m, 1, 0xAABB_CCDD);
        assert_eq!(m, [0, 0xDD, 0xCC]);
        put_le32(&mut m, usize::MAX, 1);
    }
}
