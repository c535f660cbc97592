//! What every wire format in this crate shares: the parse error, bounds-checked
//! big-endian field access, [`Repr`] for parameter data, and
//! [`wire_enum!`](crate::wire_enum) for coded fields.
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

/// Every whole record of `len` bytes in `body`, read by `parse` (a trailing partial record
/// is ignored); the vector is allocated for exactly the records present.
pub fn records<T>(body: &[u8], len: usize, parse: fn(&[u8]) -> Result<T>) -> Result<Vec<T>> {
    let len = len.max(1);
    let mut out = Vec::with_capacity(body.len() / len);
    for chunk in body.chunks_exact(len) {
        out.push(parse(chunk)?);
    }
    Ok(out)
}

/// The `N` bytes from `at`; bytes past the end read as 0.
#[inline]
pub fn array_at<const N: usize>(buf: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    for (i, v) in out.iter_mut().enumerate() {
        *v = byte(buf, at, i);
    }
    out
}

/// `N` big-endian u16s from `at` (a table of class bitmaps); bytes past the end read as 0.
pub fn be16s_at<const N: usize>(buf: &[u8], at: usize) -> [u16; N] {
    let mut out = [0u16; N];
    for (i, v) in out.iter_mut().enumerate() {
        *v = at.checked_add(2 * i).map_or(0, |j| be16(buf, j));
    }
    out
}

/// Writes `v` as big-endian u16s from `at`; writes past the end are dropped.
pub fn put_be16s(buf: &mut [u8], at: usize, v: &[u16]) {
    for (i, x) in v.iter().enumerate() {
        if let Some(j) = at.checked_add(2 * i) {
            put_be16(buf, j, *x);
        }
    }
}

/// The ASCII text in `range` of the bytes present: printable ASCII kept, NUL read as a
/// space (some targets pad with NULs), anything else as `?`; trailing spaces trimmed.
pub fn ascii_at(buf: &[u8], range: core::ops::Range<usize>) -> String {
    let bytes = buf
        .get(range.start..range.end.min(buf.len()))
        .unwrap_or(&[]);
    let s: String = bytes
        .iter()
        .map(|&b| match b {
            0 => ' ',
            0x20..=0x7E => char::from(b),
            _ => '?',
        })
        .collect();
    s.trim_end_matches(' ').to_owned()
}

/// Writes `s` into `range`, space-padded and truncated; non-ASCII characters become `?`.
pub fn put_ascii(buf: &mut [u8], range: core::ops::Range<usize>, s: &str) {
    let mut chars = s.chars();
    for i in range {
        let b = match chars.next() {
            Some(c @ ' '..='~') => c as u8,
            Some(_) => b'?',
            None => b' ',
        };
        put_u8(buf, i, b);
    }
}

/// Writes bytes of `v` at `at`, dropping any that fall past the end.
#[inline]
pub fn put_bytes(buf: &mut [u8], at: usize, v: &[u8]) {
    for (i, b) in v.iter().enumerate() {
        if let Some(slot) = at.checked_add(i).and_then(|j| buf.get_mut(j)) {
            *slot = *b;
        }
    }
}

/// Writes a big-endian u16 at `at` (bytes past the end are dropped; callers check room first).
#[inline]
pub fn put_be16(buf: &mut [u8], at: usize, v: u16) {
    put_bytes(buf, at, &v.to_be_bytes());
}

/// Writes a big-endian 24-bit value at `at` (the top byte of `v` is ignored).
#[inline]
pub fn put_be24(buf: &mut [u8], at: usize, v: u32) {
    put_bytes(buf, at, &v.to_be_bytes()[1..]);
}

/// Writes a big-endian u32 at `at`.
#[inline]
pub fn put_be32(buf: &mut [u8], at: usize, v: u32) {
    put_bytes(buf, at, &v.to_be_bytes());
}

/// Writes a big-endian u64 at `at`.
#[inline]
pub fn put_be64(buf: &mut [u8], at: usize, v: u64) {
    put_bytes(buf, at, &v.to_be_bytes());
}

