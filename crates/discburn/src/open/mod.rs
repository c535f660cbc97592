//! Opening a recorder from an address string (design.md "Drive addresses").

use discburn_mmc::clock::{SharedClock, SystemClock};

use crate::error::{Error, ErrorKind, Result};
use crate::recorder::Recorder;

#[cfg(feature = "iscsi")]
mod iscsi;
#[cfg(all(feature = "sg", target_os = "linux"))]
pub(crate) mod sg;
#[cfg(feature = "vdrive")]
pub(crate) mod virtual_drive;

/// Opens the recorder named by `address` on the system clock:
/// - `virtual:PATH?media=bd-r&speed=12x&buffer=4MiB` — the virtual recorder over an
///   image file (created blank when absent);
/// - `/dev/sr0`, `/dev/sg1`, `sg:/dev/sr0` — a real drive through SG_IO, opened
///   exclusively (`discburn_sg`);
/// - `iscsi://[user%password@]HOST[:PORT]/TARGET-IQN/LUN` — a remote drive
///   (`discburn_iscsi`).
///
/// A busy drive (mounted, or open elsewhere) is `E_IMAPI_RECORDER_LOCKED`; a missing one
/// `HRESULT_FROM_WIN32(ERROR_DEV_NOT_EXIST)`.
pub fn open(address: &str) -> Result<Recorder> {
    open_with_clock(address, SystemClock::shared())
}

/// [`open`] with an injected clock (a `SimClock` in tests): the recorder, its virtual
/// drive model and any engine writing to it all wait on `clock`.
pub fn open_with_clock(address: &str, clock: SharedClock) -> Result<Recorder> {
    open_inner(address, clock, Access::Exclusive)
}

/// Opens the recorder named by `address` for looking only (identity, disc and track
/// information, speeds): a local drive is opened without `O_EXCL`, so this works while
/// its disc is mounted. Writing through such a handle is possible but unprotected
/// against other programs; burn through [`open`]. The virtual recorder and iSCSI have no
/// shared mode and open as [`open`] does.
pub fn open_shared(address: &str) -> Result<Recorder> {
    open_inner(address, SystemClock::shared(), Access::Shared)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Exclusive,
    Shared,
}

// Each scheme's backend is a cargo feature; a build without it says so (and leaves
// `clock` or `access` unused).
#[cfg_attr(
    not(all(
        feature = "sg",
        feature = "iscsi",
        feature = "vdrive",
        target_os = "linux"
    )),
    allow(unused_variables)
)]
fn open_inner(address: &str, clock: SharedClock, access: Access) -> Result<Recorder> {
    if address.starts_with("virtual:") {
        #[cfg(feature = "vdrive")]
        return virtual_drive::open(address, clock);
        #[cfg(not(feature = "vdrive"))]
        return Err(not_built(address, "vdrive"));
    }
    if address.starts_with("iscsi://") {
        #[cfg(feature = "iscsi")]
        return iscsi::open(address, clock).map(settled);
        #[cfg(not(feature = "iscsi"))]
        return Err(not_built(address, "iscsi"));
    }
    #[cfg(all(feature = "sg", target_os = "linux"))]
    if let Some(path) = discburn_sg::parse_address(address) {
        return sg::open(address, path, clock, access == Access::Shared).map(settled);
    }
    #[cfg(not(all(feature = "sg", target_os = "linux")))]
    if address.starts_with("/dev/") || address.starts_with("sg:") {
        return Err(not_built(address, "sg"));
    }
    Err(Error::new(ErrorKind::InvalidArgument(format!(
        "unknown drive address {address:?}: use virtual:PATH?media=…, /dev/srN, sg:/dev/sgN or iscsi://HOST[:PORT]/IQN/LUN"
    ))))
}

/// An address whose backend this build of the library leaves out (a cargo feature).
#[cfg(not(all(
    feature = "sg",
    feature = "iscsi",
    feature = "vdrive",
    target_os = "linux"
)))]
fn not_built(address: &str, feature: &str) -> Error {
    Error::new(ErrorKind::NotSupported(format!(
        "cannot open {}: this build of discburn has no `{feature}` backend (cargo feature `{feature}`)",
        redact_address(address)
    )))
}

