//! Dual- and multi-layer media end to end (issue 15): DVD+R DL, DVD-R DL, BD-R DL/TL/QL
//! and BD-RE DL/TL write, verify, take further sessions or format, refuse what does not
//! fit before the first WRITE and show their layers in `info`; on a blank DVD+R DL that
//! is closed after the burn the layer break is chosen and set before the first WRITE.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;

/// Write-once multi-layer media: (name, layers, capacity in sectors).
const WRITE_ONCE: &[(&str, u64, u64)] = &[
    ("dvd+r-dl", 2, 4_173_824),
    ("dvd-r-dl", 2, 4_171_712),
    ("bd-r-dl", 2, 24_438_784),
    ("bd-r-tl", 3, 48_878_592),
    ("bd-r-ql", 4, 62_500_864),
];

/// Rewritable multi-layer media: (name, layers, capacity formatted with the default
/// spare area of 393,216 sectors a layer).
const REWRITABLE: &[(&str, u64, u64)] = &[
    ("bd-re-dl", 2, 24_438_784 - 2 * 393_216),
    ("bd-re-tl", 3, 48_878_592 - 3 * 393_216),
];

/// A sparse image of `sectors` sectors whose first sector carries a mark.
fn sparse(dir: &Path, name: &str, sectors: u64) -> PathBuf {
    let p = dir.join(name);
    let mut head = vec![0u8; 2048];
    head[..4].copy_from_slice(b"MARK");
    fs::write(&p, head).unwrap();
    fs::OpenOptions::new()
        .write(true)
        .open(&p)
        .unwrap()
        .set_len(sectors * 2048)
        .unwrap();
    p
}

