//! Job files of `discburn jobs DIR` (`NAME.job.json`) and the status word of their state
//! files, read from a folder anyone may drop files into: checked field by field, every
//! problem a sentence naming the field — never a panic (property tests below, fuzz
//! target `job_file`).

use std::path::{Path, PathBuf};

use serde_json::Value;

/// Largest job or state file read: a job is a few lines, anything bigger is not one.
pub const FILE_MAX: u64 = 1 << 20;
/// Most copies one job may ask for.
pub const COPIES_MAX: u64 = 100_000;
/// Most drives one job may name.
pub const DRIVES_MAX: usize = 256;
/// The fields a job file may have.
pub const FIELDS: [&str; 6] = ["source", "copies", "drives", "verify", "label", "speed"];

/// One job file, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// The image or folder, resolved against the job folder.
    pub source: PathBuf,
    /// Discs to burn (default: one per drive).
    pub copies: u64,
    /// The drive addresses, burned on at once.
    pub drives: Vec<String>,
    /// `--verify` every disc.
    pub verify: bool,
    /// A folder's volume name (`--volume-id`); shown and kept for an image.
    pub label: Option<String>,
    /// `--speed` (default max).
    pub speed: Option<String>,
}

/// Reads a job file's text: a JSON object with [`FIELDS`]. `drives` falls back to the
/// runner's `--drive`; `copies` to the number of drives.
pub fn parse_job(text: &str, dir: &Path, fallback_drives: &[String]) -> Result<Job, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Object(o) = v else {
        return Err(
            "not a JSON object: a job is {\"source\": …, \"copies\": …, \"drives\": […]}".into(),
        );
    };
    if let Some(k) = o.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(format!(
            "unknown field {k:?} (a job has {})",
            FIELDS.join(", ")
        ));
    }
    let text_field = |k: &str| -> Result<Option<String>, String> {
        match o.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
            Some(_) => Err(format!("{k:?} must be a non-empty string")),
        }
    };
    let source = text_field("source")?
        .ok_or("\"source\" is missing: name the image file or folder to burn")?;
    let drives = match o.get("drives") {
        None | Some(Value::Null) => fallback_drives.to_vec(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|d| match d {
                Value::String(s) if !s.is_empty() => Ok(s.clone()),
                _ => Err("\"drives\" must be a list of drive addresses (strings)".to_string()),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("\"drives\" must be a list of drive addresses".into()),
    };
    if drives.is_empty() {
        return Err(
            "no drives: the job names none and the runner was started without --drive".into(),
        );
    }
    if drives.len() > DRIVES_MAX {
        return Err(format!(
            "{} drives named; a job burns on at most {DRIVES_MAX}",
            drives.len()
        ));
    }
    let copies = match o.get("copies") {
        None | Some(Value::Null) => drives.len() as u64,
        Some(c) => match c.as_u64() {
            Some(n) if (1..=COPIES_MAX).contains(&n) => n,
            _ => {
                return Err(format!(
                    "\"copies\" must be a whole number from 1 to {COPIES_MAX}"
                ))
            }
        },
    };
    let verify = match o.get("verify") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err("\"verify\" must be true or false".into()),
    };
    let source = PathBuf::from(source);
    Ok(Job {
        source: if source.is_absolute() {
            source
        } else {
            dir.join(source)
        },
        copies,
        drives,
        verify,
        label: text_field("label")?,
        speed: text_field("speed")?,
    })
}

/// Where a job stands, as its state file says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Being burned, or its runner died while it was.
    Running,
    /// Every copy burned.
    Done,
    /// Refused, or a burn failed.
    Failed,
    /// Stopped by Ctrl-C / SIGTERM.
    Cancelled,
    /// Found running by a runner started after the one that died in it.
    Interrupted,
}

impl Status {
    /// The word the state file holds.
    pub fn word(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Done => "done",
            Status::Failed => "failed",
            Status::Cancelled => "cancelled",
            Status::Interrupted => "interrupted",
        }
    }

    /// The status a state file's word names.
    pub fn from_word(w: &str) -> Option<Status> {
        [
            Status::Running,
            Status::Done,
            Status::Failed,
            Status::Cancelled,
            Status::Interrupted,
        ]
        .into_iter()
        .find(|s| s.word() == w)
    }
}

