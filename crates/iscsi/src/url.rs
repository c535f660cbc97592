//! iSCSI drive addresses in the libiscsi URL form:
//! `iscsi://[user%password@]HOST[:PORT]/TARGET-IQN/LUN`.
//!
//! HOST is a name, an IPv4 address, or an IPv6 address in brackets; PORT defaults to
//! 3260; LUN is 0..=16383. Two optional query keys choose digests:
//! `?header_digest=crc32c&data_digest=crc32c` (offered with None as fallback).

use std::fmt;

/// The form every error message shows.
pub const EXPECTED_FORM: &str = "iscsi://[user%password@]HOST[:PORT]/TARGET-IQN/LUN";
/// The iSCSI well-known port (RFC 7143 §13.4 / IANA).
pub const DEFAULT_PORT: u16 = 3260;
/// Highest LUN that flat space addressing carries.
pub const MAX_LUN: u16 = 16383;

/// What is wrong with an iSCSI URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid iSCSI URL {url:?}: {problem}; expected {EXPECTED_FORM}")]
pub struct UrlError {
    /// The URL as given (password removed).
    pub url: String,
    /// What is wrong.
    pub problem: String,
}

/// A parsed iSCSI drive address.
#[derive(Clone, PartialEq, Eq)]
pub struct IscsiUrl {
    /// CHAP user name, when given.
    pub user: Option<String>,
    /// CHAP secret, when given (never shown by `Display`/`Debug`).
    pub password: Option<String>,
    /// Host name or address (IPv6 without brackets).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// The target's iSCSI name (iqn./eui./naa.).
    pub target: String,
    /// Logical unit number.
    pub lun: u16,
    /// Offer HeaderDigest=CRC32C.
    pub header_digest: bool,
    /// Offer DataDigest=CRC32C.
    pub data_digest: bool,
}

/// `url` with the CHAP secret replaced by `***` (`iscsi://alice%***@host/…`), for every
/// place an address is shown: messages, logs, JSON. Works on malformed URLs too (a
/// secret holding `/` or `@`), hiding everything from the first `%` of the authority to
/// the last `@` before any query; a string without credentials comes back unchanged.
pub fn redact_password(url: &str) -> String {
    let Some(rest) = url
        .get(..8)
        .filter(|s| s.eq_ignore_ascii_case("iscsi://"))
        .map(|_| &url[8..])
    else {
        return url.to_string();
    };
    let body = rest.split_once('?').map_or(rest, |(b, _)| b);
    let secret_start = match rest.find(['%', '/']) {
        Some(p) if rest.as_bytes()[p] == b'%' => p,
        _ => return url.to_string(),
    };
    match body.rfind('@') {
        Some(at) if at > secret_start => {
            format!("{}{}%***{}", &url[..8], &rest[..secret_start], &rest[at..])
        }
        _ => url.to_string(),
    }
}

