//! What is in the drive: profile, disc and track state, where the next write
//! goes and how much fits — read from the drive's own answers, never guessed
//! from which backend carries the commands.

use discburn_mmc::disc::{DiscInformation, DiscStatus, SessionState};
use discburn_mmc::profile::{MediaFamily, Profile};
use discburn_mmc::rw::ReadCapacity10;
use discburn_mmc::sense::SenseClass;
use discburn_mmc::track::{TrackAddress, TrackInformation};

use crate::error::Error;
use crate::recorder::Recorder;

use super::BurnError;

/// How a medium is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recording {
    /// Written once, front to back, at the next writable address, in tracks
    /// and sessions (CD-R/RW, DVD±R, DVD-RW sequential, BD-R).
    Sequential,
    /// Overwritable at any LBA once formatted (DVD+RW, DVD-RAM, BD-RE, DVD-RW
    /// restricted overwrite).
    RandomAccess,
    /// Not recordable (ROM, no medium, unknown).
    ReadOnly,
}

/// One track as READ TRACK INFORMATION reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackEntry {
    /// Track number.
    pub number: u16,
    /// Session number.
    pub session: u16,
    /// First LBA.
    pub start: u32,
    /// Size in sectors (what the drive reports).
    pub size: u32,
    /// Blank (nothing recorded yet).
    pub blank: bool,
    /// Next writable address, when the track is open for writing.
    pub nwa: Option<u32>,
    /// Free sectors in the track.
    pub free: u32,
    /// Last recorded LBA, when the drive reports it.
    pub last_recorded: Option<u32>,
    /// An audio track: CD-DA (Track Mode bit 2 clear, MMC-6 Table 566), recorded.
    pub audio: bool,
}

impl From<&TrackInformation> for TrackEntry {
    fn from(t: &TrackInformation) -> Self {
        TrackEntry {
            number: t.track,
            session: t.session,
            start: t.start,
            size: t.size,
            blank: t.blank,
            nwa: t.nwa,
            free: t.free_blocks,
            last_recorded: t.last_recorded,
            audio: !t.blank && t.track_mode & 0x04 == 0,
        }
    }
}

/// The medium in the drive, as the drive describes it.
#[derive(Debug, Clone)]
pub struct Medium {
    /// Current profile (GET CONFIGURATION).
    pub profile: Profile,
    /// How it is recorded.
    pub recording: Recording,
    /// READ DISC INFORMATION (absent when the drive does not answer it).
    pub disc: Option<DiscInformation>,
    /// Every track, first to last (the invisible/incomplete one included).
    pub tracks: Vec<TrackEntry>,
    /// Where the next write starts: the NWA of the invisible track on
    /// sequential media, 0 on random-access media.
    pub next_writable: Option<u32>,
    /// Sectors that can still be written from `next_writable`.
    pub free_sectors: u64,
    /// Sectors the medium holds in all (used + free).
    pub capacity_sectors: u64,
    /// READ CAPACITY's answer (last addressable or recorded LBA + 1).
    pub read_capacity: Option<u64>,
}

impl Medium {
    /// Disc status (blank, appendable, complete, other).
    pub fn status(&self) -> Option<DiscStatus> {
        self.disc.as_ref().map(|d| d.disc_status)
    }

    /// Blank: nothing recorded (sequential), or an unformatted/empty
    /// random-access medium.
    pub fn is_blank(&self) -> bool {
        matches!(self.status(), Some(DiscStatus::Empty))
    }

    /// Finalized: no more sessions can be added.
    pub fn is_closed(&self) -> bool {
        self.recording == Recording::Sequential
            && matches!(self.status(), Some(DiscStatus::Complete))
    }

    /// Number of complete sessions.
    pub fn sessions(&self) -> u16 {
        let Some(d) = &self.disc else { return 0 };
        // An incomplete (open, e.g. an interrupted burn) or damaged last session is
        // not complete.
        match d.last_session_state {
            SessionState::Complete => d.sessions,
            _ => d.sessions.saturating_sub(1),
        }
    }

    /// Media family (for 1x rates).
    pub fn family(&self) -> MediaFamily {
        self.profile.family()
    }

    /// Test Write (simulation) is defined for CD-R/RW and DVD-R/RW only.
    pub fn can_simulate(&self) -> bool {
        matches!(
            self.profile,
            Profile::CdR
                | Profile::CdRw
                | Profile::DvdRSequential
                | Profile::DvdRwSequential
                | Profile::DvdRDlSequential
        )
    }

    /// The start LBA of the last session's first track (where a verify of the
    /// last written session starts).
    pub fn last_session_start(&self) -> Option<u32> {
        let last = self
            .tracks
            .iter()
            .filter(|t| !t.blank)
            .map(|t| t.session)
            .max()?;
        self.tracks
            .iter()
            .filter(|t| t.session == last && !t.blank)
            .map(|t| t.start)
            .min()
    }

    /// A one-line state for messages: "BD-R SRM, blank, 12219392 sectors free".
    pub fn summary(&self) -> String {
        let state = match self.status() {
            Some(DiscStatus::Empty) => "blank",
            Some(DiscStatus::Incomplete) => "appendable",
            Some(DiscStatus::Complete) => "closed (finalized)",
            Some(DiscStatus::Other) => "random-access",
            None => "state unknown",
        };
        if self.is_closed() || self.recording == Recording::ReadOnly {
            format!(
                "{}, {state}, {} sectors recorded",
                self.profile, self.capacity_sectors
            )
        } else {
            format!(
                "{}, {state}, {} of {} sectors free",
                self.profile, self.free_sectors, self.capacity_sectors
            )
        }
    }
}

