//! The drive: one dispatcher over the medium model, the buffer and the clock; each command
//! family's handlers live in their own file (`device`, `read`, `write`, `info`, `mode`,
//! `format`, `speed`), the gates every command passes in `gates`.
//!
//! Every CDB is read with the mmc crate's `Command::parse` and every response written with
//! the mmc crate's `Repr::emit`, so the drive and the host share one encoding of each.

mod cd;
mod device;
mod format;
mod gates;
mod info;
mod mode;
mod read;
mod sao;
mod speed;
mod structure;
mod write;

use std::time::Duration;

use discburn_mmc::clock::SharedClock;
use discburn_mmc::profile::MediaFamily;
use discburn_mmc::sense::Asc;
use discburn_mmc::{
    wire, Command, Completion, DataPhase, Limits, OpCode, Request, Transport, TransportError,
};

use discburn_mmc::event::MediaEventCode;

use discburn_mmc::mode::{WriteParametersPage, WriteType};

use crate::buffer::Buffer;
use crate::check::Check;
use crate::config::{SpeedRequest, VirtualDriveConfig};
use crate::control::{DriveControl, Fault};
use crate::image::Image;
use crate::media::{Media, MediaSpec, SpeedDef};
use crate::model::DiscState;
use crate::read::ReadHead;
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
    let n = f(&mut v).map_err(|_| Fail::Check(Check::illegal(Asc::INVALID_FIELD_IN_CDB)))?;
    v.truncate(n);
    Ok(v)
}

fn parse<C: Command>(cdb: &[u8]) -> Result<C, Fail> {
    C::parse(cdb).map_err(|_| Fail::Check(Check::illegal(Asc::INVALID_FIELD_IN_CDB)))
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
    pub(crate) sao: Option<sao::Sao>,
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
        let mut disc = disc;
        // `mid=` names the disc in the drive: it replaces the one its state file holds.
        let mut renamed = false;
        if let Some(mid) = &cfg.mid {
            let id = crate::media_id::MediaId::parse(disc.media, mid)?;
            renamed = disc.media_id.as_ref() != Some(&id);
            disc.media_id = Some(id);
        }
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
            dirty: fresh || recovered || renamed,
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
        if fresh || recovered || renamed {
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

    /// The medium's facts in its current state (a DVD-RW's mode, see [`DiscState::spec`]).
    pub(crate) fn spec(&self) -> MediaSpec {
        self.disc.spec()
    }

    pub(crate) fn view(&self) -> &DiscState {
        self.sim_disc.as_ref().unwrap_or(&self.disc)
    }

    fn family(&self) -> MediaFamily {
        self.spec().family
    }

    /// Saves the state file (atomically).
    pub(crate) fn save(&mut self) -> std::io::Result<()> {
        self.image.save_state(&self.disc)?;
        self.dirty = false;
        self.unsaved_blocks = None;
        Ok(())
    }

    fn save_checked(&mut self) -> Result<(), Fail> {
        self.save().map_err(|e| {
            tracing::error!("virtual drive: saving state failed: {e}");
            Fail::Check(Check::medium_error(Asc::WRITE_ERROR))
        })
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

    /// Autosense bytes of a failed command (fixed format).
    fn sense_bytes(c: &Check) -> Vec<u8> {
        c.sense().to_fixed_vec()
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

    /// The one dispatcher: every command passes the gates (pending unit attention, no
    /// medium, a background operation; `gates.rs`), then goes to its family's handler.
    fn dispatch(
        &mut self,
        op: OpCode,
        cdb: &[u8],
        data: &mut DataPhase<'_>,
        timeout: Duration,
    ) -> Outcome {
        self.gate(op)?;
        match op {
            // device.rs: identity, sense, tray, features, events
            OpCode::TestUnitReady => self.test_unit_ready(cdb),
            OpCode::Inquiry => self.inquiry(cdb),
            OpCode::RequestSense => self.request_sense(cdb),
            OpCode::StartStopUnit => self.start_stop_unit(cdb),
            OpCode::PreventAllowMediumRemoval => self.prevent_allow_medium_removal(cdb),
            OpCode::GetConfiguration => self.get_configuration(cdb),
            OpCode::GetEventStatusNotification => self.get_event_status_notification(cdb),
            OpCode::MechanismStatus => self.mechanism_status(cdb),
            // read.rs
            OpCode::Read10 => self.read10(cdb, data, timeout),
            OpCode::Read12 => self.read12(cdb, data, timeout),
            OpCode::ReadCd => self.read_cd(cdb, data, timeout),
            OpCode::ReadSubChannel => self.read_sub_channel(cdb),
            OpCode::ReadCapacity10 => self.read_capacity10(cdb),
            // write.rs: recording and closing
            OpCode::Write10 => self.write10(cdb, data, timeout),
            OpCode::Write12 => self.write12(cdb, data, timeout),
            OpCode::SynchronizeCache10 => self.synchronize_cache10(cdb, timeout),
            OpCode::ReserveTrack => self.reserve_track(cdb),
            OpCode::SendOpcInformation => self.send_opc_information(cdb, timeout),
            OpCode::CloseTrackSession => self.close_track_session(cdb, timeout),
            OpCode::SendCueSheet => self.send_cue_sheet(cdb, data),
            // info.rs: disc, track, TOC and structure information
            OpCode::ReadDiscInformation => self.read_disc_information(cdb),
            OpCode::ReadTrackInformation => self.read_track_information(cdb),
            OpCode::ReadTocPmaAtip => self.read_toc_pma_atip(cdb),
            // structure.rs: disc structures and the layer boundary
            OpCode::ReadDiscStructure => self.read_disc_structure(cdb),
            OpCode::SendDiscStructure => self.send_disc_structure(cdb, data),
            // mode.rs: mode pages
            OpCode::ModeSense10 => self.mode_sense10(cdb),
            OpCode::ModeSelect10 => self.mode_select10(cdb, data),
            // format.rs: format and blank
            OpCode::ReadFormatCapacities => self.read_format_capacities(cdb),
            OpCode::FormatUnit => self.format_unit(cdb, data, timeout),
            OpCode::Blank => self.blank(cdb, timeout),
            // speed.rs: buffer, performance and speed
            OpCode::ReadBufferCapacity => self.read_buffer_capacity(cdb),
            OpCode::GetPerformance => self.get_performance(cdb),
            OpCode::SetStreaming => self.set_streaming(cdb, data),
            OpCode::SetCdSpeed => self.set_cd_speed(cdb),
            _ => Err(Check::illegal(Asc::INVALID_COMMAND_OPERATION_CODE).into()),
        }
    }
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
            self.unit_attention
                .get_or_insert(Check::unit_attention(Asc::MEDIUM_MAY_HAVE_CHANGED));
            self.media_event = Some(MediaEventCode::MediaChanged);
        }
        let removed = self.control.lock().faults.contains(&Fault::MediumRemoved);
        if removed && self.present {
            self.present = false;
            self.media_event = Some(MediaEventCode::MediaRemoval);
        }
        if self.take_fault(|f| matches!(f, Fault::Reset).then_some(true)) {
            // Power-on reset: the buffer's contents are lost, mode pages back to defaults.
            self.unit_attention = Some(Check::unit_attention(Asc::POWER_ON_RESET));
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
