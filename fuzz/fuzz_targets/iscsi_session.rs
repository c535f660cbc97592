//! Fuzzes the session state machine as a malicious target would: log in, submit a read
//! and a write, then feed arbitrary bytes and fire every timeout. Nothing may panic,
//! and each command completes at most once.
#![no_main]

use std::time::Duration;

use discburn_iscsi::pdu::{self, Decoder, LoginResponse, Pdu};
use discburn_iscsi::session::{Event, Session, SessionConfig, TaskData};
use discburn_iscsi::text;
use libfuzzer_sys::fuzz_target;

fn login() -> Option<Session> {
    let now = Duration::ZERO;
    let mut s = Session::new(SessionConfig::new("iqn.f:i", "iqn.f:t"), now);
    let mut dec = Decoder::new();
    let mut statsn = 1;
    for _ in 0..3 {
        while let Some(b) = s.poll_transmit() {
            dec.push(&b);
        }
        while let Ok(Some(f)) = dec.next_frame() {
            let Ok(Pdu::LoginRequest(r)) = f.pdu() else {
                return None;
            };
            let (nsg, keys) = if r.csg == 0 {
                (1, text::emit(&[("AuthMethod", "None")]))
            } else {
                (3, text::emit(&[("MaxRecvDataSegmentLength", "4096")]))
            };
            let resp = LoginResponse {
                transit: true,
                cont: false,
                csg: r.csg,
                nsg,
                version_max: 0,
                version_active: 0,
                isid: r.isid,
                tsih: 1,
                itt: r.itt,
                statsn,
                exp_cmdsn: r.cmdsn,
                max_cmdsn: r.cmdsn.wrapping_add(7),
                status_class: 0,
                status_detail: 0,
            };
            statsn += 1;
            s.handle_input(
                &pdu::encode_to_vec(&Pdu::LoginResponse(resp), &keys, Default::default()),
                now,
            );
        }
    }
    s.is_logged_in().then_some(s)
}

fuzz_target!(|data: &[u8]| {
    let Some(mut s) = login() else {
        panic!("scripted login failed");
    };
    let t = Duration::from_secs(5);
    let now = Duration::ZERO;
    let read = s.submit(
        1,
        &[0x28, 0, 0, 0, 0, 0, 0, 0, 2, 0],
        TaskData::In(4096),
        t,
        now,
    );
    let write = s.submit(
        1,
        &[0x2a, 0, 0, 0, 0, 0, 0, 0, 4, 0],
        TaskData::Out(vec![0; 8192]),
        t,
        now,
    );
    assert!(read.is_ok() && write.is_ok());
    for chunk in data.chunks(97) {
        s.handle_input(chunk, now);
        while s.poll_transmit().is_some() {}
    }
    let mut now = now;
    for _ in 0..32 {
        let Some(d) = s.poll_timeout() else { break };
        now = now.max(d);
        s.handle_timeout(now);
        while s.poll_transmit().is_some() {}
    }
    let mut done = Vec::new();
    while let Some(e) = s.poll_event() {
        if let Event::TaskDone { tag, .. } = e {
            assert!(!done.contains(&tag), "a task completed twice");
            done.push(tag);
        }
    }
});
