//! READ(10), READ(12), READ CAPACITY: the read head's timing and injected read faults
//! (MMC-6 §6.18, §6.19, §6.23).

use crate::check::Check;
use crate::control::Fault;
use discburn_mmc::rw::{Read10, Read12, ReadCapacity10, ReadCapacityData};
use discburn_mmc::sense::Asc;
use discburn_mmc::DataPhase;
use std::time::Duration;

use super::{emit_with, parse, Fail, Outcome, Reply, VirtualDrive};

impl VirtualDrive {
    /// MMC-6 §6.18 READ(10).
    pub(super) fn read10(
        &mut self,
        cdb: &[u8],
        data: &mut DataPhase<'_>,
        timeout: Duration,
    ) -> Outcome {
        let c: Read10 = parse(cdb)?;
        self.read(c.lba, u32::from(c.blocks), data, timeout)
    }

    /// MMC-6 §6.19 READ(12).
    pub(super) fn read12(
        &mut self,
        cdb: &[u8],
        data: &mut DataPhase<'_>,
        timeout: Duration,
    ) -> Outcome {
        let c: Read12 = parse(cdb)?;
        self.read(c.lba, c.blocks, data, timeout)
    }

    /// MMC-6 §6.23 READ CAPACITY: the last recorded LBA, 2048-byte blocks.
    pub(super) fn read_capacity10(&mut self, cdb: &[u8]) -> Outcome {
        parse::<ReadCapacity10>(cdb)?;
        let end = self.view().recorded_end();
        let r = ReadCapacityData {
            last_lba: end.saturating_sub(1),
            block_length: 2048,
        };
        Ok(Reply::Data(
            emit_with(r.buffer_len(), |b| r.emit(b))?,
            usize::MAX,
        ))
    }

    pub(super) fn fault_range(&self, lba: u32, blocks: u32, corrupt: bool) -> Option<u32> {
        let end = lba.saturating_add(blocks);
        let s = self.control.lock();
        s.faults.iter().find_map(|f| match f {
            Fault::MediumError(r) if !corrupt => first_in(r, lba, end),
            Fault::Corrupt(r) if corrupt => first_in(r, lba, end),
            _ => None,
        })
    }

    /// Takes the time a READ of `blocks` at `lba` needs (read speed at that LBA, plus a
    /// seek unless it continues the read-ahead); unthrottled drives read instantly.
    pub(super) fn read_time(
        &mut self,
        lba: u32,
        blocks: u32,
        timeout: Duration,
    ) -> Result<(), Fail> {
        if !self.cfg.throttle {
            return Ok(());
        }
        // Data still in the write buffer is burned first (the READ may be for it); the
        // write stream ends there, as after SYNCHRONIZE CACHE, so it is no underrun.
        let drain = self.buffer.time_to_drain();
        self.buffer.flush();
        let now = self.clock.now() + drain;
        let curve = self.read_curve();
        let geometry = self.read_geometry();
        let mut cost = self
            .reader
            .read(now, lba, blocks, &curve, self.family(), &geometry);
        cost.time += drain;
        if cost.time > timeout {
            self.clock.sleep(timeout);
            self.reader.stop();
            return Err(Fail::Timeout(timeout));
        }
        self.clock.sleep(cost.time);
        let mut s = self.control.lock();
        s.stats.read_time += cost.time;
        s.stats.seeks += u64::from(cost.seek);
        Ok(())
    }

    // Data path
    pub(super) fn read(
        &mut self,
        lba: u32,
        blocks: u32,
        data: &mut DataPhase<'_>,
        timeout: Duration,
    ) -> Outcome {
        if blocks == 0 {
            return Ok(Reply::Done(0));
        }
        self.view().read_check(lba, blocks)?;
        if let Some(bad) = self.fault_range(lba, blocks, false) {
            return Err(Check::medium_error(Asc::UNRECOVERED_READ_ERROR)
                .with_info(bad)
                .into());
        }
        let DataPhase::In(buf) = data else {
            return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into());
        };
        let want = (blocks as usize).saturating_mul(2048).min(buf.len());
        let slot = u64::from(self.disc.slot);
        let io = |e: std::io::Error| {
            tracing::error!("virtual drive: image read failed: {e}");
            Fail::Check(Check::medium_error(Asc::UNRECOVERED_READ_ERROR).with_info(lba))
        };
        if slot == 2048 {
            self.image
                .read_at(&mut buf[..want], u64::from(lba) * 2048)
                .map_err(io)?;
        } else {
            // Raw 2352-byte sectors: READ returns the 2048 user bytes after the 16-byte
            // sync + header of a mode 1 sector.
            let mut raw = vec![0u8; 2352];
            for (i, chunk) in buf[..want].chunks_mut(2048).enumerate() {
                self.image
                    .read_at(&mut raw, (u64::from(lba) + i as u64) * slot)
                    .map_err(io)?;
                chunk.copy_from_slice(&raw[16..16 + chunk.len()]);
            }
        }
        self.read_time(lba, blocks, timeout)?;
        let mut s = self.control.lock();
        s.stats.reads += 1;
        s.stats.blocks_read += u64::from(blocks);
        Ok(Reply::Done(want))
    }
}

/// The first LBA of `lba..end` inside the fault range `r`.
fn first_in(r: &std::ops::RangeInclusive<u32>, lba: u32, end: u32) -> Option<u32> {
    let lo = (*r.start()).max(lba);
    (lo <= *r.end() && lo < end).then_some(lo)
}
