//! The sans-I/O session against a scripted target: login variants, data phases,
//! windowing, timeouts and a target that breaks the rules.

mod common;

use std::time::Duration;

use common::*;
use discburn_iscsi::chap;
use discburn_iscsi::params::Offer;
use discburn_iscsi::pdu::{self, stage, tmf, LoginRequest, LoginResponse, Pdu, RESERVED_TAG};
use discburn_iscsi::session::{
    ChapCredentials, Event, LoginError, Session, SessionError, TaskData, TaskError, TaskResult,
    TaskTag,
};
use discburn_iscsi::text;
use discburn_mmc::ScsiStatus;

const T: Duration = Duration::from_secs(30);
const TUR: [u8; 6] = [0; 6];
const NOW: Duration = Duration::ZERO;

fn done(s: &mut Session) -> Vec<(TaskTag, Result<TaskResult, TaskError>)> {
    events(s)
        .into_iter()
        .filter_map(|e| match e {
            Event::TaskDone { tag, outcome } => Some((tag, outcome)),
            _ => None,
        })
        .collect()
}

/// Submits `cdb` to LUN 1 at [`NOW`] with timeout [`T`]; it must be accepted.
fn submit(s: &mut Session, cdb: &[u8], data: TaskData) -> TaskTag {
    s.submit(1, cdb, data, T, NOW).unwrap()
}

fn failure(s: &Session) -> String {
    s.failure().map(|e| e.to_string()).unwrap_or_default()
}

#[test]
fn login_none_then_tur_good() {
    let mut t = Target::new();
    let mut s = logged_in(config(), &mut t);
    assert_eq!(s.tsih(), 7);
    assert_eq!(s.negotiated().max_xmit_data_segment_length, 8192);
    assert_eq!(s.queue_depth(), 16);
    let tag = submit(&mut s, &TUR, TaskData::None);
    let f = sent(&mut s, &mut t);
    let Ok(Pdu::ScsiCommand(c)) = f[0].pdu() else {
        panic!()
    };
    assert!(c.final_ && !c.read && !c.write);
    assert_eq!(c.lun, pdu::encode_lun(1));
    assert_eq!(c.itt, tag.0);
    let r = t.response(c.itt, 0, &[], 0);
    s.handle_input(&r, NOW);
    let d = done(&mut s);
    assert_eq!(d.len(), 1);
    let res = d[0].1.as_ref().unwrap();
    assert_eq!(res.status, ScsiStatus::Good);
    assert_eq!(res.transferred, 0);
}

/// The target's successful Login Response to `req` in the security stage (StatSN 1,
/// a CmdSN window of one), moving on to `nsg` if `transit`.
fn security_response(req: &LoginRequest, transit: bool, nsg: u8) -> LoginResponse {
    LoginResponse {
        transit,
        cont: false,
        csg: stage::SECURITY,
        nsg,
        version_max: 0,
        version_active: 0,
        isid: req.isid,
        tsih: 0,
        itt: req.itt,
        statsn: 1,
        exp_cmdsn: 1,
        max_cmdsn: 1,
        status_class: 0,
        status_detail: 0,
    }
}

