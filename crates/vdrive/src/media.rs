//! The media the virtual recorder can hold: profile, capacity, speeds and write rules of
//! each, as a table (MMC-6 §5.3 profiles; capacities and speeds as real discs and drives
//! report them, see `shared/spec/mmc.md` "Numbers").

use discburn_mmc::profile::{MediaFamily, Profile};
use serde::{Deserialize, Serialize};

use crate::curve::RotationControl;

/// One kind of disc the virtual recorder can hold.
///
/// The writable kinds are what a user asks for with `media=`; the ROM kinds are how an
/// existing image file without a state file is presented (a pressed, finalized disc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Media {
    /// CD-R, 80 min (profile 0009h).
    CdR,
    /// CD-RW, 80 min (profile 000Ah).
    CdRw,
    /// DVD-R, sequential recording (profile 0011h).
    DvdMinusR,
    /// DVD+R (profile 001Bh).
    DvdPlusR,
    /// DVD+RW (profile 001Ah).
    DvdPlusRw,
    /// DVD-RAM (profile 0012h), sold formatted.
    DvdRam,
    /// BD-R, sequential recording mode (profile 0041h), unformatted or formatted with spares.
    BdR,
    /// BD-RE (profile 0043h).
    BdRe,
    /// DVD-RW: sold blank and sequential (profile 0014h, written as DVD-R is); FORMAT UNIT
    /// makes it restricted overwrite (profile 0013h), BLANK sequential again (MMC-6 §4.5.4).
    DvdMinusRw,
    /// CD-ROM (profile 0008h): an existing image presented read-only.
    CdRom,
    /// DVD-ROM (profile 0010h): an existing image presented read-only.
    DvdRom,
    /// BD-ROM (profile 0040h): an existing image presented read-only.
    BdRom,
    /// DVD+R DL, 8.5 GB (profile 002Bh): two layers, opposite track path, the layer
    /// boundary settable before the first write.
    DvdPlusRDl,
    /// DVD-R DL, 8.5 GB, sequential recording (profile 0015h).
    DvdMinusRDl,
    /// BD-R DL, 50 GB (profile 0041h, two layers).
    BdRDl,
    /// BD-R TL, BDXL 100 GB (profile 0041h, three layers).
    BdRTl,
    /// BD-R QL, BDXL 128 GB (profile 0041h, four layers).
    BdRQl,
    /// BD-RE DL, 50 GB (profile 0043h, two layers).
    BdReDl,
    /// BD-RE TL, BDXL 100 GB (profile 0043h, three layers).
    BdReTl,
    /// DVD+RW DL, 8.5 GB (profile 002Ah): two layers, formatted like DVD+RW.
    DvdPlusRwDl,
}

/// How a medium is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recording {
    /// Write-once sequential: tracks, sessions, a next writable address per track.
    Sequential,
    /// Rewritable sequential until blanked (CD-RW and sequential DVD-RW: written like
    /// CD-R/DVD-R, erased with BLANK).
    SequentialErasable,
    /// Random-writable once formatted (DVD+RW, DVD-RAM, BD-RE, restricted overwrite DVD-RW).
    Random,
    /// Read-only (pressed disc or a foreign image).
    ReadOnly,
}

/// One write speed a drive offers for a medium: nominal speed (the speed at the end of
/// the disc) and the rotation control that produces it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpeedDef {
    /// Nominal speed in multiples of 1x (the highest speed reached on the disc).
    pub x: f64,
    /// CLV, CAV or zoned CLV.
    pub rotation: RotationControl,
}

const fn clv(x: f64) -> SpeedDef {
    SpeedDef {
        x,
        rotation: RotationControl::Clv,
    }
}

const fn cav(x: f64) -> SpeedDef {
    SpeedDef {
        x,
        rotation: RotationControl::Cav,
    }
}

