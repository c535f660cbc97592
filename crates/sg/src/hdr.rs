//! The SG_IO v3 request header (`struct sg_io_hdr`, `<scsi/sg.h>`): building it from a
//! [`Request`] and decoding the kernel's answer into a [`Completion`] or a
//! [`TransportError`].
//!
//! Everything here is plain data and pure functions so it can be tested without a
//! drive; the ioctl itself is in `sys`.

use std::marker::PhantomData;
use std::time::Duration;

use discburn_mmc::transport::{Completion, DataPhase, Request, ScsiStatus, TransportError};

/// `interface_id` of the v3 header: `'S'`.
pub const SG_INTERFACE_ID: i32 = b'S' as i32;
/// `dxfer_direction`: no data phase.
pub const SG_DXFER_NONE: i32 = -1;
/// `dxfer_direction`: host to device (Data-Out).
pub const SG_DXFER_TO_DEV: i32 = -2;
/// `dxfer_direction`: device to host (Data-In).
pub const SG_DXFER_FROM_DEV: i32 = -3;
/// Largest sense buffer the kernel fills (`SCSI_SENSE_BUFFERSIZE`).
pub const SENSE_LEN: usize = 96;

/// `struct sg_io_hdr` exactly as the kernel lays it out (`include/scsi/sg.h`).
///
/// The pointers borrow the CDB, data and sense buffers of one request; a
/// [`Prepared`] header ties them to those borrows.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct SgIoHdr {
    /// Always [`SG_INTERFACE_ID`].
    pub interface_id: i32,
    /// One of the `SG_DXFER_*` directions.
    pub dxfer_direction: i32,
    /// CDB length in bytes.
    pub cmd_len: u8,
    /// Capacity of the sense buffer.
    pub mx_sb_len: u8,
    /// 0: `dxferp` is a flat buffer, not an iovec.
    pub iovec_count: u16,
    /// Bytes to transfer.
    pub dxfer_len: u32,
    /// Data buffer.
    pub dxferp: *mut libc::c_void,
    /// The CDB.
    pub cmdp: *const u8,
    /// Sense buffer.
    pub sbp: *mut u8,
    /// Timeout in milliseconds.
    pub timeout: u32,
    /// `SG_FLAG_*` bits (0: indirect I/O, the kernel copies).
    pub flags: u32,
    /// Unused with SG_IO.
    pub pack_id: i32,
    /// Unused with SG_IO.
    pub usr_ptr: *mut libc::c_void,
    /// SCSI status byte returned by the device.
    pub status: u8,
    /// Obsolete shifted status.
    pub masked_status: u8,
    /// Messaging-level status (unused by modern HBAs).
    pub msg_status: u8,
    /// Bytes of sense data actually written.
    pub sb_len_wr: u8,
    /// Host adapter status (`DID_*`).
    pub host_status: u16,
    /// Driver status (`DRIVER_*`).
    pub driver_status: u16,
    /// `dxfer_len` minus bytes actually transferred.
    pub resid: i32,
    /// Milliseconds the command took.
    pub duration: u32,
    /// `SG_INFO_*` bits.
    pub info: u32,
}

impl SgIoHdr {
    /// A header with every field zero except the interface id, for decoding tests and
    /// as the starting point of [`Prepared::new`].
    pub fn zeroed() -> Self {
        SgIoHdr {
            interface_id: SG_INTERFACE_ID,
            dxfer_direction: SG_DXFER_NONE,
            cmd_len: 0,
            mx_sb_len: 0,
            iovec_count: 0,
            dxfer_len: 0,
            dxferp: std::ptr::null_mut(),
            cmdp: std::ptr::null(),
            sbp: std::ptr::null_mut(),
            timeout: 0,
            flags: 0,
            pack_id: 0,
            usr_ptr: std::ptr::null_mut(),
            status: 0,
            masked_status: 0,
            msg_status: 0,
            sb_len_wr: 0,
            host_status: 0,
            driver_status: 0,
            resid: 0,
            duration: 0,
            info: 0,
        }
    }
}

/// A header filled for one request, holding the borrows its pointers refer to so the
/// buffers outlive the ioctl.
#[derive(Debug)]
pub struct Prepared<'a> {
    hdr: SgIoHdr,
    timeout: Duration,
    _borrows: PhantomData<&'a mut [u8]>,
}

