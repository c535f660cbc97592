//! The burn record (`write --record FILE.json`, issue 16): one JSON document per disc
//! saying what was written (the SHA-256 of every byte sent, computed while streaming;
//! sectors and LBA range), on which drive and medium (identity, serial, profile, media
//! ID), how the burn went (speeds asked and used, the speed and buffer trace over LBAs,
//! buffer minimums, phases with their durations, every note), the verify result with its
//! bad-sector map, and how it ended (exit code, error, sense, last LBA written). Its
//! JSON Schema is `crates/cli/schema/burn-record.schema.json`.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use discburn::burn::{BurnError, BurnEvent, BurnReport};
use discburn::verify::{BadKind, VerifyReport};
use discburn::Recorder;
use serde_json::{json, Value};

use crate::cli::WriteArgs;
use crate::commands::medium_json;
use crate::exit::{self, Failure};

/// At most this many trace points (one per 1/TRACE_POINTS of the write, plus the last).
const TRACE_POINTS: u64 = 2000;

/// What a burn record collects while the burn runs.
pub struct Recording {
    path: PathBuf,
    started: SystemTime,
    address: String,
    drive: Value,
    medium: Value,
    trace: Vec<Value>,
    next_trace_at: u64,
    notes: Vec<String>,
}

impl Recording {
    /// Starts the record of a burn on `rec` (shown as `address`), to be saved at `path`:
    /// the drive's identity and the medium as they are before the burn.
    pub fn start(path: &Path, address: &str, rec: &Recorder) -> Recording {
        let drive = json!({
            "address": address,
            "vendor": rec.vendor_id().ok().map(|s| s.trim().to_string()),
            "product": rec.product_id().ok().map(|s| s.trim().to_string()),
            "revision": rec.product_revision().ok().map(|s| s.trim().to_string()),
            "serial": rec.serial_number().ok().flatten(),
        });
        let id = rec.media_identity().ok().flatten();
        let medium = json!({
            "profile": rec.current_profile().ok().map(|p| p.to_string()),
            "media_id": id.as_ref().map(|i| i.code()),
            "manufacturer": id.as_ref().and_then(|i| i.manufacturer),
            "before": Value::Null,
            "after": Value::Null,
        });
        Recording {
            path: path.to_path_buf(),
            started: SystemTime::now(),
            address: address.to_string(),
            drive,
            medium,
            trace: Vec::new(),
            next_trace_at: 0,
            notes: Vec::new(),
        }
    }

    /// Takes one event of the burn: a trace point now and then, every note.
    pub fn event(&mut self, ev: &BurnEvent) {
        match ev {
            BurnEvent::Write(u) => {
                let done = u.sectors_written();
                let total = u.sector_count.max(0) as u64;
                if done < self.next_trace_at && !u.phase.is_final() {
                    return;
                }
                self.next_trace_at = done + (total / TRACE_POINTS).max(1);
                let device_fill = u
                    .device_buffer
                    .filter(|b| b.capacity > 0)
                    .map(|b| 100.0 * b.capacity.saturating_sub(b.free) as f64 / b.capacity as f64);
                let host_fill = (u.total_system_buffer > 0)
                    .then(|| 100.0 * u.used_system_buffer as f64 / u.total_system_buffer as f64);
                self.trace.push(json!({
                    "lba": u.last_written_lba,
                    "elapsed_s": u.elapsed.as_secs_f64(),
                    "speed_x": u.current_speed_x,
                    "kbps": u.current_sectors_per_second * f64::from(u.bytes_per_sector) / 1000.0,
                    "device_fill_percent": device_fill,
                    "host_fill_percent": host_fill,
                }));
            }
            BurnEvent::Note(n) => self.notes.push(crate::words::note_text(n)),
            _ => {}
        }
    }

