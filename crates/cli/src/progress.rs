//! What the user sees while a burn runs: an indicatif bar on a terminal, a
//! plain line per second otherwise, or one JSON object per line (`--json`).
//!
//! Buffer fills are shown as the **minimum since the last redraw** (as
//! cdrskin and growisofs do), so a dip between two redraws is never hidden.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use discburn::burn::{BurnEvent, BurnPhase};
use discburn::engine::Update;
use discburn::verify::VerifyProgress;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{json, Value};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A live progress bar (stdout is a terminal).
    Bar,
    /// A line per second (stdout is a pipe or file, or `--plain`).
    Plain,
    /// One JSON object per line.
    Json,
}

impl Mode {
    /// The mode for these flags and this stdout.
    pub fn pick(json: bool, plain: bool) -> Mode {
        if json {
            Mode::Json
        } else if plain || !std::io::stdout().is_terminal() {
            Mode::Plain
        } else {
            Mode::Bar
        }
    }
}

const REDRAW: Duration = Duration::from_millis(250);
const PLAIN_EVERY: Duration = Duration::from_secs(1);

/// Lowest fills seen since the last redraw, in percent.
#[derive(Debug, Default, Clone, Copy)]
struct Mins {
    host: Option<f64>,
    device: Option<f64>,
}

impl Mins {
    fn take(&mut self, u: &Update) {
        if u.total_system_buffer > 0 {
            let h = 100.0 * u.min_used_system_buffer as f64 / u.total_system_buffer as f64;
            self.host = Some(self.host.map_or(h, |m: f64| m.min(h)));
        }
        if let (Some(min), Some(buf)) = (u.min_used_device_buffer, u.device_buffer) {
            if buf.capacity > 0 {
                let d = 100.0 * min as f64 / buf.capacity as f64;
                self.device = Some(self.device.map_or(d, |m: f64| m.min(d)));
            }
        }
    }
}

/// The progress display for one command.
pub struct Progress {
    mode: Mode,
    bar: Option<ProgressBar>,
    mins: Mins,
    last_draw: Option<Instant>,
    phase: Option<BurnPhase>,
    phase_started: Instant,
    last_update: Option<Update>,
    /// What sector-count events are (`verify`; `read` for `discburn read`).
    sectors_are: &'static str,
    /// Overall minimum fills of the write, for the summary.
    pub min_host: Option<f64>,
    /// Overall minimum device fill of the write, for the summary.
    pub min_device: Option<f64>,
    /// One drive of several burning at once: its tag and where its bar goes.
    drive: Option<DriveTag>,
}

/// Which drive a display belongs to when one source burns to several (`write --drive A
/// --drive B`): its lines carry `[n]`, its JSON objects `"drive"`, its bar sits in the
/// shared stack.
#[derive(Clone)]
pub struct DriveTag {
    /// 1-based, as the drives were named.
    pub number: usize,
    /// The address shown (password hidden).
    pub address: String,
    /// The bars of every drive, stacked.
    pub bars: MultiProgress,
}

fn mb(bytes: f64) -> f64 {
    bytes / 1_000_000.0
}

/// `h:mm:ss` or `m:ss`.
pub fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "  –".to_string(), |v| format!("{v:3.0}%"))
}

impl Progress {
    /// A display in `mode`.
    pub fn new(mode: Mode) -> Self {
        Progress {
            mode,
            bar: None,
            mins: Mins::default(),
            last_draw: None,
            phase: None,
            phase_started: Instant::now(),
            last_update: None,
            sectors_are: "verify",
            min_host: None,
            min_device: None,
            drive: None,
        }
    }

    /// The display of one of several drives burning at once.
    pub fn for_drive(mode: Mode, tag: DriveTag) -> Self {
        Progress {
            drive: Some(tag),
            ..Progress::new(mode)
        }
    }

    /// `[n] ` before a line of a drive of several, nothing otherwise.
    fn lead(&self) -> String {
        self.drive
            .as_ref()
            .map_or_else(String::new, |d| format!("[{}] ", d.number))
    }

    /// A plain progress line.
    fn line(&self, text: &str) {
        println!("{}{text}", self.lead());
    }

    /// Shows sector-count events as a read of the disc (`discburn read`), not a verify.
    pub fn reading(mut self) -> Self {
        self.sectors_are = "read";
        self
    }

    /// The display mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Prints a line of text (above the bar, if any). Suppressed in JSON mode,
    /// where [`Progress::json`] carries everything.
    pub fn say(&mut self, text: &str) {
        let text = format!("{}{text}", self.lead());
        match (&self.bar, &self.drive, self.mode) {
            (_, _, Mode::Json) => {}
            (Some(bar), _, _) => bar.println(text),
            (None, Some(d), Mode::Bar) => {
                let _ = d.bars.println(text);
            }
            (None, _, _) => {
                println!("{text}");
            }
        }
    }

