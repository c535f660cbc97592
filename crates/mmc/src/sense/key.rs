//! The sense key (SPC-4 §4.5.6, Table 49).

crate::wire_enum! {
    /// The sense key (SPC-4 §4.5.6, Table 49): a 4-bit field, so every value is named.
    pub enum SenseKey: u8 & 0x0F exhaustive {
        /// 0h: no specific sense key information (also used to report progress).
        NoSense = 0x0 => "NO SENSE",
        /// 1h: the command completed after recovery action.
        RecoveredError = 0x1 => "RECOVERED ERROR",
        /// 2h: the logical unit is not accessible (no medium, becoming ready, busy).
        NotReady = 0x2 => "NOT READY",
        /// 3h: a non-recovered error caused by a flaw in the medium or recorded data.
        MediumError = 0x3 => "MEDIUM ERROR",
        /// 4h: a non-recoverable hardware failure.
        HardwareError = 0x4 => "HARDWARE ERROR",
        /// 5h: the command or its parameters were invalid; nothing was done.
        IllegalRequest = 0x5 => "ILLEGAL REQUEST",
        /// 6h: a unit attention condition (medium changed, reset, parameters changed).
        UnitAttention = 0x6 => "UNIT ATTENTION",
        /// 7h: the medium is protected against the attempted access.
        DataProtect = 0x7 => "DATA PROTECT",
        /// 8h: a blank or non-blank medium was met where the other was required.
        BlankCheck = 0x8 => "BLANK CHECK",
        /// 9h: vendor specific.
        VendorSpecific = 0x9 => "VENDOR SPECIFIC",
        /// Ah: an EXTENDED COPY command was aborted.
        CopyAborted = 0xA => "COPY ABORTED",
        /// Bh: the device aborted the command; the host may retry.
        AbortedCommand = 0xB => "ABORTED COMMAND",
        /// Ch: obsolete (EQUAL in SCSI-2), reserved in SPC-4.
        Equal = 0xC => "EQUAL",
        /// Dh: a buffered device reached the end of partition with data left.
        VolumeOverflow = 0xD => "VOLUME OVERFLOW",
        /// Eh: source data did not match the medium (VERIFY with BYTCHK).
        Miscompare = 0xE => "MISCOMPARE",
        /// Fh: the command completed with information to report (SPC-5).
        Completed = 0xF => "COMPLETED",
    }
}

impl SenseKey {
    /// All sixteen keys, indexed by value.
    pub const ALL: [SenseKey; 16] = {
        let mut all = [SenseKey::NoSense; 16];
        let mut i = 0;
        while i < 16 {
            all[i] = SenseKey::KNOWN[i];
            i += 1;
        }
        all
    };
}

impl core::fmt::Display for SenseKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sense_keys() {
        for v in 0..=15u8 {
            assert_eq!(u8::from(SenseKey::from(v)), v);
        }
        assert_eq!(SenseKey::from(0xF2), SenseKey::NotReady);
        assert_eq!(SenseKey::IllegalRequest.name(), "ILLEGAL REQUEST");
        assert_eq!(SenseKey::AbortedCommand.to_string(), "ABORTED COMMAND");
        for (i, k) in SenseKey::ALL.iter().enumerate() {
            assert_eq!(usize::from(u8::from(*k)), i, "{k:?}");
        }
    }
}
