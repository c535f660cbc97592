//! The recorder (IDiscRecorder2Ex + IDiscRecorder2 parts) and the imapi2 façade against
//! the virtual recorder.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::rig;
use discburn::hresult::*;
use discburn::imapi2::{MsftDiscRecorder2, MsftWriteEngine2};
use discburn::mmc::config::FeatureCode;
use discburn::mmc::profile::Profile;
use discburn::recorder::{ModePageRequest, ReadTrackAddressType};
use discburn::{Recorder, SpeedAdjustment};
use discburn_vdrive::media::Media;

#[test]
fn identity_limits_and_raw_commands() {
    let r = rig(Media::BdR, |c| c);
    let id = r.recorder.identity().unwrap();
    assert!(!id.vendor.is_empty() && !id.product.is_empty());
    assert_eq!(r.recorder.vendor_id().unwrap(), id.vendor);
    assert_eq!(r.recorder.maximum_page_aligned_transfer_size(), 64 * 1024);
    assert_eq!(
        r.recorder.maximum_non_page_aligned_transfer_size(),
        60 * 1024
    );
    assert!(r.recorder.byte_alignment_mask().is_power_of_two());
    // TEST UNIT READY, raw.
    r.recorder
        .send_command_no_data(&[0; 6], Duration::from_secs(10))
        .unwrap();
    // A 10-byte CDB for a group-0 opcode is refused before reaching the drive.
    let before = r.control.stats().commands;
    let e = r
        .recorder
        .send_command_no_data(&[0; 10], Duration::from_secs(10))
        .unwrap_err();
    assert_eq!(e.hresult(), E_INVALIDARG);
    assert_eq!(r.control.stats().commands, before);
    // INQUIRY, raw data-in.
    let mut buf = [0u8; 36];
    let n = r
        .recorder
        .send_command_get_data_from_device(
            &[0x12, 0, 0, 0, 36, 0],
            &mut buf,
            Duration::from_secs(5),
        )
        .unwrap();
    assert_eq!(n, 36);
    assert_eq!(buf[0] & 0x1F, 5, "an MMC device");
    // An unsupported opcode comes back as sense through the façade.
    let f = MsftDiscRecorder2::new(Arc::clone(&r.recorder));
    let mut sense = [0u8; 18];
    let hr = f.SendCommandNoData(&[0xC7, 0, 0, 0, 0, 0], &mut sense, 10);
    assert_eq!(hr, S_IMAPI_COMMAND_HAS_SENSE_DATA);
    assert!(hr.is_success());
    assert_eq!((sense[2] & 0xF, sense[12]), (5, 0x20));
}

#[test]
fn profiles_features_disc_and_track_information() {
    let r = rig(Media::BdR, |c| c);
    assert_eq!(r.recorder.current_profile().unwrap(), Profile::BdRSrm);
    let current = r.recorder.supported_profiles(true).unwrap();
    assert_eq!(current, vec![Profile::BdRSrm]);
    let all = r.recorder.supported_profiles(false).unwrap();
    assert!(all.len() > current.len() && all.contains(&Profile::BdRSrm));
    let features = r.recorder.supported_feature_pages(false).unwrap();
    assert_eq!(features.first(), Some(&FeatureCode::ProfileList));
    let page = r
        .recorder
        .feature_page(FeatureCode::ProfileList, true)
        .unwrap();
    assert_eq!(u16::from_be_bytes([page[0], page[1]]), 0);
    let missing = r
        .recorder
        .feature_page(FeatureCode::Unknown(0xFF00), false)
        .unwrap_err();
    assert_eq!(missing.hresult(), E_IMAPI_RECORDER_NO_SUCH_FEATURE);
    let di = r.recorder.disc_information().unwrap();
    assert!(!r.recorder.disc_information_raw().unwrap().is_empty());
    let _ = di;
    let ti = r
        .recorder
        .track_information(discburn::mmc::track::TrackAddress::INVISIBLE)
        .unwrap();
    assert_eq!(ti.nwa, Some(0));
    let raw = r
        .recorder
        .track_information_raw(1, ReadTrackAddressType::Track)
        .unwrap();
    assert!(raw.len() >= 28);
    let pages = r
        .recorder
        .supported_mode_pages(ModePageRequest::Current)
        .unwrap();
    assert!(pages.contains(&0x2A), "{pages:x?}");
    let cap = r
        .recorder
        .mode_page(0x2A, ModePageRequest::Current)
        .unwrap();
    assert_eq!(cap[0] & 0x3F, 0x2A);
    let none = r
        .recorder
        .mode_page(0x3E, ModePageRequest::Current)
        .unwrap_err();
    assert!(none.hresult().is_failure());
}

