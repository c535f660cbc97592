//! One `write_section`: pre-flight, the reader thread, and the thin I/O loop that runs
//! the write loop's decisions ([`WriterCore`], engine/writer.rs) against the recorder,
//! the clock and the reader's channel; events and cancel.
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

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TryRecvError};
use discburn_mmc::clock::Clock;
use discburn_mmc::profile::MediaFamily;
use discburn_mmc::speed::{ReadBufferCapacity, BUFFER_CAPACITY_LEN};
use discburn_mmc::transport::{DataPhase, Request};

use super::events::{Phase, Update};
use super::pool::{self, AlignedBuf, Filled, ReadProgress};
use super::writer::{Action, Completion, Received, Section, WriterCore, MAX_BATCH};
use super::{check_sector_fits, CancelToken, Settings, UpdateCallback, WriteEngine};
use crate::error::{Error, ErrorKind, Result};
use crate::recorder::{invalid, Recorder};

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
    let mut bufs: Vec<AlignedBuf> = engine
        .take_pool()
        .into_iter()
        .filter(|b| pool::fits(b, chunk_bytes, align))
        .take(nbufs)
        .collect();
    while bufs.len() < nbufs {
        bufs.push(AlignedBuf::zeroed(chunk_bytes, align));
    }

    let section = Section {
        start,
        count,
        bytes_per_sector: bps,
        write12,
        timing: s.timing,
        geometry: super::pacing::WriteGeometry::new(chunk_sectors, bps, align as u32),
        in_flight: recorder.limits().max_in_flight,
        total_buffer: (nbufs * chunk_bytes) as u64,
        starting_sectors_per_second: s.starting_sectors_per_second,
        ending_sectors_per_second: s.ending_sectors_per_second,
    };
    let read = ReadProgress::default();
    let mut callback = std::mem::take(&mut *super::lock(&engine.callback));
    let mut run = SectionWriter {
        engine,
        callback: &mut callback,
        recorder: &recorder,
        clock: &*clock,
        token,
        read: &read,
        core: WriterCore::new(section, clock.now()),
    };
    let result = run.go(source, bufs, chunk_sectors);
    // Put the callback back unless the user installed a new one meanwhile.
    let mut slot = super::lock(&engine.callback);
    if slot.is_none() {
        *slot = callback;
    }
    result
}

/// One WriteSection call in progress: the I/O around its [`WriterCore`].
struct SectionWriter<'a> {
    engine: &'a WriteEngine,
    callback: &'a mut Option<UpdateCallback>,
    recorder: &'a Arc<Recorder>,
    clock: &'a dyn Clock,
    token: &'a CancelToken,
    read: &'a ReadProgress,
    core: WriterCore,
}

