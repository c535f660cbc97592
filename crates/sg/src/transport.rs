//! [`SgTransport`]: one open drive node carrying commands through SG_IO.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsFd;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use discburn_mmc::device::TestUnitReady;
use discburn_mmc::transport::{Completion, Limits, Request, ScsiStatus, Transport, TransportError};
use discburn_mmc::Command;

use crate::discover::{self, FALLBACK_LIMITS, SYSFS_ROOT};
use crate::hdr::{self, Prepared, SENSE_LEN};
use crate::sys;

/// Why a drive node could not be opened. Each message names what the user can do.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// No such node, or no device behind it.
    #[error("there is no drive {path} ({source}); `discburn drives` lists the drives found")]
    NotFound {
        /// The node asked for.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The node's permissions do not let this user open it read-write.
    #[error(
        "{path}: permission denied; join the `cdrom` group (`sudo usermod -aG cdrom $USER`, \
         then log in again) or run as root"
    )]
    PermissionDenied {
        /// The node asked for.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The exclusive open was refused: the disc is mounted or another program has the
    /// drive open.
    #[error(
        "{path}: the drive is busy: its disc is mounted or another program has it open; \
         unmount it (`umount {path}`) or close the other program (a burner, a media \
         player, a file manager), then try again"
    )]
    Busy {
        /// The node that was busy (for an sg node, possibly its block sibling).
        path: PathBuf,
        /// The OS error (EBUSY).
        source: io::Error,
    },
    /// The node exists but does not take SCSI commands (a regular file, a disk
    /// partition, a non-SCSI device).
    #[error(
        "{path} is not an optical drive: it does not answer SCSI commands (SG_IO: {source}); \
         name one such as /dev/sr0 or /dev/sg1"
    )]
    NotScsi {
        /// The node asked for.
        path: PathBuf,
        /// The OS error (usually ENOTTY).
        source: io::Error,
    },
    /// The address is not an SG_IO drive address.
    #[error("not an SG_IO drive address: {0:?} (expected /dev/srN, /dev/sgN or sg:/dev/…)")]
    BadAddress(String),
    /// Any other OS error while opening.
    #[error("{path}: {source}")]
    Io {
        /// The node asked for.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
}

impl OpenError {
    /// Classifies an OS error from `open(2)` on `path`.
    pub fn from_io(path: &Path, source: io::Error) -> OpenError {
        let path = path.to_path_buf();
        match source.raw_os_error() {
            Some(libc::ENOENT) | Some(libc::ENXIO) | Some(libc::ENODEV) => {
                OpenError::NotFound { path, source }
            }
            Some(libc::EACCES) | Some(libc::EPERM) => OpenError::PermissionDenied { path, source },
            Some(libc::EBUSY) => OpenError::Busy { path, source },
            Some(libc::ENOTTY) | Some(libc::EINVAL) => OpenError::NotScsi { path, source },
            _ => OpenError::Io { path, source },
        }
    }
}

/// The path inside an SG_IO drive address: `sg:/dev/sr0` → `/dev/sr0`; a bare
/// `/dev/…` path is itself. Anything else (`iscsi://…`, `virtual:…`) is `None`, so a
/// caller can try the other backends.
pub fn parse_address(address: &str) -> Option<&Path> {
    if let Some(path) = address.strip_prefix("sg:") {
        return (!path.is_empty()).then(|| Path::new(path));
    }
    address.starts_with("/dev/").then(|| Path::new(address))
}

/// A drive reached through Linux SG_IO on `/dev/srN` or `/dev/sgN`.
///
/// Opened read-write and non-blocking (so it opens with no disc inserted), and by
/// default exclusively: the kernel then refuses it while the disc is mounted or another
/// program holds the drive, and refuses others while we burn.
#[derive(Debug)]
pub struct SgTransport {
    file: File,
    /// For an sg node: the exclusively opened block sibling, held so a mount cannot
    /// happen underneath us (O_EXCL on an sg node excludes only other sg opens).
    _claim: Option<File>,
    path: PathBuf,
    limits: Limits,
    version: i32,
}

impl SgTransport {
    /// Opens `path` (`/dev/sr0`, `/dev/sg1`) for exclusive use.
    ///
    /// For an sg node the block sibling (`/dev/srN`) is opened exclusively as well, so a
    /// mounted disc is refused whichever node is named.
    pub fn open(path: impl AsRef<Path>) -> Result<SgTransport, OpenError> {
        Self::open_with(path.as_ref(), true)
    }

