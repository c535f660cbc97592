//! Disc, track and TOC information: READ DISC INFORMATION, READ TRACK INFORMATION,
//! READ TOC/PMA/ATIP (MMC-6 §6.22, §6.27, §6.26).

use crate::check::Check;
use crate::media::{Media, DVD_RW_RO_BLOCKING};
use crate::model::{DiscStatus, SessionState, Track};
use discburn_mmc::disc::{
    Atip, AtipDiscType, BgFormatStatus, DiscInformation, DiscInformationType,
    DiscStatus as WireDiscStatus, Msf, ReadDiscInformation, ReadTocPmaAtip, SessionInfo,
    SessionState as WireSessionState, Toc, TocFormat, TocTrack, LEAD_OUT_TRACK,
};
use discburn_mmc::mode::WriteType;
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
            d.media.base(),
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
        if d.media.base() == Media::DvdPlusRw && d.format.is_some() {
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
            // A restricted overwrite DVD-RW is one fixed-packet track of 16-sector
            // packets (MMC-6 §4.5.4.2); growisofs refuses to write it otherwise ("track
            // is not formatted for fixed packet size").
            if d.restricted_overwrite() {
                t.packet = true;
                t.fp = true;
                t.fixed_packet_size = DVD_RW_RO_BLOCKING;
            }
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
            r.packet = d.media.base() == Media::DvdMinusR
                && self.wp.write_type == WriteType::PacketIncremental;
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
        let r = if d.media.base() == Media::CdRw {
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
}
