//! `write` to several recorders at once (`--drive A --drive B …`, `--drives-all`): the
//! source read once into a shared ring ([`discburn::fanout`]), one burn per drive with its
//! own speed, buffer and verify, one progress line per drive plus the total, and a result
//! for every drive. A drive that fails never stops the others.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use discburn::burn::{self, BurnError, Source};
use discburn::fanout::{burn_each, SharedSource, Target};
use discburn::mmc::disc::DiscStatus;
use discburn::mmc::profile::MediaFamily;
use discburn::Recorder;
use serde_json::json;

use crate::cli::{Global, WriteArgs};
use crate::exit::{self, burn_failure, Failure};
use crate::fleet::Fleet;
use crate::progress::Mode;
use crate::record::{self, Recording};

use super::write::{for_medium, verify_folder, write_options, write_source};
use super::{cancel_on_ctrl_c, emit_json};

/// Bytes per chunk of the shared ring.
const CHUNK_BYTES: usize = 1 << 20;
/// Chunks in the ring: how far the fastest drive may run ahead of the slowest (64 MiB)
/// before the slowest one reads the source again by itself.
const RING_CHUNKS: usize = 64;

/// True when the command line names more than one recorder for `write`.
pub(super) fn is_many(g: &Global, a: &WriteArgs) -> bool {
    a.drives_all || g.drive.len() > 1
}

/// The addresses to burn to: every `--drive`, or with `--drives-all` every recorder on
/// this machine that holds a blank disc.
fn addresses(g: &Global, a: &WriteArgs) -> Result<Vec<String>, Failure> {
    if a.drives_all && !g.drive.is_empty() {
        return Err(Failure::new(
            exit::USAGE,
            "--drives-all picks the drives itself; it cannot be combined with --drive",
        )
        .hint("Name the drives with --drive A --drive B, or leave --drive out"));
    }
    if !a.drives_all {
        let mut seen = HashSet::new();
        for d in &g.drive {
            if !seen.insert(d.as_str()) {
                return Err(Failure::new(
                    exit::USAGE,
                    format!(
                        "{} is named twice with --drive: a drive burns one disc at a time",
                        discburn::redact_address(d)
                    ),
                ));
            }
        }
        return Ok(g.drive.clone());
    }
    let found = discburn::drives().unwrap_or_default();
    let mut blank = Vec::new();
    let mut others = Vec::new();
    for d in found {
        let addr = d.block_device.display().to_string();
        let status = discburn::open_shared(&addr)
            .ok()
            .and_then(|r| r.disc_information().ok())
            .map(|i| i.disc_status);
        if status == Some(DiscStatus::Empty) {
            blank.push(addr);
        } else {
            others.push(addr);
        }
    }
    if blank.is_empty() {
        let why = if others.is_empty() {
            "no recorder was found on this machine".to_string()
        } else {
            format!(
                "none of the recorders found ({}) holds a blank disc",
                others.join(", ")
            )
        };
        return Err(Failure::new(exit::NO_DRIVE, format!("--drives-all: {why}"))
            .hint("Load blank discs, or name the drives with --drive (a virtual one is --drive 'virtual:/tmp/a.img?media=bd-r')"));
    }
    Ok(blank)
}

