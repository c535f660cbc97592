//! Images this crate writes, read by third-party programs: udfinfo (udftools), 7-Zip,
//! blkid (util-linux) and hadris-udf. A missing program fails the test, never skips it.

mod common;

use std::io::Read;

use common::*;
use discburn_udf::plan::Revision;
use tempfile::TempDir;

fn path_str(p: &std::path::Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

/// `udfinfo` reports the revision, the counts and no error or warning.
fn check_udfinfo(img: &str, rev: Revision, files: u32, dirs: u32) {
    let (ok, out, err) = run("udfinfo", &[img]);
    assert!(ok, "udfinfo failed on {img}: {err}");
    // udfrev is the minimum read revision: a 2.60 volume needs 2.50's (as mkudffs
    // records it); udfwriterev is the revision written.
    let read = if rev == Revision::V2_60 {
        "2.50"
    } else {
        rev_text(rev)
    };
    assert!(out.contains(&format!("udfrev={read}\n")), "{out}");
    assert!(
        out.contains(&format!("udfwriterev={}\n", rev_text(rev))),
        "{out}"
    );
    assert!(out.contains(&format!("numfiles={files}\n")), "{out}");
    assert!(out.contains(&format!("numdirs={dirs}\n")), "{out}");
    assert!(out.contains("integrity=closed\n"), "{out}");
    assert!(!err.contains("Error") && !err.contains("Warning"), "{err}");
}

/// `blkid -p` reports TYPE=udf and the revision.
fn check_blkid(img: &str, rev: Revision) {
    let (ok, out, err) = run("blkid", &["-p", "-o", "export", img]);
    assert!(ok, "blkid failed on {img}: {err}");
    assert!(out.contains("TYPE=udf\n"), "{out}");
    assert!(
        out.contains(&format!("VERSION={}\n", rev_text(rev))),
        "{out}"
    );
    assert!(out.contains("VOLUME_ID=DISCBURN\n"), "{out}");
}

/// `7z l -slt` lists every path with its size.
fn check_7z_list(img: &str, expect: &[(&str, u64)]) {
    let (ok, out, err) = run("7z", &["l", "-slt", img]);
    assert!(ok, "7z l failed on {img}: {out}{err}");
    for (path, size) in expect {
        let block = format!("Path = {path}\nFolder = -\nSize = {size}\n");
        assert!(
            out.contains(&block),
            "7z lacks {path} of {size} bytes:\n{out}"
        );
    }
}

#[test]
fn udfinfo_blkid_and_7z_read_the_small_tree() {
    let tmp = TempDir::new().unwrap();
    for rev in ALL {
        let img = tmp.path().join(format!("small-{}.img", rev_text(rev)));
        write_small(rev, &img);
        // 4 files + 1 symlink; root, docs, docs/deeper.
        check_udfinfo(path_str(&img), rev, 5, 3);
        check_blkid(path_str(&img), rev);

        let img7 = tmp.path().join(format!("nolink-{}.img", rev_text(rev)));
        let p = discburn_udf::plan::plan(&small_tree_no_link(), &opts(rev)).unwrap();
        let mut f = std::fs::File::create(&img7).unwrap();
        discburn_udf::emit::UdfStream::new(&p, small_data)
            .write_sparse(&mut f)
            .unwrap();
        let contents = small_contents();
        let expect: Vec<(&str, u64)> = contents.iter().map(|(k, v)| (*k, v.len() as u64)).collect();
        check_7z_list(path_str(&img7), &expect);
        let out = tmp.path().join(format!("x-{}", rev_text(rev)));
        let (ok, o, e) = run(
            "7z",
            &["x", "-y", &format!("-o{}", path_str(&out)), path_str(&img7)],
        );
        assert!(ok, "7z x failed: {o}{e}");
        for (path, data) in &contents {
            let got = std::fs::read(out.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
            assert!(
                got == *data,
                "{path} differs after 7z x ({})",
                rev_text(rev)
            );
        }
    }
}

#[test]
fn udfinfo_blkid_and_7z_read_a_sparse_file_over_4_gib() {
    let tmp = TempDir::new().unwrap();
    for rev in ALL {
        let img = tmp.path().join(format!("big-{}.img", rev_text(rev)));
        write_big(rev, &img);
        check_udfinfo(path_str(&img), rev, 2, 2);
        check_blkid(path_str(&img), rev);
        check_7z_list(
            path_str(&img),
            &[("small.txt", 13), ("video/huge.bin", BIG_LEN)],
        );
    }
}

#[test]
fn hadris_udf_mounts_the_1_02_and_2_01_images() {
    use hadris_fs::sync::Volume;
    use hadris_fs::{MountOptions, OpenOptions};
    use hadris_udf::sync::UdfFs;
    use hadris_udf::UdfRevision;
    let tmp = TempDir::new().unwrap();
    for (rev, theirs) in [
        (Revision::V1_02, UdfRevision::V1_02),
        (Revision::V2_01, UdfRevision::V2_01),
    ] {
        let img = tmp.path().join(format!("small-{}.img", rev_text(rev)));
        write_small(rev, &img);
        let dev = hadris_storage::host::FileDevice::open(path_str(&img)).unwrap();
        let udf = UdfFs::mount(dev, MountOptions::new()).unwrap();
        assert_eq!(udf.info().revision(), theirs);
        let vol = Volume::new(udf);
        for (path, data) in small_contents() {
            let mut got = Vec::new();
            vol.open(format!("/{path}"), OpenOptions::new().read())
                .unwrap_or_else(|e| panic!("{path}: {e:?}"))
                .read_to_end(&mut got)
                .unwrap();
            assert!(got == data, "{path} differs through hadris-udf");
        }
    }
}

/// 7-Zip does not read virtual partitions at all (not even mkudffs's write-once
/// images), so write-once images are checked by udfinfo, blkid and our reader.
#[test]
fn write_once_vat_images_read_in_udfinfo_and_blkid() {
    let tmp = TempDir::new().unwrap();
    for rev in [Revision::V2_01, Revision::V2_50, Revision::V2_60] {
        let img = tmp.path().join(format!("vat-{}.img", rev_text(rev)));
        write_tree(&small_tree(), &write_once(rev), &img);
        check_udfinfo(path_str(&img), rev, 5, 3);
        let (_, out, _) = run("udfinfo", &[path_str(&img)]);
        assert!(out.contains("accesstype=writeonce\n"), "{out}");
        check_blkid(path_str(&img), rev);
    }
}