#[test]
fn write_speeds_and_selection() {
    let r = rig(Media::BdR, |c| c);
    let speeds = r.recorder.write_speeds().unwrap();
    assert!(speeds.len() >= 3);
    assert!(speeds
        .windows(2)
        .all(|w| w[0].kilobytes_per_second >= w[1].kilobytes_per_second));
    for s in &speeds {
        let x = s.multiple.unwrap();
        assert!(
            (f64::from(s.sectors_per_second) / 2195.0 - x).abs() < 0.05,
            "{s:?}"
        );
    }
    // 5x is not offered: the nearest at or below is 4x, and the drive reports what it
    // actually uses, so the request counts as adjusted.
    let five_x = (5.0 * 2195.0) as i32;
    let sel = r.recorder.set_write_speed(five_x, false).unwrap();
    let chosen = sel.selected.unwrap();
    assert!((chosen.multiple.unwrap() - 4.0).abs() < 0.05, "{chosen:?}");
    assert!(r.count(0xB6) >= 1, "SET STREAMING sent");
    assert_eq!(sel.adjustment, SpeedAdjustment::Speed);
    assert_eq!(sel.adjustment.hresult(), S_IMAPI_SPEEDADJUSTED);
    // Reads (a verify) stay at the drive's fastest read speed, 12x BD.
    assert_eq!(
        r.control.stats().selected_read_speed_kbps,
        (12.0 * 4495.5_f64).round() as u32,
        "{:?}",
        r.control.stats()
    );
    let cur = sel.current_sectors_per_second.unwrap();
    assert!((f64::from(cur) / 2195.0 - 4.0).abs() < 0.1, "{cur}");
    // Asking for exactly an offered CLV speed is not adjusted.
    let two_x = speeds
        .iter()
        .find(|s| (s.multiple.unwrap() - 2.0).abs() < 0.05)
        .unwrap();
    let sel = r
        .recorder
        .set_write_speed(two_x.sectors_per_second as i32, false)
        .unwrap();
    assert_eq!(sel.adjustment, SpeedAdjustment::None, "{sel:?}");
    // Fastest.
    let sel = r.recorder.set_write_speed(-1, false).unwrap();
    assert_eq!(
        sel.selected.unwrap().kilobytes_per_second,
        speeds[0].kilobytes_per_second
    );
    assert!(r.recorder.set_write_speed(0, false).is_err());
}

#[test]
fn cd_speed_uses_set_cd_speed() {
    let r = rig(Media::CdR, |c| c);
    let sel = r.recorder.set_write_speed(75 * 16, false).unwrap();
    assert!(r.count(0xBB) >= 1, "SET CD SPEED sent");
    assert_eq!(r.count(0xB6), 0);
    let x = sel.selected.unwrap().multiple.unwrap();
    assert!((x - 16.0).abs() < 0.2, "{x}");
}

