//! `discburn serve`: the virtual recorder exported over iSCSI on 127.0.0.1, and the CLI's
//! own scenarios (write + verify, multi-session, blank, format, a fault) burned through
//! it with our initiator; the refusals a user meets (an open network address without
//! CHAP, a port in use, an image another server holds).

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// A running `discburn serve`; stopped with SIGINT (as Ctrl-C) by [`Served::stop`].
struct Served {
    child: Child,
    urls: Vec<String>,
}

impl Served {
    fn start(drives: &[String], extra: &[&str]) -> Served {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("discburn"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .args(drives)
            .env_remove("DISCBURN_DRIVE")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().expect("serve prints its target").unwrap();
        assert!(first.starts_with("target iqn."), "{first}");
        let urls = (0..drives.len())
            .map(|_| {
                let l = lines.next().expect("one line per LUN").unwrap();
                l.split_whitespace().next().unwrap().to_string()
            })
            .collect();
        Served { child, urls }
    }

    /// Ctrl-C: the target stops and saves each drive's state; exit status 0.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success());
        let status =
            wait_bounded(&mut self.child, Duration::from_secs(60)).expect("serve stops on SIGINT");
        assert!(status.success(), "serve exited {status:?}");
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run_ok(mut c: assert_cmd::Command, args: &[&str]) -> String {
    let out = c.args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

fn virtual_at(dir: &Path, name: &str, media: &str) -> String {
    format!(
        "virtual:{}?media={media}&throttle=off",
        dir.join(name).display()
    )
}

#[test]
fn write_verify_and_multisession_through_serve_land_on_the_image() {
    let dir = tempfile::tempdir().unwrap();
    let a = image(dir.path(), "a.img", 600, 1);
    let b = image(dir.path(), "b.img", 300, 2);
    let bd = virtual_at(dir.path(), "bd.img", "bd-r");
    let dvd = virtual_at(dir.path(), "dvd.img", "dvd+r");
    let s = Served::start(&[bd.clone(), dvd.clone()], &[]);
    let a_s = a.to_str().unwrap();
    // LUN 0: write + verify, closed. LUN 1: two sessions with --multi.
    let text = run_ok(discburn(&s.urls[0]), &["write", "--verify", "--plain", a_s]);
    assert!(text.contains("Verify   OK"), "{text}");
    run_ok(discburn(&s.urls[1]), &["write", "--multi", "--plain", a_s]);
    run_ok(
        discburn(&s.urls[1]),
        &["write", "--multi", "--plain", b.to_str().unwrap()],
    );
    let m = medium(&s.urls[1]);
    assert_eq!(recorded(&m).len(), 2, "two sessions over iSCSI: {m}");
    s.stop();
    // After Ctrl-C the state is saved: opened locally, the drives hold what was burned.
    let m = medium(&bd);
    assert_eq!(recorded(&m), vec![(0, 600)], "{m}");
    let m = medium(&dvd);
    assert_eq!(recorded(&m).len(), 2, "{m}");
    run_ok(discburn(&bd), &["verify", a_s]);
}

#[test]
fn blank_format_and_an_injected_fault_through_serve() {
    let dir = tempfile::tempdir().unwrap();
    let img = image(dir.path(), "i.img", 200, 3);
    let i = img.to_str().unwrap();
    let cdrw = virtual_at(dir.path(), "cdrw.img", "cd-rw");
    let bdre = virtual_at(dir.path(), "bdre.img", "bd-re");
    let faulty = format!(
        "{}&fault=medium-error:100-110",
        virtual_at(dir.path(), "f.img", "dvd+r")
    );
    let s = Served::start(&[cdrw, bdre, faulty], &[]);
    run_ok(discburn(&s.urls[0]), &["write", "--plain", i]);
    run_ok(discburn(&s.urls[0]), &["blank"]);
    assert_eq!(recorded(&medium(&s.urls[0])), vec![], "blanked");
    run_ok(discburn(&s.urls[1]), &["format"]);
    run_ok(discburn(&s.urls[1]), &["write", "--verify", "--plain", i]);
    // A medium error at LBA 100 reaches the initiator as sense: exit 5, the LBA named.
    exits(discburn(&s.urls[2]).args(["write", "--plain", i]), 5);
    s.stop();
}

/// `discburn serve ARGS` (no CHAP secret in the environment), which must exit with
/// `code`: its stderr.
fn serve_refused(args: &[&str], code: i32) -> String {
    let mut cmd = assert_cmd::Command::cargo_bin("discburn").unwrap();
    cmd.arg("serve")
        .args(args)
        .env_remove("DISCBURN_CHAP_SECRET");
    stderr(&exits(cmd, code))
}

#[test]
fn refusals_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let d = virtual_at(dir.path(), "d.img", "bd-r");
    // An open network address without CHAP.
    let err = serve_refused(&["--listen", "0.0.0.0:0", &d], 2);
    assert_contains(&err, &["without authentication", "--no-auth"]);
    // CHAP without its secret in the environment.
    let err = serve_refused(&["--listen", "127.0.0.1:0", "--chap-user", "u", &d], 2);
    assert_contains(&err, &["DISCBURN_CHAP_SECRET"]);
    // A bad address.
    serve_refused(&["--listen", "not an address", &d], 2);
    // A remote drive is its own target's to serve; a local one must exist (the guest's
    // 51-serve-sg serves a real one).
    let err = serve_refused(&["iscsi://127.0.0.1/iqn.2026-12.x:y/0"], 3);
    assert_contains(
        &err,
        &[
            "drives of this machine (sg:/dev/srN",
            "served by its own target",
        ],
    );
    let err = serve_refused(&["sg:/dev/sg-discburn-none"], 3);
    assert_contains(&err, &["There is no drive sg:/dev/sg-discburn-none"]);
    // A second server on the same image; and on the same port.
    let s = Served::start(std::slice::from_ref(&d), &[]);
    let err = serve_refused(&["--listen", "127.0.0.1:0", &d], 3);
    assert!(err.to_lowercase().contains("use"), "{err}");
    let port = s.urls[0]
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let other = virtual_at(dir.path(), "e.img", "bd-r");
    let err = serve_refused(&["--listen", &format!("127.0.0.1:{port}"), &other], 2);
    assert_contains(&err, &["in use"]);
    s.stop();
}

#[test]
fn chap_protected_serve_admits_the_secret_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = virtual_at(dir.path(), "d.img", "dvd+r");
    let start = Instant::now();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("discburn"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--chap-user",
            "alice",
            &d,
        ])
        .env("DISCBURN_CHAP_SECRET", "alices-secret-42")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let _target = lines.next().unwrap().unwrap();
    let url = lines
        .next()
        .unwrap()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let s = Served {
        child,
        urls: vec![url],
    };
    let good = s.urls[0].replace("iscsi://", "iscsi://alice%alices-secret-42@");
    let bad = s.urls[0].replace("iscsi://", "iscsi://alice%wrong-secret-00@");
    succeeds(discburn(&good).args(["info", "--json"]));
    let out = exits(discburn(&bad).args(["info"]), 3);
    assert!(
        !stderr(&out).contains("wrong-secret-00"),
        "the secret is never shown"
    );
    s.stop();
    assert!(start.elapsed() < Duration::from_secs(120));
}