/// Writes one byte at `at`.
#[inline]
pub fn put_u8(buf: &mut [u8], at: usize, v: u8) {
    put_bytes(buf, at, &[v]);
}

/// The `mask`-wide field at bit `shift` of byte `at`; 0 past the end (what a
/// [`command!`](crate::command) bit field reads).
#[inline]
pub fn bits_at(buf: &[u8], at: usize, mask: u8, shift: u32) -> u8 {
    u8_at(buf, at).checked_shr(shift).unwrap_or(0) & mask
}

/// ORs `v`, cut to `mask`, into bit `shift` of byte `at`, keeping the byte's other bits
/// (several fields share a byte); dropped past the end.
#[inline]
pub fn put_bits(buf: &mut [u8], at: usize, mask: u8, shift: u32, v: u8) {
    let bits = (v & mask).checked_shl(shift).unwrap_or(0);
    put_u8(buf, at, u8_at(buf, at) | bits);
}

/// The validated, high-level form of a parameter-data structure (after smoltcp's
/// `Repr`): what every response and parameter list of this crate implements, so generic
/// code (a [`Query`](crate::cdb::Query), a fuzz target, a round-trip test) can parse and
/// emit any of them. Each type keeps the same three methods inherent, so callers need
/// not import this trait.
pub trait Repr: Sized {
    /// Parses the bytes actually transferred; validates what the layers above rely on.
    fn parse(buf: &[u8]) -> Result<Self>;
    /// Bytes [`emit`](Repr::emit) writes.
    fn buffer_len(&self) -> usize;
    /// Writes the structure into `buf`; returns the bytes written.
    fn emit(&self, buf: &mut [u8]) -> Result<usize>;
    /// The structure as a new buffer of [`buffer_len`](Repr::buffer_len) bytes (what
    /// [`emit`](Repr::emit) wrote of them).
    fn to_bytes(&self) -> Vec<u8> {
        let mut v = vec![0; self.buffer_len()];
        // Cannot fail: the buffer has the room emit asks for; an emit that still fails
        // leaves nothing rather than a partial structure.
        let n = self.emit(&mut v).unwrap_or(0);
        v.truncate(n);
        v
    }
}

/// Implements [`Repr`] for types whose inherent `parse`, `buffer_len` and `emit` have
/// the trait's signatures, by calling them.
macro_rules! impl_repr {
    ($($ty:ty),* $(,)?) => {$(
        impl $crate::wire::Repr for $ty {
            fn parse(buf: &[u8]) -> $crate::wire::Result<Self> {
                <$ty>::parse(buf)
            }
            fn buffer_len(&self) -> usize {
                <$ty>::buffer_len(self)
            }
            fn emit(&self, buf: &mut [u8]) -> $crate::wire::Result<usize> {
                <$ty>::emit(self, buf)
            }
        }
    )*};
}

impl_repr!(
    crate::config::FeatureHeader,
    crate::config::Feature,
    crate::config::Configuration,
    crate::cue::CueSheet,
    crate::device::InquiryData,
    crate::device::MechanismStatusData,
    crate::disc::DiscInformation,
    crate::disc::DvdPhysicalFormat,
    crate::disc::BdDiscInformation,
    crate::disc::Atip,
    crate::disc::DvdPrePit,
    crate::disc::AdipInformation,
    crate::disc::LayerBoundary,
    crate::disc::StructureList,
    crate::disc::Toc,
    crate::disc::SessionInfo,
    crate::event::EventStatus,
    crate::format::FormatDescriptor,
    crate::format::FormatParameterList,
    crate::format::FormatCapacities,
    crate::mode::ModeHeader10,
    crate::rw::ReadCapacityData,
    crate::sense::Sense,
    crate::speed::PerformanceHeader,
    crate::speed::NominalPerformance,
    crate::speed::PerformanceException,
    crate::speed::PerformanceData,
    crate::speed::WriteSpeedDescriptor,
    crate::speed::WriteSpeedData,
    crate::speed::PerformanceDescriptor,
    crate::speed::BufferCapacityBytes,
    crate::speed::BufferCapacityBlocks,
    crate::track::TrackInformation,
);

