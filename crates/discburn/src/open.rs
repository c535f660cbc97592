//! Opening a recorder from an address string (design.md "Drive addresses").

use std::sync::Arc;

use discburn_iscsi::session::{LoginError, SessionError};
use discburn_mmc::clock::{SharedClock, SystemClock};

use crate::error::{Error, ErrorKind, OpenFailure, OpenProblem, Result};
use crate::recorder::Recorder;

/// Opens the recorder named by `address` on the system clock:
/// - `virtual:PATH?media=bd-r&speed=12x&buffer=4MiB` — the virtual recorder over an
///   image file (created blank when absent);
/// - `/dev/sr0`, `/dev/sg1`, `sg:/dev/sr0` — a real drive through SG_IO, opened
///   exclusively (`discburn_sg`);
/// - `iscsi://[user%password@]HOST[:PORT]/TARGET-IQN/LUN` — a remote drive
///   (`discburn_iscsi`).
///
/// A busy drive (mounted, or open elsewhere) is `E_IMAPI_RECORDER_LOCKED`; a missing one
/// `HRESULT_FROM_WIN32(ERROR_DEV_NOT_EXIST)`.
pub fn open(address: &str) -> Result<Recorder> {
    open_with_clock(address, SystemClock::shared())
}

/// [`open`] with an injected clock (a `SimClock` in tests): the recorder, its virtual
/// drive model and any engine writing to it all wait on `clock`.
pub fn open_with_clock(address: &str, clock: SharedClock) -> Result<Recorder> {
    open_inner(address, clock, Access::Exclusive)
}

/// Opens the recorder named by `address` for looking only (identity, disc and track
/// information, speeds): a local drive is opened without `O_EXCL`, so this works while
/// its disc is mounted. Writing through such a handle is possible but unprotected
/// against other programs; burn through [`open`]. The virtual recorder and iSCSI have no
/// shared mode and open as [`open`] does.
pub fn open_shared(address: &str) -> Result<Recorder> {
    open_inner(address, SystemClock::shared(), Access::Shared)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Exclusive,
    Shared,
}

fn open_inner(address: &str, clock: SharedClock, access: Access) -> Result<Recorder> {
    if address.starts_with("virtual:") {
        let drive = discburn_vdrive::VirtualDrive::open(address, Arc::clone(&clock))
            .map_err(|e| virtual_open_error(address, e))?;
        return Ok(Recorder::new(Box::new(drive), address, clock));
    }
    if address.starts_with("iscsi://") {
        let t = discburn_iscsi::IscsiTransport::open(address)
            .map_err(|e| iscsi_open_error(address, e))?;
        // The id is shown (IDiscRecorder2::ActiveDiscRecorder, logs): never the secret.
        return Ok(settled(Recorder::new(
            Box::new(t),
            redact_address(address),
            clock,
        )));
    }
    if let Some(path) = discburn_sg::parse_address(address) {
        let opened = match access {
            Access::Exclusive => discburn_sg::SgTransport::open(path),
            Access::Shared => discburn_sg::SgTransport::open_shared(path),
        };
        let t = opened.map_err(|e| {
            use discburn_sg::OpenError as E;
            let problem = match e {
                E::Busy { .. } => return Error::new(ErrorKind::Busy(e.to_string())),
                E::NotFound { .. } => OpenProblem::NoSuchDevice,
                E::NotScsi { .. } => OpenProblem::NotADrive,
                E::PermissionDenied { .. } => OpenProblem::PermissionDenied,
                E::Io { source, .. } => OpenProblem::Io(source.to_string()),
                other => OpenProblem::Io(other.to_string()),
            };
            open_error(address, problem)
        })?;
        return Ok(settled(Recorder::new(Box::new(t), address, clock)));
    }
    Err(Error::new(ErrorKind::InvalidArgument(format!(
        "unknown drive address {address:?}: use virtual:PATH?media=…, /dev/srN, sg:/dev/sgN or iscsi://HOST[:PORT]/IQN/LUN"
    ))))
}

