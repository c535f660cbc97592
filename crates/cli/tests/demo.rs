//! The README's first command: `discburn demo` burns, finalizes and verifies a virtual
//! BD-R in real time and reports the drive's own underrun count. A small sample keeps
//! it to the medium's real closing times (about 10 s); 4x (18 MB/s) leaves a debug build
//! mastering on the fly room on a loaded CI machine.

use assert_cmd::Command;
use serde_json::Value;

#[test]
fn demo_burns_verifies_and_reports_the_drives_underruns() {
    let dir = tempfile::tempdir().unwrap();
    let disc = dir.path();
    let out = Command::cargo_bin("discburn")
        .unwrap()
        .env_remove("DISCBURN_DRIVE")
        .args(["demo", "--size", "8", "--speed", "4x", "--plain", "--disc"])
        .arg(disc)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("Verify   OK"), "{stdout}");
    assert!(
        stdout.contains("underruns 0 (counted by the drive)"),
        "{stdout}"
    );
    assert!(stdout.contains("closed (finalized)"), "{stdout}");

    // The disc it left behind is a finalized BD-R holding the sample.
    let addr = format!(
        "virtual:{}?media=bd-r",
        disc.join("demo-bd-r.img").display()
    );
    let out = Command::cargo_bin("discburn")
        .unwrap()
        .env_remove("DISCBURN_DRIVE")
        .args(["--drive", &addr, "--json", "info"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let info: Value = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["event"] == "info")
        .expect("an info event");
    let medium = &info["medium"];
    assert_eq!(medium["profile"], "BD-R SRM", "{info}");
    assert_eq!(medium["status"], "closed", "{info}");
    assert_eq!(
        medium["tracks"][0]["size"], medium["capacity_sectors"],
        "{info}"
    );
    assert!(
        medium["capacity_sectors"].as_u64().unwrap() >= 8 * 512,
        "{info}"
    );
}
