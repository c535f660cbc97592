//! File structures (ECMA-167 part 4): File Set Descriptor (4/14.1), ICB tag (4/14.6),
//! File Entry (4/14.9), Extended File Entry (4/14.17), File Identifier Descriptor
//! (4/14.4), Allocation Extent Descriptor (4/14.5) and path components (4/14.16).

use super::tag::descriptor;
use super::types::{Charspec, Dstring, EntityId, LbAddr, LongAd, ShortAd, Timestamp};
use crate::wire::{self, field_at, put_field, Error, Field, Result};

descriptor! {
    /// A view of a File Set Descriptor (ECMA-167 4/14.1).
    view FileSetView;
    /// ECMA-167 4/14.1 File Set Descriptor (UDF 2.3.2): where the root directory is.
    repr FileSetDescriptor: FileSetDescriptor, 512;
    {
        /// Recording Date and Time (BP 16).
        recording_date_and_time: Timestamp = 16,
        /// Interchange Level (BP 28): 3.
        interchange_level: u16 = 28,
        /// Maximum Interchange Level (BP 30): 3.
        maximum_interchange_level: u16 = 30,
        /// Character Set List (BP 32): 1 (CS0).
        character_set_list: u32 = 32,
        /// Maximum Character Set List (BP 36): 1.
        maximum_character_set_list: u32 = 36,
        /// File Set Number (BP 40).
        file_set_number: u32 = 40,
        /// File Set Descriptor Number (BP 44).
        file_set_descriptor_number: u32 = 44,
        /// Logical Volume Identifier Character Set (BP 48).
        logical_volume_identifier_character_set: Charspec = 48,
        /// Logical Volume Identifier (BP 112).
        logical_volume_identifier: Dstring<128> = 112,
        /// File Set Character Set (BP 240).
        file_set_character_set: Charspec = 240,
        /// File Set Identifier (BP 304).
        file_set_identifier: Dstring<32> = 304,
        /// Copyright File Identifier (BP 336).
        copyright_file_identifier: Dstring<32> = 336,
        /// Abstract File Identifier (BP 368).
        abstract_file_identifier: Dstring<32> = 368,
        /// Root Directory ICB (BP 400).
        root_directory_icb: LongAd = 400,
        /// Domain Identifier (BP 416): "*OSTA UDF Compliant".
        domain_identifier: EntityId = 416,
        /// Next Extent (BP 448): a further file set descriptor extent, or 0.
        next_extent: LongAd = 448,
        /// System Stream Directory ICB (BP 464; UDF 2.00+).
        system_stream_directory_icb: LongAd = 464,
    }
}

crate::wire::wire_enum! {
    /// ECMA-167 4/14.6.6 File Type (UDF 2.3.5.2 adds 248–252).
    pub enum FileType: u8 {
        /// 0: not specified.
        Unspecified = 0,
        /// 4: directory.
        Directory = 4,
        /// 5: a file of bytes.
        Regular = 5,
        /// 6: block special device.
        BlockDevice = 6,
        /// 7: character special device.
        CharacterDevice = 7,
        /// 9: FIFO.
        Fifo = 9,
        /// 10: socket.
        Socket = 10,
        /// 12: symbolic link (its data are path components, 4/14.16).
        SymbolicLink = 12,
        /// 13: stream directory.
        StreamDirectory = 13,
        /// 248: Virtual Allocation Table (UDF 2.2.11).
        Vat = 248,
        /// 250: Metadata File (UDF 2.2.13.1).
        MetadataFile = 250,
        /// 251: Metadata Mirror File (UDF 2.2.13.2).
        MetadataMirrorFile = 251,
        /// 252: Metadata Bitmap File (UDF 2.2.13.3).
        MetadataBitmapFile = 252,
    }
}

crate::wire::wire_enum! {
    /// ECMA-167 4/14.6.8 ICB flags bits 0–2: the form of the allocation descriptors.
    pub enum AllocationForm: u16 {
        /// 0: short_ad (4/14.14.1).
        Short = 0,
        /// 1: long_ad (4/14.14.2).
        Long = 1,
        /// 2: ext_ad (4/14.14.3).
        Extended = 2,
        /// 3: the data are embedded in the allocation descriptors' place.
        Embedded = 3,
    }
}

