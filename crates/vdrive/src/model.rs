//! The medium's logical state — sessions, tracks, next writable addresses, format — and
//! the write rules a recorder enforces on it (MMC-6 §4.5 CD, §4.6 DVD, §4.7 BD recording
//! models). Pure data and rules: no clock, no file, no CDB bytes. Persisted as JSON in the
//! state file beside the image.

use discburn_mmc::cdtext::{MAX_BLOCKS, MAX_PACKS_PER_BLOCK, PACK_LEN};
use discburn_mmc::sense::Asc;
use serde::{Deserialize, Serialize};

use crate::check::{Check, CheckResult};
use discburn_mmc::profile::{MediaFamily, Profile};

use crate::media::{format_options, FormatOption, Media, MediaSpec, Recording, DVD_RW_RO_BLOCKING};
use crate::media_id::MediaId;

/// Version of the state file layout.
pub const STATE_VERSION: u32 = 1;

/// CD limit of tracks on a disc (Red Book).
const CD_MAX_TRACKS: u32 = 99;
/// DVD±R/BD-R limit of open (incomplete) tracks in a session.
const MAX_OPEN_TRACKS: usize = 16;
/// A new session needs at least this much room after the previous one's lead-out, or the
/// disc is finalized (as drives do when no further session can fit).
const MIN_SESSION_ROOM: u32 = 300;
/// Largest capacity a state (or a foreign image) may claim: 2^31 blocks, 4 TiB of 2048-byte
/// sectors — far beyond any disc, and low enough that adding gaps and sizes to an LBA
/// cannot overflow `u32`.
pub const MAX_CAPACITY: u32 = 1 << 31;
/// Most tracks a state file may list (BD-R allows 7,927; DVD±R and CD far fewer).
pub const MAX_TRACKS: usize = 8192;
/// Most CD-Text packs a lead-in holds: 8 blocks of at most 256 packs.
pub const MAX_CD_TEXT_PACKS: usize = MAX_BLOCKS * MAX_PACKS_PER_BLOCK;

/// One track: an area of a session written sequentially from `start`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Track {
    /// Track number (1-based over the disc).
    pub number: u32,
    /// Session the track belongs to (1-based).
    pub session: u32,
    /// First LBA.
    pub start: u32,
    /// Reserved size in blocks (RESERVE TRACK); `None` for the invisible track, which
    /// extends to the end of the disc until closed.
    pub reserved: Option<u32>,
    /// Blocks recorded from `start` (the NWA is `start + written`).
    pub written: u32,
    /// Closed tracks take no further writes.
    pub closed: bool,
    /// A loss of streaming damaged the track (Track Information "Damage" bit).
    pub damaged: bool,
    /// Audio track (CD, 2352-byte blocks, track mode 0).
    pub audio: bool,
}

impl Track {
    /// Next writable address.
    pub fn nwa(&self) -> u32 {
        self.start + self.written
    }

    /// True for the invisible (unreserved, open) track at the end of a sequential disc.
    pub fn is_invisible(&self) -> bool {
        self.reserved.is_none() && !self.closed
    }

    /// LBA just past the area this track may occupy.
    pub fn limit(&self, capacity: u32) -> u32 {
        match self.reserved {
            Some(r) => self.start.saturating_add(r),
            None if self.closed => self.nwa(),
            None => capacity,
        }
    }

    /// Track size as READ TRACK INFORMATION reports it.
    pub fn size(&self, capacity: u32) -> u32 {
        self.limit(capacity).saturating_sub(self.start)
    }

    /// Blocks still writable in the track.
    pub fn free(&self, capacity: u32) -> u32 {
        if self.closed {
            0
        } else {
            self.limit(capacity).saturating_sub(self.nwa())
        }
    }
}

/// Disc status (READ DISC INFORMATION byte 2 bits 0-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscStatus {
    /// 00b: nothing recorded.
    Empty,
    /// 01b: appendable.
    Incomplete,
    /// 10b: finalized.
    Complete,
    /// 11b: random-access media (DVD-RAM, BD-RE formatted).
    Other,
}

/// State of the last session (READ DISC INFORMATION byte 2 bits 2-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    /// 00b.
    Empty,
    /// 01b.
    Incomplete,
    /// 11b.
    Complete,
}

/// Where a WRITE lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteTarget {
    /// At the NWA of this track (index into `tracks`).
    Track(usize),
    /// Anywhere on formatted random-access media.
    Random,
    /// Below the NWA of the open track `track` on a BD-R in SRM+POW (MMC-6 §4.5.3.4
    /// pseudo-overwrite): the drive remaps the recorded sectors; `appended` blocks of the
    /// WRITE lie past the NWA and extend the track.
    Overwrite {
        /// Index into `tracks` of the open track.
        track: usize,
        /// Blocks past the NWA.
        appended: u32,
    },
}

/// Everything about the medium that survives a reopen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscState {
    /// State file layout version.
    pub version: u32,
    /// The medium.
    pub media: Media,
    /// User capacity in blocks (formatted capacity once formatted).
    pub capacity: u32,
    /// The format applied by FORMAT UNIT (or at manufacture for DVD-RAM).
    pub format: Option<FormatOption>,
    /// Finalized: no further sessions.
    pub finalized: bool,
    /// Number of closed sessions.
    pub closed_sessions: u32,
    /// Tracks of sequential media in order; the last is the invisible track unless the
    /// disc is finalized.
    pub tracks: Vec<Track>,
    /// Bytes per LBA in the image file (2048, or 2352 for a raw/audio CD).
    pub slot: u32,
    /// BD-R formatted SRM+POW (FORMAT UNIT type 32h, sub-type 00b): WRITEs below the NWA
    /// of the open track replace what is recorded there (pseudo-overwrite, feature 0038h).
    #[serde(default)]
    pub pseudo_overwrite: bool,
    /// CD-Text of the first session's lead-in: 18-byte packs run together, as READ
    /// TOC/PMA/ATIP format 5 returns them (written with the R-W sub-channel of an SAO
    /// lead-in).
    #[serde(default)]
    pub cd_text: Vec<u8>,
    /// The Media Catalog Number the first session's cue sheet carried (13 digits), as
    /// READ SUB-CHANNEL format 02h returns it.
    #[serde(default)]
    pub mcn: Option<String>,
    /// ISRCs (12 characters) by track number, from the cue sheets' ADR 3 entries.
    #[serde(default)]
    pub isrc: std::collections::BTreeMap<u32, String>,
    /// The manufacturer code set with `mid=`; `None`: the medium's default
    /// ([`MediaId::default_for`], also what a state file from before `mid=` reads as).
    #[serde(default)]
    pub media_id: Option<MediaId>,
    /// The Layer 0 capacity a host set with SEND DISC STRUCTURE format 20h on a DVD±R DL
    /// (MMC-6 §6.33.3.6); `None`: as sold, half the disc.
    #[serde(default)]
    pub layer0: Option<u32>,
}

