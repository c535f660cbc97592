//! Hostile sysfs attribute contents (huge numbers, signs, non-UTF-8, padding) for the
//! drive discovery: the queue limits stay usable (a power-of-two alignment no larger
//! than the cap, a non-zero transfer size that fits SG_IO's u32) and text attributes
//! never panic.
#![no_main]

use discburn_sg::discover::{
    attribute_text, limits_from_attributes, sectors_attribute, MAX_ALIGNMENT,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == 0xFF);
    let mut next = || parts.next().filter(|p| p.first() != Some(&0xFE));
    let (hw, soft, dma) = (next(), next(), next());
    let l = limits_from_attributes(hw, soft, dma);
    assert!(l.alignment.is_power_of_two() && l.alignment <= MAX_ALIGNMENT);
    assert!(l.max_transfer > 0 && u32::try_from(l.max_transfer).is_ok());
    let _ = attribute_text(data);
    let _ = sectors_attribute(data).map(|s| s.saturating_mul(512));
});
