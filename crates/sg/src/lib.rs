//! # discburn-sg — real drives through Linux SG_IO
//!
//! [`SgTransport`] carries SCSI MMC commands to a CD/DVD/BD recorder through the
//! kernel's SG_IO ioctl (the v3 `sg_io_hdr` interface) on `/dev/srN` or `/dev/sgN`,
//! implementing [`discburn_mmc::Transport`]. [`discover()`] lists the machine's optical
//! drives from sysfs with their vendor, model, firmware revision, generic (`sg`) node and
//! adapter transfer limits. [`AlignedBuf`] allocates data buffers with the alignment the
//! adapter reports.
//!
//! ```no_run
//! use std::time::Duration;
//! use discburn_mmc::{Request, Transport};
//! use discburn_sg::{discover, SgTransport};
//!
//! for drive in discover()? {
//!     println!("{} {} {} {}", drive.block_device.display(), drive.vendor, drive.model, drive.revision);
//! }
//! let mut drive = SgTransport::open("/dev/sr0")?; // exclusive: refused while mounted
//! let inquiry = [0x12, 0, 0, 0, 36, 0];
//! let mut data = [0u8; 36];
//! let done = drive.execute(Request::data_in(&inquiry, &mut data, Duration::from_secs(10)))?;
//! println!("{:?}, {} bytes", done.status, done.transferred);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! `unsafe` is confined to the two ioctl calls in the private `sys` module; each block
//! carries a `// SAFETY:` line. Everything else — building the header, decoding host,
//! driver and SCSI status and the residual, sysfs discovery — is safe code tested
//! without a drive.
//!
//! SG_IO is Linux's: on any other system this crate is empty.
#![cfg(target_os = "linux")]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod discover;
pub mod hdr;
mod sys;
mod transport;

pub use discburn_mmc::buf::AlignedBuf;
pub use discover::{discover, discover_in, queue_limits, DriveInfo};
pub use transport::{parse_address, OpenError, SgTransport};
