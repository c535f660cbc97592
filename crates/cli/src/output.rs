//! Every line the CLI prints goes through here. `println!` panics when stdout is a
//! closed pipe (`discburn write … | head -1`), which aborted a burn half way and left
//! an open track: output is a courtesy, the burn is the job. Write errors are
//! ignored and remembered ([`lost`]), and the command carries on.

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static LOST: AtomicBool = AtomicBool::new(false);

/// Whether some output could not be written (stdout or stderr closed or full).
pub fn lost() -> bool {
    LOST.load(Ordering::Relaxed)
}

fn note(r: std::io::Result<()>) {
    if r.is_err() {
        LOST.store(true, Ordering::Relaxed);
    }
}

/// Writes `args` and a newline to stdout (flushed: JSON lines are read as they come);
/// errors are remembered.
pub fn stdout(args: fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    note(writeln!(out, "{args}").and_then(|()| out.flush()));
}

/// Writes `args` and a newline to stderr; errors are remembered.
pub fn stderr(args: fmt::Arguments<'_>) {
    note(writeln!(std::io::stderr().lock(), "{args}"));
}

/// Writes bytes to stdout as they are (a man page, completions); errors are remembered.
pub fn stdout_bytes(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    note(out.write_all(bytes).and_then(|()| out.flush()));
}
