//! MMC-6 media profiles (§5.3.1, Table 92 "Profile List"): the profile number a drive
//! reports as its current profile in the GET CONFIGURATION header and in the Profile List
//! feature, with its name, media family, recording kind and 1x rate.
//!
//! Profile numbers are also the values of IMAPI2's `IMAPI_PROFILE_TYPE` (imapi2-detail
//! §4.2), so `u16::from(profile)` is that value; [`Profile::imapi_media_type`] gives
//! the coarser `IMAPI_MEDIA_PHYSICAL_TYPE` (§4.1).

crate::wire_enum! {
    /// An MMC-6 profile number (MMC-6 §5.3.1). Unknown numbers round-trip through
    /// [`Profile::Unknown`].
    pub enum Profile: u16 {
        /// 0000h: No current profile: the Current Profile field when no medium is loaded
        /// (`IMAPI_PROFILE_TYPE_INVALID`).
        NoCurrentProfile = 0x0000 => "no current profile",
        /// 0001h: Non-removable disk (obsolete in MMC-6).
        NonRemovableDisk = 0x0001 => "non-removable disk",
        /// 0002h: Removable disk (rewritable, random access).
        RemovableDisk = 0x0002 => "removable disk",
        /// 0003h: Magneto-optical erasable.
        MoErasable = 0x0003 => "MO erasable",
        /// 0004h: Optical write once.
        MoWriteOnce = 0x0004 => "MO write once",
        /// 0005h: Advance Storage magneto-optical.
        AsMo = 0x0005 => "AS-MO",
        /// 0008h: Read-only CD.
        CdRom = 0x0008 => "CD-ROM",
        /// 0009h: Write-once CD.
        CdR = 0x0009 => "CD-R",
        /// 000Ah: Rewritable CD.
        CdRw = 0x000A => "CD-RW",
        /// 0010h: Read-only DVD.
        DvdRom = 0x0010 => "DVD-ROM",
        /// 0011h: DVD-R in sequential recording.
        DvdRSequential = 0x0011 => "DVD-R sequential recording",
        /// 0012h: DVD-RAM (random access, defect managed).
        DvdRam = 0x0012 => "DVD-RAM",
        /// 0013h: DVD-RW formatted for restricted overwrite.
        DvdRwRestrictedOverwrite = 0x0013 => "DVD-RW restricted overwrite",
        /// 0014h: DVD-RW in sequential recording.
        DvdRwSequential = 0x0014 => "DVD-RW sequential recording",
        /// 0015h: DVD-R dual layer in sequential recording.
        DvdRDlSequential = 0x0015 => "DVD-R DL sequential recording",
        /// 0016h: DVD-R dual layer in layer jump recording.
        DvdRDlLayerJump = 0x0016 => "DVD-R DL layer jump recording",
        /// 0017h: DVD-RW dual layer.
        DvdRwDl = 0x0017 => "DVD-RW DL",
        /// 0018h: DVD-Download disc recording.
        DvdDownload = 0x0018 => "DVD-Download disc recording",
        /// 001Ah: DVD+RW.
        DvdPlusRw = 0x001A => "DVD+RW",
        /// 001Bh: DVD+R.
        DvdPlusR = 0x001B => "DVD+R",
        /// 0020h: Double density CD read-only.
        DdcdRom = 0x0020 => "DDCD-ROM",
        /// 0021h: Double density CD-R.
        DdcdR = 0x0021 => "DDCD-R",
        /// 0022h: Double density CD-RW.
        DdcdRw = 0x0022 => "DDCD-RW",
        /// 002Ah: DVD+RW dual layer.
        DvdPlusRwDl = 0x002A => "DVD+RW DL",
        /// 002Bh: DVD+R dual layer.
        DvdPlusRDl = 0x002B => "DVD+R DL",
        /// 0040h: Read-only Blu-ray disc.
        BdRom = 0x0040 => "BD-ROM",
        /// 0041h: BD-R in sequential recording mode.
        BdRSrm = 0x0041 => "BD-R SRM",
        /// 0042h: BD-R in random recording mode.
        BdRRrm = 0x0042 => "BD-R RRM",
        /// 0043h: Rewritable Blu-ray disc.
        BdRe = 0x0043 => "BD-RE",
        /// 0050h: Read-only HD DVD.
        HdDvdRom = 0x0050 => "HD DVD-ROM",
        /// 0051h: Write-once HD DVD.
        HdDvdR = 0x0051 => "HD DVD-R",
        /// 0052h: HD DVD-RAM.
        HdDvdRam = 0x0052 => "HD DVD-RAM",
        /// 0053h: Rewritable HD DVD.
        HdDvdRw = 0x0053 => "HD DVD-RW",
        /// 0058h: Write-once HD DVD dual layer.
        HdDvdRDl = 0x0058 => "HD DVD-R DL",
        /// 005Ah: Rewritable HD DVD dual layer.
        HdDvdRwDl = 0x005A => "HD DVD-RW DL",
        /// FFFFh: A drive that does not conform to any profile (`IMAPI_PROFILE_TYPE_NON_STANDARD`).
        NonConforming = 0xFFFF => "non-conforming",
        /// Any other profile number, kept as received.
        Unknown => "unknown profile",
    }
}

