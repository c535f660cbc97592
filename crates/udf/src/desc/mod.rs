//! Typed views and `Repr`s for every descriptor UDF records, one module per family.
//!
//! Each descriptor is a view `FooView<T: AsRef<[u8]>>` whose accessors read the fields
//! in place and never panic (bytes past the end read as zero), and an owned `Foo` with
//! `parse` (length, tag identifier, tag checksum, descriptor CRC and every recorded
//! length checked) and `emit` (tag checksum and CRC set). Field names are the
//! standard's.

pub mod file;
pub mod lvd;
pub mod tag;
pub mod types;
pub mod volume;
pub mod vrs;

pub use file::{
    AllocationDescriptors, AllocationExtentDescriptor, AllocationForm, ComponentType,
    ExtendedFileEntry, FileEntry, FileIdentifierDescriptor, FileSetDescriptor, FileType, IcbTag,
    PathComponent,
};
pub use lvd::{
    LogicalVolumeDescriptor, MetadataPartitionMap, PartitionMap, SparablePartitionMap,
    Type1PartitionMap, VirtualPartitionMap,
};
pub use tag::{Descriptor, TagIdentifier, TagInfo};
pub use types::{
    Charspec, Dstring, EntityId, ExtentAd, ExtentType, LbAddr, LongAd, ShortAd, Timestamp, UnixTime,
};
pub use volume::{
    AccessType, AnchorVolumeDescriptorPointer, ImplementationUseVolumeDescriptor, IntegrityType,
    LogicalVolumeIntegrityDescriptor, LvInfo, LvidImplementationUse, PartitionDescriptor,
    PrimaryVolumeDescriptor, TerminatingDescriptor, UnallocatedSpaceDescriptor,
};
pub use vrs::VolumeStructureDescriptor;

/// Parses `buf` as every descriptor and partition map of this module, discarding the
/// results: what the fuzz target and the never-panic property test drive.
pub fn parse_all(buf: &[u8]) {
    let _ = tag::TagRepr::parse(buf);
    let _ = AnchorVolumeDescriptorPointer::parse(buf);
    let _ = PrimaryVolumeDescriptor::parse(buf);
    let _ = ImplementationUseVolumeDescriptor::parse(buf);
    let _ = PartitionDescriptor::parse(buf);
    let _ = LogicalVolumeDescriptor::parse(buf);
    let _ = UnallocatedSpaceDescriptor::parse(buf);
    let _ = TerminatingDescriptor::parse(buf);
    let lvid = LogicalVolumeIntegrityDescriptor::parse(buf);
    if let Ok(l) = lvid {
        let _ = l.udf_implementation_use();
    }
    let _ = FileSetDescriptor::parse(buf);
    if let Ok(fe) = FileEntry::parse(buf) {
        let _ = fe.allocation_descriptors();
    }
    if let Ok(efe) = ExtendedFileEntry::parse(buf) {
        let _ = efe.allocation_descriptors();
    }
    let _ = AllocationExtentDescriptor::parse(buf);
    let _ = FileIdentifierDescriptor::parse(buf);
    let _ = VolumeStructureDescriptor::parse(buf);
    let _ = PartitionMap::parse(buf);
    if let Ok(p) = PathComponent::parse_all(buf) {
        let _ = PathComponent::to_target(&p);
    }
    let _ = crate::cs0::decode(buf);
    for form in 0..4u16 {
        let _ = AllocationDescriptors::parse(AllocationForm::from(form), buf);
    }
    // Every view's accessors on the raw bytes.
    let _ = (
        volume::PrimaryVolumeView::new_unchecked(buf).volume_identifier(),
        lvd::LogicalVolumeView::new_unchecked(buf).map_table_length(),
        file::FileEntryView::new_unchecked(buf).length_of_allocation_descriptors(),
        file::FileIdentifierView::new_unchecked(buf).length_of_file_identifier(),
        file::ExtendedFileEntryView::new_unchecked(buf).unique_id(),
        volume::LogicalVolumeIntegrityView::new_unchecked(buf).number_of_partitions(),
        tag::Tag::new_unchecked(buf).verify(),
    );
}

#[cfg(test)]
mod tests {
    use super::tag::{seal, Descriptor, TagInfo};
    use super::*;
    use crate::wire::put_field;
    use proptest::prelude::*;

    const INFO: TagInfo = TagInfo {
        descriptor_version: 3,
        tag_serial_number: 1,
        tag_location: 257,
    };

    /// Seals `bytes` as a `D`, parses it, emits it and parses again: the two `Repr`s
    /// are equal, and the emitted tag carries the location.
    fn round_trip<D: Descriptor + PartialEq + core::fmt::Debug>(mut bytes: Vec<u8>) {
        seal(&mut bytes, D::TAG_IDENTIFIER, INFO).unwrap();
        let a = D::parse(&bytes).unwrap();
        let out = a.to_bytes(INFO).unwrap();
        assert_eq!(out.len(), a.buffer_len());
        let b = D::parse(&out).unwrap();
        assert_eq!(a, b);
        assert_eq!(tag::Tag::new_unchecked(&out[..]).tag_location(), 257);
    }

    fn with_lengths(mut body: Vec<u8>, fields: &[(usize, u32)]) -> Vec<u8> {
        for &(at, v) in fields {
            put_field(&mut body, at, &v);
        }
        body
    }

