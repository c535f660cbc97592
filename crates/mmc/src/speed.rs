//! Speed and buffer: GET PERFORMANCE, SET STREAMING, SET CD SPEED, READ BUFFER CAPACITY
//! and their parameter data, plus the unit conversions speed code needs.
//!
//! Units. MMC speed fields count kilobytes of **1000** bytes per second. For DVD and BD the
//! kB/s figure describes 2048-byte user sectors; for CD it describes the raw 2352-byte
//! stream, so CD 1× is 176.4 kB/s in every MMC speed field (SET CD SPEED, GET PERFORMANCE,
//! mode page 2Ah) although the user data rate at 1× is 75 × 2048 = 153,600 B/s. The
//! helpers [`kbps_to_sectors_per_second`], [`sectors_per_second_to_kbps`], [`kbps_to_x`]
//! and [`x_to_kbps`] encode this once; the 1× constants themselves live in
//! [`MediaFamily`]. Sectors per second are what IMAPI2 exposes
//! (`IWriteEngine2::put_StartingSectorsPerSecond`, `IWriteSpeedDescriptor::WriteSpeed`).
//!
//! Contract (see [`crate::wire`]): views never panic, `parse` looks only at the bytes
//! transferred and caps every list by the bytes present.

use crate::profile::MediaFamily;
use crate::wire::{self, be16, be32, check_room};

/// The user data sector size speeds are converted with (DVD, BD, HD DVD, disks).
pub const SECTOR_BYTES: u32 = 2048;
/// A raw CD sector: the unit behind CD kB/s figures (75 of them per second at 1×).
pub const CD_RAW_SECTOR_BYTES: u32 = 2352;

/// Bytes in the unit a kB/s speed field counts for `family`: 2352 for CD (raw), else 2048
/// (Microsoft's `FuzzyConvert_KBps2SectorsPerSecond` does the same; "other" media count
/// as disks, 2048).
pub fn field_sector_bytes(family: MediaFamily) -> u32 {
    match family {
        MediaFamily::Cd => CD_RAW_SECTOR_BYTES,
        _ => SECTOR_BYTES,
    }
}

/// 1× in the bytes per second a kB/s speed field counts: CD 176,400 (raw), DVD 1,385,000,
/// BD 4,495,500, HD DVD 4,568,750; `None` for [`MediaFamily::Other`]. The constants live
/// in [`MediaFamily`].
pub fn field_one_x_bytes_per_second(family: MediaFamily) -> Option<u32> {
    match family {
        MediaFamily::Cd => Some(MediaFamily::CD_RAW_BYTES_PER_SECOND),
        other => other.one_x_bytes_per_second(),
    }
}