impl DiscState {
    /// A blank disc as it comes out of the box.
    pub fn blank(media: Media) -> DiscState {
        let spec = media.spec();
        let mut d = DiscState {
            version: STATE_VERSION,
            media,
            capacity: spec.capacity,
            format: None,
            finalized: false,
            closed_sessions: 0,
            tracks: Vec::new(),
            slot: 2048,
            pseudo_overwrite: false,
            cd_text: Vec::new(),
            mcn: None,
            isrc: Default::default(),
            media_id: None,
            layer0: None,
        };
        if media.is_sequential() {
            d.tracks.push(Track {
                number: 1,
                session: 1,
                start: 0,
                reserved: None,
                written: 0,
                closed: false,
                damaged: false,
                audio: false,
            });
        }
        if media == Media::DvdRam {
            // Sold formatted.
            d.format = format_options(media).first().copied();
        }
        d
    }

    /// A finalized read-only disc holding `sectors` blocks (an image file found without
    /// a state file).
    pub fn rom(family: MediaFamily, sectors: u32) -> DiscState {
        let media = Media::rom_of(family);
        DiscState {
            version: STATE_VERSION,
            media,
            capacity: sectors,
            format: None,
            finalized: true,
            closed_sessions: 1,
            tracks: vec![Track {
                number: 1,
                session: 1,
                start: 0,
                reserved: Some(sectors),
                written: sectors,
                closed: true,
                damaged: false,
                audio: false,
            }],
            slot: 2048,
            pseudo_overwrite: false,
            cd_text: Vec::new(),
            mcn: None,
            isrc: Default::default(),
            media_id: None,
            layer0: None,
        }
    }

    /// The disc's identity as the drive reports it: the one set with `mid=`, else the
    /// medium's default; `None` on media that carry none (pressed discs, DVD-RAM).
    pub fn identity(&self) -> Option<MediaId> {
        MediaId::default_for(self.media)?;
        self.media_id
            .clone()
            .or_else(|| MediaId::default_for(self.media))
    }

    /// Whether the layer boundary is this disc's to set: a dual-layer DVD (DVD+R DL,
    /// DVD-R DL), where Layer 0's capacity decides where the recording turns to Layer 1.
    pub fn has_settable_layer_boundary(&self) -> bool {
        self.is_dual_layer_dvd() && !self.media.is_random()
    }

    /// A DVD of two layers (opposite track path): DVD±R DL, DVD+RW DL.
    pub fn is_dual_layer_dvd(&self) -> bool {
        let spec = self.media.spec();
        spec.layers == 2 && spec.family == MediaFamily::Dvd
    }

    /// User sectors in Layer 0 (the whole capacity on a single-layer disc).
    pub fn layer0_capacity(&self) -> u32 {
        let spec = self.media.spec();
        if spec.layers < 2 {
            return self.capacity;
        }
        self.layer0
            .unwrap_or(self.capacity / u32::from(spec.layers))
    }

    /// Whether Layer 0's capacity can no longer change (format 20h Init Status): it was
    /// set, or recording has started.
    pub fn layer_boundary_fixed(&self) -> bool {
        self.layer0.is_some() || self.disc_status() != DiscStatus::Empty
    }

    /// The LBAs where Layers 1, 2, … start (empty on a single-layer disc): a DVD±R DL at
    /// its Layer 0 capacity, a BD at equal shares of its user area.
    pub fn layer_starts(&self) -> Vec<u32> {
        let layers = u32::from(self.media.spec().layers.max(1));
        if self.is_dual_layer_dvd() {
            return vec![self.layer0_capacity()];
        }
        (1..layers)
            .map(|k| (u64::from(self.capacity) * u64::from(k) / u64::from(layers)) as u32)
            .collect()
    }

