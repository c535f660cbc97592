//! End-to-end (issue 16): `write --record FILE.json` saves a burn record for every disc —
//! a good burn, a failed one, each drive of a fan-out — and every record validates
//! against the JSON Schema kept in the repo; coreutils' `sha256sum` checks its digest.

use std::fs;

use serde_json::Value;

mod common;
use common::{
    assert_contains, discburn, drive, exits, image, sha256sum, stderr, succeeds, valid_record,
};

#[test]
fn a_verified_burn_is_recorded_with_the_digest_of_what_was_written() {
    let dir = tempfile::tempdir().unwrap();
    let img = image(dir.path(), "a.iso", 3000, 4);
    let rec = dir.path().join("burn.json");
    let addr = drive(dir.path(), "bd-r", "");
    succeeds(
        discburn(&addr)
            .args(["--plain", "write", "--verify", "--speed", "4x", "--record"])
            .arg(&rec)
            .arg(&img),
    );
    let r = valid_record(&rec);
    assert_eq!(r["source"]["sha256"], sha256sum(&img).as_str());
    assert_eq!(r["source"]["sectors"], 3000);
    assert_eq!(r["lba"]["first"], 0);
    assert_eq!(r["lba"]["last"], 2999);
    assert_eq!(r["drive"]["vendor"], "DISCBURN");
    assert_eq!(r["drive"]["address"], addr.as_str());
    assert!(r["drive"]["serial"].is_string());
    assert_eq!(r["medium"]["profile"], "BD-R SRM");
    assert!(r["medium"]["media_id"].is_string());
    assert_eq!(r["medium"]["before"]["status"], "blank");
    assert_eq!(r["medium"]["after"]["status"], "closed");
    assert_eq!(r["speed"]["asked"], "4x");
    assert_eq!(r["verify"]["ok"], true);
    assert_eq!(r["verify"]["sectors"], 3000);
    assert_eq!(r["result"]["ok"], true);
    assert_eq!(r["result"]["exit_code"], 0);
    let phases: Vec<&str> = r["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["phase"].as_str().unwrap())
        .collect();
    assert!(
        phases.contains(&"writing-data") && phases.contains(&"verifying"),
        "{phases:?}"
    );
    // The trace runs over the LBAs written, up to the last.
    let lbas: Vec<i64> = r["trace"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["lba"].as_i64().unwrap())
        .collect();
    assert!(lbas.len() >= 2, "{lbas:?}");
    assert!(lbas.windows(2).all(|w| w[0] <= w[1]), "{lbas:?}");
    assert_eq!(*lbas.last().unwrap(), 2999);
}

#[test]
fn a_failed_burn_is_recorded_with_its_sense_and_last_lba() {
    let dir = tempfile::tempdir().unwrap();
    let img = image(dir.path(), "a.iso", 3000, 2);
    let rec = dir.path().join("failed.json");
    exits(
        discburn(&drive(dir.path(), "bd-r", "&fault=medium-error:1500"))
            .args(["--plain", "write", "--record"])
            .arg(&rec)
            .arg(&img),
        5,
    );
    let r = valid_record(&rec);
    assert_eq!(r["result"]["ok"], false);
    assert_eq!(r["result"]["exit_code"], 5);
    let last = r["result"]["last_written_lba"]
        .as_i64()
        .expect("the last LBA");
    assert!((0..1500).contains(&last), "{last}");
    assert_contains(r["result"]["error"].as_str().unwrap(), &[&last.to_string()]);
    assert!(
        r["result"]["sense"]
            .as_str()
            .unwrap()
            .contains("WRITE ERROR"),
        "{}",
        r["result"]
    );
    // Fixed-format sense (SPC-4 §4.5.3: response code 70h, the VALID bit may be set),
    // sense key 3 (MEDIUM ERROR).
    let raw: Vec<u8> = r["result"]["sense_raw"]
        .as_str()
        .unwrap()
        .split(' ')
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect();
    assert_eq!((raw[0] & 0x7F, raw[2] & 0x0F), (0x70, 3), "{raw:02X?}");
    assert!(r["source"]["sha256"].is_null());
}

#[test]
fn each_drive_of_a_fan_out_gets_its_own_record() {
    let dir = tempfile::tempdir().unwrap();
    let img = image(dir.path(), "a.iso", 1000, 6);
    let a = format!(
        "virtual:{}?media=dvd+r&throttle=off",
        dir.path().join("a.img").display()
    );
    let b = format!(
        "virtual:{}?media=bd-r&throttle=off",
        dir.path().join("b.img").display()
    );
    let mut c = assert_cmd::Command::cargo_bin("discburn").unwrap();
    c.env_remove("DISCBURN_DRIVE")
        .args(["--drive", &a, "--drive", &b, "--plain", "write", "--record"])
        .arg(dir.path().join("copies.json"))
        .arg(&img);
    succeeds(c);
    let sum = sha256sum(&img);
    for (n, addr, profile) in [(1, &a, "DVD+R"), (2, &b, "BD-R SRM")] {
        let r = valid_record(&dir.path().join(format!("copies-{n}.json")));
        assert_eq!(r["drive"]["address"], addr.as_str());
        assert_eq!(r["medium"]["profile"], profile);
        assert_eq!(r["source"]["sha256"], sum.as_str());
        assert_eq!(r["result"]["ok"], true);
    }
    assert!(!dir.path().join("copies.json").exists());
}

#[test]
fn audio_burns_refuse_a_record_they_would_not_keep() {
    let dir = tempfile::tempdir().unwrap();
    let out = exits(
        discburn(&drive(dir.path(), "cd-r", ""))
            .args(["write", "--audio", "--record", "r.json", "t.wav"]),
        2,
    );
    assert_contains(&stderr(&out), &["--record keeps the record of a data burn"]);
}

#[test]
fn the_schema_refuses_a_record_that_breaks_it() {
    let dir = tempfile::tempdir().unwrap();
    let img = image(dir.path(), "a.iso", 200, 1);
    let rec = dir.path().join("r.json");
    succeeds(
        discburn(&drive(dir.path(), "dvd+r", ""))
            .args(["--plain", "write", "--record"])
            .arg(&rec)
            .arg(&img),
    );
    let good = valid_record(&rec);
    let schema: Value =
        serde_json::from_str(include_str!("../schema/burn-record.schema.json")).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut d = good.clone();
        edit(&mut d);
        !v.is_valid(&d)
    };
    assert!(broken(&|d| d["source"]["sha256"] = "not-a-digest".into()));
    assert!(broken(&|d| d["result"]["exit_code"] = 300.into()));
    assert!(broken(&|d| d["buffer"]["min_host_percent"] = 101.0.into()));
    assert!(broken(&|d| {
        d.as_object_mut().unwrap().remove("drive");
    }));
    assert!(broken(&|d| d["extra"] = true.into()));
}