/// Whether the drive says there is no medium (2/3A/xx).
pub(crate) fn no_medium(e: &Error) -> bool {
    e.sense_class() == Some(SenseClass::NoMedium)
}

/// Whether the drive is becoming ready or busy with an operation (2/04/xx, or NO SENSE
/// with progress): worth waiting for, bounded.
pub(crate) fn not_ready_in_progress(e: &Error) -> bool {
    e.sense_class().is_some_and(SenseClass::is_retryable_wait)
}

/// READ CAPACITY: sectors up to the last addressable/recorded LBA.
pub fn read_capacity(rec: &Recorder) -> Result<u64, Error> {
    Ok(u64::from(rec.query(&ReadCapacity10)?.last_lba) + 1)
}

/// TEST UNIT READY: `Ok(true)` ready, `Ok(false)` no medium.
pub fn medium_present(rec: &Recorder) -> Result<bool, Error> {
    match rec.test_unit_ready_settled() {
        Ok(()) => Ok(true),
        Err(e) if no_medium(&e) => Ok(false),
        // Becoming ready / operation in progress: a medium is there.
        Err(e) if not_ready_in_progress(&e) => Ok(true),
        Err(e) => Err(e),
    }
}

pub(super) fn recording_of(profile: Profile) -> Recording {
    match profile {
        Profile::CdR
        | Profile::CdRw
        | Profile::DvdRSequential
        | Profile::DvdRwSequential
        | Profile::DvdRDlSequential
        | Profile::DvdRDlLayerJump
        | Profile::DvdPlusR
        | Profile::DvdPlusRDl
        | Profile::BdRSrm => Recording::Sequential,
        Profile::DvdPlusRw
        | Profile::DvdPlusRwDl
        | Profile::DvdRam
        | Profile::DvdRwRestrictedOverwrite
        | Profile::BdRe
        | Profile::BdRRrm => Recording::RandomAccess,
        _ => Recording::ReadOnly,
    }
}

/// Reads everything the workflow needs to know about the medium.
pub fn inspect(rec: &Recorder) -> Result<Medium, BurnError> {
    let dev = |step: &'static str| move |e: Error| BurnError::device(step, e);
    if !medium_present(rec).map_err(dev("checking for a disc"))? {
        return Err(BurnError::NoMedium);
    }
    let profile = match rec.current_profile() {
        Ok(p) => p,
        Err(e) if no_medium(&e) => return Err(BurnError::NoMedium),
        Err(e) => return Err(BurnError::device("reading the medium type", e)),
    };
    if profile == Profile::NoCurrentProfile {
        return Err(BurnError::NoMedium);
    }
    let recording = recording_of(profile);
    let disc = match rec.disc_information() {
        Ok(d) => Some(d),
        Err(e) if no_medium(&e) => return Err(BurnError::NoMedium),
        Err(e) => {
            tracing::warn!("READ DISC INFORMATION failed: {e}");
            None
        }
    };
    let mut tracks = Vec::new();
    if let Some(d) = &disc {
        let first = u32::from(d.first_track.max(1));
        let last = u32::from(d.last_track_in_last_session).max(first);
        for n in first..=last.min(first + 512) {
            match rec.track_information(TrackAddress::Track(n)) {
                Ok(t) => tracks.push(TrackEntry::from(&t)),
                Err(e) => {
                    tracing::debug!("READ TRACK INFORMATION track {n}: {e}");
                    break;
                }
            }
        }
    }
    let read_capacity = read_capacity(rec).ok();
    let (next_writable, free_sectors, capacity_sectors) = match recording {
        Recording::Sequential => {
            // The invisible/incomplete track carries the NWA and the free space. A
            // drive that reports no valid NWA on an appendable disc cannot be written.
            let inv = rec
                .track_information(TrackAddress::INVISIBLE)
                .or_else(|_| {
                    let n = tracks.last().map_or(1, |t| u32::from(t.number));
                    rec.track_information(TrackAddress::Track(n))
                })
                .ok();
            let closed = matches!(
                disc.as_ref().map(|d| d.disc_status),
                Some(DiscStatus::Complete)
            );
            match inv {
                Some(t) if !closed => {
                    let nwa = t.nwa.or(if t.blank { Some(t.start) } else { None });
                    let free = u64::from(t.free_blocks);
                    let used: u64 = nwa.map_or(0, u64::from);
                    (nwa, free, used + free)
                }
                _ => {
                    let used = tracks
                        .iter()
                        .map(|t| u64::from(t.start) + u64::from(t.size))
                        .max()
                        .or(read_capacity)
                        .unwrap_or(0);
                    (None, 0, used)
                }
            }
        }
        Recording::RandomAccess => {
            let cap = read_capacity.unwrap_or(0);
            (Some(0), cap, cap)
        }
        Recording::ReadOnly => (None, 0, read_capacity.unwrap_or(0)),
    };
    Ok(Medium {
        profile,
        recording,
        disc,
        tracks,
        next_writable,
        free_sectors,
        capacity_sectors,
        read_capacity,
    })
}
