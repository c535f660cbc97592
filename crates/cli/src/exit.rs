//! Exit codes, failures as sentences, and the log (`--log FILE`), which
//! keeps what the sentence leaves out: the CDB, the raw sense bytes, the
//! HRESULT.

use std::fs::File;
use std::process::ExitCode;
use std::sync::Mutex;

use discburn::burn::BurnError;
use discburn::ErrorKind;
use serde_json::json;

use crate::cli::Global;
use crate::words::human_size;

/// 1: internal error.
pub const INTERNAL: u8 = 1;
/// 2: usage error.
pub const USAGE: u8 = 2;
/// 3: no recorder.
pub const NO_DRIVE: u8 = 3;
/// 4: medium unsuitable.
pub const MEDIUM: u8 = 4;
/// 5: the drive failed.
pub const DEVICE: u8 = 5;
/// 6: verification failed.
pub const VERIFY: u8 = 6;
/// 7: the source cannot be read.
pub const SOURCE: u8 = 7;
/// 8: cancelled.
pub const CANCELLED: u8 = 8;

/// A failed command: the sentence, what to try, the exit code, and the
/// details for the log.
#[derive(Debug)]
pub struct Failure {
    /// What failed, in words.
    pub message: String,
    /// What to try.
    pub hint: Option<String>,
    /// Exit code.
    pub code: u8,
    /// Print as JSON.
    pub json: bool,
    /// HRESULT, when one applies.
    pub hresult: Option<u32>,
}

impl Failure {
    /// A failure with a message and code.
    pub fn new(code: u8, message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            hint: None,
            code,
            json: false,
            hresult: None,
        }
    }

    /// Adds what to try.
    pub fn hint(mut self, hint: impl Into<String>) -> Failure {
        self.hint = Some(hint.into());
        self
    }

    /// Prints the failure and returns the exit code.
    pub fn report(self) -> ExitCode {
        tracing::error!(code = self.code, hresult = ?self.hresult.map(|h| format!("{h:#010X}")), "{}", self.message);
        if self.json {
            println!(
                "{}",
                json!({
                    "event": "error",
                    "message": self.message,
                    "hint": self.hint,
                    "exit_code": self.code,
                    "hresult": self.hresult.map(|h| format!("{h:#010X}")),
                })
            );
        } else {
            eprintln!("discburn: {}", self.message);
            if let Some(h) = &self.hint {
                eprintln!("  what to try: {h}");
            }
        }
        ExitCode::from(self.code)
    }
}

/// Turns a device error into a sentence: the step, the drive's words, the
/// sense code; the raw bytes go to the log only.
pub fn device_sentence(step: &str, e: &discburn::Error) -> String {
    let mut s = format!("{} failed: ", capitalize(step));
    match e.kind() {
        ErrorKind::Sense(sense) => {
            s.push_str(&format!(
                "the drive reported \"{}\" (sense {:X}/{:02X}/{:02X})",
                sense.description(),
                u8::from(sense.key()),
                sense.code().asc,
                sense.code().ascq
            ));
            tracing::error!(
                cdb = ?e.cdb().map(|c| hex(c.as_bytes())),
                sense = %hex(&sense.raw),
                hresult = %format!("{:#010X}", e.hresult().0),
                "{step}: CHECK CONDITION"
            );
        }
        _ => {
            if let Some(what) = e.lost_contact() {
                s.push_str(what);
                s.push_str(": ");
            }
            s.push_str(&e.to_string());
            tracing::error!(cdb = ?e.cdb().map(|c| hex(c.as_bytes())), "{step}: {e}");
        }
    }
    match e.last_written_lba() {
        Some(lba) if lba < 0 => s.push_str("; no sector was written"),
        Some(lba) => s.push_str(&format!("; the last sector written was {lba}")),
        None => {}
    }
    s
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Bytes as hex pairs.
pub fn hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The exit code and sentence for a workflow error.
pub fn burn_failure(e: &BurnError) -> Failure {
    let code = match e {
        BurnError::NoMedium
        | BurnError::NotWritable { .. }
        | BurnError::Closed { .. }
        | BurnError::NotBlank { .. }
        | BurnError::TooLarge { .. }
        | BurnError::TestWriteUnsupported { .. }
        | BurnError::Unsupported(_)
        | BurnError::Unsuitable(_)
        | BurnError::ImageAddressedElsewhere { .. } => MEDIUM,
        // A drive or connection lost once writing began is a failed burn.
        BurnError::Device { .. } if e.writing_began() => DEVICE,
        BurnError::Device { source, .. } => match source.kind() {
            ErrorKind::Transport(_) => NO_DRIVE,
            ErrorKind::Locked { .. } | ErrorKind::Busy(_) => NO_DRIVE,
            _ => DEVICE,
        },
        BurnError::NotRecorded(_) | BurnError::VerifyStopped { .. } | BurnError::Unconfirmed(_) => {
            DEVICE
        }
        BurnError::NotWholeSectors { .. }
        | BurnError::NotAnImageFile { .. }
        | BurnError::StreamShort { .. }
        | BurnError::Source { .. }
        | BurnError::Iso(_) => SOURCE,
        BurnError::VerifyFailed(_)
        | BurnError::LengthsDiffer { .. }
        | BurnError::FilesDiffer { .. } => VERIFY,
        BurnError::Cancelled { .. } | BurnError::Abandoned { .. } => CANCELLED,
        // A failure added to the library after this table: the drive's side by default.
        _ => DEVICE,
    };
    let message = match e {
        BurnError::Device { step, source, .. } => device_sentence(step, source),
        BurnError::TooLarge {
            what,
            needed,
            free,
            profile,
        } => capitalize(&format!(
            "{what} needs {needed} sectors ({}) but the {profile} has only {free} sectors ({}) free",
            human_size(*needed),
            human_size(*free)
        )),
        BurnError::VerifyFailed(r) => listed(
            format!("{e}:"),
            r.bad.iter().map(|b| b.to_string()),
            r.bad.len() as u64,
            " ranges",
        ),
        BurnError::FilesDiffer { check, .. } => listed(
            capitalize(&format!("{e}:")),
            check.problems.iter().map(|p| p.to_string()),
            check.problems.len() as u64 + check.more_problems,
            "",
        ),
        _ => capitalize(&e.to_string()),
    };
    Failure {
        message,
        hint: crate::advice::burn_hint(e),
        code,
        json: false,
        hresult: Some(e.hresult().0),
    }
}

/// The failure of opening a drive address: one sentence naming the address once (its
/// password hidden), and what to try when the sentence does not say it.
pub fn open_failure(address: &str, e: &discburn::Error) -> Failure {
    let shown = discburn::redact_address(address);
    tracing::error!(address = %shown, "cannot open the drive: {e}");
    let (message, hint) = match e.kind() {
        ErrorKind::Open(o) => (
            capitalize(&o.to_string()),
            crate::advice::open_hint(o).map(str::to_string),
        ),
        // The text names the drive and how to free it.
        ErrorKind::Busy(why) => (capitalize(why), None),
        ErrorKind::InvalidArgument(m) if m.contains(&shown) => (
            capitalize(m),
            Some("A virtual drive is virtual:PATH?media=bd-r; `discburn drives` lists the others".into()),
        ),
        _ => (
            format!("Cannot open the drive {shown}: {e}"),
            Some("Check the address with `discburn drives`; a virtual drive is virtual:PATH?media=bd-r".into()),
        ),
    };
    Failure {
        message,
        hint,
        code: NO_DRIVE,
        json: false,
        hresult: Some(e.hresult().0),
    }
}

/// `--log DIR`: a folder (existing, or written with a trailing `/`) that keeps this
/// run's log and, for `write`, its burn records, named by [`run_name`].
pub fn log_dir(g: &Global) -> Option<&std::path::Path> {
    let p = g.log.as_deref()?;
    (p.is_dir() || p.as_os_str().to_string_lossy().ends_with('/')).then_some(p)
}

/// `discburn-YYYYMMDDTHHMMSSZ-PID`: this run's files in a `--log` folder, one name per run.
pub fn run_name() -> &'static str {
    static NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NAME.get_or_init(|| {
        let t = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
        let compact: String = t.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        format!("discburn-{compact}-{}", std::process::id())
    })
}

