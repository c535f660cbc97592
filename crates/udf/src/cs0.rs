//! OSTA Compressed Unicode (UDF 2.1.1): the d-characters of identifiers and dstrings.
//! The first byte is the Compression ID — 8: one byte per character (U+0000–U+00FF),
//! 16: two bytes per UTF-16 code unit, most significant first; 254 and 255 are the same
//! forms marking a deleted name (UDF 2.00+). Characters outside the BMP are recorded as
//! surrogate pairs in the 16-bit form.

/// Compression ID of the 8-bit form.
pub const COMPRESSION_8: u8 = 8;
/// Compression ID of the 16-bit form.
pub const COMPRESSION_16: u8 = 16;

/// `s` in OSTA CS0: the 8-bit form if every character fits it, else the 16-bit form.
/// Empty input gives an empty result (no Compression ID).
pub fn encode(s: &str) -> Vec<u8> {
    encode_truncated(s, usize::MAX)
}

/// [`encode`] cut at a whole character so that the result has at most `max` bytes.
pub fn encode_truncated(s: &str, max: usize) -> Vec<u8> {
    if s.is_empty() || max < 2 {
        return Vec::new();
    }
    let mut out = Vec::new();
    if s.chars().all(|c| u32::from(c) <= 0xFF) {
        out.push(COMPRESSION_8);
        for c in s.chars() {
            if out.len() + 1 > max {
                break;
            }
            out.push(u32::from(c) as u8);
        }
    } else {
        out.push(COMPRESSION_16);
        let mut units = [0u16; 2];
        for c in s.chars() {
            let u = c.encode_utf16(&mut units);
            if out.len() + 2 * u.len() > max {
                break;
            }
            for unit in u.iter() {
                out.extend_from_slice(&unit.to_be_bytes());
            }
        }
    }
    out
}

/// Bytes [`encode`] gives for `s`, without building them.
pub fn encoded_len(s: &str) -> usize {
    if s.is_empty() {
        0
    } else if s.chars().all(|c| u32::from(c) <= 0xFF) {
        1 + s.chars().count()
    } else {
        1 + 2 * s.encode_utf16().count()
    }
}

/// Decodes CS0 d-characters; an unknown Compression ID or an odd trailing byte reads as
/// U+FFFD, unpaired surrogates as U+FFFD. Never panics.
pub fn decode(d: &[u8]) -> String {
    let Some((&id, rest)) = d.split_first() else {
        return String::new();
    };
    match id {
        COMPRESSION_8 | 254 => rest.iter().map(|&b| char::from(b)).collect(),
        COMPRESSION_16 | 255 => {
            let units = rest.chunks(2).map(|c| match c {
                [a, b] => u16::from_be_bytes([*a, *b]),
                _ => 0xFFFD,
            });
            char::decode_utf16(units)
                .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect()
        }
        _ => String::from(char::REPLACEMENT_CHARACTER),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_narrowest_form() {
        assert_eq!(encode("abc"), b"\x08abc");
        assert_eq!(encode("Über"), b"\x08\xDCber");
        assert_eq!(encode("✓"), b"\x10\x27\x13");
        assert_eq!(encode("a😀"), b"\x10\x00a\xD8\x3D\xDE\x00");
        for s in ["", "abc", "Überraschung ✓.txt", "a😀b"] {
            assert_eq!(decode(&encode(s)), s);
            assert_eq!(encoded_len(s), encode(s).len());
        }
        assert_eq!(decode(b"\x10\x00"), "\u{FFFD}");
        assert_eq!(decode(b"\x07ab"), "\u{FFFD}");
    }
}
