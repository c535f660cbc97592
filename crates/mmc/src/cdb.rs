//! The command descriptor block container and the operation codes MMC-6 recorders use.
//!
//! Every command is a small `Repr` struct in its command family's module (`device`, `rw`,
//! `disc`, `track`, `config`, `mode`, `speed`, `format`, `event`) implementing
//! [`Command`]: `emit` builds the CDB a host sends, `parse` reads one back (the virtual
//! recorder executes CDBs through the same code, so there is one encoding of each).

use crate::wire;

/// A CDB of 6 to 16 bytes, stored inline (no allocation on the write path).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cdb {
    bytes: [u8; 16],
    len: u8,
}

impl Cdb {
    /// A zeroed CDB of `len` bytes (6, 10, 12 or 16) with `op` in byte 0.
    /// A `len` outside 6..=16 is clamped into it.
    pub fn new(op: OpCode, len: usize) -> Self {
        let len = len.clamp(6, 16);
        let mut bytes = [0u8; 16];
        bytes[0] = op.into();
        Cdb {
            bytes,
            len: len as u8,
        }
    }

    /// A CDB holding a copy of `raw` (6..=16 bytes), for raw pass-through.
    pub fn from_bytes(raw: &[u8]) -> wire::Result<Self> {
        if !(6..=16).contains(&raw.len()) {
            return Err(wire::Error::Invalid {
                field: "CDB length",
                value: raw.len() as u64,
            });
        }
        let mut bytes = [0u8; 16];
        bytes[..raw.len()].copy_from_slice(raw);
        Ok(Cdb {
            bytes,
            len: raw.len() as u8,
        })
    }

    /// The CDB's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// The CDB's bytes, writable.
    pub fn as_mut_bytes(&mut self) -> &mut [u8] {
        &mut self.bytes[..usize::from(self.len)]
    }

    /// The operation code (byte 0).
    pub fn opcode(&self) -> OpCode {
        OpCode::from(self.bytes[0])
    }
}

impl AsRef<[u8]> for Cdb {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl core::fmt::Debug for Cdb {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}[", self.opcode().name())?;
        for (i, b) in self.as_bytes().iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{b:02x}")?;
        }
        f.write_str("]")
    }
}

/// One MMC/SPC command's typed form.
pub trait Command: Sized {
    /// Its operation code.
    const OPCODE: OpCode;
    /// Its CDB length in bytes.
    const LEN: usize;
    /// Builds the CDB.
    fn emit(&self) -> Cdb;
    /// Reads a CDB back; fails on a wrong opcode, a short CDB or a field the standard
    /// forbids (the virtual recorder answers those with ILLEGAL REQUEST).
    fn parse(cdb: &[u8]) -> wire::Result<Self>;
}

/// A command the device answers with parameter data of one type: the CDB names how
/// many bytes to allocate, and [`Query::Response`] parses what came back
/// ([`transport::query`](crate::transport::query) does all three).
pub trait Query: Command {
    /// The data the device returns.
    type Response: wire::Repr;
    /// Bytes the CDB allows the device to return (its allocation length).
    fn allocation_length(&self) -> usize;
}

/// Implements [`Query`] for commands whose allocation length is one field.
macro_rules! impl_query {
    ($($cmd:ty => $resp:ty, $alloc:ident;)*) => {$(
        impl $crate::cdb::Query for $cmd {
            type Response = $resp;
            fn allocation_length(&self) -> usize {
                usize::from(self.$alloc)
            }
        }
    )*};
}

impl_query! {
    crate::device::RequestSense => crate::sense::Sense, alloc;
    crate::device::Inquiry => crate::device::InquiryData, alloc;
    crate::device::MechanismStatus => crate::device::MechanismStatusData, alloc;
    crate::disc::ReadDiscInformation => crate::disc::DiscInformation, alloc;
    crate::track::ReadTrackInformation => crate::track::TrackInformation, alloc;
    crate::event::GetEventStatusNotification => crate::event::EventStatus, alloc;
    crate::format::ReadFormatCapacities => crate::format::FormatCapacities, alloc;
    crate::config::GetConfiguration => crate::config::Configuration, allocation_length;
}

impl Query for crate::rw::ReadCapacity10 {
    type Response = crate::rw::ReadCapacityData;
    fn allocation_length(&self) -> usize {
        crate::rw::ReadCapacityData::LEN
    }
}

