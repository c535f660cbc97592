//! Block reads and writes: READ(10), READ(12), WRITE(10), WRITE(12), SYNCHRONIZE CACHE(10),
//! READ CAPACITY(10) with its 8-byte data, and SEND OPC INFORMATION, the laser power
//! calibration before a write (MMC-6 §6.15, §6.16, §6.19, §6.36, §6.41, §6.44, §6.45).
//!
//! Each CDB is a [`Command`] declared with [`command!`]: `emit` builds it, `parse` reads
//! it back and checks opcode and length. Reserved bits are ignored on parse, as SPC-4's
//! definition of "reserved" allows (recipients need not check them); emit writes them as
//! zero.
//!
//! [`Command`]: crate::Command
//! [`command!`]: crate::command

crate::command! {
    /// MMC-6 §6.15 READ (10): read `blocks` logical blocks starting at `lba`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct Read10: OpCode::Read10, 10 bytes;

    /// MMC-6 §6.44 WRITE (10): write `blocks` logical blocks starting at `lba`.
    ///
    /// On sequential media `lba` must be the track's next writable address, or the drive
    /// answers 5/21/02 (invalid address for write).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct Write10: OpCode::Write10, 10 bytes;
    {
        /// Logical block address of the first block (bytes 2–5).
        pub lba: u32 = be32(2),
        /// Transfer length in blocks (bytes 7–8); 0 transfers nothing.
        pub blocks: u16 = be16(7),
        /// DPO: do not keep the data in the drive's cache (byte 1 bit 4).
        pub dpo: bool = bit(1, 4),
        /// FUA (byte 1 bit 3): a READ reads from the medium, not from the cache; a WRITE
        /// completes only once the data is on the medium.
        pub fua: bool = bit(1, 3),
    }
}

crate::command! {
    /// MMC-6 §6.16 READ (12): like READ(10) with a 32-bit length and the Streaming bit.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct Read12: OpCode::Read12, 12 bytes;

    /// MMC-6 §6.45 WRITE (12): a 32-bit length and the Streaming bit (byte 10 bit 7).
    ///
    /// With Streaming set the drive skips defect management (BD-R/BD-RE, DVD-RAM), which
    /// roughly doubles the write rate; keep it constant across one sequential run.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct Write12: OpCode::Write12, 12 bytes;
    {
        /// Logical block address of the first block (bytes 2–5).
        pub lba: u32 = be32(2),
        /// Transfer length in blocks (bytes 6–9).
        pub blocks: u32 = be32(6),
        /// DPO (byte 1 bit 4).
        pub dpo: bool = bit(1, 4),
        /// FUA (byte 1 bit 3).
        pub fua: bool = bit(1, 3),
        /// Streaming (byte 10 bit 7): favour a steady rate over error recovery.
        pub streaming: bool = bit(10, 7),
    }
}

crate::command! {
    /// MMC-6 §6.41 SYNCHRONIZE CACHE (10): flush the drive's write buffer to the medium.
    ///
    /// MMC drives flush the whole cache whatever `lba`/`blocks` say (SBC semantics: a
    /// `blocks` of 0 means "to the end"); both are kept so a parsed CDB round-trips.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct SynchronizeCache10: OpCode::SynchronizeCache10, 10 bytes;
    {
        /// Immed (byte 1 bit 1): return at once; poll TEST UNIT READY for completion.
        pub immed: bool = bit(1, 1),
        /// Logical block address (bytes 2–5).
        pub lba: u32 = be32(2),
        /// Number of blocks (bytes 7–8).
        pub blocks: u16 = be16(7),
    }
}

crate::command! {
    /// MMC-6 §6.36 SEND OPC INFORMATION: with DoOPC the drive calibrates its write power
    /// on the medium now (growisofs calls it PERFORM OPC and sends it when READ DISC
    /// INFORMATION lists no OPC table); without, the parameter list carries OPC values.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct SendOpcInformation: OpCode::SendOpcInformation, 10 bytes;
    {
        /// DoOPC (byte 1 bit 0): perform the calibration.
        pub do_opc: bool = bit(1, 0),
        /// Exclude0 (byte 2 bit 0) and Exclude1 (bit 1): layers the calibration skips.
        pub exclude: u8 = bits(2, 0x03 << 0),
        /// Parameter List Length (bytes 7–8): 0 with DoOPC.
        pub parameter_length: u16 = be16(7),
    }
}

