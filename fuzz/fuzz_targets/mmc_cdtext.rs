//! Fuzzes CD-Text decoding (READ TOC format 5 data, MMC-3 Annex J): never panics, and
//! whatever decodes and encodes again decodes to the same CD-Text.
#![no_main]

use discburn_mmc::cdtext::{crc16, decode, encode, PACK_LEN};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Raw bytes, and the same bytes made into packs with valid CRCs (so decoding gets
    // past the CRC check and exercises the string and size-information handling).
    let _ = decode(data);
    let mut packs = Vec::with_capacity(data.len() / 16 * PACK_LEN);
    for c in data.chunks_exact(16) {
        packs.extend_from_slice(c);
        packs.extend_from_slice(&crc16(c).to_be_bytes());
    }
    if let Ok(cd) = decode(&packs) {
        if let Ok(again) = encode(&cd) {
            let back = decode(&again.concat()).expect("encoded CD-Text decodes");
            assert_eq!(encode(&back).ok(), Some(again));
        }
    }
});
