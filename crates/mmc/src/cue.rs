//! CD Session-At-Once: SEND CUE SHEET and the cue sheet it carries (MMC-6 §6.36, cue
//! sheet format in §6.36.3), plus the cue sheet a data SAO burn sends
//! ([`CueSheet::single_data_track`]) and the session layout a cue sheet describes
//! ([`CueSheet::layout`]), which is what a drive checks before it accepts the sheet.
//!
//! A cue sheet is a list of 8-byte entries; each position entry (ADR 1) names a track
//! (TNO 00h = lead-in, 01h–63h, AAh = lead-out), an index (00h = pre-gap, 01h = track
//! start), the data form the host sends for the sectors from that point on, and the
//! absolute time (MSF, 00:02:00 = LBA 0) where the point begins. Track numbers, indices
//! and times are binary, not BCD. ADR 2 (catalog number) and ADR 3 (ISRC) entries carry
//! text instead of a position and are kept as they are.
//!
//! As everywhere in this crate, the view's accessors never panic, [`CueSheet::parse`]
//! reads only the bytes transferred (whole entries, never more than [`MAX_ENTRIES`]), and
//! the semantic checks live in [`CueSheet::layout`].

use crate::disc::{Msf, LEAD_OUT_TRACK};
use crate::wire::{self, check_room, put_u8, u8_at};

crate::command! {
    /// MMC-6 §6.36 SEND CUE SHEET: the Data-Out phase carries a [`CueSheet`] of
    /// `cue_sheet_size` bytes. Sent after page 05h selects write type SAO (2) and before the
    /// first WRITE of the session.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct SendCueSheet: OpCode::SendCueSheet, 10 bytes;
    {
        /// Cue Sheet Size (bytes 6–8), in bytes: 8 per entry. Only the low 24 bits are sent.
        pub cue_sheet_size: u32 = be24(6),
    }
}

impl SendCueSheet {
    /// The CDB announcing `sheet`.
    pub fn for_sheet(sheet: &CueSheet) -> Self {
        SendCueSheet {
            cue_sheet_size: sheet.buffer_len().min(0xFF_FFFF) as u32,
        }
    }
}

/// Track number (TNO) of the lead-in in a cue sheet.
pub const LEAD_IN_TRACK: u8 = 0x00;
/// Bytes per cue sheet entry.
pub const ENTRY_LEN: usize = 8;
/// Most entries a cue sheet can meaningfully hold: the lead-in, 99 tracks with indices
/// 00h–63h each, and the lead-out (plus ADR 2/3 entries: one catalog, one ISRC per
/// track). Longer sheets are refused rather than stored.
pub const MAX_ENTRIES: usize = 1 + 99 * 100 + 1 + 1 + 99;
/// The pre-gap in front of the first track of a session: 2 seconds (150 sectors), the
/// Red Book minimum MMC-6 prescribes.
pub const FIRST_PREGAP: u32 = 150;
/// Shortest track a drive accepts: 4 seconds (300 sectors).
pub const MIN_TRACK_SECTORS: u32 = 300;

crate::wire_enum! {
    /// Main data form (cue sheet entry byte 3 bits 0–5, MMC-6 Table "Data Form"): what the
    /// host sends per sector from this point on, or that the drive generates the sectors.
    pub enum DataForm: u8 & 0x3F {
        /// 00h: CD-DA, 2352 bytes from the host.
        CdDa = 0x00 => "CD-DA",
        /// 01h: CD-DA, nothing from the host (the drive generates digital silence); lead-in,
        /// lead-out and generated pre-gaps.
        CdDaGenerated = 0x01 => "CD-DA, generated",
        /// 10h: CD-ROM mode 1, 2048 user bytes from the host (the drive adds sync, header
        /// and EDC/ECC).
        Mode1 = 0x10 => "CD-ROM Mode 1",
        /// 11h: CD-ROM mode 1, the whole 2352-byte sector from the host.
        Mode1Raw = 0x11 => "CD-ROM Mode 1, raw",
        /// 14h: CD-ROM mode 1, nothing from the host (the drive generates zero sectors).
        Mode1Generated = 0x14 => "CD-ROM Mode 1, generated",
        /// Any other value, kept as received.
        Unknown => "unknown data form",
    }
}

