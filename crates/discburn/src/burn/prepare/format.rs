//! Formatting and blanking: the format choices READ FORMAT CAPACITIES offers, FORMAT UNIT
//! (with BD defect management as an explicit [`Spare`](super::super::Spare) choice) and BLANK.

use discburn_mmc::format::{
    Blank, FormatCapacities, FormatParameterList, FormatType, FormatUnit, FormattableCapacity,
    ReadFormatCapacities,
};
use discburn_mmc::profile::Profile;
use discburn_mmc::sense::Refusal;
use discburn_mmc::transport::DataPhase;

use crate::recorder::Recorder;

use super::medium::{Medium, Recording};
use super::ops::{self, Ceiling};
use super::{BurnError, BurnPhase, FormatRequest, Note, Operation, Spare, Unsuitable};

/// One way to format the medium, with the capacity it leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatChoice {
    /// The spare setting this choice stands for.
    pub spare: Spare,
    /// User capacity in sectors afterwards.
    pub sectors: u64,
    /// The descriptor sent to FORMAT UNIT; `None`: leave unformatted (BD-R).
    pub descriptor: Option<FormattableCapacity>,
}

/// READ FORMAT CAPACITIES, when the drive answers it.
pub(crate) fn format_capacities(rec: &Recorder) -> Option<FormatCapacities> {
    rec.query(&ReadFormatCapacities::all()).ok()
}

/// The format choices (spare none/min/default) for the medium in the drive,
/// with the capacity each leaves. Empty when the medium is not formattable.
pub fn format_choices(rec: &Recorder, medium: &Medium) -> Vec<FormatChoice> {
    let Some(caps) = format_capacities(rec) else {
        return Vec::new();
    };
    choices_from(medium.profile, &caps, medium.capacity_sectors)
}

pub(super) fn choices_from(
    profile: Profile,
    caps: &FormatCapacities,
    raw_capacity: u64,
) -> Vec<FormatChoice> {
    let of = |types: &[FormatType]| -> Vec<FormattableCapacity> {
        caps.formattable
            .iter()
            .filter(|d| types.contains(&d.format_type))
            .copied()
            .collect()
    };
    let choice = |spare, d: FormattableCapacity| FormatChoice {
        spare,
        sectors: u64::from(d.number_of_blocks),
        descriptor: Some(d),
    };
    let mut out = Vec::new();
    match profile {
        Profile::BdRSrm | Profile::BdRRrm => {
            let unformatted = u64::from(caps.current.number_of_blocks).max(raw_capacity);
            out.push(FormatChoice {
                spare: Spare::None,
                sectors: unformatted,
                descriptor: None,
            });
            let spares = of(&[FormatType::BdRWithSpares, FormatType::Full]);
            if let Some(d) = spares.iter().max_by_key(|d| d.number_of_blocks) {
                out.push(choice(Spare::Min, *d));
            }
            if let Some(d) = spares.first() {
                out.push(choice(Spare::Default, *d));
            }
        }
        Profile::BdRe => {
            if let Some(d) = of(&[FormatType::BdReWithoutSpares]).first() {
                out.push(choice(Spare::None, *d));
            }
            let spares = of(&[FormatType::BdReWithSpares, FormatType::Full]);
            if let Some(d) = spares.iter().max_by_key(|d| d.number_of_blocks) {
                out.push(choice(Spare::Min, *d));
            }
            if let Some(d) = spares.first() {
                out.push(choice(Spare::Default, *d));
            }
        }
        _ => {
            if let Some(d) = caps.formattable.first() {
                out.push(choice(Spare::Default, *d));
            }
        }
    }
    out
}

/// FORMAT UNIT of `d` with Immed and the progress poll; `sectors`: the capacity it
/// leaves, for the note (a DVD-RW quick format sends 0 blocks).
pub(super) fn format_with(
    run: &mut Operation<'_>,
    d: FormattableCapacity,
    sectors: u64,
) -> Result<(), BurnError> {
    let rec = run.rec;
    run.note(Note::Formatting {
        format_type: d.format_type,
        sectors,
    });
    let mut with = [0u8; FormatParameterList::LEN];
    let mut without = [0u8; FormatParameterList::LEN];
    let list = FormatParameterList::immediate(d.to_format_descriptor());
    list.emit(&mut with)
        .map_err(|e| BurnError::device("formatting", e.into()))?;
    FormatParameterList {
        immed: false,
        ..list
    }
    .emit(&mut without)
    .map_err(|e| BurnError::device("formatting", e.into()))?;
    // The Immed bit of FORMAT UNIT lives in the parameter list; send the list that
    // matches the attempt.
    let started = rec.clock().now();
    let sent = rec.command(
        &FormatUnit::new(),
        DataPhase::Out(&with),
        ops::IMMED_TIMEOUT,
    );
    match sent {
        Ok(_) => ops::wait_ready(
            rec,
            BurnPhase::FormattingMedia,
            Ceiling::Erase,
            started,
            run.cancel,
            run.on_event,
        )
        .map_err(|e| BurnError::device("formatting (FORMAT UNIT)", e)),
        Err(e)
            if matches!(
                e.refusal(),
                Some(Refusal::InvalidParameter | Refusal::InvalidField)
            ) =>
        {
            rec.command(
                &FormatUnit::new(),
                DataPhase::Out(&without),
                Ceiling::Erase.duration(),
            )
            .map(|_| ())
            .map_err(|e| BurnError::device("formatting (FORMAT UNIT)", e))
        }
        Err(e) => Err(BurnError::device("formatting (FORMAT UNIT)", e)),
    }
}

