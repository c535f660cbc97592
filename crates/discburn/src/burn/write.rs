//! The write flow of [`burn`](super::burn): the source opened and checked, the medium
//! prepared, the engine run, the result confirmed.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::engine::{CancelToken, Update, WriteEngine};
use crate::error::{Error, ErrorKind};
use crate::iso::VolumeDescriptor;
use crate::recorder::Recorder;
use crate::verify::{self, HashingReader};

use super::sha::Sha256Tap;
use super::{
    check_folder_lba, check_folder_start, check_rewrite, folder_image_note, iso_volume,
    later_session, run_verify, stopped, update_volume, whole_block_rewrite, BurnError, BurnEvent,
    BurnOptions, BurnPhase, BurnReport, Closing, Note, Operation, Source, Unsuitable,
};
use super::{inspect, Medium, Recording};
use super::{medium, ops, prepare};

/// Burns `source` to the medium in `rec` (see the module docs for the steps).
pub fn burn(
    rec: &Arc<Recorder>,
    source: Source,
    opts: &BurnOptions,
    cancel: &CancelToken,
    on_event: &mut dyn FnMut(&BurnEvent),
) -> Result<BurnReport, BurnError> {
    let mut run = Operation::start(rec, cancel, on_event)?;
    let mut sectors = source.sectors()?;
    let before = inspect(rec)?;
    tracing::info!("medium: {}", before.summary());
    run.note(Note::Disc(before.clone()));
    let source = match source {
        Source::Folder(img) => {
            let img = later_session(&mut run, *img, &before, opts)?;
            if img.carried().is_none() {
                run.note(folder_image_note(&img));
            }
            sectors = img.sectors();
            Source::Folder(Box::new(img))
        }
        other => {
            if before.recording == Recording::RandomAccess && opts.closing == Closing::Session {
                if let Some(id) = iso_volume(rec) {
                    return Err(BurnError::Unsuitable(Unsuitable::CannotMerge {
                        profile: before.profile,
                        volume_id: id,
                        label: other.label(),
                    }));
                }
            }
            other
        }
    };
    let random_start = match &source {
        Source::Folder(img) if before.recording == Recording::RandomAccess => img.start_lba(),
        _ => 0,
    };
    let open_ended = matches!(source, Source::OpenStream { .. });
    let (pad, pad_note) = prepare::padding(&before, sectors, &source.label(), opts, open_ended)?;
    let mut plan = prepare::plan(
        rec,
        &before,
        sectors + pad,
        &source.label(),
        opts,
        random_start,
        open_ended,
    )?;
    if let Source::Folder(img) = &source {
        check_folder_start(img, plan.start_lba)?;
    }
    // The source, opened and looked at before anything changes the medium.
    let mut input = Input::open(source, sectors, pad)?;
    if let Some(block) = prepare::write_blocking(before.profile) {
        if let Some((lba, data)) = input.rewrite.take() {
            input.rewrite = Some(whole_block_rewrite(rec, lba, data, block)?);
        }
    }
    if let Some(note) = input.check_start(plan.start_lba, &before)? {
        run.note(note);
    }
    for note in std::mem::take(&mut plan.notes) {
        run.note(note);
    }
    if let Some(note) = pad_note {
        run.note(note);
    }
    if opts.dry_run {
        run.phase(BurnPhase::Completed);
        let phases = run.finish_phases();
        return Ok(BurnReport {
            before,
            after: None,
            start_lba: plan.start_lba,
            sectors: sectors + pad,
            last_update: None,
            min_host_fill: None,
            min_device_fill: None,
            write_time: Duration::ZERO,
            total_time: run.now().saturating_sub(run.started),
            phases,
            closing: None,
            test_write: opts.test_write,
            verify: None,
            speed_kbps: None,
            dry_run: true,
            sha256: None,
        });
    }
    run.check_cancel()?;
    if let Err(e) = rec.acquire_exclusive_access(false, "discburn") {
        return Err(BurnError::device("taking exclusive access to the drive", e));
    }
    let mut tray = ops::TrayLock::engage(rec);
    let result =
        burn_locked(&mut run, input, &before, plan, opts).map_err(|e| match run.written_up_to {
            Some(_) => e.after_writing(run.written_up_to),
            None => e,
        });
    if matches!(result, Err(BurnError::Abandoned { .. })) {
        tray.unlock_when_answered();
    }
    tray.release(cancel, &mut *run.on_event);
    if let Err(e) = rec.release_exclusive_access() {
        tracing::warn!("releasing exclusive access: {e}");
    }
    result
}

