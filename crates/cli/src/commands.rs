//! The commands.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use clap::CommandFactory;
use discburn::burn::{
    self, BurnError, BurnEvent, BurnOptions, BurnReport, Closing, Medium, Recording, Source, Spare,
    SpeedChoice,
};
use discburn::mmc::disc::DiscStatus;
use discburn::{CancelToken, Recorder};
use serde_json::{json, Value};

use crate::cli::{Cli, Command, Global, ReadArgs, SpareArg, SpeedArg, WriteArgs};
use crate::exit::{self, burn_failure, Failure};
use crate::progress::{clock, Mode, Progress};

/// Runs one command.
pub fn run(cli: Cli) -> Result<(), Failure> {
    let g = cli.global;
    let json = g.json;
    let r = match cli.command {
        Command::Drives => drives(&g),
        Command::Info => info(&g),
        Command::Speeds => speeds(&g),
        Command::Write(a) => write_then_eject(&g, a),
        Command::Verify(a) => verify(&g, &a.image, a.lba),
        Command::Blank(a) => blank(&g, a.full),
        Command::Format(a) => format(&g, spare(a.spare)),
        Command::Fix(a) => fix(&g, a.session),
        Command::Read(a) => read(&g, &a),
        Command::Eject => eject(&g),
        Command::Demo(a) => crate::demo::run(&g, &a),
        Command::Serve(a) => crate::serve::run(&g, &a),
        Command::Completions { shell } => {
            // clap_complete panics on a write error: generate in memory first.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "discburn", &mut script);
            crate::output::stdout_bytes(&script);
            Ok(())
        }
        Command::Man { out } => man(out.as_deref()),
    };
    r.map_err(|mut f| {
        f.json = json;
        f
    })
}

fn spare(s: SpareArg) -> Spare {
    match s {
        SpareArg::None => Spare::None,
        SpareArg::Min => Spare::Min,
        SpareArg::Default => Spare::Default,
    }
}

/// Ctrl-C trips the token: the engine stops, flushes the drive, and the
/// command exits with code 8.
pub fn cancel_on_ctrl_c() -> CancelToken {
    let token = CancelToken::new();
    let t = token.clone();
    // A second registration fails (demo runs one burn); the first handler stays. The
    // first Ctrl-C cancels; a second one stops waiting for a flush or close the drive
    // cannot be stopped in.
    let _ = ctrlc::set_handler(move || t.press());
    token
}

/// The drive address: --drive / $DISCBURN_DRIVE, else the only drive found.
fn address(g: &Global) -> Result<String, Failure> {
    if let Some(a) = &g.drive {
        return Ok(a.clone());
    }
    let found = discburn::drives().unwrap_or_default();
    match found.as_slice() {
        [one] => Ok(one.block_device.display().to_string()),
        [] => Err(Failure::new(exit::NO_DRIVE, "No recorder found on this machine, and no --drive given").hint(
            "Name one with --drive: a virtual one is --drive 'virtual:/tmp/disc.img?media=bd-r' (see `discburn drives`)",
        )),
        many => Err(Failure::new(
            exit::NO_DRIVE,
            format!(
                "{} recorders found ({}); which one?",
                many.len(),
                many.iter().map(|d| d.block_device.display().to_string()).collect::<Vec<_>>().join(", ")
            ),
        )
        .hint("Choose one with --drive")),
    }
}

/// Opens the recorder named by the global options; the address returned is the one to
/// show (password hidden).
pub fn open(g: &Global) -> Result<(String, Arc<Recorder>), Failure> {
    let a = address(g)?;
    match discburn::open(&a) {
        Ok(r) => Ok((discburn::redact_address(&a), Arc::new(r))),
        Err(e) => Err(exit::open_failure(&a, &e)),
    }
}