impl SectionWriter<'_> {
    fn go<R: Read + Send>(
        &mut self,
        source: R,
        bufs: Vec<AlignedBuf>,
        chunk_sectors: u32,
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
        let mut held: VecDeque<AlignedBuf> = VecDeque::with_capacity(n);

        let outcome = if self.token.is_cancelled() {
            Err(Error::new(ErrorKind::Cancelled))
        } else {
            self.preflight();
            self.emit(Phase::Starting);
            std::thread::scope(|scope| {
                let read = self.read;
                let free_rx_r = &free_rx;
                let stop_r = &stop;
                let (total, bps) = (self.core.section().count as u64, self.core_bps());
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
        back.extend(held.drain(..));
        back.extend(filled_rx.try_iter().map(|f| f.buf));
        self.engine.return_pool(back);

        let last = self.core.last_written_lba();
        match outcome {
            Ok(()) => Ok(self.emit(Phase::Finished)),
            Err(e) if e.is_cancelled() => {
                if let Some(sync) = self.core.sync_after_cancel() {
                    self.emit(Phase::Synchronizing);
                    // Sent from a thread of its own: a drive that hangs in it is left to
                    // it on a further cancel request, with the error saying so.
                    let (rec, timeout) = (Arc::clone(self.recorder), self.core.command_timeout());
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

    fn core_bps(&self) -> usize {
        self.core.section().bytes_per_sector as usize
    }

    /// What the core needs to know before writing: the medium's 1x and, when a speed is
    /// −1, the drive's nominal write performance across the section.
    fn preflight(&mut self) {
        let family = self
            .recorder
            .current_profile()
            .ok()
            .map(|p| p.family())
            .filter(|f| *f != MediaFamily::Other);
        let nominal = self.core.nominal_rate_wanted().and_then(|(first, last)| {
            self.recorder
                .nominal_write_rate(family, first, last)
                .ok()
                .flatten()
        });
        self.core
            .preflight(family.and_then(|f| f.one_x_sectors_per_second()), nominal);
    }

    /// Runs the core's actions until the section is written or fails.
    fn main_loop(
        &mut self,
        filled: &Receiver<Filled>,
        free: &Sender<AlignedBuf>,
        held: &mut VecDeque<AlignedBuf>,
    ) -> Result<()> {
        loop {
            if self.token.is_cancelled() {
                self.core.handle_cancel();
            }
            let read = self.read.sectors.load(Ordering::SeqCst);
            match self.core.poll(self.clock.now(), read) {
                Action::Release => {
                    if let Some(buf) = held.pop_front() {
                        let _ = free.send(buf);
                    }
                }
                Action::Receive(wait) => {
                    let got = match wait {
                        None => filled.try_recv().map_err(|e| match e {
                            TryRecvError::Empty => false,
                            TryRecvError::Disconnected => true,
                        }),
                        Some(d) => filled.recv_timeout(d).map_err(|e| match e {
                            RecvTimeoutError::Timeout => false,
                            RecvTimeoutError::Disconnected => true,
                        }),
                    };
                    let received = match got {
                        Ok(f) => {
                            held.push_back(f.buf);
                            Received::Filled {
                                sectors: f.sectors,
                                end: f.end,
                            }
                        }
                        Err(false) => Received::Empty,
                        Err(true) => Received::Gone,
                    };
                    self.core.handle_receive(received);
                }
                Action::Write => self.send(held)?,
                Action::ReadBufferCapacity => {
                    let mut buf = [0u8; BUFFER_CAPACITY_LEN];
                    let answer = self
                        .recorder
                        .command_in(&ReadBufferCapacity::bytes(), &mut buf);
                    if let Err(err) = &answer {
                        tracing::debug!(%err, "READ BUFFER CAPACITY refused; not polling again");
                    }
                    self.core
                        .handle_buffer_capacity(answer.ok().map(|n| &buf[..n]));
                }
                Action::Emit(u) => self.engine.emit(self.callback, &u),
                Action::WaitUntil(t) => self.clock.sleep(t.saturating_sub(self.clock.now())),
                Action::Done => return Ok(()),
                Action::Fail(e) => return Err(e),
            }
        }
    }

    /// Sends one round: one WRITE the plain way (which allocates nothing), several
    /// through the transport's queue; feeds the answers back to the core.
    fn send(&mut self, held: &VecDeque<AlignedBuf>) -> Result<()> {
        let bps = self.core_bps();
        let pieces = self.core.round().pieces();
        let data = |i: usize| {
            let p = &pieces[i];
            &held[p.buffer][p.first as usize * bps..(p.first + p.sectors) as usize * bps]
        };
        let timeout = self.core.command_timeout();
        if pieces.len() == 1 {
            let r = self
                .recorder
                .execute(&pieces[0].cdb, DataPhase::Out(data(0)), timeout);
            self.core
                .handle_writes(std::iter::once(completion(r)), self.clock.now());
        } else {
            let mut reqs: [Request<'_>; MAX_BATCH] = std::array::from_fn(|i| match pieces.get(i) {
                Some(p) => Request::data_out(p.cdb.as_bytes(), data(i), timeout),
                None => Request::none(pieces[0].cdb.as_bytes(), timeout),
            });
            let results = self.recorder.execute_queue(&mut reqs[..pieces.len()])?;
            self.core
                .handle_writes(results.into_iter().map(completion), self.clock.now());
        }
        Ok(())
    }

    fn emit(&mut self, phase: Phase) -> Update {
        let read = self.read.sectors.load(Ordering::SeqCst);
        let u = self.core.update(phase, self.clock.now(), read);
        self.engine.emit(self.callback, &u);
        u
    }
}

/// A WRITE's result as the device answered it: the sense bytes of a CHECK CONDITION,
/// another status, or the transport's own error.
fn completion(r: Result<usize>) -> Completion {
    let Err(e) = r else {
        return Completion::Good;
    };
    if let Some(sense) = e.sense_info() {
        return Completion::CheckCondition(sense.raw.clone());
    }
    match e.kind() {
        ErrorKind::Status(status) => Completion::Status(*status),
        _ => Completion::Undelivered(e),
    }
}
