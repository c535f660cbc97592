//! CD Session-At-Once: SEND CUE SHEET and the stream of WRITEs the sheet governs.
//!
//! SAO as the drive runs it (MMC-6 §4.5.3.3, §6.36):
//! - page 05h write type SAO on a CD makes SEND CUE SHEET mandatory before the first
//!   WRITE (05/2C/00 otherwise); the sheet is accepted only on a disc whose open session
//!   is still empty, and only with write type SAO selected (05/2C/00 otherwise);
//! - the sheet must describe a session a drive can record ([`CueSheet::layout`]), start
//!   where the open session starts (its first track's index 01h at the NWA, with the
//!   track number the disc expects), fit before the lead-out limit, and use one block
//!   size for every sector the host sends (05/26/00 otherwise) — the sheet's data form
//!   governs, not page 05h's Data Block Type (wodim leaves that at raw 2352);
//! - the host then writes one uninterrupted stream from the first sector it sends
//!   (−150 when it sends the pre-gap, as cdrecord and libburn do): every WRITE at the
//!   next LBA of the stream (05/21/02 otherwise), never past the lead-out (05/21/00).
//!   Pre-gap sectors are consumed (buffer and timing) but not kept, track sectors are
//!   recorded;
//! - SYNCHRONIZE CACHE after the last sector closes the session as the sheet says: the
//!   drive writes the lead-out, the tracks become complete, and the disc is finalized
//!   unless page 05h's multi-session field is 11b. The sheet is then spent.
//!
//! The sheet lives in the drive, not on the disc: reopening the image forgets it (a real
//! drive forgets it on reset), and the tracks it describes are laid on the disc only at
//! the first WRITE.

use discburn_mmc::cdtext::PACK_LEN;
use discburn_mmc::cue::{CueLayout, CueSheet, SendCueSheet};
use discburn_mmc::mode::{MultiSession, WriteType};
use discburn_mmc::sense::Asc;
use discburn_mmc::DataPhase;

use super::{parse, Fail, Outcome, Reply, VirtualDrive};
use crate::check::Check;
use crate::model::Track;

/// A cue sheet the drive accepted and the position of the host's stream in it.
#[derive(Debug, Clone)]
pub(crate) struct Sao {
    /// Bytes per sector the host sends (from the sheet's data form).
    pub(crate) block_size: u32,
    /// The sheet's tracks are audio.
    pub(crate) audio: bool,
    layout: CueLayout,
    /// The LBA the next WRITE must start at.
    pub(crate) next: i64,
    /// The sheet's tracks are on the disc (done at the first WRITE).
    pub(crate) laid: bool,
    /// The lead-in entry selects R-W sub-channel data from the host: the host writes the
    /// lead-in (CD-Text) as 96-byte blocks before the first pre-gap sector.
    pub(crate) lead_in_rw: bool,
    /// The LBA the next lead-in WRITE must start at, once the first one has set it.
    pub(crate) lead_in_next: Option<i64>,
    /// The CD-Text packs the lead-in carried so far, in order, each once.
    pub(crate) packs: Vec<[u8; PACK_LEN]>,
    /// The sheet's catalog number (ADR 2) and ISRCs by track (ADR 3).
    codes: Codes,
}

/// The text entries of a cue sheet: ADR 2 (catalog number: N1–N7, N8–N13) and ADR 3
/// (ISRC: TNO and I1–I6, TNO and I7–I12), each as a pair of entries.
#[derive(Debug, Clone, Default)]
struct Codes {
    mcn: Option<String>,
    isrc: Vec<(u32, String)>,
}

impl Codes {
    fn of(sheet: &[u8]) -> Codes {
        let entries: Vec<&[u8]> = sheet.chunks_exact(8).collect();
        let adr = |e: &[u8]| e[0] & 0x0F;
        let text = |b: &[u8]| -> Option<String> {
            b.iter()
                .all(u8::is_ascii_alphanumeric)
                .then(|| String::from_utf8_lossy(b).into_owned())
        };
        let mut codes = Codes::default();
        let mut i = 0;
        while i + 1 < entries.len() {
            let (a, b) = (entries[i], entries[i + 1]);
            match (adr(a), adr(b)) {
                (2, 2) => {
                    let digits = [&a[1..8], &b[1..7]].concat();
                    codes.mcn = text(&digits).filter(|d| d.bytes().all(|c| c.is_ascii_digit()));
                    i += 2;
                }
                (3, 3) if a[1] == b[1] => {
                    if let Some(c) = text(&[&a[2..8], &b[2..8]].concat()) {
                        codes.isrc.push((u32::from(a[1]), c));
                    }
                    i += 2;
                }
                _ => i += 1,
            }
        }
        codes
    }
}

