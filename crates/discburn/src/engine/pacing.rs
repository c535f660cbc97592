//! What `StartingSectorsPerSecond` / `EndingSectorsPerSecond` drive: the expected rate
//! across a section, and from it the waits, per-command timeouts and the ETA.
//!
//! Sans-I/O (after quinn-proto): plain arithmetic on LBAs and durations, no clock and no
//! device, so every number the engine acts on is unit-tested directly.

use std::time::Duration;

/// The expected write rate across one section: a linear ramp in sectors/s from the
/// section's first LBA to its last (CAV grows with radius; equal ends = CLV).
///
/// An end the caller left at −1 takes the drive's own nominal performance (GET
/// PERFORMANCE) when the engine has it, else it is unknown and the measured rate is used.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateModel {
    start_lba: i64,
    sectors: u64,
    start_sps: Option<f64>,
    end_sps: Option<f64>,
}

impl RateModel {
    /// A ramp over `sectors` sectors from `start_lba`; `None` ends are unknown.
    pub fn new(start_lba: i64, sectors: u64, start_sps: Option<f64>, end_sps: Option<f64>) -> Self {
        let ok = |v: Option<f64>| v.filter(|x| x.is_finite() && *x > 0.0);
        let (s, e) = match (ok(start_sps), ok(end_sps)) {
            // One end known: treat the section as constant at that rate.
            (Some(s), None) => (Some(s), Some(s)),
            (None, Some(e)) => (Some(e), Some(e)),
            other => other,
        };
        RateModel {
            start_lba,
            sectors,
            start_sps: s,
            end_sps: e,
        }
    }

    /// True when the model has a rate (explicit or from the drive's profile).
    pub fn is_known(&self) -> bool {
        self.start_sps.is_some()
    }

    /// Expected sectors/s at `lba` (clamped into the section), or `None` when unknown.
    pub fn expected_at(&self, lba: i64) -> Option<f64> {
        let (s, e) = (self.start_sps?, self.end_sps?);
        if self.sectors <= 1 {
            return Some(s);
        }
        let pos = (lba - self.start_lba).clamp(0, self.sectors as i64 - 1) as f64;
        Some(s + (e - s) * pos / (self.sectors - 1) as f64)
    }

    /// The slowest expected rate anywhere in the section.
    pub fn slowest(&self) -> Option<f64> {
        Some(self.start_sps?.min(self.end_sps?))
    }

    /// Expected time to write the LBAs `from..to` (end exclusive): the integral of
    /// 1/rate over the ramp, so a CAV section's ETA shrinks faster near its end.
    pub fn time_for(&self, from: i64, to: i64) -> Option<Duration> {
        if to <= from {
            return Some(Duration::ZERO);
        }
        let r0 = self.expected_at(from)?;
        let r1 = self.expected_at(to - 1)?;
        let n = (to - from) as f64;
        let secs = if (r1 - r0).abs() < 1e-9 * r0 {
            n / r0
        } else {
            // rate is linear in position: ∫ dx / (r0 + k x) = ln(r1 / r0) / k
            let k = (r1 - r0) / n;
            (r1 / r0).ln() / k
        };
        // A rate from the drive may be tiny: saturate instead of overflowing a Duration.
        Some(Duration::try_from_secs_f64(secs.max(0.0)).unwrap_or(Duration::MAX))
    }
}

