//! Per-medium preparation and closing (imapi2-detail §8.4, "writing recipes
//! by media"), BD defect management, blanking and formatting.
//!
//! | medium | before the write | after |
//! |---|---|---|
//! | CD-R/RW | page 05h: TAO, data mode 1, multi-session bits | CLOSE TRACK, CLOSE SESSION (finalizes unless multi-session) |
//! | CD-R/RW SAO (`sao`) | page 05h: SAO; SEND CUE SHEET (one mode 1 track); the 150-sector pre-gap written from NWA − 150 | SYNCHRONIZE CACHE: the drive writes the lead-out and closes the session |
//! | DVD-R/RW seq. | page 05h: DAO + RESERVE TRACK on a blank disc that is closed after, else incremental | CLOSE TRACK, CLOSE SESSION |
//! | DVD+R, BD-R | (BD-R: FORMAT with spares when asked) | CLOSE TRACK, CLOSE SESSION or finalize (110b) |
//! | DVD+RW | FORMAT 26h when blank | CLOSE SESSION (stops background format) |
//! | DVD-RAM, BD-RE | FORMAT when unformatted | — |
//!
//! Everything is decided from the drive's answers: a drive that lacks
//! RESERVE TRACK (5/20/00) gets an incremental write instead, a drive whose
//! invisible track reports NWA 0 is written at 0.

use discburn_mmc::cue::{CueSheet, SendCueSheet, FIRST_PREGAP, MIN_TRACK_SECTORS};
use discburn_mmc::disc::LayerBoundary;
use discburn_mmc::format::{CapacityDescriptorType, FormattableCapacity};
use discburn_mmc::mode::{DataBlockType, MultiSession, SessionFormat, WriteType};
use discburn_mmc::profile::Profile;
use discburn_mmc::speed::{
    kbps_to_sectors_per_second, sectors_per_second_to_kbps, x_to_sectors_per_second,
};
use discburn_mmc::track::{Reservation, ReserveTrack, TrackAddress};
use discburn_mmc::transport::DataPhase;

use crate::error::Error;
use crate::recorder::{Recorder, DEFAULT_COMMAND_TIMEOUT};

use super::medium::{self, Medium, Recording};
use super::ops::{self};
use super::{
    BurnError, BurnOptions, BurnPhase, Closing, FormatRequest, LayerBreakKind, Note, Operation,
    Spare, SpeedChoice, Unsuitable, WriteMode,
};
use discburn_mmc::sense::Refusal;

mod close;
mod format;

pub(crate) use close::{close, close_session, close_track, set_closing_parameters};
pub(crate) use format::{blank, format_capacities, format_medium};
use format::{choices_from, format_with};
pub use format::{format_choices, FormatChoice};

/// The plan of a burn, decided before anything is sent that changes the disc.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// First LBA to write.
    pub start_lba: u32,
    /// FORMAT UNIT first.
    pub format: Option<FormattableCapacity>,
    /// DVD-R: Disc-At-Once with RESERVE TRACK (else incremental).
    pub dao: bool,
    /// CD: Session-At-Once with a cue sheet (else Track-At-Once).
    pub sao: bool,
    /// What to tell the user (capacity per spare choice, …).
    pub notes: Vec<Note>,
    /// The write speed the drive took, kB/s.
    pub speed_kbps: Option<u32>,
    /// Sectors free from `start_lba`: what an open-ended stream may fill.
    pub free: u64,
    /// DVD+R DL: Layer 0's capacity to set before the write (SEND DISC STRUCTURE 20h).
    pub layer0: Option<u32>,
}

/// cdrecord `-pad`: 15 sectors (30 KiB) of zeros after each track.
pub(crate) const PAD_SECTORS: u64 = 15;

/// The sectors a WRITE must start and end on a multiple of, on media that record whole
/// blocks only: a DVD-RW in restricted overwrite mode takes 32 KiB ECC blocks (16
/// sectors, MMC-6 §4.5.4) and refuses a partial one (growisofs: "DVD-RW Restricted
/// Overwrite needs 32KB alignment"; libburn pads its last WRITE there). `None`: any.
pub(crate) fn write_blocking(profile: Profile) -> Option<u32> {
    (profile == Profile::DvdRwRestrictedOverwrite).then_some(16)
}

