//! Streamed images read back by third-party readers: xorriso (libisofs) and
//! isoinfo (genisoimage). Both are required: a missing one fails the test
//! with the command that installs it.

use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::process::Command;

use discburn::iso::{FolderImage, IsoSettings, MAX_FILE_BYTES};

/// Runs a reader and returns its stdout; a missing reader fails the test
/// saying how to install it.
fn run(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "{tool} is needed to read the image back ({e}): apt-get install -y xorriso genisoimage"
        )
    });
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Streams `img` into the file `out`, writing only the chunks that are not
/// all zeros (the rest stays a hole), so a 4 GiB image takes no disk space
/// and bounded memory.
fn stream_sparse(img: FolderImage, out: &Path) {
    static ZEROS: [u8; 1 << 16] = [0; 1 << 16];
    let size = img.size();
    let mut s = img.stream();
    let mut f = File::create(out).unwrap();
    let mut buf = vec![0u8; 1 << 16];
    let mut at = 0u64;
    loop {
        let mut n = 0;
        while n < buf.len() {
            match s.read(&mut buf[n..]).unwrap() {
                0 => break,
                k => n += k,
            }
        }
        if n == 0 {
            break;
        }
        if buf[..n] != ZEROS[..n] {
            f.seek(SeekFrom::Start(at)).unwrap();
            f.write_all(&buf[..n]).unwrap();
        }
        at += n as u64;
    }
    assert_eq!(at, size, "the planned size is what streams");
    f.set_len(size).unwrap();
}

fn plan(root: &Path) -> FolderImage {
    let settings = IsoSettings {
        time: Some(1_700_000_000),
        ..Default::default()
    };
    FolderImage::from_dir(root, &settings).unwrap()
}

#[test]
fn a_file_of_4_gib_minus_2_kib_is_mastered_in_one_extent() {
    assert_eq!(MAX_FILE_BYTES, 4 * 1024 * 1024 * 1024 - 2048);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("big");
    fs::create_dir(&root).unwrap();
    fs::write(root.join("small.txt"), b"small\n").unwrap();
    let big = File::create(root.join("full-extent.bin")).unwrap();
    big.set_len(MAX_FILE_BYTES).unwrap(); // sparse
    drop(big);
    let img = plan(&root);
    assert!(img.size() > MAX_FILE_BYTES);
    let iso = dir.path().join("big.iso");
    stream_sparse(img, &iso);
    let iso = iso.to_str().unwrap();

    let listing = run(
        "xorriso",
        &["-indev", iso, "-find", "/", "-type", "f", "-exec", "lsdl"],
    );
    let line = listing
        .lines()
        .find(|l| l.contains("'/full-extent.bin'"))
        .unwrap_or_else(|| panic!("xorriso does not list the file: {listing}"));
    assert!(line.contains(&format!(" {MAX_FILE_BYTES} ")), "{line}");
    // One extent: isoinfo lists the file once, with its whole size.
    let listing = run("isoinfo", &["-R", "-l", "-i", iso]);
    let lines: Vec<_> = listing
        .lines()
        .filter(|l| l.contains("full-extent.bin"))
        .collect();
    assert_eq!(lines.len(), 1, "{listing}");
    assert!(
        lines[0].contains(&format!(" {MAX_FILE_BYTES} ")),
        "{}",
        lines[0]
    );
}

#[test]
fn a_file_larger_than_one_extent_is_refused_naming_it_and_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("big");
    fs::create_dir(&root).unwrap();
    for size in [MAX_FILE_BYTES + 1, 4 << 30, 5 << 30] {
        let path = root.join("too-big.bin");
        File::create(&path).unwrap().set_len(size).unwrap();
        let e = FolderImage::from_dir(&root, &IsoSettings::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "{} is {size} bytes: ISO 9660 records a file in one extent of at most 4 GiB − 2 KiB (4294965248 bytes); multi-extent files and UDF are not supported yet",
                path.display()
            )
        );
    }
}

#[test]
fn deep_trees_show_no_relocation_directory_to_rock_ridge_readers() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("deep");
    let levels: Vec<String> = (1..=12).map(|i| format!("level{i:02}")).collect();
    let deep_dir = levels.iter().fold(root.clone(), |p, l| p.join(l));
    fs::create_dir_all(&deep_dir).unwrap();
    fs::write(deep_dir.join("bottom.txt"), b"at the bottom\n").unwrap();
    fs::write(root.join("top.txt"), b"top\n").unwrap();
    let img = plan(&root);
    let iso = dir.path().join("deep.iso");
    stream_sparse(img, &iso);
    let iso = iso.to_str().unwrap();

    let deep_path = format!("/{}/bottom.txt", levels.join("/"));
    let found = run("xorriso", &["-indev", iso, "-find", "/"]);
    assert!(
        found.lines().any(|l| l == format!("'{deep_path}'")),
        "xorriso shows the deep path: {found}"
    );
    assert!(
        !found.to_lowercase().contains("rr_moved"),
        "xorriso shows a relocation directory: {found}"
    );
    let listed = run("xorriso", &["-indev", iso, "-ls", "/"]);
    assert!(!listed.to_lowercase().contains("rr_moved"), "{listed}");
    let copy = dir.path().join("bottom.txt");
    run(
        "xorriso",
        &[
            "-indev",
            iso,
            "-osirrox",
            "on",
            "-extract",
            &deep_path,
            copy.to_str().unwrap(),
        ],
    );
    assert_eq!(fs::read(&copy).unwrap(), b"at the bottom\n");

    // isoinfo follows neither CL nor RE (nor for xorriso's own images): it
    // shows the relocation directory, but under its hidden dot name, and
    // the tree down to where relocation starts.
    let listing = run("isoinfo", &["-R", "-l", "-i", iso]);
    assert!(
        listing.contains(&format!("Directory listing of /{}/", levels[..7].join("/"))),
        "{listing}"
    );
    let root_entries: Vec<_> = listing
        .split("Directory listing of ")
        .find(|s| s.starts_with("/\n"))
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .collect();
    assert!(root_entries.contains(&".rr_moved"), "{root_entries:?}");
    assert!(!root_entries.contains(&"rr_moved"), "{root_entries:?}");
}
