//! The drive: CDB dispatch over the medium model, the buffer and the clock.
//!
//! Every CDB is read with the mmc crate's `Command::parse` and every response written with
//! the mmc crate's `Repr::emit`, so the drive and the host share one encoding of each.

use std::time::Duration;

use discburn_mmc::clock::SharedClock;
use discburn_mmc::disc::{
    BgFormatStatus, DiscInformation, DiscInformationType, DiscStatus as WireDiscStatus, Msf,
    ReadDiscInformation, ReadTocPmaAtip, SessionInfo, SessionState as WireSessionState, Toc,
    TocFormat, TocTrack, LEAD_OUT_TRACK,
};
use discburn_mmc::profile::MediaFamily;
use discburn_mmc::rw::{
    Read10, Read12, ReadCapacity10, ReadCapacityData, SynchronizeCache10, Write10, Write12,
};
use discburn_mmc::sense::{Sense, SenseKey};
use discburn_mmc::speed::{
    sectors_per_second_to_kbps, x_to_kbps, BufferCapacityBlocks, BufferCapacityBytes, Except,
    GetPerformance, NominalPerformance, PerformanceData, PerformanceDescriptor, PerformanceType,
    ReadBufferCapacity, SetCdSpeed, SetStreaming, StreamingType, WriteSpeedData,
    WriteSpeedDescriptor,
};
use discburn_mmc::track::{
    CloseFunction, CloseTrackSession, DataMode, ReadTrackInformation, Reservation, ReserveTrack,
    TrackAddress, TrackInformation, INVISIBLE_TRACK,
};
use discburn_mmc::{
    wire, Command, Completion, DataPhase, Limits, OpCode, Request, Transport, TransportError,
};

use discburn_mmc::config::GetConfiguration;
use discburn_mmc::device::{
    Inquiry, InquiryData, PreventAllowMediumRemoval, RequestSense, StartStopUnit, TestUnitReady,
};
use discburn_mmc::event::{
    EventClasses, EventStatus, GetEventStatusNotification, MediaEvent, MediaEventCode,
    NotificationClass,
};
use discburn_mmc::format::{
    Blank, BlankingType, CapacityDescriptor, CapacityDescriptorType, FormatCapacities,
    FormatParameterList, FormatType, FormatUnit, FormattableCapacity, ReadFormatCapacities,
};

use discburn_mmc::mode::{
    mode_sense_answer, CapabilitiesPage, CapabilitiesWriteSpeed, DataBlockType, ErrorRecoveryPage,
    ModeHeader10, ModePage, ModePages, ModeSelect10, ModeSense10, MultiSession, PageControl,
    WriteParametersPage, WriteType, ALL_PAGES, MODE_HEADER10_LEN,
};

use crate::buffer::Buffer;
use crate::check::Check;
use crate::config::{FullPolicy, SpeedRequest, VirtualDriveConfig};
use crate::control::{DriveControl, Fault};
use crate::curve::{Curve, RotationControl};
use crate::features;
use crate::image::Image;
use crate::media::format_options;
use crate::media::{Media, MediaSpec, Recording, SpeedDef};
use crate::model::{DiscState, DiscStatus, SessionState, Track, WriteTarget};
use crate::read::ReadHead;
use crate::sao::Piece;
use crate::VdriveError;

/// INQUIRY vendor identification: plainly a virtual drive.
pub const INQUIRY_VENDOR: &str = "DISCBURN";
/// INQUIRY product identification.
pub const INQUIRY_PRODUCT: &str = "VIRTUAL RECORDER";
/// INQUIRY product revision.
pub const INQUIRY_REVISION: &str = "0001";

/// The Write Parameters page (05h) a drive holds after power-on for `media`: TAO
/// mode 1 on CD, incremental on DVD-R, BUFE on, no next session.
pub(crate) fn default_write_params(media: Media) -> WriteParametersPage {
    WriteParametersPage {
        bufe: true,
        write_type: if media.is_cd() {
            WriteType::Tao
        } else {
            WriteType::PacketIncremental
        },
        ..WriteParametersPage::default()
    }
}

/// Block size the page selects on CD: 2048 for mode 1 / mode 2 form 1, 2352 raw/audio.
fn wp_block_size(wp: &WriteParametersPage) -> u32 {
    wp.data_block_type.block_size().unwrap_or(2048)
}

/// Audio track mode (track mode 0 or 2 on CD: bit 2 clear).
fn wp_audio(wp: &WriteParametersPage) -> bool {
    wp.track_mode & 0x04 == 0
}

/// During a write stream the state file is saved after the first WRITE and then every
/// this many blocks (32 MiB of 2048-byte sectors), but no more often than
/// [`CHECKPOINT_INTERVAL`], so that the state on disk trails the burn by a bounded stretch
/// (which [`DiscState::recover_interrupted`] takes back from the image after a kill).
pub const CHECKPOINT_BLOCKS: u64 = 16 * 1024;
/// Least drive-clock time between two checkpoints: each costs an fsync of the image and
/// two of the state file (about 20 ms on a virtual disk), which at unthrottled rates
/// would cost a third of the throughput if taken every 32 MiB. At real burn speeds
/// (DVD 16x, 22 MB/s) 32 MiB take longer than this anyway.
pub const CHECKPOINT_INTERVAL: Duration = Duration::from_secs(1);

/// What an Immed operation is doing in the background.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BusyKind {
    Format,
    Operation,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Busy {
    kind: BusyKind,
    start: Duration,
    end: Duration,
}

/// Why a command did not complete GOOD.
#[derive(Debug)]
pub(crate) enum Fail {
    Check(Check),
    Timeout(Duration),
}

impl From<Check> for Fail {
    fn from(c: Check) -> Fail {
        Fail::Check(c)
    }
}

/// What a handler produced: bytes moved, or response data to copy into Data-In.
pub(crate) enum Reply {
    Done(usize),
    Data(Vec<u8>, usize),
}

pub(crate) type Outcome = Result<Reply, Fail>;

/// Emits a response repr into a fresh buffer of its own length.
fn emit_with(
    len: usize,
    f: impl FnOnce(&mut [u8]) -> wire::Result<usize>,
) -> Result<Vec<u8>, Fail> {
    let mut v = vec![0u8; len];
    let n = f(&mut v).map_err(|_| Fail::Check(Check::INVALID_FIELD_IN_CDB))?;
    v.truncate(n);
    Ok(v)
}

fn parse<C: Command>(cdb: &[u8]) -> Result<C, Fail> {
    C::parse(cdb).map_err(|_| Fail::Check(Check::INVALID_FIELD_IN_CDB))
}

/// The virtual MMC recorder: an image file, its medium state, a drive buffer and a clock.
/// Implements [`Transport`].
#[derive(Debug)]
pub struct VirtualDrive {
    pub(crate) clock: SharedClock,
    pub(crate) cfg: VirtualDriveConfig,
    pub(crate) image: Image,
    pub(crate) disc: DiscState,
    /// Simulated disc during a Test Write run (nothing reaches `disc` or the image).
    pub(crate) sim_disc: Option<DiscState>,
    pub(crate) buffer: Buffer,
    pub(crate) control: DriveControl,
    pub(crate) wp: WriteParametersPage,
    /// Index of the selected write speed in the medium's table.
    pub(crate) speed: usize,
    /// Index of the selected read speed in the medium's read table.
    pub(crate) read_speed: usize,
    /// The pickup and its read-ahead (READ timing).
    pub(crate) reader: ReadHead,
    pub(crate) busy: Option<Busy>,
    pub(crate) unit_attention: Option<Check>,
    pub(crate) present: bool,
    pub(crate) prevent: bool,
    /// The disc state changed since it was last saved.
    pub(crate) dirty: bool,
    /// Blocks recorded on a sequential disc since the last checkpoint; `None` until the
    /// first WRITE after a save outside a stream (open, SYNCHRONIZE CACHE, CLOSE).
    pub(crate) unsaved_blocks: Option<u64>,
    /// Drive-clock time of the last checkpoint.
    pub(crate) last_checkpoint: Duration,
    /// Streaming bit of the last WRITE(12) (turns defect management off on BD).
    pub(crate) streaming: bool,
    /// Media event not yet reported by GET EVENT STATUS NOTIFICATION.
    pub(crate) media_event: Option<MediaEventCode>,
    /// The cue sheet of a CD Session-At-Once write (SEND CUE SHEET), until the session
    /// it describes is closed.
    pub(crate) sao: Option<crate::sao::Sao>,
}

impl VirtualDriveConfig {
    /// Opens the drive this configuration describes (see [`VirtualDrive::open`]).
    pub fn open(self, clock: SharedClock) -> Result<VirtualDrive, VdriveError> {
        VirtualDrive::with_config(self, clock)
    }
}

impl VirtualDrive {
    /// Opens `virtual:PATH?media=…&speed=…&buffer=…[&full=wait|lwip][&throttle=off]
    /// [&fault=…]`: a blank medium when PATH is absent (or empty without a state file),
    /// the saved medium when `PATH.state` exists, and a finalized ROM disc holding the
    /// file's data when PATH exists without a state file.
    pub fn open(address: &str, clock: SharedClock) -> Result<VirtualDrive, VdriveError> {
        VirtualDriveConfig::parse(address)?.open(clock)
    }

