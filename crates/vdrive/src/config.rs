//! How a virtual drive is set up: the typed [`VirtualDriveConfig`] and the address string
//! `virtual:PATH?media=bd-r&speed=12x&buffer=4MiB[&full=wait|lwip][&throttle=off][&fault=…]`.

use std::path::PathBuf;

use crate::control::Fault;
use crate::media::Media;
use crate::media_id::MediaId;
use crate::VdriveError;

/// Default drive buffer: 4 MiB.
pub const DEFAULT_BUFFER: u64 = 4 << 20;

/// What a WRITE that does not fit in the drive buffer does (both happen in the field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FullPolicy {
    /// The drive holds the command until enough of the buffer has been burned.
    #[default]
    Wait,
    /// The drive answers 02/04/08 LONG WRITE IN PROGRESS and takes no data.
    LongWriteInProgress,
}

/// The write speed selected at power-on.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum SpeedRequest {
    /// The fastest speed offered for the medium.
    #[default]
    Max,
    /// The nearest offered speed at or below this many times 1x.
    X(f64),
}

/// Everything needed to open a virtual drive.
#[derive(Debug, Clone, PartialEq)]
pub struct VirtualDriveConfig {
    /// The image file; its state lives in `PATH.state`.
    pub path: PathBuf,
    /// Medium inserted when the image is new (absent or empty file without state).
    pub media: Media,
    /// Initial write speed.
    pub speed: SpeedRequest,
    /// Drive buffer size in bytes.
    pub buffer: u64,
    /// Behaviour of a WRITE that does not fit in the buffer.
    pub full: FullPolicy,
    /// `false`: unthrottled, infinite speed, nothing ever waits (pipeline benchmarks).
    pub throttle: bool,
    /// Faults active from the first command.
    pub faults: Vec<Fault>,
    /// Largest data phase accepted in one command (reported through `Transport::limits`).
    pub max_transfer: usize,
    /// `mid=`: the disc's manufacturer code, as written (its form depends on the medium,
    /// see [`MediaId::parse`]); set on the disc at open and kept in its state file.
    pub mid: Option<String>,
}

const PARAMS: &str = "media, speed, buffer, full, throttle, fault, mid";
const FAULTS: &str = "medium-error:FIRST[-LAST], loss-of-streaming, lwip-storm:N, \
hang[:OPCODE_HEX[:N]], medium-changed, reset, no-medium, corrupt:FIRST[-LAST], \
reject-write-mode[:WRITE_TYPE]";

impl VirtualDriveConfig {
    /// A drive holding `media` in the image at `path`, at maximum speed, with a 4 MiB
    /// buffer that makes full WRITEs wait.
    pub fn new(path: impl Into<PathBuf>, media: Media) -> Self {
        VirtualDriveConfig {
            path: path.into(),
            media,
            speed: SpeedRequest::Max,
            buffer: DEFAULT_BUFFER,
            full: FullPolicy::Wait,
            throttle: true,
            faults: Vec::new(),
            max_transfer: 1 << 20,
            mid: None,
        }
    }

    /// Sets the disc's manufacturer code (`mid=`, see [`MediaId::parse`]).
    pub fn mid(mut self, code: impl Into<String>) -> Self {
        self.mid = Some(code.into());
        self
    }

    /// Selects the initial write speed (× 1x).
    pub fn speed_x(mut self, x: f64) -> Self {
        self.speed = SpeedRequest::X(x);
        self
    }

    /// Sets the drive buffer size in bytes.
    pub fn buffer(mut self, bytes: u64) -> Self {
        self.buffer = bytes;
        self
    }

    /// Sets what a WRITE that does not fit does.
    pub fn full(mut self, policy: FullPolicy) -> Self {
        self.full = policy;
        self
    }

    /// Infinite speed: the buffer empties at once, nothing ever waits.
    pub fn unthrottled(mut self) -> Self {
        self.throttle = false;
        self
    }

