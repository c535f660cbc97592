//! End-to-end (issue 10): what `discburn write` takes and where it puts it — a plain
//! ISO image is never written at a later session, streams from standard input with
//! and without `--size`, `--pad` and the CD SAO minimum track — and how `verify`
//! treats lengths and directories. Virtual recorders, unthrottled; xorriso reads
//! the result as a third party.

use std::fs;
use std::path::Path;
use std::process::Command as Process;

use serde_json::Value;

mod common;
use common::{
    assert_contains, discburn, drive, exits, image, medium, new_drive, recorded, stderr, stdout,
    succeeds, write_ok,
};

/// `xorriso -indev IMAGE [-load sbsector N] -ls /`: the root's names, or the failure.
fn xorriso_ls(disc: &Path, sbsector: Option<u64>) -> Result<String, String> {
    let mut cmd = Process::new("xorriso");
    cmd.arg("-indev").arg(disc);
    if let Some(n) = sbsector {
        cmd.args(["-load", "sbsector", &n.to_string()]);
    }
    let out = cmd.args(["-ls", "/"]).output().expect("xorriso runs");
    let text = format!("{}{}", stdout(&out), stderr(&out));
    if out.status.success() {
        Ok(text)
    } else {
        Err(text)
    }
}

/// `xorriso -as mkisofs` of a folder holding `name`: `-C LAST,NEXT` when given.
fn mkisofs(dir: &Path, name: &str, msinfo: Option<(u64, u64)>) -> std::path::PathBuf {
    let tree = dir.join(format!("tree-{name}"));
    fs::create_dir_all(&tree).unwrap();
    fs::write(tree.join(name), format!("{name}\n")).unwrap();
    let out = dir.join(format!("{name}.iso"));
    let mut cmd = Process::new("xorriso");
    cmd.args(["-as", "mkisofs", "-quiet", "-R", "-o"]).arg(&out);
    if let Some((last, next)) = msinfo {
        cmd.args(["-C", &format!("{last},{next}")]);
    }
    let r = cmd.arg(&tree).output().expect("xorriso runs");
    assert!(r.status.success(), "{}", stderr(&r));
    out
}

fn next_writable(m: &Value) -> u64 {
    m["next_writable"].as_u64().unwrap()
}

#[test]
fn a_plain_iso_onto_an_appendable_disc_is_refused_and_one_mastered_for_it_is_written() {
    let (dir, addr) = new_drive("dvd+r");
    let disc = dir.path().join("disc.img");
    let first = dir.path().join("first");
    fs::create_dir_all(&first).unwrap();
    fs::write(first.join("one.txt"), b"session one\n").unwrap();
    succeeds(
        discburn(&addr)
            .args(["write", "--multi", "--plain"])
            .arg(&first),
    );
    let nwa = next_writable(&medium(&addr));
    assert!(nwa > 0);

    // A plain image (mastered for sector 0) at sector NWA: refused, exit 4.
    let plain = mkisofs(dir.path(), "plain.txt", None);
    let out = exits(
        discburn(&addr)
            .args(["write", "--multi", "--verify", "--plain"])
            .arg(&plain),
        4,
    );
    let err = stderr(&out);
    assert!(err.contains(&format!("sector {nwa}")), "{err}");
    assert_contains(
        &err,
        &[
            "could not be read",
            "xorriso -as mkisofs -C 0,",
            "Burn the folder instead",
        ],
    );
    assert_eq!(next_writable(&medium(&addr)), nwa, "nothing was written");
    assert!(xorriso_ls(&disc, None).unwrap().contains("one.txt"));

    // Mastered for this address (mkisofs -C 0,NWA): written, and xorriso reads it there.
    let later = mkisofs(dir.path(), "later.txt", Some((0, nwa)));
    let text = write_ok(&addr, &["--multi", "--verify", "--plain"], &later);
    assert!(text.contains("mastered for a later session"), "{text}");
    let ls = xorriso_ls(&disc, Some(nwa)).unwrap();
    assert!(ls.contains("later.txt"), "{ls}");
}

#[test]
fn stdin_with_size_is_burnt_and_verified_and_the_disc_holds_the_bytes() {
    for size in ["700s", "1433600"] {
        let (dir, addr) = new_drive("dvd+r");
        let img = image(dir.path(), "a.iso", 700, 3);
        let bytes = fs::read(&img).unwrap();
        let out = succeeds(
            discburn(&addr)
                .args(["write", "-", "--size", size, "--verify", "--plain"])
                .write_stdin(bytes.clone()),
        );
        let text = stdout(&out);
        assert!(text.contains("Verify   OK, 700 sectors"), "{text}");
        let disc = fs::read(dir.path().join("disc.img")).unwrap();
        assert_eq!(&disc[..bytes.len()], &bytes[..], "{size}");
        assert_eq!(recorded(&medium(&addr)), vec![(0, 700)]);
    }
}

