//! Sense data (SPC-4 §4.5): the fixed (70h/71h) and descriptor (72h/73h) formats, sense
//! keys, the ASC/ASCQ table with names, progress indication, and a [`SenseClass`] the
//! write engine acts on.
//!
//! Views ([`FixedSense`], [`DescriptorSense`]) read fields straight from the bytes and never
//! panic; [`Sense::parse`] accepts either format and validates the response code. Only the
//! bytes actually transferred are read: a field past the end of a short fixed-format
//! buffer reads as zero (as sg3_utils does), and descriptors are walked within the
//! buffer, however long the additional sense length claims the list to be.
//!
//! ```
//! use discburn_mmc::sense::{Asc, Sense, SenseClass, SenseKey};
//!
//! let raw = [0x70, 0, 0x02, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x04, 0x08, 0, 0, 0, 0];
//! let sense = Sense::parse(&raw)?;
//! assert_eq!(sense.key, SenseKey::NotReady);
//! assert_eq!(sense.code(), Asc::LONG_WRITE_IN_PROGRESS);
//! assert_eq!(sense.classify(), SenseClass::LongWriteInProgress);
//! assert!(sense.classify().is_retryable_wait());
//! assert!(sense.is(SenseKey::NotReady, Asc::LONG_WRITE_IN_PROGRESS));
//! assert_eq!(sense.to_string(), "NOT READY, LONG WRITE IN PROGRESS (2/04/08)");
//! # Ok::<(), discburn_mmc::wire::Error>(())
//! ```

use crate::wire;

// ---------------------------------------------------------------------------------------
// Sense key
// ---------------------------------------------------------------------------------------

macro_rules! sense_keys {
    ($( $(#[$m:meta])* $name:ident = $val:literal, $text:literal; )*) => {
        /// The sense key (SPC-4 §4.5.6, Table 49): a 4-bit field, so every value is named.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum SenseKey {
            $( $(#[$m])* $name, )*
        }

        impl SenseKey {
            /// All sixteen keys, indexed by value.
            pub const ALL: [SenseKey; 16] = [ $( SenseKey::$name, )* ];
        }

        impl From<u8> for SenseKey {
            /// Reads the low four bits (the field's width); higher bits are ignored.
            fn from(v: u8) -> Self {
                SenseKey::ALL[usize::from(v & 0x0F)]
            }
        }

        impl From<SenseKey> for u8 {
            fn from(k: SenseKey) -> u8 {
                match k {
                    $( SenseKey::$name => $val, )*
                }
            }
        }

        impl SenseKey {
            /// The key's name as SPC spells it ("NOT READY").
            pub fn name(self) -> &'static str {
                match self {
                    $( SenseKey::$name => $text, )*
                }
            }
        }
    };
}

sense_keys! {
    /// 0h: no specific sense key information (also used to report progress).
    NoSense = 0x0, "NO SENSE";
    /// 1h: the command completed after recovery action.
    RecoveredError = 0x1, "RECOVERED ERROR";
    /// 2h: the logical unit is not accessible (no medium, becoming ready, busy).
    NotReady = 0x2, "NOT READY";
    /// 3h: a non-recovered error caused by a flaw in the medium or recorded data.
    MediumError = 0x3, "MEDIUM ERROR";
    /// 4h: a non-recoverable hardware failure.
    HardwareError = 0x4, "HARDWARE ERROR";
    /// 5h: the command or its parameters were invalid; nothing was done.
    IllegalRequest = 0x5, "ILLEGAL REQUEST";
    /// 6h: a unit attention condition (medium changed, reset, parameters changed).
    UnitAttention = 0x6, "UNIT ATTENTION";
    /// 7h: the medium is protected against the attempted access.
    DataProtect = 0x7, "DATA PROTECT";
    /// 8h: a blank or non-blank medium was met where the other was required.
    BlankCheck = 0x8, "BLANK CHECK";
    /// 9h: vendor specific.
    VendorSpecific = 0x9, "VENDOR SPECIFIC";
    /// Ah: an EXTENDED COPY command was aborted.
    CopyAborted = 0xA, "COPY ABORTED";
    /// Bh: the device aborted the command; the host may retry.
    AbortedCommand = 0xB, "ABORTED COMMAND";
    /// Ch: obsolete (EQUAL in SCSI-2), reserved in SPC-4.
    Equal = 0xC, "EQUAL";
    /// Dh: a buffered device reached the end of partition with data left.
    VolumeOverflow = 0xD, "VOLUME OVERFLOW";
    /// Eh: source data did not match the medium (VERIFY with BYTCHK).
    Miscompare = 0xE, "MISCOMPARE";
    /// Fh: the command completed with information to report (SPC-5).
    Completed = 0xF, "COMPLETED";
}

impl core::fmt::Display for SenseKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

// ---------------------------------------------------------------------------------------
// ASC / ASCQ
// ---------------------------------------------------------------------------------------

/// An additional sense code and its qualifier (SPC-4 §4.5.6, Table 50: "ASC" and "ASCQ").
///
/// The associated constants name the codes the engine and the virtual recorder use:
/// `Asc::LONG_WRITE_IN_PROGRESS` is 04h/08h.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Asc {
    /// Additional sense code.
    pub asc: u8,
    /// Additional sense code qualifier.
    pub ascq: u8,
}

impl Asc {
    /// The code `asc`/`ascq`.
    pub const fn new(asc: u8, ascq: u8) -> Self {
        Asc { asc, ascq }
    }

    /// 00/00 NO ADDITIONAL SENSE INFORMATION.
    pub const NO_ADDITIONAL_SENSE: Asc = Asc::new(0x00, 0x00);
    /// 00/16 OPERATION IN PROGRESS.
    pub const OPERATION_IN_PROGRESS_NO_SENSE: Asc = Asc::new(0x00, 0x16);
    /// 04/00 LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE.
    pub const NOT_READY_CAUSE_NOT_REPORTABLE: Asc = Asc::new(0x04, 0x00);
    /// 04/01 LOGICAL UNIT IS IN PROCESS OF BECOMING READY.
    pub const BECOMING_READY: Asc = Asc::new(0x04, 0x01);
    /// 04/02 LOGICAL UNIT NOT READY, INITIALIZING COMMAND REQUIRED.
    pub const INITIALIZING_COMMAND_REQUIRED: Asc = Asc::new(0x04, 0x02);
    /// 04/03 LOGICAL UNIT NOT READY, MANUAL INTERVENTION REQUIRED.
    pub const MANUAL_INTERVENTION_REQUIRED: Asc = Asc::new(0x04, 0x03);
    /// 04/04 LOGICAL UNIT NOT READY, FORMAT IN PROGRESS.
    pub const FORMAT_IN_PROGRESS: Asc = Asc::new(0x04, 0x04);
    /// 04/07 LOGICAL UNIT NOT READY, OPERATION IN PROGRESS.
    pub const OPERATION_IN_PROGRESS: Asc = Asc::new(0x04, 0x07);
    /// 04/08 LOGICAL UNIT NOT READY, LONG WRITE IN PROGRESS.
    pub const LONG_WRITE_IN_PROGRESS: Asc = Asc::new(0x04, 0x08);
    /// 06/00 NO REFERENCE POSITION FOUND.
    pub const NO_REFERENCE_POSITION_FOUND: Asc = Asc::new(0x06, 0x00);
    /// 09/01 TRACKING SERVO FAILURE.
    pub const TRACKING_SERVO_FAILURE: Asc = Asc::new(0x09, 0x01);
    /// 09/02 FOCUS SERVO FAILURE.
    pub const FOCUS_SERVO_FAILURE: Asc = Asc::new(0x09, 0x02);
    /// 0C/00 WRITE ERROR.
    pub const WRITE_ERROR: Asc = Asc::new(0x0C, 0x00);
    /// 0C/09 WRITE ERROR - LOSS OF STREAMING.
    pub const LOSS_OF_STREAMING: Asc = Asc::new(0x0C, 0x09);
    /// 0C/0A WRITE ERROR - PADDING BLOCKS ADDED.
    pub const PADDING_BLOCKS_ADDED: Asc = Asc::new(0x0C, 0x0A);
    /// 0C/07 WRITE ERROR - RECOVERY NEEDED.
    pub const WRITE_ERROR_RECOVERY_NEEDED: Asc = Asc::new(0x0C, 0x07);
    /// 11/00 UNRECOVERED READ ERROR.
    pub const UNRECOVERED_READ_ERROR: Asc = Asc::new(0x11, 0x00);
    /// 1A/00 PARAMETER LIST LENGTH ERROR.
    pub const PARAMETER_LIST_LENGTH_ERROR: Asc = Asc::new(0x1A, 0x00);
    /// 20/00 INVALID COMMAND OPERATION CODE.
    pub const INVALID_COMMAND_OPERATION_CODE: Asc = Asc::new(0x20, 0x00);
    /// 21/00 LOGICAL BLOCK ADDRESS OUT OF RANGE.
    pub const LBA_OUT_OF_RANGE: Asc = Asc::new(0x21, 0x00);
    /// 21/02 INVALID ADDRESS FOR WRITE.
    pub const INVALID_ADDRESS_FOR_WRITE: Asc = Asc::new(0x21, 0x02);
    /// 24/00 INVALID FIELD IN CDB.
    pub const INVALID_FIELD_IN_CDB: Asc = Asc::new(0x24, 0x00);
    /// 25/00 LOGICAL UNIT NOT SUPPORTED.
    pub const LOGICAL_UNIT_NOT_SUPPORTED: Asc = Asc::new(0x25, 0x00);
    /// 26/00 INVALID FIELD IN PARAMETER LIST.
    pub const INVALID_FIELD_IN_PARAMETER_LIST: Asc = Asc::new(0x26, 0x00);
    /// 27/00 WRITE PROTECTED.
    pub const WRITE_PROTECTED: Asc = Asc::new(0x27, 0x00);
    /// 28/00 NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED.
    pub const MEDIUM_MAY_HAVE_CHANGED: Asc = Asc::new(0x28, 0x00);
    /// 29/00 POWER ON, RESET, OR BUS DEVICE RESET OCCURRED.
    pub const POWER_ON_RESET: Asc = Asc::new(0x29, 0x00);
    /// 29/01 POWER ON OCCURRED.
    pub const POWER_ON_OCCURRED: Asc = Asc::new(0x29, 0x01);
    /// 29/03 BUS DEVICE RESET FUNCTION OCCURRED.
    pub const BUS_DEVICE_RESET: Asc = Asc::new(0x29, 0x03);
    /// 29/07 I_T NEXUS LOSS OCCURRED (an iSCSI session was lost and logged in again).
    pub const I_T_NEXUS_LOSS: Asc = Asc::new(0x29, 0x07);
    /// 2A/01 MODE PARAMETERS CHANGED.
    pub const MODE_PARAMETERS_CHANGED: Asc = Asc::new(0x2A, 0x01);
    /// 2C/00 COMMAND SEQUENCE ERROR.
    pub const COMMAND_SEQUENCE_ERROR: Asc = Asc::new(0x2C, 0x00);
    /// 30/00 INCOMPATIBLE MEDIUM INSTALLED.
    pub const INCOMPATIBLE_MEDIUM_INSTALLED: Asc = Asc::new(0x30, 0x00);
    /// 30/01 CANNOT READ MEDIUM - UNKNOWN FORMAT.
    pub const CANNOT_READ_MEDIUM_UNKNOWN_FORMAT: Asc = Asc::new(0x30, 0x01);
    /// 30/02 CANNOT READ MEDIUM - INCOMPATIBLE FORMAT.
    pub const CANNOT_READ_MEDIUM_INCOMPATIBLE_FORMAT: Asc = Asc::new(0x30, 0x02);
    /// 30/04 CANNOT WRITE MEDIUM - UNKNOWN FORMAT.
    pub const CANNOT_WRITE_MEDIUM_UNKNOWN_FORMAT: Asc = Asc::new(0x30, 0x04);
    /// 30/05 CANNOT WRITE MEDIUM - INCOMPATIBLE FORMAT.
    pub const CANNOT_WRITE_MEDIUM_INCOMPATIBLE_FORMAT: Asc = Asc::new(0x30, 0x05);
    /// 30/06 CANNOT FORMAT MEDIUM - INCOMPATIBLE MEDIUM.
    pub const CANNOT_FORMAT_MEDIUM: Asc = Asc::new(0x30, 0x06);
    /// 30/10 MEDIUM NOT FORMATTED.
    pub const MEDIUM_NOT_FORMATTED: Asc = Asc::new(0x30, 0x10);
    /// 31/00 MEDIUM FORMAT CORRUPTED.
    pub const MEDIUM_FORMAT_CORRUPTED: Asc = Asc::new(0x31, 0x00);
    /// 31/01 FORMAT COMMAND FAILED.
    pub const FORMAT_COMMAND_FAILED: Asc = Asc::new(0x31, 0x01);
    /// 3A/00 MEDIUM NOT PRESENT.
    pub const MEDIUM_NOT_PRESENT: Asc = Asc::new(0x3A, 0x00);
    /// 3A/01 MEDIUM NOT PRESENT - TRAY CLOSED.
    pub const MEDIUM_NOT_PRESENT_TRAY_CLOSED: Asc = Asc::new(0x3A, 0x01);
    /// 3A/02 MEDIUM NOT PRESENT - TRAY OPEN.
    pub const MEDIUM_NOT_PRESENT_TRAY_OPEN: Asc = Asc::new(0x3A, 0x02);
    /// 44/00 INTERNAL TARGET FAILURE.
    pub const INTERNAL_TARGET_FAILURE: Asc = Asc::new(0x44, 0x00);
    /// 47/00 SCSI PARITY ERROR.
    pub const SCSI_PARITY_ERROR: Asc = Asc::new(0x47, 0x00);
    /// 47/01 DATA PHASE CRC ERROR DETECTED.
    pub const DATA_PHASE_CRC_ERROR: Asc = Asc::new(0x47, 0x01);
    /// 53/02 MEDIUM REMOVAL PREVENTED.
    pub const MEDIUM_REMOVAL_PREVENTED: Asc = Asc::new(0x53, 0x02);
    /// 57/00 UNABLE TO RECOVER TABLE-OF-CONTENTS.
    pub const UNABLE_TO_RECOVER_TOC: Asc = Asc::new(0x57, 0x00);
    /// 63/00 END OF USER AREA ENCOUNTERED ON THIS TRACK.
    pub const END_OF_USER_AREA: Asc = Asc::new(0x63, 0x00);
    /// 64/00 ILLEGAL MODE FOR THIS TRACK.
    pub const ILLEGAL_MODE_FOR_THIS_TRACK: Asc = Asc::new(0x64, 0x00);
    /// 72/00 SESSION FIXATION ERROR.
    pub const SESSION_FIXATION_ERROR: Asc = Asc::new(0x72, 0x00);
    /// 72/03 SESSION FIXATION ERROR - INCOMPLETE TRACK IN SESSION.
    pub const INCOMPLETE_TRACK_IN_SESSION: Asc = Asc::new(0x72, 0x03);
    /// 72/04 EMPTY OR PARTIALLY WRITTEN RESERVED TRACK.
    pub const EMPTY_OR_PARTIALLY_WRITTEN_RESERVED_TRACK: Asc = Asc::new(0x72, 0x04);
    /// 72/05 NO MORE TRACK RESERVATIONS ALLOWED.
    pub const NO_MORE_TRACK_RESERVATIONS_ALLOWED: Asc = Asc::new(0x72, 0x05);
    /// 73/00 CD CONTROL ERROR.
    pub const CD_CONTROL_ERROR: Asc = Asc::new(0x73, 0x00);
    /// 73/02 POWER CALIBRATION AREA IS FULL.
    pub const POWER_CALIBRATION_AREA_FULL: Asc = Asc::new(0x73, 0x02);
    /// 73/03 POWER CALIBRATION AREA ERROR.
    pub const POWER_CALIBRATION_AREA_ERROR: Asc = Asc::new(0x73, 0x03);
    /// 73/05 PROGRAM MEMORY AREA IS FULL.
    pub const PROGRAM_MEMORY_AREA_FULL: Asc = Asc::new(0x73, 0x05);

    /// The code's name from SPC-4/MMC-6 ([`asc_name`]).
    pub fn name(self) -> Option<&'static str> {
        asc_name(self.asc, self.ascq)
    }
}

