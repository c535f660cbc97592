//! The sense conditions the drive model raises: a key and one of `discburn_mmc::sense`'s
//! named codes (SPC-4 and MMC-6; `spec/mmc.md` "Sense codes a writer meets"), encoded into
//! sense data only at the CDB boundary.

use discburn_mmc::sense::{Asc, Sense, SenseKey};

/// A CHECK CONDITION the model reports: the sense key and one of mmc's named codes
/// ([`Asc`]), plus the optional sense-key-specific progress indication (0..=65535 of
/// 65536) and INFORMATION. Built by key: `Check::illegal(Asc::INVALID_FIELD_IN_CDB)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check {
    /// Sense key.
    pub key: SenseKey,
    /// Additional sense code and qualifier.
    pub code: Asc,
    /// Progress indication for NOT READY conditions of Immed operations.
    pub progress: Option<u16>,
    /// INFORMATION field (the failing LBA of a medium error).
    pub info: Option<u32>,
}

impl Check {
    /// `key` with `code`, nothing else.
    pub const fn new(key: SenseKey, code: Asc) -> Check {
        Check {
            key,
            code,
            progress: None,
            info: None,
        }
    }

    /// NOT READY (2h) with `code`.
    pub const fn not_ready(code: Asc) -> Check {
        Check::new(SenseKey::NotReady, code)
    }

    /// MEDIUM ERROR (3h) with `code`.
    pub const fn medium_error(code: Asc) -> Check {
        Check::new(SenseKey::MediumError, code)
    }

    /// ILLEGAL REQUEST (5h) with `code`.
    pub const fn illegal(code: Asc) -> Check {
        Check::new(SenseKey::IllegalRequest, code)
    }

    /// UNIT ATTENTION (6h) with `code`.
    pub const fn unit_attention(code: Asc) -> Check {
        Check::new(SenseKey::UnitAttention, code)
    }

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

    /// The sense data a drive returns for it (fixed format at the CDB boundary).
    pub fn sense(&self) -> Sense {
        let mut s = Sense::from_code(self.key, self.code);
        if let Some(p) = self.progress {
            s = s.with_progress(f32::from(p) / 65536.0);
        }
        if let Some(i) = self.info {
            s = s.with_information(u64::from(i));
        }
        s
    }
}

/// Result of a model operation: a value, or the CHECK CONDITION a drive would report.
pub type CheckResult<T> = Result<T, Check>;
