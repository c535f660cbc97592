//! Sysfs attribute contents are input like any other: whatever bytes they hold, the
//! parsed limits stay usable and nothing panics.

use discburn_sg::discover::{
    attribute_text, limits_from_attributes, sectors_attribute, FALLBACK_LIMITS, MAX_ALIGNMENT,
    MAX_TRANSFER,
};
use proptest::prelude::*;

/// Attribute contents: arbitrary bytes, or numbers of any size with sysfs padding.
fn attribute() -> impl Strategy<Value = Option<Vec<u8>>> {
    prop::option::of(prop_oneof![
        prop::collection::vec(any::<u8>(), 0..40),
        any::<u64>().prop_map(|n| format!("{n}\n").into_bytes()),
        (0u64..1 << 20).prop_map(|n| format!("  {n}\n").into_bytes()),
        any::<i64>().prop_map(|n| n.to_string().into_bytes()),
    ])
}

proptest! {
    #[test]
    fn limits_are_always_usable(hw in attribute(), soft in attribute(), dma in attribute()) {
        let l = limits_from_attributes(hw.as_deref(), soft.as_deref(), dma.as_deref());
        prop_assert!(l.alignment.is_power_of_two());
        prop_assert!(l.alignment <= MAX_ALIGNMENT);
        prop_assert!(l.max_transfer > 0 && l.max_transfer <= MAX_TRANSFER);
        prop_assert!(u32::try_from(l.max_transfer).is_ok());
        prop_assert_eq!(l.max_in_flight, 1);
    }

    #[test]
    fn small_values_are_taken_as_they_are(hw in 1u64..65536, soft in 1u64..65536, mask in 0u64..4096) {
        let l = limits_from_attributes(
            Some(format!("{hw}\n").as_bytes()),
            Some(format!("{soft}\n").as_bytes()),
            Some(format!("{mask}\n").as_bytes()),
        );
        prop_assert_eq!(l.max_transfer as u64, hw.min(soft) * 1024);
        prop_assert_eq!(l.alignment as u64, (mask + 1).next_power_of_two());
    }

    #[test]
    fn text_and_size_never_panic(raw in prop::collection::vec(any::<u8>(), 0..64)) {
        let t = attribute_text(&raw);
        prop_assert_eq!(t.trim(), t.as_str());
        let _ = sectors_attribute(&raw);
    }
}

#[test]
fn absent_attributes_fall_back() {
    assert_eq!(limits_from_attributes(None, None, None), FALLBACK_LIMITS);
}
