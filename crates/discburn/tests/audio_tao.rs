//! Track-at-once audio (IMAPI2 IDiscFormat2TrackAtOnce) against the virtual recorder:
//! tracks land where the drive's NWA says, completed and lengthened with silence, the
//! session closes as asked, and every refusal carries IMAPI2's HRESULT.

mod common;

use std::time::Duration;

use common::{pcm, read_audio, rig};
use discburn::burn::{audio_sectors, AudioError, TrackAtOnce, AUDIO_SECTOR};
use discburn::hresult;
use discburn::mmc::disc::{DiscStatus, ReadTocPmaAtip, Toc, TocFormat, LEAD_OUT_TRACK};
use discburn::mmc::transport::DataPhase;
use discburn::Recorder;
use discburn_vdrive::media::Media;

fn toc(rec: &Recorder) -> Vec<(u8, u8, u32)> {
    let mut buf = vec![0u8; 2048];
    let n = rec
        .command(
            &ReadTocPmaAtip {
                msf: false,
                format: TocFormat::Toc,
                track_session: 0,
                alloc: 2048,
            },
            DataPhase::In(&mut buf),
            Duration::from_secs(10),
        )
        .unwrap();
    Toc::parse(&buf[..n])
        .unwrap()
        .tracks
        .iter()
        .map(|t| (t.track, t.control, t.address))
        .collect()
}

#[test]
fn two_tracks_land_at_the_drives_addresses_padded_with_silence() {
    let r = rig(Media::CdR, |c| c);
    let mut tao = TrackAtOnce::new(r.recorder.clone()).unwrap();
    tao.prepare_media().unwrap();
    // 1000 sectors and a half: the last sector is completed with silence.
    let one = pcm(1000 * AUDIO_SECTOR + 1176, 1);
    let t1 = tao.add_audio_track(&one[..], one.len() as u64).unwrap();
    assert_eq!(
        (t1.number, t1.start, t1.sectors, t1.padded),
        (1, 0, 1001, 1)
    );
    // One second: lengthened to the 4-second minimum.
    let two = pcm(75 * AUDIO_SECTOR, 2);
    let t2 = tao.add_audio_track(&two[..], two.len() as u64).unwrap();
    assert_eq!(t2.number, 2);
    assert_eq!(
        t2.start,
        1001 + 152,
        "after the run-out and the drive's pre-gap"
    );
    assert_eq!((t2.sectors, t2.padded), (300, 225));
    tao.release_media().unwrap();

    let rec = &r.recorder;
    assert_eq!(
        toc(rec),
        vec![(1, 0, 0), (2, 0, 1153), (LEAD_OUT_TRACK, 4, 1453)]
    );
    assert_eq!(
        rec.disc_information().unwrap().disc_status,
        DiscStatus::Complete,
        "finalized by default"
    );
    let back = read_audio(rec, 0, 1001);
    assert_eq!(&back[..one.len()], &one[..]);
    assert!(back[one.len()..].iter().all(|&b| b == 0));
    let back = read_audio(rec, 1153, 300);
    assert_eq!(&back[..two.len()], &two[..]);
    assert!(back[two.len()..].iter().all(|&b| b == 0));
    assert!(!r.control.stats().per_opcode.is_empty());
    assert_eq!(audio_sectors(1), 300);
}

#[test]
fn do_not_finalize_leaves_room_for_a_later_track() {
    let r = rig(Media::CdRw, |c| c);
    let mut tao = TrackAtOnce::new(r.recorder.clone()).unwrap();
    tao.set_do_not_finalize_media(true).unwrap();
    tao.prepare_media().unwrap();
    assert_eq!(
        tao.set_do_not_finalize_media(false).unwrap_err().hresult(),
        hresult::E_IMAPI_DF2TAO_MEDIA_IS_PREPARED
    );
    let a = pcm(300 * AUDIO_SECTOR, 3);
    tao.add_audio_track(&a[..], a.len() as u64).unwrap();
    tao.release_media().unwrap();
    assert_eq!(
        r.recorder.disc_information().unwrap().disc_status,
        DiscStatus::Incomplete
    );
    // Another preparation, another session: track 2.
    let mut again = TrackAtOnce::new(r.recorder.clone()).unwrap();
    again.prepare_media().unwrap();
    let t = again.add_audio_track(&a[..], a.len() as u64).unwrap();
    assert_eq!(t.number, 2);
    again.release_media().unwrap();
    assert_eq!(read_audio(&r.recorder, t.start, 300), a);
}

