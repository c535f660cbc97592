//! `jobs DIR`: a job queue for duplication towers. Each `NAME.job.json` in the folder is
//! burned as `write` to its drives at once — in rounds when it asks for more copies than
//! it names drives — with a burn record per disc and a state file beside it. The state is
//! written before the first disc is touched, so a runner killed mid-job finds the job
//! "running" on restart and reports it as interrupted instead of burning it again.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use clap::Parser;
use discburn::mmc::clock::SystemClock;
use discburn::mmc::disc::DiscStatus;
use discburn::CancelToken;
use serde_json::{json, Value};

use discburn_cli::job_file::{parse_job, read_status, Job, Status, FILE_MAX};

use crate::cli::{Cli, Command, Global, JobsArgs};
use crate::exit::{self, Failure};
use crate::record;

use super::{cancel_on_ctrl_c, emit_json};

/// What names a job file.
const JOB_SUFFIX: &str = ".job.json";
/// A job's state file, `NAME.state.json`.
struct State {
    path: PathBuf,
    doc: Value,
}

impl State {
    fn begin(dir: &Path, name: &str, job: Option<&Job>) -> State {
        State {
            path: state_path(dir, name),
            doc: json!({
                "job": name,
                "status": Status::Running.word(),
                "pid": std::process::id(),
                "started": stamp(),
                "finished": null,
                "label": job.and_then(|j| j.label.clone()),
                "source": job.map(|j| j.source.display().to_string()),
                "copies": job.map(|j| j.copies),
                "copies_done": 0,
                "discs": [],
                "error": null,
                "exit_code": null,
            }),
        }
    }

    fn set(&mut self, key: &str, v: Value) {
        if let Some(o) = self.doc.as_object_mut() {
            o.insert(key.to_string(), v);
        }
    }

    fn disc(&mut self, disc: Value) {
        if let Some(Value::Array(a)) = self.doc.get_mut("discs") {
            a.push(disc);
        }
    }

    fn end(&mut self, status: Status, failure: Option<&Failure>) {
        self.set("status", json!(status.word()));
        self.set("finished", json!(stamp()));
        self.set("error", json!(failure.map(|f| f.message.clone())));
        self.set("exit_code", json!(failure.map(|f| f.code)));
    }

    /// Written whole or not at all (a temporary file renamed over it), so a kill leaves
    /// the last state, never half of one.
    fn save(&self) -> Result<(), Failure> {
        let tmp = self.path.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(&self.doc).unwrap_or_default() + "\n";
        fs::write(&tmp, text)
            .and_then(|()| File::open(&tmp)?.sync_all())
            .and_then(|()| fs::rename(&tmp, &self.path))
            .map_err(|e| {
                Failure::new(
                    exit::USAGE,
                    format!("cannot write the job state {}: {e}", self.path.display()),
                )
                .hint("The job folder must be writable by the runner")
            })
    }
}

fn state_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.state.json"))
}

fn stamp() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

/// Reads at most [`FILE_MAX`] bytes of a text file.
fn read_small(path: &Path) -> std::io::Result<String> {
    let mut text = String::new();
    let mut f = File::open(path)?.take(FILE_MAX + 1);
    f.read_to_string(&mut text)?;
    if text.len() as u64 > FILE_MAX {
        return Err(std::io::Error::other(format!(
            "larger than {} KiB: not a job",
            FILE_MAX >> 10
        )));
    }
    Ok(text)
}

