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

/// Where LBAs lie: the sectors one layer's radius model spans (see [`geometry_sectors`])
/// and, on a multi-layer disc, the LBAs where Layers 1, 2, … start. Layers alternate
/// direction (opposite track path): Layer 1 runs from where Layer 0 ended back inwards.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Geometry {
    /// Sectors from the inner to the outer radius of one layer.
    pub sectors: u32,
    /// LBAs where the layers after the first start, ascending.
    pub layer_starts: Vec<u32>,
}

impl From<u32> for Geometry {
    /// A single-layer disc of `sectors`.
    fn from(sectors: u32) -> Geometry {
        Geometry {
            sectors,
            layer_starts: Vec::new(),
        }
    }
}

impl Geometry {
    /// The layer of `lba` and its position along that layer's radius, in sectors from
    /// the inner edge.
    fn place(&self, lba: f64) -> (usize, f64) {
        let k = self
            .layer_starts
            .iter()
            .take_while(|&&s| f64::from(s) <= lba)
            .count();
        if k == 0 {
            return (0, lba);
        }
        let start = f64::from(self.layer_starts[k - 1]);
        let prev_start = if k >= 2 {
            f64::from(self.layer_starts[k - 2])
        } else {
            0.0
        };
        let into = lba - start;
        if k % 2 == 1 {
            // Back inwards from the radius where the previous layer ended.
            (k, (start - prev_start - into).max(0.0))
        } else {
            (k, into)
        }
    }
}

/// Seconds a focus jump to another layer adds to a seek (the pickup refocuses; no sled
/// move when the radius stays).
pub const LAYER_JUMP_S: f64 = 0.030;

/// Radius at a position along a layer as a fraction of the outer radius (r² is linear
/// in the sectors written).
fn radius(pos: f64, sectors: u32) -> f64 {
    let inner = 1.0 / CAV_RADIUS_RATIO;
    let f = (pos / f64::from(sectors.max(1))).clamp(0.0, 1.0);
    (inner * inner + (1.0 - inner * inner) * f).sqrt()
}

/// Seconds a seek from `from` to `to` takes on a disc laid out as `geometry`: the sled
/// move between the two radii, plus [`LAYER_JUMP_S`] when the layer changes.
pub fn seek_seconds(family: MediaFamily, geometry: &Geometry, from: f64, to: f64) -> f64 {
    let stroke = 1.0 - 1.0 / CAV_RADIUS_RATIO;
    let (lf, pf) = geometry.place(from);
    let (lt, pt) = geometry.place(to);
    let g = geometry.sectors;
    let d = ((radius(pt, g) - radius(pf, g)).abs() / stroke).min(1.0);
    let jump = if lf == lt { 0.0 } else { LAYER_JUMP_S };
    SEEK_SETTLE_S + (full_stroke_s(family) - SEEK_SETTLE_S) * d.sqrt() + jump
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

    /// The time a READ of `blocks` at `lba` takes at `now` on `curve`, for a disc laid
    /// out as `geometry`; the pickup then ends past the last block read and reads ahead.
    pub fn read(
        &mut self,
        now: Duration,
        lba: u32,
        blocks: u32,
        curve: &Curve,
        family: MediaFamily,
        geometry: &Geometry,
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
        assert!((seek_seconds(fam, &g.into(), 100.0, 100.0) - SEEK_SETTLE_S).abs() < 1e-12);
        assert!((seek_seconds(fam, &g.into(), 0.0, f64::from(g)) - 0.150).abs() < 1e-12);
        let mid = seek_seconds(fam, &g.into(), 0.0, f64::from(g) / 2.0);
        assert!(mid > 0.08 && mid < 0.15, "{mid}");
        // Symmetric.
        assert_eq!(
            seek_seconds(fam, &g.into(), 5.0e6, 1.0e6),
            seek_seconds(fam, &g.into(), 1.0e6, 5.0e6)
        );
    }

    #[test]
    fn sequential_reads_pay_one_seek_and_the_curve() {
        let (c, g) = bd12();
        let mut h = ReadHead::new(4 << 20);
        let first = h.read(Duration::ZERO, 0, 512, &c, MediaFamily::Bd, &g.into());
        assert!(first.seek);
        let t1 = first.time.as_secs_f64();
        assert!((t1 - SEEK_SETTLE_S - c.time_for(0.0, 512.0)).abs() < 1e-9);
        let now = first.time;
        let second = h.read(now, 512, 512, &c, MediaFamily::Bd, &g.into());
        assert!(!second.seek);
        assert!((second.time.as_secs_f64() - c.time_for(512.0, 512.0)).abs() < 1e-9);
    }

    #[test]
    fn read_ahead_fills_while_the_host_pauses_up_to_the_cache() {
        let (c, g) = bd12();
        let mut h = ReadHead::new(1 << 20); // 512 blocks
        let r = h.read(Duration::ZERO, 0, 64, &c, MediaFamily::Bd, &g.into());
        let now = r.time + Duration::from_secs(10);
        // 512 cached blocks come at once ...
        assert_eq!(
            h.read(now, 64, 512, &c, MediaFamily::Bd, &g.into()).time,
            Duration::ZERO
        );
        // ... and the cache stopped there: the next ones take their time.
        let t = h
            .read(now, 576, 64, &c, MediaFamily::Bd, &g.into())
            .time
            .as_secs_f64();
        assert!((t - c.time_for(576.0, 64.0)).abs() < 1e-9, "{t}");
        // Going back is a seek.
        assert!(h.read(now, 0, 1, &c, MediaFamily::Bd, &g.into()).seek);
    }

    #[test]
    fn a_seek_to_the_other_layer_refocuses_and_follows_its_direction() {
        let fam = MediaFamily::Bd;
        let l0 = 12_219_392;
        let g = Geometry {
            sectors: l0,
            layer_starts: vec![l0],
        };
        // The end of Layer 0 and the start of Layer 1 are at the same radius: a focus jump.
        let across = seek_seconds(fam, &g, f64::from(l0) - 1.0, f64::from(l0));
        assert!(
            (across - SEEK_SETTLE_S - LAYER_JUMP_S).abs() < 1e-3,
            "{across}"
        );
        // The end of Layer 1 is back at the inner edge, where LBA 0 is.
        let inner = seek_seconds(fam, &g, 0.0, f64::from(2 * l0) - 1.0);
        assert!(
            (inner - SEEK_SETTLE_S - LAYER_JUMP_S).abs() < 1e-3,
            "{inner}"
        );
        // LBA 0 to the start of Layer 1: the full stroke and the jump.
        let full = seek_seconds(fam, &g, 0.0, f64::from(l0));
        assert!((full - 0.150 - LAYER_JUMP_S).abs() < 1e-3, "{full}");
        assert_eq!(
            seek_seconds(fam, &Geometry::from(l0), 0.0, 5.0e6),
            seek_seconds(fam, &g, 0.0, 5.0e6)
        );
    }
}
