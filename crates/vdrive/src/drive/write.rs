//! Recording: WRITE(10), WRITE(12), SYNCHRONIZE CACHE, RESERVE TRACK, CLOSE TRACK/SESSION,
//! with the buffer model and state checkpoints (MMC-6 §6.44, §6.45, §6.40, §6.31, §6.3).

use super::sao::Piece;
use crate::check::Check;
use crate::config::FullPolicy;
use crate::control::Fault;
use crate::media::Media;
use crate::model::WriteTarget;
use discburn_mmc::mode::{MultiSession, WriteType};
use discburn_mmc::rw::{SendOpcInformation, SynchronizeCache10, Write10, Write12};
use discburn_mmc::sense::Asc;
use discburn_mmc::track::{CloseFunction, CloseTrackSession, Reservation, ReserveTrack};
use discburn_mmc::DataPhase;
use std::time::Duration;

use super::{
    parse, wp_audio, wp_block_size, BusyKind, Fail, Outcome, Reply, VirtualDrive,
    CHECKPOINT_BLOCKS, CHECKPOINT_INTERVAL,
};

impl VirtualDrive {
    /// MMC-6 §6.44 WRITE(10).
    pub(super) fn write10(
        &mut self,
        cdb: &[u8],
        data: &mut DataPhase<'_>,
        timeout: Duration,
    ) -> Outcome {
        let c: Write10 = parse(cdb)?;
        self.write(c.lba, u32::from(c.blocks), false, data, timeout)
    }

    /// MMC-6 §6.45 WRITE(12); its Streaming bit turns BD defect management off.
    pub(super) fn write12(
        &mut self,
        cdb: &[u8],
        data: &mut DataPhase<'_>,
        timeout: Duration,
    ) -> Outcome {
        let c: Write12 = parse(cdb)?;
        self.write(c.lba, c.blocks, c.streaming, data, timeout)
    }

    /// MMC-6 §6.40 SYNCHRONIZE CACHE(10).
    pub(super) fn synchronize_cache10(&mut self, cdb: &[u8], timeout: Duration) -> Outcome {
        let c: SynchronizeCache10 = parse(cdb)?;
        self.synchronize(c.immed, timeout)
    }

    /// MMC-6 §6.36 SEND OPC INFORMATION with DoOPC: the drive calibrates its write power
    /// on a writable disc (about half a second); OPC values sent as a parameter list
    /// (DoOPC 0) are taken and ignored, as drives that keep their own table do. A disc
    /// that takes no writes answers 05/30/05 CANNOT WRITE MEDIUM.
    pub(super) fn send_opc_information(&mut self, cdb: &[u8], timeout: Duration) -> Outcome {
        let c: SendOpcInformation = parse(cdb)?;
        let writable = self.disc.media.spec().recording != crate::media::Recording::ReadOnly
            && !self.disc.finalized;
        if !writable {
            return Err(Check::illegal(Asc::CANNOT_WRITE_MEDIUM_INCOMPATIBLE_FORMAT).into());
        }
        if c.do_opc {
            self.take_time(
                Duration::from_millis(500),
                false,
                BusyKind::Operation,
                timeout,
            )?;
        }
        Ok(Reply::Done(usize::from(c.parameter_length)))
    }

