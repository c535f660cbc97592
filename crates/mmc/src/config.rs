//! GET CONFIGURATION (MMC-6 §6.6): the command, the feature header, feature descriptors
//! (a view, an iterator and typed `Repr`s for the features a writer cares about) and a
//! response builder for device models.
//!
//! Reading an answer: [`Features::new`] walks the descriptors of the bytes actually
//! transferred, bounded by the header's Data Length — drives such as tgt always transfer
//! the full allocation length, zero-padded, and that padding must not be read as more
//! Profile List descriptors. [`Configuration::parse`] turns the same walk into typed
//! [`Feature`]s. Answering one: build a [`Configuration`] with every feature the device
//! has and call [`Configuration::respond`] with the parsed [`GetConfiguration`]; it
//! applies RT, the starting feature and the allocation length.
//!
//! Contract (see [`crate::wire`]): views never panic, parsers never trust a length
//! inside the data beyond the bytes present, lists are capped by the bytes present.

use crate::profile::Profile;
use crate::wire::{self, be16, be32, check_len, check_room, put_be16};

crate::wire_enum! {
    /// The RT field of GET CONFIGURATION (CDB byte 1 bits 1:0).
    pub enum ReturnType: u8 & 0x03 {
        /// 00b: every feature the device supports, from the starting feature on.
        All = 0 => "all features",
        /// 01b: only features whose Current bit is set, from the starting feature on.
        Current = 1 => "current features",
        /// 10b: only the feature named by the starting feature number.
        One = 2 => "one feature",
        /// 11b: reserved (rejected by [`GetConfiguration::parse`](crate::Command::parse)).
        Unknown => "reserved",
    }
}

crate::wire_enum! {
    /// MMC-6 feature codes (§5.3, Table 87; IMAPI2's `IMAPI_FEATURE_PAGE_TYPE`).
    pub enum FeatureCode: u16 {
        ProfileList = 0x0000 => "Profile List",
        Core = 0x0001 => "Core",
        Morphing = 0x0002 => "Morphing",
        RemovableMedium = 0x0003 => "Removable Medium",
        WriteProtect = 0x0004 => "Write Protect",
        RandomReadable = 0x0010 => "Random Readable",
        MultiRead = 0x001D => "Multi-Read",
        CdRead = 0x001E => "CD Read",
        DvdRead = 0x001F => "DVD Read",
        RandomWritable = 0x0020 => "Random Writable",
        IncrementalStreamingWritable = 0x0021 => "Incremental Streaming Writable",
        SectorErasable = 0x0022 => "Sector Erasable",
        Formattable = 0x0023 => "Formattable",
        DefectManagement = 0x0024 => "Hardware Defect Management",
        WriteOnce = 0x0025 => "Write Once",
        RestrictedOverwrite = 0x0026 => "Restricted Overwrite",
        CdRwCavWrite = 0x0027 => "CD-RW CAV Write",
        Mrw = 0x0028 => "MRW",
        EnhancedDefectReporting = 0x0029 => "Enhanced Defect Reporting",
        DvdPlusRw = 0x002A => "DVD+RW",
        DvdPlusR = 0x002B => "DVD+R",
        RigidRestrictedOverwrite = 0x002C => "Rigid Restricted Overwrite",
        CdTrackAtOnce = 0x002D => "CD Track at Once",
        CdMastering = 0x002E => "CD Mastering",
        DvdMinusRWrite = 0x002F => "DVD-R/-RW Write",
        DdcdRead = 0x0030 => "Double Density CD Read",
        DdcdRWrite = 0x0031 => "Double Density CD-R Write",
        DdcdRwWrite = 0x0032 => "Double Density CD-RW Write",
        LayerJumpRecording = 0x0033 => "Layer Jump Recording",
        LjRigidRestrictedOverwrite = 0x0034 => "LJ Rigid Restricted Overwrite",
        StopLongOperation = 0x0035 => "Stop Long Operation",
        CdRwMediaWriteSupport = 0x0037 => "CD-RW Media Write Support",
        BdRPseudoOverwrite = 0x0038 => "BD-R Pseudo-Overwrite (POW)",
        DvdPlusRwDualLayer = 0x003A => "DVD+RW Dual Layer",
        DvdPlusRDualLayer = 0x003B => "DVD+R Dual Layer",
        BdRead = 0x0040 => "BD Read",
        BdWrite = 0x0041 => "BD Write",
        Tsr = 0x0042 => "Timely Safe Recording (TSR)",
        HdDvdRead = 0x0050 => "HD DVD Read",
        HdDvdWrite = 0x0051 => "HD DVD Write",
        HdDvdRwFragmentRecording = 0x0052 => "HD DVD-RW Fragment Recording",
        HybridDisc = 0x0080 => "Hybrid Disc",
        PowerManagement = 0x0100 => "Power Management",
        Smart = 0x0101 => "S.M.A.R.T.",
        EmbeddedChanger = 0x0102 => "Embedded Changer",
        CdAudioExternalPlay = 0x0103 => "CD Audio External Play",
        MicrocodeUpgrade = 0x0104 => "Microcode Upgrade",
        Timeout = 0x0105 => "Timeout",
        DvdCss = 0x0106 => "DVD CSS",
        RealTimeStreaming = 0x0107 => "Real Time Streaming",
        DriveSerialNumber = 0x0108 => "Drive Serial Number",
        MediaSerialNumber = 0x0109 => "Media Serial Number",
        DiscControlBlocks = 0x010A => "Disc Control Blocks",
        DvdCprm = 0x010B => "DVD CPRM",
        FirmwareInformation = 0x010C => "Firmware Information",
        Aacs = 0x010D => "AACS",
        DvdCssManagedRecording = 0x010E => "DVD CSS Managed Recording",
        Vcps = 0x0110 => "VCPS",
        SecurDisc = 0x0113 => "SecurDisc",
        BdCps = 0x0120 => "BD CPS",
        Ossc = 0x0142 => "OSSC",
        /// Any other feature code, kept as received.
        Unknown => "unknown feature",
    }
}

crate::command! {
    /// GET CONFIGURATION (46h, 10 bytes). MMC-6 §6.6.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct GetConfiguration: OpCode::GetConfiguration, 10 bytes;
    {
        /// RT (byte 1 bits 1:0): which features to return.
        pub rt: ReturnType = named(u8(1), "GET CONFIGURATION RT"),
        /// Starting Feature Number (bytes 2-3).
        pub starting_feature: FeatureCode = from(be16(2)),
        /// Allocation length (bytes 7-8).
        pub allocation_length: u16 = be16(7),
    }
}

impl GetConfiguration {
    /// All features (RT 00b) from feature 0000h.
    pub fn all(allocation_length: u16) -> Self {
        GetConfiguration {
            rt: ReturnType::All,
            starting_feature: FeatureCode::ProfileList,
            allocation_length,
        }
    }

    /// Current features (RT 01b) from feature 0000h.
    pub fn current(allocation_length: u16) -> Self {
        GetConfiguration {
            rt: ReturnType::Current,
            ..Self::all(allocation_length)
        }
    }

    /// One feature (RT 10b).
    pub fn one(feature: FeatureCode, allocation_length: u16) -> Self {
        GetConfiguration {
            rt: ReturnType::One,
            starting_feature: feature,
            allocation_length,
        }
    }
}

/// Length of the feature header.
pub const FEATURE_HEADER_LEN: usize = 8;

crate::record! {
    /// The 8-byte feature header that opens a GET CONFIGURATION answer. MMC-6 §6.6.2.1.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct FeatureHeader, 8 bytes;
    {
        /// Data Length: bytes that follow this field (the full answer, even when the
        /// allocation length cut it short).
        pub data_length: u32 = be32(0),
        /// Current Profile (bytes 6-7).
        pub current_profile: Profile = from(be16(6)),
    }
}

