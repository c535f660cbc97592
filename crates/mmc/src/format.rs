//! Formatting and erasing: FORMAT UNIT with its parameter list, READ FORMAT CAPACITIES
//! and its capacity list, and BLANK (MMC-6 §6.5, §6.24, §6.2).
//!
//! CDBs are [`Command`]s: `parse` checks opcode and length and rejects reserved code
//! values in defined fields, so the virtual recorder can answer those with ILLEGAL
//! REQUEST / INVALID FIELD IN CDB; reserved bits are ignored.
//!
//! Parameter data follows the crate's contract (see [`crate::wire`]): views never panic,
//! `parse` reads only the bytes transferred and caps the capacity list by the bytes
//! present, whatever the capacity list length claims.
//!
//! A host formats by reading the formattable capacities, picking a descriptor and
//! echoing it back:
//!
//! ```
//! use discburn_mmc::format::{FormatCapacities, FormatParameterList, FormatType};
//!
//! // A blank DVD+RW: unformatted, 2,295,104 blocks, one DVD+RW basic format (26h).
//! let data = [
//!     0, 0, 0, 16, // capacity list header: 16 bytes of descriptors
//!     0x00, 0x23, 0x05, 0x40, 0x01, 0x00, 0x08, 0x00, // current/maximum: unformatted
//!     0x00, 0x23, 0x05, 0x40, 0x98, 0x00, 0x00, 0x00, // formattable: type 26h
//! ];
//! let caps = FormatCapacities::parse(&data)?;
//! let basic = caps
//!     .formattable
//!     .iter()
//!     .find(|d| d.format_type == FormatType::DvdPlusRwBasic)
//!     .unwrap();
//! let list = FormatParameterList::immediate(basic.to_format_descriptor());
//! let mut buf = [0u8; FormatParameterList::LEN];
//! list.emit(&mut buf)?;
//! assert_eq!(buf, [0, 0x02, 0, 8, 0x00, 0x23, 0x05, 0x40, 0x98, 0, 0, 0]);
//! # Ok::<(), discburn_mmc::wire::Error>(())
//! ```
//!
//! [`Command`]: crate::Command

use crate::wire::{self, check_room};

fn invalid(field: &'static str, value: impl Into<u64>) -> wire::Error {
    wire::Error::Invalid {
        field,
        value: value.into(),
    }
}

// ---------------------------------------------------------------------------------------
// FORMAT UNIT
// ---------------------------------------------------------------------------------------

/// The only Format Code MMC defines (CDB byte 1 bits 0-2).
const FORMAT_CODE: u8 = 0x01;

crate::command! {
    /// MMC-6 §6.5 FORMAT UNIT (04h). The parameter list ([`FormatParameterList`]) follows in
    /// the data-out phase when `fmt_data` is set, which MMC-6 requires.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct FormatUnit: OpCode::FormatUnit, 6 bytes;
    {
        /// FmtData (byte 1 bit 4): a parameter list is sent.
        pub fmt_data: bool = bit(1, 4),
        /// CmpList (byte 1 bit 3): replace the grown defect list (DVD-RAM, BD-RE).
        pub cmp_list: bool = bit(1, 3),
    }
    fixed bits(1, 0x07 << 0) == FORMAT_CODE, "format code";
}

impl FormatUnit {
    /// FmtData = 1, CmpList = 0, format code 1: what hosts send before the 12-byte list.
    pub fn new() -> Self {
        FormatUnit {
            fmt_data: true,
            cmp_list: false,
        }
    }
}

impl Default for FormatUnit {
    fn default() -> Self {
        Self::new()
    }
}

