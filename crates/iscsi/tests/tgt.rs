//! Conformance against a real third-party target: tgt's MMC emulation (a blank DVD+R
//! over an empty file), each test with its own private tgtd on 127.0.0.1.
//! tgt must be installed; a missing tgtd fails these tests with instructions.

use std::time::{Duration, Instant};

use discburn_iscsi::testing::{Tgt, TgtOptions};
use discburn_iscsi::{Error, IscsiTransport};
use discburn_mmc::config::{Configuration, FeatureCode, GetConfiguration};
use discburn_mmc::device::{DeviceType, Inquiry, InquiryData, TestUnitReady};
use discburn_mmc::disc::{DiscInformation, DiscStatus, ReadDiscInformation};
use discburn_mmc::mode::{find_page, CapabilitiesPage, ModePages, ModeSense10};
use discburn_mmc::profile::Profile;
use discburn_mmc::rw::{SynchronizeCache10, Write10};
use discburn_mmc::sense::{Sense, SenseKey};
use discburn_mmc::speed::{
    BufferCapacityBytes, GetPerformance, PerformanceData, ReadBufferCapacity, WriteSpeedData,
};
use discburn_mmc::track::{
    CloseFunction, CloseTrackSession, ReadTrackInformation, TrackInformation,
};
use discburn_mmc::{Cdb, Command, Completion, Request, ScsiStatus, Transport, TransportError};

const T: Duration = Duration::from_secs(30);
const BLOCK: usize = 2048;

fn data_in(d: &mut IscsiTransport, cdb: &[u8], len: usize) -> (Completion, Vec<u8>) {
    let mut buf = vec![0u8; len];
    let c = d
        .execute(Request::data_in(cdb, &mut buf, T))
        .unwrap_or_else(|e| panic!("{:02x?}: {e}", cdb));
    assert!(c.is_good(), "{:02x?}: {c:?}", cdb);
    buf.truncate(c.transferred);
    (c, buf)
}

/// WRITE(10) of `len` bytes (whole blocks) from byte `offset`.
fn write10(offset: usize, len: usize) -> Cdb {
    Write10 {
        lba: (offset / BLOCK) as u32,
        blocks: (len / BLOCK) as u16,
        ..Default::default()
    }
    .emit()
}

/// WRITE(10) CDBs that write `len` bytes from LBA 0 in pieces of `chunk` bytes.
fn chunked_writes(len: usize, chunk: usize) -> Vec<Cdb> {
    (0..len / chunk)
        .map(|i| write10(i * chunk, chunk))
        .collect()
}

/// The requests of [`chunked_writes`], each with its `chunk` of `data`.
fn chunked_requests<'a>(cdbs: &'a [Cdb], data: &'a [u8], chunk: usize) -> Vec<Request<'a>> {
    cdbs.iter()
        .zip(data.chunks(chunk))
        .map(|(c, b)| Request::data_out(c.as_bytes(), b, T))
        .collect()
}

fn sense_of(c: &Completion) -> Sense {
    assert_eq!(c.status, ScsiStatus::CheckCondition, "{c:?}");
    Sense::parse(&c.sense).unwrap()
}

/// TEST UNIT READY until GOOD; the first answer after login is a unit attention.
fn ready(d: &mut IscsiTransport) {
    let tur = TestUnitReady.emit();
    for _ in 0..3 {
        let c = d.execute(Request::none(tur.as_bytes(), T)).unwrap();
        if c.is_good() {
            return;
        }
        assert_eq!(sense_of(&c).key, SenseKey::UnitAttention, "{c:?}");
    }
    panic!("TEST UNIT READY never became GOOD");
}

fn profile(d: &mut IscsiTransport) -> Profile {
    let (_, buf) = data_in(d, GetConfiguration::current(64).emit().as_bytes(), 64);
    Configuration::parse(&buf).unwrap().current_profile
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| ((i / BLOCK) as u8) ^ (i as u8).wrapping_mul(31))
        .collect()
}

