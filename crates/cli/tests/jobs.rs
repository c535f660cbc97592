//! End-to-end (issue 16, item 4): `discburn jobs DIR` runs a folder's job files — copies
//! on several drives at once, in rounds when there are more copies than drives, a burn
//! record per disc — and a runner killed mid-job reports the job as interrupted on
//! restart instead of burning it again.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

mod common;
use common::{
    assert_contains, exits, image, sha256sum, stderr, stdout, succeeds, valid_record, wait_bounded,
};

/// A virtual recorder over `dir/NAME.img`.
fn addr(dir: &Path, name: &str, media: &str, extra: &str) -> String {
    format!(
        "virtual:{}?media={media}{extra}",
        dir.join(format!("{name}.img")).display()
    )
}

/// `discburn jobs DIR --once ARGS`.
fn jobs(dir: &Path, args: &[&str]) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("discburn").unwrap();
    c.env_remove("DISCBURN_DRIVE")
        .arg("jobs")
        .arg(dir)
        .arg("--once")
        .args(args);
    c
}

fn put_job(dir: &Path, name: &str, job: Value) {
    fs::write(dir.join(format!("{name}.job.json")), job.to_string()).unwrap();
}

fn state(dir: &Path, name: &str) -> Value {
    let p = dir.join(format!("{name}.state.json"));
    serde_json::from_str(&fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .unwrap()
}

/// The first `len` bytes of a disc's backing file.
fn disc_bytes(path: &Path, len: usize) -> Vec<u8> {
    let mut b = fs::read(path).unwrap();
    assert!(
        b.len() >= len,
        "{} holds {} bytes, fewer than {len}",
        path.display(),
        b.len()
    );
    b.truncate(len);
    b
}

#[test]
fn a_job_burns_its_copies_at_once_with_a_record_for_each_and_is_not_run_twice() {
    let t = tempfile::tempdir().unwrap();
    let q = t.path().join("queue");
    fs::create_dir(&q).unwrap();
    let img = image(&q, "backup.iso", 3000, 5);
    let folder = q.join("photos");
    fs::create_dir(&folder).unwrap();
    fs::write(folder.join("a.txt"), b"the first file\n").unwrap();
    let (one, two, three) = (
        addr(t.path(), "one", "bd-r", "&throttle=off"),
        addr(t.path(), "two", "dvd+r", "&throttle=off"),
        addr(t.path(), "three", "bd-r", "&throttle=off"),
    );
    // Relative sources are found in the job folder.
    put_job(
        &q,
        "10-backup",
        json!({"source": "backup.iso", "drives": [one, two], "verify": true, "label": "BACKUP"}),
    );
    put_job(
        &q,
        "20-photos",
        json!({"source": "photos", "copies": 1, "drives": [three], "label": "PHOTOS"}),
    );
    let out = succeeds(jobs(&q, &["--plain"]));
    let text = stdout(&out);
    assert_contains(
        &text,
        &[
            "Job 10-backup: running — copies 1–2 of 2 on [1] ",
            "Job 10-backup: done — 2 of 2 copies burned",
            "Job 20-photos: done — 1 of 1 copies burned",
            "2 job(s) run, 0 failed",
        ],
    );

    let want = fs::read(&img).unwrap();
    let digest = sha256sum(&img);
    let s = state(&q, "10-backup");
    assert_eq!(
        (
            s["status"].as_str(),
            s["copies"].as_u64(),
            s["copies_done"].as_u64()
        ),
        (Some("done"), Some(2), Some(2)),
        "{s}"
    );
    assert_eq!(s["label"], "BACKUP");
    for (copy, disc) in [(1, "one"), (2, "two")] {
        assert_eq!(
            disc_bytes(&t.path().join(format!("{disc}.img")), want.len()),
            want,
            "copy {copy}"
        );
        let r = valid_record(&q.join(format!("10-backup.copy-{copy}.record.json")));
        assert_eq!(r["source"]["sha256"], digest.as_str(), "copy {copy}");
        assert_eq!(r["result"]["ok"], true);
        assert_eq!(r["verify"]["ok"], true, "copy {copy} was verified");
        let d = &s["discs"][copy - 1];
        assert_eq!(
            (d["copy"].as_u64(), d["ok"].as_bool()),
            (Some(copy as u64), Some(true)),
            "{s}"
        );
        assert_eq!(d["record"], format!("10-backup.copy-{copy}.record.json"));
        assert_eq!(d["sha256"], digest.as_str());
    }
    let p = state(&q, "20-photos");
    assert_eq!(p["status"], "done", "{p}");
    let r = valid_record(&q.join("20-photos.copy-1.record.json"));
    assert_eq!(r["result"]["ok"], true);
    // The label is the folder's volume name on the disc.
    let disc = fs::read(t.path().join("three.img")).unwrap();
    assert_eq!(
        &disc[16 * 2048 + 40..16 * 2048 + 46],
        b"PHOTOS",
        "the primary volume descriptor's volume identifier"
    );

    // Run again: everything is done, nothing is burned.
    let before = fs::metadata(t.path().join("one.img"))
        .unwrap()
        .modified()
        .unwrap();
    let out = succeeds(jobs(&q, &["--plain"]));
    assert_contains(&stdout(&out), &["0 job(s) run, 0 failed"]);
    assert_eq!(
        fs::metadata(t.path().join("one.img"))
            .unwrap()
            .modified()
            .unwrap(),
        before
    );
}

#[test]
fn a_bad_job_fails_by_itself_with_the_reason_and_the_others_run() {
    let t = tempfile::tempdir().unwrap();
    let img = image(t.path(), "a.iso", 500, 1);
    let good = addr(t.path(), "good", "bd-r", "&throttle=off");
    put_job(
        t.path(),
        "a-bad",
        json!({"source": "a.iso", "drives": [good], "colour": "red"}),
    );
    put_job(
        t.path(),
        "b-missing",
        json!({"source": "nowhere.iso", "drives": [addr(t.path(), "m", "bd-r", "&throttle=off")]}),
    );
    put_job(t.path(), "c-good", json!({"source": img, "drives": [good]}));
    fs::write(t.path().join("d-junk.job.json"), [0xff, 0x00, 0x12]).unwrap();
    let out = exits(jobs(t.path(), &["--plain"]), 2);
    let err = stderr(&out);
    assert_contains(
        &err,
        &[
            "3 of 4 jobs failed; a-bad:",
            "unknown field \"colour\"",
            "delete a-bad.state.json",
        ],
    );
    assert_eq!(state(t.path(), "a-bad")["status"], "failed");
    assert!(state(t.path(), "a-bad")["error"]
        .as_str()
        .unwrap()
        .contains("colour"));
    let m = state(t.path(), "b-missing");
    assert_eq!(
        (m["status"].as_str(), m["exit_code"].as_u64()),
        (Some("failed"), Some(7)),
        "a missing source is exit 7: {m}"
    );
    assert_eq!(m["discs"][0]["ok"], false, "{m}");
    assert_eq!(
        m["discs"][0]["record"],
        Value::Null,
        "nothing was burned, so there is no record: {m}"
    );
    // The bad jobs before it did not touch its drive.
    let c = state(t.path(), "c-good");
    assert_eq!(c["status"], "done", "{c}");
    assert_eq!(state(t.path(), "d-junk")["status"], "failed");
    // A failed job is not run again.
    let again = succeeds(jobs(t.path(), &["--plain"]));
    assert_contains(&stdout(&again), &["0 job(s) run"]);
}

#[test]
fn more_copies_than_drives_are_burned_once_each_drive_holds_a_blank_disc_again() {
    let t = tempfile::tempdir().unwrap();
    let slot = t.path().join("slot");
    fs::create_dir(&slot).unwrap();
    let img = image(t.path(), "a.iso", 800, 3);
    let drive = addr(&slot, "disc", "bd-r", "&throttle=off");
    let q = t.path().join("q");
    fs::create_dir(&q).unwrap();
    put_job(
        &q,
        "x",
        json!({"source": img, "copies": 2, "drives": [drive]}),
    );
    let mut child = Process::new(assert_cmd::cargo::cargo_bin("discburn"))
        .env_remove("DISCBURN_DRIVE")
        .args(["--plain", "jobs", "--once", "--poll", "0.05"])
        .arg(&q)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        seen.push(line.clone());
        if line.contains("waiting for a blank disc in [1] ") {
            break;
        }
    }
    assert!(
        seen.last().is_some_and(|l| l.contains("waiting")),
        "never waited:\n{}",
        seen.join("\n")
    );
    let s = state(&q, "x");
    assert_eq!(
        (s["status"].as_str(), s["copies_done"].as_u64()),
        (Some("running"), Some(1)),
        "{s}"
    );
    // The tower swaps the disc: the burned one leaves (the whole slot at once), a blank
    // one comes.
    let first = t.path().join("first");
    fs::rename(&slot, &first).unwrap();
    fs::create_dir(&slot).unwrap();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = wait_bounded(&mut child, Duration::from_secs(120)).expect("the job ends");
    assert!(status.success(), "{}", rest.join("\n"));
    assert_contains(
        &rest.join("\n"),
        &["copies 2–2 of 2", "Job x: done — 2 of 2 copies burned"],
    );
    let want = fs::read(&img).unwrap();
    assert_eq!(disc_bytes(&first.join("disc.img"), want.len()), want);
    assert_eq!(disc_bytes(&slot.join("disc.img"), want.len()), want);
    for copy in 1..=2 {
        valid_record(&q.join(format!("x.copy-{copy}.record.json")));
    }
}

