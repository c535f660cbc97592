//! What only a CD has: READ CD (whole sectors, MMC-6 §6.17), the CD-Text of the lead-in
//! (READ TOC/PMA/ATIP format 5, MMC-6 §6.26.2.6) and the lead-in the host writes with R-W
//! sub-channel data in Session-At-Once (MMC-6 §4.2.5.3), which is where CD-Text comes
//! from.
//!
//! Modelled: READ CD of CD-DA sectors (2352 bytes of samples) and of Mode 1 sectors (sync
//! and header generated from the address, user data, and EDC/ECC where the image keeps
//! raw sectors), C2 information as "no errors". Not modelled: sub-channel data in READ CD
//! (05/24/00), Mode 2 sectors (the drive records none).

use std::time::Duration;

use discburn_mmc::cdtext::Pack;
use discburn_mmc::disc::Msf;
use discburn_mmc::readcd::{
    subq_code, ReadCd, ReadSubChannel, SECTOR_TYPE_CD_DA, SECTOR_TYPE_MODE1, SUBQ_ISRC, SUBQ_MCN,
};
use discburn_mmc::sense::Asc;
use discburn_mmc::subchannel::{unpack_rw, RW_LEN};
use discburn_mmc::DataPhase;

use super::{parse, Fail, Outcome, Reply, VirtualDrive};
use crate::check::Check;
use crate::model::MAX_CD_TEXT_PACKS;

/// Earliest LBA a lead-in may start at: the lead-in of a blank CD-R begins no earlier
/// than about 10 minutes before LBA 0 (ATIP start times are 79:59:74 at the latest).
const EARLIEST_LEAD_IN: i64 = -45_150;

/// The 12-byte sync pattern that opens every data sector.
const SYNC: [u8; 12] = [
    0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0,
];

fn bcd(v: u8) -> u8 {
    (v / 10) << 4 | (v % 10)
}

