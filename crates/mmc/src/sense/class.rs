//! [`SenseClass`]: what a host does about a CHECK CONDITION.

use super::{Asc, Sense, SenseKey};

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

/// Why an ILLEGAL REQUEST refused a command, by its ASC (SPC-4 Annex D; MMC-6 §F.2):
/// what a host falls back on. The ASCQ is not looked at — drives qualify these codes
/// differently (26/00, 26/01 PARAMETER NOT SUPPORTED, 26/02 …) for the same refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// 20h INVALID COMMAND OPERATION CODE: the drive lacks the command.
    UnknownCommand,
    /// 24h INVALID FIELD IN CDB: the drive lacks an option or value of the command.
    InvalidField,
    /// 26h INVALID FIELD IN PARAMETER LIST: the parameter data (mode page, cue sheet,
    /// format descriptor) is refused.
    InvalidParameter,
    /// 2Ch COMMAND SEQUENCE ERROR: not now, in this state of the drive or medium.
    Sequence,
    /// 21h LOGICAL BLOCK ADDRESS OUT OF RANGE / INVALID ADDRESS FOR WRITE.
    InvalidAddress,
    /// 63h END OF USER AREA ENCOUNTERED ON THIS TRACK: no room left.
    EndOfUserArea,
    /// 30h INCOMPATIBLE MEDIUM INSTALLED / CANNOT READ/WRITE/FORMAT MEDIUM.
    IncompatibleMedium,
    /// Any other ILLEGAL REQUEST.
    Other,
}

impl Sense {
    /// For ILLEGAL REQUEST, why the command was refused ([`Refusal`]); `None` for any
    /// other sense key.
    pub fn refusal(&self) -> Option<Refusal> {
        if self.key != SenseKey::IllegalRequest {
            return None;
        }
        Some(match self.asc {
            0x20 => Refusal::UnknownCommand,
            0x24 => Refusal::InvalidField,
            0x26 => Refusal::InvalidParameter,
            0x2C => Refusal::Sequence,
            0x21 => Refusal::InvalidAddress,
            0x63 => Refusal::EndOfUserArea,
            0x30 => Refusal::IncompatibleMedium,
            _ => Refusal::Other,
        })
    }

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
    use crate::sense::*;

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
    fn refusals_by_asc_whatever_the_ascq() {
        use Refusal as R;
        type Case = ((u8, u8, u8), Option<Refusal>);
        let cases: &[Case] = &[
            ((0x5, 0x20, 0x00), Some(R::UnknownCommand)),
            ((0x5, 0x24, 0x00), Some(R::InvalidField)),
            ((0x5, 0x26, 0x00), Some(R::InvalidParameter)),
            ((0x5, 0x26, 0x02), Some(R::InvalidParameter)),
            ((0x5, 0x2C, 0x00), Some(R::Sequence)),
            ((0x5, 0x21, 0x02), Some(R::InvalidAddress)),
            ((0x5, 0x63, 0x00), Some(R::EndOfUserArea)),
            ((0x5, 0x30, 0x05), Some(R::IncompatibleMedium)),
            ((0x5, 0x1A, 0x00), Some(R::Other)),
            // Only ILLEGAL REQUEST refuses.
            ((0x2, 0x24, 0x00), None),
            ((0x3, 0x30, 0x02), None),
        ];
        for &((k, a, q), want) in cases {
            assert_eq!(Sense::parse(&fixed(k, a, q)).unwrap().refusal(), want);
            assert_eq!(Sense::parse(&descriptor(k, a, q)).unwrap().refusal(), want);
        }
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
}
