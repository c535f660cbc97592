//! Recorders exported as one iSCSI target (`discburn serve`): each address — a virtual
//! recorder, or a real drive of this machine (`sg:/dev/sr0`, `/dev/sr0`) — becomes a LUN,
//! numbered from 0 in the order given, so that other burners (growisofs, xorriso, wodim,
//! cdrdao; IMAPI2 through the Microsoft initiator; discburn on another machine) write to
//! it over RFC 7143 as to a drive of their own. A real drive gets every CDB as sent, with
//! the time its command can take ([`discburn_mmc::cdb::pass_through_timeout`]), and is
//! held exclusively (`O_EXCL`) while served. The target is `discburn_iscsi::target`;
//! this module only opens the drives it serves.

use std::sync::Arc;

use discburn_mmc::clock::SharedClock;
use discburn_mmc::Transport;

pub use discburn_iscsi::target::{
    ServeError, Server, ServerConfig, ShutdownHandle, TargetAuth, DEFAULT_IQN,
};

use crate::error::{Error, ErrorKind, Result};

/// Opens each address as the drive behind one LUN (LUN n = `addresses[n]`): a virtual
/// recorder, or a local drive through SG_IO, opened exclusively. A remote drive is
/// refused: it is served by its own target. A drive another process (another
/// `discburn serve`, a burn, a mount) holds is [`ErrorKind::Busy`], naming it.
pub fn open_luns(addresses: &[String], clock: &SharedClock) -> Result<Vec<Box<dyn Transport>>> {
    if addresses.is_empty() {
        return Err(Error::new(ErrorKind::InvalidArgument(
            "no drive to serve: name at least one virtual:PATH?media=… or sg:/dev/srN address"
                .into(),
        )));
    }
    let mut luns: Vec<Box<dyn Transport>> = Vec::with_capacity(addresses.len());
    for address in addresses {
        #[cfg(all(feature = "sg", target_os = "linux"))]
        if let Some(path) = discburn_sg::parse_address(address) {
            luns.push(Box::new(crate::open::sg::transport(address, path, false)?));
            continue;
        }
        if !address.starts_with("virtual:") {
            return Err(Error::new(ErrorKind::InvalidArgument(format!(
                "cannot serve {}: only virtual recorders (virtual:PATH?media=…) and drives of this machine (sg:/dev/srN, /dev/srN) can be exported; a remote drive is served by its own target",
                crate::redact_address(address)
            ))));
        }
        let drive = discburn_vdrive::VirtualDrive::open(address, Arc::clone(clock))
            .map_err(|e| crate::open::virtual_drive::open_error(address, e))?;
        luns.push(Box::new(drive));
    }
    Ok(luns)
}