impl VirtualDrive {
    /// MMC-6 §6.17 READ CD.
    pub(super) fn read_cd(
        &mut self,
        cdb: &[u8],
        data: &mut DataPhase<'_>,
        timeout: Duration,
    ) -> Outcome {
        let c: ReadCd = parse(cdb)?;
        if !self.disc.media.is_cd() {
            return Err(Check::illegal(Asc::INCOMPATIBLE_MEDIUM_INSTALLED).into());
        }
        if c.blocks == 0 {
            return Ok(Reply::Done(0));
        }
        if c.subchannel != 0 {
            return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into());
        }
        let d = self.view();
        let slot = d.slot;
        // Every sector of the request recorded (or a pre-gap) and of one track type: a
        // request across an audio/data boundary fails as drives fail it (05/64/00).
        let mut audio = None;
        for lba in c.lba..c.lba.saturating_add(c.blocks) {
            let Some(t) = d.cd_sector_track(lba) else {
                return Err(Check::illegal(Asc::LBA_OUT_OF_RANGE).into());
            };
            if *audio.get_or_insert(t.audio) != t.audio {
                return Err(Check::illegal(Asc::ILLEGAL_MODE_FOR_THIS_TRACK).into());
            }
        }
        let audio = audio.unwrap_or(false);
        let expected_fits = match c.sector_type {
            0 => true,
            SECTOR_TYPE_CD_DA => audio,
            SECTOR_TYPE_MODE1 => !audio,
            _ => false,
        };
        if !expected_fits {
            return Err(Check::illegal(Asc::ILLEGAL_MODE_FOR_THIS_TRACK).into());
        }
        let per = c
            .sector_len(audio)
            .map_err(|_| Fail::Check(Check::illegal(Asc::INVALID_FIELD_IN_CDB)))?;
        if !audio && c.edc_ecc && slot != 2352 {
            // The image keeps user data only: there is no EDC/ECC to return.
            return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into());
        }
        if let Some(bad) = self.fault_range(c.lba, c.blocks, false) {
            return Err(Check::medium_error(Asc::UNRECOVERED_READ_ERROR)
                .with_info(bad)
                .into());
        }
        let DataPhase::In(buf) = data else {
            return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into());
        };
        let whole = (c.blocks as usize).saturating_mul(per);
        let want = whole.min(buf.len());
        let io = |e: std::io::Error| {
            tracing::error!("virtual drive: image read failed: {e}");
            Fail::Check(Check::medium_error(Asc::UNRECOVERED_READ_ERROR).with_info(c.lba))
        };
        let mut raw = vec![0u8; slot as usize];
        let mut out = Vec::with_capacity(per);
        for (i, chunk) in buf[..want].chunks_mut(per.max(1)).enumerate() {
            let lba = c.lba + i as u32;
            self.image
                .read_at(&mut raw, u64::from(lba) * u64::from(slot))
                .map_err(io)?;
            out.clear();
            if audio {
                if c.main_len(true).unwrap_or(0) > 0 {
                    out.extend_from_slice(&raw);
                }
            } else {
                let user = if slot == 2352 {
                    &raw[16..2064]
                } else {
                    &raw[..2048]
                };
                if c.sync {
                    out.extend_from_slice(&SYNC);
                }
                if matches!(c.header_codes, 1 | 3) {
                    let m = Msf::from_lba(lba as i32);
                    out.extend_from_slice(&[bcd(m.m), bcd(m.s), bcd(m.f), 1]);
                }
                if c.user_data {
                    out.extend_from_slice(user);
                }
                if c.edc_ecc {
                    out.extend_from_slice(&raw[2064..2352]);
                }
            }
            // C2 error information: no errors.
            out.resize(per, 0);
            chunk.copy_from_slice(&out[..chunk.len()]);
        }
        self.read_time(c.lba, c.blocks, timeout)?;
        let mut s = self.control.lock();
        s.stats.reads += 1;
        s.stats.blocks_read += u64::from(c.blocks);
        Ok(Reply::Done(want))
    }

    /// MMC-6 §6.29 READ SUB-CHANNEL: formats 02h (the catalog number) and 03h (a track's
    /// ISRC) from what the cue sheets carried; format 01h (current position) and others
    /// answer 05/24/00.
    pub(super) fn read_sub_channel(&mut self, cdb: &[u8]) -> Outcome {
        let c: ReadSubChannel = parse(cdb)?;
        let d = self.view();
        if !d.media.is_cd() {
            return Err(Check::illegal(Asc::INCOMPATIBLE_MEDIUM_INSTALLED).into());
        }
        let answer = match c.format {
            SUBQ_MCN => subq_code(SUBQ_MCN, 0, 0, d.mcn.as_deref().map(str::as_bytes)),
            SUBQ_ISRC => {
                let t = d
                    .track(u32::from(c.track))
                    .filter(|t| t.written > 0 || t.closed)
                    .ok_or(Fail::Check(Check::illegal(Asc::INVALID_FIELD_IN_CDB)))?;
                let control = if t.audio { 0 } else { 4 };
                let code = d.isrc.get(&t.number).map(String::as_bytes);
                subq_code(SUBQ_ISRC, control, c.track, code.filter(|_| t.audio))
            }
            _ => return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into()),
        };
        let out = if c.subq {
            answer.to_vec()
        } else {
            answer[..4].to_vec()
        };
        Ok(Reply::Data(out, usize::from(c.alloc)))
    }

    /// READ TOC/PMA/ATIP format 5: the CD-Text packs of the lead-in, after a 4-byte header
    /// (data length, two reserved bytes). A disc without CD-Text answers the header alone.
    pub(super) fn read_cd_text(&self, alloc: usize) -> Outcome {
        let d = self.view();
        if !d.media.is_cd() {
            return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into());
        }
        let packs = &d.cd_text;
        let mut out = Vec::with_capacity(4 + packs.len());
        out.extend_from_slice(&((2 + packs.len()) as u16).to_be_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(packs);
        Ok(Reply::Data(out, alloc))
    }

    /// A WRITE into the lead-in of an SAO session whose cue sheet asks for R-W sub-channel
    /// data: 96-byte blocks, one uninterrupted run ending where the pre-gap begins; the
    /// CD-Text packs they carry (good CRC, each once) are kept for the session. `None`
    /// when the WRITE is not for the lead-in.
    pub(super) fn lead_in_write(
        &mut self,
        lba: u32,
        blocks: u32,
        data: &DataPhase<'_>,
    ) -> Option<Outcome> {
        if !self.sao_mode() {
            return None;
        }
        let s = self.sao.as_mut().filter(|s| s.lead_in_rw && !s.laid)?;
        let at = i64::from(lba as i32);
        if at >= s.next {
            return None;
        }
        let DataPhase::Out(buf) = data else {
            return Some(Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into()));
        };
        if buf.len() as u64 != u64::from(blocks) * RW_LEN as u64 {
            return Some(Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into()));
        }
        let end = at + i64::from(blocks);
        let continues = match s.lead_in_next {
            Some(n) => at == n,
            None => at >= EARLIEST_LEAD_IN,
        };
        if !continues {
            return Some(Err(Check::illegal(Asc::INVALID_ADDRESS_FOR_WRITE).into()));
        }
        if end > s.next {
            return Some(Err(Check::illegal(Asc::LBA_OUT_OF_RANGE).into()));
        }
        let mut refused = 0;
        for block in buf.chunks_exact(RW_LEN) {
            let Ok(block) = <&[u8; RW_LEN]>::try_from(block) else {
                continue;
            };
            for p in unpack_rw(block) {
                let text = (0x80..=0x8F).contains(&p[0]) && Pack::parse(&p).is_ok();
                refused += usize::from(!text);
                if text && s.packs.len() < MAX_CD_TEXT_PACKS && !s.packs.contains(&p) {
                    s.packs.push(p);
                }
            }
        }
        tracing::debug!(
            "lead-in WRITE at {at} of {blocks} R-W blocks: {} CD-Text packs so far, {refused} not CD-Text (bad CRC or type)",
            s.packs.len()
        );
        s.lead_in_next = Some(end);
        let mut st = self.control.lock();
        st.stats.writes += 1;
        Some(Ok(Reply::Done(buf.len())))
    }
}