/// ICB flag bit 6: setuid (ECMA-167 4/14.6.8).
pub const ICB_FLAG_SETUID: u16 = 1 << 6;
/// ICB flag bit 7: setgid.
pub const ICB_FLAG_SETGID: u16 = 1 << 7;
/// ICB flag bit 8: sticky.
pub const ICB_FLAG_STICKY: u16 = 1 << 8;

/// ECMA-167 4/14.6 ICB Tag (UDF 2.3.5): what kind of entry, which strategy, which
/// allocation descriptor form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IcbTag {
    /// Prior Recorded Number of Direct Entries (BP 0).
    pub prior_recorded_number_of_direct_entries: u32,
    /// Strategy Type (BP 4): 4 (UDF 2.3.5.1).
    pub strategy_type: u16,
    /// Strategy Parameter (BP 6).
    pub strategy_parameter: [u8; 2],
    /// Maximum Number of Entries (BP 8): 1 for strategy 4.
    pub maximum_number_of_entries: u16,
    /// File Type (BP 11).
    pub file_type: u8,
    /// Parent ICB Location (BP 12).
    pub parent_icb_location: LbAddr,
    /// Flags (BP 18).
    pub flags: u16,
}

impl IcbTag {
    /// Strategy 4, one entry, of `file_type`, with allocation form and flags.
    pub fn new(file_type: FileType, form: AllocationForm, flags: u16) -> Self {
        IcbTag {
            prior_recorded_number_of_direct_entries: 0,
            strategy_type: 4,
            strategy_parameter: [0; 2],
            maximum_number_of_entries: 1,
            file_type: file_type.into(),
            parent_icb_location: LbAddr::default(),
            flags: (flags & !7) | (u16::from(form) & 7),
        }
    }

    /// The File Type.
    pub fn file_type(&self) -> FileType {
        FileType::from(self.file_type)
    }

    /// The allocation descriptors' form (flags bits 0–2).
    pub fn allocation_form(&self) -> AllocationForm {
        AllocationForm::from(self.flags & 7)
    }
}

impl Field for IcbTag {
    const LEN: usize = 20;
    fn read(buf: &[u8]) -> Self {
        IcbTag {
            prior_recorded_number_of_direct_entries: field_at(buf, 0),
            strategy_type: field_at(buf, 4),
            strategy_parameter: field_at(buf, 6),
            maximum_number_of_entries: field_at(buf, 8),
            file_type: field_at(buf, 11),
            parent_icb_location: field_at(buf, 12),
            flags: field_at(buf, 18),
        }
    }
    fn write(&self, buf: &mut [u8]) {
        put_field(buf, 0, &self.prior_recorded_number_of_direct_entries);
        put_field(buf, 4, &self.strategy_type);
        put_field(buf, 6, &self.strategy_parameter);
        put_field(buf, 8, &self.maximum_number_of_entries);
        put_field(buf, 10, &0u8);
        put_field(buf, 11, &self.file_type);
        put_field(buf, 12, &self.parent_icb_location);
        put_field(buf, 18, &self.flags);
    }
}

/// Reads the extended attributes and allocation descriptors of a (extended) file entry
/// whose lengths are at `l_ea_at` and `l_ea_at + 4` and which start at `fixed`.
fn parse_ea_ad(buf: &[u8], l_ea_at: usize, fixed: usize) -> Result<(Vec<u8>, Vec<u8>)> {
    let l_ea = field_at::<u32>(buf, l_ea_at) as usize;
    let l_ad = field_at::<u32>(buf, l_ea_at + 4) as usize;
    let needed = fixed
        .checked_add(l_ea)
        .and_then(|n| n.checked_add(l_ad))
        .ok_or(Error::Invalid {
            field: "length of extended attributes",
            value: l_ea as u64,
        })?;
    wire::check_len(buf, needed)?;
    Ok((
        wire::bytes_at(buf, fixed, l_ea).to_vec(),
        wire::bytes_at(buf, fixed + l_ea, l_ad).to_vec(),
    ))
}

