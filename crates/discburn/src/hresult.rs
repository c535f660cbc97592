//! IMAPI2's result codes (`imapi2error.h`, `winerror.h`) and the sense → HRESULT table.
//!
//! Values are exact; names are IMAPI2's. The sense table follows Microsoft's own
//! `TranslateSenseInfoToHResult` (the erase sample's `Utility.cpp`; see
//! `spec/imapi2-detail.md` §5.4): an ordered list whose first match wins, with the
//! fatal write errors IMAPI2's docs describe as "cannot be recovered from" mapped to
//! `E_IMAPI_UNEXPECTED_RESPONSE_FROM_DEVICE` instead of `E_FAIL`.

use core::fmt;

use discburn_mmc::sense::{Sense, SenseKey};
use discburn_mmc::OpCode;

/// A COM `HRESULT`: severity bit 31, facility bits 16–26, code bits 0–15.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HResult(pub u32);

impl HResult {
    /// `SUCCEEDED(hr)`: the severity bit is clear. Note that IMAPI2's `S_IMAPI_*`
    /// codes are successes too, so callers test for them explicitly.
    pub const fn is_success(self) -> bool {
        self.0 & 0x8000_0000 == 0
    }

    /// `FAILED(hr)`.
    pub const fn is_failure(self) -> bool {
        !self.is_success()
    }

    /// The value as the signed `LONG` Windows code prints (`0xC0AA0002` = −1062600702).
    pub const fn as_i32(self) -> i32 {
        self.0 as i32
    }

    /// The constant's name when it is one this crate knows.
    pub fn name(self) -> Option<&'static str> {
        NAMES.iter().find(|(v, _)| *v == self).map(|(_, n)| *n)
    }
}

impl fmt::Debug for HResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{n}({:#010X})", self.0),
            None => write!(f, "HResult({:#010X})", self.0),
        }
    }
}

impl fmt::Display for HResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{n} ({:#010X})", self.0),
            None => write!(f, "{:#010X}", self.0),
        }
    }
}

