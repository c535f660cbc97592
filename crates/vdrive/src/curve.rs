//! Write speed across the disc: CLV, CAV and zoned CLV as piecewise curves of
//! sectors per second over LBA.
//!
//! A disc spiral has constant linear density, so the radius at an LBA grows with the
//! square root of the area written: r² is linear in LBA. At constant angular velocity
//! (CAV) the linear speed is proportional to r, so **speed² is linear in LBA** inside a
//! CAV zone. CLV is the degenerate zone where start and end speeds are equal; zoned CLV
//! is a list of such zones. Every curve is therefore a list of [`Segment`]s with that one
//! law, and the time to write a run of sectors (or the sectors written in a time) has a
//! closed form — no numeric stepping on the write path.

use discburn_mmc::profile::MediaFamily;

use crate::media::SpeedDef;

/// Ratio between the outer and the inner radius of the program area (≈ 58 mm / 24 mm):
/// a CAV write that ends at `x` starts at `x / CAV_RADIUS_RATIO`.
pub const CAV_RADIUS_RATIO: f64 = 2.4;

/// Rotation control of a write speed (MMC-6 §6.8.2.8 Write Rotation Control, plus
/// the zoned CLV most DVD writers use between CLV and CAV speeds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RotationControl {
    /// Constant linear velocity: the same sectors/s everywhere.
    Clv,
    /// Constant angular velocity: sectors/s grows with the radius.
    Cav,
    /// Zoned CLV: (fraction of the disc where the zone starts, speed in x) steps.
    Zclv(&'static [(f64, f64)]),
}

impl RotationControl {
    /// The WRC field of a write speed or performance descriptor (00b CLV/default,
    /// 01b CAV; zoned CLV reports as the default).
    pub fn wrc(self) -> discburn_mmc::speed::RotationControl {
        match self {
            RotationControl::Cav => discburn_mmc::speed::RotationControl::Cav,
            _ => discburn_mmc::speed::RotationControl::Clv,
        }
    }
}

/// A stretch of the disc where speed² varies linearly with LBA.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    /// First LBA of the segment.
    pub start_lba: u32,
    /// LBA just past the segment.
    pub end_lba: u32,
    /// Sectors/s at `start_lba`.
    pub start_sps: f64,
    /// Sectors/s at `end_lba`.
    pub end_sps: f64,
}

impl Segment {
    fn len(&self) -> f64 {
        f64::from(self.end_lba.saturating_sub(self.start_lba)).max(1.0)
    }
    /// b in s(x)² = a + b·x.
    fn slope(&self) -> f64 {
        (self.end_sps * self.end_sps - self.start_sps * self.start_sps) / self.len()
    }
    fn speed_at_offset(&self, x: f64) -> f64 {
        (self.start_sps * self.start_sps + self.slope() * x)
            .max(0.0)
            .sqrt()
    }
    fn is_flat(&self) -> bool {
        self.slope().abs() < 1e-9
    }
    /// Seconds to write from offset x0 to x1.
    fn time_between(&self, x0: f64, x1: f64) -> f64 {
        if self.is_flat() {
            (x1 - x0) / self.start_sps
        } else {
            2.0 * (self.speed_at_offset(x1) - self.speed_at_offset(x0)) / self.slope()
        }
    }
    /// Offset reached after writing for `dt` seconds from offset x0.
    fn offset_after(&self, x0: f64, dt: f64) -> f64 {
        if self.is_flat() {
            x0 + self.start_sps * dt
        } else {
            let s1 = self.speed_at_offset(x0) + self.slope() * dt / 2.0;
            (s1 * s1 - self.start_sps * self.start_sps) / self.slope()
        }
    }
}

/// The write speed across a disc for one selected speed.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    segments: Vec<Segment>,
}

impl Curve {
    /// The curve a drive follows writing `def` on a disc of `capacity` sectors.
    pub fn new(def: &SpeedDef, family: MediaFamily, capacity: u32) -> Curve {
        let one_x = family.one_x_sectors_per_second().unwrap_or(75.0);
        let cap = capacity.max(1);
        let segments = match def.rotation {
            RotationControl::Clv => vec![Segment {
                start_lba: 0,
                end_lba: cap,
                start_sps: def.x * one_x,
                end_sps: def.x * one_x,
            }],
            RotationControl::Cav => vec![Segment {
                start_lba: 0,
                end_lba: cap,
                start_sps: def.x * one_x / CAV_RADIUS_RATIO,
                end_sps: def.x * one_x,
            }],
            RotationControl::Zclv(zones) => {
                let mut v = Vec::with_capacity(zones.len());
                for (i, &(frac, x)) in zones.iter().enumerate() {
                    let start = (f64::from(cap) * frac) as u32;
                    let end = zones
                        .get(i + 1)
                        .map_or(cap, |&(f, _)| (f64::from(cap) * f) as u32);
                    v.push(Segment {
                        start_lba: start,
                        end_lba: end,
                        start_sps: x * one_x,
                        end_sps: x * one_x,
                    });
                }
                v
            }
        };
        Curve { segments }
    }

