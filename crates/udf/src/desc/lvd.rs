//! ECMA-167 3/10.6 Logical Volume Descriptor and its partition maps: type 1 (3/10.7.2)
//! and type 2 (3/10.7.3) in the UDF forms — virtual (UDF 2.2.8), sparable (UDF 2.2.9)
//! and metadata (UDF 2.2.10).

use super::tag::descriptor;
use super::types::{
    Charspec, Dstring, EntityId, ExtentAd, LongAd, UDF_METADATA_PARTITION, UDF_SPARABLE_PARTITION,
    UDF_VIRTUAL_PARTITION,
};
use crate::wire::{self, field_at, put_field, record, Error, Result};

record! {
    /// A view of a Type 1 Partition Map (ECMA-167 3/10.7.2).
    view Type1MapView;
    /// ECMA-167 3/10.7.2 Type 1 Partition Map: a partition of this volume set, mapped
    /// one to one (UDF 2.2.4.4 "physical partition").
    repr Type1PartitionMap, 6;
    {
        /// Partition Map Type (BP 0): 1.
        partition_map_type: u8 = 0,
        /// Partition Map Length (BP 1): 6.
        partition_map_length: u8 = 1,
        /// Volume Sequence Number (BP 2).
        volume_sequence_number: u16 = 2,
        /// Partition Number (BP 4): the Partition Descriptor's.
        partition_number: u16 = 4,
    }
}

record! {
    /// A view of a UDF Metadata Partition Map (UDF 2.2.10).
    view MetadataMapView;
    /// UDF 2.2.10 Metadata Partition Map: a type 2 map whose blocks are the blocks of the
    /// metadata file (or its mirror) recorded in the partition `partition_number`.
    repr MetadataPartitionMap, 64;
    {
        /// Partition Map Type (BP 0): 2.
        partition_map_type: u8 = 0,
        /// Partition Map Length (BP 1): 64.
        partition_map_length: u8 = 1,
        /// Partition Type Identifier (BP 4): "*UDF Metadata Partition".
        partition_type_identifier: EntityId = 4,
        /// Volume Sequence Number (BP 36).
        volume_sequence_number: u16 = 36,
        /// Partition Number (BP 38): the physical partition holding the files.
        partition_number: u16 = 38,
        /// Metadata File Location (BP 40): block of the metadata file's FE.
        metadata_file_location: u32 = 40,
        /// Metadata Mirror File Location (BP 44).
        metadata_mirror_file_location: u32 = 44,
        /// Metadata Bitmap File Location (BP 48): 0xFFFFFFFF when none (read-only).
        metadata_bitmap_file_location: u32 = 48,
        /// Allocation Unit Size (BP 52): blocks.
        allocation_unit_size: u32 = 52,
        /// Alignment Unit Size (BP 56): blocks.
        alignment_unit_size: u16 = 56,
        /// Flags (BP 58): bit 0, Duplicate Metadata Flag.
        flags: u8 = 58,
    }
}

record! {
    /// A view of a UDF Sparable Partition Map (UDF 2.2.9).
    view SparableMapView;
    /// UDF 2.2.9 Sparable Partition Map: a partition with sparing tables for defect
    /// management (CD-RW, DVD-RW).
    repr SparablePartitionMap, 64;
    {
        /// Partition Map Type (BP 0): 2.
        partition_map_type: u8 = 0,
        /// Partition Map Length (BP 1): 64.
        partition_map_length: u8 = 1,
        /// Partition Type Identifier (BP 4): "*UDF Sparable Partition".
        partition_type_identifier: EntityId = 4,
        /// Volume Sequence Number (BP 36).
        volume_sequence_number: u16 = 36,
        /// Partition Number (BP 38).
        partition_number: u16 = 38,
        /// Packet Length (BP 40): blocks per packet (32).
        packet_length: u16 = 40,
        /// Number of Sparing Tables (BP 42).
        number_of_sparing_tables: u8 = 42,
        /// Size of each Sparing Table (BP 44): bytes.
        size_of_each_sparing_table: u32 = 44,
        /// Locations of Sparing Tables (BP 48): up to 4 sectors.
        locations_of_sparing_tables: [u8; 16] = 48,
    }
}

record! {
    /// A view of a UDF Virtual Partition Map (UDF 2.2.8).
    view VirtualMapView;
    /// UDF 2.2.8 Virtual Partition Map: a partition addressed through the Virtual
    /// Allocation Table of a write-once medium.
    repr VirtualPartitionMap, 64;
    {
        /// Partition Map Type (BP 0): 2.
        partition_map_type: u8 = 0,
        /// Partition Map Length (BP 1): 64.
        partition_map_length: u8 = 1,
        /// Partition Type Identifier (BP 4): "*UDF Virtual Partition".
        partition_type_identifier: EntityId = 4,
        /// Volume Sequence Number (BP 36).
        volume_sequence_number: u16 = 36,
        /// Partition Number (BP 38).
        partition_number: u16 = 38,
    }
}

/// A partition map of a Logical Volume Descriptor (ECMA-167 3/10.7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartitionMap {
    /// Type 1 (3/10.7.2).
    Type1(Type1PartitionMap),
    /// Type 2, "*UDF Metadata Partition" (UDF 2.2.10).
    Metadata(MetadataPartitionMap),
    /// Type 2, "*UDF Sparable Partition" (UDF 2.2.9).
    Sparable(SparablePartitionMap),
    /// Type 2, "*UDF Virtual Partition" (UDF 2.2.8).
    Virtual(VirtualPartitionMap),
    /// Any other map, kept as recorded (type and length bytes included).
    Unknown(Vec<u8>),
}

