//! Disc-at-once audio with CD-Text against the virtual recorder: the cue sheet lays the
//! tracks with their gaps, the samples land where the TOC says, and the lead-in's CD-Text
//! comes back through READ TOC format 5.

mod common;

use std::time::Duration;

use common::{pcm, read_audio, rig};
use discburn::burn::{AudioError, DiscAtOnce, DiscTrack, TrackAtOnce, AUDIO_SECTOR};
use discburn::mmc::cdtext::{self, latin1, Block, CdText, PackType, LANGUAGE_ENGLISH};
use discburn::mmc::disc::{DiscStatus, ReadTocPmaAtip, Toc, TocFormat, LEAD_OUT_TRACK};
use discburn::mmc::transport::DataPhase;
use discburn::Recorder;
use discburn_vdrive::media::Media;

fn toc(rec: &Recorder, format: TocFormat) -> Vec<u8> {
    let mut buf = vec![0u8; 8192];
    let n = rec
        .command(
            &ReadTocPmaAtip {
                msf: false,
                format,
                track_session: 0,
                alloc: 8192,
            },
            DataPhase::In(&mut buf),
            Duration::from_secs(10),
        )
        .unwrap();
    buf.truncate(n);
    buf
}

fn starts(rec: &Recorder) -> Vec<(u8, u32)> {
    Toc::parse(&toc(rec, TocFormat::Toc))
        .unwrap()
        .tracks
        .iter()
        .map(|t| (t.track, t.address))
        .collect()
}

fn album() -> CdText {
    let mut block = Block {
        language: LANGUAGE_ENGLISH,
        ..Block::default()
    };
    block.text.insert(
        PackType::Title,
        ["Night Drive", "First", "Second"]
            .iter()
            .map(|s| latin1(s).unwrap())
            .collect(),
    );
    block.text.insert(
        PackType::Performer,
        ["Ève & Co", "Ève", "Co"]
            .iter()
            .map(|s| latin1(s).unwrap())
            .collect(),
    );
    CdText {
        first_track: 1,
        last_track: 2,
        blocks: vec![block],
    }
}

#[test]
fn two_tracks_with_a_gap_and_cd_text() {
    let r = rig(Media::CdR, |c| c);
    let a = pcm(500 * AUDIO_SECTOR + 8, 1);
    let b = pcm(320 * AUDIO_SECTOR, 2);
    let mut dao = DiscAtOnce::new(r.recorder.clone()).unwrap();
    dao.set_cd_text(Some(album()));
    let report = dao
        .write_disc(vec![
            DiscTrack::audio(&a[..], a.len() as u64),
            DiscTrack::audio(&b[..], b.len() as u64),
        ])
        .unwrap();
    assert_eq!(report[0].start, 0);
    assert_eq!(report[1].start, 501 + 150, "a 2-second gap of silence");
    let rec = &r.recorder;
    assert_eq!(starts(rec), vec![(1, 0), (2, 651), (LEAD_OUT_TRACK, 971)]);
    assert_eq!(
        rec.disc_information().unwrap().disc_status,
        DiscStatus::Complete
    );
    let one = read_audio(rec, 0, 651);
    assert_eq!(&one[..a.len()], &a[..]);
    assert!(
        one[a.len()..].iter().all(|&x| x == 0),
        "padding and gap are silence"
    );
    assert_eq!(read_audio(rec, 651, 320), b);
    let text = toc(rec, TocFormat::CdText);
    assert_eq!(cdtext::decode(&text[4..]).unwrap(), album());
}

#[test]
fn catalog_number_and_isrc_reach_the_q_sub_channel() {
    let r = rig(Media::CdR, |c| c);
    let a = pcm(300 * AUDIO_SECTOR, 5);
    let mut dao = DiscAtOnce::new(r.recorder.clone()).unwrap();
    dao.set_catalog(Some(*b"0886972521820"));
    let mut one = DiscTrack::audio(&a[..], a.len() as u64);
    one.isrc = Some(*b"USSM15900113");
    let two = DiscTrack::audio(&a[..], a.len() as u64);
    dao.write_disc(vec![one, two]).unwrap();
    let rec = &r.recorder;
    assert_eq!(
        rec.media_catalog_number().unwrap().as_deref(),
        Some("0886972521820")
    );
    assert_eq!(rec.isrc(1).unwrap().as_deref(), Some("USSM15900113"));
    assert_eq!(rec.isrc(2).unwrap(), None, "track 2 has none");
    assert_eq!(rec.isrc(9).unwrap(), None, "no track 9");
}