#[test]
fn chap_login_answers_the_challenge() {
    let mut cfg = config();
    cfg.chap = Some(ChapCredentials {
        user: "alice".into(),
        secret: "0123456789ab".into(),
    });
    let mut s = Session::new(cfg, NOW);
    let mut t = Target::new();
    let f = sent(&mut s, &mut t);
    let Ok(Pdu::LoginRequest(req)) = f[0].pdu() else {
        panic!()
    };
    let keys = text::parse(&f[0].data).unwrap();
    assert!(keys.contains(&("AuthMethod".into(), "CHAP,None".into())));
    assert!(!req.transit, "must not transit before authenticating");
    let resp = |t: &mut Target, keys: &[(&str, &str)], transit: bool, nsg: u8| {
        let r = security_response(&req, transit, nsg);
        t.encode(&Pdu::LoginResponse(r), &text::emit(keys))
    };
    let r = resp(&mut t, &[("AuthMethod", "CHAP")], false, 0);
    s.handle_input(&r, NOW);
    let f = sent(&mut s, &mut t);
    assert_eq!(
        text::parse(&f[0].data).unwrap(),
        vec![("CHAP_A".to_string(), "5".to_string())]
    );
    let r = resp(
        &mut t,
        &[("CHAP_A", "5"), ("CHAP_I", "7"), ("CHAP_C", "0x0a0b0c0d")],
        false,
        0,
    );
    s.handle_input(&r, NOW);
    let f = sent(&mut s, &mut t);
    let Ok(Pdu::LoginRequest(req2)) = f[0].pdu() else {
        panic!()
    };
    assert!(req2.transit && req2.nsg == stage::OPERATIONAL);
    let keys = text::parse(&f[0].data).unwrap();
    let expect = chap::encode_hex(&chap::response(7, b"0123456789ab", &[10, 11, 12, 13]));
    assert_eq!(
        keys,
        vec![
            ("CHAP_N".to_string(), "alice".to_string()),
            ("CHAP_R".to_string(), expect)
        ]
    );
    let r = resp(&mut t, &[], true, 1);
    s.handle_input(&r, NOW);
    let f = sent(&mut s, &mut t);
    let Ok(Pdu::LoginRequest(op)) = f[0].pdu() else {
        panic!()
    };
    assert_eq!(op.csg, stage::OPERATIONAL);
    let r = t.answer_login(&op, &f[0].data);
    s.handle_input(&r, NOW);
    assert!(s.is_logged_in(), "{}", failure(&s));
}

#[test]
fn target_requiring_chap_without_credentials_is_an_auth_error() {
    let mut s = Session::new(config(), NOW);
    let mut t = Target::new();
    let f = sent(&mut s, &mut t);
    let Ok(Pdu::LoginRequest(req)) = f[0].pdu() else {
        panic!()
    };
    let r = security_response(&req, false, 0);
    s.handle_input(&t.encode(&Pdu::LoginResponse(r), b"AuthMethod=CHAP\0"), NOW);
    assert!(matches!(
        s.failure(),
        Some(SessionError::Login(LoginError::Auth(_)))
    ));
    assert!(failure(&s).contains("user%password"), "{}", failure(&s));
    // A refused login names the RFC status.
    let mut s = Session::new(config(), NOW);
    sent(&mut s, &mut t);
    let r = LoginResponse {
        status_class: 2,
        status_detail: 3,
        ..r
    };
    s.handle_input(&t.encode(&Pdu::LoginResponse(r), &[]), NOW);
    assert!(failure(&s).contains("target not found"), "{}", failure(&s));
}

#[test]
fn negotiation_answers_outside_the_rules_fail_login() {
    for (k, v) in [
        ("MaxBurstLength", "99999999"),
        ("HeaderDigest", "CRC32C"),
        ("ErrorRecoveryLevel", "2"),
        ("DataPDUInOrder", "No"),
        ("MaxRecvDataSegmentLength", "12"),
    ] {
        let mut t = Target::new();
        for a in t.answers.iter_mut() {
            if a.0 == k {
                a.1 = v.into();
            }
        }
        let mut s = Session::new(config(), NOW);
        for _ in 0..3 {
            for f in sent(&mut s, &mut t) {
                let Ok(Pdu::LoginRequest(req)) = f.pdu() else {
                    panic!()
                };
                let r = t.answer_login(&req, &f.data);
                s.handle_input(&r, NOW);
            }
        }
        assert!(!s.is_logged_in(), "{k}={v} accepted");
        assert!(failure(&s).contains(k), "{k}: {}", failure(&s));
    }
}

#[test]
fn login_times_out() {
    let mut s = Session::new(config(), NOW);
    let deadline = s.poll_timeout().unwrap();
    assert_eq!(deadline, s.config().login_timeout);
    s.handle_timeout(deadline - Duration::from_millis(1));
    assert!(s.failure().is_none());
    s.handle_timeout(deadline);
    assert_eq!(s.failure(), Some(&SessionError::Timeout("login")));
}

