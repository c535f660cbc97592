//! UDF (1.02, 2.01, 2.50, 2.60) and ISO 9660 + UDF bridge images of a folder, streamed,
//! then read by programs nobody here wrote: udftools' udfinfo, util-linux's blkid,
//! 7-Zip, xorriso and isoinfo; and by the verify-by-file-system check (hadris-iso's and
//! discburn-udf's readers); and by pycdlib, which walks each of a bridge's trees (Rock
//! Ridge, Joliet, UDF) on its own.
//! A missing tool fails the test with the command that installs it.

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Output};

use discburn::iso::{
    check_tree, FileSectors, FileSystems, FolderImage, IsoSettings, IsoTree, SectorRead,
    TreeProblem, UdfRevision,
};
use discburn::mmc::profile::MediaFamily;

mod readers;

const INSTALL: &str = "apt-get install -y udftools p7zip-full xorriso genisoimage util-linux";

fn tool(name: &str, args: &[&str]) -> Output {
    Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} is needed to read the image back ({e}): {INSTALL}"))
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// A folder with nested directories, a Unicode name, an empty file and a file of
/// 3 MiB with a pattern.
fn folder(root: &Path) {
    fs::create_dir_all(root.join("a/b/c")).unwrap();
    fs::write(root.join("a/b/c/deep.txt"), b"deep\n").unwrap();
    fs::write(root.join("Überraschung ✓.txt"), "unicode\n").unwrap();
    fs::write(root.join("empty"), b"").unwrap();
    let big: Vec<u8> = (0..3 * 1024 * 1024u32)
        .map(|i| (i * 7 % 251) as u8)
        .collect();
    fs::write(root.join("a/big.bin"), big).unwrap();
}

fn master(root: &Path, fs: FileSystems, revision: UdfRevision, out: &Path) -> FolderImage {
    let settings = IsoSettings {
        time: Some(1_700_000_000),
        fs: Some(fs),
        udf_revision: Some(revision),
        volume_id: Some("UDFTEST".into()),
        ..Default::default()
    };
    let img = FolderImage::from_dir(root, &settings).unwrap();
    assert_eq!(img.file_systems(), fs);
    let mut bytes = Vec::new();
    FolderImage::from_dir(root, &settings)
        .unwrap()
        .stream()
        .read_to_end(&mut bytes)
        .unwrap();
    assert_eq!(
        bytes.len() as u64,
        img.size(),
        "the planned size is what streams"
    );
    fs::write(out, bytes).unwrap();
    img
}

fn check(image: &Path, root: &Path) -> discburn::iso::TreeCheck {
    let image = image.to_path_buf();
    let mut open =
        || -> Box<dyn SectorRead> { Box::new(FileSectors(fs::File::open(&image).unwrap())) };
    let blocks = fs::metadata(&image).unwrap().len() / 2048;
    check_tree(&mut open, 0, blocks, root, &mut |_| ()).unwrap()
}

#[test]
fn udf_and_bridge_images_are_read_by_udfinfo_blkid_7zip_and_the_iso_readers() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("src");
    folder(&root);
    for (fs_kind, revision, rev) in [
        (FileSystems::Udf, UdfRevision::V1_02, "1.02"),
        (FileSystems::Udf, UdfRevision::V2_01, "2.01"),
        (FileSystems::Udf, UdfRevision::V2_50, "2.50"),
        (FileSystems::Udf, UdfRevision::V2_60, "2.60"),
        (FileSystems::IsoUdf, UdfRevision::V1_02, "1.02"),
        (FileSystems::IsoUdf, UdfRevision::V2_01, "2.01"),
        (FileSystems::IsoUdf, UdfRevision::V2_50, "2.50"),
        (FileSystems::IsoUdf, UdfRevision::V2_60, "2.60"),
    ] {
        let what = format!("{fs_kind} {rev}");
        let image = tmp.path().join(format!("{}-{rev}.img", fs_kind.has_iso()));
        master(&root, fs_kind, revision, &image);
        let path = image.to_str().unwrap();

        let info = tool("udfinfo", &[path]);
        assert!(info.status.success(), "{what}: udfinfo: {}", text(&info));
        let info = text(&info);
        // udfrev is the minimum read revision: 2.50 for a 2.60 volume, as mkudffs has it.
        let read = if rev == "2.60" { "2.50" } else { rev };
        assert!(info.contains(&format!("udfrev={read}\n")), "{what}: {info}");
        assert!(
            info.contains(&format!("udfwriterev={rev}\n")),
            "{what}: {info}"
        );
        assert!(info.contains("integrity=closed"), "{what}: {info}");
        assert!(info.contains("numfiles=4"), "{what}: {info}");
        assert!(info.contains("numdirs=4"), "{what}: {info}");

        let id = text(&tool("blkid", &["-p", "-o", "export", path]));
        assert!(id.contains("TYPE=udf"), "{what}: {id}");
        assert!(id.contains(&format!("VERSION={rev}")), "{what}: {id}");
        assert!(id.contains("LABEL=UDFTEST"), "{what}: {id}");

        // 7-Zip lists the UDF tree with the sizes (it opens the UDF volume of a bridge).
        let listing = tool("7z", &["l", "-ba", path]);
        let list = text(&listing);
        for (name, size) in [
            ("a/big.bin", 3 * 1024 * 1024),
            ("a/b/c/deep.txt", 5),
            ("Überraschung ✓.txt", 8),
        ] {
            assert!(
                list.lines()
                    .any(|l| l.ends_with(name) && l.contains(&format!(" {size} "))),
                "{what}: 7z does not list {name} of {size} bytes: {list}"
            );
        }
        assert!(
            listing.status.success(),
            "{what}: {}",
            text(&tool("7z", &["l", path]))
        );
        // 7-Zip extracts the files byte for byte (from the UDF tree of a bridge too).
        let out = tmp.path().join(format!("x-{}-{rev}", fs_kind.has_iso()));
        let x = tool("7z", &["x", "-y", &format!("-o{}", out.display()), path]);
        assert!(x.status.success(), "{what}: {}", text(&x));
        for f in ["a/big.bin", "a/b/c/deep.txt", "Überraschung ✓.txt", "empty"] {
            assert_eq!(
                fs::read(out.join(f)).unwrap(),
                fs::read(root.join(f)).unwrap(),
                "{what}: {f}"
            );
        }
        if fs_kind.has_iso() {
            let iso = text(&tool(
                "xorriso",
                &["-indev", path, "-find", "/", "-type", "f", "-exec", "lsdl"],
            ));
            assert!(
                iso.contains("'/a/big.bin'") && iso.contains(" 3145728 "),
                "{what}: {iso}"
            );
            let iso = text(&tool("isoinfo", &["-J", "-l", "-i", path]));
            assert!(iso.contains("berraschung"), "{what}: {iso}");
        }

        // Verify by file system reads the same trees back.
        let c = check(&image, &root);
        assert!(c.is_ok(), "{what}: {:?}", c.problems);
        assert_eq!(c.files, 4, "{what}");
        let want = if fs_kind.has_iso() {
            vec![IsoTree::RockRidge, IsoTree::Udf]
        } else {
            vec![IsoTree::Udf]
        };
        assert_eq!(c.trees, want, "{what}");
    }
}