    /// Emits one JSON object (JSON mode only).
    pub fn json(&self, mut value: Value) {
        if self.mode == Mode::Json {
            if let (Some(d), Some(o)) = (&self.drive, value.as_object_mut()) {
                o.insert("drive".into(), Value::from(d.address.clone()));
                o.insert("drive_number".into(), Value::from(d.number));
            }
            println!("{value}");
        }
    }

    fn ensure_bar(&mut self, len: u64) -> &ProgressBar {
        if self.bar.is_none() {
            let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stdout());
            let bar = match &self.drive {
                Some(d) => d.bars.add(bar),
                None => bar,
            };
            let template = if self.drive.is_some() {
                "{prefix:>16.bold} [{bar:30.cyan/blue}] {percent:>3}% {msg}"
            } else {
                "{prefix:>12.bold} [{bar:30.cyan/blue}] {percent:>3}% {msg}"
            };
            bar.set_style(
                ProgressStyle::with_template(template)
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            self.bar = Some(bar);
        }
        self.bar.as_ref().expect("just set")
    }

    fn finish_bar(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish();
        }
    }

    /// Handles one event of the burn workflow.
    pub fn event(&mut self, ev: &BurnEvent) {
        match ev {
            BurnEvent::Phase { phase, elapsed } => self.phase(*phase, *elapsed),
            BurnEvent::Step {
                phase,
                fraction,
                elapsed,
            } => self.step(*phase, *fraction, *elapsed),
            BurnEvent::Write(u) => self.write(u),
            BurnEvent::Verify(p) => self.verify(p),
            BurnEvent::Note(note) => {
                let text = crate::words::note_text(note);
                self.json(json!({"event": "note", "text": text}));
                self.say(&text);
            }
        }
    }

    fn phase(&mut self, phase: BurnPhase, elapsed: Duration) {
        if let (Some(prev), Mode::Bar | Mode::Plain) = (self.phase, self.mode) {
            if prev != phase && prev != BurnPhase::WritingData && prev != BurnPhase::Verifying {
                let took = self.phase_started.elapsed();
                self.finish_bar();
                if took >= Duration::from_millis(500) {
                    self.say(&format!(
                        "  {} done in {:.1} s",
                        prev.describe(),
                        took.as_secs_f64()
                    ));
                }
            }
        }
        if self.phase != Some(phase) {
            self.finish_bar();
            self.phase_started = Instant::now();
            self.phase = Some(phase);
            self.json(json!({
                "event": "phase",
                "phase": phase.name(),
                "imapi_action": phase.imapi_action(),
                "description": phase.describe(),
                "elapsed_s": elapsed.as_secs_f64(),
            }));
            if self.mode != Mode::Json && phase != BurnPhase::Completed {
                self.say(&format!("{}…", phase.describe()));
            }
        }
    }

    fn step(&mut self, phase: BurnPhase, fraction: Option<f64>, elapsed: Duration) {
        self.json(json!({
            "event": "step",
            "phase": phase.name(),
            "progress": fraction,
            "elapsed_s": elapsed.as_secs_f64(),
        }));
        let text = match (fraction, self.mode) {
            (Some(f), Mode::Plain) => format!("{:.1}%, working for {}", f * 100.0, clock(elapsed)),
            _ => format!("working for {}", clock(elapsed)),
        };
        match self.mode {
            Mode::Json => {}
            Mode::Bar => {
                let lead = self.lead();
                let bar = self.ensure_bar(1000);
                bar.set_prefix(format!("{lead}{}", phase.short()));
                bar.set_position((fraction.unwrap_or(0.0) * 1000.0) as u64);
                bar.set_message(text);
            }
            Mode::Plain => {
                if self.due(PLAIN_EVERY) {
                    self.line(&format!("  {}: {text}", phase.short()));
                }
            }
        }
    }

    fn due(&mut self, every: Duration) -> bool {
        let now = Instant::now();
        match self.last_draw {
            Some(t) if now.duration_since(t) < every => false,
            _ => {
                self.last_draw = Some(now);
                true
            }
        }
    }

    fn write(&mut self, u: &Update) {
        self.json(update_json(u));
        self.mins.take(u);
        let mut all = Mins::default();
        all.take(u);
        if let Some(h) = all.host {
            self.min_host = Some(self.min_host.map_or(h, |m: f64| m.min(h)));
        }
        if let Some(d) = all.device {
            self.min_device = Some(self.min_device.map_or(d, |m: f64| m.min(d)));
        }
        self.last_update = Some(u.clone());
        let last = u.phase.is_final();
        let every = if self.mode == Mode::Bar {
            REDRAW
        } else {
            PLAIN_EVERY
        };
        if self.mode == Mode::Json || !(self.due(every) || last) {
            return;
        }
        let mins = std::mem::take(&mut self.mins);
        let bps = f64::from(u.bytes_per_sector);
        let written = u.sectors_written() as f64 * bps;
        let total = (u.sector_count.max(0) as f64) * bps;
        let speed = |x: Option<f64>, sps: f64| match x {
            Some(x) => format!("{x:.1}x"),
            None => format!("{:.1} MB/s", mb(sps * bps)),
        };
        let cur = speed(u.current_speed_x, u.current_sectors_per_second);
        let avg = speed(u.average_speed_x, u.average_sectors_per_second);
        let eta = u.remaining.map_or_else(|| "–".into(), clock);
        match self.mode {
            Mode::Bar => {
                let msg = format!(
                    "{:.1}/{:.1} MB  {cur} (avg {avg})  host {} dev {}  ETA {eta}  {}",
                    mb(written),
                    mb(total),
                    pct(mins.host),
                    pct(mins.device),
                    u.phase.name()
                );
                let len = u.sector_count.max(0) as u64;
                let lead = self.lead();
                let bar = self.ensure_bar(len);
                bar.set_prefix(format!("{lead}writing"));
                bar.set_length(len);
                bar.set_position(u.sectors_written());
                bar.set_message(msg);
            }
            Mode::Plain => {
                self.line(&format!(
                    "  {:5.1}%  {:.1} of {:.1} MB  {cur} (avg {avg})  host {} dev {}  ETA {eta}  {}",
                    u.percent(),
                    mb(written),
                    mb(total),
                    pct(mins.host),
                    pct(mins.device),
                    u.phase.name()
                ));
            }
            Mode::Json => {}
        }
        if last {
            self.finish_bar();
        }
    }

    fn verify(&mut self, p: &VerifyProgress) {
        self.json(json!({
            "event": self.sectors_are,
            "sectors_done": p.done,
            "sectors_total": p.total,
            "bad_sectors": p.bad,
            "elapsed_s": p.elapsed.as_secs_f64(),
        }));
        let every = if self.mode == Mode::Bar {
            REDRAW
        } else {
            PLAIN_EVERY
        };
        let last = p.done == p.total;
        if self.mode == Mode::Json || !(self.due(every) || last) {
            return;
        }
        let rate = if p.elapsed.as_secs_f64() > 0.0 {
            mb(p.done as f64 * 2048.0) / p.elapsed.as_secs_f64()
        } else {
            0.0
        };
        let text = format!(
            "{:.1}/{:.1} MB  {rate:.1} MB/s  bad sectors {}",
            mb(p.done as f64 * 2048.0),
            mb(p.total as f64 * 2048.0),
            p.bad
        );
        match self.mode {
            Mode::Bar => {
                let prefix = if self.sectors_are == "read" {
                    "reading"
                } else {
                    "verifying"
                };
                let lead = self.lead();
                let bar = self.ensure_bar(p.total);
                bar.set_prefix(format!("{lead}{prefix}"));
                bar.set_position(p.done);
                bar.set_message(text);
            }
            Mode::Plain => self.line(&format!(
                "  {:5.1}%  {text}",
                100.0 * p.done as f64 / p.total.max(1) as f64
            )),
            Mode::Json => {}
        }
        if last {
            self.finish_bar();
        }
    }

    /// Clears the bar (before printing a summary or an error).
    pub fn done(&mut self) {
        self.finish_bar();
    }
}

