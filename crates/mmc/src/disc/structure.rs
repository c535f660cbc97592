//! MMC-6 §6.23 READ DISC STRUCTURE and the structures a recorder meets: DVD physical
//! format information (format 00h), DVD-R pre-pit information (0Eh), DVD+R/+RW ADIP
//! information (11h), BD disc information (format 00h) and the list of supported
//! structures (format FFh).

use crate::wire::{self, be16, check_len, check_room, put_be16, put_u8, u8_at};

crate::wire_enum! {
    /// Media Type of READ DISC STRUCTURE (byte 1 bits 0–3).
    #[derive(Default)]
    pub enum DiscStructureMedia: u8 & 0x0F {
        /// 0000b: DVD and HD DVD structures.
        #[default]
        Dvd = 0 => "DVD",
        /// 0001b: BD structures.
        Bd = 1 => "BD",
    }
}

crate::command! {
    /// MMC-6 §6.23 READ DISC STRUCTURE (CDB only; the structures are format-specific).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct ReadDiscStructure: OpCode::ReadDiscStructure, 12 bytes;
    {
        /// Media Type (byte 1 bits 0–3).
        pub media_type: DiscStructureMedia = named(u8(1), "disc structure media type"),
        /// Address (bytes 2–5), format-dependent.
        pub address: u32 = be32(2),
        /// Layer Number (byte 6).
        pub layer: u8 = u8(6),
        /// Format Code (byte 7): e.g. 00h physical format, 0Ah DVD+R recorded-layer info,
        /// FFh list of supported structures.
        pub format: u8 = u8(7),
        /// Allocation length (bytes 8–9).
        pub alloc: u16 = be16(8),
        /// AGID, authentication grant ID (byte 10 bits 6–7).
        pub agid: u8 = bits(10, 0x03 << 6),
    }
}

/// Bytes of the header in front of every READ DISC STRUCTURE answer: Disc Structure
/// Data Length (2, counting the bytes after itself) and 2 reserved bytes.
pub const DISC_STRUCTURE_HEADER_LEN: usize = 4;

/// Writes the 4-byte structure header for `body` bytes of structure data.
fn put_structure_header(buf: &mut [u8], body: usize) {
    put_be16(buf, 0, (body + 2).min(usize::from(u16::MAX)) as u16);
    put_u8(buf, 2, 0);
    put_u8(buf, 3, 0);
}

/// Body bytes present after the header: what was transferred, cut to the length field.
fn structure_body(buf: &[u8]) -> &[u8] {
    let claimed = usize::from(be16(buf, 0)).saturating_sub(2);
    let body = buf.get(DISC_STRUCTURE_HEADER_LEN..).unwrap_or(&[]);
    &body[..body.len().min(claimed)]
}

crate::wire_enum! {
    /// Book Type of DVD physical format information (byte 0 bits 4–7).
    pub enum BookType: u8 & 0x0F {
        /// 0h: DVD-ROM.
        DvdRom = 0x0 => "DVD-ROM",
        /// 1h: DVD-RAM.
        DvdRam = 0x1 => "DVD-RAM",
        /// 2h: DVD-R.
        DvdMinusR = 0x2 => "DVD-R",
        /// 3h: DVD-RW.
        DvdMinusRw = 0x3 => "DVD-RW",
        /// 9h: DVD+RW.
        DvdPlusRw = 0x9 => "DVD+RW",
        /// Ah: DVD+R.
        DvdPlusR = 0xA => "DVD+R",
        /// Dh: DVD+RW DL.
        DvdPlusRwDl = 0xD => "DVD+RW DL",
        /// Eh: DVD+R DL.
        DvdPlusRDl = 0xE => "DVD+R DL",
        /// Any other value, kept as received.
        Unknown => "unknown book type",
    }
}

/// Starting physical sector of the data area of a DVD-ROM/±R/±RW (030000h).
pub const DVD_DATA_AREA_START: u32 = 0x03_0000;
/// Starting physical sector of the data area of a DVD-RAM (031000h).
pub const DVD_RAM_DATA_AREA_START: u32 = 0x03_1000;

/// Layer Type bits (byte 2 bits 0–3): embossed (bit 0), recordable (bit 1), rewritable
/// (bit 2).
pub mod layer_type {
    /// Bit 0: the layer has embossed (pressed) user data.
    pub const EMBOSSED: u8 = 0x1;
    /// Bit 1: the layer is recordable.
    pub const RECORDABLE: u8 = 0x2;
    /// Bit 2: the layer is rewritable.
    pub const REWRITABLE: u8 = 0x4;
}

