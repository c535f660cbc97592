//! The one door to a device: execute a SCSI command, get its completion.
//!
//! Every backend — Linux SG_IO (`discburn-sg`), the iSCSI initiator (`discburn-iscsi`)
//! and the virtual recorder (`discburn-vdrive`) — implements [`Transport`] and nothing
//! else. Layers above never ask which backend they have: what differs between devices
//! is described by [`Limits`] and by the device's own answers.
//!
//! The model is SAM-5's execute-command procedure: a CDB, an optional data phase in one
//! direction, a timeout; the result is a SCSI status, sense data when the status is
//! CHECK CONDITION, and the number of bytes actually transferred (allocation length minus
//! residual). A failure to deliver the command at all is a [`TransportError`], never a
//! made-up status.

use std::time::Duration;

/// Shortest CDB the transport accepts (6-byte group 0 commands).
pub const MIN_CDB_LEN: usize = 6;
/// Longest CDB the transport accepts (16-byte group 4 commands; MMC uses at most 12).
pub const MAX_CDB_LEN: usize = 16;

/// The data phase of one command (SAM-5 §5.4: Data-In / Data-Out buffer).
#[derive(Debug)]
pub enum DataPhase<'a> {
    /// No data phase (TEST UNIT READY, SYNCHRONIZE CACHE, CLOSE TRACK/SESSION, …).
    None,
    /// Data from the device into this buffer; its length is the expected transfer.
    In(&'a mut [u8]),
    /// Data from this slice to the device.
    Out(&'a [u8]),
}

impl DataPhase<'_> {
    /// Number of bytes the host expects to move in this phase.
    pub fn len(&self) -> usize {
        match self {
            DataPhase::None => 0,
            DataPhase::In(b) => b.len(),
            DataPhase::Out(b) => b.len(),
        }
    }

    /// True when there is no data to move.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One SCSI command to execute.
#[derive(Debug)]
pub struct Request<'a> {
    /// The command descriptor block, 6 to 16 bytes.
    pub cdb: &'a [u8],
    /// Direction and buffer of the data phase.
    pub data: DataPhase<'a>,
    /// How long the device may take before the transport gives up and aborts the command.
    pub timeout: Duration,
}

impl<'a> Request<'a> {
    /// A command without a data phase.
    pub fn none(cdb: &'a [u8], timeout: Duration) -> Self {
        Request {
            cdb,
            data: DataPhase::None,
            timeout,
        }
    }

    /// A command that reads `buf.len()` bytes from the device.
    pub fn data_in(cdb: &'a [u8], buf: &'a mut [u8], timeout: Duration) -> Self {
        Request {
            cdb,
            data: DataPhase::In(buf),
            timeout,
        }
    }

    /// A command that sends `buf` to the device.
    pub fn data_out(cdb: &'a [u8], buf: &'a [u8], timeout: Duration) -> Self {
        Request {
            cdb,
            data: DataPhase::Out(buf),
            timeout,
        }
    }

    /// Checks the CDB length a transport may rely on (6..=16 bytes).
    pub fn check(&self) -> Result<(), TransportError> {
        if (MIN_CDB_LEN..=MAX_CDB_LEN).contains(&self.cdb.len()) {
            Ok(())
        } else {
            Err(TransportError::InvalidRequest(format!(
                "CDB is {} bytes; SCSI CDBs are {MIN_CDB_LEN} to {MAX_CDB_LEN} bytes",
                self.cdb.len()
            )))
        }
    }
}

crate::wire_enum! {
    /// SCSI status byte (SAM-5 §5.3.1).
    pub enum ScsiStatus: u8 {
        /// 00h GOOD.
        Good = 0x00 => "GOOD",
        /// 02h CHECK CONDITION: sense data describes the error.
        CheckCondition = 0x02 => "CHECK CONDITION",
        /// 04h CONDITION MET.
        ConditionMet = 0x04 => "CONDITION MET",
        /// 08h BUSY.
        Busy = 0x08 => "BUSY",
        /// 18h RESERVATION CONFLICT.
        ReservationConflict = 0x18 => "RESERVATION CONFLICT",
        /// 28h TASK SET FULL.
        TaskSetFull = 0x28 => "TASK SET FULL",
        /// 30h ACA ACTIVE.
        AcaActive = 0x30 => "ACA ACTIVE",
        /// 40h TASK ABORTED.
        TaskAborted = 0x40 => "TASK ABORTED",
        /// Any other value, kept as received.
        Unknown => "unknown status",
    }
}

/// What the device answered to one command that was delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The SCSI status. Only [`ScsiStatus::Good`] is success.
    pub status: ScsiStatus,
    /// Sense data as returned (autosense), empty unless status is CHECK CONDITION.
    /// Parse it with [`crate::sense`].
    pub sense: Vec<u8>,
    /// Bytes actually moved in the data phase (requested length minus residual).
    /// Parsers must look only at this many bytes of a Data-In buffer.
    pub transferred: usize,
}

