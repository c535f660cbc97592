//! CDs written disc at once, with CD-Text: the multi-track cue sheet of MMC-6 §6.36
//! (SEND CUE SHEET) for a session-at-once burn of CD-DA and Mode 1 tracks — pre-gaps from
//! the source or generated, post-gaps, indexes 02–99, ISRC, the catalog number, the
//! pre-emphasis / copy / four-channel flags — as cdrdao's generic-mmc driver and
//! cdrecord -dao send it, and CD-Text in the lead-in's R-W sub-channel (MMC-6 §4.2.5.3;
//! MMC-3 Annex J).
//!
//! The order on the wire: page 05h (write type SAO, raw 2352), SEND CUE SHEET; with
//! CD-Text, the lead-in from its start to LBA −150 as 96-byte R-W blocks repeating the
//! packs (the lead-in's start is READ DISC INFORMATION's "last session lead-in start",
//! its length as cdrdao's `getSessionInfo` derives it: 450000 − start when the start is
//! past 80:00:00, else one minute); track 1's 150-sector pre-gap at −150; then every
//! track from LBA 0 — each later track's pre-gap sent by the host in front of its index
//! 01 — in one stream through the write engine; and SYNCHRONIZE CACHE, after which the
//! drive writes the lead-out and closes the session.
//!
//! One session has one sector size: Mode 1 tracks of 2048 bytes do not mix with CD-DA
//! (write the data track raw, MODE1/2352, as cue/bin images do). Generated sectors
//! (PREGAP, POSTGAP, the lengthening of a short track) are zeros, which is silence on
//! CD-DA and an empty sector on Mode 1; a raw Mode 1 track takes none (its sectors need
//! sync, header and EDC/ECC the host would have to compute).

use std::io::{self, Read};
use std::sync::Arc;

use discburn_mmc::cdtext::{self, CdText};
use discburn_mmc::config::{FeatureBody, FeatureCode};
use discburn_mmc::cue::MIN_TRACK_SECTORS;
use discburn_mmc::cue::{CueEntry, CueSheet, DataForm, SendCueSheet, FIRST_PREGAP, LEAD_IN_TRACK};
use discburn_mmc::disc::{DiscStatus, Msf, LEAD_OUT_TRACK};
use discburn_mmc::mode::WriteType;
use discburn_mmc::subchannel::{lead_in_cycle, RW_LEN};
use discburn_mmc::track::TrackAddress;
use discburn_mmc::DataPhase;

use crate::engine::{CancelToken, WriteEngine};
use crate::error::{Error, ErrorKind};
use crate::recorder::{Recorder, DEFAULT_COMMAND_TIMEOUT};

use super::super::ops::{self, TrayLock};
use super::super::BurnEvent;
use super::{
    cd_in_drive, set_audio_page, AudioError, AudioTrackReport, Padded, AUDIO_SECTOR, MAX_TRACKS,
};

/// What a track holds: the cue sheet's main data form (MMC-6 §6.36.3, Table "Data Form").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrackMode {
    /// CD-DA, 2352 bytes of samples a sector (data form 00h).
    Audio,
    /// CD-ROM Mode 1, 2048 user bytes a sector; the drive adds sync, header, EDC/ECC
    /// (10h).
    Mode1,
    /// CD-ROM Mode 1, the whole 2352-byte sector from the host (11h), as a .bin holds it.
    Mode1Raw,
}

impl TrackMode {
    /// Bytes the host sends per sector.
    pub fn sector_size(self) -> usize {
        match self {
            TrackMode::Mode1 => 2048,
            TrackMode::Audio | TrackMode::Mode1Raw => AUDIO_SECTOR,
        }
    }

    fn data_form(self) -> DataForm {
        match self {
            TrackMode::Audio => DataForm::CdDa,
            TrackMode::Mode1 => DataForm::Mode1,
            TrackMode::Mode1Raw => DataForm::Mode1Raw,
        }
    }
}

/// The Q-channel control flags of a track (CTL; cue sheet FLAGS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TrackFlags {
    /// Audio recorded with pre-emphasis (PRE).
    pub pre_emphasis: bool,
    /// Digital copy permitted (DCP).
    pub copy_permitted: bool,
    /// Four-channel audio (4CH).
    pub four_channel: bool,
}

