//! The library's facts in this program's words: sizes, durations, speeds and the
//! workflow's [`Note`]s, which name this program's flags where a flag is the point.

use std::time::Duration;

use discburn::burn::{Closing, FormatChoice, LayerBreakKind, Note, Spare, SpeedChoice, WriteMode};
use discburn::iso::FileSystems;

/// A sector count (2048-byte sectors) as a size a person reads: "4.70 GB" at
/// a gigabyte and above, "650.0 MB" below (decimal units, as disc labels use).
pub fn human_size(sectors: u64) -> String {
    let bytes = sectors as f64 * 2048.0;
    if bytes >= 1e9 {
        format!("{:.2} GB", bytes / 1e9)
    } else {
        format!("{:.1} MB", bytes / 1e6)
    }
}

/// A sector count in gigabytes, as BD capacities are compared: "25.03 GB".
fn gigabytes(sectors: u64) -> String {
    format!("{:.2} GB", sectors as f64 * 2048.0 / 1e9)
}

/// A duration as a person says it: "45 s", "3 min 20 s", "1 h 0 min".
fn spoken(d: Duration) -> String {
    // Rounded up: "up to" must not promise less than the timeout.
    let s = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 if s.is_multiple_of(60) => format!("{} min", s / 60),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

/// Format choices as `--spare` names them, each with its capacity in `size`'s words:
/// "none: 12219392 sectors (25.03 GB); min: …".
pub fn spare_choices(choices: &[FormatChoice], size: fn(u64) -> String) -> String {
    let list: Vec<String> = choices
        .iter()
        .map(|c| {
            format!(
                "{}: {} sectors ({})",
                spare_word(c.spare),
                c.sectors,
                size(c.sectors)
            )
        })
        .collect();
    list.join("; ")
}

/// A spare choice as `--spare` names it (growisofs' spare:none|min|default).
pub fn spare_word(s: Spare) -> &'static str {
    match s {
        Spare::None => "none",
        Spare::Min => "min",
        Spare::Default => "default",
    }
}

/// A requested speed as `--speed` takes it.
fn asked_speed(s: SpeedChoice) -> String {
    match s {
        SpeedChoice::Max => "maximum".to_string(),
        SpeedChoice::Times(x) => format!("{x}x"),
        SpeedChoice::KBps(k) => format!("{k} kB/s"),
    }
}

fn write_mode(m: WriteMode) -> &'static str {
    match m {
        WriteMode::SessionAtOnce => "Session-At-Once",
        WriteMode::TrackAtOnce => "Track-At-Once",
        WriteMode::DiscAtOnce => "Disc-At-Once",
        WriteMode::Incremental => "incremental",
    }
}