/// pycdlib reads every tree of the bridge separately, so a file right in one tree and
/// wrong in another shows. It reads UDF only beside ISO 9660 (it refuses a volume without
/// a PVD) and, in Debian's 1.12 and PyPI's 1.22, not 2.50's metadata partition: 1.12
/// rejects a type-1 partition map followed by a type-2 one (its LVD bounds check), 1.22
/// looks for the File Set Descriptor in the physical partition. So 1.02 and 2.01 here.
#[test]
fn pycdlib_reads_names_sizes_and_content_from_each_tree_of_the_1_02_and_2_01_bridges() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("src");
    folder(&root);
    let files = ["a/big.bin", "a/b/c/deep.txt", "Überraschung ✓.txt", "empty"];
    for (revision, rev) in [(UdfRevision::V1_02, "1.02"), (UdfRevision::V2_01, "2.01")] {
        let image = tmp.path().join(format!("bridge-{rev}.img"));
        master(&root, FileSystems::IsoUdf, revision, &image);
        let listed = readers::pycdlib(&image, true)
            .unwrap_or_else(|e| panic!("{rev}: pycdlib refuses the bridge: {e}"));
        for tree in ["rr", "joliet", "udf"] {
            let mut got: Vec<_> = listed.iter().filter(|f| f.tree == tree).collect();
            got.sort_by(|a, b| a.path.cmp(&b.path));
            let mut want: Vec<_> = files.iter().map(|f| format!("/{f}")).collect();
            want.sort();
            assert_eq!(
                got.iter().map(|f| f.path.clone()).collect::<Vec<_>>(),
                want,
                "{rev}: the {tree} tree as pycdlib walks it"
            );
            for f in got {
                let bytes = fs::read(root.join(&f.path[1..])).unwrap();
                assert_eq!(f.size, bytes.len() as u64, "{rev} {tree} {}", f.path);
                assert_eq!(
                    f.md5.as_deref(),
                    Some(readers::md5_hex(&bytes).as_str()),
                    "{rev} {tree} {}: the content pycdlib extracts",
                    f.path
                );
            }
        }
    }
}

#[test]
fn verify_by_file_system_finds_a_changed_file_in_the_udf_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("src");
    folder(&root);
    let image = tmp.path().join("udf.img");
    master(&root, FileSystems::Udf, UdfRevision::V2_01, &image);
    let mut big = fs::read(root.join("a/big.bin")).unwrap();
    big[1_234_567] ^= 1;
    fs::write(root.join("a/big.bin"), &big).unwrap();
    let c = check(&image, &root);
    assert_eq!(
        c.problems,
        vec![TreeProblem::Content {
            tree: IsoTree::Udf,
            path: "/a/big.bin".into(),
            offset: 1_234_567
        }]
    );
}

#[test]
fn a_folder_with_a_file_over_4_gib_gets_the_bridge_unless_told_otherwise() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("src");
    fs::create_dir(&root).unwrap();
    fs::File::create(root.join("big.bin"))
        .unwrap()
        .set_len(5 << 30)
        .unwrap();
    let auto = FolderImage::from_dir(&root, &IsoSettings::default()).unwrap();
    assert_eq!(auto.file_systems(), FileSystems::IsoUdf);
    let iso = FolderImage::from_dir(
        &root,
        &IsoSettings {
            fs: Some(FileSystems::Iso),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(iso.file_systems(), FileSystems::Iso);
    let small = tmp.path().join("small");
    fs::create_dir(&small).unwrap();
    fs::write(small.join("a.txt"), b"a").unwrap();
    let plain = FolderImage::from_dir(&small, &IsoSettings::default()).unwrap();
    assert_eq!(plain.file_systems(), FileSystems::Iso);
    let bd = FolderImage::from_dir(
        &small,
        &IsoSettings {
            family: Some(MediaFamily::Bd),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(bd.file_systems(), FileSystems::IsoUdf);
}
