//! READ CD (MMC-6 §6.17): whole CD sectors — CD-DA samples, or a data sector's sync,
//! header, user data and EDC/ECC as the host selects — with sub-channel data. What audio
//! extraction (cdparanoia, cdrdao read-cd) sends, since READ(10) returns 2048-byte user
//! data only. And READ SUB-CHANNEL (MMC-6 §6.29): the disc's Media Catalog Number and a
//! track's ISRC, as the Q sub-channel carries them.

use crate::wire;

crate::command! {
    /// MMC-6 §6.17 READ CD: `blocks` sectors from `lba`, each as the selection bits of
    /// byte 9 and the sub-channel selection of byte 10 say.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct ReadCd: OpCode::ReadCd, 12 bytes;
    {
        /// Expected Sector Type (byte 1 bits 2–4): 0 any, 1 CD-DA, 2 Mode 1, 3 Mode 2
        /// formless, 4 Mode 2 Form 1, 5 Mode 2 Form 2.
        pub sector_type: u8 = bits(1, 0x07 << 2),
        /// Digital Audio Play (byte 1 bit 1): conceal errors in CD-DA as a player would.
        pub dap: bool = bit(1, 1),
        /// Starting logical block address (bytes 2–5).
        pub lba: u32 = be32(2),
        /// Transfer length in sectors (bytes 6–8).
        pub blocks: u32 = be24(6),
        /// SYNC (byte 9 bit 7): the 12-byte sync pattern of data sectors.
        pub sync: bool = bit(9, 7),
        /// Header Codes (byte 9 bits 5–6): 0 none, 1 the 4-byte header, 2 the 8-byte
        /// sub-header, 3 both.
        pub header_codes: u8 = bits(9, 0x03 << 5),
        /// User Data (byte 9 bit 4).
        pub user_data: bool = bit(9, 4),
        /// EDC and ECC (byte 9 bit 3).
        pub edc_ecc: bool = bit(9, 3),
        /// C2 Error Information (byte 9 bits 1–2): 0 none, 1 294 bytes, 2 296 bytes.
        pub c2: u8 = bits(9, 0x03 << 1),
        /// Sub-channel Data Selection (byte 10 bits 0–2): 0 none, 1 raw P-W (96 bytes),
        /// 2 formatted Q (16 bytes), 4 corrected and de-interleaved R-W (96 bytes).
        pub subchannel: u8 = bits(10, 0x07 << 0),
    }
}

crate::command! {
    /// MMC-6 §6.29 READ SUB-CHANNEL: sub-channel format `format` (01h current position,
    /// 02h Media Catalog Number, 03h ISRC of `track`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct ReadSubChannel: OpCode::ReadSubChannel, 10 bytes;
    {
        /// MSF (byte 1 bit 1): addresses as MSF.
        pub msf: bool = bit(1, 1),
        /// SubQ (byte 2 bit 6): return the sub-channel data, not only the header.
        pub subq: bool = bit(2, 6),
        /// Sub-channel Parameter List code (byte 3).
        pub format: u8 = u8(3),
        /// Track number (byte 6), for format 03h.
        pub track: u8 = u8(6),
        /// Allocation length (bytes 7–8).
        pub alloc: u16 = be16(7),
    }
}

/// READ SUB-CHANNEL format 02h: the Media Catalog Number.
pub const SUBQ_MCN: u8 = 2;
/// READ SUB-CHANNEL format 03h: a track's ISRC.
pub const SUBQ_ISRC: u8 = 3;
/// Bytes of a format 02h/03h answer: 4-byte header and 20 bytes of data.
pub const SUBQ_CODE_LEN: usize = 24;

/// The 24-byte READ SUB-CHANNEL answer of format 02h (`track` 0, 13 characters) or 03h
/// (a track's 12): header (audio status 15h "no status", data length 20), format code,
/// ADR/CTL, track, the valid bit (MCVal/TCVal) and the characters.
pub fn subq_code(format: u8, control: u8, track: u8, code: Option<&[u8]>) -> [u8; SUBQ_CODE_LEN] {
    let mut b = [0u8; SUBQ_CODE_LEN];
    b[1] = 0x15;
    b[3] = 20;
    b[4] = format;
    b[5] = format << 4 & 0xF0 | control & 0x0F;
    b[6] = track;
    if let Some(c) = code {
        b[8] = 0x80;
        let n = c.len().min(13);
        b[9..9 + n].copy_from_slice(&c[..n]);
    }
    b
}

/// The code in a format 02h/03h answer (13 or 12 characters), when its valid bit is set.
pub fn parse_subq_code(b: &[u8]) -> Option<Vec<u8>> {
    let len = match b.get(4)? {
        2 => 13,
        3 => 12,
        _ => return None,
    };
    (b.get(8)? & 0x80 != 0).then(|| b.get(9..9 + len).map(<[u8]>::to_vec))?
}

/// Expected Sector Type 1: CD-DA.
pub const SECTOR_TYPE_CD_DA: u8 = 1;
/// Expected Sector Type 2: Mode 1.
pub const SECTOR_TYPE_MODE1: u8 = 2;

