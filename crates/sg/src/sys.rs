//! The only code that talks to the kernel with raw pointers: the SG_IO and
//! SG_GET_VERSION_NUM ioctls. Kept as thin as possible; everything testable lives in
//! `hdr`.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

use crate::hdr::SgIoHdr;

/// `SG_IO` (`<scsi/sg.h>`): execute one command synchronously.
const SG_IO: libc::c_ulong = 0x2285;
/// `SG_GET_VERSION_NUM`: answered by sg and by every SCSI block device; tells us the
/// node speaks SG_IO at all.
const SG_GET_VERSION_NUM: libc::c_ulong = 0x2282;

/// Issues SG_IO with `hdr`; the kernel writes the status fields back into it.
///
/// The pointers inside `hdr` must be valid for the lengths it states; [`Prepared`]
/// (the only producer of headers outside tests) guarantees that through its borrows.
///
/// [`Prepared`]: crate::hdr::Prepared
pub(crate) fn sg_io(fd: BorrowedFd<'_>, hdr: &mut crate::hdr::Prepared<'_>) -> io::Result<()> {
    let raw: *mut SgIoHdr = hdr.hdr_mut();
    // SAFETY: `raw` points at a live, exclusively borrowed `sg_io_hdr` whose cmdp,
    // dxferp and sbp point into buffers borrowed by `Prepared` for at least this call,
    // with lengths cmd_len, dxfer_len and mx_sb_len that `Prepared::new` took from those
    // very buffers; SG_IO reads and writes nothing else.
    #[allow(unsafe_code)]
    let rc = unsafe { libc::ioctl(fd.as_raw_fd(), SG_IO as _, raw) };
    // No retry on EINTR: the sg driver may already have queued the command, and
    // sending a WRITE twice is not ours to decide. The caller sees an aborted command.
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// The sg driver version (e.g. 30536 for 3.5.36), or the error that shows the node
/// does not accept SG_IO (ENOTTY for a regular file or a non-SCSI device).
pub(crate) fn sg_version(fd: BorrowedFd<'_>) -> io::Result<i32> {
    let mut version: libc::c_int = 0;
    // SAFETY: SG_GET_VERSION_NUM writes one `int` through the pointer, which points at
    // the local `version`, valid and exclusively borrowed for the call.
    #[allow(unsafe_code)]
    let rc = unsafe {
        libc::ioctl(
            fd.as_raw_fd(),
            SG_GET_VERSION_NUM as _,
            &mut version as *mut libc::c_int,
        )
    };
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(version)
    }
}
