//! Test support for this crate's and the CLI's tests, not part of the API: folders of
//! known files to master, burn and compare file by file.
#![doc(hidden)]

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// Files by their path below a folder's root (`/`-separated), with their contents.
pub type Files = BTreeMap<String, Vec<u8>>;

/// Writes `files` (path below `root`, contents) under `root`, making the folders they
/// need, and returns them.
pub fn folder(root: &Path, files: &[(&str, Vec<u8>)]) -> Files {
    for (p, d) in files {
        let path = root.join(p);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, d).unwrap();
    }
    files
        .iter()
        .map(|(p, d)| (p.to_string(), d.clone()))
        .collect()
}

/// `len` bytes that differ with `seed` and along the file.
pub fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(seed | 1).wrapping_add(seed))
        .collect()
}