impl DataForm {
    /// Bytes the host sends per sector in this form (0 when the drive generates the
    /// sectors), or `None` for a form this crate does not know.
    pub fn host_block_size(self) -> Option<u32> {
        match self {
            DataForm::CdDa | DataForm::Mode1Raw => Some(2352),
            DataForm::Mode1 => Some(2048),
            DataForm::CdDaGenerated | DataForm::Mode1Generated => Some(0),
            DataForm::Unknown(_) => None,
        }
    }

    /// True when the host sends the sectors (WRITE commands cover them).
    pub fn host_sends(self) -> bool {
        self.host_block_size().is_some_and(|n| n > 0)
    }

    /// True for the audio forms (00h, 01h).
    pub fn is_audio(self) -> bool {
        matches!(self, DataForm::CdDa | DataForm::CdDaGenerated)
    }
}

crate::wire_view! {
    /// A view over one 8-byte cue sheet entry; accessors never panic (bytes past the end
    /// read as 0).
    pub struct CueEntryView;
    {
        /// CTL (byte 0 bits 4–7): 4 = data track, copy bit 2, pre-emphasis bit 0 on audio.
        pub control: u8 = bits(0, 0x0F << 4),
        /// ADR (byte 0 bits 0–3): 1 = position, 2 = catalog number, 3 = ISRC.
        pub adr: u8 = bits(0, 0x0F << 0),
        /// TNO (byte 1): 00h lead-in, 01h–63h track, AAh lead-out.
        pub track: u8 = u8(1),
        /// INDEX (byte 2): 00h pre-gap, 01h–63h index points.
        pub index: u8 = u8(2),
        /// Main data form (byte 3 bits 0–5).
        pub data_form: DataForm = from(u8(3)),
        /// Sub-channel data form (byte 3 bits 6–7): 0 = none from the host.
        pub subchannel_form: u8 = bits(3, 0x03 << 6),
        /// SCMS (byte 4): bit 7 alternates the copy bit (serial copy management).
        pub scms: u8 = u8(4),
    }
}

impl<T: AsRef<[u8]>> CueEntryView<T> {
    /// Absolute time (bytes 5–7: MIN, SEC, FRAME).
    pub fn msf(&self) -> Msf {
        Msf {
            m: u8_at(self.b(), 5),
            s: u8_at(self.b(), 6),
            f: u8_at(self.b(), 7),
        }
    }
}

/// One cue sheet entry (MMC-6 §6.36.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CueEntry {
    /// CTL (byte 0 bits 4–7).
    pub control: u8,
    /// ADR (byte 0 bits 0–3).
    pub adr: u8,
    /// TNO (byte 1).
    pub track: u8,
    /// INDEX (byte 2).
    pub index: u8,
    /// Main data form (byte 3 bits 0–5).
    pub data_form: DataForm,
    /// Sub-channel data form (byte 3 bits 6–7).
    pub subchannel_form: u8,
    /// SCMS (byte 4).
    pub scms: u8,
    /// Absolute time of the point (bytes 5–7).
    pub msf: Msf,
}

/// CTL of a data track (digital copy not permitted): 4.
pub const CONTROL_DATA: u8 = 0x4;

impl CueEntry {
    /// A position entry (ADR 1) at `lba`.
    pub fn position(control: u8, track: u8, index: u8, data_form: DataForm, lba: i32) -> Self {
        CueEntry {
            control,
            adr: 1,
            track,
            index,
            data_form,
            subchannel_form: 0,
            scms: 0,
            msf: Msf::from_lba(lba),
        }
    }

    /// A text entry (ADR 2 catalog number, ADR 3 ISRC): `adr` and the seven bytes after
    /// CTL/ADR as they go on the wire.
    fn text(control: u8, adr: u8, bytes: [u8; 7]) -> Self {
        let mut d = [0u8; ENTRY_LEN];
        d[0] = (control & 0x0F) << 4 | (adr & 0x0F);
        d[1..].copy_from_slice(&bytes);
        CueEntry::read(&d)
    }

    /// The two ADR 2 entries carrying a disc's Media Catalog Number (13 ASCII digits,
    /// UPC/EAN): N1–N7 in the first, N8–N13 and a zero in the second (MMC-6 §6.36.3).
    pub fn catalog(control: u8, mcn: &[u8; 13]) -> [Self; 2] {
        let mut a = [0u8; 7];
        let mut b = [0u8; 7];
        a.copy_from_slice(&mcn[..7]);
        b[..6].copy_from_slice(&mcn[7..]);
        [Self::text(control, 2, a), Self::text(control, 2, b)]
    }