/// Opens the drive for commands that only look (`info`, `speeds`): a local drive is not
/// opened exclusively, so they work while its disc is mounted.
fn open_to_look(g: &Global) -> Result<(String, Arc<Recorder>), Failure> {
    let a = address(g)?;
    match discburn::open_shared(&a) {
        Ok(r) => Ok((discburn::redact_address(&a), Arc::new(r))),
        Err(e) => Err(exit::open_failure(&a, &e)),
    }
}

fn emit_json(v: &Value) {
    println!("{v}");
}

fn drives(g: &Global) -> Result<(), Failure> {
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
    println!(
        "      media: cd-r cd-rw dvd-r dvd+r dvd+rw dvd-ram bd-r bd-re; the file is created blank"
    );
    println!("      when absent and keeps its state (sessions, tracks) between runs");
    Ok(())
}

fn status_name(s: Option<DiscStatus>) -> &'static str {
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
fn recorded(t: &burn::TrackEntry) -> u32 {
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
            "blank": t.blank, "nwa": t.nwa, "free": t.free, "last_recorded": t.last_recorded,
        })).collect::<Vec<_>>(),
    })
}

fn info(g: &Global) -> Result<(), Failure> {
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
    if g.json {
        emit_json(&json!({
            "event": "info",
            "address": addr,
            "vendor": id.as_ref().map(|i| i.vendor.clone()),
            "product": id.as_ref().map(|i| i.product.clone()),
            "revision": id.as_ref().map(|i| i.revision.clone()),
            "profiles": profiles.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            "medium": medium.as_ref().map(medium_json),
            "write_speeds_kbps": speeds.iter().map(|s| s.kilobytes_per_second).collect::<Vec<_>>(),
            "write_speeds_reason": no_speeds,
            "format_choices": formats.iter().map(|c| json!({"spare": format!("{:?}", c.spare).to_lowercase(), "sectors": c.sectors})).collect::<Vec<_>>(),
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
    println!("Medium   {} — {}", m.profile, status_name(m.status()));
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
            format!("{n} sectors ({}){open}", burn::human_size(u64::from(n)))
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
        burn::human_size(m.capacity_sectors),
        m.free_sectors,
        burn::human_size(m.free_sectors),
        m.next_writable
            .filter(|_| m.recording == Recording::Sequential)
            .map(|n| format!(", next write at sector {n}"))
            .unwrap_or_default()
    );
    if !formats.is_empty() {
        let list: Vec<String> = formats
            .iter()
            .map(|c| {
                format!(
                    "{}: {} sectors ({})",
                    format!("{:?}", c.spare).to_lowercase(),
                    c.sectors,
                    burn::human_size(c.sectors)
                )
            })
            .collect();
        println!("Formats  spare {}", list.join("; "));
    }
    match &no_speeds {
        None => println!("Speeds   {}", speed_list(&speeds)),
        Some(why) => println!("Speeds   none: {why}"),
    }
    Ok(())
}

/// Why no write speeds are offered, from the medium's state (a drive lists none for a
/// closed or pressed disc, or an empty tray).
fn no_speeds_reason(medium: Option<&Medium>) -> String {
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

fn speed_list(speeds: &[discburn::WriteSpeed]) -> String {
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

fn speeds(g: &Global) -> Result<(), Failure> {
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

fn speed_choice(s: SpeedArg) -> SpeedChoice {
    match s {
        SpeedArg::Max => SpeedChoice::Max,
        SpeedArg::Times(x) => SpeedChoice::Times(x),
        SpeedArg::KBps(k) => SpeedChoice::KBps(k),
    }
}

/// `write`, refusing what cannot mean anything, then `--eject` once it succeeded.
fn write_then_eject(g: &Global, a: WriteArgs) -> Result<(), Failure> {
    if a.dummy && a.verify {
        // It used to skip the verify silently: the user asked for a check that cannot run.
        return Err(Failure::new(
            exit::USAGE,
            "--verify cannot be used with --dummy: a Test Write records nothing, so there is nothing to read back and compare",
        )
        .hint("Simulate with --dummy alone, then burn with --verify"));
    }
    let eject_after = a.eject && !a.dry_run;
    write(g, a)?;
    if !eject_after {
        return Ok(());
    }
    let (addr, rec) = open(g)?;
    rec.eject_media().map_err(|e| {
        Failure::new(
            exit::DEVICE,
            format!(
                "The burn succeeded, but {}",
                exit::device_sentence("ejecting the disc", &e)
            ),
        )
    })?;
    if g.json {
        emit_json(&json!({"event": "ejected", "address": addr}));
    } else {
        println!("Ejected  {addr}");
    }
    Ok(())
}

fn write(g: &Global, a: WriteArgs) -> Result<(), Failure> {
    let opts = BurnOptions {
        speed: speed_choice(a.speed),
        streaming: a.streaming,
        verify: a.verify,
        closing: if a.multi {
            Closing::Session
        } else {
            Closing::Disc
        },
        test_write: a.dummy,
        spare: a.spare.map(spare),
        dry_run: a.dry_run,
        system_buffer: None,
        sao: a.sao,
        pad: a.pad,
    };
    let source = write_source(&a)?;
    let (_, rec) = open(g)?;
    let mut progress = Progress::new(Mode::pick(g.json, g.plain));
    let cancel = cancel_on_ctrl_c();
    let result = burn::burn(&rec, source, &opts, &cancel, &mut |ev| progress.event(ev));
    progress.done();
    match result {
        Ok(report) => {
            summary(&progress, &report, &a.source, None);
            Ok(())
        }
        Err(e) => Err(burn_failure(&e)),
    }
}

/// The source of `write`: `-` and anything that is not a file or a folder (a
/// pipe, /dev/stdin, /proc/self/fd/N) is a stream, of `--size` sectors or open-ended.
fn write_source(a: &WriteArgs) -> Result<Source, Failure> {
    let stream = |reader: Box<dyn std::io::Read + Send>, label: String| match a.size {
        Some(size) => Source::Stream {
            reader,
            sectors: size.0,
            label,
        },
        None => Source::OpenStream { reader, label },
    };
    if a.source.as_os_str() == "-" {
        return Ok(stream(
            Box::new(std::io::stdin()),
            "standard input".to_string(),
        ));
    }
    let meta = std::fs::metadata(&a.source);
    if meta.as_ref().is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let file = std::fs::File::open(&a.source).map_err(|e| {
            burn_failure(&BurnError::Source {
                path: a.source.clone(),
                source: e,
            })
        })?;
        return Ok(stream(Box::new(file), a.source.display().to_string()));
    }
    if a.size.is_some() {
        return Err(Failure::new(
            exit::USAGE,
            format!(
                "--size is the length of a stream (`-` or a pipe); {} has its own",
                a.source.display()
            ),
        )
        .hint("Leave --size out for an image file or a folder"));
    }
    Source::from_path(&a.source, a.volume_id.clone()).map_err(|e| burn_failure(&e))
}

/// Whether the drive's buffer was seen empty while data still had to come: the host's
/// view of an underrun (cdrecord's "predicted"), all a real drive lets us see.
pub fn underrun_seen(report: &BurnReport) -> bool {
    report.min_device_fill.is_some_and(|m| m <= 0.0)
}

/// Prints the burn summary. `counted_underruns` is the drive's own count where it
/// keeps one (the virtual recorder); otherwise the host's view is reported.
pub fn summary(progress: &Progress, r: &BurnReport, source: &Path, counted_underruns: Option<u64>) {
    let bytes = r.sectors * 2048;
    let avg = r.average_x();
    let verify = r.verify.as_ref().map(|v| {
        if v.is_ok() {
            format!(
                "OK, {} sectors compared in {:.1} s",
                v.sectors,
                v.elapsed.as_secs_f64()
            )
        } else {
            format!("{} bad sectors", v.bad_sectors())
        }
    });
    let after = r.after.as_ref();
    if progress.mode() == Mode::Json {
        emit_json(&json!({
            "event": "result",
            "source": source.display().to_string(),
            "dry_run": r.dry_run,
            "test_write": r.test_write,
            "start_lba": r.start_lba,
            "sectors": r.sectors,
            "bytes": bytes,
            "write_time_s": r.write_time.as_secs_f64(),
            "total_time_s": r.total_time.as_secs_f64(),
            "average_speed_x": avg,
            "speed_kbps": r.speed_kbps,
            "min_host_buffer_percent": r.min_host_fill,
            "min_device_buffer_percent": r.min_device_fill,
            "device_busy_count": r.last_update.as_ref().map(|u| u.device_busy_count),
            "underrun_seen": underrun_seen(r),
            "underruns_counted_by_drive": counted_underruns,
            "closing": r.closing.map(|c| match c { Closing::Session => "session", Closing::Disc => "disc" }),
            "verify": r.verify.as_ref().map(|v| json!({
                "ok": v.is_ok(), "sectors": v.sectors, "bad_sectors": v.bad_sectors(),
                "fua": v.fua, "elapsed_s": v.elapsed.as_secs_f64(),
            })),
            "phases": r.phases.iter().map(|(p, d)| json!({"phase": p.name(), "seconds": d.as_secs_f64()})).collect::<Vec<_>>(),
            "medium_after": after.map(medium_json),
        }));
        return;
    }
    if r.dry_run {
        println!(
            "Dry run: {} sectors ({:.1} MB) would be written from sector {}; nothing was sent to the disc.",
            r.sectors,
            bytes as f64 / 1e6,
            r.start_lba
        );
        return;
    }
    println!();
    let what = if r.test_write {
        "Simulated (Test Write)"
    } else {
        "Burned"
    };
    println!(
        "{what} {:.1} MB ({} sectors) from sector {} in {} (write {}), average {}",
        bytes as f64 / 1e6,
        r.sectors,
        r.start_lba,
        clock(r.total_time),
        clock(r.write_time),
        avg.map_or_else(|| "–".into(), |x| format!("{x:.1}x"))
    );
    let underruns = match counted_underruns {
        Some(n) => format!("underruns {n} (counted by the drive)"),
        None if underrun_seen(r) => "drive buffer ran empty (possible underrun)".into(),
        None => "no underrun seen".into(),
    };
    println!(
        "Buffers  host min {}, drive min {}; {underruns}",
        r.min_host_fill.map_or("–".into(), |v| format!("{v:.0}%")),
        r.min_device_fill.map_or("–".into(), |v| format!("{v:.0}%")),
    );
    let steps: Vec<String> = r
        .phases
        .iter()
        .filter(|(_, d)| *d >= Duration::from_millis(100))
        .map(|(p, d)| format!("{} {:.1} s", p.short(), d.as_secs_f64()))
        .collect();
    if !steps.is_empty() {
        println!("Steps    {}", steps.join(", "));
    }
    if let Some(m) = after {
        // The summary already says "closed (finalized)" for a complete disc.
        let complete = matches!(m.status(), Some(DiscStatus::Complete));
        let closing = match r.closing.filter(|_| !complete) {
            Some(Closing::Session) => " (session closed, more can be appended)",
            Some(Closing::Disc) => " (finalized)",
            None => "",
        };
        println!("Disc     {}{closing}", m.summary());
    }
    if let Some(v) = verify {
        println!("Verify   {v}");
    }
}

fn verify(g: &Global, image: &Path, lba: Option<u32>) -> Result<(), Failure> {
    if image.is_dir() {
        return Err(Failure::new(
            exit::USAGE,
            format!(
                "{} is a directory: verify compares a disc with an image file",
                image.display()
            ),
        )
        .hint(
            "Name the image file that was burnt (a folder burn can be checked with write --verify)",
        ));
    }
    let (_, rec) = open(g)?;
    let mut progress = Progress::new(Mode::pick(g.json, g.plain));
    let cancel = cancel_on_ctrl_c();
    let r = burn::verify_image(&rec, image, lba, &cancel, &mut |ev| progress.event(ev));
    progress.done();
    match r {
        Ok(v) => {
            if g.json {
                emit_json(&json!({
                    "event": "result", "ok": true, "start_lba": v.start_lba, "sectors": v.sectors,
                    "fua": v.fua, "elapsed_s": v.elapsed.as_secs_f64(), "bad": [],
                }));
            } else {
                println!(
                    "Verified: the disc matches {} ({} sectors from sector {}) in {:.1} s{}",
                    image.display(),
                    v.sectors,
                    v.start_lba,
                    v.elapsed.as_secs_f64(),
                    if v.fua {
                        ""
                    } else {
                        " (plain reads: the drive refuses FUA)"
                    }
                );
            }
            Ok(())
        }
        Err(BurnError::VerifyFailed(v)) if g.json => {
            emit_json(&json!({
                "event": "result", "ok": false, "start_lba": v.start_lba, "sectors": v.sectors,
                "bad": v.bad.iter().map(|b| json!({
                    "first": b.first, "last": b.last, "exact": b.exact,
                    "kind": match &b.kind { discburn::verify::BadKind::Mismatch => "mismatch".to_string(),
                                            discburn::verify::BadKind::Unreadable(m) => format!("unreadable: {m}") },
                })).collect::<Vec<_>>(),
            }));
            Err(burn_failure(&BurnError::VerifyFailed(v)))
        }
        Err(e) => Err(burn_failure(&e)),
    }
}

fn blank(g: &Global, full: bool) -> Result<(), Failure> {
    let (_, rec) = open(g)?;
    let mut progress = Progress::new(Mode::pick(g.json, g.plain));
    let cancel = cancel_on_ctrl_c();
    let r = burn::blank(&rec, full, &cancel, &mut |ev| progress.event(ev));
    progress.done();
    let m = r.map_err(|e| burn_failure(&e))?;
    if g.json {
        emit_json(&json!({"event": "result", "medium": medium_json(&m)}));
    } else {
        println!("Blanked: {}", m.summary());
    }
    Ok(())
}

fn format(g: &Global, spare: Spare) -> Result<(), Failure> {
    let (_, rec) = open(g)?;
    let mut progress = Progress::new(Mode::pick(g.json, g.plain));
    let cancel = cancel_on_ctrl_c();
    let r = burn::format(&rec, spare, &cancel, &mut |ev: &BurnEvent| {
        progress.event(ev)
    });
    progress.done();
    let m = r.map_err(|e| burn_failure(&e))?;
    if g.json {
        emit_json(&json!({"event": "result", "medium": medium_json(&m)}));
    } else {
        println!("Formatted: {}", m.summary());
    }
    Ok(())
}

fn fix(g: &Global, session_only: bool) -> Result<(), Failure> {
    let (_, rec) = open(g)?;
    let mut progress = Progress::new(Mode::pick(g.json, g.plain));
    let cancel = cancel_on_ctrl_c();
    let closing = if session_only {
        Closing::Session
    } else {
        Closing::Disc
    };
    let r = burn::fix(&rec, closing, &cancel, &mut |ev| progress.event(ev));
    progress.done();
    let report = r.map_err(|e| burn_failure(&e))?;
    let what = match closing {
        Closing::Session => "session",
        Closing::Disc => "disc",
    };
    if g.json {
        emit_json(&json!({
            "event": "result",
            "closing": what,
            "closed_track": report.closed_track,
            "medium": medium_json(&report.after),
        }));
    } else {
        if let Some(n) = report.closed_track {
            println!("Closed the open track {n}.");
        }
        match closing {
            Closing::Session => println!("Session closed: {}", report.after.summary()),
            Closing::Disc => println!("Finalized: {}", report.after.summary()),
        }
    }
    Ok(())
}

fn read(g: &Global, a: &ReadArgs) -> Result<(), Failure> {
    let extent = match (a.track, a.session) {
        (Some(t), _) => burn::ReadExtent::Track(t),
        (None, Some(s)) => burn::ReadExtent::Session(s),
        (None, None) => burn::ReadExtent::Default,
    };
    let (_, rec) = open_to_look(g)?;
    let mut progress = Progress::new(Mode::pick(g.json, g.plain)).reading();
    let cancel = cancel_on_ctrl_c();
    let r = burn::read_image(&rec, &a.out, extent, a.force, &cancel, &mut |ev| {
        progress.event(ev)
    });
    progress.done();
    let report = r.map_err(|e| read_failure(&e))?;
    if g.json {
        emit_json(&json!({
            "event": "result",
            "path": report.path.display().to_string(),
            "what": report.what,
            "start_lba": report.start_lba,
            "sectors": report.sectors,
            "bytes": report.sectors * 2048,
            "elapsed_s": report.elapsed.as_secs_f64(),
        }));
    } else {
        println!(
            "Read {} ({} sectors, {}) from sector {} into {} in {:.1} s",
            report.what,
            report.sectors,
            burn::human_size(report.sectors),
            report.start_lba,
            report.path.display(),
            report.elapsed.as_secs_f64()
        );
    }
    Ok(())
}

/// The exit code and sentence of a failed `discburn read`.
fn read_failure(e: &burn::ReadError) -> Failure {
    match e {
        burn::ReadError::Burn(b) => burn_failure(b),
        burn::ReadError::Exists(_) => Failure::new(exit::USAGE, format!("{e}: not replaced"))
            .hint("Name another file, or replace it with --force"),
        burn::ReadError::Output { .. } => Failure::new(exit::USAGE, e.to_string())
            .hint("Name an image file in a folder you can write to, with room for it"),
        burn::ReadError::Unreadable { bad, .. } => {
            let mut m = format!("{e}:");
            for b in bad.iter().take(20) {
                m.push_str(&format!("\n    {b}"));
            }
            if bad.len() > 20 {
                m.push_str(&format!("\n    … and {} more ranges", bad.len() - 20));
            }
            Failure::new(exit::VERIFY, m).hint(
                "The disc may be scratched or dirty: clean it and read it again, or try another drive",
            )
        }
    }
}

fn eject(g: &Global) -> Result<(), Failure> {
    let (addr, rec) = open(g)?;
    rec.eject_media()
        .map_err(|e| Failure::new(exit::DEVICE, exit::device_sentence("ejecting the disc", &e)))?;
    if g.json {
        emit_json(&json!({"event": "result", "ejected": addr}));
    } else {
        println!("Ejected {addr}.");
    }
    Ok(())
}

fn man(out: Option<&Path>) -> Result<(), Failure> {
    let cmd = Cli::command();
    let Some(dir) = out else {
        let mut page = Vec::new();
        clap_mangen::Man::new(cmd).render(&mut page).map_err(|e| {
            Failure::new(exit::INTERNAL, format!("cannot render the man page: {e}"))
        })?;
        crate::output::stdout_bytes(&page);
        return Ok(());
    };
    if dir.exists() && !dir.is_dir() {
        return Err(Failure::new(
            exit::USAGE,
            format!(
                "{} is not a directory: --out names the folder the man pages are written into",
                dir.display()
            ),
        )
        .hint("Name a folder (it is created when absent), or leave out --out to print the page"));
    }
    // The path a failure is about is the one the user can act on.
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |e: std::io::Error| {
            Failure::new(exit::USAGE, format!("cannot write {}: {e}", path.display()))
        }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut pages = vec![(dir.join("discburn.1"), cmd.clone())];
    for sub in cmd.get_subcommands() {
        let name = format!("discburn-{}", sub.get_name());
        pages.push((dir.join(format!("{name}.1")), sub.clone().name(name)));
    }
    for (path, page) in pages {
        let mut f = std::fs::File::create(&path).map_err(io(&path))?;
        clap_mangen::Man::new(page)
            .render(&mut f)
            .map_err(io(&path))?;
    }
    Ok(())
}