#[test]
fn write_with_immediate_data_and_r2t_bursts() {
    let mut t = Target::new();
    let mut s = logged_in(config(), &mut t);
    let data: Vec<u8> = (0..200_000u32).map(|i| i as u8).collect();
    let tag = submit(
        &mut s,
        &[0x2a, 0, 0, 0, 0, 0, 0, 0, 98, 0],
        TaskData::Out(data.clone()),
    );
    let f = sent(&mut s, &mut t);
    assert_eq!(
        f.len(),
        1,
        "InitialR2T=Yes: only the command with immediate data"
    );
    let Ok(Pdu::ScsiCommand(c)) = f[0].pdu() else {
        panic!()
    };
    assert!(c.write && c.final_);
    assert_eq!(c.edtl, 200_000);
    assert_eq!(
        f[0].data,
        data[..8192],
        "immediate data capped by target's MRDSL"
    );
    let mut got = f[0].data.clone();
    let mut offset = 8192u32;
    for (r2tsn, ttt) in [(0u32, 0x10u32), (1, 0x11)] {
        let len = (200_000 - offset).min(131_072);
        let r = t.r2t(tag.0, ttt, r2tsn, offset, len);
        s.handle_input(&r, NOW);
        let outs = sent(&mut s, &mut t);
        assert_eq!(outs.len(), (len as usize).div_ceil(8192));
        for (i, o) in outs.iter().enumerate() {
            let Ok(Pdu::DataOut(d)) = o.pdu() else {
                panic!()
            };
            assert_eq!((d.ttt, d.datasn, d.itt), (ttt, i as u32, tag.0));
            assert_eq!(d.offset as usize, offset as usize + i * 8192);
            assert_eq!(d.final_, i == outs.len() - 1);
            assert!(o.data.len() <= 8192);
            got.extend_from_slice(&o.data);
        }
        offset += len;
    }
    assert_eq!(got, data);
    s.handle_input(&t.response(tag.0, 0, &[], 0), NOW);
    let d = done(&mut s);
    assert_eq!(d[0].1.as_ref().unwrap().transferred, 200_000);
}

#[test]
fn write_with_unsolicited_data_out_when_initial_r2t_is_no() {
    let mut t = Target::new();
    for a in t.answers.iter_mut() {
        if a.0 == "InitialR2T" {
            a.1 = "No".into();
        }
        if a.0 == "ImmediateData" {
            a.1 = "No".into();
        }
    }
    let mut s = logged_in(config(), &mut t);
    let data = vec![7u8; 100_000];
    s.submit(1, &[0x2a; 10], TaskData::Out(data), T, NOW)
        .unwrap();
    let f = sent(&mut s, &mut t);
    let Ok(Pdu::ScsiCommand(c)) = f[0].pdu() else {
        panic!()
    };
    assert!(!c.final_, "unsolicited Data-Out follows");
    assert!(f[0].data.is_empty(), "ImmediateData=No");
    let outs = &f[1..];
    assert_eq!(outs.len(), 8, "FirstBurstLength 65536 in 8 KiB PDUs");
    for (i, o) in outs.iter().enumerate() {
        let Ok(Pdu::DataOut(d)) = o.pdu() else {
            panic!()
        };
        assert_eq!(d.ttt, RESERVED_TAG);
        assert_eq!(d.offset, i as u32 * 8192);
        assert_eq!(d.final_, i == 7);
    }
}

#[test]
fn read_with_data_in_and_status_and_response_with_sense() {
    let mut t = Target::new();
    let mut s = logged_in(config(), &mut t);
    let tag = submit(&mut s, &[0x12, 0, 0, 0, 96, 0], TaskData::In(96));
    sent(&mut s, &mut t);
    let mut bytes = t.data_in(tag.0, 0, 0, &[1; 40], None);
    bytes.extend(t.data_in(tag.0, 1, 40, &[2; 26], Some(0)));
    s.handle_input(&bytes, NOW);
    let d = done(&mut s);
    let r = d[0].1.as_ref().unwrap();
    assert_eq!(r.transferred, 66);
    assert_eq!(&r.data[..40], &[1; 40]);
    assert_eq!(&r.data[40..66], &[2; 26]);

    let tag = submit(&mut s, &TUR, TaskData::None);
    sent(&mut s, &mut t);
    let sense = [0x70, 0, 6, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x29, 0, 0, 0, 0, 0];
    s.handle_input(&t.response(tag.0, 2, &sense, 0), NOW);
    let d = done(&mut s);
    let r = d[0].1.as_ref().unwrap();
    assert_eq!(r.status, ScsiStatus::CheckCondition);
    assert_eq!(r.sense, sense);

    // Residual underflow with a SCSI Response after Data-In.
    let tag = submit(
        &mut s,
        &[0x46, 0, 0, 0, 0, 0, 0, 0x10, 0, 0],
        TaskData::In(4096),
    );
    sent(&mut s, &mut t);
    let mut b = t.data_in(tag.0, 0, 0, &[9; 100], None);
    b.extend(t.response(tag.0, 0, &[], 3996));
    s.handle_input(&b, NOW);
    let d = done(&mut s);
    assert_eq!(d[0].1.as_ref().unwrap().transferred, 100);
}