/// One track of a disc-at-once burn.
pub struct DiscTrack<R> {
    /// The track's sectors: its pre-gap from the source first (`source_pregap`), then
    /// from index 01 on.
    pub source: R,
    /// Bytes `source` gives; a last partial sector is completed with zeros.
    pub bytes: u64,
    /// What the track holds.
    pub mode: TrackMode,
    /// Sectors at the start of `source` that are the pre-gap (index 00 in a cue sheet).
    pub source_pregap: u32,
    /// Sectors of zeros the writer puts in front (a cue sheet's PREGAP); `None`: the
    /// writer's gap ([`DiscAtOnce::set_gap`]) for tracks after the first, none for the
    /// first (which always has its 150-sector pre-gap).
    pub pregap: Option<u32>,
    /// Sectors of zeros after the source, part of the track (POSTGAP).
    pub postgap: u32,
    /// Index points 02, 03, … as sectors after index 01.
    pub indexes: Vec<u32>,
    /// The track's ISRC (12 characters: CCOOOYYSSSSS).
    pub isrc: Option<[u8; 12]>,
    /// CTL flags.
    pub flags: TrackFlags,
}

impl<R> DiscTrack<R> {
    /// An audio track of `bytes` of CD-DA, with the writer's gap in front.
    pub fn audio(source: R, bytes: u64) -> Self {
        DiscTrack {
            source,
            bytes,
            mode: TrackMode::Audio,
            source_pregap: 0,
            pregap: None,
            postgap: 0,
            indexes: Vec::new(),
            isrc: None,
            flags: TrackFlags::default(),
        }
    }
}

/// Where one track goes.
#[derive(Debug, Clone)]
struct Planned {
    ctl: u8,
    form: DataForm,
    /// First LBA of the pre-gap (index 00).
    pregap_at: i64,
    /// Zero sectors before the source.
    generated: u32,
    /// Index 01.
    start: u32,
    /// Sectors from index 01 to the end (with post-gap and lengthening).
    length: u32,
    /// Zero sectors after the source: completing it to whole sectors is not counted.
    trailing: u32,
    /// Sectors the source fills (whole or partial).
    source_sectors: u32,
    indexes: Vec<u32>,
    isrc: Option<[u8; 12]>,
}

/// A disc-at-once writer: the whole session in one pass, optionally with CD-Text and a
/// catalog number.
pub struct DiscAtOnce {
    rec: Arc<Recorder>,
    engine: Option<Arc<WriteEngine>>,
    cancel: CancelToken,
    gap: u32,
    cd_text: Option<CdText>,
    catalog: Option<[u8; 13]>,
    keep_open: bool,
}
/// Sectors of a one-minute lead-in: what cdrdao assumes when the lead-in start the drive
/// reports is not a real ATIP time (before 80:00:00).
const DEFAULT_LEAD_IN: i64 = 4500;

/// The lead-in's first LBA from READ DISC INFORMATION's lead-in start (an MSF address).
fn lead_in_start(msf_address: u32) -> i64 {
    let m = Msf::from_address(msf_address);
    let frames = i64::from(m.m) * 4500 + i64::from(m.s) * 75 + i64::from(m.f);
    let len = if m.m >= 80 && m.s < 60 && m.f < 75 {
        450_000 - frames
    } else {
        DEFAULT_LEAD_IN
    };
    -i64::from(FIRST_PREGAP) - len.clamp(1, DEFAULT_LEAD_IN * 10)
}

impl DiscAtOnce {
    /// A writer for `rec`: 2-second gaps between tracks, no CD-Text, finalizing.
    pub fn new(rec: Arc<Recorder>) -> Result<Self, AudioError> {
        Ok(DiscAtOnce {
            rec,
            engine: None,
            cancel: CancelToken::new(),
            gap: FIRST_PREGAP,
            cd_text: None,
            catalog: None,
            keep_open: false,
        })
    }

    /// The write engine of the burn that runs or ran (for updates and cancel), made for
    /// `sector_size`-byte sectors on first use.
    fn engine_for(&mut self, sector_size: usize) -> Result<Arc<WriteEngine>, AudioError> {
        if let Some(e) = self
            .engine
            .as_ref()
            .filter(|e| e.bytes_per_sector() == sector_size as i32)
        {
            return Ok(Arc::clone(e));
        }
        let engine = Arc::new(
            WriteEngine::with_recorder(Arc::clone(&self.rec), sector_size as i32)
                .map_err(AudioError::device("setting up the write engine"))?,
        );
        engine.set_cancel_token(self.cancel.clone());
        self.engine = Some(Arc::clone(&engine));
        Ok(engine)
    }

    /// The write engine the tracks go through (updates, cancel), for CD-DA-sized
    /// sectors; [`write_disc`](Self::write_disc) makes it anew when the tracks are
    /// 2048-byte Mode 1.
    pub fn engine(&mut self) -> Result<Arc<WriteEngine>, AudioError> {
        self.engine_for(AUDIO_SECTOR)
    }

