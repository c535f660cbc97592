//! Hostile bytes where a UDF descriptor is looked for: every view's accessors and every
//! `Repr::parse` (tags, volume and file structures, partition maps, path components,
//! CS0) answer without panicking; whatever parses re-emits and parses to the same value.
#![no_main]

use discburn_udf::desc::tag::{Descriptor, TagInfo};
use discburn_udf::desc::{self, FileEntry, FileIdentifierDescriptor, LogicalVolumeDescriptor};
use libfuzzer_sys::fuzz_target;

fn round_trip<D: Descriptor + PartialEq + core::fmt::Debug>(data: &[u8]) {
    if let Ok(d) = D::parse(data) {
        let info = TagInfo {
            descriptor_version: 3,
            tag_serial_number: 1,
            tag_location: 0,
        };
        if let Ok(bytes) = d.to_bytes(info) {
            assert_eq!(D::parse(&bytes).as_ref(), Ok(&d));
        }
    }
}

fuzz_target!(|data: &[u8]| {
    desc::parse_all(data);
    round_trip::<FileEntry>(data);
    round_trip::<FileIdentifierDescriptor>(data);
    round_trip::<LogicalVolumeDescriptor>(data);
});