#[test]
fn gapless_tracks_follow_each_other_without_cd_text() {
    let r = rig(Media::CdRw, |c| c);
    let a = pcm(300 * AUDIO_SECTOR, 3);
    let mut dao = DiscAtOnce::new(r.recorder.clone()).unwrap();
    dao.set_gap(0);
    dao.set_keep_open(true);
    dao.write_disc(vec![
        DiscTrack::audio(&a[..], a.len() as u64),
        DiscTrack::audio(&a[..], a.len() as u64),
    ])
    .unwrap();
    assert_eq!(
        starts(&r.recorder),
        vec![(1, 0), (2, 300), (LEAD_OUT_TRACK, 600)]
    );
    assert_eq!(
        r.recorder.disc_information().unwrap().disc_status,
        DiscStatus::Incomplete
    );
    assert_eq!(toc(&r.recorder, TocFormat::CdText), vec![0, 2, 0, 0]);
    // Disc at once needs a blank disc.
    let mut again = DiscAtOnce::new(r.recorder.clone()).unwrap();
    let e = again
        .write_disc(vec![DiscTrack::audio(&a[..], a.len() as u64)])
        .unwrap_err();
    assert!(matches!(e, AudioError::MediaNotBlank), "{e}");
    // And a track-at-once writer can still add a track to the open disc.
    let mut tao = TrackAtOnce::new(r.recorder.clone()).unwrap();
    tao.prepare_media().unwrap();
    tao.add_audio_track(&a[..], a.len() as u64).unwrap();
    tao.release_media().unwrap();
}

#[test]
fn text_a_disc_cannot_carry_is_refused_before_writing() {
    let r = rig(Media::CdR, |c| c);
    let mut bad = album();
    bad.blocks[0]
        .text
        .insert(PackType::Title, vec![vec![b'x'; 4000]; 3]);
    let mut dao = DiscAtOnce::new(r.recorder.clone()).unwrap();
    dao.set_cd_text(Some(bad));
    let a = pcm(300 * AUDIO_SECTOR, 4);
    let e = dao
        .write_disc(vec![DiscTrack::audio(&a[..], a.len() as u64)])
        .unwrap_err();
    assert!(matches!(e, AudioError::CdText(_)), "{e}");
    assert_eq!(
        r.recorder.disc_information().unwrap().disc_status,
        DiscStatus::Empty
    );
}

/// A drive whose CD Mastering feature (002Eh) is absent cannot take CD-Text in the
/// lead-in: the burn is refused before anything is written, naming the feature.
#[test]
fn cd_text_needs_a_drive_that_offers_r_w_in_sao() {
    use discburn::mmc::transport::Completion;
    let dir = tempfile::tempdir().unwrap();
    let hook = |request: &discburn::mmc::transport::Request<'_>| {
        // GET CONFIGURATION of 002Eh: a header without the feature.
        (request.cdb[0] == 0x46 && request.cdb[2..4] == [0x00, 0x2E])
            .then(|| Ok(Completion::good(8)))
    };
    let (rec, _control) = common::hooked_recorder(dir.path(), "media=cd-r&throttle=off", hook);
    let a = pcm(300 * AUDIO_SECTOR, 6);
    let mut dao = DiscAtOnce::new(rec.clone()).unwrap();
    dao.set_cd_text(Some(album()));
    let two = vec![
        DiscTrack::audio(&a[..], a.len() as u64),
        DiscTrack::audio(&a[..], a.len() as u64),
    ];
    let e = dao.write_disc(two).unwrap_err();
    assert!(matches!(e, AudioError::CdTextNotOffered), "{e}");
    assert!(e.to_string().contains("002Eh"), "{e}");
    assert_eq!(
        rec.disc_information().unwrap().disc_status,
        DiscStatus::Empty
    );
    // Without CD-Text the same drive burns.
    let mut plain = DiscAtOnce::new(rec.clone()).unwrap();
    plain
        .write_disc(vec![DiscTrack::audio(&a[..], a.len() as u64)])
        .unwrap();
}