/// The zero sectors appended to a source of `sectors` sectors, and the note
/// saying why: `--pad` (cdrecord `-pad`), on a CD written Session-At-Once the
/// minimum track length of 300 sectors (4 s, Red Book; MMC-6 §4.3.5), which
/// cdrecord pads a shorter track to, and on a restricted overwrite DVD-RW whole
/// 32 KiB blocks ([`write_blocking`]), so the engine never sends a WRITE the drive
/// refuses halfway through the burn.
pub(crate) fn padding(
    medium: &Medium,
    sectors: u64,
    label: &str,
    opts: &BurnOptions,
    open_ended: bool,
) -> Result<(u64, Option<Note>), BurnError> {
    let sao_cd = opts.sao && is_cd(medium.profile);
    if sao_cd && open_ended {
        return Err(BurnError::Unsuitable(Unsuitable::StreamLengthForSao {
            label: label.to_string(),
        }));
    }
    let pad = if opts.pad { PAD_SECTORS } else { 0 };
    let min = u64::from(MIN_TRACK_SECTORS);
    let sao_minimum = (sao_cd && !open_ended && sectors + pad < min).then_some(min);
    let total = sao_minimum.unwrap_or(sectors + pad);
    let whole_blocks = write_blocking(medium.profile)
        .map(|b| total.div_ceil(u64::from(b)) * u64::from(b))
        .filter(|&t| t > total);
    let total = whole_blocks.unwrap_or(total);
    let note =
        (pad > 0 || sao_minimum.is_some() || whole_blocks.is_some()).then(|| Note::Padding {
            label: label.to_string(),
            sectors,
            pad,
            sao_minimum,
            whole_blocks,
        });
    Ok((total - sectors, note))
}

/// The write parameters page (05h) governs CD-R/RW and sequential DVD-R/RW: the
/// sequential media but DVD+R and BD-R, which ignore it.
fn uses_page_05(p: Profile) -> bool {
    medium::recording_of(p) == Recording::Sequential
        && !matches!(p, Profile::DvdPlusR | Profile::DvdPlusRDl | Profile::BdRSrm)
}

fn is_cd(p: Profile) -> bool {
    matches!(p, Profile::CdR | Profile::CdRw)
}

/// Decides everything before the disc is touched; refuses what cannot work.
/// `random_start`: where the data goes on a random-access medium (0, or
/// after the volume it grows).
pub(crate) fn plan(
    rec: &Recorder,
    medium: &Medium,
    sectors: u64,
    label: &str,
    opts: &BurnOptions,
    random_start: u32,
    open_ended: bool,
) -> Result<Plan, BurnError> {
    let profile = medium.profile;
    if open_ended && medium.recording == Recording::RandomAccess {
        return Err(BurnError::Unsuitable(
            Unsuitable::StreamLengthForRandomAccess {
                label: label.to_string(),
                profile,
            },
        ));
    }
    if medium.recording == Recording::ReadOnly {
        return Err(BurnError::NotWritable { profile });
    }
    if opts.test_write && !medium.can_simulate() {
        return Err(BurnError::TestWriteUnsupported { profile });
    }
    if medium.is_closed() {
        return Err(BurnError::Closed { profile });
    }
    if profile == Profile::DvdRwSequential && opts.closing == Closing::Disc && !medium.is_blank() {
        // A disc meant to hold this burn alone: on a write-once disc the last session
        // is appended, but a DVD-RW can be had whole again, so nothing is appended
        // behind the earlier sessions' volume unasked.
        return Err(BurnError::NotBlank {
            profile,
            why: format!(
                "it holds {} session(s); a burn that closes it would be appended behind them instead of replacing them",
                medium.sessions().max(1)
            ),
        });
    }
    let mut notes = Vec::new();
    let mut format = None;
    let mut free = medium.free_sectors;
    let is_bd = matches!(profile, Profile::BdRSrm | Profile::BdRRrm | Profile::BdRe);
    let caps = if is_bd || medium.recording == Recording::RandomAccess {
        format_capacities(rec)
    } else {
        None
    };
    let unformatted = caps
        .as_ref()
        .is_some_and(|c| c.current.descriptor_type == CapacityDescriptorType::Unformatted);
    let blank_bd_r = profile == Profile::BdRSrm && medium.is_blank();
    if let Some(caps) = caps
        .as_ref()
        .filter(|_| blank_bd_r || (medium.recording == Recording::RandomAccess && unformatted))
    {
        let choices = choices_from(profile, caps, medium.capacity_sectors);
        let wanted = opts.spare.unwrap_or(if blank_bd_r {
            Spare::None
        } else {
            Spare::Default
        });
        if is_bd {
            notes.push(Note::SpareChoices(choices.clone()));
        }
        let chosen = choices
            .iter()
            .find(|c| c.spare == wanted)
            .or_else(|| {
                if opts.spare.is_none() {
                    choices.first()
                } else {
                    None
                }
            })
            .copied()
            .ok_or_else(|| {
                BurnError::Unsupported(format!(
                    "the drive offers no format with spare {wanted} for this {profile}"
                ))
            })?;
        if is_bd {
            notes.push(Note::SpareChosen {
                spare: chosen.spare,
                sectors: chosen.sectors,
            });
        }
        format = chosen.descriptor;
        free = chosen.sectors;
    } else if opts.spare.is_some() && is_bd {
        notes.push(Note::SpareIgnored {
            profile,
            written: medium.recording == Recording::Sequential,
        });
    }
    let start_lba = match medium.recording {
        Recording::RandomAccess => {
            // Growing a volume: the space after it is what is free.
            free = free.saturating_sub(u64::from(random_start));
            random_start
        }
        _ => medium.next_writable.ok_or_else(|| {
            BurnError::Unsupported(format!(
                "the drive reports no next writable address on this {profile}; it cannot be appended to"
            ))
        })?,
    };
    if sectors > free {
        return Err(BurnError::TooLarge {
            what: label.to_string(),
            needed: sectors,
            free,
            profile,
        });
    }
    // DAO on a blank DVD-R that is closed afterwards; incremental otherwise.
    let dao = matches!(
        profile,
        Profile::DvdRSequential | Profile::DvdRwSequential | Profile::DvdRDlSequential
    ) && medium.is_blank()
        && opts.closing == Closing::Disc
        // RESERVE TRACK needs the size in advance.
        && !open_ended
        // A reservation is real even in simulation: Test Write writes incrementally.
        && !opts.test_write;
    let layer0 = layer_break(
        rec, medium, start_lba, sectors, opts, open_ended, &mut notes,
    )?;
    let sao = opts.sao;
    if sao && !is_cd(profile) {
        return Err(BurnError::Unsuitable(Unsuitable::SaoNotOnCd { profile }));
    }
    if sao && sectors < u64::from(MIN_TRACK_SECTORS) {
        return Err(BurnError::Unsupported(format!(
            "Session-At-Once needs a track of at least {MIN_TRACK_SECTORS} sectors (4 seconds); {label} has {sectors}: burn it Track-At-Once"
        )));
    }
    Ok(Plan {
        start_lba,
        format,
        dao,
        sao,
        notes,
        speed_kbps: None,
        free,
        layer0,
    })
}