/// A drive reached over a bus or a network, with the unit attentions a new connection
/// finds queued (a power-on or bus reset on a real drive, the I_T nexus an iSCSI login
/// creates; SPC-4 §5.14) taken by [`Recorder::test_unit_ready_settled`], so that the caller's
/// first real command (GET CONFIGURATION for the profiles, say) does not fail with one.
/// Its answer is left to the caller, which reads the medium afresh. The in-process
/// virtual drive has no nexus to report.
fn settled(rec: Recorder) -> Recorder {
    if let Err(e) = rec.test_unit_ready_settled() {
        tracing::debug!(
            "{}: TEST UNIT READY at open: {e}",
            rec.active_disc_recorder()
        );
    }
    rec
}

/// The virtual recorder's open failure: a drive another process holds is busy.
pub(crate) fn virtual_open_error(address: &str, e: discburn_vdrive::VdriveError) -> Error {
    Error::new(match &e {
        discburn_vdrive::VdriveError::Locked(_) => ErrorKind::Busy(e.to_string()),
        _ => ErrorKind::InvalidArgument(format!("cannot open {address}: {e}")),
    })
}

/// `address` as it may be shown (messages, logs, JSON): an iSCSI address's CHAP secret
/// becomes `***` (`iscsi://alice%***@host/iqn…/1`); other addresses are unchanged. An
/// address inside a longer string (`--drive=iscsi://…`) is found and redacted too.
pub fn redact_address(address: &str) -> String {
    const SCHEME: &str = "iscsi://";
    let at = address.char_indices().map(|(i, _)| i).find(|&i| {
        address
            .get(i..i + SCHEME.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(SCHEME))
    });
    match at {
        Some(i) => format!(
            "{}{}",
            &address[..i],
            discburn_iscsi::redact_password(&address[i..])
        ),
        None => address.to_string(),
    }
}

fn open_error(address: &str, problem: OpenProblem) -> Error {
    Error::new(ErrorKind::Open(OpenFailure {
        address: redact_address(address),
        problem,
    }))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hresult;

    #[test]
    fn addresses_dispatch() {
        let e = open("floppy:0").unwrap_err();
        assert_eq!(e.hresult(), hresult::E_INVALIDARG);
        assert!(e.to_string().contains("virtual:PATH"));
        let e = open("/dev/sr-does-not-exist-42").unwrap_err();
        assert_eq!(e.hresult(), hresult::E_DEV_NOT_EXIST, "{e}");
        let e = open("iscsi://").unwrap_err();
        assert!(e.hresult().is_failure());
        let dir = std::env::temp_dir().join(format!("discburn-open-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let addr = format!("virtual:{}?media=dvd+r", dir.join("d.img").display());
        let r = open(&addr).unwrap();
        assert_eq!(r.active_disc_recorder(), addr);
        r.test_unit_ready().unwrap();
        drop(r);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn shown_addresses_hide_the_chap_secret() {
        for (given, shown) in [
            (
                "iscsi://alice%s3cret@10.0.0.2:3261/iqn.x:dvd/1",
                "iscsi://alice%***@10.0.0.2:3261/iqn.x:dvd/1",
            ),
            (
                "--drive=ISCSI://a%b/c@h/iqn.x/1",
                "--drive=ISCSI://a%***@h/iqn.x/1",
            ),
            ("iscsi://h/iqn.x/1", "iscsi://h/iqn.x/1"),
            ("/dev/sr0", "/dev/sr0"),
            (
                "virtual:/tmp/d%x@y.img?media=bd-r",
                "virtual:/tmp/d%x@y.img?media=bd-r",
            ),
            ("", ""),
        ] {
            assert_eq!(redact_address(given), shown, "{given}");
        }
    }

    #[test]
    fn open_failures_are_one_sentence_naming_the_address_once() {
        for addr in ["/dev/sr-does-not-exist-42", "/dev/null"] {
            let e = open(addr).unwrap_err();
            let ErrorKind::Open(o) = e.kind() else {
                panic!("{e}")
            };
            let msg = o.to_string();
            assert_eq!(msg.matches(addr).count(), 1, "{msg}");
            assert!(!msg.contains("device gone"), "{msg}");
            assert_eq!(e.hresult(), hresult::E_DEV_NOT_EXIST, "{e}");
        }
    }
}
