//! Disc, track and TOC information: READ DISC INFORMATION, READ TRACK INFORMATION,
//! READ TOC/PMA/ATIP (MMC-6 §6.22, §6.27, §6.26).

use crate::check::Check;
use crate::media::Media;
use crate::media_id::MediaId;
use crate::model::{DiscStatus, SessionState, Track};
use discburn_mmc::disc::{
    id_field, AdipInformation, Atip, AtipDiscType, BdDiscInformation, BgFormatStatus, BookType,
    DiscInformation, DiscInformationType, DiscStatus as WireDiscStatus, DiscStructureMedia,
    DvdPhysicalFormat, DvdPrePit, Msf, ReadDiscInformation, ReadDiscStructure, ReadTocPmaAtip,
    SessionInfo, SessionState as WireSessionState, StructureList, StructureListEntry, Toc,
    TocFormat, TocTrack, LEAD_OUT_TRACK,
};
use discburn_mmc::mode::WriteType;
use discburn_mmc::profile::MediaFamily;
use discburn_mmc::sense::Asc;
use discburn_mmc::track::{
    DataMode, ReadTrackInformation, TrackAddress, TrackInformation, INVISIBLE_TRACK,
};

use super::{emit_with, parse, Fail, Outcome, Reply, VirtualDrive};

