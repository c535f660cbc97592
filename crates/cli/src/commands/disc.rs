//! The commands that change or copy a disc: `blank`, `format`, `fix`, `read`, `eject`.

use std::sync::Arc;

use discburn::burn::{self, BurnError, BurnEvent, Closing, FormatRequest, Medium};
use discburn::{CancelToken, Recorder};
use serde_json::json;

use crate::cli::{Global, ReadArgs};
use crate::exit::{self, burn_failure, Failure};
use crate::progress::{Mode, Progress};
use crate::words::human_size;

use super::{cancel_on_ctrl_c, emit_json, medium_json, open, open_to_look};

pub(super) fn blank(g: &Global, full: bool) -> Result<(), Failure> {
    change_medium(g, "Blanked", |rec, cancel, on_event| {
        burn::blank(rec, full, cancel, on_event)
    })
}

pub(super) fn format(g: &Global, request: FormatRequest) -> Result<(), Failure> {
    change_medium(g, "Formatted", |rec, cancel, on_event| {
        burn::format(rec, request, cancel, on_event)
    })
}

/// Runs a workflow step that leaves the medium changed (`blank`, `format`) with
/// progress and Ctrl-C, then says what the medium is now (`done`: "Blanked").
fn change_medium(
    g: &Global,
    done: &str,
    step: impl FnOnce(
        &Arc<Recorder>,
        &CancelToken,
        &mut dyn FnMut(&BurnEvent),
    ) -> Result<Medium, BurnError>,
) -> Result<(), Failure> {
    let (_, rec) = open(g)?;
    let mut progress = Progress::new(Mode::pick(g.json, g.plain));
    let cancel = cancel_on_ctrl_c();
    let r = step(&rec, &cancel, &mut |ev: &BurnEvent| progress.event(ev));
    progress.done();
    let m = r.map_err(|e| burn_failure(&e))?;
    if g.json {
        emit_json(&json!({"event": "result", "medium": medium_json(&m)}));
    } else {
        println!("{done}: {}", m.summary());
    }
    Ok(())
}

pub(super) fn fix(g: &Global, session_only: bool) -> Result<(), Failure> {
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

pub(super) fn read(g: &Global, a: &ReadArgs) -> Result<(), Failure> {
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
            human_size(report.sectors),
            report.start_lba,
            report.path.display(),
            report.elapsed.as_secs_f64()
        );
    }
    Ok(())
}

/// The exit code and sentence of a failed `discburn read`.
pub(super) fn read_failure(e: &burn::ReadError) -> Failure {
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

pub(super) fn eject(g: &Global) -> Result<(), Failure> {
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
