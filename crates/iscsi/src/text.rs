//! Login and Text key=value data (RFC 7143 §6.1): `key=value` pairs, each ended by a NUL.
//!
//! Parsing never trusts the peer: keys are at most 63 bytes of the allowed characters,
//! values at most [`MAX_VALUE_LEN`] bytes of UTF-8, and the number of pairs is bounded by
//! the bytes present and by [`MAX_PAIRS`].

/// Longest key (RFC 7143 §6.1: 63 bytes).
pub const MAX_KEY_LEN: usize = 63;
/// Longest value accepted (RFC 7143 §6.1 allows 8192 for a few binary keys; CHAP_C and
/// CHAP_R stay far below).
pub const MAX_VALUE_LEN: usize = 8192;
/// Most pairs accepted in one login or text exchange.
pub const MAX_PAIRS: usize = 256;

/// Why login text could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// A pair has no `=`.
    #[error("text pair without '=': {0:?}")]
    MissingEquals(String),
    /// A key is empty, too long or has characters outside `[A-Za-z0-9.-+@_]`.
    #[error("invalid key {0:?}")]
    InvalidKey(String),
    /// A value is too long or not UTF-8.
    #[error("invalid value for key {0}")]
    InvalidValue(String),
    /// More pairs than [`MAX_PAIRS`].
    #[error("more than {MAX_PAIRS} key=value pairs")]
    TooManyPairs,
}

fn key_ok(k: &[u8]) -> bool {
    !k.is_empty()
        && k.len() <= MAX_KEY_LEN
        && k.iter()
            .all(|c| c.is_ascii_alphanumeric() || b".-+@_".contains(c))
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(&b[..b.len().min(80)]).into_owned()
}

/// Parses NUL-separated `key=value` pairs. A trailing pair without its NUL is accepted;
/// empty strings between NULs (padding) are skipped.
pub fn parse(data: &[u8]) -> Result<Vec<(String, String)>, TextError> {
    let mut out = Vec::new();
    for item in data.split(|&b| b == 0) {
        if item.is_empty() {
            continue;
        }
        if out.len() == MAX_PAIRS {
            return Err(TextError::TooManyPairs);
        }
        let eq = item
            .iter()
            .position(|&b| b == b'=')
            .ok_or_else(|| TextError::MissingEquals(lossy(item)))?;
        let (k, v) = (&item[..eq], &item[eq + 1..]);
        if !key_ok(k) {
            return Err(TextError::InvalidKey(lossy(k)));
        }
        let key = String::from_utf8_lossy(k).into_owned();
        if v.len() > MAX_VALUE_LEN {
            return Err(TextError::InvalidValue(key));
        }
        let value = std::str::from_utf8(v)
            .map_err(|_| TextError::InvalidValue(key.clone()))?
            .to_owned();
        out.push((key, value));
    }
    Ok(out)
}

/// Emits pairs as `key=value\0…`.
pub fn emit<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v) in pairs {
        out.extend_from_slice(k.as_ref().as_bytes());
        out.push(b'=');
        out.extend_from_slice(v.as_ref().as_bytes());
        out.push(0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_login_text() {
        let data = b"TargetPortalGroupTag=1\0HeaderDigest=None\0MaxBurstLength=262144\0\0\0";
        let p = parse(data).unwrap();
        assert_eq!(
            p,
            vec![
                ("TargetPortalGroupTag".into(), "1".into()),
                ("HeaderDigest".into(), "None".into()),
                ("MaxBurstLength".into(), "262144".into()),
            ]
        );
        assert_eq!(parse(&emit(&p)).unwrap(), p);
        assert_eq!(parse(b"A=b").unwrap(), vec![("A".into(), "b".into())]);
        assert_eq!(
            parse(b"Empty=\0").unwrap(),
            vec![("Empty".into(), "".into())]
        );
    }

    #[test]
    fn rejects_malformed_text() {
        assert!(matches!(
            parse(b"novalue\0"),
            Err(TextError::MissingEquals(_))
        ));
        assert!(matches!(parse(b"=x\0"), Err(TextError::InvalidKey(_))));
        assert!(matches!(parse(b"a b=x\0"), Err(TextError::InvalidKey(_))));
        assert!(matches!(
            parse(b"K=\xff\0"),
            Err(TextError::InvalidValue(_))
        ));
        let many: Vec<u8> = (0..300).flat_map(|_| b"K=v\0".to_vec()).collect();
        assert_eq!(parse(&many), Err(TextError::TooManyPairs));
    }
}
