//! The disc as a whole: READ DISC INFORMATION and its data block, READ TOC/PMA/ATIP with
//! TOC format 0 and session information (format 1), and READ DISC STRUCTURE with the
//! structures a recorder meets: DVD physical format information (format 00h), BD disc
//! information (format 00h) and the list of supported structures (format FFh)
//! (MMC-6 §6.22, §6.23, §6.25).
//!
//! CDBs are [`Command`]s whose `parse` rejects reserved code values in defined fields
//! (as SPC-4 defines "reserved"), so the virtual recorder answers them with ILLEGAL
//! REQUEST; reserved bits are ignored.
//!
//! Parameter data is read from the bytes actually transferred: no length field inside
//! the data is trusted (tgt's TOC answers are 2 bytes shorter than their own length field
//! says).

use crate::cdb::{check_cdb, Cdb, Command, OpCode};
use crate::wire::{
    self, be16, be32, be64, check_len, check_room, put_be16, put_be32, put_be64, put_u8, u8_at,
};

crate::wire_enum! {
    /// Disc Information Data Type (READ DISC INFORMATION byte 1 bits 0–2).
    #[derive(Default)]
    pub enum DiscInformationType: u8 & 0x07 {
        /// 000b: standard disc information ([`DiscInformation`]).
        #[default]
        Standard = 0 => "standard disc information",
        /// 001b: track resources information.
        TrackResources = 1 => "track resources information",
        /// 010b: POW resources information.
        PowResources = 2 => "POW resources information",
    }
}

/// MMC-6 §6.22 READ DISC INFORMATION.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReadDiscInformation {
    /// Which data block to return (byte 1 bits 0–2).
    pub data_type: DiscInformationType,
    /// Allocation length (bytes 7–8).
    pub alloc: u16,
}

impl ReadDiscInformation {
    /// Standard disc information, the 34-byte block.
    pub fn standard() -> Self {
        ReadDiscInformation {
            data_type: DiscInformationType::Standard,
            alloc: DiscInformation::LEN as u16,
        }
    }
}

impl Command for ReadDiscInformation {
    const OPCODE: OpCode = OpCode::ReadDiscInformation;
    const LEN: usize = 10;

    fn emit(&self) -> Cdb {
        let mut cdb = Cdb::new(Self::OPCODE, Self::LEN);
        let b = cdb.as_mut_bytes();
        put_u8(b, 1, u8::from(self.data_type));
        put_be16(b, 7, self.alloc);
        cdb
    }

    fn parse(cdb: &[u8]) -> wire::Result<Self> {
        check_cdb(cdb, Self::OPCODE, Self::LEN)?;
        let data_type = wire::named(u8_at(cdb, 1), "disc information data type")?;
        Ok(ReadDiscInformation {
            data_type,
            alloc: be16(cdb, 7),
        })
    }
}

crate::wire_enum! {
    /// State of Last Session (disc information byte 2 bits 2–3). Every 2-bit value is defined.
    pub enum SessionState: u8 & 0x03 exhaustive {
        /// 00b: empty session.
        Empty = 0 => "empty",
        /// 01b: incomplete session (appendable).
        Incomplete = 1 => "incomplete",
        /// 10b: reserved / damaged session.
        Damaged = 2 => "damaged",
        /// 11b: complete session (closed).
        Complete = 3 => "complete",
    }
}

crate::wire_enum! {
    /// Disc Status (disc information byte 2 bits 0–1). Every 2-bit value is defined.
    pub enum DiscStatus: u8 & 0x03 exhaustive {
        /// 00b: empty disc.
        Empty = 0 => "empty",
        /// 01b: incomplete disc (appendable).
        Incomplete = 1 => "incomplete",
        /// 10b: finalized disc.
        Complete = 2 => "complete",
        /// 11b: other (random-access media: DVD-RAM, DVD+RW, BD-RE, formatted media).
        Other = 3 => "other",
    }
}

crate::wire_enum! {
    /// BG Format Status (disc information byte 7 bits 0–1; CD-RW, DVD+RW, BD-RE).
    /// Every 2-bit value is defined.
    pub enum BgFormatStatus: u8 & 0x03 exhaustive {
        /// 00b: not background-formattable, or no format started.
        NotStarted = 0 => "not started",
        /// 01b: a background format was started, is not running and not complete.
        Suspended = 1 => "suspended",
        /// 10b: a background format is in progress.
        InProgress = 2 => "in progress",
        /// 11b: background formatting has completed.
        Completed = 3 => "completed",
    }
}

crate::wire_enum! {
    /// Disc Type (disc information byte 8): the CD session format of the first session.
    pub enum DiscType: u8 {
        /// 00h: CD-DA or CD-ROM (also what DVD and BD drives report).
        CdDaOrCdRom = 0x00 => "CD-DA or CD-ROM",
        /// 10h: CD-I.
        CdI = 0x10 => "CD-I",
        /// 20h: CD-ROM XA.
        CdRomXa = 0x20 => "CD-ROM XA",
        /// FFh: undefined (no session yet).
        Undefined = 0xFF => "undefined",
        /// Any other value, kept as received.
        Unknown => "unknown disc type",
    }
}

/// Byte offsets of the standard disc information block (MMC-6 §6.22).
mod field {
    pub const DATA_LENGTH: usize = 0;
    /// Data type bits 5–7, Erasable bit 4, session state bits 2–3, disc status bits 0–1.
    pub const STATUS: usize = 2;
    pub const FIRST_TRACK: usize = 3;
    pub const SESSIONS_LSB: usize = 4;
    pub const FIRST_TRACK_LAST_SESSION_LSB: usize = 5;
    pub const LAST_TRACK_LAST_SESSION_LSB: usize = 6;
    /// DID_V bit 7, DBC_V bit 6, URU bit 5, DAC_V bit 4, Dbit bit 2, BG format bits 0–1.
    pub const VALID: usize = 7;
    pub const DISC_TYPE: usize = 8;
    pub const SESSIONS_MSB: usize = 9;
    pub const FIRST_TRACK_LAST_SESSION_MSB: usize = 10;
    pub const LAST_TRACK_LAST_SESSION_MSB: usize = 11;
    pub const DISC_ID: usize = 12;
    pub const LEAD_IN: usize = 16;
    pub const LEAD_OUT: usize = 20;
    pub const BAR_CODE: usize = 24;
    pub const APPLICATION_CODE: usize = 32;
    pub const OPC_TABLES: usize = 33;
    pub const LEN: usize = 34;
}

const ERASABLE: u8 = 0x10;
const DID_V: u8 = 0x80;
const DBC_V: u8 = 0x40;
const URU: u8 = 0x20;
const DAC_V: u8 = 0x10;
const DBIT: u8 = 0x04;

/// A view over a standard disc information block; accessors never panic (bytes past the
/// end read as 0).
#[derive(Debug, Clone, Copy)]
pub struct DiscInformationView<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> DiscInformationView<T> {
    /// Wraps `buffer` without checking it.
    pub fn new_unchecked(buffer: T) -> Self {
        DiscInformationView { buffer }
    }

