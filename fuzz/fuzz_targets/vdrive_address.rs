//! Arbitrary `virtual:PATH?…` address strings (user input): parsing never panics, and a
//! configuration it accepts stays within the documented bounds.
#![no_main]

use discburn_vdrive::{Fault, SpeedRequest, VirtualDriveConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    for address in [s.to_string(), format!("virtual:{s}")] {
        let Ok(cfg) = VirtualDriveConfig::parse(&address) else {
            continue;
        };
        assert!((64 << 10..=1 << 30).contains(&cfg.buffer));
        if let SpeedRequest::X(x) = cfg.speed {
            assert!(x.is_finite() && x > 0.0);
        }
        for f in &cfg.faults {
            if let Fault::MediumError(r) | Fault::Corrupt(r) = f {
                assert!(r.start() <= r.end());
            }
        }
    }
});
