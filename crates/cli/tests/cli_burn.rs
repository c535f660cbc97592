//! End-to-end: the `discburn` binary against virtual recorders of every medium,
//! unthrottled (`throttle=off`) so nothing waits in real time.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

mod common;
use common::{
    assert_contains, assert_phases, discburn, drive, exits, image, json_lines, medium, new_drive,
    stderr, stdout, succeeds, write_ok,
};

const MEDIA: &[&str] = &[
    "cd-r", "cd-rw", "dvd-r", "dvd+r", "dvd+rw", "dvd-ram", "bd-r", "bd-re",
];
const APPENDABLE: &[&str] = &["cd-r", "dvd-r", "dvd+r", "bd-r"];

#[test]
fn write_verify_and_info_on_every_medium() {
    for media in MEDIA {
        let (dir, addr) = new_drive(media);
        let img = image(dir.path(), "a.iso", 300, 1);
        let random = ["dvd+rw", "dvd-ram", "bd-re"].contains(media);
        if !random {
            assert_eq!(medium(&addr)["status"], "blank", "{media} starts blank");
        }
        let text = write_ok(&addr, &["--verify", "--plain"], &img);
        assert!(text.contains("Verify   OK, 300 sectors"), "{media}: {text}");
        let m = medium(&addr);
        let tracks = m["tracks"].as_array().unwrap();
        if APPENDABLE.contains(media) || *media == "cd-rw" {
            assert_eq!(m["status"], "closed", "{media} is finalized by default");
            let t = tracks
                .iter()
                .find(|t| t["blank"] == false)
                .expect("a recorded track");
            assert_eq!(t["start"], 0, "{media}");
            assert!(t["size"].as_u64().unwrap() >= 300, "{media}: {t}");
        } else {
            assert!(random);
            assert_eq!(m["recording"], "RandomAccess", "{media}: {m}");
            assert!(
                m["capacity_sectors"].as_u64().unwrap() >= 300,
                "{media}: {m}"
            );
        }
        // `verify IMAGE` on its own reads the same sectors back.
        succeeds(discburn(&addr).args(["verify", "--plain"]).arg(&img));
    }
}

#[test]
fn append_a_second_session_then_finalize_then_refuse() {
    for media in APPENDABLE {
        let (dir, addr) = new_drive(media);
        let a = image(dir.path(), "a.iso", 200, 1);
        let b = image(dir.path(), "b.iso", 150, 2);
        let c = image(dir.path(), "c.iso", 100, 3);
        succeeds(discburn(&addr).args(["write", "--multi"]).arg(&a));
        let m = medium(&addr);
        assert_eq!(m["status"], "appendable", "{media}: {m}");
        let nwa = m["next_writable"].as_u64().unwrap();
        assert!(
            nwa >= 200,
            "{media}: the next session starts after the first ({nwa})"
        );
        succeeds(
            discburn(&addr)
                .args(["write", "--multi", "--verify"])
                .arg(&b),
        );
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
        // Standalone verify defaults to the last session's start.
        succeeds(discburn(&addr).arg("verify").arg(&b));
        // Finalize with a third session.
        succeeds(discburn(&addr).args(["write", "--close"]).arg(&c));
        assert_eq!(medium(&addr)["status"], "closed", "{media}");
        // A closed disc refuses more, before any WRITE, with exit code 4.
        let out = exits(discburn(&addr).arg("write").arg(&a), 4);
        assert_contains(&stderr(&out), &["closed"]);
    }
}

#[test]
fn too_large_image_is_refused_before_any_write() {
    let (dir, addr) = new_drive("cd-r");
    // One sector more than an 80-minute CD-R holds (sparse: nothing is read).
    let big = dir.path().join("big.iso");
    fs::File::create(&big)
        .unwrap()
        .set_len((359_849 + 1) * 2048)
        .unwrap();
    let out = exits(discburn(&addr).arg("write").arg(&big), 4);
    let err = stderr(&out);
    assert!(
        err.contains("359850 sectors") && err.contains("359849 sectors"),
        "{err}"
    );
    let m = medium(&addr);
    assert_eq!(m["status"], "blank", "nothing was written: {m}");
}

#[test]
fn test_write_leaves_the_medium_blank_and_is_refused_where_impossible() {
    for media in ["cd-r", "cd-rw", "dvd-r"] {
        let (dir, addr) = new_drive(media);
        let img = image(dir.path(), "a.iso", 100, 1);
        let out = succeeds(
            discburn(&addr)
                .args(["write", "--dummy", "--plain"])
                .arg(&img),
        );
        assert!(stdout(&out).contains("Simulated (Test Write)"));
        assert_eq!(
            medium(&addr)["status"],
            "blank",
            "{media}: a Test Write records nothing"
        );
    }
    for media in ["dvd+r", "bd-r", "bd-re"] {
        let (dir, addr) = new_drive(media);
        let img = image(dir.path(), "a.iso", 100, 1);
        let out = exits(discburn(&addr).args(["write", "--dummy"]).arg(&img), 4);
        assert_contains(&stderr(&out), &["Test Write"]);
    }
}

