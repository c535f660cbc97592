//! GET CONFIGURATION: the profiles and features the virtual drive reports, per medium
//! (MMC-6 §5.2–5.3), built from the mmc crate's feature reprs.

use discburn_mmc::config::{
    BdRead, BdWrite, CdMastering, CdTrackAtOnce, Configuration, Core, DefectManagement,
    DvdMinusRWrite, DvdPlusR, DvdPlusRw, Feature, FeatureBody, FeatureCode, Formattable,
    IncrementalStreamingWritable, LoadingMechanism, Morphing, ProfileDescriptor, RandomReadable,
    RandomWritable, RealTimeStreaming, RemovableMedium,
};
use discburn_mmc::profile::Profile;

use crate::media::Media;
use crate::model::DiscState;

/// Every profile the drive supports (a BD writer that also writes CD and DVD), highest first
/// as drives list them.
const PROFILES: &[Profile] = &[
    Profile::BdRe,
    Profile::BdRSrm,
    Profile::BdRom,
    Profile::DvdPlusRDl,
    Profile::DvdPlusR,
    Profile::DvdPlusRwDl,
    Profile::DvdPlusRw,
    Profile::DvdRwSequential,
    Profile::DvdRwRestrictedOverwrite,
    Profile::DvdRam,
    Profile::DvdRDlSequential,
    Profile::DvdRSequential,
    Profile::DvdRom,
    Profile::CdRw,
    Profile::CdR,
    Profile::CdRom,
];

fn f(current: bool, body: FeatureBody) -> Feature {
    Feature {
        current,
        ..Feature::new(body)
    }
}

