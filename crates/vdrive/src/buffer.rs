//! The drive buffer: data accepted by WRITE waits here until the drive burns it onto
//! the medium at the speed the curve gives at the LBA being burned.
//!
//! Sans-I/O in quinn's manner: the model takes `now` from the caller (the drive reads its
//! injected clock) and answers "how long until this fits"; it never sleeps itself.

use std::time::Duration;

use crate::curve::Curve;

/// Drive buffer state.
#[derive(Debug, Clone)]
pub struct Buffer {
    capacity: u64,
    /// Blocks waiting to be burned.
    fill: f64,
    /// Bytes per block of what is in the buffer.
    block: u32,
    /// LBA of the next block to burn.
    drain_lba: f64,
    /// Time the state was last brought up to date.
    last: Duration,
    /// A write stream is open: data arrived since the last SYNCHRONIZE CACHE / CLOSE.
    streaming: bool,
    /// `None` = unthrottled (infinite speed).
    curve: Option<Curve>,
    /// Speed multiplier (0.5 with defect management on BD, 1.0 otherwise).
    scale: f64,
    underruns: u64,
    /// An underrun happened since the last [`Buffer::take_underrun`].
    underrun_pending: bool,
}

impl Buffer {
    /// An empty buffer of `capacity` bytes draining along `curve` (`None`: unthrottled).
    pub fn new(capacity: u64, curve: Option<Curve>) -> Buffer {
        Buffer {
            capacity: capacity.max(2352),
            fill: 0.0,
            block: 2048,
            drain_lba: 0.0,
            last: Duration::ZERO,
            streaming: false,
            curve,
            scale: 1.0,
            underruns: 0,
            underrun_pending: false,
        }
    }

    /// Buffer size in bytes.
    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// Bytes waiting to be burned (rounded up to whole blocks).
    pub fn fill_bytes(&self) -> u64 {
        (self.fill.ceil() as u64) * u64::from(self.block)
    }

    /// Free bytes.
    pub fn free_bytes(&self) -> u64 {
        self.capacity.saturating_sub(self.fill_bytes())
    }

    /// Underruns counted so far.
    pub fn underruns(&self) -> u64 {
        self.underruns
    }

    /// True while a write stream is open.
    pub fn streaming(&self) -> bool {
        self.streaming
    }

    /// Changes the speed curve (SET STREAMING / SET CD SPEED) and multiplier.
    pub fn set_curve(&mut self, now: Duration, curve: Option<Curve>, scale: f64) {
        self.advance(now);
        self.curve = curve;
        self.scale = scale.clamp(0.01, 1.0);
    }

    /// Sectors per second being burned now (at the drain position), `None` if unthrottled.
    pub fn speed_now(&self) -> Option<f64> {
        self.curve
            .as_ref()
            .map(|c| c.speed_at(self.drain_lba) * self.scale)
    }

    /// Brings the fill up to `now`: burns what the speed allows since the last update;
    /// an emptied buffer during an open stream is an underrun.
    pub fn advance(&mut self, now: Duration) {
        let dt = now.saturating_sub(self.last).as_secs_f64();
        self.last = self.last.max(now);
        if self.fill <= 0.0 {
            return;
        }
        let burned = match &self.curve {
            None => self.fill,
            Some(c) => c.sectors_in(self.drain_lba, dt * self.scale),
        };
        if burned >= self.fill - 1e-9 {
            self.drain_lba += self.fill;
            self.fill = 0.0;
            if self.streaming && self.curve.is_some() {
                self.underruns += 1;
                self.underrun_pending = true;
            }
        } else {
            self.fill -= burned;
            self.drain_lba += burned;
        }
    }

