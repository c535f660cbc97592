//! A burn killed with SIGKILL (nothing of the process runs after it) leaves the virtual
//! disc as a real one: `info` shows what was burnt, in an open track of an incomplete
//! session, not a blank disc and not a full-disc track.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;

#[test]
fn a_burn_killed_mid_stream_leaves_what_was_written() {
    let dir = tempfile::tempdir().unwrap();
    // Throttled, real clock: ~40 MB at 4x take several seconds.
    let addr = format!(
        "virtual:{}?media=dvd+r&speed=4x",
        dir.path().join("disc.img").display()
    );
    let img = image(dir.path(), "big.iso", 20_480, 7);
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("discburn"))
        .env_remove("DISCBURN_DRIVE")
        .args([
            "--drive", &addr, "--json", "write", "--plain", "--speed", "4x",
        ])
        .arg(&img)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut reported = 0u64;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        if v["event"] == "write" {
            reported = v["sectors_written"].as_u64().unwrap_or(0);
            // Well into the stream, far from its end.
            if reported >= 4096 {
                break;
            }
        }
    }
    assert!(reported >= 4096, "the burn never got going ({reported})");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let m = medium(&addr);
    assert_eq!(m["status"], "appendable", "{m}");
    assert_eq!(
        m["complete_sessions"], 0,
        "the session was never closed: {m}"
    );
    assert_eq!(m["sessions"], 1, "{m}");
    let t = &m["tracks"][0];
    assert_eq!(t["blank"], false, "{m}");
    let recorded = t["recorded"].as_u64().unwrap();
    // What the drive had taken, less at most its 4 MiB buffer (2,048 sectors).
    assert!(recorded + 2048 >= reported, "{recorded} < {reported}: {m}");
    assert!(
        recorded < 20_480,
        "{recorded}: the burn did not finish: {m}"
    );
    assert_eq!(t["nwa"].as_u64(), Some(recorded), "{m}");
    assert_eq!(m["next_writable"].as_u64(), Some(recorded), "{m}");

    // The text names the recorded size, not the disc's.
    let out = discburn(&addr).arg("info").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("{recorded} sectors")) && text.contains("(0 complete)"),
        "{text}"
    );
    let track = text.lines().find(|l| l.contains("track  1")).unwrap_or("");
    assert!(!track.contains("2295104"), "{text}");
}
