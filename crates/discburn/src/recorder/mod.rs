//! The recorder: IDiscRecorder2Ex (raw and parsed MMC access) and the parts of
//! IDiscRecorder2 a burner needs, over any [`Transport`].
//!
//! A [`Recorder`] is shared (`Arc<Recorder>`, every method takes `&self`): the write
//! engine, the burn workflow and a progress display can all hold it. Commands are
//! serialised on the transport by a mutex. Every CHECK CONDITION becomes an
//! [`Error`] carrying the sense, the CDB and the IMAPI2 HRESULT.

mod exclusive;
mod media_id;
mod mmc;
mod speed;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use discburn_mmc::clock::SharedClock;
use discburn_mmc::transport::{
    Completion, DataPhase, Limits, Request, ScsiStatus, Transport, TransportError,
};
use discburn_mmc::{Cdb, Command, OpCode};

use crate::error::{Error, ErrorKind, Result, SenseInfo};

pub use exclusive::{is_valid_client_name, MAX_CLIENT_NAME_LEN};
pub use media_id::{AtipInfo, MediaIdSource, MediaIdentity};
pub use mmc::{Identity, ModePageRequest, ReadTrackAddressType};
pub use speed::{SpeedAdjustment, SpeedSelection, WriteSpeed};

/// IMAPI2_DEFAULT_COMMAND_TIMEOUT: 10 s for ordinary commands.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// A recorder (CD/DVD/BD drive) reached through a [`Transport`]: IDiscRecorder2Ex.
pub struct Recorder {
    transport: Mutex<Box<dyn Transport>>,
    clock: SharedClock,
    id: String,
    slot: Arc<exclusive::Slot>,
    instance: u64,
}