    /// Opens a drive from a typed configuration.
    pub fn with_config(
        cfg: VirtualDriveConfig,
        clock: SharedClock,
    ) -> Result<VirtualDrive, VdriveError> {
        let (image, state) = Image::open(&cfg.path)?;
        let mut fresh = false;
        let mut recovered = false;
        let disc = match state {
            Some(mut s) => {
                let len = image
                    .byte_len()
                    .map_err(|e| VdriveError::Io(format!("{}: {e}", cfg.path.display())))?;
                if let Some((track, nwa)) = s.recover_interrupted(len) {
                    tracing::warn!(
                        "virtual drive: {}: a burn was interrupted; track {track} is open \
                         with its next writable address at {nwa}",
                        cfg.path.display()
                    );
                    recovered = true;
                }
                s
            }
            None => {
                let len = image
                    .byte_len()
                    .map_err(|e| VdriveError::Io(format!("{}: {e}", cfg.path.display())))?;
                fresh = true;
                if len == 0 {
                    DiscState::blank(cfg.media)
                } else {
                    let sectors = u32::try_from(len.div_ceil(2048))
                        .ok()
                        .filter(|&s| s <= crate::model::MAX_CAPACITY)
                        .ok_or_else(|| {
                            VdriveError::Io(format!(
                                "{}: {len} bytes is larger than any disc",
                                cfg.path.display()
                            ))
                        })?;
                    let mut family = cfg.media.spec().family;
                    if family == MediaFamily::Cd && sectors > Media::CdR.spec().capacity {
                        family = MediaFamily::Dvd;
                    }
                    if family == MediaFamily::Dvd && sectors > Media::DvdPlusR.spec().capacity * 2 {
                        family = MediaFamily::Bd;
                    }
                    DiscState::rom(family, sectors)
                }
            }
        };
        let control = DriveControl::default();
        control.lock().faults.extend(cfg.faults.iter().cloned());
        let wp = default_write_params(disc.media);
        let buffer = Buffer::new(cfg.buffer, None);
        let mut d = VirtualDrive {
            clock,
            image,
            sim_disc: None,
            buffer,
            control,
            wp,
            speed: 0,
            read_speed: 0,
            reader: ReadHead::new(cfg.buffer),
            busy: None,
            unit_attention: None,
            present: true,
            prevent: false,
            dirty: fresh || recovered,
            unsaved_blocks: None,
            last_checkpoint: Duration::ZERO,
            streaming: false,
            media_event: None,
            sao: None,
            disc,
            cfg,
        };
        let speeds = d.spec().write_speeds;
        d.speed = match d.cfg.speed {
            SpeedRequest::Max => speeds.len().saturating_sub(1),
            SpeedRequest::X(x) => round_down(speeds, x),
        };
        d.apply_speed();
        d.read_speed = d.spec().read_speeds.len().saturating_sub(1);
        if fresh || recovered {
            d.save()
                .map_err(|e| VdriveError::Io(format!("{}: {e}", d.cfg.path.display())))?;
        }
        Ok(d)
    }

    /// Ends the drive as a killed process does (SIGKILL: no drop handler, no flush, no
    /// save): the image and state files stay as they are on disk and the lock goes with
    /// the file handle. For crash-recovery tests in one process.
    pub fn kill(mut self) {
        self.dirty = false;
    }

    /// A handle for fault injection and statistics, usable from other threads.
    pub fn control(&self) -> DriveControl {
        self.control.clone()
    }

    /// The medium's state (the simulated one during a Test Write run).
    pub fn disc(&self) -> &DiscState {
        self.view()
    }

    /// The medium in the drive.
    pub fn media(&self) -> Media {
        self.disc.media
    }

    pub(crate) fn spec(&self) -> MediaSpec {
        self.disc.media.spec()
    }

    pub(crate) fn view(&self) -> &DiscState {
        self.sim_disc.as_ref().unwrap_or(&self.disc)
    }

    fn family(&self) -> MediaFamily {
        self.spec().family
    }

