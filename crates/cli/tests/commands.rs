//! End-to-end: the commands and flags issue 10 asked for or found broken — signals,
//! a closed stdout, argument checks, `speeds` on a closed disc, `write --eject`,
//! `fix`/`close` and `read` — against virtual recorders.
//!
//! The signal and pipe tests need a burn that is still running when the signal comes
//! or the pipe closes, so they run throttled (real time, a few seconds); every other
//! test is unthrottled.

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

mod common;
use common::{
    assert_contains, discburn, drive, exits, image, info, json_lines, medium, new_drive, stderr,
    stdout, succeeds, wait_bounded,
};

/// Longest a throttled burn may take before the test gives up on it (generous: the
/// burns here take a few seconds).
const DEADLINE: Duration = Duration::from_secs(120);

/// A throttled virtual recorder (real time) over `dir/disc.img` at `speed`, with a
/// small drive buffer so a cancel's flush is quick.
fn throttled(dir: &Path, media: &str, speed: &str) -> String {
    format!(
        "virtual:{}?media={media}&speed={speed}&buffer=256KiB",
        dir.join("disc.img").display()
    )
}

/// `discburn` as a child process with piped stdout and stderr.
fn spawn(args: &[&str], source: &Path) -> Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("discburn"))
        .args(args)
        .arg(source)
        .env_remove("DISCBURN_DRIVE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The first `--json` line whose event is `name`.
fn event(out: &Output, name: &str) -> Value {
    json_lines(out)
        .into_iter()
        .find(|v| v["event"] == name)
        .unwrap_or_else(|| panic!("no {name} event: {}", stdout(out)))
}

fn child_stderr(child: &mut Child) -> String {
    let mut err = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut err);
    err
}

/// SIGTERM and SIGHUP (a closed terminal, a service stopped) ended discburn at once:
/// no flush, no message, no last LBA. They cancel like Ctrl-C now.
#[test]
fn sigterm_and_sighup_cancel_the_burn_like_ctrl_c() {
    for (name, signal) in [
        ("SIGTERM", rustix::process::Signal::TERM),
        ("SIGHUP", rustix::process::Signal::HUP),
    ] {
        let dir = tempfile::tempdir().unwrap();
        // 16000 sectors at BD 2x: about 4 s of writing.
        let img = image(dir.path(), "a.iso", 16_000, 5);
        let addr = throttled(dir.path(), "bd-r", "2x");
        let mut child = spawn(
            &["--drive", &addr, "--json", "write", "--speed", "2x"],
            &img,
        );
        let stdout = child.stdout.take().unwrap();
        let (began, began_rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let v: Value =
                    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
                if v["event"] == "write" && v["last_written_lba"].as_i64().is_some_and(|l| l >= 0) {
                    let _ = began.send(());
                }
                lines.push(v);
            }
            lines
        });
        let progressed = began_rx.recv_timeout(DEADLINE).is_ok();
        if progressed {
            let pid = rustix::process::Pid::from_child(&child);
            rustix::process::kill_process(pid, signal).unwrap();
        }
        let status = wait_bounded(&mut child, DEADLINE);
        let err = child_stderr(&mut child);
        let lines = reader.join().unwrap();
        assert!(progressed, "{name}: the write never began: {err}");
        let status = status.unwrap_or_else(|| panic!("{name}: discburn did not stop"));
        assert_eq!(
            status.code(),
            Some(8),
            "{name}: {status:?} {err}\n{lines:?}"
        );
        let last = lines.iter().rfind(|v| v["event"] == "write").unwrap();
        assert_eq!(last["phase"], "cancelled", "{name}: {last}");
        let last_lba = last["last_written_lba"].as_i64().unwrap();
        assert!(
            (0..16_000 - 1).contains(&last_lba),
            "{name}: stopped in the middle: {last}"
        );
        let error = lines.iter().find(|v| v["event"] == "error").unwrap();
        assert_eq!(error["exit_code"], 8, "{name}: {error}");
        assert!(
            error["message"]
                .as_str()
                .is_some_and(|m| m.contains(&format!("up to LBA {last_lba}"))),
            "{name}: {error}"
        );
        // The drive was flushed: the disc holds every sector up to the last one written.
        let m = medium(&drive(dir.path(), "bd-r", ""));
        assert_eq!(m["status"], "appendable", "{name}: {m}");
        let t = &m["tracks"][0];
        assert_eq!(t["blank"], false, "{name}: {m}");
        assert_eq!(t["last_recorded"], last_lba, "{name}: {m}");
        assert_eq!(t["nwa"], last_lba + 1, "{name}: {m}");
    }
}

