//! pycdlib (Debian's python3-pycdlib) as a third-party reader of our images.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// Debian's interpreter: python3-pycdlib installs into its dist-packages, not into
/// whatever `python3` comes first on PATH.
const PYTHON: &str = "/usr/bin/python3";
const INSTALL: &str = "apt-get install -y python3-pycdlib (scripts/test installs it)";

/// One file as pycdlib lists it in one tree (`rr`, `joliet` or `udf`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PycdlibFile {
    pub tree: String,
    pub path: String,
    pub size: u64,
    /// The MD5 of the content pycdlib extracts, when asked for.
    pub md5: Option<String>,
}

/// Opens `image` with pycdlib and lists every file of every tree it finds; `Err` with
/// pycdlib's own message when it refuses the image. Panics (failing the test) when
/// pycdlib is not installed.
pub fn pycdlib(image: &Path, md5: bool) -> Result<Vec<PycdlibFile>, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/readers/pycdlib_walk.py");
    let probe = Command::new(PYTHON).args(["-c", "import pycdlib"]).output();
    match probe {
        Ok(o) if o.status.success() => {}
        _ => panic!("pycdlib is needed to read the image back: {INSTALL}"),
    }
    let out = Command::new(PYTHON)
        .arg(script)
        .arg(image)
        .arg(if md5 { "md5" } else { "sizes" })
        .output()
        .unwrap_or_else(|e| panic!("{PYTHON}: {e}: {INSTALL}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        let last = stderr.lines().last().unwrap_or("").to_string();
        return Err(last);
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert!(f.len() >= 3, "pycdlib_walk.py printed {l:?}");
            PycdlibFile {
                tree: f[0].into(),
                path: f[1].into(),
                size: f[2].parse().unwrap_or_else(|_| panic!("size in {l:?}")),
                md5: f.get(3).map(|s| s.to_string()),
            }
        })
        .collect())
}

/// The MD5 of `bytes`, as pycdlib_walk.py prints it.
pub fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
