//! The identity a disc carries (who made it, which media code) and the `mid=` address
//! parameter that sets it: the ATIP start of lead-in of a CD-R/RW, the pre-pit
//! manufacturer ID of a DVD-R, the ADIP manufacturer and media type of a DVD+R/+RW and
//! the DI manufacturer and media type of a BD-R/RE (MMC-6 §6.26.2.6, §6.23.3.2.10,
//! §6.23.3.2.13, §6.23.3.3.1). Pressed discs and DVD-RAM carry none the drive reports.

use discburn_mmc::disc::Msf;
use serde::{Deserialize, Serialize};

use crate::media::Media;

/// A disc's manufacturer code as the drive reports it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MediaId {
    /// CD-R/RW: the ATIP start of lead-in, 97:SS:FF for a registered manufacturer.
    LeadIn {
        /// Minutes (90–99).
        m: u8,
        /// Seconds (0–59).
        s: u8,
        /// Frames (0–74).
        f: u8,
    },
    /// DVD and BD: Disc Manufacturer ID, Media Type ID (empty on DVD-R, whose pre-pits
    /// have none) and Product Revision Number.
    Code {
        /// Disc Manufacturer ID (DVD-R ≤ 12, DVD+R/RW ≤ 8, BD ≤ 6 characters).
        manufacturer: String,
        /// Media Type ID (≤ 3 characters; empty on DVD-R).
        media_type: String,
        /// Product Revision Number.
        revision: u8,
    },
}

/// Why a `mid=` value cannot name a disc of the medium; each message names the limit
/// and an example that fits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaIdError {
    /// A part is longer than the medium's field.
    #[error(
        "mid=`{given}`: the {part} is {len} characters, a {medium} holds at most {max} \
         (e.g. mid={example})"
    )]
    TooLong {
        /// The value given.
        given: String,
        /// Which part: "manufacturer ID" or "media type ID".
        part: &'static str,
        /// Its length.
        len: usize,
        /// The most the medium's field holds.
        max: usize,
        /// The medium's `media=` name.
        medium: &'static str,
        /// A value that fits.
        example: &'static str,
    },
    /// Only printable ASCII fits the fields.
    #[error("mid=`{0}`: only printable ASCII characters (space to ~) fit a disc's code")]
    NotAscii(String),
    /// An empty manufacturer ID.
    #[error("mid=`{given}`: the manufacturer ID is empty (e.g. mid={example})")]
    Empty {
        /// The value given.
        given: String,
        /// A value that fits.
        example: &'static str,
    },
    /// A CD's code is not an ATIP lead-in start.
    #[error(
        "mid=`{0}`: a CD-R/RW is named by its ATIP start of lead-in MM:SS:FF, from \
         90:00:00 to 99:59:74 (e.g. mid=97:24:01, Taiyo Yuden)"
    )]
    BadLeadIn(String),
    /// The revision is not a byte.
    #[error("mid=`{given}`: the product revision `{revision}` is not a number from 0 to 255")]
    BadRevision {
        /// The value given.
        given: String,
        /// The revision part.
        revision: String,
    },
    /// More parts than MANUFACTURER-TYPE-REVISION, or a type on DVD-R.
    #[error("mid=`{given}`: a {medium} code is {form} (e.g. mid={example})")]
    Form {
        /// The value given.
        given: String,
        /// The medium's `media=` name.
        medium: &'static str,
        /// The form the medium's code takes.
        form: &'static str,
        /// A value that fits.
        example: &'static str,
    },
    /// The medium carries no identity a drive reports.
    #[error("mid=`{given}`: a {medium} carries no media identity a drive reports")]
    NotCarried {
        /// The value given.
        given: String,
        /// The medium's `media=` name.
        medium: &'static str,
    },
}

/// Field limits of a medium's code: (manufacturer, media type), an example.
fn limits(media: Media) -> Option<(usize, usize, &'static str)> {
    match media.base() {
        Media::DvdMinusR | Media::DvdMinusRw => Some((12, 0, "TYG03")),
        Media::DvdPlusR | Media::DvdPlusRw => Some((8, 3, "MCC-004-001")),
        Media::BdR | Media::BdRe => Some((6, 3, "VERBAT-IMe-000")),
        _ => None,
    }
}