/// Where a recording on a dual-layer DVD changes layer (issue 15; MMC-6 §6.33.3.6). On a
/// blank DVD+R DL closed after this burn, a recording larger than Layer 0 is split
/// evenly, as growisofs `-dvd-compat` does: Layer 0 set to half the recording rounded up
/// to ECC blocks, so both layers end at the same radius and the disc reads like a
/// pressed DVD-9 (and takes no longer to close than it must). Anywhere else the disc's
/// boundary stands — as sold, set before, or decided by a DVD-R DL drive — and the note
/// says where the recording crosses it, or that it fits on Layer 0.
fn layer_break(
    rec: &Recorder,
    medium: &Medium,
    start_lba: u32,
    sectors: u64,
    opts: &BurnOptions,
    open_ended: bool,
    notes: &mut Vec<Note>,
) -> Result<Option<u32>, BurnError> {
    let Some(b) = rec.layer_boundary().map_err(|e| {
        BurnError::device("reading the layer boundary (READ DISC STRUCTURE 20h)", e)
    })?
    else {
        return Ok(None);
    };
    let end = u64::from(start_lba) + sectors;
    let settable = medium.profile == Profile::DvdPlusRDl
        && medium.is_blank()
        && !b.fixed
        && opts.closing == Closing::Disc
        && !open_ended
        && !opts.test_write;
    let balanced = u32::try_from(end)
        .ok()
        .and_then(|n| LayerBoundary::balanced(n, b.layer0_sectors));
    let (layer0, how, set) = match balanced {
        Some(l0) if settable => (l0, LayerBreakKind::Balanced, Some(l0)),
        _ if end <= u64::from(b.layer0_sectors) && !open_ended => {
            (b.layer0_sectors, LayerBreakKind::Layer0Only, None)
        }
        _ => (b.layer0_sectors, LayerBreakKind::Disc, None),
    };
    notes.push(Note::LayerBreak {
        layer0,
        sectors: end,
        how,
    });
    Ok(set)
}

