//! Finding optical drives and their adapter limits in sysfs.
//!
//! Every SCSI CD/DVD/BD drive the kernel knows has a block node `srN` under
//! `/sys/class/block`, its SCSI device at `srN/device` (vendor, model, firmware
//! revision) and, when the `sg` module is loaded, a generic node under
//! `srN/device/scsi_generic/sgM`. The request queue (`srN/queue`) states how much one
//! command may carry and how buffers must be aligned.
//!
//! All functions take the sysfs root as a parameter so they run against a fake tree in
//! tests; [`discover`] uses the real `/sys`.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use discburn_mmc::Limits;

use crate::{OpenError, SgTransport};

/// Where the kernel mounts sysfs.
pub const SYSFS_ROOT: &str = "/sys";

/// Limits used when sysfs does not say (no queue directory): 64 KiB per command, the
/// block layer's default DMA alignment of 512 bytes.
pub const FALLBACK_LIMITS: Limits = Limits {
    max_transfer: 64 * 1024,
    alignment: 512,
    max_in_flight: 1,
};

/// One optical drive as sysfs describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriveInfo {
    /// Kernel name of the block node, e.g. `sr0`.
    pub name: String,
    /// The block node, e.g. `/dev/sr0` (what [`SgTransport::open`] should get: its
    /// exclusive open also refuses a mounted disc).
    pub block_device: PathBuf,
    /// The SCSI generic sibling, e.g. `/dev/sg1`, when the `sg` module is loaded.
    pub generic_device: Option<PathBuf>,
    /// INQUIRY vendor identification as the kernel cached it, trimmed.
    pub vendor: String,
    /// INQUIRY product identification, trimmed.
    pub model: String,
    /// INQUIRY product revision level (firmware), trimmed.
    pub revision: String,
    /// Capacity the kernel last read from the disc (`srN/size` × 512, from READ
    /// CAPACITY at open or media change). 0 means the kernel saw no disc; it is **not** a
    /// presence test for recordable media: a blank disc may show 0, one block, or the
    /// kernel's fallback guess when the drive fails READ CAPACITY. Ask the drive
    /// instead: [`DriveInfo::open_shared`] then [`SgTransport::medium_ready`]
    /// (TEST UNIT READY).
    ///
    /// [`SgTransport::medium_ready`]: crate::SgTransport::medium_ready
    pub capacity_bytes: u64,
    /// Transfer limits of the drive's request queue.
    pub limits: Limits,
}

impl DriveInfo {
    /// Opens the drive for exclusive use through its block node ([`SgTransport::open`]).
    pub fn open(&self) -> Result<SgTransport, OpenError> {
        SgTransport::open(&self.block_device)
    }

    /// Opens the drive without exclusive access ([`SgTransport::open_shared`]), for
    /// queries such as `drive.open_shared()?.medium_ready()?` while a disc is mounted.
    pub fn open_shared(&self) -> Result<SgTransport, OpenError> {
        SgTransport::open_shared(&self.block_device)
    }
}

/// Every optical drive of this machine, in `sr` number order.
///
/// A machine without SCSI support or without drives gives an empty list.
pub fn discover() -> io::Result<Vec<DriveInfo>> {
    discover_in(Path::new(SYSFS_ROOT))
}

