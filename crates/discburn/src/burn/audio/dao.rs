//! Audio discs written disc at once, with CD-Text: the multi-track cue sheet of MMC-6
//! §6.36 (SEND CUE SHEET) for a session-at-once burn of CD-DA tracks, as cdrdao's
//! generic-mmc driver and cdrecord -dao send it, and CD-Text in the lead-in's R-W
//! sub-channel (MMC-6 §4.2.5.3; MMC-3 Annex J).
//!
//! The order on the wire: page 05h (write type SAO, raw 2352), SEND CUE SHEET; with
//! CD-Text, the lead-in from its start to LBA −150 as 96-byte R-W blocks repeating the
//! packs (the lead-in's start is READ DISC INFORMATION's "last session lead-in start",
//! its length as cdrdao's `getSessionInfo` derives it: 450000 − start when the start is
//! past 80:00:00, else one minute); the 150 silent sectors of track 1's pre-gap at −150;
//! then every track from LBA 0 — each later track's pre-gap (its gap of silence) sent by
//! the host in front of its index 01 — in one stream through the write engine; and
//! SYNCHRONIZE CACHE, after which the drive writes the lead-out and closes the session.

use std::io::{self, Read};
use std::sync::Arc;

use discburn_mmc::cdtext::{self, CdText};
use discburn_mmc::cue::{CueEntry, CueSheet, DataForm, SendCueSheet, FIRST_PREGAP, LEAD_IN_TRACK};
use discburn_mmc::disc::{DiscStatus, Msf, LEAD_OUT_TRACK};
use discburn_mmc::mode::WriteType;
use discburn_mmc::profile::Profile;
use discburn_mmc::rw::Write10;
use discburn_mmc::subchannel::{lead_in_cycle, RW_LEN};
use discburn_mmc::DataPhase;

use crate::engine::{CancelToken, WriteEngine};
use crate::error::Error;
use crate::recorder::{Recorder, DEFAULT_COMMAND_TIMEOUT};

use super::super::medium;
use super::super::ops::{self, TrayLock};
use super::super::BurnEvent;
use super::{
    audio_sectors, set_audio_page, AudioError, AudioTrackReport, Padded, AUDIO_SECTOR, MAX_TRACKS,
};

/// One track of a disc-at-once audio burn: `bytes` of CD-DA from `source`.
pub struct DiscTrack<R> {
    /// The samples.
    pub source: R,
    /// Their length in bytes (whole 4-byte stereo frames).
    pub bytes: u64,
}

