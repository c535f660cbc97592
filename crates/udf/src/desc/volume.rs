//! Volume structures (ECMA-167 part 3): Anchor Volume Descriptor Pointer (3/10.2),
//! Primary Volume Descriptor (3/10.1), Implementation Use Volume Descriptor with the
//! UDF LVInfo (3/10.4, UDF 2.2.7), Partition Descriptor (3/10.5), Unallocated Space
//! Descriptor (3/10.8), Terminating Descriptor (3/10.9) and Logical Volume Integrity
//! Descriptor with its UDF implementation use (3/10.10, UDF 2.2.6).

use super::tag::descriptor;
use super::types::{Charspec, Dstring, EntityId, ExtentAd, Timestamp};
use crate::wire::{self, field_at, put_field, record, Error, Field, Result};

descriptor! {
    /// A view of an Anchor Volume Descriptor Pointer (ECMA-167 3/10.2).
    view AnchorView;
    /// ECMA-167 3/10.2 Anchor Volume Descriptor Pointer (UDF 2.2.3): where the main and
    /// reserve Volume Descriptor Sequences are.
    repr AnchorVolumeDescriptorPointer: AnchorVolumeDescriptorPointer, 512;
    {
        /// Main Volume Descriptor Sequence Extent (BP 16).
        main_volume_descriptor_sequence_extent: ExtentAd = 16,
        /// Reserve Volume Descriptor Sequence Extent (BP 24).
        reserve_volume_descriptor_sequence_extent: ExtentAd = 24,
    }
}

descriptor! {
    /// A view of a Primary Volume Descriptor (ECMA-167 3/10.1).
    view PrimaryVolumeView;
    /// ECMA-167 3/10.1 Primary Volume Descriptor (UDF 2.2.2).
    repr PrimaryVolumeDescriptor: PrimaryVolumeDescriptor, 512;
    {
        /// Volume Descriptor Sequence Number (BP 16).
        volume_descriptor_sequence_number: u32 = 16,
        /// Primary Volume Descriptor Number (BP 20).
        primary_volume_descriptor_number: u32 = 20,
        /// Volume Identifier (BP 24).
        volume_identifier: Dstring<32> = 24,
        /// Volume Sequence Number (BP 56).
        volume_sequence_number: u16 = 56,
        /// Maximum Volume Sequence Number (BP 58).
        maximum_volume_sequence_number: u16 = 58,
        /// Interchange Level (BP 60): 2 for a single volume, 3 for a volume set.
        interchange_level: u16 = 60,
        /// Maximum Interchange Level (BP 62).
        maximum_interchange_level: u16 = 62,
        /// Character Set List (BP 64): bit 0, CS0.
        character_set_list: u32 = 64,
        /// Maximum Character Set List (BP 68).
        maximum_character_set_list: u32 = 68,
        /// Volume Set Identifier (BP 72; UDF 2.2.2.5: starts with 16 hex digits).
        volume_set_identifier: Dstring<128> = 72,
        /// Descriptor Character Set (BP 200).
        descriptor_character_set: Charspec = 200,
        /// Explanatory Character Set (BP 264).
        explanatory_character_set: Charspec = 264,
        /// Volume Abstract (BP 328).
        volume_abstract: ExtentAd = 328,
        /// Volume Copyright Notice (BP 336).
        volume_copyright_notice: ExtentAd = 336,
        /// Application Identifier (BP 344).
        application_identifier: EntityId = 344,
        /// Recording Date and Time (BP 376).
        recording_date_and_time: Timestamp = 376,
        /// Implementation Identifier (BP 388).
        implementation_identifier: EntityId = 388,
        /// Implementation Use (BP 420).
        implementation_use: [u8; 64] = 420,
        /// Predecessor Volume Descriptor Sequence Location (BP 484).
        predecessor_volume_descriptor_sequence_location: u32 = 484,
        /// Flags (BP 488): bit 0, the volume set identification is common.
        flags: u16 = 488,
    }
}

