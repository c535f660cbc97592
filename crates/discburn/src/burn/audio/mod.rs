//! Audio CDs: track at once ([`TrackAtOnce`], IMAPI2 `IDiscFormat2TrackAtOnce`) and disc at
//! once with CD-Text ([`DiscAtOnce`], the cue sheet cdrdao and cdrecord -dao send).
//!
//! Every track is raw CD-DA — 44.1 kHz, 16-bit, stereo, little-endian samples, the bytes
//! of a WAV file's data chunk — in 2352-byte sectors. A track's last sector is completed
//! with silence, and a track shorter than the Red Book minimum of 4 seconds is lengthened
//! with silence to it.

use std::io::{self, Read};

use discburn_mmc::cue::MIN_TRACK_SECTORS;
use discburn_mmc::disc::DiscInformation;
use discburn_mmc::mode::{DataBlockType, MultiSession, SessionFormat, WriteType};
use discburn_mmc::profile::Profile;

use crate::error::{Error, ErrorKind};
use crate::hresult::{self, HResult};
use crate::recorder::Recorder;

mod dao;
mod tao;

pub use dao::{DiscAtOnce, DiscTrack, TrackFlags, TrackMode};
pub use tao::TrackAtOnce;

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
    /// Disc-at-once needs a blank disc (E_IMAPI_DF2TAO_MEDIA_IS_NOT_BLANK).
    #[error("disc-at-once audio needs a blank CD-R or CD-RW; this disc holds sessions already")]
    MediaNotBlank,
    /// Tracks of 2048-byte and 2352-byte sectors in one session (E_INVALIDARG).
    #[error("one session takes one sector size: Mode 1 tracks of 2048 bytes do not mix with CD-DA (write the data track raw, MODE1/2352)")]
    MixedSectorSizes,
    /// A track cannot be laid out as asked (E_INVALIDARG).
    #[error("track {track}: {why}")]
    Layout {
        /// The track's number.
        track: u8,
        /// What is wrong.
        why: &'static str,
    },
    /// The drive cannot write CD-Text: its CD Mastering feature (GET CONFIGURATION 002Eh)
    /// offers no Session-At-Once with R-W sub-channel data (E_IMAPI_DF2TAO_RECORDER_NOT_SUPPORTED).
    #[error("this drive cannot write CD-Text: its CD Mastering feature (002Eh) offers no Session-At-Once R-W sub-channel; burn without CD-Text")]
    CdTextNotOffered,
    /// The CD-Text cannot be encoded (E_INVALIDARG): the error names the string.
    #[error("CD-Text: {0}")]
    CdText(discburn_mmc::cdtext::CdTextError),
    /// No track, or a 100th track (E_IMAPI_DF2TAO_TRACK_LIMIT_REACHED).
    #[error("an audio CD holds 1 to 99 tracks")]
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
    pub(super) fn device(what: &'static str) -> impl FnOnce(Error) -> AudioError {
        move |source| AudioError::Device { what, source }
    }

    /// IMAPI2's HRESULT for this failure (imapi2error.h, the DF2TAO range).
    pub fn hresult(&self) -> HResult {
        match self {
            AudioError::NotPrepared => hresult::E_IMAPI_DF2TAO_MEDIA_IS_NOT_PREPARED,
            AudioError::AlreadyPrepared => hresult::E_IMAPI_DF2TAO_MEDIA_IS_PREPARED,
            AudioError::MediaNotSupported(_) => hresult::E_IMAPI_DF2TAO_MEDIA_IS_NOT_SUPPORTED,
            AudioError::MediaNotWritable | AudioError::MediaNotBlank => {
                hresult::E_IMAPI_DF2TAO_MEDIA_IS_NOT_BLANK
            }
            AudioError::CdTextNotOffered => hresult::E_IMAPI_DF2TAO_RECORDER_NOT_SUPPORTED,
            AudioError::CdText(_) | AudioError::MixedSectorSizes | AudioError::Layout { .. } => {
                hresult::E_INVALIDARG
            }
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
pub(super) struct Padded<R> {
    pub(super) inner: R,
    pub(super) left: u64,
    pub(super) source_left: u64,
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

/// Page 05h for CD-DA: `write_type` (TAO or SAO), track mode 0 (two-channel audio, no
/// pre-emphasis, copy prohibited), data block type 0 (raw 2352), the next session
/// allowed when `keep_open`, BURN-Free as `bufe` says.
pub(super) fn set_audio_page(
    rec: &Recorder,
    write_type: WriteType,
    keep_open: bool,
    bufe: bool,
) -> Result<(), Error> {
    super::ops::update_write_parameters(rec, |page| {
        page.bufe = bufe;
        page.test_write = false;
        page.write_type = write_type;
        page.multi_session = if keep_open {
            MultiSession::NextSessionAllowed
        } else {
            MultiSession::NoNextSession
        };
        page.fp = false;
        page.ls_v = false;
        page.link_size = 0;
        page.track_mode = 0;
        page.data_block_type = DataBlockType::Raw2352;
        page.session_format = SessionFormat::CdDaOrCdRom;
        page.packet_size = 0;
    })
}

/// How an audio track read back (READ CD) compares with its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AudioVerify {
    /// Every sample matches, and the sectors after the source are silence.
    Same,
    /// The first byte of the track (from its index 01) that differs.
    DiffersAt(u64),
}

/// Reads the `sectors` CD-DA sectors of a track from `start` back with READ CD and
/// compares them with `source`'s `bytes` of samples followed by silence (the padding the
/// writers add). The virtual recorder has no read offset; a real drive's sample offset
/// (a few hundred samples) makes every track differ unless it is corrected.
pub fn verify_audio_track(
    rec: &Recorder,
    start: u32,
    sectors: u32,
    mut source: impl Read,
    bytes: u64,
) -> Result<AudioVerify, Error> {
    const SECTOR: usize = 2352;
    const CHUNK: u32 = 26; // READ CD of ~60 KiB, within any transfer limit
    let mut disc = vec![0u8; CHUNK as usize * SECTOR];
    let mut want = vec![0u8; CHUNK as usize * SECTOR];
    let mut at: u64 = 0;
    let mut lba = start;
    let mut left = sectors;
    while left > 0 {
        let n = left.min(CHUNK);
        let len = n as usize * SECTOR;
        rec.read_audio(lba, n, &mut disc[..len])?;
        let from_source = usize::try_from(bytes.saturating_sub(at))
            .unwrap_or(usize::MAX)
            .min(len);
        source
            .read_exact(&mut want[..from_source])
            .map_err(|e| Error::new(ErrorKind::Source(e)))?;
        want[from_source..len].fill(0);
        if let Some(i) = disc[..len]
            .iter()
            .zip(&want[..len])
            .position(|(a, b)| a != b)
        {
            return Ok(AudioVerify::DiffersAt(at + i as u64));
        }
        at += len as u64;
        lba += n;
        left -= n;
    }
    Ok(AudioVerify::Same)
}

/// The medium both audio writers need: a CD-R or CD-RW in a drive that is ready; its
/// disc information for the writer to judge blank or appendable.
pub(super) fn cd_in_drive(rec: &Recorder) -> Result<DiscInformation, AudioError> {
    rec.test_unit_ready_settled().map_err(AudioError::device(
        "waiting for the medium (TEST UNIT READY)",
    ))?;
    let profile = rec.current_profile().map_err(AudioError::device(
        "reading the medium's profile (GET CONFIGURATION)",
    ))?;
    if !matches!(profile, Profile::CdR | Profile::CdRw) {
        return Err(AudioError::MediaNotSupported(profile));
    }
    rec.disc_information().map_err(AudioError::device(
        "reading the disc (READ DISC INFORMATION)",
    ))
}