#[test]
fn cmdsn_window_holds_commands_until_it_opens() {
    let mut t = Target::new();
    t.window = 2;
    let mut s = logged_in(config(), &mut t);
    let tags: Vec<TaskTag> = (0..4)
        .map(|_| submit(&mut s, &TUR, TaskData::None))
        .collect();
    let f = sent(&mut s, &mut t);
    assert_eq!(f.len(), 2, "MaxCmdSN admits two");
    assert_eq!(s.window(), 0);
    let cmdsns: Vec<u32> = f
        .iter()
        .map(|f| match f.pdu() {
            Ok(Pdu::ScsiCommand(c)) => c.cmdsn,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(cmdsns[1], cmdsns[0] + 1);
    // Answering the first moves ExpCmdSN/MaxCmdSN on: one more may go.
    t.exp_cmdsn = cmdsns[1] + 1;
    s.handle_input(&t.response(tags[0].0, 0, &[], 0), NOW);
    assert_eq!(sent(&mut s, &mut t).len(), 2);
    assert_eq!(s.outstanding(), 3);
}

#[test]
fn timeout_sends_abort_task_and_completes_as_timeout() {
    let mut t = Target::new();
    let mut s = logged_in(config(), &mut t);
    let tag = s
        .submit(1, &TUR, TaskData::None, Duration::from_secs(3), NOW)
        .unwrap();
    let f = sent(&mut s, &mut t);
    let Ok(Pdu::ScsiCommand(c)) = f[0].pdu() else {
        panic!()
    };
    assert_eq!(s.poll_timeout(), Some(Duration::from_secs(3)));
    s.handle_timeout(Duration::from_secs(3));
    let f = sent(&mut s, &mut t);
    let Ok(Pdu::TaskMgmtRequest(m)) = f[0].pdu() else {
        panic!("{:?}", f[0].pdu())
    };
    assert!(m.immediate);
    assert_eq!(m.function, tmf::ABORT_TASK);
    assert_eq!(m.referenced_task_tag, tag.0);
    assert_eq!(m.ref_cmdsn, c.cmdsn);
    s.handle_input(&t.tmf_response(m.itt, 0), Duration::from_secs(3));
    let d = done(&mut s);
    assert_eq!(d[0].1, Err(TaskError::Timeout(Duration::from_secs(3))));
    assert!(s.is_logged_in());
}

#[test]
fn cancel_aborts_and_an_unanswered_abort_fails_the_session() {
    let mut t = Target::new();
    let mut s = logged_in(config(), &mut t);
    let tag = submit(&mut s, &TUR, TaskData::None);
    sent(&mut s, &mut t);
    s.abort(tag, Duration::from_secs(1));
    let f = sent(&mut s, &mut t);
    assert!(matches!(f[0].pdu(), Ok(Pdu::TaskMgmtRequest(_))));
    // Keep-alive pings go unanswered too; the ABORT TASK deadline comes first.
    let tmf_deadline = Duration::from_secs(1) + s.config().tmf_timeout;
    while let Some(dl) = s.poll_timeout() {
        assert!(dl <= tmf_deadline);
        s.handle_timeout(dl);
    }
    assert_eq!(s.failure(), Some(&SessionError::Timeout("ABORT TASK")));
    let d = done(&mut s);
    assert!(matches!(d[0].1, Err(TaskError::ConnectionLost(_))));
}

#[test]
fn hung_target_is_detected_by_keepalive_ping() {
    let mut t = Target::new();
    let mut s = logged_in(config(), &mut t);
    s.submit(1, &TUR, TaskData::None, Duration::from_secs(3600), NOW)
        .unwrap();
    sent(&mut s, &mut t);
    let ping_at = s.poll_timeout().unwrap();
    assert_eq!(ping_at, s.config().nop_interval);
    s.handle_timeout(ping_at);
    let f = sent(&mut s, &mut t);
    let Ok(Pdu::NopOut(n)) = f[0].pdu() else {
        panic!()
    };
    assert!(n.immediate && n.itt != RESERVED_TAG && n.ttt == RESERVED_TAG);
    let dead = s.poll_timeout().unwrap();
    s.handle_timeout(dead);
    assert!(matches!(s.failure(), Some(SessionError::Timeout(_))));
    assert!(matches!(
        done(&mut s)[0].1,
        Err(TaskError::ConnectionLost(_))
    ));
}

#[test]
fn keepalive_answered_keeps_the_session_and_target_pings_are_answered() {
    let mut t = Target::new();
    let mut s = logged_in(config(), &mut t);
    let tag = s.ping(NOW).unwrap();
    sent(&mut s, &mut t);
    s.handle_input(&t.nop_in(tag.0, RESERVED_TAG, &[]), NOW);
    assert_eq!(events(&mut s), vec![Event::PingAnswered(tag)]);
    s.handle_input(&t.nop_in(RESERVED_TAG, 0x55, b"ping"), NOW);
    let f = sent(&mut s, &mut t);
    let Ok(Pdu::NopOut(n)) = f[0].pdu() else {
        panic!()
    };
    assert_eq!((n.itt, n.ttt), (RESERVED_TAG, 0x55));
    assert_eq!(f[0].data, b"ping");
}

#[test]
fn logout_completes() {
    let mut t = Target::new();
    let mut s = logged_in(config(), &mut t);
    s.logout(NOW);
    let f = sent(&mut s, &mut t);
    let Ok(Pdu::LogoutRequest(l)) = f[0].pdu() else {
        panic!()
    };
    assert_eq!(l.reason, 0);
    s.handle_input(&t.logout_response(l.itt), NOW);
    assert_eq!(events(&mut s), vec![Event::LoggedOut]);
    assert!(s.is_closed());
}

#[test]
fn digests_are_used_after_login_and_bad_ones_fail() {
    let mut t = Target::new();
    for a in t.answers.iter_mut() {
        if a.0.ends_with("Digest") {
            a.1 = "CRC32C".into();
        }
    }
    let cfg = discburn_iscsi::SessionConfig {
        offer: Offer {
            header_digest: true,
            data_digest: true,
            ..Offer::default()
        },
        ..config()
    };
    let mut s = logged_in(cfg, &mut t);
    assert!(s.negotiated().header_digest && s.negotiated().data_digest);
    let tag = submit(&mut s, &[0x12, 0, 0, 0, 8, 0], TaskData::In(8));
    sent(&mut s, &mut t); // the target's decoder checks our digests
    let mut b = t.data_in(tag.0, 0, 0, &[1, 2, 3, 4, 5], Some(0));
    let n = b.len();
    b[n - 6] ^= 0xff; // corrupt a data byte
    s.handle_input(&b, NOW);
    assert!(failure(&s).contains("data digest"), "{}", failure(&s));
    assert!(matches!(done(&mut s)[0].1, Err(TaskError::Protocol(_))));
}

/// A logged-in session with one task outstanding, `cdb` with `data`, sent.
fn with_task(cdb: &[u8], data: TaskData) -> (Session, Target, TaskTag) {
    let mut t = Target::new();
    let mut s = logged_in(config(), &mut t);
    let tag = submit(&mut s, cdb, data);
    sent(&mut s, &mut t);
    (s, t, tag)
}

/// A logged-in session with one 4 KiB read outstanding.
fn with_read() -> (Session, Target, TaskTag) {
    with_task(&[0x28, 0, 0, 0, 0, 0, 0, 0, 2, 0], TaskData::In(4096))
}

fn expect_protocol_failure(s: &mut Session, needle: &str) {
    let f = failure(s);
    assert!(f.contains(needle), "expected {needle:?} in {f:?}");
    assert!(done(s)
        .iter()
        .all(|(_, o)| matches!(o, Err(TaskError::Protocol(_)))));
    assert!(s.submit(1, &TUR, TaskData::None, T, NOW).is_err());
}

#[test]
fn malicious_oversized_data_segment() {
    let (mut s, mut t, tag) = with_read();
    let mut b = t.data_in(tag.0, 0, 0, &[0; 16], Some(0));
    b[5..8].copy_from_slice(&[0x7f, 0xff, 0xff]);
    s.handle_input(&b[..48], NOW);
    expect_protocol_failure(&mut s, "exceeds MaxRecvDataSegmentLength");
}

#[test]
fn malicious_data_in_overrun_and_unsolicited_data() {
    let (mut s, mut t, tag) = with_read();
    s.handle_input(&t.data_in(tag.0, 0, 0, &[0; 5000], Some(0)), NOW);
    expect_protocol_failure(&mut s, "overruns");

    let (mut s, mut t, _) = with_read();
    s.handle_input(&t.data_in(0x999, 0, 0, &[0; 16], None), NOW);
    expect_protocol_failure(&mut s, "unknown ITT");

    let (mut s, mut t, tag) = with_read();
    s.handle_input(&t.data_in(tag.0, 0, 512, &[0; 16], None), NOW);
    expect_protocol_failure(&mut s, "offset");

    let (mut s, mut t, tag) = with_read();
    s.handle_input(&t.data_in(tag.0, 5, 0, &[0; 16], None), NOW);
    expect_protocol_failure(&mut s, "DataSN");

    let (mut s, mut t, tag) = with_read();
    s.handle_input(&t.r2t(tag.0, 1, 0, 0, 512), NOW);
    expect_protocol_failure(&mut s, "without a Data-Out phase");
}

#[test]
fn malicious_sequence_numbers() {
    let (mut s, mut t, tag) = with_read();
    t.statsn += 5;
    s.handle_input(&t.response(tag.0, 0, &[], 0), NOW);
    expect_protocol_failure(&mut s, "StatSN");

    let (mut s, mut t, tag) = with_read();
    t.exp_cmdsn += 1000;
    s.handle_input(&t.response(tag.0, 0, &[], 0), NOW);
    expect_protocol_failure(&mut s, "ExpCmdSN");

    let (mut s, mut t, tag) = with_read();
    s.handle_input(&t.response(tag.0 + 77, 0, &[], 0), NOW);
    expect_protocol_failure(&mut s, "unknown ITT");

    let (mut s, mut t, _) = with_read();
    s.handle_input(&t.tmf_response(4242, 0), NOW);
    expect_protocol_failure(&mut s, "unknown ITT");
}

#[test]
fn malicious_r2t() {
    let (mut s, mut t, tag) = with_task(&[0x2a; 10], TaskData::Out(vec![0; 20_000]));
    s.handle_input(&t.r2t(tag.0, 1, 0, 8192, 1_000_000), NOW);
    expect_protocol_failure(&mut s, "R2T for");

    let (mut s, mut t, tag) = with_task(&[0x2a; 10], TaskData::Out(vec![0; 20_000]));
    s.handle_input(&t.r2t(tag.0, 1, 0, 0, 4096), NOW);
    expect_protocol_failure(&mut s, "offset");
}

#[test]
fn target_drop_and_reject() {
    let (mut s, t, tag) = with_read();
    let a = pdu::AsyncMessage {
        lun: [0; 8],
        statsn: t.statsn,
        exp_cmdsn: t.exp_cmdsn,
        max_cmdsn: t.max_cmdsn(),
        event: 3,
        vcode: 0,
        param1: 0,
        param2: 0,
        param3: 0,
    };
    s.handle_input(&t.encode(&Pdu::AsyncMessage(a), &[]), NOW);
    assert_eq!(s.failure(), Some(&SessionError::TargetDropped(3)));
    assert!(matches!(
        done(&mut s)[0].1,
        Err(TaskError::ConnectionLost(_))
    ));

    let (mut s, t, tag2) = with_read();
    let _ = tag;
    let mut rejected = [0u8; 48];
    rejected[16..20].copy_from_slice(&tag2.0.to_be_bytes());
    let r = pdu::Reject {
        reason: 0x05,
        statsn: t.statsn,
        exp_cmdsn: t.exp_cmdsn,
        max_cmdsn: t.max_cmdsn(),
        datasn: 0,
    };
    s.handle_input(&t.encode(&Pdu::Reject(r), &rejected), NOW);
    assert!(s.is_logged_in());
    let d = done(&mut s);
    assert!(matches!(&d[0].1, Err(TaskError::Target(m)) if m.contains("command not supported")));
}