/// What a burn reads from, opened and checked before the medium changes.
pub(super) struct Input {
    /// The data, padding included.
    pub(super) reader: Box<dyn Read + Send>,
    /// Sectors of data (an open-ended stream: 0, known at its end).
    pub(super) sectors: u64,
    /// Zero sectors appended (`--pad`, the SAO minimum).
    pub(super) pad: u64,
    /// What to call it in messages.
    pub(super) label: String,
    /// The image file, re-read by verify to pinpoint mismatches.
    pub(super) image_path: Option<PathBuf>,
    /// A folder's start: its addresses are fixed.
    pub(super) folder_start: Option<u32>,
    /// A grown volume's descriptors, written at sector 16 after the session.
    pub(super) rewrite: Option<(u32, Vec<u8>)>,
    /// What sector 16 of an image or stream holds.
    pub(super) head: Head,
    /// A stream: whether it is open-ended, and the bytes its last partial
    /// sector was padded with.
    pub(super) stream: Option<(bool, Arc<AtomicU64>)>,
}

/// What an image or stream holds at sector 16.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Head {
    /// A folder, mastered by discburn for its start.
    Folder,
    /// An ISO 9660 primary volume descriptor: its root directory's extent.
    Iso9660 { root_extent: u32 },
    /// Anything else (raw data, UDF only, shorter than 17 sectors).
    Other,
}

/// Sectors of an image or stream read ahead to look at its volume descriptor.
pub(super) const HEAD_SECTORS: usize = 17;

impl Head {
    /// ECMA-119 §8.4: a primary volume descriptor at sector 16 ([`VolumeDescriptor`])
    /// and the extent of its root directory record (§9.1.3).
    pub(super) fn of(sector16: &[u8]) -> Head {
        let d = VolumeDescriptor::new(sector16);
        match d.root_extent() {
            Some(root_extent) if d.is_primary() => Head::Iso9660 { root_extent },
            _ => Head::Other,
        }
    }
}

impl Input {
    pub(super) fn open(source: Source, sectors: u64, pad: u64) -> Result<Input, BurnError> {
        let label = source.label();
        let mut input = Input {
            reader: Box::new(io::empty()),
            sectors,
            pad,
            label,
            image_path: None,
            folder_start: None,
            rewrite: None,
            head: Head::Other,
            stream: None,
        };
        let reader: Box<dyn Read + Send> = match source {
            Source::Image(p) => {
                let (file, head) = open_image(&p, sectors)?;
                input.head = head;
                input.image_path = Some(p);
                Box::new(file)
            }
            Source::Folder(img) => {
                input.head = Head::Folder;
                input.folder_start = Some(img.start_lba());
                input.rewrite = img.descriptor_rewrite().map(|(l, d)| (l, d.to_vec()));
                Box::new((*img).stream())
            }
            Source::Stream { reader, .. } => {
                let (reader, head) = peek_head(reader, &input.label)?;
                input.head = head;
                input.stream = Some((false, Arc::default()));
                reader
            }
            Source::OpenStream { reader, .. } => {
                let (reader, head) = peek_head(reader, &input.label)?;
                input.head = head;
                let padded = Arc::new(AtomicU64::new(0));
                input.stream = Some((true, Arc::clone(&padded)));
                Box::new(SectorPad {
                    inner: reader,
                    seen: 0,
                    padding: 0,
                    padded,
                })
            }
        };
        input.reader = if pad > 0 {
            Box::new(reader.chain(io::repeat(0).take(pad * 2048)))
        } else {
            reader
        };
        Ok(input)
    }

    pub(super) fn open_ended(&self) -> bool {
        self.stream.as_ref().is_some_and(|(open, _)| *open)
    }

    /// An image whose file system is addressed from sector 0 written
    /// anywhere else is a disc nobody can read: refused. Other data at a
    /// later address is written as it is, with a note saying where.
    pub(super) fn check_start(
        &self,
        start_lba: u32,
        medium: &Medium,
    ) -> Result<Option<Note>, BurnError> {
        if start_lba == 0 {
            return Ok(None);
        }
        match self.head {
            Head::Folder => Ok(None),
            Head::Iso9660 { root_extent } if root_extent < start_lba => {
                Err(BurnError::ImageAddressedElsewhere {
                    label: self.label.clone(),
                    start_lba,
                    root_extent,
                    last_session: medium.last_session_start(),
                })
            }
            Head::Iso9660 { root_extent } => Ok(Some(Note::ImageForLaterSession {
                label: self.label.clone(),
                root_extent,
                start_lba,
            })),
            Head::Other => Ok(Some(Note::RawDataAt {
                label: self.label.clone(),
                start_lba,
            })),
        }
    }
}