/// FORMAT, write parameters, RESERVE TRACK and speed.
pub(crate) fn prepare(
    run: &mut Operation<'_>,
    medium: &Medium,
    plan: &mut Plan,
    sectors: u64,
    opts: &BurnOptions,
) -> Result<(), BurnError> {
    let rec = run.rec;
    if let Some(d) = plan.format {
        run.phase(BurnPhase::FormattingMedia);
        format_with(run, d, u64::from(d.number_of_blocks))?;
        // A BD-R formatted with spares gets a fresh invisible track: ask for its NWA.
        let m = medium::inspect(rec)?;
        if m.recording == Recording::Sequential {
            plan.start_lba = m.next_writable.unwrap_or(plan.start_lba);
        }
        if m.free_sectors > 0 {
            plan.free = m.free_sectors;
        }
        if sectors > m.free_sectors && m.free_sectors > 0 {
            return Err(BurnError::TooLarge {
                what: "the image".into(),
                needed: sectors,
                free: m.free_sectors,
                profile: m.profile,
            });
        }
    }
    run.phase(BurnPhase::InitializingHardware);
    if let Some(l0) = plan.layer0 {
        rec.set_layer_boundary(l0).map_err(|e| {
            BurnError::device("setting the layer break (SEND DISC STRUCTURE 20h)", e)
        })?;
        plan.free = 2 * u64::from(l0);
        if sectors > plan.free {
            return Err(BurnError::TooLarge {
                what: "the image".into(),
                needed: sectors,
                free: plan.free,
                profile: medium.profile,
            });
        }
    }
    if uses_page_05(medium.profile) {
        let write_type = if plan.sao {
            WriteType::SaoDao
        } else if is_cd(medium.profile) {
            WriteType::Tao
        } else if plan.dao {
            WriteType::SaoDao
        } else {
            WriteType::PacketIncremental
        };
        match set_write_parameters(rec, medium.profile, write_type, opts) {
            Ok(()) => {}
            Err(e) if plan.dao && e.refusal() == Some(Refusal::InvalidParameter) => {
                incremental_instead(run, medium, plan, opts, Note::DaoRefused)?;
            }
            Err(e) => return Err(write_parameters_failed(e)),
        }
        if plan.dao {
            // DVD-R DAO writes one track of a size fixed in advance (ECC blocks of 16).
            let size = u32::try_from(sectors.div_ceil(16) * 16).unwrap_or(u32::MAX);
            match rec.command_none(&ReserveTrack {
                reservation: Reservation::Size(size),
            }) {
                Ok(()) => {
                    if let Ok(t) = rec.track_information(TrackAddress::INVISIBLE) {
                        tracing::debug!("after RESERVE TRACK: invisible track {t:?}");
                    }
                    let reserved = rec
                        .track_information(TrackAddress::Lba(plan.start_lba))
                        .ok()
                        .and_then(|t| t.nwa);
                    if let Some(nwa) = reserved {
                        plan.start_lba = nwa;
                    }
                }
                Err(e)
                    if matches!(
                        e.refusal(),
                        Some(Refusal::UnknownCommand | Refusal::InvalidField)
                    ) =>
                {
                    incremental_instead(run, medium, plan, opts, Note::NoReserveTrack)?;
                }
                Err(e) => return Err(BurnError::device("reserving the track (RESERVE TRACK)", e)),
            }
        }
        if plan.sao {
            send_cue_sheet(rec, plan, sectors)?;
        }
        let mode = if plan.sao {
            WriteMode::SessionAtOnce
        } else if is_cd(medium.profile) {
            WriteMode::TrackAtOnce
        } else if plan.dao {
            WriteMode::DiscAtOnce
        } else {
            WriteMode::Incremental
        };
        run.note(Note::WriteMode {
            mode,
            test_write: opts.test_write,
        });
    }
    select_speed(run, medium, plan, opts);
    if plan.sao {
        write_pregap(rec, plan)?;
    }
    Ok(())
}

/// A drive that refuses Disc-At-Once (`why`) is written incrementally instead.
fn incremental_instead(
    run: &mut Operation<'_>,
    medium: &Medium,
    plan: &mut Plan,
    opts: &BurnOptions,
    why: Note,
) -> Result<(), BurnError> {
    run.note(why);
    plan.dao = false;
    set_write_parameters(run.rec, medium.profile, WriteType::PacketIncremental, opts)
        .map_err(write_parameters_failed)
}

fn write_parameters_failed(e: Error) -> BurnError {
    BurnError::device("setting the write parameters (MODE SELECT page 05h)", e)
}