/// kB/s (1000-byte kB, as in MMC speed fields) to sectors per second, rounded to nearest.
/// CD sectors are counted at 2352 bytes (176 kB/s ≈ 75 sectors/s = 1×), others at 2048.
pub fn kbps_to_sectors_per_second(family: MediaFamily, kbps: u32) -> u32 {
    let sector = u64::from(field_sector_bytes(family));
    let v = (u64::from(kbps) * 1000 + sector / 2) / sector;
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// Sectors per second to kB/s (1000-byte kB), rounded to nearest; the inverse of
/// [`kbps_to_sectors_per_second`].
pub fn sectors_per_second_to_kbps(family: MediaFamily, sectors_per_second: u32) -> u32 {
    let v = (u64::from(sectors_per_second) * u64::from(field_sector_bytes(family)) + 500) / 1000;
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// kB/s to the "×" multiple of the family's 1× (7056 kB/s on CD = 40×, 22,160 on DVD =
/// 16×); `None` for a family without a 1×.
pub fn kbps_to_x(family: MediaFamily, kbps: u32) -> Option<f64> {
    field_one_x_bytes_per_second(family).map(|one| f64::from(kbps) * 1000.0 / f64::from(one))
}

/// "×" multiple to kB/s, rounded to nearest (16× DVD = 22,160 kB/s, 48× CD = 8467).
/// Negative or NaN input gives 0, huge input saturates; `None` for a family without a 1×.
pub fn x_to_kbps(family: MediaFamily, x: f64) -> Option<u32> {
    field_one_x_bytes_per_second(family).map(|one| saturate(x * f64::from(one) / 1000.0))
}

/// Sectors per second to "×" (75 sectors/s on CD = 1×, 2195 on BD ≈ 1×).
pub fn sectors_per_second_to_x(family: MediaFamily, sectors_per_second: u32) -> Option<f64> {
    field_one_x_bytes_per_second(family).map(|one| {
        f64::from(sectors_per_second) * f64::from(field_sector_bytes(family)) / f64::from(one)
    })
}

/// "×" to sectors per second, rounded to nearest (1× DVD ≈ 676, 1× BD ≈ 2195).
pub fn x_to_sectors_per_second(family: MediaFamily, x: f64) -> Option<u32> {
    field_one_x_bytes_per_second(family)
        .map(|one| saturate(x * f64::from(one) / f64::from(field_sector_bytes(family))))
}

fn saturate(v: f64) -> u32 {
    let v = v.round();
    if v.is_nan() || v <= 0.0 {
        0
    } else if v >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        v as u32
    }
}

crate::wire_enum! {
    /// Rotation control (WRC in performance and write speed descriptors, the rotational
    /// control field of SET CD SPEED, "rotation control selected" in page 2Ah). MMC-6 §6.39.
    pub enum RotationControl: u8 & 0x03 {
        /// 00b: CLV, or the drive's default rotation.
        Clv = 0 => "CLV",
        /// 01b: constant angular velocity.
        Cav = 1 => "CAV",
        /// 10b/11b: reserved, kept as received.
        Unknown => "reserved",
    }
}

// ---------------------------------------------------------------------------------------
// GET PERFORMANCE
// ---------------------------------------------------------------------------------------

crate::wire_enum! {
    /// The Type field of GET PERFORMANCE (CDB byte 10). MMC-6 §6.8.
    pub enum PerformanceType: u8 {
        /// 00h: performance data (nominal or exceptions).
        Performance = 0x00 => "Performance",
        /// 03h: write speed descriptors for the current medium.
        WriteSpeed = 0x03 => "Write Speed",
        /// Any other type (01h unusable area, 02h defect status, 04h/05h DBI, ...).
        Unknown => "unknown type",
    }
}

crate::wire_enum! {
    /// The Except field of a type 00h GET PERFORMANCE request (CDB byte 1 bits 1:0).
    pub enum Except: u8 & 0x03 {
        /// 00b: nominal performance descriptors.
        Nominal = 0 => "nominal performance",
        /// 01b: the entire list of exception conditions.
        All = 1 => "all exceptions",
        /// 10b: only exceptions found since the last GET PERFORMANCE.
        New = 2 => "new exceptions",
        /// 11b: reserved.
        Unknown => "reserved",
    }
}

/// The Tolerance value a type 00h request must carry (10b = 10 %); others are reserved.
pub const TOLERANCE_10_PERCENT: u8 = 0b10;

crate::command! {
    /// GET PERFORMANCE (ACh, 12 bytes). MMC-6 §6.8.
    ///
    /// Byte 1 is the Data Type: Tolerance bits 4:3, Write bit 2, Except bits 1:0 (tgt and
    /// MMC agree; spec/mmc.md's "bit4 Write" ordering is wrong). For type 03h the Data Type
    /// and Starting LBA are reserved, but they are carried as given.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct GetPerformance: OpCode::GetPerformance, 12 bytes;
    {
        /// Tolerance (bits 4:3); must be [`TOLERANCE_10_PERCENT`] for type 00h.
        pub tolerance: u8 = bits(1, 0x03 << 3),
        /// Write: report write rather than read performance (type 00h).
        pub write: bool = bit(1, 2),
        /// Except: nominal or exception descriptors (type 00h).
        pub except: Except = from(u8(1)),
        /// Starting LBA (type 00h).
        pub start_lba: u32 = be32(2),
        /// Maximum number of descriptors the host accepts.
        pub max_descriptors: u16 = be16(8),
        /// Type of data requested.
        pub kind: PerformanceType = from(u8(10)),
    }
    check GetPerformance::check_type_00h;
}

impl GetPerformance {
    /// Request nominal read or write performance (type 00h, tolerance 10 %).
    pub fn performance(write: bool, start_lba: u32, max_descriptors: u16) -> Self {
        GetPerformance {
            tolerance: TOLERANCE_10_PERCENT,
            write,
            except: Except::Nominal,
            start_lba,
            max_descriptors,
            kind: PerformanceType::Performance,
        }
    }

    /// Request the write speed descriptors of the current medium (type 03h).
    pub fn write_speeds(max_descriptors: u16) -> Self {
        GetPerformance {
            tolerance: 0,
            write: false,
            except: Except::Nominal,
            start_lba: 0,
            max_descriptors,
            kind: PerformanceType::WriteSpeed,
        }
    }

    /// Bytes the answer can take: 8-byte header plus `max_descriptors` descriptors
    /// (16 bytes each for types 00h nominal and 03h; the allocation to give the transport).
    pub fn response_len(&self) -> usize {
        PERFORMANCE_HEADER_LEN + usize::from(self.max_descriptors) * 16
    }

    /// A type 00h request must ask for a 10 % tolerance and a defined Except value.
    fn check_type_00h(&self) -> wire::Result<()> {
        if self.kind == PerformanceType::Performance {
            if self.tolerance != TOLERANCE_10_PERCENT {
                return Err(wire::Error::Invalid {
                    field: "GET PERFORMANCE tolerance",
                    value: u64::from(self.tolerance),
                });
            }
            if let Except::Unknown(v) = self.except {
                return Err(wire::Error::Invalid {
                    field: "GET PERFORMANCE except",
                    value: u64::from(v),
                });
            }
        }
        Ok(())
    }
}

/// Length of the GET PERFORMANCE response header.
pub const PERFORMANCE_HEADER_LEN: usize = 8;

crate::record! {
    /// The GET PERFORMANCE response header. MMC-6 §6.8.2.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct PerformanceHeader, 8 bytes;
    {
        /// Performance Data Length: bytes that follow this field (4 + descriptors).
        pub data_length: u32 = be32(0),
        /// Write bit (byte 4 bit 1): the descriptors describe write performance.
        pub write: bool = bit(4, 1),
        /// Except bit (byte 4 bit 0): the descriptors are exception descriptors.
        pub except: bool = bit(4, 0),
    }
}

impl PerformanceHeader {
    /// The bytes of `buf` that hold descriptors: after the header, bounded by both the
    /// data length and the bytes actually present.
    fn body<'a>(&self, buf: &'a [u8]) -> &'a [u8] {
        let claimed = usize::try_from(self.data_length)
            .unwrap_or(usize::MAX)
            .saturating_add(4);
        let end = claimed.min(buf.len());
        buf.get(PERFORMANCE_HEADER_LEN..end).unwrap_or(&[])
    }
}

