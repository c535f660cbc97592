//! SPC device commands: TEST UNIT READY, REQUEST SENSE, INQUIRY and its standard data,
//! START STOP UNIT, PREVENT ALLOW MEDIUM REMOVAL and MECHANISM STATUS with its data
//! (SPC-4; MMC-6 §6.9, §6.11, §6.14, §6.29, §6.40, §6.42).
//!
//! CDBs are [`Command`]s whose `parse` rejects reserved code values in defined fields
//! (as SPC-4 defines "reserved"), so the virtual recorder answers them with ILLEGAL
//! REQUEST; reserved bits are ignored. Sense data itself is decoded in [`crate::sense`].
//!
//! [`Command`]: crate::Command

use crate::wire::{self, check_room, put_be16, put_be24, put_u8, u8_at};

crate::command! {
    /// SPC-4 / MMC-6 §6.42 TEST UNIT READY: GOOD when a medium is loaded and ready;
    /// otherwise CHECK CONDITION with NOT READY sense (carrying progress during an Immed
    /// format, close or synchronize).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct TestUnitReady: OpCode::TestUnitReady, 6 bytes;
    {}
}

crate::command! {
    /// SPC-4 / MMC-6 §6.29 REQUEST SENSE: the sense data of the last command or the
    /// current (deferred, progress) condition.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct RequestSense: OpCode::RequestSense, 6 bytes;
    {
        /// DESC (byte 1 bit 0): descriptor-format sense (72h) instead of fixed (70h).
        pub desc: bool = bit(1, 0),
        /// Allocation length (byte 4); 18 holds fixed sense with its key-specific bytes.
        pub alloc: u8 = u8(4),
    }
}

impl Default for RequestSense {
    fn default() -> Self {
        RequestSense {
            desc: false,
            alloc: 18,
        }
    }
}

crate::command! {
    /// SPC-4 / MMC-6 §6.9 INQUIRY: standard data ([`InquiryData`]) or a vital product
    /// data page.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Inquiry: OpCode::Inquiry, 6 bytes;
    {
        /// EVPD (byte 1 bit 0): return the VPD page `page_code`.
        pub evpd: bool = bit(1, 0),
        /// Page Code (byte 2); must be 0 when `evpd` is clear.
        pub page_code: u8 = u8(2),
        /// Allocation length (bytes 3–4).
        pub alloc: u16 = be16(3),
    }
    check Inquiry::check_page_code;
}

impl Inquiry {
    /// Standard INQUIRY data, 36 bytes (vendor, product, revision).
    pub fn standard() -> Self {
        Inquiry {
            evpd: false,
            page_code: 0,
            alloc: InquiryData::LEN as u16,
        }
    }

    /// Vital product data page `page_code` (80h unit serial number, 83h identification).
    pub fn vpd(page_code: u8, alloc: u16) -> Self {
        Inquiry {
            evpd: true,
            page_code,
            alloc,
        }
    }

    /// SPC-4 INQUIRY: a page code without EVPD is an invalid field in the CDB.
    fn check_page_code(&self) -> wire::Result<()> {
        if !self.evpd && self.page_code != 0 {
            return Err(wire::Error::Invalid {
                field: "page code without EVPD",
                value: u64::from(self.page_code),
            });
        }
        Ok(())
    }
}

crate::wire_enum! {
    /// Peripheral Device Type (INQUIRY byte 0 bits 0–4, SPC-4).
    pub enum DeviceType: u8 & 0x1F {
        /// 00h: direct access block device (disk).
        DirectAccess = 0x00 => "direct access block device",
        /// 01h: sequential access device (tape).
        SequentialAccess = 0x01 => "sequential access device",
        /// 05h: CD/DVD/BD device, the MMC device type.
        CdDvd = 0x05 => "CD/DVD device",
        /// 07h: optical memory device.
        OpticalMemory = 0x07 => "optical memory device",
        /// 1Fh: unknown or no device type.
        NoDevice = 0x1F => "unknown or no device type",
        /// Any other value, kept as received.
        Unknown => "unknown device type",
    }
}