impl core::fmt::Display for Asc {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{n} ({:02X}/{:02X})", self.asc, self.ascq),
            None => write!(f, "ASC {:02X}h ASCQ {:02X}h", self.asc, self.ascq),
        }
    }
}

/// The name SPC-4 Annex D / MMC-6 give an ASC/ASCQ pair, or `None` for a code they do not
/// define (vendor-specific codes, ASC or ASCQ 80h–FFh, included). The ranges SPC defines
/// by pattern (40/NN diagnostic failure on component NN, 4D/NN tagged overlapped commands,
/// 70/NN decompression exception) are matched too; their names keep the "NN".
pub fn asc_name(asc: u8, ascq: u8) -> Option<&'static str> {
    match ASC_TABLE.binary_search_by(|&(a, q, _)| (a, q).cmp(&(asc, ascq))) {
        Ok(i) => Some(ASC_TABLE[i].2),
        Err(_) => match asc {
            0x40 if ascq >= 0x80 => Some("DIAGNOSTIC FAILURE ON COMPONENT NN (80H-FFH)"),
            0x4D => Some("TAGGED OVERLAPPED COMMANDS (NN = TASK TAG)"),
            0x70 => Some("DECOMPRESSION EXCEPTION SHORT ALGORITHM ID OF NN"),
            _ => None,
        },
    }
}