crate::record! {
    /// READ DISC STRUCTURE format 00h of a DVD, physical format information (MMC-6
    /// §6.23.3.2.1): the layer descriptor of the layer asked for. The media-specific bytes
    /// 17–2047 are not kept; [`emit`](Self::emit) writes them as zeros, after a header
    /// whose length covers the whole 2048-byte descriptor. Nibble fields keep their low 4
    /// bits, sector numbers their low 24, `layers` is taken as 1–4.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct DvdPhysicalFormat, at least DvdPhysicalFormat::MIN_LEN,
        emits DISC_STRUCTURE_HEADER_LEN + DvdPhysicalFormat::DESCRIPTOR_LEN;
    /// A view over READ DISC STRUCTURE format 00h data of a DVD (header + layer
    /// descriptor); accessors never panic (bytes past the end read as 0).
    view DvdPhysicalFormatView;
    {
        /// Disc Structure Data Length (bytes 0–1), as the drive claims.
        view pub data_length: u16 = be16(0),
        /// Book Type (descriptor byte 0 bits 4–7).
        pub book_type: BookType = from(bits(DISC_STRUCTURE_HEADER_LEN, 0x0F << 4)),
        /// Part Version (descriptor byte 0 bits 0–3).
        pub part_version: u8 = bits(DISC_STRUCTURE_HEADER_LEN, 0x0F << 0),
        /// Disc Size (descriptor byte 1 bits 4–7): 0 = 120 mm, 1 = 80 mm.
        pub disc_size: u8 = bits(DISC_STRUCTURE_HEADER_LEN + 1, 0x0F << 4),
        /// Maximum Rate (descriptor byte 1 bits 0–3): 0 = 2.52, 1 = 5.04, 2 = 10.08 Mbps,
        /// Fh = not specified.
        pub maximum_rate: u8 = bits(DISC_STRUCTURE_HEADER_LEN + 1, 0x0F << 0),
        /// Number of Layers, 1–4 (descriptor byte 2 bits 5–6, stored as layers − 1).
        pub layers: u8 = map(bits(DISC_STRUCTURE_HEADER_LEN + 2, 0x03 << 5), layers_from_code, layers_code),
        /// Track Path (descriptor byte 2 bit 4): 0 = parallel (PTP), 1 = opposite (OTP).
        pub opposite_track_path: bool = bit(DISC_STRUCTURE_HEADER_LEN + 2, 4),
        /// Layer Type (descriptor byte 2 bits 0–3), see [`layer_type`].
        pub layer_type: u8 = bits(DISC_STRUCTURE_HEADER_LEN + 2, 0x0F << 0),
        /// Linear Density (descriptor byte 3 bits 4–7): 0 = 0.267 µm/bit.
        pub linear_density: u8 = bits(DISC_STRUCTURE_HEADER_LEN + 3, 0x0F << 4),
        /// Track Density (descriptor byte 3 bits 0–3): 0 = 0.74 µm/track.
        pub track_density: u8 = bits(DISC_STRUCTURE_HEADER_LEN + 3, 0x0F << 0),
        /// Starting Physical Sector Number of Data Area (descriptor bytes 5–7).
        pub data_area_start: u32 = be24(DISC_STRUCTURE_HEADER_LEN + 5),
        /// End Physical Sector Number of Data Area (descriptor bytes 9–11).
        pub data_area_end: u32 = be24(DISC_STRUCTURE_HEADER_LEN + 9),
        /// End Sector Number in Layer 0 (descriptor bytes 13–15; OTP dual layer).
        pub end_sector_layer0: u32 = be24(DISC_STRUCTURE_HEADER_LEN + 13),
        /// BCA Flag (descriptor byte 16 bit 7): a burst cutting area exists.
        pub bca: bool = bit(DISC_STRUCTURE_HEADER_LEN + 16, 7),
    }
    length be16(0) from 2;
}

/// Number of Layers from its code (layers − 1).
fn layers_from_code(code: u8) -> u8 {
    code + 1
}

/// The code of Number of Layers, 1–4 (layers − 1).
fn layers_code(layers: u8) -> u8 {
    layers.clamp(1, 4) - 1
}

impl DvdPhysicalFormat {
    /// Bytes of the layer descriptor a drive returns.
    pub const DESCRIPTOR_LEN: usize = 2048;
    /// Fewest bytes [`parse`](Self::parse) takes: header and the 17 defined bytes.
    pub const MIN_LEN: usize = DISC_STRUCTURE_HEADER_LEN + 17;

    /// A single-layer 120 mm disc of `book_type` whose user data area holds `sectors`
    /// blocks from physical sector 030000h (031000h on DVD-RAM), as a drive reports a
    /// recordable disc: layer type from the book type, densities 0, rate not specified.
    pub fn single_layer(book_type: BookType, sectors: u32) -> Self {
        let (start, layer_type) = match book_type {
            BookType::DvdRam => (DVD_RAM_DATA_AREA_START, layer_type::REWRITABLE),
            BookType::DvdMinusRw | BookType::DvdPlusRw | BookType::DvdPlusRwDl => {
                (DVD_DATA_AREA_START, layer_type::REWRITABLE)
            }
            BookType::DvdRom => (DVD_DATA_AREA_START, layer_type::EMBOSSED),
            _ => (DVD_DATA_AREA_START, layer_type::RECORDABLE),
        };
        DvdPhysicalFormat {
            book_type,
            part_version: 1,
            disc_size: 0,
            maximum_rate: 0x0F,
            layers: 1,
            opposite_track_path: false,
            layer_type,
            linear_density: 0,
            track_density: 0,
            data_area_start: start,
            data_area_end: start.saturating_add(sectors).saturating_sub(1) & 0xFF_FFFF,
            end_sector_layer0: 0,
            bca: false,
        }
    }

    /// A dual-layer opposite-track-path disc of `book_type` (DVD+R DL, DVD-R DL) whose
    /// Layer 0 holds `layer0` user sectors, as a drive reports a blank one: the data
    /// area from 030000h, Layer 0 ending at 030000h + `layer0` − 1 (End Sector Number in
    /// Layer 0, what dvd+rw-mediainfo prints as the legacy lead-out), Layer 1 running
    /// back to FCFFFFh, the complement of the data area start (ECMA-364 §10.5 OTP).
    pub fn dual_layer(book_type: BookType, layer0: u32) -> Self {
        DvdPhysicalFormat {
            layers: 2,
            opposite_track_path: true,
            data_area_end: !DVD_DATA_AREA_START & 0xFF_FFFF,
            end_sector_layer0: DVD_DATA_AREA_START.saturating_add(layer0).saturating_sub(1)
                & 0xFF_FFFF,
            ..Self::single_layer(book_type, layer0)
        }
    }

    /// User sectors in Layer 0 of a multi-layer disc (`None` on a single-layer one).
    pub fn layer0_sectors(&self) -> Option<u32> {
        (self.layers > 1).then(|| (self.end_sector_layer0 + 1).saturating_sub(self.data_area_start))
    }