impl IscsiUrl {
    /// Parses `iscsi://[user%password@]HOST[:PORT]/TARGET-IQN/LUN[?header_digest=crc32c…]`.
    pub fn parse(url: &str) -> Result<IscsiUrl, UrlError> {
        let bad = |problem: String| UrlError {
            url: redact_password(url),
            problem,
        };
        let rest = match url.get(..8) {
            Some(s) if s.eq_ignore_ascii_case("iscsi://") => &url[8..],
            _ => return Err(bad("it does not start with iscsi://".into())),
        };
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let (authority, path) = rest
            .split_once('/')
            .ok_or_else(|| bad("missing /TARGET-IQN/LUN after the host".into()))?;
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (user, password) = match userinfo {
            None => (None, None),
            Some(u) => {
                let (user, pass) = u.split_once('%').ok_or_else(|| {
                    bad("credentials need both user and password, as user%password@".into())
                })?;
                if user.is_empty() || pass.is_empty() {
                    return Err(bad("empty CHAP user or password".into()));
                }
                (Some(user.to_string()), Some(pass.to_string()))
            }
        };
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let (h, after) = v6
                .split_once(']')
                .ok_or_else(|| bad("IPv6 address without closing ']'".into()))?;
            let port = match after {
                "" => None,
                p => Some(
                    p.strip_prefix(':')
                        .ok_or_else(|| bad(format!("unexpected {p:?} after the IPv6 address")))?,
                ),
            };
            (h, port)
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (hostport, None),
            }
        };
        if host.is_empty() {
            return Err(bad("missing HOST".into()));
        }
        // Brackets and '@' inside HOST would make the address ambiguous when shown again.
        if host
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '/' | '[' | ']' | '@'))
        {
            return Err(bad(format!("invalid HOST {host:?}")));
        }
        let port = match port {
            None => DEFAULT_PORT,
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 => n,
                _ => return Err(bad(format!("invalid PORT {p:?} (1..65535)"))),
            },
        };
        let (target, lun) = path
            .split_once('/')
            .ok_or_else(|| bad("missing /LUN after the target name".into()))?;
        if target.is_empty() {
            return Err(bad("missing TARGET-IQN".into()));
        }
        if target.len() > 223 || target.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad(format!(
                "invalid target name {:?}",
                target.chars().take(60).collect::<String>()
            )));
        }
        let lun = match lun.parse::<u16>() {
            Ok(n) if n <= MAX_LUN && !lun.starts_with('+') => n,
            _ => {
                return Err(bad(format!(
                    "invalid LUN {:?} (a number 0..={MAX_LUN})",
                    lun.chars().take(20).collect::<String>()
                )))
            }
        };
        let mut parsed = IscsiUrl {
            user,
            password,
            host: host.to_string(),
            port,
            target: target.to_string(),
            lun,
            header_digest: false,
            data_digest: false,
        };
        for kv in query.unwrap_or("").split('&').filter(|s| !s.is_empty()) {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            let slot = match k {
                "header_digest" => &mut parsed.header_digest,
                "data_digest" => &mut parsed.data_digest,
                _ => {
                    return Err(bad(format!(
                        "unknown option {k:?} (known: header_digest, data_digest)"
                    )))
                }
            };
            *slot = match v.to_ascii_lowercase().as_str() {
                "crc32c" => true,
                "none" => false,
                _ => return Err(bad(format!("{k}={v}: expected crc32c or none"))),
            };
        }
        Ok(parsed)
    }

    /// `HOST:PORT` for connecting (IPv6 in brackets).
    pub fn host_port(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl std::str::FromStr for IscsiUrl {
    type Err = UrlError;
    fn from_str(s: &str) -> Result<Self, UrlError> {
        IscsiUrl::parse(s)
    }
}

impl fmt::Display for IscsiUrl {
    /// The URL with the password hidden.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("iscsi://")?;
        if let Some(u) = &self.user {
            write!(f, "{u}%***@")?;
        }
        write!(f, "{}/{}/{}", self.host_port(), self.target, self.lun)?;
        let mut sep = '?';
        for (on, k) in [
            (self.header_digest, "header_digest"),
            (self.data_digest, "data_digest"),
        ] {
            if on {
                write!(f, "{sep}{k}=crc32c")?;
                sep = '&';
            }
        }
        Ok(())
    }
}

