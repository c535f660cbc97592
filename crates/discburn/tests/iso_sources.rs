//! A folder's files are checked when the image is planned, before the burn
//! touches the medium: a file found unreadable mid-burn spoils a write-once
//! disc. And a file that changes after planning fails the stream naming it.

use std::fs;
use std::io::Read;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use discburn::iso::{FolderImage, IsoSettings};

/// Set in the child that runs a test's body as an unprivileged user.
const AS_NOBODY: &str = "DISCBURN_TEST_FOLDER_AS_NOBODY";

/// A folder `f` of a few readable files in a new temporary directory.
fn folder() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("f");
    fs::create_dir_all(root.join("docs")).unwrap();
    fs::write(root.join("README"), b"readable\n").unwrap();
    fs::write(root.join("docs/notes.txt"), vec![7u8; 10_000]).unwrap();
    (dir, root)
}

/// The body of [`an_unreadable_file_is_refused_when_planned`], run by a
/// user the modes keep out: the folder `f` holds an unreadable file, the
/// folder `g` an unreadable directory.
fn refuse_unreadable(tmp: &Path) {
    let denied = |path: &Path| {
        format!(
            "cannot read {}: permission denied (run as a user who can read it, or leave it out)",
            path.display()
        )
    };
    let root = tmp.join("f");
    let e = FolderImage::from_dir(&root, &IsoSettings::default()).unwrap_err();
    assert_eq!(e.to_string(), denied(&root.join("docs/secret.bin")));
    let root = tmp.join("g");
    let e = FolderImage::from_dir(&root, &IsoSettings::default()).unwrap_err();
    assert_eq!(e.to_string(), denied(&root.join("locked")));
}

#[test]
fn an_unreadable_file_is_refused_when_planned() {
    if let Some(tmp) = std::env::var_os(AS_NOBODY) {
        refuse_unreadable(Path::new(&tmp));
        return;
    }
    let (dir, root) = folder();
    let secret = root.join("docs/secret.bin");
    fs::write(&secret, vec![1u8; 5000]).unwrap();
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).unwrap();
    let other = dir.path().join("g");
    let locked = other.join("locked");
    fs::create_dir_all(&locked).unwrap();
    fs::write(locked.join("inside.txt"), b"inside").unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::metadata("/proc/self").unwrap().uid() != 0 {
        refuse_unreadable(dir.path());
        return;
    }
    // Root reads whatever the mode says: the body runs again as nobody, who
    // can list the folders but not read the file or the locked directory.
    for p in [dir.path(), &root, &root.join("docs"), &other] {
        fs::set_permissions(p, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let exe = std::env::current_exe().unwrap();
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(&exe)
        .args([
            "--exact",
            "an_unreadable_file_is_refused_when_planned",
            "--nocapture",
        ])
        .env(AS_NOBODY, dir.path())
        .output()
        .unwrap_or_else(|e| panic!("setpriv (util-linux) is needed to run as nobody: {e}"));
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "as nobody: {log}");
    assert!(log.contains("1 passed"), "the body ran as nobody: {log}");
}

#[test]
fn a_fifo_is_refused_naming_it_and_why() {
    let (_dir, root) = folder();
    let pipe = root.join("docs/pipe");
    let made = Command::new("mkfifo").arg(&pipe).status().unwrap();
    assert!(made.success());
    let e = FolderImage::from_dir(&root, &IsoSettings::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "cannot read {}: it is a fifo (named pipe): ISO 9660 cannot record fifos or sockets (leave it out)",
            pipe.display()
        )
    );
}

#[test]
fn a_folder_of_readable_files_still_plans() {
    let (_dir, root) = folder();
    fs::write(root.join("empty"), b"").unwrap();
    let img = FolderImage::from_dir(&root, &IsoSettings::default()).unwrap();
    let size = img.size();
    let mut out = Vec::new();
    img.stream().read_to_end(&mut out).unwrap();
    assert_eq!(out.len() as u64, size);
}

/// Plans the folder, lets `change` alter `docs/notes.txt`, then streams:
/// the stream must fail short of the image, naming the file. Returns the
/// error and the file.
fn changed_after_planning(change: impl FnOnce(&Path)) -> (String, PathBuf) {
    let (_dir, root) = folder();
    let img = FolderImage::from_dir(&root, &IsoSettings::default()).unwrap();
    let notes = root.join("docs/notes.txt");
    change(&notes);
    let size = img.size();
    let mut out = Vec::new();
    let text = img.stream().read_to_end(&mut out).unwrap_err().to_string();
    assert!(text.contains(&notes.display().to_string()), "{text}");
    assert!((out.len() as u64) < size, "the stream stops short: {text}");
    (text, notes)
}

#[test]
fn a_file_removed_after_planning_fails_the_stream_naming_it() {
    let (text, notes) = changed_after_planning(|f| fs::remove_file(f).unwrap());
    assert!(
        text.starts_with(&format!("cannot read {}: it is gone", notes.display())),
        "{text}"
    );
}

#[test]
fn a_file_replaced_by_a_directory_after_planning_fails_the_stream_naming_it() {
    let (text, _) = changed_after_planning(|f| {
        fs::remove_file(f).unwrap();
        fs::create_dir(f).unwrap();
    });
    assert!(text.contains("the image stops here"), "{text}");
}

#[test]
fn a_file_that_grows_after_planning_fails_the_stream_naming_it() {
    changed_after_planning(|f| fs::write(f, vec![8u8; 20_000]).unwrap());
}

#[test]
fn an_over_long_volume_id_is_refused_with_the_limit() {
    let (_dir, root) = folder();
    let long = "A".repeat(33);
    let settings = IsoSettings {
        volume_id: Some(long.clone()),
        ..Default::default()
    };
    let e = FolderImage::from_dir(&root, &settings).unwrap_err();
    assert!(
        matches!(&e, discburn::iso::IsoError::VolumeId { id } if *id == long),
        "{e:?}"
    );
    assert!(e.to_string().contains("at most 32"), "{e}");
    // 32 fits.
    let settings = IsoSettings {
        volume_id: Some("B".repeat(32)),
        ..Default::default()
    };
    let img = FolderImage::from_dir(&root, &settings).unwrap();
    assert_eq!(img.volume_id(), "B".repeat(32));
}
