//! One `write_section`: pre-flight, the reader thread, the writer loop, events, cancel.
//!
//! The writer works in *rounds*. A round is one WRITE, or — when the transport keeps
//! several commands outstanding (`Limits::max_in_flight > 1`, the iSCSI initiator) — a
//! batch of up to that many WRITEs of consecutive pieces, in LBA order, sent through
//! `Transport::execute_queue`. Each WRITE is sized so the round drains within
//! `Timing::write_latency_budget` at the expected rate; cancel, the watchdog and events
//! are handled between rounds and inside waits, which bounds cancel latency.
//!
//! After a round the engine counts as written only the GOOD prefix of its results: a
//! failed WRITE's blocks are not written, and nothing after it counts either — the last
//! LBA written is the end of the contiguous GOOD prefix. On sequential media a WRITE
//! after a failed one cannot succeed (its LBA is no longer the next writable address);
//! on random-access media a pipelining transport may report it GOOD, and those blocks
//! are then simply written again when the engine retries from the first block not
//! written (NOT READY / LONG WRITE IN PROGRESS: after the drain wait), or left out of
//! the reported last LBA when the failure ends the section — a conservative figure,
//! never one past data the drive refused.

use std::collections::VecDeque;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TryRecvError};
use discburn_mmc::clock::Clock;
use discburn_mmc::profile::MediaFamily;
use discburn_mmc::rw::{SynchronizeCache10, Write10, Write12};
use discburn_mmc::sense::SenseClass;
use discburn_mmc::transport::{DataPhase, Request};
use discburn_mmc::{Cdb, Command};

use super::events::{DeviceBuffer, Phase, Update};
use super::pacing::{RateModel, Timing, WriteGeometry, SLOWEST_PLAUSIBLE_SPS};
use super::pool::{self, AlignedBuf, Filled, ReadProgress, SourceEnd};
use super::{check_sector_fits, CancelToken, Settings, UpdateCallback, WriteEngine};
use crate::error::{Error, ErrorKind, Result};
use crate::recorder::{invalid, Recorder, DEFAULT_COMMAND_TIMEOUT};

/// Bytes sent after which the drive buffer is assumed to have filled once even if no
/// other sign showed it (twice the largest drive buffer in the field, 8 MiB).
const ASSUME_FILLED_AFTER: u64 = 16 << 20;

/// Most WRITEs in one pipelined round (the requests live on the stack).
const MAX_BATCH: usize = 16;

