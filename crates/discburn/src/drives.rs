//! The recorders on this machine: what `discburn drives` lists and what a command uses
//! when no drive is named. On Linux they come from sysfs through the `sg` backend
//! (`discburn_sg::discover`); a build or a system without it finds none.

use std::path::PathBuf;

/// One optical drive of this machine, as the kernel describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LocalDrive {
    /// The block node (`/dev/sr0`): the address to open it by ([`crate::open`]).
    pub block_device: PathBuf,
    /// The SCSI generic sibling (`/dev/sg1`), when the `sg` module is loaded.
    pub generic_device: Option<PathBuf>,
    /// INQUIRY vendor identification, trimmed.
    pub vendor: String,
    /// INQUIRY product identification, trimmed.
    pub model: String,
    /// INQUIRY product revision level (firmware), trimmed.
    pub revision: String,
}

/// Every optical drive of this machine, in `sr` number order; empty when there is no
/// SCSI support, no drive, or no `sg` backend in this build.
pub fn drives() -> std::io::Result<Vec<LocalDrive>> {
    #[cfg(all(feature = "sg", target_os = "linux"))]
    return Ok(discburn_sg::discover()?
        .into_iter()
        .map(|d| LocalDrive {
            block_device: d.block_device,
            generic_device: d.generic_device,
            vendor: d.vendor,
            model: d.model,
            revision: d.revision,
        })
        .collect());
    #[cfg(not(all(feature = "sg", target_os = "linux")))]
    Ok(Vec::new())
}