/// `discburn write … | head -1` panicked on the next line (broken pipe, exit 101) and
/// left a partial track: output errors never abort a burn now.
#[test]
fn a_closed_stdout_never_aborts_the_burn() {
    let dir = tempfile::tempdir().unwrap();
    // 6000 sectors at DVD-RAM 3x: about 3 s, a progress line a second.
    let img = image(dir.path(), "a.iso", 6_000, 9);
    let addr = throttled(dir.path(), "dvd-ram", "3x");
    let mut child = spawn(
        &["--drive", &addr, "write", "--plain", "--speed", "3x"],
        &img,
    );
    let mut first = String::new();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    out.read_line(&mut first).unwrap();
    assert!(!first.is_empty(), "no first line");
    // `head -1` exits: the pipe's reading end closes.
    drop(out);
    let status = wait_bounded(&mut child, DEADLINE).expect("discburn did not finish");
    let err = child_stderr(&mut child);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status.code(), Some(0), "{status:?}: {err}");
    // Every sector is on the disc.
    succeeds(
        discburn(&drive(dir.path(), "dvd-ram", ""))
            .arg("verify")
            .arg(&img),
    );
}

#[test]
fn log_level_nonsense_is_a_usage_error_naming_the_levels() {
    let dir = tempfile::tempdir().unwrap();
    let out = exits(
        discburn(&drive(dir.path(), "bd-r", "")).args(["--log-level", "nonsense", "info"]),
        2,
    );
    let err = stderr(&out);
    for level in ["nonsense", "error", "warn", "info", "debug", "trace"] {
        assert!(err.contains(level), "{level}: {err}");
    }
    let log = dir.path().join("log.txt");
    succeeds(
        discburn(&drive(dir.path(), "bd-r", ""))
            .args(["--log-level", "trace", "--log"])
            .arg(&log)
            .arg("info"),
    );
    assert!(fs::metadata(&log).unwrap().len() > 0);
}

#[test]
fn man_out_onto_a_file_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pages");
    fs::write(&file, "not a folder").unwrap();
    let out = exits(
        Command::cargo_bin("discburn")
            .unwrap()
            .args(["man", "--out"])
            .arg(&file),
        2,
    );
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{} is not a directory", file.display())),
        "{err}"
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), "not a folder");
    // Below a file: the error names the path.
    let below = file.join("man1");
    let out = exits(
        Command::cargo_bin("discburn")
            .unwrap()
            .args(["man", "--out"])
            .arg(&below),
        2,
    );
    assert!(
        stderr(&out).contains(&below.display().to_string()),
        "{}",
        stderr(&out)
    );
    // A new folder gets one page per command.
    let pages = dir.path().join("man1");
    succeeds(
        Command::cargo_bin("discburn")
            .unwrap()
            .args(["man", "--out"])
            .arg(&pages),
    );
    for page in [
        "discburn.1",
        "discburn-write.1",
        "discburn-fix.1",
        "discburn-read.1",
    ] {
        assert!(pages.join(page).is_file(), "{page}");
    }
}

