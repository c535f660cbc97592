//! Bootable folder burns (`--boot`, `--efi`, `--hybrid`), checked by programs nobody
//! here wrote: a PC (QEMU's SeaBIOS, TCG) boots Debian's ISOLINUX from the burnt disc,
//! and from the same image as a hard disk through syslinux's isohybrid MBR, and prints
//! its `SAY` line on the serial console; xorriso reports the El Torito catalog.
//!
//! Needs `qemu-system-x86_64` (scripts/test installs it with the guest harness) and
//! Debian's isolinux and syslinux-common packages; a missing one fails the test saying
//! how to install it.

mod common;

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{discburn, drive, stderr};

const ISOLINUX: &str = "/usr/lib/ISOLINUX/isolinux.bin";
const ISOHDPFX: &str = "/usr/lib/ISOLINUX/isohdpfx.bin";
const MODULES: &str = "/usr/lib/syslinux/modules/bios";
const INSTALL: &str =
    "apt-get install -y isolinux syslinux-common qemu-system-x86 (scripts/test installs them)";

/// A line of a file on the disc that the booted PC prints.
const GREETING: &str = "discburn boot test: ISOLINUX read this file from the burnt disc";

/// A folder that boots ISOLINUX, whose configuration (on the serial port) runs
/// syslinux's cat.c32 on a file of the disc holding [`GREETING`]: the PC reads the
/// boot image, its modules, its configuration and a file through ISO 9660.
fn bootable_folder(root: &Path) {
    let module = |m: &str| format!("{MODULES}/{m}");
    for f in [
        ISOLINUX.to_string(),
        ISOHDPFX.to_string(),
        module("ldlinux.c32"),
    ] {
        assert!(Path::new(&f).exists(), "{f} is missing: {INSTALL}");
    }
    let dir = root.join("isolinux");
    fs::create_dir_all(&dir).unwrap();
    fs::copy(ISOLINUX, dir.join("isolinux.bin")).unwrap();
    for m in ["ldlinux.c32", "libcom32.c32", "cat.c32"] {
        fs::copy(module(m), dir.join(m)).unwrap();
    }
    fs::write(
        dir.join("isolinux.cfg"),
        "SERIAL 0 115200\nDEFAULT show\nPROMPT 0\nTIMEOUT 1\nLABEL show\n  COM32 cat.c32\n  APPEND greeting.txt\n",
    )
    .unwrap();
    fs::write(dir.join("greeting.txt"), format!("{GREETING}\n")).unwrap();
    fs::write(root.join("README.txt"), b"a bootable folder\n").unwrap();
}

/// Boots a PC from `image` (`cdrom` or hard `disk`) and waits for `line` on its serial
/// console; returns everything the console printed.
fn boots_to(image: &Path, as_cdrom: bool, line: &str) -> String {
    let drive = if as_cdrom {
        format!(
            "file={},media=cdrom,format=raw,readonly=on",
            image.display()
        )
    } else {
        format!("file={},format=raw,if=ide,snapshot=on", image.display())
    };
    let mut qemu = Command::new("qemu-system-x86_64")
        .args([
            "-machine",
            "pc",
            "-m",
            "64",
            "-display",
            "none",
            "-no-reboot",
        ])
        .args(["-serial", "stdio", "-monitor", "none", "-net", "none"])
        .args(["-drive", &drive, "-boot", if as_cdrom { "d" } else { "c" }])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("qemu-system-x86_64 cannot start ({e}): {INSTALL}"));
    let out = qemu.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for l in BufReader::new(out).lines() {
            let Ok(l) = l else { break };
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    let mut console = String::new();
    // Generous: TCG on a loaded 2-core machine boots SeaBIOS + ISOLINUX in ~2 s.
    let deadline = std::time::Instant::now() + Duration::from_secs(180);
    let mut seen = false;
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(l) => {
                console.push_str(&l);
                console.push('\n');
                if l.contains(line) {
                    seen = true;
                    break;
                }
            }
            Err(_) => break,
        }
    }
    let _ = qemu.kill();
    let status = qemu.wait_with_output().unwrap();
    assert!(
        seen,
        "the PC did not print {line:?} within 180 s; console:\n{console}\nqemu stderr: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    console
}