/// A view of one feature descriptor (4-byte header + additional data). MMC-6 §5.2.2.
/// Accessors never panic; [`payload`](Self::payload) is bounded by the bytes present.
#[derive(Debug, Clone, Copy)]
pub struct FeatureDescriptorView<T: AsRef<[u8]>> {
    buf: T,
}

impl<T: AsRef<[u8]>> FeatureDescriptorView<T> {
    /// Wraps bytes starting at a feature descriptor.
    pub fn new(buf: T) -> Self {
        FeatureDescriptorView { buf }
    }

    /// Feature Code (bytes 0-1).
    pub fn code(&self) -> FeatureCode {
        FeatureCode::from(be16(self.buf.as_ref(), 0))
    }

    /// Version (byte 2 bits 5:2).
    pub fn version(&self) -> u8 {
        (wire::u8_at(self.buf.as_ref(), 2) >> 2) & 0x0F
    }

    /// Persistent (byte 2 bit 1).
    pub fn persistent(&self) -> bool {
        wire::u8_at(self.buf.as_ref(), 2) & 0x02 != 0
    }

    /// Current (byte 2 bit 0).
    pub fn current(&self) -> bool {
        wire::u8_at(self.buf.as_ref(), 2) & 0x01 != 0
    }

    /// Additional Length (byte 3).
    pub fn additional_length(&self) -> u8 {
        wire::u8_at(self.buf.as_ref(), 3)
    }

    /// 4 + additional length: the descriptor's length as it claims.
    pub fn total_len(&self) -> usize {
        4 + usize::from(self.additional_length())
    }

    /// Whether the header and all claimed additional bytes are present.
    pub fn is_complete(&self) -> bool {
        self.buf.as_ref().len() >= self.total_len()
    }

    /// The feature-dependent bytes, as many of the claimed ones as are present.
    pub fn payload(&self) -> &[u8] {
        let b = self.buf.as_ref();
        b.get(4..self.total_len().min(b.len())).unwrap_or(&[])
    }
}

/// Iterator over the complete feature descriptors of a GET CONFIGURATION answer.
///
/// It reads only `min(bytes transferred, 4 + Data Length)`, stops at a descriptor cut
/// short, and stops at a Profile List code (0000h) anywhere but first: drives that
/// zero-pad to the allocation length would otherwise show phantom empty Profile Lists.
#[derive(Debug, Clone)]
pub struct Features<'a> {
    body: &'a [u8],
    at: usize,
}

impl<'a> Features<'a> {
    /// Walks the descriptors of `answer` (header included). A buffer shorter than the
    /// header yields nothing.
    pub fn new(answer: &'a [u8]) -> Self {
        let claimed = usize::try_from(be32(answer, 0))
            .unwrap_or(usize::MAX)
            .saturating_add(4);
        let end = claimed.min(answer.len());
        Features {
            body: answer.get(FEATURE_HEADER_LEN..end).unwrap_or(&[]),
            at: 0,
        }
    }
}

impl<'a> Iterator for Features<'a> {
    type Item = FeatureDescriptorView<&'a [u8]>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.body.get(self.at..)?;
        if rest.len() < 4 {
            return None;
        }
        let view = FeatureDescriptorView::new(rest);
        if !view.is_complete() || (self.at > 0 && view.code() == FeatureCode::ProfileList) {
            self.at = self.body.len();
            return None;
        }
        let len = view.total_len();
        self.at += len;
        Some(FeatureDescriptorView::new(&rest[..len]))
    }
}

/// One entry of the Profile List feature (0000h).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProfileDescriptor {
    /// Profile Number.
    pub profile: Profile,
    /// CurrentP: this is the current profile.
    pub current: bool,
}

crate::record! {
    /// Core feature (0001h).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct Core, 8 bytes;
    {
        /// Physical Interface Standard (1 SCSI, 2 ATAPI, 7 Serial ATAPI, 8 USB, ...).
        pub physical_interface: u32 = be32(0),
        /// INQ2: the device supports INQUIRY with EVPD/CmdDt (version 2).
        pub inq2: bool = bit(4, 1),
        /// DBE: Device Busy Event supported.
        pub dbe: bool = bit(4, 0),
    }
}

crate::record! {
    /// Morphing feature (0002h).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct Morphing, 4 bytes;
    {
        /// OCEvent: operational change events reported.
        pub ocevent: bool = bit(0, 1),
        /// ASYNC: asynchronous GET EVENT STATUS NOTIFICATION supported.
        pub asynchronous: bool = bit(0, 0),
    }
}

crate::wire_enum! {
    /// Loading Mechanism Type of the Removable Medium feature.
    pub enum LoadingMechanism: u8 & 0x07 {
        /// 000b: caddy/slot.
        Caddy = 0 => "caddy/slot",
        /// 001b: tray.
        Tray = 1 => "tray",
        /// 010b: pop-up.
        PopUp = 2 => "pop-up",
        /// 100b: embedded changer, individually changeable discs.
        ChangerIndividual = 4 => "changer, individually changeable discs",
        /// 101b: embedded changer using a magazine.
        ChangerMagazine = 5 => "changer using a magazine",
        /// Reserved values, kept as received.
        Unknown => "reserved",
    }
}

crate::record! {
    /// Removable Medium feature (0003h).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct RemovableMedium, 4 bytes;
    {
        /// Loading Mechanism Type (byte 4 bits 7:5).
        pub mechanism: LoadingMechanism = from(bits(0, 0x07 << 5)),
        /// Load: the medium can be loaded with START STOP UNIT LoEj.
        pub load: bool = bit(0, 4),
        /// Eject: the medium can be ejected with START STOP UNIT LoEj.
        pub eject: bool = bit(0, 3),
        /// Pvnt Jmpr: the prevent jumper is absent (PREVENT ALLOW starts unlocked).
        pub prevent_jumper: bool = bit(0, 2),
        /// DBML: Device Busy Event for medium locking.
        pub dbml: bool = bit(0, 1),
        /// Lock: PREVENT ALLOW MEDIUM REMOVAL can lock the medium.
        pub lock: bool = bit(0, 0),
    }
}

crate::record! {
    /// Random Readable feature (0010h).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct RandomReadable, 8 bytes;
    {
        /// Logical Block Size (2048).
        pub block_size: u32 = be32(0),
        /// Blocking: blocks per ECC unit (16 for DVD, 32 for BD).
        pub blocking: u16 = be16(4),
        /// PP: the Read/Write Error Recovery page is present.
        pub pp: bool = bit(6, 0),
    }
}

crate::record! {
    /// Random Writable feature (0020h).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct RandomWritable, 12 bytes;
    {
        /// Last Logical Block Address.
        pub last_lba: u32 = be32(0),
        /// Logical Block Size.
        pub block_size: u32 = be32(4),
        /// Blocking.
        pub blocking: u16 = be16(8),
        /// PP: the Read/Write Error Recovery page is present.
        pub pp: bool = bit(10, 0),
    }
}

/// Incremental Streaming Writable feature (0021h).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct IncrementalStreamingWritable {
    /// Data Block Types Supported (bit n = data block type n of page 05h).
    pub data_block_types: u16,
    /// TRIO: track resources information (READ TRACK INFORMATION Open bit).
    pub trio: bool,
    /// ARSV: address mode reservation (RESERVE TRACK ARSV).
    pub arsv: bool,
    /// BUF: buffer under-run free recording.
    pub buf: bool,
    /// Link sizes supported (blocks).
    pub link_sizes: Vec<u8>,
}

