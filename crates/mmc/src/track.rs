//! Tracks and sessions: READ TRACK INFORMATION and its data block, RESERVE TRACK and
//! CLOSE TRACK/SESSION (MMC-6 §6.3, §6.26, §6.30).
//!
//! CDBs are [`Command`]s: `parse` checks opcode and length and rejects reserved code values
//! in defined fields (as SPC-4 defines "reserved"), so the virtual recorder can answer
//! those with ILLEGAL REQUEST / INVALID FIELD IN CDB. Reserved bits are ignored.
//!
//! [`TrackInformation`] is read from the bytes actually transferred: drives before MMC-2
//! return 28 bytes, MMC-2..4 drives 36, tgt 40, MMC-5+ drives 48. Fields past the end
//! are `None`, never read as zero.
//!
//! [`Command`]: crate::Command

use crate::wire::{self, be32, put_be32};

/// Track number that READ TRACK INFORMATION and CLOSE TRACK/SESSION take to mean the
/// invisible (DVD±R, BD-R) or incomplete (CD) track, i.e. the one being appended to.
pub const INVISIBLE_TRACK: u32 = 0xFF;

/// What the address field of READ TRACK INFORMATION names (byte 1 bits 0–1 plus bytes 2–5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrackAddress {
    /// 00b: the track containing this logical block address.
    Lba(u32),
    /// 01b: this track number (0 = lead-in on CD, [`INVISIBLE_TRACK`] = invisible track).
    Track(u32),
    /// 10b: the first track of this session number.
    Session(u32),
}

/// Where READ TRACK INFORMATION carries a [`TrackAddress`].
mod address_field {
    /// Address/Number Type: byte 1 bits 0–1.
    pub const TYPE: usize = 1;
    /// Logical Block Address/Track/Session Number: bytes 2–5.
    pub const NUMBER: usize = 2;
}

impl TrackAddress {
    /// The invisible/incomplete track: `Track(0xFF)`.
    pub const INVISIBLE: TrackAddress = TrackAddress::Track(INVISIBLE_TRACK);

    /// The Address/Number Type code (byte 1 bits 0–1).
    pub fn type_code(self) -> u8 {
        match self {
            TrackAddress::Lba(_) => 0,
            TrackAddress::Track(_) => 1,
            TrackAddress::Session(_) => 2,
        }
    }

    /// The LBA, track or session number (bytes 2–5).
    pub fn value(self) -> u32 {
        match self {
            TrackAddress::Lba(v) | TrackAddress::Track(v) | TrackAddress::Session(v) => v,
        }
    }

    /// Reads the Address/Number Type (CDB byte 1 bits 0–1) and the number (bytes 2–5)
    /// of READ TRACK INFORMATION; type 11b is reserved.
    fn read(cdb: &[u8]) -> wire::Result<Self> {
        let value = be32(cdb, address_field::NUMBER);
        match wire::bits_at(cdb, address_field::TYPE, 0x03, 0) {
            0 => Ok(TrackAddress::Lba(value)),
            1 => Ok(TrackAddress::Track(value)),
            2 => Ok(TrackAddress::Session(value)),
            t => Err(wire::Error::Invalid {
                field: "address/number type",
                value: u64::from(t),
            }),
        }
    }

    /// Writes what [`read`](Self::read) reads.
    fn write(cdb: &mut [u8], address: Self) {
        wire::put_bits(cdb, address_field::TYPE, 0x03, 0, address.type_code());
        put_be32(cdb, address_field::NUMBER, address.value());
    }
}

crate::command! {
    /// MMC-6 §6.26 READ TRACK INFORMATION.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct ReadTrackInformation: OpCode::ReadTrackInformation, 10 bytes;
    {
        /// Open (byte 1 bit 2): report the first open track at or after `address`'s track.
        /// Only valid with [`TrackAddress::Track`].
        pub open: bool = bit(1, 2),
        /// Which track to report (byte 1 bits 0–1, bytes 2–5).
        pub address: TrackAddress = with(TrackAddress::read, TrackAddress::write),
        /// Allocation length (bytes 7–8); 48 gets every field.
        pub alloc: u16 = be16(7),
    }
    check ReadTrackInformation::check_open;
}

impl ReadTrackInformation {
    /// The invisible/incomplete track's information, full 48-byte block.
    pub fn invisible() -> Self {
        ReadTrackInformation {
            open: false,
            address: TrackAddress::INVISIBLE,
            alloc: TrackInformation::MAX_LEN as u16,
        }
    }