crate::record! {
    /// Standard INQUIRY data (SPC-4): device type, removability and the identification
    /// strings that drive quirk tables key on.
    ///
    /// Parsed from at least the 5-byte header; identification strings hold whatever part of
    /// them was transferred (empty when none was). [`emit`](Self::emit) writes the 36-byte
    /// block; strings are space-padded, cut to their field, and non-ASCII characters
    /// written as `?`.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct InquiryData, at least 5, emits InquiryData::LEN;
    /// A view over standard INQUIRY data; accessors never panic (bytes past the end read as
    /// 0, strings stop at the end).
    view InquiryDataView;
    {
        /// Peripheral Qualifier (byte 0 bits 5–7): 0 = a device is connected to this LUN.
        pub peripheral_qualifier: u8 = bits(0, 0x07 << 5),
        /// Peripheral Device Type (byte 0 bits 0–4); [`DeviceType::CdDvd`] for a recorder.
        pub device_type: DeviceType = from(bits(0, 0x1F << 0)),
        /// RMB, removable medium (byte 1 bit 7).
        pub removable: bool = bit(1, 7),
        /// Version (byte 2): the SPC version claimed (5 = SPC-3, 6 = SPC-4, 0 = none).
        pub version: u8 = u8(2),
        /// Response Data Format (byte 3 bits 0–3; 2 for current devices).
        pub response_data_format: u8 = bits(3, 0x0F << 0),
        /// Additional Length (byte 4): bytes after byte 4, as the device claims; 31
        /// describes the 36-byte block [`InquiryData::emit`] writes.
        pub additional_length: u8 = u8(4),
        /// T10 Vendor Identification (bytes 8–15), trailing spaces trimmed.
        pub vendor: String = ascii(8..16),
        /// Product Identification (bytes 16–31), trailing spaces trimmed.
        pub product: String = ascii(16..32),
        /// Product Revision Level (bytes 32–35), trailing spaces trimmed.
        pub revision: String = ascii(32..36),
    }
}

impl InquiryData {
    /// Size of the standard block [`emit`](Self::emit) writes.
    pub const LEN: usize = 36;

    /// A connected, removable MMC device (PDT 5, SPC-4, format 2) with these strings.
    pub fn mmc(vendor: &str, product: &str, revision: &str) -> Self {
        InquiryData {
            peripheral_qualifier: 0,
            device_type: DeviceType::CdDvd,
            removable: true,
            version: 6,
            response_data_format: 2,
            additional_length: (Self::LEN - 5) as u8,
            vendor: vendor.to_owned(),
            product: product.to_owned(),
            revision: revision.to_owned(),
        }
    }
}

crate::wire_enum! {
    /// Power Condition of START STOP UNIT (byte 4 bits 4–7; SPC-4 / SBC-3 / MMC-6 §6.40).
    #[derive(Default)]
    pub enum PowerCondition: u8 & 0x0F {
        /// 0h: no power change; LoEj and Start take effect.
        #[default]
        StartValid = 0x0 => "START_VALID",
        /// 1h: go to the active state.
        Active = 0x1 => "ACTIVE",
        /// 2h: go to the idle state.
        Idle = 0x2 => "IDLE",
        /// 3h: go to the standby state.
        Standby = 0x3 => "STANDBY",
        /// 5h: go to the sleep state.
        Sleep = 0x5 => "SLEEP",
        /// 7h: hand power control back to the logical unit.
        LuControl = 0x7 => "LU_CONTROL",
        /// Ah: force the idle condition timer to zero.
        ForceIdle0 = 0xA => "FORCE_IDLE_0",
        /// Bh: force the standby condition timer to zero.
        ForceStandby0 = 0xB => "FORCE_STANDBY_0",
    }
}