    /// The two ADR 3 entries carrying track `track`'s ISRC (12 characters, CCOOOYYSSSSS):
    /// TNO then I1–I6, TNO then I7–I12 (MMC-6 §6.36.3).
    pub fn isrc(control: u8, track: u8, isrc: &[u8; 12]) -> [Self; 2] {
        let mut a = [track, 0, 0, 0, 0, 0, 0];
        let mut b = a;
        a[1..].copy_from_slice(&isrc[..6]);
        b[1..].copy_from_slice(&isrc[6..]);
        [Self::text(control, 3, a), Self::text(control, 3, b)]
    }

    fn read(d: &[u8]) -> Self {
        let v = CueEntryView::new_unchecked(d);
        CueEntry {
            control: v.control(),
            adr: v.adr(),
            track: v.track(),
            index: v.index(),
            data_form: v.data_form(),
            subchannel_form: v.subchannel_form(),
            scms: v.scms(),
            msf: v.msf(),
        }
    }

    fn write(&self, d: &mut [u8]) {
        put_u8(d, 0, (self.control & 0x0F) << 4 | (self.adr & 0x0F));
        put_u8(d, 1, self.track);
        put_u8(d, 2, self.index);
        put_u8(
            d,
            3,
            (self.subchannel_form & 0x03) << 6 | u8::from(self.data_form),
        );
        put_u8(d, 4, self.scms);
        put_u8(d, 5, self.msf.m);
        put_u8(d, 6, self.msf.s);
        put_u8(d, 7, self.msf.f);
    }

    /// The LBA of a position entry's time, when the time is a valid MSF (S < 60,
    /// F < 75).
    pub fn lba(&self) -> Option<i32> {
        (self.msf.s < 60 && self.msf.f < 75).then(|| self.msf.to_lba())
    }
}

/// The cue sheet of SEND CUE SHEET (MMC-6 §6.36.3): entries in recording order, the
/// lead-in first and the lead-out last.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct CueSheet {
    /// The entries in order.
    pub entries: Vec<CueEntry>,
}

fn invalid(field: &'static str, value: u64) -> wire::Error {
    wire::Error::Invalid { field, value }
}

impl CueSheet {
    /// Parses a cue sheet from the bytes transferred: a whole number of 8-byte entries,
    /// at most [`MAX_ENTRIES`]. Entry contents are not judged here (see [`layout`]).
    ///
    /// [`layout`]: Self::layout
    pub fn parse(buf: &[u8]) -> wire::Result<Self> {
        if !buf.len().is_multiple_of(ENTRY_LEN) {
            return Err(invalid("cue sheet size", buf.len() as u64));
        }
        if buf.len() / ENTRY_LEN > MAX_ENTRIES {
            return Err(invalid(
                "cue sheet entry count",
                (buf.len() / ENTRY_LEN) as u64,
            ));
        }
        Ok(CueSheet {
            entries: buf.chunks_exact(ENTRY_LEN).map(CueEntry::read).collect(),
        })
    }

    /// Bytes [`emit`](Self::emit) writes: 8 per entry.
    pub fn buffer_len(&self) -> usize {
        self.entries.len() * ENTRY_LEN
    }

    /// Writes the entries; returns the bytes written. Fails with [`wire::Error::Invalid`]
    /// past [`MAX_ENTRIES`].
    pub fn emit(&self, buf: &mut [u8]) -> wire::Result<usize> {
        if self.entries.len() > MAX_ENTRIES {
            return Err(invalid("cue sheet entry count", self.entries.len() as u64));
        }
        let len = self.buffer_len();
        check_room(buf, len)?;
        for (e, d) in self
            .entries
            .iter()
            .zip(buf[..len].chunks_exact_mut(ENTRY_LEN))
        {
            e.write(d);
        }
        Ok(len)
    }

