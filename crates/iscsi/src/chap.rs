//! One-way CHAP with MD5 (RFC 7143 §12.1.3, RFC 1994): the initiator proves it knows the
//! secret by answering `MD5(CHAP_I || secret || CHAP_C)`.
//!
//! Binary values on the wire are hex (`0x…`) or base64 (`0b…`) strings (RFC 7143 §6.1).

use md5::{Digest, Md5};

/// CHAP_A value for MD5.
pub const ALGORITHM_MD5: &str = "5";
/// Longest challenge accepted, in bytes (RFC 7143 §12.1.3 recommends up to 1024).
pub const MAX_CHALLENGE_LEN: usize = 1024;

/// Why a CHAP value could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChapError {
    /// Not a `0x`/`0X` hex or `0b`/`0B` base64 string, or bad digits.
    #[error("malformed binary value {0:?}")]
    Malformed(String),
    /// The challenge is empty or longer than [`MAX_CHALLENGE_LEN`].
    #[error("challenge of {0} bytes (expected 1..={MAX_CHALLENGE_LEN})")]
    ChallengeLength(usize),
    /// CHAP_I is not a number 0..=255.
    #[error("CHAP_I {0:?} is not a number 0..255")]
    Identifier(String),
}

/// The CHAP response: MD5 over identifier, secret and challenge.
pub fn response(identifier: u8, secret: &[u8], challenge: &[u8]) -> [u8; 16] {
    let mut h = Md5::new();
    h.update([identifier]);
    h.update(secret);
    h.update(challenge);
    h.finalize().into()
}

/// Parses CHAP_I (a decimal, or `0x` hex, number 0..=255).
pub fn parse_identifier(v: &str) -> Result<u8, ChapError> {
    let n = if let Some(h) = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        u8::from_str_radix(h, 16).ok()
    } else {
        v.parse::<u8>().ok()
    };
    n.ok_or_else(|| ChapError::Identifier(v.chars().take(40).collect()))
}

/// Decodes a CHAP_C challenge (hex or base64), bounded by [`MAX_CHALLENGE_LEN`].
pub fn parse_challenge(v: &str) -> Result<Vec<u8>, ChapError> {
    let bytes = decode_binary(v)?;
    if bytes.is_empty() || bytes.len() > MAX_CHALLENGE_LEN {
        return Err(ChapError::ChallengeLength(bytes.len()));
    }
    Ok(bytes)
}

/// Decodes an RFC 7143 binary value: `0x` + hex digits or `0b` + base64.
pub fn decode_binary(v: &str) -> Result<Vec<u8>, ChapError> {
    let malformed = || ChapError::Malformed(v.chars().take(40).collect());
    if let Some(h) = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        let h = h.as_bytes();
        // An odd number of digits has an implied leading zero.
        let mut out = Vec::with_capacity(h.len().div_ceil(2));
        let mut digits = h.iter().map(|c| (*c as char).to_digit(16));
        if h.len() % 2 == 1 {
            out.push(digits.next().flatten().ok_or_else(malformed)? as u8);
        }
        while let Some(hi) = digits.next() {
            let lo = digits.next().flatten().ok_or_else(malformed)?;
            out.push((hi.ok_or_else(malformed)? * 16 + lo) as u8);
        }
        Ok(out)
    } else if let Some(b) = v.strip_prefix("0b").or_else(|| v.strip_prefix("0B")) {
        decode_base64(b).ok_or_else(malformed)
    } else {
        Err(malformed())
    }
}

/// Encodes bytes as an RFC 7143 hex binary value (`0x…`).
pub fn encode_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 + 2 * bytes.len());
    s.push_str("0x");
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_response_known_answer() {
        // MD5(0x01 || "secret" || 00 01 02), computed independently.
        let r = response(1, b"secret", &[0, 1, 2]);
        assert_eq!(encode_hex(&r), "0xc4081e0c9f89346155ddb08f0bf91611");
    }

    #[test]
    fn binary_values_decode() {
        assert_eq!(decode_binary("0x0102ff").unwrap(), vec![1, 2, 255]);
        assert_eq!(decode_binary("0X102").unwrap(), vec![1, 2]);
        assert_eq!(decode_binary("0bAQL/").unwrap(), vec![1, 2, 255]);
        assert_eq!(decode_binary("0bAQI=").unwrap(), vec![1, 2]);
        assert!(decode_binary("0xzz").is_err());
        assert!(decode_binary("12").is_err());
        assert!(decode_binary("0b!!").is_err());
        assert_eq!(parse_identifier("17").unwrap(), 17);
        assert_eq!(parse_identifier("0x11").unwrap(), 17);
        assert!(parse_identifier("256").is_err());
        assert!(parse_challenge("0x").is_err());
        let long = format!("0x{}", "ab".repeat(MAX_CHALLENGE_LEN + 1));
        assert!(parse_challenge(&long).is_err());
    }
}
