//! What the CLI's end-to-end tests share: the binary, virtual drive addresses, test
//! images and `--json` output.

// Each test binary uses a subset of these.
#![allow(dead_code)]

use std::borrow::BorrowMut;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Output};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

/// An unthrottled virtual recorder holding `media`, its image in `dir`; `extra` is
/// appended to the address (`"&faults=..."`, or `""`).
pub fn drive(dir: &Path, media: &str, extra: &str) -> String {
    format!(
        "virtual:{}?media={media}&throttle=off{extra}",
        dir.join("disc.img").display()
    )
}

/// A new temporary directory and the address of an unthrottled virtual recorder in it
/// holding blank `media`.
pub fn new_drive(media: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let addr = drive(dir.path(), media, "");
    (dir, addr)
}

/// The `discburn` binary with `--drive addr`, whatever the environment names.
pub fn discburn(addr: &str) -> Command {
    let mut c = Command::cargo_bin("discburn").unwrap();
    c.arg("--drive").arg(addr).env_remove("DISCBURN_DRIVE");
    c
}

/// An image of `sectors` sectors whose every sector is distinct.
pub fn image(dir: &Path, name: &str, sectors: u32, seed: u8) -> PathBuf {
    let mut data = vec![0u8; sectors as usize * 2048];
    for (i, chunk) in data.chunks_mut(2048).enumerate() {
        chunk[..4].copy_from_slice(&(i as u32).to_be_bytes());
        for (j, b) in chunk[4..].iter_mut().enumerate() {
            *b = (j as u8)
                .wrapping_mul(31)
                .wrapping_add(seed)
                .wrapping_add(i as u8);
        }
    }
    let p = dir.join(name);
    fs::write(&p, data).unwrap();
    p
}

/// The process's stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The process's stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `cmd` and asserts it succeeds; the failure message names the command and
/// carries both outputs.
pub fn succeeds(cmd: impl BorrowMut<Command>) -> Output {
    exits(cmd, 0)
}

/// Runs `cmd` and asserts it exits with `code`; the failure message names the command
/// and carries both outputs.
pub fn exits(mut cmd: impl BorrowMut<Command>, code: i32) -> Output {
    let cmd = cmd.borrow_mut();
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{cmd:?}\nstdout: {}\nstderr: {}",
        stdout(&out),
        stderr(&out)
    );
    out
}

/// `discburn write ARGS SOURCE` on the drive at `addr`, which must succeed: its stdout.
pub fn write_ok(addr: &str, args: &[&str], source: &Path) -> String {
    stdout(&succeeds(
        discburn(addr).arg("write").args(args).arg(source),
    ))
}

/// Asserts that `text` contains each of `needles`.
pub fn assert_contains(text: &str, needles: &[&str]) {
    for n in needles {
        assert!(text.contains(n), "{n:?} is not in:\n{text}");
    }
}

/// Every line of stdout parsed as one JSON value (`--json` output).
pub fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// Asserts the `--json` lines carry a `phase` event for each of `want`.
pub fn assert_phases(lines: &[Value], want: &[&str]) {
    let phases: Vec<&str> = lines
        .iter()
        .filter(|v| v["event"] == "phase")
        .map(|v| v["phase"].as_str().unwrap())
        .collect();
    for p in want {
        assert!(phases.contains(p), "phase {p} missing from {phases:?}");
    }
}

/// `discburn info --json`: one JSON object.
pub fn info(addr: &str) -> Value {
    info_from(discburn(addr))
}

/// [`info`] through a `discburn` command the caller set up.
pub fn info_from(mut discburn: Command) -> Value {
    let out = discburn.args(["info", "--json"]).output().unwrap();
    assert!(out.status.success(), "info failed: {}", stderr(&out));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    lines.into_iter().next().unwrap()
}

/// The `medium` part of [`info`].
pub fn medium(addr: &str) -> Value {
    info(addr)["medium"].clone()
}

/// Waits for the child to exit, polling for at most `deadline`; kills it after that.
pub fn wait_bounded(child: &mut Child, deadline: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return Some(s);
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The recorded tracks of a `medium` JSON value: (start, size) each.
pub fn recorded(m: &Value) -> Vec<(u64, u64)> {
    m["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["blank"] == false)
        .map(|t| (t["start"].as_u64().unwrap(), t["size"].as_u64().unwrap()))
        .collect()
}

/// The record at `path`, checked against crates/cli/schema/burn-record.schema.json.
pub fn valid_record(path: &Path) -> Value {
    let schema: Value = serde_json::from_str(include_str!("../../schema/burn-record.schema.json"))
        .expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let doc: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{} is not a valid burn record:\n{}",
        path.display(),
        errors.join("\n")
    );
    doc
}

/// `sha256sum FILE`, as a third party computes it.
pub fn sha256sum(path: &Path) -> String {
    let out = std::process::Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum runs (coreutils)");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}