    /// Wraps `buffer`, failing when it is shorter than the 34-byte block.
    pub fn new_checked(buffer: T) -> wire::Result<Self> {
        check_len(buffer.as_ref(), field::LEN)?;
        Ok(DiscInformationView { buffer })
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// Disc Information Length (bytes 0–1), as the drive claims.
    pub fn data_length(&self) -> u16 {
        be16(self.b(), field::DATA_LENGTH)
    }
    /// Disc Information Data Type (byte 2 bits 5–7; 000b for this block).
    pub fn data_type(&self) -> u8 {
        u8_at(self.b(), field::STATUS) >> 5
    }
    /// Erasable (byte 2 bit 4).
    pub fn erasable(&self) -> bool {
        u8_at(self.b(), field::STATUS) & ERASABLE != 0
    }
    /// State of Last Session (byte 2 bits 2–3).
    pub fn last_session_state(&self) -> SessionState {
        SessionState::from(u8_at(self.b(), field::STATUS) >> 2)
    }
    /// Disc Status (byte 2 bits 0–1).
    pub fn disc_status(&self) -> DiscStatus {
        DiscStatus::from(u8_at(self.b(), field::STATUS))
    }
    /// Number of First Track on Disc (byte 3).
    pub fn first_track(&self) -> u8 {
        u8_at(self.b(), field::FIRST_TRACK)
    }
    fn lsb_msb(&self, lsb: usize, msb: usize) -> u16 {
        u16::from_be_bytes([u8_at(self.b(), msb), u8_at(self.b(), lsb)])
    }
    /// Number of Sessions (byte 4 LSB, byte 9 MSB).
    pub fn sessions(&self) -> u16 {
        self.lsb_msb(field::SESSIONS_LSB, field::SESSIONS_MSB)
    }
    /// First Track Number in Last Session (byte 5 LSB, byte 10 MSB).
    pub fn first_track_in_last_session(&self) -> u16 {
        self.lsb_msb(
            field::FIRST_TRACK_LAST_SESSION_LSB,
            field::FIRST_TRACK_LAST_SESSION_MSB,
        )
    }
    /// Last Track Number in Last Session (byte 6 LSB, byte 11 MSB).
    pub fn last_track_in_last_session(&self) -> u16 {
        self.lsb_msb(
            field::LAST_TRACK_LAST_SESSION_LSB,
            field::LAST_TRACK_LAST_SESSION_MSB,
        )
    }
    /// DID_V (byte 7 bit 7): the disc identification is valid.
    pub fn did_v(&self) -> bool {
        u8_at(self.b(), field::VALID) & DID_V != 0
    }
    /// DBC_V (byte 7 bit 6): the disc bar code is valid.
    pub fn dbc_v(&self) -> bool {
        u8_at(self.b(), field::VALID) & DBC_V != 0
    }
    /// URU (byte 7 bit 5): unrestricted use disc.
    pub fn uru(&self) -> bool {
        u8_at(self.b(), field::VALID) & URU != 0
    }
    /// DAC_V (byte 7 bit 4): the disc application code is valid.
    pub fn dac_v(&self) -> bool {
        u8_at(self.b(), field::VALID) & DAC_V != 0
    }
    /// Dbit (byte 7 bit 2): MRW dirty bit.
    pub fn dbit(&self) -> bool {
        u8_at(self.b(), field::VALID) & DBIT != 0
    }
    /// BG Format Status (byte 7 bits 0–1).
    pub fn bg_format_status(&self) -> BgFormatStatus {
        BgFormatStatus::from(u8_at(self.b(), field::VALID))
    }
    /// Disc Type (byte 8).
    pub fn disc_type(&self) -> DiscType {
        DiscType::from(u8_at(self.b(), field::DISC_TYPE))
    }
    /// Disc Identification (bytes 12–15).
    pub fn disc_id(&self) -> u32 {
        be32(self.b(), field::DISC_ID)
    }
    /// Last Session Lead-in Start Address (bytes 16–19; MSF on CD, LBA otherwise).
    pub fn last_session_lead_in_start(&self) -> u32 {
        be32(self.b(), field::LEAD_IN)
    }
    /// Last Possible Lead-out Start Address (bytes 20–23; MSF on CD, LBA otherwise).
    pub fn last_possible_lead_out_start(&self) -> u32 {
        be32(self.b(), field::LEAD_OUT)
    }
    /// Disc Bar Code (bytes 24–31).
    pub fn disc_bar_code(&self) -> u64 {
        be64(self.b(), field::BAR_CODE)
    }
    /// Disc Application Code (byte 32).
    pub fn disc_application_code(&self) -> u8 {
        u8_at(self.b(), field::APPLICATION_CODE)
    }
    /// Number of OPC Tables (byte 33).
    pub fn opc_tables(&self) -> u8 {
        u8_at(self.b(), field::OPC_TABLES)
    }
}

/// Standard disc information (MMC-6 §6.22, data type 000b): the disc's recording state.
///
/// Fields guarded by a validity bit (DID_V, DBC_V, DAC_V) are `Option`s. The OPC table
/// entries that may follow byte 33 are not kept; [`emit`](Self::emit) writes none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DiscInformation {
    /// Erasable (byte 2 bit 4): CD-RW, DVD-RW, DVD+RW, DVD-RAM, BD-RE.
    pub erasable: bool,
    /// State of Last Session (byte 2 bits 2–3).
    pub last_session_state: SessionState,
    /// Disc Status (byte 2 bits 0–1).
    pub disc_status: DiscStatus,
    /// Number of First Track on Disc (byte 3).
    pub first_track: u8,
    /// Number of Sessions (bytes 4 and 9).
    pub sessions: u16,
    /// First Track Number in Last Session (bytes 5 and 10).
    pub first_track_in_last_session: u16,
    /// Last Track Number in Last Session (bytes 6 and 11).
    pub last_track_in_last_session: u16,
    /// Disc Identification (bytes 12–15) when DID_V is set.
    pub disc_id: Option<u32>,
    /// Disc Bar Code (bytes 24–31) when DBC_V is set.
    pub disc_bar_code: Option<u64>,
    /// URU, unrestricted use (byte 7 bit 5).
    pub unrestricted_use: bool,
    /// Disc Application Code (byte 32) when DAC_V is set.
    pub disc_application_code: Option<u8>,
    /// Dbit, the MRW dirty bit (byte 7 bit 2).
    pub dbit: bool,
    /// BG Format Status (byte 7 bits 0–1).
    pub bg_format_status: BgFormatStatus,
    /// Disc Type (byte 8).
    pub disc_type: DiscType,
    /// Last Session Lead-in Start Address (bytes 16–19; MSF on CD, LBA otherwise).
    pub last_session_lead_in_start: u32,
    /// Last Possible Lead-out Start Address (bytes 20–23; MSF on CD, LBA otherwise).
    pub last_possible_lead_out_start: u32,
}

impl DiscInformation {
    /// Size of the block without OPC tables.
    pub const LEN: usize = field::LEN;

    /// A blank write-once disc: empty, one (empty) session whose first/last track is 1.
    /// `lead_out` is the last possible lead-out start (the disc's capacity in blocks on
    /// DVD and BD).
    pub fn blank(lead_out: u32) -> Self {
        DiscInformation {
            erasable: false,
            last_session_state: SessionState::Empty,
            disc_status: DiscStatus::Empty,
            first_track: 1,
            sessions: 1,
            first_track_in_last_session: 1,
            last_track_in_last_session: 1,
            disc_id: None,
            disc_bar_code: None,
            unrestricted_use: true,
            disc_application_code: None,
            dbit: false,
            bg_format_status: BgFormatStatus::NotStarted,
            disc_type: DiscType::CdDaOrCdRom,
            last_session_lead_in_start: 0,
            last_possible_lead_out_start: lead_out,
        }
    }