crate::command! {
    /// SPC-4/SBC-3 START STOP UNIT, MMC-6 §6.40: spin up/down, load or eject the medium.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct StartStopUnit: OpCode::StartStopUnit, 6 bytes;
    {
        /// Immed (byte 1 bit 0): return before the operation completes.
        pub immed: bool = bit(1, 0),
        /// Power Condition (byte 4 bits 4–7); anything but `StartValid` ignores LoEj/Start.
        pub power_condition: PowerCondition = named(bits(4, 0x0F << 4), "power condition"),
        /// LoEj (byte 4 bit 1): load (with `start`) or eject (without).
        pub load_eject: bool = bit(4, 1),
        /// Start (byte 4 bit 0).
        pub start: bool = bit(4, 0),
    }
}

impl StartStopUnit {
    /// Eject the medium (LoEj 1, Start 0).
    pub fn eject() -> Self {
        StartStopUnit {
            load_eject: true,
            start: false,
            ..Self::default()
        }
    }

    /// Load the medium (LoEj 1, Start 1).
    pub fn load() -> Self {
        StartStopUnit {
            load_eject: true,
            start: true,
            ..Self::default()
        }
    }

    /// Spin up without loading (LoEj 0, Start 1).
    pub fn start() -> Self {
        StartStopUnit {
            start: true,
            ..Self::default()
        }
    }

    /// Spin down (LoEj 0, Start 0).
    pub fn stop() -> Self {
        Self::default()
    }
}

crate::command! {
    /// SPC-4 / MMC-6 §6.14 PREVENT ALLOW MEDIUM REMOVAL: lock or unlock the tray
    /// (a writer locks it for the whole burn).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct PreventAllowMediumRemoval: OpCode::PreventAllowMediumRemoval, 6 bytes;
    {
        /// Prevent (byte 4 bit 0).
        pub prevent: bool = bit(4, 0),
        /// Persistent (byte 4 bit 1): the lock survives the initiator's reset.
        pub persistent: bool = bit(4, 1),
    }
}

crate::command! {
    /// MMC-6 §6.11 MECHANISM STATUS: the state of the loading mechanism (door, changer,
    /// current slot), answered with [`MechanismStatusData`].
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct MechanismStatus: OpCode::MechanismStatus, 12 bytes;
    {
        /// Allocation length (bytes 8–9).
        pub alloc: u16 = be16(8),
    }
}

impl Default for MechanismStatus {
    fn default() -> Self {
        MechanismStatus {
            alloc: MechanismStatusData::HEADER_LEN as u16,
        }
    }
}

crate::wire_enum! {
    /// Changer State (mechanism status byte 0 bits 5–6). Every 2-bit value is defined.
    #[derive(Default)]
    pub enum ChangerState: u8 & 0x03 exhaustive {
        /// 0: ready (also what a drive without a changer reports).
        #[default]
        Ready = 0 => "ready",
        /// 1: load in progress.
        Loading = 1 => "load in progress",
        /// 2: unload in progress.
        Unloading = 2 => "unload in progress",
        /// 3: initializing.
        Initializing = 3 => "initializing",
    }
}

crate::wire_enum! {
    /// Mechanism State (mechanism status byte 1 bits 5–7).
    #[derive(Default)]
    pub enum MechanismState: u8 & 0x07 {
        /// 0: idle.
        #[default]
        Idle = 0 => "idle",
        /// 1: playing audio.
        Playing = 1 => "playing audio",
        /// 2: scanning.
        Scanning = 2 => "scanning",
        /// 3: active with the host (reading, writing, …).
        Active = 3 => "active with host",
        /// 7: no state information.
        NoStateInformation = 7 => "no state information",
        /// Any other value, kept as received.
        Unknown => "reserved",
    }
}

crate::record! {
    /// One slot table entry of MECHANISM STATUS data (4 bytes; changers only).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct SlotEntry, 4 bytes;
    {
        /// Disc Present (byte 0 bit 7).
        pub disc_present: bool = bit(0, 7),
        /// Change (byte 0 bit 0): the slot's medium changed since it was last loaded.
        pub change: bool = bit(0, 0),
        /// CWP_V (byte 1 bit 1): `cartridge_write_protect` is valid.
        pub cwp_valid: bool = bit(1, 1),
        /// CWP (byte 1 bit 0): the cartridge is write protected.
        pub cartridge_write_protect: bool = bit(1, 0),
    }
}

