//! Who made a disc, from the codes it carries: the ATIP start of lead-in of a CD-R/RW
//! (the Orange Book assigns each manufacturer a range 97:SS:F0–97:SS:F9) and the
//! manufacturer IDs of DVD-R pre-pits, DVD+R/+RW ADIP and BD disc information.
//!
//! Small tables of well-known codes from public lists (what cdrecord's `-atip` and
//! libburn's media product lookup print); a code not listed is simply unknown.

use super::Msf;

/// CD-R/RW manufacturers by ATIP start of lead-in: (seconds, frame rounded down to its
/// tens) of minute 97.
const CD_LEAD_IN: &[((u8, u8), &str)] = &[
    ((15, 0), "TDK"),
    ((15, 10), "Ritek"),
    ((15, 20), "Mitsubishi Chemical / Verbatim"),
    ((15, 30), "Nan Ya Plastics"),
    ((16, 20), "Shenzhen SG&Gast Digital Optical Discs"),
    ((16, 30), "Grand Advance Technology"),
    ((17, 0), "Moser Baer India"),
    ((21, 40), "Optical Disc Manufacturing Equipment"),
    ((22, 0), "Woongjin Media"),
    ((22, 40), "CIS Technology"),
    ((22, 60), "Acer Media Technology"),
    ((23, 0), "Matsushita (Panasonic)"),
    ((23, 10), "Doremi Media"),
    ((23, 40), "Victor Company of Japan (JVC)"),
    ((24, 0), "Taiyo Yuden"),
    ((24, 10), "Sony"),
    ((24, 30), "Unitech Japan"),
    ((24, 40), "kdg mediatech"),
    ((25, 20), "Hitachi Maxell"),
    ((25, 30), "Infodisc Technology"),
    ((26, 0), "Fornet International"),
    ((26, 10), "Postech"),
    ((26, 20), "SKC"),
    ((26, 40), "Fujifilm"),
    ((26, 50), "Lead Data"),
    ((26, 60), "CMC Magnetics"),
    ((27, 10), "Plasmon Data Systems"),
    ((27, 20), "Princo"),
    ((27, 30), "Pioneer"),
    ((27, 40), "Kodak Japan"),
    ((27, 50), "Mitsui Chemicals"),
    ((27, 60), "Ricoh"),
    ((28, 10), "Gigastorage"),
    ((28, 30), "Auvistar Industry"),
    ((28, 40), "King Pro Mediatek"),
    ((29, 0), "Taeil Media"),
    ((31, 0), "Ritek"),
    ((32, 0), "TDK"),
    ((32, 10), "Prodisc Technology"),
    ((34, 20), "Mitsubishi Chemical / Verbatim"),
    ((45, 0), "Fornet International"),
    ((46, 0), "Taiyo Yuden"),
    ((46, 40), "Fujifilm"),
    ((46, 60), "CMC Magnetics"),
    ((47, 10), "Hitachi Maxell"),
    ((47, 20), "Princo"),
    ((47, 50), "Ritek"),
    ((48, 0), "Ricoh"),
    ((48, 30), "Pioneer"),
    ((49, 0), "TDK"),
    ((50, 20), "Mitsubishi Chemical / Verbatim"),
];

/// The manufacturer of a CD-R/RW from its ATIP start of lead-in, when the code is a
/// known one (minute 97, the frame's units digit ignored as the table ranges do).
pub fn cd_manufacturer(lead_in: Msf) -> Option<&'static str> {
    if lead_in.m != 97 {
        return None;
    }
    let key = (lead_in.s, lead_in.f - lead_in.f % 10);
    CD_LEAD_IN
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, name)| *name)
}

/// DVD and BD manufacturer ID prefixes (as DVD-R pre-pits, DVD+R ADIP and BD DI spell
/// them) and who they name; the longest matching prefix wins.
const DISC_MANUFACTURER: &[(&str, &str)] = &[
    ("MCC", "Mitsubishi Chemical / Verbatim"),
    ("MKM", "Mitsubishi Chemical / Verbatim"),
    ("VERBAT", "Mitsubishi Chemical / Verbatim"),
    ("MBI", "Moser Baer India"),
    ("TYG", "Taiyo Yuden"),
    ("TTG", "Taiyo Yuden"),
    ("TAIYOYUDEN", "Taiyo Yuden"),
    ("YUDEN", "Taiyo Yuden"),
    ("RICOHJPN", "Ricoh"),
    ("RICOH", "Ricoh"),
    ("CMC", "CMC Magnetics"),
    ("RITEK", "Ritek"),
    ("SONY", "Sony"),
    ("MEI", "Panasonic"),
    ("MXL", "Hitachi Maxell"),
    ("MAXELL", "Hitachi Maxell"),
    ("TDK", "TDK"),
    ("FUJIFILM", "Fujifilm"),
    ("PRODISC", "Prodisc Technology"),
    ("INFOME", "Infodisc Technology"),
    ("INFODISC", "Infodisc Technology"),
    ("OPTODISC", "OptoDisc"),
    ("DAXON", "Daxon Technology"),
    ("LGE", "LG Electronics"),
    ("PHILIPS", "Philips"),
    ("PIONEER", "Pioneer"),
    ("MILLEN", "Millenniata M-DISC"),
    ("UMEDISC", "UmeDisc"),
    ("NANYA", "Nan Ya Plastics"),
    ("ISMM", "Infosmart"),
];

/// The company a DVD/BD Disc Manufacturer ID names, when it is a known one.
pub fn disc_manufacturer(id: &str) -> Option<&'static str> {
    let id = id.trim();
    DISC_MANUFACTURER
        .iter()
        .filter(|(prefix, _)| id.starts_with(prefix))
        .max_by_key(|(prefix, _)| prefix.len())
        .map(|(_, name)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cd_codes() {
        let msf = |s, f| Msf { m: 97, s, f };
        assert_eq!(cd_manufacturer(msf(24, 1)), Some("Taiyo Yuden"));
        assert_eq!(cd_manufacturer(msf(26, 66)), Some("CMC Magnetics"));
        assert_eq!(
            cd_manufacturer(msf(34, 24)),
            Some("Mitsubishi Chemical / Verbatim")
        );
        assert_eq!(cd_manufacturer(msf(27, 65)), Some("Ricoh"));
        assert_eq!(cd_manufacturer(msf(10, 0)), None);
        assert_eq!(cd_manufacturer(Msf { m: 96, s: 24, f: 1 }), None);
        // Every entry is a range start and appears once.
        for (i, ((_, f), _)) in CD_LEAD_IN.iter().enumerate() {
            assert_eq!(f % 10, 0);
            assert!(!CD_LEAD_IN[i + 1..]
                .iter()
                .any(|(k, _)| *k == CD_LEAD_IN[i].0));
        }
    }

    #[test]
    fn disc_codes() {
        assert_eq!(
            disc_manufacturer("MCC"),
            Some("Mitsubishi Chemical / Verbatim")
        );
        assert_eq!(
            disc_manufacturer("VERBAT"),
            Some("Mitsubishi Chemical / Verbatim")
        );
        assert_eq!(disc_manufacturer("RICOHJPN"), Some("Ricoh"));
        assert_eq!(disc_manufacturer("CMC MAG. AM3"), Some("CMC Magnetics"));
        assert_eq!(disc_manufacturer("TYG03"), Some("Taiyo Yuden"));
        assert_eq!(disc_manufacturer(" MEI"), Some("Panasonic"));
        assert_eq!(disc_manufacturer("NOBODY"), None);
        assert_eq!(disc_manufacturer(""), None);
    }
}