/// Implements [`Repr`] for mode pages through [`ModePage`](crate::mode::ModePage).
macro_rules! impl_repr_page {
    ($($ty:ty),* $(,)?) => {$(
        impl $crate::wire::Repr for $ty {
            fn parse(buf: &[u8]) -> $crate::wire::Result<Self> {
                <$ty as $crate::mode::ModePage>::parse(buf)
            }
            fn buffer_len(&self) -> usize {
                <$ty as $crate::mode::ModePage>::buffer_len(self)
            }
            fn emit(&self, buf: &mut [u8]) -> $crate::wire::Result<usize> {
                <$ty as $crate::mode::ModePage>::emit(self, buf)
            }
        }
    )*};
}

impl_repr_page!(
    crate::mode::ErrorRecoveryPage,
    crate::mode::WriteParametersPage,
    crate::mode::CapabilitiesPage,
);

/// A coded field declared with [`wire_enum!`](crate::wire_enum): the values a standard
/// names, read from their raw form.
pub trait Coded: Copy {
    /// The field's raw type.
    type Raw: Copy + Into<u64>;
    /// The named value for `raw` (bits outside the field ignored), or the field's bits
    /// when the standard names no value for them.
    fn named(raw: Self::Raw) -> core::result::Result<Self, Self::Raw>;
    /// The value's name as the standard spells it.
    fn name(self) -> &'static str;
}

/// Reads a coded field a parser must reject when its value is reserved: the named value,
/// or [`Error::Invalid`] with `field` (the field's name in the standard) and the value.
pub fn named<T: Coded>(raw: T::Raw, field: &'static str) -> Result<T> {
    T::named(raw).map_err(|v| Error::Invalid {
        field,
        value: v.into(),
    })
}