    /// The cue sheet of a session holding one CD-ROM mode 1 data track of `sectors`
    /// 2048-byte blocks whose index 1 is at `start` (0 on a blank disc; the NWA of the
    /// next session's first track on an appendable one), as cdrecord and libburn build
    /// it for a data SAO burn:
    ///
    /// | CTL/ADR | TNO | INDEX | DATA FORM | time |
    /// |---|---|---|---|---|
    /// | 41h | 00h lead-in | 00h | 01h (generated) | start − 150 |
    /// | 41h | 01h | 00h pre-gap | 10h (host sends 2048 B) | start − 150 |
    /// | 41h | 01h | 01h | 10h | start |
    /// | 41h | AAh lead-out | 01h | 01h (generated) | start + sectors |
    ///
    /// The host then writes from `start − 150`: the 150 pre-gap sectors (zeros), then the
    /// data. `track` is the track's number (1 on a blank disc).
    pub fn single_data_track(track: u8, start: u32, sectors: u32) -> Self {
        let start = i64::from(start);
        let at = |lba: i64| lba.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
        let pregap = at(start - i64::from(FIRST_PREGAP));
        CueSheet {
            entries: vec![
                CueEntry::position(
                    CONTROL_DATA,
                    LEAD_IN_TRACK,
                    0,
                    DataForm::CdDaGenerated,
                    pregap,
                ),
                CueEntry::position(CONTROL_DATA, track, 0, DataForm::Mode1, pregap),
                CueEntry::position(CONTROL_DATA, track, 1, DataForm::Mode1, at(start)),
                CueEntry::position(
                    CONTROL_DATA,
                    LEAD_OUT_TRACK,
                    1,
                    DataForm::CdDaGenerated,
                    at(start + i64::from(sectors)),
                ),
            ],
        }
    }

    /// Checks the sheet as a drive does before it accepts it, and returns the session it
    /// describes. The rules: the first position entry is the lead-in (TNO 00h) and the
    /// last the lead-out (TNO AAh, index 01h); tracks are numbered consecutively from
    /// their first (01h–63h), each with an optional index 00h then indices 01h, 02h, …
    /// in order; times are valid MSF and strictly increase from index point to index
    /// point (the lead-in entry's own time is not a position and is not judged: cdrdao's
    /// generic-mmc driver sends 00:02:00 there, after the first pre-gap); every track's sectors
    /// from index 01h on use one known data form the host sends, and last at least
    /// [`MIN_TRACK_SECTORS`]. ADR 2/3 entries are skipped.
    pub fn layout(&self) -> wire::Result<CueLayout> {
        let points: Vec<&CueEntry> = self.entries.iter().filter(|e| e.adr == 1).collect();
        let (lead_in, rest) = points
            .split_first()
            .ok_or(invalid("cue sheet entry count", 0))?;
        let (lead_out, body) = rest
            .split_last()
            .ok_or(invalid("cue sheet entry count", 1))?;
        if lead_in.track != LEAD_IN_TRACK {
            return Err(invalid("cue sheet lead-in TNO", u64::from(lead_in.track)));
        }
        if lead_out.track != LEAD_OUT_TRACK || lead_out.index != 1 {
            return Err(invalid("cue sheet lead-out TNO", u64::from(lead_out.track)));
        }
        let lba_of = |e: &CueEntry| {
            e.lba()
                .ok_or(invalid("cue sheet MSF", u64::from(e.msf.to_address())))
        };
        let lead_in_lba = lba_of(lead_in)?;
        let lead_out_lba = lba_of(lead_out)?;
        let mut tracks: Vec<CueTrack> = Vec::new();
        let mut prev: Option<i32> = None;
        for e in body {
            let lba = lba_of(e)?;
            if prev.is_some_and(|p| lba <= p) {
                return Err(invalid(
                    "cue sheet time order",
                    u64::from(e.msf.to_address()),
                ));
            }
            prev = Some(lba);
            let new_track = tracks.last().is_none_or(|t| t.number != e.track);
            if new_track {
                let expect = tracks.last().map_or(e.track, |t| t.number.wrapping_add(1));
                if e.track != expect || !(1..=99).contains(&e.track) {
                    return Err(invalid("cue sheet TNO", u64::from(e.track)));
                }
                if e.index > 1 {
                    return Err(invalid("cue sheet INDEX", u64::from(e.index)));
                }
                if let Some(t) = tracks.last_mut() {
                    t.end = lba;
                }
                tracks.push(CueTrack {
                    number: e.track,
                    control: e.control,
                    pregap: (e.index == 0).then_some((lba, e.data_form)),
                    start: lba,
                    end: lba,
                    data_form: e.data_form,
                    last_index: e.index,
                });
                continue;
            }
            let t = tracks.last_mut().ok_or(invalid("cue sheet TNO", 0))?;
            if e.index != t.last_index.wrapping_add(1) {
                return Err(invalid("cue sheet INDEX", u64::from(e.index)));
            }
            if e.index == 1 {
                t.start = lba;
                t.data_form = e.data_form;
            } else if e.data_form != t.data_form {
                // The data form may change only where the pre-gap ends.
                return Err(invalid(
                    "cue sheet DATA FORM",
                    u64::from(u8::from(e.data_form)),
                ));
            }
            t.last_index = e.index;
        }
        if let Some(t) = tracks.last_mut() {
            t.end = lead_out_lba;
        }
        if tracks.is_empty() {
            return Err(invalid("cue sheet entry count", points.len() as u64));
        }
        if prev.is_some_and(|p| lead_out_lba <= p) {
            return Err(invalid(
                "cue sheet time order",
                u64::from(lead_out.msf.to_address()),
            ));
        }
        for t in &tracks {
            if t.last_index == 0 {
                return Err(invalid("cue sheet INDEX", 0));
            }
            if !t.data_form.host_sends() {
                return Err(invalid(
                    "cue sheet DATA FORM",
                    u64::from(u8::from(t.data_form)),
                ));
            }
            if let Some((_, f)) = t.pregap {
                if f.host_block_size().is_none() {
                    return Err(invalid("cue sheet DATA FORM", u64::from(u8::from(f))));
                }
            }
            if t.sectors() < MIN_TRACK_SECTORS {
                return Err(invalid("cue sheet track length", u64::from(t.sectors())));
            }
        }
        Ok(CueLayout {
            lead_in: lead_in_lba,
            tracks,
            lead_out: lead_out_lba,
        })
    }
}