impl VirtualDrive {
    /// MMC-6 §6.22 READ DISC INFORMATION (standard disc information only).
    pub(super) fn read_disc_information(&mut self, cdb: &[u8]) -> Outcome {
        let c: ReadDiscInformation = parse(cdb)?;
        if c.data_type != DiscInformationType::Standard {
            return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into());
        }
        let r = self.disc_information();
        Ok(Reply::Data(
            emit_with(r.buffer_len(), |b| r.emit(b))?,
            usize::from(c.alloc),
        ))
    }

    /// MMC-6 §6.27 READ TRACK INFORMATION.
    pub(super) fn read_track_information(&mut self, cdb: &[u8]) -> Outcome {
        let c: ReadTrackInformation = parse(cdb)?;
        let r = self.track_information(c.address, c.open)?;
        Ok(Reply::Data(
            emit_with(r.buffer_len(), |b| r.emit(b))?,
            usize::from(c.alloc),
        ))
    }

    /// MMC-6 §6.26 READ TOC/PMA/ATIP.
    pub(super) fn read_toc_pma_atip(&mut self, cdb: &[u8]) -> Outcome {
        let c: ReadTocPmaAtip = parse(cdb)?;
        self.read_toc(&c)
    }

    // Disc and track information
    pub(super) fn cd_address(&self, lba: u32) -> u32 {
        if self.disc.media.is_cd() {
            Msf::from_lba(lba as i32).to_address()
        } else {
            lba
        }
    }

    pub(super) fn disc_information(&self) -> DiscInformation {
        let d = self.view();
        let mut r = DiscInformation::blank(self.cd_address(d.capacity));
        r.erasable = matches!(
            d.media,
            Media::CdRw | Media::DvdPlusRw | Media::DvdRam | Media::BdRe | Media::DvdMinusRw
        );
        r.disc_status = match d.disc_status() {
            DiscStatus::Empty => WireDiscStatus::Empty,
            DiscStatus::Incomplete => WireDiscStatus::Incomplete,
            DiscStatus::Complete => WireDiscStatus::Complete,
            DiscStatus::Other => WireDiscStatus::Other,
        };
        r.last_session_state = match d.last_session_state() {
            SessionState::Empty => WireSessionState::Empty,
            SessionState::Incomplete => WireSessionState::Incomplete,
            SessionState::Complete => WireSessionState::Complete,
        };
        r.sessions = d.sessions().min(u32::from(u16::MAX)) as u16;
        let last_session = d.sessions();
        let in_last: Vec<&Track> = d
            .tracks
            .iter()
            .filter(|t| t.session == last_session)
            .collect();
        let last_track = d.tracks.last().map_or(1, |t| t.number) as u16;
        r.first_track_in_last_session = in_last.first().map_or(last_track, |t| t.number as u16);
        r.last_track_in_last_session = in_last.last().map_or(last_track, |t| t.number as u16);
        if d.media == Media::DvdPlusRw && d.format.is_some() {
            r.bg_format_status = BgFormatStatus::Completed;
        }
        r.disc_id = None;
        if let Some(inv) = d.invisible() {
            // Next session's lead-in start (CD: MSF) while the disc is appendable.
            r.last_session_lead_in_start = self.cd_address(inv.start);
        } else if d.finalized {
            r.last_session_lead_in_start = 0xFFFF_FFFF;
            r.last_possible_lead_out_start = 0xFFFF_FFFF;
        }
        r
    }

    pub(super) fn track_information(
        &self,
        address: TrackAddress,
        _open: bool,
    ) -> Result<TrackInformation, Fail> {
        let d = self.view();
        if d.is_random() {
            let n = match address {
                TrackAddress::Lba(l) if l < d.capacity => 1,
                TrackAddress::Track(1) | TrackAddress::Session(1) => 1,
                TrackAddress::Track(INVISIBLE_TRACK) => 1,
                _ => return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into()),
            };
            let mut t = TrackInformation::blank_track(n, 1, 0, d.capacity);
            t.blank = d.format.is_none();
            t.nwa = None;
            t.free_blocks = 0;
            t.track_mode = 7;
            t.last_recorded = d.format.map(|_| d.capacity.saturating_sub(1));
            return Ok(t);
        }
        let t = match address {
            TrackAddress::Lba(l) => d.track_at(l),
            TrackAddress::Track(INVISIBLE_TRACK) => d.invisible(),
            TrackAddress::Track(n) => d.track(n),
            TrackAddress::Session(s) => d.tracks.iter().find(|t| t.session == s),
        }
        .ok_or(Fail::Check(Check::illegal(Asc::INVALID_FIELD_IN_CDB)))?;
        let cap = d.capacity;
        let mut r =
            TrackInformation::blank_track(t.number as u16, t.session as u16, t.start, t.size(cap));
        r.blank = t.written == 0 && !t.closed;
        r.rt = t.reserved.is_some() && !t.closed;
        r.damage = t.damaged;
        r.free_blocks = t.free(cap);
        r.nwa = (!t.closed && t.free(cap) > 0).then(|| t.nwa());
        r.last_recorded = (t.written > 0).then(|| t.nwa() - 1);
        if d.media.is_cd() {
            r.track_mode = if t.audio { 0 } else { 4 };
            r.data_mode = if t.audio {
                DataMode::Unspecified
            } else {
                DataMode::Mode1
            };
            r.packet = self.wp.write_type == WriteType::PacketIncremental;
        } else {
            r.track_mode = 7;
            r.packet =
                d.media == Media::DvdMinusR && self.wp.write_type == WriteType::PacketIncremental;
        }
        if t.is_invisible() {
            r.size = t.size(cap);
        }
        Ok(r)
    }

    pub(super) fn read_toc(&self, c: &ReadTocPmaAtip) -> Outcome {
        if c.format == TocFormat::Atip {
            return self.read_atip(usize::from(c.alloc));
        }
        let d = self.view();
        let recorded: Vec<&Track> = d
            .tracks
            .iter()
            .filter(|t| t.written > 0 || t.closed)
            .collect();
        if recorded.is_empty() && !d.is_random() {
            return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into());
        }
        let addr = |lba: u32| {
            if c.msf {
                Msf::from_lba(lba as i32).to_address()
            } else {
                lba
            }
        };
        let control = |t: &Track| {
            if t.audio {
                0
            } else if t.closed {
                4
            } else {
                5
            }
        };
        let alloc = usize::from(c.alloc);
        match c.format {
            TocFormat::Toc => {
                let mut tracks: Vec<TocTrack> = recorded
                    .iter()
                    .filter(|t| t.number >= u32::from(c.track_session).max(1))
                    .map(|t| TocTrack {
                        adr: 1,
                        control: control(t),
                        track: t.number as u8,
                        address: addr(t.start),
                    })
                    .collect();
                if d.is_random() && d.format.is_some() {
                    tracks.push(TocTrack {
                        adr: 1,
                        control: 4,
                        track: 1,
                        address: addr(0),
                    });
                }
                if tracks.is_empty() && c.track_session != LEAD_OUT_TRACK {
                    return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into());
                }
                let first = recorded.first().map_or(1, |t| t.number as u8);
                let last = recorded.last().map_or(1, |t| t.number as u8);
                tracks.push(TocTrack {
                    adr: 1,
                    control: 4,
                    track: LEAD_OUT_TRACK,
                    address: addr(d.recorded_end()),
                });
                let r = Toc {
                    first_track: first,
                    last_track: last,
                    tracks,
                };
                Ok(Reply::Data(
                    emit_with(r.buffer_len(), |b| r.emit(b))?,
                    alloc,
                ))
            }
            TocFormat::SessionInfo => {
                let complete = d.closed_sessions.max(1);
                let first_of_last = recorded
                    .iter()
                    .find(|t| t.session == complete)
                    .or(recorded.first())
                    .map(|t| TocTrack {
                        adr: 1,
                        control: control(t),
                        track: t.number as u8,
                        address: addr(t.start),
                    });
                let r = SessionInfo {
                    first_session: 1,
                    last_session: complete.min(255) as u8,
                    last_session_first_track: first_of_last,
                };
                Ok(Reply::Data(
                    emit_with(r.buffer_len(), |b| r.emit(b))?,
                    alloc,
                ))
            }
            TocFormat::CdText => self.read_cd_text(alloc),
            _ => Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into()),
        }
    }

    /// READ TOC/PMA/ATIP format 4 (MMC-6 §6.26.2.6): the ATIP of a CD-R/RW, blank or
    /// recorded — start of lead-in from the disc's identity, the blank disc's last
    /// possible lead-out; a CD-R of sub-type 3 (medium type A+) without speed codes, a
    /// CD-RW of sub-type 2 (ultra speed) with its lowest and highest write speed in A1
    /// and A2. Media without an ATIP (DVD, BD, pressed CDs) answer 05/24/00.
    fn read_atip(&self, alloc: usize) -> Outcome {
        let d = self.view();
        let lead_in_start = match (d.media, d.identity().and_then(|id| id.lead_in())) {
            (Media::CdR | Media::CdRw, Some(l)) => l,
            _ => return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into()),
        };
        let spec = d.media.spec();
        let last_lead_out_start = Msf::from_lba(spec.capacity as i32);
        let r = if d.media == Media::CdRw {
            let code = |x: f64| Atip::speed_code(AtipDiscType::CdRw, 2, x as u8).unwrap_or(0);
            let slowest = spec.write_speeds.first().map_or(0, |s| code(s.x));
            let fastest = spec.write_speeds.last().map_or(0, |s| code(s.x));
            let speeds = slowest << 4 | fastest;
            Atip {
                writing_power: 4,
                ddcd: false,
                reference_speed: 0,
                unrestricted: false,
                disc_type: AtipDiscType::CdRw,
                disc_sub_type: 2,
                lead_in_start,
                last_lead_out_start,
                // Power multiplication 4, target y 5; erase/write power ratio 1.
                a1: Some([speeds, 0x4A, 0x90]),
                a2: Some([speeds, 0x80, 0x00]),
                a3: None,
            }
        } else {
            Atip {
                writing_power: 5,
                ddcd: false,
                reference_speed: 0,
                unrestricted: false,
                disc_type: AtipDiscType::CdR,
                disc_sub_type: 3,
                lead_in_start,
                last_lead_out_start,
                a1: None,
                a2: None,
                a3: None,
            }
        };
        Ok(Reply::Data(
            emit_with(r.buffer_len(), |b| r.emit(b))?,
            alloc,
        ))
    }

    /// The DVD/BD identity of the disc: manufacturer, media type, revision.
    fn code_identity(&self) -> Option<(String, String, u8)> {
        match self.view().identity()? {
            MediaId::Code {
                manufacturer,
                media_type,
                revision,
            } => Some((manufacturer, media_type, revision)),
            MediaId::LeadIn { .. } => None,
        }
    }

    /// The BD disc information: BD-R/RE the 112-byte unit with the disc's identity,
    /// BD-ROM the 64-byte unit.
    fn bd_disc_information(&self) -> BdDiscInformation {
        let media = self.disc.media;
        let id = match media {
            Media::BdRe => *b"BDW",
            Media::BdRom => *b"BDO",
            _ => *b"BDR",
        };
        match self.code_identity() {
            Some((m, t, rev)) if media != Media::BdRom => BdDiscInformation::recordable(
                id,
                id_field(&m).unwrap_or_default(),
                id_field(&t).unwrap_or_default(),
                rev,
            ),
            _ => BdDiscInformation::single_layer(id),
        }
    }

    /// READ DISC STRUCTURE format 0Eh of a DVD-R/-RW: the pre-pit manufacturer ID.
    fn dvd_pre_pit(&self) -> Option<DvdPrePit> {
        matches!(self.disc.media, Media::DvdMinusR | Media::DvdMinusRw)
            .then(|| self.code_identity())
            .flatten()
            .and_then(|(m, _, _)| DvdPrePit::with_manufacturer(&m))
    }

    /// READ DISC STRUCTURE format 11h of a DVD+R/+RW: the ADIP identity.
    fn adip(&self) -> Option<AdipInformation> {
        let book = match self.disc.media {
            Media::DvdPlusR => BookType::DvdPlusR,
            Media::DvdPlusRw => BookType::DvdPlusRw,
            _ => return None,
        };
        let (m, t, product_revision) = self.code_identity()?;
        Some(AdipInformation {
            disc_category: u8::from(book) << 4 | 1,
            manufacturer_id: id_field(&m)?,
            media_type_id: id_field(&t)?,
            product_revision,
        })
    }

    /// MMC-6 §6.23 READ DISC STRUCTURE: DVD format 00h (physical format information) and
    /// BD format 00h (disc information) from the medium model, 0Eh (DVD-R pre-pits) and
    /// 11h (DVD+R/+RW ADIP) with the disc's identity, and format FFh (the list of those)
    /// on both. A CD, or a media type that is not the loaded medium's family,
    /// answers 05/30/02; other formats or layers 05/24/00.
    pub(super) fn read_disc_structure(&self, cdb: &[u8]) -> Outcome {
        let c = parse::<ReadDiscStructure>(cdb)?;
        let media = self.disc.media;
        let family = media.spec().family;
        let matches = matches!(
            (family, c.media_type),
            (MediaFamily::Dvd, DiscStructureMedia::Dvd) | (MediaFamily::Bd, DiscStructureMedia::Bd)
        );
        if !matches {
            return Err(Check::illegal(Asc::CANNOT_READ_MEDIUM_INCOMPATIBLE_FORMAT).into());
        }
        if c.layer != 0 {
            return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into());
        }
        let out = |len: usize, f: &dyn Fn(&mut [u8]) -> discburn_mmc::wire::Result<usize>| {
            let mut v = vec![0u8; len];
            let n =
                f(&mut v).map_err(|_| Fail::Check(Check::illegal(Asc::INVALID_FIELD_IN_CDB)))?;
            v.truncate(n);
            Ok::<_, Fail>(Reply::Data(v, usize::from(c.alloc)))
        };
        let pfi_len = match family {
            MediaFamily::Bd => self.bd_disc_information().units.len(),
            _ => DvdPhysicalFormat::DESCRIPTOR_LEN,
        };
        let pre_pit = self.dvd_pre_pit();
        let adip = self.adip();
        if let (DvdPrePit::FORMAT, Some(r)) = (c.format, &pre_pit) {
            return out(r.buffer_len(), &|b| r.emit(b));
        }
        if let (AdipInformation::FORMAT, Some(r)) = (c.format, &adip) {
            return out(r.buffer_len(), &|b| r.emit(b));
        }
        match c.format {
            0x00 if family == MediaFamily::Bd => {
                let r = self.bd_disc_information();
                out(r.buffer_len(), &|b| r.emit(b))
            }
            0x00 => {
                let book = match media {
                    Media::DvdMinusR => BookType::DvdMinusR,
                    Media::DvdMinusRw => BookType::DvdMinusRw,
                    Media::DvdPlusR => BookType::DvdPlusR,
                    Media::DvdPlusRw => BookType::DvdPlusRw,
                    Media::DvdRam => BookType::DvdRam,
                    _ => BookType::DvdRom,
                };
                let r = DvdPhysicalFormat::single_layer(book, self.disc.capacity);
                out(r.buffer_len(), &|b| r.emit(b))
            }
            StructureList::FORMAT => {
                let readable = |format: u8, length: usize| StructureListEntry {
                    format,
                    sds: false,
                    rds: true,
                    length: length as u16,
                };
                let mut entries = vec![readable(0x00, pfi_len)];
                if pre_pit.is_some() {
                    entries.push(readable(DvdPrePit::FORMAT, DvdPrePit::BODY_LEN));
                }
                if adip.is_some() {
                    entries.push(readable(AdipInformation::FORMAT, AdipInformation::BODY_LEN));
                }
                let list_len = (entries.len() + 1) * StructureList::ENTRY_LEN;
                entries.push(readable(StructureList::FORMAT, list_len));
                let r = StructureList { entries };
                out(r.buffer_len(), &|b| r.emit(b))
            }
            _ => Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into()),
        }
    }
}