record! {
    /// A view of the UDF LVInfo, the implementation use of the "*UDF LV Info" IUVD.
    view LvInfoView;
    /// UDF 2.2.7.2 LVInformation: who made the logical volume.
    repr LvInfo, 460;
    {
        /// LVICharset (BP 0).
        lvi_charset: Charspec = 0,
        /// LogicalVolumeIdentifier (BP 64).
        logical_volume_identifier: Dstring<128> = 64,
        /// LVInfo1 (BP 192): owner name.
        lv_info1: Dstring<36> = 192,
        /// LVInfo2 (BP 228): organization name.
        lv_info2: Dstring<36> = 228,
        /// LVInfo3 (BP 264): contact information.
        lv_info3: Dstring<36> = 264,
        /// ImplementationID (BP 300).
        implementation_id: EntityId = 300,
        /// ImplementationUse (BP 332).
        implementation_use: [u8; 128] = 332,
    }
}

impl Default for LvInfo {
    fn default() -> Self {
        LvInfo {
            lvi_charset: Charspec::osta_cs0(),
            logical_volume_identifier: Dstring::default(),
            lv_info1: Dstring::default(),
            lv_info2: Dstring::default(),
            lv_info3: Dstring::default(),
            implementation_id: EntityId::implementation(),
            implementation_use: [0; 128],
        }
    }
}

impl Field for LvInfo {
    const LEN: usize = 460;
    fn read(buf: &[u8]) -> Self {
        let v = LvInfoView::new_unchecked(buf);
        LvInfo {
            lvi_charset: v.lvi_charset(),
            logical_volume_identifier: v.logical_volume_identifier(),
            lv_info1: v.lv_info1(),
            lv_info2: v.lv_info2(),
            lv_info3: v.lv_info3(),
            implementation_id: v.implementation_id(),
            implementation_use: v.implementation_use(),
        }
    }
    fn write(&self, buf: &mut [u8]) {
        let mut tmp = [0u8; 460];
        // Cannot fail: the buffer has the record's length.
        let _ = self.emit(&mut tmp);
        wire::put_bytes(buf, 0, &tmp);
    }
}

descriptor! {
    /// A view of an Implementation Use Volume Descriptor (ECMA-167 3/10.4).
    view ImplementationUseView;
    /// ECMA-167 3/10.4 Implementation Use Volume Descriptor; UDF 2.2.7 records one with
    /// "*UDF LV Info" and an [`LvInfo`].
    repr ImplementationUseVolumeDescriptor: ImplementationUseVolumeDescriptor, 512;
    {
        /// Volume Descriptor Sequence Number (BP 16).
        volume_descriptor_sequence_number: u32 = 16,
        /// Implementation Identifier (BP 20): "*UDF LV Info" with a UDF suffix.
        implementation_identifier: EntityId = 20,
        /// Implementation Use (BP 52): the LVInfo.
        implementation_use: LvInfo = 52,
    }
}

crate::wire::wire_enum! {
    /// ECMA-167 3/10.5.7 Access Type of a partition.
    pub enum AccessType: u32 {
        /// 0: not specified.
        NotSpecified = 0,
        /// 1: read only (mastered media).
        ReadOnly = 1,
        /// 2: write once.
        WriteOnce = 2,
        /// 3: rewritable (needs preparation before writing).
        Rewritable = 3,
        /// 4: overwritable.
        Overwritable = 4,
    }
}

