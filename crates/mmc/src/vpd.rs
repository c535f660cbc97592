//! Vital product data pages (SPC-4 §7.8), returned by INQUIRY with EVPD set: the ones
//! every SCSI device has — Supported VPD Pages (00h), Unit Serial Number (80h) and
//! Device Identification (83h). Initiators ask for them before anything else (QEMU's
//! iSCSI driver refuses a LUN whose page 00h fails; Linux reads 83h for /dev/disk/by-id).

use crate::wire::{self, be16, u8_at};

/// Page codes of the pages modelled here.
pub mod page {
    /// Supported VPD Pages.
    pub const SUPPORTED: u8 = 0x00;
    /// Unit Serial Number.
    pub const UNIT_SERIAL: u8 = 0x80;
    /// Device Identification.
    pub const DEVICE_ID: u8 = 0x83;
}

/// Peripheral device type of an MMC device (byte 0 of every page, qualifier 000b).
const MMC_DEVICE: u8 = 0x05;

/// One VPD page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VpdPage {
    /// 00h: the page codes the device returns, ascending.
    Supported(Vec<u8>),
    /// 80h: the product serial number, ASCII.
    UnitSerial(String),
    /// 83h: one T10 vendor ID based designator (type 1, code set ASCII, associated with
    /// the logical unit): the vendor (8 bytes, space-padded) then a vendor-specific part.
    DeviceId {
        /// T10 vendor identification.
        vendor: String,
        /// The vendor-specific identifier after it (product and serial).
        specific: String,
    },
}

fn padded(s: &str, n: usize) -> Vec<u8> {
    let mut v: Vec<u8> = s
        .bytes()
        .filter(|b| (0x20..0x7f).contains(b))
        .take(n)
        .collect();
    v.resize(n, b' ');
    v
}

fn ascii(s: &str, max: usize) -> Vec<u8> {
    s.bytes()
        .filter(|b| (0x20..0x7f).contains(b))
        .take(max)
        .collect()
}

impl VpdPage {
    /// The page code.
    pub fn code(&self) -> u8 {
        match self {
            VpdPage::Supported(_) => page::SUPPORTED,
            VpdPage::UnitSerial(_) => page::UNIT_SERIAL,
            VpdPage::DeviceId { .. } => page::DEVICE_ID,
        }
    }

    fn body(&self) -> Vec<u8> {
        match self {
            VpdPage::Supported(codes) => codes.iter().copied().take(251).collect(),
            VpdPage::UnitSerial(s) => ascii(s, 251),
            VpdPage::DeviceId { vendor, specific } => {
                let mut d = padded(vendor, 8);
                d.extend(ascii(specific, 243));
                // Code set 2 (ASCII), association 0 (LU), designator type 1 (T10 vendor).
                let mut v = vec![0x02, 0x01, 0x00, d.len() as u8];
                v.extend(d);
                v
            }
        }
    }

    /// Bytes the page takes.
    pub fn buffer_len(&self) -> usize {
        4 + self.body().len()
    }

    /// Writes the page; returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> wire::Result<usize> {
        let body = self.body();
        let len = 4 + body.len();
        let available = buf.len();
        let out = buf.get_mut(..len).ok_or(wire::Error::BufferTooSmall {
            needed: len,
            available,
        })?;
        out[0] = MMC_DEVICE;
        out[1] = self.code();
        out[2..4].copy_from_slice(&(body.len() as u16).to_be_bytes());
        out[4..].copy_from_slice(&body);
        Ok(len)
    }

    /// Reads a page the device returned (pages other than these three are refused).
    pub fn parse(buf: &[u8]) -> wire::Result<VpdPage> {
        let truncated = |needed: usize| wire::Error::Truncated {
            needed,
            available: buf.len(),
        };
        if buf.len() < 4 {
            return Err(truncated(4));
        }
        let len = usize::from(be16(buf, 2));
        let body = buf.get(4..4 + len).ok_or(truncated(4 + len))?;
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        match u8_at(buf, 1) {
            page::SUPPORTED => Ok(VpdPage::Supported(body.to_vec())),
            page::UNIT_SERIAL => Ok(VpdPage::UnitSerial(text(body))),
            page::DEVICE_ID => {
                let dlen = usize::from(u8_at(body, 3));
                let d = body.get(4..4 + dlen).ok_or(truncated(8 + dlen))?;
                if u8_at(body, 1) & 0x0f != 0x01 || d.len() < 8 {
                    return Err(wire::Error::Invalid {
                        field: "designator (not a T10 vendor ID)",
                        value: u64::from(u8_at(body, 1)),
                    });
                }
                Ok(VpdPage::DeviceId {
                    vendor: text(&d[..8]).trim_end().to_string(),
                    specific: text(&d[8..]),
                })
            }
            other => Err(wire::Error::Invalid {
                field: "VPD page code",
                value: u64::from(other),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn pages_have_spc_layouts() {
        let p = VpdPage::Supported(vec![0x00, 0x80, 0x83]);
        let mut b = [0u8; 16];
        let n = p.emit(&mut b).unwrap();
        assert_eq!(&b[..n], &[0x05, 0x00, 0x00, 0x03, 0x00, 0x80, 0x83]);
        let id = VpdPage::DeviceId {
            vendor: "DISCBURN".into(),
            specific: "VIRTUAL RECORDER 0123".into(),
        };
        let mut b = [0u8; 64];
        let n = id.emit(&mut b).unwrap();
        assert_eq!(
            &b[..8],
            &[
                0x05,
                0x83,
                0x00,
                (n - 4) as u8,
                0x02,
                0x01,
                0x00,
                (n - 8) as u8
            ]
        );
        assert_eq!(&b[8..16], b"DISCBURN");
        assert_eq!(VpdPage::parse(&b[..n]).unwrap(), id);
        assert!(id.emit(&mut [0u8; 10]).is_err());
    }

    proptest! {
        #[test]
        fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = VpdPage::parse(&bytes);
        }

        #[test]
        fn serials_round_trip(s in "[ -~]{0,200}") {
            let p = VpdPage::UnitSerial(s);
            let mut b = vec![0u8; p.buffer_len()];
            let n = p.emit(&mut b).unwrap();
            prop_assert_eq!(VpdPage::parse(&b[..n]).unwrap(), p);
        }
    }
}