const fn zclv(x: f64, zones: &'static [(f64, f64)]) -> SpeedDef {
    SpeedDef {
        x,
        rotation: RotationControl::Zclv(zones),
    }
}

/// Static facts about one medium.
#[derive(Debug, Clone, Copy)]
pub struct MediaSpec {
    /// The `media=` name (`dvd+r`, …).
    pub name: &'static str,
    /// The MMC profile number reported as current (GET CONFIGURATION header).
    pub profile: Profile,
    /// Family.
    pub family: MediaFamily,
    /// User-data capacity in 2048-byte sectors as sold (unformatted for BD).
    pub capacity: u32,
    /// How the medium is written.
    pub recording: Recording,
    /// Write speeds the virtual drive offers for this medium, slowest first.
    pub write_speeds: &'static [SpeedDef],
    /// Read speeds the drive offers for this medium, slowest first; the last (CAV) is the
    /// default and [`MediaSpec::read_x`]. SET CD SPEED / SET STREAMING pick among them.
    pub read_speeds: &'static [SpeedDef],
    /// Whether the medium needs FORMAT UNIT before random writes (DVD+RW, BD-RE), or can be
    /// formatted at all (BD-R with spares).
    pub formattable: bool,
    /// Whether the Write Parameters page (05h) governs writing (CD, DVD-R); DVD+R/RW,
    /// DVD-RAM and BD drives accept the page and ignore it.
    pub uses_write_parameters: bool,
    /// Sectors lost between the end of a closed session and the start of the next one
    /// (lead-out + next lead-in; CD: 6750 + 4500 + 150 pre-gap).
    pub session_gap: u32,
    /// Sectors between the end of a closed track and the start of the next one in the same
    /// session (CD TAO: 2 run-out + 150 pre-gap; DVD/BD: none).
    pub track_gap: u32,
    /// Time a CLOSE TRACK takes, in seconds.
    pub close_track_s: f64,
    /// Time a CLOSE SESSION (not finalizing) takes, in seconds (lead-out writing).
    pub close_session_s: f64,
    /// Time finalizing takes, in seconds.
    pub finalize_s: f64,
    /// Recording layers (1 single layer, 2 DL, 3 TL, 4 QL).
    pub layers: u8,
}

// Zoned CLV tables: (fraction of the disc where the zone starts, speed in x).
const CD_24X_ZONES: &[(f64, f64)] = &[(0.0, 16.0), (0.3, 20.0), (0.6, 24.0)];
const DVD_12X_ZONES: &[(f64, f64)] = &[(0.0, 8.0), (0.35, 10.0), (0.7, 12.0)];
const DVD_RAM_5X_ZONES: &[(f64, f64)] = &[(0.0, 3.0), (0.4, 5.0)];

const CD_R_SPEEDS: &[SpeedDef] = &[
    clv(4.0),
    clv(8.0),
    clv(16.0),
    zclv(24.0, CD_24X_ZONES),
    cav(32.0),
    cav(40.0),
    cav(48.0),
];
const CD_RW_SPEEDS: &[SpeedDef] = &[clv(4.0), clv(10.0), clv(16.0), clv(24.0)];
const DVD_R_SPEEDS: &[SpeedDef] = &[clv(4.0), clv(8.0), zclv(12.0, DVD_12X_ZONES), cav(16.0)];
const DVD_RW_SPEEDS: &[SpeedDef] = &[clv(2.4), clv(4.0), clv(8.0)];
const DVD_MINUS_RW_SPEEDS: &[SpeedDef] = &[clv(2.0), clv(4.0), clv(6.0)];
const DVD_RAM_SPEEDS: &[SpeedDef] = &[clv(3.0), zclv(5.0, DVD_RAM_5X_ZONES)];
const BD_R_SPEEDS: &[SpeedDef] = &[
    clv(2.0),
    clv(4.0),
    cav(6.0),
    cav(8.0),
    cav(12.0),
    cav(14.0),
    cav(16.0),
];
const BD_RE_SPEEDS: &[SpeedDef] = &[clv(2.0)];
// Dual layer: DVD±R DL at most 8x (zoned as the Pioneer DVR-111D reports 2.4x/4x/2.4x
// over both layers), BD-R DL to 8x CAV, BDXL to 4x (TL 6x), BD-RE DL/TL 2x.
const DVD_DL_8X_ZONES: &[(f64, f64)] = &[(0.0, 6.0), (0.2, 8.0)];
const DVD_DL_SPEEDS: &[SpeedDef] = &[clv(2.4), clv(4.0), zclv(8.0, DVD_DL_8X_ZONES)];
const BD_R_DL_SPEEDS: &[SpeedDef] = &[clv(2.0), clv(4.0), cav(6.0), cav(8.0)];
const BD_R_TL_SPEEDS: &[SpeedDef] = &[clv(2.0), clv(4.0), cav(6.0)];
const BD_R_QL_SPEEDS: &[SpeedDef] = &[clv(2.0), clv(4.0)];
const DVD_RW_DL_SPEEDS: &[SpeedDef] = &[clv(2.4)];

