//! MMC-6 §6.22 READ DISC INFORMATION and the standard disc information block.

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

crate::command! {
    /// MMC-6 §6.22 READ DISC INFORMATION.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct ReadDiscInformation: OpCode::ReadDiscInformation, 10 bytes;
    {
        /// Which data block to return (byte 1 bits 0–2).
        pub data_type: DiscInformationType = named(u8(1), "disc information data type"),
        /// Allocation length (bytes 7–8).
        pub alloc: u16 = be16(7),
    }
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

crate::record! {
    /// Standard disc information (MMC-6 §6.22, data type 000b): the disc's recording state.
    ///
    /// Fields guarded by a validity bit (DID_V, DBC_V, DAC_V) are `Option`s. `parse`
    /// needs the 34-byte block and rejects a data type other than 000b in byte 2 (it is
    /// a different block); the OPC table entries that may follow byte 33 are not kept,
    /// and [`emit`](Self::emit) writes the 34 bytes with a length field of 32 and no OPC
    /// tables.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct DiscInformation, at least DiscInformation::LEN, emits DiscInformation::LEN;
    /// A view over a standard disc information block; accessors never panic (bytes past the
    /// end read as 0).
    view DiscInformationView;
    {
        /// Disc Information Length (bytes 0–1), as the drive claims.
        view pub data_length: u16 = be16(0),
        /// Disc Information Data Type (byte 2 bits 5–7; 000b for this block).
        view pub data_type: u8 = bits(2, 0x07 << 5),
        /// Erasable (byte 2 bit 4): CD-RW, DVD-RW, DVD+RW, DVD-RAM, BD-RE.
        pub erasable: bool = bit(2, 4),
        /// State of Last Session (byte 2 bits 2–3).
        pub last_session_state: SessionState = from(bits(2, 0x03 << 2)),
        /// Disc Status (byte 2 bits 0–1).
        pub disc_status: DiscStatus = from(bits(2, 0x03 << 0)),
        /// Number of First Track on Disc (byte 3).
        pub first_track: u8 = u8(3),
        /// Number of Sessions (byte 4 LSB, byte 9 MSB).
        pub sessions: u16 = lsb_msb(4, 9),
        /// First Track Number in Last Session (byte 5 LSB, byte 10 MSB).
        pub first_track_in_last_session: u16 = lsb_msb(5, 10),
        /// Last Track Number in Last Session (byte 6 LSB, byte 11 MSB).
        pub last_track_in_last_session: u16 = lsb_msb(6, 11),
        /// DID_V (byte 7 bit 7): the disc identification is valid.
        view pub did_v: bool = bit(7, 7),
        /// Disc Identification (bytes 12–15), valid when DID_V is set.
        pub disc_id: u32 = be32(12) if bit(7, 7),
        /// DBC_V (byte 7 bit 6): the disc bar code is valid.
        view pub dbc_v: bool = bit(7, 6),
        /// Disc Bar Code (bytes 24–31), valid when DBC_V is set.
        pub disc_bar_code: u64 = be64(24) if bit(7, 6),
        /// URU (byte 7 bit 5): unrestricted use disc.
        pub unrestricted_use as uru: bool = bit(7, 5),
        /// DAC_V (byte 7 bit 4): the disc application code is valid.
        view pub dac_v: bool = bit(7, 4),
        /// Disc Application Code (byte 32), valid when DAC_V is set.
        pub disc_application_code: u8 = u8(32) if bit(7, 4),
        /// Dbit (byte 7 bit 2): the MRW dirty bit.
        pub dbit: bool = bit(7, 2),
        /// BG Format Status (byte 7 bits 0–1).
        pub bg_format_status: BgFormatStatus = from(bits(7, 0x03 << 0)),
        /// Disc Type (byte 8).
        pub disc_type: DiscType = from(u8(8)),
        /// Last Session Lead-in Start Address (bytes 16–19; MSF on CD, LBA otherwise).
        pub last_session_lead_in_start: u32 = be32(16),
        /// Last Possible Lead-out Start Address (bytes 20–23; MSF on CD, LBA otherwise).
        pub last_possible_lead_out_start: u32 = be32(20),
        /// Number of OPC Tables (byte 33).
        view pub opc_tables: u8 = u8(33),
    }
    length be16(0) from 2;
    fixed bits(2, 0x07 << 5) == 0, "disc information data type";
}

impl DiscInformation {
    /// Size of the block without OPC tables.
    pub const LEN: usize = 34;

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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cdb::testing::round_trip;
    use crate::disc::Msf;
    use crate::wire;
    use crate::Command;
    use proptest::prelude::*;

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
        fn parse_reads_what_the_view_reads(mut bytes in proptest::collection::vec(any::<u8>(), 34..48)) {
            bytes[2] &= 0x1F; // data type 000b
            let di = DiscInformation::parse(&bytes).unwrap();
            let v = DiscInformationView::new_checked(&bytes[..]).unwrap();
            prop_assert_eq!(
                (di.sessions, di.first_track_in_last_session, di.last_track_in_last_session),
                (v.sessions(), v.first_track_in_last_session(), v.last_track_in_last_session())
            );
            prop_assert_eq!((di.unrestricted_use, di.disc_status), (v.uru(), v.disc_status()));
            prop_assert_eq!(di.disc_id, v.did_v().then(|| v.disc_id()));
            prop_assert_eq!(di.disc_bar_code, v.dbc_v().then(|| v.disc_bar_code()));
            prop_assert_eq!(di.disc_application_code, v.dac_v().then(|| v.disc_application_code()));
        }

        #[test]
        fn disc_information_round_trip(di in arb_disc_info()) {
            let mut buf = vec![0u8; di.buffer_len()];
            prop_assert_eq!(di.emit(&mut buf), Ok(DiscInformation::LEN));
            prop_assert_eq!(DiscInformation::parse(&buf), Ok(di));
        }
    }
}
