//! The write engine: IWriteEngine2, idiomatic and complete.
//!
//! [`WriteEngine::write_section`] writes `number_of_blocks` sectors read from a source to
//! the recorder starting at an LBA, synchronously, like IMAPI2. A reader thread fills
//! the *system buffer* — a pool of sector-aligned buffers, 32 MiB by default — while the
//! calling thread issues WRITE(10), or WRITE(12) with the Streaming bit. Buffers hold
//! the transport's largest transfer; each WRITE carries as much of one as the drive
//! drains within [`Timing::write_latency_budget`] (20 ms) at the expected rate — never
//! less than 64 KiB — so a cancel, checked between commands, is honoured within about
//! that budget even when a full drive holds every WRITE. When the transport pipelines
//! (`Limits::max_in_flight > 1`, iSCSI), the engine sends rounds of up to that many
//! consecutive WRITEs through `Transport::execute_queue`, the budget shared by the
//! round. Buffers are reused; with one command in flight the steady state allocates
//! nothing (a pipelined round allocates only the transport's result vector).
//!
//! The starting/ending sectors-per-second properties set the *expected rate* (a ramp
//! across the section, see [`RateModel`]); with −1 the drive's own GET PERFORMANCE
//! profile is used, and the measured rate when it offers none. That rate decides how
//! long to wait when the drive answers LONG WRITE IN PROGRESS (the time it needs to
//! drain part of its buffer), each command's timeout, and the ETA in [`Update`]
//! events. Nothing from these properties is sent to the drive: speed selection is
//! [`Recorder::set_write_speed`](crate::Recorder::set_write_speed).
//!
//! Properties are read and set through `&self`, so an engine shared as
//! `Arc<WriteEngine>` can be inspected, and cancelled, from any thread; while a write
//! runs, setters fail with `E_IMAPI_DF2DATA_WRITE_IN_PROGRESS`.

pub(crate) mod cancel;
mod events;
mod pacing;
mod pool;
mod run;
mod writer;

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crossbeam_channel::{Receiver, Sender};
use discburn_mmc::clock::SharedClock;

use crate::error::{Error, ErrorKind, Result};
use crate::recorder::{invalid, Recorder};

pub use cancel::CancelToken;
pub use events::{DeviceBuffer, Phase, Update};
pub use pacing::{RateModel, Timing, WriteGeometry, MIN_WRITE_BYTES, SLOWEST_PLAUSIBLE_SPS};

/// Default size of the system buffer: 32 MiB.
pub const DEFAULT_SYSTEM_BUFFER: usize = 32 << 20;

/// The event callback: called on the writing thread with the engine (so it can call
/// [`WriteEngine::cancel_write`], as IMAPI2's `Update` handler may) and the event.
pub type UpdateCallback = Box<dyn FnMut(&WriteEngine, &Update) + Send>;

/// What [`WriteEngine::cancel_write`] did (IWriteEngine2::CancelWrite's success codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelOutcome {
    /// A write was running and will stop (S_OK).
    Cancelled,
    /// No write is running; nothing was done (S_IMAPI_WRITE_NOT_IN_PROGRESS).
    NotInProgress,
}

#[derive(Clone)]
struct Settings {
    recorder: Option<Arc<Recorder>>,
    bytes_per_sector: i32,
    use_streaming_write12: bool,
    starting_sectors_per_second: i32,
    ending_sectors_per_second: i32,
    system_buffer_size: usize,
    max_sectors_per_write: Option<u32>,
    timing: Timing,
    clock: Option<SharedClock>,
}

/// IWriteEngine2: writes a stream of sectors to a recorder.
pub struct WriteEngine {
    settings: Mutex<Settings>,
    in_progress: AtomicBool,
    cancel: Mutex<(CancelToken, bool)>,
    callback: Mutex<Option<UpdateCallback>>,
    subscribers: Mutex<Vec<Sender<Update>>>,
    pool: Mutex<Vec<pool::AlignedBuf>>,
}

impl core::fmt::Debug for WriteEngine {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let s = self.lock_settings();
        f.debug_struct("WriteEngine")
            .field(
                "recorder",
                &s.recorder.as_ref().map(|r| r.active_disc_recorder()),
            )
            .field("bytes_per_sector", &s.bytes_per_sector)
            .field("use_streaming_write12", &s.use_streaming_write12)
            .field(
                "starting_sectors_per_second",
                &s.starting_sectors_per_second,
            )
            .field("ending_sectors_per_second", &s.ending_sectors_per_second)
            .field("write_in_progress", &self.write_in_progress())
            .finish_non_exhaustive()
    }
}

