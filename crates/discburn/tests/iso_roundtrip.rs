//! Folder → ISO 9660 + Joliet + Rock Ridge, streamed, then parsed back with
//! hadris-iso's reader and compared file by file.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use discburn::iso::{volume_id_for, FolderImage, IsoSettings};
use hadris_iso::Namespace;

mod common;
use common::{mount, read_file};

fn tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    let long = "a very long file name with spaces that goes past the sixty-four characters Joliet keeps.txt";
    let files: Vec<(String, Vec<u8>)> = vec![
        ("README".into(), b"top level\n".to_vec()),
        ("empty.bin".into(), Vec::new()),
        (
            "one/two/three/four/five/six/seven/eight/nine/deep.txt".into(),
            b"deep".to_vec(),
        ),
        (
            format!("Ünïcödé/{long}"),
            (0..5000u32).map(|i| (i % 253) as u8).collect(),
        ),
        (
            "Ünïcödé/日本語のファイル.txt".into(),
            "テキスト".as_bytes().to_vec(),
        ),
        ("data/exactly-one-sector.bin".into(), vec![0xA5; 2048]),
        (
            "data/many-sectors.bin".into(),
            (0..100_000u32).map(|i| (i * 31 % 256) as u8).collect(),
        ),
    ];
    for (p, d) in &files {
        let path = root.join(p);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, d).unwrap();
    }
    fs::create_dir_all(root.join("an empty folder")).unwrap();
    files
}

fn build(root: &Path) -> (FolderImage, Vec<u8>) {
    let settings = IsoSettings {
        time: Some(1_700_000_000),
        ..Default::default()
    };
    let img = FolderImage::from_dir(root, &settings).unwrap();
    let size = img.size();
    assert_eq!(size % 2048, 0);
    let mut bytes = Vec::new();
    FolderImage::from_dir(root, &settings)
        .unwrap()
        .stream()
        .read_to_end(&mut bytes)
        .unwrap();
    assert_eq!(bytes.len() as u64, size, "the planned size is what streams");
    (img, bytes)
}

#[test]
fn rock_ridge_tree_matches_the_folder_file_by_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("Holiday Photos");
    let files = tree(&root);
    let (img, bytes) = build(&root);
    assert_eq!(img.volume_id(), "HOLIDAY_PHOTOS");
    let vol = mount(&bytes, Namespace::RockRidge);
    for (path, want) in &files {
        assert_eq!(&read_file(&vol, &format!("/{path}")), want, "{path}");
    }
    // The empty folder is there too.
    assert!(vol.read_dir("/an empty folder").is_ok());
}

#[test]
fn joliet_tree_has_unicode_names_and_the_same_contents() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("j");
    let files = tree(&root);
    let (_, bytes) = build(&root);
    let vol = mount(&bytes, Namespace::Joliet);
    // Joliet keeps names up to 64 UTF-16 units: compare the ones that fit.
    for (path, want) in files
        .iter()
        .filter(|(p, _)| p.split('/').all(|c| c.chars().count() <= 64))
    {
        assert_eq!(&read_file(&vol, &format!("/{path}")), want, "{path}");
    }
    assert_eq!(
        read_file(&vol, "/Ünïcödé/日本語のファイル.txt"),
        "テキスト".as_bytes()
    );
}

#[test]
fn images_are_reproducible_for_a_fixed_time() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("r");
    tree(&root);
    let (_, a) = build(&root);
    let (_, b) = build(&root);
    assert!(a == b, "same folder and time give the same bytes");
}

/// Reading a file moves its access time (relatime does on the first read after a
/// write), which Rock Ridge records; with a fixed time the times newer than it are
/// clamped, so mastering, reading and mastering again gives the same bytes even when
/// the second read lands in a later second.
#[test]
fn access_times_moved_by_reading_do_not_change_a_fixed_time_image() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("r");
    let files = tree(&root);
    let (_, a) = build(&root);
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    for (p, _) in &files {
        let f = fs::File::options().write(true).open(root.join(p)).unwrap();
        f.set_times(fs::FileTimes::new().set_accessed(later))
            .unwrap();
    }
    let (_, b) = build(&root);
    assert!(
        a == b,
        "access times newer than the fixed time are clamped to it"
    );
}

#[test]
fn a_file_that_changes_size_while_streaming_fails_the_read() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("c");
    tree(&root);
    let img = FolderImage::from_dir(&root, &IsoSettings::default()).unwrap();
    let size = img.size();
    fs::write(root.join("data/many-sectors.bin"), b"shorter now").unwrap();
    let mut out = Vec::new();
    let err = img.stream().read_to_end(&mut out).unwrap_err();
    assert!(err.to_string().contains("many-sectors.bin"), "{err}");
    assert!(
        (out.len() as u64) < size,
        "the stream stops short of the image"
    );
}

#[test]
fn dropping_the_stream_early_stops_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("d");
    tree(&root);
    let img = FolderImage::from_dir(&root, &IsoSettings::default()).unwrap();
    let mut s = img.stream();
    let mut first = [0u8; 2048];
    s.read_exact(&mut first).unwrap();
    drop(s); // joins the writer thread: it must not block on a full channel
}

#[test]
fn volume_ids_are_d_characters() {
    assert_eq!(
        volume_id_for(&PathBuf::from("/nonexistent/ignored")),
        "DISCBURN"
    );
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("my photos – 2024!");
    fs::create_dir(&p).unwrap();
    assert_eq!(volume_id_for(&p), "MY_PHOTOS___2024_");
}

#[test]
fn a_missing_folder_is_a_clear_error() {
    let e =
        FolderImage::from_dir(Path::new("/no/such/folder"), &IsoSettings::default()).unwrap_err();
    assert!(e.to_string().contains("/no/such/folder"), "{e}");
}