    /// The segments (GET PERFORMANCE type 00h reports one descriptor per segment).
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    fn segment_index(&self, lba: f64) -> usize {
        self.segments
            .iter()
            .position(|s| lba < f64::from(s.end_lba))
            .unwrap_or(self.segments.len().saturating_sub(1))
    }

    /// Sectors per second at `lba` (past the last segment: the last speed).
    pub fn speed_at(&self, lba: f64) -> f64 {
        let i = self.segment_index(lba);
        let s = &self.segments[i];
        let x = (lba - f64::from(s.start_lba)).clamp(0.0, s.len());
        s.speed_at_offset(x)
    }

    /// Seconds needed to write `n` sectors starting at `lba`.
    pub fn time_for(&self, lba: f64, n: f64) -> f64 {
        let mut pos = lba;
        let end = lba + n;
        let mut t = 0.0;
        while pos < end {
            let i = self.segment_index(pos);
            let s = &self.segments[i];
            let last = i + 1 == self.segments.len();
            let seg_end = if last {
                f64::INFINITY
            } else {
                f64::from(s.end_lba)
            };
            let stop = end.min(seg_end);
            let base = f64::from(s.start_lba);
            if last && pos >= f64::from(s.end_lba) {
                // Past the disc end (only for arithmetic): the final speed.
                t += (stop - pos) / s.end_sps;
            } else if stop > f64::from(s.end_lba) {
                t += s.time_between(pos - base, s.len());
                t += (stop - f64::from(s.end_lba)) / s.end_sps;
            } else {
                t += s.time_between(pos - base, stop - base);
            }
            pos = stop;
        }
        t
    }

    /// Sectors written in `secs` seconds starting at `lba`.
    pub fn sectors_in(&self, lba: f64, secs: f64) -> f64 {
        let mut pos = lba;
        let mut left = secs;
        loop {
            let i = self.segment_index(pos);
            let s = &self.segments[i];
            let last = i + 1 == self.segments.len();
            let end = f64::from(s.end_lba);
            if pos >= end {
                // Only the last segment can be behind `pos`: keep its final speed.
                return pos + left * s.end_sps - lba;
            }
            let base = f64::from(s.start_lba);
            let to_end = s.time_between(pos - base, s.len());
            if left <= to_end {
                return base + s.offset_after(pos - base, left) - lba;
            }
            left -= to_end;
            pos = end;
            if last {
                return pos + left * s.end_sps - lba;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::Media;

    fn one_x(f: MediaFamily) -> f64 {
        f.one_x_sectors_per_second().unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn clv_is_flat() {
        let c = Curve::new(&Media::BdR.spec().write_speeds[0], MediaFamily::Bd, 1000);
        let s = 2.0 * one_x(MediaFamily::Bd);
        assert!(close(c.speed_at(0.0), s));
        assert!(close(c.speed_at(999.0), s));
        assert!(close(c.time_for(0.0, s), 1.0));
        assert!(close(c.sectors_in(10.0, 2.0), 2.0 * s));
    }

    #[test]
    fn cav_ramps_from_start_to_end_and_integrals_agree() {
        let def = Media::BdR.spec().write_speeds[4];
        let cap = 12_219_392;
        let c = Curve::new(&def, MediaFamily::Bd, cap);
        let end = 12.0 * one_x(MediaFamily::Bd);
        assert!(close(c.speed_at(0.0), end / CAV_RADIUS_RATIO));
        assert!(close(c.speed_at(f64::from(cap)), end));
        // Radius midway by area: speed² is the mean of the squares.
        let mid = c.speed_at(f64::from(cap) / 2.0);
        let s0 = end / CAV_RADIUS_RATIO;
        assert!(close(mid * mid, (s0 * s0 + end * end) / 2.0));
        for &(lba, n) in &[
            (0.0, 1000.0),
            (5_000_000.0, 2_000_000.0),
            (0.0, 12_219_392.0),
        ] {
            let t = c.time_for(lba, n);
            assert!(close(c.sectors_in(lba, t), n), "{lba} {n}");
        }
        // Writing the whole disc at CAV takes longer than at the end speed, less than at the start.
        let whole = c.time_for(0.0, f64::from(cap));
        assert!(whole > f64::from(cap) / end && whole < f64::from(cap) / s0);
    }

    #[test]
    fn zclv_steps() {
        let def = Media::DvdPlusR.spec().write_speeds[2];
        let cap = 1_000_000;
        let c = Curve::new(&def, MediaFamily::Dvd, cap);
        let x1 = one_x(MediaFamily::Dvd);
        assert_eq!(c.segments().len(), 3);
        assert!(close(c.speed_at(0.0), 8.0 * x1));
        assert!(close(c.speed_at(400_000.0), 10.0 * x1));
        assert!(close(c.speed_at(999_999.0), 12.0 * x1));
        let t = c.time_for(300_000.0, 500_000.0);
        let expect = 50_000.0 / (8.0 * x1) + 350_000.0 / (10.0 * x1) + 100_000.0 / (12.0 * x1);
        assert!(close(t, expect));
        assert!(close(c.sectors_in(300_000.0, t), 500_000.0));
        // Past the end: keeps the last speed.
        assert!(close(c.time_for(999_000.0, 2000.0), 2000.0 / (12.0 * x1)));
    }
}