/// Writes what [`parse_ea_ad`] reads.
fn emit_ea_ad(buf: &mut [u8], l_ea_at: usize, fixed: usize, ea: &[u8], ad: &[u8]) -> Result<()> {
    let l_ea = u32::try_from(ea.len()).map_err(|_| Error::TooLarge {
        field: "length of extended attributes",
        value: ea.len() as u64,
    })?;
    let l_ad = u32::try_from(ad.len()).map_err(|_| Error::TooLarge {
        field: "length of allocation descriptors",
        value: ad.len() as u64,
    })?;
    put_field(buf, l_ea_at, &l_ea);
    put_field(buf, l_ea_at + 4, &l_ad);
    wire::put_bytes(buf, fixed, ea);
    wire::put_bytes(buf, fixed + ea.len(), ad);
    Ok(())
}

/// The allocation descriptors of a file entry, decoded by their form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllocationDescriptors {
    /// short_ads, in the entry's own partition.
    Short(Vec<ShortAd>),
    /// long_ads.
    Long(Vec<LongAd>),
    /// The file's data, embedded in the entry.
    Embedded(Vec<u8>),
}

impl AllocationDescriptors {
    /// Decodes `ad` bytes of the given form; a trailing partial descriptor is ignored
    /// and a zero-length descriptor ends the list (ECMA-167 4/12.1).
    pub fn parse(form: AllocationForm, ad: &[u8]) -> Result<Self> {
        Ok(match form {
            AllocationForm::Short => AllocationDescriptors::Short(
                ad.chunks_exact(8)
                    .map(ShortAd::read)
                    .take_while(|a| a.length() != 0)
                    .collect(),
            ),
            AllocationForm::Long => AllocationDescriptors::Long(
                ad.chunks_exact(16)
                    .map(LongAd::read)
                    .take_while(|a| a.length() != 0)
                    .collect(),
            ),
            AllocationForm::Embedded => AllocationDescriptors::Embedded(ad.to_vec()),
            other => {
                return Err(Error::Invalid {
                    field: "allocation descriptor form",
                    value: u64::from(u16::from(other)),
                })
            }
        })
    }

    /// The form, for the ICB tag's flags.
    pub fn form(&self) -> AllocationForm {
        match self {
            AllocationDescriptors::Short(_) => AllocationForm::Short,
            AllocationDescriptors::Long(_) => AllocationForm::Long,
            AllocationDescriptors::Embedded(_) => AllocationForm::Embedded,
        }
    }

    /// The recorded bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            AllocationDescriptors::Short(v) => {
                let mut out = vec![0u8; 8 * v.len()];
                for (i, a) in v.iter().enumerate() {
                    put_field(&mut out, 8 * i, a);
                }
                out
            }
            AllocationDescriptors::Long(v) => {
                let mut out = vec![0u8; 16 * v.len()];
                for (i, a) in v.iter().enumerate() {
                    put_field(&mut out, 16 * i, a);
                }
                out
            }
            AllocationDescriptors::Embedded(d) => d.clone(),
        }
    }
}

descriptor! {
    /// A view of a File Entry (ECMA-167 4/14.9).
    view FileEntryView;
    /// ECMA-167 4/14.9 File Entry (UDF 2.3.6).
    repr FileEntry: FileEntry, 176;
    {
        /// ICB Tag (BP 16).
        icb_tag: IcbTag = 16,
        /// Uid (BP 36; 0xFFFFFFFF = not specified).
        uid: u32 = 36,
        /// Gid (BP 40).
        gid: u32 = 40,
        /// Permissions (BP 44): 4/14.9.5, five bits each for other, group, owner.
        permissions: u32 = 44,
        /// File Link Count (BP 48).
        file_link_count: u16 = 48,
        /// Record Format (BP 50): 0.
        record_format: u8 = 50,
        /// Record Display Attributes (BP 51): 0.
        record_display_attributes: u8 = 51,
        /// Record Length (BP 52): 0.
        record_length: u32 = 52,
        /// Information Length (BP 56): bytes of the file.
        information_length: u64 = 56,
        /// Logical Blocks Recorded (BP 64).
        logical_blocks_recorded: u64 = 64,
        /// Access Date and Time (BP 72).
        access_date_and_time: Timestamp = 72,
        /// Modification Date and Time (BP 84).
        modification_date_and_time: Timestamp = 84,
        /// Attribute Date and Time (BP 96).
        attribute_date_and_time: Timestamp = 96,
        /// Checkpoint (BP 108).
        checkpoint: u32 = 108,
        /// Extended Attribute ICB (BP 112).
        extended_attribute_icb: LongAd = 112,
        /// Implementation Identifier (BP 128).
        implementation_identifier: EntityId = 128,
        /// Unique ID (BP 160; UDF 3.2.1.1).
        unique_id: u64 = 160,
    }
    view_only {
        /// Length of Extended Attributes (BP 168).
        length_of_extended_attributes: u32 = 168,
        /// Length of Allocation Descriptors (BP 172).
        length_of_allocation_descriptors: u32 = 172,
    }
    tail {
        /// Extended Attributes (BP 176).
        extended_attributes: Vec<u8>,
        /// Allocation Descriptors, recorded bytes (see [`FileEntry::allocation_descriptors`]).
        allocation_descriptors: Vec<u8>,
    }
}

