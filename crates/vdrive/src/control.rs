//! Fault injection and statistics, reachable through a cloneable [`DriveControl`] while
//! the drive itself is boxed inside a recorder on another thread.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex, MutexGuard};

use discburn_mmc::OpCode;

/// A misbehaviour the virtual drive can be told to show (issue 3 item 6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// WRITEs touching these LBAs fail with 03/0C/00 WRITE ERROR and READs with
    /// 03/11/00 UNRECOVERED READ ERROR (INFORMATION = the first bad LBA). Persistent.
    MediumError(RangeInclusive<u32>),
    /// The next WRITE fails with 03/0C/09 LOSS OF STREAMING (the track is marked damaged).
    LossOfStreaming,
    /// The next `n` WRITEs are answered 02/04/08 LONG WRITE IN PROGRESS without taking data.
    LongWriteStorm(u32),
    /// The next `count` commands with this operation code (any, if `None`) hang: the drive
    /// sleeps the clock for the request's timeout and the transport reports
    /// `TransportError::Timeout`; the command has no effect.
    Hang {
        /// Operation code to hang on (`None`: the next command whatever it is).
        opcode: Option<u8>,
        /// How many such commands hang.
        count: u32,
    },
    /// The next command (other than INQUIRY and REQUEST SENSE, per SPC-4) gets 06/28/00
    /// NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED.
    MediumChanged,
    /// The next command (other than INQUIRY and REQUEST SENSE) gets 06/29/00 POWER ON,
    /// RESET; the drive buffer is lost and the write parameters return to defaults.
    Reset,
    /// The medium is gone: media commands get 02/3A/00 until the fault is cleared or a
    /// START STOP UNIT loads the tray (which then reports 06/28/00).
    MediumRemoved,
    /// Sectors in this range are silently written wrong (bytes inverted) while the WRITE
    /// reports GOOD — only a verify pass finds it. Persistent.
    Corrupt(RangeInclusive<u32>),
    /// MODE SELECT of a Write Parameters page (05h) with this write type (any, if `None`)
    /// fails with 05/26/00 INVALID FIELD IN PARAMETER LIST. Persistent.
    RejectWriteMode(Option<u8>),
}

/// Counters and gauges of the drive, as of the end of the last command.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DriveStats {
    /// Commands executed (including those answered with CHECK CONDITION).
    pub commands: u64,
    /// Commands executed per operation code.
    pub per_opcode: BTreeMap<u8, u64>,
    /// Commands answered with CHECK CONDITION.
    pub check_conditions: u64,
    /// Commands that hung into a transport timeout.
    pub timeouts: u64,
    /// WRITE(10)/(12) commands accepted (GOOD).
    pub writes: u64,
    /// Blocks accepted by WRITE commands.
    pub blocks_written: u64,
    /// 02/04/08 LONG WRITE IN PROGRESS answers returned.
    pub long_write_in_progress: u64,
    /// Buffer underruns (buffer ran empty while a write stream was open).
    pub underruns: u64,
    /// Drive buffer size in bytes.
    pub buffer_capacity: u64,
    /// Bytes in the drive buffer.
    pub buffer_fill: u64,
    /// Sectors/s being burned at the current position (`None`: unthrottled).
    pub current_speed_sectors_per_second: Option<f64>,
    /// Selected write speed in kB/s (nominal, as mode page 2Ah reports it).
    pub selected_write_speed_kbps: u32,
    /// Time the drive spent waiting for buffer room (full=wait), summed.
    pub buffer_wait: std::time::Duration,
    /// READ(10)/(12) commands answered GOOD.
    pub reads: u64,
    /// Blocks returned by READ commands.
    pub blocks_read: u64,
    /// READs that had to seek (not a continuation of the read-ahead).
    pub seeks: u64,
    /// Time READ commands took (burning what the write buffer held, seeks, reading at
    /// the read speed), summed.
    pub read_time: std::time::Duration,
    /// Selected read speed in kB/s (nominal, as mode page 2Ah reports it).
    pub selected_read_speed_kbps: u32,
    /// State file saves at checkpoints during write streams (see
    /// [`crate::CHECKPOINT_BLOCKS`]).
    pub checkpoints: u64,
}

impl DriveStats {
    /// Commands executed with operation code `op`.
    pub fn count(&self, op: OpCode) -> u64 {
        self.per_opcode.get(&u8::from(op)).copied().unwrap_or(0)
    }
}

#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub(crate) faults: Vec<Fault>,
    pub(crate) stats: DriveStats,
}

/// A handle on a [`crate::VirtualDrive`] usable from any thread: inject faults, read stats.
#[derive(Debug, Clone, Default)]
pub struct DriveControl {
    pub(crate) shared: Arc<Mutex<Shared>>,
}

impl DriveControl {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Shared> {
        // A panic while holding the lock leaves plain data behind; keep going.
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a fault; it applies from the next command on.
    pub fn inject(&self, fault: Fault) {
        self.lock().faults.push(fault);
    }

    /// Removes every pending fault.
    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    /// The faults still pending.
    pub fn faults(&self) -> Vec<Fault> {
        self.lock().faults.clone()
    }

    /// A snapshot of the statistics.
    pub fn stats(&self) -> DriveStats {
        self.lock().stats.clone()
    }

    /// Resets the counters (gauges are refreshed by the next command).
    pub fn reset_stats(&self) {
        let mut s = self.lock();
        let keep = DriveStats {
            buffer_capacity: s.stats.buffer_capacity,
            buffer_fill: s.stats.buffer_fill,
            current_speed_sectors_per_second: s.stats.current_speed_sectors_per_second,
            selected_write_speed_kbps: s.stats.selected_write_speed_kbps,
            selected_read_speed_kbps: s.stats.selected_read_speed_kbps,
            ..DriveStats::default()
        };
        s.stats = keep;
    }
}
