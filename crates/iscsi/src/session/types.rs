//! The session's public types: configuration and credentials, task tags, data and results,
//! the errors, and the events a caller polls.

use std::time::Duration;

use discburn_mmc::ScsiStatus;

use crate::params::{NegotiationError, Offer};
use crate::pdu::PduError;

/// Credentials for one-way CHAP (RFC 7143 §12.1.3).
#[derive(Clone, PartialEq, Eq)]
pub struct ChapCredentials {
    /// CHAP_N: the user name.
    pub user: String,
    /// The shared secret.
    pub secret: String,
}

impl std::fmt::Debug for ChapCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChapCredentials")
            .field("user", &self.user)
            .field("secret", &"…")
            .finish()
    }
}

/// Everything a session needs to log in and run.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// InitiatorName (an iqn).
    pub initiator_name: String,
    /// TargetName (an iqn).
    pub target_name: String,
    /// The initiator part of the session id (RFC 7143 §11.12.5).
    pub isid: [u8; 6],
    /// One-way CHAP credentials; `None` offers AuthMethod=None only.
    pub chap: Option<ChapCredentials>,
    /// Operational parameters offered.
    pub offer: Offer,
    /// Whole login must finish within this.
    pub login_timeout: Duration,
    /// While commands are outstanding and the target has been silent this long, send a
    /// NOP-Out ping.
    pub nop_interval: Duration,
    /// A ping (or logout) unanswered this long means the connection is hung.
    pub nop_timeout: Duration,
    /// An ABORT TASK unanswered this long means the connection is hung.
    pub tmf_timeout: Duration,
}

impl SessionConfig {
    /// A configuration with the defaults for everything but the names.
    pub fn new(initiator_name: impl Into<String>, target_name: impl Into<String>) -> Self {
        SessionConfig {
            initiator_name: initiator_name.into(),
            target_name: target_name.into(),
            isid: [0x80, 0x00, 0x64, 0x62, 0x00, 0x01],
            chap: None,
            offer: Offer::default(),
            login_timeout: Duration::from_secs(10),
            nop_interval: Duration::from_secs(5),
            nop_timeout: Duration::from_secs(10),
            tmf_timeout: Duration::from_secs(10),
        }
    }
}

/// A task's handle: its Initiator Task Tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskTag(pub u32);

/// The data phase of a submitted command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskData {
    /// No data.
    None,
    /// Up to this many bytes from the target.
    In(usize),
    /// These bytes to the target.
    Out(Vec<u8>),
}

/// A completed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskResult {
    /// SCSI status.
    pub status: ScsiStatus,
    /// Sense data (with CHECK CONDITION).
    pub sense: Vec<u8>,
    /// Data-In bytes received, `transferred` of them valid.
    pub data: Vec<u8>,
    /// Bytes moved (expected length minus residual, bounded by what arrived).
    pub transferred: usize,
}

/// Why a command did not complete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    /// Timed out; ABORT TASK succeeded.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// Aborted on request (cancel, logout).
    #[error("aborted: {0}")]
    Aborted(String),
    /// The connection failed (lost, hung, or the target dropped it).
    #[error("connection lost: {0}")]
    ConnectionLost(String),
    /// The target broke the protocol; the session was failed.
    #[error("protocol error: {0}")]
    Protocol(String),
    /// The target answered the command with an iSCSI failure or a Reject.
    #[error("target failure: {0}")]
    Target(String),
}

/// Why the login failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    /// The Login Response had a non-zero Status-Class (RFC 7143 §11.13.5).
    #[error("target refused login: {name} (status class {class:#04x}, detail {detail:#04x})")]
    Refused {
        /// Status-Class.
        class: u8,
        /// Status-Detail.
        detail: u8,
        /// Its name in RFC 7143.
        name: &'static str,
    },
    /// The target requires an authentication we cannot do.
    #[error("authentication: {0}")]
    Auth(String),
    /// The exchange did not follow RFC 7143 login rules.
    #[error("login protocol: {0}")]
    Protocol(String),
}

/// Why the session failed. After this every outstanding task has completed with an
/// error and the session accepts no commands; log in again on a new connection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// A PDU could not be framed (length, digest, opcode).
    #[error("PDU: {0}")]
    Pdu(#[from] PduError),
    /// The target broke a rule of the full feature phase.
    #[error("{0}")]
    Protocol(String),
    /// Login failed.
    #[error("login: {0}")]
    Login(#[from] LoginError),
    /// Operational negotiation failed.
    #[error("negotiation: {0}")]
    Negotiation(#[from] NegotiationError),
    /// Something the target had to answer did not come in time.
    #[error("no answer from the target: {0} timed out")]
    Timeout(&'static str),
    /// The transport lost the connection.
    #[error("connection lost: {0}")]
    ConnectionLost(String),
    /// The target announced it is dropping the connection or session.
    #[error("target dropped the connection (async event {0})")]
    TargetDropped(u8),
}

impl SessionError {
    pub(super) fn task_error(&self) -> TaskError {
        match self {
            SessionError::Pdu(_) | SessionError::Protocol(_) | SessionError::Negotiation(_) => {
                TaskError::Protocol(self.to_string())
            }
            _ => TaskError::ConnectionLost(self.to_string()),
        }
    }
}

/// Why a command could not be submitted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    /// Login has not finished.
    #[error("not logged in")]
    NotLoggedIn,
    /// The session failed or logged out.
    #[error("session is down: {0}")]
    Down(String),
    /// The CDB is not 6..=16 bytes (extended CDBs are not supported).
    #[error("CDB of {0} bytes (6..=16 supported)")]
    CdbLength(usize),
    /// More data than an iSCSI command can carry (EDTL is 32 bits).
    #[error("data phase of {0} bytes is too large")]
    TooLarge(usize),
}

/// What happened, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Login finished; commands may be submitted.
    LoggedIn,
    /// A command finished.
    TaskDone {
        /// Its tag.
        tag: TaskTag,
        /// Its result.
        outcome: Result<TaskResult, TaskError>,
    },
    /// The target answered our NOP-Out ping.
    PingAnswered(TaskTag),
    /// The target asked us to log out (async event 1).
    LogoutRequested,
    /// Logout finished; the target will close the connection.
    LoggedOut,
    /// The session failed.
    Failed(SessionError),
}