/// SPC-4 Annex D (with the MMC-6 codes), sorted by (ASC, ASCQ) for binary search.
#[rustfmt::skip]
static ASC_TABLE: &[(u8, u8, &str)] = &[
    (0x00, 0x00, "NO ADDITIONAL SENSE INFORMATION"),
    (0x00, 0x01, "FILEMARK DETECTED"),
    (0x00, 0x02, "END-OF-PARTITION/MEDIUM DETECTED"),
    (0x00, 0x03, "SETMARK DETECTED"),
    (0x00, 0x04, "BEGINNING-OF-PARTITION/MEDIUM DETECTED"),
    (0x00, 0x05, "END-OF-DATA DETECTED"),
    (0x00, 0x06, "I/O PROCESS TERMINATED"),
    (0x00, 0x11, "AUDIO PLAY OPERATION IN PROGRESS"),
    (0x00, 0x12, "AUDIO PLAY OPERATION PAUSED"),
    (0x00, 0x13, "AUDIO PLAY OPERATION SUCCESSFULLY COMPLETED"),
    (0x00, 0x14, "AUDIO PLAY OPERATION STOPPED DUE TO ERROR"),
    (0x00, 0x15, "NO CURRENT AUDIO STATUS TO RETURN"),
    (0x00, 0x16, "OPERATION IN PROGRESS"),
    (0x00, 0x17, "CLEANING REQUESTED"),
    (0x00, 0x1D, "ATA PASS THROUGH INFORMATION AVAILABLE"),
    (0x01, 0x00, "NO INDEX/SECTOR SIGNAL"),
    (0x02, 0x00, "NO SEEK COMPLETE"),
    (0x03, 0x00, "PERIPHERAL DEVICE WRITE FAULT"),
    (0x03, 0x01, "NO WRITE CURRENT"),
    (0x03, 0x02, "EXCESSIVE WRITE ERRORS"),
    (0x04, 0x00, "LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE"),
    (0x04, 0x01, "LOGICAL UNIT IS IN PROCESS OF BECOMING READY"),
    (0x04, 0x02, "LOGICAL UNIT NOT READY, INITIALIZING COMMAND REQUIRED"),
    (0x04, 0x03, "LOGICAL UNIT NOT READY, MANUAL INTERVENTION REQUIRED"),
    (0x04, 0x04, "LOGICAL UNIT NOT READY, FORMAT IN PROGRESS"),
    (0x04, 0x05, "LOGICAL UNIT NOT READY, REBUILD IN PROGRESS"),
    (0x04, 0x06, "LOGICAL UNIT NOT READY, RECALCULATION IN PROGRESS"),
    (0x04, 0x07, "LOGICAL UNIT NOT READY, OPERATION IN PROGRESS"),
    (0x04, 0x08, "LOGICAL UNIT NOT READY, LONG WRITE IN PROGRESS"),
    (0x04, 0x09, "LOGICAL UNIT NOT READY, SELF-TEST IN PROGRESS"),
    (0x04, 0x0A, "LOGICAL UNIT NOT ACCESSIBLE, ASYMMETRIC ACCESS STATE TRANSITION"),
    (0x04, 0x0B, "LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN STANDBY STATE"),
    (0x04, 0x0C, "LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN UNAVAILABLE STATE"),
    (0x04, 0x10, "LOGICAL UNIT NOT READY, AUXILIARY MEMORY NOT ACCESSIBLE"),
    (0x04, 0x11, "LOGICAL UNIT NOT READY, NOTIFY (ENABLE SPINUP) REQUIRED"),
    (0x04, 0x12, "LOGICAL UNIT NOT READY, OFFLINE"),
    (0x04, 0x13, "LOGICAL UNIT NOT READY, SA CREATION IN PROGRESS"),
    (0x05, 0x00, "LOGICAL UNIT DOES NOT RESPOND TO SELECTION"),
    (0x06, 0x00, "NO REFERENCE POSITION FOUND"),
    (0x07, 0x00, "MULTIPLE PERIPHERAL DEVICES SELECTED"),
    (0x08, 0x00, "LOGICAL UNIT COMMUNICATION FAILURE"),
    (0x08, 0x01, "LOGICAL UNIT COMMUNICATION TIME-OUT"),
    (0x08, 0x02, "LOGICAL UNIT COMMUNICATION PARITY ERROR"),
    (0x08, 0x03, "LOGICAL UNIT COMMUNICATION CRC ERROR (ULTRA-DMA/32)"),
    (0x08, 0x04, "UNREACHABLE COPY TARGET"),
    (0x09, 0x00, "TRACK FOLLOWING ERROR"),
    (0x09, 0x01, "TRACKING SERVO FAILURE"),
    (0x09, 0x02, "FOCUS SERVO FAILURE"),
    (0x09, 0x03, "SPINDLE SERVO FAILURE"),
    (0x09, 0x04, "HEAD SELECT FAULT"),
    (0x0A, 0x00, "ERROR LOG OVERFLOW"),
    (0x0B, 0x00, "WARNING"),
    (0x0B, 0x01, "WARNING - SPECIFIED TEMPERATURE EXCEEDED"),
    (0x0B, 0x02, "WARNING - ENCLOSURE DEGRADED"),
    (0x0B, 0x03, "WARNING - BACKGROUND SELF-TEST FAILED"),
    (0x0C, 0x00, "WRITE ERROR"),
    (0x0C, 0x01, "WRITE ERROR - RECOVERED WITH AUTO REALLOCATION"),
    (0x0C, 0x02, "WRITE ERROR - AUTO REALLOCATION FAILED"),
    (0x0C, 0x03, "WRITE ERROR - RECOMMEND REASSIGNMENT"),
    (0x0C, 0x04, "COMPRESSION CHECK MISCOMPARE ERROR"),
    (0x0C, 0x05, "DATA EXPANSION OCCURRED DURING COMPRESSION"),
    (0x0C, 0x06, "BLOCK NOT COMPRESSIBLE"),
    (0x0C, 0x07, "WRITE ERROR - RECOVERY NEEDED"),
    (0x0C, 0x08, "WRITE ERROR - RECOVERY FAILED"),
    (0x0C, 0x09, "WRITE ERROR - LOSS OF STREAMING"),
    (0x0C, 0x0A, "WRITE ERROR - PADDING BLOCKS ADDED"),
    (0x0C, 0x0B, "AUXILIARY MEMORY WRITE ERROR"),
    (0x0C, 0x0C, "WRITE ERROR - UNEXPECTED UNSOLICITED DATA"),
    (0x0C, 0x0D, "WRITE ERROR - NOT ENOUGH UNSOLICITED DATA"),
    (0x0C, 0x0F, "DEFECTS IN ERROR WINDOW"),
    (0x0D, 0x00, "ERROR DETECTED BY THIRD PARTY TEMPORARY INITIATOR"),
    (0x0E, 0x00, "INVALID INFORMATION UNIT"),
    (0x10, 0x00, "ID CRC OR ECC ERROR"),
    (0x11, 0x00, "UNRECOVERED READ ERROR"),
    (0x11, 0x01, "READ RETRIES EXHAUSTED"),
    (0x11, 0x02, "ERROR TOO LONG TO CORRECT"),
    (0x11, 0x03, "MULTIPLE READ ERRORS"),
    (0x11, 0x04, "UNRECOVERED READ ERROR - AUTO REALLOCATE FAILED"),
    (0x11, 0x05, "L-EC UNCORRECTABLE ERROR"),
    (0x11, 0x06, "CIRC UNRECOVERED ERROR"),
    (0x11, 0x07, "DATA RE-SYNCHRONIZATION ERROR"),
    (0x11, 0x08, "INCOMPLETE BLOCK READ"),
    (0x11, 0x09, "NO GAP FOUND"),
    (0x11, 0x0A, "MISCORRECTED ERROR"),
    (0x11, 0x0B, "UNRECOVERED READ ERROR - RECOMMEND REASSIGNMENT"),
    (0x11, 0x0C, "UNRECOVERED READ ERROR - RECOMMEND REWRITE THE DATA"),
    (0x11, 0x0D, "DE-COMPRESSION CRC ERROR"),
    (0x11, 0x0E, "CANNOT DECOMPRESS USING DECLARED ALGORITHM"),
    (0x11, 0x0F, "ERROR READING UPC/EAN NUMBER"),
    (0x11, 0x10, "ERROR READING ISRC NUMBER"),
    (0x11, 0x11, "READ ERROR - LOSS OF STREAMING"),
    (0x11, 0x12, "AUXILIARY MEMORY READ ERROR"),
    (0x11, 0x13, "READ ERROR - FAILED RETRANSMISSION REQUEST"),
    (0x12, 0x00, "ADDRESS MARK NOT FOUND FOR ID FIELD"),
    (0x13, 0x00, "ADDRESS MARK NOT FOUND FOR DATA FIELD"),
    (0x14, 0x00, "RECORDED ENTITY NOT FOUND"),
    (0x14, 0x01, "RECORD NOT FOUND"),
    (0x15, 0x00, "RANDOM POSITIONING ERROR"),
    (0x15, 0x01, "MECHANICAL POSITIONING ERROR"),
    (0x15, 0x02, "POSITIONING ERROR DETECTED BY READ OF MEDIUM"),
    (0x16, 0x00, "DATA SYNCHRONIZATION MARK ERROR"),
    (0x17, 0x00, "RECOVERED DATA WITH NO ERROR CORRECTION APPLIED"),
    (0x17, 0x01, "RECOVERED DATA WITH RETRIES"),
    (0x17, 0x02, "RECOVERED DATA WITH POSITIVE HEAD OFFSET"),
    (0x17, 0x03, "RECOVERED DATA WITH NEGATIVE HEAD OFFSET"),
    (0x17, 0x04, "RECOVERED DATA WITH RETRIES AND/OR CIRC APPLIED"),
    (0x17, 0x05, "RECOVERED DATA USING PREVIOUS SECTOR ID"),
    (0x17, 0x07, "RECOVERED DATA WITHOUT ECC - RECOMMEND REASSIGNMENT"),
    (0x17, 0x08, "RECOVERED DATA WITHOUT ECC - RECOMMEND REWRITE"),
    (0x17, 0x09, "RECOVERED DATA WITHOUT ECC - DATA REWRITTEN"),
    (0x18, 0x00, "RECOVERED DATA WITH ERROR CORRECTION APPLIED"),
    (0x18, 0x01, "RECOVERED DATA WITH ERROR CORR. & RETRIES APPLIED"),
    (0x18, 0x02, "RECOVERED DATA - DATA AUTO-REALLOCATED"),
    (0x18, 0x03, "RECOVERED DATA WITH CIRC"),
    (0x18, 0x04, "RECOVERED DATA WITH L-EC"),
    (0x18, 0x05, "RECOVERED DATA - RECOMMEND REASSIGNMENT"),
    (0x18, 0x06, "RECOVERED DATA - RECOMMEND REWRITE"),
    (0x18, 0x08, "RECOVERED DATA WITH LINKING"),
    (0x19, 0x00, "DEFECT LIST ERROR"),
    (0x19, 0x01, "DEFECT LIST NOT AVAILABLE"),
    (0x19, 0x02, "DEFECT LIST ERROR IN PRIMARY LIST"),
    (0x19, 0x03, "DEFECT LIST ERROR IN GROWN LIST"),
    (0x1A, 0x00, "PARAMETER LIST LENGTH ERROR"),
    (0x1B, 0x00, "SYNCHRONOUS DATA TRANSFER ERROR"),
    (0x1C, 0x00, "DEFECT LIST NOT FOUND"),
    (0x1C, 0x01, "PRIMARY DEFECT LIST NOT FOUND"),
    (0x1C, 0x02, "GROWN DEFECT LIST NOT FOUND"),
    (0x1D, 0x00, "MISCOMPARE DURING VERIFY OPERATION"),
    (0x1E, 0x00, "RECOVERED ID WITH ECC CORRECTION"),
    (0x1F, 0x00, "PARTIAL DEFECT LIST TRANSFER"),
    (0x20, 0x00, "INVALID COMMAND OPERATION CODE"),
    (0x20, 0x01, "ACCESS DENIED - INITIATOR PENDING-ENROLLED"),
    (0x20, 0x02, "ACCESS DENIED - NO ACCESS RIGHTS"),
    (0x20, 0x03, "ACCESS DENIED - INVALID MGMT ID KEY"),
    (0x20, 0x04, "ILLEGAL COMMAND WHILE IN WRITE CAPABLE STATE"),
    (0x20, 0x06, "ILLEGAL COMMAND WHILE IN EXPLICIT ADDRESS MODE"),
    (0x20, 0x07, "ILLEGAL COMMAND WHILE IN IMPLICIT ADDRESS MODE"),
    (0x20, 0x08, "ACCESS DENIED - ENROLLMENT CONFLICT"),
    (0x20, 0x09, "ACCESS DENIED - INVALID LU IDENTIFIER"),
    (0x20, 0x0A, "ACCESS DENIED - INVALID PROXY TOKEN"),
    (0x20, 0x0B, "ACCESS DENIED - ACL LUN CONFLICT"),
    (0x21, 0x00, "LOGICAL BLOCK ADDRESS OUT OF RANGE"),
    (0x21, 0x01, "INVALID ELEMENT ADDRESS"),
    (0x21, 0x02, "INVALID ADDRESS FOR WRITE"),
    (0x21, 0x03, "INVALID WRITE CROSSING LAYER JUMP"),
    (0x22, 0x00, "ILLEGAL FUNCTION (USE 20 00, 24 00, OR 26 00)"),
    (0x24, 0x00, "INVALID FIELD IN CDB"),
    (0x24, 0x01, "CDB DECRYPTION ERROR"),
    (0x24, 0x08, "INVALID XCDB"),
    (0x25, 0x00, "LOGICAL UNIT NOT SUPPORTED"),
    (0x26, 0x00, "INVALID FIELD IN PARAMETER LIST"),
    (0x26, 0x01, "PARAMETER NOT SUPPORTED"),
    (0x26, 0x02, "PARAMETER VALUE INVALID"),
    (0x26, 0x03, "THRESHOLD PARAMETERS NOT SUPPORTED"),
    (0x26, 0x04, "INVALID RELEASE OF PERSISTENT RESERVATION"),
    (0x26, 0x05, "DATA DECRYPTION ERROR"),
    (0x27, 0x00, "WRITE PROTECTED"),
    (0x27, 0x01, "HARDWARE WRITE PROTECTED"),
    (0x27, 0x02, "LOGICAL UNIT SOFTWARE WRITE PROTECTED"),
    (0x27, 0x03, "ASSOCIATED WRITE PROTECT"),
    (0x27, 0x04, "PERSISTENT WRITE PROTECT"),
    (0x27, 0x05, "PERMANENT WRITE PROTECT"),
    (0x27, 0x06, "CONDITIONAL WRITE PROTECT"),
    (0x28, 0x00, "NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED"),
    (0x28, 0x01, "IMPORT OR EXPORT ELEMENT ACCESSED"),
    (0x28, 0x02, "FORMAT-LAYER MAY HAVE CHANGED"),
    (0x29, 0x00, "POWER ON, RESET, OR BUS DEVICE RESET OCCURRED"),
    (0x29, 0x01, "POWER ON OCCURRED"),
    (0x29, 0x02, "SCSI BUS RESET OCCURRED"),
    (0x29, 0x03, "BUS DEVICE RESET FUNCTION OCCURRED"),
    (0x29, 0x04, "DEVICE INTERNAL RESET"),
    (0x29, 0x05, "TRANSCEIVER MODE CHANGED TO SINGLE-ENDED"),
    (0x29, 0x06, "TRANSCEIVER MODE CHANGED TO LVD"),
    (0x29, 0x07, "I_T NEXUS LOSS OCCURRED"),
    (0x2A, 0x00, "PARAMETERS CHANGED"),
    (0x2A, 0x01, "MODE PARAMETERS CHANGED"),
    (0x2A, 0x02, "LOG PARAMETERS CHANGED"),
    (0x2A, 0x03, "RESERVATIONS PREEMPTED"),
    (0x2A, 0x04, "RESERVATIONS RELEASED"),
    (0x2A, 0x05, "REGISTRATIONS PREEMPTED"),
    (0x2A, 0x06, "ASYMMETRIC ACCESS STATE CHANGED"),
    (0x2A, 0x07, "IMPLICIT ASYMMETRIC ACCESS STATE TRANSITION FAILED"),
    (0x2A, 0x08, "PRIORITY CHANGED"),
    (0x2A, 0x09, "CAPACITY DATA HAS CHANGED"),
    (0x2B, 0x00, "COPY CANNOT EXECUTE SINCE HOST CANNOT DISCONNECT"),
    (0x2C, 0x00, "COMMAND SEQUENCE ERROR"),
    (0x2C, 0x01, "TOO MANY WINDOWS SPECIFIED"),
    (0x2C, 0x02, "INVALID COMBINATION OF WINDOWS SPECIFIED"),
    (0x2C, 0x03, "CURRENT PROGRAM AREA IS NOT EMPTY"),
    (0x2C, 0x04, "CURRENT PROGRAM AREA IS EMPTY"),
    (0x2C, 0x05, "ILLEGAL POWER CONDITION REQUEST"),
    (0x2C, 0x06, "PERSISTENT PREVENT CONFLICT"),
    (0x2C, 0x07, "PREVIOUS BUSY STATUS"),
    (0x2C, 0x08, "PREVIOUS TASK SET FULL STATUS"),
    (0x2C, 0x09, "PREVIOUS RESERVATION CONFLICT STATUS"),
    (0x2D, 0x00, "OVERWRITE ERROR ON UPDATE IN PLACE"),
    (0x2E, 0x00, "INSUFFICIENT TIME FOR OPERATION"),
    (0x2F, 0x00, "COMMANDS CLEARED BY ANOTHER INITIATOR"),
    (0x2F, 0x01, "COMMANDS CLEARED BY POWER LOSS NOTIFICATION"),
    (0x30, 0x00, "INCOMPATIBLE MEDIUM INSTALLED"),
    (0x30, 0x01, "CANNOT READ MEDIUM - UNKNOWN FORMAT"),
    (0x30, 0x02, "CANNOT READ MEDIUM - INCOMPATIBLE FORMAT"),
    (0x30, 0x03, "CLEANING CARTRIDGE INSTALLED"),
    (0x30, 0x04, "CANNOT WRITE MEDIUM - UNKNOWN FORMAT"),
    (0x30, 0x05, "CANNOT WRITE MEDIUM - INCOMPATIBLE FORMAT"),
    (0x30, 0x06, "CANNOT FORMAT MEDIUM - INCOMPATIBLE MEDIUM"),
    (0x30, 0x07, "CLEANING FAILURE"),
    (0x30, 0x08, "CANNOT WRITE - APPLICATION CODE MISMATCH"),
    (0x30, 0x09, "CURRENT SESSION NOT FIXATED FOR APPEND"),
    (0x30, 0x0A, "CLEANING REQUEST REJECTED"),
    (0x30, 0x0C, "WORM MEDIUM - OVERWRITE ATTEMPTED"),
    (0x30, 0x0D, "WORM MEDIUM - INTEGRITY CHECK"),
    (0x30, 0x10, "MEDIUM NOT FORMATTED"),
    (0x30, 0x11, "INCOMPATIBLE VOLUME TYPE"),
    (0x30, 0x12, "INCOMPATIBLE VOLUME QUALIFIER"),
    (0x31, 0x00, "MEDIUM FORMAT CORRUPTED"),
    (0x31, 0x01, "FORMAT COMMAND FAILED"),
    (0x31, 0x02, "ZONED FORMATTING FAILED DUE TO SPARE LINKING"),
    (0x32, 0x00, "NO DEFECT SPARE LOCATION AVAILABLE"),
    (0x32, 0x01, "DEFECT LIST UPDATE FAILURE"),
    (0x34, 0x00, "ENCLOSURE FAILURE"),
    (0x35, 0x00, "ENCLOSURE SERVICES FAILURE"),
    (0x35, 0x01, "UNSUPPORTED ENCLOSURE FUNCTION"),
    (0x35, 0x02, "ENCLOSURE SERVICES UNAVAILABLE"),
    (0x35, 0x03, "ENCLOSURE SERVICES TRANSFER FAILURE"),
    (0x35, 0x04, "ENCLOSURE SERVICES TRANSFER REFUSED"),
    (0x37, 0x00, "ROUNDED PARAMETER"),
    (0x39, 0x00, "SAVING PARAMETERS NOT SUPPORTED"),
    (0x3A, 0x00, "MEDIUM NOT PRESENT"),
    (0x3A, 0x01, "MEDIUM NOT PRESENT - TRAY CLOSED"),
    (0x3A, 0x02, "MEDIUM NOT PRESENT - TRAY OPEN"),
    (0x3A, 0x03, "MEDIUM NOT PRESENT - LOADABLE"),
    (0x3A, 0x04, "MEDIUM NOT PRESENT - MEDIUM AUXILIARY MEMORY ACCESSIBLE"),
    (0x3B, 0x0D, "MEDIUM DESTINATION ELEMENT FULL"),
    (0x3B, 0x0E, "MEDIUM SOURCE ELEMENT EMPTY"),
    (0x3B, 0x0F, "END OF MEDIUM REACHED"),
    (0x3B, 0x11, "MEDIUM MAGAZINE NOT ACCESSIBLE"),
    (0x3B, 0x12, "MEDIUM MAGAZINE REMOVED"),
    (0x3B, 0x13, "MEDIUM MAGAZINE INSERTED"),
    (0x3B, 0x14, "MEDIUM MAGAZINE LOCKED"),
    (0x3B, 0x15, "MEDIUM MAGAZINE UNLOCKED"),
    (0x3B, 0x16, "MECHANICAL POSITIONING OR CHANGER ERROR"),
    (0x3D, 0x00, "INVALID BITS IN IDENTIFY MESSAGE"),
    (0x3E, 0x00, "LOGICAL UNIT HAS NOT SELF-CONFIGURED YET"),
    (0x3E, 0x01, "LOGICAL UNIT FAILURE"),
    (0x3E, 0x02, "TIMEOUT ON LOGICAL UNIT"),
    (0x3E, 0x03, "LOGICAL UNIT FAILED SELF-TEST"),
    (0x3E, 0x04, "LOGICAL UNIT UNABLE TO UPDATE SELF-TEST LOG"),
    (0x3F, 0x00, "TARGET OPERATING CONDITIONS HAVE CHANGED"),
    (0x3F, 0x01, "MICROCODE HAS BEEN CHANGED"),
    (0x3F, 0x02, "CHANGED OPERATING DEFINITION"),
    (0x3F, 0x03, "INQUIRY DATA HAS CHANGED"),
    (0x3F, 0x0E, "REPORTED LUNS DATA HAS CHANGED"),
    (0x40, 0x00, "RAM FAILURE (SHOULD USE 40 NN)"),
    (0x41, 0x00, "DATA PATH FAILURE (SHOULD USE 40 NN)"),
    (0x42, 0x00, "POWER-ON OR SELF-TEST FAILURE (SHOULD USE 40 NN)"),
    (0x43, 0x00, "MESSAGE ERROR"),
    (0x44, 0x00, "INTERNAL TARGET FAILURE"),
    (0x45, 0x00, "SELECT OR RESELECT FAILURE"),
    (0x46, 0x00, "UNSUCCESSFUL SOFT RESET"),
    (0x47, 0x00, "SCSI PARITY ERROR"),
    (0x47, 0x01, "DATA PHASE CRC ERROR DETECTED"),
    (0x47, 0x02, "SCSI PARITY ERROR DETECTED DURING ST DATA PHASE"),
    (0x47, 0x03, "INFORMATION UNIT IUCRC ERROR DETECTED"),
    (0x47, 0x04, "ASYNCHRONOUS INFORMATION PROTECTION ERROR DETECTED"),
    (0x47, 0x05, "PROTOCOL SERVICE CRC ERROR"),
    (0x48, 0x00, "INITIATOR DETECTED ERROR MESSAGE RECEIVED"),
    (0x49, 0x00, "INVALID MESSAGE ERROR"),
    (0x4A, 0x00, "COMMAND PHASE ERROR"),
    (0x4B, 0x00, "DATA PHASE ERROR"),
    (0x4C, 0x00, "LOGICAL UNIT FAILED SELF-CONFIGURATION"),
    (0x4E, 0x00, "OVERLAPPED COMMANDS ATTEMPTED"),
    (0x51, 0x00, "ERASE FAILURE"),
    (0x51, 0x01, "ERASE FAILURE - INCOMPLETE ERASE OPERATION DETECTED"),
    (0x53, 0x00, "MEDIA LOAD OR EJECT FAILED"),
    (0x53, 0x02, "MEDIUM REMOVAL PREVENTED"),
    (0x55, 0x00, "SYSTEM RESOURCE FAILURE"),
    (0x55, 0x01, "SYSTEM BUFFER FULL"),
    (0x55, 0x02, "INSUFFICIENT RESERVATION RESOURCES"),
    (0x55, 0x03, "INSUFFICIENT RESOURCES"),
    (0x57, 0x00, "UNABLE TO RECOVER TABLE-OF-CONTENTS"),
    (0x58, 0x00, "GENERATION DOES NOT EXIST"),
    (0x59, 0x00, "UPDATED BLOCK READ"),
    (0x5A, 0x00, "OPERATOR REQUEST OR STATE CHANGE INPUT"),
    (0x5A, 0x01, "OPERATOR MEDIUM REMOVAL REQUEST"),
    (0x5A, 0x02, "OPERATOR SELECTED WRITE PROTECT"),
    (0x5A, 0x03, "OPERATOR SELECTED WRITE PERMIT"),
    (0x5B, 0x00, "LOG EXCEPTION"),
    (0x5B, 0x01, "THRESHOLD CONDITION MET"),
    (0x5B, 0x02, "LOG COUNTER AT MAXIMUM"),
    (0x5B, 0x03, "LOG LIST CODES EXHAUSTED"),
    (0x5D, 0x00, "FAILURE PREDICTION THRESHOLD EXCEEDED"),
    (0x5D, 0x01, "MEDIA FAILURE PREDICTION THRESHOLD EXCEEDED"),
    (0x5D, 0x02, "LOGICAL UNIT FAILURE PREDICTION THRESHOLD EXCEEDED"),
    (0x5D, 0x03, "SPARE AREA EXHAUSTION PREDICTION THRESHOLD EXCEEDED"),
    (0x5D, 0xFF, "FAILURE PREDICTION THRESHOLD EXCEEDED (FALSE)"),
    (0x5E, 0x00, "LOW POWER CONDITION ON"),
    (0x5E, 0x01, "IDLE CONDITION ACTIVATED BY TIMER"),
    (0x5E, 0x02, "STANDBY CONDITION ACTIVATED BY TIMER"),
    (0x5E, 0x03, "IDLE CONDITION ACTIVATED BY COMMAND"),
    (0x5E, 0x04, "STANDBY CONDITION ACTIVATED BY COMMAND"),
    (0x63, 0x00, "END OF USER AREA ENCOUNTERED ON THIS TRACK"),
    (0x63, 0x01, "PACKET DOES NOT FIT IN AVAILABLE SPACE"),
    (0x64, 0x00, "ILLEGAL MODE FOR THIS TRACK"),
    (0x64, 0x01, "INVALID PACKET SIZE"),
    (0x65, 0x00, "VOLTAGE FAULT"),
    (0x6F, 0x00, "COPY PROTECTION KEY EXCHANGE FAILURE - AUTHENTICATION FAILURE"),
    (0x6F, 0x01, "COPY PROTECTION KEY EXCHANGE FAILURE - KEY NOT PRESENT"),
    (0x6F, 0x02, "COPY PROTECTION KEY EXCHANGE FAILURE - KEY NOT ESTABLISHED"),
    (0x6F, 0x03, "READ OF SCRAMBLED SECTOR WITHOUT AUTHENTICATION"),
    (0x6F, 0x04, "MEDIA REGION CODE IS MISMATCHED TO LOGICAL UNIT REGION"),
    (0x6F, 0x05, "DRIVE REGION MUST BE PERMANENT/REGION RESET COUNT ERROR"),
    (0x6F, 0x06, "INSUFFICIENT BLOCK COUNT FOR BINDING NONCE RECORDING"),
    (0x6F, 0x07, "CONFLICT IN BINDING NONCE RECORDING"),
    (0x71, 0x00, "DECOMPRESSION EXCEPTION LONG ALGORITHM ID"),
    (0x72, 0x00, "SESSION FIXATION ERROR"),
    (0x72, 0x01, "SESSION FIXATION ERROR WRITING LEAD-IN"),
    (0x72, 0x02, "SESSION FIXATION ERROR WRITING LEAD-OUT"),
    (0x72, 0x03, "SESSION FIXATION ERROR - INCOMPLETE TRACK IN SESSION"),
    (0x72, 0x04, "EMPTY OR PARTIALLY WRITTEN RESERVED TRACK"),
    (0x72, 0x05, "NO MORE TRACK RESERVATIONS ALLOWED"),
    (0x72, 0x06, "RMZ EXTENSION IS NOT ALLOWED"),
    (0x72, 0x07, "NO MORE TEST ZONE EXTENSIONS ARE ALLOWED"),
    (0x73, 0x00, "CD CONTROL ERROR"),
    (0x73, 0x01, "POWER CALIBRATION AREA ALMOST FULL"),
    (0x73, 0x02, "POWER CALIBRATION AREA IS FULL"),
    (0x73, 0x03, "POWER CALIBRATION AREA ERROR"),
    (0x73, 0x04, "PROGRAM MEMORY AREA UPDATE FAILURE"),
    (0x73, 0x05, "PROGRAM MEMORY AREA IS FULL"),
    (0x73, 0x06, "RMA/PMA IS ALMOST FULL"),
    (0x73, 0x10, "CURRENT POWER CALIBRATION AREA ALMOST FULL"),
    (0x73, 0x11, "CURRENT POWER CALIBRATION AREA IS FULL"),
    (0x73, 0x17, "RDZ IS FULL"),
    (0x74, 0x08, "DIGITAL SIGNATURE VALIDATION FAILURE"),
    (0x74, 0x0C, "UNABLE TO DECRYPT PARAMETER LIST"),
    (0x74, 0x10, "SA CREATION PARAMETER VALUE INVALID"),
    (0x74, 0x11, "SA CREATION PARAMETER VALUE REJECTED"),
    (0x74, 0x12, "INVALID SA USAGE"),
    (0x74, 0x30, "SA CREATION PARAMETER NOT SUPPORTED"),
    (0x74, 0x40, "AUTHENTICATION FAILED"),
    (0x74, 0x71, "LOGICAL UNIT ACCESS NOT AUTHORIZED"),
];