impl<'a> Prepared<'a> {
    /// Fills a header for `request`, pointing at its CDB and data and at `sense`.
    ///
    /// Fails with [`TransportError::InvalidRequest`] for a CDB outside 6..=16 bytes or a
    /// data phase longer than `max_transfer`.
    pub fn new(
        request: &'a mut Request<'_>,
        sense: &'a mut [u8; SENSE_LEN],
        max_transfer: usize,
    ) -> Result<Self, TransportError> {
        request.check()?;
        let len = request.data.len();
        if len > max_transfer || u32::try_from(len).is_err() {
            return Err(TransportError::InvalidRequest(format!(
                "data phase of {len} bytes exceeds the adapter's limit of {max_transfer} bytes"
            )));
        }
        let mut hdr = SgIoHdr::zeroed();
        let (direction, ptr) = match &mut request.data {
            DataPhase::None => (SG_DXFER_NONE, std::ptr::null_mut()),
            // An empty buffer is no data phase as far as the kernel is concerned.
            DataPhase::In([]) | DataPhase::Out([]) => (SG_DXFER_NONE, std::ptr::null_mut()),
            DataPhase::In(b) => (SG_DXFER_FROM_DEV, b.as_mut_ptr().cast()),
            // The kernel only reads a TO_DEV buffer; the field is `void *` for both ways.
            DataPhase::Out(b) => (SG_DXFER_TO_DEV, b.as_ptr().cast_mut().cast()),
        };
        hdr.dxfer_direction = direction;
        hdr.dxferp = ptr;
        hdr.dxfer_len = if ptr.is_null() { 0 } else { len as u32 };
        hdr.cmd_len = request.cdb.len() as u8;
        hdr.cmdp = request.cdb.as_ptr();
        hdr.mx_sb_len = SENSE_LEN as u8;
        hdr.sbp = sense.as_mut_ptr();
        hdr.timeout = timeout_ms(request.timeout);
        Ok(Prepared {
            hdr,
            timeout: request.timeout,
            _borrows: PhantomData,
        })
    }

    /// The header to hand to the ioctl (the kernel writes the status fields back).
    pub(crate) fn hdr_mut(&mut self) -> &mut SgIoHdr {
        &mut self.hdr
    }

    /// The header as filled or as the kernel left it.
    pub fn hdr(&self) -> &SgIoHdr {
        &self.hdr
    }

    /// The timeout the request asked for (reported back in [`TransportError::Timeout`]).
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
}

/// The timeout field: whole milliseconds, rounded up so a sub-millisecond timeout is
/// not zero (which some kernels read as "use the default"), saturated at `u32::MAX`.
pub fn timeout_ms(t: Duration) -> u32 {
    let ms = t.as_nanos().div_ceil(1_000_000).max(1);
    u32::try_from(ms).unwrap_or(u32::MAX)
}