crate::command! {
    /// MMC-6 §6.19 READ CAPACITY (10). The LBA and PMI fields of SBC are obsolete in MMC,
    /// so the command has no parameters; the reply is [`ReadCapacityData`].
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct ReadCapacity10: OpCode::ReadCapacity10, 10 bytes;
    {}
}

crate::record! {
    /// READ CAPACITY (10) data (MMC-6 §6.19): the last readable LBA and the block length.
    ///
    /// Some targets report the highest LBA ever touched (tgt); a writer should size media
    /// from disc and track information instead.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct ReadCapacityData, at least ReadCapacityData::LEN, emits ReadCapacityData::LEN;
    /// A view over READ CAPACITY (10) data (MMC-6 §6.19); accessors never panic
    /// (bytes past the end read as 0).
    view ReadCapacityDataView;
    {
        /// The last logical block address (bytes 0–3).
        pub last_lba: u32 = be32(0),
        /// The logical block length in bytes (bytes 4–7; 2048 for MMC data).
        pub block_length: u32 = be32(4),
    }
}

impl ReadCapacityData {
    /// Size of the data in bytes.
    pub const LEN: usize = 8;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire;
    use crate::Command;
    use proptest::prelude::*;

    use crate::cdb::testing::round_trip;

    #[test]
    fn read10_bytes() {
        let c = Read10 {
            lba: 0x0001_E240,
            blocks: 32,
            dpo: false,
            fua: true,
        };
        let raw = [0x28, 0x08, 0x00, 0x01, 0xE2, 0x40, 0x00, 0x00, 0x20, 0x00];
        assert_eq!(c.emit().as_bytes(), &raw);
        assert_eq!(Read10::parse(&raw).unwrap(), c);
        let dpo = [0x28, 0x10, 0, 0, 0, 1, 0, 0, 1, 0];
        assert_eq!(
            Read10::parse(&dpo).unwrap(),
            Read10 {
                lba: 1,
                blocks: 1,
                dpo: true,
                fua: false
            }
        );
    }

    #[test]
    fn read12_bytes() {
        let c = Read12 {
            lba: 0x1234_5678,
            blocks: 0x0001_0000,
            dpo: false,
            fua: false,
            streaming: true,
        };
        let raw = [
            0xA8, 0x00, 0x12, 0x34, 0x56, 0x78, 0x00, 0x01, 0x00, 0x00, 0x80, 0x00,
        ];
        assert_eq!(c.emit().as_bytes(), &raw);
        assert_eq!(Read12::parse(&raw).unwrap(), c);
    }

    #[test]
    fn write10_bytes() {
        let c = Write10 {
            lba: 16,
            blocks: 16,
            dpo: false,
            fua: false,
        };
        let raw = [0x2A, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x10, 0x00];
        assert_eq!(c.emit().as_bytes(), &raw);
        assert_eq!(Write10::parse(&raw).unwrap(), c);
        let fua = Write10 { fua: true, ..c };
        assert_eq!(fua.emit().as_bytes()[1], 0x08);
        // Reserved bits (RelAdr, group number) are ignored, not rejected.
        let reserved = [0x2A, 0x01, 0, 0, 0, 0x10, 0x1F, 0, 0x10, 0];
        assert_eq!(Write10::parse(&reserved).unwrap(), c);
    }

    #[test]
    fn write12_streaming_is_byte10_bit7() {
        let c = Write12 {
            lba: 0x00BA_ADF0,
            blocks: 32,
            dpo: false,
            fua: true,
            streaming: true,
        };
        let raw = [
            0xAA, 0x08, 0x00, 0xBA, 0xAD, 0xF0, 0x00, 0x00, 0x00, 0x20, 0x80, 0x00,
        ];
        assert_eq!(c.emit().as_bytes(), &raw);
        assert_eq!(Write12::parse(&raw).unwrap(), c);
        let plain = [0xAA, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0];
        assert!(!Write12::parse(&plain).unwrap().streaming);
    }