crate::wire_enum! {
    /// Format Type (MMC-6 §6.5.4.2, Table 213): a 6-bit field of the format
    /// descriptor and of formattable capacity descriptors.
    pub enum FormatType: u8 & 0x3F {
        /// 00h: full format (DVD-RAM, DVD-RW restricted overwrite, BD-RE default).
        Full = 0x00 => "Full Format",
        /// 01h: spare area expansion (DVD-RAM, BD-RE).
        SpareAreaExpansion = 0x01 => "Spare Area Expansion",
        /// 04h: DVD-RAM zone reformat.
        ZoneReformat = 0x04 => "Zone Reformat",
        /// 05h: DVD-RAM zone format.
        ZoneFormat = 0x05 => "Zone Format",
        /// 10h: CD-RW/DVD-RW full format (DVD-RW to restricted overwrite).
        RwFull = 0x10 => "CD-RW/DVD-RW Full Format",
        /// 11h: CD-RW/DVD-RW grow session.
        RwGrowSession = 0x11 => "CD-RW/DVD-RW Grow Session",
        /// 12h: CD-RW/DVD-RW add session.
        RwAddSession = 0x12 => "CD-RW/DVD-RW Add Session",
        /// 13h: DVD-RW quick grow the last session.
        DvdRwQuickGrowLastSession = 0x13 => "DVD-RW Quick Grow the Last Session",
        /// 14h: DVD-RW quick add session.
        DvdRwQuickAddSession = 0x14 => "DVD-RW Quick Add Session",
        /// 15h: DVD-RW quick (intermediate state; growisofs' "quick format").
        DvdRwQuick = 0x15 => "DVD-RW Quick",
        /// 20h: full format with sparing parameters (MRW).
        FullWithSparing = 0x20 => "Full Format with Sparing Parameters",
        /// 24h: MRW format (CD-RW/DVD+RW Mount Rainier).
        Mrw = 0x24 => "MRW Format",
        /// 26h: DVD+RW basic format (background formatting).
        DvdPlusRwBasic = 0x26 => "DVD+RW Basic Format",
        /// 30h: BD-RE full format with spare areas.
        BdReWithSpares = 0x30 => "BD-RE Full Format with Spare Areas",
        /// 31h: BD-RE full format without spare areas.
        BdReWithoutSpares = 0x31 => "BD-RE Full Format without Spare Areas",
        /// 32h: BD-R full format with spare areas (switches BD-R to RRM/POW spares).
        BdRWithSpares = 0x32 => "BD-R Full Format with Spare Areas",
        /// Any other value (6 bits), kept as received.
        Unknown => "unknown format type",
    }
}

crate::record! {
    /// The 8-byte format descriptor (MMC-6 §6.5.4.2): what FORMAT UNIT is to do. Same layout
    /// as a formattable capacity descriptor with the sub-type in place of the reserved bits.
    /// [`emit`](Self::emit) masks the sub-type to 2 bits and the parameter to 24.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct FormatDescriptor, 8 bytes;
    {
        /// Number of Blocks (bytes 0-3); FFFFFFFFh asks for the maximum.
        pub number_of_blocks: u32 = be32(0),
        /// Format Type (byte 4 bits 2-7).
        pub format_type: FormatType = from(bits(4, 0x3F << 2)),
        /// Format Sub-type (byte 4 bits 0-1): e.g. BD-RE certification choice.
        pub subtype: u8 = bits(4, 0x03 << 0),
        /// Type Dependent Parameter (bytes 5-7, 24 bits): block length, spare size or
        /// zero, depending on the format type.
        pub type_dependent: u32 = be24(5),
    }
}

crate::record! {
    /// The FORMAT UNIT parameter list (MMC-6 §6.5.3): a 4-byte format list header and one
    /// 8-byte format descriptor. `parse` needs the 12 bytes and fails when the format
    /// descriptor length is not 8 (the drive answers 5/26/00 to that).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct FormatParameterList, at least FormatParameterList::LEN,
        emits FormatParameterList::LEN;
    /// A view of the FORMAT UNIT parameter list (MMC-6 §6.5.3). Accessors never panic.
    view FormatParameterListView;
    {
        /// FOV (byte 1 bit 7): format options valid, the DCRT and IP bits are valid.
        pub fov: bool = bit(1, 7),
        /// DCRT (byte 1 bit 5): disable certification.
        pub dcrt: bool = bit(1, 5),
        /// IP (byte 1 bit 3): initialization pattern (MMC drives do not use one).
        pub ip: bool = bit(1, 3),
        /// Immed (byte 1 bit 1): return status once the list is validated, before the
        /// format completes; progress is then polled with REQUEST SENSE / TEST UNIT READY.
        pub immed: bool = bit(1, 1),
        /// Format Descriptor Length (bytes 2-3); MMC-6 requires 8.
        view pub descriptor_length: u16 = be16(2),
        /// The format descriptor (bytes 4-11).
        pub descriptor: FormatDescriptor = record(4),
        /// Number of Blocks of the format descriptor (bytes 4-7).
        view pub number_of_blocks: u32 = be32(4),
        /// Format Type of the format descriptor (byte 8 bits 2-7).
        view pub format_type: FormatType = from(bits(8, 0x3F << 2)),
        /// Format Sub-type of the format descriptor (byte 8 bits 0-1).
        view pub subtype: u8 = bits(8, 0x03 << 0),
        /// Type Dependent Parameter of the format descriptor (bytes 9-11).
        view pub type_dependent: u32 = be24(9),
    }
    fixed be16(2) == FormatDescriptor::LEN as u16, "format descriptor length";
}