// ---------------------------------------------------------------------------------------
// Fixed format view
// ---------------------------------------------------------------------------------------

/// Byte offsets of the fixed sense data format (SPC-4 §4.5.3, Table 47).
mod fixed {
    pub const RESPONSE_CODE: usize = 0;
    pub const FLAGS_KEY: usize = 2;
    pub const INFORMATION: usize = 3;
    pub const ADDITIONAL_LENGTH: usize = 7;
    pub const COMMAND_SPECIFIC: usize = 8;
    pub const ASC: usize = 12;
    pub const ASCQ: usize = 13;
    pub const FRU: usize = 14;
    pub const SENSE_KEY_SPECIFIC: usize = 15;
    /// The standard length without additional sense bytes.
    pub const LEN: usize = 18;
}

/// Response code of current errors in fixed format.
pub const RESPONSE_FIXED_CURRENT: u8 = 0x70;
/// Response code of deferred errors in fixed format.
pub const RESPONSE_FIXED_DEFERRED: u8 = 0x71;
/// Response code of current errors in descriptor format.
pub const RESPONSE_DESCRIPTOR_CURRENT: u8 = 0x72;
/// Response code of deferred errors in descriptor format.
pub const RESPONSE_DESCRIPTOR_DEFERRED: u8 = 0x73;

/// A view of fixed-format sense data (SPC-4 §4.5.3, response codes 70h/71h). Accessors
/// never panic: a field past the end of the buffer reads as zero.
#[derive(Debug, Clone, Copy)]
pub struct FixedSense<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> FixedSense<T> {
    /// Wraps `buffer` without checking it.
    pub fn new_unchecked(buffer: T) -> Self {
        FixedSense { buffer }
    }

    /// Wraps `buffer` after checking it holds at least the sense key (3 bytes) and a
    /// fixed-format response code.
    pub fn new_checked(buffer: T) -> wire::Result<Self> {
        let v = Self::new_unchecked(buffer);
        wire::check_len(v.buffer.as_ref(), fixed::FLAGS_KEY + 1)?;
        match v.response_code() {
            RESPONSE_FIXED_CURRENT | RESPONSE_FIXED_DEFERRED => Ok(v),
            other => Err(wire::Error::Invalid {
                field: "sense response code",
                value: u64::from(other),
            }),
        }
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// RESPONSE CODE (byte 0 bits 0-6): 70h current, 71h deferred.
    pub fn response_code(&self) -> u8 {
        wire::u8_at(self.b(), fixed::RESPONSE_CODE) & 0x7F
    }

    /// VALID (byte 0 bit 7): the INFORMATION field holds a value defined by the command.
    pub fn valid(&self) -> bool {
        wire::u8_at(self.b(), fixed::RESPONSE_CODE) & 0x80 != 0
    }

    /// True for a deferred error (response code 71h).
    pub fn deferred(&self) -> bool {
        self.response_code() == RESPONSE_FIXED_DEFERRED
    }

    /// FILEMARK (byte 2 bit 7).
    pub fn filemark(&self) -> bool {
        wire::u8_at(self.b(), fixed::FLAGS_KEY) & 0x80 != 0
    }

    /// EOM (byte 2 bit 6).
    pub fn eom(&self) -> bool {
        wire::u8_at(self.b(), fixed::FLAGS_KEY) & 0x40 != 0
    }

    /// ILI, incorrect length indicator (byte 2 bit 5).
    pub fn ili(&self) -> bool {
        wire::u8_at(self.b(), fixed::FLAGS_KEY) & 0x20 != 0
    }

    /// SENSE KEY (byte 2 bits 0-3).
    pub fn key(&self) -> SenseKey {
        SenseKey::from(wire::u8_at(self.b(), fixed::FLAGS_KEY))
    }

    /// INFORMATION (bytes 3-6), meaningful when [`valid`](Self::valid); for media
    /// commands, the LBA the error concerns.
    pub fn information(&self) -> u32 {
        wire::be32(self.b(), fixed::INFORMATION)
    }

    /// ADDITIONAL SENSE LENGTH (byte 7): bytes that follow byte 7, as the device claims.
    pub fn additional_length(&self) -> u8 {
        wire::u8_at(self.b(), fixed::ADDITIONAL_LENGTH)
    }

    /// COMMAND-SPECIFIC INFORMATION (bytes 8-11).
    pub fn command_specific(&self) -> u32 {
        wire::be32(self.b(), fixed::COMMAND_SPECIFIC)
    }

    /// ADDITIONAL SENSE CODE (byte 12).
    pub fn asc(&self) -> u8 {
        wire::u8_at(self.b(), fixed::ASC)
    }

    /// ADDITIONAL SENSE CODE QUALIFIER (byte 13).
    pub fn ascq(&self) -> u8 {
        wire::u8_at(self.b(), fixed::ASCQ)
    }

    /// FIELD REPLACEABLE UNIT CODE (byte 14); 0 when none is reported.
    pub fn fru(&self) -> u8 {
        wire::u8_at(self.b(), fixed::FRU)
    }

    /// SKSV (byte 15 bit 7): the sense-key-specific bytes are valid.
    pub fn sksv(&self) -> bool {
        wire::u8_at(self.b(), fixed::SENSE_KEY_SPECIFIC) & 0x80 != 0
    }

    /// The sense-key-specific bytes 15-17, with the SKSV bit masked off.
    pub fn sense_key_specific(&self) -> [u8; 3] {
        let b = self.b();
        let at = fixed::SENSE_KEY_SPECIFIC;
        [
            wire::u8_at(b, at) & 0x7F,
            wire::u8_at(b, at + 1),
            wire::u8_at(b, at + 2),
        ]
    }
}

// ---------------------------------------------------------------------------------------
// Descriptor format view
// ---------------------------------------------------------------------------------------

/// Byte offsets of the descriptor sense data format (SPC-4 §4.5.2, Table 27).
mod desc {
    pub const RESPONSE_CODE: usize = 0;
    pub const KEY: usize = 1;
    pub const ASC: usize = 2;
    pub const ASCQ: usize = 3;
    pub const ADDITIONAL_LENGTH: usize = 7;
    pub const DESCRIPTORS: usize = 8;
    /// Descriptor types (SPC-4 Table 28).
    pub const TYPE_INFORMATION: u8 = 0x00;
    pub const TYPE_COMMAND_SPECIFIC: u8 = 0x01;
    pub const TYPE_SENSE_KEY_SPECIFIC: u8 = 0x02;
    pub const TYPE_FRU: u8 = 0x03;
    /// Total lengths of those descriptors.
    pub const INFORMATION_LEN: usize = 12;
    pub const COMMAND_SPECIFIC_LEN: usize = 12;
    pub const SENSE_KEY_SPECIFIC_LEN: usize = 8;
    pub const FRU_LEN: usize = 4;
}

/// A view of descriptor-format sense data (SPC-4 §4.5.2, response codes 72h/73h).
/// Accessors never panic.
#[derive(Debug, Clone, Copy)]
pub struct DescriptorSense<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> DescriptorSense<T> {
    /// Wraps `buffer` without checking it.
    pub fn new_unchecked(buffer: T) -> Self {
        DescriptorSense { buffer }
    }

