//! The commands that look: `drives`, `info`, `speeds`.

use discburn::burn::{self, BurnError, Medium, Recording};
use discburn::mmc::cdtext::PackType;
use discburn::mmc::disc::{AtipDiscType, DiscStatus};
use discburn::MediaIdentity;
use serde_json::{json, Value};

use crate::cli::Global;
use crate::exit::{self, burn_failure, Failure};
use crate::words::{human_size, spare_choices, spare_word};

use super::{emit_json, open_to_look};

pub(super) fn drives(g: &Global) -> Result<(), Failure> {
    let found = discburn::drives().unwrap_or_default();
    if g.json {
        for d in &found {
            emit_json(&json!({
                "event": "drive",
                "address": d.block_device.display().to_string(),
                "generic": d.generic_device.as_ref().map(|p| p.display().to_string()),
                "vendor": d.vendor, "model": d.model, "revision": d.revision,
            }));
        }
        emit_json(
            &json!({"event": "virtual", "address": "virtual:PATH?media=bd-r&speed=12x&buffer=4MiB"}),
        );
        return Ok(());
    }
    if found.is_empty() {
        println!("No optical recorders found on this machine (sysfs lists no sr devices).");
    } else {
        println!("Recorders on this machine:");
        for d in &found {
            let sg = d
                .generic_device
                .as_ref()
                .map(|p| format!(" (also {})", p.display()))
                .unwrap_or_default();
            println!(
                "  {}{sg}  {} {} {}",
                d.block_device.display(),
                d.vendor,
                d.model,
                d.revision
            );
        }
    }
    println!();
    println!("Other drives are named by address with --drive:");
    println!("  iscsi://HOST:PORT/IQN/LUN                      a remote drive (e.g. a tgt target)");
    println!("  virtual:PATH?media=bd-r&speed=12x&buffer=4MiB   the virtual recorder over the image file PATH");
    println!("      media: cd-r cd-rw dvd-r dvd+r dvd+rw dvd-ram bd-r bd-re, multi-layer dvd+r-dl");
    println!("      dvd-r-dl dvd+rw-dl bd-r-dl bd-r-tl bd-r-ql bd-re-dl bd-re-tl; the file is created blank");
    println!("      when absent and keeps its state (sessions, tracks) between runs;");
    println!("      &mid=CODE names who made the disc: 97:24:01 (CD ATIP lead-in), TYG03 (DVD-R),");
    println!("      MCC-004-001 (DVD+R/RW), VERBAT-IMe-000 (BD)");
    Ok(())
}

pub(super) fn status_name(s: Option<DiscStatus>) -> &'static str {
    match s {
        Some(DiscStatus::Empty) => "blank",
        Some(DiscStatus::Incomplete) => "appendable",
        Some(DiscStatus::Complete) => "closed",
        Some(DiscStatus::Other) => "random-access",
        _ => "unknown",
    }
}

/// Sectors recorded in a track: an open (incomplete) track's size is, per MMC, the whole
/// area up to the end of the disc; what it holds ends at its last recorded address.
pub(super) fn recorded(t: &burn::TrackEntry) -> u32 {
    if t.blank {
        return 0;
    }
    match (t.nwa, t.last_recorded) {
        (Some(_), Some(last)) => (last + 1).saturating_sub(t.start),
        (Some(nwa), None) => nwa.saturating_sub(t.start),
        _ => t.size,
    }
}

/// The medium as JSON (also used after a burn).
pub fn medium_json(m: &Medium) -> Value {
    json!({
        "profile": m.profile.to_string(),
        "status": status_name(m.status()),
        "recording": format!("{:?}", m.recording),
        "sessions": m.disc.as_ref().map(|d| d.sessions),
        "complete_sessions": m.sessions(),
        "next_writable": m.next_writable,
        "free_sectors": m.free_sectors,
        "capacity_sectors": m.capacity_sectors,
        "tracks": m.tracks.iter().map(|t| json!({
            "number": t.number, "session": t.session, "start": t.start, "size": t.size,
            "recorded": recorded(t),
            "blank": t.blank, "audio": t.audio, "nwa": t.nwa, "free": t.free, "last_recorded": t.last_recorded,
        })).collect::<Vec<_>>(),
    })
}

