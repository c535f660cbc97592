//! Hostile sectors where an ISO 9660 volume descriptor is looked for (sector 16 of an
//! image, a stream or a disc): every accessor of the view answers without panicking,
//! and setting the volume space size writes exactly its both-endian field.
#![no_main]

use discburn::iso::VolumeDescriptor;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let d = VolumeDescriptor::new(data);
    let _ = (d.is_descriptor(), d.kind(), d.is_primary(), d.volume_id());
    let _ = (d.volume_space_size(), d.logical_block_size());
    let _ = (d.root_extent(), d.root_length());
    let mut copy = data.to_vec();
    VolumeDescriptor::new(&mut copy[..]).set_volume_space_size(0x0102_0304);
    if copy.len() >= 88 {
        assert_eq!(
            VolumeDescriptor::new(&copy[..]).volume_space_size(),
            Some(0x0102_0304)
        );
        assert_eq!(&copy[..80], &data[..80]);
        assert_eq!(&copy[88..], &data[88..]);
    } else {
        assert_eq!(copy, data);
    }
});