/// One part of an SAO WRITE that lands in a track (pre-gap parts are left out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Piece {
    /// First LBA of the part.
    pub lba: u32,
    /// Blocks in the part.
    pub blocks: u32,
    /// Blocks of the WRITE before this part.
    pub offset: u32,
}

impl VirtualDrive {
    /// True when page 05h selects SAO on a CD: SEND CUE SHEET governs the writes.
    pub(crate) fn sao_mode(&self) -> bool {
        self.disc.media.is_cd() && self.wp.write_type == WriteType::SaoDao
    }

    /// MMC-6 §6.36 SEND CUE SHEET.
    pub(crate) fn send_cue_sheet(&mut self, cdb: &[u8], data: &mut DataPhase<'_>) -> Outcome {
        let c = parse::<SendCueSheet>(cdb)?;
        if !self.disc.media.is_cd() {
            return Err(Check::illegal(Asc::INCOMPATIBLE_MEDIUM_INSTALLED).into());
        }
        if self.wp.write_type != WriteType::SaoDao {
            return Err(Check::illegal(Asc::COMMAND_SEQUENCE_ERROR).into());
        }
        let len = c.cue_sheet_size as usize;
        let DataPhase::Out(buf) = data else {
            return if len == 0 {
                Err(Check::illegal(Asc::INVALID_FIELD_IN_PARAMETER_LIST).into())
            } else {
                Err(Check::illegal(Asc::PARAMETER_LIST_LENGTH_ERROR).into())
            };
        };
        if buf.len() < len {
            return Err(Check::illegal(Asc::PARAMETER_LIST_LENGTH_ERROR).into());
        }
        // A refused sheet is logged with its bytes: what a burner sent is the first thing
        // to know when it says the drive "does not accept any cue sheet".
        let refused = |why: &dyn std::fmt::Display| {
            let hex: Vec<String> = buf[..len].iter().map(|b| format!("{b:02X}")).collect();
            tracing::debug!("SEND CUE SHEET refused ({why}): {}", hex.join(" "));
        };
        tracing::debug!(
            "SEND CUE SHEET: {}",
            buf[..len]
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        let sheet = CueSheet::parse(&buf[..len]).map_err(|e| {
            refused(&e);
            Fail::Check(Check::illegal(Asc::PARAMETER_LIST_LENGTH_ERROR))
        })?;
        let layout = sheet.layout().map_err(|e| {
            refused(&e);
            Fail::Check(Check::illegal(Asc::INVALID_FIELD_IN_PARAMETER_LIST))
        })?;
        let d = self.view();
        if d.finalized {
            return Err(Check::illegal(Asc::CANNOT_WRITE_MEDIUM_INCOMPATIBLE_FORMAT).into());
        }
        let Some(inv) = d
            .invisible()
            .filter(|t| t.written == 0 && t.reserved.is_none())
        else {
            // Something is already written or reserved in this session.
            return Err(Check::illegal(Asc::COMMAND_SEQUENCE_ERROR).into());
        };
        if d.tracks
            .iter()
            .any(|t| t.session == inv.session && t.number != inv.number)
        {
            return Err(Check::illegal(Asc::COMMAND_SEQUENCE_ERROR).into());
        }
        // In SAO the sheet's data forms say what the host sends; page 05h's Data Block
        // Type is not used (cdrecord/wodim leave it at raw 2352 and send 2048-byte Mode 1
        // sectors for a 10h data form). One stream has one block size.
        let first = layout.tracks[0];
        let bs = first.data_form.host_block_size().unwrap_or(0);
        let forms_fit = bs > 0
            && layout.tracks.iter().all(|t| {
                t.data_form.host_block_size() == Some(bs)
                    && t.pregap
                        .is_none_or(|(_, f)| !f.host_sends() || f.host_block_size() == Some(bs))
            });
        let fits = i64::from(layout.lead_out) <= i64::from(d.capacity)
            && (d.recorded_end() == 0 || bs == d.slot);
        if i64::from(first.start) != i64::from(inv.start)
            || u32::from(first.number) != inv.number
            || layout.tracks.len() > 99
            || u32::from(layout.tracks[layout.tracks.len() - 1].number) > 99
            || !forms_fit
            || !fits
        {
            refused(&format_args!(
                "session starts at {} track {}, blocks of {bs} bytes, capacity {}",
                inv.start, inv.number, d.capacity
            ));
            return Err(Check::illegal(Asc::INVALID_FIELD_IN_PARAMETER_LIST).into());
        }
        let next = i64::from(layout.first_host_lba());
        let lead_in_rw = sheet
            .entries
            .iter()
            .find(|e| e.adr == 1)
            .is_some_and(|e| e.subchannel_form != 0);
        self.sao = Some(Sao {
            block_size: bs,
            audio: first.data_form.is_audio(),
            layout,
            next,
            laid: false,
            lead_in_rw,
            lead_in_next: None,
            packs: Vec::new(),
            codes: Codes::of(&buf[..len]),
        });
        Ok(Reply::Done(len))
    }

    /// Splits an SAO WRITE of `blocks` at `lba` into the parts that land in tracks;
    /// checks it continues the stream and stays before the lead-out. `Ok(None)` when SAO
    /// is not in force.
    pub(crate) fn sao_pieces(&self, lba: u32, blocks: u32) -> Result<Option<Vec<Piece>>, Fail> {
        if !self.sao_mode() {
            return Ok(None);
        }
        if self.view().finalized {
            return Err(Check::illegal(Asc::CANNOT_WRITE_MEDIUM_INCOMPATIBLE_FORMAT).into());
        }
        let Some(s) = &self.sao else {
            // SAO without a cue sheet: the drive does not know what to record.
            return Err(Check::illegal(Asc::COMMAND_SEQUENCE_ERROR).into());
        };
        // Negative LBAs (the pre-gap of the first session) arrive in two's complement.
        let at = i64::from(lba as i32);
        if at != s.next {
            return Err(Check::illegal(Asc::INVALID_ADDRESS_FOR_WRITE).into());
        }
        let end = at + i64::from(blocks);
        if end > i64::from(s.layout.lead_out) {
            return Err(Check::illegal(Asc::LBA_OUT_OF_RANGE).into());
        }
        let mut pieces = Vec::new();
        for t in &s.layout.tracks {
            let (a, b) = (at.max(i64::from(t.start)), end.min(i64::from(t.end)));
            if a < b {
                pieces.push(Piece {
                    lba: a as u32,
                    blocks: (b - a) as u32,
                    offset: (a - at) as u32,
                });
            }
        }
        Ok(Some(pieces))
    }

    /// Lays the sheet's tracks on the disc in place of the empty invisible track, once.
    pub(crate) fn sao_lay_tracks(&mut self) {
        let Some(s) = self.sao.as_mut().filter(|s| !s.laid) else {
            return;
        };
        s.laid = true;
        // Under Test Write the simulated disc takes the tracks.
        let disc = self.sim_disc.as_mut().unwrap_or(&mut self.disc);
        if disc.tracks.last().is_some_and(|t| t.is_invisible()) {
            disc.tracks.pop();
        }
        let session = disc.open_session();
        for t in &s.layout.tracks {
            disc.tracks.push(Track {
                number: u32::from(t.number),
                session,
                start: t.start.max(0) as u32,
                reserved: Some(t.sectors()),
                written: 0,
                closed: false,
                damaged: false,
                audio: t.data_form.is_audio(),
            });
        }
        self.dirty = true;
    }

    /// After a successful SAO WRITE: the stream moves on.
    pub(crate) fn sao_advance(&mut self, blocks: u32) {
        if let Some(s) = self.sao.as_mut() {
            s.next += i64::from(blocks);
        }
    }

    /// At SYNCHRONIZE CACHE: when the whole sheet is written, the drive writes the
    /// lead-out and closes the session (finalizing unless page 05h allows another).
    pub(crate) fn sao_finish(&mut self) -> Result<bool, Fail> {
        let done = self
            .sao
            .as_ref()
            .is_some_and(|s| s.laid && s.next == i64::from(s.layout.lead_out));
        if !done {
            return Ok(false);
        }
        let (packs, codes) = self
            .sao
            .take()
            .map(|s| (s.packs, s.codes))
            .unwrap_or_default();
        if self.sim_disc.is_some() {
            // A simulated session ends with nothing recorded (as CLOSE does).
            self.sim_disc = None;
            return Ok(true);
        }
        let finalize = self.wp.multi_session != MultiSession::NextSessionAllowed;
        // CD-Text lives in the first session's lead-in.
        let first_session = self.disc.closed_sessions == 0;
        self.disc.close_session(finalize)?;
        if first_session {
            self.disc.mcn = codes.mcn;
        }
        self.disc.isrc.extend(codes.isrc);
        if first_session && !packs.is_empty() {
            tracing::debug!(
                "session closed with {} CD-Text packs from its lead-in",
                packs.len()
            );
            self.disc.cd_text = packs.concat();
        }
        self.dirty = true;
        Ok(true)
    }
}
