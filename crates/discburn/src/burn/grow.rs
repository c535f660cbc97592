//! Volume growth and later sessions: a folder appended to an appendable disc, or grown into
//! the ISO 9660 volume of a rewritable one (`growisofs -M`).

use std::io::{self};
use std::sync::Arc;

use discburn_mmc::disc::DiscStatus;

use crate::engine::{CancelToken, Update, WriteEngine};
use crate::error::Error;
use crate::iso::{FolderImage, VolumeDescriptor};
use crate::recorder::Recorder;
use crate::verify::ReadBack;

use super::ops;
use super::{BurnError, BurnOptions, BurnPhase, Closing, Note, Operation, RecorderReadBack};
use super::{Medium, Recording};

/// The second section of a grown volume: the new descriptor set written
/// over the old one, then flushed.
pub(super) fn update_volume(
    run: &mut Operation<'_>,
    engine: &WriteEngine,
    updates: &crossbeam_channel::Receiver<Update>,
    lba: u32,
    data: &[u8],
) -> Result<(), BurnError> {
    run.phase(BurnPhase::UpdatingVolume);
    let blocks = data.len() / 2048;
    run.note(Note::VolumeDescriptors {
        first: lba,
        last: lba + blocks as u32 - 1,
    });
    let written = engine.write_section(io::Cursor::new(data.to_vec()), lba as i32, blocks as i32);
    // Its events would read as a second write from the start: not forwarded.
    while updates.try_recv().is_ok() {}
    if let Err(e) = written {
        if e.is_cancelled() || run.cancel.is_cancelled() {
            return Err(BurnError::Cancelled {
                last_written_lba: None,
            });
        }
        let _ = ops::synchronize_cache(run.rec, &CancelToken::new(), &mut |_| {});
        return Err(BurnError::device(
            "writing the volume descriptors at sector 16 (the disc still holds the previous volume)",
            e,
        ));
    }
    run.phase(BurnPhase::Synchronizing);
    ops::synchronize_cache(run.rec, run.cancel, run.on_event)
        .map_err(|e| BurnError::device("flushing the drive's buffer (SYNCHRONIZE CACHE)", e))
}

/// A grown volume's descriptor rewrite at `lba`, widened to whole `block`-sector blocks
/// for a medium that records nothing less (a restricted overwrite DVD-RW, see
/// [`super::prepare::write_blocking`]): the sectors around the new descriptors are read
/// from the disc and written back as they are, so the old volume's tables there stay
/// intact. Read before anything is written; a disc that cannot be read there is left
/// alone.
pub(super) fn whole_block_rewrite(
    rec: &Recorder,
    lba: u32,
    data: Vec<u8>,
    block: u32,
) -> Result<(u32, Vec<u8>), BurnError> {
    let blocks = u32::try_from(data.len() / 2048)
        .map_err(|_| BurnError::Unsupported("descriptor rewrite beyond 2^32 sectors".into()))?;
    let block = block.max(1);
    let first = lba / block * block;
    let end = lba
        .checked_add(blocks)
        .and_then(|e| e.checked_next_multiple_of(block))
        .ok_or_else(|| BurnError::Unsupported("descriptor rewrite beyond 2^32 sectors".into()))?;
    if first == lba && end - lba == blocks {
        return Ok((lba, data));
    }
    let mut whole = vec![0u8; (end - first) as usize * 2048];
    rec.read_blocks(first, end - first, false, &mut whole)
        .map_err(|e| {
            BurnError::device(
                "reading the sectors around the volume descriptors (they are rewritten in whole 32 KiB blocks)",
                e,
            )
        })?;
    let at = (lba - first) as usize * 2048;
    whole[at..at + data.len()].copy_from_slice(&data);
    Ok((first, whole))
}

/// Reads the rewritten descriptors back (FUA) and compares them.
pub(super) fn check_rewrite(rec: &Recorder, lba: u32, data: &[u8]) -> Result<(), BurnError> {
    let mut back = vec![0u8; data.len()];
    let mut reader = RecorderReadBack(rec);
    let blocks = (data.len() / 2048) as u32;
    let read = reader
        .read_sectors(lba, blocks, true, &mut back)
        .or_else(|e| {
            if e.fua_refused {
                reader.read_sectors(lba, blocks, false, &mut back)
            } else {
                Err(e)
            }
        });
    match read {
        Ok(()) if back == data => Ok(()),
        Ok(()) => Err(BurnError::NotRecorded(format!(
            "the volume descriptors at sector {lba} read back differently"
        ))),
        Err(e) => Err(BurnError::NotRecorded(format!(
            "the volume descriptors at sector {lba} cannot be read back: {}",
            e.message
        ))),
    }
}