/// The allocation descriptors and tail of a (extended) file entry whose
/// L_EA is at `$l_ea_at` and whose extended attributes start at `$fixed`.
macro_rules! entry_tail {
    ($Entry:ty, $l_ea_at:expr, $fixed:expr) => {
        impl $Entry {
            /// The allocation descriptors, decoded by the ICB tag's form.
            pub fn allocation_descriptors(&self) -> Result<AllocationDescriptors> {
                AllocationDescriptors::parse(
                    self.icb_tag.allocation_form(),
                    &self.allocation_descriptors,
                )
            }

            fn parse_tail(&mut self, buf: &[u8]) -> Result<()> {
                (self.extended_attributes, self.allocation_descriptors) =
                    parse_ea_ad(buf, $l_ea_at, $fixed)?;
                Ok(())
            }
            fn tail_len(&self) -> usize {
                self.extended_attributes.len() + self.allocation_descriptors.len()
            }
            fn emit_tail(&self, buf: &mut [u8]) -> Result<()> {
                emit_ea_ad(
                    buf,
                    $l_ea_at,
                    $fixed,
                    &self.extended_attributes,
                    &self.allocation_descriptors,
                )
            }
        }
    };
}

entry_tail!(FileEntry, 168, 176);

descriptor! {
    /// A view of an Extended File Entry (ECMA-167 4/14.17).
    view ExtendedFileEntryView;
    /// ECMA-167 4/14.17 Extended File Entry (UDF 2.3.6, UDF 2.00+): a File Entry with
    /// the object size, a creation time and a stream directory.
    repr ExtendedFileEntry: ExtendedFileEntry, 216;
    {
        /// ICB Tag (BP 16).
        icb_tag: IcbTag = 16,
        /// Uid (BP 36).
        uid: u32 = 36,
        /// Gid (BP 40).
        gid: u32 = 40,
        /// Permissions (BP 44).
        permissions: u32 = 44,
        /// File Link Count (BP 48).
        file_link_count: u16 = 48,
        /// Record Format (BP 50).
        record_format: u8 = 50,
        /// Record Display Attributes (BP 51).
        record_display_attributes: u8 = 51,
        /// Record Length (BP 52).
        record_length: u32 = 52,
        /// Information Length (BP 56).
        information_length: u64 = 56,
        /// Object Size (BP 64): the data plus every stream's.
        object_size: u64 = 64,
        /// Logical Blocks Recorded (BP 72).
        logical_blocks_recorded: u64 = 72,
        /// Access Date and Time (BP 80).
        access_date_and_time: Timestamp = 80,
        /// Modification Date and Time (BP 92).
        modification_date_and_time: Timestamp = 92,
        /// Creation Date and Time (BP 104).
        creation_date_and_time: Timestamp = 104,
        /// Attribute Date and Time (BP 116).
        attribute_date_and_time: Timestamp = 116,
        /// Checkpoint (BP 128).
        checkpoint: u32 = 128,
        /// Extended Attribute ICB (BP 136).
        extended_attribute_icb: LongAd = 136,
        /// Stream Directory ICB (BP 152).
        stream_directory_icb: LongAd = 152,
        /// Implementation Identifier (BP 168).
        implementation_identifier: EntityId = 168,
        /// Unique ID (BP 200).
        unique_id: u64 = 200,
    }
    view_only {
        /// Length of Extended Attributes (BP 208).
        length_of_extended_attributes: u32 = 208,
        /// Length of Allocation Descriptors (BP 212).
        length_of_allocation_descriptors: u32 = 212,
    }
    tail {
        /// Extended Attributes (BP 216).
        extended_attributes: Vec<u8>,
        /// Allocation Descriptors, recorded bytes.
        allocation_descriptors: Vec<u8>,
    }
}

