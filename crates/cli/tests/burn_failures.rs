//! How `discburn write` ends when the drive fails once writing began, and what its
//! summary says about the buffers of a drive that records at once (issue 10).

mod common;
use std::path::Path;
use std::process::Output;

use common::{assert_contains, discburn, drive, exits, image, medium, stderr, stdout};

/// `discburn write --plain IMAGE` on the drive at `addr`, which must exit with `code`.
fn write(addr: &str, img: &Path, code: i32) -> Output {
    exits(discburn(addr).args(["write", "--plain"]).arg(img), code)
}

#[test]
fn a_hung_write_is_a_failed_burn_that_says_the_drive_stopped_answering() {
    // The first WRITE hangs into its timeout (about 10 s of real time).
    let dir = tempfile::tempdir().unwrap();
    let img = image(dir.path(), "a.iso", 500, 1);
    let out = write(&drive(dir.path(), "bd-r", "&fault=hang:2a"), &img, 5);
    let err = stderr(&out);
    assert_contains(
        &err,
        &["the drive stopped answering", "no sector was written"],
    );
}

#[test]
fn a_medium_error_mid_stream_names_the_last_sector_the_drive_holds() {
    // The WRITE touching sector 1500 fails whole; the drive keeps what came before it.
    let dir = tempfile::tempdir().unwrap();
    let img = image(dir.path(), "a.iso", 3000, 2);
    let out = write(
        &drive(dir.path(), "bd-r", "&fault=medium-error:1500"),
        &img,
        5,
    );
    let err = stderr(&out);
    let m = medium(&drive(dir.path(), "bd-r", ""));
    let nwa = m["next_writable"].as_i64().unwrap();
    assert!((1..=1500).contains(&nwa), "{m}");
    assert!(
        err.contains(&format!("the last sector written was {}", nwa - 1)),
        "{err}\n{m}"
    );
}

#[test]
fn an_unthrottled_drive_has_no_underrun_warning_and_a_host_minimum() {
    // More than 16 MiB, so the engine polls the drive buffer (always empty here).
    let dir = tempfile::tempdir().unwrap();
    let img = image(dir.path(), "a.iso", 12_000, 3);
    let out = write(&drive(dir.path(), "bd-r", ""), &img, 0);
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.starts_with("Buffers"))
        .unwrap_or_else(|| panic!("no buffer summary: {text}"));
    assert!(!line.contains("underrun)"), "{line}");
    assert!(line.contains("no underrun seen"), "{line}");
    let host = line
        .split("host min ")
        .nth(1)
        .and_then(|r| r.split('%').next())
        .unwrap_or("");
    assert!(
        host.parse::<f64>().is_ok(),
        "host min is not a number: {line}"
    );
}
