//! The TCP driver against scripted (and misbehaving) targets on 127.0.0.1.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use common::*;
use discburn_iscsi::pdu::{Pdu, RESERVED_TAG};
use discburn_iscsi::session::SessionError;
use discburn_iscsi::{Error, IscsiOptions, IscsiTransport, IscsiUrl};
use discburn_mmc::{Request, ScsiStatus, Transport, TransportError};

const TUR: [u8; 6] = [0; 6];
const T: Duration = Duration::from_secs(30);

fn open(url: &str, tweak: impl FnOnce(&mut IscsiOptions)) -> Result<IscsiTransport, Error> {
    let mut o = IscsiOptions::default();
    tweak(&mut o);
    IscsiTransport::connect(IscsiUrl::parse(url).unwrap(), o)
}

/// Reads the next SCSI command's ITT (answering nothing else).
fn next_command(s: &mut TcpStream, t: &mut Target) -> Option<u32> {
    loop {
        let frames = read_frames(s, t);
        if frames.is_empty() {
            return None;
        }
        for f in frames {
            if let Ok(Pdu::ScsiCommand(c)) = f.pdu() {
                return Some(c.itt);
            }
        }
    }
}

/// Reads until the initiator closes the connection, answering only a logout.
fn drain(s: &mut TcpStream, t: &mut Target) {
    loop {
        let frames = read_frames(s, t);
        if frames.is_empty() {
            return;
        }
        for f in frames {
            if let Ok(Pdu::LogoutRequest(l)) = f.pdu() {
                let r = t.logout_response(l.itt);
                let _ = s.write_all(&r);
            }
        }
    }
}

/// [`serve`] with each connection logged in first: `script` gets the connection's
/// number, its stream and the target's state.
fn serve_logged_in<F>(connections: usize, script: F) -> (String, JoinHandle<()>)
where
    F: Fn(usize, &mut TcpStream, &mut Target) + Send + 'static,
{
    serve(connections, move |i, mut s| {
        let mut t = Target::new();
        tcp_login(&mut s, &mut t);
        script(i, &mut s, &mut t);
    })
}

/// Answers the command `itt` with GOOD status and no data.
fn answer_good(s: &mut TcpStream, t: &mut Target, itt: u32) {
    let r = t.response(itt, 0, &[], 0);
    s.write_all(&r).unwrap();
}

#[test]
fn lost_connection_is_device_gone_and_reconnect_logs_in_again() {
    let (url, h) = serve_logged_in(2, |i, s, t| {
        let itt = next_command(s, t).unwrap();
        if i == 0 {
            return; // drop the connection mid-command
        }
        answer_good(s, t, itt);
        drain(s, t);
    });
    let mut d = open(&url, |_| {}).unwrap();
    let e = d.execute(Request::none(&TUR, T)).unwrap_err();
    assert!(matches!(e, TransportError::DeviceGone(_)), "{e}");
    assert!(!d.is_connected());
    let e = d.execute(Request::none(&TUR, T)).unwrap_err();
    assert!(e.to_string().contains("reconnect"), "{e}");
    // Said to a person, not to a programmer: no method names.
    assert!(!e.to_string().contains("()"), "{e}");
    assert!(e.to_string().contains("open the drive again"), "{e}");
    d.reconnect().unwrap();
    let c = d.execute(Request::none(&TUR, T)).unwrap();
    assert_eq!(c.status, ScsiStatus::Good);
    drop(d);
    h.join().unwrap();
}

#[test]
fn hung_target_is_device_gone_long_before_the_command_timeout() {
    let (url, h) = serve_logged_in(1, |_, s, t| {
        next_command(s, t).unwrap();
        drain(s, t); // never answer, not even pings
    });
    let mut d = open(&url, |o| {
        o.nop_interval = Duration::from_millis(100);
        o.nop_timeout = Duration::from_millis(300);
    })
    .unwrap();
    let e = d
        .execute(Request::none(&TUR, Duration::from_secs(3600)))
        .unwrap_err();
    assert!(
        matches!(&e, TransportError::DeviceGone(m) if m.contains("NOP")),
        "{e}"
    );
    drop(d);
    h.join().unwrap();
}

#[test]
fn unanswered_login_times_out() {
    let (url, h) = serve(1, |_, mut s| {
        let mut t = Target::new();
        drain(&mut s, &mut t);
    });
    let e = open(&url, |o| o.login_timeout = Duration::from_millis(200)).unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Login {
                source: SessionError::Timeout("login"),
                ..
            }
        ),
        "{e}"
    );
    h.join().unwrap();
}

