//! `discburn read OUT` (readcd): copies the recorded user data of the disc to an
//! image file with plain READ(12)s (MMC-6 §6.19) through [`RecorderReadBack`], the
//! reader the verify pass uses.
//!
//! Which sectors ([`ReadExtent`]): a track, a session, or by default the last session
//! of a CD-R/RW, DVD±R/RW or BD-R (what a system mounts, and where `discburn verify`
//! starts), and on a rewritable DVD+RW, DVD-RAM or BD-RE the ISO 9660 volume from
//! sector 0 (its size from the primary volume descriptor at sector 16, ECMA-119
//! §8.4.8), else every sector READ CAPACITY reports.
//!
//! The image is written to `OUT.part` and renamed to `OUT` only once every sector was
//! read: an unreadable sector fails the read with the LBAs, and leaves no image that
//! looks whole.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::engine::CancelToken;
use crate::iso::VolumeDescriptor;
use crate::recorder::Recorder;
use crate::verify::{BadKind, BadRange, ReadBack, VerifyProgress};

use super::medium::{inspect, Medium, Recording, TrackEntry};
use super::{BurnError, BurnEvent, BurnPhase, Note, Operation, RecorderReadBack, Unsuitable};

/// Sectors per READ(12).
const CHUNK: u32 = 32;

/// Which sectors `discburn read` copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadExtent {
    /// The last session (sequential media), the ISO 9660 volume or the whole disc
    /// (random-access media).
    Default,
    /// One track.
    Track(u16),
    /// One session, first track to last.
    Session(u16),
}

/// What `discburn read` copied.
#[derive(Debug, Clone)]
pub struct ReadReport {
    /// The image file written.
    pub path: PathBuf,
    /// First LBA read.
    pub start_lba: u32,
    /// Sectors read.
    pub sectors: u64,
    /// What they are ("track 1", "session 2", "the ISO 9660 volume").
    pub what: String,
    /// Time spent reading.
    pub elapsed: Duration,
}

impl From<BurnError> for ReadError {
    fn from(e: BurnError) -> Self {
        ReadError::Burn(Box::new(e))
    }
}

/// Why `discburn read` did not produce an image.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The drive, the medium or the request (see [`BurnError`]; boxed: it is large).
    #[error(transparent)]
    Burn(Box<BurnError>),
    /// The image file exists already.
    #[error("{} exists already", .0.display())]
    Exists(PathBuf),
    /// The image file cannot be written.
    #[error("cannot write {}: {source}", path.display())]
    Output {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Sectors the drive could not read; no image was kept.
    #[error("{} of the {sectors} sectors could not be read, so no image was written", bad_sectors(.bad))]
    Unreadable {
        /// The unreadable ranges, with the drive's words.
        bad: Vec<BadRange>,
        /// Sectors that were to be read.
        sectors: u64,
    },
}

fn bad_sectors(bad: &[BadRange]) -> u64 {
    bad.iter().map(BadRange::sectors).sum()
}

/// Sectors a track holds: up to its next writable address while it is open.
fn recorded(t: &TrackEntry) -> u64 {
    match t.nwa {
        Some(nwa) if !t.blank => u64::from(nwa.saturating_sub(t.start)),
        _ => u64::from(t.size),
    }
}

/// The (start, sectors, description) of `extent` on the medium.
fn extent_of(
    rec: &Arc<Recorder>,
    m: &Medium,
    extent: ReadExtent,
) -> Result<(u32, u64, String), BurnError> {
    let profile = m.profile;
    let tracks: Vec<&TrackEntry> = m
        .tracks
        .iter()
        .filter(|t| !t.blank && recorded(t) > 0)
        .collect();
    let random = m.recording == Recording::RandomAccess;
    if random || (m.recording == Recording::ReadOnly && tracks.is_empty()) {
        if extent != ReadExtent::Default {
            return Err(BurnError::Unsuitable(Unsuitable::NoTracksToChoose {
                profile,
            }));
        }
        let capacity = m.read_capacity.unwrap_or(m.capacity_sectors);
        return Ok(match iso_volume_sectors(rec) {
            Some(n) if n <= capacity => (0, n, "the ISO 9660 volume".into()),
            _ => (0, capacity, "every sector of the disc".into()),
        });
    }
    let span = |list: &[&TrackEntry]| {
        let start = list.iter().map(|t| t.start).min().unwrap_or(0);
        let end = list
            .iter()
            .map(|t| u64::from(t.start) + recorded(t))
            .max()
            .unwrap_or(0);
        (start, end.saturating_sub(u64::from(start)))
    };
    let (list, what): (Vec<&TrackEntry>, String) = match extent {
        ReadExtent::Track(n) => (
            tracks.iter().copied().filter(|t| t.number == n).collect(),
            format!("track {n}"),
        ),
        ReadExtent::Session(n) => (
            tracks.iter().copied().filter(|t| t.session == n).collect(),
            format!("session {n}"),
        ),
        ReadExtent::Default => {
            let last = tracks.iter().map(|t| t.session).max().unwrap_or(0);
            (
                tracks
                    .iter()
                    .copied()
                    .filter(|t| t.session == last)
                    .collect(),
                format!("session {last} (the last)"),
            )
        }
    };
    if list.is_empty() {
        let recorded: Vec<String> = tracks
            .iter()
            .map(|t| format!("track {} in session {}", t.number, t.session))
            .collect();
        return Err(BurnError::Unsupported(if recorded.is_empty() {
            format!("the {profile} in the drive holds no recorded data")
        } else {
            format!(
                "the {profile} in the drive has no recorded {what}; it holds {}",
                recorded.join(", ")
            )
        }));
    }
    let (start, sectors) = span(&list);
    Ok((start, sectors, what))
}