impl PartitionMap {
    /// A type 1 map of partition `partition_number` on volume 1.
    pub fn type1(partition_number: u16) -> Self {
        PartitionMap::Type1(Type1PartitionMap {
            partition_map_type: 1,
            partition_map_length: 6,
            volume_sequence_number: 1,
            partition_number,
        })
    }

    /// Reads the map at the start of `buf`: its length byte says how much it takes.
    pub fn parse(buf: &[u8]) -> Result<Self> {
        wire::check_len(buf, 2)?;
        let map_type = buf[0];
        let len = usize::from(buf[1]);
        if len < 2 {
            return Err(Error::Invalid {
                field: "partition map length",
                value: len as u64,
            });
        }
        wire::check_len(buf, len)?;
        let map = &buf[..len];
        let id = field_at::<EntityId>(map, 4);
        Ok(match (map_type, len) {
            (1, 6) => PartitionMap::Type1(Type1PartitionMap::parse(map)?),
            (2, 64) if id.is(UDF_METADATA_PARTITION) => {
                PartitionMap::Metadata(MetadataPartitionMap::parse(map)?)
            }
            (2, 64) if id.is(UDF_SPARABLE_PARTITION) => {
                PartitionMap::Sparable(SparablePartitionMap::parse(map)?)
            }
            (2, 64) if id.is(UDF_VIRTUAL_PARTITION) => {
                PartitionMap::Virtual(VirtualPartitionMap::parse(map)?)
            }
            _ => PartitionMap::Unknown(map.to_vec()),
        })
    }

    /// Bytes of the map.
    pub fn buffer_len(&self) -> usize {
        match self {
            PartitionMap::Type1(_) => 6,
            PartitionMap::Metadata(_) | PartitionMap::Sparable(_) | PartitionMap::Virtual(_) => 64,
            PartitionMap::Unknown(v) => v.len(),
        }
    }

    /// Writes the map at the start of `buf`; returns the bytes written.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        match self {
            PartitionMap::Type1(m) => m.emit(buf),
            PartitionMap::Metadata(m) => m.emit(buf),
            PartitionMap::Sparable(m) => m.emit(buf),
            PartitionMap::Virtual(m) => m.emit(buf),
            PartitionMap::Unknown(v) => {
                wire::check_room(buf, v.len())?;
                buf[..v.len()].copy_from_slice(v);
                Ok(v.len())
            }
        }
    }

    /// The Partition Number the map refers to (that of a Partition Descriptor).
    pub fn partition_number(&self) -> Option<u16> {
        match self {
            PartitionMap::Type1(m) => Some(m.partition_number),
            PartitionMap::Metadata(m) => Some(m.partition_number),
            PartitionMap::Sparable(m) => Some(m.partition_number),
            PartitionMap::Virtual(m) => Some(m.partition_number),
            PartitionMap::Unknown(_) => None,
        }
    }
}

descriptor! {
    /// A view of a Logical Volume Descriptor (ECMA-167 3/10.6).
    view LogicalVolumeView;
    /// ECMA-167 3/10.6 Logical Volume Descriptor (UDF 2.2.4).
    repr LogicalVolumeDescriptor: LogicalVolumeDescriptor, 440;
    {
        /// Volume Descriptor Sequence Number (BP 16).
        volume_descriptor_sequence_number: u32 = 16,
        /// Descriptor Character Set (BP 20).
        descriptor_character_set: Charspec = 20,
        /// Logical Volume Identifier (BP 84).
        logical_volume_identifier: Dstring<128> = 84,
        /// Logical Block Size (BP 212): bytes.
        logical_block_size: u32 = 212,
        /// Domain Identifier (BP 216): "*OSTA UDF Compliant".
        domain_identifier: EntityId = 216,
        /// Logical Volume Contents Use (BP 248): where the File Set Descriptor is
        /// (UDF 2.2.4.4).
        logical_volume_contents_use: LongAd = 248,
        /// Implementation Identifier (BP 272).
        implementation_identifier: EntityId = 272,
        /// Implementation Use (BP 304).
        implementation_use: [u8; 128] = 304,
        /// Integrity Sequence Extent (BP 432): where the LVIDs are.
        integrity_sequence_extent: ExtentAd = 432,
    }
    view_only {
        /// Map Table Length (BP 264): bytes of the partition maps.
        map_table_length: u32 = 264,
        /// Number of Partition Maps (BP 268).
        number_of_partition_maps: u32 = 268,
    }
    tail {
        /// Partition Maps (BP 440).
        partition_maps: Vec<PartitionMap>,
    }
}

impl LogicalVolumeDescriptor {
    fn parse_tail(&mut self, buf: &[u8]) -> Result<()> {
        let table_len = field_at::<u32>(buf, 264) as usize;
        let n = field_at::<u32>(buf, 268) as usize;
        let table = wire::tail(buf, 440);
        wire::check_len(table, table_len)?;
        let table = &table[..table_len];
        // Each map takes at least 2 bytes, which bounds the count by the bytes present.
        if n > table_len / 2 {
            return Err(Error::Invalid {
                field: "number of partition maps",
                value: n as u64,
            });
        }
        let mut at = 0;
        for _ in 0..n {
            let map = PartitionMap::parse(wire::tail(table, at))?;
            at += map.buffer_len();
            self.partition_maps.push(map);
        }
        Ok(())
    }
    fn tail_len(&self) -> usize {
        self.partition_maps
            .iter()
            .map(PartitionMap::buffer_len)
            .sum()
    }
    fn emit_tail(&self, buf: &mut [u8]) -> Result<()> {
        put_field(buf, 264, &(self.tail_len() as u32));
        put_field(buf, 268, &(self.partition_maps.len() as u32));
        let mut at = 440;
        for map in &self.partition_maps {
            at += map.emit(wire::tail_mut(buf, at))?;
        }
        Ok(())
    }
}