crate::wire_view! {
    /// A view over MECHANISM STATUS data; accessors never panic (bytes past the end read
    /// as 0; only slot entries wholly present are reachable).
    pub struct MechanismStatusView, at least MechanismStatusData::HEADER_LEN;
    {
        /// Fault (byte 0 bit 7): the changer failed to load or unload.
        pub fault: bool = bit(0, 7),
        /// Changer State (byte 0 bits 5–6).
        pub changer_state: ChangerState = from(bits(0, 0x07 << 5)),
        /// Mechanism State (byte 1 bits 5–7).
        pub mechanism_state: MechanismState = from(bits(1, 0x07 << 5)),
        /// Door Open (byte 1 bit 4).
        pub door_open: bool = bit(1, 4),
        /// Current LBA (bytes 2–4), legacy: the last LBA the head reached.
        pub current_lba: u32 = be24(2),
        /// Number of Slots Available (byte 5).
        pub slots_available: u8 = u8(5),
        /// Length of Slot Tables (bytes 6–7), as the drive claims.
        pub slot_table_length: u16 = be16(6),
    }
}

impl<T: AsRef<[u8]>> MechanismStatusView<T> {
    /// Current Slot: byte 0 bits 0–4 with byte 1 bits 0–2 as the high bits (MMC-6).
    pub fn current_slot(&self) -> u8 {
        (u8_at(self.b(), 1) & 0x07) << 5 | (u8_at(self.b(), 0) & 0x1F)
    }
    /// Number of whole slot entries present: the smallest of what was transferred, what
    /// the length field claims and the slot count.
    pub fn slot_count(&self) -> usize {
        let present = self
            .b()
            .len()
            .saturating_sub(MechanismStatusData::HEADER_LEN);
        present.min(usize::from(self.slot_table_length())) / MechanismStatusData::SLOT_LEN
    }
    /// Slot entry `i`, when wholly present.
    pub fn slot(&self, i: usize) -> Option<SlotEntry> {
        if i >= self.slot_count() {
            return None;
        }
        let at = MechanismStatusData::HEADER_LEN + i * MechanismStatusData::SLOT_LEN;
        SlotEntry::parse(self.b().get(at..)?).ok()
    }
}

/// MECHANISM STATUS data (MMC-6 §6.11.2): the 8-byte header and the slot tables of a
/// changer. A drive without a changer reports no slots.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct MechanismStatusData {
    /// Fault (byte 0 bit 7).
    pub fault: bool,
    /// Changer State (byte 0 bits 5–6).
    pub changer_state: ChangerState,
    /// Current Slot (byte 0 bits 0–4, byte 1 bits 0–2 high).
    pub current_slot: u8,
    /// Mechanism State (byte 1 bits 5–7).
    pub mechanism_state: MechanismState,
    /// Door Open (byte 1 bit 4).
    pub door_open: bool,
    /// Current LBA (bytes 2–4).
    pub current_lba: u32,
    /// Number of Slots Available (byte 5).
    pub slots_available: u8,
    /// The slot table entries wholly transferred.
    pub slots: Vec<SlotEntry>,
}

impl MechanismStatusData {
    /// Size of the header.
    pub const HEADER_LEN: usize = 8;
    /// Size of one slot table entry.
    pub const SLOT_LEN: usize = SlotEntry::LEN;

    /// A single drive with its door closed, no changer and no slots.
    pub fn single_drive() -> Self {
        MechanismStatusData::default()
    }

    /// Parses the data from the bytes transferred (at least the header). Slot entries
    /// are read only as far as both the transfer and the length field reach.
    pub fn parse(buf: &[u8]) -> wire::Result<Self> {
        let v = MechanismStatusView::new_checked(buf)?;
        Ok(MechanismStatusData {
            fault: v.fault(),
            changer_state: v.changer_state(),
            current_slot: v.current_slot(),
            mechanism_state: v.mechanism_state(),
            door_open: v.door_open(),
            current_lba: v.current_lba(),
            slots_available: v.slots_available(),
            slots: (0..v.slot_count()).filter_map(|i| v.slot(i)).collect(),
        })
    }

