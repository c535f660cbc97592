//! Read timing: how long READ(10)/(12) takes at an LBA — the read speed profile, a seek
//! when the request is not where the pickup is, and the drive's read-ahead.
//!
//! Sans-I/O like [`crate::buffer`]: the model takes `now` from the caller and answers how
//! long a READ takes; the drive sleeps its injected clock.
//!
//! **Numbers.** Reads follow the selected read speed's [`Curve`] (the fastest by default:
//! CAV up to 48x on CD, 16x on DVD, 12x on BD-R/ROM, 8x on BD-RE, 5x on DVD-RAM, starting
//! at 1/2.4 of it at the inner edge), laid out over the family's nominal single-layer
//! disc ([`geometry_sectors`]) so a short disc reads at inner-radius speed, as it does in
//! a real drive. A seek costs [`SEEK_SETTLE_S`] (10 ms: focus/tracking settle plus half a
//! revolution, ≈ 3 ms at 48x CD or 12x BD CAV spindle speeds) plus the rest of the
//! family's full-stroke time ([`full_stroke_s`]: CD 100 ms, DVD 120 ms, BD 150 ms — the
//! full-stroke figures of current half-height drives, whose quoted *average* access
//! times over a third of the disc are ≈ 80/100/150 ms with rotational latency) scaled by
//! the square root of the radial distance travelled (a bang-bang sled move).

use std::time::Duration;

use discburn_mmc::profile::MediaFamily;

use crate::curve::{Curve, CAV_RADIUS_RATIO};
use crate::media::{BD_SL_SECTORS, CD_80MIN_SECTORS, DVD_SL_SECTORS};

/// Minimum cost of landing anywhere but the next sector (settle + rotational latency).
pub const SEEK_SETTLE_S: f64 = 0.010;

/// Time for a seek from the innermost to the outermost LBA.
pub fn full_stroke_s(family: MediaFamily) -> f64 {
    match family {
        MediaFamily::Cd => 0.100,
        MediaFamily::Dvd => 0.120,
        _ => 0.150,
    }
}

/// Sectors the radius model spans: the family's nominal single-layer disc (CD 80 min,
/// DVD±R SL, BD SL), or `capacity` if larger. A pressed disc of a few MiB (a foreign
/// image) therefore sits at the inner radius, and reads at the inner speed.
pub fn geometry_sectors(family: MediaFamily, capacity: u32) -> u32 {
    let nominal = match family {
        MediaFamily::Cd => CD_80MIN_SECTORS,
        MediaFamily::Dvd => DVD_SL_SECTORS,
        _ => BD_SL_SECTORS,
    };
    nominal.max(capacity).max(1)
}

/// Radius at `lba` as a fraction of the outer radius (r² is linear in LBA).
fn radius(lba: f64, geometry: u32) -> f64 {
    let inner = 1.0 / CAV_RADIUS_RATIO;
    let f = (lba / f64::from(geometry)).clamp(0.0, 1.0);
    (inner * inner + (1.0 - inner * inner) * f).sqrt()
}

/// Seconds a seek from `from` to `to` takes on a disc of `geometry` sectors.
pub fn seek_seconds(family: MediaFamily, geometry: u32, from: f64, to: f64) -> f64 {
    let stroke = 1.0 - 1.0 / CAV_RADIUS_RATIO;
    let d = ((radius(to, geometry) - radius(from, geometry)).abs() / stroke).min(1.0);
    SEEK_SETTLE_S + (full_stroke_s(family) - SEEK_SETTLE_S) * d.sqrt()
}

/// What one READ cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReadCost {
    /// Time the command takes.
    pub time: Duration,
    /// Whether it had to seek (the request was not in the read-ahead).
    pub seek: bool,
}

/// The pickup and the read-ahead cache.
///
/// After a READ the drive keeps reading ahead at the curve's speed into its buffer (up
/// to `cache_blocks` beyond what the host has asked for), so a host that pauses between
/// sequential READs finds the next blocks waiting. A READ anywhere else seeks.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadHead {
    /// The first block of the read-ahead (the next sequential LBA).
    next: f64,
    /// The LBA the pickup reads next (`next` plus what is cached).
    head: f64,
    /// When `head` was last brought up to date.
    last: Duration,
    /// Reading ahead: a READ was served and no seek or write intervened.
    ahead: bool,
    cache_blocks: f64,
}

impl ReadHead {
    /// A pickup parked at LBA 0 with a read-ahead of `cache_bytes`.
    pub fn new(cache_bytes: u64) -> ReadHead {
        ReadHead {
            next: 0.0,
            head: 0.0,
            last: Duration::ZERO,
            ahead: false,
            cache_blocks: (cache_bytes / 2048) as f64,
        }
    }

