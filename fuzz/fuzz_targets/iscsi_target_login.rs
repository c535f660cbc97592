//! Fuzzes the target's login: arbitrary login text (and header fields) in a sequence of
//! Login Requests, with and without CHAP. No panic; a connection either logs in, keeps
//! negotiating, or closes.
#![no_main]

use std::sync::Arc;
use std::time::Duration;

use discburn_iscsi::pdu::{self, Digests, LoginRequest, Pdu};
use discburn_iscsi::target::{ConnectionState, TargetAuth, TargetConfig, TargetConnection};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let mut cfg = TargetConfig::new("iqn.fuzz:t", 1, "127.0.0.1:3260");
    if flags & 1 == 1 {
        cfg.auth = TargetAuth::Chap {
            user: "u".into(),
            secret: "0123456789ab".into(),
            mutual: (flags & 2 == 2).then(|| ("t".into(), "ba9876543210".into())),
        };
    }
    let mut c = TargetConnection::new(Arc::new(cfg), 1, [9; 16], Duration::ZERO);
    for (i, text) in rest.split(|&b| b == 0xff).enumerate().take(16) {
        let h = text.first().copied().unwrap_or(0);
        let req = Pdu::LoginRequest(LoginRequest {
            transit: h & 0x80 != 0,
            cont: h & 0x40 != 0,
            csg: (h >> 2) & 1,
            nsg: if h & 1 == 1 { 3 } else { 1 },
            version_max: 0,
            version_min: h & 0x20,
            isid: [0x80, 0, 0, 0, 0, 1],
            tsih: 0,
            itt: 1,
            cid: 0,
            cmdsn: i as u32,
            exp_statsn: 0,
        });
        let bytes = pdu::encode_to_vec(&req, text.get(1..).unwrap_or(&[]), Digests::default());
        c.receive(&bytes, Duration::from_millis(i as u64));
        let out = c.take_output();
        assert!(out.len() <= 48 + 8192 + 4, "one login response per request");
        if c.state() == ConnectionState::Closed {
            break;
        }
    }
});
