//! Images this crate writes, read by third-party programs: udfinfo (udftools), 7-Zip,
//! blkid (util-linux).

mod common;

use common::*;

#[test]
fn scratch() {
    let dir = std::path::Path::new("/tmp/udfscratch");
    std::fs::create_dir_all(dir).unwrap();
    for rev in ALL {
        let img = dir.join(format!("{}.img", rev_text(rev)));
        write_small(rev, &img);
    }
}

#[test]
fn scratch_nolink() {
    let dir = std::path::Path::new("/tmp/udfscratch");
    std::fs::create_dir_all(dir).unwrap();
    let mut t = small_tree();
    t.entries.pop();
    for rev in ALL {
        let p = discburn_udf::plan::plan(&t, &opts(rev)).unwrap();
        let mut f = std::fs::File::create(dir.join(format!("nl{}.img", rev_text(rev)))).unwrap();
        discburn_udf::emit::UdfStream::new(&p, small_data)
            .write_sparse(&mut f)
            .unwrap();
    }
}
