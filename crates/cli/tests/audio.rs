//! `discburn write --audio`: WAV files become the tracks of an audio CD on a virtual
//! CD-R — samples byte for byte where the TOC says, mono on both channels, refusals of
//! what a CD cannot hold.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;
use common::{assert_contains, discburn, exits, info, json_lines, new_drive, stderr, succeeds};

const SECTOR: usize = 2352;

/// A canonical 44-byte-header PCM WAV file.
fn wav(path: &Path, rate: u32, channels: u16, data: &[u8]) {
    let mut v = Vec::with_capacity(44 + data.len());
    v.extend_from_slice(b"RIFF");
    v.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    v.extend_from_slice(&16u32.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&channels.to_le_bytes());
    v.extend_from_slice(&rate.to_le_bytes());
    v.extend_from_slice(&(rate * u32::from(channels) * 2).to_le_bytes());
    v.extend_from_slice(&(channels * 2).to_le_bytes());
    v.extend_from_slice(&16u16.to_le_bytes());
    v.extend_from_slice(b"data");
    v.extend_from_slice(&(data.len() as u32).to_le_bytes());
    v.extend_from_slice(data);
    fs::write(path, v).unwrap();
}

fn samples(bytes: usize, seed: u8) -> Vec<u8> {
    (0..bytes)
        .map(|i| ((i as u32).wrapping_mul(2_246_822_519) >> 13) as u8 ^ seed)
        .collect()
}

/// The image of a raw (2352-byte slot) virtual CD: sector `lba` of it.
fn disc_sectors(dir: &Path, lba: u64, sectors: usize) -> Vec<u8> {
    let img = fs::read(dir.join("disc.img")).unwrap();
    let from = lba as usize * SECTOR;
    let mut v = img.get(from..).unwrap_or(&[]).to_vec();
    v.resize(sectors * SECTOR, 0);
    v.truncate(sectors * SECTOR);
    v
}

#[test]
fn wav_tracks_make_an_audio_cd_with_the_drives_gaps() {
    let (dir, addr) = new_drive("cd-r");
    let a = samples(400 * SECTOR + 1000, 1);
    let b_mono = samples(310 * SECTOR / 2, 2);
    let (pa, pb): (PathBuf, PathBuf) = (dir.path().join("one.wav"), dir.path().join("two.wav"));
    wav(&pa, 44_100, 2, &a);
    wav(&pb, 44_100, 1, &b_mono);
    let out = succeeds(
        discburn(&addr)
            .arg("write")
            .arg("--audio")
            .arg(&pa)
            .arg(&pb),
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_contains(
        &text,
        &[
            "Audio CD: 2 tracks",
            "Track  1",
            "one.wav",
            "Wrote 2 audio tracks",
            "finalized",
        ],
    );

    let m = &info(&addr)["medium"];
    assert_eq!(m["status"], "closed", "{m}");
    let tracks: Vec<(u64, u64, bool)> = m["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["number"].as_u64().unwrap(),
                t["start"].as_u64().unwrap(),
                t["audio"] == true,
            )
        })
        .collect();
    assert_eq!(tracks, vec![(1, 0, true), (2, 401 + 152, true)], "{m}");
    // Track 1: the samples, the last sector completed with silence.
    let one = disc_sectors(dir.path(), 0, 401);
    assert_eq!(&one[..a.len()], &a[..]);
    assert!(one[a.len()..].iter().all(|&x| x == 0));
    // Track 2: mono played on both channels.
    let two = disc_sectors(dir.path(), 553, 310);
    let want: Vec<u8> = b_mono
        .chunks_exact(2)
        .flat_map(|s| [s[0], s[1], s[0], s[1]])
        .collect();
    assert_eq!(two, want);
}

#[test]
fn json_events_name_each_track_and_multi_leaves_the_disc_open() {
    let (dir, addr) = new_drive("cd-rw");
    let p = dir.path().join("a.wav");
    wav(&p, 44_100, 2, &samples(75 * SECTOR, 3));
    let out = succeeds(
        discburn(&addr)
            .args(["--json", "write", "--audio", "--multi"])
            .arg(&p),
    );
    let lines = json_lines(&out);
    let track: Vec<&Value> = lines
        .iter()
        .filter(|l| l["event"] == "audio-track")
        .collect();
    assert_eq!(track.len(), 1, "{lines:?}");
    assert_eq!(track[0]["sectors"], 300, "lengthened to 4 seconds");
    assert_eq!(track[0]["silence_sectors"], 225);
    assert!(lines
        .iter()
        .any(|l| l["event"] == "audio-done" && l["finalized"] == false));
    assert_eq!(info(&addr)["medium"]["status"], "appendable");
}

