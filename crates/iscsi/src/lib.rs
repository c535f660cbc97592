//! # discburn-iscsi — iSCSI for MMC drives: an initiator, and a target
//!
//! A pure-Rust initiator (a subset of RFC 7143) that carries SCSI MMC commands to a drive
//! exported by an iSCSI target (tgt, LIO, a NAS…), as a
//! [`Transport`](discburn_mmc::Transport).
//!
//! - [`pdu`]: the PDU codec — typed BHS views and reprs, framing, CRC32C digests.
//! - [`text`], [`params`], [`chap`]: login text, operational negotiation, CHAP/MD5.
//! - [`session`]: the sans-I/O session state machine (bytes and `now` in; PDUs, events
//!   and timeouts out).
//! - [`IscsiTransport`] is the blocking TCP driver around it.
//! - [`IscsiUrl`] parses `iscsi://[user%password@]HOST[:PORT]/TARGET-IQN/LUN`.
//! - [`target`]: the other side — any [`Transport`](discburn_mmc::Transport) (the virtual
//!   recorder, for `discburn serve`) exported to initiators: a sans-I/O connection and a
//!   thread-per-connection TCP server.
//!
//! ```no_run
//! use discburn_iscsi::IscsiTransport;
//! use discburn_mmc::{Request, Transport};
//! use std::time::Duration;
//!
//! let mut drive = IscsiTransport::open("iscsi://127.0.0.1/iqn.2024-01.example:dvd/1")?;
//! let inquiry = [0x12, 0, 0, 0, 96, 0];
//! let mut buf = [0u8; 96];
//! let done = drive.execute(Request::data_in(&inquiry, &mut buf, Duration::from_secs(5)))?;
//! println!("{:?}, {} bytes", done.status, done.transferred);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

pub mod chap;
mod driver;
pub mod params;
pub mod pdu;
pub mod session;
pub mod target;
#[cfg(feature = "tgt-harness")]
pub mod testing;
pub mod testing_login;
pub mod text;
pub mod url;

pub use driver::{CancelHandle, Error, IscsiOptions, IscsiTransport, POLL_SLICE};
pub use session::{Session, SessionConfig};
pub use url::{redact_password, IscsiUrl, UrlError};

/// The README's examples, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
