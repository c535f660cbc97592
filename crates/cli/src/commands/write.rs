//! Writing: `write` (an image, a stream or a folder), the burn summary, and `verify`.

use std::path::Path;
use std::time::Duration;

use discburn::burn::{self, BurnError, BurnOptions, BurnReport, Closing, Source, SpeedChoice};
use discburn::mmc::disc::DiscStatus;
use serde_json::json;

use discburn::iso::{
    Boot, FileSystems, FolderImage, HybridTable, IsoSettings, UdfRevision, MBR_CODE_MAX,
};
use discburn::mmc::profile::MediaFamily;

use crate::cli::{FolderArgs, FsArg, Global, HybridArg, SpeedArg, UdfRevisionArg, WriteArgs};
use crate::exit::{self, burn_failure, source_failure, Failure};
use crate::progress::{clock, Mode, Progress};
use crate::record::Recording;

use super::{cancel_on_ctrl_c, emit_json, medium_json, open, spare};

pub(super) fn speed_choice(s: SpeedArg) -> SpeedChoice {
    match s {
        SpeedArg::Max => SpeedChoice::Max,
        SpeedArg::Times(x) => SpeedChoice::Times(x),
        SpeedArg::KBps(k) => SpeedChoice::KBps(k),
    }
}

/// `write`, refusing what cannot mean anything, then `--eject` once it succeeded.
pub(super) fn write_then_eject(g: &Global, mut a: WriteArgs) -> Result<(), Failure> {
    if a.dummy && a.verify {
        // It used to skip the verify silently: the user asked for a check that cannot run.
        return Err(Failure::new(
            exit::USAGE,
            "--verify cannot be used with --dummy: a Test Write records nothing, so there is nothing to read back and compare",
        )
        .hint("Simulate with --dummy alone, then burn with --verify"));
    }
    let cue = super::cue::is_cue(&a.source);
    let data_burn = !(a.audio || cue);
    if a.record.is_some() && !data_burn {
        return Err(Failure::new(
            exit::USAGE,
            "--record keeps the record of a data burn (an image, a folder or a stream); audio discs and cue sheets have none yet",
        )
        .hint("Leave --record out for this burn"));
    }
    // A --log folder keeps every data burn's record beside the run's log.
    if let (None, Some(dir), true) = (&a.record, exit::log_dir(g), data_burn) {
        a.record = Some(dir.join(format!("{}.record.json", exit::run_name())));
    }
    if super::many::is_many(g, &a) {
        return super::many::write_many(g, &a);
    }
    let eject_after = a.eject && !a.dry_run;
    if a.audio {
        super::audio::write_audio(g, &a)?;
    } else if cue {
        super::cue::write_cue(g, &a)?;
    } else {
        write(g, a)?;
    }
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

/// A folder's image for the medium it goes to: the medium picks what --fs and
/// --udf-revision leave open — the ISO 9660 + UDF bridge on a BD (UDF 2.50), UDF 1.02 on
/// a DVD. A multi-session burn stays ISO 9660, which later sessions extend.
pub(super) fn for_medium(
    a: &WriteArgs,
    img: Box<FolderImage>,
    family: Option<MediaFamily>,
) -> Result<Box<FolderImage>, Failure> {
    let open_choice = img.settings().fs.is_none() || img.settings().udf_revision.is_none();
    if a.multi
        || !open_choice
        || img.settings().family.is_some()
        || !matches!(family, Some(MediaFamily::Bd | MediaFamily::Dvd))
    {
        return Ok(img);
    }
    let settings = IsoSettings {
        family,
        ..img.settings().clone()
    };
    match Source::from_path(&a.source, &settings).map_err(|e| burn_failure(&e))? {
        Source::Folder(again) => Ok(again),
        _ => Ok(img),
    }
}

/// The burn options `write` asks for.
pub(super) fn write_options(a: &WriteArgs) -> BurnOptions {
    BurnOptions::default()
        .with_speed(speed_choice(a.speed))
        .with_streaming(a.streaming)
        .with_verify(a.verify)
        .with_closing(if a.multi {
            Closing::Session
        } else {
            Closing::Disc
        })
        .with_test_write(a.dummy)
        .with_spare(a.spare.map(spare))
        .with_dry_run(a.dry_run)
        .with_sao(a.sao)
        .with_pad(a.pad)
        .with_sha256(a.record.is_some())
}

pub(super) fn write(g: &Global, a: WriteArgs) -> Result<(), Failure> {
    let opts = write_options(&a);
    let mut source = write_source(&a)?;
    let (addr, rec) = open(g)?;
    if let Source::Folder(img) = source {
        let family = rec.current_profile().ok().map(|p| p.family());
        source = Source::Folder(for_medium(&a, img, family)?);
    }
    let mut progress = Progress::new(Mode::pick(g.json, g.plain));
    let cancel = cancel_on_ctrl_c();
    let mut record = a
        .record
        .as_deref()
        .map(|p| Recording::start(p, &addr, &rec));
    let (label, sectors) = (source.label(), source.sectors().unwrap_or(0));
    let result = burn::burn(&rec, source, &opts, &cancel, &mut |ev| {
        if let Some(r) = record.as_mut() {
            r.event(ev);
        }
        progress.event(ev)
    });
    progress.done();
    let outcome = burned(g, &a, &rec, &progress, &result, &cancel);
    if let Some(r) = &record {
        r.keep(&a, &label, sectors, result.as_ref(), outcome.as_ref().err())?;
        if !g.json {
            println!(
                "Record   {}",
                a.record.as_deref().unwrap_or(Path::new("")).display()
            );
        }
    }
    outcome
}

/// After `write`'s burn: the summary, then the verify by file system of a folder.
fn burned(
    g: &Global,
    a: &WriteArgs,
    rec: &std::sync::Arc<discburn::Recorder>,
    progress: &Progress,
    result: &Result<BurnReport, BurnError>,
    cancel: &discburn::CancelToken,
) -> Result<(), Failure> {
    match result {
        Ok(report) => {
            summary(progress, report, &a.source, None);
            verify_folder(g, a, rec, report, cancel)
        }
        Err(e) => Err(burn_failure(e)),
    }
}

/// With --verify, after a folder's burn whose sectors matched what was sent: what a
/// system mounting the disc sees, every file of the folder read back through its tree.
pub(super) fn verify_folder(
    g: &Global,
    a: &WriteArgs,
    rec: &std::sync::Arc<discburn::Recorder>,
    report: &BurnReport,
    cancel: &discburn::CancelToken,
) -> Result<(), Failure> {
    if !(a.verify && !report.dry_run && a.source.is_dir()) {
        return Ok(());
    }
    let mut progress = Progress::new(Mode::pick(g.json, g.plain));
    let r = burn::verify_files(rec, &a.source, None, cancel, &mut |ev| progress.event(ev));
    progress.done();
    let check = r.map_err(|e| burn_failure(&e))?;
    files_verified(g, &a.source, &check);
    Ok(())
}

/// Says what a verify by file system compared.
fn files_verified(g: &Global, dir: &Path, check: &discburn::iso::TreeCheck) {
    if g.json {
        emit_json(&json!({
            "event": "files_verified", "ok": true, "dir": dir.display().to_string(),
            "files": check.files, "bytes": check.bytes,
            "trees": check.trees.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
        }));
    } else {
        let trees: Vec<String> = check.trees.iter().map(|t| t.to_string()).collect();
        println!(
            "Verified: the disc's file system holds {} — {} file(s), {} compared byte for byte in the {} tree{}",
            dir.display(),
            check.files,
            crate::words::human_size(check.bytes.div_ceil(2048)),
            trees.join(" and "),
            if trees.len() > 1 { "s" } else { "" }
        );
    }
}

/// The source of `write`: `-` and anything that is not a file or a folder (a
/// pipe, /dev/stdin, /proc/self/fd/N) is a stream, of `--size` sectors or open-ended.
pub(super) fn write_source(a: &WriteArgs) -> Result<Source, Failure> {
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
    let is_dir = meta.as_ref().is_ok_and(|m| m.is_dir());
    if let (false, Some(flag)) = (is_dir, a.folder.any()) {
        return Err(Failure::new(
            exit::USAGE,
            format!(
                "{flag} applies to a folder burn; {} is an image",
                a.source.display()
            ),
        )
        .hint("Master the folder itself, or leave the option out for an image file"));
    }
    let settings = folder_settings(&a.folder)?;
    Source::from_path(&a.source, &settings).map_err(|e| burn_failure(&e))
}

/// The file system settings of a folder burn.
fn folder_settings(f: &FolderArgs) -> Result<IsoSettings, Failure> {
    let mbr_code = match &f.mbr_code {
        Some(path) => {
            let meta = std::fs::metadata(path).map_err(|e| source_failure(path, e))?;
            if meta.len() > MBR_CODE_MAX as u64 {
                return Err(Failure::new(
                    exit::USAGE,
                    format!(
                        "{}: {} bytes of MBR boot code; at most {MBR_CODE_MAX} fit before the partition table (syslinux's isohdpfx.bin is 432)",
                        path.display(),
                        meta.len()
                    ),
                ));
            }
            Some(std::fs::read(path).map_err(|e| source_failure(path, e))?)
        }
        None => None,
    };
    Ok(IsoSettings {
        volume_id: f.volume_id.clone(),
        fs: f.fs.map(|fs| match fs {
            FsArg::Iso => FileSystems::Iso,
            FsArg::Udf => FileSystems::Udf,
            FsArg::IsoUdf => FileSystems::IsoUdf,
        }),
        udf_revision: f.udf_revision.map(|r| match r {
            UdfRevisionArg::V102 => UdfRevision::V1_02,
            UdfRevisionArg::V201 => UdfRevision::V2_01,
            UdfRevisionArg::V250 => UdfRevision::V2_50,
            UdfRevisionArg::V260 => UdfRevision::V2_60,
        }),
        boot: Boot {
            bios: f.boot.clone(),
            efi: f.efi.clone(),
            catalog: f.boot_catalog.clone(),
            load_size: f.boot_load_size,
            hybrid: f.hybrid.map(|h| match h {
                HybridArg::Mbr => HybridTable::Mbr,
                HybridArg::Gpt => HybridTable::Gpt,
                HybridArg::GptMbr => HybridTable::GptHybridMbr,
            }),
            mbr_code,
        },
        ..Default::default()
    })
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

pub(super) fn verify(g: &Global, image: &Path, lba: Option<u32>) -> Result<(), Failure> {
    let (_, rec) = open(g)?;
    let mut progress = Progress::new(Mode::pick(g.json, g.plain));
    let cancel = cancel_on_ctrl_c();
    if image.is_dir() {
        let r = burn::verify_files(&rec, image, lba, &cancel, &mut |ev| progress.event(ev));
        progress.done();
        return r
            .map(|check| files_verified(g, image, &check))
            .map_err(|e| burn_failure(&e));
    }
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