/// One track of a [`CueLayout`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CueTrack {
    /// Track number.
    pub number: u8,
    /// CTL of the track's entries.
    pub control: u8,
    /// Index 00h: the pre-gap's first LBA and its data form, when the sheet has one.
    pub pregap: Option<(i32, DataForm)>,
    /// Index 01h: the track's first LBA.
    pub start: i32,
    /// LBA just past the track (the next track's first point, or the lead-out).
    pub end: i32,
    /// Data form of the track's sectors from index 01h on.
    pub data_form: DataForm,
    last_index: u8,
}

impl CueTrack {
    /// Sectors from index 01h to the end.
    pub fn sectors(&self) -> u32 {
        (i64::from(self.end) - i64::from(self.start)).clamp(0, i64::from(u32::MAX)) as u32
    }

    /// Pre-gap sectors (index 00h to index 01h).
    pub fn pregap_sectors(&self) -> u32 {
        self.pregap.map_or(0, |(p, _)| {
            (i64::from(self.start) - i64::from(p)).clamp(0, i64::from(u32::MAX)) as u32
        })
    }
}

/// The session a valid cue sheet describes ([`CueSheet::layout`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CueLayout {
    /// Time of the lead-in entry, as an LBA.
    pub lead_in: i32,
    /// The tracks in order.
    pub tracks: Vec<CueTrack>,
    /// Where the lead-out starts: the session's end.
    pub lead_out: i32,
}

