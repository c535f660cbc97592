//! IDiscRecorder2Ex's parsed MMC helpers and IDiscRecorder2's identity and tray
//! methods, each one `discburn_mmc` command through [`Recorder::command`].

use discburn_mmc::cdb::Query;
use discburn_mmc::config::{Configuration, FeatureCode, FeatureHeader, Features, GetConfiguration};
use discburn_mmc::device::{
    Inquiry, InquiryData, PreventAllowMediumRemoval, StartStopUnit, TestUnitReady,
};
use discburn_mmc::disc::{
    DiscInformation, DiscStructureMedia, ReadDiscInformation, ReadDiscStructure,
};
use discburn_mmc::mode::{
    find_page, CapabilitiesPage, ModeHeader10, ModePages, ModeSelect10, ModeSense10, PageControl,
    ALL_PAGES, MODE_HEADER10_LEN,
};
use discburn_mmc::profile::{MediaFamily, Profile};
use discburn_mmc::rw::Read12;
use discburn_mmc::sense::Refusal;
use discburn_mmc::speed::{
    kbps_to_sectors_per_second, BufferCapacityBytes, GetPerformance, PerformanceData,
    ReadBufferCapacity,
};
use discburn_mmc::track::{ReadTrackInformation, TrackAddress, TrackInformation};
use discburn_mmc::transport::DataPhase;
use discburn_mmc::wire;
use discburn_mmc::wire::Repr;
use discburn_mmc::Command;

use super::{Recorder, DEFAULT_COMMAND_TIMEOUT};
use crate::error::{Error, ErrorKind, Result};
use crate::hresult;

/// Largest GET CONFIGURATION answer asked for (the field is 16 bits).
const CONFIG_ALLOC: u16 = 0xFFF8;

/// START STOP UNIT takes longer than ordinary commands (Microsoft's sample: 6× default).
const TRAY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);
/// A READ of recorded sectors: generous for a drive retrying a marginal disc.
const READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// IDiscRecorder2's identity strings (INQUIRY) plus the unit serial number (VPD 80h).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// IDiscRecorder2::VendorId — INQUIRY bytes 8–15, trimmed.
    pub vendor: String,
    /// IDiscRecorder2::ProductId — INQUIRY bytes 16–31, trimmed.
    pub product: String,
    /// IDiscRecorder2::ProductRevision — INQUIRY bytes 32–35, trimmed.
    pub revision: String,
    /// Unit serial number (VPD page 80h), when the drive reports one.
    pub serial: Option<String>,
}

/// IMAPI_MODE_PAGE_REQUEST_TYPE, equal to the MODE SENSE PC field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModePageRequest {
    /// 0: current values.
    Current = 0,
    /// 1: changeable-bit mask.
    Changeable = 1,
    /// 2: default values.
    Default = 2,
    /// 3: saved values.
    Saved = 3,
}

/// IMAPI_READ_TRACK_ADDRESS_TYPE, equal to READ TRACK INFORMATION byte 1 bits 1:0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReadTrackAddressType {
    /// 0: the track containing this LBA.
    Lba = 0,
    /// 1: this track number (0xFF = the invisible/incomplete track).
    Track = 1,
    /// 2: the first track of this session number.
    Session = 2,
}

impl Recorder {
    /// Sends a typed query and parses its answer (`discburn_mmc::cdb::Query`: the command
    /// names its response type and allocation length), reading only the bytes the drive
    /// transferred — the one way every typed answer below is asked for.
    pub fn query<Q: Query>(&self, command: &Q) -> Result<Q::Response> {
        let mut buf = vec![0u8; command.allocation_length()];
        let n = self.command_in(command, &mut buf)?;
        Ok(<Q::Response as Repr>::parse(&buf[..n])?)
    }

    // ---- identity (IDiscRecorder2) ----

    /// VendorId / ProductId / ProductRevision (INQUIRY) and the serial (VPD 80h).
    pub fn identity(&self) -> Result<Identity> {
        let d = self.inquiry()?;
        Ok(Identity {
            vendor: d.vendor,
            product: d.product,
            revision: d.revision,
            serial: self.serial_number().ok().flatten(),
        })
    }

