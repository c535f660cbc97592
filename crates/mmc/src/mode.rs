//! MODE SENSE(10) / MODE SELECT(10) (SPC-4 §6.13/§6.10, MMC-6 §7): the CDBs, the mode
//! parameter header(10), a page walk over a MODE SENSE answer, and typed pages 01h
//! (Read/Write Error Recovery), 05h (Write Parameters) and 2Ah (MM Capabilities and
//! Mechanical Status).
//!
//! Reading: [`ModePages::new`] walks the pages of the bytes transferred, from after the
//! block descriptors to `min(bytes transferred, 2 + Mode Data Length)`, yielding complete
//! pages only; [`find_page`] parses the first page of a given type.
//!
//! Writing: a MODE SELECT(10) parameter list is the 8-byte header **with Mode Data Length
//! 0** (the field is reserved on select; SPC-4 §7.5.5) and no block descriptors, followed
//! by the page **with PS cleared** (PS is reserved on select). [`mode_select_list`] emits
//! exactly that; drives answer 5/26/00 otherwise.
//!
//! Contract (see [`crate::wire`]): views never panic; parsers bound every length by the
//! bytes present.

use crate::speed::RotationControl;
use crate::wire::{self, be16, check_len, check_room, put_be16, u8_at};

crate::wire_enum! {
    /// The PC field of MODE SENSE (CDB byte 2 bits 7:6; IMAPI2's
    /// `IMAPI_MODE_PAGE_REQUEST_TYPE`).
    pub enum PageControl: u8 & 0x03 exhaustive {
        /// 00b: current values.
        Current = 0 => "current values",
        /// 01b: changeable values (a mask).
        Changeable = 1 => "changeable values",
        /// 10b: default values.
        Default = 2 => "default values",
        /// 11b: saved values.
        Saved = 3 => "saved values",
    }
}

/// Page code 3Fh: return all pages.
pub const ALL_PAGES: u8 = 0x3F;

crate::command! {
    /// MODE SENSE(10) (5Ah, 10 bytes). SPC-4 §6.14.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct ModeSense10: OpCode::ModeSense10, 10 bytes;
    {
        /// DBD (byte 1 bit 3): no block descriptors.
        pub dbd: bool = bit(1, 3),
        /// PC (byte 2 bits 7:6).
        pub pc: PageControl = from(bits(2, 0x03 << 6)),
        /// Page code (byte 2 bits 5:0; 3Fh = all).
        pub page_code: u8 = bits(2, 0x3F << 0),
        /// Subpage code (byte 3).
        pub subpage: u8 = u8(3),
        /// Allocation length (bytes 7-8).
        pub allocation_length: u16 = be16(7),
    }
}

impl ModeSense10 {
    /// Current values of one page, block descriptors disabled (what MMC drives return).
    pub fn current(page_code: u8, allocation_length: u16) -> Self {
        ModeSense10 {
            dbd: true,
            pc: PageControl::Current,
            page_code: page_code & 0x3F,
            subpage: 0,
            allocation_length,
        }
    }
}

crate::command! {
    /// MODE SELECT(10) (55h, 10 bytes). SPC-4 §6.11.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct ModeSelect10: OpCode::ModeSelect10, 10 bytes;
    {
        /// PF (byte 1 bit 4): pages follow the standard format (MMC requires 1).
        pub pf: bool = bit(1, 4),
        /// SP (byte 1 bit 0): save the pages.
        pub sp: bool = bit(1, 0),
        /// Parameter list length (bytes 7-8).
        pub parameter_list_length: u16 = be16(7),
    }
}

impl ModeSelect10 {
    /// PF = 1, SP = 0, for a parameter list of `len` bytes.
    pub fn new(len: u16) -> Self {
        ModeSelect10 {
            pf: true,
            sp: false,
            parameter_list_length: len,
        }
    }
}

/// Length of the mode parameter header(10).
pub const MODE_HEADER10_LEN: usize = 8;

crate::record! {
    /// The mode parameter header(10). SPC-4 §7.5.5.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct ModeHeader10, 8 bytes;
    {
        /// Mode Data Length: bytes after this field (MODE SENSE); 0 on MODE SELECT.
        pub mode_data_length: u16 = be16(0),
        /// Medium Type (byte 2; 0 for MMC).
        pub medium_type: u8 = u8(2),
        /// Device-Specific Parameter (byte 3).
        pub device_specific: u8 = u8(3),
        /// Block Descriptor Length (bytes 6-7; 0 for MMC).
        pub block_descriptor_length: u16 = be16(6),
    }
}

/// A view of one mode page (page_0 or sub_page format). Accessors never panic.
#[derive(Debug, Clone, Copy)]
pub struct ModePageView<T: AsRef<[u8]>> {
    buf: T,
}

impl<T: AsRef<[u8]>> ModePageView<T> {
    /// Wraps bytes starting at a page.
    pub fn new(buf: T) -> Self {
        ModePageView { buf }
    }

    /// PS (byte 0 bit 7): the page can be saved.
    pub fn ps(&self) -> bool {
        u8_at(self.buf.as_ref(), 0) & 0x80 != 0
    }

    /// SPF (byte 0 bit 6): sub_page format (4-byte page header).
    pub fn spf(&self) -> bool {
        u8_at(self.buf.as_ref(), 0) & 0x40 != 0
    }

    /// Page code (byte 0 bits 5:0).
    pub fn page_code(&self) -> u8 {
        u8_at(self.buf.as_ref(), 0) & 0x3F
    }

    /// Subpage code (byte 1 in sub_page format, else 0).
    pub fn subpage(&self) -> u8 {
        if self.spf() {
            u8_at(self.buf.as_ref(), 1)
        } else {
            0
        }
    }

    /// Page length: bytes after the page header.
    pub fn page_length(&self) -> u16 {
        if self.spf() {
            be16(self.buf.as_ref(), 2)
        } else {
            u16::from(u8_at(self.buf.as_ref(), 1))
        }
    }

    /// 2, or 4 in sub_page format.
    pub fn header_len(&self) -> usize {
        if self.spf() {
            4
        } else {
            2
        }
    }