impl core::fmt::Display for Profile {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Profile::Unknown(v) => write!(f, "unknown profile {v:04X}h"),
            p => f.write_str(p.name()),
        }
    }
}

/// The physical family a profile belongs to; it fixes the 1x rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaFamily {
    /// CD and double-density CD.
    Cd,
    /// DVD (both "-" and "+" formats, DVD-RAM, DVD-Download).
    Dvd,
    /// Blu-ray disc.
    Bd,
    /// HD DVD.
    HdDvd,
    /// Disks, magneto-optical, non-conforming and unknown profiles: no optical 1x rate.
    Other,
}

impl MediaFamily {
    /// CD 1x in user-data bytes per second: 75 sectors of 2048 bytes (Mode 1 / Mode 2
    /// Form 1), the rate a data write engine moves.
    pub const CD_DATA_BYTES_PER_SECOND: u32 = 153_600;
    /// CD 1x in raw bytes per second: 75 sectors of 2352 bytes, the unit behind SET CD
    /// SPEED's "1x ≈ 176 kB/s" and raw/audio writing.
    pub const CD_RAW_BYTES_PER_SECOND: u32 = 176_400;

    /// The family's 1x rate in user-data bytes per second: CD 153,600 (data, see
    /// [`Self::CD_RAW_BYTES_PER_SECOND`] for raw), DVD 1,385,000, BD 4,495,500,
    /// HD DVD 4,568,750 (36.55 Mbit/s). `None` for [`MediaFamily::Other`], which has no
    /// optical 1x.
    pub fn one_x_bytes_per_second(self) -> Option<u32> {
        match self {
            MediaFamily::Cd => Some(Self::CD_DATA_BYTES_PER_SECOND),
            MediaFamily::Dvd => Some(1_385_000),
            MediaFamily::Bd => Some(4_495_500),
            MediaFamily::HdDvd => Some(4_568_750),
            MediaFamily::Other => None,
        }
    }

    /// The family's 1x rate in 2048-byte sectors per second (the unit of IMAPI2's
    /// `SectorsPerSecond` properties): CD 75, DVD 676.27, BD 2195.07, HD DVD 2230.83.
    pub fn one_x_sectors_per_second(self) -> Option<f64> {
        self.one_x_bytes_per_second().map(|b| f64::from(b) / 2048.0)
    }

    /// The family's name ("CD", "DVD", "BD", "HD DVD", "other").
    pub fn name(self) -> &'static str {
        match self {
            MediaFamily::Cd => "CD",
            MediaFamily::Dvd => "DVD",
            MediaFamily::Bd => "BD",
            MediaFamily::HdDvd => "HD DVD",
            MediaFamily::Other => "other",
        }
    }
}

impl Profile {
    /// The media family (MMC-6 §5.3.1 groups profiles by family).
    pub fn family(self) -> MediaFamily {
        use Profile::*;
        match self {
            CdRom | CdR | CdRw | DdcdRom | DdcdR | DdcdRw => MediaFamily::Cd,
            DvdRom
            | DvdRSequential
            | DvdRam
            | DvdRwRestrictedOverwrite
            | DvdRwSequential
            | DvdRDlSequential
            | DvdRDlLayerJump
            | DvdRwDl
            | DvdDownload
            | DvdPlusRw
            | DvdPlusR
            | DvdPlusRwDl
            | DvdPlusRDl => MediaFamily::Dvd,
            BdRom | BdRSrm | BdRRrm | BdRe => MediaFamily::Bd,
            HdDvdRom | HdDvdR | HdDvdRam | HdDvdRw | HdDvdRDl | HdDvdRwDl => MediaFamily::HdDvd,
            NoCurrentProfile | NonRemovableDisk | RemovableDisk | MoErasable | MoWriteOnce
            | AsMo | NonConforming | Unknown(_) => MediaFamily::Other,
        }
    }