    /// Opens `path` without exclusive access, for queries while the disc is mounted or
    /// in use (drive information, medium status). Do not burn through this.
    pub fn open_shared(path: impl AsRef<Path>) -> Result<SgTransport, OpenError> {
        Self::open_with(path.as_ref(), false)
    }

    /// Opens an address as [`parse_address`] reads it (`sg:/dev/sr0`, `/dev/sg1`),
    /// exclusively.
    pub fn open_address(address: &str) -> Result<SgTransport, OpenError> {
        let path = parse_address(address).ok_or_else(|| OpenError::BadAddress(address.into()))?;
        Self::open(path)
    }

    fn open_with(path: &Path, exclusive: bool) -> Result<SgTransport, OpenError> {
        let file = open_node(path, exclusive)?;
        let version = sys::sg_version(file.as_fd()).map_err(|e| OpenError::NotScsi {
            path: path.to_path_buf(),
            source: e,
        })?;
        let meta = file.metadata().map_err(|e| OpenError::from_io(path, e))?;
        let is_block = meta.file_type().is_block_device();
        let is_char = meta.file_type().is_char_device();
        let info = if is_block || is_char {
            let rdev = meta.rdev();
            discover::node_info(
                Path::new(SYSFS_ROOT),
                is_block,
                libc::major(rdev),
                libc::minor(rdev),
            )
        } else {
            None
        };
        let limits = info.as_ref().map_or(FALLBACK_LIMITS, |i| i.limits);
        let claim = match (&info, exclusive && is_char) {
            (
                Some(discover::NodeInfo {
                    block_name: Some(b),
                    ..
                }),
                true,
            ) => {
                let sibling = Path::new("/dev").join(b);
                // A missing /dev entry (no udev) leaves nothing to claim; a busy one is
                // exactly the mounted disc we must refuse.
                match open_node(&sibling, true) {
                    Ok(f) => Some(f),
                    Err(OpenError::NotFound { .. }) => None,
                    Err(e) => return Err(e),
                }
            }
            _ => None,
        };
        tracing::debug!(
            path = %path.display(),
            sg_version = version,
            max_transfer = limits.max_transfer,
            alignment = limits.alignment,
            exclusive,
            "opened SG_IO drive"
        );
        Ok(SgTransport {
            file,
            _claim: claim,
            path: path.to_path_buf(),
            limits,
            version,
        })
    }

    /// The node this transport opened.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The sg driver version the kernel reports (e.g. 30536 for 3.5.36).
    pub fn sg_version(&self) -> i32 {
        self.version
    }

    /// TEST UNIT READY (SPC-4 §6.47): `true` when a disc is in and ready (a blank disc
    /// included), `false` on CHECK CONDITION (no disc, tray open, becoming ready).
    pub fn medium_ready(&mut self) -> Result<bool, TransportError> {
        let cdb = TestUnitReady.emit();
        let c = self.execute(Request::none(cdb.as_bytes(), Duration::from_secs(10)))?;
        match c.status {
            ScsiStatus::Good => Ok(true),
            ScsiStatus::CheckCondition => Ok(false),
            other => Err(TransportError::Protocol(format!(
                "TEST UNIT READY answered with status {other:?}"
            ))),
        }
    }

    /// Maps an SG_IO ioctl failure (the command never got a SCSI answer).
    fn ioctl_error(&self, e: io::Error) -> TransportError {
        match e.raw_os_error() {
            Some(libc::ENODEV) | Some(libc::ENXIO) => {
                TransportError::DeviceGone(format!("{}: {e}", self.path.display()))
            }
            Some(libc::EINTR) => {
                TransportError::Aborted(format!("SG_IO on {} interrupted", self.path.display()))
            }
            Some(libc::EINVAL) | Some(libc::EOVERFLOW) => TransportError::InvalidRequest(format!(
                "the kernel rejected SG_IO on {}: {e}",
                self.path.display()
            )),
            Some(libc::EPERM) | Some(libc::EACCES) => TransportError::Io(io::Error::new(
                e.kind(),
                format!(
                    "the kernel refused this command on {} ({e}); run as root or open the \
                     drive read-write",
                    self.path.display()
                ),
            )),
            _ => TransportError::Io(e),
        }
    }
}