crate::record! {
    /// Formattable feature (0023h).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct Formattable, 8 bytes;
    {
        /// RENoSA: BD-RE re-format without spare area.
        pub renosa: bool = bit(0, 3),
        /// Expand: BD-RE spare area expansion.
        pub expand: bool = bit(0, 2),
        /// QCert: BD-RE quick certification.
        pub qcert: bool = bit(0, 1),
        /// Cert: BD-RE full certification.
        pub cert: bool = bit(0, 0),
        /// FRF: BD-RE fast re-format (byte 5 bit 7).
        pub frf: bool = bit(1, 7),
        /// RRM: BD-R random recording mode format (byte 8 bit 0).
        pub rrm: bool = bit(4, 0),
    }
}

crate::record! {
    /// Hardware Defect Management feature (0024h).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct DefectManagement, 4 bytes;
    {
        /// SSA: Spare Area Information is reported by READ DISC STRUCTURE.
        pub ssa: bool = bit(0, 7),
    }
}

crate::record! {
    /// DVD+RW feature (002Ah).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct DvdPlusRw, 4 bytes;
    {
        /// Write: DVD+RW can be written.
        pub write: bool = bit(0, 0),
        /// Quick Start: formatting may be stopped early (background format).
        pub quick_start: bool = bit(1, 1),
        /// Close Only: only the "close" form of stopping a background format.
        pub close_only: bool = bit(1, 0),
    }
}

crate::record! {
    /// DVD+R feature (002Bh).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct DvdPlusR, 4 bytes;
    {
        /// Write: DVD+R can be written.
        pub write: bool = bit(0, 0),
    }
}

crate::record! {
    /// CD Track at Once feature (002Dh).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct CdTrackAtOnce, 4 bytes;
    {
        /// BUF: buffer under-run free recording.
        pub buf: bool = bit(0, 6),
        /// R-W Raw: raw R-W subcode.
        pub rw_raw: bool = bit(0, 4),
        /// R-W Pack: packed R-W subcode.
        pub rw_pack: bool = bit(0, 3),
        /// Test Write.
        pub test_write: bool = bit(0, 2),
        /// CD-RW: CD-RW can be written in TAO.
        pub cd_rw: bool = bit(0, 1),
        /// R-W Subcode: R-W subchannels can be recorded.
        pub rw_subcode: bool = bit(0, 0),
        /// Data Type Supported (bit n = data block type n).
        pub data_types: u16 = be16(2),
    }
}

crate::record! {
    /// CD Mastering (SAO/raw) feature (002Eh).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct CdMastering, 4 bytes;
    {
        /// BUF: buffer under-run free recording.
        pub buf: bool = bit(0, 6),
        /// SAO: session at once.
        pub sao: bool = bit(0, 5),
        /// Raw MS: raw multi-session.
        pub raw_ms: bool = bit(0, 4),
        /// Raw: raw recording.
        pub raw: bool = bit(0, 3),
        /// Test Write.
        pub test_write: bool = bit(0, 2),
        /// CD-RW: CD-RW can be written.
        pub cd_rw: bool = bit(0, 1),
        /// R-W: R-W subchannels can be recorded.
        pub rw: bool = bit(0, 0),
        /// Maximum Cue Sheet Length (24 bits).
        pub max_cue_sheet_len: u32 = be24(1),
    }
}

crate::record! {
    /// DVD-R/-RW Write feature (002Fh).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct DvdMinusRWrite, 4 bytes;
    {
        /// BUF: buffer under-run free recording.
        pub buf: bool = bit(0, 6),
        /// RDL: DVD-R DL can be written.
        pub rdl: bool = bit(0, 3),
        /// Test Write.
        pub test_write: bool = bit(0, 2),
        /// DVD-RW SL: DVD-RW single layer can be written.
        pub dvd_rw_sl: bool = bit(0, 1),
    }
}

crate::record! {
    /// BD Read feature (0040h): class bitmaps of readable BD versions.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct BdRead, 28 bytes;
    {
        /// BD-RE read support, classes 0-3.
        pub bd_re: [u16; 4] = be16s(4),
        /// BD-R read support, classes 0-3.
        pub bd_r: [u16; 4] = be16s(12),
        /// BD-ROM read support, classes 0-3.
        pub bd_rom: [u16; 4] = be16s(20),
    }
}

crate::record! {
    /// BD Write feature (0041h).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct BdWrite, 24 bytes;
    {
        /// SVNR: the drive can write without verify (no defect management verify).
        pub svnr: bool = bit(0, 0),
        /// BD-RE write support, classes 0-3.
        pub bd_re: [u16; 4] = be16s(4),
        /// BD-R write support, classes 0-3.
        pub bd_r: [u16; 4] = be16s(12),
    }
}

crate::record! {
    /// Real Time Streaming feature (0107h).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct RealTimeStreaming, 4 bytes;
    {
        /// RBCB: READ BUFFER CAPACITY Block bit supported.
        pub rbcb: bool = bit(0, 4),
        /// SCS: SET CD SPEED supported.
        pub scs: bool = bit(0, 3),
        /// MP2A: mode page 2Ah has write speed descriptors.
        pub mp2a: bool = bit(0, 2),
        /// WSPD: GET PERFORMANCE type 03h (write speed) supported.
        pub wspd: bool = bit(0, 1),
        /// SW: stream writing (WRITE(12) Streaming bit) supported.
        pub sw: bool = bit(0, 0),
    }
}

/// The feature-dependent part of a descriptor, typed where a writer needs it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FeatureBody {
    /// 0000h.
    ProfileList(Vec<ProfileDescriptor>),
    /// 0001h.
    Core(Core),
    /// 0002h.
    Morphing(Morphing),
    /// 0003h.
    RemovableMedium(RemovableMedium),
    /// 0010h.
    RandomReadable(RandomReadable),
    /// 0020h.
    RandomWritable(RandomWritable),
    /// 0021h.
    IncrementalStreamingWritable(IncrementalStreamingWritable),
    /// 0023h.
    Formattable(Formattable),
    /// 0024h.
    DefectManagement(DefectManagement),
    /// 0026h (no feature-dependent data).
    RestrictedOverwrite,
    /// 002Ah.
    DvdPlusRw(DvdPlusRw),
    /// 002Bh.
    DvdPlusR(DvdPlusR),
    /// 002Dh.
    CdTrackAtOnce(CdTrackAtOnce),
    /// 002Eh.
    CdMastering(CdMastering),
    /// 002Fh.
    DvdMinusRWrite(DvdMinusRWrite),
    /// 0040h.
    BdRead(BdRead),
    /// 0041h.
    BdWrite(BdWrite),
    /// 0100h (no feature-dependent data).
    PowerManagement,
    /// 0107h.
    RealTimeStreaming(RealTimeStreaming),
    /// Any other feature: its code and additional data as transferred. Use it only for
    /// codes without a typed arm (a typed code parses back typed).
    Raw {
        /// Feature code.
        code: FeatureCode,
        /// Additional data (at most 255 bytes).
        data: Vec<u8>,
    },
}

/// The bodies of one fixed size, each declared with [`record!`](crate::record) and named
/// like its feature code: how [`FeatureBody`] reads, sizes and writes them.
macro_rules! fixed_bodies {
    ($($body:ident),+ $(,)?) => {
        impl FeatureBody {
            /// The fixed-size body of feature `code`, when it has one, from what is
            /// present: fields past a short payload (an older feature version) read as 0.
            fn parse_fixed(code: FeatureCode, p: &[u8]) -> Option<FeatureBody> {
                match code {
                    $( FeatureCode::$body => Some(FeatureBody::$body($body::read(p))), )+
                    _ => None,
                }
            }

            /// The size of a fixed-size body; 0 for the others.
            fn fixed_len(&self) -> usize {
                match self {
                    $( FeatureBody::$body(_) => $body::LEN, )+
                    _ => 0,
                }
            }

            /// Writes a fixed-size body; nothing for the others.
            fn emit_fixed(&self, p: &mut [u8]) -> wire::Result<usize> {
                match self {
                    $( FeatureBody::$body(f) => f.emit(p), )+
                    _ => Ok(0),
                }
            }
        }
    };
}

