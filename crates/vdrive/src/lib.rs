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
//!
//! ## Address
//! `virtual:PATH?media=bd-r&speed=12x&buffer=4MiB[&full=wait|lwip][&throttle=on|off][&fault=F[,F…]]`
//! — media `cd-r`, `cd-rw`, `dvd-r`, `dvd+r`, `dvd+rw`, `dvd-ram`, `bd-r`, `bd-re` (default
//! `dvd+r`); speed `Nx` or `max` (rounded down to an offered speed); faults
//! `medium-error:A[-B]`, `loss-of-streaming`, `lwip-storm:N`, `hang[:OP_HEX[:N]]`,
//! `medium-changed`, `reset`, `no-medium`, `corrupt:A[-B]`, `reject-write-mode[:TYPE]`;
//! `mid=CODE` sets the disc's manufacturer code ([`MediaId`]: `97:24:01` on CD-R/RW,
//! `TYG03` on DVD-R, `MCC-004-001` on DVD+R/RW, `VERBAT-IMe-000` on BD; kept in the
//! state file). See [`VirtualDriveConfig`] for the typed form (and `unthrottled()` for benchmarks).
//!
//! ## Behaviour where MMC leaves room
//! - **Files.** Sectors live at LBA × 2048 in PATH (sparse; a raw/audio CD uses 2352-byte
//!   slots, fixed by the first write), the medium's state in `PATH.state` (JSON, replaced
//!   atomically). SYNCHRONIZE CACHE and CLOSE fsync both; dropping the drive saves the
//!   state. PATH is `flock`ed: a second handle or process gets [`VdriveError::Locked`].
//! - **A killed process** (SIGKILL, a crash) leaves a disc as a real one: sectors burnt
//!   are burnt. During a write stream on sequential media the state is saved after the
//!   first WRITE and every 32 MiB, at most once a second (image fsynced first), and on
//!   open the open track
//!   holding the image's end takes the sectors written since ([`model::DiscState::
//!   recover_interrupted`]): an incomplete track (not blank, no Damage bit, NWA after the
//!   last whole sector) in an incomplete session on an appendable disc, which takes the
//!   next WRITE at that NWA or a CLOSE. ERASE SESSION cuts the image at the last session
//!   kept, so erased sectors never come back this way.
//! - **DVD-RAM** is sold formatted; FORMAT UNIT takes 00h (full format: the data is
//!   gone, the user area back to 2,236,704 blocks) and, once per full format, 01h (spare
//!   area expansion: 49,152 blocks fewer, the data kept), both listed by READ FORMAT
//!   CAPACITIES.
//! - **BD-R SRM+POW.** FORMAT UNIT type 32h with sub-type 00b (what growisofs sends)
//!   turns pseudo-overwrite on: feature 0038h is current, and a WRITE below the NWA of
//!   the open track replaces those sectors in place (a real drive remaps them to spare
//!   clusters; reads see the new data either way) while any part past the NWA extends the
//!   track. Sub-type 01b (SRM-POW) and 10b (RRM, not modelled) stay write-once.
//! - **Foreign images.** PATH existing without a state file: empty → the blank `media=`;
//!   non-empty → a finalized read-only disc of the `media=` family (DVD-ROM, CD-ROM or
//!   BD-ROM, bumped to a larger family if the data does not fit), like tgt.
//! - **Finalized discs keep their recordable profile** (a DVD+R stays 001Bh with disc status
//!   complete), as real recorders report; only foreign images are ROM profiles.
//! - **Write rules.** Sequential media take WRITE only at the NWA of an open track
//!   (05/21/02), never past the capacity (05/21/00) or a reserved track's end (05/63/00);
//!   finalized or ROM media answer 05/30/05; unformatted DVD+RW/BD-RE 05/30/10. READ outside
//!   recorded blocks is 05/21/00; formatted rewritable media read zeros where never written.
//! - **Sessions.** CLOSE SESSION on CD and DVD-R finalizes unless page 05h says
//!   multi-session 11b; on DVD+R/BD-R function 2 keeps the disc appendable and 5/6 (DVD+R),
//!   3/6 (BD-R) finalize. A new session starts after a lead-out/lead-in gap (CD 11,400
//!   sectors, DVD±R 30,720, BD-R 2,048); CD TAO tracks are followed by 152 run-out/pre-gap
//!   sectors.
//! - **Page 05h** matters on CD and DVD-R only (write type, block size, Test Write,
//!   BUFE, multi-session); other media accept and ignore it. Test Write simulates on a copy
//!   of the medium that is dropped at CLOSE.
//! - **Timing.** The buffer drains along the selected speed's curve (CLV, CAV with speed²
//!   linear in LBA from x/2.4 to x, or zoned CLV) from the injected clock; BD with spares
//!   burns at half speed unless WRITE(12) sets Streaming. An empty buffer while a stream is
//!   open is an underrun (counted; with BUFE off on CD/DVD-R the next WRITE is 03/0C/09).
//!   SYNCHRONIZE CACHE takes the drain time, CLOSE adds the medium's close time, FORMAT and
//!   BLANK their own; with Immed, TEST UNIT READY and REQUEST SENSE report 02/04/07 (04/04
//!   for FORMAT) with progress until done; without it, a time beyond the request's timeout
//!   becomes `TransportError::Timeout` while the drive finishes in the background.
//! - **Reading.** READ(10)/(12) take the time to read their sectors along the selected
//!   read speed's curve (default the fastest: CAV from x/2.4 at the inner edge to 48x CD,
//!   16x DVD, 12x BD-R/ROM, 8x BD-RE, 5x DVD-RAM at the outer edge), laid over the
//!   family's nominal single-layer disc so a short foreign image reads at inner speed.
//!   A READ that does not continue the previous one pays a seek: 10 ms settle and
//!   rotational latency plus the rest of a full stroke (CD 100 ms, DVD 120 ms, BD 150 ms)
//!   scaled by the square root of the radial distance; the first READ after WRITEs seeks
//!   from where writing ended; a READ while the write buffer holds data first burns it
//!   (its drain time; the write stream ends there, so it is no underrun). Between READs the drive reads ahead into its buffer (up to
//!   its size), so a host's own pauses overlap the reading. SET CD SPEED (FFFFh: fastest)
//!   and SET STREAMING read rates select the nearest offered read speed at or below (CLV
//!   at the low ones, see [`media::MediaSpec::read_speeds`]); SET STREAMING RDD restores
//!   the fastest. GET PERFORMANCE type 00h without Write reports that curve from the
//!   start LBA to the disc's capacity, page 2Ah the current and fastest read speeds.
//!   `throttle=off` reads instantly. See [`read`] for the numbers and why.
//! - **CD Session-At-Once.** With page 05h write type SAO on a CD, SEND CUE SHEET must
//!   come before the first WRITE (05/2C/00 otherwise, also for a sheet sent without SAO
//!   selected or into a session already written); a sheet the drive cannot record is
//!   05/26/00 (bad structure, first track not at the NWA or not the next track number,
//!   a data form whose block size is not page 05h's, past the lead-out limit). The host
//!   then writes one stream from the sheet's first host-sent sector (−150 for a pre-gap
//!   it sends, else index 01h), each WRITE at the next LBA (05/21/02); pre-gap sectors
//!   are consumed, not kept. SYNCHRONIZE CACHE after the last sector writes the lead-out
//!   and closes the session, finalizing unless multi-session is 11b.
//! - **MECHANISM STATUS**: one drive, door closed, no changer, no slot tables.
//! - **READ DISC STRUCTURE**: format 00h (DVD physical format information with the
//!   medium's book type and data area; BD disc information "DI" with BDR/BDW/BDO, on
//!   BD-R/RE the 112-byte unit with the disc's manufacturer and media type), 0Eh on DVD-R
//!   (pre-pit manufacturer ID), 11h on DVD+R/+RW (ADIP manufacturer, media type,
//!   revision) and FFh (the list of those) for the loaded medium's family and layer 0;
//!   other formats or layers 05/24/00; a CD, or the other family's media type, 05/30/02.
//! - **Media identity** (`mid=`): READ TOC/PMA/ATIP format 4 answers the ATIP of a
//!   CD-R/RW (start of lead-in, disc type and sub-type, last possible lead-out; CD-RW
//!   with its speed codes), on any other medium 05/24/00 as drives do. Without `mid=` a
//!   disc has its medium's default ([`MediaId::default_for`]).
//! - **RESERVE TRACK** reserves by size only. ARSV=1 (reservation by start LBA) answers
//!   05/24/00 on every medium: the model's tracks follow each other at the NWA, so an LBA
//!   other than the NWA cannot be honoured, and hosts (cdrecord, growisofs, libburn)
//!   reserve DVD-R DAO and CD tracks by size.
//! - **READ CD** returns CD-DA sectors whole and Mode 1 sectors as selected (sync and
//!   header generated, EDC/ECC only where the image keeps raw sectors); sub-channel
//!   selections answer 05/24/00. **READ TOC format 5** returns the CD-Text the first
//!   session's SAO lead-in carried (R-W sub-channel data in 96-byte blocks, written when
//!   the cue sheet's lead-in entry asks for it), or the header alone.
//! - **CD Track-At-Once**: SYNCHRONIZE CACHE ends the open track, as drives do for
//!   cdrecord/wodim (which send nothing else between tracks); the next track starts past
//!   2 run-out blocks and the 150-block pre-gap the drive writes, which READ CD returns
//!   as silence.
//! - **Not answered** (05/20/00): the opcodes without a typed CDB in discburn-mmc.
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
pub mod media_id;
pub mod model;
pub mod read;
pub mod testing_probe;

pub use config::{FullPolicy, SpeedRequest, VirtualDriveConfig};
pub use control::{DriveControl, DriveStats, Fault};
pub use drive::{VirtualDrive, CHECKPOINT_BLOCKS, CHECKPOINT_INTERVAL};
pub use media::Media;
pub use media_id::{MediaId, MediaIdError};

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
    /// The address's `mid=` cannot name a disc of the medium.
    #[error("virtual drive address: {0}")]
    MediaId(#[from] MediaIdError),
}

/// The README's examples, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