#[test]
fn every_write_once_multi_layer_medium_takes_sessions_verifies_and_shows_its_layers() {
    for &(media, layers, capacity) in WRITE_ONCE {
        let (dir, addr) = new_drive(media);
        let m = medium(&addr);
        assert_eq!(m["status"], "blank", "{media}");
        assert_eq!(m["layers"], layers, "{media}: {m}");
        assert_eq!(m["free_sectors"], capacity, "{media}: {m}");
        let a = image(dir.path(), "a.iso", 200, 1);
        let b = image(dir.path(), "b.iso", 150, 2);
        let c = image(dir.path(), "c.iso", 100, 3);
        let text = write_ok(&addr, &["--multi", "--verify", "--plain"], &a);
        assert!(text.contains("Verify   OK, 200 sectors"), "{media}: {text}");
        if media.starts_with("dvd") {
            // An appendable burn keeps the disc's break, and says the data fits on Layer 0.
            assert!(text.contains("fits on Layer 0"), "{media}: {text}");
            assert_eq!(medium(&addr)["layer0_sectors"], capacity / 2, "{media}");
        }
        let nwa = medium(&addr)["next_writable"].as_u64().unwrap();
        write_ok(&addr, &["--multi", "--verify"], &b);
        let m = medium(&addr);
        assert_eq!(m["complete_sessions"], 2, "{media}: {m}");
        let starts: Vec<u64> = m["tracks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["blank"] == false)
            .map(|t| t["start"].as_u64().unwrap())
            .collect();
        assert_eq!(starts, vec![0, nwa], "{media}: {m}");
        write_ok(&addr, &["--close"], &c);
        assert_eq!(medium(&addr)["status"], "closed", "{media}");
        let out = exits(discburn(&addr).arg("write").arg(&a), 4);
        assert_contains(&stderr(&out), &["closed"]);
        let text = stdout(&succeeds(discburn(&addr).args(["info", "--plain"])));
        assert!(
            text.contains(&format!("{layers} layers")),
            "{media}: {text}"
        );
    }
}

#[test]
fn multi_layer_bd_re_formats_spares_on_every_layer_and_verifies() {
    for &(media, layers, formatted) in REWRITABLE {
        let (dir, addr) = new_drive(media);
        let img = image(dir.path(), "a.iso", 300, 4);
        let text = write_ok(&addr, &["--verify", "--plain"], &img);
        assert!(text.contains("Verify   OK, 300 sectors"), "{media}: {text}");
        let m = medium(&addr);
        assert_eq!(
            (m["capacity_sectors"].as_u64(), m["layers"].as_u64()),
            (Some(formatted), Some(layers)),
            "{media}: {m}"
        );
        // A second folder grows the volume, as on a single-layer BD-RE.
        let (d1, d2) = (dir.path().join("one"), dir.path().join("two"));
        fs::create_dir_all(&d1).unwrap();
        fs::create_dir_all(&d2).unwrap();
        fs::write(d1.join("a.txt"), b"first").unwrap();
        fs::write(d2.join("b.txt"), b"second").unwrap();
        write_ok(&addr, &["--plain"], &d1);
        let text = write_ok(&addr, &["--multi", "--verify", "--plain"], &d2);
        assert!(text.contains("Growing the volume"), "{media}: {text}");
        // Formatting again with the smallest spare area.
        succeeds(discburn(&addr).args(["format", "--spare", "min"]));
        assert_eq!(
            medium(&addr)["capacity_sectors"].as_u64(),
            Some(formatted + layers * (393_216 - 131_072)),
            "{media}"
        );
    }
}

#[test]
fn dvd_plus_rw_dl_formats_grows_and_verifies_like_dvd_plus_rw() {
    let (dir, addr) = new_drive("dvd+rw-dl");
    let (d1, d2) = (dir.path().join("one"), dir.path().join("two"));
    fs::create_dir_all(&d1).unwrap();
    fs::create_dir_all(&d2).unwrap();
    fs::write(d1.join("a.txt"), b"first").unwrap();
    fs::write(d2.join("b.txt"), b"second").unwrap();
    let text = write_ok(&addr, &["--verify", "--plain"], &d1);
    assert!(text.contains("Verify   OK"), "{text}");
    let text = write_ok(&addr, &["--multi", "--verify", "--plain"], &d2);
    assert!(text.contains("Growing the volume"), "{text}");
    let m = medium(&addr);
    assert_eq!(
        (
            m["profile"].as_str(),
            m["layers"].as_u64(),
            m["capacity_sectors"].as_u64()
        ),
        (Some("DVD+RW DL"), Some(2), Some(4_173_824)),
        "{m}"
    );
    let big = sparse(dir.path(), "big.iso", 4_173_825);
    let out = exits(discburn(&addr).arg("write").arg(&big), 4);
    assert_contains(&stderr(&out), &["4173825 sectors"]);
}

#[test]
fn an_image_one_sector_too_large_is_refused_before_any_write_on_each() {
    for &(media, _, capacity) in WRITE_ONCE.iter().chain(REWRITABLE) {
        let (dir, addr) = new_drive(media);
        let big = sparse(dir.path(), "big.iso", capacity + 1);
        let out = exits(discburn(&addr).arg("write").arg(&big), 4);
        let err = stderr(&out);
        assert!(
            err.contains(&format!("{} sectors", capacity + 1)),
            "{media}: {err}"
        );
        let m = medium(&addr);
        assert!(
            m["status"] == "blank" || m["recording"] == "RandomAccess",
            "{media}: nothing written: {m}"
        );
        assert!(
            m["tracks"]
                .as_array()
                .is_none_or(|t| t.iter().all(|t| t["blank"] != false)),
            "{media}: {m}"
        );
    }
}

#[test]
fn a_dvd_plus_r_dl_burn_splits_the_layers_evenly_before_the_first_write() {
    // 2,500,000 sectors: more than Layer 0's 2,086,912. The drive fails the WRITE at
    // sector 5000 so the test does not write 5 GB; the break is on the disc by then.
    let dir = tempfile::tempdir().unwrap();
    let addr = drive(dir.path(), "dvd+r-dl", "&fault=medium-error:5000-5000");
    let big = sparse(dir.path(), "big.iso", 2_500_000);
    let out = exits(discburn(&addr).args(["write", "--plain"]).arg(&big), 5);
    assert_contains(
        &stdout(&out),
        &[
            "Layer break at sector 1250000",
            "as growisofs -dvd-compat does",
        ],
    );
    let m = medium(&addr);
    assert_eq!(m["layer0_sectors"], 1_250_000, "{m}");
    assert_eq!(m["layer_break_fixed"], true, "{m}");
    assert_eq!(m["capacity_sectors"], 2_500_000, "{m}");
    let text = stdout(&succeeds(discburn(&addr).args(["info", "--plain"])));
    assert_contains(
        &text,
        &["Layer 0 holds 1250000 sectors", "the break is fixed"],
    );

    // Appendable (--multi): the disc's own break stays; the note says where data crosses it.
    let dir = tempfile::tempdir().unwrap();
    let addr = drive(dir.path(), "dvd+r-dl", "&fault=medium-error:5000-5000");
    let big = sparse(dir.path(), "big.iso", 2_500_000);
    let out = exits(
        discburn(&addr)
            .args(["write", "--multi", "--plain"])
            .arg(&big),
        5,
    );
    assert_contains(
        &stdout(&out),
        &["Layer break at sector 2086912 (the disc's Layer 0 capacity)"],
    );
    assert_eq!(medium(&addr)["layer0_sectors"], 2_086_912);

    // DVD-R DL: the drive's break (growisofs sets none there either).
    let dir = tempfile::tempdir().unwrap();
    let addr = drive(dir.path(), "dvd-r-dl", "&fault=medium-error:5000-5000");
    let big = sparse(dir.path(), "big.iso", 2_500_000);
    let out = exits(discburn(&addr).args(["write", "--plain"]).arg(&big), 5);
    assert_contains(&stdout(&out), &["Layer break at sector 2085856"]);
    // A blank disc's break can still be set, and `info` says so.
    let (_d, addr) = new_drive("dvd+r-dl");
    let text = stdout(&succeeds(discburn(&addr).args(["info", "--plain"])));
    assert_contains(
        &text,
        &[
            "Layer 0 holds 2086912 sectors",
            "can still be set",
            "2 layers",
        ],
    );
}