    /// Wraps `buffer` after checking it holds key, ASC and ASCQ (4 bytes) and a
    /// descriptor-format response code.
    pub fn new_checked(buffer: T) -> wire::Result<Self> {
        let v = Self::new_unchecked(buffer);
        wire::check_len(v.buffer.as_ref(), desc::ASCQ + 1)?;
        match v.response_code() {
            RESPONSE_DESCRIPTOR_CURRENT | RESPONSE_DESCRIPTOR_DEFERRED => Ok(v),
            other => Err(wire::Error::Invalid {
                field: "sense response code",
                value: u64::from(other),
            }),
        }
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// RESPONSE CODE (byte 0 bits 0-6): 72h current, 73h deferred.
    pub fn response_code(&self) -> u8 {
        wire::u8_at(self.b(), desc::RESPONSE_CODE) & 0x7F
    }

    /// True for a deferred error (response code 73h).
    pub fn deferred(&self) -> bool {
        self.response_code() == RESPONSE_DESCRIPTOR_DEFERRED
    }

    /// SENSE KEY (byte 1 bits 0-3).
    pub fn key(&self) -> SenseKey {
        SenseKey::from(wire::u8_at(self.b(), desc::KEY))
    }

    /// ADDITIONAL SENSE CODE (byte 2).
    pub fn asc(&self) -> u8 {
        wire::u8_at(self.b(), desc::ASC)
    }

    /// ADDITIONAL SENSE CODE QUALIFIER (byte 3).
    pub fn ascq(&self) -> u8 {
        wire::u8_at(self.b(), desc::ASCQ)
    }

    /// ADDITIONAL SENSE LENGTH (byte 7): the descriptor list length the device claims.
    pub fn additional_length(&self) -> u8 {
        wire::u8_at(self.b(), desc::ADDITIONAL_LENGTH)
    }

    /// The sense data descriptors from byte 8, bounded by both the additional sense
    /// length and the bytes present; a truncated last descriptor is not returned.
    pub fn descriptors(&self) -> SenseDescriptors<'_> {
        let b = self.b();
        let end = b
            .len()
            .min(desc::DESCRIPTORS + usize::from(self.additional_length()));
        SenseDescriptors {
            rest: b.get(desc::DESCRIPTORS..end).unwrap_or(&[]),
        }
    }
}

/// One sense data descriptor (SPC-4 §4.5.2.1): its type and its bytes, header included,
/// so offsets match the standard's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenseDescriptor<'a> {
    /// DESCRIPTOR TYPE (byte 0).
    pub descriptor_type: u8,
    /// The whole descriptor: type, additional length and its additional bytes.
    pub bytes: &'a [u8],
}

impl SenseDescriptor<'_> {
    /// The INFORMATION field of an information descriptor (type 00h) whose VALID bit is
    /// set.
    pub fn information(&self) -> Option<u64> {
        (self.descriptor_type == desc::TYPE_INFORMATION
            && self.bytes.len() >= desc::INFORMATION_LEN
            && self.bytes[2] & 0x80 != 0)
            .then(|| wire::be64(self.bytes, 4))
    }

    /// The COMMAND-SPECIFIC INFORMATION field of a type 01h descriptor.
    pub fn command_specific(&self) -> Option<u64> {
        (self.descriptor_type == desc::TYPE_COMMAND_SPECIFIC
            && self.bytes.len() >= desc::COMMAND_SPECIFIC_LEN)
            .then(|| wire::be64(self.bytes, 4))
    }

    /// The sense-key-specific bytes (SKSV masked off) of a type 02h descriptor whose
    /// SKSV bit is set.
    pub fn sense_key_specific(&self) -> Option<[u8; 3]> {
        (self.descriptor_type == desc::TYPE_SENSE_KEY_SPECIFIC
            && self.bytes.len() >= desc::SENSE_KEY_SPECIFIC_LEN
            && self.bytes[4] & 0x80 != 0)
            .then(|| [self.bytes[4] & 0x7F, self.bytes[5], self.bytes[6]])
    }

    /// The FIELD REPLACEABLE UNIT CODE of a type 03h descriptor.
    pub fn fru(&self) -> Option<u8> {
        (self.descriptor_type == desc::TYPE_FRU && self.bytes.len() >= desc::FRU_LEN)
            .then(|| self.bytes[3])
    }
}

/// Iterator over the descriptors of descriptor-format sense data; it stops at the first
/// descriptor that does not fit in the bytes present.
#[derive(Debug, Clone)]
pub struct SenseDescriptors<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for SenseDescriptors<'a> {
    type Item = SenseDescriptor<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let (&descriptor_type, tail) = self.rest.split_first()?;
        let len = 2 + usize::from(*tail.first()?);
        match self.rest.get(..len) {
            Some(bytes) => {
                self.rest = &self.rest[len..];
                Some(SenseDescriptor {
                    descriptor_type,
                    bytes,
                })
            }
            None => {
                self.rest = &[];
                None
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The unified representation
// ---------------------------------------------------------------------------------------

/// Which of the two sense data formats (SPC-4 §4.5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SenseFormat {
    /// Fixed format, response codes 70h/71h.
    Fixed,
    /// Descriptor format, response codes 72h/73h.
    Descriptor,
}

/// The field pointer of ILLEGAL REQUEST sense-key-specific data (SPC-4 §4.5.2.4.2):
/// which byte (and bit) of the CDB or parameter list was invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldPointer {
    /// C/D: the error is in the CDB (true) or in the parameter data (false).
    pub in_cdb: bool,
    /// FIELD POINTER: the byte in error.
    pub byte: u16,
    /// BIT POINTER, when BPV is set: the leftmost bit (0-7) of the field in error.
    pub bit: Option<u8>,
}

/// Sense data in either format, validated (SPC-4 §4.5): what the engine reads and the
/// virtual recorder builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sense {
    /// The format it arrived in (or will be emitted in by [`Sense::emit`]).
    pub format: SenseFormat,
    /// A deferred error (71h/73h): it belongs to an earlier command (e.g. an Immed
    /// SYNCHRONIZE CACHE or CLOSE TRACK/SESSION), not the one that got it.
    pub deferred: bool,
    /// SENSE KEY.
    pub key: SenseKey,
    /// ADDITIONAL SENSE CODE.
    pub asc: u8,
    /// ADDITIONAL SENSE CODE QUALIFIER.
    pub ascq: u8,
    /// INFORMATION (VALID set): for media commands, the LBA of the error. The fixed
    /// format carries 32 bits, the descriptor format 64.
    pub information: Option<u64>,
    /// COMMAND-SPECIFIC INFORMATION; 0 when none.
    pub command_specific: u64,
    /// FIELD REPLACEABLE UNIT CODE; 0 when none.
    pub fru: u8,
    /// Sense-key-specific bytes with the SKSV bit masked off; `None` when SKSV is 0.
    /// Their meaning depends on the key: progress indication (NO SENSE, NOT READY),
    /// field pointer (ILLEGAL REQUEST), actual retry count (errors).
    pub sense_key_specific: Option<[u8; 3]>,
}

impl Sense {
    /// Length of fixed-format sense data as [`Sense::emit_fixed`] writes it.
    pub const FIXED_LEN: usize = fixed::LEN;

    /// Current fixed-format sense with `key`, `asc`, `ascq` and nothing else.
    pub fn new(key: SenseKey, asc: u8, ascq: u8) -> Self {
        Sense {
            format: SenseFormat::Fixed,
            deferred: false,
            key,
            asc,
            ascq,
            information: None,
            command_specific: 0,
            fru: 0,
            sense_key_specific: None,
        }
    }

    /// Current fixed-format sense with `key` and a named code
    /// (`Sense::from_code(SenseKey::NotReady, Asc::LONG_WRITE_IN_PROGRESS)`).
    pub fn from_code(key: SenseKey, code: Asc) -> Self {
        Sense::new(key, code.asc, code.ascq)
    }

    /// This sense with a progress indication (SPC-4 §4.5.2.4.4): `fraction` of the
    /// operation done, 0.0 to 1.0 (clamped), stored as a count of 65536ths.
    pub fn with_progress(mut self, fraction: f32) -> Self {
        // NaN counts as no progress rather than saturating to done.
        let f = if fraction.is_nan() {
            0.0
        } else {
            fraction.clamp(0.0, 1.0)
        };
        let v = (f * 65536.0).min(65535.0) as u16;
        let [hi, lo] = v.to_be_bytes();
        self.sense_key_specific = Some([0, hi, lo]);
        self
    }

    /// This sense with INFORMATION set (VALID = 1), usually the LBA in error.
    pub fn with_information(mut self, lba: u64) -> Self {
        self.information = Some(lba);
        self
    }

    /// This sense with an ILLEGAL REQUEST field pointer (SPC-4 §4.5.2.4.2).
    pub fn with_field_pointer(mut self, fp: FieldPointer) -> Self {
        let mut b0 = if fp.in_cdb { 0x40 } else { 0 };
        if let Some(bit) = fp.bit {
            b0 |= 0x08 | (bit & 0x07);
        }
        let [hi, lo] = fp.byte.to_be_bytes();
        self.sense_key_specific = Some([b0, hi, lo]);
        self
    }

    /// This sense marked deferred (71h/73h).
    pub fn with_deferred(mut self) -> Self {
        self.deferred = true;
        self
    }

    /// This sense in descriptor format (72h/73h) when emitted with [`Sense::emit`].
    pub fn in_descriptor_format(mut self) -> Self {
        self.format = SenseFormat::Descriptor;
        self
    }

    /// The additional sense code and qualifier as one value.
    pub fn code(&self) -> Asc {
        Asc::new(self.asc, self.ascq)
    }