crate::record! {
    /// A type 00h nominal performance descriptor (16 bytes). MMC-6 §6.8.2.2.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct NominalPerformance, 16 bytes;
    {
        /// Start LBA.
        pub start_lba: u32 = be32(0),
        /// Performance at the start LBA, kB/s.
        pub start_kbps: u32 = be32(4),
        /// End LBA.
        pub end_lba: u32 = be32(8),
        /// Performance at the end LBA, kB/s.
        pub end_kbps: u32 = be32(12),
    }
}

crate::record! {
    /// A type 00h exception descriptor (6 bytes): where a seek delay occurs. MMC-6 §6.8.2.3.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct PerformanceException, 6 bytes;
    {
        /// LBA of the exception.
        pub lba: u32 = be32(0),
        /// Expected additional delay, in units of 100 µs.
        pub time: u16 = be16(4),
    }
}

/// The answer to a type 00h GET PERFORMANCE: nominal descriptors, or exception
/// descriptors when the header's Except bit is set (exactly one list is non-empty).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PerformanceData {
    /// Header Write bit.
    pub write: bool,
    /// Nominal descriptors (header Except = 0).
    pub nominal: Vec<NominalPerformance>,
    /// Exception descriptors (header Except = 1).
    pub exceptions: Vec<PerformanceException>,
    /// Header Except bit; selects which list is emitted.
    pub except: bool,
}

impl PerformanceData {
    /// Reads header and descriptors from the bytes transferred; a trailing partial
    /// descriptor is ignored.
    pub fn parse(buf: &[u8]) -> wire::Result<Self> {
        let header = PerformanceHeader::parse(buf)?;
        let body = header.body(buf);
        let mut out = PerformanceData {
            write: header.write,
            except: header.except,
            ..Default::default()
        };
        if header.except {
            out.exceptions =
                wire::records(body, PerformanceException::LEN, PerformanceException::parse)?;
        } else {
            out.nominal = wire::records(body, NominalPerformance::LEN, NominalPerformance::parse)?;
        }
        Ok(out)
    }

    /// Bytes [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        PERFORMANCE_HEADER_LEN
            + if self.except {
                self.exceptions.len() * PerformanceException::LEN
            } else {
                self.nominal.len() * NominalPerformance::LEN
            }
    }

    /// Writes header and descriptors; the data length is computed.
    pub fn emit(&self, buf: &mut [u8]) -> wire::Result<usize> {
        let len = self.buffer_len();
        check_room(buf, len)?;
        PerformanceHeader {
            data_length: u32::try_from(len - 4).unwrap_or(u32::MAX),
            write: self.write,
            except: self.except,
        }
        .emit(buf)?;
        let mut at = PERFORMANCE_HEADER_LEN;
        if self.except {
            for d in &self.exceptions {
                at += d.emit(&mut buf[at..])?;
            }
        } else {
            for d in &self.nominal {
                at += d.emit(&mut buf[at..])?;
            }
        }
        Ok(at)
    }
}

crate::record! {
    /// A type 03h write speed descriptor (16 bytes). MMC-6 §6.8.2.6. Corresponds one-to-one
    /// to IMAPI2's `IWriteSpeedDescriptor`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct WriteSpeedDescriptor, 16 bytes;
    {
        /// WRC (byte 0 bits 4:3): rotation control this speed applies to.
        pub wrc: RotationControl = from(bits(0, 0x03 << 3)),
        /// RDD (bit 2): the descriptor reports the drive's defaults.
        pub rdd: bool = bit(0, 2),
        /// Exact (bit 1): the drive can perform at exactly this speed across the medium.
        pub exact: bool = bit(0, 1),
        /// MRW (bit 0): suitable for mixed read/write.
        pub mrw: bool = bit(0, 0),
        /// End LBA (usually the medium's capacity).
        pub end_lba: u32 = be32(4),
        /// Read speed, kB/s.
        pub read_kbps: u32 = be32(8),
        /// Write speed, kB/s.
        pub write_kbps: u32 = be32(12),
    }
}

/// The answer to a type 03h GET PERFORMANCE: the write speeds for the current medium.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct WriteSpeedData {
    /// The descriptors, in the drive's order (usually fastest first).
    pub descriptors: Vec<WriteSpeedDescriptor>,
}

impl WriteSpeedData {
    /// Reads header and descriptors from the bytes transferred; a trailing partial
    /// descriptor is ignored.
    pub fn parse(buf: &[u8]) -> wire::Result<Self> {
        let header = PerformanceHeader::parse(buf)?;
        let descriptors = wire::records(
            header.body(buf),
            WriteSpeedDescriptor::LEN,
            WriteSpeedDescriptor::parse,
        )?;
        Ok(WriteSpeedData { descriptors })
    }

    /// Bytes [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        PERFORMANCE_HEADER_LEN + self.descriptors.len() * WriteSpeedDescriptor::LEN
    }

    /// Writes header and descriptors; the data length is computed.
    pub fn emit(&self, buf: &mut [u8]) -> wire::Result<usize> {
        let len = self.buffer_len();
        check_room(buf, len)?;
        PerformanceHeader {
            data_length: u32::try_from(len - 4).unwrap_or(u32::MAX),
            write: false,
            except: false,
        }
        .emit(buf)?;
        let mut at = PERFORMANCE_HEADER_LEN;
        for d in &self.descriptors {
            at += d.emit(&mut buf[at..])?;
        }
        Ok(at)
    }
}

// ---------------------------------------------------------------------------------------
// SET STREAMING
// ---------------------------------------------------------------------------------------

crate::wire_enum! {
    /// The Type field of SET STREAMING (CDB byte 8). MMC-6 §6.39.
    pub enum StreamingType: u8 {
        /// 00h: a performance descriptor follows.
        Performance = 0x00 => "Performance Descriptor",
        /// 05h: a DBI cache zone descriptor follows.
        DbiCacheZone = 0x05 => "DBI Cache Zone Descriptor",
        /// Reserved types (rejected by [`SetStreaming::parse`](crate::Command::parse)).
        Unknown => "reserved",
    }
}

