//! Test support (feature `tgt-harness`): a private `tgtd` on 127.0.0.1 exporting one MMC
//! LUN over an empty file — a blank DVD+R (see shared/peers.md for how tgt behaves).
//!
//! Each [`Tgt`] runs its own daemon (`tgtd -f`) with a free TCP port and its own control
//! socket, so tests can run in parallel. Dropping it — also while a test panics —
//! deletes the target and kills the daemon by PID (tgtd ignores SIGTERM).
//!
//! ```no_run
//! use discburn_iscsi::testing::Tgt;
//! use discburn_iscsi::IscsiTransport;
//!
//! let tgt = Tgt::start(); // panics with an actionable message if tgtd is missing
//! let drive = IscsiTransport::open(&tgt.url()).unwrap();
//! // … burn, then compare tgt.image_bytes() with what was written.
//! ```

use std::fs;
use std::io;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The message a test fails with when tgt is not installed.
pub const TGTD_MISSING: &str =
    "tgtd not found: install Debian's tgt (apt-get install tgt) or run scripts/test, which installs it";

/// How long the harness waits for tgtd to answer on its control socket.
pub const READY_DEADLINE: Duration = Duration::from_secs(15);

/// The LUN the harness creates (LUN 0 is tgt's controller).
pub const LUN: u16 = 1;

/// Why the harness could not run tgtd.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// tgtd or tgtadm is not installed.
    #[error("{TGTD_MISSING}")]
    TgtdMissing,
    /// A file or process operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What the harness was doing.
        what: String,
        /// The error.
        source: io::Error,
    },
    /// A tgtadm command failed.
    #[error("tgtadm {args} failed ({status}): {output}")]
    Tgtadm {
        /// Its arguments.
        args: String,
        /// Its exit status.
        status: String,
        /// What it printed.
        output: String,
    },
    /// tgtd exited or never became ready.
    #[error("tgtd did not start: {why}; its log:\n{log}")]
    NotReady {
        /// Why.
        why: String,
        /// tgtd's output.
        log: String,
    },
}

/// Options for [`Tgt::start_with`].
#[derive(Debug, Clone, Default)]
pub struct TgtOptions {
    /// Directory for the disc image and the log (default: a fresh one under the system
    /// temporary directory, removed on drop). Use a tmpfs such as /dev/shm for speed.
    pub dir: Option<PathBuf>,
    /// Require one-way CHAP with this (user, secret).
    pub chap: Option<(String, String)>,
}

