//! Planning a fresh image: the folder's tree read and checked (every file opened, sizes and
//! names within ISO 9660's limits) before a burn begins.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use hadris_fs::host::{self, TreeOptions};
use hadris_fs::{Content, DateTime, FileType, Tree, WarningKind};
use hadris_iso::{IsoId, IsoLevel, IsoOptions, Relocation};

use super::{
    check_volume_id, udf, volume_id_for, Body, FileSystems, FolderImage, FreshImage, IsoError,
    IsoSettings, UdfRevision, MAX_FILE_BYTES, RR_MOVED, SECTOR,
};
use discburn_mmc::profile::MediaFamily;

/// The host path of the tree path `rel` (names are the host's bytes).
pub(super) fn host_path(dir: &Path, rel: &[u8]) -> PathBuf {
    #[cfg(unix)]
    let rel = <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(rel);
    #[cfg(not(unix))]
    let rel = String::from_utf8_lossy(rel).into_owned();
    dir.join(rel)
}

/// Opens and reads from every file of the folder's tree, so a file that
/// cannot be read is named before the burn instead of stopping it midway
/// (on a write-once disc, a spoilt disc). Refuses fifos and sockets (ISO
/// 9660 has no content for them). Returns whether a file needs Level 3: one
/// that fills a whole extent or needs several (multi-extent, ECMA-119 §6.5.1).
pub(super) fn check_sources(dir: &Path, tree: &Tree) -> Result<bool, IsoError> {
    let mut level3 = false;
    let mut pending = vec![(dir.to_path_buf(), tree.root())];
    while let Some((host, entry)) = pending.pop() {
        for (name, child) in entry.children() {
            let path = host_path(&host, name.as_bytes());
            let node = child.node();
            let special = |what: &str| IsoError::Unreadable {
                path: path.clone(),
                reason: format!(
                    "it is a {what}: ISO 9660 cannot record fifos or sockets (leave it out)"
                ),
            };
            match node.file_type() {
                FileType::Dir => pending.push((path, child)),
                FileType::File => {
                    let size = node.content().map_or(0, Content::len);
                    level3 |= size >= MAX_FILE_BYTES;
                    check_file(&path, size)?;
                }
                FileType::Fifo => return Err(special("fifo (named pipe)")),
                FileType::Socket => return Err(special("socket")),
                // Symlinks and device nodes are Rock Ridge entries: nothing to read.
                _ => {}
            }
        }
    }
    Ok(level3)
}

/// Opens `path`, checks it is still the regular file of `size` bytes the
/// tree holds, and reads its first bytes (EACCES, EIO and the like show
/// here, not in the middle of the burn).
pub(super) fn check_file(path: &Path, size: u64) -> Result<(), IsoError> {
    let unreadable = |reason: String| IsoError::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    let why = read_reason;
    // Looked at before opening: opening a fifo would wait for a writer.
    let meta = std::fs::symlink_metadata(path).map_err(|e| unreadable(why(&e)))?;
    if meta.is_dir() {
        return Err(unreadable(CHANGED_TO_DIR.into()));
    }
    if !meta.is_file() {
        return Err(unreadable(
            "it is no longer a regular file (it changed while the folder was read; try again)"
                .into(),
        ));
    }
    let mut file = std::fs::File::open(path).map_err(|e| unreadable(why(&e)))?;
    let now = file.metadata().map_err(|e| unreadable(why(&e)))?.len();
    if now != size {
        return Err(unreadable(format!(
            "it changed size while the folder was read ({size} → {now} bytes); burn it once it no longer changes"
        )));
    }
    let mut first = [0u8; 4096];
    let want = first.len().min(usize::try_from(size).unwrap_or(usize::MAX));
    let mut got = 0;
    while got < want {
        match file.read(&mut first[got..want]) {
            Ok(0) => {
                return Err(unreadable(format!(
                    "it ended after {got} of its {size} bytes"
                )))
            }
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(unreadable(why(&e))),
        }
    }
    Ok(())
}

/// Why a host file cannot be read, and what to do, in words.
pub(super) fn read_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::PermissionDenied => {
            "permission denied (run as a user who can read it, or leave it out)".to_string()
        }
        io::ErrorKind::NotFound => "it is gone (removed while the folder was read)".to_string(),
        io::ErrorKind::IsADirectory => CHANGED_TO_DIR.to_string(),
        _ => e.to_string(),
    }
}

