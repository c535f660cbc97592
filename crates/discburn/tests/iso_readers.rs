//! Streamed images read back by third-party readers: xorriso (libisofs), isoinfo
//! (genisoimage), 7-Zip and pycdlib. All are required: a missing one fails the test
//! with the command that installs it.

use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::process::Command;

use discburn::iso::{FileSectors, FileSystems, FolderImage, IsoSettings, MAX_FILE_BYTES, SECTOR};

mod readers;

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
    let f = File::create(out).unwrap();
    stream_sparse_at(img, f, 0);
}

/// Streams `img` into `f` from byte `start` on, as [`stream_sparse`] does.
fn stream_sparse_at(img: FolderImage, mut f: File, start: u64) {
    static ZEROS: [u8; 1 << 16] = [0; 1 << 16];
    let size = img.size();
    let mut s = img.stream();
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
            f.seek(SeekFrom::Start(start + at)).unwrap();
            f.write_all(&buf[..n]).unwrap();
        }
        at += n as u64;
    }
    assert_eq!(at, size, "the planned size is what streams");
    if f.metadata().unwrap().len() < start + size {
        f.set_len(start + size).unwrap();
    }
}

/// The folder as ISO 9660 alone (a big file would otherwise get the UDF bridge too;
/// tests/udf_images.rs reads that).
fn plan(root: &Path) -> FolderImage {
    let settings = IsoSettings {
        time: Some(1_700_000_000),
        fs: Some(FileSystems::Iso),
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

/// Writes `marks` (offset, bytes) into a sparse file of `size` bytes.
fn sparse_file(path: &Path, size: u64, marks: &[(u64, &[u8])]) {
    let mut f = File::create(path).unwrap();
    f.set_len(size).unwrap();
    for (at, bytes) in marks {
        f.seek(SeekFrom::Start(*at)).unwrap();
        f.write_all(bytes).unwrap();
    }
}

/// `count` bytes of the image file `path` from `offset`, as xorriso
/// (libisofs) extracts them.
fn extract_cut(iso: &str, path: &str, offset: u64, count: u64, out: &Path) -> Vec<u8> {
    extract_cut_from(iso, 0, path, offset, count, out)
}

/// [`extract_cut`] from the session whose volume starts at sector `session`.
fn extract_cut_from(
    iso: &str,
    session: u32,
    path: &str,
    offset: u64,
    count: u64,
    out: &Path,
) -> Vec<u8> {
    let _ = fs::remove_file(out);
    run(
        "xorriso",
        &[
            "-osirrox",
            "on",
            "-load",
            "sbsector",
            &session.to_string(),
            "-indev",
            iso,
            "-extract_cut",
            path,
            &offset.to_string(),
            &count.to_string(),
            out.to_str().unwrap(),
        ],
    );
    fs::read(out).unwrap()
}

#[test]
fn files_larger_than_one_extent_are_mastered_in_several_extents() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("big");
    fs::create_dir(&root).unwrap();
    fs::write(root.join("small.txt"), b"small\n").unwrap();
    // Just over one extent (a second extent of 1234 bytes), so the test
    // streams 4 GiB rather than more.
    let size: u64 = MAX_FILE_BYTES + 1234;
    let head: &[u8] = b"first bytes of the big file";
    let seam: Vec<u8> = (0..64u8).map(|i| i.wrapping_mul(7) | 1).collect();
    let tail: &[u8] = b"...and its last bytes";
    sparse_file(
        &root.join("big.bin"),
        size,
        &[
            (0, head),
            (MAX_FILE_BYTES - 32, &seam),
            (size - tail.len() as u64, tail),
        ],
    );
    let img = plan(&root);
    assert!(img.size() > size);
    let iso = dir.path().join("big.iso");
    stream_sparse(img, &iso);
    let iso = iso.to_str().unwrap();

    // libisofs: whole sizes, and the bytes on both sides of the extent seam.
    let listing = run(
        "xorriso",
        &["-indev", iso, "-find", "/", "-type", "f", "-exec", "lsdl"],
    );
    for (name, len) in [("big.bin", size), ("small.txt", 6)] {
        let line = listing
            .lines()
            .find(|l| l.contains(&format!("'/{name}'")))
            .unwrap_or_else(|| panic!("xorriso does not list {name}: {listing}"));
        assert!(line.contains(&format!(" {len} ")), "{line}");
    }
    let out = dir.path().join("cut");
    assert_eq!(
        extract_cut(iso, "/big.bin", 0, head.len() as u64, &out),
        head
    );
    assert_eq!(
        extract_cut(iso, "/big.bin", MAX_FILE_BYTES - 32, 64, &out),
        seam
    );
    let end = size - tail.len() as u64;
    assert_eq!(
        extract_cut(iso, "/big.bin", end, tail.len() as u64, &out),
        tail
    );

    // isoinfo shows the directory records themselves: one per extent, in
    // the ISO 9660 tree and in the Joliet tree, summing to the file size.
    for tree in ["-R", "-J"] {
        let listing = run("isoinfo", &[tree, "-l", "-i", iso]);
        let sizes = |name: &str| -> Vec<u64> {
            listing
                .lines()
                .filter(|l| {
                    l.split_whitespace().any(|w| {
                        w.eq_ignore_ascii_case(name)
                            || w.to_ascii_lowercase().starts_with(&format!("{name};"))
                    })
                })
                .map(|l| {
                    let words: Vec<_> = l.split_whitespace().collect();
                    // isoinfo -l: mode links uid gid size month day year [lba len] name
                    words[4]
                        .parse()
                        .unwrap_or_else(|_| panic!("no size in {l}"))
                })
                .collect()
        };
        let big = sizes("big.bin");
        assert_eq!(big, vec![MAX_FILE_BYTES, 1234], "{tree}: {listing}");
    }

    // 7-Zip's ISO reader joins the extents too.
    let listing = run("7z", &["l", iso]);
    let line = listing
        .lines()
        .find(|l| l.ends_with("big.bin"))
        .unwrap_or_else(|| panic!("7z does not list big.bin: {listing}"));
    assert!(line.contains(&format!(" {size} ")), "{line}");

    // pycdlib chains the records of the extents (data_continuation). Only its Joliet
    // lookup is asked: 1.12 files a Rock Ridge name's later records before the first
    // (dr.py's add_child inserts at bisect_left), so an rr_path finds the last extent.
    let listed = readers::pycdlib(Path::new(iso), false)
        .unwrap_or_else(|e| panic!("pycdlib refuses the image: {e}"));
    let big: Vec<_> = listed
        .iter()
        .filter(|f| f.tree == "joliet" && f.path == "/big.bin")
        .map(|f| f.size)
        .collect();
    assert_eq!(big, vec![size], "{listed:?}");
}

#[test]
fn a_later_session_adds_a_multi_extent_file_to_a_level_2_volume() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    fs::create_dir(&first).unwrap();
    fs::write(first.join("old.txt"), b"from the first session\n").unwrap();
    let img = plan(&first);
    let disc = dir.path().join("disc.img");
    let first_blocks = img.size() / SECTOR;
    stream_sparse(img, &disc);

    let second = dir.path().join("second");
    fs::create_dir(&second).unwrap();
    let size = MAX_FILE_BYTES + 4096;
    let tail: &[u8] = b"the end of the big file";
    sparse_file(
        &second.join("big.bin"),
        size,
        &[(size - tail.len() as u64, tail)],
    );
    // A gap after the first session, as a track's run-out leaves one.
    let nwa = u32::try_from(first_blocks + 16).unwrap();
    let later = plan(&second)
        .append_to(Box::new(FileSectors(File::open(&disc).unwrap())), 0, nwa)
        .unwrap();
    let f = fs::OpenOptions::new().write(true).open(&disc).unwrap();
    stream_sparse_at(later, f, u64::from(nwa) * SECTOR);
    let disc = disc.to_str().unwrap();

    // xorriso loads the later session, which holds both sessions' files.
    let session = nwa.to_string();
    let listing = run(
        "xorriso",
        &[
            "-load", "sbsector", &session, "-indev", disc, "-find", "/", "-type", "f", "-exec",
            "lsdl",
        ],
    );
    let big = listing
        .lines()
        .find(|l| l.contains("'/big.bin'"))
        .unwrap_or_else(|| panic!("xorriso does not list big.bin: {listing}"));
    assert!(big.contains(&format!(" {size} ")), "{big}");
    assert!(listing.contains("'/old.txt'"), "{listing}");
    let out = dir.path().join("cut");
    let end = size - tail.len() as u64;
    assert_eq!(
        extract_cut_from(disc, nwa, "/big.bin", end, tail.len() as u64, &out),
        tail
    );
    assert_eq!(
        extract_cut_from(disc, nwa, "/old.txt", 0, 23, &out),
        b"from the first session\n"
    );
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