impl MediaId {
    /// The identity a new disc of `media` has without `mid=`: plausible public codes
    /// (Taiyo Yuden CD-R and DVD-R, Ricoh CD-RW, DVD-RW and DVD+RW, Mitsubishi/Verbatim
    /// DVD+R and BD-R, Panasonic BD-RE, CMC DVD+R DL as a Pioneer DVR-111D dump shows
    /// one, Verbatim MKM 01RD30 DVD-R DL; multi-layer BD and DVD+RW DL the single-layer
    /// discs' codes); `None` for pressed discs and DVD-RAM.
    pub fn default_for(media: Media) -> Option<MediaId> {
        let code = |m: &str, t: &str, revision| MediaId::Code {
            manufacturer: m.into(),
            media_type: t.into(),
            revision,
        };
        Some(match media {
            Media::CdR => MediaId::LeadIn { m: 97, s: 24, f: 1 },
            Media::CdRw => MediaId::LeadIn {
                m: 97,
                s: 27,
                f: 65,
            },
            Media::DvdMinusR => code("TYG03", "", 0),
            Media::DvdMinusRw => code("RITEKW04", "", 0),
            Media::DvdPlusR => code("MCC", "004", 1),
            Media::DvdPlusRw => code("RICOHJPN", "W11", 4),
            Media::BdR => code("VERBAT", "IMe", 0),
            Media::BdRe => code("MEI", "T01", 1),
            Media::DvdPlusRDl => code("CMC MAG", "D02", 0),
            Media::DvdPlusRwDl => code("RICOHJPN", "W11", 4),
            Media::DvdMinusRDl => code("MKM 01RD30", "", 0),
            Media::BdRDl | Media::BdRTl | Media::BdRQl => code("VERBAT", "IMe", 0),
            Media::BdReDl | Media::BdReTl => code("MEI", "T01", 1),
            Media::DvdRam | Media::CdRom | Media::DvdRom | Media::BdRom => return None,
        })
    }

    /// Parses a `mid=` value for `media`: `MM:SS:FF` (or libburn's `97m24s01f`) on CD,
    /// the manufacturer ID on DVD-R, `MANUFACTURER[-TYPE[-REVISION]]` on DVD+R/RW and BD.
    pub fn parse(media: Media, text: &str) -> Result<MediaId, MediaIdError> {
        let given = || text.to_string();
        if !text.bytes().all(|b| (0x20..=0x7E).contains(&b)) {
            return Err(MediaIdError::NotAscii(given()));
        }
        let medium = media.spec().name;
        if media.is_cd() && media.spec().recording != crate::media::Recording::ReadOnly {
            return parse_lead_in(text).ok_or_else(|| MediaIdError::BadLeadIn(given()));
        }
        let Some((max_m, max_t, example)) = limits(media) else {
            return Err(MediaIdError::NotCarried {
                given: given(),
                medium: media_label(media),
            });
        };
        let (manufacturer, media_type, revision) = if max_t == 0 {
            (text, "", None)
        } else {
            let mut parts = text.splitn(4, '-');
            let m = parts.next().unwrap_or("");
            let t = parts.next().unwrap_or("");
            let r = parts.next();
            if parts.next().is_some() {
                return Err(MediaIdError::Form {
                    given: given(),
                    medium,
                    form: "MANUFACTURER[-TYPE[-REVISION]]",
                    example,
                });
            }
            (m, t, r)
        };
        if manufacturer.trim().is_empty() {
            return Err(MediaIdError::Empty {
                given: given(),
                example,
            });
        }
        let too_long = |part, len, max| MediaIdError::TooLong {
            given: given(),
            part,
            len,
            max,
            medium,
            example,
        };
        if manufacturer.len() > max_m {
            return Err(too_long("manufacturer ID", manufacturer.len(), max_m));
        }
        if media_type.len() > max_t {
            return Err(too_long("media type ID", media_type.len(), max_t));
        }
        let revision = match revision {
            None => 0,
            Some(r) => r.parse::<u8>().map_err(|_| MediaIdError::BadRevision {
                given: given(),
                revision: r.to_string(),
            })?,
        };
        Ok(MediaId::Code {
            manufacturer: manufacturer.to_string(),
            media_type: media_type.to_string(),
            revision,
        })
    }

    /// Checks an identity read back from a state file against its medium (the same
    /// limits `mid=` has).
    pub fn check(&self, media: Media) -> Result<(), MediaIdError> {
        let again = MediaId::parse(media, &self.to_string())?;
        if &again == self {
            Ok(())
        } else {
            Err(MediaIdError::Form {
                given: self.to_string(),
                medium: media.spec().name,
                form: "not what the medium carries",
                example: limits(media).map_or("97:24:01", |l| l.2),
            })
        }
    }

    /// The ATIP start of lead-in of a CD's identity.
    pub fn lead_in(&self) -> Option<Msf> {
        match *self {
            MediaId::LeadIn { m, s, f } => Some(Msf { m, s, f }),
            MediaId::Code { .. } => None,
        }
    }
}

/// The medium's name for messages (`media=` name, or the pressed kind).
fn media_label(media: Media) -> &'static str {
    match media {
        Media::CdRom => "CD-ROM",
        Media::DvdRom => "DVD-ROM",
        Media::BdRom => "BD-ROM",
        m => m.spec().name,
    }
}