impl FormatParameterList {
    /// Length of the list: header plus one descriptor.
    pub const LEN: usize = 12;

    /// The list with only Immed set: how hosts start a format and then poll its progress.
    pub fn immediate(descriptor: FormatDescriptor) -> Self {
        FormatParameterList {
            fov: false,
            dcrt: false,
            ip: false,
            immed: true,
            descriptor,
        }
    }
}

// ---------------------------------------------------------------------------------------
// READ FORMAT CAPACITIES
// ---------------------------------------------------------------------------------------

crate::command! {
    /// MMC-6 §6.24 READ FORMAT CAPACITIES (23h).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct ReadFormatCapacities: OpCode::ReadFormatCapacities, 10 bytes;
    {
        /// Allocation Length (bytes 7-8).
        pub alloc: u16 = be16(7),
    }
}

impl ReadFormatCapacities {
    /// An allocation length that holds the longest possible capacity list (252 bytes).
    pub fn all() -> Self {
        ReadFormatCapacities {
            alloc: FormatCapacities::MAX_LEN as u16,
        }
    }
}

crate::wire_enum! {
    /// Descriptor Type of the current/maximum capacity descriptor (MMC-6 §6.24.3.2,
    /// byte 4 bits 0-1).
    pub enum CapacityDescriptorType: u8 & 0x03 exhaustive {
        /// 00b: reserved.
        Reserved = 0 => "reserved",
        /// 01b: unformatted or blank medium; the blocks are the maximum formattable capacity.
        Unformatted = 1 => "unformatted or blank media",
        /// 10b: formatted medium; the blocks are the current capacity.
        Formatted = 2 => "formatted media",
        /// 11b: no medium; the blocks are the largest capacity the drive can format.
        NoMedia = 3 => "no media present",
    }
}

crate::record! {
    /// The current/maximum capacity descriptor (MMC-6 §6.24.3.2).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct CapacityDescriptor, 8 bytes;
    {
        /// Number of Blocks (bytes 0-3).
        pub number_of_blocks: u32 = be32(0),
        /// Descriptor Type (byte 4 bits 0-1).
        pub descriptor_type: CapacityDescriptorType = from(bits(4, 0x03 << 0)),
        /// Block Length (bytes 5-7), 2048 on optical media.
        pub block_length: u32 = be24(5),
    }
}

crate::record! {
    /// A formattable capacity descriptor (MMC-6 §6.24.3.3): one format the medium accepts.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct FormattableCapacity, 8 bytes;
    {
        /// Number of Blocks (bytes 0-3).
        pub number_of_blocks: u32 = be32(0),
        /// Format Type (byte 4 bits 2-7).
        pub format_type: FormatType = from(bits(4, 0x3F << 2)),
        /// Type Dependent Parameter (bytes 5-7).
        pub type_dependent: u32 = be24(5),
    }
}

impl FormattableCapacity {
    /// The format descriptor that asks for exactly this format (sub-type 0): hosts echo
    /// the descriptor back in the FORMAT UNIT parameter list.
    pub fn to_format_descriptor(&self) -> FormatDescriptor {
        FormatDescriptor {
            number_of_blocks: self.number_of_blocks,
            format_type: self.format_type,
            subtype: 0,
            type_dependent: self.type_dependent,
        }
    }
}

/// Byte offsets of READ FORMAT CAPACITIES data (MMC-6 §6.24.3).
mod caps {
    pub const LIST_LENGTH: usize = 3;
    pub const CURRENT: usize = 4;
    pub const FORMATTABLE: usize = 12;
    pub const DESCRIPTOR_LEN: usize = 8;
}

crate::wire_view! {
    /// A view of READ FORMAT CAPACITIES data (MMC-6 §6.24.3): capacity list header, the
    /// current/maximum capacity descriptor, then formattable capacity descriptors.
    /// Accessors never panic.
    pub struct FormatCapacitiesView, at least caps::FORMATTABLE;
    {
        /// Capacity List Length (byte 3): descriptor bytes the drive claims follow.
        pub list_length: u8 = u8(caps::LIST_LENGTH),
        /// The current/maximum capacity descriptor (bytes 4-11; missing bytes read as 0).
        pub current: CapacityDescriptor = record(caps::CURRENT),
    }
}

