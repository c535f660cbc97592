//! READ FORMAT CAPACITIES, FORMAT UNIT and BLANK (MMC-6 §6.24, §6.5, §6.2).

use crate::check::Check;
use crate::media::format_options;
use crate::media::Media;
use crate::model::DiscStatus;
use discburn_mmc::format::{
    Blank, BlankingType, CapacityDescriptor, CapacityDescriptorType, FormatCapacities,
    FormatParameterList, FormatType, FormatUnit, FormattableCapacity, ReadFormatCapacities,
};
use discburn_mmc::profile::MediaFamily;
use discburn_mmc::sense::Asc;
use discburn_mmc::speed::x_to_sectors_per_second;
use discburn_mmc::DataPhase;
use std::time::Duration;

use super::{emit_with, parse, BusyKind, Fail, Outcome, Reply, VirtualDrive};

impl VirtualDrive {
    /// MMC-6 §6.24 READ FORMAT CAPACITIES.
    pub(super) fn read_format_capacities(&mut self, cdb: &[u8]) -> Outcome {
        let c: ReadFormatCapacities = parse(cdb)?;
        let r = self.format_capacities();
        Ok(Reply::Data(
            emit_with(r.buffer_len(), |b| r.emit(b))?,
            usize::from(c.alloc),
        ))
    }

    pub(super) fn format_capacities(&self) -> FormatCapacities {
        let d = &self.disc;
        let options = format_options(d.media);
        let current = match d.format {
            Some(_) => CapacityDescriptor {
                number_of_blocks: d.capacity,
                descriptor_type: CapacityDescriptorType::Formatted,
                block_length: 2048,
            },
            None if d.is_sequential() && d.disc_status() != DiscStatus::Empty => {
                CapacityDescriptor {
                    number_of_blocks: d.recorded_end(),
                    descriptor_type: CapacityDescriptorType::Formatted,
                    block_length: 2048,
                }
            }
            None => CapacityDescriptor {
                number_of_blocks: d.capacity,
                descriptor_type: CapacityDescriptorType::Unformatted,
                block_length: 2048,
            },
        };
        let formattable = if d.media.base() == Media::BdR && d.disc_status() != DiscStatus::Empty {
            Vec::new()
        } else {
            options
                .iter()
                .filter(|o| {
                    d.media != Media::DvdRam || o.format_type != 0x01 || d.can_expand_spare()
                })
                // A DVD-RW offers quick grow (13h) once restricted overwrite.
                .filter(|o| {
                    d.media != Media::DvdMinusRw
                        || o.format_type != 0x13
                        || d.restricted_overwrite()
                })
                .map(|o| FormattableCapacity {
                    number_of_blocks: o.blocks,
                    format_type: FormatType::from(o.format_type),
                    type_dependent: o.param,
                })
                .collect()
        };
        FormatCapacities {
            current,
            formattable,
        }
    }

    pub(super) fn format_unit(
        &mut self,
        cdb: &[u8],
        data: &mut DataPhase<'_>,
        timeout: Duration,
    ) -> Outcome {
        let c: FormatUnit = parse(cdb)?;
        if !c.fmt_data {
            return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into());
        }
        let DataPhase::Out(buf) = data else {
            return Err(Check::illegal(Asc::PARAMETER_LIST_LENGTH_ERROR).into());
        };
        let list = FormatParameterList::parse(buf)
            .map_err(|_| Fail::Check(Check::illegal(Asc::PARAMETER_LIST_LENGTH_ERROR)))?;
        let desc = list.descriptor;
        let ft = u8::from(desc.format_type);
        let option = self.disc.format(ft, desc.number_of_blocks)?;
        // BD-R type 32h: sub-type 00b is SRM+POW, 01b SRM-POW, 10b RRM (MMC-6 §6.5.4.2.16);
        // RRM is not modelled and records as SRM-POW.
        self.disc.pseudo_overwrite =
            self.disc.media.base() == Media::BdR && ft == 0x32 && desc.subtype == 0;
        // A BD-R laid out anew, a DVD-RAM fully formatted or a DVD-RW formatted to
        // restricted overwrite holds no data any more (a DVD-RAM spare expansion and a
        // DVD-RW quick grow keep it).
        if self.disc.media.base() == Media::BdR
            || (self.disc.media.base() == Media::DvdRam && ft == 0x00)
            || (self.disc.media == Media::DvdMinusRw && ft != 0x13)
        {
            self.image
                .truncate()
                .map_err(|_| Fail::Check(Check::medium_error(Asc::WRITE_ERROR)))?;
        }
        self.sim_disc = None;
        self.buffer.flush();
        self.reader.park(0);
        self.apply_speed();
        self.save_checked()?;
        // Quick formats: DVD+RW formats in the background (a couple of seconds before the
        // drive is ready), as does a DVD-RAM spare expansion (a defect list update); BD
        // takes about a minute to lay out the spare areas, a DVD-RAM full format without
        // certification the same.
        // A DVD-RW quick format writes the lead-in and a little user area (about a
        // minute on real drives), a full format the whole disc at 1x-2x; quick grow adds
        // a lead-out.
        let secs = match self.disc.media.base() {
            Media::DvdPlusRw => 2.0,
            Media::DvdRam if ft == 0x01 => 2.0,
            Media::DvdMinusRw if matches!(ft, 0x00 | 0x10) => {
                f64::from(option.blocks)
                    / f64::from(x_to_sectors_per_second(MediaFamily::Dvd, 2.0).unwrap_or(1352))
            }
            Media::DvdMinusRw => 60.0,
            _ if option.param == 0 => 20.0,
            _ => 60.0,
        };
        self.take_time(
            Duration::from_secs_f64(secs),
            list.immed,
            BusyKind::Format,
            timeout,
        )?;
        Ok(Reply::Done(buf.len()))
    }

    pub(super) fn blank(&mut self, cdb: &[u8], timeout: Duration) -> Outcome {
        let c: Blank = parse(cdb)?;
        self.disc.blank_disc(c.blanking_type.code())?;
        self.sim_disc = None;
        self.buffer.flush();
        self.reader.park(0);
        if matches!(c.blanking_type, BlankingType::Full | BlankingType::Minimal) {
            self.image
                .truncate()
                .map_err(|_| Fail::Check(Check::medium_error(Asc::WRITE_ERROR)))?;
        } else if c.blanking_type == BlankingType::EraseSession {
            // The erased session's sectors must not come back as an interrupted burn's
            // (see `DiscState::recover_interrupted`).
            let end = u64::from(self.disc.recorded_end()) * u64::from(self.disc.slot);
            self.image
                .truncate_to(end)
                .map_err(|_| Fail::Check(Check::medium_error(Asc::WRITE_ERROR)))?;
        }
        self.save_checked()?;
        // Full blanking rewrites the whole disc at the selected speed; minimal blanking
        // erases the PMA, lead-in and first track's pre-gap (≈ 30 s at 4x-10x).
        let d = match c.blanking_type {
            BlankingType::Full => {
                let x = self.speed_def().map_or(4.0, |s| s.x);
                let per_s = x_to_sectors_per_second(self.family(), x).unwrap_or(300);
                Duration::from_secs_f64(f64::from(self.disc.capacity) / f64::from(per_s.max(1)))
            }
            _ => Duration::from_secs(30),
        };
        self.take_time(d, c.immed, BusyKind::Operation, timeout)?;
        Ok(Reply::Done(0))
    }
}