    /// The recorder written to.
    pub fn recorder(&self) -> &Arc<Recorder> {
        &self.rec
    }

    /// Uses `token` to cancel.
    pub fn set_cancel_token(&mut self, token: CancelToken) {
        if let Some(e) = &self.engine {
            e.set_cancel_token(token.clone());
        }
        self.cancel = token;
    }

    /// Sectors of silence in front of every track after the first whose
    /// [`DiscTrack::pregap`] is `None` (150, 2 seconds, by default; 0 is gapless).
    pub fn set_gap(&mut self, sectors: u32) {
        self.gap = sectors;
    }

    /// The CD-Text to write into the lead-in.
    pub fn set_cd_text(&mut self, cd_text: Option<CdText>) {
        self.cd_text = cd_text;
    }

    /// The disc's Media Catalog Number (13 digits), sent in the cue sheet.
    pub fn set_catalog(&mut self, mcn: Option<[u8; 13]>) {
        self.catalog = mcn;
    }

    /// Leave the disc open for another session instead of finalizing it.
    pub fn set_keep_open(&mut self, keep_open: bool) {
        self.keep_open = keep_open;
    }

    /// Whether the drive's CD Mastering feature (002Eh) offers SAO with R-W sub-channel
    /// data, the way CD-Text goes into the lead-in. A drive that cannot say (no GET
    /// CONFIGURATION, an unreadable feature) is tried.
    fn offers_cd_text(&self) -> bool {
        match self.rec.feature(FeatureCode::CdMastering, true) {
            Ok(f) => match f.body {
                FeatureBody::CdMastering(m) => m.sao && m.rw,
                _ => true,
            },
            // Listed as absent or not current.
            Err(e) if matches!(e.kind(), ErrorKind::NotSupported(_)) => false,
            Err(e) => {
                tracing::debug!("GET CONFIGURATION 002Eh: {e}; trying CD-Text anyway");
                true
            }
        }
    }

    /// Lays the tracks out from LBA 0 (track 1's pre-gap at −150).
    fn plan<R>(&self, tracks: &[DiscTrack<R>]) -> Result<Vec<Planned>, AudioError> {
        let mut out: Vec<Planned> = Vec::with_capacity(tracks.len());
        let mut at: i64 = 0;
        for (i, t) in tracks.iter().enumerate() {
            let number = i as u8 + 1;
            let size = t.mode.sector_size() as u64;
            if t.bytes == 0 || (t.mode == TrackMode::Audio && !t.bytes.is_multiple_of(4)) {
                return Err(AudioError::StreamNotSupported { bytes: t.bytes });
            }
            let source_sectors = u32::try_from(t.bytes.div_ceil(size)).unwrap_or(u32::MAX);
            if source_sectors <= t.source_pregap {
                return Err(AudioError::Layout {
                    track: number,
                    why: "its pre-gap takes all of its source",
                });
            }
            let generated = match (i, t.pregap) {
                (0, _) if t.source_pregap > FIRST_PREGAP => {
                    return Err(AudioError::Layout {
                        track: number,
                        why: "track 1's pre-gap is longer than 2 seconds (a hidden track before it is not written)",
                    })
                }
                (0, _) => FIRST_PREGAP - t.source_pregap,
                (_, Some(n)) => n,
                (_, None) if t.source_pregap > 0 => 0,
                (_, None) => self.gap,
            };
            let body = source_sectors - t.source_pregap;
            let length = (body + t.postgap).max(MIN_TRACK_SECTORS);
            let trailing = length - body;
            let raw = t.mode == TrackMode::Mode1Raw;
            if raw && ((i > 0 && generated > 0) || trailing > 0 || !t.bytes.is_multiple_of(size)) {
                return Err(AudioError::Layout {
                    track: number,
                    why: "a raw Mode 1 track takes no generated sectors (PREGAP, POSTGAP, padding to 4 seconds or to a whole sector): put them in the image",
                });
            }
            let pre = i64::from(generated) + i64::from(t.source_pregap);
            let start = if i == 0 { 0 } else { at + pre };
            let ctl = u8::from(t.flags.four_channel) << 3
                | u8::from(t.mode != TrackMode::Audio) << 2
                | u8::from(t.flags.copy_permitted) << 1
                | u8::from(t.flags.pre_emphasis);
            if t.indexes.len() > 98
                || t.indexes.windows(2).any(|w| w[0] >= w[1])
                || t.indexes.first().is_some_and(|&o| o == 0)
                || t.indexes.last().is_some_and(|&o| o >= length)
            {
                return Err(AudioError::Layout {
                    track: number,
                    why: "its index points are not increasing inside the track",
                });
            }
            let start = u32::try_from(start).map_err(|_| AudioError::Layout {
                track: number,
                why: "it starts past the end of any CD",
            })?;
            out.push(Planned {
                ctl,
                form: t.mode.data_form(),
                pregap_at: i64::from(start) - pre,
                generated,
                start,
                length,
                trailing,
                source_sectors,
                indexes: t.indexes.clone(),
                isrc: t.isrc,
            });
            at = i64::from(start) + i64::from(length);
        }
        Ok(out)
    }

