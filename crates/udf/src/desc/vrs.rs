//! ECMA-167 2/9.1 Volume Recognition Sequence: the Volume Structure Descriptors from
//! sector 16 (BEA01, NSR02/NSR03, TEA01; ECMA-167 2/9.2, 3/9.1, 2/9.3). Each fills one
//! 2048-byte sector.

use crate::wire::record;

/// Bytes of a volume structure descriptor's recorded part (the rest of the sector is 0).
pub const VSD_LEN: usize = 2048;

/// ECMA-167 2/9.2 Beginning Extended Area Descriptor identifier.
pub const BEA01: [u8; 5] = *b"BEA01";
/// ECMA-167 3/9.1 NSR descriptor identifier of the 2nd edition (UDF 1.02–1.50).
pub const NSR02: [u8; 5] = *b"NSR02";
/// ECMA-167 3/9.1 NSR descriptor identifier of the 3rd edition (UDF 2.00 and later).
pub const NSR03: [u8; 5] = *b"NSR03";
/// ECMA-167 2/9.3 Terminating Extended Area Descriptor identifier.
pub const TEA01: [u8; 5] = *b"TEA01";
/// ECMA-119 Primary Volume Descriptor identifier, found in an ISO 9660 bridge's VRS.
pub const CD001: [u8; 5] = *b"CD001";

record! {
    /// A view of a Volume Structure Descriptor (ECMA-167 2/9.1).
    view VolumeStructureView;
    /// ECMA-167 2/9.1 Volume Structure Descriptor: type, identifier, version.
    repr VolumeStructureDescriptor, VSD_LEN;
    {
        /// Structure Type (BP 0): 0 for BEA01, NSR0x, TEA01.
        structure_type: u8 = 0,
        /// Standard Identifier (BP 1).
        standard_identifier: [u8; 5] = 1,
        /// Structure Version (BP 6): 1.
        structure_version: u8 = 6,
    }
}

impl VolumeStructureDescriptor {
    /// The descriptor with the identifier `id` (type 0, version 1).
    pub fn new(id: [u8; 5]) -> Self {
        VolumeStructureDescriptor {
            structure_type: 0,
            standard_identifier: id,
            structure_version: 1,
        }
    }
}
