//! The sense conditions the drive model raises, by name (key/ASC/ASCQ per SPC-4 and
//! MMC-6; `spec/mmc.md` "Sense codes a writer meets"). They are encoded into sense data
//! only at the CDB boundary, through `discburn_mmc::sense`.

/// A CHECK CONDITION the model reports: sense key, ASC, ASCQ, plus the optional
/// sense-key-specific progress indication (0..=65535 of 65536).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check {
    /// Sense key.
    pub key: u8,
    /// Additional sense code.
    pub asc: u8,
    /// Additional sense code qualifier.
    pub ascq: u8,
    /// Progress indication for NOT READY conditions of Immed operations.
    pub progress: Option<u16>,
    /// INFORMATION field (the failing LBA of a medium error).
    pub info: Option<u32>,
}

macro_rules! checks {
    ($( $(#[$m:meta])* $name:ident = ($k:literal, $a:literal, $q:literal); )*) => {
        impl Check {
            $( $(#[$m])* pub const $name: Check = Check {
                key: $k, asc: $a, ascq: $q, progress: None, info: None,
            }; )*
        }
    };
}

checks! {
    /// 02/04/04 LOGICAL UNIT NOT READY, FORMAT IN PROGRESS.
    FORMAT_IN_PROGRESS = (0x02, 0x04, 0x04);
    /// 02/04/07 LOGICAL UNIT NOT READY, OPERATION IN PROGRESS.
    OPERATION_IN_PROGRESS = (0x02, 0x04, 0x07);
    /// 02/04/08 LOGICAL UNIT NOT READY, LONG WRITE IN PROGRESS.
    LONG_WRITE_IN_PROGRESS = (0x02, 0x04, 0x08);
    /// 02/3A/00 MEDIUM NOT PRESENT.
    MEDIUM_NOT_PRESENT = (0x02, 0x3A, 0x00);
    /// 03/0C/00 WRITE ERROR.
    WRITE_ERROR = (0x03, 0x0C, 0x00);
    /// 03/0C/09 WRITE ERROR, LOSS OF STREAMING.
    LOSS_OF_STREAMING = (0x03, 0x0C, 0x09);
    /// 03/11/00 UNRECOVERED READ ERROR.
    UNRECOVERED_READ_ERROR = (0x03, 0x11, 0x00);
    /// 05/1A/00 PARAMETER LIST LENGTH ERROR.
    PARAMETER_LIST_LENGTH = (0x05, 0x1A, 0x00);
    /// 05/20/00 INVALID COMMAND OPERATION CODE.
    INVALID_OPCODE = (0x05, 0x20, 0x00);
    /// 05/21/00 LOGICAL BLOCK ADDRESS OUT OF RANGE.
    LBA_OUT_OF_RANGE = (0x05, 0x21, 0x00);
    /// 05/21/02 INVALID ADDRESS FOR WRITE.
    INVALID_ADDRESS_FOR_WRITE = (0x05, 0x21, 0x02);
    /// 05/24/00 INVALID FIELD IN CDB.
    INVALID_FIELD_IN_CDB = (0x05, 0x24, 0x00);
    /// 05/26/00 INVALID FIELD IN PARAMETER LIST.
    INVALID_FIELD_IN_PARAMETER_LIST = (0x05, 0x26, 0x00);
    /// 05/2C/00 COMMAND SEQUENCE ERROR.
    COMMAND_SEQUENCE_ERROR = (0x05, 0x2C, 0x00);
    /// 05/30/00 INCOMPATIBLE MEDIUM INSTALLED.
    INCOMPATIBLE_MEDIUM = (0x05, 0x30, 0x00);
    /// 05/30/02 CANNOT READ MEDIUM, INCOMPATIBLE FORMAT.
    CANNOT_READ_MEDIUM = (0x05, 0x30, 0x02);
    /// 05/30/05 CANNOT WRITE MEDIUM, INCOMPATIBLE FORMAT (closed or read-only media).
    CANNOT_WRITE_MEDIUM = (0x05, 0x30, 0x05);
    /// 05/30/06 CANNOT FORMAT MEDIUM, INCOMPATIBLE MEDIUM.
    CANNOT_FORMAT_MEDIUM = (0x05, 0x30, 0x06);
    /// 05/30/10 MEDIUM NOT FORMATTED.
    MEDIUM_NOT_FORMATTED = (0x05, 0x30, 0x10);
    /// 05/63/00 END OF USER AREA ENCOUNTERED ON THIS TRACK.
    END_OF_USER_AREA = (0x05, 0x63, 0x00);
    /// 05/64/00 ILLEGAL MODE FOR THIS TRACK.
    ILLEGAL_MODE_FOR_TRACK = (0x05, 0x64, 0x00);
    /// 05/72/03 SESSION FIXATION ERROR, INCOMPLETE TRACK IN SESSION.
    INCOMPLETE_TRACK_IN_SESSION = (0x05, 0x72, 0x03);
    /// 05/72/05 NO MORE TRACK RESERVATIONS ALLOWED.
    NO_MORE_RESERVATIONS = (0x05, 0x72, 0x05);
    /// 06/28/00 NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED.
    MEDIUM_CHANGED = (0x06, 0x28, 0x00);
    /// 06/29/00 POWER ON, RESET, OR BUS DEVICE RESET OCCURRED.
    POWER_ON_RESET = (0x06, 0x29, 0x00);
}

impl Check {
    /// The same condition carrying a progress indication.
    pub fn with_progress(self, progress: u16) -> Check {
        Check {
            progress: Some(progress),
            ..self
        }
    }

    /// The same condition carrying the failing LBA in the INFORMATION field.
    pub fn with_info(self, lba: u32) -> Check {
        Check {
            info: Some(lba),
            ..self
        }
    }

    /// The (key, ASC, ASCQ) triple.
    pub fn triple(&self) -> (u8, u8, u8) {
        (self.key, self.asc, self.ascq)
    }
}

/// Result of a model operation: a value, or the CHECK CONDITION a drive would report.
pub type CheckResult<T> = Result<T, Check>;
