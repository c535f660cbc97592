//! Bootable images: El Torito (Phoenix/IBM "El Torito" Bootable CD-ROM Format
//! Specification 1.0) boot entries for BIOS and UEFI, and the hybrid partition tables
//! (MBR, GPT) that make the same image boot from a USB stick, as `xorriso -as mkisofs
//! -b … -boot-info-table -e … -isohybrid-mbr …` writes them. hadris-iso lays them out;
//! this module checks the settings against the folder's tree and names what is wrong.

use std::path::Path;

use hadris_fs::{FileType, Tree};
use hadris_iso::{BootEntry, BootInfo, ElTorito, Hybrid, IsoOptions};

use super::IsoError;

/// The 512-byte sectors BIOS loads from a no-emulation image when none is
/// given: 4 (one 2048-byte sector), what ISOLINUX and GRUB's `eltorito.img`
/// ask for (`-boot-load-size 4`); some BIOSes fail to load more.
pub const DEFAULT_LOAD_SIZE: u16 = 4;

/// The catalog's file name when the image gets none: beside the BIOS image,
/// as mkisofs users write `-c isolinux/boot.cat`.
const CATALOG_NAME: &str = "boot.cat";

/// MBR boot code (isohybrid's `isohdpfx.bin`) fits before the partition table.
pub const MBR_CODE_MAX: usize = 446;

/// A partition table in the image's system area (sectors 0–15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HybridTable {
    /// An MBR with one bootable partition over the image (BIOS USB boot; isohybrid).
    Mbr,
    /// A GPT with a protective MBR and the EFI image as EFI system partition (UEFI USB
    /// boot).
    Gpt,
    /// A GPT whose MBR also lists the image as a bootable partition (BIOS and UEFI).
    GptHybridMbr,
}

/// How a fresh image boots. Paths are inside the folder, `/`-separated, as
/// mkisofs' `-b` and `-e` take them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Boot {
    /// A BIOS no-emulation boot image (e.g. `isolinux/isolinux.bin`), with a boot
    /// information table written into it (`-boot-info-table`: ISOLINUX needs it).
    pub bios: Option<String>,
    /// A UEFI boot image: a FAT file system holding `EFI/BOOT/BOOTX64.EFI`
    /// (`-e efiboot.img -no-emul-boot`).
    pub efi: Option<String>,
    /// Where the boot catalog shows in the tree (default: `boot.cat` beside the BIOS
    /// image, or at the root for UEFI alone). It must not be a file of the folder.
    pub catalog: Option<String>,
    /// 512-byte sectors BIOS loads (default [`DEFAULT_LOAD_SIZE`]).
    pub load_size: Option<u16>,
    /// A partition table so the image also boots as a disk.
    pub hybrid: Option<HybridTable>,
    /// MBR boot code (at most [`MBR_CODE_MAX`] bytes, e.g. syslinux's
    /// `isohdpfx.bin`) for an [`HybridTable::Mbr`] or [`HybridTable::GptHybridMbr`]
    /// table.
    pub mbr_code: Option<Vec<u8>>,
}

impl Boot {
    /// Whether anything boots.
    pub fn is_some(&self) -> bool {
        self.bios.is_some() || self.efi.is_some()
    }

    /// Adds the boot entries and the partition table to `options`, after
    /// checking each image is a non-empty regular file of `tree` and the
    /// catalog's place is free. `dir` names the folder in errors.
    pub(super) fn apply(
        &self,
        dir: &Path,
        tree: &Tree,
        options: IsoOptions,
    ) -> Result<IsoOptions, IsoError> {
        let fail = |image: &str, reason: String| IsoError::Boot {
            image: dir.join(image.trim_start_matches('/')),
            reason,
        };
        if !self.is_some() {
            if self.hybrid.is_some() || self.mbr_code.is_some() || self.catalog.is_some() {
                return Err(fail(
                    "",
                    "a partition table, MBR code or boot catalog needs a boot image (--boot or --efi)".into(),
                ));
            }
            return Ok(options);
        }
        let mut catalog_dir = String::new();
        let mut el_torito = ElTorito::new();
        if let Some(bios) = &self.bios {
            let path = tree_path(bios);
            check_image(tree, &path).map_err(|reason| fail(bios, reason))?;
            let load = self.load_size.unwrap_or(DEFAULT_LOAD_SIZE);
            if load == 0 {
                return Err(fail(bios, "a load size of 0 sectors boots nothing; leave --boot-load-size out for the default of 4".into()));
            }
            catalog_dir = path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
            el_torito = el_torito.with_entry(
                BootEntry::bios(&path)
                    .with_load_size(load)
                    .with_boot_info(BootInfo::Table),
            );
        }
        if let Some(efi) = &self.efi {
            let path = tree_path(efi);
            check_image(tree, &path).map_err(|reason| fail(efi, reason))?;
            el_torito = el_torito.with_entry(BootEntry::uefi(&path));
        }
        let catalog = match &self.catalog {
            Some(c) => tree_path(c),
            None if catalog_dir.is_empty() => CATALOG_NAME.to_string(),
            None => format!("{catalog_dir}/{CATALOG_NAME}"),
        };
        if tree.get(&catalog).is_some() {
            return Err(fail(
                &catalog,
                "the boot catalog would replace this file of the folder; name another place with --boot-catalog".into(),
            ));
        }
        let mut options = options.with_el_torito(el_torito.with_catalog_path(&catalog));
        if let Some(table) = self.hybrid {
            let mut hybrid = match table {
                HybridTable::Mbr => Hybrid::mbr(),
                HybridTable::Gpt => Hybrid::gpt(),
                HybridTable::GptHybridMbr => Hybrid::gpt_hybrid_mbr(),
            };
            if let Some(code) = &self.mbr_code {
                if code.len() > MBR_CODE_MAX {
                    return Err(fail("", format!(
                        "the MBR boot code is {} bytes; at most {MBR_CODE_MAX} fit before the partition table (isohybrid's isohdpfx.bin is 432)",
                        code.len()
                    )));
                }
                if table == HybridTable::Gpt {
                    return Err(fail("", "a plain GPT has no MBR boot code; use --hybrid gpt+mbr or leave --mbr-code out".into()));
                }
                hybrid = hybrid.with_bootstrap(code);
            }
            options = options.with_hybrid(hybrid);
        } else if self.mbr_code.is_some() {
            return Err(fail(
                "",
                "MBR boot code needs a partition table: add --hybrid mbr".into(),
            ));
        }
        Ok(options)
    }
}

/// A tree path without leading or doubled slashes.
fn tree_path(p: &str) -> String {
    p.split('/')
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

/// Why `path` cannot be a boot image of `tree`, if it cannot.
fn check_image(tree: &Tree, path: &str) -> Result<(), String> {
    let Some(node) = tree.get(path) else {
        return Err("no such file in the folder (boot image paths are inside the folder, e.g. isolinux/isolinux.bin)".into());
    };
    if node.file_type() != FileType::File {
        return Err("not a regular file".into());
    }
    if node.content().is_none_or(|c| c.is_empty()) {
        return Err("the file is empty".into());
    }
    Ok(())
}
