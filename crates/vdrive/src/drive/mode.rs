//! Mode pages: MODE SENSE(10) / MODE SELECT(10) of the Read/Write Error Recovery (01h),
//! Write Parameters (05h) and Capabilities (2Ah) pages (SPC-4 §6.11, §6.13; MMC-6 §7).

use crate::check::Check;
use crate::control::Fault;
use discburn_mmc::mode::{
    mode_sense_answer, CapabilitiesPage, CapabilitiesWriteSpeed, DataBlockType, ErrorRecoveryPage,
    ModeHeader10, ModePage, ModePages, ModeSelect10, ModeSense10, MultiSession, PageControl,
    WriteParametersPage, WriteType, ALL_PAGES, MODE_HEADER10_LEN,
};
use discburn_mmc::sense::Asc;
use discburn_mmc::speed::x_to_kbps;
use discburn_mmc::{wire, DataPhase};

use super::{default_write_params, emit_with, parse, Fail, Outcome, Reply, VirtualDrive};

impl VirtualDrive {
    /// SPC-4 §6.11 MODE SENSE(10) of pages 01h, 05h, 2Ah (or all of them).
    pub(super) fn mode_sense10(&mut self, cdb: &[u8]) -> Outcome {
        let c: ModeSense10 = parse(cdb)?;
        let pages: Vec<Vec<u8>> = match c.page_code {
            0x01 | 0x05 | 0x2A if c.subpage == 0 => {
                vec![self.mode_page(c.page_code, c.pc)?]
            }
            ALL_PAGES => [0x01, 0x05, 0x2A]
                .iter()
                .map(|&p| self.mode_page(p, c.pc))
                .collect::<Result<_, _>>()?,
            _ => return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into()),
        };
        let refs: Vec<&[u8]> = pages.iter().map(|p| p.as_slice()).collect();
        Ok(Reply::Data(
            mode_sense_answer(&refs),
            usize::from(c.allocation_length),
        ))
    }

    /// SPC-4 §6.13 MODE SELECT(10).
    pub(super) fn mode_select10(&mut self, cdb: &[u8], data: &mut DataPhase<'_>) -> Outcome {
        let c: ModeSelect10 = parse(cdb)?;
        let DataPhase::Out(buf) = data else {
            return Err(Check::illegal(Asc::PARAMETER_LIST_LENGTH_ERROR).into());
        };
        let len = usize::from(c.parameter_list_length);
        if len > buf.len() {
            return Err(Check::illegal(Asc::PARAMETER_LIST_LENGTH_ERROR).into());
        }
        self.mode_select(&buf[..len])?;
        Ok(Reply::Done(len))
    }

    /// One mode page in the requested page control (current, changeable mask, default).
    pub(super) fn mode_page(&self, code: u8, pc: PageControl) -> Result<Vec<u8>, Fail> {
        if pc == PageControl::Saved {
            return Err(Check::illegal(Asc::SAVING_PARAMETERS_NOT_SUPPORTED).into());
        }
        let changeable = pc == PageControl::Changeable;
        match code {
            0x01 => {
                let p = ErrorRecoveryPage {
                    ps: false,
                    error_recovery: if changeable { 0xFF } else { 0x00 },
                    read_retry_count: if changeable { 0xFF } else { 0x10 },
                    emcdr: 0,
                    write_retry_count: if changeable { 0xFF } else { 0x10 },
                    recovery_time_limit: 0,
                };
                emit_with(p.buffer_len(), |b| p.emit(b))
            }
            0x05 => {
                let p = match pc {
                    PageControl::Changeable => WriteParametersPage {
                        bufe: true,
                        ls_v: false,
                        test_write: true,
                        write_type: WriteType::Unknown(0x0F),
                        multi_session: MultiSession::Unknown(0x03),
                        fp: true,
                        copy: true,
                        track_mode: 0x0F,
                        data_block_type: DataBlockType::Unknown(0x0F),
                        link_size: 0xFF,
                        packet_size: u32::MAX,
                        audio_pause_length: u16::MAX,
                        ..WriteParametersPage::default()
                    },
                    PageControl::Default => default_write_params(self.disc.media),
                    _ => self.wp,
                };
                emit_with(p.buffer_len(), |b| p.emit(b))
            }
            0x2A => {
                let p = if changeable {
                    CapabilitiesPage::default()
                } else {
                    self.capabilities_page()
                };
                emit_with(p.buffer_len(), |b| p.emit(b))
            }
            _ => Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into()),
        }
    }

    /// Mode page 2Ah: what this drive reads and writes, buffer, speeds.
    pub(super) fn capabilities_page(&self) -> CapabilitiesPage {
        let fam = self.family();
        let speeds: Vec<CapabilitiesWriteSpeed> = self
            .spec()
            .write_speeds
            .iter()
            .rev()
            .map(|s| CapabilitiesWriteSpeed {
                rotation: s.rotation.wrc(),
                write_kbps: x_to_kbps(fam, s.x).unwrap_or(0).min(0xFFFF) as u16,
            })
            .collect();
        let cur = self.write_kbps().min(0xFFFF) as u16;
        CapabilitiesPage {
            // CD-R, CD-RW, DVD-ROM, DVD-R, DVD-RAM read; CD-R, CD-RW, test write, DVD-R, DVD-RAM write.
            read: 0x3B,
            write: 0x37,
            // BUF (underrun-free), tray loading, eject, lock.
            mechanism: [0x80, 0x00, 0x29, 0x00],
            max_read_kbps: self.max_read_kbps().min(0xFFFF) as u16,
            buffer_size_kib: (self.buffer.capacity() / 1024).min(0xFFFF) as u16,
            current_read_kbps: self.read_kbps().min(0xFFFF) as u16,
            max_write_kbps: speeds.first().map_or(0, |s| s.write_kbps),
            current_write_kbps_legacy: cur,
            rotation: self
                .speed_def()
                .map_or(discburn_mmc::speed::RotationControl::Clv, |s| {
                    s.rotation.wrc()
                }),
            current_write_kbps: cur,
            write_speeds: speeds,
            ..CapabilitiesPage::default()
        }
    }

    /// MODE SELECT(10): the Write Parameters page is validated against the medium and
    /// kept; page 01h is accepted; anything else is an invalid parameter.
    pub(super) fn mode_select(&mut self, list: &[u8]) -> Result<(), Fail> {
        if list.len() < MODE_HEADER10_LEN {
            return Err(Check::illegal(Asc::PARAMETER_LIST_LENGTH_ERROR).into());
        }
        let header = ModeHeader10::parse(list)
            .map_err(|_| Fail::Check(Check::illegal(Asc::PARAMETER_LIST_LENGTH_ERROR)))?;
        let skip = MODE_HEADER10_LEN + usize::from(header.block_descriptor_length);
        if skip > list.len() {
            return Err(Check::illegal(Asc::PARAMETER_LIST_LENGTH_ERROR).into());
        }
        // MODE SELECT's Mode Data Length is reserved (zero): walk the pages as if it
        // covered the whole list.
        let mut walk = list.to_vec();
        wire::put_be16(
            &mut walk,
            0,
            (list.len() - 2).min(usize::from(u16::MAX)) as u16,
        );
        let mut new_wp = None;
        for page in ModePages::new(&walk) {
            if !page.is_complete() {
                return Err(Check::illegal(Asc::PARAMETER_LIST_LENGTH_ERROR).into());
            }
            match page.page_code() {
                0x05 => {
                    let p = WriteParametersPage::parse(page.bytes()).map_err(|_| {
                        Fail::Check(Check::illegal(Asc::INVALID_FIELD_IN_PARAMETER_LIST))
                    })?;
                    self.check_write_params(&p)?;
                    new_wp = Some(p);
                }
                0x01 => {
                    ErrorRecoveryPage::parse(page.bytes()).map_err(|_| {
                        Fail::Check(Check::illegal(Asc::INVALID_FIELD_IN_PARAMETER_LIST))
                    })?;
                }
                _ => return Err(Check::illegal(Asc::INVALID_FIELD_IN_PARAMETER_LIST).into()),
            }
        }
        if let Some(p) = new_wp {
            self.wp = WriteParametersPage { ps: false, ..p };
        }
        Ok(())
    }

    /// Rules a drive applies to a Write Parameters page for the medium inserted; DVD+R/RW,
    /// DVD-RAM and BD drives accept the page and ignore it.
    pub(super) fn check_write_params(&self, p: &WriteParametersPage) -> Result<(), Fail> {
        let wt = u8::from(p.write_type);
        let rejected = self.control.lock().faults.iter().any(|f| match f {
            Fault::RejectWriteMode(None) => true,
            Fault::RejectWriteMode(Some(t)) => *t == wt,
            _ => false,
        });
        if rejected {
            return Err(Check::illegal(Asc::INVALID_FIELD_IN_PARAMETER_LIST).into());
        }
        if !self.spec().uses_write_parameters {
            return Ok(());
        }
        let ok = if self.disc.media.is_cd() {
            matches!(
                p.write_type,
                WriteType::PacketIncremental | WriteType::Tao | WriteType::SaoDao | WriteType::Raw
            ) && matches!(p.data_block_type.block_size(), Some(2048) | Some(2352))
        } else {
            // DVD-R: incremental or DAO; no TAO/raw.
            matches!(
                p.write_type,
                WriteType::PacketIncremental | WriteType::SaoDao
            )
        };
        if ok {
            Ok(())
        } else {
            Err(Check::illegal(Asc::INVALID_FIELD_IN_PARAMETER_LIST).into())
        }
    }
}