#[test]
fn one_image_to_local_and_remote_drives_at_once_lands_on_every_disc() {
    // Issue 16: two recorders exported by serve and one local, fed from one read.
    let dir = tempfile::tempdir().unwrap();
    let s = Served::start(
        &[
            virtual_at(dir.path(), "r1.img", "bd-r"),
            virtual_at(dir.path(), "r2.img", "bd-r"),
        ],
        &[],
    );
    let img = image(dir.path(), "a.iso", 4000, 9);
    let mut c = assert_cmd::Command::cargo_bin("discburn").unwrap();
    c.env_remove("DISCBURN_DRIVE")
        .args(["--drive", &virtual_at(dir.path(), "local.img", "bd-r")])
        .args(["--drive", &s.urls[0], "--drive", &s.urls[1]]);
    let text = run_ok(c, &["--plain", "write", "--verify", img.to_str().unwrap()]);
    assert_contains(
        &text,
        &[
            "3 of 3 discs burned",
            &format!(
                "the source was read 1.00 times ({0} of {0} bytes)",
                4000 * 2048
            ),
        ],
    );
    s.stop();
    let want = std::fs::read(&img).unwrap();
    for name in ["local.img", "r1.img", "r2.img"] {
        let got = std::fs::read(dir.path().join(name)).unwrap();
        assert_eq!(&got[..want.len()], &want[..], "{name}");
    }
}
