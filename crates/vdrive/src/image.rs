//! Persistence: sectors in a sparse image file at LBA × slot size, the medium's state in
//! `PATH.state` (JSON, replaced atomically: write a temporary file, fsync, rename, fsync
//! the directory), and an exclusive `flock` on the image so that a second process or
//! handle cannot interleave writes with ours. During a write stream the drive saves the
//! state at checkpoints, and on open [`crate::model::DiscState::recover_interrupted`]
//! gives the open track what the image holds beyond the last one (a killed process).

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::model::DiscState;
use crate::VdriveError;

/// Largest state file read: a full BD-R's worth of tracks is a few hundred KiB of JSON.
pub const MAX_STATE_BYTES: u64 = 4 << 20;

/// Decodes and validates the contents of a state file (see [`DiscState::validate`]).
pub fn parse_state(bytes: &[u8]) -> Result<DiscState, String> {
    let st: DiscState = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    st.validate()?;
    Ok(st)
}

/// The whole file, or `None` when it holds more than `max` bytes (read no further).
fn read_capped(path: &Path, max: u64) -> io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    File::open(path)?.take(max + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= max).then_some(bytes))
}

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
        let state = match read_capped(&state_path, MAX_STATE_BYTES) {
            Ok(Some(bytes)) => Some(
                parse_state(&bytes)
                    .map_err(|e| VdriveError::BadState(format!("{}: {e}", state_path.display())))?,
            ),
            Ok(None) => {
                return Err(VdriveError::BadState(format!(
                    "{}: larger than {MAX_STATE_BYTES} bytes",
                    state_path.display()
                )))
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

    /// Drops the data from byte `len` on, if the file is longer (an erased session).
    pub fn truncate_to(&self, len: u64) -> io::Result<()> {
        if self.byte_len()? > len {
            self.file.set_len(len)?;
        }
        Ok(())
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

    #[test]
    fn oversized_state_is_an_error_not_an_allocation() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("disc.img");
        let f = File::create(state_path(&p)).unwrap();
        // Sparse: costs no disk, but reading it whole would take 1 GiB of memory.
        f.set_len(1 << 30).unwrap();
        let e = Image::open(&p).unwrap_err();
        assert!(
            matches!(&e, VdriveError::BadState(m) if m.contains("larger than")),
            "{e}"
        );
    }

    #[test]
    fn absurd_tracks_are_refused() {
        let good = serde_json::to_value(DiscState::blank(Media::DvdPlusR)).unwrap();
        let with = |f: &dyn Fn(&mut serde_json::Value)| {
            let mut v = good.clone();
            f(&mut v);
            parse_state(v.to_string().as_bytes())
        };
        assert!(with(&|_| {}).is_ok());
        // start + written overflowed u32 in the check itself (a panic in debug builds).
        let e = with(&|v| {
            v["tracks"][0]["start"] = u32::MAX.into();
            v["tracks"][0]["written"] = 1.into();
        })
        .unwrap_err();
        assert!(e.contains("exceeds the disc"), "{e}");
        let e = with(&|v| v["capacity"] = u32::MAX.into()).unwrap_err();
        assert!(e.contains("no disc holds"), "{e}");
        // Later arithmetic adds 1 to these.
        let e = with(&|v| v["tracks"][0]["number"] = u32::MAX.into()).unwrap_err();
        assert!(e.contains("where track 1 belongs"), "{e}");
        let e = with(&|v| v["closed_sessions"] = u32::MAX.into()).unwrap_err();
        assert!(e.contains("closed sessions"), "{e}");
        let e = with(&|v| {
            v["tracks"][0]["reserved"] = 10.into();
            v["tracks"][0]["written"] = 11.into();
        })
        .unwrap_err();
        assert!(e.contains("exceeds the disc"), "{e}");
    }
}