    /// Bytes [`emit`](Self::emit) writes: 8 + 4 per slot entry.
    pub fn buffer_len(&self) -> usize {
        Self::HEADER_LEN + Self::SLOT_LEN * self.slots.len()
    }

    /// Writes the header and slot tables; returns the bytes written. Fails with
    /// [`wire::Error::Invalid`] past 16,383 slot entries (the length field's limit).
    /// Current LBA keeps its low 24 bits.
    pub fn emit(&self, buf: &mut [u8]) -> wire::Result<usize> {
        let table = Self::SLOT_LEN * self.slots.len();
        if table > usize::from(u16::MAX) {
            return Err(wire::Error::Invalid {
                field: "slot table length",
                value: table as u64,
            });
        }
        let len = self.buffer_len();
        check_room(buf, len)?;
        let out = &mut buf[..len];
        out.fill(0);
        put_u8(
            out,
            0,
            u8::from(self.fault) << 7
                | u8::from(self.changer_state) << 5
                | (self.current_slot & 0x1F),
        );
        put_u8(
            out,
            1,
            u8::from(self.mechanism_state) << 5
                | u8::from(self.door_open) << 4
                | (self.current_slot >> 5),
        );
        put_be24(out, 2, self.current_lba & 0xFF_FFFF);
        put_u8(out, 5, self.slots_available);
        put_be16(out, 6, table as u16);
        for (s, d) in self
            .slots
            .iter()
            .zip(out[Self::HEADER_LEN..].chunks_exact_mut(Self::SLOT_LEN))
        {
            s.emit(d)?;
        }
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Command;
    use proptest::prelude::*;

    use crate::cdb::testing::round_trip;

    #[test]
    fn test_unit_ready_and_request_sense_bytes() {
        assert_eq!(TestUnitReady.emit().as_bytes(), &[0, 0, 0, 0, 0, 0]);
        assert_eq!(TestUnitReady::parse(&[0; 6]), Ok(TestUnitReady));
        assert!(TestUnitReady::parse(&[0; 5]).is_err());
        assert!(TestUnitReady::parse(&[3, 0, 0, 0, 0, 0]).is_err());

        let rs = RequestSense::default();
        let raw = [0x03, 0x00, 0x00, 0x00, 0x12, 0x00];
        assert_eq!(rs.emit().as_bytes(), &raw);
        assert_eq!(RequestSense::parse(&raw), Ok(rs));
        let desc = [0x03, 0x01, 0x00, 0x00, 0xFC, 0x00];
        assert_eq!(
            RequestSense::parse(&desc),
            Ok(RequestSense {
                desc: true,
                alloc: 252
            })
        );
    }

    #[test]
    fn inquiry_bytes() {
        let std = Inquiry::standard();
        let raw = [0x12, 0x00, 0x00, 0x00, 0x24, 0x00];
        assert_eq!(std.emit().as_bytes(), &raw);
        assert_eq!(Inquiry::parse(&raw), Ok(std));
        let serial = Inquiry::vpd(0x80, 0x0100);
        let raw = [0x12, 0x01, 0x80, 0x01, 0x00, 0x00];
        assert_eq!(serial.emit().as_bytes(), &raw);
        assert_eq!(Inquiry::parse(&raw), Ok(serial));
        assert_eq!(
            Inquiry::parse(&[0x12, 0x00, 0x80, 0x00, 0x24, 0x00]),
            Err(wire::Error::Invalid {
                field: "page code without EVPD",
                value: 0x80
            })
        );
    }

    /// A recorder's standard INQUIRY data as SPC-4 lays it out.
    const PLEXTOR: [u8; 36] = [
        0x05, // qualifier 0, PDT 5
        0x80, // RMB
        0x06, // SPC-4
        0x32, // NormACA 0, HiSup 1, response data format 2
        0x5B, // additional length 91 (a 96-byte answer)
        0x00, 0x00, 0x00, //
        b'P', b'L', b'E', b'X', b'T', b'O', b'R', b' ', //
        b'D', b'V', b'D', b'R', b' ', b' ', b' ', b'P', b'X', b'-', b'8', b'9', b'1', b'S', b'A',
        b' ', //
        b'1', b'.', b'0', b'6',
    ];

    #[test]
    fn inquiry_data_deconstruct_construct() {
        let d = InquiryData::parse(&PLEXTOR).unwrap();
        assert_eq!(
            d,
            InquiryData {
                peripheral_qualifier: 0,
                device_type: DeviceType::CdDvd,
                removable: true,
                version: 6,
                response_data_format: 2,
                additional_length: 91,
                vendor: "PLEXTOR".into(),
                product: "DVDR   PX-891SA".into(),
                revision: "1.06".into(),
            }
        );
        let mut out = [0xFFu8; 40];
        assert_eq!(d.emit(&mut out), Ok(36));
        // The HiSup bit (byte 3 bit 4) is not kept; everything else is.
        let mut expect = PLEXTOR;
        expect[3] = 0x02;
        assert_eq!(out[..36], expect);
        assert_eq!(out[36], 0xFF);
        assert!(d.emit(&mut [0u8; 35]).is_err());
    }

    #[test]
    fn inquiry_data_short_and_odd() {
        // Only the header: strings empty.
        let d = InquiryData::parse(&PLEXTOR[..5]).unwrap();
        assert_eq!(d.vendor, "");
        assert_eq!(d.revision, "");
        // Cut in the middle of the product string.
        let d = InquiryData::parse(&PLEXTOR[..20]).unwrap();
        assert_eq!(d.vendor, "PLEXTOR");
        assert_eq!(d.product, "DVDR");
        assert!(InquiryData::parse(&PLEXTOR[..4]).is_err());
        // NUL padding (strncpy) reads as spaces; non-ASCII as '?'.
        let mut raw = PLEXTOR;
        raw[8..16].copy_from_slice(b"IET\0\0\0\0\0");
        raw[32] = 0xE9;
        let d = InquiryData::parse(&raw).unwrap();
        assert_eq!(d.vendor, "IET");
        assert_eq!(d.revision, "?.06");
        // PDT 1Fh with qualifier 3: no device on this LUN.
        raw[0] = 0x7F;
        let d = InquiryData::parse(&raw).unwrap();
        assert_eq!(
            (d.peripheral_qualifier, d.device_type),
            (3, DeviceType::NoDevice)
        );
        raw[0] = 0x0C;
        assert_eq!(
            InquiryData::parse(&raw).unwrap().device_type,
            DeviceType::Unknown(0x0C)
        );
    }

    #[test]
    fn inquiry_data_emit_pads_and_cuts() {
        let d = InquiryData::mmc("DISCBURN", "Virtual Recorder With A Long Name", "0.1é");
        let mut out = [0u8; 36];
        d.emit(&mut out).unwrap();
        assert_eq!(&out[..5], &[0x05, 0x80, 0x06, 0x02, 0x1F]);
        assert_eq!(&out[8..16], b"DISCBURN");
        assert_eq!(&out[16..32], b"Virtual Recorder");
        assert_eq!(&out[32..36], b"0.1?");
    }

    #[test]
    fn start_stop_unit_bytes() {
        let raw = [0x1B, 0x00, 0x00, 0x00, 0x02, 0x00];
        assert_eq!(StartStopUnit::eject().emit().as_bytes(), &raw);
        assert_eq!(StartStopUnit::parse(&raw), Ok(StartStopUnit::eject()));
        let load = StartStopUnit {
            immed: true,
            ..StartStopUnit::load()
        };
        let raw = [0x1B, 0x01, 0x00, 0x00, 0x03, 0x00];
        assert_eq!(load.emit().as_bytes(), &raw);
        assert_eq!(StartStopUnit::parse(&raw), Ok(load));
        assert_eq!(StartStopUnit::start().emit().as_bytes()[4], 0x01);
        assert_eq!(StartStopUnit::stop().emit().as_bytes()[4], 0x00);
        let standby = [0x1B, 0x00, 0x00, 0x00, 0x30, 0x00];
        assert_eq!(
            StartStopUnit::parse(&standby).unwrap().power_condition,
            PowerCondition::Standby
        );
        assert_eq!(
            StartStopUnit::parse(&[0x1B, 0, 0, 0, 0x40, 0]),
            Err(wire::Error::Invalid {
                field: "power condition",
                value: 4
            })
        );
    }

    #[test]
    fn prevent_allow_bytes() {
        let lock = PreventAllowMediumRemoval {
            prevent: true,
            persistent: false,
        };
        let raw = [0x1E, 0x00, 0x00, 0x00, 0x01, 0x00];
        assert_eq!(lock.emit().as_bytes(), &raw);
        assert_eq!(PreventAllowMediumRemoval::parse(&raw), Ok(lock));
        let raw = [0x1E, 0x00, 0x00, 0x00, 0x02, 0x00];
        assert_eq!(
            PreventAllowMediumRemoval::parse(&raw),
            Ok(PreventAllowMediumRemoval {
                prevent: false,
                persistent: true
            })
        );
        assert_eq!(
            PreventAllowMediumRemoval::default().emit().as_bytes(),
            &[0x1E, 0, 0, 0, 0, 0]
        );
    }

    #[test]
    fn mechanism_status_cdb_bytes() {
        let c = MechanismStatus::default();
        let raw = [0xBD, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x08, 0, 0];
        assert_eq!(c.emit().as_bytes(), &raw);
        assert_eq!(MechanismStatus::parse(&raw), Ok(c));
        let raw = [0xBD, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x08, 0, 0];
        assert_eq!(MechanismStatus::parse(&raw).unwrap().alloc, 0x108);
        assert!(MechanismStatus::parse(&raw[..11]).is_err());
    }

    #[test]
    fn mechanism_status_data_bytes() {
        // A drive without a changer, door closed, idle: all zeros.
        let single = MechanismStatusData::single_drive();
        let mut out = [0xFFu8; 9];
        assert_eq!(single.emit(&mut out), Ok(8));
        assert_eq!(out[..8], [0u8; 8]);
        assert_eq!(out[8], 0xFF);
        assert_eq!(MechanismStatusData::parse(&out[..8]).unwrap(), single);
        // A 5-slot changer: fault, unloading, slot 3, active, door open, LBA 0x012345,
        // 2 slot entries (slot 0 has a disc that changed; slot 1 protected).
        let raw = [
            0xC3, 0x70, 0x01, 0x23, 0x45, 0x05, 0x00, 0x08, //
            0x81, 0x00, 0x00, 0x00, //
            0x00, 0x03, 0x00, 0x00,
        ];
        let d = MechanismStatusData::parse(&raw).unwrap();
        assert_eq!(
            d,
            MechanismStatusData {
                fault: true,
                changer_state: ChangerState::Unloading,
                current_slot: 3,
                mechanism_state: MechanismState::Active,
                door_open: true,
                current_lba: 0x01_2345,
                slots_available: 5,
                slots: vec![
                    SlotEntry {
                        disc_present: true,
                        change: true,
                        cwp_valid: false,
                        cartridge_write_protect: false
                    },
                    SlotEntry {
                        disc_present: false,
                        change: false,
                        cwp_valid: true,
                        cartridge_write_protect: true
                    },
                ],
            }
        );
        let mut out = [0u8; 16];
        assert_eq!(d.emit(&mut out), Ok(16));
        assert_eq!(out, raw);
        assert!(d.emit(&mut [0u8; 15]).is_err());
        // The length field limits the entries, and so does the transfer.
        let mut claimed = raw;
        claimed[7] = 4;
        assert_eq!(MechanismStatusData::parse(&claimed).unwrap().slots.len(), 1);
        assert_eq!(
            MechanismStatusData::parse(&raw[..14]).unwrap().slots.len(),
            1
        );
        assert!(MechanismStatusData::parse(&raw[..7]).is_err());
        // Slot numbers above 31 use byte 1 bits 0–2; mechanism state 5 is kept.
        let v = MechanismStatusView::new_unchecked([0x01u8, 0xA2]);
        assert_eq!(v.current_slot(), 0x41);
        assert_eq!(v.mechanism_state(), MechanismState::Unknown(5));
        assert_eq!(v.slot(0), None);
    }

    fn arb_power() -> impl Strategy<Value = PowerCondition> {
        prop::sample::select(vec![
            PowerCondition::StartValid,
            PowerCondition::Active,
            PowerCondition::Idle,
            PowerCondition::Standby,
            PowerCondition::Sleep,
            PowerCondition::LuControl,
            PowerCondition::ForceIdle0,
            PowerCondition::ForceStandby0,
        ])
    }

    /// Printable ASCII without trailing spaces, at most `n` characters: what round-trips.
    fn arb_ascii(n: usize) -> impl Strategy<Value = String> {
        proptest::string::string_regex(&format!("[ -~]{{0,{n}}}"))
            .unwrap()
            .prop_map(|s| s.trim_end_matches(' ').to_owned())
    }

    prop_compose! {
        fn arb_inquiry_data()(
            peripheral_qualifier in 0u8..8, pdt in 0u8..32, removable: bool, version: u8,
            response_data_format in 0u8..16, additional_length: u8,
            vendor in arb_ascii(8), product in arb_ascii(16), revision in arb_ascii(4),
        ) -> InquiryData {
            InquiryData {
                peripheral_qualifier,
                device_type: DeviceType::from(pdt),
                removable, version, response_data_format, additional_length,
                vendor, product, revision,
            }
        }
    }

    proptest! {
        #[test]
        fn cdb_round_trips(
            desc: bool, alloc8: u8, evpd: bool, page: u8, alloc: u16, immed: bool,
            pc in arb_power(), load_eject: bool, start: bool, prevent: bool, persistent: bool,
        ) {
            round_trip(TestUnitReady);
            round_trip(RequestSense { desc, alloc: alloc8 });
            round_trip(Inquiry { evpd, page_code: if evpd { page } else { 0 }, alloc });
            round_trip(StartStopUnit { immed, power_condition: pc, load_eject, start });
            round_trip(PreventAllowMediumRemoval { prevent, persistent });
        }

        #[test]
        fn mechanism_status_round_trip(
            alloc: u16, fault: bool, changer in 0u8..4, slot: u8, mech in 0u8..8,
            door_open: bool, lba in 0u32..0x100_0000, slots_available: u8,
            slots in proptest::collection::vec((any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()), 0..20),
        ) {
            round_trip(MechanismStatus { alloc });
            let d = MechanismStatusData {
                fault,
                changer_state: ChangerState::from(changer),
                current_slot: slot,
                mechanism_state: MechanismState::from(mech),
                door_open,
                current_lba: lba,
                slots_available,
                slots: slots.into_iter().map(|(disc_present, change, cwp_valid, cartridge_write_protect)| SlotEntry {
                    disc_present, change, cwp_valid, cartridge_write_protect,
                }).collect(),
            };
            let mut buf = vec![0u8; d.buffer_len()];
            prop_assert_eq!(d.emit(&mut buf), Ok(d.buffer_len()));
            prop_assert_eq!(MechanismStatusData::parse(&buf), Ok(d));
        }

        #[test]
        fn inquiry_data_round_trip(d in arb_inquiry_data()) {
            let mut buf = vec![0u8; d.buffer_len()];
            prop_assert_eq!(d.emit(&mut buf), Ok(InquiryData::LEN));
            prop_assert_eq!(InquiryData::parse(&buf), Ok(d));
        }

        #[test]
        fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            crate::cdb::testing::parse_each!(&bytes => TestUnitReady, RequestSense, Inquiry,
                StartStopUnit, PreventAllowMediumRemoval, MechanismStatus);
            if let Ok(m) = MechanismStatusData::parse(&bytes) {
                prop_assert!(m.slots.len() <= bytes.len().saturating_sub(8) / 4);
            }
            if let Ok(d) = InquiryData::parse(&bytes) {
                prop_assert!(d.vendor.len() <= 8 && d.product.len() <= 16 && d.revision.len() <= 4);
            }
        }
    }
}