/// Every optical drive under the sysfs tree rooted at `sysfs_root` (normally `/sys`),
/// in `sr` number order. Device node paths are the kernel names under `/dev`.
pub fn discover_in(sysfs_root: &Path) -> io::Result<Vec<DriveInfo>> {
    let class = sysfs_root.join("class/block");
    let entries = match fs::read_dir(&class) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut drives = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(index) = sr_index(&name) else {
            continue;
        };
        let node = entry.path();
        let scsi = node.join("device");
        let sectors = read_attribute(&node.join("size"))
            .and_then(|raw| sectors_attribute(&raw))
            .unwrap_or(0);
        drives.push((
            index,
            DriveInfo {
                block_device: Path::new("/dev").join(&name),
                generic_device: first_child(&scsi.join("scsi_generic"))
                    .map(|sg| Path::new("/dev").join(sg)),
                vendor: read_trimmed(&scsi.join("vendor")).unwrap_or_default(),
                model: read_trimmed(&scsi.join("model")).unwrap_or_default(),
                revision: read_trimmed(&scsi.join("rev")).unwrap_or_default(),
                capacity_bytes: sectors.saturating_mul(512),
                limits: queue_limits(&node.join("queue")),
                name,
            },
        ));
    }
    drives.sort_by_key(|(index, _)| *index);
    Ok(drives.into_iter().map(|(_, d)| d).collect())
}

/// `N` of a name `srN`.
fn sr_index(name: &str) -> Option<u32> {
    let digits = name.strip_prefix("sr")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

pub use discburn_mmc::buf::MAX_ALIGNMENT;

/// Largest transfer believed from sysfs: SG_IO's `dxfer_len` is 32 bits (whole KiB).
pub const MAX_TRANSFER: usize = (u32::MAX - 1023) as usize;

/// Most bytes read from one sysfs attribute (the kernel serves at most a page).
const MAX_ATTRIBUTE: u64 = 4096;

/// Limits of one request queue directory (`…/queue`): the largest transfer both
/// `max_hw_sectors_kb` (what the adapter can do; SG_IO pass-through is held to it) and
/// `max_sectors_kb` (what the block layer is set to) allow, and `dma_alignment + 1`.
/// Missing files fall back to [`FALLBACK_LIMITS`].
pub fn queue_limits(queue_dir: &Path) -> Limits {
    let attr = |file: &str| read_attribute(&queue_dir.join(file));
    limits_from_attributes(
        attr("max_hw_sectors_kb").as_deref(),
        attr("max_sectors_kb").as_deref(),
        attr("dma_alignment").as_deref(),
    )
}

/// [`queue_limits`] from the raw contents of the three queue attributes (`None`: file
/// absent). Unparseable values count as absent; the transfer size is capped at
/// [`MAX_TRANSFER`] and the alignment (always a power of two) at [`MAX_ALIGNMENT`].
pub fn limits_from_attributes(
    max_hw_sectors_kb: Option<&[u8]>,
    max_sectors_kb: Option<&[u8]>,
    dma_alignment: Option<&[u8]>,
) -> Limits {
    let kb = |raw: Option<&[u8]>| number_attribute(raw?).filter(|&v| v > 0);
    let max_kb = match (kb(max_hw_sectors_kb), kb(max_sectors_kb)) {
        (Some(hw), Some(soft)) => Some(hw.min(soft)),
        (one, other) => one.or(other),
    };
    let alignment = dma_alignment.and_then(number_attribute).map(|mask| {
        mask.saturating_add(1)
            .checked_next_power_of_two()
            .map_or(MAX_ALIGNMENT, |a| a.min(MAX_ALIGNMENT as u64) as usize)
    });
    Limits {
        max_transfer: max_kb
            .map(|kb| kb.saturating_mul(1024).min(MAX_TRANSFER as u64) as usize)
            .unwrap_or(FALLBACK_LIMITS.max_transfer),
        alignment: alignment.unwrap_or(FALLBACK_LIMITS.alignment),
        max_in_flight: 1,
    }
}

/// A sysfs text attribute (vendor, model, revision): padding and newline removed, bytes
/// that are not UTF-8 shown as U+FFFD rather than losing the whole value.
pub fn attribute_text(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).trim().to_string()
}

/// The block device's `size` attribute: its length in 512-byte sectors.
pub fn sectors_attribute(raw: &[u8]) -> Option<u64> {
    number_attribute(raw)
}

