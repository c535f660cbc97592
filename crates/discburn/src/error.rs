//! The one error type: what failed, the IMAPI2 HRESULT it maps to, the sense and CDB
//! behind it, and — for writes — the last LBA the drive accepted.

use core::fmt;
use std::time::Duration;

use discburn_mmc::sense::{Asc, Refusal, Sense, SenseClass, SenseKey};
use discburn_mmc::transport::{ScsiStatus, TransportError};
use discburn_mmc::{wire, Cdb, OpCode};

use crate::hresult::{self, HResult};

/// Result with [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Sense data of a CHECK CONDITION: the typed [`Sense`] decoded once by
/// `discburn_mmc::sense` (SPC-4 §4.5), and the bytes exactly as the device returned them.
/// Every decision about it goes through [`SenseInfo::class`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenseInfo {
    /// The decoded sense; `None` when the bytes are missing or do not parse.
    pub sense: Option<Sense>,
    /// The sense bytes exactly as the device returned them.
    pub raw: Vec<u8>,
}

impl SenseInfo {
    /// Decodes sense bytes as the device returned them (fixed or descriptor format).
    pub fn from_raw(raw: Vec<u8>) -> Self {
        SenseInfo {
            sense: Sense::parse(&raw).ok(),
            raw,
        }
    }

    /// What the host does about it ([`Sense::classify`]); malformed sense is
    /// [`SenseClass::Other`]: nothing to wait for, nothing to retry.
    pub fn class(&self) -> SenseClass {
        self.sense.map_or(SenseClass::Other, |s| s.classify())
    }

    /// True when the sense has `key` and the ASC/ASCQ `code` ([`Sense::is`]).
    pub fn is(&self, key: SenseKey, code: Asc) -> bool {
        self.sense.is_some_and(|s| s.is(key, code))
    }

    /// The sense key; NO SENSE when the bytes did not parse.
    pub fn key(&self) -> SenseKey {
        self.sense.map_or(SenseKey::NoSense, |s| s.key)
    }

    /// The ASC/ASCQ; 00/00 when the bytes did not parse.
    pub fn code(&self) -> Asc {
        self.sense.map_or(Asc::NO_ADDITIONAL_SENSE, |s| s.code())
    }

    /// The ASC/ASCQ in words, as the standard names it.
    pub fn description(&self) -> &'static str {
        match &self.sense {
            Some(s) => s.asc_name().unwrap_or("unknown additional sense code"),
            None => "sense data missing or malformed",
        }
    }

    /// Progress from the sense-key-specific bytes (0..=65535 of 65536), when valid.
    pub fn progress(&self) -> Option<u16> {
        self.sense.and_then(|s| s.progress())
    }

    /// Fixed-format sense (70h/71h, 18 bytes) whatever format the device used: what
    /// IMAPI2's `SENSE_DATA` callers expect.
    pub fn to_fixed_vec(&self) -> Vec<u8> {
        match &self.sense {
            Some(s) => s.to_fixed_vec(),
            None => self.raw.clone(),
        }
    }
}

impl From<Sense> for SenseInfo {
    fn from(s: Sense) -> Self {
        SenseInfo {
            sense: Some(s),
            raw: s.to_fixed_vec(),
        }
    }
}

impl fmt::Display for SenseInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (key, code) = (self.key(), self.code());
        write!(
            f,
            "{:X}/{:02X}/{:02X} {}",
            u8::from(key),
            code.asc,
            code.ascq,
            self.description()
        )
    }
}