impl<T: AsRef<[u8]>> FormatCapacitiesView<T> {
    /// Number of formattable capacity descriptors both claimed by the list length and
    /// wholly present in the buffer.
    pub fn formattable_count(&self) -> usize {
        let claimed = usize::from(self.list_length()) / caps::DESCRIPTOR_LEN;
        let present =
            self.buffer.as_ref().len().saturating_sub(caps::CURRENT) / caps::DESCRIPTOR_LEN;
        claimed.min(present).saturating_sub(1)
    }
    /// The `i`th formattable capacity descriptor, if counted by
    /// [`formattable_count`](Self::formattable_count).
    pub fn formattable(&self, i: usize) -> Option<FormattableCapacity> {
        if i >= self.formattable_count() {
            return None;
        }
        let at = caps::FORMATTABLE + i * caps::DESCRIPTOR_LEN;
        self.buffer
            .as_ref()
            .get(at..)
            .map(FormattableCapacity::read)
    }
}

/// READ FORMAT CAPACITIES data (MMC-6 §6.24.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FormatCapacities {
    /// The current/maximum capacity descriptor: what the medium holds now (formatted),
    /// could hold (unformatted), or what the drive can format (no medium).
    pub current: CapacityDescriptor,
    /// The formats the medium accepts, in the drive's order.
    pub formattable: Vec<FormattableCapacity>,
}

impl FormatCapacities {
    /// Most formattable capacity descriptors the one-byte list length can describe.
    pub const MAX_FORMATTABLE: usize = 30;
    /// Longest capacity list: header, current descriptor, 30 formattable descriptors.
    pub const MAX_LEN: usize = caps::FORMATTABLE + Self::MAX_FORMATTABLE * caps::DESCRIPTOR_LEN;

    /// Parses the data as transferred. Fails when fewer than 12 bytes arrived or the
    /// capacity list length is under 8 (no current/maximum descriptor); descriptors the
    /// length claims but the buffer lacks are dropped.
    pub fn parse(buf: &[u8]) -> wire::Result<Self> {
        let v = FormatCapacitiesView::new_checked(buf)?;
        if usize::from(v.list_length()) < caps::DESCRIPTOR_LEN {
            return Err(invalid("capacity list length", v.list_length()));
        }
        let formattable = (0..v.formattable_count())
            .filter_map(|i| v.formattable(i))
            .collect();
        Ok(FormatCapacities {
            current: v.current(),
            formattable,
        })
    }

    /// Bytes [`FormatCapacities::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        caps::FORMATTABLE + self.formattable.len() * caps::DESCRIPTOR_LEN
    }

    /// Writes the capacity list; fails with more than 30 formattable descriptors, which
    /// the one-byte list length cannot describe.
    pub fn emit(&self, buf: &mut [u8]) -> wire::Result<usize> {
        if self.formattable.len() > Self::MAX_FORMATTABLE {
            return Err(invalid(
                "formattable capacity descriptor count",
                self.formattable.len() as u64,
            ));
        }
        let len = self.buffer_len();
        check_room(buf, len)?;
        let buf = &mut buf[..len];
        buf[..caps::CURRENT].fill(0);
        buf[caps::LIST_LENGTH] = (len - caps::CURRENT) as u8;
        self.current.emit(&mut buf[caps::CURRENT..])?;
        for (i, d) in self.formattable.iter().enumerate() {
            d.emit(&mut buf[caps::FORMATTABLE + i * caps::DESCRIPTOR_LEN..])?;
        }
        Ok(len)
    }
}

// ---------------------------------------------------------------------------------------
// BLANK
// ---------------------------------------------------------------------------------------

crate::wire_enum! {
    /// Blanking Type of BLANK (MMC-6 §6.2.2, Table 16, CDB byte 1 bits 0-2).
    pub enum BlankingType: u8 {
        /// 000b: blank the whole disc.
        Full = 0 => "Blank the disc",
        /// 001b: minimally blank: PMA, TOC and the first track's pregap (CD-RW), lead-in
        /// (DVD-RW) — the fast erase.
        Minimal = 1 => "Minimally blank the disc",
        /// 010b: blank the track given by the address.
        Track = 2 => "Blank a track",
        /// 011b: unreserve the last reserved, unwritten track.
        UnreserveTrack = 3 => "Un-reserve a track",
        /// 100b: blank the tail of a track from the address.
        TrackTail = 4 => "Blank a track tail",
        /// 101b: unclose the last session (make it appendable again).
        UncloseLastSession = 5 => "Unclose the last session",
        /// 110b: erase the last session.
        EraseSession = 6 => "Blank a session",
    }
}