/// `discburn jobs DIR`.
pub(super) fn run(g: &Global, a: &JobsArgs) -> Result<(), Failure> {
    if !a.dir.is_dir() {
        return Err(Failure::new(
            exit::USAGE,
            format!(
                "{} is not a folder: `jobs` runs the job files in a folder",
                a.dir.display()
            ),
        )
        .hint("Name the folder the NAME.job.json files are put in (create it first)"));
    }
    let _lock = lock(&a.dir)?;
    let cancel = cancel_on_ctrl_c();
    let poll = Duration::from_secs_f64(a.poll);
    let clock = SystemClock::new();
    let mut told = std::collections::HashSet::new();
    let mut failed: Vec<(String, Failure)> = Vec::new();
    let mut ran = 0usize;
    if !g.json && !a.once {
        println!(
            "Watching {} for job files (NAME.job.json); Ctrl-C stops",
            a.dir.display()
        );
    }
    'watch: loop {
        for name in queued(&a.dir)? {
            if cancel.is_cancelled() {
                break 'watch;
            }
            let Some(result) = run_one(g, &a.dir, &name, poll, &cancel, &mut told)? else {
                continue;
            };
            ran += 1;
            if let Err(f) = result {
                let stop = f.code == exit::CANCELLED;
                failed.push((name, f));
                if stop {
                    break 'watch;
                }
            }
        }
        if a.once || !cancel.sleep(&clock, poll, Duration::from_millis(100)) {
            break;
        }
    }
    if g.json {
        emit_json(&json!({"event": "jobs", "ran": ran, "failed": failed.len()}));
    } else {
        println!("{} job(s) run, {} failed", ran, failed.len());
    }
    let n = failed.len();
    match failed.into_iter().next() {
        None => Ok(()),
        Some((name, f)) => Err(Failure {
            message: format!("{n} of {ran} jobs failed; {name}: {}", f.message),
            ..f
        }),
    }
}

/// One runner per folder: an advisory lock on `DIR/.discburn-jobs.lock`, held while the
/// runner lives (the kernel drops it when the process dies, however it dies).
fn lock(dir: &Path) -> Result<File, Failure> {
    let path = dir.join(".discburn-jobs.lock");
    let f = File::create(&path).map_err(|e| {
        Failure::new(
            exit::USAGE,
            format!("cannot create {}: {e}", path.display()),
        )
        .hint("The job folder must be writable by the runner")
    })?;
    match f.try_lock() {
        Ok(()) => Ok(f),
        Err(fs::TryLockError::WouldBlock) => Err(Failure::new(
            exit::USAGE,
            format!("another `discburn jobs` is running on {}", dir.display()),
        )
        .hint("One runner per folder: stop the other, or give this one a folder of its own")),
        Err(fs::TryLockError::Error(e)) => Err(Failure::new(
            exit::USAGE,
            format!("cannot lock {}: {e}", path.display()),
        )),
    }
}

/// The job names in the folder, in file-name order.
fn queued(dir: &Path) -> Result<Vec<String>, Failure> {
    let entries = fs::read_dir(dir)
        .map_err(|e| Failure::new(exit::USAGE, format!("cannot list {}: {e}", dir.display())))?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let n = e.file_name().into_string().ok()?;
            let name = n.strip_suffix(JOB_SUFFIX)?;
            (!name.is_empty() && !name.starts_with('.')).then(|| name.to_string())
        })
        .collect();
    names.sort();
    Ok(names)
}

/// Runs the job `name` if it is new (`Some` with its result); `None` when its state
/// says it ran already. A job found "running" was cut short by a runner that died: it
/// is marked interrupted and reported, never burned again.
fn run_one(
    g: &Global,
    dir: &Path,
    name: &str,
    poll: Duration,
    cancel: &CancelToken,
    told: &mut std::collections::HashSet<String>,
) -> Result<Option<Result<(), Failure>>, Failure> {
    let spath = state_path(dir, name);
    if spath.exists() {
        let status = read_small(&spath).ok().as_deref().and_then(read_status);
        return match status {
            Some((Status::Running, doc)) => Ok(Some(Err(interrupted(dir, name, doc)?))),
            Some(_) => Ok(None),
            None => {
                if told.insert(name.to_string()) {
                    eprintln!(
                        "discburn: job {name}: {} cannot be read; the job is left alone (delete the file to run it again)",
                        spath.display()
                    );
                }
                Ok(None)
            }
        };
    }
    let jpath = dir.join(format!("{name}{JOB_SUFFIX}"));
    let job = read_small(&jpath)
        .map_err(|e| e.to_string())
        .and_then(|t| parse_job(&t, dir, &g.drive));
    let job = match job {
        Ok(j) => j,
        Err(why) => {
            let f = Failure::new(exit::USAGE, format!("{}: {why}", jpath.display())).hint(format!(
                "Fix the job file, then delete {name}.state.json to queue it again"
            ));
            let mut state = State::begin(dir, name, None);
            state.end(Status::Failed, Some(&f));
            state.save()?;
            say(g, name, Status::Failed, &f.message);
            return Ok(Some(Err(f)));
        }
    };
    let mut state = State::begin(dir, name, Some(&job));
    state.save()?;
    let result = burn_job(g, dir, name, &job, &mut state, poll, cancel);
    let status = match &result {
        Ok(()) => Status::Done,
        Err(f) if f.code == exit::CANCELLED => Status::Cancelled,
        Err(_) => Status::Failed,
    };
    state.end(status, result.as_ref().err());
    state.save()?;
    let done = state
        .doc
        .get("copies_done")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    match &result {
        Ok(()) => say(
            g,
            name,
            status,
            &format!(
                "{done} of {} copies burned; records {name}.copy-K.record.json",
                job.copies
            ),
        ),
        Err(f) => say(
            g,
            name,
            status,
            &format!("{done} of {} copies burned; {}", job.copies, f.message),
        ),
    }
    Ok(Some(result.map_err(|f| Failure {
        message: format!("{name}: {}", f.message),
        ..f
    })))
}