/// The full configuration for the medium in the drive (`present` false: no medium).
pub fn configuration(disc: &DiscState, present: bool) -> Configuration {
    // Features follow the recording rules, which layers do not change; the profile and
    // the dual-layer features name the disc itself.
    let media = disc.media.base();
    let layers = disc.media.spec().layers;
    let profile = if present {
        disc.spec().profile
    } else {
        Profile::NoCurrentProfile
    };
    let cd = media.is_cd();
    let writable =
        present && !disc.finalized && media.spec().recording != crate::media::Recording::ReadOnly;
    let random_ok = present && disc.is_random() && disc.format.is_some();
    // A DVD-RW in its current mode: sequential (0014h) or restricted overwrite (0013h).
    let dvd_rw_seq = present && media == Media::DvdMinusRw && !disc.restricted_overwrite();
    let dvd_rw_ro = present && disc.restricted_overwrite();
    let is = |m: &[Media]| present && m.contains(&media);
    let mut features = vec![
        f(
            true,
            FeatureBody::ProfileList(
                PROFILES
                    .iter()
                    .map(|&p| ProfileDescriptor {
                        profile: p,
                        current: p == profile,
                    })
                    .collect(),
            ),
        ),
        Feature {
            persistent: true,
            ..f(
                true,
                FeatureBody::Core(Core {
                    physical_interface: 1,
                    inq2: true,
                    dbe: true,
                }),
            )
        },
        Feature {
            persistent: true,
            ..f(
                true,
                FeatureBody::Morphing(Morphing {
                    ocevent: true,
                    asynchronous: false,
                }),
            )
        },
        Feature {
            persistent: true,
            ..f(
                true,
                FeatureBody::RemovableMedium(RemovableMedium {
                    mechanism: LoadingMechanism::Tray,
                    load: true,
                    eject: true,
                    prevent_jumper: false,
                    dbml: false,
                    lock: true,
                }),
            )
        },
        f(
            present,
            FeatureBody::RandomReadable(RandomReadable {
                block_size: 2048,
                blocking: if cd {
                    1
                } else if media.spec().family == discburn_mmc::profile::MediaFamily::Bd {
                    32
                } else {
                    16
                },
                pp: true,
            }),
        ),
        f(
            // Restricted overwrite takes 32 KiB-aligned writes only: not Random Writable.
            random_ok && !dvd_rw_ro,
            FeatureBody::RandomWritable(RandomWritable {
                last_lba: disc.capacity.saturating_sub(1),
                block_size: 2048,
                blocking: if media == Media::BdRe { 32 } else { 16 },
                pp: true,
            }),
        ),
        f(
            writable
                && (dvd_rw_seq
                    || is(&[
                        Media::CdR,
                        Media::CdRw,
                        Media::DvdMinusR,
                        Media::DvdPlusR,
                        Media::BdR,
                    ])),
            FeatureBody::IncrementalStreamingWritable(IncrementalStreamingWritable {
                // Mode 1 (bit 8), Mode 2 form 1 (bit 10), raw (bit 0) block types.
                data_block_types: 0x0501,
                trio: true,
                arsv: media == Media::BdR,
                buf: true,
                link_sizes: if cd { vec![7] } else { vec![16] },
            }),
        ),
        f(
            is(&[
                Media::DvdPlusRw,
                Media::BdRe,
                Media::BdR,
                Media::DvdRam,
                Media::DvdMinusRw,
            ]),
            FeatureBody::Formattable(Formattable {
                renosa: false,
                expand: false,
                qcert: media == Media::BdRe,
                cert: media == Media::BdRe,
                frf: false,
                rrm: false,
            }),
        ),
        f(
            is(&[Media::DvdRam, Media::BdRe])
                || (present && media == Media::BdR && disc.format.is_some()),
            FeatureBody::DefectManagement(DefectManagement {
                ssa: media != Media::DvdRam,
            }),
        ),
        f(
            is(&[Media::DvdPlusRw]),
            FeatureBody::DvdPlusRw(DvdPlusRw {
                write: true,
                quick_start: true,
                close_only: false,
            }),
        ),
        f(
            is(&[Media::DvdPlusR]),
            FeatureBody::DvdPlusR(DvdPlusR { write: true }),
        ),
        f(
            writable && cd,
            FeatureBody::CdTrackAtOnce(CdTrackAtOnce {
                buf: true,
                rw_raw: false,
                rw_pack: false,
                test_write: true,
                cd_rw: true,
                rw_subcode: false,
                data_types: 0xFFFF,
            }),
        ),
        f(
            writable && cd,
            FeatureBody::CdMastering(CdMastering {
                buf: true,
                sao: true,
                raw_ms: false,
                raw: true,
                test_write: true,
                cd_rw: true,
                // R-W sub-channel data in the lead-in (CD-Text) is taken in SAO.
                rw: true,
                max_cue_sheet_len: 0,
            }),
        ),
        f(
            writable && (media == Media::DvdMinusR || dvd_rw_seq),
            FeatureBody::DvdMinusRWrite(DvdMinusRWrite {
                buf: true,
                // The drive writes DVD-R DL (current only with one loaded, as the
                // feature's current bit is).
                rdl: true,
                test_write: true,
                dvd_rw_sl: true,
            }),
        ),
        f(
            writable && dvd_rw_ro,
            // Feature 002Ch Rigid Restricted Overwrite (MMC-6 §5.3.18): Blank (bit 0, BLANK
            // back to sequential) and Intermediate (bit 1, quick-formatted discs); DSDR and
            // DSDG (defect status data) off.
            FeatureBody::Raw {
                code: FeatureCode::RigidRestrictedOverwrite,
                data: vec![0x03, 0, 0, 0],
            },
        ),
        f(
            is(&[Media::BdR, Media::BdRe, Media::BdRom]),
            FeatureBody::BdRead(BdRead {
                bd_re: [0x0002, 0, 0, 0],
                bd_r: [0x0002, 0, 0, 0],
                bd_rom: [0x0002, 0, 0, 0],
            }),
        ),
        f(
            is(&[Media::BdR, Media::BdRe]) && writable,
            FeatureBody::BdWrite(BdWrite {
                svnr: false,
                bd_re: [0x0002, 0, 0, 0],
                bd_r: [0x0002, 0, 0, 0],
            }),
        ),
        Feature {
            version: 1,
            ..f(
                present && media == Media::DvdPlusR && layers == 2,
                // Feature 003Bh DVD+R Dual Layer (MMC-6 §5.3.29): Write bit, 3 reserved.
                FeatureBody::Raw {
                    code: FeatureCode::DvdPlusRDualLayer,
                    data: vec![u8::from(writable), 0, 0, 0],
                },
            )
        },
        Feature {
            version: 1,
            ..f(
                present && media == Media::DvdPlusRw && layers == 2,
                // Feature 003Ah DVD+RW Dual Layer (MMC-6 §5.3.28): Write (byte 4 bit 0),
                // Quick Start and Close Only (byte 5 bits 1 and 0), 2 reserved.
                FeatureBody::Raw {
                    code: FeatureCode::DvdPlusRwDualLayer,
                    data: vec![u8::from(writable), 0b10, 0, 0],
                },
            )
        },
        f(
            writable && media == Media::BdR && disc.pseudo_overwrite,
            // Feature 0038h BD-R Pseudo-Overwrite (MMC-6 §5.3.24): 4 reserved bytes.
            FeatureBody::Raw {
                code: FeatureCode::BdRPseudoOverwrite,
                data: vec![0; 4],
            },
        ),
        f(
            present,
            FeatureBody::RealTimeStreaming(RealTimeStreaming {
                rbcb: true,
                scs: true,
                mp2a: true,
                wspd: true,
                sw: true,
            }),
        ),
    ];
    features.sort_by_key(|f| u16::from(f.code()));
    Configuration {
        current_profile: profile,
        features,
    }
}