    /// MMC-6 §6.31 RESERVE TRACK by size (reservation by LBA is not modelled: 05/24/00).
    pub(super) fn reserve_track(&mut self, cdb: &[u8]) -> Outcome {
        let c: ReserveTrack = parse(cdb)?;
        match c.reservation {
            Reservation::Size(n) => self.disc.reserve(n)?,
            Reservation::Lba(_) => return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into()),
        }
        self.save_checked()?;
        Ok(Reply::Done(0))
    }

    /// MMC-6 §6.3 CLOSE TRACK/SESSION.
    pub(super) fn close_track_session(&mut self, cdb: &[u8], timeout: Duration) -> Outcome {
        let c: CloseTrackSession = parse(cdb)?;
        self.close(c, timeout)
    }

    /// A checkpoint during a write stream on a sequential disc: the image's data first,
    /// then the state that describes it, so the state never claims sectors the image
    /// may still lose. A failure is logged and retried at the next WRITE; SYNCHRONIZE
    /// CACHE and CLOSE report it.
    pub(super) fn checkpoint(&mut self, blocks: u32) {
        let now = self.clock.now();
        let (since, due) = match self.unsaved_blocks {
            Some(n) => {
                let since = n + u64::from(blocks);
                let rested = now.saturating_sub(self.last_checkpoint) >= CHECKPOINT_INTERVAL;
                (since, since >= CHECKPOINT_BLOCKS && rested)
            }
            // The first WRITE of a stream: its track, slot size and mode go on record.
            None => (u64::from(blocks), true),
        };
        if !due {
            self.unsaved_blocks = Some(since);
            return;
        }
        match self.image.sync().and_then(|()| self.save()) {
            Ok(()) => {
                self.unsaved_blocks = Some(0);
                self.last_checkpoint = now;
                self.control.lock().stats.checkpoints += 1;
            }
            Err(e) => {
                self.unsaved_blocks = Some(since);
                tracing::error!("virtual drive: saving state at a checkpoint failed: {e}");
            }
        }
    }

    pub(super) fn write(
        &mut self,
        lba: u32,
        blocks: u32,
        streaming: bool,
        data: &mut DataPhase<'_>,
        timeout: Duration,
    ) -> Outcome {
        let lwip = self.take_fault(|f| match f {
            Fault::LongWriteStorm(n) if *n > 0 => {
                *n -= 1;
                Some(*n == 0)
            }
            _ => None,
        });
        if lwip {
            self.control.lock().stats.long_write_in_progress += 1;
            return Err(Check::not_ready(Asc::LONG_WRITE_IN_PROGRESS).into());
        }
        if self.take_fault(|f| matches!(f, Fault::LossOfStreaming).then_some(true)) {
            self.damage_stream();
            return Err(Check::medium_error(Asc::LOSS_OF_STREAMING).into());
        }
        // CD SAO with CD-Text: the lead-in's R-W sub-channel comes first.
        if let Some(done) = self.lead_in_write(lba, blocks, data) {
            return done;
        }
        let spec = self.spec();
        // In SAO the cue sheet says what the host sends; otherwise page 05h does (CD).
        let sheet = self.sao.as_ref().filter(|_| self.sao_mode());
        let bs = match sheet {
            Some(s) => s.block_size,
            None if spec.uses_write_parameters && self.disc.media.is_cd() => {
                wp_block_size(&self.wp)
            }
            None => 2048,
        };
        let audio = match sheet {
            Some(s) => s.audio,
            None => self.disc.media.is_cd() && wp_audio(&self.wp),
        };
        let DataPhase::Out(buf) = data else {
            return if blocks == 0 {
                Ok(Reply::Done(0))
            } else {
                Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into())
            };
        };
        if buf.len() as u64 != u64::from(blocks) * u64::from(bs) {
            return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into());
        }
        if blocks == 0 {
            return Ok(Reply::Done(0));
        }
        let test = self.wp.test_write && spec.uses_write_parameters;
        if test && self.sim_disc.is_none() {
            self.sim_disc = Some(self.disc.clone());
        }
        // CD SAO: the WRITE continues the cue sheet's stream; pre-gap sectors are not kept.
        let sao = self.sao_pieces(lba, blocks)?;
        let in_sao = sao.is_some();
        if in_sao {
            self.sao_lay_tracks();
        }
        let pieces = sao.unwrap_or_else(|| {
            vec![Piece {
                lba,
                blocks,
                offset: 0,
            }]
        });
        let view = self.view();
        if bs != view.slot && view.recorded_end() > 0 {
            return Err(Check::illegal(Asc::ILLEGAL_MODE_FOR_THIS_TRACK).into());
        }
        let mut targets = Vec::with_capacity(pieces.len());
        for p in &pieces {
            targets.push(view.write_target(p.lba, p.blocks)?);
        }
        // SAO lays each track with its own data form (a data track, then audio ones).
        let audios: Vec<bool> = pieces
            .iter()
            .map(|p| {
                if in_sao {
                    view.track_at(p.lba).map_or(audio, |t| t.audio)
                } else {
                    audio
                }
            })
            .collect();
        if matches!(self.disc.media.base(), Media::DvdMinusR | Media::DvdMinusRw)
            && self.disc.is_sequential()
            && self.wp.write_type == WriteType::SaoDao
        {
            // DAO needs the whole track reserved first (MMC-6 §4.6.5.3).
            for target in &targets {
                if let WriteTarget::Track(i) = *target {
                    if view.tracks[i].reserved.is_none() {
                        return Err(Check::illegal(Asc::COMMAND_SEQUENCE_ERROR).into());
                    }
                }
            }
        }
        if let Some(bad) = self.fault_range(lba, blocks, false) {
            return Err(Check::medium_error(Asc::WRITE_ERROR).with_info(bad).into());
        }
        // The buffer ran dry since the last WRITE: without BUFE, CD and DVD-R recording
        // cannot resume (loss of streaming); with it, writing picks up seamlessly.
        if self.buffer.take_underrun() && !self.wp.bufe && spec.uses_write_parameters {
            self.damage_stream();
            return Err(Check::medium_error(Asc::LOSS_OF_STREAMING).into());
        }
        if streaming != self.streaming {
            self.streaming = streaming;
            self.apply_speed_with(streaming);
        }
        let bytes = u64::from(blocks) * u64::from(bs);
        let wait = self.buffer.time_to_fit(bytes);
        if !wait.is_zero() {
            match self.cfg.full {
                FullPolicy::LongWriteInProgress => {
                    self.control.lock().stats.long_write_in_progress += 1;
                    return Err(Check::not_ready(Asc::LONG_WRITE_IN_PROGRESS).into());
                }
                FullPolicy::Wait => {
                    if wait > timeout {
                        self.clock.sleep(timeout);
                        return Err(Fail::Timeout(timeout));
                    }
                    self.clock.sleep(wait);
                    self.control.lock().stats.buffer_wait += wait;
                    let now = self.clock.now();
                    self.buffer.advance(now);
                    // Emptying while we waited for room is not an underrun.
                    self.buffer.take_underrun();
                }
            }
        }
        if !test {
            if self.disc.recorded_end() == 0 && self.disc.slot != bs {
                self.disc.slot = bs;
            }
            let slot = u64::from(bs);
            for p in &pieces {
                let (lba, blocks) = (p.lba, p.blocks);
                let from = p.offset as usize * bs as usize;
                let buf = &buf[from..from + blocks as usize * bs as usize];
                let at = u64::from(lba) * slot;
                let res = if let Some(first) = self.fault_range(lba, blocks, true) {
                    let mut bad = buf.to_vec();
                    let end = lba.saturating_add(blocks);
                    for l in first..end {
                        if self.fault_range(l, 1, true).is_some() {
                            let o = ((l - lba) as usize) * bs as usize;
                            bad[o..o + bs as usize].iter_mut().for_each(|b| *b = !*b);
                        }
                    }
                    self.image.write_at(&bad, at)
                } else {
                    self.image.write_at(buf, at)
                };
                res.map_err(|e| {
                    tracing::error!("virtual drive: image write failed: {e}");
                    Fail::Check(Check::medium_error(Asc::WRITE_ERROR).with_info(lba))
                })?;
            }
        }
        let disc = self.sim_disc.as_mut().unwrap_or(&mut self.disc);
        for ((p, target), audio) in pieces.iter().zip(targets).zip(audios) {
            disc.record(target, p.blocks, audio);
        }
        self.dirty = true;
        if !test && self.disc.is_sequential() {
            // Sectors burnt are burnt: a killed process must not leave a blank disc.
            self.checkpoint(blocks);
        }
        // The pre-gap of the first session lies before LBA 0: the head is at the start.
        let head = if in_sao && (lba as i32) < 0 { 0 } else { lba };
        self.buffer.push(head, blocks, bs);
        // The pickup follows the writes: a READ afterwards seeks from their end.
        self.reader.park(head.saturating_add(blocks));
        if in_sao {
            self.sao_advance(blocks);
        }
        let mut s = self.control.lock();
        s.stats.writes += 1;
        s.stats.blocks_written += u64::from(blocks);
        Ok(Reply::Done(buf.len()))
    }

    /// Loss of streaming: the open track is marked damaged and the stream ends.
    pub(super) fn damage_stream(&mut self) {
        self.buffer.flush();
        let disc = self.sim_disc.as_mut().unwrap_or(&mut self.disc);
        if let Some(t) = disc
            .tracks
            .iter_mut()
            .rev()
            .find(|t| !t.closed && t.written > 0)
        {
            t.damaged = true;
        }
        self.dirty = true;
    }

    pub(super) fn synchronize(&mut self, immed: bool, timeout: Duration) -> Outcome {
        let drain = self.buffer.time_to_drain();
        self.buffer.flush();
        // CD SAO: after the last sector of the cue sheet the drive writes the lead-out.
        let closed = self.sao_finish()?;
        // CD TAO: SYNCHRONIZE CACHE ends the track (the drive writes its run-out), which
        // is all cdrecord/wodim send between tracks (drv_mmc.c close_track_mmc flushes
        // and sends CLOSE TRACK only for packet writing).
        if !closed && self.disc.media.is_cd() && self.wp.write_type == WriteType::Tao {
            let disc = self.sim_disc.as_mut().unwrap_or(&mut self.disc);
            if let Some(n) = disc.invisible().filter(|t| t.written > 0).map(|t| t.number) {
                disc.close_track(n)?;
                self.dirty = true;
            }
        }
        self.image.sync().map_err(|e| {
            tracing::error!("virtual drive: fsync failed: {e}");
            Fail::Check(Check::medium_error(Asc::WRITE_ERROR))
        })?;
        if self.dirty {
            self.save_checked()?;
        }
        // Writing the lead-out takes what closing a session does.
        let lead_out = if closed {
            Duration::from_secs_f64(self.spec().close_session_s)
        } else {
            Duration::ZERO
        };
        self.take_time(drain + lead_out, immed, BusyKind::Operation, timeout)?;
        Ok(Reply::Done(0))
    }

    pub(super) fn close(&mut self, c: CloseTrackSession, timeout: Duration) -> Outcome {
        let drain = self.buffer.time_to_drain();
        self.buffer.flush();
        let spec = self.spec();
        let secs = |s: f64| Duration::from_secs_f64(s);
        if self.sim_disc.take().is_some() {
            // End of a simulation run: nothing was recorded; the drive forgets it.
            self.take_time(
                drain + secs(spec.close_track_s),
                c.immed,
                BusyKind::Operation,
                timeout,
            )?;
            return Ok(Reply::Done(0));
        }
        let media = self.disc.media.base();
        let random = self.disc.is_random();
        let cd_or_dvd_r = spec.uses_write_parameters;
        let finalize_by_page = self.wp.multi_session == MultiSession::NoNextSession;
        let extra = match c.function {
            CloseFunction::StopBackgroundFormat if random => 0.0,
            CloseFunction::CloseTrack => {
                self.disc.close_track(u32::from(c.number))?;
                spec.close_track_s
            }
            CloseFunction::CloseSession => {
                let fin = cd_or_dvd_r && finalize_by_page;
                self.disc.close_session(fin)?;
                if fin {
                    spec.finalize_s
                } else {
                    spec.close_session_s
                }
            }
            CloseFunction::CloseSessionExtendedLeadOut if media == Media::DvdPlusR => {
                self.disc.close_session(false)?;
                spec.close_session_s
            }
            CloseFunction::CompatibilityFinalize
                if matches!(media, Media::BdR | Media::DvdPlusR) =>
            {
                self.disc.close_session(true)?;
                spec.finalize_s
            }
            CloseFunction::FinalizeMinimalRadius if media == Media::DvdPlusR => {
                self.disc.close_session(true)?;
                spec.finalize_s
            }
            CloseFunction::FinalizeDisc if matches!(media, Media::BdR | Media::DvdPlusR) => {
                self.disc.close_session(true)?;
                spec.finalize_s
            }
            _ if random && self.disc.format.is_some() => spec.close_session_s,
            _ => return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into()),
        };
        self.image
            .sync()
            .map_err(|_| Fail::Check(Check::medium_error(Asc::WRITE_ERROR)))?;
        self.save_checked()?;
        self.take_time(drain + secs(extra), c.immed, BusyKind::Operation, timeout)?;
        Ok(Reply::Done(0))
    }
}
