//! Speed negotiation (IDiscFormat2Data::SetWriteSpeed / SupportedWriteSpeedDescriptors at
//! the recorder level): list what the drive offers, select with SET STREAMING (DVD/BD)
//! or SET CD SPEED (CD) the nearest offered speed at or below the request, read back what
//! the drive chose and report a mismatch as IMAPI2's `S_IMAPI_*ADJUSTED` codes.

use discburn_mmc::profile::MediaFamily;
use discburn_mmc::speed::{
    kbps_to_sectors_per_second, kbps_to_x, sectors_per_second_to_kbps, GetPerformance,
    PerformanceDescriptor, RotationControl, SetCdSpeed, SetStreaming, WriteSpeedData,
};
use discburn_mmc::transport::DataPhase;

use super::{Recorder, DEFAULT_COMMAND_TIMEOUT};
use crate::error::Result;
use crate::hresult::{self, HResult};

/// One write speed the drive offers for the current medium (IWriteSpeedDescriptor;
/// GET PERFORMANCE type 03h).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WriteSpeed {
    /// IWriteSpeedDescriptor::WriteSpeed — sectors per second (CD counted at 2352-byte
    /// frames as IMAPI2 does: 75 = 1x).
    pub sectors_per_second: u32,
    /// The speed as the drive states it, kB/s (1000 bytes).
    pub kilobytes_per_second: u32,
    /// Multiple of the medium's 1x, when the medium family has one.
    pub multiple: Option<f64>,
    /// IWriteSpeedDescriptor::RotationTypeIsPureCAV (WRC = 01b).
    pub pure_cav: bool,
    /// Last LBA this speed applies to (the medium's capacity).
    pub end_lba: u32,
}

/// How the drive's choice differs from the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpeedAdjustment {
    /// The drive uses what was asked for (S_OK).
    None,
    /// A different speed (S_IMAPI_SPEEDADJUSTED).
    Speed,
    /// A different rotation type (S_IMAPI_ROTATIONADJUSTED).
    Rotation,
    /// Both (S_IMAPI_BOTHADJUSTED).
    Both,
}

impl SpeedAdjustment {
    /// The IMAPI2 success code for this outcome.
    pub fn hresult(self) -> HResult {
        match self {
            SpeedAdjustment::None => hresult::S_OK,
            SpeedAdjustment::Speed => hresult::S_IMAPI_SPEEDADJUSTED,
            SpeedAdjustment::Rotation => hresult::S_IMAPI_ROTATIONADJUSTED,
            SpeedAdjustment::Both => hresult::S_IMAPI_BOTHADJUSTED,
        }
    }
}

/// The outcome of [`Recorder::set_write_speed`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpeedSelection {
    /// Sectors/s asked for (−1 = fastest).
    pub requested_sectors_per_second: i32,
    /// Rotation asked for.
    pub requested_pure_cav: bool,
    /// The offered speed selected (nearest at or below the request; the slowest offered
    /// when all are faster), `None` when the drive lists none.
    pub selected: Option<WriteSpeed>,
    /// What the drive reports using afterwards (GET PERFORMANCE type 00h), sectors/s.
    pub current_sectors_per_second: Option<u32>,
    /// The same in kB/s.
    pub current_kilobytes_per_second: Option<u32>,
    /// Whether the drive's current profile is CAV (its start and end performance
    /// differ by more than 10 %).
    pub current_pure_cav: Option<bool>,
    /// The mismatch between request and the drive's choice.
    pub adjustment: SpeedAdjustment,
}

impl Recorder {
    /// The medium family of the current profile (CD/DVD/BD/…), `Other` when unknown.
    pub fn media_family(&self) -> MediaFamily {
        self.current_profile()
            .map(|p| p.family())
            .unwrap_or(MediaFamily::Other)
    }

    /// IDiscFormat2Data::SupportedWriteSpeedDescriptors — the write speeds the drive
    /// offers for the loaded medium, fastest first, from GET PERFORMANCE type 03h.
    pub fn write_speeds(&self) -> Result<Vec<WriteSpeed>> {
        let family = self.media_family();
        let cmd = GetPerformance::write_speeds(32);
        let mut buf = vec![0u8; cmd.response_len()];
        let n = self.command(&cmd, DataPhase::In(&mut buf), DEFAULT_COMMAND_TIMEOUT)?;
        let data = WriteSpeedData::parse(&buf[..n])?;
        let mut out: Vec<WriteSpeed> = data
            .descriptors
            .iter()
            .filter(|d| d.write_kbps > 0)
            .map(|d| {
                speed_of(
                    family,
                    d.write_kbps,
                    d.wrc == RotationControl::Cav,
                    d.end_lba,
                )
            })
            .collect();
        out.sort_by_key(|s| std::cmp::Reverse(s.kilobytes_per_second));
        out.dedup_by(|a, b| {
            a.kilobytes_per_second == b.kilobytes_per_second && a.pure_cav == b.pure_cav
        });
        Ok(out)
    }