/// The engine's timing policy. Defaults follow IMAPI2 (10 s command timeout), libburn
/// (200 s WRITE timeout, 120 s buffer-wait give-up) and MMC drive-buffer physics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Period of Update events while writing (IMAPI2: 500 ms; ours: 100 ms = 10 Hz).
    pub event_period: Duration,
    /// Shortest interval between two READ BUFFER CAPACITY polls. Some drives stutter
    /// when polled fast; 250 ms is what burners' fill displays use.
    pub device_buffer_poll_period: Duration,
    /// Lower bound of every per-command timeout (IMAPI2_DEFAULT_COMMAND_TIMEOUT).
    pub command_timeout_floor: Duration,
    /// Upper bound of every per-command timeout (libburn's WRITE timeout).
    pub command_timeout_ceiling: Duration,
    /// No LBA accepted by the drive for this long is an error, not an endless wait.
    pub no_progress_timeout: Duration,
    /// Longest single sleep between cancel checks inside a wait.
    pub wait_slice: Duration,
    /// Shortest and longest wait after NOT READY / LONG WRITE IN PROGRESS.
    pub min_busy_wait: Duration,
    /// See [`Timing::min_busy_wait`].
    pub max_busy_wait: Duration,
    /// How long one round of WRITEs (one command, or one pipelined batch) may be
    /// expected to block once the drive buffer is full. Cancel is checked between
    /// rounds, so this bounds cancel latency: WRITEs are sized to drain within it at the
    /// expected rate (see [`Timing::sectors_per_write`]).
    pub write_latency_budget: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            event_period: Duration::from_millis(100),
            device_buffer_poll_period: Duration::from_millis(250),
            command_timeout_floor: Duration::from_secs(10),
            command_timeout_ceiling: Duration::from_secs(200),
            no_progress_timeout: Duration::from_secs(120),
            wait_slice: Duration::from_millis(5),
            min_busy_wait: Duration::from_millis(1),
            max_busy_wait: Duration::from_millis(250),
            write_latency_budget: Duration::from_millis(20),
        }
    }
}

/// Sectors/s assumed when nothing better is known: 1x CD, the slowest recorder there is,
/// so a timeout derived from it is never too short.
pub const SLOWEST_PLAUSIBLE_SPS: f64 = 75.0;

impl Timing {
    /// Timeout of one WRITE of `chunk_bytes` when the slowest expected rate is
    /// `slowest_bytes_per_second`: the IMAPI2 default plus four times the chunk's
    /// transfer time at that rate (a full drive buffer makes a WRITE wait about one
    /// chunk's drain), clamped to floor and ceiling.
    pub fn command_timeout(&self, chunk_bytes: u64, slowest_bytes_per_second: f64) -> Duration {
        let rate = slowest_bytes_per_second.max(1.0);
        let t = Duration::from_secs(10).saturating_add(
            Duration::try_from_secs_f64(4.0 * chunk_bytes as f64 / rate).unwrap_or(Duration::MAX),
        );
        t.clamp(self.command_timeout_floor, self.command_timeout_ceiling)
    }

    /// How long to wait after the drive said it is full (2/04/08): the time it needs to
    /// drain `bytes` at `bytes_per_second`, clamped. `None` (rate unknown) backs off
    /// exponentially from 10 ms with the number of consecutive busy answers.
    pub fn busy_wait(
        &self,
        bytes: u64,
        bytes_per_second: Option<f64>,
        consecutive: u32,
    ) -> Duration {
        let d = match bytes_per_second.filter(|r| *r > 0.0) {
            Some(r) => Duration::try_from_secs_f64(bytes as f64 / r).unwrap_or(Duration::MAX),
            None => Duration::from_millis(10) * 2u32.saturating_pow(consecutive.min(5)),
        };
        d.clamp(self.min_busy_wait, self.max_busy_wait)
    }
}

/// Fewest bytes one WRITE carries when the engine shortens WRITEs for latency: 64 KiB,
/// the classic SG_IO transfer, where per-command overhead is still small against the
/// data (a BD cluster, two DVD ECC blocks).
pub const MIN_WRITE_BYTES: u32 = 64 * 1024;

/// How WRITEs cut a host buffer: sizes are multiples of `granule` sectors (so every
/// piece of a buffer starts at the transport's alignment, and 2048-byte sectors stay in
/// whole 32-sector BD clusters), at least `floor`, and at most `buffer` (one host buffer,
/// the transport's largest transfer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteGeometry {
    /// Sectors in one host buffer (the largest WRITE).
    pub buffer: u32,
    /// Sizes are multiples of this many sectors (except a whole buffer).
    pub granule: u32,
    /// Smallest WRITE chosen for latency, a multiple of `granule` (≤ `buffer`).
    pub floor: u32,
}