/// `write SOURCE --drive A --drive B …`.
pub(super) fn write_many(g: &Global, a: &WriteArgs) -> Result<(), Failure> {
    if a.audio || super::cue::is_cue(&a.source) {
        return Err(Failure::new(
            exit::USAGE,
            "audio discs and cue sheets are burned to one drive at a time",
        )
        .hint("Give one --drive; a data image or a folder burns to several at once"));
    }
    let addrs = addresses(g, a)?;
    let mut drives: Vec<(String, Arc<Recorder>)> = Vec::with_capacity(addrs.len());
    for addr in &addrs {
        match discburn::open(addr) {
            Ok(r) => drives.push((discburn::redact_address(addr), Arc::new(r))),
            Err(e) => return Err(exit::open_failure(addr, &e)),
        }
    }
    let source = shared_source(a, &drives)?;
    let sectors = source.len.div_ceil(2048);
    let opts = write_options(a);
    let cancel = cancel_on_ctrl_c();
    let mode = Mode::pick(g.json, g.plain);
    let shown: Vec<String> = drives.iter().map(|(s, _)| s.clone()).collect();
    let fleet = Mutex::new(Fleet::new(mode, &shown, sectors));
    let label = source.label.clone();
    let records: Mutex<Vec<Recording>> = Mutex::new(match &a.record {
        Some(p) => drives
            .iter()
            .enumerate()
            .map(|(i, (addr, r))| {
                Recording::start(&record::path_for(p, i + 1, drives.len()), addr, r)
            })
            .collect(),
        None => Vec::new(),
    });
    if mode != Mode::Json {
        for (i, addr) in shown.iter().enumerate() {
            println!("[{}] {addr}", i + 1);
        }
    }
    let targets = drives
        .iter()
        .map(|(_, r)| Target {
            recorder: Arc::clone(r),
            options: opts.clone(),
            // Ctrl-C stops every drive.
            cancel: cancel.clone(),
        })
        .collect();
    let on_event = |i: usize, ev: &burn::BurnEvent| {
        if let Ok(mut f) = fleet.lock() {
            f.event(i, ev);
        }
        if let Some(r) = records.lock().ok().as_mut().and_then(|r| r.get_mut(i)) {
            r.event(ev);
        }
    };
    let report = burn_each(targets, source, CHUNK_BYTES, RING_CHUNKS, &on_event);
    let mut fleet = fleet.into_inner().unwrap_or_else(|e| e.into_inner());
    let records = records.into_inner().unwrap_or_else(|e| e.into_inner());
    fleet.done();

    let mut failures: Vec<(usize, Failure)> = Vec::new();
    for (i, result) in report.results.iter().enumerate() {
        let (addr, rec) = &drives[i];
        let outcome = match result {
            Ok(r) => verify_folder(g, a, rec, r, &cancel),
            Err(e) => Err(burn_failure(e)),
        };
        drive_result(mode, i, addr, result.as_ref().ok(), outcome.as_ref().err());
        if let Some(r) = records.get(i) {
            r.keep(a, &label, sectors, result.as_ref(), outcome.as_ref().err())?;
        }
        if let Err(f) = outcome {
            failures.push((i, f));
        }
    }
    if mode == Mode::Json {
        emit_json(&json!({
            "event": "fanout",
            "drives": drives.len(),
            "failed": failures.len(),
            "source_bytes": sectors * 2048,
            "source_bytes_read": report.source_bytes_read,
            "drives_that_read_the_source_again": report.detached,
        }));
    } else {
        let again = if report.detached > 0 {
            format!(
                "; {} drive(s) fell behind the others by more than the shared buffer and read it again",
                report.detached
            )
        } else {
            String::new()
        };
        println!(
            "{} of {} discs burned; the source was read {:.2} times ({} of {} bytes){again}",
            drives.len() - failures.len(),
            drives.len(),
            report.source_bytes_read as f64 / (sectors * 2048).max(1) as f64,
            report.source_bytes_read,
            sectors * 2048
        );
    }
    // A burn that failed, or a folder's verify after a good one.
    let failed = failures.len();
    match failures.into_iter().next() {
        None => {
            if a.eject && !a.dry_run {
                for (addr, rec) in &drives {
                    if let Err(e) = rec.eject_media() {
                        return Err(Failure::new(
                            exit::DEVICE,
                            format!(
                                "Every disc was burned, but on {addr} {}",
                                exit::device_sentence("ejecting the disc", &e)
                            ),
                        ));
                    }
                }
            }
            Ok(())
        }
        Some((i, f)) => Err(Failure {
            message: format!(
                "{failed} of {} drives failed; [{}] {}: {}",
                drives.len(),
                i + 1,
                drives[i].0,
                f.message
            ),
            ..f
        }),
    }
}

/// The source every drive reads: an image file (reopened by a drive that falls behind), a
/// folder mastered once, or a stream of known length.
fn shared_source(
    a: &WriteArgs,
    drives: &[(String, Arc<Recorder>)],
) -> Result<SharedSource, Failure> {
    match write_source(a)? {
        Source::Image(path) => {
            burn::image_sectors(&path).map_err(|e| burn_failure(&e))?;
            SharedSource::image(&path).map_err(|e| {
                burn_failure(&BurnError::Source {
                    path: path.clone(),
                    source: e,
                })
            })
        }
        Source::Folder(img) => {
            // Mastered once for every disc, so for one kind of medium.
            let families: Vec<Option<MediaFamily>> = drives
                .iter()
                .map(|(_, r)| r.current_profile().ok().map(|p| p.family()))
                .collect();
            let family = families[0];
            if families.iter().any(|f| *f != family) {
                return Err(Failure::new(
                    exit::USAGE,
                    "the drives hold different kinds of media (CD, DVD, BD), and a folder is mastered once for all of them",
                )
                .hint("Burn the folder to drives with the same kind of disc, or master an image first and burn that"));
            }
            let img = for_medium(a, img, family)?;
            let len = img.sectors() * 2048;
            let label = format!("folder {}", a.source.display());
            Ok(SharedSource::stream(Box::new((*img).stream()), len, label))
        }
        Source::Stream {
            reader,
            sectors,
            label,
        } => Ok(SharedSource::stream(reader, sectors * 2048, label)),
        Source::OpenStream { .. } => Err(Failure::new(
            exit::USAGE,
            "a stream of unknown length cannot be shared between drives: every drive needs its size before it starts",
        )
        .hint("Give its length with --size, or save it to an image file first")),
    }
}

/// One drive's line (or JSON object) after the burns.
fn drive_result(
    mode: Mode,
    i: usize,
    addr: &str,
    report: Option<&burn::BurnReport>,
    failure: Option<&Failure>,
) {
    if mode == Mode::Json {
        emit_json(&json!({
            "event": "drive_result",
            "drive": addr,
            "drive_number": i + 1,
            "ok": failure.is_none(),
            "sectors": report.map(|r| r.sectors),
            "write_time_s": report.map(|r| r.write_time.as_secs_f64()),
            "average_speed_x": report.and_then(|r| r.average_x()),
            "verified": report.and_then(|r| r.verify.as_ref().map(|v| v.is_ok())),
            "error": failure.map(|f| f.message.clone()),
            "exit_code": failure.map(|f| f.code),
        }));
        return;
    }
    match (report, failure) {
        (_, Some(f)) => println!("[{}] {addr}: FAILED — {}", i + 1, f.message),
        (Some(r), None) => {
            let speed = r
                .average_x()
                .map_or_else(String::new, |x| format!(" at {x:.1}x"));
            let verify = match &r.verify {
                Some(v) if v.is_ok() => ", verified",
                _ => "",
            };
            println!(
                "[{}] {addr}: {} written in {:.1} s{speed}{verify}",
                i + 1,
                crate::words::human_size(r.sectors),
                r.write_time.as_secs_f64()
            );
        }
        (None, None) => {}
    }
}
