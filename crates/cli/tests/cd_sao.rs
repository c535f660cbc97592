//! End-to-end: `discburn write --sao` (CD Session-At-Once) against a virtual CD-R,
//! unthrottled: burn, verify, and the layout `info` reports afterwards.

mod common;
use common::{discburn, drive, image, medium, recorded, stderr};

#[test]
fn sao_burn_verify_and_one_closed_session() {
    let dir = tempfile::tempdir().unwrap();
    let addr = drive(dir.path(), "cd-r", "");
    let img = image(dir.path(), "a.iso", 400, 1);
    let out = discburn(&addr)
        .args(["write", "--sao", "--verify", "--plain"])
        .arg(&img)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(text.contains("Session-At-Once"), "{text}");
    assert!(text.contains("Verify   OK, 400 sectors"), "{text}");
    let m = medium(&addr);
    assert_eq!(m["status"], "closed", "{m}");
    assert_eq!(m["complete_sessions"], 1, "{m}");
    // One track exactly as long as the cue sheet said.
    assert_eq!(recorded(&m), vec![(0, 400)], "{m}");
    discburn(&addr)
        .args(["verify", "--plain"])
        .arg(&img)
        .assert()
        .success();
    // Closed: another burn is refused before any WRITE.
    let out = discburn(&addr)
        .args(["write", "--sao"])
        .arg(&img)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
}

#[test]
fn sao_multi_session_appends_a_second_sao_session() {
    let dir = tempfile::tempdir().unwrap();
    let addr = drive(dir.path(), "cd-r", "");
    let a = image(dir.path(), "a.iso", 300, 1);
    let b = image(dir.path(), "b.iso", 350, 2);
    discburn(&addr)
        .args(["write", "--sao", "--multi"])
        .arg(&a)
        .assert()
        .success();
    let m = medium(&addr);
    assert_eq!(m["status"], "appendable", "{m}");
    let nwa = m["next_writable"].as_u64().unwrap();
    assert_eq!(
        nwa,
        300 + 11_400,
        "lead-out, lead-in and pre-gap after session 1"
    );
    discburn(&addr)
        .args(["write", "--sao", "--close", "--verify"])
        .arg(&b)
        .assert()
        .success();
    let m = medium(&addr);
    assert_eq!(m["status"], "closed", "{m}");
    assert_eq!(m["complete_sessions"], 2, "{m}");
    assert_eq!(recorded(&m), vec![(0, 300), (nwa, 350)], "{m}");
    discburn(&addr).arg("verify").arg(&b).assert().success();
}

#[test]
fn sao_test_write_leaves_the_disc_blank() {
    let dir = tempfile::tempdir().unwrap();
    let addr = drive(dir.path(), "cd-rw", "");
    let img = image(dir.path(), "a.iso", 300, 3);
    discburn(&addr)
        .args(["write", "--sao", "--dummy"])
        .arg(&img)
        .assert()
        .success();
    assert_eq!(medium(&addr)["status"], "blank");
}

#[test]
fn sao_is_refused_off_cd_and_for_short_images() {
    let dir = tempfile::tempdir().unwrap();
    let addr = drive(dir.path(), "dvd+r", "");
    let img = image(dir.path(), "a.iso", 400, 1);
    let out = discburn(&addr)
        .args(["write", "--sao"])
        .arg(&img)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let err = stderr(&out);
    assert!(err.contains("Session-At-Once"), "{err}");
    assert_eq!(medium(&addr)["status"], "blank");
    // A CD track is at least 300 sectors: a shorter image is padded with zeros to 300
    // as cdrecord does (issue 10; it used to be refused), and a note says so.
    let dir = tempfile::tempdir().unwrap();
    let addr = drive(dir.path(), "cd-r", "");
    let small = image(dir.path(), "s.iso", 299, 1);
    let out = discburn(&addr)
        .args(["write", "--sao", "--plain"])
        .arg(&small)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("300 sectors"), "{text}");
    assert!(text.contains("padded with 1 zero sectors"), "{text}");
    assert_eq!(recorded(&medium(&addr)), vec![(0, 300)]);
}
