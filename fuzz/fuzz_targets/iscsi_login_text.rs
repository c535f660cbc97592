//! Fuzzes login text and what is derived from it: key=value parsing, negotiation of the
//! target's answers, CHAP values, and the iscsi:// URL parser.
#![no_main]

use discburn_iscsi::params::{unsolicited, Negotiated, Offer};
use discburn_iscsi::{chap, text, IscsiUrl};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(pairs) = text::parse(data) {
        assert!(pairs.len() <= text::MAX_PAIRS);
        assert_eq!(text::parse(&text::emit(&pairs)).as_ref(), Ok(&pairs));
        let offer = Offer {
            header_digest: data.len() % 2 == 0,
            ..Offer::default()
        };
        let mut n = Negotiated::defaults(&offer);
        for (k, v) in &pairs {
            if let Ok(false) = n.apply(&offer, k, v) {
                let _ = unsolicited(k, v);
            }
            let _ = chap::decode_binary(v);
            let _ = chap::parse_challenge(v);
            let _ = chap::parse_identifier(v);
        }
        if n.finish().is_ok() {
            assert!(n.first_burst_length <= n.max_burst_length);
        }
    }
    let s = String::from_utf8_lossy(data);
    if let Ok(u) = IscsiUrl::parse(&s) {
        assert_eq!(IscsiUrl::parse(&u.to_string()).map(|v| v.host), Ok(u.host));
    }
});
