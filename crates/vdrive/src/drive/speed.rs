//! Buffer, performance and speed: READ BUFFER CAPACITY, GET PERFORMANCE, SET STREAMING,
//! SET CD SPEED, and the speed model behind them (MMC-6 §6.21, §6.8, §6.39, §6.37).

use crate::check::Check;
use crate::curve::{Curve, RotationControl};
use crate::media::{Recording, SpeedDef};
use discburn_mmc::profile::MediaFamily;
use discburn_mmc::sense::Asc;
use discburn_mmc::speed::{
    sectors_per_second_to_kbps, x_to_kbps, BufferCapacityBlocks, BufferCapacityBytes, Except,
    GetPerformance, NominalPerformance, PerformanceData, PerformanceDescriptor, PerformanceType,
    ReadBufferCapacity, SetCdSpeed, SetStreaming, StreamingType, WriteSpeedData,
    WriteSpeedDescriptor,
};
use discburn_mmc::DataPhase;

use super::{emit_with, parse, Fail, Outcome, Reply, VirtualDrive};

impl VirtualDrive {
    /// MMC-6 §6.21 READ BUFFER CAPACITY in bytes or blocks.
    pub(super) fn read_buffer_capacity(&mut self, cdb: &[u8]) -> Outcome {
        let c: ReadBufferCapacity = parse(cdb)?;
        let v = if c.block {
            let r = BufferCapacityBlocks {
                available_blocks: (self.buffer.free_bytes() / 2048) as u32,
            };
            emit_with(r.buffer_len(), |b| r.emit(b))?
        } else {
            let r = BufferCapacityBytes {
                buffer_length: self.buffer.capacity().min(u64::from(u32::MAX)) as u32,
                available_length: self.buffer.free_bytes().min(u64::from(u32::MAX)) as u32,
            };
            emit_with(r.buffer_len(), |b| r.emit(b))?
        };
        Ok(Reply::Data(v, usize::from(c.allocation_length)))
    }

