//! `virtual:PATH?media=…`: the virtual recorder over an image file (`discburn_vdrive`).

use std::sync::Arc;

use discburn_mmc::clock::SharedClock;

use crate::error::{Error, ErrorKind, Result};
use crate::recorder::Recorder;

/// Opens the virtual recorder `address` names, waiting on `clock`.
pub(super) fn open(address: &str, clock: SharedClock) -> Result<Recorder> {
    let drive = discburn_vdrive::VirtualDrive::open(address, Arc::clone(&clock))
        .map_err(|e| open_error(address, e))?;
    Ok(Recorder::new(Box::new(drive), address, clock))
}

/// The virtual recorder's open failure: a drive another process holds is busy.
pub(crate) fn open_error(address: &str, e: discburn_vdrive::VdriveError) -> Error {
    Error::new(match &e {
        discburn_vdrive::VdriveError::Locked(_) => ErrorKind::Busy(e.to_string()),
        _ => ErrorKind::InvalidArgument(format!("cannot open {address}: {e}")),
    })
}