/// Burns `folder` with `args` to a fresh virtual `media` disc in `dir` and returns the
/// drive's image file (sector N at byte N × 2048: what a PC reads from the disc).
fn burn(dir: &Path, media: &str, folder: &Path, args: &[&str]) -> PathBuf {
    let addr = drive(dir, media, "");
    let out = discburn(&addr)
        .args(["--plain", "write"])
        .arg(folder)
        .args(args)
        .args(["--verify"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    dir.join("disc.img")
}

#[test]
fn a_pc_boots_isolinux_from_a_burnt_cd_and_as_a_hybrid_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("boot");
    bootable_folder(&folder);
    let disc = tmp.path().join("disc");
    fs::create_dir(&disc).unwrap();
    let image = burn(
        &disc,
        "cd-r",
        &folder,
        &[
            "--boot",
            "isolinux/isolinux.bin",
            "--hybrid",
            "mbr",
            "--mbr-code",
            ISOHDPFX,
        ],
    );
    let console = boots_to(&image, true, GREETING);
    assert!(console.contains("ISOLINUX"), "{console}");
    // The same bytes copied to a stick: the MBR's isohdpfx code finds ISOLINUX
    // through the boot information table and the MBR's image address.
    boots_to(&image, false, GREETING);

    // libisofs reads the catalog where --boot put it (beside the image, boot.cat).
    let report = Command::new("xorriso")
        .args(["-indev"])
        .arg(&image)
        .args(["-report_el_torito", "plain", "-find", "/isolinux"])
        .output()
        .expect("xorriso: apt-get install -y xorriso");
    let text = String::from_utf8_lossy(&report.stdout).into_owned()
        + &String::from_utf8_lossy(&report.stderr);
    assert!(
        text.contains("El Torito boot img :   1  BIOS  y   none"),
        "{text}"
    );
    assert!(text.contains("/isolinux/boot.cat"), "{text}");
}

#[test]
fn bios_and_uefi_entries_and_a_gpt_are_reported_by_xorriso() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("boot");
    bootable_folder(&folder);
    // A FAT image is what firmware reads; xorriso only lists the entry, so any
    // non-empty file stands in for it here.
    fs::create_dir_all(folder.join("efi")).unwrap();
    fs::write(folder.join("efi/efiboot.img"), vec![0xF6u8; 64 * 1024]).unwrap();
    let disc = tmp.path().join("disc");
    fs::create_dir(&disc).unwrap();
    let image = burn(
        &disc,
        "dvd+r",
        &folder,
        &[
            "--boot",
            "isolinux/isolinux.bin",
            "--efi",
            "efi/efiboot.img",
            "--hybrid",
            "gpt+mbr",
            "--mbr-code",
            ISOHDPFX,
        ],
    );
    let report = Command::new("xorriso")
        .args(["-indev"])
        .arg(&image)
        .args(["-report_el_torito", "plain", "-report_system_area", "plain"])
        .output()
        .expect("xorriso: apt-get install -y xorriso");
    let text = String::from_utf8_lossy(&report.stdout).into_owned()
        + &String::from_utf8_lossy(&report.stderr);
    assert!(
        text.contains("El Torito boot img :   1  BIOS  y   none"),
        "{text}"
    );
    assert!(
        text.contains("El Torito boot img :   2  UEFI  y   none"),
        "{text}"
    );
    assert!(text.contains("GPT"), "{text}");
    assert!(text.contains("MBR"), "{text}");
}

#[test]
fn boot_settings_that_do_not_fit_the_folder_are_refused_before_writing() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("boot");
    bootable_folder(&folder);
    let disc = tmp.path().join("disc");
    fs::create_dir(&disc).unwrap();
    let addr = drive(&disc, "cd-r", "");
    let cases: &[(&[&str], &str)] = &[
        (
            &["--boot", "isolinux/missing.bin"],
            "isolinux/missing.bin: no such file in the folder",
        ),
        (&["--boot", "isolinux"], "isolinux: not a regular file"),
        (
            &[
                "--boot",
                "isolinux/isolinux.bin",
                "--boot-catalog",
                "README.txt",
            ],
            "the boot catalog would replace this file of the folder",
        ),
        (
            &["--hybrid", "mbr"],
            "a partition table, MBR code or boot catalog needs a boot image",
        ),
        (
            &[
                "--boot",
                "isolinux/isolinux.bin",
                "--hybrid",
                "gpt",
                "--mbr-code",
                ISOHDPFX,
            ],
            "a plain GPT has no MBR boot code",
        ),
    ];
    for (args, want) in cases {
        let out = discburn(&addr)
            .args(["--plain", "write"])
            .arg(&folder)
            .args(*args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?} was accepted");
        let err = stderr(&out);
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(
            err.to_lowercase().contains("cannot boot from"),
            "{args:?}: {err}"
        );
    }
    // Folder options on an image file are a usage error.
    let img = common::image(tmp.path(), "x.iso", 300, 1);
    let out = discburn(&addr)
        .args(["--plain", "write"])
        .arg(&img)
        .args(["--boot", "isolinux/isolinux.bin"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--boot applies to a folder burn"),
        "{}",
        stderr(&out)
    );
    // Nothing was written: the disc is still blank.
    let out = discburn(&addr).args(["--json", "info"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let info = String::from_utf8_lossy(&out.stdout);
    assert!(info.contains("\"blank\""), "{info}");
}