/// What went wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The device answered CHECK CONDITION.
    Sense(SenseInfo),
    /// The device answered a status other than GOOD or CHECK CONDITION.
    Status(ScsiStatus),
    /// The command could not be carried to the device (or timed out there).
    Transport(TransportError),
    /// The device's data could not be parsed.
    InvalidResponse(wire::Error),
    /// An argument or property value was refused.
    InvalidArgument(String),
    /// No recorder was set on the engine.
    RecorderRequired,
    /// A write is in progress: properties cannot change and a second write cannot start.
    WriteInProgress,
    /// The request was cancelled.
    Cancelled,
    /// Another client holds exclusive access.
    Locked {
        /// The holder's client name.
        owner: String,
    },
    /// The device is in use outside this process (mounted, or opened exclusively by
    /// another program or another discburn); the text says by what and how to free it.
    Busy(String),
    /// The client name for exclusive access is not valid.
    InvalidClientName(String),
    /// The source ended before the section's last sector.
    SourceExhausted {
        /// First LBA for which the source had no (whole) sector.
        lba: i32,
    },
    /// Reading the source failed.
    Source(std::io::Error),
    /// The drive accepted no sector for this long.
    NoProgress(Duration),
    /// The drive lacks something the request needs (a feature, a command).
    NotSupported(String),
    /// A second cancel gave up waiting for a command the drive cannot be stopped in (a
    /// flush, a close): the drive may still be doing what this names.
    Abandoned(&'static str),
    /// The drive named by an address could not be opened ([`crate::open`]).
    Open(OpenFailure),
    /// A defect in discburn itself (a worker thread panicked): not the drive's doing,
    /// worth a bug report with the log.
    Internal(&'static str),
}

/// Why [`crate::open`] could not open a drive address: the address (password hidden)
/// and what happened. Its `Display` is one sentence naming the address once; what to
/// try is the interface's to say, from [`OpenProblem`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenFailure {
    /// The address as given, with any CHAP secret replaced ([`crate::redact_address`]).
    pub address: String,
    /// What happened.
    pub problem: OpenProblem,
}

/// What went wrong opening a drive address.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OpenProblem {
    /// No device node at the path (ENOENT, ENXIO, ENODEV).
    NoSuchDevice,
    /// The node exists but refuses SG_IO (ENOTTY, EINVAL): not a SCSI/MMC device.
    NotADrive,
    /// This user may not open the node read-write.
    PermissionDenied,
    /// The iSCSI portal's host name does not resolve.
    UnknownHost {
        /// The host name.
        host: String,
    },
    /// The iSCSI portal refused the TCP connection: nothing listens there.
    ConnectionRefused {
        /// `HOST:PORT`.
        portal: String,
    },
    /// No TCP connection to the iSCSI portal for another reason (timeout, no route).
    Unreachable {
        /// `HOST:PORT`.
        portal: String,
        /// The socket error.
        reason: String,
    },
    /// The target refused the login with status 02/01 "authentication failure"
    /// (RFC 7143 §11.13.5), or its CHAP exchange could not be completed.
    AuthenticationFailed {
        /// Whether the address carried `user%password@`.
        credentials_given: bool,
    },
    /// The target refused the login for another reason (RFC 7143 §11.13.5 status name,
    /// e.g. "target not found").
    LoginRefused {
        /// RFC 7143's name of the status.
        status: String,
    },
    /// The login did not complete (no answer, connection lost, protocol error).
    LoginFailed {
        /// Why.
        reason: String,
    },
    /// Any other operating-system error opening the node.
    Io(String),
}

impl fmt::Display for OpenFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = &self.address;
        match &self.problem {
            OpenProblem::NoSuchDevice => write!(f, "there is no drive {a} (no such device)"),
            OpenProblem::NotADrive => write!(
                f,
                "{a} is not an optical drive (it does not answer SCSI commands)"
            ),
            OpenProblem::PermissionDenied => write!(f, "no permission to open {a}"),
            OpenProblem::UnknownHost { host } => {
                write!(f, "cannot open {a}: cannot resolve host {host}")
            }
            OpenProblem::ConnectionRefused { portal } => {
                write!(f, "cannot open {a}: {portal} refused the connection")
            }
            OpenProblem::Unreachable { portal, reason } => {
                write!(f, "cannot open {a}: no connection to {portal} ({reason})")
            }
            OpenProblem::AuthenticationFailed {
                credentials_given: true,
            } => write!(
                f,
                "cannot open {a}: the target refused the login: authentication failed \
                 (check the user name and password)"
            ),
            OpenProblem::AuthenticationFailed {
                credentials_given: false,
            } => write!(
                f,
                "cannot open {a}: the target refused the login: it requires CHAP \
                 authentication (give user%password@ in the address)"
            ),
            OpenProblem::LoginRefused { status } => {
                write!(f, "cannot open {a}: the target refused the login: {status}")
            }
            OpenProblem::LoginFailed { reason } => {
                write!(f, "cannot open {a}: the iSCSI login failed: {reason}")
            }
            OpenProblem::Io(e) => write!(f, "cannot open {a}: {e}"),
        }
    }
}