fn parse_lead_in(text: &str) -> Option<MediaId> {
    let nums: Vec<&str> = if text.contains(':') {
        text.split(':').collect()
    } else {
        // libburn's form: 97m24s01f.
        let t = text.strip_suffix('f')?;
        let (m, rest) = t.split_once('m')?;
        let (s, f) = rest.split_once('s')?;
        vec![m, s, f]
    };
    let [m, s, f] = nums.as_slice() else {
        return None;
    };
    let num = |v: &str| {
        (!v.is_empty() && v.len() <= 2 && v.bytes().all(|b| b.is_ascii_digit()))
            .then(|| v.parse::<u8>().ok())
            .flatten()
    };
    let (m, s, f) = (num(m)?, num(s)?, num(f)?);
    ((90..=99).contains(&m) && s < 60 && f < 75).then_some(MediaId::LeadIn { m, s, f })
}

impl core::fmt::Display for MediaId {
    /// `97:24:01` on CD, `TYG03` on DVD-R, `MCC-004-001` / `VERBAT-IMe-000` otherwise.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            MediaId::LeadIn { m, s, f: fr } => write!(f, "{m:02}:{s:02}:{fr:02}"),
            MediaId::Code {
                manufacturer,
                media_type,
                ..
            } if media_type.is_empty() => f.write_str(manufacturer),
            MediaId::Code {
                manufacturer,
                media_type,
                revision,
            } => write!(f, "{manufacturer}-{media_type}-{revision:03}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fit_their_media() {
        for &m in Media::all() {
            if let Some(id) = MediaId::default_for(m) {
                assert_eq!(id.check(m), Ok(()), "{m:?}");
            }
        }
        assert_eq!(MediaId::default_for(Media::DvdRam), None);
        assert_eq!(
            MediaId::default_for(Media::BdR).unwrap().to_string(),
            "VERBAT-IMe-000"
        );
        assert_eq!(
            MediaId::default_for(Media::CdR).unwrap().to_string(),
            "97:24:01"
        );
    }

    #[test]
    fn parse_each_form() {
        assert_eq!(
            MediaId::parse(Media::CdR, "97:26:66"),
            Ok(MediaId::LeadIn {
                m: 97,
                s: 26,
                f: 66
            })
        );
        assert_eq!(
            MediaId::parse(Media::CdRw, "97m34s24f"),
            Ok(MediaId::LeadIn {
                m: 97,
                s: 34,
                f: 24
            })
        );
        assert_eq!(
            MediaId::parse(Media::DvdMinusR, "VERBATIMc")
                .unwrap()
                .to_string(),
            "VERBATIMc"
        );
        assert_eq!(
            MediaId::parse(Media::DvdPlusR, "RICOHJPN-R03-3"),
            Ok(MediaId::Code {
                manufacturer: "RICOHJPN".into(),
                media_type: "R03".into(),
                revision: 3
            })
        );
        assert_eq!(
            MediaId::parse(Media::BdR, "MILLEN-MR1")
                .unwrap()
                .to_string(),
            "MILLEN-MR1-000"
        );
    }

    #[test]
    fn errors_name_the_limit() {
        let e = MediaId::parse(Media::BdR, "VERBATIMc").unwrap_err();
        assert!(
            matches!(e, MediaIdError::TooLong { max: 6, len: 9, .. }),
            "{e:?}"
        );
        assert!(e.to_string().contains("at most 6"), "{e}");
        let e = MediaId::parse(Media::DvdPlusR, "MCC-0044").unwrap_err();
        assert!(
            e.to_string().contains("media type ID is 4 characters"),
            "{e}"
        );
        assert!(matches!(
            MediaId::parse(Media::DvdMinusR, "THIRTEEN-CHAR"),
            Err(MediaIdError::TooLong { max: 12, .. })
        ));
        assert!(matches!(
            MediaId::parse(Media::BdRe, "MEI-T01-256"),
            Err(MediaIdError::BadRevision { .. })
        ));
        assert!(matches!(
            MediaId::parse(Media::BdRe, "MEI-T01-1-2"),
            Err(MediaIdError::Form { .. })
        ));
        assert!(matches!(
            MediaId::parse(Media::BdRe, "Mé"),
            Err(MediaIdError::NotAscii(_))
        ));
        assert!(matches!(
            MediaId::parse(Media::DvdPlusR, "-004"),
            Err(MediaIdError::Empty { .. })
        ));
        for bad in [
            "97:60:00", "89:00:00", "97:24", "VERBAT", "97:24:75", "97m24s",
        ] {
            assert!(
                matches!(
                    MediaId::parse(Media::CdR, bad),
                    Err(MediaIdError::BadLeadIn(_))
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            MediaId::parse(Media::DvdRam, "X"),
            Err(MediaIdError::NotCarried { .. })
        ));
        assert!(MediaId::parse(Media::CdRom, "97:24:01").is_err());
    }
}
