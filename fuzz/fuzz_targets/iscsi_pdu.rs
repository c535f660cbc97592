//! Fuzzes iSCSI PDU framing and header parsing: the stream decoder (with digests chosen
//! by the first byte), every BHS repr, and emit/parse round trips.
#![no_main]

use discburn_iscsi::pdu::{Decoder, Digests, Pdu};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut d = Decoder::new();
    d.set_digests(Digests {
        header: mode & 1 != 0,
        data: mode & 2 != 0,
    });
    d.set_max_data_segment(u32::from(mode) * 64);
    // Feed in pieces so partial frames are exercised.
    for chunk in rest.chunks(usize::from(mode % 61) + 1) {
        d.push(chunk);
        loop {
            match d.next_frame() {
                Ok(Some(f)) => {
                    assert!(f.data.len() <= d.max_data_segment());
                    if let Ok(p) = f.pdu() {
                        let mut b = [0u8; 48];
                        p.emit(&mut b);
                        assert_eq!(Pdu::parse(&b), Ok(p));
                    }
                }
                Ok(None) => break,
                Err(_) => return,
            }
        }
    }
    assert!(d.buffered() <= rest.len());
    let _ = Pdu::parse(rest);
});