#[test]
fn silent_corruption_is_found_with_the_right_sector_range() {
    let dir = tempfile::tempdir().unwrap();
    let addr = drive(dir.path(), "bd-r", "&fault=corrupt:100-103");
    let img = image(dir.path(), "a.iso", 400, 7);
    let out = exits(discburn(&addr).args(["write", "--verify"]).arg(&img), 6);
    let err = stderr(&out);
    assert!(
        err.contains("sectors 100–103 (4 sectors) differs from the source"),
        "{err}"
    );
    // The standalone verify reports the same map, as JSON too.
    let clean = drive(dir.path(), "bd-r", "");
    let out = exits(discburn(&clean).args(["verify", "--json"]).arg(&img), 6);
    let result = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["event"] == "result")
        .unwrap();
    assert_eq!(result["bad"][0]["first"], 100);
    assert_eq!(result["bad"][0]["last"], 103);
    assert_eq!(result["bad"][0]["exact"], true);
}

#[test]
fn json_lines_parse_and_carry_every_event_field() {
    let (dir, addr) = new_drive("dvd+r");
    let img = image(dir.path(), "a.iso", 2000, 3);
    let out = succeeds(
        discburn(&addr)
            .args(["write", "--json", "--verify"])
            .arg(&img),
    );
    let lines = json_lines(&out);
    let writes: Vec<&Value> = lines.iter().filter(|v| v["event"] == "write").collect();
    assert!(!writes.is_empty());
    for field in [
        "sequence",
        "phase",
        "start_lba",
        "sector_count",
        "last_read_lba",
        "last_written_lba",
        "total_system_buffer",
        "used_system_buffer",
        "free_system_buffer",
        "min_used_system_buffer",
        "device_buffer_capacity",
        "device_buffer_free",
        "min_used_device_buffer",
        "bytes_per_sector",
        "current_sectors_per_second",
        "average_sectors_per_second",
        "current_speed_x",
        "average_speed_x",
        "expected_sectors_per_second",
        "elapsed_s",
        "remaining_s",
        "device_busy_count",
    ] {
        assert!(
            writes.iter().all(|w| w.get(field).is_some()),
            "missing {field}"
        );
    }
    let last = writes.last().unwrap();
    assert_eq!(last["phase"], "finished");
    assert_eq!(last["sector_count"], 2000);
    assert_eq!(last["last_written_lba"], 1999);
    assert_phases(
        &lines,
        &[
            "validating-media",
            "writing-data",
            "synchronizing-cache",
            "closing-track",
            "finalizing",
            "verifying",
            "completed",
        ],
    );
    let result = lines.iter().find(|v| v["event"] == "result").unwrap();
    assert_eq!(result["sectors"], 2000);
    assert_eq!(result["verify"]["ok"], true);
    assert_eq!(result["medium_after"]["status"], "closed");
}

/// Builds a tree with nested folders, long and non-ASCII names, an empty
/// file and files of several sectors.
fn tree(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("readme.txt", b"hello disc\n".to_vec()),
        ("empty", Vec::new()),
        ("a/b/c/d/e/f/g/h/i/deep.bin", vec![7u8; 3000]),
        ("Ünïcödé folder/a file name that is much longer than sixty-four characters, to need Rock Ridge.dat", (0..10_000u32).map(|i| (i % 251) as u8).collect()),
        ("Ünïcödé folder/日本語.txt", "こんにちは".as_bytes().to_vec()),
        ("big/multi-sector.bin", (0..70_000u32).map(|i| (i * 7 % 256) as u8).collect()),
    ];
    files
        .into_iter()
        .map(|(p, data)| {
            let path = root.join(p);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, &data).unwrap();
            (PathBuf::from(p), data)
        })
        .collect()
}