#[test]
fn refusals_carry_imapi2s_codes() {
    let r = rig(Media::CdR, |c| c);
    let mut tao = TrackAtOnce::new(r.recorder.clone()).unwrap();
    let a = pcm(300 * AUDIO_SECTOR, 4);
    let e = tao.add_audio_track(&a[..], a.len() as u64).unwrap_err();
    assert!(matches!(e, AudioError::NotPrepared), "{e}");
    assert_eq!(e.hresult(), hresult::E_IMAPI_DF2TAO_MEDIA_IS_NOT_PREPARED);
    assert_eq!(
        tao.release_media().unwrap_err().hresult(),
        hresult::E_IMAPI_DF2TAO_MEDIA_IS_NOT_PREPARED
    );
    tao.prepare_media().unwrap();
    assert_eq!(
        tao.prepare_media().unwrap_err().hresult(),
        hresult::E_IMAPI_DF2TAO_MEDIA_IS_PREPARED
    );
    for bytes in [0u64, 6] {
        let e = tao.add_audio_track(&a[..], bytes).unwrap_err();
        assert_eq!(
            e.hresult(),
            hresult::E_IMAPI_DF2TAO_STREAM_NOT_SUPPORTED,
            "{e}"
        );
    }
    // 80 minutes and more do not fit a 700 MB CD-R.
    let e = tao
        .add_audio_track(std::io::repeat(0), 400_000 * AUDIO_SECTOR as u64)
        .unwrap_err();
    assert!(
        matches!(
            e,
            AudioError::NotEnoughSpace {
                needed: 400_000,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(e.hresult(), hresult::E_IMAPI_DF2TAO_NOT_ENOUGH_SPACE);
    // A source shorter than it said fails the track; the drive stays usable.
    let e = tao
        .add_audio_track(&a[..1000], 300 * AUDIO_SECTOR as u64)
        .unwrap_err();
    assert!(matches!(e, AudioError::Device { .. }), "{e}");
    tao.release_media().unwrap();
    r.recorder.test_unit_ready().unwrap();

    let dvd = rig(Media::DvdPlusR, |c| c);
    let mut tao = TrackAtOnce::new(dvd.recorder.clone()).unwrap();
    let e = tao.prepare_media().unwrap_err();
    assert_eq!(
        e.hresult(),
        hresult::E_IMAPI_DF2TAO_MEDIA_IS_NOT_SUPPORTED,
        "{e}"
    );
    assert!(e.to_string().contains("CD-R or CD-RW"), "{e}");
}

#[test]
fn a_finalized_disc_takes_no_track() {
    let r = rig(Media::CdR, |c| c);
    let mut tao = TrackAtOnce::new(r.recorder.clone()).unwrap();
    tao.prepare_media().unwrap();
    let a = pcm(300 * AUDIO_SECTOR, 5);
    tao.add_audio_track(&a[..], a.len() as u64).unwrap();
    tao.release_media().unwrap();
    let e = tao.prepare_media().unwrap_err();
    assert_eq!(
        e.hresult(),
        hresult::E_IMAPI_DF2TAO_MEDIA_IS_NOT_BLANK,
        "{e}"
    );
}

#[test]
fn the_imapi2_facade_answers_with_hresults() {
    use discburn::imapi2::{MsftDiscFormat2TrackAtOnce, MsftDiscRecorder2};
    let r = rig(Media::CdR, |c| c);
    let f = MsftDiscFormat2TrackAtOnce::new();
    assert_eq!(
        f.PrepareMedia(),
        hresult::E_IMAPI_DF2TAO_NO_RECORDER_SPECIFIED
    );
    assert_eq!(f.put_Recorder(None), hresult::E_POINTER);
    let rec = MsftDiscRecorder2::new(r.recorder.clone());
    assert_eq!(f.put_Recorder(Some(&rec)), hresult::S_OK);
    assert_eq!(f.put_DoNotFinalizeMedia(true), hresult::S_OK);
    let mut v = false;
    assert_eq!(f.get_DoNotFinalizeMedia(Some(&mut v)), hresult::S_OK);
    assert!(v);
    assert_eq!(f.get_DoNotFinalizeMedia(None), hresult::E_POINTER);
    assert_eq!(
        f.AddAudioTrack(Some(&b""[..]), 0),
        hresult::E_IMAPI_DF2TAO_MEDIA_IS_NOT_PREPARED
    );
    assert_eq!(f.PrepareMedia(), hresult::S_OK);
    assert_eq!(
        f.put_Recorder(Some(&rec)),
        hresult::E_IMAPI_DF2TAO_MEDIA_IS_PREPARED
    );
    let a = pcm(300 * AUDIO_SECTOR, 6);
    assert_eq!(f.AddAudioTrack(None::<&[u8]>, 0), hresult::E_POINTER);
    assert_eq!(f.AddAudioTrack(Some(&a[..]), a.len() as u64), hresult::S_OK);
    assert_eq!(f.CancelAddTrack(), hresult::S_IMAPI_WRITE_NOT_IN_PROGRESS);
    let mut n = 0;
    assert_eq!(f.get_NumberOfExistingTracks(Some(&mut n)), hresult::S_OK);
    assert_eq!(n, 1);
    assert_eq!(f.ReleaseMedia(), hresult::S_OK);
    assert_eq!(
        f.ReleaseMedia(),
        hresult::E_IMAPI_DF2TAO_MEDIA_IS_NOT_PREPARED
    );
    assert_eq!(read_audio(&r.recorder, 0, 300), a);
}
