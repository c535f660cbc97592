//! `discburn info` names who made the disc (issue 15): on every medium the virtual drive
//! offers, the profile, layers, capacity and media ID, in text and `--json`; `mid=`
//! overrides the default, a bad `mid` is refused naming the limit.

mod common;

use common::*;

#[test]
fn info_lists_the_media_id_of_every_medium() {
    for (media, profile, code, maker, line) in [
        (
            "cd-r",
            "CD-R",
            "97:24:01",
            Some("Taiyo Yuden"),
            "ATIP     97:24:01 Taiyo Yuden, CD-R",
        ),
        (
            "cd-rw",
            "CD-RW",
            "97:27:65",
            Some("Ricoh"),
            "ATIP     97:27:65 Ricoh, CD-RW ultra speed, 4x–24x",
        ),
        (
            "dvd-r",
            "DVD-R sequential recording",
            "TYG03",
            Some("Taiyo Yuden"),
            "Media ID TYG03 (Taiyo Yuden)",
        ),
        (
            "dvd+r",
            "DVD+R",
            "MCC-004-001",
            Some("Mitsubishi Chemical / Verbatim"),
            "Media ID MCC-004-001 (Mitsubishi Chemical / Verbatim)",
        ),
        (
            "dvd+rw",
            "DVD+RW",
            "RICOHJPN-W11-004",
            Some("Ricoh"),
            "Media ID RICOHJPN-W11-004 (Ricoh)",
        ),
        (
            "bd-r",
            "BD-R SRM",
            "VERBAT-IMe-000",
            Some("Mitsubishi Chemical / Verbatim"),
            "Media ID VERBAT-IMe-000 (Mitsubishi Chemical / Verbatim)",
        ),
        (
            "bd-re",
            "BD-RE",
            "MEI-T01-001",
            Some("Panasonic"),
            "Media ID MEI-T01-001 (Panasonic)",
        ),
    ] {
        let (_dir, addr) = new_drive(media);
        let m = medium(&addr);
        assert_eq!(m["profile"], profile, "{media}: {m}");
        assert_eq!(m["layers"], 1, "{media}: {m}");
        assert!(m["capacity_sectors"].as_u64().unwrap() > 0, "{media}: {m}");
        assert_eq!(m["media_id"]["code"], code, "{media}: {m}");
        assert_eq!(
            m["media_id"]["manufacturer"].as_str(),
            maker,
            "{media}: {m}"
        );
        let text = stdout(&succeeds(discburn(&addr).arg("info")));
        assert_contains(
            &text,
            &[
                &format!("Medium   {profile} — blank, 1 layer"),
                line,
                "Capacity ",
            ],
        );
    }
    // The ATIP's facts on CD, the parts of the code elsewhere.
    let (_dir, addr) = new_drive("cd-rw");
    let a = &medium(&addr)["media_id"]["atip"];
    assert_eq!(a["disc_type"], "CD-RW");
    assert_eq!(a["lead_in_start"], "97:27:65");
    assert_eq!(a["last_lead_out_start"], "79:59:74");
    assert_eq!(
        (a["lowest_speed_x"].clone(), a["highest_speed_x"].clone()),
        (4.into(), 24.into())
    );
    let (_dir, addr) = new_drive("dvd+r");
    let id = &medium(&addr)["media_id"];
    assert_eq!(
        (
            id["manufacturer_code"].clone(),
            id["media_type"].clone(),
            id["revision"].clone()
        ),
        ("MCC".into(), "004".into(), 1.into())
    );
    assert!(id["atip"].is_null());
}

#[test]
fn dvd_ram_has_no_media_id() {
    let (_dir, addr) = new_drive("dvd-ram");
    let m = medium(&addr);
    assert!(m["media_id"].is_null(), "{m}");
    let text = stdout(&succeeds(discburn(&addr).arg("info")));
    assert!(
        !text.contains("Media ID") && !text.contains("ATIP"),
        "{text}"
    );
}

#[test]
fn mid_overrides_the_default_and_stays_with_the_disc() {
    let dir = tempfile::tempdir().unwrap();
    let addr = drive(dir.path(), "bd-r", "&mid=MILLEN-MR1-000");
    let text = stdout(&succeeds(discburn(&addr).arg("info")));
    assert_contains(&text, &["Media ID MILLEN-MR1-000 (Millenniata M-DISC)"]);
    // The disc keeps it: reopened without mid=.
    assert_eq!(
        medium(&drive(dir.path(), "bd-r", ""))["media_id"]["code"],
        "MILLEN-MR1-000"
    );
    // An unknown code is shown as such.
    let dir = tempfile::tempdir().unwrap();
    let text = stdout(&succeeds(
        discburn(&drive(dir.path(), "cd-r", "&mid=97:10:00")).arg("info"),
    ));
    assert_contains(
        &text,
        &["ATIP     97:10:00 manufacturer not in the table, CD-R"],
    );
    let dir = tempfile::tempdir().unwrap();
    let m = medium(&drive(dir.path(), "dvd-r", "&mid=VERBATIMc"));
    assert_eq!(m["media_id"]["code"], "VERBATIMc");
    assert_eq!(
        m["media_id"]["manufacturer"],
        "Mitsubishi Chemical / Verbatim"
    );
}

#[test]
fn a_bad_mid_is_refused_naming_the_limit() {
    for (media, mid, says) in [
        ("bd-r", "VERBATIMc", "a bd-r holds at most 6"),
        (
            "dvd+r",
            "MCC-0044",
            "media type ID is 4 characters, a dvd+r holds at most 3",
        ),
        ("cd-r", "VERBAT", "ATIP start of lead-in MM:SS:FF"),
        ("dvd-ram", "ANY", "carries no media identity"),
        ("bd-re", "MEI-T01-300", "not a number from 0 to 255"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = exits(
            discburn(&drive(dir.path(), media, &format!("&mid={mid}"))).arg("info"),
            3,
        );
        assert_contains(&stderr(&out), &[&format!("mid=`{mid}`"), says]);
    }
}
