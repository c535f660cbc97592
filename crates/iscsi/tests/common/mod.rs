//! A scripted fake iSCSI target for tests: builds target PDUs with the crate's own codec
//! and decodes what the initiator sends. Used directly against the sans-I/O session and,
//! over a loopback socket, against the TCP driver.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::Duration;

use discburn_iscsi::pdu::{
    self, DataIn, Decoder, Digests, Frame, LoginRequest, LoginResponse, LogoutResponse, NopIn, Pdu,
    R2t, ScsiResponse, TaskMgmtResponse, RESERVED_TAG,
};
use discburn_iscsi::session::{Event, Session, SessionConfig};
use discburn_iscsi::text;

/// What a tgt-like target answers in the operational stage.
pub const ANSWERS: &[(&str, &str)] = &[
    ("HeaderDigest", "None"),
    ("DataDigest", "None"),
    ("ErrorRecoveryLevel", "0"),
    ("InitialR2T", "Yes"),
    ("ImmediateData", "Yes"),
    ("MaxRecvDataSegmentLength", "8192"),
    ("MaxBurstLength", "262144"),
    ("FirstBurstLength", "65536"),
    ("MaxOutstandingR2T", "1"),
    ("MaxConnections", "1"),
    ("DataPDUInOrder", "Yes"),
    ("DataSequenceInOrder", "Yes"),
    ("DefaultTime2Wait", "2"),
    ("DefaultTime2Retain", "0"),
];

/// The target side of one connection.
pub struct Target {
    pub dec: Decoder,
    pub digests: Digests,
    pub statsn: u32,
    pub exp_cmdsn: u32,
    pub window: u32,
    pub answers: Vec<(String, String)>,
}

impl Default for Target {
    fn default() -> Self {
        Target::new()
    }
}