impl Completion {
    /// A GOOD completion that moved `transferred` bytes.
    pub fn good(transferred: usize) -> Self {
        Completion {
            status: ScsiStatus::Good,
            sense: Vec::new(),
            transferred,
        }
    }

    /// A CHECK CONDITION completion with the given sense bytes.
    pub fn check_condition(sense: Vec<u8>, transferred: usize) -> Self {
        Completion {
            status: ScsiStatus::CheckCondition,
            sense,
            transferred,
        }
    }

    /// True when the status is GOOD.
    pub fn is_good(&self) -> bool {
        self.status == ScsiStatus::Good
    }
}

/// The command could not be carried to the device or back.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The device is not there any more (unplugged, connection lost, file gone).
    #[error("device gone: {0}")]
    DeviceGone(String),
    /// The command did not complete within its timeout; the transport aborted it.
    #[error("command timed out after {0:?}")]
    Timeout(Duration),
    /// The command was aborted before it completed (cancel, task management).
    #[error("command aborted: {0}")]
    Aborted(String),
    /// The command was not executed because an earlier command in the same
    /// [`Transport::execute_queue`] batch failed.
    #[error("command not executed: an earlier queued command failed")]
    NotExecuted,
    /// The request itself was malformed (bad CDB length, buffer too large for the adapter).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The peer broke the transport protocol (iSCSI PDU errors, bad digests, …).
    #[error("protocol error: {0}")]
    Protocol(String),
    /// An operating-system I/O error (SG_IO ioctl, socket, image file).
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// What a transport can carry, as IDiscRecorder2Ex reports through
/// `GetByteAlignmentMask` and `GetMaximum{,Non}PageAlignedTransferSize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest data phase of one command, in bytes.
    pub max_transfer: usize,
    /// Required alignment of data buffers in bytes (a power of two; 1 = none).
    pub alignment: usize,
    /// How many commands may be outstanding at once through [`Transport::execute_queue`].
    pub max_in_flight: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_transfer: 64 * 1024,
            alignment: 1,
            max_in_flight: 1,
        }
    }
}