/// The DVD-RW format `discburn format` sends (MMC-6 §6.5.4.2): quick (15h) or full
/// (10h), as READ FORMAT CAPACITIES offers them; the quick one with 0 blocks, as
/// dvd+rw-format sends it ("make it really quick": the drive formats what it needs).
/// With the capacity the descriptor offers.
fn dvd_rw_format(
    caps: &FormatCapacities,
    profile: Profile,
    full: bool,
) -> Result<(FormattableCapacity, u64), BurnError> {
    let wanted = if full {
        FormatType::RwFull
    } else {
        FormatType::DvdRwQuick
    };
    let d = caps
        .formattable
        .iter()
        .find(|d| d.format_type == wanted)
        .copied()
        .ok_or_else(|| {
            BurnError::Unsupported(format!(
                "the drive offers no {} for the {profile} in it (READ FORMAT CAPACITIES)",
                wanted.name()
            ))
        })?;
    let sectors = u64::from(d.number_of_blocks);
    let sent = if full {
        d
    } else {
        FormattableCapacity {
            number_of_blocks: 0,
            ..d
        }
    };
    Ok((sent, sectors))
}

/// `discburn format`: formats with the chosen spare, or a DVD-RW to restricted overwrite
/// (explicit request).
pub(crate) fn format_medium(
    run: &mut Operation<'_>,
    medium: &Medium,
    request: FormatRequest,
) -> Result<(), BurnError> {
    let rec = run.rec;
    let profile = medium.profile;
    let dvd_rw = matches!(
        profile,
        Profile::DvdRwSequential | Profile::DvdRwRestrictedOverwrite
    );
    if (request.overwrite || request.full) && !dvd_rw {
        return Err(BurnError::Unsuitable(Unsuitable::NotDvdRw { profile }));
    }
    if profile == Profile::DvdRwSequential && !request.overwrite {
        return Err(BurnError::Unsuitable(Unsuitable::ModeChangeNotAsked {
            profile,
        }));
    }
    let caps = format_capacities(rec).ok_or_else(|| {
        BurnError::Unsupported(format!("the {profile} in the drive cannot be formatted"))
    })?;
    if dvd_rw {
        let (d, sectors) = dvd_rw_format(&caps, profile, request.full)?;
        run.phase(BurnPhase::FormattingMedia);
        return format_with(run, d, sectors);
    }
    if profile == Profile::BdRSrm && !medium.is_blank() {
        return Err(BurnError::NotBlank {
            profile,
            why: "a BD-R can be formatted only while blank".into(),
        });
    }
    let choices = choices_from(profile, &caps, medium.capacity_sectors);
    if choices.is_empty() {
        return Err(BurnError::Unsupported(format!(
            "the {profile} in the drive cannot be formatted"
        )));
    }
    let wanted = request.spare;
    let chosen = choices
        .iter()
        .find(|c| c.spare == wanted)
        .or_else(|| {
            if matches!(profile, Profile::BdRSrm | Profile::BdRe) {
                None
            } else {
                choices.first()
            }
        })
        .copied()
        .ok_or_else(|| {
            BurnError::Unsupported(format!("no format with spare {wanted} for this {profile}"))
        })?;
    let Some(d) = chosen.descriptor else {
        run.note(Note::BdRLeftUnformatted {
            sectors: chosen.sectors,
        });
        return Ok(());
    };
    run.phase(BurnPhase::FormattingMedia);
    format_with(run, d, u64::from(d.number_of_blocks))
}

/// `discburn blank`: BLANK with Immed (minimal or full) and the progress poll.
pub(crate) fn blank(run: &mut Operation<'_>, medium: &Medium, full: bool) -> Result<(), BurnError> {
    let profile = medium.profile;
    if !matches!(
        profile,
        Profile::CdRw | Profile::DvdRwSequential | Profile::DvdRwRestrictedOverwrite
    ) {
        return Err(BurnError::Unsuitable(Unsuitable::CannotBlank {
            profile,
            rewritable_in_place: medium.recording == Recording::RandomAccess,
        }));
    }
    run.phase(BurnPhase::Blanking);
    ops::long_step(
        run.rec,
        BurnPhase::Blanking,
        Ceiling::Erase,
        |immed| {
            if full {
                Blank::full(immed)
            } else {
                Blank::minimal(immed)
            }
        },
        None,
        run.cancel,
        ops::OnCancel::StopWaiting,
        run.on_event,
    )
    .map_err(|e| BurnError::device("blanking (BLANK)", e))
}