#[test]
fn folder_burn_is_parsed_back_file_by_file() {
    use hadris_fs::sync::Volume;
    use hadris_fs::{MountOptions, OpenOptions};
    use hadris_iso::sync::IsoFs;
    use hadris_storage::{BlockSize, MemDevice};

    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("My Folder");
    let files = tree(&src);
    let addr = drive(dir.path(), "bd-r", "");
    let out = succeeds(
        discburn(&addr)
            .args(["write", "--verify", "--plain"])
            .arg(&src),
    );
    assert!(stdout(&out).contains("ISO 9660 + Joliet + Rock Ridge"));
    // The virtual disc stores sector N at N × 2048 in its image file.
    let m = medium(&addr);
    let size = m["tracks"][0]["size"].as_u64().unwrap();
    let mut disc = vec![0u8; size as usize * 2048];
    fs::File::open(dir.path().join("disc.img"))
        .unwrap()
        .read_exact(&mut disc)
        .unwrap();
    let vol = Volume::new(
        IsoFs::mount(
            MemDevice::new(disc, BlockSize::new(2048).unwrap()),
            MountOptions::new(),
        )
        .unwrap(),
    );
    for (path, want) in &files {
        let mut got = Vec::new();
        vol.open(
            format!("/{}", path.display()).as_str(),
            OpenOptions::new().read(),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .read_to_end(&mut got)
        .unwrap();
        assert_eq!(&got, want, "{}", path.display());
    }
}

#[test]
fn blank_and_format_commands() {
    let (dir, addr) = new_drive("cd-rw");
    let img = image(dir.path(), "a.iso", 100, 1);
    succeeds(discburn(&addr).arg("write").arg(&img));
    assert_eq!(medium(&addr)["status"], "closed");
    succeeds(discburn(&addr).arg("blank"));
    assert_eq!(medium(&addr)["status"], "blank");
    // BD-RE: format with the smallest spare area.
    let (_dir, addr) = new_drive("bd-re");
    succeeds(discburn(&addr).args(["format", "--spare", "min"]));
    let m = medium(&addr);
    assert_eq!(m["capacity_sectors"], 12_219_392 - 131_072, "{m}");
    // BD-R cannot be blanked.
    let dir = tempfile::tempdir().unwrap();
    exits(discburn(&drive(dir.path(), "bd-r", "")).arg("blank"), 4);
}

#[test]
fn bd_r_spare_choice_shows_capacity_and_formats_first() {
    let (dir, addr) = new_drive("bd-r");
    let img = image(dir.path(), "a.iso", 64, 1);
    let text = write_ok(&addr, &["--spare", "default", "--plain"], &img);
    assert_contains(
        &text,
        &[
            "none: 12219392 sectors",
            "→ 11826176 sectors",
            "Formatting the disc",
        ],
    );
}

#[test]
fn help_documents_exit_codes_and_generators_work() {
    let out = Command::cargo_bin("discburn")
        .unwrap()
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = stdout(&out);
    assert!(
        help.contains("Exit codes:") && help.contains("6  verification failed"),
        "{help}"
    );
    let out = Command::cargo_bin("discburn")
        .unwrap()
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success() && stdout(&out).contains("discburn"));
    let out = Command::cargo_bin("discburn")
        .unwrap()
        .arg("man")
        .output()
        .unwrap();
    assert!(out.status.success() && stdout(&out).contains(".TH discburn"));
    exits(Command::cargo_bin("discburn").unwrap().args(["write"]), 2);
}

#[test]
fn missing_drive_and_bad_source_have_their_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    exits(discburn("nonsense:address").arg("info"), 3);
    let odd = dir.path().join("odd.iso");
    fs::write(&odd, vec![0u8; 3000]).unwrap();
    let out = exits(
        discburn(&drive(dir.path(), "bd-r", ""))
            .arg("write")
            .arg(&odd),
        7,
    );
    assert!(stderr(&out).contains("not a whole number of 2048-byte sectors"));
}

/// A folder holding one small file, in a new temporary directory.
fn one_file_folder() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("folder");
    fs::create_dir(&folder).unwrap();
    fs::write(folder.join("a.txt"), b"a").unwrap();
    (dir, folder)
}

#[test]
fn an_over_long_volume_id_is_a_usage_error_naming_the_limit() {
    let (dir, folder) = one_file_folder();
    let addr = drive(dir.path(), "bd-r", "");
    let out = exits(
        discburn(&addr)
            .arg("write")
            .arg(&folder)
            .args(["--volume-id", &"V".repeat(33)]),
        2,
    );
    assert_contains(&stderr(&out), &["at most 32"]);
    // Refused before the drive is opened: no image file was created.
    assert!(!dir.path().join("disc.img").exists());
    // 32 characters are accepted.
    succeeds(discburn(&addr).arg("write").arg(&folder).args([
        "--volume-id",
        &"V".repeat(32),
        "--dry-run",
    ]));
}

#[test]
fn a_folder_file_that_cannot_be_read_is_refused_before_the_drive_is_touched() {
    let (dir, folder) = one_file_folder();
    let pipe = folder.join("pipe");
    assert!(std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .unwrap()
        .success());
    let out = exits(
        discburn(&drive(dir.path(), "cd-r", ""))
            .arg("write")
            .arg(&folder),
        7,
    );
    assert!(
        stderr(&out).contains(&format!("{}: it is a fifo", pipe.display())),
        "{}",
        stderr(&out)
    );
    assert!(
        !dir.path().join("disc.img").exists(),
        "the drive was opened"
    );
}