impl ReadCd {
    /// A READ CD of `blocks` CD-DA sectors at `lba`: 2352 bytes of samples each, no
    /// sub-channel (what cdparanoia sends).
    pub fn audio(lba: u32, blocks: u32) -> Self {
        ReadCd {
            sector_type: SECTOR_TYPE_CD_DA,
            lba,
            blocks,
            user_data: true,
            ..ReadCd::default()
        }
    }

    /// Bytes of main channel per sector this selection returns for a CD-DA sector (the
    /// whole 2352 bytes whenever anything is selected; MMC-6 Table 362) or a Mode 1 sector
    /// (sync 12, header 4, user data 2048, EDC/ECC 288). `None` for a selection MMC-6
    /// calls illegal (user data and EDC/ECC without the header between them, and the
    /// like), which a drive refuses with 05/24/00.
    pub fn main_len(&self, audio: bool) -> Option<usize> {
        let any = self.sync || self.header_codes != 0 || self.user_data || self.edc_ecc;
        if audio {
            return Some(if any { 2352 } else { 0 });
        }
        let header = matches!(self.header_codes, 1 | 3);
        // Sync followed by data with a hole in front of it: no header before the user
        // data, or EDC/ECC without the user data.
        let illegal = self.sync && (self.user_data || self.edc_ecc) && (!header || !self.user_data);
        if illegal {
            return None;
        }
        Some(
            usize::from(self.sync) * 12
                + usize::from(header) * 4
                + usize::from(self.user_data) * 2048
                + usize::from(self.edc_ecc) * 288,
        )
    }

    /// Bytes of sub-channel per sector: 96 (raw P-W, R-W), 16 (Q), 0; `None` for a
    /// reserved selection.
    pub fn subchannel_len(&self) -> Option<usize> {
        match self.subchannel {
            0 => Some(0),
            1 | 4 => Some(96),
            2 => Some(16),
            _ => None,
        }
    }

    /// Bytes of C2 error information per sector.
    pub fn c2_len(&self) -> Option<usize> {
        match self.c2 {
            0 => Some(0),
            1 => Some(294),
            2 => Some(296),
            _ => None,
        }
    }

    /// Bytes per sector the whole selection returns, or why it cannot be served.
    pub fn sector_len(&self, audio: bool) -> wire::Result<usize> {
        let main = self.main_len(audio).ok_or(wire::Error::Invalid {
            field: "READ CD main channel selection",
            value: 0,
        })?;
        let sub = self.subchannel_len().ok_or(wire::Error::Invalid {
            field: "READ CD sub-channel selection",
            value: u64::from(self.subchannel),
        })?;
        let c2 = self.c2_len().ok_or(wire::Error::Invalid {
            field: "READ CD C2 selection",
            value: u64::from(self.c2),
        })?;
        Ok(main + sub + c2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cdb::Command;

    #[test]
    fn cdparanoias_read_round_trips() {
        let c = ReadCd::audio(1234, 27);
        let b = c.emit();
        assert_eq!(b.as_bytes()[0], 0xBE);
        assert_eq!(b.as_bytes()[1], 0x04, "sector type CD-DA");
        assert_eq!(b.as_bytes()[9], 0x10, "user data only");
        assert_eq!(&b.as_bytes()[6..9], &[0, 0, 27]);
        assert_eq!(ReadCd::parse(b.as_bytes()).unwrap(), c);
        assert_eq!(c.sector_len(true).unwrap(), 2352);
    }

    #[test]
    fn subq_codes_round_trip() {
        let b = subq_code(SUBQ_MCN, 0, 0, Some(b"0886972521820"));
        assert_eq!((b[3], b[4], b[8]), (20, 2, 0x80));
        assert_eq!(parse_subq_code(&b).unwrap(), b"0886972521820");
        let b = subq_code(SUBQ_ISRC, 0, 2, Some(b"USSM15900113"));
        assert_eq!(parse_subq_code(&b).unwrap(), b"USSM15900113");
        assert_eq!(parse_subq_code(&subq_code(SUBQ_ISRC, 0, 2, None)), None);
        assert_eq!(parse_subq_code(&[0; 5]), None, "short answers are nothing");
        let c = ReadSubChannel {
            subq: true,
            format: SUBQ_ISRC,
            track: 2,
            alloc: 24,
            ..ReadSubChannel::default()
        };
        assert_eq!(ReadSubChannel::parse(c.emit().as_bytes()).unwrap(), c);
    }

    #[test]
    fn selections_size_the_sector() {
        let raw = ReadCd {
            sync: true,
            header_codes: 3,
            user_data: true,
            edc_ecc: true,
            subchannel: 1,
            ..ReadCd::default()
        };
        assert_eq!(raw.sector_len(false).unwrap(), 12 + 4 + 2048 + 288 + 96);
        assert_eq!(raw.sector_len(true).unwrap(), 2352 + 96);
        let q = ReadCd {
            user_data: true,
            subchannel: 2,
            ..ReadCd::default()
        };
        assert_eq!(q.sector_len(false).unwrap(), 2048 + 16);
        let gap = ReadCd {
            sync: true,
            user_data: true,
            ..ReadCd::default()
        };
        assert!(
            gap.sector_len(false).is_err(),
            "sync and data without header"
        );
        let reserved = ReadCd {
            user_data: true,
            subchannel: 3,
            ..ReadCd::default()
        };
        assert!(reserved.sector_len(true).is_err());
    }
}