    /// The whole record for a burn that ended with `result`; `source` is what was burned
    /// (label, its path when it is a file or folder, sectors), `asked` the speed asked.
    fn finish(
        &self,
        source: (&str, Option<&Path>, u64),
        asked: &str,
        result: Result<&BurnReport, &BurnError>,
        failure: Option<&Failure>,
    ) -> Value {
        let (label, path, sectors) = source;
        let mut medium = self.medium.clone();
        let report = result.ok();
        if let Some(r) = report {
            medium["before"] = medium_json(&r.before);
            medium["after"] = r.after.as_ref().map_or(Value::Null, medium_json);
        }
        let verify = match result {
            Ok(r) => r.verify.as_ref().map(verify_json),
            Err(BurnError::VerifyFailed(v)) => Some(verify_json(v)),
            Err(_) => None,
        };
        let error = result.err();
        let sense = error.and_then(|e| e.sense());
        json!({
            "record_version": 1,
            "discburn_version": env!("CARGO_PKG_VERSION"),
            "started": stamp(self.started),
            "ended": stamp(SystemTime::now()),
            "source": {
                "label": label,
                "path": path.map(|p| p.display().to_string()),
                "sectors": report.map_or(sectors, |r| r.sectors),
                "bytes": report.map_or(sectors, |r| r.sectors) * 2048,
                "sha256": report.and_then(|r| r.sha256.clone()),
            },
            "drive": self.drive,
            "medium": medium,
            "lba": report.filter(|r| r.sectors > 0).map(|r| json!({
                "first": r.start_lba,
                "last": u64::from(r.start_lba) + r.sectors - 1,
            })),
            "speed": {
                "asked": asked,
                "drive_kbps": report.and_then(|r| r.speed_kbps),
                "average_x": report.and_then(|r| r.average_x()),
            },
            "buffer": {
                "min_host_percent": report.and_then(|r| r.min_host_fill),
                "min_device_percent": report.and_then(|r| r.min_device_fill),
                "underrun_seen": report.is_some_and(crate::commands::underrun_seen),
                "device_busy_count": report
                    .and_then(|r| r.last_update.as_ref())
                    .map(|u| u.device_busy_count),
            },
            "phases": report.map_or_else(Vec::new, |r| r.phases.iter().map(|(p, d)| json!({
                "phase": p.name(),
                "seconds": d.as_secs_f64(),
            })).collect()),
            "trace": self.trace,
            "notes": self.notes,
            "verify": verify,
            "result": {
                "ok": failure.is_none(),
                "exit_code": failure.map_or(0, |f| f.code),
                "error": failure.map(|f| f.message.clone()),
                "hresult": error.map(|e| format!("{:#010X}", e.hresult().0)),
                "last_written_lba": error.and_then(|e| e.last_written_lba()),
                "sense": sense.and_then(|s| s.sense.as_ref()).map(|s| s.to_string()),
                "sense_raw": sense.map(|s| s.raw.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(" ")),
            },
        })
    }

    /// Builds and saves the record of `write a`'s burn of `label` (`sectors` planned).
    pub fn keep(
        &self,
        a: &WriteArgs,
        label: &str,
        sectors: u64,
        result: Result<&BurnReport, &BurnError>,
        failure: Option<&Failure>,
    ) -> Result<(), Failure> {
        let path = (a.source.as_os_str() != "-").then_some(a.source.as_path());
        let doc = self.finish(
            (label, path, sectors),
            &a.speed.to_string(),
            result,
            failure,
        );
        self.save(&doc)
    }

    /// Saves `record`; the drive's address is in the failure if it cannot be written.
    fn save(&self, record: &Value) -> Result<(), Failure> {
        let text = serde_json::to_string_pretty(record).unwrap_or_default();
        std::fs::write(&self.path, text + "\n").map_err(|e| {
            Failure::new(
                exit::USAGE,
                format!(
                    "cannot write the burn record {} (of the burn on {}): {e}",
                    self.path.display(),
                    self.address
                ),
            )
            .hint("Name a file in a folder you can write to with --record")
        })
    }
}

/// `FILE` for one drive; `STEM-N.EXT` for drive `n` of several.
pub fn path_for(path: &Path, n: usize, of: usize) -> PathBuf {
    if of <= 1 {
        return path.to_path_buf();
    }
    let stem = path.file_stem().map_or_else(
        || "record".to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    let name = match path.extension() {
        Some(ext) => format!("{stem}-{n}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{n}"),
    };
    path.with_file_name(name)
}

fn stamp(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

fn verify_json(v: &VerifyReport) -> Value {
    json!({
        "ok": v.is_ok(),
        "start_lba": v.start_lba,
        "sectors": v.sectors,
        "seconds": v.elapsed.as_secs_f64(),
        "bad": v.bad.iter().map(|b| json!({
            "first": b.first,
            "last": b.last,
            "kind": match &b.kind {
                BadKind::Mismatch => "mismatch".to_string(),
                BadKind::Unreadable(why) => format!("unreadable: {why}"),
            },
            "exact": b.exact,
        })).collect::<Vec<_>>(),
        "stopped": v.stopped.as_ref().map(|s| json!({"lba": s.lba, "message": s.message})),
    })
}