/// The state a state file's text gives, `None` when there is none to read.
pub fn read_status(text: &str) -> Option<(Status, Value)> {
    let v: Value = serde_json::from_str(text).ok()?;
    let s = Status::from_word(v.get("status")?.as_str()?)?;
    Some((s, v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn job(text: &str) -> Result<Job, String> {
        parse_job(text, Path::new("/jobs"), &[])
    }

    #[test]
    fn a_job_names_its_source_drives_and_copies() {
        let j = job(r#"{"source": "a.iso", "drives": ["virtual:/t/a.img?media=bd-r", "/dev/sr0"], "verify": true, "label": "X", "speed": "4x"}"#).unwrap();
        assert_eq!(j.source, Path::new("/jobs/a.iso"));
        assert_eq!(j.copies, 2, "copies default to one per drive");
        assert!(j.verify);
        assert_eq!(j.label.as_deref(), Some("X"));
        assert_eq!(j.speed.as_deref(), Some("4x"));
        let j = parse_job(
            r#"{"source": "/abs/b", "copies": 5}"#,
            Path::new("/jobs"),
            &["/dev/sr1".into()],
        )
        .unwrap();
        assert_eq!(
            (j.source.as_path(), j.copies, j.drives.as_slice()),
            (Path::new("/abs/b"), 5, &["/dev/sr1".to_string()][..])
        );
    }

    #[test]
    fn bad_jobs_are_told_by_field() {
        for (text, says) in [
            ("[1]", "not a JSON object"),
            ("{", "not JSON"),
            (r#"{"drives": ["a"]}"#, "\"source\" is missing"),
            (r#"{"source": "a", "drives": []}"#, "no drives"),
            (
                r#"{"source": "a", "drives": ["a"], "copies": 0}"#,
                "\"copies\"",
            ),
            (
                r#"{"source": "a", "drives": ["a"], "copies": 1.5}"#,
                "\"copies\"",
            ),
            (
                r#"{"source": "a", "drives": ["a"], "verify": "yes"}"#,
                "\"verify\"",
            ),
            (r#"{"source": "a", "drives": [1]}"#, "\"drives\""),
            (
                r#"{"source": "a", "drives": ["a"], "colour": "red"}"#,
                "unknown field \"colour\"",
            ),
        ] {
            let e = job(text).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
    }

    #[test]
    fn states_read_back_by_word() {
        for s in [
            Status::Running,
            Status::Done,
            Status::Failed,
            Status::Cancelled,
            Status::Interrupted,
        ] {
            let text = json!({"status": s.word()}).to_string();
            assert_eq!(read_status(&text).map(|(s, _)| s), Some(s));
        }
        assert!(read_status("{\"status\": \"maybe\"}").is_none());
        assert!(read_status("garbage").is_none());
    }

    proptest! {
        #[test]
        fn any_text_is_a_job_or_a_reason(text in ".{0,200}") {
            let _ = job(&text);
        }

        #[test]
        fn any_object_is_a_job_or_a_reason(
            source in proptest::option::of(any::<String>()),
            copies in proptest::option::of(any::<i64>()),
            drives in proptest::option::of(proptest::collection::vec(any::<String>(), 0..4)),
            verify in proptest::option::of(any::<bool>()),
        ) {
            let mut o = serde_json::Map::new();
            if let Some(s) = source { o.insert("source".into(), json!(s)); }
            if let Some(c) = copies { o.insert("copies".into(), json!(c)); }
            if let Some(d) = drives { o.insert("drives".into(), json!(d)); }
            if let Some(v) = verify { o.insert("verify".into(), json!(v)); }
            if let Ok(j) = job(&Value::Object(o).to_string()) {
                prop_assert!((1..=COPIES_MAX).contains(&j.copies));
                prop_assert!(!j.drives.is_empty() && j.drives.len() <= DRIVES_MAX);
            }
        }

        #[test]
        fn any_state_text_reads_or_is_none(text in ".{0,200}") {
            let _ = read_status(&text);
        }
    }
}