crate::command! {
    /// SET STREAMING (B6h, 12 bytes). MMC-6 §6.39.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct SetStreaming: OpCode::SetStreaming, 12 bytes;
    {
        /// What the parameter list holds (byte 8).
        pub kind: StreamingType = named(u8(8), "SET STREAMING type"),
        /// Parameter list length in bytes (bytes 9-10; 28 for one performance descriptor).
        pub parameter_list_length: u16 = be16(9),
    }
}

impl SetStreaming {
    /// SET STREAMING carrying one performance descriptor (type 00h, length 28).
    pub fn performance() -> Self {
        SetStreaming {
            kind: StreamingType::Performance,
            parameter_list_length: PerformanceDescriptor::LEN as u16,
        }
    }
}

crate::record! {
    /// The SET STREAMING performance descriptor (28 bytes). MMC-6 §6.39.2.1.
    /// Throughput = size / time (kB per ms × 1000 = kB/s); drives round down to a step.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct PerformanceDescriptor, 28 bytes;
    {
        /// WRC (byte 0 bits 4:3): requested rotation control.
        pub wrc: RotationControl = from(bits(0, 0x03 << 3)),
        /// RDD (bit 2): restore drive defaults and ignore the rest.
        pub rdd: bool = bit(0, 2),
        /// Exact (bit 1): fail rather than round to a supported speed.
        pub exact: bool = bit(0, 1),
        /// RA (bit 0): random access.
        pub ra: bool = bit(0, 0),
        /// Start LBA.
        pub start_lba: u32 = be32(4),
        /// End LBA.
        pub end_lba: u32 = be32(8),
        /// Read size, kB.
        pub read_size: u32 = be32(12),
        /// Read time, ms.
        pub read_time: u32 = be32(16),
        /// Write size, kB.
        pub write_size: u32 = be32(20),
        /// Write time, ms.
        pub write_time: u32 = be32(24),
    }
}

impl PerformanceDescriptor {
    /// A descriptor asking for `read_kbps`/`write_kbps` over `start_lba..=end_lba`, the way
    /// Microsoft's sample does it (size = kB/s, time = 1000 ms).
    pub fn for_speed(
        wrc: RotationControl,
        start_lba: u32,
        end_lba: u32,
        read_kbps: u32,
        write_kbps: u32,
    ) -> Self {
        PerformanceDescriptor {
            wrc,
            rdd: false,
            exact: false,
            ra: false,
            start_lba,
            end_lba,
            read_size: read_kbps,
            read_time: 1000,
            write_size: write_kbps,
            write_time: 1000,
        }
    }

    /// Requested write rate in kB/s (`None` when the write time is 0).
    pub fn write_kbps(&self) -> Option<u32> {
        rate(self.write_size, self.write_time)
    }

    /// Requested read rate in kB/s (`None` when the read time is 0).
    pub fn read_kbps(&self) -> Option<u32> {
        rate(self.read_size, self.read_time)
    }
}

fn rate(size_kb: u32, time_ms: u32) -> Option<u32> {
    if time_ms == 0 {
        return None;
    }
    let v = u64::from(size_kb) * 1000 / u64::from(time_ms);
    Some(u32::try_from(v).unwrap_or(u32::MAX))
}

// ---------------------------------------------------------------------------------------
// SET CD SPEED
// ---------------------------------------------------------------------------------------

crate::command! {
    /// SET CD SPEED (BBh, 12 bytes). MMC-6 §6.37. Speeds in kB/s (CD 1× = 176.4);
    /// [`SetCdSpeed::MAX`] asks for the fastest the drive supports.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct SetCdSpeed: OpCode::SetCdSpeed, 12 bytes;
    {
        /// Rotational control (byte 1 bits 1:0).
        pub rotation: RotationControl = named(u8(1), "SET CD SPEED rotational control"),
        /// Read speed, kB/s (bytes 2-3).
        pub read_kbps: u16 = be16(2),
        /// Write speed, kB/s (bytes 4-5).
        pub write_kbps: u16 = be16(4),
    }
}

impl SetCdSpeed {
    /// FFFFh: the maximum speed.
    pub const MAX: u16 = 0xFFFF;
}

// ---------------------------------------------------------------------------------------
// READ BUFFER CAPACITY
// ---------------------------------------------------------------------------------------

crate::command! {
    /// READ BUFFER CAPACITY (5Ch, 10 bytes). MMC-6 §6.21.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct ReadBufferCapacity: OpCode::ReadBufferCapacity, 10 bytes;
    {
        /// Block (byte 1 bit 0): report available space in blocks, not bytes.
        pub block: bool = bit(1, 0),
        /// Allocation length (bytes 7-8; 12 is the whole answer).
        pub allocation_length: u16 = be16(7),
    }
}

impl ReadBufferCapacity {
    /// The byte-form request with a 12-byte allocation.
    pub fn bytes() -> Self {
        ReadBufferCapacity {
            block: false,
            allocation_length: BUFFER_CAPACITY_LEN as u16,
        }
    }

    /// The block-form request with a 12-byte allocation.
    pub fn blocks() -> Self {
        ReadBufferCapacity {
            block: true,
            allocation_length: BUFFER_CAPACITY_LEN as u16,
        }
    }
}

/// Length of either READ BUFFER CAPACITY answer.
pub const BUFFER_CAPACITY_LEN: usize = 12;