/// Every field of an engine event as JSON (IWriteEngine2EventArgs and more).
pub fn update_json(u: &Update) -> Value {
    json!({
        "event": "write",
        "sequence": u.sequence,
        "phase": u.phase.name(),
        "start_lba": u.start_lba,
        "sector_count": u.sector_count,
        "last_read_lba": u.last_read_lba,
        "last_written_lba": u.last_written_lba,
        "total_system_buffer": u.total_system_buffer,
        "used_system_buffer": u.used_system_buffer,
        "free_system_buffer": u.free_system_buffer,
        "min_used_system_buffer": u.min_used_system_buffer,
        "device_buffer_capacity": u.device_buffer.map(|b| b.capacity),
        "device_buffer_free": u.device_buffer.map(|b| b.free),
        "device_buffer_sampled_s": u.device_buffer.map(|b| b.sampled_at.as_secs_f64()),
        "min_used_device_buffer": u.min_used_device_buffer,
        "bytes_per_sector": u.bytes_per_sector,
        "current_sectors_per_second": u.current_sectors_per_second,
        "average_sectors_per_second": u.average_sectors_per_second,
        "current_speed_x": u.current_speed_x,
        "average_speed_x": u.average_speed_x,
        "expected_sectors_per_second": u.expected_sectors_per_second,
        "elapsed_s": u.elapsed.as_secs_f64(),
        "remaining_s": u.remaining.map(|d| d.as_secs_f64()),
        "device_busy_count": u.device_busy_count,
        "sectors_written": u.sectors_written(),
        "percent": u.percent(),
    })
}
