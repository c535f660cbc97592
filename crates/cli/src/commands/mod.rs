//! The commands: the dispatch from the parsed command line, opening the drive the global
//! options name, and one module per command family.

use std::path::Path;
use std::sync::Arc;

use clap::CommandFactory;
use discburn::burn::Spare;
use discburn::{CancelToken, Recorder};
use serde_json::Value;

use crate::cli::{Cli, Command, Global, SpareArg};
use crate::exit::{self, Failure};

mod audio;
mod cue;
mod disc;
mod jobs;
mod look;
mod many;
mod write;

use disc::{blank, eject, fix, format, read};
pub use look::medium_json;
use look::{drives, info, speeds};
pub use write::{summary, underrun_seen};
use write::{verify, write_then_eject};

/// Runs one command.
pub fn run(cli: Cli) -> Result<(), Failure> {
    let g = cli.global;
    let json = g.json;
    let r = match cli.command {
        Command::Drives => drives(&g),
        Command::Info => info(&g),
        Command::Speeds => speeds(&g),
        Command::Write(a) => write_then_eject(&g, a),
        Command::Verify(a) => verify(&g, &a.image, a.lba),
        Command::Blank(a) => blank(&g, a.full),
        Command::Format(a) => format(
            &g,
            discburn::burn::FormatRequest {
                overwrite: a.overwrite,
                full: a.full,
                ..discburn::burn::FormatRequest::spare(spare(a.spare))
            },
        ),
        Command::Fix(a) => fix(&g, a.session),
        Command::Read(a) => read(&g, &a),
        Command::Eject => eject(&g),
        Command::Demo(a) => crate::demo::run(&g, &a),
        Command::Serve(a) => crate::serve::run(&g, &a),
        Command::Report(a) => crate::report::run(&a.record, a.svg.as_deref(), a.png.as_deref()),
        Command::Jobs(a) => jobs::run(&g, &a),
        Command::Completions { shell } => {
            // clap_complete panics on a write error: generate in memory first.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "discburn", &mut script);
            crate::output::stdout_bytes(&script);
            Ok(())
        }
        Command::Man { out } => man(out.as_deref()),
    };
    r.map_err(|mut f| {
        f.json = json;
        f
    })
}

fn spare(s: SpareArg) -> Spare {
    match s {
        SpareArg::None => Spare::None,
        SpareArg::Min => Spare::Min,
        SpareArg::Default => Spare::Default,
    }
}

/// Ctrl-C trips the token: the engine stops, flushes the drive, and the
/// command exits with code 8.
pub fn cancel_on_ctrl_c() -> CancelToken {
    // One token for the process: the handler can be set only once, and `jobs` runs many
    // burns. The first Ctrl-C cancels; a second one stops waiting for a flush or close
    // the drive cannot be stopped in.
    static TOKEN: std::sync::OnceLock<CancelToken> = std::sync::OnceLock::new();
    TOKEN
        .get_or_init(|| {
            let token = CancelToken::new();
            let t = token.clone();
            let _ = ctrlc::set_handler(move || t.press());
            token
        })
        .clone()
}

/// The drive address: --drive / $DISCBURN_DRIVE, else the only drive found.
fn address(g: &Global) -> Result<String, Failure> {
    match g.drive.as_slice() {
        [] => {}
        [one] => return Ok(one.clone()),
        many => {
            return Err(Failure::new(
                exit::USAGE,
                format!(
                    "--drive is given {} times, but only `write` burns to several drives at once",
                    many.len()
                ),
            )
            .hint("Name one drive for this command"))
        }
    }
    let found = discburn::drives().unwrap_or_default();
    match found.as_slice() {
        [one] => Ok(one.block_device.display().to_string()),
        [] => Err(Failure::new(exit::NO_DRIVE, "No recorder found on this machine, and no --drive given").hint(
            "Name one with --drive: a virtual one is --drive 'virtual:/tmp/disc.img?media=bd-r' (see `discburn drives`)",
        )),
        many => Err(Failure::new(
            exit::NO_DRIVE,
            format!(
                "{} recorders found ({}); which one?",
                many.len(),
                many.iter().map(|d| d.block_device.display().to_string()).collect::<Vec<_>>().join(", ")
            ),
        )
        .hint("Choose one with --drive")),
    }
}

/// Opens the recorder named by the global options; the address returned is the one to
/// show (password hidden).
pub fn open(g: &Global) -> Result<(String, Arc<Recorder>), Failure> {
    let a = address(g)?;
    match discburn::open(&a) {
        Ok(r) => Ok((discburn::redact_address(&a), Arc::new(r))),
        Err(e) => Err(exit::open_failure(&a, &e)),
    }
}

/// Opens the drive for commands that only look (`info`, `speeds`): a local drive is not
/// opened exclusively, so they work while its disc is mounted.
fn open_to_look(g: &Global) -> Result<(String, Arc<Recorder>), Failure> {
    let a = address(g)?;
    match discburn::open_shared(&a) {
        Ok(r) => Ok((discburn::redact_address(&a), Arc::new(r))),
        Err(e) => Err(exit::open_failure(&a, &e)),
    }
}

fn emit_json(v: &Value) {
    println!("{v}");
}

fn man(out: Option<&Path>) -> Result<(), Failure> {
    let cmd = Cli::command();
    let Some(dir) = out else {
        let mut page = Vec::new();
        clap_mangen::Man::new(cmd).render(&mut page).map_err(|e| {
            Failure::new(exit::INTERNAL, format!("cannot render the man page: {e}"))
        })?;
        crate::output::stdout_bytes(&page);
        return Ok(());
    };
    if dir.exists() && !dir.is_dir() {
        return Err(Failure::new(
            exit::USAGE,
            format!(
                "{} is not a directory: --out names the folder the man pages are written into",
                dir.display()
            ),
        )
        .hint("Name a folder (it is created when absent), or leave out --out to print the page"));
    }
    // The path a failure is about is the one the user can act on.
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |e: std::io::Error| {
            Failure::new(exit::USAGE, format!("cannot write {}: {e}", path.display()))
        }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut pages = vec![(dir.join("discburn.1"), cmd.clone())];
    for sub in cmd.get_subcommands() {
        let name = format!("discburn-{}", sub.get_name());
        pages.push((dir.join(format!("{name}.1")), sub.clone().name(name)));
    }
    for (path, page) in pages {
        let mut f = std::fs::File::create(&path).map_err(io(&path))?;
        clap_mangen::Man::new(page)
            .render(&mut f)
            .map_err(io(&path))?;
    }
    Ok(())
}
