//! Who made the disc in the drive: the media identity every recordable disc carries
//! (the ATIP of a CD-R/RW, the pre-pits of a DVD-R, the ADIP of a DVD+R/+RW, the disc
//! information of a BD-R/RE), read with the commands real drives answer, the number of
//! recording layers and, on a DVD±R DL, where Layer 0 ends.

use discburn_mmc::disc::{
    cd_manufacturer, disc_manufacturer, id_text, AdipInformation, Atip, AtipDiscType,
    BdDiscInformation, DiscStructureMedia, DvdPhysicalFormat, DvdPrePit, LayerBoundary, Msf,
    ReadDiscStructure, ReadTocPmaAtip, SendDiscStructure, TocFormat,
};
use discburn_mmc::profile::{MediaFamily, Profile};
use discburn_mmc::sense::Refusal;
use discburn_mmc::transport::DataPhase;
use discburn_mmc::wire::Repr;

use super::Recorder;
use crate::error::Result;

/// The ATIP facts of a CD-R/RW (MMC-6 §6.26.2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AtipInfo {
    /// CD-R or CD-RW, as the ATIP says.
    pub disc_type: AtipDiscType,
    /// Disc Sub-Type (CD-RW: 0 normal, 1 high, 2 ultra, 3 ultra+ speed).
    pub disc_sub_type: u8,
    /// ATIP start of lead-in: the manufacturer's code.
    pub lead_in_start: Msf,
    /// Last possible start of the lead-out (the disc's capacity).
    pub last_lead_out_start: Msf,
    /// Lowest and highest recording speed (× 1x) when the ATIP codes them.
    pub speeds: Option<(u8, u8)>,
}

/// Where a disc's identity was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaIdSource {
    /// READ TOC/PMA/ATIP format 4 (CD-R/RW).
    Atip,
    /// READ DISC STRUCTURE format 0Eh, the lead-in pre-pits (DVD-R/RW).
    PrePit,
    /// READ DISC STRUCTURE format 11h, the ADIP (DVD+R/+RW).
    Adip,
    /// READ DISC STRUCTURE format 00h with media type BD, the disc information (BD-R/RE).
    DiscInformation,
}

/// A disc's manufacturer and media code, with the company's name where the code is a
/// known one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MediaIdentity {
    /// The manufacturer code: `97:24:01` (ATIP lead-in start) on CD, the Disc
    /// Manufacturer ID on DVD and BD.
    pub manufacturer_code: String,
    /// Media Type ID (DVD+R/RW, BD); `None` on CD and DVD-R.
    pub media_type: Option<String>,
    /// Product Revision Number (DVD+R/RW, BD).
    pub revision: Option<u8>,
    /// The company the code names, when known (public lists).
    pub manufacturer: Option<&'static str>,
    /// The ATIP of a CD-R/RW.
    pub atip: Option<AtipInfo>,
    /// Which structure it came from.
    pub source: MediaIdSource,
}

impl MediaIdentity {
    /// The media code as one word: `97:24:01`, `TYG03`, `MCC-004-001`, `VERBAT-IMe-000`.
    pub fn code(&self) -> String {
        match (&self.media_type, self.revision) {
            (Some(t), Some(r)) => format!("{}-{t}-{r:03}", self.manufacturer_code),
            (Some(t), None) => format!("{}-{t}", self.manufacturer_code),
            _ => self.manufacturer_code.clone(),
        }
    }
}

impl Recorder {
    /// The disc's media identity, read the way its profile offers it: ATIP on CD-R/RW
    /// (READ TOC/PMA/ATIP format 4), pre-pits on DVD-R/RW (READ DISC STRUCTURE 0Eh), ADIP
    /// on DVD+R/+RW (11h), disc information on BD-R/RE (BD 00h). `None` for media that
    /// carry none (pressed discs, DVD-RAM), an empty tray, or a drive that refuses the
    /// structure (05/24/00, 05/30/xx); an answer that does not parse is an error.
    pub fn media_identity(&self) -> Result<Option<MediaIdentity>> {
        use Profile::*;
        let profile = match self.current_profile() {
            Ok(p) => p,
            Err(e) if e.refusal().is_some() => return Ok(None),
            Err(e) => return Err(e),
        };
        match profile {
            CdR | CdRw => self.atip_identity(),
            DvdRSequential
            | DvdRwRestrictedOverwrite
            | DvdRwSequential
            | DvdRDlSequential
            | DvdRDlLayerJump
            | DvdRwDl => self.pre_pit_identity(),
            DvdPlusR | DvdPlusRw | DvdPlusRDl | DvdPlusRwDl => self.adip_identity(),
            BdRSrm | BdRRrm | BdRe => self.bd_identity(),
            _ => Ok(None),
        }
    }