/// The refusal of what is not a file: a directory's or a pipe's length is no image's.
pub(super) fn not_an_image(path: &Path, meta: &std::fs::Metadata) -> Option<BurnError> {
    (!meta.is_file()).then(|| BurnError::NotAnImageFile {
        path: path.to_path_buf(),
        what: if meta.is_dir() {
            "a directory"
        } else {
            "not a regular file (a pipe, socket or device)"
        },
    })
}

/// Opens an image file and reads its first, 16th and last sectors, so an
/// unreadable image is refused before FORMAT UNIT, RESERVE TRACK or a mode
/// page changes the medium.
pub(super) fn open_image(path: &Path, sectors: u64) -> Result<(File, Head), BurnError> {
    let unreadable = |why: String| BurnError::source(path, io::Error::other(why));
    let mut file = File::open(path).map_err(|e| BurnError::source(path, e))?;
    let meta = file.metadata().map_err(|e| BurnError::source(path, e))?;
    if let Some(e) = not_an_image(path, &meta) {
        return Err(e);
    }
    if meta.len() != sectors * 2048 {
        return Err(unreadable(format!(
            "its size changed from {} to {} bytes since it was measured",
            sectors * 2048,
            meta.len()
        )));
    }
    let mut sector = vec![0u8; 2048];
    let mut read_at = |file: &mut File, at: u64, what: &str| {
        file.seek(SeekFrom::Start(at * 2048))
            .and_then(|_| file.read_exact(&mut sector))
            .map_err(|e| unreadable(format!("reading its {what} sector ({at}) failed: {e}")))
    };
    read_at(&mut file, 0, "first")?;
    read_at(&mut file, sectors - 1, "last")?;
    let head = if sectors >= HEAD_SECTORS as u64 {
        read_at(&mut file, 16, "volume descriptor")?;
        Head::of(&sector)
    } else {
        Head::Other
    };
    file.seek(SeekFrom::Start(0))
        .map_err(|e| BurnError::source(path, e))?;
    Ok((file, head))
}

/// Reads a stream's first [`HEAD_SECTORS`] sectors to look at its volume
/// descriptor, and gives them back in front of the rest.
pub(super) fn peek_head(
    mut reader: Box<dyn Read + Send>,
    label: &str,
) -> Result<(Box<dyn Read + Send>, Head), BurnError> {
    let mut head = vec![0u8; HEAD_SECTORS * 2048];
    let mut got = 0;
    while got < head.len() {
        match reader.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(BurnError::source(Path::new(label), e)),
        }
    }
    if got == 0 {
        return Err(BurnError::source(
            Path::new(label),
            io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the stream is empty: there is nothing to write",
            ),
        ));
    }
    head.truncate(got);
    let kind = head.get(16 * 2048..).map_or(Head::Other, Head::of);
    Ok((Box::new(io::Cursor::new(head).chain(reader)), kind))
}

/// An open-ended stream's reader: a last partial sector is completed with
/// zeros (counted in `padded`), so the track ends on a sector boundary.
pub(super) struct SectorPad {
    pub(super) inner: Box<dyn Read + Send>,
    pub(super) seen: u64,
    pub(super) padding: usize,
    pub(super) padded: Arc<AtomicU64>,
}

impl Read for SectorPad {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.padding > 0 {
            let n = self.padding.min(buf.len());
            buf[..n].fill(0);
            self.padding -= n;
            return Ok(n);
        }
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() && !self.seen.is_multiple_of(2048) {
            let missing = 2048 - (self.seen % 2048) as usize;
            self.padded.store(missing as u64, Ordering::SeqCst);
            self.seen += missing as u64;
            self.padding = missing;
            return self.read(buf);
        }
        self.seen += n as u64;
        Ok(n)
    }
}

