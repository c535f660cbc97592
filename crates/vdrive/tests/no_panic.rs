//! Arbitrary CDB bytes and data never panic the drive, and every answer is well formed.

mod common;

use common::*;
use discburn_mmc::sense::Sense;
use discburn_mmc::{DataPhase, Request, Transport};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
    #[test]
    fn arbitrary_commands_never_panic(
        media in prop::sample::select(vec!["cd-r", "cd-rw", "dvd-r", "dvd+r", "dvd+rw", "dvd-ram", "bd-r", "bd-re"]),
        cmds in prop::collection::vec(
            (prop::sample::select(vec![0x00u8, 0x03, 0x04, 0x12, 0x1B, 0x1E, 0x23, 0x25, 0x28, 0x2A, 0x35, 0x43,
                0x46, 0x4A, 0x51, 0x52, 0x53, 0x55, 0x5A, 0x5B, 0x5C, 0xA1, 0xA8, 0xAA, 0xAC, 0xAD, 0xB6, 0xBB, 0x77]),
             prop::collection::vec(any::<u8>(), 5..16),
             0u8..3,
             prop::collection::vec(any::<u8>(), 0..6000)),
            1..12),
    ) {
        let mut h = Host::new(&format!("media={media}&buffer=64KiB"));
        for (op, rest, dir, data) in cmds {
            let mut cdb = vec![op];
            cdb.extend_from_slice(&rest);
            // Keep transfer lengths small so a run stays fast: clamp WRITE/READ lengths.
            if matches!(op, 0x28 | 0x2A) && cdb.len() >= 10 { cdb[7] = 0; cdb[8] &= 0x03; }
            if matches!(op, 0xA8 | 0xAA) && cdb.len() >= 10 { cdb[6] = 0; cdb[7] = 0; cdb[8] = 0; cdb[9] &= 0x03; }
            let mut inbuf = vec![0u8; data.len()];
            let phase = match dir {
                0 => DataPhase::None,
                1 => DataPhase::In(&mut inbuf),
                _ => DataPhase::Out(&data),
            };
            let r = h.d().execute(Request { cdb: &cdb, data: phase, timeout: T });
            if let Ok(c) = r {
                prop_assert!(c.transferred <= data.len());
                if !c.is_good() {
                    prop_assert!(Sense::parse(&c.sense).is_ok());
                }
            }
        }
        // The drive still answers afterwards; once background work is over (and any unit
        // attention reported), TEST UNIT READY is GOOD unless the tray was opened.
        h.sim.advance(std::time::Duration::from_secs(86_400));
        let tur = [0u8; 6];
        let _ = h.raw(&tur, DataPhase::None);
        let c = h.raw(&tur, DataPhase::None);
        prop_assert!(c.is_good() || Sense::parse(&c.sense).map(|s| s.asc == 0x3A).unwrap_or(false), "{:?}", c);
    }
}