    /// Adds a fault active from the first command.
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// Parses `virtual:PATH?media=bd-r&speed=12x&buffer=4MiB[&full=wait|lwip]
    /// [&throttle=on|off][&fault=F[,F…]][&mid=CODE]`. Without `media`, a new image holds
    /// a DVD+R (as tgt presents an empty file). A `mid` is checked against `media` when
    /// both are given, else against the disc at open.
    pub fn parse(address: &str) -> Result<Self, VdriveError> {
        let bad = |m: String| VdriveError::Address(m);
        let rest = address
            .strip_prefix("virtual:")
            .ok_or_else(|| bad(format!("`{address}` does not start with `virtual:`")))?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        if path.is_empty() {
            return Err(bad("missing image path after `virtual:`".into()));
        }
        let mut cfg = VirtualDriveConfig::new(path, Media::DvdPlusR);
        let mut media_given = false;
        for kv in query.split('&').filter(|s| !s.is_empty()) {
            let (k, v) = kv
                .split_once('=')
                .ok_or_else(|| bad(format!("`{kv}` is not NAME=VALUE (valid names: {PARAMS})")))?;
            match k {
                "media" => {
                    media_given = true;
                    cfg.media = Media::from_name(v).ok_or_else(|| {
                        bad(format!("unknown media `{v}` (valid: {})", Media::names()))
                    })?
                }
                "mid" => cfg.mid = Some(v.to_string()),
                "speed" => cfg.speed = parse_speed(v).map_err(bad)?,
                "buffer" => cfg.buffer = parse_size(v).map_err(bad)?,
                "full" => {
                    cfg.full = match v {
                        "wait" => FullPolicy::Wait,
                        "lwip" => FullPolicy::LongWriteInProgress,
                        _ => return Err(bad(format!("unknown full=`{v}` (valid: wait, lwip)"))),
                    }
                }
                "throttle" => {
                    cfg.throttle = match v {
                        "on" | "true" | "1" => true,
                        "off" | "false" | "0" => false,
                        _ => return Err(bad(format!("unknown throttle=`{v}` (valid: on, off)"))),
                    }
                }
                "fault" => {
                    for f in v.split(',').filter(|s| !s.is_empty()) {
                        cfg.faults.push(parse_fault(f).map_err(bad)?);
                    }
                }
                _ => return Err(bad(format!("unknown parameter `{k}` (valid: {PARAMS})"))),
            }
        }
        if let (Some(mid), true) = (&cfg.mid, media_given) {
            MediaId::parse(cfg.media, mid)?;
        }
        Ok(cfg)
    }
}

fn parse_speed(v: &str) -> Result<SpeedRequest, String> {
    if v.eq_ignore_ascii_case("max") {
        return Ok(SpeedRequest::Max);
    }
    let n = v.strip_suffix(['x', 'X']).unwrap_or(v);
    match n.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(SpeedRequest::X(x)),
        _ => Err(format!(
            "bad speed `{v}` (valid: max, or a multiple of 1x like 12x or 2.4x)"
        )),
    }
}

fn parse_size(v: &str) -> Result<u64, String> {
    let units: [(&str, u64); 8] = [
        ("KiB", 1 << 10),
        ("MiB", 1 << 20),
        ("GiB", 1 << 30),
        ("K", 1 << 10),
        ("M", 1 << 20),
        ("k", 1 << 10),
        ("m", 1 << 20),
        ("B", 1),
    ];
    let (num, mul) = units
        .iter()
        .find_map(|(u, m)| v.strip_suffix(u).map(|n| (n, *m)))
        .unwrap_or((v, 1));
    match num
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mul))
    {
        Some(b) if (64 << 10..=1 << 30).contains(&b) => Ok(b),
        _ => Err(format!(
            "bad buffer size `{v}` (64KiB to 1GiB, e.g. 2MiB, 512KiB)"
        )),
    }
}

fn parse_range(v: &str) -> Option<std::ops::RangeInclusive<u32>> {
    let (a, b) = v.split_once('-').unwrap_or((v, v));
    let (a, b) = (a.parse().ok()?, b.parse().ok()?);
    (a <= b).then_some(a..=b)
}