    proptest! {
        #[test]
        fn fixed_descriptors_round_trip(body in proptest::collection::vec(any::<u8>(), 512)) {
            round_trip::<AnchorVolumeDescriptorPointer>(body.clone());
            round_trip::<PrimaryVolumeDescriptor>(body.clone());
            round_trip::<ImplementationUseVolumeDescriptor>(body.clone());
            round_trip::<PartitionDescriptor>(body.clone());
            round_trip::<TerminatingDescriptor>(body.clone());
            round_trip::<FileSetDescriptor>(body);
        }

        #[test]
        fn variable_descriptors_round_trip(
            body in proptest::collection::vec(any::<u8>(), 2048),
            a in 0usize..200,
            b in 0usize..200,
        ) {
            round_trip::<FileEntry>(with_lengths(
                body[..176 + a + b].to_vec(), &[(168, a as u32), (172, b as u32)]));
            round_trip::<ExtendedFileEntry>(with_lengths(
                body[..216 + a + b].to_vec(), &[(208, a as u32), (212, b as u32)]));
            round_trip::<AllocationExtentDescriptor>(with_lengths(
                body[..24 + a].to_vec(), &[(20, a as u32)]));
            round_trip::<UnallocatedSpaceDescriptor>(with_lengths(
                body[..24 + 8 * (a / 8)].to_vec(), &[(20, (a / 8) as u32)]));
            let n = a / 20;
            let mut lvid = with_lengths(body[..80 + 8 * n + b].to_vec(),
                &[(72, n as u32), (76, b as u32)]);
            round_trip::<LogicalVolumeIntegrityDescriptor>(lvid.clone());
            lvid.truncate(80 + 8 * n + b.saturating_sub(1));
            seal(&mut lvid, tag::TagIdentifier::LogicalVolumeIntegrityDescriptor, INFO).unwrap();
            prop_assert!(LogicalVolumeIntegrityDescriptor::parse(&lvid).is_err() || b == 0);
            let (fi, iu) = (a.min(255), b % 40);
            let fid = with_lengths(
                body[..FileIdentifierDescriptor::padded_len(iu, fi)].to_vec(),
                &[(36, iu as u32)],
            );
            let mut fid = fid;
            fid[19] = fi as u8;
            round_trip::<FileIdentifierDescriptor>(fid);
        }

        #[test]
        fn logical_volume_descriptor_round_trips(
            body in proptest::collection::vec(any::<u8>(), 440),
            loc in any::<u32>(),
            n in 0u16..4,
        ) {
            let mut maps = vec![PartitionMap::type1(n)];
            let mut meta = lvd::MetadataPartitionMap::parse(&[0u8; 64]).unwrap();
            meta.partition_map_type = 2;
            meta.partition_map_length = 64;
            meta.partition_type_identifier =
                EntityId::udf(types::UDF_METADATA_PARTITION, 0x0250);
            meta.metadata_file_location = loc;
            maps.push(PartitionMap::Metadata(meta));
            let mut sp = lvd::SparablePartitionMap::parse(&[0u8; 64]).unwrap();
            sp.partition_map_type = 2;
            sp.partition_map_length = 64;
            sp.partition_type_identifier =
                EntityId::udf(types::UDF_SPARABLE_PARTITION, 0x0150);
            maps.push(PartitionMap::Sparable(sp));
            let mut v = lvd::VirtualPartitionMap::parse(&[0u8; 64]).unwrap();
            v.partition_map_type = 2;
            v.partition_map_length = 64;
            v.partition_type_identifier = EntityId::udf(types::UDF_VIRTUAL_PARTITION, 0x0150);
            maps.push(PartitionMap::Virtual(v));
            maps.push(PartitionMap::Unknown(vec![3, 4, 9, 9]));
            let mut a = LogicalVolumeDescriptor::parse(&{
                let mut b = body.clone();
                put_field(&mut b, 264, &0u32);
                put_field(&mut b, 268, &0u32);
                seal(&mut b, tag::TagIdentifier::LogicalVolumeDescriptor, INFO).unwrap();
                b
            }).unwrap();
            a.partition_maps = maps;
            let out = a.to_bytes(INFO).unwrap();
            prop_assert_eq!(LogicalVolumeDescriptor::parse(&out).unwrap(), a);
        }

        #[test]
        fn parsing_arbitrary_bytes_never_panics(
            mut body in proptest::collection::vec(any::<u8>(), 0..2100),
            id in any::<u16>(),
        ) {
            parse_all(&body);
            if body.len() >= 16 {
                let _ = seal(&mut body, TagIdentifier::from(id), INFO);
                parse_all(&body);
            }
        }

        #[test]
        fn cs0_round_trips(s in "\\PC{0,40}") {
            prop_assert_eq!(crate::cs0::decode(&crate::cs0::encode(&s)), s);
        }
    }

    #[test]
    fn symlink_targets_round_trip() {
        for t in ["/usr/bin/env", "../a/./b", "x", "/"] {
            let c = PathComponent::from_target(t.as_bytes());
            let bytes = PathComponent::emit_all(&c).unwrap();
            let back = PathComponent::parse_all(&bytes).unwrap();
            assert_eq!(PathComponent::to_target(&back), t);
        }
    }
}
