//! # discburn — write to CD, DVD and Blu-ray recorders
//!
//! A native Rust reimplementation of Windows IMAPI2's raw write engine
//! ([`WriteEngine`], IWriteEngine2) and recorder ([`Recorder`], IDiscRecorder2Ex), over
//! SCSI MMC to a real drive (SG_IO), a remote one (iSCSI) or the virtual recorder.
//!
//! ```
//! use std::sync::Arc;
//! use discburn::{WriteEngine, Phase};
//! use discburn::mmc::clock::SimClock;
//!
//! # fn main() -> Result<(), discburn::Error> {
//! # let dir = tempfile::tempdir().unwrap();
//! # let path = dir.path().join("demo.img");
//! // A blank virtual BD-R at 4x; a simulated clock makes the "burn" instant.
//! let (_sim, clock) = SimClock::shared();
//! let address = format!("virtual:{}?media=bd-r&speed=4x", path.display());
//! let recorder = Arc::new(discburn::open_with_clock(&address, clock)?);
//! let engine = WriteEngine::with_recorder(recorder, 2048)?;
//! engine.on_update(|_engine, u| {
//!     if u.phase == Phase::Writing {
//!         println!("{:5.1} %  {:?} left", u.percent(), u.remaining);
//!     }
//! });
//! let image = vec![0x5Au8; 2048 * 1000];
//! let last = engine.write_section(&image[..], 0, 1000)?;
//! assert_eq!(last.last_written_lba, 999);
//! # Ok(())
//! # }
//! ```
//!
//! Every device error is an [`Error`] with its IMAPI2 [`HResult`], the sense and CDB
//! behind it and, for writes, the last LBA written. Time is injected (a
//! `discburn_mmc::clock::SharedClock`), so pacing, waits and timeouts are tested on a
//! simulated clock. [`imapi2`] offers the same engine under IMAPI2's exact names.
#![forbid(unsafe_code)]

pub mod burn;
pub mod cuefile;
mod drives;
pub mod engine;
pub mod error;
pub mod fanout;
pub mod hresult;
pub mod imapi2;
pub mod iso;
mod open;
pub mod recorder;
#[cfg(all(feature = "iscsi", feature = "vdrive"))]
pub mod serve;
pub mod testing_folder;
pub mod verify;

pub use drives::{drives, LocalDrive};
pub use engine::{
    CancelOutcome, CancelToken, DeviceBuffer, Phase, RateModel, Timing, Update, WriteEngine,
};
pub use error::{Error, ErrorKind, OpenFailure, OpenProblem, Result, SenseInfo};
pub use hresult::HResult;
pub use open::{open, open_shared, open_with_clock, redact_address};
pub use recorder::{MediaIdentity, Recorder, SpeedAdjustment, SpeedSelection, WriteSpeed};

pub use discburn_mmc as mmc;
/// The virtual recorder (`discburn_vdrive`): a faithful MMC drive model over an image file.
#[cfg(feature = "vdrive")]
pub use discburn_vdrive as vdrive;

/// The README's examples, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