crate::record! {
    /// READ BUFFER CAPACITY answer with Block = 0: sizes in bytes. MMC-6 §6.21.2.
    /// The data length field (bytes 0-1) is 10.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct BufferCapacityBytes, 12 bytes;
    {
        /// Length of Buffer: the drive's write buffer, bytes (bytes 4-7).
        pub buffer_length: u32 = be32(4),
        /// Blank Length of Buffer: bytes free for more data (bytes 8-11).
        pub available_length: u32 = be32(8),
    }
    fixed be16(0) = (BUFFER_CAPACITY_LEN - 2) as u16;
}

impl BufferCapacityBytes {
    /// Bytes held in the buffer (length minus free), saturating at 0.
    pub fn used(&self) -> u32 {
        self.buffer_length.saturating_sub(self.available_length)
    }
}

crate::record! {
    /// READ BUFFER CAPACITY answer with Block = 1: free space in blocks. MMC-6 §6.21.3.
    /// The data length field (bytes 0-1) is 10.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct BufferCapacityBlocks, 12 bytes;
    {
        /// Available Length of Buffer, in blocks (bytes 8-11).
        pub available_blocks: u32 = be32(8),
    }
    fixed be16(0) = (BUFFER_CAPACITY_LEN - 2) as u16;
}

/// A read-only view of a READ BUFFER CAPACITY answer (either form); accessors never panic.
#[derive(Debug, Clone, Copy)]
pub struct BufferCapacityView<T: AsRef<[u8]>> {
    buf: T,
}

impl<T: AsRef<[u8]>> BufferCapacityView<T> {
    /// Wraps the bytes transferred.
    pub fn new(buf: T) -> Self {
        BufferCapacityView { buf }
    }

    /// Data length (bytes 0-1).
    pub fn data_length(&self) -> u16 {
        be16(self.buf.as_ref(), 0)
    }

    /// Length of buffer in bytes (bytes 4-7; Block = 0 form).
    pub fn buffer_length(&self) -> u32 {
        be32(self.buf.as_ref(), 4)
    }

    /// Blank length in bytes (Block = 0) or available blocks (Block = 1) (bytes 8-11).
    pub fn available(&self) -> u32 {
        be32(self.buf.as_ref(), 8)
    }