#[test]
fn identify_a_blank_dvd_plus_r_and_read_its_state() {
    let tgt = Tgt::start();
    let mut d = IscsiTransport::open(&tgt.url()).unwrap();
    assert!(d.limits().max_in_flight > 1, "{:?}", d.limits());
    ready(&mut d);

    let inq = Inquiry::standard();
    let (_, buf) = data_in(&mut d, inq.emit().as_bytes(), usize::from(inq.alloc));
    let id = InquiryData::parse(&buf).unwrap();
    assert_eq!(id.device_type, DeviceType::from(5), "{id:?}");
    assert!(id.removable);

    // GET CONFIGURATION: tgt returns the whole allocation length, zero-padded; the
    // parser must stop at the descriptors the header's length covers (or at zeros).
    let (c, buf) = data_in(&mut d, GetConfiguration::all(4096).emit().as_bytes(), 4096);
    assert_eq!(c.transferred, 4096);
    let cfg = Configuration::parse(&buf).unwrap();
    assert_eq!(cfg.current_profile, Profile::DvdPlusR);
    assert!(cfg
        .profiles()
        .iter()
        .any(|p| p.profile == Profile::DvdPlusR && p.current));
    let plus_r = cfg.feature(FeatureCode::DvdPlusR).expect("feature 002Bh");
    assert!(plus_r.current);
    let codes: Vec<FeatureCode> = cfg.features.iter().map(|f| f.code()).collect();
    for want in [
        FeatureCode::ProfileList,
        FeatureCode::Core,
        FeatureCode::DvdPlusR,
    ] {
        assert!(codes.contains(&want), "{want:?} missing from {codes:?}");
    }

    let (_, buf) = data_in(
        &mut d,
        ReadDiscInformation::standard().emit().as_bytes(),
        34,
    );
    let di = DiscInformation::parse(&buf).unwrap();
    assert_eq!(di.disc_status, DiscStatus::Empty, "{di:?}");

    let (_, buf) = data_in(&mut d, ReadTrackInformation::track(1).emit().as_bytes(), 48);
    let ti = TrackInformation::parse(&buf).unwrap();
    assert_eq!(ti.track, 1);
    assert!(ti.blank);
    assert_eq!(ti.nwa, Some(0));
    assert!(ti.free_blocks > 2_000_000, "{ti:?}");

    let (_, buf) = data_in(
        &mut d,
        ModeSense10::current(0x2a, 256).emit().as_bytes(),
        256,
    );
    let caps: CapabilitiesPage = find_page(&buf).unwrap();
    assert!(caps.read != 0, "{caps:?}");
    let (_, buf) = data_in(
        &mut d,
        ModeSense10::current(0x3f, 4096).emit().as_bytes(),
        4096,
    );
    let pages: Vec<u8> = ModePages::new(&buf).map(|p| p.page_code()).collect();
    for want in [0x01, 0x05, 0x2a] {
        assert!(
            pages.contains(&want),
            "page {want:02x} missing from {pages:02x?}"
        );
    }

    let gp = GetPerformance::performance(true, 0, 8);
    let (_, buf) = data_in(&mut d, gp.emit().as_bytes(), gp.response_len());
    let perf = PerformanceData::parse(&buf).unwrap();
    assert!(!perf.nominal.is_empty(), "{perf:?}");
    let ws = GetPerformance::write_speeds(8);
    let (_, buf) = data_in(&mut d, ws.emit().as_bytes(), ws.response_len());
    let speeds = WriteSpeedData::parse(&buf).unwrap();
    assert!(!speeds.descriptors.is_empty(), "{speeds:?}");

    let (_, buf) = data_in(&mut d, ReadBufferCapacity::bytes().emit().as_bytes(), 12);
    let cap = BufferCapacityBytes::parse(&buf).unwrap();
    assert!(cap.buffer_length >= cap.available_length && cap.buffer_length > 0);

    d.logout().unwrap();
    assert!(matches!(
        d.execute(Request::none(&[0; 6], T)),
        Err(TransportError::DeviceGone(_))
    ));
    d.reconnect().unwrap();
    ready(&mut d);
}

#[test]
fn pipelined_write_sync_close_then_the_disc_is_a_dvd_rom() {
    let tgt = Tgt::start();
    let mut d = IscsiTransport::open(&tgt.url()).unwrap();
    ready(&mut d);
    let image = pattern(4 * 1024 * 1024);
    let chunk = 256 * 1024;
    let cdbs = chunked_writes(image.len(), chunk);
    let mut reqs = chunked_requests(&cdbs, &image, chunk);
    for r in d.execute_queue(&mut reqs) {
        let c = r.unwrap();
        assert!(c.is_good(), "{c:?}");
        assert_eq!(c.transferred, chunk);
    }
    let sync = SynchronizeCache10::default().emit();
    assert!(d
        .execute(Request::none(sync.as_bytes(), T))
        .unwrap()
        .is_good());
    let close = CloseTrackSession {
        immed: false,
        function: CloseFunction::CloseSession,
        number: 0,
    }
    .emit();
    assert!(d
        .execute(Request::none(close.as_bytes(), T))
        .unwrap()
        .is_good());
    assert!(
        tgt.image_bytes() == image,
        "backing file differs from the data written"
    );
    assert_eq!(profile(&mut d), Profile::DvdRom);

    let again = write10(0, BLOCK);
    let c = d
        .execute(Request::data_out(again.as_bytes(), &image[..BLOCK], T))
        .unwrap();
    let s = sense_of(&c);
    assert_eq!(
        (s.key, s.asc, s.ascq),
        (SenseKey::IllegalRequest, 0x30, 0x05),
        "{s:?}"
    );

    // The harness can insert a fresh blank disc for the next burn.
    tgt.blank_disc().unwrap();
    assert!(tgt.image_bytes().is_empty());
    ready(&mut d);
    assert_eq!(profile(&mut d), Profile::DvdPlusR);
}