/// A failure reading the folder's tree: an entry the host refuses is named
/// with the reason, as an unreadable file is.
pub(super) fn tree_failure(dir: &Path, e: &hadris_fs::PathError) -> IsoError {
    match (e.host_path(), e.downcast_device::<io::Error>()) {
        (Some(path), Some(io)) if path != dir => IsoError::Unreadable {
            path: path.to_path_buf(),
            reason: read_reason(io),
        },
        _ => IsoError::Build {
            dir: dir.to_path_buf(),
            message: e.to_string(),
        },
    }
}

/// A failure of the writer while streaming a fresh image, naming the host
/// file it could not read.
pub(super) fn stream_failure(dir: &Path, e: &hadris_fs::PathError) -> String {
    let Some(host) = e.host_path() else {
        return format!("{}: {e}", dir.display());
    };
    let reason = match e.downcast_device::<io::Error>() {
        Some(io) => read_reason(io),
        None => e.message().to_string(),
    };
    format!(
        "cannot read {}: {reason}; it changed after the folder was checked, so the image stops here",
        host.display()
    )
}

/// Why a file that became a directory cannot be read.
pub(super) const CHANGED_TO_DIR: &str =
    "it is a directory now, not a file (it changed while the folder was read; try again)";

impl FolderImage {
    /// Reads the folder's tree (names, sizes, modes, times), opens every file
    /// and reads its first bytes, and plans the image. File contents are
    /// read in full only while streaming.
    ///
    /// Fails, naming the file and why, when a file cannot be read
    /// ([`IsoError::Unreadable`]: permission denied, a fifo or socket, a file
    /// that changed meanwhile), or when the volume identifier is longer
    /// than 32 bytes ([`IsoError::VolumeId`]): all before a burn begins.
    /// A file of 4 GiB − 2 KiB or more is recorded at Level 3, in as many
    /// extents as it needs (multi-extent, as mkisofs and xorriso do with
    /// `-iso-level 3`).
    pub fn from_dir(dir: &Path, settings: &IsoSettings) -> Result<Self, IsoError> {
        let build = |message: String| IsoError::Build {
            dir: dir.to_path_buf(),
            message,
        };
        // A fixed recording time (the settings' or SOURCE_DATE_EPOCH) makes the
        // image reproducible: file times newer than it are clamped to it, as the
        // reproducible-builds SOURCE_DATE_EPOCH spec asks, so reading the files
        // (which moves their access times) cannot change a second mastering.
        let fixed = match settings.time {
            Some(secs) => {
                Some(DateTime::from_unix_seconds(secs).map_err(|e| build(e.to_string()))?)
            }
            None => host::source_date_epoch().map_err(|e| build(e.to_string()))?,
        };
        let time = match fixed {
            Some(t) => t,
            None => {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs() as i64)
                    .unwrap_or(0);
                DateTime::from_unix_seconds(now).map_err(|e| build(e.to_string()))?
            }
        };
        let tree_options = match fixed {
            Some(t) => TreeOptions::new().with_clamp(t),
            None => TreeOptions::new(),
        };
        let (tree, skipped) =
            host::read_tree(dir, &tree_options).map_err(|e| tree_failure(dir, &e))?;
        if !skipped.is_empty() {
            return Err(IsoError::Skipped {
                dir: dir.to_path_buf(),
                paths: skipped.iter().map(|e| e.to_string()).collect(),
            });
        }
        let volume_id = settings
            .volume_id
            .clone()
            .unwrap_or_else(|| volume_id_for(dir));
        check_volume_id(&volume_id)?;
        let level3 = check_sources(dir, &tree)?;
        let mut options = IsoOptions::default()
            .with_id(IsoId::Volume, &volume_id)
            .with_id(IsoId::Application, "DISCBURN")
            .with_time(time);
        if level3 {
            // Levels 1 and 2 hold a file in one extent (hadris-iso refuses one
            // that fills it, its check is `>=`); Level 3 records a file in
            // extents of at most 4 GiB − 2 KiB each, with Level 2 names.
            options = options.with_level(IsoLevel::L3);
        }
        if settings.joliet {
            options = options.with_joliet();
        }
        // Deep directories go to `.rr_moved`, which the stream marks with RE
        // so Rock Ridge readers hide it, as xorriso does; a folder with its
        // own `rr_moved` keeps hadris-iso's default, which reuses that one
        // (the two names together are refused).
        let hide_relocated = settings.rock_ridge
            && tree.root().child("rr_moved").is_none()
            && tree.root().child(RR_MOVED).is_none();
        if settings.rock_ridge {
            options = options.with_rock_ridge();
        }
        if hide_relocated {
            options = options.with_relocation(Relocation::DotRrMoved);
        }
        let options = settings.boot.apply(dir, &tree, options)?;
        let bd = settings.family == Some(MediaFamily::Bd);
        let fs = match settings.fs {
            Some(fs) => fs,
            None if settings.boot.is_some() => FileSystems::Iso,
            None if level3 || bd => FileSystems::IsoUdf,
            None => FileSystems::Iso,
        };
        if fs.has_udf() && settings.boot.is_some() {
            return Err(IsoError::Boot {
                image: dir.to_path_buf(),
                reason: format!(
                    "a bootable disc is mastered as ISO 9660 alone, not {fs} (use --fs iso)"
                ),
            });
        }
        let revision = settings.udf_revision.unwrap_or(match settings.family {
            Some(MediaFamily::Bd) => UdfRevision::V2_50,
            Some(MediaFamily::Dvd) => UdfRevision::V1_02,
            _ => UdfRevision::V2_01,
        });
        let udf_time = discburn_udf::desc::UnixTime {
            secs: time.unix_seconds(),
            nanos: time.nanoseconds(),
        };
        let udf_options = udf::udf_options(&volume_id, revision, udf_time);
        let (report, body, size) = match fs {
            FileSystems::Iso => {
                let report = hadris_iso::plan(&tree, &options).map_err(|e| build(e.to_string()))?;
                let size = report.size();
                (
                    Some(report),
                    Body::Fresh(Box::new(FreshImage { tree, options })),
                    size,
                )
            }
            FileSystems::IsoUdf => {
                let t = udf::udf_tree(dir, &tree, udf_time).map_err(build)?;
                let (options, overlay, end) =
                    udf::lay_out_bridge(&t, &tree, options, &udf_options).map_err(build)?;
                let report = hadris_iso::plan(&tree, &options).map_err(|e| build(e.to_string()))?;
                if report.size() != end * SECTOR {
                    return Err(build(
                        "the ISO 9660 image does not end where the UDF volume does".into(),
                    ));
                }
                let body = Body::Bridge(Box::new((overlay, FreshImage { tree, options })));
                (Some(report), body, end * SECTOR)
            }
            FileSystems::Udf => {
                let t = udf::udf_tree(dir, &tree, udf_time).map_err(build)?;
                let img = udf::lay_out_udf(t, &udf_options).map_err(build)?;
                let size = img.blocks() * SECTOR;
                (None, Body::Udf(Box::new(img)), size)
            }
        };
        let mut lost = Vec::new();
        let mut renamed = 0;
        let mut relocated = false;
        for w in report.iter().flat_map(|r| r.warnings()) {
            relocated |= w.kind() == WarningKind::Relocated;
            match w.kind() {
                WarningKind::Skipped => lost.push(w.to_string()),
                WarningKind::Renamed | WarningKind::Truncated | WarningKind::Deduplicated => {
                    renamed += 1
                }
                // What a format does not store (UDF keeps no creation time of a
                // mastered file, ISO 9660 no owner without Rock Ridge): said in the log.
                _ => tracing::info!("{}: {w}", dir.display()),
            }
        }
        if !lost.is_empty() {
            return Err(IsoError::Skipped {
                dir: dir.to_path_buf(),
                paths: lost,
            });
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            settings: settings.clone(),
            time,
            size,
            renamed,
            volume_id,
            start_lba: 0,
            carried: None,
            rewrite: None,
            // The bridge marks `.rr_moved` in its structures already.
            relocated: relocated && hide_relocated && fs == FileSystems::Iso,
            fs,
            udf_revision: fs.has_udf().then_some(revision),
            udf_cleared: false,
            body,
        })
    }
}