impl WriteGeometry {
    /// The geometry for `buffer`-sector host buffers of `bytes_per_sector`-byte sectors on
    /// a transport needing `alignment`-byte aligned buffers.
    pub fn new(buffer: u32, bytes_per_sector: u32, alignment: u32) -> Self {
        let buffer = buffer.max(1);
        let bps = u64::from(bytes_per_sector.max(1));
        let align = u64::from(alignment.max(1));
        // Sectors per aligned step: align / gcd(align, bps).
        let aligned = align / gcd(align, bps);
        let cluster = if bps == 2048 { 32 } else { 1 };
        let granule = aligned / gcd(aligned, cluster) * cluster;
        let granule = u32::try_from(granule).unwrap_or(u32::MAX).max(1);
        let min = u64::from(MIN_WRITE_BYTES).div_ceil(bps);
        let floor = u32::try_from(min.div_ceil(u64::from(granule)) * u64::from(granule))
            .unwrap_or(u32::MAX)
            .min(buffer);
        WriteGeometry {
            buffer,
            granule,
            floor,
        }
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

impl Timing {
    /// Sectors per WRITE so that `in_flight` WRITEs sent as one round drain within
    /// [`Timing::write_latency_budget`] when the drive takes `sectors_per_second`.
    ///
    /// Why: a drive whose buffer is full holds each WRITE until it has burned room for
    /// it (or answers LONG WRITE IN PROGRESS), so a WRITE lasts about its size over the
    /// write rate — 57 ms for 1 MiB at 4x BD — and the engine can only notice a cancel
    /// between commands. Sizing by time rather than by the transport's maximum keeps
    /// cancel latency bounded at every speed, while fast drives still get the largest
    /// transfers. Not below `geometry.floor` (per-command overhead), never above one
    /// buffer; an unknown rate uses whole buffers. Each buffer is cut into equal pieces
    /// (rounded up to the granule, never above the time-based size) so no runt WRITE
    /// trails every buffer.
    pub fn sectors_per_write(
        &self,
        geometry: WriteGeometry,
        sectors_per_second: Option<f64>,
        in_flight: usize,
    ) -> u32 {
        let WriteGeometry {
            buffer,
            granule,
            floor,
        } = geometry;
        let Some(sps) = sectors_per_second.filter(|r| r.is_finite() && *r > 0.0) else {
            return buffer;
        };
        let target = self.write_latency_budget.as_secs_f64() * sps / in_flight.max(1) as f64;
        let target = target.min(f64::from(buffer)) as u32;
        let size = (target / granule * granule).max(floor).min(buffer);
        if size >= buffer {
            return buffer;
        }
        let pieces = buffer.div_ceil(size);
        buffer
            .div_ceil(pieces)
            .div_ceil(granule)
            .saturating_mul(granule)
            .min(size)
            .max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_rates_saturate_instead_of_panicking() {
        let r = RateModel::new(0, 1 << 32, Some(1e-300), Some(1e-300));
        assert_eq!(r.time_for(0, 1 << 32), Some(Duration::MAX));
        let ramp = RateModel::new(0, 1 << 32, Some(1e-300), Some(1.0));
        assert!(ramp.time_for(0, 1 << 32).is_some());
        let t = Timing::default();
        assert_eq!(t.busy_wait(u64::MAX, Some(1e-300), 0), t.max_busy_wait);
        assert_eq!(t.command_timeout(u64::MAX, 0.0), t.command_timeout_ceiling);
    }

    #[test]
    fn ramp_and_eta() {
        let m = RateModel::new(100, 1001, Some(1000.0), Some(3000.0));
        assert_eq!(m.expected_at(100), Some(1000.0));
        assert_eq!(m.expected_at(1100), Some(3000.0));
        assert_eq!(m.expected_at(600), Some(2000.0));
        assert_eq!(m.expected_at(-5), Some(1000.0));
        assert_eq!(m.slowest(), Some(1000.0));
        // CLV: time is sectors / rate.
        let clv = RateModel::new(0, 10_000, Some(2000.0), Some(2000.0));
        assert_eq!(clv.time_for(0, 10_000), Some(Duration::from_secs(5)));
        // The ramp takes less than the slowest and more than the fastest rate would.
        let t = m.time_for(100, 1101).unwrap().as_secs_f64();
        assert!(t < 1001.0 / 1000.0 && t > 1001.0 / 3000.0, "{t}");
        assert!((t - (3.0f64).ln() / 2.0).abs() < 0.01, "{t}");
        assert_eq!(m.time_for(500, 500), Some(Duration::ZERO));
    }

    #[test]
    fn unknown_and_half_known() {
        let u = RateModel::new(0, 10, None, None);
        assert!(!u.is_known());
        assert_eq!(u.expected_at(3), None);
        assert_eq!(u.time_for(0, 10), None);
        let h = RateModel::new(0, 10, None, Some(500.0));
        assert_eq!(h.expected_at(0), Some(500.0));
        let bad = RateModel::new(0, 10, Some(f64::NAN), Some(-3.0));
        assert!(!bad.is_known());
    }

    #[test]
    fn timeouts_follow_the_slowest_rate() {
        let t = Timing::default();
        let fast = t.command_timeout(65536, 36_000_000.0);
        let slow = t.command_timeout(65536, 20_480.0);
        assert!(fast >= Duration::from_secs(10) && fast < Duration::from_millis(10_010));
        assert_eq!(
            slow,
            Duration::from_secs(10) + Duration::from_secs_f64(4.0 * 3.2)
        );
        assert_eq!(t.command_timeout(1 << 30, 1.0), Duration::from_secs(200));
    }

    #[test]
    fn geometry() {
        // 2048-byte sectors: whole BD clusters; 64 KiB floor.
        assert_eq!(
            WriteGeometry::new(512, 2048, 4096),
            WriteGeometry {
                buffer: 512,
                granule: 32,
                floor: 32
            }
        );
        // 2352-byte CD sectors on a 4 KiB-aligned transport: 256-sector steps keep
        // every piece aligned; the floor cannot exceed the buffer.
        let g = WriteGeometry::new(27, 2352, 4096);
        assert_eq!((g.granule, g.floor), (256, 27));
        let g = WriteGeometry::new(400, 2352, 1);
        assert_eq!((g.granule, g.floor), (1, 28));
        assert_eq!(WriteGeometry::new(10, 2048, 1).floor, 10);
    }

    #[test]
    fn writes_sized_to_the_latency_budget() {
        let t = Timing::default();
        let g = WriteGeometry::new(512, 2048, 1);
        // Unknown rate: whole buffers.
        assert_eq!(t.sectors_per_write(g, None, 1), 512);
        // 4x BD (8780 sectors/s): 20 ms is 175 sectors → 160 → 1 MiB cut in four.
        let s = t.sectors_per_write(g, Some(8780.0), 1);
        assert_eq!(s, 128);
        assert!(f64::from(s) / 8780.0 <= 0.020);
        // 12x BD: 527 sectors in 20 ms, more than a buffer.
        assert_eq!(t.sectors_per_write(g, Some(26_340.0), 1), 512);
        // Slow media: the 64 KiB floor.
        assert_eq!(t.sectors_per_write(g, Some(300.0), 1), 32);
        // Four in flight share the budget: 44 sectors each → 32.
        assert_eq!(t.sectors_per_write(g, Some(8780.0), 4), 32);
        // 16x BD with four in flight: 175 → 160 → 512 in four pieces of 128.
        assert_eq!(t.sectors_per_write(g, Some(35_120.0), 4), 128);
        // Never above the time-based size, never a runt.
        for sps in [1000.0, 5000.0, 9000.0, 13_000.0, 20_000.0, 25_000.0] {
            let s = t.sectors_per_write(g, Some(sps), 1);
            assert_eq!(s % 32, 0, "{sps}");
            assert!(s == 32 || f64::from(s) <= 0.020 * sps, "{sps}: {s}");
        }
        // A buffer that is not a granule multiple is still cut within the budget.
        let odd = WriteGeometry::new(100, 2048, 1);
        assert_eq!(t.sectors_per_write(odd, Some(2000.0), 1), 32);
    }

    #[test]
    fn busy_waits_are_drain_times() {
        let t = Timing::default();
        assert_eq!(
            t.busy_wait(1_000_000, Some(10_000_000.0), 0),
            Duration::from_millis(100)
        );
        assert_eq!(t.busy_wait(10, Some(1e9), 0), Duration::from_millis(1));
        assert_eq!(
            t.busy_wait(1 << 30, Some(1.0), 0),
            Duration::from_millis(250)
        );
        assert_eq!(t.busy_wait(0, None, 0), Duration::from_millis(10));
        assert_eq!(t.busy_wait(0, None, 2), Duration::from_millis(40));
        assert_eq!(t.busy_wait(0, None, 30), Duration::from_millis(250));
    }
}