#[test]
fn what_a_cd_cannot_play_is_refused_before_the_drive_is_touched() {
    let (dir, addr) = new_drive("cd-r");
    let p48 = dir.path().join("48k.wav");
    wav(&p48, 48_000, 2, &samples(4 * 48_000 * 4, 4));
    let out = exits(discburn(&addr).arg("write").arg("--audio").arg(&p48), 7);
    assert_contains(&stderr(&out), &["48k.wav", "48000 Hz", "44100", "sox"]);
    let junk = dir.path().join("junk.wav");
    fs::write(&junk, b"not audio at all").unwrap();
    let out = exits(discburn(&addr).arg("write").arg("--audio").arg(&junk), 7);
    assert_contains(&stderr(&out), &["junk.wav", "not an audio file"]);
    assert_eq!(info(&addr)["medium"]["status"], "blank");
    // A DVD takes no audio track.
    let (dir2, dvd) = new_drive("dvd+r");
    let p = dir2.path().join("a.wav");
    wav(&p, 44_100, 2, &samples(300 * SECTOR, 5));
    let out = exits(discburn(&dvd).arg("write").arg("--audio").arg(&p), 4);
    assert_contains(&stderr(&out), &["CD-R or CD-RW", "DVD+R"]);
    // --audio with options that mean nothing for it is a usage error.
    exits(
        discburn(&addr).args(["write", "--audio", "--pad"]).arg(&p),
        2,
    );
}

#[test]
fn verify_reads_every_track_back_and_names_the_first_difference() {
    let (dir, addr) = new_drive("cd-r");
    let (pa, pb) = (dir.path().join("a.wav"), dir.path().join("b.wav"));
    wav(&pa, 44_100, 2, &samples(320 * SECTOR + 100, 10));
    wav(&pb, 44_100, 1, &samples(300 * SECTOR, 11));
    let out = succeeds(
        discburn(&addr)
            .args(["write", "--audio", "--verify"])
            .arg(&pa)
            .arg(&pb),
    );
    assert_contains(
        &String::from_utf8_lossy(&out.stdout),
        &["Verify   track  1: OK", "Verify   track  2: OK"],
    );
    // Disc at once too.
    let (_d2, sao) = new_drive("cd-r");
    let out = succeeds(
        discburn(&sao)
            .args(["write", "--audio", "--sao", "--verify"])
            .arg(&pa)
            .arg(&pb),
    );
    assert_contains(
        &String::from_utf8_lossy(&out.stdout),
        &["Verify   track  2: OK"],
    );
    // A drive that records sector 5 wrong: the verify fails (exit 6) naming the track,
    // the file and where.
    let dir3 = tempfile::tempdir().unwrap();
    let bad = common::drive(dir3.path(), "cd-r", "&fault=corrupt:5-5");
    let out = exits(
        discburn(&bad)
            .args(["write", "--audio", "--verify"])
            .arg(&pa),
        6,
    );
    assert_contains(
        &stderr(&out),
        &["track 1 differs from", "a.wav", "sector 5"],
    );
}