    /// User sectors between data area start and end (single layer, PTP).
    pub fn sectors(&self) -> u32 {
        (self.data_area_end + 1).saturating_sub(self.data_area_start)
    }
}

/// READ DISC STRUCTURE format 00h of a BD, disc information (MMC-6 §6.23.3.3.1): the
/// disc information (DI) units the drive read from the PIC zone, kept raw, with the
/// fields of the first unit a recorder looks at read from them.
///
/// Each DI unit is [`BdDiscInformation::UNIT_LEN`] bytes: "DI" (bytes 0–1), DI format
/// (byte 2), units per block (byte 3), unit sequence number (byte 4), bytes in use
/// (byte 5), Disc Type Identifier "BDO"/"BDW"/"BDR" (bytes 8–10), disc size/class/version
/// (byte 11), layers and layer number (byte 12).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct BdDiscInformation {
    /// The DI bytes after the 4-byte header, as transferred (at most
    /// [`BdDiscInformation::MAX_LEN`]).
    pub units: Vec<u8>,
}

impl BdDiscInformation {
    /// Bytes of one DI unit (a BD-ROM's; a BD-R/RE unit is
    /// [`RECORDABLE_UNIT_LEN`](Self::RECORDABLE_UNIT_LEN)).
    pub const UNIT_LEN: usize = 64;
    /// Bytes of a BD-R/RE DI unit: the 64 of a BD-ROM's plus the manufacturer trailer.
    pub const RECORDABLE_UNIT_LEN: usize = 112;
    /// The most DI bytes kept: 4096, the PIC's disc information a drive returns.
    pub const MAX_LEN: usize = 4096;

    /// One DI unit for a single-layer 120 mm disc with Disc Type Identifier `disc_type`
    /// (`*b"BDR"`, `*b"BDW"` or `*b"BDO"`), as a drive reports a blank recordable disc.
    pub fn single_layer(disc_type: [u8; 3]) -> Self {
        let mut u = vec![0u8; Self::UNIT_LEN];
        u[0] = b'D';
        u[1] = b'I';
        u[2] = 0x01; // DI format 1
        u[3] = 0x08; // 1 unit per block (bits 3–7), for one layer
        u[4] = 0x00; // sequence number 0
        u[5] = Self::UNIT_LEN as u8; // bytes in use
        u[8..11].copy_from_slice(&disc_type);
        u[11] = 0x01; // 120 mm, class 0, version 1
        u[12] = 0x10; // one layer (bits 4–7), this is layer 0
        BdDiscInformation { units: u }
    }

    /// The DI of a disc with `layers` recording layers (1–15): the first unit repeated
    /// once per layer, each with the DI block's unit count (byte 3 bits 3–7), its
    /// sequence number (byte 4) and the number of layers and its own layer number
    /// (byte 12), as BD-R/RE DL, TL and QL discs carry one unit per layer.
    pub fn with_layers(self, layers: u8) -> Self {
        let layers = layers.clamp(1, 15);
        let unit_len = self.units.len().min(Self::RECORDABLE_UNIT_LEN);
        let first = &self.units[..unit_len];
        let mut units = Vec::with_capacity(unit_len * usize::from(layers));
        for layer in 0..layers {
            let start = units.len();
            units.extend_from_slice(first);
            if unit_len > 12 {
                units[start + 3] = layers << 3;
                units[start + 4] = layer;
                units[start + 12] = layers << 4 | layer;
            }
        }
        BdDiscInformation { units }
    }

    /// Parses the answer: the header and whatever DI bytes were transferred and the
    /// length field covers (capped at [`MAX_LEN`](Self::MAX_LEN)).
    pub fn parse(buf: &[u8]) -> wire::Result<Self> {
        check_len(buf, DISC_STRUCTURE_HEADER_LEN)?;
        let body = structure_body(buf);
        Ok(BdDiscInformation {
            units: body[..body.len().min(Self::MAX_LEN)].to_vec(),
        })
    }

    /// Bytes [`emit`](Self::emit) writes: header + the DI bytes.
    pub fn buffer_len(&self) -> usize {
        DISC_STRUCTURE_HEADER_LEN + self.units.len()
    }

    /// Writes header and DI bytes; returns the bytes written. Fails with
    /// [`wire::Error::Invalid`] past [`MAX_LEN`](Self::MAX_LEN) DI bytes.
    pub fn emit(&self, buf: &mut [u8]) -> wire::Result<usize> {
        if self.units.len() > Self::MAX_LEN {
            return Err(wire::Error::Invalid {
                field: "BD disc information length",
                value: self.units.len() as u64,
            });
        }
        let len = self.buffer_len();
        check_room(buf, len)?;
        put_structure_header(buf, self.units.len());
        buf[DISC_STRUCTURE_HEADER_LEN..len].copy_from_slice(&self.units);
        Ok(len)
    }

    /// True when the first unit starts with the "DI" identifier.
    pub fn has_identifier(&self) -> bool {
        self.units.get(..2) == Some(b"DI")
    }
    /// DI Format of the first unit (byte 2).
    pub fn di_format(&self) -> u8 {
        u8_at(&self.units, 2)
    }
    /// Disc Type Identifier of the first unit (bytes 8–10), e.g. `*b"BDR"`.
    pub fn disc_type(&self) -> [u8; 3] {
        [
            u8_at(&self.units, 8),
            u8_at(&self.units, 9),
            u8_at(&self.units, 10),
        ]
    }
    /// Number of recording layers of the first unit (byte 12 bits 4–7).
    pub fn layers(&self) -> u8 {
        u8_at(&self.units, 12) >> 4
    }
    /// Number of whole DI units present.
    pub fn unit_count(&self) -> usize {
        self.units.len() / Self::UNIT_LEN
    }
    /// Disc Manufacturer ID of the first unit (bytes 100–105; BD-R/RE only).
    pub fn disc_manufacturer_id(&self) -> [u8; 6] {
        wire::array_at(&self.units, 100)
    }
    /// Media Type ID of the first unit (bytes 106–108; BD-R/RE only).
    pub fn media_type_id(&self) -> [u8; 3] {
        wire::array_at(&self.units, 106)
    }
    /// Product Revision Number of the first unit (byte 111; BD-R/RE only).
    pub fn product_revision(&self) -> u8 {
        u8_at(&self.units, 111)
    }
    /// True when the first unit is wholly present as a BD-R/RE unit (112 bytes), so its
    /// manufacturer fields were transferred.
    pub fn has_recordable_trailer(&self) -> bool {
        self.has_identifier() && self.units.len() >= Self::RECORDABLE_UNIT_LEN
    }