/// A disc-at-once audio writer: the whole session in one pass, optionally with CD-Text.
pub struct DiscAtOnce {
    rec: Arc<Recorder>,
    engine: Arc<WriteEngine>,
    cancel: CancelToken,
    gap: u32,
    cd_text: Option<CdText>,
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
        let engine = Arc::new(
            WriteEngine::with_recorder(Arc::clone(&rec), AUDIO_SECTOR as i32)
                .map_err(AudioError::device("setting up the write engine"))?,
        );
        let cancel = CancelToken::new();
        engine.set_cancel_token(cancel.clone());
        Ok(DiscAtOnce {
            rec,
            engine,
            cancel,
            gap: FIRST_PREGAP,
            cd_text: None,
            keep_open: false,
        })
    }

    /// The write engine the tracks go through (updates, cancel).
    pub fn engine(&self) -> &Arc<WriteEngine> {
        &self.engine
    }

    /// Uses `token` to cancel.
    pub fn set_cancel_token(&mut self, token: CancelToken) {
        self.engine.set_cancel_token(token.clone());
        self.cancel = token;
    }

    /// Sectors of silence in front of every track after the first (150, 2 seconds, by
    /// default; 0 is gapless).
    pub fn set_gap(&mut self, sectors: u32) {
        self.gap = sectors;
    }

    /// The CD-Text to write into the lead-in.
    pub fn set_cd_text(&mut self, cd_text: Option<CdText>) {
        self.cd_text = cd_text;
    }

    /// Leave the disc open for another session instead of finalizing it.
    pub fn set_keep_open(&mut self, keep_open: bool) {
        self.keep_open = keep_open;
    }

    /// The cue sheet of `sectors` per track with this writer's gap; `cd_text` makes the
    /// lead-in take R-W sub-channel data from the host. Returns it with each track's
    /// index 01 LBA.
    pub fn cue_sheet(&self, sectors: &[u32], cd_text: bool) -> (CueSheet, Vec<u32>) {
        let mut lead_in = CueEntry::position(
            0,
            LEAD_IN_TRACK,
            0,
            DataForm::CdDaGenerated,
            -(FIRST_PREGAP as i32),
        );
        lead_in.subchannel_form = u8::from(cd_text);
        let mut entries = vec![lead_in];
        let mut starts = Vec::with_capacity(sectors.len());
        let mut at: u32 = 0;
        for (i, &n) in sectors.iter().enumerate() {
            let number = i as u8 + 1;
            let gap = if i == 0 { 0 } else { self.gap };
            let start = at + gap;
            if i == 0 {
                entries.push(CueEntry::position(
                    0,
                    number,
                    0,
                    DataForm::CdDa,
                    -(FIRST_PREGAP as i32),
                ));
            } else if gap > 0 {
                entries.push(CueEntry::position(0, number, 0, DataForm::CdDa, at as i32));
            }
            entries.push(CueEntry::position(
                0,
                number,
                1,
                DataForm::CdDa,
                start as i32,
            ));
            starts.push(start);
            at = start + n;
        }
        entries.push(CueEntry::position(
            0,
            LEAD_OUT_TRACK,
            1,
            DataForm::CdDaGenerated,
            at as i32,
        ));
        (CueSheet { entries }, starts)
    }

    /// Writes `tracks` as the whole session of a blank CD-R/RW.
    pub fn write_disc<R: Read + Send>(
        &mut self,
        tracks: Vec<DiscTrack<R>>,
    ) -> Result<Vec<AudioTrackReport>, AudioError> {
        if tracks.is_empty() || tracks.len() > MAX_TRACKS as usize {
            return Err(AudioError::TrackLimitReached);
        }
        for t in &tracks {
            if t.bytes == 0 || !t.bytes.is_multiple_of(4) {
                return Err(AudioError::StreamNotSupported { bytes: t.bytes });
            }
        }
        let packs = match &self.cd_text {
            Some(text) => Some(cdtext::encode(text).map_err(AudioError::CdText)?),
            None => None,
        };
        self.rec
            .test_unit_ready_settled()
            .map_err(AudioError::device(
                "waiting for the medium (TEST UNIT READY)",
            ))?;
        let profile = self.rec.current_profile().map_err(AudioError::device(
            "reading the medium's profile (GET CONFIGURATION)",
        ))?;
        if !matches!(profile, Profile::CdR | Profile::CdRw) {
            return Err(AudioError::MediaNotSupported(profile));
        }
        let info = self.rec.disc_information().map_err(AudioError::device(
            "reading the disc (READ DISC INFORMATION)",
        ))?;
        if info.disc_status != DiscStatus::Empty {
            return Err(AudioError::MediaNotBlank);
        }
        let sectors: Vec<u32> = tracks
            .iter()
            .map(|t| u32::try_from(audio_sectors(t.bytes)).unwrap_or(u32::MAX))
            .collect();
        let (sheet, starts) = self.cue_sheet(&sectors, packs.is_some());
        let end = u64::from(starts.last().copied().unwrap_or(0))
            + u64::from(sectors.last().copied().unwrap_or(0));
        let free = self
            .rec
            .track_information(discburn_mmc::track::TrackAddress::INVISIBLE)
            .map(|t| u64::from(t.free_blocks))
            .map_err(AudioError::device(
                "reading the free space (READ TRACK INFORMATION)",
            ))?;
        if end > free {
            return Err(AudioError::NotEnoughSpace { needed: end, free });
        }
        let lock = TrayLock::engage(&self.rec);
        let result = self.burn(
            tracks,
            &sheet,
            &sectors,
            packs.as_deref(),
            info.last_session_lead_in_start,
        );
        lock.release(&self.cancel, &mut |_: &BurnEvent| {});
        result?;
        Ok(starts
            .iter()
            .zip(&sectors)
            .enumerate()
            .map(|(i, (&start, &n))| AudioTrackReport {
                number: i as u16 + 1,
                start,
                sectors: n,
                padded: 0,
            })
            .collect())
    }

    fn burn<R: Read + Send>(
        &self,
        tracks: Vec<DiscTrack<R>>,
        sheet: &CueSheet,
        sectors: &[u32],
        packs: Option<&[[u8; cdtext::PACK_LEN]]>,
        lead_in_msf: u32,
    ) -> Result<(), AudioError> {
        set_audio_page(&self.rec, WriteType::SaoDao, self.keep_open, true).map_err(
            AudioError::device("selecting session-at-once audio (MODE SELECT page 05h)"),
        )?;
        let mut bytes = vec![0u8; sheet.buffer_len()];
        sheet
            .emit(&mut bytes)
            .map_err(|e| AudioError::device("building the cue sheet")(Error::from(e)))?;
        tracing::debug!("audio cue sheet {bytes:02x?}");
        self.rec
            .command(
                &SendCueSheet::for_sheet(sheet),
                DataPhase::Out(&bytes),
                DEFAULT_COMMAND_TIMEOUT,
            )
            .map_err(AudioError::device("sending the cue sheet (SEND CUE SHEET)"))?;
        if let Some(packs) = packs {
            let cycle = lead_in_cycle(packs);
            let start = lead_in_start(lead_in_msf);
            let per = (self.rec.limits().max_transfer / RW_LEN).clamp(1, 256);
            let mut lba = start;
            let mut k = 0usize;
            while lba < -i64::from(FIRST_PREGAP) {
                let n = per.min((-i64::from(FIRST_PREGAP) - lba) as usize);
                let mut buf = Vec::with_capacity(n * RW_LEN);
                for _ in 0..n {
                    buf.extend_from_slice(&cycle[k % cycle.len()]);
                    k += 1;
                }
                self.write_raw(lba, n as u32, &buf)
                    .map_err(AudioError::device("writing the CD-Text lead-in (WRITE)"))?;
                lba += n as i64;
            }
        }
        let zeros = vec![0u8; FIRST_PREGAP as usize * AUDIO_SECTOR];
        self.write_raw(-i64::from(FIRST_PREGAP), FIRST_PREGAP, &zeros)
            .map_err(AudioError::device("writing the first pre-gap (WRITE)"))?;
        let gap = self.gap;
        let mut total: u64 = 0;
        let mut parts: Vec<Box<dyn Read + Send + '_>> = Vec::new();
        for (i, (t, &n)) in tracks.into_iter().zip(sectors).enumerate() {
            if i > 0 && gap > 0 {
                parts.push(Box::new(
                    io::repeat(0).take(u64::from(gap) * AUDIO_SECTOR as u64),
                ));
                total += u64::from(gap);
            }
            parts.push(Box::new(Padded {
                inner: t.source,
                left: u64::from(n) * AUDIO_SECTOR as u64,
                source_left: t.bytes,
            }));
            total += u64::from(n);
        }
        let stream = parts
            .into_iter()
            .fold(Box::new(io::empty()) as Box<dyn Read + Send>, |a, b| {
                Box::new(a.chain(b))
            });
        self.engine
            .write_section(stream, 0, i32::try_from(total).unwrap_or(i32::MAX))
            .map_err(AudioError::device("writing the audio tracks (WRITE)"))?;
        ops::synchronize_cache(&self.rec, &self.cancel, &mut |_: &BurnEvent| {}).map_err(
            AudioError::device("writing the lead-out (SYNCHRONIZE CACHE)"),
        )
    }

    /// One WRITE(10) at `lba` (negative in the lead-in and pre-gap), retried while the
    /// drive says a long write is in progress.
    fn write_raw(&self, lba: i64, blocks: u32, data: &[u8]) -> Result<(), Error> {
        let cdb = Write10 {
            lba: lba as i32 as u32,
            blocks: blocks as u16,
            dpo: false,
            fua: false,
        };
        let mut tries = 0;
        loop {
            match self
                .rec
                .command(&cdb, DataPhase::Out(data), DEFAULT_COMMAND_TIMEOUT)
            {
                Ok(_) => return Ok(()),
                Err(e) if medium::not_ready_in_progress(&e) && tries < 100 => {
                    tries += 1;
                    self.rec.clock().sleep(std::time::Duration::from_millis(20));
                }
                Err(e) => return Err(e),
            }
        }
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