descriptor! {
    /// A view of a Partition Descriptor (ECMA-167 3/10.5).
    view PartitionView;
    /// ECMA-167 3/10.5 Partition Descriptor (UDF 2.2.14): where a partition lies.
    repr PartitionDescriptor: PartitionDescriptor, 512;
    {
        /// Volume Descriptor Sequence Number (BP 16).
        volume_descriptor_sequence_number: u32 = 16,
        /// Partition Flags (BP 20): bit 0, space allocated.
        partition_flags: u16 = 20,
        /// Partition Number (BP 22).
        partition_number: u16 = 22,
        /// Partition Contents (BP 24): "+NSR02" or "+NSR03".
        partition_contents: EntityId = 24,
        /// Partition Contents Use (BP 56): the Partition Header Descriptor (4/14.3);
        /// all zero when no space tables or bitmaps are recorded (read-only media).
        partition_contents_use: [u8; 128] = 56,
        /// Access Type (BP 184).
        access_type: AccessType = 184,
        /// Partition Starting Location (BP 188): the first sector.
        partition_starting_location: u32 = 188,
        /// Partition Length (BP 192): sectors.
        partition_length: u32 = 192,
        /// Implementation Identifier (BP 196).
        implementation_identifier: EntityId = 196,
        /// Implementation Use (BP 228).
        implementation_use: [u8; 128] = 228,
    }
}

descriptor! {
    /// A view of an Unallocated Space Descriptor (ECMA-167 3/10.8).
    view UnallocatedSpaceView;
    /// ECMA-167 3/10.8 Unallocated Space Descriptor (UDF 2.2.5): volume space outside
    /// every partition that is free.
    repr UnallocatedSpaceDescriptor: UnallocatedSpaceDescriptor, 24;
    {
        /// Volume Descriptor Sequence Number (BP 16).
        volume_descriptor_sequence_number: u32 = 16,
    }
    view_only {
        /// Number of Allocation Descriptors (BP 20).
        number_of_allocation_descriptors: u32 = 20,
    }
    tail {
        /// Allocation Descriptors (BP 24).
        allocation_descriptors: Vec<ExtentAd>,
    }
}

impl UnallocatedSpaceDescriptor {
    fn parse_tail(&mut self, buf: &[u8]) -> Result<()> {
        let n = field_at::<u32>(buf, 20) as usize;
        let needed = n
            .checked_mul(8)
            .and_then(|b| b.checked_add(24))
            .ok_or(Error::Invalid {
                field: "number of allocation descriptors",
                value: n as u64,
            })?;
        wire::check_len(buf, needed)?;
        self.allocation_descriptors = (0..n).map(|i| field_at(buf, 24 + 8 * i)).collect();
        Ok(())
    }
    fn tail_len(&self) -> usize {
        8 * self.allocation_descriptors.len()
    }
    fn emit_tail(&self, buf: &mut [u8]) -> Result<()> {
        put_field(buf, 20, &(self.allocation_descriptors.len() as u32));
        for (i, ad) in self.allocation_descriptors.iter().enumerate() {
            put_field(buf, 24 + 8 * i, ad);
        }
        Ok(())
    }
}

descriptor! {
    /// A view of a Terminating Descriptor (ECMA-167 3/10.9 and 4/14.2).
    view TerminatingView;
    /// ECMA-167 3/10.9 (4/14.2) Terminating Descriptor: ends a descriptor sequence.
    repr TerminatingDescriptor: TerminatingDescriptor, 512;
    {}
}

crate::wire::wire_enum! {
    /// ECMA-167 3/10.10.3 Integrity Type.
    pub enum IntegrityType: u32 {
        /// 0: open (the volume is being written).
        Open = 0,
        /// 1: close (consistent).
        Close = 1,
    }
}

record! {
    /// A view of the UDF implementation use of an LVID.
    view LvidImplementationUseView;
    /// UDF 2.2.6.4 Implementation Use of the Logical Volume Integrity Descriptor:
    /// who wrote last, how many files and directories, and which revisions read it.
    repr LvidImplementationUse, 46;
    {
        /// ImplementationID (BP 0).
        implementation_id: EntityId = 0,
        /// Number of Files (BP 32).
        number_of_files: u32 = 32,
        /// Number of Directories (BP 36).
        number_of_directories: u32 = 36,
        /// Minimum UDF Read Revision (BP 40).
        minimum_udf_read_revision: u16 = 40,
        /// Minimum UDF Write Revision (BP 42).
        minimum_udf_write_revision: u16 = 42,
        /// Maximum UDF Write Revision (BP 44).
        maximum_udf_write_revision: u16 = 44,
    }
}