    /// Track `n`'s information, full 48-byte block.
    pub fn track(n: u32) -> Self {
        ReadTrackInformation {
            open: false,
            address: TrackAddress::Track(n),
            alloc: TrackInformation::MAX_LEN as u16,
        }
    }

    /// MMC-6 §6.26: Open is defined only for the track-number form.
    fn check_open(&self) -> wire::Result<()> {
        if self.open && !matches!(self.address, TrackAddress::Track(_)) {
            return Err(wire::Error::Invalid {
                field: "Open with address type",
                value: u64::from(self.address.type_code()),
            });
        }
        Ok(())
    }
}

crate::wire_enum! {
    /// Data Mode of a track (track information byte 6 bits 0–3).
    pub enum DataMode: u8 & 0x0F {
        /// 1h: Mode 1 (ISO/IEC 10149), the only mode on DVD and BD.
        Mode1 = 0x1 => "Mode 1",
        /// 2h: Mode 2 (CD-ROM XA form 1 / form 2).
        Mode2 = 0x2 => "Mode 2",
        /// Fh: data block type unknown (no track descriptor block yet).
        Unspecified = 0xF => "unspecified",
        /// Any other value, kept as received.
        Unknown => "reserved",
    }
}

crate::record! {
    /// The track information block (MMC-6 §6.26): state and geometry of one track.
    ///
    /// Parsed from the bytes actually transferred, at least 28 (the MMC-1 block, which holds
    /// everything through the track size, including the NWA). Later fields are `None` when
    /// not transferred. The track/session number MSBs (bytes 32–33) read as 0 when the block
    /// is shorter than 34 bytes: drives that return such blocks predate them and report at
    /// most 99 tracks; ask for 48 bytes to be sure. [`emit`](Self::emit) writes 36 bytes
    /// (the MMC-2 block), or up to 48 when a field past byte 35 is present (an absent field
    /// before a present one is written as 0), with a data length of the bytes written less 2.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct TrackInformation, at least TrackInformation::MIN_LEN, emits 36;
    /// A view over a track information block; accessors never panic (bytes past the end of
    /// the buffer read as 0 — use [`TrackInformation::parse`] to learn which fields exist).
    view TrackInformationView;
    {
        /// Track Information Length (bytes 0–1): bytes following this field, as the drive claims.
        view pub data_length: u16 = be16(0),
        /// Logical Track Number, LSB (byte 2) and MSB (byte 32).
        pub track: u16 = lsb_msb(2, 32),
        /// Session Number, LSB (byte 3) and MSB (byte 33).
        pub session: u16 = lsb_msb(3, 33),
        /// LJRS, layer jump recording status (byte 5 bits 6–7; DVD-R DL).
        pub layer_jump_status: u8 = bits(5, 0x03 << 6),
        /// Damage (byte 5 bit 5).
        pub damage: bool = bit(5, 5),
        /// Copy (byte 5 bit 4).
        pub copy: bool = bit(5, 4),
        /// Track Mode (byte 5 bits 0–3): the CD control nibble (4 = data uninterrupted,
        /// 5 = data incremental); DVD and BD report 4, 5 or 7.
        pub track_mode: u8 = bits(5, 0x0F << 0),
        /// RT, reserved track (byte 6 bit 7).
        pub rt: bool = bit(6, 7),
        /// Blank (byte 6 bit 6).
        pub blank: bool = bit(6, 6),
        /// Packet/Inc (byte 6 bit 5): written incrementally / in packets.
        pub packet: bool = bit(6, 5),
        /// FP, fixed packets (byte 6 bit 4).
        pub fp: bool = bit(6, 4),
        /// Data Mode (byte 6 bits 0–3).
        pub data_mode: DataMode = from(bits(6, 0x0F << 0)),
        /// LRA_V (byte 7 bit 1): the last recorded address field is valid.
        view pub lra_v: bool = bit(7, 1),
        /// NWA_V (byte 7 bit 0): the next writable address field is valid.
        view pub nwa_v: bool = bit(7, 0),
        /// Logical Track Start Address (bytes 8–11).
        pub start: u32 = be32(8),
        /// Next Writable Address (bytes 12–15), valid when NWA_V (byte 7 bit 0) is set.
        pub nwa: u32 = be32(12) if bit(7, 0),
        /// Free Blocks (bytes 16–19).
        pub free_blocks: u32 = be32(16),
        /// Fixed Packet Size / Blocking Factor (bytes 20–23; 16 on DVD, 32 on BD).
        pub fixed_packet_size: u32 = be32(20),
        /// Logical Track Size in blocks (bytes 24–27).
        pub size: u32 = be32(24),
        /// Last Recorded Address (bytes 28–31), valid when LRA_V (byte 7 bit 1) is set and
        /// the field was transferred.
        pub last_recorded: u32 = be32(28) if bit(7, 1) and sent,
        /// Read Compatibility LBA (bytes 36–39), when transferred.
        pub read_compat_lba: u32 = be32(36) if sent,
        /// Next Layer Jump Address (bytes 40–43), when transferred.
        pub next_layer_jump: u32 = be32(40) if sent,
        /// Last Layer Jump Address (bytes 44–47), when transferred.
        pub last_layer_jump: u32 = be32(44) if sent,
    }
    length be16(0) from 2;
}