/// Whether sector 16 holds an ISO 9660 primary volume descriptor (a volume
/// a random-access medium holds from sector 0): its volume identifier.
pub(super) fn iso_volume(rec: &Arc<Recorder>) -> Option<String> {
    let mut sector = vec![0u8; 2048];
    let mut disc = DiscSectors(Arc::clone(rec));
    if let Err(e) = crate::iso::SectorRead::read_sectors(&mut disc, 16, &mut sector) {
        // Unformatted or never written: nothing to keep.
        tracing::debug!("reading sector 16: {e}");
        return None;
    }
    let d = VolumeDescriptor::new(&sector[..]);
    d.is_primary().then(|| d.volume_id()).flatten()
}

/// A folder burnt onto an appendable disc becomes a later session: addressed
/// from the next writable address, carrying the last session's files
/// forward (see [`crate::iso`]). On a random-access medium holding an ISO
/// 9660 volume, a multi-session burn grows that volume instead; otherwise
/// a blank or random-access medium keeps the image mastered for sector 0.
pub(super) fn later_session(
    run: &mut Operation<'_>,
    img: FolderImage,
    medium: &Medium,
    opts: &BurnOptions,
) -> Result<FolderImage, BurnError> {
    if medium.recording == Recording::RandomAccess {
        let Some(id) = iso_volume(run.rec) else {
            return Ok(img);
        };
        if opts.closing != Closing::Session {
            run.note(Note::VolumeReplaced {
                profile: medium.profile,
                volume_id: id,
            });
            return Ok(img);
        }
        let img = img.grow(Box::new(DiscSectors(Arc::clone(run.rec))))?;
        if let Some(c) = img.carried() {
            run.note(Note::VolumeGrown {
                volume_id: id,
                start_lba: img.start_lba(),
                kept: c.kept,
                replaced: c.replaced,
                new_volume_id: img.volume_id().to_string(),
                sectors: img.sectors(),
            });
            if img.clears_udf() {
                run.note(Note::UdfRemoved {
                    volume_id: img.volume_id().to_string(),
                });
            }
        }
        return Ok(img);
    }
    if medium.recording != Recording::Sequential || medium.status() != Some(DiscStatus::Incomplete)
    {
        return Ok(img);
    }
    let (Some(nwa), Some(previous)) = (medium.next_writable, medium.last_session_start()) else {
        return Ok(img);
    };
    if nwa == 0 {
        return Ok(img);
    }
    let reader = Box::new(DiscSectors(Arc::clone(run.rec)));
    let img = img.append_to(reader, previous, nwa)?;
    if let Some(c) = img.carried() {
        run.note(Note::SessionAppended {
            start_lba: nwa,
            previous_start: c.previous_start,
            kept: c.kept,
            replaced: c.replaced,
            volume_id: img.volume_id().to_string(),
            sectors: img.sectors(),
        });
    }
    Ok(img)
}

/// What a folder mastered as a first session is, for the user (a later session says
/// so in [`later_session`]'s note instead).
pub(super) fn folder_image_note(img: &FolderImage) -> Note {
    let fs = img.file_systems();
    Note::FolderImage {
        dir: img.dir().to_path_buf(),
        file_systems: fs,
        udf_revision: img.udf_revision(),
        volume_id: img.volume_id().to_string(),
        sectors: img.sectors(),
        renamed: img.renamed(),
    }
}

/// Refuses to write a folder image anywhere but where its addresses point.
pub(super) fn check_folder_start(img: &FolderImage, start_lba: u32) -> Result<(), BurnError> {
    check_folder_lba(img.start_lba(), start_lba)
}

pub(super) fn check_folder_lba(mastered: u32, start_lba: u32) -> Result<(), BurnError> {
    if mastered == start_lba {
        return Ok(());
    }
    Err(BurnError::Unsupported(format!(
        "the folder was mastered for sector {mastered} but the drive will write it at sector {start_lba}"
    )))
}

/// The disc's sectors through the recorder (READ(12), cached reads allowed:
/// the earlier sessions are closed), for reading the last session's tree.
pub(super) struct DiscSectors(pub(super) Arc<Recorder>);

/// Sectors per READ while reading a session's metadata.
pub(super) const META_READ_SECTORS: usize = 16;

impl crate::iso::SectorRead for DiscSectors {
    fn read_sectors(&mut self, lba: u32, buf: &mut [u8]) -> io::Result<()> {
        for (i, chunk) in buf.chunks_mut(META_READ_SECTORS * 2048).enumerate() {
            let at = u32::try_from(i * META_READ_SECTORS)
                .ok()
                .and_then(|o| lba.checked_add(o))
                .ok_or_else(|| io::Error::other("read past the last addressable sector"))?;
            let blocks = (chunk.len() / 2048) as u32;
            self.0
                .read_blocks(at, blocks, false, chunk)
                .map_err(|e| io::Error::other(read_failure_text(&e)))?;
        }
        Ok(())
    }
}

/// A failed READ in words: the drive's sense when it answered one, else the error.
pub(super) fn read_failure_text(e: &Error) -> String {
    match e.sense_info() {
        Some(s) => s.to_string(),
        None => e.to_string(),
    }
}