#[test]
fn speeds_on_a_closed_disc_say_why_there_are_none() {
    let (dir, addr) = new_drive("cd-r");
    // A blank disc lists its speeds, one JSON object each, as before.
    let out = succeeds(discburn(&addr).args(["speeds", "--json"]));
    let lines = json_lines(&out);
    assert!(
        !lines.is_empty() && lines.iter().all(|v| v["event"] == "speed"),
        "{lines:?}"
    );
    assert!(info(&addr)["write_speeds_reason"].is_null());

    let img = image(dir.path(), "a.iso", 300, 1);
    succeeds(discburn(&addr).arg("write").arg(&img));
    let out = succeeds(discburn(&addr).args(["speeds", "--json"]));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["event"], "speeds", "{lines:?}");
    assert_eq!(lines[0]["speeds"], serde_json::json!([]), "{lines:?}");
    assert!(
        lines[0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("closed")),
        "{lines:?}"
    );
    let out = succeeds(discburn(&addr).arg("speeds"));
    let text = stdout(&out);
    assert!(
        text.contains("No write speeds") && text.contains("closed"),
        "{text}"
    );
    let v = info(&addr);
    assert_eq!(v["write_speeds_kbps"], serde_json::json!([]), "{v}");
    assert!(
        v["write_speeds_reason"]
            .as_str()
            .is_some_and(|r| r.contains("closed")),
        "{v}"
    );
    let out = discburn(&addr).arg("info").output().unwrap();
    let text = stdout(&out);
    assert!(text.contains("Speeds   none: the CD-R is closed"), "{text}");
    // An empty tray: no speeds for a disc that is not there.
    let empty = drive(dir.path(), "cd-r", "&fault=no-medium");
    let out = succeeds(discburn(&empty).args(["speeds", "--json"]));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["event"], "speeds", "{lines:?}");
    assert_eq!(
        lines[0]["reason"], "there is no disc in the drive",
        "{lines:?}"
    );
    assert_eq!(
        info(&empty)["write_speeds_reason"],
        "there is no disc in the drive"
    );
}

#[test]
fn dummy_with_verify_is_refused() {
    let (dir, addr) = new_drive("cd-r");
    let img = image(dir.path(), "a.iso", 300, 1);
    let out = exits(
        discburn(&addr)
            .args(["write", "--dummy", "--verify"])
            .arg(&img),
        2,
    );
    let err = stderr(&out);
    assert!(
        err.contains("--verify cannot be used with --dummy"),
        "{err}"
    );
    assert_eq!(medium(&addr)["status"], "blank");
}

#[test]
fn eject_after_a_successful_burn_only() {
    let (dir, addr) = new_drive("bd-r");
    let img = image(dir.path(), "a.iso", 300, 1);
    let out = succeeds(
        discburn(&addr)
            .args(["write", "--json", "--verify", "--eject"])
            .arg(&img),
    );
    let events: Vec<String> = json_lines(&out)
        .iter()
        .map(|v| v["event"].as_str().unwrap().to_string())
        .collect();
    let result = events.iter().position(|e| e == "result").unwrap();
    assert_eq!(
        events.last().map(String::as_str),
        Some("ejected"),
        "{events:?}"
    );
    assert!(result < events.len() - 1, "{events:?}");
    let out = exits(
        discburn(&addr)
            .args(["write", "--plain", "--eject"])
            .arg(&img),
        4,
    );
    assert!(!stdout(&out).contains("Ejected"));
    // A write that fails on the drive does not eject either.
    let dir = tempfile::tempdir().unwrap();
    let bad = drive(dir.path(), "bd-r", "&fault=medium-error:100-110");
    let out = exits(
        discburn(&bad)
            .args(["write", "--json", "--eject"])
            .arg(&img),
        5,
    );
    assert!(json_lines(&out).iter().all(|v| v["event"] != "ejected"));
}

/// `discburn eject` on a virtual drive: it opens the tray; exit codes as documented.
#[test]
fn eject_command_on_a_virtual_drive() {
    let (_dir, addr) = new_drive("dvd+r");
    let out = succeeds(discburn(&addr).args(["eject", "--json"]));
    assert_eq!(json_lines(&out)[0]["ejected"], addr.as_str());
    let out = succeeds(discburn(&addr).arg("eject"));
    assert!(stdout(&out).contains("Ejected"));
    exits(discburn("nonsense:address").arg("eject"), 3);
}