impl TrackInformation {
    /// The shortest block accepted (MMC-1: through the track size).
    pub const MIN_LEN: usize = 28;
    /// The full MMC-6 block.
    pub const MAX_LEN: usize = 48;

    /// A blank track: track/session numbers, start, NWA = start, free blocks = size, the
    /// other fields zero or absent (the shape of an empty DVD+R or BD-R invisible track).
    pub fn blank_track(track: u16, session: u16, start: u32, size: u32) -> Self {
        TrackInformation {
            track,
            session,
            layer_jump_status: 0,
            damage: false,
            copy: false,
            track_mode: 7,
            rt: false,
            blank: true,
            packet: false,
            fp: false,
            data_mode: DataMode::Mode1,
            start,
            nwa: Some(start),
            free_blocks: size,
            fixed_packet_size: 0,
            size,
            last_recorded: None,
            read_compat_lba: None,
            next_layer_jump: None,
            last_layer_jump: None,
        }
    }
}

/// What RESERVE TRACK reserves (byte 1 bit 0 ARSV and the reservation parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reservation {
    /// ARSV = 0: a track of this many blocks (bytes 5–8).
    Size(u32),
    /// ARSV = 1: a track ending at this logical block address (bytes 2–5; BD-R, DVD-R DL).
    Lba(u32),
}

crate::command! {
    /// MMC-6 §6.30 RESERVE TRACK: reserve the invisible track's space for a closed track.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct ReserveTrack: OpCode::ReserveTrack, 10 bytes;
    {
        /// The reservation: a size in blocks, or an ending LBA.
        pub reservation: Reservation = with(Reservation::read, Reservation::write),
    }
}

/// Where RESERVE TRACK carries a [`Reservation`].
mod reservation_field {
    /// ARSV: byte 1 bit 0.
    pub const ARSV: usize = 1;
    /// Logical Block Address (ARSV = 1): bytes 2–5.
    pub const LBA: usize = 2;
    /// Reservation Size (ARSV = 0): bytes 5–8.
    pub const SIZE: usize = 5;
}

impl Reservation {
    /// Reads ARSV and the size or LBA it selects.
    fn read(cdb: &[u8]) -> wire::Result<Self> {
        Ok(
            if wire::bits_at(cdb, reservation_field::ARSV, 0x01, 0) != 0 {
                Reservation::Lba(be32(cdb, reservation_field::LBA))
            } else {
                Reservation::Size(be32(cdb, reservation_field::SIZE))
            },
        )
    }

    /// Writes what [`read`](Self::read) reads.
    fn write(cdb: &mut [u8], reservation: Self) {
        match reservation {
            Reservation::Size(blocks) => put_be32(cdb, reservation_field::SIZE, blocks),
            Reservation::Lba(lba) => {
                wire::put_bits(cdb, reservation_field::ARSV, 0x01, 0, 1);
                put_be32(cdb, reservation_field::LBA, lba);
            }
        }
    }
}

