//! Identity, sense, tray and feature commands: TEST UNIT READY, INQUIRY, REQUEST SENSE,
//! START STOP UNIT, PREVENT ALLOW MEDIUM REMOVAL, GET CONFIGURATION, GET EVENT STATUS
//! NOTIFICATION (SPC-4 §6; MMC-6 §6.6, §6.7, §6.36).

use crate::check::Check;
use crate::control::Fault;
use crate::features;
use discburn_mmc::config::GetConfiguration;
use discburn_mmc::device::{
    Inquiry, InquiryData, MechanismStatus, MechanismStatusData, PreventAllowMediumRemoval,
    RequestSense, StartStopUnit, TestUnitReady,
};
use discburn_mmc::event::{
    EventClasses, EventStatus, GetEventStatusNotification, MediaEvent, MediaEventCode,
    NotificationClass,
};
use discburn_mmc::sense::{Asc, Sense, SenseKey};
use discburn_mmc::vpd::{self, VpdPage};

use super::{
    emit_with, parse, Outcome, Reply, VirtualDrive, INQUIRY_PRODUCT, INQUIRY_REVISION,
    INQUIRY_VENDOR,
};

impl VirtualDrive {
    /// SPC-4 §6.47 TEST UNIT READY: GOOD once the gates pass.
    pub(super) fn test_unit_ready(&mut self, cdb: &[u8]) -> Outcome {
        parse::<TestUnitReady>(cdb)?;
        Ok(Reply::Done(0))
    }

    /// SPC-4 §6.6 INQUIRY: standard data of an MMC drive, or VPD pages 00h, 80h, 83h.
    pub(super) fn inquiry(&mut self, cdb: &[u8]) -> Outcome {
        let c: Inquiry = parse(cdb)?;
        if c.evpd {
            let serial = self.serial_number();
            let p = match c.page_code {
                vpd::page::SUPPORTED => VpdPage::Supported(vec![
                    vpd::page::SUPPORTED,
                    vpd::page::UNIT_SERIAL,
                    vpd::page::DEVICE_ID,
                ]),
                vpd::page::UNIT_SERIAL => VpdPage::UnitSerial(serial),
                vpd::page::DEVICE_ID => VpdPage::DeviceId {
                    vendor: INQUIRY_VENDOR.into(),
                    specific: format!("{INQUIRY_PRODUCT} {serial}"),
                },
                _ => return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into()),
            };
            return Ok(Reply::Data(
                emit_with(p.buffer_len(), |b| p.emit(b))?,
                usize::from(c.alloc),
            ));
        }
        if c.page_code != 0 {
            return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into());
        }
        let r = InquiryData::mmc(INQUIRY_VENDOR, INQUIRY_PRODUCT, INQUIRY_REVISION);
        Ok(Reply::Data(
            emit_with(r.buffer_len(), |b| r.emit(b))?,
            usize::from(c.alloc),
        ))
    }

    /// A serial number stable for the image (FNV-1a of its path): two drives over two
    /// images differ, the same image keeps its identity across restarts.
    fn serial_number(&self) -> String {
        let path = self.cfg.path.to_string_lossy();
        let h = path.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        format!("{h:016X}")
    }

    /// SPC-4 §6.39 REQUEST SENSE: the sense the drive holds (a pending unit attention, no
    /// medium, or the progress of a background operation), otherwise NO SENSE.
    pub(super) fn request_sense(&mut self, cdb: &[u8]) -> Outcome {
        let c: RequestSense = parse(cdb)?;
        // The sense a drive holds: a pending unit attention, no medium, or the
        // progress of a background operation; otherwise NO SENSE.
        let now = self.clock.now();
        let held = self
            .unit_attention
            .take()
            .or_else(|| (!self.present).then_some(Check::not_ready(Asc::MEDIUM_NOT_PRESENT)))
            .or_else(|| self.busy_check(now));
        let mut s = match held {
            Some(h) => h.sense(),
            None => Sense::new(SenseKey::NoSense, 0, 0),
        };
        if c.desc {
            s = s.in_descriptor_format();
        }
        Ok(Reply::Data(
            emit_with(s.buffer_len(), |b| s.emit(b))?,
            usize::from(c.alloc),
        ))
    }

    /// SBC/MMC-6 §6.39 START STOP UNIT: load and eject (refused while the tray is locked).
    pub(super) fn start_stop_unit(&mut self, cdb: &[u8]) -> Outcome {
        let c: StartStopUnit = parse(cdb)?;
        if c.load_eject {
            if c.start {
                if !self.present {
                    self.present = true;
                    self.unit_attention = Some(Check::unit_attention(Asc::MEDIUM_MAY_HAVE_CHANGED));
                    self.media_event = Some(MediaEventCode::NewMedia);
                    self.control
                        .lock()
                        .faults
                        .retain(|f| *f != Fault::MediumRemoved);
                }
            } else {
                if self.prevent {
                    return Err(Check::illegal(Asc::MEDIUM_REMOVAL_PREVENTED).into());
                }
                self.buffer.flush();
                self.reader.park(0);
                if self.dirty {
                    self.save_checked()?;
                }
                self.present = false;
                self.media_event = Some(MediaEventCode::MediaRemoval);
            }
        }
        Ok(Reply::Done(0))
    }

    /// SPC-4 §6.14 PREVENT ALLOW MEDIUM REMOVAL: the tray lock.
    pub(super) fn prevent_allow_medium_removal(&mut self, cdb: &[u8]) -> Outcome {
        let c: PreventAllowMediumRemoval = parse(cdb)?;
        self.prevent = c.prevent;
        Ok(Reply::Done(0))
    }

    /// MMC-6 §6.6 GET CONFIGURATION: the profile list and features of the loaded medium.
    pub(super) fn get_configuration(&mut self, cdb: &[u8]) -> Outcome {
        let c: GetConfiguration = parse(cdb)?;
        let v = features::configuration(self.view(), self.present).respond(&c);
        Ok(Reply::Data(v, usize::from(c.allocation_length)))
    }

    /// MMC-6 §6.7 GET EVENT STATUS NOTIFICATION (polled): media events.
    pub(super) fn get_event_status_notification(&mut self, cdb: &[u8]) -> Outcome {
        let c: GetEventStatusNotification = parse(cdb)?;
        if !c.polled {
            return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into());
        }
        let r = if c.classes.has(NotificationClass::Media) {
            let code = self.media_event.take().unwrap_or(MediaEventCode::NoChange);
            EventStatus::media(
                MediaEvent {
                    code,
                    media_present: self.present,
                    door_open: false,
                    start_slot: 0,
                    end_slot: 0,
                },
                EventClasses::MEDIA,
            )
        } else {
            EventStatus {
                nea: true,
                class: NotificationClass::NoRequestedClass,
                supported: EventClasses::MEDIA,
                descriptor: None,
            }
        };
        Ok(Reply::Data(
            emit_with(r.buffer_len(), |b| r.emit(b))?,
            usize::from(c.alloc),
        ))
    }

    /// MMC-6 §6.11 MECHANISM STATUS: a single drive, door closed, no changer.
    pub(super) fn mechanism_status(&self, cdb: &[u8]) -> Outcome {
        let c = parse::<MechanismStatus>(cdb)?;
        let r = MechanismStatusData::single_drive();
        Ok(Reply::Data(
            emit_with(r.buffer_len(), |b| r.emit(b))?,
            usize::from(c.alloc),
        ))
    }
}