    /// Number of recording layers of the disc: 1 on CD, from the physical format
    /// information on DVD (READ DISC STRUCTURE 00h) and the disc information on BD;
    /// `None` when the drive does not say.
    pub fn layers(&self) -> Result<Option<u8>> {
        let family = match self.current_profile() {
            Ok(p) => p.family(),
            Err(e) if e.refusal().is_some() => return Ok(None),
            Err(e) => return Err(e),
        };
        match family {
            MediaFamily::Cd => Ok(Some(1)),
            MediaFamily::Dvd => Ok(self
                .structure::<DvdPhysicalFormat>(DiscStructureMedia::Dvd, 0x00)?
                .map(|p| p.layers)),
            MediaFamily::Bd => Ok(self
                .structure::<BdDiscInformation>(DiscStructureMedia::Bd, 0x00)?
                .filter(BdDiscInformation::has_identifier)
                .map(|d| d.layers())),
            _ => Ok(None),
        }
    }

    /// MMC-6 §6.23.3.2.18 READ DISC STRUCTURE 20h of a dual-layer DVD±R: Layer 0's
    /// capacity and whether it can still be set; `None` on other media or when the drive
    /// does not answer it.
    pub fn layer_boundary(&self) -> Result<Option<LayerBoundary>> {
        let dual_layer_dvd = matches!(
            self.current_profile(),
            Ok(Profile::DvdPlusRDl | Profile::DvdRDlSequential | Profile::DvdRDlLayerJump)
        );
        if !dual_layer_dvd {
            return Ok(None);
        }
        self.structure::<LayerBoundary>(DiscStructureMedia::Dvd, LayerBoundary::FORMAT)
    }

    /// MMC-6 §6.33 SEND DISC STRUCTURE 20h: sets Layer 0's capacity of a blank DVD±R DL
    /// to `layer0` sectors (whole ECC blocks of 16), so the recording turns to Layer 1
    /// there — what growisofs `-dvd-compat` does to split an image evenly.
    pub fn set_layer_boundary(&self, layer0: u32) -> Result<()> {
        let b = LayerBoundary {
            fixed: false,
            layer0_sectors: layer0,
        };
        let mut list = [0u8; LayerBoundary::LEN];
        b.emit(&mut list)?;
        let cmd = SendDiscStructure {
            media_type: DiscStructureMedia::Dvd,
            format: LayerBoundary::FORMAT,
            parameter_length: LayerBoundary::LEN as u16,
            agid: 0,
        };
        // Lite-On drives calibrate here; growisofs allows three minutes.
        self.command(
            &cmd,
            DataPhase::Out(&list),
            std::time::Duration::from_secs(180),
        )
        .map(|_| ())
    }