/// `open(2)` with O_RDWR | O_NONBLOCK (works with no disc in the drive), plus O_EXCL
/// when `exclusive` (std adds O_CLOEXEC).
fn open_node(path: &Path, exclusive: bool) -> Result<File, OpenError> {
    let mut flags = libc::O_NONBLOCK;
    if exclusive {
        flags |= libc::O_EXCL;
    }
    OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(flags)
        .open(path)
        .map_err(|e| OpenError::from_io(path, e))
}

impl Transport for SgTransport {
    fn execute(&mut self, mut request: Request<'_>) -> Result<Completion, TransportError> {
        let mut sense = [0u8; SENSE_LEN];
        let mut prepared = Prepared::new(&mut request, &mut sense, self.limits.max_transfer)?;
        sys::sg_io(self.file.as_fd(), &mut prepared).map_err(|e| self.ioctl_error(e))?;
        let answered = *prepared.hdr();
        let timeout = prepared.timeout();
        let completion = hdr::decode(&answered, &sense, timeout);
        tracing::trace!(
            cdb = ?request.cdb,
            status = answered.status,
            host = answered.host_status,
            driver = answered.driver_status,
            resid = answered.resid,
            duration_ms = answered.duration,
            "SG_IO"
        );
        completion
    }

    fn limits(&self) -> Limits {
        self.limits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::tests::Scratch;

    #[test]
    fn addresses() {
        assert_eq!(parse_address("sg:/dev/sr0"), Some(Path::new("/dev/sr0")));
        assert_eq!(parse_address("/dev/sg1"), Some(Path::new("/dev/sg1")));
        assert_eq!(parse_address("/dev/sr0"), Some(Path::new("/dev/sr0")));
        assert_eq!(parse_address("sg:"), None);
        assert_eq!(parse_address("iscsi://127.0.0.1:3260/iqn.x/1"), None);
        assert_eq!(parse_address("virtual:/tmp/disc.img?media=bd-r"), None);
        assert!(matches!(
            SgTransport::open_address("virtual:x"),
            Err(OpenError::BadAddress(_))
        ));
    }

    #[test]
    fn open_errors_name_the_fix() {
        let p = Path::new("/dev/sr0");
        let busy = OpenError::from_io(p, io::Error::from_raw_os_error(libc::EBUSY));
        assert!(matches!(busy, OpenError::Busy { .. }));
        let msg = busy.to_string();
        assert!(
            msg.contains("umount /dev/sr0") && msg.contains("other program"),
            "{msg}"
        );

        let denied = OpenError::from_io(p, io::Error::from_raw_os_error(libc::EACCES));
        assert!(matches!(denied, OpenError::PermissionDenied { .. }));
        assert!(denied.to_string().contains("`cdrom` group"));
        assert!(denied.to_string().contains("root"));

        for e in [libc::ENOENT, libc::ENXIO, libc::ENODEV] {
            assert!(matches!(
                OpenError::from_io(p, io::Error::from_raw_os_error(e)),
                OpenError::NotFound { .. }
            ));
        }
        let missing = OpenError::from_io(p, io::Error::from_raw_os_error(libc::ENOENT));
        assert!(
            missing
                .to_string()
                .starts_with("there is no drive /dev/sr0 ("),
            "{missing}"
        );
        let not_scsi = OpenError::from_io(p, io::Error::from_raw_os_error(libc::ENOTTY));
        assert!(matches!(not_scsi, OpenError::NotScsi { .. }));
        assert!(
            not_scsi
                .to_string()
                .starts_with("/dev/sr0 is not an optical drive: it does not answer SCSI commands"),
            "{not_scsi}"
        );
        assert!(matches!(
            OpenError::from_io(p, io::Error::from_raw_os_error(libc::EIO)),
            OpenError::Io { .. }
        ));
    }

    #[test]
    fn missing_node_is_not_found() {
        let s = Scratch::new("open");
        let err = SgTransport::open(s.0.join("sr9")).unwrap_err();
        assert!(matches!(err, OpenError::NotFound { .. }), "{err}");
    }

    #[test]
    fn regular_file_is_not_scsi() {
        let s = Scratch::new("open");
        s.write("disc.img", "not a drive");
        let err = SgTransport::open(s.0.join("disc.img")).unwrap_err();
        assert!(matches!(err, OpenError::NotScsi { .. }), "{err}");
        let err = SgTransport::open_shared(s.0.join("disc.img")).unwrap_err();
        assert!(matches!(err, OpenError::NotScsi { .. }), "{err}");
    }
}