impl CueLayout {
    /// The first LBA the host writes: the first track's pre-gap when the host sends it,
    /// otherwise the track's index 01h.
    pub fn first_host_lba(&self) -> i32 {
        self.tracks
            .first()
            .map_or(self.lead_out, |t| match t.pregap {
                Some((p, f)) if f.host_sends() => p,
                _ => t.start,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Command;
    use proptest::prelude::*;

    #[test]
    fn send_cue_sheet_bytes() {
        // 4 entries = 32 bytes: size in bytes 6–8.
        let c = SendCueSheet { cue_sheet_size: 32 };
        let raw = [0x5D, 0, 0, 0, 0, 0, 0x00, 0x00, 0x20, 0];
        assert_eq!(c.emit().as_bytes(), &raw);
        assert_eq!(SendCueSheet::parse(&raw), Ok(c));
        let big = [0x5D, 0, 0, 0, 0, 0, 0x01, 0x35, 0x78, 0];
        assert_eq!(SendCueSheet::parse(&big).unwrap().cue_sheet_size, 0x01_3578);
        assert!(SendCueSheet::parse(&raw[..9]).is_err());
        assert!(SendCueSheet::parse(&[0x5C, 0, 0, 0, 0, 0, 0, 0, 0x20, 0]).is_err());
        // Only 24 bits exist on the wire.
        let wide = SendCueSheet {
            cue_sheet_size: 0x0100_0008,
        };
        assert_eq!(&wide.emit().as_bytes()[5..9], &[0, 0, 0, 8]);
    }

    /// The sheet cdrecord/libburn send for one mode 1 track of 1000 sectors on a blank
    /// CD-R: lead-in, pre-gap at 00:00:00, index 1 at 00:02:00, lead-out at 00:15:25
    /// (LBA 1000 + 150 = 1150 frames = 15 s 25 f).
    const DATA_SAO_1000: [u8; 32] = [
        0x41, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, // lead-in
        0x41, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, // track 1 index 0 (pre-gap)
        0x41, 0x01, 0x01, 0x10, 0x00, 0x00, 0x02, 0x00, // track 1 index 1
        0x41, 0xAA, 0x01, 0x01, 0x00, 0x00, 0x0F, 0x19, // lead-out
    ];

    #[test]
    fn single_data_track_bytes() {
        let sheet = CueSheet::single_data_track(1, 0, 1000);
        let mut out = [0u8; 32];
        assert_eq!(sheet.emit(&mut out), Ok(32));
        assert_eq!(out, DATA_SAO_1000);
        assert_eq!(CueSheet::parse(&DATA_SAO_1000).unwrap(), sheet);
        assert_eq!(SendCueSheet::for_sheet(&sheet).cue_sheet_size, 32);
        assert!(sheet.emit(&mut [0u8; 31]).is_err());
    }

    #[test]
    fn entry_view_fields() {
        let v = CueEntryView::new_unchecked(&DATA_SAO_1000[24..]);
        assert_eq!((v.control(), v.adr()), (4, 1));
        assert_eq!((v.track(), v.index()), (0xAA, 1));
        assert_eq!(v.data_form(), DataForm::CdDaGenerated);
        assert_eq!(v.subchannel_form(), 0);
        assert_eq!(v.msf(), Msf { m: 0, s: 15, f: 25 });
        // Sub-channel bits and an unknown main form survive.
        let e = CueEntry::read(&[0x01, 0x00, 0x00, 0x41, 0x80, 0, 0, 0]);
        assert_eq!(
            (e.subchannel_form, e.data_form),
            (1, DataForm::CdDaGenerated)
        );
        assert_eq!(e.scms, 0x80);
        let e = CueEntry::read(&[0x41, 0x01, 0x01, 0x24, 0, 0, 2, 0]);
        assert_eq!(e.data_form, DataForm::Unknown(0x24));
        let mut back = [0u8; 8];
        e.write(&mut back);
        assert_eq!(back, [0x41, 0x01, 0x01, 0x24, 0, 0, 2, 0]);
        // Past the end: zeros.
        let short = CueEntryView::new_unchecked(&[0x41u8][..]);
        assert_eq!((short.track(), short.msf()), (0, Msf::default()));
    }

    #[test]
    fn parse_takes_whole_entries_only() {
        assert_eq!(
            CueSheet::parse(&DATA_SAO_1000[..30]),
            Err(wire::Error::Invalid {
                field: "cue sheet size",
                value: 30
            })
        );
        assert_eq!(CueSheet::parse(&[]).unwrap().entries.len(), 0);
        let huge = vec![0u8; (MAX_ENTRIES + 1) * ENTRY_LEN];
        assert!(CueSheet::parse(&huge).is_err());
        assert!(CueSheet::parse(&huge[ENTRY_LEN..]).is_ok());
    }

    #[test]
    fn layout_of_the_data_sheet() {
        let l = CueSheet::parse(&DATA_SAO_1000).unwrap().layout().unwrap();
        assert_eq!(l.lead_in, -150);
        assert_eq!(l.lead_out, 1000);
        assert_eq!(l.first_host_lba(), -150);
        assert_eq!(l.tracks.len(), 1);
        let t = l.tracks[0];
        assert_eq!((t.number, t.start, t.end), (1, 0, 1000));
        assert_eq!(t.pregap, Some((-150, DataForm::Mode1)));
        assert_eq!((t.sectors(), t.pregap_sectors()), (1000, 150));
        // A later session: the sheet starts at the NWA.
        let l = CueSheet::single_data_track(2, 13_000, 500)
            .layout()
            .unwrap();
        assert_eq!(l.first_host_lba(), 12_850);
        assert_eq!(
            (l.tracks[0].number, l.tracks[0].start, l.lead_out),
            (2, 13_000, 13_500)
        );
    }

    #[test]
    fn layout_generated_pregap_starts_at_index_1() {
        let mut s = CueSheet::single_data_track(1, 0, 400);
        s.entries[1].data_form = DataForm::Mode1Generated;
        assert_eq!(s.layout().unwrap().first_host_lba(), 0);
    }

    #[test]
    fn layout_two_tracks_and_text_entries() {
        let mut s = CueSheet::single_data_track(1, 0, 400);
        let lead_out = s.entries.pop().unwrap();
        s.entries
            .push(CueEntry::position(4, 2, 0, DataForm::Mode1, 400));
        s.entries
            .push(CueEntry::position(4, 2, 1, DataForm::Mode1, 550));
        s.entries
            .push(CueEntry::position(4, 2, 2, DataForm::Mode1, 700));
        s.entries.push(CueEntry {
            msf: Msf::from_lba(1000),
            ..lead_out
        });
        // A catalog number entry (ADR 2) between tracks is skipped.
        s.entries.insert(
            1,
            CueEntry::read(&[0x02, b'1', b'2', b'3', b'4', b'5', b'6', b'7']),
        );
        let l = s.layout().unwrap();
        assert_eq!(l.tracks.len(), 2);
        assert_eq!((l.tracks[0].start, l.tracks[0].end), (0, 400));
        assert_eq!((l.tracks[1].start, l.tracks[1].end), (550, 1000));
        assert_eq!(l.tracks[1].pregap_sectors(), 150);
    }

    fn rejects(s: &CueSheet, field: &str) {
        match s.layout() {
            Err(wire::Error::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected {field}, got {other:?}"),
        }
    }

    #[test]
    fn layout_rejections() {
        let good = CueSheet::single_data_track(1, 0, 1000);
        let mut s = good.clone();
        s.entries.remove(0);
        rejects(&s, "cue sheet lead-in TNO");
        let mut s = good.clone();
        s.entries.pop();
        rejects(&s, "cue sheet lead-out TNO");
        let mut s = good.clone();
        s.entries[2].track = 3;
        rejects(&s, "cue sheet TNO");
        // Track 1 with only its pre-gap, then track 2.
        let mut s = good.clone();
        s.entries[2].track = 2;
        rejects(&s, "cue sheet INDEX");
        let mut s = good.clone();
        s.entries[1].track = 0x64;
        s.entries[2].track = 0x64;
        rejects(&s, "cue sheet TNO");
        let mut s = good.clone();
        s.entries[2].index = 2;
        rejects(&s, "cue sheet INDEX");
        let mut s = good.clone();
        s.entries[2].msf.f = 75;
        rejects(&s, "cue sheet MSF");
        let mut s = good.clone();
        s.entries[2].msf = s.entries[1].msf;
        rejects(&s, "cue sheet time order");
        let mut s = good.clone();
        s.entries[3].msf = Msf::from_lba(0);
        rejects(&s, "cue sheet time order");
        let mut s = good.clone();
        s.entries[2].data_form = DataForm::Mode1Generated;
        rejects(&s, "cue sheet DATA FORM");
        let mut s = good.clone();
        s.entries[2].data_form = DataForm::Unknown(0x24);
        rejects(&s, "cue sheet DATA FORM");
        rejects(
            &CueSheet::single_data_track(1, 0, 299),
            "cue sheet track length",
        );
        // Only the pre-gap: no index 1.
        let mut s = good.clone();
        s.entries.remove(2);
        rejects(&s, "cue sheet INDEX");
        rejects(&CueSheet::default(), "cue sheet entry count");
        // Lead-in and lead-out with no track between.
        let s = CueSheet {
            entries: vec![good.entries[0], good.entries[3]],
        };
        rejects(&s, "cue sheet entry count");
    }

    fn arb_entry() -> impl Strategy<Value = CueEntry> {
        (
            (0u8..16, 0u8..16, any::<u8>(), any::<u8>()),
            (0u8..64, 0u8..4, any::<u8>()),
            (any::<u8>(), any::<u8>(), any::<u8>()),
        )
            .prop_map(
                |((control, adr, track, index), (form, sub, scms), (m, s, f))| CueEntry {
                    control,
                    adr,
                    track,
                    index,
                    data_form: DataForm::from(form),
                    subchannel_form: sub,
                    scms,
                    msf: Msf { m, s, f },
                },
            )
    }

    proptest! {
        #[test]
        fn send_cue_sheet_round_trip(size in 0u32..0x100_0000) {
            let c = SendCueSheet { cue_sheet_size: size };
            prop_assert_eq!(SendCueSheet::parse(c.emit().as_bytes()), Ok(c));
        }

        #[test]
        fn cue_sheet_round_trip(entries in proptest::collection::vec(arb_entry(), 0..200)) {
            let s = CueSheet { entries };
            let mut buf = vec![0u8; s.buffer_len()];
            prop_assert_eq!(s.emit(&mut buf), Ok(s.buffer_len()));
            prop_assert_eq!(CueSheet::parse(&buf), Ok(s));
        }

        #[test]
        fn single_data_track_is_valid(track in 1u8..100, start in 0u32..300_000, n in 300u32..60_000) {
            let l = CueSheet::single_data_track(track, start, n).layout().unwrap();
            prop_assert_eq!(l.first_host_lba(), start as i32 - 150);
            prop_assert_eq!(l.lead_out, (start + n) as i32);
            prop_assert_eq!(l.tracks[0].sectors(), n);
        }

        #[test]
        fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = SendCueSheet::parse(&bytes);
            if let Ok(s) = CueSheet::parse(&bytes) {
                prop_assert_eq!(s.entries.len(), bytes.len() / ENTRY_LEN);
                if let Ok(l) = s.layout() {
                    prop_assert!(!l.tracks.is_empty());
                    for t in &l.tracks {
                        prop_assert!(t.start < t.end && t.sectors() >= MIN_TRACK_SECTORS);
                    }
                }
            }
            let v = CueEntryView::new_unchecked(&bytes[..]);
            let _ = (v.msf(), v.data_form(), v.scms());
        }
    }

    /// The sheet cdrdao 1.2.4 (generic-mmc with CD-TEXT) sends for two audio tracks, as
    /// the guest harness logged it: its lead-in entry (data form 41h, R-W from the host)
    /// says 00:02:00, past the first pre-gap at 00:00:00. Drives take it.
    #[test]
    fn cdrdaos_cd_text_sheet_is_accepted() {
        let bytes = [
            0x01, 0x00, 0x00, 0x41, 0x00, 0x00, 0x02, 0x00, //
            0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, //
            0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, //
            0x01, 0x02, 0x01, 0x00, 0x00, 0x00, 0x08, 0x00, //
            0x01, 0xAA, 0x01, 0x01, 0x00, 0x00, 0x0C, 0x26,
        ];
        let sheet = CueSheet::parse(&bytes).unwrap();
        assert_eq!(sheet.entries[0].subchannel_form, 1);
        let layout = sheet.layout().unwrap();
        assert_eq!(layout.tracks.len(), 2);
        assert_eq!(layout.tracks[0].pregap_sectors(), 150);
        assert_eq!((layout.tracks[1].start, layout.lead_out), (450, 788));
    }

    #[test]
    fn catalog_and_isrc_entries_carry_their_characters() {
        let [a, b] = CueEntry::catalog(0, b"0724354526329");
        let mut bytes = vec![0u8; 16];
        CueSheet {
            entries: vec![a, b],
        }
        .emit(&mut bytes)
        .unwrap();
        assert_eq!(&bytes[..8], b"\x020724354");
        assert_eq!(&bytes[8..], b"\x02526329\0");
        let [a, b] = CueEntry::isrc(0, 3, b"USRC17607839");
        let mut bytes = vec![0u8; 16];
        let sheet = CueSheet {
            entries: vec![a, b],
        };
        sheet.emit(&mut bytes).unwrap();
        assert_eq!(&bytes[..8], b"\x03\x03USRC17");
        assert_eq!(&bytes[8..], b"\x03\x03607839");
        assert_eq!(
            CueSheet::parse(&bytes).unwrap(),
            sheet,
            "text entries round-trip"
        );
    }
}