#[test]
fn a_runner_killed_mid_job_finds_it_interrupted_and_never_burns_it_again() {
    let t = tempfile::tempdir().unwrap();
    // Throttled: 40 MB at DVD 4x take several seconds.
    let drive = addr(t.path(), "disc", "dvd+r", "&speed=4x");
    let img = image(t.path(), "big.iso", 20_480, 9);
    let q: PathBuf = t.path().join("q");
    fs::create_dir(&q).unwrap();
    put_job(
        &q,
        "big",
        json!({"source": img, "drives": [drive], "speed": "4x"}),
    );
    let mut child = Process::new(assert_cmd::cargo::cargo_bin("discburn"))
        .env_remove("DISCBURN_DRIVE")
        .args(["--json", "jobs", "--once"])
        .arg(&q)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reported = 0;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let v: Value = serde_json::from_str(&line.unwrap()).unwrap();
        if v["event"] == "write" {
            reported = v["sectors_written"].as_u64().unwrap_or(0);
            if reported >= 2048 {
                break;
            }
        }
    }
    assert!(reported >= 2048, "the burn never got going");
    // A second runner on the same folder is refused while the first lives.
    let other = exits(jobs(&q, &[]), 2);
    assert_contains(&stderr(&other), &["another `discburn jobs` is running on"]);
    child.kill().unwrap(); // SIGKILL: nothing of the runner runs after it
    child.wait().unwrap();
    assert_eq!(state(&q, "big")["status"], "running");
    let disc = t.path().join("disc.img");
    let before = (
        fs::read(&disc).unwrap(),
        fs::read(t.path().join("disc.img.state")).unwrap(),
    );

    let out = exits(jobs(&q, &["--plain"]), 8);
    let err = stderr(&out);
    assert_contains(
        &err,
        &[
            "job big: interrupted: the runner (pid ",
            "is not burned again",
            "delete big.state.json to run the job again",
        ],
    );
    let s = state(&q, "big");
    assert_eq!(
        (s["status"].as_str(), s["exit_code"].as_u64()),
        (Some("interrupted"), Some(8)),
        "{s}"
    );
    assert_eq!(
        (
            fs::read(&disc).unwrap(),
            fs::read(t.path().join("disc.img.state")).unwrap()
        ),
        before,
        "the disc was not touched again"
    );
    // Reported once: after that it is a finished job like any other.
    succeeds(jobs(&q, &[]));
}