fn parse_fault(f: &str) -> Result<Fault, String> {
    let (name, arg) = f.split_once(':').unwrap_or((f, ""));
    let bad = || format!("bad fault `{f}` (valid: {FAULTS})");
    Ok(match (name, arg) {
        ("medium-error", a) => Fault::MediumError(parse_range(a).ok_or_else(bad)?),
        ("corrupt", a) => Fault::Corrupt(parse_range(a).ok_or_else(bad)?),
        ("loss-of-streaming", "") => Fault::LossOfStreaming,
        ("lwip-storm", a) => Fault::LongWriteStorm(a.parse().map_err(|_| bad())?),
        ("hang", a) => {
            let mut it = a.split(':').filter(|s| !s.is_empty());
            let opcode = it
                .next()
                .map(|o| u8::from_str_radix(o, 16).map_err(|_| bad()))
                .transpose()?;
            let count = it
                .next()
                .map(|c| c.parse().map_err(|_| bad()))
                .transpose()?
                .unwrap_or(1);
            Fault::Hang { opcode, count }
        }
        ("medium-changed", "") => Fault::MediumChanged,
        ("reset", "") => Fault::Reset,
        ("no-medium", "") => Fault::MediumRemoved,
        ("reject-write-mode", "") => Fault::RejectWriteMode(None),
        ("reject-write-mode", a) => Fault::RejectWriteMode(Some(a.parse().map_err(|_| bad())?)),
        _ => return Err(bad()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_address() {
        let c = VirtualDriveConfig::parse(
            "virtual:/tmp/x.img?media=bd-r&speed=12x&buffer=2MiB&full=lwip&throttle=off\
             &fault=medium-error:10-20,hang:2a:2&fault=reject-write-mode:1",
        )
        .unwrap();
        assert_eq!(c.path, PathBuf::from("/tmp/x.img"));
        assert_eq!(c.media, Media::BdR);
        assert_eq!(c.speed, SpeedRequest::X(12.0));
        assert_eq!(c.buffer, 2 << 20);
        assert_eq!(c.full, FullPolicy::LongWriteInProgress);
        assert!(!c.throttle);
        assert_eq!(
            c.faults,
            vec![
                Fault::MediumError(10..=20),
                Fault::Hang {
                    opcode: Some(0x2A),
                    count: 2
                },
                Fault::RejectWriteMode(Some(1)),
            ]
        );
        let d = VirtualDriveConfig::parse("virtual:disc.img").unwrap();
        assert_eq!(
            (d.media, d.buffer, d.full),
            (Media::DvdPlusR, DEFAULT_BUFFER, FullPolicy::Wait)
        );
        assert_eq!(
            VirtualDriveConfig::parse("virtual:a?media=dvd+rw")
                .unwrap()
                .media,
            Media::DvdPlusRw
        );
    }

    #[test]
    fn errors_list_the_valid_choices() {
        let e = VirtualDriveConfig::parse("virtual:a?media=hddvd")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("cd-r, cd-rw, dvd-r, dvd+r, dvd+rw, dvd-ram, bd-r, bd-re"),
            "{e}"
        );
        let e = VirtualDriveConfig::parse("virtual:a?colour=red")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("media, speed, buffer, full, throttle, fault"),
            "{e}"
        );
        let e = VirtualDriveConfig::parse("virtual:a?fault=gremlins")
            .unwrap_err()
            .to_string();
        assert!(e.contains("loss-of-streaming"), "{e}");
        assert!(VirtualDriveConfig::parse("virtual:?media=cd-r").is_err());
        assert!(VirtualDriveConfig::parse("/dev/sr0").is_err());
        assert!(VirtualDriveConfig::parse("virtual:a?buffer=1").is_err());
        assert!(VirtualDriveConfig::parse("virtual:a?speed=fast").is_err());
    }

    #[test]
    fn mid_is_checked_against_the_medium() {
        let c = VirtualDriveConfig::parse("virtual:a?mid=VERBAT-IMe-000&media=bd-r").unwrap();
        assert_eq!(c.mid.as_deref(), Some("VERBAT-IMe-000"));
        let e = VirtualDriveConfig::parse("virtual:a?media=bd-r&mid=VERBATIMc").unwrap_err();
        assert!(matches!(e, VdriveError::MediaId(_)), "{e:?}");
        assert!(e.to_string().contains("at most 6"), "{e}");
        // Without media= the disc decides at open.
        assert!(VirtualDriveConfig::parse("virtual:a?mid=97:24:01").is_ok());
        assert!(VirtualDriveConfig::parse("virtual:a?media=cd-r&mid=VERBAT").is_err());
    }
}