    /// Time until `bytes` more fit (zero if they fit now). A transfer larger than the
    /// whole buffer waits until the buffer is empty (the drive then streams it through).
    pub fn time_to_fit(&self, bytes: u64) -> Duration {
        let Some(curve) = &self.curve else {
            return Duration::ZERO;
        };
        if bytes <= self.free_bytes() || self.fill <= 0.0 {
            return Duration::ZERO;
        }
        let need_bytes = bytes.min(self.capacity) - self.free_bytes();
        let need = (need_bytes as f64 / f64::from(self.block))
            .ceil()
            .min(self.fill);
        // A hair over, so the fill computed after sleeping this long surely has room.
        let t = curve.time_for(self.drain_lba, need) / self.scale;
        Duration::from_secs_f64(t + 1e-7)
    }

    /// Time to burn everything in the buffer.
    pub fn time_to_drain(&self) -> Duration {
        match &self.curve {
            Some(c) if self.fill > 0.0 => {
                Duration::from_secs_f64(c.time_for(self.drain_lba, self.fill) / self.scale)
            }
            _ => Duration::ZERO,
        }
    }

    /// Accepts `blocks` of `block` bytes destined for `lba` (call after `advance`).
    pub fn push(&mut self, lba: u32, blocks: u32, block: u32) {
        if self.fill <= 0.0 {
            self.drain_lba = f64::from(lba);
            self.block = block;
        }
        self.fill += f64::from(blocks);
        self.streaming = true;
        self.underrun_pending = false;
    }

    /// SYNCHRONIZE CACHE / CLOSE: the buffer is burned and the stream ends.
    pub fn flush(&mut self) {
        self.drain_lba += self.fill;
        self.fill = 0.0;
        self.streaming = false;
        self.underrun_pending = false;
    }

    /// Whether the buffer ran empty since the last WRITE (for loss of streaming without
    /// BUFE); clears the flag.
    pub fn take_underrun(&mut self) -> bool {
        std::mem::take(&mut self.underrun_pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::Media;
    use discburn_mmc::profile::MediaFamily;

    fn bd2x() -> Curve {
        Curve::new(
            &Media::BdR.spec().write_speeds[0],
            MediaFamily::Bd,
            12_219_392,
        )
    }

    #[test]
    fn drains_at_speed_and_counts_underrun() {
        let mut b = Buffer::new(4 << 20, Some(bd2x()));
        let sps = 2.0 * MediaFamily::Bd.one_x_sectors_per_second().unwrap();
        b.push(0, 2048, 2048);
        assert_eq!(b.fill_bytes(), 4 << 20);
        // A quarter second burns a quarter of 2x worth of sectors.
        b.advance(Duration::from_millis(250));
        let left: f64 = 2048.0 - sps * 0.25;
        assert_eq!(b.fill_bytes(), (left.ceil() as u64) * 2048);
        assert_eq!(b.underruns(), 0);
        b.advance(Duration::from_secs(10));
        assert_eq!(b.fill_bytes(), 0);
        assert_eq!(b.underruns(), 1);
        assert!(b.take_underrun());
        // Staying empty does not count again.
        b.advance(Duration::from_secs(20));
        assert_eq!(b.underruns(), 1);
        b.flush();
        assert!(!b.streaming());
    }

    #[test]
    fn time_to_fit_is_enough_and_not_more() {
        let mut b = Buffer::new(1 << 20, Some(bd2x()));
        b.push(0, 512, 2048);
        let t = b.time_to_fit(64 * 2048);
        assert!(t > Duration::ZERO);
        b.advance(t);
        assert!(b.free_bytes() >= 64 * 2048);
        assert!(b.free_bytes() < 66 * 2048);
    }

    #[test]
    fn unthrottled_never_waits_nor_underruns() {
        let mut b = Buffer::new(1 << 20, None);
        b.push(0, 10_000, 2048);
        assert_eq!(b.time_to_fit(1 << 20), Duration::ZERO);
        b.advance(Duration::from_secs(1));
        assert_eq!(b.fill_bytes(), 0);
        assert_eq!(b.underruns(), 0);
    }
}
