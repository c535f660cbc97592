//! `iscsi://[user%password@]HOST[:PORT]/IQN/LUN`: a remote drive (`discburn_iscsi`).

use discburn_iscsi::session::{LoginError, SessionError};
use discburn_mmc::clock::SharedClock;

use super::{open_error, redact_address};
use crate::error::{Error, ErrorKind, OpenProblem, Result};
use crate::recorder::Recorder;

/// Logs in to the target and LUN `address` names.
pub(super) fn open(address: &str, clock: SharedClock) -> Result<Recorder> {
    let t =
        discburn_iscsi::IscsiTransport::open(address).map_err(|e| iscsi_open_error(address, e))?;
    // The id is shown (IDiscRecorder2::ActiveDiscRecorder, logs): never the secret.
    Ok(Recorder::new(Box::new(t), redact_address(address), clock))
}

/// An iSCSI open failure in the user's terms: which of resolving, connecting and
/// logging in failed, and for a refused login whether it was the credentials.
fn iscsi_open_error(address: &str, e: discburn_iscsi::Error) -> Error {
    use discburn_iscsi::Error as E;
    let credentials_given = discburn_iscsi::IscsiUrl::parse(address)
        .map(|u| u.user.is_some())
        .unwrap_or(false);
    let problem = match e {
        E::Url(u) => return Error::new(ErrorKind::InvalidArgument(u.to_string())),
        E::Resolve { host, .. } => OpenProblem::UnknownHost { host },
        E::Connect { addr, source } if source.kind() == std::io::ErrorKind::ConnectionRefused => {
            OpenProblem::ConnectionRefused { portal: addr }
        }
        E::Connect { addr, source } => OpenProblem::Unreachable {
            portal: addr,
            reason: source.to_string(),
        },
        E::Login { source, .. } => match source {
            // 02/01 authentication failure (RFC 7143 §11.13.5), or a CHAP exchange that
            // could not be done (no credentials, an algorithm we lack).
            SessionError::Login(LoginError::Refused {
                class: 2,
                detail: 1,
                ..
            })
            | SessionError::Login(LoginError::Auth(_)) => {
                OpenProblem::AuthenticationFailed { credentials_given }
            }
            SessionError::Login(LoginError::Refused { name, .. }) => OpenProblem::LoginRefused {
                status: name.to_string(),
            },
            other => OpenProblem::LoginFailed {
                reason: other.to_string(),
            },
        },
        other => OpenProblem::LoginFailed {
            reason: other.to_string(),
        },
    };
    open_error(address, problem)
}