    /// The unit serial number from VPD page 80h (SPC-4 §7.8.15), `None` when empty.
    pub fn serial_number(&self) -> Result<Option<String>> {
        let mut buf = [0u8; 255];
        let n = self.command_in(&Inquiry::vpd(0x80, 255), &mut buf)?;
        let data = &buf[..n];
        wire::check_len(data, 4)?;
        if data[1] != 0x80 {
            return Err(Error::new(ErrorKind::InvalidResponse(
                wire::Error::Invalid {
                    field: "VPD page code",
                    value: u64::from(data[1]),
                },
            )));
        }
        let len = usize::from(data[3]).min(n - 4);
        let s = String::from_utf8_lossy(&data[4..4 + len])
            .trim()
            .to_string();
        Ok((!s.is_empty()).then_some(s))
    }

    /// IDiscRecorder2::VendorId.
    pub fn vendor_id(&self) -> Result<String> {
        Ok(self.inquiry()?.vendor)
    }

    /// IDiscRecorder2::ProductId.
    pub fn product_id(&self) -> Result<String> {
        Ok(self.inquiry()?.product)
    }

    /// IDiscRecorder2::ProductRevision.
    pub fn product_revision(&self) -> Result<String> {
        Ok(self.inquiry()?.revision)
    }

    /// Standard INQUIRY data.
    pub fn inquiry(&self) -> Result<InquiryData> {
        // 96 bytes: the standard data and the vendor-specific part some drives add.
        self.query(&Inquiry {
            alloc: 96,
            ..Inquiry::standard()
        })
    }

    // ---- tray and readiness ----

    /// TEST UNIT READY: Ok when the drive is ready for media access.
    pub fn test_unit_ready(&self) -> Result<()> {
        self.command_none(&TestUnitReady)
    }

    /// TEST UNIT READY (SPC-4 §6.47), answered after the unit attentions queued for this
    /// initiator: each command reports one (SPC-4 §5.14 — a power-on or bus reset, a new
    /// I_T nexus such as an iSCSI login, a medium change), so up to a few are taken here
    /// and the drive's answer after them is returned. The caller reads the medium's state
    /// afresh; none of the attentions matters to it.
    pub fn test_unit_ready_settled(&self) -> Result<()> {
        /// More than a drive queues (reset, nexus loss, medium change, mode change).
        const QUEUED_ATTENTIONS: usize = 4;
        let mut answer = self.command_none(&TestUnitReady);
        for _ in 0..QUEUED_ATTENTIONS {
            match &answer {
                Err(e) if e.is_unit_attention() => answer = self.command_none(&TestUnitReady),
                _ => break,
            }
        }
        answer
    }

    /// IDiscRecorder2::EjectMedia — START STOP UNIT with LoEj=1 Start=0.
    pub fn eject_media(&self) -> Result<()> {
        self.command(&StartStopUnit::eject(), DataPhase::None, TRAY_TIMEOUT)
            .map(|_| ())
    }

    /// IDiscRecorder2::CloseTray — START STOP UNIT with LoEj=1 Start=1.
    pub fn close_tray(&self) -> Result<()> {
        self.command(&StartStopUnit::load(), DataPhase::None, TRAY_TIMEOUT)
            .map(|_| ())
    }

    /// START STOP UNIT Start=1: spin the medium up (Microsoft's sample does this before
    /// writing).
    pub fn start_unit(&self) -> Result<()> {
        self.command(&StartStopUnit::start(), DataPhase::None, TRAY_TIMEOUT)
            .map(|_| ())
    }

    /// PREVENT ALLOW MEDIUM REMOVAL with Prevent=1: lock the tray during a burn.
    pub fn prevent_media_removal(&self) -> Result<()> {
        self.command_none(&PreventAllowMediumRemoval {
            prevent: true,
            persistent: false,
        })
    }

    /// PREVENT ALLOW MEDIUM REMOVAL with Prevent=0.
    pub fn allow_media_removal(&self) -> Result<()> {
        self.command_none(&PreventAllowMediumRemoval {
            prevent: false,
            persistent: false,
        })
    }

    // ---- disc and tracks (IDiscRecorder2Ex) ----