pub(super) fn write<R: Read + Send>(
    engine: &WriteEngine,
    s: &Settings,
    token: &CancelToken,
    source: R,
    start: i32,
    count: i32,
) -> Result<Update> {
    let recorder = s
        .recorder
        .clone()
        .ok_or_else(|| Error::new(ErrorKind::RecorderRequired))?;
    if s.bytes_per_sector < 1 {
        return Err(invalid(
            "BytesPerSector must be set before WriteSection (the logical block size)",
        ));
    }
    check_sector_fits(s.bytes_per_sector, Some(&recorder))?;
    if count < 1 {
        return Err(invalid(format!(
            "number of blocks must be positive, got {count}"
        )));
    }
    if start.checked_add(count - 1).is_none() {
        return Err(invalid(format!(
            "LBA {start} + {count} blocks overflows the 32-bit address"
        )));
    }
    let bps = s.bytes_per_sector as u32;
    let clock = s.clock.clone().unwrap_or_else(|| recorder.clock().clone());
    let write12 = s.use_streaming_write12;

    let mut chunk_sectors = recorder.maximum_page_aligned_transfer_size() / bps;
    if !write12 {
        chunk_sectors = chunk_sectors.min(u32::from(u16::MAX));
    }
    if let Some(cap) = s.max_sectors_per_write {
        chunk_sectors = chunk_sectors.min(cap);
    }
    chunk_sectors = chunk_sectors.min(count as u32).max(1);
    let chunk_bytes = chunk_sectors as usize * bps as usize;
    let chunks_needed = (count as u32).div_ceil(chunk_sectors) as usize;
    let nbufs = (s.system_buffer_size / chunk_bytes)
        .max(2)
        .min(chunks_needed)
        .max(1);
    let align = recorder.byte_alignment_mask() as usize;
    let geometry = WriteGeometry::new(chunk_sectors, bps, align as u32);
    let in_flight = recorder.limits().max_in_flight.clamp(1, MAX_BATCH);
    let mut bufs: Vec<AlignedBuf> = engine
        .take_pool()
        .into_iter()
        .filter(|b| b.fits(chunk_bytes, align))
        .take(nbufs)
        .collect();
    while bufs.len() < nbufs {
        bufs.push(AlignedBuf::new(chunk_bytes, align));
    }

    let t0 = clock.now();
    let read = ReadProgress::default();
    let mut callback = std::mem::take(&mut *super::lock(&engine.callback));
    let mut run = SectionWriter {
        engine,
        callback: &mut callback,
        recorder: &recorder,
        clock: &*clock,
        timing: s.timing,
        token,
        start,
        count,
        bps,
        write12,
        rate: RateModel::new(i64::from(start), count as u64, None, None),
        one_x_sps: None,
        timeout: DEFAULT_COMMAND_TIMEOUT,
        t0,
        first_write_at: None,
        filled_at: None,
        written: 0,
        read: &read,
        total_buffer: (nbufs * chunk_bytes) as u64,
        chunk_bytes: chunk_bytes as u64,
        geometry,
        in_flight,
        drain_sps: None,
        throttled: false,
        held_start: 0,
        seq: 0,
        next_event_at: t0,
        last_event_at: t0,
        last_event_written: 0,
        min_used_host: u64::MAX,
        min_used_dev: None,
        device_held: false,
        device_buffer: None,
        poll: Poll::NotYet,
        bytes_sent: 0,
        next_poll_at: t0,
        busy: 0,
        aborted_retry_at: None,
        last_progress_at: t0,
        phase: Phase::Starting,
        commands_sent: false,
    };
    let result = run.go(s, source, bufs);
    // Put the callback back unless the user installed a new one meanwhile.
    let mut slot = super::lock(&engine.callback);
    if slot.is_none() {
        *slot = callback;
    }
    result
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Poll {
    /// The drive buffer has not filled yet: READ BUFFER CAPACITY is not sent.
    NotYet,
    /// Polling at the drive-safe period.
    Active,
    /// The drive refused READ BUFFER CAPACITY; not asked again.
    Unsupported,
}

/// One WriteSection call in progress: the engine, the section and its write loop state.
struct SectionWriter<'a> {
    engine: &'a WriteEngine,
    callback: &'a mut Option<UpdateCallback>,
    recorder: &'a Arc<Recorder>,
    clock: &'a dyn Clock,
    timing: Timing,
    token: &'a CancelToken,
    start: i32,
    count: i32,
    bps: u32,
    write12: bool,
    rate: RateModel,
    one_x_sps: Option<f64>,
    timeout: Duration,
    t0: Duration,
    first_write_at: Option<Duration>,
    /// When the drive buffer first showed full (a WRITE held back for room, a busy
    /// answer) and the sectors written before: the start of the average speed.
    filled_at: Option<(Duration, u64)>,
    written: u64,
    read: &'a ReadProgress,
    total_buffer: u64,
    chunk_bytes: u64,
    /// How WRITEs cut the host buffers.
    geometry: WriteGeometry,
    /// WRITEs per round (1 unless the transport pipelines).
    in_flight: usize,
    /// Rate observed from rounds the drive held back (its buffer full): what the drive
    /// really drains at, used to size WRITEs when it is below the expected rate.
    drain_sps: Option<f64>,
    /// The drive has held a round back (about its drain time) or answered busy: it
    /// writes at a medium's pace, so the expected rate sizes WRITEs.
    throttled: bool,
    /// Section sector index of the first sector of the oldest held buffer.
    held_start: u64,
    seq: u64,
    next_event_at: Duration,
    last_event_at: Duration,
    last_event_written: u64,
    min_used_host: u64,
    min_used_dev: Option<u64>,
    /// A READ BUFFER CAPACITY answer has shown the drive buffer at least half full:
    /// from then on a low fill means the drive is starving. Before (a drive recording
    /// as fast as it is fed, an unthrottled image) an empty buffer means nothing.
    device_held: bool,
    device_buffer: Option<DeviceBuffer>,
    poll: Poll,
    bytes_sent: u64,
    next_poll_at: Duration,
    busy: u64,
    /// The section sector at which a WRITE answered ABORTED COMMAND and was sent again
    /// (MMC practice: retry an aborted command once, then report it).
    aborted_retry_at: Option<u64>,
    last_progress_at: Duration,
    phase: Phase,
    commands_sent: bool,
}