pub(super) fn info(g: &Global) -> Result<(), Failure> {
    let (addr, rec) = open_to_look(g)?;
    let id = rec.identity().ok();
    let profiles = rec.supported_profiles(false).unwrap_or_default();
    let medium = match burn::inspect(&rec) {
        Ok(m) => Some(m),
        Err(BurnError::NoMedium) => None,
        Err(e) => return Err(burn_failure(&e)),
    };
    let speeds = medium
        .as_ref()
        .and_then(|_| rec.write_speeds().ok())
        .unwrap_or_default();
    let formats = medium
        .as_ref()
        .map(|m| burn::format_choices(&rec, m))
        .unwrap_or_default();
    let no_speeds = speeds.is_empty().then(|| no_speeds_reason(medium.as_ref()));
    // Who made the disc (ATIP, pre-pits, ADIP or BD disc information) and its layers.
    let media_id = medium
        .as_ref()
        .and_then(|_| rec.media_identity().ok().flatten());
    let layers = medium.as_ref().and_then(|_| rec.layers().ok().flatten());
    // A dual-layer DVD: where Layer 0 ends, and whether that can still be set.
    let boundary = medium
        .as_ref()
        .and_then(|_| rec.layer_boundary().ok().flatten());
    // The Q sub-channel's codes of a recorded CD: catalog number, ISRC per track.
    let recorded_cd = medium
        .as_ref()
        .filter(|m| m.family() == discburn::mmc::profile::MediaFamily::Cd && !m.is_blank());
    let mcn = recorded_cd.and_then(|_| rec.media_catalog_number().ok().flatten());
    let isrcs: Vec<(u16, String)> = recorded_cd
        .map(|m| {
            m.tracks
                .iter()
                .filter(|t| t.audio)
                .filter_map(|t| {
                    let n = u8::try_from(t.number).ok()?;
                    rec.isrc(n).ok().flatten().map(|c| (t.number, c))
                })
                .collect()
        })
        .unwrap_or_default();
    // CD-Text of a recorded CD: titles and performers of the disc (index 0) and tracks.
    let cd_text = medium
        .as_ref()
        .filter(|m| m.family() == discburn::mmc::profile::MediaFamily::Cd && !m.is_blank())
        .and_then(|_| rec.cd_text().ok().flatten())
        .and_then(|t| t.blocks.into_iter().next())
        .map(|b| {
            let strings = |k: PackType| -> Vec<String> {
                b.text
                    .get(&k)
                    .map(|v| {
                        v.iter()
                            .map(|s| s.iter().map(|&c| char::from(c)).collect())
                            .collect()
                    })
                    .unwrap_or_default()
            };
            (strings(PackType::Title), strings(PackType::Performer))
        });
    if g.json {
        emit_json(&json!({
            "event": "info",
            "address": addr,
            "vendor": id.as_ref().map(|i| i.vendor.clone()),
            "product": id.as_ref().map(|i| i.product.clone()),
            "revision": id.as_ref().map(|i| i.revision.clone()),
            "profiles": profiles.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            "medium": medium.as_ref().map(|m| {
                let mut v = medium_json(m);
                v["layers"] = json!(layers);
                v["layer0_sectors"] = json!(boundary.map(|b| b.layer0_sectors));
                v["layer_break_fixed"] = json!(boundary.map(|b| b.fixed));
                v["media_id"] = media_id.as_ref().map_or(Value::Null, media_id_json);
                v
            }),
            "write_speeds_kbps": speeds.iter().map(|s| s.kilobytes_per_second).collect::<Vec<_>>(),
            "write_speeds_reason": no_speeds,
            "mcn": mcn,
            "isrc": isrcs.iter().map(|(n, c)| json!({"track": n, "isrc": c})).collect::<Vec<_>>(),
            "cd_text": cd_text.as_ref().map(|(t, p)| json!({"titles": t, "performers": p})),
            "format_choices": formats.iter().map(|c| json!({"spare": spare_word(c.spare), "sectors": c.sectors})).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    println!("Drive    {addr}");
    if let Some(i) = &id {
        println!(
            "         {} {} (firmware {})",
            i.vendor, i.product, i.revision
        );
    }
    if !profiles.is_empty() {
        println!(
            "Profiles {}",
            profiles
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let Some(m) = medium else {
        println!("Medium   none (the tray is empty)");
        return Ok(());
    };
    let layer_words = match layers {
        Some(1) => ", 1 layer".to_string(),
        Some(n) => format!(", {n} layers"),
        None => String::new(),
    };
    println!(
        "Medium   {} — {}{layer_words}",
        m.profile,
        status_name(m.status())
    );
    if let Some(b) = boundary {
        println!(
            "Layers   Layer 0 holds {} sectors ({}); the break {}",
            b.layer0_sectors,
            human_size(u64::from(b.layer0_sectors)),
            if b.fixed {
                "is fixed"
            } else {
                "can still be set (a burn that closes the disc splits it evenly)"
            }
        );
    }
    if let Some(id) = &media_id {
        println!("{}", media_id_line(id));
    }
    if let Some(m) = &mcn {
        println!("Catalog  {m}");
    }
    for (n, c) in &isrcs {
        println!("ISRC     track {n:>2}: {c}");
    }
    if let Some((titles, performers)) = &cd_text {
        let pair = |i: usize| match (titles.get(i), performers.get(i).filter(|p| !p.is_empty())) {
            (Some(t), Some(p)) => format!("{t} — {p}"),
            (Some(t), None) => t.clone(),
            (None, Some(p)) => p.clone(),
            (None, None) => String::new(),
        };
        println!("CD-Text  {}", pair(0));
        for i in 1..titles.len().max(performers.len()) {
            println!("         track {i:>2}: {}", pair(i));
        }
    }
    if let Some(d) = &m.disc {
        println!(
            "Sessions {} ({} complete), tracks {}–{}",
            d.sessions,
            m.sessions(),
            d.first_track,
            d.last_track_in_last_session
        );
    }
    for t in &m.tracks {
        let state = if t.blank {
            "blank".to_string()
        } else {
            let n = recorded(t);
            let open = if t.nwa.is_some() { ", open" } else { "" };
            let kind = if t.audio { ", audio" } else { "" };
            format!("{n} sectors ({}){kind}{open}", human_size(u64::from(n)))
        };
        let nwa = t
            .nwa
            .map(|n| format!(", next writable {n}"))
            .unwrap_or_default();
        println!(
            "  track {:>2}  session {:>2}  start {:>9}  {state}{nwa}",
            t.number, t.session, t.start
        );
    }
    println!(
        "Capacity {} sectors ({}), {} free ({}){}",
        m.capacity_sectors,
        human_size(m.capacity_sectors),
        m.free_sectors,
        human_size(m.free_sectors),
        m.next_writable
            .filter(|_| m.recording == Recording::Sequential)
            .map(|n| format!(", next write at sector {n}"))
            .unwrap_or_default()
    );
    let dvd_rw = matches!(
        m.profile,
        discburn::mmc::profile::Profile::DvdRwSequential
            | discburn::mmc::profile::Profile::DvdRwRestrictedOverwrite
    );
    match formats.first() {
        // A DVD-RW has no spare choice: its one format is the mode change.
        Some(c) if dvd_rw => println!(
            "Formats  restricted overwrite (`format --overwrite`, quick or --full): {} sectors ({})",
            c.sectors,
            human_size(c.sectors)
        ),
        Some(_) => println!("Formats  spare {}", spare_choices(&formats, human_size)),
        None => {}
    }
    match &no_speeds {
        None => println!("Speeds   {}", speed_list(&speeds)),
        Some(why) => println!("Speeds   none: {why}"),
    }
    Ok(())
}

/// The disc's identity as one line: `ATIP     97:24:01 Taiyo Yuden, CD-R` on CD (with
/// the speeds the ATIP codes), `Media ID VERBAT-IMe-000 (Mitsubishi Chemical / Verbatim)`
/// on DVD and BD.
fn media_id_line(id: &MediaIdentity) -> String {
    let maker = id.manufacturer.unwrap_or("manufacturer not in the table");
    match &id.atip {
        Some(a) => {
            let sub = match (a.disc_type, a.disc_sub_type) {
                (AtipDiscType::CdRw, 1) => " high speed",
                (AtipDiscType::CdRw, 2) => " ultra speed",
                (AtipDiscType::CdRw, 3) => " ultra speed+",
                _ => "",
            };
            let speeds = a
                .speeds
                .map(|(lo, hi)| format!(", {lo}x–{hi}x"))
                .unwrap_or_default();
            format!(
                "ATIP     {} {maker}, {}{sub}{speeds}",
                id.code(),
                a.disc_type.name()
            )
        }
        None => format!("Media ID {} ({maker})", id.code()),
    }
}

/// The disc's identity as JSON: the code and its parts, the company, and on CD the
/// ATIP's facts.
fn media_id_json(id: &MediaIdentity) -> Value {
    let msf = |m: discburn::mmc::disc::Msf| format!("{:02}:{:02}:{:02}", m.m, m.s, m.f);
    json!({
        "code": id.code(),
        "manufacturer_code": id.manufacturer_code,
        "media_type": id.media_type,
        "revision": id.revision,
        "manufacturer": id.manufacturer,
        "source": format!("{:?}", id.source),
        "atip": id.atip.as_ref().map(|a| json!({
            "disc_type": a.disc_type.name(),
            "disc_sub_type": a.disc_sub_type,
            "lead_in_start": msf(a.lead_in_start),
            "last_lead_out_start": msf(a.last_lead_out_start),
            "lowest_speed_x": a.speeds.map(|s| s.0),
            "highest_speed_x": a.speeds.map(|s| s.1),
        })),
    })
}

/// Why no write speeds are offered, from the medium's state (a drive lists none for a
/// closed or pressed disc, or an empty tray).
pub(super) fn no_speeds_reason(medium: Option<&Medium>) -> String {
    match medium {
        None => "there is no disc in the drive".into(),
        Some(m) if m.is_closed() => format!(
            "the {} is closed (finalized): nothing more can be written to it",
            m.profile
        ),
        Some(m) if m.recording == Recording::ReadOnly => {
            format!("the {} is not recordable", m.profile)
        }
        Some(_) => "the drive lists no write speeds for this medium".into(),
    }
}

pub(super) fn speed_list(speeds: &[discburn::WriteSpeed]) -> String {
    speeds
        .iter()
        .map(|s| {
            let x = s.multiple.map(|x| format!("{x:.1}x ")).unwrap_or_default();
            format!(
                "{x}({} kB/s{})",
                s.kilobytes_per_second,
                if s.pure_cav { ", CAV" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn speeds(g: &Global) -> Result<(), Failure> {
    let (_, rec) = open_to_look(g)?;
    let medium = match burn::inspect(&rec) {
        Ok(m) => Ok(Some(m)),
        Err(BurnError::NoMedium) => Ok(None),
        Err(e) => Err(e),
    };
    // Write speeds are the medium's: with the tray empty a drive may still list its
    // own, which would read as what a disc gets (as `info` has it).
    let speeds = match medium {
        Ok(None) => Vec::new(),
        _ => rec.write_speeds().map_err(|e| {
            Failure::new(
                exit::DEVICE,
                exit::device_sentence("reading the write speeds", &e),
            )
        })?,
    };
    // An empty list says why (there was no output at all on a closed disc).
    let no_speeds = speeds.is_empty().then(|| match &medium {
        Ok(m) => no_speeds_reason(m.as_ref()),
        Err(e) => format!("the medium cannot be read: {e}"),
    });
    if g.json {
        for s in &speeds {
            emit_json(&json!({
                "event": "speed",
                "kilobytes_per_second": s.kilobytes_per_second,
                "sectors_per_second": s.sectors_per_second,
                "multiple": s.multiple,
                "pure_cav": s.pure_cav,
                "end_lba": s.end_lba,
            }));
        }
        if let Some(why) = &no_speeds {
            emit_json(&json!({"event": "speeds", "speeds": [], "reason": why}));
        }
        return Ok(());
    }
    if let Some(why) = &no_speeds {
        println!("No write speeds: {why}.");
    }
    for s in &speeds {
        let x = s
            .multiple
            .map(|x| format!("{x:5.1}x"))
            .unwrap_or_else(|| "   ? ".into());
        println!(
            "{x}  {:>6} kB/s  {:>6} sectors/s  {}",
            s.kilobytes_per_second,
            s.sectors_per_second,
            if s.pure_cav { "CAV" } else { "CLV" }
        );
    }
    Ok(())
}