pub(super) fn burn_locked(
    run: &mut Operation<'_>,
    input: Input,
    before: &Medium,
    mut plan: prepare::Plan,
    opts: &BurnOptions,
) -> Result<BurnReport, BurnError> {
    let rec = run.rec;
    let open_ended = input.open_ended();
    let planned = input.sectors + input.pad;
    // FORMAT / RESERVE / mode page / speed.
    prepare::prepare(run, before, &mut plan, planned, opts)?;
    if let Some(start) = input.folder_start {
        // Formatting or reserving a track may move the start; a folder's
        // addresses are fixed.
        check_folder_lba(start, plan.start_lba)?;
    }
    // So may an image's: check again where it will really go.
    input.check_start(plan.start_lba, before)?;
    run.check_cancel()?;

    // The write.
    run.phase(BurnPhase::WritingData);
    let Input {
        reader,
        label,
        image_path,
        rewrite,
        stream,
        ..
    } = input;
    // An open-ended stream may fill what is free; it ends the track where it ends.
    let sectors = if open_ended { plan.free } else { planned };
    let (reader, sha256): (Box<dyn Read + Send>, _) = if opts.sha256 {
        let tap = Sha256Tap::new(reader);
        let handle = tap.handle();
        (Box::new(tap), Some(handle))
    } else {
        (reader, None)
    };
    let hashing = HashingReader::new(reader, sectors, 2048);
    let digest_handle = hashing.handle();
    let engine = WriteEngine::with_recorder(Arc::clone(rec), 2048)
        .map_err(|e| BurnError::device("setting up the write engine", e))?;
    engine
        .set_use_streaming_write12(opts.streaming)
        .map_err(|e| BurnError::device("setting up the write engine", e))?;
    if let Some(bytes) = opts.system_buffer {
        engine
            .set_system_buffer_size(bytes)
            .map_err(|e| BurnError::device("setting up the write engine", e))?;
    }
    if let Some(block) = prepare::write_blocking(before.profile) {
        // Whole blocks per WRITE: the largest transfer rounded down to them. With the
        // start and the length padded to them as well, no WRITE ends mid-block.
        let most = rec.maximum_page_aligned_transfer_size() / 2048 / block * block;
        engine
            .set_max_sectors_per_write(Some(most.max(block)))
            .map_err(|e| BurnError::device("setting up the write engine", e))?;
    }
    engine.set_cancel_token(run.cancel.clone());
    let updates = engine.subscribe();
    let write_started = run.now();
    let start = i32::try_from(plan.start_lba)
        .map_err(|_| BurnError::Unsupported("start address beyond 2^31".into()))?;
    let count = i32::try_from(sectors)
        .map_err(|_| BurnError::Unsupported("image larger than 2^31 sectors".into()))?;
    let mut mins = Mins::default();
    let mut last_update = None;
    // An open-ended stream's end reads as the engine's "failed" event: held back
    // until it is known whether that was the end of the stream.
    let mut held_final: Option<Update> = None;
    run.written_up_to = Some(start - 1);
    let result = std::thread::scope(|s| {
        let writer = s.spawn(|| engine.write_section(hashing, start, count));
        // Forward events until the engine finishes (the channel stays open
        // while the engine lives, so poll the join state).
        loop {
            match updates.recv_timeout(Duration::from_millis(50)) {
                Ok(u) if open_ended && u.phase == crate::engine::Phase::Failed => {
                    held_final = Some(u);
                }
                Ok(u) => {
                    mins.track(&u);
                    (run.on_event)(&BurnEvent::Write(u.clone()));
                    last_update = Some(u);
                }
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                    if writer.is_finished() {
                        break;
                    }
                }
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
            }
        }
        let r = writer.join().unwrap_or_else(|_| {
            Err(Error::new(ErrorKind::Internal(
                "the write engine thread panicked",
            )))
        });
        while let Ok(u) = updates.try_recv() {
            if open_ended && u.phase == crate::engine::Phase::Failed {
                held_final = Some(u);
                continue;
            }
            mins.track(&u);
            (run.on_event)(&BurnEvent::Write(u.clone()));
            last_update = Some(u);
        }
        r
    });
    // The stream's end, as the end of a section of the sectors that came.
    let ended = |u: Update, sectors: u64| Update {
        phase: crate::engine::Phase::Finished,
        sector_count: i32::try_from(sectors).unwrap_or(i32::MAX),
        ..u
    };
    let write_time = run.now().saturating_sub(write_started);
    let mut sectors = sectors;
    match result {
        Ok(u) => {
            run.written_up_to = Some(u.last_written_lba);
            last_update = Some(u)
        }
        // An open-ended stream ended: the track ends where it did.
        Err(e)
            if open_ended
                && !run.cancel.is_cancelled()
                && matches!(e.kind(), ErrorKind::SourceExhausted { lba } if *lba > start) =>
        {
            if let ErrorKind::SourceExhausted { lba } = e.kind() {
                sectors = u64::from(lba.abs_diff(start));
                run.written_up_to = Some(lba - 1);
            }
            if let Some(u) = held_final.take().map(|u| ended(u, sectors)) {
                (run.on_event)(&BurnEvent::Write(u.clone()));
                last_update = Some(u);
            }
            let padded = stream.as_ref().map_or(0, |(_, p)| p.load(Ordering::SeqCst));
            run.note(Note::StreamEnded {
                label: label.clone(),
                // `planned` is the padding alone here: it follows the stream's data.
                sectors: sectors.saturating_sub(planned),
                track_sectors: sectors,
                padded_bytes: padded,
            });
        }
        Err(e) => {
            if let Some(u) = held_final.take() {
                (run.on_event)(&BurnEvent::Write(u.clone()));
                last_update = Some(u);
            }
            run.written_up_to = e
                .last_written_lba()
                .or_else(|| last_update.as_ref().map(|u| u.last_written_lba));
            if matches!(e.kind(), ErrorKind::Abandoned(_)) {
                return Err(BurnError::device("cancelling the write", e));
            }
            if e.is_cancelled() || run.cancel.is_cancelled() {
                return Err(BurnError::Cancelled {
                    last_written_lba: e
                        .last_written_lba()
                        .or_else(|| last_update.as_ref().map(|u| u.last_written_lba)),
                });
            }
            // Leave the drive sane: flush what it holds before reporting.
            let _ = ops::synchronize_cache(rec, &CancelToken::new(), &mut |_| {});
            return Err(match e.kind() {
                ErrorKind::SourceExhausted { lba } if stream.is_some() => BurnError::StreamShort {
                    label,
                    arrived: u64::from(lba.abs_diff(start)),
                    expected: sectors,
                    start_lba: plan.start_lba,
                },
                ErrorKind::Source(_) | ErrorKind::SourceExhausted { .. } => BurnError::Source {
                    path: image_path.unwrap_or_else(|| PathBuf::from("the image")),
                    source: io::Error::other(e.to_string()),
                },
                _ => BurnError::device("writing", e),
            });
        }
    }

    // Flush and close.
    run.phase(BurnPhase::Synchronizing);
    ops::synchronize_cache(rec, run.cancel, run.on_event)
        .map_err(|e| BurnError::device("flushing the drive's buffer (SYNCHRONIZE CACHE)", e))?;
    if let Some((lba, data)) = &rewrite {
        // Only now that the session is on the disc does the volume point at it.
        run.check_cancel()?;
        update_volume(run, &engine, &updates, *lba, data)?;
    }
    // A cancel before the close leaves the data flushed and the disc open; one during
    // it cannot stop it (the close runs to its end, see `ops::OnCancel`).
    run.check_cancel()?;
    let closing = prepare::close(run, before, &plan, opts)?;
    let cancelled_in_close = run.cancel.is_cancelled();
    if cancelled_in_close {
        run.note(Note::CancelledInClose {
            sectors,
            closing,
            verify_skipped: opts.verify,
        });
    }

    // Did it really happen?
    run.phase(BurnPhase::ValidatingMedia);
    let after = medium::inspect(rec).map_err(|e| {
        BurnError::Unconfirmed(format!(
            "re-reading the disc after writing and closing it failed: {e}"
        ))
    })?;
    if after.disc.is_none() && before.disc.is_some() {
        // inspect tolerates a missing answer; the check after a burn cannot.
        return Err(BurnError::Unconfirmed(
            "the drive did not answer READ DISC INFORMATION after the burn (the log has its answer)"
                .into(),
        ));
    }
    check_recorded(Some(&after), before, &plan, sectors, opts)?;
    let after = Some(after);

    // Verify.
    let mut verify_report = None;
    if opts.verify && !opts.test_write && !cancelled_in_close {
        run.phase(BurnPhase::Verifying);
        let digest = if open_ended {
            digest_handle
                .finish_early()
                .filter(|d| d.sectors == sectors)
        } else {
            digest_handle.finish()
        }
        .ok_or_else(|| BurnError::Unsupported("the engine did not read the whole source".into()))?;
        let mut source_file = image_path.as_ref().and_then(|p| File::open(p).ok());
        let report = run_verify(
            run,
            plan.start_lba,
            &digest,
            source_file
                .as_mut()
                .map(|f| f as &mut dyn verify::SourceSectors),
        );
        stopped(&report)?;
        if !report.is_ok() {
            return Err(BurnError::VerifyFailed(Box::new(report)));
        }
        if let Some((lba, data)) = &rewrite {
            check_rewrite(rec, *lba, data)?;
        }
        verify_report = Some(report);
    }
    run.phase(BurnPhase::Completed);
    let phases = run.finish_phases();
    Ok(BurnReport {
        before: before.clone(),
        after,
        start_lba: plan.start_lba,
        sectors,
        last_update,
        min_host_fill: mins.host(),
        min_device_fill: mins.dev,
        write_time,
        total_time: run.now().saturating_sub(run.started),
        phases,
        closing,
        test_write: opts.test_write,
        verify: verify_report,
        speed_kbps: plan.speed_kbps,
        dry_run: false,
        sha256: sha256.map(|h| h.hex()),
    })
}

