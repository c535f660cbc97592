//! The target (`discburn_iscsi::target::Server`) with the virtual recorder behind its
//! LUNs, driven by this crate's initiator and by hostile peers on 127.0.0.1.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use discburn_iscsi::pdu::{self, Digests, Pdu};
use discburn_iscsi::target::{ServeError, Server, ServerConfig, ShutdownHandle, TargetAuth};
use discburn_iscsi::testing_login::full_feature_login;
use discburn_iscsi::{IscsiOptions, IscsiTransport, IscsiUrl};
use discburn_mmc::clock::SystemClock;
use discburn_mmc::{Request, ScsiStatus, Transport};
use discburn_vdrive::VirtualDrive;

const T: Duration = Duration::from_secs(30);

type Served = Result<Vec<Box<dyn Transport>>, ServeError>;

/// A running target over temporary images, stopped (and joined) on drop.
struct Running {
    _dir: tempfile::TempDir,
    addr: SocketAddr,
    urls: Vec<String>,
    stop: ShutdownHandle,
    thread: Option<JoinHandle<Served>>,
}

impl Running {
    /// A target over one blank DVD+R that admits `user` with `secret` by CHAP, and
    /// answers as `mutual` (name, secret) when the initiator asks.
    fn chap(user: &str, secret: &str, mutual: Option<(&str, &str)>) -> Running {
        Running::start(&["dvd+r"], |c| {
            c.auth = TargetAuth::Chap {
                user: user.into(),
                secret: secret.into(),
                mutual: mutual.map(|(n, s)| (n.into(), s.into())),
            };
        })
    }

