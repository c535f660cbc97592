//! Arbitrary bytes from a peer: every parser returns a value or an error, never panics,
//! and memory stays bounded by what was received.

mod common;

use std::time::Duration;

use common::*;
use discburn_iscsi::pdu::{self, Decoder, Digests, Pdu};
use discburn_iscsi::session::{Event, Session, TaskData};
use discburn_iscsi::{chap, text, IscsiUrl};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn bhs_parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(p) = Pdu::parse(&bytes) {
            // What parses re-emits to a header that parses to the same PDU.
            let mut b = [0u8; 48];
            p.emit(&mut b);
            prop_assert_eq!(Pdu::parse(&b).unwrap(), p);
        }
    }

    #[test]
    fn decoder_is_bounded(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..8),
        header in any::<bool>(),
        data in any::<bool>(),
    ) {
        let mut d = Decoder::new();
        d.set_digests(Digests { header, data });
        d.set_max_data_segment(1024);
        let mut fed = 0;
        'outer: for c in chunks {
            fed += c.len();
            d.push(&c);
            loop {
                match d.next_frame() {
                    Ok(Some(f)) => prop_assert!(f.data.len() <= 1024),
                    Ok(None) => break,
                    Err(_) => break 'outer,
                }
            }
            prop_assert!(d.buffered() <= fed);
        }
    }

    #[test]
    fn text_and_chap_values_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = text::parse(&bytes);
        let s = String::from_utf8_lossy(&bytes);
        let _ = chap::decode_binary(&s);
        let _ = chap::parse_identifier(&s);
        let _ = IscsiUrl::parse(&s);
        let _ = IscsiUrl::parse(&format!("iscsi://{s}"));
    }

    #[test]
    fn logged_in_session_survives_arbitrary_input(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..120), 1..6),
        valid_prefix in any::<bool>(),
    ) {
        let mut t = Target::new();
        let mut s = logged_in(config(), &mut t);
        let tag = s.submit(1, &[0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0], TaskData::In(2048),
            Duration::from_secs(5), Duration::ZERO).unwrap();
        sent(&mut s, &mut t);
        if valid_prefix {
            // Start from a plausible header so deeper checks are reached.
            let mut b = t.data_in(tag.0, 0, 0, &[1; 16], None);
            b.truncate(48);
            s.handle_input(&b, Duration::ZERO);
        }
        for c in &chunks {
            s.handle_input(c, Duration::ZERO);
            while s.poll_transmit().is_some() {}
        }
        let mut now = Duration::ZERO;
        for _ in 0..64 {
            match s.poll_timeout() {
                Some(d) => { now = now.max(d); s.handle_timeout(now); }
                None => break,
            }
            while s.poll_transmit().is_some() {}
        }
        // Whatever happened, the command is answered exactly once or the session failed.
        let evs: Vec<Event> = std::iter::from_fn(|| s.poll_event()).collect();
        let done = evs.iter().filter(|e| matches!(e, Event::TaskDone { .. })).count();
        prop_assert!(done <= 1);
        prop_assert!(done == 1 || s.is_closed() || s.outstanding() == 1);
    }

    #[test]
    fn login_survives_arbitrary_responses(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut s = Session::new(config(), Duration::ZERO);
        while s.poll_transmit().is_some() {}
        let mut b = bytes.clone();
        if b.len() >= 48 {
            b[0] = 0x23; // a Login Response header with arbitrary fields
            let dsl = (b.len() - 48).min(255) as u8;
            b[5..8].copy_from_slice(&[0, 0, dsl]);
        }
        s.handle_input(&b, Duration::ZERO);
        let _ = pdu::pad_len(b.len());
        prop_assert!(!s.is_logged_in() || s.negotiated().error_recovery_level == 0);
    }
}