// Read speeds: CLV at the low speeds a host may ask for (audio extraction, quiet reads),
// CAV above, up to what current drives read each medium at.
const CD_READ_SPEEDS: &[SpeedDef] = &[
    clv(4.0),
    clv(8.0),
    clv(16.0),
    cav(24.0),
    cav(32.0),
    cav(40.0),
    cav(48.0),
];
const DVD_READ_SPEEDS: &[SpeedDef] = &[clv(2.0), clv(4.0), cav(8.0), cav(12.0), cav(16.0)];
const DVD_RAM_READ_SPEEDS: &[SpeedDef] = &[clv(2.0), clv(3.0), cav(5.0)];
const BD_READ_SPEEDS: &[SpeedDef] = &[clv(2.0), clv(4.0), cav(6.0), cav(8.0), cav(10.0), cav(12.0)];
const BD_RE_READ_SPEEDS: &[SpeedDef] = &[clv(2.0), clv(4.0), cav(6.0), cav(8.0)];

/// CD-R/RW 80 min: lead-out at 79:59:74 → 359,849 sectors after the 150-sector pre-gap.
pub const CD_80MIN_SECTORS: u32 = 359_849;
/// DVD±R single layer.
pub const DVD_SL_SECTORS: u32 = 2_295_104;
/// DVD-RW 4.7 GB, as growisofs and libburn report a blank one.
pub const DVD_RW_SECTORS: u32 = 2_298_496;
/// DVD-RW restricted overwrite writes whole ECC blocks: 16 sectors, 32 KiB (MMC-6 §4.5.4).
pub const DVD_RW_RO_BLOCKING: u32 = 16;
/// DVD-RAM 4.7 GB single-sided.
pub const DVD_RAM_SECTORS: u32 = 2_236_704;
/// Blocks a DVD-RAM spare area expansion (FORMAT UNIT type 01h) moves from the user
/// area to the supplementary spare area.
pub const DVD_RAM_SPARE_EXPANSION: u32 = 49_152;
/// BD-R/RE single layer 25 GB, unformatted.
pub const BD_SL_SECTORS: u32 = 12_219_392;
/// DVD+R DL 8.5 GB: 2 × 2,086,912 (what a blank one reports as free blocks).
pub const DVD_PLUS_R_DL_SECTORS: u32 = 4_173_824;
/// DVD-R DL 8.5 GB: 2 × 2,085,856.
pub const DVD_MINUS_R_DL_SECTORS: u32 = 4_171_712;
/// BD-R/RE DL 50 GB, unformatted: 2 × 12,219,392.
pub const BD_DL_SECTORS: u32 = 24_438_784;
/// BDXL TL 100 GB, unformatted: 3 × 16,292,864.
pub const BD_TL_SECTORS: u32 = 48_878_592;
/// BDXL QL 128 GB, unformatted: 4 × 15,625,216.
pub const BD_QL_SECTORS: u32 = 62_500_864;