    /// Header plus page length: the page's length as it claims.
    pub fn total_len(&self) -> usize {
        self.header_len() + usize::from(self.page_length())
    }

    /// Whether the whole claimed page is present.
    pub fn is_complete(&self) -> bool {
        self.buf.as_ref().len() >= self.total_len()
    }

    /// The page (header included), bounded by the bytes present.
    pub fn bytes(&self) -> &[u8] {
        let b = self.buf.as_ref();
        &b[..self.total_len().min(b.len())]
    }
}

/// Iterator over the complete pages of a MODE SENSE(10) answer.
#[derive(Debug, Clone)]
pub struct ModePages<'a> {
    body: &'a [u8],
    at: usize,
}

impl<'a> ModePages<'a> {
    /// Walks `answer` (header included): pages start after the block descriptors and end
    /// at `min(answer.len(), 2 + Mode Data Length)`.
    pub fn new(answer: &'a [u8]) -> Self {
        let end = (2 + usize::from(be16(answer, 0))).min(answer.len());
        let start = MODE_HEADER10_LEN + usize::from(be16(answer, 6));
        ModePages {
            body: answer.get(start..end).unwrap_or(&[]),
            at: 0,
        }
    }
}

impl<'a> Iterator for ModePages<'a> {
    type Item = ModePageView<&'a [u8]>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.body.get(self.at..)?;
        if rest.len() < 2 {
            return None;
        }
        let view = ModePageView::new(rest);
        if !view.is_complete() {
            self.at = self.body.len();
            return None;
        }
        let len = view.total_len();
        self.at += len;
        Some(ModePageView::new(&rest[..len]))
    }
}

/// A typed mode page.
pub trait ModePage: Sized {
    /// Its page code.
    const PAGE_CODE: u8;
    /// Reads the page from its first byte (page header included). Fails on another page
    /// code or when fewer bytes than the page's fixed part are present.
    fn parse(page: &[u8]) -> wire::Result<Self>;
    /// Writes the page (header included).
    fn emit(&self, buf: &mut [u8]) -> wire::Result<usize>;
    /// Bytes `emit` writes.
    fn buffer_len(&self) -> usize;
}

/// Finds the first page of type `P` in a MODE SENSE(10) answer and parses it.
pub fn find_page<P: ModePage>(answer: &[u8]) -> wire::Result<P> {
    ModeHeader10::parse(answer)?;
    match ModePages::new(answer).find(|p| p.page_code() == P::PAGE_CODE && !p.spf()) {
        Some(view) => P::parse(view.bytes()),
        None => Err(wire::Error::Invalid {
            field: "mode page code (absent)",
            value: u64::from(P::PAGE_CODE),
        }),
    }
}

/// Writes a MODE SELECT(10) parameter list for one page: a header with Mode Data Length 0
/// and no block descriptors, then the page with PS cleared. Returns the length to put in
/// [`ModeSelect10::parameter_list_length`].
pub fn mode_select_list<P: ModePage>(page: &P, buf: &mut [u8]) -> wire::Result<usize> {
    let len = MODE_HEADER10_LEN + page.buffer_len();
    check_room(buf, len)?;
    ModeHeader10::default().emit(buf)?;
    page.emit(&mut buf[MODE_HEADER10_LEN..])?;
    buf[MODE_HEADER10_LEN] &= 0x7F;
    Ok(len)
}

/// Writes a MODE SENSE(10) answer holding `pages` (each already emitted, header
/// included), for a device model: header with the computed Mode Data Length, no block
/// descriptors. The caller cuts the result to the allocation length.
pub fn mode_sense_answer(pages: &[&[u8]]) -> Vec<u8> {
    let body: usize = pages.iter().map(|p| p.len()).sum();
    let mut out = vec![0u8; MODE_HEADER10_LEN + body];
    let header = ModeHeader10 {
        mode_data_length: u16::try_from(out.len() - 2).unwrap_or(u16::MAX),
        ..Default::default()
    };
    // The buffer is exactly large enough for the header.
    let mut at = header.emit(&mut out).unwrap_or(MODE_HEADER10_LEN);
    for p in pages {
        out[at..at + p.len()].copy_from_slice(p);
        at += p.len();
    }
    out
}

fn check_page(page: &[u8], code: u8, fixed: usize) -> wire::Result<()> {
    check_len(page, 2)?;
    if page[0] & 0x3F != code || page[0] & 0x40 != 0 {
        return Err(wire::Error::Invalid {
            field: "mode page code",
            value: u64::from(page[0]),
        });
    }
    check_len(page, fixed)
}