    /// READ DISC STRUCTURE `format` parsed as `R`; `None` when the drive refuses it.
    fn structure<R: Repr>(&self, media_type: DiscStructureMedia, format: u8) -> Result<Option<R>> {
        let mut buf = vec![0u8; 4100];
        let cmd = ReadDiscStructure {
            media_type,
            address: 0,
            layer: 0,
            format,
            alloc: buf.len() as u16,
            agid: 0,
        };
        let n = match self.command_in(&cmd, &mut buf) {
            Ok(n) => n,
            Err(e) if refused(&e) => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(Some(R::parse(&buf[..n])?))
    }

    fn atip_identity(&self) -> Result<Option<MediaIdentity>> {
        let mut buf = [0u8; 64];
        let cmd = ReadTocPmaAtip {
            msf: true,
            format: TocFormat::Atip,
            track_session: 0,
            alloc: buf.len() as u16,
        };
        let n = match self.command_in(&cmd, &mut buf) {
            Ok(n) => n,
            Err(e) if refused(&e) => return Ok(None),
            Err(e) => return Err(e),
        };
        let a = Atip::parse(&buf[..n])?;
        let l = a.lead_in_start;
        Ok(Some(MediaIdentity {
            manufacturer_code: format!("{:02}:{:02}:{:02}", l.m, l.s, l.f),
            media_type: None,
            revision: None,
            manufacturer: cd_manufacturer(l),
            atip: Some(AtipInfo {
                disc_type: a.disc_type,
                disc_sub_type: a.disc_sub_type,
                lead_in_start: l,
                last_lead_out_start: a.last_lead_out_start,
                speeds: a.speed_range(),
            }),
            source: MediaIdSource::Atip,
        }))
    }

    fn pre_pit_identity(&self) -> Result<Option<MediaIdentity>> {
        let Some(p) = self.structure::<DvdPrePit>(DiscStructureMedia::Dvd, DvdPrePit::FORMAT)?
        else {
            return Ok(None);
        };
        Ok(Some(code_identity(
            p.manufacturer_id(),
            None,
            None,
            MediaIdSource::PrePit,
        )))
    }

    fn adip_identity(&self) -> Result<Option<MediaIdentity>> {
        let Some(a) =
            self.structure::<AdipInformation>(DiscStructureMedia::Dvd, AdipInformation::FORMAT)?
        else {
            return Ok(None);
        };
        Ok(Some(code_identity(
            id_text(&a.manufacturer_id),
            Some(id_text(&a.media_type_id)),
            Some(a.product_revision),
            MediaIdSource::Adip,
        )))
    }

    fn bd_identity(&self) -> Result<Option<MediaIdentity>> {
        let Some(di) = self
            .structure::<BdDiscInformation>(DiscStructureMedia::Bd, 0x00)?
            .filter(BdDiscInformation::has_recordable_trailer)
        else {
            return Ok(None);
        };
        Ok(Some(code_identity(
            id_text(&di.disc_manufacturer_id()),
            Some(id_text(&di.media_type_id())),
            Some(di.product_revision()),
            MediaIdSource::DiscInformation,
        )))
    }
}

/// A drive's "not this structure on this medium": 05/24/00, 05/30/xx, 05/20/00.
fn refused(e: &crate::Error) -> bool {
    matches!(
        e.refusal(),
        Some(Refusal::InvalidField | Refusal::IncompatibleMedium | Refusal::UnknownCommand)
    )
}

fn code_identity(
    manufacturer_code: String,
    media_type: Option<String>,
    revision: Option<u8>,
    source: MediaIdSource,
) -> MediaIdentity {
    MediaIdentity {
        manufacturer: disc_manufacturer(&manufacturer_code),
        manufacturer_code,
        media_type,
        revision,
        atip: None,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use discburn_mmc::clock::SimClock;

    fn recorder(query: &str) -> (tempfile::TempDir, Recorder) {
        let dir = tempfile::tempdir().unwrap();
        let addr = format!("virtual:{}?{query}", dir.path().join("d.img").display());
        let (_sim, clock) = SimClock::shared();
        let drive = discburn_vdrive::VirtualDrive::open(&addr, clock.clone()).unwrap();
        (dir, Recorder::new(Box::new(drive), addr, clock))
    }

    #[test]
    fn every_medium_names_its_maker() {
        for (query, code, name, layers) in [
            ("media=cd-r", "97:24:01", Some("Taiyo Yuden"), 1),
            ("media=cd-rw", "97:27:65", Some("Ricoh"), 1),
            ("media=dvd-r", "TYG03", Some("Taiyo Yuden"), 1),
            (
                "media=dvd+r",
                "MCC-004-001",
                Some("Mitsubishi Chemical / Verbatim"),
                1,
            ),
            ("media=dvd+rw", "RICOHJPN-W11-004", Some("Ricoh"), 1),
            (
                "media=bd-r",
                "VERBAT-IMe-000",
                Some("Mitsubishi Chemical / Verbatim"),
                1,
            ),
            ("media=bd-re", "MEI-T01-001", Some("Panasonic"), 1),
            ("media=bd-r&mid=ACME-X1-7", "ACME-X1-007", None, 1),
        ] {
            let (_dir, r) = recorder(query);
            let id = r.media_identity().unwrap().expect(query);
            assert_eq!(id.code(), code, "{query}");
            assert_eq!(id.manufacturer, name, "{query}");
            assert_eq!(r.layers().unwrap(), Some(layers), "{query}");
        }
        let (_dir, r) = recorder("media=cd-rw");
        let a = r.media_identity().unwrap().unwrap().atip.unwrap();
        assert_eq!((a.disc_type, a.speeds), (AtipDiscType::CdRw, Some((4, 24))));
        assert_eq!(
            a.last_lead_out_start,
            Msf {
                m: 79,
                s: 59,
                f: 74
            }
        );
        let (_dir, r) = recorder("media=dvd-ram");
        assert_eq!(r.media_identity().unwrap(), None);
        assert_eq!(r.layers().unwrap(), Some(1));
    }
}