    /// Parses a standard disc information block (at least 34 bytes; a data type other
    /// than 000b in byte 2 is rejected, it is a different block).
    pub fn parse(buf: &[u8]) -> wire::Result<Self> {
        let v = DiscInformationView::new_checked(buf)?;
        if v.data_type() != 0 {
            return Err(wire::Error::Invalid {
                field: "disc information data type",
                value: u64::from(v.data_type()),
            });
        }
        Ok(DiscInformation {
            erasable: v.erasable(),
            last_session_state: v.last_session_state(),
            disc_status: v.disc_status(),
            first_track: v.first_track(),
            sessions: v.sessions(),
            first_track_in_last_session: v.first_track_in_last_session(),
            last_track_in_last_session: v.last_track_in_last_session(),
            disc_id: v.did_v().then(|| v.disc_id()),
            disc_bar_code: v.dbc_v().then(|| v.disc_bar_code()),
            unrestricted_use: v.uru(),
            disc_application_code: v.dac_v().then(|| v.disc_application_code()),
            dbit: v.dbit(),
            bg_format_status: v.bg_format_status(),
            disc_type: v.disc_type(),
            last_session_lead_in_start: v.last_session_lead_in_start(),
            last_possible_lead_out_start: v.last_possible_lead_out_start(),
        })
    }

    /// Bytes [`emit`](Self::emit) writes (34).
    pub fn buffer_len(&self) -> usize {
        field::LEN
    }

    /// Writes the 34-byte block (length field 32, no OPC tables); returns the bytes written.
    pub fn emit(&self, buf: &mut [u8]) -> wire::Result<usize> {
        check_room(buf, field::LEN)?;
        let out = &mut buf[..field::LEN];
        out.fill(0);
        put_be16(out, field::DATA_LENGTH, (field::LEN - 2) as u16);
        put_u8(
            out,
            field::STATUS,
            if self.erasable { ERASABLE } else { 0 }
                | u8::from(self.last_session_state) << 2
                | u8::from(self.disc_status),
        );
        put_u8(out, field::FIRST_TRACK, self.first_track);
        let [s_msb, s_lsb] = self.sessions.to_be_bytes();
        let [f_msb, f_lsb] = self.first_track_in_last_session.to_be_bytes();
        let [l_msb, l_lsb] = self.last_track_in_last_session.to_be_bytes();
        put_u8(out, field::SESSIONS_LSB, s_lsb);
        put_u8(out, field::SESSIONS_MSB, s_msb);
        put_u8(out, field::FIRST_TRACK_LAST_SESSION_LSB, f_lsb);
        put_u8(out, field::FIRST_TRACK_LAST_SESSION_MSB, f_msb);
        put_u8(out, field::LAST_TRACK_LAST_SESSION_LSB, l_lsb);
        put_u8(out, field::LAST_TRACK_LAST_SESSION_MSB, l_msb);
        let mut valid = u8::from(self.bg_format_status);
        if self.disc_id.is_some() {
            valid |= DID_V;
        }
        if self.disc_bar_code.is_some() {
            valid |= DBC_V;
        }
        if self.unrestricted_use {
            valid |= URU;
        }
        if self.disc_application_code.is_some() {
            valid |= DAC_V;
        }
        if self.dbit {
            valid |= DBIT;
        }
        put_u8(out, field::VALID, valid);
        put_u8(out, field::DISC_TYPE, u8::from(self.disc_type));
        put_be32(out, field::DISC_ID, self.disc_id.unwrap_or(0));
        put_be32(out, field::LEAD_IN, self.last_session_lead_in_start);
        put_be32(out, field::LEAD_OUT, self.last_possible_lead_out_start);
        put_be64(out, field::BAR_CODE, self.disc_bar_code.unwrap_or(0));
        put_u8(
            out,
            field::APPLICATION_CODE,
            self.disc_application_code.unwrap_or(0),
        );
        Ok(field::LEN)
    }
}

crate::wire_enum! {
    /// Format of READ TOC/PMA/ATIP (byte 2 bits 0–3).
    #[derive(Default)]
    pub enum TocFormat: u8 & 0x0F {
        /// 0h: formatted TOC ([`Toc`]).
        #[default]
        Toc = 0 => "TOC",
        /// 1h: multi-session information ([`SessionInfo`]).
        SessionInfo = 1 => "session information",
        /// 2h: full (raw) TOC.
        FullToc = 2 => "full TOC",
        /// 3h: PMA.
        Pma = 3 => "PMA",
        /// 4h: ATIP.
        Atip = 4 => "ATIP",
        /// 5h: CD-TEXT.
        CdText = 5 => "CD-TEXT",
    }
}

/// MMC-6 §6.25 READ TOC/PMA/ATIP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReadTocPmaAtip {
    /// MSF (byte 1 bit 1): addresses as 00h:M:S:F instead of LBAs.
    pub msf: bool,
    /// Format (byte 2 bits 0–3).
    pub format: TocFormat,
    /// Track/Session Number (byte 6): first track for format 0, session for format 2.
    pub track_session: u8,
    /// Allocation length (bytes 7–8).
    pub alloc: u16,
}

const MSF: u8 = 0x02;

impl Command for ReadTocPmaAtip {
    const OPCODE: OpCode = OpCode::ReadTocPmaAtip;
    const LEN: usize = 10;

    fn emit(&self) -> Cdb {
        let mut cdb = Cdb::new(Self::OPCODE, Self::LEN);
        let b = cdb.as_mut_bytes();
        put_u8(b, 1, if self.msf { MSF } else { 0 });
        put_u8(b, 2, u8::from(self.format));
        put_u8(b, 6, self.track_session);
        put_be16(b, 7, self.alloc);
        cdb
    }

    fn parse(cdb: &[u8]) -> wire::Result<Self> {
        check_cdb(cdb, Self::OPCODE, Self::LEN)?;
        let format = wire::named(u8_at(cdb, 2), "TOC format")?;
        Ok(ReadTocPmaAtip {
            msf: u8_at(cdb, 1) & MSF != 0,
            format,
            track_session: u8_at(cdb, 6),
            alloc: be16(cdb, 7),
        })
    }
}

/// A CD address in minutes, seconds and frames (75 frames a second), as TOC and disc
/// information carry it when MSF is requested: a 4-byte field `00h M S F`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Msf {
    /// Minutes.
    pub m: u8,
    /// Seconds (0–59).
    pub s: u8,
    /// Frames (0–74).
    pub f: u8,
}

impl Msf {
    /// Reads the 4-byte address field form (`00h M S F`).
    pub fn from_address(address: u32) -> Self {
        let [_, m, s, f] = address.to_be_bytes();
        Msf { m, s, f }
    }

    /// The 4-byte address field form (`00h M S F`).
    pub fn to_address(self) -> u32 {
        u32::from_be_bytes([0, self.m, self.s, self.f])
    }

