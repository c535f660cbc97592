//! # discburn-mmc — the SCSI MMC wire format
//!
//! The bytes an optical recorder and its host exchange, typed: CDB builders and parsers
//! for the MMC-6 / SPC-4 commands a disc writer uses, views and `Repr`s of their parameter
//! data, sense data with its ASC/ASCQ names and a classification a write engine acts on,
//! media profiles, and the [`Transport`] trait every device backend
//! (Linux SG_IO, iSCSI, the virtual recorder) implements. No I/O happens here, and
//! nothing here panics on input from a device.
//!
//! ```
//! use discburn_mmc::disc::{DiscInformation, DiscStatus};
//! use discburn_mmc::rw::Write12;
//! use discburn_mmc::sense::{Sense, SenseClass};
//! use discburn_mmc::Command;
//!
//! // WRITE(12) of 32 blocks at LBA 4096 with the Streaming bit (no defect management).
//! let cdb = Write12 { lba: 4096, blocks: 32, streaming: true, ..Default::default() }.emit();
//! assert_eq!(cdb.as_bytes(), &[0xAA, 0, 0, 0, 0x10, 0, 0, 0, 0, 32, 0x80, 0]);
//! assert_eq!(Write12::parse(cdb.as_bytes())?.lba, 4096);
//!
//! // READ DISC INFORMATION from a blank BD-R: empty disc, lead-out at 12,219,392.
//! let mut block = [0u8; 34];
//! block[..8].copy_from_slice(&[0x00, 0x20, 0x00, 1, 1, 1, 1, 0x20]);
//! block[20..24].copy_from_slice(&12_219_392u32.to_be_bytes());
//! let info = DiscInformation::parse(&block)?;
//! assert_eq!(info.disc_status, DiscStatus::Empty);
//! assert_eq!(info.last_possible_lead_out_start, 12_219_392);
//!
//! // The sense a drive answers while its buffer is full: wait, then retry the WRITE.
//! let raw = [0x70, 0, 0x02, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x04, 0x08, 0, 0, 0, 0];
//! let sense = Sense::parse(&raw)?;
//! assert_eq!(sense.classify(), SenseClass::LongWriteInProgress);
//! assert_eq!(sense.to_string(), "NOT READY, LONG WRITE IN PROGRESS (2/04/08)");
//! # Ok::<(), discburn_mmc::wire::Error>(())
//! ```
//!
//! Modules follow one shape (after smoltcp's `wire`): each command is a small struct
//! implementing [`Command`] (`emit` builds the CDB, `parse` reads one back and rejects
//! reserved values, which the virtual recorder turns into ILLEGAL REQUEST); parameter
//! data has a view whose accessors never panic and a `Repr` with `parse`, `emit` and
//! `buffer_len`. Parsers read only the bytes actually transferred and never trust a
//! length field inside the data. The families: [`device`] (TEST UNIT READY, INQUIRY…),
//! [`rw`] (READ/WRITE, SYNCHRONIZE CACHE), [`disc`], [`track`], [`config`] (GET
//! CONFIGURATION), [`mode`] (pages 05h, 2Ah), [`speed`] (GET PERFORMANCE, SET STREAMING,
//! READ BUFFER CAPACITY), [`format`](mod@format) (FORMAT UNIT, BLANK), [`cue`] (SEND CUE
//! SHEET for CD Session-at-Once), [`event`], [`sense`] and [`profile`]. [`clock`] is the
//! one clock every layer waits on.
#![forbid(unsafe_code)]

pub mod buf;
pub mod cdb;
pub mod cdtext;
pub mod clock;
pub mod config;
pub mod cue;
pub mod device;
pub mod disc;
pub mod event;
pub mod format;
pub mod mode;
pub mod profile;
pub mod readcd;
pub mod rw;
pub mod sense;
pub mod speed;
pub mod subchannel;
pub mod track;
pub mod transport;
pub mod vpd;
pub mod wire;

pub use cdb::{Cdb, Command, OpCode};
pub use transport::{
    Completion, DataPhase, Limits, Request, ScsiStatus, Transport, TransportError,
};
