//! Opening a recorder from an address string (design.md "Drive addresses").

use std::sync::Arc;

use discburn_mmc::clock::{SharedClock, SystemClock};

use crate::error::{Error, ErrorKind, Result};
use crate::recorder::Recorder;

/// Opens the recorder named by `address` on the system clock:
/// - `virtual:PATH?media=bd-r&speed=12x&buffer=4MiB` — the virtual recorder over an
///   image file (created blank when absent).
///
/// `/dev/sr*`, `sg:…` and `iscsi://…` are dispatched to their transports as those land.
pub fn open(address: &str) -> Result<Recorder> {
    open_with_clock(address, SystemClock::shared())
}

/// [`open`] with an injected clock (a `SimClock` in tests): the recorder, its virtual
/// drive model and any engine writing to it all wait on `clock`.
pub fn open_with_clock(address: &str, clock: SharedClock) -> Result<Recorder> {
    if address.starts_with("virtual:") {
        let drive =
            discburn_vdrive::VirtualDrive::open(address, Arc::clone(&clock)).map_err(|e| {
                Error::new(ErrorKind::InvalidArgument(format!(
                    "cannot open {address}: {e}"
                )))
            })?;
        return Ok(Recorder::new(Box::new(drive), address, clock));
    }
    Err(Error::new(ErrorKind::InvalidArgument(format!(
        "unknown drive address {address:?}: use virtual:PATH?media=…, /dev/srN, sg:/dev/sgN or iscsi://HOST[:PORT]/IQN/LUN"
    ))))
}