    /// SEND DISC STRUCTURE format 20h (MMC-6 §6.33.3.6): sets Layer 0's capacity on a
    /// blank DVD±R DL. With opposite track paths Layer 1 can hold no more than Layer 0,
    /// so the recordable capacity becomes twice the value. A disc already written or a
    /// boundary already set answers COMMAND SEQUENCE ERROR; a value that is not whole
    /// ECC blocks (16 sectors), zero, or more than Layer 0 holds, INVALID FIELD IN
    /// PARAMETER LIST.
    pub fn set_layer0(&mut self, sectors: u32) -> CheckResult<()> {
        if !self.has_settable_layer_boundary() {
            return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB));
        }
        if self.layer_boundary_fixed() || self.finalized {
            return Err(Check::illegal(Asc::COMMAND_SEQUENCE_ERROR));
        }
        let max = self.media.spec().layer_capacity();
        if sectors == 0 || !sectors.is_multiple_of(16) || sectors > max {
            return Err(Check::illegal(Asc::INVALID_FIELD_IN_PARAMETER_LIST));
        }
        self.layer0 = Some(sectors);
        self.capacity = sectors * 2;
        Ok(())
    }

    /// True while a DVD-RW is in restricted overwrite mode (profile 0013h, MMC-6 §4.5.4):
    /// from a FORMAT UNIT until a BLANK makes it sequential (0014h) again.
    pub fn restricted_overwrite(&self) -> bool {
        self.media == Media::DvdMinusRw && self.format.is_some()
    }

    /// How the medium is written in its current state (a restricted overwrite DVD-RW at
    /// random, as sold sequentially).
    pub fn recording(&self) -> Recording {
        if self.restricted_overwrite() {
            Recording::Random
        } else {
            self.media.spec().recording
        }
    }

    /// True when the medium is written sequentially now (tracks, sessions, NWAs).
    pub fn is_sequential(&self) -> bool {
        matches!(
            self.recording(),
            Recording::Sequential | Recording::SequentialErasable
        )
    }

    /// True when the medium takes writes at any LBA once formatted, now.
    pub fn is_random(&self) -> bool {
        self.recording() == Recording::Random
    }

    /// The medium's facts in its current state: a restricted overwrite DVD-RW reports
    /// profile 0013h and, as DVD+RW, ignores page 05h and has no sessions to close.
    pub fn spec(&self) -> MediaSpec {
        let spec = self.media.spec();
        if self.restricted_overwrite() {
            MediaSpec {
                profile: Profile::DvdRwRestrictedOverwrite,
                recording: Recording::Random,
                uses_write_parameters: false,
                session_gap: 0,
                close_session_s: 5.0,
                finalize_s: 5.0,
                ..spec
            }
        } else {
            spec
        }
    }

    /// True when the disc takes writes at all right now.
    fn writable(&self) -> CheckResult<()> {
        if self.media.spec().recording == Recording::ReadOnly || self.finalized {
            return Err(Check::illegal(Asc::CANNOT_WRITE_MEDIUM_INCOMPATIBLE_FORMAT));
        }
        Ok(())
    }

    /// The number of the session being written (closed sessions + 1).
    pub fn open_session(&self) -> u32 {
        self.closed_sessions + 1
    }

    /// Number of sessions READ DISC INFORMATION reports (including an empty last one).
    pub fn sessions(&self) -> u32 {
        if self.finalized {
            self.closed_sessions.max(1)
        } else {
            self.closed_sessions + 1
        }
    }

    /// The invisible track, if any.
    pub fn invisible(&self) -> Option<&Track> {
        self.tracks.last().filter(|t| t.is_invisible())
    }

    /// Whether the open session holds recorded data or reservations.
    fn open_session_used(&self) -> bool {
        let s = self.open_session();
        self.tracks
            .iter()
            .any(|t| t.session == s && (t.written > 0 || t.reserved.is_some() || t.closed))
    }

    /// Disc status as READ DISC INFORMATION reports it.
    pub fn disc_status(&self) -> DiscStatus {
        if self.is_random() {
            return match (self.format.is_some(), self.media.base()) {
                (false, _) => DiscStatus::Empty,
                (true, Media::DvdPlusRw | Media::DvdMinusRw) => DiscStatus::Complete,
                (true, _) => DiscStatus::Other,
            };
        }
        if self.finalized {
            DiscStatus::Complete
        } else if self.closed_sessions > 0 || self.open_session_used() {
            DiscStatus::Incomplete
        } else {
            DiscStatus::Empty
        }
    }

    /// State of the last session.
    pub fn last_session_state(&self) -> SessionState {
        if self.is_random() {
            return if self.format.is_some() {
                SessionState::Complete
            } else {
                SessionState::Empty
            };
        }
        if self.finalized {
            SessionState::Complete
        } else if self.open_session_used() {
            SessionState::Incomplete
        } else {
            SessionState::Empty
        }
    }

    /// LBA just past the last recorded block (0 when nothing is recorded).
    pub fn recorded_end(&self) -> u32 {
        if self.is_random() {
            return if self.format.is_some() {
                self.capacity
            } else {
                0
            };
        }
        self.tracks
            .iter()
            .filter(|t| t.written > 0)
            .map(|t| t.nwa())
            .max()
            .unwrap_or(0)
    }

    /// Checks a WRITE of `blocks` at `lba` and says where it lands.
    pub fn write_target(&self, lba: u32, blocks: u32) -> CheckResult<WriteTarget> {
        self.writable()?;
        let end = lba as u64 + blocks as u64;
        if self.is_random() {
            if self.format.is_none() {
                return Err(Check::illegal(Asc::MEDIUM_NOT_FORMATTED));
            }
            if end > self.capacity as u64 {
                return Err(Check::illegal(Asc::LBA_OUT_OF_RANGE));
            }
            // Restricted overwrite records whole ECC blocks only: a WRITE that does not
            // start and end on a 16-sector boundary is refused, nothing written.
            if self.restricted_overwrite()
                && (!lba.is_multiple_of(DVD_RW_RO_BLOCKING)
                    || !blocks.is_multiple_of(DVD_RW_RO_BLOCKING))
            {
                return Err(Check::illegal(Asc::INVALID_ADDRESS_FOR_WRITE));
            }
            return Ok(WriteTarget::Random);
        }
        if let Some(target) = self.pseudo_overwrite_target(lba, end)? {
            return Ok(target);
        }
        let Some(i) = self
            .tracks
            .iter()
            .position(|t| !t.closed && t.nwa() == lba && t.free(self.capacity) > 0)
        else {
            return Err(if lba >= self.capacity {
                Check::illegal(Asc::LBA_OUT_OF_RANGE)
            } else {
                Check::illegal(Asc::INVALID_ADDRESS_FOR_WRITE)
            });
        };
        let t = &self.tracks[i];
        if end > self.capacity as u64 {
            return Err(Check::illegal(Asc::LBA_OUT_OF_RANGE));
        }
        if end > t.limit(self.capacity) as u64 {
            return Err(Check::illegal(Asc::END_OF_USER_AREA));
        }
        Ok(WriteTarget::Track(i))
    }

    /// A WRITE starting below the NWA of the open track of a BD-R in SRM+POW: the
    /// recorded sectors it covers are replaced logically, and whatever lies past the NWA
    /// extends the track, as `growisofs -M` relies on when it rewrites the volume
    /// descriptors at LBA 16. `None` when pseudo-overwrite does not apply (the WRITE is
    /// judged by the sequential rules).
    fn pseudo_overwrite_target(&self, lba: u32, end: u64) -> CheckResult<Option<WriteTarget>> {
        if !(self.media.base() == Media::BdR && self.pseudo_overwrite) {
            return Ok(None);
        }
        let Some(i) = self.tracks.iter().position(|t| !t.closed) else {
            return Ok(None);
        };
        let t = &self.tracks[i];
        if lba >= t.nwa() {
            return Ok(None);
        }
        if end > t.limit(self.capacity) as u64 {
            return Err(Check::illegal(Asc::END_OF_USER_AREA));
        }
        let appended = end.saturating_sub(u64::from(t.nwa())) as u32;
        Ok(Some(WriteTarget::Overwrite { track: i, appended }))
    }

    /// Records a WRITE accepted by [`DiscState::write_target`].
    pub fn record(&mut self, target: WriteTarget, blocks: u32, audio: bool) {
        let (i, added) = match target {
            WriteTarget::Track(i) => (i, blocks),
            WriteTarget::Overwrite { track, appended } => (track, appended),
            WriteTarget::Random => return,
        };
        if let Some(t) = self.tracks.get_mut(i) {
            if t.written == 0 {
                t.audio = audio;
            }
            t.written += added;
        }
    }

    /// Reconciles the state with the image after a process died mid-burn (SIGKILL, a
    /// crash): the state file was last saved at a checkpoint, but every sector the drive
    /// accepted is in the image, whose length ends at the last one. Sectors burnt are
    /// burnt, so the open track holding the image's end takes them: it stays open (an
    /// incomplete track, MMC-6 §6.27.3: not blank, Damage 0, NWA valid right after the
    /// last complete sector) and its session incomplete, so the disc takes a following
    /// burn at that NWA or a CLOSE, as a recorder whose host died leaves it. Returns the
    /// track's number and new NWA when it moved.
    pub fn recover_interrupted(&mut self, image_bytes: u64) -> Option<(u32, u32)> {
        if !self.is_sequential() || self.finalized {
            return None;
        }
        // A torn last sector (a partial slot) is not recorded: the NWA is at it.
        let end = u32::try_from(image_bytes / u64::from(self.slot.max(1))).ok()?;
        let capacity = self.capacity;
        let t = self
            .tracks
            .iter_mut()
            .find(|t| !t.closed && t.nwa() < end && end <= t.limit(capacity))?;
        t.written = end - t.start;
        Some((t.number, end))
    }

    /// Checks a READ of `blocks` at `lba`: every block must be recorded.
    pub fn read_check(&self, lba: u32, blocks: u32) -> CheckResult<()> {
        let end = lba as u64 + blocks as u64;
        if self.is_random() || self.recording() == Recording::ReadOnly {
            let limit = if self.is_random() && self.format.is_none() {
                0
            } else {
                self.capacity
            };
            return if end <= limit as u64 {
                Ok(())
            } else {
                Err(Check::illegal(Asc::LBA_OUT_OF_RANGE))
            };
        }
        // Sequential: walk the recorded extents of the tracks in order.
        let mut pos = lba as u64;
        while pos < end {
            let Some(t) = self
                .tracks
                .iter()
                .find(|t| (t.start as u64..t.nwa() as u64).contains(&pos))
            else {
                return Err(Check::illegal(Asc::LBA_OUT_OF_RANGE));
            };
            if t.audio {
                return Err(Check::illegal(Asc::ILLEGAL_MODE_FOR_THIS_TRACK));
            }
            pos = t.nwa() as u64;
        }
        Ok(())
    }

    /// The track a READ CD of `lba` reads from: the one that recorded it, or — on a CD
    /// written track at once — the next track of the session when `lba` lies in the gap
    /// in front of it (the pre-gap the drive wrote reads as silence or zeros). `None` for
    /// an address nothing was recorded at.
    pub fn cd_sector_track(&self, lba: u32) -> Option<&Track> {
        if let Some(t) = self
            .tracks
            .iter()
            .find(|t| (t.start..t.nwa()).contains(&lba))
        {
            return Some(t);
        }
        let next = self.tracks.iter().find(|t| t.start > lba)?;
        let prev = self.tracks.iter().rev().find(|t| t.start <= lba)?;
        (prev.closed && prev.session == next.session && prev.nwa() <= lba && next.written > 0)
            .then_some(next)
    }

    /// The track holding `lba` (recorded, reserved or invisible).
    pub fn track_at(&self, lba: u32) -> Option<&Track> {
        self.tracks
            .iter()
            .find(|t| lba >= t.start && lba < t.limit(self.capacity).max(t.start + 1))
    }

    /// The track numbered `n`.
    pub fn track(&self, n: u32) -> Option<&Track> {
        self.tracks.iter().find(|t| t.number == n)
    }

    /// RESERVE TRACK (MMC-6 §6.32) by size: the invisible track becomes a reserved track of
    /// `size` blocks and a new invisible track follows it.
    pub fn reserve(&mut self, size: u32) -> CheckResult<()> {
        self.writable()?;
        if !self.is_sequential() {
            return Err(Check::illegal(Asc::INCOMPATIBLE_MEDIUM_INSTALLED));
        }
        if size == 0 {
            return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB));
        }
        let cd = self.media.is_cd();
        let gap = self.media.spec().track_gap;
        let capacity = self.capacity;
        let open = self.tracks.iter().filter(|t| !t.closed).count();
        let n = self.tracks.len();
        let Some(inv) = self.tracks.last_mut().filter(|t| t.is_invisible()) else {
            return Err(Check::illegal(Asc::NO_MORE_TRACK_RESERVATIONS_ALLOWED));
        };
        if inv.written > 0 {
            return Err(Check::illegal(Asc::COMMAND_SEQUENCE_ERROR));
        }
        if (cd && inv.number >= CD_MAX_TRACKS) || open > MAX_OPEN_TRACKS || n >= MAX_TRACKS {
            return Err(Check::illegal(Asc::NO_MORE_TRACK_RESERVATIONS_ALLOWED));
        }
        let size = if cd { size.max(300) } else { size };
        if inv.start as u64 + size as u64 > capacity as u64 {
            return Err(Check::illegal(Asc::LBA_OUT_OF_RANGE));
        }
        inv.reserved = Some(size);
        let next = Track {
            number: inv.number + 1,
            session: inv.session,
            start: inv.start + size + if cd { gap } else { 0 },
            reserved: None,
            written: 0,
            closed: false,
            damaged: false,
            audio: false,
        };
        if next.start < capacity {
            self.tracks.push(next);
        }
        Ok(())
    }

    /// CLOSE TRACK (function 001b) on track `n`. Returns the blocks of padding the drive
    /// recorded (a reserved track closed before it was full is padded to its size).
    pub fn close_track(&mut self, n: u32) -> CheckResult<u32> {
        self.writable()?;
        if !self.is_sequential() {
            // Random-access media have no tracks to close; drives accept and ignore.
            return Ok(0);
        }
        let gap = self.media.spec().track_gap;
        let capacity = self.capacity;
        let Some(i) = self.tracks.iter().position(|t| t.number == n) else {
            return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB));
        };
        let t = &mut self.tracks[i];
        if t.closed {
            return Ok(0);
        }
        if t.is_invisible() {
            if t.written == 0 {
                // Nothing to close: drives answer GOOD.
                return Ok(0);
            }
            t.closed = true;
            let next = Track {
                number: t.number + 1,
                session: t.session,
                start: t.nwa() + gap,
                reserved: None,
                written: 0,
                closed: false,
                damaged: false,
                audio: false,
            };
            if next.start < capacity && self.tracks.len() < MAX_TRACKS {
                self.tracks.push(next);
            }
            return Ok(0);
        }
        let pad = t.free(capacity);
        t.written += pad;
        t.closed = true;
        Ok(pad)
    }

    /// CLOSE SESSION (function 010b, or a finalizing function when `finalize`).
    /// Closes the open tracks of the session first; CD refuses to fixate a session with a
    /// reserved track not fully written (05/72/03).
    pub fn close_session(&mut self, finalize: bool) -> CheckResult<()> {
        self.writable()?;
        if !self.is_sequential() {
            return Ok(());
        }
        let capacity = self.capacity;
        let session = self.open_session();
        let used = self.open_session_used();
        if !used {
            if self.closed_sessions == 0 {
                // Nothing recorded at all: nothing to fixate.
                return Err(Check::illegal(Asc::COMMAND_SEQUENCE_ERROR));
            }
            if finalize {
                self.tracks.retain(|t| !t.is_invisible());
                self.finalized = true;
            }
            return Ok(());
        }
        if self.media.is_cd()
            && self.tracks.iter().any(|t| {
                t.session == session && t.reserved.is_some() && !t.closed && t.free(capacity) > 0
            })
        {
            return Err(Check::illegal(Asc::INCOMPLETE_TRACK_IN_SESSION));
        }
        for t in self.tracks.iter_mut().filter(|t| t.session == session) {
            if t.is_invisible() {
                continue;
            }
            let pad = t.free(capacity);
            t.written += pad;
            t.closed = true;
        }
        // The invisible track: closed if written, dropped if empty.
        let mut end = 0;
        if let Some(inv) = self.tracks.last_mut().filter(|t| t.is_invisible()) {
            if inv.written > 0 {
                inv.closed = true;
            }
        }
        self.tracks.retain(|t| !t.is_invisible());
        if let Some(last) = self.tracks.last() {
            end = last.limit(capacity);
        }
        self.closed_sessions += 1;
        let next_start = end.saturating_add(self.media.spec().session_gap);
        if finalize
            || next_start.saturating_add(MIN_SESSION_ROOM) >= capacity
            || self.tracks.len() >= MAX_TRACKS
        {
            self.finalized = true;
        } else {
            let number = self.tracks.last().map_or(1, |t| t.number + 1);
            self.tracks.push(Track {
                number,
                session: session + 1,
                start: next_start,
                reserved: None,
                written: 0,
                closed: false,
                damaged: false,
                audio: false,
            });
        }
        Ok(())
    }

    /// BLANK (MMC-6 §6.2) on an erasable sequential disc (CD-RW, DVD-RW): full/minimal
    /// blanking returns it to blank (a restricted overwrite DVD-RW to sequential, 0014h);
    /// "unclose last session" reopens it; "erase session" removes the last session (not
    /// on a restricted overwrite DVD-RW, which has no sessions).
    pub fn blank_disc(&mut self, blanking_type: u8) -> CheckResult<()> {
        if self.media.spec().recording != Recording::SequentialErasable {
            return Err(Check::illegal(Asc::INCOMPATIBLE_MEDIUM_INSTALLED));
        }
        if self.restricted_overwrite() && !matches!(blanking_type, 0 | 1) {
            return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB));
        }
        match blanking_type {
            0 | 1 => {
                // The disc's identity is in its pre-pits: blanking keeps it.
                let media_id = self.media_id.take();
                *self = DiscState {
                    media_id,
                    ..DiscState::blank(self.media)
                };
                Ok(())
            }
            5 => {
                // Unclose the last session: the finalized flag goes, and the last closed
                // session becomes the open one again.
                if self.closed_sessions == 0 {
                    return Err(Check::illegal(Asc::COMMAND_SEQUENCE_ERROR));
                }
                self.tracks.retain(|t| !t.is_invisible());
                self.closed_sessions -= 1;
                self.finalized = false;
                let session = self.open_session();
                let end = self.tracks.last().map_or(0, |t| t.nwa());
                let number = self.tracks.last().map_or(1, |t| t.number + 1);
                let start = end.saturating_add(self.media.spec().track_gap);
                if start >= self.capacity {
                    // Reopened, but full to the lead-out: no track can follow.
                    return Ok(());
                }
                self.tracks.push(Track {
                    number,
                    session,
                    start,
                    reserved: None,
                    written: 0,
                    closed: false,
                    damaged: false,
                    audio: false,
                });
                Ok(())
            }
            6 => {
                // Erase the last (closed or open) session.
                let last = if self.open_session_used() {
                    self.open_session()
                } else if self.closed_sessions > 0 {
                    self.closed_sessions
                } else {
                    return Err(Check::illegal(Asc::COMMAND_SEQUENCE_ERROR));
                };
                self.tracks.retain(|t| t.session < last);
                self.closed_sessions = last - 1;
                self.finalized = false;
                let end = self.tracks.last().map_or(0, |t| t.limit(self.capacity));
                let start = if self.closed_sessions == 0 {
                    0
                } else {
                    end.saturating_add(self.media.spec().session_gap)
                };
                if start >= self.capacity {
                    return Ok(());
                }
                let number = self.tracks.last().map_or(1, |t| t.number + 1);
                self.tracks.push(Track {
                    number,
                    session: last,
                    start,
                    reserved: None,
                    written: 0,
                    closed: false,
                    damaged: false,
                    audio: false,
                });
                Ok(())
            }
            _ => Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB)),
        }
    }

    /// FORMAT UNIT (MMC-6 §6.5) with one of the medium's format options, chosen by format
    /// type and number of blocks (a descriptor of READ FORMAT CAPACITIES).
    pub fn format(&mut self, format_type: u8, blocks: u32) -> CheckResult<FormatOption> {
        let options = format_options(self.media);
        if options.is_empty() {
            return Err(Check::illegal(Asc::CANNOT_FORMAT_MEDIUM));
        }
        if self.media == Media::DvdRam && format_type == 0x01 && !self.can_expand_spare() {
            // One expansion step per full format (READ FORMAT CAPACITIES no longer lists it).
            return Err(Check::illegal(Asc::INVALID_FIELD_IN_PARAMETER_LIST));
        }
        if self.media.base() == Media::BdR && self.disc_status() != DiscStatus::Empty {
            // BD-R can be formatted (spares allocated) only while blank.
            return Err(Check::illegal(Asc::CANNOT_FORMAT_MEDIUM));
        }
        if self.media == Media::DvdMinusRw && format_type == 0x13 {
            // Quick grow applies to a restricted overwrite disc's last session only, by
            // a number of blocks in whole ECC blocks (MMC-6 §6.5.4.2.8): libburn asks
            // for what the next write needs beyond the current size. The model's
            // restricted overwrite session already spans the disc, so any such count
            // leaves it as it is.
            if !self.restricted_overwrite()
                || (blocks != u32::MAX && !blocks.is_multiple_of(DVD_RW_RO_BLOCKING))
            {
                return Err(Check::illegal(Asc::INVALID_FIELD_IN_PARAMETER_LIST));
            }
            if let Some(o) = options.iter().find(|o| o.format_type == 0x13) {
                self.format = Some(*o);
                return Ok(*o);
            }
        }
        let option = options
            .iter()
            .find(|o| {
                o.format_type == format_type
                    && (blocks == o.blocks || blocks == 0 || blocks == u32::MAX)
            })
            .or_else(|| {
                // Drives round a block count between the offered ones down to the option
                // that fits (MMC-6 §6.5.4.2.x): pick the first option of that type not larger.
                options
                    .iter()
                    .filter(|o| o.format_type == format_type && o.blocks <= blocks)
                    .max_by_key(|o| o.blocks)
            })
            .copied()
            .ok_or(Check::illegal(Asc::INVALID_FIELD_IN_PARAMETER_LIST))?;
        self.format = Some(option);
        self.capacity = option.blocks;
        if self.media.base() == Media::BdR {
            // Formatted BD-R stays sequential (SRM with spares): a fresh invisible track
            // over the smaller user area.
            *self = DiscState {
                format: Some(option),
                capacity: option.blocks,
                ..DiscState::blank(self.media)
            };
        }
        if self.media == Media::DvdMinusRw && format_type != 0x13 {
            // A full or quick format lays the disc out anew in restricted overwrite mode:
            // no tracks or sessions, what it held is gone (a quick grow keeps it).
            let media_id = self.media_id.take();
            *self = DiscState {
                format: Some(option),
                capacity: option.blocks,
                tracks: Vec::new(),
                media_id,
                ..DiscState::blank(self.media)
            };
        }
        Ok(option)
    }

    /// Whether a DVD-RAM takes a spare area expansion (FORMAT UNIT type 01h): formatted
    /// and not expanded yet.
    pub fn can_expand_spare(&self) -> bool {
        self.media == Media::DvdRam
            && self.format.is_some()
            && format_options(self.media)
                .iter()
                .any(|o| o.format_type == 0x01 && o.blocks < self.capacity)
    }

    /// Validates a state read back from a state file: everything the rules above take
    /// for granted (tracks in order inside the capacity, numbered 1, 2, … with
    /// non-decreasing sessions, a capacity no disc exceeds), so that a hostile or
    /// corrupted file gives an error here instead of overflowing arithmetic later.
    pub fn validate(&self) -> Result<(), String> {
        if self.version != STATE_VERSION {
            return Err(format!(
                "state file version {} (expected {STATE_VERSION})",
                self.version
            ));
        }
        if self.slot != 2048 && self.slot != 2352 {
            return Err(format!(
                "image slot size {} (expected 2048 or 2352)",
                self.slot
            ));
        }
        if !self.cd_text.len().is_multiple_of(PACK_LEN)
            || self.cd_text.len() > MAX_CD_TEXT_PACKS * PACK_LEN
        {
            return Err(format!(
                "CD-Text of {} bytes (whole 18-byte packs, at most {MAX_CD_TEXT_PACKS})",
                self.cd_text.len()
            ));
        }
        if self
            .mcn
            .as_ref()
            .is_some_and(|m| m.len() != 13 || !m.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err("a catalog number that is not 13 digits".to_string());
        }
        if self.isrc.len() > 99
            || self
                .isrc
                .values()
                .any(|c| c.len() != 12 || !c.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return Err("an ISRC that is not 12 letters and digits".to_string());
        }
        if let Some(id) = &self.media_id {
            id.check(self.media)
                .map_err(|e| format!("media identity: {e}"))?;
        }
        if let Some(l0) = self.layer0 {
            let max = self.media.spec().layer_capacity();
            if !self.has_settable_layer_boundary()
                || l0 == 0
                || l0 > max
                || self.capacity != l0.saturating_mul(2)
            {
                return Err(format!(
                    "a Layer 0 capacity of {l0} blocks on a {} disc of {} blocks",
                    self.media.spec().name,
                    self.capacity
                ));
            }
        }
        if self.capacity > MAX_CAPACITY {
            return Err(format!(
                "capacity of {} blocks (no disc holds more than {MAX_CAPACITY})",
                self.capacity
            ));
        }
        if self.tracks.len() > MAX_TRACKS {
            return Err(format!(
                "{} tracks (at most {MAX_TRACKS})",
                self.tracks.len()
            ));
        }
        if self.closed_sessions as usize > MAX_TRACKS {
            return Err(format!(
                "{} closed sessions (at most {MAX_TRACKS})",
                self.closed_sessions
            ));
        }
        let capacity = u64::from(self.capacity);
        let mut prev_end = 0u64;
        let mut prev_session = 1;
        for (i, t) in self.tracks.iter().enumerate() {
            // Sessions run 1, 2, … without gaps: every closed session holds a track.
            let first = if i == 0 { 1 } else { prev_session };
            if t.session != first && (i == 0 || t.session != first + 1) {
                return Err(format!(
                    "track {} in session {} after session {}",
                    t.number, t.session, first
                ));
            }
            let start = u64::from(t.start);
            let nwa = start + u64::from(t.written);
            let end = t.reserved.map_or(nwa, |r| start + u64::from(r));
            if start < prev_end || nwa > capacity || end > capacity || nwa > end {
                return Err(format!("track {} overlaps or exceeds the disc", t.number));
            }
            if u64::from(t.number) != i as u64 + 1 {
                return Err(format!("track {} where track {} belongs", t.number, i + 1));
            }
            if t.session > self.open_session() {
                return Err(format!(
                    "track {} in session {} (sessions run 1..={} in order)",
                    t.number,
                    t.session,
                    self.open_session()
                ));
            }
            // The invisible track is the open session's last, and a finalized disc has none.
            if t.is_invisible()
                && (i + 1 != self.tracks.len()
                    || t.session != self.open_session()
                    || self.finalized)
            {
                return Err(format!(
                    "open unreserved track {} is not the open session's last",
                    t.number
                ));
            }
            prev_session = t.session;
            prev_end = u64::from(t.limit(self.capacity));
        }
        if self.closed_sessions > 0
            && self.tracks.last().map_or(0, |t| t.session) < self.closed_sessions
        {
            return Err(format!(
                "{} closed sessions but tracks in {} of them",
                self.closed_sessions,
                self.tracks.last().map_or(0, |t| t.session)
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(d: &mut DiscState, lba: u32, n: u32) -> CheckResult<()> {
        let t = d.write_target(lba, n)?;
        d.record(t, n, false);
        Ok(())
    }

    #[test]
    fn unclosing_a_full_disc_saves_a_state_that_loads() {
        let mut d = DiscState::blank(Media::CdRw);
        let cap = d.capacity;
        write(&mut d, 0, cap).unwrap();
        d.close_session(false).unwrap();
        assert!(d.finalized);
        d.blank_disc(5).unwrap();
        // Used to push a track at capacity + 152, which validate() then refused on reopen.
        assert_eq!(d.validate(), Ok(()));
        assert!(!d.finalized);
        assert_eq!(
            write(&mut d, cap, 1),
            Err(Check::illegal(Asc::LBA_OUT_OF_RANGE))
        );
    }

    #[test]
    fn sequential_write_only_at_nwa() {
        let mut d = DiscState::blank(Media::DvdPlusR);
        assert_eq!(d.disc_status(), DiscStatus::Empty);
        assert_eq!(
            write(&mut d, 16, 16),
            Err(Check::illegal(Asc::INVALID_ADDRESS_FOR_WRITE))
        );
        write(&mut d, 0, 32).unwrap();
        assert_eq!(d.invisible().unwrap().nwa(), 32);
        assert_eq!(
            write(&mut d, 0, 1),
            Err(Check::illegal(Asc::INVALID_ADDRESS_FOR_WRITE))
        );
        assert_eq!(d.disc_status(), DiscStatus::Incomplete);
        assert_eq!(d.read_check(0, 32), Ok(()));
        assert_eq!(
            d.read_check(31, 2),
            Err(Check::illegal(Asc::LBA_OUT_OF_RANGE))
        );
    }

    #[test]
    fn past_capacity_refused() {
        let mut d = DiscState::blank(Media::DvdPlusR);
        let cap = d.capacity;
        assert_eq!(
            write(&mut d, 0, cap + 1),
            Err(Check::illegal(Asc::LBA_OUT_OF_RANGE))
        );
        assert_eq!(
            write(&mut d, cap, 1),
            Err(Check::illegal(Asc::LBA_OUT_OF_RANGE))
        );
        write(&mut d, 0, cap).unwrap();
        assert_eq!(
            write(&mut d, cap, 1),
            Err(Check::illegal(Asc::LBA_OUT_OF_RANGE))
        );
    }

    #[test]
    fn sessions_and_finalize() {
        let mut d = DiscState::blank(Media::DvdPlusR);
        assert_eq!(
            d.close_session(false),
            Err(Check::illegal(Asc::COMMAND_SEQUENCE_ERROR))
        );
        write(&mut d, 0, 100).unwrap();
        d.close_session(false).unwrap();
        assert_eq!(d.sessions(), 2);
        assert_eq!(d.last_session_state(), SessionState::Empty);
        assert_eq!(d.disc_status(), DiscStatus::Incomplete);
        let nwa = d.invisible().unwrap().nwa();
        assert_eq!(nwa, 100 + Media::DvdPlusR.spec().session_gap);
        assert_eq!(d.invisible().unwrap().number, 2);
        write(&mut d, nwa, 10).unwrap();
        d.close_session(true).unwrap();
        assert!(d.finalized);
        assert_eq!(d.disc_status(), DiscStatus::Complete);
        assert_eq!(d.sessions(), 2);
        assert_eq!(
            write(&mut d, nwa + 10, 1),
            Err(Check::illegal(Asc::CANNOT_WRITE_MEDIUM_INCOMPATIBLE_FORMAT))
        );
        assert_eq!(d.read_check(nwa, 10), Ok(()));
        assert_eq!(
            d.read_check(100, 1),
            Err(Check::illegal(Asc::LBA_OUT_OF_RANGE))
        );
    }

    #[test]
    fn reserve_and_close_pads() {
        let mut d = DiscState::blank(Media::BdR);
        d.reserve(1000).unwrap();
        assert_eq!(d.tracks.len(), 2);
        assert_eq!(d.tracks[1].start, 1000);
        // Both the reserved track and the invisible one take writes at their NWA.
        write(&mut d, 1000, 10).unwrap();
        write(&mut d, 0, 10).unwrap();
        assert_eq!(
            write(&mut d, 10, 991),
            Err(Check::illegal(Asc::END_OF_USER_AREA))
        );
        assert_eq!(d.close_track(1), Ok(990));
        assert!(d.tracks[0].closed);
        assert_eq!(
            d.reserve(5),
            Err(Check::illegal(Asc::COMMAND_SEQUENCE_ERROR))
        );
    }

    #[test]
    fn cd_session_fixation_needs_complete_tracks() {
        let mut d = DiscState::blank(Media::CdR);
        d.reserve(1000).unwrap();
        write(&mut d, 0, 10).unwrap();
        assert_eq!(
            d.close_session(false),
            Err(Check::illegal(Asc::INCOMPLETE_TRACK_IN_SESSION))
        );
        write(&mut d, 10, 990).unwrap();
        d.close_session(false).unwrap();
        assert_eq!(d.closed_sessions, 1);
    }

    #[test]
    fn layer0_is_set_once_on_a_blank_dual_layer_dvd_and_halves_the_disc() {
        let mut d = DiscState::blank(Media::DvdPlusRDl);
        assert_eq!(d.layer0_capacity(), 2_086_912);
        assert_eq!(d.layer_starts(), vec![2_086_912]);
        assert!(!d.layer_boundary_fixed());
        let illegal = |asc| Err(Check::illegal(asc));
        for bad in [0, 17, 2_086_912 + 16] {
            assert_eq!(
                d.set_layer0(bad),
                illegal(Asc::INVALID_FIELD_IN_PARAMETER_LIST)
            );
        }
        d.set_layer0(1_500_000).unwrap();
        assert_eq!((d.capacity, d.layer0_capacity()), (3_000_000, 1_500_000));
        assert_eq!(d.invisible().unwrap().free(d.capacity), 3_000_000);
        assert!(d.layer_boundary_fixed());
        assert_eq!(
            d.set_layer0(1_000_000),
            illegal(Asc::COMMAND_SEQUENCE_ERROR)
        );
        assert_eq!(d.validate(), Ok(()));
        // Written already: too late.
        let mut w = DiscState::blank(Media::DvdMinusRDl);
        write(&mut w, 0, 16).unwrap();
        assert!(w.layer_boundary_fixed());
        assert_eq!(
            w.set_layer0(1_000_000),
            illegal(Asc::COMMAND_SEQUENCE_ERROR)
        );
        // Single-layer and BD media have no settable boundary.
        for m in [Media::DvdPlusR, Media::BdRDl] {
            let mut s = DiscState::blank(m);
            assert_eq!(s.set_layer0(1_000_000), illegal(Asc::INVALID_FIELD_IN_CDB));
        }
        // A state file whose boundary does not fit its disc is refused.
        let mut bad = DiscState::blank(Media::DvdPlusRDl);
        bad.layer0 = Some(1_000_000);
        assert!(bad.validate().unwrap_err().contains("Layer 0"));
        bad.layer0 = Some(1_000_000);
        bad.media = Media::DvdPlusR;
        bad.capacity = 2_000_000;
        assert!(bad.validate().is_err());
    }

    #[test]
    fn bd_layers_split_the_user_area_evenly() {
        let d = DiscState::blank(Media::BdRQl);
        assert_eq!(
            d.layer_starts(),
            vec![15_625_216, 2 * 15_625_216, 3 * 15_625_216]
        );
        assert!(DiscState::blank(Media::BdR).layer_starts().is_empty());
        assert_eq!(DiscState::blank(Media::BdRDl).layer0_capacity(), 12_219_392);
        let mut f = DiscState::blank(Media::BdReDl);
        f.format(0x00, 0).unwrap();
        assert_eq!(f.capacity, 23_652_352);
        assert_eq!(f.layer_starts(), vec![11_826_176]);
    }

    #[test]
    fn random_media_need_format() {
        let mut d = DiscState::blank(Media::BdRe);
        assert_eq!(
            write(&mut d, 5, 1),
            Err(Check::illegal(Asc::MEDIUM_NOT_FORMATTED))
        );
        assert_eq!(d.format(0x31, 0).unwrap().blocks, 12_219_392);
        write(&mut d, 5, 1).unwrap();
        write(&mut d, 0, 1).unwrap();
        assert_eq!(d.disc_status(), DiscStatus::Other);
        let cap = d.capacity;
        assert_eq!(
            write(&mut d, cap, 1),
            Err(Check::illegal(Asc::LBA_OUT_OF_RANGE))
        );
        assert_eq!(
            d.format(0x26, 0),
            Err(Check::illegal(Asc::INVALID_FIELD_IN_PARAMETER_LIST))
        );
        let mut r = DiscState::blank(Media::DvdRam);
        write(&mut r, 1234, 1).unwrap();
    }

    #[test]
    fn bd_r_format_with_spares_shrinks_capacity() {
        let mut d = DiscState::blank(Media::BdR);
        let o = d.format(0x32, 12_219_392 - 131_072).unwrap();
        assert_eq!(o.param, 131_072);
        assert_eq!(d.capacity, 12_219_392 - 131_072);
        write(&mut d, 0, 1).unwrap();
        assert_eq!(
            d.format(0x32, 0),
            Err(Check::illegal(Asc::CANNOT_FORMAT_MEDIUM))
        );
        assert_eq!(
            DiscState::blank(Media::DvdPlusR).format(0, 0),
            Err(Check::illegal(Asc::CANNOT_FORMAT_MEDIUM))
        );
    }

    #[test]
    fn cd_rw_blank() {
        let mut d = DiscState::blank(Media::CdRw);
        write(&mut d, 0, 500).unwrap();
        d.close_session(true).unwrap();
        assert_eq!(
            write(&mut d, 500, 1),
            Err(Check::illegal(Asc::CANNOT_WRITE_MEDIUM_INCOMPATIBLE_FORMAT))
        );
        d.blank_disc(1).unwrap();
        assert_eq!(d, DiscState::blank(Media::CdRw));
        assert_eq!(
            DiscState::blank(Media::CdR).blank_disc(1),
            Err(Check::illegal(Asc::INCOMPATIBLE_MEDIUM_INSTALLED))
        );
    }

    #[test]
    fn an_interrupted_burn_keeps_what_the_image_holds() {
        let mut d = DiscState::blank(Media::DvdPlusR);
        // Saved at a checkpoint after 4,096 sectors; the image holds 10,000 and a torn
        // half of the next one.
        write(&mut d, 0, 4096).unwrap();
        assert_eq!(
            d.recover_interrupted(10_000 * 2048 + 1000),
            Some((1, 10_000))
        );
        let t = d.invisible().unwrap();
        assert_eq!((t.written, t.closed, t.damaged), (10_000, false, false));
        assert_eq!(d.disc_status(), DiscStatus::Incomplete);
        assert_eq!(d.last_session_state(), SessionState::Incomplete);
        d.validate().unwrap();
        // Nothing beyond: no change; the burn goes on at the NWA and closes.
        assert_eq!(d.recover_interrupted(10_000 * 2048), None);
        write(&mut d, 10_000, 16).unwrap();
        d.close_session(false).unwrap();
        assert_eq!(d.closed_sessions, 1);
        // A closed track, a finalized disc or random-access media take nothing.
        assert_eq!(d.recover_interrupted(20_000 * 2048), None);
        let mut f = DiscState::blank(Media::DvdPlusR);
        write(&mut f, 0, 10).unwrap();
        f.close_session(true).unwrap();
        assert_eq!(f.recover_interrupted(20 * 2048), None);
        assert_eq!(
            DiscState::blank(Media::BdRe).recover_interrupted(1 << 30),
            None
        );
        // An image longer than the disc (foreign data) is not taken either.
        let mut b = DiscState::blank(Media::CdR);
        let too_long = (u64::from(b.capacity) + 1) * 2048;
        assert_eq!(b.recover_interrupted(too_long), None);
        assert_eq!(b.recover_interrupted(u64::MAX), None);
    }

    #[test]
    fn state_round_trips_as_json() {
        let mut d = DiscState::blank(Media::CdR);
        write(&mut d, 0, 7).unwrap();
        let s = serde_json::to_string(&d).unwrap();
        let back: DiscState = serde_json::from_str(&s).unwrap();
        assert_eq!(back, d);
        back.validate().unwrap();
    }
}