    /// IDiscFormat2Data::SetWriteSpeed — selects the offered speed nearest at or below
    /// `requested_sectors_per_second` (−1 = fastest) with SET STREAMING on DVD/BD, SET CD
    /// SPEED on CD (and as the fallback when SET STREAMING is refused), then reads back
    /// the drive's current write performance and reports the mismatch.
    pub fn set_write_speed(
        &self,
        requested_sectors_per_second: i32,
        pure_cav: bool,
    ) -> Result<SpeedSelection> {
        if requested_sectors_per_second == 0 || requested_sectors_per_second < -1 {
            return Err(super::invalid(format!(
                "requested speed must be -1 (fastest) or positive, got {requested_sectors_per_second}"
            )));
        }
        let family = self.media_family();
        let offered = self.write_speeds().unwrap_or_default();
        // FALSE lets the drive use any rotation (IMAPI2); TRUE asks for pure CAV.
        let rot = |s: &WriteSpeed| !pure_cav || s.pure_cav;
        let pick = |pred: &dyn Fn(&WriteSpeed) -> bool| -> Option<WriteSpeed> {
            if requested_sectors_per_second < 0 {
                offered
                    .iter()
                    .copied()
                    .filter(|s| pred(s))
                    .max_by_key(|s| s.kilobytes_per_second)
            } else {
                let req = requested_sectors_per_second as u32;
                offered
                    .iter()
                    .copied()
                    .filter(|s| pred(s) && s.sectors_per_second <= req)
                    .max_by_key(|s| s.kilobytes_per_second)
                    .or_else(|| {
                        offered
                            .iter()
                            .copied()
                            .filter(|s| pred(s))
                            .min_by_key(|s| s.kilobytes_per_second)
                    })
            }
        };
        let selected = pick(&rot).or_else(|| pick(&|_| true));
        let kbps = match (selected, requested_sectors_per_second) {
            (Some(s), _) => s.kilobytes_per_second,
            (None, -1) => u32::MAX,
            (None, r) => sectors_per_second_to_kbps(family, r as u32),
        };
        let wrc = if pure_cav {
            RotationControl::Cav
        } else {
            RotationControl::Clv
        };
        let end_lba = selected.map_or(u32::MAX, |s| s.end_lba);
        let sent = if family == MediaFamily::Cd {
            self.set_cd_speed(wrc, kbps)
        } else {
            self.set_streaming(wrc, end_lba, kbps)
                .or_else(|_| self.set_cd_speed(wrc, kbps))
        };
        sent?;

        let (current_sectors_per_second, current_kilobytes_per_second, current_pure_cav) =
            match self.write_performance(0) {
                Ok(p) => match p.nominal.last() {
                    Some(d) => {
                        let top = d.start_kbps.max(d.end_kbps);
                        let cav = f64::from(d.start_kbps.min(d.end_kbps)) < 0.9 * f64::from(top);
                        (
                            Some(kbps_to_sectors_per_second(family, top)),
                            Some(top),
                            Some(cav),
                        )
                    }
                    None => (None, None, None),
                },
                Err(_) => (None, None, None),
            };
        let speed_differs = match (requested_sectors_per_second, current_kilobytes_per_second) {
            (_, None) => false,
            (-1, Some(cur)) => selected.is_some_and(|s| !close(s.kilobytes_per_second, cur)),
            (r, Some(cur)) => !close(sectors_per_second_to_kbps(family, r as u32), cur),
        };
        let rotation_differs = pure_cav && current_pure_cav == Some(false);
        let adjustment = match (speed_differs, rotation_differs) {
            (false, false) => SpeedAdjustment::None,
            (true, false) => SpeedAdjustment::Speed,
            (false, true) => SpeedAdjustment::Rotation,
            (true, true) => SpeedAdjustment::Both,
        };
        Ok(SpeedSelection {
            requested_sectors_per_second,
            requested_pure_cav: pure_cav,
            selected,
            current_sectors_per_second,
            current_kilobytes_per_second,
            current_pure_cav,
            adjustment,
        })
    }

    /// SET STREAMING with one performance descriptor: write `kbps` over LBAs 0..=`end_lba`,
    /// and read as fast as the drive can (a verify after the burn should not crawl at the
    /// write speed; drives round the request down to their fastest read speed).
    pub fn set_streaming(&self, wrc: RotationControl, end_lba: u32, kbps: u32) -> Result<()> {
        let d = PerformanceDescriptor::for_speed(wrc, 0, end_lba, MAX_READ_KBPS, kbps);
        let mut buf = [0u8; PerformanceDescriptor::LEN];
        d.emit(&mut buf)?;
        self.command(
            &SetStreaming::performance(),
            DataPhase::Out(&buf),
            DEFAULT_COMMAND_TIMEOUT,
        )
        .map(|_| ())
    }

    /// SET CD SPEED with the write speed `kbps` (saturated to the 16-bit field; 0xFFFF =
    /// maximum) and maximum read speed.
    pub fn set_cd_speed(&self, rotation: RotationControl, kbps: u32) -> Result<()> {
        let cmd = SetCdSpeed {
            rotation,
            read_kbps: 0xFFFF,
            write_kbps: u16::try_from(kbps).unwrap_or(0xFFFF),
        };
        self.command(&cmd, DataPhase::None, DEFAULT_COMMAND_TIMEOUT)
            .map(|_| ())
    }
}

/// The read rate SET STREAMING asks for to mean "fastest" (libburn asks the same way):
/// far above any drive's, so the drive rounds it down to its own maximum.
const MAX_READ_KBPS: u32 = 0x1000_0000;

fn speed_of(family: MediaFamily, kbps: u32, pure_cav: bool, end_lba: u32) -> WriteSpeed {
    WriteSpeed {
        sectors_per_second: kbps_to_sectors_per_second(family, kbps),
        kilobytes_per_second: kbps,
        multiple: kbps_to_x(family, kbps),
        pure_cav,
        end_lba,
    }
}

/// Two kB/s figures are the same speed when within 1 % (drives round).
fn close(a: u32, b: u32) -> bool {
    let (a, b) = (f64::from(a), f64::from(b));
    (a - b).abs() <= 0.01 * a.max(b)
}
