//! The disc's identity (issue 15): READ TOC/PMA/ATIP format 4 on CD-R/RW, READ DISC
//! STRUCTURE 0Eh on DVD-R, 11h on DVD+R/+RW and the BD DI trailer, per-medium defaults,
//! `mid=` overrides kept in the state file, bad codes refused at open.

mod common;

use common::*;
use discburn_mmc::disc::{
    cd_manufacturer, id_text, AdipInformation, Atip, AtipDiscType, BdDiscInformation,
    DiscStructureMedia, DvdPrePit, Msf, ReadTocPmaAtip, StructureList, TocFormat,
};
use discburn_mmc::Command;
use discburn_vdrive::{MediaIdError, VdriveError, VirtualDrive};

fn atip(h: &mut Host) -> Result<Atip, (u8, u8, u8)> {
    let c = ReadTocPmaAtip {
        msf: true,
        format: TocFormat::Atip,
        track_session: 0,
        alloc: 0x100,
    };
    h.data_in(&c.emit(), 0x100)
        .map(|b| Atip::parse(&b).expect("ATIP parses"))
}

#[test]
fn cd_atip_names_the_manufacturer() {
    let mut h = Host::new("media=cd-r");
    let a = atip(&mut h).unwrap();
    assert_eq!(a.disc_type, AtipDiscType::CdR);
    assert_eq!(a.lead_in_start, Msf { m: 97, s: 24, f: 1 });
    assert_eq!(cd_manufacturer(a.lead_in_start), Some("Taiyo Yuden"));
    assert_eq!(a.last_lead_out_start.to_lba(), 359_849);
    assert_eq!(a.speed_range(), None);
    let mut h = Host::new("media=cd-rw");
    let a = atip(&mut h).unwrap();
    assert_eq!(a.disc_type, AtipDiscType::CdRw);
    assert_eq!(cd_manufacturer(a.lead_in_start), Some("Ricoh"));
    assert_eq!(a.speed_range(), Some((4, 24)));
    // The ATIP stays readable once the disc is written and closed.
    let mut h = Host::new("media=cd-r&mid=97:26:66");
    assert_eq!(h.write(0, 16, 0xA5), (0, 0, 0));
    assert_eq!(h.sync(), (0, 0, 0));
    assert_eq!(
        h.close(discburn_mmc::track::CloseFunction::CloseSession, 0),
        (0, 0, 0)
    );
    assert_eq!(
        cd_manufacturer(atip(&mut h).unwrap().lead_in_start),
        Some("CMC Magnetics")
    );
    // No ATIP on DVD or BD, as real drives answer.
    for media in ["dvd+r", "bd-r", "dvd-ram"] {
        let mut h = Host::new(&format!("media={media}"));
        assert_eq!(atip(&mut h).unwrap_err(), (5, 0x24, 0), "{media}");
    }
}