    /// True when the medium can be written only once per block (CD-R, DVD±R, BD-R,
    /// HD DVD-R, MO write once, DVD-Download).
    pub fn is_write_once(self) -> bool {
        use Profile::*;
        matches!(
            self,
            MoWriteOnce
                | CdR
                | DvdRSequential
                | DvdRDlSequential
                | DvdRDlLayerJump
                | DvdDownload
                | DvdPlusR
                | DdcdR
                | DvdPlusRDl
                | BdRSrm
                | BdRRrm
                | HdDvdR
                | HdDvdRDl
        )
    }

    /// True when recorded blocks can be erased or overwritten (RW, RAM, RE, disks, MO).
    pub fn is_rewritable(self) -> bool {
        use Profile::*;
        matches!(
            self,
            NonRemovableDisk
                | RemovableDisk
                | MoErasable
                | AsMo
                | CdRw
                | DvdRam
                | DvdRwRestrictedOverwrite
                | DvdRwSequential
                | DvdRwDl
                | DvdPlusRw
                | DdcdRw
                | DvdPlusRwDl
                | BdRe
                | HdDvdRam
                | HdDvdRw
                | HdDvdRwDl
        )
    }

    /// True when the host can record on the medium at all: write-once or rewritable.
    pub fn is_recordable(self) -> bool {
        self.is_write_once() || self.is_rewritable()
    }

    /// True when the medium is written sequentially, track by track at the next
    /// writable address, and closed into sessions: CD-R/RW, DVD-R (incl. DL and
    /// DVD-Download), DVD-RW sequential, DVD+R (incl. DL), DDCD-R/RW, BD-R SRM,
    /// HD DVD-R. Random-access media (DVD-RAM, DVD+RW, DVD-RW restricted overwrite,
    /// BD-R RRM, BD-RE…) are not.
    pub fn is_sequential(self) -> bool {
        use Profile::*;
        matches!(
            self,
            CdR | CdRw
                | DvdRSequential
                | DvdRwSequential
                | DvdRDlSequential
                | DvdRDlLayerJump
                | DvdDownload
                | DvdPlusR
                | DdcdR
                | DdcdRw
                | DvdPlusRDl
                | BdRSrm
                | HdDvdR
                | HdDvdRDl
        )
    }

    /// The `IMAPI_MEDIA_PHYSICAL_TYPE` IMAPI2 reports for this profile
    /// (`IDiscFormat2Data::get_CurrentPhysicalMediaType`, imapi2-detail §4.1). Profiles
    /// that enumeration has no value for (DDCD, DVD-RW DL, DVD-Download, HD DVD-RW) map
    /// to `Unknown`; disks and MO map to `Disk`.
    pub fn imapi_media_type(self) -> ImapiMediaPhysicalType {
        use ImapiMediaPhysicalType as T;
        use Profile::*;
        match self {
            CdRom => T::CdRom,
            CdR => T::CdR,
            CdRw => T::CdRw,
            DvdRom => T::DvdRom,
            DvdRam => T::DvdRam,
            DvdPlusR => T::DvdPlusR,
            DvdPlusRw => T::DvdPlusRw,
            DvdPlusRDl => T::DvdPlusRDualLayer,
            DvdRSequential => T::DvdDashR,
            DvdRwRestrictedOverwrite | DvdRwSequential => T::DvdDashRw,
            DvdRDlSequential | DvdRDlLayerJump => T::DvdDashRDualLayer,
            NonRemovableDisk | RemovableDisk | MoErasable | MoWriteOnce | AsMo => T::Disk,
            DvdPlusRwDl => T::DvdPlusRwDualLayer,
            HdDvdRom => T::HdDvdRom,
            HdDvdR | HdDvdRDl => T::HdDvdR,
            HdDvdRam => T::HdDvdRam,
            BdRom => T::BdRom,
            BdRSrm | BdRRrm => T::BdR,
            BdRe => T::BdRe,
            NoCurrentProfile | DvdRwDl | DvdDownload | DdcdRom | DdcdR | DdcdRw | HdDvdRw
            | HdDvdRwDl | NonConforming | Unknown(_) => T::Unknown,
        }
    }
}