#[test]
fn sao_writes_the_disc_at_once_with_cd_text_that_info_reads_back() {
    let (dir, addr) = new_drive("cd-r");
    let (pa, pb) = (
        dir.path().join("Opening.wav"),
        dir.path().join("Finale.wav"),
    );
    let a = samples(350 * SECTOR, 6);
    let b = samples(300 * SECTOR, 7);
    wav(&pa, 44_100, 2, &a);
    wav(&pb, 44_100, 2, &b);
    let out = succeeds(
        discburn(&addr)
            .args([
                "write",
                "--audio",
                "--sao",
                "--title",
                "Live at Home",
                "--performer",
                "Quartet",
            ])
            .arg(&pa)
            .arg(&pb),
    );
    assert_contains(
        &String::from_utf8_lossy(&out.stdout),
        &["Disc-At-Once", "with CD-Text", "finalized"],
    );
    let v = info(&addr);
    let starts: Vec<u64> = v["medium"]["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["start"].as_u64().unwrap())
        .collect();
    assert_eq!(starts, vec![0, 350 + 150], "{v}");
    assert_eq!(
        v["cd_text"]["titles"],
        serde_json::json!(["Live at Home", "Opening", "Finale"]),
        "{v}"
    );
    assert_eq!(
        v["cd_text"]["performers"],
        serde_json::json!(["Quartet", "Quartet", "Quartet"])
    );
    assert_eq!(disc_sectors(dir.path(), 0, 350), a);
    assert_eq!(disc_sectors(dir.path(), 500, 300), b);
    let plain = succeeds(discburn(&addr).arg("info"));
    assert_contains(
        &String::from_utf8_lossy(&plain.stdout),
        &[
            "CD-Text  Live at Home — Quartet",
            "track  2: Finale — Quartet",
        ],
    );
    // Gapless, without CD-Text.
    let (dir2, addr2) = new_drive("cd-r");
    let p = dir2.path().join("x.wav");
    wav(&p, 44_100, 2, &a);
    succeeds(
        discburn(&addr2)
            .args(["write", "--audio", "--sao", "--gapless"])
            .arg(&p)
            .arg(&p),
    );
    let v = info(&addr2);
    assert_eq!(v["medium"]["tracks"][1]["start"], 350, "{v}");
    assert!(v["cd_text"].is_null(), "{v}");
    // CD-Text needs Session-At-Once; text outside Latin-1 is refused before writing.
    exits(
        discburn(&addr)
            .args(["write", "--audio", "--cd-text"])
            .arg(&p),
        2,
    );
    let (_d3, addr3) = new_drive("cd-r");
    let out = exits(
        discburn(&addr3)
            .args(["write", "--audio", "--sao", "--title", "日本"])
            .arg(&p),
        2,
    );
    assert_contains(&stderr(&out), &["CD-Text", "Latin-1"]);
    assert_eq!(info(&addr3)["medium"]["status"], "blank");
}

#[test]
fn a_cue_bin_image_with_data_and_audio_is_written_disc_at_once() {
    let (dir, addr) = new_drive("cd-r");
    // Track 1: 400 raw Mode 1 sectors; track 2: a 2-second pre-gap in the file, then
    // 350 sectors of audio with an index point.
    let data = samples(400 * SECTOR, 8);
    let pregap = vec![0u8; 150 * SECTOR];
    let music = samples(350 * SECTOR, 9);
    let bin: Vec<u8> = [&data[..], &pregap[..], &music[..]].concat();
    fs::write(dir.path().join("game.bin"), &bin).unwrap();
    let cue = dir.path().join("game.cue");
    fs::write(
        &cue,
        "CATALOG 4006381333931\nTITLE \"Game\"\nFILE \"game.bin\" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    TITLE \"Theme\"\n    ISRC DEA011500001\n    FLAGS DCP\n    INDEX 00 00:05:25\n    INDEX 01 00:07:25\n    INDEX 02 00:09:00\n",
    )
    .unwrap();
    let out = succeeds(discburn(&addr).arg("write").arg(&cue));
    assert_contains(
        &String::from_utf8_lossy(&out.stdout),
        &[
            "Cue sheet",
            "2 tracks, Disc-At-Once, CD-Text",
            "MODE1/2352",
            "Theme",
        ],
    );
    let v = info(&addr);
    let tracks = v["medium"]["tracks"].as_array().unwrap();
    assert_eq!(tracks[0]["start"], 0, "{v}");
    assert_eq!(tracks[0]["audio"], false, "{v}");
    assert_eq!(tracks[1]["start"], 400 + 150, "{v}");
    assert_eq!(tracks[1]["audio"], true, "{v}");
    assert_eq!(
        v["cd_text"]["titles"],
        serde_json::json!(["Game", "", "Theme"]),
        "{v}"
    );
    assert_eq!(v["mcn"], "4006381333931", "{v}");
    assert_eq!(
        v["isrc"],
        serde_json::json!([{"track": 2, "isrc": "DEA011500001"}]),
        "{v}"
    );
    assert_eq!(disc_sectors(dir.path(), 0, 400), data);
    assert_eq!(disc_sectors(dir.path(), 550, 350), music);
    // What a cue sheet burn cannot take, and a broken sheet, are refused naming why.
    let (_d, blank) = new_drive("cd-r");
    let out = exits(discburn(&blank).arg("write").arg("--verify").arg(&cue), 2);
    assert_contains(&stderr(&out), &["--verify", "cue sheet"]);
    let bad = dir.path().join("bad.cue");
    fs::write(
        &bad,
        "FILE \"game.bin\" BINARY\nTRACK 01 MODE2/2352\nINDEX 01 00:00:00\n",
    )
    .unwrap();
    let out = exits(discburn(&blank).arg("write").arg(&bad), 2);
    assert_contains(
        &stderr(&out),
        &["bad.cue", "line 2", "MODE2/2352", "not written yet"],
    );
    let short = dir.path().join("short.cue");
    fs::write(
        &short,
        "FILE \"game.bin\" BINARY\nTRACK 01 AUDIO\nINDEX 01 10:00:00\n",
    )
    .unwrap();
    let out = exits(discburn(&blank).arg("write").arg(&short), 7);
    assert_contains(&stderr(&out), &["game.bin", "bytes"]);
    assert_eq!(info(&blank)["medium"]["status"], "blank");
}