    /// IDiscRecorder2Ex::GetDiscInformation — the raw READ DISC INFORMATION answer.
    pub fn disc_information_raw(&self) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; 2048];
        let cmd = ReadDiscInformation {
            alloc: buf.len() as u16,
            ..ReadDiscInformation::standard()
        };
        let n = self.command_in(&cmd, &mut buf)?;
        buf.truncate(n);
        Ok(buf)
    }

    /// READ DISC INFORMATION, parsed.
    pub fn disc_information(&self) -> Result<DiscInformation> {
        Ok(DiscInformation::parse(&self.disc_information_raw()?)?)
    }

    /// The disc's Media Catalog Number (13 digits): READ SUB-CHANNEL format 02h (MMC-6
    /// §6.29). `None` when the disc has none or the drive does not say.
    pub fn media_catalog_number(&self) -> Result<Option<String>> {
        self.subq_code(discburn_mmc::readcd::SUBQ_MCN, 0)
    }

    /// Track `track`'s ISRC (12 characters): READ SUB-CHANNEL format 03h.
    pub fn isrc(&self, track: u8) -> Result<Option<String>> {
        self.subq_code(discburn_mmc::readcd::SUBQ_ISRC, track)
    }

    fn subq_code(&self, format: u8, track: u8) -> Result<Option<String>> {
        let mut buf = [0u8; discburn_mmc::readcd::SUBQ_CODE_LEN];
        let cmd = discburn_mmc::readcd::ReadSubChannel {
            msf: false,
            subq: true,
            format,
            track,
            alloc: buf.len() as u16,
        };
        let n = match self.command_in(&cmd, &mut buf) {
            Ok(n) => n,
            Err(e) if e.refusal().is_some() => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(discburn_mmc::readcd::parse_subq_code(&buf[..n])
            .filter(|c| c.iter().all(u8::is_ascii_alphanumeric))
            .map(|c| String::from_utf8_lossy(&c).into_owned()))
    }

    /// The disc's CD-Text: READ TOC/PMA/ATIP format 5 (MMC-6 §6.26.2.6), decoded (every
    /// pack's CRC checked). `None` when the disc has none: an answer without packs, or
    /// the 05/24/00 drives give for it. Packs that do not decode are an error.
    pub fn cd_text(&self) -> Result<Option<discburn_mmc::cdtext::CdText>> {
        let mut buf = vec![0u8; 0xFFFF];
        let cmd = discburn_mmc::disc::ReadTocPmaAtip {
            msf: false,
            format: discburn_mmc::disc::TocFormat::CdText,
            track_session: 0,
            alloc: 0xFFFF,
        };
        let n = match self.command_in(&cmd, &mut buf) {
            Ok(n) => n,
            Err(e) if e.refusal() == Some(Refusal::InvalidField) => return Ok(None),
            Err(e) => return Err(e),
        };
        let len = usize::from(wire::be16(&buf[..n], 0))
            .saturating_add(2)
            .min(n);
        if len <= 4 {
            return Ok(None);
        }
        discburn_mmc::cdtext::decode(&buf[4..len])
            .map(Some)
            .map_err(|e| {
                tracing::debug!("CD-Text does not decode: {e}");
                Error::new(ErrorKind::InvalidResponse(wire::Error::Invalid {
                    field: "CD-Text packs",
                    value: (len - 4) as u64,
                }))
            })
    }

    /// IDiscRecorder2Ex::GetTrackInformation — the raw READ TRACK INFORMATION answer for
    /// `address` read as `address_type`.
    pub fn track_information_raw(
        &self,
        address: u32,
        address_type: ReadTrackAddressType,
    ) -> Result<Vec<u8>> {
        let address = match address_type {
            ReadTrackAddressType::Lba => TrackAddress::Lba(address),
            ReadTrackAddressType::Track => TrackAddress::Track(address),
            ReadTrackAddressType::Session => TrackAddress::Session(address),
        };
        let mut buf = vec![0u8; TrackInformation::MAX_LEN];
        let cmd = ReadTrackInformation {
            open: false,
            address,
            alloc: buf.len() as u16,
        };
        let n = self.command_in(&cmd, &mut buf)?;
        buf.truncate(n);
        Ok(buf)
    }

    /// READ TRACK INFORMATION, parsed.
    pub fn track_information(&self, address: TrackAddress) -> Result<TrackInformation> {
        self.query(&ReadTrackInformation {
            open: false,
            address,
            alloc: TrackInformation::MAX_LEN as u16,
        })
    }

    /// IDiscRecorder2Ex::ReadDvdStructure — READ DISC STRUCTURE with the 4-byte header
    /// removed.
    pub fn read_dvd_structure(
        &self,
        format: u8,
        address: u32,
        layer: u8,
        agid: u8,
    ) -> Result<Vec<u8>> {
        let media = match self.current_profile().map(|p| p.family()) {
            Ok(MediaFamily::Bd) => DiscStructureMedia::Bd,
            _ => DiscStructureMedia::Dvd,
        };
        let mut buf = vec![0u8; 0xFFFC];
        let cmd = ReadDiscStructure {
            media_type: media,
            address,
            layer,
            format,
            alloc: buf.len() as u16,
            agid,
        };
        let n = self.command_in(&cmd, &mut buf)?;
        let data = &buf[..n];
        wire::check_len(data, 4)?;
        let len = (usize::from(wire::be16(data, 0)).saturating_sub(2)).min(n - 4);
        Ok(data[4..4 + len].to_vec())
    }

    // ---- configuration (IDiscRecorder2Ex / IDiscRecorder2) ----

    /// GET CONFIGURATION for all (or only current) features, parsed.
    pub fn configuration(&self, current_only: bool) -> Result<Configuration> {
        self.query(&if current_only {
            GetConfiguration::current(CONFIG_ALLOC)
        } else {
            GetConfiguration::all(CONFIG_ALLOC)
        })
        .map_err(map_get_configuration_error)
    }

    fn get_configuration(&self, cmd: GetConfiguration) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; usize::from(cmd.allocation_length)];
        match self.command_in(&cmd, &mut buf) {
            Ok(n) => {
                buf.truncate(n);
                Ok(buf)
            }
            Err(e) => Err(map_get_configuration_error(e)),
        }
    }

    /// The current profile (GET CONFIGURATION header bytes 6–7).
    pub fn current_profile(&self) -> Result<Profile> {
        let answer = self.get_configuration(GetConfiguration::one(FeatureCode::ProfileList, 8))?;
        Ok(FeatureHeader::parse(&answer)?.current_profile)
    }

    /// IDiscRecorder2Ex::GetSupportedProfiles / IDiscRecorder2::SupportedProfiles and
    /// CurrentProfiles — the Profile List feature (0000h), all or only the current ones.
    pub fn supported_profiles(&self, current_only: bool) -> Result<Vec<Profile>> {
        let answer = self.get_configuration(GetConfiguration::one(
            FeatureCode::ProfileList,
            CONFIG_ALLOC,
        ))?;
        let cfg = Configuration::parse(&answer)?;
        let mut out = Vec::new();
        for f in &cfg.features {
            if let discburn_mmc::config::FeatureBody::ProfileList(list) = &f.body {
                out.extend(
                    list.iter()
                        .filter(|p| !current_only || p.current)
                        .map(|p| p.profile),
                );
            }
        }
        Ok(out)
    }

    /// IDiscRecorder2Ex::GetSupportedFeaturePages / IDiscRecorder2::SupportedFeaturePages
    /// and CurrentFeaturePages — the feature codes the drive reports.
    pub fn supported_feature_pages(&self, current_only: bool) -> Result<Vec<FeatureCode>> {
        let cmd = if current_only {
            GetConfiguration::current(CONFIG_ALLOC)
        } else {
            GetConfiguration::all(CONFIG_ALLOC)
        };
        let answer = self.get_configuration(cmd)?;
        Ok(Features::new(&answer)
            .filter(|f| !current_only || f.current())
            .map(|f| f.code())
            .collect())
    }

    /// IDiscRecorder2Ex::GetFeaturePage — one feature descriptor (header removed, so the
    /// bytes start at the feature code). `E_IMAPI_RECORDER_NO_SUCH_FEATURE` when absent,
    /// `E_IMAPI_RECORDER_FEATURE_IS_NOT_CURRENT` when present but not current and
    /// `current_only` is set.
    pub fn feature_page(&self, feature: FeatureCode, current_only: bool) -> Result<Vec<u8>> {
        let answer = self.get_configuration(GetConfiguration::one(feature, CONFIG_ALLOC))?;
        let Some(view) = Features::new(&answer).find(|f| f.code() == feature) else {
            return Err(Error::with_hresult(
                ErrorKind::NotSupported(format!("feature {feature:?}")),
                hresult::E_IMAPI_RECORDER_NO_SUCH_FEATURE,
            ));
        };
        if current_only && !view.current() {
            return Err(Error::with_hresult(
                ErrorKind::NotSupported(format!("feature {feature:?} is not current")),
                hresult::E_IMAPI_RECORDER_FEATURE_IS_NOT_CURRENT,
            ));
        }
        let f = discburn_mmc::config::Feature::from_view(&view);
        let mut out = vec![0u8; f.buffer_len()];
        let n = f.emit(&mut out)?;
        out.truncate(n);
        Ok(out)
    }

    /// One feature, typed (see [`Recorder::feature_page`] for the errors).
    pub fn feature(
        &self,
        feature: FeatureCode,
        current_only: bool,
    ) -> Result<discburn_mmc::config::Feature> {
        let bytes = self.feature_page(feature, current_only)?;
        Ok(discburn_mmc::config::Feature::parse(&bytes)?)
    }

    // ---- mode pages (IDiscRecorder2Ex) ----

    fn mode_sense(&self, page: u8, request: ModePageRequest) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; 0xFFF8];
        let cmd = ModeSense10 {
            pc: match request {
                ModePageRequest::Current => PageControl::Current,
                ModePageRequest::Changeable => PageControl::Changeable,
                ModePageRequest::Default => PageControl::Default,
                ModePageRequest::Saved => PageControl::Saved,
            },
            ..ModeSense10::current(page, buf.len() as u16)
        };
        let n = self.command_in(&cmd, &mut buf)?;
        buf.truncate(n);
        ModeHeader10::parse(&buf)?;
        Ok(buf)
    }

    /// IDiscRecorder2Ex::GetModePage — MODE SENSE(10) for one page; the header and block
    /// descriptors are removed, so the bytes start at the page code.
    /// `E_IMAPI_RECORDER_NO_SUCH_MODE_PAGE` when the drive lacks it.
    pub fn mode_page(&self, page: u8, request: ModePageRequest) -> Result<Vec<u8>> {
        let answer = self.mode_sense(page, request)?;
        ModePages::new(&answer)
            .find(|p| p.page_code() == page & 0x3F && !p.spf())
            .map(|p| p.bytes().to_vec())
            .ok_or_else(|| {
                Error::with_hresult(
                    ErrorKind::NotSupported(format!("mode page {page:02X}h")),
                    hresult::E_IMAPI_RECORDER_NO_SUCH_MODE_PAGE,
                )
            })
    }

    /// IDiscRecorder2Ex::SetModePage — MODE SELECT(10) of `page` (starting at its page
    /// code); the mode parameter header is added and the PS bit cleared. `Saved` sets SP;
    /// `Current` does not; the other request types cannot be selected (`E_INVALIDARG`).
    pub fn set_mode_page(&self, request: ModePageRequest, page: &[u8]) -> Result<()> {
        let sp = match request {
            ModePageRequest::Current => false,
            ModePageRequest::Saved => true,
            other => {
                return Err(super::invalid(format!(
                    "MODE SELECT cannot set {other:?} values"
                )))
            }
        };
        if page.len() < 2 {
            return Err(super::invalid("a mode page has at least 2 bytes"));
        }
        let mut list = vec![0u8; MODE_HEADER10_LEN + page.len()];
        ModeHeader10::default().emit(&mut list)?;
        list[MODE_HEADER10_LEN..].copy_from_slice(page);
        list[MODE_HEADER10_LEN] &= 0x7F;
        let cmd = ModeSelect10 {
            sp,
            ..ModeSelect10::new(
                u16::try_from(list.len())
                    .map_err(|_| super::invalid("mode page too long for MODE SELECT(10)"))?,
            )
        };
        self.command(&cmd, DataPhase::Out(&list), DEFAULT_COMMAND_TIMEOUT)
            .map(|_| ())
    }

    /// IDiscRecorder2Ex::GetSupportedModePages / IDiscRecorder2::SupportedModePages —
    /// the page codes MODE SENSE(10) of all pages (3Fh) returns.
    pub fn supported_mode_pages(&self, request: ModePageRequest) -> Result<Vec<u8>> {
        let answer = self.mode_sense(ALL_PAGES, request)?;
        Ok(ModePages::new(&answer)
            .filter(|p| !p.spf())
            .map(|p| p.page_code())
            .collect())
    }

    /// The MM Capabilities page (2Ah), parsed: buffer size, current/max write speed and
    /// the write speed descriptors.
    pub fn capabilities_page(&self) -> Result<CapabilitiesPage> {
        let answer = self.mode_sense(0x2A, ModePageRequest::Current)?;
        Ok(find_page::<CapabilitiesPage>(&answer)?)
    }

    // ---- reading ----

    /// READ(12) of `blocks` logical blocks from `lba` into `buf` (MMC-6 §6.16): the one
    /// read of recorded sectors, for verify and for the earlier sessions' metadata. `fua`
    /// (with DPO) asks for the medium, not the drive's cache. A transfer shorter than
    /// `buf` is [`ErrorKind::InvalidResponse`].
    pub fn read_blocks(&self, lba: u32, blocks: u32, fua: bool, buf: &mut [u8]) -> Result<()> {
        let cmd = Read12 {
            lba,
            blocks,
            dpo: fua,
            fua,
            streaming: false,
        };
        let n = self.command(&cmd, DataPhase::In(buf), READ_TIMEOUT)?;
        if n != buf.len() {
            return Err(
                Error::new(ErrorKind::InvalidResponse(wire::Error::Truncated {
                    needed: buf.len(),
                    available: n,
                }))
                .at_cdb(cmd.emit()),
            );
        }
        Ok(())
    }

    /// READ CD (MMC-6 §6.17) of `blocks` CD-DA sectors at `lba` into `buf` (2352 bytes
    /// each, samples only): how audio is read back, since READ(10) refuses audio tracks.
    pub fn read_audio(&self, lba: u32, blocks: u32, buf: &mut [u8]) -> Result<()> {
        let cmd = discburn_mmc::readcd::ReadCd::audio(lba, blocks);
        let n = self.command(&cmd, DataPhase::In(buf), READ_TIMEOUT)?;
        if n != buf.len() {
            return Err(
                Error::new(ErrorKind::InvalidResponse(wire::Error::Truncated {
                    needed: buf.len(),
                    available: n,
                }))
                .at_cdb(cmd.emit()),
            );
        }
        Ok(())
    }

    // ---- buffer and performance ----

    /// READ BUFFER CAPACITY (Block=0): `(buffer length, blank length)` in bytes.
    pub fn buffer_capacity(&self) -> Result<(u64, u64)> {
        let mut buf = [0u8; discburn_mmc::speed::BUFFER_CAPACITY_LEN];
        let n = self.command_in(&ReadBufferCapacity::bytes(), &mut buf)?;
        let c = BufferCapacityBytes::parse(&buf[..n])?;
        Ok((u64::from(c.buffer_length), u64::from(c.available_length)))
    }

    /// GET PERFORMANCE type 00h, write, nominal: the drive's performance descriptors.
    pub fn write_performance(&self, start_lba: u32) -> Result<PerformanceData> {
        let cmd = GetPerformance::performance(true, start_lba, 32);
        let mut buf = vec![0u8; cmd.response_len()];
        let n = self.command(&cmd, DataPhase::In(&mut buf), DEFAULT_COMMAND_TIMEOUT)?;
        Ok(PerformanceData::parse(&buf[..n])?)
    }

    /// The drive's nominal write rate at LBAs `first` and `last`, in sectors/s, from the
    /// GET PERFORMANCE descriptors covering them (interpolated inside a descriptor,
    /// which is how a CAV profile is reported). `Ok(None)` when the drive reports none.
    pub fn nominal_write_rate(
        &self,
        family: Option<MediaFamily>,
        first: i64,
        last: i64,
    ) -> Result<Option<(f64, f64)>> {
        let data = self.write_performance(first.max(0) as u32)?;
        let family = family.unwrap_or(MediaFamily::Dvd);
        let at = |lba: i64| -> Option<f64> {
            let d = data
                .nominal
                .iter()
                .find(|d| i64::from(d.start_lba) <= lba && lba <= i64::from(d.end_lba))
                .or_else(|| data.nominal.last())?;
            let (a, b) = (i64::from(d.start_lba), i64::from(d.end_lba));
            let kbps = if b > a {
                let t = ((lba.clamp(a, b) - a) as f64) / ((b - a) as f64);
                f64::from(d.start_kbps) + (f64::from(d.end_kbps) - f64::from(d.start_kbps)) * t
            } else {
                f64::from(d.start_kbps)
            };
            let sps = f64::from(kbps_to_sectors_per_second(family, kbps.round() as u32));
            (sps > 0.0).then_some(sps)
        };
        Ok(at(first).zip(at(last)))
    }
}

/// GET CONFIGURATION refused as an unknown command means a pre-MMC-2 drive.
fn map_get_configuration_error(e: Error) -> Error {
    match e.refusal() {
        Some(Refusal::UnknownCommand) => {
            let cdb = e.cdb().copied();
            let mut out = Error::with_hresult(
                ErrorKind::NotSupported("GET CONFIGURATION".into()),
                hresult::E_IMAPI_RECORDER_GET_CONFIGURATION_NOT_SUPPORTED,
            );
            if let Some(c) = cdb {
                out = out.at_cdb(c);
            }
            out
        }
        _ => e,
    }
}