/// True when some tgtd answers on control port `n`.
fn control_in_use(tgtadm: &Path, n: u32) -> bool {
    Command::new(tgtadm)
        .args([
            "-C",
            &n.to_string(),
            "--lld",
            "iscsi",
            "--mode",
            "target",
            "--op",
            "show",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn find_tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/local/sbin"].map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// A running private tgtd with one blank DVD+R LUN at [`Tgt::url`].
#[derive(Debug)]
pub struct Tgt {
    child: Child,
    tgtadm: PathBuf,
    port: u16,
    control: u32,
    iqn: String,
    dir: PathBuf,
    owns_dir: bool,
    image: PathBuf,
    log: PathBuf,
    chap: Option<(String, String)>,
    /// Set once our own daemon answered with our portal: only then does drop talk to
    /// the control socket (never to another daemon's).
    ready: bool,
}

impl Tgt {
    /// Starts tgtd with defaults; panics with an actionable message on failure (a
    /// missing tgtd fails the test with [`TGTD_MISSING`], it never skips).
    pub fn start() -> Tgt {
        Tgt::start_with(TgtOptions::default()).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Starts tgtd with `options`.
    pub fn start_with(options: TgtOptions) -> Result<Tgt, HarnessError> {
        let tgtd = find_tool("tgtd").ok_or(HarnessError::TgtdMissing)?;
        let tgtadm = find_tool("tgtadm").ok_or(HarnessError::TgtdMissing)?;
        let mut last = None;
        // A port freed by the probe can be taken by someone else before tgtd binds it:
        // try a few.
        for _ in 0..5 {
            match Tgt::try_start(&tgtd, &tgtadm, &options) {
                Ok(t) => return Ok(t),
                Err(e @ HarnessError::NotReady { .. }) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or(HarnessError::TgtdMissing))
    }

    fn try_start(tgtd: &Path, tgtadm: &Path, options: &TgtOptions) -> Result<Tgt, HarnessError> {
        static SEQ: AtomicU32 = AtomicU32::new(0);
        let io = |what: &str| {
            let what = what.to_string();
            move |source| HarnessError::Io { what, source }
        };
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").map_err(io("probing a free port"))?;
            l.local_addr().map_err(io("probing a free port"))?.port()
        };
        // Control socket number (tgtd takes 0..=32767): derived from the port, in
        // 16384..=32767, away from hand-picked ones (-C 0, -C 7…), skipping numbers a
        // running daemon already answers on. A clash that slips through is caught below
        // (the portal list lacks our port) and retried.
        let mut control = u32::from(port % 16384) + 16384;
        for _ in 0..64 {
            if !control_in_use(tgtadm, control) {
                break;
            }
            control = 16384 + (control + 1) % 16384;
        }
        let seq = SEQ.fetch_add(1, Ordering::Relaxed);
        let (dir, owns_dir) = match &options.dir {
            // A directory the harness creates is also removed by it.
            Some(d) => (d.clone(), !d.exists()),
            None => (
                std::env::temp_dir().join(format!(
                    "discburn-tgt-{}-{}-{}",
                    std::process::id(),
                    seq,
                    port
                )),
                true,
            ),
        };
        fs::create_dir_all(&dir).map_err(io("creating the harness directory"))?;
        let image = dir.join(format!("disc-{port}.img"));
        fs::File::create(&image).map_err(io("creating the blank disc image"))?;
        let log = dir.join(format!("tgtd-{port}.log"));
        let log_file = fs::File::create(&log).map_err(io("creating the tgtd log"))?;
        let log_err = log_file.try_clone().map_err(io("creating the tgtd log"))?;
        let child = Command::new(tgtd)
            .args(["-f", "-C", &control.to_string(), "--iscsi"])
            .arg(format!("portal=127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(log_file)
            .stderr(log_err)
            .spawn()
            .map_err(io("spawning tgtd"))?;
        let mut t = Tgt {
            child,
            tgtadm: tgtadm.to_path_buf(),
            port,
            control,
            iqn: format!("iqn.2024-01.local.discburn-test:dvd-{port}"),
            dir,
            owns_dir,
            image,
            log,
            chap: options.chap.clone(),
            ready: false,
        };
        t.wait_ready()?;
        t.ready = true;
        t.setup()?;
        Ok(t)
    }

    fn wait_ready(&mut self) -> Result<(), HarnessError> {
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(HarnessError::NotReady {
                    why: format!("tgtd exited with {status}"),
                    log: self.log(),
                });
            }
            if self.tgtadm(&["--mode", "target", "--op", "show"]).is_ok() {
                // The portal must be ours: if another process had the port, tgtd lists none.
                let portals = self.tgtadm(&["--mode", "portal", "--op", "show"])?;
                if portals.contains(&format!("127.0.0.1:{}", self.port)) {
                    return Ok(());
                }
                return Err(HarnessError::NotReady {
                    why: format!("portal 127.0.0.1:{} not listed: {portals}", self.port),
                    log: self.log(),
                });
            }
            if start.elapsed() > READY_DEADLINE {
                return Err(HarnessError::NotReady {
                    why: format!(
                        "no answer on control port {} after {READY_DEADLINE:?}",
                        self.control
                    ),
                    log: self.log(),
                });
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn setup(&self) -> Result<(), HarnessError> {
        let image = self.image.to_string_lossy().into_owned();
        self.tgtadm(&[
            "--mode", "target", "--op", "new", "--tid", "1", "-T", &self.iqn,
        ])?;
        self.tgtadm(&[
            "--mode",
            "logicalunit",
            "--op",
            "new",
            "--tid",
            "1",
            "--lun",
            &LUN.to_string(),
            "-b",
            &image,
            "--device-type=cd",
        ])?;
        self.tgtadm(&[
            "--mode",
            "target",
            "--op",
            "bind",
            "--tid",
            "1",
            "-I",
            "127.0.0.1",
        ])?;
        if let Some((user, secret)) = &self.chap {
            self.tgtadm(&[
                "--mode",
                "account",
                "--op",
                "new",
                "--user",
                user,
                "--password",
                secret,
            ])?;
            self.tgtadm(&[
                "--mode", "account", "--op", "bind", "--tid", "1", "--user", user,
            ])?;
        }
        Ok(())
    }

    /// Runs `tgtadm -C N --lld iscsi ARGS` against this daemon; returns its output.
    pub fn tgtadm(&self, args: &[&str]) -> Result<String, HarnessError> {
        let out = Command::new(&self.tgtadm)
            .args(["-C", &self.control.to_string(), "--lld", "iscsi"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|source| HarnessError::Io {
                what: "running tgtadm".into(),
                source,
            })?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if out.status.success() {
            Ok(text)
        } else {
            Err(HarnessError::Tgtadm {
                args: args.join(" "),
                status: out.status.to_string(),
                output: text,
            })
        }
    }

    /// The LUN's address: `iscsi://127.0.0.1:PORT/IQN/1` (with CHAP credentials when
    /// the target requires them).
    pub fn url(&self) -> String {
        match &self.chap {
            Some((u, p)) => format!("iscsi://{u}%{p}@127.0.0.1:{}/{}/{LUN}", self.port, self.iqn),
            None => format!("iscsi://127.0.0.1:{}/{}/{LUN}", self.port, self.iqn),
        }
    }

    /// The LUN's address without credentials.
    pub fn url_without_auth(&self) -> String {
        format!("iscsi://127.0.0.1:{}/{}/{LUN}", self.port, self.iqn)
    }

    /// TCP port of the portal (on 127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The target's IQN.
    pub fn iqn(&self) -> &str {
        &self.iqn
    }

    /// tgtd's control port number (`tgtadm -C`).
    pub fn control_port(&self) -> u32 {
        self.control
    }

    /// The backing file: what was written to the disc, at LBA × 2048.
    pub fn image_path(&self) -> &Path {
        &self.image
    }

    /// The backing file's contents.
    pub fn image_bytes(&self) -> Vec<u8> {
        fs::read(&self.image).unwrap_or_default()
    }

    /// tgtd's output so far.
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Inserts a fresh blank DVD+R: takes the LUN offline, empties the file, and points
    /// the LUN at it again (tgt decides blank vs DVD-ROM from the file's size).
    pub fn blank_disc(&self) -> Result<(), HarnessError> {
        let lun = LUN.to_string();
        let lu = |params: &str| {
            self.tgtadm(&[
                "--mode",
                "logicalunit",
                "--op",
                "update",
                "--tid",
                "1",
                "--lun",
                &lun,
                "--params",
                params,
            ])
        };
        lu("online=0")?;
        fs::File::create(&self.image).map_err(|source| HarnessError::Io {
            what: "emptying the disc image".into(),
            source,
        })?;
        lu(&format!("path={}", self.image.display()))?;
        lu("online=1").map(|_| ())
    }
}

impl Drop for Tgt {
    fn drop(&mut self) {
        if self.ready {
            let _ = self.tgtadm(&[
                "--mode", "target", "--op", "delete", "--tid", "1", "--force",
            ]);
        }
        // tgtd ignores SIGTERM; Child::kill sends SIGKILL to exactly this PID.
        let _ = self.child.kill();
        let _ = self.child.wait();
        if self.ready {
            for suffix in ["", ".lock"] {
                let _ = fs::remove_file(format!("/var/run/tgtd/socket.{}{suffix}", self.control));
            }
        }
        if self.owns_dir {
            let _ = fs::remove_dir_all(&self.dir);
        } else {
            let _ = fs::remove_file(&self.image);
            let _ = fs::remove_file(&self.log);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_tgtd_message_tells_how_to_install_it() {
        assert_eq!(
            HarnessError::TgtdMissing.to_string(),
            "tgtd not found: install Debian's tgt (apt-get install tgt) or run scripts/test, which installs it"
        );
    }
}