    /// The cue sheet of `plan`; `cd_text` makes the lead-in take R-W sub-channel data.
    fn sheet(&self, plan: &[Planned], cd_text: bool) -> CueSheet {
        let first_ctl = plan.first().map_or(0, |p| p.ctl);
        let mut entries = Vec::new();
        if let Some(mcn) = &self.catalog {
            entries.extend(CueEntry::catalog(first_ctl, mcn));
        }
        let mut lead_in = CueEntry::position(
            first_ctl,
            LEAD_IN_TRACK,
            0,
            DataForm::CdDaGenerated,
            -(FIRST_PREGAP as i32),
        );
        lead_in.subchannel_form = u8::from(cd_text);
        entries.push(lead_in);
        for (i, p) in plan.iter().enumerate() {
            let number = i as u8 + 1;
            if let Some(isrc) = &p.isrc {
                entries.extend(CueEntry::isrc(p.ctl, number, isrc));
            }
            if p.pregap_at < i64::from(p.start) {
                entries.push(CueEntry::position(
                    p.ctl,
                    number,
                    0,
                    p.form,
                    p.pregap_at as i32,
                ));
            }
            entries.push(CueEntry::position(p.ctl, number, 1, p.form, p.start as i32));
            for (k, &off) in p.indexes.iter().enumerate() {
                entries.push(CueEntry::position(
                    p.ctl,
                    number,
                    k as u8 + 2,
                    p.form,
                    (p.start + off) as i32,
                ));
            }
        }
        let end = plan.last().map_or(0, |p| p.start + p.length);
        let last_ctl = plan.last().map_or(0, |p| p.ctl);
        entries.push(CueEntry::position(
            last_ctl,
            LEAD_OUT_TRACK,
            1,
            DataForm::CdDaGenerated,
            end as i32,
        ));
        CueSheet { entries }
    }

    /// Writes `tracks` as the whole session of a blank CD-R/RW.
    pub fn write_disc<R: Read + Send>(
        &mut self,
        tracks: Vec<DiscTrack<R>>,
    ) -> Result<Vec<AudioTrackReport>, AudioError> {
        if tracks.is_empty() || tracks.len() > MAX_TRACKS as usize {
            return Err(AudioError::TrackLimitReached);
        }
        let size = tracks[0].mode.sector_size();
        if tracks.iter().any(|t| t.mode.sector_size() != size) {
            return Err(AudioError::MixedSectorSizes);
        }
        let plan = self.plan(&tracks)?;
        let packs = match &self.cd_text {
            Some(text) => Some(cdtext::encode(text).map_err(AudioError::CdText)?),
            None => None,
        };
        let info = cd_in_drive(&self.rec)?;
        if info.disc_status != DiscStatus::Empty {
            return Err(AudioError::MediaNotBlank);
        }
        if packs.is_some() && !self.offers_cd_text() {
            return Err(AudioError::CdTextNotOffered);
        }
        let end = plan
            .last()
            .map_or(0, |p| u64::from(p.start) + u64::from(p.length));
        let free = self
            .rec
            .track_information(TrackAddress::INVISIBLE)
            .map(|t| u64::from(t.free_blocks))
            .map_err(AudioError::device(
                "reading the free space (READ TRACK INFORMATION)",
            ))?;
        if end > free {
            return Err(AudioError::NotEnoughSpace { needed: end, free });
        }
        let sheet = self.sheet(&plan, packs.is_some());
        let engine = self.engine_for(size)?;
        let lock = TrayLock::engage(&self.rec);
        let result = self.burn(
            &engine,
            tracks,
            &plan,
            &sheet,
            size,
            packs.as_deref(),
            info.last_session_lead_in_start,
        );
        lock.release(&self.cancel, &mut |_: &BurnEvent| {});
        result?;
        Ok(plan
            .iter()
            .enumerate()
            .map(|(i, p)| AudioTrackReport {
                number: i as u16 + 1,
                start: p.start,
                sectors: p.length,
                padded: p.trailing,
            })
            .collect())
    }