entry_tail!(ExtendedFileEntry, 208, 216);

descriptor! {
    /// A view of an Allocation Extent Descriptor (ECMA-167 4/14.5).
    view AllocationExtentView;
    /// ECMA-167 4/14.5 Allocation Extent Descriptor: more allocation descriptors of a
    /// file entry, pointed at by an extent of type 3.
    repr AllocationExtentDescriptor: AllocationExtentDescriptor, 24;
    {
        /// Previous Allocation Extent Location (BP 16).
        previous_allocation_extent_location: u32 = 16,
    }
    view_only {
        /// Length of Allocation Descriptors (BP 20).
        length_of_allocation_descriptors: u32 = 20,
    }
    tail {
        /// Allocation Descriptors (BP 24), recorded bytes.
        allocation_descriptors: Vec<u8>,
    }
}

impl AllocationExtentDescriptor {
    fn parse_tail(&mut self, buf: &[u8]) -> Result<()> {
        let l_ad = field_at::<u32>(buf, 20) as usize;
        let t = wire::tail(buf, 24);
        wire::check_len(t, l_ad)?;
        self.allocation_descriptors = t[..l_ad].to_vec();
        Ok(())
    }
    fn tail_len(&self) -> usize {
        self.allocation_descriptors.len()
    }
    fn emit_tail(&self, buf: &mut [u8]) -> Result<()> {
        put_field(buf, 20, &(self.allocation_descriptors.len() as u32));
        wire::put_bytes(buf, 24, &self.allocation_descriptors);
        Ok(())
    }
}

/// FID File Characteristics bit 0: hidden (ECMA-167 4/14.4.3).
pub const FID_HIDDEN: u8 = 1 << 0;
/// FID File Characteristics bit 1: directory.
pub const FID_DIRECTORY: u8 = 1 << 1;
/// FID File Characteristics bit 2: deleted.
pub const FID_DELETED: u8 = 1 << 2;
/// FID File Characteristics bit 3: parent (the ".." entry).
pub const FID_PARENT: u8 = 1 << 3;

descriptor! {
    /// A view of a File Identifier Descriptor (ECMA-167 4/14.4).
    view FileIdentifierView;
    /// ECMA-167 4/14.4 File Identifier Descriptor (UDF 2.3.4): one directory entry,
    /// padded to a multiple of 4 bytes.
    repr FileIdentifierDescriptor: FileIdentifierDescriptor, 38;
    {
        /// File Version Number (BP 16): 1.
        file_version_number: u16 = 16,
        /// File Characteristics (BP 18).
        file_characteristics: u8 = 18,
        /// ICB (BP 20): the entry's (extended) file entry.
        icb: LongAd = 20,
    }
    view_only {
        /// Length of File Identifier (BP 19).
        length_of_file_identifier: u8 = 19,
        /// Length of Implementation Use (BP 36).
        length_of_implementation_use: u16 = 36,
    }
    tail {
        /// Implementation Use (BP 38).
        implementation_use: Vec<u8>,
        /// File Identifier: CS0 d-characters (empty for the parent entry).
        file_identifier: Vec<u8>,
    }
}

impl FileIdentifierDescriptor {
    /// Bytes of a FID with these lengths, padding included (4/14.4.9).
    pub fn padded_len(l_iu: usize, l_fi: usize) -> usize {
        (38 + l_iu + l_fi).div_ceil(4) * 4
    }

    fn parse_tail(&mut self, buf: &[u8]) -> Result<()> {
        let l_fi = usize::from(field_at::<u8>(buf, 19));
        let l_iu = usize::from(field_at::<u16>(buf, 36));
        wire::check_len(buf, 38 + l_iu + l_fi)?;
        self.implementation_use = wire::bytes_at(buf, 38, l_iu).to_vec();
        self.file_identifier = wire::bytes_at(buf, 38 + l_iu, l_fi).to_vec();
        Ok(())
    }
    fn tail_len(&self) -> usize {
        Self::padded_len(self.implementation_use.len(), self.file_identifier.len()) - 38
    }
    fn emit_tail(&self, buf: &mut [u8]) -> Result<()> {
        let l_fi = u8::try_from(self.file_identifier.len()).map_err(|_| Error::TooLarge {
            field: "length of file identifier",
            value: self.file_identifier.len() as u64,
        })?;
        let l_iu = u16::try_from(self.implementation_use.len()).map_err(|_| Error::TooLarge {
            field: "length of implementation use",
            value: self.implementation_use.len() as u64,
        })?;
        put_field(buf, 19, &l_fi);
        put_field(buf, 36, &l_iu);
        wire::put_bytes(buf, 38, &self.implementation_use);
        wire::put_bytes(
            buf,
            38 + self.implementation_use.len(),
            &self.file_identifier,
        );
        Ok(())
    }
}