/// Declares a coded field: an enum of the values a standard names plus an
/// `Unknown(raw)` arm that keeps any other value as received (after smoltcp's
/// `enum_with_unknown!`). One macro for every such field of MMC, SPC, SAM, iSCSI and
/// SG_IO, so they all convert, mask and name values the same way.
///
/// ```
/// discburn_mmc::wire_enum! {
///     /// Rotation control (MMC-6 §6.39).
///     pub enum Rotation: u8 & 0x03 {   // the field is two bits wide
///         /// Constant linear velocity.
///         Clv = 0 => "CLV",
///         /// Constant angular velocity.
///         Cav = 1 => "CAV",
///         /// 10b/11b: reserved, kept as received.
///         Unknown => "reserved",
///     }
/// }
/// assert_eq!(Rotation::from(0x05), Rotation::Cav); // bits outside the field are dropped
/// assert_eq!(u8::from(Rotation::Unknown(0x07)), 0x03);
/// assert_eq!(Rotation::KNOWN, &[Rotation::Clv, Rotation::Cav]);
/// assert_eq!(Rotation::Unknown(2).name(), "reserved");
/// ```
///
/// Generated: the enum (`Debug, Clone, Copy, PartialEq, Eq, Hash`; attributes before
/// `enum` are kept, so more derives can be added), `From<raw>` reading only the bits of
/// the mask (every bit without one), `From<Enum> for raw` (an `Unknown` value masked
/// too), `KNOWN` (the named values in declaration order) and `name()` (the text after
/// `=>`; the `Unknown` line's text for any other value). A named variant without docs
/// gets its value and name as docs. Without an `Unknown` line the enum is closed: it
/// gets `TryFrom<raw>` (failing with [`Error::Invalid`]) instead of `From<raw>`; with
/// `exhaustive` after the mask, every value of the field is named and `From<raw>` cannot
/// fail (a const check proves it). Every form implements [`Coded`], which
/// [`named`] uses to reject a reserved value with the field's name. A named value wider
/// than the mask fails to compile.
///
/// ```
/// discburn_mmc::wire_enum! {
///     /// A two-bit state where every value means something.
///     pub enum State: u8 & 0x03 exhaustive {
///         Empty = 0 => "empty",
///         Open = 1 => "open",
///         Damaged = 2 => "damaged",
///         Closed = 3 => "closed",
///     }
/// }
/// assert_eq!(State::from(0xFE), State::Damaged);
/// assert_eq!(discburn_mmc::wire::named::<State>(1, "state"), Ok(State::Open));
/// ```
/// Declares a view over a byte buffer (after smoltcp's `wire`): the struct holding any
/// `T: AsRef<[u8]>`, `new_unchecked`, `new_checked` (when the view has a fixed part of
/// `$min` bytes), `into_inner`, a private `b()`, and one accessor per line of an optional
/// field table. A table line is `docs vis name: type = place`, with the places of
/// [`command!`](crate::command) (`u8(byte)`, `bit(byte, bit)`, `bits(byte, mask <<
/// shift)`, `be16(byte)`, `be24(byte)`, `be32(byte)`, `be64(byte)`, `from(place)`; the
/// byte may be any `usize` expression); the accessor keeps the line's docs and reads
/// through [`be16`], [`u8_at`] …, which never panic. A view with an owned struct of the
/// same fields is declared once with [`record!`](crate::record), which calls this macro
/// (and adds optional fields and fields split over two bytes). Fields no table can
/// express (lists, computed values) the module writes in its own `impl`.
///
/// ```
/// discburn_mmc::wire_view! {
///     /// Two big-endian counters and a flag.
///     pub struct Counters, at least 4;
///     {
///         /// The first counter (bytes 0–1).
///         pub first: u16 = be16(0),
///         /// A made-up flag (byte 2 bit 7).
///         pub flag: bool = bit(2, 7),
///     }
/// }
/// impl<T: AsRef<[u8]>> Counters<T> {
///     /// The second counter (bytes 2–3) without the flag.
///     pub fn second(&self) -> u16 {
///         discburn_mmc::wire::be16(self.b(), 2) & 0x7FFF
///     }
/// }
/// let c = Counters::new_checked([0, 7, 0x80, 1]).unwrap();
/// assert_eq!((c.first(), c.flag(), c.second()), (7, true, 1));
/// assert!(Counters::new_checked([0u8; 3]).is_err());
/// assert_eq!(Counters::new_unchecked([0u8; 0]).first(), 0);
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! wire_view {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident, at least $min:expr;
        $({ $($fields:tt)* })?
    ) => {
        $crate::wire_view!($(#[$meta])* $vis struct $name; $({ $($fields)* })?);
        impl<T: AsRef<[u8]>> $name<T> {
            /// Wraps `buffer`, failing when it is shorter than the fixed part the
            /// accessors read.
            pub fn new_checked(buffer: T) -> $crate::wire::Result<Self> {
                $crate::wire::check_len(buffer.as_ref(), $min)?;
                Ok($name { buffer })
            }
        }
    };
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident;
        {
            $( $(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty = $place:ident ($($arg:tt)*) ),* $(,)?
        }
    ) => {
        $crate::wire_view!($(#[$meta])* $vis struct $name;);
        impl<T: AsRef<[u8]>> $name<T> {
            $(
                $(#[$fmeta])*
                $fvis fn $field(&self) -> $ty {
                    let b = self.b();
                    $crate::place!(get b, $ty, $place($($arg)*))
                }
            )*
        }
    };
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident;
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy)]
        $vis struct $name<T: AsRef<[u8]>> {
            buffer: T,
        }
        impl<T: AsRef<[u8]>> $name<T> {
            /// Wraps `buffer` without checking it: fields past its end read as 0.
            pub fn new_unchecked(buffer: T) -> Self {
                $name { buffer }
            }

            /// The underlying buffer.
            pub fn into_inner(self) -> T {
                self.buffer
            }

            #[allow(dead_code)] // views whose accessors all read `self.buffer`
            fn b(&self) -> &[u8] {
                self.buffer.as_ref()
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $raw:ident & $mask:literal exhaustive {
            $($body:tt)*
        }
    ) => {
        $crate::wire_enum!(@munch [total $(#[$meta])* $vis $name $raw [$mask]] [] $($body)*);
    };
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $raw:ident $(& $mask:literal)? {
            $($body:tt)*
        }
    ) => {
        $crate::wire_enum!(@munch [closed $(#[$meta])* $vis $name $raw [$($mask)?]] [] $($body)*);
    };

    // The body is read one variant at a time: a repetition could not tell the docs of
    // the `Unknown` line from those of one more named variant.
    (@munch $head:tt [$($known:tt)*]
        $(#[$um:meta])* Unknown => $utext:literal $(,)?
    ) => {
        $crate::wire_enum!(@open $head [$($known)*] [$(#[$um])*] $utext);
    };
    // An undocumented variant gets its value and name as docs.
    (@munch $head:tt [$($known:tt)*]
        $variant:ident = $value:literal => $text:literal $(, $($rest:tt)*)?
    ) => {
        $crate::wire_enum!(@munch $head
            [$($known)* [
                [#[doc = ::core::concat!("`", ::core::stringify!($value), "`: ", $text, ".")]]
                $variant $value $text
            ]]
            $($($rest)*)?);
    };
    (@munch $head:tt [$($known:tt)*]
        $(#[$vm:meta])+ $variant:ident = $value:literal => $text:literal
        $(, $($rest:tt)*)?
    ) => {
        $crate::wire_enum!(@munch $head
            [$($known)* [[$(#[$vm])+] $variant $value $text]] $($($rest)*)?);
    };
    (@munch $head:tt [$($known:tt)*]) => {
        $crate::wire_enum!(@closed $head [$($known)*]);
    };

    (@open
        [closed $(#[$meta:meta])* $vis:vis $name:ident $raw:ident [$($mask:literal)?]]
        [$([[$($vattr:tt)*] $variant:ident $value:literal $text:literal])*]
        [$($uattr:tt)*] $utext:literal
    ) => {
        $crate::wire_enum!(@decl
            [$(#[$meta])* $vis $name $raw [$($mask)?]]
            [$([[$($vattr)*] $variant $value $text])*]
            { $($uattr)* Unknown($raw), }
        );

        impl ::core::convert::From<$raw> for $name {
            /// Reads the field's bits; bits outside the field are ignored.
            fn from(v: $raw) -> Self {
                match $crate::wire_enum!(@masked v $($mask)?) {
                    $( $value => $name::$variant, )*
                    other => $name::Unknown(other),
                }
            }
        }

        impl ::core::convert::From<$name> for $raw {
            fn from(v: $name) -> $raw {
                match v {
                    $( $name::$variant => $value, )*
                    $name::Unknown(other) => $crate::wire_enum!(@masked other $($mask)?),
                }
            }
        }

        impl $name {
            /// The field's name for the value, as the standard spells it.
            pub fn name(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )*
                    $name::Unknown(_) => $utext,
                }
            }
        }
    };

    // Every value of the field is named: `From<raw>` cannot fail, which a const check
    // of the values proves.
    (@closed
        [total $(#[$meta:meta])* $vis:vis $name:ident $raw:ident [$mask:literal]]
        [$([[$($vattr:tt)*] $variant:ident $value:literal $text:literal])*]
    ) => {
        $crate::wire_enum!(@decl
            [$(#[$meta])* $vis $name $raw [$mask]]
            [$([[$($vattr)*] $variant $value $text])*]
            {}
        );

        const _: () = {
            let values: &[$raw] = &[$($value),*];
            let mask = $mask as u64;
            ::core::assert!(
                mask & (mask + 1) == 0 && values.len() as u64 == mask + 1,
                ::core::concat!(::core::stringify!($name), ": not every value is named")
            );
            let mut i = 0;
            while i < values.len() {
                let mut j = i + 1;
                while j < values.len() {
                    ::core::assert!(
                        values[i] != values[j],
                        ::core::concat!(::core::stringify!($name), ": a value is named twice")
                    );
                    j += 1;
                }
                i += 1;
            }
        };

        impl ::core::convert::From<$raw> for $name {
            /// Reads the field's bits; bits outside the field are ignored.
            fn from(v: $raw) -> Self {
                match v & $mask {
                    $( $value => $name::$variant, )*
                    // Unreachable: the const check above proves every value is named.
                    _ => $crate::wire_enum!(@first $name $($variant)*),
                }
            }
        }

        $crate::wire_enum!(@into $name $raw [$($variant $value $text)*]);
    };

    (@closed
        [closed $(#[$meta:meta])* $vis:vis $name:ident $raw:ident [$($mask:literal)?]]
        [$([[$($vattr:tt)*] $variant:ident $value:literal $text:literal])*]
    ) => {
        $crate::wire_enum!(@decl
            [$(#[$meta])* $vis $name $raw [$($mask)?]]
            [$([[$($vattr)*] $variant $value $text])*]
            {}
        );

        impl ::core::convert::TryFrom<$raw> for $name {
            type Error = $crate::wire::Error;

            /// Reads the field's bits; a value the standard does not name is
            /// [`Error::Invalid`]($crate::wire::Error::Invalid).
            fn try_from(v: $raw) -> $crate::wire::Result<Self> {
                match $crate::wire_enum!(@masked v $($mask)?) {
                    $( $value => ::core::result::Result::Ok($name::$variant), )*
                    other => ::core::result::Result::Err($crate::wire::Error::Invalid {
                        field: ::core::stringify!($name),
                        value: ::core::convert::From::from(other),
                    }),
                }
            }
        }

        $crate::wire_enum!(@into $name $raw [$($variant $value $text)*]);
    };

    // What closed and exhaustive enums share: the raw value and the name.
    (@into $name:ident $raw:ident [$($variant:ident $value:literal $text:literal)*]) => {
        impl ::core::convert::From<$name> for $raw {
            fn from(v: $name) -> $raw {
                match v {
                    $( $name::$variant => $value, )*
                }
            }
        }

        impl $name {
            /// The field's name for the value, as the standard spells it.
            pub fn name(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )*
                }
            }
        }
    };

    (@first $name:ident $first:ident $($rest:ident)*) => { $name::$first };

    // What open and closed enums share: the type, `KNOWN`, and the width check.
    (@decl
        [$(#[$meta:meta])* $vis:vis $name:ident $raw:ident [$($mask:literal)?]]
        [$([[$($vattr:tt)*] $variant:ident $value:literal $text:literal])*]
        { $($unknown:tt)* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $(
                $($vattr)*
                $variant,
            )*
            $($unknown)*
        }

        impl $name {
            /// Every value the standard names, in declaration order.
            pub const KNOWN: &'static [$name] = &[ $( $name::$variant, )* ];
        }

        impl $crate::wire::Coded for $name {
            type Raw = $raw;

            fn named(v: $raw) -> ::core::result::Result<Self, $raw> {
                match $crate::wire_enum!(@masked v $($mask)?) {
                    $( $value => ::core::result::Result::Ok($name::$variant), )*
                    other => ::core::result::Result::Err(other),
                }
            }

            fn name(self) -> &'static str {
                $name::name(self)
            }
        }

        $crate::wire_enum!(@check $name [$($mask)?] $($value)*);
    };

    (@masked $v:ident) => { $v };
    (@masked $v:ident $mask:literal) => { $v & $mask };

    (@check $name:ident []  $($value:literal)*) => {};
    (@check $name:ident [$mask:literal] $($value:literal)*) => {
        const _: () = {
            $( ::core::assert!(
                ($value & $mask) == $value,
                ::core::concat!(
                    ::core::stringify!($name), ": ", ::core::stringify!($value),
                    " is wider than the field"
                )
            ); )*
        };
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::wire_enum! {
        /// A two-bit field with one reserved value.
        enum Masked: u8 & 0x03 {
            /// 00b.
            Zero = 0 => "zero",
            One = 1 => "one",
            Three = 0x3 => "three",
            /// 10b: reserved.
            Unknown => "reserved",
        }
    }

    crate::wire_enum! {
        /// A whole 16-bit field.
        enum Whole: u16 {
            Low = 0x0001 => "low",
            High = 0xFFFF => "high",
            Unknown => "other",
        }
    }

    crate::wire_enum! {
        /// A closed four-bit field.
        enum Closed: u8 & 0x0F {
            Unknown = 0 => "unknown",
            Five = 5 => "five",
        }
    }

    /// Every named value of a field converts to its raw value and back, the values
    /// are distinct and each has a name.
    macro_rules! check_known {
        ($($ty:ty: $raw:ty),* $(,)?) => {$({
            let mut seen = Vec::new();
            for &v in <$ty>::KNOWN {
                let raw = <$raw>::from(v);
                assert_eq!(<$ty as Coded>::named(raw), Ok(v), "{v:?}");
                assert!(!seen.contains(&raw), "{v:?}: {raw:#x} named twice");
                seen.push(raw);
                assert!(!v.name().is_empty(), "{v:?}");
            }
            assert!(!seen.is_empty());
        })*};
    }

    #[test]
    fn every_field_enum_round_trips_its_known_values() {
        use crate::{config, cue, device, disc, event, format, mode, speed, track};
        check_known!(
            crate::cdb::OpCode: u8,
            crate::profile::Profile: u16,
            crate::transport::ScsiStatus: u8,
            config::FeatureCode: u16,
            config::ReturnType: u8,
            config::LoadingMechanism: u8,
            cue::DataForm: u8,
            device::DeviceType: u8,
            device::MechanismState: u8,
            disc::DiscType: u8,
            disc::BookType: u8,
            event::NotificationClass: u8,
            event::MediaEventCode: u8,
            format::FormatType: u8,
            mode::WriteType: u8,
            mode::DataBlockType: u8,
            mode::MultiSession: u8,
            mode::SessionFormat: u8,
            speed::RotationControl: u8,
            speed::PerformanceType: u8,
            speed::Except: u8,
            speed::StreamingType: u8,
            track::DataMode: u8,
            track::CloseFunction: u8,
            crate::sense::SenseKey: u8,
            disc::DiscInformationType: u8,
            disc::SessionState: u8,
            disc::DiscStatus: u8,
            disc::BgFormatStatus: u8,
            disc::TocFormat: u8,
            disc::DiscStructureMedia: u8,
            disc::AtipDiscType: u8,
            device::ChangerState: u8,
            device::PowerCondition: u8,
            format::BlankingType: u8,
            format::CapacityDescriptorType: u8,
            mode::PageControl: u8,
        );
        for &t in crate::profile::ImapiMediaPhysicalType::KNOWN {
            assert_eq!(
                crate::profile::ImapiMediaPhysicalType::try_from(u32::from(t)),
                Ok(t)
            );
        }
    }

    crate::wire_enum! {
        /// A two-bit field where every value is named.
        enum Total: u8 & 0x03 exhaustive {
            A = 0 => "a",
            B = 2 => "b",
            C = 1 => "c",
            D = 3 => "d",
        }
    }

    #[test]
    fn wire_enum_exhaustive_reads_every_value() {
        assert_eq!(Total::KNOWN, &[Total::A, Total::B, Total::C, Total::D]);
        for v in 0..=255u8 {
            let t = Total::from(v);
            assert_eq!(u8::from(t), v & 0x03);
            assert_eq!(<Total as Coded>::named(v), Ok(t));
        }
        assert_eq!(Total::B.name(), "b");
    }

    #[test]
    fn named_rejects_what_the_standard_does_not_name() {
        assert_eq!(named::<Masked>(0xFD, "masked"), Ok(Masked::One));
        assert_eq!(
            named::<Masked>(0x06, "masked"),
            Err(Error::Invalid {
                field: "masked",
                value: 2
            })
        );
        assert_eq!(named::<Closed>(0x05, "closed"), Ok(Closed::Five));
        assert_eq!(
            named::<Closed>(0x16, "closed"),
            Err(Error::Invalid {
                field: "closed",
                value: 6
            })
        );
        assert_eq!(named::<Whole>(0xFFFF, "whole"), Ok(Whole::High));
        assert!(named::<Whole>(7, "whole").is_err());
        assert_eq!(<Masked as Coded>::name(Masked::Three), "three");
    }

    /// Parses `bytes` as `R` through the trait and re-emits them unchanged.
    fn repr_round_trip<R: Repr + PartialEq + core::fmt::Debug>(bytes: &[u8]) {
        let r = R::parse(bytes).unwrap();
        assert_eq!(r.to_bytes(), bytes);
        assert_eq!(R::parse(&r.to_bytes()), Ok(r));
    }

    #[test]
    fn repr_is_the_inherent_parse_and_emit() {
        use crate::sense::{Asc, Sense, SenseKey};
        let sense = Sense::from_code(SenseKey::NotReady, Asc::LONG_WRITE_IN_PROGRESS);
        assert_eq!(Repr::to_bytes(&sense), sense.to_fixed_vec());
        repr_round_trip::<Sense>(&sense.to_fixed_vec());
        repr_round_trip::<crate::rw::ReadCapacityData>(&[0, 0, 0x10, 0, 0, 0, 0x08, 0]);
        let mut info = [0u8; 34];
        info[..8].copy_from_slice(&[0x00, 0x20, 0x0E, 1, 1, 1, 1, 0x20]);
        info[8] = 0xFF;
        repr_round_trip::<crate::disc::DiscInformation>(&info);
    }

    #[test]
    fn wire_enum_known_values_round_trip() {
        assert_eq!(Masked::KNOWN, &[Masked::Zero, Masked::One, Masked::Three]);
        for &v in Masked::KNOWN {
            assert_eq!(Masked::from(u8::from(v)), v);
        }
        assert_eq!(Whole::KNOWN, &[Whole::Low, Whole::High]);
        for &v in Whole::KNOWN {
            assert_eq!(Whole::from(u16::from(v)), v);
        }
        assert_eq!(Closed::KNOWN, &[Closed::Unknown, Closed::Five]);
        for &v in Closed::KNOWN {
            assert_eq!(Closed::try_from(u8::from(v)), Ok(v));
        }
        assert_eq!(Masked::Three.name(), "three");
        assert_eq!(Whole::High.name(), "high");
        assert_eq!(Closed::Five.name(), "five");
    }

    #[test]
    fn wire_enum_unknown_is_masked() {
        assert_eq!(Masked::from(2), Masked::Unknown(2));
        assert_eq!(u8::from(Masked::Unknown(2)), 2);
        assert_eq!(Masked::Unknown(2).name(), "reserved");
        // An Unknown built by hand with bits outside the field emits only the field.
        assert_eq!(u8::from(Masked::Unknown(0xFE)), 0x02);
        assert_eq!(Whole::from(0x1234), Whole::Unknown(0x1234));
        assert_eq!(u16::from(Whole::Unknown(0x1234)), 0x1234);
        assert_eq!(Whole::Unknown(0).name(), "other");
    }

    #[test]
    fn wire_enum_ignores_bits_outside_the_mask() {
        assert_eq!(Masked::from(0xFD), Masked::One);
        assert_eq!(Masked::from(0x06), Masked::Unknown(2));
        assert_eq!(Masked::from(0xFF), Masked::Three);
        for v in 0..=255u8 {
            assert_eq!(u8::from(Masked::from(v)), v & 0x03);
        }
        assert_eq!(Closed::try_from(0xF5), Ok(Closed::Five));
        assert_eq!(
            Closed::try_from(0x16),
            Err(Error::Invalid {
                field: "Closed",
                value: 6
            })
        );
    }

    #[test]
    fn wire_enum_debug_is_derived() {
        // Debug stays the derived one; names come from the table, not the identifier.
        assert_eq!(format!("{:?}", Masked::Unknown(2)), "Unknown(2)");
        assert_eq!(format!("{:?}", Whole::Low), "Low");
    }

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