/// Reads (`get buf, type, place`) or writes (`put buf, value, place`) one field at its
/// place: what a line of a [`command!`](crate::command), [`record!`](crate::record) or
/// [`wire_view!`](crate::wire_view) table expands to (and the iSCSI crate's PDU tables).
/// Reads never panic (bytes past the end read as 0); writes past the end are dropped.
#[doc(hidden)]
#[macro_export]
macro_rules! place {
    (get $c:ident, $ty:ty, u8($at:expr)) => {
        $crate::wire::u8_at($c, $at)
    };
    (get $c:ident, $ty:ty, bit($at:expr, $bit:literal)) => {
        $crate::wire::bits_at($c, $at, 0x01, $bit) != 0
    };
    (get $c:ident, $ty:ty, bits($at:expr, $mask:literal << $shift:literal)) => {
        $crate::wire::bits_at($c, $at, $mask, $shift)
    };
    (get $c:ident, $ty:ty, be16($at:expr)) => {
        $crate::wire::be16($c, $at)
    };
    (get $c:ident, $ty:ty, be24($at:expr)) => {
        $crate::wire::be24($c, $at)
    };
    (get $c:ident, $ty:ty, be32($at:expr)) => {
        $crate::wire::be32($c, $at)
    };
    (get $c:ident, $ty:ty, be64($at:expr)) => {
        $crate::wire::be64($c, $at)
    };
    (get $c:ident, $ty:ty, bytes($at:expr)) => {
        $crate::wire::array_at($c, $at)
    };
    (get $c:ident, $ty:ty, record($at:expr)) => {
        <$ty>::read($c.get($at..).unwrap_or(&[]))
    };
    (get $c:ident, $ty:ty, be16s($at:expr)) => {
        $crate::wire::be16s_at($c, $at)
    };
    (get $c:ident, $ty:ty, ascii($range:expr)) => {
        $crate::wire::ascii_at($c, $range)
    };
    (get $c:ident, $ty:ty, lsb_msb($lsb:expr, $msb:expr)) => {
        u16::from_be_bytes([$crate::wire::u8_at($c, $msb), $crate::wire::u8_at($c, $lsb)])
    };
    (get $c:ident, $ty:ty, from($place:ident ($($arg:tt)*))) => {
        <$ty>::from($crate::place!(get $c, $ty, $place($($arg)*)))
    };
    (get $c:ident, $ty:ty, named($place:ident ($($arg:tt)*), $name:literal)) => {
        $crate::wire::named::<$ty>($crate::place!(get $c, $ty, $place($($arg)*)), $name)?
    };
    (get $c:ident, $ty:ty, with($read:path, $write:path)) => {
        $read($c)?
    };
    (get $c:ident, $ty:ty, map($place:ident ($($arg:tt)*), $from:path, $to:path)) => {
        $from($crate::place!(get $c, $ty, $place($($arg)*)))
    };

    (put $b:ident, $v:expr, u8($at:expr)) => {
        $crate::wire::put_bits($b, $at, 0xFF, 0, $v)
    };
    (put $b:ident, $v:expr, bit($at:expr, $bit:literal)) => {
        $crate::wire::put_bits($b, $at, 0x01, $bit, u8::from($v))
    };
    (put $b:ident, $v:expr, bits($at:expr, $mask:literal << $shift:literal)) => {
        $crate::wire::put_bits($b, $at, $mask, $shift, $v)
    };
    (put $b:ident, $v:expr, be16($at:expr)) => {
        $crate::wire::put_be16($b, $at, $v)
    };
    (put $b:ident, $v:expr, be24($at:expr)) => {
        $crate::wire::put_be24($b, $at, $v)
    };
    (put $b:ident, $v:expr, be32($at:expr)) => {
        $crate::wire::put_be32($b, $at, $v)
    };
    (put $b:ident, $v:expr, be64($at:expr)) => {
        $crate::wire::put_be64($b, $at, $v)
    };
    (put $b:ident, $v:expr, bytes($at:expr)) => {
        $crate::wire::put_bytes($b, $at, &$v)
    };
    (put $b:ident, $v:expr, record($at:expr)) => {
        if let Some(b) = $b.get_mut($at..) {
            // Fails only without room for the record; the bytes are then dropped, as any
            // field's past the end.
            let _ = $v.emit(b);
        }
    };
    (put $b:ident, $v:expr, be16s($at:expr)) => {
        $crate::wire::put_be16s($b, $at, &$v)
    };
    (put $b:ident, $v:expr, ascii($range:expr)) => {
        $crate::wire::put_ascii($b, $range, &$v)
    };
    (put $b:ident, $v:expr, lsb_msb($lsb:expr, $msb:expr)) => {{
        let [msb, lsb] = u16::to_be_bytes($v);
        $crate::wire::put_u8($b, $lsb, lsb);
        $crate::wire::put_u8($b, $msb, msb);
    }};
    (put $b:ident, $v:expr, from($place:ident ($($arg:tt)*))) => {
        $crate::place!(put $b, ::core::convert::From::from($v), $place($($arg)*))
    };
    (put $b:ident, $v:expr, named($place:ident ($($arg:tt)*), $name:literal)) => {
        $crate::place!(put $b, ::core::convert::From::from($v), $place($($arg)*))
    };
    (put $b:ident, $v:expr, with($read:path, $write:path)) => {
        $write($b, $v)
    };
    (put $b:ident, $v:expr, map($place:ident ($($arg:tt)*), $from:path, $to:path)) => {
        $crate::place!(put $b, $to($v), $place($($arg)*))
    };

    // The byte after a byte-aligned field (what `if sent` in a `record!` table compares
    // with the bytes transferred).
    (end u8($at:expr)) => { $at + 1 };
    (end be16($at:expr)) => { $at + 2 };
    (end be24($at:expr)) => { $at + 3 };
    (end be32($at:expr)) => { $at + 4 };
    (end be64($at:expr)) => { $at + 8 };
    (end from($place:ident ($($arg:tt)*))) => { $crate::place!(end $place($($arg)*)) };
}