#[test]
fn fix_finalizes_an_appendable_disc() {
    for media in ["cd-r", "dvd-r", "dvd+r", "bd-r"] {
        let (dir, addr) = new_drive(media);
        let img = image(dir.path(), "a.iso", 320, 1);
        // Blank: nothing to close.
        let out = exits(discburn(&addr).arg("fix"), 4);
        assert_contains(&stderr(&out), &["blank"]);
        succeeds(discburn(&addr).args(["write", "--multi"]).arg(&img));
        assert_eq!(medium(&addr)["status"], "appendable", "{media}");
        // Its session is closed already: --session has nothing to do.
        exits(discburn(&addr).args(["fix", "--session"]), 4);
        let out = succeeds(discburn(&addr).args(["fix", "--json"]));
        let result = event(&out, "result");
        assert_eq!(result["closing"], "disc", "{media}: {result}");
        assert_eq!(result["medium"]["status"], "closed", "{media}: {result}");
        let m = medium(&addr);
        assert_eq!(m["status"], "closed", "{media}: {m}");
        assert_eq!(m["tracks"][0]["start"], 0, "{media}: {m}");
        assert!(
            m["tracks"][0]["size"].as_u64().unwrap() >= 320,
            "{media}: {m}"
        );
        // Nothing more goes onto it, and there is nothing left to close.
        let out = exits(discburn(&addr).arg("write").arg(&img), 4);
        assert_contains(&stderr(&out), &["closed"]);
        let out = exits(discburn(&addr).arg("close"), 4);
        assert_contains(&stderr(&out), &["closed"]);
    }
}

#[test]
fn fix_closes_the_track_an_interrupted_burn_left() {
    for media in ["cd-r", "dvd-r", "dvd+r", "bd-r"] {
        let (dir, addr) = new_drive(media);
        let img = image(dir.path(), "a.iso", 600, 1);
        let second = image(dir.path(), "b.iso", 320, 2);
        // The drive fails at sector 400: the track stays open with what was written.
        exits(
            discburn(&drive(dir.path(), media, "&fault=medium-error:400-410"))
                .arg("write")
                .arg(&img),
            5,
        );
        let m = medium(&addr);
        assert_eq!(m["status"], "appendable", "{media}: {m}");
        // A CD-R written Track-At-Once closes its track at the SYNCHRONIZE CACHE the
        // failed burn sends to leave the drive sane (as drives do for cdrecord, which
        // ends TAO tracks that way); the other media keep it open.
        let tao = media == "cd-r";
        assert_eq!(
            m["tracks"][0]["nwa"].is_u64(),
            !tao,
            "{media}: the track is open unless TAO closed it: {m}"
        );
        // Close the track and the session only: the disc takes another session.
        let out = succeeds(discburn(&addr).args(["fix", "--session", "--plain"]));
        let text = stdout(&out);
        assert_eq!(
            text.contains("Closed the open track 1"),
            !tao,
            "{media}: {text}"
        );
        let m = medium(&addr);
        assert_eq!(m["status"], "appendable", "{media}: {m}");
        assert_eq!(m["complete_sessions"], 1, "{media}: {m}");
        assert!(m["tracks"][0]["nwa"].is_null(), "{media}: closed: {m}");
        succeeds(
            discburn(&addr)
                .args(["write", "--multi", "--verify"])
                .arg(&second),
        );
        assert_eq!(medium(&addr)["complete_sessions"], 2, "{media}");
        // `close` is `fix`: it finalizes.
        succeeds(discburn(&addr).arg("close"));
        assert_eq!(medium(&addr)["status"], "closed", "{media}");
    }
}

#[test]
fn fix_refuses_a_rewritable_disc() {
    let (dir, addr) = new_drive("dvd+rw");
    let img = image(dir.path(), "a.iso", 64, 1);
    succeeds(discburn(&addr).arg("write").arg(&img));
    let out = exits(discburn(&addr).arg("fix"), 4);
    assert_contains(&stderr(&out), &["no tracks or sessions"]);
}

