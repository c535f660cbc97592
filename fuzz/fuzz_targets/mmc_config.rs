//! Fuzzes every GET CONFIGURATION parser: the CDB, the header, the descriptor walk, the
//! typed features, and a device-side re-emit of whatever parsed.
#![no_main]

#[path = "../common/mmc.rs"]
mod mmc;

use discburn_mmc::config::{
    Configuration, Feature, FeatureDescriptorView, FeatureHeader, Features, GetConfiguration,
};
use discburn_mmc::Command;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mmc::cdb::<GetConfiguration>(data);
    let _ = FeatureHeader::parse(data);
    for v in Features::new(data) {
        assert!(v.is_complete());
        let _ = (
            v.code().name(),
            v.version(),
            v.persistent(),
            v.current(),
            v.payload(),
        );
    }
    let v = FeatureDescriptorView::new(data);
    let _ = (
        v.code(),
        v.additional_length(),
        v.payload(),
        v.is_complete(),
    );
    if let Ok(f) = Feature::parse(data) {
        let mut out = vec![0u8; f.buffer_len()];
        if f.emit(&mut out).is_ok() {
            assert_eq!(Feature::parse(&out), Ok(f));
        }
    }
    if let Ok(c) = Configuration::parse(data) {
        assert!(c.features.len() * 4 <= data.len());
        for rt in 0..3u16 {
            let req = GetConfiguration::parse(&[0x46, rt as u8, 0, 0, 0, 0, 0, 0x10, 0, 0]);
            if let Ok(req) = req {
                let out = c.respond(&req);
                assert!(out.len() <= 0x1000);
                let _ = Configuration::parse(&out);
            }
        }
    }
});