impl SectionWriter<'_> {
    fn go<R: Read + Send>(
        &mut self,
        s: &Settings,
        source: R,
        bufs: Vec<AlignedBuf>,
    ) -> Result<Update> {
        let n = bufs.len();
        let (free_tx, free_rx) = crossbeam_channel::bounded::<AlignedBuf>(n);
        let (filled_tx, filled_rx) = crossbeam_channel::bounded::<Filled>(n);
        for b in bufs {
            let _ = free_tx.send(b);
        }
        let stop = AtomicBool::new(false);
        // Buffers received from the reader and not yet wholly written, oldest first. It
        // can hold every buffer of the pool, so it never grows.
        let mut held: VecDeque<Filled> = VecDeque::with_capacity(n);

        let outcome = if self.token.is_cancelled() {
            Err(Error::new(ErrorKind::Cancelled))
        } else {
            self.preflight(s);
            self.emit(Phase::Starting);
            let chunk_sectors = (self.chunk_bytes / u64::from(self.bps)) as u32;
            std::thread::scope(|scope| {
                let read = self.read;
                let free_rx_r = &free_rx;
                let stop_r = &stop;
                let total = self.count as u64;
                let bps = self.bps as usize;
                scope.spawn(move || {
                    pool::read_source(
                        source,
                        total,
                        bps,
                        chunk_sectors,
                        free_rx_r,
                        &filled_tx,
                        read,
                        stop_r,
                    );
                });
                let r = self.main_loop(&filled_rx, &free_tx, &mut held);
                stop.store(true, Ordering::SeqCst);
                r
            })
        };

        // Reclaim every buffer for the next section.
        let mut back: Vec<AlignedBuf> = free_rx.try_iter().collect();
        back.extend(held.drain(..).map(|f| f.buf));
        back.extend(filled_rx.try_iter().map(|f| f.buf));
        self.engine.return_pool(back);

        let last = self.last_written_lba();
        match outcome {
            Ok(()) => Ok(self.emit(Phase::Finished)),
            Err(e) if e.is_cancelled() => {
                if self.commands_sent {
                    self.emit(Phase::Synchronizing);
                    // Immed: the drive flushes in the background, so cancel returns at
                    // once; the caller polls TEST UNIT READY before its next step. Sent
                    // from a thread of its own: a drive that hangs in it is left to it
                    // on a further cancel request, with the error saying so.
                    let sync = SynchronizeCache10 {
                        immed: true,
                        lba: 0,
                        blocks: 0,
                    };
                    let (rec, timeout) = (Arc::clone(self.recorder), self.timeout);
                    let token = self.token.clone();
                    let sent = super::cancel::run_watched(
                        move || rec.command(&sync, DataPhase::None, timeout),
                        || !token.is_waiting_stopped(),
                    );
                    match sent {
                        Some(Ok(_)) => {}
                        Some(Err(err)) => {
                            tracing::warn!(%err, "SYNCHRONIZE CACHE after cancel failed")
                        }
                        None => {
                            self.emit(Phase::Cancelled);
                            return Err(Error::new(ErrorKind::Abandoned(
                                "flushing its buffer to the disc (SYNCHRONIZE CACHE after the cancel)",
                            ))
                            .with_last_written_lba(last));
                        }
                    }
                }
                self.emit(Phase::Cancelled);
                Err(e.with_last_written_lba(last))
            }
            Err(e) => {
                self.emit(Phase::Failed);
                Err(e.with_last_written_lba(last))
            }
        }
    }

    /// What the engine learns before writing: the medium's 1x (for "×" figures) and,
    /// for −1 speeds, the drive's nominal write performance across the section.
    fn preflight(&mut self, s: &Settings) {
        let family = self
            .recorder
            .current_profile()
            .ok()
            .map(|p| p.family())
            .filter(|f| *f != MediaFamily::Other);
        self.one_x_sps = family.and_then(|f| f.one_x_sectors_per_second());
        let explicit = |v: i32| (v > 0).then_some(f64::from(v));
        let (mut start_sps, mut end_sps) = (
            explicit(s.starting_sectors_per_second),
            explicit(s.ending_sectors_per_second),
        );
        if start_sps.is_none() || end_sps.is_none() {
            let first = i64::from(self.start);
            let last = first + i64::from(self.count) - 1;
            if let Ok(Some((a, b))) = self.recorder.nominal_write_rate(family, first, last) {
                start_sps = start_sps.or(Some(a));
                end_sps = end_sps.or(Some(b));
            }
        }
        self.rate = RateModel::new(i64::from(self.start), self.count as u64, start_sps, end_sps);
        let slowest = self.rate.slowest().unwrap_or(SLOWEST_PLAUSIBLE_SPS);
        // A pipelined WRITE may wait behind the others of its round at the drive.
        self.timeout = self.timing.command_timeout(
            self.chunk_bytes * self.in_flight as u64,
            slowest * f64::from(self.bps),
        );
    }

    fn main_loop(
        &mut self,
        filled: &Receiver<Filled>,
        free: &Sender<AlignedBuf>,
        held: &mut VecDeque<Filled>,
    ) -> Result<()> {
        self.phase = Phase::Writing;
        let mut consecutive = 0u32;
        loop {
            // Hand wholly written buffers back to the reader; a short or failed source
            // ends the section once everything it delivered is written.
            while held
                .front()
                .is_some_and(|f| self.written >= self.held_start + u64::from(f.sectors))
            {
                let Some(f) = held.pop_front() else { break };
                self.held_start += u64::from(f.sectors);
                let _ = free.send(f.buf);
                match f.end {
                    None => {}
                    Some(SourceEnd::Eof) => {
                        return Err(Error::new(ErrorKind::SourceExhausted {
                            lba: self.next_lba(),
                        }))
                    }
                    Some(SourceEnd::Error(e)) => return Err(Error::new(ErrorKind::Source(e))),
                }
            }
            if self.written >= self.count as u64 {
                return Ok(());
            }
            self.check_cancel()?;
            self.check_watchdog()?;
            if held.is_empty() {
                let f = self.next_filled(filled)?;
                held.push_back(f);
                continue;
            }
            // Take whatever else the reader has ready, without waiting for it.
            while let Ok(f) = filled.try_recv() {
                held.push_back(f);
            }
            if self.round(held, &mut consecutive)? {
                consecutive = 0;
            }
        }
    }

    /// Sends one round of WRITEs cut from `held`, starting at the first sector not yet
    /// written. Returns whether any sector was written; waits (cancellably) when the
    /// drive answered NOT READY / LONG WRITE IN PROGRESS; any other failure is the error.
    fn round(&mut self, held: &VecDeque<Filled>, consecutive: &mut u32) -> Result<bool> {
        let bps = self.bps as usize;
        let lba0 = self.next_lba_i64();
        let size =
            self.timing
                .sectors_per_write(self.geometry, self.sizing_sps(lba0), self.in_flight);
        // (held index, first sector in that buffer, sectors) of each WRITE.
        let mut pieces = [(0usize, 0u32, 0u32); MAX_BATCH];
        let mut n = 0;
        let (mut idx, mut off) = (0, (self.written - self.held_start) as u32);
        while n < self.in_flight && idx < held.len() {
            let have = held[idx].sectors;
            if off >= have {
                (idx, off) = (idx + 1, 0);
                continue;
            }
            let len = size.min(have - off);
            pieces[n] = (idx, off, len);
            n += 1;
            off += len;
        }
        let data = |(i, off, len): (usize, u32, u32)| {
            &held[i].buf.as_slice()[off as usize * bps..(off + len) as usize * bps]
        };
        let mut lba = lba0;
        let mut cdbs = [Write10::default().emit(); MAX_BATCH];
        for (cdb, &(_, _, len)) in cdbs.iter_mut().zip(&pieces[..n]) {
            *cdb = self.write_cdb(lba as u32, len);
            lba += i64::from(len);
        }
        self.commands_sent = true;
        let sent_at = self.clock.now();
        // Sectors of the GOOD prefix, and the first failure with its piece.
        let mut good = 0u32;
        let mut failure: Option<(Error, u32)> = None;
        if n == 1 {
            // One WRITE: the plain path, which allocates nothing.
            let r = self
                .recorder
                .execute(&cdbs[0], DataPhase::Out(data(pieces[0])), self.timeout);
            match r {
                Ok(_) => good = pieces[0].2,
                Err(e) => failure = Some((e, pieces[0].2)),
            }
        } else {
            let timeout = self.timeout;
            let mut reqs: [Request<'_>; MAX_BATCH] = std::array::from_fn(|i| {
                if i < n {
                    Request::data_out(cdbs[i].as_bytes(), data(pieces[i]), timeout)
                } else {
                    Request::none(cdbs[i].as_bytes(), timeout)
                }
            });
            let results = self.recorder.execute_queue(&mut reqs[..n])?;
            for (r, &(_, _, len)) in results.into_iter().zip(&pieces[..n]) {
                match r {
                    Ok(_) if failure.is_none() => good += len,
                    // GOOD after a failure: not counted (see the module docs).
                    Ok(_) => {}
                    Err(e) => {
                        if failure.is_none() {
                            failure = Some((e, len));
                        }
                    }
                }
            }
        }
        let now = self.clock.now();
        if good > 0 {
            let bytes = u64::from(good) * u64::from(self.bps);
            let took = now - sent_at;
            self.first_write_at.get_or_insert(sent_at);
            self.written += u64::from(good);
            self.bytes_sent += bytes;
            self.last_progress_at = now;
            self.phase = Phase::Writing;
            self.note_throttle(took, bytes, sent_at, u64::from(good));
            if failure.is_none() && took >= self.timing.write_latency_budget / 2 {
                // The drive held this round back for room: its time is the drain time.
                self.drain_sps = Some(f64::from(good) / took.as_secs_f64());
                self.throttled = true;
                self.filled_at
                    .get_or_insert((sent_at, self.written - u64::from(good)));
            }
        }
        self.tick();
        let Some((e, failed_sectors)) = failure else {
            return Ok(true);
        };
        let Some(sense) = e.sense_info() else {
            return Err(e);
        };
        if sense.class() == SenseClass::Aborted && self.aborted_retry_at != Some(self.written) {
            // ABORTED COMMAND (a transfer or parity error on the way): nothing from
            // this WRITE on was recorded, so it is sent again once from the same LBA.
            tracing::warn!(
                "WRITE at LBA {} aborted ({sense}); retrying once",
                self.next_lba()
            );
            self.aborted_retry_at = Some(self.written);
            return Ok(good > 0);
        }
        if !sense.class().is_retryable_wait() {
            return Err(e);
        }
        // The drive is full (2/04/08) or briefly busy: wait for it to drain part of its
        // buffer, then resend from the first sector not written.
        self.busy += 1;
        self.throttled = true;
        self.filled_at.get_or_insert((now, self.written));
        let long_write = sense.class() == SenseClass::LongWriteInProgress;
        if self.poll == Poll::NotYet {
            self.poll = Poll::Active;
        }
        let wait = if long_write {
            let drain = self
                .device_buffer
                .map_or(0, |d| d.capacity / 4)
                .max(u64::from(failed_sectors) * u64::from(self.bps));
            let rate = self
                .expected_sps(self.next_lba_i64())
                .map(|sps| sps * f64::from(self.bps));
            self.timing.busy_wait(drain, rate, *consecutive)
        } else {
            self.timing.busy_wait(0, None, *consecutive)
        };
        *consecutive += 1;
        self.phase = Phase::WaitingForDevice;
        self.wait(wait)?;
        Ok(good > 0)
    }

    fn write_cdb(&self, lba: u32, sectors: u32) -> Cdb {
        if self.write12 {
            Write12 {
                lba,
                blocks: sectors,
                streaming: true,
                ..Write12::default()
            }
            .emit()
        } else {
            Write10 {
                lba,
                blocks: sectors as u16,
                ..Write10::default()
            }
            .emit()
        }
    }

    /// The rate WRITEs are sized for: the expected rate, or the drain rate observed
    /// when the drive has shown it is slower. A device that took more than any drive
    /// buffer without ever holding a round back (an unthrottled image, a RAM-backed
    /// target) is not limited by a medium: it gets whole buffers until it does hold one
    /// back, which sets the drain rate.
    fn sizing_sps(&self, lba: i64) -> Option<f64> {
        if !self.throttled && self.bytes_sent >= ASSUME_FILLED_AFTER {
            return self.drain_sps;
        }
        match (self.expected_sps(lba), self.drain_sps) {
            (Some(e), Some(d)) => Some(e.min(d)),
            (e, d) => e.or(d),
        }
    }

    /// The next filled buffer, waiting (cancellably, with events) while the source is
    /// behind.
    fn next_filled(&mut self, filled: &Receiver<Filled>) -> Result<Filled> {
        match filled.try_recv() {
            Ok(f) => return Ok(f),
            Err(TryRecvError::Disconnected) => return Err(reader_gone()),
            Err(TryRecvError::Empty) => {}
        }
        let before = self.phase;
        self.phase = Phase::WaitingForSource;
        let r = loop {
            self.check_cancel()?;
            self.tick();
            match filled.recv_timeout(self.timing.wait_slice) {
                Ok(f) => break Ok(f),
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => break Err(reader_gone()),
            }
        };
        self.phase = before;
        r
    }

    /// A WRITE that took at least half its expected drain time means the drive was
    /// throttling us, i.e. its buffer had filled: device-buffer polling may start.
    /// `sent_at` and `sectors` are the round's, already counted as written.
    fn note_throttle(&mut self, took: Duration, bytes: u64, sent_at: Duration, sectors: u64) {
        let expected = self
            .expected_sps(self.next_lba_i64())
            .map(|sps| bytes as f64 / (sps * f64::from(self.bps)));
        let throttled = expected.is_some_and(|t| t > 0.0 && took.as_secs_f64() >= t / 2.0);
        self.throttled |= throttled;
        if throttled {
            self.filled_at
                .get_or_insert((sent_at, self.written - sectors));
        }
        if self.poll == Poll::NotYet && (throttled || self.bytes_sent >= ASSUME_FILLED_AFTER) {
            self.poll = Poll::Active;
        }
    }

    /// Waits `d` in slices, checking cancel, the watchdog and the event timer.
    fn wait(&mut self, d: Duration) -> Result<()> {
        let end = self.clock.now() + d;
        loop {
            self.check_cancel()?;
            self.tick();
            let now = self.clock.now();
            if now >= end {
                return Ok(());
            }
            self.check_watchdog()?;
            self.clock.sleep((end - now).min(self.timing.wait_slice));
        }
    }

    fn check_cancel(&self) -> Result<()> {
        if self.token.is_cancelled() {
            Err(Error::new(ErrorKind::Cancelled))
        } else {
            Ok(())
        }
    }

    fn check_watchdog(&self) -> Result<()> {
        let idle = self.clock.now().saturating_sub(self.last_progress_at);
        if idle >= self.timing.no_progress_timeout {
            Err(Error::new(ErrorKind::NoProgress(idle)))
        } else {
            Ok(())
        }
    }

    fn next_lba(&self) -> i32 {
        (i64::from(self.start) + self.written as i64) as i32
    }

    fn next_lba_i64(&self) -> i64 {
        i64::from(self.start) + self.written as i64
    }

    fn last_written_lba(&self) -> i32 {
        (i64::from(self.start) + self.written as i64 - 1) as i32
    }

    fn used_host(&self) -> u64 {
        let read = self.read.sectors.load(Ordering::SeqCst);
        read.saturating_sub(self.written) * u64::from(self.bps)
    }

    /// The average rate the drive records at. Until its buffer fills, a drive accepts
    /// data far faster than it records it (the fill itself), so counting from the first
    /// WRITE would credit the buffer's contents as recorded at once (a 3x drive read
    /// 4x on a short burn). Once the buffer has filled, what the drive accepts is what it
    /// records: the average counts from then. A drive that never fills (records as fast
    /// as it is fed) is averaged from the first WRITE.
    fn average_sps(&self, now: Duration) -> f64 {
        let from = self
            .filled_at
            .or_else(|| self.first_write_at.map(|t| (t, 0)));
        match from {
            Some((t, base)) if now > t => {
                self.written.saturating_sub(base) as f64 / (now - t).as_secs_f64()
            }
            _ => 0.0,
        }
    }

    fn expected_sps(&self, lba: i64) -> Option<f64> {
        self.rate.expected_at(lba).or_else(|| {
            let avg = self.average_sps(self.clock.now());
            (avg > 0.0).then_some(avg)
        })
    }

    /// Samples minimum fills, polls the drive buffer when due, and emits a periodic
    /// event when due.
    fn tick(&mut self) {
        self.min_used_host = self.min_used_host.min(self.used_host());
        let now = self.clock.now();
        if self.poll == Poll::Active && now >= self.next_poll_at {
            self.next_poll_at = now + self.timing.device_buffer_poll_period;
            match self.recorder.buffer_capacity() {
                Ok((capacity, free)) => {
                    let d = DeviceBuffer {
                        capacity,
                        free,
                        sampled_at: now - self.t0,
                    };
                    self.device_held |= d.capacity > 0 && d.used() * 2 >= d.capacity;
                    if self.device_held {
                        self.min_used_dev =
                            Some(self.min_used_dev.map_or(d.used(), |m| m.min(d.used())));
                    }
                    self.device_buffer = Some(d);
                }
                Err(err) => {
                    tracing::debug!(%err, "READ BUFFER CAPACITY refused; not polling again");
                    self.poll = Poll::Unsupported;
                }
            }
        }
        if now >= self.next_event_at {
            self.emit(self.phase);
        }
    }

    fn emit(&mut self, phase: Phase) -> Update {
        let now = self.clock.now();
        // One load of the reader's count: LastReadLba and the buffer fill of one event
        // must describe the same instant (the reader thread keeps moving).
        let read = self.read.sectors.load(Ordering::SeqCst);
        let used = read.saturating_sub(self.written) * u64::from(self.bps);
        let since = now.saturating_sub(self.last_event_at).as_secs_f64();
        let current = if since > 0.0 {
            (self.written - self.last_event_written) as f64 / since
        } else {
            0.0
        };
        let average = self.average_sps(now);
        let next = self.next_lba_i64();
        let end = i64::from(self.start) + i64::from(self.count);
        let remaining = if self.written >= self.count as u64 {
            Some(Duration::ZERO)
        } else {
            self.rate.time_for(next, end).or_else(|| {
                // try_: a near-zero measured average must not overflow a Duration.
                Duration::try_from_secs_f64((end - next) as f64 / average).ok()
            })
        };
        let x = |sps: f64| self.one_x_sps.map(|one| sps / one);
        let u = Update {
            sequence: self.seq,
            phase,
            start_lba: self.start,
            sector_count: self.count,
            last_read_lba: (i64::from(self.start) + read as i64 - 1) as i32,
            last_written_lba: self.last_written_lba(),
            total_system_buffer: self.total_buffer,
            used_system_buffer: used,
            free_system_buffer: self.total_buffer.saturating_sub(used),
            min_used_system_buffer: self.min_used_host.min(used),
            device_buffer: self.device_buffer,
            min_used_device_buffer: self.min_used_dev,
            bytes_per_sector: self.bps,
            current_sectors_per_second: current,
            average_sectors_per_second: average,
            current_speed_x: x(current),
            average_speed_x: x(average),
            expected_sectors_per_second: self.expected_sps(next),
            command_timeout: self.timeout,
            elapsed: now.saturating_sub(self.t0),
            remaining,
            device_busy_count: self.busy,
        };
        self.seq += 1;
        self.last_event_at = now;
        self.last_event_written = self.written;
        self.next_event_at = now + self.timing.event_period;
        self.min_used_host = u64::MAX;
        self.min_used_dev = None;
        self.engine.emit(self.callback, &u);
        u
    }
}

fn reader_gone() -> Error {
    Error::new(ErrorKind::Source(std::io::Error::other(
        "the source reader stopped unexpectedly",
    )))
}