#[test]
fn read_copies_what_was_written_byte_for_byte() {
    for media in ["cd-r", "dvd+r", "bd-r"] {
        let (dir, addr) = new_drive(media);
        let a = image(dir.path(), "a.iso", 640, 1);
        let b = image(dir.path(), "b.iso", 320, 2);
        succeeds(discburn(&addr).args(["write", "--multi"]).arg(&a));
        let out_a = dir.path().join("back-a.iso");
        succeeds(discburn(&addr).args(["read", "--plain"]).arg(&out_a));
        assert!(
            fs::read(&out_a).unwrap() == fs::read(&a).unwrap(),
            "{media}"
        );
        succeeds(discburn(&addr).arg("write").arg(&b));
        // The default is the last session; --session and --track name others.
        let out_b = dir.path().join("back-b.iso");
        let out = succeeds(discburn(&addr).args(["read", "--json"]).arg(&out_b));
        let lines = json_lines(&out);
        assert!(
            lines.iter().any(|v| v["event"] == "read"),
            "{media}: progress"
        );
        let result = lines.iter().find(|v| v["event"] == "result").unwrap();
        assert_eq!(result["sectors"], 320, "{media}: {result}");
        assert!(
            fs::read(&out_b).unwrap() == fs::read(&b).unwrap(),
            "{media}"
        );
        for args in [["--session", "1"], ["--track", "1"]] {
            let again = dir.path().join("again.iso");
            succeeds(discburn(&addr).arg("read").args(args).arg(&again));
            assert!(
                fs::read(&again).unwrap() == fs::read(&a).unwrap(),
                "{media} {args:?}"
            );
            fs::remove_file(&again).unwrap();
        }
        // An existing file is kept unless --force.
        let out = exits(discburn(&addr).arg("read").arg(&out_a), 2);
        assert_contains(&stderr(&out), &["--force"]);
        assert!(
            fs::read(&out_a).unwrap() == fs::read(&a).unwrap(),
            "{media}"
        );
        succeeds(discburn(&addr).args(["read", "--force"]).arg(&out_a));
        assert!(
            fs::read(&out_a).unwrap() == fs::read(&b).unwrap(),
            "{media}"
        );
        // A session the disc does not have.
        exits(
            discburn(&addr)
                .args(["read", "--session", "9"])
                .arg(dir.path().join("none.iso")),
            4,
        );
    }
}

#[test]
fn read_of_a_rewritable_disc_copies_its_iso_volume() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("folder");
    fs::create_dir_all(&src).unwrap();
    fs::write(src.join("hello.txt"), b"hello disc\n").unwrap();
    fs::write(src.join("data.bin"), vec![7u8; 100_000]).unwrap();
    let addr = drive(dir.path(), "dvd-ram", "");
    succeeds(discburn(&addr).arg("write").arg(&src));
    let back = dir.path().join("back.iso");
    let out = succeeds(discburn(&addr).args(["read", "--json"]).arg(&back));
    let result = event(&out, "result");
    assert_eq!(result["what"], "the ISO 9660 volume", "{result}");
    let sectors = result["sectors"].as_u64().unwrap();
    assert!((17..1000).contains(&sectors), "{result}");
    assert_eq!(fs::metadata(&back).unwrap().len(), sectors * 2048);
    // The copy is what the disc holds.
    succeeds(discburn(&addr).arg("verify").arg(&back));
}

#[test]
fn read_reports_unreadable_sectors_and_keeps_no_image() {
    let dir = tempfile::tempdir().unwrap();
    let img = image(dir.path(), "a.iso", 400, 3);
    succeeds(
        discburn(&drive(dir.path(), "bd-r", ""))
            .arg("write")
            .arg(&img),
    );
    let back = dir.path().join("back.iso");
    let out = exits(
        discburn(&drive(dir.path(), "bd-r", "&fault=medium-error:100-103"))
            .arg("read")
            .arg(&back),
        6,
    );
    let err = stderr(&out);
    assert!(
        err.contains("4 of the 400 sectors could not be read"),
        "{err}"
    );
    assert!(err.contains("100–103"), "{err}");
    assert!(!back.exists());
    assert!(!dir.path().join("back.iso.part").exists());
}