    /// One DI unit of a single-layer 120 mm BD-R (`*b"BDR"`) or BD-RE (`*b"BDW"`): the
    /// [`RECORDABLE_UNIT_LEN`](Self::RECORDABLE_UNIT_LEN)-byte unit whose trailer names
    /// the Disc Manufacturer ID (6 bytes, NUL padded), Media Type ID and Product
    /// Revision Number (BD-R/RE Book, as MMC-6 §6.23.3.3.1 passes the DI on).
    pub fn recordable(
        disc_type: [u8; 3],
        manufacturer: [u8; 6],
        media_type: [u8; 3],
        revision: u8,
    ) -> Self {
        let mut di = Self::single_layer(disc_type);
        di.units.resize(Self::RECORDABLE_UNIT_LEN, 0);
        di.units[5] = Self::RECORDABLE_UNIT_LEN as u8; // bytes in use
        di.units[100..106].copy_from_slice(&manufacturer);
        di.units[106..109].copy_from_slice(&media_type);
        di.units[111] = revision;
        di
    }
}

/// The text of a manufacturer or media type code as discs carry it: printable ASCII,
/// NUL bytes (the usual padding) dropped, anything else as `?`, spaces trimmed.
pub fn id_text(bytes: &[u8]) -> String {
    let s: String = bytes
        .iter()
        .filter(|&&b| b != 0)
        .map(|&b| match b {
            0x20..=0x7E => char::from(b),
            _ => '?',
        })
        .collect();
    s.trim().to_owned()
}

/// `text` as a code field of `N` bytes, NUL padded (as discs pad them); `None` when it is
/// longer than `N` bytes or not printable ASCII.
pub fn id_field<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() > N || !text.bytes().all(|b| (0x20..=0x7E).contains(&b)) {
        return None;
    }
    let mut out = [0u8; N];
    out[..text.len()].copy_from_slice(text.as_bytes());
    Some(out)
}

crate::record! {
    /// READ DISC STRUCTURE format 0Eh of a DVD-R/-RW, pre-recorded information in the
    /// lead-in (MMC-6 §6.23.3.2.10; ECMA-279 land pre-pits): five 8-byte fields, each
    /// opened by its Field ID; fields 3 and 4 carry the Disc Manufacturer ID, six bytes
    /// each. Only the manufacturer ID is kept; [`emit`](Self::emit) writes the Field IDs
    /// of fields 3 and 4 and zeros elsewhere (`parse` insists on those two IDs, as
    /// libburn and dvd+rw-mediainfo do before they trust the ID).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct DvdPrePit, at least DvdPrePit::MIN_LEN,
        emits DISC_STRUCTURE_HEADER_LEN + DvdPrePit::BODY_LEN;
    /// A view over READ DISC STRUCTURE format 0Eh data; accessors never panic.
    view DvdPrePitView;
    {
        /// Disc Structure Data Length (bytes 0–1), as the drive claims.
        view pub data_length: u16 = be16(0),
        /// Disc Manufacturer ID, first part (field 3, body bytes 17–22).
        pub manufacturer_part1: [u8; 6] = bytes(DISC_STRUCTURE_HEADER_LEN + 17),
        /// Disc Manufacturer ID, second part (field 4, body bytes 25–30).
        pub manufacturer_part2: [u8; 6] = bytes(DISC_STRUCTURE_HEADER_LEN + 25),
    }
    length be16(0) from 2;
    fixed u8(DISC_STRUCTURE_HEADER_LEN + 16) == 3, "pre-pit field ID 3";
    fixed u8(DISC_STRUCTURE_HEADER_LEN + 24) == 4, "pre-pit field ID 4";
}

impl DvdPrePit {
    /// Format code of this structure.
    pub const FORMAT: u8 = 0x0E;
    /// Bytes of the five pre-pit fields.
    pub const BODY_LEN: usize = 40;
    /// Fewest bytes [`parse`](Self::parse) takes: through the second manufacturer part.
    pub const MIN_LEN: usize = DISC_STRUCTURE_HEADER_LEN + 31;

    /// The pre-pit information of a disc whose manufacturer ID is `id` (up to 12
    /// printable ASCII characters, NUL padded); `None` when it does not fit.
    pub fn with_manufacturer(id: &str) -> Option<Self> {
        let all: [u8; 12] = id_field(id)?;
        let mut manufacturer_part1 = [0u8; 6];
        let mut manufacturer_part2 = [0u8; 6];
        manufacturer_part1.copy_from_slice(&all[..6]);
        manufacturer_part2.copy_from_slice(&all[6..]);
        Some(DvdPrePit {
            manufacturer_part1,
            manufacturer_part2,
        })
    }

    /// The manufacturer ID as text: both parts, NULs dropped (see [`id_text`]).
    pub fn manufacturer_id(&self) -> String {
        let mut all = self.manufacturer_part1.to_vec();
        all.extend_from_slice(&self.manufacturer_part2);
        id_text(&all)
    }
}

