//! What `discburn` says when a drive address cannot be opened: one sentence naming the
//! address once and what happened, the hint that fits (or none), exit code 3 — and an
//! iSCSI CHAP password shown nowhere (stdout, stderr, `--json`, `--log`). The iSCSI cases
//! run against a private tgtd on 127.0.0.1 (`discburn_iscsi::testing`) or a closed port.

use std::fs;
use std::net::TcpListener;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use discburn_iscsi::testing::{Tgt, TgtOptions};

mod common;
use common::{discburn, json_lines, stderr, stdout};

const USER: &str = "discburn";
const SECRET: &str = "pa55-w0rd-in-the-url";

/// Upper bound for one run (every case here answers in milliseconds).
const DEADLINE: Duration = Duration::from_secs(30);

fn run(addr: &str, args: &[&str]) -> Output {
    discburn(addr)
        .args(args)
        .timeout(DEADLINE)
        .output()
        .unwrap()
}

/// `info` on `addr` fails with exit 3 and exactly `expected` on stderr.
fn assert_open_fails(addr: &str, expected: &str) {
    let out = run(addr, &["info"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert_eq!(err, expected);
}

/// How often `needle` occurs in `hay`.
fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

/// A port on 127.0.0.1 nothing listens on (bound, then released).
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn chap_target() -> Tgt {
    Tgt::start_with(TgtOptions {
        chap: Some((USER.into(), SECRET.into())),
        ..TgtOptions::default()
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_missing_device_node_says_there_is_no_such_drive() {
    assert_open_fails(
        "/dev/sr9",
        "discburn: There is no drive /dev/sr9 (no such device)\n  \
         what to try: List the drives with `discburn drives`\n",
    );
}

#[test]
fn a_device_that_refuses_sg_io_is_not_an_optical_drive() {
    assert_open_fails(
        "/dev/null",
        "discburn: /dev/null is not an optical drive (it does not answer SCSI commands)\n  \
         what to try: Name an optical drive such as /dev/sr0 (`discburn drives` lists them)\n",
    );
}

#[test]
fn an_unresolvable_host_is_named() {
    // RFC 6761: .invalid never resolves.
    let addr = "iscsi://no-such-host.invalid/iqn.2024-01.test:dvd/1";
    assert_open_fails(
        addr,
        &format!(
            "discburn: Cannot open {addr}: cannot resolve host no-such-host.invalid\n  \
             what to try: Check the host name in the address, or give the target's IP address\n"
        ),
    );
}

#[test]
fn a_refused_connection_says_so() {
    let port = closed_port();
    let addr = format!("iscsi://127.0.0.1:{port}/iqn.2024-01.test:dvd/1");
    assert_open_fails(
        &addr,
        &format!(
            "discburn: Cannot open {addr}: 127.0.0.1:{port} refused the connection\n  \
             what to try: Check that the iSCSI target is running and the host and port in the \
             address (default 3260)\n"
        ),
    );
}

#[test]
fn a_wrong_chap_password_is_an_authentication_failure_without_the_address_hint() {
    let tgt = chap_target();
    let wrong = tgt.url().replace(SECRET, "not-the-secret");
    let shown = tgt.url().replace(SECRET, "***");
    // The exact text: neither password nor the "check the address" hint.
    assert_open_fails(
        &wrong,
        &format!(
            "discburn: Cannot open {shown}: the target refused the login: authentication \
             failed (check the user name and password)\n"
        ),
    );
    // No credentials at all: the target wants some.
    let bare = tgt.url_without_auth();
    assert_open_fails(
        &bare,
        &format!(
            "discburn: Cannot open {bare}: the target refused the login: it requires CHAP \
             authentication (give user%password@ in the address)\n"
        ),
    );
}

#[test]
fn every_open_failure_names_the_address_once() {
    let port = closed_port();
    for addr in [
        "/dev/sr9".to_string(),
        "/dev/null".to_string(),
        format!("iscsi://127.0.0.1:{port}/iqn.2024-01.test:dvd/1"),
        "iscsi://no-such-host.invalid/iqn.2024-01.test:dvd/1".to_string(),
    ] {
        let out = run(&addr, &["info"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(3), "{err}");
        assert_eq!(count(&err, &addr), 1, "{err}");
        assert!(!err.contains("device gone"), "{err}");
        assert!(!err.contains("E_DEV_NOT_EXIST"), "{err}");
    }
}

/// The secret in the address appears in none of `out`'s streams nor in `log`.
fn assert_secret_hidden(what: &str, out: &Output, log: &Path) {
    let stdout = stdout(out);
    let err = stderr(out);
    let log = fs::read_to_string(log).unwrap();
    for (stream, text) in [("stdout", &*stdout), ("stderr", &*err), ("log", &*log)] {
        assert!(
            !text.contains(SECRET),
            "{what}: the password is in {stream}:\n{text}"
        );
    }
}

#[test]
fn the_chap_password_is_shown_nowhere() {
    let tgt = chap_target();
    let url = tgt.url();
    assert!(url.contains(SECRET), "{url}");
    let shown = url.replace(SECRET, "***");
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.txt");
    let log_arg = log.to_str().unwrap();

    let out = run(&url, &["--log", log_arg, "info"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!("Drive    {shown}\n")),
        "{}",
        stdout(&out)
    );
    assert_secret_hidden("info", &out, &log);
    // Commands over iSCSI are logged too (the login's INQUIRY, with its CDB).
    let text = fs::read_to_string(&log).unwrap();
    assert!(text.contains(": INQUIRY cdb=12 "), "{text}");

    let out = run(&url, &["--log", log_arg, "info", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = json_lines(&out);
    assert_eq!(lines[0]["address"], shown.as_str(), "{lines:?}");
    assert_secret_hidden("info --json", &out, &log);

    // The address given as --drive=… is one argument of the logged command line.
    let out = assert_cmd::Command::cargo_bin("discburn")
        .unwrap()
        .env_remove("DISCBURN_DRIVE")
        .arg(format!("--drive={url}"))
        .args(["--log", log_arg, "info"])
        .timeout(DEADLINE)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_secret_hidden("--drive=…", &out, &log);

    let port = closed_port();
    let closed = format!("iscsi://{USER}%{SECRET}@127.0.0.1:{port}/{}/1", tgt.iqn());
    for json in [false, true] {
        let mut args = vec!["--log", log_arg, "info"];
        if json {
            args.insert(0, "--json");
        }
        let out = run(&closed, &args);
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        assert_secret_hidden("failing open", &out, &log);
    }
}