/// The burn's minimum buffer fills, percent, folded from the engine's events.
#[derive(Debug, Default)]
pub(super) struct Mins {
    /// The host buffer's, counted only once it has been more than half full
    /// (before that it is filling, not starving) and while the source still
    /// has data to deliver.
    pub(super) host: Option<f64>,
    /// The host buffer's over every event after the first WRITE, for a
    /// buffer that never filled (a drive taking data as fast as the source
    /// delivers it still has a real minimum).
    pub(super) host_unprimed: Option<f64>,
    pub(super) host_primed: bool,
    /// The drive's: the engine's minimum, which counts only once the drive
    /// buffer has been seen at least half full.
    pub(super) dev: Option<f64>,
}

impl Mins {
    pub(super) fn track(&mut self, u: &Update) {
        // An event's minimum covers the time since the previous one: it counts only
        // when the buffer was already primed then.
        let primed_before = self.host_primed;
        if u.total_system_buffer > 0 && u.used_system_buffer * 2 > u.total_system_buffer {
            self.host_primed = true;
        }
        // The host buffer drains at the end by design: count it only while the
        // source still had data to deliver.
        let source_left =
            i64::from(u.last_read_lba) < i64::from(u.start_lba) + i64::from(u.sector_count) - 1;
        let h = (u.total_system_buffer > 0)
            .then(|| 100.0 * u.min_used_system_buffer as f64 / u.total_system_buffer as f64);
        if let Some(h) = h {
            if primed_before && u.phase == crate::engine::Phase::Writing && source_left {
                self.host = Some(self.host.map_or(h, |m| m.min(h)));
            }
            if u.sectors_written() > 0 && u.phase != crate::engine::Phase::Starting {
                self.host_unprimed = Some(self.host_unprimed.map_or(h, |m| m.min(h)));
            }
        }
        if let (Some(min), Some(b)) = (u.min_used_device_buffer, u.device_buffer) {
            if b.capacity > 0 {
                let d = 100.0 * min as f64 / b.capacity as f64;
                self.dev = Some(self.dev.map_or(d, |m| m.min(d)));
            }
        }
    }