impl Target {
    pub fn new() -> Self {
        let mut dec = Decoder::new();
        dec.set_max_data_segment(1 << 20);
        Target {
            dec,
            digests: Digests::default(),
            statsn: 100,
            exp_cmdsn: 1,
            window: 16,
            answers: ANSWERS
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    pub fn max_cmdsn(&self) -> u32 {
        self.exp_cmdsn.wrapping_add(self.window).wrapping_sub(1)
    }

    /// Decodes everything the initiator sent.
    pub fn recv(&mut self, bytes: &[u8]) -> Vec<Frame> {
        self.dec.push(bytes);
        let mut out = Vec::new();
        while let Some(f) = self.dec.next_frame().expect("initiator sent a bad PDU") {
            if let Ok(Pdu::ScsiCommand(c)) = f.pdu() {
                if !c.immediate {
                    self.exp_cmdsn = c.cmdsn.wrapping_add(1);
                }
            }
            out.push(f);
        }
        out
    }

    pub fn encode(&self, p: &Pdu, data: &[u8]) -> Vec<u8> {
        pdu::encode_to_vec(p, data, self.digests)
    }

    fn next_statsn(&mut self) -> u32 {
        let s = self.statsn;
        self.statsn = self.statsn.wrapping_add(1);
        s
    }

    /// Answers a login request for AuthMethod=None (security) or with `answers`.
    pub fn answer_login(&mut self, req: &LoginRequest, _data: &[u8]) -> Vec<u8> {
        let (nsg, keys): (u8, Vec<(String, String)>) = if req.csg == 0 {
            (
                1,
                vec![
                    ("AuthMethod".into(), "None".into()),
                    ("TargetPortalGroupTag".into(), "1".into()),
                ],
            )
        } else {
            (3, self.answers.clone())
        };
        let r = LoginResponse {
            transit: true,
            cont: false,
            csg: req.csg,
            nsg,
            version_max: 0,
            version_active: 0,
            isid: req.isid,
            tsih: if nsg == 3 { 7 } else { 0 },
            itt: req.itt,
            statsn: self.next_statsn(),
            exp_cmdsn: req.cmdsn,
            max_cmdsn: req.cmdsn.wrapping_add(self.window).wrapping_sub(1),
            status_class: 0,
            status_detail: 0,
        };
        self.exp_cmdsn = req.cmdsn;
        self.encode(&Pdu::LoginResponse(r), &text::emit(&keys))
    }

    pub fn response(&mut self, itt: u32, status: u8, sense: &[u8], underflow: u32) -> Vec<u8> {
        let data = ScsiResponse::sense_segment(sense);
        let r = ScsiResponse {
            bidi_overflow: false,
            bidi_underflow: false,
            overflow: false,
            underflow: underflow > 0,
            response: 0,
            status,
            itt,
            snack_tag: 0,
            statsn: self.next_statsn(),
            exp_cmdsn: self.exp_cmdsn,
            max_cmdsn: self.max_cmdsn(),
            exp_datasn: 0,
            bidi_residual: 0,
            residual: underflow,
        };
        self.encode(&Pdu::ScsiResponse(r), &data)
    }

    pub fn data_in(
        &mut self,
        itt: u32,
        datasn: u32,
        offset: u32,
        data: &[u8],
        status: Option<u8>,
    ) -> Vec<u8> {
        let d = DataIn {
            final_: status.is_some(),
            ack: false,
            overflow: false,
            underflow: false,
            has_status: status.is_some(),
            status: status.unwrap_or(0),
            lun: pdu::encode_lun(1),
            itt,
            ttt: RESERVED_TAG,
            statsn: if status.is_some() {
                self.next_statsn()
            } else {
                0
            },
            exp_cmdsn: self.exp_cmdsn,
            max_cmdsn: self.max_cmdsn(),
            datasn,
            offset,
            residual: 0,
        };
        self.encode(&Pdu::DataIn(d), data)
    }

    pub fn r2t(&mut self, itt: u32, ttt: u32, r2tsn: u32, offset: u32, len: u32) -> Vec<u8> {
        let r = R2t {
            lun: pdu::encode_lun(1),
            itt,
            ttt,
            statsn: self.statsn,
            exp_cmdsn: self.exp_cmdsn,
            max_cmdsn: self.max_cmdsn(),
            r2tsn,
            offset,
            desired_len: len,
        };
        self.encode(&Pdu::R2t(r), &[])
    }

    pub fn nop_in(&mut self, itt: u32, ttt: u32, data: &[u8]) -> Vec<u8> {
        let statsn = if itt != RESERVED_TAG {
            self.next_statsn()
        } else {
            self.statsn
        };
        let n = NopIn {
            lun: [0; 8],
            itt,
            ttt,
            statsn,
            exp_cmdsn: self.exp_cmdsn,
            max_cmdsn: self.max_cmdsn(),
        };
        self.encode(&Pdu::NopIn(n), data)
    }

    pub fn tmf_response(&mut self, itt: u32, response: u8) -> Vec<u8> {
        let t = TaskMgmtResponse {
            response,
            itt,
            statsn: self.next_statsn(),
            exp_cmdsn: self.exp_cmdsn,
            max_cmdsn: self.max_cmdsn(),
        };
        self.encode(&Pdu::TaskMgmtResponse(t), &[])
    }

    pub fn logout_response(&mut self, itt: u32) -> Vec<u8> {
        let l = LogoutResponse {
            response: 0,
            itt,
            statsn: self.next_statsn(),
            exp_cmdsn: self.exp_cmdsn,
            max_cmdsn: self.max_cmdsn(),
            time2wait: 0,
            time2retain: 0,
        };
        self.encode(&Pdu::LogoutResponse(l), &[])
    }
}

/// Everything the session wants to send, decoded by the target.
pub fn sent(s: &mut Session, t: &mut Target) -> Vec<Frame> {
    let mut out = Vec::new();
    while let Some(b) = s.poll_transmit() {
        out.extend(t.recv(&b));
    }
    out
}

pub fn events(s: &mut Session) -> Vec<Event> {
    std::iter::from_fn(|| s.poll_event()).collect()
}

pub fn config() -> SessionConfig {
    SessionConfig::new("iqn.2024-01.test:init", "iqn.2024-01.test:target")
}

/// A session logged in to `t` with `cfg` (the target answers `t.answers`).
pub fn logged_in(cfg: SessionConfig, t: &mut Target) -> Session {
    let now = Duration::ZERO;
    let mut s = Session::new(cfg, now);
    for _ in 0..4 {
        for f in sent(&mut s, t) {
            let Ok(Pdu::LoginRequest(req)) = f.pdu() else {
                panic!("expected a login request");
            };
            let r = t.answer_login(&req, &f.data);
            s.handle_input(&r, now);
        }
        if s.is_logged_in() {
            break;
        }
    }
    assert!(s.is_logged_in(), "login failed: {:?}", s.failure());
    assert_eq!(events(&mut s), vec![Event::LoggedIn]);
    let n = s.negotiated();
    t.digests = Digests {
        header: n.header_digest,
        data: n.data_digest,
    };
    t.dec.set_digests(t.digests);
    s
}

// ----- over TCP -----

/// Reads from `stream` until at least one whole PDU arrives (10 s deadline).
pub fn read_frames(stream: &mut TcpStream, t: &mut Target) -> Vec<Frame> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = stream.read(&mut buf).unwrap_or(0);
        if n == 0 {
            return Vec::new();
        }
        let f = t.recv(&buf[..n]);
        if !f.is_empty() {
            return f;
        }
    }
}

/// Performs the target side of an AuthMethod=None login.
pub fn tcp_login(stream: &mut TcpStream, t: &mut Target) {
    loop {
        let frames = read_frames(stream, t);
        assert!(!frames.is_empty(), "initiator closed during login");
        let mut done = false;
        for f in frames {
            let Ok(Pdu::LoginRequest(req)) = f.pdu() else {
                panic!("expected a login request")
            };
            done = req.csg == 1;
            let r = t.answer_login(&req, &f.data);
            stream.write_all(&r).unwrap();
        }
        if done {
            return;
        }
    }
}

/// A fake target on 127.0.0.1 running `script` for each of `connections` accepted
/// connections. Returns the URL to open and the thread.
pub fn serve<F>(connections: usize, script: F) -> (String, JoinHandle<()>)
where
    F: Fn(usize, TcpStream) + Send + 'static,
{
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let h = std::thread::spawn(move || {
        for i in 0..connections {
            let (s, _) = l.accept().unwrap();
            script(i, s);
        }
    });
    (
        format!("iscsi://127.0.0.1:{port}/iqn.2024-01.test:target/1"),
        h,
    )
}