impl core::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Recorder")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Recorder {
    /// A recorder over `transport`. `id` is its unique id (IDiscRecorder2's
    /// `ActiveDiscRecorder`; [`crate::open`] uses the address string) and the key of its
    /// exclusive-access lock; `clock` is the clock every wait on this recorder uses.
    pub fn new(transport: Box<dyn Transport>, id: impl Into<String>, clock: SharedClock) -> Self {
        let id = id.into();
        Recorder {
            transport: Mutex::new(transport),
            clock,
            slot: exclusive::slot_for(&id),
            instance: exclusive::next_instance(),
            id,
        }
    }

    /// IDiscRecorder2::ActiveDiscRecorder — the unique id this recorder was opened with.
    pub fn active_disc_recorder(&self) -> &str {
        &self.id
    }

    /// The clock this recorder (and an engine writing to it) waits on.
    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }

    /// What the transport can carry, asked afresh: a transport's limits may change
    /// while it is open (an iSCSI target widens its command window after login).
    pub fn limits(&self) -> Limits {
        self.transport
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .limits()
    }

    /// IDiscRecorder2Ex::GetByteAlignmentMask — the alignment (a power of two) data
    /// buffers need: a buffer is fine when `addr & (value − 1) == 0`.
    pub fn byte_alignment_mask(&self) -> u32 {
        u32::try_from(self.limits().alignment.max(1).next_power_of_two()).unwrap_or(u32::MAX)
    }

    /// IDiscRecorder2Ex::GetMaximumPageAlignedTransferSize — the largest data phase of one
    /// command whose buffer starts on a page boundary (the transport's limit).
    pub fn maximum_page_aligned_transfer_size(&self) -> u32 {
        u32::try_from(self.limits().max_transfer).unwrap_or(u32::MAX)
    }

    /// IDiscRecorder2Ex::GetMaximumNonPageAlignedTransferSize — the same for a buffer that
    /// does not start on a page boundary: one 4 KiB page less, since such a buffer spans
    /// one more page than its length needs.
    pub fn maximum_non_page_aligned_transfer_size(&self) -> u32 {
        let max = self.limits().max_transfer;
        let v = if max > 4096 {
            (max / 4096 - 1) * 4096
        } else {
            max
        };
        u32::try_from(v).unwrap_or(u32::MAX)
    }

    // ---- exclusive access (IDiscRecorder2) ----

    /// IDiscRecorder2::AcquireExclusiveAccess — takes (or, for the holder, counts again)
    /// the device's exclusive lock for `client_name`. While another recorder object holds
    /// it, this and every command sent through this object fail with
    /// `E_IMAPI_RECORDER_LOCKED`. `force` is accepted for IMAPI2 compatibility: there is
    /// no file-system volume to dismount here.
    pub fn acquire_exclusive_access(&self, force: bool, client_name: &str) -> Result<()> {
        let _ = force;
        if !is_valid_client_name(client_name) {
            return Err(Error::new(ErrorKind::InvalidClientName(
                client_name.to_string(),
            )));
        }
        let mut h = self.holder_unless_locked_out()?;
        match h.as_mut() {
            Some(holder) => {
                holder.count += 1;
                Ok(())
            }
            None => {
                *h = Some(exclusive::Holder {
                    instance: self.instance,
                    client: client_name.to_string(),
                    count: 1,
                });
                Ok(())
            }
        }
    }

    /// IDiscRecorder2::ReleaseExclusiveAccess — undoes one acquire; the device is free
    /// when the count reaches zero. Releasing a lock this object does not hold is
    /// `E_IMAPI_RECORDER_LOCKED` (someone else's) or a no-op (nobody's).
    pub fn release_exclusive_access(&self) -> Result<()> {
        let mut h = self.holder_unless_locked_out()?;
        match h.as_mut() {
            Some(holder) => {
                holder.count -= 1;
                if holder.count == 0 {
                    *h = None;
                }
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// IDiscRecorder2::ExclusiveAccessOwner — the client name of the holder, if any.
    pub fn exclusive_access_owner(&self) -> Option<String> {
        self.holder().as_ref().map(|h| h.client.clone())
    }

    fn holder(&self) -> MutexGuard<'_, Option<exclusive::Holder>> {
        self.slot.holder.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The lock's holder slot, unless another recorder object holds the lock
    /// (`E_IMAPI_RECORDER_LOCKED`, naming its client).
    fn holder_unless_locked_out(&self) -> Result<MutexGuard<'_, Option<exclusive::Holder>>> {
        let h = self.holder();
        match h.as_ref() {
            Some(other) if other.instance != self.instance => Err(Error::new(ErrorKind::Locked {
                owner: other.client.clone(),
            })),
            _ => Ok(h),
        }
    }

    fn check_not_locked_out(&self) -> Result<()> {
        self.holder_unless_locked_out().map(drop)
    }

    // ---- command execution ----

    /// Executes one command: the single path every command takes. Returns the bytes
    /// moved in the data phase; anything but GOOD status is an error carrying the CDB
    /// (and, for CHECK CONDITION, the decoded sense and its IMAPI2 HRESULT).
    pub fn execute(&self, cdb: &Cdb, data: DataPhase<'_>, timeout: Duration) -> Result<usize> {
        self.check_not_locked_out()?;
        // Callers slice their buffer with the count returned; a transport (a peer, a
        // driver quirk) claiming more than the buffer holds must not make that panic.
        let cap = data.len();
        let direction = Direction::of(&data);
        // Read the clock only when the log wants the line (the write path stays as is).
        let started = tracing::enabled!(tracing::Level::DEBUG).then(|| self.clock.now());
        let completion = {
            let mut t = self.transport.lock().unwrap_or_else(|p| p.into_inner());
            t.execute(Request {
                cdb: cdb.as_bytes(),
                data,
                timeout,
            })
        };
        if let Some(started) = started {
            let elapsed = self.clock.now().saturating_sub(started);
            log_command(cdb.as_bytes(), direction, cap, &completion, elapsed, 1);
        }
        let completion = completion.map_err(|e| Error::from(e).at_cdb(*cdb))?;
        outcome(*cdb, completion, cap)
    }

    /// Executes several commands in order through [`Transport::execute_queue`], which
    /// keeps up to `limits().max_in_flight` of them outstanding (the write engine's
    /// pipelining). One result per request, typed as [`Recorder::execute`]'s; a request
    /// the transport did not run after an earlier failure is an error of kind
    /// [`ErrorKind::Transport`] (`NotExecuted`). The outer error is a lock-out.
    pub fn execute_queue(&self, requests: &mut [Request<'_>]) -> Result<Vec<Result<usize>>> {
        self.check_not_locked_out()?;
        let caps: Vec<usize> = requests.iter().map(|r| r.data.len()).collect();
        let started = tracing::enabled!(tracing::Level::DEBUG).then(|| self.clock.now());
        let results = {
            let mut t = self.transport.lock().unwrap_or_else(|p| p.into_inner());
            t.execute_queue(requests)
        };
        if let Some(started) = started {
            // Queued commands overlap: each line carries the whole batch's time.
            let elapsed = self.clock.now().saturating_sub(started);
            for (req, res) in requests.iter().zip(&results) {
                let direction = Direction::of(&req.data);
                log_command(
                    req.cdb,
                    direction,
                    req.data.len(),
                    res,
                    elapsed,
                    requests.len(),
                );
            }
        }
        Ok(results
            .into_iter()
            .zip(requests.iter().zip(caps))
            .map(|(res, (req, cap))| {
                let Ok(cdb) = Cdb::from_bytes(req.cdb) else {
                    return Err(invalid(format!("a {}-byte CDB", req.cdb.len())));
                };
                let completion = res.map_err(|e| Error::from(e).at_cdb(cdb))?;
                outcome(cdb, completion, cap)
            })
            .collect())
    }

    /// Executes a typed MMC command (any `discburn_mmc` CDB struct).
    pub fn command<C: Command>(
        &self,
        command: &C,
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<usize> {
        self.execute(&command.emit(), data, timeout)
    }

    /// Executes a typed command with a data-in phase into `buf` and the default timeout;
    /// returns the bytes actually transferred (parse only `&buf[..n]`).
    pub fn command_in<C: Command>(&self, command: &C, buf: &mut [u8]) -> Result<usize> {
        self.command(command, DataPhase::In(buf), DEFAULT_COMMAND_TIMEOUT)
    }

    /// Executes a typed command without data and with the default timeout.
    pub fn command_none<C: Command>(&self, command: &C) -> Result<()> {
        self.command(command, DataPhase::None, DEFAULT_COMMAND_TIMEOUT)
            .map(|_| ())
    }

    /// IDiscRecorder2Ex::SendCommandNoData — a raw CDB without data phase.
    /// The CDB is checked as IMAPI2 does (6–16 bytes, length matching the opcode group).
    pub fn send_command_no_data(&self, cdb: &[u8], timeout: Duration) -> Result<()> {
        self.execute(&raw_cdb(cdb)?, DataPhase::None, timeout)
            .map(|_| ())
    }

    /// IDiscRecorder2Ex::SendCommandSendDataToDevice — a raw CDB with data to the device
    /// (`data` must not be empty).
    pub fn send_command_send_data_to_device(
        &self,
        cdb: &[u8],
        data: &[u8],
        timeout: Duration,
    ) -> Result<()> {
        if data.is_empty() {
            return Err(invalid("the data buffer is empty"));
        }
        self.execute(&raw_cdb(cdb)?, DataPhase::Out(data), timeout)
            .map(|_| ())
    }

    /// IDiscRecorder2Ex::SendCommandGetDataFromDevice — a raw CDB with data from the
    /// device into `buf` (not empty); returns the bytes fetched.
    pub fn send_command_get_data_from_device(
        &self,
        cdb: &[u8],
        buf: &mut [u8],
        timeout: Duration,
    ) -> Result<usize> {
        if buf.is_empty() {
            return Err(invalid("the data buffer is empty"));
        }
        self.execute(&raw_cdb(cdb)?, DataPhase::In(buf), timeout)
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        // The driver releases a crashed holder's lock; a dropped object does the same.
        let mut h = self.holder();
        if h.as_ref().is_some_and(|x| x.instance == self.instance) {
            *h = None;
        }
    }
}

/// The data phase's direction, for the log.
#[derive(Clone, Copy)]
enum Direction {
    None,
    In,
    Out,
}

impl Direction {
    fn of(data: &DataPhase<'_>) -> Direction {
        match data {
            DataPhase::None => Direction::None,
            DataPhase::In(_) => Direction::In,
            DataPhase::Out(_) => Direction::Out,
        }
    }
}

impl core::fmt::Display for Direction {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Direction::None => "none",
            Direction::In => "in",
            Direction::Out => "out",
        })
    }
}