impl Default for WriteEngine {
    fn default() -> Self {
        Self::new()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl WriteEngine {
    /// A new engine (CoCreateInstance(CLSID_MsftWriteEngine2)): no recorder, bytes per
    /// sector unset (−1), WRITE(10), both speeds −1, a 32 MiB system buffer.
    pub fn new() -> Self {
        WriteEngine {
            settings: Mutex::new(Settings {
                recorder: None,
                bytes_per_sector: -1,
                use_streaming_write12: false,
                starting_sectors_per_second: -1,
                ending_sectors_per_second: -1,
                system_buffer_size: DEFAULT_SYSTEM_BUFFER,
                max_sectors_per_write: None,
                timing: Timing::default(),
                clock: None,
            }),
            in_progress: AtomicBool::new(false),
            cancel: Mutex::new((CancelToken::new(), false)),
            callback: Mutex::new(None),
            subscribers: Mutex::new(Vec::new()),
            pool: Mutex::new(Vec::new()),
        }
    }

    /// An engine already bound to `recorder` with `bytes_per_sector` set.
    pub fn with_recorder(recorder: Arc<Recorder>, bytes_per_sector: i32) -> Result<Self> {
        let e = WriteEngine::new();
        e.set_recorder(recorder)?;
        e.set_bytes_per_sector(bytes_per_sector)?;
        Ok(e)
    }

    fn lock_settings(&self) -> MutexGuard<'_, Settings> {
        lock(&self.settings)
    }

    /// Applies `f` to the settings unless a write is in progress.
    fn update(&self, f: impl FnOnce(&mut Settings) -> Result<()>) -> Result<()> {
        let mut s = self.lock_settings();
        if self.write_in_progress() {
            return Err(Error::new(ErrorKind::WriteInProgress));
        }
        f(&mut s)
    }

    /// IWriteEngine2::get_Recorder.
    pub fn recorder(&self) -> Option<Arc<Recorder>> {
        self.lock_settings().recorder.clone()
    }

    /// IWriteEngine2::put_Recorder. A bytes-per-sector already set must fit the
    /// recorder's maximum page-aligned transfer (`E_INVALIDARG` otherwise).
    pub fn set_recorder(&self, recorder: Arc<Recorder>) -> Result<()> {
        self.update(|s| {
            check_sector_fits(s.bytes_per_sector, Some(&recorder))?;
            s.recorder = Some(recorder);
            Ok(())
        })
    }

    /// IWriteEngine2::get_BytesPerSector — −1 until set.
    pub fn bytes_per_sector(&self) -> i32 {
        self.lock_settings().bytes_per_sector
    }

    /// IWriteEngine2::put_BytesPerSector — 1..=i32::MAX, and no more than the recorder's
    /// maximum page-aligned transfer when a recorder is set (`E_INVALIDARG` otherwise).
    /// Typical: 2048 (data), 2352 (raw CD), 2448 (raw + subcode).
    pub fn set_bytes_per_sector(&self, value: i32) -> Result<()> {
        self.update(|s| {
            if value < 1 {
                return Err(invalid(format!(
                    "bytes per sector must be at least 1, got {value}"
                )));
            }
            check_sector_fits(value, s.recorder.as_deref())?;
            s.bytes_per_sector = value;
            Ok(())
        })
    }

    /// IWriteEngine2::get_UseStreamingWrite12.
    pub fn use_streaming_write12(&self) -> bool {
        self.lock_settings().use_streaming_write12
    }

    /// IWriteEngine2::put_UseStreamingWrite12 — true writes with WRITE(12) and the
    /// Streaming bit (**beyond** IMAPI2, which returns E_NOTIMPL); false with WRITE(10).
    pub fn set_use_streaming_write12(&self, value: bool) -> Result<()> {
        self.update(|s| {
            s.use_streaming_write12 = value;
            Ok(())
        })
    }

    /// IWriteEngine2::get_StartingSectorsPerSecond — −1 means "maximum speed".
    pub fn starting_sectors_per_second(&self) -> i32 {
        self.lock_settings().starting_sectors_per_second
    }

    /// IWriteEngine2::put_StartingSectorsPerSecond — −1 or a positive rate
    /// (`E_INVALIDARG` otherwise).
    pub fn set_starting_sectors_per_second(&self, value: i32) -> Result<()> {
        check_speed("starting", value)?;
        self.update(|s| {
            s.starting_sectors_per_second = value;
            Ok(())
        })
    }

    /// IWriteEngine2::get_EndingSectorsPerSecond — −1 means "maximum speed".
    pub fn ending_sectors_per_second(&self) -> i32 {
        self.lock_settings().ending_sectors_per_second
    }

    /// IWriteEngine2::put_EndingSectorsPerSecond — −1 or a positive rate
    /// (`E_INVALIDARG` otherwise).
    pub fn set_ending_sectors_per_second(&self, value: i32) -> Result<()> {
        check_speed("ending", value)?;
        self.update(|s| {
            s.ending_sectors_per_second = value;
            Ok(())
        })
    }

    /// IWriteEngine2::get_WriteInProgress.
    pub fn write_in_progress(&self) -> bool {
        self.in_progress.load(Ordering::SeqCst)
    }

    /// Size of the system buffer in bytes (default 32 MiB; **beyond** IMAPI2).
    pub fn system_buffer_size(&self) -> usize {
        self.lock_settings().system_buffer_size
    }

    /// Sets the system buffer size; at least one sector. A write rounds it down to whole
    /// transfers, with a minimum of two so reading and writing overlap.
    pub fn set_system_buffer_size(&self, bytes: usize) -> Result<()> {
        self.update(|s| {
            if bytes == 0 {
                return Err(invalid("the system buffer cannot be empty"));
            }
            s.system_buffer_size = bytes;
            Ok(())
        })
    }

    /// Caps the sectors per WRITE below what the transport allows (`None` = no cap).
    pub fn set_max_sectors_per_write(&self, sectors: Option<u32>) -> Result<()> {
        self.update(|s| {
            if sectors == Some(0) {
                return Err(invalid("a WRITE carries at least one sector"));
            }
            s.max_sectors_per_write = sectors;
            Ok(())
        })
    }

    /// The timing policy (event period, buffer polling, timeouts, watchdog).
    pub fn timing(&self) -> Timing {
        self.lock_settings().timing
    }

    /// Sets the timing policy. Periods and timeouts must be non-zero and the timeout
    /// floor no higher than the ceiling.
    pub fn set_timing(&self, timing: Timing) -> Result<()> {
        let zero = [
            timing.event_period,
            timing.device_buffer_poll_period,
            timing.command_timeout_floor,
            timing.no_progress_timeout,
            timing.wait_slice,
            timing.write_latency_budget,
        ]
        .iter()
        .any(|d| d.is_zero());
        if zero
            || timing.command_timeout_floor > timing.command_timeout_ceiling
            || timing.min_busy_wait > timing.max_busy_wait
        {
            return Err(invalid(format!("inconsistent timing {timing:?}")));
        }
        self.update(|s| {
            s.timing = timing;
            Ok(())
        })
    }

    /// The clock the engine measures and waits with: set here, else the recorder's.
    pub fn set_clock(&self, clock: SharedClock) -> Result<()> {
        self.update(|s| {
            s.clock = Some(clock);
            Ok(())
        })
    }

    /// Registers the Update callback (DWriteEngine2Events::Update), replacing any other.
    /// It runs on the writing thread; keep it short.
    pub fn on_update(&self, callback: impl FnMut(&WriteEngine, &Update) + Send + 'static) {
        *lock(&self.callback) = Some(Box::new(callback));
    }

    /// Removes the Update callback.
    pub fn clear_on_update(&self) {
        *lock(&self.callback) = None;
    }

    /// A channel receiving every Update from now on (dropped receivers are forgotten).
    pub fn subscribe(&self) -> Receiver<Update> {
        let (tx, rx) = crossbeam_channel::unbounded();
        lock(&self.subscribers).push(tx);
        rx
    }

    /// The token the next (or running) write checks. Cancelling it before a write starts
    /// makes that write return `E_IMAPI_REQUEST_CANCELLED` without sending anything.
    pub fn cancel_token(&self) -> CancelToken {
        lock(&self.cancel).0.clone()
    }

    /// Makes the engine check `token` (for example one token shared by every step of a
    /// burn). An engine-made token is replaced after a cancelled write; a token set here
    /// is kept as it is.
    pub fn set_cancel_token(&self, token: CancelToken) {
        *lock(&self.cancel) = (token, true);
    }

    /// IWriteEngine2::CancelWrite — from any thread, including the Update callback.
    /// Cancels only a running write; otherwise reports [`CancelOutcome::NotInProgress`]
    /// as IMAPI2 does (use [`WriteEngine::cancel_token`] to cancel ahead of time).
    pub fn cancel_write(&self) -> CancelOutcome {
        if self.write_in_progress() {
            lock(&self.cancel).0.cancel();
            CancelOutcome::Cancelled
        } else {
            CancelOutcome::NotInProgress
        }
    }

    /// IWriteEngine2::WriteSection — writes `number_of_blocks` sectors of
    /// `bytes_per_sector` bytes read in order from `source` to the recorder, starting at
    /// LBA `starting_block_address` (negative for CD lead-in/pregap addressing).
    ///
    /// Synchronous. Returns the final [`Update`] on success. Errors carry their IMAPI2
    /// HRESULT and the last LBA written: `E_IMAPI_RECORDER_REQUIRED`, `E_INVALIDARG`,
    /// `E_IMAPI_DF2DATA_WRITE_IN_PROGRESS`, `E_IMAPI_REQUEST_CANCELLED` (after a
    /// SYNCHRONIZE CACHE; [`ErrorKind::Abandoned`] when [`CancelToken::stop_waiting`]
    /// gave up on a drive hanging in that flush), `E_IMAPI_DF2DATA_STREAM_NOT_SUPPORTED` when the source runs
    /// short (nothing past its last whole sector is written), and the device errors
    /// (`E_IMAPI_LOSS_OF_STREAMING`, `E_IMAPI_RECORDER_*`, …).
    ///
    /// Returns only after the reader thread has stopped: a source blocked inside `read`
    /// delays the return until that read completes.
    pub fn write_section<R: Read + Send>(
        &self,
        source: R,
        starting_block_address: i32,
        number_of_blocks: i32,
    ) -> Result<Update> {
        let settings = {
            let s = self.lock_settings();
            if self
                .in_progress
                .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
                .is_err()
            {
                return Err(Error::new(ErrorKind::WriteInProgress));
            }
            s.clone()
        };
        let _guard = InProgress(&self.in_progress);
        let (token, user_token) = lock(&self.cancel).clone();
        let result = run::write(
            self,
            &settings,
            &token,
            source,
            starting_block_address,
            number_of_blocks,
        );
        if token.is_cancelled() && !user_token {
            let mut c = lock(&self.cancel);
            if c.0.same_as(&token) {
                c.0 = CancelToken::new();
            }
        }
        result
    }

    /// Delivers one event to the callback and the subscribers.
    fn emit(&self, callback: &mut Option<UpdateCallback>, update: &Update) {
        if let Some(cb) = callback.as_mut() {
            cb(self, update);
        }
        lock(&self.subscribers).retain(|tx| tx.send(update.clone()).is_ok());
    }

    fn take_pool(&self) -> Vec<pool::AlignedBuf> {
        std::mem::take(&mut *lock(&self.pool))
    }

    fn return_pool(&self, bufs: Vec<pool::AlignedBuf>) {
        *lock(&self.pool) = bufs;
    }
}

/// Clears the in-progress flag however `write_section` ends.
struct InProgress<'a>(&'a AtomicBool);

impl Drop for InProgress<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

fn check_speed(which: &str, value: i32) -> Result<()> {
    if value == -1 || value > 0 {
        Ok(())
    } else {
        Err(invalid(format!(
            "{which} sectors per second must be -1 (maximum) or positive, got {value}"
        )))
    }
}

fn check_sector_fits(bytes_per_sector: i32, recorder: Option<&Recorder>) -> Result<()> {
    if let Some(r) = recorder {
        let max = r.maximum_page_aligned_transfer_size();
        if bytes_per_sector > 0 && bytes_per_sector as u32 > max {
            return Err(invalid(format!(
                "a {bytes_per_sector}-byte sector exceeds the recorder's {max}-byte maximum transfer"
            )));
        }
    }
    Ok(())
}