#[test]
fn dvd_and_bd_structures_carry_the_code() {
    let mut h = Host::new("media=dvd-r");
    let p = DvdPrePit::parse(&structure(&mut h, DiscStructureMedia::Dvd, 0x0E).unwrap()).unwrap();
    assert_eq!(p.manufacturer_id(), "TYG03");
    let l =
        StructureList::parse(&structure(&mut h, DiscStructureMedia::Dvd, 0xFF).unwrap()).unwrap();
    assert!(l.readable(0x0E) && !l.readable(0x11));
    assert_eq!(
        structure(&mut h, DiscStructureMedia::Dvd, 0x11),
        Err((5, 0x24, 0))
    );

    let mut h = Host::new("media=dvd+r");
    let a =
        AdipInformation::parse(&structure(&mut h, DiscStructureMedia::Dvd, 0x11).unwrap()).unwrap();
    assert_eq!(
        (id_text(&a.manufacturer_id), id_text(&a.media_type_id)),
        ("MCC".into(), "004".into())
    );
    assert_eq!(a.disc_category >> 4, 0xA);
    let l =
        StructureList::parse(&structure(&mut h, DiscStructureMedia::Dvd, 0xFF).unwrap()).unwrap();
    assert!(l.readable(0x11) && !l.readable(0x0E));
    assert_eq!(
        structure(&mut h, DiscStructureMedia::Dvd, 0x0E),
        Err((5, 0x24, 0))
    );

    let mut h = Host::new("media=dvd+rw&mid=CMC MAG-W01-2");
    let a =
        AdipInformation::parse(&structure(&mut h, DiscStructureMedia::Dvd, 0x11).unwrap()).unwrap();
    assert_eq!(&a.manufacturer_id, b"CMC MAG\0");
    assert_eq!((a.media_type_id, a.product_revision), (*b"W01", 2));
    assert_eq!(a.disc_category >> 4, 0x9);

    for (media, m, t) in [
        ("bd-r", *b"VERBAT", *b"IMe"),
        ("bd-re", *b"MEI\0\0\0", *b"T01"),
    ] {
        let mut h = Host::new(&format!("media={media}"));
        let di =
            BdDiscInformation::parse(&structure(&mut h, DiscStructureMedia::Bd, 0x00).unwrap())
                .unwrap();
        assert!(di.has_recordable_trailer(), "{media}");
        assert_eq!(
            (di.disc_manufacturer_id(), di.media_type_id()),
            (m, t),
            "{media}"
        );
    }
    // DVD-RAM carries none the drive reports.
    let mut h = Host::new("media=dvd-ram");
    assert_eq!(
        structure(&mut h, DiscStructureMedia::Dvd, 0x0E),
        Err((5, 0x24, 0))
    );
    assert_eq!(
        structure(&mut h, DiscStructureMedia::Dvd, 0x11),
        Err((5, 0x24, 0))
    );
}

#[test]
fn mid_is_kept_with_the_disc_and_can_be_renamed() {
    let mut h = Host::new("media=bd-r&mid=MILLEN-MR1-000");
    let read = |h: &mut Host| {
        let di =
            BdDiscInformation::parse(&structure(h, DiscStructureMedia::Bd, 0x00).unwrap()).unwrap();
        (
            id_text(&di.disc_manufacturer_id()),
            id_text(&di.media_type_id()),
        )
    };
    assert_eq!(read(&mut h), ("MILLEN".into(), "MR1".into()));
    // Reopened without mid=: the state file's code.
    h.query = "media=bd-r".into();
    h.open();
    assert_eq!(read(&mut h), ("MILLEN".into(), "MR1".into()));
    assert!(std::fs::read_to_string(h.path.with_extension("img.state"))
        .unwrap()
        .contains("MILLEN"));
    // Reopened with another: the new one.
    h.query = "mid=SONY-BR1".into();
    h.open();
    assert_eq!(read(&mut h), ("SONY".into(), "BR1".into()));
}

#[test]
fn a_bad_mid_is_refused_at_open_naming_the_limit() {
    let mut h = Host::new("media=bd-r");
    h.drive = None;
    // The disc exists as a BD-R; the address does not say so, the open checks it.
    match VirtualDrive::open(
        &format!("virtual:{}?mid=VERBATIMc", h.path.display()),
        h.clock.clone(),
    ) {
        Err(VdriveError::MediaId(MediaIdError::TooLong { max: 6, .. })) => {}
        other => panic!("{other:?}"),
    }
    let dir = tempfile::tempdir().unwrap();
    let addr = |q: &str| format!("virtual:{}?{q}", dir.path().join("x.img").display());
    let (_sim, clock) = discburn_mmc::clock::SimClock::shared();
    match VirtualDrive::open(&addr("media=bd-r&mid=VERBATIMc"), clock.clone()) {
        Err(VdriveError::MediaId(MediaIdError::TooLong { max: 6, .. })) => {}
        other => panic!("{other:?}"),
    }
    match VirtualDrive::open(&addr("media=cd-r&mid=TYG03"), clock.clone()) {
        Err(VdriveError::MediaId(MediaIdError::BadLeadIn(_))) => {}
        other => panic!("{other:?}"),
    }
    match VirtualDrive::open(&addr("mid=Taïyo"), clock) {
        Err(e @ VdriveError::MediaId(MediaIdError::NotAscii(_))) => {
            assert!(e.to_string().contains("printable ASCII"), "{e}");
        }
        other => panic!("{other:?}"),
    }
}
