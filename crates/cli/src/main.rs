//! `discburn`: burn images and folders to CD, DVD and BD recorders, verify
//! them, blank and format discs — on a real drive, a remote one (iSCSI) or
//! the virtual recorder. `discburn demo` shows it all on a virtual BD-R.
#![forbid(unsafe_code)]

// These shadow std's macros in the whole crate (textual scope wins over the prelude),
// so no line the CLI prints can panic on a closed pipe: see [`output`].
macro_rules! println {
    () => { $crate::output::stdout(format_args!("")) };
    ($($t:tt)*) => { $crate::output::stdout(format_args!($($t)*)) };
}
macro_rules! eprintln {
    () => { $crate::output::stderr(format_args!("")) };
    ($($t:tt)*) => { $crate::output::stderr(format_args!($($t)*)) };
}

mod advice;
mod audio_file;
mod cli;
mod commands;
mod demo;
mod exit;
mod fleet;
mod output;
mod progress;
mod record;
mod report;
mod serve;
mod words;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(match e.kind() {
                clap::error::ErrorKind::DisplayHelp
                | clap::error::ErrorKind::DisplayVersion
                | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => 0,
                _ => exit::USAGE,
            });
        }
    };
    if let Err(e) = exit::init_log(&cli.global, matches!(cli.command, cli::Command::Serve(_))) {
        eprintln!("discburn: cannot open the log: {e}");
        return ExitCode::from(exit::USAGE);
    }
    let code = match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    };
    if output::lost() {
        tracing::warn!("some output was lost: stdout or stderr was closed (e.g. `| head`)");
    }
    code
}