/// A path to one SCSI multimedia device.
///
/// Implementations execute exactly what they are given: no retries, no sense
/// interpretation, no reordering. Retry policy lives in the layers above.
pub trait Transport: Send {
    /// Executes one command and waits for it to complete or time out.
    fn execute(&mut self, request: Request<'_>) -> Result<Completion, TransportError>;

    /// What this path can carry.
    fn limits(&self) -> Limits;

    /// Executes several commands in order, keeping up to `limits().max_in_flight`
    /// outstanding at once where the transport can (the iSCSI initiator pipelines them).
    ///
    /// Returns one result per request, in order. The default runs them one by one and
    /// stops at the first that fails (error or non-GOOD status); the rest are reported
    /// as [`TransportError::NotExecuted`]. A pipelining transport may already have
    /// executed later requests; it then reports their own results, so the caller can
    /// tell exactly which blocks reached the device.
    fn execute_queue(
        &mut self,
        requests: &mut [Request<'_>],
    ) -> Vec<Result<Completion, TransportError>> {
        let mut out = Vec::with_capacity(requests.len());
        let mut failed = false;
        for r in requests.iter_mut() {
            if failed {
                out.push(Err(TransportError::NotExecuted));
                continue;
            }
            let data = std::mem::replace(&mut r.data, DataPhase::None);
            let res = self.execute(Request {
                cdb: r.cdb,
                data,
                timeout: r.timeout,
            });
            failed = !matches!(&res, Ok(c) if c.is_good());
            out.push(res);
        }
        out
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn execute(&mut self, request: Request<'_>) -> Result<Completion, TransportError> {
        (**self).execute(request)
    }
    fn limits(&self) -> Limits {
        (**self).limits()
    }
    fn execute_queue(
        &mut self,
        requests: &mut [Request<'_>],
    ) -> Vec<Result<Completion, TransportError>> {
        (**self).execute_queue(requests)
    }
}

/// Why [`query`] got no typed response.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The command did not reach the device or come back.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The device answered with a status other than GOOD.
    #[error("status {status:?}{}", sense_text(.sense))]
    Status {
        /// The status.
        status: ScsiStatus,
        /// Sense data as returned (CHECK CONDITION); parse it with [`crate::sense`].
        sense: Vec<u8>,
    },
    /// The bytes transferred are not a valid response.
    #[error("response: {0}")]
    Parse(#[from] crate::wire::Error),
}

fn sense_text(sense: &[u8]) -> String {
    crate::sense::Sense::parse(sense)
        .map(|s| format!(": {s}"))
        .unwrap_or_default()
}

/// Sends `command`, allocates its allocation length for the answer and parses the bytes
/// actually transferred as the command's [`Query::Response`](crate::cdb::Query::Response): the one way to read
/// typed parameter data from a device.
pub fn query<Q, T>(t: &mut T, command: &Q, timeout: Duration) -> Result<Q::Response, QueryError>
where
    Q: crate::cdb::Query,
    T: Transport + ?Sized,
{
    let cdb = command.emit();
    let mut buf = vec![0u8; command.allocation_length()];
    let done = t.execute(Request::data_in(cdb.as_bytes(), &mut buf, timeout))?;
    if !done.is_good() {
        return Err(QueryError::Status {
            status: done.status,
            sense: done.sense,
        });
    }
    let got = buf.get(..done.transferred).unwrap_or(&buf);
    Ok(<Q::Response as crate::wire::Repr>::parse(got)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Scripted(Vec<Completion>);
    impl Transport for Scripted {
        fn execute(&mut self, _r: Request<'_>) -> Result<Completion, TransportError> {
            Ok(self.0.remove(0))
        }
        fn limits(&self) -> Limits {
            Limits::default()
        }
    }

    #[test]
    fn queue_stops_at_first_failure() {
        let mut t = Scripted(vec![
            Completion::good(0),
            Completion::check_condition(vec![0x70, 0, 5], 0),
            Completion::good(0),
        ]);
        let cdb = [0u8; 6];
        let mut reqs = [
            Request::none(&cdb, Duration::from_secs(1)),
            Request::none(&cdb, Duration::from_secs(1)),
            Request::none(&cdb, Duration::from_secs(1)),
        ];
        let res = t.execute_queue(&mut reqs);
        assert_eq!(res.len(), 3);
        assert!(res[0].as_ref().unwrap().is_good());
        assert_eq!(res[1].as_ref().unwrap().status, ScsiStatus::CheckCondition);
        assert!(matches!(res[2], Err(TransportError::NotExecuted)));
        assert_eq!(t.0.len(), 1, "third command must not have been executed");
    }

    /// Answers one Data-In command with `data`, reporting `transferred` bytes moved.
    struct Answer {
        data: Vec<u8>,
        status: ScsiStatus,
    }
    impl Transport for Answer {
        fn execute(&mut self, r: Request<'_>) -> Result<Completion, TransportError> {
            let DataPhase::In(buf) = r.data else {
                return Err(TransportError::InvalidRequest("not Data-In".into()));
            };
            let n = buf.len().min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            Ok(Completion {
                status: self.status,
                sense: if self.status == ScsiStatus::Good {
                    Vec::new()
                } else {
                    crate::sense::Sense::from_code(
                        crate::sense::SenseKey::NotReady,
                        crate::sense::Asc::MEDIUM_NOT_PRESENT,
                    )
                    .to_fixed_vec()
                },
                transferred: n,
            })
        }
        fn limits(&self) -> Limits {
            Limits::default()
        }
    }

    #[test]
    fn query_sends_allocates_and_parses() {
        use crate::rw::{ReadCapacity10, ReadCapacityData};
        let t = Duration::from_secs(1);
        let mut dev = Answer {
            data: vec![0, 0, 0x10, 0, 0, 0, 0x08, 0, 0xEE],
            status: ScsiStatus::Good,
        };
        let cap = query(&mut dev, &ReadCapacity10, t).unwrap();
        assert_eq!(
            cap,
            ReadCapacityData {
                last_lba: 0x1000,
                block_length: 2048
            }
        );
        // A short answer is a parse error, not a made-up value.
        dev.data.truncate(5);
        assert!(matches!(
            query(&mut dev, &ReadCapacity10, t),
            Err(QueryError::Parse(_))
        ));
        dev.status = ScsiStatus::CheckCondition;
        let e = query(&mut dev, &ReadCapacity10, t).unwrap_err();
        assert_eq!(
            e.to_string(),
            "status CheckCondition: NOT READY, MEDIUM NOT PRESENT (2/3A/00)"
        );
        // Through a trait object too.
        let dynamic: &mut dyn Transport = &mut dev;
        assert!(query(dynamic, &crate::device::Inquiry::standard(), t).is_err());
    }

    #[test]
    fn status_round_trips() {
        for v in 0..=255u8 {
            assert_eq!(u8::from(ScsiStatus::from(v)), v);
        }
    }

    #[test]
    fn cdb_length_checked() {
        let short = [0u8; 5];
        let long = [0u8; 17];
        let ok = [0u8; 12];
        let t = Duration::from_secs(1);
        assert!(Request::none(&short, t).check().is_err());
        assert!(Request::none(&long, t).check().is_err());
        assert!(Request::none(&ok, t).check().is_ok());
    }
}