impl BlankingType {
    /// The field's value.
    pub fn code(self) -> u8 {
        self.into()
    }

    /// The type for a field value; `None` for 7 (reserved) and anything wider.
    pub fn from_code(v: u8) -> Option<Self> {
        Self::try_from(v).ok()
    }
}

crate::command! {
    /// MMC-6 §6.2 BLANK (A1h): erase CD-RW / DVD-RW media.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Blank: OpCode::Blank, 12 bytes;
    {
        /// Immed (byte 1 bit 4): return at once; poll progress with REQUEST SENSE.
        pub immed: bool = bit(1, 4),
        /// Blanking Type (byte 1 bits 0-2).
        pub blanking_type: BlankingType = named(bits(1, 0x07 << 0), "blanking type"),
        /// Start Address / Logical Track Number (bytes 2-5), for the track types.
        pub address: u32 = be32(2),
    }
}

impl Blank {
    /// Blank the whole disc.
    pub fn full(immed: bool) -> Self {
        Blank {
            immed,
            blanking_type: BlankingType::Full,
            address: 0,
        }
    }

    /// Minimally blank the disc (fast erase).
    pub fn minimal(immed: bool) -> Self {
        Blank {
            immed,
            blanking_type: BlankingType::Minimal,
            address: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Command;
    use proptest::prelude::*;

    #[test]
    fn format_unit_cdb() {
        let c = FormatUnit::new();
        assert_eq!(c.emit().as_bytes(), &[0x04, 0x11, 0, 0, 0, 0]);
        assert_eq!(FormatUnit::parse(&[0x04, 0x11, 0, 0, 0, 0]).unwrap(), c);
        let cmp = FormatUnit {
            fmt_data: true,
            cmp_list: true,
        };
        assert_eq!(cmp.emit().as_bytes(), &[0x04, 0x19, 0, 0, 0, 0]);
        assert_eq!(FormatUnit::parse(&[0x04, 0x19, 0, 0, 0, 0]).unwrap(), cmp);
        assert_eq!(FormatUnit::default(), c);
        // Format codes other than 001b are reserved.
        for code in [0u8, 2, 7] {
            assert!(matches!(
                FormatUnit::parse(&[0x04, 0x10 | code, 0, 0, 0, 0]),
                Err(wire::Error::Invalid {
                    field: "format code",
                    ..
                })
            ));
        }
        assert!(FormatUnit::parse(&[0x04, 0x11, 0, 0, 0]).is_err());
        assert!(FormatUnit::parse(&[0x03, 0x11, 0, 0, 0, 0]).is_err());
    }

    #[test]
    fn format_parameter_list_dvd_plus_rw_basic() {
        // What growisofs/libburn send to start background formatting of a DVD+RW: Immed,
        // maximum capacity, type 26h.
        let raw = [
            0x00, 0x02, 0x00, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0x98, 0x00, 0x00, 0x00,
        ];
        let v = FormatParameterListView::new_checked(&raw[..]).unwrap();
        assert!(v.immed() && !v.fov() && !v.dcrt() && !v.ip());
        assert_eq!(v.descriptor_length(), 8);
        assert_eq!(v.number_of_blocks(), u32::MAX);
        assert_eq!(v.format_type(), FormatType::DvdPlusRwBasic);
        assert_eq!((v.subtype(), v.type_dependent()), (0, 0));
        let list = FormatParameterList::parse(&raw).unwrap();
        let want = FormatParameterList::immediate(FormatDescriptor {
            number_of_blocks: u32::MAX,
            format_type: FormatType::DvdPlusRwBasic,
            subtype: 0,
            type_dependent: 0,
        });
        assert_eq!(list, want);
        let mut out = [0xEE; 12];
        assert_eq!(want.emit(&mut out).unwrap(), 12);
        assert_eq!(out, raw);
    }

    #[test]
    fn format_parameter_list_bd_re_with_spares() {
        // FOV + DCRT + Immed; BD-RE full format with spares, sub-type 2, 11,826,176
        // blocks, spare size 0x060000.
        let list = FormatParameterList {
            fov: true,
            dcrt: true,
            ip: false,
            immed: true,
            descriptor: FormatDescriptor {
                number_of_blocks: 11_826_176,
                format_type: FormatType::BdReWithSpares,
                subtype: 2,
                type_dependent: 0x06_0000,
            },
        };
        let mut out = [0u8; 12];
        list.emit(&mut out).unwrap();
        assert_eq!(
            out,
            [0x00, 0xA2, 0x00, 0x08, 0x00, 0xB4, 0x74, 0x00, 0xC2, 0x06, 0x00, 0x00]
        );
        assert_eq!(FormatParameterList::parse(&out).unwrap(), list);
        let ip = [0x00, 0x08, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 0];
        assert!(FormatParameterList::parse(&ip).unwrap().ip);
    }

    #[test]
    fn format_parameter_list_rejects() {
        let mut raw = [
            0x00, 0x02, 0x00, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0x98, 0x00, 0x00, 0x00,
        ];
        assert!(matches!(
            FormatParameterList::parse(&raw[..11]),
            Err(wire::Error::Truncated {
                needed: 12,
                available: 11
            })
        ));
        raw[3] = 0x10;
        assert!(matches!(
            FormatParameterList::parse(&raw),
            Err(wire::Error::Invalid {
                field: "format descriptor length",
                value: 0x10
            })
        ));
        let mut small = [0u8; 11];
        assert!(matches!(
            FormatParameterList::immediate(FormatDescriptor::parse(&[0; 8]).unwrap())
                .emit(&mut small),
            Err(wire::Error::BufferTooSmall { .. })
        ));
    }

    #[test]
    fn format_types() {
        let table: &[(u8, FormatType, &str)] = &[
            (0x00, FormatType::Full, "Full Format"),
            (0x01, FormatType::SpareAreaExpansion, "Spare Area Expansion"),
            (0x10, FormatType::RwFull, "CD-RW/DVD-RW Full Format"),
            (0x11, FormatType::RwGrowSession, "CD-RW/DVD-RW Grow Session"),
            (
                0x13,
                FormatType::DvdRwQuickGrowLastSession,
                "DVD-RW Quick Grow the Last Session",
            ),
            (0x15, FormatType::DvdRwQuick, "DVD-RW Quick"),
            (0x24, FormatType::Mrw, "MRW Format"),
            (0x26, FormatType::DvdPlusRwBasic, "DVD+RW Basic Format"),
            (
                0x30,
                FormatType::BdReWithSpares,
                "BD-RE Full Format with Spare Areas",
            ),
            (
                0x31,
                FormatType::BdReWithoutSpares,
                "BD-RE Full Format without Spare Areas",
            ),
            (
                0x32,
                FormatType::BdRWithSpares,
                "BD-R Full Format with Spare Areas",
            ),
        ];
        for &(v, t, name) in table {
            assert_eq!(FormatType::from(v), t);
            assert_eq!(u8::from(t), v);
            assert_eq!(t.name(), name);
        }
        assert_eq!(FormatType::from(0x3F), FormatType::Unknown(0x3F));
        assert_eq!(FormatType::from(0xC0 | 0x26), FormatType::DvdPlusRwBasic);
        for v in 0..64u8 {
            assert_eq!(u8::from(FormatType::from(v)), v);
        }
    }

    #[test]
    fn read_format_capacities_cdb() {
        let c = ReadFormatCapacities::all();
        assert_eq!(
            c.emit().as_bytes(),
            &[0x23, 0, 0, 0, 0, 0, 0, 0x00, 0xFC, 0]
        );
        assert_eq!(ReadFormatCapacities::parse(c.emit().as_bytes()).unwrap(), c);
        assert!(ReadFormatCapacities::parse(&[0x23, 0, 0, 0, 0, 0, 0, 0, 0xFC]).is_err());
        assert_eq!(FormatCapacities::MAX_LEN, 252);
    }

    fn bd_re_blank() -> [u8; 36] {
        [
            0x00, 0x00, 0x00, 0x20, // header: four descriptors
            0x00, 0xBA, 0x74, 0x00, 0x01, 0x00, 0x08, 0x00, // unformatted, 12,219,392 x 2048
            0x00, 0xB4, 0x74, 0x00, 0xC0, 0x06, 0x00, 0x00, // 30h with spares
            0x00, 0xBA, 0x74, 0x00, 0xC4, 0x00, 0x00, 0x00, // 31h without spares
            0x00, 0xB4, 0x74, 0x00, 0x00, 0x00, 0x08, 0x00, // 00h full, block length 2048
        ]
    }

    #[test]
    fn format_capacities_deconstruct() {
        let raw = bd_re_blank();
        let v = FormatCapacitiesView::new_checked(&raw[..]).unwrap();
        assert_eq!(v.list_length(), 32);
        assert_eq!(v.formattable_count(), 3);
        assert_eq!(
            v.current(),
            CapacityDescriptor {
                number_of_blocks: 12_219_392,
                descriptor_type: CapacityDescriptorType::Unformatted,
                block_length: 2048,
            }
        );
        assert_eq!(v.formattable(3), None);
        let caps = FormatCapacities::parse(&raw).unwrap();
        assert_eq!(
            caps.formattable,
            vec![
                FormattableCapacity {
                    number_of_blocks: 11_826_176,
                    format_type: FormatType::BdReWithSpares,
                    type_dependent: 0x06_0000,
                },
                FormattableCapacity {
                    number_of_blocks: 12_219_392,
                    format_type: FormatType::BdReWithoutSpares,
                    type_dependent: 0,
                },
                FormattableCapacity {
                    number_of_blocks: 11_826_176,
                    format_type: FormatType::Full,
                    type_dependent: 2048,
                },
            ]
        );
        let mut out = [0u8; 36];
        assert_eq!(caps.buffer_len(), 36);
        assert_eq!(caps.emit(&mut out).unwrap(), 36);
        assert_eq!(out, raw);
        assert_eq!(
            caps.formattable[0].to_format_descriptor(),
            FormatDescriptor {
                number_of_blocks: 11_826_176,
                format_type: FormatType::BdReWithSpares,
                subtype: 0,
                type_dependent: 0x06_0000,
            }
        );
    }

    #[test]
    fn format_capacities_bounded() {
        let raw = bd_re_blank();
        // Truncated transfer: only whole descriptors present count.
        assert_eq!(
            FormatCapacities::parse(&raw[..27])
                .unwrap()
                .formattable
                .len(),
            1
        );
        assert_eq!(
            FormatCapacities::parse(&raw[..12])
                .unwrap()
                .formattable
                .len(),
            0
        );
        // A list length claiming more than transferred is capped by the buffer.
        let mut long = raw;
        long[3] = 0xF8;
        assert_eq!(FormatCapacities::parse(&long).unwrap().formattable.len(), 3);
        // A list length claiming less hides the rest.
        let mut short = raw;
        short[3] = 0x10;
        assert_eq!(
            FormatCapacities::parse(&short).unwrap().formattable.len(),
            1
        );
        // No current descriptor, or too few bytes.
        let mut none = raw;
        none[3] = 4;
        assert!(matches!(
            FormatCapacities::parse(&none),
            Err(wire::Error::Invalid {
                field: "capacity list length",
                value: 4
            })
        ));
        assert!(FormatCapacities::parse(&raw[..11]).is_err());
        // No medium: the drive's maximum.
        let nomedia = [0, 0, 0, 8, 0x00, 0x23, 0x05, 0x40, 0x03, 0x00, 0x08, 0x00];
        let c = FormatCapacities::parse(&nomedia).unwrap();
        assert_eq!(c.current.descriptor_type, CapacityDescriptorType::NoMedia);
        assert!(c.formattable.is_empty());
        // Too many descriptors to describe.
        let many = FormatCapacities {
            current: c.current,
            formattable: vec![FormattableCapacity::read(&[0; 8]); 31],
        };
        assert!(many.emit(&mut [0u8; 512]).is_err());
    }

    #[test]
    fn blank_cdb() {
        let c = Blank::minimal(true);
        assert_eq!(
            c.emit().as_bytes(),
            &[0xA1, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(Blank::parse(c.emit().as_bytes()).unwrap(), c);
        assert_eq!(Blank::full(false).emit().as_bytes()[1], 0x00);
        let track = Blank {
            immed: false,
            blanking_type: BlankingType::Track,
            address: 0x0102_0304,
        };
        assert_eq!(
            track.emit().as_bytes(),
            &[0xA1, 0x02, 0x01, 0x02, 0x03, 0x04, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            Blank::parse(&[0xA1, 0x16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
                .unwrap()
                .blanking_type,
            BlankingType::EraseSession
        );
        assert!(matches!(
            Blank::parse(&[0xA1, 0x07, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            Err(wire::Error::Invalid {
                field: "blanking type",
                value: 7
            })
        ));
        assert!(Blank::parse(&[0xA1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).is_err());
        for v in 0..7u8 {
            let t = BlankingType::from_code(v).unwrap();
            assert_eq!(t.code(), v);
            assert!(!t.name().is_empty());
        }
        assert_eq!(
            BlankingType::UncloseLastSession.name(),
            "Unclose the last session"
        );
    }

    fn arb_format_type() -> impl Strategy<Value = FormatType> {
        (0u8..64).prop_map(FormatType::from)
    }

    prop_compose! {
        fn arb_descriptor()(
            number_of_blocks in any::<u32>(),
            format_type in arb_format_type(),
            subtype in 0u8..4,
            type_dependent in 0u32..(1 << 24),
        ) -> FormatDescriptor {
            FormatDescriptor { number_of_blocks, format_type, subtype, type_dependent }
        }
    }

    prop_compose! {
        fn arb_capacities()(
            number_of_blocks in any::<u32>(),
            descriptor_type in (0u8..4).prop_map(CapacityDescriptorType::from),
            block_length in 0u32..(1 << 24),
            formattable in proptest::collection::vec(
                (any::<u32>(), arb_format_type(), 0u32..(1 << 24)).prop_map(|(n, t, p)| {
                    FormattableCapacity { number_of_blocks: n, format_type: t, type_dependent: p }
                }),
                0..=FormatCapacities::MAX_FORMATTABLE,
            ),
        ) -> FormatCapacities {
            FormatCapacities {
                current: CapacityDescriptor { number_of_blocks, descriptor_type, block_length },
                formattable,
            }
        }
    }

    proptest! {
        #[test]
        fn format_unit_round_trips(fmt_data in any::<bool>(), cmp_list in any::<bool>()) {
            let c = FormatUnit { fmt_data, cmp_list };
            prop_assert_eq!(FormatUnit::parse(c.emit().as_bytes())?, c);
        }

        #[test]
        fn format_parameter_list_round_trips(
            fov in any::<bool>(), dcrt in any::<bool>(), ip in any::<bool>(),
            immed in any::<bool>(), descriptor in arb_descriptor(),
        ) {
            let l = FormatParameterList { fov, dcrt, ip, immed, descriptor };
            let mut buf = [0u8; 12];
            prop_assert_eq!(l.emit(&mut buf)?, l.buffer_len());
            prop_assert_eq!(FormatParameterList::parse(&buf)?, l);
        }

        #[test]
        fn format_capacities_round_trip(c in arb_capacities()) {
            let mut buf = vec![0u8; c.buffer_len()];
            prop_assert_eq!(c.emit(&mut buf)?, buf.len());
            prop_assert_eq!(FormatCapacities::parse(&buf)?, c);
        }

        #[test]
        fn read_format_capacities_round_trips(alloc in any::<u16>()) {
            let c = ReadFormatCapacities { alloc };
            prop_assert_eq!(ReadFormatCapacities::parse(c.emit().as_bytes())?, c);
        }

        #[test]
        fn blank_round_trips(immed in any::<bool>(), t in 0u8..7, address in any::<u32>()) {
            let c = Blank { immed, blanking_type: BlankingType::from_code(t).unwrap(), address };
            prop_assert_eq!(Blank::parse(c.emit().as_bytes())?, c);
        }

        #[test]
        fn parsers_survive_arbitrary_bytes(raw in proptest::collection::vec(any::<u8>(), 0..400)) {
            if let Ok(c) = FormatCapacities::parse(&raw) {
                prop_assert!(c.formattable.len() <= FormatCapacities::MAX_FORMATTABLE);
                prop_assert!(c.buffer_len() <= raw.len());
                let mut buf = vec![0u8; c.buffer_len()];
                c.emit(&mut buf)?;
                prop_assert_eq!(FormatCapacities::parse(&buf)?, c);
            }
            if let Ok(l) = FormatParameterList::parse(&raw) {
                let mut buf = [0u8; 12];
                l.emit(&mut buf)?;
                prop_assert_eq!(FormatParameterList::parse(&buf)?, l);
            }
            let v = FormatCapacitiesView::new_unchecked(&raw[..]);
            let _ = (v.current(), v.formattable(v.formattable_count()));
            let p = FormatParameterListView::new_unchecked(&raw[..]);
            let _ = (p.format_type(), p.type_dependent(), p.number_of_blocks());
            let _ = (FormatUnit::parse(&raw), ReadFormatCapacities::parse(&raw), Blank::parse(&raw));
            let _ = FormatDescriptor::parse(&raw);
        }
    }
}
