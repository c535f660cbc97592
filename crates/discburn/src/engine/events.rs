//! Progress events: `DWriteEngine2Events::Update` with every `IWriteEngine2EventArgs`
//! field, plus what IMAPI2 lacks (device buffer, minimum fills, speeds, times, phase).

use std::time::Duration;

/// Where a `write_section` is. The first event of a section is [`Phase::Starting`];
/// the last is [`Phase::Finished`], [`Phase::Cancelled`] or [`Phase::Failed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Before the first WRITE (IMAPI2's "once before the write begins").
    Starting,
    /// WRITE commands are flowing.
    Writing,
    /// The drive said its buffer is full (2/04/08) or not ready; the engine waits for it
    /// to drain.
    WaitingForDevice,
    /// The engine waits for the source to deliver data (host buffer empty).
    WaitingForSource,
    /// Cancelled: the engine is synchronising the drive cache.
    Synchronizing,
    /// Every sector was accepted by the drive.
    Finished,
    /// The write was cancelled.
    Cancelled,
    /// The write failed; `write_section` returns the error.
    Failed,
}

impl Phase {
    /// The phase's name in lower case, for logs and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Starting => "starting",
            Phase::Writing => "writing",
            Phase::WaitingForDevice => "waiting-for-device",
            Phase::WaitingForSource => "waiting-for-source",
            Phase::Synchronizing => "synchronizing",
            Phase::Finished => "finished",
            Phase::Cancelled => "cancelled",
            Phase::Failed => "failed",
        }
    }

    /// True for the three phases a section ends in.
    pub fn is_final(self) -> bool {
        matches!(self, Phase::Finished | Phase::Cancelled | Phase::Failed)
    }
}

/// The drive's buffer as READ BUFFER CAPACITY (MMC-6 §6.24) reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeviceBuffer {
    /// Buffer length in bytes.
    pub capacity: u64,
    /// Blank (free) length in bytes.
    pub free: u64,
    /// When it was read, on the engine's clock (time since the section started).
    pub sampled_at: Duration,
}

impl DeviceBuffer {
    /// Bytes held (capacity − free, never negative).
    pub fn used(&self) -> u64 {
        self.capacity.saturating_sub(self.free)
    }

    /// Fill in percent (0 when the drive reports no buffer).
    pub fn fill_percent(&self) -> f64 {
        if self.capacity == 0 {
            0.0
        } else {
            100.0 * self.used() as f64 / self.capacity as f64
        }
    }
}

/// One progress event: `IWriteEngine2EventArgs` and more.
///
/// Invariants (tested): `start_lba − 1 ≤ last_written_lba ≤ last_read_lba ≤
/// start_lba + sector_count − 1`; `used_system_buffer + free_system_buffer =
/// total_system_buffer`; `sequence` counts up from 0 within a section.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Update {
    /// Event number within this section, from 0.
    pub sequence: u64,
    /// What the engine is doing.
    pub phase: Phase,
    /// IWriteEngine2EventArgs::StartLba — the section's first LBA (may be negative).
    pub start_lba: i32,
    /// IWriteEngine2EventArgs::SectorCount — sectors in the section.
    pub sector_count: i32,
    /// IWriteEngine2EventArgs::LastReadLba — last LBA read from the source
    /// (`start_lba − 1` before any).
    pub last_read_lba: i32,
    /// IWriteEngine2EventArgs::LastWrittenLba — last LBA the drive accepted
    /// (`start_lba − 1` before any).
    pub last_written_lba: i32,
    /// IWriteEngine2EventArgs::TotalSystemBuffer — host buffer size, bytes.
    pub total_system_buffer: u64,
    /// IWriteEngine2EventArgs::UsedSystemBuffer — bytes read but not yet written.
    pub used_system_buffer: u64,
    /// IWriteEngine2EventArgs::FreeSystemBuffer — total − used.
    pub free_system_buffer: u64,
    /// Lowest `used_system_buffer` seen since the previous event (**beyond** IMAPI2).
    pub min_used_system_buffer: u64,
    /// Latest READ BUFFER CAPACITY answer; `None` until the drive buffer has filled once
    /// (polling starts only then) or when the drive does not answer it.
    pub device_buffer: Option<DeviceBuffer>,
    /// Lowest device-buffer fill (bytes) polled since the previous event; `None` until a
    /// poll has shown the buffer at least half full (an empty buffer of a drive that
    /// records as fast as it is fed is no sign of starving).
    pub min_used_device_buffer: Option<u64>,
    /// Bytes per sector of this section.
    pub bytes_per_sector: u32,
    /// Rate over the last event period, sectors/s.
    pub current_sectors_per_second: f64,
    /// Average rate the drive records at, sectors/s: since its buffer first showed full
    /// (so the buffer's fill does not count as recorded), else since the first WRITE.
    pub average_sectors_per_second: f64,
    /// `current_sectors_per_second` in multiples of the medium's 1x, when known.
    pub current_speed_x: Option<f64>,
    /// `average_sectors_per_second` in multiples of the medium's 1x, when known.
    pub average_speed_x: Option<f64>,
    /// The rate the engine expects at `last_written_lba + 1` (the start/end ramp).
    pub expected_sectors_per_second: Option<f64>,
    /// Timeout each WRITE is sent with (from chunk size and the slowest expected rate).
    pub command_timeout: Duration,
    /// Time since `write_section` started.
    pub elapsed: Duration,
    /// Estimated time until the last sector is accepted.
    pub remaining: Option<Duration>,
    /// NOT READY / LONG WRITE IN PROGRESS answers so far.
    pub device_busy_count: u64,
}

impl Update {
    /// Sectors the drive has accepted in this section.
    pub fn sectors_written(&self) -> u64 {
        (i64::from(self.last_written_lba) - i64::from(self.start_lba) + 1).max(0) as u64
    }

    /// Sectors read from the source in this section.
    pub fn sectors_read(&self) -> u64 {
        (i64::from(self.last_read_lba) - i64::from(self.start_lba) + 1).max(0) as u64
    }

    /// Progress in percent, as IMAPI2's samples compute it.
    pub fn percent(&self) -> f64 {
        if self.sector_count <= 0 {
            100.0
        } else {
            100.0 * self.sectors_written() as f64 / f64::from(self.sector_count)
        }
    }
}
