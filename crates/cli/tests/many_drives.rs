//! End-to-end (issue 16): `discburn write SOURCE --drive A --drive B …` burns one source
//! to several virtual recorders at once — the source read once, one result per drive,
//! a drive failed mid-burn reported while the others finish — and what it refuses.
//! xorriso extracts a folder's discs as a third party.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use serde_json::Value;

mod common;
use common::{assert_contains, exits, image, json_lines, stderr, stdout, succeeds};

/// A virtual recorder over `dir/NAME.img`.
fn addr(dir: &Path, name: &str, media: &str, extra: &str) -> String {
    format!(
        "virtual:{}?media={media}&throttle=off{extra}",
        dir.join(format!("{name}.img")).display()
    )
}

/// `discburn --drive A --drive B … ARGS`.
fn discburn(drives: &[String]) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("discburn").unwrap();
    c.env_remove("DISCBURN_DRIVE");
    for d in drives {
        c.arg("--drive").arg(d);
    }
    c
}

/// The first `len` bytes of a disc's backing file.
fn disc_bytes(dir: &Path, name: &str, len: usize) -> Vec<u8> {
    let mut b = fs::read(dir.join(format!("{name}.img"))).unwrap();
    assert!(
        b.len() >= len,
        "{name} holds {} bytes, fewer than {len}",
        b.len()
    );
    b.truncate(len);
    b
}

#[test]
fn three_drives_get_the_image_byte_for_byte_from_one_read_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let img = image(dir.path(), "a.iso", 3000, 7);
    let drives = [
        addr(dir.path(), "one", "bd-r", ""),
        addr(dir.path(), "two", "dvd+r", ""),
        addr(dir.path(), "three", "bd-re", ""),
    ];
    let out = succeeds(
        discburn(&drives)
            .args(["--plain", "write", "--verify"])
            .arg(&img),
    );
    let text = stdout(&out);
    let want = fs::read(&img).unwrap();
    for (i, name) in ["one", "two", "three"].iter().enumerate() {
        assert_eq!(disc_bytes(dir.path(), name, want.len()), want, "{name}");
        let n = i + 1;
        assert_contains(&text, &[&format!("[{n}] {}", drives[i])]);
        let result = text
            .lines()
            .find(|l| l.starts_with(&format!("[{n}] ")) && l.contains("written in"))
            .unwrap_or_else(|| panic!("no result line for drive {n}:\n{text}"));
        assert!(result.ends_with(", verified"), "{result}");
    }
    assert_contains(
        &text,
        &[
            "3 of 3 discs burned",
            &format!(
                "the source was read 1.00 times ({0} of {0} bytes)",
                want.len()
            ),
            "total:",
        ],
    );
}

#[test]
fn json_events_carry_the_drive_and_the_source_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let img = image(dir.path(), "a.iso", 2000, 3);
    let drives = [
        addr(dir.path(), "one", "bd-r", ""),
        addr(dir.path(), "two", "bd-r", ""),
    ];
    let out = succeeds(discburn(&drives).args(["--json", "write"]).arg(&img));
    let lines = json_lines(&out);
    for (i, d) in drives.iter().enumerate() {
        let n = (i + 1) as u64;
        let writes: Vec<&Value> = lines
            .iter()
            .filter(|l| l["event"] == "write" && l["drive_number"] == n)
            .collect();
        assert!(!writes.is_empty(), "no write events for drive {n}");
        assert!(writes.iter().all(|l| l["drive"] == d.as_str()));
        let last = writes.last().unwrap();
        assert_eq!(last["sectors_written"], 2000);
        let result = lines
            .iter()
            .find(|l| l["event"] == "drive_result" && l["drive_number"] == n)
            .expect("a drive_result");
        assert_eq!(result["ok"], true);
        assert_eq!(result["sectors"], 2000);
    }
    // Engine events always name their drive; only the totals and the end do not.
    assert!(lines.iter().all(
        |l| l.get("drive").is_some() || matches!(l["event"].as_str(), Some("total" | "fanout"))
    ));
    let total = lines
        .iter()
        .rfind(|l| l["event"] == "total")
        .expect("a total");
    assert_eq!(total["sectors_written"], 4000);
    assert_eq!(total["sectors_total"], 4000);
    let end = lines.last().unwrap();
    assert_eq!(end["event"], "fanout");
    assert_eq!(end["failed"], 0);
    assert_eq!(end["source_bytes_read"], 2000 * 2048);
}