    fn start(media: &[&str], tweak: impl FnOnce(&mut ServerConfig)) -> Running {
        let dir = tempfile::tempdir().unwrap();
        let luns: Vec<Box<dyn Transport>> = media
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let a = format!(
                    "virtual:{}?media={m}&speed=max&throttle=off",
                    dir.path().join(format!("d{i}.img")).display()
                );
                Box::new(VirtualDrive::open(&a, SystemClock::shared()).unwrap())
                    as Box<dyn Transport>
            })
            .collect();
        let mut cfg = ServerConfig::new("iqn.2026-12.test.discburn:target");
        tweak(&mut cfg);
        let server = Server::bind("127.0.0.1:0".parse().unwrap(), cfg, luns).unwrap();
        let urls = (0..media.len() as u16).map(|l| server.url(l)).collect();
        let addr = server.local_addr();
        let stop = server.shutdown_handle();
        let thread = Some(std::thread::spawn(move || server.run()));
        Running {
            _dir: dir,
            addr,
            urls,
            stop,
            thread,
        }
    }

    fn stop(mut self) -> Vec<Box<dyn Transport>> {
        self.stop.shutdown();
        self.thread.take().unwrap().join().unwrap().unwrap()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.shutdown();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn open(url: &str, tweak: impl FnOnce(&mut IscsiOptions, &mut IscsiUrl)) -> IscsiTransport {
    try_open(url, tweak).unwrap()
}

fn try_open(
    url: &str,
    tweak: impl FnOnce(&mut IscsiOptions, &mut IscsiUrl),
) -> Result<IscsiTransport, discburn_iscsi::Error> {
    let mut o = IscsiOptions::default();
    let mut u = IscsiUrl::parse(url).unwrap();
    tweak(&mut o, &mut u);
    IscsiTransport::connect(u, o)
}

fn inquiry(d: &mut dyn Transport) -> Vec<u8> {
    let mut buf = [0u8; 96];
    let c = d
        .execute(Request::data_in(&[0x12, 0, 0, 0, 96, 0], &mut buf, T))
        .unwrap();
    assert_eq!(c.status, ScsiStatus::Good, "INQUIRY: {c:?}");
    buf[..c.transferred].to_vec()
}

fn write10(lba: u32, blocks: u16) -> [u8; 10] {
    let l = lba.to_be_bytes();
    let b = blocks.to_be_bytes();
    [0x2a, 0, l[0], l[1], l[2], l[3], 0, b[0], b[1], 0]
}

fn read10(lba: u32, blocks: u16) -> [u8; 10] {
    let mut c = write10(lba, blocks);
    c[0] = 0x28;
    c
}

fn pattern(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).max(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

/// Writes `data` from LBA 0 in WRITEs of varying sizes, then reads it all back.
fn round_trip(d: &mut dyn Transport, data: &[u8]) {
    let sizes = [1u16, 16, 17, 128, 256, 512, 3, 64];
    let mut lba = 0u32;
    let total = (data.len() / 2048) as u32;
    let mut i = 0;
    while lba < total {
        let n = u32::from(sizes[i % sizes.len()]).min(total - lba) as u16;
        let at = lba as usize * 2048;
        let chunk = &data[at..at + usize::from(n) * 2048];
        let c = d
            .execute(Request::data_out(&write10(lba, n), chunk, T))
            .unwrap();
        assert_eq!(c.status, ScsiStatus::Good, "WRITE(10) {lba}+{n}: {c:?}");
        lba += u32::from(n);
        i += 1;
    }
    let c = d
        .execute(Request::none(&[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0], T))
        .unwrap();
    assert_eq!(c.status, ScsiStatus::Good, "SYNCHRONIZE CACHE: {c:?}");
    let mut back = vec![0u8; data.len()];
    for (k, piece) in back.chunks_mut(128 * 2048).enumerate() {
        let blocks = (piece.len() / 2048) as u16;
        let c = d
            .execute(Request::data_in(&read10(k as u32 * 128, blocks), piece, T))
            .unwrap();
        assert_eq!(c.status, ScsiStatus::Good, "READ(10): {c:?}");
        assert_eq!(c.transferred, piece.len());
    }
    assert!(back == data, "read back differs from what was written");
}

#[test]
fn our_initiator_writes_and_reads_back_through_the_target() {
    let t = Running::start(&["dvd+r"], |_| {});
    let mut d = open(&t.urls[0], |_, _| {});
    let inq = inquiry(&mut d);
    assert_eq!(inq[0] & 0x1f, 0x05, "an MMC device");
    assert_eq!(&inq[8..16], b"DISCBURN");
    round_trip(&mut d, &pattern(5 * 1024 * 1024, 1));
    d.logout().unwrap();
    drop(d);
    let luns = t.stop();
    assert_eq!(luns.len(), 1);
}

#[test]
fn every_data_out_path_and_both_digests_carry_the_same_bytes() {
    // Immediate data only; immediate + unsolicited; R2T only; with digests.
    let offers: [(bool, bool, bool); 4] = [
        (true, true, false),
        (true, false, false),
        (false, true, true),
        (false, true, false),
    ];
    for (k, (immediate, initial_r2t, digests)) in offers.into_iter().enumerate() {
        let t = Running::start(&["bd-r"], |_| {});
        let mut d = open(&t.urls[0], |o, u| {
            o.offer.immediate_data = immediate;
            o.offer.initial_r2t = initial_r2t;
            o.offer.first_burst_length = 64 * 1024;
            o.offer.max_burst_length = 128 * 1024;
            o.offer.header_digest = digests;
            o.offer.data_digest = digests;
            let _ = u;
        });
        if digests {
            let n = d.negotiated().unwrap();
            assert!(
                n.header_digest && n.data_digest,
                "digests negotiated: {n:?}"
            );
        }
        round_trip(&mut d, &pattern(2 * 1024 * 1024, k as u32 + 7));
    }
}

#[test]
fn two_luns_serve_two_initiators_at_once() {
    let t = Running::start(&["dvd+r", "bd-r"], |_| {});
    let urls = t.urls.clone();
    let workers: Vec<_> = urls
        .into_iter()
        .enumerate()
        .map(|(i, u)| {
            std::thread::spawn(move || {
                let mut d = open(&u, |_, _| {});
                round_trip(&mut d, &pattern(3 * 1024 * 1024, 100 + i as u32));
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
}

#[test]
fn chap_admits_the_right_secret_only() {
    let t = Running::chap("alice", "a-long-enough-secret", None);
    let url = |p: &str| t.urls[0].replace("iscsi://", &format!("iscsi://alice%{p}@"));
    let mut d = open(&url("a-long-enough-secret"), |_, _| {});
    inquiry(&mut d);
    let wrong = try_open(&url("not-the-secret-at-all"), |_, _| {});
    let Err(e) = wrong else {
        panic!("a wrong secret must be refused");
    };
    assert!(
        e.to_string().contains("authentication") || e.to_string().contains("02/01"),
        "refusal names authentication: {e}"
    );
    assert!(!e.to_string().contains("a-long-enough-secret"));
    let none = try_open(&t.urls[0], |_, _| {});
    assert!(none.is_err(), "a login without CHAP is refused");
    // The admitted session still works after the refusals.
    inquiry(&mut d);
}

#[test]
fn unknown_lun_answers_as_spc_says() {
    let t = Running::start(&["dvd+r"], |_| {});
    let url = t.urls[0].trim_end_matches('0').to_string() + "5";
    let mut d = open(&url, |_, _| {});
    let inq = inquiry(&mut d);
    assert_eq!(inq[0], 0x7f, "peripheral qualifier 011b, no device type");
    let c = d.execute(Request::none(&[0; 6], T)).unwrap();
    assert_eq!(c.status, ScsiStatus::CheckCondition);
    assert_eq!(
        (c.sense[2] & 0xf, c.sense[12]),
        (0x5, 0x25),
        "LOGICAL UNIT NOT SUPPORTED"
    );
    // REPORT LUNS lists the one LUN there is.
    let mut buf = [0u8; 64];
    let c = d
        .execute(Request::data_in(
            &[0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0],
            &mut buf,
            T,
        ))
        .unwrap();
    assert_eq!(c.status, ScsiStatus::Good);
    assert_eq!(&buf[..4], &[0, 0, 0, 8]);
}

/// A raw login request for SessionType=Normal, as bytes.
fn raw_login(iqn: &str) -> Vec<u8> {
    full_feature_login(&format!(
        "InitiatorName=iqn.2026-12.test:raw\0TargetName={iqn}\0SessionType=Normal\0"
    ))
}

/// Reads until the peer closes (Ok) or `limit` passes (Err).
fn wait_closed(s: &mut TcpStream, limit: Duration) -> Result<Vec<u8>, String> {
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let end = Instant::now() + limit;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while Instant::now() < end {
        match s.read(&mut buf) {
            Ok(0) => return Ok(got),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return Ok(got),
        }
    }
    Err("still open".into())
}

#[test]
fn garbage_half_open_and_stalled_logins_are_dropped_and_others_keep_working() {
    let t = Running::start(&["dvd+r"], |c| c.login_timeout = Duration::from_millis(500));
    let mut d = open(&t.urls[0], |_, _| {});
    // Garbage: a header announcing a 16 MiB data segment, then noise.
    let mut g = TcpStream::connect(t.addr).unwrap();
    let mut junk = vec![0x43u8; 48];
    junk[5..8].copy_from_slice(&[0xff, 0xff, 0xff]);
    g.write_all(&junk).unwrap();
    wait_closed(&mut g, T).expect("garbage closes the connection");
    // Half-open: connected, nothing sent; and a login that never finishes (half a PDU).
    let mut h = TcpStream::connect(t.addr).unwrap();
    let mut s = TcpStream::connect(t.addr).unwrap();
    s.write_all(&raw_login("iqn.2026-12.test.discburn:target")[..30])
        .unwrap();
    wait_closed(&mut h, T).expect("a silent peer is dropped after the login timeout");
    wait_closed(&mut s, T).expect("a stalled login is dropped after the login timeout");
    // The logged-in initiator never noticed.
    round_trip(&mut d, &pattern(256 * 1024, 9));
}

#[test]
fn sixty_four_connections_at_once_and_the_sixty_fifth_is_refused() {
    let t = Running::start(&["dvd+r", "bd-r"], |c| c.max_connections = 64);
    let mut held = Vec::new();
    for _ in 0..63 {
        let mut d = open(&t.urls[0], |_, _| {});
        inquiry(&mut d);
        held.push(d);
    }
    let mut worker = open(&t.urls[1], |_, _| {});
    // Every slot is taken: the next login is refused with 03/02 out of resources.
    let refused = try_open(&t.urls[0], |_, _| {});
    assert!(refused.is_err(), "the 65th connection must be refused");
    round_trip(&mut worker, &pattern(1024 * 1024, 3));
    for d in &mut held {
        inquiry(d);
    }
    drop(held);
}

#[test]
fn a_second_bind_on_the_same_port_says_it_is_in_use() {
    let t = Running::start(&["dvd+r"], |_| {});
    let dir = tempfile::tempdir().unwrap();
    let a = format!("virtual:{}?media=cd-r", dir.path().join("x.img").display());
    let lun =
        Box::new(VirtualDrive::open(&a, SystemClock::shared()).unwrap()) as Box<dyn Transport>;
    let e = Server::bind(t.addr, ServerConfig::new("iqn.2026-12.test:b"), vec![lun]).unwrap_err();
    assert!(matches!(e, ServeError::AddrInUse { .. }), "{e}");
    assert!(e.to_string().contains("in use"));
}

/// Runs a libiscsi tool (Debian's libiscsi-bin), failing with how to install it.
fn libiscsi(tool: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "{tool} cannot run ({e}): install libiscsi-bin (apt-get install libiscsi-bin) or run scripts/test, which installs it"
        )
    });
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{tool} {args:?} failed: {text}");
    text
}

#[test]
fn libiscsi_discovers_the_target_and_reads_each_luns_identity() {
    // libiscsi is the initiator QEMU uses for `-drive file=iscsi://…`: a third party.
    let t = Running::start(&["bd-r", "cd-rw"], |_| {});
    let portal = format!("iscsi://{}", t.addr);
    let listed = libiscsi("iscsi-ls", &["-s", &portal]);
    assert!(
        listed.contains("Target:iqn.2026-12.test.discburn:target"),
        "SendTargets lists the target: {listed}"
    );
    assert!(listed.contains(&format!("Portal:{},1", t.addr)), "{listed}");
    assert!(
        listed.contains("Lun:0") && listed.contains("Lun:1") && listed.contains("Type:MMC"),
        "REPORT LUNS and INQUIRY of both LUNs: {listed}"
    );
    for url in &t.urls {
        let inq = libiscsi("iscsi-inq", &[url]);
        assert!(inq.contains("Peripheral Device Type:MMC"), "{inq}");
        assert!(
            inq.contains("Vendor:DISCBURN") && inq.contains("Product:VIRTUAL RECORDER"),
            "{inq}"
        );
    }
}

#[test]
fn libiscsi_logs_in_with_chap() {
    let t = Running::chap("bob", "bobs-secret-1234", None);
    let ok = t.urls[0].replace("iscsi://", "iscsi://bob%bobs-secret-1234@");
    let inq = libiscsi("iscsi-inq", &[&ok]);
    assert!(inq.contains("Vendor:DISCBURN"), "{inq}");
    let bad = t.urls[0].replace("iscsi://", "iscsi://bob%wrong-secret-5678@");
    let out = std::process::Command::new("iscsi-inq")
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success(), "a wrong secret must be refused");
}

#[test]
fn libiscsi_mutual_chap_checks_the_target_too() {
    let t = Running::chap(
        "carol",
        "carols-secret-99",
        Some(("tgt", "targets-secret-77")),
    );
    let url = |tp: &str| {
        format!(
            "{}?target_user=tgt&target_password={tp}",
            t.urls[0].replace("iscsi://", "iscsi://carol%carols-secret-99@")
        )
    };
    let inq = libiscsi("iscsi-inq", &[&url("targets-secret-77")]);
    assert!(inq.contains("Vendor:DISCBURN"), "{inq}");
    // An initiator expecting another target secret rejects our answer.
    let out = std::process::Command::new("iscsi-inq")
        .arg(url("some-other-secret"))
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "libiscsi must refuse a target that answers wrongly"
    );
}

#[test]
fn an_idle_initiator_is_pinged_and_dropped_only_if_asked() {
    use discburn_iscsi::target::{ConnectionState, TargetConfig, TargetConnection};
    use std::sync::Arc;
    let iqn = "iqn.2026-12.test.discburn:target";
    for timeout in [None, Some(Duration::from_secs(5))] {
        let mut cfg = TargetConfig::new(iqn, 1, "127.0.0.1:3260");
        cfg.nop_timeout = timeout;
        let mut c = TargetConnection::new(Arc::new(cfg), 1, [1; 16], Duration::ZERO);
        c.receive(&raw_login(iqn), Duration::ZERO);
        assert_eq!(c.state(), ConnectionState::FullFeature);
        let _ = c.take_output();
        let due = c.poll_timeout().unwrap();
        assert_eq!(due, Duration::from_secs(30));
        c.handle_timeout(due);
        let ping = c.take_output();
        assert!(matches!(Pdu::parse(&ping), Ok(Pdu::NopIn(n)) if n.itt == pdu::RESERVED_TAG));
        c.handle_timeout(due + Duration::from_secs(60));
        let closed = c.state() == ConnectionState::Closed;
        assert_eq!(closed, timeout.is_some(), "nop_timeout {timeout:?}");
    }
}

/// A connection in memory, logged in or not, and the PDUs it answers (byte level).
mod session_level {
    use super::*;
    use discburn_iscsi::pdu::{Decoder, LogoutRequest, ScsiCommand, TaskMgmtRequest, TextRequest};
    use discburn_iscsi::target::{ConnectionState, TargetConfig, TargetConnection, TaskResult};
    use std::sync::Arc;

    const IQN: &str = "iqn.2026-12.test.discburn:target";

    fn conn() -> TargetConnection {
        TargetConnection::new(
            Arc::new(TargetConfig::new(IQN, 1, "127.0.0.1:3260")),
            1,
            [3; 16],
            Duration::ZERO,
        )
    }

    fn answers(c: &mut TargetConnection) -> Vec<(Pdu, Vec<u8>)> {
        let mut d = Decoder::new();
        d.set_max_data_segment(1 << 20);
        d.push(&c.take_output());
        let mut out = Vec::new();
        while let Ok(Some(f)) = d.next_frame() {
            out.push((f.pdu().unwrap(), f.data));
        }
        out
    }

    fn login_status(text: &str) -> (u8, u8, ConnectionState) {
        let mut c = conn();
        c.receive(&full_feature_login(text), Duration::ZERO);
        match answers(&mut c).first() {
            Some((Pdu::LoginResponse(r), _)) => (r.status_class, r.status_detail, c.state()),
            other => panic!("not a login response: {other:?}"),
        }
    }

    #[test]
    fn login_refusals_carry_rfc_7143_status() {
        let ok = format!("InitiatorName=iqn.x:i\0TargetName={IQN}\0");
        assert_eq!(login_status(&ok), (0, 0, ConnectionState::FullFeature));
        assert_eq!(
            login_status("InitiatorName=iqn.x:i\0TargetName=iqn.other:t\0"),
            (2, 3, ConnectionState::Closed),
            "not this target"
        );
        assert_eq!(
            login_status(&format!("TargetName={IQN}\0")),
            (2, 7, ConnectionState::Closed),
            "no InitiatorName"
        );
        assert_eq!(
            login_status("InitiatorName=iqn.x:i\0SessionType=Normal\0"),
            (2, 7, ConnectionState::Closed),
            "no TargetName"
        );
        assert_eq!(
            login_status("InitiatorName=iqn.x:i\0SessionType=Bogus\0"),
            (2, 0, ConnectionState::Closed)
        );
    }

    fn logged_in() -> TargetConnection {
        let mut c = conn();
        c.receive(
            &full_feature_login(&format!(
                "InitiatorName=iqn.x:i\0TargetName={IQN}\0InitialR2T=Yes\0ImmediateData=No\0"
            )),
            Duration::ZERO,
        );
        assert_eq!(c.state(), ConnectionState::FullFeature);
        let _ = c.take_output();
        c
    }

    fn write_cmd(itt: u32, cmdsn: u32, edtl: u32) -> Vec<u8> {
        let mut cdb = [0u8; 16];
        cdb[..10].copy_from_slice(&write10(0, (edtl / 2048) as u16));
        let p = Pdu::ScsiCommand(ScsiCommand {
            immediate: false,
            final_: true,
            read: false,
            write: true,
            attr: 1,
            lun: pdu::encode_lun(0),
            itt,
            edtl,
            cmdsn,
            exp_statsn: 2,
            cdb,
        });
        pdu::encode_to_vec(&p, &[], Digests::default())
    }

    #[test]
    fn a_write_is_solicited_by_r2t_and_abort_task_removes_it_before_it_runs() {
        let mut c = logged_in();
        c.receive(&write_cmd(10, 1, 4096), Duration::ZERO);
        let a = answers(&mut c);
        let Some((Pdu::R2t(r), _)) = a.first() else {
            panic!("InitialR2T=Yes: the target asks for the data: {a:?}");
        };
        assert_eq!((r.itt, r.offset, r.desired_len), (10, 0, 4096));
        assert!(c.next_command().is_none(), "no data yet, nothing to run");
        let abort = Pdu::TaskMgmtRequest(TaskMgmtRequest {
            immediate: true,
            function: 1,
            lun: pdu::encode_lun(0),
            itt: 11,
            referenced_task_tag: 10,
            cmdsn: 2,
            exp_statsn: 2,
            ref_cmdsn: 1,
            exp_datasn: 0,
        });
        c.receive(
            &pdu::encode_to_vec(&abort, &[], Digests::default()),
            Duration::ZERO,
        );
        let a = answers(&mut c);
        assert!(
            matches!(a.first(), Some((Pdu::TaskMgmtResponse(t), _)) if t.response == 0 && t.itt == 11)
        );
        assert!(
            c.next_command().is_none(),
            "the aborted write never reaches the drive"
        );
        // A completion for it (late, from a confused caller) is ignored.
        c.complete(
            10,
            TaskResult {
                status: 0,
                sense: vec![],
                data: vec![],
            },
        );
        assert!(answers(&mut c).is_empty());
    }

    #[test]
    fn cmdsn_outside_the_window_is_ignored() {
        let mut c = logged_in();
        c.receive(&write_cmd(20, 1 + 1000, 2048), Duration::ZERO);
        assert!(
            answers(&mut c).is_empty(),
            "a CmdSN far ahead of ExpCmdSN is dropped"
        );
        c.receive(&write_cmd(21, 1, 2048), Duration::ZERO);
        assert!(matches!(answers(&mut c).first(), Some((Pdu::R2t(_), _))));
    }

    #[test]
    fn discovery_answers_send_targets_and_refuses_scsi() {
        let mut c = conn();
        c.receive(
            &full_feature_login("InitiatorName=iqn.x:i\0SessionType=Discovery\0"),
            Duration::ZERO,
        );
        assert_eq!(c.state(), ConnectionState::Discovery);
        let _ = c.take_output();
        let t = Pdu::TextRequest(TextRequest {
            immediate: true,
            final_: true,
            cont: false,
            lun: [0; 8],
            itt: 5,
            ttt: pdu::RESERVED_TAG,
            cmdsn: 1,
            exp_statsn: 2,
        });
        c.receive(
            &pdu::encode_to_vec(&t, b"SendTargets=All\0", Digests::default()),
            Duration::ZERO,
        );
        let a = answers(&mut c);
        let Some((Pdu::TextResponse(r), data)) = a.first() else {
            panic!("{a:?}");
        };
        assert!(r.final_);
        let text = String::from_utf8_lossy(data);
        assert!(
            text.contains(&format!("TargetName={IQN}"))
                && text.contains("TargetAddress=127.0.0.1:3260,1"),
            "{text}"
        );
        c.receive(&write_cmd(6, 1, 2048), Duration::ZERO);
        assert!(
            matches!(answers(&mut c).first(), Some((Pdu::Reject(_), _))),
            "no SCSI in discovery"
        );
        let l = Pdu::LogoutRequest(LogoutRequest {
            immediate: true,
            reason: 0,
            itt: 7,
            cid: 0,
            cmdsn: 1,
            exp_statsn: 3,
        });
        c.receive(
            &pdu::encode_to_vec(&l, &[], Digests::default()),
            Duration::ZERO,
        );
        assert!(
            matches!(answers(&mut c).first(), Some((Pdu::LogoutResponse(r), _)) if r.response == 0)
        );
        assert_eq!(c.state(), ConnectionState::Closed);
    }
}