/// An error with its IMAPI2 HRESULT, the CDB and sense behind it, and, for writes, the
/// last LBA written (`start − 1` when nothing was).
#[derive(Debug)]
pub struct Error {
    // Boxed: errors travel inside larger ones (BurnError) on every Result of the
    // write path; one pointer keeps those small.
    inner: Box<Inner>,
}

#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    hresult: HResult,
    cdb: Option<Cdb>,
    last_written_lba: Option<i32>,
}

impl Error {
    /// An error of `kind` with the HRESULT this crate maps it to.
    pub fn new(kind: ErrorKind) -> Self {
        let hresult = default_hresult(&kind);
        Error::with_hresult(kind, hresult)
    }

    /// An error of `kind` with an explicit HRESULT.
    pub fn with_hresult(kind: ErrorKind, hresult: HResult) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                hresult,
                cdb: None,
                last_written_lba: None,
            }),
        }
    }

    /// A CHECK CONDITION on `cdb`, mapped through the IMAPI2 sense table.
    pub fn sense(cdb: Cdb, sense: SenseInfo) -> Self {
        let hresult = sense_hresult(Some(cdb.opcode()), &sense);
        // Rows mapping to S_OK (tolerated sense) only make sense to a caller that
        // chose to tolerate it; as an error it is a generic failure.
        let hresult = if hresult.is_success() {
            hresult::E_FAIL
        } else {
            hresult
        };
        Error {
            inner: Box::new(Inner {
                kind: ErrorKind::Sense(sense),
                hresult,
                cdb: Some(cdb),
                last_written_lba: None,
            }),
        }
    }

    /// Attaches the command that failed.
    pub fn at_cdb(mut self, cdb: Cdb) -> Self {
        self.inner.cdb = Some(cdb);
        self
    }

    /// Attaches the last LBA written before the failure.
    pub fn with_last_written_lba(mut self, lba: i32) -> Self {
        self.inner.last_written_lba = Some(lba);
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// The IMAPI2 HRESULT (e.g. `E_IMAPI_LOSS_OF_STREAMING`).
    pub fn hresult(&self) -> HResult {
        self.inner.hresult
    }

    /// The decoded sense, for a CHECK CONDITION.
    pub fn sense_info(&self) -> Option<&SenseInfo> {
        match &self.inner.kind {
            ErrorKind::Sense(s) => Some(s),
            _ => None,
        }
    }

    /// What the host does about a CHECK CONDITION ([`SenseInfo::class`]); `None` for any
    /// other failure. Every wait and retry decision above the transport reads this.
    pub fn sense_class(&self) -> Option<SenseClass> {
        self.sense_info().map(SenseInfo::class)
    }

    /// True for a UNIT ATTENTION (medium changed, power-on or bus reset, a new I_T nexus,
    /// parameters changed; SPC-4 §5.14): the drive reports each once, so the command is
    /// worth sending again.
    pub fn is_unit_attention(&self) -> bool {
        matches!(
            self.sense_class(),
            Some(SenseClass::MediumChanged | SenseClass::Reset | SenseClass::UnitAttention)
        )
    }

    /// Why an ILLEGAL REQUEST refused the command ([`Sense::refusal`]); `None` for any
    /// other failure. Every fallback on a refused command or option reads this.
    pub fn refusal(&self) -> Option<Refusal> {
        self.sense_info()
            .and_then(|s| s.sense)
            .and_then(|s| s.refusal())
    }

    /// True for a CHECK CONDITION with `key` and the ASC/ASCQ `code` ([`Sense::is`]).
    pub fn is_sense(&self, key: SenseKey, code: Asc) -> bool {
        self.sense_info().is_some_and(|s| s.is(key, code))
    }

    /// The CDB of the command that failed, when a command failed.
    pub fn cdb(&self) -> Option<&Cdb> {
        self.inner.cdb.as_ref()
    }

    /// The last LBA the drive accepted before a write failed (`start − 1` if none).
    pub fn last_written_lba(&self) -> Option<i32> {
        self.inner.last_written_lba
    }

    /// True for `E_IMAPI_REQUEST_CANCELLED`.
    pub fn is_cancelled(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::Cancelled)
    }

    /// What happened to the drive, in words, when it stopped answering or could no
    /// longer be reached (a command timeout, the watchdog, a lost connection); `None`
    /// for an answer the drive gave.
    pub fn lost_contact(&self) -> Option<&'static str> {
        match &self.inner.kind {
            ErrorKind::Transport(TransportError::Timeout(_)) | ErrorKind::NoProgress(_) => {
                Some("the drive stopped answering")
            }
            ErrorKind::Transport(
                TransportError::DeviceGone(_)
                | TransportError::Io(_)
                | TransportError::Protocol(_)
                | TransportError::Aborted(_)
                | TransportError::NotExecuted,
            ) => Some("the connection to the drive was lost"),
            _ => None,
        }
    }
}

