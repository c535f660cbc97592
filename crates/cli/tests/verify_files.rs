//! Verify by file system: `write DIR --verify` and `verify DIR` read the disc's ISO
//! 9660 trees back through the drive and compare every file of the folder.

mod common;

use std::fs;

use std::path::Path;
use std::process::Output;

use common::{discburn, new_drive, stderr};

/// `discburn --drive addr ARGS DIR`.
fn run(addr: &str, args: &[&str], dir: &Path) -> Output {
    discburn(addr).args(args).arg(dir).output().unwrap()
}

/// A folder with nested directories, a Unicode name, an empty file and a file of a
/// few MiB.
fn folder(root: &std::path::Path) {
    fs::create_dir_all(root.join("a/b/c")).unwrap();
    fs::write(root.join("a/b/c/deep.txt"), b"deep\n").unwrap();
    fs::write(root.join("Überraschung ✓.txt"), "unicode\n").unwrap();
    fs::write(root.join("empty"), b"").unwrap();
    let big: Vec<u8> = (0..3 * 1024 * 1024u32)
        .map(|i| (i * 7 % 251) as u8)
        .collect();
    fs::write(root.join("a/big.bin"), big).unwrap();
}

#[test]
fn a_folder_burn_is_verified_file_by_file_and_changes_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    folder(&src);
    let (_d, addr) = new_drive("dvd+r");
    let out = run(&addr, &["--plain", "write", "--verify"], &src);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Verified: the disc's file system holds") && text.contains("4 file(s)"),
        "{text}"
    );

    // verify DIR on its own, as JSON.
    let out = run(&addr, &["--json", "verify"], &src);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("\"event\":\"files_verified\"") && text.contains("\"files\":4"),
        "{text}"
    );

    // Same size, one byte changed; a new file; a file grown.
    let mut big = fs::read(src.join("a/big.bin")).unwrap();
    big[2_000_000] ^= 0xFF;
    fs::write(src.join("a/big.bin"), &big).unwrap();
    fs::write(src.join("a/b/new.txt"), b"not burnt\n").unwrap();
    fs::write(src.join("a/b/c/deep.txt"), b"deeper\n").unwrap();
    let out = run(&addr, &["--plain", "verify"], &src);
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    let err = stderr(&out);
    for want in [
        "/a/big.bin: differs in the Rock Ridge tree from the folder's file from byte 2000000",
        "/a/b/new.txt: missing from the Rock Ridge tree",
        "/a/b/new.txt: missing from the Joliet tree",
        "/a/b/c/deep.txt: 5 bytes in the Rock Ridge tree, 7 in the folder",
        "/a/b/c/deep.txt: 5 bytes in the Joliet tree, 7 in the folder",
    ] {
        assert!(err.contains(want), "{want:?} not in: {err}");
    }
    assert!(err.contains("5 difference(s)"), "{err}");
}

#[test]
fn a_bd_gets_the_iso_udf_bridge_and_fs_chooses_otherwise() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    folder(&src);
    let out_of = |out: &std::process::Output| {
        String::from_utf8_lossy(&out.stdout).into_owned() + &stderr(out)
    };
    let (_d, addr) = new_drive("bd-re");
    let out = run(&addr, &["--plain", "write", "--verify"], &src);
    assert!(out.status.success(), "{}", stderr(&out));
    let all = out_of(&out);
    assert!(
        all.contains("as ISO 9660 + Joliet + Rock Ridge + UDF 2.50 (bridge)"),
        "{all}"
    );
    assert!(all.contains("in the Rock Ridge and UDF trees"), "{all}");
    // Growing the rewritable disc's volume (growisofs -M) switches the stale UDF tree
    // off: its recognition sequence goes with the new descriptors.
    let more = tmp.path().join("more");
    fs::create_dir(&more).unwrap();
    fs::write(more.join("later.txt"), b"second session\n").unwrap();
    let out = run(&addr, &["--plain", "write", "--verify", "--multi"], &more);
    assert!(out.status.success(), "{}", stderr(&out));
    let all = out_of(&out);
    assert!(all.contains("Growing the volume"), "{all}");
    assert!(all.contains("also held a UDF tree"), "{all}");
    assert!(all.contains("in the Rock Ridge tree"), "{all}");
    // The first folder's files are still there, through ISO 9660.
    let out = run(&addr, &["--plain", "verify"], &src);
    assert!(out.status.success(), "{}", out_of(&out));

    // A multi-session BD-R stays ISO 9660, which later sessions extend.
    let (_d, addr) = new_drive("bd-r");
    let out = run(&addr, &["--plain", "write", "--multi"], &src);
    assert!(out.status.success(), "{}", stderr(&out));
    let all = out_of(&out);
    assert!(all.contains("as ISO 9660 + Joliet + Rock Ridge,"), "{all}");

    let (_d, addr) = new_drive("dvd+r");
    let out = run(
        &addr,
        &[
            "--plain",
            "write",
            "--verify",
            "--fs",
            "udf",
            "--udf-revision",
            "1.02",
        ],
        &src,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let all = String::from_utf8_lossy(&out.stdout).into_owned() + &stderr(&out);
    assert!(all.contains("as UDF 1.02,"), "{all}");
    assert!(all.contains("in the UDF tree"), "{all}");

    // Asking for UDF and a boot image together is refused before writing.
    let (_d, addr) = new_drive("dvd+r");
    fs::write(src.join("boot.img"), vec![1u8; 2048]).unwrap();
    let out = run(
        &addr,
        &["--plain", "write", "--fs", "iso+udf", "--boot", "boot.img"],
        &src,
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("a bootable disc is mastered as ISO 9660 alone"),
        "{}",
        stderr(&out)
    );
}