/// Declares a mode page of one fixed layout from a table of its fields (the places of
/// [`command!`](crate::command), counted from the page's first byte): the struct (docs
/// and attributes kept) and its [`ModePage`] impl. `parse` checks the page code and 4
/// bytes ([`check_page`]), then reads the fields from the bytes the page length covers,
/// those past a short page as 0. `emit` writes `2 + page length` bytes (the page length
/// given as a constant or by a `fn(&Self) -> u8`): the code, the fields, then the page
/// length in byte 1, other bytes zero.
macro_rules! mode_page {
    (
        $(#[$meta:meta])*
        pub struct $name:ident: $code:literal, page length by $plen:path;
        $fields:tt
    ) => {
        mode_page!(@page [$(#[$meta])*] $name $code [by $plen] $fields);
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident: $code:literal, page length $plen:expr;
        $fields:tt
    ) => {
        mode_page!(@page [$(#[$meta])*] $name $code [$plen] $fields);
    };
    (@len $s:ident [by $plen:path]) => { $plen($s) };
    (@len $s:ident [$plen:expr]) => { $plen };
    (@page [$(#[$meta:meta])*] $name:ident $code:literal $plen:tt
        { $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty = $place:ident ($($arg:tt)*) ),+ $(,)? }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )+
        }

        impl $name {
            /// The page length [`emit`](ModePage::emit) writes.
            fn emitted_page_length(&self) -> u8 {
                mode_page!(@len self $plen)
            }
        }

        impl ModePage for $name {
            const PAGE_CODE: u8 = $code;

            fn parse(page: &[u8]) -> wire::Result<Self> {
                check_page(page, Self::PAGE_CODE, 4)?;
                let end = (2 + usize::from(page[1])).min(page.len());
                let p = &page[..end];
                Ok($name {
                    $( $field: $crate::place!(get p, $ty, $place($($arg)*)), )+
                })
            }

            fn emit(&self, buf: &mut [u8]) -> wire::Result<usize> {
                let len = self.buffer_len();
                check_room(buf, len)?;
                let b = &mut buf[..len];
                b.fill(0);
                $crate::place!(put b, Self::PAGE_CODE, bits(0, 0x3F << 0));
                $( $crate::place!(put b, self.$field, $place($($arg)*)); )+
                wire::put_u8(b, 1, self.emitted_page_length());
                Ok(len)
            }

            fn buffer_len(&self) -> usize {
                2 + usize::from(self.emitted_page_length())
            }
        }
    };
}

mode_page! {
    /// Read/Write Error Recovery mode page (01h). MMC-6 §7.3.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct ErrorRecoveryPage: 0x01, page length Self::PAGE_LENGTH;
    {
        /// PS (MODE SENSE only).
        pub ps: bool = bit(0, 7),
        /// Byte 2, the error recovery parameter: AWRE bit 7, ARRE bit 6, TB bit 5, RC bit 4,
        /// PER bit 2, DTE bit 1, DCR bit 0.
        pub error_recovery: u8 = u8(2),
        /// Read Retry Count (byte 3).
        pub read_retry_count: u8 = u8(3),
        /// EMCDR (byte 7 bits 1:0).
        pub emcdr: u8 = bits(7, 0x03 << 0),
        /// Write Retry Count (byte 8).
        pub write_retry_count: u8 = u8(8),
        /// Recovery Time Limit, ms (bytes 10-11).
        pub recovery_time_limit: u16 = be16(10),
    }
}

impl ErrorRecoveryPage {
    /// Page length this page emits (0Ah).
    pub const PAGE_LENGTH: u8 = 0x0A;

    /// AWRE: automatic write reallocation enabled.
    pub fn awre(&self) -> bool {
        self.error_recovery & 0x80 != 0
    }

    /// ARRE: automatic read reallocation enabled.
    pub fn arre(&self) -> bool {
        self.error_recovery & 0x40 != 0
    }

    /// PER: post (report) recovered errors.
    pub fn per(&self) -> bool {
        self.error_recovery & 0x04 != 0
    }
}

crate::wire_enum! {
    /// Write Type of page 05h (byte 2 bits 3:0).
    pub enum WriteType: u8 & 0x0F {
        /// 0: packet / incremental.
        PacketIncremental = 0 => "Packet/Incremental",
        /// 1: track at once.
        Tao = 1 => "Track At Once",
        /// 2: session at once (CD) / disc at once (DVD-R).
        SaoDao = 2 => "Session At Once",
        /// 3: raw.
        Raw = 3 => "Raw",
        /// 4: layer jump recording.
        LayerJump = 4 => "Layer Jump Recording",
        /// Reserved values.
        Unknown => "reserved",
    }
}

crate::wire_enum! {
    /// Data Block Type of page 05h (byte 4 bits 3:0).
    pub enum DataBlockType: u8 & 0x0F {
        /// 0: raw 2352.
        Raw2352 = 0 => "Raw data (2352)",
        /// 1: raw + P-Q subchannel, 2368.
        RawPq2368 = 1 => "Raw data with P and Q sub-channel (2368)",
        /// 2: raw + P-W packed, 2448.
        RawPwPacked2448 = 2 => "Raw data with P-W sub-channel, packed (2448)",
        /// 3: raw + P-W raw, 2448.
        RawPwRaw2448 = 3 => "Raw data with raw P-W sub-channel (2448)",
        /// 8: Mode 1, 2048.
        Mode1 = 8 => "Mode 1 (2048)",
        /// 9: Mode 2, 2336.
        Mode2 = 9 => "Mode 2 (2336)",
        /// 10: Mode 2 Form 1, 2048.
        Mode2Form1 = 10 => "Mode 2 Form 1 (2048)",
        /// 11: Mode 2 Form 1 with subheader, 2056.
        Mode2Form1Subheader = 11 => "Mode 2 Form 1 with subheader (2056)",
        /// 12: Mode 2 Form 2, 2324.
        Mode2Form2 = 12 => "Mode 2 Form 2 (2324)",
        /// 13: Mode 2 mixed form with subheader, 2332.
        Mode2Mixed = 13 => "Mode 2 mixed form (2332)",
        /// Reserved or vendor values.
        Unknown => "reserved",
    }
}

impl DataBlockType {
    /// Bytes per block the host sends with this type (`IWriteEngine2::BytesPerSector`
    /// must match); `None` for unknown types.
    pub fn block_size(self) -> Option<u32> {
        Some(match self {
            DataBlockType::Raw2352 => 2352,
            DataBlockType::RawPq2368 => 2368,
            DataBlockType::RawPwPacked2448 | DataBlockType::RawPwRaw2448 => 2448,
            DataBlockType::Mode1 | DataBlockType::Mode2Form1 => 2048,
            DataBlockType::Mode2 => 2336,
            DataBlockType::Mode2Form1Subheader => 2056,
            DataBlockType::Mode2Form2 => 2324,
            DataBlockType::Mode2Mixed => 2332,
            DataBlockType::Unknown(_) => return None,
        })
    }
}

crate::wire_enum! {
    /// Multi-session field of page 05h (byte 3 bits 7:6).
    pub enum MultiSession: u8 & 0x03 {
        /// 00b: no next session (B0 pointer 00/00/00); closing finalizes.
        NoNextSession = 0 => "no next session",
        /// 01b: B0 pointer FF/FF/FF, no next session allowed.
        B0Ff = 1 => "no next session, B0 pointer FF/FF/FF",
        /// 11b: next session allowed.
        NextSessionAllowed = 3 => "next session allowed",
        /// 10b: reserved.
        Unknown => "reserved",
    }
}

crate::wire_enum! {
    /// Session Format of page 05h (byte 8).
    pub enum SessionFormat: u8 {
        /// 00h: CD-DA or CD-ROM.
        CdDaOrCdRom = 0x00 => "CD-DA or CD-ROM",
        /// 10h: CD-I.
        CdI = 0x10 => "CD-I",
        /// 20h: CD-ROM XA.
        CdRomXa = 0x20 => "CD-ROM XA",
        /// Other values.
        Unknown => "unknown session format",
    }
}

mode_page! {
    /// Write Parameters mode page (05h). MMC-6 §7.5. Needed before CD TAO/SAO/raw and DVD-R
    /// writes; ignored for DVD+R/+RW, DVD-RAM and BD.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct WriteParametersPage: 0x05, page length by WriteParametersPage::emitted_length;
    {
        /// PS (MODE SENSE only; cleared by [`mode_select_list`]).
        pub ps: bool = bit(0, 7),
        /// Page length as read (32h or 36h); emit writes this many bytes after the header,
        /// bytes past the subheader (vendor specific) as zero. At least 32h is used.
        pub page_length: u8 = u8(1),
        /// BUFE (byte 2 bit 6): buffer under-run free recording enabled.
        pub bufe: bool = bit(2, 6),
        /// LS_V (bit 5): the link size is valid.
        pub ls_v: bool = bit(2, 5),
        /// Test Write (bit 4): simulate, do not burn.
        pub test_write: bool = bit(2, 4),
        /// Write Type (bits 3:0).
        pub write_type: WriteType = from(bits(2, 0x0F << 0)),
        /// Multi-session (byte 3 bits 7:6).
        pub multi_session: MultiSession = from(bits(3, 0x03 << 6)),
        /// FP (bit 5): fixed packets.
        pub fp: bool = bit(3, 5),
        /// Copy (bit 4): SCMS copy bit.
        pub copy: bool = bit(3, 4),
        /// Track Mode (bits 3:0; CD Q-subchannel control: 4 data uninterrupted, 5 incremental).
        pub track_mode: u8 = bits(3, 0x0F << 0),
        /// Data Block Type (byte 4 bits 3:0).
        pub data_block_type: DataBlockType = from(bits(4, 0x0F << 0)),
        /// Link Size (byte 5), valid with LS_V.
        pub link_size: u8 = u8(5),
        /// Initiator Application Code (byte 7 bits 5:0).
        pub initiator_application_code: u8 = bits(7, 0x3F << 0),
        /// Session Format (byte 8).
        pub session_format: SessionFormat = from(u8(8)),
        /// Packet Size (bytes 10-13), fixed packets.
        pub packet_size: u32 = be32(10),
        /// Audio Pause Length (bytes 14-15), blocks (default 150).
        pub audio_pause_length: u16 = be16(14),
        /// Media Catalog Number (bytes 16-31; byte 16 bit 7 MCVAL).
        pub mcn: [u8; 16] = bytes(16),
        /// ISRC (bytes 32-47; byte 32 bit 7 TCVAL).
        pub isrc: [u8; 16] = bytes(32),
        /// Sub-header bytes 0-3 (bytes 48-51).
        pub subheader: [u8; 4] = bytes(48),
    }
}

impl Default for WriteParametersPage {
    fn default() -> Self {
        WriteParametersPage {
            ps: false,
            page_length: Self::PAGE_LENGTH,
            bufe: false,
            ls_v: false,
            test_write: false,
            write_type: WriteType::Tao,
            multi_session: MultiSession::NoNextSession,
            fp: false,
            copy: false,
            track_mode: 4,
            data_block_type: DataBlockType::Mode1,
            link_size: 0,
            initiator_application_code: 0,
            session_format: SessionFormat::CdDaOrCdRom,
            packet_size: 0,
            audio_pause_length: 150,
            mcn: [0; 16],
            isrc: [0; 16],
            subheader: [0; 4],
        }
    }
}

impl WriteParametersPage {
    /// The standard page length (32h: bytes 2-51).
    pub const PAGE_LENGTH: u8 = 0x32;

    /// The page length as read, at least the standard one.
    fn emitted_length(&self) -> u8 {
        self.page_length.max(Self::PAGE_LENGTH)
    }
}

crate::record! {
    /// One write speed descriptor of page 2Ah (4 bytes, from byte 32).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct CapabilitiesWriteSpeed, 4 bytes;
    {
        /// Rotation Control (byte 1 bits 1:0).
        pub rotation: RotationControl = from(bits(1, 0x03 << 0)),
        /// Write Speed Supported, kB/s (bytes 2-3).
        pub write_kbps: u16 = be16(2),
    }
}

/// MM Capabilities and Mechanical Status mode page (2Ah; IMAPI2's
/// `IMAPI_MODE_PAGE_TYPE_LEGACY_CAPABILITIES`). MMC-3 §5.5.10, kept by MMC-6 as legacy.
///
/// Layout by page length as Microsoft's sample reads it: with page length ≥ 28 the
/// current write speed is bytes 28-29 and the rotation control byte 27; older drives
/// (MMC-1/2, 20-27) only have bytes 20-21. Fields past a short page read as zero.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CapabilitiesPage {
    /// PS (MODE SENSE only).
    pub ps: bool,
    /// Byte 2: read capabilities — DVD-RAM read bit 5, DVD-R read 4, DVD-ROM read 3,
    /// Method 2 bit 2, CD-RW read 1, CD-R read 0.
    pub read: u8,
    /// Byte 3: write capabilities — DVD-RAM write bit 5, DVD-R write 4, Test Write 2,
    /// CD-RW write 1, CD-R write 0.
    pub write: u8,
    /// Bytes 4-7 as sent: audio/multi-session/mode 2/CD-DA bits, loading mechanism,
    /// eject/lock bits, changer bits.
    pub mechanism: [u8; 4],
    /// Maximum Read Speed Supported, kB/s (bytes 8-9, obsolete).
    pub max_read_kbps: u16,
    /// Number of Volume Levels Supported (bytes 10-11).
    pub volume_levels: u16,
    /// Buffer Size Supported, KiB (bytes 12-13).
    pub buffer_size_kib: u16,
    /// Current Read Speed Selected, kB/s (bytes 14-15, obsolete).
    pub current_read_kbps: u16,
    /// Maximum Write Speed Supported, kB/s (bytes 18-19, obsolete).
    pub max_write_kbps: u16,
    /// Current Write Speed, kB/s (bytes 20-21, obsolete; MMC-1/2 drives).
    pub current_write_kbps_legacy: u16,
    /// Copy Management Revision Supported (bytes 22-23).
    pub copy_management_revision: u16,
    /// Rotation Control Selected (byte 27 bits 1:0).
    pub rotation: RotationControl,
    /// Current Write Speed Selected, kB/s (bytes 28-29).
    pub current_write_kbps: u16,
    /// Logical unit write speed performance descriptors (from byte 32).
    pub write_speeds: Vec<CapabilitiesWriteSpeed>,
}

impl Default for CapabilitiesPage {
    fn default() -> Self {
        CapabilitiesPage {
            ps: false,
            read: 0,
            write: 0,
            mechanism: [0; 4],
            max_read_kbps: 0,
            volume_levels: 0,
            buffer_size_kib: 0,
            current_read_kbps: 0,
            max_write_kbps: 0,
            current_write_kbps_legacy: 0,
            copy_management_revision: 0,
            rotation: RotationControl::Clv,
            current_write_kbps: 0,
            write_speeds: Vec::new(),
        }
    }
}

impl CapabilitiesPage {
    /// Bytes of the fixed part (through the descriptor count at bytes 30-31).
    pub const FIXED_LEN: usize = 32;

    /// CD-R write bit.
    pub fn cd_r_write(&self) -> bool {
        self.write & 0x01 != 0
    }

    /// CD-RW write bit.
    pub fn cd_rw_write(&self) -> bool {
        self.write & 0x02 != 0
    }

    /// Test Write bit.
    pub fn test_write(&self) -> bool {
        self.write & 0x04 != 0
    }

    /// DVD-R write bit.
    pub fn dvd_r_write(&self) -> bool {
        self.write & 0x10 != 0
    }

    /// DVD-RAM write bit.
    pub fn dvd_ram_write(&self) -> bool {
        self.write & 0x20 != 0
    }

    /// DVD-ROM read bit.
    pub fn dvd_rom_read(&self) -> bool {
        self.read & 0x08 != 0
    }
}

impl ModePage for CapabilitiesPage {
    const PAGE_CODE: u8 = 0x2A;

    fn parse(page: &[u8]) -> wire::Result<Self> {
        check_page(page, Self::PAGE_CODE, 4)?;
        let end = (2 + usize::from(page[1])).min(page.len());
        let p = &page[..end];
        let count = usize::from(be16(p, 30));
        let write_speeds = p
            .get(Self::FIXED_LEN..)
            .unwrap_or(&[])
            .chunks_exact(CapabilitiesWriteSpeed::LEN)
            .take(count)
            .map(CapabilitiesWriteSpeed::read)
            .collect();
        Ok(CapabilitiesPage {
            ps: page[0] & 0x80 != 0,
            read: u8_at(p, 2),
            write: u8_at(p, 3),
            mechanism: [u8_at(p, 4), u8_at(p, 5), u8_at(p, 6), u8_at(p, 7)],
            max_read_kbps: be16(p, 8),
            volume_levels: be16(p, 10),
            buffer_size_kib: be16(p, 12),
            current_read_kbps: be16(p, 14),
            max_write_kbps: be16(p, 18),
            current_write_kbps_legacy: be16(p, 20),
            copy_management_revision: be16(p, 22),
            rotation: RotationControl::from(u8_at(p, 27)),
            current_write_kbps: be16(p, 28),
            write_speeds,
        })
    }

    fn emit(&self, buf: &mut [u8]) -> wire::Result<usize> {
        let len = self.buffer_len();
        if len - 2 > 255 {
            return Err(wire::Error::Invalid {
                field: "capabilities page length",
                value: (len - 2) as u64,
            });
        }
        check_room(buf, len)?;
        let b = &mut buf[..len];
        b.fill(0);
        b[0] = (u8::from(self.ps) << 7) | Self::PAGE_CODE;
        b[1] = (len - 2) as u8;
        b[2] = self.read;
        b[3] = self.write;
        b[4..8].copy_from_slice(&self.mechanism);
        put_be16(b, 8, self.max_read_kbps);
        put_be16(b, 10, self.volume_levels);
        put_be16(b, 12, self.buffer_size_kib);
        put_be16(b, 14, self.current_read_kbps);
        put_be16(b, 18, self.max_write_kbps);
        put_be16(b, 20, self.current_write_kbps_legacy);
        put_be16(b, 22, self.copy_management_revision);
        b[27] = u8::from(self.rotation);
        put_be16(b, 28, self.current_write_kbps);
        put_be16(b, 30, self.write_speeds.len() as u16);
        for (i, d) in self.write_speeds.iter().enumerate() {
            d.emit(&mut b[Self::FIXED_LEN + CapabilitiesWriteSpeed::LEN * i..])?;
        }
        Ok(len)
    }

    /// 32 + 4 per descriptor (page length 30 + 4n).
    fn buffer_len(&self) -> usize {
        Self::FIXED_LEN + 4 * self.write_speeds.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Command;
    use proptest::prelude::*;

    /// tgt's MODE SENSE(10) answer for page 2Ah (usr/mmc.c default page, DBD forced).
    fn tgt_2a_answer() -> Vec<u8> {
        let mut v = vec![0x00, 0x46, 0, 0, 0, 0, 0, 0];
        v.extend_from_slice(&[
            0x2A, 0x3E, 0x3F, 0x37, 0xF3, 0xF3, 0x29, 0x23, 0x10, 0x8A, 0x01, 0x00, 0x08, 0x00,
            0x10, 0x8A, 0x00, 0x00, 0x10, 0x8A, 0x10, 0x8A, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
            0x10, 0x8A, 0x00, 0x05, 0x00, 0x00, 0x10, 0x8A, 0x00, 0x00, 0x0B, 0x06, 0x00, 0x00,
            0x08, 0x45, 0x00, 0x00, 0x05, 0x83, 0x00, 0x00, 0x02, 0xC2,
        ]);
        v.resize(8 + 64, 0);
        v
    }

    #[test]
    fn tgt_capabilities_page() {
        let answer = tgt_2a_answer();
        let pages: Vec<_> = ModePages::new(&answer).collect();
        assert_eq!(pages.len(), 1);
        assert_eq!(pages[0].page_code(), 0x2A);
        assert_eq!(pages[0].page_length(), 0x3E);
        let cap: CapabilitiesPage = find_page(&answer).unwrap();
        assert_eq!(cap.read, 0x3F);
        assert!(cap.cd_r_write() && cap.cd_rw_write() && cap.test_write());
        assert!(cap.dvd_r_write() && cap.dvd_ram_write() && cap.dvd_rom_read());
        assert_eq!(cap.mechanism, [0xF3, 0xF3, 0x29, 0x23]);
        assert_eq!(cap.max_read_kbps, 4234);
        assert_eq!(cap.volume_levels, 256);
        assert_eq!(cap.buffer_size_kib, 2048);
        assert_eq!(cap.current_read_kbps, 4234);
        assert_eq!(cap.max_write_kbps, 4234);
        assert_eq!(cap.current_write_kbps_legacy, 4234);
        assert_eq!(cap.copy_management_revision, 1);
        assert_eq!(cap.rotation, RotationControl::Clv);
        assert_eq!(cap.current_write_kbps, 4234);
        let speeds: Vec<u16> = cap.write_speeds.iter().map(|d| d.write_kbps).collect();
        assert_eq!(speeds, [4234, 2822, 2117, 1411, 706]);
        // Emitted back with the tight page length (30 + 4n): same bytes up to there.
        let mut out = vec![0u8; cap.buffer_len()];
        assert_eq!(cap.emit(&mut out), Ok(52));
        assert_eq!(out[0], 0x2A);
        assert_eq!(out[1], 50);
        assert_eq!(&out[2..], &answer[10..60]);
        assert_eq!(CapabilitiesPage::parse(&out), Ok(cap));
    }

    #[test]
    fn capabilities_descriptors_bounded_by_page_and_bytes() {
        let answer = tgt_2a_answer();
        let page = &answer[8..];
        // Count says 5, page cut to hold only 2 descriptors.
        let mut short = page[..40].to_vec();
        short[1] = 38;
        let cap = CapabilitiesPage::parse(&short).unwrap();
        assert_eq!(cap.write_speeds.len(), 2);
        // Count 0xFFFF with the bytes for 8: capped at 8.
        let mut many = page.to_vec();
        many[30] = 0xFF;
        many[31] = 0xFF;
        assert_eq!(
            CapabilitiesPage::parse(&many).unwrap().write_speeds.len(),
            8
        );
        // MMC-2 page (length 0x18): no current-write-speed-selected field.
        let mut old = page[..26].to_vec();
        old[1] = 0x18;
        let cap = CapabilitiesPage::parse(&old).unwrap();
        assert_eq!(cap.current_write_kbps_legacy, 4234);
        assert_eq!(cap.current_write_kbps, 0);
        assert!(cap.write_speeds.is_empty());
        assert!(CapabilitiesPage::parse(&page[..3]).is_err());
        assert!(CapabilitiesPage::parse(&[0x05, 0x32, 0, 0]).is_err());
    }

    #[test]
    fn tgt_write_parameters_page() {
        let mut page = vec![
            0x05, 0x32, 0x62, 0x05, 0x08, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x00, 0x96,
        ];
        page.resize(52, 0);
        let wp = WriteParametersPage::parse(&page).unwrap();
        assert!(wp.bufe && wp.ls_v && !wp.test_write);
        assert_eq!(wp.write_type, WriteType::SaoDao);
        assert_eq!(wp.multi_session, MultiSession::NoNextSession);
        assert_eq!(wp.track_mode, 5);
        assert_eq!(wp.data_block_type, DataBlockType::Mode1);
        assert_eq!(wp.data_block_type.block_size(), Some(2048));
        assert_eq!(wp.link_size, 16);
        assert_eq!(wp.session_format, SessionFormat::CdDaOrCdRom);
        assert_eq!(wp.packet_size, 16);
        assert_eq!(wp.audio_pause_length, 150);
        let mut out = [0u8; 52];
        assert_eq!(wp.emit(&mut out), Ok(52));
        assert_eq!(&out[..], &page[..]);
    }

    #[test]
    fn write_parameters_for_cd_tao_select() {
        // CD-R TAO, data track, Mode 1, multi-session open, BUFE, MCN valid; read with PS.
        let mut mcn = [0u8; 16];
        mcn[0] = 0x80;
        mcn[1..14].copy_from_slice(b"0123456789012");
        let wp = WriteParametersPage {
            ps: true,
            bufe: true,
            write_type: WriteType::Tao,
            multi_session: MultiSession::NextSessionAllowed,
            track_mode: 4,
            data_block_type: DataBlockType::Mode1,
            session_format: SessionFormat::CdRomXa,
            initiator_application_code: 0x3F,
            mcn,
            ..Default::default()
        };
        let mut buf = [0xEEu8; 60];
        let n = mode_select_list(&wp, &mut buf).unwrap();
        assert_eq!(n, 60);
        let mut expect = vec![
            0, 0, 0, 0, 0, 0, 0, 0, // header: mode data length 0, no block descriptors
            0x05, 0x32, 0x41, 0xC4, 0x08, 0x00, 0x00, 0x3F, 0x20, 0x00, 0, 0, 0, 0, 0x00, 0x96,
        ];
        expect.extend_from_slice(&mcn);
        expect.resize(60, 0);
        assert_eq!(&buf[..], &expect[..]);
        assert_eq!(
            ModeSelect10::new(n as u16).emit().as_bytes(),
            &[0x55, 0x10, 0, 0, 0, 0, 0, 0, 60, 0]
        );
        let back = WriteParametersPage::parse(&buf[8..]).unwrap();
        assert_eq!(back, WriteParametersPage { ps: false, ..wp });
        assert!(mode_select_list(&wp, &mut buf[..59]).is_err());
    }

    #[test]
    fn tgt_error_recovery_page_and_walk() {
        // Header + page 00h (tgt's empty vendor page) + page 01h + page 05h (short) + pad.
        let mut answer = vec![0x00, 0x00, 0, 0, 0, 0, 0, 0];
        answer.extend_from_slice(&[0x00, 0x00]);
        answer.extend_from_slice(&[0x01, 0x0A, 0x00, 0x08, 0, 0, 0, 0, 0x08, 0, 0, 0]);
        answer.extend_from_slice(&[0x85, 0x02, 0x12, 0xC4]);
        let len = (answer.len() - 2) as u16;
        answer[..2].copy_from_slice(&len.to_be_bytes());
        answer.resize(256, 0);
        let codes: Vec<u8> = ModePages::new(&answer).map(|p| p.page_code()).collect();
        assert_eq!(codes, [0x00, 0x01, 0x05]);
        let er: ErrorRecoveryPage = find_page(&answer).unwrap();
        assert_eq!(er.read_retry_count, 8);
        assert_eq!(er.write_retry_count, 8);
        assert!(!er.awre() && !er.arre() && !er.per());
        let mut out = [0u8; 12];
        assert_eq!(er.emit(&mut out), Ok(12));
        assert_eq!(out, answer[10..22]);
        // A page shorter than its standard length reads what is there.
        let wp: WriteParametersPage = find_page(&answer).unwrap();
        assert!(wp.ps && wp.test_write);
        assert_eq!(wp.write_type, WriteType::SaoDao);
        assert_eq!(wp.multi_session, MultiSession::NextSessionAllowed);
        assert_eq!(wp.page_length, 2);
        assert_eq!(wp.data_block_type, DataBlockType::Raw2352);
        assert!(find_page::<CapabilitiesPage>(&answer).is_err());
        // Block descriptors are skipped.
        let mut with_bd = answer[..8].to_vec();
        with_bd[7] = 8;
        with_bd.extend_from_slice(&[0xAA; 8]);
        with_bd.extend_from_slice(&answer[8..26]);
        let l = (with_bd.len() - 2) as u16;
        with_bd[..2].copy_from_slice(&l.to_be_bytes());
        let codes: Vec<u8> = ModePages::new(&with_bd).map(|p| p.page_code()).collect();
        assert_eq!(codes, [0x00, 0x01, 0x05]);
    }

    #[test]
    fn subpage_format_pages() {
        // tgt's Control Extensions page 0Ah/01h (SPF set, 4-byte header) then page 1Ah.
        let mut answer = vec![0, 0, 0, 0, 0, 0, 0, 0];
        let mut ext = vec![0x4A, 0x01, 0x00, 0x1C, 0x04];
        ext.resize(4 + 0x1C, 0);
        answer.extend_from_slice(&ext);
        answer.extend_from_slice(&[0x1A, 0x02, 0x00, 0x08]);
        let l = (answer.len() - 2) as u16;
        answer[..2].copy_from_slice(&l.to_be_bytes());
        let pages: Vec<_> = ModePages::new(&answer).collect();
        assert_eq!(pages.len(), 2);
        assert!(pages[0].spf());
        assert_eq!(pages[0].subpage(), 1);
        assert_eq!(pages[0].page_length(), 0x1C);
        assert_eq!(pages[0].header_len(), 4);
        assert_eq!(pages[1].page_code(), 0x1A);
        assert!(!pages[1].spf());
        // A cut-short page ends the walk.
        assert_eq!(ModePages::new(&answer[..20]).count(), 0);
    }

    #[test]
    fn mode_cdbs() {
        let c = ModeSense10::current(0x2A, 0x100).emit();
        assert_eq!(c.as_bytes(), &[0x5A, 0x08, 0x2A, 0, 0, 0, 0, 0x01, 0x00, 0]);
        let s = ModeSense10 {
            dbd: false,
            pc: PageControl::Changeable,
            page_code: ALL_PAGES,
            subpage: 0xFF,
            allocation_length: 0xFFFF,
        };
        assert_eq!(
            s.emit().as_bytes(),
            &[0x5A, 0x00, 0x7F, 0xFF, 0, 0, 0, 0xFF, 0xFF, 0]
        );
        assert_eq!(ModeSense10::parse(s.emit().as_bytes()), Ok(s));
        assert!(ModeSense10::parse(&[0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 8]).is_err());
        assert!(ModeSense10::parse(&[0x55, 0, 0x2A, 0, 0, 0, 0, 0, 8, 0]).is_err());
        let sel = ModeSelect10 {
            pf: true,
            sp: true,
            parameter_list_length: 0x3C,
        };
        assert_eq!(
            sel.emit().as_bytes(),
            &[0x55, 0x11, 0, 0, 0, 0, 0, 0, 0x3C, 0]
        );
        assert_eq!(ModeSelect10::parse(sel.emit().as_bytes()), Ok(sel));
    }

    #[test]
    fn mode_sense_answer_builder() {
        let er = ErrorRecoveryPage {
            ps: true,
            error_recovery: 0xC0,
            read_retry_count: 3,
            emcdr: 0,
            write_retry_count: 2,
            recovery_time_limit: 0,
        };
        let mut p = [0u8; 12];
        er.emit(&mut p).unwrap();
        let answer = mode_sense_answer(&[&p]);
        assert_eq!(&answer[..8], &[0, 18, 0, 0, 0, 0, 0, 0]);
        let back: ErrorRecoveryPage = find_page(&answer).unwrap();
        assert_eq!(back, er);
        assert!(back.awre() && back.arre());
    }

    #[test]
    fn enum_values() {
        for v in 0..16u8 {
            assert_eq!(u8::from(WriteType::from(v)), v);
            assert_eq!(u8::from(DataBlockType::from(v)), v);
        }
        for v in 0..4u8 {
            assert_eq!(u8::from(MultiSession::from(v)), v);
            assert_eq!(u8::from(PageControl::from(v)), v);
        }
        assert_eq!(DataBlockType::RawPwRaw2448.block_size(), Some(2448));
        assert_eq!(DataBlockType::Mode2Mixed.block_size(), Some(2332));
        assert_eq!(DataBlockType::Unknown(5).block_size(), None);
        assert_eq!(SessionFormat::from(0x20), SessionFormat::CdRomXa);
    }

    prop_compose! {
        fn write_params()(ps: bool, long: bool, flags: [bool; 6], wt in 0u8..16, ms in 0u8..4,
                          tm in 0u8..16, dbt in 0u8..16, ls: u8, iac in 0u8..64, sf: u8,
                          ps_size: u32, pause: u16, mcn: [u8; 16], isrc: [u8; 16],
                          sub: [u8; 4]) -> WriteParametersPage {
            WriteParametersPage {
                ps, page_length: if long { 0x36 } else { 0x32 },
                bufe: flags[0], ls_v: flags[1], test_write: flags[2],
                write_type: WriteType::from(wt), multi_session: MultiSession::from(ms),
                fp: flags[3], copy: flags[4], track_mode: tm,
                data_block_type: DataBlockType::from(dbt), link_size: ls,
                initiator_application_code: iac, session_format: SessionFormat::from(sf),
                packet_size: ps_size, audio_pause_length: pause, mcn, isrc, subheader: sub,
            }
        }
    }

    prop_compose! {
        fn capabilities()(ps: bool, read: u8, write: u8, mechanism: [u8; 4],
                          v in proptest::array::uniform8(any::<u16>()), rot in 0u8..4,
                          speeds in proptest::collection::vec((0u8..4, any::<u16>()), 0..56))
                          -> CapabilitiesPage {
            CapabilitiesPage {
                ps, read, write, mechanism,
                max_read_kbps: v[0], volume_levels: v[1], buffer_size_kib: v[2],
                current_read_kbps: v[3], max_write_kbps: v[4],
                current_write_kbps_legacy: v[5], copy_management_revision: v[6],
                rotation: RotationControl::from(rot), current_write_kbps: v[7],
                write_speeds: speeds.into_iter().map(|(r, s)| CapabilitiesWriteSpeed {
                    rotation: RotationControl::from(r), write_kbps: s }).collect(),
            }
        }
    }

    proptest! {
        #[test]
        fn mode_sense_round_trips(dbd: bool, pc in 0u8..4, page in 0u8..64, sub: u8, alloc: u16) {
            let cmd = ModeSense10 { dbd, pc: PageControl::from(pc), page_code: page,
                subpage: sub, allocation_length: alloc };
            prop_assert_eq!(ModeSense10::parse(cmd.emit().as_bytes()), Ok(cmd));
        }

        #[test]
        fn mode_select_round_trips(pf: bool, sp: bool, len: u16) {
            let cmd = ModeSelect10 { pf, sp, parameter_list_length: len };
            prop_assert_eq!(ModeSelect10::parse(cmd.emit().as_bytes()), Ok(cmd));
        }

        #[test]
        fn header_round_trips(l: u16, m: u8, d: u8, b: u16) {
            let h = ModeHeader10 { mode_data_length: l, medium_type: m, device_specific: d,
                block_descriptor_length: b };
            let mut buf = [0u8; 8];
            h.emit(&mut buf).unwrap();
            prop_assert_eq!(ModeHeader10::parse(&buf), Ok(h));
        }

        #[test]
        fn error_recovery_round_trips(ps: bool, er: u8, rr: u8, em in 0u8..4, wr: u8, t: u16) {
            let p = ErrorRecoveryPage { ps, error_recovery: er, read_retry_count: rr, emcdr: em,
                write_retry_count: wr, recovery_time_limit: t };
            let mut buf = [0u8; 12];
            prop_assert_eq!(p.emit(&mut buf), Ok(12));
            prop_assert_eq!(ErrorRecoveryPage::parse(&buf), Ok(p));
        }

        #[test]
        fn write_parameters_round_trip(p in write_params()) {
            let mut buf = vec![0u8; p.buffer_len()];
            prop_assert_eq!(p.emit(&mut buf), Ok(buf.len()));
            prop_assert_eq!(WriteParametersPage::parse(&buf), Ok(p));
            // Through a MODE SENSE answer as well.
            let answer = mode_sense_answer(&[&buf]);
            prop_assert_eq!(find_page::<WriteParametersPage>(&answer), Ok(p));
        }

        #[test]
        fn capabilities_round_trip(p in capabilities()) {
            let mut buf = vec![0u8; p.buffer_len()];
            prop_assert_eq!(p.emit(&mut buf), Ok(buf.len()));
            prop_assert_eq!(CapabilitiesPage::parse(&buf), Ok(p.clone()));
            let answer = mode_sense_answer(&[&buf]);
            prop_assert_eq!(find_page::<CapabilitiesPage>(&answer), Ok(p));
        }

        #[test]
        fn parsers_survive_arbitrary_bytes(buf in proptest::collection::vec(any::<u8>(), 0..2000)) {
            crate::cdb::testing::parse_each!(&buf => ModeSense10, ModeSelect10, ModeHeader10,
                ErrorRecoveryPage, WriteParametersPage);
            if let Ok(c) = CapabilitiesPage::parse(&buf) {
                prop_assert!(c.write_speeds.len() * 4 <= buf.len());
                prop_assert!(c.write_speeds.capacity() * 4 <= buf.len());
            }
            let _ = find_page::<WriteParametersPage>(&buf);
            let _ = find_page::<ErrorRecoveryPage>(&buf);
            if let Ok(c) = find_page::<CapabilitiesPage>(&buf) {
                prop_assert!(c.write_speeds.len() * 4 <= buf.len());
            }
            let mut walked = 0;
            for p in ModePages::new(&buf) {
                prop_assert!(p.is_complete());
                walked += p.bytes().len();
                let _ = (p.ps(), p.spf(), p.subpage(), p.page_length());
            }
            prop_assert!(walked <= buf.len());
            let v = ModePageView::new(&buf);
            let _ = (v.page_code(), v.bytes(), v.total_len());
        }
    }
}
