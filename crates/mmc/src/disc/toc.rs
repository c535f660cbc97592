//! MMC-6 §6.25 READ TOC/PMA/ATIP: the formatted TOC (format 0) and multi-session
//! information (format 1), with CD MSF addresses.

use crate::wire::{self, check_room, put_be16, put_u8, u8_at};

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

crate::command! {
    /// MMC-6 §6.25 READ TOC/PMA/ATIP.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct ReadTocPmaAtip: OpCode::ReadTocPmaAtip, 10 bytes;
    {
        /// MSF (byte 1 bit 1): addresses as 00h:M:S:F instead of LBAs.
        pub msf: bool = bit(1, 1),
        /// Format (byte 2 bits 0–3).
        pub format: TocFormat = with(TocFormat::read, TocFormat::write),
        /// Track/Session Number (byte 6): first track for format 0, session for format 2.
        pub track_session: u8 = u8(6),
        /// Allocation length (bytes 7–8).
        pub alloc: u16 = be16(7),
    }
}

/// Where READ TOC/PMA/ATIP carries its [`TocFormat`].
mod format_field {
    /// Format: byte 2 bits 0–3.
    pub const FORMAT: usize = 2;
    /// Control, whose bits 6–7 held the format before MMC (SFF-8020): byte 9.
    pub const CONTROL: usize = 9;
}

impl TocFormat {
    /// Reads the format of a READ TOC/PMA/ATIP CDB.
    fn read(cdb: &[u8]) -> wire::Result<Self> {
        // MMC-6 §6.26.2.5: with Format 0, the older SFF-8020 place of the format — bits
        // 7–6 of the Control byte (byte 9) — still counts. Linux's sr asks for the
        // multi-session information that way (drivers/scsi/sr_vendor.c, VENDOR_SCSI3:
        // cmd[9] = 0x40), so a drive that ignored it would mount the first session.
        let code = match wire::bits_at(cdb, format_field::FORMAT, 0x0F, 0) {
            0 => wire::bits_at(cdb, format_field::CONTROL, 0x03, 6),
            _ => u8_at(cdb, format_field::FORMAT),
        };
        wire::named(code, "TOC format")
    }

    /// Writes the format where MMC puts it.
    fn write(cdb: &mut [u8], format: Self) {
        put_u8(cdb, format_field::FORMAT, format.into());
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

crate::record! {
    /// One TOC track descriptor (8 bytes): ADR/CONTROL, track number, start address.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct TocTrack, 8 bytes;
    {
        /// ADR (byte 1 bits 4–7): Q sub-channel content, 1 for a position.
        pub adr: u8 = bits(1, 0x0F << 4),
        /// CONTROL (byte 1 bits 0–3): 4 = data uninterrupted, 5 = data incremental.
        pub control: u8 = bits(1, 0x0F << 0),
        /// Track number (byte 2); [`LEAD_OUT_TRACK`] for the lead-out.
        pub track: u8 = u8(2),
        /// Track start address (bytes 4–7): an LBA, or `00h M S F` ([`Msf::from_address`])
        /// when the CDB's MSF bit was set.
        pub address: u32 = be32(4),
    }
}

crate::wire_view! {
    /// A view over READ TOC/PMA/ATIP format 0 or 1 data: a 4-byte header and 8-byte track
    /// descriptors. Accessors never panic; only descriptors wholly present are reachable.
    pub struct TocView, at least 4;
    {
        /// TOC Data Length (bytes 0–1), as the device claims (tgt claims 2 bytes too many).
        pub data_length: u16 = be16(0),
        /// First Track Number (format 0) or First Complete Session Number (format 1), byte 2.
        pub first: u8 = u8(2),
        /// Last Track Number (format 0) or Last Complete Session Number (format 1), byte 3.
        pub last: u8 = u8(3),
    }
}

impl<T: AsRef<[u8]>> TocView<T> {
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
            t.emit(d)?;
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
            t.emit(&mut buf[4..len])?;
        }
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cdb::testing::round_trip;
    use crate::Command;
    use proptest::prelude::*;

    #[test]
    fn read_toc_honours_the_legacy_format_in_the_control_byte() {
        // Linux sr's multi-session query: Format 0, Control byte 40h.
        let linux = [0x43, 0x00, 0x00, 0, 0, 0, 0, 0x00, 0x0C, 0x40];
        assert_eq!(
            ReadTocPmaAtip::parse(&linux).unwrap().format,
            TocFormat::SessionInfo
        );
        // A Format field that is set wins over the Control byte.
        let both = [0x43, 0x00, 0x02, 0, 0, 0, 0, 0x00, 0x0C, 0x40];
        assert_eq!(
            ReadTocPmaAtip::parse(&both).unwrap().format,
            TocFormat::FullToc
        );
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

    proptest! {
        #[test]
        fn read_toc_round_trip(msf: bool, f in 0usize..6, track_session: u8, alloc: u16) {
            let format = [
                TocFormat::Toc, TocFormat::SessionInfo, TocFormat::FullToc,
                TocFormat::Pma, TocFormat::Atip, TocFormat::CdText,
            ][f];
            round_trip(ReadTocPmaAtip { msf, format, track_session, alloc });
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
    }
}