    #[allow(clippy::too_many_arguments)]
    fn burn<R: Read + Send>(
        &self,
        engine: &WriteEngine,
        tracks: Vec<DiscTrack<R>>,
        plan: &[Planned],
        sheet: &CueSheet,
        size: usize,
        packs: Option<&[[u8; cdtext::PACK_LEN]]>,
        lead_in_msf: u32,
    ) -> Result<(), AudioError> {
        set_audio_page(&self.rec, WriteType::SaoDao, self.keep_open, true).map_err(
            AudioError::device("selecting session-at-once writing (MODE SELECT page 05h)"),
        )?;
        let mut bytes = vec![0u8; sheet.buffer_len()];
        sheet
            .emit(&mut bytes)
            .map_err(|e| AudioError::device("building the cue sheet")(Error::from(e)))?;
        tracing::debug!("cue sheet {bytes:02x?}");
        self.rec
            .command(
                &SendCueSheet::for_sheet(sheet),
                DataPhase::Out(&bytes),
                DEFAULT_COMMAND_TIMEOUT,
            )
            .map_err(AudioError::device("sending the cue sheet (SEND CUE SHEET)"))?;
        if let Some(packs) = packs {
            self.write_lead_in(packs, lead_in_msf)
                .map_err(AudioError::device("writing the CD-Text lead-in (WRITE)"))?;
        }
        // One stream from −150: each track's generated pre-gap, its source, its zeros.
        let zeros = |sectors: u32| io::repeat(0).take(u64::from(sectors) * size as u64);
        let mut stream: Box<dyn Read + Send + '_> = Box::new(io::empty());
        let mut total: u64 = 0;
        for (t, p) in tracks.into_iter().zip(plan) {
            let whole = u64::from(p.source_sectors) * size as u64;
            let source = Padded {
                inner: t.source,
                left: whole,
                source_left: t.bytes,
            };
            stream = Box::new(
                stream
                    .chain(zeros(p.generated))
                    .chain(source)
                    .chain(zeros(p.trailing)),
            );
            total += u64::from(p.generated) + u64::from(p.source_sectors) + u64::from(p.trailing);
        }
        let mut pregap = vec![0u8; FIRST_PREGAP as usize * size];
        stream.read_exact(&mut pregap).map_err(|e| {
            AudioError::device("reading the first pre-gap")(Error::new(ErrorKind::Source(e)))
        })?;
        self.write_raw(-i64::from(FIRST_PREGAP), FIRST_PREGAP, &pregap)
            .map_err(AudioError::device("writing the first pre-gap (WRITE)"))?;
        let rest = total - u64::from(FIRST_PREGAP);
        engine
            .write_section(stream, 0, i32::try_from(rest).unwrap_or(i32::MAX))
            .map_err(AudioError::device("writing the tracks (WRITE)"))?;
        ops::synchronize_cache(&self.rec, &self.cancel, &mut |_: &BurnEvent| {}).map_err(
            AudioError::device("writing the lead-out (SYNCHRONIZE CACHE)"),
        )
    }

    /// The CD-Text lead-in: from its start to −150, the packs' R-W cycle repeated.
    fn write_lead_in(
        &self,
        packs: &[[u8; cdtext::PACK_LEN]],
        lead_in_msf: u32,
    ) -> Result<(), Error> {
        let cycle = lead_in_cycle(packs);
        let per = (self.rec.limits().max_transfer / RW_LEN).clamp(1, 256);
        let mut lba = lead_in_start(lead_in_msf);
        let mut k = 0usize;
        while lba < -i64::from(FIRST_PREGAP) {
            let n = per.min((-i64::from(FIRST_PREGAP) - lba) as usize);
            let mut buf = Vec::with_capacity(n * RW_LEN);
            for _ in 0..n {
                buf.extend_from_slice(&cycle[k % cycle.len()]);
                k += 1;
            }
            self.write_raw(lba, n as u32, &buf)?;
            lba += n as i64;
        }
        Ok(())
    }

    fn write_raw(&self, lba: i64, blocks: u32, data: &[u8]) -> Result<(), Error> {
        ops::write_outside_engine(&self.rec, lba, blocks, data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_in_length_follows_cdrdao() {
        // ATIP 97:26:66 (a common CD-R): 450000 − 438516 sectors of lead-in.
        let atip = Msf {
            m: 97,
            s: 26,
            f: 66,
        }
        .to_address();
        assert_eq!(lead_in_start(atip), -150 - 11_484);
        // Not an ATIP time: one minute.
        assert_eq!(lead_in_start(Msf { m: 0, s: 2, f: 0 }.to_address()), -4650);
    }
}