descriptor! {
    /// A view of a Logical Volume Integrity Descriptor (ECMA-167 3/10.10).
    view LogicalVolumeIntegrityView;
    /// ECMA-167 3/10.10 Logical Volume Integrity Descriptor (UDF 2.2.6).
    repr LogicalVolumeIntegrityDescriptor: LogicalVolumeIntegrityDescriptor, 80;
    {
        /// Recording Date and Time (BP 16).
        recording_date_and_time: Timestamp = 16,
        /// Integrity Type (BP 28).
        integrity_type: IntegrityType = 28,
        /// Next Integrity Extent (BP 32).
        next_integrity_extent: ExtentAd = 32,
        /// Logical Volume Contents Use (BP 40): the Logical Volume Header Descriptor
        /// (4/14.15), whose first 8 bytes are the next Unique ID (UDF 3.2.1).
        next_unique_id: u64 = 40,
        /// The rest of the Logical Volume Header Descriptor (reserved, BP 48).
        logical_volume_header_reserved: [u8; 24] = 48,
    }
    view_only {
        /// Number of Partitions (BP 72).
        number_of_partitions: u32 = 72,
        /// Length of Implementation Use (BP 76).
        length_of_implementation_use: u32 = 76,
    }
    tail {
        /// Free Space Table (BP 80): free blocks per partition (0xFFFFFFFF unknown).
        free_space_table: Vec<u32>,
        /// Size Table: blocks per partition.
        size_table: Vec<u32>,
        /// Implementation Use (UDF 2.2.6.4; see [`LvidImplementationUse`]).
        implementation_use: Vec<u8>,
    }
}

impl LogicalVolumeIntegrityDescriptor {
    /// The UDF implementation use, if the recorded bytes hold one.
    pub fn udf_implementation_use(&self) -> Option<LvidImplementationUse> {
        LvidImplementationUse::parse(&self.implementation_use).ok()
    }

    fn parse_tail(&mut self, buf: &[u8]) -> Result<()> {
        let n = field_at::<u32>(buf, 72) as usize;
        let liu = field_at::<u32>(buf, 76) as usize;
        let needed = n
            .checked_mul(8)
            .and_then(|b| b.checked_add(80))
            .and_then(|b| b.checked_add(liu))
            .ok_or(Error::Invalid {
                field: "number of partitions",
                value: n as u64,
            })?;
        wire::check_len(buf, needed)?;
        self.free_space_table = (0..n).map(|i| field_at(buf, 80 + 4 * i)).collect();
        self.size_table = (0..n).map(|i| field_at(buf, 80 + 4 * (n + i))).collect();
        self.implementation_use = wire::bytes_at(buf, 80 + 8 * n, liu).to_vec();
        Ok(())
    }
    fn tail_len(&self) -> usize {
        8 * self.free_space_table.len() + self.implementation_use.len()
    }
    fn emit_tail(&self, buf: &mut [u8]) -> Result<()> {
        let n = self.free_space_table.len();
        if self.size_table.len() != n {
            return Err(Error::Invalid {
                field: "size table length",
                value: self.size_table.len() as u64,
            });
        }
        put_field(buf, 72, &(n as u32));
        put_field(buf, 76, &(self.implementation_use.len() as u32));
        for (i, v) in self
            .free_space_table
            .iter()
            .chain(&self.size_table)
            .enumerate()
        {
            put_field(buf, 80 + 4 * i, v);
        }
        wire::put_bytes(buf, 80 + 8 * n, &self.implementation_use);
        Ok(())
    }
}