crate::wire::wire_enum! {
    /// ECMA-167 4/14.16.1.1 Component Type of a path component.
    pub enum ComponentType: u8 {
        /// 1: the root of the file system the link is on (a following component
        /// identifier may name it).
        Root = 1,
        /// 2: the root directory of this file set ("/").
        RootDirectory = 2,
        /// 3: the parent directory ("..").
        Parent = 3,
        /// 4: the current directory (".").
        Current = 4,
        /// 5: a named component.
        Named = 5,
    }
}

/// ECMA-167 4/14.16.1 Path Component: one step of a symbolic link's target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathComponent {
    /// Component Type.
    pub component_type: ComponentType,
    /// Component File Version Number (0).
    pub component_file_version_number: u16,
    /// Component Identifier: CS0 d-characters.
    pub component_identifier: Vec<u8>,
}

impl PathComponent {
    /// Reads every path component of a symbolic link's data (4/14.16); a trailing
    /// partial component is an error.
    pub fn parse_all(mut data: &[u8]) -> Result<Vec<PathComponent>> {
        let mut out = Vec::new();
        while !data.is_empty() {
            wire::check_len(data, 4)?;
            let l_ci = usize::from(data[1]);
            wire::check_len(data, 4 + l_ci)?;
            out.push(PathComponent {
                component_type: ComponentType::from(data[0]),
                component_file_version_number: field_at(data, 2),
                component_identifier: data[4..4 + l_ci].to_vec(),
            });
            data = &data[4 + l_ci..];
        }
        Ok(out)
    }

    /// Writes the components one after another.
    pub fn emit_all(components: &[PathComponent]) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        for c in components {
            let l_ci = u8::try_from(c.component_identifier.len()).map_err(|_| Error::TooLarge {
                field: "length of component identifier",
                value: c.component_identifier.len() as u64,
            })?;
            out.push(c.component_type.into());
            out.push(l_ci);
            out.extend_from_slice(&c.component_file_version_number.to_le_bytes());
            out.extend_from_slice(&c.component_identifier);
        }
        Ok(out)
    }

    /// A POSIX symlink target (bytes, UTF-8) as path components: a leading "/" is a
    /// root-directory component, "." and ".." are their own types (UDF 2.3.12).
    pub fn from_target(target: &[u8]) -> Vec<PathComponent> {
        let mut out = Vec::new();
        if target.first() == Some(&b'/') {
            out.push(PathComponent::typed(ComponentType::RootDirectory));
        }
        for part in target.split(|&b| b == b'/').filter(|p| !p.is_empty()) {
            out.push(match part {
                b"." => PathComponent::typed(ComponentType::Current),
                b".." => PathComponent::typed(ComponentType::Parent),
                name => PathComponent {
                    component_type: ComponentType::Named,
                    component_file_version_number: 0,
                    component_identifier: crate::cs0::encode(&String::from_utf8_lossy(name)),
                },
            });
        }
        out
    }

    /// The components as a POSIX path (UTF-8).
    pub fn to_target(components: &[PathComponent]) -> String {
        let mut out = String::new();
        for c in components {
            match c.component_type {
                ComponentType::Root | ComponentType::RootDirectory => {
                    out.clear();
                    out.push('/');
                    continue;
                }
                ComponentType::Parent => out.push_str(".."),
                ComponentType::Current => out.push('.'),
                _ => out.push_str(&crate::cs0::decode(&c.component_identifier)),
            }
            out.push('/');
        }
        if out.len() > 1 {
            out.pop();
        }
        out
    }

    fn typed(component_type: ComponentType) -> Self {
        PathComponent {
            component_type,
            component_file_version_number: 0,
            component_identifier: Vec::new(),
        }
    }
}