#[test]
fn exclusive_access_is_counted_and_exclusive() {
    let r = rig(Media::BdR, |c| c);
    let other = Recorder::new(
        Box::new(
            discburn_vdrive::VirtualDriveConfig::new(r.dir.path().join("other.img"), Media::BdR)
                .open(Arc::clone(&r.clock))
                .unwrap(),
        ),
        r.recorder.active_disc_recorder(),
        Arc::clone(&r.clock),
    );
    assert_eq!(
        r.recorder
            .acquire_exclusive_access(false, "bad/name")
            .unwrap_err()
            .hresult(),
        E_IMAPI_RECORDER_CLIENT_NAME_IS_NOT_VALID
    );
    r.recorder
        .acquire_exclusive_access(true, "burner one")
        .unwrap();
    r.recorder
        .acquire_exclusive_access(true, "burner one")
        .unwrap();
    assert_eq!(
        other.exclusive_access_owner().as_deref(),
        Some("burner one")
    );
    let e = other
        .acquire_exclusive_access(true, "burner two")
        .unwrap_err();
    assert_eq!(e.hresult(), E_IMAPI_RECORDER_LOCKED);
    assert!(e.to_string().contains("burner one"));
    assert_eq!(
        other.test_unit_ready().unwrap_err().hresult(),
        E_IMAPI_RECORDER_LOCKED
    );
    r.recorder.test_unit_ready().unwrap();
    r.recorder.release_exclusive_access().unwrap();
    assert!(other.test_unit_ready().is_err(), "still held once");
    r.recorder.release_exclusive_access().unwrap();
    other.test_unit_ready().unwrap();
    other.acquire_exclusive_access(false, "burner two").unwrap();
    drop(other);
    r.recorder
        .acquire_exclusive_access(false, "burner one")
        .unwrap();
}

#[test]
fn tray_and_removal() {
    let r = rig(Media::BdR, |c| c);
    r.recorder.prevent_media_removal().unwrap();
    r.recorder.allow_media_removal().unwrap();
    r.recorder.eject_media().unwrap();
    r.recorder.close_tray().unwrap();
    assert_eq!(r.count(0x1B), 2);
    assert_eq!(r.count(0x1E), 2);
}

#[test]
fn imapi2_facade_round_trip() {
    let r = rig(Media::BdR, |c| c.speed_x(4.0));
    let rec = MsftDiscRecorder2::new(Arc::clone(&r.recorder));
    let eng = MsftWriteEngine2::new();
    assert_eq!(eng.put_Recorder(None), E_POINTER);
    assert_eq!(eng.put_Recorder(Some(&rec)), S_OK);
    assert_eq!(eng.put_BytesPerSector(2048), S_OK);
    assert_eq!(
        eng.put_UseStreamingWrite12(true),
        S_OK,
        "implemented, not E_NOTIMPL"
    );
    assert_eq!(eng.put_StartingSectorsPerSecond(-2), E_INVALIDARG);
    assert_eq!(eng.get_EndingSectorsPerSecond(None), E_POINTER);
    let mut v = 0;
    assert_eq!(eng.get_EndingSectorsPerSecond(Some(&mut v)), S_OK);
    assert_eq!(v, -1);
    assert_eq!(eng.CancelWrite(), S_IMAPI_WRITE_NOT_IN_PROGRESS);
    let mut max = 0;
    assert_eq!(rec.GetMaximumPageAlignedTransferSize(Some(&mut max)), S_OK);
    assert_eq!(max, 65536);
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let s = Arc::clone(&seen);
    eng.Advise(move |e, args| {
        let (mut start, mut last, mut total, mut used, mut free) = (0, 0, 0, 0, 0);
        assert_eq!(args.get_StartLba(Some(&mut start)), S_OK);
        assert_eq!(args.get_LastWrittenLba(Some(&mut last)), S_OK);
        args.get_TotalSystemBuffer(Some(&mut total));
        args.get_UsedSystemBuffer(Some(&mut used));
        args.get_FreeSystemBuffer(Some(&mut free));
        assert_eq!(used + free, total);
        let mut wip = false;
        e.get_WriteInProgress(Some(&mut wip));
        s.lock().unwrap().push((start, last, wip));
        if last >= 3000 {
            assert_eq!(e.CancelWrite(), S_OK);
        }
    });
    let data = common::pattern(0, 8000);
    assert_eq!(eng.WriteSection(None::<&[u8]>, 0, 8000), E_POINTER);
    let hr = eng.WriteSection(Some(&data[..]), 0, 8000);
    assert_eq!(hr, E_IMAPI_REQUEST_CANCELLED);
    let seen = seen.lock().unwrap();
    assert!(seen.len() >= 3 && seen.iter().all(|(s, _, w)| *s == 0 && *w));
    let mut owner = String::from("x");
    assert_eq!(rec.get_ExclusiveAccessOwner(Some(&mut owner)), S_OK);
    assert_eq!(owner, "");
}
