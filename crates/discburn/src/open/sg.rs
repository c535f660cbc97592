//! `/dev/sr0`, `/dev/sg1`, `sg:/dev/sr0`: a drive on this machine through SG_IO
//! (`discburn_sg`; Linux only).

use discburn_mmc::clock::SharedClock;

use super::open_error;
use crate::error::{Error, ErrorKind, OpenProblem, Result};
use crate::recorder::Recorder;

/// Opens the device node `path` (from `address`): exclusively (`O_EXCL`, refused while
/// mounted), or `shared` for looking only.
pub(super) fn open(
    address: &str,
    path: &std::path::Path,
    clock: SharedClock,
    shared: bool,
) -> Result<Recorder> {
    let t = transport(address, path, shared)?;
    Ok(Recorder::new(Box::new(t), address, clock))
}

/// The SG_IO transport to the device node `path` (from `address`), errors named as
/// [`open`] names them.
pub(crate) fn transport(
    address: &str,
    path: &std::path::Path,
    shared: bool,
) -> Result<discburn_sg::SgTransport> {
    let opened = if shared {
        discburn_sg::SgTransport::open_shared(path)
    } else {
        discburn_sg::SgTransport::open(path)
    };
    opened.map_err(|e| {
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
    })
}
