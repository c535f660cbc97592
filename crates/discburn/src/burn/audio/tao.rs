//! Audio tracks written track at once: IMAPI2's `IDiscFormat2TrackAtOnce` (PrepareMedia,
//! AddAudioTrack, ReleaseMedia; learn.microsoft.com `imapi2/nn-imapi2-idiscformat2trackatonce`)
//! over MMC-6 §4.2.3 Track-At-Once recording.
//!
//! Each track is written in 2352-byte sectors (page 05h: write type TAO, track mode 0,
//! data block type 0) from the track's NWA and closed with CLOSE TRACK. The drive writes
//! the 2-second pre-gap in front of every track after the first (the NWA it reports for
//! the next track is past it). ReleaseMedia closes the session, finalizing the disc unless
//! [`TrackAtOnce::set_do_not_finalize_media`] said not to, and unlocks the tray.

use std::io::Read;
use std::sync::Arc;

use discburn_mmc::disc::DiscStatus;
use discburn_mmc::mode::WriteType;
use discburn_mmc::track::{CloseFunction, TrackAddress};

use crate::engine::{CancelToken, WriteEngine};
use crate::error::Error;
use crate::recorder::Recorder;

use super::super::ops::{self, TrayLock};
use super::super::{BurnEvent, BurnPhase};
use super::{
    audio_sectors, cd_in_drive, set_audio_page, AudioError, AudioTrackReport, Padded, AUDIO_SECTOR,
    MAX_TRACKS,
};

/// IMAPI2 `IDiscFormat2TrackAtOnce` over one recorder: prepare, add audio tracks one by
/// one, release.
pub struct TrackAtOnce {
    rec: Arc<Recorder>,
    engine: Arc<WriteEngine>,
    cancel: CancelToken,
    do_not_finalize: bool,
    buffer_underrun_free_disabled: bool,
    lock: Option<TrayLock>,
    added: Vec<AudioTrackReport>,
}

impl TrackAtOnce {
    /// A writer for `rec`; nothing is sent until [`prepare_media`](Self::prepare_media).
    pub fn new(rec: Arc<Recorder>) -> Result<Self, AudioError> {
        let engine = Arc::new(
            WriteEngine::with_recorder(Arc::clone(&rec), AUDIO_SECTOR as i32)
                .map_err(AudioError::device("setting up the write engine"))?,
        );
        let cancel = CancelToken::new();
        engine.set_cancel_token(cancel.clone());
        Ok(TrackAtOnce {
            rec,
            engine,
            cancel,
            do_not_finalize: false,
            buffer_underrun_free_disabled: false,
            lock: None,
            added: Vec::new(),
        })
    }

    /// The write engine the tracks go through: subscribe to its updates or cancel a
    /// track with it from another thread (IMAPI2's `IDiscFormat2TrackAtOnceEventArgs` and
    /// CancelAddTrack).
    pub fn engine(&self) -> &Arc<WriteEngine> {
        &self.engine
    }

    /// Uses `token` to cancel (a Ctrl-C handler's): a cancelled track stops at its next
    /// WRITE; closing steps already sent finish first.
    pub fn set_cancel_token(&mut self, token: CancelToken) {
        self.engine.set_cancel_token(token.clone());
        self.cancel = token;
    }

    /// IMAPI2 `put_DoNotFinalizeMedia`: ReleaseMedia leaves the session open for more
    /// tracks or sessions instead of finalizing. Only before PrepareMedia.
    pub fn set_do_not_finalize_media(&mut self, value: bool) -> Result<(), AudioError> {
        self.unprepared()?;
        self.do_not_finalize = value;
        Ok(())
    }

    /// IMAPI2 `put_BufferUnderrunFreeDisabled`: write without BURN-Free. Only before
    /// PrepareMedia.
    pub fn set_buffer_underrun_free_disabled(&mut self, value: bool) -> Result<(), AudioError> {
        self.unprepared()?;
        self.buffer_underrun_free_disabled = value;
        Ok(())
    }

    /// True between PrepareMedia and ReleaseMedia.
    pub fn is_prepared(&self) -> bool {
        self.lock.is_some()
    }

    fn unprepared(&self) -> Result<(), AudioError> {
        match self.lock {
            Some(_) => Err(AudioError::AlreadyPrepared),
            None => Ok(()),
        }
    }

    /// IMAPI2 `get_DoNotFinalizeMedia`.
    pub fn do_not_finalize_media(&self) -> bool {
        self.do_not_finalize
    }

    /// IMAPI2 `get_BufferUnderrunFreeDisabled`.
    pub fn buffer_underrun_free_disabled(&self) -> bool {
        self.buffer_underrun_free_disabled
    }