    /// The LBA this address names (MMC-6 Annex: LBA = (M·60 + S)·75 + F − 150; addresses
    /// from 90:00:00 up name the lead-in, LBA = … − 450150).
    pub fn to_lba(self) -> i32 {
        let frames = (i32::from(self.m) * 60 + i32::from(self.s)) * 75 + i32::from(self.f);
        if self.m >= 90 {
            frames - 450_150
        } else {
            frames - 150
        }
    }

    /// The address of `lba` (−45150 ≤ lba < 404850 maps exactly; minutes saturate at 255).
    pub fn from_lba(lba: i32) -> Self {
        let frames = if lba >= -150 {
            i64::from(lba) + 150
        } else {
            i64::from(lba) + 450_150
        }
        .max(0);
        Msf {
            m: (frames / 4500).min(255) as u8,
            s: ((frames / 75) % 60) as u8,
            f: (frames % 75) as u8,
        }
    }
}

/// Track number of the lead-out in a TOC.
pub const LEAD_OUT_TRACK: u8 = 0xAA;

/// One TOC track descriptor (8 bytes): ADR/CONTROL, track number, start address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TocTrack {
    /// ADR (byte 1 bits 4–7): Q sub-channel content, 1 for a position.
    pub adr: u8,
    /// CONTROL (byte 1 bits 0–3): 4 = data uninterrupted, 5 = data incremental.
    pub control: u8,
    /// Track number (byte 2); [`LEAD_OUT_TRACK`] for the lead-out.
    pub track: u8,
    /// Track start address (bytes 4–7): an LBA, or `00h M S F` ([`Msf::from_address`])
    /// when the CDB's MSF bit was set.
    pub address: u32,
}

impl TocTrack {
    const LEN: usize = 8;

    fn read(d: &[u8]) -> Self {
        TocTrack {
            adr: u8_at(d, 1) >> 4,
            control: u8_at(d, 1) & 0x0F,
            track: u8_at(d, 2),
            address: be32(d, 4),
        }
    }

    fn write(&self, d: &mut [u8]) {
        put_u8(d, 0, 0);
        put_u8(d, 1, (self.adr & 0x0F) << 4 | (self.control & 0x0F));
        put_u8(d, 2, self.track);
        put_u8(d, 3, 0);
        put_be32(d, 4, self.address);
    }
}

/// A view over READ TOC/PMA/ATIP format 0 or 1 data: a 4-byte header and 8-byte track
/// descriptors. Accessors never panic; only descriptors wholly present are reachable.
#[derive(Debug, Clone, Copy)]
pub struct TocView<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> TocView<T> {
    /// Wraps `buffer` without checking it.
    pub fn new_unchecked(buffer: T) -> Self {
        TocView { buffer }
    }

    /// Wraps `buffer`, failing when it is shorter than the 4-byte header.
    pub fn new_checked(buffer: T) -> wire::Result<Self> {
        check_len(buffer.as_ref(), 4)?;
        Ok(TocView { buffer })
    }

    /// TOC Data Length (bytes 0–1), as the device claims (tgt claims 2 bytes too many).
    pub fn data_length(&self) -> u16 {
        be16(self.buffer.as_ref(), 0)
    }
    /// First Track Number (format 0) or First Complete Session Number (format 1), byte 2.
    pub fn first(&self) -> u8 {
        u8_at(self.buffer.as_ref(), 2)
    }
    /// Last Track Number (format 0) or Last Complete Session Number (format 1), byte 3.
    pub fn last(&self) -> u8 {
        u8_at(self.buffer.as_ref(), 3)
    }
    /// Number of whole 8-byte descriptors present, the smaller of what was transferred
    /// and what the length field claims.
    pub fn descriptor_count(&self) -> usize {
        let present = self.buffer.as_ref().len().saturating_sub(4);
        let claimed = usize::from(self.data_length()).saturating_sub(2);
        present.min(claimed) / TocTrack::LEN
    }
    /// Descriptor `i`, when wholly present.
    pub fn descriptor(&self, i: usize) -> Option<TocTrack> {
        if i >= self.descriptor_count() {
            return None;
        }
        let at = 4 + i * TocTrack::LEN;
        self.buffer
            .as_ref()
            .get(at..at + TocTrack::LEN)
            .map(TocTrack::read)
    }
}

/// READ TOC/PMA/ATIP format 0 data, the formatted TOC (MMC-6 §6.25.3.2).
///
/// Only whole descriptors present in both the transferred bytes and the length field are
/// kept: a trailing partial descriptor (tgt returns the lead-out 2 bytes short) is dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Toc {
    /// First Track Number (byte 2).
    pub first_track: u8,
    /// Last Track Number (byte 3).
    pub last_track: u8,
    /// Track descriptors in order, the lead-out ([`LEAD_OUT_TRACK`]) last.
    pub tracks: Vec<TocTrack>,
}

/// Most descriptors a 16-bit TOC data length can describe.
const MAX_TOC_DESCRIPTORS: usize = (u16::MAX as usize - 2) / TocTrack::LEN;

impl Toc {
    /// Parses format 0 data.
    pub fn parse(buf: &[u8]) -> wire::Result<Self> {
        let v = TocView::new_checked(buf)?;
        let tracks = (0..v.descriptor_count())
            .filter_map(|i| v.descriptor(i))
            .collect();
        Ok(Toc {
            first_track: v.first(),
            last_track: v.last(),
            tracks,
        })
    }

    /// Bytes [`emit`](Self::emit) writes: 4 + 8 per descriptor.
    pub fn buffer_len(&self) -> usize {
        4 + TocTrack::LEN * self.tracks.len()
    }

    /// Writes the TOC with a correct length field; returns the bytes written. Fails with
    /// [`wire::Error::Invalid`] past 8191 descriptors (the length field's limit).
    pub fn emit(&self, buf: &mut [u8]) -> wire::Result<usize> {
        if self.tracks.len() > MAX_TOC_DESCRIPTORS {
            return Err(wire::Error::Invalid {
                field: "TOC descriptor count",
                value: self.tracks.len() as u64,
            });
        }
        let len = self.buffer_len();
        check_room(buf, len)?;
        put_be16(buf, 0, (len - 2) as u16);
        put_u8(buf, 2, self.first_track);
        put_u8(buf, 3, self.last_track);
        for (t, d) in self
            .tracks
            .iter()
            .zip(buf[4..len].chunks_mut(TocTrack::LEN))
        {
            t.write(d);
        }
        Ok(len)
    }
}

/// READ TOC/PMA/ATIP format 1 data, multi-session information (MMC-6 §6.25.3.3): the
/// first and last complete session and where the last complete session's first track
/// starts (what a multi-session ISO 9660 writer needs).
///
/// tgt sends 10 of the 12 bytes; the descriptor is then `None`, the header still valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionInfo {
    /// First Complete Session Number (byte 2).
    pub first_session: u8,
    /// Last Complete Session Number (byte 3).
    pub last_session: u8,
    /// The first track in the last complete session (bytes 4–11), when wholly transferred.
    pub last_session_first_track: Option<TocTrack>,
}

impl SessionInfo {
    /// Parses format 1 data.
    pub fn parse(buf: &[u8]) -> wire::Result<Self> {
        let v = TocView::new_checked(buf)?;
        Ok(SessionInfo {
            first_session: v.first(),
            last_session: v.last(),
            last_session_first_track: v.descriptor(0),
        })
    }