/// The volume space size of an ISO 9660 primary volume descriptor at sector 16.
fn iso_volume_sectors(rec: &Recorder) -> Option<u64> {
    let mut pvd = vec![0u8; 2048];
    RecorderReadBack(rec)
        .read_sectors(16, 1, false, &mut pvd)
        .ok()?;
    let d = VolumeDescriptor::new(&pvd[..]);
    if !d.is_primary() {
        return None;
    }
    let blocks = d.volume_space_size()?;
    (d.logical_block_size()? == 2048 && blocks > 16).then_some(u64::from(blocks))
}

/// Copies `extent` of the disc to `out` (refused when it exists, unless `force`).
/// Progress comes as [`BurnEvent::Verify`] events counting sectors read.
pub fn read_image(
    rec: &Arc<Recorder>,
    out: &Path,
    extent: ReadExtent,
    force: bool,
    cancel: &CancelToken,
    on_event: &mut dyn FnMut(&BurnEvent),
) -> Result<ReadReport, ReadError> {
    if out.is_dir() {
        return Err(ReadError::Output {
            path: out.to_path_buf(),
            source: io::Error::other("it is a directory; name the image file to write"),
        });
    }
    if !force && out.exists() {
        return Err(ReadError::Exists(out.to_path_buf()));
    }
    let mut run = Operation::start(rec, cancel, on_event)?;
    let medium = inspect(rec)?;
    let (start, sectors, what) = extent_of(rec, &medium, extent)?;
    run.note(Note::Reading {
        what: what.clone(),
        sectors,
        start_lba: start,
        out: out.to_path_buf(),
    });
    let mut part = out.as_os_str().to_owned();
    part.push(".part");
    let part = PathBuf::from(part);
    let output = |e: io::Error| ReadError::Output {
        path: out.to_path_buf(),
        source: e,
    };
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&part)
        .map_err(output)?;
    let copied = copy(&mut run, file, out, start, sectors);
    let elapsed = match copied {
        Ok(elapsed) => elapsed,
        Err(e) => {
            let _ = fs::remove_file(&part);
            return Err(e);
        }
    };
    if let Err(e) = fs::rename(&part, out) {
        let _ = fs::remove_file(&part);
        return Err(output(e));
    }
    run.phase(BurnPhase::Completed);
    Ok(ReadReport {
        path: out.to_path_buf(),
        start_lba: start,
        sectors,
        what,
        elapsed,
    })
}

/// Reads `sectors` from `start` into `file`; a chunk that fails is read again sector
/// by sector so the unreadable LBAs are exact.
fn copy(
    run: &mut Operation<'_>,
    file: File,
    out: &Path,
    start: u32,
    sectors: u64,
) -> Result<Duration, ReadError> {
    let rec = run.rec;
    let clock = rec.clock().clone();
    let began = clock.now();
    let mut reader = RecorderReadBack(rec);
    let mut w = io::BufWriter::with_capacity(1 << 20, file);
    let mut buf = vec![0u8; CHUNK as usize * 2048];
    let mut bad: Vec<BadRange> = Vec::new();
    let mut done = 0u64;
    let output = |e: io::Error| ReadError::Output {
        path: out.to_path_buf(),
        source: e,
    };
    while done < sectors {
        if run.cancel.is_cancelled() {
            return Err(BurnError::Cancelled {
                last_written_lba: None,
            }
            .into());
        }
        let count = (sectors - done).min(u64::from(CHUNK)) as u32;
        let lba = u32::try_from(u64::from(start) + done)
            .map_err(|_| BurnError::Unsupported("the extent reaches past LBA 2^32".into()))?;
        let chunk = &mut buf[..count as usize * 2048];
        if let Err(e) = reader.read_sectors(lba, count, false, chunk) {
            tracing::debug!(
                "READ(12) {lba}+{count}: {}; reading sector by sector",
                e.message
            );
            for (i, sector) in chunk.chunks_mut(2048).enumerate() {
                let at = lba + i as u32;
                if let Err(e) = reader.read_sectors(at, 1, false, sector) {
                    sector.fill(0);
                    match bad.last_mut() {
                        Some(b)
                            if b.last + 1 == at
                                && b.kind == BadKind::Unreadable(e.message.clone()) =>
                        {
                            b.last = at;
                        }
                        _ => bad.push(BadRange {
                            first: at,
                            last: at,
                            kind: BadKind::Unreadable(e.message),
                            exact: true,
                        }),
                    }
                }
            }
        }
        w.write_all(chunk).map_err(output)?;
        done += u64::from(count);
        (run.on_event)(&BurnEvent::Verify(VerifyProgress {
            done,
            total: sectors,
            bad: bad_sectors(&bad),
            elapsed: clock.now().saturating_sub(began),
        }));
    }
    if !bad.is_empty() {
        return Err(ReadError::Unreadable { bad, sectors });
    }
    let file = w.into_inner().map_err(|e| output(e.into_error()))?;
    file.sync_all().map_err(output)?;
    Ok(clock.now().saturating_sub(began))
}