/// A decimal attribute; anything else (sign, junk, overflow) is `None`.
fn number_attribute(raw: &[u8]) -> Option<u64> {
    std::str::from_utf8(raw).ok()?.trim().parse().ok()
}

/// What sysfs says about one device node, found from its major:minor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeInfo {
    /// Kernel name of the block sibling (`sr0`), if any.
    pub block_name: Option<String>,
    /// Kernel name of the generic sibling (`sg1`), if any.
    pub generic_name: Option<String>,
    /// The request queue's limits (of the block sibling for an sg node).
    pub limits: Limits,
}

/// Looks up the node with device number `major:minor` (a block node when `block`,
/// else a character node) under `sysfs_root/dev/{block,char}/`.
///
/// Returns `None` when sysfs has no such node (not a SCSI device, or no sysfs).
pub fn node_info(sysfs_root: &Path, block: bool, major: u32, minor: u32) -> Option<NodeInfo> {
    let kind = if block { "block" } else { "char" };
    let node = sysfs_root.join(format!("dev/{kind}/{major}:{minor}"));
    if !node.exists() {
        return None;
    }
    let scsi = node.join("device");
    let block_name = if block {
        node.canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
    } else {
        first_child(&scsi.join("block"))
    };
    let generic_name = if block {
        first_child(&scsi.join("scsi_generic"))
    } else {
        node.canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
    };
    let queue = if block {
        node.join("queue")
    } else {
        match &block_name {
            Some(b) => scsi.join("block").join(b).join("queue"),
            None => node.join("queue"),
        }
    };
    Some(NodeInfo {
        block_name,
        generic_name,
        limits: queue_limits(&queue),
    })
}

/// The name of the (alphabetically) first entry of `dir`.
fn first_child(dir: &Path) -> Option<String> {
    fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .min()
}

/// The raw contents of a sysfs attribute, `None` when it cannot be read; never more than
/// [`MAX_ATTRIBUTE`] bytes.
fn read_attribute(path: &Path) -> Option<Vec<u8>> {
    let mut raw = Vec::new();
    fs::File::open(path)
        .ok()?
        .take(MAX_ATTRIBUTE)
        .read_to_end(&mut raw)
        .ok()?;
    Some(raw)
}