discburn_mmc::wire_enum! {
    /// Host adapter status (`DID_*`, `include/scsi/scsi_status.h`): how the HBA or the
    /// transport below the SCSI layer fared, independent of the device's own status.
    pub enum HostStatus: u16 {
        /// 00h DID_OK.
        Ok = 0x00 => "DID_OK",
        /// 01h DID_NO_CONNECT: the device could not be reached.
        NoConnect = 0x01 => "DID_NO_CONNECT",
        /// 02h DID_BUS_BUSY.
        BusBusy = 0x02 => "DID_BUS_BUSY",
        /// 03h DID_TIME_OUT.
        TimeOut = 0x03 => "DID_TIME_OUT",
        /// 04h DID_BAD_TARGET.
        BadTarget = 0x04 => "DID_BAD_TARGET",
        /// 05h DID_ABORT.
        Abort = 0x05 => "DID_ABORT",
        /// 06h DID_PARITY.
        Parity = 0x06 => "DID_PARITY",
        /// 07h DID_ERROR: internal adapter error.
        Error = 0x07 => "DID_ERROR",
        /// 08h DID_RESET.
        Reset = 0x08 => "DID_RESET",
        /// 09h DID_BAD_INTR.
        BadIntr = 0x09 => "DID_BAD_INTR",
        /// 0Ah DID_PASSTHROUGH.
        Passthrough = 0x0a => "DID_PASSTHROUGH",
        /// 0Bh DID_SOFT_ERROR.
        SoftError = 0x0b => "DID_SOFT_ERROR",
        /// 0Ch DID_IMM_RETRY.
        ImmRetry = 0x0c => "DID_IMM_RETRY",
        /// 0Dh DID_REQUEUE.
        Requeue = 0x0d => "DID_REQUEUE",
        /// 0Eh DID_TRANSPORT_DISRUPTED.
        TransportDisrupted = 0x0e => "DID_TRANSPORT_DISRUPTED",
        /// 0Fh DID_TRANSPORT_FAILFAST.
        TransportFailfast = 0x0f => "DID_TRANSPORT_FAILFAST",
        /// 11h DID_NEXUS_FAILURE.
        NexusFailure = 0x11 => "DID_NEXUS_FAILURE",
        /// 12h DID_ALLOC_FAILURE.
        AllocFailure = 0x12 => "DID_ALLOC_FAILURE",
        /// 13h DID_MEDIUM_ERROR.
        MediumError = 0x13 => "DID_MEDIUM_ERROR",
        /// 14h DID_TRANSPORT_MARGINAL.
        TransportMarginal = 0x14 => "DID_TRANSPORT_MARGINAL",
        /// Any other value, kept as received.
        Unknown => "DID_UNKNOWN",
    }
}

discburn_mmc::wire_enum! {
    /// Driver status (`DRIVER_*`, low nibble of `driver_status`; the high nibble held
    /// obsolete "suggest" bits, which are dropped).
    pub enum DriverStatus: u16 & 0x0f {
        /// 0 DRIVER_OK.
        Ok = 0 => "DRIVER_OK",
        /// 1 DRIVER_BUSY.
        Busy = 1 => "DRIVER_BUSY",
        /// 2 DRIVER_SOFT.
        Soft = 2 => "DRIVER_SOFT",
        /// 3 DRIVER_MEDIA.
        Media = 3 => "DRIVER_MEDIA",
        /// 4 DRIVER_ERROR.
        Error = 4 => "DRIVER_ERROR",
        /// 5 DRIVER_INVALID.
        Invalid = 5 => "DRIVER_INVALID",
        /// 6 DRIVER_TIMEOUT.
        Timeout = 6 => "DRIVER_TIMEOUT",
        /// 7 DRIVER_HARD.
        Hard = 7 => "DRIVER_HARD",
        /// 8 DRIVER_SENSE: sense data is valid (normal with CHECK CONDITION).
        Sense = 8 => "DRIVER_SENSE",
        /// Any other value, kept as received.
        Unknown => "DRIVER_UNKNOWN",
    }
}