#[test]
fn report_shows_a_record_as_text_and_draws_it_as_svg_and_png() {
    let dir = tempfile::tempdir().unwrap();
    let img = image(dir.path(), "a.iso", 4000, 8);
    let rec = dir.path().join("r.json");
    let addr = drive(dir.path(), "bd-r", "");
    succeeds(
        discburn(&addr)
            .args(["--plain", "write", "--verify", "--record"])
            .arg(&rec)
            .arg(&img),
    );
    let svg = dir.path().join("r.svg");
    let png = dir.path().join("r.picture");
    let out = succeeds(
        discburn(&addr)
            .arg("report")
            .arg(&rec)
            .arg("--svg")
            .arg(&svg)
            .arg("--png")
            .arg(&png),
    );
    let text = common::stdout(&out);
    assert_contains(
        &text,
        &[
            &format!("SHA-256 {}", sha256sum(&img)),
            "LBAs     0–3999",
            "Verify   OK, 4000 sectors",
            "Result   burned",
            "Along the disc (",
            "Graph    ",
        ],
    );
    let drawn = fs::read_to_string(&svg).unwrap();
    assert!(
        drawn.starts_with("<svg"),
        "{}",
        &drawn[..drawn.len().min(200)]
    );
    // Speed (blue) and the host's buffer (red): a line of many points each (the
    // legend's samples have two); the drive's buffer (green) is in the legend (an
    // unthrottled virtual drive is rarely sampled), and the axis names.
    assert!(drawn.contains("stroke=\"#00FF00\""));
    for colour in ["#0000FF", "#FF0000"] {
        let longest = drawn
            .split("<polyline")
            .filter(|p| p.contains(&format!("stroke=\"{colour}\"")))
            .filter_map(|p| p.split("points=\"").nth(1)?.split('"').next())
            .map(|pts| pts.split_whitespace().count())
            .max()
            .unwrap_or(0);
        assert!(longest >= 3, "no line of {colour}: {longest} points");
    }
    assert_contains(&drawn, &["position (LBA)", "speed (x)", "buffer fill (%)"]);

    // The PNG (whatever its name says): 960×540, the speed line in blue across the plot,
    // and text — the title's row holds dark pixels (the built-in font drew it).
    let bytes = fs::read(&png).unwrap();
    let pic = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
        .expect("a PNG picture")
        .to_rgb8();
    assert_eq!(pic.dimensions(), (960, 540));
    let blue_columns = (0..960)
        .filter(|&x| (0..540).any(|y| pic.get_pixel(x, y).0 == [0, 0, 255]))
        .count();
    assert!(
        blue_columns > 600,
        "the speed line spans {blue_columns} columns"
    );
    let dark_in_title = (0..960)
        .flat_map(|x| (0..40).map(move |y| (x, y)))
        .filter(|&(x, y)| pic.get_pixel(x, y).0.iter().all(|&c| c < 100))
        .count();
    assert!(
        dark_in_title > 50,
        "no title text: {dark_in_title} dark pixels"
    );
}