/// A job whose state still says "running": its runner died mid-job.
fn interrupted(dir: &Path, name: &str, doc: Value) -> Result<Failure, Failure> {
    let done = doc.get("copies_done").and_then(Value::as_u64).unwrap_or(0);
    let pid = doc.get("pid").and_then(Value::as_u64).unwrap_or(0);
    let f = Failure::new(
        exit::CANCELLED,
        format!(
            "interrupted: the runner (pid {pid}) stopped during this job, after {done} good copies; \
             the discs it was burning may be incomplete, and the job is not burned again"
        ),
    )
    .hint(format!("Check those discs, then delete {name}.state.json to run the job again"));
    let mut state = State {
        path: state_path(dir, name),
        doc,
    };
    state.end(Status::Interrupted, Some(&f));
    state.save()?;
    eprintln!("discburn: job {name}: {}", f.message);
    Ok(f)
}

fn say(g: &Global, name: &str, status: Status, what: &str) {
    if g.json {
        emit_json(&json!({"event": "job", "job": name, "status": status.word(), "message": what}));
    } else {
        println!("Job {name}: {} — {what}", status.word());
    }
}

/// Burns `job`'s copies, a round of one disc per drive at a time, keeping the state and
/// every disc's record as it goes.
fn burn_job(
    g: &Global,
    dir: &Path,
    name: &str,
    job: &Job,
    state: &mut State,
    poll: Duration,
    cancel: &CancelToken,
) -> Result<(), Failure> {
    let mut done = 0u64;
    let mut round = 0u64;
    while done < job.copies {
        let n = (job.copies - done).min(job.drives.len() as u64) as usize;
        let drives = &job.drives[..n];
        let shown: Vec<String> = drives
            .iter()
            .enumerate()
            .map(|(i, d)| format!("[{}] {}", i + 1, discburn::redact_address(d)))
            .collect();
        if round > 0 {
            wait_for_blank(g, name, drives, &shown, poll, cancel)?;
        }
        let first = done + 1;
        let what = format!(
            "copies {first}–{} of {} on {}",
            done + n as u64,
            job.copies,
            shown.join(", ")
        );
        say(g, name, Status::Running, &what);
        let base = dir.join(format!(".{name}.round.json"));
        let result = match write_command(g, job, drives, &base) {
            Ok((g2, w)) => super::write::write_then_eject(&g2, *w),
            Err(f) => Err(f),
        };
        for (i, drive) in drives.iter().enumerate() {
            let copy = first + i as u64;
            let made = record::path_for(&base, i + 1, n);
            let kept = dir.join(format!("{name}.copy-{copy}.record.json"));
            let disc = match fs::rename(&made, &kept) {
                Ok(()) => {
                    let r = read_small(&kept)
                        .ok()
                        .and_then(|t| serde_json::from_str::<Value>(&t).ok());
                    let res = r.as_ref().and_then(|r| r.get("result"));
                    let ok = res.and_then(|r| r.get("ok")).and_then(Value::as_bool) == Some(true);
                    if ok {
                        done += 1;
                    }
                    json!({
                        "copy": copy,
                        "drive": discburn::redact_address(drive),
                        "record": kept.file_name().map(|f| f.to_string_lossy().into_owned()),
                        "ok": ok,
                        "exit_code": res.and_then(|r| r.get("exit_code")).cloned(),
                        "error": res.and_then(|r| r.get("error")).cloned(),
                        "sha256": r.as_ref().and_then(|r| r.get("source")).and_then(|s| s.get("sha256")).cloned(),
                    })
                }
                // No record: the burn never started (a drive that cannot be opened, a
                // source refused before the first WRITE).
                Err(_) => json!({
                    "copy": copy,
                    "drive": discburn::redact_address(drive),
                    "record": null,
                    "ok": false,
                    "exit_code": result.as_ref().err().map(|f| f.code),
                    "error": result.as_ref().err().map(|f| f.message.clone()),
                }),
            };
            state.disc(disc);
        }
        state.set("copies_done", json!(done));
        state.save()?;
        result?;
        round += 1;
    }
    Ok(())
}

