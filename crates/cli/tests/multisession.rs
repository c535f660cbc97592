//! `discburn write DIR --multi` onto appendable discs: folder A, then B, then
//! C finalizing, on virtual DVD+R, BD-R, CD-R and DVD-R (`throttle=off`).
//! After each burn the disc's last session is parsed from the recorder's
//! image file with hadris-iso and compared file by file: every file of the
//! earlier sessions is still there (B's replacement of A's file wins), and
//! `discburn info` lists the sessions.
//!
//! On rewritable DVD+RW, BD-RE and DVD-RAM, `--multi` (or `--append`) grows
//! the volume at sector 0 as `growisofs -M` does, and a write without it
//! replaces the volume (`growisofs -Z`); the disc is read from sector 0.

use std::fs;
use std::io::Read;
use std::path::Path;

use discburn::testing_folder::{folder, pattern, Files};
use hadris_fs::sync::Volume;
use hadris_fs::{MountOptions, OpenOptions};
use hadris_iso::sync::IsoFs;
use hadris_iso::Namespace;
use hadris_storage::{BlockSize, MemDevice};
use serde_json::Value;

mod common;
use common::{assert_contains, discburn, exits, medium, new_drive, stderr, stdout, succeeds};

/// The first sector of the last session with recorded tracks.
fn last_session_start(m: &Value) -> u64 {
    let tracks: Vec<&Value> = m["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["blank"] == false)
        .collect();
    let last = tracks
        .iter()
        .map(|t| t["session"].as_u64().unwrap())
        .max()
        .unwrap();
    tracks
        .iter()
        .filter(|t| t["session"].as_u64() == Some(last))
        .map(|t| t["start"].as_u64().unwrap())
        .min()
        .unwrap()
}

/// Mounts the session starting at `start` the way an OS mounts the last
/// session: its descriptor set (at start + 16) read in place of block 16,
/// every other address absolute.
fn mount(image: &Path, start: u64, ns: Namespace) -> Volume<IsoFs<MemDevice<Vec<u8>>>> {
    let mut disc = Vec::new();
    fs::File::open(image)
        .unwrap()
        .read_to_end(&mut disc)
        .unwrap();
    let from = (start as usize + 16) * 2048;
    let mut end = from;
    while disc[end] != 255 {
        assert_eq!(
            &disc[end + 1..end + 6],
            b"CD001",
            "a descriptor at {}",
            end / 2048
        );
        end += 2048;
    }
    let set = disc[from..end + 2048].to_vec();
    disc[16 * 2048..16 * 2048 + set.len()].copy_from_slice(&set);
    let dev = MemDevice::new(disc, BlockSize::new(2048).unwrap());
    Volume::new(IsoFs::mount_namespace(dev, MountOptions::new(), ns).unwrap())
}

fn check(image: &Path, start: u64, want: &Files, what: &str) {
    for ns in [Namespace::RockRidge, Namespace::Joliet] {
        let vol = mount(image, start, ns);
        for (path, data) in want {
            let mut got = Vec::new();
            vol.open(format!("/{path}").as_str(), OpenOptions::new().read())
                .unwrap_or_else(|e| panic!("{what} {ns:?}: /{path}: {e}"))
                .read_to_end(&mut got)
                .unwrap();
            assert!(got == *data, "{what} {ns:?}: /{path} differs");
        }
    }
}

/// Folders `root/A`, `root/B` and `root/C`: B adds a photo and replaces A's notes, C
/// adds music (each test adds C's other files).
fn folders_a_b_c(root: &Path) -> (Files, Files, Files) {
    let a = folder(
        &root.join("A"),
        &[
            ("photos/one.jpg", pattern(70_000, 1)),
            ("notes.txt", b"A's notes".to_vec()),
            ("readme.txt", b"first".to_vec()),
        ],
    );
    let b = folder(
        &root.join("B"),
        &[
            ("photos/two.jpg", pattern(30_000, 2)),
            ("notes.txt", b"B's notes replace A's".to_vec()),
        ],
    );
    let c = folder(
        &root.join("C"),
        &[("music/track 01.flac", pattern(20_000, 3))],
    );
    (a, b, c)
}

/// `discburn write ARGS --verify --plain DIR`, which must succeed: its stdout.
fn write(addr: &str, args: &[&str], dir: &Path) -> String {
    let out = succeeds(
        discburn(addr)
            .arg("write")
            .args(args)
            .args(["--verify", "--plain"])
            .arg(dir),
    );
    stdout(&out)
}

#[test]
fn folder_sessions_a_b_c_each_show_every_file_so_far() {
    for media in ["dvd+r", "bd-r", "cd-r", "dvd-r"] {
        let (dir, addr) = new_drive(media);
        let image = dir.path().join("disc.img");
        let (a, b, mut c) = folders_a_b_c(dir.path());
        c.extend(folder(
            &dir.path().join("C"),
            &[("日本語.txt", "最後".as_bytes().to_vec())],
        ));

        write(&addr, &["--multi"], &dir.path().join("A"));
        let m = medium(&addr);
        assert_eq!(m["status"], "appendable", "{media}: {m}");
        assert_eq!(m["complete_sessions"], 1, "{media}: {m}");
        check(
            &image,
            last_session_start(&m),
            &a,
            &format!("{media} after A"),
        );

        let text = write(&addr, &["--multi"], &dir.path().join("B"));
        assert_contains(
            &text,
            &[
                "2 file(s) of the earlier sessions carried forward",
                "1 replaced",
            ],
        );
        let m = medium(&addr);
        assert_eq!(m["complete_sessions"], 2, "{media}: {m}");
        let second = last_session_start(&m);
        assert!(second > 0, "{media}: {m}");
        let mut want = a.clone();
        want.extend(b.clone());
        check(&image, second, &want, &format!("{media} after B"));

        write(&addr, &[], &dir.path().join("C"));
        let m = medium(&addr);
        assert_eq!(m["status"], "closed", "{media}: {m}");
        assert_eq!(m["complete_sessions"], 3, "{media}: {m}");
        assert_eq!(m["sessions"], 3, "{media}: {m}");
        let third = last_session_start(&m);
        assert!(third > second, "{media}: {m}");
        want.extend(c.clone());
        check(&image, third, &want, &format!("{media} after C"));

        // `info` in words lists the three sessions too.
        let text = stdout(&succeeds(discburn(&addr).arg("info")));
        assert!(text.contains("Sessions 3 (3 complete)"), "{media}: {text}");
    }
}

#[test]
fn multi_grows_the_volume_of_a_rewritable_disc_and_plain_write_replaces_it() {
    for media in ["dvd+rw", "bd-re", "dvd-ram", "dvd-rw"] {
        let (dir, addr) = new_drive(media);
        if media == "dvd-rw" {
            // Sold sequential: restricted overwrite (grown as DVD+RW) once formatted.
            succeeds(discburn(&addr).args(["format", "--overwrite"]));
        }
        let image = dir.path().join("disc.img");
        let (a, b, mut c) = folders_a_b_c(dir.path());
        // C replaces A's readme.
        c.extend(folder(
            &dir.path().join("C"),
            &[("readme.txt", "C's readme, 最後".as_bytes().to_vec())],
        ));

        // The blank medium is formatted by the workflow; A is the volume at 0.
        write(&addr, &["--multi"], &dir.path().join("A"));
        check(&image, 0, &a, &format!("{media} after A"));

        let text = write(&addr, &["--multi"], &dir.path().join("B"));
        assert_contains(
            &text,
            &[
                "growisofs -M",
                "2 file(s) of the earlier sessions carried forward",
                "1 replaced",
            ],
        );
        let mut want = a.clone();
        want.extend(b.clone());
        check(&image, 0, &want, &format!("{media} after B"));

        write(&addr, &["--append"], &dir.path().join("C"));
        want.extend(c.clone());
        check(&image, 0, &want, &format!("{media} after C"));
        let m = medium(&addr);
        assert_eq!(m["recording"], "RandomAccess", "{media}: {m}");

        // Without --multi: a new volume from sector 0, A's and C's files gone.
        let text = write(&addr, &[], &dir.path().join("B"));
        assert!(
            text.contains("replaces it from sector 0"),
            "{media}: {text}"
        );
        check(&image, 0, &b, &format!("{media} after replacing"));
        let vol = mount(&image, 0, Namespace::RockRidge);
        for gone in ["/readme.txt", "/photos/one.jpg", "/music/track 01.flac"] {
            assert!(
                vol.open(gone, OpenOptions::new().read()).is_err(),
                "{media}: {gone} is still there"
            );
        }

        // An image file cannot be merged into the volume.
        let img = common::image(dir.path(), "raw.iso", 64, 5);
        let out = exits(discburn(&addr).args(["write", "--multi"]).arg(&img), 4);
        assert!(stderr(&out).contains("cannot be merged"), "{media}");
        check(&image, 0, &b, &format!("{media} after the refusal"));
    }
}
