//! # discburn-mmc — the SCSI MMC wire format
//!
//! CDB builders and parsers, typed views and `Repr`s of the parameter data MMC-6
//! recorders exchange, sense data with its ASC/ASCQ names, media profiles, and the
//! [`Transport`](transport::Transport) trait every device backend implements.
//! No I/O happens here, and nothing here panics on input from a device.
#![forbid(unsafe_code)]

pub mod cdb;
pub mod clock;
pub mod config;
pub mod device;
pub mod disc;
pub mod event;
pub mod format;
pub mod mode;
pub mod profile;
pub mod rw;
pub mod sense;
pub mod speed;
pub mod track;
pub mod transport;
pub mod wire;

pub use cdb::{Cdb, Command, OpCode};
pub use transport::{
    Completion, DataPhase, Limits, Request, ScsiStatus, Transport, TransportError,
};