crate::record! {
    /// READ DISC STRUCTURE format 11h of a DVD+R/+RW, ADIP information (MMC-6
    /// §6.23.3.2.13): the 256 bytes of the ADIP's physical format information. Kept:
    /// Disc Category and Version (byte 0), Disc Manufacturer ID (bytes 19–26), Media Type
    /// ID (bytes 27–29) and Product Revision Number (byte 30); [`emit`](Self::emit)
    /// writes zeros for the rest.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct AdipInformation, at least AdipInformation::MIN_LEN,
        emits DISC_STRUCTURE_HEADER_LEN + AdipInformation::BODY_LEN;
    /// A view over READ DISC STRUCTURE format 11h data; accessors never panic.
    view AdipInformationView;
    {
        /// Disc Structure Data Length (bytes 0–1), as the drive claims.
        view pub data_length: u16 = be16(0),
        /// Disc Category (bits 4–7, the book type: Ah DVD+R, 9h DVD+RW) and Version
        /// (bits 0–3), byte 0.
        pub disc_category: u8 = u8(DISC_STRUCTURE_HEADER_LEN),
        /// Disc Manufacturer ID (bytes 19–26), NUL padded.
        pub manufacturer_id: [u8; 8] = bytes(DISC_STRUCTURE_HEADER_LEN + 19),
        /// Media Type ID (bytes 27–29).
        pub media_type_id: [u8; 3] = bytes(DISC_STRUCTURE_HEADER_LEN + 27),
        /// Product Revision Number (byte 30).
        pub product_revision: u8 = u8(DISC_STRUCTURE_HEADER_LEN + 30),
    }
    length be16(0) from 2;
}

impl AdipInformation {
    /// Format code of this structure.
    pub const FORMAT: u8 = 0x11;
    /// Bytes of the ADIP information.
    pub const BODY_LEN: usize = 256;
    /// Fewest bytes [`parse`](Self::parse) takes: through the product revision.
    pub const MIN_LEN: usize = DISC_STRUCTURE_HEADER_LEN + 31;
}

/// One entry of the list of supported structures (READ DISC STRUCTURE format FFh).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StructureListEntry {
    /// Format Code (byte 0) of a structure the drive offers for this medium.
    pub format: u8,
    /// SDS (byte 1 bit 7): SEND DISC STRUCTURE accepts it.
    pub sds: bool,
    /// RDS (byte 1 bit 6): READ DISC STRUCTURE returns it.
    pub rds: bool,
    /// Structure Length (bytes 2–3): bytes the structure takes (without the header).
    pub length: u16,
}

/// READ DISC STRUCTURE format FFh, disc structure list (MMC-6 §6.23.3.2.12 / BD
/// §6.23.3.3.8): the structures a drive offers for the medium loaded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct StructureList {
    /// The entries, in the drive's order.
    pub entries: Vec<StructureListEntry>,
}

impl StructureList {
    /// Bytes per entry.
    pub const ENTRY_LEN: usize = 4;
    /// Format code of this list.
    pub const FORMAT: u8 = 0xFF;

    /// Parses the list from the bytes transferred: only whole entries within both the
    /// transfer and the length field.
    pub fn parse(buf: &[u8]) -> wire::Result<Self> {
        check_len(buf, DISC_STRUCTURE_HEADER_LEN)?;
        let entries = structure_body(buf)
            .chunks_exact(Self::ENTRY_LEN)
            .map(|d| StructureListEntry {
                format: d[0],
                sds: d[1] & 0x80 != 0,
                rds: d[1] & 0x40 != 0,
                length: be16(d, 2),
            })
            .collect();
        Ok(StructureList { entries })
    }

    /// Bytes [`emit`](Self::emit) writes: 4 + 4 per entry.
    pub fn buffer_len(&self) -> usize {
        DISC_STRUCTURE_HEADER_LEN + Self::ENTRY_LEN * self.entries.len()
    }

    /// Writes the list with a correct length field; returns the bytes written. Fails with
    /// [`wire::Error::Invalid`] past 16,382 entries (the length field's limit).
    pub fn emit(&self, buf: &mut [u8]) -> wire::Result<usize> {
        let body = Self::ENTRY_LEN * self.entries.len();
        if body + 2 > usize::from(u16::MAX) {
            return Err(wire::Error::Invalid {
                field: "disc structure list length",
                value: body as u64,
            });
        }
        let len = self.buffer_len();
        check_room(buf, len)?;
        put_structure_header(buf, body);
        for (e, d) in self
            .entries
            .iter()
            .zip(buf[DISC_STRUCTURE_HEADER_LEN..len].chunks_exact_mut(Self::ENTRY_LEN))
        {
            d[0] = e.format;
            d[1] = u8::from(e.sds) << 7 | u8::from(e.rds) << 6;
            put_be16(d, 2, e.length);
        }
        Ok(len)
    }