    pub(super) fn host(&self) -> Option<f64> {
        self.host.or(self.host_unprimed)
    }
}

/// The post-burn check: re-read disc and track information and confirm the
/// disc holds what was written (or, after a Test Write, is still blank).
pub(super) fn check_recorded(
    after: Option<&Medium>,
    before: &Medium,
    plan: &prepare::Plan,
    sectors: u64,
    opts: &BurnOptions,
) -> Result<(), BurnError> {
    let Some(after) = after else {
        return Err(BurnError::NotRecorded(
            "the drive no longer answers READ DISC INFORMATION after the burn".into(),
        ));
    };
    if before.recording != Recording::Sequential {
        // Random-access media look the same before and after; verify reads back.
        return Ok(());
    }
    if opts.test_write {
        if before.is_blank() && !after.is_blank() {
            return Err(BurnError::NotRecorded(
                "a Test Write changed the disc: it is no longer blank".into(),
            ));
        }
        return Ok(());
    }
    if after.is_blank() {
        return Err(BurnError::NotRecorded(format!(
            "the disc is still blank after writing {sectors} sectors"
        )));
    }
    // The track now holding the start LBA must cover every sector written.
    if let Some(t) = after.tracks.iter().find(|t| {
        !t.blank
            && t.start <= plan.start_lba
            && plan.start_lba < t.start.saturating_add(t.size.max(1))
    }) {
        let end = u64::from(t.start) + u64::from(t.size);
        let want = u64::from(plan.start_lba) + sectors;
        if t.size > 0 && end < want {
            return Err(BurnError::NotRecorded(format!(
                "track {} ends at sector {end} but {sectors} sectors were written from {}",
                t.number, plan.start_lba
            )));
        }
    }
    Ok(())
}