#[test]
fn a_drive_that_fails_mid_burn_is_reported_while_the_others_finish() {
    let dir = tempfile::tempdir().unwrap();
    let img = image(dir.path(), "a.iso", 3000, 5);
    let drives = [
        addr(dir.path(), "one", "bd-r", ""),
        addr(dir.path(), "two", "bd-r", "&fault=medium-error:1500"),
        addr(dir.path(), "three", "bd-r", ""),
    ];
    let out = exits(discburn(&drives).args(["--plain", "write"]).arg(&img), 5);
    let text = stdout(&out);
    let err = stderr(&out);
    let want = fs::read(&img).unwrap();
    for name in ["one", "three"] {
        assert_eq!(disc_bytes(dir.path(), name, want.len()), want, "{name}");
    }
    assert_contains(&text, &["[2] ", "FAILED", "2 of 3 discs burned"]);
    assert_contains(&err, &["1 of 3 drives failed; [2] ", "two.img"]);
    // The failed drive's disc holds what came before the bad write, and no more.
    let two = fs::read(dir.path().join("two.img")).unwrap();
    assert!(two.len() < want.len(), "drive 2 holds {} bytes", two.len());
    assert_eq!(&two[..], &want[..two.len()]);
}

#[test]
fn a_folder_is_mastered_once_and_each_disc_extracts_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    fs::create_dir_all(tree.join("sub")).unwrap();
    fs::write(tree.join("README.TXT"), b"discburn fan-out\n").unwrap();
    let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    fs::write(tree.join("sub/data.bin"), &big).unwrap();
    let drives = [
        addr(dir.path(), "one", "dvd+r", ""),
        addr(dir.path(), "two", "dvd+r", ""),
    ];
    let out = succeeds(
        discburn(&drives)
            .args(["--plain", "write", "--verify"])
            .arg(&tree),
    );
    let text = stdout(&out);
    assert_contains(
        &text,
        &["2 of 2 discs burned", "Verified: the disc's file system"],
    );
    for name in ["one", "two"] {
        let x = extract(&dir.path().join(format!("{name}.img")), dir.path(), name);
        assert_eq!(
            fs::read(x.join("README.TXT")).unwrap(),
            b"discburn fan-out\n"
        );
        assert_eq!(fs::read(x.join("sub/data.bin")).unwrap(), big, "{name}");
    }
}

/// `xorriso -osirrox on -indev DISC -extract / DIR`: the disc's tree, as a third party
/// reads it.
fn extract(disc: &Path, dir: &Path, name: &str) -> PathBuf {
    let to = dir.join(format!("x-{name}"));
    let out = Process::new("xorriso")
        .args(["-osirrox", "on", "-indev"])
        .arg(disc)
        .args(["-extract", "/"])
        .arg(&to)
        .output()
        .expect("xorriso runs (the test command installs it: apt-get install xorriso)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    to
}

#[test]
fn what_cannot_go_to_several_drives_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let img = image(dir.path(), "a.iso", 100, 1);
    let a = addr(dir.path(), "one", "bd-r", "");
    let b = addr(dir.path(), "two", "bd-r", "");
    let both = [a.clone(), b.clone()];
    let cases: Vec<(Vec<String>, Vec<&str>, &str)> = vec![
        (
            both.to_vec(),
            vec!["info"],
            "only `write` burns to several drives",
        ),
        (
            vec![a.clone(), a.clone()],
            vec!["write"],
            "is named twice with --drive",
        ),
        (
            vec![a.clone()],
            vec!["write", "--drives-all"],
            "cannot be combined with --drive",
        ),
        (
            both.to_vec(),
            vec!["write", "--audio"],
            "audio discs and cue sheets are burned to one drive at a time",
        ),
    ];
    for (drives, args, says) in cases {
        let mut cmd = discburn(&drives);
        cmd.args(&args);
        if args[0] == "write" {
            cmd.arg(&img);
        }
        let out = exits(cmd, 2);
        assert_contains(&stderr(&out), &[says]);
    }
    // A pipe of unknown length: every drive needs the size before it starts.
    let out = exits(
        discburn(&both)
            .args(["write", "-"])
            .write_stdin(vec![0u8; 4096]),
        2,
    );
    assert_contains(
        &stderr(&out),
        &["cannot be shared between drives", "--size"],
    );
    for name in ["one", "two"] {
        let p = dir.path().join(format!("{name}.img"));
        assert!(
            fs::metadata(&p).map_or(true, |m| m.len() == 0),
            "{name} was written"
        );
    }
}