macro_rules! hresults {
    ($( $(#[$m:meta])* $name:ident = $val:literal; )*) => {
        $( $(#[$m])* pub const $name: HResult = HResult($val); )*
        const NAMES: &[(HResult, &str)] = &[ $( ($name, stringify!($name)), )* ];
    };
}

hresults! {
    /// Success.
    S_OK = 0x0000_0000;
    /// Success, with a "false" meaning (COM).
    S_FALSE = 0x0000_0001;
    /// Not implemented.
    E_NOTIMPL = 0x8000_4001;
    /// A required pointer (here: a value) was missing.
    E_POINTER = 0x8000_4003;
    /// Unspecified failure.
    E_FAIL = 0x8000_4005;
    /// Catastrophic failure (`E_UNEXPECTED`): a defect, not a device condition.
    E_UNEXPECTED = 0x8000_FFFF;
    /// Access denied (`AcquireExclusiveAccess`: another application uses the device).
    E_ACCESSDENIED = 0x8007_0005;
    /// `HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE)`: the device handle is gone.
    E_INVALID_HANDLE = 0x8007_0006;
    /// Out of memory.
    E_OUTOFMEMORY = 0x8007_000E;
    /// `HRESULT_FROM_WIN32(ERROR_DEV_NOT_EXIST)`: the device was removed.
    E_DEV_NOT_EXIST = 0x8007_0037;
    /// An argument is invalid.
    E_INVALIDARG = 0x8007_0057;
    /// The request was cancelled (`IWriteEngine2::CancelWrite`).
    E_IMAPI_REQUEST_CANCELLED = 0xC0AA_0002;
    /// The request needs a recorder and none was set.
    E_IMAPI_RECORDER_REQUIRED = 0xC0AA_0003;
    /// The drive does not support the requested speed; the nearest supported one was used.
    S_IMAPI_SPEEDADJUSTED = 0x00AA_0004;
    /// The requested rotation type (CAV/CLV) was adjusted.
    S_IMAPI_ROTATIONADJUSTED = 0x00AA_0005;
    /// Both speed and rotation type were adjusted.
    S_IMAPI_BOTHADJUSTED = 0x00AA_0006;
    /// Verification after burning failed.
    E_IMAPI_BURN_VERIFICATION_FAILED = 0xC0AA_0007;
    /// The command completed with CHECK CONDITION; sense data was returned (a success code).
    S_IMAPI_COMMAND_HAS_SENSE_DATA = 0x00AA_0200;
    /// The mode page (and request type) is not supported.
    E_IMAPI_RECORDER_NO_SUCH_MODE_PAGE = 0xC0AA_0201;
    /// No medium in the drive.
    E_IMAPI_RECORDER_MEDIA_NO_MEDIA = 0xC0AA_0202;
    /// Medium incompatible or of unknown physical format.
    E_IMAPI_RECORDER_MEDIA_INCOMPATIBLE = 0xC0AA_0203;
    /// Medium inserted upside down.
    E_IMAPI_RECORDER_MEDIA_UPSIDE_DOWN = 0xC0AA_0204;
    /// The drive is becoming ready; try again later.
    E_IMAPI_RECORDER_MEDIA_BECOMING_READY = 0xC0AA_0205;
    /// The medium is being formatted.
    E_IMAPI_RECORDER_MEDIA_FORMAT_IN_PROGRESS = 0xC0AA_0206;
    /// The drive is busy with a long operation (finishing a write, closing).
    E_IMAPI_RECORDER_MEDIA_BUSY = 0xC0AA_0207;
    /// MODE SELECT parameters rejected.
    E_IMAPI_RECORDER_INVALID_MODE_PARAMETERS = 0xC0AA_0208;
    /// Medium write-protected.
    E_IMAPI_RECORDER_MEDIA_WRITE_PROTECTED = 0xC0AA_0209;
    /// Feature page not supported.
    E_IMAPI_RECORDER_NO_SUCH_FEATURE = 0xC0AA_020A;
    /// Feature present but not current.
    E_IMAPI_RECORDER_FEATURE_IS_NOT_CURRENT = 0xC0AA_020B;
    /// The drive does not support GET CONFIGURATION.
    E_IMAPI_RECORDER_GET_CONFIGURATION_NOT_SUPPORTED = 0xC0AA_020C;
    /// The command timed out.
    E_IMAPI_RECORDER_COMMAND_TIMEOUT = 0xC0AA_020D;
    /// The DVD/disc structure is not present.
    E_IMAPI_RECORDER_DVD_STRUCTURE_NOT_PRESENT = 0xC0AA_020E;
    /// The medium's speed range is incompatible with the drive.
    E_IMAPI_RECORDER_MEDIA_SPEED_MISMATCH = 0xC0AA_020F;
    /// Another client holds exclusive access.
    E_IMAPI_RECORDER_LOCKED = 0xC0AA_0210;
    /// The client name is not valid.
    E_IMAPI_RECORDER_CLIENT_NAME_IS_NOT_VALID = 0xC0AA_0211;
    /// The medium is not formatted.
    E_IMAPI_RECORDER_MEDIA_NOT_FORMATTED = 0xC0AA_0212;
    /// The device returned unexpected or invalid data.
    E_IMAPI_RECORDER_INVALID_RESPONSE_FROM_DEVICE = 0xC0AA_02FF;
    /// The drive did not get data fast enough (buffer underrun, 3/0C/09).
    E_IMAPI_LOSS_OF_STREAMING = 0xC0AA_0300;
    /// The drive returned error information that cannot be recovered from.
    E_IMAPI_UNEXPECTED_RESPONSE_FROM_DEVICE = 0xC0AA_0301;
    /// No write is in progress (`CancelWrite` before the write began; a success code).
    S_IMAPI_WRITE_NOT_IN_PROGRESS = 0x00AA_0302;
    /// A write is already in progress.
    E_IMAPI_DF2DATA_WRITE_IN_PROGRESS = 0xC0AA_0400;
    /// No write is in progress.
    E_IMAPI_DF2DATA_WRITE_NOT_IN_PROGRESS = 0xC0AA_0401;
    /// The medium's state is unsuitable (e.g. closed).
    E_IMAPI_DF2DATA_INVALID_MEDIA_STATE = 0xC0AA_0402;
    /// The stream is unusable (too short, size not a multiple of the sector).
    E_IMAPI_DF2DATA_STREAM_NOT_SUPPORTED = 0xC0AA_0403;
    /// The image is larger than the free space.
    E_IMAPI_DF2DATA_STREAM_TOO_LARGE_FOR_CURRENT_MEDIA = 0xC0AA_0404;
    /// The medium is not blank.
    E_IMAPI_DF2DATA_MEDIA_NOT_BLANK = 0xC0AA_0405;
    /// The medium type is not supported.
    E_IMAPI_DF2DATA_MEDIA_IS_NOT_SUPPORTED = 0xC0AA_0406;
    /// The recorder cannot write this.
    E_IMAPI_DF2DATA_RECORDER_NOT_SUPPORTED = 0xC0AA_0407;
    /// The client name is not valid.
    E_IMAPI_DF2DATA_CLIENT_NAME_IS_NOT_VALID = 0xC0AA_0408;
    /// A track-at-once write is in progress.
    E_IMAPI_DF2TAO_WRITE_IN_PROGRESS = 0xC0AA_0500;
    /// No track-at-once write is in progress.
    E_IMAPI_DF2TAO_WRITE_NOT_IN_PROGRESS = 0xC0AA_0501;
    /// The operation needs PrepareMedia first.
    E_IMAPI_DF2TAO_MEDIA_IS_NOT_PREPARED = 0xC0AA_0502;
    /// The operation is not valid while the medium is prepared.
    E_IMAPI_DF2TAO_MEDIA_IS_PREPARED = 0xC0AA_0503;
    /// The property can be set only on blank media.
    E_IMAPI_DF2TAO_PROPERTY_FOR_BLANK_MEDIA_ONLY = 0xC0AA_0504;
    /// The disc has no table of contents yet.
    E_IMAPI_DF2TAO_TABLE_OF_CONTENTS_EMPTY_DISC = 0xC0AA_0505;
    /// Only blank or appendable CD-R/RW media can take tracks.
    E_IMAPI_DF2TAO_MEDIA_IS_NOT_BLANK = 0xC0AA_0506;
    /// The medium is not a CD-R or CD-RW.
    E_IMAPI_DF2TAO_MEDIA_IS_NOT_SUPPORTED = 0xC0AA_0507;
    /// CD media hold at most 99 tracks.
    E_IMAPI_DF2TAO_TRACK_LIMIT_REACHED = 0xC0AA_0508;
    /// The track does not fit in the free space.
    E_IMAPI_DF2TAO_NOT_ENOUGH_SPACE = 0xC0AA_0509;
    /// No recorder was set.
    E_IMAPI_DF2TAO_NO_RECORDER_SPECIFIED = 0xC0AA_050A;
    /// The ISRC is not valid.
    E_IMAPI_DF2TAO_INVALID_ISRC = 0xC0AA_050B;
    /// The MCN is not valid.
    E_IMAPI_DF2TAO_INVALID_MCN = 0xC0AA_050C;
    /// The audio stream is not valid.
    E_IMAPI_DF2TAO_STREAM_NOT_SUPPORTED = 0xC0AA_050D;
    /// The recorder cannot write track-at-once audio.
    E_IMAPI_DF2TAO_RECORDER_NOT_SUPPORTED = 0xC0AA_050E;
    /// The client name is not valid.
    E_IMAPI_DF2TAO_CLIENT_NAME_IS_NOT_VALID = 0xC0AA_050F;
}

/// Maps a CHECK CONDITION to its IMAPI2 HRESULT: `op` is the failed command's operation
/// code (`None`: not known), `sense` the decoded sense. The arms are imapi2-detail §5.4
/// rows 1–21 in order — the first match wins — then the \[I\] additions for fatal write
/// errors (3/0C/xx, 3/11/xx, 5/21/xx, 5/63, 5/64, 5/72, x/73, 4/xx, 6/29) that the sample
/// leaves to `E_FAIL`; anything else is `E_FAIL`, as in Microsoft's table.
pub fn from_sense(op: Option<OpCode>, sense: &Sense) -> HResult {
    use OpCode::{ModeSelect10, ModeSense10, ReadDiscStructure, SynchronizeCache10};
    use SenseKey::*;
    match (op, sense.key, sense.asc, sense.ascq) {
        (_, NoSense, 0x00, _) => S_OK,
        (_, _, 0x02, 0x06) => E_IMAPI_RECORDER_MEDIA_UPSIDE_DOWN,
        (_, NotReady, 0x04, 0x01) => E_IMAPI_RECORDER_MEDIA_BECOMING_READY,
        (_, NotReady, 0x04, 0x03) => E_IMAPI_RECORDER_MEDIA_NO_MEDIA,
        (_, NotReady, 0x04, 0x04) => E_IMAPI_RECORDER_MEDIA_FORMAT_IN_PROGRESS,
        (_, NotReady, 0x04, 0x07 | 0x08) => E_IMAPI_RECORDER_MEDIA_BUSY,
        (_, NotReady, 0x04, _) => E_IMAPI_RECORDER_MEDIA_BECOMING_READY,
        (Some(ReadDiscStructure), NotReady, 0x30, _) => E_IMAPI_RECORDER_DVD_STRUCTURE_NOT_PRESENT,
        (Some(SynchronizeCache10), MediumError, 0x0C, 0x09) => S_OK,
        (_, MediumError, 0x0C, 0x09) => E_IMAPI_LOSS_OF_STREAMING,
        (_, HardwareError, 0x09, 0x01) => E_IMAPI_RECORDER_MEDIA_UPSIDE_DOWN,
        (_, HardwareError, 0x09, 0x02) => E_IMAPI_RECORDER_MEDIA_INCOMPATIBLE,
        (Some(ReadDiscStructure), IllegalRequest, 0x20 | 0x24, 0x00)
        | (Some(ReadDiscStructure), IllegalRequest, 0x30, 0x02) => {
            E_IMAPI_RECORDER_DVD_STRUCTURE_NOT_PRESENT
        }
        (Some(ModeSense10), IllegalRequest, 0x24, 0x00) => E_IMAPI_RECORDER_NO_SUCH_MODE_PAGE,
        (Some(ModeSelect10), IllegalRequest, 0x26, _) => E_IMAPI_RECORDER_INVALID_MODE_PARAMETERS,
        (_, DataProtect, 0x27, _) => E_IMAPI_RECORDER_MEDIA_WRITE_PROTECTED,
        (_, UnitAttention, 0x28, 0x00) => E_IMAPI_RECORDER_MEDIA_BECOMING_READY,
        (_, _, 0x30, _) => E_IMAPI_RECORDER_MEDIA_INCOMPATIBLE,
        (_, NotReady, 0x3A, _) => E_IMAPI_RECORDER_MEDIA_NO_MEDIA,
        (_, _, 0x73, 0x03) => E_IMAPI_RECORDER_MEDIA_SPEED_MISMATCH,
        // Beyond the sample: errors a write cannot recover from.
        (_, MediumError, 0x0C | 0x11, _)
        | (_, IllegalRequest, 0x21 | 0x63 | 0x64, _)
        | (_, _, 0x72 | 0x73, _)
        | (_, HardwareError, _, _)
        | (_, UnitAttention, 0x29, _) => E_IMAPI_UNEXPECTED_RESPONSE_FROM_DEVICE,
        _ => E_FAIL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_imapi2s() {
        assert_eq!(E_IMAPI_REQUEST_CANCELLED.0, 0xC0AA0002);
        assert_eq!(S_IMAPI_WRITE_NOT_IN_PROGRESS.0, 0x00AA0302);
        assert_eq!(E_IMAPI_LOSS_OF_STREAMING.as_i32(), -1062599936);
        assert!(S_IMAPI_COMMAND_HAS_SENSE_DATA.is_success());
        assert!(E_IMAPI_RECORDER_LOCKED.is_failure());
        assert_eq!(
            format!("{E_IMAPI_RECORDER_LOCKED}"),
            "E_IMAPI_RECORDER_LOCKED (0xC0AA0210)"
        );
        assert_eq!(format!("{:?}", HResult(0x1234)), "HResult(0x00001234)");
    }

    #[test]
    fn sense_table_order_matters() {
        // (opcode, key, ASC, ASCQ) → HRESULT, first matching row wins.
        type Case = ((u8, u8, u8, u8), HResult);
        let cases: &[Case] = &[
            ((0x2A, 2, 0x04, 8), E_IMAPI_RECORDER_MEDIA_BUSY),
            ((0x2A, 2, 0x04, 2), E_IMAPI_RECORDER_MEDIA_BECOMING_READY),
            ((0x2A, 3, 0x0C, 9), E_IMAPI_LOSS_OF_STREAMING),
            // Loss of streaming on the final flush is tolerated (row 10).
            ((0x35, 3, 0x0C, 9), S_OK),
            ((0x2A, 3, 0x0C, 0), E_IMAPI_UNEXPECTED_RESPONSE_FROM_DEVICE),
            ((0x2A, 5, 0x21, 2), E_IMAPI_UNEXPECTED_RESPONSE_FROM_DEVICE),
            ((0x5A, 5, 0x24, 0), E_IMAPI_RECORDER_NO_SUCH_MODE_PAGE),
            ((0x12, 5, 0x24, 0), E_FAIL),
            ((0x55, 5, 0x26, 2), E_IMAPI_RECORDER_INVALID_MODE_PARAMETERS),
            (
                (0xAD, 5, 0x30, 2),
                E_IMAPI_RECORDER_DVD_STRUCTURE_NOT_PRESENT,
            ),
            ((0x2A, 5, 0x30, 5), E_IMAPI_RECORDER_MEDIA_INCOMPATIBLE),
            ((0x00, 2, 0x3A, 1), E_IMAPI_RECORDER_MEDIA_NO_MEDIA),
            ((0x2A, 7, 0x27, 0), E_IMAPI_RECORDER_MEDIA_WRITE_PROTECTED),
            ((0x54, 3, 0x73, 3), E_IMAPI_RECORDER_MEDIA_SPEED_MISMATCH),
            ((0x00, 6, 0x28, 0), E_IMAPI_RECORDER_MEDIA_BECOMING_READY),
            ((0x2A, 6, 0x29, 0), E_IMAPI_UNEXPECTED_RESPONSE_FROM_DEVICE),
            ((0x2A, 0xB, 0x47, 0), E_FAIL),
        ];
        for &((op, key, asc, ascq), want) in cases {
            let sense = Sense::new(SenseKey::from(key), asc, ascq);
            assert_eq!(
                from_sense(Some(OpCode::from(op)), &sense),
                want,
                "{op:02X} {key:X}/{asc:02X}/{ascq:02X}"
            );
        }
    }
}