    /// The selected speed definition, if the medium is writable.
    fn speed_def(&self) -> Option<&'static SpeedDef> {
        self.spec().write_speeds.get(self.speed)
    }

    pub(crate) fn curve(&self) -> Option<Curve> {
        self.speed_def()
            .map(|d| Curve::new(d, self.family(), self.disc.capacity))
    }

    /// Pushes the selected speed into the buffer model. BD with spares (defect management)
    /// burns at half speed, unless WRITE(12) Streaming turned it off.
    fn apply_speed(&mut self) {
        self.apply_speed_with(self.streaming);
    }

    fn apply_speed_with(&mut self, streaming: bool) {
        let now = self.clock.now();
        let curve = if self.cfg.throttle {
            self.curve()
        } else {
            None
        };
        let dm = self.family() == MediaFamily::Bd
            && self
                .disc
                .format
                .is_some_and(|f| f.param > 0 && f.format_type != 0x31)
            && !streaming;
        self.buffer
            .set_curve(now, curve, if dm { 0.5 } else { 1.0 });
    }

    /// Nominal (highest) kB/s of the selected write speed.
    pub(crate) fn write_kbps(&self) -> u32 {
        self.speed_def()
            .and_then(|d| x_to_kbps(self.family(), d.x))
            .unwrap_or(0)
    }

    /// The selected read speed definition.
    fn read_def(&self) -> SpeedDef {
        let speeds = self.spec().read_speeds;
        speeds
            .get(self.read_speed)
            .or(speeds.last())
            .copied()
            .unwrap_or(SpeedDef {
                x: 1.0,
                rotation: RotationControl::Clv,
            })
    }

    /// Sectors the read radius model spans (see [`crate::read::geometry_sectors`]).
    fn read_geometry(&self) -> u32 {
        crate::read::geometry_sectors(self.family(), self.disc.capacity)
    }

    /// The read speed across the disc at the selected read speed.
    pub(crate) fn read_curve(&self) -> Curve {
        Curve::new(&self.read_def(), self.family(), self.read_geometry())
    }

    /// Nominal (highest) kB/s of the selected read speed.
    fn read_kbps(&self) -> u32 {
        x_to_kbps(self.family(), self.read_def().x).unwrap_or(0)
    }

    /// Nominal kB/s of the fastest read speed.
    fn max_read_kbps(&self) -> u32 {
        x_to_kbps(self.family(), self.spec().read_x()).unwrap_or(0)
    }

    fn sps_to_kbps(&self, sps: f64) -> u32 {
        sectors_per_second_to_kbps(self.family(), sps.round() as u32)
    }

    /// Saves the state file (atomically).
    pub(crate) fn save(&mut self) -> std::io::Result<()> {
        self.image.save_state(&self.disc)?;
        self.dirty = false;
        self.unsaved_blocks = None;
        Ok(())
    }

    /// A checkpoint during a write stream on a sequential disc: the image's data first,
    /// then the state that describes it, so the state never claims sectors the image
    /// may still lose. A failure is logged and retried at the next WRITE; SYNCHRONIZE
    /// CACHE and CLOSE report it.
    fn checkpoint(&mut self, blocks: u32) {
        let now = self.clock.now();
        let (since, due) = match self.unsaved_blocks {
            Some(n) => {
                let since = n + u64::from(blocks);
                let rested = now.saturating_sub(self.last_checkpoint) >= CHECKPOINT_INTERVAL;
                (since, since >= CHECKPOINT_BLOCKS && rested)
            }
            // The first WRITE of a stream: its track, slot size and mode go on record.
            None => (u64::from(blocks), true),
        };
        if !due {
            self.unsaved_blocks = Some(since);
            return;
        }
        match self.image.sync().and_then(|()| self.save()) {
            Ok(()) => {
                self.unsaved_blocks = Some(0);
                self.last_checkpoint = now;
                self.control.lock().stats.checkpoints += 1;
            }
            Err(e) => {
                self.unsaved_blocks = Some(since);
                tracing::error!("virtual drive: saving state at a checkpoint failed: {e}");
            }
        }
    }

    fn save_checked(&mut self) -> Result<(), Fail> {
        self.save().map_err(|e| {
            tracing::error!("virtual drive: saving state failed: {e}");
            Fail::Check(Check::WRITE_ERROR)
        })
    }

    /// Takes `d` of drive time: in the background with Immed (TEST UNIT READY reports
    /// progress until done), else on the clock, or into a timeout if `d` exceeds it (the
    /// operation still completes in the background, as on a real drive).
    fn take_time(
        &mut self,
        d: Duration,
        immed: bool,
        kind: BusyKind,
        timeout: Duration,
    ) -> Result<(), Fail> {
        if !self.cfg.throttle || d.is_zero() {
            return Ok(());
        }
        let now = self.clock.now();
        if immed {
            self.busy = Some(Busy {
                kind,
                start: now,
                end: now + d,
            });
            return Ok(());
        }
        if d > timeout {
            self.clock.sleep(timeout);
            self.busy = Some(Busy {
                kind,
                start: now,
                end: now + d,
            });
            return Err(Fail::Timeout(timeout));
        }
        self.clock.sleep(d);
        Ok(())
    }

    /// The NOT READY condition of a running background operation, with progress.
    fn busy_check(&mut self, now: Duration) -> Option<Check> {
        let b = self.busy?;
        if now >= b.end {
            self.busy = None;
            return None;
        }
        let total = (b.end - b.start).as_secs_f64().max(1e-9);
        let done = ((now - b.start).as_secs_f64() / total * 65536.0).min(65535.0) as u16;
        let c = match b.kind {
            BusyKind::Format => Check::FORMAT_IN_PROGRESS,
            BusyKind::Operation => Check::OPERATION_IN_PROGRESS,
        };
        Some(c.with_progress(done))
    }

    fn take_fault(&self, f: impl Fn(&mut Fault) -> Option<bool>) -> bool {
        // `f` returns Some(remove) when the fault applies.
        let mut s = self.control.lock();
        for i in 0..s.faults.len() {
            if let Some(remove) = f(&mut s.faults[i]) {
                if remove {
                    s.faults.remove(i);
                }
                return true;
            }
        }
        false
    }

    fn fault_range(&self, lba: u32, blocks: u32, corrupt: bool) -> Option<u32> {
        let end = lba.saturating_add(blocks);
        let s = self.control.lock();
        s.faults.iter().find_map(|f| match f {
            Fault::MediumError(r) if !corrupt => first_in(r, lba, end),
            Fault::Corrupt(r) if corrupt => first_in(r, lba, end),
            _ => None,
        })
    }

    // ----------------------------------------------------------------------------------
    // Dispatch
    // ----------------------------------------------------------------------------------

    fn dispatch(
        &mut self,
        op: OpCode,
        cdb: &[u8],
        data: &mut DataPhase<'_>,
        timeout: Duration,
    ) -> Outcome {
        let now = self.clock.now();
        // SPC-4: INQUIRY, REQUEST SENSE (and MMC's GET CONFIGURATION / GET EVENT STATUS)
        // do not report a pending unit attention.
        let no_ua = matches!(
            op,
            OpCode::Inquiry
                | OpCode::RequestSense
                | OpCode::GetConfiguration
                | OpCode::GetEventStatusNotification
        );
        if !no_ua {
            if let Some(ua) = self.unit_attention.take() {
                return Err(ua.into());
            }
        }
        let media_free = no_ua
            || matches!(
                op,
                OpCode::ModeSense10
                    | OpCode::ModeSelect10
                    | OpCode::StartStopUnit
                    | OpCode::PreventAllowMediumRemoval
                    | OpCode::MechanismStatus
                    | OpCode::GetPerformance
                    | OpCode::SetCdSpeed
                    | OpCode::SetStreaming
            );
        if !self.present && !media_free {
            return Err(Check::MEDIUM_NOT_PRESENT.into());
        }
        // PREVENT ALLOW MEDIUM REMOVAL only sets the tray lock: accepted while flushing or
        // closing, as drives do, so a burn cancelled mid-flush can unlock at once.
        let during_busy = no_ua
            || matches!(
                op,
                OpCode::ModeSense10
                    | OpCode::PreventAllowMediumRemoval
                    | OpCode::ReadBufferCapacity
                    | OpCode::GetPerformance
                    | OpCode::MechanismStatus
            );
        if !during_busy {
            if let Some(c) = self.busy_check(now) {
                return Err(c.into());
            }
        }
        match op {
            OpCode::TestUnitReady => {
                parse::<TestUnitReady>(cdb)?;
                Ok(Reply::Done(0))
            }
            OpCode::ReadDiscStructure => self.read_disc_structure(cdb),
            OpCode::Read10 => {
                let c: Read10 = parse(cdb)?;
                self.read(c.lba, u32::from(c.blocks), data, timeout)
            }
            OpCode::Read12 => {
                let c: Read12 = parse(cdb)?;
                self.read(c.lba, c.blocks, data, timeout)
            }
            OpCode::Write10 => {
                let c: Write10 = parse(cdb)?;
                self.write(c.lba, u32::from(c.blocks), false, data, timeout)
            }
            OpCode::Write12 => {
                let c: Write12 = parse(cdb)?;
                self.write(c.lba, c.blocks, c.streaming, data, timeout)
            }
            OpCode::SynchronizeCache10 => {
                let c: SynchronizeCache10 = parse(cdb)?;
                self.synchronize(c.immed, timeout)
            }
            OpCode::ReadCapacity10 => {
                parse::<ReadCapacity10>(cdb)?;
                let end = self.view().recorded_end();
                let r = ReadCapacityData {
                    last_lba: end.saturating_sub(1),
                    block_length: 2048,
                };
                Ok(Reply::Data(
                    emit_with(r.buffer_len(), |b| r.emit(b))?,
                    usize::MAX,
                ))
            }
            OpCode::ReadDiscInformation => {
                let c: ReadDiscInformation = parse(cdb)?;
                if c.data_type != DiscInformationType::Standard {
                    return Err(Check::INVALID_FIELD_IN_CDB.into());
                }
                let r = self.disc_information();
                Ok(Reply::Data(
                    emit_with(r.buffer_len(), |b| r.emit(b))?,
                    usize::from(c.alloc),
                ))
            }
            OpCode::ReadTrackInformation => {
                let c: ReadTrackInformation = parse(cdb)?;
                let r = self.track_information(c.address, c.open)?;
                Ok(Reply::Data(
                    emit_with(r.buffer_len(), |b| r.emit(b))?,
                    usize::from(c.alloc),
                ))
            }
            OpCode::ReadTocPmaAtip => {
                let c: ReadTocPmaAtip = parse(cdb)?;
                self.read_toc(&c)
            }
            OpCode::ReserveTrack => {
                let c: ReserveTrack = parse(cdb)?;
                match c.reservation {
                    Reservation::Size(n) => self.disc.reserve(n)?,
                    Reservation::Lba(_) => return Err(Check::INVALID_FIELD_IN_CDB.into()),
                }
                self.save_checked()?;
                Ok(Reply::Done(0))
            }
            OpCode::CloseTrackSession => {
                let c: CloseTrackSession = parse(cdb)?;
                self.close(c, timeout)
            }
            OpCode::ReadBufferCapacity => {
                let c: ReadBufferCapacity = parse(cdb)?;
                let v = if c.block {
                    let r = BufferCapacityBlocks {
                        available_blocks: (self.buffer.free_bytes() / 2048) as u32,
                    };
                    emit_with(r.buffer_len(), |b| r.emit(b))?
                } else {
                    let r = BufferCapacityBytes {
                        buffer_length: self.buffer.capacity().min(u64::from(u32::MAX)) as u32,
                        available_length: self.buffer.free_bytes().min(u64::from(u32::MAX)) as u32,
                    };
                    emit_with(r.buffer_len(), |b| r.emit(b))?
                };
                Ok(Reply::Data(v, usize::from(c.allocation_length)))
            }
            OpCode::GetPerformance => {
                let c: GetPerformance = parse(cdb)?;
                self.get_performance(&c)
            }
            OpCode::SetStreaming => {
                let c: SetStreaming = parse(cdb)?;
                if c.kind != StreamingType::Performance {
                    return Err(Check::INVALID_FIELD_IN_CDB.into());
                }
                let DataPhase::Out(buf) = data else {
                    return Err(Check::PARAMETER_LIST_LENGTH.into());
                };
                let len = usize::from(c.parameter_list_length).min(buf.len());
                let pd = PerformanceDescriptor::parse(&buf[..len])
                    .map_err(|_| Fail::Check(Check::PARAMETER_LIST_LENGTH))?;
                if pd.rdd {
                    // Restore Drive Defaults: fastest write and read speeds.
                    self.speed = self.spec().write_speeds.len().saturating_sub(1);
                    self.apply_speed();
                    self.select_read_kbps(u32::MAX);
                    return Ok(Reply::Done(len));
                }
                let (write, read) = (pd.write_kbps(), pd.read_kbps());
                if write.is_none() && read.is_none() {
                    return Err(Check::INVALID_FIELD_IN_PARAMETER_LIST.into());
                }
                if let Some(kbps) = write {
                    self.select_speed_kbps(kbps);
                }
                if let Some(kbps) = read {
                    self.select_read_kbps(kbps);
                }
                Ok(Reply::Done(len))
            }
            OpCode::SetCdSpeed => {
                let c: SetCdSpeed = parse(cdb)?;
                if c.write_kbps == SetCdSpeed::MAX {
                    self.speed = self.spec().write_speeds.len().saturating_sub(1);
                    self.apply_speed();
                } else {
                    self.select_speed_kbps(u32::from(c.write_kbps));
                }
                self.select_read_kbps(if c.read_kbps == SetCdSpeed::MAX {
                    u32::MAX
                } else {
                    u32::from(c.read_kbps)
                });
                Ok(Reply::Done(0))
            }
            _ => self.dispatch_more(op, cdb, data, timeout),
        }
    }

    /// Selects the nearest offered write speed at or below `kbps` (the slowest if `kbps`
    /// is below all), as drives round.
    pub(crate) fn select_speed_kbps(&mut self, kbps: u32) {
        let fam = self.family();
        let speeds = self.spec().write_speeds;
        // Rounding in the host's x→kB/s conversion must not push a request one step down.
        let i = speeds
            .iter()
            .rposition(|s| x_to_kbps(fam, s.x).unwrap_or(0) <= kbps.saturating_add(kbps / 100 + 1))
            .unwrap_or(0);
        self.speed = i;
        self.apply_speed();
    }

    /// Selects the nearest offered read speed at or below `kbps` (the slowest if below
    /// all, the fastest for `u32::MAX`); a change ends the read-ahead.
    pub(crate) fn select_read_kbps(&mut self, kbps: u32) {
        let fam = self.family();
        let speeds = self.spec().read_speeds;
        let i = speeds
            .iter()
            .rposition(|s| x_to_kbps(fam, s.x).unwrap_or(0) <= kbps.saturating_add(kbps / 100 + 1))
            .unwrap_or(0);
        if i != self.read_speed {
            self.read_speed = i;
            self.reader.stop();
        }
    }

    /// Takes the time a READ of `blocks` at `lba` needs (read speed at that LBA, plus a
    /// seek unless it continues the read-ahead); unthrottled drives read instantly.
    fn read_time(&mut self, lba: u32, blocks: u32, timeout: Duration) -> Result<(), Fail> {
        if !self.cfg.throttle {
            return Ok(());
        }
        // Data still in the write buffer is burned first (the READ may be for it); the
        // write stream ends there, as after SYNCHRONIZE CACHE, so it is no underrun.
        let drain = self.buffer.time_to_drain();
        self.buffer.flush();
        let now = self.clock.now() + drain;
        let curve = self.read_curve();
        let geometry = self.read_geometry();
        let mut cost = self
            .reader
            .read(now, lba, blocks, &curve, self.family(), geometry);
        cost.time += drain;
        if cost.time > timeout {
            self.clock.sleep(timeout);
            self.reader.stop();
            return Err(Fail::Timeout(timeout));
        }
        self.clock.sleep(cost.time);
        let mut s = self.control.lock();
        s.stats.read_time += cost.time;
        s.stats.seeks += u64::from(cost.seek);
        Ok(())
    }

    // ----------------------------------------------------------------------------------
    // Data path
    // ----------------------------------------------------------------------------------

    fn read(
        &mut self,
        lba: u32,
        blocks: u32,
        data: &mut DataPhase<'_>,
        timeout: Duration,
    ) -> Outcome {
        if blocks == 0 {
            return Ok(Reply::Done(0));
        }
        self.view().read_check(lba, blocks)?;
        if let Some(bad) = self.fault_range(lba, blocks, false) {
            return Err(Check::UNRECOVERED_READ_ERROR.with_info(bad).into());
        }
        let DataPhase::In(buf) = data else {
            return Err(Check::INVALID_FIELD_IN_CDB.into());
        };
        let want = (blocks as usize).saturating_mul(2048).min(buf.len());
        let slot = u64::from(self.disc.slot);
        let io = |e: std::io::Error| {
            tracing::error!("virtual drive: image read failed: {e}");
            Fail::Check(Check::UNRECOVERED_READ_ERROR.with_info(lba))
        };
        if slot == 2048 {
            self.image
                .read_at(&mut buf[..want], u64::from(lba) * 2048)
                .map_err(io)?;
        } else {
            // Raw 2352-byte sectors: READ returns the 2048 user bytes after the 16-byte
            // sync + header of a mode 1 sector.
            let mut raw = vec![0u8; 2352];
            for (i, chunk) in buf[..want].chunks_mut(2048).enumerate() {
                self.image
                    .read_at(&mut raw, (u64::from(lba) + i as u64) * slot)
                    .map_err(io)?;
                chunk.copy_from_slice(&raw[16..16 + chunk.len()]);
            }
        }
        self.read_time(lba, blocks, timeout)?;
        let mut s = self.control.lock();
        s.stats.reads += 1;
        s.stats.blocks_read += u64::from(blocks);
        Ok(Reply::Done(want))
    }

    fn write(
        &mut self,
        lba: u32,
        blocks: u32,
        streaming: bool,
        data: &mut DataPhase<'_>,
        timeout: Duration,
    ) -> Outcome {
        let lwip = self.take_fault(|f| match f {
            Fault::LongWriteStorm(n) if *n > 0 => {
                *n -= 1;
                Some(*n == 0)
            }
            _ => None,
        });
        if lwip {
            self.control.lock().stats.long_write_in_progress += 1;
            return Err(Check::LONG_WRITE_IN_PROGRESS.into());
        }
        if self.take_fault(|f| matches!(f, Fault::LossOfStreaming).then_some(true)) {
            self.damage_stream();
            return Err(Check::LOSS_OF_STREAMING.into());
        }
        let spec = self.spec();
        let bs = if spec.uses_write_parameters && self.disc.media.is_cd() {
            wp_block_size(&self.wp)
        } else {
            2048
        };
        let audio = self.disc.media.is_cd() && wp_audio(&self.wp);
        let DataPhase::Out(buf) = data else {
            return if blocks == 0 {
                Ok(Reply::Done(0))
            } else {
                Err(Check::INVALID_FIELD_IN_CDB.into())
            };
        };
        if buf.len() as u64 != u64::from(blocks) * u64::from(bs) {
            return Err(Check::INVALID_FIELD_IN_CDB.into());
        }
        if blocks == 0 {
            return Ok(Reply::Done(0));
        }
        let test = self.wp.test_write && spec.uses_write_parameters;
        if test && self.sim_disc.is_none() {
            self.sim_disc = Some(self.disc.clone());
        }
        // CD SAO: the WRITE continues the cue sheet's stream; pre-gap sectors are not kept.
        let sao = self.sao_pieces(lba, blocks)?;
        let in_sao = sao.is_some();
        if in_sao {
            self.sao_lay_tracks();
        }
        let pieces = sao.unwrap_or_else(|| {
            vec![Piece {
                lba,
                blocks,
                offset: 0,
            }]
        });
        let view = self.view();
        if bs != view.slot && view.recorded_end() > 0 {
            return Err(Check::ILLEGAL_MODE_FOR_TRACK.into());
        }
        let mut targets = Vec::with_capacity(pieces.len());
        for p in &pieces {
            targets.push(view.write_target(p.lba, p.blocks)?);
        }
        if self.disc.media == Media::DvdMinusR && self.wp.write_type == WriteType::SaoDao {
            // DAO needs the whole track reserved first (MMC-6 §4.6.5.3).
            for target in &targets {
                if let WriteTarget::Track(i) = *target {
                    if view.tracks[i].reserved.is_none() {
                        return Err(Check::COMMAND_SEQUENCE_ERROR.into());
                    }
                }
            }
        }
        if let Some(bad) = self.fault_range(lba, blocks, false) {
            return Err(Check::WRITE_ERROR.with_info(bad).into());
        }
        // The buffer ran dry since the last WRITE: without BUFE, CD and DVD-R recording
        // cannot resume (loss of streaming); with it, writing picks up seamlessly.
        if self.buffer.take_underrun() && !self.wp.bufe && spec.uses_write_parameters {
            self.damage_stream();
            return Err(Check::LOSS_OF_STREAMING.into());
        }
        if streaming != self.streaming {
            self.streaming = streaming;
            self.apply_speed_with(streaming);
        }
        let bytes = u64::from(blocks) * u64::from(bs);
        let wait = self.buffer.time_to_fit(bytes);
        if !wait.is_zero() {
            match self.cfg.full {
                FullPolicy::LongWriteInProgress => {
                    self.control.lock().stats.long_write_in_progress += 1;
                    return Err(Check::LONG_WRITE_IN_PROGRESS.into());
                }
                FullPolicy::Wait => {
                    if wait > timeout {
                        self.clock.sleep(timeout);
                        return Err(Fail::Timeout(timeout));
                    }
                    self.clock.sleep(wait);
                    self.control.lock().stats.buffer_wait += wait;
                    let now = self.clock.now();
                    self.buffer.advance(now);
                    // Emptying while we waited for room is not an underrun.
                    self.buffer.take_underrun();
                }
            }
        }
        if !test {
            if self.disc.recorded_end() == 0 && self.disc.slot != bs {
                self.disc.slot = bs;
            }
            let slot = u64::from(bs);
            for p in &pieces {
                let (lba, blocks) = (p.lba, p.blocks);
                let from = p.offset as usize * bs as usize;
                let buf = &buf[from..from + blocks as usize * bs as usize];
                let at = u64::from(lba) * slot;
                let res = if let Some(first) = self.fault_range(lba, blocks, true) {
                    let mut bad = buf.to_vec();
                    let end = lba.saturating_add(blocks);
                    for l in first..end {
                        if self.fault_range(l, 1, true).is_some() {
                            let o = ((l - lba) as usize) * bs as usize;
                            bad[o..o + bs as usize].iter_mut().for_each(|b| *b = !*b);
                        }
                    }
                    self.image.write_at(&bad, at)
                } else {
                    self.image.write_at(buf, at)
                };
                res.map_err(|e| {
                    tracing::error!("virtual drive: image write failed: {e}");
                    Fail::Check(Check::WRITE_ERROR.with_info(lba))
                })?;
            }
        }
        let disc = self.sim_disc.as_mut().unwrap_or(&mut self.disc);
        for (p, target) in pieces.iter().zip(targets) {
            disc.record(target, p.blocks, audio);
        }
        self.dirty = true;
        if !test && self.disc.media.is_sequential() {
            // Sectors burnt are burnt: a killed process must not leave a blank disc.
            self.checkpoint(blocks);
        }
        // The pre-gap of the first session lies before LBA 0: the head is at the start.
        let head = if in_sao && (lba as i32) < 0 { 0 } else { lba };
        self.buffer.push(head, blocks, bs);
        // The pickup follows the writes: a READ afterwards seeks from their end.
        self.reader.park(head.saturating_add(blocks));
        if in_sao {
            self.sao_advance(blocks);
        }
        let mut s = self.control.lock();
        s.stats.writes += 1;
        s.stats.blocks_written += u64::from(blocks);
        Ok(Reply::Done(buf.len()))
    }

    /// Loss of streaming: the open track is marked damaged and the stream ends.
    fn damage_stream(&mut self) {
        self.buffer.flush();
        let disc = self.sim_disc.as_mut().unwrap_or(&mut self.disc);
        if let Some(t) = disc
            .tracks
            .iter_mut()
            .rev()
            .find(|t| !t.closed && t.written > 0)
        {
            t.damaged = true;
        }
        self.dirty = true;
    }

    fn synchronize(&mut self, immed: bool, timeout: Duration) -> Outcome {
        let drain = self.buffer.time_to_drain();
        self.buffer.flush();
        // CD SAO: after the last sector of the cue sheet the drive writes the lead-out.
        let closed = self.sao_finish()?;
        self.image.sync().map_err(|e| {
            tracing::error!("virtual drive: fsync failed: {e}");
            Fail::Check(Check::WRITE_ERROR)
        })?;
        if self.dirty {
            self.save_checked()?;
        }
        // Writing the lead-out takes what closing a session does.
        let lead_out = if closed {
            Duration::from_secs_f64(self.spec().close_session_s)
        } else {
            Duration::ZERO
        };
        self.take_time(drain + lead_out, immed, BusyKind::Operation, timeout)?;
        Ok(Reply::Done(0))
    }

    fn close(&mut self, c: CloseTrackSession, timeout: Duration) -> Outcome {
        let drain = self.buffer.time_to_drain();
        self.buffer.flush();
        let spec = self.spec();
        let secs = |s: f64| Duration::from_secs_f64(s);
        if self.sim_disc.take().is_some() {
            // End of a simulation run: nothing was recorded; the drive forgets it.
            self.take_time(
                drain + secs(spec.close_track_s),
                c.immed,
                BusyKind::Operation,
                timeout,
            )?;
            return Ok(Reply::Done(0));
        }
        let media = self.disc.media;
        let random = media.is_random();
        let cd_or_dvd_r = spec.uses_write_parameters;
        let finalize_by_page = self.wp.multi_session == MultiSession::NoNextSession;
        let extra = match c.function {
            CloseFunction::StopBackgroundFormat if random => 0.0,
            CloseFunction::CloseTrack => {
                self.disc.close_track(u32::from(c.number))?;
                spec.close_track_s
            }
            CloseFunction::CloseSession => {
                let fin = cd_or_dvd_r && finalize_by_page;
                self.disc.close_session(fin)?;
                if fin {
                    spec.finalize_s
                } else {
                    spec.close_session_s
                }
            }
            CloseFunction::CloseSessionExtendedLeadOut if media == Media::DvdPlusR => {
                self.disc.close_session(false)?;
                spec.close_session_s
            }
            CloseFunction::CompatibilityFinalize
                if matches!(media, Media::BdR | Media::DvdPlusR) =>
            {
                self.disc.close_session(true)?;
                spec.finalize_s
            }
            CloseFunction::FinalizeMinimalRadius if media == Media::DvdPlusR => {
                self.disc.close_session(true)?;
                spec.finalize_s
            }
            CloseFunction::FinalizeDisc if matches!(media, Media::BdR | Media::DvdPlusR) => {
                self.disc.close_session(true)?;
                spec.finalize_s
            }
            _ if random && self.disc.format.is_some() => spec.close_session_s,
            _ => return Err(Check::INVALID_FIELD_IN_CDB.into()),
        };
        self.image
            .sync()
            .map_err(|_| Fail::Check(Check::WRITE_ERROR))?;
        self.save_checked()?;
        self.take_time(drain + secs(extra), c.immed, BusyKind::Operation, timeout)?;
        Ok(Reply::Done(0))
    }

    // ----------------------------------------------------------------------------------
    // Disc and track information
    // ----------------------------------------------------------------------------------

    fn cd_address(&self, lba: u32) -> u32 {
        if self.disc.media.is_cd() {
            Msf::from_lba(lba as i32).to_address()
        } else {
            lba
        }
    }

    fn disc_information(&self) -> DiscInformation {
        let d = self.view();
        let mut r = DiscInformation::blank(self.cd_address(d.capacity));
        r.erasable = matches!(
            d.media,
            Media::CdRw | Media::DvdPlusRw | Media::DvdRam | Media::BdRe
        );
        r.disc_status = match d.disc_status() {
            DiscStatus::Empty => WireDiscStatus::Empty,
            DiscStatus::Incomplete => WireDiscStatus::Incomplete,
            DiscStatus::Complete => WireDiscStatus::Complete,
            DiscStatus::Other => WireDiscStatus::Other,
        };
        r.last_session_state = match d.last_session_state() {
            SessionState::Empty => WireSessionState::Empty,
            SessionState::Incomplete => WireSessionState::Incomplete,
            SessionState::Complete => WireSessionState::Complete,
        };
        r.sessions = d.sessions().min(u32::from(u16::MAX)) as u16;
        let last_session = d.sessions();
        let in_last: Vec<&Track> = d
            .tracks
            .iter()
            .filter(|t| t.session == last_session)
            .collect();
        let last_track = d.tracks.last().map_or(1, |t| t.number) as u16;
        r.first_track_in_last_session = in_last.first().map_or(last_track, |t| t.number as u16);
        r.last_track_in_last_session = in_last.last().map_or(last_track, |t| t.number as u16);
        if d.media == Media::DvdPlusRw && d.format.is_some() {
            r.bg_format_status = BgFormatStatus::Completed;
        }
        r.disc_id = None;
        if let Some(inv) = d.invisible() {
            // Next session's lead-in start (CD: MSF) while the disc is appendable.
            r.last_session_lead_in_start = self.cd_address(inv.start);
        } else if d.finalized {
            r.last_session_lead_in_start = 0xFFFF_FFFF;
            r.last_possible_lead_out_start = 0xFFFF_FFFF;
        }
        r
    }

    fn track_information(
        &self,
        address: TrackAddress,
        _open: bool,
    ) -> Result<TrackInformation, Fail> {
        let d = self.view();
        if d.media.is_random() {
            let n = match address {
                TrackAddress::Lba(l) if l < d.capacity => 1,
                TrackAddress::Track(1) | TrackAddress::Session(1) => 1,
                TrackAddress::Track(INVISIBLE_TRACK) => 1,
                _ => return Err(Check::INVALID_FIELD_IN_CDB.into()),
            };
            let mut t = TrackInformation::blank_track(n, 1, 0, d.capacity);
            t.blank = d.format.is_none();
            t.nwa = None;
            t.free_blocks = 0;
            t.track_mode = 7;
            t.last_recorded = d.format.map(|_| d.capacity.saturating_sub(1));
            return Ok(t);
        }
        let t = match address {
            TrackAddress::Lba(l) => d.track_at(l),
            TrackAddress::Track(INVISIBLE_TRACK) => d.invisible(),
            TrackAddress::Track(n) => d.track(n),
            TrackAddress::Session(s) => d.tracks.iter().find(|t| t.session == s),
        }
        .ok_or(Fail::Check(Check::INVALID_FIELD_IN_CDB))?;
        let cap = d.capacity;
        let mut r =
            TrackInformation::blank_track(t.number as u16, t.session as u16, t.start, t.size(cap));
        r.blank = t.written == 0 && !t.closed;
        r.rt = t.reserved.is_some() && !t.closed;
        r.damage = t.damaged;
        r.free_blocks = t.free(cap);
        r.nwa = (!t.closed && t.free(cap) > 0).then(|| t.nwa());
        r.last_recorded = (t.written > 0).then(|| t.nwa() - 1);
        if d.media.is_cd() {
            r.track_mode = if t.audio { 0 } else { 4 };
            r.data_mode = if t.audio {
                DataMode::Unspecified
            } else {
                DataMode::Mode1
            };
            r.packet = self.wp.write_type == WriteType::PacketIncremental;
        } else {
            r.track_mode = 7;
            r.packet =
                d.media == Media::DvdMinusR && self.wp.write_type == WriteType::PacketIncremental;
        }
        if t.is_invisible() {
            r.size = t.size(cap);
        }
        Ok(r)
    }

    fn read_toc(&self, c: &ReadTocPmaAtip) -> Outcome {
        let d = self.view();
        let recorded: Vec<&Track> = d
            .tracks
            .iter()
            .filter(|t| t.written > 0 || t.closed)
            .collect();
        if recorded.is_empty() && !d.media.is_random() {
            return Err(Check::INVALID_FIELD_IN_CDB.into());
        }
        let addr = |lba: u32| {
            if c.msf {
                Msf::from_lba(lba as i32).to_address()
            } else {
                lba
            }
        };
        let control = |t: &Track| {
            if t.audio {
                0
            } else if t.closed {
                4
            } else {
                5
            }
        };
        let alloc = usize::from(c.alloc);
        match c.format {
            TocFormat::Toc => {
                let mut tracks: Vec<TocTrack> = recorded
                    .iter()
                    .filter(|t| t.number >= u32::from(c.track_session).max(1))
                    .map(|t| TocTrack {
                        adr: 1,
                        control: control(t),
                        track: t.number as u8,
                        address: addr(t.start),
                    })
                    .collect();
                if d.media.is_random() && d.format.is_some() {
                    tracks.push(TocTrack {
                        adr: 1,
                        control: 4,
                        track: 1,
                        address: addr(0),
                    });
                }
                if tracks.is_empty() && c.track_session != LEAD_OUT_TRACK {
                    return Err(Check::INVALID_FIELD_IN_CDB.into());
                }
                let first = recorded.first().map_or(1, |t| t.number as u8);
                let last = recorded.last().map_or(1, |t| t.number as u8);
                tracks.push(TocTrack {
                    adr: 1,
                    control: 4,
                    track: LEAD_OUT_TRACK,
                    address: addr(d.recorded_end()),
                });
                let r = Toc {
                    first_track: first,
                    last_track: last,
                    tracks,
                };
                Ok(Reply::Data(
                    emit_with(r.buffer_len(), |b| r.emit(b))?,
                    alloc,
                ))
            }
            TocFormat::SessionInfo => {
                let complete = d.closed_sessions.max(1);
                let first_of_last = recorded
                    .iter()
                    .find(|t| t.session == complete)
                    .or(recorded.first())
                    .map(|t| TocTrack {
                        adr: 1,
                        control: control(t),
                        track: t.number as u8,
                        address: addr(t.start),
                    });
                let r = SessionInfo {
                    first_session: 1,
                    last_session: complete.min(255) as u8,
                    last_session_first_track: first_of_last,
                };
                Ok(Reply::Data(
                    emit_with(r.buffer_len(), |b| r.emit(b))?,
                    alloc,
                ))
            }
            _ => Err(Check::INVALID_FIELD_IN_CDB.into()),
        }
    }

    // ----------------------------------------------------------------------------------
    // Speeds
    // ----------------------------------------------------------------------------------

    fn get_performance(&self, c: &GetPerformance) -> Outcome {
        let max = usize::from(c.max_descriptors);
        match c.kind {
            PerformanceType::Performance => {
                let mut nominal = Vec::new();
                if c.except == Except::Nominal && c.write {
                    let last = self.disc.capacity.saturating_sub(1);
                    for s in self.curve().iter().flat_map(|c| c.segments().iter()) {
                        if s.end_lba <= c.start_lba && s.end_lba < self.disc.capacity {
                            continue;
                        }
                        nominal.push(NominalPerformance {
                            start_lba: s.start_lba,
                            start_kbps: self.sps_to_kbps(s.start_sps),
                            end_lba: s.end_lba.saturating_sub(1).min(last),
                            end_kbps: self.sps_to_kbps(s.end_sps),
                        });
                    }
                    nominal.truncate(max);
                } else if c.except == Except::Nominal {
                    // Reads: the selected read speed's curve, which spans the nominal disc,
                    // cut at the recorded capacity (what READ takes, see `read_time`).
                    let cap = self.disc.capacity.max(1);
                    let curve = self.read_curve();
                    for s in curve.segments() {
                        let end = s.end_lba.min(cap);
                        if s.start_lba >= cap || end <= c.start_lba {
                            continue;
                        }
                        nominal.push(NominalPerformance {
                            start_lba: s.start_lba,
                            start_kbps: self.sps_to_kbps(s.start_sps),
                            end_lba: end - 1,
                            end_kbps: self.sps_to_kbps(curve.speed_at(f64::from(end))),
                        });
                    }
                    nominal.truncate(max);
                }
                let r = PerformanceData {
                    write: c.write,
                    nominal,
                    exceptions: Vec::new(),
                    except: false,
                };
                Ok(Reply::Data(
                    emit_with(r.buffer_len(), |b| r.emit(b))?,
                    usize::MAX,
                ))
            }
            PerformanceType::WriteSpeed => {
                let fam = self.family();
                let end_lba = self.disc.capacity.saturating_sub(1);
                let mut descriptors: Vec<WriteSpeedDescriptor> = self
                    .spec()
                    .write_speeds
                    .iter()
                    .rev()
                    .map(|s| WriteSpeedDescriptor {
                        wrc: s.rotation.wrc(),
                        rdd: false,
                        exact: false,
                        mrw: false,
                        end_lba,
                        read_kbps: self.read_kbps(),
                        write_kbps: x_to_kbps(fam, s.x).unwrap_or(0),
                    })
                    .collect();
                if self.disc.finalized || self.spec().recording == Recording::ReadOnly {
                    descriptors.clear();
                }
                descriptors.truncate(max);
                let r = WriteSpeedData { descriptors };
                Ok(Reply::Data(
                    emit_with(r.buffer_len(), |b| r.emit(b))?,
                    usize::MAX,
                ))
            }
            _ => Err(Check::INVALID_FIELD_IN_CDB.into()),
        }
    }

    fn dispatch_more(
        &mut self,
        op: OpCode,
        cdb: &[u8],
        data: &mut DataPhase<'_>,
        timeout: Duration,
    ) -> Outcome {
        match op {
            OpCode::Inquiry => {
                let c: Inquiry = parse(cdb)?;
                if c.evpd || c.page_code != 0 {
                    return Err(Check::INVALID_FIELD_IN_CDB.into());
                }
                let r = InquiryData::mmc(INQUIRY_VENDOR, INQUIRY_PRODUCT, INQUIRY_REVISION);
                Ok(Reply::Data(
                    emit_with(r.buffer_len(), |b| r.emit(b))?,
                    usize::from(c.alloc),
                ))
            }
            OpCode::RequestSense => {
                let c: RequestSense = parse(cdb)?;
                // The sense a drive holds: a pending unit attention, no medium, or the
                // progress of a background operation; otherwise NO SENSE.
                let now = self.clock.now();
                let held = self
                    .unit_attention
                    .take()
                    .or_else(|| (!self.present).then_some(Check::MEDIUM_NOT_PRESENT))
                    .or_else(|| self.busy_check(now));
                let mut s = match held {
                    Some(h) => Self::sense_of(&h),
                    None => Sense::new(SenseKey::NoSense, 0, 0),
                };
                if c.desc {
                    s = s.in_descriptor_format();
                }
                Ok(Reply::Data(
                    emit_with(s.buffer_len(), |b| s.emit(b))?,
                    usize::from(c.alloc),
                ))
            }
            OpCode::StartStopUnit => {
                let c: StartStopUnit = parse(cdb)?;
                if c.load_eject {
                    if c.start {
                        if !self.present {
                            self.present = true;
                            self.unit_attention = Some(Check::MEDIUM_CHANGED);
                            self.media_event = Some(MediaEventCode::NewMedia);
                            self.control
                                .lock()
                                .faults
                                .retain(|f| *f != Fault::MediumRemoved);
                        }
                    } else {
                        if self.prevent {
                            // 05/53/02 MEDIUM REMOVAL PREVENTED.
                            return Err(Check {
                                key: 5,
                                asc: 0x53,
                                ascq: 0x02,
                                progress: None,
                                info: None,
                            }
                            .into());
                        }
                        self.buffer.flush();
                        self.reader.park(0);
                        if self.dirty {
                            self.save_checked()?;
                        }
                        self.present = false;
                        self.media_event = Some(MediaEventCode::MediaRemoval);
                    }
                }
                Ok(Reply::Done(0))
            }
            OpCode::PreventAllowMediumRemoval => {
                let c: PreventAllowMediumRemoval = parse(cdb)?;
                self.prevent = c.prevent;
                Ok(Reply::Done(0))
            }
            OpCode::GetConfiguration => {
                let c: GetConfiguration = parse(cdb)?;
                let v = features::configuration(self.view(), self.present).respond(&c);
                Ok(Reply::Data(v, usize::from(c.allocation_length)))
            }
            OpCode::GetEventStatusNotification => {
                let c: GetEventStatusNotification = parse(cdb)?;
                if !c.polled {
                    return Err(Check::INVALID_FIELD_IN_CDB.into());
                }
                let r = if c.classes.has(NotificationClass::Media) {
                    let code = self.media_event.take().unwrap_or(MediaEventCode::NoChange);
                    EventStatus::media(
                        MediaEvent {
                            code,
                            media_present: self.present,
                            door_open: false,
                            start_slot: 0,
                            end_slot: 0,
                        },
                        EventClasses::MEDIA,
                    )
                } else {
                    EventStatus {
                        nea: true,
                        class: NotificationClass::NoRequestedClass,
                        supported: EventClasses::MEDIA,
                        descriptor: None,
                    }
                };
                Ok(Reply::Data(
                    emit_with(r.buffer_len(), |b| r.emit(b))?,
                    usize::from(c.alloc),
                ))
            }
            OpCode::ReadFormatCapacities => {
                let c: ReadFormatCapacities = parse(cdb)?;
                let r = self.format_capacities();
                Ok(Reply::Data(
                    emit_with(r.buffer_len(), |b| r.emit(b))?,
                    usize::from(c.alloc),
                ))
            }
            OpCode::FormatUnit => {
                let c: FormatUnit = parse(cdb)?;
                self.format_unit(c, data, timeout)
            }
            OpCode::Blank => {
                let c: Blank = parse(cdb)?;
                self.blank(c, timeout)
            }
            OpCode::SendCueSheet => self.send_cue_sheet(cdb, data),
            OpCode::MechanismStatus => self.mechanism_status(cdb),
            _ => self.dispatch_mode(op, cdb, data),
        }
    }

    fn dispatch_mode(&mut self, op: OpCode, cdb: &[u8], data: &mut DataPhase<'_>) -> Outcome {
        match op {
            OpCode::ModeSense10 => {
                let c: ModeSense10 = parse(cdb)?;
                let pages: Vec<Vec<u8>> = match c.page_code {
                    0x01 | 0x05 | 0x2A if c.subpage == 0 => {
                        vec![self.mode_page(c.page_code, c.pc)?]
                    }
                    ALL_PAGES => [0x01, 0x05, 0x2A]
                        .iter()
                        .map(|&p| self.mode_page(p, c.pc))
                        .collect::<Result<_, _>>()?,
                    _ => return Err(Check::INVALID_FIELD_IN_CDB.into()),
                };
                let refs: Vec<&[u8]> = pages.iter().map(|p| p.as_slice()).collect();
                Ok(Reply::Data(
                    mode_sense_answer(&refs),
                    usize::from(c.allocation_length),
                ))
            }
            OpCode::ModeSelect10 => {
                let c: ModeSelect10 = parse(cdb)?;
                let DataPhase::Out(buf) = data else {
                    return Err(Check::PARAMETER_LIST_LENGTH.into());
                };
                let len = usize::from(c.parameter_list_length);
                if len > buf.len() {
                    return Err(Check::PARAMETER_LIST_LENGTH.into());
                }
                self.mode_select(&buf[..len])?;
                Ok(Reply::Done(len))
            }
            _ => Err(Check::INVALID_OPCODE.into()),
        }
    }

    /// One mode page in the requested page control (current, changeable mask, default).
    fn mode_page(&self, code: u8, pc: PageControl) -> Result<Vec<u8>, Fail> {
        if pc == PageControl::Saved {
            // 05/39/00 SAVING PARAMETERS NOT SUPPORTED.
            return Err(Check {
                key: 5,
                asc: 0x39,
                ascq: 0,
                progress: None,
                info: None,
            }
            .into());
        }
        let changeable = pc == PageControl::Changeable;
        match code {
            0x01 => {
                let p = ErrorRecoveryPage {
                    ps: false,
                    error_recovery: if changeable { 0xFF } else { 0x00 },
                    read_retry_count: if changeable { 0xFF } else { 0x10 },
                    emcdr: 0,
                    write_retry_count: if changeable { 0xFF } else { 0x10 },
                    recovery_time_limit: 0,
                };
                emit_with(p.buffer_len(), |b| p.emit(b))
            }
            0x05 => {
                let p = match pc {
                    PageControl::Changeable => WriteParametersPage {
                        bufe: true,
                        ls_v: false,
                        test_write: true,
                        write_type: WriteType::Unknown(0x0F),
                        multi_session: MultiSession::Unknown(0x03),
                        fp: true,
                        copy: true,
                        track_mode: 0x0F,
                        data_block_type: DataBlockType::Unknown(0x0F),
                        link_size: 0xFF,
                        packet_size: u32::MAX,
                        audio_pause_length: u16::MAX,
                        ..WriteParametersPage::default()
                    },
                    PageControl::Default => default_write_params(self.disc.media),
                    _ => self.wp,
                };
                emit_with(p.buffer_len(), |b| p.emit(b))
            }
            0x2A => {
                let p = if changeable {
                    CapabilitiesPage::default()
                } else {
                    self.capabilities_page()
                };
                emit_with(p.buffer_len(), |b| p.emit(b))
            }
            _ => Err(Check::INVALID_FIELD_IN_CDB.into()),
        }
    }

    /// Mode page 2Ah: what this drive reads and writes, buffer, speeds.
    fn capabilities_page(&self) -> CapabilitiesPage {
        let fam = self.family();
        let speeds: Vec<CapabilitiesWriteSpeed> = self
            .spec()
            .write_speeds
            .iter()
            .rev()
            .map(|s| CapabilitiesWriteSpeed {
                rotation: s.rotation.wrc(),
                write_kbps: x_to_kbps(fam, s.x).unwrap_or(0).min(0xFFFF) as u16,
            })
            .collect();
        let cur = self.write_kbps().min(0xFFFF) as u16;
        CapabilitiesPage {
            // CD-R, CD-RW, DVD-ROM, DVD-R, DVD-RAM read; CD-R, CD-RW, test write, DVD-R, DVD-RAM write.
            read: 0x3B,
            write: 0x37,
            // BUF (underrun-free), tray loading, eject, lock.
            mechanism: [0x80, 0x00, 0x29, 0x00],
            max_read_kbps: self.max_read_kbps().min(0xFFFF) as u16,
            buffer_size_kib: (self.buffer.capacity() / 1024).min(0xFFFF) as u16,
            current_read_kbps: self.read_kbps().min(0xFFFF) as u16,
            max_write_kbps: speeds.first().map_or(0, |s| s.write_kbps),
            current_write_kbps_legacy: cur,
            rotation: self
                .speed_def()
                .map_or(discburn_mmc::speed::RotationControl::Clv, |s| {
                    s.rotation.wrc()
                }),
            current_write_kbps: cur,
            write_speeds: speeds,
            ..CapabilitiesPage::default()
        }
    }

    /// MODE SELECT(10): the Write Parameters page is validated against the medium and
    /// kept; page 01h is accepted; anything else is an invalid parameter.
    fn mode_select(&mut self, list: &[u8]) -> Result<(), Fail> {
        if list.len() < MODE_HEADER10_LEN {
            return Err(Check::PARAMETER_LIST_LENGTH.into());
        }
        let header =
            ModeHeader10::parse(list).map_err(|_| Fail::Check(Check::PARAMETER_LIST_LENGTH))?;
        let skip = MODE_HEADER10_LEN + usize::from(header.block_descriptor_length);
        if skip > list.len() {
            return Err(Check::PARAMETER_LIST_LENGTH.into());
        }
        // MODE SELECT's Mode Data Length is reserved (zero): walk the pages as if it
        // covered the whole list.
        let mut walk = list.to_vec();
        wire::put_be16(
            &mut walk,
            0,
            (list.len() - 2).min(usize::from(u16::MAX)) as u16,
        );
        let mut new_wp = None;
        for page in ModePages::new(&walk) {
            if !page.is_complete() {
                return Err(Check::PARAMETER_LIST_LENGTH.into());
            }
            match page.page_code() {
                0x05 => {
                    let p = WriteParametersPage::parse(page.bytes())
                        .map_err(|_| Fail::Check(Check::INVALID_FIELD_IN_PARAMETER_LIST))?;
                    self.check_write_params(&p)?;
                    new_wp = Some(p);
                }
                0x01 => {
                    ErrorRecoveryPage::parse(page.bytes())
                        .map_err(|_| Fail::Check(Check::INVALID_FIELD_IN_PARAMETER_LIST))?;
                }
                _ => return Err(Check::INVALID_FIELD_IN_PARAMETER_LIST.into()),
            }
        }
        if let Some(p) = new_wp {
            self.wp = WriteParametersPage { ps: false, ..p };
        }
        Ok(())
    }

    /// Rules a drive applies to a Write Parameters page for the medium inserted; DVD+R/RW,
    /// DVD-RAM and BD drives accept the page and ignore it.
    fn check_write_params(&self, p: &WriteParametersPage) -> Result<(), Fail> {
        let wt = u8::from(p.write_type);
        let rejected = self.control.lock().faults.iter().any(|f| match f {
            Fault::RejectWriteMode(None) => true,
            Fault::RejectWriteMode(Some(t)) => *t == wt,
            _ => false,
        });
        if rejected {
            return Err(Check::INVALID_FIELD_IN_PARAMETER_LIST.into());
        }
        if !self.spec().uses_write_parameters {
            return Ok(());
        }
        let ok = if self.disc.media.is_cd() {
            matches!(
                p.write_type,
                WriteType::PacketIncremental | WriteType::Tao | WriteType::SaoDao | WriteType::Raw
            ) && matches!(p.data_block_type.block_size(), Some(2048) | Some(2352))
        } else {
            // DVD-R: incremental or DAO; no TAO/raw.
            matches!(
                p.write_type,
                WriteType::PacketIncremental | WriteType::SaoDao
            )
        };
        if ok {
            Ok(())
        } else {
            Err(Check::INVALID_FIELD_IN_PARAMETER_LIST.into())
        }
    }

    fn format_capacities(&self) -> FormatCapacities {
        let d = &self.disc;
        let options = format_options(d.media);
        let current = match d.format {
            Some(_) => CapacityDescriptor {
                number_of_blocks: d.capacity,
                descriptor_type: CapacityDescriptorType::Formatted,
                block_length: 2048,
            },
            None if d.media.is_sequential() && d.disc_status() != DiscStatus::Empty => {
                CapacityDescriptor {
                    number_of_blocks: d.recorded_end(),
                    descriptor_type: CapacityDescriptorType::Formatted,
                    block_length: 2048,
                }
            }
            None => CapacityDescriptor {
                number_of_blocks: d.capacity,
                descriptor_type: CapacityDescriptorType::Unformatted,
                block_length: 2048,
            },
        };
        let formattable = if d.media == Media::BdR && d.disc_status() != DiscStatus::Empty {
            Vec::new()
        } else {
            options
                .iter()
                .filter(|o| {
                    d.media != Media::DvdRam || o.format_type != 0x01 || d.can_expand_spare()
                })
                .map(|o| FormattableCapacity {
                    number_of_blocks: o.blocks,
                    format_type: FormatType::from(o.format_type),
                    type_dependent: o.param,
                })
                .collect()
        };
        FormatCapacities {
            current,
            formattable,
        }
    }

    fn format_unit(
        &mut self,
        c: FormatUnit,
        data: &mut DataPhase<'_>,
        timeout: Duration,
    ) -> Outcome {
        if !c.fmt_data {
            return Err(Check::INVALID_FIELD_IN_CDB.into());
        }
        let DataPhase::Out(buf) = data else {
            return Err(Check::PARAMETER_LIST_LENGTH.into());
        };
        let list = FormatParameterList::parse(buf)
            .map_err(|_| Fail::Check(Check::PARAMETER_LIST_LENGTH))?;
        let desc = list.descriptor;
        let ft = u8::from(desc.format_type);
        let option = self.disc.format(ft, desc.number_of_blocks)?;
        // A BD-R laid out anew, or a DVD-RAM fully formatted, holds no data any more (a
        // DVD-RAM spare expansion keeps it).
        if self.disc.media == Media::BdR || (self.disc.media == Media::DvdRam && ft == 0x00) {
            self.image
                .truncate()
                .map_err(|_| Fail::Check(Check::WRITE_ERROR))?;
        }
        self.sim_disc = None;
        self.buffer.flush();
        self.reader.park(0);
        self.apply_speed();
        self.save_checked()?;
        // Quick formats: DVD+RW formats in the background (a couple of seconds before the
        // drive is ready), as does a DVD-RAM spare expansion (a defect list update); BD
        // takes about a minute to lay out the spare areas, a DVD-RAM full format without
        // certification the same.
        let secs = match self.disc.media {
            Media::DvdPlusRw => 2.0,
            Media::DvdRam if ft == 0x01 => 2.0,
            _ if option.param == 0 => 20.0,
            _ => 60.0,
        };
        self.take_time(
            Duration::from_secs_f64(secs),
            list.immed,
            BusyKind::Format,
            timeout,
        )?;
        Ok(Reply::Done(buf.len()))
    }

    fn blank(&mut self, c: Blank, timeout: Duration) -> Outcome {
        self.disc.blank_disc(c.blanking_type.code())?;
        self.sim_disc = None;
        self.buffer.flush();
        self.reader.park(0);
        if matches!(c.blanking_type, BlankingType::Full | BlankingType::Minimal) {
            self.image
                .truncate()
                .map_err(|_| Fail::Check(Check::WRITE_ERROR))?;
        } else if c.blanking_type == BlankingType::EraseSession {
            // The erased session's sectors must not come back as an interrupted burn's
            // (see `DiscState::recover_interrupted`).
            let end = u64::from(self.disc.recorded_end()) * u64::from(self.disc.slot);
            self.image
                .truncate_to(end)
                .map_err(|_| Fail::Check(Check::WRITE_ERROR))?;
        }
        self.save_checked()?;
        // Full blanking rewrites the whole disc at the selected speed; minimal blanking
        // erases the PMA, lead-in and first track's pre-gap (≈ 30 s at 4x-10x).
        let d = match c.blanking_type {
            BlankingType::Full => {
                let x = self.speed_def().map_or(4.0, |s| s.x);
                Duration::from_secs_f64(f64::from(self.disc.capacity) / (75.0 * x))
            }
            _ => Duration::from_secs(30),
        };
        self.take_time(d, c.immed, BusyKind::Operation, timeout)?;
        Ok(Reply::Done(0))
    }

    /// The mmc sense for a model condition.
    fn sense_of(c: &Check) -> Sense {
        let mut s = Sense::new(SenseKey::from(c.key), c.asc, c.ascq);
        if let Some(p) = c.progress {
            s = s.with_progress(f32::from(p) / 65536.0);
        }
        if let Some(i) = c.info {
            s = s.with_information(u64::from(i));
        }
        s
    }

    /// Autosense bytes of a failed command (fixed format).
    fn sense_bytes(c: &Check) -> Vec<u8> {
        Self::sense_of(c).to_fixed_vec()
    }

    fn refresh_stats(&self, op: u8, check: bool, timeout: bool) {
        let mut s = self.control.lock();
        let st = &mut s.stats;
        st.commands += 1;
        *st.per_opcode.entry(op).or_insert(0) += 1;
        st.check_conditions += u64::from(check);
        st.timeouts += u64::from(timeout);
        st.underruns = self.buffer.underruns();
        st.buffer_capacity = self.buffer.capacity();
        st.buffer_fill = self.buffer.fill_bytes();
        st.current_speed_sectors_per_second = self.buffer.speed_now();
        st.selected_write_speed_kbps = self.write_kbps();
        st.selected_read_speed_kbps = self.read_kbps();
    }
}

