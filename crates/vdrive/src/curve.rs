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

/// Sectors a layer change takes to write through: the drive stops at the end of a
/// layer, jumps focus to the next one, calibrates power there (OPC) and resumes — one
/// BD cluster (two DVD ECC blocks) written at [`LAYER_JUMP_SPS`], about a second, the
/// dip speed graphs (Nero DiscSpeed, ImgBurn) show at the layer break.
pub const LAYER_JUMP_SECTORS: u32 = 32;
/// Effective sectors per second through a layer change (see [`LAYER_JUMP_SECTORS`]).
pub const LAYER_JUMP_SPS: f64 = 32.0;

/// The write speed across a disc for one selected speed.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    segments: Vec<Segment>,
    /// Indices into `segments` of the layer changes (not speed zones).
    jumps: Vec<usize>,
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
        Curve {
            segments,
            jumps: Vec::new(),
        }
    }

    /// The curve over a disc of several layers that start at `layer_starts` (the LBAs of
    /// Layers 1, 2, …; empty: [`Curve::new`]) and end at `capacity`. Each layer follows
    /// the single-layer law over its radius, a layer of `layer_nominal` sectors reaching
    /// the outer edge; layers alternate direction (opposite track path: Layer 1 runs
    /// from the radius where Layer 0 ended back inwards, so a CAV speed falls there), and
    /// with `layer_jump` (writing: a power calibration on the new layer) each change of
    /// layer costs a [`LAYER_JUMP_SECTORS`] stretch at [`LAYER_JUMP_SPS`].
    pub fn layered(
        def: &SpeedDef,
        family: MediaFamily,
        capacity: u32,
        layer_starts: &[u32],
        layer_nominal: u32,
        layer_jump: bool,
    ) -> Curve {
        if layer_starts.is_empty() {
            return Curve::new(def, family, capacity);
        }
        let base = Curve::new(def, family, layer_nominal.max(1)).segments;
        let bounds: Vec<u32> = std::iter::once(0)
            .chain(layer_starts.iter().copied())
            .chain(std::iter::once(capacity))
            .collect();
        let mut segments = Vec::new();
        let mut jumps = Vec::new();
        let mut prev_len = 0u32;
        for (k, w) in bounds.windows(2).enumerate() {
            let (a, b) = (w[0], w[1].max(w[0]));
            let len = b - a;
            if len == 0 {
                continue;
            }
            // The layer in its own coordinates, 0..len.
            let mut layer = if k % 2 == 0 {
                clip(&base, 0, len)
            } else {
                // Back inwards from the radius where the previous layer ended.
                let hi = prev_len.max(len);
                shift(
                    &mirror(&clip(&base, hi - len, hi), hi - len, hi),
                    hi - len,
                    0,
                )
            };
            prev_len = len;
            if layer_jump && k > 0 && len > LAYER_JUMP_SECTORS {
                jumps.push(segments.len());
                segments.push(Segment {
                    start_lba: a,
                    end_lba: a + LAYER_JUMP_SECTORS,
                    start_sps: LAYER_JUMP_SPS,
                    end_sps: LAYER_JUMP_SPS,
                });
                layer = clip(&layer, LAYER_JUMP_SECTORS, len);
            }
            segments.extend(shift(&layer, 0, a));
        }
        Curve { segments, jumps }
    }

    /// The speed zones without the layer changes (what GET PERFORMANCE reports).
    pub fn zones(&self) -> impl Iterator<Item = &Segment> {
        self.segments
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.jumps.contains(i))
            .map(|(_, s)| s)
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

/// The parts of `segs` inside `[from, to)`, speeds at the cuts from the segment's law.
fn clip(segs: &[Segment], from: u32, to: u32) -> Vec<Segment> {
    segs.iter()
        .filter(|s| s.end_lba > from && s.start_lba < to)
        .map(|s| {
            let (a, b) = (s.start_lba.max(from), s.end_lba.min(to));
            let at = |lba: u32| s.speed_at_offset(f64::from(lba - s.start_lba));
            Segment {
                start_lba: a,
                end_lba: b,
                start_sps: at(a),
                end_sps: if b == s.end_lba { s.end_sps } else { at(b) },
            }
        })
        .collect()
}

/// `segs` (inside `[lo, hi)`) run backwards: what a layer written the other way meets.
fn mirror(segs: &[Segment], lo: u32, hi: u32) -> Vec<Segment> {
    segs.iter()
        .rev()
        .map(|s| Segment {
            start_lba: lo + hi - s.end_lba,
            end_lba: lo + hi - s.start_lba,
            start_sps: s.end_sps,
            end_sps: s.start_sps,
        })
        .collect()
}