impl MediaSpec {
    /// The fastest read speed, in multiples of 1x (CAV: reached at the outer edge).
    pub fn read_x(&self) -> f64 {
        self.read_speeds.last().map_or(1.0, |s| s.x)
    }

    /// User sectors of one layer as sold (the capacity split evenly: Layer 0 of a
    /// DVD±R DL before the host sets its boundary, each layer of a BD).
    pub fn layer_capacity(&self) -> u32 {
        self.capacity / u32::from(self.layers.max(1))
    }
}

const MEDIA: [Media; 17] = [
    Media::CdR,
    Media::CdRw,
    Media::DvdMinusR,
    Media::DvdPlusR,
    Media::DvdPlusRw,
    Media::DvdRam,
    Media::BdR,
    Media::BdRe,
    Media::DvdPlusRDl,
    Media::DvdMinusRDl,
    Media::BdRDl,
    Media::BdRTl,
    Media::BdRQl,
    Media::BdReDl,
    Media::BdReTl,
    Media::DvdPlusRwDl,
    Media::DvdMinusRw,
];

impl Media {
    /// The writable media a `media=` parameter may name.
    pub fn all() -> &'static [Media] {
        &MEDIA
    }

    /// The `media=` names, comma separated (for error messages).
    pub fn names() -> String {
        MEDIA
            .iter()
            .map(|m| m.spec().name)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Looks up a `media=` name (`cd-r`, `cd-rw`, `dvd-r`, `dvd+r`, `dvd+rw`, `dvd-ram`,
    /// `bd-r`, `bd-re`, `dvd-rw`; `+` taken literally, case-insensitive).
    pub fn from_name(name: &str) -> Option<Media> {
        MEDIA
            .iter()
            .copied()
            .find(|m| m.spec().name.eq_ignore_ascii_case(name))
    }

    /// The medium's static facts.
    pub fn spec(self) -> MediaSpec {
        let base = MediaSpec {
            name: "",
            profile: Profile::NoCurrentProfile,
            family: MediaFamily::Dvd,
            capacity: DVD_SL_SECTORS,
            recording: Recording::Sequential,
            write_speeds: &[],
            read_speeds: DVD_READ_SPEEDS,
            formattable: false,
            uses_write_parameters: false,
            session_gap: 0,
            track_gap: 0,
            close_track_s: 1.0,
            close_session_s: 10.0,
            finalize_s: 20.0,
            layers: 1,
        };
        match self {
            Media::CdR | Media::CdRw => MediaSpec {
                name: if self == Media::CdR { "cd-r" } else { "cd-rw" },
                profile: if self == Media::CdR {
                    Profile::CdR
                } else {
                    Profile::CdRw
                },
                family: MediaFamily::Cd,
                capacity: CD_80MIN_SECTORS,
                recording: if self == Media::CdR {
                    Recording::Sequential
                } else {
                    Recording::SequentialErasable
                },
                write_speeds: if self == Media::CdR {
                    CD_R_SPEEDS
                } else {
                    CD_RW_SPEEDS
                },
                read_speeds: CD_READ_SPEEDS,
                uses_write_parameters: true,
                session_gap: 6750 + 4500 + 150,
                track_gap: 2 + 150,
                close_track_s: 2.0,
                close_session_s: 20.0,
                finalize_s: 30.0,
                ..base
            },
            Media::DvdMinusR => MediaSpec {
                name: "dvd-r",
                profile: Profile::DvdRSequential,
                write_speeds: DVD_R_SPEEDS,
                uses_write_parameters: true,
                session_gap: 30_720,
                close_session_s: 30.0,
                finalize_s: 60.0,
                ..base
            },
            Media::DvdPlusR => MediaSpec {
                name: "dvd+r",
                profile: Profile::DvdPlusR,
                write_speeds: DVD_R_SPEEDS,
                session_gap: 30_720,
                close_session_s: 30.0,
                finalize_s: 60.0,
                ..base
            },
            Media::DvdPlusRw => MediaSpec {
                name: "dvd+rw",
                profile: Profile::DvdPlusRw,
                recording: Recording::Random,
                write_speeds: DVD_RW_SPEEDS,
                formattable: true,
                close_session_s: 5.0,
                finalize_s: 5.0,
                ..base
            },
            Media::DvdRam => MediaSpec {
                name: "dvd-ram",
                profile: Profile::DvdRam,
                capacity: DVD_RAM_SECTORS,
                recording: Recording::Random,
                write_speeds: DVD_RAM_SPEEDS,
                read_speeds: DVD_RAM_READ_SPEEDS,
                ..base
            },
            Media::BdR => MediaSpec {
                name: "bd-r",
                profile: Profile::BdRSrm,
                family: MediaFamily::Bd,
                capacity: BD_SL_SECTORS,
                write_speeds: BD_R_SPEEDS,
                read_speeds: BD_READ_SPEEDS,
                formattable: true,
                session_gap: 2048,
                close_track_s: 1.0,
                close_session_s: 5.0,
                finalize_s: 8.0,
                ..base
            },
            Media::BdRe => MediaSpec {
                name: "bd-re",
                profile: Profile::BdRe,
                family: MediaFamily::Bd,
                capacity: BD_SL_SECTORS,
                recording: Recording::Random,
                write_speeds: BD_RE_SPEEDS,
                read_speeds: BD_RE_READ_SPEEDS,
                formattable: true,
                close_session_s: 2.0,
                finalize_s: 2.0,
                ..base
            },
            Media::DvdMinusRw => MediaSpec {
                name: "dvd-rw",
                profile: Profile::DvdRwSequential,
                capacity: DVD_RW_SECTORS,
                recording: Recording::SequentialErasable,
                write_speeds: DVD_MINUS_RW_SPEEDS,
                formattable: true,
                uses_write_parameters: true,
                session_gap: 30_720,
                close_session_s: 30.0,
                finalize_s: 60.0,
                ..base
            },
            Media::CdRom => MediaSpec {
                name: "cd-rom",
                profile: Profile::CdRom,
                family: MediaFamily::Cd,
                capacity: CD_80MIN_SECTORS,
                recording: Recording::ReadOnly,
                read_speeds: CD_READ_SPEEDS,
                ..base
            },
            Media::DvdRom => MediaSpec {
                name: "dvd-rom",
                profile: Profile::DvdRom,
                recording: Recording::ReadOnly,
                ..base
            },
            Media::BdRom => MediaSpec {
                name: "bd-rom",
                profile: Profile::BdRom,
                family: MediaFamily::Bd,
                capacity: BD_SL_SECTORS * 2,
                recording: Recording::ReadOnly,
                read_speeds: BD_READ_SPEEDS,
                ..base
            },
            Media::DvdPlusRDl | Media::DvdMinusRDl => {
                let plus = self == Media::DvdPlusRDl;
                MediaSpec {
                    name: if plus { "dvd+r-dl" } else { "dvd-r-dl" },
                    profile: if plus {
                        Profile::DvdPlusRDl
                    } else {
                        Profile::DvdRDlSequential
                    },
                    capacity: if plus {
                        DVD_PLUS_R_DL_SECTORS
                    } else {
                        DVD_MINUS_R_DL_SECTORS
                    },
                    write_speeds: DVD_DL_SPEEDS,
                    layers: 2,
                    // A DL lead-out and middle area take longer than a single layer's.
                    close_session_s: 45.0,
                    finalize_s: 90.0,
                    ..self.base().spec()
                }
            }
            Media::DvdPlusRwDl => MediaSpec {
                name: "dvd+rw-dl",
                profile: Profile::DvdPlusRwDl,
                capacity: DVD_PLUS_R_DL_SECTORS,
                write_speeds: DVD_RW_DL_SPEEDS,
                layers: 2,
                ..Media::DvdPlusRw.spec()
            },
            Media::BdRDl | Media::BdRTl | Media::BdRQl | Media::BdReDl | Media::BdReTl => {
                let (name, capacity, layers) = match self {
                    Media::BdRDl => ("bd-r-dl", BD_DL_SECTORS, 2),
                    Media::BdRTl => ("bd-r-tl", BD_TL_SECTORS, 3),
                    Media::BdRQl => ("bd-r-ql", BD_QL_SECTORS, 4),
                    Media::BdReDl => ("bd-re-dl", BD_DL_SECTORS, 2),
                    _ => ("bd-re-tl", BD_TL_SECTORS, 3),
                };
                let write_speeds = match self {
                    Media::BdRDl => BD_R_DL_SPEEDS,
                    Media::BdRTl => BD_R_TL_SPEEDS,
                    Media::BdRQl => BD_R_QL_SPEEDS,
                    _ => BD_RE_SPEEDS,
                };
                MediaSpec {
                    name,
                    capacity,
                    layers,
                    write_speeds,
                    ..self.base().spec()
                }
            }
        }
    }

    /// The single-layer medium whose recording rules this one follows (DVD+R for
    /// DVD+R DL, BD-R for BD-R DL/TL/QL, …; itself for single-layer media): the layers
    /// change capacity, speeds and the structures a drive reports, not how tracks,
    /// sessions and formats work.
    pub fn base(self) -> Media {
        match self {
            Media::DvdPlusRDl => Media::DvdPlusR,
            Media::DvdPlusRwDl => Media::DvdPlusRw,
            Media::DvdMinusRDl => Media::DvdMinusR,
            Media::BdRDl | Media::BdRTl | Media::BdRQl => Media::BdR,
            Media::BdReDl | Media::BdReTl => Media::BdRe,
            m => m,
        }
    }

    /// The read-only medium of the same family (how a foreign image is presented).
    pub fn rom_of(family: MediaFamily) -> Media {
        match family {
            MediaFamily::Cd => Media::CdRom,
            MediaFamily::Dvd => Media::DvdRom,
            MediaFamily::Bd | MediaFamily::HdDvd | MediaFamily::Other => Media::BdRom,
        }
    }

    /// True for CD-R/RW.
    pub fn is_cd(self) -> bool {
        self.spec().family == MediaFamily::Cd
    }

    /// True for media that are written sequentially as sold (CD-R/RW, DVD±R, DVD-RW, BD-R;
    /// [`crate::model::DiscState::is_sequential`] knows a DVD-RW's current mode).
    pub fn is_sequential(self) -> bool {
        matches!(
            self.spec().recording,
            Recording::Sequential | Recording::SequentialErasable
        )
    }

    /// True for media written at any LBA once formatted, as sold (see
    /// [`crate::model::DiscState::is_random`] for a restricted overwrite DVD-RW).
    pub fn is_random(self) -> bool {
        self.spec().recording == Recording::Random
    }
}

/// One capacity FORMAT UNIT can produce on a medium (READ FORMAT CAPACITIES descriptor,
/// MMC-6 §6.24.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormatOption {
    /// Format type (00h full with default spares, 26h DVD+RW basic, 30h BD-RE with
    /// spares, 31h BD-RE without spares, 32h BD-R with spares).
    pub format_type: u8,
    /// Resulting user capacity in blocks.
    pub blocks: u32,
    /// Type dependent parameter (spare area size in blocks for BD, block length for DVD+RW).
    pub param: u32,
}