fixed_bodies!(
    Core,
    Morphing,
    RemovableMedium,
    RandomReadable,
    RandomWritable,
    Formattable,
    DefectManagement,
    DvdPlusRw,
    DvdPlusR,
    CdTrackAtOnce,
    CdMastering,
    DvdMinusRWrite,
    BdRead,
    BdWrite,
    RealTimeStreaming,
);

impl FeatureBody {
    /// The feature code this body belongs to.
    pub fn code(&self) -> FeatureCode {
        match self {
            FeatureBody::ProfileList(_) => FeatureCode::ProfileList,
            FeatureBody::Core(_) => FeatureCode::Core,
            FeatureBody::Morphing(_) => FeatureCode::Morphing,
            FeatureBody::RemovableMedium(_) => FeatureCode::RemovableMedium,
            FeatureBody::RandomReadable(_) => FeatureCode::RandomReadable,
            FeatureBody::RandomWritable(_) => FeatureCode::RandomWritable,
            FeatureBody::IncrementalStreamingWritable(_) => {
                FeatureCode::IncrementalStreamingWritable
            }
            FeatureBody::Formattable(_) => FeatureCode::Formattable,
            FeatureBody::DefectManagement(_) => FeatureCode::DefectManagement,
            FeatureBody::RestrictedOverwrite => FeatureCode::RestrictedOverwrite,
            FeatureBody::DvdPlusRw(_) => FeatureCode::DvdPlusRw,
            FeatureBody::DvdPlusR(_) => FeatureCode::DvdPlusR,
            FeatureBody::CdTrackAtOnce(_) => FeatureCode::CdTrackAtOnce,
            FeatureBody::CdMastering(_) => FeatureCode::CdMastering,
            FeatureBody::DvdMinusRWrite(_) => FeatureCode::DvdMinusRWrite,
            FeatureBody::BdRead(_) => FeatureCode::BdRead,
            FeatureBody::BdWrite(_) => FeatureCode::BdWrite,
            FeatureBody::PowerManagement => FeatureCode::PowerManagement,
            FeatureBody::RealTimeStreaming(_) => FeatureCode::RealTimeStreaming,
            FeatureBody::Raw { code, .. } => *code,
        }
    }

    /// Reads a body from a descriptor's additional data. Typed bodies read what is
    /// present; fields past a short payload (an older feature version) read as zero.
    pub fn parse(code: FeatureCode, p: &[u8]) -> FeatureBody {
        if let Some(body) = Self::parse_fixed(code, p) {
            return body;
        }
        match code {
            FeatureCode::ProfileList => FeatureBody::ProfileList(
                p.chunks_exact(4)
                    .map(|c| ProfileDescriptor {
                        profile: Profile::from(be16(c, 0)),
                        current: c[2] & 0x01 != 0,
                    })
                    .collect(),
            ),
            FeatureCode::IncrementalStreamingWritable => {
                let n = usize::from(wire::u8_at(p, 3));
                let links = p.get(4..).unwrap_or(&[]);
                FeatureBody::IncrementalStreamingWritable(IncrementalStreamingWritable {
                    data_block_types: be16(p, 0),
                    trio: wire::bits_at(p, 2, 0x01, 2) != 0,
                    arsv: wire::bits_at(p, 2, 0x01, 1) != 0,
                    buf: wire::bits_at(p, 2, 0x01, 0) != 0,
                    link_sizes: links[..n.min(links.len())].to_vec(),
                })
            }
            FeatureCode::RestrictedOverwrite => FeatureBody::RestrictedOverwrite,
            FeatureCode::PowerManagement => FeatureBody::PowerManagement,
            code => FeatureBody::Raw {
                code,
                data: p.to_vec(),
            },
        }
    }

    /// Length of the additional data [`emit`](Self::emit) writes (the Additional Length).
    pub fn payload_len(&self) -> usize {
        match self {
            FeatureBody::ProfileList(list) => 4 * list.len(),
            FeatureBody::IncrementalStreamingWritable(f) => 4 + f.link_sizes.len().div_ceil(4) * 4,
            FeatureBody::RestrictedOverwrite | FeatureBody::PowerManagement => 0,
            FeatureBody::Raw { data, .. } => data.len(),
            fixed => fixed.fixed_len(),
        }
    }

    /// Writes the additional data into `p` (at least [`payload_len`](Self::payload_len)
    /// bytes); fails when it cannot fit the 1-byte Additional Length.
    pub fn emit(&self, p: &mut [u8]) -> wire::Result<usize> {
        let len = self.payload_len();
        if len > 255 {
            return Err(wire::Error::Invalid {
                field: "feature additional length",
                value: len as u64,
            });
        }
        check_room(p, len)?;
        let p = &mut p[..len];
        p.fill(0);
        match self {
            FeatureBody::ProfileList(list) => {
                for (c, d) in p.chunks_exact_mut(4).zip(list) {
                    put_be16(c, 0, d.profile.into());
                    c[2] = u8::from(d.current);
                }
            }
            FeatureBody::IncrementalStreamingWritable(f) => {
                put_be16(p, 0, f.data_block_types);
                p[2] = u8::from(f.trio) << 2 | u8::from(f.arsv) << 1 | u8::from(f.buf);
                p[3] = f.link_sizes.len() as u8;
                p[4..4 + f.link_sizes.len()].copy_from_slice(&f.link_sizes);
            }
            FeatureBody::RestrictedOverwrite | FeatureBody::PowerManagement => {}
            FeatureBody::Raw { data, .. } => p.copy_from_slice(data),
            fixed => {
                fixed.emit_fixed(p)?;
            }
        }
        Ok(len)
    }
}

/// One feature descriptor, typed. MMC-6 §5.2.2.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Feature {
    /// Version (0..=15).
    pub version: u8,
    /// Persistent: current regardless of the medium.
    pub persistent: bool,
    /// Current: usable with the medium present.
    pub current: bool,
    /// Feature-dependent data; it also fixes the feature code.
    pub body: FeatureBody,
}

impl Feature {
    /// A current, non-persistent, version 0 feature.
    pub fn new(body: FeatureBody) -> Self {
        Feature {
            version: 0,
            persistent: false,
            current: true,
            body,
        }
    }

    /// The feature code.
    pub fn code(&self) -> FeatureCode {
        self.body.code()
    }

    /// Types a complete descriptor from the view (a cut-short payload is read as far as
    /// it goes).
    pub fn from_view<T: AsRef<[u8]>>(view: &FeatureDescriptorView<T>) -> Feature {
        Feature {
            version: view.version(),
            persistent: view.persistent(),
            current: view.current(),
            body: FeatureBody::parse(view.code(), view.payload()),
        }
    }

    /// Reads one descriptor starting at `buf[0]`; fails if it is cut short.
    pub fn parse(buf: &[u8]) -> wire::Result<Feature> {
        check_len(buf, 4)?;
        let view = FeatureDescriptorView::new(buf);
        check_len(buf, view.total_len())?;
        Ok(Self::from_view(&view))
    }

    /// 4 + the additional length.
    pub fn buffer_len(&self) -> usize {
        4 + self.body.payload_len()
    }

    /// Writes the descriptor.
    pub fn emit(&self, buf: &mut [u8]) -> wire::Result<usize> {
        let len = self.buffer_len();
        if len > 4 + 255 {
            return Err(wire::Error::Invalid {
                field: "feature additional length",
                value: (len - 4) as u64,
            });
        }
        check_room(buf, len)?;
        put_be16(buf, 0, self.code().into());
        buf[2] = ((self.version & 0x0F) << 2)
            | (u8::from(self.persistent) << 1)
            | u8::from(self.current);
        buf[3] = (len - 4) as u8;
        self.body.emit(&mut buf[4..])?;
        Ok(len)
    }
}