    /// MMC-6 §6.39 SET STREAMING (performance descriptor): the write and read speeds.
    pub(super) fn set_streaming(&mut self, cdb: &[u8], data: &mut DataPhase<'_>) -> Outcome {
        let c: SetStreaming = parse(cdb)?;
        if c.kind != StreamingType::Performance {
            return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into());
        }
        let DataPhase::Out(buf) = data else {
            return Err(Check::illegal(Asc::PARAMETER_LIST_LENGTH_ERROR).into());
        };
        let len = usize::from(c.parameter_list_length).min(buf.len());
        let pd = PerformanceDescriptor::parse(&buf[..len])
            .map_err(|_| Fail::Check(Check::illegal(Asc::PARAMETER_LIST_LENGTH_ERROR)))?;
        if pd.rdd {
            // Restore Drive Defaults: fastest write and read speeds.
            self.speed = self.spec().write_speeds.len().saturating_sub(1);
            self.apply_speed();
            self.select_read_kbps(u32::MAX);
            return Ok(Reply::Done(len));
        }
        let (write, read) = (pd.write_kbps(), pd.read_kbps());
        if write.is_none() && read.is_none() {
            return Err(Check::illegal(Asc::INVALID_FIELD_IN_PARAMETER_LIST).into());
        }
        if let Some(kbps) = write {
            self.select_speed_kbps(kbps);
        }
        if let Some(kbps) = read {
            self.select_read_kbps(kbps);
        }
        Ok(Reply::Done(len))
    }

    /// MMC-6 §6.37 SET CD SPEED: the write and read speeds (FFFFh: the fastest).
    pub(super) fn set_cd_speed(&mut self, cdb: &[u8]) -> Outcome {
        let c: SetCdSpeed = parse(cdb)?;
        if c.write_kbps == SetCdSpeed::MAX {
            self.speed = self.spec().write_speeds.len().saturating_sub(1);
            self.apply_speed();
        } else {
            self.select_speed_kbps(u32::from(c.write_kbps));
        }
        self.select_read_kbps(if c.read_kbps == SetCdSpeed::MAX {
            u32::MAX
        } else {
            u32::from(c.read_kbps)
        });
        Ok(Reply::Done(0))
    }

    /// The selected speed definition, if the medium is writable.
    pub(super) fn speed_def(&self) -> Option<&'static SpeedDef> {
        self.spec().write_speeds.get(self.speed)
    }

    /// The write speed across the disc at the selected speed, layer by layer.
    pub(crate) fn curve(&self) -> Option<Curve> {
        let starts = self.disc.layer_starts();
        let nominal = self.spec().layer_capacity();
        self.speed_def()
            .map(|d| Curve::layered(d, self.family(), self.disc.capacity, &starts, nominal, true))
    }

    /// Pushes the selected speed into the buffer model. BD with spares (defect management)
    /// burns at half speed, unless WRITE(12) Streaming turned it off.
    pub(super) fn apply_speed(&mut self) {
        self.apply_speed_with(self.streaming);
    }

    pub(super) fn apply_speed_with(&mut self, streaming: bool) {
        let now = self.clock.now();
        let curve = if self.cfg.throttle {
            self.curve()
        } else {
            None
        };
        let dm = self.family() == MediaFamily::Bd
            && self
                .disc
                .format
                .is_some_and(|f| f.param > 0 && f.format_type != 0x31)
            && !streaming;
        self.buffer
            .set_curve(now, curve, if dm { 0.5 } else { 1.0 });
    }

    /// Nominal (highest) kB/s of the selected write speed.
    pub(crate) fn write_kbps(&self) -> u32 {
        self.speed_def()
            .and_then(|d| x_to_kbps(self.family(), d.x))
            .unwrap_or(0)
    }

    /// The selected read speed definition.
    pub(super) fn read_def(&self) -> SpeedDef {
        let speeds = self.spec().read_speeds;
        speeds
            .get(self.read_speed)
            .or(speeds.last())
            .copied()
            .unwrap_or(SpeedDef {
                x: 1.0,
                rotation: RotationControl::Clv,
            })
    }

    /// Where LBAs lie for reads (see [`crate::read::geometry_sectors`]): on a multi-layer
    /// disc one layer's radius spans the medium's layer capacity, and the layers start
    /// where the write curve turns.
    pub(super) fn read_geometry(&self) -> crate::read::Geometry {
        let starts = self.disc.layer_starts();
        if starts.is_empty() {
            return crate::read::geometry_sectors(self.family(), self.disc.capacity).into();
        }
        crate::read::Geometry {
            sectors: self.spec().layer_capacity(),
            layer_starts: starts,
        }
    }

    /// The read speed across the disc at the selected read speed, layer by layer.
    pub(crate) fn read_curve(&self) -> Curve {
        let g = self.read_geometry();
        if g.layer_starts.is_empty() {
            return Curve::new(&self.read_def(), self.family(), g.sectors);
        }
        Curve::layered(
            &self.read_def(),
            self.family(),
            self.disc.capacity,
            &g.layer_starts,
            g.sectors,
            false,
        )
    }

    /// Nominal (highest) kB/s of the selected read speed.
    pub(super) fn read_kbps(&self) -> u32 {
        x_to_kbps(self.family(), self.read_def().x).unwrap_or(0)
    }

    /// Nominal kB/s of the fastest read speed.
    pub(super) fn max_read_kbps(&self) -> u32 {
        x_to_kbps(self.family(), self.spec().read_x()).unwrap_or(0)
    }

    pub(super) fn sps_to_kbps(&self, sps: f64) -> u32 {
        sectors_per_second_to_kbps(self.family(), sps.round() as u32)
    }

    /// Selects the nearest offered write speed at or below `kbps` (the slowest if `kbps`
    /// is below all), as drives round.
    pub(crate) fn select_speed_kbps(&mut self, kbps: u32) {
        let fam = self.family();
        let speeds = self.spec().write_speeds;
        // Rounding in the host's x→kB/s conversion must not push a request one step down.
        let i = speeds
            .iter()
            .rposition(|s| x_to_kbps(fam, s.x).unwrap_or(0) <= kbps.saturating_add(kbps / 100 + 1))
            .unwrap_or(0);
        self.speed = i;
        self.apply_speed();
    }

    /// Selects the nearest offered read speed at or below `kbps` (the slowest if below
    /// all, the fastest for `u32::MAX`); a change ends the read-ahead.
    pub(crate) fn select_read_kbps(&mut self, kbps: u32) {
        let fam = self.family();
        let speeds = self.spec().read_speeds;
        let i = speeds
            .iter()
            .rposition(|s| x_to_kbps(fam, s.x).unwrap_or(0) <= kbps.saturating_add(kbps / 100 + 1))
            .unwrap_or(0);
        if i != self.read_speed {
            self.read_speed = i;
            self.reader.stop();
        }
    }

    // Speeds
    pub(super) fn get_performance(&self, cdb: &[u8]) -> Outcome {
        let c = &parse::<GetPerformance>(cdb)?;
        let max = usize::from(c.max_descriptors);
        match c.kind {
            PerformanceType::Performance => {
                let mut nominal = Vec::new();
                if c.except == Except::Nominal && c.write {
                    let last = self.disc.capacity.saturating_sub(1);
                    let curve = self.curve();
                    for s in curve.iter().flat_map(|c| c.zones()) {
                        if s.end_lba <= c.start_lba && s.end_lba < self.disc.capacity {
                            continue;
                        }
                        nominal.push(NominalPerformance {
                            start_lba: s.start_lba,
                            start_kbps: self.sps_to_kbps(s.start_sps),
                            end_lba: s.end_lba.saturating_sub(1).min(last),
                            end_kbps: self.sps_to_kbps(s.end_sps),
                        });
                    }
                    nominal.truncate(max);
                } else if c.except == Except::Nominal {
                    // Reads: the selected read speed's curve, which spans the nominal disc,
                    // cut at the recorded capacity (what READ takes, see `read_time`).
                    let cap = self.disc.capacity.max(1);
                    let curve = self.read_curve();
                    for s in curve.segments() {
                        let end = s.end_lba.min(cap);
                        if s.start_lba >= cap || end <= c.start_lba {
                            continue;
                        }
                        nominal.push(NominalPerformance {
                            start_lba: s.start_lba,
                            start_kbps: self.sps_to_kbps(s.start_sps),
                            end_lba: end - 1,
                            end_kbps: self.sps_to_kbps(curve.speed_at(f64::from(end))),
                        });
                    }
                    nominal.truncate(max);
                }
                let r = PerformanceData {
                    write: c.write,
                    nominal,
                    exceptions: Vec::new(),
                    except: false,
                };
                Ok(Reply::Data(
                    emit_with(r.buffer_len(), |b| r.emit(b))?,
                    usize::MAX,
                ))
            }
            PerformanceType::WriteSpeed => {
                let fam = self.family();
                let end_lba = self.disc.capacity.saturating_sub(1);
                let mut descriptors: Vec<WriteSpeedDescriptor> = self
                    .spec()
                    .write_speeds
                    .iter()
                    .rev()
                    .map(|s| WriteSpeedDescriptor {
                        wrc: s.rotation.wrc(),
                        rdd: false,
                        exact: false,
                        mrw: false,
                        end_lba,
                        read_kbps: self.read_kbps(),
                        write_kbps: x_to_kbps(fam, s.x).unwrap_or(0),
                    })
                    .collect();
                if self.disc.finalized || self.spec().recording == Recording::ReadOnly {
                    descriptors.clear();
                }
                descriptors.truncate(max);
                let r = WriteSpeedData { descriptors };
                Ok(Reply::Data(
                    emit_with(r.buffer_len(), |b| r.emit(b))?,
                    usize::MAX,
                ))
            }
            _ => Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into()),
        }
    }
}