/// CD SAO: SEND CUE SHEET for one mode 1 data track of `sectors` blocks at the NWA, the
/// sheet cdrecord and libburn send (lead-in, pre-gap at NWA − 150, index 1, lead-out).
fn send_cue_sheet(rec: &Recorder, plan: &Plan, sectors: u64) -> Result<(), BurnError> {
    let track = rec
        .track_information(TrackAddress::INVISIBLE)
        .map(|t| t.track)
        .map_err(|e| BurnError::device("reading the next track (READ TRACK INFORMATION)", e))?;
    let track = u8::try_from(track)
        .ok()
        .filter(|t| (1..=99).contains(t))
        .ok_or_else(|| {
            BurnError::Unsupported(format!(
                "a CD holds at most 99 tracks; the next one would be track {track}"
            ))
        })?;
    let sectors = u32::try_from(sectors)
        .map_err(|_| BurnError::Unsupported("image larger than 2^32 sectors".into()))?;
    let sheet = CueSheet::single_data_track(track, plan.start_lba, sectors);
    let mut bytes = vec![0u8; sheet.buffer_len()];
    sheet
        .emit(&mut bytes)
        .map_err(|e| BurnError::Unsupported(format!("building the cue sheet: {e}")))?;
    tracing::debug!("cue sheet {bytes:02x?}");
    rec.command(
        &SendCueSheet::for_sheet(&sheet),
        DataPhase::Out(&bytes),
        DEFAULT_COMMAND_TIMEOUT,
    )
    .map_err(|e| BurnError::device("sending the cue sheet (SEND CUE SHEET)", e))?;
    Ok(())
}

/// CD SAO: the 150 pre-gap sectors (zeros) the cue sheet says the host sends, from
/// NWA − 150 (a negative LBA on a blank disc); the data follows from the NWA.
fn write_pregap(rec: &Recorder, plan: &Plan) -> Result<(), BurnError> {
    let lba = i64::from(plan.start_lba) - i64::from(FIRST_PREGAP);
    let zeros = vec![0u8; FIRST_PREGAP as usize * 2048];
    ops::write_outside_engine(rec, lba, FIRST_PREGAP, &zeros)
        .map_err(|e| BurnError::device("writing the pre-gap (WRITE)", e))
}

/// Page 05h as this burn needs it.
fn set_write_parameters(
    rec: &Recorder,
    profile: Profile,
    write_type: WriteType,
    opts: &BurnOptions,
) -> Result<(), Error> {
    ops::update_write_parameters(rec, |page| {
        page.bufe = true;
        page.test_write = opts.test_write;
        page.write_type = write_type;
        page.multi_session = match opts.closing {
            Closing::Session => MultiSession::NextSessionAllowed,
            Closing::Disc => MultiSession::NoNextSession,
        };
        page.fp = false;
        page.ls_v = false;
        page.link_size = 0;
        page.data_block_type = DataBlockType::Mode1;
        page.session_format = SessionFormat::CdDaOrCdRom;
        // CD Q-channel control: 4 = data, recorded uninterrupted; DVD-R incremental: 5.
        page.track_mode = if is_cd(profile) || write_type == WriteType::SaoDao {
            4
        } else {
            5
        };
        page.packet_size = 0;
    })
}

fn select_speed(run: &mut Operation<'_>, medium: &Medium, plan: &mut Plan, opts: &BurnOptions) {
    let rec = run.rec;
    let family = medium.family();
    let requested = match opts.speed {
        SpeedChoice::Max => -1,
        SpeedChoice::Times(x) => x_to_sectors_per_second(family, x).map_or(-1, |v| v.max(1) as i32),
        SpeedChoice::KBps(k) => kbps_to_sectors_per_second(family, k).max(1) as i32,
    };
    match rec.set_write_speed(requested, false) {
        Ok(sel) => {
            let kbps = sel
                .current_kilobytes_per_second
                .or(sel.selected.map(|s| s.kilobytes_per_second));
            plan.speed_kbps = kbps;
            let sps = sel
                .current_sectors_per_second
                .or(sel.selected.map(|s| s.sectors_per_second));
            let times = kbps
                .and(sps)
                .and_then(|sps| discburn_mmc::speed::sectors_per_second_to_x(family, sps));
            run.note(Note::Speed {
                asked: opts.speed,
                kbps,
                times,
                rounded: sel.adjustment != crate::recorder::SpeedAdjustment::None
                    && opts.speed != SpeedChoice::Max,
            });
        }
        Err(e) => {
            run.note(Note::SpeedNotSet {
                requested_kbps: (requested > 0)
                    .then(|| sectors_per_second_to_kbps(family, requested as u32)),
                error: std::sync::Arc::new(e),
            });
        }
    }
}