/// A GET CONFIGURATION answer, typed: the current profile and the features. MMC-6 §6.6.2.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Configuration {
    /// Current Profile of the header.
    pub current_profile: Profile,
    /// The feature descriptors in answer order (ascending feature code).
    pub features: Vec<Feature>,
}

impl Configuration {
    /// Reads the answer: header plus every complete descriptor (see [`Features`]).
    pub fn parse(buf: &[u8]) -> wire::Result<Self> {
        let header = FeatureHeader::parse(buf)?;
        Ok(Configuration {
            current_profile: header.current_profile,
            features: Features::new(buf).map(|v| Feature::from_view(&v)).collect(),
        })
    }

    /// Bytes [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        FEATURE_HEADER_LEN + self.features.iter().map(Feature::buffer_len).sum::<usize>()
    }

    /// Writes header and descriptors in the order given; the data length is computed.
    pub fn emit(&self, buf: &mut [u8]) -> wire::Result<usize> {
        let len = self.buffer_len();
        check_room(buf, len)?;
        FeatureHeader {
            data_length: u32::try_from(len - 4).unwrap_or(u32::MAX),
            current_profile: self.current_profile,
        }
        .emit(buf)?;
        let mut at = FEATURE_HEADER_LEN;
        for f in &self.features {
            at += f.emit(&mut buf[at..])?;
        }
        Ok(at)
    }

    /// The feature with `code`, if present.
    pub fn feature(&self, code: FeatureCode) -> Option<&Feature> {
        self.features.iter().find(|f| f.code() == code)
    }

    /// The Profile List entries (empty when the feature is absent).
    pub fn profiles(&self) -> &[ProfileDescriptor] {
        self.features
            .iter()
            .find_map(|f| match &f.body {
                FeatureBody::ProfileList(list) => Some(list.as_slice()),
                _ => None,
            })
            .unwrap_or(&[])
    }

    /// The features a device returns for RT and the starting feature, in ascending
    /// code order: RT 00b every feature ≥ start, RT 01b only current ones ≥ start,
    /// RT 10b only the feature equal to start (none if absent).
    pub fn select(&self, rt: ReturnType, starting_feature: FeatureCode) -> Configuration {
        let start = u16::from(starting_feature);
        let mut features: Vec<Feature> = self
            .features
            .iter()
            .filter(|f| {
                let code = u16::from(f.code());
                match rt {
                    ReturnType::All => code >= start,
                    ReturnType::Current => code >= start && f.current,
                    ReturnType::One => code == start,
                    ReturnType::Unknown(_) => false,
                }
            })
            .cloned()
            .collect();
        features.sort_by_key(|f| u16::from(f.code()));
        Configuration {
            current_profile: self.current_profile,
            features,
        }
    }

    /// The bytes a device transfers for `request`: the selected features (see
    /// [`select`](Self::select)), with the Data Length of the whole answer, cut to the
    /// allocation length. No zero padding is added.
    pub fn respond(&self, request: &GetConfiguration) -> Vec<u8> {
        let selected = self.select(request.rt, request.starting_feature);
        let mut out = vec![0u8; selected.buffer_len()];
        // Each feature's payload fits by construction except an oversized list or Raw
        // body; those are skipped rather than answered with a malformed descriptor.
        let written = match selected.emit(&mut out) {
            Ok(n) => n,
            Err(_) => {
                let kept = Configuration {
                    current_profile: selected.current_profile,
                    features: selected
                        .features
                        .into_iter()
                        .filter(|f| f.body.payload_len() <= 255)
                        .collect(),
                };
                out = vec![0u8; kept.buffer_len()];
                kept.emit(&mut out).unwrap_or(0)
            }
        };
        out.truncate(written.min(usize::from(request.allocation_length)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Command;
    use proptest::prelude::*;

    /// tgt's answer to GET CONFIGURATION RT 0, alloc 1024, for a blank DVD+R
    /// (usr/mmc.c layout; the serial number bytes are "12345678").
    fn tgt_answer() -> Vec<u8> {
        let mut v = vec![
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1B, // header; length patched below
            0x00, 0x00, 0x03, 0x08, // Profile List, persistent+current, 2 profiles
            0x00, 0x10, 0x00, 0x00, // DVD-ROM
            0x00, 0x1B, 0x01, 0x00, // DVD+R (current)
            0x00, 0x01, 0x03, 0x04, 0x00, 0x00, 0x00, 0x02, // Core v0: ATAPI
            0x00, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00, // Morphing
            0x00, 0x03, 0x03, 0x04, 0x29, 0x00, 0x00, 0x00, // Removable: tray, eject, lock
            0x00, 0x10, 0x00, 0x08, 0x00, 0x00, 0x08, 0x00, 0x00, 0x10, 0x01, 0x00, // RR
            0x00, 0x1D, 0x00, 0x00, // Multi-Read
            0x00, 0x1F, 0x00, 0x00, // DVD Read (not current)
            0x00, 0x2B, 0x01, 0x04, 0x01, 0x00, 0x00, 0x00, // DVD+R current, Write
            0x01, 0x00, 0x03, 0x00, // Power Management
            0x01, 0x05, 0x03, 0x00, // Timeout
            0x01, 0x07, 0x0C, 0x04, 0x1F, 0x00, 0x00, 0x00, // RTS v3, not current
            0x01, 0x08, 0x03, 0x08, b'1', b'2', b'3', b'4', b'5', b'6', b'7', b'8', // serial
            0x01, 0x0A, 0x01, 0x0C, b'F', b'D', b'C', 0, b'S', b'D', b'C', 0, b'T', b'O', b'C',
            0, // DCBs
        ];
        let len = (v.len() - 4) as u32;
        v[..4].copy_from_slice(&len.to_be_bytes());
        v.resize(1024, 0); // tgt transfers the whole allocation, zero-padded
        v
    }

    #[test]
    fn tgt_answer_parses() {
        let buf = tgt_answer();
        let header = FeatureHeader::parse(&buf).unwrap();
        assert_eq!(header.current_profile, Profile::DvdPlusR);
        assert_eq!(header.data_length, 112);
        let codes: Vec<u16> = Features::new(&buf).map(|f| f.code().into()).collect();
        assert_eq!(
            codes,
            [
                0x0000, 0x0001, 0x0002, 0x0003, 0x0010, 0x001D, 0x001F, 0x002B, 0x0100, 0x0105,
                0x0107, 0x0108, 0x010A
            ]
        );
        let c = Configuration::parse(&buf).unwrap();
        assert_eq!(c.features.len(), 13);
        assert_eq!(
            c.profiles(),
            &[
                ProfileDescriptor {
                    profile: Profile::DvdRom,
                    current: false
                },
                ProfileDescriptor {
                    profile: Profile::DvdPlusR,
                    current: true
                }
            ]
        );
        let core = c.feature(FeatureCode::Core).unwrap();
        assert!(core.persistent && core.current);
        assert_eq!(
            core.body,
            FeatureBody::Core(Core {
                physical_interface: 2,
                inq2: false,
                dbe: false
            })
        );
        assert_eq!(
            c.feature(FeatureCode::RemovableMedium).unwrap().body,
            FeatureBody::RemovableMedium(RemovableMedium {
                mechanism: LoadingMechanism::Tray,
                load: false,
                eject: true,
                prevent_jumper: false,
                dbml: false,
                lock: true
            })
        );
        assert_eq!(
            c.feature(FeatureCode::RandomReadable).unwrap().body,
            FeatureBody::RandomReadable(RandomReadable {
                block_size: 2048,
                blocking: 16,
                pp: true
            })
        );
        let plus_r = c.feature(FeatureCode::DvdPlusR).unwrap();
        assert!(plus_r.current && !plus_r.persistent);
        assert_eq!(plus_r.body, FeatureBody::DvdPlusR(DvdPlusR { write: true }));
        let rts = c.feature(FeatureCode::RealTimeStreaming).unwrap();
        assert_eq!(rts.version, 3);
        assert!(!rts.current);
        assert_eq!(
            rts.body,
            FeatureBody::RealTimeStreaming(RealTimeStreaming {
                rbcb: true,
                scs: true,
                mp2a: true,
                wspd: true,
                sw: true
            })
        );
        assert_eq!(
            c.feature(FeatureCode::DriveSerialNumber).unwrap().body,
            FeatureBody::Raw {
                code: FeatureCode::DriveSerialNumber,
                data: b"12345678".to_vec()
            }
        );
        assert_eq!(
            c.feature(FeatureCode::PowerManagement).unwrap().body,
            FeatureBody::PowerManagement
        );
    }

    #[test]
    fn zero_padding_with_a_lying_length_is_not_a_profile_list() {
        // A device that claims the whole allocation as data: the zero bytes after the
        // last real descriptor look like empty Profile Lists; the walk must stop there.
        let mut buf = tgt_answer();
        buf[..4].copy_from_slice(&1020u32.to_be_bytes());
        assert_eq!(Features::new(&buf).count(), 13);
        assert_eq!(Configuration::parse(&buf).unwrap().features.len(), 13);
    }

    #[test]
    fn truncated_answers_stop_at_the_cut() {
        let buf = tgt_answer();
        // Cut inside the Random Readable descriptor (starts at 44, 12 bytes long).
        let codes: Vec<FeatureCode> = Features::new(&buf[..50]).map(|f| f.code()).collect();
        assert_eq!(
            codes,
            [
                FeatureCode::ProfileList,
                FeatureCode::Core,
                FeatureCode::Morphing,
                FeatureCode::RemovableMedium
            ]
        );
        assert_eq!(Features::new(&buf[..8]).count(), 0);
        assert_eq!(Features::new(&buf[..3]).count(), 0);
        assert!(Configuration::parse(&buf[..7]).is_err());
        assert!(Feature::parse(&buf[44..50]).is_err());
        let rr = Feature::parse(&buf[44..]).unwrap();
        assert_eq!(rr.code(), FeatureCode::RandomReadable);
        let v = FeatureDescriptorView::new(&buf[44..50]);
        assert_eq!(v.payload(), &[0, 0][..]);
        assert!(!v.is_complete());
        assert_eq!(v.total_len(), 12);
    }

    #[test]
    fn short_fixed_bodies_read_missing_fields_as_zero() {
        // An older Core (version 0, 4 bytes): INQ2 and DBE are past its end.
        assert_eq!(
            FeatureBody::parse(FeatureCode::Core, &[0, 0, 0, 1]),
            FeatureBody::Core(Core {
                physical_interface: 1,
                inq2: false,
                dbe: false
            })
        );
        // Bytes past the body's size are not its fields.
        assert_eq!(
            FeatureBody::parse(FeatureCode::DvdPlusR, &[1, 0, 0, 0, 0xFF]),
            FeatureBody::DvdPlusR(DvdPlusR { write: true })
        );
        let bd = FeatureBody::parse(FeatureCode::BdWrite, &[1, 0, 0, 0, 0x12, 0x34]);
        assert_eq!(
            bd,
            FeatureBody::BdWrite(BdWrite {
                svnr: true,
                bd_re: [0x1234, 0, 0, 0],
                bd_r: [0; 4]
            })
        );
        assert_eq!(bd.payload_len(), 24);
        let mut out = [0xFF; 24];
        assert_eq!(bd.emit(&mut out), Ok(24));
        assert_eq!(out[..6], [1, 0, 0, 0, 0x12, 0x34]);
        assert!(out[6..].iter().all(|&b| b == 0));
    }

    #[test]
    fn tgt_answer_round_trips_through_respond() {
        let buf = tgt_answer();
        let c = Configuration::parse(&buf).unwrap();
        // Core v0 has 4 bytes in tgt; ours emits the 8-byte current layout, so compare
        // typed, and compare bytes for a configuration that keeps tgt's exact Core.
        let full = c.respond(&GetConfiguration::all(1024));
        assert_eq!(Configuration::parse(&full).unwrap(), c);
        let mut tgt_like = c.clone();
        tgt_like.features[1].body = FeatureBody::Raw {
            code: FeatureCode::Core,
            data: vec![0, 0, 0, 2],
        };
        assert_eq!(
            tgt_like.respond(&GetConfiguration::all(1024)),
            buf[..116].to_vec()
        );
        // Allocation length cuts the transfer, not the Data Length.
        let cut = tgt_like.respond(&GetConfiguration::all(16));
        assert_eq!(cut, buf[..16].to_vec());
        assert_eq!(FeatureHeader::parse(&cut).unwrap().data_length, 112);
        // RT 1: only current features.
        let current = Configuration::parse(&c.respond(&GetConfiguration::current(1024))).unwrap();
        let codes: Vec<u16> = current.features.iter().map(|f| f.code().into()).collect();
        assert_eq!(
            codes,
            [0x0000, 0x0001, 0x0002, 0x0003, 0x002B, 0x0100, 0x0105, 0x0108, 0x010A]
        );
        // RT 2: one feature, or only the header.
        let one = c.respond(&GetConfiguration::one(FeatureCode::DvdPlusR, 64));
        assert_eq!(
            one,
            [0, 0, 0, 12, 0, 0, 0, 0x1B, 0x00, 0x2B, 0x01, 0x04, 0x01, 0, 0, 0]
        );
        let none = c.respond(&GetConfiguration::one(FeatureCode::BdWrite, 64));
        assert_eq!(none, [0, 0, 0, 4, 0, 0, 0, 0x1B]);
        // Starting feature with RT 0.
        let from = Configuration::parse(&c.respond(&GetConfiguration {
            rt: ReturnType::All,
            starting_feature: FeatureCode::PowerManagement,
            allocation_length: 1024,
        }))
        .unwrap();
        assert_eq!(from.features.len(), 5);
        assert_eq!(from.features[0].code(), FeatureCode::PowerManagement);
    }

    #[test]
    fn get_configuration_cdb() {
        let c = GetConfiguration::one(FeatureCode::DvdPlusR, 0x0100).emit();
        assert_eq!(
            c.as_bytes(),
            &[0x46, 0x02, 0x00, 0x2B, 0, 0, 0, 0x01, 0x00, 0]
        );
        assert_eq!(
            GetConfiguration::parse(c.as_bytes()),
            Ok(GetConfiguration::one(FeatureCode::DvdPlusR, 256))
        );
        assert_eq!(
            GetConfiguration::current(8).emit().as_bytes(),
            &[0x46, 0x01, 0, 0, 0, 0, 0, 0, 8, 0]
        );
        assert!(GetConfiguration::parse(&[0x46, 0x03, 0, 0, 0, 0, 0, 0, 8, 0]).is_err());
        assert!(GetConfiguration::parse(&[0x46, 0x00, 0, 0, 0, 0, 0, 0, 8]).is_err());
        assert!(GetConfiguration::parse(&[0x47, 0x00, 0, 0, 0, 0, 0, 0, 8, 0]).is_err());
    }

    #[test]
    fn writer_features_byte_exact() {
        fn check(bytes: &[u8], body: FeatureBody) {
            let f = Feature::parse(bytes).unwrap();
            assert_eq!(f.body, body, "{:?}", f.code());
            let mut out = vec![0xEEu8; f.buffer_len()];
            assert_eq!(f.emit(&mut out), Ok(bytes.len()));
            assert_eq!(out, bytes);
        }
        check(
            &[0x00, 0x01, 0x0B, 0x08, 0, 0, 0, 1, 0x03, 0, 0, 0],
            FeatureBody::Core(Core {
                physical_interface: 1,
                inq2: true,
                dbe: true,
            }),
        );
        check(
            &[0x00, 0x02, 0x07, 0x04, 0x03, 0, 0, 0],
            FeatureBody::Morphing(Morphing {
                ocevent: true,
                asynchronous: true,
            }),
        );
        check(
            &[
                0x00, 0x20, 0x0D, 0x0C, 0x00, 0x23, 0x05, 0x3F, 0, 0, 0x08, 0, 0x00, 0x10, 0x01, 0,
            ],
            FeatureBody::RandomWritable(RandomWritable {
                last_lba: 0x23053F,
                block_size: 2048,
                blocking: 16,
                pp: true,
            }),
        );
        check(
            &[
                0x00, 0x21, 0x09, 0x08, 0x01, 0x05, 0x07, 0x02, 0x01, 0x10, 0, 0,
            ],
            FeatureBody::IncrementalStreamingWritable(IncrementalStreamingWritable {
                data_block_types: 0x0105,
                trio: true,
                arsv: true,
                buf: true,
                link_sizes: vec![1, 16],
            }),
        );
        check(
            &[0x00, 0x23, 0x05, 0x08, 0x0F, 0x80, 0, 0, 0x01, 0, 0, 0],
            FeatureBody::Formattable(Formattable {
                renosa: true,
                expand: true,
                qcert: true,
                cert: true,
                frf: true,
                rrm: true,
            }),
        );
        check(
            &[0x00, 0x24, 0x03, 0x04, 0x80, 0, 0, 0],
            FeatureBody::DefectManagement(DefectManagement { ssa: true }),
        );
        check(&[0x00, 0x26, 0x01, 0x00], FeatureBody::RestrictedOverwrite);
        check(
            &[0x00, 0x2A, 0x05, 0x04, 0x01, 0x03, 0, 0],
            FeatureBody::DvdPlusRw(DvdPlusRw {
                write: true,
                quick_start: true,
                close_only: true,
            }),
        );
        check(
            &[0x00, 0x2D, 0x09, 0x04, 0x5F, 0x00, 0x00, 0x7F],
            FeatureBody::CdTrackAtOnce(CdTrackAtOnce {
                buf: true,
                rw_raw: true,
                rw_pack: true,
                test_write: true,
                cd_rw: true,
                rw_subcode: true,
                data_types: 0x007F,
            }),
        );
        check(
            &[0x00, 0x2E, 0x05, 0x04, 0x7F, 0x00, 0x0F, 0xFF],
            FeatureBody::CdMastering(CdMastering {
                buf: true,
                sao: true,
                raw_ms: true,
                raw: true,
                test_write: true,
                cd_rw: true,
                rw: true,
                max_cue_sheet_len: 0x000FFF,
            }),
        );
        check(
            &[0x00, 0x2F, 0x09, 0x04, 0x4E, 0, 0, 0],
            FeatureBody::DvdMinusRWrite(DvdMinusRWrite {
                buf: true,
                rdl: true,
                test_write: true,
                dvd_rw_sl: true,
            }),
        );
        let mut bd_read = vec![0x00, 0x40, 0x05, 0x1C, 0, 0, 0, 0];
        for v in 1u16..=12 {
            bd_read.extend_from_slice(&v.to_be_bytes());
        }
        check(
            &bd_read,
            FeatureBody::BdRead(BdRead {
                bd_re: [1, 2, 3, 4],
                bd_r: [5, 6, 7, 8],
                bd_rom: [9, 10, 11, 12],
            }),
        );
        let mut bd_write = vec![0x00, 0x41, 0x09, 0x18, 0x01, 0, 0, 0];
        for v in [6u16, 0, 0, 0, 4, 0, 0, 0] {
            bd_write.extend_from_slice(&v.to_be_bytes());
        }
        bd_write.extend_from_slice(&[0; 4]); // bytes 24-27 reserved (length 18h)
        check(
            &bd_write,
            FeatureBody::BdWrite(BdWrite {
                svnr: true,
                bd_re: [6, 0, 0, 0],
                bd_r: [4, 0, 0, 0],
            }),
        );
        check(&[0x01, 0x00, 0x03, 0x00], FeatureBody::PowerManagement);
        check(
            &[0x01, 0x05, 0x07, 0x04, 0x01, 0x00, 0x02, 0x00],
            FeatureBody::Raw {
                code: FeatureCode::Timeout,
                data: vec![1, 0, 2, 0],
            },
        );
    }

    #[test]
    fn short_payloads_read_as_older_versions() {
        // Core version 0 (4 bytes): INQ2/DBE absent, read as false.
        let f = Feature::parse(&[0x00, 0x01, 0x03, 0x04, 0, 0, 0, 7]).unwrap();
        assert_eq!(
            f.body,
            FeatureBody::Core(Core {
                physical_interface: 7,
                inq2: false,
                dbe: false
            })
        );
        // ISW claiming 200 link sizes with only 2 present: capped by the bytes.
        let f = Feature::parse(&[0x00, 0x21, 0x00, 0x06, 0, 0, 0, 200, 1, 16]).unwrap();
        match f.body {
            FeatureBody::IncrementalStreamingWritable(isw) => {
                assert_eq!(isw.link_sizes, vec![1, 16])
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn emit_rejects_oversized_bodies() {
        let f = Feature::new(FeatureBody::Raw {
            code: FeatureCode::Unknown(0xFF00),
            data: vec![0; 256],
        });
        assert!(f.emit(&mut [0u8; 300]).is_err());
        let list = Feature::new(FeatureBody::ProfileList(vec![
            ProfileDescriptor {
                profile: Profile::CdR,
                current: false
            };
            64
        ]));
        assert!(list.emit(&mut [0u8; 300]).is_err());
        assert!(Feature::new(FeatureBody::PowerManagement)
            .emit(&mut [0u8; 3])
            .is_err());
        // respond() leaves an oversized feature out instead of failing.
        let c = Configuration {
            current_profile: Profile::CdR,
            features: vec![Feature::new(FeatureBody::PowerManagement), f],
        };
        let out = c.respond(&GetConfiguration::all(1024));
        assert_eq!(out, [0, 0, 0, 8, 0, 0, 0, 9, 0x01, 0x00, 0x01, 0x00]);
    }

    #[test]
    fn feature_code_names() {
        assert_eq!(FeatureCode::from(0x002F), FeatureCode::DvdMinusRWrite);
        assert_eq!(FeatureCode::DvdMinusRWrite.name(), "DVD-R/-RW Write");
        assert_eq!(FeatureCode::from(0x0107).name(), "Real Time Streaming");
        assert_eq!(FeatureCode::from(0x7777), FeatureCode::Unknown(0x7777));
        for c in FeatureCode::KNOWN {
            assert_eq!(FeatureCode::from(u16::from(*c)), *c);
        }
        assert!(FeatureCode::KNOWN
            .windows(2)
            .all(|w| u16::from(w[0]) < u16::from(w[1])));
    }

    fn typed_codes() -> Vec<u16> {
        vec![
            0x00, 0x01, 0x02, 0x03, 0x10, 0x20, 0x21, 0x23, 0x24, 0x26, 0x2A, 0x2B, 0x2D, 0x2E,
            0x2F, 0x40, 0x41, 0x100, 0x107,
        ]
    }

    fn body() -> impl Strategy<Value = FeatureBody> {
        let u = any::<u32>;
        prop_oneof![
            proptest::collection::vec((any::<u16>(), any::<bool>()), 0..63).prop_map(|v| {
                FeatureBody::ProfileList(
                    v.into_iter()
                        .map(|(p, current)| ProfileDescriptor {
                            profile: Profile::from(p),
                            current,
                        })
                        .collect(),
                )
            }),
            (u(), any::<bool>(), any::<bool>()).prop_map(|(p, inq2, dbe)| FeatureBody::Core(
                Core {
                    physical_interface: p,
                    inq2,
                    dbe
                }
            )),
            any::<(bool, bool)>().prop_map(|(o, a)| FeatureBody::Morphing(Morphing {
                ocevent: o,
                asynchronous: a
            })),
            (0u8..8, any::<[bool; 5]>()).prop_map(|(m, b)| FeatureBody::RemovableMedium(
                RemovableMedium {
                    mechanism: LoadingMechanism::from(m),
                    load: b[0],
                    eject: b[1],
                    prevent_jumper: b[2],
                    dbml: b[3],
                    lock: b[4]
                }
            )),
            (u(), any::<u16>(), any::<bool>()).prop_map(|(s, b, pp)| FeatureBody::RandomReadable(
                RandomReadable {
                    block_size: s,
                    blocking: b,
                    pp
                }
            )),
            (u(), u(), any::<u16>(), any::<bool>()).prop_map(|(l, s, b, pp)| {
                FeatureBody::RandomWritable(RandomWritable {
                    last_lba: l,
                    block_size: s,
                    blocking: b,
                    pp,
                })
            }),
            (
                any::<u16>(),
                any::<[bool; 3]>(),
                proptest::collection::vec(any::<u8>(), 0..248)
            )
                .prop_map(|(d, b, l)| FeatureBody::IncrementalStreamingWritable(
                    IncrementalStreamingWritable {
                        data_block_types: d,
                        trio: b[0],
                        arsv: b[1],
                        buf: b[2],
                        link_sizes: l
                    }
                )),
            any::<[bool; 6]>().prop_map(|b| FeatureBody::Formattable(Formattable {
                renosa: b[0],
                expand: b[1],
                qcert: b[2],
                cert: b[3],
                frf: b[4],
                rrm: b[5]
            })),
            any::<bool>().prop_map(|ssa| FeatureBody::DefectManagement(DefectManagement { ssa })),
            Just(FeatureBody::RestrictedOverwrite),
            any::<[bool; 3]>().prop_map(|b| FeatureBody::DvdPlusRw(DvdPlusRw {
                write: b[0],
                quick_start: b[1],
                close_only: b[2]
            })),
            any::<bool>().prop_map(|write| FeatureBody::DvdPlusR(DvdPlusR { write })),
            (any::<[bool; 6]>(), any::<u16>()).prop_map(|(b, d)| FeatureBody::CdTrackAtOnce(
                CdTrackAtOnce {
                    buf: b[0],
                    rw_raw: b[1],
                    rw_pack: b[2],
                    test_write: b[3],
                    cd_rw: b[4],
                    rw_subcode: b[5],
                    data_types: d
                }
            )),
            (any::<[bool; 7]>(), 0u32..0x0100_0000).prop_map(|(b, m)| FeatureBody::CdMastering(
                CdMastering {
                    buf: b[0],
                    sao: b[1],
                    raw_ms: b[2],
                    raw: b[3],
                    test_write: b[4],
                    cd_rw: b[5],
                    rw: b[6],
                    max_cue_sheet_len: m
                }
            )),
            any::<[bool; 4]>().prop_map(|b| FeatureBody::DvdMinusRWrite(DvdMinusRWrite {
                buf: b[0],
                rdl: b[1],
                test_write: b[2],
                dvd_rw_sl: b[3]
            })),
            any::<[[u16; 4]; 3]>().prop_map(|c| FeatureBody::BdRead(BdRead {
                bd_re: c[0],
                bd_r: c[1],
                bd_rom: c[2]
            })),
            (any::<bool>(), any::<[[u16; 4]; 2]>()).prop_map(|(s, c)| FeatureBody::BdWrite(
                BdWrite {
                    svnr: s,
                    bd_re: c[0],
                    bd_r: c[1]
                }
            )),
            Just(FeatureBody::PowerManagement),
            any::<[bool; 5]>().prop_map(|b| FeatureBody::RealTimeStreaming(RealTimeStreaming {
                rbcb: b[0],
                scs: b[1],
                mp2a: b[2],
                wspd: b[3],
                sw: b[4]
            })),
            (
                any::<u16>().prop_filter("untyped", |c| !typed_codes().contains(c)),
                proptest::collection::vec(any::<u8>(), 0..=255)
            )
                .prop_map(|(c, data)| FeatureBody::Raw {
                    code: FeatureCode::from(c),
                    data
                }),
        ]
    }

    prop_compose! {
        fn feature()(version in 0u8..16, persistent: bool, current: bool, body in body()) -> Feature {
            Feature { version, persistent, current, body }
        }
    }

    proptest! {
        #[test]
        fn get_configuration_round_trips(rt in 0u8..3, start: u16, alloc: u16) {
            let cmd = GetConfiguration {
                rt: ReturnType::from(rt),
                starting_feature: FeatureCode::from(start),
                allocation_length: alloc,
            };
            prop_assert_eq!(GetConfiguration::parse(cmd.emit().as_bytes()), Ok(cmd));
        }

        #[test]
        fn feature_round_trips(f in feature()) {
            let mut buf = vec![0u8; f.buffer_len()];
            prop_assert_eq!(f.emit(&mut buf), Ok(buf.len()));
            prop_assert_eq!(Feature::parse(&buf), Ok(f.clone()));
            prop_assert!(f.emit(&mut buf[..f.buffer_len() - 1]).is_err());
        }

        #[test]
        fn configuration_round_trips(profile: u16, mut fs in proptest::collection::vec(feature(), 0..12)) {
            // A Profile List anywhere but first ends the walk by design; keep it first.
            fs.retain(|f| f.code() != FeatureCode::ProfileList);
            let c = Configuration { current_profile: Profile::from(profile), features: fs };
            let mut buf = vec![0u8; c.buffer_len()];
            prop_assert_eq!(c.emit(&mut buf), Ok(buf.len()));
            prop_assert_eq!(Configuration::parse(&buf), Ok(c.clone()));
            // Zero padding to any allocation changes nothing.
            buf.resize(buf.len() + 64, 0);
            prop_assert_eq!(Configuration::parse(&buf), Ok(c));
        }

        #[test]
        fn header_round_trips(len: u32, profile: u16) {
            let h = FeatureHeader { data_length: len, current_profile: Profile::from(profile) };
            let mut buf = [0u8; 8];
            h.emit(&mut buf).unwrap();
            prop_assert_eq!(FeatureHeader::parse(&buf), Ok(h));
        }

        #[test]
        fn parsers_survive_arbitrary_bytes(buf in proptest::collection::vec(any::<u8>(), 0..2000)) {
            let _ = GetConfiguration::parse(&buf);
            let _ = FeatureHeader::parse(&buf);
            if let Ok(f) = Feature::parse(&buf) {
                prop_assert!(f.buffer_len() <= buf.len().max(4 + 8 + 24 + 4) + 4);
            }
            let mut walked = 0;
            for v in Features::new(&buf) {
                prop_assert!(v.is_complete());
                walked += v.total_len();
                let _ = (v.version(), v.persistent(), v.current(), v.payload());
            }
            prop_assert!(walked + FEATURE_HEADER_LEN <= buf.len().max(FEATURE_HEADER_LEN));
            if let Ok(c) = Configuration::parse(&buf) {
                // Every feature stands on at least 4 bytes of input; list bodies on theirs.
                prop_assert!(c.features.len() * 4 <= buf.len());
                let listed: usize = c.features.iter().map(|f| match &f.body {
                    FeatureBody::ProfileList(l) => 4 * l.len(),
                    FeatureBody::IncrementalStreamingWritable(i) => i.link_sizes.len(),
                    FeatureBody::Raw { data, .. } => data.len(),
                    _ => 0,
                }).sum();
                prop_assert!(listed <= buf.len());
            }
            let v = FeatureDescriptorView::new(&buf);
            let _ = (v.code(), v.additional_length(), v.payload(), v.is_complete());
        }
    }
}