    #[test]
    fn send_opc_information_bytes() {
        // growisofs' PERFORM OPC: 54h with DoOPC, nothing else.
        let raw = [0x54, 0x01, 0, 0, 0, 0, 0, 0, 0, 0];
        let c = SendOpcInformation::parse(&raw).unwrap();
        assert!(c.do_opc && c.exclude == 0 && c.parameter_length == 0);
        assert_eq!(c.emit().as_bytes(), &raw);
        assert!(SendOpcInformation::parse(&raw[..9]).is_err());
    }

    #[test]
    fn synchronize_cache_bytes() {
        let c = SynchronizeCache10 {
            immed: true,
            lba: 0,
            blocks: 0,
        };
        let raw = [0x35, 0x02, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(c.emit().as_bytes(), &raw);
        assert_eq!(SynchronizeCache10::parse(&raw).unwrap(), c);
        let ranged = [0x35, 0x00, 0, 0, 1, 0, 0, 0, 8, 0];
        assert_eq!(
            SynchronizeCache10::parse(&ranged).unwrap(),
            SynchronizeCache10 {
                immed: false,
                lba: 256,
                blocks: 8
            }
        );
    }

    #[test]
    fn read_capacity_bytes() {
        assert_eq!(
            ReadCapacity10.emit().as_bytes(),
            &[0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            ReadCapacity10::parse(&[0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0]).unwrap(),
            ReadCapacity10
        );
        // DVD±R SL: 2,295,104 blocks of 2048 bytes.
        let raw = [0x00, 0x23, 0x05, 0x3F, 0x00, 0x00, 0x08, 0x00];
        let d = ReadCapacityData::parse(&raw).unwrap();
        assert_eq!(
            d,
            ReadCapacityData {
                last_lba: 2_295_103,
                block_length: 2048
            }
        );
        let mut out = [0xFFu8; 8];
        assert_eq!(d.emit(&mut out), Ok(8));
        assert_eq!(out, raw);
        assert!(matches!(
            ReadCapacityData::parse(&raw[..7]),
            Err(wire::Error::Truncated { .. })
        ));
        assert!(matches!(
            d.emit(&mut [0; 7]),
            Err(wire::Error::BufferTooSmall { .. })
        ));
    }

    #[test]
    fn wrong_opcode_or_short_cdb_is_rejected() {
        let w = Write10::default().emit();
        assert!(Read10::parse(w.as_bytes()).is_err());
        assert!(Write10::parse(&w.as_bytes()[..9]).is_err());
        assert!(Write12::parse(&[0xAA; 10]).is_err());
        assert!(ReadCapacity10::parse(&[0x28, 0, 0, 0, 0, 0, 0, 0, 0, 0]).is_err());
        assert!(SynchronizeCache10::parse(&[]).is_err());
    }

    proptest! {
        #[test]
        fn read10_round_trip(lba: u32, blocks: u16, dpo: bool, fua: bool) {
            round_trip(Read10 { lba, blocks, dpo, fua });
        }

        #[test]
        fn read12_round_trip(lba: u32, blocks: u32, dpo: bool, fua: bool, streaming: bool) {
            round_trip(Read12 { lba, blocks, dpo, fua, streaming });
        }

        #[test]
        fn write10_round_trip(lba: u32, blocks: u16, dpo: bool, fua: bool) {
            round_trip(Write10 { lba, blocks, dpo, fua });
        }

        #[test]
        fn write12_round_trip(lba: u32, blocks: u32, dpo: bool, fua: bool, streaming: bool) {
            round_trip(Write12 { lba, blocks, dpo, fua, streaming });
        }

        #[test]
        fn sync_cache_round_trip(immed: bool, lba: u32, blocks: u16) {
            round_trip(SynchronizeCache10 { immed, lba, blocks });
        }

        #[test]
        fn read_capacity_round_trip(last_lba: u32, block_length: u32) {
            round_trip(ReadCapacity10);
            let d = ReadCapacityData { last_lba, block_length };
            let mut buf = vec![0u8; d.buffer_len()];
            prop_assert_eq!(d.emit(&mut buf), Ok(d.buffer_len()));
            prop_assert_eq!(ReadCapacityData::parse(&buf), Ok(d));
        }

        #[test]
        fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            crate::cdb::testing::parse_each!(&bytes => Read10, Read12, Write10, Write12,
                SynchronizeCache10, ReadCapacity10, ReadCapacityData, SendOpcInformation);
            let v = ReadCapacityDataView::new_unchecked(&bytes[..]);
            let _ = (v.last_lba(), v.block_length());
        }
    }
}
