//! What the user sees while one source burns to several drives: each drive's own
//! display (a bar in a shared stack, `[n]`-tagged lines, or JSON objects carrying
//! `"drive"`), and the total across them — a bar on a terminal, a line per second
//! otherwise, a `total` JSON object per second.

use std::time::{Duration, Instant};

use discburn::burn::BurnEvent;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use crate::progress::{clock, DriveTag, Mode, Progress};

const TOTAL_EVERY: Duration = Duration::from_secs(1);

/// The display of a fan-out burn.
pub struct Fleet {
    mode: Mode,
    drives: Vec<Progress>,
    /// Sectors each drive has written.
    written: Vec<u64>,
    /// Sectors each drive writes.
    sectors: u64,
    total_bar: Option<ProgressBar>,
    started: Instant,
    last_total: Option<Instant>,
}

impl Fleet {
    /// A display for `addresses` (shown as given), each writing `sectors`.
    pub fn new(mode: Mode, addresses: &[String], sectors: u64) -> Fleet {
        let bars = MultiProgress::with_draw_target(if mode == Mode::Bar {
            ProgressDrawTarget::stdout()
        } else {
            ProgressDrawTarget::hidden()
        });
        let total_bar = (mode == Mode::Bar).then(|| {
            let bar = bars.add(ProgressBar::new(sectors * addresses.len() as u64));
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix:>16.bold} [{bar:30.green/blue}] {percent:>3}% {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_prefix("total");
            bar
        });
        let drives = addresses
            .iter()
            .enumerate()
            .map(|(i, a)| {
                Progress::for_drive(
                    mode,
                    DriveTag {
                        number: i + 1,
                        address: a.clone(),
                        bars: bars.clone(),
                    },
                )
            })
            .collect();
        Fleet {
            mode,
            drives,
            written: vec![0; addresses.len()],
            sectors,
            total_bar,
            started: Instant::now(),
            last_total: None,
        }
    }

    /// One event of drive `i`.
    pub fn event(&mut self, i: usize, ev: &BurnEvent) {
        let Some(p) = self.drives.get_mut(i) else {
            return;
        };
        p.event(ev);
        if let BurnEvent::Write(u) = ev {
            self.written[i] = u.sectors_written();
            self.total(u.phase.is_final());
        }
    }

    /// The total across drives, at most once a second (and at a drive's last update).
    fn total(&mut self, force: bool) {
        let now = Instant::now();
        let due = self
            .last_total
            .is_none_or(|t| now.duration_since(t) >= TOTAL_EVERY);
        if !(due || force) {
            return;
        }
        self.last_total = Some(now);
        let written: u64 = self.written.iter().sum();
        let all = self.sectors * self.written.len() as u64;
        let secs = self.started.elapsed().as_secs_f64();
        let rate = if secs > 0.0 {
            written as f64 * 2048.0 / 1e6 / secs
        } else {
            0.0
        };
        let writing = self
            .written
            .iter()
            .filter(|w| **w > 0 && **w < self.sectors)
            .count();
        match self.mode {
            Mode::Json => println!(
                "{}",
                json!({
                    "event": "total",
                    "drives": self.written.len(),
                    "drives_writing": writing,
                    "sectors_written": written,
                    "sectors_total": all,
                    "bytes_per_second": rate * 1e6,
                    "elapsed_s": secs,
                })
            ),
            Mode::Plain => println!(
                "  total: {:5.1}%  {:.1} of {:.1} MB  {rate:.1} MB/s in all  {writing} of {} drives writing  {}",
                100.0 * written as f64 / all.max(1) as f64,
                written as f64 * 2048.0 / 1e6,
                all as f64 * 2048.0 / 1e6,
                self.written.len(),
                clock(self.started.elapsed())
            ),
            Mode::Bar => {
                if let Some(bar) = &self.total_bar {
                    bar.set_position(written);
                    bar.set_message(format!(
                        "{rate:.1} MB/s in all  {writing} of {} writing",
                        self.written.len()
                    ));
                }
            }
        }
    }

    /// Clears every bar (before the results are printed).
    pub fn done(&mut self) {
        for p in &mut self.drives {
            p.done();
        }
        if let Some(bar) = self.total_bar.take() {
            bar.finish_and_clear();
        }
    }
}