    /// True when `format` is listed as readable (RDS).
    pub fn readable(&self, format: u8) -> bool {
        self.entries.iter().any(|e| e.format == format && e.rds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cdb::testing::round_trip;
    use crate::Command;
    use proptest::prelude::*;

    #[test]
    fn read_disc_structure_bytes() {
        let c = ReadDiscStructure {
            media_type: DiscStructureMedia::Bd,
            address: 0x0102_0304,
            layer: 1,
            format: 0x0A,
            alloc: 0x0814,
            agid: 2,
        };
        let raw = [
            0xAD, 0x01, 0x01, 0x02, 0x03, 0x04, 0x01, 0x0A, 0x08, 0x14, 0x80, 0x00,
        ];
        assert_eq!(c.emit().as_bytes(), &raw);
        assert_eq!(ReadDiscStructure::parse(&raw).unwrap(), c);
        let dvd = [0xAD, 0x00, 0, 0, 0, 0, 0, 0xFF, 0x00, 0x04, 0x40, 0];
        let p = ReadDiscStructure::parse(&dvd).unwrap();
        assert_eq!(p.media_type, DiscStructureMedia::Dvd);
        assert_eq!((p.format, p.agid, p.alloc), (0xFF, 1, 4));
        assert!(ReadDiscStructure::parse(&[0xAD, 0x02, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0]).is_err());
        assert!(ReadDiscStructure::parse(&raw[..11]).is_err());
    }

    /// A blank single-layer DVD+R's physical format information as drives return it:
    /// book type A (DVD+R) version 1, 120 mm, rate not specified, one recordable layer,
    /// data area 030000h–26053Fh (2,295,104 sectors).
    fn dvd_plus_r_pfi() -> Vec<u8> {
        let mut raw = vec![0u8; 2052];
        raw[..4].copy_from_slice(&[0x08, 0x02, 0x00, 0x00]);
        raw[4..21].copy_from_slice(&[
            0xA1, 0x0F, 0x02, 0x00, //
            0x00, 0x03, 0x00, 0x00, //
            0x00, 0x26, 0x05, 0x3F, //
            0x00, 0x00, 0x00, 0x00, //
            0x00,
        ]);
        raw
    }

    #[test]
    fn dvd_physical_format_deconstruct_construct() {
        let raw = dvd_plus_r_pfi();
        let p = DvdPhysicalFormat::parse(&raw).unwrap();
        assert_eq!(
            p,
            DvdPhysicalFormat::single_layer(BookType::DvdPlusR, 2_295_104)
        );
        assert_eq!(p.book_type, BookType::DvdPlusR);
        assert_eq!((p.layers, p.layer_type), (1, layer_type::RECORDABLE));
        assert_eq!(p.sectors(), 2_295_104);
        let mut out = vec![0xEEu8; 2060];
        assert_eq!(p.emit(&mut out), Ok(2052));
        assert_eq!(out[..2052], raw[..]);
        assert_eq!(out[2052], 0xEE);
        assert!(p.emit(&mut [0u8; 2051]).is_err());
        // Only the defined bytes are needed.
        assert_eq!(DvdPhysicalFormat::parse(&raw[..21]), Ok(p));
        assert!(DvdPhysicalFormat::parse(&raw[..20]).is_err());
    }

    #[test]
    fn dvd_physical_format_every_field() {
        // DVD-R DL-like: book 2 version 5, 80 mm, 10.08 Mbps, 2 layers OTP,
        // recordable + embossed, densities 1/2, BCA present, layer 0 end 0x1234AB.
        let mut raw = [0u8; 21];
        raw[4..21].copy_from_slice(&[
            0x25, 0x12, 0x33, 0x12, //
            0x00, 0x03, 0x00, 0x00, //
            0x00, 0xFC, 0xFF, 0xFF, //
            0x00, 0x12, 0x34, 0xAB, //
            0x80,
        ]);
        let p = DvdPhysicalFormat::parse(&raw).unwrap();
        assert_eq!(p.book_type, BookType::DvdMinusR);
        assert_eq!((p.part_version, p.disc_size, p.maximum_rate), (5, 1, 2));
        assert_eq!(
            (p.layers, p.opposite_track_path, p.layer_type),
            (2, true, 3)
        );
        assert_eq!((p.linear_density, p.track_density), (1, 2));
        assert_eq!(p.data_area_end, 0xFC_FFFF);
        assert_eq!(p.end_sector_layer0, 0x12_34AB);
        assert!(p.bca);
        let mut out = [0u8; 2052];
        p.emit(&mut out).unwrap();
        assert_eq!(out[4..21], raw[4..21]);
        assert_eq!(&out[..2], &[0x08, 0x02]);
        for (v, b) in [
            (0x9, BookType::DvdPlusRw),
            (0x1, BookType::DvdRam),
            (0x7, BookType::Unknown(7)),
        ] {
            assert_eq!(BookType::from(v), b);
            assert_eq!(u8::from(b), v);
        }
        let ram = DvdPhysicalFormat::single_layer(BookType::DvdRam, 100);
        assert_eq!(
            (ram.data_area_start, ram.data_area_end),
            (0x03_1000, 0x03_1063)
        );
        assert_eq!(ram.layer_type, layer_type::REWRITABLE);
    }

    #[test]
    fn dual_layer_physical_format_is_what_drives_report_for_dvd_plus_r_dl() {
        let p = DvdPhysicalFormat::dual_layer(BookType::DvdPlusRDl, 2_086_912);
        assert_eq!((p.layers, p.opposite_track_path), (2, true));
        assert_eq!(p.end_sector_layer0, 0x03_0000 + 2_086_912 - 1);
        assert_eq!(p.data_area_end, 0xFC_FFFF);
        assert_eq!(p.layer0_sectors(), Some(2_086_912));
        let mut out = vec![0u8; p.buffer_len()];
        p.emit(&mut out).unwrap();
        // dvd+rw-mediainfo: byte 4+2 bits 5-6 nonzero → legacy lead-out from 4+13..15.
        assert_eq!(out[4 + 2] & 0x60, 0x20);
        let end =
            u32::from(out[4 + 13]) << 16 | u32::from(out[4 + 14]) << 8 | u32::from(out[4 + 15]);
        assert_eq!(end - 0x03_0000 + 1, 2_086_912);
        assert_eq!(DvdPhysicalFormat::parse(&out).unwrap(), p);
        assert_eq!(
            DvdPhysicalFormat::single_layer(BookType::DvdPlusR, 9).layer0_sectors(),
            None
        );
    }

    #[test]
    fn bd_disc_information_has_a_unit_per_layer() {
        let di = BdDiscInformation::recordable(*b"BDR", *b"VERBAT", *b"IMf", 1).with_layers(3);
        assert_eq!(di.units.len(), 3 * BdDiscInformation::RECORDABLE_UNIT_LEN);
        assert_eq!(di.layers(), 3);
        for (i, u) in di
            .units
            .chunks(BdDiscInformation::RECORDABLE_UNIT_LEN)
            .enumerate()
        {
            assert_eq!(&u[..2], b"DI");
            assert_eq!((u[3] >> 3, u[4], u[12]), (3, i as u8, 0x30 | i as u8));
            assert_eq!(&u[100..106], b"VERBAT");
        }
        let one = BdDiscInformation::single_layer(*b"BDW").with_layers(1);
        assert_eq!(one, BdDiscInformation::single_layer(*b"BDW"));
        assert!(BdDiscInformation::default().with_layers(4).units.is_empty());
    }

    #[test]
    fn bd_disc_information_bytes() {
        let di = BdDiscInformation::single_layer(*b"BDR");
        let mut out = vec![0u8; di.buffer_len()];
        assert_eq!(di.emit(&mut out), Ok(68));
        assert_eq!(&out[..4], &[0x00, 0x42, 0x00, 0x00]);
        assert_eq!(&out[4..17], b"DI\x01\x08\x00\x40\x00\x00BDR\x01\x10");
        let back = BdDiscInformation::parse(&out).unwrap();
        assert_eq!(back, di);
        assert!(back.has_identifier());
        assert_eq!(
            (back.di_format(), back.disc_type(), back.layers()),
            (1, *b"BDR", 1)
        );
        assert_eq!(back.unit_count(), 1);
        // The length field and the transfer both limit the DI bytes kept.
        let mut claimed = out.clone();
        claimed[1] = 0x0A; // 8 DI bytes
        assert_eq!(BdDiscInformation::parse(&claimed).unwrap().units.len(), 8);
        assert_eq!(
            BdDiscInformation::parse(&out[..20]).unwrap().units.len(),
            16
        );
        let none = BdDiscInformation::parse(&out[..4]).unwrap();
        assert!(!none.has_identifier());
        assert_eq!(
            (none.disc_type(), none.layers(), none.unit_count()),
            ([0; 3], 0, 0)
        );
        assert!(BdDiscInformation::parse(&out[..3]).is_err());
        let big = BdDiscInformation {
            units: vec![0; BdDiscInformation::MAX_LEN + 1],
        };
        assert!(big.emit(&mut vec![0u8; 5000]).is_err());
    }

    #[test]
    fn structure_list_bytes() {
        // A DVD+R drive's list: 00h physical (2048 B, readable), 0Ah? not here;
        // 0Fh timestamp (sendable), FFh the list itself.
        let raw = [
            0x00, 0x0E, 0x00, 0x00, //
            0x00, 0x40, 0x08, 0x00, //
            0x0F, 0x80, 0x00, 0x08, //
            0xFF, 0x40, 0x00, 0x10,
        ];
        let l = StructureList::parse(&raw).unwrap();
        assert_eq!(
            l.entries,
            vec![
                StructureListEntry {
                    format: 0x00,
                    sds: false,
                    rds: true,
                    length: 2048
                },
                StructureListEntry {
                    format: 0x0F,
                    sds: true,
                    rds: false,
                    length: 8
                },
                StructureListEntry {
                    format: 0xFF,
                    sds: false,
                    rds: true,
                    length: 16
                },
            ]
        );
        assert!(l.readable(0x00) && l.readable(0xFF) && !l.readable(0x0F));
        let mut out = [0u8; 16];
        assert_eq!(l.emit(&mut out), Ok(16));
        assert_eq!(out, raw);
        assert!(l.emit(&mut [0u8; 15]).is_err());
        // Partial entries and entries past the length field are dropped.
        assert_eq!(StructureList::parse(&raw[..14]).unwrap().entries.len(), 2);
        let mut claimed = raw;
        claimed[1] = 6;
        assert_eq!(StructureList::parse(&claimed).unwrap().entries.len(), 1);
        assert!(StructureList::parse(&raw[..3]).is_err());
    }

    proptest! {
        #[test]
        fn read_disc_structure_round_trip(
            bd: bool, address: u32, layer: u8, format: u8, alloc: u16, agid in 0u8..4,
        ) {
            let media_type = if bd { DiscStructureMedia::Bd } else { DiscStructureMedia::Dvd };
            round_trip(ReadDiscStructure { media_type, address, layer, format, alloc, agid });
        }

        #[test]
        fn dvd_physical_format_round_trip(
            book in 0u8..16, part in 0u8..16, size in 0u8..16, rate in 0u8..16, layers in 1u8..5,
            otp: bool, lt in 0u8..16, ld in 0u8..16, td in 0u8..16,
            start in 0u32..0x100_0000, end in 0u32..0x100_0000, l0 in 0u32..0x100_0000, bca: bool,
        ) {
            let p = DvdPhysicalFormat {
                book_type: BookType::from(book), part_version: part, disc_size: size,
                maximum_rate: rate, layers, opposite_track_path: otp, layer_type: lt,
                linear_density: ld, track_density: td, data_area_start: start,
                data_area_end: end, end_sector_layer0: l0, bca,
            };
            let mut buf = vec![0u8; p.buffer_len()];
            prop_assert_eq!(p.emit(&mut buf), Ok(p.buffer_len()));
            prop_assert_eq!(DvdPhysicalFormat::parse(&buf), Ok(p));
        }

        #[test]
        fn bd_di_and_structure_list_round_trip(
            units in proptest::collection::vec(any::<u8>(), 0..300),
            entries in proptest::collection::vec((any::<u8>(), any::<bool>(), any::<bool>(), any::<u16>()), 0..60),
        ) {
            let di = BdDiscInformation { units };
            let mut buf = vec![0u8; di.buffer_len()];
            prop_assert_eq!(di.emit(&mut buf), Ok(di.buffer_len()));
            prop_assert_eq!(BdDiscInformation::parse(&buf), Ok(di));
            let l = StructureList {
                entries: entries.into_iter().map(|(format, sds, rds, length)| StructureListEntry {
                    format, sds, rds, length,
                }).collect(),
            };
            let mut buf = vec![0u8; l.buffer_len()];
            prop_assert_eq!(l.emit(&mut buf), Ok(l.buffer_len()));
            prop_assert_eq!(StructureList::parse(&buf), Ok(l));
        }
    }
}

#[cfg(test)]
mod media_id_tests {
    use super::*;
    use crate::wire::Repr;
    use proptest::prelude::*;

    #[test]
    fn dvd_pre_pit_bytes() {
        // A Taiyo Yuden DVD-R: "TYG03" in field 3, field 4 empty.
        let p = DvdPrePit::with_manufacturer("TYG03").unwrap();
        let b = p.to_bytes();
        assert_eq!(b.len(), 44);
        assert_eq!(&b[..4], &[0x00, 0x2A, 0x00, 0x00]);
        assert_eq!(b[4 + 16], 3);
        assert_eq!(&b[4 + 17..4 + 23], b"TYG03\0");
        assert_eq!(b[4 + 24], 4);
        assert_eq!(p.manufacturer_id(), "TYG03");
        assert_eq!(DvdPrePit::parse(&b), Ok(p));
        let long = DvdPrePit::with_manufacturer("VERBATIMc").unwrap();
        assert_eq!(&long.manufacturer_part2, b"IMc\0\0\0");
        assert_eq!(long.manufacturer_id(), "VERBATIMc");
        assert!(DvdPrePit::with_manufacturer("THIRTEEN CHAR").is_none());
        assert!(DvdPrePit::with_manufacturer("Ünïcode").is_none());
        // A field ID other than 3/4 is not the manufacturer.
        let mut bad = b.clone();
        bad[4 + 16] = 0;
        assert!(DvdPrePit::parse(&bad).is_err());
        assert!(DvdPrePit::parse(&b[..34]).is_err());
        assert_eq!(
            DvdPrePit::parse(&b[..35]).unwrap().manufacturer_id(),
            "TYG03"
        );
    }

    #[test]
    fn adip_information_bytes() {
        let a = AdipInformation {
            disc_category: 0xA1,
            manufacturer_id: id_field("MCC").unwrap(),
            media_type_id: *b"004",
            product_revision: 1,
        };
        let b = a.to_bytes();
        assert_eq!(b.len(), 260);
        assert_eq!(&b[..5], &[0x01, 0x02, 0x00, 0x00, 0xA1]);
        // Where dvd+rw-mediainfo prints "%.8s/%.3s" from.
        assert_eq!(&b[23..31], b"MCC\0\0\0\0\0");
        assert_eq!(&b[31..34], b"004");
        assert_eq!(b[34], 1);
        assert_eq!(AdipInformation::parse(&b), Ok(a));
        assert_eq!(id_text(&a.manufacturer_id), "MCC");
        assert!(AdipInformation::parse(&b[..34]).is_err());
        let v = AdipInformationView::new_checked(&b[..]).unwrap();
        assert_eq!(v.data_length(), 258);
    }

    #[test]
    fn bd_recordable_unit() {
        let di = BdDiscInformation::recordable(*b"BDR", *b"VERBAT", *b"IMe", 0);
        assert_eq!(di.units.len(), 112);
        let b = di.to_bytes();
        // Where dvd+rw-mediainfo and libburn read it: DI + 100 and DI + 106.
        assert_eq!(&b[4..6], b"DI");
        assert_eq!(&b[104..110], b"VERBAT");
        assert_eq!(&b[110..113], b"IMe");
        let back = BdDiscInformation::parse(&b).unwrap();
        assert!(back.has_recordable_trailer());
        assert_eq!(back.disc_type(), *b"BDR");
        assert_eq!(
            (
                back.disc_manufacturer_id(),
                back.media_type_id(),
                back.product_revision()
            ),
            (*b"VERBAT", *b"IMe", 0)
        );
        assert!(!BdDiscInformation::single_layer(*b"BDO").has_recordable_trailer());
        assert_eq!(id_text(b"MEI\0\0\0"), "MEI");
        assert_eq!(id_text(b" A\x01B "), "A?B");
        assert_eq!(id_field::<3>("ABCD"), None);
    }

    proptest! {
        #[test]
        fn media_id_structures_round_trip(
            p1: [u8; 6], p2: [u8; 6], cat: u8, m: [u8; 8], t: [u8; 3], rev: u8,
        ) {
            let p = DvdPrePit { manufacturer_part1: p1, manufacturer_part2: p2 };
            prop_assert_eq!(DvdPrePit::parse(&p.to_bytes()), Ok(p));
            let a = AdipInformation {
                disc_category: cat, manufacturer_id: m, media_type_id: t, product_revision: rev,
            };
            prop_assert_eq!(AdipInformation::parse(&a.to_bytes()), Ok(a));
            let _ = (p.manufacturer_id(), id_text(&m));
        }

        #[test]
        fn media_id_parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(p) = DvdPrePit::parse(&bytes) {
                let _ = p.manufacturer_id();
            }
            let _ = AdipInformation::parse(&bytes);
            let d = BdDiscInformation::parse(&bytes).unwrap_or_default();
            let _ = (d.disc_manufacturer_id(), d.media_type_id(), d.product_revision());
            let v = DvdPrePitView::new_unchecked(&bytes[..]);
            let _ = (v.manufacturer_part1(), v.data_length());
            let a = AdipInformationView::new_unchecked(&bytes[..]);
            let _ = (a.manufacturer_id(), a.product_revision());
        }
    }
}