crate::wire_enum! {
    /// Close Function of CLOSE TRACK/SESSION (byte 2 bits 0–2, MMC-6 §6.3). What each code
    /// does depends on the medium; the drive rejects codes its medium does not define.
    pub enum CloseFunction: u8 & 0x07 {
        /// 000b: stop a DVD+RW background format (quick).
        StopBackgroundFormat = 0 => "stop background format",
        /// 001b: close the logical track given by the track number (CD-R/RW, DVD±R, BD-R).
        CloseTrack = 1 => "close track",
        /// 010b: close the session; on CD-R/RW and DVD-R/RW this also finalizes the disc
        /// unless multi-session was set in the write parameters page. Stops a DVD+RW
        /// background format with the compatibility lead-out.
        CloseSession = 2 => "close session",
        /// 011b: finalize a DVD-RW; stop a DVD+RW background format (compatible).
        CompatibilityFinalize = 3 => "compatibility finalize",
        /// 100b: DVD+R DL: close the session with an extended lead-out.
        CloseSessionExtendedLeadOut = 4 => "close session with extended lead-out",
        /// 101b: DVD+R / DVD+R DL: finalize with minimal radius (≥ 30 mm).
        FinalizeMinimalRadius = 5 => "finalize with minimal radius",
        /// 110b: DVD+R / DVD+R DL / BD-R / HD DVD-R: finalize the disc.
        FinalizeDisc = 6 => "finalize disc",
        /// Any other code (only 111b fits the field), kept as given.
        Unknown => "reserved",
    }
}