fn first_in(r: &std::ops::RangeInclusive<u32>, lba: u32, end: u32) -> Option<u32> {
    let lo = (*r.start()).max(lba);
    (lo <= *r.end() && lo < end).then_some(lo)
}

/// Index of the nearest offered speed at or below `x` (the slowest if below all).
fn round_down(speeds: &[SpeedDef], x: f64) -> usize {
    speeds.iter().rposition(|s| s.x <= x + 1e-9).unwrap_or(0)
}

impl Transport for VirtualDrive {
    fn execute(&mut self, request: Request<'_>) -> Result<Completion, TransportError> {
        request.check()?;
        let Request {
            cdb,
            mut data,
            timeout,
        } = request;
        let op = cdb[0];
        let hang = self.take_fault(|f| match f {
            Fault::Hang { opcode, count } if opcode.is_none_or(|o| o == op) && *count > 0 => {
                *count -= 1;
                Some(*count == 0)
            }
            _ => None,
        });
        if hang {
            self.clock.sleep(timeout);
            self.refresh_stats(op, false, true);
            return Err(TransportError::Timeout(timeout));
        }
        if self.take_fault(|f| matches!(f, Fault::MediumChanged).then_some(true)) {
            self.unit_attention.get_or_insert(Check::MEDIUM_CHANGED);
            self.media_event = Some(MediaEventCode::MediaChanged);
        }
        let removed = self.control.lock().faults.contains(&Fault::MediumRemoved);
        if removed && self.present {
            self.present = false;
            self.media_event = Some(MediaEventCode::MediaRemoval);
        }
        if self.take_fault(|f| matches!(f, Fault::Reset).then_some(true)) {
            // Power-on reset: the buffer's contents are lost, mode pages back to defaults.
            self.unit_attention = Some(Check::POWER_ON_RESET);
            self.buffer.flush();
            self.reader.park(0);
            self.wp = default_write_params(self.disc.media);
            self.sim_disc = None;
            self.busy = None;
        }
        let now = self.clock.now();
        self.buffer.advance(now);
        let result = self.dispatch(OpCode::from(op), cdb, &mut data, timeout);
        let out = match result {
            Ok(Reply::Done(n)) => Ok(Completion::good(n)),
            Ok(Reply::Data(bytes, alloc)) => {
                let n = match &mut data {
                    DataPhase::In(buf) => {
                        let n = bytes.len().min(alloc).min(buf.len());
                        buf[..n].copy_from_slice(&bytes[..n]);
                        n
                    }
                    _ => 0,
                };
                Ok(Completion::good(n))
            }
            Err(Fail::Check(c)) => Ok(Completion::check_condition(Self::sense_bytes(&c), 0)),
            Err(Fail::Timeout(d)) => Err(TransportError::Timeout(d)),
        };
        let check = matches!(&out, Ok(c) if !c.is_good());
        self.refresh_stats(op, check, out.is_err());
        out
    }

    fn limits(&self) -> Limits {
        Limits {
            max_transfer: self.cfg.max_transfer,
            alignment: 1,
            max_in_flight: 1,
        }
    }
}

impl Drop for VirtualDrive {
    fn drop(&mut self) {
        // Like a drive flushing its cache at power-down: the state must match the image.
        if self.dirty {
            if let Err(e) = self.save() {
                tracing::warn!("virtual drive: could not save state on close: {e}");
            }
        }
    }
}