/// Declares commands from a table of their CDB fields (after the spec's CDB tables): per
/// command the struct (docs and attributes kept), its operation code and CDB length;
/// per field its name, type, place in the CDB and docs. Generated: the struct and its
/// [`Command`] impl, whose `emit` writes each field at its place into a zeroed CDB and
/// whose `parse` checks opcode and length ([`check_cdb`]) and reads each field back,
/// never panicking. Reserved bits are written as zero and ignored on parse.
///
/// ```
/// discburn_mmc::command! {
///     /// SEEK (10): move the head to `lba`.
///     #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
///     pub struct Seek10: OpCode::Seek10, 10 bytes;
///     {
///         /// Logical Block Address (bytes 2–5).
///         pub lba: u32 = be32(2),
///         /// A made-up flag in byte 1 bit 3.
///         pub flag: bool = bit(1, 3),
///         /// A made-up two-bit count in byte 9 bits 6–7.
///         pub count: u8 = bits(9, 0x03 << 6),
///     }
/// }
/// use discburn_mmc::Command;
/// let c = Seek10 { lba: 0x0102_0304, flag: true, count: 2 };
/// assert_eq!(c.emit().as_bytes(), &[0x2B, 0x08, 1, 2, 3, 4, 0, 0, 0, 0x80]);
/// assert_eq!(Seek10::parse(c.emit().as_bytes()), Ok(c));
/// assert!(Seek10::parse(&[0x2B; 9]).is_err());
/// ```
///
/// A field's place is one of `u8(byte)`, `bit(byte, bit)` (a `bool`), `bits(byte, mask
/// << shift)` (a `u8` of the bits `mask` at bit `shift`), `be16(byte)`, `be24(byte)`,
/// `be32(byte)` or `be64(byte)` (big-endian, from its first byte; the byte is any `usize`
/// expression, a literal or a `field` constant), `bytes(byte)` (a `[u8; N]` from its
/// first byte); `from(place)` for a type with
/// `From` conversions to and from the raw value (a [`wire_enum!`](crate::wire_enum) keeps
/// unknown codes), `named(place, "field")` for a coded field whose reserved values
/// `parse` rejects ([`wire::named`]), and `with(read, write)` for a field spread over
/// the CDB (`read: fn(&[u8]) -> wire::Result<T>`, `write: fn(&mut [u8], T)`), and
/// `map(place, from, to)` for a value stored coded (`from: fn(raw) -> T`, `to: fn(T) ->
/// raw`; a count stored as count − 1).
/// Several structs before one table share it (READ and WRITE). After the table,
/// `fixed place == value, "field";` writes a constant `parse` insists on, and
/// `check path;` runs `fn(&Self) -> wire::Result<()>` on the parsed command, for the
/// rules that tie fields together.
#[doc(hidden)]
#[macro_export]
macro_rules! command {
    // The structs in front of the table, one at a time.
    (@structs [$($head:tt)*]
        $(#[$meta:meta])*
        $vis:vis struct $name:ident : OpCode :: $op:ident, $len:literal bytes;
        $($rest:tt)*
    ) => {
        $crate::command!(@structs
            [$($head)* [[$(#[$meta])*] [$vis] $name $op $len]] $($rest)*);
    };
    (@structs [$($head:tt)*] $fields:tt $($tail:tt)*) => {
        $crate::command!(@each [$($head)*] $fields [$($tail)*]);
    };
    (@each [$($head:tt)*] $fields:tt $tail:tt) => {
        $( $crate::command!(@one $head $fields $tail); )*
    };

    // A command without parameters.
    (@one [[$(#[$meta:meta])*] [$vis:vis] $name:ident $op:ident $len:literal] {} []) => {
        $(#[$meta])*
        $vis struct $name;

        impl $crate::cdb::Command for $name {
            const OPCODE: $crate::cdb::OpCode = $crate::cdb::OpCode::$op;
            const LEN: usize = $len;

            fn emit(&self) -> $crate::cdb::Cdb {
                $crate::cdb::Cdb::new(Self::OPCODE, Self::LEN)
            }

            fn parse(cdb: &[u8]) -> $crate::wire::Result<Self> {
                $crate::cdb::check_cdb(cdb, Self::OPCODE, Self::LEN)?;
                Ok($name)
            }
        }
    };
    (@one [[$(#[$meta:meta])*] [$vis:vis] $name:ident $op:ident $len:literal]
        { $( $(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty = $place:ident ($($arg:tt)*) ),+ $(,)? }
        [
            $(fixed $xplace:ident ($($xarg:tt)*) == $xvalue:expr, $xname:literal;)*
            $(check $check:path;)?
        ]
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $( $(#[$fmeta])* $fvis $field: $ty, )+
        }

        impl $crate::cdb::Command for $name {
            const OPCODE: $crate::cdb::OpCode = $crate::cdb::OpCode::$op;
            const LEN: usize = $len;

            fn emit(&self) -> $crate::cdb::Cdb {
                let mut cdb = $crate::cdb::Cdb::new(Self::OPCODE, Self::LEN);
                let b = cdb.as_mut_bytes();
                $( $crate::place!(put b, $xvalue, $xplace($($xarg)*)); )*
                $( $crate::place!(put b, self.$field, $place($($arg)*)); )+
                cdb
            }

            fn parse(cdb: &[u8]) -> $crate::wire::Result<Self> {
                $crate::cdb::check_cdb(cdb, Self::OPCODE, Self::LEN)?;
                $({
                    let raw = $crate::place!(get cdb, u8, $xplace($($xarg)*));
                    if raw != $xvalue {
                        return Err($crate::wire::Error::Invalid {
                            field: $xname,
                            value: ::core::convert::From::from(raw),
                        });
                    }
                })*
                let parsed = $name {
                    $( $field: $crate::place!(get cdb, $ty, $place($($arg)*)), )+
                };
                $( $check(&parsed)?; )?
                Ok(parsed)
            }
        }
    };

    ($($body:tt)+) => {
        $crate::command!(@structs [] $($body)+);
    };
}

/// Declares a fixed-size record of parameter data (a descriptor or header) from a table
/// of its fields, with the same places as [`command!`](crate::command): the struct (docs
/// and attributes kept) and `LEN`, `parse` (fails on fewer than `LEN` bytes, reads only
/// the first `LEN`, ignores reserved bits), `read` (never fails: bytes past the end read
/// as 0, so the places are those that cannot fail, not `named` or `with`), `emit` (fails
/// without room, zeroes the `LEN` bytes, writes each field) and `buffer_len`. After the
/// table, `fixed place = value;` is a field `emit` always writes with a constant (a data
/// length) and `parse` ignores.
///
/// Four places serve parameter data beyond those of commands: `lsb_msb(lsb, msb)`, a
/// `u16` split over two bytes; `ascii(start..end)`, a space-padded ASCII `String`
/// ([`wire::ascii_at`]); `be16s(byte)`, a `[u16; N]` of big-endian values
/// ([`wire::be16s_at`]); and `record(byte)`, a record nested at `byte`, read with its
/// `read` and written with its `emit` (dropped when it does not fit).
///
/// ```
/// discburn_mmc::record! {
///     /// A made-up 6-byte descriptor.
///     #[derive(Debug, Clone, Copy, PartialEq, Eq)]
///     pub struct Extent, 6 bytes;
///     {
///         /// Start (bytes 0–3).
///         pub start: u32 = be32(0),
///         /// Valid (byte 4 bit 7).
///         pub valid: bool = bit(4, 7),
///     }
/// }
/// let e = Extent { start: 0x0102_0304, valid: true };
/// let mut b = [0xFF; 6];
/// assert_eq!(e.emit(&mut b), Ok(6));
/// assert_eq!(b, [1, 2, 3, 4, 0x80, 0]);
/// assert_eq!(Extent::parse(&b), Ok(e));
/// assert!(Extent::parse(&b[..5]).is_err());
/// assert_eq!(Extent::read(&b[..4]), Extent { valid: false, ..e });
/// ```
///
/// A parameter-data block with a view (disc or track information) is declared once
/// too: one table yields the view's accessors (after [`wire_view!`](crate::wire_view)),
/// the owned struct with its documented fields, `parse`, `emit` and `buffer_len`.
/// The header is `struct Name, at least MIN, emits LEN;` (`parse` and the view's
/// `new_checked` need `MIN` bytes; `emit` writes `LEN` bytes, more to hold the fields
/// present that end past it), then the view's docs and `view ViewName;`. A line
/// `view vis name: type = place` is a view accessor alone (a validity bit, a raw length);
/// `vis name as view_name: type = place` names the accessor differently from the field;
/// a line ending `if place` (a validity bit), `if sent` (the bytes transferred cover the
/// field) or `if place and sent` is an `Option` of its type in the struct, `None`
/// unless that holds (the view reads the raw value; `emit` sets the bit and covers the
/// field when it is `Some`). After the table, `length place from N;` is a data length
/// `emit` writes as the bytes written less `N`, and `fixed place == value, "field";` a
/// constant `parse` insists on (and `emit` writes).
///
/// ```
/// discburn_mmc::record! {
///     /// A made-up block: a length, a count split over two bytes, an optional tail.
///     #[derive(Debug, Clone, Copy, PartialEq, Eq)]
///     pub struct Block, at least 4, emits 4;
///     /// A view over a [`Block`].
///     view BlockView;
///     {
///         /// Count (byte 2 LSB, byte 3 MSB).
///         pub count: u16 = lsb_msb(2, 3),
///         /// Tail valid (byte 4 bit 0).
///         view pub tail_v: bool = bit(4, 0),
///         /// Tail (bytes 5–6) when valid and transferred.
///         pub tail: u16 = be16(5) if bit(4, 0) and sent,
///     }
///     length be16(0) from 2;
/// }
/// let b = Block { count: 0x0102, tail: None };
/// assert_eq!(b.buffer_len(), 4);
/// let mut out = [0xFF; 7];
/// assert_eq!(b.emit(&mut out), Ok(4));
/// assert_eq!(out[..4], [0, 2, 2, 1]);
/// let b = Block { tail: Some(9), ..b };
/// assert_eq!(b.emit(&mut out), Ok(7));
/// assert_eq!(out, [0, 5, 2, 1, 1, 0, 9]);
/// assert_eq!(Block::parse(&out), Ok(b));
/// assert_eq!(Block::parse(&out[..6]).unwrap().tail, None);
/// assert_eq!(BlockView::new_unchecked(&out[..]).count(), 0x0102);
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! record {
    // A table with a view, one line at a time, into the struct's fields, the view's
    // lines and what `parse`, `emit` and `buffer_len` do per field.
    (@line $head:tt $fields:tt [$($view:tt)*] $lines:tt
        $(#[$m:meta])* view $fvis:vis $field:ident : $ty:ty = $place:ident ($($arg:tt)*)
        $(, $($rest:tt)*)?
    ) => {
        $crate::record!(@line $head $fields
            [$($view)* $(#[$m])* $fvis $field: $ty = $place($($arg)*),]
            $lines $($($rest)*)?);
    };
    (@line $head:tt $fields:tt $view:tt $lines:tt
        $(#[$m:meta])* $fvis:vis $field:ident $(as $vfield:ident)? : $ty:ty
        = $place:ident ($($arg:tt)*) $(, $($rest:tt)*)?
    ) => {
        $crate::record!(@add $head $fields $view $lines
            [$(#[$m])*] [$fvis] $field [$($vfield)?] [$ty] [$place($($arg)*)] []
            $($($rest)*)?);
    };
    (@line $head:tt $fields:tt $view:tt $lines:tt
        $(#[$m:meta])* $fvis:vis $field:ident $(as $vfield:ident)? : $ty:ty
        = $place:ident ($($arg:tt)*) if sent $(, $($rest:tt)*)?
    ) => {
        $crate::record!(@add $head $fields $view $lines
            [$(#[$m])*] [$fvis] $field [$($vfield)?] [$ty] [$place($($arg)*)] [sent]
            $($($rest)*)?);
    };
    (@line $head:tt $fields:tt $view:tt $lines:tt
        $(#[$m:meta])* $fvis:vis $field:ident $(as $vfield:ident)? : $ty:ty
        = $place:ident ($($arg:tt)*) if $vplace:ident ($($varg:tt)*) $(and $sent:ident)?
        $(, $($rest:tt)*)?
    ) => {
        $crate::record!(@add $head $fields $view $lines
            [$(#[$m])*] [$fvis] $field [$($vfield)?] [$ty] [$place($($arg)*)]
            [[$vplace($($varg)*)] $($sent)?]
            $($($rest)*)?);
    };

    // The view's accessor is named after the field unless the line says otherwise.
    (@add $head:tt $fields:tt $view:tt $lines:tt $m:tt $fvis:tt $field:ident [] $($more:tt)*) => {
        $crate::record!(@add $head $fields $view $lines $m $fvis $field [$field] $($more)*);
    };
    (@add $head:tt [$($fields:tt)*] [$($view:tt)*] [$($lines:tt)*]
        [$(#[$m:meta])*] [$fvis:vis] $field:ident [$vfield:ident] [$ty:ty]
        [$place:ident ($($arg:tt)*)] $cond:tt $($rest:tt)*
    ) => {
        $crate::record!(@line $head
            [$($fields)* $(#[$m])* $fvis $field: $crate::record!(@type [$ty] $cond),]
            [$($view)* $(#[$m])* $fvis $vfield: $ty = $place($($arg)*),]
            [$($lines)* [$field [$ty] [$place($($arg)*)] $cond]]
            $($rest)*);
    };
    // Every line read: the view, the struct and its methods.
    (@line [
        [$(#[$meta:meta])*] [$vis:vis] $name:ident [$min:expr] [$emit:expr]
        [$(#[$vmeta:meta])*] $vname:ident
        [$($lplace:ident ($($larg:tt)*) $lfrom:tt)?]
        [$($xplace:ident ($($xarg:tt)*) $xvalue:tt $xname:literal)*]
    ] [$($fields:tt)*] [$($view:tt)*] [$([$field:ident $ty:tt $place:tt $cond:tt])*]) => {
        $crate::wire_view! {
            $(#[$vmeta])*
            $vis struct $vname, at least $min;
            { $($view)* }
        }

        $(#[$meta])*
        $vis struct $name {
            $($fields)*
        }

        impl $name {
            /// Parses the bytes transferred (reserved bits ignored; a field that may be
            /// absent is `None` when its validity bit is clear or it was not transferred).
            pub fn parse(buf: &[u8]) -> $crate::wire::Result<Self> {
                $crate::wire::check_len(buf, $min)?;
                $({
                    let raw = $crate::place!(get buf, u8, $xplace($($xarg)*));
                    if raw != $xvalue {
                        return Err($crate::wire::Error::Invalid {
                            field: $xname,
                            value: ::core::convert::From::from(raw),
                        });
                    }
                })*
                Ok($name {
                    $( $field: $crate::record!(@get buf $ty $place $cond), )*
                })
            }

            /// Bytes [`emit`](Self::emit) writes.
            pub fn buffer_len(&self) -> usize {
                ($emit) $( .max($crate::record!(@end self.$field $place $cond)) )*
            }

            /// Writes the block into the first [`buffer_len`](Self::buffer_len) bytes of
            /// `buf` (reserved bytes zero); returns the bytes written.
            pub fn emit(&self, buf: &mut [u8]) -> $crate::wire::Result<usize> {
                let len = self.buffer_len();
                $crate::wire::check_room(buf, len)?;
                let b = &mut buf[..len];
                b.fill(0);
                $( $crate::place!(put b, (len - $lfrom) as _, $lplace($($larg)*)); )?
                $( $crate::place!(put b, $xvalue, $xplace($($xarg)*)); )*
                $( $crate::record!(@put b self.$field $place $cond); )*
                Ok(len)
            }
        }
    };

    // What one line of a table with a view is in the struct, `parse`, `emit` and
    // `buffer_len`: a field always present, or one that may be absent (a validity bit,
    // the bytes transferred, or both).
    (@type [$ty:ty] []) => { $ty };
    (@type [$ty:ty] $cond:tt) => { ::core::option::Option<$ty> };
    (@get $b:ident [$ty:ty] [$($place:tt)*] []) => { $crate::place!(get $b, $ty, $($place)*) };
    (@get $b:ident $ty:tt $place:tt [$([$($vplace:tt)*])? $($sent:ident)?]) => {
        // `true &&` heads the one or two conditions the line has.
        if true
            $( && $crate::place!(get $b, bool, $($vplace)*) )?
            $( && $b.len() >= $crate::record!(@$sent $place) )?
        {
            ::core::option::Option::Some($crate::record!(@get $b $ty $place []))
        } else {
            ::core::option::Option::None
        }
    };
    (@put $b:ident $s:ident.$field:ident [$($place:tt)*] []) => {
        $crate::place!(put $b, $s.$field, $($place)*)
    };
    (@put $b:ident $s:ident.$field:ident [$($place:tt)*] [$([$($vplace:tt)*])? $($sent:ident)?]) => {
        if let ::core::option::Option::Some(v) = $s.$field {
            $crate::place!(put $b, v, $($place)*);
            $( $crate::place!(put $b, true, $($vplace)*); )?
        }
    };
    (@end $s:ident.$field:ident $place:tt [$([$($vplace:tt)*])? sent]) => {
        if $s.$field.is_some() { $crate::record!(@sent $place) } else { 0 }
    };
    (@end $s:ident.$field:ident $place:tt $cond:tt) => { 0 };
    (@sent [$($place:tt)*]) => { $crate::place!(end $($place)*) };

    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident, at least $min:expr, emits $emit:expr;
        $(#[$vmeta:meta])*
        view $vname:ident;
        { $($lines:tt)* }
        $(length $lplace:ident ($($larg:tt)*) from $lfrom:literal;)?
        $(fixed $xplace:ident ($($xarg:tt)*) == $xvalue:expr, $xname:literal;)*
    ) => {
        $crate::record!(@line [
            [$(#[$meta])*] [$vis] $name [$min] [$emit] [$(#[$vmeta])*] $vname
            [$($lplace($($larg)*) $lfrom)?]
            [$($xplace($($xarg)*) ($xvalue) $xname)*]
        ] [] [] [] $($lines)*);
    };
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident, $len:literal bytes;
        { $( $(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty = $place:ident ($($arg:tt)*) ),+ $(,)? }
        $(fixed $xplace:ident ($($xarg:tt)*) = $xvalue:expr;)*
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $( $(#[$fmeta])* $fvis $field: $ty, )+
        }

        impl $name {
            /// Bytes of the record.
            pub const LEN: usize = $len;

            /// Reads the record from the first [`Self::LEN`] bytes of `buf`.
            pub fn parse(buf: &[u8]) -> $crate::wire::Result<Self> {
                $crate::wire::check_len(buf, Self::LEN)?;
                Ok(Self::read(buf))
            }

            /// Reads the record from what `buf` holds of its [`Self::LEN`] bytes; the
            /// bytes missing read as 0 (the fields a shorter, older version lacks).
            pub fn read(buf: &[u8]) -> Self {
                let b = &buf[..buf.len().min(Self::LEN)];
                $name {
                    $( $field: $crate::place!(get b, $ty, $place($($arg)*)), )+
                }
            }

            /// Writes the record into the first [`Self::LEN`] bytes of `buf`.
            pub fn emit(&self, buf: &mut [u8]) -> $crate::wire::Result<usize> {
                $crate::wire::check_room(buf, Self::LEN)?;
                let b = &mut buf[..Self::LEN];
                b.fill(0);
                $( $crate::place!(put b, $xvalue, $xplace($($xarg)*)); )*
                $( $crate::place!(put b, self.$field, $place($($arg)*)); )+
                Ok(Self::LEN)
            }

            /// Always [`Self::LEN`].
            pub fn buffer_len(&self) -> usize {
                Self::LEN
            }
        }
    };
}

/// Checks opcode and length before a [`Command::parse`] reads fields.
pub fn check_cdb(cdb: &[u8], op: OpCode, len: usize) -> wire::Result<()> {
    wire::check_len(cdb, len)?;
    if OpCode::from(cdb[0]) != op {
        return Err(wire::Error::Invalid {
            field: "operation code",
            value: u64::from(cdb[0]),
        });
    }
    Ok(())
}

crate::wire_enum! {
    /// SCSI operation codes used with multimedia devices (SPC-4, MMC-6 §6).
    pub enum OpCode: u8 {
        TestUnitReady = 0x00 => "TEST UNIT READY",
        RequestSense = 0x03 => "REQUEST SENSE",
        FormatUnit = 0x04 => "FORMAT UNIT",
        Inquiry = 0x12 => "INQUIRY",
        ModeSelect6 = 0x15 => "MODE SELECT(6)",
        ModeSense6 = 0x1A => "MODE SENSE(6)",
        StartStopUnit = 0x1B => "START STOP UNIT",
        PreventAllowMediumRemoval = 0x1E => "PREVENT ALLOW MEDIUM REMOVAL",
        ReadFormatCapacities = 0x23 => "READ FORMAT CAPACITIES",
        ReadCapacity10 = 0x25 => "READ CAPACITY(10)",
        Read10 = 0x28 => "READ(10)",
        Write10 = 0x2A => "WRITE(10)",
        Seek10 = 0x2B => "SEEK(10)",
        WriteAndVerify10 = 0x2E => "WRITE AND VERIFY(10)",
        Verify10 = 0x2F => "VERIFY(10)",
        SynchronizeCache10 = 0x35 => "SYNCHRONIZE CACHE(10)",
        ReadBuffer = 0x3C => "READ BUFFER",
        ReadSubChannel = 0x42 => "READ SUB-CHANNEL",
        ReadTocPmaAtip = 0x43 => "READ TOC/PMA/ATIP",
        GetConfiguration = 0x46 => "GET CONFIGURATION",
        GetEventStatusNotification = 0x4A => "GET EVENT STATUS NOTIFICATION",
        ReadDiscInformation = 0x51 => "READ DISC INFORMATION",
        ReadTrackInformation = 0x52 => "READ TRACK INFORMATION",
        ReserveTrack = 0x53 => "RESERVE TRACK",
        SendOpcInformation = 0x54 => "SEND OPC INFORMATION",
        ModeSelect10 = 0x55 => "MODE SELECT(10)",
        RepairTrack = 0x58 => "REPAIR TRACK",
        ModeSense10 = 0x5A => "MODE SENSE(10)",
        CloseTrackSession = 0x5B => "CLOSE TRACK/SESSION",
        ReadBufferCapacity = 0x5C => "READ BUFFER CAPACITY",
        SendCueSheet = 0x5D => "SEND CUE SHEET",
        ReportLuns = 0xA0 => "REPORT LUNS",
        Blank = 0xA1 => "BLANK",
        SecurityProtocolIn = 0xA2 => "SECURITY PROTOCOL IN",
        SendKey = 0xA3 => "SEND KEY",
        ReportKey = 0xA4 => "REPORT KEY",
        LoadUnloadMedium = 0xA6 => "LOAD/UNLOAD MEDIUM",
        SetReadAhead = 0xA7 => "SET READ AHEAD",
        Read12 = 0xA8 => "READ(12)",
        Write12 = 0xAA => "WRITE(12)",
        ReadMediaSerialNumber = 0xAB => "READ MEDIA SERIAL NUMBER",
        GetPerformance = 0xAC => "GET PERFORMANCE",
        ReadDiscStructure = 0xAD => "READ DISC STRUCTURE",
        SecurityProtocolOut = 0xB5 => "SECURITY PROTOCOL OUT",
        SetStreaming = 0xB6 => "SET STREAMING",
        ReadCdMsf = 0xB9 => "READ CD MSF",
        Scan = 0xBA => "SCAN",
        SetCdSpeed = 0xBB => "SET CD SPEED",
        MechanismStatus = 0xBD => "MECHANISM STATUS",
        ReadCd = 0xBE => "READ CD",
        SendDiscStructure = 0xBF => "SEND DISC STRUCTURE",
        /// Any other operation code, kept as received.
        Unknown => "UNKNOWN COMMAND",
    }
}

/// How long a command passed through to a real drive may take, when the host that sent
/// it over the network gave no timeout (an iSCSI target exporting a local drive): the
/// steps the drive cannot hurry — FORMAT UNIT (its Immed bit is in the parameter list,
/// not the CDB), and BLANK, CLOSE TRACK/SESSION and SYNCHRONIZE CACHE without Immed — an
/// hour, as a full BD-RE format or a DVD-R close takes tens of minutes (MMC-6 §6.5, §6.3,
/// §6.41 leave the time to the drive); loading and OPC a few minutes; everything else
/// 200 s, enough for a drive's own error recovery on one READ or WRITE.
pub fn pass_through_timeout(cdb: &[u8]) -> core::time::Duration {
    use core::time::Duration;
    let Some(&op) = cdb.first() else {
        return Duration::from_secs(200);
    };
    let immed = |byte: usize, bit: u8| cdb.get(byte).is_some_and(|b| b & (1 << bit) != 0);
    let long = Duration::from_secs(3600);
    let short = Duration::from_secs(200);
    match OpCode::from(op) {
        OpCode::FormatUnit => long,
        OpCode::Blank if !immed(1, 4) => long,
        OpCode::CloseTrackSession if !immed(1, 0) => long,
        OpCode::SynchronizeCache10 if !immed(1, 1) => long,
        OpCode::StartStopUnit | OpCode::LoadUnloadMedium | OpCode::SendOpcInformation => {
            Duration::from_secs(300)
        }
        _ => short,
    }
}

/// What every command family's tests share.
#[cfg(test)]
pub(crate) mod testing {
    use super::Command;

    /// `c` emits a CDB of its length and opcode that parses back to `c`.
    pub(crate) fn round_trip<C: Command + PartialEq + core::fmt::Debug>(c: C) {
        let cdb = c.emit();
        assert_eq!(cdb.as_bytes().len(), C::LEN);
        assert_eq!(cdb.opcode(), C::OPCODE);
        assert_eq!(C::parse(cdb.as_bytes()).unwrap(), c);
    }

    /// Runs the `parse` of every listed command or parameter-data type on the same bytes,
    /// for the never-panic property tests: any parser that panics on hostile bytes fails.
    macro_rules! parse_each {
        ($bytes:expr => $($ty:ty),+ $(,)?) => {{
            let bytes: &[u8] = $bytes;
            $( let _ = <$ty>::parse(bytes); )+
        }};
    }
    pub(crate) use parse_each;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_through_gives_the_slow_steps_an_hour_unless_immed() {
        let pad = |head: &[u8]| {
            let mut c = head.to_vec();
            c.resize(10, 0);
            c
        };
        for (cdb, secs, what) in [
            (pad(&[0x04, 0x11]), 3600, "FORMAT UNIT"),
            (pad(&[0xA1, 0x01]), 3600, "BLANK"),
            (pad(&[0xA1, 0x11]), 200, "BLANK Immed"),
            (pad(&[0x5B, 0x00, 0x02]), 3600, "CLOSE SESSION"),
            (pad(&[0x5B, 0x01, 0x02]), 200, "CLOSE Immed"),
            (pad(&[0x35]), 3600, "SYNCHRONIZE CACHE"),
            (pad(&[0x35, 0x02]), 200, "SYNCHRONIZE CACHE Immed"),
            (pad(&[0x1B, 0, 0, 0, 0x02]), 300, "eject"),
            (pad(&[0x2A, 0, 0, 0, 0, 0, 0, 0, 32]), 200, "WRITE(10)"),
            (vec![], 200, "no CDB"),
            (vec![0x5B], 3600, "a short CDB reads as no Immed"),
        ] {
            assert_eq!(pass_through_timeout(&cdb).as_secs(), secs, "{what}");
        }
    }

    #[test]
    fn opcode_round_trips_every_byte() {
        for v in 0..=255u8 {
            assert_eq!(u8::from(OpCode::from(v)), v);
        }
        assert_eq!(OpCode::from(0xAA), OpCode::Write12);
        assert_eq!(OpCode::Write12.name(), "WRITE(12)");
    }

    #[test]
    fn cdb_container() {
        let c = Cdb::new(OpCode::Write10, 10);
        assert_eq!(c.as_bytes(), &[0x2A, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(format!("{c:?}"), "WRITE(10)[2a 00 00 00 00 00 00 00 00 00]");
        assert!(Cdb::from_bytes(&[0; 5]).is_err());
        assert!(Cdb::from_bytes(&[0; 17]).is_err());
        assert_eq!(
            Cdb::from_bytes(&[0x00; 6]).unwrap().opcode(),
            OpCode::TestUnitReady
        );
        assert!(check_cdb(&[0x2A, 0, 0], OpCode::Write10, 10).is_err());
        assert!(check_cdb(&[0x28; 10], OpCode::Write10, 10).is_err());
    }
}