    /// The pickup moved elsewhere (a WRITE, FORMAT, BLANK) and stopped reading ahead:
    /// it is now at `lba`, the cache holds nothing.
    pub fn park(&mut self, lba: u32) {
        self.next = f64::from(lba);
        self.head = self.next;
        self.ahead = false;
    }

    /// Forgets the read-ahead (the read speed changed); the pickup stays where it is.
    pub fn stop(&mut self) {
        self.next = self.head;
        self.ahead = false;
    }

    /// Reads ahead from `last` to `now` along `curve`, up to the cache size.
    fn catch_up(&mut self, now: Duration, curve: &Curve) {
        let dt = now.saturating_sub(self.last).as_secs_f64();
        self.last = self.last.max(now);
        if !self.ahead || dt <= 0.0 {
            return;
        }
        let room = self.next + self.cache_blocks - self.head;
        if room > 0.0 {
            self.head += curve.sectors_in(self.head, dt).min(room);
        }
    }

    /// The time a READ of `blocks` at `lba` takes at `now` on `curve`, for a disc of
    /// `geometry` sectors; the pickup then ends past the last block read and reads ahead.
    pub fn read(
        &mut self,
        now: Duration,
        lba: u32,
        blocks: u32,
        curve: &Curve,
        family: MediaFamily,
        geometry: u32,
    ) -> ReadCost {
        self.catch_up(now, curve);
        let start = f64::from(lba);
        let end = start + f64::from(blocks);
        let hit = self.ahead && self.next <= start && start <= self.head;
        let secs = if hit {
            // Cached blocks come at once; the pickup continues from where it is.
            let from = self.head;
            let t = if end > from {
                curve.time_for(from, end - from)
            } else {
                0.0
            };
            self.head = from.max(end);
            t
        } else {
            let t = seek_seconds(family, geometry, self.head, start)
                + curve.time_for(start, f64::from(blocks));
            self.head = end;
            t
        };
        self.next = end;
        self.ahead = true;
        let time = Duration::from_secs_f64(secs);
        self.last = now + time;
        ReadCost { time, seek: !hit }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::Media;

    fn bd12() -> (Curve, u32) {
        let spec = Media::BdR.spec();
        let g = geometry_sectors(MediaFamily::Bd, spec.capacity);
        let def = spec.read_speeds.last().unwrap();
        (Curve::new(def, MediaFamily::Bd, g), g)
    }

    #[test]
    fn seek_spans_settle_to_full_stroke() {
        let g = BD_SL_SECTORS;
        let fam = MediaFamily::Bd;
        assert!((seek_seconds(fam, g, 100.0, 100.0) - SEEK_SETTLE_S).abs() < 1e-12);
        assert!((seek_seconds(fam, g, 0.0, f64::from(g)) - 0.150).abs() < 1e-12);
        let mid = seek_seconds(fam, g, 0.0, f64::from(g) / 2.0);
        assert!(mid > 0.08 && mid < 0.15, "{mid}");
        // Symmetric.
        assert_eq!(
            seek_seconds(fam, g, 5.0e6, 1.0e6),
            seek_seconds(fam, g, 1.0e6, 5.0e6)
        );
    }

    #[test]
    fn sequential_reads_pay_one_seek_and_the_curve() {
        let (c, g) = bd12();
        let mut h = ReadHead::new(4 << 20);
        let first = h.read(Duration::ZERO, 0, 512, &c, MediaFamily::Bd, g);
        assert!(first.seek);
        let t1 = first.time.as_secs_f64();
        assert!((t1 - SEEK_SETTLE_S - c.time_for(0.0, 512.0)).abs() < 1e-9);
        let now = first.time;
        let second = h.read(now, 512, 512, &c, MediaFamily::Bd, g);
        assert!(!second.seek);
        assert!((second.time.as_secs_f64() - c.time_for(512.0, 512.0)).abs() < 1e-9);
    }

    #[test]
    fn read_ahead_fills_while_the_host_pauses_up_to_the_cache() {
        let (c, g) = bd12();
        let mut h = ReadHead::new(1 << 20); // 512 blocks
        let r = h.read(Duration::ZERO, 0, 64, &c, MediaFamily::Bd, g);
        let now = r.time + Duration::from_secs(10);
        // 512 cached blocks come at once ...
        assert_eq!(
            h.read(now, 64, 512, &c, MediaFamily::Bd, g).time,
            Duration::ZERO
        );
        // ... and the cache stopped there: the next ones take their time.
        let t = h
            .read(now, 576, 64, &c, MediaFamily::Bd, g)
            .time
            .as_secs_f64();
        assert!((t - c.time_for(576.0, 64.0)).abs() < 1e-9, "{t}");
        // Going back is a seek.
        assert!(h.read(now, 0, 1, &c, MediaFamily::Bd, g).seek);
    }
}