/// A sysfs text attribute with its padding and newline removed.
fn read_trimmed(path: &Path) -> Option<String> {
    read_attribute(path).map(|raw| attribute_text(&raw))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A scratch directory removed on drop (no tempfile dependency for one helper).
    pub(crate) struct Scratch(pub PathBuf);

    impl Scratch {
        pub(crate) fn new(tag: &str) -> Scratch {
            static N: AtomicUsize = AtomicUsize::new(0);
            let dir = std::env::temp_dir().join(format!(
                "discburn-sg-{tag}-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }

        pub(crate) fn write(&self, rel: &str, contents: &str) {
            let p = self.0.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, contents).unwrap();
        }

        pub(crate) fn mkdir(&self, rel: &str) {
            fs::create_dir_all(self.0.join(rel)).unwrap();
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    /// A sysfs tree the way a kernel with two drives lays it out: the SCSI devices under
    /// `devices/`, `class/block/srN` and `dev/{block,char}/M:m` as symlinks into it.
    fn fake_sysfs() -> Scratch {
        let s = Scratch::new("sysfs");
        let host = "devices/pci0000:00/0000:00:03.0/virtio0/host0/target0:0:0";
        // sr0: a drive with a readable disc and the sg module loaded (its sg is sg1,
        // because a disk took sg0).
        let d0 = format!("{host}/0:0:0:0");
        s.write(&format!("{d0}/vendor"), "QEMU    \n");
        s.write(&format!("{d0}/model"), "QEMU CD-ROM     \n");
        s.write(&format!("{d0}/rev"), "2.5+\n");
        s.write(&format!("{d0}/type"), "5\n");
        s.mkdir(&format!("{d0}/scsi_generic/sg1"));
        s.write(&format!("{d0}/block/sr0/size"), "9216\n");
        s.write(
            &format!("{d0}/block/sr0/queue/max_hw_sectors_kb"),
            "32767\n",
        );
        s.write(&format!("{d0}/block/sr0/queue/max_sectors_kb"), "1280\n");
        s.write(&format!("{d0}/block/sr0/queue/dma_alignment"), "511\n");
        // sr10: no disc, no sg module, no queue limits.
        let d1 = format!("{host}/0:0:1:0");
        s.write(&format!("{d1}/vendor"), "HL-DT-ST\n");
        s.write(&format!("{d1}/model"), "BD-RE  WH16NS60 \n");
        s.write(&format!("{d1}/rev"), "1.02\n");
        s.write(&format!("{d1}/block/sr10/size"), "0\n");
        // sr2: blank disc, sg loaded.
        let d2 = format!("{host}/0:0:2:0");
        s.write(&format!("{d2}/vendor"), "TSSTcorp\n");
        s.write(&format!("{d2}/model"), "DVD+-RW SH-216\n");
        s.write(&format!("{d2}/rev"), "SB00\n");
        s.mkdir(&format!("{d2}/scsi_generic/sg3"));
        s.write(&format!("{d2}/block/sr2/size"), "0\n");
        s.write(&format!("{d2}/block/sr2/queue/max_sectors_kb"), "512\n");
        s.write(&format!("{d2}/block/sr2/queue/dma_alignment"), "3\n");
        // A disk, to be ignored.
        let disk = format!("{host}/0:0:3:0");
        s.write(&format!("{disk}/block/sda/size"), "1000\n");
        s.mkdir(&format!("{disk}/scsi_generic/sg0"));

        s.mkdir("class/block");
        s.mkdir("dev/block");
        s.mkdir("dev/char");
        let link = |target: &str, at: &str| {
            std::os::unix::fs::symlink(s.0.join(target), s.0.join(at)).unwrap();
        };
        for (dev, blk, node) in [
            (&d0, "sr0", "11:0"),
            (&d1, "sr10", "11:10"),
            (&d2, "sr2", "11:2"),
            (&disk, "sda", "8:0"),
        ] {
            link(&format!("{dev}/block/{blk}"), &format!("class/block/{blk}"));
            link(&format!("{dev}/block/{blk}"), &format!("dev/block/{node}"));
            link(dev, &format!("{dev}/block/{blk}/device"));
        }
        for (dev, sg, node) in [(&d0, "sg1", "21:1"), (&d2, "sg3", "21:3")] {
            link(
                &format!("{dev}/scsi_generic/{sg}"),
                &format!("dev/char/{node}"),
            );
            link(dev, &format!("{dev}/scsi_generic/{sg}/device"));
        }
        // Names that look close but are not optical drives.
        s.mkdir("class/block/sr");
        s.mkdir("class/block/srx1");
        s
    }

    #[test]
    fn discovers_drives_in_order_with_details() {
        let sys = fake_sysfs();
        let drives = discover_in(&sys.0).unwrap();
        let names: Vec<&str> = drives.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["sr0", "sr2", "sr10"]);

        let d = &drives[0];
        assert_eq!(d.block_device, Path::new("/dev/sr0"));
        assert_eq!(d.generic_device.as_deref(), Some(Path::new("/dev/sg1")));
        assert_eq!(d.vendor, "QEMU");
        assert_eq!(d.model, "QEMU CD-ROM");
        assert_eq!(d.revision, "2.5+");
        assert_eq!(d.capacity_bytes, 9216 * 512);
        assert_eq!(
            d.limits,
            Limits {
                max_transfer: 1280 * 1024,
                alignment: 512,
                max_in_flight: 1
            }
        );

        let blank = &drives[1];
        assert_eq!(blank.generic_device.as_deref(), Some(Path::new("/dev/sg3")));
        assert_eq!(blank.capacity_bytes, 0);
        assert_eq!(blank.limits.max_transfer, 512 * 1024);
        assert_eq!(blank.limits.alignment, 4);

        let bare = &drives[2];
        assert_eq!(bare.generic_device, None);
        assert_eq!(bare.model, "BD-RE  WH16NS60");
        assert_eq!(bare.limits, FALLBACK_LIMITS);
    }

    #[test]
    fn no_class_block_means_no_drives() {
        let empty = Scratch::new("empty");
        assert!(discover_in(&empty.0).unwrap().is_empty());
    }

    #[test]
    fn node_info_from_block_and_char_numbers() {
        let sys = fake_sysfs();
        let b = node_info(&sys.0, true, 11, 0).unwrap();
        assert_eq!(b.block_name.as_deref(), Some("sr0"));
        assert_eq!(b.generic_name.as_deref(), Some("sg1"));
        assert_eq!(b.limits.max_transfer, 1280 * 1024);

        let c = node_info(&sys.0, false, 21, 3).unwrap();
        assert_eq!(c.block_name.as_deref(), Some("sr2"));
        assert_eq!(c.generic_name.as_deref(), Some("sg3"));
        assert_eq!(c.limits.alignment, 4);

        assert_eq!(node_info(&sys.0, false, 21, 9), None);
    }

    #[test]
    fn queue_limits_pick_the_smaller_bound() {
        let s = Scratch::new("queue");
        s.write("q/max_hw_sectors_kb", "64\n");
        s.write("q/max_sectors_kb", "128\n");
        s.write("q/dma_alignment", "0\n");
        let l = queue_limits(&s.0.join("q"));
        assert_eq!(l.max_transfer, 64 * 1024);
        assert_eq!(l.alignment, 1);
        s.write("r/max_hw_sectors_kb", "garbage\n");
        s.write("r/dma_alignment", "4095\n");
        let l = queue_limits(&s.0.join("r"));
        assert_eq!(l.max_transfer, FALLBACK_LIMITS.max_transfer);
        assert_eq!(l.alignment, 4096);
    }

    #[test]
    fn hostile_queue_attributes_stay_usable() {
        let s = Scratch::new("hostile");
        // usize::MAX - 1: mask + 1 then next_power_of_two overflowed (a panic in debug,
        // alignment 0 in release), and a huge alignment would be allocated for.
        s.write("q/dma_alignment", "18446744073709551614\n");
        s.write("q/max_hw_sectors_kb", "18446744073709551615\n");
        let l = queue_limits(&s.0.join("q"));
        assert_eq!(l.alignment, MAX_ALIGNMENT);
        assert_eq!(l.max_transfer, MAX_TRANSFER);
        s.write("r/dma_alignment", "1048575\n");
        s.write("r/max_sectors_kb", "-4\n");
        let l = queue_limits(&s.0.join("r"));
        assert_eq!(l.alignment, MAX_ALIGNMENT);
        assert_eq!(l.max_transfer, FALLBACK_LIMITS.max_transfer);
    }

    #[test]
    fn non_utf8_and_oversized_attributes() {
        let s = Scratch::new("bytes");
        let p = s.0.join("vendor");
        fs::write(&p, b"HL-DT-\xffST \n").unwrap();
        assert_eq!(read_trimmed(&p).as_deref(), Some("HL-DT-\u{FFFD}ST"));
        fs::write(&p, vec![b'7'; 1 << 20]).unwrap();
        assert_eq!(read_attribute(&p).map(|r| r.len()), Some(4096));
    }

    #[test]
    fn sr_names() {
        assert_eq!(sr_index("sr0"), Some(0));
        assert_eq!(sr_index("sr12"), Some(12));
        assert_eq!(sr_index("sr"), None);
        assert_eq!(sr_index("sda"), None);
        assert_eq!(sr_index("sr1p1"), None);
    }
}
