//! # discburn-vdrive — the virtual recorder
//!
//! An MMC-6 drive model over a sparse image file: it executes CDBs the way a real CD/DVD/BD
//! recorder does (profiles, sessions, tracks, next writable address, write rules per
//! medium, a drive buffer drained at the medium's speed on an injected clock, faults) and
//! implements [`discburn_mmc::Transport`], so every layer above runs against it exactly as
//! against a real drive.
//!
//! ```
//! use discburn_mmc::clock::SimClock;
//! use discburn_mmc::{Command, Request, Transport};
//! use discburn_mmc::rw::Write10;
//! use discburn_vdrive::VirtualDrive;
//! use std::time::Duration;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let addr = format!("virtual:{}?media=bd-r&speed=2x", dir.path().join("d.img").display());
//! let (_sim, clock) = SimClock::shared();
//! let mut drive = VirtualDrive::open(&addr, clock).unwrap();
//! let cdb = Write10 { lba: 0, blocks: 16, dpo: false, fua: false }.emit();
//! let data = vec![0xA5; 16 * 2048];
//! let done = drive
//!     .execute(Request::data_out(cdb.as_bytes(), &data, Duration::from_secs(10)))
//!     .unwrap();
//! assert!(done.is_good());
//! assert_eq!(drive.control().stats().blocks_written, 16);
//! ```
#![forbid(unsafe_code)]

pub mod buffer;
pub mod check;
pub mod config;
pub mod control;
pub mod curve;
mod drive;
pub mod features;
pub mod image;
pub mod media;
pub mod model;

pub use config::{FullPolicy, SpeedRequest, VirtualDriveConfig};
pub use control::{DriveControl, DriveStats, Fault};
pub use drive::VirtualDrive;
pub use media::Media;

/// Why a virtual drive could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VdriveError {
    /// The address string is malformed; the message lists the valid choices.
    #[error("virtual drive address: {0}")]
    Address(String),
    /// The image or state file could not be opened, read or written.
    #[error("virtual drive image: {0}")]
    Io(String),
    /// Another process or handle has the image open for writing.
    #[error("virtual drive image {0} is in use by another process or handle (locked)")]
    Locked(String),
    /// The state file is unreadable or inconsistent.
    #[error("virtual drive state file: {0}")]
    BadState(String),
}