    /// The recorder written to.
    pub fn recorder(&self) -> &Arc<Recorder> {
        &self.rec
    }

    /// The tracks added so far in this preparation.
    pub fn tracks(&self) -> &[AudioTrackReport] {
        &self.added
    }

    /// IMAPI2 `PrepareMedia`: checks for a writable CD-R/RW, locks the tray and selects
    /// track-at-once CD-DA writing (MODE SELECT page 05h).
    pub fn prepare_media(&mut self) -> Result<(), AudioError> {
        self.unprepared()?;
        let info = cd_in_drive(&self.rec)?;
        if info.disc_status == DiscStatus::Complete {
            return Err(AudioError::MediaNotWritable);
        }
        let lock = TrayLock::engage(&self.rec);
        if let Err(e) = self.set_audio_parameters() {
            lock.release(&self.cancel, &mut |_: &BurnEvent| {});
            return Err(AudioError::Device {
                what: "selecting track-at-once audio (MODE SELECT page 05h)",
                source: e,
            });
        }
        self.lock = Some(lock);
        self.added.clear();
        Ok(())
    }

    fn set_audio_parameters(&self) -> Result<(), Error> {
        set_audio_page(
            &self.rec,
            WriteType::Tao,
            self.do_not_finalize,
            !self.buffer_underrun_free_disabled,
        )
    }

    /// IMAPI2 `AddAudioTrack`: writes `bytes` of CD-DA from `source` as the next track
    /// and closes it. On failure the drive is left synchronised and the tray locked for
    /// ReleaseMedia; the engine's error names the last LBA written.
    pub fn add_audio_track<R: Read + Send>(
        &mut self,
        source: R,
        bytes: u64,
    ) -> Result<AudioTrackReport, AudioError> {
        if self.lock.is_none() {
            return Err(AudioError::NotPrepared);
        }
        if bytes == 0 || !bytes.is_multiple_of(4) {
            return Err(AudioError::StreamNotSupported { bytes });
        }
        let next = self
            .rec
            .track_information(TrackAddress::INVISIBLE)
            .map_err(AudioError::device(
                "reading the next track (READ TRACK INFORMATION)",
            ))?;
        if u32::from(next.track) > MAX_TRACKS {
            return Err(AudioError::TrackLimitReached);
        }
        let (Some(nwa), true) = (next.nwa, next.blank) else {
            return Err(AudioError::MediaNotWritable);
        };
        let sectors = audio_sectors(bytes);
        let free = u64::from(next.free_blocks);
        if sectors > free {
            return Err(AudioError::NotEnoughSpace {
                needed: sectors,
                free,
            });
        }
        let total = sectors * AUDIO_SECTOR as u64;
        let padded = Padded {
            inner: source,
            left: total,
            source_left: bytes,
        };
        let count = i32::try_from(sectors).unwrap_or(i32::MAX);
        let start = i32::try_from(nwa).unwrap_or(i32::MAX);
        self.engine
            .write_section(padded, start, count)
            .map_err(AudioError::device("writing the audio track (WRITE)"))?;
        ops::close(
            &self.rec,
            BurnPhase::ClosingTrack,
            CloseFunction::CloseTrack,
            next.track,
            &self.cancel,
            &mut |_: &BurnEvent| {},
        )
        .map_err(AudioError::device("closing the track (CLOSE TRACK)"))?;
        let report = AudioTrackReport {
            number: next.track,
            start: nwa,
            sectors: sectors as u32,
            padded: (sectors - bytes.div_ceil(AUDIO_SECTOR as u64)) as u32
                + u32::from(!bytes.is_multiple_of(AUDIO_SECTOR as u64)),
        };
        self.added.push(report);
        Ok(report)
    }

    /// IMAPI2 `ReleaseMedia`: closes the session (finalizing the disc unless told not
    /// to) when a track was added, and unlocks the tray.
    pub fn release_media(&mut self) -> Result<(), AudioError> {
        let Some(lock) = self.lock.take() else {
            return Err(AudioError::NotPrepared);
        };
        let closed = if self.added.is_empty() {
            Ok(())
        } else {
            ops::close(
                &self.rec,
                if self.do_not_finalize {
                    BurnPhase::ClosingSession
                } else {
                    BurnPhase::Finalizing
                },
                CloseFunction::CloseSession,
                0,
                &self.cancel,
                &mut |_: &BurnEvent| {},
            )
        };
        lock.release(&self.cancel, &mut |_: &BurnEvent| {});
        closed.map_err(AudioError::device("closing the session (CLOSE SESSION)"))
    }
}
