//! The target side of iSCSI (RFC 7143): SCSI devices — here, MMC recorders behind a
//! [`Transport`](discburn_mmc::Transport) — exported to any initiator (QEMU's libiscsi,
//! open-iscsi, the Microsoft initiator, this crate's own).
//!
//! - [`connection`]: one connection as a sans-I/O state machine (bytes and `now` in;
//!   bytes, commands to execute and timeouts out), after quinn-proto and this crate's
//!   initiator [`Session`](crate::Session).
//! - [`login`], [`negotiate`]: the login phase (None / CHAP, one-way and mutual) and the
//!   target's answers to operational keys.
//! - [`Server`]: the thin blocking TCP loop, one thread per connection, LUNs shared
//!   between connections.
//!
//! Implemented: login (None, CHAP/MD5 one-way and mutual), SendTargets discovery,
//! SCSI Command with Data-In, immediate, unsolicited and R2T-solicited Data-Out,
//! NOP-Out/NOP-In both ways, TASK MANAGEMENT (ABORT TASK, ABORT/CLEAR TASK SET, LOGICAL
//! UNIT RESET), Logout, the CmdSN window, header and data digests, REPORT LUNS.
//! ErrorRecoveryLevel 0, one connection per session.

pub mod connection;
pub mod login;
pub mod negotiate;
mod server;

use std::fmt;
use std::time::Duration;

pub use connection::{Command, ConnectionState, TargetConnection, TaskResult};
pub use server::{ServeError, Server, ServerConfig, ShutdownHandle};

/// The target name `discburn serve` uses unless told otherwise.
pub const DEFAULT_IQN: &str = "iqn.2026-12.dev.discburn:serve";

/// How initiators must authenticate.
#[derive(Clone, PartialEq, Eq)]
pub enum TargetAuth {
    /// AuthMethod=None.
    None,
    /// CHAP/MD5 (RFC 7143 §12.1.3): initiators log in as `user` with `secret`; with
    /// `mutual`, the target answers an initiator's challenge as that user and secret.
    Chap {
        /// The CHAP_N initiators must send.
        user: String,
        /// The secret shared with initiators.
        secret: String,
        /// The target's own name and secret for mutual CHAP.
        mutual: Option<(String, String)>,
    },
}

impl fmt::Debug for TargetAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetAuth::None => f.write_str("None"),
            TargetAuth::Chap { user, mutual, .. } => f
                .debug_struct("Chap")
                .field("user", user)
                .field("secret", &"…")
                .field("mutual", &mutual.as_ref().map(|(u, _)| (u, "…")))
                .finish(),
        }
    }
}

/// What every connection of a target shares.
#[derive(Debug, Clone)]
pub struct TargetConfig {
    /// The target's name.
    pub iqn: String,
    /// Authentication required at login.
    pub auth: TargetAuth,
    /// Number of LUNs (numbered from 0).
    pub luns: u16,
    /// `ADDRESS:PORT` reported by SendTargets.
    pub portal: String,
    /// Our side of the operational keys.
    pub limits: negotiate::Limits,
    /// Largest Expected Data Transfer Length accepted for one command.
    pub max_transfer: u32,
    /// Commands the initiator may have outstanding (MaxCmdSN − ExpCmdSN + 1).
    pub cmd_window: u32,
    /// A login must complete within this.
    pub login_timeout: Duration,
    /// After this long without a PDU from the initiator, ping it with a NOP-In.
    pub nop_interval: Duration,
    /// A ping unanswered for this long closes the connection; `None` never closes it
    /// (the default: an initiator that reads only while a command is outstanding, as
    /// this crate's own does, answers pings late, and an idle session must survive).
    pub nop_timeout: Option<Duration>,
}

impl TargetConfig {
    /// A configuration with the defaults: no authentication, 64 MiB per command, a
    /// window of 32 commands, 15 s to log in, a ping after 30 s idle that never closes.
    pub fn new(iqn: impl Into<String>, luns: u16, portal: impl Into<String>) -> Self {
        TargetConfig {
            iqn: iqn.into(),
            auth: TargetAuth::None,
            luns,
            portal: portal.into(),
            limits: negotiate::Limits::default(),
            max_transfer: 64 * 1024 * 1024,
            cmd_window: 32,
            login_timeout: Duration::from_secs(15),
            nop_interval: Duration::from_secs(30),
            nop_timeout: None,
        }
    }
}

/// The LUN number of an 8-byte LUN field (SAM-5 §4.7: peripheral or flat addressing of
/// a single level), `None` for anything else.
pub fn decode_lun(lun: &[u8; 8]) -> Option<u16> {
    if lun[2..].iter().any(|&b| b != 0) {
        return None;
    }
    match lun[0] >> 6 {
        0 if lun[0] == 0 => Some(u16::from(lun[1])),
        1 => Some(u16::from(lun[0] & 0x3f) << 8 | u16::from(lun[1])),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdu::encode_lun;

    #[test]
    fn luns_round_trip_through_both_addressing_methods() {
        for lun in [0u16, 1, 255, 256, 0x3fff] {
            assert_eq!(decode_lun(&encode_lun(lun)), Some(lun));
        }
        assert_eq!(decode_lun(&[0x80, 0, 0, 0, 0, 0, 0, 0]), None);
        assert_eq!(decode_lun(&[0, 1, 0, 0, 0, 0, 0, 1]), None);
    }

    #[test]
    fn secrets_never_reach_debug_output() {
        let a = TargetAuth::Chap {
            user: "alice".into(),
            secret: "s3cr3t-value".into(),
            mutual: Some(("tgt".into(), "other-s3cr3t".into())),
        };
        let shown = format!("{a:?}");
        assert!(shown.contains("alice") && !shown.contains("s3cr3t"));
    }
}