    /// Whether all 12 bytes were transferred.
    pub fn is_complete(&self) -> bool {
        self.buf.as_ref().len() >= BUFFER_CAPACITY_LEN
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Command;
    use proptest::prelude::*;

    #[test]
    fn get_performance_write_speeds_cdb() {
        let c = GetPerformance::write_speeds(32).emit();
        assert_eq!(
            c.as_bytes(),
            &[0xAC, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x20, 0x03, 0]
        );
        let p = GetPerformance::parse(c.as_bytes()).unwrap();
        assert_eq!(p.kind, PerformanceType::WriteSpeed);
        assert_eq!(p.max_descriptors, 32);
        assert_eq!(p.response_len(), 8 + 32 * 16);
    }

    #[test]
    fn get_performance_nominal_write_cdb() {
        // Tolerance 10b (bits 4:3), Write (bit 2): 0x14.
        let c = GetPerformance::performance(true, 0x1234, 1).emit();
        assert_eq!(
            c.as_bytes(),
            &[0xAC, 0x14, 0, 0, 0x12, 0x34, 0, 0, 0, 1, 0, 0]
        );
        let back = GetPerformance::parse(c.as_bytes()).unwrap();
        assert!(back.write);
        assert_eq!(back.except, Except::Nominal);
        assert_eq!(back.start_lba, 0x1234);
    }

    #[test]
    fn get_performance_rejects_bad_type0_fields() {
        // Tolerance 00b with type 00h: tgt answers INVALID FIELD IN CDB, so do we.
        let bad_tol = [0xAC, 0x04, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0];
        assert!(matches!(
            GetPerformance::parse(&bad_tol),
            Err(wire::Error::Invalid { .. })
        ));
        let bad_except = [0xAC, 0x13, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0];
        assert!(GetPerformance::parse(&bad_except).is_err());
        // The same byte 1 is fine for type 03h, where it is reserved.
        let t3 = [0xAC, 0x03, 0, 0, 0, 0, 0, 0, 0, 1, 3, 0];
        assert!(GetPerformance::parse(&t3).is_ok());
        assert!(GetPerformance::parse(&t3[..11]).is_err());
        let mut wrong_op = t3;
        wrong_op[0] = 0xAD;
        assert!(GetPerformance::parse(&wrong_op).is_err());
    }

    #[test]
    fn tgt_write_speed_answer() {
        // tgt's canned type 03h answer for DVD+R: one descriptor, MRW set, end LBA
        // 0x23053F, read = write = 0x0CFC (3324 kB/s = 2.4x DVD).
        let bytes = [
            0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, // header
            0x01, 0x00, 0x00, 0x00, 0x00, 0x23, 0x05, 0x3F, //
            0x00, 0x00, 0x0C, 0xFC, 0x00, 0x00, 0x0C, 0xFC,
        ];
        let d = WriteSpeedData::parse(&bytes).unwrap();
        assert_eq!(
            d.descriptors,
            vec![WriteSpeedDescriptor {
                wrc: RotationControl::Clv,
                rdd: false,
                exact: false,
                mrw: true,
                end_lba: 0x23053F,
                read_kbps: 3324,
                write_kbps: 3324,
            }]
        );
        let mut out = [0u8; 24];
        assert_eq!(d.emit(&mut out), Ok(24));
        assert_eq!(out, bytes);
        // Padded with zeros beyond the data length: padding is not a descriptor.
        let mut padded = bytes.to_vec();
        padded.resize(8 + 16 * 4, 0);
        assert_eq!(WriteSpeedData::parse(&padded).unwrap().descriptors.len(), 1);
        // Truncated: a partial descriptor is dropped.
        assert!(WriteSpeedData::parse(&bytes[..20])
            .unwrap()
            .descriptors
            .is_empty());
        assert!(WriteSpeedData::parse(&bytes[..7]).is_err());
    }

    #[test]
    fn write_speed_descriptor_cav_bits() {
        let d = WriteSpeedDescriptor {
            wrc: RotationControl::Cav,
            rdd: true,
            exact: true,
            mrw: false,
            end_lba: 0x00BA_7FFF,
            read_kbps: 0x0001_B798,
            write_kbps: 0x0000_D2F0,
        };
        let mut b = [0xFFu8; 16];
        d.emit(&mut b).unwrap();
        assert_eq!(
            b,
            [
                0x0E, 0, 0, 0, 0x00, 0xBA, 0x7F, 0xFF, 0x00, 0x01, 0xB7, 0x98, 0x00, 0x00, 0xD2,
                0xF0
            ]
        );
        assert_eq!(WriteSpeedDescriptor::parse(&b), Ok(d));
    }

    #[test]
    fn tgt_nominal_performance_answer() {
        // tgt type 00h, write: start 0 @ 0x15A4 kB/s, end 0x23053F @ 0x15A4.
        let bytes = [
            0x00, 0x00, 0x00, 0x14, 0x02, 0x00, 0x00, 0x00, //
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x15, 0xA4, //
            0x00, 0x23, 0x05, 0x3F, 0x00, 0x00, 0x15, 0xA4,
        ];
        let p = PerformanceData::parse(&bytes).unwrap();
        assert!(p.write);
        assert!(!p.except);
        assert_eq!(
            p.nominal,
            vec![NominalPerformance {
                start_lba: 0,
                start_kbps: 0x15A4,
                end_lba: 0x23053F,
                end_kbps: 0x15A4
            }]
        );
        let mut out = vec![0u8; p.buffer_len()];
        p.emit(&mut out).unwrap();
        assert_eq!(out, bytes);
    }

    #[test]
    fn exception_answer() {
        let bytes = [
            0x00, 0x00, 0x00, 0x10, 0x01, 0, 0, 0, //
            0x00, 0x00, 0x10, 0x00, 0x00, 0x64, //
            0x00, 0x00, 0x20, 0x00, 0x01, 0x00,
        ];
        let p = PerformanceData::parse(&bytes).unwrap();
        assert!(p.except);
        assert!(p.nominal.is_empty());
        assert_eq!(
            p.exceptions,
            vec![
                PerformanceException {
                    lba: 0x1000,
                    time: 100
                },
                PerformanceException {
                    lba: 0x2000,
                    time: 256
                }
            ]
        );
        let mut out = vec![0u8; p.buffer_len()];
        p.emit(&mut out).unwrap();
        assert_eq!(out, bytes);
    }

    #[test]
    fn set_streaming_cdb_and_descriptor() {
        let c = SetStreaming::performance().emit();
        assert_eq!(c.as_bytes(), &[0xB6, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x1C, 0]);
        assert_eq!(
            SetStreaming::parse(c.as_bytes()),
            Ok(SetStreaming::performance())
        );
        let mut bad = [0u8; 12];
        bad.copy_from_slice(c.as_bytes());
        bad[8] = 0x01;
        assert!(SetStreaming::parse(&bad).is_err());
        bad[8] = 0x05;
        assert_eq!(
            SetStreaming::parse(&bad).unwrap().kind,
            StreamingType::DbiCacheZone
        );

        // Microsoft's sample descriptor: CAV, LBA 0..0x231260, write 11080 kB/s per 1000 ms.
        let d = PerformanceDescriptor::for_speed(RotationControl::Cav, 0, 0x231260, 0, 11080);
        let mut b = [0u8; 28];
        assert_eq!(d.emit(&mut b), Ok(28));
        assert_eq!(
            b,
            [
                0x08, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x23, 0x12, 0x60, 0, 0, 0, 0, 0x00, 0x00, 0x03,
                0xE8, 0x00, 0x00, 0x2B, 0x48, 0x00, 0x00, 0x03, 0xE8
            ]
        );
        let back = PerformanceDescriptor::parse(&b).unwrap();
        assert_eq!(back, d);
        assert_eq!(back.write_kbps(), Some(11080));
        assert_eq!(back.read_kbps(), Some(0));
        let mut rdd = b;
        rdd[0] = 0x07;
        let r = PerformanceDescriptor::parse(&rdd).unwrap();
        assert!(r.rdd && r.exact && r.ra);
        assert_eq!(r.wrc, RotationControl::Clv);
        assert!(PerformanceDescriptor::parse(&b[..27]).is_err());
        let zero_time = PerformanceDescriptor { write_time: 0, ..d };
        assert_eq!(zero_time.write_kbps(), None);
    }

    #[test]
    fn set_cd_speed_cdb() {
        let s = SetCdSpeed {
            rotation: RotationControl::Clv,
            read_kbps: SetCdSpeed::MAX,
            write_kbps: 7056,
        };
        let c = s.emit();
        assert_eq!(
            c.as_bytes(),
            &[0xBB, 0x00, 0xFF, 0xFF, 0x1B, 0x90, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(SetCdSpeed::parse(c.as_bytes()), Ok(s));
        let bad = [0xBB, 0x02, 0xFF, 0xFF, 0x1B, 0x90, 0, 0, 0, 0, 0, 0];
        assert!(SetCdSpeed::parse(&bad).is_err());
        let cav = [0xBB, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            SetCdSpeed::parse(&cav).unwrap().rotation,
            RotationControl::Cav
        );
    }

    #[test]
    fn read_buffer_capacity_both_forms() {
        assert_eq!(
            ReadBufferCapacity::bytes().emit().as_bytes(),
            &[0x5C, 0, 0, 0, 0, 0, 0, 0, 12, 0]
        );
        assert_eq!(
            ReadBufferCapacity::blocks().emit().as_bytes(),
            &[0x5C, 1, 0, 0, 0, 0, 0, 0, 12, 0]
        );
        assert_eq!(
            ReadBufferCapacity::parse(&[0x5C, 1, 0, 0, 0, 0, 0, 0x01, 0x00, 0]),
            Ok(ReadBufferCapacity {
                block: true,
                allocation_length: 256
            })
        );
        // tgt: 8 MiB buffer, 4 MiB free.
        let tgt = [0, 10, 0, 0, 0x00, 0x80, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00];
        let b = BufferCapacityBytes::parse(&tgt).unwrap();
        assert_eq!(b.buffer_length, 8 << 20);
        assert_eq!(b.available_length, 4 << 20);
        assert_eq!(b.used(), 4 << 20);
        let mut out = [0xAAu8; 12];
        b.emit(&mut out).unwrap();
        assert_eq!(out, tgt);
        let blocks = [0, 10, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x08, 0x00];
        let k = BufferCapacityBlocks::parse(&blocks).unwrap();
        assert_eq!(k.available_blocks, 2048);
        k.emit(&mut out).unwrap();
        assert_eq!(out, blocks);
        assert!(BufferCapacityBytes::parse(&tgt[..11]).is_err());
        let v = BufferCapacityView::new(&tgt[..6]);
        assert_eq!(v.data_length(), 10);
        assert_eq!(v.buffer_length(), 0x0080_0000);
        assert_eq!(v.available(), 0);
        assert!(!v.is_complete());
        assert!(BufferCapacityView::new(&tgt).is_complete());
    }

    #[test]
    fn conversions() {
        use MediaFamily::*;
        // CD: 176 kB/s ~ 1x = 75 sectors/s (raw 2352-byte sectors).
        assert_eq!(kbps_to_sectors_per_second(Cd, 176), 75);
        assert_eq!(kbps_to_sectors_per_second(Cd, 7056), 3000); // 40x
        assert_eq!(sectors_per_second_to_kbps(Cd, 75), 176);
        assert!((kbps_to_x(Cd, 7056).unwrap() - 40.0).abs() < 1e-9);
        assert_eq!(x_to_kbps(Cd, 48.0), Some(8467));
        assert!((sectors_per_second_to_x(Cd, 75).unwrap() - 1.0).abs() < 1e-9);
        // DVD: 1x = 1385 kB/s = 676.27 sectors/s.
        assert_eq!(kbps_to_sectors_per_second(Dvd, 1385), 676);
        assert_eq!(x_to_kbps(Dvd, 16.0), Some(22_160));
        assert!((kbps_to_x(Dvd, 22_160).unwrap() - 16.0).abs() < 1e-9);
        assert_eq!(x_to_sectors_per_second(Dvd, 1.0), Some(676));
        // BD: 1x = 4495.5 kB/s = 2195.07 sectors/s.
        assert_eq!(x_to_sectors_per_second(Bd, 1.0), Some(2195));
        assert_eq!(x_to_kbps(Bd, 2.0), Some(8991));
        assert!((sectors_per_second_to_x(Bd, 2195).unwrap() - 1.0).abs() < 0.001);
        assert_eq!(sectors_per_second_to_kbps(Bd, 2195), 4495);
        assert_eq!(x_to_kbps(Bd, -1.0), Some(0));
        assert_eq!(x_to_kbps(Bd, f64::NAN), Some(0));
        assert_eq!(x_to_kbps(Bd, 1e30), Some(u32::MAX));
        assert_eq!(kbps_to_sectors_per_second(Dvd, u32::MAX), 2_097_152_000);
        // No 1x for "other" media; sectors still count 2048 bytes.
        assert_eq!(kbps_to_x(Other, 1000), None);
        assert_eq!(x_to_sectors_per_second(Other, 1.0), None);
        assert_eq!(kbps_to_sectors_per_second(Other, 2048), 1000);
        assert_eq!(field_one_x_bytes_per_second(HdDvd), Some(4_568_750));
    }

    fn rotation() -> impl Strategy<Value = RotationControl> {
        (0u8..4).prop_map(RotationControl::from)
    }

    prop_compose! {
        fn write_speed()(wrc in rotation(), rdd: bool, exact: bool, mrw: bool,
                         end_lba: u32, read_kbps: u32, write_kbps: u32) -> WriteSpeedDescriptor {
            WriteSpeedDescriptor { wrc, rdd, exact, mrw, end_lba, read_kbps, write_kbps }
        }
    }

    prop_compose! {
        fn perf_descriptor()(wrc in rotation(), rdd: bool, exact: bool, ra: bool,
                             v in proptest::array::uniform6(any::<u32>())) -> PerformanceDescriptor {
            PerformanceDescriptor { wrc, rdd, exact, ra, start_lba: v[0], end_lba: v[1],
                read_size: v[2], read_time: v[3], write_size: v[4], write_time: v[5] }
        }
    }

    prop_compose! {
        fn nominal()(v in proptest::array::uniform4(any::<u32>())) -> NominalPerformance {
            NominalPerformance { start_lba: v[0], start_kbps: v[1], end_lba: v[2], end_kbps: v[3] }
        }
    }

    proptest! {
        #[test]
        fn get_performance_round_trips(tolerance in 0u8..4, write: bool, except in 0u8..4,
                                       start_lba: u32, max: u16, kind: u8) {
            let cmd = GetPerformance { tolerance, write, except: Except::from(except), start_lba,
                max_descriptors: max, kind: PerformanceType::from(kind) };
            let parsed = GetPerformance::parse(cmd.emit().as_bytes());
            if kind == 0 && (tolerance != 2 || except == 3) {
                prop_assert!(parsed.is_err());
            } else {
                prop_assert_eq!(parsed, Ok(cmd));
            }
        }

        #[test]
        fn set_streaming_round_trips(kind in prop_oneof![Just(0u8), Just(5u8)], len: u16) {
            let cmd = SetStreaming { kind: StreamingType::from(kind), parameter_list_length: len };
            prop_assert_eq!(SetStreaming::parse(cmd.emit().as_bytes()), Ok(cmd));
        }

        #[test]
        fn set_cd_speed_round_trips(rot in 0u8..2, r: u16, w: u16) {
            let cmd = SetCdSpeed { rotation: RotationControl::from(rot), read_kbps: r, write_kbps: w };
            prop_assert_eq!(SetCdSpeed::parse(cmd.emit().as_bytes()), Ok(cmd));
        }

        #[test]
        fn read_buffer_capacity_round_trips(block: bool, alloc: u16) {
            let cmd = ReadBufferCapacity { block, allocation_length: alloc };
            prop_assert_eq!(ReadBufferCapacity::parse(cmd.emit().as_bytes()), Ok(cmd));
        }

        #[test]
        fn write_speed_data_round_trips(d in proptest::collection::vec(write_speed(), 0..20)) {
            let data = WriteSpeedData { descriptors: d };
            let mut buf = vec![0u8; data.buffer_len()];
            prop_assert_eq!(data.emit(&mut buf), Ok(buf.len()));
            prop_assert_eq!(WriteSpeedData::parse(&buf), Ok(data.clone()));
            // An emit into too small a buffer fails cleanly.
            let mut small = vec![0u8; data.buffer_len() - 1];
            prop_assert!(data.emit(&mut small).is_err());
        }

        #[test]
        fn performance_data_round_trips(write: bool, except: bool,
                                        n in proptest::collection::vec(nominal(), 0..20),
                                        e in proptest::collection::vec((any::<u32>(), any::<u16>()), 0..20)) {
            let data = PerformanceData {
                write,
                except,
                nominal: if except { vec![] } else { n },
                exceptions: if except {
                    e.into_iter().map(|(lba, time)| PerformanceException { lba, time }).collect()
                } else { vec![] },
            };
            let mut buf = vec![0u8; data.buffer_len()];
            prop_assert_eq!(data.emit(&mut buf), Ok(buf.len()));
            prop_assert_eq!(PerformanceData::parse(&buf), Ok(data));
        }

        #[test]
        fn performance_descriptor_round_trips(d in perf_descriptor()) {
            let mut buf = [0u8; 28];
            prop_assert_eq!(d.emit(&mut buf), Ok(28));
            prop_assert_eq!(PerformanceDescriptor::parse(&buf), Ok(d));
        }

        #[test]
        fn buffer_capacity_round_trips(a: u32, b: u32) {
            let bytes = BufferCapacityBytes { buffer_length: a, available_length: b };
            let mut buf = [0u8; 12];
            bytes.emit(&mut buf).unwrap();
            prop_assert_eq!(BufferCapacityBytes::parse(&buf), Ok(bytes));
            let blocks = BufferCapacityBlocks { available_blocks: a };
            blocks.emit(&mut buf).unwrap();
            prop_assert_eq!(BufferCapacityBlocks::parse(&buf), Ok(blocks));
        }

        #[test]
        fn conversions_are_monotonic_and_near_inverse(kbps in 0u32..2_000_000) {
            for f in [MediaFamily::Cd, MediaFamily::Dvd, MediaFamily::Bd, MediaFamily::HdDvd] {
                let s = kbps_to_sectors_per_second(f, kbps);
                prop_assert!(kbps_to_sectors_per_second(f, kbps + 1) >= s);
                let back = sectors_per_second_to_kbps(f, s);
                prop_assert!(back.abs_diff(kbps) <= 2, "{f:?} {kbps} -> {s} -> {back}");
                let x = kbps_to_x(f, kbps).unwrap();
                prop_assert!(x_to_kbps(f, x).unwrap().abs_diff(kbps) <= 1);
            }
        }

        #[test]
        fn parsers_survive_arbitrary_bytes(buf in proptest::collection::vec(any::<u8>(), 0..2000)) {
            crate::cdb::testing::parse_each!(&buf => GetPerformance, SetStreaming, SetCdSpeed,
                ReadBufferCapacity, PerformanceHeader, PerformanceDescriptor,
                BufferCapacityBytes, BufferCapacityBlocks);
            let v = BufferCapacityView::new(&buf);
            let _ = (v.data_length(), v.buffer_length(), v.available(), v.is_complete());
            if let Ok(d) = WriteSpeedData::parse(&buf) {
                prop_assert!(d.descriptors.len() * WriteSpeedDescriptor::LEN <= buf.len());
                prop_assert!(d.descriptors.capacity() * WriteSpeedDescriptor::LEN <= buf.len());
            }
            if let Ok(d) = PerformanceData::parse(&buf) {
                prop_assert!(d.nominal.capacity() * NominalPerformance::LEN <= buf.len());
                prop_assert!(d.exceptions.capacity() * PerformanceException::LEN <= buf.len());
            }
        }
    }
}
