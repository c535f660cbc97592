//! Audio CDs written track at once: IMAPI2's `IDiscFormat2TrackAtOnce` (PrepareMedia,
//! AddAudioTrack, ReleaseMedia; learn.microsoft.com `imapi2/nn-imapi2-idiscformat2trackatonce`)
//! over MMC-6 §4.2.3 Track-At-Once recording.
//!
//! Each track is raw CD-DA — 44.1 kHz, 16-bit, stereo, little-endian samples, the bytes
//! of a WAV file's data chunk — written in 2352-byte sectors (page 05h: write type TAO,
//! track mode 0, data block type 0) from the track's NWA and closed with CLOSE TRACK. The
//! drive writes the 2-second pre-gap in front of every track after the first (the NWA
//! it reports for the next track is past it). A track's last sector is completed with
//! silence, and a track shorter than the Red Book minimum of 4 seconds is lengthened
//! with silence to it. ReleaseMedia closes the session, finalizing the disc unless
//! [`TrackAtOnce::set_do_not_finalize_media`] said not to, and unlocks the tray.

use std::io::{self, Read};
use std::sync::Arc;

use discburn_mmc::cue::MIN_TRACK_SECTORS;
use discburn_mmc::disc::DiscStatus;
use discburn_mmc::mode::{
    find_page, mode_select_list, DataBlockType, ModeSelect10, ModeSense10, MultiSession,
    SessionFormat, WriteParametersPage, WriteType,
};
use discburn_mmc::profile::Profile;
use discburn_mmc::track::{CloseFunction, TrackAddress};
use discburn_mmc::DataPhase;

use crate::engine::{CancelToken, WriteEngine};
use crate::error::Error;
use crate::hresult::{self, HResult};
use crate::recorder::{Recorder, DEFAULT_COMMAND_TIMEOUT};

use super::ops::{self, TrayLock};
use super::{BurnEvent, BurnPhase};

/// Bytes of one CD-DA sector: 588 stereo frames of two 16-bit samples.
pub const AUDIO_SECTOR: usize = 2352;
/// Most tracks on a CD (Red Book).
pub const MAX_TRACKS: u32 = 99;

/// Why a track-at-once audio step failed; [`AudioError::hresult`] gives IMAPI2's code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AudioError {
    /// AddAudioTrack or ReleaseMedia before PrepareMedia (E_IMAPI_DF2TAO_MEDIA_IS_NOT_PREPARED).
    #[error("the medium is not prepared: call prepare_media first")]
    NotPrepared,
    /// PrepareMedia twice (E_IMAPI_DF2TAO_MEDIA_IS_PREPARED).
    #[error("the medium is already prepared: release it first")]
    AlreadyPrepared,
    /// The medium is not a CD-R or CD-RW (E_IMAPI_DF2TAO_MEDIA_IS_NOT_SUPPORTED).
    #[error("track-at-once audio needs a CD-R or CD-RW; the drive holds {0}")]
    MediaNotSupported(Profile),
    /// The disc is closed (E_IMAPI_DF2TAO_MEDIA_IS_NOT_BLANK).
    #[error("the disc is closed: no track can be added (blank a CD-RW first)")]
    MediaNotWritable,
    /// A 100th track (E_IMAPI_DF2TAO_TRACK_LIMIT_REACHED).
    #[error("a CD holds at most 99 tracks")]
    TrackLimitReached,
    /// Not whole 4-byte stereo frames, or empty (E_IMAPI_DF2TAO_STREAM_NOT_SUPPORTED).
    #[error("an audio track is 16-bit stereo frames of 4 bytes; {bytes} bytes is not")]
    StreamNotSupported {
        /// The stream's length.
        bytes: u64,
    },
    /// The track does not fit (E_IMAPI_DF2TAO_NOT_ENOUGH_SPACE).
    #[error("the track needs {needed} sectors; {free} are free")]
    NotEnoughSpace {
        /// Sectors the track takes.
        needed: u64,
        /// Sectors free on the disc.
        free: u64,
    },
    /// The drive or the source failed; the error names the command.
    #[error("{what}: {source}")]
    Device {
        /// What was being done.
        what: &'static str,
        /// The drive's answer.
        source: Error,
    },
}