/// The formats FORMAT UNIT accepts for a medium, default first.
///
/// BD spare areas grow with the layers: each layer carries its inner and outer spare
/// areas, so a BD-RE DL formats by default to 24,438,784 − 786,432 = 23,652,352 blocks,
/// what real drives report for it.
pub fn format_options(media: Media) -> Vec<FormatOption> {
    const fn f(format_type: u8, blocks: u32, param: u32) -> FormatOption {
        FormatOption {
            format_type,
            blocks,
            param,
        }
    }
    let spec = media.spec();
    let layers = u32::from(spec.layers.max(1));
    let cap = spec.capacity;
    // BD spare choices per layer (blocks): 393,216 default (768 MiB), 131,072 minimum,
    // 1,048,576 large; the user area shrinks by the spare size.
    let bd = |with_spares: u8| {
        let spare = |per_layer: u32| per_layer * layers;
        vec![
            f(0x00, cap - spare(393_216), spare(393_216)),
            f(with_spares, cap - spare(393_216), spare(393_216)),
            f(with_spares, cap - spare(131_072), spare(131_072)),
            f(with_spares, cap - spare(1_048_576), spare(1_048_576)),
        ]
    };
    match media.base() {
        Media::BdRe => {
            let mut v = bd(0x30);
            v.push(f(0x31, cap, 0));
            v
        }
        Media::BdR => bd(0x32),
        Media::DvdPlusRw => vec![f(0x26, cap, 0)],
        // DVD-RW (MMC-6 §6.5.4.2.1, §6.5.4.2.8-.11): 00h and 10h full format and 15h
        // quick format to restricted overwrite, 13h quick grow of the last session
        // (offered once restricted overwrite); the type dependent parameter is the ECC
        // block size. Real drives list 00h first, and both burners need it: growisofs
        // takes a restricted overwrite disc's capacity from the 00h descriptor ("can't
        // locate obligatory format descriptor" without it), libburn formats a sequential
        // disc in full (xorriso -format full, and as_needed) with 00h only.
        // dvd+rw-format sends 15h with 0 blocks ("make it really quick"), which picks
        // the descriptor's capacity here.
        Media::DvdMinusRw => vec![
            f(0x00, DVD_RW_SECTORS, DVD_RW_RO_BLOCKING),
            f(0x10, DVD_RW_SECTORS, DVD_RW_RO_BLOCKING),
            f(0x13, DVD_RW_SECTORS, DVD_RW_RO_BLOCKING),
            f(0x15, DVD_RW_SECTORS, DVD_RW_RO_BLOCKING),
        ],
        // DVD-RAM (MMC-6 §6.5.4.2.1, §6.5.4.2.2): 00h full format with the default spare
        // areas, 01h spare area expansion, which gives one step of user area (the model's
        // 49,152 blocks, 96 MiB) to the supplementary spare area and keeps the data; both
        // with the block length as the type dependent parameter.
        Media::DvdRam => vec![
            f(0x00, DVD_RAM_SECTORS, 2048),
            f(0x01, DVD_RAM_SECTORS - DVD_RAM_SPARE_EXPANSION, 2048),
        ],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_plus_is_literal() {
        for m in Media::all() {
            assert_eq!(Media::from_name(m.spec().name), Some(*m));
        }
        assert_eq!(Media::from_name("dvd+r"), Some(Media::DvdPlusR));
        assert_eq!(Media::from_name("dvd r"), None);
        assert_eq!(Media::from_name("DVD-R"), Some(Media::DvdMinusR));
        assert_eq!(Media::from_name("dvd+r-dl"), Some(Media::DvdPlusRDl));
        assert_eq!(Media::from_name("BD-R-QL"), Some(Media::BdRQl));
        assert!(Media::names().contains("bd-re"));
    }

    #[test]
    fn capacities_are_the_real_ones() {
        assert_eq!(Media::CdR.spec().capacity, 359_849);
        assert_eq!(Media::DvdPlusR.spec().capacity, 2_295_104);
        assert_eq!(Media::DvdMinusR.spec().capacity, 2_295_104);
        assert_eq!(Media::BdR.spec().capacity, 12_219_392);
        // Multi-layer media: the capacities drives report (blank DVD+R DL free blocks,
        // BD DL 50 GB, BDXL 100 and 128 GB), one layer each an equal share.
        assert_eq!(Media::DvdPlusRDl.spec().capacity, 4_173_824);
        assert_eq!(Media::DvdPlusRDl.spec().layer_capacity(), 2_086_912);
        assert_eq!(Media::DvdMinusRDl.spec().layer_capacity(), 2_085_856);
        assert_eq!(Media::BdRDl.spec().capacity, 24_438_784);
        assert_eq!(Media::BdRTl.spec().capacity as u64 * 2048, 100_103_356_416);
        assert_eq!(Media::BdRQl.spec().capacity as u64 * 2048, 128_001_769_472);
        assert_eq!(
            Media::BdRTl.spec().layer_capacity() * 3,
            Media::BdRTl.spec().capacity
        );
        assert_eq!(
            Media::BdRQl.spec().layer_capacity() * 4,
            Media::BdRQl.spec().capacity
        );
        for m in Media::all() {
            let s = m.spec();
            assert_eq!(s.family, m.base().spec().family, "{m:?}");
            assert_eq!(s.recording, m.base().spec().recording, "{m:?}");
            assert_eq!(s.layers > 1, m.base() != *m, "{m:?}");
        }
        assert_eq!(Media::DvdPlusRDl.spec().profile, Profile::DvdPlusRDl);
        assert_eq!(Media::DvdMinusRDl.spec().profile, Profile::DvdRDlSequential);
        assert_eq!(Media::BdRQl.spec().profile, Profile::BdRSrm);
        assert_eq!(Media::BdReTl.spec().profile, Profile::BdRe);
    }

    #[test]
    fn bd_spares_grow_with_the_layers() {
        let dl = format_options(Media::BdReDl);
        assert_eq!((dl[0].blocks, dl[0].param), (23_652_352, 786_432));
        assert!(dl
            .iter()
            .any(|o| o.format_type == 0x31 && o.blocks == 24_438_784));
        let sl = format_options(Media::BdRe);
        assert_eq!((sl[0].blocks, sl[0].param), (12_219_392 - 393_216, 393_216));
        let ql = format_options(Media::BdRQl);
        assert!(ql
            .iter()
            .all(|o| o.format_type != 0x31 && o.blocks < BD_QL_SECTORS));
        assert!(format_options(Media::DvdPlusRDl).is_empty());
        assert_eq!(format_options(Media::DvdPlusRwDl)[0].blocks, 4_173_824);
        assert_eq!(format_options(Media::DvdPlusRw)[0].blocks, DVD_SL_SECTORS);
    }

    #[test]
    fn speeds_are_sorted_and_bd_r_is_cav_from_6x() {
        for m in Media::all() {
            let s = m.spec().write_speeds;
            assert!(!s.is_empty());
            assert!(s.windows(2).all(|w| w[0].x < w[1].x), "{m:?}");
        }
        for m in Media::all()
            .iter()
            .chain(&[Media::CdRom, Media::DvdRom, Media::BdRom])
        {
            let r = m.spec().read_speeds;
            assert!(r.windows(2).all(|w| w[0].x < w[1].x), "{m:?}");
            assert_eq!(r.last().unwrap().rotation, RotationControl::Cav, "{m:?}");
        }
        assert_eq!(Media::CdR.spec().read_x(), 48.0);
        assert_eq!(Media::DvdPlusR.spec().read_x(), 16.0);
        assert_eq!(Media::BdR.spec().read_x(), 12.0);
        let bd = Media::BdR.spec().write_speeds;
        assert!(bd
            .iter()
            .all(|s| (s.x >= 6.0) == (s.rotation == RotationControl::Cav)));
    }
}