#[test]
fn stdin_without_size_is_written_to_its_end_on_write_once_media() {
    for media in ["dvd+r", "bd-r"] {
        let (dir, addr) = new_drive(media);
        let img = image(dir.path(), "a.iso", 333, 4);
        let bytes = fs::read(&img).unwrap();
        let out = succeeds(
            discburn(&addr)
                .args(["write", "-", "--verify", "--plain"])
                .write_stdin(bytes.clone()),
        );
        let text = stdout(&out);
        assert!(text.contains("ended after 333 sectors"), "{media}: {text}");
        assert!(text.contains("Verify   OK, 333 sectors"), "{media}: {text}");
        let m = medium(&addr);
        assert_eq!(recorded(&m), vec![(0, 333)], "{media}: {m}");
        assert_eq!(m["status"], "closed", "{media}: {m}");
        let disc = fs::read(dir.path().join("disc.img")).unwrap();
        assert_eq!(&disc[..bytes.len()], &bytes[..], "{media}");
        // And `verify` against the image agrees.
        succeeds(discburn(&addr).args(["verify", "--plain"]).arg(&img));
    }
}

#[test]
fn a_pipe_path_is_a_stream_too() {
    let (dir, addr) = new_drive("bd-r");
    let img = image(dir.path(), "a.iso", 64, 5);
    // /dev/stdin is the pipe assert_cmd feeds: not a regular file.
    succeeds(
        discburn(&addr)
            .args(["write", "/dev/stdin", "--plain"])
            .write_stdin(fs::read(&img).unwrap()),
    );
    assert_eq!(recorded(&medium(&addr)), vec![(0, 64)]);
}

#[test]
fn stdin_refusals_name_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    // A rewritable disc has no track to end: --size is needed (medium unsuitable, 4).
    let addr = drive(dir.path(), "bd-re", "");
    let out = discburn(&addr)
        .args(["write", "-"])
        .write_stdin(vec![1u8; 4096])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert_contains(&stderr(&out), &["--size"]);

    // Shorter than --size: a source error (7) saying how much arrived.
    let (dir, addr) = new_drive("dvd+r");
    let out = discburn(&addr)
        .args(["write", "-", "--size", "100s"])
        .write_stdin(vec![7u8; 60 * 2048])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(7), "{err}");
    assert_contains(
        &err,
        &[
            "ended after 60 of 100 sectors",
            "the track is left as written",
        ],
    );

    // A size that is not whole sectors, and --size with an image file: usage (2).
    let img = image(dir.path(), "a.iso", 10, 1);
    for args in [
        vec!["write", "-", "--size", "1000"],
        vec!["write", "--size", "10s"],
    ] {
        let mut cmd = discburn(&addr);
        cmd.args(&args);
        if args.len() == 2 {
            cmd.arg(&img);
        }
        let out = cmd.write_stdin(vec![0u8; 2048]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn pad_appends_fifteen_zero_sectors_to_a_cd_track() {
    let (dir, addr) = new_drive("cd-r");
    let img = image(dir.path(), "a.iso", 400, 6);
    let text = write_ok(&addr, &["--pad", "--verify", "--plain"], &img);
    assert!(text.contains("--pad: 15 zero sectors"), "{text}");
    assert_eq!(recorded(&medium(&addr)), vec![(0, 415)]);
    // `verify` of the image: the 15 sectors after it are padding.
    let out = succeeds(discburn(&addr).args(["verify", "--plain"]).arg(&img));
    assert!(stdout(&out).contains("15 sector(s) after the image"));
}

#[test]
fn sao_pads_a_short_image_to_the_300_sector_minimum() {
    let (dir, addr) = new_drive("cd-r");
    let img = image(dir.path(), "a.iso", 100, 7);
    let text = write_ok(&addr, &["--sao", "--verify", "--plain"], &img);
    assert!(
        text.contains(
            "under the 300-sector (4 s) minimum track length: padded with 200 zero sectors"
        ),
        "{text}"
    );
    assert!(text.contains("Verify   OK, 300 sectors"), "{text}");
    assert_eq!(recorded(&medium(&addr)), vec![(0, 300)]);
}

#[test]
fn verify_reports_lengths_that_differ_and_a_directory_without_a_file_system() {
    let (dir, addr) = new_drive("dvd+r");
    let img = image(dir.path(), "a.iso", 500, 8);
    succeeds(discburn(&addr).args(["write", "--plain"]).arg(&img));
    let bytes = fs::read(&img).unwrap();
    let short = dir.path().join("short.iso");
    fs::write(&short, &bytes[..400 * 2048]).unwrap();
    let out = exits(discburn(&addr).arg("verify").arg(&short), 6);
    let err = stderr(&out);
    assert!(
        err.contains("holds 500 sectors from sector 0 but")
            && err.contains("has 400: the lengths differ"),
        "{err}"
    );
    let long = dir.path().join("long.iso");
    let mut more = bytes.clone();
    more.extend(vec![1u8; 32 * 2048]);
    fs::write(&long, &more).unwrap();
    let out = exits(discburn(&addr).arg("verify").arg(&long), 6);
    let err = stderr(&out);
    assert_contains(
        &err,
        &["longer than what the disc holds", "(532 vs 500 sectors)"],
    );
    assert!(!err.contains("larger disc"), "{err}");

    // A folder is compared through the disc's file system, which this disc (raw
    // sectors, no ISO 9660 volume) has not.
    let out = exits(discburn(&addr).arg("verify").arg(dir.path()), 7);
    let err = stderr(&out);
    assert!(
        err.contains("Cannot read the ISO 9660 file system of the session at sector 0"),
        "{err}"
    );
}