#[test]
fn report_refuses_what_is_not_a_burn_record() {
    let dir = tempfile::tempdir().unwrap();
    let addr = drive(dir.path(), "bd-r", "");
    let cases = [
        ("notjson.json", "{ not json".to_string(), "not JSON"),
        (
            "other.json",
            r#"{"hello": 1}"#.to_string(),
            "record_version",
        ),
        ("list.json", "[1, 2]".to_string(), "not a JSON object"),
    ];
    for (name, body, says) in cases {
        let p = dir.path().join(name);
        fs::write(&p, body).unwrap();
        let out = exits(discburn(&addr).arg("report").arg(&p), 7);
        assert_contains(&stderr(&out), &[says, "--record"]);
    }
    let big = dir.path().join("big.json");
    let f = fs::File::create(&big).unwrap();
    f.set_len(17 << 20).unwrap();
    let out = exits(discburn(&addr).arg("report").arg(&big), 7);
    assert_contains(&stderr(&out), &["more than any burn record"]);
}

#[test]
fn a_log_folder_keeps_every_burns_record_beside_its_log() {
    let dir = tempfile::tempdir().unwrap();
    let img = image(dir.path(), "a.iso", 400, 6);
    let logs = dir.path().join("logs/");
    let addr = drive(dir.path(), "bd-r", "");
    succeeds(
        discburn(&addr)
            .args(["--plain", "--log"])
            .arg(&logs)
            .arg("write")
            .arg(&img),
    );
    let mut names: Vec<String> = fs::read_dir(&logs)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    let (log, rec) = (&names[0], &names[1]);
    assert!(
        log.starts_with("discburn-") && log.ends_with(".log"),
        "{names:?}"
    );
    assert_eq!(
        rec.strip_suffix(".record.json"),
        log.strip_suffix(".log"),
        "one name per run: {names:?}"
    );
    assert!(fs::read_to_string(logs.join(log))
        .unwrap()
        .contains("WRITE"));
    let r = valid_record(&logs.join(rec));
    assert_eq!(r["source"]["sha256"], sha256sum(&img).as_str());
    // Given --record, the record goes where it says, and the log folder keeps the log.
    let other = dir.path().join("mine.json");
    let addr2 = format!(
        "virtual:{}?media=bd-r&throttle=off",
        dir.path().join("two.img").display()
    );
    succeeds(
        discburn(&addr2)
            .args(["--plain", "--log"])
            .arg(&logs)
            .args(["write", "--record"])
            .arg(&other)
            .arg(&img),
    );
    valid_record(&other);
    assert_eq!(
        fs::read_dir(&logs).unwrap().count(),
        3,
        "a second log, no second record there"
    );
}