impl fmt::Debug for IscsiUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IscsiUrl({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_libiscsi_form() {
        let u = IscsiUrl::parse("iscsi://127.0.0.1:3267/iqn.2024-01.test.local:dvd/1").unwrap();
        assert_eq!(u.host, "127.0.0.1");
        assert_eq!(u.port, 3267);
        assert_eq!(u.target, "iqn.2024-01.test.local:dvd");
        assert_eq!(u.lun, 1);
        assert_eq!(u.user, None);
        let u = IscsiUrl::parse("ISCSI://alice%s3cr%t@host/iqn.x:y/0").unwrap();
        assert_eq!(u.user.as_deref(), Some("alice"));
        assert_eq!(u.password.as_deref(), Some("s3cr%t"));
        assert_eq!(u.port, DEFAULT_PORT);
        assert_eq!(u.to_string(), "iscsi://alice%***@host:3260/iqn.x:y/0");
        assert!(!format!("{u:?}").contains("s3cr"));
        let u = IscsiUrl::parse("iscsi://[::1]:3261/iqn.x/16383?header_digest=crc32c").unwrap();
        assert_eq!(u.host, "::1");
        assert_eq!(u.host_port(), "[::1]:3261");
        assert!(u.header_digest && !u.data_digest);
        assert_eq!(
            u.to_string(),
            "iscsi://[::1]:3261/iqn.x/16383?header_digest=crc32c"
        );
        assert_eq!(IscsiUrl::parse(&u.to_string()).unwrap(), u);
    }

    #[test]
    fn errors_name_the_problem_and_the_form() {
        for (url, problem) in [
            ("http://h/iqn/1", "does not start with iscsi://"),
            ("iscsi://h", "missing /TARGET-IQN/LUN"),
            ("iscsi://h/iqn.x", "missing /LUN"),
            ("iscsi://h/iqn.x/", "invalid LUN"),
            ("iscsi://h/iqn.x/16384", "invalid LUN"),
            ("iscsi://h/iqn.x/1/2", "invalid LUN"),
            ("iscsi://h:0/iqn.x/1", "invalid PORT"),
            ("iscsi://h:99999/iqn.x/1", "invalid PORT"),
            ("iscsi://:3260/iqn.x/1", "missing HOST"),
            ("iscsi://h//1", "missing TARGET-IQN"),
            ("iscsi://bob@h/iqn.x/1", "user%password"),
            ("iscsi://[::1/iqn.x/1", "closing ']'"),
            ("iscsi://a]b:1:41/iqn.x/1", "invalid HOST"),
            ("iscsi://[[::1]/iqn.x/1", "invalid HOST"),
            ("iscsi://h\0st/iqn.x/1", "invalid HOST"),
            ("iscsi://h/iqn.x/1?foo=1", "unknown option"),
            (
                "iscsi://h/iqn.x/1?data_digest=md5",
                "expected crc32c or none",
            ),
        ] {
            let e = IscsiUrl::parse(url).unwrap_err();
            let msg = e.to_string();
            assert!(msg.contains(problem), "{url}: {msg}");
            assert!(msg.contains(EXPECTED_FORM), "{msg}");
        }
        let e = IscsiUrl::parse("iscsi://u%secret@h/iqn.x/x").unwrap_err();
        assert!(!e.to_string().contains("secret"), "{e}");
        // A secret that breaks the URL (a '/' in it) must not leak through the error.
        let e = IscsiUrl::parse("iscsi://u%sec/ret@h/iqn.x/1").unwrap_err();
        assert!(!e.to_string().contains("sec"), "{e}");
    }

    #[test]
    fn redaction_hides_only_the_secret() {
        for (url, shown) in [
            (
                "iscsi://alice%s3cr%t@host:3261/iqn.x:y/1",
                "iscsi://alice%***@host:3261/iqn.x:y/1",
            ),
            ("ISCSI://a%b@h/iqn.x/1", "ISCSI://a%***@h/iqn.x/1"),
            ("iscsi://u%pa/ss@h/iqn.x/1", "iscsi://u%***@h/iqn.x/1"),
            ("iscsi://u%p@ss@h/iqn.x/1", "iscsi://u%***@h/iqn.x/1"),
            (
                "iscsi://u%p@h/iqn.x/1?data_digest=crc32c",
                "iscsi://u%***@h/iqn.x/1?data_digest=crc32c",
            ),
            ("iscsi://h:3260/iqn.x/1", "iscsi://h:3260/iqn.x/1"),
            ("iscsi://h/iqn.x/1?a=b@c", "iscsi://h/iqn.x/1?a=b@c"),
            ("iscsi://h/iqn%x/1", "iscsi://h/iqn%x/1"),
            ("/dev/sr0", "/dev/sr0"),
            ("iscsi:/", "iscsi:/"),
        ] {
            assert_eq!(redact_password(url), shown, "{url}");
        }
    }
}