fn sense_hresult(op: Option<OpCode>, sense: &SenseInfo) -> HResult {
    sense
        .sense
        .map_or(hresult::E_FAIL, |s| hresult::from_sense(op, &s))
}

fn default_hresult(kind: &ErrorKind) -> HResult {
    use hresult::*;
    match kind {
        ErrorKind::Sense(s) => sense_hresult(None, s),
        ErrorKind::Status(ScsiStatus::Busy | ScsiStatus::TaskSetFull) => {
            E_IMAPI_RECORDER_MEDIA_BUSY
        }
        ErrorKind::Status(ScsiStatus::ReservationConflict) => E_IMAPI_RECORDER_LOCKED,
        ErrorKind::Status(_) => E_IMAPI_UNEXPECTED_RESPONSE_FROM_DEVICE,
        ErrorKind::Transport(TransportError::Timeout(_)) => E_IMAPI_RECORDER_COMMAND_TIMEOUT,
        ErrorKind::Transport(TransportError::DeviceGone(_)) => E_DEV_NOT_EXIST,
        ErrorKind::Transport(TransportError::InvalidRequest(_)) => E_INVALIDARG,
        ErrorKind::Transport(_) => E_FAIL,
        ErrorKind::InvalidResponse(_) => E_IMAPI_RECORDER_INVALID_RESPONSE_FROM_DEVICE,
        ErrorKind::InvalidArgument(_) => E_INVALIDARG,
        ErrorKind::RecorderRequired => E_IMAPI_RECORDER_REQUIRED,
        ErrorKind::WriteInProgress => E_IMAPI_DF2DATA_WRITE_IN_PROGRESS,
        ErrorKind::Cancelled => E_IMAPI_REQUEST_CANCELLED,
        ErrorKind::Locked { .. } | ErrorKind::Busy(_) => E_IMAPI_RECORDER_LOCKED,
        ErrorKind::InvalidClientName(_) => E_IMAPI_RECORDER_CLIENT_NAME_IS_NOT_VALID,
        ErrorKind::SourceExhausted { .. } => E_IMAPI_DF2DATA_STREAM_NOT_SUPPORTED,
        ErrorKind::Source(e) if e.kind() == std::io::ErrorKind::OutOfMemory => E_OUTOFMEMORY,
        ErrorKind::Source(_) => E_FAIL,
        ErrorKind::NoProgress(_) => E_IMAPI_RECORDER_COMMAND_TIMEOUT,
        ErrorKind::NotSupported(_) => E_IMAPI_RECORDER_NO_SUCH_FEATURE,
        ErrorKind::Open(_) => E_DEV_NOT_EXIST,
        ErrorKind::Abandoned(_) => E_IMAPI_REQUEST_CANCELLED,
        ErrorKind::Internal(_) => E_UNEXPECTED,
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(cdb) = &self.inner.cdb {
            write!(f, "{}: ", cdb.opcode().name())?;
        }
        match &self.inner.kind {
            ErrorKind::Sense(s) => write!(f, "the drive answered {s}")?,
            ErrorKind::Status(st) => write!(f, "the drive answered status {st:?}")?,
            ErrorKind::Transport(e) => write!(f, "{e}")?,
            ErrorKind::InvalidResponse(e) => write!(f, "the drive's answer is invalid: {e}")?,
            ErrorKind::InvalidArgument(m) => write!(f, "invalid argument: {m}")?,
            ErrorKind::RecorderRequired => f.write_str("no recorder was set")?,
            ErrorKind::WriteInProgress => f.write_str("a write is in progress")?,
            ErrorKind::Cancelled => f.write_str("the write was cancelled")?,
            ErrorKind::Locked { owner } => {
                write!(f, "the recorder is locked for exclusive use by {owner:?}")?
            }
            ErrorKind::Busy(why) => f.write_str(why)?,
            ErrorKind::InvalidClientName(n) => write!(
                f,
                "client name {n:?} is not valid (1..=64 of 0-9 a-z A-Z space . , : ; _ -)"
            )?,
            ErrorKind::SourceExhausted { lba } => {
                write!(f, "the source ran out of data at LBA {lba}")?
            }
            ErrorKind::Source(e) => write!(f, "reading the source failed: {e}")?,
            ErrorKind::NoProgress(d) => {
                write!(f, "the drive accepted no data for {:.1} s", d.as_secs_f64())?
            }
            ErrorKind::NotSupported(m) => write!(f, "not supported by the drive: {m}")?,
            ErrorKind::Open(o) => write!(f, "{o}")?,
            ErrorKind::Internal(what) => write!(f, "internal error: {what}")?,
            ErrorKind::Abandoned(what) => write!(
                f,
                "stopped waiting for the drive, which may still be {what}"
            )?,
        }
        if let Some(lba) = self.inner.last_written_lba {
            write!(f, " (last LBA written: {lba})")?;
        }
        write!(f, " [{}]", self.inner.hresult)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.inner.kind {
            ErrorKind::Transport(e) => Some(e),
            ErrorKind::InvalidResponse(e) => Some(e),
            ErrorKind::Source(e) => Some(e),
            _ => None,
        }
    }
}

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        Error::new(ErrorKind::Transport(e))
    }
}