/// `segs` moved from origin `from` to origin `to`.
fn shift(segs: &[Segment], from: u32, to: u32) -> Vec<Segment> {
    segs.iter()
        .map(|s| Segment {
            start_lba: s.start_lba - from + to,
            end_lba: s.end_lba - from + to,
            ..*s
        })
        .collect()
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

    #[test]
    fn layers_alternate_direction_and_each_change_costs_a_second() {
        // BD-R DL at 8x CAV: Layer 0 inside out, Layer 1 outside in.
        let spec = Media::BdRDl.spec();
        let def = spec.write_speeds[3];
        let (cap, l0) = (spec.capacity, spec.layer_capacity());
        let c = Curve::layered(&def, MediaFamily::Bd, cap, &[l0], l0, true);
        let x1 = one_x(MediaFamily::Bd);
        let (lo, hi) = (8.0 * x1 / CAV_RADIUS_RATIO, 8.0 * x1);
        assert!(close(c.speed_at(0.0), lo));
        assert!(
            close(c.speed_at(f64::from(l0) - 0.5), hi)
                || c.speed_at(f64::from(l0) - 1.0) > 0.99 * hi
        );
        assert!(close(c.speed_at(f64::from(l0) + 1.0), LAYER_JUMP_SPS));
        let after = f64::from(l0 + LAYER_JUMP_SECTORS);
        assert!(c.speed_at(after) > 0.99 * hi);
        assert!(c.speed_at(f64::from(cap) - 1.0) < 1.01 * lo);
        // The jump: a second more than the same run on one layer's law.
        let around = c.time_for(
            f64::from(l0) - 1000.0,
            2000.0 + f64::from(LAYER_JUMP_SECTORS),
        );
        let plain = 2000.0 / hi;
        assert!(around > plain + 0.9 && around < plain + 1.1, "{around}");
        // Reading turns at the layer too, without the write's calibration stop.
        let read = Curve::layered(&def, MediaFamily::Bd, cap, &[l0], l0, false);
        assert_eq!(read.zones().count(), read.segments().len());
        assert!(read.speed_at(f64::from(l0) + 1.0) > 0.99 * hi);
        // GET PERFORMANCE's zones leave the jump out, and tile the disc with it.
        assert_eq!(c.zones().count(), c.segments().len() - 1);
        for w in c.segments().windows(2) {
            assert_eq!(w[0].end_lba, w[1].start_lba);
        }
        assert_eq!(c.segments().last().unwrap().end_lba, cap);
        // Time and sectors stay inverse across the layers.
        for (lba, n) in [(0.0, f64::from(cap)), (f64::from(l0) - 5.0, 100.0)] {
            let t = c.time_for(lba, n);
            assert!(close(c.sectors_in(lba, t), n), "{lba} {n}");
        }
    }

    #[test]
    fn a_short_layer_0_turns_back_from_where_it_ended() {
        // DVD+R DL at 8x zoned CLV (6x up to 20% of a layer, 8x after), Layer 0 set to
        // 10% of its nominal size: both layers stay in the 6x zone.
        let spec = Media::DvdPlusRDl.spec();
        let def = spec.write_speeds[2];
        let nominal = spec.layer_capacity();
        let l0 = nominal / 10;
        let c = Curve::layered(&def, MediaFamily::Dvd, 2 * l0, &[l0], nominal, true);
        let x6 = 6.0 * one_x(MediaFamily::Dvd);
        assert!(close(c.speed_at(1.0), x6));
        assert!(close(c.speed_at(f64::from(2 * l0) - 1.0), x6));
        assert!(c.zones().all(|s| close(s.start_sps, x6)));
        // The full disc reaches 8x on both layers, 6x at both ends.
        let full = Curve::layered(
            &def,
            MediaFamily::Dvd,
            spec.capacity,
            &[nominal],
            nominal,
            true,
        );
        let x8 = 8.0 * one_x(MediaFamily::Dvd);
        assert!(close(full.speed_at(f64::from(nominal) - 1.0), x8));
        assert!(close(full.speed_at(f64::from(nominal) + 100.0), x8));
        assert!(close(full.speed_at(f64::from(spec.capacity) - 1.0), x6));
        // No layers: the single-layer curve.
        assert_eq!(
            Curve::layered(&def, MediaFamily::Dvd, 1000, &[], 1000, true),
            Curve::new(&def, MediaFamily::Dvd, 1000)
        );
    }
}