/// Turns the header the kernel returned into what the device answered, or into the
/// reason the command never got a device answer.
///
/// `sense` is the buffer the header's `sbp` pointed at. A non-OK host status always
/// wins over the SCSI status (the status byte is meaningless when the adapter failed);
/// a CHECK CONDITION with DRIVER_SENSE is a normal completion carrying sense data.
pub fn decode(
    hdr: &SgIoHdr,
    sense: &[u8],
    timeout: Duration,
) -> Result<Completion, TransportError> {
    let host = HostStatus::from(hdr.host_status);
    match host {
        HostStatus::Ok => {}
        HostStatus::TimeOut => return Err(TransportError::Timeout(timeout)),
        HostStatus::NoConnect | HostStatus::BadTarget | HostStatus::TransportFailfast => {
            return Err(TransportError::DeviceGone(format!(
                "host adapter reports {} ({:#04x})",
                host.name(),
                hdr.host_status
            )))
        }
        HostStatus::Abort
        | HostStatus::Reset
        | HostStatus::BusBusy
        | HostStatus::SoftError
        | HostStatus::ImmRetry
        | HostStatus::Requeue
        | HostStatus::TransportDisrupted
        | HostStatus::TransportMarginal => {
            return Err(TransportError::Aborted(format!(
                "host adapter reports {} ({:#04x}); the command may be retried",
                host.name(),
                hdr.host_status
            )))
        }
        _ => {
            return Err(TransportError::Io(std::io::Error::other(format!(
                "host adapter reports {} ({:#04x})",
                host.name(),
                hdr.host_status
            ))))
        }
    }
    let status = ScsiStatus::from(hdr.status);
    match DriverStatus::from(hdr.driver_status) {
        DriverStatus::Ok | DriverStatus::Sense => {}
        DriverStatus::Timeout => return Err(TransportError::Timeout(timeout)),
        // Older kernels pair CHECK CONDITION with DRIVER_ERROR|SUGGEST_*; the sense data
        // is still the device's answer then.
        _ if status == ScsiStatus::CheckCondition && hdr.sb_len_wr > 0 => {}
        DriverStatus::Invalid => {
            return Err(TransportError::InvalidRequest(format!(
                "the sg driver rejected the request (driver status {:#04x})",
                hdr.driver_status
            )))
        }
        other => {
            return Err(TransportError::Io(std::io::Error::other(format!(
                "the sg driver reports {other:?} (driver status {:#04x})",
                hdr.driver_status
            ))))
        }
    }
    let requested = hdr.dxfer_len as usize;
    // A negative or oversized residual is a driver quirk; clamp to what was asked for.
    let resid = usize::try_from(hdr.resid).unwrap_or(0).min(requested);
    let transferred = requested - resid;
    let sense = if status == ScsiStatus::CheckCondition {
        let n = usize::from(hdr.sb_len_wr).min(sense.len());
        sense[..n].to_vec()
    } else {
        Vec::new()
    };
    Ok(Completion {
        status,
        sense,
        transferred,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    /// The kernel ABI of `struct sg_io_hdr` on LP64 Linux (x86_64, aarch64, …).
    #[cfg(target_pointer_width = "64")]
    #[test]
    fn layout_matches_kernel_abi() {
        assert_eq!(size_of::<SgIoHdr>(), 88);
        assert_eq!(offset_of!(SgIoHdr, interface_id), 0);
        assert_eq!(offset_of!(SgIoHdr, dxfer_direction), 4);
        assert_eq!(offset_of!(SgIoHdr, cmd_len), 8);
        assert_eq!(offset_of!(SgIoHdr, mx_sb_len), 9);
        assert_eq!(offset_of!(SgIoHdr, iovec_count), 10);
        assert_eq!(offset_of!(SgIoHdr, dxfer_len), 12);
        assert_eq!(offset_of!(SgIoHdr, dxferp), 16);
        assert_eq!(offset_of!(SgIoHdr, cmdp), 24);
        assert_eq!(offset_of!(SgIoHdr, sbp), 32);
        assert_eq!(offset_of!(SgIoHdr, timeout), 40);
        assert_eq!(offset_of!(SgIoHdr, flags), 44);
        assert_eq!(offset_of!(SgIoHdr, pack_id), 48);
        assert_eq!(offset_of!(SgIoHdr, usr_ptr), 56);
        assert_eq!(offset_of!(SgIoHdr, status), 64);
        assert_eq!(offset_of!(SgIoHdr, masked_status), 65);
        assert_eq!(offset_of!(SgIoHdr, msg_status), 66);
        assert_eq!(offset_of!(SgIoHdr, sb_len_wr), 67);
        assert_eq!(offset_of!(SgIoHdr, host_status), 68);
        assert_eq!(offset_of!(SgIoHdr, driver_status), 70);
        assert_eq!(offset_of!(SgIoHdr, resid), 72);
        assert_eq!(offset_of!(SgIoHdr, duration), 76);
        assert_eq!(offset_of!(SgIoHdr, info), 80);
    }

    const T: Duration = Duration::from_secs(5);

    #[test]
    fn builds_data_in() {
        let cdb = [0x12, 0, 0, 0, 36, 0];
        let mut buf = [0u8; 36];
        let buf_ptr = buf.as_ptr();
        let mut req = Request::data_in(&cdb, &mut buf, T);
        let mut sense = [0u8; SENSE_LEN];
        let p = Prepared::new(&mut req, &mut sense, 65536).unwrap();
        let h = p.hdr();
        assert_eq!(h.interface_id, 'S' as i32);
        assert_eq!(h.dxfer_direction, SG_DXFER_FROM_DEV);
        assert_eq!(h.dxfer_len, 36);
        assert_eq!(h.dxferp.cast_const().cast::<u8>(), buf_ptr);
        assert_eq!(h.cmd_len, 6);
        assert_eq!(h.cmdp, cdb.as_ptr());
        assert_eq!(h.mx_sb_len as usize, SENSE_LEN);
        assert_eq!(h.timeout, 5000);
        assert_eq!(h.iovec_count, 0);
    }

    #[test]
    fn builds_data_out_and_none() {
        let cdb = [0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0];
        let data = [0xA5u8; 2048];
        let mut req = Request::data_out(&cdb, &data, Duration::from_millis(1500));
        let mut sense = [0u8; SENSE_LEN];
        let p = Prepared::new(&mut req, &mut sense, 65536).unwrap();
        assert_eq!(p.hdr().dxfer_direction, SG_DXFER_TO_DEV);
        assert_eq!(p.hdr().dxfer_len, 2048);
        assert_eq!(p.hdr().timeout, 1500);

        let tur = [0u8; 6];
        let mut req = Request::none(&tur, T);
        let mut sense = [0u8; SENSE_LEN];
        let p = Prepared::new(&mut req, &mut sense, 65536).unwrap();
        assert_eq!(p.hdr().dxfer_direction, SG_DXFER_NONE);
        assert_eq!(p.hdr().dxfer_len, 0);
        assert!(p.hdr().dxferp.is_null());

        let mut empty: [u8; 0] = [];
        let mut req = Request::data_in(&tur, &mut empty, T);
        let mut sense = [0u8; SENSE_LEN];
        let p = Prepared::new(&mut req, &mut sense, 65536).unwrap();
        assert_eq!(p.hdr().dxfer_direction, SG_DXFER_NONE);
    }

    #[test]
    fn rejects_oversized_transfer_and_bad_cdb() {
        let cdb = [0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0];
        let data = vec![0u8; 4096];
        let mut req = Request::data_out(&cdb, &data, T);
        let mut sense = [0u8; SENSE_LEN];
        let err = Prepared::new(&mut req, &mut sense, 2048).unwrap_err();
        assert!(matches!(err, TransportError::InvalidRequest(m) if m.contains("2048")));

        let short = [0u8; 4];
        let mut req = Request::none(&short, T);
        let mut sense = [0u8; SENSE_LEN];
        assert!(matches!(
            Prepared::new(&mut req, &mut sense, 2048),
            Err(TransportError::InvalidRequest(_))
        ));
    }

    #[test]
    fn timeout_rounds_up_and_saturates() {
        assert_eq!(timeout_ms(Duration::ZERO), 1);
        assert_eq!(timeout_ms(Duration::from_micros(1)), 1);
        assert_eq!(timeout_ms(Duration::from_micros(1001)), 2);
        assert_eq!(timeout_ms(Duration::from_secs(60)), 60_000);
        assert_eq!(timeout_ms(Duration::from_secs(u64::MAX)), u32::MAX);
    }

    fn answered(status: u8, host: u16, driver: u16, len: u32, resid: i32) -> SgIoHdr {
        let mut h = SgIoHdr::zeroed();
        h.status = status;
        h.host_status = host;
        h.driver_status = driver;
        h.dxfer_len = len;
        h.resid = resid;
        h
    }

    #[test]
    fn good_with_residual() {
        let h = answered(0, 0, 0, 252, 200);
        let c = decode(&h, &[0; SENSE_LEN], T).unwrap();
        assert!(c.is_good());
        assert_eq!(c.transferred, 52);
        assert!(c.sense.is_empty());
    }

    #[test]
    fn residual_quirks_are_clamped() {
        let c = decode(&answered(0, 0, 0, 100, -4), &[], T).unwrap();
        assert_eq!(c.transferred, 100);
        let c = decode(&answered(0, 0, 0, 100, 1000), &[], T).unwrap();
        assert_eq!(c.transferred, 0);
    }

    #[test]
    fn check_condition_carries_written_sense_only() {
        let mut sense = [0u8; SENSE_LEN];
        sense[..18].copy_from_slice(&[
            0x70, 0, 0x05, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x21, 0x00, 0, 0, 0, 0,
        ]);
        sense[18] = 0xEE; // beyond sb_len_wr: must not be reported
        let mut h = answered(0x02, 0, 0x08, 2048, 2048);
        h.sb_len_wr = 18;
        let c = decode(&h, &sense, T).unwrap();
        assert_eq!(c.status, ScsiStatus::CheckCondition);
        assert_eq!(c.sense.len(), 18);
        assert_eq!(c.sense[12], 0x21);
        assert_eq!(c.transferred, 0);

        // sb_len_wr larger than the buffer we own is clamped.
        h.sb_len_wr = 200;
        let c = decode(&h, &sense[..20], T).unwrap();
        assert_eq!(c.sense.len(), 20);

        // Old kernels: DRIVER_ERROR | SUGGEST_SENSE with CHECK CONDITION.
        let mut h = answered(0x02, 0, 0x14 | 0x04, 0, 0);
        h.sb_len_wr = 18;
        let c = decode(&h, &sense, T).unwrap();
        assert_eq!(c.status, ScsiStatus::CheckCondition);
    }

    #[test]
    fn other_device_statuses_pass_through_without_sense() {
        let mut h = answered(0x08, 0, 0, 0, 0);
        h.sb_len_wr = 18;
        let c = decode(&h, &[0x70; SENSE_LEN], T).unwrap();
        assert_eq!(c.status, ScsiStatus::Busy);
        assert!(c.sense.is_empty());
    }

    #[test]
    fn host_status_becomes_transport_error() {
        let t = Duration::from_secs(7);
        assert!(matches!(
            decode(&answered(0, 0x03, 0, 0, 0), &[], t),
            Err(TransportError::Timeout(d)) if d == t
        ));
        assert!(matches!(
            decode(&answered(0, 0x01, 0, 0, 0), &[], t),
            Err(TransportError::DeviceGone(m)) if m.contains("DID_NO_CONNECT")
        ));
        assert!(matches!(
            decode(&answered(0, 0x04, 0, 0, 0), &[], t),
            Err(TransportError::DeviceGone(_))
        ));
        assert!(matches!(
            decode(&answered(0, 0x0f, 0, 0, 0), &[], t),
            Err(TransportError::DeviceGone(_))
        ));
        for aborted in [0x02u16, 0x05, 0x08, 0x0b, 0x0c, 0x0d, 0x0e, 0x14] {
            assert!(
                matches!(
                    decode(&answered(0, aborted, 0, 0, 0), &[], t),
                    Err(TransportError::Aborted(_))
                ),
                "host status {aborted:#x}"
            );
        }
        // Host status wins even over a GOOD device status.
        assert!(matches!(
            decode(&answered(0, 0x07, 0, 0, 0), &[], t),
            Err(TransportError::Io(e)) if e.to_string().contains("DID_ERROR")
        ));
        assert!(matches!(
            decode(&answered(0x02, 0x77, 0x08, 0, 0), &[], t),
            Err(TransportError::Io(_))
        ));
    }

    #[test]
    fn driver_status_becomes_transport_error() {
        assert!(matches!(
            decode(&answered(0, 0, 0x06, 0, 0), &[], T),
            Err(TransportError::Timeout(_))
        ));
        assert!(matches!(
            decode(&answered(0, 0, 0x05, 0, 0), &[], T),
            Err(TransportError::InvalidRequest(_))
        ));
        assert!(matches!(
            decode(&answered(0, 0, 0x04, 0, 0), &[], T),
            Err(TransportError::Io(_))
        ));
        // Suggest bits alone (high nibble) do not make an error.
        assert!(decode(&answered(0, 0, 0x10, 0, 0), &[], T).is_ok());
    }

    #[test]
    fn status_codes_round_trip_names() {
        assert_eq!(HostStatus::from(0x0e), HostStatus::TransportDisrupted);
        assert_eq!(HostStatus::from(0x10), HostStatus::Unknown(0x10));
        assert_eq!(HostStatus::from(0x03).name(), "DID_TIME_OUT");
        assert_eq!(DriverStatus::from(0x28), DriverStatus::Sense);
        assert_eq!(DriverStatus::from(0x0c), DriverStatus::Unknown(0x0c));
    }
}