/// What a [`Note`] says to the user, in one line.
pub fn note_text(n: &Note) -> String {
    match n {
        Note::Disc(m) => format!("Disc: {}", m.summary()),
        Note::FolderImage {
            dir,
            file_systems,
            udf_revision,
            volume_id,
            sectors,
            renamed,
        } => {
            let fs = match (file_systems, udf_revision) {
                (FileSystems::Iso, _) => "ISO 9660 + Joliet + Rock Ridge".to_string(),
                (FileSystems::Udf, Some(r)) => format!("UDF {r}"),
                (FileSystems::IsoUdf, Some(r)) => {
                    format!("ISO 9660 + Joliet + Rock Ridge + UDF {r} (bridge)")
                }
                (fs, None) => fs.to_string(),
            };
            let renamed = if *renamed > 0 {
                format!("; {renamed} name(s) adapted for ISO 9660/Joliet (Rock Ridge keeps them)")
            } else {
                String::new()
            };
            format!(
                "Image: {} as {fs}, volume {volume_id}, {sectors} sectors ({}), built while writing{renamed}",
                dir.display(),
                human_size(*sectors)
            )
        }
        Note::UdfRemoved { volume_id } => format!(
            "The volume \"{volume_id}\" also held a UDF tree (ISO 9660 + UDF bridge) that would describe the old files only: it is switched off with the new descriptors, so systems read the ISO 9660 trees (for UDF, burn the whole folder without --multi)"
        ),
        Note::VolumeReplaced { profile, volume_id } => format!(
            "The {profile} holds the ISO 9660 volume \"{volume_id}\": the new one replaces it from sector 0 (a multi-session burn adds to it instead)"
        ),
        Note::VolumeGrown {
            volume_id,
            start_lba,
            kept,
            replaced,
            new_volume_id,
            sectors,
        } => format!(
            "Growing the volume \"{volume_id}\" as growisofs -M does: new session at sector {start_lba}, {kept} file(s) of the earlier sessions carried forward in place, {replaced} replaced by the folder's; volume {new_volume_id}, {sectors} sectors ({}), then the descriptors at sector 16",
            human_size(*sectors)
        ),
        Note::SessionAppended {
            start_lba,
            previous_start,
            kept,
            replaced,
            volume_id,
            sectors,
        } => format!(
            "New session at sector {start_lba}, after the one at sector {previous_start}: {kept} file(s) of the earlier sessions carried forward in place, {replaced} replaced by the folder's; volume {volume_id}, {sectors} sectors ({})",
            human_size(*sectors)
        ),
        Note::ImageForLaterSession {
            label,
            root_extent,
            start_lba,
        } => format!(
            "{label} is an ISO 9660 image mastered for a later session (root directory at sector {root_extent}): written from sector {start_lba}"
        ),
        Note::RawDataAt { label, start_lba } => format!(
            "{label} holds no ISO 9660 volume descriptor at its sector 16 (raw data, or UDF only): written as it is, it starts at sector {start_lba} of the disc, not at 0"
        ),
        Note::LayerBreak {
            layer0,
            sectors,
            how,
        } => match how {
            LayerBreakKind::Balanced => format!(
                "Layer break at sector {layer0}: Layer 0 set to hold half of the {sectors} sectors (rounded up to ECC blocks) so both layers end at the same radius, as growisofs -dvd-compat does; the disc holds {} now",
                human_size(2 * u64::from(*layer0))
            ),
            LayerBreakKind::Disc => format!(
                "Layer break at sector {layer0} (the disc's Layer 0 capacity): the {sectors} sectors go on on Layer 1 from there"
            ),
            LayerBreakKind::Layer0Only => format!(
                "The recording ({sectors} sectors) fits on Layer 0 ({layer0} sectors): Layer 1 stays empty; a single-layer disc would hold it"
            ),
        },
        Note::SpareChoices(choices) => format!(
            "BD defect management choices: {}",
            spare_choices(choices, gigabytes)
        ),
        Note::SpareChosen { spare, sectors } => format!(
            "Defect management: spare {spare} → {sectors} sectors ({}) usable",
            gigabytes(*sectors)
        ),
        Note::SpareIgnored { profile, written } => format!(
            "--spare ignored: the {profile} is already {} (its spare area is fixed now)",
            if *written { "written" } else { "formatted" }
        ),
        Note::Padding {
            label,
            sectors,
            pad,
            sao_minimum,
            whole_blocks,
        } => {
            let mut parts = Vec::new();
            if *pad > 0 {
                parts.push(format!(
                    "--pad: {pad} zero sectors ({} KiB) after the data, as cdrecord -pad",
                    pad * 2
                ));
            }
            if let Some(min) = sao_minimum {
                parts.push(format!(
                    "Session-At-Once: {label} has {sectors} sectors, under the {min}-sector ({} s) minimum track length: padded with {} zero sectors to {min}, as cdrecord does",
                    min / 75,
                    min.saturating_sub(*sectors)
                ));
            }
            if let Some(total) = whole_blocks {
                parts.push(format!(
                    "{label} padded with zeros to {total} sectors: a restricted overwrite DVD-RW records whole 32 KiB blocks only"
                ));
            }
            parts.join("; ")
        }
        Note::DaoRefused => "The drive refuses Disc-At-Once; writing incrementally instead".into(),
        Note::NoReserveTrack => {
            "The drive has no RESERVE TRACK; writing incrementally instead of Disc-At-Once".into()
        }
        Note::WriteMode { mode, test_write } => format!(
            "Write mode: {}{}",
            write_mode(*mode),
            if *test_write {
                ", Test Write (simulation: the laser stays off)"
            } else {
                ""
            }
        ),
        Note::Speed {
            asked,
            kbps,
            times,
            rounded,
        } => {
            let got = match kbps {
                Some(k) => match times {
                    Some(x) => format!("{x:.1}x, {k} kB/s"),
                    None => format!("{k} kB/s"),
                },
                None => "the drive's choice (not reported)".into(),
            };
            format!(
                "Speed: asked {}, drive uses {got}{}",
                asked_speed(*asked),
                if *rounded {
                    " (the drive rounded the request to a speed it offers)"
                } else {
                    ""
                }
            )
        }
        Note::SpeedNotSet {
            requested_kbps,
            error,
        } => format!(
            "Could not set the write speed{}; the drive keeps its own ({error})",
            requested_kbps.map_or(String::new(), |k| format!(" ({k} kB/s)"))
        ),
        Note::Formatting {
            format_type,
            sectors,
        } => format!(
            "Formatting: {} ({sectors} sectors, {})",
            format_type.name(),
            gigabytes(*sectors)
        ),
        Note::BdRLeftUnformatted { sectors } => format!(
            "Spare none on a BD-R means leaving it unformatted: nothing to do ({sectors} sectors usable)"
        ),
        Note::TestWriteNothingRecorded => {
            "Test Write: nothing was recorded; the disc stays blank".into()
        }
        Note::StreamEnded {
            label,
            sectors,
            track_sectors,
            padded_bytes,
        } => format!(
            "{label} ended after {sectors} sectors ({}){}: the track ends there",
            human_size(*track_sectors),
            if *padded_bytes > 0 {
                format!(
                    "; its last sector was {padded_bytes} bytes short and was padded with zeros"
                )
            } else {
                String::new()
            }
        ),
        Note::CancelledInClose {
            sectors,
            closing,
            verify_skipped,
        } => format!(
            "The cancel came while the drive was closing the disc, which a drive cannot stop: the burn is complete, all {sectors} sectors are on the disc and it is {}{}",
            match closing {
                Some(Closing::Disc) => "finalized",
                Some(Closing::Session) => "closed for this session (appendable)",
                None => "as it was before the close",
            },
            if *verify_skipped { "; verify skipped" } else { "" }
        ),
        Note::VolumeDescriptors { first, last } => {
            format!("Writing the new volume descriptors at sectors {first}–{last} over the old ones")
        }
        Note::Comparing {
            image,
            sectors,
            start_lba,
        } => format!(
            "Comparing {} ({sectors} sectors) with the disc from sector {start_lba}",
            image.display()
        ),
        Note::MisplacedImage {
            image,
            root_extent,
            start_lba,
        } => format!(
            "{} is an ISO 9660 image addressed from sector 0 (root directory at sector {root_extent}): at sector {start_lba} the disc may hold its bytes, but its file system points before them and cannot be read there",
            image.display()
        ),
        Note::TrailingPadding { sectors, cd } => format!(
            "The track holds {sectors} sector(s) after the image, all padding (zeros{}), as burners add",
            if *cd { ", or the CD track's run-out" } else { "" }
        ),
        Note::Reading {
            what,
            sectors,
            start_lba,
            out,
        } => format!(
            "Reading {what}: {sectors} sectors ({}) from sector {start_lba} into {}",
            human_size(*sectors),
            out.display()
        ),
        Note::ClosingOpenTrack { track } => format!("Closing the open track {track}"),
        Note::WaitingForDrive { doing, may_take } => format!(
            "Cancel requested while the drive is {doing}: a drive cannot be stopped in this, so discburn waits for it to finish, which may take up to {}. Cancel again (Ctrl-C) to stop waiting; the disc is then left in an unknown, probably unfinished state",
            spoken(*may_take)
        ),
        Note::WaitingToUnlock => {
            "Waiting for the drive to finish what it is doing before unlocking the tray".into()
        }
        // A note added to the library after this table: its data, as the library names it.
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use discburn::mmc::profile::Profile;

    #[test]
    fn sizes_and_durations_read_as_people_say_them() {
        assert_eq!(human_size(2_294_912), "4.70 GB");
        assert_eq!(human_size(317_383), "650.0 MB");
        assert_eq!(gigabytes(12_219_392), "25.03 GB");
        assert_eq!(spoken(Duration::from_secs(45)), "45 s");
        assert_eq!(spoken(Duration::from_millis(199_900)), "3 min 20 s");
        assert_eq!(spoken(Duration::from_secs(120)), "2 min");
        assert_eq!(spoken(Duration::from_secs(3_600)), "1 h 0 min");
    }

    #[test]
    fn the_pad_note_names_the_flag_and_the_sao_minimum() {
        let pad = Note::Padding {
            label: "a.iso".into(),
            sectors: 200,
            pad: 15,
            sao_minimum: None,
            whole_blocks: None,
        };
        assert_eq!(
            note_text(&pad),
            "--pad: 15 zero sectors (30 KiB) after the data, as cdrecord -pad"
        );
        let both = Note::Padding {
            label: "a.iso".into(),
            sectors: 100,
            pad: 15,
            sao_minimum: Some(300),
            whole_blocks: None,
        };
        assert_eq!(
            note_text(&both),
            "--pad: 15 zero sectors (30 KiB) after the data, as cdrecord -pad; Session-At-Once: a.iso has 100 sectors, under the 300-sector (4 s) minimum track length: padded with 200 zero sectors to 300, as cdrecord does"
        );
    }

    #[test]
    fn a_wait_the_user_can_cut_short_says_how() {
        let text = note_text(&Note::WaitingForDrive {
            doing: "flushing its buffer to the disc",
            may_take: Duration::from_millis(199_990),
        });
        assert!(
            text.contains("flushing its buffer to the disc")
                && text.contains("up to 3 min 20 s")
                && text.contains("Cancel again (Ctrl-C)"),
            "{text}"
        );
    }

    #[test]
    fn notes_say_what_happened_with_the_numbers() {
        let cases = [
            (
                Note::NoReserveTrack,
                "The drive has no RESERVE TRACK; writing incrementally instead of Disc-At-Once",
            ),
            (
                Note::DaoRefused,
                "The drive refuses Disc-At-Once; writing incrementally instead",
            ),
            (
                Note::LayerBreak {
                    layer0: 1_500_000,
                    sectors: 3_000_000,
                    how: LayerBreakKind::Balanced,
                },
                "Layer break at sector 1500000: Layer 0 set to hold half of the 3000000 sectors (rounded up to ECC blocks) so both layers end at the same radius, as growisofs -dvd-compat does; the disc holds 6.14 GB now",
            ),
            (
                Note::LayerBreak {
                    layer0: 2_086_912,
                    sectors: 1000,
                    how: LayerBreakKind::Layer0Only,
                },
                "The recording (1000 sectors) fits on Layer 0 (2086912 sectors): Layer 1 stays empty; a single-layer disc would hold it",
            ),
            (
                Note::SpareChosen {
                    spare: Spare::Min,
                    sectors: 12_088_320,
                },
                "Defect management: spare min (smallest spare area) → 12088320 sectors (24.76 GB) usable",
            ),
            (
                Note::SpareIgnored {
                    profile: Profile::BdRSrm,
                    written: true,
                },
                "--spare ignored: the BD-R SRM is already written (its spare area is fixed now)",
            ),
            (
                Note::RawDataAt {
                    label: "standard input".into(),
                    start_lba: 304,
                },
                "standard input holds no ISO 9660 volume descriptor at its sector 16 (raw data, or UDF only): written as it is, it starts at sector 304 of the disc, not at 0",
            ),
            (
                Note::StreamEnded {
                    label: "standard input".into(),
                    sectors: 124,
                    track_sectors: 124,
                    padded_bytes: 1048,
                },
                "standard input ended after 124 sectors (0.3 MB); its last sector was 1048 bytes short and was padded with zeros: the track ends there",
            ),
            (
                Note::VolumeGrown {
                    volume_id: "A".into(),
                    start_lba: 48,
                    kept: 2,
                    replaced: 1,
                    new_volume_id: "B".into(),
                    sectors: 40,
                },
                "Growing the volume \"A\" as growisofs -M does: new session at sector 48, 2 file(s) of the earlier sessions carried forward in place, 1 replaced by the folder's; volume B, 40 sectors (0.1 MB), then the descriptors at sector 16",
            ),
            (
                Note::VolumeReplaced {
                    profile: Profile::DvdPlusRw,
                    volume_id: "A".into(),
                },
                "The DVD+RW holds the ISO 9660 volume \"A\": the new one replaces it from sector 0 (a multi-session burn adds to it instead)",
            ),
            (
                Note::TrailingPadding {
                    sectors: 15,
                    cd: false,
                },
                "The track holds 15 sector(s) after the image, all padding (zeros), as burners add",
            ),
            (
                Note::MisplacedImage {
                    image: "a.iso".into(),
                    root_extent: 18,
                    start_lba: 304,
                },
                "a.iso is an ISO 9660 image addressed from sector 0 (root directory at sector 18): at sector 304 the disc may hold its bytes, but its file system points before them and cannot be read there",
            ),
            (
                Note::CancelledInClose {
                    sectors: 2000,
                    closing: Some(Closing::Disc),
                    verify_skipped: true,
                },
                "The cancel came while the drive was closing the disc, which a drive cannot stop: the burn is complete, all 2000 sectors are on the disc and it is finalized; verify skipped",
            ),
            (
                Note::WriteMode {
                    mode: WriteMode::TrackAtOnce,
                    test_write: true,
                },
                "Write mode: Track-At-Once, Test Write (simulation: the laser stays off)",
            ),
            (
                Note::Speed {
                    asked: SpeedChoice::Times(4.0),
                    kbps: Some(17_982),
                    times: Some(4.0),
                    rounded: true,
                },
                "Speed: asked 4x, drive uses 4.0x, 17982 kB/s (the drive rounded the request to a speed it offers)",
            ),
            (
                Note::Speed {
                    asked: SpeedChoice::Max,
                    kbps: None,
                    times: None,
                    rounded: false,
                },
                "Speed: asked maximum, drive uses the drive's choice (not reported)",
            ),
        ];
        for (note, want) in cases {
            assert_eq!(note_text(&note), want, "{note:?}");
        }
    }
}