/// A drive reached over a bus or a network, with the unit attentions a new connection
/// finds queued (a power-on or bus reset on a real drive, the I_T nexus an iSCSI login
/// creates; SPC-4 §5.14) taken by [`Recorder::test_unit_ready_settled`], so that the caller's
/// first real command (GET CONFIGURATION for the profiles, say) does not fail with one.
/// Its answer is left to the caller, which reads the medium afresh. The in-process
/// virtual drive has no nexus to report.
#[cfg(any(feature = "iscsi", all(feature = "sg", target_os = "linux")))]
fn settled(rec: Recorder) -> Recorder {
    if let Err(e) = rec.test_unit_ready_settled() {
        tracing::debug!(
            "{}: TEST UNIT READY at open: {e}",
            rec.active_disc_recorder()
        );
    }
    rec
}

/// `address` as it may be shown (messages, logs, JSON): an iSCSI address's CHAP secret
/// becomes `***` (`iscsi://alice%***@host/iqn…/1`); other addresses are unchanged. An
/// address inside a longer string (`--drive=iscsi://…`) is found and redacted too.
pub fn redact_address(address: &str) -> String {
    const SCHEME: &str = "iscsi://";
    let at = address.char_indices().map(|(i, _)| i).find(|&i| {
        address
            .get(i..i + SCHEME.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(SCHEME))
    });
    match at {
        Some(i) => format!("{}{}", &address[..i], redact_url(&address[i..])),
        None => address.to_string(),
    }
}

#[cfg(feature = "iscsi")]
fn redact_url(url: &str) -> String {
    discburn_iscsi::redact_password(url)
}

/// Without the iSCSI backend the URL is not parsed; any `user%secret@` is hidden whole.
#[cfg(not(feature = "iscsi"))]
fn redact_url(url: &str) -> String {
    const SCHEME: usize = "iscsi://".len();
    let rest = url.get(SCHEME..).unwrap_or("");
    let authority = rest.split('/').next().unwrap_or("");
    match authority.rfind('@') {
        Some(at) => format!("{}***{}", &url[..SCHEME], &rest[at..]),
        None => url.to_string(),
    }
}

#[cfg(any(feature = "iscsi", all(feature = "sg", target_os = "linux")))]
pub(crate) fn open_error(address: &str, problem: crate::error::OpenProblem) -> Error {
    Error::new(ErrorKind::Open(crate::error::OpenFailure {
        address: redact_address(address),
        problem,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hresult;

    #[test]
    fn addresses_dispatch() {
        let e = open("floppy:0").unwrap_err();
        assert_eq!(e.hresult(), hresult::E_INVALIDARG);
        assert!(e.to_string().contains("virtual:PATH"));
        let e = open("/dev/sr-does-not-exist-42").unwrap_err();
        assert_eq!(e.hresult(), hresult::E_DEV_NOT_EXIST, "{e}");
        let e = open("iscsi://").unwrap_err();
        assert!(e.hresult().is_failure());
        let dir = std::env::temp_dir().join(format!("discburn-open-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let addr = format!("virtual:{}?media=dvd+r", dir.join("d.img").display());
        let r = open(&addr).unwrap();
        assert_eq!(r.active_disc_recorder(), addr);
        r.test_unit_ready().unwrap();
        drop(r);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn shown_addresses_hide_the_chap_secret() {
        for (given, shown) in [
            (
                "iscsi://alice%s3cret@10.0.0.2:3261/iqn.x:dvd/1",
                "iscsi://alice%***@10.0.0.2:3261/iqn.x:dvd/1",
            ),
            (
                "--drive=ISCSI://a%b/c@h/iqn.x/1",
                "--drive=ISCSI://a%***@h/iqn.x/1",
            ),
            ("iscsi://h/iqn.x/1", "iscsi://h/iqn.x/1"),
            ("/dev/sr0", "/dev/sr0"),
            (
                "virtual:/tmp/d%x@y.img?media=bd-r",
                "virtual:/tmp/d%x@y.img?media=bd-r",
            ),
            ("", ""),
        ] {
            assert_eq!(redact_address(given), shown, "{given}");
        }
    }

    #[test]
    fn open_failures_are_one_sentence_naming_the_address_once() {
        for addr in ["/dev/sr-does-not-exist-42", "/dev/null"] {
            let e = open(addr).unwrap_err();
            let ErrorKind::Open(o) = e.kind() else {
                panic!("{e}")
            };
            let msg = o.to_string();
            assert_eq!(msg.matches(addr).count(), 1, "{msg}");
            assert!(!msg.contains("device gone"), "{msg}");
            assert_eq!(e.hresult(), hresult::E_DEV_NOT_EXIST, "{e}");
        }
    }
}