/// Bytes as hex pairs ("2A 00 01"), formatted only when a log line is written.
struct Hex<'a>(&'a [u8]);

impl core::fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

/// One debug line per command (`--log`): its name, the CDB, the data phase, the status,
/// the raw sense bytes when there are any, and how long it took. `queued` is the size of
/// the batch it was sent in (1 for a single command).
fn log_command(
    cdb: &[u8],
    direction: Direction,
    len: usize,
    result: &core::result::Result<Completion, TransportError>,
    elapsed: Duration,
    queued: usize,
) {
    let name = cdb
        .first()
        .map_or("EMPTY CDB", |&op| OpCode::from(op).name());
    let cdb = Hex(cdb);
    let ms = format_args!("{:.3}", elapsed.as_secs_f64() * 1e3);
    match result {
        Ok(c) if c.sense.is_empty() => tracing::debug!(
            %cdb, data = %format_args!("{direction} {len}"), status = ?c.status,
            transferred = c.transferred, %ms, queued, "{name}"
        ),
        Ok(c) => tracing::debug!(
            %cdb, data = %format_args!("{direction} {len}"), status = ?c.status,
            sense = %Hex(&c.sense), transferred = c.transferred, %ms, queued, "{name}"
        ),
        Err(e) => tracing::debug!(
            %cdb, data = %format_args!("{direction} {len}"), error = %e, %ms, queued, "{name}"
        ),
    }
}

/// A completion as [`Recorder::execute`] returns it: the bytes moved (capped at the
/// buffer's `cap`) on GOOD, else an error carrying `cdb` and any sense.
fn outcome(cdb: Cdb, completion: Completion, cap: usize) -> Result<usize> {
    match completion.status {
        ScsiStatus::Good => Ok(completion.transferred.min(cap)),
        ScsiStatus::CheckCondition => Err(Error::sense(cdb, SenseInfo::from_raw(completion.sense))),
        other => Err(Error::new(ErrorKind::Status(other)).at_cdb(cdb)),
    }
}