    /// The ASC/ASCQ name ([`asc_name`]).
    pub fn asc_name(&self) -> Option<&'static str> {
        asc_name(self.asc, self.ascq)
    }

    /// Parses sense data in either format, as transferred (autosense or REQUEST SENSE).
    /// Fails on an empty buffer, a response code other than 70h–73h, or a buffer too short
    /// to hold the sense key (fixed) or key/ASC/ASCQ (descriptor).
    pub fn parse(buf: &[u8]) -> wire::Result<Sense> {
        wire::check_len(buf, 1)?;
        match buf[0] & 0x7F {
            RESPONSE_FIXED_CURRENT | RESPONSE_FIXED_DEFERRED => {
                Ok(Self::from_fixed(&FixedSense::new_checked(buf)?))
            }
            RESPONSE_DESCRIPTOR_CURRENT | RESPONSE_DESCRIPTOR_DEFERRED => {
                Ok(Self::from_descriptor(&DescriptorSense::new_checked(buf)?))
            }
            other => Err(wire::Error::Invalid {
                field: "sense response code",
                value: u64::from(other),
            }),
        }
    }

    /// The representation of a fixed-format view.
    pub fn from_fixed<T: AsRef<[u8]>>(v: &FixedSense<T>) -> Sense {
        Sense {
            format: SenseFormat::Fixed,
            deferred: v.deferred(),
            key: v.key(),
            asc: v.asc(),
            ascq: v.ascq(),
            information: v.valid().then(|| u64::from(v.information())),
            command_specific: u64::from(v.command_specific()),
            fru: v.fru(),
            sense_key_specific: v.sksv().then(|| v.sense_key_specific()),
        }
    }

    /// The representation of a descriptor-format view; the first descriptor of each
    /// known type wins.
    pub fn from_descriptor<T: AsRef<[u8]>>(v: &DescriptorSense<T>) -> Sense {
        let mut s = Sense {
            format: SenseFormat::Descriptor,
            deferred: v.deferred(),
            ..Sense::new(v.key(), v.asc(), v.ascq())
        };
        let (mut seen_info, mut seen_cmd, mut seen_sks, mut seen_fru) =
            (false, false, false, false);
        for d in v.descriptors() {
            match d.descriptor_type {
                desc::TYPE_INFORMATION if !seen_info => {
                    seen_info = true;
                    s.information = d.information();
                }
                desc::TYPE_COMMAND_SPECIFIC if !seen_cmd => {
                    seen_cmd = true;
                    s.command_specific = d.command_specific().unwrap_or(0);
                }
                desc::TYPE_SENSE_KEY_SPECIFIC if !seen_sks => {
                    seen_sks = true;
                    s.sense_key_specific = d.sense_key_specific();
                }
                desc::TYPE_FRU if !seen_fru => {
                    seen_fru = true;
                    s.fru = d.fru().unwrap_or(0);
                }
                _ => {}
            }
        }
        s
    }

    /// Bytes [`Sense::emit`] writes in this sense's own format.
    pub fn buffer_len(&self) -> usize {
        match self.format {
            SenseFormat::Fixed => Self::FIXED_LEN,
            SenseFormat::Descriptor => self.descriptor_len(),
        }
    }

    /// Bytes [`Sense::emit_descriptor`] writes: the 8-byte header plus one descriptor per
    /// field that is set.
    pub fn descriptor_len(&self) -> usize {
        desc::DESCRIPTORS
            + if self.information.is_some() {
                desc::INFORMATION_LEN
            } else {
                0
            }
            + if self.command_specific != 0 {
                desc::COMMAND_SPECIFIC_LEN
            } else {
                0
            }
            + if self.sense_key_specific.is_some() {
                desc::SENSE_KEY_SPECIFIC_LEN
            } else {
                0
            }
            + if self.fru != 0 { desc::FRU_LEN } else { 0 }
    }

    /// Writes this sense in its own format; returns the bytes written.
    pub fn emit(&self, buf: &mut [u8]) -> wire::Result<usize> {
        match self.format {
            SenseFormat::Fixed => self.emit_fixed(buf),
            SenseFormat::Descriptor => self.emit_descriptor(buf),
        }
    }

    /// Writes 18 bytes of fixed-format sense (70h/71h, additional length 10). An
    /// INFORMATION or COMMAND-SPECIFIC value wider than 32 bits cannot be carried: VALID
    /// is cleared (SPC-4 §4.5.3) and the command-specific field left zero.
    pub fn emit_fixed(&self, buf: &mut [u8]) -> wire::Result<usize> {
        wire::check_room(buf, fixed::LEN)?;
        let buf = &mut buf[..fixed::LEN];
        buf.fill(0);
        let info = self.information.and_then(|i| u32::try_from(i).ok());
        let rc = if self.deferred {
            RESPONSE_FIXED_DEFERRED
        } else {
            RESPONSE_FIXED_CURRENT
        };
        buf[fixed::RESPONSE_CODE] = rc | if info.is_some() { 0x80 } else { 0 };
        buf[fixed::FLAGS_KEY] = u8::from(self.key);
        wire::put_be32(buf, fixed::INFORMATION, info.unwrap_or(0));
        buf[fixed::ADDITIONAL_LENGTH] = (fixed::LEN - 8) as u8;
        let cmd = u32::try_from(self.command_specific).unwrap_or(0);
        wire::put_be32(buf, fixed::COMMAND_SPECIFIC, cmd);
        buf[fixed::ASC] = self.asc;
        buf[fixed::ASCQ] = self.ascq;
        buf[fixed::FRU] = self.fru;
        if let Some([b0, b1, b2]) = self.sense_key_specific {
            buf[fixed::SENSE_KEY_SPECIFIC] = 0x80 | b0;
            buf[fixed::SENSE_KEY_SPECIFIC + 1] = b1;
            buf[fixed::SENSE_KEY_SPECIFIC + 2] = b2;
        }
        Ok(fixed::LEN)
    }

    /// Writes descriptor-format sense (72h/73h) with an information (00h), command-specific
    /// (01h), sense-key-specific (02h) and FRU (03h) descriptor for each field that is set.
    pub fn emit_descriptor(&self, buf: &mut [u8]) -> wire::Result<usize> {
        let len = self.descriptor_len();
        wire::check_room(buf, len)?;
        let buf = &mut buf[..len];
        buf.fill(0);
        buf[desc::RESPONSE_CODE] = if self.deferred {
            RESPONSE_DESCRIPTOR_DEFERRED
        } else {
            RESPONSE_DESCRIPTOR_CURRENT
        };
        buf[desc::KEY] = u8::from(self.key);
        buf[desc::ASC] = self.asc;
        buf[desc::ASCQ] = self.ascq;
        buf[desc::ADDITIONAL_LENGTH] = (len - desc::DESCRIPTORS) as u8;
        let mut at = desc::DESCRIPTORS;
        if let Some(info) = self.information {
            buf[at] = desc::TYPE_INFORMATION;
            buf[at + 1] = (desc::INFORMATION_LEN - 2) as u8;
            buf[at + 2] = 0x80;
            wire::put_be64(buf, at + 4, info);
            at += desc::INFORMATION_LEN;
        }
        if self.command_specific != 0 {
            buf[at] = desc::TYPE_COMMAND_SPECIFIC;
            buf[at + 1] = (desc::COMMAND_SPECIFIC_LEN - 2) as u8;
            wire::put_be64(buf, at + 4, self.command_specific);
            at += desc::COMMAND_SPECIFIC_LEN;
        }
        if let Some([b0, b1, b2]) = self.sense_key_specific {
            buf[at] = desc::TYPE_SENSE_KEY_SPECIFIC;
            buf[at + 1] = (desc::SENSE_KEY_SPECIFIC_LEN - 2) as u8;
            buf[at + 4] = 0x80 | b0;
            buf[at + 5] = b1;
            buf[at + 6] = b2;
            at += desc::SENSE_KEY_SPECIFIC_LEN;
        }
        if self.fru != 0 {
            buf[at] = desc::TYPE_FRU;
            buf[at + 1] = (desc::FRU_LEN - 2) as u8;
            buf[at + 3] = self.fru;
        }
        Ok(len)
    }

    /// This sense as 18 bytes of fixed-format sense data, the form the virtual recorder
    /// returns with CHECK CONDITION.
    pub fn to_fixed_vec(&self) -> Vec<u8> {
        let mut v = vec![0; fixed::LEN];
        // Cannot fail: the buffer has exactly the room emit_fixed checks for.
        let _ = self.emit_fixed(&mut v);
        v
    }

    /// This sense as descriptor-format sense data.
    pub fn to_descriptor_vec(&self) -> Vec<u8> {
        let mut v = vec![0; self.descriptor_len()];
        let _ = self.emit_descriptor(&mut v);
        v
    }

    /// The progress indication (SPC-4 §4.5.2.4.4) in 65536ths, present when SKSV is set
    /// and the key is NO SENSE or NOT READY (format, close or sync with Immed).
    pub fn progress(&self) -> Option<u16> {
        match (self.key, self.sense_key_specific) {
            (SenseKey::NoSense | SenseKey::NotReady, Some([_, hi, lo])) => {
                Some(u16::from_be_bytes([hi, lo]))
            }
            _ => None,
        }
    }

    /// [`Sense::progress`] as a fraction from 0.0 to just under 1.0.
    pub fn progress_fraction(&self) -> Option<f32> {
        self.progress().map(|p| f32::from(p) / 65536.0)
    }

    /// The field pointer of ILLEGAL REQUEST sense (SPC-4 §4.5.2.4.2), when SKSV is set.
    pub fn field_pointer(&self) -> Option<FieldPointer> {
        match (self.key, self.sense_key_specific) {
            (SenseKey::IllegalRequest, Some([b0, hi, lo])) => Some(FieldPointer {
                in_cdb: b0 & 0x40 != 0,
                byte: u16::from_be_bytes([hi, lo]),
                bit: (b0 & 0x08 != 0).then_some(b0 & 0x07),
            }),
            _ => None,
        }
    }
}

impl core::fmt::Display for Sense {
    /// "NOT READY, LONG WRITE IN PROGRESS (2/04/08)": key, ASC/ASCQ name, and the codes.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.deferred {
            f.write_str("deferred: ")?;
        }
        f.write_str(self.key.name())?;
        if let Some(name) = self.asc_name() {
            // The 04h family repeats the key's words; say them once.
            let name = match self.key {
                SenseKey::NotReady => name
                    .strip_prefix("LOGICAL UNIT NOT READY, ")
                    .unwrap_or(name),
                _ => name,
            };
            write!(f, ", {name}")?;
        }
        write!(
            f,
            " ({:X}/{:02X}/{:02X})",
            u8::from(self.key),
            self.asc,
            self.ascq
        )
    }
}

// ---------------------------------------------------------------------------------------
// Classification
// ---------------------------------------------------------------------------------------

/// What a host does about a CHECK CONDITION (SPC-4 §4.5.6 sense keys; MMC-6 §4.1.6 and
/// spec/mmc.md "Sense codes a writer meets" for the waits). The raw key and codes stay
/// in the [`Sense`]; this is the decision: wait, retry, re-read state, or fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SenseClass {
    /// 2/04/08 LONG WRITE IN PROGRESS: the drive's buffer is full; wait and resend the
    /// same WRITE.
    LongWriteInProgress,
    /// 2/04/xx other than 08 (becoming ready 01, format 04, operation 07, …), or NO
    /// SENSE reporting an operation in progress (0/00/16, or a progress indication):
    /// wait and poll, bounded.
    InProgress,
    /// 2/3A/xx MEDIUM NOT PRESENT.
    NoMedium,
    /// Any other NOT READY.
    NotReady,
    /// 6/28/xx NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED: re-read media state.
    MediumChanged,
    /// 6/29/xx POWER ON, RESET, OR BUS DEVICE RESET OCCURRED (also after an iSCSI
    /// login): re-read media state; a write in progress has failed.
    Reset,
    /// Any other UNIT ATTENTION (mode parameters changed, …).
    UnitAttention,
    /// ABORTED COMMAND (e.g. B/47/00 parity/CRC error): retry once, then fail.
    Aborted,
    /// ILLEGAL REQUEST: a refusal of the command, its parameters or the medium state;
    /// never retry.
    IllegalRequest,
    /// MEDIUM ERROR (write error 3/0C/xx, unrecovered read 3/11/xx, …).
    MediumError,
    /// HARDWARE ERROR (e.g. 4/44/00 internal target failure).
    HardwareError,
    /// DATA PROTECT: the medium is write protected.
    DataProtect,
    /// RECOVERED ERROR: the command succeeded after recovery; treat as success.
    Recovered,
    /// Anything else: NO SENSE without progress, BLANK CHECK, MISCOMPARE, vendor
    /// specific…
    Other,
}

impl SenseClass {
    /// True for the classes a host waits out and retries, bounded:
    /// [`LongWriteInProgress`](Self::LongWriteInProgress) and
    /// [`InProgress`](Self::InProgress).
    pub fn is_retryable_wait(self) -> bool {
        matches!(
            self,
            SenseClass::LongWriteInProgress | SenseClass::InProgress
        )
    }
}

impl Sense {
    /// What the host does about this sense: see [`SenseClass`]. Decided by the sense key
    /// first, then by the ASC/ASCQ the key's class distinguishes.
    pub fn classify(&self) -> SenseClass {
        use SenseClass as C;
        match self.key {
            SenseKey::NotReady => match self.code() {
                Asc::LONG_WRITE_IN_PROGRESS => C::LongWriteInProgress,
                Asc { asc: 0x04, .. } => C::InProgress,
                Asc { asc: 0x3A, .. } => C::NoMedium,
                _ => C::NotReady,
            },
            SenseKey::UnitAttention => match self.asc {
                0x28 => C::MediumChanged,
                0x29 => C::Reset,
                _ => C::UnitAttention,
            },
            // REQUEST SENSE during an Immed operation on drives that answer NO SENSE.
            SenseKey::NoSense
                if self.code() == Asc::OPERATION_IN_PROGRESS_NO_SENSE
                    || self.progress().is_some() =>
            {
                C::InProgress
            }
            SenseKey::AbortedCommand => C::Aborted,
            SenseKey::IllegalRequest => C::IllegalRequest,
            SenseKey::MediumError => C::MediumError,
            SenseKey::HardwareError => C::HardwareError,
            SenseKey::DataProtect => C::DataProtect,
            SenseKey::RecoveredError => C::Recovered,
            _ => C::Other,
        }
    }