    /// Bytes [`emit`](Self::emit) writes: 12, or 4 without a descriptor.
    pub fn buffer_len(&self) -> usize {
        if self.last_session_first_track.is_some() {
            4 + TocTrack::LEN
        } else {
            4
        }
    }

    /// Writes the data with a correct length field; returns the bytes written.
    pub fn emit(&self, buf: &mut [u8]) -> wire::Result<usize> {
        let len = self.buffer_len();
        check_room(buf, len)?;
        put_be16(buf, 0, (len - 2) as u16);
        put_u8(buf, 2, self.first_session);
        put_u8(buf, 3, self.last_session);
        if let Some(t) = &self.last_session_first_track {
            t.write(&mut buf[4..len]);
        }
        Ok(len)
    }
}

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

/// MMC-6 §6.23 READ DISC STRUCTURE (CDB only; the structures are format-specific).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReadDiscStructure {
    /// Media Type (byte 1 bits 0–3).
    pub media_type: DiscStructureMedia,
    /// Address (bytes 2–5), format-dependent.
    pub address: u32,
    /// Layer Number (byte 6).
    pub layer: u8,
    /// Format Code (byte 7): e.g. 00h physical format, 0Ah DVD+R recorded-layer info,
    /// FFh list of supported structures.
    pub format: u8,
    /// Allocation length (bytes 8–9).
    pub alloc: u16,
    /// AGID, authentication grant ID (byte 10 bits 6–7).
    pub agid: u8,
}

impl Command for ReadDiscStructure {
    const OPCODE: OpCode = OpCode::ReadDiscStructure;
    const LEN: usize = 12;

    fn emit(&self) -> Cdb {
        let mut cdb = Cdb::new(Self::OPCODE, Self::LEN);
        let b = cdb.as_mut_bytes();
        put_u8(b, 1, u8::from(self.media_type));
        put_be32(b, 2, self.address);
        put_u8(b, 6, self.layer);
        put_u8(b, 7, self.format);
        put_be16(b, 8, self.alloc);
        put_u8(b, 10, (self.agid & 0x03) << 6);
        cdb
    }