#[test]
fn garbage_and_oversized_segments_are_protocol_errors() {
    let (url, h) = serve_logged_in(1, |_, s, t| {
        let itt = next_command(s, t).unwrap();
        let mut r = t.response(itt, 0, &[], 0);
        r[5..8].copy_from_slice(&[0xff, 0xff, 0xff]); // a 16 MiB data segment
        s.write_all(&r).unwrap();
        drain(s, t);
    });
    let mut d = open(&url, |_| {}).unwrap();
    let e = d.execute(Request::none(&TUR, T)).unwrap_err();
    assert!(
        matches!(&e, TransportError::Protocol(m) if m.contains("MaxRecvDataSegmentLength")),
        "{e}"
    );
    drop(d);
    h.join().unwrap();
}

#[test]
fn execute_queue_really_pipelines() {
    let (tx, rx) = mpsc::channel();
    let (url, h) = serve_logged_in(1, move |_, s, t| {
        let mut pending = Vec::new();
        let mut most = 0;
        let mut answered = 0;
        while answered < 8 {
            // Hold answers until four commands are outstanding (or the queue is short).
            let frames = read_frames(s, t);
            if frames.is_empty() {
                break;
            }
            for f in frames {
                if let Ok(Pdu::ScsiCommand(c)) = f.pdu() {
                    pending.push(c.itt);
                }
            }
            most = most.max(pending.len());
            if pending.len() >= 4 || answered + pending.len() == 8 {
                for itt in pending.drain(..) {
                    answer_good(s, t, itt);
                    answered += 1;
                }
            }
        }
        tx.send(most).unwrap();
        drain(s, t);
    });
    let mut d = open(&url, |o| o.max_in_flight = 4).unwrap();
    assert_eq!(d.limits().max_in_flight, 4);
    let mut reqs: Vec<Request<'_>> = (0..8).map(|_| Request::none(&TUR, T)).collect();
    let res = d.execute_queue(&mut reqs);
    assert!(res.iter().all(|r| r.as_ref().is_ok_and(|c| c.is_good())));
    assert_eq!(
        rx.recv().unwrap(),
        4,
        "four commands were at the target at once"
    );
    drop(d);
    h.join().unwrap();
}

#[test]
fn cancel_from_another_thread_aborts_and_the_session_stays_usable() {
    let (tx, rx) = mpsc::channel();
    let (url, h) = serve_logged_in(1, move |_, s, t| {
        next_command(s, t).unwrap();
        tx.send(()).unwrap();
        // Answer the ABORT TASK, then serve one more command.
        loop {
            let frames = read_frames(s, t);
            assert!(!frames.is_empty());
            if let Some(m) = frames.iter().find_map(|f| match f.pdu() {
                Ok(Pdu::TaskMgmtRequest(m)) => Some(m),
                _ => None,
            }) {
                let r = t.tmf_response(m.itt, 0);
                s.write_all(&r).unwrap();
                break;
            }
        }
        let itt = next_command(s, t).unwrap();
        answer_good(s, t, itt);
        drain(s, t);
    });
    let mut d = open(&url, |_| {}).unwrap();
    let cancel = d.cancel_handle();
    let worker = std::thread::spawn(move || {
        let r = d.execute(Request::none(&TUR, T));
        (d, r)
    });
    rx.recv().unwrap();
    cancel.cancel();
    let (mut d, r) = worker.join().unwrap();
    assert!(matches!(r, Err(TransportError::Aborted(_))), "{r:?}");
    assert!(d.execute(Request::none(&TUR, T)).unwrap().is_good());
    drop(d);
    h.join().unwrap();
}

#[test]
fn target_ping_is_answered_while_a_command_runs() {
    let (url, h) = serve_logged_in(1, |_, s, t| {
        let itt = next_command(s, t).unwrap();
        let ping = t.nop_in(RESERVED_TAG, 0x1234, b"abc");
        s.write_all(&ping).unwrap();
        let frames = read_frames(s, t);
        let Ok(Pdu::NopOut(n)) = frames[0].pdu() else {
            panic!("expected NOP-Out")
        };
        assert_eq!(n.ttt, 0x1234);
        assert_eq!(frames[0].data, b"abc");
        answer_good(s, t, itt);
        drain(s, t);
    });
    let mut d = open(&url, |_| {}).unwrap();
    assert!(d.execute(Request::none(&TUR, T)).unwrap().is_good());
    d.logout().unwrap();
    let e = d.execute(Request::none(&TUR, T)).unwrap_err();
    assert!(matches!(e, TransportError::DeviceGone(_)), "{e}");
    h.join().unwrap();
}