    /// True when this sense has `key` and the ASC/ASCQ `code`
    /// (`sense.is(SenseKey::MediumError, Asc::LOSS_OF_STREAMING)`).
    pub fn is(&self, key: SenseKey, code: Asc) -> bool {
        self.key == key && self.code() == code
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fixed(key: u8, asc: u8, ascq: u8) -> [u8; 18] {
        [
            0x70, 0, key, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, asc, ascq, 0, 0, 0, 0,
        ]
    }

    fn descriptor(key: u8, asc: u8, ascq: u8) -> [u8; 8] {
        [0x72, key, asc, ascq, 0, 0, 0, 0]
    }

    fn class_fixed(key: u8, asc: u8, ascq: u8) -> SenseClass {
        Sense::parse(&fixed(key, asc, ascq)).unwrap().classify()
    }

    fn class_desc(key: u8, asc: u8, ascq: u8) -> SenseClass {
        Sense::parse(&descriptor(key, asc, ascq))
            .unwrap()
            .classify()
    }

    #[test]
    fn long_write_in_progress_fixed() {
        let raw = [
            0x70, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x04, 0x08,
            0x00, 0x00, 0x00, 0x00,
        ];
        let s = Sense::parse(&raw).unwrap();
        assert_eq!(
            s,
            Sense::from_code(SenseKey::NotReady, Asc::LONG_WRITE_IN_PROGRESS)
        );
        assert_eq!(s.classify(), SenseClass::LongWriteInProgress);
        assert_eq!(s.to_string(), "NOT READY, LONG WRITE IN PROGRESS (2/04/08)");
        assert_eq!(s.to_fixed_vec(), raw);
    }

    #[test]
    fn every_class_from_bytes() {
        use SenseClass as C;
        // Each key's class, and the ASC/ASCQ that split NOT READY and UNIT ATTENTION.
        let cases: &[((u8, u8, u8), SenseClass)] = &[
            ((0x0, 0x00, 0x00), C::Other),
            ((0x0, 0x00, 0x16), C::InProgress),
            ((0x1, 0x17, 0x01), C::Recovered),
            ((0x2, 0x04, 0x00), C::InProgress),
            ((0x2, 0x04, 0x01), C::InProgress),
            ((0x2, 0x04, 0x08), C::LongWriteInProgress),
            ((0x2, 0x04, 0x04), C::InProgress),
            ((0x2, 0x04, 0x07), C::InProgress),
            ((0x2, 0x04, 0x02), C::InProgress),
            ((0x2, 0x04, 0x03), C::InProgress),
            ((0x2, 0x3E, 0x00), C::NotReady),
            ((0x2, 0x3A, 0x00), C::NoMedium),
            ((0x2, 0x3A, 0x01), C::NoMedium),
            ((0x2, 0x3A, 0x02), C::NoMedium),
            ((0x2, 0x30, 0x00), C::NotReady),
            ((0x3, 0x0C, 0x00), C::MediumError),
            ((0x3, 0x0C, 0x09), C::MediumError),
            ((0x4, 0x0C, 0x09), C::HardwareError),
            ((0x3, 0x0C, 0x0A), C::MediumError),
            ((0x4, 0x0C, 0x00), C::HardwareError),
            ((0x3, 0x11, 0x00), C::MediumError),
            ((0x3, 0x11, 0x05), C::MediumError),
            ((0x3, 0x31, 0x00), C::MediumError),
            ((0x3, 0x31, 0x01), C::MediumError),
            ((0x3, 0x02, 0x00), C::MediumError),
            ((0x3, 0x30, 0x02), C::MediumError),
            ((0x3, 0x72, 0x00), C::MediumError),
            ((0x3, 0x73, 0x03), C::MediumError),
            ((0x3, 0x73, 0x05), C::MediumError),
            ((0x4, 0x44, 0x00), C::HardwareError),
            ((0x4, 0x09, 0x01), C::HardwareError),
            ((0x5, 0x1A, 0x00), C::IllegalRequest),
            ((0x5, 0x20, 0x00), C::IllegalRequest),
            ((0x5, 0x21, 0x00), C::IllegalRequest),
            ((0x5, 0x21, 0x02), C::IllegalRequest),
            ((0x5, 0x24, 0x00), C::IllegalRequest),
            ((0x5, 0x25, 0x00), C::IllegalRequest),
            ((0x5, 0x26, 0x00), C::IllegalRequest),
            ((0x5, 0x26, 0x02), C::IllegalRequest),
            ((0x5, 0x2C, 0x00), C::IllegalRequest),
            ((0x5, 0x30, 0x00), C::IllegalRequest),
            ((0x5, 0x30, 0x02), C::IllegalRequest),
            ((0x5, 0x30, 0x05), C::IllegalRequest),
            ((0x5, 0x30, 0x06), C::IllegalRequest),
            ((0x5, 0x30, 0x10), C::IllegalRequest),
            ((0x5, 0x63, 0x00), C::IllegalRequest),
            ((0x5, 0x64, 0x00), C::IllegalRequest),
            ((0x5, 0x72, 0x03), C::IllegalRequest),
            ((0x5, 0x72, 0x05), C::IllegalRequest),
            ((0x5, 0x55, 0x00), C::IllegalRequest),
            ((0x6, 0x28, 0x00), C::MediumChanged),
            ((0x6, 0x29, 0x00), C::Reset),
            ((0x6, 0x29, 0x02), C::Reset),
            ((0x6, 0x2A, 0x01), C::UnitAttention),
            ((0x6, 0x2A, 0x09), C::UnitAttention),
            ((0x7, 0x27, 0x00), C::DataProtect),
            ((0x5, 0x27, 0x00), C::IllegalRequest),
            ((0xB, 0x00, 0x00), C::Aborted),
            ((0xB, 0x47, 0x00), C::Aborted),
            ((0x8, 0x00, 0x05), C::Other),
            ((0xE, 0x1D, 0x00), C::Other),
            ((0x2, 0x04, 0x02), C::InProgress),
            ((0x2, 0x04, 0x13), C::InProgress),
            ((0x6, 0x28, 0x02), C::MediumChanged),
            ((0x6, 0x29, 0x07), C::Reset),
            ((0x6, 0x3A, 0x00), C::UnitAttention),
            ((0x5, 0x3A, 0x00), C::IllegalRequest),
            ((0x0, 0x00, 0x00), C::Other),
            ((0x9, 0x80, 0x00), C::Other),
            ((0xF, 0x00, 0x00), C::Other),
        ];
        for &((k, a, q), want) in cases {
            assert_eq!(class_fixed(k, a, q), want, "fixed {k:X}/{a:02X}/{q:02X}");
            assert_eq!(
                class_desc(k, a, q),
                want,
                "descriptor {k:X}/{a:02X}/{q:02X}"
            );
        }
    }

    #[test]
    fn retryable_waits_and_is() {
        use SenseClass as C;
        let waits = [C::LongWriteInProgress, C::InProgress];
        for c in [
            C::LongWriteInProgress,
            C::InProgress,
            C::NoMedium,
            C::NotReady,
            C::MediumChanged,
            C::Reset,
            C::UnitAttention,
            C::Aborted,
            C::IllegalRequest,
            C::MediumError,
            C::HardwareError,
            C::DataProtect,
            C::Recovered,
            C::Other,
        ] {
            assert_eq!(c.is_retryable_wait(), waits.contains(&c), "{c:?}");
        }
        let s = Sense::from_code(SenseKey::MediumError, Asc::LOSS_OF_STREAMING);
        assert!(s.is(SenseKey::MediumError, Asc::LOSS_OF_STREAMING));
        assert!(!s.is(SenseKey::HardwareError, Asc::LOSS_OF_STREAMING));
        assert!(!s.is(SenseKey::MediumError, Asc::WRITE_ERROR));
        // A NOT READY code the table names: still a wait.
        let becoming = Sense::from_code(SenseKey::NotReady, Asc::BECOMING_READY);
        assert!(becoming.classify().is_retryable_wait());
        assert!(
            !Sense::from_code(SenseKey::NotReady, Asc::MEDIUM_NOT_PRESENT)
                .classify()
                .is_retryable_wait()
        );
    }

    #[test]
    fn descriptor_sense_to_fixed() {
        // 72h MEDIUM ERROR 0C/09 with information 0x1234 and a retry count: the fixed
        // form keeps key, codes, information and the sense-key-specific bytes.
        let raw = [
            0x72, 0x03, 0x0C, 0x09, 0, 0, 0, 0x14, // header, 20 bytes follow
            0x00, 0x0A, 0x80, 0x00, 0, 0, 0, 0, 0, 0, 0x12, 0x34, // information
            0x02, 0x06, 0x00, 0x00, 0x80, 0x00, 0x05, 0x00, // SKS: retry count 5
        ];
        let s = Sense::parse(&raw).unwrap();
        assert_eq!(
            s.to_fixed_vec(),
            [
                0xF0, 0x00, 0x03, 0x00, 0x00, 0x12, 0x34, 0x0A, 0, 0, 0, 0, 0x0C, 0x09, 0x00, 0x80,
                0x00, 0x05
            ]
        );
        assert_eq!(s.classify(), SenseClass::MediumError);
    }

    #[test]
    fn no_sense_with_progress_is_in_progress() {
        // REQUEST SENSE during an Immed format on drives that answer NO SENSE.
        let raw = [
            0x70, 0, 0x00, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x00, 0x00, 0, 0x80, 0x40, 0x00,
        ];
        let s = Sense::parse(&raw).unwrap();
        assert_eq!(s.progress(), Some(0x4000));
        assert_eq!(s.progress_fraction(), Some(0.25));
        assert_eq!(s.classify(), SenseClass::InProgress);
    }

    #[test]
    fn fixed_format_fields_deconstruct() {
        // Deferred, VALID, information 0x0012_3456, cmd-specific 0xA1B2C3D4, 3/0C/09, FRU 7,
        // SKSV with an actual retry count of 3.
        let raw = [
            0xF1, 0x00, 0x03, 0x00, 0x12, 0x34, 0x56, 0x0A, 0xA1, 0xB2, 0xC3, 0xD4, 0x0C, 0x09,
            0x07, 0x80, 0x00, 0x03,
        ];
        let v = FixedSense::new_checked(&raw[..]).unwrap();
        assert_eq!(v.response_code(), 0x71);
        assert!(v.valid() && v.deferred() && !v.filemark() && !v.eom() && !v.ili());
        assert_eq!(v.key(), SenseKey::MediumError);
        assert_eq!(v.information(), 0x0012_3456);
        assert_eq!(v.additional_length(), 10);
        assert_eq!(v.command_specific(), 0xA1B2_C3D4);
        assert_eq!((v.asc(), v.ascq(), v.fru()), (0x0C, 0x09, 7));
        assert!(v.sksv());
        assert_eq!(v.sense_key_specific(), [0, 0, 3]);

        let s = Sense::parse(&raw).unwrap();
        let want = Sense {
            deferred: true,
            information: Some(0x0012_3456),
            command_specific: 0xA1B2_C3D4,
            fru: 7,
            sense_key_specific: Some([0, 0, 3]),
            ..Sense::from_code(SenseKey::MediumError, Asc::LOSS_OF_STREAMING)
        };
        assert_eq!(s, want);
        assert_eq!(s.progress(), None, "retry count is not progress");
        assert_eq!(s.to_fixed_vec(), raw);
        assert_eq!(
            s.to_string(),
            "deferred: MEDIUM ERROR, WRITE ERROR - LOSS OF STREAMING (3/0C/09)"
        );
    }

    #[test]
    fn fixed_format_construct() {
        let s = Sense::from_code(SenseKey::NotReady, Asc::FORMAT_IN_PROGRESS)
            .with_progress(0.5)
            .with_information(0x1234);
        assert_eq!(
            s.to_fixed_vec(),
            [
                0xF0, 0x00, 0x02, 0x00, 0x00, 0x12, 0x34, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x04, 0x04,
                0x00, 0x80, 0x80, 0x00
            ]
        );
        assert_eq!(s.progress(), Some(0x8000));
        // Too wide for the fixed format: VALID is cleared rather than truncating.
        let wide = Sense::new(SenseKey::MediumError, 0x0C, 0).with_information(1 << 40);
        assert_eq!(wide.to_fixed_vec()[..7], [0x70, 0, 3, 0, 0, 0, 0]);
        assert_eq!(
            Sense::parse(&wide.to_fixed_vec()).unwrap().information,
            None
        );
    }

    #[test]
    fn progress_extremes() {
        let s = Sense::new(SenseKey::NotReady, 4, 4);
        assert_eq!(s.with_progress(0.0).progress(), Some(0));
        assert_eq!(s.with_progress(1.0).progress(), Some(0xFFFF));
        assert_eq!(s.with_progress(7.0).progress(), Some(0xFFFF));
        assert_eq!(s.with_progress(-1.0).progress(), Some(0));
        assert_eq!(s.with_progress(f32::NAN).progress(), Some(0));
        assert_eq!(s.progress(), None);
    }

    #[test]
    fn descriptor_format_deconstruct() {
        // 72h NOT READY 04/04 with information, sense-key-specific progress 0x1000, FRU 2,
        // and an unknown descriptor type 80h in between that must be skipped.
        let raw = [
            0x72, 0x02, 0x04, 0x04, 0x00, 0x00, 0x00, 0x1E, // header, 30 bytes follow
            0x00, 0x0A, 0x80, 0x00, 0, 0, 0, 0, 0, 0, 0x01, 0x00, // information 256
            0x80, 0x02, 0xAA, 0xBB, // vendor descriptor
            0x02, 0x06, 0x00, 0x00, 0x80, 0x10, 0x00, 0x00, // SKS progress
            0x03, 0x02, 0x00, 0x02, // FRU
            0x01, 0x00, // a zero-length command-specific descriptor: ignored
        ];
        let v = DescriptorSense::new_checked(&raw[..]).unwrap();
        assert_eq!(v.response_code(), 0x72);
        assert!(!v.deferred());
        assert_eq!(v.key(), SenseKey::NotReady);
        assert_eq!((v.asc(), v.ascq()), (4, 4));
        let types: Vec<u8> = v.descriptors().map(|d| d.descriptor_type).collect();
        assert_eq!(types, [0x00, 0x80, 0x02, 0x03, 0x01]);
        let s = Sense::parse(&raw).unwrap();
        assert_eq!(s.format, SenseFormat::Descriptor);
        assert_eq!(s.information, Some(256));
        assert_eq!(s.progress(), Some(0x1000));
        assert_eq!(s.fru, 2);
        assert_eq!(s.command_specific, 0);
        assert_eq!(s.classify(), SenseClass::InProgress);
    }

    #[test]
    fn descriptor_format_construct() {
        let s = Sense::from_code(SenseKey::IllegalRequest, Asc::INVALID_FIELD_IN_CDB)
            .with_field_pointer(FieldPointer {
                in_cdb: true,
                byte: 10,
                bit: Some(7),
            })
            .in_descriptor_format()
            .with_deferred();
        let v = s.to_descriptor_vec();
        assert_eq!(
            v,
            [
                0x73, 0x05, 0x24, 0x00, 0, 0, 0, 0x08, // header
                0x02, 0x06, 0x00, 0x00, 0xCF, 0x00, 0x0A, 0x00, // SKS: SKSV C/D BPV bit 7
            ]
        );
        let back = Sense::parse(&v).unwrap();
        assert_eq!(back, s);
        assert_eq!(
            back.field_pointer(),
            Some(FieldPointer {
                in_cdb: true,
                byte: 10,
                bit: Some(7)
            })
        );
        let mut small = [0u8; 15];
        assert!(matches!(
            s.emit(&mut small),
            Err(wire::Error::BufferTooSmall { needed: 16, .. })
        ));
    }

    #[test]
    fn descriptor_list_bounded_by_buffer_and_length() {
        // Additional length claims 200 bytes; only one whole descriptor is present, and a
        // truncated second one.
        let raw = [
            0x72, 0x03, 0x0C, 0x00, 0, 0, 0, 200, 0x03, 0x02, 0x00, 0x09, 0x00, 0x0A, 0x80,
        ];
        let v = DescriptorSense::new_checked(&raw[..]).unwrap();
        assert_eq!(v.descriptors().count(), 1);
        assert_eq!(Sense::parse(&raw).unwrap().fru, 9);
        // Additional length 4 hides the descriptor after the first.
        let raw2 = [
            0x72, 0x03, 0x0C, 0x00, 0, 0, 0, 4, 0x03, 0x02, 0, 9, 0x03, 0x02, 0, 5,
        ];
        let v2 = DescriptorSense::new_checked(&raw2[..]).unwrap();
        assert_eq!(v2.descriptors().count(), 1);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(matches!(
            Sense::parse(&[]),
            Err(wire::Error::Truncated { .. })
        ));
        assert!(matches!(
            Sense::parse(&[0x7F, 0, 0, 0]),
            Err(wire::Error::Invalid { .. })
        ));
        assert!(Sense::parse(&[0x00; 18]).is_err());
        assert!(Sense::parse(&[0x70, 0]).is_err());
        assert!(Sense::parse(&[0x72, 2, 4]).is_err());
        assert!(FixedSense::new_checked(&[0x72u8, 0, 0, 0][..]).is_err());
        assert!(DescriptorSense::new_checked(&[0x70u8, 0, 0, 0][..]).is_err());
        // Short fixed sense: missing ASC/ASCQ read as zero.
        let s = Sense::parse(&[0x70, 0, 0x06]).unwrap();
        assert_eq!((s.key, s.asc, s.ascq), (SenseKey::UnitAttention, 0, 0));
    }

    #[test]
    fn sense_keys() {
        for v in 0..=15u8 {
            assert_eq!(u8::from(SenseKey::from(v)), v);
        }
        assert_eq!(SenseKey::from(0xF2), SenseKey::NotReady);
        assert_eq!(SenseKey::IllegalRequest.name(), "ILLEGAL REQUEST");
        assert_eq!(SenseKey::AbortedCommand.to_string(), "ABORTED COMMAND");
    }

    #[test]
    fn asc_table_is_sorted_and_named() {
        assert!(ASC_TABLE
            .windows(2)
            .all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1)));
        assert!(ASC_TABLE.iter().all(|e| !e.2.is_empty()));
        // Every code spec/mmc.md lists has a name.
        for (a, q) in [
            (0x04, 0x00),
            (0x04, 0x01),
            (0x04, 0x04),
            (0x04, 0x07),
            (0x04, 0x08),
            (0x3A, 0x00),
            (0x3A, 0x01),
            (0x3A, 0x02),
            (0x0C, 0x00),
            (0x0C, 0x09),
            (0x0C, 0x0A),
            (0x11, 0x00),
            (0x31, 0x00),
            (0x31, 0x01),
            (0x73, 0x03),
            (0x73, 0x05),
            (0x44, 0x00),
            (0x1A, 0x00),
            (0x20, 0x00),
            (0x21, 0x00),
            (0x21, 0x02),
            (0x24, 0x00),
            (0x26, 0x00),
            (0x2C, 0x00),
            (0x30, 0x00),
            (0x30, 0x02),
            (0x30, 0x05),
            (0x30, 0x06),
            (0x63, 0x00),
            (0x64, 0x00),
            (0x72, 0x03),
            (0x72, 0x04),
            (0x72, 0x05),
            (0x28, 0x00),
            (0x29, 0x00),
            (0x2A, 0x01),
            (0x27, 0x00),
            (0x00, 0x00),
            (0x47, 0x00),
            (0x57, 0x00),
        ] {
            assert!(asc_name(a, q).is_some(), "{a:02X}/{q:02X}");
        }
        assert_eq!(asc_name(0x21, 0x02), Some("INVALID ADDRESS FOR WRITE"));
        assert_eq!(Asc::LONG_WRITE_IN_PROGRESS.name(), asc_name(4, 8));
        assert_eq!(
            asc_name(0x40, 0x85),
            Some("DIAGNOSTIC FAILURE ON COMPONENT NN (80H-FFH)")
        );
        assert_eq!(asc_name(0x40, 0x00), Some("RAM FAILURE (SHOULD USE 40 NN)"));
        assert_eq!(asc_name(0x40, 0x01), None);
        assert!(asc_name(0x4D, 0x12).is_some());
        assert!(asc_name(0x70, 0x03).is_some());
        assert_eq!(asc_name(0x80, 0x00), None);
        assert_eq!(asc_name(0x04, 0xFE), None);
        assert_eq!(
            Asc::INVALID_ADDRESS_FOR_WRITE.to_string(),
            "INVALID ADDRESS FOR WRITE (21/02)"
        );
        assert_eq!(Asc::new(0x99, 1).to_string(), "ASC 99h ASCQ 01h");
    }

    #[test]
    fn display() {
        let s = Sense::from_code(SenseKey::MediumError, Asc::LOSS_OF_STREAMING);
        assert_eq!(
            s.to_string(),
            "MEDIUM ERROR, WRITE ERROR - LOSS OF STREAMING (3/0C/09)"
        );
        let s = Sense::new(SenseKey::IllegalRequest, 0x21, 0x02);
        assert_eq!(
            s.to_string(),
            "ILLEGAL REQUEST, INVALID ADDRESS FOR WRITE (5/21/02)"
        );
        let s = Sense::new(SenseKey::VendorSpecific, 0x85, 0x01);
        assert_eq!(s.to_string(), "VENDOR SPECIFIC (9/85/01)");
        // Only NOT READY drops the "LOGICAL UNIT NOT READY" prefix.
        let s = Sense::new(SenseKey::UnitAttention, 0x04, 0x01);
        assert_eq!(
            s.to_string(),
            "UNIT ATTENTION, LOGICAL UNIT IS IN PROCESS OF BECOMING READY (6/04/01)"
        );
    }

    fn arb_key() -> impl Strategy<Value = SenseKey> {
        (0u8..16).prop_map(SenseKey::from)
    }

    prop_compose! {
        fn arb_sense()(
            descriptor in any::<bool>(),
            deferred in any::<bool>(),
            key in arb_key(),
            asc in any::<u8>(),
            ascq in any::<u8>(),
            info in proptest::option::of(any::<u32>()),
            cmd in any::<u32>(),
            fru in any::<u8>(),
            sks in proptest::option::of((0u8..0x80, any::<u8>(), any::<u8>())),
        ) -> Sense {
            Sense {
                format: if descriptor { SenseFormat::Descriptor } else { SenseFormat::Fixed },
                deferred,
                key,
                asc,
                ascq,
                information: info.map(u64::from),
                command_specific: u64::from(cmd),
                fru,
                sense_key_specific: sks.map(|(a, b, c)| [a, b, c]),
            }
        }
    }

    proptest! {
        #[test]
        fn round_trip_own_format(s in arb_sense()) {
            let mut buf = vec![0u8; s.buffer_len()];
            prop_assert_eq!(s.emit(&mut buf)?, buf.len());
            prop_assert_eq!(Sense::parse(&buf)?, s);
        }

        #[test]
        fn round_trip_across_formats(s in arb_sense()) {
            let from_fixed = Sense::parse(&s.to_fixed_vec())?;
            let from_desc = Sense::parse(&s.to_descriptor_vec())?;
            prop_assert_eq!(from_fixed.format, SenseFormat::Fixed);
            prop_assert_eq!(from_desc.format, SenseFormat::Descriptor);
            prop_assert_eq!(Sense { format: s.format, ..from_fixed }, s);
            prop_assert_eq!(Sense { format: s.format, ..from_desc }, s);
            prop_assert_eq!(from_fixed.classify(), from_desc.classify());
        }

        #[test]
        fn fixed_parse_to_fixed_vec_round_trips(
            deferred in any::<bool>(),
            key in 0u8..16,
            info in proptest::option::of(any::<u32>()),
            cmd in any::<u32>(),
            asc in any::<u8>(),
            ascq in any::<u8>(),
            fru in any::<u8>(),
            sks in proptest::option::of((0u8..0x80, any::<u8>(), any::<u8>())),
        ) {
            // Canonical 18-byte fixed sense as a drive sends it.
            let mut raw = [0u8; 18];
            raw[0] = if deferred { 0x71 } else { 0x70 } | if info.is_some() { 0x80 } else { 0 };
            raw[2] = key;
            raw[3..7].copy_from_slice(&info.unwrap_or(0).to_be_bytes());
            raw[7] = 10;
            raw[8..12].copy_from_slice(&cmd.to_be_bytes());
            raw[12] = asc;
            raw[13] = ascq;
            raw[14] = fru;
            if let Some((a, b, c)) = sks {
                raw[15..18].copy_from_slice(&[0x80 | a, b, c]);
            }
            let s = Sense::parse(&raw)?;
            prop_assert_eq!(s.to_fixed_vec(), raw.to_vec());
        }

        #[test]
        fn descriptor_to_fixed_keeps_key_and_codes(s in arb_sense()) {
            let d = Sense::parse(&s.in_descriptor_format().to_descriptor_vec())?;
            let f = Sense::parse(&d.to_fixed_vec())?;
            prop_assert_eq!(f.format, SenseFormat::Fixed);
            prop_assert_eq!((f.key, f.code()), (s.key, s.code()));
            prop_assert_eq!(f.information, s.information);
            prop_assert_eq!(f.sense_key_specific, s.sense_key_specific);
            prop_assert_eq!(f.classify(), d.classify());
        }

        #[test]
        fn wide_descriptor_information_round_trips(info in any::<u64>(), cmd in any::<u64>()) {
            let s = Sense {
                command_specific: cmd,
                ..Sense::new(SenseKey::MediumError, 0x0C, 0).with_information(info)
            }
            .in_descriptor_format();
            prop_assert_eq!(Sense::parse(&s.to_descriptor_vec())?, s);
        }

        #[test]
        fn arbitrary_bytes_never_panic(raw in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(s) = Sense::parse(&raw) {
                let _ = (s.classify(), s.to_string(), s.progress(), s.field_pointer());
                prop_assert!(s.descriptor_len() <= 8 + 12 + 12 + 8 + 4);
                // Re-emitting in the format it came in gives back the same sense.
                let mut again = vec![0u8; s.buffer_len()];
                s.emit(&mut again)?;
                prop_assert_eq!(Sense::parse(&again)?, s);
            }
            let f = FixedSense::new_unchecked(&raw[..]);
            let _ = (f.key(), f.information(), f.sense_key_specific(), f.fru());
            let d = DescriptorSense::new_unchecked(&raw[..]);
            let total: usize = d.descriptors().map(|x| x.bytes.len()).sum();
            prop_assert!(total <= raw.len().saturating_sub(8));
        }

        #[test]
        fn progress_is_monotonic(a in 0.0f32..=1.0, b in 0.0f32..=1.0) {
            let s = Sense::from_code(SenseKey::NotReady, Asc::OPERATION_IN_PROGRESS);
            let (pa, pb) = (s.with_progress(a).progress().unwrap(), s.with_progress(b).progress().unwrap());
            if a <= b {
                prop_assert!(pa <= pb);
            }
            prop_assert!((s.with_progress(a).progress_fraction().unwrap() - a).abs() < 1.0 / 32768.0);
        }
    }
}
