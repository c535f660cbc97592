//! DVD-RW end to end through the CLI: sold sequential (profile 0014h, written as a DVD-R,
//! multi-session), `blank --fast|--full` (BLANK minimal/full), `format --overwrite`
//! (FORMAT UNIT 15h, or 10h with --full) to restricted overwrite (0013h, written in whole
//! 32 KiB blocks and grown as a DVD+RW; the growth itself is checked file by file in
//! multisession.rs), oversize refused before anything is written, and `info`'s lines.

mod common;

use common::*;
use std::fs;

const CAPACITY: u64 = 2_298_496;

#[test]
fn sequential_write_verify_then_a_second_session() {
    let (dir, addr) = new_drive("dvd-rw");
    let m = medium(&addr);
    assert_eq!(m["profile"], "DVD-RW sequential recording", "{m}");
    assert_eq!(m["status"], "blank", "{m}");
    assert_eq!(m["capacity_sectors"], CAPACITY, "{m}");

    let one = image(dir.path(), "one.iso", 300, 1);
    let text = write_ok(&addr, &["--multi", "--verify"], &one);
    assert_contains(&text, &["Write mode: incremental", "Verify   OK"]);
    let two = image(dir.path(), "two.bin", 200, 2);
    write_ok(&addr, &["--multi", "--verify"], &two);
    let m = medium(&addr);
    assert_eq!(m["status"], "appendable", "{m}");
    assert_eq!(m["complete_sessions"], 2, "{m}");
    succeeds(discburn(&addr).arg("verify").arg(&two));

    // `info` in words: the profile, both sessions.
    let text = stdout(&succeeds(discburn(&addr).arg("info")));
    assert_contains(
        &text,
        &[
            "Medium   DVD-RW sequential recording — appendable",
            "Sessions 3 (2 complete)",
            "DVD-RW restricted overwrite",
            "Formats  restricted overwrite (`format --overwrite`, quick or --full): 2298496 sectors",
        ],
    );

    // A write that would close the disc behind the earlier sessions is refused, and
    // says how to have the disc whole again.
    let out = exits(discburn(&addr).arg("write").arg(&one), 4);
    assert_contains(&stderr(&out), &["not blank", "discburn blank", "--multi"]);
    assert_eq!(medium(&addr)["complete_sessions"], 2);
}

#[test]
fn a_closed_sequential_disc_is_blanked_fast_or_full_and_written_again() {
    for how in ["--fast", "--full"] {
        let (dir, addr) = new_drive("dvd-rw");
        let img = image(dir.path(), "a.iso", 400, 3);
        write_ok(&addr, &["--verify"], &img);
        let m = medium(&addr);
        assert_eq!(m["status"], "closed", "{how}: {m}");
        // Closed: the advice names blank.
        let out = exits(discburn(&addr).arg("write").arg(&img), 4);
        assert_contains(&stderr(&out), &["discburn blank"]);

        let out = stdout(&succeeds(discburn(&addr).arg("blank").arg(how)));
        assert_contains(&out, &["Blanked: DVD-RW sequential recording, blank"]);
        let other = image(dir.path(), "b.iso", 250, 4);
        write_ok(&addr, &["--verify"], &other);
        succeeds(discburn(&addr).arg("verify").arg(&other));
    }
    let (_dir, addr) = new_drive("dvd-rw");
    exits(discburn(&addr).args(["blank", "--fast", "--full"]), 2);
}

#[test]
fn format_overwrite_then_write_in_whole_blocks_and_blank_back() {
    let (dir, addr) = new_drive("dvd-rw");
    // Formatting changes the mode and erases: asked for explicitly.
    let out = exits(discburn(&addr).arg("format"), 4);
    assert_contains(&stderr(&out), &["discburn format --overwrite"]);
    assert_eq!(medium(&addr)["profile"], "DVD-RW sequential recording");

    let out = stdout(&succeeds(discburn(&addr).args(["format", "--overwrite"])));
    assert_contains(
        &out,
        &[
            "Formatting: DVD-RW Quick (2298496 sectors",
            "Formatted: DVD-RW restricted overwrite",
        ],
    );
    let m = medium(&addr);
    assert_eq!(m["profile"], "DVD-RW restricted overwrite", "{m}");
    assert_eq!(m["recording"], "RandomAccess", "{m}");
    let text = stdout(&succeeds(discburn(&addr).arg("info")));
    assert_contains(&text, &["Medium   DVD-RW restricted overwrite"]);

    // 100 sectors end mid-block: padded to 112, so no WRITE is refused halfway.
    let img = image(dir.path(), "odd.iso", 100, 5);
    let text = write_ok(&addr, &["--verify"], &img);
    assert_contains(
        &text,
        &[
            "padded with zeros to 112 sectors",
            "whole 32 KiB blocks",
            "Verify   OK",
        ],
    );
    let disc = fs::read(dir.path().join("disc.img")).unwrap();
    assert_eq!(disc[..100 * 2048], fs::read(&img).unwrap()[..]);
    assert!(disc[100 * 2048..112 * 2048].iter().all(|&b| b == 0));

    // --full is the full format (10h); only a DVD-RW takes --overwrite.
    let out = stdout(&succeeds(discburn(&addr).args([
        "format",
        "--overwrite",
        "--full",
    ])));
    assert_contains(&out, &["CD-RW/DVD-RW Full Format"]);
    exits(discburn(&addr).args(["format", "--full"]), 2);
    let (_d, plus) = new_drive("dvd+rw");
    let out = exits(discburn(&plus).args(["format", "--overwrite"]), 4);
    assert_contains(&stderr(&out), &["only a DVD-RW"]);

    // BLANK makes it sequential again.
    let out = stdout(&succeeds(discburn(&addr).arg("blank")));
    assert_contains(&out, &["Blanked: DVD-RW sequential recording, blank"]);
    write_ok(&addr, &["--verify"], &img);
}

#[test]
fn oversize_is_refused_before_anything_is_written() {
    for overwrite in [false, true] {
        let (dir, addr) = new_drive("dvd-rw");
        if overwrite {
            succeeds(discburn(&addr).args(["format", "--overwrite"]));
        }
        let big = dir.path().join("big.iso");
        fs::File::create(&big)
            .unwrap()
            .set_len((CAPACITY + 1) * 2048)
            .unwrap();
        let out = exits(discburn(&addr).arg("write").arg(&big), 4);
        assert_contains(
            &stderr(&out),
            &["big.iso needs", "has only 2298496 sectors"],
        );
        let m = medium(&addr);
        let len = fs::metadata(dir.path().join("disc.img")).map_or(0, |m| m.len());
        assert_eq!(len, 0, "overwrite {overwrite}: something was written ({m})");
    }
}