#[test]
fn abort_task_on_timeout_and_cancel_leave_tgt_usable() {
    let tgt = Tgt::start();
    let mut d = IscsiTransport::open(&tgt.url()).unwrap();
    ready(&mut d);
    let tur = TestUnitReady.emit();

    // A 1 MiB write that times out at once: its R2Ts are ignored, so tgt holds the task
    // waiting for data until ABORT TASK removes it.
    let big = pattern(1024 * 1024);
    let w = write10(0, big.len());
    let r = d.execute(Request::data_out(w.as_bytes(), &big, Duration::ZERO));
    assert!(matches!(r, Err(TransportError::Timeout(_))), "{r:?}");
    assert!(d
        .execute(Request::none(tur.as_bytes(), T))
        .unwrap()
        .is_good());

    // Cancel from another thread in the middle of a pipelined queue.
    let cancel = d.cancel_handle();
    let path = tgt.image_path().to_path_buf();
    let worker = std::thread::spawn(move || {
        let chunk = 256 * 1024;
        let data = pattern(64 * chunk);
        let cdbs = chunked_writes(data.len(), chunk);
        let mut reqs = chunked_requests(&cdbs, &data, chunk);
        let res = d.execute_queue(&mut reqs);
        (d, res)
    });
    let start = Instant::now();
    while std::fs::metadata(&path).map_or(0, |m| m.len()) == 0 && start.elapsed() < T {
        std::thread::yield_now();
    }
    cancel.cancel();
    let (mut d, res) = worker.join().unwrap();
    let mut stopped = false;
    for r in &res {
        match r {
            Ok(c) => assert!(c.is_good(), "{c:?}"),
            Err(TransportError::Aborted(_)) | Err(TransportError::NotExecuted) => stopped = true,
            Err(e) => panic!("{e}"),
        }
    }
    if !stopped {
        // All 64 finished before the cancel was seen: it applies to the next command.
        let r = d.execute(Request::none(tur.as_bytes(), T));
        assert!(matches!(r, Err(TransportError::Aborted(_))), "{r:?}");
    }
    assert!(d
        .execute(Request::none(tur.as_bytes(), T))
        .unwrap()
        .is_good());
}

#[test]
fn chap_login_and_crc32c_digests() {
    let tgt = Tgt::start_with(TgtOptions {
        chap: Some(("discburn".into(), "secret-12345".into())),
        ..TgtOptions::default()
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let e = IscsiTransport::open(&tgt.url_without_auth()).unwrap_err();
    assert!(matches!(e, Error::Login { .. }), "{e}");
    let wrong = tgt.url().replace("secret-12345", "wrong-secret");
    let e = IscsiTransport::open(&wrong).unwrap_err();
    assert!(e.to_string().contains("authentication failure"), "{e}");

    // tgt offers only None unless told otherwise.
    for key in ["HeaderDigest", "DataDigest"] {
        tgt.tgtadm(&[
            "--mode",
            "target",
            "--op",
            "update",
            "--tid",
            "1",
            "--name",
            key,
            "--value",
            "CRC32C,None",
        ])
        .unwrap();
    }
    let url = format!("{}?header_digest=crc32c&data_digest=crc32c", tgt.url());
    let mut d = IscsiTransport::open(&url).unwrap();
    let n = d.negotiated().unwrap().clone();
    assert!(n.header_digest && n.data_digest, "{n:?}");
    ready(&mut d);
    let data = pattern(512 * 1024);
    let w = write10(0, data.len());
    assert!(d
        .execute(Request::data_out(w.as_bytes(), &data, T))
        .unwrap()
        .is_good());
    assert!(tgt.image_bytes() == data);
    let (_, buf) = data_in(&mut d, GetConfiguration::all(2048).emit().as_bytes(), 2048);
    assert_eq!(
        Configuration::parse(&buf).unwrap().current_profile,
        Profile::DvdPlusR
    );
}
