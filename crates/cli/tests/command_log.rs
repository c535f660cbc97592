//! `--log FILE` keeps what `--help` promises: every command sent to the drive, with its
//! CDB, data phase, status, raw sense bytes and duration (at the default level, debug).

use std::fs;

mod common;
use common::{assert_contains, discburn, drive, image, new_drive, stderr, succeeds};

/// The log lines of the commands named `name` (e.g. "WRITE(10)").
fn command_lines<'a>(log: &'a str, name: &str) -> Vec<&'a str> {
    log.lines()
        .filter(|l| l.contains(" DEBUG ") && l.contains(&format!(": {name} cdb=")))
        .collect()
}

/// Burns 64 sectors to a virtual DVD+R (`extra` appended to its address) with `--log`;
/// returns the run and the log.
fn burn_with_log(extra: &str) -> (std::process::Output, String) {
    let dir = tempfile::tempdir().unwrap();
    let addr = drive(dir.path(), "dvd+r", extra);
    let img = image(dir.path(), "a.iso", 64, 3);
    let log = dir.path().join("log.txt");
    let out = discburn(&addr)
        .arg("--log")
        .arg(&log)
        .args(["write", "--plain"])
        .arg(img)
        .output()
        .unwrap();
    let log = fs::read_to_string(&log).unwrap();
    (out, log)
}

#[test]
fn a_burn_logs_every_command_with_its_cdb_and_status() {
    let (out, log) = burn_with_log("");
    assert!(out.status.success(), "{}", stderr(&out));

    let writes = command_lines(&log, "WRITE(10)");
    assert!(!writes.is_empty(), "no WRITE in the log:\n{log}");
    // The first WRITE starts at LBA 0: opcode 2A, LBA bytes 2..=5 zero.
    let first = writes[0];
    assert_contains(
        first,
        &["cdb=2A 00 00 00 00 00", "data=out ", "status=Good", " ms="],
    );
    let sync = command_lines(&log, "SYNCHRONIZE CACHE(10)");
    assert!(!sync.is_empty(), "no SYNCHRONIZE CACHE in the log:\n{log}");
    assert!(sync[0].contains("cdb=35 "), "{}", sync[0]);
    let disc_info = command_lines(&log, "READ DISC INFORMATION");
    assert!(
        disc_info.iter().any(|l| l.contains("data=in ")),
        "{disc_info:?}"
    );
}

#[test]
fn a_failing_command_is_logged_with_its_sense_bytes() {
    let (out, log) = burn_with_log("&fault=loss-of-streaming");
    assert!(!out.status.success(), "the fault must fail the burn");
    let failed: Vec<&str> = command_lines(&log, "WRITE(10)")
        .into_iter()
        .filter(|l| l.contains("status=CheckCondition"))
        .collect();
    assert_eq!(failed.len(), 1, "{log}");
    // Fixed-format sense (70h), key 3, ASC/ASCQ 0C/09 LOSS OF STREAMING at bytes 12–13.
    let line = failed[0];
    let sense = line
        .split("sense=")
        .nth(1)
        .unwrap_or_else(|| panic!("no sense bytes: {line}"));
    let bytes: Vec<&str> = sense.split_whitespace().take(14).collect();
    assert_eq!(bytes[0], "70", "{line}");
    assert_eq!(bytes[2], "03", "{line}");
    assert_eq!(&bytes[12..14], ["0C", "09"], "{line}");
}

#[test]
fn a_log_at_info_has_no_command_lines() {
    let (dir, addr) = new_drive("dvd+r");
    let img = image(dir.path(), "a.iso", 16, 3);
    let log = dir.path().join("log.txt");
    succeeds(
        discburn(&addr)
            .arg("--log")
            .arg(&log)
            .args(["--log-level", "info", "write", "--plain"])
            .arg(&img),
    );
    let log = fs::read_to_string(&log).unwrap();
    assert!(command_lines(&log, "WRITE(10)").is_empty(), "{log}");
}