impl AudioError {
    fn device(what: &'static str) -> impl FnOnce(Error) -> AudioError {
        move |source| AudioError::Device { what, source }
    }

    /// IMAPI2's HRESULT for this failure (imapi2error.h, the DF2TAO range).
    pub fn hresult(&self) -> HResult {
        match self {
            AudioError::NotPrepared => hresult::E_IMAPI_DF2TAO_MEDIA_IS_NOT_PREPARED,
            AudioError::AlreadyPrepared => hresult::E_IMAPI_DF2TAO_MEDIA_IS_PREPARED,
            AudioError::MediaNotSupported(_) => hresult::E_IMAPI_DF2TAO_MEDIA_IS_NOT_SUPPORTED,
            AudioError::MediaNotWritable => hresult::E_IMAPI_DF2TAO_MEDIA_IS_NOT_BLANK,
            AudioError::TrackLimitReached => hresult::E_IMAPI_DF2TAO_TRACK_LIMIT_REACHED,
            AudioError::StreamNotSupported { .. } => hresult::E_IMAPI_DF2TAO_STREAM_NOT_SUPPORTED,
            AudioError::NotEnoughSpace { .. } => hresult::E_IMAPI_DF2TAO_NOT_ENOUGH_SPACE,
            AudioError::Device { source, .. } => source.hresult(),
        }
    }
}

/// Where one audio track landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AudioTrackReport {
    /// Track number on the disc.
    pub number: u16,
    /// First LBA (index 01).
    pub start: u32,
    /// Sectors written, with the silence that completed it.
    pub sectors: u32,
    /// Sectors of silence added after the source: completing the last sector and
    /// lengthening a track under 4 seconds.
    pub padded: u32,
}

/// Sectors a track of `bytes` of CD-DA takes: whole sectors, at least 4 seconds.
pub fn audio_sectors(bytes: u64) -> u64 {
    bytes
        .div_ceil(AUDIO_SECTOR as u64)
        .max(u64::from(MIN_TRACK_SECTORS))
}

/// A source followed by silence up to `total` bytes.
struct Padded<R> {
    inner: R,
    left: u64,
    source_left: u64,
}

impl<R: Read> Read for Padded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        if want == 0 {
            return Ok(0);
        }
        if self.source_left > 0 {
            let n = want.min(usize::try_from(self.source_left).unwrap_or(usize::MAX));
            let got = self.inner.read(&mut buf[..n])?;
            if got == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("the audio source ended {} bytes early", self.source_left),
                ));
            }
            self.source_left -= got as u64;
            self.left -= got as u64;
            return Ok(got);
        }
        buf[..want].fill(0);
        self.left -= want as u64;
        Ok(want)
    }
}

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
        let mut buf = [0u8; 8 + 2 + 0x36];
        let n = self
            .rec
            .command_in(&ModeSense10::current(0x05, buf.len() as u16), &mut buf)?;
        let mut page = find_page::<WriteParametersPage>(&buf[..n]).unwrap_or_default();
        page.ps = false;
        page.bufe = !self.buffer_underrun_free_disabled;
        page.test_write = false;
        page.write_type = WriteType::Tao;
        page.multi_session = if self.do_not_finalize {
            MultiSession::NextSessionAllowed
        } else {
            MultiSession::NoNextSession
        };
        page.fp = false;
        page.ls_v = false;
        page.link_size = 0;
        // Q-channel control 0: two-channel audio, no pre-emphasis, copy prohibited.
        page.track_mode = 0;
        page.data_block_type = DataBlockType::Raw2352;
        page.session_format = SessionFormat::CdDaOrCdRom;
        page.packet_size = 0;
        let mut list = [0u8; 8 + 2 + 0x36];
        let len = mode_select_list(&page, &mut list)?;
        self.rec.command(
            &ModeSelect10::new(len as u16),
            DataPhase::Out(&list[..len]),
            DEFAULT_COMMAND_TIMEOUT,
        )?;
        Ok(())
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