/// The `write` command line of one round: parsed by clap like a user's, so a job means
/// exactly what `discburn write` means.
fn write_command(
    g: &Global,
    job: &Job,
    drives: &[String],
    record: &Path,
) -> Result<(Global, Box<crate::cli::WriteArgs>), Failure> {
    let mut argv: Vec<OsString> = vec!["discburn".into()];
    if g.json {
        argv.push("--json".into());
    }
    if g.plain {
        argv.push("--plain".into());
    }
    for d in drives {
        argv.push("--drive".into());
        argv.push(d.into());
    }
    argv.push("write".into());
    argv.push(job.source.clone().into());
    if job.verify {
        argv.push("--verify".into());
    }
    if let Some(s) = &job.speed {
        argv.push("--speed".into());
        argv.push(s.into());
    }
    if let (Some(l), true) = (&job.label, job.source.is_dir()) {
        argv.push("--volume-id".into());
        argv.push(l.into());
    }
    argv.push("--record".into());
    argv.push(record.into());
    let cli = Cli::try_parse_from(argv).map_err(|e| {
        let text = e.to_string();
        let first = text
            .lines()
            .next()
            .unwrap_or("")
            .trim_start_matches("error: ");
        Failure::new(exit::USAGE, format!("the job's write is refused: {first}")).hint(
            "Fix the job file's speed or label, then delete NAME.state.json to queue it again",
        )
    })?;
    match cli.command {
        Command::Write(w) => Ok((cli.global, Box::new(w))),
        _ => Err(Failure::new(
            exit::INTERNAL,
            "a job's command line is not a write",
        )),
    }
}

/// Before a round after the first: every drive must hold a blank disc again (the tower
/// swaps them). A rewritable random-access disc (DVD+RW, BD-RE, DVD-RAM) is written over,
/// so any disc in the drive will do.
fn wait_for_blank(
    g: &Global,
    name: &str,
    drives: &[String],
    shown: &[String],
    poll: Duration,
    cancel: &CancelToken,
) -> Result<(), Failure> {
    let clock = SystemClock::new();
    let mut told = false;
    loop {
        let waiting: Vec<&str> = drives
            .iter()
            .zip(shown)
            .filter(|(d, _)| !ready(d))
            .map(|(_, s)| s.as_str())
            .collect();
        if waiting.is_empty() {
            return Ok(());
        }
        if !told {
            say(
                g,
                name,
                Status::Running,
                &format!("waiting for a blank disc in {}", waiting.join(", ")),
            );
            told = true;
        }
        if !cancel.sleep(&clock, poll, Duration::from_millis(100)) {
            return Err(Failure::new(
                exit::CANCELLED,
                "cancelled while waiting for blank discs",
            ));
        }
    }
}

/// Whether the drive at `addr` holds a disc the next copy can be burned on.
fn ready(addr: &str) -> bool {
    let Ok(r) = discburn::open_shared(addr) else {
        return false;
    };
    match r.current_profile() {
        Ok(p) if p.is_recordable() && !p.is_sequential() => r.disc_information().is_ok(),
        Ok(p) if p.is_recordable() => r
            .disc_information()
            .is_ok_and(|i| i.disc_status == DiscStatus::Empty),
        _ => false,
    }
}
