//! Virtual recorders exported as one iSCSI target (`discburn serve`): each `virtual:`
//! address becomes a LUN, numbered from 0 in the order given, so that other burners
//! (growisofs, xorriso, wodim, cdrdao; IMAPI2 through the Microsoft initiator) write to
//! the drive model over RFC 7143 exactly as to a real drive. The target is
//! `discburn_iscsi::target`; this module only opens the drives it serves.

use std::sync::Arc;

use discburn_mmc::clock::SharedClock;
use discburn_mmc::Transport;

pub use discburn_iscsi::target::{
    ServeError, Server, ServerConfig, ShutdownHandle, TargetAuth, DEFAULT_IQN,
};

use crate::error::{Error, ErrorKind, Result};

/// Opens each address as the drive behind one LUN (LUN n = `addresses[n]`). Only the
/// virtual recorder can be served: a local drive belongs to its machine's kernel and a
/// remote one to its own target. A drive another process (another `discburn serve`, a
/// burn) holds is [`ErrorKind::Busy`], naming the image.
pub fn open_luns(addresses: &[String], clock: &SharedClock) -> Result<Vec<Box<dyn Transport>>> {
    if addresses.is_empty() {
        return Err(Error::new(ErrorKind::InvalidArgument(
            "no drive to serve: name at least one virtual:PATH?media=… address".into(),
        )));
    }
    let mut luns: Vec<Box<dyn Transport>> = Vec::with_capacity(addresses.len());
    for address in addresses {
        if !address.starts_with("virtual:") {
            return Err(Error::new(ErrorKind::InvalidArgument(format!(
                "cannot serve {}: only virtual recorders (virtual:PATH?media=…) can be exported",
                crate::redact_address(address)
            ))));
        }
        let drive = discburn_vdrive::VirtualDrive::open(address, Arc::clone(clock))
            .map_err(|e| crate::open::virtual_drive::open_error(address, e))?;
        luns.push(Box::new(drive));
    }
    Ok(luns)
}
