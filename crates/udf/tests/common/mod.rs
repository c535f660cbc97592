//! The trees the integration tests record and the helpers that write their images.
#![allow(dead_code, missing_docs)]

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::path::Path;
use std::process::Command;

use discburn_udf::desc::UnixTime;
use discburn_udf::emit::UdfStream;
use discburn_udf::plan::{self, Entry, FileId, Meta, Node, Options, Plan, Revision, Tree};

pub const TIME: UnixTime = UnixTime {
    secs: 1_700_000_000,
    nanos: 0,
};

pub const UNICODE_NAME: &str = "Überraschung ✓.txt";
pub const PATTERN_LEN: u64 = 3 << 20;

/// Byte `i` of the 3 MiB pattern file.
pub fn pattern(i: u64) -> u8 {
    (i.wrapping_mul(31) ^ (i >> 11)) as u8
}

pub fn meta(mode: u32) -> Meta {
    Meta {
        mtime: TIME,
        atime: TIME,
        ctime: TIME,
        mode,
        uid: 1000,
        gid: 1000,
    }
}

fn file(name: &str, id: u32, len: u64) -> Entry {
    Entry {
        name: name.as_bytes().to_vec(),
        meta: meta(0o644),
        node: Node::File {
            id: FileId(id),
            len,
        },
    }
}

fn dir(name: &str, entries: Vec<Entry>) -> Entry {
    Entry {
        name: name.as_bytes().to_vec(),
        meta: meta(0o755),
        node: Node::Dir(entries),
    }
}

/// Nested directories, a unicode name, an empty file, a 3 MiB pattern, a symlink.
pub fn small_tree() -> Tree {
    Tree {
        root: meta(0o755),
        entries: vec![
            file("hello.txt", 1, 13),
            file("empty", 2, 0),
            dir(
                "docs",
                vec![
                    file(UNICODE_NAME, 3, 26),
                    dir("deeper", vec![file("pattern.bin", 4, PATTERN_LEN)]),
                ],
            ),
            Entry {
                name: b"link".to_vec(),
                meta: meta(0o777),
                node: Node::Symlink(b"docs/deeper/pattern.bin".to_vec()),
            },
        ],
    }
}

/// The bytes of the small tree's files.
pub fn small_data(file: FileId, offset: u64, buf: &mut [u8]) -> io::Result<()> {
    let content: &[u8] = match file.0 {
        1 => b"Hello, disc!\n",
        3 => b"abcdefghijklmnopqrstuvwxyz",
        4 => {
            for (i, b) in buf.iter_mut().enumerate() {
                *b = pattern(offset + i as u64);
            }
            return Ok(());
        }
        _ => b"",
    };
    let start = offset as usize;
    buf.copy_from_slice(&content[start..start + buf.len()]);
    Ok(())
}

pub fn small_contents() -> HashMap<&'static str, Vec<u8>> {
    let mut m = HashMap::new();
    m.insert("hello.txt", b"Hello, disc!\n".to_vec());
    m.insert("empty", Vec::new());
    m.insert(
        "docs/Überraschung ✓.txt",
        b"abcdefghijklmnopqrstuvwxyz".to_vec(),
    );
    m.insert(
        "docs/deeper/pattern.bin",
        (0..PATTERN_LEN).map(pattern).collect(),
    );
    m
}

/// The small tree without its symlink: 7-Zip refuses a whole UDF volume that holds a
/// file type other than directory and file.
pub fn small_tree_no_link() -> Tree {
    let mut t = small_tree();
    t.entries.retain(|e| !matches!(e.node, Node::Symlink(_)));
    t
}

/// Size of the sparse big file: over 4 GiB, so several extents and 64-bit sizes.
pub const BIG_LEN: u64 = (5 << 30) + 12345;
/// Offsets of the big file that hold a non-zero byte (the rest is a hole).
pub const BIG_SPOTS: [u64; 5] = [0, (1 << 30) - 2049, 1 << 32, (4 << 30) + 777, BIG_LEN - 1];

/// Byte of the big file at a spot.
pub fn big_spot_byte(i: usize) -> u8 {
    0x11 * (i as u8 + 1)
}

/// A tree with a sparse file over 4 GiB next to a small file.
pub fn big_tree() -> Tree {
    Tree {
        root: meta(0o755),
        entries: vec![
            file("small.txt", 1, 13),
            dir("video", vec![file("huge.bin", 9, BIG_LEN)]),
        ],
    }
}

/// Writes the big tree's image sparsely: the structures from the plan and, of the big
/// file, only its spot bytes (everything else of it is zero).
pub fn write_big(rev: Revision, path: &Path) -> Plan {
    use std::io::{Seek, SeekFrom, Write};
    let p = plan::plan(&big_tree(), &opts(rev)).expect("plan");
    let mut f = File::create(path).expect("create image");
    f.set_len(p.total_blocks * 2048).expect("size image");
    for r in &p.regions {
        match r {
            plan::Region::Meta { block, bytes } => {
                f.seek(SeekFrom::Start(block * 2048)).unwrap();
                f.write_all(bytes).unwrap();
            }
            plan::Region::File {
                block,
                file,
                offset,
                len,
            } => {
                if file.0 == 1 {
                    f.seek(SeekFrom::Start(block * 2048)).unwrap();
                    f.write_all(&b"Hello, disc!\n"[*offset as usize..(*offset + *len) as usize])
                        .unwrap();
                    continue;
                }
                for (i, &spot) in BIG_SPOTS.iter().enumerate() {
                    if (*offset..offset + len).contains(&spot) {
                        f.seek(SeekFrom::Start(block * 2048 + (spot - offset)))
                            .unwrap();
                        f.write_all(&[big_spot_byte(i)]).unwrap();
                    }
                }
            }
        }
    }
    p
}

pub fn opts(rev: Revision) -> Options {
    Options::new(rev, "DISCBURN", TIME)
}

/// Options for a write-once medium (a VAT).
pub fn write_once(rev: Revision) -> Options {
    Options {
        write_once: true,
        ..opts(rev)
    }
}

/// Plans the small tree and writes its image to `path`.
pub fn write_small(rev: Revision, path: &Path) -> Plan {
    write_tree(&small_tree(), &opts(rev), path)
}

/// Plans `tree` and writes its image (the small tree's data) to `path`.
pub fn write_tree(tree: &Tree, opts: &Options, path: &Path) -> Plan {
    let p = plan::plan(tree, opts).expect("plan");
    let mut f = File::create(path).expect("create image");
    UdfStream::new(&p, small_data)
        .write_sparse(&mut f)
        .expect("write image");
    p
}

pub const ALL: [Revision; 4] = [
    Revision::V1_02,
    Revision::V2_01,
    Revision::V2_50,
    Revision::V2_60,
];

pub fn rev_text(rev: Revision) -> &'static str {
    match rev {
        Revision::V1_02 => "1.02",
        Revision::V2_01 => "2.01",
        Revision::V2_50 => "2.50",
        Revision::V2_60 => "2.60",
    }
}

/// Runs a third-party tool; fails the test (never skips) when it is missing.
pub fn run(tool: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("{tool} could not run ({e}); install with: apt-get install udftools p7zip-full")
    });
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