    fn parse(cdb: &[u8]) -> wire::Result<Self> {
        check_cdb(cdb, Self::OPCODE, Self::LEN)?;
        let media_type = wire::named(u8_at(cdb, 1), "disc structure media type")?;
        Ok(ReadDiscStructure {
            media_type,
            address: be32(cdb, 2),
            layer: u8_at(cdb, 6),
            format: u8_at(cdb, 7),
            alloc: be16(cdb, 8),
            agid: u8_at(cdb, 10) >> 6,
        })
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

/// A view over READ DISC STRUCTURE format 00h data of a DVD (header + layer
/// descriptor); accessors never panic (bytes past the end read as 0).
#[derive(Debug, Clone, Copy)]
pub struct DvdPhysicalFormatView<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> DvdPhysicalFormatView<T> {
    /// Wraps `buffer` without checking it.
    pub fn new_unchecked(buffer: T) -> Self {
        DvdPhysicalFormatView { buffer }
    }

    /// Wraps `buffer`, failing when it is shorter than header + the 17 defined bytes.
    pub fn new_checked(buffer: T) -> wire::Result<Self> {
        check_len(buffer.as_ref(), DvdPhysicalFormat::MIN_LEN)?;
        Ok(DvdPhysicalFormatView { buffer })
    }

    fn d(&self, at: usize) -> u8 {
        u8_at(self.buffer.as_ref(), DISC_STRUCTURE_HEADER_LEN + at)
    }
    fn d32(&self, at: usize) -> u32 {
        be32(self.buffer.as_ref(), DISC_STRUCTURE_HEADER_LEN + at)
    }

    /// Disc Structure Data Length (bytes 0–1), as the drive claims.
    pub fn data_length(&self) -> u16 {
        be16(self.buffer.as_ref(), 0)
    }
    /// Book Type (descriptor byte 0 bits 4–7).
    pub fn book_type(&self) -> BookType {
        BookType::from(self.d(0) >> 4)
    }
    /// Part Version (descriptor byte 0 bits 0–3).
    pub fn part_version(&self) -> u8 {
        self.d(0) & 0x0F
    }
    /// Disc Size (descriptor byte 1 bits 4–7): 0 = 120 mm, 1 = 80 mm.
    pub fn disc_size(&self) -> u8 {
        self.d(1) >> 4
    }
    /// Maximum Rate (descriptor byte 1 bits 0–3): 0 = 2.52, 1 = 5.04, 2 = 10.08 Mbps,
    /// Fh = not specified.
    pub fn maximum_rate(&self) -> u8 {
        self.d(1) & 0x0F
    }
    /// Number of Layers (descriptor byte 2 bits 5–6, stored as layers − 1).
    pub fn layers(&self) -> u8 {
        ((self.d(2) >> 5) & 0x03) + 1
    }
    /// Track Path (descriptor byte 2 bit 4): 0 = parallel (PTP), 1 = opposite (OTP).
    pub fn opposite_track_path(&self) -> bool {
        self.d(2) & 0x10 != 0
    }
    /// Layer Type (descriptor byte 2 bits 0–3), see [`layer_type`].
    pub fn layer_type(&self) -> u8 {
        self.d(2) & 0x0F
    }
    /// Linear Density (descriptor byte 3 bits 4–7): 0 = 0.267 µm/bit.
    pub fn linear_density(&self) -> u8 {
        self.d(3) >> 4
    }
    /// Track Density (descriptor byte 3 bits 0–3): 0 = 0.74 µm/track.
    pub fn track_density(&self) -> u8 {
        self.d(3) & 0x0F
    }
    /// Starting Physical Sector Number of Data Area (descriptor bytes 5–7).
    pub fn data_area_start(&self) -> u32 {
        self.d32(4) & 0xFF_FFFF
    }
    /// End Physical Sector Number of Data Area (descriptor bytes 9–11).
    pub fn data_area_end(&self) -> u32 {
        self.d32(8) & 0xFF_FFFF
    }
    /// End Sector Number in Layer 0 (descriptor bytes 13–15; OTP dual layer).
    pub fn end_sector_layer0(&self) -> u32 {
        self.d32(12) & 0xFF_FFFF
    }
    /// BCA Flag (descriptor byte 16 bit 7): a burst cutting area exists.
    pub fn bca(&self) -> bool {
        self.d(16) & 0x80 != 0
    }
}

/// READ DISC STRUCTURE format 00h of a DVD, physical format information (MMC-6
/// §6.23.3.2.1): the layer descriptor of the layer asked for. The media-specific bytes
/// 17–2047 are not kept; [`emit`](Self::emit) writes them as zeros.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DvdPhysicalFormat {
    /// Book Type (byte 0 bits 4–7).
    pub book_type: BookType,
    /// Part Version (byte 0 bits 0–3).
    pub part_version: u8,
    /// Disc Size (byte 1 bits 4–7).
    pub disc_size: u8,
    /// Maximum Rate (byte 1 bits 0–3).
    pub maximum_rate: u8,
    /// Number of layers, 1–4 (byte 2 bits 5–6 hold layers − 1).
    pub layers: u8,
    /// Track Path (byte 2 bit 4): opposite track path.
    pub opposite_track_path: bool,
    /// Layer Type (byte 2 bits 0–3).
    pub layer_type: u8,
    /// Linear Density (byte 3 bits 4–7).
    pub linear_density: u8,
    /// Track Density (byte 3 bits 0–3).
    pub track_density: u8,
    /// Starting Physical Sector Number of Data Area (24 bits).
    pub data_area_start: u32,
    /// End Physical Sector Number of Data Area (24 bits).
    pub data_area_end: u32,
    /// End Sector Number in Layer 0 (24 bits).
    pub end_sector_layer0: u32,
    /// BCA Flag (byte 16 bit 7).
    pub bca: bool,
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

    /// User sectors between data area start and end (single layer, PTP).
    pub fn sectors(&self) -> u32 {
        (self.data_area_end + 1).saturating_sub(self.data_area_start)
    }

    /// Parses the answer from the bytes transferred (header and at least the 17 defined
    /// descriptor bytes).
    pub fn parse(buf: &[u8]) -> wire::Result<Self> {
        let v = DvdPhysicalFormatView::new_checked(buf)?;
        Ok(DvdPhysicalFormat {
            book_type: v.book_type(),
            part_version: v.part_version(),
            disc_size: v.disc_size(),
            maximum_rate: v.maximum_rate(),
            layers: v.layers(),
            opposite_track_path: v.opposite_track_path(),
            layer_type: v.layer_type(),
            linear_density: v.linear_density(),
            track_density: v.track_density(),
            data_area_start: v.data_area_start(),
            data_area_end: v.data_area_end(),
            end_sector_layer0: v.end_sector_layer0(),
            bca: v.bca(),
        })
    }

    /// Bytes [`emit`](Self::emit) writes: header + 2048.
    pub fn buffer_len(&self) -> usize {
        DISC_STRUCTURE_HEADER_LEN + Self::DESCRIPTOR_LEN
    }

    /// Writes header and descriptor; returns the bytes written. Nibble fields keep their
    /// low 4 bits, sector numbers their low 24, `layers` is taken as 1–4.
    pub fn emit(&self, buf: &mut [u8]) -> wire::Result<usize> {
        let len = self.buffer_len();
        check_room(buf, len)?;
        let out = &mut buf[..len];
        out.fill(0);
        put_structure_header(out, Self::DESCRIPTOR_LEN);
        let d = &mut out[DISC_STRUCTURE_HEADER_LEN..];
        put_u8(
            d,
            0,
            u8::from(self.book_type) << 4 | (self.part_version & 0x0F),
        );
        put_u8(
            d,
            1,
            (self.disc_size & 0x0F) << 4 | (self.maximum_rate & 0x0F),
        );
        put_u8(
            d,
            2,
            (self.layers.clamp(1, 4) - 1) << 5
                | u8::from(self.opposite_track_path) << 4
                | (self.layer_type & 0x0F),
        );
        put_u8(
            d,
            3,
            (self.linear_density & 0x0F) << 4 | (self.track_density & 0x0F),
        );
        put_be32(d, 4, self.data_area_start & 0xFF_FFFF);
        put_be32(d, 8, self.data_area_end & 0xFF_FFFF);
        put_be32(d, 12, self.end_sector_layer0 & 0xFF_FFFF);
        put_u8(d, 16, if self.bca { 0x80 } else { 0 });
        Ok(len)
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
    /// Bytes of one DI unit.
    pub const UNIT_LEN: usize = 64;
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
    use proptest::prelude::*;

    fn round_trip<C: Command + PartialEq + core::fmt::Debug>(c: C) {
        let cdb = c.emit();
        assert_eq!(cdb.as_bytes().len(), C::LEN);
        assert_eq!(cdb.opcode(), C::OPCODE);
        assert_eq!(C::parse(cdb.as_bytes()).unwrap(), c);
    }

    #[test]
    fn read_disc_information_bytes() {
        let c = ReadDiscInformation::standard();
        let raw = [0x51, 0, 0, 0, 0, 0, 0, 0x00, 0x22, 0];
        assert_eq!(c.emit().as_bytes(), &raw);
        assert_eq!(ReadDiscInformation::parse(&raw).unwrap(), c);
        let tr = [0x51, 0x01, 0, 0, 0, 0, 0, 0x00, 0x0C, 0];
        assert_eq!(
            ReadDiscInformation::parse(&tr).unwrap(),
            ReadDiscInformation {
                data_type: DiscInformationType::TrackResources,
                alloc: 12
            }
        );
        let pow = [0x51, 0x02, 0, 0, 0, 0, 0, 0x01, 0x00, 0];
        assert_eq!(
            ReadDiscInformation::parse(&pow).unwrap().data_type,
            DiscInformationType::PowResources
        );
        assert_eq!(
            ReadDiscInformation::parse(&[0x51, 0x03, 0, 0, 0, 0, 0, 0, 0x22, 0]),
            Err(wire::Error::Invalid {
                field: "disc information data type",
                value: 3
            })
        );
        assert!(ReadDiscInformation::parse(&raw[..9]).is_err());
    }

    /// tgt's DVD+R disc information, byte for byte (blank disc, DAC_V set).
    const TGT_DVD_PLUS_R: [u8; 34] = [
        0x00, 0x20, // length 32
        0x00, // data type 0, not erasable, empty session, empty disc
        0x01, // first track
        0x01, // sessions LSB
        0x01, 0x01, // first/last track in last session LSB
        0x10, // DAC_V
        0x00, // disc type CD-DA/CD-ROM
        0x00, 0x00, 0x00, // MSBs
        0x00, 0x00, 0x00, 0x00, // disc id
        0x00, 0x00, 0x00, 0x00, // lead-in
        0x00, 0x23, 0x05, 0x40, // last possible lead-out 2,295,104
        0, 0, 0, 0, 0, 0, 0, 0,    // bar code
        0x00, // application code
        0x00, // OPC tables
    ];

    #[test]
    fn disc_information_tgt() {
        let di = DiscInformation::parse(&TGT_DVD_PLUS_R).unwrap();
        assert_eq!(
            di,
            DiscInformation {
                erasable: false,
                last_session_state: SessionState::Empty,
                disc_status: DiscStatus::Empty,
                first_track: 1,
                sessions: 1,
                first_track_in_last_session: 1,
                last_track_in_last_session: 1,
                disc_id: None,
                disc_bar_code: None,
                unrestricted_use: false,
                disc_application_code: Some(0),
                dbit: false,
                bg_format_status: BgFormatStatus::NotStarted,
                disc_type: DiscType::CdDaOrCdRom,
                last_session_lead_in_start: 0,
                last_possible_lead_out_start: 2_295_104,
            }
        );
        let mut out = [0xEEu8; 40];
        assert_eq!(di.emit(&mut out), Ok(34));
        assert_eq!(out[..34], TGT_DVD_PLUS_R);
        assert_eq!(out[34], 0xEE);
    }

    #[test]
    fn disc_information_every_field() {
        let raw: [u8; 34] = [
            0x00, 0x20, //
            0x15, // erasable, session incomplete (01b), disc status incomplete (01b)
            0x01, // first track
            0x2C, 0x2D, 0x2E, // sessions / first / last track LSB
            0xF7, // DID_V DBC_V URU DAC_V, Dbit, BG format completed
            0x20, // CD-ROM XA
            0x01, 0x01, 0x01, // MSBs: 300 sessions, tracks 301 and 302
            0xDE, 0xAD, 0xBE, 0xEF, // disc id
            0x00, 0x61, 0x1A, 0x00, // lead-in 97:26:00 (MSF)
            0x00, 0x4F, 0x3B, 0x4A, // lead-out 79:59:74 (MSF)
            1, 2, 3, 4, 5, 6, 7, 8,    // bar code
            0x42, // application code
            0x00,
        ];
        let di = DiscInformation::parse(&raw).unwrap();
        assert!(di.erasable && di.unrestricted_use && di.dbit);
        assert_eq!(di.last_session_state, SessionState::Incomplete);
        assert_eq!(di.disc_status, DiscStatus::Incomplete);
        assert_eq!(di.sessions, 300);
        assert_eq!(di.first_track_in_last_session, 301);
        assert_eq!(di.last_track_in_last_session, 302);
        assert_eq!(di.disc_id, Some(0xDEAD_BEEF));
        assert_eq!(di.disc_bar_code, Some(0x0102_0304_0506_0708));
        assert_eq!(di.disc_application_code, Some(0x42));
        assert_eq!(di.bg_format_status, BgFormatStatus::Completed);
        assert_eq!(di.disc_type, DiscType::CdRomXa);
        assert_eq!(
            Msf::from_address(di.last_possible_lead_out_start).to_lba(),
            359_849
        );
        assert_eq!(
            Msf::from_address(di.last_session_lead_in_start).to_lba(),
            -11_700
        );
        let mut out = [0u8; 34];
        assert_eq!(di.emit(&mut out), Ok(34));
        assert_eq!(out, raw);

        // Validity bits clear: the guarded fields are absent whatever the bytes hold.
        let mut cleared = raw;
        cleared[7] = 0x02;
        let di = DiscInformation::parse(&cleared).unwrap();
        assert_eq!(
            (di.disc_id, di.disc_bar_code, di.disc_application_code),
            (None, None, None)
        );
        assert_eq!(di.bg_format_status, BgFormatStatus::InProgress);

        let mut complete = raw;
        complete[2] = 0x0E;
        let di = DiscInformation::parse(&complete).unwrap();
        assert_eq!(di.last_session_state, SessionState::Complete);
        assert_eq!(di.disc_status, DiscStatus::Complete);
        complete[2] = 0x0B;
        let di = DiscInformation::parse(&complete).unwrap();
        assert_eq!(di.last_session_state, SessionState::Damaged);
        assert_eq!(di.disc_status, DiscStatus::Other);
        complete[8] = 0x77;
        assert_eq!(
            DiscInformation::parse(&complete).unwrap().disc_type,
            DiscType::Unknown(0x77)
        );
    }

    #[test]
    fn disc_information_rejects_short_and_other_types() {
        assert_eq!(
            DiscInformation::parse(&TGT_DVD_PLUS_R[..33]),
            Err(wire::Error::Truncated {
                needed: 34,
                available: 33
            })
        );
        let mut tr = TGT_DVD_PLUS_R;
        tr[2] = 0x20; // data type 001b: track resources
        assert!(matches!(
            DiscInformation::parse(&tr),
            Err(wire::Error::Invalid { .. })
        ));
        // OPC tables after byte 33 are tolerated and ignored.
        let mut long = [0u8; 42];
        long[..34].copy_from_slice(&TGT_DVD_PLUS_R);
        long[33] = 1;
        assert!(DiscInformation::parse(&long).is_ok());
        assert!(DiscInformation::blank(1).emit(&mut [0u8; 33]).is_err());
    }

    #[test]
    fn read_toc_bytes() {
        let c = ReadTocPmaAtip {
            msf: true,
            format: TocFormat::Toc,
            track_session: 1,
            alloc: 0x0324,
        };
        let raw = [0x43, 0x02, 0x00, 0, 0, 0, 0x01, 0x03, 0x24, 0];
        assert_eq!(c.emit().as_bytes(), &raw);
        assert_eq!(ReadTocPmaAtip::parse(&raw).unwrap(), c);
        let session = [0x43, 0x00, 0x01, 0, 0, 0, 0, 0x00, 0x0C, 0];
        assert_eq!(
            ReadTocPmaAtip::parse(&session).unwrap(),
            ReadTocPmaAtip {
                msf: false,
                format: TocFormat::SessionInfo,
                track_session: 0,
                alloc: 12
            }
        );
        for (code, f) in [
            (2, TocFormat::FullToc),
            (3, TocFormat::Pma),
            (4, TocFormat::Atip),
            (5, TocFormat::CdText),
        ] {
            let raw = [0x43, 0, code, 0, 0, 0, 0, 0, 4, 0];
            assert_eq!(ReadTocPmaAtip::parse(&raw).unwrap().format, f);
        }
        assert_eq!(
            ReadTocPmaAtip::parse(&[0x43, 0, 6, 0, 0, 0, 0, 0, 4, 0]),
            Err(wire::Error::Invalid {
                field: "TOC format",
                value: 6
            })
        );
    }

    /// A one-track data disc, format 0, LBA form: header, track 1 at 0, lead-out at 2048.
    const TOC_LBA: [u8; 20] = [
        0x00, 0x12, 0x01, 0x01, // length 18, tracks 1..1
        0x00, 0x14, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, // ADR 1, CONTROL 4, track 1 at 0
        0x00, 0x14, 0xAA, 0x00, 0x00, 0x00, 0x08, 0x00, // lead-out at 2048
    ];

    #[test]
    fn toc_format0_deconstruct_construct() {
        let toc = Toc::parse(&TOC_LBA).unwrap();
        let expect = Toc {
            first_track: 1,
            last_track: 1,
            tracks: vec![
                TocTrack {
                    adr: 1,
                    control: 4,
                    track: 1,
                    address: 0,
                },
                TocTrack {
                    adr: 1,
                    control: 4,
                    track: LEAD_OUT_TRACK,
                    address: 2048,
                },
            ],
        };
        assert_eq!(toc, expect);
        let mut out = [0u8; 20];
        assert_eq!(toc.emit(&mut out), Ok(20));
        assert_eq!(out, TOC_LBA);
        assert!(toc.emit(&mut [0u8; 19]).is_err());
    }

    #[test]
    fn toc_from_tgt_is_two_bytes_short() {
        // tgt claims 18 bytes after the length field but transfers 18 in all: the lead-out
        // descriptor lacks its last two address bytes and is dropped.
        let short = &TOC_LBA[..18];
        let v = TocView::new_checked(short).unwrap();
        assert_eq!(v.data_length(), 18);
        assert_eq!(v.descriptor_count(), 1);
        assert_eq!(v.descriptor(1), None);
        let toc = Toc::parse(short).unwrap();
        assert_eq!(toc.tracks.len(), 1);
        assert_eq!(toc.tracks[0].track, 1);
        // A length field smaller than the transfer limits the descriptors too.
        let mut claimed = TOC_LBA;
        claimed[1] = 10;
        assert_eq!(Toc::parse(&claimed).unwrap().tracks.len(), 1);
        assert!(Toc::parse(&TOC_LBA[..3]).is_err());
    }

    #[test]
    fn toc_msf_addresses() {
        // tgt's MSF answer: track 1 at 00:00:02:00, lead-out at 00:FF:3B:4A.
        let raw = [
            0x00, 0x12, 0x01, 0x01, 0x00, 0x14, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x14,
            0xAA, 0x00, 0x00, 0x4F, 0x3B, 0x4A,
        ];
        let toc = Toc::parse(&raw).unwrap();
        assert_eq!(Msf::from_address(toc.tracks[0].address).to_lba(), 0);
        assert_eq!(
            Msf::from_address(toc.tracks[1].address),
            Msf {
                m: 79,
                s: 59,
                f: 74
            }
        );
        assert_eq!(Msf::from_lba(0).to_address(), 0x0000_0200);
        assert_eq!(
            Msf::from_lba(359_849),
            Msf {
                m: 79,
                s: 59,
                f: 74
            }
        );
        assert_eq!(
            Msf::from_lba(-151),
            Msf {
                m: 99,
                s: 59,
                f: 74
            }
        );
        assert_eq!(Msf::from_lba(-151).to_lba(), -151);
    }

    #[test]
    fn session_info_bytes() {
        let raw = [
            0x00, 0x0A, 0x01, 0x02, // sessions 1..2
            0x00, 0x14, 0x03, 0x00, 0x00, 0x00, 0x2E, 0xE0, // track 3 at 12000
        ];
        let si = SessionInfo::parse(&raw).unwrap();
        assert_eq!(
            si,
            SessionInfo {
                first_session: 1,
                last_session: 2,
                last_session_first_track: Some(TocTrack {
                    adr: 1,
                    control: 4,
                    track: 3,
                    address: 12_000
                }),
            }
        );
        let mut out = [0u8; 12];
        assert_eq!(si.emit(&mut out), Ok(12));
        assert_eq!(out, raw);
        // tgt: 10 bytes transferred; the header survives, the descriptor does not.
        let tgt = SessionInfo::parse(&raw[..10]).unwrap();
        assert_eq!((tgt.first_session, tgt.last_session), (1, 2));
        assert_eq!(tgt.last_session_first_track, None);
        let mut out = [0u8; 4];
        assert_eq!(tgt.emit(&mut out), Ok(4));
        assert_eq!(out, [0x00, 0x02, 0x01, 0x02]);
    }

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

    fn arb_toc_track() -> impl Strategy<Value = TocTrack> {
        (0u8..16, 0u8..16, any::<u8>(), any::<u32>()).prop_map(|(adr, control, track, address)| {
            TocTrack {
                adr,
                control,
                track,
                address,
            }
        })
    }

    prop_compose! {
        fn arb_disc_info()(
            (erasable, state, status, first_track, sessions, first_in_last, last_in_last) in
                (any::<bool>(), 0u8..4, 0u8..4, any::<u8>(), any::<u16>(), any::<u16>(),
                 any::<u16>()),
            (disc_id, disc_bar_code, unrestricted_use, disc_application_code, dbit, bg) in
                (any::<Option<u32>>(), any::<Option<u64>>(), any::<bool>(),
                 any::<Option<u8>>(), any::<bool>(), 0u8..4),
            (disc_type, lead_in, lead_out) in (any::<u8>(), any::<u32>(), any::<u32>()),
        ) -> DiscInformation {
            DiscInformation {
                erasable,
                last_session_state: SessionState::from(state),
                disc_status: DiscStatus::from(status),
                first_track,
                sessions,
                first_track_in_last_session: first_in_last,
                last_track_in_last_session: last_in_last,
                disc_id,
                disc_bar_code,
                unrestricted_use,
                disc_application_code,
                dbit,
                bg_format_status: BgFormatStatus::from(bg),
                disc_type: DiscType::from(disc_type),
                last_session_lead_in_start: lead_in,
                last_possible_lead_out_start: lead_out,
            }
        }
    }

    proptest! {
        #[test]
        fn read_disc_information_round_trip(t in 0u8..3, alloc: u16) {
            let data_type = [
                DiscInformationType::Standard,
                DiscInformationType::TrackResources,
                DiscInformationType::PowResources,
            ][usize::from(t)];
            round_trip(ReadDiscInformation { data_type, alloc });
        }

        #[test]
        fn read_toc_round_trip(msf: bool, f in 0usize..6, track_session: u8, alloc: u16) {
            let format = [
                TocFormat::Toc, TocFormat::SessionInfo, TocFormat::FullToc,
                TocFormat::Pma, TocFormat::Atip, TocFormat::CdText,
            ][f];
            round_trip(ReadTocPmaAtip { msf, format, track_session, alloc });
        }

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

        #[test]
        fn disc_information_round_trip(di in arb_disc_info()) {
            let mut buf = vec![0u8; di.buffer_len()];
            prop_assert_eq!(di.emit(&mut buf), Ok(DiscInformation::LEN));
            prop_assert_eq!(DiscInformation::parse(&buf), Ok(di));
        }

        #[test]
        fn toc_round_trip(
            first_track: u8, last_track: u8,
            tracks in proptest::collection::vec(arb_toc_track(), 0..100),
        ) {
            let toc = Toc { first_track, last_track, tracks };
            let mut buf = vec![0u8; toc.buffer_len()];
            prop_assert_eq!(toc.emit(&mut buf), Ok(toc.buffer_len()));
            prop_assert_eq!(Toc::parse(&buf), Ok(toc));
        }

        #[test]
        fn session_info_round_trip(
            first_session: u8, last_session: u8,
            track in proptest::option::of(arb_toc_track()),
        ) {
            let si = SessionInfo { first_session, last_session, last_session_first_track: track };
            let mut buf = vec![0u8; si.buffer_len()];
            prop_assert_eq!(si.emit(&mut buf), Ok(si.buffer_len()));
            prop_assert_eq!(SessionInfo::parse(&buf), Ok(si));
        }

        #[test]
        fn msf_round_trip(lba in -45_150i32..404_850) {
            prop_assert_eq!(Msf::from_lba(lba).to_lba(), lba);
            let m = Msf::from_lba(lba);
            prop_assert_eq!(Msf::from_address(m.to_address()), m);
        }

        #[test]
        fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = ReadDiscInformation::parse(&bytes);
            let _ = ReadTocPmaAtip::parse(&bytes);
            let _ = ReadDiscStructure::parse(&bytes);
            let _ = DiscInformation::parse(&bytes);
            if let Ok(toc) = Toc::parse(&bytes) {
                // Never more descriptors than whole 8-byte groups transferred.
                prop_assert!(toc.tracks.len() <= bytes.len().saturating_sub(4) / 8);
            }
            let _ = SessionInfo::parse(&bytes);
            let _ = DvdPhysicalFormat::parse(&bytes);
            if let Ok(di) = BdDiscInformation::parse(&bytes) {
                prop_assert!(di.units.len() <= bytes.len().saturating_sub(4));
            }
            if let Ok(l) = StructureList::parse(&bytes) {
                prop_assert!(l.entries.len() <= bytes.len().saturating_sub(4) / 4);
            }
            let p = DvdPhysicalFormatView::new_unchecked(&bytes[..]);
            let _ = (p.book_type(), p.layers(), p.data_area_end(), p.bca(), p.data_length());
            let v = TocView::new_unchecked(&bytes[..]);
            let _ = v.descriptor(usize::MAX);
            let d = DiscInformationView::new_unchecked(&bytes[..]);
            let _ = (d.disc_bar_code(), d.opc_tables(), d.last_possible_lead_out_start());
        }
    }
}