/// Sets up `--log FILE` (tracing-subscriber, plain text, the level given, debug by
/// default). A server (`serve`) without --log logs to stderr, at info by default.
pub fn init_log(g: &Global, server: bool) -> std::io::Result<()> {
    let filter = |default: &str| {
        let level = g.log_level.as_deref().unwrap_or(default);
        tracing_subscriber::EnvFilter::try_new(format!("{level},hadris=warn"))
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default))
    };
    match &g.log {
        Some(path) => {
            let file = match log_dir(g) {
                Some(dir) => {
                    std::fs::create_dir_all(dir)?;
                    File::create(dir.join(format!("{}.log", run_name())))?
                }
                None => File::create(path)?,
            };
            tracing_subscriber::fmt()
                .with_writer(Mutex::new(file))
                .with_ansi(false)
                .with_env_filter(filter("debug"))
                .init();
        }
        None if server => {
            tracing_subscriber::fmt()
                .with_writer(std::io::stderr)
                .with_ansi(false)
                .with_env_filter(filter("info"))
                .init();
        }
        None => return Ok(()),
    }
    tracing::info!(
        "discburn {} {}",
        env!("CARGO_PKG_VERSION"),
        std::env::args()
            .map(|a| discburn::redact_address(&a))
            .collect::<Vec<_>>()
            .join(" ")
    );
    Ok(())
}

/// `head`, then the first 20 of `items` one per line, then how many of `total` more
/// (`… and N more{unit}`).
fn listed(head: String, items: impl Iterator<Item = String>, total: u64, unit: &str) -> String {
    let mut m = head;
    for i in items.take(20) {
        m.push_str(&format!("\n    {i}"));
    }
    if total > 20 {
        m.push_str(&format!("\n    … and {} more{unit}", total - 20));
    }
    m
}

/// A source file that cannot be read, or is not what it should be (exit 7).
pub fn source_failure(path: &std::path::Path, e: impl std::fmt::Display) -> Failure {
    Failure::new(SOURCE, format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use discburn::mmc::profile::Profile;

    #[test]
    fn a_too_large_image_is_told_in_sectors_and_sizes() {
        let f = burn_failure(&BurnError::TooLarge {
            what: "the image".into(),
            needed: 359_850,
            free: 359_849,
            profile: Profile::CdR,
        });
        assert_eq!(
            f.message,
            "The image needs 359850 sectors (737.0 MB) but the CD-R has only 359849 sectors (737.0 MB) free"
        );
        assert_eq!(f.code, MEDIUM);
    }
}
