//! Persistence: sectors in a sparse image file at LBA × slot size, the medium's state in
//! `PATH.state` (JSON, replaced atomically: write a temporary file, fsync, rename, fsync
//! the directory), and an exclusive `flock` on the image so that a second process or
//! handle cannot interleave writes with ours.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::model::DiscState;
use crate::VdriveError;

/// An open, locked image file and the path of its state file.
#[derive(Debug)]
pub struct Image {
    file: File,
    path: PathBuf,
    state_path: PathBuf,
}

/// The state file that goes with an image.
pub fn state_path(image: &Path) -> PathBuf {
    let mut s = image.as_os_str().to_owned();
    s.push(".state");
    PathBuf::from(s)
}

impl Image {
    /// Opens (creating if absent) and locks the image. Returns the image and the state
    /// read from the state file, if there is one.
    pub fn open(path: &Path) -> Result<(Image, Option<DiscState>), VdriveError> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| VdriveError::Io(format!("{}: {e}", path.display())))?;
        match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => {}
            Err(e) if e == rustix::io::Errno::WOULDBLOCK => {
                return Err(VdriveError::Locked(path.display().to_string()))
            }
            Err(e) => {
                return Err(VdriveError::Io(format!(
                    "{}: lock: {}",
                    path.display(),
                    io::Error::from(e)
                )))
            }
        }
        let state_path = state_path(path);
        let state = match std::fs::read(&state_path) {
            Ok(bytes) => {
                let st: DiscState = serde_json::from_slice(&bytes)
                    .map_err(|e| VdriveError::BadState(format!("{}: {e}", state_path.display())))?;
                st.validate()
                    .map_err(|e| VdriveError::BadState(format!("{}: {e}", state_path.display())))?;
                Some(st)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(VdriveError::Io(format!("{}: {e}", state_path.display()))),
        };
        Ok((
            Image {
                file,
                path: path.to_owned(),
                state_path,
            },
            state,
        ))
    }

    /// Length of the image file in bytes.
    pub fn byte_len(&self) -> io::Result<u64> {
        Ok(self.file.metadata()?.len())
    }

    /// Writes `data` at byte offset `at`.
    pub fn write_at(&self, data: &[u8], at: u64) -> io::Result<()> {
        self.file.write_all_at(data, at)
    }

    /// Reads into `buf` from byte offset `at`; bytes past the end of the file (never
    /// written: a hole) read as zeros.
    pub fn read_at(&self, buf: &mut [u8], at: u64) -> io::Result<()> {
        let mut done = 0;
        while done < buf.len() {
            match self.file.read_at(&mut buf[done..], at + done as u64) {
                Ok(0) => {
                    buf[done..].fill(0);
                    break;
                }
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Makes everything written durable (SYNCHRONIZE CACHE).
    pub fn sync(&self) -> io::Result<()> {
        self.file.sync_data()
    }

    /// Drops all recorded data (BLANK).
    pub fn truncate(&self) -> io::Result<()> {
        self.file.set_len(0)
    }

    /// Replaces the state file atomically.
    pub fn save_state(&self, state: &DiscState) -> io::Result<()> {
        let json = serde_json::to_vec_pretty(state).map_err(io::Error::other)?;
        let mut tmp_name = self.state_path.as_os_str().to_owned();
        tmp_name.push(".tmp");
        let tmp = PathBuf::from(tmp_name);
        {
            let mut f = File::create(&tmp)?;
            f.write_all(&json)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &self.state_path)?;
        let dir = self
            .state_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        File::open(dir)?.sync_all()
    }

    /// The image path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::Media;

    #[test]
    fn second_open_is_refused_and_state_persists() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("disc.img");
        let (img, st) = Image::open(&p).unwrap();
        assert!(st.is_none());
        assert!(matches!(Image::open(&p), Err(VdriveError::Locked(_))));
        let d = DiscState::blank(Media::BdR);
        img.save_state(&d).unwrap();
        img.write_at(b"hello", 2048 * 10).unwrap();
        let mut buf = [1u8; 8];
        img.read_at(&mut buf, 2048 * 10 + 1).unwrap();
        assert_eq!(&buf, b"ello\0\0\0\0");
        drop(img);
        let (_img, st) = Image::open(&p).unwrap();
        assert_eq!(st, Some(d));
        assert!(!dir.path().join("disc.img.state.tmp").exists());
    }

    #[test]
    fn corrupt_state_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("disc.img");
        std::fs::write(state_path(&p), b"{not json").unwrap();
        assert!(matches!(Image::open(&p), Err(VdriveError::BadState(_))));
    }
}