impl From<wire::Error> for Error {
    fn from(e: wire::Error) -> Self {
        Error::new(ErrorKind::InvalidResponse(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sense(key: u8, asc: u8, ascq: u8) -> SenseInfo {
        SenseInfo::from(Sense::new(SenseKey::from(key), asc, ascq))
    }

    #[test]
    fn sense_errors_map_through_the_table() {
        let cdb = Cdb::new(OpCode::Write10, 10);
        let e = Error::sense(cdb, sense(3, 0x0C, 9)).with_last_written_lba(41);
        assert_eq!(e.hresult(), hresult::E_IMAPI_LOSS_OF_STREAMING);
        assert_eq!(e.last_written_lba(), Some(41));
        assert_eq!(e.cdb().unwrap().opcode(), OpCode::Write10);
        let msg = e.to_string();
        assert!(msg.contains("WRITE(10)") && msg.contains("3/0C/09") && msg.contains("41"));
        assert!(msg.contains("E_IMAPI_LOSS_OF_STREAMING"), "{msg}");
        // A row that means "tolerated" (3/0C/09 on SYNCHRONIZE CACHE) is still a failure
        // when it reaches a caller as an error.
        let sync = Cdb::new(OpCode::SynchronizeCache10, 10);
        assert!(Error::sense(sync, sense(3, 0x0C, 9)).hresult().is_failure());
    }

    #[test]
    fn kinds_have_imapi2_codes() {
        assert_eq!(
            Error::new(ErrorKind::Cancelled).hresult(),
            hresult::E_IMAPI_REQUEST_CANCELLED
        );
        assert_eq!(
            Error::from(TransportError::Timeout(Duration::from_secs(1))).hresult(),
            hresult::E_IMAPI_RECORDER_COMMAND_TIMEOUT
        );
        assert_eq!(
            Error::new(ErrorKind::SourceExhausted { lba: 7 }).to_string(),
            "the source ran out of data at LBA 7 [E_IMAPI_DF2DATA_STREAM_NOT_SUPPORTED (0xC0AA0403)]"
        );
        assert!(Error::new(ErrorKind::Status(ScsiStatus::Busy))
            .hresult()
            .is_failure());
    }
}