crate::wire_enum! {
    /// IMAPI2's `IMAPI_MEDIA_PHYSICAL_TYPE` (imapi2-detail §4.1), the coarse media
    /// kind the format objects report.
    pub enum ImapiMediaPhysicalType: u32 {
        Unknown = 0 => "IMAPI_MEDIA_TYPE_UNKNOWN",
        CdRom = 1 => "IMAPI_MEDIA_TYPE_CDROM",
        CdR = 2 => "IMAPI_MEDIA_TYPE_CDR",
        CdRw = 3 => "IMAPI_MEDIA_TYPE_CDRW",
        DvdRom = 4 => "IMAPI_MEDIA_TYPE_DVDROM",
        DvdRam = 5 => "IMAPI_MEDIA_TYPE_DVDRAM",
        DvdPlusR = 6 => "IMAPI_MEDIA_TYPE_DVDPLUSR",
        DvdPlusRw = 7 => "IMAPI_MEDIA_TYPE_DVDPLUSRW",
        DvdPlusRDualLayer = 8 => "IMAPI_MEDIA_TYPE_DVDPLUSR_DUALLAYER",
        DvdDashR = 9 => "IMAPI_MEDIA_TYPE_DVDDASHR",
        DvdDashRw = 10 => "IMAPI_MEDIA_TYPE_DVDDASHRW",
        DvdDashRDualLayer = 11 => "IMAPI_MEDIA_TYPE_DVDDASHR_DUALLAYER",
        Disk = 12 => "IMAPI_MEDIA_TYPE_DISK",
        DvdPlusRwDualLayer = 13 => "IMAPI_MEDIA_TYPE_DVDPLUSRW_DUALLAYER",
        HdDvdRom = 14 => "IMAPI_MEDIA_TYPE_HDDVDROM",
        HdDvdR = 15 => "IMAPI_MEDIA_TYPE_HDDVDR",
        HdDvdRam = 16 => "IMAPI_MEDIA_TYPE_HDDVDRAM",
        BdRom = 17 => "IMAPI_MEDIA_TYPE_BDROM",
        BdR = 18 => "IMAPI_MEDIA_TYPE_BDR",
        BdRe = 19 => "IMAPI_MEDIA_TYPE_BDRE",
    }
}

impl ImapiMediaPhysicalType {
    /// Every value, in numeric order.
    pub const ALL: &'static [ImapiMediaPhysicalType] = Self::KNOWN;

    /// The enumeration value.
    pub fn value(self) -> u32 {
        u32::from(self)
    }