pub(crate) fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidArgument(msg.into()))
}

/// IMAPI2's CDB check for the SendCommand* methods (imapi2-detail §3.1): 6–16 bytes and,
/// except for the listed legacy opcodes, the length the opcode's group implies.
fn raw_cdb(cdb: &[u8]) -> Result<Cdb> {
    const LEGACY: &[u8] = &[
        0x02, 0x05, 0x06, 0x09, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x13, 0x14, 0x19, 0x20, 0x21, 0x22,
        0x23, 0x24, 0x26, 0x27, 0x29, 0x2C, 0x2D,
    ];
    let c = Cdb::from_bytes(cdb)
        .map_err(|_| invalid(format!("a CDB is 6 to 16 bytes, this one is {}", cdb.len())))?;
    let op = cdb[0];
    let want = match op {
        _ if LEGACY.contains(&op) => None,
        0x00..=0x1F => Some(6),
        0x20..=0x5F => Some(10),
        0x60..=0x7F => {
            return Err(invalid(format!("opcode {op:#04x} is in a reserved group")));
        }
        0x80..=0x9F => Some(16),
        0xA0..=0xBF => Some(12),
        0xC0..=0xFF => None,
    };
    match want {
        Some(n) if n != cdb.len() => Err(invalid(format!(
            "opcode {op:#04x} needs a {n}-byte CDB, got {}",
            cdb.len()
        ))),
        _ => Ok(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use discburn_mmc::clock::SimClock;
    use discburn_mmc::transport::{Completion, TransportError};

    /// A transport whose command window widens after its first command, as an iSCSI
    /// target's does after login.
    struct Widening {
        window: usize,
    }
    impl Transport for Widening {
        fn execute(&mut self, _r: Request<'_>) -> std::result::Result<Completion, TransportError> {
            self.window = 8;
            Ok(Completion::good(0))
        }
        fn limits(&self) -> Limits {
            Limits {
                max_in_flight: self.window,
                ..Limits::default()
            }
        }
    }

    #[test]
    fn limits_are_asked_afresh() {
        let (_, clock) = SimClock::shared();
        let rec = Recorder::new(Box::new(Widening { window: 2 }), "widening", clock);
        assert_eq!(rec.limits().max_in_flight, 2);
        rec.test_unit_ready().unwrap();
        assert_eq!(rec.limits().max_in_flight, 8);
    }

    /// A transport that claims to have moved far more than any buffer holds.
    struct Overclaiming;
    impl Transport for Overclaiming {
        fn execute(&mut self, _r: Request<'_>) -> std::result::Result<Completion, TransportError> {
            Ok(Completion::good(1 << 20))
        }
        fn limits(&self) -> Limits {
            Limits::default()
        }
    }

    #[test]
    fn transferred_is_capped_at_the_buffer() {
        let (_, clock) = SimClock::shared();
        let rec = Recorder::new(Box::new(Overclaiming), "overclaiming", clock);
        let mut buf = [0u8; 8];
        let cdb = discburn_mmc::disc::ReadDiscInformation::standard();
        assert_eq!(rec.command_in(&cdb, &mut buf).unwrap(), 8);
        // Sliced `&buf[..n]` with n = 1 MiB: a panic before the cap.
        let _ = rec.track_information(discburn_mmc::track::TrackAddress::Track(1));
        let _ = rec.read_dvd_structure(0, 0, 0, 0);
        let mut reqs = [Request {
            cdb: &[0u8; 6],
            data: DataPhase::In(&mut buf),
            timeout: Duration::from_secs(1),
        }];
        let res = rec.execute_queue(&mut reqs).unwrap();
        assert_eq!(res[0].as_ref().ok(), Some(&8));
    }

    #[test]
    fn raw_cdb_group_rules() {
        assert!(raw_cdb(&[0x00; 6]).is_ok());
        assert!(raw_cdb(&[0x00; 10]).is_err());
        assert!(raw_cdb(&[0x2A; 10]).is_ok());
        assert!(raw_cdb(&[0x2A; 12]).is_err());
        assert!(raw_cdb(&[0xAA; 12]).is_ok());
        assert!(raw_cdb(&[0x60; 10]).is_err());
        assert!(raw_cdb(&[0x88; 16]).is_ok());
        // Legacy opcodes are checked for size only.
        assert!(raw_cdb(&[0x23; 12]).is_ok());
        assert!(raw_cdb(&[0xC5; 7]).is_ok());
        assert!(raw_cdb(&[0x00; 5]).is_err());
        assert_eq!(
            raw_cdb(&[0x2A; 12]).unwrap_err().hresult(),
            crate::hresult::E_INVALIDARG
        );
    }
}
