//! Fuzzes the sense family of discburn-mmc: fixed and descriptor sense data, the
//! descriptor iterator, classification and display. Whatever parses must re-emit in its
//! own format and parse back to the same value.
#![no_main]

#[path = "../common/mmc.rs"]
mod mmc;

use discburn_mmc::sense::{DescriptorSense, FixedSense, Sense};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(s) = mmc::repr::<Sense>(data) {
        // The fixed form always parses; the descriptor form carries every field.
        assert!(Sense::parse(&s.to_fixed_vec()).is_ok());
        let d = Sense::parse(&s.to_descriptor_vec()).expect("descriptor form parses");
        assert_eq!(
            (d.key, d.asc, d.ascq, d.information),
            (s.key, s.asc, s.ascq, s.information)
        );
        let _ = (
            s.classify(),
            s.to_string(),
            s.progress_fraction(),
            s.field_pointer(),
        );
    }
    let f = FixedSense::new_unchecked(data);
    let _ = (
        f.key(),
        f.information(),
        f.command_specific(),
        f.sense_key_specific(),
    );
    let v = DescriptorSense::new_unchecked(data);
    let mut total = 0;
    for d in v.descriptors() {
        total += d.bytes.len();
        let _ = (
            d.information(),
            d.command_specific(),
            d.sense_key_specific(),
            d.fru(),
        );
    }
    assert!(total <= data.len().saturating_sub(8));
});