    /// The value for an enumeration number, if it is one.
    pub fn from_value(v: u32) -> Option<Self> {
        Self::try_from(v).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_match_mmc6_table() {
        let table: &[(u16, Profile, &str)] = &[
            (0x0002, Profile::RemovableDisk, "removable disk"),
            (0x0008, Profile::CdRom, "CD-ROM"),
            (0x0009, Profile::CdR, "CD-R"),
            (0x000A, Profile::CdRw, "CD-RW"),
            (
                0x0011,
                Profile::DvdRSequential,
                "DVD-R sequential recording",
            ),
            (
                0x0013,
                Profile::DvdRwRestrictedOverwrite,
                "DVD-RW restricted overwrite",
            ),
            (
                0x0015,
                Profile::DvdRDlSequential,
                "DVD-R DL sequential recording",
            ),
            (0x001A, Profile::DvdPlusRw, "DVD+RW"),
            (0x001B, Profile::DvdPlusR, "DVD+R"),
            (0x002B, Profile::DvdPlusRDl, "DVD+R DL"),
            (0x0041, Profile::BdRSrm, "BD-R SRM"),
            (0x0042, Profile::BdRRrm, "BD-R RRM"),
            (0x0043, Profile::BdRe, "BD-RE"),
            (0x0051, Profile::HdDvdR, "HD DVD-R"),
            (0x005A, Profile::HdDvdRwDl, "HD DVD-RW DL"),
            (0xFFFF, Profile::NonConforming, "non-conforming"),
        ];
        for &(n, p, name) in table {
            assert_eq!(Profile::from(n), p);
            assert_eq!(u16::from(p), n);
            assert_eq!(p.name(), name);
        }
        assert_eq!(Profile::from(0x0030), Profile::Unknown(0x0030));
        assert_eq!(Profile::Unknown(0x30).to_string(), "unknown profile 0030h");
        assert_eq!(Profile::BdRSrm.to_string(), "BD-R SRM");
    }

    #[test]
    fn known_profiles_are_distinct_and_ordered() {
        let nums: Vec<u16> = Profile::KNOWN.iter().map(|&p| p.into()).collect();
        assert_eq!(nums.len(), 36);
        assert!(nums.windows(2).all(|w| w[0] < w[1]));
        for &p in Profile::KNOWN {
            assert!(!matches!(p, Profile::Unknown(_)));
            // Nothing is both write-once and rewritable.
            assert!(!(p.is_write_once() && p.is_rewritable()), "{p}");
            // Sequential recording implies the medium is recordable.
            assert!(!p.is_sequential() || p.is_recordable(), "{p}");
        }
    }

    #[test]
    fn recording_kinds() {
        assert!(Profile::CdR.is_write_once() && Profile::CdR.is_sequential());
        assert!(Profile::CdRw.is_rewritable() && Profile::CdRw.is_sequential());
        assert!(Profile::BdRSrm.is_sequential() && Profile::BdRSrm.is_write_once());
        assert!(!Profile::BdRRrm.is_sequential() && Profile::BdRRrm.is_write_once());
        assert!(Profile::BdRe.is_rewritable() && !Profile::BdRe.is_sequential());
        assert!(Profile::DvdPlusRw.is_rewritable() && !Profile::DvdPlusRw.is_sequential());
        assert!(!Profile::DvdRwRestrictedOverwrite.is_sequential());
        assert!(Profile::DvdRwSequential.is_sequential());
        for p in [
            Profile::CdRom,
            Profile::DvdRom,
            Profile::BdRom,
            Profile::HdDvdRom,
            Profile::DdcdRom,
            Profile::NoCurrentProfile,
            Profile::NonConforming,
            Profile::Unknown(0x77),
        ] {
            assert!(!p.is_recordable(), "{p}");
            assert!(!p.is_sequential(), "{p}");
        }
    }

    #[test]
    fn families_and_rates() {
        assert_eq!(Profile::CdRw.family(), MediaFamily::Cd);
        assert_eq!(Profile::DdcdR.family(), MediaFamily::Cd);
        assert_eq!(Profile::DvdPlusRDl.family(), MediaFamily::Dvd);
        assert_eq!(Profile::BdRe.family(), MediaFamily::Bd);
        assert_eq!(Profile::HdDvdRam.family(), MediaFamily::HdDvd);
        assert_eq!(Profile::MoErasable.family(), MediaFamily::Other);
        assert_eq!(Profile::Unknown(7).family(), MediaFamily::Other);

        assert_eq!(MediaFamily::Cd.one_x_bytes_per_second(), Some(153_600));
        assert_eq!(MediaFamily::Dvd.one_x_bytes_per_second(), Some(1_385_000));
        assert_eq!(MediaFamily::Bd.one_x_bytes_per_second(), Some(4_495_500));
        assert_eq!(MediaFamily::Other.one_x_bytes_per_second(), None);
        assert_eq!(MediaFamily::CD_RAW_BYTES_PER_SECOND, 75 * 2352);
        let sps = |f: MediaFamily| f.one_x_sectors_per_second().unwrap();
        assert_eq!(sps(MediaFamily::Cd), 75.0);
        assert!((sps(MediaFamily::Dvd) - 676.27).abs() < 0.005);
        assert!((sps(MediaFamily::Bd) - 2195.07).abs() < 0.005);
        assert!((sps(MediaFamily::HdDvd) - 2230.83).abs() < 0.005);
        assert_eq!(MediaFamily::Other.one_x_sectors_per_second(), None);
    }

    #[test]
    fn imapi_media_types() {
        assert_eq!(Profile::CdR.imapi_media_type(), ImapiMediaPhysicalType::CdR);
        assert_eq!(Profile::BdRSrm.imapi_media_type().value(), 18);
        assert_eq!(
            Profile::BdRRrm.imapi_media_type(),
            ImapiMediaPhysicalType::BdR
        );
        assert_eq!(
            Profile::DvdRwRestrictedOverwrite.imapi_media_type(),
            ImapiMediaPhysicalType::DvdDashRw
        );
        assert_eq!(
            Profile::DvdRDlLayerJump.imapi_media_type().name(),
            "IMAPI_MEDIA_TYPE_DVDDASHR_DUALLAYER"
        );
        assert_eq!(Profile::RemovableDisk.imapi_media_type().value(), 12);
        assert_eq!(
            Profile::NoCurrentProfile.imapi_media_type(),
            ImapiMediaPhysicalType::Unknown
        );
        for (i, t) in ImapiMediaPhysicalType::ALL.iter().enumerate() {
            assert_eq!(t.value(), i as u32);
            assert_eq!(ImapiMediaPhysicalType::from_value(i as u32), Some(*t));
        }
        assert_eq!(ImapiMediaPhysicalType::from_value(20), None);
        // Every IMAPI value is reached by some profile.
        for t in ImapiMediaPhysicalType::ALL {
            assert!(
                Profile::KNOWN.iter().any(|p| p.imapi_media_type() == *t),
                "{}",
                t.name()
            );
        }
    }

    proptest! {
        #[test]
        fn every_number_round_trips(v in any::<u16>()) {
            let p = Profile::from(v);
            prop_assert_eq!(u16::from(p), v);
            prop_assert!(!p.name().is_empty());
            let _ = (p.family(), p.imapi_media_type(), p.is_sequential());
        }
    }
}