crate::command! {
    /// MMC-6 §6.3 CLOSE TRACK/SESSION.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct CloseTrackSession: OpCode::CloseTrackSession, 10 bytes;
    {
        /// Immed (byte 1 bit 0): return at once; progress shows in TEST UNIT READY sense.
        pub immed: bool = bit(1, 0),
        /// Close Function (byte 2 bits 0–2); 111b is reserved for every medium.
        pub function: CloseFunction = named(u8(2), "close function"),
        /// Logical Track/Session Number (bytes 4–5): the track for [`CloseFunction::CloseTrack`]
        /// (0xFF = invisible/incomplete), otherwise ignored by most media.
        pub number: u16 = be16(4),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Command;
    use proptest::prelude::*;

    use crate::cdb::testing::round_trip;

    #[test]
    fn read_track_information_bytes() {
        let c = ReadTrackInformation::invisible();
        let raw = [0x52, 0x01, 0x00, 0x00, 0x00, 0xFF, 0x00, 0x00, 0x30, 0x00];
        assert_eq!(c.emit().as_bytes(), &raw);
        assert_eq!(ReadTrackInformation::parse(&raw).unwrap(), c);

        let lba = ReadTrackInformation {
            open: false,
            address: TrackAddress::Lba(0x0012_3456),
            alloc: 28,
        };
        let raw = [0x52, 0x00, 0x00, 0x12, 0x34, 0x56, 0x00, 0x00, 0x1C, 0x00];
        assert_eq!(lba.emit().as_bytes(), &raw);
        assert_eq!(ReadTrackInformation::parse(&raw).unwrap(), lba);

        let open = ReadTrackInformation {
            open: true,
            address: TrackAddress::Track(1),
            alloc: 48,
        };
        let raw = [0x52, 0x05, 0, 0, 0, 1, 0, 0, 0x30, 0];
        assert_eq!(open.emit().as_bytes(), &raw);
        assert_eq!(ReadTrackInformation::parse(&raw).unwrap(), open);

        let session = [0x52, 0x02, 0, 0, 0, 2, 0, 0, 0x30, 0];
        assert_eq!(
            ReadTrackInformation::parse(&session).unwrap().address,
            TrackAddress::Session(2)
        );
    }

    #[test]
    fn read_track_information_rejects_reserved_type_and_open_misuse() {
        let reserved_type = [0x52, 0x03, 0, 0, 0, 1, 0, 0, 0x30, 0];
        assert_eq!(
            ReadTrackInformation::parse(&reserved_type),
            Err(wire::Error::Invalid {
                field: "address/number type",
                value: 3
            })
        );
        let open_lba = [0x52, 0x04, 0, 0, 0, 1, 0, 0, 0x30, 0];
        assert!(ReadTrackInformation::parse(&open_lba).is_err());
        let open_session = [0x52, 0x06, 0, 0, 0, 1, 0, 0, 0x30, 0];
        assert!(ReadTrackInformation::parse(&open_session).is_err());
        assert!(ReadTrackInformation::parse(&[0x52, 1, 0, 0, 0, 0xFF, 0, 0, 0x30]).is_err());
        assert!(ReadTrackInformation::parse(&[0x51, 1, 0, 0, 0, 0xFF, 0, 0, 0x30, 0]).is_err());
    }

    /// A DVD+R invisible track after 1000 blocks of an incremental write, laid out byte by
    /// byte from MMC-6 §6.26.
    const DVD_PLUS_R_48: [u8; 48] = [
        0x00, 0x2E, // data length 46
        0x01, // track 1 (LSB)
        0x01, // session 1 (LSB)
        0x00, // reserved
        0x07, // LJRS 0, damage 0, copy 0, track mode 7
        0x61, // RT 0, blank 1, packet 1, FP 0, data mode 1
        0x03, // LRA_V, NWA_V
        0x00, 0x00, 0x00, 0x00, // start 0
        0x00, 0x00, 0x03, 0xE8, // NWA 1000
        0x00, 0x23, 0x01, 0x58, // free blocks 2,294,104
        0x00, 0x00, 0x00, 0x10, // fixed packet size 16
        0x00, 0x23, 0x05, 0x40, // track size 2,295,104
        0x00, 0x00, 0x03, 0xE7, // last recorded 999
        0x00, // track MSB
        0x00, // session MSB
        0x00, 0x00, // reserved
        0x00, 0x00, 0x00, 0x00, // read compatibility LBA
        0x00, 0x00, 0x00, 0x00, // next layer jump
        0x00, 0x00, 0x00, 0x00, // last layer jump
    ];

    fn dvd_plus_r() -> TrackInformation {
        TrackInformation {
            track: 1,
            session: 1,
            layer_jump_status: 0,
            damage: false,
            copy: false,
            track_mode: 7,
            rt: false,
            blank: true,
            packet: true,
            fp: false,
            data_mode: DataMode::Mode1,
            start: 0,
            nwa: Some(1000),
            free_blocks: 2_294_104,
            fixed_packet_size: 16,
            size: 2_295_104,
            last_recorded: Some(999),
            read_compat_lba: Some(0),
            next_layer_jump: Some(0),
            last_layer_jump: Some(0),
        }
    }

    #[test]
    fn track_information_deconstruct_and_construct() {
        let ti = TrackInformation::parse(&DVD_PLUS_R_48).unwrap();
        assert_eq!(ti, dvd_plus_r());
        let v = TrackInformationView::new_checked(&DVD_PLUS_R_48[..]).unwrap();
        assert_eq!(v.data_length(), 46);
        assert!(v.nwa_v() && v.lra_v() && v.blank() && v.packet() && !v.rt() && !v.fp());
        let mut out = [0xAAu8; 64];
        assert_eq!(ti.emit(&mut out), Ok(48));
        assert_eq!(out[..48], DVD_PLUS_R_48);
        assert_eq!(out[48], 0xAA);
    }

    #[test]
    fn track_information_flags_and_msb() {
        let mut raw = DVD_PLUS_R_48;
        raw[2] = 0x2C; // track LSB
        raw[32] = 0x01; // track MSB -> 300
        raw[3] = 0x02;
        raw[33] = 0x01; // session 258
        raw[5] = 0xF5; // LJRS 3, damage, copy, mode 5
        raw[6] = 0x92; // RT, FP, data mode 2
        raw[7] = 0x00; // neither NWA nor LRA valid
        let ti = TrackInformation::parse(&raw).unwrap();
        assert_eq!(ti.track, 300);
        assert_eq!(ti.session, 258);
        assert_eq!(ti.layer_jump_status, 3);
        assert!(ti.damage && ti.copy && ti.rt && ti.fp && !ti.blank && !ti.packet);
        assert_eq!(ti.track_mode, 5);
        assert_eq!(ti.data_mode, DataMode::Mode2);
        assert_eq!(ti.nwa, None);
        assert_eq!(ti.last_recorded, None);
        raw[6] = 0x0F;
        assert_eq!(
            TrackInformation::parse(&raw).unwrap().data_mode,
            DataMode::Unspecified
        );
        raw[6] = 0x08;
        assert_eq!(
            TrackInformation::parse(&raw).unwrap().data_mode,
            DataMode::Unknown(8)
        );
    }

    #[test]
    fn short_blocks_leave_later_fields_absent() {
        // MMC-1 drive: 28 bytes. NWA is there; last recorded address is not, even with LRA_V.
        let ti = TrackInformation::parse(&DVD_PLUS_R_48[..28]).unwrap();
        assert_eq!(ti.nwa, Some(1000));
        assert_eq!(ti.size, 2_295_104);
        assert_eq!(ti.last_recorded, None);
        assert_eq!(ti.read_compat_lba, None);
        // MMC-2..4 drive: 36 bytes.
        let ti = TrackInformation::parse(&DVD_PLUS_R_48[..36]).unwrap();
        assert_eq!(ti.last_recorded, Some(999));
        assert_eq!(ti.read_compat_lba, None);
        assert_eq!(ti.buffer_len(), 36);
        // tgt: 40 bytes, read compatibility LBA only.
        let mut tgt = [0u8; 40];
        tgt[..40].copy_from_slice(&DVD_PLUS_R_48[..40]);
        tgt[36..40].copy_from_slice(&[0x00, 0x04, 0x0D, 0x0E]);
        let ti = TrackInformation::parse(&tgt).unwrap();
        assert_eq!(ti.read_compat_lba, Some(0x040D0E));
        assert_eq!(ti.next_layer_jump, None);
        assert_eq!(ti.buffer_len(), 40);
        let mut out = [0u8; 40];
        assert_eq!(ti.emit(&mut out), Ok(40));
        assert_eq!(&out[2..], &tgt[2..]);
        assert_eq!(out[1], 38);
        // Too short for even the MMC-1 block.
        assert_eq!(
            TrackInformation::parse(&DVD_PLUS_R_48[..27]),
            Err(wire::Error::Truncated {
                needed: 28,
                available: 27
            })
        );
        assert!(matches!(
            dvd_plus_r().emit(&mut [0u8; 47]),
            Err(wire::Error::BufferTooSmall { .. })
        ));
    }

    #[test]
    fn blank_track_constructor() {
        let t = TrackInformation::blank_track(1, 1, 0, 2_295_104);
        let mut out = [0u8; 48];
        let n = t.emit(&mut out).unwrap();
        assert_eq!(n, 36);
        assert_eq!(&out[5..8], &[0x07, 0x41, 0x01]);
        assert_eq!(TrackInformation::parse(&out[..n]).unwrap(), t);
    }

    #[test]
    fn reserve_track_bytes() {
        let size = ReserveTrack {
            reservation: Reservation::Size(0x0001_0000),
        };
        let raw = [0x53, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00];
        assert_eq!(size.emit().as_bytes(), &raw);
        assert_eq!(ReserveTrack::parse(&raw).unwrap(), size);
        let lba = ReserveTrack {
            reservation: Reservation::Lba(0x00AB_CDEF),
        };
        let raw = [0x53, 0x01, 0x00, 0xAB, 0xCD, 0xEF, 0x00, 0x00, 0x00, 0x00];
        assert_eq!(lba.emit().as_bytes(), &raw);
        assert_eq!(ReserveTrack::parse(&raw).unwrap(), lba);
    }

    #[test]
    fn close_track_session_bytes() {
        let close_track = CloseTrackSession {
            immed: true,
            function: CloseFunction::CloseTrack,
            number: 0xFF,
        };
        let raw = [0x5B, 0x01, 0x01, 0x00, 0x00, 0xFF, 0x00, 0x00, 0x00, 0x00];
        assert_eq!(close_track.emit().as_bytes(), &raw);
        assert_eq!(CloseTrackSession::parse(&raw).unwrap(), close_track);

        let finalize = CloseTrackSession {
            immed: false,
            function: CloseFunction::FinalizeDisc,
            number: 0x0102,
        };
        let raw = [0x5B, 0x00, 0x06, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00];
        assert_eq!(finalize.emit().as_bytes(), &raw);
        assert_eq!(CloseTrackSession::parse(&raw).unwrap(), finalize);

        for (code, f) in [
            (0, CloseFunction::StopBackgroundFormat),
            (2, CloseFunction::CloseSession),
            (3, CloseFunction::CompatibilityFinalize),
            (4, CloseFunction::CloseSessionExtendedLeadOut),
            (5, CloseFunction::FinalizeMinimalRadius),
        ] {
            let raw = [0x5B, 0, code, 0, 0, 0, 0, 0, 0, 0];
            assert_eq!(CloseTrackSession::parse(&raw).unwrap().function, f);
            assert_eq!(u8::from(f), code);
        }
        assert_eq!(
            CloseTrackSession::parse(&[0x5B, 0, 7, 0, 0, 0, 0, 0, 0, 0]),
            Err(wire::Error::Invalid {
                field: "close function",
                value: 7
            })
        );
        assert_eq!(CloseFunction::from(0x0F), CloseFunction::Unknown(7));
    }

    fn arb_address() -> impl Strategy<Value = TrackAddress> {
        prop_oneof![
            any::<u32>().prop_map(TrackAddress::Lba),
            any::<u32>().prop_map(TrackAddress::Track),
            any::<u32>().prop_map(TrackAddress::Session),
        ]
    }

    fn arb_data_mode() -> impl Strategy<Value = DataMode> {
        (0u8..16).prop_map(DataMode::from)
    }

    prop_compose! {
        fn arb_track_info()(
            (track, session, layer_jump_status, damage, copy, track_mode) in
                (any::<u16>(), any::<u16>(), 0u8..4, any::<bool>(), any::<bool>(), 0u8..16),
            (rt, blank, packet, fp, data_mode) in
                (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>(), arb_data_mode()),
            (start, nwa, free_blocks, fixed_packet_size, size, last_recorded) in
                (any::<u32>(), any::<Option<u32>>(), any::<u32>(), any::<u32>(), any::<u32>(),
                 any::<Option<u32>>()),
            tail in 0usize..4,
            (a, b, c) in (any::<u32>(), any::<u32>(), any::<u32>()),
        ) -> TrackInformation {
            TrackInformation {
                track, session, layer_jump_status, damage, copy, track_mode,
                rt, blank, packet, fp, data_mode,
                start, nwa, free_blocks, fixed_packet_size, size, last_recorded,
                read_compat_lba: (tail >= 1).then_some(a),
                next_layer_jump: (tail >= 2).then_some(b),
                last_layer_jump: (tail >= 3).then_some(c),
            }
        }
    }

    proptest! {
        #[test]
        fn read_track_information_round_trip(
            address in arb_address(), open: bool, alloc: u16,
        ) {
            let open = open && matches!(address, TrackAddress::Track(_));
            round_trip(ReadTrackInformation { open, address, alloc });
        }

        #[test]
        fn reserve_track_round_trip(v: u32, arsv: bool) {
            let reservation = if arsv { Reservation::Lba(v) } else { Reservation::Size(v) };
            round_trip(ReserveTrack { reservation });
        }

        #[test]
        fn close_track_session_round_trip(immed: bool, code in 0u8..7, number: u16) {
            round_trip(CloseTrackSession { immed, function: CloseFunction::from(code), number });
        }

        #[test]
        fn track_information_round_trip(ti in arb_track_info()) {
            let mut buf = vec![0u8; ti.buffer_len()];
            prop_assert_eq!(ti.emit(&mut buf), Ok(ti.buffer_len()));
            prop_assert_eq!(TrackInformation::parse(&buf), Ok(ti));
        }

        #[test]
        fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            crate::cdb::testing::parse_each!(&bytes => ReadTrackInformation, ReserveTrack,
                CloseTrackSession);
            if let Ok(ti) = TrackInformation::parse(&bytes) {
                // Whatever was accepted re-emits into a buffer of its own size.
                let mut out = vec![0u8; ti.buffer_len()];
                prop_assert_eq!(ti.emit(&mut out), Ok(ti.buffer_len()));
            }
            let v = TrackInformationView::new_unchecked(&bytes[..]);
            let _ = (v.track(), v.session(), v.nwa(), v.last_layer_jump(), v.data_mode());
        }

        #[test]
        fn parse_reads_what_the_view_reads(bytes in proptest::collection::vec(any::<u8>(), 28..60)) {
            let ti = TrackInformation::parse(&bytes).unwrap();
            let v = TrackInformationView::new_checked(&bytes[..]).unwrap();
            prop_assert_eq!((ti.track, ti.session, ti.track_mode), (v.track(), v.session(), v.track_mode()));
            prop_assert_eq!((ti.data_mode, ti.start, ti.size), (v.data_mode(), v.start(), v.size()));
            prop_assert_eq!(ti.nwa, v.nwa_v().then(|| v.nwa()));
            prop_assert_eq!(ti.last_recorded, (v.lra_v() && bytes.len() >= 32).then(|| v.last_recorded()));
            prop_assert_eq!(ti.last_layer_jump, (bytes.len() >= 48).then(|| v.last_layer_jump()));
        }
    }
}
